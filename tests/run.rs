//! `deploycheck run`: verdicts, records, rollback, resume, locks and bad answers files,
//! through the real binary.

use deploycheck::model::{SignoffStatus, Status, Verdict};

use crate::support::{Test, fixture_bytes};

const BACKUP: &str = "environment-specific-checklists/production-deployment/backup-completed";
const RESPONSE: &str = "performance-checklist/performance-metrics/response-time-200ms-p95";
const HIGH_ERRORS: &str = "rollback-checklist-if-needed/decision-criteria/high-error-rates-5";

fn go_answers() -> String {
    String::from_utf8(fixture_bytes("answers/mail-score-production-go.yaml")).unwrap()
}

/// The GO answers with one entry replaced.
fn answers_with(id: &str, answer: &str) -> String {
    let text = go_answers();
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{id}:")))
        .unwrap_or_else(|| panic!("{id} not in the answers"));
    text.replace(line, &format!("  {id}: {answer}"))
}

fn project() -> Test {
    Test::with_seeds()
}

#[test]
fn full_answers_file_gives_go_and_a_complete_record() {
    let output = project()
        .write("go.yaml", go_answers())
        .args(&["run", "production", "--answers", "go.yaml"])
        .stdout_contains("Verdict: GO")
        .run();
    let records = output.records();
    assert_eq!(records.len(), 1);
    let (name, record) = &records[0];
    assert_eq!(name, "mail-score-production-20261123T220000Z");
    assert_eq!(record.items.len(), 172);
    assert_eq!(record.verdict, Verdict::Go);
    assert_eq!(record.schema, "deploycheck/run-record/v2");
    assert_eq!(record.checklist.sha256.len(), 64);
    assert_eq!(record.operator, "release-bot");
    assert_eq!(record.fields.0.len(), 4);
    assert_eq!(
        record.fields.0[2],
        ("Version".to_string(), Some("v1.4.2".to_string()))
    );
    assert_eq!(record.signoffs.len(), 4);
    assert!(record.digest.starts_with("sha256:"));
    assert_eq!(record.digest, record.compute_digest());
    for item in &record.items {
        if item.status == Status::Pending {
            assert_eq!(
                item.reason.as_deref(),
                Some("not walked: no rollback was started"),
                "{}",
                item.id
            );
            continue;
        }
        let at = item
            .answered_at
            .as_ref()
            .map(|t| t.as_str())
            .unwrap_or_else(|| panic!("{} has no answered_at", item.id));
        assert!(chrono::DateTime::parse_from_rfc3339(at).is_ok(), "{at}");
        assert_eq!(item.answered_by.as_deref(), Some("release-bot"));
    }
    assert_eq!(
        record
            .items
            .iter()
            .filter(|i| i.status == Status::Pending)
            .count(),
        8
    );
}

#[test]
fn one_failed_item_is_no_go_with_exit_1() {
    let output = project()
        .write(
            "a.yaml",
            answers_with(BACKUP, "{status: failed, reason: \"snapshot timed out\"}"),
        )
        .args(&["run", "production", "--answers", "a.yaml"])
        .status(1)
        .stdout_contains("Verdict: NO-GO")
        .stdout_contains("snapshot timed out")
        .run();
    let record = output.only_record();
    assert_eq!(record.verdict, Verdict::NoGo);
    let item = record.items.iter().find(|i| i.id == BACKUP).unwrap();
    assert_eq!(
        (item.status, item.reason.as_deref()),
        (Status::Failed, Some("snapshot timed out"))
    );
}

#[test]
fn a_measured_value_over_its_threshold_fails_the_item() {
    let output = project()
        .write("a.yaml", answers_with(RESPONSE, "250ms"))
        .args(&["run", "production", "--answers", "a.yaml"])
        .status(1)
        .run();
    let record = output.only_record();
    let item = record.items.iter().find(|i| i.id == RESPONSE).unwrap();
    assert_eq!(item.status, Status::Failed);
    assert_eq!(item.value.as_deref(), Some("250ms"));
    assert_eq!(item.reason.as_deref(), Some("250 ms is not < 200 ms"));
    assert_eq!(record.verdict, Verdict::NoGo);
}

