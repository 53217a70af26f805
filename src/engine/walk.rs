//! The state of one run and the events that change it.

use super::input::Command;
use super::plan::{ItemKind, Plan, PlanItem, Step};
use crate::model::{
    FieldValues, Measurement, RecordItem, RecordRollback, RecordSignoff, Status, Verdict,
};

/// Who did something, and when (RFC 3339); supplied by the caller, never read here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    pub at: String,
    pub by: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: Status,
    pub reason: Option<String>,
    pub value: Option<String>,
    pub note: Option<String>,
    pub at: String,
    pub by: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldValue {
    pub value: Option<String>,
    pub at: String,
    pub by: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignoffOutcome {
    Signed(String),
    Refused(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignoffAnswer {
    pub outcome: SignoffOutcome,
    pub at: String,
    pub by: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Field {
        index: usize,
        value: Option<String>,
    },
    Answer {
        item: usize,
        status: Status,
        reason: Option<String>,
        value: Option<String>,
    },
    Note {
        item: usize,
        text: String,
    },
    Signoff {
        role: usize,
        outcome: SignoffOutcome,
    },
    StartRollback,
    /// The operator keeps going although triggers hold; the reason lands on each of them.
    DeclineRollback {
        reason: String,
    },
    /// Take back the last change (`back`).
    Undo,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// A trigger holds and no rollback has started: recommend one.
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
    #[error("`{id}` is part of the rollback procedure; it is walked only once a rollback starts")]
    RollbackNotStarted { id: String },
    #[error("`{id}` is not walked: a rollback has started")]
    RolledBackPast { id: String },
    #[error("a rollback has already started")]
    RollbackAlreadyStarted,
    #[error("no rollback trigger holds")]
    NothingToDecline,
    #[error("nothing to take back")]
    NothingToUndo,
    #[error("no such {what}: {index}")]
    OutOfRange { what: &'static str, index: usize },
}

/// Leaf answers by status, kept as answers come and go so displays never rescan the run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub done: usize,
    pub failed: usize,
    pub skipped: usize,
    pub not_applicable: usize,
    pub deferred: usize,
    pub clear: usize,
    pub holds: usize,
    /// Failed items that are not optional: any makes the run NO-GO.
    pub required_failed: usize,
}

impl Counts {
    pub fn answered(&self) -> usize {
        self.done
            + self.failed
            + self.skipped
            + self.not_applicable
            + self.deferred
            + self.clear
            + self.holds
    }

    fn add(&mut self, status: Status, optional: bool, sign: isize) {
        let slot = match status {
            Status::Done => &mut self.done,
            Status::Failed => &mut self.failed,
            Status::Skipped => &mut self.skipped,
            Status::NotApplicable => &mut self.not_applicable,
            Status::Deferred => &mut self.deferred,
            Status::Clear => &mut self.clear,
            Status::Holds => &mut self.holds,
            Status::Pending => return,
        };
        *slot = slot.saturating_add_signed(sign);
        if status == Status::Failed && !optional {
            self.required_failed = self.required_failed.saturating_add_signed(sign);
        }
    }
}

#[derive(Debug, Clone)]
enum Undo {
    Field {
        index: usize,
        previous: Option<FieldValue>,
    },
    Answer {
        item: usize,
        previous: Option<Answer>,
    },
    Note {
        item: usize,
        previous_note: Option<String>,
        previous_answer_note: Option<String>,
    },
    Signoff {
        role: usize,
        previous: Option<SignoffAnswer>,
    },
    Rollback,
    Decline {
        previous: Vec<(usize, Option<String>)>,
    },
}

#[derive(Debug, Clone)]
pub struct Walk {
    plan: Plan,
    answers: Vec<Option<Answer>>,
    /// Notes made before the item was answered.
    notes: Vec<Option<String>>,
    fields: Vec<Option<FieldValue>>,
    signoffs: Vec<Option<SignoffAnswer>>,
    rollback: Option<Meta>,
    history: Vec<Undo>,
    cursor: usize,
    counts: Counts,
}

impl Walk {
    pub fn new(plan: Plan) -> Walk {
        Walk {
            answers: vec![None; plan.items.len()],
            notes: vec![None; plan.items.len()],
            fields: vec![None; plan.fields.len()],
            signoffs: vec![None; plan.roles.len()],
            rollback: None,
            history: Vec::new(),
            cursor: 0,
            counts: Counts::default(),
            plan,
        }
    }

    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    pub fn counts(&self) -> Counts {
        self.counts
    }

    pub fn answer(&self, item: usize) -> Option<&Answer> {
        self.answers.get(item)?.as_ref()
    }

    pub fn field(&self, index: usize) -> Option<&FieldValue> {
        self.fields.get(index)?.as_ref()
    }

    pub fn signoff(&self, role: usize) -> Option<&SignoffAnswer> {
        self.signoffs.get(role)?.as_ref()
    }

    pub fn rollback_started(&self) -> Option<&Meta> {
        self.rollback.as_ref()
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
            Step::Item(i) => self.answers[i].is_some(),
            Step::Signoff(r) => self.signoffs[r].is_some(),
        }
    }

    /// The next thing to ask, or `None` when the walk is complete. Amortised O(1): the
    /// cursor only moves forward, except after an undo.
    pub fn current(&mut self) -> Option<Step> {
        loop {
            let step = *self.path().get(self.cursor)?;
            if !self.is_answered(step) {
                return Some(step);
            }
            self.cursor += 1;
        }
    }

    pub fn is_finished(&mut self) -> bool {
        self.current().is_none()
    }

    /// Leaf items still open on the path being walked.
    pub fn remaining_items(&self) -> usize {
        if self.rollback.is_some() {
            let answered = self
                .plan
                .rollback
                .iter()
                .filter(|s| self.is_answered(**s))
                .count();
            self.plan.rollback_items - answered.min(self.plan.rollback_items)
        } else {
            self.plan.main_items.saturating_sub(self.main_answered())
        }
    }

    fn main_answered(&self) -> usize {
        // Rollback procedure answers live on the other path.
        let procedure_answered = self
            .plan
            .rollback
            .iter()
            .filter(|s| matches!(s, Step::Item(_)) && self.is_answered(**s))
            .count();
        self.counts.answered().saturating_sub(procedure_answered)
    }

    /// Triggers that hold and were not declined.
    pub fn holding_triggers(&self) -> Vec<usize> {
        self.plan
            .items
            .iter()
            .enumerate()
            .filter(|(i, item)| {
                item.kind == ItemKind::Trigger
                    && self.answers[*i].as_ref().is_some_and(|a| {
                        a.status == Status::Holds
                            && !a.reason.as_deref().unwrap_or("").starts_with(DECLINED)
                    })
            })
            .map(|(i, _)| i)
            .collect()
    }

    pub fn apply(&mut self, event: Event, meta: &Meta) -> Result<Vec<Effect>, WalkError> {
        let mut effects = Vec::new();
        match event {
            Event::Field { index, value } => {
                let slot = self.fields.get_mut(index).ok_or(WalkError::OutOfRange {
                    what: "field",
                    index,
                })?;
                let previous = slot.replace(FieldValue {
                    value,
                    at: meta.at.clone(),
                    by: meta.by.clone(),
                });
                self.history.push(Undo::Field { index, previous });
            }
            Event::Answer {
                item,
                status,
                reason,
                value,
            } => {
                self.check_answer(item, status, reason.as_deref())?;
                let optional = self.plan.items[item].optional;
                let note = self.notes[item]
                    .take()
                    .or_else(|| self.answers[item].as_ref().and_then(|a| a.note.clone()));
                let answer = Answer {
                    status,
                    reason,
                    value,
                    note,
                    at: meta.at.clone(),
                    by: meta.by.clone(),
                };
                let previous = self.answers[item].replace(answer);
                if let Some(previous) = &previous {
                    self.counts.add(previous.status, optional, -1);
                }
                self.counts.add(status, optional, 1);
                self.history.push(Undo::Answer { item, previous });
                if status == Status::Holds && self.rollback.is_none() {
                    effects.push(Effect::RecommendRollback {
                        triggers: self.holding_triggers(),
                    });
                }
            }
            Event::Note { item, text } => {
                if item >= self.plan.items.len() {
                    return Err(WalkError::OutOfRange {
                        what: "item",
                        index: item,
                    });
                }
                let previous_note = self.notes[item].clone();
                let previous_answer_note = self.answers[item].as_ref().and_then(|a| a.note.clone());
                match self.answers[item].as_mut() {
                    Some(answer) => answer.note = Some(join_note(answer.note.take(), text)),
                    None => self.notes[item] = Some(join_note(self.notes[item].take(), text)),
                }
                self.history.push(Undo::Note {
                    item,
                    previous_note,
                    previous_answer_note,
                });
            }
            Event::Signoff { role, outcome } => {
                let slot = self.signoffs.get_mut(role).ok_or(WalkError::OutOfRange {
                    what: "role",
                    index: role,
                })?;
                let previous = slot.replace(SignoffAnswer {
                    outcome,
                    at: meta.at.clone(),
                    by: meta.by.clone(),
                });
                self.history.push(Undo::Signoff { role, previous });
            }
            Event::StartRollback => {
                if self.rollback.is_some() {
                    return Err(WalkError::RollbackAlreadyStarted);
                }
                self.rollback = Some(meta.clone());
                self.cursor = 0;
                self.history.push(Undo::Rollback);
            }
            Event::DeclineRollback { reason } => {
                let holding = self.holding_triggers();
                if holding.is_empty() {
                    return Err(WalkError::NothingToDecline);
                }
                let mut previous = Vec::with_capacity(holding.len());
                for item in holding {
                    let answer = self.answers[item]
                        .as_mut()
                        .expect("holding triggers are answered");
                    previous.push((item, answer.reason.clone()));
                    answer.reason = Some(format!("{DECLINED} by {}: {reason}", meta.by));
                }
                self.history.push(Undo::Decline { previous });
            }
            Event::Undo => self.undo()?,
        }
        if self.current().is_none() {
            effects.push(Effect::Finished);
        }
        Ok(effects)
    }

    fn check_answer(
        &self,
        item: usize,
        status: Status,
        reason: Option<&str>,
    ) -> Result<(), WalkError> {
        let plan_item = self.plan.items.get(item).ok_or(WalkError::OutOfRange {
            what: "item",
            index: item,
        })?;
        let id = || plan_item.id.clone();
        if !plan_item.is_leaf() {
            return Err(WalkError::NotALeaf { id: id() });
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
        match (plan_item.procedure, self.rollback.is_some()) {
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
                let optional = self.plan.items[item].optional;
                if let Some(current) = self.answers[item].take() {
                    self.counts.add(current.status, optional, -1);
                    // A note made on the answer stays with the item.
                    if previous.is_none() {
                        self.notes[item] = current.note;
                    }
                }
                if let Some(previous) = &previous {
                    self.counts.add(previous.status, optional, 1);
                }
                self.answers[item] = previous;
            }
            Undo::Note {
                item,
                previous_note,
                previous_answer_note,
            } => {
                self.notes[item] = previous_note;
                if let Some(answer) = self.answers[item].as_mut() {
                    answer.note = previous_answer_note;
                }
            }
            Undo::Signoff { role, previous } => self.signoffs[role] = previous,
            Undo::Rollback => self.rollback = None,
            Undo::Decline { previous } => {
                for (item, reason) in previous {
                    if let Some(answer) = self.answers[item].as_mut() {
                        answer.reason = reason;
                    }
                }
            }
        }
        // Walk forward again from the top of the path: the undone step is the first open one.
        self.cursor = 0;
        Ok(())
    }

    pub fn verdict(&mut self) -> Verdict {
        if self.rollback.is_some() {
            return Verdict::RolledBack;
        }
        let refused = self
            .signoffs
            .iter()
            .flatten()
            .any(|s| matches!(s.outcome, SignoffOutcome::Refused(_)));
        let declined_holds = self.counts.holds > 0;
        if self.counts.required_failed > 0 || refused || declined_holds {
            return Verdict::NoGo;
        }
        if !self.is_finished() {
            return Verdict::Incomplete;
        }
        if self.open_required_items().is_empty() {
            Verdict::Go
        } else {
            Verdict::Incomplete
        }
    }

    /// Required leaves on the main path not done or n/a (skipped, deferred or pending).
    fn open_required_items(&self) -> Vec<usize> {
        self.plan
            .main
            .iter()
            .filter_map(|step| match step {
                Step::Item(i) => Some(*i),
                _ => None,
            })
            .filter(|&i| {
                !self.plan.items[i].optional
                    && !self.answers[i].as_ref().is_some_and(|a| {
                        matches!(
                            a.status,
                            Status::Done | Status::NotApplicable | Status::Clear
                        )
                    })
            })
            .collect()
    }

    /// "complete except 2 deferred items" for a finished walk that is not GO for that reason alone.
    pub fn completion_note(&mut self) -> Option<String> {
        if !self.is_finished() || self.rollback.is_some() {
            return None;
        }
        let open = self.open_required_items();
        if open.is_empty() {
            return None;
        }
        let count = |status| {
            open.iter()
                .filter(|&&i| self.answers[i].as_ref().is_some_and(|a| a.status == status))
                .count()
        };
        let mut parts = Vec::new();
        for (status, word) in [(Status::Deferred, "deferred"), (Status::Skipped, "skipped")] {
            match count(status) {
                0 => {}
                1 => parts.push(format!("1 {word} item")),
                n => parts.push(format!("{n} {word} items")),
            }
        }
        (!parts.is_empty()).then(|| format!("complete except {}", parts.join(" and ")))
    }

    /// Every item of the environment's tree as the record lists it, parents derived from
    /// their children, items never walked saying why.
    pub fn record_items(&mut self) -> Vec<RecordItem> {
        let finished = self.is_finished();
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
                        derived[c].as_ref().or(self.answers[c].as_ref()),
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
                    self.answers[index].clone()
                } else {
                    derived[index].clone()
                };
                let note = answer
                    .as_ref()
                    .and_then(|a| a.note.clone())
                    .or_else(|| self.notes[index].clone());
                match answer {
                    Some(answer) => RecordItem {
                        id: item.id.clone(),
                        phase: item.phase.clone(),
                        section: item.section.clone(),
                        text: item.text.clone(),
                        status: answer.status,
                        reason: answer.reason,
                        note,
                        value: answer.value,
                        answered_at: Some(answer.at),
                        answered_by: Some(answer.by),
                    },
                    None => RecordItem {
                        id: item.id.clone(),
                        phase: item.phase.clone(),
                        section: item.section.clone(),
                        text: item.text.clone(),
                        status: Status::Pending,
                        reason: unwalked_reason(item, rolled_back, finished),
                        note,
                        value: None,
                        answered_at: None,
                        answered_by: None,
                    },
                }
            })
            .collect()
    }

    pub fn record_fields(&self) -> FieldValues {
        FieldValues(
            self.plan
                .fields
                .iter()
                .zip(&self.fields)
                .map(|(name, value)| (name.clone(), value.as_ref().and_then(|v| v.value.clone())))
                .collect(),
        )
    }

    pub fn record_rollback(&self) -> RecordRollback {
        match &self.rollback {
            None => RecordRollback::default(),
            Some(meta) => RecordRollback {
                started: true,
                started_at: Some(meta.at.clone()),
                triggers_held: self
                    .plan
                    .items
                    .iter()
                    .enumerate()
                    .filter(|(i, item)| {
                        item.kind == ItemKind::Trigger
                            && item.is_leaf()
                            && self.answers[*i]
                                .as_ref()
                                .is_some_and(|a| a.status == Status::Holds)
                    })
                    .map(|(_, item)| item.id.clone())
                    .collect(),
            },
        }
    }

    pub fn record_signoffs(&self) -> Vec<RecordSignoff> {
        self.plan
            .roles
            .iter()
            .zip(&self.signoffs)
            .filter_map(|(role, answer)| {
                let answer = answer.as_ref()?;
                Some(match &answer.outcome {
                    SignoffOutcome::Signed(name) => RecordSignoff::Given {
                        role: role.role.clone(),
                        name: name.clone(),
                        at: answer.at.clone(),
                        statements: role
                            .statements
                            .iter()
                            .filter(|&&s| {
                                self.answers[s]
                                    .as_ref()
                                    .is_some_and(|a| a.status == Status::Done)
                            })
                            .map(|&s| self.plan.items[s].id.clone())
                            .collect(),
                    },
                    SignoffOutcome::Refused(reason) => RecordSignoff::Refused {
                        role: role.role.clone(),
                        refused: reason.clone(),
                        at: answer.at.clone(),
                    },
                })
            })
            .collect()
    }
}

