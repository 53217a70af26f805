//! After the night: `later` at a sign-off, `deploycheck signoff` the next morning, the run's
//! state (record + addenda) in `report`, `diff` and `verify`, SSH signatures that plain
//! OpenSSH checks, and git as the way two machines share a run.

use std::path::{Path, PathBuf};

use crate::support::{Output, Test, fixture_bytes};

const RUN: &str = "runs/mail-score-production-20261123T220000Z";
const MORNING: &str = "2026-11-24T09:15:00+01:00";
const SECURITY: [&str; 4] = [
    "sign-off/security-team/security-review-completed",
    "sign-off/security-team/vulnerability-assessment-passed",
    "sign-off/security-team/compliance-requirements-met",
    "sign-off/security-team/risk-assessment-approved",
];

/// The GO answers with the roles named in `later` left for after the run: their
/// statements unanswered and `signoffs: {ROLE: later}`.
fn night_answers(later: &[&str]) -> String {
    let go = String::from_utf8(fixture_bytes("answers/mail-score-production-go.yaml")).unwrap();
    go.lines()
        .filter(|line| {
            !later
                .iter()
                .any(|role| line.contains(&format!("sign-off/{}/", slug(role))))
        })
        .map(
            |line| match later.iter().find(|r| line.starts_with(&format!("  {r}: "))) {
                Some(role) => format!("  {role}: later\n"),
                None => format!("{line}\n"),
            },
        )
        .collect()
}

fn slug(role: &str) -> String {
    role.to_lowercase().replace(' ', "-")
}

/// A project whose production run finished at night awaiting `later`'s sign-offs.
fn night_run(later: &[&str]) -> Output {
    Test::with_seeds()
        .write("night.yaml", night_answers(later))
        .args(&["run", "production", "--answers", "night.yaml"])
        .run()
}

fn signoff(dir: tempfile::TempDir, args: &[&str]) -> Test {
    Test::resume_in(dir)
        .env("DEPLOYCHECK_NOW", MORNING)
        .args(&["signoff", RUN])
        .args(args)
}

/// The addenda files in the run folder, sorted.
fn addenda(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join(RUN))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("signoff-"))
        .collect();
    names.sort();
    names
}

/// The run's screens with the machine's host name cut out.
fn screen(output: &Output) -> String {
    without_host(&output.stdout, &output.only_record().host)
}

