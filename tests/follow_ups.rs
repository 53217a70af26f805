//! The checklist's clock in a run: the deployment moment, windows not yet open (waiting,
//! answering early), late answers, follow-ups handed over on deploy night and answered
//! days later by someone else in another clone, and `due` at several instants. Every
//! time here is DEPLOYCHECK_NOW's; nothing sleeps.

use std::path::{Path, PathBuf};

use deploycheck::model::{Record, Status, Verdict};

use crate::support::{Output, Test, fixture_bytes};

const FIRST_WEEK: &str = "post-launch-monitoring/first-week/";
const EXTENDED: &str = "post-deployment/extended-verification-15-60-minutes/";

fn enterprise_night() -> Test {
    Test::with_seeds()
        .fixture("answers/enterprise-production-night.yaml", "night.yaml")
        .args(&[
            "run",
            "production",
            "-c",
            "enterprise",
            "--answers",
            "night.yaml",
        ])
}

fn run_folder(dir: &Path) -> String {
    let folders = crate::support::run_folders(dir);
    assert_eq!(folders.len(), 1, "{folders:?}");
    format!("runs/{}", folders[0].file_name().unwrap().to_string_lossy())
}

fn first_week_answers(operator: &str) -> String {
    let ids = [
        "trends-analyzed",
        "anomalies-investigated",
        "optimizations-identified",
        "improvements-planned",
    ];
    let mut text = format!("operator: {operator}\nanswers:\n");
    for id in ids {
        text.push_str(&format!("  {FIRST_WEEK}performance-analysis/{id}: done\n"));
    }
    text
}

/// The mail-score seed at a terminal, its answers file answering everything but Extended
/// Verification, so the walk stops there.
fn mail_score_at_extended(stdin: &str) -> Test {
    mail_score_without(&["extended-verification"], stdin)
}

/// The mail-score seed at a terminal, its answers file answering all but the sections named.
fn mail_score_without(sections: &[&str], stdin: &str) -> Test {
    let answers = String::from_utf8(fixture_bytes("answers/mail-score-production-go.yaml"))
        .unwrap()
        .lines()
        .filter(|l| !sections.iter().any(|s| l.contains(s)))
        .collect::<Vec<_>>()
        .join("\n");
    Test::with_seeds()
        .write("answers.yaml", answers)
        .env("DEPLOYCHECK_ASSUME_TERMINAL", "1")
        .env("COLUMNS", "80")
        .args(&["run", "production", "--answers", "answers.yaml"])
        .stdin(stdin)
}

/// The screen from the first prompt of Extended Verification on.
fn from_extended(stdout: &str) -> String {
    let start = stdout
        .find("61/164")
        .unwrap_or_else(|| panic!("no Extended Verification prompt in\n{stdout}"));
    let start = stdout[..start].rfind("Deployment moment").unwrap_or(start);
    stdout[start..].to_string()
}

#[test]
fn the_deployment_moment_is_on_screen_and_in_the_record() {
    let output = Test::with_seeds()
        .fixture("answers/mail-score-production-go.yaml", "answers.yaml")
        .args(&["run", "production", "--answers", "answers.yaml"])
        .run();
    let record = output.only_record();
    // After the 60 answers up to Verification Steps (fields and all), one tick each.
    let deployed = record.deployed_at.clone().expect("a deployment moment");
    assert!(
        output.stdout.contains(&format!(
            "Deployment moment: {}.",
            &deployed.as_str()[11..19]
        )),
        "{}",
        output.stdout
    );
    let last_before = record
        .items
        .iter()
        .filter(|i| i.section == "Verification Steps")
        .filter_map(|i| i.answered_at.clone())
        .max()
        .unwrap();
    assert!(deployed > last_before);
    let extended = record
        .items
        .iter()
        .find(|i| i.id.starts_with(EXTENDED))
        .unwrap();
    let window = extended.window.as_ref().unwrap();
    assert_eq!(
        window.opens.as_ref().unwrap().instant() - deployed.instant(),
        chrono::Duration::minutes(15)
    );
    // Answered by the file seconds after the deploy: early, and it says why.
    let early = extended.early.as_ref().expect("early");
    assert_eq!(early.reason, "from the answers file");
    assert_eq!(record.verdict, Verdict::Go);
}

