//! `deploycheck history [DIR...]`: the runs under the folders over time, or one item's.

use std::path::PathBuf;

use super::{HistoryOptions, Io, exit};
use crate::error::Error;
use crate::history::{self, Filter};
use crate::project::{Project, display_path};
use crate::render::history::{HistoryFormat, ItemView, Layout, write_history, write_item};
use crate::render::{Style, width};

/// The folders to read: those named, each of which must be a folder, or the project's
/// records folder (which may not exist yet: no runs).
fn folders(
    io: &Io<'_>,
    options: &HistoryOptions,
) -> Result<(Vec<PathBuf>, Option<Project>), Error> {
    let project = Project::discover(&io.cwd)?;
    if options.folders.is_empty() {
        let Some(project) = project else {
            return Err(Error::Refused(format!(
                "no checklists/ folder in {} or any folder above it, so no records folder to read; name one: deploycheck history runs/",
                io.cwd.display()
            )));
        };
        let records = project.records_dir();
        let found = if records.is_dir() {
            vec![records]
        } else {
            Vec::new()
        };
        return Ok((found, Some(project)));
    }
    let mut found = Vec::new();
    for folder in &options.folders {
        let full = io.cwd.join(folder);
        if !full.is_dir() {
            return Err(Error::Refused(format!(
                "{}: not a folder; name folders that hold run folders, such as runs/",
                folder.display()
            )));
        }
        found.push(full);
    }
    Ok((found, project))
}

/// The environment a `--env` names, with the project's aliases (`prod` → `production`).
fn environment(project: Option<&Project>, given: &str) -> String {
    let lower = given.to_ascii_lowercase();
    project
        .and_then(|p| {
            p.config
                .environments
                .iter()
                .find(|(name, aliases)| {
                    name.eq_ignore_ascii_case(&lower)
                        || aliases.iter().any(|a| a.eq_ignore_ascii_case(&lower))
                })
                .map(|(name, _)| name.clone())
        })
        .unwrap_or(lower)
}

pub fn run(io: &mut Io<'_>, options: HistoryOptions) -> Result<i32, Error> {
    let (folders, project) = folders(io, &options)?;
    let shown: Vec<String> = if folders.is_empty() {
        let records = project
            .as_ref()
            .map(Project::records_dir)
            .unwrap_or_default();
        vec![display_path(&records, &io.cwd)]
    } else {
        folders.iter().map(|f| display_path(f, &io.cwd)).collect()
    };
    let mut sources = history::open(&folders, &io.cwd)?;
    let warn = io.stderr_style;
    for warning in &sources.warnings {
        writeln!(
            io.stderr,
            "{} {warning}",
            warn.yellow(&warn.bold("warning:"))
        )?;
    }
    let filter = Filter {
        environment: options
            .environment
            .as_deref()
            .map(|e| environment(project.as_ref(), e)),
        last: options.last,
    };
    let format = options.format;
    // A file gets plain text: colour codes belong to a terminal.
    let style = if options.output.is_some() {
        Style::default()
    } else {
        io.style
    };
    let layout = Layout {
        style,
        columns: width::columns(io.host.var("COLUMNS").as_deref()),
        rows: match options.last {
            Some(_) => None,
            None => Some(crate::render::history::DEFAULT_ROWS),
        },
    };
    let mut buffer: Vec<u8> = Vec::new();
    let out: &mut dyn std::io::Write = match options.output {
        Some(_) => &mut buffer,
        None => &mut *io.stdout,
    };
    match options.item {
        Some(given) => {
            let id = sources.resolve_item(&given)?;
            sources.narrow(&filter, &io.cwd)?;
            let item = sources.item_history(&id, &io.cwd)?;
            let skipped = sources.skipped(&io.cwd)?;
            let view = ItemView {
                folders: &shown,
                item: &item,
                skipped: &skipped,
            };
            write_item(out, &view, format, layout)?;
        }
        None => {
            let charts = format == HistoryFormat::Html;
            let history = sources.history(&filter, &io.cwd, shown, charts)?;
            write_history(out, &history, format, layout)?;
        }
    }
    if let Some(path) = options.output {
        let full = io.cwd.join(&path);
        crate::store::write_atomically(&full, &buffer).map_err(|source| Error::Write {
            path: full.clone(),
            source,
        })?;
        writeln!(io.stderr, "wrote {}", display_path(&full, &io.cwd))?;
    }
    Ok(exit::SUCCESS)
}
