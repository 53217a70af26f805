//! The history index: an SQLite database in `<records>/.index/`, kept only for speed.
//!
//! The records are the truth. The index holds, per run folder, the stamp of its files
//! (see [`super::scan`]), the SHA-256 of their bytes and what history needs of the run;
//! each call stats every run folder and reads again only those whose stamp changed *and*
//! whose bytes hash differently, so a `touch` costs a hash and an edit costs a read. A
//! stamp taken within a second of its files' last change is checked by hash next time too,
//! since a coarse clock can give two writes one time.
//!
//! What each call checks of a run folder the index knows, and why that is enough to never
//! trust the index over a record whose bytes changed: the folder's own stamp (modification
//! and change time, inode), which moves whenever a file is added, removed or renamed in
//! it, so the remembered list of its files (record and addenda) still holds while it is
//! unchanged; and the stamp of each of those files (size, modification and change time,
//! inode). Any write to a file moves its change time, which no one can set back by hand,
//! and a file replaced by a rename has a new inode and moves the folder's times. Only a
//! change within the same clock tick as the stamp was taken could hide, so stamps that
//! young are never trusted: the folder is listed again, the files hashed again. A stamp
//! that differs is never trusted either way: the bytes are hashed, and read again when
//! they differ from what was read.
//!
//! The first call reads every run once: the records are read and summarised on every core
//! while one thread writes what they come to, in one transaction. The database is a cache
//! that can be deleted any time: it is written without waiting for the disk, but with a
//! rollback journal, so a call stopped halfway leaves the previous index, not a damaged one.
//!
//! It is safe to delete at any time, ignores itself in git (a `.gitignore` inside it), and
//! is rebuilt when it was made by another version of this code. A damaged index is deleted
//! and built again; one that another process holds locked, or one that cannot be written
//! at all, is bypassed: the same code runs on an in-memory database, with a warning. There
//! is one way to answer a question, and the file on disk only decides whether the answer
//! is remembered.

use crate::FastMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OptionalExtension, TransactionBehavior, params};

use super::scan::{Entry, Kind, Known, Listing, file_names};
use super::summary::RunSummary;
use crate::model::Status;
use crate::threads;

pub const INDEX_DIR: &str = ".index";
const INDEX_FILE: &str = "history.sqlite";
/// Bumped whenever what is stored, or how a run is summarised, changes.
const FORMAT: i64 = 4;
/// Who built an index: an index from another version is rebuilt rather than trusted.
const BUILDER: &str = concat!("deploycheck ", env!("CARGO_PKG_VERSION"));
/// How long to wait for another process's write before reading without the index.
const BUSY_WAIT: Duration = Duration::from_millis(1500);
/// Stamps taken this close to their files' last change are checked by hash next time.
const RACY_NS: i64 = 1_000_000_000;
/// The page cache, in KiB: room for a first build's pages without writing them twice.
const CACHE_KIB: i64 = 64 * 1024;
/// How much of the index file is read through a memory map.
const MMAP_BYTES: i64 = 1 << 30;

const SCHEMA: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE folders (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    stamp TEXT NOT NULL,
    sha256 TEXT,
    indexed_ns INTEGER NOT NULL,
    skipped TEXT,
    folder_stamp TEXT NOT NULL,
    files TEXT NOT NULL
);
CREATE INDEX folders_skipped ON folders (key) WHERE skipped IS NOT NULL;
CREATE TABLE runs (
    folder INTEGER PRIMARY KEY,
    checklist TEXT NOT NULL,
    checklist_path TEXT NOT NULL,
    environment TEXT NOT NULL,
    version TEXT,
    operator TEXT NOT NULL,
    started TEXT NOT NULL,
    started_s INTEGER NOT NULL,
    ended TEXT,
    duration_s INTEGER NOT NULL,
    verdict TEXT NOT NULL,
    causes TEXT NOT NULL,
    outstanding TEXT NOT NULL,
    rejected TEXT NOT NULL,
    failed INTEGER NOT NULL,
    skipped INTEGER NOT NULL,
    overridden INTEGER NOT NULL,
    digest_ok INTEGER NOT NULL
);
CREATE INDEX runs_by_start ON runs (started_s, started);
CREATE TABLE names (
    id INTEGER PRIMARY KEY,
    checklist_path TEXT NOT NULL,
    item TEXT NOT NULL,
    text TEXT NOT NULL,
    text_s INTEGER NOT NULL,
    UNIQUE (checklist_path, item)
);
CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
-- Kept in order of name, then run: one item's rows across runs lie together.
CREATE TABLE items (
    folder INTEGER NOT NULL,
    name INTEGER NOT NULL,
    status INTEGER NOT NULL,
    overridden INTEGER NOT NULL,
    derived INTEGER NOT NULL,
    value TEXT,
    measured REAL,
    op TEXT,
    limit_value REAL,
    unit TEXT,
    passes INTEGER,
    reason TEXT,
    answered_by INTEGER,
    answered_at TEXT,
    PRIMARY KEY (name, folder)
) WITHOUT ROWID;
CREATE INDEX items_by_folder ON items (folder);
CREATE INDEX items_measured ON items (name) WHERE measured IS NOT NULL;
CREATE INDEX names_by_item ON names (item);
CREATE TABLE trouble (
    folder INTEGER NOT NULL,
    name INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    skipped INTEGER NOT NULL,
    overridden INTEGER NOT NULL,
    PRIMARY KEY (folder, name)
) WITHOUT ROWID;
CREATE TABLE phases (
    folder INTEGER NOT NULL,
    position INTEGER NOT NULL,
    phase TEXT NOT NULL,
    seconds INTEGER NOT NULL,
    PRIMARY KEY (folder, position)
) WITHOUT ROWID;
";

/// An index, on disk or in memory, in step with the folder it was synced with.
pub struct Index {
    conn: Connection,
    /// The database file; `None` when the index is in memory for this call only.
    pub path: Option<PathBuf>,
    /// The folder searched: run folders' keys are relative to it.
    pub root: PathBuf,
    /// Whether the temporary table of chosen runs narrows the queries.
    chosen: bool,
    racy_ns: i64,
}

/// What a sync did, for tests and the benchmark.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SyncStats {
    /// Runs (and skipped entries) read and summarised.
    pub read: usize,
    /// Entries whose stamp changed but whose bytes did not.
    pub rehashed: usize,
    /// Entries dropped because their folder is gone.
    pub removed: usize,
}

/// How reading one entry went: a run, or why it is not one history can show.
pub type Loaded = Result<RunSummary, String>;

enum Failure {
    /// Not a database, or a damaged one: delete and build again.
    Damaged(rusqlite::Error),
    /// Another process holds it.
    Busy,
    /// It cannot be used here (a folder that cannot be written, a full disk).
    Unusable(String),
    /// The records folder itself cannot be read: not the index's failure.
    Scan(std::io::Error),
}

