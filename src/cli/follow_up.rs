//! `deploycheck followup RUN` and `deploycheck due`: a finished run's follow-ups answered
//! after the night, and the follow-ups open across runs. Both read runs through the run's
//! state (`run::RunState`), so a follow-up answered in one clone and pulled into another
//! counts in both, and neither ever rewrites a run's record or its night's journal.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::Serialize;

use super::run::{Walking, drive_session, operator, read_answers_file};
use super::{DueFormat, Io, exit, project_for};
use crate::engine::{Meta, Start};
use crate::model::{Record, Timestamp, Verdict, human_duration};
use crate::project::display_path;
use crate::render::when::clock_time;
use crate::run::answers::Answers;
use crate::run::follow_up::{
    follow_up_of, night_walk, open_follow_ups, plan_for, settle, unfinished,
};
use crate::run::{Run, RunState};
use crate::store::{RunFolder, RunLock};
use crate::term::Outcome;

pub fn follow_up(
    io: &mut Io<'_>,
    run: &Path,
    answers: Option<&Path>,
    operator_name: Option<String>,
) -> Result<i32, crate::Error> {
    let folder = RunFolder::containing(&io.cwd.join(run));
    walk_follow_ups(io, folder, answers, operator_name)
}

/// Walks a finished run's open follow-ups (or takes up this operator's stopped walk of
/// them), and lands the answers as an addendum.
pub(super) fn walk_follow_ups(
    io: &mut Io<'_>,
    folder: RunFolder,
    answers: Option<&Path>,
    operator_name: Option<String>,
) -> Result<i32, crate::Error> {
    for stem in settle(&folder) {
        writeln!(
            io.stderr,
            "note: {stem}.yaml was missing; it was written again from its journal"
        )?;
    }
    let state = RunState::load(&folder.path, &io.cwd)?;
    for note in &state.notes {
        writeln!(io.stderr, "{note}")?;
    }
    let run_shown = display_path(&folder.path, &io.cwd);
    if !state.is_finished() {
        return Err(crate::Error::Refused(format!(
            "the run in {run_shown} has not finished, so it has no follow-ups yet; take it up with `deploycheck run {} --resume`",
            state.record.environment
        )));
    }
    let answers_file = match answers {
        Some(file) => {
            let full = io.cwd.join(file);
            let shown = display_path(&full, &io.cwd);
            Some(read_answers_file(&full, &shown)?)
        }
        None => None,
    };
    let operator = operator(
        io,
        operator_name,
        answers_file
            .as_ref()
            .and_then(|f| f.operator().map(str::to_string)),
        &io.cwd,
    );
    let clock = io.host.clock()?;
    let started = Timestamp::from_datetime(clock.now());
    folder
        .ignore_local_files()
        .map_err(|source| crate::Error::Write {
            path: folder.path.clone(),
            source,
        })?;
    let _lock = RunLock::acquire(
        &folder.follow_up_lock_path(),
        &RunLock::holder(&operator, &io.host.hostname, &started),
    )?;
    let meta = Meta {
        at: started,
        by: operator.clone(),
    };
    let host = io.host.hostname.clone();
    let effective = state.effective();
    let run = match unfinished(&folder, &operator) {
        Some((stem, contents)) => {
            Run::resume_follow_up(folder.clone(), stem, &contents, &meta, &host)?
        }
        None => {
            let open = open_follow_ups(&effective);
            if open.is_empty() {
                writeln!(
                    io.stdout,
                    "No follow-ups open in {run_shown}: {}",
                    effective.headline()
                )?;
                return Ok(effective.verdict.exit_code());
            }
            let Some(of) = follow_up_of(state.record_sha256(), &state.record) else {
                return Err(crate::Error::Refused(format!(
                    "the record in {run_shown} has follow-ups but no deployment moment, so it cannot say when they are due; it was edited, or written by another tool"
                )));
            };
            let night = night_walk(&folder).map_err(crate::Error::Journal)?;
            let start = Start {
                checklist: night.checklist().clone(),
                environment: night.environment().to_string(),
                host,
                plan: std::sync::Arc::new(plan_for(&night, &open)),
                follow_up_of: Some(of),
            };
            Run::start_follow_up(folder.clone(), &meta, start)?
        }
    };
    let mut answers = match answers_file {
        Some(file) => {
            let ids = state.record.items.iter().map(|i| i.id.clone()).collect();
            Some(Answers::check(file, run.walk().plan(), &ids).map_err(crate::Error::Config)?)
        }
        None => None,
    };
    introduce(io, &run, &state.record, &run_shown, &operator)?;
    let resume_command = format!("deploycheck followup {run_shown}");
    let journal_shown = display_path(&run.output_path().with_extension("jsonl"), &io.cwd);
    let run = Arc::new(Mutex::new(run));
    // Checks run where the night's would: in the folder that holds checklists/.
    let root = crate::project::Project::discover(&io.cwd)
        .ok()
        .flatten()
        .map_or_else(|| io.cwd.clone(), |p| p.root);
    let (outcome, meta) = drive_session(
        io,
        &run,
        &clock,
        Walking {
            operator,
            answers: answers.as_mut(),
            contacts: Vec::new(),
            field_defaults: Vec::new(),
            checks_dir: root,
            run_folder: folder.path.clone(),
            run_checks: false,
            resume: (resume_command.clone(), journal_shown.clone()),
        },
    )?;
    let mut run = run.lock().unwrap_or_else(|p| p.into_inner());
    if outcome == Outcome::Interrupted {
        let record = run.stop(&meta, "interrupted")?;
        writeln!(
            io.stderr,
            "\ninterrupted: {} answer{} saved in {journal_shown}.\nResume with: {resume_command}",
            record.counts.answered(),
            if record.counts.answered() == 1 {
                ""
            } else {
                "s"
            },
        )?;
        return Ok(exit::INTERRUPTED);
    }
    // Quitting ends the walk too: what was answered lands now, the rest stays open.
    let record = run.finish(&meta)?;
    let answered = record.counts.answered();
    let written = run.output_path();
    drop(run);
    writeln!(io.stdout)?;
    if answered > 0 {
        writeln!(
            io.stdout,
            "Answered {answered} follow-up{}: {}",
            if answered == 1 { "" } else { "s" },
            display_path(&written, &io.cwd)
        )?;
    } else {
        writeln!(io.stdout, "No follow-up answered; nothing was written.")?;
    }
    let after = RunState::load(&folder.path, &io.cwd)?;
    let now = after.effective();
    let style = io.style;
    let line = format!("The run now: {}", now.headline());
    let painted = match now.verdict {
        Verdict::Go => style.green(&line),
        Verdict::NoGo => style.red(&line),
        _ => style.yellow(&line),
    };
    writeln!(io.stdout, "{painted}")?;
    if let Some(answers) = &answers {
        let unused = answers.unused();
        if !unused.is_empty() {
            writeln!(
                io.stderr,
                "note: {} answers-file entries were not used (not open follow-ups of this run): {}",
                unused.len(),
                unused.join(", ")
            )?;
        }
    }
    Ok(now.verdict.exit_code())
}

