//! An answers file checked against a small checklist: never panics; errors name the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| deploycheck::fuzz::answers_file(data));
