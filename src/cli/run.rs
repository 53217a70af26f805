//! `deploycheck run ENV`: everything around a walk that touches the outside world:
//! resolving the checklist and environment, who is running it, the clock, git for field
//! defaults, the lock, resuming, Ctrl-C, and the record at the end.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context as _, bail};

use super::{Io, ResumeChoice, RunOptions, checklist_path, exit, mention_warnings, project_for};
use crate::clock::{Clock, SteppingClock, SystemClock, compact_utc, rfc3339};
use crate::engine::{Plan, Step};
use crate::input::{ANSWERS, read_input_text};
use crate::model::{Checklist, RecordChecklist, Verdict};
use crate::project::{Environments, Project, load_checklist};
use crate::render::write_summary;
use crate::run::answers::{Answers, AnswersFile};
use crate::run::{ResumeReport, Run, RunHeader};
use crate::store::{RunFiles, RunLock, read_journal};
use crate::term::{Outcome, Session, SessionConfig};

/// Set to an RFC 3339 time to make the clock start there and tick a second per reading:
/// reproducible runs for tests and rehearsals.
const CLOCK_VARIABLE: &str = "DEPLOYCHECK_NOW";

pub fn run(io: &mut Io<'_>, options: RunOptions) -> anyhow::Result<i32> {
    let project = project_for(io, options.checklist.as_deref())?;
    let path = checklist_path(io, project.as_ref(), options.checklist.as_deref())?;
    // A large answers file takes longer to read than the checklist; read both at once.
    let (loaded, answers_file) = std::thread::scope(|scope| {
        let answers = options.answers.as_ref().map(|file| {
            let (path, shown) = (
                io.cwd.join(file),
                crate::project::display_path(&io.cwd.join(file), &io.cwd),
            );
            scope.spawn(move || read_answers_file(&path, &shown))
        });
        let loaded = load_checklist(&path, &io.cwd);
        let answers = answers.map(|handle| {
            handle
                .join()
                .expect("reading the answers file does not panic")
        });
        (loaded, answers)
    });
    let loaded = loaded?;
    let shown = loaded.checklist.source.path.clone();
    mention_warnings(io, &shown, loaded.warnings.len())?;
    let environments = Environments::new(project.as_ref().map(|p| &p.config), &loaded.checklist);
    let environment = environments.resolve(&options.environment)?;
    // Answers for items of other environments are unused, not unknown.
    let all_ids: HashSet<String> = match options.answers {
        Some(_) => loaded.checklist.items().map(|i| i.id.clone()).collect(),
        None => HashSet::new(),
    };
    let checklist = loaded.checklist.into_environment(&environment);
    let plan = Plan::new(&checklist);

    // Everything the answers file says is checked before anything is written.
    let mut answers = match answers_file {
        Some(file) => Some(Answers::check(file?, &plan, &all_ids).map_err(crate::Error::Config)?),
        None => None,
    };

    let clock = clock_from_environment()?;
    let checklist_dir = path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| io.cwd.clone());
    let operator = options
        .operator
        .clone()
        .or_else(|| answers.as_ref().and_then(|a| a.operator.clone()))
        .or_else(|| non_empty_var("DEPLOYCHECK_OPERATOR"))
        .or_else(|| git(&checklist_dir, &["config", "user.name"]))
        .or_else(|| non_empty_var("USER"))
        .or_else(|| non_empty_var("USERNAME"))
        .unwrap_or_else(|| "unknown".to_string());
    let host = host_name();

    let records_dir = match &project {
        Some(project) => project.records_dir(),
        None => io.cwd.join("runs"),
    };
    std::fs::create_dir_all(&records_dir)
        .with_context(|| format!("cannot create the records folder {}", records_dir.display()))?;
    let files = RunFiles::new(&records_dir, &Project::name_of(&path), &environment);
    // One reading of the clock: the lock's holder line and the run's start agree.
    let started = clock.now();
    let holder = format!(
        "pid {}, {operator} on {host}, since {}",
        std::process::id(),
        rfc3339(started)
    );
    let _lock = RunLock::acquire(&files.lock_path(), &holder)?;

    let unfinished = find_unfinished(&files)?;
    let resume = match (unfinished.is_some(), options.resume) {
        (false, ResumeChoice::Resume) => bail!(
            "there is no unfinished run of {shown} for {environment} in {} to resume",
            records_dir.display()
        ),
        (false, _) => false,
        (true, ResumeChoice::Resume) => true,
        (true, ResumeChoice::New) => false,
        (true, ResumeChoice::Ask) => {
            let (journal, contents) = unfinished.as_ref().expect("checked above");
            let offer = format!(
                "An unfinished run of this checklist for {environment} was started at {} by {} ({} answers given, journal {}).",
                contents.start.at,
                contents.start.operator,
                contents.answered(),
                crate::project::display_path(journal, &io.cwd)
            );
            if !io.interactive {
                bail!("{offer} Pass --resume to continue it, or --new to start over.");
            }
            ask_yes_no(io, &format!("{offer}\nResume it? [Y/n] "))?
        }
    };

    let style = io.style;
    let now = || rfc3339(clock.now());
    writeln!(
        io.stdout,
        "{}",
        style.bold(&format!(
            "deploycheck run · {} · {environment} · operator {operator}",
            checklist.title
        ))
    )?;
    let run = if resume {
        let (journal_path, contents) = unfinished.expect("resume implies an unfinished run");
        let stem = journal_path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        let (mut run, report) = Run::resume(
            plan,
            &contents,
            journal_path.clone(),
            files.record_path(&stem),
            &checklist.source.sha256,
        )?;
        run.note_resumed(&operator, &host, &now())?;
        writeln!(
            io.stdout,
            "Resuming the run started at {} by {} ({} answers kept).",
            contents.start.at,
            contents.start.operator,
            run.walk.counts().answered()
        )?;
        describe_changes(io, &report)?;
        if let Some(answers) = answers.as_mut() {
            let ignored = discard_answered(&mut run, answers);
            if !ignored.is_empty() {
                writeln!(
                    io.stderr,
                    "warning: the answers file's entries for items already answered are ignored: {}",
                    ignored.join(", ")
                )?;
            }
        }
        run
    } else {
        if let Some((journal_path, contents)) = unfinished {
            abandon(&journal_path, &contents, &checklist, &operator, &now())?;
            writeln!(
                io.stdout,
                "Started over: the unfinished run in {} is closed as INCOMPLETE.",
                journal_path.display()
            )?;
        }
        let mut stem = files.stem(&compact_utc(started));
        if files.journal_path(&stem).exists() {
            stem = format!("{stem}-{}", std::process::id());
        }
        let header = RunHeader {
            checklist: RecordChecklist {
                title: checklist.title.clone(),
                path: shown.clone(),
                sha256: checklist.source.sha256.clone(),
            },
            environment: environment.clone(),
            operator: operator.clone(),
            host: host.clone(),
            started_at: rfc3339(started),
        };
        Run::start(plan, header, &files, &stem)?
    };
    writeln!(
        io.stdout,
        "{}",
        style.dim(&format!(
            "{} items to walk, {} more in the rollback procedure · record {}",
            run.walk.plan().main_items,
            run.walk.plan().rollback_items,
            crate::project::display_path(run.record_path(), &io.cwd)
        ))
    )?;

    let field_defaults = field_defaults(
        &run.walk.plan().fields,
        &operator,
        &checklist_dir,
        clock.as_ref(),
    );
    let run = Arc::new(Mutex::new(run));
    install_interrupt_handler(Arc::clone(&run), Arc::clone(&clock), environment.clone());
    let config = SessionConfig {
        interactive: io.interactive,
        style,
        operator: operator.clone(),
        contacts: checklist.contacts.clone(),
        field_defaults,
    };
    let outcome = {
        let mut session = Session::new(
            &run,
            answers.as_mut(),
            &mut *io.stdin,
            &mut *io.stdout,
            clock.as_ref(),
            config,
        );
        session.drive()?
    };

    let mut run = run.lock().unwrap_or_else(|p| p.into_inner());
    let finished = outcome == Outcome::Finished;
    let reason = match outcome {
        Outcome::Finished => "finished",
        Outcome::Quit => "quit",
        Outcome::EndOfInput => "end of input",
    };
    let record = run.close(finished, reason, &now())?;
    let note = run.walk.completion_note();
    write_summary(io.stdout, &record, note.as_deref(), style)?;
    writeln!(
        io.stdout,
        "Record: {}",
        crate::project::display_path(run.record_path(), &io.cwd)
    )?;
    if !finished {
        writeln!(
            io.stdout,
            "Stopped ({reason}); every answer is saved. Resume with: deploycheck run {environment} --resume"
        )?;
    }
    if let Some(answers) = &answers {
        let unused = answers.unused();
        if !unused.is_empty() {
            writeln!(
                io.stderr,
                "note: {} answers-file entries were not used (the walk never reached them): {}",
                unused.len(),
                unused.join(", ")
            )?;
        }
    }
    let code = match (finished, record.verdict) {
        (true, verdict) => verdict.exit_code(),
        (false, Verdict::Go) => exit::FAILURE,
        (false, verdict) => verdict.exit_code(),
    };
    Ok(code)
}

