//! The ASCII words of checklist text, for the quick looks inference takes before it reads
//! a phrase. Every item passes through them, so [`ItemScan`] takes all of an item's looks
//! in one pass over its bytes, without allocating, and each rule reads the text itself only
//! where the scan says it might apply.

/// What one pass over an item's text tells the rules that read items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ItemScan {
    /// Printable ASCII, no leading, trailing or doubled space, and fewer than two colons
    /// (an emoji shortcode needs two): text that cleaning leaves as it is.
    pub(crate) plain: bool,
    /// A word every condition holds: one of [`CONDITION_WORDS`].
    pub(crate) condition_word: bool,
    /// What every comparison holds: `<`, `>`, `≤`, `≥`, or one of [`OPERATOR_ENDINGS`].
    pub(crate) comparison: bool,
}

impl ItemScan {
    pub(crate) fn of(text: &str) -> ItemScan {
        let bytes = text.as_bytes();
        let mut scan = ItemScan {
            plain: bytes.first() != Some(&b' ') && bytes.last() != Some(&b' '),
            condition_word: false,
            comparison: false,
        };
        let mut colons = 0;
        let mut word_start = 0;
        let mut at = 0;
        while at < bytes.len() {
            // Letters, most of the text, are passed over eight at a time; the rest are
            // looked at closely.
            at += letters_at(bytes, at);
            if at > word_start {
                scan.word(&bytes[word_start..at]);
            }
            let Some(&b) = bytes.get(at) else {
                break;
            };
            word_start = at + 1;
            match b {
                b' ' => scan.plain &= at == 0 || bytes[at - 1] != b' ',
                b':' => colons += 1,
                b'<' | b'>' => scan.comparison = true,
                b'!'..=b'~' => {}
                0x80.. => {
                    scan.plain = false;
                    // `≤` is E2 89 A4 and `≥` is E2 89 A5.
                    scan.comparison |= b == 0xE2
                        && bytes.get(at + 1) == Some(&0x89)
                        && matches!(bytes.get(at + 2), Some(0xA4 | 0xA5));
                }
                _ => scan.plain = false,
            }
            at += 1;
        }
        scan.plain &= colons < 2;
        scan
    }

    fn word(&mut self, word: &[u8]) {
        self.condition_word |= CONDITION_WORDS.contains(word) || RELEASE_KINDS.contains(word);
        self.comparison |= OPERATOR_ENDINGS.contains(word);
    }
}

/// How many ASCII letters run from `at`.
fn letters_at(bytes: &[u8], at: usize) -> usize {
    let mut end = at;
    while let Some(chunk) = bytes.get(end..end + 8) {
        let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        let others = not_letters(word);
        if others != 0 {
            return end - at + others.trailing_zeros() as usize / 8;
        }
        end += 8;
    }
    end - at
        + bytes[end..]
            .iter()
            .take_while(|b| b.is_ascii_alphabetic())
            .count()
}

/// The high bit of each byte of `word` that is not an ASCII letter, all eight tested at
/// once: folded to lowercase with its own high bit cleared, a byte is a letter when adding
/// `0x80 - b'a'` sets its high bit and adding `0x80 - (b'z' + 1)` does not; neither sum
/// carries into the next byte.
fn not_letters(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = ONES * 0x80;
    const CASE: u64 = ONES * 0x20;
    const TO_A: u64 = ONES * (0x80 - b'a' as u64);
    const PAST_Z: u64 = ONES * (0x80 - b'z' as u64 - 1);
    let lower = (word | CASE) & !HIGH;
    let from_a = lower + TO_A;
    let past_z = lower + PAST_Z;
    (!from_a | past_z | word) & HIGH
}

/// Kinds of release a step can be for: `For major releases: ...`, `For RC builds: ...`.
/// A condition word too: such an item is read for its condition.
pub(crate) const RELEASE_KINDS: Lexicon =
    Lexicon::new(&["major", "minor", "patch", "hotfix", "hotfixes", "rc", "lts"]);

