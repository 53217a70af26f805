use super::*;
use crate::engine::parse_command;
use crate::model::SourceFormat;

const CHECKLIST: &str = "# Release

## Deploy
### Steps
- [ ] Backup taken
- [ ] Response time < 200ms (p95)
- [ ] Cache warmed (if needed)
- [ ] Parent
  - [ ] Child one
  - [ ] Child two

## Rollback
### Rollback triggers
- [ ] Error rate > 5%
- [ ] Data loss
### Rollback procedure
- [ ] Traffic back on blue

## Sign-off
### Security Team
- [ ] Pen test closed

*Version:* ____
";

fn plan() -> Plan {
    let loaded =
        crate::source::load_bytes(CHECKLIST.as_bytes(), "t.md", SourceFormat::Markdown, "t")
            .unwrap();
    Plan::new(loaded.checklist)
}

fn start_event(plan: Plan) -> Start {
    Start {
        checklist: RecordChecklist {
            title: "Release".into(),
            path: "checklists/t.md".into(),
            sha256: "ab".into(),
        },
        environment: "production".into(),
        host: "ops-1".into(),
        plan: plan.into(),
        follow_up_of: None,
    }
}

fn walk() -> Walk {
    Walk::start(&meta(0), start_event(plan()))
}

fn meta(n: u32) -> Meta {
    Meta {
        at: Timestamp::parse(&format!("2026-11-23T10:{:02}:{:02}+00:00", n / 60, n % 60)).unwrap(),
        by: "dana".into(),
    }
}

fn id(walk: &Walk, id: &str) -> usize {
    walk.plan().item_index(id).unwrap()
}

/// Answers the current step with what `line` means there.
fn say(walk: &mut Walk, line: &str, n: u32) -> Vec<Effect> {
    let event = match walk.current().expect("a step is open") {
        Step::Field(index) => Event::Field {
            name: walk.plan().fields[index].clone(),
            value: Some(line.into()),
        },
        Step::Signoff(role) => Event::Signoff {
            role: walk.plan().roles[role].role.clone(),
            outcome: SignoffOutcome::Signed(line.into()),
        },
        Step::Item(item) => {
            resolve_item_answer(walk.plan(), item, parse_command(line).unwrap(), How::Typed)
                .unwrap()
        }
    };
    walk.apply(&meta(n), &event).unwrap()
}

fn go_script() -> Vec<&'static str> {
    vec![
        "v1.2",
        "y",
        "180ms",
        "na",
        "y",
        "y",
        "clear",
        "clear",
        "y",
        "Dana Reyes",
    ]
}

fn finish(walk: &mut Walk, n: u32) -> Record {
    walk.apply(
        &meta(n),
        &Event::Finish {
            record_sha256: String::new(),
            record_bytes: 0,
        },
    )
    .unwrap();
    walk.record()
}

#[test]
fn a_clean_walk_is_go_and_skips_the_rollback_procedure() {
    let mut walk = walk();
    let mut last = Vec::new();
    for (n, line) in go_script().iter().enumerate() {
        last = say(&mut walk, line, n as u32);
    }
    assert_eq!(last, [Effect::Finished]);
    let record = finish(&mut walk, 30);
    assert_eq!(record.verdict, Verdict::Go);
    assert!(record.causes.is_empty());
    assert_eq!(record.items.len(), 10);
    let parent = record
        .items
        .iter()
        .find(|i| i.id == "deploy/steps/parent")
        .unwrap();
    assert_eq!(parent.status, Status::Done);
    assert_eq!(parent.how, Some(How::Derived));
    assert_eq!(
        parent.answered_at.as_ref().map(Timestamp::as_str),
        Some("2026-11-23T10:00:05+00:00")
    );
    let procedure = record
        .items
        .iter()
        .find(|i| i.id == "rollback/rollback-procedure/traffic-back-on-blue")
        .unwrap();
    assert_eq!(procedure.status, Status::Pending);
    assert_eq!(
        procedure.reason.as_deref(),
        Some("not walked: no rollback was started")
    );
    assert_eq!(record.signoffs.len(), 1);
    assert_eq!(record.signoffs[0].status, SignoffStatus::Signed);
    assert_eq!(
        record.signoffs[0].statements,
        ["sign-off/security-team/pen-test-closed"]
    );
    assert_eq!(record.judge().verdict, record.verdict);
}