#[test]
fn a_window_not_yet_open_is_announced_with_its_opening_time_and_a_countdown() {
    let output = mail_score_at_extended("quit\n").status(1).run();
    insta::assert_snapshot!("window_not_yet_open_80", from_extended(&output.stdout));
}

#[test]
fn wait_lets_the_window_open_on_the_injected_clock_and_its_answers_are_on_time() {
    let output = mail_score_at_extended(&format!("wait\n{}", "y\n".repeat(8))).run();
    let screen = from_extended(&output.stdout);
    insta::assert_snapshot!(
        "window_wait_80",
        screen.lines().take(16).collect::<Vec<_>>().join("\n")
    );
    let record = output.only_record();
    let extended: Vec<_> = record
        .items
        .iter()
        .filter(|i| i.id.starts_with(EXTENDED))
        .collect();
    assert_eq!(extended.len(), 8);
    for item in extended {
        assert_eq!(item.status, Status::Done);
        assert_eq!(item.early, None, "{}", item.id);
        assert_eq!(item.late, None, "{}", item.id);
        let opens = item.window.as_ref().unwrap().opens.clone().unwrap();
        assert!(item.answered_at.clone().unwrap() >= opens);
    }
    assert_eq!(record.verdict, Verdict::Go);
    assert!(record.outstanding.is_empty());
}

#[test]
fn an_early_answer_asks_why_once_per_section_and_is_recorded_early() {
    let output = mail_score_at_extended(&format!(
        "y\n\ny\nthe canary has run for an hour\n{}",
        "y\n".repeat(7)
    ))
    .run();
    let screen = from_extended(&output.stdout);
    assert!(
        screen.contains("Extended Verification opens 22:15, in 14 min. Why answer it early?"),
        "{screen}"
    );
    assert!(
        screen.contains("not answered; wait, later, or early REASON"),
        "{screen}"
    );
    assert_eq!(
        screen.matches("Why answer it early?").count(),
        2,
        "asked again after Enter, never after a reason: {screen}"
    );
    let record = output.only_record();
    for item in record.items.iter().filter(|i| i.id.starts_with(EXTENDED)) {
        let early = item
            .early
            .as_ref()
            .unwrap_or_else(|| panic!("{} early", item.id));
        assert_eq!(early.reason, "the canary has run for an hour");
        assert!(early.by.ends_with("min"), "{}", early.by);
    }
    let report = Test::resume_in(output.dir)
        .args(&["report", &run_folder_of_record(&record)])
        .run();
    assert!(report.stdout.contains("done (early)"), "{}", report.stdout);
}

#[test]
fn a_bare_y_is_not_a_reason_to_answer_early() {
    let output = mail_score_at_extended(&format!(
        "y\ny\nthe canary has run for an hour\n{}",
        "y\n".repeat(7)
    ))
    .run();
    let screen = from_extended(&output.stdout);
    assert!(
        screen.contains("`y` is not a reason: say why, or press Enter to go back"),
        "{screen}"
    );
    let record = output.only_record();
    let early: Vec<_> = record
        .items
        .iter()
        .filter_map(|i| i.early.as_ref())
        .map(|e| e.reason.as_str())
        .collect();
    assert_eq!(early, ["the canary has run for an hour"; 8]);
}

fn run_folder_of_record(record: &Record) -> String {
    format!(
        "runs/mail-score-production-{}",
        record.started_at.compact_utc()
    )
}

