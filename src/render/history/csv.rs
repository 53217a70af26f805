//! History as CSV (RFC 4180), for spreadsheets: the runs one per row, or with `--item` the
//! item's outcome in each run. Times stay RFC 3339 and durations whole seconds, so a
//! spreadsheet computes with them rather than parsing prose.

use std::io::{self, Write};

use crate::history::rows;

/// A field quoted when it has to be: a comma, a quote, a line break, or space at an end.
fn field(text: &str) -> String {
    let needs = text.contains([',', '"', '\n', '\r'])
        || text.starts_with(char::is_whitespace)
        || text.ends_with(char::is_whitespace);
    if needs {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn record(out: &mut dyn Write, fields: &[String]) -> io::Result<()> {
    let line: Vec<String> = fields.iter().map(|f| field(f)).collect();
    write!(out, "{}\r\n", line.join(","))
}

fn opt(value: Option<&str>) -> String {
    value.unwrap_or_default().to_string()
}

pub fn runs(out: &mut dyn Write, runs: &[rows::Run]) -> io::Result<()> {
    record(
        out,
        &[
            "started_at",
            "ended_at",
            "checklist",
            "checklist_path",
            "environment",
            "version",
            "operator",
            "verdict",
            "causes",
            "duration_s",
            "failed",
            "skipped",
            "overridden",
            "digest_ok",
            "folder",
        ]
        .map(String::from),
    )?;
    for run in runs {
        record(
            out,
            &[
                run.started_at.clone(),
                opt(run.ended_at.as_deref()),
                run.checklist.clone(),
                run.checklist_path.clone(),
                run.environment.clone(),
                opt(run.version.as_deref()),
                run.operator.clone(),
                run.verdict.clone(),
                run.causes.join("; "),
                run.outstanding.join("; "),
                run.duration_s.to_string(),
                run.failed.to_string(),
                run.skipped.to_string(),
                run.overridden.to_string(),
                run.digest_ok.to_string(),
                run.folder.clone(),
            ],
        )?;
    }
    Ok(())
}

pub fn outcomes(out: &mut dyn Write, outcomes: &[rows::Outcome]) -> io::Result<()> {
    record(
        out,
        &[
            "started_at",
            "environment",
            "version",
            "status",
            "overridden",
            "value",
            "measured",
            "unit",
            "threshold",
            "passes",
            "reason",
            "answered_by",
            "answered_at",
            "folder",
        ]
        .map(String::from),
    )?;
    for o in outcomes {
        record(
            out,
            &[
                o.started_at.clone(),
                o.environment.clone(),
                opt(o.version.as_deref()),
                o.status.clone(),
                o.overridden.to_string(),
                opt(o.value.as_deref()),
                o.measured.map(|m| m.to_string()).unwrap_or_default(),
                opt(o.unit.as_deref()),
                opt(o.threshold.as_deref()),
                o.passes.map(|p| p.to_string()).unwrap_or_default(),
                opt(o.reason.as_deref()),
                opt(o.answered_by.as_deref()),
                opt(o.answered_at.as_deref()),
                o.folder.clone(),
            ],
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_they_must_be() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a, b"), "\"a, b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(field(" padded"), "\" padded\"");
        assert_eq!(field(""), "");
    }
}
