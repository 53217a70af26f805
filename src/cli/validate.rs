//! `deploycheck validate`: parse and lint checklists; warnings exit 0, errors exit 2.

use std::path::PathBuf;

use serde::Serialize;

use super::{Io, ValidateFormat, exit};
use crate::error::Error;
use crate::model::{Checklist, SourceFormat};
use crate::project::{CONFIG_FILE, Project, display_path, load_checklist, read_config};
use crate::source::Diagnostic;

#[derive(Serialize)]
struct Report {
    file: String,
    ok: bool,
    items: Option<usize>,
    diagnostics: Vec<Diagnostic>,
}

pub fn run(
    io: &mut Io<'_>,
    files: &[PathBuf],
    format: ValidateFormat,
    strict: bool,
) -> Result<i32, crate::Error> {
    let mut reports = Vec::new();
    let targets: Vec<PathBuf> = if files.is_empty() {
        // Opening the project also checks checklists/deploycheck.yaml.
        let project = match Project::discover(&io.cwd) {
            Ok(Some(project)) => project,
            Ok(None) => {
                return Err(Error::NoProject {
                    start: io.cwd.clone(),
                });
            }
            Err(Error::Config(diagnostic)) => {
                reports.push(Report {
                    file: diagnostic.file.clone(),
                    ok: false,
                    items: None,
                    diagnostics: vec![diagnostic],
                });
                return finish(io, reports, format);
            }
            Err(other) => return Err(other),
        };
        let files = project.checklist_files();
        if files.is_empty() {
            return Err(Error::NoChecklists {
                dir: project.checklists_dir,
            });
        }
        files
    } else {
        files.iter().map(|f| io.cwd.join(f)).collect()
    };
    for path in &targets {
        let shown = display_path(path, &io.cwd);
        if path.file_name().and_then(|n| n.to_str()) == Some(CONFIG_FILE) {
            reports.push(match read_config(path, &shown) {
                Ok(_) => Report {
                    file: shown,
                    ok: true,
                    items: None,
                    diagnostics: Vec::new(),
                },
                Err(Error::Config(diagnostic)) => Report {
                    file: shown,
                    ok: false,
                    items: None,
                    diagnostics: vec![diagnostic],
                },
                Err(other) => return Err(other),
            });
            continue;
        }
        let report = match load_checklist(path, &io.cwd) {
            Ok(loaded) => {
                let mut diagnostics = loaded.warnings;
                if strict {
                    diagnostics.extend(doubts(&loaded.checklist));
                    diagnostics.sort_by_key(|d| (d.line.unwrap_or(0), d.severity));
                }
                let items = loaded.checklist.item_count();
                // The process ends soon after: freeing a large tree node by node costs
                // about a twentieth of the whole command and gives nothing back, so the
                // tree is left for the process's exit to reclaim.
                std::mem::forget(loaded.checklist);
                Report {
                    file: shown,
                    ok: true,
                    items: Some(items),
                    diagnostics,
                }
            }
            Err(Error::Load(error)) => Report {
                file: shown,
                ok: false,
                items: None,
                diagnostics: error.diagnostics,
            },
            Err(other) => return Err(other),
        };
        reports.push(report);
    }
    finish(io, reports, format)
}

/// `--strict`: every inference the parser was not sure of, as a warning at its line.
fn doubts(checklist: &Checklist) -> Vec<Diagnostic> {
    checklist
        .all_notes()
        .filter(|note| note.doubtful)
        .map(|note| {
            // The comment that corrects this inference, where there is one.
            let why = if note.why.is_empty() {
                "a number without a unit read from the item's text"
            } else {
                &note.why
            };
            let yaml = checklist.source.format == SourceFormat::Yaml;
            let fix = match note.what {
                // A YAML item says it with its own key; Markdown, with a comment.
                "threshold" if yaml => "its `threshold:` key (`threshold: null` for none)".into(),
                what if yaml => format!("its `{what}:` key"),
                "threshold" => "a <!-- deploycheck: threshold=none --> comment".into(),
                "role" => "a <!-- deploycheck: role=\"...\" --> comment".into(),
                _ => "a <!-- deploycheck: ... --> comment".into(),
            };
            let message = match note.what {
                // Nothing was inferred to correct: the note says what to change.
                "skipped" => why.to_string(),
                // The note already names the comment that settles it.
                _ if !yaml && why.contains("<!-- deploycheck:") => {
                    format!("inferred {}: {why}", note.what)
                }
                what => {
                    format!("inferred {what}: {why}; if that is wrong, say what it is with {fix}")
                }
            };
            Diagnostic::warning(&checklist.source.path, note.line, message)
        })
        .collect()
}

fn finish(
    io: &mut Io<'_>,
    reports: Vec<Report>,
    format: ValidateFormat,
) -> Result<i32, crate::Error> {
    let failed = reports.iter().any(|r| !r.ok);
    match format {
        ValidateFormat::Json => {
            crate::render::write_json(&mut *io.stdout, &reports)?;
            writeln!(io.stdout)?;
        }
        ValidateFormat::Text => {
            let style = io.stderr_style;
            for report in &reports {
                for diagnostic in &report.diagnostics {
                    let line = diagnostic.to_string();
                    let line = if diagnostic.is_error() {
                        line.replacen(": error:", &format!(": {}", style.red("error:")), 1)
                    } else {
                        line.replacen(": warning:", &format!(": {}", style.yellow("warning:")), 1)
                    };
                    writeln!(io.stderr, "{line}")?;
                }
                let warnings = report.diagnostics.iter().filter(|d| !d.is_error()).count();
                let errors = report.diagnostics.len() - warnings;
                let summary = match report.items {
                    None if report.ok => "ok (project settings)".to_string(),
                    Some(items) if report.ok => {
                        format!(
                            "ok, {}, {}",
                            count(items, "item"),
                            count(warnings, "warning")
                        )
                    }
                    _ => format!(
                        "FAILED, {}, {}",
                        count(errors, "error"),
                        count(warnings, "warning")
                    ),
                };
                writeln!(io.stdout, "{}: {summary}", report.file)?;
            }
        }
    }
    Ok(if failed { exit::USAGE } else { exit::SUCCESS })
}

fn count(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
