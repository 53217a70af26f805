//! [`Check`]: a shell command an item carries to gather its evidence, and [`Evidence`]: what
//! one execution of it left in the record.
//!
//! A check is only ever run when a person asks (`r` at the item's prompt, or
//! `--run-checks`); the model only describes it. Its time-out is always filled in (the
//! default when the author gave none), so a tree shown as JSON or YAML loads back the same.

use serde::{Deserialize, Serialize};

use super::Timestamp;

/// The time-out of a check whose author gave none.
pub const DEFAULT_TIMEOUT_S: u64 = 60;

/// The longest time-out an author may give: a check is evidence gathered at a prompt, not
/// a job left running overnight.
pub const MAX_TIMEOUT_S: u64 = 24 * 60 * 60;

/// The most of a check's output a record keeps: its last 8 KiB.
pub const OUTPUT_KEPT_BYTES: usize = 8 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    /// Run with `sh -c` in the folder that holds `checklists/`, stdin closed.
    pub run: String,
    pub timeout_s: u64,
}

impl Check {
    /// The command's first line, for one-line displays; `…` says more follows.
    pub fn first_line(&self) -> String {
        let mut lines = self.run.lines().filter(|l| !l.trim().is_empty());
        let first = lines.next().unwrap_or("").trim_end().to_string();
        if lines.next().is_some() {
            format!("{first} …")
        } else {
            first
        }
    }
}

/// Reads a time-out as an author writes it: `30`, `30s`, `5m`, `1h`. The error says what
/// is accepted.
pub fn parse_timeout(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (digits, scale) = match text.char_indices().last() {
        Some((at, 's')) => (&text[..at], 1),
        Some((at, 'm')) => (&text[..at], 60),
        Some((at, 'h')) => (&text[..at], 3600),
        _ => (text, 1),
    };
    let seconds = digits
        .parse::<u64>()
        .ok()
        .filter(|_| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|n| n.checked_mul(scale))
        .ok_or_else(|| {
            format!(
                "time-out `{text}` is not a duration: write seconds like `30`, or `30s`, `5m`, `1h`"
            )
        })?;
    check_timeout(seconds)
}

/// A time-out in seconds is at least one second and at most a day.
pub fn check_timeout(seconds: u64) -> Result<u64, String> {
    if seconds == 0 {
        Err("a time-out of 0 would stop the check before it starts: give at least 1 second".into())
    } else if seconds > MAX_TIMEOUT_S {
        Err(format!(
            "a time-out of {seconds} s is longer than a day ({MAX_TIMEOUT_S} s), the most a check may take"
        ))
    } else {
        Ok(seconds)
    }
}

/// How one execution of a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckEnd {
    /// The command exited by itself; `exit_code` says how.
    Exited,
    /// Stopped by its time-out, with everything it started.
    TimedOut,
    /// Stopped by the operator (Ctrl-C), with everything it started.
    Interrupted,
    /// Ended by a signal nobody here sent.
    Killed,
    /// The shell could not be started at all.
    NotStarted,
    /// Started and never finished: deploycheck itself was killed while it ran. Never a pass.
    Unfinished,
}

impl CheckEnd {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckEnd::Exited => "exited",
            CheckEnd::TimedOut => "timed out",
            CheckEnd::Interrupted => "interrupted",
            CheckEnd::Killed => "killed",
            CheckEnd::NotStarted => "not started",
            CheckEnd::Unfinished => "unfinished",
        }
    }
}

/// One execution of an item's check, as the record keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// The command exactly as it ran.
    pub command: String,
    /// `null` when the command did not exit by itself (time-out, Ctrl-C, a signal) or
    /// never finished.
    pub exit_code: Option<i32>,
    /// `null` for a check that never finished.
    pub duration_ms: Option<u64>,
    pub started_at: Timestamp,
    pub run_by: String,
    /// The last 8 KiB of stdout and stderr interleaved as they arrived, as valid UTF-8
    /// with control characters removed.
    pub output: String,
    /// Whether earlier output was left out to keep the last 8 KiB.
    pub output_truncated: bool,
    /// How many bytes the command printed in all.
    pub output_bytes: u64,
    pub ended: CheckEnd,
    pub timeout_s: u64,
}

impl Evidence {
    /// Whether this execution passed: it exited by itself with status 0.
    pub fn passed(&self) -> bool {
        self.ended == CheckEnd::Exited && self.exit_code == Some(0)
    }

    /// `exit 0`, `exit 2`, `timed out after 30 s`, `unfinished`: the outcome in a few words.
    pub fn outcome(&self) -> String {
        match (self.ended, self.exit_code) {
            (CheckEnd::Exited, Some(code)) => format!("exit {code}"),
            (CheckEnd::TimedOut, _) => format!("timed out after {} s", self.timeout_s),
            (end, _) => end.as_str().to_string(),
        }
    }

    /// The last line of output that says something: a failed check's reason.
    pub fn last_line(&self) -> Option<&str> {
        last_line(&self.output)
    }
}

/// The last line of `text` that is not blank, trimmed.
pub fn last_line(text: &str) -> Option<&str> {
    text.lines().map(str::trim).rfind(|l| !l.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_read_as_seconds_minutes_or_hours() {
        assert_eq!(parse_timeout("30"), Ok(30));
        assert_eq!(parse_timeout("30s"), Ok(30));
        assert_eq!(parse_timeout("5m"), Ok(300));
        assert_eq!(parse_timeout("1h"), Ok(3600));
        for bad in ["", "s", "abc", "-1", "1.5", "30 s", "0", "0s", "25h", "+3"] {
            assert!(parse_timeout(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn the_first_line_says_when_more_follows() {
        let check = Check {
            run: "set -e\ncurl -fsS http://x\n".into(),
            timeout_s: 30,
        };
        assert_eq!(check.first_line(), "set -e …");
        let one = Check {
            run: "true".into(),
            timeout_s: 30,
        };
        assert_eq!(one.first_line(), "true");
    }

    #[test]
    fn the_last_line_skips_blank_lines() {
        assert_eq!(last_line("a\nb\n\n  \n"), Some("b"));
        assert_eq!(last_line("\n\n"), None);
    }
}
