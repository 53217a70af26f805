use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::*;

fn run_in(
    dir: &Path,
    command: &str,
    timeout: Duration,
    environment: &Environment,
) -> (Execution, String) {
    let mut live = String::new();
    let execution = execute(
        &Spec {
            command,
            timeout,
            dir,
            environment,
        },
        &Interrupt::default(),
        &mut |text| live.push_str(text),
    );
    (execution, live)
}

fn run(command: &str) -> (Execution, String) {
    let dir = tempfile::tempdir().unwrap();
    run_in(
        dir.path(),
        command,
        Duration::from_secs(20),
        &Environment::default(),
    )
}

/// Whether the process is gone (or a zombie nobody has reaped yet: it no longer runs).
fn gone(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
    }
}

fn wait_gone(pid: u32) -> bool {
    for _ in 0..100 {
        if gone(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

fn read_pid(path: &PathBuf) -> u32 {
    for _ in 0..100 {
        if let Ok(text) = std::fs::read_to_string(path)
            && let Ok(pid) = text.trim().parse()
        {
            return pid;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("no pid in {}", path.display());
}

#[test]
fn a_passing_check_exits_zero_and_streams_its_output() {
    let (execution, live) = run("echo checking; echo ok");
    assert_eq!(execution.ended, CheckEnd::Exited);
    assert_eq!(execution.exit_code, Some(0));
    assert_eq!(execution.output, "checking\nok\n");
    assert_eq!(live, "checking\nok\n");
    assert_eq!(execution.last_stdout_line.as_deref(), Some("ok"));
    assert!(!execution.truncated);
}

#[test]
fn a_failing_check_keeps_its_exit_code_and_stderr() {
    let (execution, _) = run("echo 'connection refused' >&2; exit 3");
    assert_eq!(
        (execution.ended, execution.exit_code),
        (CheckEnd::Exited, Some(3))
    );
    assert_eq!(execution.output, "connection refused\n");
    assert_eq!(execution.last_stdout_line, None);
}

#[test]
fn it_runs_in_the_given_folder_with_stdin_closed() {
    let dir = tempfile::tempdir().unwrap();
    let (execution, _) = run_in(
        dir.path(),
        "pwd; cat; echo end",
        Duration::from_secs(20),
        &Environment::default(),
    );
    let expected = format!("{}\nend\n", dir.path().canonicalize().unwrap().display());
    assert_eq!(execution.output, expected);
}

#[test]
fn a_time_out_stops_the_command_and_everything_it_started() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("pid");
    let started = std::time::Instant::now();
    let (execution, _) = run_in(
        dir.path(),
        "sleep 100 & echo $! > pid; sleep 100",
        Duration::from_secs(1),
        &Environment::default(),
    );
    let took = started.elapsed();
    assert_eq!(execution.ended, CheckEnd::TimedOut);
    assert_eq!(execution.exit_code, None);
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_secs(5),
        "{took:?}"
    );
    assert!(
        wait_gone(read_pid(&pid_file)),
        "the background sleep survived"
    );
}

#[test]
fn a_check_that_ignores_the_polite_signal_is_killed() {
    let started = std::time::Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let (execution, _) = run_in(
        dir.path(),
        "trap '' TERM INT; sleep 100",
        Duration::from_secs(1),
        &Environment::default(),
    );
    assert_eq!(execution.ended, CheckEnd::TimedOut);
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn nothing_a_check_started_outlives_it() {
    let dir = tempfile::tempdir().unwrap();
    let (execution, _) = run_in(
        dir.path(),
        "sleep 100 > /dev/null 2>&1 & echo $! > pid; echo started",
        Duration::from_secs(20),
        &Environment::default(),
    );
    assert_eq!(execution.exit_code, Some(0));
    assert!(wait_gone(read_pid(&dir.path().join("pid"))));
}

#[test]
fn a_background_process_holding_the_pipe_does_not_hold_the_check() {
    let started = std::time::Instant::now();
    let (execution, _) = run("sleep 100 & echo done");
    assert_eq!(execution.exit_code, Some(0));
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn an_interrupt_stops_the_check_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let interrupt = Arc::new(Interrupt::default());
    let pressing = Arc::clone(&interrupt);
    let presser = std::thread::spawn(move || {
        for _ in 0..200 {
            std::thread::sleep(Duration::from_millis(20));
            if pressing.claim() {
                return true;
            }
        }
        false
    });
    let environment = Environment::default();
    let execution = execute(
        &Spec {
            command: "echo waiting; sleep 100",
            timeout: Duration::from_secs(60),
            dir: dir.path(),
            environment: &environment,
        },
        &interrupt,
        &mut |_| {},
    );
    assert!(presser.join().unwrap());
    assert_eq!(execution.ended, CheckEnd::Interrupted);
    assert_eq!(execution.exit_code, None);
    assert!(execution.duration < Duration::from_secs(10));
    assert!(!interrupt.requested(), "the next check starts clean");
}

#[test]
fn ten_megabytes_of_output_keep_the_last_eight_kibibytes() {
    let (execution, live) = run("head -c 10485760 /dev/zero | tr '\\0' x; echo; echo tail");
    assert_eq!(execution.exit_code, Some(0));
    assert_eq!(execution.total_bytes, 10_485_760 + 6);
    assert!(execution.truncated);
    assert_eq!(execution.output.len(), 8192);
    assert!(execution.output.ends_with("xxx\ntail\n"));
    assert_eq!(live.len(), 10_485_760 + 6);
}

#[test]
fn binary_output_is_kept_as_valid_text_without_control_characters() {
    let (execution, _) = run("head -c 20000 /dev/urandom");
    assert_eq!(execution.exit_code, Some(0));
    assert_eq!(execution.total_bytes, 20000);
    assert!(
        !execution
            .output
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
    );
}

#[test]
fn values_reach_the_command_only_as_inert_environment_variables() {
    let dir = tempfile::tempdir().unwrap();
    let environment = Environment::new(
        "production",
        Path::new("/runs/x"),
        &[
            ("Version".into(), Some("$(touch pwned)".into())),
            ("Git Commit".into(), Some("'; rm -rf x; echo '".into())),
        ],
        [],
    );
    std::fs::create_dir(dir.path().join("x")).unwrap();
    let (execution, _) = run_in(
        dir.path(),
        "printf '%s|%s|%s|%s\\n' \"$DEPLOYCHECK_ENVIRONMENT\" \"$DEPLOYCHECK_RUN\" \"$DEPLOYCHECK_FIELD_VERSION\" \"$DEPLOYCHECK_FIELD_GIT_COMMIT\"",
        Duration::from_secs(20),
        &environment,
    );
    assert_eq!(
        execution.output,
        "production|/runs/x|$(touch pwned)|'; rm -rf x; echo '\n"
    );
    assert!(!dir.path().join("pwned").exists());
    assert!(dir.path().join("x").is_dir());
}

#[test]
fn a_shell_that_cannot_start_is_reported_not_panicked() {
    let environment = Environment::default();
    let mut live = String::new();
    let execution = execute(
        &Spec {
            command: "true",
            timeout: Duration::from_secs(5),
            dir: Path::new("/no/such/folder/here"),
            environment: &environment,
        },
        &Interrupt::default(),
        &mut |text| live.push_str(text),
    );
    assert_eq!(execution.ended, CheckEnd::NotStarted);
    assert!(
        execution.output.contains("could not start"),
        "{}",
        execution.output
    );
}
