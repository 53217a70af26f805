//! `deploycheck show`: outline, JSON and YAML; project discovery; environments.

use crate::support::{Test, count_items, fixture_bytes};

#[test]
fn json_has_every_key_of_the_design_even_when_empty() {
    let output = Test::with_seeds().args(&["show", "--format", "json"]).run();
    let tree: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    let keys = |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        keys(&tree),
        [
            "title",
            "description",
            "source",
            "fields",
            "contacts",
            "phases"
        ]
    );
    assert_eq!(keys(&tree["source"]), ["path", "format", "sha256"]);
    assert_eq!(tree["source"]["path"], "checklists/mail-score.md");
    assert_eq!(tree["source"]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(
        keys(&tree["contacts"][0]),
        ["role", "name", "email", "phone"]
    );
    let phase = &tree["phases"][0];
    assert_eq!(keys(phase), ["id", "title", "kind", "sections"]);
    let section = &phase["sections"][0];
    assert_eq!(
        keys(section),
        [
            "id",
            "title",
            "kind",
            "role",
            "environments",
            "optional",
            "window",
            "anchor",
            "items"
        ]
    );
    assert!(section["role"].is_null());
    assert!(section["window"].is_null());
    assert_eq!(section["anchor"], false);
    let item = &section["items"][0];
    assert_eq!(
        keys(item),
        [
            "id",
            "text",
            "optional",
            "condition",
            "line",
            "check",
            "threshold",
            "children",
            "group",
            "choice"
        ]
    );
    assert!(item["condition"].is_null());
    assert_eq!(item["line"], 6);
    assert!(item["threshold"].is_null());
    assert!(item["check"].is_null());
    let threshold = &tree["phases"][6]["sections"][1]["items"][0]["threshold"];
    assert_eq!(
        threshold,
        &serde_json::json!({"metric": "Response time", "op": "<", "value": 200, "unit": "ms", "qualifier": "p95"})
    );
}

#[test]
fn yaml_output_leaves_out_source_and_line() {
    let output = Test::with_seeds().args(&["show", "--format", "yaml"]).run();
    assert!(!output.stdout.contains("sha256"));
    assert!(!output.stdout.contains("line:"));
    assert!(
        output
            .stdout
            .starts_with("title: Deployment Checklist - Mail Score System\n")
    );
}

#[test]
fn yaml_output_loads_back_through_the_binary() {
    let shown = Test::with_seeds().args(&["show", "--format", "yaml"]).run();
    let json_from_md = Test::with_seeds().args(&["show", "--format", "json"]).run();
    let json_from_yaml = Test::new()
        .write("copy.yaml", &shown.stdout)
        .args(&["show", "-c", "copy.yaml", "--format", "json"])
        .run();
    let strip = |text: &str| {
        let mut v: serde_json::Value = serde_json::from_str(text).unwrap();
        v["source"] = serde_json::Value::Null;
        let mut stack = vec![&mut v];
        while let Some(node) = stack.pop() {
            match node {
                serde_json::Value::Object(map) => {
                    map.shift_remove("line");
                    stack.extend(map.values_mut());
                }
                serde_json::Value::Array(items) => stack.extend(items.iter_mut()),
                _ => {}
            }
        }
        v
    };
    assert_eq!(strip(&json_from_yaml.stdout), strip(&json_from_md.stdout));
}

/// `show --format json` streams through a buffer; its bytes are pinned against what the
/// unbuffered writer printed before, for checklists with every kind of node.
#[test]
fn json_output_is_byte_for_byte_what_it_was_before_streaming() {
    for (fixture, name) in [
        ("seeds/mail-score.md", "mail-score"),
        ("seeds/enterprise-mis-encoded.md", "enterprise-mis-encoded"),
        ("messy/choices-and-options.md", "choices-and-options"),
        ("messy/sre-launch-roles.md", "sre-launch-roles"),
        ("messy/directives.md", "directives"),
    ] {
        let file = format!("{name}.md");
        let expected = String::from_utf8(fixture_bytes(&format!("show-json/{name}.json"))).unwrap();
        let output = Test::new()
            .fixture(fixture, &file)
            .args(&["show", "-c", &file, "--format", "json"])
            .run();
        assert!(
            output.stdout == expected,
            "{name}: show --format json changed"
        );
    }
}

#[test]
fn tree_outline_shows_counts_kinds_and_thresholds() {
    let output = Test::with_seeds().args(&["show", "production"]).run();
    let out = &output.stdout;
    assert!(out.starts_with("Deployment Checklist - Mail Score System\n"));
    assert!(out.contains("environment production: 172 of 182 items"));
    assert!(out.contains("run fields: Deployment Date, Deployed By, Version, Git Commit"));
    assert!(out.contains(
        "Rollback Checklist (if needed)  [rollback: walked only once a rollback starts]  (14 items)"
    ));
    assert!(out.contains("  Decision Criteria  [triggers: answer whether each holds]  (6)"));
    assert!(out.contains("    [ ] Response time < 200ms (p95)  <measure: < 200 ms (p95)>"));
    assert!(out.contains("  Security Team  [signed by Security Team]  (4)"));
    assert!(out.contains("  Production Deployment  [only production]  (7)"));
    assert!(!out.contains("Staging Deployment"));
    assert!(
        !out.contains('\x1b'),
        "no colour when stdout is not a terminal"
    );
}

