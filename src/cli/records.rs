//! `report`, `diff` and `verify`: what happens to a run after it, read as the run's state
//! (its record and the addenda added since).

use std::path::Path;

use super::{DiffFormat, Io, exit};
use crate::audit::diff::{FieldChange, RecordDiff, diff_records};
use crate::audit::signing::{SignatureCheck, check_signature, parse_allowed_signers};
use crate::engine::replay;
use crate::input::{ALLOWED_SIGNERS, read_input_text};
use crate::model::Record;
use crate::project::display_path;
use crate::render::{ReportContext, ReportFormat, write_report};
use crate::run::RunState;
use crate::store::{RunFolder, read_journal};

/// Reads a run's state, given its folder, its record or an addendum inside it, saying on
/// stderr whatever reading it found worth saying (a record written again from its journal).
fn load(io: &mut Io<'_>, path: &Path) -> Result<RunState, crate::Error> {
    let state = RunState::load(path, &io.cwd)?;
    for note in &state.notes {
        writeln!(io.stderr, "{note}")?;
    }
    Ok(state)
}

pub fn report(io: &mut Io<'_>, path: &Path, format: ReportFormat) -> Result<i32, crate::Error> {
    let state = load(io, path)?;
    let context = ReportContext {
        path: &state.shown,
        digest_ok: state.record.compute_digest() == state.record.digest,
        state: &state,
    };
    write_report(io.stdout, &state.effective(), &context, format, io.style)?;
    Ok(exit::SUCCESS)
}

pub fn diff(
    io: &mut Io<'_>,
    a: &Path,
    b: &Path,
    format: DiffFormat,
    all: bool,
) -> Result<i32, crate::Error> {
    // Reading a record is nearly all of the work: both at once, the second on a thread of
    // its own. Notes and errors come in the same order as reading one after the other.
    // One run's folder is read once at a time: reading may write its record again.
    let same_folder =
        RunFolder::containing(&io.cwd.join(a)).path == RunFolder::containing(&io.cwd.join(b)).path;
    let (first, second) = if same_folder {
        let first = RunState::load(a, &io.cwd);
        (first, RunState::load(b, &io.cwd))
    } else {
        let cwd = &io.cwd;
        crate::threads::both(|| RunState::load(a, cwd), || RunState::load(b, cwd))
    };
    let first = first?;
    for note in &first.notes {
        writeln!(io.stderr, "{note}")?;
    }
    let second = second?;
    for note in &second.notes {
        writeln!(io.stderr, "{note}")?;
    }
    let (first_name, second_name) = (first.shown.clone(), second.shown.clone());
    // Runs as they stand: sign-offs given later count as given.
    let diff = diff_records(&first.effective(), &second.effective(), all);
    match format {
        DiffFormat::Json => {
            crate::render::write_json(
                &mut *io.stdout,
                &serde_json::json!({"a": first_name, "b": second_name, "same": diff.is_empty(), "differences": diff}),
            )?;
            writeln!(io.stdout)?;
        }
        DiffFormat::Table | DiffFormat::Markdown => write_diff(
            io,
            &diff,
            &first_name,
            &second_name,
            format == DiffFormat::Markdown,
        )?,
    }
    let same = diff.is_empty();
    // The process ends soon after: freeing two large records node by node would hold up
    // the answer and give nothing back, so they are left for the process's exit.
    std::mem::forget((first, second));
    Ok(if same { exit::SUCCESS } else { exit::FAILURE })
}

