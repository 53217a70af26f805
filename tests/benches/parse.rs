//! Parse benchmark: `cargo bench --bench parse`.
//!
//! Budgets: loading a 100k-item Markdown checklist costs at most 1.5x one raw
//! pulldown-cmark pass over the same file (3x is a defect), grows linearly with items,
//! and peaks under 60 MB. The whole-command table then puts every command the
//! performance budgets name beside the same floor (a raw pass with the allocator as it
//! comes; the same pass with deploycheck's allocator settings is shown beside it, as those
//! settings speed it up too), in one run: `validate` and
//! `show --format json` against the raw pass; an answers-file run and the time to the
//! first prompt against `validate`; `verify` and `diff` of the records those runs write
//! against GNU `diff -u` on the same files. This prints the figures; it asserts nothing,
//! because timings on a shared machine are evidence to read, not a pass/fail test.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use pulldown_cmark::{Options, Parser};

const CHILD_ENV: &str = "DEPLOYCHECK_BENCH_CHILD";
/// The child mode of a command run by a timing process (which is itself in mode `time`).
const INNER_ENV: &str = "DEPLOYCHECK_BENCH_INNER";
/// Set on the floor's process to leave the allocator as it comes.
const PLAIN_ENV: &str = "DEPLOYCHECK_BENCH_PLAIN";
/// Set on a command to time it until it shows its first prompt, not until it exits.
const UNTIL_PROMPT_ENV: &str = "DEPLOYCHECK_BENCH_UNTIL_PROMPT";