#[test]
fn answers_after_the_window_closed_are_recorded_late_with_how_late() {
    let stopped = mail_score_at_extended("quit\n").status(1).run();
    let dir = stopped.dir;
    // Two hours later: the 15-60 minute window closed an hour ago.
    let output = Test::resume_in(dir)
        .write(
            "answers.yaml",
            String::from_utf8(fixture_bytes("answers/mail-score-production-go.yaml")).unwrap(),
        )
        .env("DEPLOYCHECK_ASSUME_TERMINAL", "1")
        .env("COLUMNS", "80")
        .env("DEPLOYCHECK_NOW", "2026-11-24T00:00:00+00:00")
        .args(&["run", "production", "--resume", "--answers", "answers.yaml"])
        .run();
    let record = output.only_record();
    let late: Vec<&str> = record
        .items
        .iter()
        .filter(|i| i.id.starts_with(EXTENDED))
        .map(|i| i.late.as_deref().unwrap_or("on time"))
        .collect();
    assert_eq!(late.len(), 8);
    assert!(late.iter().all(|l| *l == "59 min"), "{late:?}");
    assert_eq!(record.verdict, Verdict::Go, "late is said, not judged");
}

#[test]
fn later_hands_a_section_over_as_follow_ups_and_the_run_ends_go_with_them() {
    let output = mail_score_at_extended("later\n").run();
    assert!(
        output
            .stdout
            .contains("Handed over as follow-ups: 8 items of Extended Verification, due by 23:00."),
        "{}",
        output.stdout
    );
    let record = output.only_record();
    assert_eq!(record.counts.follow_ups, 8);
    assert_eq!(
        record.headline(),
        "GO · 8 follow-ups due by 2026-11-23 23:00"
    );
    assert!(
        output
            .stdout
            .contains("Verdict: GO · 8 follow-ups due by 2026-11-23 23:00")
    );
}

#[test]
fn back_takes_a_hand_over_back() {
    let output = mail_score_without(
        &["extended-verification", "documentation-updates"],
        &format!("later\nback\nwait\n{}", "y\n".repeat(8 + 6)),
    )
    .run();
    let record = output.only_record();
    assert_eq!(record.counts.follow_ups, 0, "{}", output.stdout);
    assert_eq!(record.headline(), "GO");
}

#[test]
fn wait_in_a_section_that_is_open_or_has_no_window_says_so() {
    let output = mail_score_at_extended(&format!("wait\nwait\n{}", "y\n".repeat(8))).run();
    assert!(
        output
            .stdout
            .contains("Extended Verification is open: nothing to wait for"),
        "{}",
        output.stdout
    );
}

#[test]
fn a_scripted_enterprise_night_ends_go_with_its_first_week_follow_ups_due() {
    let output = enterprise_night().run();
    let record = output.only_record();
    assert_eq!(record.verdict, Verdict::Go, "{}", output.stdout);
    assert_eq!(record.counts.follow_ups, 4);
    assert_eq!(
        record.counts.pending, 8,
        "the rollback procedure, not walked"
    );
    let due = record.outstanding.join("; ");
    assert!(
        due.starts_with("4 follow-ups due by 2026-11-30 22:"),
        "{due}"
    );
    assert!(
        output.stdout.contains(&format!("Verdict: GO · {due}")),
        "{}",
        output.stdout
    );
    assert!(
        output
            .stdout
            .contains("Handed over as follow-ups: 4 items of 📊 First Week, due by 2026-11-30 22:"),
        "{}",
        output.stdout
    );
    for item in record.leaves().filter(|i| i.id.starts_with(FIRST_WEEK)) {
        let follow_up = item.follow_up.as_ref().expect("a follow-up");
        assert_eq!(follow_up.handed_over_by, "dana");
        assert_eq!(
            follow_up.due.instant() - record.deployed_at.clone().unwrap().instant(),
            chrono::Duration::days(7)
        );
        assert_eq!(item.status, Status::Pending);
    }
    // Recomputed from the record alone, the verdict is the same.
    assert_eq!(record.judge().headline(), record.headline());
    // The end says how the follow-ups get answered, with the command whole on its line.
    assert!(
        output.stdout.contains("4 follow-ups open; answer them when due with:\n  deploycheck followup runs/enterprise-production-20261123T220000Z\n(`deploycheck due` lists follow-ups that are due or overdue.)"),
        "{}",
        output.stdout
    );
}