/// Every condition has one of these words (`Pin the release if needed`, `Optional: ...`);
/// most items have none.
pub(crate) const CONDITION_WORDS: Lexicon = Lexicon::new(&[
    "if",
    "unless",
    "optional",
    "optionally",
    "only",
    "when",
    "where",
    "skip",
    "needed",
    "necessary",
    "neccessary",
    "applicable",
    "required",
    "possible",
    "relevant",
    "appropriate",
    "desired",
    "warranted",
    "stretch",
    "nice",
    "permits",
    "allows",
    "available",
    "requested",
    "any",
]);

/// The last words of the word operators of thresholds (`less than`, `at least`, `under`).
pub(crate) const OPERATOR_ENDINGS: Lexicon = Lexicon::new(&[
    "to",
    "than",
    "least",
    "most",
    "within",
    "under",
    "below",
    "above",
    "over",
    "exceeding",
    "exceeds",
    "exceed",
]);

/// Whether some word of `text` (a run of ASCII letters) satisfies `is_word`.
pub(crate) fn any_ascii_word(text: &str, mut is_word: impl FnMut(&[u8]) -> bool) -> bool {
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let letters = letters_at(bytes, at);
        if letters > 0 && is_word(&bytes[at..at + letters]) {
            return true;
        }
        // Past the word and the byte that ended it.
        at += letters + 1;
    }
    false
}

/// A fixed list of lowercase ASCII words, asked about one word at a time in any case.
///
/// Most words asked about are in no list, so each list keeps, for every length, the set of
/// first and of last letters its words have: a word is usually turned away by two bit
/// tests, and only the rest are compared with the words themselves.
pub(crate) struct Lexicon {
    words: &'static [&'static str],
    firsts: [u32; Lexicon::LONGEST + 1],
    lasts: [u32; Lexicon::LONGEST + 1],
}

impl Lexicon {
    const LONGEST: usize = 15;

