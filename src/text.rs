//! Text from files and people made safe to print on a terminal.
//!
//! Checklist text reaches the terminal through `show`, the prompts and `report`; an
//! escape sequence in it (ESC, BEL, a C1 control such as CSI) would be obeyed by the
//! terminal, and a bidirectional override (U+202E) reorders what is shown, so a line can
//! read differently from what the file says. [`sanitize`] replaces each such character
//! with a visible escape in Rust's `\u{…}` form, e.g. ESC becomes `\u{1b}`: plain ASCII,
//! so the result is stable (sanitizing it again changes nothing), survives YAML and JSON
//! round trips, and tells a reader exactly which character was there (U+FFFD would hide
//! it).
//!
//! Replaced: every control character (C0, DEL, C1) except tab, and the bidirectional
//! formatting characters (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069).
//!
//! Typed input is another matter: an answer, a reason or a note comes from a person at a
//! prompt, a pipe or an answers file, and is kept as evidence. Arrow keys at a plain
//! prompt type `ESC [ D`; there the whole sequence means nothing, so [`clean_input`]
//! removes it, rather than keeping a visible escape in the journal and the record.

use std::borrow::Cow;
use std::fmt::Write;

use crate::source::Diagnostic;

/// Whether `c` is replaced by [`sanitize`].
pub fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// `text` with every unsafe character replaced by its `\u{…}` escape; borrowed when there
/// is none, which is almost always.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    if !might_need_escaping(text) || !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A byte scan that rules out most text at once: every unsafe character is encoded with
/// a byte below 0x20, DEL, or a lead byte 0xC2 (C1), 0xD8 (U+061C) or 0xE2 (U+200E–U+2069).
fn might_need_escaping(text: &str) -> bool {
    text.bytes()
        .any(|b| (b < 0x20 && b != b'\t') || matches!(b, 0x7f | 0xc2 | 0xd8 | 0xe2))
}

/// Checklist text as it enters the model: sanitized, with one warning naming the file and
/// line when anything was replaced. Call it after whitespace is collapsed, so newlines
/// and tabs have already become spaces rather than escapes.
pub fn checklist_text(
    file: &str,
    diagnostics: &mut Vec<Diagnostic>,
    text: String,
    line: Option<u32>,
) -> String {
    match sanitize(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(clean) => {
            let warning = Diagnostic::warning(
                file,
                line,
                format!(
                    "control or bidirectional characters are shown escaped (`{}`); remove them from the text",
                    excerpt(&clean)
                ),
            );
            // One warning per line is enough when a line holds several texts.
            if !diagnostics
                .iter()
                .any(|d| d.line == line && d.message == warning.message)
            {
                diagnostics.push(warning);
            }
            clean
        }
    }
}

/// The first escape in `clean` with a little context, for the warning.
fn excerpt(clean: &str) -> String {
    let at = clean.find("\\u{").unwrap_or(0);
    let start = clean[..at]
        .char_indices()
        .rev()
        .nth(11)
        .map_or(0, |(i, _)| i);
    let end = clean[at..]
        .char_indices()
        .nth(20)
        .map_or(clean.len(), |(i, _)| at + i);
    clean[start..end].to_string()
}

/// Removes terminal escape sequences (CSI, OSC and two-byte escapes) whole, drops other
/// control characters and bidirectional overrides, turns tabs into spaces and each line
/// break (with the blanks around it) into one space, and trims.
pub fn clean_input(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            // C1 control sequence introducer: the 8-bit form of `ESC [`.
            '\u{9b}' => skip_csi(&mut chars),
            '\t' => out.push(' '),
            // Lines pasted at a prompt, or a reason written over several lines in an
            // answers file: one space where each break was, not words run together.
            '\n' | '\r' => {
                out.truncate(out.trim_end().len());
                out.push(' ');
                while chars.next_if(|c| c.is_whitespace()).is_some() {}
            }
            c if is_unsafe(c) => {}
            c => out.push(c),
        }
    }
    let trimmed = out.trim();
    if trimmed.len() == out.len() {
        out
    } else {
        trimmed.to_string()
    }
}

