//! The library's typed errors: the cases callers branch on or that need a precise message.

use std::path::PathBuf;

use crate::source::{Diagnostic, LoadError};

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
