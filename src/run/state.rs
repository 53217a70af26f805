//! The run's state: its record plus the valid addenda written after it.
//!
//! A finished `record.yaml` is never rewritten. Whatever happens to a run afterwards (a
//! role signs off the next morning, on another machine) is a new file in the run folder
//! that names the record by the SHA-256 of its exact bytes. [`RunState::load`] reads the
//! record and every addendum beside it, keeps the addenda that belong to this record and
//! hold together, and lists the others as rejected with the reason; [`RunState::judge`]
//! is the verdict of the record with the valid addenda folded in. `report`, `diff`,
//! `verify` and `history` all read a run through here, so they cannot disagree about it.
//!
//! What makes an addendum valid: it reads as its kind, names this record's bytes, names a
//! role the record has, its file name is the one its content gives (so a relabelled role
//! cannot hide behind the old name), its statements are the role's, the record is
//! finished, and the signature beside it (`<addendum>.sig`), if any, is good over its
//! exact bytes. Whose key that is, is for `verify --allowed-signers` to say.
//!
//! Follow-up addenda answer items the run handed over as follow-ups: each answer must be
//! for one of the record's follow-ups and fit its item, and the file's name must be the
//! one its session's start and operator give. Folded in, they answer those items (the
//! latest answer counts when two sessions answered one item) and their parents follow.
//! The walk's journal is the truth about it: an addendum that is not the bytes its
//! journal's last line names was edited, is reported so, and what the journal gives
//! counts in its place; one that is missing is written again from the journal; one with
//! no journal beside it does not count.
//!
//! A new kind of addendum is one more [`AddendumKind`] variant, read in
//! [`read_addenda`] and folded in [`RunState::effective`].

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::audit::signing::{SignedBy, check_detached};
use crate::input::{ADDENDUM, RECORD, SIGNATURE, read_input, text};
use crate::model::{
    Assessment, FOLLOWUP_PREFIX, FOLLOWUP_SCHEMA, FollowUpAddendum, How, ItemKind, Record,
    SIGNOFF_PREFIX, SIGNOFF_SCHEMA, SignoffAddendum, SignoffStatus, Status,
};
use crate::project::display_path;
use crate::store::{RunFolder, fingerprint};

use super::{may_be_stranded, settle_run};

/// A record and what was added to it afterwards.
#[derive(Debug, Clone)]
pub struct RunState {
    pub folder: RunFolder,
    pub record_path: PathBuf,
    /// The record's path as messages show it (relative to the working directory).
    pub shown: String,
    pub record: Record,
    /// `record.yaml`'s exact bytes, as read: their SHA-256 is what addenda name, worked
    /// out only when asked ([`RunState::record_sha256`]). `diff`, `report` and the history
    /// read records that no addendum names, and the hash was a twentieth of their reading.
    bytes: Arc<Vec<u8>>,
    record_sha256: OnceLock<String>,
    /// The valid addenda, oldest first.
    pub addenda: Vec<Addendum>,
    /// Files that look like addenda but do not count, with why.
    pub rejected: Vec<Rejected>,
    /// Things worth saying about reading the run (a record written again from its journal).
    pub notes: Vec<StateNote>,
}

/// One valid addendum.
#[derive(Debug, Clone)]
pub struct Addendum {
    pub path: PathBuf,
    /// The file's path as messages show it.
    pub shown: String,
    /// The key whose signature beside it (`<file>.sig`) is good over its bytes.
    pub signature: Option<SignedBy>,
    /// The file was edited after it was written: what counts is what its journal gives
    /// (and the file is among the rejected, with why).
    pub from_journal: bool,
    pub kind: AddendumKind,
}

#[derive(Debug, Clone)]
pub enum AddendumKind {
    Signoff(SignoffAddendum),
    FollowUp(FollowUpAddendum),
}

