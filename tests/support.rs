//! The `Test` builder: one integration test states its files, arguments and stdin, and the
//! exit code, stdout and stderr it expects; `run` executes the real binary in a temp dir.

use std::path::{Path, PathBuf};

use tempfile::TempDir;

pub fn fixture_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(relative)
}

/// The run folders under `DIR/runs/`, oldest first.
pub fn run_folders(dir: &Path) -> Vec<PathBuf> {
    let mut folders: Vec<PathBuf> = std::fs::read_dir(dir.join("runs"))
        .map(|entries| {
            entries
                .map(|e| e.unwrap().path())
                .filter(|p| p.is_dir() && !p.ends_with(".locks"))
                .collect()
        })
        .unwrap_or_default();
    folders.sort();
    folders
}

pub fn fixture_bytes(relative: &str) -> Vec<u8> {
    std::fs::read(fixture_path(relative)).unwrap_or_else(|e| panic!("fixture {relative}: {e}"))
}

enum Expect {
    Exact(String),
    Contains(Vec<String>),
}

pub struct Test {
    dir: TempDir,
    cwd: PathBuf,
    args: Vec<String>,
    stdin: Vec<u8>,
    env: Vec<(String, String)>,
    status: i32,
    stdout: Option<Expect>,
    stderr: Option<Expect>,
}

pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub dir: TempDir,
}

impl Output {
    /// The run records written into `runs/<run>/record.yaml`, oldest first, named by
    /// their run folder.
    pub fn records(&self) -> Vec<(String, deploycheck::model::Record)> {
        let runs = self.dir.path().join("runs");
        let mut names: Vec<String> = std::fs::read_dir(&runs)
            .map(|entries| {
                entries
                    .map(|e| e.unwrap().file_name().into_string().unwrap())
                    .filter(|name| runs.join(name).join("record.yaml").is_file())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
            .into_iter()
            .map(|name| {
                let text = std::fs::read_to_string(runs.join(&name).join("record.yaml")).unwrap();
                let record = deploycheck::yaml::from_str(&text, &name)
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
                (name, record)
            })
            .collect()
    }

    /// The run folders under `runs/`, oldest first.
    pub fn run_folders(&self) -> Vec<std::path::PathBuf> {
        run_folders(self.dir.path())
    }

    pub fn only_record(&self) -> deploycheck::model::Record {
        let mut records = self.records();
        assert_eq!(
            records.len(),
            1,
            "expected one record, found {:?}",
            records.iter().map(|r| &r.0).collect::<Vec<_>>()
        );
        records.remove(0).1
    }
}

impl Test {
    /// An empty project folder.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        Test {
            cwd: dir.path().to_path_buf(),
            dir,
            args: Vec::new(),
            stdin: Vec::new(),
            env: Vec::new(),
            status: 0,
            stdout: None,
            stderr: None,
        }
    }

    /// A project holding the seed checklists and the shipped settings.
    pub fn with_seeds() -> Self {
        Test::new()
            .fixture("seeds/mail-score.md", "checklists/mail-score.md")
            .fixture("seeds/enterprise-mis-encoded.md", "checklists/enterprise.md")
            .write(
                "checklists/deploycheck.yaml",
                "default: mail-score\nenvironments:\n  production: [prod]\n  staging: [stage]\n  development: [dev]\n",
            )
    }

    /// Another command in the folder an earlier one left behind.
    pub fn resume_in(dir: TempDir) -> Self {
        Test {
            cwd: dir.path().to_path_buf(),
            dir,
            args: Vec::new(),
            stdin: Vec::new(),
            env: Vec::new(),
            status: 0,
            stdout: None,
            stderr: None,
        }
    }

    pub fn into_dir(self) -> TempDir {
        self.dir
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(self, relative: &str, contents: impl AsRef<[u8]>) -> Self {
        let path = self.dir.path().join(relative);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, contents).expect("write");
        self
    }

