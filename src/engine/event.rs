//! [`Event`]: everything that can happen to a run, in the one form the walk applies, the
//! journal stores and a replay reads back. There is no second, translated enum.
//!
//! Events name items by ID, fields and roles by name, never by position, so a journal
//! still means the same after the checklist changed. Who and when travel beside each event
//! as [`Meta`], supplied by the caller: the walk never reads a clock.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::Plan;
use crate::model::{CheckEnd, How, RecordChecklist, Status, Timestamp};

/// Who did something, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    pub at: Timestamp,
    pub by: String,
}

/// The first event of a run: what it walks. The operator is the start's [`Meta::by`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Start {
    pub checklist: RecordChecklist,
    pub environment: String,
    pub host: String,
    /// The walk's plan as the operator saw it: the journal replays without the checklist.
    /// Shared, so that the walk can go on while a very large plan's start line is still
    /// being written beside it (see `StartLine` in the journal).
    pub plan: Arc<Plan>,
    /// Set when this walk answers a finished run's follow-ups: that run's record and the
    /// deployment moment its windows count from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up_of: Option<FollowUpOf>,
}

/// The finished run whose follow-ups a walk answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUpOf {
    /// The lowercase hex SHA-256 of that run's `record.yaml`.
    pub record_sha256: String,
    pub deployed_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignoffOutcome {
    /// Signed by this name.
    Signed(String),
    /// Refused, for this reason.
    Refused(String),
    /// Left to the role's owner to sign off after the run, in a sign-off addendum; the
    /// role's statements still open are left to them too.
    Later,
}

impl SignoffOutcome {
    /// Signed by `name`, as typed at the prompt or given in an answers file. A reply that
    /// answers an item (`y`, `done`, `ok`) is not a name: recorded, it would say the role
    /// was signed "by y".
    pub fn signed_by(name: &str) -> Result<SignoffOutcome, String> {
        let name = name.trim();
        if name.is_empty() {
            return Err("the signer's name is empty: type the name of the person signing".into());
        }
        if is_a_reply(name) {
            return Err(format!(
                "`{name}` answers an item, but a sign-off needs the name of the person signing"
            ));
        }
        Ok(SignoffOutcome::Signed(name.to_string()))
    }
}

