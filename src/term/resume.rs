//! Starting over or taking up an unfinished run: what the person is told before deciding,
//! and what changed since.

use std::collections::BTreeMap;

use super::line::Line;
use crate::cli::Io;
use crate::engine::{End, Plan, Step, Walk};
use crate::model::Status;
use crate::run::{Drift, ResumeReport};

/// Briefs the operator on an unfinished run and asks whether to take it up: `Some(true)`
/// to resume, `None` when Ctrl-C answered. Without a terminal nobody can answer, so
/// `--resume` or `--new` is required.
pub fn offer_resume(
    io: &mut Io<'_>,
    walk: &Walk,
    current: &Plan,
    folder: &str,
) -> Result<Option<bool>, crate::Error> {
    let mut brief = vec![format!(
        "An unfinished run of this checklist for {} is in {folder}:",
        walk.environment()
    )];
    brief.extend(briefing(walk).into_iter().map(|l| format!("  {l}")));
    if walk.plan() != current {
        let drift = Drift::between(walk.plan(), current);
        if !drift.is_empty() {
            brief.push(format!(
                "  the checklist changed since: {}",
                drift.summary()
            ));
        }
    }
    if !io.interactive {
        return Err(crate::Error::Refused(format!(
            "{}\nPass --resume to continue it, or --new to start over.",
            brief.join("\n")
        )));
    }
    let columns =
        crate::render::width::screen_columns(io.interactive, io.host.var("COLUMNS").as_deref());
    for line in &brief {
        let text = line.trim_start();
        let indent = &line[..line.len() - text.len()];
        let rest = if indent.is_empty() { "  " } else { "    " };
        for part in crate::render::width::wrap(text, columns, indent, rest) {
            writeln!(io.stdout, "{part}")?;
        }
    }
    let words = super::line::Words {
        answers: vec!["yes", "no"],
        roles: Vec::new(),
    };
    loop {
        let line = io
            .input
            .read("Resume it? [Y/n] ", &mut *io.stdout, &words)
            .map_err(crate::Error::Input)?;
        let line = match line {
            Line::Text(line) if !matches!(line.to_ascii_lowercase().as_str(), "q" | "quit") => line,
            Line::Interrupted => return Ok(None),
            Line::Text(_) | Line::End | Line::Quit => {
                return Err(crate::Error::Refused(
                    "no answer; pass --resume or --new".into(),
                ));
            }
        };
        match line.to_ascii_lowercase().as_str() {
            "" | "y" | "yes" => return Ok(Some(true)),
            "n" | "no" => match confirm_start_over(io, walk)? {
                Some(true) => return Ok(Some(false)),
                Some(false) => {}
                None => return Ok(None),
            },
            _ => writeln!(
                io.stdout,
                "answer y or n, or quit to leave the run as it is"
            )?,
        }
    }
}

/// `n` at "Resume it?" closes the run for good, with whatever it holds: said in full, and
/// asked once more, with no as what Enter means. `None` when Ctrl-C answered.
fn confirm_start_over(io: &mut Io<'_>, walk: &Walk) -> Result<Option<bool>, crate::Error> {
    let answers = (0..walk.plan().items.len())
        .filter(|&index| walk.answer(index).is_some())
        .count();
    let question = format!(
        "Start over? The unfinished run is closed as INCOMPLETE for good, with its {answers} answer{} kept in its record, and cannot be resumed. [y/N] ",
        if answers == 1 { "" } else { "s" }
    );
    let columns =
        crate::render::width::screen_columns(io.interactive, io.host.var("COLUMNS").as_deref());
    let mut lines = crate::render::width::wrap(&question, columns, "", "");
    let prompt = format!("{} ", lines.pop().unwrap_or_default().trim_end());
    for line in lines {
        writeln!(io.stdout, "{line}")?;
    }
    let words = super::line::Words {
        answers: vec!["yes", "no"],
        roles: Vec::new(),
    };
    let line = io
        .input
        .read(&prompt, &mut *io.stdout, &words)
        .map_err(crate::Error::Input)?;
    Ok(match line {
        Line::Text(line) => Some(matches!(line.to_ascii_lowercase().as_str(), "y" | "yes")),
        Line::Interrupted => None,
        Line::End | Line::Quit => Some(false),
    })
}

