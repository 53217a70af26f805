//! Time windows in the walk: the deployment moment, early and late answers, hand-overs.
//! Time enters only through each event's `Meta`, so every case here is an event list.

use super::*;
use crate::model::SourceFormat;

const CHECKLIST: &str = "# Release

## Deploy
### Steps
- [ ] Backup taken
- [ ] Traffic moved

## After the deploy
### Immediate (0-15 minutes)
- [ ] Health green
### Extended (15-60 minutes)
- [ ] Latency flat
- [ ] Memory flat
### First Week
- [ ] Trends reviewed
### Notes
- [ ] Changelog updated
";

fn walk_of(text: &str) -> Walk {
    let loaded =
        crate::source::load_bytes(text.as_bytes(), "t.md", SourceFormat::Markdown, "t").unwrap();
    let start = Start {
        checklist: RecordChecklist {
            title: "Release".into(),
            path: "checklists/t.md".into(),
            sha256: "ab".into(),
        },
        environment: "production".into(),
        host: "ops-1".into(),
        plan: Plan::new(loaded.checklist).into(),
        follow_up_of: None,
    };
    Walk::start(&at(0), start)
}

fn walk() -> Walk {
    walk_of(CHECKLIST)
}

/// `minutes` after 22:00 on deploy night.
fn at(minutes: i64) -> Meta {
    let base = chrono::DateTime::parse_from_rfc3339("2026-11-23T22:00:00+00:00").unwrap();
    Meta {
        at: Timestamp::from_datetime(base + chrono::Duration::minutes(minutes)),
        by: "dana".into(),
    }
}

fn done(id: &str) -> Event {
    Event::Answer {
        id: id.into(),
        status: Status::Done,
        reason: None,
        value: None,
        how: How::Typed,
        overridden: false,
        early: None,
    }
}

fn early(id: &str, why: &str) -> Event {
    match done(id) {
        Event::Answer {
            id,
            status,
            reason,
            value,
            how,
            overridden,
            ..
        } => Event::Answer {
            id,
            status,
            reason,
            value,
            how,
            overridden,
            early: Some(why.into()),
        },
        _ => unreachable!(),
    }
}

const BACKUP: &str = "deploy/steps/backup-taken";
const TRAFFIC: &str = "deploy/steps/traffic-moved";
const HEALTH: &str = "after-the-deploy/immediate-0-15-minutes/health-green";
const LATENCY: &str = "after-the-deploy/extended-15-60-minutes/latency-flat";
const MEMORY: &str = "after-the-deploy/extended-15-60-minutes/memory-flat";
const TRENDS: &str = "after-the-deploy/first-week/trends-reviewed";
const CHANGELOG: &str = "after-the-deploy/notes/changelog-updated";

fn item<'a>(record: &'a Record, id: &str) -> &'a RecordItem {
    record.items.iter().find(|i| i.id == id).unwrap()
}

/// The walk up to the deployment moment, recorded at `minute`.
fn deployed_at(minute: i64) -> Walk {
    let mut walk = walk();
    walk.apply(&at(1), &done(BACKUP)).unwrap();
    walk.apply(&at(minute), &done(TRAFFIC)).unwrap();
    assert!(walk.deployment_due());
    walk.apply(&at(minute), &Event::Deployed).unwrap();
    walk
}

#[test]
fn the_deployment_moment_is_due_when_the_walk_leaves_the_last_section_before_the_windows() {
    let mut walk = walk();
    assert_eq!(walk.plan().anchor_after.as_deref(), Some(TRAFFIC));
    assert!(!walk.deployment_due());
    walk.apply(&at(1), &done(BACKUP)).unwrap();
    assert!(!walk.deployment_due(), "still inside the last section");
    walk.apply(&at(2), &done(TRAFFIC)).unwrap();
    assert!(walk.deployment_due());
    walk.apply(&at(2), &Event::Deployed).unwrap();
    assert!(!walk.deployment_due());
    assert_eq!(
        walk.apply(&at(3), &Event::Deployed),
        Err(WalkError::DeployedTwice {
            at: at(2).at.clone()
        })
    );
    // `back` takes back the answer, never the moment.
    walk.apply(&at(3), &Event::Undo).unwrap();
    assert_eq!(walk.deployed().map(|d| &d.at), Some(&at(2).at));
    assert_eq!(walk.record().deployed_at, Some(at(2).at));
}