#[test]
fn due_never_says_nothing_is_open_of_a_run_it_cannot_read() {
    // A merge left conflict markers in the record: in cron, that must not pass for a
    // project with nothing due.
    let night = enterprise_night().run();
    let run = run_folder(night.dir.path());
    let record = night.dir.path().join(&run).join("record.yaml");
    let text = std::fs::read_to_string(&record).unwrap();
    std::fs::write(
        &record,
        format!("<<<<<<< HEAD\n{text}=======\n>>>>>>> theirs\n"),
    )
    .unwrap();
    let out = Test::resume_in(night.dir)
        .env("DEPLOYCHECK_NOW", "2026-12-01T09:00:00+00:00")
        .args(&["due"])
        .status(2)
        .stderr_contains("its follow-ups are not counted")
        .stdout_contains("No follow-ups open in the runs that read; 1 run did not read")
        .run();
    let json = Test::resume_in(out.dir)
        .env("DEPLOYCHECK_NOW", "2026-12-01T09:00:00+00:00")
        .args(&["due", "--format", "json"])
        .status(2)
        .run();
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(report["unreadable"][0]["run"], run.as_str());
    // And what is wrong with it is said as what it is.
    Test::resume_in(json.dir)
        .args(&["verify", &run])
        .status(2)
        .stderr_contains(
            "record.yaml:1: error: git conflict markers: a merge changed this record on both sides",
        )
        .run();
}

#[test]
fn due_lists_follow_ups_at_several_instants_and_exits_one_when_overdue() {
    let night = enterprise_night().run();
    let at = |dir: tempfile::TempDir, now: &str| {
        Test::resume_in(dir)
            .env("DEPLOYCHECK_NOW", now)
            .env("COLUMNS", "80")
            .args(&["due"])
    };
    // The morning after: due within the week.
    let morning = at(night.dir, "2026-11-24T09:00:00+00:00").run();
    insta::assert_snapshot!("due_the_morning_after", morning.stdout);
    // A week and a day later: overdue, exit 1 for cron.
    let late = at(morning.dir, "2026-12-01T09:00:00+00:00").status(1).run();
    insta::assert_snapshot!("due_a_week_later", late.stdout);
    let json = Test::resume_in(late.dir)
        .env("DEPLOYCHECK_NOW", "2026-12-01T09:00:00+00:00")
        .args(&["due", "runs", "--format", "json"])
        .status(1)
        .run();
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(report["open"], 4);
    assert_eq!(report["overdue"], 4);
    let first = &report["follow_ups"][0];
    assert_eq!(first["state"], "overdue");
    assert_eq!(first["environment"], "production");
    assert!(first["id"].as_str().unwrap().starts_with(FIRST_WEEK));
    assert!(first["overdue_by"].as_str().unwrap().contains(" h"));
    // Before the deploy night, nothing was open yet; the night's run folder alone works too.
    let run = run_folder(json.dir.path());
    Test::resume_in(json.dir)
        .env("DEPLOYCHECK_NOW", "2026-11-24T09:00:00+00:00")
        .args(&["due", &run, "--format", "json"])
        .stdout_contains("\"open\": 4")
        .run();
}

fn git(dir: &Path, args: &[&str]) {
    let status = std::process::Command::new("git")
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        status.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&status.stderr)
    );
}

