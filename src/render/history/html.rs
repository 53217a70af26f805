//! History as one self-contained HTML page: styles inline, charts as inline SVG
//! ([`super::svg`]), no script and nothing fetched, so it can be mailed, attached to a
//! ticket or opened offline. Tooltips come from the charts' `<title>` elements.

use std::io::{self, Write};

use super::svg::{self, PALETTE, VERDICTS};
use super::{ItemView, duration, measured, when};
use crate::history::{HOT_SPOTS_SHOWN, History, ItemHistory, rows};
use crate::render::escape_markup as esc;

/// Runs the page's table lists, newest first; the charts show every run.
const TABLE_ROWS: usize = 1000;
/// Runs the phase chart draws a bar for.
const PHASE_BARS: usize = 40;

const STYLE: &str = r#"
:root { color-scheme: light; --ink: #1d2330; --muted: #5f6b7a; --line: #d9dee5; --go: #2e7d32; --nogo: #c62828; --rolledback: #e65100; --incomplete: #757575; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); margin: 0 auto; max-width: 960px; padding: 24px; background: #fff; }
h1 { font-size: 1.6em; margin: 0 0 4px; }
h2 { font-size: 1.15em; margin: 32px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 1em; margin: 18px 0 4px; }
p.sub, p.note, figcaption { color: var(--muted); margin: 4px 0; }
.tally span { display: inline-block; margin-right: 14px; font-weight: 600; }
.go { color: var(--go); fill: var(--go); } .nogo { color: var(--nogo); fill: var(--nogo); }
.rolledback { color: var(--rolledback); fill: var(--rolledback); } .incomplete { color: var(--incomplete); fill: var(--incomplete); }
svg.chart { width: 100%; height: auto; display: block; }
svg .lane, svg .grid { stroke: var(--line); stroke-width: 1; }
svg text { font-size: 12px; fill: var(--muted); }
svg text.ylabel.go, svg text.ylabel.nogo, svg text.ylabel.rolledback, svg text.ylabel.incomplete { font-weight: 600; }
svg text.ylabel.go { fill: var(--go); } svg text.ylabel.nogo { fill: var(--nogo); }
svg text.ylabel.rolledback { fill: var(--rolledback); } svg text.ylabel.incomplete { fill: var(--incomplete); }
svg .values { fill: none; stroke: #3b6ea5; stroke-width: 2; }
svg .threshold { fill: none; stroke: var(--nogo); stroke-width: 1.5; stroke-dasharray: 6 4; }
svg circle.pass { fill: #3b6ea5; } svg circle.fail { fill: var(--nogo); }
svg circle.point { stroke: #fff; stroke-width: 1; }
figure { margin: 12px 0 20px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f3f5f8; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.when { white-space: nowrap; }
td.verdict { font-weight: 600; }
.legend span { display: inline-block; margin-right: 14px; color: var(--muted); }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 5px; vertical-align: baseline; border-radius: 2px; }
.edited { color: var(--nogo); font-weight: 600; }
ul.skipped { color: var(--muted); }
footer { margin-top: 40px; color: var(--muted); font-size: 13px; }
@media print { body { max-width: none; padding: 0; } figure, tr { break-inside: avoid; } }
"#;

fn verdict_class(verdict: &str) -> &'static str {
    VERDICTS
        .iter()
        .find(|(v, _)| *v == verdict)
        .map_or("incomplete", |(_, class)| class)
}

fn head(out: &mut dyn Write, title: &str) -> io::Result<()> {
    writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>",
        esc(title)
    )
}

fn foot(out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "<footer>Made by <code>deploycheck history</code> from the run records; the records are the truth.</footer>\n</body>\n</html>"
    )
}

/// The values every run shares, said once in the heading.
fn shared<'a>(mut values: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let first = values.next()?;
    values.all(|v| v == first).then_some(first)
}

