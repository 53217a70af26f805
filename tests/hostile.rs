//! Hostile inputs, as a fault sweep would make them: deep nesting, endless devices and
//! pipes, repeated keys, byte-order marks and terminal escapes. Each is refused (or made
//! harmless) at once, with one line naming the file, and never with a panic. The inputs
//! are generated here; how fast they are refused is a benchmark's business, but a reader
//! that went quadratic again would make these tests hang.

use crate::support::{Test, fixture_bytes};

const DEEP: usize = 100_000;

fn go_answers() -> String {
    String::from_utf8(fixture_bytes("answers/mail-score-production-go.yaml")).unwrap()
}

/// `[{a: ` nested `DEEP` times: the form that made the YAML scanner quadratic.
fn deeply_nested(prefix: &str) -> String {
    format!("{prefix}{}", "[{a: ".repeat(DEEP))
}

#[test]
fn yaml_checklist_nested_100k_deep_is_refused_at_once() {
    Test::new()
        .write("deep.yaml", deeply_nested("title: T\nphases: "))
        .args(&["validate", "deep.yaml"])
        .status(2)
        .stderr_contains("deep.yaml:2:")
        .stderr_contains("error: nesting is deeper than 64 levels")
        .run();
}

#[test]
fn settings_nested_100k_deep_are_refused_at_once() {
    Test::with_seeds()
        .write(
            "checklists/deploycheck.yaml",
            deeply_nested("environments: "),
        )
        .args(&["list"])
        .status(2)
        .stderr_contains("deploycheck.yaml:1:")
        .stderr_contains("nesting is deeper than 64 levels")
        .run();
}

#[test]
fn answers_file_nested_100k_deep_is_refused_at_once() {
    Test::with_seeds()
        .write("deep.yaml", deeply_nested("answers: "))
        .args(&["run", "production", "--answers", "deep.yaml"])
        .status(2)
        .stderr_contains("deep.yaml:1:")
        .stderr_contains("nesting is deeper than 64 levels")
        .run();
}

#[test]
fn markdown_front_matter_nested_100k_deep_is_ignored_with_a_warning() {
    let text = format!(
        "---\n{}\n---\n\n## Deploy\n- [ ] Push\n",
        deeply_nested("x: ")
    );
    Test::new()
        .write("deep.md", text)
        .args(&["validate", "deep.md"])
        .stderr_contains(
            "deep.md:1: warning: front matter is not valid YAML and is ignored: nesting is deeper",
        )
        .run();
}

#[cfg(unix)]
#[test]
fn validate_dev_zero_stops_at_the_first_nul_byte() {
    Test::new()
        .args(&["validate", "/dev/zero"])
        .status(2)
        .stderr("/dev/zero:1: error: contains a NUL byte: this is a binary file, not a checklist file\n")
        .run();
}

/// `--answers <(yes "  a: done")`: a pipe that never ends reports a length of 0.
#[cfg(unix)]
#[test]
fn answers_from_an_endless_pipe_stop_at_the_cap() {
    use std::io::Write;
    let test = Test::with_seeds();
    let fifo = test.path().join("answers.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    // Writes until the reader goes away; not joined, so a reader that never opened the
    // pipe cannot hang the test.
    std::thread::spawn(move || {
        let mut pipe = std::fs::OpenOptions::new().write(true).open(fifo).unwrap();
        pipe.write_all(b"answers:\n").unwrap();
        let block = "  a: done\n".repeat(4096);
        while pipe.write_all(block.as_bytes()).is_ok() {}
    });
    test.args(&["run", "production", "--answers", "answers.fifo"])
        .status(2)
        .stderr("answers.fifo: error: file is more than 64 MiB (stopped reading there); answers files are limited to 64 MiB\n")
        .run();
}

#[test]
fn an_oversized_regular_file_is_refused_without_reading_it() {
    let test = Test::new();
    let file = std::fs::File::create(test.path().join("huge.md")).unwrap();
    file.set_len(65 * 1024 * 1024).unwrap();
    test.args(&["validate", "huge.md"])
        .status(2)
        .stderr("huge.md: error: file is 65 MiB; checklists are limited to 64 MiB\n")
        .run();
}

#[test]
fn answers_file_repeating_an_answer_names_the_second_line() {
    let answers = go_answers().replace(
        "answers:\n",
        "answers:\n  pre-deployment/development-environment/all-unit-tests-passing: failed\n",
    );
    let line = 1 + answers
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("all-unit-tests-passing"))
        .nth(1)
        .unwrap()
        .0;
    Test::with_seeds()
        .write("go.yaml", answers)
        .args(&["run", "production", "--answers", "go.yaml"])
        .status(2)
        .stderr_contains(&format!("go.yaml:{line}:3: error: key `pre-deployment/development-environment/all-unit-tests-passing` appears twice in one mapping (first on line 9); keep one"))
        .run();
}

#[test]
fn answers_file_repeating_a_field_names_the_second_line() {
    let answers = go_answers().replace("  Version: v1.4.2\n", "  Version: v1.4.2\n  Version: v9\n");
    Test::with_seeds()
        .write("go.yaml", answers)
        .args(&["run", "production", "--answers", "go.yaml"])
        .status(2)
        .stderr_contains("go.yaml:7:3: error: key `Version` appears twice in one mapping (first on line 6); keep one")
        .run();
}

#[test]
fn settings_repeating_an_environment_name_the_second_line() {
    Test::with_seeds()
        .write(
            "checklists/deploycheck.yaml",
            "environments:\n  production: [prod]\n  staging: [stage]\n  production: [live]\n",
        )
        .args(&["list"])
        .status(2)
        .stderr_contains("deploycheck.yaml:4:3: error: key `production` appears twice in one mapping (first on line 2); keep one")
        .run();
}