/// Whether `text` is only a reply to a question (`y`, `done`, `ok`, `n`): never a name or
/// a reason, where one is asked for. Recorded, it would say a role was signed "by y", or
/// that an item was answered early because "y".
pub fn is_a_reply(text: &str) -> bool {
    matches!(
        text.trim().to_lowercase().as_str(),
        "y" | "yes"
            | "n"
            | "no"
            | "ok"
            | "okay"
            | "done"
            | "d"
            | "s"
            | "f"
            | "na"
            | "n/a"
            | "x"
            | "skip"
            | "fail"
            | "failed"
            | "true"
            | "false"
            | "✓"
            | "✔"
            | "signed"
    )
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Event {
    Start(Box<Start>),
    /// Another session takes the run up; `plan` is there when the checklist changed since
    /// the last one, and the walk moves onto it.
    Resume {
        host: String,
        /// The checklist as it is now, when its file changed since the last session.
        checklist: Option<RecordChecklist>,
        plan: Option<Box<Plan>>,
    },
    Field {
        name: String,
        value: Option<String>,
    },
    Answer {
        id: String,
        status: Status,
        reason: Option<String>,
        value: Option<String>,
        how: How,
        /// The operator reversed what the threshold made of `value`; `reason` says why.
        overridden: bool,
        /// Why the item was answered before its window opened.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        early: Option<String>,
    },
    Note {
        id: String,
        text: String,
    },
    Signoff {
        role: String,
        outcome: SignoffOutcome,
    },
    /// A rollback starts: because triggers hold (`reason` empty), or by hand, with why.
    Rollback {
        reason: Option<String>,
    },
    /// The operator goes on although triggers hold.
    Decline {
        reason: String,
    },
    /// Takes back the last change (`back`).
    Undo,
    /// The deployment moment: time windows count from this event's time. Journaled once,
    /// when the walk leaves the section that completes the deployment.
    Deployed,
    /// Items of a section with a time window, handed over to be answered later, each by
    /// the end of its window: follow-ups.
    HandOver {
        ids: Vec<String>,
    },
    /// An item's check is about to run. Journaled, and made durable, before the command
    /// starts: a crash while it runs leaves a check started and never finished, which no
    /// replay can take for a pass. Who ran it and when are the event's [`Meta`].
    CheckStarted {
        id: String,
        /// The command exactly as it runs.
        command: String,
        timeout_s: u64,
    },
    /// The check of `id` started last has ended. Its output is already bounded (the last
    /// 8 KiB) and cleaned of control characters.
    CheckFinished {
        id: String,
        /// `None` when it did not exit by itself (time-out, Ctrl-C, a signal).
        exit_code: Option<i32>,
        ended: CheckEnd,
        duration_ms: u64,
        output: String,
        output_truncated: bool,
        output_bytes: u64,
    },
    /// The run stopped unfinished (quit, end of input, interrupt); it can resume.
    Stop {
        reason: String,
    },
    /// Nothing is left to ask. The record this finish writes is named by the SHA-256 and
    /// length of its bytes, so a missing or stale record is noticed and written again.
    Finish {
        record_sha256: String,
        record_bytes: u64,
    },
    /// A newer run replaced this unfinished one; its record is final as it stands.
    Abandon {
        record_sha256: String,
        record_bytes: u64,
    },
}

impl Event {
    /// Whether the run can no longer be resumed after this event.
    pub fn closes_run(&self) -> bool {
        matches!(self, Event::Finish { .. } | Event::Abandon { .. })
    }

    /// Whether `back` can take this event back. Evidence cannot be: every execution of a
    /// check is kept, whatever is answered after it.
    pub fn is_undoable(&self) -> bool {
        !matches!(
            self,
            Event::CheckStarted { .. } | Event::CheckFinished { .. } | Event::Deployed
        )
    }

    /// The event with every free text cleaned of control characters and terminal escape
    /// sequences: whatever the input (terminal, pipe, answers file), none reaches a journal.
    pub fn cleaned(self) -> Event {
        use crate::text::clean_input as c;
        let o = |v: Option<String>| v.map(|s| c(&s));
        match self {
            Event::Field { name, value } => Event::Field {
                name,
                value: o(value),
            },
            Event::Answer {
                id,
                status,
                reason,
                value,
                how,
                overridden,
                early,
            } => Event::Answer {
                id,
                status,
                reason: o(reason),
                value: o(value),
                how,
                overridden,
                early: o(early),
            },
            Event::Note { id, text } => Event::Note { id, text: c(&text) },
            Event::Signoff { role, outcome } => Event::Signoff {
                role,
                outcome: match outcome {
                    SignoffOutcome::Signed(name) => SignoffOutcome::Signed(c(&name)),
                    SignoffOutcome::Refused(reason) => SignoffOutcome::Refused(c(&reason)),
                    SignoffOutcome::Later => SignoffOutcome::Later,
                },
            },
            Event::Rollback { reason } => Event::Rollback { reason: o(reason) },
            Event::Decline { reason } => Event::Decline { reason: c(&reason) },
            Event::CheckFinished {
                id,
                exit_code,
                ended,
                duration_ms,
                output,
                output_truncated,
                output_bytes,
            } => Event::CheckFinished {
                id,
                exit_code,
                ended,
                duration_ms,
                output: crate::text::clean_output(&output),
                output_truncated,
                output_bytes,
            },
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_that_answers_an_item_is_not_a_signers_name() {
        for reply in ["y", "Yes", " ok ", "done", "n/a", "✓"] {
            assert!(SignoffOutcome::signed_by(reply).is_err(), "{reply}");
        }
        assert!(SignoffOutcome::signed_by("  ").is_err());
        assert_eq!(
            SignoffOutcome::signed_by(" Dana Reyes "),
            Ok(SignoffOutcome::Signed("Dana Reyes".into()))
        );
        // A name that merely starts like an answer is a name.
        assert!(SignoffOutcome::signed_by("Yusuf").is_ok());
    }
}
