//! What reviewers and auditors do with a run afterwards: read a record, compare two,
//! check that nothing changed after the fact, and sign it.

pub mod diff;
pub mod signing;

use std::path::Path;

use crate::input::{RECORD, read_input_text};
use crate::model::{RECORD_SCHEMA, Record};
use crate::source::Diagnostic;
use crate::yaml;

/// Reads a run record; anything else is a clear error naming the file (exit 2).
pub fn load_record(path: &Path, shown: &str) -> Result<Record, crate::Error> {
    let fail = |line: Option<u32>, message: String| {
        crate::Error::Config(Diagnostic::error(shown, line, message))
    };
    let text = read_input_text(path, shown, RECORD).map_err(crate::Error::Config)?;
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