#[test]
fn a_measured_value_over_the_threshold_fails_with_the_reason() {
    let mut walk = walk();
    say(&mut walk, "v1", 0);
    say(&mut walk, "y", 1);
    say(&mut walk, "250ms", 2);
    let answer = walk
        .answer(id(&walk, "deploy/steps/response-time-200ms-p95"))
        .unwrap();
    assert_eq!(answer.status, Status::Failed);
    assert_eq!(answer.reason.as_deref(), Some("250 ms is not < 200 ms"));
    assert_eq!(answer.value.as_deref(), Some("250ms"));
}

#[test]
fn a_wrong_threshold_never_traps_the_operator_y_bang_is_done_without_a_value() {
    let mut walk = walk();
    say(&mut walk, "v1", 0);
    say(&mut walk, "y", 1);
    say(&mut walk, "y! the limit is a setting here", 2);
    let answer = walk
        .answer(id(&walk, "deploy/steps/response-time-200ms-p95"))
        .unwrap();
    assert_eq!(answer.status, Status::Done);
    assert_eq!(answer.value, None);
    assert_eq!(
        answer.reason.as_deref(),
        Some(
            "done without a value (threshold < 200 ms (p95) not measured): the limit is a setting here"
        )
    );
}

#[test]
fn an_override_reverses_the_judgement_and_is_recorded_as_one() {
    let mut walk = walk();
    say(&mut walk, "v1", 0);
    say(&mut walk, "y", 1);
    say(&mut walk, "250ms override cold cache, accepted by SRE", 2);
    let record = walk.record();
    let item = record
        .items
        .iter()
        .find(|i| i.id == "deploy/steps/response-time-200ms-p95")
        .unwrap();
    assert_eq!(item.status, Status::Done);
    assert!(item.overridden);
    assert_eq!(item.reason.as_deref(), Some("cold cache, accepted by SRE"));
    assert_eq!(item.judgement.as_deref(), Some("250 ms is not < 200 ms"));
}

#[test]
fn a_holding_trigger_recommends_a_rollback_that_walks_the_procedure() {
    let mut walk = walk();
    for (n, line) in ["v1", "y", "180ms", "na", "y", "y"].iter().enumerate() {
        say(&mut walk, line, n as u32);
    }
    let effects = say(&mut walk, "7%", 6);
    let trigger = id(&walk, "rollback/rollback-triggers/error-rate-5");
    assert_eq!(
        effects,
        [Effect::RecommendRollback {
            triggers: vec![trigger]
        }]
    );
    walk.apply(&meta(7), &Event::Rollback { reason: None })
        .unwrap();
    assert_eq!(
        walk.current(),
        Some(Step::Item(id(
            &walk,
            "rollback/rollback-procedure/traffic-back-on-blue"
        )))
    );
    let effects = say(&mut walk, "y", 8);
    assert_eq!(effects, [Effect::Finished]);
    let record = finish(&mut walk, 9);
    assert_eq!(record.verdict, Verdict::RolledBack);
    assert_eq!(
        record.rollback.triggers_held,
        ["rollback/rollback-triggers/error-rate-5"]
    );
    let skipped = record
        .items
        .iter()
        .find(|i| i.id == "rollback/rollback-triggers/data-loss")
        .unwrap();
    assert_eq!(
        skipped.reason.as_deref(),
        Some("not walked: a rollback was started")
    );
}

#[test]
fn a_rollback_by_hand_needs_a_reason_and_records_it() {
    let mut walk = walk();
    say(&mut walk, "v1", 0);
    assert_eq!(
        walk.apply(&meta(1), &Event::Rollback { reason: None }),
        Err(WalkError::RollbackNeedsReason)
    );
    walk.apply(
        &meta(2),
        &Event::Rollback {
            reason: Some("customer reports".into()),
        },
    )
    .unwrap();
    let record = walk.record();
    assert_eq!(record.rollback.started_by.as_deref(), Some("dana"));
    assert_eq!(record.rollback.reason.as_deref(), Some("customer reports"));
}

