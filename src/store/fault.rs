//! A testing hook: every durable step of the store (each mkdir, file creation, write,
//! fsync and rename) passes through [`point`], so a test can stop the process at exactly
//! one of them, or make it fail there as a full disk would, and check what a crash at that
//! moment leaves behind.
//!
//! Off unless the binary is started with one of these (read once, at startup):
//! - `DEPLOYCHECK_CRASH_AT=list`: print each point to stderr as it is passed
//!   (`deploycheck: durable point 7: journal.jsonl: fsync`), so a test knows how many a
//!   command has and what each one is;
//! - `DEPLOYCHECK_CRASH_AT=N`: abort the process at the Nth point, as a SIGKILL would: no
//!   destructor runs, no buffer is flushed. A write has two points: one before it, and one
//!   that writes the first half of its bytes and then aborts (a torn write);
//! - `DEPLOYCHECK_FAIL_AT=N`: from the Nth point on, every point fails with "No space left
//!   on device" (a torn write writes its first half first), as a disk that filled would.

use std::io::Write;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

pub const CRASH_VARIABLE: &str = "DEPLOYCHECK_CRASH_AT";
pub const FAIL_VARIABLE: &str = "DEPLOYCHECK_FAIL_AT";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    List,
    CrashAt(u64),
    FailFrom(u64),
}

static MODE: OnceLock<Mode> = OnceLock::new();
static PASSED: AtomicU64 = AtomicU64::new(0);

/// Turns the hook on from the two variables' values; an error names the bad value.
pub fn configure(crash_at: Option<&str>, fail_at: Option<&str>) -> Result<(), crate::Error> {
    let number = |name: &str, value: &str| {
        value.parse::<u64>().ok().filter(|&n| n > 0).ok_or_else(|| {
            crate::Error::Refused(format!(
                "{name}={value}: expected a point number from 1, or `list`"
            ))
        })
    };
    let mode = match (crash_at, fail_at) {
        (None, None) => return Ok(()),
        (Some(_), Some(_)) => {
            return Err(crate::Error::Refused(format!(
                "{CRASH_VARIABLE} and {FAIL_VARIABLE} are both set; set one"
            )));
        }
        (Some("list"), None) => Mode::List,
        (Some(value), None) => Mode::CrashAt(number(CRASH_VARIABLE, value)?),
        (None, Some(value)) => Mode::FailFrom(number(FAIL_VARIABLE, value)?),
    };
    let _ = MODE.set(mode);
    Ok(())
}

enum Hit {
    Pass,
    Crash,
    Fail,
}

fn hit(what: &str) -> Hit {
    let Some(mode) = MODE.get() else {
        return Hit::Pass;
    };
    let n = PASSED.fetch_add(1, Ordering::SeqCst) + 1;
    match *mode {
        Mode::List => {
            eprintln!("deploycheck: durable point {n}: {what}");
            Hit::Pass
        }
        Mode::CrashAt(at) if n == at => {
            eprintln!("deploycheck: crashing at durable point {n}: {what}");
            Hit::Crash
        }
        Mode::FailFrom(from) if n >= from => Hit::Fail,
        _ => Hit::Pass,
    }
}

fn disk_full() -> std::io::Error {
    #[cfg(unix)]
    let error = std::io::Error::from_raw_os_error(libc::ENOSPC);
    #[cfg(not(unix))]
    let error = std::io::Error::new(std::io::ErrorKind::StorageFull, "no space left on device");
    error
}

/// One durable step about to be taken: `what` says which (`journal.jsonl: fsync`).
pub(crate) fn point(what: &str) -> std::io::Result<()> {
    match hit(what) {
        Hit::Pass => Ok(()),
        Hit::Crash => std::process::abort(),
        Hit::Fail => Err(disk_full()),
    }
}

/// Writes all of `bytes`, as two points: before the write, and halfway through it.
pub(crate) fn write_all(what: &str, out: &mut impl Write, bytes: &[u8]) -> std::io::Result<()> {
    point(what)?;
    if MODE.get().is_none() {
        return out.write_all(bytes);
    }
    let half = &bytes[..bytes.len() / 2];
    match hit(&format!("{what} (torn halfway)")) {
        Hit::Pass => out.write_all(bytes),
        Hit::Crash => {
            let _ = out.write_all(half);
            let _ = out.flush();
            std::process::abort()
        }
        Hit::Fail => {
            out.write_all(half)?;
            Err(disk_full())
        }
    }
}

/// A file whose every write is a durable point: what a `BufWriter` writes through.
#[derive(Debug)]
pub(crate) struct PointedFile {
    pub file: std::fs::File,
    pub what: &'static str,
}

impl Write for PointedFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        write_all(self.what, &mut self.file, buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}