impl From<rusqlite::Error> for Failure {
    fn from(error: rusqlite::Error) -> Failure {
        match error.sqlite_error_code() {
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => Failure::Damaged(error),
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Failure::Busy,
            _ => Failure::Unusable(error.to_string()),
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(error: std::io::Error) -> Failure {
        Failure::Unusable(error.to_string())
    }
}

/// Where an index lives and how wary it is of fresh files.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// In `<root>/.index/`; else in memory for this call.
    pub keep_on_disk: bool,
    /// Stamps taken this close to their files' last change are checked by hash next time.
    pub racy_ns: i64,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            keep_on_disk: true,
            racy_ns: RACY_NS,
        }
    }
}

/// How history finds what is under a root, given what the index remembers of its folders.
pub type Find<'a> = dyn Fn(&dyn Known) -> std::io::Result<Vec<Entry>> + 'a;

/// Brings the index of `root` in step with what `find` finds under it and returns it, with
/// warnings for whoever runs the command. Fails only when `find` does: an index that
/// cannot be kept on disk is kept in memory for this call. `load` reads one entry when its
/// bytes changed. `shown` is the root as warnings name it.
pub fn open_and_sync(
    root: &Path,
    shown: &Path,
    find: &Find<'_>,
    settings: Settings,
    load: &(dyn Fn(&Entry) -> Loaded + Sync),
) -> std::io::Result<(Index, SyncStats, Vec<String>)> {
    let mut warnings = Vec::new();
    if settings.keep_on_disk {
        let path = root.join(INDEX_DIR).join(INDEX_FILE);
        let shown_dir = shown.join(INDEX_DIR);
        let shown = shown_dir.join(INDEX_FILE);
        let shown = shown.display();
        match on_disk(root, &path, find, settings, load) {
            Ok((index, stats)) => return Ok((index, stats, warnings)),
            Err(Failure::Scan(error)) => return Err(error),
            Err(Failure::Damaged(error)) => {
                remove_database(&path);
                match on_disk(root, &path, find, settings, load) {
                    Ok((index, stats)) => {
                        warnings.push(format!(
                            "the history index {shown} was damaged ({error}); it was deleted and built again from the records"
                        ));
                        return Ok((index, stats, warnings));
                    }
                    Err(Failure::Scan(error)) => return Err(error),
                    Err(_) => warnings.push(format!(
                        "the history index {shown} is damaged ({error}) and cannot be built again there; read the records without it"
                    )),
                }
            }
            Err(Failure::Busy) => warnings.push(format!(
                "the history index {shown} is locked by another process; read the records without it this time"
            )),
            Err(Failure::Unusable(why)) => warnings.push(format!(
                "cannot keep the history index in {} ({why}); read the records without it",
                shown_dir.display()
            )),
        }
    }
    let (index, stats) = in_memory(root, find, settings, load)?;
    Ok((index, stats, warnings))
}

