//! What an operator types at a prompt, as words shared by the terminal and piped stdin.

use crate::model::Status;

/// Why an answer was not taken, in words for the operator: shown at the prompt, or with
/// the answers-file entry it is about.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refusal(pub String);

impl From<&str> for Refusal {
    fn from(message: &str) -> Refusal {
        Refusal(message.to_string())
    }
}

impl From<String> for Refusal {
    fn from(message: String) -> Refusal {
        Refusal(message)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// A status word with its reason, if any: `y`, `f disk full`, `na`, `clear`.
    Answer {
        status: Status,
        reason: Option<String>,
    },
    /// A measured value, optionally with `override REASON` to reverse the judgement.
    Measured {
        value: String,
        override_reason: Option<String>,
    },
    /// `y!` / `done!`: done, without the value a threshold asks for. The way past an
    /// inferred threshold that does not apply; the record says the item was answered so.
    DoneWithoutValue {
        reason: Option<String>,
    },
    Note(String),
    /// `r`: run the item's check.
    RunCheck,
    Back,
    Rollback,
    Quit,
    Contacts,
    Status,
    Help,
}

/// Parses one line typed at an item prompt. `Err` carries the message to show.
pub fn parse_command(line: &str) -> Result<Command, Refusal> {
    let line = line.trim();
    if line.is_empty() {
        return Err("type an answer, or ? for help".into());
    }
    let (word, rest) = match line.split_once(char::is_whitespace) {
        Some((word, rest)) => (word, rest.trim()),
        None => (line, ""),
    };
    let rest = (!rest.is_empty()).then(|| rest.to_string());
    let lower = word.to_ascii_lowercase();
    match lower.as_str() {
        "back" | "b" | "undo" if rest.is_none() => return Ok(Command::Back),
        "rollback" if rest.is_none() => return Ok(Command::Rollback),
        "quit" | "q" | "exit" if rest.is_none() => return Ok(Command::Quit),
        "contacts" if rest.is_none() => return Ok(Command::Contacts),
        "status" if rest.is_none() => return Ok(Command::Status),
        "?" | "help" | "h?" if rest.is_none() => return Ok(Command::Help),
        "y!" | "done!" => return Ok(Command::DoneWithoutValue { reason: rest }),
        "r" | "run" if rest.is_none() => return Ok(Command::RunCheck),
        "note" | "n" => {
            return rest
                .map(Command::Note)
                .ok_or_else(|| Refusal::from("note needs text: note TEXT"));
        }
        _ => {}
    }
    if word.starts_with(|c: char| c.is_ascii_digit() || c == '.' || c == '-') {
        let (value, override_reason) = match line.split_once(" override") {
            Some((value, reason)) => (value.trim(), Some(reason.trim().to_string())),
            None => (line, None),
        };
        if override_reason.as_deref() == Some("") {
            return Err("override needs a reason: VALUE override REASON".into());
        }
        return Ok(Command::Measured {
            value: value.to_string(),
            override_reason,
        });
    }
    match Status::from_word(&lower) {
        Some(Status::Pending) | None => Err(Refusal(format!(
            "`{word}` is not an answer; type y, f REASON, s REASON, na, d REASON, a value, or ? for help"
        ))),
        Some(status) => Ok(Command::Answer {
            status,
            reason: rest,
        }),
    }
}

/// The words that would give `answer` at a prompt, as `parse_command` reads them: what Up
/// recalls after a resume. `None` for a status nobody typed (a parent's, from its children).
pub fn typed_words(answer: &super::Answer) -> Option<String> {
    if answer.how == crate::model::How::Derived {
        return None;
    }
    let reason = answer.reason.as_deref().filter(|r| !r.is_empty());
    Some(match (&answer.value, reason) {
        (Some(value), Some(reason)) if answer.overridden => format!("{value} override {reason}"),
        (Some(value), _) => value.clone(),
        (None, reason) => {
            let word = match answer.status {
                Status::Done => "y",
                Status::Failed => "f",
                Status::Skipped => "skip",
                Status::NotApplicable => "na",
                Status::Deferred => "defer",
                Status::Clear => "clear",
                Status::Holds => "holds",
                Status::Pending => return None,
            };
            match reason {
                Some(reason) => format!("{word} {reason}"),
                None => word.to_string(),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_words_read_back_as_the_same_answer() {
        let answer =
            |status, reason: Option<&str>, value: Option<&str>, overridden| super::super::Answer {
                status,
                reason: reason.map(str::to_string),
                value: value.map(str::to_string),
                how: crate::model::How::Typed,
                overridden,
                early: None,
                at: crate::model::Timestamp::parse("2026-11-23T22:00:00Z").unwrap(),
                by: "dana".into(),
            };
        for (status, reason) in [
            (Status::Done, None),
            (Status::Failed, Some("disk full")),
            (Status::Skipped, Some("not in this release")),
            (Status::NotApplicable, None),
            (Status::Deferred, Some("after the freeze")),
            (Status::Clear, None),
            (Status::Holds, None),
        ] {
            let words = typed_words(&answer(status, reason, None, false)).unwrap();
            assert_eq!(
                parse_command(&words),
                Ok(Command::Answer {
                    status,
                    reason: reason.map(str::to_string)
                }),
                "{words}"
            );
        }
        let measured = answer(Status::Done, Some("burst"), Some("85%"), true);
        assert_eq!(
            parse_command(&typed_words(&measured).unwrap()),
            Ok(Command::Measured {
                value: "85%".into(),
                override_reason: Some("burst".into())
            })
        );
        let mut derived = answer(Status::Done, None, None, false);
        derived.how = crate::model::How::Derived;
        assert_eq!(typed_words(&derived), None);
    }

    #[test]
    fn short_and_long_answers() {
        assert_eq!(
            parse_command("y"),
            Ok(Command::Answer {
                status: Status::Done,
                reason: None
            })
        );
        assert_eq!(
            parse_command("done"),
            Ok(Command::Answer {
                status: Status::Done,
                reason: None
            })
        );
        assert_eq!(
            parse_command("f disk full"),
            Ok(Command::Answer {
                status: Status::Failed,
                reason: Some("disk full".into())
            })
        );
        assert_eq!(
            parse_command("defer after the freeze"),
            Ok(Command::Answer {
                status: Status::Deferred,
                reason: Some("after the freeze".into())
            })
        );
        assert_eq!(
            parse_command("na"),
            Ok(Command::Answer {
                status: Status::NotApplicable,
                reason: None
            })
        );
        assert_eq!(
            parse_command("holds"),
            Ok(Command::Answer {
                status: Status::Holds,
                reason: None
            })
        );
    }

    #[test]
    fn values_and_overrides() {
        assert_eq!(
            parse_command("180ms"),
            Ok(Command::Measured {
                value: "180ms".into(),
                override_reason: None
            })
        );
        assert_eq!(
            parse_command("250ms override cache warming, accepted by SRE"),
            Ok(Command::Measured {
                value: "250ms".into(),
                override_reason: Some("cache warming, accepted by SRE".into())
            })
        );
        assert!(parse_command("250ms override").is_err());
    }

    #[test]
    fn done_without_a_value() {
        assert_eq!(
            parse_command("y!"),
            Ok(Command::DoneWithoutValue { reason: None })
        );
        assert_eq!(
            parse_command("done! limit is a config value"),
            Ok(Command::DoneWithoutValue {
                reason: Some("limit is a config value".into())
            })
        );
    }

    #[test]
    fn navigation_and_notes() {
        assert_eq!(parse_command("back"), Ok(Command::Back));
        assert_eq!(
            parse_command("note paged Dana"),
            Ok(Command::Note("paged Dana".into()))
        );
        assert!(parse_command("note").is_err());
        assert_eq!(parse_command("?"), Ok(Command::Help));
        assert!(parse_command("maybe").is_err());
        assert!(parse_command("").is_err());
    }
}
