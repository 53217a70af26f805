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
}
