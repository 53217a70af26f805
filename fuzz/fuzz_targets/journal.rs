//! A run's journal (journal.jsonl): never panics reading or replaying; what reads encodes
//! again as lines that read the same.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| deploycheck::fuzz::journal(data));
