//! Run folders for the history tests: real records, written as a run writes them.

use std::path::{Path, PathBuf};

use crate::model::sample;
use crate::model::{FieldValues, Record, RecordItem, Status, Timestamp};

fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

/// A finished run of a three-item checklist started at `start` (`2026-11-01T22:00:00Z`
/// form), its response time measured at `millis` against `< 200 ms`.
pub fn record(version: &str, start: &str, millis: u32) -> Record {
    let start = at(start);
    let later = |s: i64| Timestamp::from_datetime(start.instant() + chrono::Duration::seconds(s));
    let item = |id: &str, phase: &str, status: Status, s: i64| RecordItem {
        section: "Checks".into(),
        reason: (status == Status::Failed).then(|| "it broke".to_string()),
        ..sample::answered(id, phase, status, "dana", later(s))
    };
    let passes = millis < 200;
    let mut measured = item(
        "performance/metrics/response-time",
        "Performance",
        if passes { Status::Done } else { Status::Failed },
        300,
    );
    measured.text = "Response time < 200ms (p95)".into();
    measured.value = Some(format!("{millis}ms"));
    measured.judgement = Some(format!(
        "{millis} ms is {}< 200 ms",
        if passes { "" } else { "not " }
    ));
    measured.reason = (!passes).then(|| measured.judgement.clone().unwrap());
    let mut record = sample::record(
        vec![
            item("pre/checks/backup-taken", "Pre", Status::Done, 60),
            item("deploy/steps/apply-manifests", "Deploy", Status::Done, 240),
            measured,
        ],
        ("dana", "ops-1"),
        start.as_str(),
        later(360).as_str(),
    );
    record.checklist.title = "Release".into();
    record.checklist.path = "checklists/release.md".into();
    record.fields = FieldValues(vec![("Version".into(), Some(version.into()))]);
    record.settle();
    record
}

/// Writes a run folder `root/name/record.yaml`; returns the record's path.
pub fn write(root: &Path, name: &str, record: &Record) -> PathBuf {
    let folder = root.join(name);
    std::fs::create_dir_all(&folder).unwrap();
    let path = folder.join(crate::store::RECORD_FILE);
    std::fs::write(&path, crate::store::record_bytes(record)).unwrap();
    path
}

/// `n` runs a day apart from 1 November 2026, every fourth one over its threshold.
pub fn runs(root: &Path, n: u32) {
    for k in 0..n {
        let start = format!("2026-11-{:02}T22:00:00+00:00", k % 28 + 1);
        let millis = if k % 4 == 3 { 250 } else { 150 + k };
        write(
            root,
            &format!("release-production-run-{k:03}"),
            &record(&format!("v1.{k}"), &start, millis),
        );
    }
}
