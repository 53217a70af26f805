//! Typed commands, made from clap's [`Arguments`]; kept apart so the mapping is tested alone.

use std::path::PathBuf;

use super::arguments::{
    Arguments, CommandArgs, DiffFormat, DueFormat, HistoryFormatArg, ListFormat, ReportFormatArg,
    SheetFormatArg, ShowFormat, ValidateFormat,
};
use crate::render::ReportFormat;
use crate::render::history::HistoryFormat;
use crate::render::sheet::SheetFormat;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOptions {
    pub environment: String,
    pub checklist: Option<String>,
    pub answers: Option<PathBuf>,
    pub operator: Option<String>,
    pub resume: ResumeChoice,
    /// Run each open item's check as the walk reaches it (`--run-checks`).
    pub run_checks: bool,
    /// List what `--run-checks` would run, and run nothing (`--dry-run`).
    pub dry_run: bool,
}

/// `deploycheck signoff`: a role's sign-off after the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignoffOptions {
    pub run: PathBuf,
    pub role: String,
    pub key: Option<PathBuf>,
    /// Refuse, for this reason.
    pub refuse: Option<String>,
    pub name: Option<String>,
    /// Confirm every statement without asking.
    pub yes: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryOptions {
    /// Folders of run folders; empty: the project's records folder.
    pub folders: Vec<PathBuf>,
    pub item: Option<String>,
    pub environment: Option<String>,
    pub last: Option<usize>,
    pub format: HistoryFormat,
    pub output: Option<PathBuf>,
}

/// What to do about an unfinished run of the same checklist and environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResumeChoice {
    /// Ask at a terminal; refuse without one.
    Ask,
    Resume,
    New,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Run(RunOptions),
    Report {
        record: PathBuf,
        format: ReportFormat,
    },
    Diff {
        a: PathBuf,
        b: PathBuf,
        format: DiffFormat,
        all: bool,
    },
    Verify {
        record: PathBuf,
        allowed_signers: Option<PathBuf>,
    },
    Signoff(SignoffOptions),
    Sheet {
        environment: Option<String>,
        checklist: Option<String>,
        format: SheetFormat,
        output: Option<PathBuf>,
    },
    Show {
        environment: Option<String>,
        checklist: Option<String>,
        format: ShowFormat,
        show_ids: bool,
    },
    List {
        format: ListFormat,
    },
    Validate {
        files: Vec<PathBuf>,
        format: ValidateFormat,
        strict: bool,
    },
    Due {
        dirs: Vec<PathBuf>,
        format: DueFormat,
    },
    FollowUp {
        run: PathBuf,
        answers: Option<PathBuf>,
        operator: Option<String>,
    },
    History(HistoryOptions),
    Schema,
    Man,
    Completions {
        shell: clap_complete::Shell,
    },
}

