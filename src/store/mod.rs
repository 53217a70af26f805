//! Everything a run keeps on disk: a folder per run holding the journal that makes every
//! answer durable and the record written atomically, and the lock that keeps two processes
//! off one run.
//!
//! `runs/<checklist>-<environment>-<UTC start>/` holds `journal.jsonl` and `record.yaml`
//! (and, later, addenda: files of their own, never edits of these). Folder names are built
//! only from slugs, so no checklist or environment name can lead a path out of the records
//! folder; a long checklist name is shortened in the folder name, and which run belongs to
//! which checklist is read from the journal's start line, never guessed from the name.
//! Nothing here is opened through a symlink. Locks live in `runs/.locks/`, which a
//! `.gitignore` written beside them keeps out of commits, with any temporary file a crash
//! left behind in the middle of an atomic write.
//!
//! Testing hook: every mkdir, file creation, write, fsync and rename here is a numbered
//! durable point ([`fault`]). `DEPLOYCHECK_CRASH_AT=list` prints them as they pass,
//! `DEPLOYCHECK_CRASH_AT=N` aborts the process at the Nth (as a SIGKILL would), and
//! `DEPLOYCHECK_FAIL_AT=N` fails the Nth and every later one as a full disk would. The
//! crash-point test in `tests/crash.rs` runs a whole run to each point in turn and checks
//! that nothing acknowledged is lost and no run is stranded.

mod atomic;
pub mod fault;
mod journal;
mod lock;

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub use atomic::write_atomically;
pub use journal::{Journal, JournalContents, JournalError, StartLine, last_event, read_journal};
pub(crate) use journal::{encode_line, parse_journal};
pub use lock::{LockError, RunLock};

use crate::model::{Record, Timestamp, is_valid_slug, slugify};

pub const JOURNAL_FILE: &str = "journal.jsonl";
pub const RECORD_FILE: &str = "record.yaml";

/// Checklist names are cut to this many characters in folder names.
const NAME_CHARS: usize = 40;

/// Writes the records folder's `.gitignore`, unless it has one.
fn ignore_local_files(records_dir: &Path) -> std::io::Result<()> {
    write_unless_there(&records_dir.join(".gitignore"), GITIGNORE)
}

fn write_unless_there(path: &Path, text: &str) -> std::io::Result<()> {
    if std::fs::symlink_metadata(path).is_err() {
        write_atomically(path, text.as_bytes())?;
    }
    Ok(())
}

/// What a run folder tells git: every file of a run is named by the SHA-256 of its exact
/// bytes, so git must never change their line endings (`core.autocrlf` on Windows).
const GITATTRIBUTES: &str = "# Written by deploycheck: every file here is hashed byte for byte, so git must\n# never change its line endings.\n* -text\n";

/// What the records folder keeps out of git: files only this machine needs. The file
/// ignores itself too (each machine writes its own), so after a run `git status` shows
/// nothing but the run folders' own files, without anyone editing an ignore file.
const GITIGNORE: &str = "# Written by deploycheck: machine-local files, never shared.\n.gitignore\n.locks/\n.index/\n.deploycheck-*.tmp\n";

/// Whether `path` itself (not what a link names) is something other than a file or a
/// link: a FIFO, a device, a socket or a folder, none of which a run folder holds.
pub(crate) fn is_special(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| !m.is_file() && !m.is_symlink())
}

/// Opens a file without following a symlink at its last component, and never a FIFO or a
/// device (opening a FIFO would wait for a writer that never comes).
pub(crate) fn open_no_follow(options: &mut OpenOptions, path: &Path) -> std::io::Result<File> {
    if is_special(path) {
        return Err(std::io::Error::other(
            "is not a regular file (a pipe, a device or a folder)",
        ));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    #[cfg(not(unix))]
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(std::io::Error::other("is a symbolic link"));
    }
    options.open(path)
}

/// The runs of one checklist in one environment.
#[derive(Debug, Clone)]
pub struct RunFolders {
    pub records_dir: PathBuf,
    /// The checklist's path relative to the project: what identifies it.
    pub checklist_path: String,
    pub environment: String,
    /// `mail-score-production`: slugs only, the checklist's shortened.
    prefix: String,
}