#[test]
fn follow_ups_answered_two_days_later_by_another_operator_in_another_clone() {
    let night = enterprise_night().run();
    let origin = night.dir;
    let run = run_folder(origin.path());
    let record_bytes = std::fs::read(origin.path().join(&run).join("record.yaml")).unwrap();
    let journal_bytes = std::fs::read(origin.path().join(&run).join("journal.jsonl")).unwrap();
    git(origin.path(), &["init", "-q"]);
    git(origin.path(), &["add", "-A"]);
    git(origin.path(), &["commit", "-qm", "deploy night"]);

    // Lee, on another machine, two days later.
    let clone = tempfile::tempdir().unwrap();
    git(
        clone.path(),
        &["clone", "-q", &origin.path().display().to_string(), "repo"],
    );
    let repo = clone.path().join("repo");
    std::fs::write(clone.path().join("week.yaml"), first_week_answers("lee")).unwrap();
    let mut answer = assert_cmd::Command::new(env!("CARGO_BIN_EXE_deploycheck"));
    let output = answer
        .args(["followup", &run, "--answers", "../week.yaml"])
        .current_dir(&repo)
        .env_remove("DEPLOYCHECK_OPERATOR")
        .env("USER", "tester")
        .env("HOME", clone.path())
        .env("DEPLOYCHECK_NOW", "2026-11-25T22:00:00+00:00")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("Answered 4 follow-ups: runs/"), "{stdout}");
    assert!(stdout.contains("The run now: GO\n"), "{stdout}");
    let written: Vec<String> = std::fs::read_dir(repo.join(&run))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("followup-"))
        .collect();
    let mut written = written;
    written.sort();
    assert_eq!(
        written,
        [
            "followup-20261125T220000Z-lee.jsonl",
            "followup-20261125T220000Z-lee.yaml"
        ]
    );
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "first week follow-ups"]);
    git(&repo, &["push", "-q", "origin", "HEAD:refs/heads/lee"]);
    git(origin.path(), &["merge", "-q", "--ff-only", "lee"]);

    // Back in the first clone: the night's files are as they were; the state is GO.
    assert_eq!(
        std::fs::read(origin.path().join(&run).join("record.yaml")).unwrap(),
        record_bytes
    );
    assert_eq!(
        std::fs::read(origin.path().join(&run).join("journal.jsonl")).unwrap(),
        journal_bytes
    );
    let dir = origin;
    let verify = Test::resume_in(dir)
        .env("DEPLOYCHECK_NOW", "2026-12-02T09:00:00+00:00")
        .args(&["verify", &run])
        .stdout_contains(
            "ok 4 follow-ups answered by lee (4 done): GO (followup-20261125T220000Z-lee.yaml)",
        )
        .stdout_contains("ok followup-20261125T220000Z-lee.yaml is the one its journal gives")
        .stdout_contains("run state (record and 1 follow-up addendum): GO\n")
        .stdout_contains("record.yaml: verifies")
        .run();
    let report = Test::resume_in(verify.dir)
        .args(&["report", &run, "--format", "json"])
        .run();
    let json: serde_json::Value = serde_json::from_str(&report.stdout).unwrap();
    assert_eq!(json["verdict"], "GO", "{}", report.stdout);
    let due = Test::resume_in(report.dir)
        .env("DEPLOYCHECK_NOW", "2026-12-02T09:00:00+00:00")
        .args(&["due"])
        .stdout("No follow-ups open.\n")
        .run();
    let history = Test::resume_in(due.dir)
        .args(&["history", "--format", "json"])
        .run();
    assert!(history.stdout.contains("\"GO\""), "{}", history.stdout);
    let again = Test::resume_in(history.dir)
        .env("DEPLOYCHECK_NOW", "2026-12-02T09:00:00+00:00")
        .args(&["followup", &run])
        .run();
    assert!(
        again.stdout.starts_with("No follow-ups open in runs/"),
        "{}",
        again.stdout
    );
}

#[test]
fn run_resume_on_a_finished_run_walks_only_its_follow_ups() {
    let night = enterprise_night().run();
    let output = Test::resume_in(night.dir)
        .env("DEPLOYCHECK_NOW", "2026-11-24T10:00:00+00:00")
        .args(&[
            "run",
            "production",
            "-c",
            "enterprise",
            "--resume",
            "--operator",
            "sam",
        ])
        .stdin("y\ny\nf no capacity left to plan it\ny\n")
        .status(1)
        .run();
    assert!(
        output.stdout.starts_with("deploycheck followup · Enterprise Deployment Checklist · production · operator sam\n4 follow-ups of the run by dana"),
        "{}",
        output.stdout
    );
    assert!(
        output.stdout.contains("The run now: NO-GO: 1 failed"),
        "{}",
        output.stdout
    );
    let asked = output.stdout.matches("First Week").count();
    assert!(
        asked >= 4,
        "only the follow-ups are asked: {}",
        output.stdout
    );
    assert!(
        !output.stdout.contains("Deployment moment"),
        "{}",
        output.stdout
    );
}