fn without_host(text: &str, host: &str) -> String {
    text.replace(&format!(" on {host}"), " on HOST")
        .replace(&format!("`{host}`"), "`HOST`")
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({snapshot_path => "snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn later_in_an_answers_file_finishes_go_awaiting_the_role() {
    let night = night_run(&["Security Team"]);
    assert!(
        night
            .stdout
            .contains("Verdict: GO · awaiting sign-off: Security Team"),
        "{}",
        night.stdout
    );
    assert!(night.stdout.contains(&format!(
        "Security Team signs off later with: deploycheck signoff {RUN} --role 'Security Team'"
    )));
    let record = night.only_record();
    let security = record
        .signoffs
        .iter()
        .find(|s| s.role == "Security Team")
        .unwrap();
    assert_eq!(security.status, deploycheck::model::SignoffStatus::Awaiting);
    let text = std::fs::read_to_string(night.dir.path().join(RUN).join("record.yaml")).unwrap();
    assert!(
        text.contains("outstanding:\n- 'awaiting sign-off: Security Team'\n")
            || text.contains("outstanding:\n- awaiting sign-off: Security Team\n"),
        "{text}"
    );
    assert!(text.contains("reason: left for Security Team to confirm at its sign-off"));
    Test::resume_in(night.dir)
        .args(&["verify", RUN])
        .stdout_contains(
            "ok the record's verdict GO · awaiting sign-off: Security Team follows from its items",
        )
        .stdout_contains("record.yaml: verifies")
        .run();
}

#[test]
fn later_typed_from_piped_stdin_at_a_statement_or_the_signoff_prompt() {
    // The answers file leaves the Security Team open; the pipe says `later` at its first
    // statement, and nothing more is asked.
    let answers = night_answers(&["Security Team"]).replace("  Security Team: later\n", "");
    let at_statement = Test::with_seeds()
        .write("night.yaml", &answers)
        .args(&["run", "production", "--answers", "night.yaml"])
        .stdin("later\n")
        .stdout_contains("Sign-off › Security Team] Security review completed (statement for Security Team to sign) > later")
        .stdout_contains("Verdict: GO · awaiting sign-off: Security Team")
        .run();
    assert_eq!(
        at_statement.only_record().signoffs[3].status,
        deploycheck::model::SignoffStatus::Awaiting
    );
    // Statements confirmed by the operator, `later` at the sign-off prompt itself.
    let go = String::from_utf8(fixture_bytes("answers/mail-score-production-go.yaml")).unwrap();
    let at_prompt = Test::with_seeds()
        .write(
            "night.yaml",
            go.replace("  Security Team: Dana Reyes\n", ""),
        )
        .args(&["run", "production", "--answers", "night.yaml"])
        .stdin("later\n")
        .stdout_contains("Sign for Security Team (4 of 4 statements confirmed) > later")
        .stdout_contains("Verdict: GO · awaiting sign-off: Security Team")
        .run();
    let record = at_prompt.only_record();
    assert_eq!(record.signoffs[3].statements.len(), 4);
    assert_eq!(record.verdict, deploycheck::model::Verdict::Go);
}

#[test]
fn signoff_next_morning_from_piped_stdin_makes_the_run_go() {
    let night = night_run(&["Security Team"]);
    let morning = signoff(night.dir, &["--role", "Security Team"])
        .stdin("Dana Reyes\ny\ny\nyes\ny\n")
        .run();
    snapshot("signoff_screen_piped", &screen(&morning));
    let dir = morning.dir.path();
    assert_eq!(
        addenda(dir),
        ["signoff-security-team-20261124T081500Z.yaml"]
    );
    let addendum = std::fs::read_to_string(dir.join(RUN).join(&addenda(dir)[0])).unwrap();
    let record_bytes = std::fs::read(dir.join(RUN).join("record.yaml")).unwrap();
    let sha = sha256_hex(&record_bytes);
    assert_eq!(
        addendum,
        format!(
            "schema: deploycheck/signoff/v1\nrecord_sha256: {sha}\nrole: Security Team\nname: Dana Reyes\nat: {MORNING}\nstatements:\n- {}\n- {}\n- {}\n- {}\nrefused: null\n",
            SECURITY[0], SECURITY[1], SECURITY[2], SECURITY[3]
        )
    );
    let table = Test::resume_in(morning.dir).args(&["report", RUN]).run();
    snapshot("signoff_report_table", &screen(&table));
    let markdown = Test::resume_in(table.dir)
        .args(&["report", RUN, "--format", "markdown"])
        .run();
    snapshot("signoff_report_markdown", &screen(&markdown));
    let report = Test::resume_in(markdown.dir)
        .args(&["report", RUN, "--format", "json"])
        .run();
    let json: serde_json::Value = serde_json::from_str(&report.stdout).unwrap();
    assert_eq!(json["verdict"], "GO");
    assert_eq!(json["headline"], "GO");
    assert_eq!(json["later_signoffs"][0]["name"], "Dana Reyes");
    assert_eq!(
        json["later_signoffs"][0]["signed_with"],
        serde_json::Value::Null
    );
    assert_eq!(
        json["counts"]["pending"], 8,
        "only the rollback procedure is left"
    );
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn a_record_that_is_not_the_one_its_journal_names_is_not_signed_off() {
    // The digest covers the content only; the journal's finish line names the bytes.
    let night = night_run(&["Security Team"]);
    let record = night.dir.path().join(RUN).join("record.yaml");
    let mut bytes = std::fs::read(&record).unwrap();
    bytes.extend_from_slice(b"# approved by the CISO\n");
    std::fs::write(&record, bytes).unwrap();
    let edited = signoff(night.dir, &["--role", "Security Team"])
        .stdin("Dana Reyes\ny\ny\nyes\ny\n")
        .status(1)
        .stderr_contains("the record's bytes are not the ones its journal's finish line names")
        .run();
    assert!(addenda(edited.dir.path()).is_empty());
    // Nor with the journal cut before its finish line, emptied, or gone.
    let journal = edited.dir.path().join(RUN).join("journal.jsonl");
    let text = std::fs::read_to_string(&journal).unwrap();
    let cut: String = text.split_inclusive('\n').take(3).collect();
    let mut dir = edited.dir;
    for (journal_text, says) in [
        (
            Some(cut),
            "does not end with the line naming the finished record",
        ),
        (
            Some(String::new()),
            "does not end with the line naming the finished record",
        ),
        (None, "the run's journal.jsonl is missing"),
    ] {
        match journal_text {
            Some(text) => std::fs::write(&journal, text).unwrap(),
            None => std::fs::remove_file(&journal).unwrap(),
        }
        let refused = signoff(dir, &["--role", "Security Team"])
            .stdin("Dana Reyes\ny\ny\nyes\ny\n")
            .status(1)
            .stderr_contains(says)
            .run();
        assert!(addenda(refused.dir.path()).is_empty());
        dir = refused.dir;
    }
}

#[test]
fn a_signoff_in_a_fresh_clone_keeps_machine_local_files_out_of_git() {
    // The records folder's `.gitignore` ignores itself, so a clone has none.
    let night = night_run(&["Security Team"]);
    let ignore = night.dir.path().join("runs/.gitignore");
    std::fs::remove_file(&ignore).unwrap();
    let morning = signoff(night.dir, &["--role", "Security Team"])
        .stdin("Dana Reyes\ny\ny\nyes\ny\n")
        .run();
    let written = std::fs::read_to_string(morning.dir.path().join("runs/.gitignore")).unwrap();
    assert!(written.contains(".deploycheck-*.tmp"), "{written}");
}

#[test]
fn a_refusal_makes_the_run_no_go_and_nobody_signs_for_the_role_after_it() {
    let night = night_run(&["Security Team"]);
    let refused = signoff(
        night.dir,
        &["--role", "Security Team", "--refuse", "pen test still open", "--name", "Lee"],
    )
    .status(1)
    .stdout_contains("Wrote runs/mail-score-production-20261123T220000Z/signoff-security-team-20261124T081500Z.yaml: Security Team refused by Lee: pen test still open")
    .stdout_contains("Verdict now: NO-GO: Security Team refused")
    .run();
    let again = signoff(
        refused.dir,
        &["--role", "Security Team", "--name", "Dana", "--yes"],
    )
    .status(2)
    .stderr_contains("Security Team already refused this run by Lee at 2026-11-24T09:15:00+01:00 (pen test still open)")
    .run();
    Test::resume_in(again.dir)
        .args(&["report", RUN])
        .stdout_contains("NO-GO: Security Team refused")
        .stdout_contains("refused later: Security Team by Lee at 2026-11-24T09:15:00+01:00: pen test still open (no SSH signature; signoff-security-team-20261124T081500Z.yaml)")
        .run();
}

#[test]
fn signoff_refuses_what_it_cannot_do_before_asking_anything() {
    let night = night_run(&["Security Team"]);
    let unknown = signoff(night.dir, &["--role", "Securty Team", "--name", "D", "--yes"])
        .status(2)
        .stderr("error: `Securty Team` is not a sign-off role of this run (did you mean `Security Team`?); its roles: Development Team, Operations Team, Product Team, Security Team\n")
        .run();
    let no_name = signoff(unknown.dir, &["--role", "Security Team", "--yes"])
        .status(2)
        .stderr_contains(
            "--yes confirms without asking, so it needs to know who signs: add --name NAME",
        )
        .run();
    let first = signoff(
        no_name.dir,
        &["--role", "security team", "--name", "Dana Reyes", "--yes"],
    )
    .stdout_contains("Verdict now: GO")
    .run();
    let twice = Test::resume_in(first.dir)
        .env("DEPLOYCHECK_NOW", "2026-11-24T11:00:00+01:00")
        .args(&[
            "signoff",
            RUN,
            "--role",
            "Security Team",
            "--name",
            "dana reyes",
            "--yes",
        ])
        .status(2)
        .stderr_contains(
            "dana reyes already signed off Security Team for this run at 2026-11-24T09:15:00+01:00",
        )
        .run();
    assert_eq!(addenda(twice.dir.path()).len(), 1);
    // A second signer of the same role is welcome: both are shown.
    let second = Test::resume_in(twice.dir)
        .env("DEPLOYCHECK_NOW", "2026-11-24T11:00:00+01:00")
        .args(&[
            "signoff",
            RUN,
            "--role",
            "Security Team",
            "--name",
            "Lee",
            "--yes",
        ])
        .run();
    assert_eq!(addenda(second.dir.path()).len(), 2);

    // An unfinished run cannot be signed off.
    let stopped = Test::with_seeds()
        .args(&["run", "production"])
        .stdin("2026-11-23\n")
        .status(1)
        .run();
    Test::resume_in(stopped.dir)
        .args(&[
            "signoff",
            RUN,
            "--role",
            "Security Team",
            "--name",
            "D",
            "--yes",
        ])
        .status(2)
        .stderr_contains(
            "the run has not finished, so it cannot be signed off: it stopped (end of input)",
        )
        .stderr_contains("finish it first with `deploycheck run production --resume`")
        .run();
}

#[test]
fn stopping_before_the_last_statement_writes_nothing() {
    let night = night_run(&["Security Team"]);
    let stopped = signoff(night.dir, &["--role", "Security Team", "--name", "Dana"])
        .stdin("y\nn\nquit\n")
        .status(1)
        .stdout_contains("not confirmed: refuse REASON refuses the sign-off; quit stops without writing anything")
        .stdout_contains("Stopped: nothing was written.")
        .run();
    assert!(addenda(stopped.dir.path()).is_empty());
}

#[test]
fn the_signoff_screen_at_a_terminal() {
    let night = Test::with_seeds()
        .write(
            "night.yaml",
            night_answers(&["Security Team"]).replace(
                "  environment-specific-checklists/production-deployment/backup-completed: done",
                "  environment-specific-checklists/production-deployment/backup-completed: {status: deferred, reason: \"snapshot runs at 02:00\"}",
            ),
        )
        .args(&["run", "production", "--answers", "night.yaml"])
        .status(1)
        .run();
    let morning = signoff(night.dir, &["--role", "Security Team"])
        .env("DEPLOYCHECK_ASSUME_TERMINAL", "1")
        .env("COLUMNS", "80")
        .stdin("dana@example.com\ny\ny\nmaybe\ny\ny\n")
        .status(1)
        .run();
    snapshot("signoff_screen_terminal_80", &screen(&morning));
}

/// A key made by the ssh-key crate (no ssh-keygen needed).
fn key_pair(dir: &Path, name: &str, comment: &str, passphrase: Option<&str>) -> String {
    use ssh_key::rand_core::OsRng;
    let mut key = ssh_key::PrivateKey::random(&mut OsRng, ssh_key::Algorithm::Ed25519).unwrap();
    key.set_comment(comment);
    let public = key.public_key().to_openssh().unwrap();
    if let Some(passphrase) = passphrase {
        key = key.encrypt(&mut OsRng, passphrase).unwrap();
    }
    std::fs::write(
        dir.join(name),
        key.to_openssh(ssh_key::LineEnding::LF).unwrap().as_bytes(),
    )
    .unwrap();
    public
}

#[test]
fn signed_signoffs_and_what_verify_says_about_each() {
    let night = night_run(&["Security Team", "Operations Team"]);
    let dana = key_pair(night.dir.path(), "dana", "dana@example.com", None);
    let jo = key_pair(
        night.dir.path(),
        "jo",
        "jo@example.com",
        Some("correct horse"),
    );
    let signed = signoff(night.dir, &["--role", "Security Team", "--key", "dana", "--yes"])
        .stdout_contains("Wrote runs/mail-score-production-20261123T220000Z/signoff-security-team-20261124T081500Z.yaml: Security Team signed by dana@example.com")
        .stdout_contains("Signed it with ssh-ed25519 SHA256:")
        .stdout_contains("Verdict now: GO · awaiting sign-off: Operations Team")
        .run();
    let wrong = signoff(
        signed.dir,
        &["--role", "Operations Team", "--key", "jo", "--yes"],
    )
    .env("DEPLOYCHECK_KEY_PASSPHRASE", "wrong")
    .status(2)
    .stderr_contains("jo: error: wrong passphrase")
    .run();
    let no_terminal = signoff(
        wrong.dir,
        &["--role", "Operations Team", "--key", "jo", "--yes"],
    )
    .status(2)
    .stderr_contains(
        "the key is encrypted; give its passphrase at a terminal or in DEPLOYCHECK_KEY_PASSPHRASE",
    )
    .run();
    let both = Test::resume_in(no_terminal.dir)
        .env("DEPLOYCHECK_NOW", "2026-11-24T10:30:00+01:00")
        .env("DEPLOYCHECK_KEY_PASSPHRASE", "correct horse")
        .args(&[
            "signoff",
            RUN,
            "--role",
            "Operations Team",
            "--key",
            "jo",
            "--yes",
        ])
        .stdout_contains("Verdict now: GO\n")
        .write(
            "allowed_signers",
            format!("dana@example.com {dana}\njo@example.com namespaces=\"deploycheck\" {jo}\n"),
        )
        .write("allowed_dana", format!("dana@example.com {dana}\n"))
        .run();
    let verified = Test::resume_in(both.dir)
        .args(&["verify", RUN, "--allowed-signers", "allowed_signers"])
        .stdout_contains("ok Security Team signed by dana@example.com: GO · awaiting sign-off: Operations Team (signoff-security-team-20261124T081500Z.yaml; ssh-ed25519 SHA256:")
        .stdout_contains("ok Operations Team signed by jo@example.com: GO (signoff-operations-team-20261124T093000Z.yaml; ssh-ed25519 SHA256:")
        .stdout_contains("run state (record and 2 sign-off addenda): GO")
        .stdout_contains("record.yaml: verifies")
        .run();
    let only_dana = Test::resume_in(verified.dir)
        .args(&["verify", RUN, "--allowed-signers", "allowed_dana"])
        .status(1)
        .stdout_contains("FAIL Operations Team signed by jo@example.com: GO (signoff-operations-team-20261124T093000Z.yaml): signer `jo@example.com` with key SHA256:")
        .run();
    Test::resume_in(only_dana.dir)
        .args(&["verify", RUN])
        .stdout_contains("note: signers are unauthenticated")
        .stdout_contains("record.yaml: verifies")
        .run();
}

#[test]
fn relabelled_moved_and_edited_signoffs_fail_verify_and_say_why() {
    let night = night_run(&["Security Team"]);
    key_pair(night.dir.path(), "dana", "dana@example.com", None);
    let signed = signoff(
        night.dir,
        &["--role", "Security Team", "--key", "dana", "--yes"],
    )
    .run();
    let folder = signed.dir.path().join(RUN);
    let addendum = folder.join("signoff-security-team-20261124T081500Z.yaml");
    let original = std::fs::read_to_string(&addendum).unwrap();

    // The signer relabelled: the signature over the addendum's bytes breaks.
    std::fs::write(
        &addendum,
        original.replace("dana@example.com", "ceo@example.com"),
    )
    .unwrap();
    let relabelled = Test::resume_in(signed.dir)
        .args(&["verify", RUN])
        .status(1)
        .stdout_contains("FAIL runs/mail-score-production-20261123T220000Z/signoff-security-team-20261124T081500Z.yaml: its signature runs/mail-score-production-20261123T220000Z/signoff-security-team-20261124T081500Z.yaml.sig is not good: does not match the file it signs: the file changed after it was signed")
        .stdout_contains("record.yaml: does NOT verify")
        .run();
    // The role relabelled in an unsigned addendum: its file name gives it away.
    std::fs::remove_file(folder.join("signoff-security-team-20261124T081500Z.yaml.sig")).unwrap();
    std::fs::write(
        &addendum,
        original.replace("role: Security Team", "role: Product Team"),
    )
    .unwrap();
    let role = Test::resume_in(relabelled.dir)
        .args(&["verify", RUN])
        .status(1)
        .stdout_contains("its file name does not match what it says (role `Product Team`")
        .run();
    std::fs::write(&addendum, &original).unwrap();

    // Moved into another run's folder: it names the other record's bytes.
    let other = Test::resume_in(role.dir)
        .env("DEPLOYCHECK_NOW", "2026-11-25T22:00:00+00:00")
        .args(&["run", "production", "--answers", "night.yaml"])
        .run();
    let other_folder = other
        .run_folders()
        .into_iter()
        .find(|f| f.ends_with("mail-score-production-20261125T220000Z"))
        .unwrap();
    std::fs::rename(&addendum, other_folder.join(addendum.file_name().unwrap())).unwrap();
    let moved = Test::resume_in(other.dir)
        .args(&["verify", "runs/mail-score-production-20261125T220000Z"])
        .status(1)
        .stdout_contains(
            "signoff-security-team-20261124T081500Z.yaml: it names another record (sha256 ",
        )
        .run();
    std::fs::rename(other_folder.join(addendum.file_name().unwrap()), &addendum).unwrap();

    // Any byte of the record edited after the sign-off.
    let record = folder.join("record.yaml");
    let text = std::fs::read_to_string(&record).unwrap();
    // One space at the end of the first line: the content reads the same, the bytes do not.
    std::fs::write(&record, text.replacen('\n', " \n", 1)).unwrap();
    Test::resume_in(moved.dir)
        .args(&["verify", RUN])
        .status(1)
        .stdout_contains("FAIL runs/mail-score-production-20261123T220000Z/signoff-security-team-20261124T081500Z.yaml: it names another record")
        .stdout_contains("FAIL the record's bytes are not the ones its journal's finish line names")
        .run();
}

#[test]
fn diff_compares_runs_as_they_stand() {
    let night = night_run(&["Security Team"]);
    std::fs::create_dir_all(night.dir.path().join("before")).unwrap();
    std::fs::copy(
        night.dir.path().join(RUN).join("record.yaml"),
        night.dir.path().join("before/record.yaml"),
    )
    .unwrap();
    let signed = signoff(
        night.dir,
        &["--role", "Security Team", "--name", "Dana", "--yes"],
    )
    .run();
    Test::resume_in(signed.dir)
        .args(&["diff", "before/record.yaml", RUN])
        .status(1)
        .stdout_contains("sign-off Security Team")
        .stdout_contains("awaiting sign-off")
        .stdout_contains("signed by Dana")
        .run();
}

#[test]
fn sign_is_an_alias_of_signoff() {
    let night = night_run(&["Security Team"]);
    key_pair(night.dir.path(), "dana", "dana@example.com", None);
    let signed = Test::resume_in(night.dir)
        .args(&[
            "sign",
            &format!("{RUN}/record.yaml"),
            "--key",
            "dana",
            "--role",
            "Security Team",
            "--signer",
            "dana@example.com",
            "--yes",
        ])
        .stdout_contains("Security Team signed by dana@example.com")
        .run();
    // The record itself is never rewritten.
    let record = signed.only_record();
    assert!(record.signatures.is_empty());
}

fn have_ssh_keygen() -> bool {
    std::process::Command::new("ssh-keygen")
        .arg("-?")
        .output()
        .is_ok()
}

/// `sha256sum record.yaml` equals the addendum's record_sha256, and
/// `ssh-keygen -Y verify ... -s ADDENDUM.sig < ADDENDUM` says Good; both fail after an edit.
fn openssh_check(dir: &Path, addendum: &Path, signer: &str) -> (bool, bool, String) {
    let record = std::fs::read(dir.join(RUN).join("record.yaml")).unwrap();
    let text = std::fs::read_to_string(addendum).unwrap();
    let named = text
        .lines()
        .find_map(|l| l.strip_prefix("record_sha256: "))
        .unwrap()
        .to_string();
    let sha256sum = std::process::Command::new("sha256sum")
        .arg(dir.join(RUN).join("record.yaml"))
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_string()
        })
        .unwrap_or_else(|_| sha256_hex(&record));
    let output = std::process::Command::new("ssh-keygen")
        .args([
            "-Y",
            "verify",
            "-f",
            "allowed_signers",
            "-I",
            signer,
            "-n",
            "deploycheck",
            "-s",
        ])
        .arg(format!("{}.sig", addendum.display()))
        .current_dir(dir)
        .stdin(std::fs::File::open(addendum).unwrap())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stdout).to_string()
        + &String::from_utf8_lossy(&output.stderr);
    (sha256sum == named, output.status.success(), said)
}

