//! `deploycheck run ENV`: the parts around a walk that touch the outside world, each a
//! function of its own: what to walk, who walks it, the run folders, starting or taking up
//! a run, and the end. The conversation with the person lives in `term`.

use crate::FastSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::{Io, ResumeChoice, RunOptions, checklist_path, exit, mention_warnings, project_for};
use crate::clock::Clock;
use crate::engine::{Meta, Plan, Start, Step};
use crate::input::{ANSWERS, read_input_text};
use crate::model::{Contact, Record, RecordChecklist, Timestamp, Verdict};
use crate::project::{Environments, display_path, load_checklist};
use crate::run::answers::{Answers, AnswersFile};
use crate::run::{FolderNote, ResumeReport, Run, find_runs};
use crate::store::{RunFolder, RunFolders, RunLock};
use crate::term::{self, Outcome, Session, SessionConfig};

/// What a run walks: the plan of the checklist for one environment, what the run still
/// shows of the checklist, and the answers file's answers.
struct Target {
    /// The checklist as the run's journal and record name it; its `path` is the checklist's
    /// path relative to the project, which identifies it.
    checklist: RecordChecklist,
    /// Its contacts table, shown on request during the walk.
    contacts: Vec<Contact>,
    plan: Plan,
    environment: String,
    answers: Option<Answers>,
    /// The checklist file.
    path: PathBuf,
    records_dir: PathBuf,
    /// Said on the run's first screen when records go outside the project.
    records_note: Option<String>,
    /// `-c` as given on the command line.
    checklist_arg: Option<String>,
    /// The folder that holds `checklists/` (or the checklist's own folder outside a
    /// project): where checks run.
    root: PathBuf,
}

pub fn run(io: &mut Io<'_>, options: RunOptions) -> Result<i32, crate::Error> {
    let mut target = resolve(io, &options)?;
    let clock = io.host.clock()?;
    let operator = operator(
        io,
        options.operator.clone(),
        target.answers.as_ref().and_then(|a| a.operator.clone()),
        target.path.parent().unwrap_or(&io.cwd),
    );
    let folders = RunFolders::new(
        &target.records_dir,
        &target.checklist.path,
        &target.environment,
    );
    if options.dry_run {
        let checklist_dir = target.checklist_dir(&io.cwd);
        let defaults = field_defaults(
            &target.plan.fields,
            &operator,
            &checklist_dir,
            clock.as_ref(),
            io,
        );
        let run_folder = folders.folder_name(&Timestamp::from_datetime(clock.now()));
        return super::checks::dry_run(
            io,
            &super::checks::DryRun {
                plan: &target.plan,
                answers: target.answers.as_ref(),
                environment: &target.environment,
                root: &target.root,
                run_folder: &run_folder,
                defaults: &defaults,
                automatic: options.run_checks,
            },
        );
    }
    folders.prepare().map_err(|source| crate::Error::Write {
        path: target.records_dir.clone(),
        source,
    })?;
    let started = Timestamp::from_datetime(clock.now());
    let holder = RunLock::holder(&operator, &io.host.hostname, &started);
    let _lock = RunLock::acquire(&folders.lock_path(), &holder)?;

    let found = find_runs(&folders);
    for note in &found.notes {
        let style = io.stderr_style;
        let label = match note {
            FolderNote::Rebuilt(_) => style.yellow("note:"),
            _ => style.yellow("warning:"),
        };
        writeln!(io.stderr, "{label} {note}")?;
    }
    if found.open.is_none() {
        // No unfinished run: the latest finished one may still have follow-ups open.
        if let Some((folder, open)) = with_follow_ups(&folders) {
            let shown = display_path(&folder.path, &io.cwd);
            if options.resume == ResumeChoice::Resume {
                drop(_lock);
                return super::follow_up::walk_follow_ups(
                    io,
                    folder,
                    options.answers.as_deref(),
                    Some(operator),
                );
            }
            writeln!(
                io.stderr,
                "{} the run in {shown} has {open} follow-up{} open; answer {} with `deploycheck followup {shown}` (or `deploycheck run {} --resume`)",
                io.stderr_style.yellow("note:"),
                if open == 1 { "" } else { "s" },
                if open == 1 { "it" } else { "them" },
                target.environment
            )?;
        }
    }
    let meta = Meta {
        at: started,
        by: operator.clone(),
    };
    let Some((run, report)) =
        open_run(io, &mut target, &folders, found.open, options.resume, &meta)?
    else {
        // Ctrl-C at "Resume it?": nothing was changed.
        writeln!(io.stderr, "\ninterrupted: nothing was changed")?;
        return Ok(exit::INTERRUPTED);
    };
    let run = Arc::new(Mutex::new(run));
    walk_and_close(
        io,
        target,
        run,
        report,
        clock,
        (operator, options.run_checks),
    )
}

