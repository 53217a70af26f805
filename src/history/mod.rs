//! A team's runs over time: what `deploycheck history` shows, gathered from run folders.
//!
//! Each folder searched gets its own index ([`index`]) kept in step with its run folders
//! ([`scan`]); every run is read through one function, [`load_run`], and summarised by one
//! ([`summary::summarize`]). What the command prints is a [`History`] (or an
//! [`ItemHistory`] for `--item`), assembled here from the indexes' rows and merged across
//! folders; `render::history` writes it in each format.
//!
//! Anything under the folders that is not a run history can show (a record from the
//! layout before run folders, a file that does not read, a run with no record yet) is
//! listed with the reason, never fatal.

pub(crate) mod index;
pub(crate) mod scan;
pub(crate) mod summary;
#[cfg(test)]
pub(crate) mod testing;

use std::collections::BTreeMap;

use crate::FastMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

pub(crate) use index::rows;
use index::{Index, SyncStats};
use scan::{Entry, Kind};
use summary::RunSummary;

use crate::engine::Event;
use crate::model::RECORD_SCHEMA;
use crate::run::RunState;
use crate::store::{JOURNAL_FILE, RECORD_FILE, last_event};

/// Hot spots listed by the table and the page (JSON lists them all).
pub const HOT_SPOTS_SHOWN: usize = 10;

/// The one place history reads a run: its state (the record and its valid addenda, so a
/// sign-off given the next morning counts), summarised, or why it cannot be shown. A
/// finished run whose record is missing is given it again from its journal first, as
/// every command that reads a run does.
pub fn load_run(folder: &Path) -> Result<RunSummary, String> {
    let record_path = folder.join(RECORD_FILE);
    let has_record = std::fs::symlink_metadata(&record_path).is_ok();
    if !has_record && !finished(folder) {
        return Err(without_record(folder));
    }
    if let Some(schema) = older_schema(&record_path) {
        return Err(format!(
            "older record format ({schema}); history reads {RECORD_SCHEMA} records"
        ));
    }
    // Named from within its folder: the skipped list names the folder, and what the index
    // keeps must not depend on where the records were when it was built.
    let state = RunState::load(Path::new(RECORD_FILE), folder).map_err(|e| e.to_string())?;
    let effective = state.effective();
    let digest_ok = state.record.compute_digest() == state.record.digest;
    let mut summary = summary::summarize_state(&state.record, &effective, digest_ok);
    summary.rejected_addenda = state
        .rejected
        .iter()
        .map(|r| format!("{}: {}", r.shown, r.reason))
        .collect();
    Ok(summary)
}

/// Whether a run's journal ends with its finish (or its replacement).
fn finished(folder: &Path) -> bool {
    matches!(
        last_event(&folder.join(JOURNAL_FILE)),
        Some(Event::Finish { .. } | Event::Abandon { .. })
    )
}

/// Why a run folder without a record has nothing to show yet.
fn without_record(folder: &Path) -> String {
    if finished(folder) {
        "the run finished but its record is missing, and its journal cannot give it again".into()
    } else {
        "no record yet: the run is under way, or stopped before it wrote one".into()
    }
}

/// The schema a record file names, when it is not this version's: read from its first
/// lines, so an old record is named as such rather than as a broken new one.
fn older_schema(path: &Path) -> Option<String> {
    let head = crate::input::head(path, HEAD)?;
    for line in head.lines().take(20) {
        if let Some(schema) = line.strip_prefix("schema:") {
            let schema = schema.trim().trim_matches(['"', '\'']).to_string();
            return (schema.starts_with("deploycheck/run-record/") && schema != RECORD_SCHEMA)
                .then_some(schema);
        }
    }
    None
}

/// What an entry found under the folders comes to.
pub(crate) fn load_entry(entry: &Entry) -> index::Loaded {
    match entry.kind {
        Kind::Run => load_run(&entry.path),
        Kind::Link => Err("a symbolic link; history does not follow links".into()),
        Kind::Loose => Err(match older_schema(&entry.path) {
            Some(schema) => format!(
                "older layout: a {schema} record beside its journal, from before run folders; history reads runs/<run>/record.yaml"
            ),
            None if is_record(&entry.path) => {
                "a record outside a run folder; history reads runs/<run>/record.yaml".into()
            }
            None => "not a run record (history reads runs/<run>/record.yaml)".into(),
        }),
    }
}

