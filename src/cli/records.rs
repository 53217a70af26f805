//! `report`, `diff`, `verify` and `sign`: what happens to a run record after the run.

use std::path::Path;

use super::{DiffFormat, Io, exit};
use crate::audit::diff::{FieldChange, RecordDiff, diff_records};
use crate::audit::load_record;
use crate::audit::signing::{SignatureCheck, check_signature, parse_allowed_signers, sign_record};
use crate::engine::replay;
use crate::input::{ALLOWED_SIGNERS, KEY, read_input_text};
use crate::model::Record;
use crate::project::display_path;
use crate::render::{ReportContext, ReportFormat, write_report};
use crate::run::{FolderNote, may_be_stranded, settle_run};
use crate::source::Diagnostic;
use crate::store::{RunFolder, read_journal, write_atomically};

/// Reads the record of a run, given its folder or the record itself. A finished run whose
/// record is missing or stale gets it written again from its journal first, and says so.
fn load(io: &mut Io<'_>, path: &Path) -> Result<(Record, String), crate::Error> {
    load_with_path(io, path).map(|(record, shown, _)| (record, shown))
}

/// As [`load`], with the path of the record file it read.
fn load_with_path(
    io: &mut Io<'_>,
    path: &Path,
) -> Result<(Record, String, std::path::PathBuf), crate::Error> {
    let (record_path, shown) = locate(io, path)?;
    Ok((load_record(&record_path, &shown)?, shown, record_path))
}

/// The record file a path names (the run folder's, for a folder) and how messages show
/// it, after writing a stranded run's record again from its journal.
fn locate(io: &mut Io<'_>, path: &Path) -> Result<(std::path::PathBuf, String), crate::Error> {
    let full = io.cwd.join(path);
    let folder = RunFolder::containing(&full);
    let record_path = if full.is_dir() {
        folder.record_path()
    } else {
        full.clone()
    };
    let is_run_record = record_path == folder.record_path();
    if is_run_record && may_be_stranded(&folder) {
        match settle_run(&folder, None) {
            Ok(true) => writeln!(io.stderr, "note: {}", FolderNote::Rebuilt(folder.clone()))?,
            Ok(false) => {}
            Err(error) => writeln!(io.stderr, "warning: {error}")?,
        }
    }
    let shown = display_path(&record_path, &io.cwd);
    Ok((record_path, shown))
}

pub fn report(io: &mut Io<'_>, path: &Path, format: ReportFormat) -> Result<i32, crate::Error> {
    let (record, shown) = load(io, path)?;
    let context = ReportContext {
        path: &shown,
        digest_ok: record.compute_digest() == record.digest,
    };
    write_report(io.stdout, &record, &context, format, io.style)?;
    Ok(exit::SUCCESS)
}

