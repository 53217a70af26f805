//! Human-readable output, written into any `impl Write`.

pub(crate) mod history;
mod json;
pub(crate) mod report;
pub mod sheet;
pub(crate) mod signoff;
mod style;
pub(crate) mod summary;
mod tree;
pub(crate) mod when;
pub(crate) mod width;

pub(crate) use json::write_json;
pub use report::{ReportContext, ReportFormat, write_report};
pub use signoff::write_signoff_screen;
pub use style::Style;
pub use summary::write_summary;
pub use tree::{TreeOptions, write_tree};

/// Text for Markdown, kept literal: characters Markdown would read as markup are escaped.
pub(crate) fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        if matches!(
            ch,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '&'
        ) {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// Text for HTML and XML: the five markup characters as entities.
pub(crate) fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Text for a table cell, cut to [`CELL_CHARS`] characters with `…`. Laying out a table
/// costs more than linearly in its cells' length, and a 200 kB version or reason in one
/// record (anyone can type one) would stall every table that shows it; the record, the
/// JSON and the CSV keep the whole text.
pub(crate) fn cell_text(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(CELL_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]).into(),
        None => text.into(),
    }
}

/// The longest text a table cell shows whole: a long reason fits, wrapped, in a few lines.
pub(crate) const CELL_CHARS: usize = 400;

/// A table in the style the output allows: box drawing on a terminal, ASCII elsewhere,
/// fitted to the terminal's width.
pub(crate) fn table(style: Style) -> comfy_table::Table {
    let mut table = comfy_table::Table::new();
    table.load_preset(if style.unicode {
        comfy_table::presets::UTF8_FULL_CONDENSED
    } else {
        comfy_table::presets::ASCII_FULL_CONDENSED
    });
    table.set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
    table
}
