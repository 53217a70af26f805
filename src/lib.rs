//! deploycheck: deployment checklists in Markdown or YAML, walked and recorded.
//!
//! The crate is a library with a thin binary. Modules, from the inside out:
//! - [`model`]: the typed checklist tree (phases → sections → items, thresholds, IDs);
//! - [`input`](crate::input) and [`yaml`]: reading any input file, and any YAML document, with
//!   the same caps and limits;
//! - [`source`]: Markdown and YAML files → model, with diagnostics that name file and line;
//! - [`project`]: the `checklists/` folder, its config, checklist and environment names;
//! - [`render`]: human-readable output into any `Write`;
//! - [`fuzz_records`]: the run record's and the journal's properties, for the fuzz targets
//!   in `fuzz/` (an API for fuzzing only);
//! - [`cli`]: arguments → typed command → exit code; the only layer that sees process I/O
//!   through the [`cli::Io`] it is handed.

pub mod audit;
pub mod cli;
pub mod clock;
pub mod engine;
pub mod error;
pub mod fuzz_records;
pub mod host;
pub(crate) mod input;
pub mod model;
pub mod project;
pub mod render;
pub mod run;
pub mod source;
pub mod store;
pub mod term;
pub mod text;
pub mod yaml;

use std::ffi::OsString;
use std::io::IsTerminal;

pub use error::Error;

/// Lowercase hex, for digests and checksums.
pub(crate) fn hex(bytes: &[u8]) -> String {
    base16ct::lower::encode_string(bytes)
}

/// Runs deploycheck with the process's own streams, working directory and environment;
/// `exit` ends the process after an interrupted run is saved.
pub fn run<I, T>(args: I, exit: fn(i32) -> !) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let host = host::Host::from_process(exit);
    // The crash-point testing hook (see `store`): off unless its variables are set.
    if let Err(message) = store::fault::configure(
        host.var(store::fault::CRASH_VARIABLE).as_deref(),
        host.var(store::fault::FAIL_VARIABLE).as_deref(),
    ) {
        eprintln!("error: {message}");
        return cli::exit::USAGE;
    }
    let no_color = host.var("NO_COLOR").is_some();
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let style = render::Style::for_output(stdout.is_terminal(), no_color);
    let stderr_style = render::Style::for_output(stderr.is_terminal(), no_color);
    let cwd = match std::env::current_dir() {
        Ok(cwd) => cwd,
        Err(error) => {
            eprintln!("error: cannot read the current directory: {error}");
            return cli::exit::USAGE;
        }
    };
    let stdin = std::io::stdin();
    // A person is typing when stdin is a terminal, even if stdout goes to `tee`.
    // `DEPLOYCHECK_ASSUME_TERMINAL=1` gives scripted input the terminal's prompts, so
    // rehearsals and tests see exactly what a person would.
    let interactive =
        stdin.is_terminal() || host.var("DEPLOYCHECK_ASSUME_TERMINAL").as_deref() == Some("1");
    let mut input = stdin.lock();
    // Not locked for the whole run: the Ctrl-C handler writes to stderr from its own
    // thread while this one waits for input, and a held lock would hang it.
    let mut out = stdout;
    let mut err = stderr;
    let mut io = cli::Io {
        cwd,
        stdin: &mut input,
        interactive,
        stdout: &mut out,
        stderr: &mut err,
        style,
        stderr_style,
        host,
    };
    cli::run(args, &mut io)
}
