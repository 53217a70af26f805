//! Answers files: a run's answers in YAML, for CI, rehearsals and tests.
//!
//! The whole file is checked against the checklist before anything is recorded: unknown
//! IDs, roles and fields, a status that needs a reason without one, or a measured value for
//! an item with no threshold are errors naming the entry. Entries are then handed out as
//! the walk reaches them; what it never reaches is reported as unused.

use std::collections::BTreeMap;

use crate::FastSet;

use serde::{Deserialize, Deserializer};

use crate::engine::{
    Command, Event, ItemKind, Plan, Refusal, SignoffOutcome, Step, resolve_item_answer,
};
use crate::model::{How, Status};
use crate::source::Diagnostic;
use crate::yaml;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswersDocument {
    #[serde(default)]
    operator: Option<String>,
    #[serde(default)]
    fields: BTreeMap<String, Scalar>,
    #[serde(default)]
    answers: BTreeMap<String, Entry>,
    #[serde(default)]
    signoffs: BTreeMap<String, SignoffEntry>,
}

/// Any YAML scalar, as text: `Version: 1.4` is the string `1.4`, not a float.
#[derive(Debug, Clone)]
struct Scalar(Option<String>);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Scalar;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a text, number or boolean")
            }
            fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(Some(v.to_string())))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(Some(v.to_string())))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(Some(v.to_string())))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(Some(v.to_string())))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(Some(v.to_string())))
            }
            fn visit_unit<E>(self) -> Result<Scalar, E> {
                Ok(Scalar(None))
            }
            fn visit_none<E>(self) -> Result<Scalar, E> {
                Ok(Scalar(None))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// `done`, `180ms`, or `{status, reason, value, note}`. Deserialized by hand: serde's
/// untagged enums buffer every entry, which dominated reading a 100k-entry file.
#[derive(Debug, Clone)]
enum Entry {
    Word(Scalar),
    Full(FullEntry),
}

impl<'de> Deserialize<'de> for Entry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Entry;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a status, a measured value, or {status, reason, value, note}")
            }
            fn visit_str<E>(self, v: &str) -> Result<Entry, E> {
                Ok(Entry::Word(Scalar(Some(v.to_string()))))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Entry, E> {
                Ok(Entry::Word(Scalar(Some(v.to_string()))))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Entry, E> {
                Ok(Entry::Word(Scalar(Some(v.to_string()))))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Entry, E> {
                Ok(Entry::Word(Scalar(Some(v.to_string()))))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Entry, E> {
                Err(E::custom(format!(
                    "`{v}` is not a status (done, failed, skipped, n/a, deferred, clear, holds)"
                )))
            }
            fn visit_unit<E>(self) -> Result<Entry, E> {
                Ok(Entry::Word(Scalar(None)))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Entry, A::Error> {
                FullEntry::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(Entry::Full)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct FullEntry {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    value: Option<Scalar>,
    #[serde(default)]
    note: Option<String>,
    /// Why the item is answered before its time window opens.
    #[serde(default)]
    early: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum SignoffEntry {
    Name(String),
    Refused { refused: String },
}

/// A checked answers file, handing out events as the walk reaches their steps.
/// An answers file read, not yet checked against a checklist: reading is the slow part of
/// a large file, and needs no checklist, so it can run while the checklist loads.
#[derive(Debug)]
pub struct AnswersFile {
    document: AnswersDocument,
    text: String,
    name: String,
}

impl AnswersFile {
    pub fn read(text: &str, file: &str) -> Result<AnswersFile, Diagnostic> {
        Ok(AnswersFile {
            document: yaml::from_str(text, file)?,
            text: text.to_string(),
            name: file.to_string(),
        })
    }

    /// The operator the file names, if it names one.
    pub fn operator(&self) -> Option<&str> {
        self.document
            .operator
            .as_deref()
            .filter(|o| !o.trim().is_empty())
    }
}

/// Each slot holds its entry's name beside it, so taking an answer costs the same however
/// long the file is, and what was never taken is exactly what went unused.
#[derive(Debug, Default)]
pub struct Answers {
    pub operator: Option<String>,
    /// `(field name, value, entry name)`.
    fields: Vec<Option<(String, Option<String>, String)>>,
    items: Vec<Option<(Event, Option<String>, String)>>,
    /// `(role, outcome, entry name)`.
    signoffs: Vec<Option<(String, SignoffOutcome, String)>>,
    /// The role of each sign-off statement, so that a role's `later` is taken at its
    /// first open statement: its owner confirms them after the run.
    statement_roles: Vec<Option<usize>>,
    /// Entries for items of other environments: never reached, always unused.
    elsewhere: Vec<String>,
}

impl Answers {
    /// Parses and checks an answers file against the plan of the run it is for.
    /// `all_ids` are the IDs of the whole checklist, so that an item of another
    /// environment is reported as unused rather than unknown.
    pub fn parse(
        text: &str,
        file: &str,
        plan: &Plan,
        all_ids: &FastSet<String>,
    ) -> Result<Answers, Diagnostic> {
        Answers::check(AnswersFile::read(text, file)?, plan, all_ids)
    }

    /// Checks a read answers file against the plan of the run it is for.
    pub fn check(
        file: AnswersFile,
        plan: &Plan,
        all_ids: &FastSet<String>,
    ) -> Result<Answers, Diagnostic> {
        let AnswersFile {
            document,
            text,
            name,
        } = file;
        let (text, file) = (text.as_str(), name.as_str());
        let error = |key: &str, message: String| {
            let line = text
                .lines()
                .position(|l| l.contains(key))
                .map(|i| i as u32 + 1);
            Diagnostic::error(file, line, message)
        };
        let mut answers = Answers {
            operator: document.operator.filter(|o| !o.trim().is_empty()),
            fields: vec![None; plan.fields.len()],
            items: vec![None; plan.items.len()],
            signoffs: vec![None; plan.roles.len()],
            statement_roles: plan
                .items
                .iter()
                .map(|i| i.role.filter(|_| i.kind == ItemKind::Statement))
                .collect(),
            ..Answers::default()
        };
        for (name, value) in document.fields {
            let index = plan.field_index(&name).ok_or_else(|| {
                error(
                    &name,
                    format!(
                        "fields.{name}: no such run field (the checklist has: {})",
                        list(&plan.fields)
                    ),
                )
            })?;
            answers.fields[index] = Some((name.clone(), value.0, format!("fields.{name}")));
        }
        for (role, entry) in document.signoffs {
            let index = plan.role_index(&role).ok_or_else(|| {
                let roles: Vec<String> = plan.roles.iter().map(|r| r.role.clone()).collect();
                error(
                    &role,
                    format!(
                        "signoffs.{role}: no such sign-off role (the checklist has: {})",
                        list(&roles)
                    ),
                )
            })?;
            let outcome = signoff_outcome(entry)
                .map_err(|message| error(&role, format!("signoffs.{role}: {message}")))?;
            answers.signoffs[index] = Some((role.clone(), outcome, format!("signoffs.{role}")));
        }
        for (id, entry) in document.answers {
            let Some(index) = plan.item_index(&id) else {
                if all_ids.contains(&id) {
                    // An item of another environment: never reached, reported as unused.
                    answers.elsewhere.push(format!("answers.{id}"));
                    continue;
                }
                return Err(error(
                    &id,
                    format!("answers.{id}: no such item; `deploycheck show --ids` lists the IDs"),
                ));
            };
            let item = &plan.items[index];
            if !item.is_leaf() {
                return Err(error(
                    &id,
                    format!("answers.{id}: this item has sub-items; answer those instead"),
                ));
            }
            let (mut event, note) = item_event(plan, index, &entry)
                .map_err(|message| error(&id, format!("answers.{id}: {message}")))?;
            if let (Entry::Full(full), Event::Answer { early, .. }) = (&entry, &mut event) {
                early.clone_from(&full.early);
            }
            answers.items[index] = Some((event, note, format!("answers.{id}")));
        }
        Ok(answers)
    }

    /// Whether the file still holds an answer for a step.
    pub fn has(&self, step: Step) -> bool {
        match step {
            Step::Field(index) => self.fields.get(index).is_some_and(Option::is_some),
            Step::Item(index) => self.items.get(index).is_some_and(Option::is_some),
            Step::Signoff(role) => self.signoffs.get(role).is_some_and(Option::is_some),
        }
    }

    /// The answer the file gives for a step, taken at most once.
    pub fn take(&mut self, step: Step) -> Option<AnswerFromFile> {
        self.take_named(step).map(|(answer, _)| answer)
    }

    fn take_named(&mut self, step: Step) -> Option<(AnswerFromFile, String)> {
        match step {
            Step::Field(index) => {
                let (field, value, name) = self.fields.get_mut(index)?.take()?;
                Some((
                    AnswerFromFile::Event(Event::Field { name: field, value }, None),
                    name,
                ))
            }
            Step::Item(index) => match self.items.get_mut(index)?.take() {
                Some((event, note, name)) => Some((AnswerFromFile::Event(event, note), name)),
                // A statement the file leaves open, of a role it says signs off later:
                // the walk meets the role's `later` here, and leaves the rest to its owner.
                None => {
                    let role = (*self.statement_roles.get(index)?)?;
                    match self.signoffs.get(role)? {
                        Some((_, SignoffOutcome::Later, _)) => self.take_named(Step::Signoff(role)),
                        _ => None,
                    }
                }
            },
            Step::Signoff(role) => {
                let (role, outcome, name) = self.signoffs.get_mut(role)?.take()?;
                Some((
                    AnswerFromFile::Event(Event::Signoff { role, outcome }, None),
                    name,
                ))
            }
        }
    }

    /// Drops the entry for a step already answered (on resume), returning its name to list
    /// as ignored: it is never applied.
    pub fn discard(&mut self, step: Step) -> Option<String> {
        self.take_named(step).map(|(_, name)| name)
    }

    /// Whether the file answers this step (still untaken).
    pub fn answers(&self, step: Step) -> bool {
        match step {
            Step::Field(index) => self.fields.get(index).is_some_and(Option::is_some),
            Step::Item(index) => self.items.get(index).is_some_and(Option::is_some),
            Step::Signoff(role) => self.signoffs.get(role).is_some_and(Option::is_some),
        }
    }

    /// The value the file gives a run field, if it gives one.
    pub fn field_value(&self, index: usize) -> Option<Option<&str>> {
        let (_, value, _) = self.fields.get(index)?.as_ref()?;
        Some(value.as_deref())
    }

    /// Entries the walk never reached.
    pub fn unused(&self) -> Vec<String> {
        let fields = self.fields.iter().flatten().map(|(_, _, n)| n.clone());
        let items = self.items.iter().flatten().map(|(_, _, n)| n.clone());
        let signoffs = self.signoffs.iter().flatten().map(|(_, _, n)| n.clone());
        fields
            .chain(items)
            .chain(signoffs)
            .chain(self.elsewhere.iter().cloned())
            .collect()
    }
}

fn signoff_outcome(entry: SignoffEntry) -> Result<SignoffOutcome, Refusal> {
    match entry {
        // `later`: the role's owner signs off after the run, with `deploycheck signoff`.
        SignoffEntry::Name(name) if name.trim().eq_ignore_ascii_case("later") => {
            Ok(SignoffOutcome::Later)
        }
        SignoffEntry::Name(name) => SignoffOutcome::signed_by(&name).map_err(Refusal::from),
        SignoffEntry::Refused { refused } if !refused.trim().is_empty() => {
            Ok(SignoffOutcome::Refused(refused))
        }
        SignoffEntry::Refused { .. } => Err(Refusal::from("a refusal needs a reason")),
    }
}

/// The answer event an entry stands for, with the note it carries. A stated status beside
/// a measured value must agree with the judgement, or give a reason to override it.
fn item_event(
    plan: &Plan,
    index: usize,
    entry: &Entry,
) -> Result<(Event, Option<String>), Refusal> {
    let item = &plan.items[index];
    let parsed = entry_command(
        entry,
        item.threshold.is_some(),
        item.kind == ItemKind::Trigger,
    )?;
    let event = resolve_item_answer(plan, index, parsed.command.clone(), How::AnswersFile)?;
    let (
        Some(stated),
        Command::Measured { value, .. },
        Event::Answer {
            status: judged,
            reason: why,
            ..
        },
    ) = (parsed.stated, &parsed.command, &event)
    else {
        return Ok((event, parsed.note));
    };
    if stated == *judged {
        return Ok((event, parsed.note));
    }
    let Some(reason) = parsed.reason.clone() else {
        return Err(Refusal(format!(
            "status {stated} contradicts the measured value ({}); give a reason to override the judgement",
            why.clone().unwrap_or_else(|| format!("{value} passes"))
        )));
    };
    let command = Command::Measured {
        value: value.clone(),
        override_reason: Some(reason),
    };
    let event = resolve_item_answer(plan, index, command, How::AnswersFile)?;
    Ok((event, parsed.note))
}

/// An event from the file, with the note the entry carries (applied after the answer).
#[derive(Debug, Clone, PartialEq)]
pub enum AnswerFromFile {
    Event(Event, Option<String>),
}

/// An entry as what an operator would have typed, plus what it stated.
struct ParsedEntry {
    command: Command,
    /// The status the entry names alongside a measured value, if any.
    stated: Option<Status>,
    reason: Option<String>,
    note: Option<String>,
}

/// `done`, `180ms`, `{status: failed, reason: ...}`, `{value: 250ms, status: done, reason: ...}`.
fn entry_command(entry: &Entry, measured: bool, trigger: bool) -> Result<ParsedEntry, Refusal> {
    let status_word = |word: &str| {
        Status::from_word(word)
            .filter(|s| *s != Status::Pending)
            .ok_or_else(|| {
                format!(
                    "`{word}` is not a status (done, failed, skipped, n/a, deferred{}{})",
                    if trigger { ", clear, holds" } else { "" },
                    if measured {
                        "; or a value, or `y! REASON` for done without one"
                    } else {
                        ""
                    }
                )
            })
    };
    let measured_value = |value: &str| -> Result<Command, Refusal> {
        if !measured {
            return Err(Refusal(format!(
                "`{value}` is a measured value, but this item has no threshold"
            )));
        }
        Ok(Command::Measured {
            value: value.to_string(),
            override_reason: None,
        })
    };
    let looks_measured =
        |word: &str| word.starts_with(|c: char| c.is_ascii_digit() || c == '.' || c == '-');
    match entry {
        Entry::Word(Scalar(Some(word))) => {
            let word = word.trim();
            let command = if looks_measured(word) {
                measured_value(word)?
            } else if let Some(reason) = ["y!", "done!"]
                .iter()
                .find_map(|w| word.strip_prefix(w))
                .filter(|rest| rest.is_empty() || rest.starts_with(' '))
            {
                // `y! the limit is a setting here`, as at the prompt.
                let reason = reason.trim();
                Command::DoneWithoutValue {
                    reason: (!reason.is_empty()).then(|| reason.to_string()),
                }
            } else {
                Command::Answer {
                    status: status_word(word)?,
                    reason: None,
                }
            };
            Ok(ParsedEntry {
                command,
                stated: None,
                reason: None,
                note: None,
            })
        }
        Entry::Word(Scalar(None)) => Err("empty answer".into()),
        Entry::Full(full) => {
            let value = full.value.as_ref().and_then(|v| v.0.clone());
            let stated = full
                .status
                .as_deref()
                .map(|w| status_word(w.trim()))
                .transpose()?;
            let command = match (stated, value) {
                (_, Some(value)) => measured_value(value.trim())?,
                (Some(status), None) => Command::Answer {
                    status,
                    reason: full.reason.clone(),
                },
                (None, None) => return Err("give a status or a value".into()),
            };
            Ok(ParsedEntry {
                command,
                stated,
                reason: full.reason.clone(),
                note: full.note.clone(),
            })
        }
    }
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}
