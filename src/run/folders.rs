//! Finding the runs of a checklist and environment, and never leaving one stranded.
//!
//! Finished runs are told from open ones by their journal's last line alone, so looking
//! through years of run folders reads a few kilobytes of each. A finished run whose record
//! is missing or does not match its finish line (the process was killed between the two
//! writes, or the disk filled) gets its record written again from the journal, here and
//! whenever `report` or `verify` reads that run.

use crate::engine::{Event, replay};
use crate::model::Record;
use crate::store::{
    JournalContents, JournalError, RunFolder, RunFolders, fingerprint, last_event, read_journal,
    sealed_record_bytes,
};

/// What looking through the run folders found.
#[derive(Debug, Default)]
pub struct Found {
    /// The newest run of this checklist and environment that can still be resumed.
    pub open: Option<(RunFolder, JournalContents)>,
    /// Things worth telling the operator: records rebuilt, folders ignored.
    pub notes: Vec<FolderNote>,
}

#[derive(Debug)]
pub enum FolderNote {
    /// A finished run's record was missing or stale, and was written from its journal.
    Rebuilt(RunFolder),
    /// A journal that cannot be read: it is left alone and never blocks a new run.
    Unreadable(JournalError),
    /// The process died before the run's first line was whole: nothing was asked in it.
    NeverStarted(RunFolder),
    /// The journal stops short of the finish its record shows: cut, not open. Resuming it
    /// would write over a finished record.
    CutShort(RunFolder),
}

impl std::fmt::Display for FolderNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FolderNote::Rebuilt(folder) => write!(
                f,
                "{}: the run had finished but its record was missing or incomplete; it was written again from the journal",
                folder.record_path().display()
            ),
            FolderNote::Unreadable(error) => {
                write!(
                    f,
                    "{error}; that run cannot be resumed, and is left as it is"
                )
            }
            FolderNote::NeverStarted(folder) => write!(
                f,
                "{}: a run that never started (killed before its first line was written); ignored",
                folder.path.display()
            ),
            FolderNote::CutShort(folder) => write!(
                f,
                "{}: its journal ends before the finish its record shows, so it was cut short; the run is not resumed (`deploycheck verify {}` says more)",
                folder.path.display(),
                folder.path.display()
            ),
        }
    }
}

/// Looks through the run folders of a checklist and environment, newest first.
pub fn find_runs(folders: &RunFolders) -> Found {
    let mut found = Found::default();
    for folder in folders.candidates() {
        let journal = folder.journal_path();
        if std::fs::symlink_metadata(&journal).is_err() {
            continue;
        }
        match last_event(&journal) {
            Some(Event::Finish { record_sha256, .. } | Event::Abandon { record_sha256, .. }) => {
                if may_be_stranded(&folder) {
                    match settle_run(&folder, Some(&record_sha256)) {
                        Ok(true) => found.notes.push(FolderNote::Rebuilt(folder)),
                        Ok(false) => {}
                        Err(error) => found.notes.push(FolderNote::Unreadable(error)),
                    }
                }
                continue;
            }
            _ if found.open.is_some() => continue,
            _ => {}
        }
        match read_journal(&journal) {
            Err(error) if error.never_started() => {
                found.notes.push(FolderNote::NeverStarted(folder))
            }
            Err(error) => found.notes.push(FolderNote::Unreadable(error)),
            Ok(contents) => {
                let Some((_, _, Event::Start(start))) = contents.entries.first() else {
                    continue;
                };
                if start.checklist.path != folders.checklist_path
                    || start.environment != folders.environment
                {
                    continue;
                }
                if record_shows_finished(&folder) {
                    found.notes.push(FolderNote::CutShort(folder));
                    continue;
                }
                match replay(contents.entries.iter().cloned()) {
                    Ok(walk) if walk.is_open() => found.open = Some((folder, contents)),
                    Ok(_) => {
                        // Closed on a line `last_event` could not read alone.
                        if let Ok(true) = settle_run(&folder, None) {
                            found.notes.push(FolderNote::Rebuilt(folder));
                        }
                    }
                    Err(error) => found
                        .notes
                        .push(FolderNote::Unreadable(JournalError::Damaged {
                            path: journal,
                            line: error.line,
                            what: error.message,
                        })),
                }
            }
        }
    }
    found
}