/// The first lines: what is walked, for which run, and since when it counts.
fn introduce(
    io: &mut Io<'_>,
    run: &Run,
    record: &Record,
    run_shown: &str,
    operator: &str,
) -> std::io::Result<()> {
    let columns =
        crate::render::width::screen_columns(io.interactive, io.host.var("COLUMNS").as_deref());
    let title = format!(
        "deploycheck followup · {} · {} · operator {operator}",
        record.checklist.title, record.environment
    );
    for line in crate::render::width::wrap(&title, columns, "", "  ") {
        writeln!(io.stdout, "{}", io.style.bold(&line))?;
    }
    let walk = run.walk();
    let count = walk.plan().main_items;
    let deployed = record
        .deployed_at
        .as_ref()
        .map(|d| format!(", deployed {}", d.instant().format("%Y-%m-%d %H:%M")))
        .unwrap_or_default();
    let text = format!(
        "{count} follow-up{} of the run by {}{deployed} · {run_shown}",
        if count == 1 { "" } else { "s" },
        record.operator
    );
    for line in crate::render::width::wrap(&text, columns, "", "  ") {
        writeln!(io.stdout, "{}", io.style.dim(&line))?;
    }
    Ok(())
}

/// One open follow-up, as `due` lists it.
#[derive(Debug, Serialize)]
struct DueRow {
    run: String,
    checklist: String,
    environment: String,
    id: String,
    section: String,
    text: String,
    opens: Option<Timestamp>,
    due: Timestamp,
    /// `overdue`, `due` (its window is open) or `upcoming` (not open yet).
    state: &'static str,
    /// How long ago it fell due, for overdue ones: `2 days 3 h`.
    overdue_by: Option<String>,
    handed_over_by: String,
}

