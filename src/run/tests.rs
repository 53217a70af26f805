//! The run's invariants: whatever happens, the live walk, a fresh replay of the journal's
//! bytes and what a record says of itself agree; and no single damaged byte in a journal
//! silently changes an answer.

use proptest::prelude::*;

use crate::engine::{
    Event, Meta, Plan, SignoffOutcome, Start, Step, Walk, replay, resolve_item_answer,
};
use crate::model::{How, RecordChecklist, SourceFormat, Status, Timestamp};
use crate::store::{encode_line, parse_journal};

const CHECKLIST: &str = "# Release

*Version:* ____

## Deploy
### Steps
- [ ] Backup taken
- [ ] Response time < 200ms (p95)
- [ ] Cache warmed (if needed)
- [ ] Parent
  - [ ] Child one
  - [ ] Child two
- [ ] Notify support

## Rollback
### Rollback triggers
- [ ] Error rate > 5%
- [ ] Data loss
### Rollback procedure
- [ ] Traffic back on blue
- [ ] Announce the rollback

## Sign-off
### Security Team
- [ ] Pen test closed
**Signed:** ____
";

fn plan_of(text: &str) -> Plan {
    let loaded =
        crate::source::load_bytes(text.as_bytes(), "t.md", SourceFormat::Markdown, "t").unwrap();
    Plan::new(loaded.checklist)
}

fn meta(n: usize, by: &str) -> Meta {
    Meta {
        at: Timestamp::parse(&format!(
            "2026-11-23T{:02}:{:02}:{:02}+01:00",
            10 + n / 3600,
            (n / 60) % 60,
            n % 60
        ))
        .unwrap(),
        by: by.into(),
    }
}

fn start_event(plan: Plan) -> Event {
    Event::Start(Box::new(Start {
        checklist: RecordChecklist {
            title: "Release".into(),
            path: "checklists/t.md".into(),
            sha256: "ab".into(),
        },
        environment: "production".into(),
        host: "ops-1".into(),
        plan: plan.into(),
        follow_up_of: None,
    }))
}

/// What an operator may do at a step, as an index into the choices that apply there.
#[derive(Debug, Clone)]
enum Action {
    Answer(u8),
    Note,
    Back,
    RollbackByHand,
    Decline,
    StopAndResume,
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        8 => any::<u8>().prop_map(Action::Answer),
        1 => Just(Action::Note),
        2 => Just(Action::Back),
        1 => Just(Action::RollbackByHand),
        1 => Just(Action::Decline),
        1 => Just(Action::StopAndResume),
    ]
}

/// The event an action stands for at the walk's current step, if any.
fn event_for(walk: &Walk, action: &Action) -> Option<Event> {
    let step = walk.current()?;
    Some(match (action, step) {
        (Action::Answer(_), Step::Field(index)) => Event::Field {
            name: walk.plan().fields[index].clone(),
            value: Some("v1.4.2".into()),
        },
        (Action::Answer(choice), Step::Signoff(role)) => Event::Signoff {
            role: walk.plan().roles[role].role.clone(),
            outcome: if choice % 4 == 0 {
                SignoffOutcome::Refused("pen test open".into())
            } else {
                SignoffOutcome::Signed("Dana Reyes".into())
            },
        },
        (Action::Answer(choice), Step::Item(item)) => {
            let words = if walk.plan().items[item].kind == crate::model::ItemKind::Trigger {
                ["clear", "clear", "holds", "7%", "2%"].as_slice()
            } else if walk.plan().items[item].threshold.is_some() {
                [
                    "180ms",
                    "250ms",
                    "250ms override cold cache",
                    "f probe down",
                    "d later",
                ]
                .as_slice()
            } else {
                [
                    "y",
                    "y",
                    "y",
                    "f disk full",
                    "s not today",
                    "na not here",
                    "d after freeze",
                ]
                .as_slice()
            };
            let word = words[*choice as usize % words.len()];
            let command = crate::engine::parse_command(word).ok()?;
            resolve_item_answer(walk.plan(), item, command, How::Typed).ok()?
        }
        (Action::Note, Step::Item(item)) => Event::Note {
            id: walk.plan().items[item].id.clone(),
            text: "paged the on-call".into(),
        },
        (Action::Back, _) => Event::Undo,
        (Action::RollbackByHand, _) => Event::Rollback {
            reason: Some("customers report errors".into()),
        },
        (Action::Decline, _) => Event::Decline {
            reason: "canary noise".into(),
        },
        _ => return None,
    })
}

