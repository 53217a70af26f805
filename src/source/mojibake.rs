//! Detects and undoes UTF-8 text that was once decoded as a Windows code page.
//!
//! The classic damage: `🔐` (bytes F0 9F 94 90) saved through Windows-1254 becomes `ğŸ”`,
//! and bytes the code page leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) are lost on the
//! way. We map each suspicious character back to the byte it came from; where the bytes
//! form valid UTF-8 again the text is repaired, and where a byte was lost the fragment is
//! dropped, because guessing the missing byte could pick the wrong emoji. Either way the
//! caller gets a [`Fix`] to warn about, and IDs never see the garbage.

use std::borrow::Cow;

/// One damaged fragment and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub damaged: String,
    /// The restored text, or `None` where the fragment could not be restored and was dropped.
    pub restored: Option<String>,
}

/// The warning for one line's fixes, naming what was restored and what was dropped.
pub fn describe(fixes: &[Fix]) -> String {
    let described: Vec<String> = fixes
        .iter()
        .map(|fix| match &fix.restored {
            Some(restored) => format!("\"{}\" read as \"{restored}\"", fix.damaged),
            None => format!("\"{}\" dropped", fix.damaged),
        })
        .collect();
    format!(
        "text looks mis-encoded (UTF-8 once decoded as a Windows code page): {}; re-save the file as UTF-8",
        described.join(", ")
    )
}

/// Text with mis-encoded fragments repaired or removed.
pub fn repair(text: &str) -> (Cow<'_, str>, Vec<Fix>) {
    if text.is_ascii() {
        return (Cow::Borrowed(text), Vec::new());
    }
    let mut out = String::with_capacity(text.len());
    let mut fixes = Vec::new();
    let mut run_start = None;
    let mut bytes = Vec::new();
    for (at, ch) in text.char_indices() {
        match byte_for(ch) {
            Some(byte) => {
                run_start.get_or_insert(at);
                bytes.push(byte);
            }
            None => {
                if let Some(start) = run_start.take() {
                    settle_run(&text[start..at], &bytes, &mut out, &mut fixes);
                    bytes.clear();
                }
                out.push(ch);
            }
        }
    }
    if let Some(start) = run_start {
        settle_run(&text[start..], &bytes, &mut out, &mut fixes);
    }
    if fixes.is_empty() {
        (Cow::Borrowed(text), fixes)
    } else {
        (Cow::Owned(out), fixes)
    }
}

/// Decides whether a run of code-page characters is damaged UTF-8, and writes what remains.
fn settle_run(original: &str, bytes: &[u8], out: &mut String, fixes: &mut Vec<Fix>) {
    if !looks_like_utf8(bytes) {
        out.push_str(original);
        return;
    }
    match std::str::from_utf8(bytes) {
        Ok(restored) => {
            out.push_str(restored);
            fixes.push(Fix {
                damaged: original.to_string(),
                restored: Some(restored.to_string()),
            });
        }
        Err(_) => {
            // Keep whatever complete characters survive; drop the fragments missing bytes.
            let salvaged: String = String::from_utf8_lossy(bytes)
                .chars()
                .filter(|&c| c != char::REPLACEMENT_CHARACTER && !is_orphan_modifier(c))
                .collect();
            out.push_str(&salvaged);
            fixes.push(Fix {
                damaged: original.to_string(),
                restored: None,
            });
        }
    }
}

/// A variation selector or joiner left behind once the emoji it modified is gone.
fn is_orphan_modifier(c: char) -> bool {
    matches!(c, '\u{FE0E}' | '\u{FE0F}' | '\u{200D}')
}

/// A UTF-8 lead byte followed by at least one continuation byte: real text in a Windows
/// code page almost never produces that pair (`Ã©`, `ğŸ`, `â€`).
fn looks_like_utf8(bytes: &[u8]) -> bool {
    bytes
        .windows(2)
        .any(|pair| (0xC2..=0xF4).contains(&pair[0]) && (0x80..=0xBF).contains(&pair[1]))
}

/// The byte a character stands for in Windows-1252, Windows-1254 or Latin-1; `None` for
/// ASCII and for characters no such decoding produces.
fn byte_for(ch: char) -> Option<u8> {
    let code = ch as u32;
    if (0x80..=0xFF).contains(&code) {
        return u8::try_from(code).ok();
    }
    Some(match ch {
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8A,
        '‹' => 0x8B,
        'Œ' => 0x8C,
        'Ž' => 0x8E,
        '\u{2018}' => 0x91,
        '\u{2019}' => 0x92,
        '\u{201C}' => 0x93,
        '\u{201D}' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9A,
        '›' => 0x9B,
        'œ' => 0x9C,
        'ž' => 0x9E,
        'Ÿ' => 0x9F,
        // Windows-1254 (Turkish) replaces six Latin-1 letters.
        'Ğ' => 0xD0,
        'İ' => 0xDD,
        'Ş' => 0xDE,
        'ğ' => 0xF0,
        'ı' => 0xFD,
        'ş' => 0xFE,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_text_is_borrowed_untouched() {
        for text in [
            "plain",
            "Café crème",
            "naïve — “quoted”",
            "5 × 3 ÷ 2",
            "½ done",
        ] {
            let (out, fixes) = repair(text);
            assert!(matches!(out, Cow::Borrowed(_)), "{text}");
            assert!(fixes.is_empty(), "{text}");
        }
    }

    #[test]
    fn complete_sequences_are_restored() {
        let (out, fixes) = repair("âœ… Post-Deployment");
        assert_eq!(out, "✅ Post-Deployment");
        assert_eq!(fixes[0].restored.as_deref(), Some("✅"));
        assert_eq!(repair("cafÃ©").0, "café");
    }

    #[test]
    fn sequences_missing_a_byte_are_dropped() {
        // 🏢 is F0 9F 8F A2; Windows-1254 has no 0x8F, so one byte is gone for good.
        let (out, fixes) = repair("ğŸ¢ Enterprise");
        assert_eq!(out, " Enterprise");
        assert_eq!(fixes[0].damaged, "ğŸ¢");
        assert_eq!(fixes[0].restored, None);
        let (out, _) = repair("ğŸ—ï¸ Infrastructure");
        assert_eq!(out, " Infrastructure");
    }
}