impl Addendum {
    pub fn at(&self) -> &crate::model::Timestamp {
        match &self.kind {
            AddendumKind::Signoff(signoff) => &signoff.at,
            AddendumKind::FollowUp(follow_up) => &follow_up.finished_at,
        }
    }

    /// `Security Team signed by dana@example.com`, `3 follow-ups answered by lee: 3 done`.
    pub fn describe(&self) -> String {
        match &self.kind {
            AddendumKind::Signoff(signoff) => signoff.describe(),
            AddendumKind::FollowUp(follow_up) => follow_up.describe(),
        }
    }

    pub fn signoff(&self) -> Option<&SignoffAddendum> {
        match &self.kind {
            AddendumKind::Signoff(signoff) => Some(signoff),
            AddendumKind::FollowUp(_) => None,
        }
    }

    pub fn follow_up(&self) -> Option<&FollowUpAddendum> {
        match &self.kind {
            AddendumKind::FollowUp(follow_up) => Some(follow_up),
            AddendumKind::Signoff(_) => None,
        }
    }
}

/// A file in the run folder that looks like an addendum but does not count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub shown: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateNote {
    /// The run had finished but its record was missing or stale: it was written again.
    Rebuilt(String),
    /// The journal could not settle the record; it was read as it is.
    Unsettled(String),
    /// A follow-up walk had ended but its addendum was missing: it was written again.
    FollowUpRebuilt(String),
}

impl std::fmt::Display for StateNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StateNote::Rebuilt(path) => write!(
                f,
                "note: {path}: the run had finished but its record was missing or incomplete; it was written again from the journal"
            ),
            StateNote::Unsettled(error) => write!(f, "warning: {error}"),
            StateNote::FollowUpRebuilt(path) => write!(
                f,
                "note: {path}: the follow-up walk had ended but its answers were missing; they were written again from its journal"
            ),
        }
    }
}