    pub fn fixture(self, fixture: &str, relative: &str) -> Self {
        let bytes = fixture_bytes(fixture);
        self.write(relative, bytes)
    }

    pub fn current_dir(mut self, relative: &str) -> Self {
        self.cwd = self.dir.path().join(relative);
        std::fs::create_dir_all(&self.cwd).expect("mkdir");
        self
    }

    pub fn args(mut self, args: &[&str]) -> Self {
        self.args.extend(args.iter().map(|a| a.to_string()));
        self
    }

    pub fn stdin(mut self, input: &str) -> Self {
        self.stdin = input.as_bytes().to_vec();
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    pub fn status(mut self, code: i32) -> Self {
        self.status = code;
        self
    }

    pub fn stdout(mut self, exact: &str) -> Self {
        self.stdout = Some(Expect::Exact(exact.into()));
        self
    }

    pub fn stdout_contains(mut self, needle: &str) -> Self {
        match &mut self.stdout {
            Some(Expect::Contains(all)) => all.push(needle.into()),
            _ => self.stdout = Some(Expect::Contains(vec![needle.into()])),
        }
        self
    }

    pub fn stderr(mut self, exact: &str) -> Self {
        self.stderr = Some(Expect::Exact(exact.into()));
        self
    }

    pub fn stderr_contains(mut self, needle: &str) -> Self {
        match &mut self.stderr {
            Some(Expect::Contains(all)) => all.push(needle.into()),
            _ => self.stderr = Some(Expect::Contains(vec![needle.into()])),
        }
        self
    }

    pub fn run(self) -> Output {
        let mut command = assert_cmd::Command::new(env!("CARGO_BIN_EXE_deploycheck"));
        command
            .args(&self.args)
            .current_dir(&self.cwd)
            .env_remove("NO_COLOR")
            .env_remove("DEPLOYCHECK_OPERATOR")
            .env("USER", "tester")
            .env("HOME", self.dir.path());
        // Runs in tests never read the wall clock.
        command.env("DEPLOYCHECK_NOW", "2026-11-23T22:00:00+00:00");
        for (key, value) in &self.env {
            command.env(key, value);
        }
        command.write_stdin(self.stdin.clone());
        let output = command.output().expect("binary runs");
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        let context = format!(
            "deploycheck {}\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
            self.args.join(" ")
        );
        assert_eq!(
            output.status.code(),
            Some(self.status),
            "unexpected exit code\n{context}"
        );
        check("stdout", &stdout, self.stdout.as_ref(), &context);
        check("stderr", &stderr, self.stderr.as_ref(), &context);
        assert!(
            !stderr.contains("panicked"),
            "the binary panicked\n{context}"
        );
        Output {
            stdout,
            stderr,
            dir: self.dir,
        }
    }
}

fn check(stream: &str, actual: &str, expected: Option<&Expect>, context: &str) {
    match expected {
        None => {}
        Some(Expect::Exact(exact)) => {
            assert_eq!(actual, exact, "{stream} differs\n{context}");
        }
        Some(Expect::Contains(needles)) => {
            for needle in needles {
                assert!(
                    actual.contains(needle.as_str()),
                    "{stream} lacks {needle:?}\n{context}"
                );
            }
        }
    }
}

/// Every item in a `show --format json` tree, children included.
pub fn json_items(tree: &serde_json::Value) -> Vec<&serde_json::Value> {
    let mut stack: Vec<&serde_json::Value> = tree["phases"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|p| p["sections"].as_array().into_iter().flatten())
        .flat_map(|s| s["items"].as_array().into_iter().flatten())
        .collect();
    let mut items = Vec::new();
    while let Some(item) = stack.pop() {
        items.push(item);
        stack.extend(item["children"].as_array().into_iter().flatten());
    }
    items
}

/// Counts every item in a `show --format json` tree.
pub fn count_items(tree: &serde_json::Value) -> usize {
    json_items(tree).len()
}
