//! Markdown inference, one behaviour per test: the cases real checklists hit that the
//! seeds do not.

use deploycheck::model::{PhaseKind, SectionKind};

use crate::trees::{all_ids, load_markdown};

#[test]
fn signed_line_straight_under_the_last_item_is_a_signoff_not_item_text() {
    let checklist = load_markdown("# T\n## Sign-off\n### Security Team\n- [ ] Pen test closed\n**Signed:** ____ **Date:** ____\n")
        .unwrap()
        .checklist;
    let section = &checklist.phases[0].sections[0];
    assert_eq!(section.kind, SectionKind::Signoff);
    assert_eq!(section.role.as_deref(), Some("Security Team"));
    assert_eq!(section.items[0].text, "Pen test closed");
}

#[test]
fn run_fields_straight_under_the_last_item_are_fields() {
    let checklist =
        load_markdown("# T\n## P\n- [ ] last item\n*Version:* ____\n*Git Commit:* ____\n")
            .unwrap()
            .checklist;
    let fields: Vec<_> = checklist.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(fields, ["Version", "Git Commit"]);
    assert_eq!(checklist.phases[0].sections[0].items[0].text, "last item");
}

#[test]
fn a_wrapped_item_keeps_its_second_line() {
    let checklist = load_markdown("# T\n## P\n- [ ] Drain the nodes\n  one at a time\n")
        .unwrap()
        .checklist;
    assert_eq!(
        checklist.phases[0].sections[0].items[0].text,
        "Drain the nodes one at a time"
    );
}

#[test]
fn fields_inside_a_signoff_section_belong_to_the_signoff() {
    let checklist = load_markdown("# T\n## Approvals\n### QA Lead\n- [ ] Suite green\n\n**Name:** ____\n\n**Signed:** ____ **Date:** ____\n\n*Version:* ____\n")
        .unwrap()
        .checklist;
    let fields: Vec<_> = checklist.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(fields, ["Version"]);
    assert_eq!(checklist.phases[0].kind, PhaseKind::Signoff);
}

#[test]
fn an_empty_item_is_left_out_with_its_children() {
    let loaded =
        load_markdown("# T\n## P\n- [ ] kept\n- [ ] \n  - [ ] orphan\n- [ ] also kept\n").unwrap();
    assert_eq!(all_ids(&loaded.checklist), ["p/p/kept", "p/p/also-kept"]);
    assert!(
        loaded
            .warnings
            .iter()
            .any(|w| w.line == Some(4) && w.message.contains("no text"))
    );
}

#[test]
fn a_directive_indented_before_a_child_applies_to_the_child() {
    let checklist =
        load_markdown("# T\n## P\n- [ ] parent\n  <!-- deploycheck: id=kid -->\n  - [ ] child\n")
            .unwrap()
            .checklist;
    assert_eq!(all_ids(&checklist), ["p/p/parent", "p/p/parent/kid"]);
}

#[test]
fn a_directive_followed_by_prose_applies_to_nothing_and_says_so() {
    let loaded =
        load_markdown("# T\n## P\n<!-- deploycheck: optional -->\nSome prose.\n\n- [ ] item\n")
            .unwrap();
    assert!(!loaded.checklist.phases[0].sections[0].items[0].optional);
    assert!(
        loaded
            .warnings
            .iter()
            .any(|w| w.line == Some(3) && w.message.contains("applies to nothing"))
    );
}

#[test]
fn bold_pseudo_headings_are_sibling_sections() {
    let checklist = load_markdown("# T\n## Release\n**Before:**\n- [ ] a\n\n**After:**\n- [ ] b\n")
        .unwrap()
        .checklist;
    let titles: Vec<_> = checklist.phases[0]
        .sections
        .iter()
        .map(|s| s.title.as_str())
        .collect();
    assert_eq!(titles, ["Before", "After"]);
}

