//! Records benchmark: `cargo bench --bench records`.
//!
//! Budget: diffing two 100k-item records costs at most 1.5x reading both (two
//! `verify` runs), so the comparison itself is linear and cheap. Also prints GNU
//! `diff -u` on the same files, when installed, for scale. Prints; asserts nothing.

#[path = "common.rs"]
mod common;
use common::median;

use std::path::Path;
use std::process::{Command, Stdio};

use deploycheck::model::{
    Counts, FieldValues, How, ItemKind, RECORD_SCHEMA, Record, RecordChecklist, RecordItem,
    RecordRollback, RecordSession, Status, Timestamp, Verdict,
};

fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

fn record(items: usize, changed_every: usize) -> Record {
    let mut record = Record {
        schema: RECORD_SCHEMA.into(),
        checklist: RecordChecklist {
            title: "Benchmark".into(),
            path: "checklists/bench.md".into(),
            sha256: "ab".repeat(32),
        },
        environment: "production".into(),
        fields: FieldValues(vec![("Version".into(), Some("v1".into()))]),
        operator: "bench".into(),
        host: "bench".into(),
        sessions: vec![RecordSession {
            operator: "bench".into(),
            host: "bench".into(),
            at: at("2026-11-23T22:00:00+00:00"),
        }],
        started_at: at("2026-11-23T22:00:00+00:00"),
        finished_at: Some(at("2026-11-23T23:00:00+00:00")),
        stopped: None,
        deployed_at: None,
        items: (0..items)
            .map(|i| RecordItem {
                id: format!(
                    "phase-{}/section-{}/check-{i}-is-healthy",
                    i / 250,
                    (i / 25) % 10
                ),
                phase: format!("Phase {}", i / 250),
                section: format!("Section {}", (i / 25) % 10),
                text: format!("Check {i} is healthy"),
                kind: ItemKind::Step,
                optional: false,
                parent: None,
                role: None,
                status: if changed_every > 0 && i % changed_every == 0 {
                    Status::Failed
                } else {
                    Status::Done
                },
                reason: (changed_every > 0 && i % changed_every == 0)
                    .then(|| "timed out".to_string()),
                note: None,
                value: None,
                judgement: None,
                overridden: false,
                how: Some(How::AnswersFile),
                answered_at: Some(at("2026-11-23T22:30:00+00:00")),
                answered_by: Some("bench".into()),
                window: None,
                early: None,
                late: None,
                follow_up: None,
                evidence: None,
            })
            .collect(),
        rollback: RecordRollback {
            started: false,
            started_at: None,
            started_by: None,
            reason: None,
            triggers_held: vec![],
            declined: vec![],
        },
        signoffs: vec![],
        counts: Counts::default(),
        verdict: Verdict::Go,
        causes: vec![],
        outstanding: vec![],
        digest: String::new(),
        signatures: vec![],
    };
    record.settle();
    record
}

fn main() {
    let Some(binary) = std::env::current_exe()
        .ok()
        .and_then(|e| Some(e.parent()?.parent()?.join("deploycheck")))
        .filter(|b| b.is_file())
    else {
        println!("build the release binary first: cargo build --release");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.yaml");
    let b = dir.path().join("b.yaml");
    std::fs::write(&a, deploycheck::store::record_bytes(&record(100_000, 0))).unwrap();
    std::fs::write(&b, deploycheck::store::record_bytes(&record(100_000, 1000))).unwrap();
    let run = |args: &[&Path]| {
        let status = Command::new(&binary)
            .args(args)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.code().is_some_and(|c| c <= 1));
    };
    let verify = median(5, || {
        run(&[Path::new("verify"), &a]);
        run(&[Path::new("verify"), &b]);
    });
    let diff = median(5, || run(&[Path::new("diff"), &a, &b]));
    println!(
        "two 100k-item records ({:.1} MB each), 100 items differ:",
        std::fs::metadata(&a).unwrap().len() as f64 / 1e6
    );
    println!("  two verify runs: {:>7.0} ms", verify.as_secs_f64() * 1e3);
    println!(
        "  deploycheck diff: {:>6.0} ms ({:.2}x reading both)",
        diff.as_secs_f64() * 1e3,
        diff.as_secs_f64() / verify.as_secs_f64()
    );
    let gnu = Command::new("diff")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok();
    if gnu {
        let time = median(5, || {
            Command::new("diff")
                .arg("-u")
                .arg(&a)
                .arg(&b)
                .stdout(Stdio::null())
                .status()
                .unwrap();
        });
        println!("  GNU diff -u:      {:>6.0} ms", time.as_secs_f64() * 1e3);
    }
}