#[test]
fn signoffs_verify_with_plain_openssh_for_ed25519_ecdsa_and_rsa_keys() {
    if !have_ssh_keygen() {
        eprintln!("skipped: ssh-keygen is not installed (install openssh-client)");
        return;
    }
    let roles = ["Security Team", "Operations Team", "Product Team"];
    let mut dir = night_run(&roles).dir;
    let mut allowed = String::new();
    let mut signed: Vec<(PathBuf, &str)> = Vec::new();
    for (n, (kind, signer, role)) in [
        ("ed25519", "dana@example.com", roles[0]),
        ("ecdsa", "jo@example.com", roles[1]),
        ("rsa", "priya@example.com", roles[2]),
    ]
    .into_iter()
    .enumerate()
    {
        let status = std::process::Command::new("ssh-keygen")
            .args(["-q", "-t", kind, "-N", "", "-C", signer, "-f"])
            .arg(dir.path().join(kind))
            .status()
            .unwrap();
        assert!(status.success());
        let public = std::fs::read_to_string(dir.path().join(format!("{kind}.pub"))).unwrap();
        allowed.push_str(&format!("{signer} {public}"));
        let at = format!("2026-11-24T09:{:02}:00+01:00", 15 + n);
        let output = Test::resume_in(dir)
            .env("DEPLOYCHECK_NOW", &at)
            .args(&["signoff", RUN, "--role", role, "--key", kind, "--yes"])
            .stdout_contains(&format!("{role} signed by {signer}"))
            .run();
        dir = output.dir;
        let file = format!("signoff-{}-20261124T08{:02}00Z.yaml", slug(role), 15 + n);
        signed.push((dir.path().join(RUN).join(file), signer));
    }
    std::fs::write(dir.path().join("allowed_signers"), &allowed).unwrap();
    for (addendum, signer) in &signed {
        let (same_record, good, said) = openssh_check(dir.path(), addendum, signer);
        assert!(same_record, "{}: sha256sum differs", addendum.display());
        assert!(good, "{}: {said}", addendum.display());
        assert!(
            said.contains(&format!("Good \"deploycheck\" signature for {signer}")),
            "{said}"
        );
    }
    let dir = Test::resume_in(dir)
        .args(&["verify", RUN, "--allowed-signers", "allowed_signers"])
        .stdout_contains("ecdsa-sha2-nistp256 SHA256:")
        .stdout_contains("ssh-rsa SHA256:")
        .stdout_contains("run state (record and 3 sign-off addenda): GO")
        .stdout_contains("record.yaml: verifies")
        .run()
        .dir;

    // An edited addendum: ssh-keygen says the signature is bad.
    let (addendum, signer) = &signed[0];
    let original = std::fs::read_to_string(addendum).unwrap();
    std::fs::write(
        addendum,
        original.replace("role: Security Team", "role: Product Team"),
    )
    .unwrap();
    let (_, good, said) = openssh_check(dir.path(), addendum, signer);
    assert!(!good, "an edited addendum still verifies: {said}");
    std::fs::write(addendum, &original).unwrap();

    // An edited record: its sha256 is no longer the one the addendum names.
    let record = dir.path().join(RUN).join("record.yaml");
    let text = std::fs::read_to_string(&record).unwrap();
    std::fs::write(&record, text.replacen("status: done", "status: failed", 1)).unwrap();
    let (same_record, good, _) = openssh_check(dir.path(), addendum, signer);
    assert!(!same_record, "sha256sum still matches an edited record");
    assert!(good, "the addendum itself is untouched");
    Test::resume_in(dir)
        .args(&["verify", RUN, "--allowed-signers", "allowed_signers"])
        .status(1)
        .stdout_contains("it names another record")
        .run();
}

