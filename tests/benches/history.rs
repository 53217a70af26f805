//! History benchmark: `cargo bench --bench history` (set CARGO_BUILD_JOBS=1 on a shared
//! machine).
//!
//! Budgets, over 10,000 generated run folders (a team's few years): the first call builds
//! the index in one pass over the records; once it is built, `deploycheck history` answers
//! in under 1 s (also after ten records changed) and `history --item ID` in under 200 ms.
//! Also prints the JSON and the HTML page of every run, for scale. Prints each figure
//! against its budget; asserts nothing.
//!
//! `HISTORY_RUNS=N` changes the count. `HISTORY_DIR=PATH` keeps the generated runs in
//! PATH and reuses them next time when the count matches (generating 10,000 takes a
//! while); the index is deleted before the first call either way.
//! `DEPLOYCHECK_BIN=PATH` times another build of the binary (an older one, to compare).
//!
//! The runs are real: one answers-file run of the mail-score seed by the binary, then
//! copies of its record with other times, versions, failures, overrides and measured
//! values, each settled (verdict, counts, digest) as a run would.

#[path = "common.rs"]
mod common;
use common::median;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use deploycheck::model::{Record, Status, Timestamp};

const BUILT_BIN: &str = env!("CARGO_BIN_EXE_deploycheck");

/// The binary timed: this build's, or the one `DEPLOYCHECK_BIN` names.
fn bin() -> PathBuf {
    std::env::var_os("DEPLOYCHECK_BIN").map_or_else(|| PathBuf::from(BUILT_BIN), PathBuf::from)
}
const RESPONSE: &str = "performance-checklist/performance-metrics/response-time-200ms-p95";
const BACKUP: &str = "environment-specific-checklists/production-deployment/backup-completed";
const MESH: &str = "security-checklist/network-security/service-mesh-configured";

fn manifest(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// One real record: the seed walked with its GO answers file.
fn template(dir: &Path) -> Record {
    let project = dir.join("template");
    std::fs::create_dir_all(project.join("checklists")).unwrap();
    std::fs::copy(
        manifest("tests/fixtures/seeds/mail-score.md"),
        project.join("checklists/mail-score.md"),
    )
    .unwrap();
    let status = Command::new(BUILT_BIN)
        .args(["run", "production", "--answers"])
        .arg(manifest(
            "tests/fixtures/answers/mail-score-production-go.yaml",
        ))
        .current_dir(&project)
        .env("DEPLOYCHECK_NOW", "2023-01-02T21:00:00+00:00")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0), "the template run is GO");
    let runs = project.join("runs");
    let folder = std::fs::read_dir(&runs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.join("record.yaml").is_file())
        .unwrap();
    let text = std::fs::read_to_string(folder.join("record.yaml")).unwrap();
    deploycheck::yaml::from_str(&text, "record.yaml").unwrap()
}

/// Run `n`: started `n` days and some minutes after the template, its times shifted with
/// it; every 7th fails its backup, every 11th skips the mesh, the response time wanders
/// and is over 200 ms (overridden every other time) every 13th run.
fn variant(template: &Record, n: usize) -> Record {
    let mut record = template.clone();
    let shift =
        chrono::Duration::days(n as i64 / 9) + chrono::Duration::minutes((n % 9) as i64 * 97);
    let moved = |t: &Timestamp| Timestamp::from_datetime(t.instant() + shift);
    record.started_at = moved(&record.started_at);
    record.finished_at = record.finished_at.as_ref().map(moved);
    for session in &mut record.sessions {
        session.at = moved(&session.at);
    }
    for (name, value) in &mut record.fields.0 {
        if name == "Version" {
            *value = Some(format!("v{}.{}.{}", 1 + n / 1000, (n / 10) % 100, n % 10));
        }
    }
    for signoff in &mut record.signoffs {
        signoff.at = signoff.at.as_ref().map(moved);
    }
    for item in &mut record.items {
        item.answered_at = item.answered_at.as_ref().map(moved);
        if item.id == BACKUP && n % 7 == 3 {
            item.status = Status::Failed;
            item.reason = Some("snapshot timed out".into());
        }
        if item.id == MESH && n % 11 == 5 {
            item.status = Status::Skipped;
            item.reason = Some("no mesh in this region".into());
        }
        if item.id == RESPONSE {
            let millis = if n.is_multiple_of(13) {
                230 + n % 40
            } else {
                120 + (n * 37) % 70
            };
            item.value = Some(format!("{millis}ms"));
            let passes = millis < 200;
            item.judgement = Some(format!(
                "{millis} ms is {}< 200 ms",
                if passes { "" } else { "not " }
            ));
            if !passes {
                if n.is_multiple_of(2) {
                    item.overridden = true;
                    item.reason = Some("p99 fine, load test noise".into());
                } else {
                    item.status = Status::Failed;
                    item.reason = item.judgement.clone();
                }
            }
        }
    }
    record.settle();
    record
}

