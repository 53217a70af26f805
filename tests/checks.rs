//! Closed-loop items: checks that gather evidence, through the real binary and real
//! `sh -c`. Authoring in both formats, nothing ever run unasked, `r` at the prompt,
//! proposals, thresholds measured by a check, time-outs that kill a whole process group,
//! bounded and binary output, values only through environment variables, `--run-checks`
//! and `--dry-run`, Ctrl-C and SIGKILL while a check runs, and the evidence in the
//! journal, the record, the reports and the diff.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use deploycheck::model::{CheckEnd, Evidence, How, Record, RecordItem, Status};

use crate::support::{Running, Test, Tmux, deploycheck_in, json_items, run_folders};

/// A release with three checked items and one plain one: a pass, a failure, and a
/// measured value, each printing what it found. (Output on the two streams is kept in the
/// order it arrives; the `sleep` keeps two writes from arriving at the same moment.)
const RELEASE: &str = "# Release

*Version:* ______

## Checks

### Service

- [ ] Health endpoint responding
  ```sh check timeout=10
  echo \"GET /healthz\"
  echo \"200 OK\"
  ```
- [ ] Database migrations applied
  ```sh check
  echo \"checking schema_migrations\" >&2
  sleep 1
  echo \"2 migrations pending\"
  exit 1
  ```
- [ ] Response time < 200ms (p95)
  ```sh check timeout=5
  echo \"sampling 100 requests\" >&2
  echo 180ms
  ```
- [ ] Changelog updated
";

const HEALTH: &str = "checks/service/health-endpoint-responding";
const MIGRATIONS: &str = "checks/service/database-migrations-applied";
const RESPONSE: &str = "checks/service/response-time-200ms-p95";
const ONE: &str = "p/s/the-item";

fn project(checklist: &str) -> Test {
    Test::new().write("checklists/release.md", checklist)
}

/// A one-item checklist (`p/s/the-item`) whose check is `command`; `settings` follow
/// `check` in the fence's info string.
fn one_check(command: &str, settings: &str) -> String {
    let indented: String = command.lines().map(|l| format!("  {l}\n")).collect();
    format!(
        "# One\n\n*Version:* ______\n\n## P\n\n### S\n\n- [ ] The item\n  ```sh check{settings}\n{indented}  ```\n"
    )
}

fn item<'a>(record: &'a Record, id: &str) -> &'a RecordItem {
    record
        .items
        .iter()
        .find(|i| i.id == id)
        .unwrap_or_else(|| panic!("no item {id}"))
}

fn evidence<'a>(record: &'a Record, id: &str) -> &'a [Evidence] {
    item(record, id).evidence.as_deref().unwrap_or_default()
}

/// The run folders of a project, relative to it.
fn runs(dir: &Path) -> Vec<String> {
    run_folders(dir)
        .into_iter()
        .map(|p| p.strip_prefix(dir).unwrap().display().to_string())
        .collect()
}

/// Files the checks of [`TOUCHING`] leave in the project, had any run.
fn leftovers(dir: &Path) -> Vec<String> {
    let mut found: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.starts_with("ran-"))
        .collect();
    found.sort();
    found
}

/// Every item's check creates a file named after it, in the folder it runs in.
const TOUCHING: &str = "# Touching

*Version:* ______

## Steps

### One

- [ ] First
  ```sh check
  touch ran-first
  ```
- [ ] Second < 200ms
  ```sh check
  touch ran-second; echo 100ms
  ```

## Rollback

### Rollback triggers

- [ ] Error rate > 5%
  ```sh check
  touch ran-trigger
  ```

### Procedure

- [ ] Roll back the release
  ```sh check
  touch ran-rollback
  ```
";