/// The checklist, the environment, the plan and the answers file, all checked before
/// anything is written.
fn resolve(io: &mut Io<'_>, options: &RunOptions) -> Result<Target, crate::Error> {
    let project = project_for(io, options.checklist.as_deref())?;
    let path = checklist_path(io, project.as_ref(), options.checklist.as_deref())?;
    // A large answers file takes longer to read than the checklist; read both at once.
    let (loaded, answers_file) = match &options.answers {
        Some(file) => {
            let full = io.cwd.join(file);
            let shown = display_path(&full, &io.cwd);
            let (loaded, answers) = crate::threads::both(
                || load_checklist(&path, &io.cwd),
                || read_answers_file(&full, &shown),
            );
            (loaded, Some(answers))
        }
        None => (load_checklist(&path, &io.cwd), None),
    };
    let loaded = loaded?;
    let environments = Environments::new(project.as_ref().map(|p| &p.config), &loaded.checklist);
    let environment = environments.resolve(&options.environment)?;
    // Answers for items of other environments are unused, not unknown.
    let all_ids: FastSet<String> = match options.answers {
        Some(_) => loaded.checklist.items().map(|i| i.id.clone()).collect(),
        None => FastSet::default(),
    };
    mention_warnings(io, &loaded.checklist.source.path, loaded.warnings.len())?;
    let mut checklist = loaded.checklist.into_environment(&environment);
    let contacts = std::mem::take(&mut checklist.contacts);
    let (title, sha256) = (checklist.title.clone(), checklist.source.sha256.clone());
    let plan = Plan::new(checklist);
    let answers = match answers_file {
        Some(file) => Some(Answers::check(file?, &plan, &all_ids).map_err(crate::Error::Config)?),
        None => None,
    };
    let (identity, records_dir) = match &project {
        Some(project) => (
            path.strip_prefix(&project.root)
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_else(|_| path.to_string_lossy().into_owned()),
            project.records_dir(),
        ),
        None => (path.to_string_lossy().into_owned(), io.cwd.join("runs")),
    };
    let root = match &project {
        Some(project) => project.root.clone(),
        None => {
            // A checklist given by path outside a project: beside its `checklists/` folder
            // when it sits in one, else beside the file.
            let parent = path.parent().unwrap_or(&io.cwd);
            match parent.file_name().and_then(|n| n.to_str()) {
                Some("checklists") => parent.parent().unwrap_or(parent).to_path_buf(),
                _ => parent.to_path_buf(),
            }
        }
    };
    Ok(Target {
        checklist: RecordChecklist {
            title,
            path: identity,
            sha256,
        },
        contacts,
        plan,
        environment,
        answers,
        path,
        records_dir,
        records_note: project.as_ref().and_then(|p| p.records_outside_note()),
        checklist_arg: options.checklist.clone(),
        root,
    })
}

impl Target {
    /// The checklist's folder: where field defaults read git from.
    fn checklist_dir(&self, cwd: &Path) -> PathBuf {
        self.path.parent().unwrap_or(cwd).to_path_buf()
    }

    /// The plan, moved into the run being opened: at 100k items a copy is a fifth of the
    /// time to the first prompt. From then on the run's walk holds the plan (on a resume,
    /// the journal's own), and nothing reads it from here.
    fn take_plan(&mut self) -> Plan {
        std::mem::take(&mut self.plan)
    }

    /// `deploycheck run production -c messy.md --resume`: what takes this run up again.
    fn resume_command(&self) -> String {
        match &self.checklist_arg {
            Some(name) if name.contains(char::is_whitespace) => {
                format!("deploycheck run {} -c '{name}' --resume", self.environment)
            }
            Some(name) => format!("deploycheck run {} -c {name} --resume", self.environment),
            None => format!("deploycheck run {} --resume", self.environment),
        }
    }
}

