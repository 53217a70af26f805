//! The journal: the run's events, one JSON object per line, appended as the run goes and
//! fsynced before the next question is put to a person.
//!
//! A line is `{"seq":N,"at":TIME,"by":WHO,"event":EVENT,"sum":HEX}`: `seq` counts lines
//! from 1, and `sum` is the first 16 hex digits of the SHA-256 of the line's own bytes up
//! to `,"sum"` with the closing brace put back. A line that is complete (it ends with a
//! newline) but whose sum, sequence number, time, status or ID does not hold is damage,
//! and reading fails naming it. The one exception is the last line without its newline:
//! that is what a crash in the middle of a write leaves, and it is dropped, because no
//! prompt followed it.
//!
//! # The order of durable writes, and why a kill at each point loses nothing
//! 1. The run folder is created and its parent fsynced.
//! 2. `journal.jsonl` is created (never through a symlink) with the start line, fsynced,
//!    and the folder fsynced. A start line of a very large plan is finished beside the
//!    first prompt, and the first answer's line waits for it. Killed before this
//!    completes, the folder holds no start line: no answer was acknowledged by a prompt
//!    yet, and the next run ignores the folder.
//! 3. Each answer is appended and fsynced before the next prompt. Killed mid-append, the
//!    torn last line is dropped on reading; it was never acknowledged by a prompt.
//! 4. When the run stops unfinished, the stop line is fsynced, then `record.yaml` is
//!    written atomically (a temporary file, fsync, rename, fsync of the folder). Killed
//!    between the two, the journal still holds every answer, the run is still open, and
//!    the next `run` resumes it and writes the record when it stops again.
//! 5. When the run finishes, the finish line names the SHA-256 and length of the record
//!    about to be written, and is fsynced first; then the record is written atomically.
//!    Killed between the two, the journal is finished but the record is missing or stale:
//!    the next `run` of that checklist and environment, and `report` or `verify` of that
//!    run, notice that the record does not match its finish line and write it again from
//!    the journal, byte for byte the record the finish line names.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::fault::{self, PointedFile};
use crate::engine::{Event, Meta};
use crate::model::Timestamp;
use crate::threads::{self, Beside};

/// Journals past this size are refused rather than read into memory.
const MAX_JOURNAL_BYTES: u64 = 1 << 30;

/// `,"sum":"` + 16 hex digits + `"}`.
const SUM_TAIL: usize = 8 + 16 + 2;

#[derive(Serialize)]
struct LineOut<'a> {
    seq: u64,
    at: &'a Timestamp,
    by: &'a str,
    event: &'a Event,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LineIn {
    seq: u64,
    at: Timestamp,
    by: String,
    event: Event,
}

/// When a new journal's start line is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartLine {
    /// Before [`Journal::create`] returns: durable, or its error returned.
    Now,
    /// On a thread of its own, while the caller goes on: a start line carries the whole
    /// plan, 27 MB at 100k items, and the first prompt needs none of it. Every later line
    /// waits for it, and its error is returned by the first append or sync that finds it.
    Beside,
}

/// An open journal, appended to by one process (the run lock sees to that).
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    state: State,
}

/// Where a journal's lines stand: the start line still being written, open to append to,
/// or stopped by a failure.
#[derive(Debug)]
enum State {
    /// The start line is being written and made durable on a thread of its own; what
    /// comes after it waits for it.
    Starting(std::thread::JoinHandle<std::io::Result<Appender>>),
    Open(Appender),
    /// A write or an fsync failed: a line may be half written, so nothing more is
    /// appended after it. The next run reads the journal up to its last whole line.
    Failed,
}

/// Appends lines to the journal's file, and numbers them.
#[derive(Debug)]
struct Appender {
    writer: BufWriter<PointedFile>,
    next_seq: u64,
    unsynced: bool,
}

impl Appender {
    fn append(&mut self, meta: &Meta, event: &Event) -> std::io::Result<()> {
        let mut out = WrittenBack(&mut self.writer);
        write_line(&mut out, self.next_seq, meta, event)?;
        self.next_seq += 1;
        self.unsynced = true;
        Ok(())
    }

    fn sync(&mut self) -> std::io::Result<()> {
        if self.unsynced {
            self.writer.flush()?;
            fault::point("journal.jsonl: fsync")?;
            self.writer.get_ref().file.sync_data()?;
            self.unsynced = false;
        }
        Ok(())
    }
}

