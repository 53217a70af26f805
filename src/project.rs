//! The project around a command: the `checklists/` folder (found upward from the current
//! directory, like git finds `.git`), its optional `deploycheck.yaml`, checklist names and
//! environment names with their aliases.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::Error;
use crate::model::{Checklist, is_valid_slug};
use crate::source::{self, Loaded};
use crate::{input, yaml};

pub const CHECKLISTS_DIR: &str = "checklists";
pub const CONFIG_FILE: &str = "deploycheck.yaml";

/// `checklists/deploycheck.yaml`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectConfig {
    /// The checklist used when none is named: a name in `checklists/` or a path.
    #[serde(default)]
    pub default: Option<String>,
    /// Where run records go, relative to the project root (the folder holding `checklists/`).
    #[serde(default)]
    pub records: Option<String>,
    /// Known environments and their aliases: `production: [prod, prd]`.
    #[serde(default)]
    pub environments: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct Project {
    /// The folder that holds `checklists/`.
    pub root: PathBuf,
    pub checklists_dir: PathBuf,
    pub config: ProjectConfig,
}

impl Project {
    /// The nearest `checklists/` folder at or above `start`, with its config.
    pub fn discover(start: &Path) -> Result<Option<Project>, Error> {
        for dir in start.ancestors() {
            let candidate = dir.join(CHECKLISTS_DIR);
            if candidate.is_dir() {
                return Project::open(dir).map(Some);
            }
        }
        Ok(None)
    }

    pub fn open(root: &Path) -> Result<Project, Error> {
        let checklists_dir = root.join(CHECKLISTS_DIR);
        let config_path = checklists_dir.join(CONFIG_FILE);
        let config = if config_path.exists() {
            read_config(&config_path, &config_path.display().to_string())?
        } else {
            ProjectConfig::default()
        };
        Ok(Project {
            root: root.to_path_buf(),
            checklists_dir,
            config,
        })
    }

    /// Checklist files in `checklists/`, sorted by name; the config and READMEs are not checklists.
    pub fn checklist_files(&self) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(&self.checklists_dir) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .filter(|p| {
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                let lower = name.to_ascii_lowercase();
                let ext_ok =
                    lower.ends_with(".md") || lower.ends_with(".yaml") || lower.ends_with(".yml");
                ext_ok && lower != CONFIG_FILE && !lower.starts_with("readme.")
            })
            .collect();
        files.sort();
        files
    }

    /// The checklist's short name: its file name without the extension.
    pub fn name_of(path: &Path) -> String {
        path.file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("checklist")
            .to_string()
    }

    /// What `-c` takes to pick each of `files`: its short name where no other file has it
    /// and it does not read as a path (`notes.yaml.md`), else its path from the project's
    /// root, which `-c` reads from any folder in the project.
    pub fn names(&self, files: &[PathBuf]) -> Vec<String> {
        let stems: Vec<String> = files.iter().map(|p| Project::name_of(p)).collect();
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for stem in &stems {
            *counts.entry(stem.as_str()).or_default() += 1;
        }
        stems
            .iter()
            .zip(files)
            .map(|(stem, path)| {
                if counts[stem.as_str()] > 1 || looks_like_path(stem) {
                    self.shown(path)
                } else {
                    stem.clone()
                }
            })
            .collect()
    }

    /// `path` as messages name it: from the project's root when it is inside it.
    fn shown(&self, path: &Path) -> String {
        path.strip_prefix(&self.root)
            .unwrap_or(path)
            .display()
            .to_string()
    }

    /// Resolves `-c NAME|PATH`, the configured default, or the only checklist there is.
    pub fn resolve_checklist(&self, requested: Option<&str>) -> Result<PathBuf, Error> {
        match requested.or(self.config.default.as_deref()) {
            Some(name) => self.find_named(name),
            None => {
                let files = self.checklist_files();
                match files.as_slice() {
                    [] => Err(Error::NoChecklists {
                        dir: self.checklists_dir.clone(),
                    }),
                    [only] => Ok(only.clone()),
                    _ => Err(Error::AmbiguousChecklist {
                        dir: self.checklists_dir.clone(),
                        names: self.names(&files),
                    }),
                }
            }
        }
    }

    fn find_named(&self, name: &str) -> Result<PathBuf, Error> {
        if looks_like_path(name) {
            return Ok(PathBuf::from(name));
        }
        // The files `list` shows, matched as `names` names them, so the two cannot differ.
        let files = self.checklist_files();
        let found: Vec<&PathBuf> = files
            .iter()
            .filter(|path| Project::name_of(path) == name)
            .collect();
        match found.as_slice() {
            [one] => Ok((*one).clone()),
            // Which one a run uses must never depend on an order nobody sees.
            [first, second, ..] => Err(Error::Refused(format!(
                "`{name}` names more than one checklist ({} and {}); name one by its path, like `-c {}`, or rename the other",
                self.shown(first),
                self.shown(second),
                self.shown(second)
            ))),
            [] => Err(Error::ChecklistNotFound {
                name: name.to_string(),
                dir: self.checklists_dir.clone(),
                available: self.names(&files),
            }),
        }
    }

    /// A checklist path as given (`-c`, `default:`): from the current folder, or, where
    /// nothing is there, from the project's root, as `list` and messages name files.
    pub fn locate(&self, path: PathBuf, cwd: &Path) -> PathBuf {
        if path.is_absolute() {
            return path;
        }
        let here = cwd.join(&path);
        let from_root = self.root.join(&path);
        if !here.exists() && from_root.exists() {
            from_root
        } else {
            here
        }
    }

    /// Where run records are written.
    pub fn records_dir(&self) -> PathBuf {
        match &self.config.records {
            Some(dir) => self.root.join(dir),
            None => self.root.join("runs"),
        }
    }

    /// A one-line note naming where records go when `records:` sends them outside the
    /// project (the folder holding `checklists/`), or `None` when they stay inside. Records
    /// written elsewhere without a word surprise whoever commits the project; `list` prints
    /// this, and so should the first line of a run.
    pub fn records_outside_note(&self) -> Option<String> {
        let records = resolved(&self.records_dir());
        let root = resolved(&self.root);
        if records.starts_with(&root) {
            return None;
        }
        Some(format!(
            "note: run records go to {}, outside the project ({}); `records:` in {} says so",
            records.display(),
            root.display(),
            self.checklists_dir.join(CONFIG_FILE).display()
        ))
    }
}