#[test]
fn task_lines_in_code_blocks_and_html_are_not_items() {
    let text = "# T\n## P\n```\n- [ ] fenced\n```\n\n    - [ ] indented\n\n<div>\n- [ ] html\n</div>\n\n- [ ] real\n";
    assert_eq!(
        all_ids(&load_markdown(text).unwrap().checklist),
        ["p/p/real"]
    );
}

#[test]
fn rollback_section_in_a_steps_phase_is_warned() {
    let loaded = load_markdown("# T\n## Deploy\n### Rollback procedure\n- [ ] revert\n").unwrap();
    assert!(
        loaded
            .warnings
            .iter()
            .any(|w| w.message.contains("reads like a rollback procedure"))
    );
}

#[test]
fn sections_named_only_for_an_environment_are_scoped_anywhere() {
    let checklist = load_markdown(
        "# T\n## Verify\n### Smoke tests (production only)\n- [ ] a\n### General\n- [ ] b\n",
    )
    .unwrap()
    .checklist;
    assert_eq!(checklist.phases[0].sections[0].environments, ["production"]);
    assert!(checklist.phases[0].sections[1].environments.is_empty());
}

/// Every checklist in `tests/fixtures/messy/`: its warnings, the outline `show` prints with
/// what was inferred and why, and the tree as data, pinned. Each must also load back
/// unchanged from its YAML form, so Markdown and YAML stay one tree.
#[test]
fn messy_corpus_trees_are_pinned_and_round_trip_through_yaml() {
    let dir = crate::support::fixture_path("messy");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .collect();
    names.sort();
    assert!(names.len() >= 25, "the corpus has {} files", names.len());
    for name in names {
        let loaded = crate::trees::load_fixture(&format!("messy/{name}"));
        crate::trees::assert_yaml_round_trip(&loaded.checklist);
        let mut text = String::new();
        for warning in &loaded.warnings {
            text.push_str(&format!("# {warning}\n"));
        }
        // The outline exactly as `show` prints it.
        let relative = format!("messy/{name}");
        let shown = crate::support::Test::new()
            .fixture(&relative, &relative)
            .args(&["show", "-c", &relative])
            .run();
        text.push_str(&shown.stdout);
        text.push_str("\n---\n");
        text.push_str(&deploycheck::source::to_yaml_checklist(&loaded.checklist).unwrap());
        let snapshot = format!("corpus__{}", name.trim_end_matches(".md"));
        insta::with_settings!({snapshot_path => "snapshots", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(snapshot, text);
        });
    }
}

fn items_of(text: &str) -> Vec<deploycheck::model::Item> {
    load_markdown(text)
        .unwrap()
        .checklist
        .items()
        .cloned()
        .collect()
}

fn item<'a>(items: &'a [deploycheck::model::Item], text: &str) -> &'a deploycheck::model::Item {
    items
        .iter()
        .find(|i| i.text.starts_with(text))
        .unwrap_or_else(|| panic!("no item {text:?}"))
}

#[test]
fn conditions_in_prose_make_items_optional_and_keep_their_words() {
    let items = items_of(
        "# T\n## P\n- [ ] Pin the release if needed\n- [ ] Page the IC (if SEV1/SEV2)\n- [ ] Skip if no schema change: dry run\n- [ ] Only for v2.16: rebuild the index\n- [ ] Rollback plan documented: clear path to revert changes if needed\n",
    );
    let pin = item(&items, "Pin the release");
    assert!(pin.optional);
    assert_eq!(pin.condition.as_deref(), Some("if needed"));
    assert_eq!(
        item(&items, "Page the IC").condition.as_deref(),
        Some("if SEV1/SEV2")
    );
    assert_eq!(
        item(&items, "Skip if").condition.as_deref(),
        Some("Skip if no schema change")
    );
    assert_eq!(
        item(&items, "Only for").condition.as_deref(),
        Some("Only for v2.16")
    );
    let rollback = item(&items, "Rollback plan documented");
    assert!(
        !rollback.optional,
        "a hedge on the description, not the task"
    );
    assert_eq!(rollback.condition, None);
}

