//! The facts of the machine a command runs on: its environment variables, host name, git,
//! clock and how the process ends. Read once at the edge and handed in, like the clock, so
//! nothing deeper reads the process environment.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use crate::clock::{Clock, SteppingClock, SystemClock};

/// Set to an RFC 3339 time to make the clock start there and tick a second per reading:
/// reproducible runs for tests and rehearsals.
pub const CLOCK_VARIABLE: &str = "DEPLOYCHECK_NOW";

pub struct Host {
    vars: HashMap<String, String>,
    pub hostname: String,
    /// Ends the process (the binary's `std::process::exit`); used after Ctrl-C is handled.
    pub exit: fn(i32) -> !,
}

impl Host {
    pub fn from_process(exit: fn(i32) -> !) -> Host {
        let vars: HashMap<String, String> = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect();
        let hostname = nix::unistd::gethostname()
            .ok()
            .and_then(|h| h.into_string().ok())
            .map(|h| crate::text::clean_input(&h))
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "unknown".to_string());
        Host {
            vars,
            hostname,
            exit,
        }
    }

    /// A variable's value, trimmed, when it is set and not empty.
    pub fn var(&self, name: &str) -> Option<String> {
        self.vars
            .get(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    /// The names of the process's environment variables that start with `prefix`.
    pub fn var_names(&self, prefix: &str) -> Vec<String> {
        let mut names: Vec<String> = self
            .vars
            .keys()
            .filter(|k| k.starts_with(prefix))
            .cloned()
            .collect();
        names.sort();
        names
    }

    /// The clock: the machine's, or a stepping one from `DEPLOYCHECK_NOW`.
    pub fn clock(&self) -> Result<Arc<dyn Clock>, crate::Error> {
        match self.var(CLOCK_VARIABLE) {
            Some(value) => {
                let start = chrono::DateTime::parse_from_rfc3339(&value).map_err(|_| {
                    crate::Error::Clock {
                        variable: CLOCK_VARIABLE,
                        value: value.clone(),
                    }
                })?;
                Ok(Arc::new(SteppingClock::starting_at(start)))
            }
            None => Ok(Arc::new(SystemClock)),
        }
    }

    /// Output of a git command in `dir`, when git is there and the command succeeds. Only
    /// git is run here; a checklist's checks run only in `check`, when a person asks.
    pub fn git(&self, dir: &Path, args: &[&str]) -> Option<String> {
        let output = std::process::Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .output()
            .ok()?;
        let text = String::from_utf8(output.stdout).ok()?.trim().to_string();
        (output.status.success() && !text.is_empty()).then_some(text)
    }
}
