//! The only code that talks to the person at the terminal: prompts out, lines in.
//!
//! A [`Session`] reads from any `BufRead` and writes to any `Write`, so every flow is
//! scripted in tests; whether those are a real terminal changes only how much it says
//! (colour, the legend of keys, confirmations) and one decision: a holding rollback
//! trigger is confirmed by a person at a terminal, and starts the rollback otherwise.

mod line;
mod pause;
mod resume;
mod session;
mod signoff;

pub use line::{Editor, LineInput, Piped};
pub use pause::Pause;
pub use resume::{describe_resume, offer_resume};
pub use session::{CheckConfig, Outcome, Session, SessionConfig};
pub use signoff::{Asking, Confirmation, ask_name, confirm_statements};