fn write_diff(
    io: &mut Io<'_>,
    diff: &RecordDiff,
    a: &str,
    b: &str,
    markdown: bool,
) -> std::io::Result<()> {
    let out = &mut *io.stdout;
    if diff.is_empty() {
        return writeln!(out, "no differences between {a} and {b}");
    }
    let mut rows: Vec<[String; 3]> = Vec::new();
    let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".to_string());
    if let Some(v) = &diff.verdict {
        rows.push(["verdict".into(), v.a.clone(), v.b.clone()]);
    }
    if let Some(e) = &diff.environment {
        rows.push(["environment".into(), e.a.clone(), e.b.clone()]);
    }
    if let Some(c) = &diff.checklist {
        rows.push([
            "checklist sha256".into(),
            c.a[..12.min(c.a.len())].to_string(),
            c.b[..12.min(c.b.len())].to_string(),
        ]);
    }
    for f in diff.fields.iter().chain(&diff.context) {
        rows.push([f.name.clone(), show(&f.a), show(&f.b)]);
    }
    for item in &diff.items {
        let describe = |pick: fn(&FieldChange) -> &Option<String>| {
            item.changes
                .iter()
                .map(|c| format!("{}: {}", c.name, show(pick(c))))
                .collect::<Vec<_>>()
                .join("; ")
        };
        rows.push([item.text.clone(), describe(|c| &c.a), describe(|c| &c.b)]);
    }
    for item in &diff.added {
        rows.push([
            item.text.clone(),
            "(not in this run)".into(),
            item.status.clone(),
        ]);
    }
    for item in &diff.removed {
        rows.push([
            item.text.clone(),
            item.status.clone(),
            "(not in this run)".into(),
        ]);
    }
    for s in &diff.signoffs {
        rows.push([format!("sign-off {}", s.role), show(&s.a), show(&s.b)]);
    }
    if let Some(r) = &diff.rollback {
        rows.push(["rollback".into(), r.a.clone(), r.b.clone()]);
    }
    let counts = format!(
        "{} item{} differ, {} added, {} removed",
        diff.items.len(),
        if diff.items.len() == 1 { "" } else { "s" },
        diff.added.len(),
        diff.removed.len()
    );
    if markdown {
        writeln!(out, "**{a}** → **{b}**: {counts}\n")?;
        writeln!(out, "| | {a} | {b} |\n|---|---|---|")?;
        for [what, x, y] in rows {
            writeln!(
                out,
                "| {} | {} | {} |",
                what.replace('|', "\\|"),
                x.replace('|', "\\|"),
                y.replace('|', "\\|")
            )?;
        }
    } else {
        writeln!(out, "{a} → {b}: {counts}")?;
        let mut table = crate::render::table(io.style);
        table.set_header(["", a, b]);
        for row in rows {
            table.add_row(row);
        }
        writeln!(out, "{table}")?;
    }
    Ok(())
}

pub fn verify(
    io: &mut Io<'_>,
    path: &Path,
    allowed_signers: Option<&Path>,
) -> Result<i32, crate::Error> {
    // Replaying the journal costs about as much as reading the record and computing its
    // digest: both at once, the replay on a thread of its own (it only reads the journal,
    // which reading the record never writes). The replayed record is not sealed: it is
    // compared with the record on disk, whose digest is computed here anyway.
    let folder = RunFolder::containing(&io.cwd.join(path));
    let (state, journal) = crate::threads::both(
        || {
            load(io, path).map(|state| {
                let digest = state.record.compute_digest();
                (state, digest)
            })
        },
        || journal_run(&folder),
    );
    let (state, digest) = state?;
    let journal = if state.folder.path == folder.path {
        journal
    } else {
        journal_run(&state.folder)
    };
    let allowed = match allowed_signers {
        Some(file) => {
            let full = io.cwd.join(file);
            let name = display_path(&full, &io.cwd);
            let text =
                read_input_text(&full, &name, ALLOWED_SIGNERS).map_err(crate::Error::Config)?;
            Some(parse_allowed_signers(&text, &name).map_err(crate::Error::Config)?)
        }
        None => None,
    };
    let mut check = Checks {
        out: &mut *io.stdout,
        style: io.style,
        failed: false,
    };
    check_record(&mut check, &state, &digest, journal)?;
    check_addenda(&mut check, &state, allowed.as_deref())?;
    check_legacy_signatures(&mut check, &state.record, allowed.as_deref())?;
    let failed = check.failed;
    let style = io.style;
    if !state.addenda.is_empty() {
        let kinds: Vec<String> = [
            (state.signoffs().count(), "sign-off"),
            (state.follow_ups().count(), "follow-up"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, kind)| format!("{n} {kind} addend{}", if *n == 1 { "um" } else { "a" }))
        .collect();
        writeln!(
            io.stdout,
            "run state (record and {}): {}",
            kinds.join(" and "),
            state.judge().headline()
        )?;
    }
    writeln!(
        io.stdout,
        "{}: {}",
        state.shown,
        if failed {
            style.red("does NOT verify")
        } else {
            style.green("verifies")
        }
    )?;
    // As in `diff`: the record is left for the process's exit to reclaim.
    std::mem::forget(state);
    Ok(if failed { exit::FAILURE } else { exit::SUCCESS })
}