/// Who runs it: `--operator`, the answers file, `DEPLOYCHECK_OPERATOR`, git's user.name,
/// then the login name; cleaned like any typed text, since it lands on every answer.
pub(super) fn operator(
    io: &Io<'_>,
    given: Option<String>,
    from_answers: Option<String>,
    dir: &Path,
) -> String {
    given
        .or(from_answers)
        .or_else(|| io.host.var("DEPLOYCHECK_OPERATOR"))
        .or_else(|| io.host.git(dir, &["config", "user.name"]))
        .or_else(|| io.host.var("USER"))
        .or_else(|| io.host.var("USERNAME"))
        .map(|name| crate::text::clean_input(&name))
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}

/// The latest finished run of these runs, with how many follow-ups it has open, when it
/// has some.
fn with_follow_ups(folders: &RunFolders) -> Option<(RunFolder, usize)> {
    let latest = folders.candidates().into_iter().find(|folder| {
        crate::store::read_journal(&folder.journal_path())
            .ok()
            .and_then(|c| match c.entries.first() {
                Some((_, _, crate::engine::Event::Start(start))) => Some(
                    start.checklist.path == folders.checklist_path
                        && start.environment == folders.environment,
                ),
                _ => None,
            })
            .unwrap_or(false)
    })?;
    let state = crate::run::RunState::load(&latest.path, Path::new("")).ok()?;
    if !state.is_finished() {
        return None;
    }
    let open = crate::run::follow_up::open_follow_ups(&state.effective()).len();
    (open > 0).then_some((latest, open))
}

/// Starts a new run, or takes up the unfinished one, as the options or the person say.
fn open_run(
    io: &mut Io<'_>,
    target: &mut Target,
    folders: &RunFolders,
    open: Option<(RunFolder, crate::store::JournalContents)>,
    choice: ResumeChoice,
    meta: &Meta,
) -> Result<Option<(Run, Option<ResumeReport>)>, crate::Error> {
    let shown = display_path(&target.path, &io.cwd);
    let resume = match (&open, choice) {
        (None, ResumeChoice::Resume) => {
            return Err(crate::Error::Refused(format!(
                "there is no unfinished run of {shown} for {} in {} to resume",
                target.environment,
                display_path(&target.records_dir, &io.cwd)
            )));
        }
        (None, _) => false,
        (Some(_), ResumeChoice::Resume) => true,
        (Some(_), ResumeChoice::New) => false,
        (Some((folder, contents)), ResumeChoice::Ask) => {
            let walk = crate::engine::replay(contents.entries.iter().cloned()).map_err(|e| {
                crate::Error::Journal(crate::store::JournalError::Damaged {
                    path: folder.journal_path(),
                    line: e.line,
                    what: e.message,
                })
            })?;
            let folder_shown = display_path(&folder.path, &io.cwd);
            match term::offer_resume(io, &walk, &target.plan, &folder_shown)? {
                Some(resume) => resume,
                None => return Ok(None),
            }
        }
    };
    let columns =
        crate::render::width::screen_columns(io.interactive, io.host.var("COLUMNS").as_deref());
    let title = format!(
        "deploycheck run · {} · {} · operator {}",
        target.checklist.title, target.environment, meta.by
    );
    for line in crate::render::width::wrap(&title, columns, "", "  ") {
        writeln!(io.stdout, "{}", io.style.bold(&line))?;
    }
    if let Some(note) = &target.records_note {
        writeln!(io.stdout, "{note}")?;
    }
    let host = io.host.hostname.clone();
    match open {
        Some((folder, contents)) if resume => {
            let (run, report) = Run::resume(
                folder,
                &contents,
                meta,
                &host,
                (target.checklist.clone(), target.take_plan()),
            )?;
            Ok(Some((run, Some(report))))
        }
        other => {
            if let Some((folder, contents)) = other {
                // Closed as it stands: on its own checklist, with every answer it had.
                let mut old = Run::reopen(folder.clone(), &contents)?;
                old.abandon(meta)?;
                writeln!(
                    io.stdout,
                    "Started over: the unfinished run in {} is closed as INCOMPLETE.",
                    display_path(&folder.path, &io.cwd)
                )?;
            }
            let start = Start {
                checklist: target.checklist.clone(),
                environment: target.environment.clone(),
                host,
                plan: Arc::new(target.take_plan()),
                follow_up_of: None,
            };
            Ok(Some((Run::start(folders, meta, start)?, None)))
        }
    }
}

