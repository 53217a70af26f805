//! `report`, `diff`, `verify` and `sign`: what happens to a run record after the run.

use std::collections::HashMap;
use std::path::Path;

use super::{DiffFormat, Io, exit};
use crate::audit::diff::{FieldChange, RecordDiff, diff_records};
use crate::audit::load_record;
use crate::audit::signing::{SignatureCheck, check_signature, parse_allowed_signers, sign_record};
use crate::clock::rfc3339;
use crate::input::{ALLOWED_SIGNERS, KEY, read_input_text};
use crate::model::{Record, RecordSignoff};
use crate::project::display_path;
use crate::render::{ReportContext, ReportFormat, write_report};
use crate::source::Diagnostic;
use crate::store::{JournalEvent, read_journal, record_to_yaml, write_atomically};

fn load(io: &Io<'_>, path: &Path) -> Result<(Record, String), crate::Error> {
    let full = io.cwd.join(path);
    let shown = display_path(&full, &io.cwd);
    Ok((load_record(&full, &shown)?, shown))
}

pub fn report(io: &mut Io<'_>, path: &Path, format: ReportFormat) -> anyhow::Result<i32> {
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
) -> anyhow::Result<i32> {
    let (first, first_name) = load(io, a)?;
    let (second, second_name) = load(io, b)?;
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

pub fn verify(io: &mut Io<'_>, path: &Path, allowed_signers: Option<&Path>) -> anyhow::Result<i32> {
    let (record, shown) = load(io, path)?;
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
        match first_difference_from_journal(&io.cwd.join(path), &record) {
            Some(difference) => writeln!(
                io.stdout,
                "     first difference from the run's journal: {difference}"
            )?,
            None => writeln!(
                io.stdout,
                "     (no journal beside the record to tell which part changed)"
            )?,
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

/// Where an edited record departs from the journal its run wrote: the first item whose
/// answer differs, in record order.
fn first_difference_from_journal(record_path: &Path, record: &Record) -> Option<String> {
    let journal = read_journal(&record_path.with_extension("journal")).ok()?;
    type Answer = (String, Option<String>, Option<String>, String, String);
    let mut answers: HashMap<String, Answer> = HashMap::new();
    let mut undo: Vec<Option<(String, Option<Answer>)>> = Vec::new();
    for (_, event) in &journal.events {
        match event {
            JournalEvent::Answer {
                id,
                status,
                reason,
                value,
                at,
                by,
            } => {
                let previous = answers.insert(
                    id.clone(),
                    (
                        status.to_string(),
                        reason.clone(),
                        value.clone(),
                        at.clone(),
                        by.clone(),
                    ),
                );
                undo.push(Some((id.clone(), previous)));
            }
            JournalEvent::Undo { .. } => {
                if let Some(Some((id, previous))) = undo.pop() {
                    match previous {
                        Some(previous) => answers.insert(id, previous),
                        None => answers.remove(&id),
                    };
                }
            }
            JournalEvent::Field { .. }
            | JournalEvent::Note { .. }
            | JournalEvent::Signoff { .. }
            | JournalEvent::Rollback { .. }
            | JournalEvent::Decline { .. } => undo.push(None),
            _ => {}
        }
    }
    for item in &record.items {
        let Some((status, reason, value, at, by)) = answers.get(&item.id) else {
            continue;
        };
        let mut parts = Vec::new();
        if item.status.as_str() != status {
            parts.push(format!(
                "status {} in the record, {status} in the journal",
                item.status
            ));
        }
        if item.value != *value {
            parts.push(format!(
                "value {:?} in the record, {value:?} in the journal",
                item.value
            ));
        }
        if item.answered_at.as_deref() != Some(at.as_str())
            || item.answered_by.as_deref() != Some(by.as_str())
        {
            parts.push("who or when differs".to_string());
        }
        let declined = reason.is_none()
            && item
                .reason
                .as_deref()
                .is_some_and(|r| r.starts_with("rollback declined"));
        if item.reason != *reason && !declined {
            parts.push("reason differs".to_string());
        }
        if !parts.is_empty() {
            return Some(format!("`{}`: {}", item.id, parts.join(", ")));
        }
    }
    None
}

pub fn sign(
    io: &mut Io<'_>,
    path: &Path,
    key_path: &Path,
    role: &str,
    signer: Option<&str>,
) -> anyhow::Result<i32> {
    let full = io.cwd.join(path);
    let (mut record, shown) = load(io, path)?;
    let roles: Vec<&str> = record.signoffs.iter().map(RecordSignoff::role).collect();
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
        ))
        .into());
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
    let mut key = ssh_key::PrivateKey::from_openssh(text.trim())
        .map_err(|e| key_error(format!("not an OpenSSH private key: {e}")))?;
    if key.is_encrypted() {
        let passphrase = match std::env::var("DEPLOYCHECK_KEY_PASSPHRASE") {
            Ok(p) => p,
            Err(_) if io.interactive => rpassword::prompt_password(format!("Passphrase for {key_shown}: ")).map_err(|e| key_error(format!("cannot read the passphrase: {e}")))?,
            Err(_) => return Err(key_error("the key is encrypted; give its passphrase at a terminal or in DEPLOYCHECK_KEY_PASSPHRASE".into()).into()),
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
            )
            .into());
        }
    };
    let clock = super::run::clock_from_environment()?;
    sign_record(&mut record, &key, role, &signer, &rfc3339(clock.now())).map_err(key_error)?;
    write_atomically(&full, record_to_yaml(&record).as_bytes())
        .map_err(|e| anyhow::anyhow!("cannot write {shown}: {e}"))?;
    writeln!(
        io.stdout,
        "signed {shown} as {role} by {signer} ({}); {} signatures in all",
        key.public_key().fingerprint(ssh_key::HashAlg::Sha256),
        record.signatures.len()
    )?;
    Ok(exit::SUCCESS)
}
