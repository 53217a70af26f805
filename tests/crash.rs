//! Durability: killing the process at any moment loses no answer that was followed by a
//! prompt. Each trial types k answers on piped stdin, waits until the next question is on
//! the screen, kills the process with SIGKILL, resumes, and checks the record holds exactly
//! those k answers.

use deploycheck::model::Status;
use proptest::prelude::*;

use crate::support::{Running, Test, fixture_bytes};

/// Answers for the first prompts: four run fields, then items skipped with a numbered reason
/// so each answer is recognisable in the record.
fn answer(prompt: usize) -> String {
    if prompt <= 4 {
        format!("field-{prompt}")
    } else {
        format!("s answer-{prompt}")
    }
}

/// One trial; `Err` says what was lost.
fn kill_after(k: usize) -> Result<(), String> {
    let test = Test::with_seeds();
    let dir = test.path().to_path_buf();
    let mut running = Running::start(&dir, &["run", "production", "--operator", "dana"]);
    for prompt in 1..=k {
        running.wait_for_prompts(prompt);
        running.type_line(&answer(prompt));
    }
    // The next question is on the screen: answer k must be on disk now.
    running.wait_for_prompts(k + 1);
    running.child.kill().unwrap();
    running.child.wait().unwrap();

    let output = Test::resume_in(tempdir_of(test))
        .args(&["run", "production", "--resume", "--operator", "lee"])
        .status(1)
        .run();
    let record = output.only_record();
    let mut problems = Vec::new();
    for (index, (name, value)) in record.fields.0.iter().enumerate() {
        let expected = (index < k).then(|| answer(index + 1));
        if value.as_ref() != expected.as_ref() {
            problems.push(format!("field {name}: {value:?}, expected {expected:?}"));
        }
    }
    let answered: Vec<_> = record
        .items
        .iter()
        .filter(|i| i.status != Status::Pending)
        .collect();
    let expected_items = k.saturating_sub(4);
    if answered.len() != expected_items {
        problems.push(format!(
            "{} items answered, expected {expected_items}",
            answered.len()
        ));
    }
    for (n, item) in answered.iter().enumerate() {
        let reason = format!("answer-{}", n + 5);
        if item.status != Status::Skipped || item.reason.as_deref() != Some(reason.as_str()) {
            problems.push(format!(
                "{}: {:?} {:?}, expected skipped {reason}",
                item.id, item.status, item.reason
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("k={k}: {}", problems.join("; ")))
    }
}

fn tempdir_of(test: Test) -> tempfile::TempDir {
    test.into_dir()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4, ..ProptestConfig::default() })]

    #[test]
    fn sigkill_while_waiting_loses_no_answer_followed_by_a_prompt(k in 1usize..=30) {
        if let Err(lost) = kill_after(k) {
            prop_assert!(false, "{}", lost);
        }
    }
}

/// `cargo test --release --test lib -- --ignored --nocapture sigkill_hundred_trials`
#[test]
#[ignore = "100 trials take a minute; run on demand"]
fn sigkill_hundred_trials() {
    let mut seed: u64 = 0x5eed_cafe;
    let mut lost = Vec::new();
    for _ in 0..100 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let k = 1 + (seed >> 33) as usize % 30;
        if let Err(problem) = kill_after(k) {
            lost.push(problem);
        }
    }
    println!("{} of 100 trials lost an answer", lost.len());
    for problem in &lost {
        println!("  {problem}");
    }
    assert!(lost.is_empty());
}

