//! The end of a run, as a person reads it at the terminal: the verdict with its causes
//! first, the counts, then the items that need attention, compact enough that the verdict
//! is still on an 80x24 screen. The details stay in `deploycheck report`.

use std::io::{self, Write};

use unicode_width::UnicodeWidthChar;

use super::Style;
use super::report::{notable, rollback_lines, signoff_lines};
use crate::model::{Record, Status, Verdict};

/// Items listed at the end of a run before "and N more".
const ATTENTION_LINES: usize = 8;
/// What an attention line is cut to, so it never wraps at 80 columns.
const LINE_COLUMNS: usize = 78;

/// The verdict and its causes, coloured for a terminal.
pub fn painted_verdict(record: &Record, style: Style) -> String {
    let headline = crate::model::headline(record.verdict, &record.causes);
    let bold = style.bold(&headline);
    match record.verdict {
        Verdict::Go => style.green(&bold),
        Verdict::NoGo => style.red(&bold),
        Verdict::RolledBack | Verdict::Incomplete => style.yellow(&bold),
    }
}

pub fn write_summary(out: &mut dyn Write, record: &Record, style: Style) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "Verdict: {}", painted_verdict(record, style))?;
    let mut counts = Vec::new();
    for status in [
        Status::Done,
        Status::Failed,
        Status::Skipped,
        Status::NotApplicable,
        Status::Deferred,
        Status::Clear,
        Status::Holds,
        Status::Pending,
    ] {
        let n = record.counts.get(status);
        if n > 0 || matches!(status, Status::Done | Status::Failed) {
            counts.push(format!("{n} {status}"));
        }
    }
    writeln!(out, "{}", counts.join(style.separator()))?;
    for line in rollback_lines(record) {
        writeln!(out, "{}", style.yellow(&fit(&line)))?;
    }
    for line in signoff_lines(record) {
        writeln!(out, "{}", fit(&line))?;
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
            writeln!(out, "{}", fit(&line))?;
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

/// Cuts a line to [`LINE_COLUMNS`] display columns, with an ellipsis.
fn fit(line: &str) -> String {
    let mut width = 0;
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        let w = c.width().unwrap_or(0);
        if width + w > LINE_COLUMNS - 1 {
            out.push('…');
            return out;
        }
        width += w;
        out.push(c);
    }
    out
}