#[test]
fn an_answers_file_takes_y_bang_with_a_reason_as_the_prompt_does() {
    let output = project()
        .write(
            "a.yaml",
            answers_with(RESPONSE, "\"y! measured by the load test, not here\""),
        )
        .args(&["run", "production", "--answers", "a.yaml"])
        .run();
    let record = output.only_record();
    let item = record.items.iter().find(|i| i.id == RESPONSE).unwrap();
    assert_eq!(item.status, Status::Done);
    assert_eq!(item.value, None);
    let reason = item.reason.as_deref().unwrap_or_default();
    assert!(reason.contains("done without a value"), "{reason}");
    assert!(
        reason.contains("measured by the load test, not here"),
        "{reason}"
    );
}

#[test]
fn a_holding_trigger_walks_the_rollback_and_ends_rolled_back() {
    // The answers file says the trigger holds; the rollback procedure is answered on stdin.
    let output = project()
        .write("a.yaml", answers_with(HIGH_ERRORS, "holds"))
        .args(&["run", "production", "--answers", "a.yaml"])
        .stdin("y\ny\ny\ny\ny\ny\ny\ny\n")
        .status(1)
        .stdout_contains("Rollback trigger holds: High error rates (>5%)")
        .stdout_contains("Rollback started: walking the rollback procedure (8 items).")
        .stdout_contains("Verdict: ROLLED BACK")
        .run();
    let record = output.only_record();
    assert_eq!(record.verdict, Verdict::RolledBack);
    assert!(record.rollback.started);
    assert_eq!(record.rollback.triggers_held, [HIGH_ERRORS]);
    let procedure: Vec<_> = record
        .items
        .iter()
        .filter(|i| i.section == "Rollback Process")
        .collect();
    assert!(
        procedure.iter().all(|i| i.status == Status::Done),
        "{procedure:#?}"
    );
    let unwalked = record
        .items
        .iter()
        .find(|i| i.id.ends_with("/sla-breach-imminent"))
        .unwrap();
    assert_eq!(
        unwalked.reason.as_deref(),
        Some("not walked: a rollback was started")
    );
    assert!(
        record
            .signoffs
            .iter()
            .all(|s| s.status == SignoffStatus::Pending),
        "no role signs a rolled-back run"
    );
}

#[test]
fn end_of_input_stops_incomplete_and_resume_by_another_operator_finishes_go() {
    // 4 fields and 36 items: 40 answers, then the input ends.
    let mut input = String::from("2026-11-23\ndana\nv1.4.2\n3f2a9c1\n");
    input.push_str(&"y\n".repeat(36));
    let first = project()
        .args(&["run", "production", "--operator", "dana"])
        .stdin(&input)
        .status(1)
        .stdout_contains("(INCOMPLETE: stopped (end of input)")
        .stdout_contains("Resume with: deploycheck run production --resume")
        .run();
    let record = first.only_record();
    assert_eq!(record.verdict, Verdict::Incomplete);
    let answered: Vec<_> = record
        .items
        .iter()
        .filter(|i| i.answered_at.is_some() && !i.id.starts_with("rollback"))
        .cloned()
        .collect();
    assert_eq!(answered.len(), 36);
    assert!(
        answered
            .iter()
            .all(|i| i.answered_by.as_deref() == Some("dana"))
    );

    // The same project folder, a second operator, the rest from the answers file.
    let second = Test::resume_in(first.dir)
        .write("go.yaml", go_answers())
        .args(&[
            "run",
            "production",
            "--resume",
            "--operator",
            "lee",
            "--answers",
            "go.yaml",
        ])
        .stdout_contains(
            "Resuming the run started at 2026-11-23T22:00:00+00:00 by dana (36 answers kept).",
        )
        .stdout_contains("Verdict: GO")
        .stderr_contains("entries for items already answered are ignored")
        .run();
    let record = second.only_record();
    assert_eq!(record.verdict, Verdict::Go);
    assert_eq!(
        record.operator, "dana",
        "the run keeps the operator who started it"
    );
    for before in &answered {
        let after = record.items.iter().find(|i| i.id == before.id).unwrap();
        assert_eq!(
            (
                after.answered_by.as_deref(),
                after.answered_at.as_ref().map(|t| t.as_str())
            ),
            (
                Some("dana"),
                before.answered_at.as_ref().map(|t| t.as_str())
            ),
            "{}",
            before.id
        );
    }
    let later = record.items.iter().find(|i| i.id == BACKUP).unwrap();
    assert_eq!(later.answered_by.as_deref(), Some("lee"));
}