fn read_answers_file(path: &Path, shown: &str) -> Result<AnswersFile, crate::Error> {
    let text = read_input_text(path, shown, ANSWERS).map_err(crate::Error::Config)?;
    AnswersFile::read(&text, shown).map_err(crate::Error::Config)
}

/// The newest journal of this checklist and environment that is still open.
fn find_unfinished(
    files: &RunFiles,
) -> anyhow::Result<Option<(PathBuf, crate::store::JournalContents)>> {
    for journal in files.journals() {
        let contents = read_journal(&journal)
            .map_err(|e| anyhow::anyhow!("{e}; move the journal aside to start afresh"))?;
        if contents.is_open() {
            return Ok(Some((journal, contents)));
        }
    }
    Ok(None)
}

/// Closes an unfinished run that a new one replaces: its record is written as it stands.
fn abandon(
    journal_path: &Path,
    contents: &crate::store::JournalContents,
    checklist: &Checklist,
    operator: &str,
    at: &str,
) -> anyhow::Result<()> {
    let stem = journal_path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let record_path = journal_path.with_file_name(format!("{stem}.yaml"));
    let (mut old, _) = Run::resume(
        Plan::new(checklist),
        contents,
        journal_path.to_path_buf(),
        record_path,
        &checklist.source.sha256,
    )?;
    old.abandon(operator, at)?;
    Ok(())
}

