//! `deploycheck sheet`: a blank run sheet in Markdown, plain text or HTML.

use std::path::Path;

use super::{Io, Selected, exit, select_checklist};
use crate::render::sheet::{Sheet, SheetFormat, write_sheet};
use crate::store::write_atomically;

pub fn run(
    io: &mut Io<'_>,
    environment: Option<&str>,
    checklist: Option<&str>,
    format: SheetFormat,
    output: Option<&Path>,
) -> Result<i32, crate::Error> {
    let Selected {
        checklist,
        environment,
        ..
    } = select_checklist(io, environment, checklist)?;
    let sheet = Sheet::new(&checklist, environment.as_deref());
    match output {
        None => write_sheet(io.stdout, &sheet, format)?,
        Some(file) => {
            let mut bytes = Vec::new();
            write_sheet(&mut bytes, &sheet, format)?;
            let target = io.cwd.join(file);
            write_atomically(&target, &bytes).map_err(|source| crate::Error::Write {
                path: target.clone(),
                source,
            })?;
        }
    }
    Ok(exit::SUCCESS)
}
