//! `deploycheck history` in each format: a table for a person, JSON and CSV for programs
//! and spreadsheets, one self-contained HTML page with charts for people who would rather
//! look than read. All write into any `Write`; what they show is the one [`History`] or
//! [`ItemHistory`] the command assembled.

mod csv;
mod html;
mod svg;
mod table;

pub use table::DEFAULT_ROWS;

use std::io::{self, Write};

use serde::Serialize;

use super::Style;
use crate::history::{History, ItemHistory, rows};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryFormat {
    Table,
    Json,
    Csv,
    Html,
}

/// How the table is laid out.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    pub style: Style,
    /// The width to fit.
    pub columns: usize,
    /// Runs the table lists, newest last; `None`: all of them.
    pub rows: Option<usize>,
}

pub fn write_history(
    out: &mut dyn Write,
    history: &History,
    format: HistoryFormat,
    layout: Layout,
) -> io::Result<()> {
    match format {
        HistoryFormat::Table => table::history(out, history, layout),
        HistoryFormat::Json => json(out, history),
        HistoryFormat::Csv => csv::runs(out, &history.runs),
        HistoryFormat::Html => html::history(out, history),
    }
}

/// `--item`: one item across runs.
pub struct ItemView<'a> {
    pub folders: &'a [String],
    pub item: &'a ItemHistory,
    pub skipped: &'a [rows::Skipped],
}

pub fn write_item(
    out: &mut dyn Write,
    view: &ItemView<'_>,
    format: HistoryFormat,
    layout: Layout,
) -> io::Result<()> {
    match format {
        HistoryFormat::Table => table::item(out, view, layout),
        HistoryFormat::Json => json(
            out,
            &serde_json::json!({
                "folders": view.folders,
                "item": view.item,
                "skipped": view.skipped,
            }),
        ),
        HistoryFormat::Csv => csv::outcomes(out, &view.item.outcomes),
        HistoryFormat::Html => html::item(out, view),
    }
}

fn json(out: &mut dyn Write, value: &impl Serialize) -> io::Result<()> {
    crate::render::write_json(&mut *out, value)?;
    writeln!(out)
}

/// `2026-11-23 22:00` from `2026-11-23T22:00:00+00:00`: the run's own clock, to the minute.
pub(crate) fn when(rfc3339: &str) -> String {
    match (rfc3339.get(..10), rfc3339.get(11..16)) {
        (Some(date), Some(time)) => format!("{date} {time}"),
        _ => rfc3339.to_string(),
    }
}

/// `45s`, `12m 05s`, `1h 04m`, `2d 3h`.
pub(crate) fn duration(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m {:02}s", s / 60, s % 60),
        3600..86_400 => format!("{}h {:02}m", s / 3600, (s % 3600) / 60),
        _ => format!("{}d {}h", s / 86_400, (s % 86_400) / 3600),
    }
}

/// A measured value in its unit, as thresholds print them: `180 ms`, `99.5%`.
pub(crate) fn measured(value: f64, unit: Option<&str>) -> String {
    crate::model::value_with_unit((value * 1000.0).round() / 1000.0, unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_at_a_glance() {
        assert_eq!(duration(0), "0s");
        assert_eq!(duration(59), "59s");
        assert_eq!(duration(725), "12m 05s");
        assert_eq!(duration(3840), "1h 04m");
        assert_eq!(duration(2 * 86_400 + 3 * 3600 + 59), "2d 3h");
        assert_eq!(duration(-5), "0s");
    }

    #[test]
    fn times_show_the_runs_own_clock_to_the_minute() {
        assert_eq!(when("2026-11-23T22:00:59+01:00"), "2026-11-23 22:00");
        assert_eq!(when("garbage"), "garbage");
    }
}