#[test]
fn windows_open_and_close_counted_from_the_moment() {
    let walk = deployed_at(10);
    let latency = walk.plan().item_index(LATENCY).unwrap();
    let opens = at(25).at;
    let closes = at(70).at;
    assert_eq!(
        walk.due(latency, &at(24).at),
        Due::NotYetOpen {
            opens: opens.clone(),
            closes: closes.clone()
        }
    );
    assert_eq!(
        walk.due(latency, &at(25).at),
        Due::Open {
            opens: opens.clone(),
            closes: closes.clone()
        }
    );
    assert_eq!(walk.due(latency, &at(71).at), Due::Closed { opens, closes });
    let changelog = walk.plan().item_index(CHANGELOG).unwrap();
    assert_eq!(walk.due(changelog, &at(0).at), Due::Anytime);
}

#[test]
fn an_answer_before_its_window_opens_needs_a_reason_and_is_recorded_early() {
    let mut walk = deployed_at(10);
    walk.apply(&at(11), &done(HEALTH)).unwrap();
    assert_eq!(
        walk.apply(&at(12), &done(LATENCY)),
        Err(WalkError::NotYetOpen {
            id: LATENCY.into(),
            opens: at(25).at
        })
    );
    walk.apply(&at(16), &early(LATENCY, "seen on the canary"))
        .unwrap();
    let record = walk.record();
    let latency = item(&record, LATENCY);
    assert_eq!(
        latency.early,
        Some(Box::new(RecordEarly {
            by: "9 min".into(),
            reason: "seen on the canary".into()
        }))
    );
    assert_eq!(latency.late, None);
    let window = latency.window.as_ref().unwrap();
    assert_eq!(window.opens, Some(at(25).at));
    assert_eq!(window.closes, Some(at(70).at));
    assert_eq!(item(&record, HEALTH).early, None, "on time");
}

#[test]
fn an_answer_after_its_window_closed_is_recorded_late_with_how_late() {
    let mut walk = deployed_at(10);
    walk.apply(&at(12), &done(HEALTH)).unwrap();
    walk.apply(&at(30), &done(LATENCY)).unwrap();
    walk.apply(&at(70 + 125), &done(MEMORY)).unwrap();
    let record = walk.record();
    assert_eq!(item(&record, LATENCY).late, None);
    assert_eq!(item(&record, MEMORY).late.as_deref(), Some("2 h 5 min"));
    assert_eq!(item(&record, MEMORY).status, Status::Done);
}

#[test]
fn handed_over_items_are_skipped_and_end_the_run_go_with_follow_ups() {
    let mut walk = deployed_at(10);
    walk.apply(&at(12), &done(HEALTH)).unwrap();
    walk.apply(&at(30), &done(LATENCY)).unwrap();
    walk.apply(&at(31), &done(MEMORY)).unwrap();
    let trends = walk.plan().item_index(TRENDS).unwrap();
    assert_eq!(walk.current(), Some(Step::Item(trends)));
    assert_eq!(walk.open_in_section(trends), vec![trends]);
    walk.apply(
        &at(32),
        &Event::HandOver {
            ids: vec![TRENDS.into()],
        },
    )
    .unwrap();
    assert_ne!(walk.current(), Some(Step::Item(trends)));
    walk.apply(&at(33), &done(CHANGELOG)).unwrap();
    assert!(walk.is_complete());
    walk.apply(
        &at(34),
        &Event::Finish {
            record_sha256: String::new(),
            record_bytes: 0,
        },
    )
    .unwrap();
    let record = walk.record();
    assert_eq!(record.verdict, Verdict::Go);
    assert_eq!(
        record.headline(),
        "GO · 1 follow-up due by 2026-11-30 22:10"
    );
    assert_eq!(record.counts.follow_ups, 1);
    assert_eq!(record.counts.pending, 0);
    let trends = item(&record, TRENDS);
    assert_eq!(trends.status, Status::Pending);
    assert_eq!(trends.reason.as_deref(), Some("handed over as a follow-up"));
    assert_eq!(
        trends.follow_up,
        Some(Box::new(RecordFollowUp {
            due: at(10 + 7 * 24 * 60).at,
            handed_over_at: at(32).at,
            handed_over_by: "dana".into(),
        }))
    );
    // The verdict is a function of the record: recomputed, it is the same.
    assert_eq!(record.judge().verdict, Verdict::Go);
}

