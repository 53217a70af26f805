//! `report`, `diff` and `verify` on real run records.

use crate::support::{Test, fixture_bytes};

const BACKUP: &str = "environment-specific-checklists/production-deployment/backup-completed";

fn go_answers() -> String {
    String::from_utf8(fixture_bytes("answers/mail-score-production-go.yaml")).unwrap()
}

fn no_go_answers() -> String {
    go_answers().replace(
        &format!("  {BACKUP}: done"),
        &format!("  {BACKUP}: {{status: failed, reason: \"snapshot timed out\"}}"),
    )
}

/// A project with a GO run (its folder in runs/ renamed `go`) and a NO-GO record beside it.
fn two_records() -> Test {
    let first = Test::with_seeds()
        .write("go-answers.yaml", go_answers())
        .args(&["run", "production", "--answers", "go-answers.yaml"])
        .run();
    let dir = first.dir;
    std::fs::rename(
        dir.path()
            .join("runs/mail-score-production-20261123T220000Z"),
        dir.path().join("go"),
    )
    .unwrap();
    let second = Test::resume_in(dir)
        .write("no-go-answers.yaml", no_go_answers())
        .args(&["run", "production", "--answers", "no-go-answers.yaml"])
        .status(1)
        .run();
    let dir = second.dir;
    std::fs::rename(
        dir.path()
            .join("runs/mail-score-production-20261123T220000Z"),
        dir.path().join("no-go"),
    )
    .unwrap();
    Test::resume_in(dir)
}

