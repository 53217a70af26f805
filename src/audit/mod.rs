//! What reviewers and auditors do with a run afterwards: read a record, compare two,
//! check that nothing changed after the fact, and sign it.

pub mod diff;
pub mod signing;

use std::path::Path;

use crate::model::{RECORD_SCHEMA, Record};
use crate::source::{Diagnostic, yaml};

/// Reads a run record; anything else is a clear error naming the file (exit 2).
pub fn load_record(path: &Path, shown: &str) -> Result<Record, crate::Error> {
    let fail = |line: Option<u32>, message: String| {
        crate::Error::Config(Diagnostic::error(shown, line, message))
    };
    let metadata = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => fail(None, "no such file".into()),
        _ => fail(None, format!("cannot read: {e}")),
    })?;
    if metadata.is_dir() {
        return Err(fail(None, "is a directory, not a run record".into()));
    }
    if metadata.len() > crate::source::MAX_FILE_BYTES * 4 {
        return Err(fail(None, "file is too large to be a run record".into()));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| fail(None, format!("cannot read as UTF-8 text: {e}")))?;
    let record: Record = yaml::from_str(&text, shown).map_err(|mut d| {
        d.message = format!("not a deploycheck run record: {}", d.message);
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
