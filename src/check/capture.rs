//! A check's output, bounded: the last bytes of stdout and stderr interleaved as they
//! arrived, a count of everything, and the last line on stdout that is not blank (what a
//! measured item reads as its value). Memory stays the same whatever the command prints.

use std::collections::VecDeque;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stream {
    Stdout = 0,
    Stderr = 1,
}

/// A line longer than this is not a value; only its start is kept while it is read.
const LINE_CAP: usize = 4096;

pub(crate) struct Capture {
    cap: usize,
    tail: VecDeque<u8>,
    total: u64,
    /// The stdout line being read, up to [`LINE_CAP`] bytes.
    line: Vec<u8>,
    last_line: Option<Vec<u8>>,
}

/// What is kept of a check's output once it ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Kept {
    /// Valid UTF-8 (bytes that are not are replaced), control characters removed.
    pub output: String,
    pub truncated: bool,
    pub total_bytes: u64,
    pub last_stdout_line: Option<String>,
}

impl Capture {
    pub fn new(cap: usize) -> Capture {
        Capture {
            cap,
            tail: VecDeque::with_capacity(cap),
            total: 0,
            line: Vec::new(),
            last_line: None,
        }
    }

    pub fn push(&mut self, stream: Stream, bytes: &[u8]) {
        self.total += bytes.len() as u64;
        if bytes.len() >= self.cap {
            self.tail.clear();
            self.tail.extend(&bytes[bytes.len() - self.cap..]);
        } else {
            let excess = (self.tail.len() + bytes.len()).saturating_sub(self.cap);
            self.tail.drain(..excess);
            self.tail.extend(bytes);
        }
        if stream == Stream::Stdout {
            let mut pieces = bytes.split(|&b| b == b'\n');
            let first = pieces.next().unwrap_or_default();
            self.extend_line(first);
            for piece in pieces {
                self.end_line();
                self.extend_line(piece);
            }
        }
    }

    fn extend_line(&mut self, bytes: &[u8]) {
        let room = LINE_CAP.saturating_sub(self.line.len());
        self.line.extend_from_slice(&bytes[..bytes.len().min(room)]);
    }

    fn end_line(&mut self) {
        if self.line.iter().any(|b| !b.is_ascii_whitespace()) {
            self.last_line = Some(std::mem::take(&mut self.line));
        } else {
            self.line.clear();
        }
    }

    pub fn finish(mut self) -> Kept {
        self.end_line();
        let truncated = self.total > self.tail.len() as u64;
        let (front, back) = self.tail.as_slices();
        let mut bytes = Vec::with_capacity(front.len() + back.len());
        bytes.extend_from_slice(front);
        bytes.extend_from_slice(back);
        // Cut at the front, the first character may have lost its first bytes.
        let start = if truncated {
            bytes
                .iter()
                .take(3)
                .take_while(|&&b| b & 0xC0 == 0x80)
                .count()
        } else {
            0
        };
        let output = crate::text::clean_output(&String::from_utf8_lossy(&bytes[start..]));
        let last_stdout_line = self
            .last_line
            .map(|line| crate::text::clean_input(&String::from_utf8_lossy(&line)));
        Kept {
            output,
            truncated,
            total_bytes: self.total,
            last_stdout_line: last_stdout_line.filter(|l| !l.is_empty()),
        }
    }
}

/// Decodes a byte stream that arrives in chunks: a character split between two chunks is
/// held back until its last byte arrives, so the live display never shows a replacement
/// character that the output does not have.
#[derive(Debug, Default)]
pub(crate) struct Utf8Stream {
    carry: Vec<u8>,
}

impl Utf8Stream {
    pub fn decode(&mut self, bytes: &[u8]) -> String {
        let mut data = std::mem::take(&mut self.carry);
        data.extend_from_slice(bytes);
        let keep = incomplete_tail(&data);
        self.carry = data.split_off(data.len() - keep);
        String::from_utf8_lossy(&data).into_owned()
    }

    pub fn finish(&mut self) -> String {
        String::from_utf8_lossy(&std::mem::take(&mut self.carry)).into_owned()
    }
}

/// How many bytes at the end of `data` begin a character that is not complete yet.
fn incomplete_tail(data: &[u8]) -> usize {
    for back in 1..=data.len().min(3) {
        let byte = data[data.len() - back];
        if byte & 0xC0 == 0x80 {
            continue;
        }
        let needed = match byte {
            // Never the start of a character: nothing to wait for.
            0xF8.. => 1,
            0xF0.. => 4,
            0xE0.. => 3,
            0xC0.. => 2,
            _ => 1,
        };
        return if needed > back { back } else { 0 };
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_last_bytes_and_counts_them_all() {
        let mut capture = Capture::new(8);
        capture.push(Stream::Stdout, b"0123456789");
        capture.push(Stream::Stderr, b"ab");
        let kept = capture.finish();
        assert_eq!(kept.output, "456789ab");
        assert!(kept.truncated);
        assert_eq!(kept.total_bytes, 12);
    }

    #[test]
    fn the_last_non_blank_stdout_line_is_the_value() {
        let mut capture = Capture::new(1024);
        capture.push(Stream::Stdout, b"measuring\n18");
        capture.push(Stream::Stdout, b"0ms\n\n  \n");
        capture.push(Stream::Stderr, b"a warning on stderr\n");
        let kept = capture.finish();
        assert_eq!(kept.last_stdout_line.as_deref(), Some("180ms"));
        assert!(!kept.truncated);
        let mut unterminated = Capture::new(1024);
        unterminated.push(Stream::Stdout, b"1\n42 %");
        assert_eq!(
            unterminated.finish().last_stdout_line.as_deref(),
            Some("42 %")
        );
    }

    #[test]
    fn binary_output_becomes_valid_text_without_controls() {
        let mut capture = Capture::new(64);
        capture.push(
            Stream::Stdout,
            &[0xff, 0xfe, b'o', b'k', 0x00, 0x1b, b'[', b'2', b'J', b'\n'],
        );
        let kept = capture.finish();
        assert_eq!(kept.output, "\u{fffd}\u{fffd}ok\n");
    }

    #[test]
    fn a_cut_through_a_character_drops_its_orphaned_bytes() {
        let mut capture = Capture::new(4);
        capture.push(Stream::Stdout, "xé€".as_bytes()); // 1 + 2 + 3 bytes: keeps "\xa9€"
        assert_eq!(capture.finish().output, "€");
    }

    #[test]
    fn characters_split_between_chunks_are_decoded_whole() {
        let mut stream = Utf8Stream::default();
        let euro = "€".as_bytes();
        assert_eq!(stream.decode(&euro[..1]), "");
        assert_eq!(stream.decode(&euro[1..2]), "");
        assert_eq!(stream.decode(&[euro[2], b'!']), "€!");
        assert_eq!(stream.decode(&[0xff]), "\u{fffd}");
        assert_eq!(stream.decode(&[0xe2]), "");
        assert_eq!(stream.finish(), "\u{fffd}");
    }
}