pub fn diff(
    io: &mut Io<'_>,
    a: &Path,
    b: &Path,
    format: DiffFormat,
    all: bool,
) -> Result<i32, crate::Error> {
    let (first_path, first_name) = locate(io, a)?;
    let (second_path, second_name) = locate(io, b)?;
    // Reading a record is nearly all of the work: both at once, the second on a thread of
    // its own. Errors come in the same order as reading one after the other.
    let (first, second) = std::thread::scope(|scope| {
        let second = scope.spawn(|| load_record(&second_path, &second_name));
        let first = load_record(&first_path, &first_name);
        let second = second
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (first, second)
    });
    let (first, second) = (first?, second?);
    let diff = diff_records(&first, &second, all);
    match format {
        DiffFormat::Json => {
            serde_json::to_writer_pretty(
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
    Ok(if diff.is_empty() {
        exit::SUCCESS
    } else {
        exit::FAILURE
    })
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
    let (record, shown) = load(io, path)?;
    let folder = RunFolder::containing(&io.cwd.join(path));
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
    let style = io.style;
    let mut failed = false;
    let digest = record.compute_digest();
    if digest == record.digest {
        writeln!(
            io.stdout,
            "{} digest matches the content ({})",
            style.green("ok"),
            record.digest
        )?;
    } else {
        failed = true;
        writeln!(
            io.stdout,
            "{} digest mismatch: the record was edited after it was written",
            style.red("FAIL")
        )?;
        writeln!(
            io.stdout,
            "     recorded {}\n     computed {digest}",
            record.digest
        )?;
    }
    // The verdict, counts and triggers held are functions of the items: recompute them.
    let assessment = record.judge();
    let stored = crate::model::headline(record.verdict, &record.causes);
    let recomputed = assessment.headline();
    if stored != recomputed {
        failed = true;
        writeln!(
            io.stdout,
            "{} verdict: the record says {stored}, its items say {recomputed}",
            style.red("FAIL")
        )?;
    } else {
        writeln!(
            io.stdout,
            "{} verdict {stored} follows from the items",
            style.green("ok")
        )?;
    }
    if assessment.counts != record.counts {
        failed = true;
        writeln!(
            io.stdout,
            "{} counts: the record's counts do not match its items",
            style.red("FAIL")
        )?;
    }
    if assessment.triggers_held != record.rollback.triggers_held {
        failed = true;
        writeln!(
            io.stdout,
            "{} triggers_held lists {:?}, the items say {:?}",
            style.red("FAIL"),
            record.rollback.triggers_held,
            assessment.triggers_held
        )?;
    }
    // The journal is the run: the record must be the one it gives.
    match journal_check(&folder, &record) {
        JournalCheck::Absent => writeln!(
            io.stdout,
            "note: no journal beside the record; checked the record on its own"
        )?,
        JournalCheck::Agrees => writeln!(
            io.stdout,
            "{} the record is the one its journal gives",
            style.green("ok")
        )?,
        JournalCheck::Differs(difference) => {
            failed = true;
            writeln!(
                io.stdout,
                "{} the record differs from its journal: {difference}",
                style.red("FAIL")
            )?;
        }
        JournalCheck::Unreadable(error) => {
            failed = true;
            writeln!(io.stdout, "{} {error}", style.red("FAIL"))?;
        }
    }
    // A finished run's journal names its record's bytes before they are written.
    if let Some(crate::engine::Event::Finish { record_sha256, .. }) =
        crate::store::last_event(&folder.journal_path())
    {
        // Signatures are added after the run, outside the digest: leave them out.
        let unsigned = Record {
            signatures: Vec::new(),
            ..record.clone()
        };
        let as_written = crate::store::fingerprint(&crate::store::record_bytes(&unsigned)).0;
        if as_written == record_sha256 {
            writeln!(
                io.stdout,
                "{} the record's bytes are the ones its journal's finish line names",
                style.green("ok")
            )?;
        } else {
            failed = true;
            writeln!(
                io.stdout,
                "{} the record's bytes are not the ones its journal's finish line names (sha256 {record_sha256})",
                style.red("FAIL")
            )?;
        }
    }
    if record.signatures.is_empty() {
        writeln!(io.stdout, "no signatures (add one with `deploycheck sign`)")?;
    }
    for (index, signature) in record.signatures.iter().enumerate() {
        let label = format!(
            "signature {}: {} by {}",
            index + 1,
            signature.role,
            signature.signer
        );
        match check_signature(&record.digest, signature, allowed.as_deref()) {
            SignatureCheck::Valid {
                authenticated: true,
                fingerprint,
            } => {
                writeln!(
                    io.stdout,
                    "{} {label} ({fingerprint}), signer in the allowed signers",
                    style.green("ok")
                )?;
            }
            SignatureCheck::Valid {
                authenticated: false,
                fingerprint,
            } => {
                writeln!(
                    io.stdout,
                    "{} {label} ({fingerprint}), matches its recorded key",
                    style.green("ok")
                )?;
            }
            SignatureCheck::Invalid { reason } => {
                failed = true;
                writeln!(io.stdout, "{} {label}: {reason}", style.red("FAIL"))?;
            }
        }
    }
    if allowed.is_none() && !record.signatures.is_empty() {
        writeln!(
            io.stdout,
            "note: signers are unauthenticated: each signature matches the key recorded beside it, but nothing says whose key that is; pass --allowed-signers FILE"
        )?;
    }
    writeln!(
        io.stdout,
        "{}: {}",
        shown,
        if failed {
            style.red("does NOT verify")
        } else {
            style.green("verifies")
        }
    )?;
    Ok(if failed { exit::FAILURE } else { exit::SUCCESS })
}

enum JournalCheck {
    Absent,
    Agrees,
    Differs(String),
    Unreadable(String),
}

/// Replays the run's journal and compares the record it gives with the one on disk.
fn journal_check(folder: &RunFolder, record: &Record) -> JournalCheck {
    let journal = folder.journal_path();
    if std::fs::symlink_metadata(&journal).is_err() {
        return JournalCheck::Absent;
    }
    let contents = match read_journal(&journal) {
        Ok(contents) => contents,
        Err(error) => return JournalCheck::Unreadable(error.to_string()),
    };
    let walk = match replay(contents.entries.iter().cloned()) {
        Ok(walk) => walk,
        Err(error) => {
            return JournalCheck::Unreadable(format!("{}: {error}", journal.display()));
        }
    };
    let mut expected = walk.record();
    expected.signatures = record.signatures.clone();
    if &expected == record {
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

pub fn sign(
    io: &mut Io<'_>,
    path: &Path,
    key_path: &Path,
    role: &str,
    signer: Option<&str>,
) -> Result<i32, crate::Error> {
    let (mut record, shown, full) = load_with_path(io, path)?;
    let roles: Vec<&str> = record.signoffs.iter().map(|s| s.role.as_str()).collect();
    if !roles.contains(&role) {
        let listed = if roles.is_empty() {
            "it has none".to_string()
        } else {
            format!("its roles: {}", roles.join(", "))
        };
        return Err(crate::Error::Config(Diagnostic::error(
            &shown,
            None,
            format!("`{role}` is not a sign-off role of this record; {listed}"),
        )));
    }
    // A record that no longer verifies is never signed: a signature would vouch for an edit.
    if record.compute_digest() != record.digest {
        writeln!(
            io.stderr,
            "error: {shown}: the digest does not match the content; a record that does not verify is not signed (`deploycheck verify {shown}` says more)"
        )?;
        return Ok(exit::FAILURE);
    }
    for existing in &record.signatures {
        if let SignatureCheck::Invalid { reason } = check_signature(&record.digest, existing, None)
        {
            writeln!(
                io.stderr,
                "error: {shown}: signature by {} does not verify ({reason}); the record is not signed",
                existing.signer
            )?;
            return Ok(exit::FAILURE);
        }
    }
    let key_shown = display_path(&io.cwd.join(key_path), &io.cwd);
    let key_error =
        |message: String| crate::Error::Config(Diagnostic::error(&key_shown, None, message));
    let text =
        read_input_text(&io.cwd.join(key_path), &key_shown, KEY).map_err(crate::Error::Config)?;
    let mut key = ssh_key::PrivateKey::from_openssh(text.trim()).map_err(|e| {
        key_error(crate::audit::signing::not_a_private_key(
            &text,
            &e.to_string(),
        ))
    })?;
    if key.is_encrypted() {
        let passphrase = match io.host.var("DEPLOYCHECK_KEY_PASSPHRASE").ok_or(()) {
            Ok(p) => p,
            Err(_) if io.interactive => rpassword::prompt_password(format!("Passphrase for {key_shown}: ")).map_err(|e| key_error(format!("cannot read the passphrase: {e}")))?,
            Err(_) => return Err(key_error("the key is encrypted; give its passphrase at a terminal or in DEPLOYCHECK_KEY_PASSPHRASE".into())),
        };
        key = key
            .decrypt(passphrase.as_bytes())
            .map_err(|_| key_error("wrong passphrase".into()))?;
    }
    let signer = match signer
        .map(str::to_string)
        .or_else(|| Some(key.comment().to_string()).filter(|c| !c.trim().is_empty()))
    {
        Some(signer) => signer,
        None => {
            return Err(key_error(
                "the key has no comment to name the signer; pass --signer ID".into(),
            ));
        }
    };
    let clock = io.host.clock()?;
    let at = crate::model::Timestamp::from_datetime(clock.now());
    sign_record(&mut record, &key, role, &signer, &at).map_err(|e| key_error(e.0))?;
    write_atomically(&full, &crate::store::record_bytes(&record)).map_err(|source| {
        crate::Error::Write {
            path: full.clone(),
            source,
        }
    })?;
    writeln!(
        io.stdout,
        "signed {shown} as {role} by {signer} ({}); {} signatures in all",
        key.public_key().fingerprint(ssh_key::HashAlg::Sha256),
        record.signatures.len()
    )?;
    Ok(exit::SUCCESS)
}
