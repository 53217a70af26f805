//! One run as history sees it: a [`RunSummary`] made from the run's state by a pure
//! function, so what the index stores and what a run's own record says cannot drift apart.
//!
//! Time per phase comes from answer times: each answer is charged the time since the
//! answer before it (or since the session began, after a resume), to its item's phase. A
//! night's pause between two sessions is therefore nobody's phase, and a run's duration is
//! the time its sessions were at work, not the wall clock from first start to finish.

use crate::model::{How, Judged, Record, Status, Timestamp, Verdict};

/// What history keeps of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    pub checklist: String,
    pub checklist_path: String,
    pub environment: String,
    /// The run field that names the release (`Version`, `App Version`, `Release`, `Tag`).
    pub version: Option<String>,
    pub operator: String,
    pub started_at: Timestamp,
    /// When the run finished, or stopped unfinished.
    pub ended_at: Option<Timestamp>,
    /// Seconds the run's sessions were at work (see the module documentation).
    pub duration_s: i64,
    /// The run's verdict, sign-offs given later included.
    pub verdict: Verdict,
    pub causes: Vec<String>,
    /// What the run still waits for beside its verdict: `awaiting sign-off: Security Team`.
    pub outstanding: Vec<String>,
    /// Files beside the record that look like addenda but do not count, with why.
    pub rejected_addenda: Vec<String>,
    pub failed: usize,
    pub skipped: usize,
    pub overridden: usize,
    /// Whether the record's digest matches its content; `false` means it was edited.
    pub digest_ok: bool,
    /// Seconds per phase, in the checklist's order; phases nothing was answered in are left out.
    pub phases: Vec<PhaseTime>,
    pub items: Vec<ItemOutcome>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PhaseTime {
    pub phase: String,
    pub seconds: i64,
}

/// One item's outcome in one run.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemOutcome {
    pub id: String,
    pub text: String,
    pub status: Status,
    pub overridden: bool,
    /// A parent's status, derived from its children: not an answer of its own.
    pub derived: bool,
    /// The measured value as given (`0.25s`).
    pub value: Option<String>,
    /// The value judged against the threshold, in the threshold's unit.
    pub judged: Option<Judged>,
    pub reason: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<Timestamp>,
}

impl ItemOutcome {
    /// Whether this outcome counts towards the items that fail, get skipped or overridden.
    pub fn is_trouble(&self) -> bool {
        !self.derived
            && (matches!(self.status, Status::Failed | Status::Skipped) || self.overridden)
    }
}

/// The run field that names the release: `Version` in any case, else the first field whose
/// name mentions a version, else one named `Release` or `Tag`.
pub fn version_field(fields: &[(String, Option<String>)]) -> Option<String> {
    let lower = |name: &str| name.to_lowercase();
    let pick = |test: &dyn Fn(&str) -> bool| {
        fields
            .iter()
            .find(|(name, value)| test(&lower(name)) && value.is_some())
            .and_then(|(_, value)| value.clone())
    };
    pick(&|n| n == "version")
        .or_else(|| pick(&|n| n.contains("version")))
        .or_else(|| pick(&|n| n == "release" || n == "tag" || n == "release tag"))
}

/// Summarises a run from the record as it stands (its addenda folded in); `digest_ok`
/// says whether the stored record still matches its digest.
#[cfg(test)]
pub fn summarize(record: &Record, digest_ok: bool) -> RunSummary {
    summarize_state(record, record, digest_ok)
}

/// A run summarised as `summarize` does, with the run's timing taken from its night's own record (`night`):
/// a follow-up answered a week later does not make the night a week long.
pub fn summarize_state(night: &Record, record: &Record, digest_ok: bool) -> RunSummary {
    let parents: crate::FastSet<&str> = record
        .items
        .iter()
        .filter_map(|i| i.parent.as_deref())
        .collect();
    let items: Vec<ItemOutcome> = record
        .items
        .iter()
        .map(|item| ItemOutcome {
            id: item.id.clone(),
            text: item.text.clone(),
            status: item.status,
            overridden: item.overridden,
            derived: item.how == Some(How::Derived) || parents.contains(item.id.as_str()),
            value: item.value.clone(),
            judged: item.judgement.as_deref().and_then(Judged::parse),
            reason: item.reason.clone(),
            answered_by: item.answered_by.clone(),
            answered_at: item.answered_at.clone(),
        })
        .collect();
    let count = |test: &dyn Fn(&ItemOutcome) -> bool| {
        items.iter().filter(|i| !i.derived && test(i)).count()
    };
    let ended_at = night
        .finished_at
        .clone()
        .or_else(|| night.stopped.as_ref().map(|s| s.at.clone()));
    let (phases, duration_s) = timing(night, ended_at.as_ref());
    RunSummary {
        checklist: record.checklist.title.clone(),
        checklist_path: record.checklist.path.clone(),
        environment: record.environment.clone(),
        version: version_field(&record.fields.0),
        operator: record.operator.clone(),
        started_at: record.started_at.clone(),
        ended_at,
        duration_s,
        verdict: record.verdict,
        causes: record.causes.clone(),
        outstanding: record.outstanding.clone(),
        rejected_addenda: Vec::new(),
        failed: count(&|i| i.status == Status::Failed),
        skipped: count(&|i| i.status == Status::Skipped),
        overridden: count(&|i| i.overridden),
        digest_ok,
        phases,
        items,
    }
}