fn is_record(path: &Path) -> bool {
    crate::input::head(path, HEAD).is_some_and(|text| {
        text.lines()
            .take(20)
            .any(|l| l.starts_with("schema:") && l.contains("deploycheck/run-record/"))
    })
}

/// How much of a file is read to tell what it is: its first twenty lines, with room.
const HEAD: u64 = 64 * 1024;

/// The folders to search, each with its index brought up to date.
pub struct Sources {
    pub indexes: Vec<Index>,
    pub warnings: Vec<String>,
    pub stats: SyncStats,
}

/// Searches each folder for runs and syncs its index. A folder that cannot be read is an
/// error naming it; everything inside that cannot be read is a skipped entry.
pub fn open(folders: &[PathBuf], cwd: &Path) -> Result<Sources, crate::Error> {
    let mut sources = Sources {
        indexes: Vec::new(),
        warnings: Vec::new(),
        stats: SyncStats::default(),
    };
    let mut seen = Vec::new();
    for folder in folders {
        let real = folder.canonicalize().unwrap_or_else(|_| folder.clone());
        if seen.contains(&real) {
            continue;
        }
        seen.push(real);
        let unreadable = |source: std::io::Error| {
            crate::Error::Refused(format!(
                "cannot read the records folder {}: {source}",
                folder.display()
            ))
        };
        // Said before any index is made in it.
        std::fs::read_dir(folder).map_err(unreadable)?;
        // A single run folder keeps no index of its own: nothing would be saved, and its
        // folder belongs to the run.
        let settings = index::Settings {
            keep_on_disk: !scan::is_run_folder(folder),
            ..index::Settings::default()
        };
        let shown = PathBuf::from(crate::project::display_path(folder, cwd));
        let find = |known: &dyn scan::Known| scan::find(folder, known);
        let (index, stats, warnings) =
            index::open_and_sync(folder, &shown, &find, settings, &load_entry)
                .map_err(unreadable)?;
        sources.stats.read += stats.read;
        sources.stats.rehashed += stats.rehashed;
        sources.stats.removed += stats.removed;
        sources.warnings.extend(warnings);
        sources.indexes.push(index);
    }
    Ok(sources)
}

/// Which runs to look at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only runs in this environment (any case).
    pub environment: Option<String>,
    /// Only the newest N runs.
    pub last: Option<usize>,
}

/// The runs table, the items that fail most and the time per phase.
#[derive(Debug, Serialize)]
pub struct History {
    /// The folders searched.
    pub folders: Vec<String>,
    /// The chosen runs, oldest first.
    pub runs: Vec<rows::Run>,
    /// Items that failed, were skipped or overridden, most often first.
    pub hot_spots: Vec<rows::Trouble>,
    pub phases: Vec<PhaseStats>,
    pub skipped: Vec<rows::Skipped>,
    /// Measured items' histories, for the page's charts; not in JSON.
    #[serde(skip)]
    pub measures: Vec<ItemHistory>,
}

/// One phase's time across the chosen runs.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseStats {
    pub checklist: String,
    pub phase: String,
    /// Runs that spent time in it.
    pub runs: usize,
    pub median_s: i64,
    pub mean_s: i64,
    pub max_s: i64,
    /// `(run, seconds)`: each run's time, the run by its place in [`History::runs`],
    /// for the page's chart; not in JSON.
    #[serde(skip)]
    pub per_run: Vec<(usize, i64)>,
}