/// Runs the actions through a live walk, keeping the journal's lines as bytes.
fn live(plan: Plan, actions: &[Action]) -> (Walk, Vec<u8>, usize) {
    let mut lines = Vec::new();
    let start = start_event(plan);
    let first = meta(0, "dana");
    lines.extend(encode_line(1, &first, &start));
    let Event::Start(s) = start.clone() else {
        unreachable!()
    };
    let mut walk = Walk::start(&first, *s);
    let mut seq = 1;
    let mut operator = "dana";
    let mut answers = 0;
    let record = |walk: &mut Walk, lines: &mut Vec<u8>, seq: &mut u64, m: &Meta, e: Event| {
        if walk.apply(m, &e).is_ok() {
            *seq += 1;
            lines.extend(encode_line(*seq, m, &e));
            true
        } else {
            false
        }
    };
    for (n, action) in actions.iter().enumerate() {
        let m = meta(n + 1, operator);
        if let Action::StopAndResume = action {
            record(
                &mut walk,
                &mut lines,
                &mut seq,
                &m,
                Event::Stop {
                    reason: "quit".into(),
                },
            );
            operator = if operator == "dana" { "lee" } else { "dana" };
            let m = meta(n + 1, operator);
            record(
                &mut walk,
                &mut lines,
                &mut seq,
                &m,
                Event::Resume {
                    host: "ops-2".into(),
                    checklist: None,
                    plan: None,
                },
            );
            continue;
        }
        if let Some(event) = event_for(&walk, action)
            && record(&mut walk, &mut lines, &mut seq, &m, event.clone())
            && matches!(event, Event::Answer { .. })
        {
            answers += 1;
        }
    }
    if walk.is_complete() {
        let m = meta(actions.len() + 1, operator);
        record(
            &mut walk,
            &mut lines,
            &mut seq,
            &m,
            Event::Finish {
                record_sha256: String::new(),
                record_bytes: 0,
            },
        );
    }
    (walk, lines, answers)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn live_walk_replay_and_the_record_itself_agree(actions in prop::collection::vec(action(), 0..60)) {
        let (walk, bytes, _) = live(plan_of(CHECKLIST), &actions);
        let record = walk.record();
        // (b) A fresh replay of the journal's bytes.
        let contents = parse_journal(&bytes).unwrap();
        let replayed = replay(contents.entries).unwrap();
        prop_assert_eq!(&replayed.record(), &record);
        // (c) What the record says of itself, after a trip through its YAML.
        let yaml = crate::yaml::to_string(&record).unwrap();
        let read: crate::model::Record = crate::yaml::from_str(&yaml, "record.yaml").unwrap();
        prop_assert_eq!(&read, &record);
        prop_assert_eq!(read.compute_digest(), record.digest.clone());
        let judged = read.judge();
        prop_assert_eq!(judged.verdict, record.verdict);
        prop_assert_eq!(&judged.causes, &record.causes);
        prop_assert_eq!(judged.counts, record.counts);
        prop_assert_eq!(&judged.triggers_held, &record.rollback.triggers_held);
        // Every trigger that held is listed, declined or not.
        for item in &record.items {
            if item.kind == crate::model::ItemKind::Trigger && item.status == Status::Holds && item.parent.is_none() {
                prop_assert!(record.rollback.triggers_held.contains(&item.id));
            }
        }
    }
}

/// An item's answer as a reader of the record sees it: id, status, reason, value.
type Kept = (String, Status, Option<String>, Option<String>);

/// The answers a journal's bytes stand for, or the line a damaged byte is reported on.
fn answers_of(bytes: &[u8]) -> Result<Vec<Kept>, usize> {
    let contents = parse_journal(bytes).map_err(|(line, _)| line.max(1))?;
    let walk = replay(contents.entries).map_err(|e| e.line)?;
    let plan = walk.plan();
    Ok((0..plan.items.len())
        .filter_map(|i| {
            let a = walk.answer(i)?;
            Some((
                plan.items[i].id.clone(),
                a.status,
                a.reason.clone(),
                a.value.clone(),
            ))
        })
        .collect())
}

#[test]
fn flipping_any_single_byte_of_a_journal_never_silently_changes_an_answer() {
    // A run with about fifty answers: several operators, values, notes and takes-back.
    let actions: Vec<Action> = (0..80)
        .map(|n| match n % 9 {
            4 => Action::Note,
            7 => Action::Back,
            8 if n % 27 == 8 => Action::StopAndResume,
            _ => Action::Answer(n as u8),
        })
        .collect();
    let mut text = CHECKLIST.replace("- [ ] Notify support\n", "");
    let extra: String = (1..=50)
        .map(|n| format!("- [ ] Step {n} checked\n"))
        .collect();
    text = text.replace(
        "- [ ] Backup taken\n",
        &format!("- [ ] Backup taken\n{extra}"),
    );
    let (_, bytes, answered) = live(plan_of(&text), &actions);
    assert!(answered >= 50, "{answered} answers");
    let whole = answers_of(&bytes).unwrap();
    // The answers of each prefix of whole lines: what dropping a torn last line leaves.
    let mut line_ends = vec![0];
    line_ends.extend(
        bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .map(|(i, _)| i + 1),
    );
    let mut checked = 0;
    for offset in 0..bytes.len() {
        let mut damaged = bytes.clone();
        damaged[offset] ^= 0x01;
        let line = line_ends.iter().filter(|&&end| end <= offset).count();
        match answers_of(&damaged) {
            Err(reported) => assert_eq!(
                reported, line,
                "a flip at byte {offset} is reported on line {reported}, not on line {line}"
            ),
            Ok(answers) => {
                // Only the last line may be touched: its newline lost (the line stands),
                // or torn (it goes, and with it only what it held).
                let kept = line_ends.len() - 2;
                let without_last = answers_of(&bytes[..line_ends[kept]]).unwrap();
                assert!(
                    answers == whole || answers == without_last,
                    "a flip at byte {offset} changed an answer silently"
                );
                assert!(
                    offset >= line_ends[kept],
                    "only the last line may be dropped"
                );
            }
        }
        checked += 1;
    }
    assert_eq!(checked, bytes.len());
    assert!(!whole.is_empty());
}
