//! A role's owner confirming its statements after the run (`deploycheck signoff`), one
//! line per question, at a terminal or from piped stdin with the same words: `y` confirms,
//! `refuse REASON` refuses the sign-off, `quit` (or the end of input) stops without
//! writing anything.

use std::io::{self, Write};

use super::line::{Line, LineInput, Words};
use crate::render::Style;
use crate::render::width::wrap;

/// What the owner made of the statements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmation {
    /// Every statement confirmed.
    Confirmed,
    /// Refused, for this reason, at one of them.
    Refused(String),
    /// Stopped before the end: nothing is written.
    Stopped,
}

/// How the prompts look: a person at a terminal gets a heading and the keys; a pipe gets
/// one `[1/4] text > ` line per question, as the walk's piped prompts are.
pub struct Asking<'a> {
    pub input: &'a mut dyn LineInput,
    pub out: &'a mut dyn Write,
    pub interactive: bool,
    pub style: Style,
    pub columns: usize,
}

/// Asks the owner to confirm each of the role's statements, in order.
pub fn confirm_statements(
    asking: &mut Asking<'_>,
    role: &str,
    statements: &[&str],
) -> io::Result<Confirmation> {
    let total = statements.len();
    let words = Words {
        answers: vec!["yes", "refuse ", "quit"],
        roles: Vec::new(),
    };
    if asking.interactive {
        writeln!(asking.out)?;
        writeln!(
            asking.out,
            "{}",
            asking.style.bold(&format!(
                "{role} confirms {total} statement{}:",
                if total == 1 { "" } else { "s" }
            ))
        )?;
    }
    let mut index = 0;
    while index < total {
        let text = statements[index];
        let line = if asking.interactive {
            writeln!(asking.out)?;
            writeln!(
                asking.out,
                "{}",
                asking.style.dim(&format!("{}/{total}  {role}", index + 1))
            )?;
            for piece in wrap(text, asking.columns, "  ", "    ") {
                writeln!(asking.out, "{}", asking.style.bold(&piece))?;
            }
            let keys = ["y confirms", "refuse REASON", "quit: nothing is written"]
                .join(asking.style.separator());
            writeln!(asking.out, "{}", asking.style.dim(&format!("  {keys}")))?;
            asking.input.read("> ", asking.out, &words)?
        } else {
            let prompt = format!("[{}/{total}] {text} > ", index + 1);
            asking.input.read(&prompt, asking.out, &words)?
        };
        let line = match line {
            Line::Text(line) => crate::text::clean_input(&line),
            Line::End | Line::Quit | Line::Interrupted => return Ok(Confirmation::Stopped),
        };
        let (word, rest) = match line.split_once(char::is_whitespace) {
            Some((word, rest)) => (word.to_ascii_lowercase(), rest.trim()),
            None => (line.to_ascii_lowercase(), ""),
        };
        match (word.as_str(), rest) {
            ("y" | "yes" | "done" | "confirm" | "confirmed", "") => index += 1,
            ("refuse" | "r", "") => complain(asking, "a refusal needs a reason: refuse REASON")?,
            ("refuse" | "r", reason) => return Ok(Confirmation::Refused(reason.to_string())),
            ("quit" | "q" | "exit", "") => return Ok(Confirmation::Stopped),
            ("n" | "no", _) => complain(
                asking,
                "not confirmed: refuse REASON refuses the sign-off; quit stops without writing anything",
            )?,
            _ => complain(asking, "type y to confirm, refuse REASON, or quit")?,
        }
    }
    Ok(Confirmation::Confirmed)
}

/// Asks who is signing, until a name is given; `None` when the input ends.
pub fn ask_name(asking: &mut Asking<'_>, role: &str) -> io::Result<Option<String>> {
    let words = Words::default();
    loop {
        let prompt = if asking.interactive {
            writeln!(asking.out)?;
            writeln!(
                asking.out,
                "{}",
                asking.style.bold(&format!(
                    "Who signs for {role}? (your name, or the e-mail your SSH key is known by)"
                ))
            )?;
            "> ".to_string()
        } else {
            format!("[name] Who signs for {role}? > ")
        };
        match asking.input.read(&prompt, asking.out, &words)? {
            Line::Text(text) => {
                let name = crate::text::clean_input(text.trim());
                if name.trim().is_empty() {
                    complain(asking, "type the name of the person signing")?;
                } else {
                    return Ok(Some(name.trim().to_string()));
                }
            }
            Line::End | Line::Quit | Line::Interrupted => return Ok(None),
        }
    }
}

fn complain(asking: &mut Asking<'_>, message: &str) -> io::Result<()> {
    let text = asking.style.yellow(message);
    if asking.interactive {
        writeln!(asking.out, "  {text}")
    } else {
        writeln!(asking.out, "{text}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::term::Piped;

    fn ask(lines: &str, statements: &[&str]) -> (Confirmation, String) {
        let mut input = Piped(lines.as_bytes());
        let mut out = Vec::new();
        let result = confirm_statements(
            &mut Asking {
                input: &mut input,
                out: &mut out,
                interactive: false,
                style: Style::default(),
                columns: 80,
            },
            "Security Team",
            statements,
        )
        .unwrap();
        (result, String::from_utf8(out).unwrap())
    }

    #[test]
    fn every_statement_is_asked_and_confirmed_in_turn() {
        let (result, screen) = ask("y\nyes\n", &["Pen test closed", "Scan clean"]);
        assert_eq!(result, Confirmation::Confirmed);
        assert_eq!(
            screen,
            "[1/2] Pen test closed > y\n[2/2] Scan clean > yes\n"
        );
    }

    #[test]
    fn a_refusal_needs_a_reason_and_ends_the_questions() {
        let (result, screen) = ask(
            "refuse\nrefuse pen test open\n",
            &["Pen test closed", "Scan"],
        );
        assert_eq!(result, Confirmation::Refused("pen test open".into()));
        assert!(screen.contains("a refusal needs a reason"), "{screen}");
        assert!(!screen.contains("[2/2]"), "{screen}");
    }

    #[test]
    fn no_is_not_an_answer_and_the_end_of_input_stops() {
        let (result, screen) = ask("n\n", &["Pen test closed"]);
        assert_eq!(result, Confirmation::Stopped);
        assert!(screen.contains("not confirmed: refuse REASON"), "{screen}");
        let (result, _) = ask("y\nquit\n", &["a", "b"]);
        assert_eq!(result, Confirmation::Stopped);
    }

    #[test]
    fn a_name_is_asked_until_one_is_given() {
        let mut input = Piped("\n  Dana Reyes \n".as_bytes());
        let mut out = Vec::new();
        let name = ask_name(
            &mut Asking {
                input: &mut input,
                out: &mut out,
                interactive: false,
                style: Style::default(),
                columns: 80,
            },
            "Security Team",
        )
        .unwrap();
        assert_eq!(name.as_deref(), Some("Dana Reyes"));
    }
}
