//! Bad input never panics, hangs or blows up memory: it gets exit 2 and one clear line that
//! names the file (and line where there is one), or a clean parse where it is legal.

use deploycheck::model::SourceFormat;
use deploycheck::source;
use proptest::prelude::*;

use crate::support::{Test, fixture_path};

/// Every file in tests/fixtures/bad, through `show -c FILE`, with its exit code and stderr.
#[test]
fn bad_input_corpus_messages() {
    let dir = fixture_path("bad");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    let mut report = String::new();
    for name in names {
        let test = Test::new().fixture(&format!("bad/{name}"), &format!("input/{name}"));
        let command = assert_cmd::Command::new(env!("CARGO_BIN_EXE_deploycheck"))
            .args(["show", "-c", &format!("input/{name}")])
            .current_dir(test.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&command.stderr);
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        let code = command.status.code().expect("exited normally");
        let lines = stderr.lines().count();
        assert!(
            code == 0 || lines == 1,
            "{name}: expected one line of error, got:\n{stderr}"
        );
        report.push_str(&format!("{name} => exit {code}\n{stderr}\n"));
    }
    insta::with_settings!({snapshot_path => "snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("bad_input_corpus", report);
    });
}

#[test]
fn missing_file() {
    Test::new()
        .args(&["show", "-c", "missing.md"])
        .status(2)
        .stderr("missing.md: error: no such file\n")
        .run();
}

#[test]
fn directory_instead_of_a_file() {
    Test::new()
        .write("folder.md/inner.md", "x")
        .args(&["validate", "folder.md"])
        .status(2)
        .stderr("folder.md: error: is a directory, not a checklist file\n")
        .run();
}

#[test]
fn ten_megabyte_item_line_is_a_clean_parse() {
    let text = format!("# T\n\n- [ ] {}\n", "x".repeat(10 * 1024 * 1024));
    let output = Test::new()
        .write("long.md", text)
        .args(&["show", "-c", "long.md", "--format", "json"])
        .run();
    let tree: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    let id = tree["phases"][0]["sections"][0]["items"][0]["id"]
        .as_str()
        .unwrap();
    assert!(id.len() < 200, "IDs stay short: {}", id.len());
}

#[test]
fn ten_megabyte_prose_line_has_no_items() {
    Test::new()
        .write("prose.md", "y".repeat(10 * 1024 * 1024))
        .args(&["validate", "prose.md"])
        .status(2)
        .stderr_contains("prose.md: error: no checklist items found")
        .run();
}

#[test]
fn three_thousand_levels_of_indented_items_are_refused_with_a_line() {
    let mut text = String::from("# T\n\n");
    for level in 0..3000 {
        text.push_str(&"  ".repeat(level));
        text.push_str(&format!("- [ ] level {level}\n"));
    }
    Test::new()
        .write("deep.md", text)
        .args(&["show", "-c", "deep.md"])
        .status(2)
        .stderr("deep.md:19: error: items nest more than 16 levels deep; flatten the list\n")
        .run();
}

#[test]
fn oversized_file_is_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.md");
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(source::MAX_FILE_BYTES + 1).unwrap();
    let error = source::load(&path, "huge.md").unwrap_err();
    assert_eq!(
        error.to_string(),
        "huge.md: error: file is 64 MiB; checklists are limited to 64 MiB"
    );
}

/// Lines a Markdown checklist is made of, to drive the parser into its deeper paths.
fn markdown_line() -> impl Strategy<Value = String> {
    let text = "[ -~éğŸ✅<>|*_`#:\\[\\]()0-9]{0,24}";
    prop_oneof![
        text.prop_map(|t| format!("# {t}")),
        text.prop_map(|t| format!("## {t}")),
        text.prop_map(|t| format!("### {t}")),
        text.prop_map(|t| format!("#### {t}")),
        (0usize..12, text).prop_map(|(n, t)| format!("{}- [ ] {t}", "  ".repeat(n))),
        (0usize..12, text).prop_map(|(n, t)| format!("{}1. [x] {t}", "  ".repeat(n))),
        text.prop_map(|t| format!("- {t}")),
        text.prop_map(|t| format!("**{t}:**")),
        text.prop_map(|t| format!("*{t}:* ____")),
        Just("**Signed:** ____ **Date:** ____".to_string()),
        text.prop_map(|t| format!("| {t} | a@b.c | +1 555 0100 |")),
        Just("|---|---|---|".to_string()),
        Just("```".to_string()),
        Just("---".to_string()),
        text.prop_map(|t| format!("<!-- deploycheck: {t} -->")),
        Just("<!-- deploycheck: id=x optional env=production -->".to_string()),
        text.prop_map(|t| format!("> {t}")),
        text,
        Just(String::new()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic_either_parser(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        let _ = source::load_bytes(&bytes, "fuzz.md", SourceFormat::Markdown, "fuzz");
        let _ = source::load_bytes(&bytes, "fuzz.yaml", SourceFormat::Yaml, "fuzz");
    }

    #[test]
    fn markdown_shaped_garbage_never_panics_and_loads_consistently(lines in prop::collection::vec(markdown_line(), 0..80)) {
        let text = lines.join("\n");
        if let Ok(loaded) = source::load_bytes(text.as_bytes(), "fuzz.md", SourceFormat::Markdown, "fuzz") {
            let ids: Vec<&str> = loaded.checklist.items().map(|i| i.id.as_str()).collect();
            let unique: std::collections::HashSet<&&str> = ids.iter().collect();
            prop_assert_eq!(unique.len(), ids.len(), "IDs are unique");
            crate::trees::assert_yaml_round_trip(&loaded.checklist);
        }
    }
}

#[test]
fn a_run_record_or_journal_given_as_a_checklist_is_named_for_what_it_is() {
    let first = Test::new()
        .fixture("terminal/release.md", "checklists/release.md")
        .args(&["run", "production", "--new"])
        .stdin("")
        .status(1)
        .run();
    let folder = first.run_folders().remove(0);
    let folder = folder.strip_prefix(first.dir.path()).unwrap().to_owned();
    let record = folder.join("record.yaml").display().to_string();
    let journal = folder.join("journal.jsonl").display().to_string();
    Test::resume_in(first.dir)
        .args(&["validate", &record, &journal])
        .status(2)
        .stderr_contains(&format!(
            "{record}:1: error: this is a run record, not a checklist: read it with `deploycheck report`"
        ))
        .stderr_contains(&format!("{journal}:1: error: this is a run's journal, not a checklist"))
        .run();
}