/// `ok ...` and `FAIL ...` lines, remembering whether any failed.
struct Checks<'a> {
    out: &'a mut dyn std::io::Write,
    style: crate::render::Style,
    failed: bool,
}

impl Checks<'_> {
    // Lines name what records and addenda hold, which anyone with the folder can write:
    // an escape sequence there must not redraw a FAIL as an ok.
    fn ok(&mut self, text: &str) -> std::io::Result<()> {
        let text = crate::text::sanitize(text);
        writeln!(self.out, "{} {text}", self.style.green("ok"))
    }

    fn fail(&mut self, text: &str) -> std::io::Result<()> {
        self.failed = true;
        let text = crate::text::sanitize(text);
        writeln!(self.out, "{} {text}", self.style.red("FAIL"))
    }

    fn note(&mut self, text: &str) -> std::io::Result<()> {
        let text = crate::text::sanitize(text);
        writeln!(self.out, "note: {text}")
    }
}

/// The record on its own: its digest, its verdict against its items, its journal, and its
/// bytes against the ones the journal's finish line names.
/// `digest` is the one the record's content gives.
fn check_record(
    check: &mut Checks<'_>,
    state: &RunState,
    digest: &str,
    journal: JournalRun,
) -> std::io::Result<()> {
    let record = &state.record;
    if digest == record.digest {
        check.ok(&format!("digest matches the content ({})", record.digest))?;
    } else {
        check.fail("digest mismatch: the record was edited after it was written")?;
        writeln!(
            check.out,
            "     recorded {}\n     computed {digest}",
            record.digest
        )?;
    }
    // The verdict, counts and triggers held are functions of the items: recompute them.
    let assessment = record.judge();
    let stored = record.headline();
    let recomputed = assessment.headline();
    if stored != recomputed {
        check.fail(&format!(
            "verdict: the record says {stored}, its items say {recomputed}"
        ))?;
    } else {
        check.ok(&format!(
            "the record's verdict {stored} follows from its items"
        ))?;
    }
    if assessment.counts != record.counts {
        check.fail("counts: the record's counts do not match its items")?;
    }
    if assessment.triggers_held != record.rollback.triggers_held {
        check.fail(&format!(
            "triggers_held lists {:?}, the items say {:?}",
            record.rollback.triggers_held, assessment.triggers_held
        ))?;
    }
    // The journal is the run: the record must be the one it gives.
    match journal_check(journal, record, digest) {
        // A run folder's record is written from its journal: without the journal,
        // nothing shows the record is the one the run wrote (a forged record can carry a
        // digest recomputed to match). A record copied out of its folder, or one from
        // before journals, is checked on its own.
        JournalCheck::Absent => match state.as_the_run_wrote() {
            Err(why) => check.fail(&why)?,
            Ok(()) => check.note("no journal beside the record; checked the record on its own")?,
        },
        JournalCheck::Agrees => check.ok("the record is the one its journal gives")?,
        JournalCheck::Differs(difference) => check.fail(&format!(
            "the record differs from its journal: {difference}"
        ))?,
        JournalCheck::Unreadable(error) => check.fail(&error)?,
    }
    // A finished run's journal names its record's exact bytes before they are written, so
    // an edit that leaves the content alone (a comment, a reformatting) is caught too.
    if let Some(crate::engine::Event::Finish { .. }) =
        crate::store::last_event(&state.folder.journal_path())
    {
        match state.as_the_run_wrote() {
            Ok(()) => {
                check.ok("the record's bytes are the ones its journal's finish line names")?
            }
            Err(why) => check.fail(&why)?,
        }
    }
    Ok(())
}

