//! Helpers for comparing and generating checklist trees in tests.

use deploycheck::model::{Checklist, Item, SourceFormat};
use deploycheck::source::{self, Loaded};

pub fn load_fixture(relative: &str) -> Loaded {
    let path = crate::support::fixture_path(relative);
    source::load(&path, relative).unwrap_or_else(|e| panic!("{relative} should load: {e}"))
}

pub fn load_markdown(text: &str) -> Result<Loaded, source::LoadError> {
    source::load_bytes(text.as_bytes(), "test.md", SourceFormat::Markdown, "test")
}

pub fn load_yaml(text: &str) -> Result<Loaded, source::LoadError> {
    source::load_bytes(text.as_bytes(), "test.yaml", SourceFormat::Yaml, "test")
}

/// The tree without what depends on the file it came from (source, lines).
pub fn without_positions(checklist: &Checklist) -> Checklist {
    let mut copy = checklist.clone();
    copy.source.path.clear();
    copy.source.sha256.clear();
    copy.source.format = SourceFormat::Yaml;
    for phase in &mut copy.phases {
        for section in &mut phase.sections {
            let mut stack: Vec<&mut Item> = section.items.iter_mut().collect();
            while let Some(item) = stack.pop() {
                item.line = None;
                stack.extend(item.children.iter_mut());
            }
        }
    }
    copy
}

/// Loads `yaml` (the output of `show --format yaml`) and checks it is the same tree.
pub fn assert_yaml_round_trip(original: &Checklist) {
    let yaml = source::to_yaml_checklist(original).expect("serializes");
    let reloaded =
        load_yaml(&yaml).unwrap_or_else(|e| panic!("YAML output should load: {e}\n{yaml}"));
    assert_eq!(
        without_positions(&reloaded.checklist),
        without_positions(original),
        "the YAML form loads back as a different tree:\n{yaml}"
    );
}

pub fn all_ids(checklist: &Checklist) -> Vec<String> {
    checklist.items().map(|i| i.id.clone()).collect()
}
