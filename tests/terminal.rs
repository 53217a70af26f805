//! What a person at a terminal reads, pinned as snapshots: the walk's screens at 80 and
//! 120 columns (scripted input into the same prompt code a terminal uses, through
//! `DEPLOYCHECK_ASSUME_TERMINAL=1`), and every command's `--help`.

use unicode_width::UnicodeWidthStr;

use crate::support::{Output, Test};

const NOW: &str = "2026-11-23T22:00:00+00:00";

fn snapshot(name: &str, text: &str) {
    // The host name is the machine's: the one line that names it is cut there.
    let text: String = text
        .lines()
        .map(|line| match line.split_once(" on ") {
            Some((head, _)) if line.trim_start().starts_with("started ") => {
                format!("{head} on HOST\n")
            }
            _ => format!("{line}\n"),
        })
        .collect();
    let text = text.as_str();
    insta::with_settings!({snapshot_path => "snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name, text);
    });
}

/// Every line of `screen` fits in `columns` display columns.
fn assert_fits(screen: &str, columns: usize) {
    for line in screen.lines() {
        assert!(
            line.width() <= columns,
            "{} columns, over {columns}: {line:?}\n{screen}",
            line.width()
        );
    }
}

fn walk(columns: &str, operator: &str, args: &[&str], stdin: &str, status: i32) -> Test {
    Test::new()
        .fixture("terminal/release.md", "checklists/release.md")
        .args(&["run", "production", "--operator", operator])
        .args(args)
        .env("DEPLOYCHECK_NOW", NOW)
        .env("DEPLOYCHECK_ASSUME_TERMINAL", "1")
        .env("COLUMNS", columns)
        .stdin(stdin)
        .status(status)
}

/// A failure, an override, a holding trigger whose rollback is taken back with `back`, a
/// rollback started by hand and declined, and `quit`.
const FIRST_SESSION: &str = "\n\nv1.4.2\ny\nf flaky on the staging copy\n\
250ms override measured during a deploy spike\n7%\nback\nrollback\nerrors climbing\nn\nquit\n";

fn first_session(columns: &str) -> Output {
    walk(columns, "dana", &[], FIRST_SESSION, 1).run()
}

/// The second operator takes the run up, clears the trigger, finishes and signs.
fn second_session(first: Output, columns: &str) -> Output {
    Test::resume_in(first.dir)
        .args(&["run", "production", "--operator", "lee"])
        .env("DEPLOYCHECK_NOW", "2026-11-23T22:30:00+00:00")
        .env("DEPLOYCHECK_ASSUME_TERMINAL", "1")
        .env("COLUMNS", columns)
        .stdin("y\nc\ny\nLee Park\n")
        .status(1)
        .run()
}

#[test]
fn the_walk_at_80_columns() {
    let first = first_session("80");
    assert_fits(&first.stdout, 80);
    snapshot("terminal_walk_80", &first.stdout);
    let second = second_session(first, "80");
    assert_fits(&second.stdout, 80);
    snapshot("terminal_resume_and_end_80", &second.stdout);
    assert!(
        second.stdout.contains("Verdict: NO-GO: 1 failed"),
        "{}",
        second.stdout
    );
}

#[test]
fn the_walk_at_120_columns() {
    let first = first_session("120");
    assert_fits(&first.stdout, 120);
    snapshot("terminal_walk_120", &first.stdout);
    let second = second_session(first, "120");
    assert_fits(&second.stdout, 120);
    snapshot("terminal_resume_and_end_120", &second.stdout);
}

#[test]
fn the_resume_briefing_says_where_it_stopped_who_answered_and_what_failed() {
    let second = second_session(first_session("80"), "80");
    let screen = &second.stdout;
    for needed in [
        "next: 4/5",
        "answers: 3 by dana",
        "1 failed (\"Integration tests passing",
    ] {
        assert!(screen.contains(needed), "lacks {needed:?}\n{screen}");
    }
}

#[test]
fn a_field_without_a_default_needs_a_value_or_a_dash_at_a_terminal() {
    let out = walk("80", "dana", &[], "\n\n-\nquit\n", 1).run();
    assert!(
        out.stdout
            .contains("Version has no default: type the value, or - for none"),
        "{}",
        out.stdout
    );
    let record = out.only_record();
    let version = record.fields.0.iter().find(|(name, _)| name == "Version");
    assert_eq!(version, Some(&("Version".to_string(), None)));
}

