//! The run record: one YAML file per run, keys exactly as DESIGN section 6 lists them.
//!
//! Times are kept as the RFC 3339 text they were written as, so that reading a record and
//! serializing it again gives the same bytes, and the digest over that canonical form is
//! stable across tools.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Status, Verdict};

pub const RECORD_SCHEMA: &str = "deploycheck/run-record/v1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    pub schema: String,
    pub checklist: RecordChecklist,
    pub environment: String,
    pub fields: FieldValues,
    pub operator: String,
    pub host: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub items: Vec<RecordItem>,
    pub rollback: RecordRollback,
    pub signoffs: Vec<RecordSignoff>,
    pub verdict: Verdict,
    pub digest: String,
    pub signatures: Vec<RecordSignature>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordChecklist {
    pub title: String,
    pub path: String,
    pub sha256: String,
}

/// Run fields in the checklist's order, written as a YAML mapping.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldValues(pub Vec<(String, Option<String>)>);

impl Serialize for FieldValues {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for FieldValues {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = FieldValues;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a mapping of field names to values")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<FieldValues, A::Error> {
                let mut fields = Vec::new();
                while let Some((name, value)) = map.next_entry::<String, Option<String>>()? {
                    fields.push((name, value));
                }
                Ok(FieldValues(fields))
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordItem {
    pub id: String,
    pub phase: String,
    pub section: String,
    pub text: String,
    pub status: Status,
    pub reason: Option<String>,
    pub note: Option<String>,
    /// The measured value as the operator gave it, e.g. `180ms`.
    pub value: Option<String>,
    pub answered_at: Option<String>,
    pub answered_by: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordRollback {
    pub started: bool,
    pub started_at: Option<String>,
    pub triggers_held: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RecordSignoff {
    Given {
        role: String,
        name: String,
        at: String,
        statements: Vec<String>,
    },
    Refused {
        role: String,
        refused: String,
        at: String,
    },
}

impl RecordSignoff {
    pub fn role(&self) -> &str {
        match self {
            RecordSignoff::Given { role, .. } | RecordSignoff::Refused { role, .. } => role,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordSignature {
    pub role: String,
    pub signer: String,
    /// The public key, OpenSSH format.
    pub key: String,
    pub at: String,
    /// An armored SSHSIG (namespace `deploycheck`) over the bytes of `digest`.
    pub signature: String,
}

impl Record {
    /// `sha256:` and the hex SHA-256 of the canonical serialization: compact JSON of every
    /// key except `digest` and `signatures`, in the order above. Adding a signature never
    /// changes it; any other edit does. The JSON is streamed into the hash, never built.
    pub fn compute_digest(&self) -> String {
        let view = DigestView {
            schema: &self.schema,
            checklist: &self.checklist,
            environment: &self.environment,
            fields: &self.fields,
            operator: &self.operator,
            host: &self.host,
            started_at: &self.started_at,
            finished_at: &self.finished_at,
            items: &self.items,
            rollback: &self.rollback,
            signoffs: &self.signoffs,
            verdict: &self.verdict,
        };
        let mut hasher = HashWriter(Sha256::new());
        serde_json::to_writer(&mut hasher, &view).expect("hashing cannot fail");
        let hex: String = hasher
            .0
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("sha256:{hex}")
    }

    pub fn seal(&mut self) {
        self.digest = self.compute_digest();
    }
}

/// The record without `digest` and `signatures`, keys in the record's order: what the
/// digest covers.
#[derive(Serialize)]
struct DigestView<'a> {
    schema: &'a String,
    checklist: &'a RecordChecklist,
    environment: &'a String,
    fields: &'a FieldValues,
    operator: &'a String,
    host: &'a String,
    started_at: &'a String,
    finished_at: &'a Option<String>,
    items: &'a Vec<RecordItem>,
    rollback: &'a RecordRollback,
    signoffs: &'a Vec<RecordSignoff>,
    verdict: &'a Verdict,
}

struct HashWriter(Sha256);

impl std::io::Write for HashWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> Record {
        Record {
            schema: RECORD_SCHEMA.into(),
            checklist: RecordChecklist {
                title: "T".into(),
                path: "checklists/t.md".into(),
                sha256: "ab".into(),
            },
            environment: "production".into(),
            fields: FieldValues(vec![
                ("Version".into(), Some("v1".into())),
                ("Git Commit".into(), None),
            ]),
            operator: "dana".into(),
            host: "ops-1".into(),
            started_at: "2026-11-23T10:00:00+00:00".into(),
            finished_at: None,
            items: vec![RecordItem {
                id: "p/s/a".into(),
                phase: "P".into(),
                section: "S".into(),
                text: "a".into(),
                status: Status::NotApplicable,
                reason: None,
                note: None,
                value: None,
                answered_at: Some("2026-11-23T10:00:01+00:00".into()),
                answered_by: Some("dana".into()),
            }],
            rollback: RecordRollback::default(),
            signoffs: vec![RecordSignoff::Refused {
                role: "Security Team".into(),
                refused: "pen test open".into(),
                at: "2026-11-23T10:00:02+00:00".into(),
            }],
            verdict: Verdict::NoGo,
            digest: String::new(),
            signatures: vec![],
        }
    }

    #[test]
    fn yaml_round_trip_keeps_the_digest() {
        let mut original = record();
        original.seal();
        let yaml = crate::yaml::to_string(&original).unwrap();
        let back: Record = crate::yaml::from_str(&yaml, "record.yaml").unwrap();
        assert_eq!(back, original);
        assert_eq!(back.compute_digest(), original.digest);
        assert!(yaml.contains("status: n/a"));
        assert!(yaml.contains("verdict: NO-GO"));
        assert!(yaml.contains("Git Commit: null"));
    }

    #[test]
    fn digest_is_the_sha256_of_compact_json_without_digest_and_signatures() {
        let record = record();
        let mut value = serde_json::to_value(&record).unwrap();
        let map = value.as_object_mut().unwrap();
        map.shift_remove("digest");
        map.shift_remove("signatures");
        let expected = Sha256::digest(serde_json::to_vec(&value).unwrap());
        let hex: String = expected.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(record.compute_digest(), format!("sha256:{hex}"));
    }

    #[test]
    fn any_edit_changes_the_digest_and_signatures_do_not() {
        let mut sealed = record();
        sealed.seal();
        let mut edited = sealed.clone();
        edited.items[0].status = Status::Done;
        assert_ne!(edited.compute_digest(), sealed.digest);
        let mut signed = sealed.clone();
        signed.signatures.push(RecordSignature {
            role: "Security Team".into(),
            signer: "dana".into(),
            key: "ssh-ed25519 AAAA".into(),
            at: "2026-11-23T11:00:00+00:00".into(),
            signature: "-----BEGIN SSH SIGNATURE-----".into(),
        });
        assert_eq!(signed.compute_digest(), sealed.digest);
    }
}