/// Writes `count` run folders under `runs`, on every core.
fn generate(runs: &Path, template: &Record, count: usize) {
    std::fs::create_dir_all(runs).unwrap();
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    std::thread::scope(|scope| {
        for worker in 0..workers {
            scope.spawn(move || {
                for n in (worker..count).step_by(workers) {
                    let record = variant(template, n);
                    let folder = runs.join(format!(
                        "mail-score-production-{}",
                        record.started_at.compact_utc()
                    ));
                    std::fs::create_dir_all(&folder).unwrap();
                    std::fs::write(
                        folder.join("record.yaml"),
                        deploycheck::store::record_bytes(&record),
                    )
                    .unwrap();
                }
            });
        }
    });
}

fn history(runs: &Path, args: &[&str]) {
    let output = Command::new(bin())
        .arg("history")
        .arg(runs)
        .args(args)
        .env("COLUMNS", "100")
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Run folders under `runs`.
fn run_folders(runs: &Path) -> Vec<PathBuf> {
    let mut folders: Vec<PathBuf> = std::fs::read_dir(runs)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().path())
                .filter(|p| p.join("record.yaml").is_file())
                .collect()
        })
        .unwrap_or_default();
    folders.sort();
    folders
}

fn report(what: &str, took: std::time::Duration, budget: &str) {
    println!(
        "  {what:<34} {:>8.0} ms  {budget}",
        took.as_secs_f64() * 1e3
    );
}

fn main() {
    let count: usize = std::env::var("HISTORY_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let temporary = tempfile::tempdir().unwrap();
    let dir = std::env::var_os("HISTORY_DIR")
        .map_or_else(|| temporary.path().to_path_buf(), PathBuf::from);
    let runs = dir.join("runs");
    let start = Instant::now();
    let reused = run_folders(&runs).len() == count;
    if !reused {
        let _ = std::fs::remove_dir_all(&runs);
        let template = template(&dir);
        generate(&runs, &template, count);
    }
    let _ = std::fs::remove_dir_all(runs.join(".index"));
    let folders = run_folders(&runs);
    let bytes: u64 = folders
        .iter()
        .filter_map(|f| std::fs::metadata(f.join("record.yaml")).ok())
        .map(|m| m.len())
        .sum();
    println!(
        "{count} run folders ({:.0} MB of records), {} in {:.1} s; timing {}",
        bytes as f64 / 1e6,
        if reused { "reused" } else { "generated" },
        start.elapsed().as_secs_f64(),
        bin().display()
    );

    let start = Instant::now();
    history(&runs, &[]);
    let cold = start.elapsed();
    let index = runs.join(".index/history.sqlite");
    report(
        "first call, building the index:",
        cold,
        &format!(
            "(one pass over the records; index {:.0} MB)",
            std::fs::metadata(&index).map_or(0, |m| m.len()) as f64 / 1e6
        ),
    );
    let warm = median(5, || history(&runs, &[]));
    report("warm `history`:", warm, &verdict(warm, 1000));
    // Ten records change (one byte each, as an edit would): only those are read again.
    let changed = median(3, || {
        for folder in folders.iter().step_by(folders.len() / 10 + 1).take(10) {
            let path = folder.join("record.yaml");
            let text = std::fs::read_to_string(&path).unwrap();
            let edited = match text.find("host:  ") {
                Some(_) => text.replacen("host:  ", "host: ", 1),
                None => text.replacen("host: ", "host:  ", 1),
            };
            std::fs::write(&path, edited).unwrap();
        }
        history(&runs, &[]);
    });
    report(
        "after 10 records changed:",
        changed,
        &verdict(changed, 1000),
    );
    let item = median(5, || history(&runs, &["--item", RESPONSE]));
    report("warm `history --item ID`:", item, &verdict(item, 200));
    let json = median(3, || history(&runs, &["--format", "json"]));
    report("warm `history --format json`:", json, "(every run)");
    let html = median(3, || history(&runs, &["--format", "html"]));
    report(
        "warm `history --format html`:",
        html,
        "(every run, all charts)",
    );
}

fn verdict(took: std::time::Duration, budget_ms: u128) -> String {
    let within = took.as_millis() < budget_ms;
    format!(
        "budget < {budget_ms} ms: {}",
        if within { "met" } else { "MISSED" }
    )
}
