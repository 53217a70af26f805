//! Executing an item's check: the one place deploycheck runs a command a checklist names.
//!
//! Only the walk calls [`execute`], and only when a person asked (`r` at the item, or
//! `--run-checks`); `show`, `validate`, `sheet`, `report`, `diff` and `verify` never reach
//! this module. The command runs as `sh -c COMMAND` in the folder that holds
//! `checklists/`, with stdin closed, in a process group of its own, so that a time-out or
//! Ctrl-C stops the command and everything it started, and nothing it started outlives
//! it: when the shell exits, what is left of its group is killed too. Values reach it only
//! as environment variables ([`Environment`]), never spliced into its text.
//!
//! Output is streamed as it arrives (stdout and stderr interleaved, cleaned of control
//! characters) and kept bounded: the last [`OUTPUT_KEPT_BYTES`] and a count of the rest
//! ([`capture`]). A command that prints forever costs memory only for that tail. The two
//! streams stay two pipes, because a measured item reads its value from stdout alone; so
//! two writes to different streams within the same instant may be kept in either order.

mod capture;
mod environment;
mod interrupt;

use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub(crate) use environment::{Environment, variable_for_field};
pub(crate) use interrupt::Interrupt;

use crate::model::{CheckEnd, OUTPUT_KEPT_BYTES};
use capture::{Capture, Stream, Utf8Stream};

/// How long a stopped check has to end after the polite signal before it is killed.
const GRACE: Duration = Duration::from_secs(1);

/// How long to wait for the pipes to close after the shell exited and its group was
/// killed: only a process that left the group (`setsid`) can still hold them.
const DRAIN: Duration = Duration::from_millis(500);

/// How often the loop looks at the clock and the interrupt flag when nothing arrives.
const TICK: Duration = Duration::from_millis(50);

/// What to run.
pub(crate) struct Spec<'a> {
    pub command: &'a str,
    pub timeout: Duration,
    pub dir: &'a Path,
    pub environment: &'a Environment,
}

/// One execution, finished.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Execution {
    pub ended: CheckEnd,
    /// The shell's exit status, when it exited by itself.
    pub exit_code: Option<i32>,
    pub duration: Duration,
    /// The last bytes of output, cleaned; see [`capture`].
    pub output: String,
    pub truncated: bool,
    pub total_bytes: u64,
    /// The last line on stdout that is not blank: a measured value.
    pub last_stdout_line: Option<String>,
}

impl Execution {
    pub fn duration_ms(&self) -> u64 {
        u64::try_from(self.duration.as_millis()).unwrap_or(u64::MAX)
    }
}

enum Message {
    Output(Stream, Vec<u8>),
    Closed,
    Exited(std::process::ExitStatus),
}

