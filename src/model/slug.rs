//! Stable, plain-ASCII slugs for IDs.
//!
//! Records and diffs key on item IDs, so a slug depends on nothing but its own text: emoji
//! and punctuation vanish, common accented Latin letters fold to ASCII, and text with no
//! usable letters at all falls back to a short hash of itself (never to a position, which
//! would shift when another item is inserted).

use sha2::{Digest, Sha256};

/// Slugs longer than this are cut at a word boundary: IDs must stay typeable.
const MAX_SLUG_LEN: usize = 64;

/// `"Response time < 200ms (p95)"` → `"response-time-200ms-p95"`.
pub fn slugify(text: &str) -> String {
    let mut slug = String::new();
    push_slug(&mut slug, text);
    slug
}

/// Appends the slug of `text` to `out`, so a full ID is built in one allocation.
pub fn push_slug(out: &mut String, text: &str) {
    if text.is_ascii() {
        push_ascii_slug(out, text);
    } else {
        push_unicode_slug(out, text);
    }
}

/// The common case, byte by byte; the same rules as [`push_unicode_slug`].
fn push_ascii_slug(out: &mut String, text: &str) {
    let start = out.len();
    let mut pending_dash = false;
    for &byte in text.as_bytes() {
        if byte.is_ascii_alphanumeric() {
            let written = out.len() - start;
            let needed = usize::from(pending_dash && written > 0) + 1;
            if written + needed > MAX_SLUG_LEN {
                // Cut back to the last whole word rather than leave half of one.
                if let Some(cut) = out[start..].rfind('-') {
                    out.truncate(start + cut);
                }
                break;
            }
            if needed == 2 {
                out.push('-');
            }
            pending_dash = false;
            out.push(char::from(byte.to_ascii_lowercase()));
        } else if byte != b'\'' {
            pending_dash = true;
        }
    }
    if out.len() == start {
        push_hash(out, text);
    }
}

fn push_unicode_slug(out: &mut String, text: &str) {
    let start = out.len();
    let mut pending_dash = false;
    for ch in text.chars() {
        let folded = fold(ch);
        if folded.is_empty() {
            // Apostrophes join words ("don't" → "dont"); everything else separates them.
            if !matches!(ch, '\'' | '\u{2019}') {
                pending_dash = true;
            }
            continue;
        }
        let written = out.len() - start;
        if pending_dash && written > 0 {
            if written + 1 >= MAX_SLUG_LEN {
                break;
            }
            out.push('-');
        }
        pending_dash = false;
        if out.len() - start + folded.len() > MAX_SLUG_LEN {
            // Cut back to the last whole word rather than leave half of one.
            if let Some(cut) = out[start..].rfind('-') {
                out.truncate(start + cut);
            }
            break;
        }
        out.push_str(folded);
    }
    if out.len() == start {
        push_hash(out, text);
    }
}

/// Text with no letters or digits at all still needs an ID that depends only on itself.
fn push_hash(out: &mut String, text: &str) {
    let digest = Sha256::digest(text.trim().as_bytes());
    out.push_str("x-");
    for byte in digest.iter().take(3) {
        out.push_str(&format!("{byte:02x}"));
    }
}

/// An author-given ID segment: lowercase ASCII letters and digits, with `-`, `_` or `.` inside.
pub fn is_valid_slug(id: &str) -> bool {
    let bytes = id.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 128
        && bytes[0].is_ascii_lowercase() | bytes[0].is_ascii_digit()
        && bytes.iter().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.')
        })
}

/// The ASCII a character contributes to a slug; empty for separators and symbols.
fn fold(ch: char) -> &'static str {
    const ALNUM: &str = "0123456789abcdefghijklmnopqrstuvwxyz";
    if ch.is_ascii_digit() {
        let i = ch as usize - '0' as usize;
        return &ALNUM[i..=i];
    }
    if ch.is_ascii_alphabetic() {
        let i = 10 + (ch.to_ascii_lowercase() as usize - 'a' as usize);
        return &ALNUM[i..=i];
    }
    match ch {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ą' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => {
            "a"
        }
        'æ' | 'Æ' => "ae",
        'ç' | 'ć' | 'č' | 'Ç' | 'Ć' | 'Č' => "c",
        'ď' | 'đ' | 'Ď' | 'Đ' | 'ð' | 'Ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' | 'È' | 'É' | 'Ê' | 'Ë' | 'Ę' | 'Ě' => {
            "e"
        }
        'ğ' | 'Ğ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ı' | 'İ' | 'Ì' | 'Í' | 'Î' | 'Ï' => "i",
        'ł' | 'Ł' => "l",
        'ñ' | 'ń' | 'ň' | 'Ñ' | 'Ń' | 'Ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ő' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ő' => {
            "o"
        }
        'œ' | 'Œ' => "oe",
        'ř' | 'Ř' => "r",
        'ś' | 'š' | 'ş' | 'Ś' | 'Š' | 'Ş' => "s",
        'ß' => "ss",
        'ť' | 'Ť' => "t",
        'þ' | 'Þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ů' | 'ű' | 'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ů' | 'Ű' => "u",
        'ý' | 'ÿ' | 'Ý' => "y",
        'ź' | 'ż' | 'ž' | 'Ź' | 'Ż' | 'Ž' => "z",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_drops_punctuation_and_symbols() {
        assert_eq!(
            slugify("Response time < 200ms (p95)"),
            "response-time-200ms-p95"
        );
        assert_eq!(
            slugify("Rollback Checklist (if needed)"),
            "rollback-checklist-if-needed"
        );
        assert_eq!(
            slugify("CPU requests/limits set"),
            "cpu-requests-limits-set"
        );
    }

    #[test]
    fn slug_ignores_emoji_and_folds_accents() {
        assert_eq!(slugify("🔐 Security & Compliance"), "security-compliance");
        assert_eq!(slugify("Café déploiement"), "cafe-deploiement");
        assert_eq!(slugify("Don't panic"), "dont-panic");
    }

    #[test]
    fn slug_of_text_without_letters_is_a_stable_hash() {
        let a = slugify("🚀🚀");
        assert!(a.starts_with("x-") && a.len() == 8, "{a}");
        assert_eq!(a, slugify("🚀🚀"));
        assert_ne!(a, slugify("✅"));
    }

    #[test]
    fn long_slug_is_cut_at_a_word_boundary() {
        let slug = slugify(&"word ".repeat(100));
        assert!(slug.len() <= MAX_SLUG_LEN);
        assert!(slug.ends_with("word"));
    }

    #[test]
    fn ascii_and_unicode_paths_agree() {
        for text in [
            "Response time < 200ms (p95)",
            "  leading and trailing  ",
            "Don't stop",
            "a-b--c",
            &"long words ".repeat(20),
            "x".repeat(70).as_str(),
            "!!!",
        ] {
            let mut ascii = String::new();
            push_ascii_slug(&mut ascii, text);
            let mut unicode = String::new();
            push_unicode_slug(&mut unicode, text);
            assert_eq!(ascii, unicode, "{text:?}");
        }
    }

    #[test]
    fn valid_slug_rules() {
        assert!(is_valid_slug("db-backup"));
        assert!(is_valid_slug("v1.2_x"));
        assert!(!is_valid_slug("DB"));
        assert!(!is_valid_slug("-x"));
        assert!(!is_valid_slug("a/b"));
        assert!(!is_valid_slug(""));
    }
}
