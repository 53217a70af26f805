//! A run: the walk, its journal and its record, joined. Every event is checked by the walk
//! before it is journaled, so a rejected answer never reaches the disk, and an accepted one
//! is in the journal before the next prompt (the session calls [`Run::sync`] before it asks).

pub mod answers;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use crate::engine::{Effect, Event, Meta, Plan, SignoffOutcome, Walk, WalkError};
use crate::model::{RECORD_SCHEMA, Record, RecordChecklist};
use crate::store::{
    Journal, JournalContents, JournalEvent, JournalStart, RunFiles, record_to_yaml,
    text_fingerprint, write_atomically,
};

/// What does not change while a run goes on.
#[derive(Debug, Clone)]
pub struct RunHeader {
    pub checklist: RecordChecklist,
    pub environment: String,
    /// Who started the run.
    pub operator: String,
    pub host: String,
    pub started_at: String,
}

#[derive(Debug)]
pub struct Run {
    pub walk: Walk,
    pub header: RunHeader,
    journal: Journal,
    record_path: PathBuf,
    finished_at: Option<String>,
}

/// What resuming found: changes to the checklist since the run started, and journal events
/// that no longer apply.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ResumeReport {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub reworded: Vec<String>,
    pub checklist_changed: bool,
    pub dropped_events: Vec<String>,
    pub torn_tail: bool,
}

impl Run {
    /// Starts a new run: the journal is created, with its start event durable, before
    /// anything is asked.
    pub fn start(
        plan: Plan,
        header: RunHeader,
        files: &RunFiles,
        stem: &str,
    ) -> std::io::Result<Run> {
        std::fs::create_dir_all(&files.records_dir)?;
        let start = JournalStart {
            schema: crate::store::JOURNAL_SCHEMA.to_string(),
            checklist: header.checklist.clone(),
            environment: header.environment.clone(),
            operator: header.operator.clone(),
            host: header.host.clone(),
            at: header.started_at.clone(),
            items: plan
                .items
                .iter()
                .map(|i| (i.id.clone(), i.text.clone()))
                .collect(),
        };
        let journal = Journal::create(&files.journal_path(stem), start)?;
        Ok(Run {
            walk: Walk::new(plan),
            header,
            journal,
            record_path: files.record_path(stem),
            finished_at: None,
        })
    }

    /// Resumes the run a journal belongs to: its events are replayed into a fresh walk of
    /// the current checklist; what no longer applies is reported, not applied.
    pub fn resume(
        plan: Plan,
        contents: &JournalContents,
        journal_path: PathBuf,
        record_path: PathBuf,
        current_sha256: &str,
    ) -> std::io::Result<(Run, ResumeReport)> {
        let start = &contents.start;
        let mut report = ResumeReport {
            checklist_changed: start.checklist.sha256 != current_sha256,
            torn_tail: contents.torn_tail,
            ..ResumeReport::default()
        };
        if report.checklist_changed {
            let before: HashMap<&str, &str> = start
                .items
                .iter()
                .map(|(id, t)| (id.as_str(), t.as_str()))
                .collect();
            let now: HashSet<&str> = plan.items.iter().map(|i| i.id.as_str()).collect();
            for item in &plan.items {
                match before.get(item.id.as_str()) {
                    None => report.added.push(item.id.clone()),
                    Some(fingerprint) if *fingerprint != text_fingerprint(&item.text) => {
                        report.reworded.push(item.id.clone());
                    }
                    Some(_) => {}
                }
            }
            report.removed = start
                .items
                .iter()
                .filter(|(id, _)| !now.contains(id.as_str()))
                .map(|(id, _)| id.clone())
                .collect();
        }
        let mut walk = Walk::new(plan);
        // Whether each undoable event was applied, so that an undo after a dropped event
        // does not take back something else.
        let mut applied: Vec<bool> = Vec::new();
        for (line, event) in &contents.events {
            let Some((walk_event, meta)) = walk_event(walk.plan(), event) else {
                if let Some(what) = describe_dropped(event) {
                    report
                        .dropped_events
                        .push(format!("journal line {line}: {what}"));
                    applied.push(false);
                }
                continue;
            };
            if matches!(walk_event, Event::Undo) {
                if applied.pop().unwrap_or(false) {
                    let _ = walk.apply(walk_event, &meta);
                }
                continue;
            }
            match walk.apply(walk_event, &meta) {
                Ok(_) => applied.push(true),
                Err(error) => {
                    report
                        .dropped_events
                        .push(format!("journal line {line}: {error}"));
                    applied.push(false);
                }
            }
        }
        let journal = Journal::reopen(&journal_path, contents.valid_len)?;
        let header = RunHeader {
            checklist: RecordChecklist {
                sha256: current_sha256.to_string(),
                ..start.checklist.clone()
            },
            environment: start.environment.clone(),
            operator: start.operator.clone(),
            host: start.host.clone(),
            started_at: start.at.clone(),
        };
        let run = Run {
            walk,
            header,
            journal,
            record_path,
            finished_at: None,
        };
        Ok((run, report))
    }