/// `path` with `.` and `..` resolved, and symbolic links too as far as the path exists, so
/// that neither `runs/../../elsewhere` nor a `runs` link pointing away looks like it stays
/// inside.
fn resolved(path: &Path) -> PathBuf {
    let mut lexical = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                lexical.pop();
            }
            other => lexical.push(other),
        }
    }
    // The longest existing ancestor, with links resolved, plus the part not made yet.
    let mut existing = lexical.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            return rest.iter().rev().fold(real, |path, part| path.join(part));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return lexical,
        }
    }
}

/// A checklist argument is a path when it names a file rather than a checklist.
pub fn looks_like_path(name: &str) -> bool {
    name.contains('/')
        || name.contains(std::path::MAIN_SEPARATOR)
        || [".md", ".markdown", ".yaml", ".yml"]
            .iter()
            .any(|ext| name.to_ascii_lowercase().ends_with(ext))
}

/// Reads and checks a `deploycheck.yaml`; `shown` is how messages name it.
pub fn read_config(path: &Path, shown: &str) -> Result<ProjectConfig, Error> {
    let text = input::read_input_text(path, shown, input::SETTINGS).map_err(Error::Config)?;
    parse_config(&text, shown)
}

/// Checks the text of a `deploycheck.yaml`. Anchors and aliases are refused: a settings
/// file is a few lines, and an alias in it saves nothing.
pub fn parse_config(text: &str, shown: &str) -> Result<ProjectConfig, Error> {
    if text.trim().is_empty() {
        return Ok(ProjectConfig::default());
    }
    let config: ProjectConfig = yaml::from_str(text, shown).map_err(Error::Config)?;
    validate_config(&config, shown)?;
    Ok(config)
}

fn validate_config(config: &ProjectConfig, shown: &str) -> Result<(), Error> {
    let bad = |message: String| {
        Err(Error::Config(source::Diagnostic::error(
            shown, None, message,
        )))
    };
    let mut seen = BTreeMap::new();
    for (name, aliases) in &config.environments {
        for word in std::iter::once(name).chain(aliases) {
            if !is_valid_slug(word) || word.contains(['.', '_']) {
                return bad(format!(
                    "environment `{word}` is not a valid name: use lowercase letters, digits and `-`"
                ));
            }
            if let Some(other) = seen.insert(word.clone(), name.clone()) {
                return bad(format!("`{word}` names both `{other}` and `{name}`"));
            }
        }
    }
    if let Some(records) = &config.records
        && records.trim().is_empty()
    {
        return bad("`records` is empty; name a folder such as `runs`".into());
    }
    Ok(())
}

/// Environment names a command accepts for one checklist, and what aliases stand for.
#[derive(Debug, Clone, Default)]
pub struct Environments {
    /// Canonical names, sorted.
    pub known: Vec<String>,
    aliases: BTreeMap<String, String>,
}

impl Environments {
    pub fn new(config: Option<&ProjectConfig>, checklist: &Checklist) -> Self {
        let mut known = checklist.environments();
        let mut aliases = BTreeMap::new();
        if let Some(config) = config {
            for (name, names) in &config.environments {
                known.push(name.clone());
                for alias in names {
                    aliases.insert(alias.clone(), name.clone());
                }
            }
        }
        known.sort();
        known.dedup();
        Environments { known, aliases }
    }