#[test]
fn a_trigger_held_with_the_rollback_declined_is_no_go_and_listed_as_held() {
    let mut walk = walk();
    for (n, line) in ["v1", "y", "180ms", "na", "y", "y", "holds"]
        .iter()
        .enumerate()
    {
        say(&mut walk, line, n as u32);
    }
    walk.apply(
        &meta(8),
        &Event::Decline {
            reason: "false alarm from canary".into(),
        },
    )
    .unwrap();
    assert!(walk.holding_triggers().is_empty());
    for (n, line) in ["clear", "y", "Dana"].iter().enumerate() {
        say(&mut walk, line, 9 + n as u32);
    }
    let record = finish(&mut walk, 20);
    let trigger = record
        .items
        .iter()
        .find(|i| i.id == "rollback/rollback-triggers/error-rate-5")
        .unwrap();
    assert_eq!(trigger.status, Status::Holds);
    assert_eq!(trigger.reason, None, "the decline is a field, not a reason");
    assert_eq!(
        record.rollback.triggers_held,
        ["rollback/rollback-triggers/error-rate-5"]
    );
    let declined = &record.rollback.declined[0];
    assert_eq!(declined.reason, "false alarm from canary");
    assert_eq!(declined.by, "dana");
    assert_eq!(record.verdict, Verdict::NoGo);
    assert_eq!(record.causes, ["1 trigger held and rollback declined"]);
    assert_eq!(record.counts.holds, 1);
}

#[test]
fn every_decline_is_recorded_with_the_triggers_it_covered() {
    let mut walk = walk();
    for (n, line) in ["v1", "y", "180ms", "na", "y", "y", "holds"]
        .iter()
        .enumerate()
    {
        say(&mut walk, line, n as u32);
    }
    let decline = |reason: &str| Event::Decline {
        reason: reason.into(),
    };
    walk.apply(&meta(8), &decline("canary noise")).unwrap();
    let effects = say(&mut walk, "holds", 9);
    assert!(
        matches!(&effects[..], [Effect::RecommendRollback { triggers }] if triggers.len() == 1),
        "a new trigger holding is recommended again: {effects:?}"
    );
    walk.apply(&meta(10), &decline("backups verified by hand"))
        .unwrap();
    for (n, line) in ["y", "Dana"].iter().enumerate() {
        say(&mut walk, line, 11 + n as u32);
    }
    let record = finish(&mut walk, 20);
    let declined = &record.rollback.declined;
    assert_eq!(declined.len(), 2);
    assert_eq!(
        declined[0].triggers,
        ["rollback/rollback-triggers/error-rate-5"]
    );
    assert_eq!(
        declined[1].triggers,
        ["rollback/rollback-triggers/data-loss"]
    );
    assert_eq!(record.causes, ["2 triggers held and rollback declined"]);
}

#[test]
fn a_held_trigger_with_nothing_decided_is_never_go() {
    let mut walk = walk();
    for (n, line) in [
        "v1", "y", "180ms", "na", "y", "y", "holds", "clear", "y", "Dana",
    ]
    .iter()
    .enumerate()
    {
        say(&mut walk, line, n as u32);
    }
    let record = finish(&mut walk, 20);
    assert_eq!(record.verdict, Verdict::NoGo);
    assert_eq!(record.causes, ["1 trigger held and no rollback decided"]);
}

#[test]
fn back_takes_the_last_answer_back_and_asks_it_again() {
    let mut walk = walk();
    say(&mut walk, "v1", 0);
    say(&mut walk, "f disk full", 1);
    assert_eq!(walk.counts().failed, 1);
    assert_eq!(
        walk.last_change().as_deref(),
        Some("the answer to \"Backup taken\"")
    );
    walk.apply(&meta(2), &Event::Undo).unwrap();
    assert_eq!(walk.counts().failed, 0);
    let first = id(&walk, "deploy/steps/backup-taken");
    assert_eq!(walk.current(), Some(Step::Item(first)));
    assert_eq!(walk.answer(first), None);
    walk.apply(&meta(3), &Event::Undo).unwrap();
    assert_eq!(walk.current(), Some(Step::Field(0)));
    assert_eq!(
        walk.apply(&meta(4), &Event::Undo),
        Err(WalkError::NothingToUndo)
    );
}

