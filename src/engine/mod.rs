//! The walk, as a pure state machine.
//!
//! [`Plan`] fixes the order of everything a run asks for one checklist and environment:
//! run fields, then every leaf item in file order (rollback triggers where they stand,
//! sign-off statements followed by the signer's name), with the rollback procedure kept
//! aside until a rollback starts. [`Walk`] applies [`Event`]s to that plan and reports
//! [`Effect`]s; it never reads a terminal, a file or a clock, so every flow is testable
//! by feeding it events. Who and when arrive with each event as [`Meta`]. The journal
//! stores these same events, and [`replay`] folds them back into a walk.

mod event;
mod input;
mod plan;
mod walk;

pub use event::{Event, FollowUpOf, Meta, SignoffOutcome, Start, is_a_reply};
pub use input::{Command, Refusal, parse_command, typed_words};
pub use plan::{ItemKind, Plan, PlanItem, RolePlan, Step};
pub use walk::{
    Answer, CheckFinish, CheckRun, Decline, Due, Effect, End, FieldValue, ReplayError,
    RollbackStart, SignoffAnswer, Walk, WalkError, replay, resolve_item_answer,
};