/// Deletes a database file and the journal SQLite may have left beside it.
fn remove_database(path: &Path) {
    for suffix in ["", "-journal", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}

fn on_disk(
    root: &Path,
    path: &Path,
    find: &Find<'_>,
    settings: Settings,
    load: &(dyn Fn(&Entry) -> Loaded + Sync),
) -> Result<(Index, SyncStats), Failure> {
    let dir = path.parent().expect("the index file is in a folder");
    std::fs::create_dir_all(dir)?;
    // The index ignores itself, wherever it is made: never committed by accident.
    let ignore = dir.join(".gitignore");
    if std::fs::symlink_metadata(&ignore).is_err() {
        std::fs::write(
            &ignore,
            "# Written by deploycheck: the history index, rebuilt from the records.\n*\n",
        )?;
    }
    let conn = Connection::open(path)?;
    conn.busy_timeout(BUSY_WAIT)?;
    // A cache: a crash of the machine at the wrong moment costs a rebuild, never a record,
    // so nothing waits for the disk. The rollback journal stays (truncated rather than
    // deleted after each write): a call stopped halfway must leave the index it found.
    conn.pragma_update(None, "synchronous", "OFF")?;
    conn.pragma_update(None, "journal_mode", "TRUNCATE")?;
    // Pages read straight from the file system's cache rather than copied into SQLite's:
    // a warm call reads the stamps of every run folder.
    conn.pragma_update(None, "mmap_size", MMAP_BYTES)?;
    let mut index = Index {
        conn,
        path: Some(path.to_path_buf()),
        root: root.to_path_buf(),
        chosen: false,
        racy_ns: settings.racy_ns,
    };
    index.tune()?;
    index.prepare()?;
    let stats = index.sync(find, load)?;
    Ok((index, stats))
}

fn in_memory(
    root: &Path,
    find: &Find<'_>,
    settings: Settings,
    load: &(dyn Fn(&Entry) -> Loaded + Sync),
) -> std::io::Result<(Index, SyncStats)> {
    let conn = Connection::open_in_memory().expect("SQLite opens an in-memory database");
    let mut index = Index {
        conn,
        path: None,
        root: root.to_path_buf(),
        chosen: false,
        racy_ns: settings.racy_ns,
    };
    let ready = index
        .tune()
        .map_err(Failure::from)
        .and_then(|()| index.prepare())
        .and_then(|()| index.sync(find, load));
    match ready {
        Ok(stats) => Ok((index, stats)),
        Err(Failure::Scan(error)) => Err(error),
        Err(failure) => {
            let why = match failure {
                Failure::Damaged(e) => e.to_string(),
                Failure::Busy => "busy".into(),
                Failure::Unusable(why) => why,
                Failure::Scan(e) => e.to_string(),
            };
            panic!("an in-memory history index failed: {why}")
        }
    }
}

fn now_ns() -> i64 {
    // The file system's clock, not the run's injected one: stamps are compared with the
    // times the file system gives files.
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

pub fn status_code(status: Status) -> i64 {
    match status {
        Status::Pending => 0,
        Status::Done => 1,
        Status::Failed => 2,
        Status::Skipped => 3,
        Status::NotApplicable => 4,
        Status::Deferred => 5,
        Status::Clear => 6,
        Status::Holds => 7,
    }
}

pub fn status_of(code: i64) -> Status {
    match code {
        1 => Status::Done,
        2 => Status::Failed,
        3 => Status::Skipped,
        4 => Status::NotApplicable,
        5 => Status::Deferred,
        6 => Status::Clear,
        7 => Status::Holds,
        _ => Status::Pending,
    }
}

/// Interned names, read once per sync and added to as runs are written.
#[derive(Default)]
struct Names {
    items: FastMap<(String, String), (i64, i64)>,
    people: FastMap<String, i64>,
    loaded: bool,
}

impl Index {
    /// Makes the schema, or checks that the one there is this code's; rebuilds otherwise.
    fn prepare(&mut self) -> Result<(), Failure> {
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))?;
        let builder: Option<String> = if version == FORMAT {
            self.conn
                .query_row("SELECT value FROM meta WHERE key = 'builder'", [], |row| {
                    row.get(0)
                })
                .optional()?
        } else {
            None
        };
        if version == FORMAT && builder.as_deref() == Some(BUILDER) {
            return Ok(());
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let tables: Vec<String> = tx
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            )?
            .query_map([], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        for table in tables {
            tx.execute_batch(&format!("DROP TABLE \"{}\"", table.replace('"', "\"\"")))?;
        }
        tx.execute_batch(SCHEMA)?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('builder', ?1)",
            [BUILDER],
        )?;
        tx.pragma_update(None, "user_version", FORMAT)?;
        tx.commit()?;
        Ok(())
    }

    /// Memory for the pages a call reads and a first build writes: the default 2 MB would
    /// have a build of ten thousand runs write and read back the items' indexes many times.
    fn tune(&self) -> rusqlite::Result<()> {
        self.conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
        self.conn.pragma_update(None, "temp_store", "MEMORY")
    }

    /// What the index holds of each entry, by key, with its listing trusted only while
    /// the folder's last change is older than the racy margin before it was listed.
    fn stored(&self) -> rusqlite::Result<FastMap<String, Stored>> {
        let racy_ns = self.racy_ns;
        let mut statement = self
            .conn
            .prepare("SELECT key, id, stamp, indexed_ns, folder_stamp, files FROM folders")?;
        statement
            .query_map([], |row| {
                let indexed_ns: i64 = row.get(3)?;
                let folder_stamp: String = row.get(4)?;
                let listing = if folder_stamp.is_empty() {
                    None
                } else {
                    Some(Listing {
                        folder_stamp,
                        files: row.get(5)?,
                        trusted_before_ns: indexed_ns.saturating_sub(racy_ns),
                    })
                };
                Ok((
                    row.get::<_, String>(0)?,
                    Stored {
                        id: row.get(1)?,
                        stamp: row.get(2)?,
                        indexed_ns,
                        listing,
                    },
                ))
            })?
            .collect()
    }

    /// The SHA-256 of an entry's files when they were read: asked only when a stamp moved.
    fn sha256_of(&self, id: i64) -> rusqlite::Result<Option<String>> {
        self.conn
            .prepare_cached("SELECT sha256 FROM folders WHERE id = ?1")?
            .query_row([id], |row| row.get(0))
    }

    /// Reads again what changed under the root since the last call, and forgets what is gone.
    fn sync(
        &mut self,
        find: &Find<'_>,
        load: &(dyn Fn(&Entry) -> Loaded + Sync),
    ) -> Result<SyncStats, Failure> {
        // Taken before anything is stat'ed: a file changed after this moment is newer than
        // the stamp kept, so the racy rule catches it next time.
        let started_ns = now_ns();
        let mut stored = self.stored()?;
        let entries = find(&stored).map_err(Failure::Scan)?;
        let mut stats = SyncStats::default();
        // What has to be read: new entries, and changed ones whose bytes differ.
        let mut to_read: Vec<(&Entry, Option<i64>, Option<String>)> = Vec::new();
        // Entries whose bytes are what was read, but whose stamps or listing are new.
        let mut restamp: Vec<(i64, &Entry)> = Vec::new();
        // Entries whose stamp moved, or is too young to trust: their bytes decide.
        let mut doubtful: Vec<(i64, &Entry)> = Vec::new();
        for entry in &entries {
            match stored.remove(&entry.key) {
                Some(row) => {
                    let racy = entry.newest_ns >= row.indexed_ns - self.racy_ns;
                    if row.stamp == entry.stamp && !racy {
                        // The files are as they were; a folder listed again (it changed,
                        // or its stamp was too young to trust) is remembered as it is now.
                        if entry.listed {
                            restamp.push((row.id, entry));
                        }
                        continue;
                    }
                    doubtful.push((row.id, entry));
                }
                None => to_read.push((entry, None, None)),
            }
        }
        if !doubtful.is_empty() {
            // A checkout or a copy moves every stamp: hashed on every core, and the hashes
            // read in one transaction.
            let now = on_every_core(&doubtful, |(_, entry)| entry.sha256().ok());
            let read = self.conn.unchecked_transaction()?;
            for ((id, entry), now) in doubtful.into_iter().zip(now) {
                if now.is_some() && now == self.sha256_of(id)? {
                    stats.rehashed += 1;
                    restamp.push((id, entry));
                } else {
                    to_read.push((entry, Some(id), now));
                }
            }
            read.finish()?;
        }
        if stored.is_empty() && restamp.is_empty() && to_read.is_empty() {
            return Ok(stats);
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for (_, row) in stored {
            forget(&tx, row.id)?;
            tx.execute("DELETE FROM folders WHERE id = ?1", [row.id])?;
            stats.removed += 1;
        }
        for (id, entry) in restamp {
            tx.prepare_cached(
                "UPDATE folders SET stamp = ?1, indexed_ns = ?2, folder_stamp = ?3, files = ?4 WHERE id = ?5",
            )?
            .execute(params![entry.stamp, started_ns, entry.folder_stamp, file_names(&entry.files), id])?;
        }
        let mut names = Names::default();
        read_each(&to_read, load, |(entry, id, sha), (loaded, sha_read)| {
            stats.read += 1;
            let sha = sha.clone().or(sha_read);
            let skipped = loaded.as_ref().err();
            let id = match id {
                Some(id) => {
                    forget(&tx, *id)?;
                    tx.prepare_cached(
                        "UPDATE folders SET stamp = ?1, sha256 = ?2, indexed_ns = ?3, skipped = ?4, folder_stamp = ?5, files = ?6 WHERE id = ?7",
                    )?
                    .execute(params![
                        entry.stamp,
                        sha,
                        started_ns,
                        skipped,
                        entry.folder_stamp,
                        file_names(&entry.files),
                        id
                    ])?;
                    *id
                }
                None => {
                    tx.prepare_cached(
                        "INSERT INTO folders (key, stamp, sha256, indexed_ns, skipped, folder_stamp, files) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    )?
                    .execute(params![
                        entry.key,
                        entry.stamp,
                        sha,
                        started_ns,
                        skipped,
                        entry.folder_stamp,
                        file_names(&entry.files)
                    ])?;
                    tx.last_insert_rowid()
                }
            };
            if let Ok(summary) = &loaded {
                insert_run(&tx, &mut names, id, summary)?;
            }
            Ok(())
        })?;
        tx.commit()?;
        Ok(stats)
    }
}

/// What the index holds of one entry under the root.
struct Stored {
    id: i64,
    stamp: String,
    indexed_ns: i64,
    /// A run folder's listing.
    listing: Option<Listing>,
}

impl Known for FastMap<String, Stored> {
    fn listing(&self, key: &str) -> Option<&Listing> {
        self.get(key)?.listing.as_ref()
    }
}

/// `f` of each item, in order, the items shared among the cores when there are many.
fn on_every_core<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = threads::workers(items.len(), 64, 8);
    threads::each_chunk(items, workers, |part| {
        part.iter().map(&f).collect::<Vec<R>>()
    })
    .into_iter()
    .flatten()
    .collect()
}

/// Reads each entry that changed and hands what it comes to, in no particular order, to
/// `write`, which runs on this thread (it holds the database). The records are read and
/// summarised on every core meanwhile, each once, and only a few are held at a time:
/// parsing records is the cost of a first build, and ten thousand summaries held at once
/// would be hundreds of megabytes. Each comes back with the SHA-256 of its bytes when it
/// had none yet. The first error `write` returns stops the reading and is returned.
fn read_each<'e>(
    to_read: &[(&'e Entry, Option<i64>, Option<String>)],
    load: &(dyn Fn(&Entry) -> Loaded + Sync),
    mut write: impl FnMut(
        &(&'e Entry, Option<i64>, Option<String>),
        (Loaded, Option<String>),
    ) -> rusqlite::Result<()>,
) -> rusqlite::Result<()> {
    let read_one = |(entry, _, sha): &(&Entry, Option<i64>, Option<String>)| {
        let sha_read = if sha.is_none() {
            entry.sha256().ok()
        } else {
            None
        };
        let loaded = match entry.kind {
            Kind::Link => Err("a symbolic link; history does not follow links".to_string()),
            _ => load(entry),
        };
        (loaded, sha_read)
    };
    // One worker is this thread: nothing is started, and the loop below reads each here.
    let helpers = match threads::workers(to_read.len(), 64, 8) {
        1 => 0,
        n => n,
    };
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let (sender, received) = std::sync::mpsc::sync_channel(helpers * 8);
        let mut started = 0;
        for _ in 0..helpers {
            let sender = sender.clone();
            let (next, read_one) = (&next, &read_one);
            let reader = threads::spawn_scoped(scope, move || {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    let Some(wanted) = to_read.get(n) else { break };
                    // The receiver is gone when writing failed: stop reading.
                    if sender.send((n, read_one(wanted))).is_err() {
                        break;
                    }
                }
            });
            // A reader that could not start is dropped with its sender, unrun.
            started += usize::from(reader.is_ok());
        }
        drop(sender);
        if started == 0 {
            for wanted in to_read {
                write(wanted, read_one(wanted))?;
            }
            return Ok(());
        }
        for (n, read) in received {
            write(&to_read[n], read)?;
        }
        Ok(())
    })
}

