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
//!
//! Which files those are is a listing of the folder, and listing ten thousand folders on
//! every call is most of a call's cost. So the index remembers each run folder's listing
//! with the folder's own stamp ([`Listing`]), and a folder whose stamp is unchanged is not
//! listed again: only its remembered files are stat'ed. That is enough because a file can
//! only come into, or leave, a folder by an entry being created, removed or renamed in it,
//! and each of those sets the folder's modification and change times (an addendum added,
//! a record replaced by a rename, a run folder moved away and another moved in all do; the
//! folder moved away and back in between would keep its inode but not its change time).
//! A file changed in place leaves the folder alone, but that file is in the listing and is
//! stat'ed every call. Like a file's stamp, a folder's stamp taken within the clock's tick
//! of its last change proves nothing, so such a folder is listed again
//! ([`Listing::trusted_before_ns`]).

use std::collections::HashMap;
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
    /// A run folder's own `mtime:ctime:inode`: it changes whenever a file is added to the
    /// folder, removed from it or renamed in it. Empty for other kinds.
    pub folder_stamp: String,
    /// Whether a run folder was listed in this call rather than its listing taken from
    /// the index: the index then remembers the new listing.
    pub listed: bool,
}

/// What the index remembers of a run folder's listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// The folder's stamp when it was listed ([`Entry::folder_stamp`]).
    pub folder_stamp: String,
    /// The names of the files the run's stamp covered then, joined by `/` (which no file
    /// name holds).
    pub files: String,
    /// The listing holds only while the folder's stamp is unchanged *and* its last change
    /// is older than this: a folder changed within a clock tick of being listed could
    /// change again without its times moving.
    pub trusted_before_ns: i64,
}

/// The listings the index remembers, by entry key.
pub trait Known: Sync {
    fn listing(&self, key: &str) -> Option<&Listing>;
}

/// Listings by entry key; empty when there is no index.
pub type Listings = HashMap<String, Listing>;

impl Known for Listings {
    fn listing(&self, key: &str) -> Option<&Listing> {
        self.get(key)
    }
}

/// The names of an entry's files, joined as [`Listing::files`] keeps them.
pub fn file_names(files: &[PathBuf]) -> String {
    let names: Vec<&str> = files
        .iter()
        .filter_map(|f| f.file_name()?.to_str())
        .collect();
    names.join("/")
}

impl Entry {
    /// SHA-256 over the files' names and bytes: what the stamp stands for.
    pub fn sha256(&self) -> std::io::Result<String> {
        let mut hasher = Sha256::new();
        for file in &self.files {
            if !crate::input::is_regular_file(file) {
                return Err(std::io::Error::other(format!(
                    "{} is not a regular file",
                    file.display()
                )));
            }
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
/// that is itself a run folder is that one run. A run folder whose stamp matches its
/// listing in `known` is not listed again (see the module's documentation).
pub fn find(root: &Path, known: &dyn Known) -> std::io::Result<Vec<Entry>> {
    if is_run_folder(root) {
        return Ok(vec![run_entry(root, String::new())]);
    }
    let children = children(root, true)?;
    // Ten thousand folders are twenty thousand stats: shared among the cores.
    let workers = crate::threads::workers(children.len(), 512, 4);
    let found = crate::threads::each_chunk(&children, workers, |part| {
        let mut walk = Walk {
            known,
            found: Vec::with_capacity(part.len()),
        };
        for child in part {
            walk.child(child, "", 0);
        }
        walk.found
    })
    .into_iter()
    .flatten()
    .collect();
    Ok(found)
}

/// A folder's entries worth looking at: not hidden, named in UTF-8. Below the top, a
/// folder that cannot be listed is nobody's run.
fn children(dir: &Path, top: bool) -> std::io::Result<Vec<std::fs::DirEntry>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(_) if !top => return Ok(Vec::new()),
        Err(error) => return Err(error),
    };
    Ok(entries
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_str().is_some_and(|n| !n.starts_with('.')))
        .collect())
}

struct Walk<'a> {
    known: &'a dyn Known,
    found: Vec<Entry>,
}