fn main() {
    // The binary's allocator settings, in the floor's process as in deploycheck's, except
    // for the plain floor: a raw pass as anyone would build it.
    if std::env::var_os(PLAIN_ENV).is_none() {
        deploycheck::tune_allocator();
    }
    if let Ok(spec) = std::env::var(CHILD_ENV) {
        child(&spec);
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    println!("deploycheck parse benchmark (median of runs; release profile)\n");
    println!(
        "in-process, warm: one raw pulldown-cmark pass against `validate`'s load (read, parse, build the tree),\n\
         in wall time (the load scans a large file on two threads) and in CPU time of the whole process"
    );
    println!(
        "{:>8} {:>9} {:>11} {:>11} {:>7} {:>10} {:>10}",
        "items", "size", "raw pass", "load", "ratio", "CPU ratio", "load/item"
    );
    let mut per_item = Vec::new();
    for target in [25_000, 50_000, 100_000, 200_000] {
        let (text, items) = generate(target);
        let path = dir.path().join(format!("bench-{target}.md"));
        std::fs::write(&path, &text).unwrap();
        let (raw, load, cpu_ratio) = raw_and_load(&path, 9);
        let ratio = load.as_secs_f64() / raw.as_secs_f64();
        let ns_per_item = load.as_nanos() as f64 / items as f64;
        per_item.push(ns_per_item);
        println!(
            "{items:>8} {:>7.1}MB {:>9.1}ms {:>9.1}ms {ratio:>6.2}x {cpu_ratio:>9.2}x {ns_per_item:>8.0}ns",
            text.len() as f64 / 1e6,
            raw.as_secs_f64() * 1e3,
            load.as_secs_f64() * 1e3,
        );
    }
    let spread = per_item.iter().cloned().fold(f64::MIN, f64::max)
        / per_item.iter().cloned().fold(f64::MAX, f64::min);
    println!(
        "\nlinearity: cost per item varies {spread:.2}x from 25k to 200k items (1.0 = perfectly linear)"
    );

    hostile(dir.path());

    let (text, items) = generate(100_000);
    let path = dir.path().join("memory.md");
    // The whole commands, as a user runs them: process start, read, parse, report, exit.
    // Runs are interleaved so that a change in the machine's load touches all alike; CPU
    // time (user + system) is quoted beside wall time, as it is the steadier of the two on
    // a shared machine.
    if let Some(binary) = release_binary() {
        whole_commands(&binary, dir.path(), &text, items);
    } else {
        println!(
            "\n(no target/release/deploycheck: build it with `cargo build --release` for the whole-command figures)"
        );
    }
    std::fs::write(&path, &text).unwrap();
    let raw_peak = peak_in_child("raw", &path);
    let load_peak = peak_in_child("load", &path);
    println!(
        "peak memory, {items} items ({:.1} MB file): raw pass {:.1} MB, load {:.1} MB (process peak RSS)",
        text.len() as f64 / 1e6,
        raw_peak as f64 / 1024.0,
        load_peak as f64 / 1024.0
    );
}

/// Inputs that were once quadratic: identical items (IDs made unique) and one line of
/// nested list markers. Cost per unit must stay flat as the input doubles.
fn hostile(dir: &Path) {
    println!("\nhostile inputs, CPU time (cost per unit should stay flat as n doubles)");
    for (name, make) in [
        ("identical items", identical as fn(usize) -> String),
        ("nested markers on one line", nested_markers),
    ] {
        let mut per_unit = Vec::new();
        for n in [25_000, 50_000, 100_000] {
            let path = dir.join(format!("hostile-{n}.md"));
            std::fs::write(&path, make(n)).unwrap();
            drop(load(&path));
            let mut times: Vec<Duration> = (0..5)
                .map(|_| {
                    let start = process_cpu();
                    drop(load(&path));
                    process_cpu() - start
                })
                .collect();
            times.sort();
            let load = times[2];
            per_unit.push(load.as_nanos() as f64 / n as f64);
            println!(
                "{name:>28} {n:>7}: {:>8.1}ms {:>6.0}ns/unit",
                load.as_secs_f64() * 1e3,
                per_unit.last().unwrap()
            );
        }
    }
}

fn identical(n: usize) -> String {
    let mut text = String::from("# T\n## P\n");
    for _ in 0..n {
        text.push_str("- [ ] Same item\n");
    }
    text
}

fn nested_markers(n: usize) -> String {
    format!("# T\n## P\n{}[ ] x\n", "- ".repeat(n))
}

/// A checklist of about `target` items: phases of sections, nested items, thresholds.
fn generate(target: usize) -> (String, usize) {
    let mut text = String::from("# Generated benchmark checklist\n\nA large checklist.\n\n");
    let mut items = 0;
    let mut phase = 0;
    while items < target {
        phase += 1;
        text.push_str(&format!("## Phase {phase}: rollout wave\n\n"));
        for section in 0..10 {
            text.push_str(&format!("### Section {section} of wave {phase}\n\n"));
            for item in 0..25 {
                match item % 7 {
                    0 => text.push_str(&format!(
                        "- [ ] Response time < {}ms (p95) on service {item}\n",
                        100 + item
                    )),
                    3 => text.push_str(&format!(
                        "- [ ] Throughput > {},000 RPS for shard {item}\n",
                        item + 1
                    )),
                    _ => text.push_str(&format!(
                        "- [ ] Verify component {item} of section {section} is healthy\n"
                    )),
                }
                items += 1;
                // Sub-items only under items with no limit of their own: a limit on an item
                // whose sub-items decide it is warned of, and the file is a clean checklist.
                if item % 5 == 0 && item % 7 != 0 && item % 7 != 3 {
                    for child in 0..3 {
                        text.push_str(&format!("  - [ ] Sub-check {child} for component {item}\n"));
                        items += 1;
                    }
                }
            }
            text.push('\n');
        }
    }
    (text, items)
}

/// CPU time the process has used on all its threads (user and system): unlike wall time,
/// it does not count the time other processes on a shared machine take a core away.
fn process_cpu() -> Duration {
    // SAFETY: an all-zero timespec is a valid value for clock_gettime to fill in.
    let mut now: libc::timespec = unsafe { std::mem::zeroed() };
    // SAFETY: the pointer is to a local; this clock exists on every Linux.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut now) };
    assert_eq!(status, 0, "the process's CPU clock is readable");
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

/// Medians of `runs` warm in-process raw passes and loads in wall time, and the median
/// ratio of their CPU times (all threads), taken in turn so that a change in the machine's
/// load touches both alike. The loaded tree is freed after its clock stops: `validate`
/// leaves it to the process's exit.
fn raw_and_load(path: &Path, runs: usize) -> (Duration, Duration, f64) {
    raw_pass(path);
    drop(load(path));
    let mut raw = Vec::new();
    let mut loads = Vec::new();
    let mut cpu_ratios = Vec::new();
    for _ in 0..runs {
        let (start, cpu) = (Instant::now(), process_cpu());
        raw_pass(path);
        let (raw_wall, raw_cpu) = (start.elapsed(), process_cpu() - cpu);
        let (start, cpu) = (Instant::now(), process_cpu());
        let loaded = load(path);
        let (load_wall, load_cpu) = (start.elapsed(), process_cpu() - cpu);
        drop(loaded);
        raw.push(raw_wall);
        loads.push(load_wall);
        cpu_ratios.push(load_cpu.as_secs_f64() / raw_cpu.as_secs_f64());
    }
    raw.sort();
    loads.sort();
    cpu_ratios.sort_by(f64::total_cmp);
    (raw[runs / 2], loads[runs / 2], cpu_ratios[runs / 2])
}

/// What the budget compares against: read the file and walk every event with offsets.
fn raw_pass(path: &Path) {
    let text = std::fs::read_to_string(path).unwrap();
    let options = Options::ENABLE_TASKLISTS
        | Options::ENABLE_TABLES
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS;
    let events = Parser::new_ext(&text, options).into_offset_iter().count();
    black_box(events);
}

/// What `deploycheck validate FILE` does: read, check, parse, build the tree.
fn load(path: &Path) -> deploycheck::source::Loaded {
    let loaded = deploycheck::source::load(path, "bench.md").expect("benchmark checklist loads");
    black_box(loaded.checklist.item_count());
    loaded
}

/// One run of a command: wall time, CPU time (user + system) and peak resident memory.
#[derive(Clone, Copy)]
struct Sample {
    wall: std::time::Duration,
    cpu: std::time::Duration,
    peak_kib: u64,
}

impl Sample {
    /// The median of each figure on its own.
    fn median(samples: Vec<Sample>) -> Sample {
        fn mid<T: Ord + Copy>(mut values: Vec<T>) -> T {
            values.sort();
            values[values.len() / 2]
        }
        Sample {
            wall: mid(samples.iter().map(|s| s.wall).collect()),
            cpu: mid(samples.iter().map(|s| s.cpu).collect()),
            peak_kib: mid(samples.iter().map(|s| s.peak_kib).collect()),
        }
    }
}

/// Runs `command` from a small process of its own (this benchmark, started afresh) that
/// times it: a child's peak RSS as the kernel reports it starts from its parent's at the
/// fork, and this benchmark's own is far larger than any command it measures.
fn run_command(command: std::process::Command) -> Sample {
    let mut timer = std::process::Command::new(std::env::current_exe().unwrap());
    timer.env(CHILD_ENV, "time");
    for (key, value) in command.get_envs() {
        if let Some(value) = value {
            // The timed command's own child mode travels under another name.
            let key = if key == std::ffi::OsStr::new(CHILD_ENV) {
                std::ffi::OsStr::new(INNER_ENV)
            } else {
                key
            };
            timer.env(key, value);
        }
    }
    if let Some(dir) = command.get_current_dir() {
        timer.current_dir(dir);
    }
    let output = timer
        .arg(command.get_program())
        .args(command.get_args())
        .output()
        .expect("timing process runs");
    assert!(output.status.success(), "{command:?} failed");
    let text = String::from_utf8_lossy(&output.stdout);
    let figures: Vec<u64> = text
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    Sample {
        wall: Duration::from_nanos(figures[0]),
        cpu: Duration::from_nanos(figures[1]),
        peak_kib: figures[2],
    }
}

/// In the timing process: runs the command its arguments name and prints its wall and CPU
/// nanoseconds and peak RSS in KiB.
fn time_command() {
    let mut args = std::env::args_os().skip(1);
    let mut command = std::process::Command::new(args.next().expect("a command to time"));
    command.args(args).env_remove(CHILD_ENV);
    if let Ok(spec) = std::env::var(INNER_ENV) {
        command.env(CHILD_ENV, spec).env_remove(INNER_ENV);
    }
    let sample = if std::env::var_os(UNTIL_PROMPT_ENV).is_some() {
        command.env_remove(UNTIL_PROMPT_ENV);
        until_first_prompt(command)
    } else {
        measure(command)
    };
    println!(
        "{} {} {}",
        sample.wall.as_nanos(),
        sample.cpu.as_nanos(),
        sample.peak_kib
    );
}

/// Runs `command` with its output discarded and reads its own resource use back from the
/// kernel (`wait4`).
#[allow(
    clippy::zombie_processes,
    reason = "the child is reaped by wait4, which also reports its resource use"
)]
fn measure(mut command: std::process::Command) -> Sample {
    let start = Instant::now();
    let child = command
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("command starts");
    let (status, cpu, peak_kib) = reap(child.id());
    let wall = start.elapsed();
    assert!(
        // 1 is a finding (NO-GO, differences), not a failure to run.
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) <= 1,
        "{command:?} failed"
    );
    Sample {
        wall,
        cpu,
        peak_kib,
    }
}