#[test]
fn a_plain_bullet_condition_becomes_the_group_parent_of_its_tasks() {
    let loaded = load_markdown(
        "# T\n## P\n- [ ] Always\n- If this is a major release:\n  - [ ] Create branch\n  - [ ] Announce freeze\n",
    )
    .unwrap();
    assert_eq!(loaded.checklist.item_count(), 3, "a group is not an item");
    let section = &loaded.checklist.phases[0].sections[0];
    let group = &section.items[1];
    assert!(group.group && group.optional);
    assert_eq!(group.text, "If this is a major release");
    assert_eq!(group.children.len(), 2);
    assert_eq!(
        group.children[0].condition.as_deref(),
        Some("If this is a major release")
    );
    assert_eq!(
        group.children[0].id,
        "p/p/if-this-is-a-major-release/create-branch"
    );
}

#[test]
fn a_test_matrix_keeps_the_test_name_and_reads_its_boxes_as_outcomes() {
    let loaded =
        load_markdown("# T\n## Recon\n- Dirb test\n  - [ ] Test - [ ] Pass - [ ] Fail\n").unwrap();
    let group = &loaded.checklist.phases[0].sections[0].items[0];
    assert_eq!(group.text, "Dirb test");
    assert_eq!(group.children[0].text, "Test / Pass / Fail");
    assert_eq!(loaded.checklist.item_count(), 1);
}

#[test]
fn a_section_for_patch_releases_only_is_optional() {
    let checklist = load_markdown(
        "# T\n## Release\n### For patch releases only\n- [ ] Backport\n### Always\n- [ ] Tag\n",
    )
    .unwrap()
    .checklist;
    assert!(checklist.phases[0].sections[0].optional);
    assert!(!checklist.phases[0].sections[1].optional);
}

#[test]
fn select_one_alternatives_are_a_choice() {
    let items = items_of(
        "# T\n## P\n- [ ] Select one:\n  - [ ] (Option A) Blue/green\n  - [ ] (Option B) Canary\n",
    );
    let parent = item(&items, "Select one");
    assert!(parent.choice && !parent.optional);
    assert!(parent.children.iter().all(|c| c.optional));
    assert_eq!(parent.children[1].condition.as_deref(), Some("Option B"));
}

#[test]
fn thresholds_only_on_measurements_and_negations_read_right() {
    let items = items_of(
        "# T\n## P\n- [ ] Code reviewed by at least 1 team member\n- [ ] Schedule post-mortem (within 48 hours)\n- [ ] Node >= 18 installed\n- [ ] Fix findings with CVSS v2 score > 4.0\n- [ ] Description doesn't have more than 150 characters\n- [ ] Throughput > 1000 RPS\n- [ ] Error budget at least 99.9%\n- [ ] Alert thresholds set:\n  - [ ] CPU > 80%\n",
    );
    for text in [
        "Code reviewed",
        "Schedule post-mortem",
        "Node >= 18",
        "Fix findings",
        "CPU > 80%",
    ] {
        assert_eq!(item(&items, text).threshold, None, "{text}");
    }
    let shown = |text: &str| item(&items, text).threshold.as_ref().unwrap().to_string();
    assert_eq!(shown("Description"), "<= 150 characters");
    assert_eq!(shown("Throughput"), "> 1000 RPS");
    assert_eq!(shown("Error budget"), ">= 99.9%");
}

#[test]
fn toc_details_and_wrapper_headings_are_never_phases() {
    let checklist = load_markdown(
        "# Runbook\n## Table of Contents\n- [Phase 1](#phase-1)\n\n<details>\n<summary>Help</summary>\n\n## How to use\n\nRead it.\n\n</details>\n\n## Response Phases\n### Phase 1: Detect\n- [ ] Ack\n### Phase 2: Fix\n- [ ] Fix\n",
    )
    .unwrap()
    .checklist;
    assert_eq!(checklist.title, "Runbook");
    let phases: Vec<_> = checklist.phases.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(phases, ["Phase 1: Detect", "Phase 2: Fix"]);
}

