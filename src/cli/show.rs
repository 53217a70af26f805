//! `deploycheck show`: the parsed tree as an outline, JSON or YAML.

use super::{Io, Selected, ShowFormat, exit, select_checklist};
use crate::render::{TreeOptions, write_tree};

pub fn run(
    io: &mut Io<'_>,
    environment: Option<&str>,
    checklist: Option<&str>,
    format: ShowFormat,
    show_ids: bool,
) -> Result<i32, crate::Error> {
    let Selected {
        checklist,
        environment,
        total_items,
    } = select_checklist(io, environment, checklist)?;
    match format {
        ShowFormat::Tree => {
            let options = TreeOptions {
                environment: environment.as_deref(),
                total_items,
                show_ids,
            };
            write_tree(io.stdout, &checklist, &options, io.style)?;
        }
        ShowFormat::Json => {
            serde_json::to_writer_pretty(&mut *io.stdout, &checklist)?;
            writeln!(io.stdout)?;
        }
        ShowFormat::Yaml => {
            write!(
                io.stdout,
                "{}",
                crate::source::to_yaml_checklist(&checklist)?
            )?;
        }
    }
    Ok(exit::SUCCESS)
}