/// Waits for our child `pid` with `wait4`: its status, CPU time (user and system) and peak
/// RSS in KiB, as the kernel reports them.
fn reap(pid: u32) -> (i32, Duration, u64) {
    let pid = pid as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own child, not yet waited for; both pointers are to locals.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "the child is reaped");
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    (
        status,
        time(usage.ru_utime) + time(usage.ru_stime),
        usage.ru_maxrss as u64,
    )
}

/// target/release/deploycheck beside this benchmark binary (target/release/deps/), if built.
fn release_binary() -> Option<std::path::PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let binary = exe.parent()?.parent()?.join("deploycheck");
    binary.is_file().then_some(binary)
}

fn peak_in_child(mode: &str, path: &Path) -> u64 {
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .env(CHILD_ENV, format!("{mode}:{}", path.display()))
        .output()
        .expect("child runs");
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .expect("child prints its peak in KiB")
}

fn child(spec: &str) {
    if spec == "time" {
        time_command();
        return;
    }
    let (mode, path) = spec.split_once(':').unwrap();
    let path = Path::new(path);
    match mode {
        "raw" => raw_pass(path),
        _ => drop(load(path)),
    }
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let peak = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .unwrap_or(0);
    println!("{peak}");
}

/// The whole-command table: every command the performance budgets name, on the generated
/// 100k-item checklist and the records its runs write, interleaved `RUNS` times.
fn whole_commands(binary: &Path, dir: &Path, text: &str, items: usize) {
    const RUNS: usize = 11;
    const NOW: &str = "2026-11-23T22:00:00+00:00";
    let project = dir.join("project");
    std::fs::create_dir_all(project.join("checklists")).unwrap();
    let checklist = project.join("checklists/bench.md");
    std::fs::write(&checklist, text).unwrap();
    let loaded = load(&checklist);
    // Every leaf answered, measured items with a value that meets their threshold; the
    // second run fails one item in a thousand, so the two records differ in 0.1% of items.
    let answers = |fail_every: usize| {
        let mut out = String::from("operator: bench\nanswers:\n");
        for (n, item) in loaded
            .checklist
            .items()
            .filter(|i| i.children.is_empty())
            .enumerate()
        {
            use deploycheck::model::Comparison::*;
            let answer = match item.threshold.as_deref() {
                _ if fail_every > 0 && n % fail_every == 0 => {
                    "{status: failed, reason: disk full on db-2}".to_string()
                }
                None => "done".to_string(),
                Some(t) => {
                    let value = match t.op {
                        Less | LessOrEqual => t.value / 2.0,
                        Greater | GreaterOrEqual => t.value * 2.0,
                    };
                    format!("{value}{}", t.unit.as_deref().unwrap_or(""))
                }
            };
            out.push_str(&format!("  {}: {answer}\n", item.id));
        }
        out
    };
    std::fs::write(project.join("go.yaml"), answers(0)).unwrap();
    std::fs::write(project.join("mixed.yaml"), answers(1000)).unwrap();
    let command = |args: &[&str]| {
        let mut command = std::process::Command::new(binary);
        command
            .args(args)
            .current_dir(&project)
            .env("DEPLOYCHECK_NOW", NOW);
        command
    };
    // The two records `verify` and `diff` read, written by the binary as a run writes them.
    let runs = project.join("runs");
    let record_of = |answers: &str, name: &str| {
        let _ = std::fs::remove_dir_all(&runs);
        let status = command(&["run", "production", "--answers", answers])
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.code().is_some_and(|c| c <= 1), "the run finishes");
        let folder = std::fs::read_dir(&runs)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.is_dir())
            .unwrap();
        let kept = dir.join(name);
        std::fs::rename(&folder, &kept).unwrap();
        kept
    };
    let first = record_of("go.yaml", "first-run");
    let second = record_of("mixed.yaml", "second-run");
    let record_size = std::fs::metadata(first.join("record.yaml")).unwrap().len();
    let (a, b) = (first.join("record.yaml"), second.join("record.yaml"));

    let path_arg = checklist.to_str().unwrap();
    let mut samples: Vec<(&str, Vec<Sample>)> = [
        "raw pulldown-cmark pass",
        "raw pass, our allocator settings",
        "deploycheck validate",
        "deploycheck show --format json",
        "answers-file run",
        "first prompt",
        "deploycheck verify (one record)",
        "deploycheck diff (two records)",
        "GNU diff -u (two records)",
    ]
    .into_iter()
    .map(|name| (name, Vec::new()))
    .collect();
    for _ in 0..RUNS {
        let mut floor = std::process::Command::new(std::env::current_exe().unwrap());
        floor
            .env(CHILD_ENV, format!("raw:{path_arg}"))
            .env(PLAIN_ENV, "1");
        samples[0].1.push(run_command(floor));
        let mut tuned = std::process::Command::new(std::env::current_exe().unwrap());
        tuned.env(CHILD_ENV, format!("raw:{path_arg}"));
        samples[1].1.push(run_command(tuned));
        samples[2]
            .1
            .push(run_command(command(&["validate", path_arg])));
        samples[3].1.push(run_command(command(&[
            "show", "-c", path_arg, "--format", "json",
        ])));
        let _ = std::fs::remove_dir_all(&runs);
        samples[4].1.push(run_command(command(&[
            "run",
            "production",
            "--answers",
            "go.yaml",
        ])));
        let _ = std::fs::remove_dir_all(&runs);
        let mut prompt = command(&["run", "production"]);
        prompt.env(UNTIL_PROMPT_ENV, "1");
        samples[5].1.push(run_command(prompt));
        samples[6]
            .1
            .push(run_command(command(&["verify", first.to_str().unwrap()])));
        samples[7].1.push(run_command(command(&[
            "diff",
            first.to_str().unwrap(),
            second.to_str().unwrap(),
        ])));
        let mut gnu = std::process::Command::new("diff");
        gnu.arg("-u").arg(&a).arg(&b);
        samples[8].1.push(run_command(gnu));
    }
    let medians: Vec<(&str, Sample)> = samples
        .into_iter()
        .map(|(name, samples)| (name, Sample::median(samples)))
        .collect();
    let by = |name: &str| medians.iter().find(|(n, _)| *n == name).unwrap().1;
    let (floor, validate, gnu) = (
        by("raw pulldown-cmark pass"),
        by("deploycheck validate"),
        by("GNU diff -u (two records)"),
    );
    println!(
        "\nwhole commands, {items} items ({:.1} MB checklist, {:.1} MB records), median of {RUNS} interleaved runs",
        text.len() as f64 / 1e6,
        record_size as f64 / 1e6
    );
    println!(
        "{:>32} {:>9} {:>9} {:>9} {:>7} {:>9}  budget",
        "command", "wall", "cpu", "peak RSS", "ratio", "to"
    );
    let rows: [(&str, Sample, &str, &str); 9] = [
        ("raw pulldown-cmark pass", floor, "floor", ""),
        ("raw pass, our allocator settings", floor, "floor", ""),
        ("deploycheck validate", floor, "floor", "<= 1.5x"),
        ("deploycheck show --format json", floor, "floor", "<= 2.5x"),
        ("answers-file run", validate, "validate", "<= 3x"),
        ("first prompt", validate, "validate", "<= 2x"),
        ("deploycheck verify (one record)", gnu, "GNU diff", "<= 2x"),
        ("deploycheck diff (two records)", gnu, "GNU diff", "<= 3x"),
        ("GNU diff -u (two records)", gnu, "GNU diff", ""),
    ];
    for (name, base, base_name, budget) in rows {
        let sample = by(name);
        println!(
            "{name:>32} {:>7.1}ms {:>7.1}ms {:>6.1} MB {:>6.2}x {base_name:>9}  {budget}",
            sample.wall.as_secs_f64() * 1e3,
            sample.cpu.as_secs_f64() * 1e3,
            sample.peak_kib as f64 / 1024.0,
            sample.wall.as_secs_f64() / base.wall.as_secs_f64(),
        );
    }
    // The floor is a raw pass as anyone builds it. deploycheck's allocator settings speed
    // the raw pass up too; against that faster floor:
    let tuned = by("raw pass, our allocator settings");
    println!(
        "against the raw pass with deploycheck's allocator settings: validate {:.2}x, show --format json {:.2}x",
        validate.wall.as_secs_f64() / tuned.wall.as_secs_f64(),
        by("deploycheck show --format json").wall.as_secs_f64() / tuned.wall.as_secs_f64(),
    );
    // `diff` is the command that does little besides reading its two records.
    let diff = by("deploycheck diff (two records)");
    println!(
        "reading records: {:.0} MB/s per core (diff reads two {:.1} MB records in {:.0} ms of CPU time; budget >= 100 MB/s)",
        2.0 * record_size as f64 / 1e6 / diff.cpu.as_secs_f64(),
        record_size as f64 / 1e6,
        diff.cpu.as_secs_f64() * 1e3
    );
}

