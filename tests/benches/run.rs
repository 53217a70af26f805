//! Run benchmark: `cargo bench --bench run`.
//!
//! Budget: persisting one prompted answer costs the same at 1k and at 100k items (within
//! 1.2x). Prints the figures; asserts nothing (see benches/parse.rs, whose whole-command
//! table also times an answers-file run and the first prompt against `validate`).

use std::time::{Duration, Instant};

use deploycheck::engine::{Event, Meta, Plan, Start, Step};
use deploycheck::model::{How, RecordChecklist, SourceFormat, Status, Timestamp};
use deploycheck::run::Run;
use deploycheck::store::RunFolders;

fn main() {
    println!("deploycheck run benchmark\n");
    println!("persisting one prompted answer (walk + journal append + fsync), median of 300:");
    let mut with_sync = Vec::new();
    for items in [1_000, 100_000] {
        let (synced, unsynced) = per_answer(items);
        with_sync.push(synced);
        println!(
            "  {items:>7} items: {:>8.1} µs with fsync, {:>6.2} µs without",
            micros(synced),
            micros(unsynced)
        );
    }
    println!(
        "  ratio 100k / 1k: {:.2}x",
        with_sync[1].as_secs_f64() / with_sync[0].as_secs_f64()
    );
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// A checklist of about `target` plain items in sections of 25.
fn checklist_text(target: usize) -> String {
    let mut text = String::from("# Benchmark\n\n");
    let mut items = 0;
    let mut phase = 0;
    while items < target {
        phase += 1;
        text.push_str(&format!("## Phase {phase}\n\n"));
        for section in 0..10 {
            text.push_str(&format!("### Section {section}\n\n"));
            for item in 0..25 {
                text.push_str(&format!(
                    "- [ ] Check {item} of section {section} in phase {phase}\n"
                ));
                items += 1;
            }
            text.push('\n');
        }
    }
    text
}

/// Median time to apply and persist one answer, with and without the fsync.
fn per_answer(items: usize) -> (Duration, Duration) {
    let loaded = deploycheck::source::load_bytes(
        checklist_text(items).as_bytes(),
        "bench.md",
        SourceFormat::Markdown,
        "bench",
    )
    .unwrap();
    let sha256 = loaded.checklist.source.sha256.clone();
    let plan = Plan::new(loaded.checklist);
    let dir = tempfile::tempdir().unwrap();
    let folders = RunFolders::new(dir.path(), "checklists/bench.md", "production");
    let meta = Meta {
        at: Timestamp::parse("2026-11-23T22:00:01+00:00").unwrap(),
        by: "bench".into(),
    };
    let start = Start {
        checklist: RecordChecklist {
            title: "Benchmark".into(),
            path: "checklists/bench.md".into(),
            sha256,
        },
        environment: "production".into(),
        host: "bench".into(),
        plan: plan.into(),
        follow_up_of: None,
    };
    let mut run = Run::start(&folders, &meta, start).unwrap();
    let mut synced = Vec::new();
    let mut unsynced = Vec::new();
    for n in 0..600 {
        let Some(Step::Item(item)) = run.walk().current() else {
            panic!("an item is next")
        };
        let event = Event::Answer {
            id: run.walk().plan().items[item].id.clone(),
            status: Status::Done,
            reason: None,
            value: None,
            how: How::Typed,
            overridden: false,
            early: None,
        };
        let start = Instant::now();
        run.apply(&meta, event).unwrap();
        if n % 2 == 0 {
            run.sync().unwrap();
            synced.push(start.elapsed());
        } else {
            unsynced.push(start.elapsed());
            run.sync().unwrap();
        }
    }
    synced.sort();
    unsynced.sort();
    (synced[synced.len() / 2], unsynced[unsynced.len() / 2])
}