pub fn history(out: &mut dyn Write, history: &History) -> io::Result<()> {
    let runs = &history.runs;
    let checklist = shared(runs.iter().map(|r| r.checklist.as_str()));
    let environment = shared(runs.iter().map(|r| r.environment.as_str()));
    let title = match checklist {
        Some(checklist) => format!("Deploy history · {checklist}"),
        None => "Deploy history".to_string(),
    };
    head(out, &title)?;
    writeln!(out, "<header>\n<h1>{}</h1>", esc(&title))?;
    let mut sub = format!(
        "{} run{} in {}",
        runs.len(),
        if runs.len() == 1 { "" } else { "s" },
        history.folders.join(", ")
    );
    if let Some(environment) = environment {
        sub.push_str(&format!(" · {environment}"));
    }
    if let (Some(first), Some(last)) = (runs.first(), runs.last()) {
        sub.push_str(&format!(
            " · {} to {}",
            when(&first.started_at),
            when(&last.started_at)
        ));
    }
    writeln!(out, "<p class=\"sub\">{}</p>", esc(&sub))?;
    write!(out, "<p class=\"tally\">")?;
    for (verdict, class) in VERDICTS {
        let n = runs.iter().filter(|r| r.verdict == verdict).count();
        if n > 0 {
            write!(out, "<span class=\"{class}\">{n} {verdict}</span>")?;
        }
    }
    writeln!(out, "</p>\n</header>")?;

    if runs.is_empty() {
        writeln!(out, "<p>No runs in these folders yet.</p>")?;
        skipped(out, &history.skipped)?;
        return foot(out);
    }

    writeln!(
        out,
        "<section id=\"verdicts\">\n<h2>Verdicts over time</h2>\n<figure>{}<figcaption>One dot per run, oldest on the left; hover for its time, version and causes.</figcaption></figure>\n</section>",
        svg::verdicts(runs)
    )?;

    writeln!(
        out,
        "<section id=\"measures\">\n<h2>Measured values against their thresholds</h2>"
    )?;
    if history.measures.is_empty() {
        writeln!(
            out,
            "<p class=\"note\">No item with a threshold was measured in these runs.</p>"
        )?;
    }
    for item in &history.measures {
        measure_figure(out, item)?;
    }
    writeln!(out, "</section>")?;

    phases(out, history)?;
    hot_spots(out, history)?;
    runs_table(out, runs)?;
    skipped(out, &history.skipped)?;
    foot(out)
}

fn measure_figure(out: &mut dyn Write, item: &ItemHistory) -> io::Result<()> {
    let mut caption = format!("{} measured in {} run", item.measured, item.runs);
    if item.runs != 1 {
        caption.push('s');
    }
    if let Some(threshold) = &item.threshold {
        caption.push_str(&format!("; threshold {threshold} (dashed)"));
    }
    if let (Some(min), Some(median), Some(max)) = (item.min, item.median, item.max) {
        let unit = item.unit.as_deref();
        caption.push_str(&format!(
            "; lowest {}, median {}, highest {}",
            measured(min, unit),
            measured(median, unit),
            measured(max, unit)
        ));
    }
    if item.failed > 0 || item.overridden > 0 {
        caption.push_str(&format!(
            "; {} failed, {} overridden",
            item.failed, item.overridden
        ));
    }
    writeln!(
        out,
        "<figure class=\"measure\">\n<h3>{}</h3>{}<figcaption><code>{}</code> · {}</figcaption></figure>",
        esc(&item.text),
        svg::measure(item),
        esc(&item.id),
        esc(&caption)
    )
}

fn phases(out: &mut dyn Write, history: &History) -> io::Result<()> {
    writeln!(out, "<section id=\"phases\">\n<h2>Time per phase</h2>")?;
    if history.phases.is_empty() {
        writeln!(
            out,
            "<p class=\"note\">No answer times recorded.</p></section>"
        )?;
        return Ok(());
    }
    let (chart, shown) = svg::phases(&history.phases, &history.runs, PHASE_BARS);
    write!(
        out,
        "<figure>{chart}<figcaption>The newest {shown} runs, one bar each: time from each answer to the one before it, by the answered item's phase (pauses between sessions left out).</figcaption>"
    )?;
    write!(out, "<p class=\"legend\">")?;
    for (k, phase) in history.phases.iter().enumerate() {
        write!(
            out,
            "<span><i style=\"background:{}\"></i>{}</span>",
            PALETTE[k % PALETTE.len()],
            esc(&phase.phase)
        )?;
    }
    writeln!(out, "</p></figure>")?;
    writeln!(
        out,
        "<table><thead><tr><th>Phase</th><th class=\"num\">Runs</th><th class=\"num\">Median</th><th class=\"num\">Mean</th><th class=\"num\">Longest</th></tr></thead><tbody>"
    )?;
    for phase in &history.phases {
        writeln!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&phase.phase),
            phase.runs,
            duration(phase.median_s),
            duration(phase.mean_s),
            duration(phase.max_s)
        )?;
    }
    writeln!(out, "</tbody></table>\n</section>")
}

