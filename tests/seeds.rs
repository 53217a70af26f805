//! The two source checklists the design was drawn from, as acceptance pins them.

use deploycheck::model::{Comparison, PhaseKind, SectionKind};

use crate::support::{Test, count_items};
use crate::trees::{all_ids, load_fixture};

#[test]
fn mail_score_has_182_items_and_172_for_production() {
    let loaded = load_fixture("seeds/mail-score.md");
    let checklist = &loaded.checklist;
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    assert_eq!(checklist.title, "Deployment Checklist - Mail Score System");
    assert_eq!(checklist.item_count(), 182);
    assert_eq!(checklist.for_environment("production").item_count(), 172);
    assert_eq!(checklist.item_count_in("production"), 172);
    assert_eq!(checklist.for_environment("staging").item_count(), 170);
    assert_eq!(checklist.for_environment("development").item_count(), 170);
}

#[test]
fn mail_score_environment_sections_are_scoped() {
    let checklist = load_fixture("seeds/mail-score.md").checklist;
    let scoped: Vec<(&str, Vec<String>)> = checklist
        .phases
        .iter()
        .flat_map(|p| &p.sections)
        .filter(|s| !s.environments.is_empty())
        .map(|s| (s.id.as_str(), s.environments.clone()))
        .collect();
    assert_eq!(
        scoped,
        [
            (
                "environment-specific-checklists/development-deployment",
                vec!["development".to_string()]
            ),
            (
                "environment-specific-checklists/staging-deployment",
                vec!["staging".to_string()]
            ),
            (
                "environment-specific-checklists/production-deployment",
                vec!["production".to_string()]
            ),
        ]
    );
    // Pre-deployment gates named after environments apply to every run.
    let pre = &checklist.phases[0];
    assert!(pre.sections.iter().all(|s| s.environments.is_empty()));
}

#[test]
fn mail_score_rollback_phase_has_six_triggers() {
    let checklist = load_fixture("seeds/mail-score.md").checklist;
    let rollback: Vec<_> = checklist
        .phases
        .iter()
        .filter(|p| p.kind == PhaseKind::Rollback)
        .collect();
    assert_eq!(rollback.len(), 1);
    assert_eq!(rollback[0].id, "rollback-checklist-if-needed");
    let triggers = &rollback[0].sections[0];
    assert_eq!(triggers.kind, SectionKind::Triggers);
    assert_eq!(triggers.items.len(), 6);
    let high = &triggers.items[4];
    assert_eq!(high.text, "High error rates (>5%)");
    let threshold = high.threshold.as_ref().expect("threshold");
    assert_eq!(
        (threshold.op, threshold.value, threshold.unit.as_deref()),
        (Comparison::Greater, 5.0, Some("%"))
    );
    assert_eq!(rollback[0].sections[1].kind, SectionKind::Steps);
}

#[test]
fn mail_score_signoff_roles_fields_and_contacts() {
    let checklist = load_fixture("seeds/mail-score.md").checklist;
    let signoff = checklist
        .phases
        .iter()
        .find(|p| p.kind == PhaseKind::Signoff)
        .expect("sign-off phase");
    let roles: Vec<_> = signoff
        .sections
        .iter()
        .map(|s| (s.kind, s.role.as_deref().unwrap_or(""), s.items.len()))
        .collect();
    assert_eq!(
        roles,
        [
            (SectionKind::Signoff, "Development Team", 4),
            (SectionKind::Signoff, "Operations Team", 4),
            (SectionKind::Signoff, "Product Team", 4),
            (SectionKind::Signoff, "Security Team", 4),
        ]
    );
    let fields: Vec<_> = checklist.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        fields,
        ["Deployment Date", "Deployed By", "Version", "Git Commit"]
    );
    assert_eq!(checklist.contacts.len(), 4);
    let lead = &checklist.contacts[0];
    assert_eq!(lead.role, "Lead Developer");
    assert_eq!(lead.name.as_deref(), Some("TBD"));
    assert_eq!(lead.email.as_deref(), Some("dev-lead@company.com"));
    assert_eq!(lead.phone.as_deref(), Some("+1-XXX-XXX-XXXX"));
}