impl RunFolders {
    pub fn new(records_dir: &Path, checklist_path: &str, environment: &str) -> RunFolders {
        debug_assert!(is_valid_slug(environment));
        let stem = Path::new(checklist_path)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("checklist");
        let mut name: String = slugify(stem).chars().take(NAME_CHARS).collect();
        while name.ends_with('-') {
            name.pop();
        }
        if name.is_empty() {
            name.push_str("checklist");
        }
        RunFolders {
            records_dir: records_dir.to_path_buf(),
            checklist_path: checklist_path.to_string(),
            environment: environment.to_string(),
            prefix: format!("{name}-{environment}"),
        }
    }

    /// One lock per checklist and environment, named by a hash of the whole identity so
    /// that two checklists whose names share a beginning never share a lock.
    pub fn lock_path(&self) -> PathBuf {
        let identity = format!("{}\n{}", self.checklist_path, self.environment);
        let hash = crate::hex(&Sha256::digest(identity.as_bytes())[..6]);
        self.records_dir
            .join(".locks")
            .join(format!("{}-{hash}.lock", self.prefix))
    }

    /// Makes sure the records folder exists and keeps machine-local files out of git.
    pub fn prepare(&self) -> std::io::Result<()> {
        fault::point("create the records folder")?;
        std::fs::create_dir_all(&self.records_dir)?;
        ignore_local_files(&self.records_dir)
    }

    /// The folder a run starting at `started` would get (unless one of that name exists).
    pub fn folder_name(&self, started: &Timestamp) -> PathBuf {
        self.records_dir
            .join(format!("{}-{}", self.prefix, started.compact_utc()))
    }

