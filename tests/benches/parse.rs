//! Parse benchmark: `cargo bench --bench parse`.
//!
//! Budgets: loading a 100k-item Markdown checklist costs at most 1.5x one raw
//! pulldown-cmark pass over the same file (3x is a defect), grows linearly with items,
//! and peaks under 60 MB. This prints the figures; it asserts nothing, because timings on
//! a shared machine are evidence to read, not a pass/fail test.

#[path = "common.rs"]
mod common;
use common::median;

use std::hint::black_box;
use std::path::Path;

use pulldown_cmark::{Options, Parser};

const CHILD_ENV: &str = "DEPLOYCHECK_BENCH_CHILD";

fn main() {
    if let Ok(spec) = std::env::var(CHILD_ENV) {
        child(&spec);
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    println!("deploycheck parse benchmark (median of runs; release profile)\n");
    println!(
        "{:>8} {:>9} {:>11} {:>11} {:>7} {:>10}",
        "items", "size", "raw pass", "load", "ratio", "load/item"
    );
    let mut per_item = Vec::new();
    for target in [25_000, 50_000, 100_000, 200_000] {
        let (text, items) = generate(target);
        let path = dir.path().join(format!("bench-{target}.md"));
        std::fs::write(&path, &text).unwrap();
        let raw = median(7, || raw_pass(&path));
        let load = median(7, || load(&path));
        let ratio = load.as_secs_f64() / raw.as_secs_f64();
        let ns_per_item = load.as_nanos() as f64 / items as f64;
        per_item.push(ns_per_item);
        println!(
            "{items:>8} {:>7.1}MB {:>9.1}ms {:>9.1}ms {ratio:>6.2}x {ns_per_item:>8.0}ns",
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
    std::fs::write(&path, &text).unwrap();
    // The whole command, as a user runs it: process start, read, parse, report, exit.
    if let Some(binary) = release_binary() {
        let raw = median(15, || child_process("raw", &path));
        let validate = median(15, || {
            let status = std::process::Command::new(&binary)
                .args(["validate", path.to_str().unwrap()])
                .stdout(std::process::Stdio::null())
                .status()
                .unwrap();
            assert!(status.success());
        });
        println!(
            "whole command, {items} items: raw-pass process {:.1}ms, `deploycheck validate` {:.1}ms, ratio {:.2}x",
            raw.as_secs_f64() * 1e3,
            validate.as_secs_f64() * 1e3,
            validate.as_secs_f64() / raw.as_secs_f64()
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
    println!("\nhostile inputs (cost per unit should stay flat as n doubles)");
    for (name, make) in [
        ("identical items", identical as fn(usize) -> String),
        ("nested markers on one line", nested_markers),
    ] {
        let mut per_unit = Vec::new();
        for n in [25_000, 50_000, 100_000] {
            let path = dir.join(format!("hostile-{n}.md"));
            std::fs::write(&path, make(n)).unwrap();
            let load = median(5, || load(&path));
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
                if item % 5 == 0 {
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
fn load(path: &Path) {
    let loaded = deploycheck::source::load(path, "bench.md").expect("benchmark checklist loads");
    black_box(loaded.checklist.item_count());
}

/// target/release/deploycheck beside this benchmark binary (target/release/deps/), if built.
fn release_binary() -> Option<std::path::PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let binary = exe.parent()?.parent()?.join("deploycheck");
    binary.is_file().then_some(binary)
}

fn child_process(mode: &str, path: &Path) {
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .env(CHILD_ENV, format!("{mode}:{}", path.display()))
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
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
    let (mode, path) = spec.split_once(':').unwrap();
    let path = Path::new(path);
    match mode {
        "raw" => raw_pass(path),
        _ => load(path),
    }
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let peak = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .unwrap_or(0);
    println!("{peak}");
}
