//! The state of one run and the events that change it.
//!
//! A [`Walk`] is built from a start event and changed only by [`Walk::apply`]; [`replay`]
//! folds a journal's events through the same `apply`. So the live run, a resume, the
//! resume offer and a record rebuilt from a journal are one computation, and cannot
//! disagree.

use std::cell::Cell;
use std::sync::Arc;

use super::event::{Event, FollowUpOf, Meta, SignoffOutcome, Start};
use super::input::{Command, Refusal};
use super::plan::{ItemKind, Plan, PlanItem, Step};
use crate::model::{
    CheckEnd, Counts, Evidence, FieldValues, How, Measurement, RECORD_SCHEMA, Record,
    RecordChecklist, RecordDecision, RecordEarly, RecordFollowUp, RecordItem, RecordRollback,
    RecordSession, RecordSignoff, RecordStop, RecordWindow, SignoffStatus, Status, Timestamp,
    Verdict, human_duration,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: Status,
    pub reason: Option<String>,
    pub value: Option<String>,
    pub how: How,
    pub overridden: bool,
    /// Why it was answered before its window opened.
    pub early: Option<String>,
    pub at: Timestamp,
    pub by: String,
}

/// Where an item stands against its time window at some moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Due {
    /// The item has no window, or the deployment moment is not known yet.
    Anytime,
    NotYetOpen {
        opens: Timestamp,
        closes: Timestamp,
    },
    Open {
        opens: Timestamp,
        closes: Timestamp,
    },
    Closed {
        opens: Timestamp,
        closes: Timestamp,
    },
}