impl Journal {
    /// Creates a new journal whose first line is the start event, made durable with the
    /// new directory entry: before this returns, or beside the caller (see [`StartLine`]).
    pub fn create(
        path: &Path,
        meta: Meta,
        start: Event,
        when: StartLine,
    ) -> std::io::Result<Journal> {
        fault::point("journal.jsonl: create")?;
        let file = super::open_no_follow(OpenOptions::new().write(true).create_new(true), path)?;
        let appender = Appender {
            writer: writer(file),
            next_seq: 1,
            unsynced: false,
        };
        let dir = path.parent().map(Path::to_path_buf);
        let write = move || -> std::io::Result<Appender> {
            let mut appender = appender;
            appender.append(&meta, &start)?;
            appender.sync()?;
            if let Some(dir) = dir {
                // The new directory entry must survive a crash too.
                fault::point("journal.jsonl: fsync the run folder")?;
                File::open(dir)?.sync_all()?;
            }
            Ok(appender)
        };
        let state = match when {
            StartLine::Now => State::Open(write()?),
            StartLine::Beside => match threads::beside(write) {
                Beside::Started(handle) => State::Starting(handle),
                Beside::Done(written) => State::Open(written?),
            },
        };
        Ok(Journal {
            path: path.to_path_buf(),
            state,
        })
    }