impl RunState {
    /// Reads a run given its folder, its `record.yaml`, or an addendum inside it (relative
    /// paths from `cwd`). A record file outside a run folder is read on its own, without
    /// addenda. A finished run whose record is missing or stale gets it written again from
    /// its journal first (see `settle_run`), and a note says so.
    pub fn load(path: &Path, cwd: &Path) -> Result<RunState, crate::Error> {
        let full = cwd.join(path);
        let folder = RunFolder::containing(&full);
        let is_dir = std::fs::symlink_metadata(&full).is_ok_and(|m| m.is_dir());
        let names_addendum = full
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(SIGNOFF_PREFIX) || n.starts_with(FOLLOWUP_PREFIX));
        let record_path = if is_dir || names_addendum {
            folder.record_path()
        } else {
            full
        };
        // A record named anything else is a copy outside its run: read alone.
        let in_folder = record_path == folder.record_path();
        let mut notes = Vec::new();
        if in_folder && may_be_stranded(&folder) {
            match settle_run(&folder, None) {
                Ok(true) => {
                    notes.push(StateNote::Rebuilt(display_path(&folder.record_path(), cwd)))
                }
                Ok(false) => {}
                Err(error) => notes.push(StateNote::Unsettled(error.to_string())),
            }
        }
        if in_folder {
            // A follow-up walk killed between its journal's last line and its addendum
            // (or an addendum a merge lost): its answers are in the journal, and count.
            for stem in super::follow_up::settle(&folder) {
                let path = folder.path.join(format!("{stem}.yaml"));
                notes.push(StateNote::FollowUpRebuilt(display_path(&path, cwd)));
            }
        }
        let shown = display_path(&record_path, cwd);
        // A record given by name may be a pipe (`verify <(cat record.yaml)`); the one in
        // a run folder is a file, and a FIFO or a device put there would hang or flood.
        if in_folder
            && std::fs::symlink_metadata(&record_path).is_ok()
            && !crate::input::is_regular_file(&record_path)
        {
            return Err(crate::Error::Config(crate::source::Diagnostic::error(
                &shown,
                None,
                "is not a regular file (a pipe, a device or a link to one), so it is not a run record",
            )));
        }
        let bytes = read_input(&record_path, &shown, RECORD).map_err(crate::Error::Config)?;
        let record_text = text(&bytes, &shown, RECORD).map_err(crate::Error::Config)?;
        let record = crate::audit::parse_record(record_text, &shown)?;
        let mut state = RunState {
            folder,
            record_path,
            shown,
            record,
            bytes: Arc::new(bytes),
            record_sha256: OnceLock::new(),
            addenda: Vec::new(),
            rejected: Vec::new(),
            notes,
        };
        if in_folder {
            let sha256 = || state.record_sha256().to_string();
            (state.addenda, state.rejected) =
                read_addenda(&state.folder, &state.record, &sha256, cwd);
        }
        Ok(state)
    }

    /// The SHA-256 of the record's bytes as the run wrote them, for its journal's finish
    /// line to name: the bytes as read, but for the `signatures:` block an older `sign`
    /// put in place of the last line, `signatures: []`, which is turned back. Every other
    /// byte counts, so a comment or a space added anywhere else is still caught.
    pub fn sha256_as_written(&self) -> String {
        if self.record.signatures.is_empty() {
            self.record_sha256().to_string()
        } else {
            fingerprint(&without_signatures(&self.bytes)).0
        }
    }

    /// Whether the record is the one its run wrote, as its journal's finish line names
    /// it: `Err` says why not. A record out of its folder, or from before journals, with
    /// no journal beside it has nothing to be held to.
    pub fn as_the_run_wrote(&self) -> Result<(), String> {
        let journal = self.folder.journal_path();
        // A current record in its own run folder: one its run's journal must vouch for.
        let held = self.record_path == self.folder.record_path()
            && self.record.schema == crate::model::RECORD_SCHEMA;
        if std::fs::symlink_metadata(&journal).is_err() {
            if !held {
                return Ok(());
            }
            return Err(
                "the run's journal.jsonl is missing: nothing shows this record is the one the run wrote"
                    .into(),
            );
        }
        match crate::store::last_event(&journal) {
            Some(crate::engine::Event::Finish { record_sha256, .. })
                if record_sha256 != self.sha256_as_written() =>
            {
                Err(format!(
                    "the record's bytes are not the ones its journal's finish line names (sha256 {record_sha256}): record.yaml was changed after the run finished"
                ))
            }
            Some(crate::engine::Event::Finish { .. }) => Ok(()),
            // A finished run's journal ends with the line naming its record: emptied, or
            // cut before that line, it vouches for nothing.
            _ if held && is_finished(&self.record) => {
                Err(
                    "the run's journal.jsonl does not end with the line naming the finished record (emptied or cut short): nothing shows this record is the one the run wrote"
                        .into(),
                )
            }
            _ => Ok(()),
        }
    }

    /// Lowercase hex SHA-256 of `record.yaml`'s exact bytes, as read: what addenda name.
    pub fn record_sha256(&self) -> &str {
        self.record_sha256
            .get_or_init(|| fingerprint(&self.bytes).0)
    }

    /// A state from a record alone, with no addenda: for records read some other way.
    pub fn of_record(record: Record, record_sha256: String) -> RunState {
        RunState {
            folder: RunFolder {
                path: PathBuf::new(),
            },
            record_path: PathBuf::new(),
            shown: String::new(),
            record,
            bytes: Arc::default(),
            record_sha256: OnceLock::from(record_sha256),
            addenda: Vec::new(),
            rejected: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Finished, not stopped or replaced: only such a record takes addenda.
    pub fn is_finished(&self) -> bool {
        is_finished(&self.record)
    }

    /// The valid sign-off addenda, oldest first.
    pub fn signoffs(&self) -> impl Iterator<Item = (&Addendum, &SignoffAddendum)> {
        self.addenda
            .iter()
            .filter_map(|a| a.signoff().map(|s| (a, s)))
    }

    /// The valid follow-up addenda, oldest first.
    pub fn follow_ups(&self) -> impl Iterator<Item = (&Addendum, &FollowUpAddendum)> {
        self.addenda
            .iter()
            .filter_map(|a| a.follow_up().map(|f| (a, f)))
    }

    /// The record as the run stands now: the valid addenda folded into its sign-offs,
    /// statements and follow-ups, and the verdict, causes, counts and outstanding
    /// recomputed. Its digest is the stored record's; it is never written anywhere.
    pub fn effective(&self) -> Cow<'_, Record> {
        self.effective_with(self.addenda.len())
    }

    /// The record with only the first `count` valid addenda folded in: what the run
    /// stood at after each of them, for `verify` to say what each one changed.
    ///
    /// With nothing to fold in and a stored judgement that its items bear out (every
    /// record as written), that is the stored record itself, borrowed: a copy of a
    /// 100,000-item record costs as much as reading it.
    pub fn effective_with(&self, count: usize) -> Cow<'_, Record> {
        let mut record = Cow::Borrowed(&self.record);
        let mut answers: Vec<&crate::model::FollowUpAnswer> = Vec::new();
        for addendum in self.addenda.iter().take(count) {
            match &addendum.kind {
                AddendumKind::Signoff(signoff) => fold_signoff(record.to_mut(), signoff),
                AddendumKind::FollowUp(follow_up) => answers.extend(&follow_up.answers),
            }
        }
        // The latest answer to an item counts, whichever session gave it.
        answers.sort_by(|a, b| a.answered_at.cmp(&b.answered_at));
        if !answers.is_empty() {
            let folded = record.to_mut();
            for answer in answers {
                fold_follow_up(folded, answer);
            }
            derive_parents(folded);
        }
        let assessment = record.judge();
        if !record.bears_out(&assessment) {
            record.to_mut().take_judgement(assessment);
        }
        record
    }

    /// Items that follow-up sessions answered differently (two machines, one item, one
    /// failed and one done), said with every answer, oldest first: the latest counts, and
    /// the others are shown rather than dropped without a word.
    pub fn answered_more_than_once(&self) -> Vec<String> {
        let mut by_item: std::collections::BTreeMap<&str, Vec<&crate::model::FollowUpAnswer>> =
            std::collections::BTreeMap::new();
        for (_, follow_up) in self.follow_ups() {
            for answer in &follow_up.answers {
                by_item.entry(answer.id.as_str()).or_default().push(answer);
            }
        }
        let text_of = |id: &str| {
            self.record
                .items
                .iter()
                .find(|i| i.id == id)
                .map_or(id.to_string(), |i| i.text.clone())
        };
        by_item
            .into_iter()
            // Two sessions that agree (both done) need no word; ones that differ do.
            .filter(|(_, answers)| {
                answers
                    .iter()
                    .any(|a| (a.status, &a.value) != (answers[0].status, &answers[0].value))
            })
            .map(|(id, mut answers)| {
                answers.sort_by(|a, b| a.answered_at.cmp(&b.answered_at));
                let each: Vec<String> = answers
                    .iter()
                    .map(|a| {
                        let reason = a
                            .reason
                            .as_deref()
                            .map(|r| format!(" ({r})"))
                            .unwrap_or_default();
                        format!(
                            "{} by {} at {}{reason}",
                            a.status, a.answered_by, a.answered_at
                        )
                    })
                    .collect();
                format!(
                    "\"{}\" was answered in {} follow-up sessions: {}; the latest counts",
                    text_of(id),
                    answers.len(),
                    each.join(", then ")
                )
            })
            .collect()
    }

    /// The run's verdict now: the record's, with every valid addendum taken into account
    /// (the effective record is judged as it is made).
    pub fn judge(&self) -> Assessment {
        self.effective().assessment()
    }
}