/// Runs the check, streaming its cleaned output to `live` as it arrives, until it exits,
/// its time-out passes, or `interrupt` is raised (Ctrl-C).
pub(crate) fn execute(
    spec: &Spec<'_>,
    interrupt: &Interrupt,
    live: &mut dyn FnMut(&str),
) -> Execution {
    let started = Instant::now();
    let not_started = |output: String, live: &mut dyn FnMut(&str)| {
        live(&format!("{output}\n"));
        Execution {
            ended: CheckEnd::NotStarted,
            exit_code: None,
            duration: started.elapsed(),
            total_bytes: 0,
            truncated: false,
            output,
            last_stdout_line: None,
        }
    };
    // The threads that watch the command (one waits for its exit, one reads each pipe) are
    // started before it, so that a process that can have no more threads runs no command
    // it could not watch; each is handed its part once the command runs (the readers in
    // the order of `Stream`: stdout, then stderr).
    let (sender, receiver) = mpsc::channel();
    let (hand_child, child_handed) = mpsc::channel::<std::process::Child>();
    let exits = sender.clone();
    let waiter = std::thread::Builder::new().spawn(move || {
        if let Ok(mut child) = child_handed.recv()
            && let Ok(status) = child.wait()
        {
            let _ = exits.send(Message::Exited(status));
        }
    });
    if let Err(error) = waiter {
        return not_started(
            format!("could not start a thread to watch the check: {error}"),
            live,
        );
    }
    let mut hand_pipes = Vec::with_capacity(2);
    for stream in [Stream::Stdout, Stream::Stderr] {
        let (hand_pipe, pipe_handed) = mpsc::channel::<Box<dyn Read + Send>>();
        let sender = sender.clone();
        let reader = std::thread::Builder::new().spawn(move || {
            let Ok(mut pipe) = pipe_handed.recv() else {
                return;
            };
            let mut buffer = vec![0u8; 16 * 1024];
            loop {
                match pipe.read(&mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if sender
                            .send(Message::Output(stream, buffer[..n].to_vec()))
                            .is_err()
                        {
                            return;
                        }
                    }
                }
            }
            let _ = sender.send(Message::Closed);
        });
        // Returning drops the senders handed out so far: the threads started end at once.
        if let Err(error) = reader {
            return not_started(
                format!("could not start a thread to read the check's output: {error}"),
                live,
            );
        }
        hand_pipes.push(hand_pipe);
    }
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(spec.command)
        .current_dir(spec.dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Its own group: the terminal's Ctrl-C reaches deploycheck, which stops the whole
        // group, and a kill of the group reaches everything the command started.
        .process_group(0);
    spec.environment.apply(&mut command);
    die_with_parent(&mut command);
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(error) => {
            return not_started(
                format!("could not start `sh` in {}: {error}", spec.dir.display()),
                live,
            );
        }
    };
    let group = i32::try_from(child.id()).expect("process IDs fit in an i32");
    interrupt.running(group);
    let pipes = [
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    ];
    let mut open_pipes = 0;
    for (hand_pipe, pipe) in hand_pipes.into_iter().zip(pipes) {
        if let Some(pipe) = pipe
            && hand_pipe.send(pipe).is_ok()
        {
            open_pipes += 1;
        }
    }
    let _ = hand_child.send(child);
    drop(sender);

    let deadline = started + spec.timeout;
    let mut capture = Capture::new(OUTPUT_KEPT_BYTES);
    let mut decoders = [Utf8Stream::default(), Utf8Stream::default()];
    let mut exited: Option<(std::process::ExitStatus, Instant)> = None;
    let mut stopping: Option<(CheckEnd, Instant)> = None;
    let mut killed = false;
    loop {
        let now = Instant::now();
        if let Some((_, at)) = exited
            && (open_pipes == 0 || now >= at + DRAIN)
        {
            break;
        }
        let wake = [
            Some(deadline),
            stopping.map(|(_, at)| at + GRACE),
            exited.map(|(_, at)| at + DRAIN),
        ]
        .into_iter()
        .flatten()
        .filter(|t| *t > now)
        .min()
        .map_or(TICK, |t| (t - now).min(TICK));
        match receiver.recv_timeout(wake) {
            Ok(Message::Output(stream, bytes)) => {
                capture.push(stream, &bytes);
                let text = decoders[stream as usize].decode(&bytes);
                if !text.is_empty() {
                    live(&crate::text::clean_output(&text));
                }
            }
            Ok(Message::Closed) => open_pipes -= 1,
            Ok(Message::Exited(status)) => {
                exited = Some((status, Instant::now()));
                // Nothing the command started outlives it.
                signal_group(group, libc::SIGKILL);
                killed = true;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
        if exited.is_some() {
            continue;
        }
        let now = Instant::now();
        match stopping {
            None if interrupt.requested() => {
                signal_group(group, libc::SIGINT);
                stopping = Some((CheckEnd::Interrupted, now));
            }
            None if now >= deadline => {
                signal_group(group, libc::SIGTERM);
                stopping = Some((CheckEnd::TimedOut, now));
            }
            Some((_, at)) if !killed && now >= at + GRACE => {
                signal_group(group, libc::SIGKILL);
                killed = true;
            }
            _ => {}
        }
    }
    interrupt.finished();
    for decoder in &mut decoders {
        let rest = decoder.finish();
        if !rest.is_empty() {
            live(&crate::text::clean_output(&rest));
        }
    }
    let (status, ended_at) = match exited {
        Some(exited) => exited,
        None => {
            // The waiter is gone without a status: treat the check as killed.
            let at = Instant::now();
            return finish(capture, CheckEnd::Killed, None, at - started);
        }
    };
    let duration = ended_at - started;
    let (ended, code) = match (stopping, status.code(), status.signal()) {
        (Some((why, _)), _, _) => (why, None),
        (None, Some(code), _) => (CheckEnd::Exited, Some(code)),
        (None, None, _) => (CheckEnd::Killed, None),
    };
    finish(capture, ended, code, duration)
}

fn finish(
    capture: Capture,
    ended: CheckEnd,
    exit_code: Option<i32>,
    duration: Duration,
) -> Execution {
    let kept = capture.finish();
    Execution {
        ended,
        exit_code,
        duration,
        output: kept.output,
        truncated: kept.truncated,
        total_bytes: kept.total_bytes,
        last_stdout_line: kept.last_stdout_line,
    }
}

/// Sends `signal` to every process in the check's group; one already gone is no error.
pub(crate) fn signal_group(group: i32, signal: i32) {
    // SAFETY: kill(2) with a negative pid signals a process group; it has no memory effects.
    unsafe {
        libc::kill(-group, signal);
    }
}

/// On Linux the shell is killed when deploycheck dies (even by SIGKILL), so a crash does
/// not leave the check's shell running unwatched. What the shell started in turn is not
/// covered; the group kill on every normal path is.
#[cfg(target_os = "linux")]
fn die_with_parent(command: &mut Command) {
    let parent = std::process::id();
    // SAFETY: only async-signal-safe calls (prctl, getppid, _exit) between fork and exec.
    unsafe {
        command.pre_exec(move || {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            if libc::getppid() as u32 != parent {
                libc::_exit(1);
            }
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn die_with_parent(_: &mut Command) {}

#[cfg(test)]
mod tests;
