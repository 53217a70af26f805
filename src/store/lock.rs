//! One process per run: an exclusive lock on a file in the records folder.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "another deploycheck run of this checklist and environment is in progress ({holder}); wait for it to stop, or stop it"
    )]
    Held { holder: String },
    #[error(
        "{} is a symbolic link; deploycheck never writes through one. Remove it and run again",
        path.display()
    )]
    Symlink { path: PathBuf },
    #[error("cannot lock {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Held for as long as the value lives; the operating system releases it if we die.
#[derive(Debug)]
pub struct RunLock {
    _file: File,
}

impl RunLock {
    /// What a lock file says of its holder, for a second process to show.
    pub fn holder(operator: &str, host: &str, since: &crate::model::Timestamp) -> String {
        format!(
            "pid {}, {operator} on {host}, since {since}",
            std::process::id()
        )
    }

    /// Takes the lock without waiting, and writes `holder` into the file so that a second
    /// process can say who has it.
    pub fn acquire(path: &Path, holder: &str) -> Result<RunLock, LockError> {
        let io = |source: std::io::Error| {
            if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_symlink()) {
                LockError::Symlink {
                    path: path.to_path_buf(),
                }
            } else {
                LockError::Io {
                    path: path.to_path_buf(),
                    source,
                }
            }
        };
        if let Some(dir) = path.parent() {
            super::fault::point("create the locks folder").map_err(io)?;
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        super::fault::point("open the lock file").map_err(io)?;
        // Never through a symlink: a planted link would have us truncate its target.
        let mut file = super::open_no_follow(
            OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false),
            path,
        )
        .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                return Err(LockError::Held {
                    holder: if holder.is_empty() {
                        "holder unknown".into()
                    } else {
                        holder.to_string()
                    },
                });
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        super::fault::point("empty the lock file").map_err(io)?;
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        super::fault::write_all("write the lock's holder", &mut file, holder.as_bytes())
            .map_err(io)?;
        file.flush().map_err(io)?;
        Ok(RunLock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_naming_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".locks/x.lock");
        let held = RunLock::acquire(&path, "pid 1, dana on ops-1").unwrap();
        let error = RunLock::acquire(&path, "pid 2").unwrap_err();
        assert!(
            error.to_string().contains("pid 1, dana on ops-1"),
            "{error}"
        );
        drop(held);
        RunLock::acquire(&path, "pid 2").unwrap();
    }
}