/// A record's bytes with the `signatures:` block an older `sign` wrote at its end turned
/// back into the `signatures: []` the run wrote.
fn without_signatures(bytes: &[u8]) -> Vec<u8> {
    let at = memchr::memmem::rfind(bytes, b"\nsignatures:").map_or(0, |at| at + 1);
    let mut unsigned = bytes[..at].to_vec();
    unsigned.extend_from_slice(b"signatures: []\n");
    unsigned
}

fn is_finished(record: &Record) -> bool {
    record.finished_at.is_some() && record.stopped.is_none()
}

/// One sign-off addendum into a record: a refusal anywhere makes the role refused; a
/// sign-off makes it signed (several signers are listed together) and confirms its
/// statements that were still open.
fn fold_signoff(record: &mut Record, addendum: &SignoffAddendum) {
    let Some(signoff) = record.signoffs.iter_mut().find(|s| s.role == addendum.role) else {
        return;
    };
    match &addendum.refused {
        Some(reason) => {
            let earlier = (signoff.status == SignoffStatus::Refused)
                .then(|| signoff.reason.clone())
                .flatten();
            signoff.status = SignoffStatus::Refused;
            signoff.reason = Some(match earlier {
                Some(earlier) => format!("{earlier}; {reason}"),
                None => reason.clone(),
            });
            signoff.at = Some(addendum.at.clone());
            signoff.by = Some(addendum.name.clone());
        }
        None if signoff.status == SignoffStatus::Refused => {}
        None => {
            signoff.name = Some(match signoff.name.take() {
                Some(earlier) if signoff.status == SignoffStatus::Signed => {
                    format!("{earlier}, {}", addendum.name)
                }
                _ => addendum.name.clone(),
            });
            signoff.status = SignoffStatus::Signed;
            signoff.at = Some(addendum.at.clone());
            signoff.by = Some(addendum.name.clone());
            for id in &addendum.statements {
                if !signoff.statements.contains(id) {
                    signoff.statements.push(id.clone());
                }
            }
            for item in record.items.iter_mut() {
                if item.status == Status::Pending && addendum.statements.contains(&item.id) {
                    item.status = Status::Done;
                    item.how = Some(How::Signoff);
                    item.answered_at = Some(addendum.at.clone());
                    item.answered_by = Some(addendum.name.clone());
                    item.reason = None;
                }
            }
        }
    }
}