/// One item across the chosen runs.
#[derive(Debug, Clone, Serialize)]
pub struct ItemHistory {
    pub id: String,
    pub text: String,
    /// The threshold of the newest judged value: `< 200 ms`.
    pub threshold: Option<String>,
    pub unit: Option<String>,
    /// Chosen runs that had the item.
    pub runs: usize,
    pub measured: usize,
    pub failed: usize,
    pub skipped: usize,
    pub overridden: usize,
    pub min: Option<f64>,
    pub median: Option<f64>,
    pub max: Option<f64>,
    /// Oldest run first.
    pub outcomes: Vec<rows::Outcome>,
}

fn failed_query(index: &Index, error: rusqlite::Error) -> crate::Error {
    crate::Error::Index {
        path: index
            .path
            .clone()
            .unwrap_or_else(|| PathBuf::from(":memory:")),
        source: error,
    }
}

impl Sources {
    /// Every run, oldest first, narrowed by the filter; the indexes' queries are narrowed
    /// to the same runs.
    pub fn choose(&mut self, filter: &Filter, cwd: &Path) -> Result<Vec<rows::Run>, crate::Error> {
        let mut runs = Vec::new();
        for (source, index) in self.indexes.iter().enumerate() {
            runs.extend(
                index
                    .runs(source, cwd)
                    .map_err(|e| failed_query(index, e))?,
            );
        }
        runs.sort_by(|a, b| {
            a.started_s
                .cmp(&b.started_s)
                .then_with(|| a.started_at.cmp(&b.started_at))
                .then_with(|| a.folder.cmp(&b.folder))
        });
        let all = runs.len();
        if let Some(environment) = &filter.environment {
            runs.retain(|r| r.environment.eq_ignore_ascii_case(environment));
        }
        if let Some(last) = filter.last {
            let cut = runs.len().saturating_sub(last);
            runs.drain(..cut);
        }
        let narrowed = runs.len() != all;
        for (source, index) in self.indexes.iter_mut().enumerate() {
            let chosen: Option<Vec<i64>> = narrowed.then(|| {
                runs.iter()
                    .filter(|r| r.source.0 == source)
                    .map(|r| r.source.1)
                    .collect()
            });
            index
                .choose(chosen.as_deref())
                .map_err(|e| failed_query(index, e))?;
        }
        Ok(runs)
    }

    pub fn skipped(&self, cwd: &Path) -> Result<Vec<rows::Skipped>, crate::Error> {
        let mut skipped = Vec::new();
        for index in &self.indexes {
            skipped.extend(index.skipped(cwd).map_err(|e| failed_query(index, e))?);
        }
        skipped.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(skipped)
    }

    /// Narrows the indexes' queries to the runs the filter chooses, as [`Sources::choose`]
    /// does, without reading every run: for a question about a few rows, such as one item's
    /// history.
    pub fn narrow(&mut self, filter: &Filter, cwd: &Path) -> Result<(), crate::Error> {
        let environment = filter.environment.as_deref();
        if environment.is_none() && filter.last.is_none() {
            for index in &mut self.indexes {
                index.choose(None).map_err(|e| failed_query(index, e))?;
            }
            return Ok(());
        }
        let mut placed = Vec::new();
        for (source, index) in self.indexes.iter().enumerate() {
            placed.extend(
                index
                    .placed(source, cwd, environment, filter.last)
                    .map_err(|e| failed_query(index, e))?,
            );
        }
        placed.sort_by(|a, b| {
            a.started_s
                .cmp(&b.started_s)
                .then_with(|| a.started_at.cmp(&b.started_at))
                .then_with(|| a.folder.cmp(&b.folder))
        });
        if let Some(last) = filter.last {
            let cut = placed.len().saturating_sub(last);
            placed.drain(..cut);
        }
        for (source, index) in self.indexes.iter_mut().enumerate() {
            let chosen: Vec<i64> = placed
                .iter()
                .filter(|p| p.source.0 == source)
                .map(|p| p.source.1)
                .collect();
            index
                .choose(Some(&chosen))
                .map_err(|e| failed_query(index, e))?;
        }
        Ok(())
    }