fn hot_spots(out: &mut dyn Write, history: &History) -> io::Result<()> {
    writeln!(
        out,
        "<section id=\"hot-spots\">\n<h2>Hot spots: the items that fail, get skipped or overridden most</h2>"
    )?;
    if history.hot_spots.is_empty() {
        writeln!(
            out,
            "<p class=\"note\">No item failed, was skipped or was overridden in these runs.</p></section>"
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "<table><thead><tr><th>Item</th><th class=\"num\">Failed</th><th class=\"num\">Skipped</th><th class=\"num\">Overridden</th><th class=\"num\">Of runs</th></tr></thead><tbody>"
    )?;
    for spot in history.hot_spots.iter().take(HOT_SPOTS_SHOWN) {
        writeln!(
            out,
            "<tr><td>{}<br><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&spot.text),
            esc(&spot.id),
            spot.failed,
            spot.skipped,
            spot.overridden,
            spot.runs
        )?;
    }
    writeln!(out, "</tbody></table>\n</section>")
}

fn runs_table(out: &mut dyn Write, runs: &[rows::Run]) -> io::Result<()> {
    writeln!(out, "<section id=\"runs\">\n<h2>Runs, newest first</h2>")?;
    if runs.len() > TABLE_ROWS {
        writeln!(
            out,
            "<p class=\"note\">The newest {TABLE_ROWS} of {} runs; <code>deploycheck history --format csv</code> lists all.</p>",
            runs.len()
        )?;
    }
    let several = shared(runs.iter().map(|r| r.checklist.as_str())).is_none();
    let environments = shared(runs.iter().map(|r| r.environment.as_str())).is_none();
    write!(out, "<table><thead><tr><th>When</th>")?;
    if several {
        write!(out, "<th>Checklist</th>")?;
    }
    if environments {
        write!(out, "<th>Env</th>")?;
    }
    writeln!(
        out,
        "<th>Version</th><th>Operator</th><th>Verdict</th><th class=\"num\">Took</th><th class=\"num\">Failed</th><th class=\"num\">Overridden</th></tr></thead><tbody>"
    )?;
    for run in runs.iter().rev().take(TABLE_ROWS) {
        write!(
            out,
            "<tr class=\"run\"><td class=\"when\" title=\"{}\">{}</td>",
            esc(&run.folder),
            esc(&when(&run.started_at))
        )?;
        if several {
            write!(out, "<td>{}</td>", esc(&run.checklist))?;
        }
        if environments {
            write!(out, "<td>{}</td>", esc(&run.environment))?;
        }
        let mut verdict = esc(&run.verdict);
        if !run.causes.is_empty() {
            verdict.push_str(&format!(
                "<br><small>{}</small>",
                esc(&run.causes.join(", "))
            ));
        }
        for waiting in &run.outstanding {
            verdict.push_str(&format!("<br><small>{}</small>", esc(waiting)));
        }
        if !run.digest_ok {
            verdict.push_str(
                "<br><small class=\"edited\">edited after it was written: <code>deploycheck verify</code></small>",
            );
        }
        for rejected in &run.rejected_addenda {
            verdict.push_str(&format!(
                "<br><small class=\"edited\">does not count: {}</small>",
                esc(rejected)
            ));
        }
        writeln!(
            out,
            "<td>{}</td><td>{}</td><td class=\"verdict {}\">{verdict}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(run.version.as_deref().unwrap_or("—")),
            esc(&run.operator),
            verdict_class(&run.verdict),
            duration(run.duration_s),
            run.failed,
            run.overridden
        )?;
    }
    writeln!(out, "</tbody></table>\n</section>")
}

fn skipped(out: &mut dyn Write, skipped: &[rows::Skipped]) -> io::Result<()> {
    if skipped.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "<section id=\"skipped\">\n<h2>Skipped</h2>\n<p class=\"note\">Entries under the folders that history cannot show.</p>\n<ul class=\"skipped\">"
    )?;
    for entry in skipped {
        writeln!(
            out,
            "<li><code>{}</code>: {}</li>",
            esc(&entry.path),
            esc(&entry.reason)
        )?;
    }
    writeln!(out, "</ul>\n</section>")
}

pub fn item(out: &mut dyn Write, view: &ItemView<'_>) -> io::Result<()> {
    let item = view.item;
    head(out, &format!("History of {}", item.text))?;
    writeln!(
        out,
        "<header>\n<h1>{}</h1>\n<p class=\"sub\"><code>{}</code> · {} run{} in {}</p>\n</header>",
        esc(&item.text),
        esc(&item.id),
        item.runs,
        if item.runs == 1 { "" } else { "s" },
        esc(&view.folders.join(", "))
    )?;
    if item.measured > 0 {
        writeln!(out, "<section id=\"measures\">")?;
        measure_figure(out, item)?;
        writeln!(out, "</section>")?;
    }
    writeln!(
        out,
        "<section id=\"outcomes\">\n<h2>Outcome in each run, newest first</h2>\n<table><thead><tr><th>When</th><th>Env</th><th>Version</th><th>Outcome</th><th class=\"num\">Value</th><th>Threshold</th><th>Why</th><th>By</th></tr></thead><tbody>"
    )?;
    for outcome in item.outcomes.iter().rev() {
        let value = match (outcome.measured, outcome.value.as_deref()) {
            (Some(v), _) => measured(v, outcome.unit.as_deref()),
            (None, Some(given)) => given.to_string(),
            (None, None) => String::new(),
        };
        let label = if outcome.overridden {
            format!("{} (override)", outcome.status)
        } else {
            outcome.status.clone()
        };
        writeln!(
            out,
            "<tr class=\"outcome\"><td class=\"when\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&when(&outcome.started_at)),
            esc(&outcome.environment),
            esc(outcome.version.as_deref().unwrap_or("—")),
            esc(&label),
            esc(&value),
            esc(outcome.threshold.as_deref().unwrap_or("")),
            esc(outcome.reason.as_deref().unwrap_or("")),
            esc(outcome.answered_by.as_deref().unwrap_or(""))
        )?;
    }
    writeln!(out, "</tbody></table>\n</section>")?;
    skipped(out, view.skipped)?;
    foot(out)
}