/// One follow-up answer into a record: the item takes the answer, and keeps its
/// `follow_up` (when it was due) beside it.
fn fold_follow_up(record: &mut Record, answer: &crate::model::FollowUpAnswer) {
    let Some(item) = record.items.iter_mut().find(|i| i.id == answer.id) else {
        return;
    };
    item.status = answer.status;
    item.reason.clone_from(&answer.reason);
    item.value.clone_from(&answer.value);
    item.judgement.clone_from(&answer.judgement);
    item.overridden = answer.overridden;
    item.how = Some(answer.how);
    item.answered_at = Some(answer.answered_at.clone());
    item.answered_by = Some(answer.answered_by.clone());
    item.early = answer.early.clone().map(Box::new);
    item.late.clone_from(&answer.late);
    if let Some(note) = &answer.note {
        item.note = Some(match item.note.take() {
            Some(earlier) => format!("{earlier}; {note}"),
            None => note.clone(),
        });
    }
}

/// Parents whose status is derived from their children, derived again after follow-ups
/// answered some of those children. Children come after their parents, so a pass from
/// the end sees every child before its parent.
fn derive_parents(record: &mut Record) {
    for index in (0..record.items.len()).rev() {
        let parent = &record.items[index];
        let derived = parent.how.is_none_or(|h| h == How::Derived);
        if !derived {
            continue;
        }
        let children: Vec<&crate::model::RecordItem> = record.items[index + 1..]
            .iter()
            .filter(|c| c.parent.as_deref() == Some(parent.id.as_str()))
            .collect();
        if children.is_empty() {
            continue;
        }
        let statuses: Vec<(bool, Option<Status>)> = children
            .iter()
            .map(|c| {
                (
                    c.optional,
                    (c.status != Status::Pending).then_some(c.status),
                )
            })
            .collect();
        let latest = children
            .iter()
            .filter(|c| c.status != Status::Pending)
            .max_by(|a, b| a.answered_at.cmp(&b.answered_at))
            .map(|c| (c.answered_at.clone(), c.answered_by.clone()));
        let Some((status, reason)) =
            Status::of_children(parent.kind == ItemKind::Trigger, &statuses)
        else {
            continue;
        };
        let parent = &mut record.items[index];
        parent.status = status;
        parent.reason = reason;
        parent.how = Some(How::Derived);
        if let Some((at, by)) = latest {
            parent.answered_at = at;
            parent.answered_by = by;
        }
    }
}

