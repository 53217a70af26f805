//! The interactive walk through `BufRead`/`Write`, as a person at a terminal would see it:
//! the flows the binary only offers on a real terminal.

use std::io::Cursor;
use std::sync::Mutex;

use deploycheck::clock::SteppingClock;
use deploycheck::engine::Plan;
use deploycheck::model::{RecordChecklist, SourceFormat, Status, Verdict};
use deploycheck::render::Style;
use deploycheck::run::{Run, RunHeader};
use deploycheck::store::RunFiles;
use deploycheck::term::{Outcome, Session, SessionConfig};

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

struct Scripted {
    _dir: tempfile::TempDir,
    run: Mutex<Run>,
}

fn scripted() -> Scripted {
    let loaded = deploycheck::source::load_bytes(
        CHECKLIST.as_bytes(),
        "release.md",
        SourceFormat::Markdown,
        "release",
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let files = RunFiles::new(dir.path(), "release", "production");
    let header = RunHeader {
        checklist: RecordChecklist {
            title: "Release".into(),
            path: "release.md".into(),
            sha256: loaded.checklist.source.sha256.clone(),
        },
        environment: "production".into(),
        operator: "dana".into(),
        host: "ops-1".into(),
        started_at: "2026-11-23T22:00:00+00:00".into(),
    };
    let run = Run::start(
        Plan::new(&loaded.checklist),
        header,
        &files,
        "release-production-20261123T220000Z",
    )
    .unwrap();
    Scripted {
        _dir: dir,
        run: Mutex::new(run),
    }
}

fn drive(scripted: &Scripted, input: &str, interactive: bool) -> (Outcome, String) {
    let clock = SteppingClock::starting_at(
        chrono::DateTime::parse_from_rfc3339("2026-11-23T22:00:00+00:00").unwrap(),
    );
    let mut input = Cursor::new(input.as_bytes().to_vec());
    let mut output = Vec::new();
    let config = SessionConfig {
        interactive,
        style: Style::PLAIN,
        operator: "dana".into(),
        contacts: vec![deploycheck::model::Contact {
            role: "SRE lead".into(),
            name: Some("Dana Reyes".into()),
            email: None,
            phone: Some("+1 555 0100".into()),
        }],
        field_defaults: vec![],
    };
    let outcome = Session::new(&scripted.run, None, &mut input, &mut output, &clock, config)
        .drive()
        .unwrap();
    (outcome, String::from_utf8(output).unwrap())
}

#[test]
fn at_a_terminal_a_holding_trigger_asks_before_rolling_back() {
    let scripted = scripted();
    let (outcome, screen) = drive(&scripted, "y\n150ms\nholds\ny\ny\n", true);
    assert_eq!(outcome, Outcome::Finished);
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
    let mut run = scripted.run.lock().unwrap();
    assert_eq!(run.walk.verdict(), Verdict::RolledBack);
}

#[test]
fn declining_a_rollback_needs_a_reason_and_records_it() {
    let scripted = scripted();
    let (outcome, screen) = drive(
        &scripted,
        "y\n150ms\n7%\nn\nn canary noise, confirmed by SRE\n",
        true,
    );
    assert_eq!(outcome, Outcome::Finished);
    assert!(screen.contains("the condition holds"), "{screen}");
    assert!(
        screen.contains("a reason is needed to go on while a trigger holds: n REASON"),
        "{screen}"
    );
    let mut run = scripted.run.lock().unwrap();
    let record = run.record();
    let trigger = record
        .items
        .iter()
        .find(|i| i.text == "Error rate > 5%")
        .unwrap();
    assert_eq!(trigger.status, Status::Holds);
    assert_eq!(trigger.value.as_deref(), Some("7%"));
    assert_eq!(
        trigger.reason.as_deref(),
        Some("rollback declined by dana: canary noise, confirmed by SRE")
    );
    assert_eq!(record.verdict, Verdict::NoGo);
}

#[test]
fn without_a_terminal_a_holding_trigger_starts_the_rollback() {
    let scripted = scripted();
    let (_, screen) = drive(&scripted, "y\n150ms\nholds\n", false);
    assert!(
        screen.contains("Rollback started: walking the rollback procedure (1 item)."),
        "{screen}"
    );
    assert!(!screen.contains("Start the rollback now?"));
}

#[test]
fn rollback_can_be_started_at_any_prompt() {
    let scripted = scripted();
    let (outcome, _) = drive(&scripted, "rollback\ny\ny\n", true);
    assert_eq!(outcome, Outcome::Finished);
    let mut run = scripted.run.lock().unwrap();
    assert_eq!(run.walk.verdict(), Verdict::RolledBack);
    let record = run.record();
    assert!(record.rollback.started);
    assert!(record.rollback.triggers_held.is_empty());
}

#[test]
fn notes_back_status_contacts_and_help_keep_the_walk_where_it_is() {
    let scripted = scripted();
    let (outcome, screen) = drive(
        &scripted,
        "note paged Dana\ny\nback\nstatus\ncontacts\n?\nquit\n",
        true,
    );
    assert_eq!(outcome, Outcome::Quit);
    assert!(screen.contains("noted"));
    assert!(screen.contains("took back the last answer"));
    assert!(screen.contains("0 done · 0 failed"), "{screen}");
    assert!(screen.contains("Dana Reyes"));
    assert!(screen.contains("VALUE override REASON"));
    let mut run = scripted.run.lock().unwrap();
    let record = run.record();
    let backup = &record.items[0];
    assert_eq!(backup.status, Status::Pending);
    assert_eq!(
        backup.note.as_deref(),
        Some("paged Dana"),
        "a note outlives taking the answer back"
    );
}

#[test]
fn a_measured_value_is_judged_on_screen() {
    let scripted = scripted();
    let (_, screen) = drive(&scripted, "y\n250ms\n", true);
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
fn end_of_input_ends_the_session_cleanly() {
    let scripted = scripted();
    let (outcome, _) = drive(&scripted, "y\n", false);
    assert_eq!(outcome, Outcome::EndOfInput);
}
