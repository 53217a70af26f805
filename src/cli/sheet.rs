//! `deploycheck sheet`: a blank run sheet in Markdown, plain text or HTML.

use std::path::Path;

use anyhow::Context as _;

use super::{Io, checklist_path, exit, mention_warnings, project_for};
use crate::project::{Environments, load_checklist};
use crate::render::sheet::{Sheet, SheetFormat, write_sheet};
use crate::store::write_atomically;

pub fn run(
    io: &mut Io<'_>,
    environment: Option<&str>,
    checklist: Option<&str>,
    format: SheetFormat,
    output: Option<&Path>,
) -> anyhow::Result<i32> {
    let project = project_for(io, checklist)?;
    let path = checklist_path(io, project.as_ref(), checklist)?;
    let loaded = load_checklist(&path, &io.cwd)?;
    let shown = loaded.checklist.source.path.clone();
    mention_warnings(io, &shown, loaded.warnings.len())?;
    let (checklist, environment) = match environment {
        Some(requested) => {
            let environments =
                Environments::new(project.as_ref().map(|p| &p.config), &loaded.checklist);
            let name = environments.resolve(requested)?;
            (loaded.checklist.into_environment(&name), Some(name))
        }
        None => (loaded.checklist, None),
    };
    let sheet = Sheet::new(&checklist, environment.as_deref());
    match output {
        None => write_sheet(io.stdout, &sheet, format)?,
        Some(file) => {
            let mut bytes = Vec::new();
            write_sheet(&mut bytes, &sheet, format)?;
            let target = io.cwd.join(file);
            write_atomically(&target, &bytes)
                .with_context(|| format!("cannot write {}", file.display()))?;
        }
    }
    Ok(exit::SUCCESS)
}