#[test]
fn an_unfinished_run_needs_resume_or_new_without_a_terminal() {
    let first = project()
        .args(&["run", "production"])
        .stdin("\n\n\n\ny\n")
        .status(1)
        .run();
    Test::resume_in(first.dir)
        .args(&["run", "production"])
        .status(2)
        .stderr_contains("An unfinished run of this checklist for production is in runs/")
        .stderr_contains("next: ")
        .stderr_contains("Pass --resume to continue it, or --new to start over.")
        .run();
}

#[test]
fn new_closes_the_unfinished_run_and_starts_over() {
    let first = project()
        .args(&["run", "production"])
        .stdin("\n\n\n\ny\n")
        .status(1)
        .run();
    let second = Test::resume_in(first.dir)
        .env("DEPLOYCHECK_NOW", "2026-11-24T09:00:00+00:00")
        .args(&["run", "production", "--new"])
        .stdin("")
        .status(1)
        .stdout_contains("Started over: the unfinished run in")
        .run();
    let records = second.records();
    assert_eq!(records.len(), 2);
    Test::resume_in(second.dir)
        .args(&["run", "production", "--resume"])
        .stdin("")
        .status(1)
        .run();
}

#[test]
fn resume_without_an_unfinished_run_is_an_error() {
    project()
        .args(&["run", "production", "--resume"])
        .status(2)
        .stderr_contains("there is no unfinished run of checklists/mail-score.md for production")
        .run();
}

