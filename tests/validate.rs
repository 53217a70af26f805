//! `deploycheck validate`: compiler-style diagnostics, warnings exit 0, errors exit 2.

use crate::support::Test;

#[test]
fn clean_project_validates() {
    Test::with_seeds()
        .write("checklists/enterprise.md", std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/checklists/enterprise.md")).unwrap())
        .args(&["validate"])
        .stdout("checklists/enterprise.md: ok, 200 items, 0 warnings\nchecklists/mail-score.md: ok, 182 items, 0 warnings\n")
        .stderr("")
        .run();
}

#[test]
fn warnings_name_file_and_line_and_exit_zero() {
    let output = Test::with_seeds()
        .args(&["validate", "checklists/enterprise.md"])
        .run();
    let first = output.stderr.lines().next().unwrap();
    assert_eq!(
        first,
        "checklists/enterprise.md:1: warning: text looks mis-encoded (UTF-8 once decoded as a Windows code page): \"ğŸ¢\" dropped; re-save the file as UTF-8"
    );
    assert!(output.stderr.contains("checklists/enterprise.md:3: warning: text looks mis-encoded (UTF-8 once decoded as a Windows code page): \"ğŸ“‹\" read as \"📋\""));
    assert_eq!(
        output.stdout,
        "checklists/enterprise.md: ok, 200 items, 35 warnings\n"
    );
}

#[test]
fn errors_exit_two_and_other_files_are_still_checked() {
    Test::with_seeds()
        .write("bad.md", "# T\n\n<!-- deploycheck: optinal -->\n- [ ] x\n")
        .args(&["validate", "bad.md", "checklists/mail-score.md"])
        .status(2)
        .stderr_contains("bad.md:3: error: unknown key `optinal` in deploycheck comment (known keys: id, optional, required, env, kind, role, ignore, threshold=none, window, anchor)")
        .stdout("bad.md: FAILED, 1 error, 0 warnings\nchecklists/mail-score.md: ok, 182 items, 0 warnings\n")
        .run();
}

#[test]
fn json_report_carries_every_diagnostic() {
    let output = Test::with_seeds()
        .write(
            "dup.md",
            "# T\n## P\n- [ ] a <!-- deploycheck: id=x -->\n- [ ] b <!-- deploycheck: id=x -->\n",
        )
        .args(&["validate", "--format", "json", "dup.md"])
        .status(2)
        .run();
    let reports: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(reports[0]["ok"], false);
    assert_eq!(reports[0]["diagnostics"][0]["line"], 4);
    assert_eq!(reports[0]["diagnostics"][0]["severity"], "error");
    assert_eq!(
        reports[0]["diagnostics"][0]["message"],
        "duplicate item id `x`: already used on line 3; IDs must be unique within their parent"
    );
}

#[test]
fn project_settings_are_validated_too() {
    Test::with_seeds()
        .args(&["validate", "checklists/deploycheck.yaml"])
        .stdout("checklists/deploycheck.yaml: ok (project settings)\n")
        .run();
    Test::with_seeds()
        .write(
            "checklists/deploycheck.yaml",
            "environments:\n  production: [prod]\n  preprod: [prod]\n",
        )
        .args(&["validate"])
        .status(2)
        .stderr_contains(
            "checklists/deploycheck.yaml: error: `prod` names both `preprod` and `production`",
        )
        .run();
}

#[test]
fn strict_doubts_in_a_yaml_checklist_name_the_key_that_settles_them() {
    Test::new()
        .write(
            "checklists/c.yaml",
            "title: T\nphases:\n- title: P\n  sections:\n  - title: S\n    items:\n    - text: Latency p95 under 300\n",
        )
        .args(&["validate", "--strict"])
        .stderr_contains(
            "checklists/c.yaml:7: warning: inferred threshold: a number without a unit read from the item's text; if that is wrong, say what it is with its `threshold:` key (`threshold: null` for none)",
        )
        .run();
}

#[test]
fn repeats_name_the_first_and_last_ids_they_get() {
    Test::new()
        .write(
            "checklists/c.md",
            "# T\n\n## P\n\n### S\n\n- [ ] Check logs\n- [ ] Check logs\n- [ ] Check logs\n- [ ] Check logs\n",
        )
        .args(&["validate"])
        .stderr_contains("they get `check-logs-2` to `check-logs-4`, which shift")
        .run();
}

#[test]
fn a_yaml_part_of_the_wrong_shape_says_what_to_write() {
    Test::new()
        .write(
            "checklists/c.yaml",
            "title: T\nfields: [Version]\nphases:\n- title: P\n  sections:\n  - title: S\n    items: [{text: a}]\n",
        )
        .args(&["validate"])
        .status(2)
        .stderr_contains(
            "checklists/c.yaml:2:10: error: fields[0]: invalid type: string \"Version\", expected a run field, like `{name: Version}`",
        )
        .run();
}

#[test]
fn a_yaml_window_that_closes_before_it_opens_is_an_error_at_its_section() {
    Test::new()
        .write(
            "checklists/c.yaml",
            "title: T\nphases:\n- title: P\n  sections:\n  - title: S\n    window: {from: 1h, to: 15m}\n    items:\n    - text: a\n",
        )
        .args(&["validate"])
        .status(2)
        .stderr_contains(
            "checklists/c.yaml:5: error: section `S`: the window 1h..15m closes before it opens",
        )
        .run();
}

#[test]
fn a_yaml_checks_bad_time_out_names_its_key_once() {
    Test::new()
        .write(
            "checklists/c.yaml",
            "title: T\nphases:\n- title: P\n  sections:\n  - title: S\n    items:\n    - text: a\n      check: {run: \"true\", timeout_s: 0}\n",
        )
        .args(&["validate"])
        .status(2)
        .stderr_contains(
            "items[0].check: `timeout_s`: a time-out of 0 would stop the check before it starts",
        )
        .run();
}

#[test]
fn a_choice_of_one_and_an_empty_group_are_warned_about() {
    Test::new()
        .write(
            "checklists/c.yaml",
            "title: T\nphases:\n- title: D\n  sections:\n  - title: S\n    items:\n    - text: Pick\n      choice: true\n      children: [{text: only}]\n    - {text: G, group: true}\n    - text: ok\n",
        )
        .args(&["validate"])
        .stderr_contains("checklists/c.yaml:7: warning: item `Pick` is a choice with only one alternative under it")
        .stderr_contains("checklists/c.yaml:10: warning: item `G` is a group with no items under it")
        .run();
}

#[test]
fn a_yaml_null_text_is_no_text_not_the_word() {
    let output = Test::new()
        .write(
            "checklists/c.yaml",
            "title: ~\nphases:\n- title: null\n  sections:\n  - title: ''\n    items:\n    - text: ~\n    - text: '~'\n    - text: a\n",
        )
        .args(&["validate"])
        .stderr_contains("checklists/c.yaml:1: warning: the checklist has no title, so it is called `c` after its file; give it one")
        .stderr_contains("checklists/c.yaml:3: warning: phase has no title, so it is called `Phase 1`; give it one")
        .stderr_contains("checklists/c.yaml:5: warning: section has no title, so it is called `Section 1`; give it one")
        .stderr_contains("checklists/c.yaml:7: warning: task item has no text; it and any items under it are left out")
        .stdout_contains("ok, 2 items, 4 warnings")
        .run();
    // A quoted `'~'` is the character, as an author who quotes it means.
    assert!(!output.stderr.contains(":8:"), "{}", output.stderr);
}

#[test]
fn an_untitled_phase_or_section_is_named_for_its_place_and_warned_about() {
    const UNTITLED: &str = "# C\n\n## Prepare\n\n### Build\n\n- [ ] a\n\n## \n\n### Check\n\n- [ ] b\n\n### \n\n- [ ] c\n";
    Test::new()
        .write("checklists/c.md", UNTITLED)
        .args(&["validate"])
        .stderr_contains("checklists/c.md:9: warning: phase has no title, so it is called `Phase 2`; give it one")
        .stderr_contains("checklists/c.md:15: warning: section has no title, so it is called `Section 2`; give it one")
        .run();
    let output = Test::new()
        .write("checklists/c.md", UNTITLED)
        .args(&["show", "--format", "json"])
        .run();
    let tree: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(tree["phases"][1]["title"], "Phase 2");
    assert_eq!(tree["phases"][1]["id"], "phase-2");
    assert_eq!(tree["phases"][1]["sections"][1]["id"], "phase-2/section-2");
}

#[test]
fn strict_doubts_a_yaml_sign_off_role_taken_from_a_title_that_names_none() {
    let output = Test::new()
        .write(
            "checklists/c.yaml",
            "title: T\nphases:\n- title: Sign-off\n  sections:\n  - title: Final checks\n    kind: signoff\n    items: [{text: ok}]\n  - title: QA sign-off\n    items: [{text: ok}]\n",
        )
        .args(&["validate", "--strict"])
        .stderr_contains("checklists/c.yaml:5: warning: inferred role: the title \"Final checks\", which does not read like a role; if that is wrong, say what it is with its `role:` key")
        .run();
    // `QA sign-off` names its role.
    assert!(!output.stderr.contains(":8:"), "{}", output.stderr);
}

#[test]
fn items_under_an_untitled_phase_are_warned_about_once_and_an_untitled_sub_section_is_named() {
    let output = Test::new()
        .write(
            "checklists/c.md",
            "# C\n\n## \n\n- [ ] direct\n\n### Cut\n\n#### \n\n- [ ] deep\n",
        )
        .args(&["validate"])
        .stderr_contains("checklists/c.md:3: warning: phase has no title, so it is called `Phase 1`; give it one")
        .stderr_contains("checklists/c.md:9: warning: section has no title, so it is called `Section 2`; give it one")
        .stdout_contains("ok, 2 items, 2 warnings")
        .run();
    assert!(!output.stderr.contains(":5:"), "{}", output.stderr);
}

#[test]
fn strict_doubts_a_markdown_sign_off_role_taken_from_its_heading_and_names_the_role() {
    Test::new()
        .write(
            "checklists/c.md",
            "# C\n\n## Deploy\n\n### S\n\n- [ ] a\n\n## Sign-off\n\n<!-- deploycheck: kind=signoff -->\n### Final checks\n\n- [ ] ok\n\n### Payments sign-off\n\n- [ ] ok\n\n**Signed:** ___\n\n### Release Manager\n\n- [ ] ok\n\n**Signed:** ___\n",
        )
        .args(&["validate", "--strict"])
        .stderr_contains("checklists/c.md:12: warning: inferred role: the title \"Final checks\", which does not read like a role; if that is wrong, say what it is with a <!-- deploycheck: role=\"...\" --> comment")
        .stderr_contains("checklists/c.md:16: warning: inferred role: \"Payments\", from the title \"Payments sign-off\", which does not read like a role")
        .stdout_contains("ok, 4 items, 2 warnings")
        .run();
}

#[test]
fn a_contact_without_a_role_is_warned_about() {
    Test::new()
        .write(
            "checklists/c.yaml",
            "title: T\ncontacts:\n- {role: SRE, name: Lee}\n- {role: ~, name: Dana}\nphases:\n- title: P\n  sections:\n  - title: S\n    items: [{text: a}]\n",
        )
        .args(&["validate"])
        .stderr_contains("checklists/c.yaml:4: warning: contact `Dana` has no role, so a walk cannot say whom to call for what; give it one")
        .stdout_contains("ok, 1 item, 1 warning")
        .run();
}

#[test]
fn an_item_naming_two_limits_says_only_the_first_is_measured() {
    let output = Test::new()
        .write(
            "checklists/c.md",
            "# C\n\n## P\n\n### S\n\n- [ ] Board p95 < 800ms, Drawer avg < 200ms\n- [ ] Error rate < 1% over 5 min\n",
        )
        .args(&["validate"])
        .stderr_contains("checklists/c.md:7: warning: item `Board p95 < 800ms, Drawer avg < 200ms` names two limits, `< 800 ms` and `< 200 ms`, and only the first is measured; split it into one item per limit")
        .stdout_contains("ok, 2 items, 1 warning")
        .run();
    assert!(!output.stderr.contains(":8:"), "{}", output.stderr);
}