/// Drops what the index holds of one folder's run.
fn forget(tx: &rusqlite::Transaction<'_>, id: i64) -> rusqlite::Result<()> {
    for table in ["runs", "items", "trouble", "phases"] {
        tx.prepare_cached(&format!("DELETE FROM {table} WHERE folder = ?1"))?
            .execute([id])?;
    }
    Ok(())
}

fn load_names(tx: &rusqlite::Transaction<'_>, names: &mut Names) -> rusqlite::Result<()> {
    if names.loaded {
        return Ok(());
    }
    let mut statement = tx.prepare("SELECT id, checklist_path, item, text_s FROM names")?;
    let rows = statement.query_map([], |row| {
        Ok((
            (row.get::<_, String>(1)?, row.get::<_, String>(2)?),
            (row.get::<_, i64>(0)?, row.get::<_, i64>(3)?),
        ))
    })?;
    for row in rows {
        let (key, value) = row?;
        names.items.insert(key, value);
    }
    let mut statement = tx.prepare("SELECT id, name FROM people")?;
    let rows = statement.query_map([], |row| Ok((row.get::<_, String>(1)?, row.get(0)?)))?;
    for row in rows {
        let (name, id) = row?;
        names.people.insert(name, id);
    }
    names.loaded = true;
    Ok(())
}

