//! Text that came from a person or a file, made safe to keep and to show.
//!
//! Arrow keys at a plain prompt type `ESC [ D`; a pasted log line can carry colour codes,
//! NULs or a right-to-left override. None of that belongs in a journal or a record, where
//! it would hide or reorder what a reviewer reads.

/// Removes terminal escape sequences (CSI, OSC and two-byte escapes) whole, drops other
/// control characters and bidirectional overrides, turns tabs into spaces, and trims.
pub fn clean_input(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            // C1 control sequence introducer: the 8-bit form of `ESC [`.
            '\u{9b}' => skip_csi(&mut chars),
            '\t' => out.push(' '),
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

/// Control characters (C0, DEL, C1) and the invisible marks that reorder text.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
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

    #[test]
    fn arrow_keys_typed_into_a_reason_leave_no_trace() {
        assert_eq!(clean_input("confg\u{1b}[D\u{1b}[D\u{1b}[Di"), "confgi");
        assert_eq!(clean_input("a\u{1b}OAb"), "ab");
        assert_eq!(clean_input("\u{1b}]0;title\u{7}x"), "x");
        assert_eq!(clean_input("red \u{1b}[31;1mtext\u{1b}[0m"), "red text");
    }

    #[test]
    fn controls_and_bidi_overrides_are_dropped_and_tabs_become_spaces() {
        assert_eq!(clean_input("a\u{0}b\u{7}c\u{202e}d\te "), "abcd e");
        assert_eq!(clean_input("plain text"), "plain text");
        assert_eq!(clean_input("  x  "), "x");
    }
}
