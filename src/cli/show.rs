//! `deploycheck show`: the parsed tree as an outline, JSON or YAML.

use std::io::Write;

use super::{Io, Selected, ShowFormat, exit, select_checklist};
use crate::render::{TreeOptions, write_json, write_tree};

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
    // stdout flushes at every newline, and the JSON of a large checklist is millions of
    // short lines: one buffer turns a million small writes into a few hundred large ones.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, &mut *io.stdout);
    match format {
        ShowFormat::Tree => {
            let options = TreeOptions {
                environment: environment.as_deref(),
                total_items,
                show_ids,
            };
            write_tree(&mut out, &checklist, &options, io.style)?;
        }
        ShowFormat::Json => {
            write_json(&mut out, &checklist)?;
            writeln!(out)?;
        }
        ShowFormat::Yaml => {
            write!(out, "{}", crate::source::to_yaml_checklist(&checklist)?)?;
        }
    }
    out.flush()?;
    // Freeing a large tree node by node gives nothing back to a process about to exit.
    std::mem::forget(checklist);
    Ok(exit::SUCCESS)
}
