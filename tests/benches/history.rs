//! History benchmark: `cargo bench --bench history` (set CARGO_BUILD_JOBS=1 on a shared
//! machine).
//!
//! Budgets, over 10,000 generated run folders (a team's few years): once the index is
//! built, `deploycheck history` answers in under 1 s and `history --item ID` in under
//! 200 ms. Also prints the first build, a call after ten records changed, and the JSON of
//! every run, for scale. Prints; asserts nothing. `HISTORY_RUNS=N` changes the count.
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

const BIN: &str = env!("CARGO_BIN_EXE_deploycheck");
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
    let status = Command::new(BIN)
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
    let output = Command::new(BIN)
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

fn main() {
    let count: usize = std::env::var("HISTORY_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().unwrap();
    let template = template(dir.path());
    let runs = dir.path().join("runs");
    let start = Instant::now();
    generate(&runs, &template, count);
    let bytes: u64 = std::fs::read_dir(&runs)
        .unwrap()
        .filter_map(|e| std::fs::metadata(e.ok()?.path().join("record.yaml")).ok())
        .map(|m| m.len())
        .sum();
    println!(
        "{count} run folders of {} items ({:.0} MB of records), generated in {:.1} s",
        template.items.len(),
        bytes as f64 / 1e6,
        start.elapsed().as_secs_f64()
    );

    let start = Instant::now();
    history(&runs, &[]);
    let cold = start.elapsed();
    let index = runs.join(".index/history.sqlite");
    println!(
        "  first call, building the index:  {:>8.0} ms (index {:.0} MB)",
        cold.as_secs_f64() * 1e3,
        std::fs::metadata(&index).map_or(0, |m| m.len()) as f64 / 1e6
    );
    let warm = median(5, || history(&runs, &[]));
    println!(
        "  warm `history`:                   {:>8.0} ms (budget 1000 ms)",
        warm.as_secs_f64() * 1e3
    );
    let item = median(5, || history(&runs, &["--item", RESPONSE]));
    println!(
        "  warm `history --item ID`:         {:>8.0} ms (budget 200 ms)",
        item.as_secs_f64() * 1e3
    );
    let json = median(3, || history(&runs, &["--format", "json"]));
    println!(
        "  warm `history --format json`:     {:>8.0} ms (every run)",
        json.as_secs_f64() * 1e3
    );
    let html = median(3, || history(&runs, &["--format", "html"]));
    println!(
        "  warm `history --format html`:     {:>8.0} ms (every run, all charts)",
        html.as_secs_f64() * 1e3
    );
    // Ten records change (one byte each, as an edit would): only those are read again.
    let mut folders: Vec<PathBuf> = std::fs::read_dir(&runs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("record.yaml").is_file())
        .collect();
    folders.sort();
    for folder in folders.iter().step_by(folders.len() / 10 + 1).take(10) {
        let path = folder.join("record.yaml");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replacen("host: ", "host:  ", 1)).unwrap();
    }
    let start = Instant::now();
    history(&runs, &[]);
    println!(
        "  after 10 records changed:         {:>8.0} ms",
        start.elapsed().as_secs_f64() * 1e3
    );
}
