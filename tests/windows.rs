//! Time windows: read from titles, directives and YAML; shown, validated and loaded back.

use crate::support::{Test, fixture_bytes};

fn sections(tree: &serde_json::Value) -> Vec<(String, serde_json::Value, bool)> {
    tree["phases"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["sections"].as_array().unwrap())
        .map(|s| {
            (
                s["title"].as_str().unwrap().to_string(),
                s["window"].clone(),
                s["anchor"].as_bool().unwrap(),
            )
        })
        .collect()
}

fn window_of(tree: &serde_json::Value, title: &str) -> serde_json::Value {
    sections(tree)
        .into_iter()
        .find(|(t, ..)| t.contains(title))
        .unwrap_or_else(|| panic!("no section {title}"))
        .1
}

fn show_json(test: Test, checklist: &str) -> serde_json::Value {
    let output = test
        .args(&["show", "-c", checklist, "--format", "json"])
        .run();
    serde_json::from_str(&output.stdout).unwrap()
}

#[test]
fn the_mail_score_seed_has_its_two_verification_windows() {
    let tree = show_json(Test::with_seeds(), "mail-score");
    assert_eq!(
        window_of(&tree, "Immediate Verification"),
        serde_json::json!({"from": "0m", "to": "15m"})
    );
    assert_eq!(
        window_of(&tree, "Extended Verification"),
        serde_json::json!({"from": "15m", "to": "60m"})
    );
    let windowed: Vec<String> = sections(&tree)
        .into_iter()
        .filter(|(_, w, _)| !w.is_null())
        .map(|(t, ..)| t)
        .collect();
    assert_eq!(windowed.len(), 2, "{windowed:?}");
}

#[test]
fn the_enterprise_seed_has_first_24_hours_and_first_week() {
    let tree = show_json(Test::with_seeds(), "enterprise");
    assert_eq!(
        window_of(&tree, "First 24 Hours"),
        serde_json::json!({"from": "0h", "to": "24h"})
    );
    assert_eq!(
        window_of(&tree, "First Week"),
        serde_json::json!({"from": "0d", "to": "7d"})
    );
}

