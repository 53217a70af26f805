//! What a fault sweep leaves in `runs/`, met through the binary: journals torn or damaged
//! by a crash never block the next run, nothing is written through a symlink planted among
//! a run's files, and checklists whose names begin alike never share runs.

use std::path::{Path, PathBuf};

use crate::support::{Output, Running, Test, durable_points};

/// A mail-score run stopped at its first prompt (end of input): a journal and a record.
fn stopped_run() -> Output {
    Test::with_seeds()
        .args(&["run", "production"])
        .stdin("")
        .status(1)
        .run()
}

fn only_folder(output: &Output) -> PathBuf {
    let folders = output.run_folders();
    assert_eq!(folders.len(), 1, "{folders:?}");
    folders[0].clone()
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn a_torn_start_line_never_blocks_a_new_run_or_a_plain_run() {
    let first = stopped_run();
    let folder = only_folder(&first);
    // What a kill in the middle of writing the first line leaves: half of it, no record.
    let journal = read(&folder.join("journal.jsonl"));
    let first_line = journal.iter().position(|&b| b == b'\n').unwrap();
    let torn = journal[..first_line / 2].to_vec();
    std::fs::write(folder.join("journal.jsonl"), &torn).unwrap();
    std::fs::remove_file(folder.join("record.yaml")).unwrap();

    let plain = Test::resume_in(first.dir)
        .args(&["run", "production"])
        .stdin("")
        .status(1)
        .stderr_contains("a run that never started")
        .stdout_contains("Stopped: 0 answers saved")
        .run();
    let new = Test::resume_in(plain.dir)
        .args(&["run", "production", "--new"])
        .stdin("")
        .status(1)
        .stdout_contains("Started over")
        .run();
    assert_eq!(
        new.run_folders().len(),
        3,
        "two new runs beside the torn one"
    );
    assert_eq!(read(&folder.join("journal.jsonl")), torn, "left as it was");
}

#[test]
fn an_empty_journal_never_blocks_a_new_run() {
    let first = stopped_run();
    let folder = only_folder(&first);
    std::fs::write(folder.join("journal.jsonl"), b"").unwrap();
    std::fs::remove_file(folder.join("record.yaml")).unwrap();
    Test::resume_in(first.dir)
        .args(&["run", "production"])
        .stdin("")
        .status(1)
        .stderr_contains("a run that never started")
        .run();
}

/// 5,000 items: a plan past the size whose start line is written beside the first prompt.
fn large_checklist() -> String {
    let mut text = String::from("# Large\n\n## Rollout\n\n");
    for wave in 0..50 {
        text.push_str(&format!("### Wave {wave}\n\n"));
        for item in 0..100 {
            text.push_str(&format!("- [ ] Check {item} of wave {wave}\n"));
        }
        text.push('\n');
    }
    text
}

/// A project with the large checklist and no `runs/`, and the durable points of its run
/// stopped at the first prompt, in order.
fn large_run_points() -> (tempfile::TempDir, Vec<String>) {
    let listed = Test::new()
        .write("checklists/large.md", large_checklist())
        .args(&["run", "production"])
        .env("DEPLOYCHECK_CRASH_AT", "list")
        .stdin("")
        .status(1)
        .run();
    let points = durable_points(&listed.stderr);
    // The same points again: from a project with no `runs/` yet.
    std::fs::remove_dir_all(listed.dir.path().join("runs")).unwrap();
    (listed.dir, points)
}

/// The number (from 1) of the first durable point named `what`.
fn point_named(points: &[String], what: &str) -> usize {
    1 + points
        .iter()
        .position(|p| p == what)
        .unwrap_or_else(|| panic!("no point {what:?} among {points:?}"))
}

#[test]
fn a_crash_at_any_point_of_a_large_plans_start_line_leaves_a_run_that_starts_again() {
    let (dir, points) = large_run_points();
    let create = point_named(&points, "journal.jsonl: create");
    let folder_fsync = point_named(&points, "journal.jsonl: fsync the run folder");
    let mut dir = dir;
    // Every point of the start line's thread, the operator typing an answer meanwhile.
    for n in create + 1..=folder_fsync {
        let crashed = Test::resume_in(dir)
            .args(&["run", "production"])
            .env("DEPLOYCHECK_CRASH_AT", &n.to_string())
            .stdin("y\n")
            .ends_by_a_signal()
            .stderr_contains("crashing at durable point")
            .run();
        assert!(
            !crashed.stdout.contains("[2/"),
            "point {n}: no answer acknowledged"
        );
        // Whatever the crash left, a new run starts and nothing was acknowledged.
        let again = Test::resume_in(crashed.dir)
            .args(&["run", "production", "--new"])
            .stdin("")
            .status(1)
            .stdout_contains("Stopped: 0 answers saved")
            .run();
        dir = again.dir;
        std::fs::remove_dir_all(dir.path().join("runs")).unwrap();
    }
}

#[test]
fn a_large_plans_start_line_is_whole_before_the_answer_after_it_killed_at_the_next_prompt() {
    let test = Test::new().write("checklists/large.md", large_checklist());
    let dir = test.path().to_path_buf();
    let mut running = Running::start(&dir, &["run", "production", "--operator", "dana"]);
    running.wait_for_prompts(1);
    running.type_line("y");
    running.wait_for_prompts(2);
    running.signal("-KILL");
    running.child.wait().unwrap();

    let folder = crate::support::run_folders(&dir).remove(0);
    let journal = read(&folder.join("journal.jsonl"));
    let lines: Vec<&[u8]> = journal.split_inclusive(|&b| b == b'\n').collect();
    assert_eq!(lines.len(), 2, "the start line, then the answer");
    assert!(lines[0].starts_with(b"{\"seq\":1,") && lines[0].ends_with(b"\n"));
    assert!(lines[1].starts_with(b"{\"seq\":2,") && lines[1].ends_with(b"\n"));

    let resumed = Test::resume_in(test.into_dir())
        .args(&["run", "production", "--resume", "--operator", "lee"])
        .stdin("")
        .status(1)
        .stdout_contains("Stopped: 1 answer saved")
        .run();
    let record = resumed.only_record();
    assert_eq!(record.items.len(), 5_000);
    assert_eq!(record.items[0].answered_by.as_deref(), Some("dana"));
}

#[test]
fn a_large_plans_start_line_that_cannot_be_written_fails_the_first_answer_unacknowledged() {
    let (dir, points) = large_run_points();
    let point = point_named(&points, "journal.jsonl: write").to_string();
    let failed = Test::resume_in(dir)
        .args(&["run", "production"])
        .env("DEPLOYCHECK_FAIL_AT", &point)
        .stdin("y\n")
        .status(3)
        .stderr_contains("error: cannot write the journal")
        .stderr_contains("No space left on device")
        .run();
    assert!(
        !failed.stdout.contains("[2/"),
        "no prompt acknowledges the answer"
    );
    // The message names the cause; no `Caused by:` line says it again.
    assert_eq!(
        failed.stderr.matches("No space left on device").count(),
        1,
        "{}",
        failed.stderr
    );
    Test::resume_in(failed.dir)
        .args(&["run", "production"])
        .stdin("")
        .status(1)
        .stderr_contains("a run that never started")
        .stdout_contains("Stopped: 0 answers saved")
        .run();
}

#[test]
fn an_old_damaged_journal_never_blocks_a_new_run() {
    let first = Test::with_seeds()
        .args(&["run", "production"])
        .stdin("\n\n\n\ny\ny\n")
        .status(1)
        .run();
    let folder = only_folder(&first);
    let mut journal = read(&folder.join("journal.jsonl"));
    // One byte of the second line changed: damage a checksum catches, not a torn tail.
    let second = journal.iter().position(|&b| b == b'\n').unwrap() + 10;
    journal[second] ^= 0x01;
    std::fs::write(folder.join("journal.jsonl"), &journal).unwrap();

    let resume = Test::resume_in(first.dir)
        .args(&["run", "production", "--resume"])
        .stdin("")
        .status(2)
        .stderr_contains("damaged journal line")
        .stderr_contains("there is no unfinished run")
        .run();
    let new = Test::resume_in(resume.dir)
        .args(&["run", "production", "--new"])
        .stdin("")
        .status(1)
        .stderr_contains(":2: damaged journal line")
        .stderr_contains("that run cannot be resumed, and is left as it is")
        .run();
    assert_eq!(new.run_folders().len(), 2);
    assert_eq!(
        read(&folder.join("journal.jsonl")),
        journal,
        "left as it was"
    );
}

#[cfg(unix)]
#[test]
fn a_symlinked_lock_file_is_refused_and_its_target_is_untouched() {
    let first = stopped_run();
    let locks = first.dir.path().join("runs/.locks");
    let lock = std::fs::read_dir(&locks)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "lock"))
        .expect("a lock file");
    std::fs::write(first.dir.path().join("victim.txt"), "precious\n").unwrap();
    std::fs::remove_file(&lock).unwrap();
    std::os::unix::fs::symlink("../../victim.txt", &lock).unwrap();

    let output = Test::resume_in(first.dir)
        .args(&["run", "production", "--new"])
        .stdin("")
        .status(2)
        .stderr_contains("is a symbolic link; deploycheck never writes through one")
        .run();
    assert_eq!(read(&output.dir.path().join("victim.txt")), b"precious\n");
    assert_eq!(output.run_folders().len(), 1, "no run started");
}

