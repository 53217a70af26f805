//! Human-readable output, written into any `impl Write`.

mod style;
mod tree;

pub use style::Style;
pub use tree::{TreeOptions, write_tree};