#[test]
fn a_run_that_is_started_anew_says_which_follow_ups_are_open() {
    let night = enterprise_night().run();
    Test::resume_in(night.dir)
        .args(&["run", "production", "-c", "enterprise", "--new"])
        .stdin("")
        .status(1)
        .stderr_contains("has 4 follow-ups open; answer them with `deploycheck followup runs/enterprise-production-20261123T220000Z`")
        .run();
}

/// The night, and lee's answers to its First Week follow-ups two days later.
fn first_week_answered() -> (Output, String, PathBuf) {
    let night = enterprise_night().run();
    let dir = night.dir;
    let run = run_folder(dir.path());
    let answered = Test::resume_in(dir)
        .write("week.yaml", first_week_answers("lee"))
        .env("DEPLOYCHECK_NOW", "2026-11-25T22:00:00+00:00")
        .args(&["followup", &run, "--answers", "week.yaml"])
        .run();
    let path = answered
        .dir
        .path()
        .join(&run)
        .join("followup-20261125T220000Z-lee.yaml");
    (answered, run, path)
}

#[test]
fn an_edited_follow_up_addendum_does_not_count_its_journal_does_and_verify_says_so() {
    let (answered, run, path) = first_week_answered();
    let text = std::fs::read_to_string(&path).unwrap();
    // Someone else's name on an answer: the journal says otherwise.
    std::fs::write(
        &path,
        text.replacen("answered_by: lee", "answered_by: kim", 1),
    )
    .unwrap();
    let verify = Test::resume_in(answered.dir)
        .args(&["verify", &run])
        .status(1)
        .stdout_contains("followup-20261125T220000Z-lee.yaml: it was edited after it was written: it is not what its journal gives")
        .stdout_contains("its journal's answers count instead")
        .run();
    assert!(
        !verify
            .stdout
            .contains("ok followup-20261125T220000Z-lee.yaml is the one"),
        "{}",
        verify.stdout
    );
    let report = Test::resume_in(verify.dir).args(&["report", &run]).run();
    assert!(report.stdout.contains("lee"), "{}", report.stdout);
    assert!(!report.stdout.contains("kim"), "{}", report.stdout);
    // With its journal gone, the file is only someone's say-so: it does not count.
    std::fs::remove_file(path.with_extension("jsonl")).unwrap();
    Test::resume_in(report.dir)
        .args(&["verify", &run])
        .status(1)
        .stdout_contains("FAIL runs/enterprise-production-20261123T220000Z/followup-20261125T220000Z-lee.yaml: it has no journal beside it (followup-20261125T220000Z-lee.jsonl): follow-up answers count only with the journal that took them")
        .run();
}

#[test]
fn two_sessions_answering_one_follow_up_differently_are_both_shown() {
    // Two machines, one item: lee finds it failed, kim later says done. The latest
    // counts, as with any answer given again, but the failure is not dropped unsaid.
    let (answered, run, _) = first_week_answered();
    let failed = first_week_answers("kim").replacen(
        "performance-analysis/trends-analyzed: done",
        "performance-analysis/trends-analyzed: {status: failed, reason: p99 doubled}",
        1,
    );
    let kim_walk = Test::resume_in(answered.dir)
        .write("failed.yaml", failed)
        .env("DEPLOYCHECK_NOW", "2026-11-24T22:00:00+00:00")
        .args(&["followup", &run, "--answers", "failed.yaml"])
        .status(1);
    // The first walk answered every follow-up: kim's is a walk of its own, in a clone
    // that had not pulled lee's yet, so lee's addendum is set aside meanwhile.
    let lee_file = kim_walk
        .path()
        .join(&run)
        .join("followup-20261125T220000Z-lee.yaml");
    let lee_journal = lee_file.with_extension("jsonl");
    let kept = (
        std::fs::read(&lee_file).unwrap(),
        std::fs::read(&lee_journal).unwrap(),
    );
    std::fs::remove_file(&lee_file).unwrap();
    std::fs::remove_file(&lee_journal).unwrap();
    let kim = kim_walk.run();
    std::fs::write(&lee_file, kept.0).unwrap();
    std::fs::write(&lee_journal, kept.1).unwrap();
    let report = Test::resume_in(kim.dir)
        .env("COLUMNS", "200")
        .args(&["report", &run])
        .stdout_contains("was answered in 2 follow-up sessions: failed by kim at 2026-11-24T22:00")
        .stdout_contains("(p99 doubled), then done by lee at 2026-11-25T22:00")
        .run();
    Test::resume_in(report.dir)
        .args(&["verify", &run])
        .stdout_contains("note: \"")
        .stdout_contains("the latest counts")
        .run();
}

