//! `deploycheck run ENV --dry-run`: what `--run-checks` would execute, in walk order, with
//! the folder it runs in and the environment variables it gets. Nothing is run, nothing
//! is written, no lock is taken.

use std::path::Path;

use super::{Io, exit};
use crate::check::{Environment, variable_for_field};
use crate::engine::{Plan, Step};
use crate::run::answers::Answers;

pub struct DryRun<'a> {
    pub plan: &'a Plan,
    pub answers: Option<&'a Answers>,
    pub environment: &'a str,
    pub root: &'a Path,
    /// The folder the run would get if it started now.
    pub run_folder: &'a Path,
    /// The run fields' defaults, aligned with the plan's fields.
    pub defaults: &'a [Option<String>],
    /// Whether `--run-checks` was given too.
    pub automatic: bool,
}

pub fn dry_run(io: &mut Io<'_>, dry: &DryRun<'_>) -> Result<i32, crate::Error> {
    let plan = dry.plan;
    let open = |step: Step| dry.answers.is_none_or(|a| !a.answers(step));
    let listed: Vec<(usize, bool)> = plan
        .main
        .iter()
        .map(|&s| (s, false))
        .chain(plan.rollback.iter().map(|&s| (s, true)))
        .filter_map(|(step, rollback)| match step {
            Step::Item(i) if plan.items[i].check.is_some() && open(step) => Some((i, rollback)),
            _ => None,
        })
        .collect();
    let answered = plan
        .items
        .iter()
        .enumerate()
        .filter(|(i, item)| item.check.is_some() && !open(Step::Item(*i)))
        .count();
    let out = &mut *io.stdout;
    let flag = if dry.automatic {
        "--run-checks"
    } else {
        "with --run-checks, it"
    };
    let s = if listed.len() == 1 { "" } else { "s" };
    writeln!(
        out,
        "Dry run: {flag} would run {} check{s}, in this order, each with `sh -c` in {}, stdin closed:",
        listed.len(),
        dry.root.display()
    )?;
    for (index, (item, rollback)) in listed.iter().enumerate() {
        let plan_item = &plan.items[*item];
        let check = plan_item.check.as_ref().expect("listed items have checks");
        let total = if *rollback {
            plan.rollback_items
        } else {
            plan.main_items
        };
        let only = if *rollback {
            " (only if a rollback starts)"
        } else {
            ""
        };
        writeln!(out)?;
        writeln!(
            out,
            "{}. {}/{total}  {} › {}: {}{only}",
            index + 1,
            plan_item.position,
            plan_item.phase,
            plan_item.section,
            plan_item.text
        )?;
        writeln!(
            out,
            "   id {}  time-out {} s",
            plan_item.id, check.timeout_s
        )?;
        for (n, line) in check.run.lines().enumerate() {
            let lead = if n == 0 { "$" } else { " " };
            writeln!(out, "   {lead} {line}")?;
        }
    }
    if answered > 0 {
        let s = if answered == 1 { "" } else { "s" };
        writeln!(
            out,
            "\n{answered} item{s} with a check {} answered by the answers file, so {} not run.",
            if answered == 1 { "is" } else { "are" },
            if answered == 1 {
                "its check is"
            } else {
                "their checks are"
            }
        )?;
    }
    // What each check gets: the values known now; fields asked at the start are marked.
    let fields: Vec<(String, Option<String>)> = plan
        .fields
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let value = match dry.answers.and_then(|a| a.field_value(i)) {
                Some(given) => given.map(str::to_string),
                None => dry.defaults.get(i).cloned().flatten(),
            };
            (name.clone(), value)
        })
        .collect();
    let environment = Environment::new(dry.environment, dry.run_folder, &fields, []);
    writeln!(out, "\nEnvironment variables every check gets:")?;
    for (name, value) in environment.variables() {
        let note = if name == "DEPLOYCHECK_RUN" {
            "   (the run's folder; its time is the run's start)"
        } else {
            ""
        };
        writeln!(out, "  {name}={value}{note}")?;
    }
    for (i, (name, value)) in fields.iter().enumerate() {
        let Some(variable) = variable_for_field(name) else {
            writeln!(
                out,
                "  (run field `{name}` has no letters or digits to name a variable after)"
            )?;
            continue;
        };
        let from_file = dry.answers.is_some_and(|a| a.field_value(i).is_some());
        match value {
            None if from_file => {
                writeln!(out, "  {variable} is not set (the answers file gives none)")?
            }
            None => writeln!(
                out,
                "  {variable} is not set unless a value is given when asked"
            )?,
            Some(_) if !from_file => writeln!(
                out,
                "  ({variable} is the default shown; the value given when asked wins)"
            )?,
            Some(_) => {}
        }
    }
    writeln!(out, "\nNothing was run and nothing was written.")?;
    Ok(exit::SUCCESS)
}
