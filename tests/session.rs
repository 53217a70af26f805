//! The interactive walk as a person at a terminal sees it, driven through the binary with
//! scripted input into the same prompt code (`DEPLOYCHECK_ASSUME_TERMINAL=1`).

use deploycheck::model::{SignoffStatus, Status, Verdict};

use crate::support::{Output, Test};

const CHECKLIST: &str = "# Release

## Deploy
- [ ] Backup taken
- [ ] Latency < 200ms

## Rollback
### Rollback triggers
- [ ] Error rate > 5%
### Procedure
- [ ] Traffic back on blue

## Contacts
| Role | Name | Phone |
|---|---|---|
| SRE lead | Dana Reyes | +1 555 0100 |
";

fn drive(input: &str, terminal: bool, status: i32) -> Output {
    let test = Test::new()
        .write("checklists/release.md", CHECKLIST)
        .args(&["run", "production", "--operator", "dana"])
        .env("DEPLOYCHECK_NOW", "2026-11-23T22:00:00+00:00")
        .stdin(input)
        .status(status);
    let test = if terminal {
        test.env("DEPLOYCHECK_ASSUME_TERMINAL", "1")
    } else {
        test
    };
    test.run()
}

#[test]
fn at_a_terminal_a_holding_trigger_asks_before_rolling_back() {
    let out = drive("y\n150ms\nholds\ny\ny\n", true, 1);
    let screen = &out.stdout;
    assert!(
        screen.contains("Rollback trigger holds: Error rate > 5%"),
        "{screen}"
    );
    assert!(
        screen.contains("Start the rollback now? [Y / n REASON to go on without one]"),
        "{screen}"
    );
    assert!(
        screen.contains("ROLLBACK 1/1  Rollback › Procedure"),
        "{screen}"
    );
    assert_eq!(out.only_record().verdict, Verdict::RolledBack);
}

#[test]
fn declining_a_rollback_needs_a_reason_and_records_who_when_and_why() {
    let out = drive(
        "y\n150ms\n7%\nn\nn canary noise, confirmed by SRE\n",
        true,
        1,
    );
    let screen = &out.stdout;
    assert!(screen.contains("the condition holds"), "{screen}");
    assert!(
        screen.contains("a reason is needed to go on while a trigger holds: n REASON"),
        "{screen}"
    );
    let record = out.only_record();
    let trigger = record
        .items
        .iter()
        .find(|i| i.text == "Error rate > 5%")
        .unwrap();
    assert_eq!(trigger.status, Status::Holds);
    assert_eq!(trigger.value.as_deref(), Some("7%"));
    assert_eq!(trigger.reason, None);
    let declined = &record.rollback.declined[0];
    assert_eq!(declined.reason, "canary noise, confirmed by SRE");
    assert_eq!(declined.by, "dana");
    assert_eq!(record.rollback.triggers_held.len(), 1);
    assert_eq!(record.verdict, Verdict::NoGo);
    assert_eq!(record.causes, ["1 trigger held and rollback declined"]);
}

#[test]
fn without_a_terminal_a_holding_trigger_starts_the_rollback() {
    let out = drive("y\n150ms\nholds\n", false, 1);
    assert!(
        out.stdout
            .contains("Rollback started: walking the rollback procedure (1 item)."),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("Start the rollback now?"));
}

#[test]
fn a_bare_y_is_not_a_reason_to_start_a_rollback() {
    let out = drive("rollback\ny\ncustomers report errors\ny\ny\n", true, 1);
    assert!(
        out.stdout
            .contains("`y` is not a reason: say why, or press Enter to go back"),
        "{}",
        out.stdout
    );
    assert_eq!(out.stdout.matches("Why start a rollback?").count(), 2);
    let record = out.only_record();
    assert_eq!(
        record.rollback.reason.as_deref(),
        Some("customers report errors")
    );
}

#[test]
fn a_rollback_started_by_hand_asks_why_and_records_it() {
    let out = drive("rollback\ncustomers report errors\ny\ny\n", true, 1);
    assert!(
        out.stdout.contains("Why start a rollback?"),
        "{}",
        out.stdout
    );
    let record = out.only_record();
    assert_eq!(record.verdict, Verdict::RolledBack);
    assert!(record.rollback.started);
    assert_eq!(record.rollback.started_by.as_deref(), Some("dana"));
    assert_eq!(
        record.rollback.reason.as_deref(),
        Some("customers report errors")
    );
    assert!(record.rollback.triggers_held.is_empty());
}

#[test]
fn notes_back_status_contacts_and_help_keep_the_walk_where_it_is() {
    let out = drive(
        "note paged Dana\ny\nback\nstatus\ncontacts\n?\nquit\n",
        true,
        1,
    );
    let screen = &out.stdout;
    assert!(screen.contains("noted"));
    assert!(
        screen.contains("took back the answer to \"Backup taken\""),
        "{screen}"
    );
    assert!(screen.contains("0 done · 0 failed"), "{screen}");
    assert!(screen.contains("Dana Reyes"));
    assert!(screen.contains("VALUE override REASON"));
    let record = out.only_record();
    let backup = &record.items[0];
    assert_eq!(backup.status, Status::Pending);
    assert_eq!(
        backup.note.as_deref(),
        Some("paged Dana"),
        "a note outlives taking the answer back"
    );
    assert_eq!(record.signoffs.len(), 0);
    let _ = SignoffStatus::Pending;
}

#[test]
fn a_measured_value_is_judged_on_screen() {
    let out = drive("y\n250ms\n", true, 1);
    let screen = &out.stdout;
    assert!(
        screen.contains("measure Latency: needs < 200 ms; type the value, like 200ms"),
        "{screen}"
    );
    assert!(
        screen.contains("failed: 250 ms is not < 200 ms"),
        "{screen}"
    );
}

#[test]
fn end_of_input_ends_the_run_cleanly_as_incomplete() {
    let out = drive("y\n", false, 1);
    let record = out.only_record();
    assert_eq!(record.verdict, Verdict::Incomplete);
    assert_eq!(record.causes[0], "stopped (end of input)");
}

#[test]
fn quitting_at_the_rollback_question_asks_it_again_on_resume() {
    let first = drive("y\n150ms\nholds\nquit\n", true, 1);
    assert!(
        first.stdout.contains("Start the rollback now?"),
        "{}",
        first.stdout
    );
    let second = Test::resume_in(first.dir)
        .args(&["run", "production", "--operator", "lee", "--resume"])
        .env("DEPLOYCHECK_NOW", "2026-11-23T22:10:00+00:00")
        .env("DEPLOYCHECK_ASSUME_TERMINAL", "1")
        .stdin("n canary noise, confirmed by SRE\ndana\n")
        .status(1)
        .run();
    let screen = &second.stdout;
    let asked = screen
        .find("Start the rollback now?")
        .unwrap_or_else(|| panic!("the question comes back on resume:\n{screen}"));
    assert!(
        screen.find("Sign-off").is_none_or(|s| s > asked),
        "asked before anything else:\n{screen}"
    );
    let record = second.only_record();
    let declined = &record.rollback.declined[0];
    assert_eq!(declined.by, "lee");
    assert_eq!(declined.reason, "canary noise, confirmed by SRE");
    assert_eq!(record.causes, ["1 trigger held and rollback declined"]);
}
