//! One truth for a run: every record, resume and verdict from one replay of one journal.
//! Each test is named after what a user saw go wrong before it was pinned.

use deploycheck::model::{How, Status, Verdict};

use crate::support::{Test, fixture_bytes};

fn go_answers() -> String {
    String::from_utf8(fixture_bytes("answers/mail-score-production-go.yaml")).unwrap()
}

/// A production run of the seeds answered GO from the answers fixture, and its folder.
fn finished_go_run() -> (crate::support::Output, std::path::PathBuf) {
    let out = Test::with_seeds()
        .write("a.yaml", go_answers())
        .args(&["run", "production", "--answers", "a.yaml"])
        .run();
    let folder = out.run_folders().pop().unwrap();
    (out, folder)
}

fn with(answers: &str, replacements: &[(&str, &str)]) -> String {
    let mut text = answers.to_string();
    for (from, to) in replacements {
        assert!(text.contains(from), "the answers fixture has `{from}`");
        text = text.replacen(from, to, 1);
    }
    text
}

const BACKUP: &str = "deployment-process/database-migration/backup-current-database: done";
const BACKUP_DONE: &str =
    "environment-specific-checklists/production-deployment/backup-completed: done";
const CPU: &str = "performance-checklist/performance-metrics/cpu-usage-70: 35%";
const HIGH_ERRORS: &str =
    "rollback-checklist-if-needed/decision-criteria/high-error-rates-5: clear";
const SECURITY: &str = "  Security Team: Dana Reyes";

#[test]
fn a_no_go_explains_itself_with_its_real_causes_not_deferred_items() {
    let answers = with(
        &go_answers(),
        &[
            (
                BACKUP,
                "deployment-process/database-migration/backup-current-database: {status: failed, reason: snapshot timed out}",
            ),
            (
                BACKUP_DONE,
                "environment-specific-checklists/production-deployment/backup-completed: {status: failed, reason: disk full}",
            ),
            (
                HIGH_ERRORS,
                "rollback-checklist-if-needed/decision-criteria/high-error-rates-5: holds",
            ),
            (SECURITY, "  Security Team: {refused: pen test open}"),
            (
                "post-deployment/documentation-updates/runbook-updated-if-needed: done",
                "post-deployment/documentation-updates/runbook-updated-if-needed: {status: deferred, reason: after the freeze}",
            ),
        ],
    );
    // Without a terminal a holding trigger starts the rollback; decline it at a terminal.
    let out = Test::with_seeds()
        .write("a.yaml", &answers)
        .args(&["run", "production", "--answers", "a.yaml"])
        .env("DEPLOYCHECK_ASSUME_TERMINAL", "1")
        // Wide enough for the whole verdict on one line (at 80 it wraps).
        .env("COLUMNS", "120")
        .stdin("n canary noise, confirmed by SRE\n")
        .status(1)
        .stdout_contains(
            "Verdict: NO-GO: 2 failed, Security Team refused, 1 trigger held and rollback declined",
        )
        .run();
    assert!(
        !out.stdout.contains("Verdict: NO-GO: complete except"),
        "{}",
        out.stdout
    );
    let record = out.only_record();
    assert_eq!(record.verdict, Verdict::NoGo);
    assert_eq!(
        record.causes,
        [
            "2 failed",
            "Security Team refused",
            "1 trigger held and rollback declined"
        ]
    );
}

#[test]
fn an_override_is_shown_as_an_override_with_its_reason_in_every_report() {
    let answers = with(
        &go_answers(),
        &[(
            CPU,
            "performance-checklist/performance-metrics/cpu-usage-70: {value: 85%, status: done, reason: burst during cache warm-up}",
        )],
    );
    let out = Test::with_seeds()
        .write("a.yaml", &answers)
        .args(&["run", "production", "--answers", "a.yaml"])
        .stdout_contains("done (override) CPU usage < 70% — 85% — burst during cache warm-up")
        .run();
    let record = out.only_record();
    let cpu = record
        .items
        .iter()
        .find(|i| i.id == "performance-checklist/performance-metrics/cpu-usage-70")
        .unwrap();
    assert!(cpu.overridden);
    assert_eq!(cpu.reason.as_deref(), Some("burst during cache warm-up"));
    assert_eq!(cpu.judgement.as_deref(), Some("85% is not < 70%"));
    assert_eq!(cpu.how, Some(How::AnswersFile));
    let run = out.run_folders().pop().unwrap();
    let run = run.to_str().unwrap().to_string();
    let mut dir = out.dir;
    for (format, needle) in [
        ("table", "done (override)"),
        (
            "markdown",
            "| done (override) | CPU usage \\< 70% | burst during cache warm-up (measured: 85% is not \\< 70%) | 85% |",
        ),
        ("json", "\"overridden\": true"),
        ("junit", "overridden: burst during cache warm-up"),
    ] {
        let report = Test::resume_in(dir)
            .args(&["report", &run, "--format", format])
            .stdout_contains(needle)
            .run();
        dir = report.dir;
    }
}

#[test]
fn quitting_after_a_failure_is_incomplete_not_no_go() {
    let out = Test::with_seeds()
        .args(&["run", "production"])
        .stdin("\n\n\n\nf tests red\nquit\n")
        .status(1)
        .stdout_contains("INCOMPLETE: stopped (quit), 1 failed so far")
        .run();
    let record = out.only_record();
    assert_eq!(record.verdict, Verdict::Incomplete);
    assert!(record.stopped.is_some());
    assert!(record.finished_at.is_none());
}

