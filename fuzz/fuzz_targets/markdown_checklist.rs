//! A Markdown checklist: never panics; what loads converts to YAML and loads back as the same tree.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| deploycheck::fuzz::markdown_checklist(data));