#[test]
fn followup_in_a_fresh_clone_keeps_its_lock_out_of_git() {
    // The records folder's `.gitignore` ignores itself, so a clone has none; the
    // follow-up walk's lock must not be committed with the answers.
    let night = enterprise_night().run();
    let dir = night.dir;
    std::fs::remove_file(dir.path().join("runs/.gitignore")).unwrap();
    let run = run_folder(dir.path());
    let answered = Test::resume_in(dir)
        .write("week.yaml", first_week_answers("lee"))
        .env("DEPLOYCHECK_NOW", "2026-11-25T22:00:00+00:00")
        .args(&["followup", &run, "--answers", "week.yaml"])
        .run();
    let written = std::fs::read_to_string(answered.dir.path().join("runs/.gitignore")).unwrap();
    assert!(written.contains(".locks/"), "{written}");
}

#[test]
fn follow_up_answers_whose_addendum_was_never_written_count_from_their_journal() {
    // Killed between the journal's last line and the addendum, then pushed as it was:
    // the answers are in the journal, and every machine that reads the run counts them.
    let (answered, run, path) = first_week_answered();
    let written = std::fs::read(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    let report = Test::resume_in(answered.dir)
        .args(&["report", &run])
        .stderr_contains("followup-20261125T220000Z-lee.yaml: the follow-up walk had ended but its answers were missing; they were written again from its journal")
        .stdout_contains("GO")
        .run();
    assert!(
        !report.stdout.contains("follow-ups due"),
        "{}",
        report.stdout
    );
    assert_eq!(std::fs::read(&path).unwrap(), written, "the same bytes");
    Test::resume_in(report.dir)
        .args(&["verify", &run])
        .stdout_contains("followup-20261125T220000Z-lee.yaml is the one its journal gives")
        .run();
}

#[test]
fn followup_refuses_a_run_that_has_not_finished() {
    let stopped = mail_score_at_extended("quit\n").status(1).run();
    let folder = stopped.run_folders()[0]
        .strip_prefix(stopped.dir.path())
        .unwrap()
        .display()
        .to_string();
    Test::resume_in(stopped.dir)
        .args(&["followup", &folder])
        .status(2)
        .stderr_contains("has not finished, so it has no follow-ups yet; take it up with `deploycheck run production --resume`")
        .run();
}

#[test]
fn the_history_index_notices_a_follow_up_journal_going_away() {
    // The journal decides what its addendum counts for, so it is part of what the index
    // remembers a run by: an index built before the journal went must not outlive it.
    let (answered, _, path) = first_week_answered();
    let csv = |dir: tempfile::TempDir| {
        Test::resume_in(dir)
            .env("DEPLOYCHECK_NOW", "2026-11-26T22:00:00+00:00")
            .args(&["history", "--format", "csv"])
            .run()
    };
    let before = csv(answered.dir);
    assert!(
        !before.stdout.contains("follow-ups due"),
        "{}",
        before.stdout
    );
    std::fs::remove_file(path.with_extension("jsonl")).unwrap();
    let after = csv(before.dir);
    assert!(after.stdout.contains("follow-ups due"), "{}", after.stdout);
}