/// Runs `command` (a walk, its input a pipe left open) until its output shows the first
/// prompt, `1/…` or `[1/…` at the start of a line: the wall time to there, and the CPU time and
/// peak RSS the kernel reports for it once it is killed, waiting for its first answer.
#[allow(
    clippy::zombie_processes,
    reason = "the child is reaped by wait4, which also reports its resource use"
)]
fn until_first_prompt(mut command: std::process::Command) -> Sample {
    use std::io::Read;
    let start = Instant::now();
    let mut child = command
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("command starts");
    let mut stdout = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    let mut chunk = [0u8; 1 << 16];
    loop {
        let n = stdout.read(&mut chunk).expect("output reads");
        assert!(n > 0, "{command:?} ended before its first prompt");
        seen.extend_from_slice(&chunk[..n]);
        // `1/N …` at a terminal, `[1/N …]` on a pipe.
        let first = |line: &[u8]| line.starts_with(b"1/") || line.starts_with(b"[1/");
        if seen.split(|&b| b == b'\n').any(first) {
            break;
        }
    }
    let wall = start.elapsed();
    // SAFETY: signalling our own child, not yet waited for.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGKILL) };
    let (_, cpu, peak_kib) = reap(child.id());
    Sample {
        wall,
        cpu,
        peak_kib,
    }
}
