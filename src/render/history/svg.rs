//! The history page's charts, as inline SVG written here: no script, no library, nothing
//! fetched. Runs are placed left to right in the order they ran, one step each, so a
//! chart reads release after release; every point carries a `<title>` its tooltip shows,
//! and every chart says in `data-points` how many points it drew.

use std::fmt::Write as _;

use crate::history::{ItemHistory, PhaseStats, rows};
use crate::render::escape_markup as esc;

use super::{duration, measured, when};

const WIDTH: f64 = 880.0;
const LEFT: f64 = 112.0;
/// Room for half of the last run's label.
const RIGHT: f64 = 44.0;
const TOP: f64 = 12.0;
/// Room under the plot for the run labels.
const BOTTOM: f64 = 40.0;
/// Runs labelled under a chart, at most.
const LABELS: usize = 8;

/// The verdicts in the order their lanes are drawn, top to bottom, with their CSS class.
pub const VERDICTS: [(&str, &str); 4] = [
    ("GO", "go"),
    ("NO-GO", "nogo"),
    ("ROLLED BACK", "rolledback"),
    ("INCOMPLETE", "incomplete"),
];

/// Phase colours, in phase order.
pub const PALETTE: [&str; 10] = [
    "#3b6ea5", "#e08a2c", "#4f9d69", "#c9504b", "#8e6bb5", "#8c6d4f", "#d77fb3", "#7f7f7f",
    "#b5b93d", "#3fb3c2",
];

/// x of the `n`th of `count` runs.
fn x_of(n: usize, count: usize) -> f64 {
    let span = WIDTH - LEFT - RIGHT;
    if count <= 1 {
        LEFT + span / 2.0
    } else {
        LEFT + span * n as f64 / (count - 1) as f64
    }
}

/// Which of `count` runs get a label under the axis: the first, then every so many runs,
/// evenly, never two close enough to overlap.
fn labelled(count: usize) -> Vec<usize> {
    if count <= LABELS {
        return (0..count).collect();
    }
    let step = (count - 1).div_ceil(LABELS - 1);
    (0..count).step_by(step).collect()
}

fn x_labels(svg: &mut String, labels: &[String], height: f64) {
    let count = labels.len();
    for n in labelled(count) {
        let x = x_of(n, count);
        let _ = write!(
            svg,
            r#"<text class="xlabel" x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            height - BOTTOM + 16.0,
            esc(&labels[n])
        );
    }
}

/// Verdicts over time: one dot per run in its verdict's lane.
pub fn verdicts(runs: &[rows::Run]) -> String {
    let lane = 30.0;
    let height = TOP + lane * VERDICTS.len() as f64 + BOTTOM;
    let mut svg = format!(
        r#"<svg class="chart verdicts" data-points="{}" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="Verdicts of {} runs over time">"#,
        runs.len(),
        runs.len()
    );
    for (k, (verdict, class)) in VERDICTS.iter().enumerate() {
        let y = TOP + lane * (k as f64 + 0.5);
        let _ = write!(
            svg,
            r#"<line class="lane" x1="{LEFT}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}"/><text class="ylabel {class}" x="{:.1}" y="{:.1}" text-anchor="end">{verdict}</text>"#,
            WIDTH - RIGHT,
            LEFT - 8.0,
            y + 4.0
        );
    }
    let radius = if runs.len() > 200 { 3.0 } else { 5.0 };
    for (n, run) in runs.iter().enumerate() {
        let k = VERDICTS
            .iter()
            .position(|(v, _)| *v == run.verdict)
            .unwrap_or(VERDICTS.len() - 1);
        let y = TOP + lane * (k as f64 + 0.5);
        let mut tip = format!("{} · {}", when(&run.started_at), run.verdict);
        if let Some(version) = &run.version {
            let _ = write!(tip, " · {version}");
        }
        if !run.causes.is_empty() {
            let _ = write!(tip, ": {}", run.causes.join(", "));
        }
        for waiting in &run.outstanding {
            let _ = write!(tip, " · {waiting}");
        }
        let _ = write!(
            svg,
            r#"<circle class="point run {}" cx="{:.1}" cy="{y:.1}" r="{radius}"><title>{}</title></circle>"#,
            VERDICTS[k].1,
            x_of(n, runs.len()),
            esc(&tip)
        );
    }
    let labels: Vec<String> = runs
        .iter()
        .map(|r| when(&r.started_at)[..10].to_string())
        .collect();
    x_labels(&mut svg, &labels, height);
    svg.push_str("</svg>");
    svg
}