#[test]
fn answers_are_checked_against_the_item() {
    let mut walk = walk();
    let answer = |id: &str, status, reason: Option<&str>| Event::Answer {
        id: id.into(),
        status,
        reason: reason.map(str::to_string),
        value: None,
        how: How::Typed,
        overridden: false,
        early: None,
    };
    let backup = "deploy/steps/backup-taken";
    assert!(matches!(
        walk.apply(&meta(0), &answer(backup, Status::Failed, None)),
        Err(WalkError::ReasonRequired { .. })
    ));
    assert!(matches!(
        walk.apply(
            &meta(0),
            &answer(
                "rollback/rollback-triggers/error-rate-5",
                Status::Done,
                None
            )
        ),
        Err(WalkError::TriggerNeedsClearOrHolds { .. })
    ));
    assert!(matches!(
        walk.apply(&meta(0), &answer(backup, Status::Clear, None)),
        Err(WalkError::NotATrigger { .. })
    ));
    assert!(matches!(
        walk.apply(&meta(0), &answer("deploy/steps/parent", Status::Done, None)),
        Err(WalkError::NotALeaf { .. })
    ));
    assert!(matches!(
        walk.apply(
            &meta(0),
            &answer(
                "rollback/rollback-procedure/traffic-back-on-blue",
                Status::Done,
                None
            )
        ),
        Err(WalkError::RollbackNotStarted { .. })
    ));
    assert!(matches!(
        walk.apply(&meta(0), &answer("no/such/item", Status::Done, None)),
        Err(WalkError::Unknown { .. })
    ));
    assert!(
        walk.apply(
            &meta(0),
            &answer(
                "deploy/steps/cache-warmed-if-needed",
                Status::NotApplicable,
                None
            )
        )
        .is_ok(),
        "optional n/a needs no reason"
    );
    let plan = walk.plan().clone();
    let backup = plan.item_index(backup).unwrap();
    let measured = plan
        .item_index("deploy/steps/response-time-200ms-p95")
        .unwrap();
    assert!(
        resolve_item_answer(&plan, backup, parse_command("180ms").unwrap(), How::Typed).is_err()
    );
    assert!(resolve_item_answer(&plan, measured, parse_command("y").unwrap(), How::Typed).is_err());
}

#[test]
fn deferring_a_required_item_finishes_incomplete_and_says_so() {
    let mut walk = walk();
    let mut script = go_script();
    script[1] = "d waiting on vendor";
    for (n, line) in script.iter().enumerate() {
        say(&mut walk, line, n as u32);
    }
    let record = finish(&mut walk, 30);
    assert_eq!(record.verdict, Verdict::Incomplete);
    assert_eq!(record.causes, ["complete except 1 deferred item"]);
}

#[test]
fn a_refused_signoff_is_no_go_and_names_the_role() {
    let mut walk = walk();
    for (n, line) in go_script()[..9].iter().enumerate() {
        say(&mut walk, line, n as u32);
    }
    walk.apply(
        &meta(20),
        &Event::Signoff {
            role: "Security Team".into(),
            outcome: SignoffOutcome::Refused("pen test open".into()),
        },
    )
    .unwrap();
    let record = finish(&mut walk, 21);
    assert_eq!(record.verdict, Verdict::NoGo);
    assert_eq!(record.causes, ["Security Team refused"]);
}

#[test]
fn a_stopped_run_is_incomplete_with_its_failures_so_far() {
    let mut walk = walk();
    say(&mut walk, "v1", 0);
    say(&mut walk, "f disk full", 1);
    walk.apply(
        &meta(2),
        &Event::Stop {
            reason: "quit".into(),
        },
    )
    .unwrap();
    let record = walk.record();
    assert_eq!(record.verdict, Verdict::Incomplete);
    assert_eq!(record.causes[..2], ["stopped (quit)", "1 failed so far"]);
    assert_eq!(
        walk.apply(&meta(3), &Event::Undo),
        Err(WalkError::Stopped),
        "a stopped run takes nothing until it resumes"
    );
}

