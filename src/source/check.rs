//! How authors write an item's check, in both formats, and the rules both share.
//!
//! Markdown: a fenced block whose info string holds the word `check`, nested under the
//! task item (```` ```sh check timeout=30 ````). YAML: `check: "cmd"` or
//! `check: {run: "cmd", timeout_s: 30}`. Either way the command is kept exactly as written
//! (it is what runs), so it is refused rather than repaired when it holds control
//! characters, and the builder refuses a check on an item whose status comes from its
//! sub-items, since it could never run.

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use crate::model::{Check, DEFAULT_TIMEOUT_S, check_timeout, parse_timeout};

/// Longer commands belong in a script the check calls: one argument to `sh -c` must fit
/// the kernel's limit for a single argument with room to spare.
pub const MAX_COMMAND_BYTES: usize = 64 * 1024;

/// Languages whose fences run as written under `sh -c`.
const SHELL_LANGUAGES: [&str; 5] = ["sh", "shell", "posix", "console", "shellsession"];

/// Whether a fenced block's info string marks it as a check: the word `check` in it.
pub fn is_check_info(info: &str) -> bool {
    words(info).any(|w| w == "check")
}

fn words(info: &str) -> impl Iterator<Item = &str> {
    info.split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
}

/// A fence read as a check, with what is worth a warning.
pub struct FromFence {
    pub check: Result<Check, String>,
    pub warnings: Vec<String>,
}

/// Reads a `check` fence: its info string's settings (`timeout=`) and its command.
pub fn from_fence(info: &str, text: &str) -> FromFence {
    let mut warnings = Vec::new();
    let mut timeout = Ok(DEFAULT_TIMEOUT_S);
    for (index, word) in words(info).enumerate() {
        if word == "check" {
            continue;
        }
        match word.split_once('=') {
            Some(("timeout", value)) => {
                timeout = parse_timeout(value).map_err(|e| format!("check {e}"));
            }
            Some((key, _)) => {
                timeout = Err(format!(
                    "unknown check setting `{key}`: a check fence takes `timeout=` (like ```sh check timeout=30)"
                ));
            }
            None if index == 0 => {
                let language = word.to_ascii_lowercase();
                if !SHELL_LANGUAGES.contains(&language.as_str()) {
                    warnings.push(format!(
                        "the check is run with `sh -c`, not `{word}`: keep it POSIX shell, or call `{word}` from it"
                    ));
                }
            }
            None => {}
        }
    }
    let check = timeout.and_then(|timeout_s| {
        Ok(Check {
            run: command(text)?,
            timeout_s,
        })
    });
    FromFence { check, warnings }
}

/// A check's command as written, minus the final line break; refused when empty, too
/// long, or holding control characters (which a terminal would obey when it is shown).
pub fn command(text: &str) -> Result<String, String> {
    let text = text.strip_suffix('\n').unwrap_or(text);
    let text = text.strip_suffix('\r').unwrap_or(text);
    if text.trim().is_empty() {
        return Err("the check has no command: write the command to run inside the block".into());
    }
    if text.len() > MAX_COMMAND_BYTES {
        return Err(format!(
            "the check's command is {} KiB, over {} KiB: put it in a script and call that",
            text.len() / 1024,
            MAX_COMMAND_BYTES / 1024
        ));
    }
    if let Some(c) = text
        .chars()
        .find(|&c| crate::text::is_unsafe(c) && c != '\n' && c != '\r')
    {
        return Err(format!(
            "the check's command holds the control character U+{:04X}; remove it (a terminal would obey it when the command is shown)",
            c as u32
        ));
    }
    Ok(text.replace("\r\n", "\n"))
}

/// The `check` key of a YAML item: `"cmd"`, `{run: "cmd", timeout_s: 30}`, or `null`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlCheck(pub Option<Check>);

impl<'de> Deserialize<'de> for YamlCheck {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CheckVisitor;

        impl<'de> Visitor<'de> for CheckVisitor {
            type Value = YamlCheck;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a command, or {run: COMMAND, timeout_s: SECONDS}")
            }

            fn visit_unit<E: de::Error>(self) -> Result<YamlCheck, E> {
                Ok(YamlCheck(None))
            }

