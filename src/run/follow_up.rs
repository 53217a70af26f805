//! A finished run's follow-ups, answered after the night by whoever is on shift.
//!
//! A follow-up walk is a walk like any other, on a plan of just the open follow-ups (taken
//! from the night's own journal, so the texts and thresholds are the ones the run had),
//! with the night's deployment moment, so early and late are judged against the same
//! windows. It is journaled in a file of its own in the run folder,
//! `followup-<UTC time>-<operator>.jsonl`, and when it ends its answers land beside it in
//! `followup-<UTC time>-<operator>.yaml`, an addendum naming the record's bytes. The
//! night's `journal.jsonl` and `record.yaml` are never written again. A walk stopped by
//! Ctrl-C waits in its journal for its operator to take it up; one whose addendum a
//! crash lost gets it written again from its journal.

use std::path::Path;

use crate::engine::{Event, FollowUpOf, Plan, Walk, replay};
use crate::model::{
    FOLLOWUP_PREFIX, FOLLOWUP_SCHEMA, FollowUpAddendum, FollowUpAnswer, How, Record, Status,
    Timestamp,
};
use crate::store::{
    JournalContents, JournalError, RunFolder, fingerprint, last_event, read_journal,
};

/// The IDs of a record's follow-ups still open: handed over and not answered since.
pub fn open_follow_ups(record: &Record) -> Vec<String> {
    record
        .leaves()
        .filter(|i| i.status == Status::Pending && i.follow_up.is_some())
        .map(|i| i.id.clone())
        .collect()
}

/// The night's walk, replayed from the run's own journal.
pub fn night_walk(folder: &RunFolder) -> Result<Walk, JournalError> {
    let path = folder.journal_path();
    let contents = read_journal(&path)?;
    replay(contents.entries.iter().cloned()).map_err(|e| JournalError::Damaged {
        path,
        line: e.line,
        what: e.message,
    })
}

/// The plan of a follow-up walk: the night's plan cut down to `ids`, in walk order.
pub fn plan_for(night: &Walk, ids: &[String]) -> Plan {
    let plan = night.plan();
    let leaves: Vec<usize> = ids.iter().filter_map(|id| plan.item_index(id)).collect();
    plan.only(&leaves)
}

/// What a follow-up walk's end writes: its answers as an addendum, or `None` when it
/// answered nothing.
pub fn addendum_bytes(walk: &Walk, record: &Record, finished_at: &Timestamp) -> Option<Vec<u8>> {
    let addendum = addendum(walk, record, finished_at)?;
    Some(
        crate::yaml::to_string(&addendum)
            .expect("addenda serialize")
            .into_bytes(),
    )
}

fn addendum(walk: &Walk, record: &Record, finished_at: &Timestamp) -> Option<FollowUpAddendum> {
    let of = walk.follow_up_of()?;
    let answers: Vec<FollowUpAnswer> = record
        .leaves()
        .filter(|i| i.status != Status::Pending)
        .filter_map(|i| {
            Some(FollowUpAnswer {
                id: i.id.clone(),
                status: i.status,
                reason: i.reason.clone(),
                note: i.note.clone(),
                value: i.value.clone(),
                judgement: i.judgement.clone(),
                overridden: i.overridden,
                how: i.how.unwrap_or(How::Typed),
                answered_at: i.answered_at.clone()?,
                answered_by: i.answered_by.clone()?,
                early: i.early.as_deref().cloned(),
                late: i.late.clone(),
            })
        })
        .collect();
    if answers.is_empty() {
        return None;
    }
    let first = &walk.sessions()[0];
    Some(FollowUpAddendum {
        schema: FOLLOWUP_SCHEMA.to_string(),
        record_sha256: of.record_sha256.clone(),
        operator: first.operator.clone(),
        host: first.host.clone(),
        started_at: first.at.clone(),
        finished_at: finished_at.clone(),
        answers,
    })
}

/// What a follow-up walk starts from.
pub fn follow_up_of(record_sha256: &str, record: &Record) -> Option<FollowUpOf> {
    Some(FollowUpOf {
        record_sha256: record_sha256.to_string(),
        deployed_at: record.deployed_at.clone()?,
    })
}

/// The follow-up journals in a run folder, by stem, oldest first.
fn journals(folder: &RunFolder) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(&folder.path) else {
        return Vec::new();
    };
    let mut stems: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.starts_with(FOLLOWUP_PREFIX))
        .filter_map(|n| n.strip_suffix(".jsonl").map(str::to_string))
        .collect();
    stems.sort();
    stems
}

/// This operator's follow-up walk in this run that was stopped before it ended, if any.
pub fn unfinished(folder: &RunFolder, operator: &str) -> Option<(String, JournalContents)> {
    for stem in journals(folder).into_iter().rev() {
        let path = folder.path.join(format!("{stem}.jsonl"));
        // An addendum beside a journal that has not ended: the journal was cut short,
        // and taking it up again would write over the answers the addendum holds.
        if matches!(
            last_event(&path),
            Some(Event::Finish { .. } | Event::Abandon { .. })
        ) || std::fs::symlink_metadata(folder.path.join(format!("{stem}.yaml"))).is_ok()
        {
            continue;
        }
        let Ok(contents) = read_journal(&path) else {
            continue;
        };
        let Ok(walk) = replay(contents.entries.iter().cloned()) else {
            continue;
        };
        if walk.is_open() && walk.operator() == operator {
            return Some((stem, contents));
        }
    }
    None
}

/// Writes again, from its journal, the addendum of every follow-up walk that ended but
/// whose addendum is missing (the process was killed between the two writes). Returns
/// the addenda written.
pub fn settle(folder: &RunFolder) -> Vec<String> {
    let mut written = Vec::new();
    for stem in journals(folder) {
        let journal = folder.path.join(format!("{stem}.jsonl"));
        let addendum = folder.path.join(format!("{stem}.yaml"));
        let Some(Event::Finish {
            record_sha256,
            record_bytes,
        }) = last_event(&journal)
        else {
            continue;
        };
        if record_bytes == 0 || on_disk_is(&addendum, &record_sha256) {
            continue;
        }
        let Some(bytes) = journaled(&journal) else {
            continue;
        };
        let missing = std::fs::symlink_metadata(&addendum).is_err();
        // Only a missing addendum is written: one that differs is evidence of an edit,
        // left for `verify` to report.
        if missing && crate::store::write_atomically(&addendum, &bytes).is_ok() {
            written.push(stem);
        }
    }
    written
}

/// The addendum an ended follow-up walk's journal gives: the bytes its last line names,
/// replayed. `None` for a walk still open, a journal that does not replay, or one whose
/// replay is not the bytes it named.
pub fn journaled(journal: &Path) -> Option<Vec<u8>> {
    let Some(Event::Finish { record_sha256, .. }) = last_event(journal) else {
        return None;
    };
    let contents = read_journal(journal).ok()?;
    let (_, meta, _) = contents.entries.last().cloned()?;
    let walk = replay(contents.entries.iter().cloned()).ok()?;
    let bytes = addendum_bytes(&walk, &walk.record(), &meta.at)?;
    (fingerprint(&bytes).0 == record_sha256).then_some(bytes)
}

fn on_disk_is(path: &Path, sha256: &str) -> bool {
    crate::input::is_regular_file(path)
        && std::fs::read(path).is_ok_and(|bytes| fingerprint(&bytes).0 == sha256)
}