#[test]
fn titles_from_html_h1_not_from_an_overview_heading_and_not_lost_to_an_appendix() {
    let html = load_markdown("<h1 align=\"center\">My :rocket: Launch</h1>\n\n## Go\n- [ ] a\n")
        .unwrap()
        .checklist;
    assert_eq!(html.title, "My 🚀 Launch");
    let overview = load_markdown("## Overview\nText.\n## Build\n- [ ] a\n## Ship\n- [ ] b\n")
        .unwrap()
        .checklist;
    assert_eq!(overview.title, "test");
    let appendix =
        load_markdown("# Release\n## Build\n- [ ] a\n## Ship\n- [ ] b\n# Appendix\nNotes.\n")
            .unwrap()
            .checklist;
    assert_eq!(appendix.title, "Release");
    assert_eq!(appendix.phases.len(), 2);
}

#[test]
fn signoffs_need_a_signature_or_a_role_not_a_keyword() {
    let checklist = load_markdown(
        "# T\n## Release Signoff Checklist\n- [ ] Runbook linked\n## Deployment Sign-off\n### Documentation\n- [ ] Notes written\n### QA Lead\n- [ ] Suite green\n\n**Signed:** ____ **Date:** ____\n## Approvals\n**Approved By**:\n\n- [ ] Technical Lead: [Name] - [Date]\n- [ ] Product Manager: [Name] - [Date]\n",
    )
    .unwrap()
    .checklist;
    assert_eq!(checklist.phases[0].kind, PhaseKind::Steps);
    let signoff = &checklist.phases[1];
    assert_eq!(signoff.kind, PhaseKind::Signoff);
    assert_eq!(signoff.sections[0].kind, SectionKind::Steps);
    assert_eq!(signoff.sections[1].role.as_deref(), Some("QA Lead"));
    let roles: Vec<_> = checklist.phases[2]
        .sections
        .iter()
        .map(|s| s.role.as_deref().unwrap_or("-"))
        .collect();
    assert_eq!(roles, ["Technical Lead", "Product Manager"]);
    assert_eq!(checklist.item_count(), 5);
}

#[test]
fn a_heading_that_holds_sign_in_a_longer_word_is_not_a_signoff_heading() {
    let checklist = load_markdown(
        "# T\n## Build\n### Assignments\n- [ ] Backend: @bob\n- [ ] Owner lead: ____\n### Design\n\nOwner lead: ____\n\n- [ ] Do it\n## Approvals\n- [ ] QA: @alice\n",
    )
    .unwrap()
    .checklist;
    assert_eq!(checklist.phases[0].kind, PhaseKind::Steps);
    let titles: Vec<_> = checklist.phases[0]
        .sections
        .iter()
        .map(|s| (s.title.as_str(), s.role.as_deref()))
        .collect();
    assert_eq!(titles, [("Assignments", None), ("Design", None)]);
    assert_eq!(checklist.phases[1].sections[0].role.as_deref(), Some("QA"));
}

#[test]
fn fill_ins_are_run_fields_and_prose_labels_are_not() {
    let checklist = load_markdown("# T\n- **Version number:** _\n\n**Date**: [YYYY-MM-DD] | **Version**: [X.Y]\n\nNext Review Date: ____\n\n**DOI**:\n\n**Note:**\n\nSome text.\n\n## P\n- [ ] a\n")
        .unwrap()
        .checklist;
    let fields: Vec<_> = checklist.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        fields,
        [
            "Version number",
            "Date",
            "Version",
            "Next Review Date",
            "DOI"
        ]
    );
}

#[test]
fn contacts_keep_phone_numbers_out_of_names_and_commands_out_of_contacts() {
    let checklist = load_markdown("# T\n## P\n- [ ] a\n## Emergency Contacts\n- **On-Call Engineer**: +1-555-0123 (primary)\n- **PM2 Emergency**: `pm2 restart all`\n")
        .unwrap()
        .checklist;
    assert_eq!(checklist.contacts.len(), 1);
    let contact = &checklist.contacts[0];
    assert_eq!(contact.name, None);
    assert_eq!(contact.phone.as_deref(), Some("+1-555-0123"));
}

