//! One line of input per prompt. A person at a real terminal types through a line editor
//! (cursor keys, Home/End, word delete, Up/Down through this run's earlier answers, Tab
//! completion, Ctrl-C and Ctrl-D as keys); piped input, and scripted input that stands in
//! for a terminal, is read plainly, line by line, by the same prompt code.

use std::io::{self, BufRead, Write};

use rustyline::completion::{Completer, Pair};
use rustyline::config::Configurer;
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;

/// What one read gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// A line, without its line ending and surrounding blanks.
    Text(String),
    /// Piped input ran out.
    End,
    /// Ctrl-D at a terminal: the operator stops here, as with `quit`.
    Quit,
    /// Ctrl-C at a terminal: saved and stopped, as the interrupt signal does elsewhere.
    Interrupted,
}

/// What Tab may complete at the current prompt: answer words, and the contacts' roles
/// after `contacts`.
#[derive(Debug, Clone, Default)]
pub struct Words {
    pub answers: Vec<&'static str>,
    pub roles: Vec<String>,
}

/// Where prompts get their lines.
pub trait LineInput {
    /// Shows `prompt` (after flushing `out`, which holds the rest of the screen) and reads
    /// one line.
    fn read(&mut self, prompt: &str, out: &mut dyn Write, words: &Words) -> io::Result<Line>;

    /// Whether a person watches a real terminal, where a line can be redrawn in place (a
    /// countdown while waiting for a window to open).
    fn live(&self) -> bool {
        false
    }

    /// Puts a line given earlier in this run (before a resume) where Up finds it. Only a
    /// line editor keeps one.
    fn remember(&mut self, _line: &str) {}
}

/// Lines from a pipe or a file: the prompt is written to `out`, and so is the line read,
/// as a terminal would have echoed it, so a transcript reads like the screen.
pub struct Piped<R>(pub R);

impl<R: BufRead> LineInput for Piped<R> {
    fn read(&mut self, prompt: &str, out: &mut dyn Write, _: &Words) -> io::Result<Line> {
        write!(out, "{prompt}")?;
        out.flush()?;
        let mut line = String::new();
        if self.0.read_line(&mut line)? == 0 {
            return Ok(Line::End);
        }
        let line = line.trim().to_string();
        writeln!(out, "{}", crate::text::sanitize(&line))?;
        Ok(Line::Text(line))
    }
}

/// The line editor at a real terminal.
pub struct Editor(rustyline::Editor<Completion, DefaultHistory>);

impl Editor {
    /// An editor on the terminal; `None` when the terminal cannot be set up for it (the
    /// caller then reads plainly).
    pub fn new() -> Option<Editor> {
        let mut editor = rustyline::Editor::<Completion, DefaultHistory>::new().ok()?;
        editor.set_auto_add_history(false);
        editor.set_history_ignore_dups(true).ok()?;
        editor.set_completion_type(rustyline::CompletionType::List);
        Some(Editor(editor))
    }
}

impl LineInput for Editor {
    fn remember(&mut self, line: &str) {
        let _ = self.0.add_history_entry(line);
    }

    fn read(&mut self, prompt: &str, out: &mut dyn Write, words: &Words) -> io::Result<Line> {
        out.flush()?;
        self.0.set_helper(Some(Completion(words.clone())));
        match self.0.readline(prompt) {
            Ok(line) => {
                let line = line.trim().to_string();
                if !line.is_empty() {
                    // Memory only: answers never go to a history file.
                    let _ = self.0.add_history_entry(line.as_str());
                }
                Ok(Line::Text(line))
            }
            Err(ReadlineError::Interrupted) => Ok(Line::Interrupted),
            Err(ReadlineError::Eof) => Ok(Line::Quit),
            Err(ReadlineError::Io(error)) => Err(error),
            Err(other) => Err(io::Error::other(other)),
        }
    }

    fn live(&self) -> bool {
        true
    }
}

/// Tab completion for the line editor.
pub struct Completion(Words);

impl Completion {
    /// Candidates for `line` up to the cursor: the start of what they replace, and them.
    fn candidates(&self, line: &str) -> (usize, Vec<String>) {
        let lower = line.to_lowercase();
        if let Some(rest) = lower.strip_prefix("contacts ") {
            let start = line.len() - rest.len();
            let rest = rest.trim_start();
            let start = start + (line.len() - start - rest.len());
            let roles = self
                .0
                .roles
                .iter()
                .filter(|r| r.to_lowercase().starts_with(rest))
                .cloned()
                .collect();
            return (start, roles);
        }
        if line.contains(char::is_whitespace) {
            return (line.len(), Vec::new());
        }
        let words = self
            .0
            .answers
            .iter()
            .filter(|w| w.starts_with(lower.as_str()))
            .map(|w| w.to_string())
            .collect();
        (0, words)
    }
}

impl Completer for Completion {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &rustyline::Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let (start, candidates) = self.candidates(&line[..pos]);
        let pairs = candidates
            .into_iter()
            .map(|c| Pair {
                display: c.clone(),
                replacement: c,
            })
            .collect();
        Ok((start, pairs))
    }
}

impl Hinter for Completion {
    type Hint = String;
}
impl Highlighter for Completion {}
impl Validator for Completion {}
impl rustyline::Helper for Completion {}

#[cfg(test)]
mod tests {
    use super::*;

    fn completion() -> Completion {
        Completion(Words {
            answers: vec!["done", "defer ", "failed ", "back", "contacts"],
            roles: vec![
                "SRE Lead".into(),
                "Security Lead".into(),
                "Lead Developer".into(),
            ],
        })
    }

    #[test]
    fn tab_completes_answer_words_from_their_start() {
        assert_eq!(
            completion().candidates("d"),
            (0, vec!["done".into(), "defer ".into()])
        );
        assert_eq!(completion().candidates("F"), (0, vec!["failed ".into()]));
        assert_eq!(completion().candidates("f disk"), (6, vec![]));
    }

    #[test]
    fn after_contacts_tab_completes_roles() {
        assert_eq!(
            completion().candidates("contacts s"),
            (9, vec!["SRE Lead".into(), "Security Lead".into()])
        );
        assert_eq!(
            completion().candidates("contacts  le").1,
            ["Lead Developer"]
        );
        assert_eq!(completion().candidates("contacts  le").0, 10);
    }

    #[test]
    fn piped_lines_are_trimmed_and_end_of_input_is_the_end() {
        let mut input = Piped(&b"  f disk full \r\n"[..]);
        let mut out = Vec::new();
        let words = Words::default();
        assert_eq!(
            input.read("> ", &mut out, &words).unwrap(),
            Line::Text("f disk full".into())
        );
        assert_eq!(input.read("> ", &mut out, &words).unwrap(), Line::End);
        assert_eq!(String::from_utf8(out).unwrap(), "> f disk full\n> ");
    }
}