/// Every addendum in the run folder, valid ones (oldest first) and rejected ones.
fn read_addenda(
    folder: &RunFolder,
    record: &Record,
    record_sha256: &dyn Fn() -> String,
    cwd: &Path,
) -> (Vec<Addendum>, Vec<Rejected>) {
    let mut addenda = Vec::new();
    let mut rejected = Vec::new();
    let Ok(entries) = std::fs::read_dir(&folder.path) else {
        return (addenda, rejected);
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.starts_with(SIGNOFF_PREFIX) || n.starts_with(FOLLOWUP_PREFIX))
        .collect();
    names.sort();
    for name in &names {
        let path = folder.path.join(name);
        let shown = display_path(&path, cwd);
        let reject = |reason: String| Rejected {
            shown: shown.clone(),
            reason,
        };
        if let Some(addendum) = name.strip_suffix(".sig") {
            if !names.iter().any(|n| n == addendum) {
                rejected.push(reject(format!(
                    "a signature with no addendum `{addendum}` beside it"
                )));
            }
            continue;
        }
        if !name.ends_with(".yaml") {
            continue;
        }
        let is_file = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file());
        if !is_file {
            rejected.push(reject(
                "not a regular file (a run's addenda are files of its own, never links)".into(),
            ));
            continue;
        }
        let record_sha256 = record_sha256();
        let read = if name.starts_with(FOLLOWUP_PREFIX) {
            read_follow_up(&path, &shown, record, &record_sha256).map(|read| {
                let from_journal = read.edited.is_some();
                if let Some(edited) = read.edited {
                    rejected.push(reject(edited));
                }
                (
                    AddendumKind::FollowUp(read.follow_up),
                    read.signature,
                    from_journal,
                )
            })
        } else {
            read_signoff(&path, &shown, record, &record_sha256)
                .map(|(signoff, signature)| (AddendumKind::Signoff(signoff), signature, false))
        };
        match read {
            Ok((kind, signature, from_journal)) => addenda.push(Addendum {
                path,
                shown,
                signature,
                from_journal,
                kind,
            }),
            Err(reason) => rejected.push(reject(reason)),
        }
    }
    addenda.sort_by(|a, b| a.at().cmp(b.at()).then_with(|| a.path.cmp(&b.path)));
    (addenda, rejected)
}

/// A follow-up addendum as it counts, and why its file does not, when it was edited.
struct FollowUpRead {
    follow_up: FollowUpAddendum,
    signature: Option<SignedBy>,
    edited: Option<String>,
}