impl Due {
    /// When the window closes, if it has one that is known.
    pub fn closes(&self) -> Option<&Timestamp> {
        match self {
            Due::Anytime => None,
            Due::NotYetOpen { closes, .. }
            | Due::Open { closes, .. }
            | Due::Closed { closes, .. } => Some(closes),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldValue {
    pub value: Option<String>,
    pub at: Timestamp,
    pub by: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignoffAnswer {
    pub outcome: SignoffOutcome,
    pub at: Timestamp,
    pub by: String,
}

/// A rollback: who started it, when, and why when it was started by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollbackStart {
    pub meta: Meta,
    pub reason: Option<String>,
}

/// The operator went on although these triggers held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decline {
    pub meta: Meta,
    pub reason: String,
    pub triggers: Vec<usize>,
}

/// One execution of an item's check: started, and finished or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckRun {
    pub command: String,
    pub timeout_s: u64,
    /// Who ran it, and when it started.
    pub started: Meta,
    /// `None` while it runs, and for good when deploycheck was killed while it ran.
    pub finish: Option<CheckFinish>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckFinish {
    pub exit_code: Option<i32>,
    pub ended: CheckEnd,
    pub duration_ms: u64,
    pub output: String,
    pub output_truncated: bool,
    pub output_bytes: u64,
}

impl CheckRun {
    /// The execution as the record keeps it; one that never finished says so.
    pub fn evidence(&self) -> Evidence {
        let finish = self.finish.as_ref();
        Evidence {
            command: self.command.clone(),
            exit_code: finish.and_then(|f| f.exit_code),
            duration_ms: finish.map(|f| f.duration_ms),
            started_at: self.started.at.clone(),
            run_by: self.started.by.clone(),
            output: finish.map(|f| f.output.clone()).unwrap_or_default(),
            output_truncated: finish.is_some_and(|f| f.output_truncated),
            output_bytes: finish.map_or(0, |f| f.output_bytes),
            ended: finish.map_or(CheckEnd::Unfinished, |f| f.ended),
            timeout_s: self.timeout_s,
        }
    }
}

/// How a run ended, if it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    Stopped { at: Timestamp, reason: String },
    Finished { at: Timestamp },
    Abandoned { at: Timestamp, by: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// A trigger holds and no rollback has started or been declined: recommend one.
    RecommendRollback { triggers: Vec<usize> },
    /// Nothing is left to ask.
    Finished,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WalkError {
    #[error("`{id}` has sub-items; answer those and its status follows")]
    NotALeaf { id: String },
    #[error("`{id}` is a rollback trigger: answer clear or holds")]
    TriggerNeedsClearOrHolds { id: String },
    #[error("`{id}` is not a rollback trigger, so it cannot be {status}")]
    NotATrigger { id: String, status: Status },
    #[error("{status} needs a reason for `{id}`")]
    ReasonRequired { id: String, status: Status },
    #[error("`{id}` cannot be left pending")]
    PendingIsNotAnAnswer { id: String },
    #[error("`{id}` is part of the rollback procedure; it is walked only once a rollback starts")]
    RollbackNotStarted { id: String },
    #[error("`{id}` is not walked: a rollback has started")]
    RolledBackPast { id: String },
    #[error("a rollback has already started")]
    RollbackAlreadyStarted,
    #[error("starting a rollback by hand needs a reason: rollback REASON")]
    RollbackNeedsReason,
    #[error("no rollback trigger holds")]
    NothingToDecline,
    #[error("a decline needs a reason")]
    DeclineNeedsReason,
    #[error("nothing to take back")]
    NothingToUndo,
    #[error("no {what} `{name}` in this checklist")]
    Unknown { what: &'static str, name: String },
    #[error("the sign-off of `{role}` needs a name or a reason")]
    EmptySignoff { role: String },
    #[error("`{id}` is due from {opens}: answering it before then needs a reason (early REASON)")]
    NotYetOpen { id: String, opens: Timestamp },
    #[error("`{id}` has no time window, so it cannot be handed over as a follow-up")]
    NoWindow { id: String },
    #[error("`{id}` is already answered or handed over")]
    NotOpen { id: String },
    #[error(
        "the window of `{id}` closed at {closes}: answer it now, late, or defer it with a reason"
    )]
    WindowClosed { id: String, closes: Timestamp },
    #[error("the deployment moment was already recorded, at {at}")]
    DeployedTwice { at: Timestamp },
    #[error("nothing to hand over")]
    NothingToHandOver,
    #[error("the deployment moment is not recorded yet, so the windows have no times to be due by")]
    NotDeployed,
    #[error("the run has ended; nothing more can be recorded in it")]
    Closed,
    #[error("the run is stopped; it must be resumed first")]
    Stopped,
    #[error("a run starts only once")]
    StartedTwice,
    #[error("the checklist it names is inconsistent: {0}")]
    BadPlan(#[from] super::plan::PlanError),
    #[error("no check of `{id}` is running, so none can finish")]
    NoCheckRunning { id: String },
    #[error("a check cannot finish as unfinished")]
    FinishedUnfinished,
}

#[derive(Debug, Clone)]
enum Undo {
    Field {
        index: usize,
        previous: Option<FieldValue>,
    },
    Answer {
        item: usize,
        previous: Option<Box<Answer>>,
    },
    Note {
        item: usize,
        previous: Option<Box<str>>,
    },
    Signoff {
        role: usize,
        previous: Option<SignoffAnswer>,
    },
    Rollback,
    Decline,
    HandOver {
        items: Vec<usize>,
    },
}

#[derive(Debug, Clone)]
pub struct Walk {
    plan: Arc<Plan>,
    checklist: RecordChecklist,
    environment: String,
    sessions: Vec<RecordSession>,
    // Per-item state is boxed: a `None` is then all zero bytes, so these lists start as
    // untouched zeroed memory rather than being written item by item before the first
    // prompt (20 MB at 100k items), and an undo entry stays small.
    answers: Vec<Option<Box<Answer>>>,
    notes: Vec<Option<Box<str>>>,
    /// Every execution of each item's check, oldest first; never taken back.
    checks: Vec<Vec<CheckRun>>,
    /// Each item's check command as the run started, by item ID: a command changed since
    /// is shown again before it runs.
    checks_at_start: crate::FastMap<String, String>,
    fields: Vec<Option<FieldValue>>,
    signoffs: Vec<Option<SignoffAnswer>>,
    rollback: Option<RollbackStart>,
    declines: Vec<Decline>,
    /// The deployment moment, once recorded.
    deployed: Option<Meta>,
    /// Items handed over as follow-ups, with who handed them over and when.
    handed_over: Vec<Option<Box<Meta>>>,
    /// Set when this walk answers a finished run's follow-ups.
    follow_up_of: Option<FollowUpOf>,
    history: Vec<Undo>,
    /// The walk events applied, in order, so the walk can move onto a changed plan.
    log: Vec<(Meta, Event)>,
    /// What moving onto a changed plan could not carry over, for the resume report.
    dropped: Vec<String>,
    end: Option<End>,
    cursor: Cell<usize>,
    counts: Counts,
}

impl Walk {
    /// A run begins.
    pub fn start(meta: &Meta, start: Start) -> Walk {
        let Start {
            checklist,
            environment,
            host,
            plan,
            follow_up_of,
        } = start;
        let mut walk = Walk::on(plan, checklist, environment);
        if let Some(of) = &follow_up_of {
            // The windows count from the finished run's moment, not from this walk.
            walk.deployed = Some(Meta {
                at: of.deployed_at.clone(),
                by: meta.by.clone(),
            });
        }
        walk.follow_up_of = follow_up_of;
        walk.checks_at_start = walk
            .plan
            .items
            .iter()
            .filter_map(|i| Some((i.id.clone(), i.check.as_ref()?.run.clone())))
            .collect();
        walk.sessions.push(RecordSession {
            operator: meta.by.clone(),
            host,
            at: meta.at.clone(),
        });
        walk
    }

    fn on(plan: Arc<Plan>, checklist: RecordChecklist, environment: String) -> Walk {
        Walk {
            answers: vec![None; plan.items.len()],
            notes: vec![None; plan.items.len()],
            handed_over: vec![None; plan.items.len()],
            checks: vec![Vec::new(); plan.items.len()],
            checks_at_start: Default::default(),
            fields: vec![None; plan.fields.len()],
            signoffs: vec![None; plan.roles.len()],
            plan,
            checklist,
            environment,
            sessions: Vec::new(),
            rollback: None,
            declines: Vec::new(),
            deployed: None,
            follow_up_of: None,
            history: Vec::new(),
            log: Vec::new(),
            dropped: Vec::new(),
            end: None,
            cursor: Cell::new(0),
            counts: Counts::default(),
        }
    }

    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    pub fn checklist(&self) -> &RecordChecklist {
        &self.checklist
    }

    pub fn environment(&self) -> &str {
        &self.environment
    }

    /// The start and every resume, oldest first.
    pub fn sessions(&self) -> &[RecordSession] {
        &self.sessions
    }

    /// Who started the run.
    pub fn operator(&self) -> &str {
        &self.sessions[0].operator
    }

    pub fn started_at(&self) -> &Timestamp {
        &self.sessions[0].at
    }

    /// Leaf answers by status, kept as answers come and go so displays never rescan.
    pub fn counts(&self) -> Counts {
        self.counts
    }

    pub fn answer(&self, item: usize) -> Option<&Answer> {
        self.answers.get(item)?.as_deref()
    }

    pub fn note(&self, item: usize) -> Option<&str> {
        self.notes.get(item)?.as_deref()
    }

    /// Every execution of the item's check, oldest first.
    pub fn check_runs(&self, item: usize) -> &[CheckRun] {
        self.checks.get(item).map_or(&[], Vec::as_slice)
    }

    /// Checks started and never finished, by item: deploycheck stopped while they ran.
    /// (A check running in this very session is also unfinished until it ends.)
    pub fn unfinished_checks(&self) -> Vec<(usize, &CheckRun)> {
        self.checks
            .iter()
            .enumerate()
            .flat_map(|(item, runs)| runs.iter().map(move |run| (item, run)))
            .filter(|(_, run)| run.finish.is_none())
            .collect()
    }

    /// What the item's check command was when the run started, when it is not what the
    /// plan says now: `Some(None)` for a check the item did not have then.
    pub fn check_changed_since_start(&self, item: usize) -> Option<Option<&str>> {
        let plan_item = self.plan.items.get(item)?;
        let now = &plan_item.check.as_ref()?.run;
        match self.checks_at_start.get(&plan_item.id) {
            Some(then) if then == now => None,
            Some(then) => Some(Some(then.as_str())),
            None => Some(None),
        }
    }

    pub fn field(&self, index: usize) -> Option<&FieldValue> {
        self.fields.get(index)?.as_ref()
    }

    pub fn signoff(&self, role: usize) -> Option<&SignoffAnswer> {
        self.signoffs.get(role)?.as_ref()
    }

    pub fn rollback_started(&self) -> Option<&RollbackStart> {
        self.rollback.as_ref()
    }

    /// The deployment moment, once recorded.
    pub fn deployed(&self) -> Option<&Meta> {
        self.deployed.as_ref()
    }

    /// The finished run whose follow-ups this walk answers, if it does.
    pub fn follow_up_of(&self) -> Option<&FollowUpOf> {
        self.follow_up_of.as_ref()
    }

    /// Who handed an item over as a follow-up, and when.
    pub fn handed_over(&self, item: usize) -> Option<&Meta> {
        self.handed_over.get(item)?.as_deref()
    }

    /// Whether the deployment moment should be recorded now: the walk has passed the
    /// section that completes the deployment, and it is not recorded yet.
    pub fn deployment_due(&self) -> bool {
        if self.deployed.is_some()
            || self.rollback.is_some()
            || !(self.plan.has_windows || self.plan.anchor_after.is_some())
        {
            return false;
        }
        let _ = self.current();
        self.cursor.get() >= self.plan.anchor_steps
    }

    /// Where an item stands against its window at `now`.
    pub fn due(&self, item: usize, now: &Timestamp) -> Due {
        let (Some(window), Some(deployed)) = (
            self.plan.items.get(item).and_then(|i| i.window),
            self.deployed.as_ref(),
        ) else {
            return Due::Anytime;
        };
        let (opens, closes) = window.at(deployed.at.instant());
        let (opens, closes) = (
            Timestamp::from_datetime(opens),
            Timestamp::from_datetime(closes),
        );
        if now.instant() < opens.instant() {
            Due::NotYetOpen { opens, closes }
        } else if now.instant() <= closes.instant() {
            Due::Open { opens, closes }
        } else {
            Due::Closed { opens, closes }
        }
    }

    /// The leaf items of `item`'s section still open on the main path: what handing the
    /// section over as follow-ups covers.
    pub fn open_in_section(&self, item: usize) -> Vec<usize> {
        let here = &self.plan.items[item];
        self.plan
            .main
            .iter()
            .filter_map(|step| match *step {
                Step::Item(i) => Some(i),
                _ => None,
            })
            .filter(|&i| {
                let other = &self.plan.items[i];
                other.phase == here.phase
                    && other.section == here.section
                    && !self.is_answered(Step::Item(i))
            })
            .collect()
    }

    pub fn end(&self) -> Option<&End> {
        self.end.as_ref()
    }

    /// Open: neither finished nor replaced; a stopped run is open and can resume.
    pub fn is_open(&self) -> bool {
        !matches!(self.end, Some(End::Finished { .. } | End::Abandoned { .. }))
    }

    /// What moving onto a changed checklist could not carry over.
    pub fn dropped(&self) -> &[String] {
        &self.dropped
    }

    pub fn can_undo(&self) -> bool {
        !self.history.is_empty()
    }

    fn path(&self) -> &[Step] {
        if self.rollback.is_some() {
            &self.plan.rollback
        } else {
            &self.plan.main
        }
    }

    fn is_answered(&self, step: Step) -> bool {
        match step {
            Step::Field(i) => self.fields[i].is_some(),
            Step::Item(i) => {
                self.answers[i].is_some() || self.handed_over[i].is_some() || self.left_for_owner(i)
            }
            Step::Signoff(r) => self.signoffs[r].is_some(),
        }
    }

    /// A statement of a role that signs off later: its owner confirms it then, in the
    /// sign-off addendum, so the walk does not ask it.
    pub fn left_for_owner(&self, item: usize) -> bool {
        let item = &self.plan.items[item];
        item.kind == ItemKind::Statement
            && item.role.is_some_and(|r| {
                matches!(
                    self.signoffs[r].as_ref().map(|a| &a.outcome),
                    Some(SignoffOutcome::Later)
                )
            })
    }

    /// The next thing to ask, or `None` when the walk is complete. Amortised O(1): the
    /// cursor only moves forward, except after an undo.
    pub fn current(&self) -> Option<Step> {
        let mut cursor = self.cursor.get();
        let found = loop {
            match self.path().get(cursor) {
                None => break None,
                Some(&step) if !self.is_answered(step) => break Some(step),
                Some(_) => cursor += 1,
            }
        };
        self.cursor.set(cursor);
        found
    }

    pub fn is_complete(&self) -> bool {
        self.current().is_none()
    }

    /// Leaf items still open on the path being walked.
    pub fn remaining_items(&self) -> usize {
        let (path, total) = if self.rollback.is_some() {
            (&self.plan.rollback, self.plan.rollback_items)
        } else {
            (&self.plan.main, self.plan.main_items)
        };
        let answered = path
            .iter()
            .filter(|s| matches!(s, Step::Item(_)) && self.is_answered(**s))
            .count();
        total.saturating_sub(answered)
    }

    /// Triggers that hold and that no decline has covered.
    pub fn holding_triggers(&self) -> Vec<usize> {
        let declined = |i: &usize| self.declines.iter().any(|d| d.triggers.contains(i));
        (0..self.plan.items.len())
            .filter(|&i| {
                self.plan.items[i].kind == ItemKind::Trigger
                    && self.answers[i]
                        .as_ref()
                        .is_some_and(|a| a.status == Status::Holds)
                    && !declined(&i)
            })
            .collect()
    }

    /// What `back` would take back, in words: `the answer to "Backup taken"`.
    pub fn last_change(&self) -> Option<String> {
        let text = |i: usize| &self.plan.items[i].text;
        Some(match self.history.last()? {
            Undo::Field { index, .. } => format!("the value of {}", self.plan.fields[*index]),
            Undo::Answer { item, .. } => format!("the answer to \"{}\"", text(*item)),
            Undo::Note { item, .. } => format!("the note on \"{}\"", text(*item)),
            Undo::Signoff { role, .. } => {
                format!("the sign-off of {}", self.plan.roles[*role].role)
            }
            Undo::Rollback => "the start of the rollback".to_string(),
            Undo::Decline => "going on without a rollback".to_string(),
            Undo::HandOver { items } => match items.as_slice() {
                [one] => format!("handing \"{}\" over", text(*one)),
                [first, ..] => format!("handing {} over", self.plan.items[*first].section),
                [] => "a hand-over".to_string(),
            },
        })
    }

    /// Applies one event; an event the walk refuses changes nothing.
    pub fn apply(&mut self, meta: &Meta, event: &Event) -> Result<Vec<Effect>, WalkError> {
        match event {
            Event::Start(_) => return Err(WalkError::StartedTwice),
            Event::Resume {
                host,
                checklist,
                plan,
            } => {
                if !self.is_open() {
                    return Err(WalkError::Closed);
                }
                self.end = None;
                self.sessions.push(RecordSession {
                    operator: meta.by.clone(),
                    host: host.clone(),
                    at: meta.at.clone(),
                });
                if let Some(plan) = plan {
                    let mut plan = (**plan).clone();
                    plan.reindex().map_err(WalkError::BadPlan)?;
                    self.move_onto(plan);
                }
                if let Some(checklist) = checklist {
                    self.checklist = checklist.clone();
                }
                return Ok(Vec::new());
            }
            Event::Stop { reason } => {
                self.check_open()?;
                self.end = Some(End::Stopped {
                    at: meta.at.clone(),
                    reason: reason.clone(),
                });
                return Ok(Vec::new());
            }
            Event::Finish { .. } => {
                self.check_open()?;
                self.end = Some(End::Finished {
                    at: meta.at.clone(),
                });
                return Ok(Vec::new());
            }
            Event::Abandon { .. } => {
                if !self.is_open() {
                    return Err(WalkError::Closed);
                }
                self.end = Some(End::Abandoned {
                    at: meta.at.clone(),
                    by: meta.by.clone(),
                });
                return Ok(Vec::new());
            }
            _ => {}
        }
        self.check_open()?;
        let effects = self.apply_step(meta, event)?;
        self.log.push((meta.clone(), event.clone()));
        Ok(effects)
    }

    fn check_event(&mut self, meta: &Meta, event: &Event) -> Result<(), WalkError> {
        match event {
            Event::CheckStarted {
                id,
                command,
                timeout_s,
            } => {
                let item = self.item_index(id)?;
                if !self.plan.items[item].is_leaf() {
                    return Err(WalkError::NotALeaf { id: id.clone() });
                }
                self.checks[item].push(CheckRun {
                    command: command.clone(),
                    timeout_s: *timeout_s,
                    started: meta.clone(),
                    finish: None,
                });
            }
            Event::CheckFinished {
                id,
                exit_code,
                ended,
                duration_ms,
                output,
                output_truncated,
                output_bytes,
            } => {
                let item = self.item_index(id)?;
                if *ended == CheckEnd::Unfinished {
                    return Err(WalkError::FinishedUnfinished);
                }
                let run = self.checks[item]
                    .last_mut()
                    .filter(|run| run.finish.is_none())
                    .ok_or_else(|| WalkError::NoCheckRunning { id: id.clone() })?;
                run.finish = Some(CheckFinish {
                    exit_code: *exit_code,
                    ended: *ended,
                    duration_ms: *duration_ms,
                    output: output.clone(),
                    output_truncated: *output_truncated,
                    output_bytes: *output_bytes,
                });
            }
            _ => unreachable!("only check events"),
        }
        Ok(())
    }

    fn check_open(&self) -> Result<(), WalkError> {
        match self.end {
            None => Ok(()),
            Some(End::Stopped { .. }) => Err(WalkError::Stopped),
            Some(_) => Err(WalkError::Closed),
        }
    }

    fn item_index(&self, id: &str) -> Result<usize, WalkError> {
        self.plan.item_index(id).ok_or_else(|| WalkError::Unknown {
            what: "item",
            name: id.to_string(),
        })
    }

    fn apply_step(&mut self, meta: &Meta, event: &Event) -> Result<Vec<Effect>, WalkError> {
        if matches!(
            event,
            Event::CheckStarted { .. } | Event::CheckFinished { .. }
        ) {
            // Evidence changes no answer, so it has no effect on the walk.
            self.check_event(meta, event)?;
            return Ok(Vec::new());
        }
        let mut effects = Vec::new();
        match event {
            Event::Field { name, value } => self.set_field(meta, name, value)?,
            Event::Answer {
                id,
                status,
                reason,
                value,
                how,
                overridden,
                early,
            } => {
                let item = self.item_index(id)?;
                self.check_answer(item, *status, reason.as_deref())?;
                let early = early.clone().filter(|e| !e.trim().is_empty());
                if let Due::NotYetOpen { opens, .. } = self.due(item, &meta.at)
                    && early.is_none()
                {
                    return Err(WalkError::NotYetOpen {
                        id: id.clone(),
                        opens,
                    });
                }
                let answer = Answer {
                    status: *status,
                    reason: reason.clone(),
                    value: value.clone(),
                    how: *how,
                    overridden: *overridden,
                    early,
                    at: meta.at.clone(),
                    by: meta.by.clone(),
                };
                self.set_answer(item, answer);
                if *status == Status::Holds && self.rollback.is_none() {
                    effects.push(Effect::RecommendRollback {
                        triggers: self.holding_triggers(),
                    });
                }
            }
            Event::Note { id, text } => {
                let item = self.item_index(id)?;
                let previous = self.notes[item].take();
                let note = match previous.as_deref() {
                    Some(existing) => format!("{existing}; {text}"),
                    None => text.clone(),
                };
                self.notes[item] = Some(note.into_boxed_str());
                self.history.push(Undo::Note { item, previous });
            }
            Event::Signoff { role, outcome } => self.sign(meta, role, outcome)?,
            Event::Rollback { reason } => self.start_rollback(meta, reason.as_deref())?,
            Event::Decline { reason } => self.decline(meta, reason)?,
            Event::Undo => self.undo()?,
            Event::Deployed => {
                if let Some(deployed) = &self.deployed {
                    return Err(WalkError::DeployedTwice {
                        at: deployed.at.clone(),
                    });
                }
                self.deployed = Some(meta.clone());
            }
            Event::HandOver { ids } => self.hand_over(meta, ids)?,
            Event::CheckStarted { .. } | Event::CheckFinished { .. } => {
                unreachable!("handled above")
            }
            Event::Start(_)
            | Event::Resume { .. }
            | Event::Stop { .. }
            | Event::Finish { .. }
            | Event::Abandon { .. } => unreachable!("handled in apply"),
        }
        if self.current().is_none() {
            effects.push(Effect::Finished);
        }
        Ok(effects)
    }

    fn set_field(
        &mut self,
        meta: &Meta,
        name: &str,
        value: &Option<String>,
    ) -> Result<(), WalkError> {
        let index = self
            .plan
            .field_index(name)
            .ok_or_else(|| WalkError::Unknown {
                what: "run field",
                name: name.to_string(),
            })?;
        let previous = self.fields[index].replace(FieldValue {
            value: value.clone(),
            at: meta.at.clone(),
            by: meta.by.clone(),
        });
        self.history.push(Undo::Field { index, previous });
        Ok(())
    }

    fn set_answer(&mut self, item: usize, answer: Answer) {
        let status = answer.status;
        let previous = self.answers[item].replace(Box::new(answer));
        if let Some(previous) = &previous {
            self.counts.remove(previous.status);
        }
        self.counts.add(status);
        self.history.push(Undo::Answer { item, previous });
    }

    fn sign(&mut self, meta: &Meta, role: &str, outcome: &SignoffOutcome) -> Result<(), WalkError> {
        let index = self
            .plan
            .role_index(role)
            .ok_or_else(|| WalkError::Unknown {
                what: "sign-off role",
                name: role.to_string(),
            })?;
        if let SignoffOutcome::Signed(text) | SignoffOutcome::Refused(text) = outcome
            && text.trim().is_empty()
        {
            return Err(WalkError::EmptySignoff {
                role: role.to_string(),
            });
        }
        let previous = self.signoffs[index].replace(SignoffAnswer {
            outcome: outcome.clone(),
            at: meta.at.clone(),
            by: meta.by.clone(),
        });
        self.history.push(Undo::Signoff {
            role: index,
            previous,
        });
        Ok(())
    }

    fn start_rollback(&mut self, meta: &Meta, reason: Option<&str>) -> Result<(), WalkError> {
        if self.rollback.is_some() {
            return Err(WalkError::RollbackAlreadyStarted);
        }
        let by_hand = self.holding_triggers().is_empty();
        let reason = reason.filter(|r| !r.trim().is_empty()).map(str::to_string);
        if by_hand && reason.is_none() {
            return Err(WalkError::RollbackNeedsReason);
        }
        self.rollback = Some(RollbackStart {
            meta: meta.clone(),
            reason,
        });
        self.cursor.set(0);
        self.history.push(Undo::Rollback);
        Ok(())
    }

    fn decline(&mut self, meta: &Meta, reason: &str) -> Result<(), WalkError> {
        let triggers = self.holding_triggers();
        if triggers.is_empty() {
            return Err(WalkError::NothingToDecline);
        }
        if reason.trim().is_empty() {
            return Err(WalkError::DeclineNeedsReason);
        }
        self.declines.push(Decline {
            meta: meta.clone(),
            reason: reason.to_string(),
            triggers,
        });
        self.history.push(Undo::Decline);
        Ok(())
    }

    fn hand_over(&mut self, meta: &Meta, ids: &[String]) -> Result<(), WalkError> {
        if ids.is_empty() {
            return Err(WalkError::NothingToHandOver);
        }
        if self.deployed.is_none() {
            return Err(WalkError::NotDeployed);
        }
        let mut items = Vec::with_capacity(ids.len());
        for id in ids {
            let item = self.item_index(id)?;
            let plan_item = &self.plan.items[item];
            if !plan_item.is_leaf() {
                return Err(WalkError::NotALeaf { id: id.clone() });
            }
            if plan_item.window.is_none() || plan_item.is_procedure() {
                return Err(WalkError::NoWindow { id: id.clone() });
            }
            if self.is_answered(Step::Item(item)) || items.contains(&item) {
                return Err(WalkError::NotOpen { id: id.clone() });
            }
            if let Due::Closed { closes, .. } = self.due(item, &meta.at) {
                return Err(WalkError::WindowClosed {
                    id: id.clone(),
                    closes,
                });
            }
            items.push(item);
        }
        for &item in &items {
            self.handed_over[item] = Some(Box::new(meta.clone()));
        }
        self.history.push(Undo::HandOver { items });
        Ok(())
    }

    fn check_answer(
        &self,
        item: usize,
        status: Status,
        reason: Option<&str>,
    ) -> Result<(), WalkError> {
        let plan_item = &self.plan.items[item];
        let id = || plan_item.id.clone();
        if !plan_item.is_leaf() {
            return Err(WalkError::NotALeaf { id: id() });
        }
        if status == Status::Pending {
            return Err(WalkError::PendingIsNotAnAnswer { id: id() });
        }
        match (
            plan_item.kind == ItemKind::Trigger,
            status.is_trigger_status(),
        ) {
            (true, false) => return Err(WalkError::TriggerNeedsClearOrHolds { id: id() }),
            (false, true) => return Err(WalkError::NotATrigger { id: id(), status }),
            _ => {}
        }
        if status.needs_reason(plan_item.optional) && reason.is_none_or(|r| r.trim().is_empty()) {
            return Err(WalkError::ReasonRequired { id: id(), status });
        }
        match (plan_item.is_procedure(), self.rollback.is_some()) {
            (true, false) => Err(WalkError::RollbackNotStarted { id: id() }),
            (false, true) => Err(WalkError::RolledBackPast { id: id() }),
            _ => Ok(()),
        }
    }

    fn undo(&mut self) -> Result<(), WalkError> {
        let undo = self.history.pop().ok_or(WalkError::NothingToUndo)?;
        match undo {
            Undo::Field { index, previous } => self.fields[index] = previous,
            Undo::Answer { item, previous } => {
                if let Some(current) = self.answers[item].take() {
                    self.counts.remove(current.status);
                }
                if let Some(previous) = &previous {
                    self.counts.add(previous.status);
                }
                self.answers[item] = previous;
            }
            Undo::Note { item, previous } => self.notes[item] = previous,
            Undo::Signoff { role, previous } => self.signoffs[role] = previous,
            Undo::Rollback => self.rollback = None,
            Undo::Decline => {
                self.declines.pop();
            }
            Undo::HandOver { items } => {
                for item in items {
                    self.handed_over[item] = None;
                }
            }
        }
        // Walk forward again from the top of the path: the undone step is the first open one.
        self.cursor.set(0);
        Ok(())
    }

    /// Moves the walk onto a changed plan: everything applied so far is applied again to
    /// the new one, and what no longer fits (an answer for an item that is gone) is left
    /// out and listed in [`Walk::dropped`].
    fn move_onto(&mut self, plan: Plan) {
        let mut fresh = Walk::on(
            Arc::new(plan),
            self.checklist.clone(),
            self.environment.clone(),
        );
        fresh.sessions = std::mem::take(&mut self.sessions);
        fresh.follow_up_of = self.follow_up_of.take();
        if fresh.follow_up_of.is_some() {
            fresh.deployed = self.deployed.take();
        }
        fresh.checks_at_start = std::mem::take(&mut self.checks_at_start);
        fresh.dropped = std::mem::take(&mut self.dropped);
        // Whether each undoable event was applied, so an undo after a dropped event does
        // not take back something else.
        let mut applied: Vec<bool> = Vec::new();
        for (meta, event) in std::mem::take(&mut self.log) {
            if matches!(event, Event::Undo) {
                if applied.pop().unwrap_or(false) {
                    let _ = fresh.apply_step(&meta, &event);
                    fresh.log.push((meta, event));
                }
                continue;
            }
            // Evidence and the deployment moment are never taken back, so they take no
            // place among the undoable.
            let undoable = event.is_undoable();
            match fresh.apply_step(&meta, &event) {
                Ok(_) => {
                    if undoable {
                        applied.push(true);
                    }
                    fresh.log.push((meta, event));
                }
                Err(error) => {
                    if undoable {
                        applied.push(false);
                    }
                    fresh.dropped.push(describe_dropped(&event, &error));
                }
            }
        }
        *self = fresh;
    }

    /// The record as the run stands.
    pub fn record(&self) -> Record {
        self.record_ending(self.end.as_ref())
    }

    /// The record as the run stands, judged but not sealed: its digest is left empty. For
    /// `verify`, which compares it with a record whose digest it computes anyway.
    pub fn record_unsealed(&self) -> Record {
        self.judged_record(self.end.as_ref())
    }

    /// The record the run would have if it ended as `end` now: what a finish writes, and
    /// names in its journal line before writing it.
    pub fn record_ending(&self, end: Option<&End>) -> Record {
        let mut record = self.judged_record(end);
        record.seal();
        record
    }

    /// [`Self::record_ending`] before its digest is computed: what
    /// [`crate::store::sealed_record_bytes`] seals as it writes it.
    pub fn judged_record(&self, end: Option<&End>) -> Record {
        let (finished_at, stopped) = match end {
            None => (None, None),
            Some(End::Finished { at }) => (Some(at.clone()), None),
            Some(End::Stopped { at, reason }) => (
                None,
                Some(RecordStop {
                    at: at.clone(),
                    reason: reason.clone(),
                    replaced_by: None,
                }),
            ),
            Some(End::Abandoned { at, by }) => (
                None,
                Some(RecordStop {
                    at: at.clone(),
                    reason: format!("replaced by a new run started by {by}"),
                    replaced_by: Some(by.clone()),
                }),
            ),
        };
        let first = &self.sessions[0];
        let finished = matches!(end, Some(End::Finished { .. }));
        let mut record = Record {
            schema: RECORD_SCHEMA.to_string(),
            checklist: self.checklist.clone(),
            environment: self.environment.clone(),
            fields: self.record_fields(),
            operator: first.operator.clone(),
            host: first.host.clone(),
            sessions: self.sessions.clone(),
            started_at: first.at.clone(),
            finished_at,
            stopped,
            deployed_at: self.deployed.as_ref().map(|d| d.at.clone()),
            items: self.record_items(finished),
            rollback: self.record_rollback(),
            signoffs: self.record_signoffs(),
            counts: Counts::default(),
            verdict: Verdict::Incomplete,
            causes: Vec::new(),
            outstanding: Vec::new(),
            digest: String::new(),
            signatures: Vec::new(),
        };
        record.rejudge();
        record
    }

    /// Every item of the environment's tree as the record lists it, parents derived from
    /// their children, items never walked saying why.
    fn record_items(&self, finished: bool) -> Vec<RecordItem> {
        let rolled_back = self.rollback.is_some();
        let items = &self.plan.items;
        let mut derived: Vec<Option<Answer>> = vec![None; items.len()];
        // Children come after their parent, so a reverse pass sees children first.
        for index in (0..items.len()).rev() {
            let item = &items[index];
            if item.is_leaf() {
                continue;
            }
            let children: Vec<(bool, Option<&Answer>)> = item
                .children
                .iter()
                .map(|&c| {
                    (
                        items[c].optional,
                        derived[c].as_ref().or(self.answers[c].as_deref()),
                    )
                })
                .collect();
            derived[index] = derive_parent(item, &children);
        }
        items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                let answer = if item.is_leaf() {
                    self.answers[index].as_deref()
                } else {
                    derived[index].as_ref()
                };
                let timing = self.timing(index, answer, item.is_leaf());
                let judgement = answer
                    .and_then(|a| a.value.as_deref())
                    .zip(item.threshold.as_ref())
                    .and_then(|(value, threshold)| {
                        Measurement::parse(value).ok()?.judge(threshold).ok()
                    })
                    .map(|j| j.explanation);
                RecordItem {
                    id: item.id.clone(),
                    phase: item.phase.to_string(),
                    section: item.section.to_string(),
                    text: item.text.clone(),
                    kind: item.kind,
                    optional: item.optional,
                    parent: item.parent.map(|p| items[p].id.clone()),
                    role: item.role.map(|r| self.plan.roles[r].role.clone()),
                    status: answer.map_or(Status::Pending, |a| a.status),
                    reason: match answer {
                        Some(answer) => answer.reason.clone(),
                        None if self.handed_over[index].is_some() => {
                            Some("handed over as a follow-up".into())
                        }
                        None if item.is_leaf() && self.left_for_owner(index) => Some(format!(
                            "left for {} to confirm at its sign-off",
                            item.role
                                .map_or("its role", |r| self.plan.roles[r].role.as_str())
                        )),
                        None => unwalked_reason(item, rolled_back, finished),
                    },
                    note: self.notes[index].as_deref().map(str::to_string),
                    value: answer.and_then(|a| a.value.clone()),
                    judgement,
                    overridden: answer.is_some_and(|a| a.overridden),
                    how: answer.map(|a| a.how),
                    answered_at: answer.map(|a| a.at.clone()),
                    answered_by: answer.map(|a| a.by.clone()),
                    window: timing.window.map(Box::new),
                    early: timing.early.map(Box::new),
                    late: timing.late,
                    follow_up: timing.follow_up.map(Box::new),
                    evidence: (item.check.is_some() || !self.checks[index].is_empty())
                        .then(|| self.checks[index].iter().map(CheckRun::evidence).collect()),
                }
            })
            .collect()
    }

    /// An item against its window: when it opened and closed, whether it was answered
    /// early or late and by how much, and whether it was handed over as a follow-up.
    fn timing(&self, index: usize, answer: Option<&Answer>, leaf: bool) -> Timing {
        let Some(window) = self.plan.items[index].window else {
            return Timing::default();
        };
        let times = self.deployed.as_ref().map(|deployed| {
            let (opens, closes) = window.at(deployed.at.instant());
            (
                Timestamp::from_datetime(opens),
                Timestamp::from_datetime(closes),
            )
        });
        let mut timing = Timing {
            window: Some(RecordWindow {
                from: window.from,
                to: window.to,
                opens: times.as_ref().map(|t| t.0.clone()),
                closes: times.as_ref().map(|t| t.1.clone()),
            }),
            ..Timing::default()
        };
        let (Some((opens, closes)), true) = (times, leaf) else {
            return timing;
        };
        match (answer, self.handed_over[index].as_ref()) {
            (Some(answer), _) => {
                if answer.at.instant() < opens.instant() {
                    timing.early = Some(RecordEarly {
                        by: human_duration(opens.instant() - answer.at.instant()),
                        reason: answer
                            .early
                            .clone()
                            .unwrap_or_else(|| "answered before the window opened".into()),
                    });
                } else if answer.at.instant() > closes.instant() {
                    timing.late = Some(human_duration(answer.at.instant() - closes.instant()));
                }
            }
            (None, Some(handed)) => {
                timing.follow_up = Some(RecordFollowUp {
                    due: closes,
                    handed_over_at: handed.at.clone(),
                    handed_over_by: handed.by.clone(),
                });
            }
            (None, None) => {}
        }
        timing
    }

    fn record_fields(&self) -> FieldValues {
        FieldValues(
            self.plan
                .fields
                .iter()
                .zip(&self.fields)
                .map(|(name, value)| (name.clone(), value.as_ref().and_then(|v| v.value.clone())))
                .collect(),
        )
    }

    fn record_rollback(&self) -> RecordRollback {
        let started = self.rollback.as_ref();
        RecordRollback {
            started: started.is_some(),
            started_at: started.map(|r| r.meta.at.clone()),
            started_by: started.map(|r| r.meta.by.clone()),
            reason: started.and_then(|r| r.reason.clone()),
            // Filled from the items when the record settles.
            triggers_held: Vec::new(),
            declined: self
                .declines
                .iter()
                .map(|d| RecordDecision {
                    by: d.meta.by.clone(),
                    at: d.meta.at.clone(),
                    reason: d.reason.clone(),
                    triggers: d
                        .triggers
                        .iter()
                        .map(|&t| self.plan.items[t].id.clone())
                        .collect(),
                })
                .collect(),
        }
    }

    fn record_signoffs(&self) -> Vec<RecordSignoff> {
        self.plan
            .roles
            .iter()
            .zip(&self.signoffs)
            .map(|(role, answer)| {
                let statements = role
                    .statements
                    .iter()
                    .filter(|&&s| {
                        self.answers[s]
                            .as_ref()
                            .is_some_and(|a| a.status == Status::Done)
                    })
                    .map(|&s| self.plan.items[s].id.clone())
                    .collect();
                let (status, name, reason) = match answer.as_ref().map(|a| &a.outcome) {
                    None => (SignoffStatus::Pending, None, None),
                    Some(SignoffOutcome::Signed(name)) => {
                        (SignoffStatus::Signed, Some(name.clone()), None)
                    }
                    Some(SignoffOutcome::Refused(reason)) => {
                        (SignoffStatus::Refused, None, Some(reason.clone()))
                    }
                    Some(SignoffOutcome::Later) => (SignoffStatus::Awaiting, None, None),
                };
                RecordSignoff {
                    role: role.role.clone(),
                    status,
                    name,
                    reason,
                    at: answer.as_ref().map(|a| a.at.clone()),
                    by: answer.as_ref().map(|a| a.by.clone()),
                    statements,
                }
            })
            .collect()
    }
}

/// What [`Walk::timing`] gives a record item.
#[derive(Default)]
struct Timing {
    window: Option<RecordWindow>,
    early: Option<RecordEarly>,
    late: Option<String>,
    follow_up: Option<RecordFollowUp>,
}

/// One journal line's event that a replay could not use, with its line number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ReplayError {
    pub line: usize,
    pub message: String,
}