const DECLINED: &str = "rollback declined";

fn join_note(existing: Option<String>, text: String) -> String {
    match existing {
        Some(existing) => format!("{existing}; {text}"),
        None => text,
    }
}

fn unwalked_reason(item: &PlanItem, rolled_back: bool, finished: bool) -> Option<String> {
    if item.procedure && !rolled_back {
        Some("not walked: no rollback was started".into())
    } else if !item.procedure && rolled_back {
        Some("not walked: a rollback was started".into())
    } else if finished {
        Some("not walked".into())
    } else {
        None
    }
}

/// A parent's status from its children: failed if a required child failed, done when every
/// required child is done or n/a, a trigger group holds when any child holds.
fn derive_parent(item: &PlanItem, children: &[(bool, Option<&Answer>)]) -> Option<Answer> {
    let answered: Vec<&Answer> = children.iter().filter_map(|(_, a)| *a).collect();
    let latest = answered.iter().max_by(|a, b| a.at.cmp(&b.at))?;
    let all_answered = answered.len() == children.len();
    let (status, reason) = if item.kind == ItemKind::Trigger {
        if answered.iter().any(|a| a.status == Status::Holds) {
            (Status::Holds, Some("a sub-condition holds".to_string()))
        } else if all_answered {
            (Status::Clear, None)
        } else {
            return None;
        }
    } else {
        let required_failed = children
            .iter()
            .filter(|(optional, a)| !optional && a.is_some_and(|a| a.status == Status::Failed))
            .count();
        let settled = |a: &Option<&Answer>| {
            a.is_some_and(|a| matches!(a.status, Status::Done | Status::NotApplicable))
        };
        if required_failed > 0 {
            let s = if required_failed == 1 { "" } else { "s" };
            (
                Status::Failed,
                Some(format!("{required_failed} sub-item{s} failed")),
            )
        } else if !all_answered {
            return None;
        } else if answered.iter().all(|a| a.status == Status::NotApplicable) {
            (Status::NotApplicable, None)
        } else if children.iter().all(|(optional, a)| *optional || settled(a)) {
            (Status::Done, None)
        } else if answered.iter().any(|a| a.status == Status::Deferred) {
            (
                Status::Deferred,
                Some("a sub-item was deferred".to_string()),
            )
        } else {
            (Status::Skipped, Some("a sub-item was skipped".to_string()))
        }
    };
    Some(Answer {
        status,
        reason,
        value: None,
        note: None,
        at: latest.at.clone(),
        by: latest.by.clone(),
    })
}

