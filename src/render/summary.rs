//! The end of a run, as a person reads it at the terminal: the verdict with its causes
//! first, the counts, then the items that need attention, compact enough that the verdict
//! is still on an 80x24 screen. The details stay in `deploycheck report`.

use std::io::{self, Write};

use super::Style;
use super::report::{notable, rollback_lines};
use super::width::{fit, wrap};
use crate::model::{Record, SignoffStatus, Status, Verdict};

/// Items listed at the end of a run before "and N more".
const ATTENTION_LINES: usize = 8;

/// The verdict and its causes, coloured for a terminal.
pub fn painted_verdict(record: &Record, style: Style) -> String {
    let headline = record.headline();
    paint(record, style, &headline)
}

/// The end screen, laid out for `columns`: at most about 17 lines, so the verdict on its
/// first line is still on a 24-row screen under the last prompt.
pub fn write_summary(
    out: &mut dyn Write,
    record: &Record,
    style: Style,
    columns: usize,
) -> io::Result<()> {
    writeln!(out)?;
    let headline = record.headline();
    for line in wrap(&format!("Verdict: {headline}"), columns, "", "  ") {
        writeln!(out, "{}", paint(record, style, &line))?;
    }
    let mut counts = Vec::new();
    for (status, n) in record.counts.by_status() {
        if n > 0 || matches!(status, Status::Done | Status::Failed) {
            counts.push(format!("{n} {status}"));
        }
    }
    if record.counts.follow_ups > 0 {
        counts.push(format!("{} follow-ups", record.counts.follow_ups));
    }
    for line in wrap(&counts.join(style.separator()), columns, "", "") {
        writeln!(out, "{line}")?;
    }
    for line in rollback_lines(record) {
        writeln!(out, "{}", style.yellow(&fit(&line, columns)))?;
    }
    if let Some(line) = signoffs_line(record) {
        writeln!(out, "{}", fit(&line, columns))?;
    }
    let rows = notable(record);
    if !rows.is_empty() {
        writeln!(out, "Needs a look:")?;
        for row in rows.iter().take(ATTENTION_LINES) {
            let mut line = format!("  {:<9} {}", row.label, row.item.text);
            for part in [&row.value, &row.why] {
                if !part.is_empty() {
                    line.push_str(" — ");
                    line.push_str(part);
                }
            }
            writeln!(out, "{}", fit(&line, columns))?;
        }
        if rows.len() > ATTENTION_LINES {
            writeln!(
                out,
                "  and {} more in the report",
                rows.len() - ATTENTION_LINES
            )?;
        }
    }
    Ok(())
}

fn paint(record: &Record, style: Style, text: &str) -> String {
    let bold = style.bold(text);
    match record.verdict {
        Verdict::Go => style.green(&bold),
        Verdict::NoGo => style.red(&bold),
        Verdict::RolledBack | Verdict::Incomplete => style.yellow(&bold),
    }
}

/// The sign-offs in one line: how many are signed, and who refused or has not signed.
/// Names and times are in the report.
fn signoffs_line(record: &Record) -> Option<String> {
    if record.signoffs.is_empty() {
        return None;
    }
    let signed = record
        .signoffs
        .iter()
        .filter(|s| s.status == SignoffStatus::Signed)
        .count();
    let mut line = format!("Sign-offs: {signed} of {} signed", record.signoffs.len());
    for s in &record.signoffs {
        match s.status {
            SignoffStatus::Signed => {}
            SignoffStatus::Refused => line.push_str(&format!(
                "; {} refused: {}",
                s.role,
                s.reason.as_deref().unwrap_or("")
            )),
            SignoffStatus::Pending => line.push_str(&format!("; {} not signed", s.role)),
            SignoffStatus::Awaiting => line.push_str(&format!("; {} signs off later", s.role)),
        }
    }
    Some(line)
}
