//! What a role's owner reads before signing off a run after the fact: what was run, by
//! whom, where it stands now, what failed or was overridden, and who has signed so far.
//! The statements themselves are asked one by one by `term`.

use std::io::{self, Write};

use super::Style;
use super::report::{notable, rejected_lines, signoff_lines};
use super::width::wrap;
use crate::model::{Record, Status, Verdict};
use crate::run::RunState;

/// Items listed under "Needs a look" before "and N more".
const ATTENTION_LINES: usize = 12;

/// The summary shown by `deploycheck signoff` before the statements are asked.
pub fn write_signoff_screen(
    out: &mut dyn Write,
    state: &RunState,
    role: &str,
    style: Style,
    columns: usize,
) -> io::Result<()> {
    let record = state.effective();
    let line = |out: &mut dyn Write, text: &str| -> io::Result<()> {
        for piece in wrap(text, columns, "", "    ") {
            writeln!(out, "{piece}")?;
        }
        Ok(())
    };
    writeln!(out, "{}", style.bold(&format!("Sign-off for {role}")))?;
    let folder = std::path::Path::new(&state.shown)
        .parent()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let labelled = |out: &mut dyn Write, label: &str, text: &str| -> io::Result<()> {
        for piece in wrap(text, columns, &format!("{label:<10}"), "          ") {
            writeln!(out, "{piece}")?;
        }
        Ok(())
    };
    labelled(out, "Run", &folder)?;
    labelled(
        out,
        "Checklist",
        &format!("{} · {}", record.checklist.title, record.environment),
    )?;
    labelled(out, "Walked by", &ran_by(&record))?;
    let fields: Vec<String> = record
        .fields
        .0
        .iter()
        .map(|(name, value)| format!("{name}: {}", value.as_deref().unwrap_or("—")))
        .collect();
    if !fields.is_empty() {
        labelled(out, "Fields", &fields.join(" · "))?;
    }
    writeln!(out)?;
    let headline = format!("Verdict now: {}", record.headline());
    for piece in wrap(&headline, columns, "", "  ") {
        writeln!(out, "{}", paint(record.verdict, style, &piece))?;
    }
    let tally = super::report::tally(&record.counts);
    line(out, &tally.join(style.separator()))?;
    // Failures, held triggers, overrides, deferred and skipped items: what a signer must
    // know before putting a name to the run. Measured values that passed are in `report`.
    let attention: Vec<String> = notable(&record)
        .into_iter()
        .filter(|n| {
            n.item.overridden
                || matches!(
                    n.item.status,
                    Status::Failed | Status::Holds | Status::Deferred | Status::Skipped
                )
        })
        .map(|n| {
            let mut text = format!("{} {}", n.label, n.item.text);
            if !n.value.is_empty() {
                text.push_str(&format!(" — {}", n.value));
            }
            if !n.why.is_empty() {
                text.push_str(&format!(" — {}", n.why));
            }
            if !n.who.is_empty() {
                text.push_str(&format!(" ({})", n.who));
            }
            text
        })
        .collect();
    if attention.is_empty() {
        writeln!(
            out,
            "Nothing failed, held, was overridden, skipped or deferred."
        )?;
    } else {
        writeln!(out, "Needs a look:")?;
        for text in attention.iter().take(ATTENTION_LINES) {
            for piece in wrap(text, columns, "  ", "    ") {
                writeln!(out, "{piece}")?;
            }
        }
        if attention.len() > ATTENTION_LINES {
            writeln!(
                out,
                "  and {} more (deploycheck report {})",
                attention.len() - ATTENTION_LINES,
                state.shown
            )?;
        }
    }
    for text in super::report::rollback_lines(&record) {
        line(out, &style.yellow(&text))?;
    }
    writeln!(out, "Sign-offs:")?;
    for text in signoff_lines(state) {
        for piece in wrap(&text, columns, "  ", "    ") {
            writeln!(out, "{piece}")?;
        }
    }
    for text in rejected_lines(state) {
        for piece in wrap(&format!("warning: {text}"), columns, "", "    ") {
            writeln!(out, "{}", style.yellow(&piece))?;
        }
    }
    Ok(())
}

/// `Sam Night on night-1, 2026-11-23T23:40:00+00:00 → 2026-11-24T00:12:00+00:00`, with
/// the other sessions' operators when more than one person walked it.
fn ran_by(record: &Record) -> String {
    let mut people: Vec<&str> = Vec::new();
    for session in &record.sessions {
        if !people.contains(&session.operator.as_str()) {
            people.push(&session.operator);
        }
    }
    if people.is_empty() {
        people.push(&record.operator);
    }
    let end = match (&record.finished_at, &record.stopped) {
        (Some(at), _) => at.to_string(),
        (None, Some(stop)) => format!("stopped {} ({})", stop.at, stop.reason),
        (None, None) => "not finished".into(),
    };
    format!(
        "{} on {}, {} → {end}",
        people.join(", "),
        record.host,
        record.started_at
    )
}

fn paint(verdict: Verdict, style: Style, text: &str) -> String {
    match verdict {
        Verdict::Go => style.green(&style.bold(text)),
        Verdict::NoGo | Verdict::RolledBack => style.red(&style.bold(text)),
        Verdict::Incomplete => style.yellow(&style.bold(text)),
    }
}