#[test]
fn mail_score_performance_thresholds() {
    let checklist = load_fixture("seeds/mail-score.md").checklist;
    let shown: Vec<(String, String)> = checklist
        .items()
        .filter_map(|i| {
            i.threshold
                .as_ref()
                .map(|t| (i.text.clone(), format!("{}: {t}", t.metric)))
        })
        .collect();
    let expected = [
        ("High error rates (>5%)", "High error rates: > 5%"),
        (
            "Response time < 200ms (p95)",
            "Response time: < 200 ms (p95)",
        ),
        ("Throughput > 1000 RPS", "Throughput: > 1000 RPS"),
        ("Error rate < 0.1%", "Error rate: < 0.1%"),
        ("CPU usage < 70%", "CPU usage: < 70%"),
        ("Memory usage < 80%", "Memory usage: < 80%"),
        ("Database response < 50ms", "Database response: < 50 ms"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(shown, expected);
    let response = checklist
        .items()
        .find(|i| i.text.starts_with("Response time <"))
        .unwrap();
    assert_eq!(
        response.id,
        "performance-checklist/performance-metrics/response-time-200ms-p95"
    );
}

#[test]
fn enterprise_original_has_200_items_40_parents_and_warns_on_each_damaged_line() {
    let loaded = load_fixture("seeds/enterprise-mis-encoded.md");
    let checklist = &loaded.checklist;
    assert_eq!(checklist.item_count(), 200);
    assert_eq!(
        checklist.items().filter(|i| !i.children.is_empty()).count(),
        40
    );
    assert_eq!(checklist.title, "Enterprise Deployment Checklist");
    let damaged_lines: Vec<u32> = loaded.warnings.iter().filter_map(|w| w.line).collect();
    assert_eq!(damaged_lines.len(), 35, "{:#?}", loaded.warnings);
    assert!(damaged_lines.contains(&1) && damaged_lines.contains(&296));
    assert!(loaded.warnings.iter().all(
        |w| w.message.contains("mis-encoded") && w.file.ends_with("enterprise-mis-encoded.md")
    ));
}

#[test]
fn enterprise_ids_are_unique_ascii_slugs_without_mojibake() {
    let checklist = load_fixture("seeds/enterprise-mis-encoded.md").checklist;
    let ids = all_ids(&checklist);
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len());
    for id in &ids {
        assert!(
            id.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'/'),
            "{id}"
        );
    }
    assert!(ids.contains(&"pre-deployment-checklist/security-compliance/security-scan-passed/secrets-scan-passed".to_string()));
    let texts: String = checklist
        .phases
        .iter()
        .flat_map(|p| std::iter::once(&p.title).chain(p.sections.iter().map(|s| &s.title)))
        .cloned()
        .collect();
    for damaged in ['ğ', 'Ÿ', 'â'] {
        assert!(!texts.contains(damaged), "titles still hold {damaged}");
    }
}

#[test]
fn enterprise_rollback_triggers_stretch_goals_and_contacts() {
    let checklist = load_fixture("seeds/enterprise-mis-encoded.md").checklist;
    let rollback = checklist
        .phases
        .iter()
        .find(|p| p.kind == PhaseKind::Rollback)
        .expect("rollback");
    let triggers = rollback
        .sections
        .iter()
        .find(|s| s.kind == SectionKind::Triggers)
        .expect("triggers");
    let thresholds: Vec<String> = triggers
        .all_items()
        .filter_map(|i| i.threshold.as_ref())
        .map(|t| format!("{} {t}", t.metric))
        .collect();
    assert_eq!(thresholds, ["Error rate > 5%", "Response time > 5 s"]);
    let stretch = checklist
        .phases
        .iter()
        .flat_map(|p| &p.sections)
        .find(|s| s.title == "Stretch Goals")
        .expect("stretch goals");
    assert!(stretch.optional);
    let roles: Vec<_> = checklist.contacts.iter().map(|c| c.role.as_str()).collect();
    assert_eq!(
        roles,
        [
            "DevOps Lead",
            "Engineering Manager",
            "Product Owner",
            "Support Lead"
        ]
    );
    assert!(
        checklist.contacts.iter().all(|c| c.name.is_none()),
        "placeholders are not names"
    );
}

#[test]
fn show_production_json_through_the_binary_counts_172() {
    let output = Test::with_seeds()
        .args(&["show", "production", "--format", "json"])
        .run();
    let tree: serde_json::Value = serde_json::from_str(&output.stdout).expect("JSON");
    assert_eq!(count_items(&tree), 172);
    let alias = Test::with_seeds()
        .args(&["show", "prod", "--format", "json"])
        .run();
    assert_eq!(alias.stdout, output.stdout);
}

#[test]
fn shipped_enterprise_copy_is_the_seed_with_its_emoji_repaired() {
    let shipped = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/checklists/enterprise.md"
    ))
    .unwrap();
    let original = load_fixture("seeds/enterprise-mis-encoded.md").checklist;
    let repaired = deploycheck::source::load_bytes(
        shipped.as_bytes(),
        "enterprise.md",
        deploycheck::model::SourceFormat::Markdown,
        "enterprise",
    )
    .unwrap();
    assert!(repaired.warnings.is_empty(), "{:?}", repaired.warnings);
    assert_eq!(all_ids(&repaired.checklist), all_ids(&original));
    assert!(repaired.checklist.title.starts_with("🏢"));
}