/// Round numbers for an axis from `low` to `high`: about five ticks, 1, 2 or 5 times a
/// power of ten apart.
fn ticks(low: f64, high: f64) -> Vec<f64> {
    let span = (high - low).abs().max(f64::EPSILON);
    let rough = span / 5.0;
    let power = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|s| span / s <= 6.0)
        .unwrap_or(10.0 * power);
    // Whole multiples of the step, rounded so that 3 × 0.1 prints as 0.3.
    let first = (low / step - 1e-9).ceil() as i64;
    (first..)
        .map(|k| (k as f64 * step * 1e9).round() / 1e9)
        .take_while(|tick| *tick <= high + step * 1e-9)
        .take(20)
        .collect()
}

/// A measured value against its threshold, release after release: the value's line and
/// points (red where it failed), the threshold as a dashed step line.
pub fn measure(item: &ItemHistory) -> String {
    let points: Vec<&rows::Outcome> = item
        .outcomes
        .iter()
        .filter(|o| o.measured.is_some())
        .collect();
    let height = 220.0;
    let plot_bottom = height - BOTTOM;
    let mut svg = format!(
        r#"<svg class="chart measure" data-item="{}" data-points="{}" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{} measured in {} runs">"#,
        esc(&item.id),
        points.len(),
        esc(&item.text),
        points.len()
    );
    if points.is_empty() {
        svg.push_str("</svg>");
        return svg;
    }
    let values = points.iter().filter_map(|o| o.measured);
    let limits = points.iter().filter_map(|o| o.limit);
    let (mut low, mut high) = values
        .chain(limits)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    let pad = ((high - low) * 0.1).max(high.abs() * 0.05).max(1e-9);
    low -= pad;
    high += pad;
    if low > 0.0 && low < (high - low) {
        low = 0.0;
    }
    let y_of = |v: f64| TOP + (high - v) / (high - low) * (plot_bottom - TOP);
    let unit = item.unit.as_deref();
    for tick in ticks(low, high) {
        let y = y_of(tick);
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{LEFT}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}"/><text class="ylabel" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            WIDTH - RIGHT,
            LEFT - 8.0,
            y + 4.0,
            esc(&measured(tick, unit))
        );
    }
    let count = points.len();
    // The threshold: a step line, since it may change from one release to the next.
    let mut threshold = String::new();
    for (n, outcome) in points.iter().enumerate() {
        let Some(limit) = outcome.limit else { continue };
        let half = if count > 1 {
            (x_of(1, count) - x_of(0, count)) / 2.0
        } else {
            (WIDTH - LEFT - RIGHT) / 2.0
        };
        let x = x_of(n, count);
        let (from, to) = ((x - half).max(LEFT), (x + half).min(WIDTH - RIGHT));
        let y = y_of(limit);
        let _ = write!(
            threshold,
            "{}{from:.1},{y:.1} L{to:.1},{y:.1} ",
            if threshold.is_empty() { "M" } else { "L" }
        );
    }
    if !threshold.is_empty() {
        let _ = write!(
            svg,
            r#"<path class="threshold" d="{}"><title>threshold {}</title></path>"#,
            threshold.trim_end(),
            esc(item.threshold.as_deref().unwrap_or(""))
        );
    }
    let line: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(n, o)| {
            format!(
                "{:.1},{:.1}",
                x_of(n, count),
                y_of(o.measured.unwrap_or(0.0))
            )
        })
        .collect();
    let _ = write!(
        svg,
        r#"<polyline class="values" points="{}"/>"#,
        line.join(" ")
    );
    for (n, outcome) in points.iter().enumerate() {
        let value = outcome.measured.unwrap_or(0.0);
        let class = if outcome.passes == Some(false) {
            "fail"
        } else {
            "pass"
        };
        let mut tip = format!(
            "{} · {}: {}",
            when(&outcome.started_at),
            outcome.version.as_deref().unwrap_or("no version"),
            measured(value, outcome.unit.as_deref())
        );
        if let Some(threshold) = &outcome.threshold {
            let _ = write!(tip, " (threshold {threshold})");
        }
        if outcome.overridden {
            tip.push_str(", overridden");
        }
        let _ = write!(
            svg,
            r#"<circle class="point {class}" cx="{:.1}" cy="{:.1}" r="4.5"><title>{}</title></circle>"#,
            x_of(n, count),
            y_of(value),
            esc(&tip)
        );
    }
    let labels: Vec<String> = points
        .iter()
        .map(|o| {
            o.version
                .clone()
                .unwrap_or_else(|| when(&o.started_at)[..10].to_string())
        })
        .collect();
    x_labels(&mut svg, &labels, height);
    svg.push_str("</svg>");
    svg
}