    /// The history of the chosen runs; `charts` also gathers measured items for the page.
    pub fn history(
        &mut self,
        filter: &Filter,
        cwd: &Path,
        folders: Vec<String>,
        charts: bool,
    ) -> Result<History, crate::Error> {
        let runs = self.choose(filter, cwd)?;
        let mut trouble: BTreeMap<(String, String), rows::Trouble> = BTreeMap::new();
        let mut phase_rows = Vec::new();
        for (source, index) in self.indexes.iter().enumerate() {
            for row in index.trouble().map_err(|e| failed_query(index, e))? {
                let slot = trouble
                    .entry((row.checklist_path.clone(), row.id.clone()))
                    .or_insert_with(|| rows::Trouble {
                        id: row.id.clone(),
                        text: row.text.clone(),
                        checklist_path: row.checklist_path.clone(),
                        ..rows::Trouble::default()
                    });
                slot.failed += row.failed;
                slot.skipped += row.skipped;
                slot.overridden += row.overridden;
                slot.runs += row.runs;
            }
            phase_rows.extend(index.phases(source).map_err(|e| failed_query(index, e))?);
        }
        let mut hot_spots: Vec<rows::Trouble> = trouble.into_values().collect();
        hot_spots.sort_by(|a, b| {
            let total = |t: &rows::Trouble| t.failed + t.skipped + t.overridden;
            total(b)
                .cmp(&total(a))
                .then_with(|| b.failed.cmp(&a.failed))
                .then_with(|| a.id.cmp(&b.id))
        });
        let order: FastMap<(usize, i64), usize> = runs
            .iter()
            .enumerate()
            .map(|(n, r)| (r.source, n))
            .collect();
        let phases = phase_stats(phase_rows, &order);
        let measures = if charts {
            self.measured_histories(cwd)?
        } else {
            Vec::new()
        };
        Ok(History {
            folders,
            runs,
            hot_spots,
            phases,
            skipped: self.skipped(cwd)?,
            measures,
        })
    }

    /// Every measured item's history, the most often measured first.
    fn measured_histories(&self, cwd: &Path) -> Result<Vec<ItemHistory>, crate::Error> {
        let mut counts: FastMap<String, i64> = FastMap::default();
        for index in &self.indexes {
            for (id, n) in index.measured_items().map_err(|e| failed_query(index, e))? {
                *counts.entry(id).or_default() += n;
            }
        }
        let mut histories = counts
            .into_keys()
            .map(|id| self.item_history(&id, cwd))
            .collect::<Result<Vec<_>, _>>()?;
        // The values in trouble first: failed or overridden most, then measured most.
        histories.sort_by(|a, b| {
            (b.failed + b.overridden)
                .cmp(&(a.failed + a.overridden))
                .then_with(|| b.measured.cmp(&a.measured))
                .then_with(|| a.id.cmp(&b.id))
        });
        histories.retain(|h| h.measured > 0);
        Ok(histories)
    }

    /// One item across the runs chosen by [`Sources::choose`] or [`Sources::narrow`]: one
    /// query per index, through the index on items' names.
    pub fn item_history(&self, id: &str, cwd: &Path) -> Result<ItemHistory, crate::Error> {
        let mut outcomes = Vec::new();
        for (source, index) in self.indexes.iter().enumerate() {
            outcomes.extend(
                index
                    .outcomes(source, id, cwd)
                    .map_err(|e| failed_query(index, e))?,
            );
        }
        // In the runs' order, as `choose` sorts them.
        outcomes.sort_by(|a, b| {
            a.started_s
                .cmp(&b.started_s)
                .then_with(|| a.started_at.cmp(&b.started_at))
                .then_with(|| a.folder.cmp(&b.folder))
                .then_with(|| a.source.cmp(&b.source))
        });
        let newest_judged = outcomes.iter().rev().find(|o| o.threshold.is_some());
        let mut values: Vec<f64> = outcomes.iter().filter_map(|o| o.measured).collect();
        values.sort_by(f64::total_cmp);
        let count =
            |test: &dyn Fn(&rows::Outcome) -> bool| outcomes.iter().filter(|o| test(o)).count();
        Ok(ItemHistory {
            id: id.to_string(),
            text: outcomes
                .last()
                .map(|o| o.text.clone())
                .unwrap_or_else(|| id.to_string()),
            threshold: newest_judged.and_then(|o| o.threshold.clone()),
            unit: newest_judged.and_then(|o| o.unit.clone()),
            runs: outcomes.len(),
            measured: values.len(),
            failed: count(&|o| o.status == "failed"),
            skipped: count(&|o| o.status == "skipped"),
            overridden: count(&|o| o.overridden),
            min: values.first().copied(),
            median: (!values.is_empty()).then(|| median_f64(&values)),
            max: values.last().copied(),
            outcomes,
        })
    }