#[test]
fn no_command_ever_runs_unless_r_or_run_checks_asks() {
    let test = project(TOUCHING).write(
        "checklists/touching.yaml",
        "title: Y\nphases:\n- title: P\n  sections:\n  - title: S\n    items:\n    - text: a\n      check: touch ran-yaml\n",
    );
    let dir = test.path().to_path_buf();
    let mut steps: Vec<Vec<&str>> = vec![
        vec!["show", "-c", "release"],
        vec!["show", "production", "-c", "release", "--format", "json"],
        vec!["show", "-c", "release", "--format", "yaml"],
        vec!["show", "-c", "checklists/touching.yaml", "--ids"],
        vec!["validate"],
        vec!["validate", "--strict", "--format", "json"],
        vec!["list"],
        vec!["schema"],
        vec![
            "run",
            "production",
            "-c",
            "release",
            "--run-checks",
            "--dry-run",
        ],
        vec!["run", "production", "-c", "release", "--dry-run"],
    ];
    for format in ["markdown", "text", "html"] {
        steps.push(vec![
            "sheet",
            "production",
            "-c",
            "release",
            "--format",
            format,
        ]);
    }
    for args in &steps {
        let out = deploycheck_in(&dir, args);
        assert!(
            out.status.code().is_some_and(|c| c <= 1),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(leftovers(&dir), Vec::<String>::new(), "after {steps:?}");
    assert!(runs(&dir).is_empty(), "--dry-run writes nothing");

    // A whole run answered without `r` and without --run-checks: a value, a trigger that
    // holds, and the rollback procedure.
    let output = Test::resume_in(test.into_dir())
        .args(&["run", "production", "-c", "release", "--operator", "dana"])
        .stdin("v1\ny\n150ms\nholds\ny\nquit\n")
        .status(1)
        .run();
    let dir = output.dir.path().to_path_buf();
    assert_eq!(
        leftovers(&dir),
        Vec::<String>::new(),
        "after a run without r"
    );
    let run = runs(&dir).remove(0);
    for args in [
        vec!["report", run.as_str()],
        vec!["report", run.as_str(), "--format", "markdown"],
        vec!["report", run.as_str(), "--format", "json"],
        vec!["report", run.as_str(), "--format", "junit"],
        vec!["diff", run.as_str(), run.as_str()],
        vec!["verify", run.as_str()],
    ] {
        let out = deploycheck_in(&dir, &args);
        assert!(out.status.code().is_some_and(|c| c <= 1), "{args:?}");
    }
    assert_eq!(
        leftovers(&dir),
        Vec::<String>::new(),
        "after report, diff, verify"
    );
    let record = output.only_record();
    let first = item(&record, "steps/one/first");
    assert_eq!(first.how, Some(How::Typed));
    assert_eq!(
        first.evidence.as_deref(),
        Some(&[][..]),
        "checked items list no evidence"
    );
}

#[test]
fn both_formats_load_a_check_to_the_same_tree() {
    let markdown = "# T\n\n## P\n\n### S\n\n- [ ] Health\n  ```sh check timeout=30\n  curl -fsS http://localhost/healthz\n  ```\n- [ ] Plain\n- [ ] Script\n  ```check\n  set -e\n  echo \"two lines\"\n  ```\n";
    let yaml = "title: T\nphases:\n- title: P\n  sections:\n  - title: S\n    items:\n    - text: Health\n      check: {run: \"curl -fsS http://localhost/healthz\", timeout_s: 30}\n    - text: Plain\n    - text: Script\n      check: \"set -e\\necho \\\"two lines\\\"\"\n";
    let dir = Test::new()
        .write("t.md", markdown)
        .write("t.yaml", yaml)
        .into_dir();
    let dir = dir.path();
    let tree = |file: &str| {
        let out = deploycheck_in(dir, &["show", "-c", file, "--format", "json"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut tree: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        tree.as_object_mut().unwrap().remove("source");
        let items: Vec<serde_json::Value> = json_items(&tree)
            .into_iter()
            .map(|i| serde_json::json!({"text": i["text"], "check": i["check"]}))
            .collect();
        items
    };
    let from_markdown = tree("t.md");
    assert_eq!(from_markdown, tree("t.yaml"));
    let health = from_markdown
        .iter()
        .find(|i| i["text"] == "Health")
        .unwrap();
    assert_eq!(
        health["check"],
        serde_json::json!({"run": "curl -fsS http://localhost/healthz", "timeout_s": 30})
    );
    let script = from_markdown
        .iter()
        .find(|i| i["text"] == "Script")
        .unwrap();
    assert_eq!(
        script["check"],
        serde_json::json!({"run": "set -e\necho \"two lines\"", "timeout_s": 60})
    );
    let plain = from_markdown.iter().find(|i| i["text"] == "Plain").unwrap();
    assert!(plain["check"].is_null(), "the key is there, null");

    // What `show --format yaml` prints is a YAML checklist with the same checks.
    let shown = deploycheck_in(dir, &["show", "-c", "t.md", "--format", "yaml"]);
    std::fs::write(dir.join("shown.yaml"), &shown.stdout).unwrap();
    assert_eq!(tree("shown.yaml"), from_markdown);
}

#[test]
fn misplaced_checks_and_bad_time_outs_are_errors_naming_file_and_line() {
    let markdown = "# B\n\n## P\n\n```sh check\necho top\n```\n\n- plain bullet\n  ```sh check\n  echo plain\n  ```\n- [ ] two checks\n  ```sh check\n  echo 1\n  ```\n  ```sh check\n  echo 2\n  ```\n- [ ] bad time-out\n  ```sh check timeout=soon\n  echo 3\n  ```\n- [ ] a parent\n  ```sh check\n  echo p\n  ```\n  - [ ] a child\n";
    let out = Test::new()
        .write("bad.md", markdown)
        .args(&["validate", "bad.md"])
        .status(2)
        .run();
    for (line, words) in [
        (5, "sits under a heading"),
        (10, "under a plain bullet"),
        (17, "already has a check (line 14)"),
        (21, "time-out `soon` is not a duration"),
        (24, "has sub-items"),
    ] {
        let needle = format!("bad.md:{line}: error:");
        let found = out
            .stderr
            .lines()
            .find(|l| l.starts_with(&needle))
            .unwrap_or_else(|| panic!("no error at line {line}\n{}", out.stderr));
        assert!(found.contains(words), "{found}");
    }
    let yaml = "title: T\nphases:\n- title: P\n  sections:\n  - title: S\n    items:\n    - text: a\n      check: {run: \"true\", timeout_s: 0}\n";
    Test::new()
        .write("bad.yaml", yaml)
        .args(&["validate", "bad.yaml"])
        .status(2)
        .stderr_contains("bad.yaml:8:")
        .stderr_contains("at least 1 second")
        .run();
    let yaml = "title: T\nphases:\n- title: P\n  sections:\n  - title: S\n    items:\n    - text: a\n      check: {run: \"true\", timeout: 5}\n";
    Test::new()
        .write("bad.yaml", yaml)
        .args(&["validate", "bad.yaml"])
        .status(2)
        .stderr_contains("bad.yaml:8:")
        .stderr_contains("unknown field `timeout`")
        .run();
}

#[test]
fn schema_show_and_sheets_describe_checks() {
    let out = Test::new().args(&["schema"]).run();
    let schema: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let text = schema.to_string();
    assert!(text.contains("\"check\""), "{text}");
    assert!(text.contains("timeout_s"), "{text}");

    let dir = project(RELEASE).into_dir();
    let tree = deploycheck_in(dir.path(), &["show", "production"]);
    let tree = String::from_utf8(tree.stdout).unwrap();
    assert!(
        tree.contains("[ ] Health endpoint responding  [check]"),
        "{tree}"
    );
    assert!(tree.contains("$ echo \"GET /healthz\""), "{tree}");
    assert!(tree.contains("(time-out 10 s)"), "{tree}");

    let text = deploycheck_in(dir.path(), &["sheet", "production", "--format", "text"]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("echo 180ms (check, time-out 5 s)"), "{text}");
    let html = deploycheck_in(dir.path(), &["sheet", "production", "--format", "html"]);
    let html = String::from_utf8(html.stdout).unwrap();
    assert!(
        html.contains("<code class=\"check\">$ echo &quot;GET /healthz&quot;"),
        "{html}"
    );
    // The Markdown sheet carries the checks as the fences they were, so it loads back
    // with the same checks.
    let markdown = deploycheck_in(dir.path(), &["sheet", "production"]);
    std::fs::write(dir.path().join("sheet.md"), &markdown.stdout).unwrap();
    let checks = |file: &str| {
        let out = deploycheck_in(dir.path(), &["show", "-c", file, "--format", "json"]);
        let tree: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        json_items(&tree)
            .into_iter()
            .map(|i| i["check"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(checks("sheet.md"), checks("checklists/release.md"));
}

#[test]
fn r_runs_the_check_and_enter_records_what_it_proposes() {
    let out = project(RELEASE)
        .args(&["run", "production", "--operator", "dana"])
        // Version; r + Enter on each checked item; y for the plain one.
        .stdin("v1\nr\n\nr\n\nr\n\ny\n")
        .status(1)
        .stdout_contains("200 OK")
        .stdout_contains("the check proposes: done; an empty line records it")
        .stdout_contains("the check proposes: failed (2 migrations pending)")
        .run();
    let record = out.only_record();
    let health = item(&record, HEALTH);
    assert_eq!(
        (health.status, health.how),
        (Status::Done, Some(How::Check))
    );
    let [run] = evidence(&record, HEALTH) else {
        panic!("one execution");
    };
    assert_eq!(run.command, "echo \"GET /healthz\"\necho \"200 OK\"");
    assert_eq!((run.ended, run.exit_code), (CheckEnd::Exited, Some(0)));
    assert_eq!(run.output, "GET /healthz\n200 OK\n");
    assert_eq!((run.output_truncated, run.output_bytes), (false, 20));
    assert_eq!(run.run_by, "dana");
    assert_eq!(run.timeout_s, 10);
    assert!(run.duration_ms.is_some());

    let migrations = item(&record, MIGRATIONS);
    assert_eq!(migrations.status, Status::Failed);
    assert_eq!(migrations.reason.as_deref(), Some("2 migrations pending"));
    assert_eq!(migrations.how, Some(How::Check));
    let [failed] = evidence(&record, MIGRATIONS) else {
        panic!("one execution");
    };
    assert_eq!(failed.exit_code, Some(1));
    assert_eq!(
        failed.output, "checking schema_migrations\n2 migrations pending\n",
        "stderr and stdout interleaved as they came"
    );

    // The threshold item took the last stdout line as its measured value.
    let response = item(&record, RESPONSE);
    assert_eq!(response.status, Status::Done);
    assert_eq!(response.value.as_deref(), Some("180ms"));
    assert_eq!(response.judgement.as_deref(), Some("180 ms is < 200 ms"));
    assert_eq!(response.how, Some(How::Check));

    let plain = item(&record, "checks/service/changelog-updated");
    assert_eq!(plain.evidence, None, "no check, no evidence key");
    assert_eq!(record.verdict.to_string(), "NO-GO");
    // The evidence is inside the digest.
    assert_eq!(record.digest, record.compute_digest());
    let mut edited = record.clone();
    edited.items[0].evidence.as_mut().unwrap()[0].exit_code = Some(1);
    assert_ne!(edited.compute_digest(), record.digest);
    let verify = deploycheck_in(out.dir.path(), &["verify", &runs(out.dir.path())[0]]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}

#[test]
fn answering_otherwise_overrules_the_proposal_and_every_execution_is_kept() {
    let out = project(RELEASE)
        .args(&["run", "production", "--operator", "dana"])
        // The health check twice, then answered by hand; the failing one answered done.
        .stdin("v1\nr\nr\ny\nr\ny\nquit\n")
        .status(1)
        .run();
    let record = out.only_record();
    let health = item(&record, HEALTH);
    assert_eq!(
        (health.status, health.how),
        (Status::Done, Some(How::Typed))
    );
    assert_eq!(evidence(&record, HEALTH).len(), 2);
    let migrations = item(&record, MIGRATIONS);
    assert_eq!(
        (migrations.status, migrations.how),
        (Status::Done, Some(How::Typed)),
        "the operator's answer wins over the check's proposal"
    );
    assert_eq!(evidence(&record, MIGRATIONS)[0].exit_code, Some(1));
}

#[test]
fn a_measured_value_that_misses_its_threshold_is_proposed_as_failed() {
    let checklist = "# M\n\n## P\n\n### S\n\n- [ ] Error rate < 1%\n  ```sh check\n  echo 'errors: 12 of 400'\n  echo 3%\n  echo\n  ```\n- [ ] Latency < 100ms\n  ```sh check\n  echo 'no data'\n  ```\n";
    let out = project(checklist)
        .args(&["run", "production"])
        .stdin("r\n\nr\n\nquit\n")
        .status(1)
        .stdout_contains("measured 3%: 3% is not < 1%")
        .stdout_contains("not a value")
        .run();
    let record = out.only_record();
    let errors = item(&record, "p/s/error-rate-1");
    assert_eq!(errors.status, Status::Failed);
    assert_eq!(errors.value.as_deref(), Some("3%"));
    assert_eq!(errors.how, Some(How::Check));
    let latency = item(&record, "p/s/latency-100ms");
    assert_eq!(
        latency.status,
        Status::Pending,
        "no value, nothing proposed"
    );
    assert_eq!(evidence(&record, "p/s/latency-100ms").len(), 1);
}

/// Whether the process is gone, or a zombie that no longer runs.
fn gone(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
    }
}

fn wait_gone(pid: u32) -> bool {
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline {
        if gone(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

fn wait_for_file(path: &Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(text) = std::fs::read_to_string(path)
            && text.ends_with('\n')
        {
            return text;
        }
        assert!(Instant::now() < deadline, "{} never came", path.display());
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_time_out_stops_sleep_100_and_its_children_in_about_its_time_out() {
    let checklist = one_check(
        "echo starting\nsleep 100 &\necho $! > child.pid\nsleep 100",
        " timeout=1",
    );
    let started = Instant::now();
    let out = project(&checklist)
        .args(&["run", "production"])
        .stdin("v1\nr\n\nquit\n")
        .status(1)
        .stdout_contains("timed out after 1 s")
        .run();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(8), "the run took {took:?}");
    let child: u32 = std::fs::read_to_string(out.dir.path().join("child.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(wait_gone(child), "the check's background sleep survived");
    let record = out.only_record();
    let [run] = evidence(&record, ONE) else {
        panic!("one execution")
    };
    assert_eq!((run.ended, run.exit_code), (CheckEnd::TimedOut, None));
    let ms = run.duration_ms.unwrap();
    assert!((1000..4000).contains(&ms), "{ms} ms");
    let the_item = item(&record, ONE);
    assert_eq!(the_item.status, Status::Failed);
    assert_eq!(
        the_item.reason.as_deref(),
        Some("check timed out after 1 s: starting")
    );
}

#[test]
fn ten_megabytes_of_output_keep_the_last_eight_kibibytes_and_count_the_rest() {
    let checklist = one_check(
        "head -c 10485760 /dev/zero | tr '\\0' x\necho\necho done",
        "",
    );
    let out = project(&checklist)
        .args(&["run", "production"])
        .stdin("v1\nr\n\n")
        .stdout_contains("the record keeps the last 8 KiB")
        .run();
    let record = out.only_record();
    let [run] = evidence(&record, ONE) else {
        panic!("one execution")
    };
    assert!(run.output_truncated);
    assert_eq!(run.output_bytes, 10_485_760 + 6);
    assert_eq!(run.output.len(), 8192);
    assert!(run.output.ends_with("xxxx\ndone\n"));
    let record_size = std::fs::metadata(out.run_folders()[0].join("record.yaml"))
        .unwrap()
        .len();
    assert!(record_size < 64 * 1024, "{record_size} bytes");
}

#[test]
fn binary_output_is_kept_as_valid_text_and_the_record_verifies() {
    let checklist = one_check(
        "head -c 20000 /dev/urandom\nprintf '\\033[2J\\033]0;title\\007\\000end\\n'",
        "",
    );
    let out = project(&checklist)
        .args(&["run", "production"])
        .stdin("v1\nr\n\n")
        .run();
    let record = out.only_record();
    let [run] = evidence(&record, ONE) else {
        panic!("one execution")
    };
    assert!(
        run.output.ends_with("end\n"),
        "{:?}",
        &run.output[run.output.len() - 20..]
    );
    assert!(
        !run.output
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t'),
        "control characters in the record"
    );
    assert!(
        !out.stdout.contains('\u{1b}'),
        "an escape sequence reached the screen"
    );
    let verify = deploycheck_in(out.dir.path(), &["verify", &runs(out.dir.path())[0]]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}

#[test]
fn field_values_reach_a_check_only_as_inert_environment_variables() {
    let checklist = "# Env\n\n*Version:* ______\n*Git Commit:* ______\n\n## P\n\n### S\n\n- [ ] Values\n  ```sh check\n  printf 'env=%s\\n' \"$DEPLOYCHECK_ENVIRONMENT\"\n  printf 'version=%s\\n' \"$DEPLOYCHECK_FIELD_VERSION\"\n  printf 'commit=%s\\n' \"$DEPLOYCHECK_FIELD_GIT_COMMIT\"\n  printf 'run=%s\\n' \"$DEPLOYCHECK_RUN\"\n  printf 'leftover=%s\\n' \"${DEPLOYCHECK_FIELD_LEFTOVER-unset}\"\n  pwd\n  ```\n";
    let answers =
        "fields:\n  Version: \"$(touch pwned)\"\n  Git Commit: \"'; rm -rf victim; echo '\"\n";
    let out = project(checklist)
        .write("victim/keep", "")
        .write("answers.yaml", answers)
        .env("DEPLOYCHECK_FIELD_LEFTOVER", "from the shell")
        .args(&["run", "production", "--answers", "answers.yaml"])
        .stdin("r\n\n")
        .run();
    let dir = out.dir.path();
    assert!(!dir.join("pwned").exists(), "a field value was executed");
    assert!(
        dir.join("victim/keep").exists(),
        "a field value was executed"
    );
    let record = out.only_record();
    let [run] = evidence(&record, "p/s/values") else {
        panic!("one execution")
    };
    let root = dir.canonicalize().unwrap();
    let expected = format!(
        "env=production\nversion=$(touch pwned)\ncommit='; rm -rf victim; echo '\nrun={}\nleftover=unset\n{}\n",
        root.join("runs/release-production-20261123T220000Z")
            .display(),
        root.display()
    );
    assert_eq!(run.output, expected);
}

#[test]
fn run_checks_answers_passing_checks_and_stops_only_where_one_fails() {
    let answers = "fields: {Version: v1}\nanswers:\n  checks/service/changelog-updated: done\n";
    let out = project(RELEASE)
        .write("answers.yaml", answers)
        .args(&[
            "run",
            "production",
            "--answers",
            "answers.yaml",
            "--run-checks",
        ])
        // Only the failing check stops to ask: an empty line records its proposal.
        .stdin("\n")
        .status(1)
        .run();
    let record = out.only_record();
    for id in [HEALTH, RESPONSE] {
        let it = item(&record, id);
        assert_eq!(
            (it.status, it.how),
            (Status::Done, Some(How::Check)),
            "{id}"
        );
        assert_eq!(evidence(&record, id).len(), 1);
    }
    let migrations = item(&record, MIGRATIONS);
    assert_eq!(
        (migrations.status, migrations.how),
        (Status::Failed, Some(How::Check))
    );
    assert_eq!(
        out.stdout.matches("the check proposes").count(),
        1,
        "{}",
        out.stdout
    );
    assert!(record.finished_at.is_some());

    // An answers file that answers a checked item keeps its check from running.
    let answers = "fields: {Version: v1}\nanswers:\n  checks/service/database-migrations-applied: done\n  checks/service/changelog-updated: done\n";
    let out = project(RELEASE)
        .write("answers.yaml", answers)
        .args(&[
            "run",
            "production",
            "--answers",
            "answers.yaml",
            "--run-checks",
        ])
        .stdout_contains("Verdict: GO")
        .run();
    let record = out.only_record();
    assert!(evidence(&record, MIGRATIONS).is_empty());
    assert_eq!(item(&record, MIGRATIONS).how, Some(How::AnswersFile));
}

#[test]
fn dry_run_lists_the_checks_and_their_environment_without_running_or_writing() {
    let answers =
        "fields: {Version: v2.0.1}\nanswers:\n  checks/service/database-migrations-applied: done\n";
    let out = project(RELEASE)
        .write("answers.yaml", answers)
        .args(&[
            "run",
            "production",
            "--answers",
            "answers.yaml",
            "--run-checks",
            "--dry-run",
        ])
        .stdout_contains("--run-checks would run 2 checks")
        .stdout_contains("1. 1/4  Checks › Service: Health endpoint responding")
        .stdout_contains("$ echo \"GET /healthz\"")
        .stdout_contains("2. 3/4  Checks › Service: Response time < 200ms (p95)")
        .stdout_contains("1 item with a check is answered by the answers file")
        .stdout_contains("DEPLOYCHECK_ENVIRONMENT=production")
        .stdout_contains("DEPLOYCHECK_FIELD_VERSION=v2.0.1")
        .stdout_contains("runs/release-production-20261123T220000Z")
        .run();
    assert!(
        !out.stdout.contains("database-migrations"),
        "{}",
        out.stdout
    );
    assert!(!out.dir.path().join("runs").exists());
}

/// Prints, leaves its process group in `group.pid` and a background child in
/// `child.pid`, then waits.
const SLOW: &str = "echo $$ > group.pid\nsleep 100 &\necho $! > child.pid\necho started\nsleep 100";

/// Kills what a test left running in a check's process group.
fn kill_group(dir: &Path) {
    if let Ok(text) = std::fs::read_to_string(dir.join("group.pid")) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", text.trim())])
            .status();
    }
}

#[test]
fn sigkill_during_a_check_leaves_it_started_and_unfinished_never_passed() {
    let test = project(&one_check(SLOW, ""));
    let dir = test.path().to_path_buf();
    let mut running = Running::start(&dir, &["run", "production", "--operator", "dana"]);
    running.type_line("v1");
    running.type_line("r");
    wait_for_file(&dir.join("child.pid"));
    running.wait_for("| started");
    running.signal("-KILL");
    running.child.wait().unwrap();
    // The shell dies with deploycheck; what it started does not, and is cleaned up here.
    kill_group(&dir);

    // The journal has the start of the check, made durable before it ran, and no finish.
    let folder = run_folders(&dir).remove(0);
    let journal = std::fs::read_to_string(folder.join("journal.jsonl")).unwrap();
    assert!(journal.contains("\"check_started\""), "{journal}");
    assert!(!journal.contains("\"check_finished\""), "{journal}");

    let out = Test::resume_in(test.into_dir())
        .args(&["run", "production", "--resume", "--operator", "lee"])
        .env("COLUMNS", "400")
        .stdin("quit\n")
        .status(1)
        .stdout_contains("never finished (deploycheck stopped while it ran): not a pass")
        .run();
    let record = out.only_record();
    let the_item = item(&record, ONE);
    assert_eq!(
        the_item.status,
        Status::Pending,
        "an unfinished check answers nothing"
    );
    let [run] = evidence(&record, ONE) else {
        panic!("one execution")
    };
    assert_eq!(run.ended, CheckEnd::Unfinished);
    assert_eq!((run.exit_code, run.duration_ms), (None, None));
    assert_eq!(run.run_by, "dana");
    assert!(!run.passed());

    // Running it again after the resume keeps both executions.
    let out = Test::resume_in(out.dir)
        .write("checklists/release.md", one_check("echo fine", ""))
        .args(&["run", "production", "--resume"])
        .stdin("r\n\n")
        .stdout_contains("changed since the run started")
        .run();
    let record = out.only_record();
    assert_eq!(item(&record, ONE).how, Some(How::Check));
    let runs = evidence(&record, ONE);
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0].ended, CheckEnd::Unfinished);
    assert_eq!(runs[1].exit_code, Some(0));
    assert_eq!(runs[1].command, "echo fine");
}

#[test]
fn an_interrupt_while_a_check_runs_stops_the_check_and_not_the_run() {
    let test = project(&one_check(SLOW, ""));
    let dir = test.path().to_path_buf();
    let mut running = Running::start(&dir, &["run", "production", "--operator", "dana"]);
    running.type_line("v1");
    running.type_line("r");
    let child: u32 = wait_for_file(&dir.join("child.pid"))
        .trim()
        .parse()
        .unwrap();
    running.wait_for("| started");
    running.signal("-INT");
    running.wait_for("interrupted after");
    assert!(
        wait_gone(child),
        "the check's background sleep survived Ctrl-C"
    );
    running.wait_for("nothing proposed");
    running.type_line("f gave up waiting");
    drop(running.stdin);
    let status = running.child.wait().unwrap();
    assert_eq!(status.code(), Some(1), "the run went on to its end: NO-GO");
    let out = Test::resume_in(test.into_dir()).args(&["list"]).run();
    let record = out.only_record();
    let [run] = evidence(&record, ONE) else {
        panic!("one execution")
    };
    assert_eq!((run.ended, run.exit_code), (CheckEnd::Interrupted, None));
    assert_eq!(item(&record, ONE).status, Status::Failed);
}

#[test]
fn a_command_changed_since_the_run_started_is_shown_again_before_it_runs() {
    let out = project(&one_check("echo old", ""))
        .args(&["run", "production"])
        .stdin("v1\nquit\n")
        .status(1)
        .run();
    // The checklist changes under the unfinished run.
    let out = Test::resume_in(out.dir)
        .write("checklists/release.md", one_check("echo new", ""))
        .args(&["run", "production", "--resume"])
        .env("DEPLOYCHECK_ASSUME_TERMINAL", "1")
        .stdin("r\nn\nquit\n")
        .status(1)
        .stdout_contains("check changed: \"The item\" now runs `echo new`")
        .stdout_contains("This check's command changed since the run started.")
        .stdout_contains("was: $ echo old")
        .stdout_contains("now: $ echo new")
        .stdout_contains("Run the command as it is now? [y / N]")
        .stdout_contains("not run")
        .run();
    assert!(
        evidence(&out.only_record(), ONE).is_empty(),
        "declined: nothing ran"
    );
    let out = Test::resume_in(out.dir)
        .args(&["run", "production", "--resume"])
        .env("DEPLOYCHECK_ASSUME_TERMINAL", "1")
        .stdin("r\ny\n\n")
        .stdout_contains("now: $ echo new")
        .run();
    let record = out.only_record();
    let [run] = evidence(&record, ONE) else {
        panic!("one execution")
    };
    assert_eq!(run.command, "echo new");
}

#[test]
fn reports_show_the_evidence_and_the_diff_shows_changed_exit_codes() {
    let first = project(RELEASE)
        .args(&["run", "production"])
        .stdin("v1\nr\n\nr\n\nr\n\ny\n")
        .status(1)
        .run();
    let dir = first.dir.path();
    let run_a = runs(dir).remove(0);
    // Tonight the migrations are applied.
    std::fs::write(
        dir.join("checklists/release.md"),
        RELEASE.replace(
            "echo \"2 migrations pending\"\n  exit 1",
            "echo \"up to date\"",
        ),
    )
    .unwrap();
    let second = Command::new(env!("CARGO_BIN_EXE_deploycheck"))
        .args(["run", "production"])
        .current_dir(dir)
        .env("DEPLOYCHECK_NOW", "2026-11-24T22:00:00+00:00")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(b"v2\nr\n\nr\n\nr\n\ny\n")?;
            child.wait_with_output()
        })
        .unwrap();
    assert!(
        second.status.success(),
        "{}",
        String::from_utf8_lossy(&second.stdout)
    );
    let run_b = runs(dir).remove(1);

    let markdown = deploycheck_in(dir, &["report", &run_a, "--format", "markdown"]);
    let markdown = String::from_utf8(markdown.stdout).unwrap();
    assert!(
        markdown.contains("<details><summary>❌ Database migrations applied — exit 1"),
        "{markdown}"
    );
    assert!(
        markdown.contains("```sh\necho \"checking schema_migrations\" >&2\nsleep 1\n"),
        "{markdown}"
    );
    assert!(
        markdown.contains("```text\nchecking schema_migrations\n2 migrations pending\n```"),
        "{markdown}"
    );
    assert!(markdown.contains("**exit 1** in "), "{markdown}");
    let junit = deploycheck_in(dir, &["report", &run_a, "--format", "junit"]);
    let junit = String::from_utf8(junit.stdout).unwrap();
    assert!(junit.contains("<system-out>"), "{junit}");
    assert!(junit.contains("check exit 1"), "{junit}");
    assert!(junit.contains("2 migrations pending"), "{junit}");
    let table = deploycheck_in(dir, &["report", &run_a]);
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(table.contains("Checks run:"), "{table}");
    let json = deploycheck_in(dir, &["report", &run_a, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json["checked"].as_array().unwrap().len(), 3);

    let diff = deploycheck_in(dir, &["diff", &run_a, &run_b, "--format", "json"]);
    assert_eq!(diff.status.code(), Some(1));
    let diff: serde_json::Value = serde_json::from_slice(&diff.stdout).unwrap();
    let change = diff["differences"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == MIGRATIONS)
        .expect("the migrations item changed");
    let check = change["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "check")
        .expect("its check's outcome changed");
    assert_eq!(
        (&check["a"], &check["b"]),
        (&serde_json::json!("exit 1"), &serde_json::json!("exit 0"))
    );
}

/// Ctrl-C typed at a real terminal while a check runs: the terminal sends SIGINT to
/// deploycheck's process group only (the check has its own), and the check stops with
/// everything it started while the walk returns to the prompt.
#[test]
fn ctrl_c_at_a_terminal_stops_the_check_and_the_walk_goes_on() {
    if !Tmux::available() {
        return;
    }
    let test = project(&one_check(SLOW, ""));
    let dir = test.path().to_path_buf();
    let tmux = Tmux::start(&dir, (80, 24), &[], &["run", "production"]);
    tmux.wait_for("Version");
    tmux.answer(&["-l", "v1", "Enter"]);
    tmux.keys(&["-l", "r", "Enter"]);
    let child: u32 = wait_for_file(&dir.join("child.pid"))
        .trim()
        .parse()
        .unwrap();
    tmux.wait_for("│ started");
    let screen = tmux.answer(&["C-c"]);
    assert!(screen.contains("interrupted after"), "{screen}");
    assert!(screen.contains("nothing proposed"), "{screen}");
    assert!(
        wait_gone(child),
        "the check's background sleep survived Ctrl-C"
    );
    let screen = tmux.answer(&["-l", "f stopped by hand", "Enter"]);
    assert!(screen.contains("Verdict: NO-GO"), "{screen}");
    let folder = run_folders(&dir).remove(0);
    let text = std::fs::read_to_string(folder.join("record.yaml")).unwrap();
    let record: Record = deploycheck::yaml::from_str(&text, "record.yaml").unwrap();
    let [run] = evidence(&record, ONE) else {
        panic!("one execution")
    };
    assert_eq!((run.ended, run.exit_code), (CheckEnd::Interrupted, None));
    assert_eq!(item(&record, ONE).status, Status::Failed);
}

/// The shipped `checklists/local-release.md` in a fresh git repository with a tag and a
/// remote: every check works with nothing but git and a POSIX shell, and the run is GO.
#[test]
fn the_shipped_local_release_checks_pass_in_a_tagged_and_pushed_repository() {
    if Command::new("git").arg("--version").output().is_err() {
        eprintln!("git is not installed: skipping the shipped checklist's run");
        return;
    }
    let shipped = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/checklists/local-release.md"
    ))
    .unwrap();
    // No `.gitignore` for runs/: the README has teams commit their runs, so the run's own
    // folder is in the work tree the first check looks at, untracked as it goes.
    let test = Test::new().write("repo/checklists/local-release.md", shipped);
    let root = test.path().to_path_buf();
    let repo = root.join("repo");
    let git = |dir: &Path, args: &[&str]| {
        let out = Command::new("git")
            .args(["-c", "user.name=dana", "-c", "user.email=dana@example.com"])
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    git(&root, &["init", "-q", "--bare", "remote.git"]);
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "release"]);
    git(&repo, &["tag", "v1.4.2"]);
    git(&repo, &["remote", "add", "origin", "../remote.git"]);
    git(&repo, &["push", "-q", "origin", "v1.4.2"]);
    let answers = "fields: {Version: v1.4.2}\nanswers:\n  release/tag/release-notes-written-for-this-version: done\n  sign-off/release-manager/every-check-above-was-run-and-its-evidence-is-in-the-record: done\nsignoffs: {Release Manager: Dana Reyes}\n";
    std::fs::write(root.join("answers.yaml"), answers).unwrap();
    let out = Test::resume_in(test.into_dir())
        .current_dir("repo")
        .args(&[
            "run",
            "production",
            "-c",
            "local-release",
            "--answers",
            "../answers.yaml",
            "--run-checks",
        ])
        .stdout_contains("clean on branch")
        .stdout_contains("is tagged v1.4.2")
        .stdout_contains("tag v1.4.2 is on origin")
        .stdout_contains("Verdict: GO")
        .run();
    let folder = run_folders(&out.dir.path().join("repo")).remove(0);
    let text = std::fs::read_to_string(folder.join("record.yaml")).unwrap();
    let record: Record = deploycheck::yaml::from_str(&text, "record.yaml").unwrap();
    let checked: Vec<&RecordItem> = record
        .items
        .iter()
        .filter(|i| i.evidence.as_ref().is_some_and(|e| !e.is_empty()))
        .collect();
    assert_eq!(checked.len(), 6);
    assert!(checked.iter().all(|i| i.how == Some(How::Check)));
    let disk = item(
        &record,
        "before-tagging/repository/free-disk-space-1-gb-for-the-build",
    );
    assert!(
        disk.value.as_deref().is_some_and(|v| v.ends_with(" GB")),
        "{disk:?}"
    );
}
