//! The trees the messy fixtures give, pinned: what deploycheck makes of real-world Markdown
//! is a product decision, and a change to it should show up in review.

use deploycheck::source;

use crate::trees::load_fixture;

fn pin(fixture: &str) {
    let loaded = load_fixture(fixture);
    let mut text = String::new();
    for warning in &loaded.warnings {
        text.push_str(&format!("# {warning}\n"));
    }
    text.push_str(&source::to_yaml_checklist(&loaded.checklist).unwrap());
    let name = fixture.replace('/', "__").replace(".md", "");
    insta::with_settings!({snapshot_path => "snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn tree_of_front_matter_and_pseudo_headings() {
    pin("messy/front-matter-pseudo-headings.md");
}

#[test]
fn tree_of_crlf_bom_setext_and_items_before_any_heading() {
    pin("messy/crlf-bom-setext.md");
}

#[test]
fn tree_of_a_two_level_checklist() {
    pin("messy/two-levels.md");
}

#[test]
fn tree_of_hash_phases_and_deeper_headings() {
    pin("messy/hash-phases-deep-headings.md");
}

#[test]
fn tree_of_explicit_overrides() {
    pin("messy/directives.md");
}

#[test]
fn tree_of_code_blocks_prose_and_contacts() {
    pin("messy/code-and-prose.md");
}

#[test]
fn tree_of_the_mis_encoded_enterprise_seed() {
    pin("seeds/enterprise-mis-encoded.md");
}
