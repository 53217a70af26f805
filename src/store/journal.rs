//! The journal: one JSON object per line, appended as the run goes and fsynced before the
//! next question is put to a person, so that killing the process at any moment loses no
//! answer that was followed by a prompt.
//!
//! Events name items, fields and roles by ID and name, never by position, so a journal
//! still replays after the checklist changed. Appending costs the same whatever the size of
//! the checklist; only the first line (the start, with the walk's item list for telling
//! what changed on resume) grows with it.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model::{RecordChecklist, Status};

pub const JOURNAL_SCHEMA: &str = "deploycheck/journal/v1";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalStart {
    pub schema: String,
    pub checklist: RecordChecklist,
    pub environment: String,
    pub operator: String,
    pub host: String,
    pub at: String,
    /// `[id, fingerprint of its text]` for every item walked, to say what was added,
    /// removed or reworded when the run resumes (see [`text_fingerprint`]).
    pub items: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum JournalEvent {
    Start(JournalStart),
    Resume {
        operator: String,
        host: String,
        at: String,
    },
    Field {
        name: String,
        value: Option<String>,
        at: String,
        by: String,
    },
    Answer {
        id: String,
        status: Status,
        reason: Option<String>,
        value: Option<String>,
        at: String,
        by: String,
    },
    Note {
        id: String,
        text: String,
        at: String,
        by: String,
    },
    Signoff {
        role: String,
        name: Option<String>,
        refused: Option<String>,
        at: String,
        by: String,
    },
    Rollback {
        at: String,
        by: String,
    },
    Decline {
        reason: String,
        at: String,
        by: String,
    },
    Undo {
        at: String,
        by: String,
    },
    /// The run stopped unfinished (quit, end of input, interrupt); it can resume.
    Stop {
        reason: String,
        at: String,
    },
    Finish {
        at: String,
    },
    /// A newer run replaced this unfinished one.
    Abandon {
        at: String,
        by: String,
    },
}

/// A short, stable fingerprint of an item's text (FNV-1a, 64 bits, hex): enough to tell a
/// reworded item on resume without copying every text into the journal.
pub fn text_fingerprint(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in text.as_bytes() {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

impl JournalEvent {
    /// Whether the run this journal belongs to can still be resumed after this event.
    pub fn closes_run(&self) -> bool {
        matches!(
            self,
            JournalEvent::Finish { .. } | JournalEvent::Abandon { .. }
        )
    }
}

/// An open journal, appended to by one process (the run lock sees to that).
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    writer: BufWriter<File>,
    unsynced: bool,
}

impl Journal {
    /// Creates a new journal whose first line is the start event, made durable at once.
    pub fn create(path: &Path, start: JournalStart) -> std::io::Result<Journal> {
        let file = OpenOptions::new().write(true).create_new(true).open(path)?;
        let mut journal = Journal {
            path: path.to_path_buf(),
            writer: BufWriter::new(file),
            unsynced: false,
        };
        journal.append(&JournalEvent::Start(start))?;
        journal.sync()?;
        if let Some(dir) = path.parent() {
            // The new directory entry must survive a crash too.
            File::open(dir)?.sync_all()?;
        }
        Ok(journal)
    }

    /// Opens an existing journal to append to, first cutting off a line a crash left half
    /// written, so the next event starts on a line of its own.
    pub fn reopen(path: &Path, valid_len: u64) -> std::io::Result<Journal> {
        let file = OpenOptions::new().write(true).open(path)?;
        if file.metadata()?.len() != valid_len {
            file.set_len(valid_len)?;
            file.sync_all()?;
        }
        let mut file = file;
        use std::io::Seek;
        file.seek(std::io::SeekFrom::End(0))?;
        Ok(Journal {
            path: path.to_path_buf(),
            writer: BufWriter::new(file),
            unsynced: false,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Buffers one event; [`Journal::sync`] makes it durable.
    pub fn append(&mut self, event: &JournalEvent) -> std::io::Result<()> {
        serde_json::to_writer(&mut self.writer, event)?;
        self.writer.write_all(b"\n")?;
        self.unsynced = true;
        Ok(())
    }

    /// Flushes and fsyncs what was appended; a no-op when nothing was.
    pub fn sync(&mut self) -> std::io::Result<()> {
        if self.unsynced {
            self.writer.flush()?;
            self.writer.get_ref().sync_data()?;
            self.unsynced = false;
        }
        Ok(())
    }
}

/// What a journal holds: its start, the events after it with their line numbers, and
/// whether the last line was cut off by a crash (and ignored).
#[derive(Debug, Clone)]
pub struct JournalContents {
    pub start: JournalStart,
    pub events: Vec<(usize, JournalEvent)>,
    pub torn_tail: bool,
    /// Bytes up to the end of the last whole line: where appending resumes.
    pub valid_len: u64,
}

impl JournalContents {
    pub fn is_open(&self) -> bool {
        !self.events.last().is_some_and(|(_, e)| e.closes_run())
    }

    /// Item answers still standing: each undo takes back the last undoable event, which
    /// may be a field, a note or a sign-off rather than an answer.
    pub fn answered(&self) -> usize {
        let mut undoable: Vec<bool> = Vec::new();
        for (_, event) in &self.events {
            match event {
                JournalEvent::Answer { .. } => undoable.push(true),
                JournalEvent::Field { .. }
                | JournalEvent::Note { .. }
                | JournalEvent::Signoff { .. }
                | JournalEvent::Rollback { .. }
                | JournalEvent::Decline { .. } => undoable.push(false),
                JournalEvent::Undo { .. } => {
                    undoable.pop();
                }
                _ => {}
            }
        }
        undoable.into_iter().filter(|&answer| answer).count()
    }
}

/// Reads a journal. A last line without its newline, or that does not parse, is what a
/// crash mid-write leaves, and is dropped; a bad line anywhere else is an error.
pub fn read_journal(path: &Path) -> Result<JournalContents, String> {
    let shown = path.display();
    let bytes = std::fs::read(path).map_err(|e| format!("{shown}: cannot read: {e}"))?;
    let mut events = Vec::new();
    let mut start = None;
    let mut torn_tail = false;
    let mut valid_len = 0u64;
    let mut offset = 0usize;
    let mut line_number = 0usize;
    while offset < bytes.len() {
        line_number += 1;
        let (line, complete) = match bytes[offset..].iter().position(|&b| b == b'\n') {
            Some(end) => (&bytes[offset..offset + end], true),
            None => (&bytes[offset..], false),
        };
        let next = offset + line.len() + usize::from(complete);
        let parsed = serde_json::from_slice::<JournalEvent>(line);
        match parsed {
            Ok(event) if complete => {
                match event {
                    JournalEvent::Start(s) if start.is_none() => start = Some(s),
                    JournalEvent::Start(_) => {
                        return Err(format!(
                            "{shown}:{line_number}: a second start event; the journal is damaged"
                        ));
                    }
                    other if start.is_some() => events.push((line_number, other)),
                    _ => {
                        return Err(format!(
                            "{shown}:{line_number}: the journal does not begin with a start event"
                        ));
                    }
                }
                valid_len = next as u64;
            }
            _ if next >= bytes.len() => {
                // The last line: torn by a crash. Everything before it stands.
                torn_tail = true;
            }
            Err(e) => {
                return Err(format!(
                    "{shown}:{line_number}: damaged journal line ({e}); deploycheck cannot resume this run"
                ));
            }
            Ok(_) => unreachable!("an incomplete line is always the last"),
        }
        offset = next;
    }
    let start = start.ok_or_else(|| format!("{shown}: empty journal"))?;
    Ok(JournalContents {
        start,
        events,
        torn_tail,
        valid_len,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start() -> JournalStart {
        JournalStart {
            schema: JOURNAL_SCHEMA.into(),
            checklist: RecordChecklist {
                title: "T".into(),
                path: "checklists/t.md".into(),
                sha256: "ab".into(),
            },
            environment: "production".into(),
            operator: "dana".into(),
            host: "ops-1".into(),
            at: "2026-11-23T10:00:00+00:00".into(),
            items: vec![("p/s/a".into(), "a".into())],
        }
    }

    fn answer(n: u32) -> JournalEvent {
        JournalEvent::Answer {
            id: "p/s/a".into(),
            status: Status::Done,
            reason: None,
            value: None,
            at: format!("2026-11-23T10:00:{n:02}+00:00"),
            by: "dana".into(),
        }
    }

    #[test]
    fn events_round_trip_and_a_torn_last_line_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run.journal");
        let mut journal = Journal::create(&path, start()).unwrap();
        journal.append(&answer(1)).unwrap();
        journal.append(&answer(2)).unwrap();
        journal.sync().unwrap();
        drop(journal);
        let whole = std::fs::read(&path).unwrap();
        // A crash mid-write: half of a third event.
        let mut torn = whole.clone();
        torn.extend_from_slice(br#"{"event":"answer","id":"p/s"#);
        std::fs::write(&path, &torn).unwrap();
        let contents = read_journal(&path).unwrap();
        assert_eq!(contents.events.len(), 2);
        assert!(contents.torn_tail);
        assert_eq!(contents.valid_len, whole.len() as u64);
        // Appending after a torn tail starts on a clean line.
        let mut journal = Journal::reopen(&path, contents.valid_len).unwrap();
        journal.append(&answer(3)).unwrap();
        journal.sync().unwrap();
        let contents = read_journal(&path).unwrap();
        assert_eq!(contents.events.len(), 3);
        assert!(!contents.torn_tail);
        assert_eq!(contents.answered(), 3);
    }

    #[test]
    fn an_undo_of_a_field_does_not_count_against_answers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run.journal");
        let mut journal = Journal::create(&path, start()).unwrap();
        journal.append(&answer(1)).unwrap();
        let meta = ("2026-11-23T10:00:05+00:00".to_string(), "dana".to_string());
        journal
            .append(&JournalEvent::Field {
                name: "Version".into(),
                value: None,
                at: meta.0.clone(),
                by: meta.1.clone(),
            })
            .unwrap();
        journal
            .append(&JournalEvent::Undo {
                at: meta.0,
                by: meta.1,
            })
            .unwrap();
        journal.sync().unwrap();
        assert_eq!(read_journal(&path).unwrap().answered(), 1);
    }

    #[test]
    fn a_damaged_line_in_the_middle_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run.journal");
        let mut journal = Journal::create(&path, start()).unwrap();
        journal.append(&answer(1)).unwrap();
        journal.sync().unwrap();
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.extend_from_slice(b"garbage\n");
        bytes.extend_from_slice(&serde_json::to_vec(&answer(2)).unwrap());
        bytes.push(b'\n');
        std::fs::write(&path, bytes).unwrap();
        let error = read_journal(&path).unwrap_err();
        assert!(error.contains(":3: damaged journal line"), "{error}");
    }
}
