//! Entry points for the fuzz targets in `fuzz/` and the property tests beside each reader:
//! one function per reader, taking raw bytes and asserting the reader's properties. This is
//! a deliberate public API for fuzzing only; its shape follows the readers and may change
//! with them. Each function panics only when a property is broken, which is what a fuzzer
//! reports as a crash:
//! - no reader panics, on any bytes;
//! - a checklist that loads (Markdown or YAML) converts to the YAML format, and that YAML
//!   loads back as the identical tree;
//! - no text in a loaded tree holds a control or bidirectional character;
//! - a run record or journal that reads writes back out as bytes that read the same
//!   ([`record`], [`journal`]).

mod records;
pub use records::{journal, record};

use crate::engine::Plan;
use crate::model::{Checklist, Item, SourceFormat};
use crate::run::answers::Answers;
use crate::source::{self, Loaded};

/// A Markdown checklist from `data`: no panic, and the YAML round trip holds.
pub fn markdown_checklist(data: &[u8]) {
    if let Ok(loaded) = source::load_bytes(data, "fuzz.md", SourceFormat::Markdown, "fuzz") {
        round_trip(&loaded);
    }
}

/// A YAML checklist from `data`: no panic, and writing it back out loads the same tree.
pub fn yaml_checklist(data: &[u8]) {
    if let Ok(loaded) = source::load_bytes(data, "fuzz.yaml", SourceFormat::Yaml, "fuzz") {
        round_trip(&loaded);
    }
}

/// An answers file from `data`, checked against a small checklist with a run field, a
/// measured item, a rollback trigger and a sign-off: no panic, and every error names the
/// file.
pub fn answers_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let checklist = answers_checklist();
    let all_ids = checklist.items().map(|i| i.id.clone()).collect();
    let plan = Plan::new(checklist.into_environment("production"));
    if let Err(error) = Answers::parse(text, "answers.yaml", &plan, &all_ids) {
        assert_eq!(error.file, "answers.yaml", "{error}");
    }
}

/// A project settings file (`checklists/deploycheck.yaml`) from `data`: no panic.
pub fn settings(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = crate::project::parse_config(text, "deploycheck.yaml");
    }
}

/// The checklist → YAML → checklist round trip, and safe text throughout.
fn round_trip(loaded: &Loaded) {
    assert_safe_text(&loaded.checklist);
    let yaml = source::to_yaml_checklist(&loaded.checklist).expect("a tree always serializes");
    let again = source::load_bytes(yaml.as_bytes(), "again.yaml", SourceFormat::Yaml, "fuzz")
        .unwrap_or_else(|e| panic!("the YAML form does not load back: {e}\n{yaml}"));
    let yaml_again = source::to_yaml_checklist(&again.checklist).expect("a tree always serializes");
    assert_eq!(
        yaml, yaml_again,
        "the YAML form loads back as a different tree"
    );
}

fn assert_safe_text(checklist: &Checklist) {
    let safe = |text: &str| {
        assert!(
            !text.chars().any(crate::text::is_unsafe),
            "unsafe character in {text:?}"
        )
    };
    safe(&checklist.title);
    checklist.description.as_deref().map(safe);
    for phase in &checklist.phases {
        safe(&phase.title);
        for section in &phase.sections {
            safe(&section.title);
            let mut stack: Vec<&Item> = section.items.iter().collect();
            while let Some(item) = stack.pop() {
                safe(&item.text);
                stack.extend(&item.children);
            }
        }
    }
}

fn answers_checklist() -> Checklist {
    const TEXT: &str = "# Fuzz\n\n## Deploy\n\n### Steps\n- [ ] Push the image\n- [ ] p95 latency < 250ms\n- [ ] Parent\n  - [ ] Child\n\n## Rollback\n\n### Rollback Triggers\n- [ ] Error rate above 5%\n\n### Procedure\n- [ ] Roll back\n\n## Sign-off\n\n### Security Team\n- [ ] Reviewed\n";
    let loaded = source::load_bytes(TEXT.as_bytes(), "fuzz.md", SourceFormat::Markdown, "fuzz")
        .expect("the fuzz checklist loads");
    let mut checklist = loaded.checklist;
    checklist.fields.push(crate::model::Field {
        name: "Version".into(),
    });
    checklist
}

