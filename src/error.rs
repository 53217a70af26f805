//! The one error type of the library: every way a command can fail, each with its exit
//! code ([`Error::exit_code`]), rendered in one place (`cli`) as `error: ...` followed by
//! cargo-style `Caused by:` lines, or as `FILE:LINE: error: ...` for diagnostics.
//!
//! Exit codes: 2 for bad input or usage (a file that does not load, an unknown name, a run
//! that cannot be taken up as asked); 3 for a failure of the machine rather than the input
//! (a disk that is full, a folder that cannot be written, a terminal that cannot be read),
//! so that a script never mistakes a full disk for a typo.

use std::path::PathBuf;

use crate::source::{Diagnostic, LoadError};
use crate::store::{JournalError, LockError};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Load(#[from] LoadError),

    #[error("{0}")]
    Config(Diagnostic),

    #[error(
        "no checklists/ folder in {} or any folder above it; create one, or name a file with -c PATH",
        start.display()
    )]
    NoProject { start: PathBuf },

    #[error("no checklists in {}; add a Markdown (.md) or YAML (.yaml) checklist there", dir.display())]
    NoChecklists { dir: PathBuf },

    #[error(
        "{} holds several checklists ({}); pick one with -c NAME or set `default:` in checklists/deploycheck.yaml",
        dir.display(), names.join(", ")
    )]
    AmbiguousChecklist { dir: PathBuf, names: Vec<String> },

    #[error("no checklist named `{name}` in {}{}", dir.display(), available_list(available))]
    ChecklistNotFound {
        name: String,
        dir: PathBuf,
        available: Vec<String>,
    },

    #[error(
        "environment name `{name}` is not valid: use lowercase letters, digits and `-` (like `production`)"
    )]
    InvalidEnvironment { name: String },

    #[error("unknown environment `{name}`{}; known: {}", suggestion_text(suggestion), known.join(", "))]
    UnknownEnvironment {
        name: String,
        suggestion: Option<String>,
        known: Vec<String>,
    },

    /// A request that cannot be carried out as asked, with what to do instead.
    #[error("{0}")]
    Refused(String),

    #[error(transparent)]
    Run(#[from] crate::run::RunError),

    #[error(transparent)]
    Lock(#[from] LockError),

    #[error(transparent)]
    Journal(#[from] JournalError),

    #[error("cannot write {}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot read the answers typed at the terminal")]
    Input(#[source] std::io::Error),

    /// Writing what a command prints failed: a closed pipe ends quietly, anything else is
    /// the machine's.
    #[error("cannot write the output")]
    Output(#[from] std::io::Error),

    #[error("{variable}={value} is not an RFC 3339 time (like 2026-11-23T22:00:00+00:00)")]
    Clock {
        variable: &'static str,
        value: String,
    },

    /// The history index failed after it was opened and brought up to date.
    #[error("cannot read the history index {}; delete it (it is rebuilt from the records)", path.display())]
    Index {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },

    #[error("cannot serialize {what}")]
    Serialize {
        what: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// Exit codes (also in `--help` and the README).
pub mod exit {
    pub const SUCCESS: i32 = 0;
    /// NO-GO, ROLLED BACK, INCOMPLETE, a failed verification, differences found.
    pub const FAILURE: i32 = 1;
    /// Bad input or usage.
    pub const USAGE: i32 = 2;
    /// The machine failed, not the input: disk full, a folder that cannot be written.
    pub const MACHINE: i32 = 3;
    /// A run stopped by Ctrl-C, SIGTERM or SIGHUP; its record is written and it resumes.
    pub const INTERRUPTED: i32 = 130;
}

/// JSON is written straight into the output; what can fail there is the writing.
impl From<serde_json::Error> for Error {
    fn from(error: serde_json::Error) -> Error {
        Error::Output(error.into())
    }
}

impl Error {
    pub fn exit_code(&self) -> i32 {
        use crate::run::RunError;
        match self {
            Error::Run(RunError::Walk(_) | RunError::Replay(_)) => exit::USAGE,
            Error::Run(_) | Error::Write { .. } | Error::Input(_) => exit::MACHINE,
            Error::Lock(LockError::Io { .. }) => exit::MACHINE,
            Error::Journal(JournalError::Io { .. }) => exit::MACHINE,
            Error::Output(e) if e.kind() == std::io::ErrorKind::BrokenPipe => exit::SUCCESS,
            Error::Output(_) | Error::Serialize { .. } | Error::Index { .. } => exit::MACHINE,
            _ => exit::USAGE,
        }
    }
}

fn available_list(available: &[String]) -> String {
    if available.is_empty() {
        String::new()
    } else {
        format!(" (available: {})", available.join(", "))
    }
}

fn suggestion_text(suggestion: &Option<String>) -> String {
    suggestion
        .as_ref()
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default()
}
