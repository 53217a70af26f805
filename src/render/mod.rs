//! Human-readable output, written into any `impl Write`.

mod report;
pub mod sheet;
mod style;
mod summary;
mod tree;

pub use report::{ReportContext, ReportFormat, write_report};
pub use style::Style;
pub use summary::write_summary;
pub use tree::{TreeOptions, write_tree};
