//! The typed checklist tree every other module works on.
//!
//! A [`Checklist`] is phases → sections → items. The types
//! serialize with exactly the keys `show --format json` promises, so the tree itself is the
//! machine-readable output; nothing here knows about Markdown, YAML, files or terminals.

mod addendum;
mod check;
mod checklist;
mod measure;
mod record;
mod slug;
mod status;
mod threshold;
mod time;
mod verdict;
mod window;

pub use addendum::{
    FOLLOWUP_PREFIX, FOLLOWUP_SCHEMA, FollowUpAddendum, FollowUpAnswer, SIGNOFF_PREFIX,
    SIGNOFF_SCHEMA, SignoffAddendum, follow_up_stem,
};
pub use check::{
    Check, CheckEnd, DEFAULT_TIMEOUT_S, Evidence, MAX_TIMEOUT_S, OUTPUT_KEPT_BYTES, check_timeout,
    last_line, parse_timeout,
};
pub use checklist::{
    Checklist, Contact, Field, Item, Note, Phase, PhaseKind, Section, SectionKind, Source,
    SourceFormat, Why,
};
pub use measure::{Judged, Judgement, MeasureError, Measurement};
#[cfg(test)]
pub(crate) use record::sample;
pub use record::{
    Counts, FieldValues, How, ItemKind, RECORD_SCHEMA, Record, RecordChecklist, RecordDecision,
    RecordEarly, RecordFollowUp, RecordItem, RecordRollback, RecordSession, RecordSignature,
    RecordSignoff, RecordStop, RecordWindow, SignoffStatus,
};
pub use slug::{MAX_SLUG_LEN, is_valid_slug, push_slug, slugify};
pub use status::{Status, Verdict};
pub use threshold::{Comparison, Threshold, format_number, value_with_unit};
pub use time::{Timestamp, TimestampError};
pub use verdict::{Assessment, headline, headline_with};
pub use window::{MAX_SPAN_SECONDS, Span, SpanError, Window, human_duration};
