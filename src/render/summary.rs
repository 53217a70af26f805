//! The end of a run, as a person reads it: the verdict, counts, and every item that was not
//! simply done, with why.

use std::io::{self, Write};

use super::Style;
use crate::model::{Record, Status, Verdict};

pub fn write_summary(
    out: &mut dyn Write,
    record: &Record,
    completion_note: Option<&str>,
    style: Style,
) -> io::Result<()> {
    let count = |status: Status| record.items.iter().filter(|i| i.status == status).count();
    writeln!(out)?;
    let mut table = crate::render::table(style);
    table.set_header(["Status", "Item", "Reason", "Value"]);
    let mut rows = 0;
    for status in [
        Status::Failed,
        Status::Holds,
        Status::Deferred,
        Status::Skipped,
        Status::NotApplicable,
    ] {
        for item in record.items.iter().filter(|i| i.status == status) {
            table.add_row([
                status.as_str().to_string(),
                item.text.clone(),
                item.reason.clone().unwrap_or_default(),
                item.value.clone().unwrap_or_default(),
            ]);
            rows += 1;
        }
    }
    if rows > 0 {
        writeln!(out, "{table}")?;
    }
    let mut counts = vec![
        format!("{} done", count(Status::Done)),
        format!("{} failed", count(Status::Failed)),
        format!("{} skipped", count(Status::Skipped)),
        format!("{} n/a", count(Status::NotApplicable)),
        format!("{} deferred", count(Status::Deferred)),
    ];
    let (clear, holds) = (count(Status::Clear), count(Status::Holds));
    if clear + holds > 0 {
        counts.push(format!("{clear} triggers clear"));
        counts.push(format!("{holds} holding"));
    }
    counts.push(format!("{} pending", count(Status::Pending)));
    writeln!(out, "{}", counts.join(style.separator()))?;
    for signoff in &record.signoffs {
        match signoff {
            crate::model::RecordSignoff::Given { role, name, .. } => {
                writeln!(out, "signed: {role} by {name}")?
            }
            crate::model::RecordSignoff::Refused { role, refused, .. } => {
                writeln!(out, "{}", style.red(&format!("refused: {role}: {refused}")))?
            }
        }
    }
    let verdict = record.verdict.as_str();
    let painted = match record.verdict {
        Verdict::Go => style.green(&style.bold(verdict)),
        Verdict::NoGo => style.red(&style.bold(verdict)),
        Verdict::RolledBack | Verdict::Incomplete => style.yellow(&style.bold(verdict)),
    };
    match completion_note {
        Some(note) => writeln!(out, "Verdict: {painted} ({note})"),
        None => writeln!(out, "Verdict: {painted}"),
    }
}
