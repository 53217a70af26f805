//! `deploycheck signoff`: a role's sign-off after the run, as a new file in the run folder.
//!
//! The record is final and never rewritten: the sign-off is an addendum that names the
//! record's bytes, written atomically under a name no other machine writes, and, with
//! `--key`, an SSH signature over the addendum's exact bytes beside it. Everything that
//! can refuse the sign-off (an unknown role, an unfinished or edited record, a role
//! already refused, the same person signing the same role twice, a key that does not
//! load) is checked before the owner is asked anything.

use std::path::{Path, PathBuf};

use super::{Io, SignoffOptions, exit};
use crate::audit::signing::{not_a_private_key, sign_detached};
use crate::error::Error;
use crate::input::{KEY, read_input_text};
use crate::model::{SIGNOFF_SCHEMA, SignoffAddendum, SignoffStatus, Timestamp};
use crate::project::display_path;
use crate::run::RunState;
use crate::source::Diagnostic;
use crate::store::write_atomically;
use crate::term::{Asking, Confirmation, ask_name, confirm_statements};

pub fn run(io: &mut Io<'_>, options: &SignoffOptions) -> Result<i32, Error> {
    let state = RunState::load(&options.run, &io.cwd)?;
    for note in &state.notes {
        writeln!(io.stderr, "{note}")?;
    }
    let role = resolve_role(&state, &options.role)?;
    if !state.is_finished() {
        let how = match &state.record.stopped {
            Some(stop) if stop.replaced_by.is_some() => format!(
                "it was replaced by a newer run ({}); sign off that one",
                stop.reason
            ),
            Some(stop) => format!(
                "it stopped ({}) at {}; finish it first with `deploycheck run {} --resume`",
                stop.reason, stop.at, state.record.environment
            ),
            None => "it has no finish time".to_string(),
        };
        return Err(Error::Refused(format!(
            "{}: the run has not finished, so it cannot be signed off: {how}",
            state.shown
        )));
    }
    // An edited record is not signed off: its digest must match its content, and, since a
    // forged record can carry a recomputed digest, its bytes must be the ones its
    // journal's finish line names.
    let edited = if state.record.compute_digest() != state.record.digest {
        Err(
            "the digest does not match the content: the record was edited after it was written"
                .to_string(),
        )
    } else {
        state.as_the_run_wrote()
    };
    if let Err(why) = edited {
        writeln!(
            io.stderr,
            "{} {}: {why}, and such a record is not signed off (`deploycheck verify {}` says more)",
            io.stderr_style.red(&io.stderr_style.bold("error:")),
            state.shown,
            state.shown
        )?;
        return Ok(exit::FAILURE);
    }
    refuse_if_refused(&state, &role)?;
    let refusal = options
        .refuse
        .as_deref()
        .map(crate::text::clean_input)
        .map(|r| r.trim().to_string());
    if refusal.as_deref() == Some("") {
        return Err(Error::Refused(
            "--refuse needs a reason: --refuse \"pen test still open\"".into(),
        ));
    }
    let key = match &options.key {
        Some(path) => Some(load_key(io, path)?),
        None => None,
    };
    let mut name = options
        .name
        .as_deref()
        .map(crate::text::clean_input)
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .or_else(|| {
            key.as_ref()
                .map(|k| k.comment().trim().to_string())
                .filter(|c| !c.is_empty())
        });
    if name.is_none() && options.yes {
        return Err(Error::Refused(
            "--yes confirms without asking, so it needs to know who signs: add --name NAME (or use a key whose comment names you)".into(),
        ));
    }
    if let Some(name) = &name {
        refuse_second_signoff(&state, &role, name)?;
    }

    let columns =
        crate::render::width::screen_columns(io.interactive, io.host.var("COLUMNS").as_deref());
    crate::render::write_signoff_screen(io.stdout, &state, &role, io.style, columns)?;
    let statements = state.record.role_statements(&role);
    let mut asking = Asking {
        input: &mut *io.input,
        out: &mut *io.stdout,
        interactive: io.interactive,
        style: io.style,
        columns,
    };
    if name.is_none() {
        match ask_name(&mut asking, &role)? {
            Some(given) => {
                refuse_second_signoff(&state, &role, &given)?;
                name = Some(given);
            }
            None => return stopped(io),
        }
    }
    let name = name.unwrap_or_default();
    let outcome = match refusal {
        Some(reason) => Confirmation::Refused(reason),
        None if options.yes => Confirmation::Confirmed,
        None => {
            let texts: Vec<&str> = statements.iter().map(|s| s.text.as_str()).collect();
            confirm_statements(&mut asking, &role, &texts)?
        }
    };
    let (refused, confirmed) = match outcome {
        Confirmation::Confirmed => (None, statements.iter().map(|s| s.id.clone()).collect()),
        Confirmation::Refused(reason) => (Some(reason), Vec::new()),
        Confirmation::Stopped => return stopped(io),
    };

    let at = Timestamp::from_datetime(io.host.clock()?.now());
    let addendum = SignoffAddendum {
        schema: SIGNOFF_SCHEMA.to_string(),
        record_sha256: state.record_sha256().to_string(),
        role: role.clone(),
        name,
        at,
        statements: confirmed,
        refused,
    };
    let bytes = crate::yaml::to_string(&addendum)
        .map_err(|e| Error::Serialize {
            what: "the sign-off",
            source: Box::new(e),
        })?
        .into_bytes();
    let signature =
        match &key {
            Some(key) => Some(sign_detached(key, &bytes).map_err(|e| {
                Error::Refused(format!("cannot sign the sign-off with the key: {e}"))
            })?),
            None => None,
        };
    let path = free_path(&state.folder.path, &addendum);
    state
        .folder
        .ignore_local_files()
        .map_err(|source| Error::Write {
            path: state.folder.path.clone(),
            source,
        })?;
    write_atomically(&path, &bytes).map_err(|source| Error::Write {
        path: path.clone(),
        source,
    })?;
    let shown = display_path(&path, &io.cwd);
    writeln!(io.stdout)?;
    writeln!(io.stdout, "Wrote {shown}: {}", addendum.describe())?;
    if let (Some(signature), Some(key)) = (signature, &key) {
        let signature_path = PathBuf::from(format!("{}.sig", path.display()));
        write_atomically(&signature_path, signature.as_bytes()).map_err(|source| Error::Write {
            path: signature_path.clone(),
            source,
        })?;
        writeln!(
            io.stdout,
            "Signed it with {} {}: {}.sig",
            key.algorithm(),
            key.public_key().fingerprint(ssh_key::HashAlg::Sha256),
            shown
        )?;
    }
    // The run as it stands now, read back from the disk like any later reader would.
    let now = RunState::load(&options.run, &io.cwd)?;
    let assessment = now.judge();
    writeln!(io.stdout, "Verdict now: {}", assessment.headline())?;
    writeln!(
        io.stdout,
        "Share it: commit the run folder ({}) so the others see it after git pull.",
        display_path(&now.folder.path, &io.cwd)
    )?;
    Ok(assessment.verdict.exit_code())
}