            fn visit_none<E: de::Error>(self) -> Result<YamlCheck, E> {
                Ok(YamlCheck(None))
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<YamlCheck, E> {
                Ok(YamlCheck(Some(Check {
                    run: command(text).map_err(E::custom)?,
                    timeout_s: DEFAULT_TIMEOUT_S,
                })))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<YamlCheck, A::Error> {
                let mut run: Option<String> = None;
                let mut timeout_s: Option<u64> = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "run" if run.is_none() => {
                            let text: String = map.next_value()?;
                            run = Some(command(&text).map_err(de::Error::custom)?);
                        }
                        "timeout_s" if timeout_s.is_none() => {
                            let seconds: Option<u64> =
                                map.next_value().map_err(|_: A::Error| {
                                    de::Error::custom(
                                        "`timeout_s` must be a whole number of seconds, like 30",
                                    )
                                })?;
                            let seconds = seconds.unwrap_or(DEFAULT_TIMEOUT_S);
                            timeout_s = Some(
                                check_timeout(seconds)
                                    .map_err(|e| de::Error::custom(format!("`timeout_s`: {e}")))?,
                            );
                        }
                        "run" | "timeout_s" => {
                            return Err(de::Error::custom(format!("key `{key}` is given twice")));
                        }
                        other => {
                            return Err(de::Error::unknown_field(other, &["run", "timeout_s"]));
                        }
                    }
                }
                let run = run.ok_or_else(|| de::Error::missing_field("run"))?;
                Ok(YamlCheck(Some(Check {
                    run,
                    timeout_s: timeout_s.unwrap_or(DEFAULT_TIMEOUT_S),
                })))
            }
        }

        deserializer.deserialize_any(CheckVisitor)
    }
}

/// What `deploycheck schema` says a YAML item's `check` may be.
#[derive(schemars::JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum CheckSchema {
    /// The command, run with `sh -c` in the folder holding `checklists/` (time-out 60 s).
    Command(String),
    Full {
        /// The command, run with `sh -c` in the folder holding `checklists/`, stdin closed.
        run: String,
        /// Seconds before the check and everything it started are stopped (default 60).
        #[schemars(range(min = 1, max = 86400))]
        timeout_s: Option<u64>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_word_check_anywhere_in_the_info_string_marks_a_check() {
        assert!(is_check_info("sh check timeout=30"));
        assert!(is_check_info("check"));
        assert!(is_check_info("bash,check"));
        assert!(!is_check_info("sh"));
        assert!(!is_check_info("checks"));
        assert!(!is_check_info("sh precheck"));
    }

    #[test]
    fn a_fence_gives_its_command_and_time_out() {
        let read = from_fence("sh check timeout=30", "curl -fsS http://x/healthz\n");
        assert_eq!(
            read.check,
            Ok(Check {
                run: "curl -fsS http://x/healthz".into(),
                timeout_s: 30
            })
        );
        assert!(read.warnings.is_empty());
        assert_eq!(from_fence("check", "true\n").check.unwrap().timeout_s, 60);
    }

    #[test]
    fn bad_settings_are_errors_and_other_languages_are_warned_about() {
        assert!(from_fence("sh check timeout=abc", "true").check.is_err());
        assert!(from_fence("sh check timeout=0", "true").check.is_err());
        let unknown = from_fence("sh check timout=30", "true").check.unwrap_err();
        assert!(unknown.contains("`timout`"), "{unknown}");
        assert!(from_fence("sh check", "  \n").check.is_err());
        let python = from_fence("python check", "print(1)");
        assert!(python.check.is_ok());
        assert_eq!(python.warnings.len(), 1);
    }

    #[test]
    fn control_characters_in_a_command_are_refused() {
        assert!(command("echo \u{1b}[2J").is_err());
        assert_eq!(command("a\r\nb\r\n").unwrap(), "a\nb");
        assert_eq!(command("printf 'a\tb'\n").unwrap(), "printf 'a\tb'");
    }

    #[test]
    fn yaml_takes_a_string_a_mapping_or_null() {
        let read = |text: &str| crate::yaml::from_str::<YamlCheck>(text, "x.yaml");
        assert_eq!(read("\"true\"").unwrap().0.unwrap().timeout_s, 60);
        assert_eq!(
            read("{run: \"true\", timeout_s: 5}").unwrap().0,
            Some(Check {
                run: "true".into(),
                timeout_s: 5
            })
        );
        assert_eq!(read("null").unwrap().0, None);
        assert!(read("{run: \"true\", timeout_s: 0}").is_err());
        assert!(read("{run: \"true\", timeout_s: abc}").is_err());
        assert!(read("{run: \"true\", timeout: 5}").is_err());
        assert!(read("{timeout_s: 5}").is_err());
    }
}