#[test]
fn a_journal_line_cut_off_by_a_crash_is_ignored_on_resume() {
    let first = Test::with_seeds()
        .args(&["run", "production"])
        .stdin("\n\n\n\ny\ny\n")
        .status(1)
        .run();
    let runs = first.dir.path().join("runs");
    let journal = std::fs::read_dir(&runs)
        .unwrap()
        .map(|e| e.unwrap().path().join("journal.jsonl"))
        .find(|p| p.is_file())
        .unwrap();
    // Reopen the run as if the process died mid-write of a third answer.
    let mut text = std::fs::read_to_string(&journal).unwrap();
    text = text
        .lines()
        .filter(|l| !l.contains("\"event\":{\"stop\""))
        .map(|l| format!("{l}\n"))
        .collect();
    text.push_str(r#"{"event":"answer","id":"pre-deployment/dev"#);
    std::fs::write(&journal, text).unwrap();
    let output = Test::resume_in(first.dir)
        .args(&["run", "production", "--resume"])
        .stdin("y\n")
        .status(1)
        .stderr_contains("the journal's last line was cut off by a crash and is ignored")
        .stdout_contains("(2 answers kept)")
        .run();
    let record = output.only_record();
    assert_eq!(
        record
            .items
            .iter()
            .filter(|i| i.status == Status::Done)
            .count(),
        3
    );
}

#[test]
fn sigint_saves_the_record_and_exits_130() {
    let test = Test::with_seeds();
    let dir = test.path().to_path_buf();
    let mut running = Running::start(&dir, &["run", "production", "--operator", "dana"]);
    for prompt in 1..=6 {
        running.wait_for_prompts(prompt);
        running.type_line(&answer(prompt));
    }
    running.wait_for_prompts(7);
    running.signal("-INT");
    let status = running.child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    let output = Test::resume_in(test.into_dir())
        .args(&[
            "report",
            "runs/mail-score-production-20261123T220000Z",
            "--format",
            "json",
        ])
        .run();
    let report: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(report["verdict"], "INCOMPLETE");
    assert_eq!(
        report["counts"]["skipped"], 2,
        "the two items answered before the interrupt"
    );
    assert_eq!(report["digest_ok"], true);
}

fn go_answers() -> String {
    String::from_utf8(fixture_bytes("answers/mail-score-production-go.yaml")).unwrap()
}

/// The mail-score seed run to GO from its answers file.
fn finished_go_run() -> crate::support::Output {
    Test::with_seeds()
        .write("go.yaml", go_answers())
        .args(&["run", "production", "--answers", "go.yaml"])
        .run()
}

#[test]
fn a_finished_run_whose_record_is_missing_gets_it_back_from_the_journal() {
    let first = finished_go_run();
    let folder = first.run_folders().pop().unwrap();
    let record = folder.join("record.yaml");
    let original = std::fs::read(&record).unwrap();
    // What a kill between the finish line and the record leaves.
    std::fs::remove_file(&record).unwrap();
    let name = folder.file_name().unwrap().to_str().unwrap().to_string();
    let _report = Test::resume_in(first.dir)
        .args(&["report", &format!("runs/{name}"), "--format", "json"])
        .stderr_contains("it was written again from the journal")
        .run();
    assert_eq!(std::fs::read(&record).unwrap(), original, "byte for byte");
}

#[test]
fn a_journal_cut_short_beside_a_finished_record_is_never_resumed_over_it() {
    let first = finished_go_run();
    let folder = first.run_folders().pop().unwrap();
    let record = std::fs::read(folder.join("record.yaml")).unwrap();
    let journal = folder.join("journal.jsonl");
    let text = std::fs::read_to_string(&journal).unwrap();
    let cut: String = text.split_inclusive('\n').take(5).collect();
    std::fs::write(&journal, cut).unwrap();
    let resumed = Test::resume_in(first.dir)
        .args(&["run", "production", "--resume", "--answers", "go.yaml"])
        .status(2)
        .stderr_contains("its journal ends before the finish its record shows, so it was cut short; the run is not resumed")
        .stderr_contains("there is no unfinished run")
        .run();
    assert_eq!(
        std::fs::read(folder.join("record.yaml")).unwrap(),
        record,
        "the finished record is left as it was"
    );
    Test::resume_in(resumed.dir)
        .args(&["verify", folder.to_str().unwrap()])
        .status(1)
        .run();
}

#[test]
fn a_stale_record_from_a_stop_is_replaced_by_the_next_run_but_an_edited_one_is_left() {
    // Stop partway (end of input), keep the record that stop wrote, then finish.
    let first = Test::with_seeds()
        .args(&["run", "production"])
        .stdin("\n\n\n\ny\n")
        .status(1)
        .run();
    let folder = first.run_folders().pop().unwrap();
    let record = folder.join("record.yaml");
    let stale = std::fs::read(&record).unwrap();
    let answers =
        String::from_utf8(fixture_bytes("answers/mail-score-production-go.yaml")).unwrap();
    let finished = Test::resume_in(first.dir)
        .write("go.yaml", &answers)
        .args(&["run", "production", "--resume", "--answers", "go.yaml"])
        .run();
    let final_record = std::fs::read(&record).unwrap();
    // A kill between the finish line and the final record leaves the stop's record.
    std::fs::write(&record, &stale).unwrap();
    let rerun = Test::resume_in(finished.dir)
        .args(&["run", "production", "--new"])
        .stdin("")
        .status(1)
        .stderr_contains(
            "its record was missing or incomplete; it was written again from the journal",
        )
        .run();
    assert_eq!(std::fs::read(&record).unwrap(), final_record);
    // An edit is evidence: verify reports it, and nothing replaces it.
    std::fs::write(&record, b"not: a record\n").unwrap();
    let _verify = Test::resume_in(rerun.dir)
        .args(&["verify", folder.to_str().unwrap()])
        .status(2)
        .stderr_contains("not a deploycheck run record")
        .run();
    assert_eq!(std::fs::read(&record).unwrap(), b"not: a record\n");
}

/// The crash-point sweep: every durable step (mkdir, file creation, write, torn write,
/// fsync, rename) of a 200-item run, stopped there in turn.
#[cfg(unix)]
mod crash_points {
    use std::path::{Path, PathBuf};
    use std::process::{Command, Output, Stdio};

    use deploycheck::engine::{Event, SignoffOutcome};
    use deploycheck::model::{Record, SignoffStatus, SourceFormat, Status};

    const CHECKLIST: &str = "checklists/sweep.md";
    const SETTINGS: &str = "default: sweep\nenvironments:\n  production: [prod]\n";

    /// A 200-item checklist: plain sections, a rollback trigger, a sign-off with its
    /// statements, and two run fields.
    fn checklist() -> String {
        let mut text = String::from("# Crash Sweep\n\n");
        for phase in 1..=4 {
            text.push_str(&format!("## Phase {phase}\n\n"));
            for section in 1..=4 {
                text.push_str(&format!("### Section {phase}.{section}\n\n"));
                for item in 1..=12 {
                    text.push_str(&format!(
                        "- [ ] Check {item} of section {phase}.{section}\n"
                    ));
                }
                text.push('\n');
            }
        }
        text.push_str("## Rollback Checklist (if needed)\n\n### Decision Criteria\n");
        text.push_str("- [ ] Critical functionality broken\n- [ ] Data corruption detected\n");
        text.push_str("- [ ] SLA breach imminent\n\n");
        text.push_str("### Rollback Process\n- [ ] Execute rollback procedure\n\n");
        text.push_str("## Sign-off\n\n### Security Team\n");
        text.push_str("- [ ] Security review completed\n- [ ] Vulnerability assessment passed\n");
        text.push_str("- [ ] Compliance requirements met\n- [ ] Risk assessment approved\n\n");
        text.push_str("**Signed:** _________________ **Date:** _________________\n\n");
        text.push_str("*Version:* _______________\n*Git Commit:* _______________\n");
        text
    }

    /// A step answered on piped stdin: the journal event that records it, and the line.
    #[derive(Debug, Clone)]
    enum Piped {
        Field(String, String),
        Item(String, String),
        Signoff(String, String),
    }

    impl Piped {
        fn line(&self) -> &str {
            match self {
                Piped::Field(_, line) | Piped::Item(_, line) | Piped::Signoff(_, line) => line,
            }
        }

        fn answered_by(&self, event: &Event) -> bool {
            match (self, event) {
                (Piped::Field(name, _), Event::Field { name: n, .. }) => n == name,
                (Piped::Item(id, _), Event::Answer { id: i, .. }) => i == id,
                (Piped::Signoff(role, _), Event::Signoff { role: r, .. }) => r == role,
                _ => false,
            }
        }
    }

    /// The project every trial starts from, and what the run is expected to do.
    struct Scenario {
        checklist: String,
        answers: String,
        piped: Vec<Piped>,
        items: usize,
        /// The point at which a fresh run's second journal write is torn halfway.
        torn_point: usize,
    }

    fn scenario() -> Scenario {
        let checklist = checklist();
        let loaded = deploycheck::source::load_bytes(
            checklist.as_bytes(),
            CHECKLIST,
            SourceFormat::Markdown,
            "sweep",
        )
        .unwrap();
        let leaves: Vec<_> = loaded
            .checklist
            .items()
            .filter(|i| i.children.is_empty())
            .map(|i| i.id.clone())
            .collect();
        // The answers file answers every item but three, spread through the walk, and the
        // sign-off statements; those three, one field and the sign-off come from stdin.
        let by_stdin: Vec<String> = [10, 101, 190].iter().map(|&n| leaves[n].clone()).collect();
        let mut answers = String::from("fields:\n  Version: v1.4.2\nanswers:\n");
        for id in &leaves {
            if by_stdin.contains(id)
                || id.starts_with("rollback-checklist-if-needed/rollback-process")
            {
                continue;
            }
            let answer = if id.contains("decision-criteria") {
                "clear"
            } else {
                "done"
            };
            answers.push_str(&format!("  {id}: {answer}\n"));
        }
        let mut piped = vec![Piped::Field("Git Commit".into(), "3f2a9c1".into())];
        piped.extend(
            by_stdin
                .iter()
                .map(|id| Piped::Item(id.clone(), "done".into())),
        );
        piped.push(Piped::Signoff("Security Team".into(), "Dana Reyes".into()));
        let mut scenario = Scenario {
            checklist,
            answers,
            piped,
            items: leaves.len(),
            torn_point: 0,
        };
        scenario.torn_point = points(&scenario, Case::Fresh)
            .iter()
            .enumerate()
            .filter(|(_, p)| *p == "journal.jsonl: write (torn halfway)")
            .nth(1)
            .expect("a second journal write")
            .0
            + 1;
        scenario
    }

    impl Scenario {
        fn project(&self) -> tempfile::TempDir {
            // Memory, where there is some: a crash of the process (not of the machine) is
            // what is tried here, and fsync on a busy disk would cost the sweep minutes.
            let shm = Path::new("/dev/shm");
            let dir = if shm.is_dir() {
                tempfile::tempdir_in(shm).unwrap_or_else(|_| tempfile::tempdir().unwrap())
            } else {
                tempfile::tempdir().unwrap()
            };
            std::fs::create_dir(dir.path().join("checklists")).unwrap();
            std::fs::write(dir.path().join(CHECKLIST), &self.checklist).unwrap();
            std::fs::write(dir.path().join("checklists/deploycheck.yaml"), SETTINGS).unwrap();
            std::fs::write(dir.path().join("answers.yaml"), &self.answers).unwrap();
            dir
        }

        fn stdin(&self, skip: impl Fn(&Piped) -> bool) -> String {
            self.piped
                .iter()
                .filter(|p| !skip(p))
                .map(|p| format!("{}\n", p.line()))
                .collect()
        }

        /// The piped answers the newest unfinished run in `dir` still needs.
        fn remaining(&self, dir: &Path) -> Vec<Piped> {
            let open = crate::support::run_folders(dir)
                .into_iter()
                .rev()
                .find_map(|folder| {
                    let bytes = std::fs::read(folder.join("journal.jsonl")).ok()?;
                    let events = events(whole_lines(&bytes));
                    (!events.is_empty() && !events.iter().any(Event::closes_run)).then_some(events)
                });
            let answered = open.unwrap_or_default();
            self.piped
                .iter()
                .filter(|p| !answered.iter().any(|e| p.answered_by(e)))
                .cloned()
                .collect()
        }
    }

    fn deploycheck(dir: &Path, args: &[&str], stdin: &str, env: &[(&str, String)]) -> Output {
        use std::io::Write;
        let mut command = Command::new(env!("CARGO_BIN_EXE_deploycheck"));
        command
            .args(args)
            .current_dir(dir)
            .env_remove("NO_COLOR")
            .env_remove("DEPLOYCHECK_OPERATOR")
            .env_remove("DEPLOYCHECK_CRASH_AT")
            .env_remove("DEPLOYCHECK_FAIL_AT")
            .env("HOME", dir)
            .env("DEPLOYCHECK_NOW", "2026-11-23T22:00:00+00:00")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("binary starts");
        // The process may die before it reads all of its input.
        let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
        child.wait_with_output().unwrap()
    }

    fn text(bytes: &[u8]) -> String {
        String::from_utf8_lossy(bytes).into_owned()
    }

    /// The journal's whole lines: what a reader after the crash can rely on.
    fn whole_lines(bytes: &[u8]) -> &[u8] {
        match bytes.iter().rposition(|&b| b == b'\n') {
            Some(end) => &bytes[..=end],
            None => &[],
        }
    }

    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Fault {
        /// Abort the process, as SIGKILL would.
        Crash,
        /// The disk is full from this point on.
        Fail,
    }

    /// What a trial starts from, and the command it stops at each durable point.
    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Case {
        /// A new run: the answers file and piped stdin take it to the end.
        Fresh,
        /// An earlier run was killed halfway through writing an answer; `--resume` cuts
        /// off the torn line, goes on, and stops at the end of its input before the
        /// sign-off.
        ResumeTorn,
        /// An earlier run stopped after its first answer; `--new` closes it as abandoned
        /// and walks a new one to the end.
        StartOver,
    }

    const RUN: [&str; 6] = [
        "run",
        "production",
        "--answers",
        "answers.yaml",
        "--operator",
        "dana",
    ];

    impl Case {
        fn args(self) -> Vec<&'static str> {
            let mut args = RUN.to_vec();
            match self {
                Case::Fresh => {}
                Case::ResumeTorn => args.push("--resume"),
                Case::StartOver => args.push("--new"),
            }
            args
        }

        /// Brings a new project to where the case starts.
        fn set_up(self, scenario: &Scenario, dir: &Path) {
            match self {
                Case::Fresh => {}
                Case::ResumeTorn => {
                    let output = deploycheck(
                        dir,
                        &RUN,
                        &scenario.stdin(|_| false),
                        &[("DEPLOYCHECK_CRASH_AT", scenario.torn_point.to_string())],
                    );
                    assert_eq!(output.status.code(), None, "{}", text(&output.stderr));
                }
                Case::StartOver => {
                    let output = deploycheck(dir, &RUN, "3f2a9c1\n", &[]);
                    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
                }
            }
        }

        /// The piped answers the case's command is given.
        fn piped(self, scenario: &Scenario, dir: &Path) -> Vec<Piped> {
            match self {
                Case::ResumeTorn => {
                    let mut rest = scenario.remaining(dir);
                    rest.pop();
                    rest
                }
                Case::Fresh | Case::StartOver => scenario.piped.clone(),
            }
        }
    }

    fn lines(piped: &[Piped]) -> String {
        piped.iter().map(|p| format!("{}\n", p.line())).collect()
    }

    /// The durable points of a case's command, in order.
    fn points(scenario: &Scenario, case: Case) -> Vec<String> {
        let project = scenario.project();
        case.set_up(scenario, project.path());
        let piped = case.piped(scenario, project.path());
        let output = deploycheck(
            project.path(),
            &case.args(),
            &lines(&piped),
            &[("DEPLOYCHECK_CRASH_AT", "list".into())],
        );
        let stderr = text(&output.stderr);
        assert!(matches!(output.status.code(), Some(0 | 1)), "{stderr}");
        crate::support::durable_points(&stderr)
    }

    /// One trial: the case's command stopped at point `n`, then what an operator does next.
    /// `Err` says what went wrong.
    fn trial(
        scenario: &Scenario,
        case: Case,
        fault: Fault,
        n: usize,
        what: &str,
    ) -> Result<(), String> {
        let project = scenario.project();
        let dir = project.path();
        case.set_up(scenario, dir);
        let piped = case.piped(scenario, dir);
        let variable = match fault {
            Fault::Crash => "DEPLOYCHECK_CRASH_AT",
            Fault::Fail => "DEPLOYCHECK_FAIL_AT",
        };
        let args = case.args();
        let first = deploycheck(dir, &args, &lines(&piped), &[(variable, n.to_string())]);
        let first_err = text(&first.stderr);
        let context = |s: &str| format!("{case:?}, {fault:?} at point {n} ({what}): {s}");
        match fault {
            Fault::Crash => {
                use std::os::unix::process::ExitStatusExt;
                if first.status.signal() != Some(libc_sigabrt()) {
                    return Err(context(&format!(
                        "expected an abort, got {:?}: {first_err}",
                        first.status
                    )));
                }
            }
            Fault::Fail => {
                let code = first.status.code();
                if code == Some(0)
                    || code == Some(101)
                    || code.is_none()
                    || !first_err.contains("No space left on device")
                {
                    return Err(context(&format!(
                        "expected a clear disk-full error, got {code:?}: {first_err}"
                    )));
                }
            }
        }
        if first_err.contains("panicked") {
            return Err(context(&format!("panicked: {first_err}")));
        }

        // What the crash left: each run folder's whole journal lines, and which piped
        // answers a prompt acknowledged (a prompt is shown only after the answers before
        // it are on disk).
        let crashed: Vec<(PathBuf, Vec<u8>)> = crate::support::run_folders(dir)
            .into_iter()
            .map(|f| {
                let bytes = std::fs::read(f.join("journal.jsonl")).unwrap_or_default();
                (f, whole_lines(&bytes).to_vec())
            })
            .collect();
        let prompts = text(&first.stdout)
            .lines()
            .filter(|l| l.starts_with('['))
            .count();
        let acknowledged = &piped[..prompts.saturating_sub(1)];

        // The operator runs the same command again, with the answers still to give; with
        // an unfinished run and no terminal the binary asks for --resume, and gets it.
        let stdin = |args: &[&str]| {
            if args.contains(&"--resume") {
                lines(&scenario.remaining(dir))
            } else {
                lines(&scenario.piped)
            }
        };
        let again = deploycheck(dir, &args, &stdin(&args), &[]);
        let again_err = text(&again.stderr);
        let recovered = if again.status.code() == Some(2) && again_err.contains("--resume") {
            let mut args = args.clone();
            args.push("--resume");
            deploycheck(dir, &args, &stdin(&args), &[])
        } else {
            again
        };
        let recovered_err = text(&recovered.stderr);
        if recovered.status.code() != Some(0) || recovered_err.contains("panicked") {
            return Err(context(&format!(
                "the run after the crash ended {:?}\n{}\n{recovered_err}",
                recovered.status,
                text(&recovered.stdout)
            )));
        }

        // Nothing acknowledged is lost: every crashed journal's whole lines are still the
        // start of its journal, and each answer in them is in its record.
        for (folder, lines) in &crashed {
            let journal = std::fs::read(folder.join("journal.jsonl")).unwrap_or_default();
            if !journal.starts_with(lines) {
                return Err(context(&format!(
                    "{}: the journal lost lines",
                    folder.display()
                )));
            }
            let events = events(lines);
            if events.is_empty() {
                continue;
            }
            let record = read_record(folder).map_err(|e| context(&e))?;
            for event in &events {
                check_in_record(event, &record).map_err(|e| context(&e))?;
            }
        }
        // The run the command walked is the newest; an older one it closed holds none of
        // this command's answers.
        let walked = crashed
            .iter()
            .rev()
            .map(|(_, lines)| events(lines))
            .find(|events| !events.is_empty())
            .unwrap_or_default();
        for piped in acknowledged {
            if !walked.iter().any(|e| piped.answered_by(e)) {
                return Err(context(&format!(
                    "{piped:?} was acknowledged by a prompt but is not in the journal"
                )));
            }
        }

        // No stranded run: every folder with a started journal has a record that verifies,
        // and exactly one run finished with every answer.
        let mut finished = 0;
        for folder in crate::support::run_folders(dir) {
            let journal = std::fs::read(folder.join("journal.jsonl")).unwrap_or_default();
            if events(whole_lines(&journal)).is_empty() {
                if folder.join("record.yaml").exists() {
                    return Err(context(&format!(
                        "{}: a record for a run that never started",
                        folder.display()
                    )));
                }
                continue;
            }
            let record = read_record(&folder).map_err(|e| context(&e))?;
            let name = folder.file_name().unwrap().to_str().unwrap().to_string();
            let verify = deploycheck(dir, &["verify", &format!("runs/{name}")], "", &[]);
            if verify.status.code() != Some(0) {
                return Err(context(&format!(
                    "verify {name}: {:?}\n{}{}",
                    verify.status,
                    text(&verify.stdout),
                    text(&verify.stderr)
                )));
            }
            if record.finished_at.is_some() {
                finished += 1;
                let answered = record
                    .items
                    .iter()
                    .filter(|i| i.status != Status::Pending)
                    .count();
                if answered + 1 != scenario.items
                    || record.fields.0.iter().any(|(_, v)| v.is_none())
                    || record
                        .signoffs
                        .iter()
                        .any(|s| s.status != SignoffStatus::Signed)
                {
                    return Err(context(&format!("{name}: finished without every answer")));
                }
            } else if journal_open(&journal) {
                return Err(context(&format!("{name}: left open")));
            }
        }
        if finished == 0 {
            return Err(context("no run finished"));
        }
        Ok(())
    }

    fn libc_sigabrt() -> i32 {
        6
    }

    fn journal_open(journal: &[u8]) -> bool {
        !events(whole_lines(journal)).iter().any(Event::closes_run)
    }

    /// The events of a journal's whole lines, read as the binary reads them.
    fn events(lines: &[u8]) -> Vec<Event> {
        if lines.is_empty() {
            return Vec::new();
        }
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), lines).unwrap();
        match deploycheck::store::read_journal(file.path()) {
            Ok(contents) => contents.entries.into_iter().map(|(_, _, e)| e).collect(),
            Err(e) if e.never_started() => Vec::new(),
            Err(e) => panic!("a crash damaged the journal: {e}"),
        }
    }

    fn read_record(folder: &Path) -> Result<Record, String> {
        let path = folder.join("record.yaml");
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("{}: no readable record: {e}", path.display()))?;
        let record: Record = deploycheck::yaml::from_str(&text, "record.yaml")
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if record.digest != record.compute_digest() {
            return Err(format!("{}: digest does not match", path.display()));
        }
        Ok(record)
    }

    fn check_in_record(event: &Event, record: &Record) -> Result<(), String> {
        let found = match event {
            Event::Answer {
                id, status, reason, ..
            } => record
                .items
                .iter()
                .any(|i| &i.id == id && i.status == *status && &i.reason == reason),
            Event::Field { name, value } => {
                record.fields.0.iter().any(|(n, v)| n == name && v == value)
            }
            Event::Signoff { role, outcome } => record.signoffs.iter().any(|s| {
                &s.role == role
                    && match outcome {
                        SignoffOutcome::Signed(name) => s.name.as_ref() == Some(name),
                        SignoffOutcome::Refused(why) => s.reason.as_ref() == Some(why),
                        SignoffOutcome::Later => {
                            s.status == deploycheck::model::SignoffStatus::Awaiting
                        }
                    }
            }),
            _ => true,
        };
        if found {
            Ok(())
        } else {
            Err(format!("{event:?} is in the journal but not in the record"))
        }
    }

    fn sweep(case: Case, fault: Fault) {
        let scenario = scenario();
        assert_eq!(scenario.items, 200, "the sweep walks a 200-item run");
        let mut points = points(&scenario, case);
        if case == Case::StartOver {
            // Once the new run's start line is durable, the rest is the fresh run's walk.
            let started = points
                .iter()
                .position(|p| p == "journal.jsonl: fsync the run folder")
                .expect("the new run's journal");
            points.truncate(started + 1);
        }
        let needed: &[&str] = match case {
            Case::Fresh => &[
                "create the run folder",
                "journal.jsonl: create",
                "journal.jsonl: write (torn halfway)",
                "journal.jsonl: fsync",
                "record.yaml: write the temporary file (torn halfway)",
                "record.yaml: rename the temporary file over it",
                "record.yaml: fsync its folder",
            ],
            Case::ResumeTorn => &[
                "journal.jsonl: cut off the torn last line",
                "journal.jsonl: fsync the cut",
                "record.yaml: rename the temporary file over it",
            ],
            Case::StartOver => &["create the run folder", "journal.jsonl: create"],
        };
        for needed in needed {
            assert!(
                points.iter().any(|p| p == needed),
                "no point {needed:?} in {points:#?}"
            );
        }
        let started = std::time::Instant::now();
        // Two at a time: each trial is a few short processes.
        let failures: Vec<String> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..2)
                .map(|worker| {
                    let (scenario, points) = (&scenario, &points);
                    scope.spawn(move || {
                        points
                            .iter()
                            .enumerate()
                            .skip(worker)
                            .step_by(2)
                            .filter_map(|(i, what)| trial(scenario, case, fault, i + 1, what).err())
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|w| w.join().unwrap())
                .collect()
        });
        eprintln!(
            "{case:?}: {fault:?} at each of {} durable points: {:.1?}",
            points.len(),
            started.elapsed()
        );
        assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    }

    #[test]
    fn a_crash_at_any_durable_point_of_a_run_loses_no_acknowledged_answer_and_strands_no_run() {
        sweep(Case::Fresh, Fault::Crash);
    }

    #[test]
    fn a_crash_at_any_durable_point_of_a_resume_after_a_torn_line_loses_nothing() {
        sweep(Case::ResumeTorn, Fault::Crash);
    }

    #[test]
    fn a_crash_at_any_durable_point_of_starting_over_loses_nothing() {
        sweep(Case::StartOver, Fault::Crash);
    }

    #[test]
    fn a_disk_that_fills_at_any_durable_point_loses_nothing_and_the_next_run_rebuilds() {
        sweep(Case::Fresh, Fault::Fail);
    }
}
