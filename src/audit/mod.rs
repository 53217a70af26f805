//! What reviewers and auditors do with a run afterwards: read a record, compare two,
//! check that nothing changed after the fact, and sign it off.

pub mod diff;
pub mod signing;

use crate::model::{RECORD_SCHEMA, Record};
use crate::source::Diagnostic;
use crate::yaml;

/// What a file that failed to read as a record seems to be, judged from its text.
fn looks_like(text: &str) -> Option<&'static str> {
    let lines = || text.lines().map(str::trim_start);
    let mapping_key = |key: &str| lines().any(|l| l.starts_with(&format!("{key}:")));
    if lines().any(|l| l.starts_with('{') && l.contains("\"event\"")) {
        return Some("a run journal (journal.jsonl)");
    }
    if lines().any(|l| l.starts_with("schema: deploycheck/signoff/")) {
        return Some("a sign-off addendum (signoff-*.yaml)");
    }
    if mapping_key("answers") && !mapping_key("schema") {
        return Some("an answers file");
    }
    if mapping_key("phases") && !mapping_key("schema") {
        return Some("a YAML checklist");
    }
    if lines().any(|l| l.starts_with("# ") || l.starts_with("- [ ]") || l.starts_with("## ")) {
        return Some("a Markdown checklist");
    }
    None
}

/// A run record from its text; anything else is a clear error naming the file (exit 2).
pub fn parse_record(text: &str, shown: &str) -> Result<Record, crate::Error> {
    let fail = |line: Option<u32>, message: String| {
        crate::Error::Config(Diagnostic::error(shown, line, message))
    };
    let record: Record = yaml::from_str(text, shown).map_err(|mut d| {
        // A merge that both sides of touched: say so, rather than how the YAML broke.
        if let Some(at) = text
            .lines()
            .position(|l| l.starts_with("<<<<<<< ") || l == "<<<<<<<")
        {
            d.line = u32::try_from(at + 1).ok();
            d.column = None;
            d.message = "git conflict markers: a merge changed this record on both sides; a record is written once, so take one side whole (`git checkout --theirs` or `--ours`), then `deploycheck verify`".into();
            return crate::Error::Config(d);
        }
        d.message = match looks_like(text) {
            Some(what) => format!(
                "this looks like {what}, not a run record; give a record.yaml from a run folder (runs/<run>/record.yaml)"
            ),
            None => format!("not a deploycheck run record: {}", d.message),
        };
        crate::Error::Config(d)
    })?;
    if record.schema != RECORD_SCHEMA {
        return Err(fail(
            Some(1),
            format!("schema `{}` is not `{RECORD_SCHEMA}`", record.schema),
        ));
    }
    Ok(record)
}
