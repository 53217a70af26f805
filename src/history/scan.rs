//! Finding the runs under a folder, and a cheap stamp of each run's files that says when
//! they may have changed.
//!
//! A run folder is a folder holding `record.yaml` or `journal.jsonl`. Other folders are
//! looked through (a few levels deep, hidden ones never), so a folder of teams' records
//! folders works too. A YAML file lying loose in a records folder is a record from the
//! layout before run folders, or something else: either way it is listed, never silently
//! dropped. Nothing is followed through a symbolic link.
//!
//! A run's stamp covers the files its state is made of: the record and every addendum
//! beside it (the journal only while there is no record), each by name, size, modification
//! and change time and inode. The index compares stamps to know what to read again; when a
//! stamp differs it hashes the bytes ([`Entry::sha256`]) before believing anything changed.

use std::fs::Metadata;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::store::{JOURNAL_FILE, RECORD_FILE};

/// How deep folders that are not run folders are looked through.
const MAX_DEPTH: usize = 4;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A run folder.
    Run,
    /// A YAML file outside any run folder.
    Loose,
    /// A symbolic link where a run folder or record could be: not followed.
    Link,
}

/// Something found under a folder that history has to account for.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Relative to the folder searched, `/`-separated: the key the index keeps it under.
    pub key: String,
    pub path: PathBuf,
    pub kind: Kind,
    /// The files the stamp covers, sorted by name.
    pub files: Vec<PathBuf>,
    /// `name:size:mtime:ctime:inode` of each file, joined by `;`.
    pub stamp: String,
    /// The newest modification or change time among the files, in nanoseconds.
    pub newest_ns: i64,
}

impl Entry {
    /// SHA-256 over the files' names and bytes: what the stamp stands for.
    pub fn sha256(&self) -> std::io::Result<String> {
        let mut hasher = Sha256::new();
        for file in &self.files {
            let bytes = std::fs::read(file)?;
            let name = file
                .file_name()
                .map(|n| n.as_encoded_bytes())
                .unwrap_or(b"");
            hasher.update(name);
            hasher.update([0]);
            hasher.update((bytes.len() as u64).to_le_bytes());
            hasher.update(&bytes);
        }
        Ok(crate::hex(&hasher.finalize()))
    }
}

/// Everything under `root` history has to account for, in no particular order. A `root`
/// that is itself a run folder is that one run.
pub fn find(root: &Path) -> std::io::Result<Vec<Entry>> {
    let mut found = Vec::new();
    if is_run_folder(root) {
        found.push(run_entry(root, String::new()));
        return Ok(found);
    }
    walk(root, "", 0, &mut found, true)?;
    Ok(found)
}

fn walk(
    dir: &Path,
    prefix: &str,
    depth: usize,
    found: &mut Vec<Entry>,
    top: bool,
) -> std::io::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        // Below the top, a folder that cannot be listed is nobody's run.
        Err(_) if !top => return Ok(()),
        Err(error) => return Err(error),
    };
    for entry in entries.filter_map(Result::ok) {
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        let key = format!("{prefix}{name}");
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_symlink() {
            if looks_like_run_or_record(&path, &name) {
                found.push(Entry {
                    key,
                    path,
                    kind: Kind::Link,
                    files: Vec::new(),
                    stamp: "link".into(),
                    newest_ns: 0,
                });
            }
        } else if kind.is_dir() {
            if is_run_folder(&path) {
                found.push(run_entry(&path, key));
            } else if depth < MAX_DEPTH {
                walk(&path, &format!("{key}/"), depth + 1, found, false)?;
            }
        } else if kind.is_file() && is_yaml(&name) {
            let (stamp, newest_ns) = stamp_of(std::slice::from_ref(&path));
            found.push(Entry {
                key,
                files: vec![path.clone()],
                path,
                kind: Kind::Loose,
                stamp,
                newest_ns,
            });
        }
    }
    Ok(())
}

fn is_yaml(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".yaml") || lower.ends_with(".yml")
}

fn is_file(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file())
}

pub fn is_run_folder(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
        && (is_file(&path.join(RECORD_FILE)) || is_file(&path.join(JOURNAL_FILE)))
}

/// A link worth mentioning: one to a run folder, or a YAML file.
fn looks_like_run_or_record(path: &Path, name: &str) -> bool {
    is_yaml(name) || path.join(RECORD_FILE).is_file() || path.join(JOURNAL_FILE).is_file()
}

/// The files a run's state is made of: the record and its addenda; the journal only while
/// there is no record (it says whether the run is under way). Journals of answers given
/// later (`*.jsonl`) land in addenda of their own, which are covered.
fn run_files(folder: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .filter_map(|e| {
                    let name = e.file_name().into_string().ok()?;
                    let wanted = !name.starts_with('.') && !name.ends_with(".jsonl");
                    wanted.then(|| e.path())
                })
                .collect()
        })
        .unwrap_or_default();
    if !files.iter().any(|f| f.ends_with(RECORD_FILE)) && is_file(&folder.join(JOURNAL_FILE)) {
        files.push(folder.join(JOURNAL_FILE));
    }
    files.sort();
    files
}