#[test]
fn moments_close_when_the_next_window_opens_and_durations_before_the_deploy_are_not_windows() {
    let test = Test::with_seeds().write(
        "checklists/checkpoints.md",
        fixture_bytes("windows/checkpoints.md"),
    );
    let tree = show_json(test, "checkpoints");
    let shown: Vec<(String, String)> = sections(&tree)
        .into_iter()
        .map(|(title, window, _)| {
            let window = match window {
                serde_json::Value::Null => "-".to_string(),
                w => format!(
                    "{}..{}",
                    w["from"].as_str().unwrap(),
                    w["to"].as_str().unwrap()
                ),
            };
            (title, window)
        })
        .collect();
    let expected = [
        ("Database Migration (15-30 minutes)", "-"),
        ("Week 1 planning", "-"),
        ("Cut-over", "-"),
        ("T+15m checks", "15m..1h"),
        ("T+1h checks", "1h..4h"),
        ("T+4h checks", "4h..1d"),
        ("Business review", "1d..3d"),
        ("Day 7", "6d..7d"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(t, w)| (t.to_string(), w.to_string()))
        .collect();
    assert_eq!(shown, expected);
}

#[test]
fn the_outline_shows_windows_the_deployment_moment_and_why() {
    let output = Test::with_seeds()
        .write(
            "checklists/checkpoints.md",
            fixture_bytes("windows/checkpoints.md"),
        )
        .args(&["show", "-c", "checkpoints"])
        .run();
    insta::assert_snapshot!("windows_outline_checkpoints", output.stdout);
}

#[test]
fn validate_warns_on_windows_in_an_odd_order_or_that_cannot_be_read() {
    let output = Test::with_seeds()
        .write("odd.md", fixture_bytes("windows/odd.md"))
        .args(&["validate", "odd.md"])
        .stdout("odd.md: ok, 7 items, 3 warnings\n")
        .run();
    insta::assert_snapshot!("windows_validate_odd", output.stderr);
}

#[test]
fn validate_strict_names_time_phrases_it_did_not_take_as_windows() {
    let output = Test::with_seeds()
        .write("checkpoints.md", fixture_bytes("windows/checkpoints.md"))
        .args(&["validate", "--strict", "checkpoints.md"])
        .run();
    assert!(
        output.stderr.contains("checkpoints.md:5: warning: inferred no window: \"15-30 minutes\" reads like a plan or how long something takes (its heading or phase says it comes before the deployment"),
        "{}",
        output.stderr
    );
    assert!(
        output.stderr.contains("checkpoints.md:19: warning: inferred window: \"T+15m\" is a moment: its window closes when the next window opens, at 1h"),
        "{}",
        output.stderr
    );
}

#[test]
fn yaml_windows_and_anchor_load_and_a_shown_tree_loads_back_unchanged() {
    let yaml = "title: T\nphases:\n  - title: Deploy\n    sections:\n      - title: Cut-over\n        anchor: true\n        items: [{text: Traffic moved}]\n      - title: Smoke\n        items: [{text: Suite green}]\n  - title: Watch\n    sections:\n      - title: Soak\n        window: {from: 15m, to: 2h}\n        items: [{text: Errors flat}]\n      - title: First Week\n        window: null\n        items: [{text: Trends}]\n";
    let test = Test::with_seeds().write("checklists/w.yaml", yaml);
    let tree = show_json(test, "checklists/w.yaml");
    assert_eq!(
        sections(&tree),
        vec![
            ("Cut-over".to_string(), serde_json::Value::Null, true),
            ("Smoke".to_string(), serde_json::Value::Null, false),
            (
                "Soak".to_string(),
                serde_json::json!({"from": "15m", "to": "2h"}),
                false
            ),
            ("First Week".to_string(), serde_json::Value::Null, false),
        ]
    );
    // Markdown to YAML and back: the same windows, anchor and all.
    let first = Test::with_seeds()
        .write(
            "checklists/checkpoints.md",
            fixture_bytes("windows/checkpoints.md"),
        )
        .write("checklists/odd.md", fixture_bytes("windows/odd.md"))
        .args(&["show", "-c", "odd", "--format", "yaml"])
        .run();
    let again = Test::with_seeds()
        .write("checklists/odd.yaml", &first.stdout)
        .args(&["show", "-c", "checklists/odd.yaml", "--format", "yaml"])
        .run();
    assert_eq!(first.stdout, again.stdout);
    assert!(first.stdout.contains("anchor: true"), "{}", first.stdout);
}

#[test]
fn a_window_directive_that_cannot_be_read_is_an_error_with_its_line() {
    Test::with_seeds()
        .write(
            "bad.md",
            "# T\n## P\n<!-- deploycheck: window=soon -->\n### S\n- [ ] x\n",
        )
        .args(&["validate", "bad.md"])
        .status(2)
        .stderr_contains(
            "bad.md:3: error: `soon` is not a window: write FROM..TO after the deployment",
        )
        .run();
    Test::with_seeds()
        .write(
            "bad.md",
            "# T\n## P\n### S\n- [ ] x <!-- deploycheck: window=0..1h -->\n",
        )
        .args(&["validate", "bad.md"])
        .status(2)
        .stderr_contains("bad.md:4: error: `window` and `anchor` apply to a section heading")
        .run();
}

#[test]
fn the_schema_describes_window_and_anchor() {
    let output = Test::new().args(&["schema"]).run();
    let schema: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    let section = &schema["$defs"]["YamlSection"]["properties"];
    assert!(section["window"].is_object(), "{section}");
    assert!(section["anchor"].is_object(), "{section}");
    assert!(schema["$defs"]["Window"].is_object(), "{}", schema["$defs"]);
}