fn stopped(io: &mut Io<'_>) -> Result<i32, Error> {
    writeln!(io.stdout)?;
    writeln!(io.stdout, "Stopped: nothing was written.")?;
    Ok(exit::FAILURE)
}

/// The role as the record spells it: exactly, or in another case; else "did you mean".
fn resolve_role(state: &RunState, requested: &str) -> Result<String, Error> {
    let roles: Vec<&str> = state
        .record
        .signoffs
        .iter()
        .map(|s| s.role.as_str())
        .collect();
    let requested = requested.trim();
    if let Some(role) = roles.iter().find(|r| **r == requested) {
        return Ok(role.to_string());
    }
    if let Some(role) = roles.iter().find(|r| r.eq_ignore_ascii_case(requested)) {
        return Ok(role.to_string());
    }
    // `Site‑Reliability` with a non-breaking hyphen, as a title wrote it, typed with `-`.
    let typed = crate::source::ascii_hyphens(requested);
    if let Some(role) = roles
        .iter()
        .find(|r| crate::source::ascii_hyphens(r).eq_ignore_ascii_case(&typed))
    {
        return Ok(role.to_string());
    }
    if roles.is_empty() {
        return Err(Error::Refused(format!(
            "{}: this run has no sign-off roles, so there is nothing to sign off",
            state.shown
        )));
    }
    let lower = requested.to_lowercase();
    let suggestion = roles
        .iter()
        .map(|r| (strsim::levenshtein(&lower, &r.to_lowercase()), *r))
        .filter(|(d, r)| *d <= 2.max(r.len() / 3) || r.to_lowercase().starts_with(&lower))
        .min_by_key(|(d, _)| *d)
        .map(|(_, r)| format!(" (did you mean `{r}`?)"))
        .unwrap_or_default();
    Err(Error::Refused(format!(
        "`{requested}` is not a sign-off role of this run{suggestion}; its roles: {}",
        roles.join(", ")
    )))
}