/// Seconds per phase and in all, from the answers' times and the sessions' starts.
fn timing(record: &Record, ended_at: Option<&Timestamp>) -> (Vec<PhaseTime>, i64) {
    let mut order: Vec<&str> = Vec::new();
    for item in &record.items {
        if !order.contains(&item.phase.as_str()) {
            order.push(&item.phase);
        }
    }
    let mut sessions: Vec<&Timestamp> = record.sessions.iter().map(|s| &s.at).collect();
    sessions.push(&record.started_at);
    sessions.sort();
    let mut answers: Vec<(&Timestamp, Option<&str>)> = record
        .leaves()
        // Statements confirmed in a sign-off addendum were answered after the run, on
        // another day perhaps: not the run's time.
        .filter(|i| !matches!(i.how, Some(How::Derived | How::Signoff)))
        .filter_map(|i| Some((i.answered_at.as_ref()?, Some(i.phase.as_str()))))
        .collect();
    if let Some(end) = ended_at {
        answers.push((end, None));
    }
    // By instant; at one instant the answers come before the end.
    answers.sort_by_key(|(at, phase)| (at.instant(), phase.is_none()));
    let mut seconds = vec![0i64; order.len()];
    let mut total = 0i64;
    let mut previous = record.started_at.instant();
    for (at, phase) in answers {
        let at = at.instant();
        // The latest session that had begun by this answer: time before it was a pause.
        let session = sessions
            .iter()
            .map(|s| s.instant())
            .filter(|s| *s <= at)
            .max()
            .unwrap_or(previous);
        let since = previous.max(session);
        let gap = (at - since).num_seconds().max(0);
        total += gap;
        if let Some(slot) = phase.and_then(|p| order.iter().position(|o| *o == p)) {
            seconds[slot] += gap;
        }
        previous = previous.max(at);
    }
    let phases = order
        .iter()
        .zip(seconds)
        .filter(|(phase, _)| {
            record.leaves().any(|i| {
                i.phase == **phase && i.answered_at.is_some() && i.how != Some(How::Signoff)
            })
        })
        .map(|(phase, seconds)| PhaseTime {
            phase: phase.to_string(),
            seconds,
        })
        .collect();
    (phases, total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FieldValues, RecordItem, RecordSession, RecordStop};

    use crate::model::sample::{self, at};

    fn item(id: &str, phase: &str, status: Status, answered: Option<&str>) -> RecordItem {
        match answered {
            Some(when) => sample::answered(id, phase, status, "dana", at(when)),
            None => sample::item(id, phase, status),
        }
    }

    fn record(items: Vec<RecordItem>, sessions: &[&str], end: &str) -> Record {
        let mut record = sample::record(items, ("dana", "ops-1"), sessions[0], end);
        record.fields = FieldValues(vec![("Version".into(), Some("v1.2".into()))]);
        record.sessions = sessions
            .iter()
            .map(|s| RecordSession {
                operator: "dana".into(),
                host: "ops-1".into(),
                at: at(s),
            })
            .collect();
        record.settle();
        record
    }

    #[test]
    fn each_answer_is_charged_to_its_phase_from_the_answer_before() {
        let record = record(
            vec![
                item("a", "Pre", Status::Done, Some("2026-11-23T22:02:00+00:00")),
                item("b", "Pre", Status::Done, Some("2026-11-23T22:05:00+00:00")),
                item(
                    "c",
                    "Deploy",
                    Status::Failed,
                    Some("2026-11-23T22:15:00+00:00"),
                ),
                item("d", "Post", Status::Pending, None),
            ],
            &["2026-11-23T22:00:00+00:00"],
            "2026-11-23T22:16:00+00:00",
        );
        let summary = summarize(&record, true);
        assert_eq!(
            summary.phases,
            [
                PhaseTime {
                    phase: "Pre".into(),
                    seconds: 300
                },
                PhaseTime {
                    phase: "Deploy".into(),
                    seconds: 600
                },
            ]
        );
        assert_eq!(summary.duration_s, 960);
        assert_eq!(summary.failed, 1);
        assert_eq!(summary.version.as_deref(), Some("v1.2"));
        assert!(summary.digest_ok);
    }

    #[test]
    fn the_pause_between_two_sessions_is_no_phase_and_not_in_the_duration() {
        let record = record(
            vec![
                item("a", "Pre", Status::Done, Some("2026-11-23T22:10:00+00:00")),
                // Resumed the next morning at 09:00; answered two minutes later.
                item("b", "Post", Status::Done, Some("2026-11-24T09:02:00+00:00")),
            ],
            &["2026-11-23T22:00:00+00:00", "2026-11-24T09:00:00+00:00"],
            "2026-11-24T09:03:00+00:00",
        );
        let summary = summarize(&record, true);
        let seconds: Vec<i64> = summary.phases.iter().map(|p| p.seconds).collect();
        assert_eq!(seconds, [600, 120]);
        assert_eq!(summary.duration_s, 600 + 180);
    }

    #[test]
    fn statements_confirmed_in_a_later_sign_off_are_not_the_runs_time() {
        let mut late = item(
            "s",
            "Sign-off",
            Status::Done,
            Some("2026-11-24T09:00:00+00:00"),
        );
        late.how = Some(How::Signoff);
        let record = record(
            vec![
                item("a", "Pre", Status::Done, Some("2026-11-23T22:10:00+00:00")),
                late,
            ],
            &["2026-11-23T22:00:00+00:00"],
            "2026-11-23T22:11:00+00:00",
        );
        let summary = summarize(&record, true);
        assert_eq!(summary.phases.len(), 1, "{:?}", summary.phases);
        assert_eq!(summary.duration_s, 660);
    }

    #[test]
    fn answers_in_another_offset_compare_as_instants() {
        let record = record(
            vec![item(
                "a",
                "Pre",
                Status::Done,
                Some("2026-11-24T00:05:00+02:00"),
            )],
            &["2026-11-23T22:00:00+00:00"],
            "2026-11-23T22:05:00+00:00",
        );
        let summary = summarize(&record, true);
        assert_eq!(summary.phases[0].seconds, 300);
        assert_eq!(summary.duration_s, 300);
    }

    #[test]
    fn a_stopped_run_ends_at_its_stop() {
        let mut record = record(
            vec![item(
                "a",
                "Pre",
                Status::Done,
                Some("2026-11-23T22:01:00+00:00"),
            )],
            &["2026-11-23T22:00:00+00:00"],
            "2026-11-23T22:05:00+00:00",
        );
        record.finished_at = None;
        record.stopped = Some(RecordStop {
            at: at("2026-11-23T22:03:00+00:00"),
            reason: "quit".into(),
            replaced_by: None,
        });
        record.settle();
        let summary = summarize(&record, true);
        assert_eq!(summary.ended_at, Some(at("2026-11-23T22:03:00+00:00")));
        assert_eq!(summary.duration_s, 180);
        assert_eq!(summary.verdict, Verdict::Incomplete);
    }

    #[test]
    fn the_version_is_found_under_the_names_teams_give_it() {
        let f = |pairs: &[(&str, Option<&str>)]| {
            pairs
                .iter()
                .map(|(n, v)| (n.to_string(), v.map(str::to_string)))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            version_field(&f(&[
                ("Git Commit", Some("3f2a")),
                ("VERSION", Some("2.0"))
            ])),
            Some("2.0".into())
        );
        assert_eq!(
            version_field(&f(&[("App Version", Some("7")), ("Tag", Some("t"))])),
            Some("7".into())
        );
        assert_eq!(
            version_field(&f(&[("Version", None), ("Release", Some("r9"))])),
            Some("r9".into())
        );
        assert_eq!(version_field(&f(&[("Deployed By", Some("dana"))])), None);
    }

    #[test]
    fn trouble_is_failed_skipped_or_overridden_and_never_a_derived_parent() {
        let mut record = record(
            vec![
                item(
                    "p",
                    "Pre",
                    Status::Failed,
                    Some("2026-11-23T22:01:00+00:00"),
                ),
                item(
                    "c",
                    "Pre",
                    Status::Failed,
                    Some("2026-11-23T22:01:00+00:00"),
                ),
                item(
                    "s",
                    "Pre",
                    Status::Skipped,
                    Some("2026-11-23T22:02:00+00:00"),
                ),
                item("o", "Pre", Status::Done, Some("2026-11-23T22:03:00+00:00")),
            ],
            &["2026-11-23T22:00:00+00:00"],
            "2026-11-23T22:05:00+00:00",
        );
        record.items[1].parent = Some("p".into());
        record.items[0].how = Some(How::Derived);
        record.items[3].overridden = true;
        record.settle();
        let summary = summarize(&record, true);
        let trouble: Vec<&str> = summary
            .items
            .iter()
            .filter(|i| i.is_trouble())
            .map(|i| i.id.as_str())
            .collect();
        assert_eq!(trouble, ["c", "s", "o"]);
        assert_eq!(
            (summary.failed, summary.skipped, summary.overridden),
            (1, 1, 1)
        );
    }
}
