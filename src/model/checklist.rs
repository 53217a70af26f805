use serde::{Deserialize, Serialize};

use super::{Check, Threshold, Window};

/// A parsed checklist: everything `deploycheck` knows about one source file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Checklist {
    pub title: String,
    pub description: Option<String>,
    pub source: Source,
    pub fields: Vec<Field>,
    pub contacts: Vec<Contact>,
    pub phases: Vec<Phase>,
    /// How the title and the heading levels were chosen; never serialized.
    #[serde(skip)]
    pub why: Why,
}

/// Where a checklist came from; records pin the `sha256` so a run knows its exact text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    pub path: String,
    pub format: SourceFormat,
    pub sha256: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceFormat {
    Markdown,
    Yaml,
}

/// A run field collected before the walk starts (Version, Git Commit, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Field {
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contact {
    pub role: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Phase {
    pub id: String,
    pub title: String,
    pub kind: PhaseKind,
    pub sections: Vec<Section>,
    #[serde(skip)]
    pub why: Why,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PhaseKind {
    /// Walked on every run.
    Steps,
    /// Walked only once a rollback has started.
    Rollback,
    /// Holds the sign-off sections of the roles that approve the run.
    Signoff,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    pub id: String,
    pub title: String,
    pub kind: SectionKind,
    /// The approving role; set exactly when `kind` is [`SectionKind::Signoff`].
    pub role: Option<String>,
    /// Empty means the section applies to every environment.
    pub environments: Vec<String>,
    pub optional: bool,
    /// When the section is due, after the deployment moment: `First Week` is 0 to 7 days.
    pub window: Option<Window>,
    /// Completing this section is the deployment moment the windows count from (by
    /// default, the last section before the first windowed one).
    pub anchor: bool,
    pub items: Vec<Item>,
    #[serde(skip)]
    pub why: Why,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SectionKind {
    Steps,
    /// Rollback decision criteria: the operator answers whether each condition holds.
    Triggers,
    /// A role's statements, confirmed and then signed.
    Signoff,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    /// The full path (`phase/section/item`, children under their parent's path).
    pub id: String,
    pub text: String,
    pub optional: bool,
    /// Why an optional item applies only sometimes, as its source says: `if needed`.
    pub condition: Option<String>,
    /// 1-based line in the source file; `None` for formats without positions.
    pub line: Option<u32>,
    /// The command that gathers this item's evidence, run only when a person asks.
    /// Boxed, like the threshold: few items have one.
    pub check: Option<Box<Check>>,
    /// Boxed: few items have one, and every item would otherwise carry its full size.
    pub threshold: Option<Box<Threshold>>,
    pub children: Vec<Item>,
    /// A heading-like line (a plain bullet in Markdown) that only holds items: its status
    /// is its children's, and it is not counted as an item of its own.
    pub group: bool,
    /// Its children are alternatives: one of them done is enough.
    pub choice: bool,
    #[serde(skip)]
    pub why: Why,
}

/// What the parser inferred about a part of the tree, and from what: `show` prints it so an
/// author can trust or correct it, and `validate --strict` reports the doubtful ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// What was decided: `optional`, `threshold`, `sign-off`, `title`, ...
    pub what: &'static str,
    /// The evidence, as the source has it: `"if needed"`, `"**Signed:**" at line 301`.
    pub why: String,
    pub line: Option<u32>,
    /// A guess a careful author should confirm.
    pub doubtful: bool,
}

/// The notes on one part of the tree. Commentary, not content: two trees that differ only
/// in how they were inferred are the same tree, so equality ignores it. Boxed because
/// most items have none.
#[derive(Debug, Clone, Default)]
pub struct Why(Option<Box<[Note]>>);

impl PartialEq for Why {
    fn eq(&self, _: &Why) -> bool {
        true
    }
}

impl Why {
    pub fn add(&mut self, what: &'static str, why: impl Into<String>, line: Option<u32>) {
        self.push(Note {
            what,
            why: why.into(),
            line,
            doubtful: false,
        });
    }

    pub fn doubt(&mut self, what: &'static str, why: impl Into<String>, line: Option<u32>) {
        self.push(Note {
            what,
            why: why.into(),
            line,
            doubtful: true,
        });
    }

    fn push(&mut self, note: Note) {
        // A handful of notes at most, so growing by one each time costs nothing; the first,
        // and for most items the only one, is a single allocation.
        self.0 = Some(match self.0.take() {
            None => Box::new([note]),
            Some(notes) => {
                let mut notes = notes.into_vec();
                notes.push(note);
                notes.into_boxed_slice()
            }
        });
    }

    /// Drops the notes about `what`: a later rule overruled them.
    pub fn forget(&mut self, what: &str) {
        if let Some(notes) = self.0.take() {
            let kept: Vec<Note> = notes
                .into_vec()
                .into_iter()
                .filter(|n| n.what != what)
                .collect();
            self.0 = (!kept.is_empty()).then(|| kept.into_boxed_slice());
        }
    }

    pub fn notes(&self) -> &[Note] {
        self.0.as_deref().unwrap_or(&[])
    }
}

impl Checklist {
    /// Every environment some section is scoped to, sorted and without repeats.
    pub fn environments(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .phases
            .iter()
            .flat_map(|phase| &phase.sections)
            .flat_map(|section| section.environments.iter().cloned())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// The tree as the walk for `environment` sees it: sections scoped elsewhere are gone,
    /// and so are phases left with no sections.
    pub fn for_environment(&self, environment: &str) -> Checklist {
        self.clone().into_environment(environment)
    }

    /// As [`Checklist::for_environment`], taking the tree instead of copying it.
    pub fn into_environment(mut self, environment: &str) -> Checklist {
        for phase in &mut self.phases {
            phase
                .sections
                .retain(|section| section.applies_to(environment));
        }
        self.phases.retain(|phase| !phase.sections.is_empty());
        self
    }

    /// Every item, children included, in file order.
    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.phases
            .iter()
            .flat_map(|phase| &phase.sections)
            .flat_map(|section| section.all_items())
    }

    /// Every part of the tree that could have been inferred wrong, with its notes.
    pub fn all_notes(&self) -> impl Iterator<Item = &Note> {
        self.why
            .notes()
            .iter()
            .chain(self.phases.iter().flat_map(|phase| {
                phase
                    .why
                    .notes()
                    .iter()
                    .chain(phase.sections.iter().flat_map(|section| {
                        section
                            .why
                            .notes()
                            .iter()
                            .chain(section.all_items().flat_map(|item| item.why.notes()))
                    }))
            }))
    }

    /// The section whose completion is the deployment moment that windows count from: the
    /// one marked as the anchor, else the last walked section before the first one with a
    /// window. `None` when no section has a window, or when a windowed section comes
    /// first (the moment is then the start of the run). As `(phase, section)` indexes.
    pub fn anchor_section(&self) -> Option<(usize, usize)> {
        let sections = || {
            self.phases.iter().enumerate().flat_map(|(p, phase)| {
                phase
                    .sections
                    .iter()
                    .enumerate()
                    .map(move |(s, section)| (p, s, phase, section))
            })
        };
        if let Some((p, s, ..)) = sections().find(|(.., section)| section.anchor) {
            return Some((p, s));
        }
        let mut last = None;
        for (p, s, phase, section) in sections() {
            if section.window.is_some() {
                return last;
            }
            let walked = section.kind != SectionKind::Signoff
                && !(phase.kind == PhaseKind::Rollback && section.kind == SectionKind::Steps);
            if walked {
                last = Some((p, s));
            }
        }
        None
    }

    /// Items an operator answers or derives: groups are headings, not items.
    pub fn item_count(&self) -> usize {
        self.items().filter(|i| !i.group).count()
    }

    /// Items the walk for `environment` has, counted without filtering a copy of the tree.
    pub fn item_count_in(&self, environment: &str) -> usize {
        self.phases
            .iter()
            .flat_map(|phase| &phase.sections)
            .filter(|section| section.applies_to(environment))
            .map(|section| section.all_items().filter(|i| !i.group).count())
            .sum()
    }
}

impl Section {
    pub fn applies_to(&self, environment: &str) -> bool {
        self.environments.is_empty() || self.environments.iter().any(|e| e == environment)
    }

    /// Every item in the section, parents before their children, in file order.
    pub fn all_items(&self) -> ItemWalk<'_> {
        ItemWalk {
            stack: self.items.iter().rev().collect(),
        }
    }
}

/// Depth-first iteration without recursion, so arbitrarily deep trees cannot overflow the stack.
pub struct ItemWalk<'a> {
    stack: Vec<&'a Item>,
}

impl<'a> Iterator for ItemWalk<'a> {
    type Item = &'a Item;

    fn next(&mut self) -> Option<&'a Item> {
        let item = self.stack.pop()?;
        self.stack.extend(item.children.iter().rev());
        Some(item)
    }
}