/// Each addendum: that it names this record's bytes and holds together (else it is
/// rejected, and that fails), its signature, whose key that is, and what it changed.
/// A follow-up addendum: what it changed, and that it is the one its journal gives (the
/// journal's finish line names the addendum's bytes).
fn check_follow_up(check: &mut Checks<'_>, state: &RunState, index: usize) -> std::io::Result<()> {
    let addendum = &state.addenda[index];
    let Some(follow_up) = addendum.follow_up() else {
        return Ok(());
    };
    let changed = state.effective_with(index + 1).headline();
    let file = addendum
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    check.ok(&format!("{}: {changed} ({file})", follow_up.describe()))?;
    // One whose file is not what its journal gives was reported as it was read (the
    // journal's answers count in its place): nothing here vouches for the file.
    if addendum.from_journal {
        return Ok(());
    }
    let journal = addendum.path.with_extension("jsonl");
    match crate::store::last_event(&journal) {
        Some(crate::engine::Event::Finish { .. }) => {
            check.ok(&format!("{file} is the one its journal gives"))
        }
        _ => check.note(&format!(
            "{file} has no finished journal beside it to check it against"
        )),
    }
}

fn check_addenda(
    check: &mut Checks<'_>,
    state: &RunState,
    allowed: Option<&[crate::audit::signing::AllowedSigner]>,
) -> std::io::Result<()> {
    for rejected in &state.rejected {
        check.fail(&format!("{}: {}", rejected.shown, rejected.reason))?;
    }
    for line in state.answered_more_than_once() {
        check.note(&line)?;
    }
    let mut unsigned = 0;
    for (index, addendum) in state.addenda.iter().enumerate() {
        if addendum.follow_up().is_some() {
            check_follow_up(check, state, index)?;
            continue;
        }
        let Some(signoff) = addendum.signoff() else {
            continue;
        };
        let changed = state.effective_with(index + 1).headline();
        let said = format!("{}: {changed}", signoff.describe());
        let file = addendum
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match (&addendum.signature, allowed) {
            (Some(signed), Some(allowed)) if signed.vouched_by(allowed, &signoff.name) => {
                check.ok(&format!(
                    "{said} ({file}; {} {}, signer in the allowed signers)",
                    signed.algorithm(),
                    signed.fingerprint
                ))?
            }
            (Some(signed), Some(_)) => check.fail(&format!(
                "{said} ({file}): signer `{}` with key {} is not in the allowed signers file for namespace {}",
                signoff.name,
                signed.fingerprint,
                crate::audit::signing::NAMESPACE
            ))?,
            (Some(signed), None) => check.ok(&format!(
                "{said} ({file}; signed by {} {})",
                signed.algorithm(),
                signed.fingerprint
            ))?,
            (None, Some(_)) => check.fail(&format!(
                "{said} ({file}): not signed, so nothing says {} wrote it; with --allowed-signers every sign-off must carry an SSH signature (deploycheck signoff --key)",
                signoff.name
            ))?,
            (None, None) => {
                unsigned += 1;
                check.ok(&format!("{said} ({file}; no SSH signature)"))?
            }
        }
    }
    let signed = state.addenda.iter().any(|a| a.signature.is_some());
    if allowed.is_none() && signed {
        check.note("signers are unauthenticated: each signature is good over its addendum, but nothing says whose key made it; pass --allowed-signers FILE")?;
    }
    if unsigned > 0 {
        check.note(&format!(
            "{unsigned} sign-off{} carr{} no SSH signature: anyone with the run folder could have written {}",
            if unsigned == 1 { "" } else { "s" },
            if unsigned == 1 { "ies" } else { "y" },
            if unsigned == 1 { "it" } else { "them" }
        ))?;
    }
    Ok(())
}

