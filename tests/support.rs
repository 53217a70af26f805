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

/// The durable points a run listed on stderr under `DEPLOYCHECK_CRASH_AT=list`, in order.
pub fn durable_points(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("deploycheck: durable point "))
        .map(|l| l.split_once(": ").unwrap().1.to_string())
        .collect()
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
    /// The exit code expected; `None` for a process ended by a signal.
    status: Option<i32>,
    stdout: Option<Expect>,
    stderr: Option<Expect>,
    /// Starts the binary (its path is added last), as [`Test::without_threads`] sets up.
    launcher: Vec<PathBuf>,
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
        Test::resume_in(tempfile::tempdir().expect("temp dir"))
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
            status: Some(0),
            stdout: None,
            stderr: None,
            launcher: Vec::new(),
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
        self.status = Some(code);
        self
    }

    /// Runs the binary as a process that can start no thread: as user `nobody`, allowed one
    /// process, from a copy in the project folder (which everyone may then use). `None`
    /// (and a line saying the test is skipped) where this test process cannot set that up:
    /// it is not root, or lacks `setpriv` or `prlimit` (util-linux).
    pub fn without_threads(mut self) -> Option<Self> {
        // SAFETY: geteuid has no preconditions and cannot fail.
        let root = unsafe { libc::geteuid() } == 0;
        let tool = |name: &str| {
            ["/usr/bin", "/bin", "/usr/sbin", "/sbin"]
                .iter()
                .map(|dir| Path::new(dir).join(name))
                .find(|path| path.exists())
        };
        let (Some(setpriv), Some(prlimit), true) = (tool("setpriv"), tool("prlimit"), root) else {
            eprintln!(
                "skipped: needs root, setpriv and prlimit to run as a process without threads"
            );
            return None;
        };
        let copy = self.dir.path().join(".bin/deploycheck");
        std::fs::create_dir_all(copy.parent().unwrap()).expect("mkdir");
        let built = Path::new(env!("CARGO_BIN_EXE_deploycheck"));
        // A copy, not a link: the build's own file keeps its mode.
        if !copy.exists() {
            std::fs::copy(built, &copy).expect("copy the binary");
        }
        open_to_everyone(self.dir.path());
        // As `nobody`, allowed one process: the user has no other, so no thread can start.
        let limited: Vec<PathBuf> = [
            setpriv.to_str().unwrap(),
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            prlimit.to_str().unwrap(),
            "--nproc=1",
            "--",
        ]
        .map(PathBuf::from)
        .to_vec();
        // The limit must bite, or the tests that use it prove nothing: a shell so limited
        // cannot start the command it is given.
        let probe = std::process::Command::new(&limited[0])
            .args(&limited[1..])
            .args(["sh", "-c", "/bin/true"])
            .stderr(std::process::Stdio::null())
            .status()
            .expect("setpriv runs");
        assert!(
            !probe.success(),
            "a process limited to one could start another: the limit does not hold here"
        );
        self.launcher = limited;
        self.launcher.push(copy);
        Some(self)
    }

    /// Expects the process to end by a signal (a crash the fault hook makes), not exit.
    pub fn ends_by_a_signal(mut self) -> Self {
        self.status = None;
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
        if !self.launcher.is_empty() {
            // What an earlier command wrote, the next one (as `nobody`) must be able to use.
            open_to_everyone(self.dir.path());
        }
        let mut command = binary(&self.cwd, self.dir.path(), &self.launcher);
        command.args(&self.args);
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
            self.status,
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

/// The binary as every test runs it: in `cwd`, as user `tester` with `home` for a home,
/// on the test clock (runs in tests never read the wall clock).
fn binary(cwd: &Path, home: &Path, launcher: &[PathBuf]) -> assert_cmd::Command {
    let mut command = match launcher.split_first() {
        Some((program, args)) => {
            let mut command = assert_cmd::Command::new(program);
            command.args(args);
            command
        }
        None => assert_cmd::Command::new(env!("CARGO_BIN_EXE_deploycheck")),
    };
    command
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .env_remove("DEPLOYCHECK_OPERATOR")
        .env("USER", "tester")
        .env("HOME", home)
        .env("DEPLOYCHECK_NOW", "2026-11-23T22:00:00+00:00");
    command
}

/// The binary in a folder an earlier step left, its input empty, for the commands between
/// the steps of a test that checks their output itself.
pub fn deploycheck_in(dir: &Path, args: &[&str]) -> std::process::Output {
    binary(dir, dir, &[])
        .args(args)
        .write_stdin(Vec::new())
        .output()
        .expect("binary runs")
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

/// The real binary in a real terminal: a private tmux server with one window of a fixed
/// size, driven by keys and read back as the screen a person would see. Tests that need it
/// skip, with a note on stderr, where tmux is not installed (`.ci/run` installs it).
pub struct Tmux {
    socket: String,
}

impl Tmux {
    pub fn available() -> bool {
        let found = std::process::Command::new("tmux")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success());
        if !found {
            eprintln!("tmux is not installed: skipping a terminal test");
        }
        found
    }

    /// Starts `deploycheck ARGS` in `dir` at `columns` x `rows`, with `env` and the test
    /// defaults of [`Test::run`] (pinned clock, no colour settings from outside).
    pub fn start(dir: &Path, size: (u16, u16), env: &[(&str, &str)], args: &[&str]) -> Tmux {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let socket = format!(
            "deploycheck-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        );
        let mut command = vec![
            "env".to_string(),
            "-u".into(),
            "NO_COLOR".into(),
            "-u".into(),
            "DEPLOYCHECK_OPERATOR".into(),
            "USER=tester".into(),
            format!("HOME={}", dir.display()),
            "DEPLOYCHECK_NOW=2026-11-23T22:00:00+00:00".into(),
        ];
        command.extend(env.iter().map(|(k, v)| format!("{k}={v}")));
        command.push(env!("CARGO_BIN_EXE_deploycheck").into());
        command.extend(args.iter().map(|a| a.to_string()));
        // The window stays after the program exits, so its last screen can be read.
        let status = std::process::Command::new("tmux")
            .args(["-L", &socket, "-f", "/dev/null", "new-session", "-d"])
            .args(["-x", &size.0.to_string(), "-y", &size.1.to_string()])
            .arg("-c")
            .arg(dir)
            .arg(shell_words(&command))
            .env("TERM", "xterm-256color")
            .status()
            .expect("tmux starts");
        assert!(status.success(), "tmux new-session failed");
        let tmux = Tmux { socket };
        tmux.tmux(&["set-option", "-g", "remain-on-exit", "on"]);
        tmux
    }

    fn tmux(&self, args: &[&str]) -> String {
        let output = std::process::Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Sends tmux key names (`Up`, `Enter`, `C-c`); the word after `-l` is typed as text.
    pub fn keys(&self, keys: &[&str]) {
        let mut keys = keys.iter();
        while let Some(&key) = keys.next() {
            match key {
                "-l" => {
                    let text = keys.next().expect("text after -l");
                    self.tmux(&["send-keys", "-t", "0", "-l", text]);
                }
                key => {
                    self.tmux(&["send-keys", "-t", "0", key]);
                }
            }
        }
    }

    /// The visible screen, trailing blanks trimmed. Lines the terminal wrapped are joined
    /// again (`-J`), so a line too long for the window shows as one long line.
    pub fn screen(&self) -> String {
        let screen = self.tmux(&["capture-pane", "-p", "-J", "-t", "0"]);
        let lines: Vec<&str> = screen.lines().map(str::trim_end).collect();
        lines.join("\n").trim_end().to_string()
    }

    /// Waits until the screen shows `needle` (at most 20 s, polled; the time is a guard
    /// against a hang, never part of what is tested) and returns the screen.
    pub fn wait_for(&self, needle: &str) -> String {
        for _ in 0..400 {
            let screen = self.screen();
            if screen.contains(needle) {
                return screen;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("the screen never showed {needle:?}:\n{}", self.screen());
    }
}

impl Tmux {
    /// Sends `keys`, then waits until the screen has changed and settled on an empty
    /// prompt line (`>`), or the program has ended; returns that screen.
    pub fn answer(&self, keys: &[&str]) -> String {
        let before = self.screen();
        self.keys(keys);
        let mut last = String::new();
        for _ in 0..400 {
            std::thread::sleep(std::time::Duration::from_millis(25));
            let screen = self.screen();
            let settled = screen == last && screen != before;
            let waiting =
                screen.lines().last().is_some_and(|l| l.trim_end() == ">") || self.exited();
            if settled && waiting {
                return screen;
            }
            last = screen;
        }
        panic!("no new prompt after {keys:?}:\n{}", self.screen());
    }

    /// Whether the program in the window has exited.
    pub fn exited(&self) -> bool {
        self.tmux(&["display-message", "-p", "-t", "0", "#{pane_dead}"])
            .trim()
            == "1"
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.tmux(&["kill-server"]);
    }
}

/// One shell command line from words, each single-quoted.
fn shell_words(words: &[String]) -> String {
    words
        .iter()
        .map(|w| format!("'{}'", w.replace('\'', r"'\''")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The real binary on piped stdin that a test feeds and watches line by line, and can
/// signal or kill between two prompts.
pub struct Running {
    pub child: std::process::Child,
    output: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
    pub stdin: std::process::ChildStdin,
}

impl Running {
    /// `deploycheck ARGS` in `dir` on the pinned clock, stdout collected as it comes.
    pub fn start(dir: &Path, args: &[&str]) -> Running {
        use std::io::Read;
        use std::process::{Command, Stdio};
        let mut child = Command::new(env!("CARGO_BIN_EXE_deploycheck"))
            .args(args)
            .current_dir(dir)
            .env("DEPLOYCHECK_NOW", "2026-11-23T22:00:00+00:00")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("binary starts");
        let output = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut stdout = child.stdout.take().unwrap();
        let sink = std::sync::Arc::clone(&output);
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buffer[..n]);
            }
        });
        let stdin = child.stdin.take().unwrap();
        Running {
            child,
            output,
            stdin,
        }
    }

    pub fn type_line(&mut self, line: &str) {
        use std::io::Write;
        writeln!(self.stdin, "{line}").unwrap();
        self.stdin.flush().unwrap();
    }

    /// Everything printed so far.
    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.output.lock().unwrap()).into_owned()
    }

    /// Waits (at most 20 s, a guard against a hang) until the output shows `text`.
    pub fn wait_for(&self, text: &str) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while !self.screen().contains(text) {
            assert!(
                std::time::Instant::now() < deadline,
                "{text:?} never came:\n{}",
                self.screen()
            );
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
    }

    /// Prompts shown so far: in piped mode each one starts a line with `[`.
    pub fn prompts(&self) -> usize {
        self.screen().lines().filter(|l| l.starts_with('[')).count()
    }

    pub fn wait_for_prompts(&self, n: usize) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while self.prompts() < n {
            assert!(
                std::time::Instant::now() < deadline,
                "prompt {n} never came"
            );
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
    }

    /// Sends `signal` (`-INT`, `-KILL`) with kill(1).
    pub fn signal(&self, signal: &str) {
        let pid = self.child.id().to_string();
        assert!(
            std::process::Command::new("kill")
                .args([signal, &pid])
                .status()
                .unwrap()
                .success()
        );
    }
}

/// Every file and folder under `dir`, `dir` included, readable and writable by everyone.
fn open_to_everyone(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        let meta = std::fs::symlink_metadata(&path).expect("stat");
        if meta.is_symlink() {
            continue;
        }
        let runnable = meta.is_dir() || meta.permissions().mode() & 0o100 != 0;
        let mode = if runnable { 0o777 } else { 0o666 };
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("chmod");
        if meta.is_dir() {
            stack.extend(
                std::fs::read_dir(&path)
                    .expect("list")
                    .map(|e| e.expect("entry").path()),
            );
        }
    }
}
