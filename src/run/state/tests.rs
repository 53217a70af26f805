use super::*;
use crate::model::sample;
use crate::model::{ItemKind, RecordItem, RecordSignoff, Timestamp, Verdict};

fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

fn item(id: &str, kind: ItemKind, role: Option<&str>, status: Status) -> RecordItem {
    let item = match status {
        Status::Pending => sample::item(id, "P", status),
        _ => sample::answered(id, "P", status, "ops", at("2026-11-23T22:10:00+00:00")),
    };
    RecordItem {
        section: role.unwrap_or("S").into(),
        kind,
        role: role.map(str::to_string),
        ..item
    }
}

/// A finished run: one step done, Operations signed during the run, Security left for later.
fn awaiting_record() -> Record {
    let mut record = sample::record(
        vec![
            item("p/s/deploy", ItemKind::Step, None, Status::Done),
            item(
                "sign-off/operations/ready",
                ItemKind::Statement,
                Some("Operations"),
                Status::Done,
            ),
            item(
                "sign-off/security/pen-test",
                ItemKind::Statement,
                Some("Security Team"),
                Status::Pending,
            ),
            item(
                "sign-off/security/scan",
                ItemKind::Statement,
                Some("Security Team"),
                Status::Pending,
            ),
        ],
        ("ops", "night-1"),
        "2026-11-23T22:00:00+00:00",
        "2026-11-23T23:00:00+00:00",
    );
    record.checklist.title = "Release".into();
    record.checklist.path = "checklists/release.md".into();
    record.signoffs = vec![
        RecordSignoff {
            role: "Operations".into(),
            status: SignoffStatus::Signed,
            name: Some("Jo".into()),
            reason: None,
            at: Some(at("2026-11-23T22:50:00+00:00")),
            by: Some("ops".into()),
            statements: vec!["sign-off/operations/ready".into()],
        },
        RecordSignoff {
            role: "Security Team".into(),
            status: SignoffStatus::Awaiting,
            name: None,
            reason: None,
            at: Some(at("2026-11-23T22:55:00+00:00")),
            by: Some("ops".into()),
            statements: vec![],
        },
    ];
    record.settle();
    record
}

fn signoff(record_sha256: &str, refused: Option<&str>) -> SignoffAddendum {
    SignoffAddendum {
        schema: SIGNOFF_SCHEMA.into(),
        record_sha256: record_sha256.into(),
        role: "Security Team".into(),
        name: "dana@example.com".into(),
        at: at("2026-11-24T09:15:00+00:00"),
        statements: if refused.is_some() {
            vec![]
        } else {
            vec![
                "sign-off/security/pen-test".into(),
                "sign-off/security/scan".into(),
            ]
        },
        refused: refused.map(str::to_string),
    }
}

/// A run folder holding the record; returns (temp dir, folder, record sha256).
fn folder_with(record: &Record) -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("runs/release-production-20261123T220000Z");
    std::fs::create_dir_all(&folder).unwrap();
    let bytes = crate::store::record_bytes(record);
    std::fs::write(folder.join("record.yaml"), &bytes).unwrap();
    let sha = fingerprint(&bytes).0;
    (dir, folder, sha)
}

fn write_addendum(folder: &Path, addendum: &SignoffAddendum) -> PathBuf {
    let path = folder.join(addendum.file_name());
    std::fs::write(&path, crate::yaml::to_string(addendum).unwrap()).unwrap();
    path
}

#[test]
fn a_role_left_for_later_does_not_hold_the_verdict_back() {
    let record = awaiting_record();
    assert_eq!(record.verdict, Verdict::Go);
    assert_eq!(record.outstanding, ["awaiting sign-off: Security Team"]);
    assert_eq!(record.headline(), "GO · awaiting sign-off: Security Team");
    assert_eq!(record.judge().headline(), record.headline());
    // Its two statements wait for its owner: counted as pending, not as unanswered.
    assert_eq!(record.counts.pending, 2);
}

