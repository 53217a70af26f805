//! The YAML checklist format and Markdown front matter, read through [`crate::yaml`]
//! (which holds the limits every YAML input shares).
//!
//! The checklist format uses the keys `show --format json` prints, minus the derived
//! `source` and `line`. Keys an author may leave out are inferred exactly as for Markdown;
//! unknown keys are errors with line and column. Anchors and aliases are allowed within a
//! budget, so an author can reuse a list but an alias bomb stops early.

use serde::{Deserialize, Deserializer};

use super::build::{
    Draft, DraftContact, DraftField, DraftPhase, DraftSection, ItemSpec, ItemWords, ThresholdSpec,
    WindowSpec, new_item,
};
use super::diagnostic::Diagnostic;
use crate::model::{Contact, Item, PhaseKind, SectionKind, Threshold, Window};
use crate::yaml::{self, Aliases, Lined};

/// A YAML checklist, as authors write it.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a checklist: a mapping with `title` and `phases`"
)]
#[schemars(title = "deploycheck checklist")]
pub struct YamlChecklist {
    #[serde(deserialize_with = "null_is_empty")]
    pub title: Lined<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// Run fields asked before the walk, e.g. `{name: Version}`.
    #[serde(default)]
    pub fields: Vec<YamlField>,
    #[serde(default)]
    pub contacts: Vec<YamlContact>,
    pub phases: Vec<YamlPhase>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a run field, like `{name: Version}`")]
pub struct YamlField {
    #[serde(deserialize_with = "null_is_empty")]
    pub name: Lined<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a contact, like `{role: Release Manager, name: Priya}`"
)]
pub struct YamlContact {
    #[serde(deserialize_with = "null_is_empty")]
    pub role: Lined<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a phase, like `{title: Cut-over, sections: [...]}`"
)]
pub struct YamlPhase {
    /// The phase's slug; derived from the title when absent.
    #[serde(default)]
    pub id: Option<String>,
    #[serde(deserialize_with = "null_is_empty")]
    pub title: Lined<String>,
    /// Inferred from the title when absent (a title saying Rollback is a rollback phase).
    #[serde(default)]
    pub kind: Option<PhaseKind>,
    #[serde(default)]
    pub sections: Vec<YamlSection>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a section, like `{title: Shift traffic, items: [...]}`"
)]
pub struct YamlSection {
    /// `phase/section` or just `section`; derived from the title when absent.
    #[serde(default)]
    pub id: Option<String>,
    #[serde(deserialize_with = "null_is_empty")]
    pub title: Lined<String>,
    #[serde(default)]
    pub kind: Option<SectionKind>,
    /// The approving role of a sign-off section.
    #[serde(default)]
    pub role: Option<String>,
    /// Empty or absent: every environment.
    #[serde(default)]
    pub environments: Vec<String>,
    #[serde(default)]
    pub optional: Option<bool>,
    /// When the section is due after the deployment moment, like `{from: 15m, to: 60m}`.
    /// Absent: read from the title (`First Week`, `(15-60 minutes)`). `null`: none.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "Option<Window>")]
    pub window: Option<Option<Window>>,
    /// Completing this section is the deployment moment the windows count from (by
    /// default, the last section before the first windowed one).
    #[serde(default)]
    pub anchor: bool,
    #[serde(default)]
    pub items: Vec<YamlItem>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "an item, like `{text: Green pool healthy}`"
)]
pub struct YamlItem {
    /// The full path or just the last part; derived from the text when absent.
    #[serde(default)]
    pub id: Option<String>,
    #[serde(deserialize_with = "null_is_empty")]
    pub text: Lined<String>,
    #[serde(default)]
    pub optional: Option<bool>,
    /// Absent: read from the text. `null`: none, whatever the text says.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "Option<Threshold>")]
    pub threshold: Option<Option<Threshold>>,
    #[serde(default)]
    pub children: Vec<YamlItem>,
    /// When an optional item applies, in words. Absent: read from the text. `null`: none.
    #[serde(default, deserialize_with = "present")]
    pub condition: Option<Option<String>>,
    /// A heading-like entry that only holds items; not counted as an item itself.
    #[serde(default)]
    pub group: bool,
    /// Its children are alternatives: one of them done is enough.
    #[serde(default)]
    pub choice: bool,
    /// A command that gathers the item's evidence, run only when a person asks:
    /// `"curl -fsS https://api.example.com/healthz"` or `{run: ..., timeout_s: 30}`.
    #[serde(default)]
    #[schemars(with = "Option<super::check::CheckSchema>")]
    pub check: Option<super::check::YamlCheck>,
}