/// Time per phase for the newest runs: a bar per run, a segment per phase.
pub fn phases(phases: &[PhaseStats], runs: &[rows::Run], newest: usize) -> (String, usize) {
    let first = runs.len().saturating_sub(newest);
    let shown = runs.len() - first;
    let mut totals = vec![0i64; shown];
    for phase in phases {
        for &(run, seconds) in &phase.per_run {
            if run >= first {
                totals[run - first] += seconds;
            }
        }
    }
    let height = 240.0;
    let plot_bottom = height - BOTTOM;
    let max = totals.iter().copied().max().unwrap_or(0).max(1) as f64;
    let minutes = max / 60.0;
    let mut svg = format!(
        r#"<svg class="chart phases" data-points="{shown}" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="Time per phase in the newest {shown} runs">"#
    );
    for tick in ticks(0.0, minutes) {
        let y = plot_bottom - tick * 60.0 / max * (plot_bottom - TOP);
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{LEFT}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}"/><text class="ylabel" x="{:.1}" y="{:.1}" text-anchor="end">{} min</text>"#,
            WIDTH - RIGHT,
            LEFT - 8.0,
            y + 4.0,
            crate::model::format_number((tick * 100.0).round() / 100.0)
        );
    }
    let slot = (WIDTH - LEFT - RIGHT) / shown.max(1) as f64;
    let bar = (slot * 0.7).clamp(1.0, 40.0);
    let mut stacked = vec![0i64; shown];
    let mut segments: Vec<Vec<String>> = vec![Vec::new(); shown];
    for (k, phase) in phases.iter().enumerate() {
        for &(run, seconds) in &phase.per_run {
            if run < first || seconds <= 0 {
                continue;
            }
            let n = run - first;
            let y_top = plot_bottom - (stacked[n] + seconds) as f64 / max * (plot_bottom - TOP);
            let h = seconds as f64 / max * (plot_bottom - TOP);
            stacked[n] += seconds;
            segments[n].push(format!(
                r#"<rect class="segment" x="{:.1}" y="{y_top:.1}" width="{bar:.1}" height="{h:.1}" fill="{}"><title>{}: {}</title></rect>"#,
                LEFT + slot * (n as f64 + 0.5) - bar / 2.0,
                PALETTE[k % PALETTE.len()],
                esc(&phase.phase),
                duration(seconds)
            ));
        }
    }
    for (n, parts) in segments.iter().enumerate() {
        let run = &runs[first + n];
        let _ = write!(
            svg,
            r#"<g class="point bar"><title>{} · {}: {}</title>{}</g>"#,
            when(&run.started_at),
            esc(run.version.as_deref().unwrap_or("no version")),
            duration(totals[n]),
            parts.concat()
        );
    }
    for n in labelled(shown) {
        let run = &runs[first + n];
        let label = run
            .version
            .clone()
            .unwrap_or_else(|| when(&run.started_at)[..10].to_string());
        let _ = write!(
            svg,
            r#"<text class="xlabel" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            LEFT + slot * (n as f64 + 0.5),
            plot_bottom + 16.0,
            esc(&label)
        );
    }
    svg.push_str("</svg>");
    (svg, shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(ticks(0.0, 250.0), [0.0, 50.0, 100.0, 150.0, 200.0, 250.0]);
        assert_eq!(ticks(0.12, 0.48), [0.2, 0.3, 0.4]);
        let many = ticks(0.0, 7.3);
        assert!(many.len() >= 3 && many.len() <= 8, "{many:?}");
        assert!(ticks(5.0, 5.0).len() <= 20);
    }

    #[test]
    fn labels_go_to_the_first_and_evenly_after_never_crowded() {
        assert_eq!(labelled(3), [0, 1, 2]);
        assert_eq!(labelled(12), [0, 2, 4, 6, 8, 10]);
        let picks = labelled(100);
        assert_eq!(picks.first(), Some(&0));
        assert!(picks.len() <= LABELS);
        assert!(picks.windows(2).all(|w| w[1] - w[0] == picks[1]));
    }
}