#[test]
fn a_parents_time_is_its_latest_childs_by_instant_not_by_text() {
    let mut walk = walk();
    for (n, line) in ["v1", "y", "180ms", "na"].iter().enumerate() {
        say(&mut walk, line, n as u32);
    }
    let at = |text: &str, by: &str| Meta {
        at: Timestamp::parse(text).unwrap(),
        by: by.into(),
    };
    let done = |id: &str| Event::Answer {
        id: id.into(),
        status: Status::Done,
        reason: None,
        value: None,
        how: How::Typed,
        overridden: false,
        early: None,
    };
    walk.apply(
        &at("2026-11-23T21:30:00+01:00", "dana"),
        &done("deploy/steps/parent/child-one"),
    )
    .unwrap();
    walk.apply(
        &at("2026-11-23T21:00:00Z", "lee"),
        &done("deploy/steps/parent/child-two"),
    )
    .unwrap();
    let record = walk.record();
    let parent = record
        .items
        .iter()
        .find(|i| i.id == "deploy/steps/parent")
        .unwrap();
    assert_eq!(parent.answered_by.as_deref(), Some("lee"));
}

#[test]
fn moving_onto_a_changed_plan_keeps_what_still_applies_and_lists_the_rest() {
    let mut walk = walk();
    for (n, line) in ["v1", "y", "180ms"].iter().enumerate() {
        say(&mut walk, line, n as u32);
    }
    let changed = CHECKLIST.replace("- [ ] Backup taken", "- [ ] Backup taken and verified");
    let loaded =
        crate::source::load_bytes(changed.as_bytes(), "t.md", SourceFormat::Markdown, "t").unwrap();
    let plan = Plan::new(loaded.checklist);
    walk.apply(
        &meta(10),
        &Event::Resume {
            host: "ops-2".into(),
            checklist: None,
            plan: Some(Box::new(plan)),
        },
    )
    .unwrap();
    assert_eq!(walk.counts().done, 1, "the measured item keeps its answer");
    assert_eq!(walk.dropped().len(), 1);
    assert!(walk.dropped()[0].contains("deploy/steps/backup-taken"));
    assert_eq!(walk.sessions().len(), 2);
}

#[test]
fn replay_rebuilds_the_same_walk_and_names_the_line_that_does_not_apply() {
    let mut live = walk();
    let mut events = vec![(1, meta(0), Event::Start(Box::new(start_event(plan()))))];
    for (n, line) in go_script().iter().enumerate() {
        let step = live.current().unwrap();
        let event = match step {
            Step::Field(index) => Event::Field {
                name: live.plan().fields[index].clone(),
                value: Some(line.to_string()),
            },
            Step::Signoff(role) => Event::Signoff {
                role: live.plan().roles[role].role.clone(),
                outcome: SignoffOutcome::Signed(line.to_string()),
            },
            Step::Item(item) => {
                resolve_item_answer(live.plan(), item, parse_command(line).unwrap(), How::Typed)
                    .unwrap()
            }
        };
        live.apply(&meta(n as u32 + 1), &event).unwrap();
        events.push((n + 2, meta(n as u32 + 1), event));
    }
    let replayed = replay(events.clone()).unwrap();
    assert_eq!(replayed.record(), live.record());
    events.push((99, meta(50), Event::Undo));
    events.push((100, meta(51), Event::Undo));
    events.push((
        101,
        meta(52),
        Event::Answer {
            id: "deploy/steps/backup-taken".into(),
            status: Status::Failed,
            reason: None,
            value: None,
            how: How::Typed,
            overridden: false,
            early: None,
        },
    ));
    let error = replay(events).unwrap_err();
    assert_eq!(error.line, 101);
}

mod checks {
    use super::*;
    use crate::model::CheckEnd;

    const BACKUP: &str = "deploy/steps/backup-taken";

    fn started(command: &str) -> Event {
        Event::CheckStarted {
            id: BACKUP.into(),
            command: command.into(),
            timeout_s: 60,
        }
    }

