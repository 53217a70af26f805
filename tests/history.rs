//! `deploycheck history`: runs made by the binary, read back over time.

use std::path::Path;

use crate::support::{Test, fixture_bytes};

const RESPONSE: &str = "performance-checklist/performance-metrics/response-time-200ms-p95";
const BACKUP: &str = "environment-specific-checklists/production-deployment/backup-completed";
const MESH: &str = "security-checklist/network-security/service-mesh-configured";

fn go_answers() -> String {
    String::from_utf8(fixture_bytes("answers/mail-score-production-go.yaml")).unwrap()
}

/// The GO answers with a version, a response time and, when given, one more change.
fn answers(version: &str, response: &str, change: Option<(&str, &str)>) -> String {
    let mut text = go_answers()
        .replace("Version: v1.4.2", &format!("Version: {version}"))
        .replace(
            &format!("  {RESPONSE}: 100ms"),
            &format!("  {RESPONSE}: {response}"),
        );
    if let Some((id, answer)) = change {
        let done = format!("  {id}: done");
        assert!(text.contains(&done), "{id}");
        text = text.replace(&done, &format!("  {id}: {answer}"));
    }
    text
}

/// A project with five production runs a week apart, made by the binary: GO, NO-GO
/// (backup failed), GO with the response time overridden, INCOMPLETE (a skipped item),
/// NO-GO (the response time over its threshold).
fn five_runs() -> Test {
    let runs: [(&str, &str, String); 5] = [
        (
            "2026-10-06T21:00:00+00:00",
            "a",
            answers("v1.4.0", "120ms", None),
        ),
        (
            "2026-10-13T21:30:00+00:00",
            "b",
            answers(
                "v1.5.0",
                "150ms",
                Some((BACKUP, "{status: failed, reason: \"snapshot timed out\"}")),
            ),
        ),
        (
            "2026-10-20T21:00:00+00:00",
            "c",
            answers(
                "v1.5.1",
                "{value: 240ms, status: done, reason: \"load test noise, p99 fine\"}",
                None,
            ),
        ),
        (
            "2026-10-27T22:15:00+00:00",
            "d",
            answers(
                "v1.6.0",
                "180ms",
                Some((MESH, "{status: skipped, reason: \"no mesh yet\"}")),
            ),
        ),
        (
            "2026-11-03T21:00:00+00:00",
            "e",
            answers("v1.7.0", "0.21s", None),
        ),
    ];
    let mut dir = Test::with_seeds().into_dir();
    for (now, name, text) in runs {
        let file = format!("answers-{name}.yaml");
        let out = Test::resume_in(dir)
            .write(&file, text)
            .args(&["run", "production", "--answers", &file])
            .env("DEPLOYCHECK_NOW", now)
            .status(if matches!(name, "a" | "c") { 0 } else { 1 })
            .run();
        dir = out.dir;
    }
    Test::resume_in(dir)
}

