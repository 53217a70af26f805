//! The verdict of a run, with its causes, as a function of a record's items, sign-offs and
//! rollback: the one place that decides GO, NO-GO, ROLLED BACK or INCOMPLETE.
//!
//! The live walk builds its record and asks this; `verify` asks it again of a record read
//! from disk and compares. Causes name the reasons for this verdict only, most serious
//! first: a NO-GO never explains itself with deferred items.
//!
//! A role left to sign off after the run (`later`) does not hold the verdict back: the run
//! is judged without it, and it is named beside the verdict as outstanding
//! (`GO · awaiting sign-off: Security Team`). Its statements wait for its owner, so they
//! are not counted as unanswered. When its sign-off arrives as an addendum, the run's state
//! (`run::RunState`) folds it in and asks this again.

use serde::Serialize;

use super::record::{Counts, ItemKind, Record, SignoffStatus};
use super::{Status, Verdict};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    pub verdict: Verdict,
    pub causes: Vec<String>,
    /// What the run still waits for beside its verdict: `awaiting sign-off: Security Team`.
    pub outstanding: Vec<String>,
    pub counts: Counts,
    pub triggers_held: Vec<String>,
}

impl Assessment {
    /// `NO-GO: 3 failed, Operations Team refused`; `GO · awaiting sign-off: Security Team`.
    pub fn headline(&self) -> String {
        headline_with(self.verdict, &self.causes, &self.outstanding)
    }
}

/// The verdict with its causes, as every screen and report shows it.
pub fn headline(verdict: Verdict, causes: &[String]) -> String {
    if causes.is_empty() {
        verdict.to_string()
    } else {
        format!("{verdict}: {}", causes.join(", "))
    }
}

/// The verdict with its causes and what the run still waits for, joined by ` · `.
pub fn headline_with(verdict: Verdict, causes: &[String], outstanding: &[String]) -> String {
    let mut line = headline(verdict, causes);
    for waiting in outstanding {
        line.push_str(" · ");
        line.push_str(waiting);
    }
    line
}

pub fn judge(record: &Record) -> Assessment {
    let awaiting: Vec<&str> = record
        .signoffs
        .iter()
        .filter(|s| s.status == SignoffStatus::Awaiting)
        .map(|s| s.role.as_str())
        .collect();
    // Statements left for a role that signs off later are its owner's to confirm.
    let waits_for_owner = |item: &crate::model::RecordItem| {
        item.kind == ItemKind::Statement
            && item.status == Status::Pending
            && item.role.as_deref().is_some_and(|r| awaiting.contains(&r))
    };
    let mut counts = Counts::default();
    let mut triggers_held = Vec::new();
    let mut required_failed = 0;
    let mut open = Counts::default();
    let mut unanswered = 0;
    for item in record.leaves() {
        counts.add(item.status);
        if waits_for_owner(item) {
            continue;
        }
        if item.status == Status::Pending
            && (item.kind == ItemKind::Procedure) == record.rollback.started
        {
            unanswered += 1;
        }
        if item.kind == ItemKind::Trigger && item.status == Status::Holds {
            triggers_held.push(item.id.clone());
        }
        if item.optional || item.kind == ItemKind::Procedure {
            continue;
        }
        match item.status {
            Status::Failed => required_failed += 1,
            Status::Done | Status::NotApplicable | Status::Clear | Status::Holds => {}
            other => open.add(other),
        }
    }
    let refused: Vec<&str> = record
        .signoffs
        .iter()
        .filter(|s| s.status == SignoffStatus::Refused)
        .map(|s| s.role.as_str())
        .collect();
    let unsigned: Vec<&str> = record
        .signoffs
        .iter()
        .filter(|s| s.status == SignoffStatus::Pending)
        .map(|s| s.role.as_str())
        .collect();
    let rollback = &record.rollback;
    let is_declined = |id: &String| rollback.declined.iter().any(|d| d.triggers.contains(id));
    let declined = triggers_held.iter().filter(|id| is_declined(id)).count();
    // A trigger held and nobody decided: neither a rollback nor a decline with a reason.
    let undecided = if rollback.started {
        0
    } else {
        triggers_held.len() - declined
    };

    let mut causes = Vec::new();
    let verdict = if let Some(stop) = &record.stopped {
        causes.push(format!("stopped ({})", stop.reason));
        if rollback.started {
            causes.push("rollback under way".to_string());
        }
        if required_failed > 0 {
            causes.push(format!("{required_failed} failed so far"));
        }
        for role in &refused {
            causes.push(format!("{role} refused"));
        }
        if !triggers_held.is_empty() {
            causes.push(plural(triggers_held.len(), "trigger held", "triggers held"));
        }
        if unanswered > 0 {
            causes.push(format!("{unanswered} not answered"));
        }
        Verdict::Incomplete
    } else if rollback.started {
        match &rollback.reason {
            Some(reason) => causes.push(format!("rollback started by hand: {reason}")),
            None => causes.push(plural(triggers_held.len(), "trigger held", "triggers held")),
        }
        Verdict::RolledBack
    } else if required_failed > 0 || !refused.is_empty() || declined > 0 || undecided > 0 {
        if required_failed > 0 {
            causes.push(format!("{required_failed} failed"));
        }
        for role in &refused {
            causes.push(format!("{role} refused"));
        }
        if declined > 0 {
            causes.push(format!(
                "{} and rollback declined",
                plural(declined, "trigger held", "triggers held")
            ));
        }
        if undecided > 0 {
            causes.push(format!(
                "{} and no rollback decided",
                plural(undecided, "trigger held", "triggers held")
            ));
        }
        Verdict::NoGo
    } else if open.answered() + open.pending + unsigned.len() > 0 {
        let mut except = Vec::new();
        for (status, one, many) in [
            (Status::Deferred, "deferred item", "deferred items"),
            (Status::Skipped, "skipped item", "skipped items"),
            (Status::Pending, "item not answered", "items not answered"),
        ] {
            let n = open.get(status);
            if n > 0 {
                except.push(plural(n, one, many));
            }
        }
        if !except.is_empty() {
            causes.push(format!("complete except {}", except.join(" and ")));
        }
        for role in unsigned {
            causes.push(format!("awaiting sign-off: {role}"));
        }
        Verdict::Incomplete
    } else {
        Verdict::Go
    };
    let outstanding = awaiting
        .iter()
        .map(|role| format!("awaiting sign-off: {role}"))
        .collect();
    Assessment {
        verdict,
        causes,
        outstanding,
        counts,
        triggers_held,
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}