/// Builds the walk from a journal's events, in order: the first must be the start, and
/// every other must apply. A journal is the run, so an event that does not apply means the
/// journal was damaged, and is an error naming its line.
pub fn replay<I>(events: I) -> Result<Walk, ReplayError>
where
    I: IntoIterator<Item = (usize, Meta, Event)>,
{
    let mut events = events.into_iter();
    let (line, meta, first) = events.next().ok_or(ReplayError {
        line: 1,
        message: "the journal has no start event".into(),
    })?;
    let Event::Start(mut start) = first else {
        return Err(ReplayError {
            line,
            message: "the journal does not begin with a start event".into(),
        });
    };
    // What a plan derives is not written down; rebuild it, checking what is.
    Arc::make_mut(&mut start.plan)
        .reindex()
        .map_err(|message| ReplayError {
            line,
            message: format!("the checklist it names is inconsistent: {message}"),
        })?;
    let mut walk = Walk::start(&meta, *start);
    for (line, meta, event) in events {
        walk.apply(&meta, &event).map_err(|error| ReplayError {
            line,
            message: error.to_string(),
        })?;
    }
    Ok(walk)
}

fn describe_dropped(event: &Event, error: &WalkError) -> String {
    match event {
        Event::Field { name, .. } => format!("run field `{name}`: {error}"),
        Event::Answer { id, .. } => format!("answer for `{id}`: {error}"),
        Event::Note { id, .. } => format!("note on `{id}`: {error}"),
        Event::Signoff { role, .. } => format!("sign-off of `{role}`: {error}"),
        Event::HandOver { ids } => format!("hand-over of {}: {error}", ids.join(", ")),
        Event::CheckStarted { id, .. } | Event::CheckFinished { id, .. } => {
            format!("check of `{id}`: {error}")
        }
        _ => error.to_string(),
    }
}