#[derive(Debug, Serialize)]
struct DueReport {
    now: Timestamp,
    open: usize,
    overdue: usize,
    follow_ups: Vec<DueRow>,
    /// Runs whose state could not be read, with why: their follow-ups are not counted,
    /// so "nothing open" cannot be said of them.
    unreadable: Vec<Unreadable>,
}

#[derive(Debug, Serialize)]
struct Unreadable {
    run: String,
    error: String,
}

pub fn due(io: &mut Io<'_>, dirs: &[PathBuf], format: DueFormat) -> Result<i32, crate::Error> {
    let dirs: Vec<PathBuf> = if dirs.is_empty() {
        match project_for(io, None)? {
            Some(project) => vec![project.records_dir()],
            None => vec![io.cwd.join("runs")],
        }
    } else {
        dirs.iter().map(|d| io.cwd.join(d)).collect()
    };
    let mut folders = Vec::new();
    for dir in &dirs {
        if !dir.is_dir() {
            return Err(crate::Error::Refused(format!(
                "{} is not a folder; name folders that hold run folders (like runs/), or run folders",
                display_path(dir, &io.cwd)
            )));
        }
        run_folders(dir, 0, &mut folders);
    }
    folders.sort();
    folders.dedup();
    let now = Timestamp::from_datetime(io.host.clock()?.now());
    let mut rows = Vec::new();
    let mut unreadable = Vec::new();
    for folder in folders {
        let state = match RunState::load(&folder, &io.cwd) {
            Ok(state) => state,
            Err(error) => {
                let style = io.stderr_style;
                let run = display_path(&folder, &io.cwd);
                writeln!(
                    io.stderr,
                    "{} {run}: {error}; its follow-ups are not counted",
                    style.yellow("warning:"),
                )?;
                unreadable.push(Unreadable {
                    run,
                    error: error.to_string(),
                });
                continue;
            }
        };
        if !state.is_finished() {
            continue;
        }
        let record = state.effective();
        let run = display_path(&folder, &io.cwd);
        for item in record.leaves() {
            let Some(follow_up) = item
                .follow_up
                .as_ref()
                .filter(|_| item.status == crate::model::Status::Pending)
            else {
                continue;
            };
            let opens = item.window.as_ref().and_then(|w| w.opens.clone());
            let overdue = now.instant() > follow_up.due.instant();
            let state = if overdue {
                "overdue"
            } else if opens.as_ref().is_some_and(|o| now.instant() < o.instant()) {
                "upcoming"
            } else {
                "due"
            };
            rows.push(DueRow {
                run: run.clone(),
                checklist: record.checklist.title.clone(),
                environment: record.environment.clone(),
                id: item.id.clone(),
                section: item.section.clone(),
                text: item.text.clone(),
                opens,
                due: follow_up.due.clone(),
                state,
                overdue_by: overdue
                    .then(|| human_duration(now.instant() - follow_up.due.instant())),
                handed_over_by: follow_up.handed_over_by.clone(),
            });
        }
    }
    rows.sort_by(|a, b| a.due.cmp(&b.due).then_with(|| a.run.cmp(&b.run)));
    let overdue = rows.iter().filter(|r| r.state == "overdue").count();
    let report = DueReport {
        now,
        open: rows.len(),
        overdue,
        follow_ups: rows,
        unreadable,
    };
    match format {
        DueFormat::Json => {
            crate::render::write_json(&mut *io.stdout, &report)?;
            writeln!(io.stdout)?;
        }
        DueFormat::Table => due_table(io, &report)?,
    }
    // In cron, a run that does not read must not pass for one with nothing due.
    Ok(if overdue > 0 {
        exit::FAILURE
    } else if !report.unreadable.is_empty() {
        exit::USAGE
    } else {
        exit::SUCCESS
    })
}