/// Walks the run until it finishes, the operator stops, or the input ends; then closes it
/// and shows the end.
fn walk_and_close(
    io: &mut Io<'_>,
    mut target: Target,
    run: Arc<Mutex<Run>>,
    report: Option<ResumeReport>,
    clock: Arc<dyn Clock>,
    (operator, run_checks): (String, bool),
) -> Result<i32, crate::Error> {
    // The command that takes this run up again, `-c` included when it was given.
    let resume_command = target.resume_command();
    {
        let mut guard = run.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(report) = &report {
            term::describe_resume(io, guard.walk(), report)?;
            if let Some(answers) = target.answers.as_mut() {
                let ignored = discard_answered(&guard, answers);
                if !ignored.is_empty() {
                    writeln!(
                        io.stderr,
                        "warning: the answers file's entries for items already answered are ignored: {}",
                        ignored.join(", ")
                    )?;
                }
            }
        }
        let plan = guard.walk().plan();
        let text = format!(
            "{} item{} to walk, {} more in the rollback procedure · run folder {}",
            plan.main_items,
            if plan.main_items == 1 { "" } else { "s" },
            plan.rollback_items,
            display_path(&guard.folder().path, &io.cwd)
        );
        let columns =
            crate::render::width::screen_columns(io.interactive, io.host.var("COLUMNS").as_deref());
        for line in crate::render::width::wrap(&text, columns, "", "  ") {
            writeln!(io.stdout, "{}", io.style.dim(&line))?;
        }
        guard.sync()?;
    }
    let checklist_dir = target.checklist_dir(&io.cwd);
    let fields = run
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .walk()
        .plan()
        .fields
        .clone();
    let field_defaults = field_defaults(&fields, &operator, &checklist_dir, clock.as_ref(), io);
    let (record_shown, run_folder) = {
        let guard = run.lock().unwrap_or_else(|p| p.into_inner());
        (
            display_path(&guard.folder().record_path(), &io.cwd),
            guard.folder().path.clone(),
        )
    };
    let (outcome, meta) = drive_session(
        io,
        &run,
        &clock,
        Walking {
            operator,
            answers: target.answers.as_mut(),
            contacts: std::mem::take(&mut target.contacts),
            field_defaults,
            checks_dir: target.root.clone(),
            run_folder,
            run_checks,
            resume: (resume_command.clone(), record_shown.clone()),
        },
    )?;
    let mut run = run.lock().unwrap_or_else(|p| p.into_inner());
    let record = match outcome {
        Outcome::Finished => run.finish(&meta)?,
        Outcome::Quit => run.stop(&meta, "quit")?,
        Outcome::EndOfInput => run.stop(&meta, "end of input")?,
        Outcome::Interrupted => {
            // Ctrl-C typed into the line editor: what the signal handler does, minus
            // ending the process from here, so the lock is released on the way out.
            let record = run.stop(&meta, "interrupted");
            let _ = writeln!(
                io.stderr,
                "{}",
                interrupted_line(&record, &record_shown, &resume_command)
            );
            record?;
            return Ok(exit::INTERRUPTED);
        }
    };
    let record_shown = display_path(&run.folder().record_path(), &io.cwd);
    if outcome == Outcome::Finished {
        let columns =
            crate::render::width::screen_columns(io.interactive, io.host.var("COLUMNS").as_deref());
        crate::render::write_summary(io.stdout, &record, io.style, columns)?;
        writeln!(io.stdout, "Record: {record_shown}")?;
        let folder_shown = display_path(&run.folder().path, &io.cwd);
        for signoff in &record.signoffs {
            if signoff.status == crate::model::SignoffStatus::Awaiting {
                writeln!(
                    io.stdout,
                    "{} signs off later with: deploycheck signoff {folder_shown} --role {}",
                    signoff.role,
                    shell_word(&signoff.role)
                )?;
            }
        }
        let open = crate::run::follow_up::open_follow_ups(&record).len();
        if open > 0 {
            // The command on a line of its own, whole, to copy.
            writeln!(
                io.stdout,
                "{open} follow-up{} open; answer {} when due with:\n  deploycheck followup {folder_shown}\n(`deploycheck due` lists follow-ups that are due or overdue.)",
                if open == 1 { "" } else { "s" },
                if open == 1 { "it" } else { "them" },
            )?;
        }
    } else {
        write_stopped(io, &record, &record_shown, &resume_command)?;
    }
    if let Some(answers) = &target.answers {
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
    let code = match (outcome, record.verdict) {
        (Outcome::Finished, verdict) => verdict.exit_code(),
        (_, Verdict::Go) => exit::FAILURE,
        (_, verdict) => verdict.exit_code(),
    };
    // The process ends soon after: freeing the record and the answers file's answers node
    // by node would hold up the exit and give nothing back, so they are left for the process's
    // exit to reclaim (the walk is held to the end by the interrupt handler anyway).
    std::mem::forget((record, target));
    Ok(code)
}

/// What a stopped run has kept: its answers, or, stopped before the first, the run fields
/// typed, rather than just "0 answers".
fn what_is_saved(record: &Record) -> String {
    let answered = record.counts.answered();
    let fields = record.fields.0.iter().filter(|(_, v)| v.is_some()).count();
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    if answered == 0 && fields > 0 {
        format!("{fields} run field{} saved, no answers yet", plural(fields))
    } else {
        format!("{answered} answer{} saved", plural(answered))
    }
}

/// A person stopping for a break wants one sentence: what is saved and how to go on,
/// wrapped at words to the screen's width rather than by the terminal mid-word.
fn write_stopped(
    io: &mut Io<'_>,
    record: &Record,
    record_shown: &str,
    resume_command: &str,
) -> std::io::Result<()> {
    let what = what_is_saved(record);
    let saved = format!("Stopped: {what} ({}) in {record_shown}.", record.headline());
    let resume = format!("Resume with: {resume_command}");
    let columns =
        crate::render::width::screen_columns(io.interactive, io.host.var("COLUMNS").as_deref());
    let one_line = format!("{saved} {resume}");
    if crate::render::width::width(&one_line) <= columns {
        return writeln!(io.stdout, "{one_line}");
    }
    // The command stays whole on a line of its own, to be copied.
    for line in crate::render::width::wrap(&saved, columns, "", "  ") {
        writeln!(io.stdout, "{line}")?;
    }
    writeln!(io.stdout, "{resume}")
}

/// A word as a shell reads it back: quoted when it holds anything but plain characters.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./@:+,".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

pub(super) fn read_answers_file(path: &Path, shown: &str) -> Result<AnswersFile, crate::Error> {
    let text = read_input_text(path, shown, ANSWERS).map_err(crate::Error::Config)?;
    AnswersFile::read(&text, shown).map_err(crate::Error::Config)
}

fn discard_answered(run: &Run, answers: &mut Answers) -> Vec<String> {
    let walk = run.walk();
    let plan = walk.plan();
    let mut ignored = Vec::new();
    for &step in plan.main.iter().chain(&plan.rollback) {
        let answered = match step {
            Step::Field(i) => walk.field(i).is_some(),
            Step::Item(i) => walk.answer(i).is_some(),
            Step::Signoff(r) => walk.signoff(r).is_some(),
        };
        if answered && let Some(name) = answers.discard(step) {
            ignored.push(name);
        }
    }
    ignored
}

/// What one walk of a session needs beyond the run itself.
pub(super) struct Walking<'a> {
    pub operator: String,
    pub answers: Option<&'a mut Answers>,
    pub contacts: Vec<crate::model::Contact>,
    pub field_defaults: Vec<Option<String>>,
    /// Where checks run: the folder holding `checklists/`.
    pub checks_dir: PathBuf,
    pub run_folder: PathBuf,
    /// `--run-checks`: run the checks of items the answers file leaves open.
    pub run_checks: bool,
    /// The command that resumes the run, and the file the interrupt message names.
    pub resume: (String, String),
}

