//! The verdict of a run, with its causes, as a function of a record's items, sign-offs and
//! rollback: the one place that decides GO, NO-GO, ROLLED BACK or INCOMPLETE.
//!
//! The live walk builds its record and asks this; `verify` asks it again of a record read
//! from disk and compares. Causes name the reasons for this verdict only, most serious
//! first: a NO-GO never explains itself with deferred items.

use serde::Serialize;

use super::record::{Counts, ItemKind, Record, SignoffStatus};
use super::{Status, Timestamp, Verdict};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    pub verdict: Verdict,
    pub causes: Vec<String>,
    pub counts: Counts,
    pub triggers_held: Vec<String>,
}

impl Assessment {
    /// `NO-GO: 3 failed, Operations Team refused`.
    pub fn headline(&self) -> String {
        headline(self.verdict, &self.causes)
    }
}

/// The verdict with its causes, as every screen and report shows it. A GO has no causes,
/// only what comes after it: `GO · 6 follow-ups due by 2026-11-30 21:00`.
pub fn headline(verdict: Verdict, causes: &[String]) -> String {
    match (verdict, causes.is_empty()) {
        (_, true) => verdict.to_string(),
        (Verdict::Go, false) => format!("{verdict} · {}", causes.join(", ")),
        (_, false) => format!("{verdict}: {}", causes.join(", ")),
    }
}

pub fn judge(record: &Record) -> Assessment {
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
        causes.extend(follow_ups_due(&follow_ups));
        Verdict::Incomplete
    } else {
        causes.extend(follow_ups_due(&follow_ups));
        Verdict::Go
    };
    Assessment {
        verdict,
        causes,
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