    pub fn record_path(&self) -> &std::path::Path {
        &self.record_path
    }

    pub fn journal_path(&self) -> &std::path::Path {
        self.journal.path()
    }

    /// Applies an event to the walk and, if the walk accepts it, appends it to the journal.
    pub fn apply(&mut self, event: Event, meta: &Meta) -> Result<Vec<Effect>, RunError> {
        let journal_event = journal_event(self.walk.plan(), &event, meta);
        let effects = self.walk.apply(event, meta)?;
        self.journal
            .append(&journal_event)
            .map_err(RunError::Journal)?;
        Ok(effects)
    }

    /// Makes everything applied so far durable. Called before every prompt to a person.
    pub fn sync(&mut self) -> Result<(), RunError> {
        self.journal.sync().map_err(RunError::Journal)
    }

    pub fn note_resumed(&mut self, operator: &str, host: &str, at: &str) -> Result<(), RunError> {
        self.journal
            .append(&JournalEvent::Resume {
                operator: operator.to_string(),
                host: host.to_string(),
                at: at.to_string(),
            })
            .map_err(RunError::Journal)?;
        self.sync()
    }

    /// Records that the run stopped, finished or not, and writes the record.
    pub fn close(&mut self, finished: bool, reason: &str, at: &str) -> Result<Record, RunError> {
        let event = if finished {
            JournalEvent::Finish { at: at.to_string() }
        } else {
            JournalEvent::Stop {
                reason: reason.to_string(),
                at: at.to_string(),
            }
        };
        self.end_with(event, at)
    }

    /// Closes an unfinished run that a newer one replaces, writing its record as it stands.
    pub fn abandon(&mut self, by: &str, at: &str) -> Result<Record, RunError> {
        let event = JournalEvent::Abandon {
            at: at.to_string(),
            by: by.to_string(),
        };
        self.end_with(event, at)
    }

    fn end_with(&mut self, event: JournalEvent, at: &str) -> Result<Record, RunError> {
        self.journal.append(&event).map_err(RunError::Journal)?;
        self.sync()?;
        self.finished_at = Some(at.to_string());
        let record = self.record();
        write_atomically(&self.record_path, record_to_yaml(&record).as_bytes())
            .map_err(RunError::Record)?;
        Ok(record)
    }