#[test]
fn back_at_the_rollback_confirmation_takes_back_the_trigger() {
    let out = walk(
        "80",
        "dana",
        &[],
        "\n\nv1\ny\ny\n150ms\n7%\nback\nclear\nquit\n",
        1,
    )
    .run();
    assert!(
        out.stdout
            .contains("took back the answer to \"High error rates (>5%)\""),
        "{}",
        out.stdout
    );
    let record = out.only_record();
    assert!(!record.rollback.started);
    let trigger = record
        .items
        .iter()
        .find(|i| i.text.starts_with("High error rates"))
        .unwrap();
    assert_eq!(trigger.status, deploycheck::model::Status::Clear);
}

#[test]
fn the_environment_is_understood_in_any_case_and_recorded_canonically() {
    let out = Test::new()
        .fixture("terminal/release.md", "checklists/release.md")
        .args(&["run", "Production", "--operator", "dana"])
        .stdin("\nv1\n")
        .status(1)
        .run();
    assert_eq!(out.only_record().environment, "production");
}

#[test]
fn help_for_every_command() {
    let commands = [
        "",
        "run",
        "sheet",
        "report",
        "diff",
        "verify",
        "signoff",
        "history",
        "show",
        "list",
        "validate",
        "schema",
        "completions",
        "man",
    ];
    for command in commands {
        let mut args: Vec<&str> = command.split_whitespace().collect();
        args.push("--help");
        let out = Test::new().args(&args).env("COLUMNS", "100").run();
        let name = if command.is_empty() {
            "help".to_string()
        } else {
            format!("help_{command}")
        };
        if !command.is_empty() {
            assert!(out.stdout.contains("Example"), "{command}: no example");
        }
        snapshot(&name, &out.stdout);
    }
}

#[test]
fn the_man_page_comes_from_the_same_definitions() {
    let out = Test::new().args(&["man"]).run();
    assert!(out.stdout.starts_with(".ie"), "{}", &out.stdout[..80]);
    assert!(out.stdout.contains("deploycheck"));
    assert!(out.stdout.contains("Walk deployment checklists"));
}

#[test]
fn up_recalls_answers_given_before_a_resume() {
    if !crate::support::Tmux::available() {
        return;
    }
    let first = first_session("80");
    let tmux = crate::support::Tmux::start(
        first.dir.path(),
        (80, 24),
        &[("DEPLOYCHECK_OPERATOR", "lee")],
        &["run", "production", "--resume"],
    );
    tmux.wait_for("? help");
    tmux.keys(&["Up"]);
    tmux.wait_for("250ms override measured during a deploy spike");
    tmux.keys(&["Up"]);
    let screen = tmux.wait_for("f flaky on the staging copy");
    let last = screen.lines().last().unwrap_or_default();
    assert!(last.ends_with("f flaky on the staging copy"), "{screen}");
    tmux.keys(&["C-u", "C-c"]);
    tmux.wait_for("--resume");
}

