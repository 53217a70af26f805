//! What an item's answer can be, and the verdict a run ends with.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Status {
    #[serde(rename = "pending")]
    Pending,
    #[serde(rename = "done")]
    Done,
    #[serde(rename = "failed")]
    Failed,
    #[serde(rename = "skipped")]
    Skipped,
    #[serde(rename = "n/a")]
    NotApplicable,
    #[serde(rename = "deferred")]
    Deferred,
    /// A rollback trigger whose condition does not hold.
    #[serde(rename = "clear")]
    Clear,
    /// A rollback trigger whose condition holds.
    #[serde(rename = "holds")]
    Holds,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Done => "done",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
            Status::NotApplicable => "n/a",
            Status::Deferred => "deferred",
            Status::Clear => "clear",
            Status::Holds => "holds",
        }
    }

    /// The status words of answers files and piped input.
    pub fn from_word(word: &str) -> Option<Status> {
        Some(match word.to_ascii_lowercase().as_str() {
            "done" | "y" | "yes" | "ok" => Status::Done,
            "failed" | "fail" | "f" => Status::Failed,
            "skipped" | "skip" | "s" => Status::Skipped,
            "n/a" | "na" => Status::NotApplicable,
            "deferred" | "defer" | "d" => Status::Deferred,
            "clear" | "c" => Status::Clear,
            "holds" | "hold" | "h" => Status::Holds,
            "pending" => Status::Pending,
            _ => return None,
        })
    }

    /// Failed, skipped and deferred answers must say why; n/a must too, unless optional.
    pub fn needs_reason(self, optional: bool) -> bool {
        match self {
            Status::Failed | Status::Skipped | Status::Deferred => true,
            Status::NotApplicable => !optional,
            _ => false,
        }
    }

    pub fn is_trigger_status(self) -> bool {
        matches!(self, Status::Clear | Status::Holds)
    }

    /// A parent's status from its children's, `(optional, status if answered)`, with why:
    /// failed if a required child failed, done when every required child is done or n/a,
    /// a trigger group holds when any child holds; `None` while it cannot be told yet.
    pub fn of_children(
        trigger: bool,
        children: &[(bool, Option<Status>)],
    ) -> Option<(Status, Option<String>)> {
        let answered: Vec<Status> = children.iter().filter_map(|(_, s)| *s).collect();
        let all_answered = answered.len() == children.len();
        if trigger {
            return if answered.contains(&Status::Holds) {
                Some((Status::Holds, Some("a sub-condition holds".to_string())))
            } else if all_answered && !answered.is_empty() {
                Some((Status::Clear, None))
            } else {
                None
            };
        }
        let required_failed = children
            .iter()
            .filter(|(optional, s)| !optional && *s == Some(Status::Failed))
            .count();
        let settled = |s: &Option<Status>| matches!(s, Some(Status::Done | Status::NotApplicable));
        Some(if required_failed > 0 {
            let s = if required_failed == 1 { "" } else { "s" };
            (
                Status::Failed,
                Some(format!("{required_failed} sub-item{s} failed")),
            )
        } else if !all_answered || answered.is_empty() {
            return None;
        } else if answered.iter().all(|s| *s == Status::NotApplicable) {
            (Status::NotApplicable, None)
        } else if children.iter().all(|(optional, s)| *optional || settled(s)) {
            (Status::Done, None)
        } else if answered.contains(&Status::Deferred) {
            (
                Status::Deferred,
                Some("a sub-item was deferred".to_string()),
            )
        } else {
            (Status::Skipped, Some("a sub-item was skipped".to_string()))
        })
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    #[serde(rename = "GO")]
    Go,
    #[serde(rename = "NO-GO")]
    NoGo,
    #[serde(rename = "ROLLED BACK")]
    RolledBack,
    #[serde(rename = "INCOMPLETE")]
    Incomplete,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Go => "GO",
            Verdict::NoGo => "NO-GO",
            Verdict::RolledBack => "ROLLED BACK",
            Verdict::Incomplete => "INCOMPLETE",
        }
    }

    /// 0 for GO; 1 for every other verdict.
    pub fn exit_code(self) -> i32 {
        match self {
            Verdict::Go => 0,
            _ => 1,
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
