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
//!
//! Follow-ups (items of a time window handed over to be answered after the run) are the
//! same kind of thing: open, not missing. They are counted apart from pending items and
//! named beside the verdict with when they are due (`GO · 6 follow-ups due by 2026-11-30
//! 21:00`); follow-up addenda answer them, and the run's state judges again.

use serde::Serialize;

use super::record::{Counts, ItemKind, Record, SignoffStatus};
use super::{Status, Timestamp, Verdict};

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
    let mut follow_ups: Vec<&Timestamp> = Vec::new();
    for item in record.leaves() {
        if let (Status::Pending, Some(follow_up)) = (item.status, &item.follow_up) {
            // Handed over to be answered later: open, but not missing.
            counts.follow_ups += 1;
            follow_ups.push(&follow_up.due);
            continue;
        }
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
    let mut outstanding: Vec<String> = awaiting
        .iter()
        .map(|role| format!("awaiting sign-off: {role}"))
        .collect();
    // Follow-ups are what a finished run still waits for; a stopped run is not finished.
    if record.stopped.is_none() {
        outstanding.extend(follow_ups_due(&follow_ups));
    }
    Assessment {
        verdict,
        causes,
        outstanding,
        counts,
        triggers_held,
    }
}

/// `6 follow-ups due by 2026-11-30 21:00`, or by when each group is due when they differ.
fn follow_ups_due(dues: &[&Timestamp]) -> Option<String> {
    let mut dues: Vec<&Timestamp> = dues.to_vec();
    if dues.is_empty() {
        return None;
    }
    dues.sort();
    let when = |t: &Timestamp| t.instant().format("%Y-%m-%d %H:%M").to_string();
    let mut groups: Vec<(String, usize)> = Vec::new();
    for due in &dues {
        let shown = when(due);
        match groups.last_mut() {
            Some((last, n)) if *last == shown => *n += 1,
            _ => groups.push((shown, 1)),
        }
    }
    let all = plural(dues.len(), "follow-up", "follow-ups");
    Some(match groups.as_slice() {
        [(at, _)] => format!("{all} due by {at}"),
        [first, second] | [first, second, _] if groups.len() <= 3 => {
            let mut parts = vec![format!("{} due by {}", first.1, first.0)];
            parts.push(format!("{} by {}", second.1, second.0));
            if let Some(third) = groups.get(2) {
                parts.push(format!("{} by {}", third.1, third.0));
            }
            format!("{all}: {}", parts.join(", "))
        }
        _ => format!(
            "{all}, the first due by {}, the last by {}",
            groups[0].0,
            groups[groups.len() - 1].0
        ),
    })
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}