/// The whole night at a real 80x24 terminal: fields, a failure whose reason is edited
/// with the cursor keys, an override, a rollback started and taken back, quit, a resume
/// by another operator and the sign-off. No line is wider than the window, and the
/// verdict is on the last screen.
#[test]
fn a_whole_run_at_a_real_80_by_24_terminal() {
    use crate::support::Tmux;
    if !Tmux::available() {
        return;
    }
    let test = Test::new().fixture("terminal/release.md", "checklists/release.md");
    let dir = test.into_dir();
    let mut screens = Vec::new();
    {
        let tmux = Tmux::start(
            dir.path(),
            (80, 24),
            &[("DEPLOYCHECK_OPERATOR", "dana")],
            &["run", "production"],
        );
        tmux.wait_for("Deployment Date");
        for keys in [
            &["Enter"][..],
            &["-l", "v1.4.2", "Enter"],
            &["y", "Enter"],
            // "f flaky staging", then the cursor goes back to put "on the " before
            // "staging" and End adds " copy".
            &[
                "-l",
                "f flaky staging",
                "Left",
                "Left",
                "Left",
                "Left",
                "Left",
                "Left",
                "Left",
                "-l",
                "on the ",
                "End",
                "-l",
                " copy",
                "Enter",
            ],
            &[
                "-l",
                "250ms override measured during a deploy spike",
                "Enter",
            ],
            &["-l", "rollback", "Enter"],
            &["-l", "errors climbing", "Enter"],
            &["y", "Enter"],
            &["-l", "back", "Enter"],
            &["-l", "quit", "Enter"],
        ] {
            screens.push(tmux.answer(keys));
        }
        assert!(tmux.exited(), "{}", tmux.screen());
    }
    {
        let tmux = Tmux::start(
            dir.path(),
            (80, 24),
            &[("DEPLOYCHECK_OPERATOR", "lee")],
            &["run", "production"],
        );
        screens.push(tmux.wait_for("Resume it?"));
        for keys in [
            &["Enter"][..],
            &["c", "Enter"],
            &["y", "Enter"],
            &["-l", "Lee Park", "Enter"],
        ] {
            screens.push(tmux.answer(keys));
        }
        assert!(tmux.exited(), "{}", tmux.screen());
        let last = screens.last().unwrap();
        assert!(last.contains("Verdict: NO-GO"), "{last}");
    }
    for screen in &screens {
        assert_fits(screen, 80);
        assert!(screen.lines().count() <= 24, "{screen}");
    }
    let folder = crate::support::run_folders(dir.path()).remove(0);
    let text = std::fs::read_to_string(folder.join("record.yaml")).unwrap();
    let record: deploycheck::model::Record = deploycheck::yaml::from_str(&text, "record").unwrap();
    let reason = |text: &str| {
        let item = record.items.iter().find(|i| i.text == text).unwrap();
        (item.status, item.reason.clone(), item.answered_by.clone())
    };
    use deploycheck::model::Status;
    assert_eq!(
        reason("Integration tests passing against the staging copy of the customer database"),
        (
            Status::Failed,
            Some("flaky on the staging copy".to_string()),
            Some("dana".to_string())
        )
    );
    assert_eq!(reason("High error rates (>5%)").2.as_deref(), Some("lee"));
    assert!(!record.rollback.started, "the rollback was taken back");
}

#[test]
fn quit_at_the_resume_offer_leaves_the_run_as_it_is() {
    let first = first_session("80");
    let before = crate::support::run_folders(first.dir.path());
    let out = Test::resume_in(first.dir)
        .args(&["run", "production", "--operator", "lee"])
        .env("DEPLOYCHECK_ASSUME_TERMINAL", "1")
        .stdin("quit\n")
        .status(2)
        .stderr_contains("pass --resume or --new")
        .run();
    assert!(out.stdout.contains("Resume it? [Y/n]"), "{}", out.stdout);
    assert_eq!(crate::support::run_folders(out.dir.path()), before);
}

#[test]
fn no_at_the_resume_offer_asks_before_closing_the_run_for_good() {
    let first = first_session("80");
    let before = crate::support::run_folders(first.dir.path());
    // `n`, then Enter at the warning: nothing closed, and the offer again.
    let kept = Test::resume_in(first.dir)
        .args(&["run", "production", "--operator", "lee"])
        .env("DEPLOYCHECK_ASSUME_TERMINAL", "1")
        .stdin("n\n\nquit\n")
        .status(2)
        .run();
    for words in [
        "Start over? The unfinished run is closed as INCOMPLETE for good, with its 3\n",
        "answers kept in its record, and cannot be resumed. [y/N]",
    ] {
        assert!(kept.stdout.contains(words), "{}", kept.stdout);
    }
    assert_eq!(kept.stdout.matches("Resume it? [Y/n]").count(), 2);
    assert_eq!(crate::support::run_folders(kept.dir.path()), before);
    // `n`, then `y`: started over.
    Test::resume_in(kept.dir)
        .args(&["run", "production", "--operator", "lee"])
        .env("DEPLOYCHECK_ASSUME_TERMINAL", "1")
        .stdin("n\ny\n")
        .status(1)
        .stdout_contains("Started over: the unfinished run in")
        .run();
}

#[test]
fn ctrl_c_among_the_run_fields_says_the_fields_typed_are_saved() {
    use crate::support::Tmux;
    if !Tmux::available() {
        return;
    }
    let dir = Test::with_seeds().into_dir();
    let tmux = Tmux::start(
        dir.path(),
        (80, 24),
        &[("DEPLOYCHECK_OPERATOR", "dana")],
        &["run", "production"],
    );
    tmux.wait_for("Run field 1/");
    tmux.keys(&["v2.4.0", "Enter"]);
    tmux.wait_for("Run field 2/");
    tmux.keys(&["C-c"]);
    let screen = tmux.wait_for("--resume");
    assert!(
        screen.contains("interrupted: 1 run field saved, no answers yet in"),
        "{screen}"
    );
}
