//! From `argv` to an exit code: parse arguments, run one command, report errors.
//!
//! Every command writes to the [`Io`] it is handed, never to the process's own streams, so
//! integration tests and unit tests see exactly what a user would.

mod arguments;
mod checks;
mod config;
mod follow_up;
mod history;
mod list;
mod records;
mod run;
mod sheet;
mod show;
mod signoff;
mod validate;

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use clap::{CommandFactory, Parser};

pub use arguments::{Arguments, DiffFormat, DueFormat, ListFormat, ShowFormat, ValidateFormat};
pub use config::{Command, HistoryOptions, ResumeChoice, RunOptions, SignoffOptions};

use crate::error::Error;
use crate::project::Project;
use crate::render::Style;

pub use crate::error::exit;

/// What a command may touch of the outside world.
pub struct Io<'a> {
    pub cwd: PathBuf,
    /// Where prompts read their lines: a line editor at a real terminal, else stdin.
    pub input: &'a mut dyn crate::term::LineInput,
    /// Whether a person is typing at a terminal (stdin is one).
    pub interactive: bool,
    pub stdout: &'a mut dyn Write,
    pub stderr: &'a mut dyn Write,
    pub style: Style,
    pub stderr_style: Style,
    pub host: crate::host::Host,
}

/// Runs one invocation and returns its exit code.
pub fn run<I, T>(args: I, io: &mut Io<'_>) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let arguments = match Arguments::try_parse_from(args) {
        Ok(arguments) => arguments,
        Err(error) => {
            let rendered = if io.stderr_style.color {
                error.render().ansi().to_string()
            } else {
                error.render().to_string()
            };
            let code = error.exit_code();
            let stream: &mut dyn Write = if code == 0 { io.stdout } else { io.stderr };
            let _ = write!(stream, "{rendered}");
            return code;
        }
    };
    match execute(Command::from(arguments), io) {
        Ok(code) => code,
        Err(error) => report(&error, io),
    }
}

fn execute(command: Command, io: &mut Io<'_>) -> Result<i32, Error> {
    match command {
        Command::Show {
            environment,
            checklist,
            format,
            show_ids,
        } => show::run(
            io,
            environment.as_deref(),
            checklist.as_deref(),
            format,
            show_ids,
        ),
        Command::List { format } => list::run(io, format),
        Command::Run(options) => run::run(io, options),
        Command::Report { record, format } => records::report(io, &record, format),
        Command::Diff { a, b, format, all } => records::diff(io, &a, &b, format, all),
        Command::Verify {
            record,
            allowed_signers,
        } => records::verify(io, &record, allowed_signers.as_deref()),
        Command::Signoff(options) => signoff::run(io, &options),
        Command::Sheet {
            environment,
            checklist,
            format,
            output,
        } => sheet::run(
            io,
            environment.as_deref(),
            checklist.as_deref(),
            format,
            output.as_deref(),
        ),
        Command::Validate {
            files,
            format,
            strict,
        } => validate::run(io, &files, format, strict),
        Command::Due { dirs, format } => follow_up::due(io, &dirs, format),
        Command::FollowUp {
            run,
            answers,
            operator,
        } => follow_up::follow_up(io, &run, answers.as_deref(), operator),
        Command::History(options) => history::run(io, options),
        Command::Schema => {
            let schema = schemars::schema_for!(crate::source::yaml::YamlChecklist);
            crate::render::write_json(&mut *io.stdout, &schema)?;
            writeln!(io.stdout)?;
            Ok(exit::SUCCESS)
        }
        Command::Man => {
            clap_mangen::Man::new(Arguments::command()).render(io.stdout)?;
            Ok(exit::SUCCESS)
        }
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Arguments::command(), "deploycheck", io.stdout);
            Ok(exit::SUCCESS)
        }
    }
}

/// The one renderer of errors: diagnostics as `FILE:LINE: error: ...`, everything else as
/// `error: ...` with its causes, cargo-style. Returns the error's exit code.
fn report(error: &Error, io: &mut Io<'_>) -> i32 {
    let code = error.exit_code();
    if code == exit::SUCCESS {
        // Whoever read our output has gone (a closed pipe): nothing to say.
        return code;
    }
    let style = io.stderr_style;
    match error {
        Error::Load(load) => {
            let _ = writeln!(io.stderr, "{load}");
        }
        Error::Config(diagnostic) => {
            let _ = writeln!(io.stderr, "{diagnostic}");
        }
        _ => {
            let _ = writeln!(io.stderr, "{} {error}", style.red(&style.bold("error:")));
            for cause in causes_to_show(error) {
                let _ = writeln!(io.stderr, "\nCaused by:\n    {cause}");
            }
        }
    }
    code
}