    /// Creates the folder of a new run, named after its start.
    pub fn create(&self, started: &Timestamp) -> std::io::Result<RunFolder> {
        let base = format!("{}-{}", self.prefix, started.compact_utc());
        for n in 1.. {
            let name = if n == 1 {
                base.clone()
            } else {
                format!("{base}-{n}")
            };
            let path = self.records_dir.join(&name);
            fault::point("create the run folder")?;
            match std::fs::create_dir(&path) {
                Ok(()) => {
                    fault::point("fsync the records folder")?;
                    File::open(&self.records_dir)?.sync_all()?;
                    write_atomically(&path.join(".gitattributes"), GITATTRIBUTES.as_bytes())?;
                    return Ok(RunFolder { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        unreachable!("some numbered name is free")
    }

    /// Folders that may hold runs of this checklist and environment, newest first. Their
    /// journals' start lines say whether they really do.
    pub fn candidates(&self) -> Vec<RunFolder> {
        let Ok(entries) = std::fs::read_dir(&self.records_dir) else {
            return Vec::new();
        };
        // Newest first by start time, then by the number `create` added for runs started
        // in the same second (`-10` is newer than `-2`).
        let mut found: Vec<((String, u32), RunFolder)> = entries
            .filter_map(Result::ok)
            // Never a symlink: a run's files are inside the records folder.
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                let rest = name.strip_prefix(&self.prefix)?.strip_prefix('-')?;
                let (time, number) = match rest.split_once('-') {
                    Some((time, n)) => (time, n.parse().ok()?),
                    None => (rest, 1),
                };
                (time.len() == 16 && time.ends_with('Z') && time.as_bytes()[8] == b'T')
                    .then(|| ((time.to_string(), number), RunFolder { path: e.path() }))
            })
            .collect();
        found.sort_by(|a, b| b.0.cmp(&a.0));
        found.into_iter().map(|(_, folder)| folder).collect()
    }
}

/// One run's folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunFolder {
    pub path: PathBuf,
}

impl RunFolder {
    /// A run folder named on the command line: the folder, or a file inside it.
    pub fn containing(path: &Path) -> RunFolder {
        let is_dir = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir());
        let path = if is_dir {
            path.to_path_buf()
        } else {
            path.parent().map(Path::to_path_buf).unwrap_or_default()
        };
        RunFolder { path }
    }

    pub fn journal_path(&self) -> PathBuf {
        self.path.join(JOURNAL_FILE)
    }

    /// Keeps machine-local files (locks, temporary files) out of git in the records folder
    /// holding this run, and git's hands off the run's line endings. Its `.gitignore` ignores itself, so a fresh clone has none until
    /// a command writes one: every command that writes into a run folder does.
    pub fn ignore_local_files(&self) -> std::io::Result<()> {
        ignore_local_files(self.path.parent().unwrap_or(Path::new("")))?;
        // A run folder made before runs wrote this gets it with its next addendum.
        write_unless_there(&self.path.join(".gitattributes"), GITATTRIBUTES)
    }

    /// The lock of this run's follow-up walks, beside the runs' own locks in the records
    /// folder: one follow-up walk of a run at a time.
    pub fn follow_up_lock_path(&self) -> PathBuf {
        let records_dir = self.path.parent().unwrap_or(Path::new(""));
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        records_dir
            .join(".locks")
            .join(format!("{name}.followup.lock"))
    }

    pub fn record_path(&self) -> PathBuf {
        self.path.join(RECORD_FILE)
    }

    /// Writes the record atomically; returns the SHA-256 and length of its bytes.
    pub fn write_record(&self, bytes: &[u8]) -> std::io::Result<()> {
        write_atomically(&self.record_path(), bytes)
    }
}

/// A record as the bytes of `record.yaml`.
pub fn record_bytes(record: &Record) -> Vec<u8> {
    crate::yaml::to_string(record)
        .expect("records serialize")
        .into_bytes()
}

/// Seals a judged record (computes its digest) and returns the bytes of its `record.yaml`:
/// what every run writes. The digest (the record as JSON, through SHA-256) and the YAML
/// take about as long as each other on a large record, and the digest is one of the YAML's
/// last lines, so they are made on two threads: the YAML is written with a stand-in digest
/// of the same shape (the same length and kinds of character, so the same layout), which
/// the digest then overwrites. The bytes are those of [`record_bytes`] of the sealed record.
pub fn sealed_record_bytes(record: &mut Record) -> Vec<u8> {
    const STAND_IN: &str =
        "sha256:0000000000000000000000000000000000000000000000000000000000000000";
    record.digest = STAND_IN.to_string();
    let sealing = &*record;
    let (mut bytes, digest) =
        crate::threads::both(|| record_bytes(sealing), || sealing.compute_digest());
    let line = format!("\ndigest: {STAND_IN}\n");
    let at = memchr::memmem::rfind(&bytes, line.as_bytes())
        .expect("a record's digest is a line of its own")
        + "\ndigest: ".len();
    debug_assert_eq!(digest.len(), STAND_IN.len(), "a digest's shape is fixed");
    bytes[at..at + digest.len()].copy_from_slice(digest.as_bytes());
    record.digest = digest;
    bytes
}

/// `(sha256 hex, length)` of some bytes, as finish lines name records.
pub fn fingerprint(bytes: &[u8]) -> (String, u64) {
    (crate::hex(&Sha256::digest(bytes)), bytes.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_started_in_one_second_are_newest_first_past_nine() {
        let dir = tempfile::tempdir().unwrap();
        let folders = RunFolders::new(dir.path(), "checklists/release.md", "production");
        let started = Timestamp::parse("2026-11-23T22:00:00Z").unwrap();
        let earlier = Timestamp::parse("2026-11-23T21:59:59Z").unwrap();
        folders.create(&earlier).unwrap();
        let created: Vec<PathBuf> = (0..11)
            .map(|_| folders.create(&started).unwrap().path)
            .collect();
        let names: Vec<String> = folders
            .candidates()
            .iter()
            .map(|f| f.path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names[0], "release-production-20261123T220000Z-11");
        assert_eq!(names[1], "release-production-20261123T220000Z-10");
        assert_eq!(names[9], "release-production-20261123T220000Z-2");
        assert_eq!(names[10], "release-production-20261123T220000Z");
        assert_eq!(names[11], "release-production-20261123T215959Z");
        assert_eq!(created.len() + 1, names.len());
    }
}