fn run_entry(folder: &Path, key: String) -> Entry {
    let files = run_files(folder);
    let (stamp, newest_ns) = stamp_of(&files);
    Entry {
        key,
        path: folder.to_path_buf(),
        kind: Kind::Run,
        files,
        stamp,
        newest_ns,
    }
}

fn stamp_of(files: &[PathBuf]) -> (String, i64) {
    let mut stamp = String::new();
    let mut newest = 0i64;
    for file in files {
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        if !stamp.is_empty() {
            stamp.push(';');
        }
        match std::fs::symlink_metadata(file) {
            Ok(meta) => {
                let (mtime, ctime, inode) = times(&meta);
                newest = newest.max(mtime).max(ctime);
                stamp.push_str(&format!("{name}:{}:{mtime}:{ctime}:{inode}", meta.len()));
            }
            Err(_) => stamp.push_str(&format!("{name}:gone")),
        }
    }
    (stamp, newest)
}

/// Modification time, change time (nanoseconds) and inode. The change time moves with any
/// write, even when the modification time is set back by hand, and an atomic replacement
/// brings a new inode.
#[cfg(unix)]
fn times(meta: &Metadata) -> (i64, i64, u64) {
    use std::os::unix::fs::MetadataExt;
    (
        meta.mtime()
            .saturating_mul(1_000_000_000)
            .saturating_add(meta.mtime_nsec()),
        meta.ctime()
            .saturating_mul(1_000_000_000)
            .saturating_add(meta.ctime_nsec()),
        meta.ino(),
    )
}

#[cfg(not(unix))]
fn times(meta: &Metadata) -> (i64, i64, u64) {
    let ns = |t: std::io::Result<std::time::SystemTime>| {
        t.ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as i64)
    };
    (ns(meta.modified()), ns(meta.created()), 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(found: &[Entry]) -> Vec<(String, Kind)> {
        let mut keys: Vec<(String, Kind)> = found
            .iter()
            .map(|e| (e.key.clone(), e.kind.clone()))
            .collect();
        keys.sort_by(|a, b| a.0.cmp(&b.0));
        keys
    }

    #[test]
    fn run_folders_loose_records_and_nested_folders_are_found_hidden_ones_never() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for (path, text) in [
            ("a-production-20261101T220000Z/record.yaml", "x"),
            ("a-production-20261101T220000Z/journal.jsonl", "x"),
            ("b-staging-20261102T220000Z/journal.jsonl", "x"),
            ("old-production-20261001T220000Z.yaml", "schema: v1"),
            ("notes.txt", "not a record"),
            ("team-b/runs/c-production-20261103T220000Z/record.yaml", "x"),
            (".index/history.sqlite", "x"),
            (".locks/x.lock", ""),
            ("empty/readme.md", "nothing"),
        ] {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let found = find(root).unwrap();
        assert_eq!(
            keys(&found),
            [
                ("a-production-20261101T220000Z".into(), Kind::Run),
                ("b-staging-20261102T220000Z".into(), Kind::Run),
                ("old-production-20261001T220000Z.yaml".into(), Kind::Loose),
                (
                    "team-b/runs/c-production-20261103T220000Z".into(),
                    Kind::Run
                ),
            ]
        );
        let a = found.iter().find(|e| e.key.starts_with("a-")).unwrap();
        assert_eq!(a.files.len(), 1, "the journal is left out beside a record");
        let b = found.iter().find(|e| e.key.starts_with("b-")).unwrap();
        assert!(
            b.files[0].ends_with(JOURNAL_FILE),
            "no record yet: the journal"
        );
    }

    #[test]
    fn addenda_are_in_the_stamp_and_any_change_of_bytes_changes_it() {
        let dir = tempfile::tempdir().unwrap();
        let run = dir.path().join("r");
        std::fs::create_dir(&run).unwrap();
        std::fs::write(run.join(RECORD_FILE), "record").unwrap();
        let before = run_entry(&run, "r".into());
        std::fs::write(run.join("signoff-security-team-20261124T090000Z.yaml"), "x").unwrap();
        let after = run_entry(&run, "r".into());
        assert_ne!(before.stamp, after.stamp);
        assert_ne!(before.sha256().unwrap(), after.sha256().unwrap());
        assert_eq!(after.files.len(), 2);
    }

    #[test]
    fn a_folder_given_that_is_a_run_is_that_one_run() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(RECORD_FILE), "x").unwrap();
        let found = find(dir.path()).unwrap();
        assert_eq!(keys(&found), [(String::new(), Kind::Run)]);
    }

    #[cfg(unix)]
    #[test]
    fn links_are_listed_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        std::fs::write(elsewhere.join(RECORD_FILE), "x").unwrap();
        let runs = dir.path().join("runs");
        std::fs::create_dir(&runs).unwrap();
        std::os::unix::fs::symlink(&elsewhere, runs.join("linked")).unwrap();
        let found = find(&runs).unwrap();
        assert_eq!(keys(&found), [("linked".into(), Kind::Link)]);
    }
}