impl Walk<'_> {
    fn child(&mut self, entry: &std::fs::DirEntry, prefix: &str, depth: usize) {
        let Ok(name) = entry.file_name().into_string() else {
            return;
        };
        let key = format!("{prefix}{name}");
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            return;
        };
        if kind.is_symlink() {
            if looks_like_run_or_record(&path, &name) {
                self.found.push(Entry {
                    key,
                    path,
                    kind: Kind::Link,
                    files: Vec::new(),
                    stamp: "link".into(),
                    newest_ns: 0,
                    folder_stamp: String::new(),
                    listed: false,
                });
            }
        } else if kind.is_dir() {
            if let Some(run) = self.unchanged(entry, &path, &key) {
                self.found.push(run);
            } else if is_run_folder(&path) {
                self.found.push(run_entry(&path, key));
            } else if depth < MAX_DEPTH {
                let Ok(inner) = children(&path, false) else {
                    return;
                };
                let prefix = format!("{key}/");
                for child in &inner {
                    self.child(child, &prefix, depth + 1);
                }
            }
        } else if kind.is_file() && is_yaml(&name) {
            let (stamp, newest_ns) = stamp_of(std::slice::from_ref(&path));
            self.found.push(Entry {
                key,
                files: vec![path.clone()],
                path,
                kind: Kind::Loose,
                stamp,
                newest_ns,
                folder_stamp: String::new(),
                listed: false,
            });
        }
    }

    /// The run folder at `path` with its files taken from the index's listing, when the
    /// folder's stamp says no file came or went since: one stat for the folder and one per
    /// file, instead of a listing.
    fn unchanged(&self, entry: &std::fs::DirEntry, path: &Path, key: &str) -> Option<Entry> {
        let listing = self.known.listing(key)?;
        let meta = entry.metadata().ok()?;
        let (folder_stamp, folder_newest) = folder_stamp(&meta);
        if folder_stamp != listing.folder_stamp || folder_newest >= listing.trusted_before_ns {
            return None;
        }
        let files: Vec<PathBuf> = listing
            .files
            .split('/')
            .map(|name| path.join(name))
            .collect();
        let (stamp, newest_ns) = stamp_of(&files);
        Some(Entry {
            key: key.to_string(),
            path: path.to_path_buf(),
            kind: Kind::Run,
            files,
            stamp,
            newest_ns,
            folder_stamp,
            listed: false,
        })
    }
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
/// there is no record (it says whether the run is under way); and the journals of
/// follow-up walks, which decide what their addenda count for (see `run::state`).
fn run_files(folder: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .filter_map(|e| {
                    let name = e.file_name().into_string().ok()?;
                    let wanted = !name.starts_with('.')
                        && (!name.ends_with(".jsonl")
                            || name.starts_with(crate::model::FOLLOWUP_PREFIX));
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
    // The folder's stamp before its listing: a file that comes meanwhile moves the folder's
    // times past the stamp remembered, so the next call lists the folder again.
    let folder_stamp = std::fs::symlink_metadata(folder)
        .map(|meta| folder_stamp(&meta).0)
        .unwrap_or_default();
    let files = run_files(folder);
    let (stamp, newest_ns) = stamp_of(&files);
    Entry {
        key,
        path: folder.to_path_buf(),
        kind: Kind::Run,
        files,
        stamp,
        newest_ns,
        folder_stamp,
        listed: true,
    }
}

/// A folder's `mtime:ctime:inode`, and the newer of its two times.
fn folder_stamp(meta: &Metadata) -> (String, i64) {
    let (mtime, ctime, inode) = times(meta);
    (format!("{mtime}:{ctime}:{inode}"), mtime.max(ctime))
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
        let found = find(root, &Listings::new()).unwrap();
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

    /// What the index would remember of an entry, trusted up to `trusted_before_ns`.
    fn listing(entry: &Entry, trusted_before_ns: i64) -> Listing {
        Listing {
            folder_stamp: entry.folder_stamp.clone(),
            files: file_names(&entry.files),
            trusted_before_ns,
        }
    }

    #[test]
    fn a_folder_whose_stamp_is_unchanged_is_not_listed_again_and_a_new_file_is_noticed() {
        let dir = tempfile::tempdir().unwrap();
        let run = dir.path().join("r");
        std::fs::create_dir(&run).unwrap();
        std::fs::write(run.join(RECORD_FILE), "record").unwrap();
        let first = find(dir.path(), &Listings::new()).unwrap().remove(0);
        assert!(first.listed && !first.folder_stamp.is_empty());
        let known = Listings::from([("r".to_string(), listing(&first, i64::MAX))]);
        let again = find(dir.path(), &known).unwrap().remove(0);
        assert!(!again.listed, "taken from the listing");
        assert_eq!((&again.stamp, &again.files), (&first.stamp, &first.files));

        // The record rewritten in place: not listed again, but its own stamp moves.
        std::fs::write(run.join(RECORD_FILE), "RECORD").unwrap();
        let edited = find(dir.path(), &known).unwrap().remove(0);
        assert!(!edited.listed);
        assert_ne!(edited.stamp, first.stamp);

        // An addendum arrives: the folder's stamp moves, so it is listed again.
        std::fs::write(run.join("signoff-security-team-20261124T090000Z.yaml"), "x").unwrap();
        let signed = find(dir.path(), &known).unwrap().remove(0);
        assert!(signed.listed);
        assert_eq!(signed.files.len(), 2);
        assert_ne!(signed.folder_stamp, first.folder_stamp);

        // A listing too young to trust is never used, even with the folder unchanged.
        let known = Listings::from([("r".to_string(), listing(&signed, 0))]);
        assert!(find(dir.path(), &known).unwrap()[0].listed);
    }

    #[test]
    fn many_folders_are_shared_among_the_cores_and_each_found_once() {
        let dir = tempfile::tempdir().unwrap();
        for n in 0..700 {
            let run = dir.path().join(format!("run-{n:03}"));
            std::fs::create_dir(&run).unwrap();
            std::fs::write(run.join(RECORD_FILE), "x").unwrap();
        }
        let nested = dir.path().join("team-b/runs/run-x");
        std::fs::create_dir_all(&nested).unwrap();
        std::fs::write(nested.join(RECORD_FILE), "x").unwrap();
        let found = find(dir.path(), &Listings::new()).unwrap();
        let mut keys: Vec<&str> = found.iter().map(|e| e.key.as_str()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!((keys.len(), found.len()), (701, 701));
        assert!(keys.contains(&"team-b/runs/run-x"));
        let known: Listings = found
            .iter()
            .map(|e| (e.key.clone(), listing(e, i64::MAX)))
            .collect();
        let again = find(dir.path(), &known).unwrap();
        assert_eq!(again.len(), 701);
        assert!(again.iter().all(|e| !e.listed));
    }

    #[test]
    fn a_folder_given_that_is_a_run_is_that_one_run() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(RECORD_FILE), "x").unwrap();
        let found = find(dir.path(), &Listings::new()).unwrap();
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
        let found = find(&runs, &Listings::new()).unwrap();
        assert_eq!(keys(&found), [("linked".into(), Kind::Link)]);
    }
}
