//! A project settings file (checklists/deploycheck.yaml): never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| deploycheck::fuzz::settings(data));