    /// The canonical name for what the user typed, in any case (`Production`, `PROD`);
    /// errors say what is known.
    pub fn resolve(&self, requested: &str) -> Result<String, Error> {
        let typed = requested;
        let lower = requested.to_ascii_lowercase();
        let requested = lower.as_str();
        let valid = !requested.is_empty()
            && requested.len() <= 64
            && requested
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !requested.starts_with('-');
        if !valid {
            return Err(Error::InvalidEnvironment {
                name: typed.to_string(),
            });
        }
        // Settings may spell a name in capitals; what the user typed matches either way,
        // and the record keeps the name as the settings or the checklist spell it.
        let same = |name: &&String| name.eq_ignore_ascii_case(requested);
        if let Some((_, name)) = self.aliases.iter().find(|(alias, _)| same(alias)) {
            return Ok(name.clone());
        }
        if let Some(name) = self.known.iter().find(same) {
            return Ok(name.clone());
        }
        if self.known.is_empty() {
            return Ok(requested.to_string());
        }
        let candidates = self.known.iter().chain(self.aliases.keys());
        let suggestion = candidates
            .map(|c| (strsim::levenshtein(requested, c), c))
            .filter(|(d, c)| *d <= 2.max(c.len() / 3) || c.starts_with(requested))
            .min_by_key(|(d, _)| *d)
            .map(|(_, c)| self.aliases.get(c).unwrap_or(c).clone());
        Err(Error::UnknownEnvironment {
            name: typed.to_string(),
            suggestion,
            known: self.known.clone(),
        })
    }
}

/// Loads a checklist, naming it relative to the current directory where possible.
pub fn load_checklist(path: &Path, cwd: &Path) -> Result<Loaded, Error> {
    let shown = display_path(path, cwd);
    Ok(source::load(path, &shown)?)
}

pub fn display_path(path: &Path, cwd: &Path) -> String {
    path.strip_prefix(cwd).unwrap_or(path).display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envs() -> Environments {
        let mut config = ProjectConfig::default();
        config
            .environments
            .insert("production".into(), vec!["prod".into(), "prd".into()]);
        config
            .environments
            .insert("staging".into(), vec!["stage".into()]);
        Environments {
            known: vec!["production".into(), "staging".into()],
            aliases: config
                .environments
                .iter()
                .flat_map(|(n, a)| a.iter().map(move |a| (a.clone(), n.clone())))
                .collect(),
        }
    }

    #[test]
    fn aliases_resolve_to_their_environment() {
        assert_eq!(envs().resolve("prod").unwrap(), "production");
        assert_eq!(envs().resolve("staging").unwrap(), "staging");
    }

    #[test]
    fn unknown_environment_suggests_the_nearest() {
        let err = envs().resolve("prodution").unwrap_err().to_string();
        assert!(err.contains("did you mean `production`"), "{err}");
        let err = envs().resolve("Prodution").unwrap_err().to_string();
        assert!(err.contains("did you mean `production`"), "{err}");
    }

    #[test]
    fn environment_names_are_understood_in_any_case_and_kept_canonical() {
        assert_eq!(envs().resolve("Production").unwrap(), "production");
        assert_eq!(envs().resolve("PROD").unwrap(), "production");
        assert_eq!(envs().resolve("Staging").unwrap(), "staging");
        let mut capitals = envs();
        capitals.known.push("QA-East".into());
        assert_eq!(capitals.resolve("qa-east").unwrap(), "QA-East");
    }

    #[test]
    fn path_like_environment_names_are_invalid() {
        for bad in ["../../etc", "a/b", "", "-x", "prod uction"] {
            assert!(
                matches!(envs().resolve(bad), Err(Error::InvalidEnvironment { .. })),
                "{bad}"
            );
        }
    }

    fn project_with_records(records: Option<&str>) -> (tempfile::TempDir, Project) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("project");
        std::fs::create_dir_all(root.join(CHECKLISTS_DIR)).unwrap();
        let project = Project {
            checklists_dir: root.join(CHECKLISTS_DIR),
            root,
            config: ProjectConfig {
                records: records.map(str::to_string),
                ..ProjectConfig::default()
            },
        };
        (dir, project)
    }

    #[test]
    fn records_inside_the_project_need_no_note() {
        for records in [None, Some("runs"), Some("ops/runs"), Some("./a/../runs")] {
            let (_dir, project) = project_with_records(records);
            assert_eq!(project.records_outside_note(), None, "{records:?}");
        }
    }

    #[test]
    fn records_outside_the_project_are_named() {
        for records in [
            "../elsewhere",
            "runs/../../elsewhere",
            "/tmp/deploycheck-runs",
        ] {
            let (_dir, project) = project_with_records(Some(records));
            let note = project.records_outside_note().expect(records);
            assert!(note.starts_with("note: run records go to /"), "{note}");
            assert!(!note.contains(".."), "{note}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_records_link_pointing_away_is_outside() {
        let (dir, project) = project_with_records(Some("runs"));
        std::fs::create_dir(dir.path().join("away")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("away"), project.root.join("runs")).unwrap();
        assert!(project.records_outside_note().is_some());
    }
}
