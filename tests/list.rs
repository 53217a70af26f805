//! `deploycheck list`.

use crate::support::Test;

#[test]
fn table_lists_checklists_with_counts_per_environment() {
    let output = Test::with_seeds().args(&["list"]).run();
    assert!(output.stdout.contains("mail-score (default)"));
    assert!(
        output
            .stdout
            .contains("development 170, production 172, staging 170")
    );
    assert!(
        output
            .stdout
            .contains("development 200, production 200, staging 200")
    );
}

#[test]
fn json_lists_every_checklist() {
    let output = Test::with_seeds().args(&["list", "--format", "json"]).run();
    let entries: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(entries[0]["name"], "enterprise");
    assert_eq!(entries[0]["items"], 200);
    assert_eq!(entries[0]["warnings"], 35);
    assert_eq!(entries[1]["name"], "mail-score");
    assert_eq!(entries[1]["default"], true);
    assert_eq!(
        entries[1]["environments"][1],
        serde_json::json!({"name": "production", "items": 172})
    );
}

#[test]
fn a_broken_checklist_is_listed_and_its_error_shown() {
    Test::with_seeds()
        .write("checklists/broken.md", "# Nothing to do here\n")
        .args(&["list"])
        .status(2)
        .stdout_contains("(does not load, see below)")
        .stderr_contains("checklists/broken.md: error: no checklist items found")
        .run();
}

#[test]
fn list_says_where_records_go_when_outside_the_project() {
    let output = Test::with_seeds()
        .write(
            "checklists/deploycheck.yaml",
            "default: mail-score\nrecords: ../elsewhere/runs\n",
        )
        .args(&["list"])
        .run();
    let note = output.stderr.lines().next().unwrap_or_default();
    assert!(note.starts_with("note: run records go to /"), "{note}");
    assert!(
        note.contains("/elsewhere/runs, outside the project ("),
        "{note}"
    );
    assert!(note.contains("`records:` in "), "{note}");
}

#[test]
fn list_is_silent_about_records_inside_the_project() {
    Test::with_seeds()
        .write(
            "checklists/deploycheck.yaml",
            "default: mail-score\nrecords: ops/runs\n",
        )
        .args(&["list"])
        .stderr("")
        .run();
}

const WEB_MD: &str = "# Web in Markdown\n\n## P\n\n### S\n\n- [ ] a\n";
const WEB_YAML: &str =
    "title: Web in YAML\nphases:\n- title: P\n  sections:\n  - title: S\n    items: [{text: a}]\n";

#[test]
fn checklists_that_share_a_name_are_listed_by_the_paths_that_pick_them() {
    let output = Test::new()
        .write("checklists/web.md", WEB_MD)
        .write("checklists/web.yaml", WEB_YAML)
        .write("checklists/api.md", WEB_MD)
        .args(&["list"])
        .run();
    let names: Vec<&str> = output
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("| "))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(
        names,
        ["NAME", "api", "checklists/web.md", "checklists/web.yaml"],
        "{}",
        output.stdout
    );
    let json = Test::new()
        .write("checklists/web.md", WEB_MD)
        .write("checklists/web.yaml", WEB_YAML)
        .args(&["list", "--format", "json"])
        .run();
    let entries: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(entries[0]["name"], "checklists/web.md");
    assert_eq!(entries[1]["name"], "checklists/web.yaml");
}

#[test]
fn a_listed_name_picks_its_checklist() {
    let dir = Test::new()
        .write("checklists/web.md", WEB_MD)
        .write("checklists/web.yaml", WEB_YAML)
        .into_dir();
    let list = crate::support::deploycheck_in(dir.path(), &["list", "--format", "json"]);
    let entries: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    for entry in entries.as_array().unwrap() {
        let name = entry["name"].as_str().unwrap();
        let shown = crate::support::deploycheck_in(dir.path(), &["show", "-c", name]);
        assert!(shown.status.success(), "-c {name}: {shown:?}");
        // `show` prints the title, then the file it read.
        let shown = String::from_utf8_lossy(&shown.stdout).into_owned();
        let mut lines = shown.lines();
        assert_eq!(lines.next(), entry["title"].as_str(), "-c {name}");
        let source = lines.next().unwrap_or_default();
        assert!(
            source.starts_with(&format!("{name} |")),
            "-c {name}: {source}"
        );
    }
    // From a folder inside the project, the same names pick the same files.
    std::fs::create_dir_all(dir.path().join("ops")).unwrap();
    for (name, title) in [
        ("checklists/web.md", "Web in Markdown"),
        ("checklists/web.yaml", "Web in YAML"),
    ] {
        let shown = crate::support::deploycheck_in(&dir.path().join("ops"), &["show", "-c", name]);
        assert!(shown.status.success(), "-c {name} from ops/: {shown:?}");
        assert!(String::from_utf8_lossy(&shown.stdout).starts_with(&format!("{title}\n")));
    }
}

#[test]
fn several_checklists_are_named_as_they_can_be_picked() {
    Test::new()
        .write("checklists/web.md", WEB_MD)
        .write("checklists/web.yaml", WEB_YAML)
        .args(&["show"])
        .status(2)
        .stderr_contains("holds several checklists (checklists/web.md, checklists/web.yaml); pick one with -c NAME")
        .run();
}
