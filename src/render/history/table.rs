//! History as a person reads it in a terminal: the runs, the items that fail most and the
//! time per phase, each a table fitted to the width. What every run shares (one checklist,
//! one environment) is said once above the tables rather than repeated in a column, and
//! columns that only a wide screen has room for are left out of narrow ones.

use std::io::{self, Write};

use comfy_table::{Cell, CellAlignment, Color, ColumnConstraint, Table, Width};

use super::{ItemView, Layout, duration, measured, when};
use crate::history::{HOT_SPOTS_SHOWN, History, rows};
use crate::render::Style;
use crate::render::width::wrap;

/// Runs listed when `--last` does not say how many.
pub const DEFAULT_ROWS: usize = 25;
/// From this width on, the runs table also says why each verdict is what it is.
const WIDE: usize = 110;

/// A table in the project's style, fitted to the layout's width, coloured only when the
/// output may be.
fn new_table(layout: Layout, header: &[&str]) -> Table {
    let mut table = crate::render::table(layout.style);
    table.set_width(u16::try_from(layout.columns).unwrap_or(u16::MAX));
    if layout.style.color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    table.set_header(header.iter().map(Cell::new));
    table
}

/// Keeps a column at least as wide as its widest cell, so that narrowing the table wraps
/// the other columns and never a time or a verdict.
fn keep_whole(table: &mut Table, column: usize, widest: usize) {
    if let Some(column) = table.column_mut(column) {
        // The constraint counts the cell's padding too.
        let width = u16::try_from(widest + 2).unwrap_or(u16::MAX);
        column.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(width)));
    }
}

/// A cell of text from the records, cut to what a table shows.
fn text(text: &str) -> Cell {
    Cell::new(crate::render::cell_text(text))
}

fn number(n: i64) -> Cell {
    Cell::new(n).set_alignment(CellAlignment::Right)
}

/// The verdict, marked `*` when the run still waits for something (a sign-off to come)
/// and `!` when its record was edited; the notes under the table say which.
fn verdict_text(run: &rows::Run) -> String {
    let mut text = run.verdict.clone();
    if !run.outstanding.is_empty() {
        text.push_str(" *");
    }
    if !run.digest_ok {
        text.push_str(" !");
    }
    text
}

fn verdict_cell(run: &rows::Run) -> Cell {
    let cell = Cell::new(verdict_text(run));
    match run.verdict.as_str() {
        "GO" => cell.fg(Color::Green),
        "NO-GO" => cell.fg(Color::Red),
        _ => cell.fg(Color::Yellow),
    }
}

/// The values every row shares, to say once; `None` when they differ.
fn shared<'a>(values: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let mut values = values;
    let first = values.next()?;
    values.all(|v| v == first).then_some(first)
}