    /// Opens an existing journal to append to, first cutting off a line a crash left half
    /// written, so the next event starts on a line of its own.
    pub fn reopen(path: &Path, contents: &JournalContents) -> std::io::Result<Journal> {
        let mut file = super::open_no_follow(OpenOptions::new().write(true), path)?;
        if file.metadata()?.len() != contents.valid_len {
            fault::point("journal.jsonl: cut off the torn last line")?;
            file.set_len(contents.valid_len)?;
            fault::point("journal.jsonl: fsync the cut")?;
            file.sync_all()?;
        }
        file.seek(SeekFrom::End(0))?;
        if contents.needs_newline {
            file.write_all(b"\n")?;
            file.sync_data()?;
        }
        Ok(Journal {
            path: path.to_path_buf(),
            state: State::Open(Appender {
                writer: writer(file),
                next_seq: contents.entries.len() as u64 + 1,
                unsynced: false,
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Buffers one event; [`Journal::sync`] makes it durable.
    pub fn append(&mut self, meta: &Meta, event: &Event) -> std::io::Result<()> {
        self.with_appender(|appender| appender.append(meta, event))
    }

    /// Flushes and fsyncs what was appended; a no-op when nothing was. A start line still
    /// being written beside is not waited for (nothing comes after it yet, and the first
    /// line that does waits for it); one already written is taken up here, so that a
    /// failure to write it is said at the first prompt after it.
    pub fn sync(&mut self) -> std::io::Result<()> {
        if let State::Starting(starting) = &self.state
            && !starting.is_finished()
        {
            return Ok(());
        }
        self.with_appender(Appender::sync)
    }

    /// Does `write` once the start line is written, unless an earlier write failed; a
    /// failure now stops later ones.
    fn with_appender(
        &mut self,
        write: impl FnOnce(&mut Appender) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        // Failed until shown otherwise: a start line that failed leaves it so.
        self.state = match std::mem::replace(&mut self.state, State::Failed) {
            State::Starting(starting) => State::Open(
                starting
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?,
            ),
            settled => settled,
        };
        let State::Open(appender) = &mut self.state else {
            return Err(std::io::Error::other(
                "an earlier write to the journal failed, so nothing more is written to it",
            ));
        };
        write(appender).inspect_err(|_| self.state = State::Failed)
    }
}

impl Drop for Journal {
    /// A journal dropped while its start line is written beside (a run that ends in an
    /// error before its first answer) finishes that line first, rather than leave it cut
    /// off; an error writing it has no one left to be told. A process that exits without
    /// dropping the journal may still cut it off, as a crash would: the next run then
    /// finds a run that never started, and ignores it.
    fn drop(&mut self) {
        if let State::Starting(starting) = std::mem::replace(&mut self.state, State::Failed) {
            let _ = starting.join();
        }
    }
}

/// The journal's writer. A line that carries a plan (a start line, a resume onto a changed
/// checklist) is as long as the plan, 27 MB at 100k items: once a chunk of it reaches the
/// file, the system is asked to start writing it to disk, so the fsync after the line's last
/// chunk finds most of it written. Shorter lines (every answer) never ask.
struct WrittenBack<'a>(&'a mut BufWriter<PointedFile>);

impl Write for WrittenBack<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.write_all(bytes)?;
        Ok(bytes.len())
    }

    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.0.write_all(bytes)?;
        if bytes.len() >= LINE_CHUNK {
            start_writeback(&self.0.get_ref().file);
        }
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Starts writing the file's dirty pages to disk without waiting for them; durability
/// still comes from the fsync. A hint: nothing happens where the system has no such call.
#[cfg(target_os = "linux")]
fn start_writeback(file: &File) {
    use std::os::fd::AsRawFd;
    // SAFETY: sync_file_range only starts writeback of the open file's pages (offset 0,
    // length 0: to its end); it reads and changes no memory of this process.
    unsafe {
        libc::sync_file_range(file.as_raw_fd(), 0, 0, libc::SYNC_FILE_RANGE_WRITE);
    }
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_: &File) {}

/// Lines are gathered in memory and reach the file when the journal is synced (or the
/// buffer fills); each write to the file is a durable point.
fn writer(file: File) -> BufWriter<PointedFile> {
    BufWriter::with_capacity(
        1 << 16,
        PointedFile {
            file,
            what: "journal.jsonl: write",
        },
    )
}

/// What is wrong with one journal line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub(crate) struct Damage(String);

impl From<&str> for Damage {
    fn from(what: &str) -> Damage {
        Damage(what.to_string())
    }
}

/// One journal line, newline included.
pub(crate) fn encode_line(seq: u64, meta: &Meta, event: &Event) -> Vec<u8> {
    let mut line = Vec::new();
    write_line(&mut line, seq, meta, event).expect("events serialize, and a Vec takes them");
    line
}

/// Writes one journal line to `out`, newline included, as it is serialized: a 100k-item
/// start line is 27 MB, and goes out in chunks rather than being built whole first. The
/// sum covers the line's object up to its closing brace, which is held back until the sum
/// is written before it.
pub(crate) fn write_line(
    out: &mut impl Write,
    seq: u64,
    meta: &Meta,
    event: &Event,
) -> std::io::Result<()> {
    let mut sink = SummingSink {
        out,
        pending: Vec::with_capacity(256),
        digest: LineDigest::Unstarted,
    };
    let line = LineOut {
        seq,
        at: &meta.at,
        by: &meta.by,
        event,
    };
    serde_json::to_writer(&mut sink, &line)?;
    sink.finish()
}

/// How much of a line is gathered before it is written out and summed.
const LINE_CHUNK: usize = 1 << 20;

/// The writer a line is serialized into: it passes the bytes on in chunks, summing them,
/// and always keeps the last byte back (the closing brace, once serializing ends).
struct SummingSink<'a, W: Write> {
    out: &'a mut W,
    pending: Vec<u8>,
    digest: LineDigest,
}

/// Where a line's SHA-256 is computed: here, or, once a line is long enough to be written
/// in more than one chunk, on a thread of its own while the rest is serialized (a fifth of
/// the time to write a 100k-item start line).
enum LineDigest {
    /// Nothing summed yet: the line so far fits in one chunk.
    Unstarted,
    Here(Sha256),
    Beside {
        chunks: std::sync::mpsc::SyncSender<Vec<u8>>,
        spare: std::sync::mpsc::Receiver<Vec<u8>>,
        summing: std::thread::JoinHandle<Sha256>,
    },
}

impl LineDigest {
    /// Sums `chunk`, and gives back an empty buffer for the next one.
    fn update(&mut self, mut chunk: Vec<u8>) -> Vec<u8> {
        if let LineDigest::Unstarted = self {
            *self = LineDigest::beside().unwrap_or(LineDigest::Here(Sha256::new()));
        }
        match self {
            LineDigest::Unstarted => unreachable!("started above"),
            LineDigest::Here(hasher) => {
                hasher.update(&chunk);
                chunk.clear();
                chunk
            }
            LineDigest::Beside { chunks, spare, .. } => {
                let next = spare
                    .try_recv()
                    .unwrap_or_else(|_| Vec::with_capacity(chunk.capacity()));
                chunks
                    .send(chunk)
                    .expect("the summing thread takes chunks until it is joined");
                next
            }
        }
    }

    /// A thread that sums the chunks sent to it, in order, and sends their buffers back;
    /// `None` where no thread can be had (the same sum is then computed here).
    fn beside() -> Option<LineDigest> {
        let (chunks, from_main) = std::sync::mpsc::sync_channel::<Vec<u8>>(2);
        let (to_main, spare) = std::sync::mpsc::channel();
        let summing = std::thread::Builder::new()
            .spawn(move || {
                let mut hasher = Sha256::new();
                for mut chunk in from_main {
                    hasher.update(&chunk);
                    chunk.clear();
                    // The line may end before this buffer is wanted again.
                    let _ = to_main.send(chunk);
                }
                hasher
            })
            .ok()?;
        Some(LineDigest::Beside {
            chunks,
            spare,
            summing,
        })
    }

    /// The sum of every chunk, then of `last`.
    fn finish(self, last: &[u8]) -> Sha256 {
        let mut hasher = match self {
            LineDigest::Unstarted => Sha256::new(),
            LineDigest::Here(hasher) => hasher,
            LineDigest::Beside {
                chunks, summing, ..
            } => {
                drop(chunks);
                summing.join().expect("summing does not panic")
            }
        };
        hasher.update(last);
        hasher
    }
}

impl<W: Write> SummingSink<'_, W> {
    /// Writes and sums what is pending but its last byte.
    fn pass_on(&mut self) -> std::io::Result<()> {
        let Some(last) = self.pending.pop() else {
            return Ok(());
        };
        self.out.write_all(&self.pending)?;
        let chunk = std::mem::take(&mut self.pending);
        self.pending = self.digest.update(chunk);
        self.pending.push(last);
        Ok(())
    }

    /// Ends the line: the object's closing brace is summed, then replaced by `,"sum":"…"}`
    /// and a newline. What is pending goes out in one write, so a line shorter than a
    /// chunk (every answer) reaches the journal's buffer whole or not at all.
    fn finish(mut self) -> std::io::Result<()> {
        let close = self.pending.pop();
        debug_assert_eq!(close, Some(b'}'), "a line is one JSON object");
        let mut digest = self.digest.finish(&self.pending);
        digest.update(b"}");
        let sum = sum_text(digest);
        self.pending.extend_from_slice(b",\"sum\":\"");
        self.pending.extend_from_slice(sum.as_bytes());
        self.pending.extend_from_slice(b"\"}\n");
        self.out.write_all(&self.pending)
    }
}

impl<W: Write> Write for SummingSink<'_, W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.write_all(bytes)?;
        Ok(bytes.len())
    }

    // The serializer writes a line a few bytes at a time: this is its one call per piece.
    #[inline]
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.pending.extend_from_slice(bytes);
        if self.pending.len() >= LINE_CHUNK {
            self.pass_on()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The sum of a line whose object `body` is: the first 16 hex digits of its SHA-256.
fn line_sum(body: &[u8]) -> String {
    sum_text(Sha256::new_with_prefix(body))
}

/// The sum's text, from a hash of the line's object (fed whole, or chunk by chunk).
fn sum_text(digest: Sha256) -> String {
    crate::hex(&digest.finalize()[..8])
}

/// What a journal holds: its events in order with their line numbers, and whether the last
/// line was cut off by a crash (and ignored).
#[derive(Debug, Clone)]
pub struct JournalContents {
    pub entries: Vec<(usize, Meta, Event)>,
    pub torn_tail: bool,
    /// The last line is whole but lost its newline: appending starts with one.
    pub needs_newline: bool,
    /// Bytes up to the end of the last whole line: where appending resumes.
    pub valid_len: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("{}: cannot read the journal: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}:{line}: damaged journal line: {what}", path.display())]
    Damaged {
        path: PathBuf,
        line: usize,
        what: String,
    },
    /// No complete start line: the process died before the run began, so nothing was
    /// asked in it.
    #[error("{}: the run never started (its first line was cut off)", path.display())]
    NeverStarted { path: PathBuf },
}