#[test]
fn yaml_checklist_repeating_a_key_names_the_second_line() {
    Test::new()
        .write(
            "c.yaml",
            "title: T\nphases:\n- title: P\n  sections:\n  - title: S\n    items:\n    - text: a\n      text: b\n",
        )
        .args(&["validate", "c.yaml"])
        .status(2)
        .stderr_contains("c.yaml:8:7: error: key `text` appears twice")
        .run();
}

#[test]
fn answers_file_with_aliases_is_refused() {
    let answers = go_answers()
        .replace(
            "all-unit-tests-passing: done",
            "all-unit-tests-passing: &ok done",
        )
        .replace(
            "integration-tests-passing: done",
            "integration-tests-passing: *ok",
        );
    Test::with_seeds()
        .write("go.yaml", answers)
        .args(&["run", "production", "--answers", "go.yaml"])
        .status(2)
        .stderr_contains("go.yaml:9:")
        .stderr_contains("anchor `&ok`: anchors and aliases are not allowed in this file")
        .run();
}

#[test]
fn byte_order_marks_are_read_past_in_every_yaml_input() {
    let bom = "\u{feff}";
    Test::with_seeds()
        .write(
            "checklists/deploycheck.yaml",
            format!("{bom}default: mail-score\nenvironments:\n  production: [prod]\n"),
        )
        .write("go.yaml", format!("{bom}{}", go_answers()))
        .args(&["run", "prod", "--answers", "go.yaml"])
        .stdout_contains("Verdict: GO")
        .run();
    Test::new()
        .write(
            "c.yaml",
            format!("{bom}title: T\nphases:\n- title: P\n  sections:\n  - title: S\n    items:\n    - text: a\n"),
        )
        .args(&["validate", "c.yaml"])
        .stdout_contains("c.yaml: ok, 1 item,")
        .run();
}

#[test]
fn control_characters_in_checklist_text_are_shown_escaped_with_a_warning() {
    let checklist =
        "# Deploy\n\n## Steps\n- [ ] Push \u{1b}[2J\u{7}the image\n- [ ] Check \u{202e}txt.exe\n";
    let test = Test::new().write("checklists/c.md", checklist);
    let shown = Test::resume_in(test.into_dir()).args(&["show"]).run();
    assert!(
        shown.stdout.contains("Push \\u{1b}[2J\\u{7}the image"),
        "{}",
        shown.stdout
    );
    assert!(
        shown.stdout.contains("Check \\u{202e}txt.exe"),
        "{}",
        shown.stdout
    );
    assert!(!shown.stdout.contains(['\u{1b}', '\u{7}', '\u{202e}']));
    Test::resume_in(shown.dir)
        .args(&["validate"])
        .stderr_contains("checklists/c.md:4: warning: control or bidirectional characters are shown escaped (`Push \\u{1b}[2J")
        .stderr_contains("checklists/c.md:5: warning: control or bidirectional characters")
        .run();
}

#[test]
fn control_characters_in_file_names_are_escaped_in_messages() {
    Test::new()
        .write("a\u{1b}[2Jb.md", "")
        .args(&["validate", "a\u{1b}[2Jb.md"])
        .status(2)
        .stderr_contains("a\\u{1b}[2Jb.md:1: error: file is empty")
        .run();
}

#[test]
fn a_fifo_in_a_run_folder_never_hangs_verify_report_or_history() {
    let run = Test::with_seeds()
        .write("go.yaml", go_answers())
        .args(&["run", "production", "--answers", "go.yaml"])
        .run();
    let folder = run.run_folders().pop().unwrap();
    let dir = run.dir;
    for (copy, file) in [
        ("fifo-record", "record.yaml"),
        ("fifo-journal", "journal.jsonl"),
    ] {
        let target = dir.path().join("runs").join(copy);
        std::fs::create_dir(&target).unwrap();
        for name in ["record.yaml", "journal.jsonl"] {
            std::fs::copy(folder.join(name), target.join(name)).unwrap();
        }
        std::fs::remove_file(target.join(file)).unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(target.join(file))
            .status()
            .unwrap();
        assert!(made.success());
    }
    // A record that is a FIFO is written again from the journal, as a missing one is.
    let dir = Test::resume_in(dir)
        .args(&["verify", "runs/fifo-record"])
        .stderr_contains("it was written again from the journal")
        .run()
        .dir;
    let dir = Test::resume_in(dir)
        .args(&["verify", "runs/fifo-journal"])
        .status(1)
        .stderr_contains(
            "cannot read the journal: is not a regular file (a pipe, a device or a folder)",
        )
        .run()
        .dir;
    Test::resume_in(dir).args(&["history"]).run();
}

#[test]
fn a_200_kb_version_is_cut_in_the_history_table_not_laid_out_whole() {
    // Laying out a table costs more than linearly in a cell's length: this took over a
    // minute, for every `history` of a project holding this one record.
    let answers = go_answers().replace(
        "  Version: v1.4.2\n",
        &format!("  Version: v{}\n", "A".repeat(200_000)),
    );
    let run = Test::with_seeds()
        .write("go.yaml", answers)
        .args(&["run", "production", "--answers", "go.yaml"])
        .run();
    let history = Test::resume_in(run.dir).args(&["history"]).run();
    assert!(history.stdout.contains("AAAA…"), "{}", history.stdout);
    assert!(history.stdout.len() < 20_000, "{}", history.stdout.len());
}