#[test]
fn a_hand_over_is_taken_back_with_back_and_refused_where_it_makes_no_sense() {
    let mut walk = deployed_at(10);
    let handover = |ids: &[&str]| Event::HandOver {
        ids: ids.iter().map(|s| s.to_string()).collect(),
    };
    assert_eq!(
        walk.apply(&at(11), &handover(&[CHANGELOG])),
        Err(WalkError::NoWindow {
            id: CHANGELOG.into()
        })
    );
    assert_eq!(
        walk.apply(&at(11), &handover(&[])),
        Err(WalkError::NothingToHandOver)
    );
    assert_eq!(
        walk.apply(&at(71), &handover(&[LATENCY])),
        Err(WalkError::WindowClosed {
            id: LATENCY.into(),
            closes: at(70).at
        })
    );
    walk.apply(&at(11), &handover(&[HEALTH, LATENCY])).unwrap();
    assert_eq!(
        walk.apply(&at(11), &handover(&[HEALTH])),
        Err(WalkError::NotOpen { id: HEALTH.into() })
    );
    assert!(walk.last_change().unwrap().contains("handing"));
    walk.apply(&at(12), &Event::Undo).unwrap();
    let health = walk.plan().item_index(HEALTH).unwrap();
    assert_eq!(walk.current(), Some(Step::Item(health)));
    assert!(walk.handed_over(health).is_none());
}

#[test]
fn follow_ups_due_at_different_times_say_so() {
    let mut walk = deployed_at(10);
    walk.apply(
        &at(11),
        &Event::HandOver {
            ids: vec![LATENCY.into(), MEMORY.into(), TRENDS.into()],
        },
    )
    .unwrap();
    let record = walk.record();
    assert_eq!(
        record.outstanding.last().map(String::as_str),
        Some("3 follow-ups: 2 due by 2026-11-23 23:10, 1 by 2026-11-30 22:10")
    );
}

#[test]
fn an_anchor_directive_moves_the_moment_and_windows_first_start_with_the_run() {
    let anchored = CHECKLIST.replace("### Steps", "<!-- deploycheck: anchor -->\n### Steps");
    let walk = walk_of(&anchored);
    assert_eq!(walk.plan().anchor_after.as_deref(), Some(TRAFFIC));
    let first = "# R\n## After\n### First 24 Hours\n- [ ] Errors reviewed\n### Other\n- [ ] x\n";
    let walk = walk_of(first);
    assert_eq!(walk.plan().anchor_after, None);
    assert!(
        walk.deployment_due(),
        "windows from the first step: the moment is the start"
    );
    let none = "# R\n## Deploy\n### Steps\n- [ ] x\n";
    assert!(!walk_of(none).deployment_due(), "no windows, no moment");
}

#[test]
fn a_replayed_journal_gives_the_same_record_as_the_live_walk() {
    let mut live = walk();
    let mut events: Vec<(usize, Meta, Event)> = Vec::new();
    let script: Vec<(i64, Event)> = vec![
        (1, done(BACKUP)),
        (2, done(TRAFFIC)),
        (2, Event::Deployed),
        (3, done(HEALTH)),
        (4, early(LATENCY, "canary")),
        (
            5,
            Event::HandOver {
                ids: vec![MEMORY.into()],
            },
        ),
        (6, Event::Undo),
        (
            6,
            Event::HandOver {
                ids: vec![MEMORY.into(), TRENDS.into()],
            },
        ),
        (200, done(CHANGELOG)),
    ];
    events.push((1, at(0), Event::Start(Box::new(start_of(&live)))));
    for (n, (minute, event)) in script.into_iter().enumerate() {
        live.apply(&at(minute), &event).unwrap();
        // Through the journal's own form: JSON.
        let json = serde_json::to_string(&event).unwrap();
        events.push((n + 2, at(minute), serde_json::from_str(&json).unwrap()));
    }
    let replayed = replay(events).unwrap();
    assert_eq!(replayed.record(), live.record());
    assert_eq!(live.record().counts.follow_ups, 2);
}

fn start_of(walk: &Walk) -> Start {
    Start {
        checklist: walk.checklist().clone(),
        environment: walk.environment().to_string(),
        host: "ops-1".into(),
        plan: walk.plan().clone().into(),
        follow_up_of: None,
    }
}