fn due_table(io: &mut Io<'_>, report: &DueReport) -> std::io::Result<()> {
    use crate::render::width::{fit, width};
    let style = io.style;
    let now = report.now.instant();
    if report.follow_ups.is_empty() {
        return match report.unreadable.len() {
            0 => writeln!(io.stdout, "No follow-ups open."),
            n => writeln!(
                io.stdout,
                "No follow-ups open in the runs that read; {n} run{} did not read (warned above), and {} follow-ups are not known.",
                if n == 1 { "" } else { "s" },
                if n == 1 { "its" } else { "their" }
            ),
        };
    }
    let columns = crate::render::width::columns(io.host.var("COLUMNS").as_deref());
    let cells: Vec<(String, String, bool, String)> = report
        .follow_ups
        .iter()
        .map(|row| {
            let state = match row.state {
                "overdue" => format!("overdue {}", row.overdue_by.as_deref().unwrap_or("")),
                "upcoming" => format!(
                    "opens {}",
                    row.opens
                        .as_ref()
                        .map(|o| clock_time(o, now))
                        .unwrap_or_default()
                ),
                _ => format!("due in {}", human_duration(row.due.instant() - now)),
            };
            (
                row.due.instant().format("%Y-%m-%d %H:%M").to_string(),
                state,
                row.state == "overdue",
                format!("{} › {}", short_section(&row.section), row.text),
            )
        })
        .collect();
    let due_width = cells.iter().map(|c| width(&c.0)).max().unwrap_or(0).max(3);
    let state_width = cells.iter().map(|c| width(&c.1)).max().unwrap_or(0).max(5);
    let rest = columns
        .saturating_sub(2 + due_width + 2 + state_width + 2)
        .max(12);
    let mut runs = 0;
    let mut last_run: Option<&str> = None;
    for (row, (due, state, overdue, item)) in report.follow_ups.iter().zip(&cells) {
        if last_run != Some(row.run.as_str()) {
            if last_run.is_some() {
                writeln!(io.stdout)?;
            }
            runs += 1;
            let heading = format!("{} · {} · {}", row.run, row.environment, row.checklist);
            writeln!(io.stdout, "{}", style.bold(&fit(&heading, columns)))?;
            writeln!(
                io.stdout,
                "{}",
                style.dim(&format!(
                    "  {:<due_width$}  {:<state_width$}  Follow-up",
                    "Due", "State"
                ))
            )?;
            last_run = Some(row.run.as_str());
        }
        let padded = format!("{state:<state_width$}");
        let state = if *overdue { style.red(&padded) } else { padded };
        writeln!(
            io.stdout,
            "  {due:<due_width$}  {state}  {}",
            fit(item, rest)
        )?;
    }
    let summary = format!(
        "{} follow-up{} open in {runs} run{}{}.",
        report.open,
        if report.open == 1 { "" } else { "s" },
        if runs == 1 { "" } else { "s" },
        if report.overdue > 0 {
            format!(", {} overdue", report.overdue)
        } else {
            String::new()
        }
    );
    writeln!(io.stdout)?;
    let summary = if report.overdue > 0 {
        style.red(&summary)
    } else {
        summary
    };
    writeln!(io.stdout, "{summary}")?;
    writeln!(io.stdout, "Answer them with: deploycheck followup RUN")
}

/// A section's title without a leading emoji or the window it states in brackets.
fn short_section(title: &str) -> String {
    let trimmed = title.trim_start_matches(|c: char| !c.is_alphanumeric());
    let trimmed = match trimmed.rfind(" (") {
        Some(at)
            if trimmed.ends_with(')') && trimmed[at..].contains(|c: char| c.is_ascii_digit()) =>
        {
            &trimmed[..at]
        }
        _ => trimmed,
    };
    trimmed.to_string()
}

/// Run folders (those with a `record.yaml`) in `dir` or below it, a few levels deep; never
/// through a symlink, never into hidden folders (`.locks`, `.index`).
fn run_folders(dir: &Path, depth: usize, found: &mut Vec<PathBuf>) {
    if std::fs::symlink_metadata(dir.join(crate::store::RECORD_FILE)).is_ok_and(|m| m.is_file()) {
        found.push(dir.to_path_buf());
        return;
    }
    if depth >= 3 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if !hidden && entry.file_type().is_ok_and(|t| t.is_dir()) {
            run_folders(&entry.path(), depth + 1, found);
        }
    }
}
