//! A run record (record.yaml): never panics; what reads writes back and reads the same.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| deploycheck::fuzz::record(data));