/// Turns what the operator typed at an item's prompt into an answer event: status words
/// are checked against the item, measured values are judged against its threshold.
pub fn resolve_item_answer(plan: &Plan, item: usize, command: Command) -> Result<Event, String> {
    let plan_item = &plan.items[item];
    let trigger = plan_item.kind == ItemKind::Trigger;
    match command {
        Command::Answer { status, reason } => {
            if trigger && !status.is_trigger_status() {
                return Err(
                    "this is a rollback trigger: answer clear (it does not hold) or holds".into(),
                );
            }
            if !trigger && status.is_trigger_status() {
                return Err(format!(
                    "{status} is for rollback triggers; this item takes y, f, s, na or d"
                ));
            }
            if let (Status::Done, Some(threshold)) = (status, &plan_item.threshold) {
                return Err(format!(
                    "this item is measured: type the value, like {}, or y! if there is no value to give (or f/s/na/d with a reason)",
                    threshold.example()
                ));
            }
            if status.needs_reason(plan_item.optional) && reason.is_none() {
                let key = match status {
                    Status::Failed => "f",
                    Status::Skipped => "s",
                    Status::Deferred => "d",
                    _ => "na",
                };
                return Err(format!("{status} needs a reason: {key} REASON"));
            }
            Ok(Event::Answer {
                item,
                status,
                reason,
                value: None,
            })
        }
        Command::Measured {
            value,
            override_reason,
        } => {
            let threshold = plan_item.threshold.as_ref().ok_or(
                "this item takes no measurement; answer y, f REASON, s REASON, na or d REASON",
            )?;
            let judgement = Measurement::parse(&value)
                .and_then(|m| m.judge(threshold))
                .map_err(|e| e.to_string())?;
            // For a trigger the threshold states the condition: meeting it means it holds.
            let (pass, fail) = if trigger {
                (Status::Holds, Status::Clear)
            } else {
                (Status::Done, Status::Failed)
            };
            let judged = if judgement.passes { pass } else { fail };
            let (status, reason) = match override_reason {
                None if judged == Status::Failed => (judged, Some(judgement.explanation)),
                None => (judged, None),
                Some(reason) => {
                    let flipped = if judged == pass { fail } else { pass };
                    (
                        flipped,
                        Some(format!("overridden ({}): {reason}", judgement.explanation)),
                    )
                }
            };
            Ok(Event::Answer {
                item,
                status,
                reason,
                value: Some(value.trim().to_string()),
            })
        }
        Command::DoneWithoutValue { reason } => {
            if trigger {
                return Err(
                    "this is a rollback trigger: answer clear (it does not hold) or holds".into(),
                );
            }
            let reason = match (&plan_item.threshold, reason) {
                (Some(threshold), reason) => Some(format!(
                    "done without a value (threshold {threshold} not measured){}",
                    reason.map_or(String::new(), |r| format!(": {r}"))
                )),
                (None, reason) => reason,
            };
            Ok(Event::Answer {
                item,
                status: Status::Done,
                reason,
                value: None,
            })
        }
        _ => Err("not an answer".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::parse_command;
    use crate::model::SourceFormat;

    const CHECKLIST: &str = "# Release

## Deploy
### Steps
- [ ] Backup taken
- [ ] Response time < 200ms (p95)
- [ ] Cache warmed (if needed)
- [ ] Parent
  - [ ] Child one
  - [ ] Child two

## Rollback
### Rollback triggers
- [ ] Error rate > 5%
- [ ] Data loss
### Rollback procedure
- [ ] Traffic back on blue

## Sign-off
### Security Team
- [ ] Pen test closed

*Version:* ____
";

    fn walk() -> Walk {
        let loaded =
            crate::source::load_bytes(CHECKLIST.as_bytes(), "t.md", SourceFormat::Markdown, "t")
                .unwrap();
        Walk::new(Plan::new(&loaded.checklist))
    }

    fn meta(n: u32) -> Meta {
        Meta {
            at: format!("2026-11-23T10:00:{n:02}+00:00"),
            by: "dana".into(),
        }
    }

    /// Answers the current step with what `line` means there.
    fn say(walk: &mut Walk, line: &str, n: u32) -> Vec<Effect> {
        let event = match walk.current().expect("a step is open") {
            Step::Field(index) => Event::Field {
                index,
                value: Some(line.into()),
            },
            Step::Signoff(role) => Event::Signoff {
                role,
                outcome: SignoffOutcome::Signed(line.into()),
            },
            Step::Item(item) => {
                resolve_item_answer(walk.plan(), item, parse_command(line).unwrap()).unwrap()
            }
        };
        walk.apply(event, &meta(n)).unwrap()
    }

    fn go_script() -> Vec<&'static str> {
        vec![
            "v1.2",
            "y",
            "180ms",
            "na",
            "y",
            "y",
            "clear",
            "clear",
            "y",
            "Dana Reyes",
        ]
    }

    #[test]
    fn a_clean_walk_is_go_and_skips_the_rollback_procedure() {
        let mut walk = walk();
        let script = go_script();
        let mut last = Vec::new();
        for (n, line) in script.iter().enumerate() {
            last = say(&mut walk, line, n as u32);
        }
        assert_eq!(last, [Effect::Finished]);
        assert_eq!(walk.verdict(), Verdict::Go);
        let items = walk.record_items();
        assert_eq!(items.len(), 10);
        let parent = items
            .iter()
            .find(|i| i.id == "deploy/steps/parent")
            .unwrap();
        assert_eq!(parent.status, Status::Done);
        assert_eq!(
            parent.answered_at.as_deref(),
            Some("2026-11-23T10:00:05+00:00")
        );
        let procedure = items
            .iter()
            .find(|i| i.id == "rollback/rollback-procedure/traffic-back-on-blue")
            .unwrap();
        assert_eq!(procedure.status, Status::Pending);
        assert_eq!(
            procedure.reason.as_deref(),
            Some("not walked: no rollback was started")
        );
        let signoffs = walk.record_signoffs();
        assert_eq!(signoffs.len(), 1);
        assert!(
            matches!(&signoffs[0], RecordSignoff::Given { statements, .. } if statements == &["sign-off/security-team/pen-test-closed"])
        );
    }

    #[test]
    fn a_measured_value_over_the_threshold_fails_with_the_reason() {
        let mut walk = walk();
        say(&mut walk, "v1", 0);
        say(&mut walk, "y", 1);
        say(&mut walk, "250ms", 2);
        let answer = walk
            .answer(
                walk.plan()
                    .item_index("deploy/steps/response-time-200ms-p95")
                    .unwrap(),
            )
            .unwrap();
        assert_eq!(answer.status, Status::Failed);
        assert_eq!(answer.reason.as_deref(), Some("250 ms is not < 200 ms"));
        assert_eq!(answer.value.as_deref(), Some("250ms"));
        assert_eq!(walk.verdict(), Verdict::NoGo);
    }

    #[test]
    fn a_wrong_threshold_never_traps_the_operator_y_bang_is_done_without_a_value() {
        let mut walk = walk();
        say(&mut walk, "v1", 0);
        say(&mut walk, "y", 1);
        say(&mut walk, "y! the limit is a setting here", 2);
        let answer = walk
            .answer(
                walk.plan()
                    .item_index("deploy/steps/response-time-200ms-p95")
                    .unwrap(),
            )
            .unwrap();
        assert_eq!(answer.status, Status::Done);
        assert_eq!(answer.value, None);
        assert_eq!(
            answer.reason.as_deref(),
            Some(
                "done without a value (threshold < 200 ms (p95) not measured): the limit is a setting here"
            )
        );
    }

    #[test]
    fn an_override_reverses_the_judgement_and_keeps_why() {
        let mut walk = walk();
        say(&mut walk, "v1", 0);
        say(&mut walk, "y", 1);
        say(&mut walk, "250ms override cold cache, accepted by SRE", 2);
        let answer = walk
            .answer(
                walk.plan()
                    .item_index("deploy/steps/response-time-200ms-p95")
                    .unwrap(),
            )
            .unwrap();
        assert_eq!(answer.status, Status::Done);
        assert_eq!(
            answer.reason.as_deref(),
            Some("overridden (250 ms is not < 200 ms): cold cache, accepted by SRE")
        );
    }

    #[test]
    fn a_holding_trigger_recommends_a_rollback_that_walks_the_procedure() {
        let mut walk = walk();
        for (n, line) in ["v1", "y", "180ms", "na", "y", "y"].iter().enumerate() {
            say(&mut walk, line, n as u32);
        }
        let effects = say(&mut walk, "7%", 6);
        let trigger = walk
            .plan()
            .item_index("rollback/rollback-triggers/error-rate-5")
            .unwrap();
        assert_eq!(
            effects,
            [Effect::RecommendRollback {
                triggers: vec![trigger]
            }]
        );
        walk.apply(Event::StartRollback, &meta(7)).unwrap();
        assert_eq!(
            walk.current(),
            Some(Step::Item(
                walk.plan()
                    .item_index("rollback/rollback-procedure/traffic-back-on-blue")
                    .unwrap()
            ))
        );
        let effects = say(&mut walk, "y", 8);
        assert_eq!(effects, [Effect::Finished]);
        assert_eq!(walk.verdict(), Verdict::RolledBack);
        assert_eq!(
            walk.record_rollback().triggers_held,
            ["rollback/rollback-triggers/error-rate-5"]
        );
        let items = walk.record_items();
        let skipped = items
            .iter()
            .find(|i| i.id == "rollback/rollback-triggers/data-loss")
            .unwrap();
        assert_eq!(
            skipped.reason.as_deref(),
            Some("not walked: a rollback was started")
        );
    }

    #[test]
    fn declining_a_rollback_records_why_and_is_no_go() {
        let mut walk = walk();
        for (n, line) in ["v1", "y", "180ms", "na", "y", "y", "holds"]
            .iter()
            .enumerate()
        {
            say(&mut walk, line, n as u32);
        }
        walk.apply(
            Event::DeclineRollback {
                reason: "false alarm from canary".into(),
            },
            &meta(8),
        )
        .unwrap();
        let trigger = walk
            .plan()
            .item_index("rollback/rollback-triggers/error-rate-5")
            .unwrap();
        assert_eq!(
            walk.answer(trigger).unwrap().reason.as_deref(),
            Some("rollback declined by dana: false alarm from canary")
        );
        assert!(walk.holding_triggers().is_empty());
        for (n, line) in ["clear", "y", "Dana"].iter().enumerate() {
            say(&mut walk, line, 9 + n as u32);
        }
        assert_eq!(walk.verdict(), Verdict::NoGo);
    }

    #[test]
    fn back_takes_the_last_answer_back_and_asks_it_again() {
        let mut walk = walk();
        say(&mut walk, "v1", 0);
        say(&mut walk, "f disk full", 1);
        assert_eq!(walk.counts().required_failed, 1);
        walk.apply(Event::Undo, &meta(2)).unwrap();
        assert_eq!(walk.counts().required_failed, 0);
        let first = walk.plan().item_index("deploy/steps/backup-taken").unwrap();
        assert_eq!(walk.current(), Some(Step::Item(first)));
        assert_eq!(walk.answer(first), None);
        walk.apply(Event::Undo, &meta(3)).unwrap();
        assert_eq!(walk.current(), Some(Step::Field(0)));
        assert_eq!(
            walk.apply(Event::Undo, &meta(4)),
            Err(WalkError::NothingToUndo)
        );
    }

    #[test]
    fn answers_are_checked_against_the_item() {
        let mut walk = walk();
        let plan = walk.plan().clone();
        let backup = plan.item_index("deploy/steps/backup-taken").unwrap();
        let trigger = plan
            .item_index("rollback/rollback-triggers/error-rate-5")
            .unwrap();
        let parent = plan.item_index("deploy/steps/parent").unwrap();
        let procedure = plan
            .item_index("rollback/rollback-procedure/traffic-back-on-blue")
            .unwrap();
        let answer = |item, status, reason: Option<&str>| Event::Answer {
            item,
            status,
            reason: reason.map(str::to_string),
            value: None,
        };
        assert!(matches!(
            walk.apply(answer(backup, Status::Failed, None), &meta(0)),
            Err(WalkError::ReasonRequired { .. })
        ));
        assert!(matches!(
            walk.apply(answer(trigger, Status::Done, None), &meta(0)),
            Err(WalkError::TriggerNeedsClearOrHolds { .. })
        ));
        assert!(matches!(
            walk.apply(answer(backup, Status::Clear, None), &meta(0)),
            Err(WalkError::NotATrigger { .. })
        ));
        assert!(matches!(
            walk.apply(answer(parent, Status::Done, None), &meta(0)),
            Err(WalkError::NotALeaf { .. })
        ));
        assert!(matches!(
            walk.apply(answer(procedure, Status::Done, None), &meta(0)),
            Err(WalkError::RollbackNotStarted { .. })
        ));
        let cache = plan
            .item_index("deploy/steps/cache-warmed-if-needed")
            .unwrap();
        assert!(
            walk.apply(answer(cache, Status::NotApplicable, None), &meta(0))
                .is_ok(),
            "optional n/a needs no reason"
        );
        assert!(resolve_item_answer(&plan, backup, parse_command("180ms").unwrap()).is_err());
        assert!(
            resolve_item_answer(
                &plan,
                plan.item_index("deploy/steps/response-time-200ms-p95")
                    .unwrap(),
                parse_command("y").unwrap()
            )
            .is_err()
        );
    }

    #[test]
    fn deferring_a_required_item_finishes_incomplete_and_says_so() {
        let mut walk = walk();
        let mut script = go_script();
        script[1] = "d waiting on vendor";
        for (n, line) in script.iter().enumerate() {
            say(&mut walk, line, n as u32);
        }
        assert_eq!(walk.verdict(), Verdict::Incomplete);
        assert_eq!(
            walk.completion_note().as_deref(),
            Some("complete except 1 deferred item")
        );
    }

    #[test]
    fn a_refused_signoff_is_no_go() {
        let mut walk = walk();
        for (n, line) in go_script()[..9].iter().enumerate() {
            say(&mut walk, line, n as u32);
        }
        let Some(Step::Signoff(role)) = walk.current() else {
            panic!("sign-off expected")
        };
        walk.apply(
            Event::Signoff {
                role,
                outcome: SignoffOutcome::Refused("pen test open".into()),
            },
            &meta(20),
        )
        .unwrap();
        assert_eq!(walk.verdict(), Verdict::NoGo);
    }
}
