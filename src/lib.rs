//! deploycheck: deployment checklists in Markdown or YAML, walked and recorded.
//!
//! A library with a thin binary (`main.rs` calls [`run()`](fn@run)). From the inside out:
//!
//! - [`model`]: the typed checklist tree (phases → sections → items, thresholds, IDs), the
//!   run record, times ([`model::Timestamp`]) and the verdict, which is a function of a
//!   record's items, sign-offs and rollback.
//! - `input` and [`yaml`]: every input file is read through the same caps (enforced while
//!   reading) and every YAML document through the same depth, alias and duplicate-key
//!   limits.
//! - [`source`]: Markdown and YAML checklists → model through one builder, so both formats
//!   infer the same tree; diagnostics name file and line.
//! - [`engine`]: the walk as a pure state machine. [`engine::Event`] is the one event
//!   type: the walk applies it, the journal stores it, and [`engine::replay`] folds a
//!   journal back into a walk through the same `apply`. Who and when come with each event.
//! - [`store`]: a folder per run with its journal (appended and fsynced before each prompt,
//!   every line checksummed) and its record (written atomically); the lock; nothing opened
//!   through a symlink. Its module documentation lists the order of durable writes.
//! - [`run`](mod@run): the walk joined to its journal and record; finding unfinished runs and
//!   rewriting a finished run's missing record from its journal.
//! - `term`: the only code that talks to the person: prompts, the resume briefing.
//! - `render`: reports, summaries, sheets and trees, written into any `Write`.
//! - `audit`: reading records, diffs and SSH signatures.
//! - `cli`: arguments → typed command → exit code, with one error type (`Error`) and one
//!   renderer; `host` holds the facts of the machine (environment, host name, git, clock),
//!   read once at the edge and handed in.
//! - `fuzz`: the readers' properties (checklists, answers, settings, records and
//!   journals), for the fuzz targets in `fuzz/` (an API for fuzzing only).

// The deliberate public API: the model (checklists and run records), reading checklists
// and records, and the walk with its journal, for programs that embed or measure a run.
pub mod engine;
pub mod model;
pub mod run;
pub mod source;
pub mod store;
pub mod yaml;
// For the fuzz targets in fuzz/ only.
pub mod fuzz;

// Everything else is the command-line tool's own.
pub(crate) mod audit;
pub(crate) mod check;
pub(crate) mod cli;
pub(crate) mod clock;
pub(crate) mod error;
pub(crate) mod history;
pub(crate) mod host;
pub(crate) mod input;
pub(crate) mod project;
pub(crate) mod render;
pub(crate) mod term;
pub(crate) mod text;
pub(crate) mod threads;
pub(crate) mod words;

use std::ffi::OsString;
use std::io::IsTerminal;

pub use error::Error;

/// Maps and sets keyed by item IDs, names and indexes. foldhash rather than the standard
/// SipHash: a 100k-item run looks IDs up hundreds of thousands of times, and SipHash was 4%
/// of such a run and of `diff`. Seeded at random per process, as the standard one is, so
/// no file can be made to collide on purpose.
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
/// See [`FastMap`].
pub(crate) type FastSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;

/// Lowercase hex, for digests and checksums.
pub(crate) fn hex(bytes: &[u8]) -> String {
    base16ct::lower::encode_string(bytes)
}

/// Sets the process's allocator up for loading large checklists; called once at the start
/// of `main`, before any other thread exists (the benchmarks call it too, so that their
/// in-process figures are the binary's).
///
/// On a 100k-item file about a third of the time went to page faults. Two settings remove
/// most of them (see the whole-command table of `cargo bench --bench parse`):
/// - glibc hands large blocks back to the kernel when they are freed, and the next large
///   blocks arrive as fresh pages that fault in one by one. Loading a checklist frees the
///   Markdown parser's whole tree and then builds its own, so freed memory is kept in the
///   heap for reuse.
/// - The heap grows in one step of 64 MB (address space only: memory is still used only
///   when written), and that stretch may be backed by 2 MB pages where the system allows
///   them, so a large file faults once per 2 MB rather than once per 4 kB. A small
///   checklist touches one such page.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn tune_allocator() {
    const TOP_PAD: usize = 64 << 20;
    // SAFETY: mallopt only sets allocator parameters, and it is called before any other
    // thread exists; a rejected value leaves the defaults in place. The block is only
    // allocated and freed. `madvise` is given whole pages of the heap, from the block to
    // the heap's end, and only when the block is in the heap (it is not if the heap could
    // not grow and the block was mapped elsewhere); the advice changes how those pages
    // are backed, never their contents.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 64 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 128 << 20);
        libc::mallopt(libc::M_TOP_PAD, TOP_PAD as libc::c_int);
        let block = libc::malloc(1 << 20);
        if block.is_null() {
            return;
        }
        let start = block as usize & !4095;
        let end = libc::sbrk(0) as usize;
        if start < end && end - start <= TOP_PAD + (2 << 20) {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
        }
        libc::free(block);
    }
}

/// Hands freed memory back to the system. The allocator keeps a heap per thread, and
/// memory freed in a helper thread's heap serves no other thread, so a helper that has
/// dropped a large structure calls this before it ends (it trims every heap).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub(crate) fn release_freed_memory() {
    // SAFETY: malloc_trim only returns free memory to the kernel; it is thread-safe.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Hands freed memory back to the system (nothing to do here).
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub(crate) fn release_freed_memory() {}

/// Sets the process's allocator up for loading large checklists (nothing to set here).
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn tune_allocator() {}

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
    // The process's edge: failures before any command runs are the machine's.
    let cwd = match anyhow::Context::context(
        std::env::current_dir(),
        "cannot read the current directory",
    ) {
        Ok(cwd) => cwd,
        Err(error) => {
            eprintln!("error: {error:#}");
            return cli::exit::MACHINE;
        }
    };
    let stdin = std::io::stdin();
    // A person is typing when stdin is a terminal, even if stdout goes to `tee`.
    // `DEPLOYCHECK_ASSUME_TERMINAL=1` gives scripted input the terminal's prompts, so
    // rehearsals and tests see exactly what a person would.
    let interactive =
        stdin.is_terminal() || host.var("DEPLOYCHECK_ASSUME_TERMINAL").as_deref() == Some("1");
    // The line editor takes over the terminal, so only when both ends are one: with
    // stdout going to `tee` its redrawing would land in the file.
    let mut editor = if stdin.is_terminal() && stdout.is_terminal() {
        term::Editor::new()
    } else {
        None
    };
    let mut piped = term::Piped(stdin.lock());
    let input: &mut dyn term::LineInput = match editor.as_mut() {
        Some(editor) => editor,
        None => &mut piped,
    };
    // Not locked for the whole run: the Ctrl-C handler writes to stderr from its own
    // thread while this one waits for input, and a held lock would hang it.
    let mut out = stdout;
    let mut err = stderr;
    let mut io = cli::Io {
        cwd,
        input,
        interactive,
        stdout: &mut out,
        stderr: &mut err,
        style,
        stderr_style,
        host,
    };
    cli::run(args, &mut io)
}
