//! A YAML checklist: never panics; what loads, written back out, loads as the same tree.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| deploycheck::fuzz::yaml_checklist(data));