    fn finished(exit_code: i32) -> Event {
        Event::CheckFinished {
            id: BACKUP.into(),
            exit_code: Some(exit_code),
            ended: CheckEnd::Exited,
            duration_ms: 12,
            output: format!("exit {exit_code}\n"),
            output_truncated: false,
            output_bytes: 7,
        }
    }

    fn evidence(walk: &Walk) -> Vec<crate::model::Evidence> {
        let record = walk.record();
        let item = record.items.iter().find(|i| i.id == BACKUP).unwrap();
        item.evidence.clone().unwrap_or_default()
    }

    #[test]
    fn every_execution_is_kept_and_an_unfinished_one_never_passes() {
        let mut walk = walk();
        walk.apply(&meta(1), &started("true")).unwrap();
        let runs = evidence(&walk);
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].ended, CheckEnd::Unfinished);
        assert_eq!((runs[0].exit_code, runs[0].duration_ms), (None, None));
        assert!(!runs[0].passed());
        walk.apply(&meta(2), &finished(1)).unwrap();
        walk.apply(&meta(3), &started("true")).unwrap();
        walk.apply(&meta(4), &finished(0)).unwrap();
        let runs = evidence(&walk);
        assert_eq!(
            runs.iter().map(|r| r.exit_code).collect::<Vec<_>>(),
            [Some(1), Some(0)]
        );
        assert_eq!(runs[1].started_at, meta(3).at);
        assert!(
            walk.answer(id(&walk, BACKUP)).is_none(),
            "evidence answers nothing"
        );
    }

    #[test]
    fn a_finish_needs_a_running_check_of_its_item() {
        let mut walk = walk();
        assert!(matches!(
            walk.apply(&meta(1), &finished(0)),
            Err(WalkError::NoCheckRunning { .. })
        ));
        walk.apply(&meta(2), &started("true")).unwrap();
        walk.apply(&meta(3), &finished(0)).unwrap();
        assert!(
            walk.apply(&meta(4), &finished(0)).is_err(),
            "finished twice"
        );
        let parent = Event::CheckStarted {
            id: "deploy/steps/parent".into(),
            command: "true".into(),
            timeout_s: 5,
        };
        assert!(matches!(
            walk.apply(&meta(5), &parent),
            Err(WalkError::NotALeaf { .. })
        ));
    }

    #[test]
    fn back_takes_back_the_answer_but_never_the_evidence() {
        let mut walk = walk();
        say(&mut walk, "v1", 1);
        walk.apply(&meta(2), &started("true")).unwrap();
        walk.apply(&meta(3), &finished(0)).unwrap();
        say(&mut walk, "y", 4);
        walk.apply(&meta(5), &Event::Undo).unwrap();
        assert!(walk.answer(id(&walk, BACKUP)).is_none());
        assert_eq!(evidence(&walk).len(), 1);
        // The undo took back the answer, not the field before the check.
        assert!(walk.field(0).is_some());
    }

    #[test]
    fn a_replay_and_a_move_onto_a_changed_plan_keep_the_evidence() {
        let mut walk = walk();
        let mut events = vec![(1, meta(0), Event::Start(Box::new(start_event(plan()))))];
        for (n, event) in [started("true"), finished(3), Event::Undo]
            .into_iter()
            .enumerate()
        {
            let n = n as u32 + 1;
            if walk.apply(&meta(n), &event).is_ok() {
                events.push((n as usize + 1, meta(n), event));
            }
        }
        let replayed = replay(events.clone()).unwrap();
        assert_eq!(replayed.record(), walk.record());
        // A changed checklist: the walk moves onto it and keeps the evidence.
        let changed = CHECKLIST.replace("- [ ] Data loss\n", "");
        let loaded =
            crate::source::load_bytes(changed.as_bytes(), "t.md", SourceFormat::Markdown, "t")
                .unwrap();
        let resume = Event::Resume {
            host: "ops-2".into(),
            checklist: None,
            plan: Some(Box::new(Plan::new(loaded.checklist))),
        };
        walk.apply(&meta(9), &resume).unwrap();
        assert_eq!(evidence(&walk).len(), 1);
        assert!(walk.dropped().is_empty(), "{:?}", walk.dropped());
    }

    #[test]
    fn a_check_changed_since_the_start_is_told_apart() {
        let with_check = CHECKLIST.replace(
            "- [ ] Backup taken\n",
            "- [ ] Backup taken\n  ```sh check\n  echo old\n  ```\n",
        );
        let plan_of = |text: &str| {
            let loaded =
                crate::source::load_bytes(text.as_bytes(), "t.md", SourceFormat::Markdown, "t")
                    .unwrap();
            Plan::new(loaded.checklist)
        };
        let mut walk = Walk::start(&meta(0), start_event(plan_of(&with_check)));
        let backup = id(&walk, BACKUP);
        assert_eq!(walk.check_changed_since_start(backup), None);
        let resume = Event::Resume {
            host: "ops-2".into(),
            checklist: None,
            plan: Some(Box::new(plan_of(
                &with_check.replace("echo old", "echo new"),
            ))),
        };
        walk.apply(&meta(1), &resume).unwrap();
        assert_eq!(
            walk.check_changed_since_start(backup),
            Some(Some("echo old"))
        );
        let mut plain = Walk::start(&meta(0), start_event(plan()));
        let resume = Event::Resume {
            host: "ops-2".into(),
            checklist: None,
            plan: Some(Box::new(plan_of(&with_check))),
        };
        plain.apply(&meta(1), &resume).unwrap();
        assert_eq!(plain.check_changed_since_start(backup), Some(None));
    }
}

