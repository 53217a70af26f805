//! The values a check receives, only ever as environment variables: the environment, the
//! run folder, and one variable per run field. Nothing is spliced into a command's text, so
//! a field value such as `$(touch pwned)` reaches the command as inert text.

use std::path::Path;
use std::process::Command;

pub(crate) const ENVIRONMENT: &str = "DEPLOYCHECK_ENVIRONMENT";
pub(crate) const RUN: &str = "DEPLOYCHECK_RUN";
pub(crate) const FIELD_PREFIX: &str = "DEPLOYCHECK_FIELD_";

/// `Git Commit` → `DEPLOYCHECK_FIELD_GIT_COMMIT`: letters and digits upper-cased, every
/// other run of characters one `_`. `None` when nothing of the name is left.
pub(crate) fn variable_for_field(name: &str) -> Option<String> {
    let mut out = String::from(FIELD_PREFIX);
    let mut gap = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            if gap && out.len() > FIELD_PREFIX.len() {
                out.push('_');
            }
            gap = false;
            out.push(c.to_ascii_uppercase());
        } else {
            gap = true;
        }
    }
    (out.len() > FIELD_PREFIX.len()).then_some(out)
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Environment {
    set: Vec<(String, String)>,
    /// Inherited variables of ours that this run does not set: removed, so a check never
    /// reads a value left over from the shell that started deploycheck.
    remove: Vec<String>,
}

impl Environment {
    /// `inherited` names the process's own variables (read once at the edge).
    pub fn new<'a>(
        environment: &str,
        run_folder: &Path,
        fields: &[(String, Option<String>)],
        inherited: impl IntoIterator<Item = &'a str>,
    ) -> Environment {
        let mut set = vec![
            (ENVIRONMENT.to_string(), environment.to_string()),
            (RUN.to_string(), run_folder.display().to_string()),
        ];
        for (name, value) in fields {
            let (Some(variable), Some(value)) = (variable_for_field(name), value) else {
                continue;
            };
            // Two names that read the same (`Git Commit`, `git-commit`): the first wins.
            if !set.iter().any(|(v, _)| *v == variable) {
                set.push((variable, value.clone()));
            }
        }
        let remove = inherited
            .into_iter()
            .filter(|name| {
                (name.starts_with(FIELD_PREFIX) || *name == ENVIRONMENT || *name == RUN)
                    && !set.iter().any(|(v, _)| v == name)
            })
            .map(str::to_string)
            .collect();
        Environment { set, remove }
    }

    /// What a check gets, in order: for `--dry-run` and the README.
    pub fn variables(&self) -> &[(String, String)] {
        &self.set
    }

    pub fn apply(&self, command: &mut Command) {
        for name in &self.remove {
            command.env_remove(name);
        }
        command.envs(self.set.iter().map(|(k, v)| (k, v)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_become_variable_names() {
        let v = |name: &str| variable_for_field(name);
        assert_eq!(v("Version").as_deref(), Some("DEPLOYCHECK_FIELD_VERSION"));
        assert_eq!(
            v("Git Commit").as_deref(),
            Some("DEPLOYCHECK_FIELD_GIT_COMMIT")
        );
        assert_eq!(
            v("  Deployed-By (name) ").as_deref(),
            Some("DEPLOYCHECK_FIELD_DEPLOYED_BY_NAME")
        );
        assert_eq!(v("Ticket #").as_deref(), Some("DEPLOYCHECK_FIELD_TICKET"));
        assert_eq!(v("版本"), None);
    }

    #[test]
    fn fields_without_a_value_are_unset_and_leftovers_removed() {
        let env = Environment::new(
            "production",
            Path::new("/r/runs/x"),
            &[
                ("Version".into(), Some("v1".into())),
                ("Git Commit".into(), None),
            ],
            [
                "PATH",
                "DEPLOYCHECK_FIELD_GIT_COMMIT",
                "DEPLOYCHECK_FIELD_VERSION",
                "DEPLOYCHECK_NOW",
            ],
        );
        assert_eq!(
            env.variables(),
            [
                (
                    "DEPLOYCHECK_ENVIRONMENT".to_string(),
                    "production".to_string()
                ),
                ("DEPLOYCHECK_RUN".to_string(), "/r/runs/x".to_string()),
                ("DEPLOYCHECK_FIELD_VERSION".to_string(), "v1".to_string()),
            ]
        );
        assert_eq!(env.remove, ["DEPLOYCHECK_FIELD_GIT_COMMIT"]);
    }
}