#[test]
fn a_second_process_on_the_same_run_is_refused_naming_the_holder() {
    let test = project();
    let dir = test.path().to_path_buf();
    let mut holder = std::process::Command::new(env!("CARGO_BIN_EXE_deploycheck"))
        .args(["run", "production", "--operator", "dana"])
        .current_dir(&dir)
        .env("DEPLOYCHECK_NOW", "2026-11-23T22:00:00+00:00")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the holder has the lock and is asking its first question.
    let locks = dir.join("runs/.locks");
    let held = || {
        std::fs::read_dir(&locks).is_ok_and(|entries| {
            entries
                .filter_map(Result::ok)
                .any(|e| std::fs::read_to_string(e.path()).is_ok_and(|s| s.contains("dana")))
        })
    };
    for _ in 0..200 {
        if held() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    let output = test
        .args(&["run", "production", "--new"])
        .status(2)
        .stderr_contains(
            "another deploycheck run of this checklist and environment is in progress (pid ",
        )
        .stderr_contains("dana on ")
        .run();
    holder.kill().unwrap();
    holder.wait().unwrap();
    drop(output);
}

#[test]
fn environment_names_cannot_leave_the_records_folder() {
    let output = project()
        .args(&["run", "../../etc"])
        .status(2)
        .stderr_contains("environment name `../../etc` is not valid")
        .run();
    assert!(
        !output.dir.path().join("runs").exists(),
        "nothing is written"
    );
}

#[test]
fn unknown_environment_suggests_the_nearest() {
    project()
        .args(&["run", "prodction"])
        .status(2)
        .stderr_contains("unknown environment `prodction` (did you mean `production`?)")
        .run();
}

#[test]
fn bad_answers_files_are_refused_before_anything_is_recorded() {
    let cases = [
        (
            answers_with(BACKUP, "done").replace(BACKUP, "no/such/item"),
            "answers.no/such/item: no such item",
        ),
        (
            go_answers().replace("Security Team: Dana Reyes", "Legal Team: Sam"),
            "signoffs.Legal Team: no such sign-off role",
        ),
        (
            go_answers().replace("Version: v1.4.2", "Build: 17"),
            "fields.Build: no such run field",
        ),
        (answers_with(BACKUP, "failed"), "failed needs a reason"),
        (
            answers_with(BACKUP, "180ms"),
            "is a measured value, but this item has no threshold",
        ),
        (
            answers_with(HIGH_ERRORS, "done"),
            "this is a rollback trigger: answer clear",
        ),
        (
            answers_with(RESPONSE, "{status: done, value: 250ms}"),
            "contradicts the measured value (250 ms is not < 200 ms)",
        ),
        (
            go_answers().replace("operator: release-bot", "operater: release-bot"),
            "unknown field `operater`",
        ),
    ];
    for (text, message) in cases {
        let output = project()
            .write("bad.yaml", &text)
            .args(&["run", "production", "--answers", "bad.yaml"])
            .status(2)
            .stderr_contains(message)
            .stderr_contains("bad.yaml:")
            .run();
        assert!(
            !output.dir.path().join("runs").exists(),
            "{message}: nothing may be recorded"
        );
    }
}

#[test]
fn an_override_with_a_reason_is_recorded() {
    let output = project()
        .write(
            "a.yaml",
            answers_with(
                RESPONSE,
                "{status: done, value: 250ms, reason: \"cold cache, accepted by SRE\"}",
            ),
        )
        .args(&["run", "production", "--answers", "a.yaml"])
        .run();
    let record = output.only_record();
    let item = record.items.iter().find(|i| i.id == RESPONSE).unwrap();
    assert_eq!(item.status, Status::Done);
    assert_eq!(item.reason.as_deref(), Some("cold cache, accepted by SRE"));
}

#[test]
fn answers_for_items_the_walk_never_reaches_are_reported_unused() {
    let text = go_answers().replace(
        "answers:\n",
        "answers:\n  rollback-checklist-if-needed/rollback-process/stop-current-deployment: done\n  environment-specific-checklists/staging-deployment/release-candidate-deployed: done\n",
    );
    project()
        .write("a.yaml", text)
        .args(&["run", "production", "--answers", "a.yaml"])
        .stderr_contains("2 answers-file entries were not used (the walk never reached them)")
        .run();
}

#[test]
fn a_refused_signoff_is_no_go() {
    let text = go_answers().replace(
        "Security Team: Dana Reyes",
        "Security Team: {refused: \"pen test findings open\"}",
    );
    let output = project()
        .write("a.yaml", text)
        .args(&["run", "production", "--answers", "a.yaml"])
        .status(1)
        .run();
    let record = output.only_record();
    assert_eq!(record.verdict, Verdict::NoGo);
    assert!(record.signoffs.iter().any(|s| s.role == "Security Team"
        && s.status == SignoffStatus::Refused
        && s.reason.as_deref() == Some("pen test findings open")));
}

#[test]
fn deferred_items_finish_incomplete_and_say_so() {
    let output = project()
        .write(
            "a.yaml",
            answers_with(BACKUP, "{status: deferred, reason: \"after the freeze\"}"),
        )
        .args(&["run", "production", "--answers", "a.yaml"])
        .status(1)
        .stdout_contains("Verdict: INCOMPLETE: complete except 1 deferred item")
        .run();
    assert_eq!(output.only_record().verdict, Verdict::Incomplete);
}

#[test]
fn resume_says_what_changed_in_the_checklist() {
    let first = project()
        .args(&["run", "production"])
        .stdin("\n\n\n\ny\n")
        .status(1)
        .run();
    let checklist = first.dir.path().join("checklists/mail-score.md");
    let text = std::fs::read_to_string(&checklist).unwrap().replace(
        "- [ ] Backup completed\n",
        "- [ ] Backup completed\n- [ ] Backup restore tested\n",
    );
    std::fs::write(&checklist, text).unwrap();
    Test::resume_in(first.dir)
        .args(&["run", "production", "--resume"])
        .stdout_contains("The checklist changed since this run started (1 added):")
        .stdout_contains("  added: \"Backup restore tested\"")
        .status(1)
        .run();
}

#[test]
fn rewording_one_item_reports_one_reworded_item_by_text_not_every_item() {
    let first = project()
        .args(&["run", "production"])
        .stdin("\n\n\n\ny\ny\n")
        .status(1)
        .run();
    let checklist = first.dir.path().join("checklists/mail-score.md");
    let text = std::fs::read_to_string(&checklist).unwrap().replace(
        "- [ ] Load testing completed",
        "- [ ] Load testing completed at 2x peak",
    );
    std::fs::write(&checklist, text).unwrap();
    let output = Test::resume_in(first.dir)
        .args(&["run", "production", "--resume"])
        .stdout_contains("The checklist changed since this run started (1 reworded):")
        .stdout_contains(
            "  reworded: \"Load testing completed\" → \"Load testing completed at 2x peak\"",
        )
        .stdout_contains("(2 answers kept)")
        .status(1)
        .run();
    assert!(!output.stdout.contains("added"), "{}", output.stdout);
}

#[test]
fn a_run_replaced_by_a_new_one_names_who_replaced_it() {
    let first = Test::new()
        .fixture("terminal/release.md", "checklists/release.md")
        .args(&["run", "production", "--operator", "dana"])
        .stdin("\nv1\ny\n")
        .status(1)
        .run();
    let second = Test::resume_in(first.dir)
        .args(&["run", "production", "--new", "--operator", "lee"])
        .env("DEPLOYCHECK_NOW", "2026-11-23T23:00:00+00:00")
        .stdin("")
        .status(1)
        .run();
    let (_, old) = second.records().remove(0);
    let stopped = old.stopped.expect("the old run is stopped");
    assert_eq!(stopped.replaced_by.as_deref(), Some("lee"));
    assert_eq!(stopped.reason, "replaced by a new run started by lee");
}

#[test]
fn stopping_among_the_run_fields_says_the_fields_typed_are_saved() {
    let output = project()
        .args(&["run", "production"])
        .stdin("Dana\n")
        .status(1)
        .stdout_contains("Stopped: 1 run field saved, no answers yet (INCOMPLETE")
        .run();
    let record = output.only_record();
    assert_eq!(
        record.fields.0.iter().filter(|(_, v)| v.is_some()).count(),
        1
    );
}

#[test]
fn a_limit_in_brackets_after_a_no_claim_passes_as_written() {
    const CONFLICTS: &str = "p/s/no-spike-in-occ-conflicts-30-per-5min";
    for (value, status, verdict) in [
        ("12", Status::Done, Verdict::Go),
        ("45", Status::Failed, Verdict::NoGo),
    ] {
        let output = Test::new()
            .write(
                "checklists/c.md",
                "# C\n\n## P\n\n### S\n\n- [ ] No spike in OCC conflicts (< 30 per 5min)\n",
            )
            .write(
                "a.yaml",
                format!("operator: me\nanswers:\n  {CONFLICTS}: \"{value}\"\n"),
            )
            .args(&["run", "production", "--answers", "a.yaml"])
            .status(if status == Status::Done { 0 } else { 1 })
            .run();
        let record = output.only_record();
        assert_eq!(
            (record.items[0].status, record.verdict),
            (status, verdict),
            "{value}"
        );
    }
}
