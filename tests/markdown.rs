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