#[test]
fn a_signed_addendum_makes_the_run_go_and_confirms_the_statements() {
    let record = awaiting_record();
    let (dir, folder, sha) = folder_with(&record);
    write_addendum(&folder, &signoff(&sha, None));
    let state = RunState::load(&folder, dir.path()).unwrap();
    assert!(state.rejected.is_empty(), "{:?}", state.rejected);
    assert_eq!(state.addenda.len(), 1);
    assert_eq!(state.judge().headline(), "GO");
    let effective = state.effective();
    let security = &effective.signoffs[1];
    assert_eq!(security.status, SignoffStatus::Signed);
    assert_eq!(security.name.as_deref(), Some("dana@example.com"));
    let pen_test = &effective.items[2];
    assert_eq!(pen_test.status, Status::Done);
    assert_eq!(pen_test.how, Some(How::Signoff));
    assert_eq!(pen_test.answered_by.as_deref(), Some("dana@example.com"));
    // The stored record is untouched.
    assert_eq!(state.record, record);
}

#[test]
fn a_refusal_makes_the_run_no_go() {
    let record = awaiting_record();
    let (dir, folder, sha) = folder_with(&record);
    write_addendum(&folder, &signoff(&sha, Some("pen test open")));
    let state = RunState::load(&folder, dir.path()).unwrap();
    assert_eq!(state.judge().headline(), "NO-GO: Security Team refused");
    assert_eq!(
        state.effective().signoffs[1].reason.as_deref(),
        Some("pen test open")
    );
}

#[test]
fn any_refusal_among_several_addenda_wins() {
    let record = awaiting_record();
    let (dir, folder, sha) = folder_with(&record);
    write_addendum(&folder, &signoff(&sha, Some("pen test open")));
    let mut later = signoff(&sha, None);
    later.name = "lee@example.com".into();
    later.at = at("2026-11-24T11:00:00+00:00");
    write_addendum(&folder, &later);
    let state = RunState::load(&folder, dir.path()).unwrap();
    assert_eq!(state.addenda.len(), 2);
    assert_eq!(state.judge().verdict, Verdict::NoGo);
}

#[test]
fn the_state_loads_from_the_folder_the_record_or_an_addendum() {
    let record = awaiting_record();
    let (dir, folder, sha) = folder_with(&record);
    let addendum = write_addendum(&folder, &signoff(&sha, None));
    for path in [folder.clone(), folder.join("record.yaml"), addendum] {
        let relative = path.strip_prefix(dir.path()).unwrap();
        let state = RunState::load(relative, dir.path()).unwrap();
        assert_eq!(state.addenda.len(), 1, "{}", path.display());
        assert_eq!(
            state.shown,
            "runs/release-production-20261123T220000Z/record.yaml"
        );
    }
}

#[test]
fn an_addendum_for_other_bytes_is_rejected_with_why() {
    let record = awaiting_record();
    let (dir, folder, _) = folder_with(&record);
    write_addendum(&folder, &signoff(&"0".repeat(64), None));
    let state = RunState::load(&folder, dir.path()).unwrap();
    assert!(state.addenda.is_empty());
    assert_eq!(state.rejected.len(), 1);
    assert!(
        state.rejected[0].reason.contains("names another record"),
        "{:?}",
        state.rejected
    );
    assert_eq!(state.judge().headline(), record.headline());
}

#[test]
fn a_relabelled_role_no_longer_matches_its_file_name() {
    let record = awaiting_record();
    let (dir, folder, sha) = folder_with(&record);
    let path = write_addendum(&folder, &signoff(&sha, None));
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("role: Security Team", "role: Operations");
    std::fs::write(&path, text).unwrap();
    let state = RunState::load(&folder, dir.path()).unwrap();
    assert!(state.addenda.is_empty());
    assert!(
        state.rejected[0]
            .reason
            .contains("file name does not match"),
        "{:?}",
        state.rejected
    );
}

