//! Findings about a checklist file, printed compiler-style: `FILE:LINE:COL: error: message`.

use std::fmt;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub file: String,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub severity: Severity,
    pub message: String,
}

impl Diagnostic {
    pub fn error(file: &str, line: Option<u32>, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.to_string(),
            line,
            column: None,
            severity: Severity::Error,
            message: message.into(),
        }
    }

    pub fn warning(file: &str, line: Option<u32>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(file, line, message)
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    /// File names and messages may quote what a file says: escaped, so a control
    /// character in a file can neither drive the terminal nor break the one line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::text::sanitize(&self.file))?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        let severity = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, ": {severity}: {}", crate::text::sanitize(&self.message))
    }
}

/// Why a checklist could not be loaded: at least one error, in file order, plus any warnings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub diagnostics: Vec<Diagnostic>,
}

impl LoadError {
    pub fn single(diagnostic: Diagnostic) -> Self {
        LoadError {
            diagnostics: vec![diagnostic],
        }
    }

    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.is_error())
    }
}

impl fmt::Display for LoadError {
    /// One line: the first error, and how many more there are.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut errors = self.errors();
        match errors.next() {
            Some(first) => {
                write!(f, "{first}")?;
                let more = errors.count();
                if more > 0 {
                    let s = if more == 1 { "" } else { "s" };
                    write!(
                        f,
                        " (and {more} more error{s}; run `deploycheck validate` for all)"
                    )?;
                }
                Ok(())
            }
            None => f.write_str("checklist could not be loaded"),
        }
    }
}

impl std::error::Error for LoadError {}

/// Maps byte offsets to 1-based line numbers.
///
/// Parsers ask in nearly increasing offset order, so the index keeps a cursor and counts
/// the newlines between the last answer and the next: one pass over the text in all, and
/// no table. An earlier offset restarts the count from the top.
pub struct LineIndex<'a> {
    text: &'a [u8],
    /// The line `text` begins on: 1 for a whole file, later for a stretch of one.
    first: u32,
    cursor: std::cell::Cell<(usize, u32)>,
}

impl<'a> LineIndex<'a> {
    /// The index of a stretch of a file that begins on line `first`.
    pub fn starting_at(text: &'a str, first: u32) -> Self {
        LineIndex {
            text: text.as_bytes(),
            first,
            cursor: std::cell::Cell::new((0, first)),
        }
    }

    pub fn line(&self, offset: usize) -> u32 {
        let offset = offset.min(self.text.len());
        let (mut at, mut line) = self.cursor.get();
        if offset < at {
            (at, line) = (0, self.first);
        }
        let newlines = count_newlines(&self.text[at..offset]);
        line = line.saturating_add(u32::try_from(newlines).unwrap_or(u32::MAX));
        self.cursor.set((offset, line));
        line
    }
}

/// Newlines in `bytes`, counted in blocks into a byte-wide sum, which the compiler turns
/// into vector instructions: the text between two items is counted at every item.
pub(crate) fn count_newlines(bytes: &[u8]) -> usize {
    bytes
        .chunks(255)
        .map(|block| {
            let n = block.iter().fold(0u8, |n, &b| n + u8::from(b == b'\n'));
            usize::from(n)
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_is_one_based() {
        let index = LineIndex::starting_at("a\nbb\n\nc", 1);
        assert_eq!(index.line(0), 1);
        assert_eq!(index.line(2), 2);
        assert_eq!(index.line(5), 3);
        assert_eq!(index.line(6), 4);
    }

    #[test]
    fn newlines_are_counted_across_blocks() {
        let text = "a\n".repeat(1000);
        assert_eq!(count_newlines(text.as_bytes()), 1000);
        assert_eq!(LineIndex::starting_at(&text, 1).line(1999), 1000);
        assert_eq!(count_newlines(b""), 0);
    }

    #[test]
    fn line_index_answers_earlier_offsets_after_later_ones() {
        let index = LineIndex::starting_at("a\nbb\n\nc", 1);
        assert_eq!(index.line(6), 4);
        assert_eq!(index.line(0), 1);
        assert_eq!(index.line(3), 2);
        assert_eq!(index.line(100), 4);
    }

    #[test]
    fn a_stretch_of_a_file_counts_from_its_own_first_line() {
        let index = LineIndex::starting_at("a\nbb\n\nc", 40);
        assert_eq!(index.line(0), 40);
        assert_eq!(index.line(6), 43);
        assert_eq!(index.line(2), 41);
    }

    #[test]
    fn diagnostic_renders_like_a_compiler() {
        let mut d = Diagnostic::error("a.md", Some(3), "bad");
        assert_eq!(d.to_string(), "a.md:3: error: bad");
        d.column = Some(7);
        assert_eq!(d.to_string(), "a.md:3:7: error: bad");
        assert_eq!(
            Diagnostic::warning("a.md", None, "w").to_string(),
            "a.md: warning: w"
        );
    }
}