    /// Panics at compile time on a word that is empty, longer than fifteen letters or not
    /// lowercase ASCII letters.
    pub(crate) const fn new(words: &'static [&'static str]) -> Lexicon {
        let mut firsts = [0u32; Lexicon::LONGEST + 1];
        let mut lasts = [0u32; Lexicon::LONGEST + 1];
        let mut i = 0;
        while i < words.len() {
            let word = words[i].as_bytes();
            assert!(!word.is_empty() && word.len() <= Lexicon::LONGEST);
            let mut j = 0;
            while j < word.len() {
                assert!(word[j].is_ascii_lowercase());
                j += 1;
            }
            firsts[word.len()] |= 1 << (word[0] - b'a');
            lasts[word.len()] |= 1 << (word[word.len() - 1] - b'a');
            i += 1;
        }
        Lexicon {
            words,
            firsts,
            lasts,
        }
    }

    /// Whether `word` (ASCII letters, any case) is in the list.
    pub(crate) fn contains(&self, word: &[u8]) -> bool {
        let (Some(&first), Some(&last)) = (word.first(), word.last()) else {
            return false;
        };
        let letter = |b: u8| 1u32 << ((b | 0x20).wrapping_sub(b'a') & 31);
        word.len() <= Lexicon::LONGEST
            && self.firsts[word.len()] & letter(first) != 0
            && self.lasts[word.len()] & letter(last) != 0
            && self
                .words
                .iter()
                .any(|w| w.as_bytes().eq_ignore_ascii_case(word))
    }

    /// Whether some word of `text` is in the list.
    pub(crate) fn any_in(&self, text: &str) -> bool {
        any_ascii_word(text, |word| self.contains(word))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_item_scan_sees_plain_text_conditions_and_comparisons() {
        let scan = ItemScan::of("Response time < 200ms (p95)");
        assert!(scan.plain && scan.comparison && !scan.condition_word);
        let scan = ItemScan::of("Pin the release if needed");
        assert!(scan.plain && scan.condition_word && !scan.comparison);
        assert!(ItemScan::of("Latency ≤ 2 seconds").comparison);
        assert!(ItemScan::of("Queue depth below 1,000").comparison);
        assert!(!ItemScan::of("Verify component 3 of section 4").comparison);
        for text in ["", "One: colon", "x"] {
            assert!(ItemScan::of(text).plain, "{text:?}");
        }
        for text in [" x", "x ", "a  b", "a\tb", "café", ":a: b", "a\u{7}"] {
            assert!(!ItemScan::of(text).plain, "{text:?}");
        }
    }

    proptest! {
        /// The scan finds a listed word exactly where a search of the words finds one.
        #[test]
        fn an_item_scan_finds_the_words_a_search_finds(
            text in prop_oneof!["[a-zA-Z <>:]{0,40}", "(if|when|rc|lts|less|than|under|x|≥| |,){0,12}", any::<String>()]
        ) {
            let scan = ItemScan::of(&text);
            // Kinds of release (`For RC builds: ...`) send an item to the condition reader too.
            let condition = CONDITION_WORDS.any_in(&text) || RELEASE_KINDS.any_in(&text);
            prop_assert_eq!(scan.condition_word, condition);
            let symbol = text.contains(['<', '>', '≤', '≥']);
            prop_assert_eq!(scan.comparison, symbol || OPERATOR_ENDINGS.any_in(&text));
            let plain = text.bytes().all(|b| (b' '..=b'~').contains(&b))
                && !text.contains("  ")
                && !text.starts_with(' ')
                && !text.ends_with(' ')
                && text.matches(':').count() < 2;
            prop_assert_eq!(scan.plain, plain);
        }
    }

    proptest! {
        /// Eight bytes at a time, the letters are exactly the bytes `is_ascii_alphabetic`
        /// accepts, so runs of letters end where a byte-by-byte search ends them.
        #[test]
        fn letters_are_found_eight_at_a_time_exactly_as_one_at_a_time(
            bytes in prop::collection::vec(any::<u8>(), 0..40),
            at in 0usize..40,
        ) {
            let at = at.min(bytes.len());
            let expected = bytes[at..].iter().take_while(|b| b.is_ascii_alphabetic()).count();
            prop_assert_eq!(letters_at(&bytes, at), expected);
        }
    }

    #[test]
    fn every_byte_value_is_a_letter_or_not_as_ascii_says() {
        for b in 0..=255u8 {
            let word = u64::from_le_bytes([b'a', b, b'Z', b, b'q', b, b'M', b]);
            let expected = if b.is_ascii_alphabetic() {
                0
            } else {
                0x8000_8000_8000_8000
            };
            assert_eq!(not_letters(word), expected, "byte {b:#04x}");
        }
    }

    fn words(text: &str) -> Vec<String> {
        let mut found = Vec::new();
        any_ascii_word(text, |w| {
            found.push(String::from_utf8(w.to_vec()).unwrap());
            false
        });
        found
    }

    #[test]
    fn words_are_runs_of_ascii_letters() {
        assert_eq!(words("Pin v2.16 if needed"), ["Pin", "v", "if", "needed"]);
        assert_eq!(words("  café--ok "), ["caf", "ok"]);
        assert!(words("").is_empty());
        assert!(words("42 !").is_empty());
    }

    #[test]
    fn a_lexicon_knows_its_words_in_any_case_and_nothing_else() {
        const WORDS: Lexicon = Lexicon::new(&["if", "when", "stretch", "needed"]);
        for word in ["if", "IF", "When", "stretch", "NEEDED"] {
            assert!(WORDS.contains(word.as_bytes()), "{word}");
        }
        for word in ["", "i", "is", "whet", "stench", "section", "neededx", "if!"] {
            assert!(!WORDS.contains(word.as_bytes()), "{word}");
        }
        assert!(!WORDS.contains("x".repeat(40).as_bytes()));
        assert!(WORDS.any_in("Pin the release, if needed."));
        assert!(!WORDS.any_in("Verify component 3 of section 4"));
    }
}