/// Signatures an older `deploycheck sign` put inside the record, over its digest only.
fn check_legacy_signatures(
    check: &mut Checks<'_>,
    record: &Record,
    allowed: Option<&[crate::audit::signing::AllowedSigner]>,
) -> std::io::Result<()> {
    for (index, signature) in record.signatures.iter().enumerate() {
        let label = format!(
            "signature {} inside the record: {} by {}",
            index + 1,
            signature.role,
            signature.signer
        );
        match check_signature(&record.digest, signature, allowed) {
            SignatureCheck::Valid {
                authenticated: true,
                fingerprint,
            } => check.ok(&format!(
                "{label} ({fingerprint}), signer in the allowed signers"
            ))?,
            SignatureCheck::Valid {
                authenticated: false,
                fingerprint,
            } => check.ok(&format!(
                "{label} ({fingerprint}), matches its recorded key"
            ))?,
            SignatureCheck::Invalid { reason } => check.fail(&format!("{label}: {reason}"))?,
        }
    }
    if !record.signatures.is_empty() {
        check.note("signatures inside a record (from an older deploycheck sign) cover its digest only, not the role or signer beside them; sign-offs are now addenda (deploycheck signoff --key)")?;
    }
    Ok(())
}

enum JournalCheck {
    Absent,
    Agrees,
    Differs(String),
    Unreadable(String),
}

/// The record a run folder's journal gives.
enum JournalRun {
    Absent,
    Unreadable(String),
    /// Judged, but with its digest left empty (see [`journal_check`]).
    Gives(Box<Record>),
}

/// Replays the run's journal into the record it gives.
fn journal_run(folder: &RunFolder) -> JournalRun {
    let journal = folder.journal_path();
    if std::fs::symlink_metadata(&journal).is_err() {
        return JournalRun::Absent;
    }
    let contents = match read_journal(&journal) {
        Ok(contents) => contents,
        Err(error) => return JournalRun::Unreadable(error.to_string()),
    };
    match replay(contents.entries) {
        Ok(walk) => {
            let record = walk.record_unsealed();
            // Only `verify` replays a journal this way, and it ends soon after: freeing
            // the replayed run event by event would hold up its answer and give nothing
            // back, so the walk is left for the process's exit to reclaim.
            std::mem::forget(walk);
            JournalRun::Gives(Box::new(record))
        }
        Err(error) => JournalRun::Unreadable(format!("{}: {error}", journal.display())),
    }
}

/// Compares the record the journal gives with the one on disk, whose content gives
/// `digest`.
fn journal_check(journal: JournalRun, record: &Record, digest: &str) -> JournalCheck {
    let mut expected = match journal {
        JournalRun::Absent => return JournalCheck::Absent,
        JournalRun::Unreadable(error) => return JournalCheck::Unreadable(error),
        JournalRun::Gives(expected) => *expected,
    };
    // The journal's record, sealed, has the digest of its own content; where that content
    // is the record's, it is `digest`, and where it is not, the records differ anyway.
    expected.digest = digest.to_string();
    expected.signatures = record.signatures.clone();
    if &expected == record {
        // As the walk it came from: left for the process's exit.
        std::mem::forget(expected);
        return JournalCheck::Agrees;
    }
    // The record diff already compares two records part by part: the journal's run is
    // the first, the record on disk the second. The first difference is named.
    let diff = diff_records(&expected, record, true);
    let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".to_string());
    let both = |c: &FieldChange| {
        format!(
            "{} {} in the record, {} in the journal",
            c.name,
            show(&c.b),
            show(&c.a)
        )
    };
    let first = if let Some(item) = diff.items.first() {
        let parts: Vec<String> = item.changes.iter().map(both).collect();
        format!("`{}`: {}", item.id, parts.join(", "))
    } else if let Some(item) = diff.added.first() {
        format!("`{}` is not in the journal's run", item.id)
    } else if let Some(item) = diff.removed.first() {
        format!("`{}` is missing from the record", item.id)
    } else if let Some(field) = diff.fields.first() {
        format!("run field {}", both(field))
    } else if let Some(signoff) = diff.signoffs.first() {
        format!(
            "sign-off of {}: {} in the record, {} in the journal",
            signoff.role,
            show(&signoff.b),
            show(&signoff.a)
        )
    } else if let Some(change) = diff.rollback.as_ref().or(diff.verdict.as_ref()) {
        format!("{} in the record, {} in the journal", change.b, change.a)
    } else if let Some(context) = diff.context.first() {
        both(context)
    } else {
        "in a part the record diff does not show (sessions, counts or stop)".to_string()
    };
    JournalCheck::Differs(first)
}