impl JournalError {
    pub fn never_started(&self) -> bool {
        matches!(self, JournalError::NeverStarted { .. })
    }
}

/// Reads a journal, checking every line (see the module documentation).
pub fn read_journal(path: &Path) -> Result<JournalContents, JournalError> {
    let io = |source| JournalError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = super::open_no_follow(OpenOptions::new().read(true), path).map_err(io)?;
    let mut bytes = Vec::new();
    file.take(MAX_JOURNAL_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_JOURNAL_BYTES {
        return Err(JournalError::Damaged {
            path: path.to_path_buf(),
            line: 1,
            what: format!("larger than {} MiB", MAX_JOURNAL_BYTES >> 20),
        });
    }
    parse_journal(&bytes).map_err(|(line, what)| match line {
        0 => JournalError::NeverStarted {
            path: path.to_path_buf(),
        },
        line => JournalError::Damaged {
            path: path.to_path_buf(),
            line,
            what: what.0,
        },
    })
}

/// The lines of a journal; `Err((0, _))` when it has no complete start line.
pub(crate) fn parse_journal(bytes: &[u8]) -> Result<JournalContents, (usize, Damage)> {
    let mut entries = Vec::new();
    let mut torn_tail = false;
    let mut needs_newline = false;
    let mut valid_len = 0u64;
    let mut offset = 0usize;
    let mut number = 0usize;
    while offset < bytes.len() {
        number += 1;
        let Some(end) = memchr::memchr(b'\n', &bytes[offset..]) else {
            // The last line, without its newline. Whole and sound (its newline alone was
            // lost), it stands like any other; otherwise it was torn by a crash mid-write,
            // and everything before it stands.
            let line = &bytes[offset..];
            match decode_line(line, number as u64) {
                Ok((meta, event)) => {
                    entries.push((number, meta, event));
                    valid_len = bytes.len() as u64;
                    needs_newline = true;
                }
                // All of a line was written, checksum and all, but it does not hold: that
                // is damage, not a crash mid-write, and dropping it could drop a finish.
                Err(what) if looks_whole(line) => return Err((number, what)),
                Err(_) => torn_tail = true,
            }
            break;
        };
        let line = &bytes[offset..offset + end];
        let (meta, event) = decode_line(line, number as u64).map_err(|what| (number, what))?;
        if number == 1 && !matches!(event, Event::Start(_)) {
            return Err((
                1,
                Damage::from("the journal does not begin with a start event"),
            ));
        }
        entries.push((number, meta, event));
        offset += end + 1;
        valid_len = offset as u64;
    }
    if entries.is_empty() {
        return Err((0, Damage::from("no complete start line")));
    }
    Ok(JournalContents {
        entries,
        torn_tail,
        needs_newline,
        valid_len,
    })
}

/// Whether a line ends the way every written line does: `,"sum":"` and 16 digits, `"}`.
fn looks_whole(line: &[u8]) -> bool {
    line.len() >= SUM_TAIL
        && line.ends_with(b"\"}")
        && line[line.len() - SUM_TAIL..].starts_with(b",\"sum\":\"")
}

/// Checks one line's sum and sequence number and reads its event.
fn decode_line(line: &[u8], expected_seq: u64) -> Result<(Meta, Event), Damage> {
    if line.len() < SUM_TAIL + 2 || !line.ends_with(b"\"}") {
        return Err("no checksum at its end".into());
    }
    let split = line.len() - SUM_TAIL;
    let (body, tail) = line.split_at(split);
    let Some(sum) = tail
        .strip_prefix(b",\"sum\":\"")
        .and_then(|t| t.strip_suffix(b"\"}"))
    else {
        return Err("no checksum at its end".into());
    };
    // Room for the closing brace from the start: `to_vec` and a push copied each line twice.
    let mut whole = Vec::with_capacity(body.len() + 1);
    whole.extend_from_slice(body);
    whole.push(b'}');
    if line_sum(&whole).as_bytes() != sum {
        return Err("its checksum does not match its content".into());
    }
    let parsed: LineIn = serde_json::from_slice(&whole).map_err(|e| Damage(e.to_string()))?;
    if parsed.seq != expected_seq {
        return Err(Damage(format!(
            "it is numbered {} where {expected_seq} was expected",
            parsed.seq
        )));
    }
    Ok((
        Meta {
            at: parsed.at,
            by: parsed.by,
        },
        parsed.event,
    ))
}

/// The last whole line's event, read from the end of the file without reading the rest:
/// enough to tell a finished run from an open one among many run folders. `None` when the
/// last line cannot be read this way (the caller then reads the whole journal).
pub fn last_event(path: &Path) -> Option<Event> {
    let mut file = super::open_no_follow(OpenOptions::new().read(true), path).ok()?;
    let len = file.metadata().ok()?.len();
    let window = len.min(8192);
    file.seek(SeekFrom::Start(len - window)).ok()?;
    let mut tail = Vec::with_capacity(window as usize);
    file.take(window).read_to_end(&mut tail).ok()?;
    let body = tail.strip_suffix(b"\n")?;
    let start = body.iter().rposition(|&b| b == b'\n').map(|p| p + 1)?;
    let line = &body[start..];
    // The sequence number is not known from here; read it, then check the line whole.
    let seq = serde_json::from_slice::<serde_json::Value>(&{
        let mut whole = line[..line.len().checked_sub(SUM_TAIL)?].to_vec();
        whole.push(b'}');
        whole
    })
    .ok()?
    .get("seq")?
    .as_u64()?;
    decode_line(line, seq).ok().map(|(_, event)| event)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Start;
    use crate::model::{How, RecordChecklist, Status};

    fn meta(n: u32) -> Meta {
        Meta {
            at: Timestamp::parse(&format!("2026-11-23T10:00:{n:02}+00:00")).unwrap(),
            by: "dana".into(),
        }
    }

    fn start() -> Event {
        let loaded = crate::source::load_bytes(
            b"# T\n## P\n### S\n- [ ] a\n",
            "t.md",
            crate::model::SourceFormat::Markdown,
            "t",
        )
        .unwrap();
        Event::Start(Box::new(Start {
            checklist: RecordChecklist {
                title: "T".into(),
                path: "checklists/t.md".into(),
                sha256: "ab".into(),
            },
            environment: "production".into(),
            host: "ops-1".into(),
            plan: crate::engine::Plan::new(loaded.checklist).into(),
            follow_up_of: None,
        }))
    }

    fn answer() -> Event {
        Event::Answer {
            id: "p/s/a".into(),
            status: Status::Done,
            reason: None,
            value: None,
            how: How::Typed,
            overridden: false,
            early: None,
        }
    }

    /// The line as it was built before lines were streamed: the whole object, its sum,
    /// then the sum put before the closing brace.
    fn line_built_whole(seq: u64, meta: &Meta, event: &Event) -> Vec<u8> {
        let mut line = serde_json::to_vec(&LineOut {
            seq,
            at: &meta.at,
            by: &meta.by,
            event,
        })
        .unwrap();
        let sum = line_sum(&line);
        line.pop();
        line.extend_from_slice(format!(",\"sum\":\"{sum}\"}}\n").as_bytes());
        line
    }

    fn note(text: String) -> Event {
        Event::Note {
            id: "p/s/a".into(),
            text,
        }
    }

    #[test]
    fn a_line_longer_than_a_chunk_is_written_and_summed_as_the_whole_line_would_be() {
        // Quotes and newlines make the serializer write the text in many small pieces, so
        // chunks are passed on in the middle of the text, and their buffers come back.
        let escaped = |len: usize| "ab\"c\n".repeat(len / 5 + 1)[..len].to_string();
        // How long the line's object is, closing brace included, around a text of `len`.
        let object_len =
            |text: String| line_built_whole(7, &meta(1), &note(text)).len() - SUM_TAIL - 1;
        let around = object_len(String::new());
        let mut texts = vec![
            String::new(),
            "x".repeat(100),
            escaped(3 * LINE_CHUNK + 7),
            "x".repeat(3 * LINE_CHUNK),
        ];
        // Objects of exactly one and two chunks: the chunk is full just as the closing
        // brace is written, and the brace is all that is left when the line ends.
        for chunks in [1, 2] {
            texts.push("x".repeat(chunks * LINE_CHUNK - around));
        }
        assert_eq!(object_len(texts[4].clone()), LINE_CHUNK);
        for text in texts {
            let event = note(text);
            let streamed = encode_line(7, &meta(1), &event);
            assert_eq!(streamed, line_built_whole(7, &meta(1), &event));
            let (_, read) = decode_line(&streamed[..streamed.len() - 1], 7).unwrap();
            assert_eq!(read, event);
        }
    }

    #[test]
    fn a_line_shorter_than_a_chunk_reaches_the_journal_in_one_write() {
        // The journal's buffer then holds each answer whole or not at all, and a line under
        // the buffer's size is one durable point, as the crash tests count them.
        struct Writes(Vec<Vec<u8>>);
        impl Write for Writes {
            fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
                self.0.push(bytes.to_vec());
                Ok(bytes.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        for event in [answer(), start(), note("ab\"c\n".repeat(1000))] {
            let mut writes = Writes(Vec::new());
            write_line(&mut writes, 3, &meta(2), &event).unwrap();
            assert_eq!(writes.0, [encode_line(3, &meta(2), &event)]);
        }
    }

    #[test]
    fn a_start_line_of_several_chunks_is_written_whole_and_durable() {
        // Long enough that chunks reach the file, and writeback is started, as it goes.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let first = note("ab\"c\n".repeat(LINE_CHUNK / 2));
        let mut journal =
            Journal::create(&path, meta(0), first.clone(), StartLine::Beside).unwrap();
        journal.append(&meta(1), &answer()).unwrap();
        journal.sync().unwrap();
        let mut expected = encode_line(1, &meta(0), &first);
        expected.extend(encode_line(2, &meta(1), &answer()));
        assert_eq!(std::fs::read(&path).unwrap(), expected);
    }

    #[test]
    fn a_start_line_written_now_is_on_disk_when_create_returns() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let mut journal = Journal::create(&path, meta(0), start(), StartLine::Now).unwrap();
        assert!(
            matches!(journal.state, State::Open(_)),
            "no thread was started"
        );
        assert_eq!(
            std::fs::read(&path).unwrap(),
            encode_line(1, &meta(0), &start())
        );
        journal.append(&meta(1), &answer()).unwrap();
        journal.sync().unwrap();
        let mut expected = encode_line(1, &meta(0), &start());
        expected.extend(encode_line(2, &meta(1), &answer()));
        assert_eq!(std::fs::read(&path).unwrap(), expected);
    }

    #[test]
    fn a_start_line_written_beside_is_taken_up_by_a_sync_once_it_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let mut journal = Journal::create(&path, meta(0), start(), StartLine::Beside).unwrap();
        while matches!(&journal.state, State::Starting(s) if !s.is_finished()) {
            std::thread::yield_now();
        }
        journal.sync().unwrap();
        assert!(matches!(journal.state, State::Open(_)));
        assert_eq!(
            std::fs::read(&path).unwrap(),
            encode_line(1, &meta(0), &start())
        );
    }

    #[test]
    fn a_journal_dropped_before_its_first_answer_leaves_its_start_line_whole() {
        // A run that ends in an error before anything is answered: its start line, still
        // being written when the journal is dropped, is finished rather than cut off.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let first = note("ab\"c\n".repeat(LINE_CHUNK / 2));
        drop(Journal::create(&path, meta(0), first.clone(), StartLine::Beside).unwrap());
        assert_eq!(
            std::fs::read(&path).unwrap(),
            encode_line(1, &meta(0), &first)
        );
    }

    #[test]
    fn after_a_failed_write_the_journal_refuses_more() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let mut journal = Journal::create(&path, meta(0), start(), StartLine::Now).unwrap();
        let full = journal.with_appender(|_| Err(std::io::Error::other("No space left on device")));
        assert!(full.is_err());
        let refused = journal.append(&meta(1), &answer()).unwrap_err();
        assert!(
            refused.to_string().contains("an earlier write"),
            "{refused}"
        );
        assert!(journal.sync().is_err());
        drop(journal);
        assert_eq!(read_journal(&path).unwrap().entries.len(), 1);
    }

    #[test]
    fn events_round_trip_and_a_torn_last_line_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let mut journal = Journal::create(&path, meta(0), start(), StartLine::Now).unwrap();
        journal.append(&meta(1), &answer()).unwrap();
        journal.append(&meta(2), &Event::Undo).unwrap();
        journal.sync().unwrap();
        drop(journal);
        let whole = std::fs::read(&path).unwrap();
        let mut torn = whole.clone();
        torn.extend_from_slice(br#"{"seq":4,"at":"2026-11-23T10:00:03+00:00","by":"da"#);
        std::fs::write(&path, &torn).unwrap();
        let contents = read_journal(&path).unwrap();
        assert_eq!(contents.entries.len(), 3);
        assert!(contents.torn_tail);
        assert_eq!(contents.valid_len, whole.len() as u64);
        let mut journal = Journal::reopen(&path, &contents).unwrap();
        journal.append(&meta(3), &answer()).unwrap();
        journal.sync().unwrap();
        let contents = read_journal(&path).unwrap();
        assert_eq!(contents.entries.len(), 4);
        assert!(!contents.torn_tail);
        assert_eq!(last_event(&path), Some(answer()));
    }

    #[test]
    fn a_damaged_line_in_the_middle_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let mut journal = Journal::create(&path, meta(0), start(), StartLine::Now).unwrap();
        journal.append(&meta(1), &answer()).unwrap();
        journal.append(&meta(2), &answer()).unwrap();
        journal.sync().unwrap();
        let good = std::fs::read(&path).unwrap();
        let second = good.iter().position(|&b| b == b'\n').unwrap() + 1;
        let mut bad = good.clone();
        // `done` → `dona`: still valid JSON, so only the checksum can tell.
        let at = second + find(&good[second..], b"\"done\"").unwrap() + 4;
        bad[at] = b'a';
        std::fs::write(&path, &bad).unwrap();
        let error = read_journal(&path).unwrap_err();
        assert!(
            error.to_string().contains(":2: damaged journal line"),
            "{error}"
        );
    }

    #[test]
    fn a_journal_without_a_whole_start_line_never_started() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        std::fs::write(&path, b"{\"seq\":1,\"at\":\"2026").unwrap();
        assert!(read_journal(&path).unwrap_err().never_started());
        std::fs::write(&path, b"").unwrap();
        assert!(read_journal(&path).unwrap_err().never_started());
    }

    fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
        haystack.windows(needle.len()).position(|w| w == needle)
    }

    /// A whole line with a changed body, signed again so that its checksum holds: what gets
    /// past the checksum to the JSON reader and the replay.
    fn resign(line: &[u8]) -> Vec<u8> {
        let body = &line[..line.len() - 1 - SUM_TAIL];
        let mut whole = body.to_vec();
        whole.push(b'}');
        let mut out = body.to_vec();
        out.extend_from_slice(b",\"sum\":\"");
        out.extend_from_slice(line_sum(&whole).as_bytes());
        out.extend_from_slice(b"\"}\n");
        out
    }

    fn sample_journal() -> Vec<u8> {
        let mut bytes = encode_line(1, &meta(0), &start());
        bytes.extend(encode_line(2, &meta(1), &answer()));
        bytes.extend(encode_line(3, &meta(2), &Event::Undo));
        bytes.extend(encode_line(4, &meta(3), &answer()));
        bytes
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

        #[test]
        fn arbitrary_bytes_never_panic_the_journal_reader(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..1024),
        ) {
            crate::fuzz::journal(&bytes);
        }

        /// A real journal cut anywhere, or with one byte of a line changed and the line
        /// signed again: reading and replaying never panic, and what reads round-trips.
        #[test]
        fn a_journal_cut_or_changed_and_re_signed_never_panics(
            at in proptest::prelude::any::<proptest::sample::Index>(),
            byte in proptest::prelude::any::<u8>(),
            cut in proptest::prelude::any::<bool>(),
        ) {
            let good = sample_journal();
            let at = at.index(good.len());
            let bytes = if cut {
                good[..at].to_vec()
            } else {
                let start = good[..at].iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
                let end = at + good[at..].iter().position(|&b| b == b'\n').unwrap() + 1;
                let mut line = good[start..end].to_vec();
                // Only the body: a changed sum or newline is plain damage, tested above.
                if at - start < line.len() - 1 - SUM_TAIL {
                    line[at - start] = byte;
                }
                let mut bytes = good[..start].to_vec();
                bytes.extend(resign(&line));
                bytes.extend_from_slice(&good[end..]);
                bytes
            };
            crate::fuzz::journal(&bytes);
        }
    }
}