/// Walks a session until it ends: Ctrl-C and check interrupts wired to the run, the walk
/// driven at the prompts, and who and when for whatever closes it.
pub(super) fn drive_session(
    io: &mut Io<'_>,
    run: &Arc<Mutex<Run>>,
    clock: &Arc<dyn Clock>,
    walking: Walking<'_>,
) -> Result<(Outcome, Meta), crate::Error> {
    let pause = Arc::new(term::Pause::default());
    let interrupt = Arc::new(crate::check::Interrupt::default());
    install_interrupt_handler(
        Arc::clone(run),
        Arc::clone(clock),
        walking.operator.clone(),
        walking.resume,
        (io.host.exit, Arc::clone(&interrupt), Arc::clone(&pause)),
    );
    let checks = term::CheckConfig {
        dir: walking.checks_dir,
        run_folder: walking.run_folder,
        inherited: io.host.var_names("DEPLOYCHECK_"),
        automatic: walking.run_checks,
        interrupt,
    };
    let config = SessionConfig {
        interactive: io.interactive,
        style: io.style,
        operator: walking.operator.clone(),
        contacts: walking.contacts,
        field_defaults: walking.field_defaults,
        columns: io.host.var("COLUMNS"),
        pause,
        checks,
    };
    let outcome = Session::new(
        run,
        walking.answers,
        &mut *io.input,
        &mut *io.stdout,
        clock.as_ref(),
        config,
    )
    .drive()?;
    let meta = Meta {
        at: Timestamp::from_datetime(clock.now()),
        by: walking.operator,
    };
    Ok((outcome, meta))
}