/// Who started it, where it stopped, who answered what, what went wrong so far.
fn briefing(walk: &Walk) -> Vec<String> {
    let first = &walk.sessions()[0];
    let mut lines = vec![format!(
        "started {} by {} on {}",
        first.at, first.operator, first.host
    )];
    if let Some(End::Stopped { at, reason }) = walk.end() {
        lines.push(format!("stopped {at} ({reason})"));
    }
    let plan = walk.plan();
    let mut by: BTreeMap<&str, usize> = BTreeMap::new();
    let mut failed = Vec::new();
    let mut deferred = 0;
    for (index, item) in plan.items.iter().enumerate() {
        let Some(answer) = walk.answer(index) else {
            continue;
        };
        *by.entry(answer.by.as_str()).or_default() += 1;
        match answer.status {
            Status::Failed => failed.push(format!(
                "\"{}\"{}",
                item.text,
                answer
                    .reason
                    .as_deref()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default()
            )),
            Status::Deferred => deferred += 1,
            _ => {}
        }
    }
    let answers: Vec<String> = by.iter().map(|(who, n)| format!("{n} by {who}")).collect();
    lines.push(format!(
        "answers: {}",
        if answers.is_empty() {
            "none yet".to_string()
        } else {
            answers.join(", ")
        }
    ));
    if !failed.is_empty() || deferred > 0 {
        let mut so_far = Vec::new();
        if !failed.is_empty() {
            so_far.push(format!("{} failed ({})", failed.len(), failed.join("; ")));
        }
        if deferred > 0 {
            so_far.push(format!("{deferred} deferred"));
        }
        lines.push(format!("so far: {}", so_far.join(", ")));
    }
    lines.extend(unfinished_checks(walk));
    match walk.current() {
        Some(Step::Item(index)) => {
            let item = &plan.items[index];
            let total = if item.is_procedure() {
                plan.rollback_items
            } else {
                plan.main_items
            };
            lines.push(format!(
                "next: {}/{total} {} › {}: \"{}\"",
                item.position, item.phase, item.section, item.text
            ));
        }
        Some(Step::Field(index)) => lines.push(format!("next: run field {}", plan.fields[index])),
        Some(Step::Signoff(role)) => {
            lines.push(format!("next: the sign-off of {}", plan.roles[role].role))
        }
        None => lines.push("next: nothing; every step is answered".to_string()),
    }
    lines
}

/// Checks that started and never finished: deploycheck was killed while they ran. They
/// count for nothing, and say so.
fn unfinished_checks(walk: &Walk) -> Vec<String> {
    walk.unfinished_checks()
        .into_iter()
        .map(|(item, run)| {
            format!(
                "check of \"{}\" started {} by {} and never finished (deploycheck stopped while it ran): not a pass; r runs it again",
                walk.plan().items[item].text,
                run.started.at,
                run.started.by
            )
        })
        .collect()
}

/// What the operator sees on taking a run up: who started it, what changed in the
/// checklist (at most ten lines, by text), and what of the journal no longer applies.
pub fn describe_resume(io: &mut Io<'_>, walk: &Walk, report: &ResumeReport) -> std::io::Result<()> {
    let columns =
        crate::render::width::screen_columns(io.interactive, io.host.var("COLUMNS").as_deref());
    let kept = walk.counts().answered();
    let text = format!(
        "Resuming the run started at {} by {} ({kept} answer{} kept).",
        walk.started_at(),
        walk.operator(),
        if kept == 1 { "" } else { "s" }
    );
    for line in crate::render::width::wrap(&text, columns, "", "  ") {
        writeln!(io.stdout, "{line}")?;
    }
    for text in unfinished_checks(walk) {
        for line in crate::render::width::wrap(&text, columns, "", "  ") {
            writeln!(io.stdout, "{line}")?;
        }
    }
    if report.torn_tail {
        writeln!(
            io.stderr,
            "note: the journal's last line was cut off by a crash and is ignored; it held no answer that was followed by a prompt"
        )?;
    }
    match &report.drift {
        Some(drift) if drift.is_empty() => writeln!(
            io.stdout,
            "The checklist changed since this run started, but none of its items did."
        )?,
        Some(drift) => {
            writeln!(
                io.stdout,
                "The checklist changed since this run started ({}):",
                drift.summary()
            )?;
            for line in drift.lines(10) {
                writeln!(
                    io.stdout,
                    "{}",
                    crate::render::width::fit(&format!("  {line}"), columns)
                )?;
            }
        }
        None => {}
    }
    for dropped in &report.dropped {
        writeln!(io.stderr, "note: no longer applies: {dropped}")?;
    }
    Ok(())
}