fn discard_answered(run: &mut Run, answers: &mut Answers) -> Vec<String> {
    let plan = run.walk.plan();
    let steps: Vec<Step> = plan.main.iter().chain(&plan.rollback).copied().collect();
    let mut ignored = Vec::new();
    for step in steps {
        let answered = match step {
            Step::Field(i) => run.walk.field(i).is_some(),
            Step::Item(i) => run.walk.answer(i).is_some(),
            Step::Signoff(r) => run.walk.signoff(r).is_some(),
        };
        if answered && let Some(name) = answers.discard(step) {
            ignored.push(name);
        }
    }
    ignored
}

fn describe_changes(io: &mut Io<'_>, report: &ResumeReport) -> std::io::Result<()> {
    if report.torn_tail {
        writeln!(
            io.stderr,
            "note: the journal's last line was cut off by a crash and is ignored; it held no answer that was followed by a prompt"
        )?;
    }
    if report.checklist_changed {
        if report.added.is_empty() && report.removed.is_empty() && report.reworded.is_empty() {
            writeln!(
                io.stdout,
                "The checklist file changed since this run started, but none of its items did."
            )?;
        } else {
            writeln!(io.stdout, "The checklist changed since this run started:")?;
            for (label, ids) in [
                ("added", &report.added),
                ("removed", &report.removed),
                ("reworded", &report.reworded),
            ] {
                if !ids.is_empty() {
                    writeln!(io.stdout, "  {label} ({}): {}", ids.len(), ids.join(", "))?;
                }
            }
        }
    }
    for dropped in &report.dropped_events {
        writeln!(io.stderr, "note: {dropped}")?;
    }
    Ok(())
}

