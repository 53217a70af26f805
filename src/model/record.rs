//! The run record: one YAML file per run, the evidence of what was checked, by whom, when.
//!
//! There is one description of the record: this type. Its YAML, its JSON and its digest
//! all come from the same `Serialize`; the digest is the SHA-256 of the compact JSON of
//! the record with the `digest` key left out while serializing (see [`Record::compute_digest`]),
//! so a field added here is covered without anyone remembering to. Every struct refuses
//! unknown keys, so nothing can be slipped into a record beside the digest.
//!
//! The verdict, the counts and `triggers_held` are functions of the items, sign-offs and
//! rollback ([`Record::judge`]); a record stores them for readers and `verify` checks them.

use crate::FastSet;

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::verdict::{Assessment, judge};
use super::{Span, Status, Timestamp, Verdict};

pub const RECORD_SCHEMA: &str = "deploycheck/run-record/v2";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    pub schema: String,
    pub checklist: RecordChecklist,
    pub environment: String,
    pub fields: FieldValues,
    /// Who started the run, and on which machine.
    pub operator: String,
    pub host: String,
    /// Every session of the run: the start and each resume, with who and where.
    pub sessions: Vec<RecordSession>,
    pub started_at: Timestamp,
    /// Set when the walk finished; a stopped run has `stopped` instead.
    pub finished_at: Option<Timestamp>,
    pub stopped: Option<RecordStop>,
    /// The deployment moment time windows count from, once the walk reached it. Absent
    /// for checklists without windows (as in records written before windows existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployed_at: Option<Timestamp>,
    #[serde(deserialize_with = "placed_once")]
    pub items: Vec<RecordItem>,
    pub rollback: RecordRollback,
    pub signoffs: Vec<RecordSignoff>,
    pub counts: Counts,
    pub verdict: Verdict,
    /// Why the verdict is what it is, most serious first: `3 failed`, `Security Team refused`.
    pub causes: Vec<String>,
    /// What the run still waits for beside its verdict, after the record is final:
    /// `awaiting sign-off: Security Team`. Left out when empty, so records written before
    /// it existed keep their digest.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outstanding: Vec<String>,
    pub digest: String,
    /// Kept outside the digest: a signature vouches for the digest.
    #[serde(default)]
    pub signatures: Vec<RecordSignature>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordChecklist {
    pub title: String,
    /// Relative to the folder that holds `checklists/`, so the same on every machine.
    pub path: String,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordSession {
    pub operator: String,
    pub host: String,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordStop {
    pub at: Timestamp,
    /// `quit`, `end of input`, `interrupted`, `replaced by a new run started by lee`.
    pub reason: String,
    /// Who started the new run that replaced this one, when one did: the run can no
    /// longer be resumed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<String>,
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
                let mut fields: Vec<(String, Option<String>)> = Vec::new();
                let mut seen = FastSet::default();
                while let Some((name, value)) = map.next_entry::<String, Option<String>>()? {
                    if !seen.insert(name.clone()) {
                        return Err(serde::de::Error::custom(format!(
                            "field `{name}` is given twice"
                        )));
                    }
                    fields.push((name, value));
                }
                Ok(FieldValues(fields))
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

/// What kind of step an item was in the walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    Step,
    /// A rollback condition: answered `clear` or `holds`.
    Trigger,
    /// A sign-off statement, confirmed before the role signs.
    Statement,
    /// Part of the rollback procedure: walked only once a rollback starts.
    Procedure,
}

/// How an answer was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum How {
    /// At the prompt, by a person or piped stdin.
    Typed,
    AnswersFile,
    /// Proposed by the item's check and confirmed.
    Check,
    /// A parent's status, from its children.
    Derived,
    /// A sign-off statement confirmed by its role's owner in a sign-off addendum, after
    /// the record was final (never stored in a record; the run's state shows it).
    Signoff,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordItem {
    pub id: String,
    pub phase: String,
    pub section: String,
    pub text: String,
    pub kind: ItemKind,
    pub optional: bool,
    /// The ID of the item this one is a sub-item of.
    pub parent: Option<String>,
    /// For a sign-off statement, the role that confirms it. Left out otherwise (and in
    /// records written before it existed, which keep their digest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    pub status: Status,
    pub reason: Option<String>,
    pub note: Option<String>,
    /// The measured value as the operator gave it, e.g. `180ms`.
    pub value: Option<String>,
    /// What the threshold made of the value: `250 ms is not < 200 ms`.
    pub judgement: Option<String>,
    /// The operator reversed the judgement of a measured value; `reason` says why.
    pub overridden: bool,
    pub how: Option<How>,
    pub answered_at: Option<Timestamp>,
    pub answered_by: Option<String>,
    /// Every execution of the item's check, oldest first; present exactly when the item
    /// has a check or was checked. Left out otherwise, so records of runs without checks
    /// (and their digests) read as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Vec<super::Evidence>>,
    /// The item's time window, with when it opened and closed once the deployment moment
    /// is known. This key and the three below are absent for items without a window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Box<RecordWindow>>,
    /// Answered before its window opened: by how much, and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub early: Option<Box<RecordEarly>>,
    /// Answered after its window closed: by how much, like `2 h 5 min`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub late: Option<String>,
    /// Handed over to be answered after the run: by when, and who handed it over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up: Option<Box<RecordFollowUp>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordWindow {
    pub from: Span,
    pub to: Span,
    pub opens: Option<Timestamp>,
    pub closes: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordEarly {
    /// How long before the window opened, like `9 min`.
    pub by: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordFollowUp {
    /// When its window closes: answered after this, it is overdue.
    pub due: Timestamp,
    pub handed_over_at: Timestamp,
    pub handed_over_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordRollback {
    pub started: bool,
    pub started_at: Option<Timestamp>,
    pub started_by: Option<String>,
    /// Why a rollback was started by hand; `null` when triggers that held started it.
    pub reason: Option<String>,
    /// Every trigger that held, whether or not the rollback was then declined.
    pub triggers_held: Vec<String>,
    /// Each time the operator went on although triggers held: who, when, why, and which.
    pub declined: Vec<RecordDecision>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordDecision {
    pub by: String,
    pub at: Timestamp,
    pub reason: String,
    /// The triggers that held when the decision was made.
    pub triggers: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SignoffStatus {
    Signed,
    Refused,
    /// Not yet asked: the run stopped before the role's sign-off.
    Pending,
    /// Left to sign off after the run (`later`): the record is final without it, and a
    /// sign-off addendum in the run folder gives it.
    Awaiting,
}

/// One role's sign-off, asked for or not, so the record lists every role the checklist has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordSignoff {
    pub role: String,
    pub status: SignoffStatus,
    /// Who signed.
    pub name: Option<String>,
    /// Why the role refused.
    pub reason: Option<String>,
    pub at: Option<Timestamp>,
    pub by: Option<String>,
    /// The statements confirmed before signing.
    pub statements: Vec<String>,
}

/// Leaf items by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Counts {
    pub done: usize,
    pub failed: usize,
    pub skipped: usize,
    #[serde(rename = "n/a")]
    pub not_applicable: usize,
    pub deferred: usize,
    pub clear: usize,
    pub holds: usize,
    pub pending: usize,
    /// Open items handed over to be answered after the run; not counted as pending.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub follow_ups: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Counts {
    /// The order in which reports and screens list the statuses.
    const ORDER: [Status; 8] = [
        Status::Done,
        Status::Failed,
        Status::Skipped,
        Status::NotApplicable,
        Status::Deferred,
        Status::Clear,
        Status::Holds,
        Status::Pending,
    ];

    /// Every status with its count, in the order reports list them.
    pub fn by_status(&self) -> impl Iterator<Item = (Status, usize)> + '_ {
        Counts::ORDER
            .into_iter()
            .map(|status| (status, self.get(status)))
    }

    pub fn add(&mut self, status: Status) {
        *self.slot(status) += 1;
    }

    pub fn remove(&mut self, status: Status) {
        let slot = self.slot(status);
        *slot = slot.saturating_sub(1);
    }

    fn slot(&mut self, status: Status) -> &mut usize {
        match status {
            Status::Done => &mut self.done,
            Status::Failed => &mut self.failed,
            Status::Skipped => &mut self.skipped,
            Status::NotApplicable => &mut self.not_applicable,
            Status::Deferred => &mut self.deferred,
            Status::Clear => &mut self.clear,
            Status::Holds => &mut self.holds,
            Status::Pending => &mut self.pending,
        }
    }

    pub fn get(&self, status: Status) -> usize {
        match status {
            Status::Done => self.done,
            Status::Failed => self.failed,
            Status::Skipped => self.skipped,
            Status::NotApplicable => self.not_applicable,
            Status::Deferred => self.deferred,
            Status::Clear => self.clear,
            Status::Holds => self.holds,
            Status::Pending => self.pending,
        }
    }

    /// Answered leaves: everything but pending.
    pub fn answered(&self) -> usize {
        self.done
            + self.failed
            + self.skipped
            + self.not_applicable
            + self.deferred
            + self.clear
            + self.holds
    }

    /// Leaf items still to answer: pending or handed over as follow-ups.
    pub fn open(&self) -> usize {
        self.pending + self.follow_ups
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordSignature {
    pub role: String,
    pub signer: String,
    /// The public key, OpenSSH format.
    pub key: String,
    pub at: Timestamp,
    /// An armored SSHSIG (namespace `deploycheck`) over the bytes of `digest`.
    pub signature: String,
}

/// A sequence read into a vector that grows once, after its first entry, to the room the
/// reader estimates for all of them (serde's own vector reserves at most 1 MiB ahead, and a
/// large record's items are many times that), up to [`PLACED_ONCE_BYTES`]: a hint, so a file
/// that promises more than it holds costs no more than that.
fn placed_once<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct Entries<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Entries<T> {
        type Value = Vec<T>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a sequence")
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let Some(first) = seq.next_element()? else {
                return Ok(Vec::new());
            };
            let most = PLACED_ONCE_BYTES / std::mem::size_of::<T>().max(1);
            let rest = seq.size_hint().unwrap_or(0);
            let mut entries = Vec::with_capacity(rest.saturating_add(1).min(most).max(1));
            entries.push(first);
            while let Some(entry) = seq.next_element()? {
                entries.push(entry);
            }
            Ok(entries)
        }
    }
    deserializer.deserialize_seq(Entries(std::marker::PhantomData))
}

/// The most room [`placed_once`] reserves ahead: a 100k-item record's items fit.
const PLACED_ONCE_BYTES: usize = 64 << 20;

impl Record {
    /// `sha256:` and the hex SHA-256 of the record's compact JSON, serialized from this very
    /// type with the `digest` and `signatures` keys skipped. The JSON is streamed into the
    /// hash, never built.
    pub fn compute_digest(&self) -> String {
        // Buffered: the JSON comes in pieces of a few bytes, the hash is fastest fed blocks.
        let mut hasher = std::io::BufWriter::with_capacity(64 * 1024, HashWriter(Sha256::new()));
        let mut json = serde_json::Serializer::new(&mut hasher);
        self.serialize(skip::SkipKeys::new(&mut json, &["digest", "signatures"]))
            .expect("serializing into a hash cannot fail");
        let hasher = hasher
            .into_inner()
            .unwrap_or_else(|_| unreachable!("writing into a hash cannot fail"));
        format!("sha256:{}", crate::hex(&hasher.0.finalize()))
    }

    pub fn seal(&mut self) {
        self.digest = self.compute_digest();
    }

    /// Leaf items: those no other item names as its parent.
    pub fn leaves(&self) -> impl Iterator<Item = &RecordItem> {
        let parents: FastSet<&str> = self
            .items
            .iter()
            .filter_map(|i| i.parent.as_deref())
            .collect();
        self.items
            .iter()
            .filter(move |i| !parents.contains(i.id.as_str()))
    }

    /// The verdict, its causes, the counts and the triggers that held, recomputed from the
    /// items, sign-offs and rollback alone.
    pub fn judge(&self) -> Assessment {
        judge(self)
    }

    /// The stored verdict as every screen shows it: `GO · awaiting sign-off: Security Team`.
    pub fn headline(&self) -> String {
        super::verdict::headline_with(self.verdict, &self.causes, &self.outstanding)
    }

    /// The statements a role confirms before signing, in walk order. Records written
    /// before items named their role know only the statements confirmed during the run.
    pub fn role_statements<'a>(&'a self, role: &'a str) -> Vec<&'a RecordItem> {
        let named = self
            .items
            .iter()
            .any(|i| i.kind == ItemKind::Statement && i.role.is_some());
        if named {
            return self
                .leaves()
                .filter(|i| i.kind == ItemKind::Statement && i.role.as_deref() == Some(role))
                .collect();
        }
        let confirmed: FastSet<&str> = self
            .signoffs
            .iter()
            .filter(|s| s.role == role)
            .flat_map(|s| s.statements.iter().map(String::as_str))
            .collect();
        self.items
            .iter()
            .filter(|i| confirmed.contains(i.id.as_str()))
            .collect()
    }

    /// Fills the derived parts from the rest and seals: how every record is finished.
    pub fn settle(&mut self) {
        self.rejudge();
        self.seal();
    }

    /// Judges the record's items and puts the judgement in its derived parts.
    pub fn rejudge(&mut self) {
        let assessment = self.judge();
        self.take_judgement(assessment);
    }

    /// Puts `assessment`, a judgement of this record's items, in its derived parts: the
    /// counts, verdict, causes, outstanding and triggers held. The digest is left alone.
    pub fn take_judgement(&mut self, assessment: Assessment) {
        self.counts = assessment.counts;
        self.verdict = assessment.verdict;
        self.causes = assessment.causes;
        self.outstanding = assessment.outstanding;
        self.rollback.triggers_held = assessment.triggers_held;
    }

    /// The judgement the derived parts hold, as they stand (what [`Record::judge`] gives
    /// once they bear it out).
    pub fn assessment(&self) -> Assessment {
        Assessment {
            verdict: self.verdict,
            causes: self.causes.clone(),
            outstanding: self.outstanding.clone(),
            counts: self.counts,
            triggers_held: self.rollback.triggers_held.clone(),
        }
    }

    /// Whether the derived parts already hold `assessment`.
    pub fn bears_out(&self, assessment: &Assessment) -> bool {
        self.verdict == assessment.verdict
            && self.causes == assessment.causes
            && self.outstanding == assessment.outstanding
            && self.counts == assessment.counts
            && self.rollback.triggers_held == assessment.triggers_held
    }
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

/// A serializer that passes a top-level struct through, minus some of its fields: how the
/// digest leaves out `digest` without a second list of the fields it covers.
mod skip {
    use serde::Serialize;
    use serde::ser::{Error as _, Impossible, SerializeStruct, Serializer};

    pub struct SkipKeys<S> {
        inner: S,
        skipped: &'static [&'static str],
    }

    impl<S> SkipKeys<S> {
        pub fn new(inner: S, skipped: &'static [&'static str]) -> Self {
            SkipKeys { inner, skipped }
        }
    }

    pub struct Fields<S> {
        inner: S,
        skipped: &'static [&'static str],
    }

    impl<S: SerializeStruct> SerializeStruct for Fields<S> {
        type Ok = S::Ok;
        type Error = S::Error;

        fn serialize_field<T: ?Sized + Serialize>(
            &mut self,
            key: &'static str,
            value: &T,
        ) -> Result<(), S::Error> {
            if self.skipped.contains(&key) {
                return Ok(());
            }
            self.inner.serialize_field(key, value)
        }

        fn end(self) -> Result<S::Ok, S::Error> {
            self.inner.end()
        }
    }

    macro_rules! not_a_struct {
        ($($name:ident($($arg:ty),*)),* $(,)?) => {
            $(fn $name(self, $(_: $arg),*) -> Result<S::Ok, S::Error> {
                Err(S::Error::custom("only a struct can skip keys"))
            })*
        };
    }

    impl<S: Serializer> Serializer for SkipKeys<S> {
        type Ok = S::Ok;
        type Error = S::Error;
        type SerializeSeq = Impossible<S::Ok, S::Error>;
        type SerializeTuple = Impossible<S::Ok, S::Error>;
        type SerializeTupleStruct = Impossible<S::Ok, S::Error>;
        type SerializeTupleVariant = Impossible<S::Ok, S::Error>;
        type SerializeMap = Impossible<S::Ok, S::Error>;
        type SerializeStruct = Fields<S::SerializeStruct>;
        type SerializeStructVariant = Impossible<S::Ok, S::Error>;

        fn serialize_struct(
            self,
            name: &'static str,
            len: usize,
        ) -> Result<Self::SerializeStruct, S::Error> {
            let kept = len.saturating_sub(self.skipped.len());
            Ok(Fields {
                inner: self.inner.serialize_struct(name, kept)?,
                skipped: self.skipped,
            })
        }

        not_a_struct!(
            serialize_bool(bool),
            serialize_i8(i8),
            serialize_i16(i16),
            serialize_i32(i32),
            serialize_i64(i64),
            serialize_u8(u8),
            serialize_u16(u16),
            serialize_u32(u32),
            serialize_u64(u64),
            serialize_f32(f32),
            serialize_f64(f64),
            serialize_char(char),
            serialize_str(&str),
            serialize_bytes(&[u8]),
            serialize_none(),
            serialize_unit(),
            serialize_unit_struct(&'static str),
            serialize_unit_variant(&'static str, u32, &'static str),
        );

        fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<S::Ok, S::Error> {
            Err(S::Error::custom("only a struct can skip keys"))
        }

        fn serialize_newtype_struct<T: ?Sized + Serialize>(
            self,
            _: &'static str,
            _: &T,
        ) -> Result<S::Ok, S::Error> {
            Err(S::Error::custom("only a struct can skip keys"))
        }

        fn serialize_newtype_variant<T: ?Sized + Serialize>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: &T,
        ) -> Result<S::Ok, S::Error> {
            Err(S::Error::custom("only a struct can skip keys"))
        }

        fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
            Err(S::Error::custom("only a struct can skip keys"))
        }

        fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, S::Error> {
            Err(S::Error::custom("only a struct can skip keys"))
        }

        fn serialize_tuple_struct(
            self,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleStruct, S::Error> {
            Err(S::Error::custom("only a struct can skip keys"))
        }

        fn serialize_tuple_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleVariant, S::Error> {
            Err(S::Error::custom("only a struct can skip keys"))
        }

        fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
            Err(S::Error::custom("only a struct can skip keys"))
        }

        fn serialize_struct_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeStructVariant, S::Error> {
            Err(S::Error::custom("only a struct can skip keys"))
        }
    }
}

/// Records for tests: every optional part empty, so a field added to the record is given
/// its empty value here once rather than in each test's own builder.
#[cfg(test)]
pub(crate) mod sample {
    use super::*;

    pub(crate) fn at(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap()
    }

    /// An unanswered step `id` in `phase`, section `S`, whose text is its ID.
    pub(crate) fn item(id: &str, phase: &str, status: Status) -> RecordItem {
        RecordItem {
            id: id.into(),
            phase: phase.into(),
            section: "S".into(),
            text: id.into(),
            kind: ItemKind::Step,
            optional: false,
            parent: None,
            role: None,
            status,
            reason: None,
            note: None,
            value: None,
            judgement: None,
            overridden: false,
            how: None,
            answered_at: None,
            answered_by: None,
            window: None,
            early: None,
            late: None,
            follow_up: None,
            evidence: None,
        }
    }

    /// `item`, answered by `by` at `answered`.
    pub(crate) fn answered(
        id: &str,
        phase: &str,
        status: Status,
        by: &str,
        answered: Timestamp,
    ) -> RecordItem {
        RecordItem {
            how: Some(How::Typed),
            answered_at: Some(answered),
            answered_by: Some(by.into()),
            ..item(id, phase, status)
        }
    }

    /// A run of `items` by `operator` on `host` in production, started at `started` and
    /// finished at `finished`, with no fields, rollback or sign-offs; not yet settled.
    pub(crate) fn record(
        items: Vec<RecordItem>,
        (operator, host): (&str, &str),
        started: &str,
        finished: &str,
    ) -> Record {
        Record {
            schema: RECORD_SCHEMA.into(),
            checklist: RecordChecklist {
                title: "T".into(),
                path: "checklists/t.md".into(),
                sha256: "ab".into(),
            },
            environment: "production".into(),
            fields: FieldValues(vec![]),
            operator: operator.into(),
            host: host.into(),
            sessions: vec![RecordSession {
                operator: operator.into(),
                host: host.into(),
                at: at(started),
            }],
            started_at: at(started),
            finished_at: Some(at(finished)),
            stopped: None,
            deployed_at: None,
            items,
            rollback: RecordRollback {
                started: false,
                started_at: None,
                started_by: None,
                reason: None,
                triggers_held: vec![],
                declined: vec![],
            },
            signoffs: vec![],
            counts: Counts::default(),
            verdict: Verdict::Incomplete,
            causes: vec![],
            outstanding: vec![],
            digest: String::new(),
            signatures: vec![],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    pub(crate) fn record() -> Record {
        let mut item = sample::answered(
            "p/s/a",
            "P",
            Status::NotApplicable,
            "dana",
            at("2026-11-23T10:00:01+00:00"),
        );
        item.text = "a".into();
        item.optional = true;
        let mut record = sample::record(
            vec![item],
            ("dana", "ops-1"),
            "2026-11-23T10:00:00+00:00",
            "2026-11-23T10:00:03+00:00",
        );
        record.fields = FieldValues(vec![
            ("Version".into(), Some("v1".into())),
            ("Git Commit".into(), None),
        ]);
        record.signoffs = vec![RecordSignoff {
            role: "Security Team".into(),
            status: SignoffStatus::Refused,
            name: None,
            reason: Some("pen test open".into()),
            at: Some(at("2026-11-23T10:00:02+00:00")),
            by: Some("dana".into()),
            statements: vec![],
        }];
        record.settle();
        record
    }

    #[test]
    fn yaml_round_trip_keeps_the_digest() {
        let original = record();
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
        assert_eq!(
            record.compute_digest(),
            format!("sha256:{}", crate::hex(&expected))
        );
    }

    #[test]
    fn any_edit_changes_the_digest_and_signatures_do_not() {
        let sealed = record();
        let mut edited = sealed.clone();
        edited.items[0].status = Status::Done;
        assert_ne!(edited.compute_digest(), sealed.digest);
        let mut relabelled = sealed.clone();
        relabelled.signoffs[0].role = "Product Team".into();
        assert_ne!(relabelled.compute_digest(), sealed.digest);
        let mut signed = sealed.clone();
        signed.signatures.push(RecordSignature {
            role: "Security Team".into(),
            signer: "dana".into(),
            key: "ssh-ed25519 AAAA".into(),
            at: at("2026-11-23T11:00:00+00:00"),
            signature: "-----BEGIN SSH SIGNATURE-----".into(),
        });
        assert_eq!(signed.compute_digest(), sealed.digest);
    }

    #[test]
    fn extra_keys_anywhere_are_refused() {
        let yaml = crate::yaml::to_string(&record()).unwrap();
        let tampered = yaml.replacen(
            "  reason: pen test open\n",
            "  reason: pen test open\n  comment: approved by CEO\n",
            1,
        );
        assert_ne!(tampered, yaml);
        let error = crate::yaml::from_str::<Record>(&tampered, "r.yaml").unwrap_err();
        assert!(error.to_string().contains("comment"), "{error}");
    }

    mod readers_never_panic {
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(300))]

            #[test]
            fn arbitrary_bytes_never_panic_the_record_reader(
                bytes in proptest::collection::vec(any::<u8>(), 0..1024),
            ) {
                crate::fuzz::record(&bytes);
            }

            /// A real record with one byte changed, or one line cut: the reader, the judge
            /// and the digest never panic, and what still reads round-trips.
            #[test]
            fn a_record_with_any_byte_changed_never_panics_and_round_trips(
                at in any::<prop::sample::Index>(),
                byte in any::<u8>(),
                cut in any::<bool>(),
            ) {
                let mut bytes = crate::yaml::to_string(&super::record()).unwrap().into_bytes();
                let at = at.index(bytes.len());
                if cut {
                    let end = bytes[at..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |p| at + p + 1);
                    bytes.drain(at..end);
                } else {
                    bytes[at] = byte;
                }
                crate::fuzz::record(&bytes);
            }
        }
    }
}