#[test]
fn unknown_roles_foreign_statements_and_unfinished_records_are_rejected() {
    let record = awaiting_record();
    let (dir, folder, sha) = folder_with(&record);
    let mut stranger = signoff(&sha, None);
    stranger.role = "Legal".into();
    write_addendum(&folder, &stranger);
    let mut foreign = signoff(&sha, None);
    foreign.statements.push("sign-off/operations/ready".into());
    write_addendum(&folder, &foreign);
    let state = RunState::load(&folder, dir.path()).unwrap();
    let reasons: Vec<&str> = state.rejected.iter().map(|r| r.reason.as_str()).collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(reasons.iter().any(|r| r.contains("role `Legal`")));
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("`sign-off/operations/ready` is not one of Security Team's"))
    );

    let mut stopped = awaiting_record();
    stopped.finished_at = None;
    stopped.stopped = Some(crate::model::RecordStop {
        at: at("2026-11-23T23:00:00+00:00"),
        reason: "quit".into(),
        replaced_by: None,
    });
    stopped.settle();
    let (dir, folder, sha) = folder_with(&stopped);
    write_addendum(&folder, &signoff(&sha, None));
    let state = RunState::load(&folder, dir.path()).unwrap();
    assert!(state.rejected[0].reason.contains("has not finished"));
}

#[test]
fn a_signature_beside_an_addendum_must_be_good_over_its_bytes() {
    let record = awaiting_record();
    let (dir, folder, sha) = folder_with(&record);
    let path = write_addendum(&folder, &signoff(&sha, None));
    let key =
        ssh_key::PrivateKey::random(&mut ssh_key::rand_core::OsRng, ssh_key::Algorithm::Ed25519)
            .unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let armored = crate::audit::signing::sign_detached(&key, &bytes).unwrap();
    let signature_path = folder.join(format!("{}.sig", signoff(&sha, None).file_name()));
    std::fs::write(&signature_path, &armored).unwrap();
    let state = RunState::load(&folder, dir.path()).unwrap();
    let signed = state.addenda[0].signature.as_ref().expect("signed");
    assert_eq!(
        signed.fingerprint,
        key.public_key()
            .fingerprint(ssh_key::HashAlg::Sha256)
            .to_string()
    );

    // The signer relabelled: the signature no longer holds, and the sign-off does not count.
    let text = String::from_utf8(bytes)
        .unwrap()
        .replace("dana@example.com", "mallory@example.com");
    std::fs::write(&path, text).unwrap();
    let state = RunState::load(&folder, dir.path()).unwrap();
    assert!(state.addenda.is_empty());
    assert!(
        state.rejected[0].reason.contains("is not good"),
        "{:?}",
        state.rejected
    );
    assert_eq!(
        state.judge().headline(),
        "GO · awaiting sign-off: Security Team"
    );

    // A signature left alone is named.
    std::fs::remove_file(&path).unwrap();
    let state = RunState::load(&folder, dir.path()).unwrap();
    assert!(state.rejected[0].reason.contains("no addendum"));
}

#[test]
fn garbage_folders_and_links_named_like_addenda_are_rejected_never_fatal() {
    let record = awaiting_record();
    let (dir, folder, _) = folder_with(&record);
    std::fs::write(
        folder.join("signoff-a-20261124T081500Z.yaml"),
        "\u{1}\u{2}: [",
    )
    .unwrap();
    std::fs::write(
        folder.join("signoff-b-20261124T081500Z.yaml"),
        "phases: []\n",
    )
    .unwrap();
    std::fs::create_dir(folder.join("signoff-c-20261124T081500Z.yaml")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        "/etc/passwd",
        folder.join("signoff-d-20261124T081500Z.yaml"),
    )
    .unwrap();
    let state = RunState::load(&folder, dir.path()).unwrap();
    assert!(state.addenda.is_empty());
    let expected = if cfg!(unix) { 4 } else { 3 };
    assert_eq!(state.rejected.len(), expected, "{:?}", state.rejected);
    assert!(
        state
            .rejected
            .iter()
            .filter(|r| r.reason.contains("not a regular file"))
            .count()
            >= 1
    );
    assert_eq!(state.judge().headline(), record.headline());
}

#[test]
fn an_older_signs_block_is_taken_back_to_the_line_the_run_wrote_and_nothing_else() {
    let signed =
        b"verdict: GO   # approved\ndigest: sha256:ab\nsignatures:\n- role: QA\n  signer: dana\n";
    assert_eq!(
        super::without_signatures(signed),
        b"verdict: GO   # approved\ndigest: sha256:ab\nsignatures: []\n"
    );
    let unsigned = b"verdict: GO\nsignatures: []\n";
    assert_eq!(super::without_signatures(unsigned), unsigned);
}
