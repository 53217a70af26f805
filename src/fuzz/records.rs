//! The run's files, for the `record` and `journal` fuzz targets and the property tests
//! beside those readers:
//! - A run record (`record.yaml`): reading never panics, nor do judging it and computing its
//!   digest; a record that reads writes back out as bytes that read as the same record,
//!   with the same digest; sealed on two threads, it writes the bytes of the record sealed
//!   on one.
//! - A journal (`journal.jsonl`): reading and replaying never panic; what reads encodes
//!   again as lines that read as the same entries, with nothing torn.

use crate::model::Record;
use crate::store::{encode_line, parse_journal, record_bytes, sealed_record_bytes};

/// A run record from `data`: no panic, and the write-and-read-back round trip holds.
pub fn record(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(record) = crate::yaml::from_str::<Record>(text, "record.yaml") else {
        return;
    };
    let _ = record.judge();
    let digest = record.compute_digest();
    let bytes = record_bytes(&record);
    let written = std::str::from_utf8(&bytes).expect("records are written as UTF-8");
    let again: Record = crate::yaml::from_str(written, "again.yaml")
        .unwrap_or_else(|e| panic!("a record that reads does not read back: {e}\n{written}"));
    assert_eq!(
        again, record,
        "the record changed on its way through the file"
    );
    assert_eq!(again.compute_digest(), digest, "the digest changed");
    let mut sealed = record.clone();
    let bytes = sealed_record_bytes(&mut sealed);
    let mut expected = record;
    expected.digest = digest;
    assert_eq!(
        sealed, expected,
        "sealing on two threads gave another digest"
    );
    assert_eq!(
        bytes,
        record_bytes(&expected),
        "sealing on two threads wrote other bytes"
    );
}

/// A journal from `data`: no panic reading or replaying it, and the re-encoding round trip
/// holds.
pub fn journal(data: &[u8]) {
    let Ok(contents) = parse_journal(data) else {
        return;
    };
    let valid = contents.valid_len as usize;
    assert!(valid <= data.len(), "valid_len beyond the journal");
    assert_eq!(
        contents.torn_tail,
        valid < data.len(),
        "a torn tail is exactly what follows the last whole line"
    );
    let _ = crate::engine::replay(contents.entries.iter().cloned());
    let mut again = Vec::new();
    for (line, meta, event) in &contents.entries {
        again.extend_from_slice(&encode_line(*line as u64, meta, event));
    }
    let reread = parse_journal(&again)
        .unwrap_or_else(|(line, what)| panic!("re-encoded journal line {line}: {what}"));
    assert_eq!(
        reread.entries, contents.entries,
        "entries changed on re-encoding"
    );
    assert!(!reread.torn_tail);
    assert_eq!(reread.valid_len as usize, again.len());
}