#[test]
fn later_at_a_statement_leaves_the_role_and_its_statements_to_its_owner() {
    let mut walk = walk();
    for (n, line) in go_script()[..8].iter().enumerate() {
        say(&mut walk, line, n as u32);
    }
    let pen_test = id(&walk, "sign-off/security-team/pen-test-closed");
    assert_eq!(walk.current(), Some(Step::Item(pen_test)));
    let later = Event::Signoff {
        role: "Security Team".into(),
        outcome: SignoffOutcome::Later,
    };
    walk.apply(&meta(20), &later).unwrap();
    assert!(walk.left_for_owner(pen_test));
    assert_eq!(
        walk.current(),
        None,
        "neither the statement nor the sign-off is asked"
    );
    let record = finish(&mut walk, 21);
    assert_eq!(record.verdict, Verdict::Go);
    assert_eq!(record.headline(), "GO · awaiting sign-off: Security Team");
    let signoff = &record.signoffs[0];
    assert_eq!(signoff.status, SignoffStatus::Awaiting);
    assert_eq!(signoff.by.as_deref(), Some("dana"));
    let statement = record
        .items
        .iter()
        .find(|i| i.id.ends_with("pen-test-closed"))
        .unwrap();
    assert_eq!(statement.status, Status::Pending);
    assert_eq!(statement.role.as_deref(), Some("Security Team"));
    assert_eq!(
        statement.reason.as_deref(),
        Some("left for Security Team to confirm at its sign-off")
    );
}

#[test]
fn later_at_the_signoff_prompt_keeps_the_statements_confirmed_and_back_undoes_it() {
    let mut walk = walk();
    for (n, line) in go_script()[..9].iter().enumerate() {
        say(&mut walk, line, n as u32);
    }
    assert_eq!(walk.current(), Some(Step::Signoff(0)));
    let later = Event::Signoff {
        role: "Security Team".into(),
        outcome: SignoffOutcome::Later,
    };
    walk.apply(&meta(20), &later).unwrap();
    assert_eq!(walk.current(), None);
    walk.apply(&meta(21), &Event::Undo).unwrap();
    assert_eq!(walk.current(), Some(Step::Signoff(0)));
    walk.apply(&meta(22), &later).unwrap();
    let record = finish(&mut walk, 23);
    assert_eq!(record.signoffs[0].status, SignoffStatus::Awaiting);
    assert_eq!(
        record.signoffs[0].statements,
        ["sign-off/security-team/pen-test-closed"]
    );
    assert_eq!(record.headline(), "GO · awaiting sign-off: Security Team");
}