/// The same properties on generated inputs, in `cargo test`: arbitrary bytes for each
/// reader, and inputs shaped like the real thing, which reach far deeper than random bytes.
#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    /// Short text with the characters that matter here: thresholds, escapes, bidi
    /// overrides, YAML indicators and non-ASCII letters.
    fn words() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9 <>=%.:#&*!|'\"\\[\\]{},_\\-\u{1b}\u{7}\u{202e}\u{feff}éß日]{0,24}"
    }

    fn markdown() -> impl Strategy<Value = String> {
        let line = (0..12usize, words()).prop_map(|(kind, text)| match kind {
            0 => format!("# {text}"),
            1 => format!("## {text}"),
            2 => format!("### {text}"),
            3 | 4 => format!("- [ ] {text}"),
            5 => format!("  - [ ] {text}"),
            6 => format!("    - [x] {text}"),
            7 => format!("- {text}"),
            8 => String::new(),
            9 => "---".to_string(),
            10 => format!("> {text}"),
            _ => text,
        });
        prop::collection::vec(line, 0..40).prop_map(|lines| lines.join("\n"))
    }

    fn yaml_checklist() -> impl Strategy<Value = String> {
        let item = (words(), prop::option::of(words()), any::<bool>());
        let section = (words(), prop::collection::vec(item, 0..5));
        let phase = (words(), prop::collection::vec(section, 0..3));
        (words(), prop::collection::vec(phase, 0..3)).prop_map(|(title, phases)| {
            let phases: Vec<serde_json::Value> = phases
                .into_iter()
                .map(|(title, sections)| {
                    let sections: Vec<serde_json::Value> = sections
                        .into_iter()
                        .map(|(title, items)| {
                            let items: Vec<serde_json::Value> = items
                                .into_iter()
                                .map(|(text, child, optional)| {
                                    let children: Vec<serde_json::Value> = child
                                        .into_iter()
                                        .map(|text| serde_json::json!({"text": text}))
                                        .collect();
                                    serde_json::json!({"text": text, "optional": optional, "children": children})
                                })
                                .collect();
                            serde_json::json!({"title": title, "items": items})
                        })
                        .collect();
                    serde_json::json!({"title": title, "sections": sections})
                })
                .collect();
            crate::yaml::to_string(&serde_json::json!({"title": title, "phases": phases}))
                .unwrap()
        })
    }

    fn answers() -> impl Strategy<Value = String> {
        let id = prop::sample::select(vec![
            "deploy/steps/push-the-image",
            "deploy/steps/p95-latency-250ms",
            "deploy/steps/parent",
            "deploy/steps/parent/child",
            "rollback/rollback-triggers/error-rate-above-5",
            "rollback/procedure/roll-back",
            "nope",
        ]);
        let answer = prop::sample::select(vec![
            "done",
            "failed",
            "{status: failed, reason: broke}",
            "180ms",
            "300ms",
            "{value: 300ms, status: done, reason: ok}",
            "holds",
            "clear",
            "true",
            "~",
            "[x]",
        ]);
        let entry = (id, answer).prop_map(|(id, answer)| format!("  {id}: {answer}"));
        (
            prop::collection::vec(entry, 0..8),
            prop::sample::select(vec!["", "fields:\n  Version: 1.2\n", "fields: {Nope: x}\n"]),
            prop::sample::select(vec![
                "",
                "signoffs:\n  Security Team: dana\n",
                "signoffs:\n  Security Team: {refused: no}\n",
            ]),
        )
            .prop_map(|(entries, fields, signoffs)| {
                format!("{fields}{signoffs}answers:\n{}\n", entries.join("\n"))
            })
    }

    fn settings() -> impl Strategy<Value = String> {
        let name = "[a-zA-Z0-9._/ -]{0,12}";
        (name, name, prop::collection::vec((name, name), 0..4)).prop_map(
            |(default, records, environments)| {
                let environments: String = environments
                    .iter()
                    .map(|(name, alias)| format!("  {name:?}: [{alias:?}]\n"))
                    .collect();
                format!("default: {default:?}\nrecords: {records:?}\nenvironments:\n{environments}")
            },
        )
    }

    proptest! {
        #[test]
        fn markdown_checklists_never_panic_and_round_trip(text in markdown()) {
            super::markdown_checklist(text.as_bytes());
        }

        #[test]
        fn yaml_checklists_never_panic_and_round_trip(text in yaml_checklist()) {
            super::yaml_checklist(text.as_bytes());
        }

        #[test]
        fn answers_files_never_panic(text in answers()) {
            super::answers_file(text.as_bytes());
        }

        #[test]
        fn settings_never_panic(text in settings()) {
            super::settings(text.as_bytes());
        }

        #[test]
        fn no_reader_panics_on_arbitrary_bytes(data in prop::collection::vec(any::<u8>(), 0..600)) {
            super::markdown_checklist(&data);
            super::yaml_checklist(&data);
            super::answers_file(&data);
            super::settings(&data);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answers_checklist_has_something_of_every_kind() {
        let checklist = answers_checklist();
        let plan = Plan::new(checklist.into_environment("production"));
        assert_eq!(plan.fields.len(), 1);
        assert_eq!(plan.roles.len(), 1);
        assert!(plan.has_rollback_procedure());
        assert!(plan.items.iter().any(|i| i.threshold.is_some()));
    }

    #[test]
    fn seed_inputs_pass() {
        markdown_checklist(b"# T\n\n## P\n### S\n- [ ] a\n  - [ ] b < 5ms\n- [ ] a\n");
        yaml_checklist(b"title: T\nphases:\n- title: P\n  sections:\n  - title: S\n    items:\n    - text: a\n");
        answers_file(b"fields: {Version: 1.2}\nanswers:\n  deploy/steps/push-the-image: done\n");
        settings(b"default: x\nenvironments:\n  production: [prod]\n");
    }
}