#[test]
fn a_file_of_table_check_boxes_says_what_it_saw() {
    let error =
        load_markdown("# T\n| Check | Done |\n|---|---|\n| Backup | ☐ |\n| Restore | [ ] |\n")
            .unwrap_err();
    let message = &error.diagnostics[0].message;
    assert!(message.contains("no checklist items found"), "{message}");
    assert!(
        message.contains("2 check boxes in table cells"),
        "{message}"
    );
}

#[test]
fn one_duplicate_id_warning_per_group_of_repeats() {
    let loaded = load_markdown(
        "# T\n## P\n- [ ] Notify\n- [ ] Notify\n- [ ] Notify\n- [ ] Other\n- [ ] Other\n",
    )
    .unwrap();
    assert_eq!(loaded.warnings.len(), 2, "{:#?}", loaded.warnings);
    assert!(loaded.warnings[0].message.contains("repeated 2 more times"));
    assert_eq!(
        all_ids(&loaded.checklist),
        [
            "p/p/notify",
            "p/p/notify-2",
            "p/p/notify-3",
            "p/p/other",
            "p/p/other-2"
        ]
    );
}

/// Counting up from 2 for every repeat was quadratic: 100k repeats never finished.
#[test]
fn a_hundred_thousand_identical_items_get_unique_ids_in_linear_time() {
    let mut text = String::from("# T\n## P\n");
    for _ in 0..100_000 {
        text.push_str("- [ ] Same item\n");
    }
    let loaded = load_markdown(&text).unwrap();
    assert_eq!(loaded.checklist.item_count(), 100_000);
    assert_eq!(loaded.warnings.len(), 1);
    let section = &loaded.checklist.phases[0].sections[0];
    assert_eq!(section.items[99_999].id, "p/p/same-item-100000");
}

/// Each marker once re-read the rest of its line: 160k markers took half a minute.
#[test]
fn a_line_of_160k_nested_list_markers_parses_in_linear_time() {
    let text = format!("# T\n## P\n{}[ ] x\n- [ ] after\n", "- ".repeat(160_000));
    let loaded = load_markdown(&text).unwrap();
    assert!(loaded.checklist.item_count() >= 1);
}

#[test]
fn a_stop_condition_passes_as_a_step_when_it_does_not_hold_and_holds_as_a_trigger_when_it_does() {
    let checklist = load_markdown(
        "# Release\n## Rollout\n- [ ] Pause rollout if error rate > 5%\n## Rollback\n### Rollback Triggers\n- [ ] Pause rollout if error rate > 5%\n- [ ] Error rate > 5%\n### Revert\n- [ ] Redeploy the previous build\n",
    )
    .unwrap()
    .checklist;
    let threshold = |phase: usize, section: usize, item: usize| {
        let section = &checklist.phases[phase].sections[section];
        let item = &section.items[item];
        (section.kind, item.threshold.as_ref().unwrap().to_string())
    };
    assert_eq!(threshold(0, 0, 0), (SectionKind::Steps, "<= 5%".into()));
    assert_eq!(threshold(1, 0, 0), (SectionKind::Triggers, "> 5%".into()));
    // A trigger without an action reads the same either way.
    assert_eq!(threshold(1, 0, 1), (SectionKind::Triggers, "> 5%".into()));
}

/// The run fields a checklist asks for, by name.
fn field_names(checklist: &deploycheck::model::Checklist) -> Vec<&str> {
    checklist.fields.iter().map(|f| f.name.as_str()).collect()
}

#[test]
fn a_non_breaking_hyphen_in_sign_off_reads_as_a_hyphen() {
    let checklist = load_markdown(
        "# C\n\n## Deploy\n\n### S\n\n- [ ] a\n\n## Pre-Launch Sign\u{2011}off\n\n### QA Sign\u{2011}off\n\n- [ ] ok\n\n**Signed:** ___\n",
    )
    .unwrap()
    .checklist;
    let phase = &checklist.phases[1];
    assert_eq!(phase.kind, PhaseKind::Signoff);
    assert_eq!(phase.sections[0].role.as_deref(), Some("QA"));
    // The title is kept as written.
    assert_eq!(phase.title, "Pre-Launch Sign\u{2011}off");
}