/// A text the format requires, where `~` or `null` is no text at all, as an empty value
/// is, rather than the word: the builder then says what is missing.
fn null_is_empty<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Lined<String>, D::Error> {
    let Lined { line, value } = Lined::<Option<String>>::deserialize(deserializer)?;
    Ok(Lined {
        line,
        value: value.unwrap_or_default(),
    })
}

/// Distinguishes `threshold: null` (Some(None)) from an absent key (None).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

#[derive(Debug, Default, Deserialize)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub description: Option<String>,
    /// A GitHub issue template's own name (`name: Release checklist`), the title when its
    /// `title` (the new issue's) is empty.
    name: Option<String>,
    /// A GitHub issue template's one-line summary.
    about: Option<String>,
}

impl FrontMatter {
    fn settle(mut self) -> FrontMatter {
        let given = |v: &Option<String>| v.as_ref().is_some_and(|t| !t.trim().is_empty());
        if !given(&self.title) {
            self.title = self.name.take().filter(|t| !t.trim().is_empty());
        }
        if !given(&self.description) {
            self.description = self.about.take().filter(|t| !t.trim().is_empty());
        }
        self
    }
}

/// Front matter belongs to whatever site renders the file, so unknown keys are fine here.
pub fn parse_front_matter(text: &str) -> Result<FrontMatter, Diagnostic> {
    if text.trim().is_empty() {
        return Ok(FrontMatter::default());
    }
    yaml::from_str_with::<Option<FrontMatter>>(text, "front matter", Aliases::Bounded)
        .map(|front| front.unwrap_or_default().settle())
}