#[test]
fn arrow_keys_typed_into_a_reason_never_reach_the_journal_or_the_record() {
    let out = Test::with_seeds()
        .args(&["run", "production"])
        .stdin("\n\n\n\nf confg\u{1b}[D\u{1b}[D\u{1b}[Di \u{7}\u{0}file\nquit\n")
        .status(1)
        .run();
    let record = out.only_record();
    let failed = record
        .items
        .iter()
        .find(|i| i.status == Status::Failed)
        .unwrap();
    assert_eq!(failed.reason.as_deref(), Some("confgi file"));
    let journal = std::fs::read(out.run_folders().pop().unwrap().join("journal.jsonl")).unwrap();
    assert!(
        !journal.iter().any(|&b| b == 0x1b || b == 0x07 || b == 0),
        "no control byte in the journal"
    );
    assert!(!String::from_utf8_lossy(&journal).contains("\\u001b"));
}

#[test]
fn a_parents_answer_time_is_its_latest_childs_by_instant_across_time_zones() {
    let checklist =
        "# Release\n\n## Deploy\n### Steps\n- [ ] Parent\n  - [ ] Child one\n  - [ ] Child two\n";
    // Dana answers child one at 22:30 in +01:00 (21:30 UTC) and stops.
    let first = Test::new()
        .write("checklists/release.md", checklist)
        .args(&["run", "production", "--operator", "dana"])
        .env("DEPLOYCHECK_NOW", "2026-11-23T22:30:00+01:00")
        .stdin("y\n")
        .status(1)
        .run();
    // Lee resumes from UTC at 21:40, ten minutes later, though "21:40" sorts before "22:30".
    let second = Test::resume_in(first.dir)
        .args(&["run", "production", "--resume", "--operator", "lee"])
        .env("DEPLOYCHECK_NOW", "2026-11-23T21:40:00Z")
        .stdin("y\n")
        .run();
    let record = second.only_record();
    let parent = record.items.iter().find(|i| i.text == "Parent").unwrap();
    assert_eq!(parent.status, Status::Done);
    assert_eq!(parent.answered_by.as_deref(), Some("lee"));
    assert_eq!(record.verdict, Verdict::Go);
}

#[test]
fn verify_recomputes_the_verdict_even_when_the_digest_matches() {
    let (out, folder) = finished_go_run();
    let path = folder.join("record.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    // Relabel the verdict and reseal the digest, as a careful forger would.
    let mut record: deploycheck::model::Record = serde_yaml::from_str(&text).unwrap();
    record.verdict = Verdict::NoGo;
    record.seal();
    std::fs::write(&path, serde_yaml::to_string(&record).unwrap()).unwrap();
    Test::resume_in(out.dir)
        .args(&["verify", folder.to_str().unwrap()])
        .status(1)
        .stdout_contains("ok digest matches the content")
        .stdout_contains("FAIL verdict: the record says NO-GO, its items say GO")
        .stdout_contains("FAIL the record differs from its journal")
        .run();
}

#[test]
fn a_corrupted_time_or_id_in_a_journal_is_an_error_naming_the_line() {
    let first = Test::with_seeds()
        .args(&["run", "production"])
        .stdin("\n\n\n\ny\ny\n")
        .status(1)
        .run();
    let folder = first.run_folders().pop().unwrap();
    let journal = folder.join("journal.jsonl");
    let good = std::fs::read_to_string(&journal).unwrap();
    let line = good.lines().nth(5).unwrap().to_string();
    assert!(line.contains("\"answer\""), "{line}");
    let mut dir = first.dir;
    for (from, to) in [("2026-", "2026Y"), ("pre-deployment", "pre-deploymenx")] {
        let bad = good.replacen(&line, &line.replacen(from, to, 1), 1);
        std::fs::write(&journal, bad).unwrap();
        let out = Test::resume_in(dir)
            .args(&["verify", folder.to_str().unwrap()])
            .status(1)
            .stdout_contains("journal.jsonl:6: damaged journal line")
            .run();
        dir = out.dir;
    }
}

#[test]
fn a_records_folder_that_cannot_be_written_is_the_machines_failure_not_bad_input() {
    let out = Test::with_seeds()
        .write("runs", "a file where the records folder should be\n")
        .args(&["run", "production", "--answers", "a.yaml"])
        .write("a.yaml", go_answers())
        .status(3)
        .stderr_contains("error: cannot write ")
        .stderr_contains("Caused by:")
        .run();
    assert!(!out.stderr.contains("bad input"), "{}", out.stderr);
}

#[test]
fn a_key_slipped_into_a_records_sign_off_fails_verify() {
    let (out, folder) = finished_go_run();
    let path = folder.join("record.yaml");
    let text = std::fs::read_to_string(&path).unwrap().replacen(
        "  name: Dana Reyes\n",
        "  name: Dana Reyes\n  comment: approved by CEO\n",
        1,
    );
    assert!(text.contains("comment: approved by CEO"));
    std::fs::write(&path, text).unwrap();
    Test::resume_in(out.dir)
        .args(&["verify", folder.to_str().unwrap()])
        .status(2)
        .stderr_contains("unknown field `comment`")
        .run();
}

#[test]
fn the_run_says_where_records_go_when_that_is_outside_the_project() {
    let outside = tempfile::tempdir().unwrap();
    let settings = format!(
        "default: mail-score\nrecords: {}\n",
        outside.path().join("records").display()
    );
    Test::with_seeds()
        .write("checklists/deploycheck.yaml", &settings)
        .write("a.yaml", go_answers())
        .args(&["run", "production", "--answers", "a.yaml"])
        .stdout_contains("outside the project")
        .run();
    assert!(outside.path().join("records").is_dir());
}

#[test]
fn a_stopped_run_of_a_named_checklist_says_how_to_resume_that_checklist() {
    Test::with_seeds()
        .args(&["run", "production", "-c", "enterprise"])
        .stdin("")
        .status(1)
        .stdout_contains("Resume with: deploycheck run production -c enterprise --resume")
        .run();
}
