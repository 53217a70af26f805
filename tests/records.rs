//! `report`, `diff`, `verify` and `sign` on real run records.

use crate::support::{Test, fixture_bytes};

const BACKUP: &str = "environment-specific-checklists/production-deployment/backup-completed";

fn go_answers() -> String {
    String::from_utf8(fixture_bytes("answers/mail-score-production-go.yaml")).unwrap()
}

fn no_go_answers() -> String {
    go_answers().replace(
        &format!("  {BACKUP}: done"),
        &format!("  {BACKUP}: {{status: failed, reason: \"snapshot timed out\"}}"),
    )
}

/// A project with a GO run (its folder in runs/ renamed `go`) and a NO-GO record beside it.
fn two_records() -> Test {
    let first = Test::with_seeds()
        .write("go-answers.yaml", go_answers())
        .args(&["run", "production", "--answers", "go-answers.yaml"])
        .run();
    let dir = first.dir;
    std::fs::rename(
        dir.path()
            .join("runs/mail-score-production-20261123T220000Z"),
        dir.path().join("go"),
    )
    .unwrap();
    let second = Test::resume_in(dir)
        .write("no-go-answers.yaml", no_go_answers())
        .args(&["run", "production", "--answers", "no-go-answers.yaml"])
        .status(1)
        .run();
    let dir = second.dir;
    std::fs::rename(
        dir.path()
            .join("runs/mail-score-production-20261123T220000Z"),
        dir.path().join("no-go"),
    )
    .unwrap();
    Test::resume_in(dir)
}

