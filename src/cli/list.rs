//! `deploycheck list`: every checklist in `checklists/`, its environments and item counts,
//! and where records go when that is outside the project.

use serde::Serialize;

use super::{Io, ListFormat, exit};
use crate::error::Error;
use crate::project::{Environments, Project, display_path, load_checklist};

#[derive(Serialize)]
struct Entry {
    name: String,
    path: String,
    default: bool,
    format: Option<String>,
    title: Option<String>,
    items: Option<usize>,
    environments: Vec<EnvironmentCount>,
    warnings: usize,
    error: Option<String>,
}

#[derive(Serialize)]
struct EnvironmentCount {
    name: String,
    items: usize,
}

pub fn run(io: &mut Io<'_>, format: ListFormat) -> Result<i32, crate::Error> {
    let project = Project::discover(&io.cwd)?.ok_or_else(|| Error::NoProject {
        start: io.cwd.clone(),
    })?;
    let files = project.checklist_files();
    if files.is_empty() {
        return Err(Error::NoChecklists {
            dir: project.checklists_dir.clone(),
        });
    }
    let default = project
        .resolve_checklist(None)
        .ok()
        .map(|path| project.locate(path, &io.cwd));
    let entries: Vec<Entry> = files
        .iter()
        .zip(project.names(&files))
        .map(|(path, name)| {
            let mut entry = Entry {
                name,
                path: display_path(path, &io.cwd),
                default: default.as_deref() == Some(path.as_path()),
                format: None,
                title: None,
                items: None,
                environments: Vec::new(),
                warnings: 0,
                error: None,
            };
            match load_checklist(path, &io.cwd) {
                Ok(loaded) => {
                    let checklist = &loaded.checklist;
                    entry.format = Some(
                        serde_json::to_value(checklist.source.format)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_string))
                            .unwrap_or_default(),
                    );
                    entry.title = Some(checklist.title.clone());
                    entry.items = Some(checklist.item_count());
                    entry.warnings = loaded.warnings.len();
                    entry.environments = Environments::new(Some(&project.config), checklist)
                        .known
                        .into_iter()
                        .map(|name| EnvironmentCount {
                            items: checklist.item_count_in(&name),
                            name,
                        })
                        .collect();
                }
                Err(error) => entry.error = Some(error.to_string()),
            }
            entry
        })
        .collect();

    match format {
        ListFormat::Json => {
            crate::render::write_json(&mut *io.stdout, &entries)?;
            writeln!(io.stdout)?;
        }
        ListFormat::Table => {
            let mut table = crate::render::table(io.style);
            table.set_header(["NAME", "TITLE", "FORMAT", "ITEMS", "BY ENVIRONMENT"]);
            for entry in &entries {
                let name = if entry.default {
                    format!("{} (default)", entry.name)
                } else {
                    entry.name.clone()
                };
                let environments = entry
                    .environments
                    .iter()
                    .map(|e| format!("{} {}", e.name, e.items))
                    .collect::<Vec<_>>()
                    .join(", ");
                match &entry.error {
                    Some(_) => table.add_row([
                        name,
                        "(does not load, see below)".into(),
                        String::new(),
                        String::new(),
                        String::new(),
                    ]),
                    None => table.add_row([
                        name,
                        entry.title.clone().unwrap_or_default(),
                        entry.format.clone().unwrap_or_default(),
                        entry.items.map(|n| n.to_string()).unwrap_or_default(),
                        environments,
                    ]),
                };
            }
            writeln!(io.stdout, "{table}")?;
        }
    }
    if let Some(note) = project.records_outside_note() {
        writeln!(io.stderr, "{note}")?;
    }
    let mut failed = false;
    for entry in &entries {
        if let Some(error) = &entry.error {
            writeln!(io.stderr, "{error}")?;
            failed = true;
        }
    }
    Ok(if failed { exit::USAGE } else { exit::SUCCESS })
}
