//! Run benchmark: `cargo bench --bench run`.
//!
//! Budgets: persisting one prompted answer costs the same at 1k and at 100k
//! items (within 1.2x); an answers-file run of a 100k-item checklist costs at most 10x
//! `validate` on it. Prints the figures; asserts nothing (see benches/parse.rs).

use std::path::Path;
use std::process::{Command, Stdio};
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

    if let Some(binary) = release_binary() {
        whole_command(&binary);
    } else {
        println!(
            "\n(build the release binary for the whole-command comparison: cargo build --release)"
        );
    }
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
    let plan = Plan::new(&loaded.checklist);
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
            sha256: loaded.checklist.source.sha256.clone(),
        },
        environment: "production".into(),
        host: "bench".into(),
        plan,
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

fn release_binary() -> Option<std::path::PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let binary = exe.parent()?.parent()?.join("deploycheck");
    binary.is_file().then_some(binary)
}

/// An answers-file run of 100k items against `validate` of the same checklist, both as
/// whole commands.
fn whole_command(binary: &Path) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("checklists")).unwrap();
    let text = checklist_text(100_000);
    std::fs::write(dir.path().join("checklists/bench.md"), &text).unwrap();
    let loaded = deploycheck::source::load_bytes(
        text.as_bytes(),
        "bench.md",
        SourceFormat::Markdown,
        "bench",
    )
    .unwrap();
    let mut answers = String::from("operator: bench\nanswers:\n");
    for item in loaded.checklist.items() {
        answers.push_str(&format!("  {}: done\n", item.id));
    }
    std::fs::write(dir.path().join("answers.yaml"), answers).unwrap();
    let time = |args: &[&str]| {
        let mut times: Vec<Duration> = (0..5)
            .map(|_| {
                let _ = std::fs::remove_dir_all(dir.path().join("runs"));
                let start = Instant::now();
                let status = Command::new(binary)
                    .args(args)
                    .current_dir(dir.path())
                    .env("DEPLOYCHECK_NOW", "2026-11-23T22:00:00+00:00")
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .status()
                    .unwrap();
                assert!(status.code().is_some_and(|c| c <= 1));
                start.elapsed()
            })
            .collect();
        times.sort();
        times[2]
    };
    let validate = time(&["validate", "checklists/bench.md"]);
    let run = time(&["run", "production", "--answers", "answers.yaml", "--new"]);
    println!(
        "\nwhole command, {} items: validate {:.0} ms, answers-file run {:.0} ms, ratio {:.1}x",
        loaded.checklist.item_count(),
        validate.as_secs_f64() * 1e3,
        run.as_secs_f64() * 1e3,
        run.as_secs_f64() / validate.as_secs_f64()
    );
}