fn insert_run(
    tx: &rusqlite::Transaction<'_>,
    names: &mut Names,
    id: i64,
    run: &RunSummary,
) -> rusqlite::Result<()> {
    load_names(tx, names)?;
    let started_s = run.started_at.instant().timestamp();
    tx.prepare_cached(
        "INSERT INTO runs (folder, checklist, checklist_path, environment, version, operator, started, started_s, ended, duration_s, verdict, causes, outstanding, rejected, failed, skipped, overridden, digest_ok)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
    )?
    .execute(params![
        id,
        run.checklist,
        run.checklist_path,
        run.environment,
        run.version,
        run.operator,
        run.started_at.as_str(),
        started_s,
        run.ended_at.as_ref().map(|t| t.as_str()),
        run.duration_s,
        run.verdict.as_str(),
        serde_json::to_string(&run.causes).expect("strings serialize"),
        serde_json::to_string(&run.outstanding).expect("strings serialize"),
        serde_json::to_string(&run.rejected_addenda).expect("strings serialize"),
        run.failed as i64,
        run.skipped as i64,
        run.overridden as i64,
        run.digest_ok,
    ])?;
    for (position, phase) in run.phases.iter().enumerate() {
        tx.prepare_cached(
            "INSERT OR REPLACE INTO phases (folder, position, phase, seconds) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![id, position as i64, phase.phase, phase.seconds])?;
    }
    for item in &run.items {
        let key = (run.checklist_path.clone(), item.id.clone());
        let name = match names.items.get(&key).copied() {
            Some((name, text_s)) => {
                if started_s > text_s {
                    tx.prepare_cached("UPDATE names SET text = ?1, text_s = ?2 WHERE id = ?3")?
                        .execute(params![item.text, started_s, name])?;
                    names.items.insert(key, (name, started_s));
                }
                name
            }
            None => {
                tx.prepare_cached(
                    "INSERT INTO names (checklist_path, item, text, text_s) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![run.checklist_path, item.id, item.text, started_s])?;
                let name = tx.last_insert_rowid();
                names.items.insert(key, (name, started_s));
                name
            }
        };
        let by = match &item.answered_by {
            Some(person) => Some(match names.people.get(person) {
                Some(&id) => id,
                None => {
                    tx.prepare_cached("INSERT INTO people (name) VALUES (?1)")?
                        .execute([person])?;
                    let id = tx.last_insert_rowid();
                    names.people.insert(person.clone(), id);
                    id
                }
            }),
            None => None,
        };
        let judged = item.judged.as_ref();
        tx.prepare_cached(
            "INSERT OR REPLACE INTO items (folder, name, status, overridden, derived, value, measured, op, limit_value, unit, passes, reason, answered_by, answered_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        )?
        .execute(params![
            id,
            name,
            status_code(item.status),
            item.overridden,
            item.derived,
            item.value,
            judged.map(|j| j.measured),
            judged.map(|j| j.op.symbol()),
            judged.map(|j| j.limit),
            judged.and_then(|j| j.unit.as_deref()),
            judged.map(|j| j.passes),
            item.reason,
            by,
            item.answered_at.as_ref().map(|t| t.as_str()),
        ])?;
        if item.is_trouble() {
            tx.prepare_cached(
                "INSERT OR REPLACE INTO trouble (folder, name, failed, skipped, overridden) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                id,
                name,
                item.status == Status::Failed,
                item.status == Status::Skipped,
                item.overridden,
            ])?;
        }
    }
    Ok(())
}

/// What the queries return: plain rows, merged across folders by the caller.
pub mod rows {
    use serde::Serialize;

    /// One run, as the runs table shows it.
    #[derive(Debug, Clone, Serialize)]
    pub struct Run {
        /// The run folder, as the user would name it.
        pub folder: String,
        pub checklist: String,
        pub checklist_path: String,
        pub environment: String,
        pub version: Option<String>,
        pub operator: String,
        pub started_at: String,
        #[serde(skip)]
        pub started_s: i64,
        pub ended_at: Option<String>,
        pub duration_s: i64,
        pub verdict: String,
        pub causes: Vec<String>,
        /// What the run still waits for beside its verdict: `awaiting sign-off: Security Team`.
        pub outstanding: Vec<String>,
        pub failed: i64,
        pub skipped: i64,
        pub overridden: i64,
        pub digest_ok: bool,
        /// Files beside the record that look like addenda but do not count, with why.
        pub rejected_addenda: Vec<String>,
        /// Which index it came from, and its folder there: how a selection names it.
        #[serde(skip)]
        pub source: (usize, i64),
    }

    /// An entry under the folders that is not a run history can show, and why.
    #[derive(Debug, Clone, Serialize)]
    pub struct Skipped {
        pub path: String,
        pub reason: String,
    }

    /// One item's trouble across runs.
    #[derive(Debug, Clone, Default, Serialize)]
    pub struct Trouble {
        pub id: String,
        pub text: String,
        pub checklist_path: String,
        pub failed: i64,
        pub skipped: i64,
        pub overridden: i64,
        /// Runs the item was in.
        pub runs: i64,
    }

    /// One phase's time in one run.
    #[derive(Debug, Clone)]
    pub struct PhaseTime {
        pub checklist: String,
        pub position: i64,
        pub phase: String,
        pub seconds: i64,
        pub source: (usize, i64),
    }

    /// One item's outcome in one run.
    #[derive(Debug, Clone, Serialize)]
    pub struct Outcome {
        pub folder: String,
        pub checklist_path: String,
        /// The item's words as the newest run has them.
        #[serde(skip)]
        pub text: String,
        pub environment: String,
        pub version: Option<String>,
        pub started_at: String,
        pub status: String,
        pub overridden: bool,
        pub value: Option<String>,
        /// The value in the threshold's unit.
        pub measured: Option<f64>,
        /// The threshold it was judged against: `< 200 ms`.
        pub threshold: Option<String>,
        pub limit: Option<f64>,
        pub unit: Option<String>,
        pub passes: Option<bool>,
        pub reason: Option<String>,
        pub answered_by: Option<String>,
        pub answered_at: Option<String>,
        #[serde(skip)]
        pub started_s: i64,
        #[serde(skip)]
        pub source: (usize, i64),
    }

    /// What places a run among the others: runs are ordered by these, in this order.
    #[derive(Debug, Clone)]
    pub struct Placed {
        pub started_s: i64,
        pub started_at: String,
        pub folder: String,
        pub source: (usize, i64),
    }
}

impl Index {
    fn display(&self, key: &str, cwd: &Path) -> String {
        let path = if key.is_empty() {
            self.root.clone()
        } else {
            self.root.join(key)
        };
        crate::project::display_path(&path, cwd)
    }

    /// Narrows the queries below to these runs of this index (`None`: all of them).
    pub fn choose(&mut self, folders: Option<&[i64]>) -> rusqlite::Result<()> {
        self.conn
            .execute_batch("DROP TABLE IF EXISTS temp.chosen")?;
        self.chosen = false;
        if let Some(folders) = folders {
            self.conn
                .execute_batch("CREATE TEMP TABLE chosen (folder INTEGER PRIMARY KEY)")?;
            let mut insert = self
                .conn
                .prepare("INSERT OR IGNORE INTO temp.chosen (folder) VALUES (?1)")?;
            for folder in folders {
                insert.execute([folder])?;
            }
            self.chosen = true;
        }
        Ok(())
    }

    fn narrowed(&self, column: &str) -> String {
        if self.chosen {
            format!(" AND {column} IN (SELECT folder FROM temp.chosen)")
        } else {
            String::new()
        }
    }

    /// Where the runs in `environment` (any case; `None`: all) stand in the order of runs,
    /// or only the newest `last` of them and any tied with the oldest of those: enough to
    /// choose the newest runs across indexes without reading every run.
    pub fn placed(
        &self,
        source: usize,
        cwd: &Path,
        environment: Option<&str>,
        last: Option<usize>,
    ) -> rusqlite::Result<Vec<rows::Placed>> {
        const IN_ENVIRONMENT: &str = "(?1 IS NULL OR r.environment = ?1 COLLATE NOCASE)";
        let from: (i64, String) = match last {
            None => (i64::MIN, String::new()),
            Some(0) => return Ok(Vec::new()),
            Some(last) => {
                let boundary = self
                    .conn
                    .prepare(&format!(
                        "SELECT r.started_s, r.started FROM runs r INDEXED BY runs_by_start WHERE {IN_ENVIRONMENT}
                         ORDER BY r.started_s DESC, r.started DESC LIMIT 1 OFFSET ?2"
                    ))?
                    .query_row(params![environment, last as i64 - 1], |row| {
                        Ok((row.get(0)?, row.get(1)?))
                    })
                    .optional()?;
                boundary.unwrap_or((i64::MIN, String::new()))
            }
        };
        let mut statement = self.conn.prepare(&format!(
            "SELECT r.started_s, r.started, f.key, r.folder FROM runs r JOIN folders f ON f.id = r.folder
             WHERE {IN_ENVIRONMENT} AND (r.started_s, r.started) >= (?2, ?3)"
        ))?;
        let rows = statement.query_map(params![environment, from.0, from.1], |row| {
            let key: String = row.get(2)?;
            Ok(rows::Placed {
                started_s: row.get(0)?,
                started_at: row.get(1)?,
                folder: self.display(&key, cwd),
                source: (source, row.get(3)?),
            })
        })?;
        rows.collect()
    }

    /// Every run the index holds (the selection does not narrow this list).
    pub fn runs(&self, source: usize, cwd: &Path) -> rusqlite::Result<Vec<rows::Run>> {
        let mut statement = self.conn.prepare(
            "SELECT f.key, r.checklist, r.checklist_path, r.environment, r.version, r.operator, r.started, r.started_s,
                    r.ended, r.duration_s, r.verdict, r.causes, r.failed, r.skipped, r.overridden, r.digest_ok, r.folder,
                    r.outstanding, r.rejected
             FROM runs r JOIN folders f ON f.id = r.folder",
        )?;
        let rows = statement.query_map([], |row| {
            let key: String = row.get(0)?;
            // Most runs have no causes, nothing outstanding and no rejected addenda.
            let list = |text: String| match text.as_str() {
                "[]" => Vec::new(),
                _ => serde_json::from_str(&text).unwrap_or_default(),
            };
            let causes: String = row.get(11)?;
            Ok(rows::Run {
                folder: self.display(&key, cwd),
                checklist: row.get(1)?,
                checklist_path: row.get(2)?,
                environment: row.get(3)?,
                version: row.get(4)?,
                operator: row.get(5)?,
                started_at: row.get(6)?,
                started_s: row.get(7)?,
                ended_at: row.get(8)?,
                duration_s: row.get(9)?,
                verdict: row.get(10)?,
                causes: list(causes),
                outstanding: list(row.get(17)?),
                failed: row.get(12)?,
                skipped: row.get(13)?,
                overridden: row.get(14)?,
                digest_ok: row.get(15)?,
                rejected_addenda: list(row.get(18)?),
                source: (source, row.get(16)?),
            })
        })?;
        rows.collect()
    }

    pub fn skipped(&self, cwd: &Path) -> rusqlite::Result<Vec<rows::Skipped>> {
        let mut statement = self
            .conn
            .prepare("SELECT key, skipped FROM folders WHERE skipped IS NOT NULL ORDER BY key")?;
        let rows = statement.query_map([], |row| {
            let key: String = row.get(0)?;
            Ok(rows::Skipped {
                path: self.display(&key, cwd),
                reason: row.get(1)?,
            })
        })?;
        rows.collect()
    }

    /// Failed, skipped and overridden counts per item over the chosen runs.
    pub fn trouble(&self) -> rusqlite::Result<Vec<rows::Trouble>> {
        let sql = format!(
            "SELECT n.item, n.text, n.checklist_path, SUM(t.failed), SUM(t.skipped), SUM(t.overridden), t.name
             FROM trouble t JOIN names n ON n.id = t.name
             WHERE 1 = 1{}
             GROUP BY t.name",
            self.narrowed("t.folder")
        );
        let mut statement = self.conn.prepare(&sql)?;
        let found: Vec<(rows::Trouble, i64)> = statement
            .query_map([], |row| {
                Ok((
                    rows::Trouble {
                        id: row.get(0)?,
                        text: row.get(1)?,
                        checklist_path: row.get(2)?,
                        failed: row.get(3)?,
                        skipped: row.get(4)?,
                        overridden: row.get(5)?,
                        runs: 0,
                    },
                    row.get(6)?,
                ))
            })?
            .collect::<Result<_, _>>()?;
        let count_sql = format!(
            "SELECT COUNT(*) FROM items WHERE name = ?1{}",
            self.narrowed("folder")
        );
        let mut count = self.conn.prepare(&count_sql)?;
        found
            .into_iter()
            .map(|(mut trouble, name)| {
                trouble.runs = count.query_row([name], |row| row.get(0))?;
                Ok(trouble)
            })
            .collect()
    }

    /// Every chosen run's time per phase.
    pub fn phases(&self, source: usize) -> rusqlite::Result<Vec<rows::PhaseTime>> {
        let sql = format!(
            "SELECT r.checklist, p.position, p.phase, p.seconds, p.folder FROM phases p JOIN runs r ON r.folder = p.folder
             WHERE 1 = 1{}",
            self.narrowed("p.folder")
        );
        let mut statement = self.conn.prepare(&sql)?;
        let rows = statement.query_map([], |row| {
            Ok(rows::PhaseTime {
                checklist: row.get(0)?,
                position: row.get(1)?,
                phase: row.get(2)?,
                seconds: row.get(3)?,
                source: (source, row.get(4)?),
            })
        })?;
        rows.collect()
    }

    /// The IDs of items that were measured in the chosen runs, with how many times.
    pub fn measured_items(&self) -> rusqlite::Result<Vec<(String, i64)>> {
        // Counted per interned name through the partial index, then named: never a scan
        // of every item of every run.
        let sql = format!(
            "SELECT name, COUNT(*) FROM items INDEXED BY items_measured
             WHERE measured IS NOT NULL{}
             GROUP BY name",
            self.narrowed("folder")
        );
        let counts: Vec<(i64, i64)> = self
            .conn
            .prepare(&sql)?
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let mut item = self.conn.prepare("SELECT item FROM names WHERE id = ?1")?;
        counts
            .into_iter()
            .map(|(name, n)| Ok((item.query_row([name], |row| row.get(0))?, n)))
            .collect()
    }

    /// Item IDs the index knows, for "did you mean".
    pub fn item_ids(&self) -> rusqlite::Result<Vec<String>> {
        let mut statement = self.conn.prepare("SELECT DISTINCT item FROM names")?;
        let rows = statement.query_map([], |row| row.get(0))?;
        rows.collect()
    }

    /// One item's outcome in each chosen run that has it.
    pub fn outcomes(
        &self,
        source: usize,
        item: &str,
        cwd: &Path,
    ) -> rusqlite::Result<Vec<rows::Outcome>> {
        // The item's interned names first (one per checklist that has it), then its rows,
        // which lie together (items are kept in order of name, then run): the query reads
        // that item's rows and no other's.
        let names: Vec<i64> = self
            .conn
            .prepare("SELECT id FROM names WHERE item = ?1")?
            .query_map([item], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        let sql = format!(
            "SELECT f.key, n.checklist_path, n.text, r.environment, r.version, r.started, r.started_s,
                    i.status, i.overridden, i.value, i.measured, i.op, i.limit_value, i.unit, i.passes,
                    i.reason, p.name, i.answered_at, r.folder
             FROM items i
             JOIN names n ON n.id = i.name
             JOIN runs r ON r.folder = i.folder
             JOIN folders f ON f.id = i.folder
             LEFT JOIN people p ON p.id = i.answered_by
             WHERE i.name = ?1{}",
            self.narrowed("i.folder")
        );
        let mut found = Vec::new();
        for name in names {
            let mut statement = self.conn.prepare_cached(&sql)?;
            let rows = statement.query_map([name], |row| {
                let key: String = row.get(0)?;
                let op: Option<String> = row.get(11)?;
                let limit: Option<f64> = row.get(12)?;
                let unit: Option<String> = row.get(13)?;
                let threshold = op.zip(limit).map(|(op, limit)| {
                    format!(
                        "{op} {}",
                        crate::model::value_with_unit(limit, unit.as_deref())
                    )
                });
                Ok(rows::Outcome {
                    folder: self.display(&key, cwd),
                    checklist_path: row.get(1)?,
                    text: row.get(2)?,
                    environment: row.get(3)?,
                    version: row.get(4)?,
                    started_at: row.get(5)?,
                    status: status_of(row.get(7)?).to_string(),
                    overridden: row.get(8)?,
                    value: row.get(9)?,
                    measured: row.get(10)?,
                    threshold,
                    limit,
                    unit,
                    passes: row.get(14)?,
                    reason: row.get(15)?,
                    answered_by: row.get(16)?,
                    answered_at: row.get(17)?,
                    started_s: row.get(6)?,
                    source: (source, row.get(18)?),
                })
            })?;
            for row in rows {
                found.push(row?);
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{load_entry, scan, testing};

    /// Files written a moment ago are not racy: these tests say when bytes change.
    const CALM: Settings = Settings {
        keep_on_disk: true,
        racy_ns: 0,
    };

    fn sync(root: &Path, settings: Settings) -> (Index, SyncStats, Vec<String>) {
        let find = |known: &dyn Known| scan::find(root, known);
        open_and_sync(root, root, &find, settings, &load_entry).unwrap()
    }

    fn operators(index: &Index) -> Vec<String> {
        let mut runs = index.runs(0, Path::new("/")).unwrap();
        runs.sort_by(|a, b| a.folder.cmp(&b.folder));
        runs.into_iter().map(|r| r.operator).collect()
    }

    #[test]
    fn the_first_call_reads_every_run_and_the_next_reads_none() {
        let dir = tempfile::tempdir().unwrap();
        testing::runs(dir.path(), 5);
        let (index, stats, warnings) = sync(dir.path(), CALM);
        assert_eq!((stats.read, warnings.len()), (5, 0));
        assert_eq!(index.path, Some(dir.path().join(".index/history.sqlite")));
        drop(index);
        let (index, stats, _) = sync(dir.path(), CALM);
        assert_eq!(stats, SyncStats::default());
        assert_eq!(index.runs(0, dir.path()).unwrap().len(), 5);
        let ignore = std::fs::read_to_string(dir.path().join(".index/.gitignore")).unwrap();
        assert!(ignore.lines().any(|l| l == "*"), "{ignore}");
    }

    #[test]
    fn a_record_whose_bytes_changed_is_read_again_though_its_size_and_time_are_the_same() {
        let dir = tempfile::tempdir().unwrap();
        testing::runs(dir.path(), 3);
        let path = dir.path().join("release-production-run-001/record.yaml");
        drop(sync(dir.path(), CALM));
        let before = std::fs::metadata(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let edited = text.replacen("operator: dana", "operator: anna", 1);
        assert_eq!(edited.len(), text.len());
        std::fs::write(&path, edited).unwrap();
        // Put the old modification time back: only the change time and the bytes tell.
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(before.modified().unwrap())
            .unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().len(), before.len());
        let (index, stats, _) = sync(dir.path(), CALM);
        assert_eq!(stats.read, 1);
        assert_eq!(operators(&index), ["dana", "anna", "dana"]);
        let edited = index
            .runs(0, dir.path())
            .unwrap()
            .into_iter()
            .find(|r| r.operator == "anna")
            .unwrap();
        assert!(
            !edited.digest_ok,
            "an edited record is flagged, not trusted"
        );
    }

    #[test]
    fn a_touched_record_is_hashed_not_read() {
        let dir = tempfile::tempdir().unwrap();
        testing::runs(dir.path(), 2);
        drop(sync(dir.path(), CALM));
        let path = dir.path().join("release-production-run-000/record.yaml");
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, bytes).unwrap();
        let (_, stats, _) = sync(dir.path(), CALM);
        assert_eq!(
            stats,
            SyncStats {
                read: 0,
                rehashed: 1,
                removed: 0
            }
        );
    }

    #[test]
    fn every_record_touched_at_once_is_hashed_not_read_and_an_edited_one_among_them_is_read() {
        let dir = tempfile::tempdir().unwrap();
        testing::runs(dir.path(), 70);
        drop(sync(dir.path(), CALM));
        // As a checkout does: every record written again, one of them changed.
        for n in 0..70 {
            let path = dir
                .path()
                .join(format!("release-production-run-{n:03}/record.yaml"));
            let text = std::fs::read_to_string(&path).unwrap();
            let text = if n == 42 {
                text.replacen("operator: dana", "operator: anna", 1)
            } else {
                text
            };
            std::fs::write(&path, text).unwrap();
        }
        let (index, stats, _) = sync(dir.path(), CALM);
        assert_eq!((stats.read, stats.rehashed), (1, 69));
        assert_eq!(operators(&index).iter().filter(|o| *o == "anna").count(), 1);
        drop(index);
        let (_, stats, _) = sync(dir.path(), CALM);
        assert_eq!(stats, SyncStats::default());
    }

    #[test]
    fn a_stamp_taken_right_after_a_change_is_checked_by_hash_next_time() {
        let dir = tempfile::tempdir().unwrap();
        testing::runs(dir.path(), 2);
        let wary = Settings {
            keep_on_disk: true,
            racy_ns: i64::MAX / 4,
        };
        drop(sync(dir.path(), wary));
        let (_, stats, _) = sync(dir.path(), wary);
        assert_eq!((stats.read, stats.rehashed), (0, 2));
    }

    #[test]
    fn a_new_addendum_and_a_removed_run_are_noticed() {
        let dir = tempfile::tempdir().unwrap();
        testing::runs(dir.path(), 3);
        drop(sync(dir.path(), CALM));
        std::fs::write(
            dir.path()
                .join("release-production-run-000/signoff-security-team-20261125T090000Z.yaml"),
            "role: Security Team\n",
        )
        .unwrap();
        std::fs::remove_dir_all(dir.path().join("release-production-run-002")).unwrap();
        let (index, stats, _) = sync(dir.path(), CALM);
        assert_eq!((stats.read, stats.removed), (1, 1));
        assert_eq!(index.runs(0, dir.path()).unwrap().len(), 2);
    }

    /// What the index remembers of a folder's listing.
    fn remembered(index: &Index, key: &str) -> (String, String) {
        index
            .conn
            .query_row(
                "SELECT folder_stamp, files FROM folders WHERE key = ?1",
                [key],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .unwrap()
    }

    /// Sets a file's modification time back to what it was: only its change time and its
    /// bytes tell that it was written.
    fn set_back(path: &Path, before: &std::fs::Metadata) {
        std::fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(before.modified().unwrap())
            .unwrap();
    }

    #[test]
    fn an_addendum_edited_in_place_is_read_again_though_its_folder_did_not_change() {
        let dir = tempfile::tempdir().unwrap();
        testing::runs(dir.path(), 2);
        let folder = dir.path().join("release-production-run-001");
        let addendum = folder.join("signoff-security-team-20261125T090000Z.yaml");
        std::fs::write(&addendum, "role: Security Team\n").unwrap();
        drop(sync(dir.path(), CALM));
        let folder_before = std::fs::metadata(&folder).unwrap();
        let before = std::fs::metadata(&addendum).unwrap();
        std::fs::write(&addendum, "role: Security Tea_\n").unwrap();
        set_back(&addendum, &before);
        let folder_after = std::fs::metadata(&folder).unwrap();
        assert_eq!(
            folder_after.modified().unwrap(),
            folder_before.modified().unwrap(),
            "written in place: the folder's listing did not change"
        );
        let (_, stats, _) = sync(dir.path(), CALM);
        assert_eq!((stats.read, stats.rehashed), (1, 0));
    }

    #[test]
    fn a_record_replaced_by_a_rename_is_read_again() {
        let dir = tempfile::tempdir().unwrap();
        testing::runs(dir.path(), 2);
        drop(sync(dir.path(), CALM));
        let folder = dir.path().join("release-production-run-000");
        let path = folder.join("record.yaml");
        let before = std::fs::metadata(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let replacement = folder.join(".record.yaml.new");
        std::fs::write(
            &replacement,
            text.replacen("operator: dana", "operator: anna", 1),
        )
        .unwrap();
        set_back(&replacement, &before);
        std::fs::rename(&replacement, &path).unwrap();
        let (index, stats, _) = sync(dir.path(), CALM);
        assert_eq!(stats.read, 1);
        assert_eq!(operators(&index), ["anna", "dana"]);
    }

    #[test]
    fn a_folder_whose_files_stayed_the_same_is_remembered_as_listed_anew() {
        let dir = tempfile::tempdir().unwrap();
        testing::runs(dir.path(), 2);
        let key = "release-production-run-000";
        let (index, _, _) = sync(dir.path(), CALM);
        let first = remembered(&index, key);
        assert_eq!(first.1, "record.yaml");
        drop(index);
        // A hidden file comes and goes: the folder's stamp moves, its files do not.
        let stray = dir.path().join(key).join(".partial");
        std::fs::write(&stray, "x").unwrap();
        std::fs::remove_file(&stray).unwrap();
        let (index, stats, _) = sync(dir.path(), CALM);
        assert_eq!(stats, SyncStats::default(), "nothing read or hashed");
        let second = remembered(&index, key);
        assert_ne!(second.0, first.0, "the folder's new stamp is remembered");
        assert_eq!(second.1, first.1);
        // Taken from the index from now on: its files are stat'ed, the folder not listed.
        let known = index.stored().unwrap();
        assert_eq!(known.listing(key).unwrap().files, "record.yaml");
        let found = scan::find(dir.path(), &known).unwrap();
        assert!(found.iter().all(|e| !e.listed));
    }

    #[test]
    fn a_folder_listed_within_a_tick_of_its_change_is_listed_again_next_time() {
        let dir = tempfile::tempdir().unwrap();
        testing::runs(dir.path(), 1);
        let wary = Settings {
            keep_on_disk: true,
            racy_ns: i64::MAX / 4,
        };
        let (mut index, _, _) = sync(dir.path(), wary);
        // Too young to trust: a file that came within the same tick of the folder's clock
        // would not have moved its times, so the folder is listed again.
        let known = index.stored().unwrap();
        assert!(scan::find(dir.path(), &known).unwrap()[0].listed);
        // Old enough, the same listing is used.
        index.racy_ns = 0;
        let known = index.stored().unwrap();
        assert!(!scan::find(dir.path(), &known).unwrap()[0].listed);
    }

    #[test]
    fn a_damaged_index_is_deleted_and_built_again_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        testing::runs(dir.path(), 3);
        drop(sync(dir.path(), CALM));
        let file = dir.path().join(".index/history.sqlite");
        let mut bytes = std::fs::read(&file).unwrap();
        for byte in bytes.iter_mut().skip(100) {
            *byte = 0xA5;
        }
        std::fs::write(&file, &bytes).unwrap();
        let (index, stats, warnings) = sync(dir.path(), CALM);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("was damaged"), "{warnings:?}");
        assert!(warnings[0].contains("built again"), "{warnings:?}");
        assert_eq!(stats.read, 3);
        assert!(index.path.is_some(), "rebuilt on disk");
        assert_eq!(index.runs(0, dir.path()).unwrap().len(), 3);

        std::fs::write(&file, "not a database at all, just text").unwrap();
        let (index, _, warnings) = sync(dir.path(), CALM);
        assert!(warnings[0].contains("was damaged"), "{warnings:?}");
        assert_eq!(index.runs(0, dir.path()).unwrap().len(), 3);
    }

    #[test]
    fn a_locked_index_is_bypassed_with_a_warning_and_the_answer_is_the_same() {
        let dir = tempfile::tempdir().unwrap();
        testing::runs(dir.path(), 3);
        drop(sync(dir.path(), CALM));
        testing::write(
            dir.path(),
            "release-production-run-new",
            &testing::record("v2.0", "2026-12-01T22:00:00+00:00", 120),
        );
        let holder = Connection::open(dir.path().join(".index/history.sqlite")).unwrap();
        holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
        let (index, stats, warnings) = sync(dir.path(), CALM);
        assert!(
            warnings[0].contains("locked by another process"),
            "{warnings:?}"
        );
        assert_eq!(index.path, None, "in memory for this call");
        assert_eq!(stats.read, 4);
        assert_eq!(index.runs(0, dir.path()).unwrap().len(), 4);
        holder.execute_batch("ROLLBACK").unwrap();
        drop(holder);
        let (index, stats, warnings) = sync(dir.path(), CALM);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(stats.read, 1, "the run added meanwhile, nothing else");
        assert!(index.path.is_some());
    }

    #[test]
    fn an_index_from_another_version_is_rebuilt_and_a_deleted_one_comes_back() {
        let dir = tempfile::tempdir().unwrap();
        testing::runs(dir.path(), 2);
        let (index, _, _) = sync(dir.path(), CALM);
        index.conn.pragma_update(None, "user_version", 99).unwrap();
        drop(index);
        let (_, stats, warnings) = sync(dir.path(), CALM);
        assert_eq!((stats.read, warnings.len()), (2, 0));
        std::fs::remove_dir_all(dir.path().join(INDEX_DIR)).unwrap();
        let (index, stats, warnings) = sync(dir.path(), CALM);
        assert_eq!((stats.read, warnings.len()), (2, 0));
        assert_eq!(index.runs(0, dir.path()).unwrap().len(), 2);
    }

    #[test]
    fn queries_follow_the_chosen_runs() {
        let dir = tempfile::tempdir().unwrap();
        testing::runs(dir.path(), 8);
        let (mut index, _, _) = sync(dir.path(), CALM);
        let trouble = index.trouble().unwrap();
        assert_eq!(trouble.len(), 1);
        assert_eq!((trouble[0].failed, trouble[0].runs), (2, 8));
        let mut runs = index.runs(0, dir.path()).unwrap();
        runs.sort_by_key(|r| r.started_s);
        let newest: Vec<i64> = runs[6..].iter().map(|r| r.source.1).collect();
        index.choose(Some(&newest)).unwrap();
        let trouble = index.trouble().unwrap();
        assert_eq!((trouble[0].failed, trouble[0].runs), (1, 2));
        let outcomes = index
            .outcomes(0, "performance/metrics/response-time", dir.path())
            .unwrap();
        assert_eq!(outcomes.len(), 2);
        assert!(
            outcomes
                .iter()
                .all(|o| o.threshold.as_deref() == Some("< 200 ms"))
        );
        assert_eq!(index.phases(0).unwrap().len(), 6, "3 phases in 2 runs");
    }
}