/// Reads and checks one follow-up addendum and the signature beside it, if any. The
/// journal is the walk: replayed, it gives the addendum's exact bytes, which its last line
/// names. When the file is not those bytes, what the journal gives counts in its place
/// (and the file is reported as edited); with no journal, or one that does not give an
/// ended walk's answers, the file does not count.
fn read_follow_up(
    path: &Path,
    shown: &str,
    record: &Record,
    record_sha256: &str,
) -> Result<FollowUpRead, String> {
    let bytes = read_input(path, shown, ADDENDUM).map_err(|d| d.message)?;
    let journal = path.with_extension("jsonl");
    let journal_name = journal
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // `followup` writes the journal first and the addendum from it: an addendum with no
    // journal is not one a walk wrote, whoever's name is in it.
    if std::fs::symlink_metadata(&journal).is_err() {
        return Err(format!(
            "it has no journal beside it ({journal_name}): follow-up answers count only with the journal that took them"
        ));
    }
    let Some(journaled) = super::follow_up::journaled(&journal) else {
        return Err(format!(
            "its journal ({journal_name}) does not give it: the journal does not end with the walk's end, or was edited"
        ));
    };
    if journaled != bytes {
        return Ok(FollowUpRead {
            follow_up: follow_up_from(&journaled, path, shown, record, record_sha256)?,
            signature: None,
            edited: Some(format!(
                "it was edited after it was written: it is not what its journal gives (sha256 {}); its journal's answers count instead",
                short(&fingerprint(&journaled).0)
            )),
        });
    }
    Ok(FollowUpRead {
        follow_up: follow_up_from(&bytes, path, shown, record, record_sha256)?,
        signature: detached_signature(path, shown, &bytes)?,
        edited: None,
    })
}

/// A follow-up addendum's bytes, read and checked against the record.
fn follow_up_from(
    bytes: &[u8],
    path: &Path,
    shown: &str,
    record: &Record,
    record_sha256: &str,
) -> Result<FollowUpAddendum, String> {
    let body = text(bytes, shown, ADDENDUM).map_err(|d| d.message)?;
    let follow_up: FollowUpAddendum = crate::yaml::from_str(body, shown)
        .map_err(|d| format!("not a follow-up addendum: {}", d.message))?;
    check_follow_up(&follow_up, path, record, record_sha256)?;
    Ok(follow_up)
}

/// Whether a follow-up addendum belongs to this record and holds together.
pub(crate) fn check_follow_up(
    follow_up: &FollowUpAddendum,
    path: &Path,
    record: &Record,
    record_sha256: &str,
) -> Result<(), String> {
    if follow_up.schema != FOLLOWUP_SCHEMA {
        return Err(format!(
            "schema `{}` is not `{FOLLOWUP_SCHEMA}`",
            follow_up.schema
        ));
    }
    if follow_up.record_sha256 != record_sha256 {
        return Err(format!(
            "it names another record (sha256 {}), not this record.yaml (sha256 {record_sha256}): it belongs to another run, or the record changed after it was written",
            short(&follow_up.record_sha256)
        ));
    }
    if !is_finished(record) {
        return Err("the run has not finished; follow-ups count only on a finished record".into());
    }
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name != follow_up.file_name() {
        return Err(format!(
            "its file name does not match what it says (operator `{}` from {}, so `{}`): an operator or time was changed after it was written",
            follow_up.operator,
            follow_up.started_at,
            follow_up.file_name()
        ));
    }
    for answer in &follow_up.answers {
        let Some(item) = record.items.iter().find(|i| i.id == answer.id) else {
            return Err(format!(
                "it answers `{}`, which this run does not have",
                answer.id
            ));
        };
        if item.follow_up.is_none()
            || record
                .items
                .iter()
                .any(|c| c.parent.as_deref() == Some(item.id.as_str()))
        {
            return Err(format!(
                "it answers `{}`, which the run did not hand over as a follow-up",
                answer.id
            ));
        }
        let trigger = item.kind == ItemKind::Trigger;
        if answer.status == Status::Pending || trigger != answer.status.is_trigger_status() {
            return Err(format!(
                "its answer to `{}` is `{}`, which does not fit the item",
                answer.id, answer.status
            ));
        }
        let needs_reason = answer.status.needs_reason(item.optional);
        if needs_reason && answer.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
            return Err(format!(
                "its answer to `{}` is {} without a reason",
                answer.id, answer.status
            ));
        }
        if answer.answered_by.trim().is_empty() {
            return Err(format!("its answer to `{}` names no one", answer.id));
        }
    }
    Ok(())
}