/// Whether the run's record says it finished (a finish time, and not stopped): read from
/// the top-level lines before its items, a few kilobytes whatever the run's size. A
/// journal still open beside such a record was cut short.
pub fn record_shows_finished(folder: &RunFolder) -> bool {
    let Some(head) = crate::input::head(&folder.record_path(), 1 << 20) else {
        return false;
    };
    let (mut finished, mut stopped) = (false, true);
    for line in head.lines().take_while(|l| !l.starts_with("items:")) {
        if let Some(value) = line.strip_prefix("finished_at:") {
            finished = !matches!(value.trim(), "" | "null" | "~");
        } else if let Some(value) = line.strip_prefix("stopped:") {
            stopped = !matches!(value.trim(), "null" | "~");
        }
    }
    finished && !stopped
}

/// Whether a run's record may need writing again from its journal: it has a journal, and
/// its record is not the length the journal's finish line names. Read from the journal's
/// last line alone, so looking costs a few kilobytes whatever the run's size.
pub fn may_be_stranded(folder: &RunFolder) -> bool {
    if std::fs::symlink_metadata(folder.journal_path()).is_err() {
        return false;
    }
    let on_disk = std::fs::symlink_metadata(folder.record_path())
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len());
    match last_event(&folder.journal_path()) {
        Some(Event::Finish { record_bytes, .. } | Event::Abandon { record_bytes, .. }) => {
            on_disk != Some(record_bytes)
        }
        _ => true,
    }
}

/// Makes sure a closed run has the record its journal names, writing it from the journal
/// when it is missing or differs. `Ok(true)` when it was written.
pub fn settle_run(folder: &RunFolder, named: Option<&str>) -> Result<bool, JournalError> {
    let journal = folder.journal_path();
    let contents = read_journal(&journal)?;
    let walk = replay(contents.entries.iter().cloned()).map_err(|e| JournalError::Damaged {
        path: journal.clone(),
        line: e.line,
        what: e.message,
    })?;
    if walk.is_open() {
        return Ok(false);
    }
    let named = match named {
        Some(named) => named.to_string(),
        None => match contents.entries.last().map(|(_, _, e)| e) {
            Some(Event::Finish { record_sha256, .. } | Event::Abandon { record_sha256, .. }) => {
                record_sha256.clone()
            }
            _ => return Ok(false),
        },
    };
    // A symlink where the record belongs is not the run's record: it is replaced, never
    // read or written through.
    let linked = std::fs::symlink_metadata(folder.record_path()).is_ok_and(|m| m.is_symlink());
    // Nor is a FIFO or a device: reading one would hang, or never end.
    let special = crate::store::is_special(&folder.record_path());
    let read = if linked || special {
        Err(std::io::ErrorKind::NotFound.into())
    } else {
        std::fs::read(folder.record_path())
    };
    match read {
        Ok(bytes) if fingerprint(&bytes).0 == named => return Ok(false),
        // A record that is whole but was written before the run ended (a stop, then a
        // kill between the finish line and the final record) is stale. Anything else
        // that differs, readable or not, is evidence of an edit: it is left for
        // `verify` to report, never silently replaced.
        Ok(bytes) if !is_stale(&bytes, &walk) => return Ok(false),
        Ok(_) => {}
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(source) => {
            return Err(JournalError::Io {
                path: folder.record_path(),
                source,
            });
        }
    }
    let bytes = sealed_record_bytes(&mut walk.record_unsealed());
    folder
        .write_record(&bytes)
        .map_err(|source| JournalError::Io {
            path: folder.record_path(),
            source,
        })?;
    Ok(true)
}

/// A record the run wrote when it stopped, before it finished or was replaced: it reads
/// back, its digest holds, and it says the run was stopped for a reason of its own.
fn is_stale(bytes: &[u8], walk: &crate::engine::Walk) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    let Ok(record) = crate::yaml::from_str::<Record>(text, "record.yaml") else {
        return false;
    };
    let written_at_a_stop = record.finished_at.is_none()
        && record
            .stopped
            .as_ref()
            .is_some_and(|s| s.replaced_by.is_none());
    record.digest == record.compute_digest()
        && written_at_a_stop
        && record.sessions.len() <= walk.sessions().len()
}
