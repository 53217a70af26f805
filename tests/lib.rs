//! Integration tests: the real binary through the `Test` builder, and the library's parsers
//! on the fixture corpus. One test binary, modules named after the capability they pin.

mod support;
mod trees;

mod bad_input;
mod checks;
mod crash;
mod faults;
mod follow_ups;
mod history;
mod hostile;
mod ids;
mod list;
mod markdown;
mod one_truth;
mod records;
mod round_trip;
mod run;
mod seeds;
mod session;
mod sheet;
mod show;
mod signoff;
mod snapshots;
mod terminal;
mod validate;
mod windows;