/// Reads and checks one sign-off addendum and the signature beside it.
fn read_signoff(
    path: &Path,
    shown: &str,
    record: &Record,
    record_sha256: &str,
) -> Result<(SignoffAddendum, Option<SignedBy>), String> {
    let bytes = read_input(path, shown, ADDENDUM).map_err(|d| d.message)?;
    let body = text(&bytes, shown, ADDENDUM).map_err(|d| d.message)?;
    // The signature first: an addendum changed after it was signed says so, whatever
    // else the change broke.
    let signature = detached_signature(path, shown, &bytes)?;
    let signoff: SignoffAddendum = crate::yaml::from_str(body, shown)
        .map_err(|d| format!("not a sign-off addendum: {}", d.message))?;
    check_signoff(&signoff, path, record, record_sha256)?;
    Ok((signoff, signature))
}

/// The signature beside an addendum (`<addendum>.sig`), checked over its exact bytes.
fn detached_signature(path: &Path, shown: &str, bytes: &[u8]) -> Result<Option<SignedBy>, String> {
    let signature_path = PathBuf::from(format!("{}.sig", path.display()));
    let signature = if std::fs::symlink_metadata(&signature_path).is_ok() {
        let shown = format!("{shown}.sig");
        let armored = read_input(&signature_path, &shown, SIGNATURE)
            .map_err(|d| format!("its signature: {}", d.message))?;
        let armored =
            std::str::from_utf8(&armored).map_err(|_| "its signature is not text".to_string())?;
        let signed = check_detached(bytes, armored)
            .map_err(|e| format!("its signature {shown} is not good: {e}"))?;
        Some(signed)
    } else {
        None
    };
    Ok(signature)
}

/// Whether a sign-off addendum belongs to this record and holds together.
pub(crate) fn check_signoff(
    signoff: &SignoffAddendum,
    path: &Path,
    record: &Record,
    record_sha256: &str,
) -> Result<(), String> {
    if signoff.schema != SIGNOFF_SCHEMA {
        return Err(format!(
            "schema `{}` is not `{SIGNOFF_SCHEMA}`",
            signoff.schema
        ));
    }
    if signoff.record_sha256 != record_sha256 {
        return Err(format!(
            "it names another record (sha256 {}), not this record.yaml (sha256 {record_sha256}): it belongs to another run, or the record changed after it was signed off",
            short(&signoff.record_sha256)
        ));
    }
    if !is_finished(record) {
        return Err("the run has not finished; sign-offs count only on a finished record".into());
    }
    if !record.signoffs.iter().any(|s| s.role == signoff.role) {
        return Err(format!(
            "it names the role `{}`, which this run does not have",
            signoff.role
        ));
    }
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let stem = signoff.file_stem();
    let named_so = name
        .strip_prefix(stem.as_str())
        .and_then(|rest| rest.strip_suffix(".yaml"))
        .is_some_and(|rest| {
            rest.is_empty()
                || rest
                    .strip_prefix('-')
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        });
    if !named_so {
        return Err(format!(
            "its file name does not match what it says (role `{}` at {}, so `{}`): a role or time was changed after it was written",
            signoff.role,
            signoff.at,
            signoff.file_name()
        ));
    }
    if signoff.name.trim().is_empty() {
        return Err("it names no signer".into());
    }
    match &signoff.refused {
        Some(reason) if reason.trim().is_empty() => {
            return Err("a refusal without a reason".into());
        }
        _ => {}
    }
    let statements = record.role_statements(&signoff.role);
    if let Some(stranger) = signoff
        .statements
        .iter()
        .find(|id| !statements.iter().any(|s| &s.id == *id))
    {
        return Err(format!(
            "statement `{stranger}` is not one of {}'s statements",
            signoff.role
        ));
    }
    Ok(())
}

/// The first 12 hex digits of a digest, for messages.
fn short(sha256: &str) -> String {
    sha256.chars().take(12).collect()
}

#[cfg(test)]
mod tests;