/// Ctrl-C saves and stops: the record is written from what the journal holds, exit 130.
/// SIGTERM and SIGHUP (a dropped SSH session) do the same. The process is ended by the
/// `exit` the binary hands in, never from inside the library. While an item's check runs,
/// the first interrupt stops only the check (and everything it started); a second one
/// stops the run, killing what is left of the check first.
fn install_interrupt_handler(
    run: Arc<Mutex<Run>>,
    clock: Arc<dyn Clock>,
    operator: String,
    (resume_command, record_shown): (String, String),
    (exit, interrupt, pause): (fn(i32) -> !, Arc<crate::check::Interrupt>, Arc<term::Pause>),
) {
    let handler = move || {
        // Ctrl-C while waiting for a time window to open stops the wait, not the run.
        if pause.interrupt() {
            return;
        }
        if interrupt.claim() {
            return;
        }
        interrupt.kill_running();
        let mut run = run.lock().unwrap_or_else(|p| p.into_inner());
        if !run.walk().is_open() {
            // The run finished (or was replaced) just now; its record is written.
            exit(crate::error::exit::INTERRUPTED);
        }
        let meta = Meta {
            at: Timestamp::from_datetime(clock.now()),
            by: operator.clone(),
        };
        let record = run.stop(&meta, "interrupted");
        let _ = writeln!(
            std::io::stderr(),
            "{}",
            interrupted_line(&record, &record_shown, &resume_command)
        );
        exit(crate::error::exit::INTERRUPTED);
    };
    // A second handler (tests driving `run` twice in one process) is not worth failing over.
    let _ = ctrlc::set_handler(handler);
}

/// What an interrupted run says on its way out, Ctrl-C arriving as a signal or as a key:
/// what is saved, wrapped to the screen, and the resume command whole on its own line.
fn interrupted_line(
    stopped: &Result<Record, crate::run::RunError>,
    shown: &str,
    resume_command: &str,
) -> String {
    match stopped {
        Ok(record) => {
            let saved = format!("interrupted: {} in {shown}.", what_is_saved(record));
            let columns = crate::render::width::columns(None);
            let mut text = String::from("\n");
            for line in crate::render::width::wrap(&saved, columns, "", "  ") {
                text.push_str(&line);
                text.push('\n');
            }
            text.push_str(&format!("Resume with: {resume_command}"));
            text
        }
        // The stop line itself failed (a full disk; a very large plan's start line that
        // could not be written): the journal has what was answered before it, if anything.
        Err(error @ crate::run::RunError::Journal { .. }) => {
            format!("\ninterrupted, and the stop could not be journaled: {error}")
        }
        Err(error) => format!(
            "\ninterrupted: the journal holds every answer, but the record could not be written: {error}"
        ),
    }
}

/// Deployment Date is today, Deployed By the operator, Git Commit the checklist's HEAD,
/// Version the nearest tag; other fields have no default.
fn field_defaults(
    fields: &[String],
    operator: &str,
    dir: &Path,
    clock: &dyn Clock,
    io: &Io<'_>,
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
                io.host.git(dir, &["rev-parse", "HEAD"])
            } else if lower.contains("version") || lower.contains("release") || lower == "tag" {
                io.host.git(dir, &["describe", "--tags"])
            } else {
                None
            }
        })
        .collect()
}
