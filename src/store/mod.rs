//! Everything a run keeps on disk: the journal that makes every answer durable, the run
//! record written atomically, and the lock that keeps two processes off one run.
//!
//! Files live in the records folder, named after the checklist, the environment and the
//! run's UTC start: `mail-score-production-20261123T142300Z.yaml` with its journal
//! `mail-score-production-20261123T142300Z.journal` beside it, and the lock in `.locks/`.
//! Names are built only from slugs, so no checklist or environment name can lead a path
//! out of the folder.

mod atomic;
mod journal;
mod lock;
mod record_yaml;

use std::path::{Path, PathBuf};

pub use atomic::write_atomically;
pub use journal::{
    JOURNAL_SCHEMA, Journal, JournalContents, JournalEvent, JournalStart, read_journal,
    text_fingerprint,
};
pub use lock::{LockError, RunLock};
pub use record_yaml::record_to_yaml;

use crate::model::{is_valid_slug, slugify};

/// The files of runs of one checklist in one environment.
#[derive(Debug, Clone)]
pub struct RunFiles {
    pub records_dir: PathBuf,
    /// `mail-score-production`: slugs only.
    pub prefix: String,
}

impl RunFiles {
    pub fn new(records_dir: &Path, checklist_name: &str, environment: &str) -> RunFiles {
        debug_assert!(is_valid_slug(environment));
        RunFiles {
            records_dir: records_dir.to_path_buf(),
            prefix: format!("{}-{environment}", slugify(checklist_name)),
        }
    }

    pub fn lock_path(&self) -> PathBuf {
        self.records_dir
            .join(".locks")
            .join(format!("{}.lock", self.prefix))
    }

    /// `<prefix>-<UTC time>`, the shared stem of one run's record and journal.
    pub fn stem(&self, utc_compact: &str) -> String {
        format!("{}-{utc_compact}", self.prefix)
    }

    pub fn record_path(&self, stem: &str) -> PathBuf {
        self.records_dir.join(format!("{stem}.yaml"))
    }

    pub fn journal_path(&self, stem: &str) -> PathBuf {
        self.records_dir.join(format!("{stem}.journal"))
    }

    /// Journals of this checklist and environment, newest first.
    pub fn journals(&self) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(&self.records_dir) else {
            return Vec::new();
        };
        let mut found: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                name.strip_prefix(&self.prefix)
                    .and_then(|rest| rest.strip_prefix('-'))
                    .and_then(|rest| rest.strip_suffix(".journal"))
                    .is_some_and(|time| time.len() == 16 && time.ends_with('Z'))
            })
            .collect();
        found.sort();
        found.reverse();
        found
    }
}
