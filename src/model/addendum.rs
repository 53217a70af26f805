//! Addenda: what is added to a run after its record is final, each as a new file in the run
//! folder, never as an edit of the record.
//!
//! An addendum names the record it belongs to by the SHA-256 of `record.yaml`'s exact
//! bytes, and is written by one person on one machine under a name no other machine
//! writes, so two clones that each add one merge in git without a conflict. Signed
//! addenda have a detached OpenSSH signature beside them (`<file>.sig`) over their own
//! bytes, which binds the role, the signer, the time and the record together.
//!
//! Two kinds: [`SignoffAddendum`], a role's sign-off (or refusal) given after the run, and
//! [`FollowUpAddendum`], answers to the run's follow-ups given after it. Another kind is
//! one more type here and one more variant of `run::AddendumKind`.

use serde::{Deserialize, Serialize};

use super::{How, RecordEarly, Status, Timestamp, slugify};

pub const SIGNOFF_SCHEMA: &str = "deploycheck/signoff/v1";

/// File names of sign-off addenda start with this.
pub const SIGNOFF_PREFIX: &str = "signoff-";

/// A role's sign-off given after the run, by its owner: `signoff-<role>-<UTC time>.yaml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignoffAddendum {
    pub schema: String,
    /// The lowercase hex SHA-256 of the exact bytes of the `record.yaml` it belongs to.
    pub record_sha256: String,
    pub role: String,
    /// Who signed or refused: a name, or the identity an allowed-signers file knows
    /// (`dana@example.com`) when the addendum is signed with a key.
    pub name: String,
    pub at: Timestamp,
    /// The IDs of the role's statements its owner confirmed.
    pub statements: Vec<String>,
    /// Why the role refused; `null` for a sign-off.
    pub refused: Option<String>,
}

impl SignoffAddendum {
    /// `signoff-security-team-20261124T091500Z.yaml`: the role and the moment, slugs only,
    /// so no role name can lead the file out of the run folder.
    pub fn file_name(&self) -> String {
        format!("{}.yaml", self.file_stem())
    }

    pub fn file_stem(&self) -> String {
        let mut role = slugify(&self.role);
        if role.is_empty() {
            role.push_str("role");
        }
        format!("{SIGNOFF_PREFIX}{role}-{}", self.at.compact_utc())
    }

    pub fn is_refusal(&self) -> bool {
        self.refused.is_some()
    }

    /// `Security Team signed by dana@example.com`, `Security Team refused by lee: pen test open`.
    pub fn describe(&self) -> String {
        match &self.refused {
            Some(reason) => format!("{} refused by {}: {reason}", self.role, self.name),
            None => format!("{} signed by {}", self.role, self.name),
        }
    }
}

pub const FOLLOWUP_SCHEMA: &str = "deploycheck/followup/v1";

/// File names of follow-up addenda (and of their journals) start with this.
pub const FOLLOWUP_PREFIX: &str = "followup-";

/// Answers to a run's follow-ups, given after the run by whoever is on shift:
/// `followup-<UTC time>-<operator>.yaml`, beside the journal of the same name (`.jsonl`)
/// that made each answer durable as it was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUpAddendum {
    pub schema: String,
    /// The lowercase hex SHA-256 of the exact bytes of the `record.yaml` it belongs to.
    pub record_sha256: String,
    pub operator: String,
    pub host: String,
    /// When the follow-up session started; the file's name says it too.
    pub started_at: Timestamp,
    pub finished_at: Timestamp,
    pub answers: Vec<FollowUpAnswer>,
}

/// One follow-up answered: what, by whom, when, and against its window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUpAnswer {
    pub id: String,
    pub status: Status,
    pub reason: Option<String>,
    pub note: Option<String>,
    pub value: Option<String>,
    pub judgement: Option<String>,
    pub overridden: bool,
    pub how: How,
    pub answered_at: Timestamp,
    pub answered_by: String,
    /// Answered before its window opened: by how much, and why.
    pub early: Option<RecordEarly>,
    /// Answered after its window closed: by how much.
    pub late: Option<String>,
}