#[test]
fn a_blank_to_fill_in_a_contacts_table_is_no_name() {
    let checklist = load_markdown(
        "# C\n\n## Deploy\n\n### S\n\n- [ ] a\n\n## Contacts\n\n| Role | Name | Phone |\n|---|---|---|\n| Cloud Provider Support | ______________ | ___ |\n| SRE | Lee | 555 0100 |\n",
    )
    .unwrap()
    .checklist;
    let contacts: Vec<_> = checklist
        .contacts
        .iter()
        .map(|c| (c.role.as_str(), c.name.as_deref(), c.phone.as_deref()))
        .collect();
    assert_eq!(
        contacts,
        [
            ("Cloud Provider Support", None, None),
            ("SRE", Some("Lee"), Some("555 0100"))
        ]
    );
}

#[test]
fn a_phone_or_email_in_a_contacts_tables_name_cell_is_read_as_on_a_list_line() {
    let checklist = load_markdown(
        "# C\n\n## Deploy\n\n### S\n\n- [ ] a\n\n## Contacts\n\n| Role | Name |\n|---|---|\n| SRE | Kim (555-1234) |\n| DBA | Carol Wu <carol@example.com> |\n| Lead | Smith, John |\n\n## Escalation contacts\n\n| Role | Name | Phone |\n|---|---|---|\n| SRE | Lee (555-9999) | 555 0100 |\n",
    )
    .unwrap()
    .checklist;
    let contacts: Vec<_> = checklist
        .contacts
        .iter()
        .map(|c| {
            (
                c.role.as_str(),
                c.name.as_deref(),
                c.phone.as_deref(),
                c.email.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        contacts,
        [
            ("SRE", Some("Kim"), Some("555-1234"), None),
            ("DBA", Some("Carol Wu"), None, Some("carol@example.com")),
            ("Lead", Some("Smith, John"), None, None),
            // A phone column wins over a number in the name cell.
            ("SRE", Some("Lee"), Some("555 0100"), None),
        ]
    );
}

#[test]
fn a_bold_label_with_a_bracketed_note_heads_the_list_under_it() {
    let checklist = load_markdown(
        "# C\n\n## Migration\n\n### Prep\n\n- [ ] x\n\n**Pre-Migration** (T-24 hours):\n- [ ] a\n\n**Gate A** (all must pass):\n- [ ] b\n\n**Note** (a long sentence that explains the whole thing in detail):\n- [ ] c\n",
    )
    .unwrap()
    .checklist;
    let sections: Vec<_> = checklist.phases[0]
        .sections
        .iter()
        .map(|s| (s.title.as_str(), s.items.len()))
        .collect();
    // However long the note, the items under it are its own, not the bold heading's before.
    assert_eq!(
        sections,
        [
            ("Prep", 1),
            ("Prep › Pre-Migration (T-24 hours)", 1),
            ("Prep › Gate A (all must pass)", 1),
            (
                "Prep › Note (a long sentence that explains the whole thing in detail)",
                1
            )
        ]
    );
}

#[test]
fn run_fields_are_blanks_to_fill_and_not_labels_over_code_or_lists() {
    let checklist = load_markdown(concat!(
        "# C\n\n",
        "**Date/Window:** \\_\\_\\_\\_ / \\_\\_\\_\\_ (local time)\n\n",
        "## Deploy\n\n### S\n\n- [ ] a\n\n",
        "**Deploy to Production:**\n\n```bash\nmake deploy\n```\n\n",
        "**Common issues:**\n\n- **404s:** wait for the CDN\n\n",
        "**Manual steps** (if needed):\n\n1. Draft the release\n\n",
        "**Reason for decision:**\n```\n_______________\n```\n\n",
        "**Launch time:** ____ (UTC)\n",
    ))
    .unwrap()
    .checklist;
    assert_eq!(
        field_names(&checklist),
        ["Date/Window", "Reason for decision", "Launch time"]
    );
}

#[test]
fn a_bold_label_over_blanks_stays_a_field_and_a_caption_is_not_description() {
    let checklist = load_markdown(concat!(
        "# C\n\nRunsheet for the launch.\n\n",
        "**Deploy to Production:**\n\n```bash\nmake deploy\n```\n\n",
        "**Target version:**\n\n- ____\n\n",
        "**Incident summary:**\n\n```\n```\n\n",
        "**Status:** _(pending)_\n\n",
        "## Deploy\n\n### Load test\n\n**Skip** (if hotfix)\n\n- [ ] a\n",
    ))
    .unwrap()
    .checklist;
    assert_eq!(
        field_names(&checklist),
        ["Target version", "Incident summary"]
    );
    // `**Status:** _(pending)_` is a status written in, prose as before; a caption is not.
    assert_eq!(
        checklist.description.as_deref(),
        Some("Runsheet for the launch. Status: (pending)")
    );
    // A bold line with a note, heading no items, still says what it says of its section.
    assert!(checklist.phases[0].sections[0].optional);
}

#[test]
fn labels_over_tables_and_quotes_are_not_fields_and_a_sign_off_line_names_its_role() {
    let checklist = load_markdown(concat!(
        "# C\n\n**Service versions:**\n\n| svc | v |\n|---|---|\n| api | 1 |\n\n",
        "**Escalation path:**\n\n> page the SRE\n\n",
        "## Deploy\n\n### S\n\n- [ ] a\n\n## Sign-off\n\n### Approvals\n\n- [ ] ok\n\n",
        "**Release Manager Sign\u{2011}off:** ____\n\n",
        "## On\u{2011}call rota\n\n| Role | Name | Phone |\n|---|---|---|\n| SRE | Lee | 555 0100 |\n\n",
        "**Emergency Contacts:**\n\n| Role | Name |\n|---|---|\n| DBA | Kim |\n",
    ))
    .unwrap()
    .checklist;
    assert!(field_names(&checklist).is_empty());
    assert_eq!(
        checklist.phases[1].sections[0].role.as_deref(),
        Some("Release Manager")
    );
    let roles: Vec<_> = checklist.contacts.iter().map(|c| c.role.as_str()).collect();
    // The bold line over the second table names it; it is nobody to call.
    assert_eq!(roles, ["SRE", "DBA"]);
}

#[test]
fn a_phone_number_in_brackets_after_a_name_leaves_the_bracket_out() {
    let checklist = load_markdown(
        "# C\n\n## Deploy\n\n### S\n\n- [ ] a\n\n## Contacts\n\n- **SRE**: Bob (555-1234)\n- **DBA**: Kim, (555) 123-4567\n",
    )
    .unwrap()
    .checklist;
    let contacts: Vec<_> = checklist
        .contacts
        .iter()
        .map(|c| (c.name.as_deref(), c.phone.as_deref()))
        .collect();
    assert_eq!(
        contacts,
        [
            (Some("Bob"), Some("555-1234")),
            (Some("Kim"), Some("(555) 123-4567"))
        ]
    );
}

#[test]
fn a_limit_on_an_item_with_sub_items_is_warned_of_as_never_measured() {
    let loaded = load_markdown(
        "# R\n\n## P\n\n### S\n\n- [ ] Let the tests run for at least 24 hours\n  - [ ] Nightly run green\n  - [ ] Soak run green\n- [ ] p95 < 200 ms\n",
    )
    .unwrap();
    let warnings: Vec<_> = loaded
        .warnings
        .iter()
        .map(|d| (d.line, d.message.as_str()))
        .collect();
    assert_eq!(
        warnings,
        [(
            Some(7),
            "item `Let the tests run for at least 24 hours` has sub-items, so its status follows from theirs and its limit (>= 24 h) is never measured; give the limit its own sub-item"
        )]
    );
}