fn unwalked_reason(item: &PlanItem, rolled_back: bool, finished: bool) -> Option<String> {
    if item.is_procedure() && !rolled_back {
        Some("not walked: no rollback was started".into())
    } else if !item.is_procedure() && rolled_back {
        Some("not walked: a rollback was started".into())
    } else if finished {
        Some("not walked".into())
    } else {
        None
    }
}

/// A parent's status from its children: failed if a required child failed, done when every
/// required child is done or n/a, a trigger group holds when any child holds. Its time is
/// its latest child's, compared as instants.
fn derive_parent(item: &PlanItem, children: &[(bool, Option<&Answer>)]) -> Option<Answer> {
    let latest = children
        .iter()
        .filter_map(|(_, a)| *a)
        .max_by(|a, b| a.at.cmp(&b.at))?;
    let statuses: Vec<(bool, Option<Status>)> = children
        .iter()
        .map(|(optional, a)| (*optional, a.map(|a| a.status)))
        .collect();
    let (status, reason) = Status::of_children(item.kind == ItemKind::Trigger, &statuses)?;
    Some(Answer {
        status,
        reason,
        value: None,
        how: How::Derived,
        overridden: false,
        early: None,
        at: latest.at.clone(),
        by: latest.by.clone(),
    })
}

/// Turns what the operator typed at an item's prompt into an answer event: status words
/// are checked against the item, measured values are judged against its threshold.
pub fn resolve_item_answer(
    plan: &Plan,
    item: usize,
    command: Command,
    how: How,
) -> Result<Event, Refusal> {
    let plan_item = &plan.items[item];
    let (status, reason, value, overridden) = match command {
        Command::Answer { status, reason } => {
            check_status_word(plan_item, status, reason.as_deref())?;
            (status, reason, None, false)
        }
        Command::Measured {
            value,
            override_reason,
        } => {
            let (status, reason, overridden) = judge_value(plan_item, &value, override_reason)?;
            (status, reason, Some(value.trim().to_string()), overridden)
        }
        Command::DoneWithoutValue { reason } => {
            if plan_item.kind == ItemKind::Trigger {
                return Err(NOT_A_STEP.into());
            }
            let reason = match (&plan_item.threshold, reason) {
                (Some(threshold), reason) => Some(format!(
                    "done without a value (threshold {threshold} not measured){}",
                    reason.map_or(String::new(), |r| format!(": {r}"))
                )),
                (None, reason) => reason,
            };
            (Status::Done, reason, None, false)
        }
        _ => return Err("not an answer".into()),
    };
    Ok(Event::Answer {
        id: plan_item.id.clone(),
        status,
        reason,
        value,
        how,
        overridden,
        early: None,
    })
}