/// The causes under an error's message worth a `Caused by:` line each. Many messages
/// already end with their cause (`cannot lock FILE: No space left on device`), because
/// the walk shows the message alone; a cause the line above ends with is not repeated.
fn causes_to_show(error: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut shown = Vec::new();
    let mut above = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        let text = inner.to_string();
        if !above.ends_with(&text) {
            shown.push(text.clone());
        }
        above = text;
        cause = inner.source();
    }
    shown
}

/// The project around the current directory, required unless a checklist path is given.
fn project_for(io: &Io<'_>, checklist: Option<&str>) -> Result<Option<Project>, Error> {
    let project = Project::discover(&io.cwd)?;
    let path_given = checklist.is_some_and(crate::project::looks_like_path);
    if project.is_none() && !path_given {
        return Err(Error::NoProject {
            start: io.cwd.clone(),
        });
    }
    Ok(project)
}

/// Resolves `-c` against the project, or takes it as a path when there is no project.
fn checklist_path(
    io: &Io<'_>,
    project: Option<&Project>,
    checklist: Option<&str>,
) -> Result<PathBuf, Error> {
    match (project, checklist) {
        (Some(project), requested) => {
            let path = project.resolve_checklist(requested)?;
            Ok(project.locate(path, &io.cwd))
        }
        (None, Some(path)) => Ok(io.cwd.join(path)),
        (None, None) => Err(Error::NoProject {
            start: io.cwd.clone(),
        }),
    }
}

/// A checklist as a command that takes `[ENV] [-c NAME|PATH]` uses it.
struct Selected {
    checklist: crate::model::Checklist,
    /// The resolved environment, when one was asked for.
    environment: Option<String>,
    /// Items before filtering to the environment.
    total_items: usize,
}

/// Finds, loads and filters the checklist a command names, mentioning its warnings.
fn select_checklist(
    io: &mut Io<'_>,
    environment: Option<&str>,
    checklist: Option<&str>,
) -> Result<Selected, Error> {
    let project = project_for(io, checklist)?;
    let path = checklist_path(io, project.as_ref(), checklist)?;
    let loaded = crate::project::load_checklist(&path, &io.cwd)?;
    let shown = loaded.checklist.source.path.clone();
    mention_warnings(io, &shown, loaded.warnings.len())?;
    let total_items = loaded.checklist.item_count();
    let (checklist, environment) = match environment {
        Some(requested) => {
            let environments = crate::project::Environments::new(
                project.as_ref().map(|p| &p.config),
                &loaded.checklist,
            );
            let name = environments.resolve(requested)?;
            (loaded.checklist.into_environment(&name), Some(name))
        }
        None => (loaded.checklist, None),
    };
    Ok(Selected {
        checklist,
        environment,
        total_items,
    })
}

/// One line on stderr when a loaded checklist has warnings, pointing at `validate`.
fn mention_warnings(io: &mut Io<'_>, shown: &str, count: usize) -> std::io::Result<()> {
    if count > 0 {
        let s = if count == 1 { "" } else { "s" };
        let style = io.stderr_style;
        writeln!(
            io.stderr,
            "{} {shown}: {count} warning{s}; run `deploycheck validate {shown}` to see them",
            style.yellow(&style.bold("warning:"))
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::LockError;

    fn full_disk() -> std::io::Error {
        std::io::Error::from_raw_os_error(28)
    }

    #[test]
    fn a_cause_the_message_spells_out_is_not_repeated() {
        let error = Error::Lock(LockError::Io {
            path: PathBuf::from("runs/.locks/x.lock"),
            source: full_disk(),
        });
        assert!(error.to_string().ends_with(&full_disk().to_string()));
        assert_eq!(causes_to_show(&error), Vec::<String>::new());
    }

    #[test]
    fn a_cause_the_message_leaves_out_has_its_own_line() {
        let error = Error::Write {
            path: PathBuf::from("runs"),
            source: full_disk(),
        };
        assert_eq!(causes_to_show(&error), [full_disk().to_string()]);
    }

    #[test]
    fn a_cause_whose_words_only_appear_inside_the_message_keeps_its_line() {
        let cause = std::io::Error::other("timed out");
        let error = Error::Write {
            path: PathBuf::from("runs/timed out/x"),
            source: cause,
        };
        assert_eq!(causes_to_show(&error), ["timed out"]);
    }
}