/// The run folders in `runs/`, oldest first (the index's folder is not one).
fn runs_of(dir: &Path) -> Vec<std::path::PathBuf> {
    crate::support::run_folders(dir)
        .into_iter()
        .filter(|p| p.join("record.yaml").is_file())
        .collect()
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({snapshot_path => "snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn history_table_at_80_and_120_columns() {
    let dir = five_runs().into_dir();
    let narrow = Test::resume_in(dir)
        .args(&["history"])
        .env("COLUMNS", "80")
        .run();
    assert!(narrow.stderr.is_empty(), "{}", narrow.stderr);
    for line in narrow.stdout.lines() {
        assert!(line.chars().count() <= 80, "wider than 80: {line}");
    }
    snapshot("history_table_80", &narrow.stdout);
    let wide = Test::resume_in(narrow.dir)
        .args(&["history"])
        .env("COLUMNS", "120")
        .run();
    for line in wide.stdout.lines() {
        assert!(line.chars().count() <= 120, "wider than 120: {line}");
    }
    snapshot("history_table_120", &wide.stdout);
}

#[test]
fn history_as_json_and_csv() {
    let dir = five_runs().into_dir();
    let json = Test::resume_in(dir)
        .args(&["history", "--format", "json"])
        .run();
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let verdicts: Vec<&str> = value["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(verdicts, ["GO", "NO-GO", "GO", "INCOMPLETE", "NO-GO"]);
    assert_eq!(value["hot_spots"][0]["id"], RESPONSE);
    assert_eq!(value["hot_spots"][0]["failed"], 1);
    assert_eq!(value["hot_spots"][0]["overridden"], 1);
    assert_eq!(value["hot_spots"][0]["runs"], 5);
    snapshot("history_json", &json.stdout);
    let csv = Test::resume_in(json.dir)
        .args(&["history", "--format", "csv"])
        .run();
    assert_eq!(csv.stdout.lines().count(), 6, "a header and five runs");
    assert!(csv.stdout.contains("\r\n"), "RFC 4180 line ends");
    snapshot("history_csv", &csv.stdout);
}

#[test]
fn one_items_values_against_its_threshold_across_runs() {
    let dir = five_runs().into_dir();
    let table = Test::resume_in(dir)
        .args(&["history", "--item", RESPONSE])
        .env("COLUMNS", "80")
        .run();
    snapshot("history_item_table_80", &table.stdout);
    assert!(table.stdout.contains("Threshold < 200 ms."));
    // The end of an ID is enough when only one item has it.
    let wide = Test::resume_in(table.dir)
        .args(&["history", "--item", "response-time-200ms-p95"])
        .env("COLUMNS", "120")
        .run();
    snapshot("history_item_table_120", &wide.stdout);
    let json = Test::resume_in(wide.dir)
        .args(&["history", "--item", RESPONSE, "--format", "json"])
        .run();
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let item = &value["item"];
    let measured: Vec<f64> = item["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["measured"].as_f64().unwrap())
        .collect();
    // 0.21s is read in the threshold's unit.
    assert_eq!(measured, [120.0, 150.0, 240.0, 180.0, 210.0]);
    assert_eq!(item["threshold"], "< 200 ms");
    assert_eq!(
        (item["failed"].as_u64(), item["overridden"].as_u64()),
        (Some(1), Some(1))
    );
    let csv = Test::resume_in(json.dir)
        .args(&["history", "--item", RESPONSE, "--format", "csv"])
        .run();
    snapshot("history_item_csv", &csv.stdout);
}

#[test]
fn an_unknown_item_says_what_it_may_have_meant() {
    let dir = five_runs().into_dir();
    Test::resume_in(dir)
        .args(&["history", "--item", "response-time-200ms-p96"])
        .status(2)
        .stderr_contains("no run has an item `response-time-200ms-p96`; did you mean `performance-checklist/performance-metrics/response-time-200ms-p95`?")
        .run();
}

#[test]
fn env_and_last_narrow_the_runs_and_everything_counted_over_them() {
    let dir = five_runs().into_dir();
    let out = Test::resume_in(dir)
        .args(&[
            "history", "--last", "2", "--format", "json", "--env", "prod",
        ])
        .run();
    let value: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let versions: Vec<&str> = value["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["version"].as_str().unwrap())
        .collect();
    assert_eq!(versions, ["v1.6.0", "v1.7.0"]);
    let hot: Vec<(&str, u64)> = value["hot_spots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["id"].as_str().unwrap(), h["runs"].as_u64().unwrap()))
        .collect();
    assert_eq!(hot, [(RESPONSE, 2), (MESH, 2)]);
    assert!(
        value["phases"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["runs"] == 2)
    );
    let none = Test::resume_in(out.dir)
        .args(&["history", "--env", "staging"])
        .run();
    assert!(
        none.stdout.starts_with("No runs in runs."),
        "{}",
        none.stdout
    );
}

#[test]
fn older_layouts_and_unreadable_files_are_listed_as_skipped_never_fatal() {
    let dir = five_runs().into_dir();
    let out = Test::resume_in(dir)
        .write(
            "runs/mail-score-production-20251001T210000Z.yaml",
            "schema: deploycheck/run-record/v1\nchecklist:\n  title: Old\n",
        )
        .write(
            "runs/mail-score-production-20251001T210000Z.journal",
            "{}\n",
        )
        .write(
            "runs/mail-score-production-20251101T210000Z/record.yaml",
            "schema: deploycheck/run-record/v2\nchecklist: [this is not a record\n",
        )
        .write(
            "runs/mail-score-production-20251201T210000Z/journal.jsonl",
            "",
        )
        .args(&["history"])
        .env("COLUMNS", "100")
        .run();
    assert!(out.stdout.starts_with("5 runs in runs"), "{}", out.stdout);
    let at = out
        .stdout
        .find("Skipped 3 entries")
        .expect("the skipped entries");
    snapshot("history_skipped", &out.stdout[at..]);
    let json = Test::resume_in(out.dir)
        .args(&["history", "--format", "json"])
        .run();
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let reasons: Vec<&str> = value["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reason"].as_str().unwrap())
        .collect();
    assert!(reasons[0].starts_with("older layout"), "{reasons:?}");
    assert!(reasons[1].contains("record.yaml:"), "{reasons:?}");
    assert!(reasons[2].starts_with("no record yet"), "{reasons:?}");
}

#[test]
fn an_edited_record_is_read_again_and_flagged_never_taken_from_the_index() {
    let dir = five_runs().into_dir();
    let first = Test::resume_in(dir)
        .args(&["history", "--format", "json"])
        .run();
    let folder = runs_of(first.dir.path())[0].clone();
    let record = folder.join("record.yaml");
    let text = std::fs::read_to_string(&record).unwrap();
    let modified = std::fs::metadata(&record).unwrap().modified().unwrap();
    let edited = text.replacen("verdict: GO", "verdict: OK", 1);
    std::fs::write(
        &record,
        text.replacen("operator: release-bot", "operator: release-bob", 1),
    )
    .unwrap();
    std::fs::File::options()
        .write(true)
        .open(&record)
        .unwrap()
        .set_modified(modified)
        .unwrap();
    let second = Test::resume_in(first.dir)
        .args(&["history", "--format", "json"])
        .run();
    let value: serde_json::Value = serde_json::from_str(&second.stdout).unwrap();
    assert_eq!(value["runs"][0]["operator"], "release-bob");
    assert_eq!(value["runs"][0]["digest_ok"], false);
    let table = Test::resume_in(second.dir)
        .args(&["history"])
        .stdout_contains("GO !")
        .stdout_contains(
            "! runs/mail-score-production-20261006T210000Z: edited after it was written",
        )
        .run();
    // A record that no longer reads is skipped, and the run leaves the table.
    std::fs::write(&record, edited).unwrap();
    Test::resume_in(table.dir)
        .args(&["history"])
        .stdout_contains("4 runs in runs")
        .stdout_contains("Skipped 1 entry")
        .run();
}

#[test]
fn a_damaged_index_is_rebuilt_with_a_warning_and_a_deleted_one_comes_back() {
    let dir = five_runs().into_dir();
    let first = Test::resume_in(dir).args(&["history"]).run();
    let index = first.dir.path().join("runs/.index/history.sqlite");
    assert!(index.is_file());
    std::fs::write(&index, b"SQLite format 3\0 and then garbage".repeat(200)).unwrap();
    let second = Test::resume_in(first.dir)
        .args(&["history"])
        .stderr_contains("warning: the history index runs/.index/history.sqlite was damaged")
        .run();
    assert_eq!(second.stdout, first.stdout);
    let third = Test::resume_in(second.dir)
        .args(&["history"])
        .stderr("")
        .run();
    assert_eq!(third.stdout, first.stdout);
    std::fs::remove_dir_all(third.dir.path().join("runs/.index")).unwrap();
    let fourth = Test::resume_in(third.dir)
        .args(&["history"])
        .stderr("")
        .run();
    assert_eq!(fourth.stdout, first.stdout);
}

#[test]
fn a_locked_index_is_bypassed_with_a_warning() {
    let dir = five_runs().into_dir();
    let first = Test::resume_in(dir).args(&["history"]).run();
    let index = first.dir.path().join("runs/.index/history.sqlite");
    let holder = rusqlite::Connection::open(&index).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let second = Test::resume_in(first.dir)
        .args(&["history"])
        .stderr_contains("is locked by another process; read the records without it")
        .run();
    assert_eq!(second.stdout, first.stdout);
    holder.execute_batch("ROLLBACK").unwrap();
}

#[test]
fn the_index_stays_out_of_git_without_the_user_doing_anything() {
    let Ok(version) = std::process::Command::new("git").arg("--version").output() else {
        eprintln!("git is not installed; skipped");
        return;
    };
    assert!(version.status.success());
    let dir = five_runs().into_dir();
    let git = |args: &[&str], at: &Path| {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(at)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    git(&["init", "-q"], dir.path());
    git(&["add", "-A"], dir.path());
    git(
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "commit",
            "-qm",
            "runs",
        ],
        dir.path(),
    );
    let out = Test::resume_in(dir).args(&["history"]).run();
    assert!(out.dir.path().join("runs/.index/history.sqlite").is_file());
    assert_eq!(
        git(&["status", "--porcelain", "--ignored=no"], out.dir.path()),
        ""
    );
    // Even in a folder of runs that deploycheck did not make, and named by hand.
    let elsewhere = out.dir.path().join("archive");
    std::fs::create_dir(&elsewhere).unwrap();
    std::fs::rename(
        runs_of(out.dir.path())[0].clone(),
        elsewhere.join("old-run"),
    )
    .unwrap();
    let archived = Test::resume_in(out.dir)
        .args(&["history", "archive"])
        .stdout_contains("1 run in archive")
        .run();
    assert!(
        archived
            .dir
            .path()
            .join("archive/.index/history.sqlite")
            .is_file()
    );
    let status = git(&["status", "--porcelain"], archived.dir.path());
    assert!(!status.contains(".index"), "{status}");
}

#[test]
fn several_folders_make_one_history() {
    let first = five_runs().into_dir();
    let second = five_runs().into_dir();
    let other = first.path().join("other-team");
    std::fs::rename(second.path().join("runs"), &other).unwrap();
    let out = Test::resume_in(first)
        .args(&["history", "runs", "other-team", "--format", "json"])
        .run();
    let value: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(value["runs"].as_array().unwrap().len(), 10);
    assert_eq!(value["folders"], serde_json::json!(["runs", "other-team"]));
    assert_eq!(value["hot_spots"][0]["runs"], 10);
    // The same folder named twice counts once.
    let again = Test::resume_in(out.dir)
        .args(&["history", "runs", "./runs", "--format", "json"])
        .run();
    let value: serde_json::Value = serde_json::from_str(&again.stdout).unwrap();
    assert_eq!(value["runs"].as_array().unwrap().len(), 5);
}

#[test]
fn without_runs_or_a_project_history_says_so() {
    Test::with_seeds()
        .args(&["history"])
        .stdout("No runs in runs.\n")
        .run();
    Test::new()
        .args(&["history"])
        .status(2)
        .stderr_contains("no checklists/ folder in")
        .stderr_contains("deploycheck history runs/")
        .run();
    Test::new()
        .args(&["history", "nowhere"])
        .status(2)
        .stderr_contains("nowhere: not a folder")
        .run();
}

#[test]
fn html_is_written_to_a_file_and_fetches_nothing() {
    let dir = five_runs().into_dir();
    let out = Test::resume_in(dir)
        .args(&["history", "--format", "html", "-o", "history.html"])
        .stderr("wrote history.html\n")
        .run();
    let html = std::fs::read_to_string(out.dir.path().join("history.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    for remote in ["http://", "https://", "src=", "<link", "<script", "url("] {
        assert!(!html.contains(remote), "the page must not fetch: {remote}");
    }
    assert_eq!(html.matches("class=\"point run ").count(), 5);
}

/// Chromium, when installed: the page is checked in a real browser, else the test says it
/// was skipped.
fn chromium() -> Option<std::path::PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(std::path::PathBuf::from)
        .find(|p| p.is_file())
}

/// Runs headless Chromium on a file and returns what it printed, or panics after a minute.
fn in_chromium(chromium: &Path, args: &[&str], page: &Path) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut text).unwrap();
        text
    });
    // Polling an outside process for its end, not timing anything of ours.
    for _ in 0..600 {
        if child.try_wait().unwrap().is_some() {
            return reader.join().unwrap();
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = child.kill();
    panic!("chromium did not finish within a minute");
}

#[test]
fn the_history_page_renders_in_chromium_with_a_point_per_run() {
    let Some(chromium) = chromium() else {
        eprintln!("chromium is not installed; the page was not rendered");
        return;
    };
    let dir = five_runs().into_dir();
    let out = Test::resume_in(dir)
        .args(&["history", "--format", "html", "-o", "history.html"])
        .run();
    let page = out.dir.path().join("history.html");
    let dom = in_chromium(&chromium, &["--dump-dom"], &page);
    assert!(dom.contains("<h1>Deploy history"), "{dom}");
    // The DOM as the browser built it: every chart, and every point in it.
    let charts: Vec<&str> = dom.split("<svg ").skip(1).collect();
    let chart = |class: &str| {
        charts
            .iter()
            .find(|c| c.starts_with(&format!("class=\"chart {class}\"")))
            .unwrap_or_else(|| panic!("no {class} chart in the rendered page"))
            .split("</svg>")
            .next()
            .unwrap()
    };
    let verdicts = chart("verdicts");
    assert_eq!(verdicts.matches("<circle class=\"point run ").count(), 5);
    assert_eq!(verdicts.matches("point run go").count(), 2);
    assert_eq!(verdicts.matches("point run nogo").count(), 2);
    assert_eq!(verdicts.matches("point run incomplete").count(), 1);
    let response = charts
        .iter()
        .find(|c| c.contains(&format!("data-item=\"{RESPONSE}\"")))
        .expect("a chart of the response time")
        .split("</svg>")
        .next()
        .unwrap();
    assert_eq!(response.matches("<circle class=\"point pass\"").count(), 3);
    assert_eq!(response.matches("<circle class=\"point fail\"").count(), 2);
    assert_eq!(response.matches("class=\"threshold\"").count(), 1);
    // Six items have thresholds in the seed, each measured in all five runs.
    let measures = charts
        .iter()
        .filter(|c| c.starts_with("class=\"chart measure\""))
        .count();
    assert_eq!(measures, 6);
    assert_eq!(chart("phases").matches("<g class=\"point bar\"").count(), 5);
    assert_eq!(dom.matches("<tr class=\"run\"").count(), 5);

    // And it paints: a screenshot of the page comes out as a real image.
    let shot = out.dir.path().join("history.png");
    in_chromium(
        &chromium,
        &[
            "--window-size=1200,1600",
            &format!("--screenshot={}", shot.display()),
        ],
        &page,
    );
    let png = std::fs::read(&shot).expect("chromium wrote a screenshot");
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    assert!(
        png.len() > 20_000,
        "a page with charts, not a blank one: {} bytes",
        png.len()
    );
}

/// The one run folder under `runs/` and its record's bytes.
fn only_run(dir: &Path) -> (std::path::PathBuf, Vec<u8>) {
    let folders = runs_of(dir);
    assert_eq!(folders.len(), 1, "{folders:?}");
    let bytes = std::fs::read(folders[0].join("record.yaml")).unwrap();
    (folders[0].clone(), bytes)
}

/// A sign-off addendum of the Security Team, as its owner writes it the next morning.
fn security_addendum(folder: &Path, record: &[u8], refused: Option<&str>) {
    use sha2::Digest;
    let addendum = deploycheck::model::SignoffAddendum {
        schema: deploycheck::model::SIGNOFF_SCHEMA.into(),
        record_sha256: base16ct::lower::encode_string(&sha2::Sha256::digest(record)),
        role: "Security Team".into(),
        name: "Dana Reyes".into(),
        at: deploycheck::model::Timestamp::parse("2026-11-24T09:15:00+00:00").unwrap(),
        statements: if refused.is_some() {
            vec![]
        } else {
            [
                "security-review-completed",
                "vulnerability-assessment-passed",
                "compliance-requirements-met",
                "risk-assessment-approved",
            ]
            .iter()
            .map(|s| format!("sign-off/security-team/{s}"))
            .collect()
        },
        refused: refused.map(str::to_string),
    };
    std::fs::write(
        folder.join(addendum.file_name()),
        deploycheck::yaml::to_string(&addendum).unwrap(),
    )
    .unwrap();
}

#[test]
fn a_run_awaiting_a_sign_off_becomes_go_in_history_when_the_addendum_arrives() {
    let answers = go_answers().replace("  Security Team: Dana Reyes", "  Security Team: later");
    let night = Test::with_seeds()
        .write("answers.yaml", answers)
        .args(&["run", "production", "--answers", "answers.yaml"])
        .run();
    let before = Test::resume_in(night.dir)
        .args(&["history", "--format", "json"])
        .run();
    let value: serde_json::Value = serde_json::from_str(&before.stdout).unwrap();
    assert_eq!(value["runs"][0]["verdict"], "GO");
    assert_eq!(
        value["runs"][0]["outstanding"],
        serde_json::json!(["awaiting sign-off: Security Team"])
    );
    let table = Test::resume_in(before.dir)
        .args(&["history"])
        .stdout_contains("GO *")
        .stdout_contains("awaiting sign-off: Security Team")
        .run();

    // The next morning, in another clone, Security signs off; the index notices the file.
    let (folder, record) = only_run(table.dir.path());
    security_addendum(&folder, &record, None);
    let after = Test::resume_in(table.dir)
        .args(&["history", "--format", "json"])
        .run();
    let value: serde_json::Value = serde_json::from_str(&after.stdout).unwrap();
    assert_eq!(value["runs"][0]["verdict"], "GO");
    assert_eq!(value["runs"][0]["outstanding"], serde_json::json!([]));
    // The night's work is the run's time, not the wait for the sign-off.
    assert_eq!(value["runs"][0]["duration_s"], 174);
    let table = Test::resume_in(after.dir).args(&["history"]).run();
    assert!(!table.stdout.contains("GO *"), "{}", table.stdout);

    // A refusal beside it makes the run NO-GO.
    let (folder, record) = only_run(table.dir.path());
    let refused_at = folder.join("signoff-security-team-20261124T091500Z.yaml");
    let signed = std::fs::read(&refused_at).unwrap();
    std::fs::write(
        folder.join("signoff-security-team-20261124T101500Z.yaml"),
        {
            let text = String::from_utf8(signed).unwrap();
            text.replace("2026-11-24T09:15:00+00:00", "2026-11-24T10:15:00+00:00")
                .replace("refused: null", "refused: pen test still open")
        },
    )
    .unwrap();
    let _ = record;
    let refused = Test::resume_in(table.dir)
        .args(&["history", "--format", "json"])
        .run();
    let value: serde_json::Value = serde_json::from_str(&refused.stdout).unwrap();
    assert_eq!(value["runs"][0]["verdict"], "NO-GO", "{}", refused.stdout);
    assert_eq!(
        value["runs"][0]["causes"],
        serde_json::json!(["Security Team refused"])
    );

    // An addendum for another record's bytes does not count, and history says so.
    std::fs::write(
        folder.join("signoff-product-team-20261124T110000Z.yaml"),
        std::fs::read_to_string(folder.join("signoff-security-team-20261124T091500Z.yaml"))
            .unwrap()
            .replace("Security Team", "Product Team")
            .replace("2026-11-24T09:15:00", "2026-11-24T11:00:00"),
    )
    .unwrap();
    let out = Test::resume_in(refused.dir)
        .args(&["history"])
        .env("COLUMNS", "120")
        .stdout_contains("? does not count: signoff-product-team-20261124T110000Z.yaml:")
        .run();
    assert!(out.stdout.contains("NO-GO"), "{}", out.stdout);
}