#[test]
fn report_of_a_no_go_record_in_every_format() {
    let test = two_records();
    let dir = test.into_dir();
    let json = Test::resume_in(dir)
        .args(&["report", "no-go/record.yaml", "--format", "json"])
        .run();
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(report["verdict"], "NO-GO");
    assert_eq!(report["digest_ok"], true);
    assert_eq!(report["failed"][0]["id"], BACKUP);
    assert_eq!(report["counts"]["failed"], 1);
    assert_eq!(report["measured"].as_array().unwrap().len(), 6);

    let junit = Test::resume_in(json.dir)
        .args(&["report", "no-go/record.yaml", "--format", "junit"])
        .run();
    assert_eq!(junit.stdout.matches("<testcase ").count(), 172);
    assert_eq!(junit.stdout.matches("<failure ").count(), 1);
    assert!(junit.stdout.contains(r#"classname="Environment-Specific Checklists/Production Deployment" name="Backup completed""#));
    assert!(
        junit
            .stdout
            .contains(r#"<failure type="failed" message="snapshot timed out"/>"#)
    );

    let markdown = Test::resume_in(junit.dir)
        .args(&["report", "no-go/record.yaml", "--format", "markdown"])
        .run();
    assert!(
        markdown
            .stdout
            .starts_with("### ❌ NO-GO: Deployment Checklist - Mail Score System (production)")
    );
    assert!(
        markdown
            .stdout
            .contains("| failed | Backup completed | snapshot timed out |  |")
    );

    Test::resume_in(markdown.dir)
        .args(&["report", "no-go/record.yaml"])
        .stdout_contains("NO-GO: 1 failed  Deployment Checklist - Mail Score System · production")
        .stdout_contains("Backup completed")
        .run();
}

#[test]
fn diff_finds_the_one_item_that_changed() {
    let test = two_records();
    let same = test
        .args(&["diff", "go/record.yaml", "go/record.yaml"])
        .stdout("no differences between go/record.yaml and go/record.yaml\n")
        .run();
    let table = Test::resume_in(same.dir)
        .args(&["diff", "go/record.yaml", "no-go/record.yaml"])
        .status(1)
        .stdout_contains("go/record.yaml → no-go/record.yaml: 1 item differ")
        .stdout_contains("Backup completed")
        .run();
    let json = Test::resume_in(table.dir)
        .args(&[
            "diff",
            "go/record.yaml",
            "no-go/record.yaml",
            "--format",
            "json",
        ])
        .status(1)
        .run();
    let diff: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(diff["same"], false);
    assert_eq!(
        diff["differences"]["verdict"],
        serde_json::json!({"a": "GO", "b": "NO-GO: 1 failed"})
    );
    assert_eq!(diff["differences"]["items"].as_array().unwrap().len(), 1);
    assert_eq!(diff["differences"]["items"][0]["id"], BACKUP);
    assert!(
        diff["differences"]["context"]
            .as_array()
            .unwrap()
            .is_empty(),
        "who and when only with --all"
    );
    Test::resume_in(json.dir)
        .args(&["diff", "go/record.yaml", "checklists/mail-score.md"])
        .status(2)
        .stderr("checklists/mail-score.md:6:1: error: this looks like a Markdown checklist, not a run record; give a record.yaml from a run folder (runs/<run>/record.yaml)\n")
        .run();
}

fn key_pair(dir: &std::path::Path, name: &str, comment: &str, passphrase: Option<&str>) -> String {
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
fn verify_untouched_edited_and_signed_records() {
    let test = two_records();
    let dir = test.into_dir();
    let ok = Test::resume_in(dir)
        .args(&["verify", "go/record.yaml"])
        .stdout_contains("ok digest matches the content")
        .stdout_contains("go/record.yaml: verifies")
        .run();

    // Two roles sign; an allowed_signers file vouches for both.
    let dana = key_pair(ok.dir.path(), "dana", "dana@example.com", None);
    let jo = key_pair(ok.dir.path(), "jo", "jo@example.com", Some("correct horse"));
    let signed = Test::resume_in(ok.dir)
        .args(&[
            "sign",
            "go/record.yaml",
            "--key",
            "dana",
            "--role",
            "Security Team",
        ])
        .stdout_contains("signed go/record.yaml as Security Team by dana@example.com")
        .run();
    let signed = Test::resume_in(signed.dir)
        .env("DEPLOYCHECK_KEY_PASSPHRASE", "correct horse")
        .args(&[
            "sign",
            "go/record.yaml",
            "--key",
            "jo",
            "--role",
            "Operations Team",
        ])
        .stdout_contains("2 signatures in all")
        .run();
    let both = format!("dana@example.com {dana}\njo@example.com namespaces=\"deploycheck\" {jo}\n");
    let only_dana = format!("dana@example.com {dana}\n");
    let verified = Test::resume_in(signed.dir)
        .write("allowed_signers", &both)
        .write("allowed_dana", &only_dana)
        .args(&[
            "verify",
            "go/record.yaml",
            "--allowed-signers",
            "allowed_signers",
        ])
        .stdout_contains("ok signature 1: Security Team by dana@example.com")
        .stdout_contains("ok signature 2: Operations Team by jo@example.com")
        .run();
    let missing = Test::resume_in(verified.dir)
        .args(&["verify", "go/record.yaml", "--allowed-signers", "allowed_dana"])
        .status(1)
        .stdout_contains("FAIL signature 2: Operations Team by jo@example.com: signer `jo@example.com` with key SHA256:")
        .run();
    let unauthenticated = Test::resume_in(missing.dir)
        .args(&["verify", "go/record.yaml"])
        .stdout_contains("note: signers are unauthenticated")
        .run();

    // One status edited by hand after signing.
    let path = unauthenticated.dir.path().join("go/record.yaml");
    let text = std::fs::read_to_string(&path).unwrap().replacen(
        "  text: Backup completed\n  kind: step\n  optional: false\n  parent: null\n  status: done",
        "  text: Backup completed\n  kind: step\n  optional: false\n  parent: null\n  status: failed",
        1,
    );
    std::fs::write(&path, text).unwrap();
    let edited = Test::resume_in(unauthenticated.dir)
        .args(&["verify", "go/record.yaml", "--allowed-signers", "allowed_signers"])
        .status(1)
        .stdout_contains("FAIL digest mismatch: the record was edited after it was written")
        .stdout_contains(&format!("the record differs from its journal: `{BACKUP}`: status failed in the record, done in the journal"))
        .run();
    Test::resume_in(edited.dir)
        .args(&[
            "sign",
            "go/record.yaml",
            "--key",
            "dana",
            "--role",
            "Product Team",
        ])
        .status(1)
        .stderr_contains("a record that does not verify is not signed")
        .run();
}

#[test]
fn sign_refuses_unknown_roles_and_wrong_passphrases() {
    let test = two_records();
    let dir = test.into_dir();
    key_pair(dir.path(), "lee", "lee@example.com", Some("right"));
    key_pair(dir.path(), "plain", "", None);
    let roles = Test::resume_in(dir)
        .args(&["sign", "go/record.yaml", "--key", "lee", "--role", "Legal"])
        .status(2)
        .stderr_contains("`Legal` is not a sign-off role of this record; its roles: Development Team, Operations Team, Product Team, Security Team")
        .run();
    let wrong = Test::resume_in(roles.dir)
        .env("DEPLOYCHECK_KEY_PASSPHRASE", "wrong")
        .args(&[
            "sign",
            "go/record.yaml",
            "--key",
            "lee",
            "--role",
            "Product Team",
        ])
        .status(2)
        .stderr_contains("lee: error: wrong passphrase")
        .run();
    let no_terminal = Test::resume_in(wrong.dir)
        .args(&["sign", "go/record.yaml", "--key", "lee", "--role", "Product Team"])
        .status(2)
        .stderr_contains("the key is encrypted; give its passphrase at a terminal or in DEPLOYCHECK_KEY_PASSPHRASE")
        .run();
    Test::resume_in(no_terminal.dir)
        .args(&[
            "sign",
            "go/record.yaml",
            "--key",
            "plain",
            "--role",
            "Product Team",
        ])
        .status(2)
        .stderr_contains("the key has no comment to name the signer; pass --signer ID")
        .run();
}

/// The first signature, written to a file, verifies with plain OpenSSH:
/// `printf %s "$(yq -r .digest R)" | ssh-keygen -Y verify -f allowed_signers -I SIGNER -n deploycheck -s SIG`.
#[test]
fn signatures_verify_with_plain_openssh_when_ssh_keygen_is_installed() {
    let have = std::process::Command::new("sh")
        .args(["-c", "command -v ssh-keygen"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !have {
        eprintln!("skipped: ssh-keygen is not installed (CI installs openssh-client)");
        return;
    }
    let test = two_records();
    let dir = test.into_dir();
    let mut allowed = String::new();
    for (name, kind, signer, role) in [
        ("ed", "ed25519", "dana@example.com", "Security Team"),
        ("rsa", "rsa", "jo@example.com", "Operations Team"),
    ] {
        let status = std::process::Command::new("ssh-keygen")
            .args(["-q", "-t", kind, "-N", "", "-C", signer, "-f"])
            .arg(dir.path().join(name))
            .status()
            .unwrap();
        assert!(status.success());
        let public = std::fs::read_to_string(dir.path().join(format!("{name}.pub"))).unwrap();
        allowed.push_str(&format!("{signer} {public}"));
        let output = assert_cmd::Command::new(env!("CARGO_BIN_EXE_deploycheck"))
            .args(["sign", "go/record.yaml", "--key", name, "--role", role])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    std::fs::write(dir.path().join("allowed_signers"), &allowed).unwrap();
    let record: deploycheck::model::Record = deploycheck::yaml::from_str(
        &std::fs::read_to_string(dir.path().join("go/record.yaml")).unwrap(),
        "go/record.yaml",
    )
    .unwrap();
    for (index, signature) in record.signatures.iter().enumerate() {
        let sig_path = dir.path().join(format!("sig{index}"));
        std::fs::write(&sig_path, format!("{}\n", signature.signature)).unwrap();
        let output = assert_cmd::Command::new("ssh-keygen")
            .args([
                "-Y",
                "verify",
                "-f",
                "allowed_signers",
                "-I",
                &signature.signer,
                "-n",
                "deploycheck",
                "-s",
            ])
            .arg(&sig_path)
            .current_dir(dir.path())
            .write_stdin(record.digest.as_bytes().to_vec())
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&output.stdout).to_string()
            + &String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{}: {said}", signature.signer);
        assert!(
            said.contains(&format!(
                "Good \"deploycheck\" signature for {}",
                signature.signer
            )),
            "{said}"
        );
    }
    Test::resume_in(dir)
        .args(&[
            "verify",
            "go/record.yaml",
            "--allowed-signers",
            "allowed_signers",
        ])
        .stdout_contains("go/record.yaml: verifies")
        .run();
}
