//! Checks benchmark: `cargo bench --bench checks`.
//!
//! Budget: starting a check costs under 5 ms beyond the command's own run time. Measured
//! as whole commands, the way an operator meets it: a run of N items whose checks are all
//! `true` (`--run-checks`: each check is journaled and made durable before it starts,
//! run with `sh -c` in its own process group, journaled again when it ends, and its
//! passing answer recorded) against the same run with every item answered by the
//! answers file (nothing runs), less N bare `sh -c true` spawned and waited for here.
//! Prints the figures; asserts nothing (see benches/parse.rs).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ITEMS: usize = 100;
const TRIALS: usize = 7;

fn main() {
    println!("deploycheck checks benchmark\n");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path();
    std::fs::create_dir_all(path.join("checklists")).unwrap();
    let mut checklist = String::from("# Bench\n\n## Phase\n\n### Section\n\n");
    let mut answers = String::from("operator: bench\nanswers:\n");
    for n in 0..ITEMS {
        checklist.push_str(&format!("- [ ] Item {n}\n  ```sh check\n  true\n  ```\n"));
        answers.push_str(&format!("  phase/section/item-{n}: done\n"));
    }
    std::fs::write(path.join("checklists/bench.md"), checklist).unwrap();
    std::fs::write(path.join("typed.yaml"), answers).unwrap();
    std::fs::write(path.join("checks.yaml"), "operator: bench\n").unwrap();

    let typed = median_run(path, &["--answers", "typed.yaml"]);
    let checked = median_run(path, &["--answers", "checks.yaml", "--run-checks"]);
    let bare = median(|| {
        for _ in 0..ITEMS {
            let status = Command::new("sh")
                .args(["-c", "true"])
                .current_dir(path)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .status()
                .unwrap();
            assert!(status.success());
        }
    });
    let per = |d: Duration| d.as_secs_f64() * 1e3 / ITEMS as f64;
    let with_command = checked.saturating_sub(typed);
    let overhead = with_command.saturating_sub(bare);
    println!("{ITEMS} items, median of {TRIALS} whole runs each:");
    println!(
        "  answered by the answers file (nothing runs): {:>7.1} ms",
        ms(typed)
    );
    println!(
        "  every item's check run (--run-checks):       {:>7.1} ms",
        ms(checked)
    );
    println!(
        "  {ITEMS} bare `sh -c true`, spawned and waited for: {:>5.1} ms ({:.2} ms each)",
        ms(bare),
        per(bare)
    );
    println!(
        "  per check: {:.2} ms in all, of which {:.2} ms is deploycheck's own (budget 5 ms)",
        per(with_command),
        per(overhead)
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn median(mut f: impl FnMut()) -> Duration {
    f();
    let mut times: Vec<Duration> = (0..TRIALS)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[TRIALS / 2]
}

/// The median time of `deploycheck run production ARGS` as a whole command, each in a
/// fresh records folder.
fn median_run(dir: &Path, args: &[&str]) -> Duration {
    median(|| {
        let _ = std::fs::remove_dir_all(dir.join("runs"));
        let status = Command::new(env!("CARGO_BIN_EXE_deploycheck"))
            .args(["run", "production"])
            .args(args)
            .current_dir(dir)
            .env("DEPLOYCHECK_NOW", "2026-11-23T22:00:00+00:00")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert_eq!(status.code(), Some(0), "the run is GO");
    })
}