#[test]
fn report_of_a_no_go_record_in_every_format() {
    let test = two_records();
    let dir = test.into_dir();
    let json = Test::resume_in(dir)
        .args(&["report", "no-go/record.yaml", "--format", "json"])
        .run();
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(report["verdict"], "NO-GO");
    assert_eq!(report["digest_ok"], true);
    assert_eq!(report["failed"][0]["id"], BACKUP);
    assert_eq!(report["counts"]["failed"], 1);
    assert_eq!(report["measured"].as_array().unwrap().len(), 6);

    let junit = Test::resume_in(json.dir)
        .args(&["report", "no-go/record.yaml", "--format", "junit"])
        .run();
    assert_eq!(junit.stdout.matches("<testcase ").count(), 172);
    assert_eq!(junit.stdout.matches("<failure ").count(), 1);
    assert!(junit.stdout.contains(r#"classname="Environment-Specific Checklists/Production Deployment" name="Backup completed""#));
    assert!(
        junit
            .stdout
            .contains(r#"<failure type="failed" message="snapshot timed out"/>"#)
    );

    let markdown = Test::resume_in(junit.dir)
        .args(&["report", "no-go/record.yaml", "--format", "markdown"])
        .run();
    assert!(
        markdown
            .stdout
            .starts_with("### ❌ NO-GO: Deployment Checklist - Mail Score System (production)")
    );
    assert!(
        markdown
            .stdout
            .contains("| failed | Backup completed | snapshot timed out |  |")
    );

    Test::resume_in(markdown.dir)
        .args(&["report", "no-go/record.yaml"])
        .stdout_contains("NO-GO: 1 failed  Deployment Checklist - Mail Score System · production")
        .stdout_contains("Backup completed")
        .run();
}

#[test]
fn diff_finds_the_one_item_that_changed() {
    let test = two_records();
    let same = test
        .args(&["diff", "go/record.yaml", "go/record.yaml"])
        .stdout("no differences between go/record.yaml and go/record.yaml\n")
        .run();
    let table = Test::resume_in(same.dir)
        .args(&["diff", "go/record.yaml", "no-go/record.yaml"])
        .status(1)
        .stdout_contains("go/record.yaml → no-go/record.yaml: 1 item differ")
        .stdout_contains("Backup completed")
        .run();
    let json = Test::resume_in(table.dir)
        .args(&[
            "diff",
            "go/record.yaml",
            "no-go/record.yaml",
            "--format",
            "json",
        ])
        .status(1)
        .run();
    let diff: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(diff["same"], false);
    assert_eq!(
        diff["differences"]["verdict"],
        serde_json::json!({"a": "GO", "b": "NO-GO: 1 failed"})
    );
    assert_eq!(diff["differences"]["items"].as_array().unwrap().len(), 1);
    assert_eq!(diff["differences"]["items"][0]["id"], BACKUP);
    assert!(
        diff["differences"]["context"]
            .as_array()
            .unwrap()
            .is_empty(),
        "who and when only with --all"
    );
    Test::resume_in(json.dir)
        .args(&["diff", "go/record.yaml", "checklists/mail-score.md"])
        .status(2)
        .stderr("checklists/mail-score.md:6:1: error: this looks like a Markdown checklist, not a run record; give a record.yaml from a run folder (runs/<run>/record.yaml)\n")
        .run();
}

#[test]
fn verify_untouched_and_edited_records() {
    let test = two_records();
    let dir = test.into_dir();
    let ok = Test::resume_in(dir)
        .args(&["verify", "go/record.yaml"])
        .stdout_contains("ok digest matches the content")
        .stdout_contains("ok the record's bytes are the ones its journal's finish line names")
        .stdout_contains("go/record.yaml: verifies")
        .run();

    // One status edited by hand after the run.
    let path = ok.dir.path().join("go/record.yaml");
    let text = std::fs::read_to_string(&path).unwrap().replacen(
        "  text: Backup completed\n  kind: step\n  optional: false\n  parent: null\n  status: done",
        "  text: Backup completed\n  kind: step\n  optional: false\n  parent: null\n  status: failed",
        1,
    );
    std::fs::write(&path, text).unwrap();
    let edited = Test::resume_in(ok.dir)
        .args(&["verify", "go"])
        .status(1)
        .stdout_contains("FAIL digest mismatch: the record was edited after it was written")
        .stdout_contains(&format!("the record differs from its journal: `{BACKUP}`: status failed in the record, done in the journal"))
        .stdout_contains("go/record.yaml: does NOT verify")
        .run();
    // An edit that leaves the content alone is still an edit of the record's bytes.
    let path = edited.dir.path().join("no-go/record.yaml");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend_from_slice(b"# approved\n");
    std::fs::write(&path, bytes).unwrap();
    Test::resume_in(edited.dir)
        .args(&["verify", "no-go"])
        .status(1)
        .stdout_contains("ok digest matches the content")
        .stdout_contains("FAIL the record's bytes are not the ones its journal's finish line names")
        .run();
}

#[test]
fn a_run_folder_whose_journal_is_gone_does_not_verify_but_a_copied_record_does() {
    let dir = two_records().into_dir();
    // The digest is over the content only, so a forged record can carry a matching one;
    // the journal is what shows the record is the run's.
    std::fs::copy(
        dir.path().join("go/record.yaml"),
        dir.path().join("go-copy.yaml"),
    )
    .unwrap();
    std::fs::remove_file(dir.path().join("go/journal.jsonl")).unwrap();
    let gone = Test::resume_in(dir)
        .args(&["verify", "go"])
        .status(1)
        .stdout_contains("FAIL the run's journal.jsonl is missing: nothing shows this record is the one the run wrote")
        .run();
    Test::resume_in(gone.dir)
        .args(&["verify", "go-copy.yaml"])
        .stdout_contains("note: no journal beside the record; checked the record on its own")
        .stdout_contains("go-copy.yaml: verifies")
        .run();
}

#[test]
fn text_in_a_record_cannot_redraw_what_verify_prints() {
    let dir = two_records().into_dir();
    let path = dir.path().join("go/record.yaml");
    let text = std::fs::read_to_string(&path).unwrap().replacen(
        "  reason: null",
        "  reason: \"\\r\\e[2Kok all good\\e]0;title\\a\"",
        1,
    );
    std::fs::write(&path, text).unwrap();
    let out = Test::resume_in(dir).args(&["verify", "go"]).status(1).run();
    assert!(out.stdout.contains("ok all good"), "{}", out.stdout);
    assert!(
        !out.stdout.contains(['\u{1b}', '\r', '\u{7}']),
        "{}",
        out.stdout
    );
}