impl FollowUpAddendum {
    /// `followup-20261126T091500Z-lee-park.yaml`: the session's start and its operator,
    /// slugs only, so no name can lead the file out of the run folder.
    pub fn file_name(&self) -> String {
        format!("{}.yaml", self.file_stem())
    }

    pub fn file_stem(&self) -> String {
        follow_up_stem(&self.started_at, &self.operator)
    }

    /// `3 follow-ups answered by lee (2 done, 1 failed)`.
    pub fn describe(&self) -> String {
        let mut by_status: Vec<(Status, usize)> = Vec::new();
        for answer in &self.answers {
            match by_status.iter_mut().find(|(s, _)| *s == answer.status) {
                Some((_, n)) => *n += 1,
                None => by_status.push((answer.status, 1)),
            }
        }
        let tally: Vec<String> = by_status.iter().map(|(s, n)| format!("{n} {s}")).collect();
        let n = self.answers.len();
        format!(
            "{n} follow-up{} answered by {} ({})",
            if n == 1 { "" } else { "s" },
            self.operator,
            tally.join(", ")
        )
    }
}

/// The stem of a follow-up session's journal and addendum.
pub fn follow_up_stem(started_at: &Timestamp, operator: &str) -> String {
    let mut who = slugify(operator);
    if who.is_empty() {
        who.push_str("operator");
    }
    format!("{FOLLOWUP_PREFIX}{}-{who}", started_at.compact_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addendum(role: &str) -> SignoffAddendum {
        SignoffAddendum {
            schema: SIGNOFF_SCHEMA.into(),
            record_sha256: "ab".repeat(32),
            role: role.into(),
            name: "dana@example.com".into(),
            at: Timestamp::parse("2026-11-24T10:15:00+01:00").unwrap(),
            statements: vec!["sign-off/security-team/pen-test".into()],
            refused: None,
        }
    }

    #[test]
    fn file_names_are_the_role_slug_and_the_utc_moment() {
        assert_eq!(
            addendum("Security Team").file_name(),
            "signoff-security-team-20261124T091500Z.yaml"
        );
        assert_eq!(
            addendum("../../etc").file_name(),
            "signoff-etc-20261124T091500Z.yaml"
        );
        let stem = addendum("🔒").file_stem();
        assert!(
            stem.starts_with("signoff-") && !stem.contains("--"),
            "{stem}"
        );
    }

    #[test]
    fn yaml_round_trip_and_unknown_keys_refused() {
        let original = addendum("Security Team");
        let yaml = crate::yaml::to_string(&original).unwrap();
        assert!(
            yaml.starts_with("schema: deploycheck/signoff/v1\n"),
            "{yaml}"
        );
        assert!(yaml.contains("refused: null"), "{yaml}");
        let back: SignoffAddendum = crate::yaml::from_str(&yaml, "a.yaml").unwrap();
        assert_eq!(back, original);
        let extra = yaml.replace("refused: null\n", "refused: null\nverdict: GO\n");
        assert!(crate::yaml::from_str::<SignoffAddendum>(&extra, "a.yaml").is_err());
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(200))]

            /// Whatever a role, a name or a reason holds, the addendum reads back as
            /// written, and its file name stays a plain name inside the run folder.
            #[test]
            fn any_addendum_round_trips_and_names_a_plain_file(
                role in "\\PC{0,40}",
                name in "\\PC{1,40}",
                reason in proptest::option::of("\\PC{1,80}"),
            ) {
                let original = SignoffAddendum { role, name, refused: reason, ..addendum("x") };
                let yaml = crate::yaml::to_string(&original).unwrap();
                let back: SignoffAddendum = crate::yaml::from_str(&yaml, "a.yaml").unwrap();
                prop_assert_eq!(&back, &original);
                let file = original.file_name();
                prop_assert!(file.starts_with("signoff-") && file.ends_with(".yaml"));
                prop_assert!(file.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.'), "{}", file);
            }

            #[test]
            fn arbitrary_bytes_never_panic_the_addendum_reader(
                bytes in proptest::collection::vec(any::<u8>(), 0..512),
            ) {
                if let Ok(text) = std::str::from_utf8(&bytes) {
                    let _ = crate::yaml::from_str::<SignoffAddendum>(text, "a.yaml");
                }
            }
        }
    }
}
