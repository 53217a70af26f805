//! Fitting text to a terminal's width: cut with an ellipsis, or wrapped at words, counting
//! display columns (wide characters take two) so a line never wraps on its own.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The width every screen is laid out for when nothing says otherwise.
pub const DEFAULT_COLUMNS: usize = 80;
/// Narrower than this, the layout stops shrinking and lets the terminal wrap.
const MIN_COLUMNS: usize = 40;

/// The columns to lay a screen out in: the terminal's own width when stdout is one, else
/// `COLUMNS` (handed in, as read at the edge), else 80.
pub fn columns(from_variable: Option<&str>) -> usize {
    let live = terminal_size::terminal_size().map(|(w, _)| usize::from(w.0));
    live.or_else(|| from_variable.and_then(|v| v.trim().parse().ok()))
        .filter(|&w| w > 0)
        .unwrap_or(DEFAULT_COLUMNS)
        .max(MIN_COLUMNS)
}

/// The columns for what a command prints around a walk: the screen's width when a person
/// is at a terminal; without one (piped, logged) lines are left whole for the reader.
pub fn screen_columns(interactive: bool, from_variable: Option<&str>) -> usize {
    if interactive {
        columns(from_variable)
    } else {
        usize::MAX
    }
}

/// Display columns of `text`.
pub fn width(text: &str) -> usize {
    text.width()
}

/// Where lines of text that must stay exactly as they are (a command, a command's output)
/// break to fit a width: at any character, never at words, so that every character is
/// still shown. Fed in pieces as they arrive; every line it writes starts with `indent`.
#[derive(Debug, Clone)]
pub struct HardWrap {
    columns: usize,
    indent: String,
    indent_width: usize,
    used: usize,
}

impl HardWrap {
    /// `indent` may be styled: its escape sequences take no room.
    pub fn new(columns: usize, indent: &str) -> HardWrap {
        let indent_width = width(&crate::text::clean_output(indent));
        HardWrap {
            columns: columns.max(indent_width + 8),
            indent: indent.to_string(),
            indent_width,
            used: 0,
        }
    }

    /// `text` with line breaks (and the indent) added where a line would pass the width;
    /// a `\n` in `text` starts a new line, which gets the indent once more text follows.
    pub fn push(&mut self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + 16);
        for c in text.chars() {
            if c == '\n' {
                out.push('\n');
                self.used = 0;
                continue;
            }
            if self.used == 0 {
                out.push_str(&self.indent);
                self.used = self.indent_width;
            }
            let w = if c == '\t' {
                8 - (self.used % 8)
            } else {
                c.width().unwrap_or(0)
            };
            if self.used + w > self.columns {
                out.push('\n');
                out.push_str(&self.indent);
                self.used = self.indent_width;
            }
            out.push(c);
            self.used += w;
        }
        out
    }

    /// Whether the last piece ended a line.
    pub fn at_line_start(&self) -> bool {
        self.used == 0
    }
}

#[cfg(test)]
mod hard_wrap_tests {
    use super::*;

    #[test]
    fn long_lines_break_anywhere_and_keep_every_character() {
        let mut wrap = HardWrap::new(12, "  | ");
        let out = wrap.push("abcdefghijkl\nshort\n");
        assert_eq!(out, "  | abcdefgh\n  | ijkl\n  | short\n");
        assert!(wrap.at_line_start());
        let mut pieces = HardWrap::new(12, "> ");
        let joined = format!("{}{}", pieces.push("0123"), pieces.push("456789xy"));
        assert_eq!(joined, "> 0123456789\n> xy");
        assert!(!pieces.at_line_start());
    }
}

/// `text` cut to `columns` display columns, ending in `…` when it was cut.
pub fn fit(text: &str, columns: usize) -> String {
    if text.width() <= columns {
        return text.to_string();
    }
    let mut used = 0;
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > columns {
            break;
        }
        used += w;
        out.push(c);
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push('…');
    out
}

/// `text` wrapped at spaces into lines of at most `columns` display columns, the first
/// starting with `first` and the rest with `rest` (indents count towards the width). A word
/// longer than a line is cut.
pub fn wrap(text: &str, columns: usize, first: &str, rest: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = first.to_string();
    let mut fresh = true;
    for word in text.split_whitespace() {
        let needed = if fresh { 0 } else { 1 } + word.width();
        if !fresh && line.width() + needed > columns {
            lines.push(std::mem::replace(&mut line, rest.to_string()));
            fresh = true;
        }
        if !fresh {
            line.push(' ');
        }
        line.push_str(word);
        fresh = false;
        if line.width() > columns {
            lines.push(fit(&line, columns));
            line = rest.to_string();
            fresh = true;
        }
    }
    if !fresh || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_cuts_with_an_ellipsis_only_when_needed() {
        assert_eq!(fit("Deployment Process", 30), "Deployment Process");
        assert_eq!(fit("Deployment Process", 10), "Deploymen…");
        assert_eq!(width(&fit("Deployment Process", 10)), 10);
        assert_eq!(fit("日本語のテキスト", 7), "日本語…");
    }

    #[test]
    fn wrap_breaks_at_words_and_indents_the_rest() {
        let lines = wrap("one two three four five", 12, "  ", "    ");
        assert_eq!(lines, ["  one two", "    three", "    four", "    five"]);
        assert!(lines.iter().all(|l| width(l) <= 12));
        assert_eq!(wrap("", 12, "  ", "  "), ["  "]);
    }

    #[test]
    fn wrap_cuts_a_word_longer_than_the_line() {
        let lines = wrap("a supercalifragilistic word", 10, "", "");
        assert!(lines.iter().all(|l| width(l) <= 10), "{lines:?}");
        assert_eq!(lines.last().unwrap(), "word");
    }
}