fn ask_yes_no(io: &mut Io<'_>, question: &str) -> anyhow::Result<bool> {
    loop {
        write!(io.stdout, "{question}")?;
        io.stdout.flush()?;
        let mut line = String::new();
        if io.stdin.read_line(&mut line)? == 0 {
            bail!("no answer; pass --resume or --new");
        }
        match line.trim().to_ascii_lowercase().as_str() {
            "" | "y" | "yes" => return Ok(true),
            "n" | "no" => return Ok(false),
            _ => writeln!(io.stdout, "answer y or n")?,
        }
    }
}

/// Ctrl-C saves and stops: the record is written from what the journal holds, exit 130.
/// SIGTERM and SIGHUP (a dropped SSH session) do the same.
fn install_interrupt_handler(run: Arc<Mutex<Run>>, clock: Arc<dyn Clock>, environment: String) {
    let handler = move || {
        let mut run = run.lock().unwrap_or_else(|p| p.into_inner());
        let at = rfc3339(clock.now());
        let mut stderr = std::io::stderr();
        match run.close(false, "interrupted", &at) {
            Ok(record) => {
                let _ = writeln!(
                    stderr,
                    "\ninterrupted: {} answers saved in {}; resume with: deploycheck run {environment} --resume",
                    record
                        .items
                        .iter()
                        .filter(|i| i.answered_at.is_some())
                        .count(),
                    run.record_path().display()
                );
            }
            Err(error) => {
                let _ = writeln!(
                    stderr,
                    "\ninterrupted: the journal holds every answer, but the record could not be written: {error}"
                );
            }
        }
        std::process::exit(130);
    };
    // A second handler (tests driving `run` twice in one process) is not worth failing over.
    let _ = ctrlc::set_handler(handler);
}

pub(super) fn clock_from_environment() -> anyhow::Result<Arc<dyn Clock>> {
    match std::env::var(CLOCK_VARIABLE) {
        Ok(value) if !value.is_empty() => {
            let start = chrono::DateTime::parse_from_rfc3339(&value)
                .with_context(|| format!("{CLOCK_VARIABLE}={value} is not an RFC 3339 time"))?;
            Ok(Arc::new(SteppingClock::starting_at(start)))
        }
        _ => Ok(Arc::new(SystemClock)),
    }
}

fn non_empty_var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| non_empty_var("HOSTNAME"))
        .or_else(|| non_empty_var("COMPUTERNAME"))
        .unwrap_or_else(|| "unknown".to_string())
}

/// Output of a git command in `dir`, when git is there and the command succeeds. Only git
/// is run; nothing a checklist says is ever executed.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?.trim().to_string();
    (output.status.success() && !text.is_empty()).then_some(text)
}

/// Deployment Date is today, Deployed By the operator, Git Commit the checklist's HEAD,
/// Version the nearest tag; other fields have no default.
fn field_defaults(
    fields: &[String],
    operator: &str,
    dir: &Path,
    clock: &dyn Clock,
) -> Vec<Option<String>> {
    fields
        .iter()
        .map(|name| {
            let lower = name.to_lowercase();
            if lower.contains("date") {
                Some(clock.now().format("%Y-%m-%d").to_string())
            } else if lower.contains("deployed by")
                || lower.contains("operator")
                || lower.contains("deployer")
            {
                Some(operator.to_string())
            } else if lower.contains("commit") {
                git(dir, &["rev-parse", "HEAD"])
            } else if lower.contains("version") || lower.contains("release") || lower == "tag" {
                git(dir, &["describe", "--tags"])
            } else {
                None
            }
        })
        .collect()
}