#[cfg(unix)]
#[test]
fn a_symlinked_journal_is_never_appended_to() {
    let first = stopped_run();
    let folder = only_folder(&first);
    let victim = first.dir.path().join("victim.jsonl");
    std::fs::rename(folder.join("journal.jsonl"), &victim).unwrap();
    std::os::unix::fs::symlink("../../victim.jsonl", folder.join("journal.jsonl")).unwrap();
    let before = read(&victim);

    let resume = Test::resume_in(first.dir)
        .args(&["run", "production", "--resume"])
        .stdin("")
        .status(2)
        .stderr_contains("there is no unfinished run")
        .run();
    let new = Test::resume_in(resume.dir)
        .args(&["run", "production", "--new"])
        .stdin("")
        .status(1)
        .run();
    assert_eq!(read(&victim), before, "never appended to through the link");
    assert!(
        std::fs::symlink_metadata(folder.join("journal.jsonl"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(new.run_folders().len(), 2);
}

#[cfg(unix)]
#[test]
fn a_symlinked_record_is_never_written_through() {
    let first = stopped_run();
    let folder = only_folder(&first);
    let victim = first.dir.path().join("victim.yaml");
    std::fs::write(&victim, "precious\n").unwrap();
    std::fs::remove_file(folder.join("record.yaml")).unwrap();
    std::os::unix::fs::symlink("../../victim.yaml", folder.join("record.yaml")).unwrap();

    // The run is resumed and stops again: its record is written beside the link's place,
    // replacing the link, never into what it points at.
    let output = Test::resume_in(first.dir)
        .args(&["run", "production", "--resume"])
        .stdin("")
        .status(1)
        .run();
    assert_eq!(read(&victim), b"precious\n");
    let record = std::fs::symlink_metadata(folder.join("record.yaml")).unwrap();
    assert!(record.is_file(), "a record of its own replaced the link");
    output.only_record();
}

#[cfg(unix)]
#[test]
fn a_finished_runs_symlinked_record_is_rebuilt_without_writing_through_it() {
    let answers = String::from_utf8(crate::support::fixture_bytes(
        "answers/mail-score-production-go.yaml",
    ))
    .unwrap();
    let first = Test::with_seeds()
        .write("go.yaml", &answers)
        .args(&["run", "production", "--answers", "go.yaml"])
        .run();
    let folder = only_folder(&first);
    let original = read(&folder.join("record.yaml"));
    let victim = first.dir.path().join("victim.yaml");
    std::fs::write(&victim, "precious\n").unwrap();
    std::fs::remove_file(folder.join("record.yaml")).unwrap();
    std::os::unix::fs::symlink("../../victim.yaml", folder.join("record.yaml")).unwrap();

    let name = folder.file_name().unwrap().to_str().unwrap().to_string();
    let _verified = Test::resume_in(first.dir)
        .args(&["verify", &format!("runs/{name}")])
        .stderr_contains("it was written again from the journal")
        .run();
    assert_eq!(read(&victim), b"precious\n");
    assert_eq!(read(&folder.join("record.yaml")), original);
}

/// Two checklists whose names share their first 60 characters.
const ALPHA: &str = "payment-gateway-settlement-and-reconciliation-core-services-alpha";
const BETA: &str = "payment-gateway-settlement-and-reconciliation-core-services-beta";

fn two_long_names() -> Test {
    let checklist =
        |title: &str| format!("# {title}\n\n## Deploy\n\n### Steps\n- [ ] Push\n- [ ] Verify\n");
    Test::new()
        .write(
            "checklists/deploycheck.yaml",
            format!("default: {ALPHA}\nenvironments:\n  production: [prod]\n"),
        )
        .write(&format!("checklists/{ALPHA}.md"), checklist("Alpha"))
        .write(&format!("checklists/{BETA}.md"), checklist("Beta"))
}

#[test]
fn checklists_whose_names_share_58_characters_never_share_runs() {
    assert!(ALPHA.len() > 58 && ALPHA[..59] == BETA[..59]);
    let alpha = two_long_names()
        .args(&["run", "production", "-c", ALPHA])
        .stdin("done\n")
        .status(1)
        .stdout_contains("Stopped: 1 answer saved")
        .run();
    let folder = only_folder(&alpha);
    let journal = read(&folder.join("journal.jsonl"));
    let record = read(&folder.join("record.yaml"));

    let beta = Test::resume_in(alpha.dir)
        .args(&["run", "production", "-c", BETA, "--resume"])
        .stdin("done\n")
        .status(2)
        .stderr_contains("there is no unfinished run")
        .run();
    assert_eq!(read(&folder.join("journal.jsonl")), journal);
    assert_eq!(read(&folder.join("record.yaml")), record);

    // Beta's own run starts in a folder of its own; alpha's is still there to resume.
    let beta = Test::resume_in(beta.dir)
        .args(&["run", "production", "-c", BETA])
        .stdin("done\ndone\n")
        .run();
    assert_eq!(beta.run_folders().len(), 2);
    assert_eq!(read(&folder.join("journal.jsonl")), journal);
    let alpha = Test::resume_in(beta.dir)
        .args(&["run", "production", "-c", ALPHA, "--resume"])
        .stdin("done\n")
        .run();
    let records = alpha.records();
    assert_eq!(records.len(), 2);
    for (_, record) in &records {
        assert_eq!(record.verdict, deploycheck::model::Verdict::Go);
        assert_eq!(record.items.len(), 2);
    }
    let titles: Vec<&str> = records
        .iter()
        .map(|(_, r)| r.checklist.title.as_str())
        .collect();
    assert!(
        titles.contains(&"Alpha") && titles.contains(&"Beta"),
        "{titles:?}"
    );
}

/// A checklist past the size at which the scan is shared between two threads (1 MiB),
/// and an answers file that answers every item.
fn large_project() -> Test {
    let (phases, sections, items) = (6, 40, 20);
    // Notes under each section make up most of the size, as a runbook's prose does.
    let notes = "Before this section, read the dashboard and the last deploy's notes. ".repeat(64);
    let mut checklist = String::from("# Large release\n\n");
    let mut answers = String::from("operator: tester\nanswers:\n");
    for p in 1..=phases {
        checklist.push_str(&format!("## Phase {p}\n\n"));
        for s in 1..=sections {
            checklist.push_str(&format!("### Section {s}\n\n{notes}\n\n"));
            for i in 1..=items {
                checklist.push_str(&format!("- [ ] Check {i} of section {s}\n"));
                answers.push_str(&format!(
                    "  phase-{p}/section-{s}/check-{i}-of-section-{s}: done\n"
                ));
            }
            checklist.push('\n');
        }
    }
    assert!(checklist.len() > 1 << 20, "{}", checklist.len());
    Test::new()
        .write("checklists/large.md", checklist)
        .write("answers.yaml", answers)
}

/// A process at its thread limit does on its one thread what deploycheck would share
/// among threads (the scan of a large file, reading the answers beside the checklist,
/// hashing a record as it is written, reading two records, replaying a journal beside
/// reading its record): it panics nowhere and prints what a process with threads prints.
#[test]
fn a_process_that_can_start_no_thread_does_every_job_alike() {
    let Some(limited) = large_project().without_threads() else {
        return;
    };
    let mut outputs = Vec::new();
    for project in [large_project(), limited] {
        let without_threads = !outputs.is_empty();
        let mut seen = Vec::new();
        let mut dir = Some(project.into_dir());
        let mut step = |dir: &mut Option<tempfile::TempDir>, args: &[&str]| {
            let mut next = Test::resume_in(dir.take().unwrap());
            if without_threads {
                next = next.without_threads().expect("set up once already");
            }
            let output = next.args(args).run();
            seen.push((args.join(" "), output.stdout, output.stderr));
            *dir = Some(output.dir);
        };
        // Two runs, so that `diff` reads records in two folders, each on its own thread.
        step(
            &mut dir,
            &["run", "production", "--answers", "answers.yaml"],
        );
        step(
            &mut dir,
            &["run", "production", "--answers", "answers.yaml"],
        );
        let root = dir.as_ref().unwrap().path().to_path_buf();
        let records: Vec<String> = crate::support::run_folders(&root)
            .iter()
            .map(|folder| {
                let folder = folder.strip_prefix(&root).unwrap();
                folder.join("record.yaml").to_str().unwrap().to_string()
            })
            .collect();
        assert_eq!(records.len(), 2, "{records:?}");
        step(&mut dir, &["validate"]);
        step(&mut dir, &["verify", &records[0]]);
        step(&mut dir, &["diff", &records[0], &records[1]]);
        step(&mut dir, &["report", &records[1]]);
        assert!(seen[0].1.contains("Verdict: GO"), "{}", seen[0].1);
        outputs.push(seen);
    }
    assert_eq!(outputs[0], outputs[1]);
}

/// `history` over more runs than it reads on one thread (folders listed and records read
/// on every core) gives the same table from a process that can start no thread.
#[test]
fn history_from_a_process_that_can_start_no_thread_is_the_same() {
    let project = || {
        let output = Test::new()
            .write(
                "checklists/small.md",
                "# Small\n\n## Phase\n\n### Section\n\n- [ ] First\n- [ ] Second\n",
            )
            .write(
                "answers.yaml",
                "operator: tester\nanswers:\n  phase/section/first: done\n  phase/section/second: done\n",
            )
            .args(&["run", "production", "--answers", "answers.yaml"])
            .run();
        let folder = only_folder(&output);
        let runs = folder.parent().unwrap();
        for n in 1..=600 {
            let copy = runs.join(format!(
                "{}-{n}",
                folder.file_name().unwrap().to_str().unwrap()
            ));
            std::fs::create_dir(&copy).unwrap();
            for file in std::fs::read_dir(&folder).unwrap() {
                let file = file.unwrap().path();
                std::fs::copy(&file, copy.join(file.file_name().unwrap())).unwrap();
            }
        }
        Test::resume_in(output.dir).args(&["history"])
    };
    let Some(limited) = project().without_threads() else {
        return;
    };
    let (with, without) = (project().run(), limited.run());
    assert!(with.stdout.starts_with("601 runs"), "{}", with.stdout);
    assert_eq!((with.stdout, with.stderr), (without.stdout, without.stderr));
}

/// A check is run only where it can be watched (its time-out, Ctrl-C, its output): in a
/// process that can start no thread it is not started, and the walk says why.
#[test]
fn a_check_that_no_thread_can_watch_is_not_started_and_says_why() {
    let Some(limited) = Test::new()
        .write(
            "checklists/y.yaml",
            "title: Y\nphases:\n- title: P\n  sections:\n  - title: S\n    items:\n    - text: a\n      check: touch ran\n",
        )
        .write("answers.yaml", "operator: tester\nanswers: {}\n")
        .without_threads()
    else {
        return;
    };
    let output = limited
        .args(&[
            "run",
            "production",
            "--answers",
            "answers.yaml",
            "--run-checks",
        ])
        .stdin("")
        .status(1)
        .stdout_contains("could not start a thread to watch the check")
        .run();
    let record = output.only_record();
    assert_eq!(record.items[0].status, deploycheck::model::Status::Pending);
}
