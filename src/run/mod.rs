//! A run: the walk, its journal and its record, joined. Every event is checked by the walk
//! before it is journaled, so a refused answer never reaches the disk, and an accepted one
//! is in the journal before the next prompt (the session calls [`Run::sync`] before it
//! asks). The walk is only readable from outside: no code path changes it without
//! journaling the change.

pub mod answers;
mod drift;
mod folders;
pub mod follow_up;
mod state;

use crate::engine::{Effect, End, Event, Meta, Plan, Start, Walk, WalkError, replay};
use crate::model::{Record, RecordChecklist};
use crate::store::{
    Journal, JournalContents, RunFolder, RunFolders, StartLine, fingerprint, sealed_record_bytes,
};

pub use drift::Drift;
pub use folders::{FolderNote, Found, find_runs, may_be_stranded, settle_run};
pub use state::{Addendum, AddendumKind, Rejected, RunState, StateNote};

#[derive(Debug)]
pub struct Run {
    walk: Walk,
    journal: Journal,
    folder: RunFolder,
    /// Set for a walk of a finished run's follow-ups: the stem of its journal and addendum
    /// (`followup-<UTC time>-<operator>`), which it writes instead of the run's record.
    follow_up: Option<String>,
}

/// What resuming found: how the checklist changed since the run's last session, what of
/// the journal no longer applies, and whether a crash cut off its last line.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ResumeReport {
    pub drift: Option<Drift>,
    pub dropped: Vec<String>,
    pub torn_tail: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Walk(#[from] WalkError),
    #[error("cannot write the journal {}: {source}", path.display())]
    Journal {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write the run record {}: {source}", path.display())]
    Record {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot create the run folder in {}: {source}", path.display())]
    Folder {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Replay(String),
}

/// Past this many items a plan's start line is more than a megabyte, and takes tens of
/// milliseconds to write (27 MB at 100k items): it is then finished beside the first
/// prompt rather than before it. Every real checklist is far smaller, and its start line
/// is durable, or its failure said, before anything is shown.
const START_BESIDE_ITEMS: usize = 4_000;

/// A new journal at `path` whose first line is `start`, and the walk it begins.
fn begin(path: std::path::PathBuf, meta: &Meta, start: Start) -> Result<(Walk, Journal), RunError> {
    let when = if start.plan.items.len() > START_BESIDE_ITEMS {
        StartLine::Beside
    } else {
        StartLine::Now
    };
    // A copy of the start event for the journal: the plan in it is shared, not copied.
    let event = Event::Start(Box::new(start.clone()));
    let journal = Journal::create(&path, meta.clone(), event, when)
        .map_err(|source| RunError::Journal { path, source })?;
    Ok((Walk::start(meta, start), journal))
}

impl Run {
    /// Starts a new run in a folder of its own: the journal is created, with its start
    /// event durable before anything is asked, or, for a plan of thousands of items,
    /// before the first answer is journaled (its start line is written beside the first
    /// prompt).
    pub fn start(folders: &RunFolders, meta: &Meta, start: Start) -> Result<Run, RunError> {
        let folder = folders
            .create(&meta.at)
            .map_err(|source| RunError::Folder {
                path: folders.records_dir.clone(),
                source,
            })?;
        let (walk, journal) = begin(folder.journal_path(), meta, start)?;
        Ok(Run {
            walk,
            journal,
            folder,
            follow_up: None,
        })
    }

    /// Starts walking a finished run's follow-ups, in a journal of its own in the run's
    /// folder (`followup-<UTC time>-<operator>.jsonl`): the night's journal, which another
    /// machine wrote, is never touched.
    pub fn start_follow_up(folder: RunFolder, meta: &Meta, start: Start) -> Result<Run, RunError> {
        let stem = crate::model::follow_up_stem(&meta.at, &meta.by);
        let path = folder.path.join(format!("{stem}.jsonl"));
        let (walk, journal) = begin(path, meta, start)?;
        Ok(Run {
            walk,
            journal,
            folder,
            follow_up: Some(stem),
        })
    }

    /// Takes up a follow-up walk that was stopped (Ctrl-C, a lost connection).
    pub fn resume_follow_up(
        folder: RunFolder,
        stem: String,
        contents: &JournalContents,
        meta: &Meta,
        host: &str,
    ) -> Result<Run, RunError> {
        let path = folder.path.join(format!("{stem}.jsonl"));
        let walk = replay(contents.entries.iter().cloned())
            .map_err(|e| RunError::Replay(format!("{}: {e}", path.display())))?;
        let journal = Journal::reopen(&path, contents).map_err(|source| RunError::Journal {
            path: path.clone(),
            source,
        })?;
        let mut run = Run {
            walk,
            journal,
            folder,
            follow_up: Some(stem),
        };
        run.record_event(
            meta,
            Event::Resume {
                host: host.to_string(),
                checklist: None,
                plan: None,
            },
        )?;
        run.sync()?;
        Ok(run)
    }

    /// Whether this walks a finished run's follow-ups.
    pub fn is_follow_up(&self) -> bool {
        self.follow_up.is_some()
    }

    /// Where this run's end lands: the record, or the follow-up addendum.
    pub fn output_path(&self) -> std::path::PathBuf {
        match &self.follow_up {
            Some(stem) => self.folder.path.join(format!("{stem}.yaml")),
            None => self.folder.record_path(),
        }
    }

    /// Takes up an unfinished run: its journal is replayed, the new session journaled,
    /// and if the checklist changed since, the walk moves onto the current plan and the
    /// report says what changed and what no longer applies.
    pub fn resume(
        folder: RunFolder,
        contents: &JournalContents,
        meta: &Meta,
        host: &str,
        current: (RecordChecklist, Plan),
    ) -> Result<(Run, ResumeReport), RunError> {
        let (checklist, plan) = current;
        let mut run = Run::reopen(folder, contents)?;
        let drift = (run.walk.plan() != &plan).then(|| Drift::between(run.walk.plan(), &plan));
        let already_dropped = run.walk.dropped().len();
        let checklist_changed = run.walk.checklist() != &checklist;
        run.record_event(
            meta,
            Event::Resume {
                host: host.to_string(),
                checklist: checklist_changed.then_some(checklist),
                plan: drift.is_some().then(|| Box::new(plan)),
            },
        )?;
        run.sync()?;
        let report = ResumeReport {
            drift,
            dropped: run.walk.dropped()[already_dropped..].to_vec(),
            torn_tail: contents.torn_tail,
        };
        Ok((run, report))
    }

    /// The run a journal holds, as it stands, open to append to: no new session, no
    /// change of checklist. What closing a replaced run needs.
    pub fn reopen(folder: RunFolder, contents: &JournalContents) -> Result<Run, RunError> {
        let walk = replay(contents.entries.iter().cloned())
            .map_err(|e| RunError::Replay(format!("{}: {e}", folder.journal_path().display())))?;
        let journal = Journal::reopen(&folder.journal_path(), contents).map_err(|source| {
            RunError::Journal {
                path: folder.journal_path(),
                source,
            }
        })?;
        Ok(Run {
            walk,
            journal,
            folder,
            follow_up: None,
        })
    }

    pub fn walk(&self) -> &Walk {
        &self.walk
    }

    pub fn folder(&self) -> &RunFolder {
        &self.folder
    }

    /// Applies an event to the walk and, if the walk accepts it, appends it to the journal.
    /// Free text is cleaned of control characters first, whatever it came from.
    pub fn apply(&mut self, meta: &Meta, event: Event) -> Result<Vec<Effect>, RunError> {
        self.record_event(meta, event.cleaned())
    }

    fn record_event(&mut self, meta: &Meta, event: Event) -> Result<Vec<Effect>, RunError> {
        let effects = self.walk.apply(meta, &event)?;
        self.journal
            .append(meta, &event)
            .map_err(|source| RunError::Journal {
                path: self.journal.path().to_path_buf(),
                source,
            })?;
        Ok(effects)
    }

    /// Makes every answer applied so far durable. Called before every prompt to a person.
    /// A very large plan's start line may still be being written beside (it is durable
    /// before the first line after it is written).
    pub fn sync(&mut self) -> Result<(), RunError> {
        self.journal.sync().map_err(|source| RunError::Journal {
            path: self.journal.path().to_path_buf(),
            source,
        })
    }

    /// Records that the run stopped unfinished, and writes its record as it stands.
    pub fn stop(&mut self, meta: &Meta, reason: &str) -> Result<Record, RunError> {
        self.record_event(
            meta,
            Event::Stop {
                reason: reason.to_string(),
            },
        )?;
        self.sync()?;
        let mut record = self.walk.record_unsealed();
        // A follow-up walk lands its answers when it ends; stopped, it waits in its journal.
        if self.follow_up.is_none() {
            self.write_record(&sealed_record_bytes(&mut record))?;
        } else {
            record.seal();
        }
        Ok(record)
    }

    /// Records that the walk finished and writes the final record.
    pub fn finish(&mut self, meta: &Meta) -> Result<Record, RunError> {
        let end = End::Finished {
            at: meta.at.clone(),
        };
        self.close(meta, &end, |record_sha256, record_bytes| Event::Finish {
            record_sha256,
            record_bytes,
        })
    }

    /// Closes an unfinished run that a newer one replaces; its record is final as it stands.
    pub fn abandon(&mut self, meta: &Meta) -> Result<Record, RunError> {
        let end = End::Abandoned {
            at: meta.at.clone(),
            by: meta.by.clone(),
        };
        self.close(meta, &end, |record_sha256, record_bytes| Event::Abandon {
            record_sha256,
            record_bytes,
        })
    }

    /// Ends the run for good: the closing line names the final record's bytes and is
    /// durable before the record is written (the order is explained in `store`).
    fn close(
        &mut self,
        meta: &Meta,
        end: &End,
        closing: impl FnOnce(String, u64) -> Event,
    ) -> Result<Record, RunError> {
        let mut record = self.walk.judged_record(Some(end));
        let bytes = match &self.follow_up {
            Some(_) => {
                record.seal();
                follow_up::addendum_bytes(&self.walk, &record, &meta.at)
            }
            None => Some(sealed_record_bytes(&mut record)),
        };
        let (sha256, length) = match &bytes {
            Some(bytes) => fingerprint(bytes),
            // A follow-up walk that answered nothing leaves no addendum.
            None => (String::new(), 0),
        };
        self.record_event(meta, closing(sha256, length))?;
        self.sync()?;
        if let Some(bytes) = bytes {
            self.write_record(&bytes)?;
        }
        Ok(record)
    }

    fn write_record(&self, bytes: &[u8]) -> Result<(), RunError> {
        let path = self.output_path();
        crate::store::write_atomically(&path, bytes)
            .map_err(|source| RunError::Record { path, source })
    }
}

#[cfg(test)]
mod tests;