/// A YAML checklist as a draft for the shared builder.
pub fn parse_checklist(
    text: &str,
    file: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Draft, Diagnostic> {
    let parsed: YamlChecklist = yaml::from_str_with(text, file, Aliases::Bounded)?;
    let fields = parsed
        .fields
        .into_iter()
        .map(|f| DraftField {
            line: Some(f.name.line),
            name: f.name.value,
        })
        .collect();
    let contacts = parsed
        .contacts
        .into_iter()
        .map(|c| DraftContact {
            line: Some(c.role.line),
            contact: Contact {
                role: c.role.value,
                name: c.name,
                email: c.email,
                phone: c.phone,
            },
        })
        .collect();
    let phases = parsed
        .phases
        .into_iter()
        .map(|phase| {
            let sections = phase
                .sections
                .into_iter()
                .map(|section| DraftSection {
                    id: section.id,
                    line: Some(section.title.line),
                    title: section.title.value,
                    implicit: false,
                    kind: section.kind,
                    role: section.role,
                    environments: section.environments,
                    optional: section.optional,
                    window: match section.window {
                        None => WindowSpec::Infer,
                        Some(None) => WindowSpec::Absent,
                        Some(Some(window)) => WindowSpec::Given(window),
                    },
                    anchor: section.anchor,
                    items: model_items(section.items, None, file, diagnostics),
                    why: Default::default(),
                })
                .collect();
            DraftPhase {
                id: phase.id,
                line: Some(phase.title.line),
                title: phase.title.value,
                kind: phase.kind,
                sections,
                why: Default::default(),
            }
        })
        .collect();
    Ok(Draft {
        title_line: Some(parsed.title.line),
        title: parsed.title.value,
        description: parsed.description,
        fields,
        contacts,
        phases,
        why: Default::default(),
        unread_boxes: None,
    })
}

fn model_items(
    items: Vec<YamlItem>,
    inherited_condition: Option<&str>,
    file: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Item> {
    let mut out = Vec::with_capacity(items.len());
    for yaml_item in items {
        let line = Some(yaml_item.text.line);
        let spec = ItemSpec {
            explicit_id: yaml_item.id,
            optional: yaml_item.optional,
            threshold: match yaml_item.threshold {
                None => ThresholdSpec::Infer,
                Some(None) => ThresholdSpec::Absent,
                Some(Some(threshold)) => ThresholdSpec::Given(Box::new(threshold)),
            },
            condition: yaml_item.condition,
            inherited_condition: inherited_condition.map(str::to_string),
            group: yaml_item.group,
            choice: yaml_item.choice,
            why: Default::default(),
        };
        // Children are read after their parent, so that they can share its condition.
        let children = yaml_item.children;
        let check = yaml_item.check.and_then(|c| c.0).map(Box::new);
        let infer = matches!(spec.threshold, ThresholdSpec::Infer) && !spec.group;
        let words = ItemWords::read(file, yaml_item.text.value, line, infer);
        if let Some(mut item) = new_item(file, diagnostics, words, line, spec) {
            item.check = check;
            let inherited = (item.group && item.optional)
                .then(|| item.condition.clone())
                .flatten();
            item.children = model_items(children, inherited.as_deref(), file, diagnostics);
            out.push(item);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_errors_with_line_and_column() {
        let text = "title: T\nphases:\n  - title: P\n    sectons: []\n";
        let error = parse_checklist(text, "x.yaml", &mut Vec::new()).unwrap_err();
        assert_eq!(error.line, Some(4));
        assert!(error.column.is_some());
        assert!(
            error.message.contains("unknown field `sectons`"),
            "{}",
            error.message
        );
    }

    #[test]
    fn every_part_has_the_line_it_is_written_on_in_flow_style_too() {
        let text = "title: T\nfields: [{name: Version}]\ncontacts: [{role: SRE}]\nphases:\n- {title: P, sections: [\n    {title: S, items: [{text: a}, {text: b, children: [{text: c}]}]},\n    {title: S2, items: [\n      {text: d}]}]}\n";
        let draft = parse_checklist(text, "x.yaml", &mut Vec::new()).unwrap();
        assert_eq!(draft.title_line, Some(1));
        assert_eq!(draft.fields[0].line, Some(2));
        assert_eq!(draft.contacts[0].line, Some(3));
        let phase = &draft.phases[0];
        assert_eq!(phase.line, Some(5));
        let lines = |section: &DraftSection| -> Vec<(String, Option<u32>)> {
            let mut out = Vec::new();
            let mut stack: Vec<&Item> = section.items.iter().rev().collect();
            while let Some(item) = stack.pop() {
                out.push((item.text.clone(), item.line));
                stack.extend(item.children.iter().rev());
            }
            out
        };
        assert_eq!(phase.sections[0].line, Some(6));
        assert_eq!(
            lines(&phase.sections[0]),
            [("a", 6), ("b", 6), ("c", 6)].map(|(t, l)| (t.to_string(), Some(l)))
        );
        assert_eq!(phase.sections[1].line, Some(7));
        assert_eq!(lines(&phase.sections[1]), [("d".to_string(), Some(8))]);
    }

    /// The lines come from the reader as it reads each node, so a checklist of thousands
    /// of one-line sections costs one pass, and repeats name the lines they are on.
    #[test]
    fn thousands_of_one_line_sections_each_have_their_line() {
        let mut text = String::from("title: T\nphases:\n- title: P\n  sections:\n");
        let count = 5_000;
        for _ in 0..count {
            text.push_str("  - {title: Checks, items: [{text: Verify thing}]}\n");
        }
        let mut diagnostics = Vec::new();
        let draft = parse_checklist(&text, "x.yaml", &mut diagnostics).unwrap();
        let sections = &draft.phases[0].sections;
        assert_eq!(sections.len(), count);
        for (n, section) in sections.iter().enumerate() {
            let line = Some(u32::try_from(n).unwrap() + 5);
            assert_eq!((section.line, section.items[0].line), (line, line));
        }
    }

    #[test]
    fn threshold_absent_null_and_given_are_distinct() {
        let text = "title: T\nphases:\n- title: P\n  sections:\n  - title: S\n    items:\n    - text: a < 1ms\n    - text: b < 1ms\n      threshold: null\n";
        let draft = parse_checklist(text, "x.yaml", &mut Vec::new()).unwrap();
        let items = &draft.phases[0].sections[0].items;
        assert_eq!(items[0].threshold.as_ref().map(|t| t.value), Some(1.0));
        assert_eq!(items[1].threshold, None);
        assert_eq!(items[1].line, Some(8));
    }
}
