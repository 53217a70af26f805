//! Stable, plain-ASCII slugs for IDs.
//!
//! Records and diffs key on item IDs, so a slug depends on nothing but its own text: emoji
//! and punctuation vanish, common accented Latin letters fold to ASCII, and text with no
//! usable letters at all falls back to a short hash of itself (never to a position, which
//! would shift when another item is inserted).

use sha2::{Digest, Sha256};

/// Slugs longer than this are cut at a word boundary: IDs must stay typeable.
pub const MAX_SLUG_LEN: usize = 64;

/// `"Response time < 200ms (p95)"` → `"response-time-200ms-p95"`.
pub fn slugify(text: &str) -> String {
    let mut slug = String::new();
    push_slug(&mut slug, text);
    slug
}

/// Appends the slug of `text` to `out`, so a full ID is built in one allocation.
///
/// Each character folds to the ASCII it contributes (a lowercase letter or digit, `ae` for
/// `æ`, nothing for a separator), so the slug of any text is the slug of its folded ASCII,
/// built a byte at a time. ASCII, nearly all text, takes a test or two per byte; other
/// characters are decoded and folded. The slug is built in a buffer of its greatest length
/// and appended once.
pub fn push_slug(out: &mut String, text: &str) {
    let mut slug = [0u8; MAX_SLUG_LEN];
    let mut len = 0;
    // A separator came since the last letter or digit.
    let mut dash = false;
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let b = bytes[at];
        let letter = SLUG_BYTE[usize::from(b)];
        if letter != 0 {
            at += 1;
            // Inside a word with room left, the byte is simply kept: `add`'s case with no
            // dash to place and nothing to cut, taken for nearly every byte of every ID.
            if !dash && len < MAX_SLUG_LEN {
                slug[len] = letter;
                len += 1;
            } else if !add(&mut slug, &mut len, &mut dash, letter) {
                break;
            }
        } else if b.is_ascii() {
            at += 1;
            // Apostrophes join words ("don't" → "dont"); everything else separates them.
            dash |= b != b'\'';
        } else {
            let ch = text[at..].chars().next().unwrap_or_default();
            at += ch.len_utf8();
            let folded = fold(ch);
            if folded.is_empty() {
                dash |= ch != '\u{2019}';
            } else if !folded
                .bytes()
                .all(|b| add(&mut slug, &mut len, &mut dash, b))
            {
                break;
            }
        }
    }
    match std::str::from_utf8(&slug[..len]) {
        Ok(done) if !done.is_empty() => out.push_str(done),
        _ => push_hash(out, text),
    }
}

/// The lowercase letter or digit each ASCII byte adds to a slug; 0 for every other byte.
const SLUG_BYTE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let byte = b as u8;
        if byte.is_ascii_alphanumeric() {
            table[b] = byte.to_ascii_lowercase();
        }
        b += 1;
    }
    table
};

/// Adds one byte of a word to the slug, after a dash if a separator came since the last
/// word; `false` when it does not fit, and the slug has been cut back to the last whole
/// word rather than leave half of one.
#[inline(always)]
fn add(slug: &mut [u8; MAX_SLUG_LEN], len: &mut usize, dash: &mut bool, byte: u8) -> bool {
    let with_dash = *dash && *len > 0;
    if *len + usize::from(with_dash) >= MAX_SLUG_LEN {
        if let Some(cut) = slug[..*len].iter().rposition(|&b| b == b'-') {
            *len = cut;
        }
        return false;
    }
    if with_dash {
        slug[*len] = b'-';
        *len += 1;
    }
    *dash = false;
    slug[*len] = byte;
    *len += 1;
    true
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

/// The ASCII a character outside ASCII contributes to a slug; empty for separators and
/// symbols.
fn fold(ch: char) -> &'static str {
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
    fn ascii_and_unicode_text_agree() {
        // One path for all text: an accented letter counts exactly as the letter it folds
        // to, also where a long slug is cut.
        for text in [
            "Response time < 200ms (p95)",
            "  leading and trailing  ",
            "Don't stop",
            "Don\u{2019}t stop",
            "a-b--c",
            &"long words ".repeat(20),
            "x".repeat(70).as_str(),
            &format!("{} {} c", "a".repeat(30), "b".repeat(32)),
            &format!("{} {} c", "a".repeat(30), "b".repeat(31)),
            &format!("{} {} ss", "a".repeat(30), "b".repeat(31)),
        ] {
            let accented = text
                .replace('a', "á")
                .replace('e', "é")
                .replace("ss", "ß")
                .replace('\'', "\u{2019}");
            assert_eq!(slugify(text), slugify(&accented), "{text:?}");
        }
    }

    #[test]
    fn a_word_that_does_not_fit_is_left_out_with_the_word_before_its_dash() {
        // IDs already in records depend on where long slugs were cut.
        let text = format!("{} {} c", "a".repeat(30), "b".repeat(32));
        assert_eq!(slugify(&text), "a".repeat(30));
        let text = format!("{} {} c", "a".repeat(30), "b".repeat(31));
        assert_eq!(
            slugify(&text),
            format!("{}-{}-c", "a".repeat(30), "b".repeat(31))
        );
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