/// git in `dir`, with an identity of its own and no user or system configuration.
fn git(dir: &Path, args: &[&str]) -> String {
    let output = std::process::Command::new("git")
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs");
    let said = String::from_utf8_lossy(&output.stdout).to_string()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "git {}: {said}", args.join(" "));
    String::from_utf8_lossy(&output.stdout).to_string()
}

fn have_git() -> bool {
    std::process::Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn git_status_after_a_run_shows_only_the_run_folders_own_files() {
    if !have_git() {
        eprintln!("skipped: git is not installed");
        return;
    }
    let project = Test::with_seeds().write("night.yaml", night_answers(&["Security Team"]));
    git(project.path(), &["init", "-q"]);
    git(project.path(), &["add", "-A"]);
    git(project.path(), &["commit", "-q", "-m", "checklists"]);
    let night = project
        .args(&["run", "production", "--answers", "night.yaml"])
        .run();
    assert!(night.dir.path().join("runs/.locks").is_dir());
    let status = git(
        night.dir.path(),
        &["status", "--porcelain", "--untracked-files=all"],
    );
    assert_eq!(
        status,
        format!("?? {RUN}/.gitattributes\n?? {RUN}/journal.jsonl\n?? {RUN}/record.yaml\n"),
        "locks and the records folder's own ignore file stay out of git"
    );
}

#[test]
fn a_run_checked_out_with_windows_line_endings_still_verifies() {
    if !have_git() {
        eprintln!("skipped: git is not installed");
        return;
    }
    // core.autocrlf=true turns LF into CRLF on checkout, which changes every byte a
    // journal line's sum, a finish line and an addendum name; the run folder's own
    // .gitattributes keeps git's hands off.
    let night = night_run(&["Security Team"]);
    let root = night.dir.path().to_path_buf();
    git(&root, &["init", "-q"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "night run"]);
    let clone = root.join("windows");
    git(
        &root,
        &["-c", "core.autocrlf=true", "clone", "-q", ".", "windows"],
    );
    let journal = std::fs::read(clone.join(RUN).join("journal.jsonl")).unwrap();
    assert!(!journal.contains(&b'\r'));
    Test::resume_in(night.dir)
        .current_dir("windows")
        .args(&["verify", RUN])
        .stdout_contains("verifies")
        .run();
}

#[test]
fn two_clones_sign_off_two_roles_and_git_merges_them_without_conflict() {
    if !have_git() {
        eprintln!("skipped: git is not installed");
        return;
    }
    // The night: a run finished awaiting two sign-offs, committed to the team's repository.
    let night = night_run(&["Security Team", "Operations Team"]);
    let root = night.dir.path().to_path_buf();
    git(&root, &["init", "-q"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "night run"]);
    git(&root, &["clone", "-q", ".", "laptop-dana"]);
    git(&root, &["clone", "-q", ".", "laptop-jo"]);

    // The morning: each owner signs off on a laptop of their own, and commits.
    let dana = Test::resume_in(night.dir)
        .current_dir("laptop-dana")
        .env("DEPLOYCHECK_NOW", MORNING)
        .args(&[
            "signoff",
            RUN,
            "--role",
            "Security Team",
            "--name",
            "dana@example.com",
            "--yes",
        ])
        .stdout_contains("Verdict now: GO · awaiting sign-off: Operations Team")
        .run();
    let jo = Test::resume_in(dana.dir)
        .current_dir("laptop-jo")
        .env("DEPLOYCHECK_NOW", "2026-11-24T09:40:00+01:00")
        .args(&[
            "signoff",
            RUN,
            "--role",
            "Operations Team",
            "--name",
            "jo@example.com",
            "--yes",
        ])
        .stdout_contains("Verdict now: GO · awaiting sign-off: Security Team")
        .run();
    for (clone, what) in [
        ("laptop-dana", "Security sign-off"),
        ("laptop-jo", "Ops sign-off"),
    ] {
        let clone = root.join(clone);
        git(&clone, &["add", "-A"]);
        git(&clone, &["commit", "-q", "-m", what]);
        assert_eq!(git(&clone, &["status", "--porcelain"]), "");
    }
    // Dana pulls Jo's commit: a merge of two new files, no conflict.
    git(
        &root.join("laptop-dana"),
        &[
            "pull",
            "-q",
            "--no-rebase",
            "--no-edit",
            "../laptop-jo",
            "HEAD",
        ],
    );
    let dana_clone = root.join("laptop-dana");
    assert_eq!(git(&dana_clone, &["status", "--porcelain"]), "");
    assert_eq!(
        addenda(&dana_clone),
        [
            "signoff-operations-team-20261124T084000Z.yaml",
            "signoff-security-team-20261124T081500Z.yaml"
        ]
    );
    let verified = Test::resume_in(jo.dir)
        .current_dir("laptop-dana")
        .args(&["verify", RUN])
        .stdout_contains(
            "ok Security Team signed by dana@example.com: GO · awaiting sign-off: Operations Team",
        )
        .stdout_contains("ok Operations Team signed by jo@example.com: GO (")
        .stdout_contains("run state (record and 2 sign-off addenda): GO")
        .stdout_contains("record.yaml: verifies")
        .run();
    let report = Test::resume_in(verified.dir)
        .current_dir("laptop-dana")
        .args(&["report", RUN])
        .stdout_contains(
            "signed off later: Security Team by dana@example.com at 2026-11-24T09:15:00+01:00",
        )
        .stdout_contains(
            "signed off later: Operations Team by jo@example.com at 2026-11-24T09:40:00+01:00",
        )
        .run();
    assert!(report.stdout.starts_with("GO  "), "{}", report.stdout);
}

/// Each sign-off in a record: its role and who signed, if anyone did.
fn signers(record: &deploycheck::model::Record) -> Vec<(&str, Option<&str>)> {
    record
        .signoffs
        .iter()
        .map(|s| (s.role.as_str(), s.name.as_deref()))
        .collect()
}

#[test]
fn an_approvals_table_gives_one_signoff_per_role_with_no_statements_to_count() {
    let checklist = "# CAB change\n\n## Change\n- [ ] Apply the migration\n\n## Approvals\n\n\
        | Role | Name | Date | Signature |\n|------|------|------|-----------|\n\
        | DBA Lead | | | |\n| Service Owner | | | |\n";
    let output = Test::new()
        .write("checklists/cab.md", checklist)
        .args(&["run", "production", "--operator", "ops"])
        .stdin("y\nDana\nLee\n")
        .stdout_contains("1 item to walk")
        .stdout_contains("Sign for DBA Lead >")
        .run();
    assert!(
        !screen(&output).contains("statements confirmed"),
        "{}",
        screen(&output)
    );
    let record = output.only_record();
    let signed = signers(&record);
    assert_eq!(
        signed,
        [("DBA Lead", Some("Dana")), ("Service Owner", Some("Lee"))]
    );
}

/// One step, then one role to sign from an approvals table.
const ONE_APPROVER: &str = "# CAB change\n\n## Change\n- [ ] Apply the migration\n\n\
    ## Approvals\n\n| Role | Name | Date | Signature |\n|------|------|------|-----------|\n\
    | DBA Lead | | | |\n";

#[test]
fn a_reply_that_answers_an_item_is_refused_as_a_signers_name() {
    let output = Test::new()
        .write("checklists/cab.md", ONE_APPROVER)
        .args(&["run", "production", "--operator", "ops"])
        .stdin("y\ny\nDana Reyes\n")
        .stdout_contains("Sign for DBA Lead >")
        .stdout_contains("`y` answers an item, but a sign-off needs the name of the person signing")
        .run();
    let record = output.only_record();
    let signed = signers(&record);
    assert_eq!(signed, [("DBA Lead", Some("Dana Reyes"))]);
}

#[test]
fn an_answers_file_that_signs_with_y_is_refused_with_its_line() {
    Test::new()
        .write("checklists/cab.md", ONE_APPROVER)
        .write(
            "answers.yaml",
            "answers:\n  change/change/apply-the-migration: y\nsignoffs:\n  DBA Lead: y\n",
        )
        .args(&[
            "run",
            "production",
            "--operator",
            "ops",
            "--answers",
            "answers.yaml",
        ])
        .status(2)
        .stderr_contains("answers.yaml:4: error: signoffs.DBA Lead: `y` answers an item")
        .stderr_contains("a sign-off needs the name of the person signing")
        .run();
}

#[test]
fn a_role_written_with_a_non_breaking_hyphen_is_named_with_a_typed_one() {
    // The title's `Site‑Reliability` (U+2011) is kept as written; a keyboard types `-`.
    let checklist = "# R\n\n## Deploy\n\n### Go\n\n- [ ] Ship it\n\n## Sign-off\n\n### Site\u{2011}Reliability Sign\u{2011}off\n\n- [ ] Dashboards green\n\nSigned: ____\n";
    let night = Test::new()
        .write("checklists/r.md", checklist)
        .write(
            "a.yaml",
            "answers:\n  deploy/go/ship-it: done\nsignoffs:\n  Site-Reliability: later\n",
        )
        .env("DEPLOYCHECK_NOW", "2026-11-23T22:00:00+00:00")
        .args(&["run", "production", "--answers", "a.yaml"])
        .stdout_contains("Site\u{2011}Reliability signs off later")
        .run();
    Test::resume_in(night.dir)
        .args(&[
            "signoff",
            "runs/r-production-20261123T220000Z",
            "--role",
            "site-reliability",
            "--name",
            "Dana",
            "--yes",
        ])
        .stdout_contains("Verdict now: GO")
        .run();
}