    /// The record as it stands.
    pub fn record(&mut self) -> Record {
        let mut record = Record {
            schema: RECORD_SCHEMA.to_string(),
            checklist: self.header.checklist.clone(),
            environment: self.header.environment.clone(),
            fields: self.walk.record_fields(),
            operator: self.header.operator.clone(),
            host: self.header.host.clone(),
            started_at: self.header.started_at.clone(),
            finished_at: self.finished_at.clone(),
            items: self.walk.record_items(),
            rollback: self.walk.record_rollback(),
            signoffs: self.walk.record_signoffs(),
            verdict: self.walk.verdict(),
            digest: String::new(),
            signatures: Vec::new(),
        };
        record.seal();
        record
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Walk(#[from] WalkError),
    #[error("cannot write the journal: {0}")]
    Journal(#[source] std::io::Error),
    #[error("cannot write the run record: {0}")]
    Record(#[source] std::io::Error),
}

fn journal_event(plan: &Plan, event: &Event, meta: &Meta) -> JournalEvent {
    let at = meta.at.clone();
    let by = meta.by.clone();
    match event {
        Event::Field { index, value } => JournalEvent::Field {
            name: plan.fields.get(*index).cloned().unwrap_or_default(),
            value: value.clone(),
            at,
            by,
        },
        Event::Answer {
            item,
            status,
            reason,
            value,
        } => JournalEvent::Answer {
            id: plan
                .items
                .get(*item)
                .map(|i| i.id.clone())
                .unwrap_or_default(),
            status: *status,
            reason: reason.clone(),
            value: value.clone(),
            at,
            by,
        },
        Event::Note { item, text } => JournalEvent::Note {
            id: plan
                .items
                .get(*item)
                .map(|i| i.id.clone())
                .unwrap_or_default(),
            text: text.clone(),
            at,
            by,
        },
        Event::Signoff { role, outcome } => {
            let (name, refused) = match outcome {
                SignoffOutcome::Signed(name) => (Some(name.clone()), None),
                SignoffOutcome::Refused(reason) => (None, Some(reason.clone())),
            };
            JournalEvent::Signoff {
                role: plan
                    .roles
                    .get(*role)
                    .map(|r| r.role.clone())
                    .unwrap_or_default(),
                name,
                refused,
                at,
                by,
            }
        }
        Event::StartRollback => JournalEvent::Rollback { at, by },
        Event::DeclineRollback { reason } => JournalEvent::Decline {
            reason: reason.clone(),
            at,
            by,
        },
        Event::Undo => JournalEvent::Undo { at, by },
    }
}

/// The walk event a journal line stands for, or `None` when it names something the
/// checklist no longer has (or is not a walk event at all).
fn walk_event(plan: &Plan, event: &JournalEvent) -> Option<(Event, Meta)> {
    let meta = |at: &str, by: &str| Meta {
        at: at.to_string(),
        by: by.to_string(),
    };
    Some(match event {
        JournalEvent::Field {
            name,
            value,
            at,
            by,
        } => (
            Event::Field {
                index: plan.field_index(name)?,
                value: value.clone(),
            },
            meta(at, by),
        ),
        JournalEvent::Answer {
            id,
            status,
            reason,
            value,
            at,
            by,
        } => (
            Event::Answer {
                item: plan.item_index(id)?,
                status: *status,
                reason: reason.clone(),
                value: value.clone(),
            },
            meta(at, by),
        ),
        JournalEvent::Note { id, text, at, by } => (
            Event::Note {
                item: plan.item_index(id)?,
                text: text.clone(),
            },
            meta(at, by),
        ),
        JournalEvent::Signoff {
            role,
            name,
            refused,
            at,
            by,
        } => {
            let outcome = match (name, refused) {
                (Some(name), _) => SignoffOutcome::Signed(name.clone()),
                (None, Some(reason)) => SignoffOutcome::Refused(reason.clone()),
                (None, None) => return None,
            };
            (
                Event::Signoff {
                    role: plan.role_index(role)?,
                    outcome,
                },
                meta(at, by),
            )
        }
        JournalEvent::Rollback { at, by } => (Event::StartRollback, meta(at, by)),
        JournalEvent::Decline { reason, at, by } => (
            Event::DeclineRollback {
                reason: reason.clone(),
            },
            meta(at, by),
        ),
        JournalEvent::Undo { at, by } => (Event::Undo, meta(at, by)),
        _ => return None,
    })
}

/// For the resume report: what an undoable journal event was about.
fn describe_dropped(event: &JournalEvent) -> Option<String> {
    Some(match event {
        JournalEvent::Field { name, .. } => {
            format!("run field `{name}` is no longer in the checklist")
        }
        JournalEvent::Answer { id, .. } => format!("answer for `{id}`, no longer in the checklist"),
        JournalEvent::Note { id, .. } => format!("note on `{id}`, no longer in the checklist"),
        JournalEvent::Signoff { role, .. } => {
            format!("sign-off of `{role}`, no longer in the checklist")
        }
        _ => return None,
    })
}