/// A command's output made safe to keep and to show: terminal escape sequences removed
/// whole, other control characters and bidirectional overrides dropped, `\r\n` and a
/// lone `\r` (a progress bar redrawing its line) turned into line breaks. Line breaks and
/// tabs stay; nothing is trimmed, so cleaning twice changes nothing.
pub fn clean_output(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            '\u{9b}' => skip_csi(&mut chars),
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push('\n');
            }
            '\n' | '\t' => out.push(c),
            c if is_unsafe(c) => {}
            c => out.push(c),
        }
    }
    out
}

fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.next() {
        Some('[') => skip_csi(chars),
        // OSC: up to BEL or ESC \.
        Some(']') => {
            while let Some(c) = chars.next() {
                if c == '\u{7}' {
                    break;
                }
                if c == '\u{1b}' {
                    chars.next_if_eq(&'\\');
                    break;
                }
            }
        }
        // `ESC O A` (arrow keys in application mode) and the like: one more character.
        Some('O') => {
            chars.next();
        }
        _ => {}
    }
}

fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    // Parameters and intermediates, then one final byte in `@`..`~`.
    for c in chars.by_ref() {
        if ('@'..='~').contains(&c) {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn escapes_terminal_controls_and_bidi_overrides() {
        assert_eq!(sanitize("a\u{1b}[31mred"), "a\\u{1b}[31mred");
        assert_eq!(sanitize("bell\u{7}"), "bell\\u{7}");
        assert_eq!(sanitize("csi\u{9b}2J"), "csi\\u{9b}2J");
        assert_eq!(sanitize("x\u{202e}txt.exe"), "x\\u{202e}txt.exe");
        assert_eq!(sanitize("line\nbreak\r"), "line\\u{a}break\\u{d}");
    }

    #[test]
    fn leaves_ordinary_text_borrowed() {
        for text in [
            "plain",
            "tab\there",
            "naïve café – “quoted” → ok",
            "日本語",
            "€ ₿ ✓",
        ] {
            assert!(matches!(sanitize(text), Cow::Borrowed(_)), "{text}");
        }
    }

    #[test]
    fn warns_once_per_line() {
        let mut diagnostics = Vec::new();
        let a = checklist_text("c.md", &mut diagnostics, "a\u{1b}b".into(), Some(3));
        let b = checklist_text("c.md", &mut diagnostics, "a\u{1b}b".into(), Some(3));
        assert_eq!((a.as_str(), b.as_str()), ("a\\u{1b}b", "a\\u{1b}b"));
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].line, Some(3));
    }

    proptest! {
        #[test]
        fn sanitized_text_is_safe_and_stable(text in any::<String>()) {
            let once = sanitize(&text).into_owned();
            prop_assert!(!once.chars().any(is_unsafe));
            prop_assert_eq!(sanitize(&once), once.as_str());
        }
    }

    #[test]
    fn arrow_keys_typed_into_a_reason_leave_no_trace() {
        assert_eq!(clean_input("confg\u{1b}[D\u{1b}[D\u{1b}[Di"), "confgi");
        assert_eq!(clean_input("a\u{1b}OAb"), "ab");
        assert_eq!(clean_input("\u{1b}]0;title\u{7}x"), "x");
        assert_eq!(clean_input("red \u{1b}[31;1mtext\u{1b}[0m"), "red text");
    }

    #[test]
    fn output_keeps_its_lines_and_loses_its_escapes() {
        assert_eq!(
            clean_output("\u{1b}[32mok\u{1b}[0m\r\nnext\rover\tx\u{0}\n"),
            "ok\nnext\nover\tx\n"
        );
        let once = clean_output("a\r\r\nb\u{7}");
        assert_eq!(clean_output(&once), once);
    }

    #[test]
    fn controls_and_bidi_overrides_are_dropped_and_tabs_become_spaces() {
        assert_eq!(clean_input("a\u{0}b\u{7}c\u{202e}d\te "), "abcd e");
        assert_eq!(clean_input("plain text"), "plain text");
        assert_eq!(clean_input("  x  "), "x");
    }

    #[test]
    fn pasted_lines_are_one_line_with_a_space_where_each_break_was() {
        assert_eq!(
            clean_input("pods crashlooping\nError: OOMKilled\r\n  at container web"),
            "pods crashlooping Error: OOMKilled at container web"
        );
        assert_eq!(clean_input("a \r\r\n\n b\n"), "a b");
        let once = clean_input("x\n\ty");
        assert_eq!(clean_input(&once), once);
    }
}