    /// The item ID `--item` names: an exact ID, or the only ID ending in `/<given>`.
    /// Anything else is an error listing the candidates or the nearest ID.
    pub fn resolve_item(&self, given: &str) -> Result<String, crate::Error> {
        let mut ids: Vec<String> = Vec::new();
        for index in &self.indexes {
            ids.extend(index.item_ids().map_err(|e| failed_query(index, e))?);
        }
        ids.sort();
        ids.dedup();
        if ids.iter().any(|id| id == given) {
            return Ok(given.to_string());
        }
        let tail = format!("/{}", given.trim_start_matches('/'));
        let ending: Vec<&String> = ids.iter().filter(|id| id.ends_with(&tail)).collect();
        match ending.as_slice() {
            [one] => return Ok((*one).clone()),
            [] => {}
            many => {
                return Err(crate::Error::Refused(format!(
                    "`{given}` names several items: {}; give the whole ID",
                    many.iter()
                        .map(|s| format!("`{s}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }
        let nearest = ids
            .iter()
            .map(|id| {
                let last = id.rsplit('/').next().unwrap_or(id);
                let distance = strsim::levenshtein(given, id).min(strsim::levenshtein(given, last));
                (distance, id)
            })
            .filter(|(d, _)| *d <= 3.max(given.len() / 3))
            .min_by_key(|(d, _)| *d)
            .map(|(_, id)| format!("; did you mean `{id}`?"))
            .unwrap_or_else(|| {
                if ids.is_empty() {
                    "; there are no runs to look in".to_string()
                } else {
                    "; `deploycheck show --ids` lists the IDs".to_string()
                }
            });
        Err(crate::Error::Refused(format!(
            "no run has an item `{given}`{nearest}"
        )))
    }
}

fn median_i64(sorted: &[i64]) -> i64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }
}

fn median_f64(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// Median, mean and longest time per phase, phases in their checklist's order.
fn phase_stats(
    rows: Vec<rows::PhaseTime>,
    order: &FastMap<(usize, i64), usize>,
) -> Vec<PhaseStats> {
    // (checklist, phase) → (the earliest position it was seen at, (run, seconds) per run)
    type Slot = (i64, Vec<(usize, i64)>);
    let mut grouped: BTreeMap<(String, String), Slot> = BTreeMap::new();
    for row in rows {
        let Some(&run) = order.get(&row.source) else {
            continue;
        };
        let slot = grouped
            .entry((row.checklist, row.phase))
            .or_insert((row.position, Vec::new()));
        slot.0 = slot.0.min(row.position);
        slot.1.push((run, row.seconds));
    }
    let mut stats: Vec<(i64, PhaseStats)> = grouped
        .into_iter()
        .map(|((checklist, phase), (position, mut per_run))| {
            per_run.sort_unstable();
            let mut seconds: Vec<i64> = per_run.iter().map(|(_, s)| *s).collect();
            seconds.sort_unstable();
            let total: i64 = seconds.iter().sum();
            (
                position,
                PhaseStats {
                    checklist,
                    phase,
                    runs: seconds.len(),
                    median_s: median_i64(&seconds),
                    mean_s: total / seconds.len() as i64,
                    max_s: *seconds.last().unwrap_or(&0),
                    per_run,
                },
            )
        })
        .collect();
    stats.sort_by(|a, b| a.1.checklist.cmp(&b.1.checklist).then(a.0.cmp(&b.0)));
    stats.into_iter().map(|(_, s)| s).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phase_stats_keep_the_checklists_order_and_take_the_median() {
        let row = |run: i64, phase: &str, position, seconds| rows::PhaseTime {
            checklist: "T".into(),
            position,
            phase: phase.into(),
            seconds,
            source: (0, run),
        };
        let order: FastMap<(usize, i64), usize> = (0..3).map(|n| ((0, n), n as usize)).collect();
        let stats = phase_stats(
            vec![
                row(0, "Post", 2, 30),
                row(0, "Pre", 0, 100),
                row(1, "Pre", 0, 300),
                row(2, "Pre", 0, 200),
                row(0, "Deploy", 1, 50),
                row(1, "Deploy", 1, 70),
                // A run that was not chosen counts for nothing.
                row(7, "Pre", 0, 9000),
            ],
            &order,
        );
        let got: Vec<(&str, usize, i64, i64, i64)> = stats
            .iter()
            .map(|s| (s.phase.as_str(), s.runs, s.median_s, s.mean_s, s.max_s))
            .collect();
        assert_eq!(
            got,
            [
                ("Pre", 3, 200, 200, 300),
                ("Deploy", 2, 60, 60, 70),
                ("Post", 1, 30, 30, 30)
            ]
        );
        assert_eq!(stats[0].per_run, [(0, 100), (1, 300), (2, 200)]);
    }

    /// Run folders in two environments under `root`, one run a day, staging every third.
    fn mixed_runs(root: &Path, n: u32) {
        for k in 0..n {
            let start = format!("2026-11-{:02}T22:00:00+00:00", k % 28 + 1);
            let mut record = testing::record(&format!("v1.{k}"), &start, 150 + k);
            if k % 3 == 0 {
                record.environment = "Staging".into();
                record.settle();
            }
            testing::write(root, &format!("run-{k:03}"), &record);
        }
    }

    #[test]
    fn an_items_history_narrowed_without_reading_every_run_is_the_one_chosen_from_them() {
        let dir = tempfile::tempdir().unwrap();
        // Two folders of runs, the same days in both: ties in time across indexes.
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        mixed_runs(&a, 40);
        mixed_runs(&b, 20);
        let mut sources = open(&[a, b], dir.path()).unwrap();
        let item = "performance/metrics/response-time";
        let outcomes = |history: &ItemHistory| -> Vec<(String, Option<f64>)> {
            history
                .outcomes
                .iter()
                .map(|o| (o.folder.clone(), o.measured))
                .collect()
        };
        for (environment, last) in [
            (None, None),
            (Some("staging"), None),
            (None, Some(7)),
            (Some("PRODUCTION"), Some(30)),
            (Some("staging"), Some(0)),
            (None, Some(1000)),
            (Some("nowhere"), None),
        ] {
            let filter = Filter {
                environment: environment.map(String::from),
                last,
            };
            sources.choose(&filter, dir.path()).unwrap();
            let chosen = sources.item_history(item, dir.path()).unwrap();
            sources.narrow(&filter, dir.path()).unwrap();
            let narrowed = sources.item_history(item, dir.path()).unwrap();
            assert_eq!(outcomes(&narrowed), outcomes(&chosen), "{filter:?}");
            assert_eq!(narrowed.runs, chosen.runs, "{filter:?}");
            if let Some(last) = last {
                assert!(chosen.runs <= last, "{filter:?}");
            }
        }
    }

    #[test]
    fn an_older_record_is_named_by_its_schema() {
        let dir = tempfile::tempdir().unwrap();
        let run = dir.path().join("run");
        std::fs::create_dir(&run).unwrap();
        std::fs::write(
            run.join(RECORD_FILE),
            "schema: deploycheck/run-record/v1\nchecklist: {}\n",
        )
        .unwrap();
        let reason = load_run(&run).unwrap_err();
        assert!(
            reason.contains("older record format (deploycheck/run-record/v1)"),
            "{reason}"
        );
        std::fs::write(run.join(RECORD_FILE), "schema: [unclosed\n").unwrap();
        let reason = load_run(&run).unwrap_err();
        assert!(reason.contains("record.yaml"), "{reason}");
    }
}
