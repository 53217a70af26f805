//! `deploycheck show`: the parsed tree as an outline, JSON or YAML.

use super::{Io, ShowFormat, checklist_path, exit, mention_warnings, project_for};
use crate::project::{Environments, load_checklist};
use crate::render::{TreeOptions, write_tree};

pub fn run(
    io: &mut Io<'_>,
    environment: Option<&str>,
    checklist: Option<&str>,
    format: ShowFormat,
    show_ids: bool,
) -> anyhow::Result<i32> {
    let project = project_for(io, checklist)?;
    let path = checklist_path(io, project.as_ref(), checklist)?;
    let loaded = load_checklist(&path, &io.cwd)?;
    let shown = loaded.checklist.source.path.clone();
    mention_warnings(io, &shown, loaded.warnings.len())?;
    let total_items = loaded.checklist.item_count();
    let (checklist, environment) = match environment {
        Some(requested) => {
            let environments =
                Environments::new(project.as_ref().map(|p| &p.config), &loaded.checklist);
            let name = environments.resolve(requested)?;
            (loaded.checklist.for_environment(&name), Some(name))
        }
        None => (loaded.checklist, None),
    };
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
