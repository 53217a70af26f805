//! Markdown → `show --format yaml` → load gives the same tree, for every fixture and for
//! generated checklists.

use proptest::prelude::*;

use crate::trees::{assert_yaml_round_trip, load_fixture, load_markdown};

#[test]
fn every_fixture_round_trips_through_yaml() {
    for fixture in [
        "seeds/mail-score.md",
        "seeds/enterprise-mis-encoded.md",
        "messy/code-and-prose.md",
        "messy/crlf-bom-setext.md",
        "messy/directives.md",
        "messy/front-matter-pseudo-headings.md",
        "messy/hash-phases-deep-headings.md",
        "messy/two-levels.md",
    ] {
        assert_yaml_round_trip(&load_fixture(fixture).checklist);
    }
}

#[test]
fn shipped_checklists_round_trip_through_yaml() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/checklists");
    for name in [
        "mail-score.md",
        "enterprise.md",
        "payments-api.yaml",
        "local-release.md",
    ] {
        let path = std::path::Path::new(dir).join(name);
        let loaded = deploycheck::source::load(&path, name).unwrap();
        assert!(loaded.warnings.is_empty(), "{name}: {:?}", loaded.warnings);
        assert_yaml_round_trip(&loaded.checklist);
    }
}

/// Words that exercise slugs, thresholds, optional markers and emoji.
fn item_text() -> impl Strategy<Value = String> {
    let words = prop::sample::select(vec![
        "Backup",
        "completed",
        "🚀",
        "Response",
        "time",
        "< 200ms",
        "(p95)",
        "> 1,000 RPS",
        "Error",
        "rate",
        "≤ 0.5%",
        "(if needed)",
        "café",
        "CPU",
        "/",
        "&",
        "—",
        "v1.2",
        "at least 3",
        "**bold**",
        "`code`",
        "x/5",
        "4.5/5",
    ]);
    prop::collection::vec(words, 1..6).prop_map(|w| w.join(" "))
}

#[derive(Debug, Clone)]
struct GenItem {
    text: String,
    children: Vec<GenItem>,
}

fn gen_item() -> impl Strategy<Value = GenItem> {
    let leaf = item_text().prop_map(|text| GenItem {
        text,
        children: vec![],
    });
    leaf.prop_recursive(3, 24, 4, |inner| {
        (item_text(), prop::collection::vec(inner, 0..4))
            .prop_map(|(text, children)| GenItem { text, children })
    })
}

#[derive(Debug, Clone)]
struct GenSection {
    title: String,
    items: Vec<GenItem>,
}

fn gen_checklist() -> impl Strategy<Value = Vec<(String, Vec<GenSection>)>> {
    let section = (
        prop::sample::select(vec![
            "Checks",
            "Production Deployment",
            "Decision Criteria",
            "Security Team",
            "Stretch Goals",
            "Database › Backups",
        ]),
        prop::collection::vec(gen_item(), 1..5),
    )
        .prop_map(|(title, items)| GenSection {
            title: title.to_string(),
            items,
        });
    let phase_title = prop::sample::select(vec![
        "Pre-Deployment",
        "Rollback Plan",
        "Sign-off",
        "Environment-Specific",
        "🚀 Release",
    ]);
    prop::collection::vec(
        (
            phase_title.prop_map(str::to_string),
            prop::collection::vec(section, 0..4),
        ),
        1..5,
    )
}

fn render(phases: &[(String, Vec<GenSection>)], direct_items: &[GenItem]) -> String {
    let mut out = String::from("# Generated checklist\n\nSome prose.\n\n");
    for (index, (title, sections)) in phases.iter().enumerate() {
        out.push_str(&format!("## {title}\n\n"));
        if index == 0 {
            write_items(&mut out, direct_items, 0);
            out.push('\n');
        }
        for section in sections {
            out.push_str(&format!("### {}\n\n", section.title));
            write_items(&mut out, &section.items, 0);
            if section.title == "Security Team" {
                out.push_str("\n**Signed:** ____ **Date:** ____\n");
            }
            out.push('\n');
        }
    }
    out.push_str("*Version:* ____\n");
    out
}

fn write_items(out: &mut String, items: &[GenItem], depth: usize) {
    for item in items {
        out.push_str(&format!("{}- [ ] {}\n", "  ".repeat(depth), item.text));
        write_items(out, &item.children, depth + 1);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn generated_markdown_round_trips_through_yaml(phases in gen_checklist(), direct in prop::collection::vec(gen_item(), 0..3)) {
        let text = render(&phases, &direct);
        if let Ok(loaded) = load_markdown(&text) {
            assert_yaml_round_trip(&loaded.checklist);
        }
    }
}