/// A role refused, during the run or in an addendum, stays refused: nobody signs for it.
fn refuse_if_refused(state: &RunState, role: &str) -> Result<(), Error> {
    let in_record = state
        .record
        .signoffs
        .iter()
        .find(|s| s.role == role && s.status == SignoffStatus::Refused)
        .map(|s| {
            format!(
                "during the run ({}{})",
                s.reason.as_deref().unwrap_or(""),
                s.by.as_deref()
                    .map(|b| format!(", recorded by {b}"))
                    .unwrap_or_default()
            )
        });
    let in_addendum = state
        .signoffs()
        .find(|(_, s)| s.role == role && s.refused.is_some())
        .map(|(a, s)| {
            format!(
                "by {} at {} ({}) in {}",
                s.name,
                s.at,
                s.refused.as_deref().unwrap_or(""),
                a.shown
            )
        });
    match in_record.or(in_addendum) {
        Some(when) => Err(Error::Refused(format!(
            "{role} already refused this run {when}; a refused role cannot be signed for. The run is NO-GO: fix what was refused and walk a new run"
        ))),
        None => Ok(()),
    }
}

/// One sign-off per role and signer: a second would say nothing new.
fn refuse_second_signoff(state: &RunState, role: &str, name: &str) -> Result<(), Error> {
    let same = |other: &str| other.trim().eq_ignore_ascii_case(name.trim());
    match state
        .signoffs()
        .find(|(_, s)| s.role == role && same(&s.name))
    {
        Some((addendum, signoff)) => Err(Error::Refused(format!(
            "{name} already signed off {role} for this run at {} ({}); one sign-off per role and signer",
            signoff.at, addendum.shown
        ))),
        None => Ok(()),
    }
}

/// `signoff-<role>-<time>.yaml`, or `-2`, `-3`... should that name be taken already (the
/// same role signed twice within a second on this machine).
fn free_path(folder: &Path, addendum: &SignoffAddendum) -> PathBuf {
    let stem = addendum.file_stem();
    (1..)
        .map(|n| {
            if n == 1 {
                folder.join(format!("{stem}.yaml"))
            } else {
                folder.join(format!("{stem}-{n}.yaml"))
            }
        })
        .find(|p| std::fs::symlink_metadata(p).is_err())
        .unwrap_or_else(|| folder.join(addendum.file_name()))
}

/// An OpenSSH private key, decrypted with its passphrase (`DEPLOYCHECK_KEY_PASSPHRASE`,
/// else asked at a terminal).
fn load_key(io: &mut Io<'_>, path: &Path) -> Result<ssh_key::PrivateKey, Error> {
    let full = io.cwd.join(path);
    let shown = display_path(&full, &io.cwd);
    let key_error = |message: String| Error::Config(Diagnostic::error(&shown, None, message));
    let text = read_input_text(&full, &shown, KEY).map_err(Error::Config)?;
    let key = ssh_key::PrivateKey::from_openssh(text.trim())
        .map_err(|e| key_error(not_a_private_key(&text, &e.to_string())))?;
    if !key.is_encrypted() {
        return Ok(key);
    }
    let passphrase = match io.host.var("DEPLOYCHECK_KEY_PASSPHRASE") {
        Some(passphrase) => passphrase,
        None if io.interactive => {
            rpassword::prompt_password(format!("Passphrase for {shown}: "))
                .map_err(|e| key_error(format!("cannot read the passphrase: {e}")))?
        }
        None => {
            return Err(key_error(
                "the key is encrypted; give its passphrase at a terminal or in DEPLOYCHECK_KEY_PASSPHRASE".into(),
            ));
        }
    };
    key.decrypt(passphrase.as_bytes())
        .map_err(|_| key_error("wrong passphrase".into()))
}