#[test]
fn ids_flag_prints_item_ids() {
    Test::with_seeds()
        .args(&["show", "--ids"])
        .stdout_contains("[ ] All unit tests passing  pre-deployment/development-environment/all-unit-tests-passing")
        .run();
}

#[test]
fn checklists_folder_is_found_from_a_subdirectory() {
    Test::with_seeds()
        .current_dir("deep/er/down")
        .args(&["show", "staging", "--format", "json"])
        .stdout_contains("\"path\": \"")
        .run();
}

#[test]
fn unknown_environment_suggests_the_nearest_name() {
    Test::with_seeds()
        .args(&["show", "prodution"])
        .status(2)
        .stderr("error: unknown environment `prodution` (did you mean `production`?); known: development, production, staging\n")
        .run();
}

#[test]
fn environment_names_cannot_be_paths() {
    Test::with_seeds()
        .args(&["show", "../../etc"])
        .status(2)
        .stderr("error: environment name `../../etc` is not valid: use lowercase letters, digits and `-` (like `production`)\n")
        .run();
}

#[test]
fn checklist_by_name_and_by_path() {
    let by_name = Test::with_seeds()
        .args(&["show", "-c", "enterprise", "--format", "json"])
        .run();
    let tree: serde_json::Value = serde_json::from_str(&by_name.stdout).unwrap();
    assert_eq!(count_items(&tree), 200);
    assert!(by_name.stderr.contains("warning: checklists/enterprise.md: 35 warnings; run `deploycheck validate checklists/enterprise.md` to see them"));
    Test::new()
        .fixture("messy/two-levels.md", "elsewhere/release.md")
        .args(&["show", "-c", "elsewhere/release.md"])
        .stdout_contains("Mobile app store release")
        .run();
}

#[test]
fn unknown_checklist_name_lists_what_there_is() {
    Test::with_seeds()
        .args(&["show", "-c", "mail"])
        .status(2)
        .stderr_contains("no checklist named `mail` in")
        .stderr_contains("(available: enterprise, mail-score)")
        .run();
}

#[test]
fn several_checklists_without_a_default_is_an_error_naming_them() {
    Test::new()
        .fixture("seeds/mail-score.md", "checklists/a.md")
        .fixture("messy/two-levels.md", "checklists/b.md")
        .args(&["show"])
        .status(2)
        .stderr_contains("holds several checklists (a, b); pick one with -c NAME")
        .run();
}

#[test]
fn a_single_checklist_is_the_default() {
    Test::new()
        .fixture("messy/two-levels.md", "checklists/app.md")
        .args(&["show"])
        .stdout_contains("Mobile app store release")
        .run();
}

#[test]
fn no_checklists_folder_says_where_it_looked() {
    Test::new()
        .args(&["show"])
        .status(2)
        .stderr_contains("no checklists/ folder in")
        .stderr_contains("or name a file with -c PATH")
        .run();
}

#[test]
fn unknown_format_is_a_usage_error() {
    Test::with_seeds()
        .args(&["show", "--format", "xml"])
        .status(2)
        .stderr_contains("invalid value 'xml' for '--format <FORMAT>'")
        .run();
}

#[test]
fn bad_project_settings_name_the_file_and_line() {
    Test::with_seeds()
        .write(
            "checklists/deploycheck.yaml",
            "default: mail-score\nenviroments: {}\n",
        )
        .args(&["show"])
        .status(2)
        .stderr_contains("checklists/deploycheck.yaml:2:1: error: unknown field `enviroments`")
        .run();
}

#[test]
fn schema_describes_the_yaml_format() {
    let output = Test::new().args(&["schema"]).run();
    let schema: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(schema["title"], "deploycheck checklist");
    assert_eq!(schema["additionalProperties"], false);
    assert!(
        schema["required"]
            .as_array()
            .unwrap()
            .contains(&"phases".into())
    );
}

#[test]
fn completions_are_generated() {
    Test::new()
        .args(&["completions", "bash"])
        .stdout_contains("_deploycheck()")
        .run();
}

#[test]
fn a_name_two_checklists_share_is_refused_with_both_paths() {
    Test::new()
        .write("checklists/web.md", "# Web\n\n## P\n\n### S\n\n- [ ] a\n")
        .write(
            "checklists/web.yaml",
            "title: Web\nphases:\n- title: P\n  sections:\n  - title: S\n    items: [{text: a}]\n",
        )
        .args(&["show", "-c", "web"])
        .status(2)
        .stderr_contains("`web` names more than one checklist (checklists/web.md and checklists/web.yaml); name one by its path, like `-c checklists/web.yaml`")
        .run();
}

#[test]
fn one_item_is_one_item() {
    Test::new()
        .write("checklists/one.md", "# One\n\n## P\n\n### S\n\n- [ ] a\n")
        .args(&["show", "-c", "one"])
        .stdout_contains("\n1 item\n")
        .run();
}