const NOT_A_STEP: &str = "this is a rollback trigger: answer clear (it does not hold) or holds";

/// A status word fits the item: trigger words for triggers, a value for measured items,
/// a reason where one is needed.
fn check_status_word(item: &PlanItem, status: Status, reason: Option<&str>) -> Result<(), Refusal> {
    let trigger = item.kind == ItemKind::Trigger;
    if trigger && !status.is_trigger_status() {
        return Err(NOT_A_STEP.into());
    }
    if !trigger && status.is_trigger_status() {
        return Err(Refusal(format!(
            "{status} is for rollback triggers; this item takes y, f, s, na or d"
        )));
    }
    if let (Status::Done, Some(threshold)) = (status, &item.threshold) {
        return Err(Refusal(format!(
            "this item is measured: type the value, like {}, or y! if there is no value to give (or f/s/na/d with a reason)",
            threshold.example()
        )));
    }
    if status.needs_reason(item.optional) && reason.is_none() {
        let key = match status {
            Status::Failed => "f",
            Status::Skipped => "s",
            Status::Deferred => "d",
            _ => "na",
        };
        return Err(Refusal(format!("{status} needs a reason: {key} REASON")));
    }
    Ok(())
}

/// What a measured value comes to against the item's threshold: the status, its reason,
/// and whether the operator overrode the judgement.
fn judge_value(
    item: &PlanItem,
    value: &str,
    override_reason: Option<String>,
) -> Result<(Status, Option<String>, bool), Refusal> {
    let threshold = item
        .threshold
        .as_ref()
        .ok_or("this item takes no measurement; answer y, f REASON, s REASON, na or d REASON")?;
    let judgement = Measurement::parse(value)
        .and_then(|m| m.judge(threshold))
        .map_err(|e| Refusal(e.to_string()))?;
    // For a trigger the threshold states the condition: meeting it means it holds.
    let (pass, fail) = if item.kind == ItemKind::Trigger {
        (Status::Holds, Status::Clear)
    } else {
        (Status::Done, Status::Failed)
    };
    let judged = if judgement.passes { pass } else { fail };
    Ok(match override_reason {
        None if judged == Status::Failed => (judged, Some(judgement.explanation), false),
        None => (judged, None, false),
        Some(reason) => (if judged == pass { fail } else { pass }, Some(reason), true),
    })
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod window_tests;