impl From<Arguments> for Command {
    fn from(arguments: Arguments) -> Self {
        match arguments.command {
            CommandArgs::Run {
                env,
                checklist,
                answers,
                operator,
                resume,
                new,
                run_checks,
                dry_run,
            } => Command::Run(RunOptions {
                environment: env,
                checklist,
                answers,
                operator,
                resume: match (resume, new) {
                    (true, _) => ResumeChoice::Resume,
                    (_, true) => ResumeChoice::New,
                    _ => ResumeChoice::Ask,
                },
                run_checks,
                dry_run,
            }),
            CommandArgs::Report { record, format } => Command::Report {
                record,
                format: match format {
                    ReportFormatArg::Table => ReportFormat::Table,
                    ReportFormatArg::Markdown => ReportFormat::Markdown,
                    ReportFormatArg::Json => ReportFormat::Json,
                    ReportFormatArg::Junit => ReportFormat::Junit,
                },
            },
            CommandArgs::Diff { a, b, format, all } => Command::Diff { a, b, format, all },
            CommandArgs::Verify {
                record,
                allowed_signers,
            } => Command::Verify {
                record,
                allowed_signers,
            },
            CommandArgs::Signoff {
                run,
                role,
                key,
                refuse,
                name,
                yes,
            } => Command::Signoff(SignoffOptions {
                run,
                role,
                key,
                refuse,
                name,
                yes,
            }),
            CommandArgs::Sheet {
                env,
                checklist,
                format,
                output,
            } => Command::Sheet {
                environment: env,
                checklist,
                format: match format {
                    SheetFormatArg::Markdown => SheetFormat::Markdown,
                    SheetFormatArg::Text => SheetFormat::Text,
                    SheetFormatArg::Html => SheetFormat::Html,
                },
                output,
            },
            CommandArgs::Show {
                env,
                checklist,
                format,
                ids,
            } => Command::Show {
                environment: env,
                checklist,
                format,
                show_ids: ids,
            },
            CommandArgs::List { format } => Command::List { format },
            CommandArgs::Validate {
                files,
                format,
                strict,
            } => Command::Validate {
                files,
                format,
                strict,
            },
            CommandArgs::Due { dirs, format } => Command::Due { dirs, format },
            CommandArgs::Followup {
                run,
                answers,
                operator,
            } => Command::FollowUp {
                run,
                answers,
                operator,
            },
            CommandArgs::History {
                dirs,
                item,
                env,
                last,
                format,
                output,
            } => Command::History(HistoryOptions {
                folders: dirs,
                item,
                environment: env,
                last,
                format: match format {
                    HistoryFormatArg::Table => HistoryFormat::Table,
                    HistoryFormatArg::Json => HistoryFormat::Json,
                    HistoryFormatArg::Csv => HistoryFormat::Csv,
                    HistoryFormatArg::Html => HistoryFormat::Html,
                },
                output,
            }),
            CommandArgs::Schema => Command::Schema,
            CommandArgs::Man => Command::Man,
            CommandArgs::Completions { shell } => Command::Completions { shell },
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    fn parse(args: &[&str]) -> Command {
        let arguments =
            Arguments::try_parse_from(std::iter::once("deploycheck").chain(args.iter().copied()))
                .expect("arguments parse");
        Command::from(arguments)
    }

    #[test]
    fn show_takes_environment_checklist_and_format() {
        assert_eq!(
            parse(&["show", "production", "-c", "mail-score", "--format", "json"]),
            Command::Show {
                environment: Some("production".into()),
                checklist: Some("mail-score".into()),
                format: ShowFormat::Json,
                show_ids: false,
            }
        );
        assert_eq!(
            parse(&["show"]),
            Command::Show {
                environment: None,
                checklist: None,
                format: ShowFormat::Tree,
                show_ids: false,
            }
        );
    }

    #[test]
    fn run_takes_environment_answers_operator_and_resume_choice() {
        assert_eq!(
            parse(&[
                "run",
                "prod",
                "--answers",
                "a.yaml",
                "--operator",
                "dana",
                "--resume"
            ]),
            Command::Run(RunOptions {
                environment: "prod".into(),
                checklist: None,
                answers: Some("a.yaml".into()),
                operator: Some("dana".into()),
                resume: ResumeChoice::Resume,
                run_checks: false,
                dry_run: false,
            })
        );
        assert!(matches!(
            parse(&["run", "ci", "--run-checks", "--dry-run"]),
            Command::Run(RunOptions {
                run_checks: true,
                dry_run: true,
                ..
            })
        ));
        assert!(matches!(
            parse(&["run", "staging", "--new"]),
            Command::Run(RunOptions {
                resume: ResumeChoice::New,
                ..
            })
        ));
        assert!(
            Arguments::try_parse_from(["deploycheck", "run", "x", "--resume", "--new"]).is_err()
        );
    }

    #[test]
    fn sheet_takes_environment_format_and_output() {
        assert_eq!(
            parse(&[
                "sheet",
                "production",
                "--format",
                "html",
                "-o",
                "sheet.html"
            ]),
            Command::Sheet {
                environment: Some("production".into()),
                checklist: None,
                format: SheetFormat::Html,
                output: Some("sheet.html".into()),
            }
        );
        assert!(matches!(
            parse(&["sheet"]),
            Command::Sheet {
                format: SheetFormat::Markdown,
                ..
            }
        ));
    }

    #[test]
    fn validate_takes_any_number_of_files() {
        assert_eq!(
            parse(&["validate", "a.md", "b.yaml"]),
            Command::Validate {
                files: vec!["a.md".into(), "b.yaml".into()],
                format: ValidateFormat::Text,
                strict: false,
            }
        );
    }

    #[test]
    fn signoff_takes_role_key_refusal_name_and_yes_and_sign_is_its_alias() {
        assert_eq!(
            parse(&[
                "signoff",
                "runs/r",
                "--role",
                "Security Team",
                "--key",
                "id",
                "--name",
                "dana@example.com",
                "--yes"
            ]),
            Command::Signoff(SignoffOptions {
                run: "runs/r".into(),
                role: "Security Team".into(),
                key: Some("id".into()),
                refuse: None,
                name: Some("dana@example.com".into()),
                yes: true,
            })
        );
        assert_eq!(
            parse(&[
                "sign",
                "runs/r/record.yaml",
                "--role",
                "Ops",
                "--signer",
                "jo"
            ]),
            Command::Signoff(SignoffOptions {
                run: "runs/r/record.yaml".into(),
                role: "Ops".into(),
                key: None,
                refuse: None,
                name: Some("jo".into()),
                yes: false,
            })
        );
        assert!(matches!(
            parse(&["signoff", "r", "--role", "Ops", "--refuse", "pen test open"]),
            Command::Signoff(SignoffOptions {
                refuse: Some(_),
                ..
            })
        ));
    }

    #[test]
    fn history_takes_folders_item_filters_format_and_output() {
        assert_eq!(
            parse(&[
                "history",
                "runs",
                "old/runs",
                "--item",
                "p/s/x",
                "--env",
                "production",
                "--last",
                "20",
                "--format",
                "html",
                "-o",
                "h.html"
            ]),
            Command::History(HistoryOptions {
                folders: vec!["runs".into(), "old/runs".into()],
                item: Some("p/s/x".into()),
                environment: Some("production".into()),
                last: Some(20),
                format: HistoryFormat::Html,
                output: Some("h.html".into()),
            })
        );
        assert_eq!(
            parse(&["history"]),
            Command::History(HistoryOptions {
                folders: vec![],
                item: None,
                environment: None,
                last: None,
                format: HistoryFormat::Table,
                output: None,
            })
        );
    }

    #[test]
    fn unknown_format_is_a_usage_error() {
        let error =
            Arguments::try_parse_from(["deploycheck", "show", "--format", "xml"]).unwrap_err();
        assert_eq!(error.exit_code(), 2);
    }

    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        Arguments::command().debug_assert();
    }
}