fn lines(out: &mut dyn Write, text: &str, columns: usize) -> io::Result<()> {
    for line in wrap(text, columns, "", "  ") {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

pub fn history(out: &mut dyn Write, history: &History, layout: Layout) -> io::Result<()> {
    let columns = layout.columns;
    let style = layout.style;
    let runs = &history.runs;
    let folders = history.folders.join(", ");
    if runs.is_empty() {
        lines(out, &format!("No runs in {folders}."), columns)?;
        return skipped(out, &history.skipped, layout);
    }
    let checklist = shared(runs.iter().map(|r| r.checklist.as_str()));
    let environment = shared(runs.iter().map(|r| r.environment.as_str()));
    let mut heading = format!(
        "{} run{} in {folders}",
        runs.len(),
        if runs.len() == 1 { "" } else { "s" }
    );
    for part in [checklist, environment].into_iter().flatten() {
        heading.push_str(style.separator());
        heading.push_str(part);
    }
    lines(out, &style.bold(&heading), columns)?;

    let wide = columns >= WIDE;
    let mut header = vec!["When"];
    if checklist.is_none() {
        header.push("Checklist");
    }
    if environment.is_none() {
        header.push("Env");
    }
    header.extend(["Version", "Operator", "Verdict"]);
    if wide {
        header.push("Why");
    }
    // Narrow screens get short headers: the table is still whole at 80 columns.
    if columns >= 100 {
        header.extend(["Took", "Failed", "Overridden"]);
    } else {
        header.extend(["Took", "Fail", "Ovr"]);
    }
    let mut table = new_table(layout, &header);
    let shown = layout.rows.unwrap_or(runs.len()).min(runs.len());
    for run in &runs[runs.len() - shown..] {
        let mut row = vec![Cell::new(when(&run.started_at))];
        if checklist.is_none() {
            row.push(text(&run.checklist));
        }
        if environment.is_none() {
            row.push(text(&run.environment));
        }
        row.push(text(run.version.as_deref().unwrap_or("—")));
        row.push(text(&run.operator));
        row.push(verdict_cell(run));
        if wide {
            let why: Vec<&str> = run
                .causes
                .iter()
                .chain(&run.outstanding)
                .map(String::as_str)
                .collect();
            row.push(text(&why.join(", ")));
        }
        row.push(Cell::new(duration(run.duration_s)).set_alignment(CellAlignment::Right));
        row.push(number(run.failed));
        row.push(number(run.overridden));
        table.add_row(row);
    }
    keep_whole(&mut table, 0, 16);
    let verdict_column = header.iter().position(|h| *h == "Verdict").unwrap_or(0);
    let widest = runs
        .iter()
        .map(|r| verdict_text(r).len())
        .max()
        .unwrap_or(5);
    keep_whole(&mut table, verdict_column, widest);
    writeln!(out, "{table}")?;
    if shown < runs.len() {
        lines(
            out,
            &style.dim(&format!(
                "The newest {shown} of {} runs; --last N lists more, --format csv lists all.",
                runs.len()
            )),
            columns,
        )?;
    }
    notes(out, runs, layout)?;

    writeln!(out)?;
    hot_spots(out, history, layout)?;
    writeln!(out)?;
    phases(out, history, layout)?;
    skipped(out, &history.skipped, layout)
}

/// Notes listed under the runs table, at most this many of each kind.
const NOTES: usize = 5;

/// What the marks in the runs table stand for, run by run: sign-offs still to come,
/// records edited after they were written, addenda that do not count.
fn notes(out: &mut dyn Write, runs: &[rows::Run], layout: Layout) -> io::Result<()> {
    let style = layout.style;
    let mut note = |mark: &str, lines_of: Vec<String>, painted: fn(Style, &str) -> String| {
        let more = lines_of.len().saturating_sub(NOTES);
        let mut shown: Vec<String> = lines_of.into_iter().take(NOTES).collect();
        if more > 0 {
            shown.push(format!("and {more} more (--format json lists them all)"));
        }
        for line in shown {
            for (n, part) in wrap(&line, layout.columns, &format!("{mark} "), "    ")
                .into_iter()
                .enumerate()
            {
                let part = if n == 0 { painted(style, &part) } else { part };
                writeln!(out, "{part}")?;
            }
        }
        Ok::<(), io::Error>(())
    };
    let waiting = runs
        .iter()
        .filter(|r| !r.outstanding.is_empty())
        .map(|r| format!("{}: {}", r.folder, r.outstanding.join(", ")))
        .collect();
    note("*", waiting, |_, text| text.to_string())?;
    let edited = runs
        .iter()
        .filter(|r| !r.digest_ok)
        .map(|r| {
            format!(
                "{}: edited after it was written (its digest does not match); `deploycheck verify` says more",
                r.folder
            )
        })
        .collect();
    note("!", edited, Style::red)?;
    let rejected = runs
        .iter()
        .flat_map(|r| r.rejected_addenda.iter())
        .map(|reason| format!("does not count: {reason}"))
        .collect();
    note("?", rejected, Style::yellow)
}

fn hot_spots(out: &mut dyn Write, history: &History, layout: Layout) -> io::Result<()> {
    let columns = layout.columns;
    let style = layout.style;
    if history.hot_spots.is_empty() {
        return lines(
            out,
            "Hot spots: no item failed, was skipped or was overridden in these runs.",
            columns,
        );
    }
    lines(
        out,
        &style.bold("Hot spots: the items that fail, get skipped or overridden most"),
        columns,
    )?;
    let mut table = new_table(
        layout,
        &["Item", "Failed", "Skipped", "Overridden", "Of runs"],
    );
    for spot in history.hot_spots.iter().take(HOT_SPOTS_SHOWN) {
        table.add_row(vec![
            text(&spot.text),
            number(spot.failed),
            number(spot.skipped),
            number(spot.overridden),
            number(spot.runs),
        ]);
    }
    writeln!(out, "{table}")?;
    let more = history.hot_spots.len().saturating_sub(HOT_SPOTS_SHOWN);
    if more > 0 {
        lines(
            out,
            &style.dim(&format!(
                "{more} more item{} had trouble; --format json lists them all.",
                if more == 1 { "" } else { "s" }
            )),
            columns,
        )?;
    }
    Ok(())
}

fn phases(out: &mut dyn Write, history: &History, layout: Layout) -> io::Result<()> {
    let columns = layout.columns;
    if history.phases.is_empty() {
        return lines(out, "Time per phase: no answer times recorded.", columns);
    }
    lines(
        out,
        &layout
            .style
            .bold("Time per phase (from answer times; pauses between sessions left out)"),
        columns,
    )?;
    let several = shared(history.phases.iter().map(|p| p.checklist.as_str())).is_none();
    let mut header = Vec::new();
    if several {
        header.push("Checklist");
    }
    header.extend(["Phase", "Runs", "Median", "Mean", "Longest"]);
    let mut table = new_table(layout, &header);
    for phase in &history.phases {
        let mut row = Vec::new();
        if several {
            row.push(text(&phase.checklist));
        }
        row.push(text(&phase.phase));
        row.push(number(phase.runs as i64));
        for seconds in [phase.median_s, phase.mean_s, phase.max_s] {
            row.push(Cell::new(duration(seconds)).set_alignment(CellAlignment::Right));
        }
        table.add_row(row);
    }
    writeln!(out, "{table}")
}

fn skipped(out: &mut dyn Write, skipped: &[rows::Skipped], layout: Layout) -> io::Result<()> {
    if skipped.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    let style = layout.style;
    lines(
        out,
        &style.yellow(&format!(
            "Skipped {} entr{} that history cannot show:",
            skipped.len(),
            if skipped.len() == 1 { "y" } else { "ies" }
        )),
        layout.columns,
    )?;
    for entry in skipped {
        for line in wrap(
            &format!("{}: {}", entry.path, entry.reason),
            layout.columns,
            "  ",
            "    ",
        ) {
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}

pub fn item(out: &mut dyn Write, view: &ItemView<'_>, layout: Layout) -> io::Result<()> {
    let columns = layout.columns;
    let style = layout.style;
    let item = view.item;
    lines(out, &style.bold(&item.text), columns)?;
    lines(out, &item.id, columns)?;
    let mut summary = match &item.threshold {
        Some(threshold) => format!("Threshold {threshold}. "),
        None => String::new(),
    };
    summary.push_str(&format!(
        "In {} run{}",
        item.runs,
        if item.runs == 1 { "" } else { "s" }
    ));
    if item.measured > 0 {
        let unit = item.unit.as_deref();
        let show = |v: Option<f64>| v.map(|v| measured(v, unit)).unwrap_or_default();
        summary.push_str(&format!(
            "; measured in {}: lowest {}, median {}, highest {}",
            item.measured,
            show(item.min),
            show(item.median),
            show(item.max)
        ));
    }
    summary.push_str(&format!(
        "; {} failed, {} skipped, {} overridden.",
        item.failed, item.skipped, item.overridden
    ));
    lines(out, &summary, columns)?;
    let outcomes = &item.outcomes;
    if outcomes.is_empty() {
        lines(out, "No chosen run has this item.", columns)?;
        return skipped(out, view.skipped, layout);
    }
    let environment = shared(outcomes.iter().map(|o| o.environment.as_str()));
    let thresholds = shared(
        outcomes
            .iter()
            .map(|o| o.threshold.as_deref().unwrap_or("")),
    );
    let wide = columns >= WIDE;
    let measuring = item.measured > 0;
    let mut header = vec!["When"];
    if environment.is_none() {
        header.push("Env");
    }
    header.extend(["Version", "Outcome"]);
    if measuring {
        header.push("Value");
        if thresholds.is_none() {
            header.push("Threshold");
        }
    }
    header.push("Why");
    if wide {
        header.push("By");
    }
    let mut table = new_table(layout, &header);
    let shown = layout.rows.unwrap_or(outcomes.len()).min(outcomes.len());
    for outcome in &outcomes[outcomes.len() - shown..] {
        let mut row = vec![Cell::new(when(&outcome.started_at))];
        if environment.is_none() {
            row.push(text(&outcome.environment));
        }
        row.push(text(outcome.version.as_deref().unwrap_or("—")));
        let label = if outcome.overridden {
            format!("{} (override)", outcome.status)
        } else {
            outcome.status.clone()
        };
        let cell = Cell::new(label);
        row.push(match outcome.status.as_str() {
            "failed" | "holds" => cell.fg(Color::Red),
            "done" | "clear" if !outcome.overridden => cell,
            _ => cell.fg(Color::Yellow),
        });
        if measuring {
            let value = match (outcome.measured, outcome.value.as_deref()) {
                (Some(v), _) => measured(v, outcome.unit.as_deref()),
                (None, Some(given)) => given.to_string(),
                (None, None) => String::new(),
            };
            row.push(Cell::new(value).set_alignment(CellAlignment::Right));
            if thresholds.is_none() {
                row.push(text(outcome.threshold.as_deref().unwrap_or("")));
            }
        }
        row.push(text(outcome.reason.as_deref().unwrap_or("")));
        if wide {
            row.push(text(outcome.answered_by.as_deref().unwrap_or("")));
        }
        table.add_row(row);
    }
    keep_whole(&mut table, 0, 16);
    writeln!(out, "{table}")?;
    if shown < outcomes.len() {
        lines(
            out,
            &style.dim(&format!(
                "The newest {shown} of {} runs; --last N lists more, --format csv lists all.",
                outcomes.len()
            )),
            columns,
        )?;
    }
    skipped(out, view.skipped, layout)
}
