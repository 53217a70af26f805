//! An item's check at its prompt: `r` runs it (or `--run-checks` does as the walk reaches
//! it), its output streams under the prompt, and its outcome proposes an answer that the
//! operator confirms with Enter or overrules by answering otherwise.
//!
//! Order of what happens for one execution, and why:
//! 1. A command that changed since the run started is shown again and, at a terminal,
//!    confirmed before it runs: what runs is always what the operator was shown.
//! 2. `CheckStarted` is journaled and synced, then the command starts: a crash while it
//!    runs leaves a check that began and never finished, never a pass.
//! 3. The run is not held while the command runs, so Ctrl-C (the signal handler) can
//!    reach the check: the first stops the check, a second the run.
//! 4. `CheckFinished` is journaled with the bounded output; the proposal is only a
//!    proposal until it is confirmed, and every execution stays in the record.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::{ESSENTIAL, Keys, Session, USEFUL};
use crate::check::{Environment, Execution, Interrupt, Spec, execute};
use crate::engine::{Command, Event, ItemKind, PlanItem, Walk, resolve_item_answer};
use crate::model::{Check, CheckEnd, How, Status, last_line};
use crate::render::width::HardWrap;

/// What a session needs to run checks; none of it is read from the process here.
#[derive(Debug, Clone)]
pub struct CheckConfig {
    /// Where checks run: the folder that holds `checklists/`.
    pub dir: PathBuf,
    pub run_folder: PathBuf,
    /// Names of the process's environment variables, so leftovers of ours are removed.
    pub inherited: Vec<String>,
    /// `--run-checks`: each open item's check runs as the walk reaches it.
    pub automatic: bool,
    pub interrupt: Arc<Interrupt>,
}

/// An answer a check proposed for the item being asked, waiting for the operator.
#[derive(Debug, Clone)]
pub(super) struct Proposal {
    pub item: usize,
    pub event: Event,
    /// The status word: `done`, `failed`, `clear`, `holds`.
    pub status: String,
    /// What comes with it: the reason, or the measured value and what it came to.
    pub detail: Option<String>,
    /// Whether the proposal is a pass (done or clear), which `--run-checks` records itself.
    pub passes: bool,
}

impl Session<'_> {
    /// The check line(s) of an item's prompt: the command (shortened) and, when a check has
    /// proposed an answer, the proposal.
    /// `walk` is the run's, already locked by the caller.
    pub(super) fn check_detail(&self, walk: &Walk, item: usize, check: &Check) -> Vec<String> {
        let mut lines = Vec::new();
        let changed = walk.check_changed_since_start(item).is_some();
        // One line at the prompt; the whole command is shown when it runs.
        let shown: Vec<&str> = check.run.lines().filter(|l| !l.trim().is_empty()).collect();
        let mut label = vec!["check".to_string()];
        if shown.len() > 1 {
            label.push(format!("{} lines", shown.len()));
        }
        if changed {
            label.push("changed since the run started".to_string());
        }
        let label = match label.split_first() {
            Some((first, rest)) if !rest.is_empty() => format!("{first} ({})", rest.join(", ")),
            _ => "check".to_string(),
        };
        lines.push(format!(
            "{label}: $ {}",
            shown.first().map_or("", |l| l.trim())
        ));
        match self.proposal.as_ref().filter(|p| p.item == item) {
            Some(proposal) => {
                let enter = if self.config.interactive {
                    "Enter"
                } else {
                    "an empty line"
                };
                let detail = proposal
                    .detail
                    .as_deref()
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default();
                lines.push(format!(
                    "the check proposes: {}{detail}; {enter} records it",
                    proposal.status
                ));
            }
            None => {
                let runs = walk.check_runs(item).len();
                if runs > 0 {
                    lines.push(format!(
                        "run {runs} time{} so far; r runs it again",
                        if runs == 1 { "" } else { "s" }
                    ));
                }
            }
        }
        lines
    }

    /// The keys a check adds at its item's prompt, before the answers.
    pub(super) fn check_keys(&self, item: usize) -> Keys {
        match self.proposal.as_ref().filter(|p| p.item == item) {
            Some(proposal) => {
                let word = match proposal.event {
                    Event::Answer { status, .. } => status.to_string(),
                    _ => "it".to_string(),
                };
                Keys::default()
                    .add(format!("Enter: {word}"), ESSENTIAL)
                    .add("r run again", USEFUL)
            }
            None => Keys::default().add("r run the check", ESSENTIAL),
        }
    }

    /// Records the proposal for `item` as the answer, when there is one (an empty line
    /// at its prompt). `false` when there is none to confirm.
    pub(super) fn confirm_proposal(&mut self, item: usize) -> Result<bool, crate::Error> {
        let Some(proposal) = self.proposal.take_if(|p| p.item == item) else {
            return Ok(false);
        };
        let meta = self.meta();
        let result = self.run().apply(&meta, proposal.event.clone());
        match result {
            Ok(effects) => {
                let style = self.config.style;
                let detail = proposal
                    .detail
                    .as_deref()
                    .map(|d| format!(": {d}"))
                    .unwrap_or_default();
                let text = format!("{} (from the check){detail}", proposal.status);
                let text = if proposal.passes {
                    style.green(&text)
                } else {
                    style.red(&text)
                };
                self.say(&text)?;
                self.after(effects)?;
            }
            Err(crate::run::RunError::Walk(error)) => {
                self.complain(&error.to_string())?;
            }
            Err(other) => return Err(other.into()),
        }
        Ok(true)
    }

    /// `--run-checks`: runs the check of the item the walk has reached, once per session,
    /// and records a pass itself. `true` when the item was answered so.
    pub(super) fn run_check_automatically(&mut self, item: usize) -> Result<bool, crate::Error> {
        if !self.config.checks.automatic || !self.auto_tried.insert(item) {
            return Ok(false);
        }
        if self.run().walk().plan().items[item].check.is_none() {
            return Ok(false);
        }
        let heading = self.prompt(crate::engine::Step::Item(item)).heading;
        let text = self.run().walk().plan().items[item].text.clone();
        writeln!(self.out)?;
        writeln!(self.out, "{}", self.config.style.dim(&heading))?;
        self.say(&text)?;
        self.run_check(item)?;
        match self.proposal.as_ref() {
            Some(proposal) if proposal.item == item && proposal.passes => {
                self.confirm_proposal(item)?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// Runs the item's check once: journaled before and after, output streamed, and an
    /// answer proposed from how it ended.
    pub(super) fn run_check(&mut self, item: usize) -> Result<(), crate::Error> {
        self.proposal = None;
        let (plan_item, changed, environment) = {
            let run = self.run();
            let walk = run.walk();
            let plan_item = walk.plan().items[item].clone();
            let changed = walk
                .check_changed_since_start(item)
                .map(|was| was.map(str::to_string));
            let fields: Vec<(String, Option<String>)> = walk
                .plan()
                .fields
                .iter()
                .enumerate()
                .map(|(i, name)| (name.clone(), walk.field(i).and_then(|f| f.value.clone())))
                .collect();
            let environment = Environment::new(
                walk.environment(),
                &self.config.checks.run_folder,
                &fields,
                self.config.checks.inherited.iter().map(String::as_str),
            );
            (plan_item, changed, environment)
        };
        let Some(check) = plan_item.check.clone() else {
            self.complain("this item has no check to run")?;
            return Ok(());
        };
        if let Some(was) = changed
            && !self.confirmed.contains(&item)
            && !self.confirm_changed(item, &check, was.as_deref())?
        {
            return Ok(());
        }
        let style = self.config.style;
        let bar = if style.unicode { "│" } else { "|" };
        let columns = self.columns();
        writeln!(self.out)?;
        // The whole command, every character of it, as it will run.
        for (index, line) in check.run.lines().enumerate() {
            let lead = if index == 0 { "  $ " } else { "    " };
            let mut wrap = HardWrap::new(columns, "    ");
            let shown = wrap.push(line);
            let shown = shown.strip_prefix("    ").unwrap_or(&shown);
            writeln!(self.out, "{}", style.bold(&format!("{lead}{shown}")))?;
        }
        let stop = if self.config.interactive {
            ", Ctrl-C stops it"
        } else {
            ""
        };
        writeln!(
            self.out,
            "{}",
            style.dim(&format!(
                "  running with sh -c (time-out {} s{stop})",
                check.timeout_s
            ))
        )?;
        self.out.flush()?;

        let meta = self.meta();
        self.run().apply(
            &meta,
            Event::CheckStarted {
                id: plan_item.id.clone(),
                command: check.run.clone(),
                timeout_s: check.timeout_s,
            },
        )?;
        // Durable before the command starts: a crash from here on shows as unfinished.
        self.run().sync()?;

        let interrupt = Arc::clone(&self.config.checks.interrupt);
        let dir = self.config.checks.dir.clone();
        let spec = Spec {
            command: &check.run,
            timeout: Duration::from_secs(check.timeout_s),
            dir: &dir,
            environment: &environment,
        };
        let out = &mut *self.out;
        // Output lines are broken to the width rather than by the terminal, so each
        // continuation keeps the bar that says it is the check's.
        let mut wrap = HardWrap::new(
            if self.config.interactive {
                columns
            } else {
                usize::MAX
            },
            &format!("  {} ", style.dim(bar)),
        );
        let mut write_error = None;
        let execution = execute(&spec, &interrupt, &mut |text: &str| {
            let shown = wrap.push(text);
            // A closed terminal must not stop the check half way; say so afterwards.
            if let Err(error) = out.write_all(shown.as_bytes()).and_then(|()| out.flush())
                && write_error.is_none()
            {
                write_error = Some(error);
            }
        });
        if !wrap.at_line_start() {
            writeln!(self.out)?;
        }

        let meta = self.meta();
        self.run().apply(
            &meta,
            Event::CheckFinished {
                id: plan_item.id.clone(),
                exit_code: execution.exit_code,
                ended: execution.ended,
                duration_ms: execution.duration_ms(),
                output: execution.output.clone(),
                output_truncated: execution.truncated,
                output_bytes: execution.total_bytes,
            },
        )?;
        self.run().sync()?;
        if let Some(error) = write_error {
            return Err(error.into());
        }
        self.report_execution(&execution, &check)?;
        self.propose(item, &plan_item, &execution)
    }

    /// A command that is not the one the run started with runs only once shown again
    /// and, at a terminal, confirmed. Piped runs show it and go on: the command line
    /// asked for checks.
    fn confirm_changed(
        &mut self,
        item: usize,
        check: &Check,
        was: Option<&str>,
    ) -> Result<bool, crate::Error> {
        let style = self.config.style;
        writeln!(self.out)?;
        let headline = match was {
            Some(_) => "This check's command changed since the run started.",
            None => "This check was not in the checklist when the run started.",
        };
        self.say(&style.yellow(headline))?;
        if let Some(was) = was {
            for (index, line) in was.lines().enumerate() {
                let lead = if index == 0 { "was: $ " } else { "       " };
                writeln!(self.out, "  {lead}{line}")?;
            }
        }
        for (index, line) in check.run.lines().enumerate() {
            let lead = if index == 0 { "now: $ " } else { "       " };
            writeln!(self.out, "  {lead}{}", style.bold(line))?;
        }
        if !self.config.interactive {
            self.say("running the command as it is now")?;
            self.confirmed.insert(item);
            return Ok(true);
        }
        let keys = Keys::default()
            .add("y run it", ESSENTIAL)
            .add("n or Enter: not now", ESSENTIAL);
        let Some(answer) = self.ask(
            "Run the command as it is now? [y / N]",
            keys,
            vec!["yes", "no"],
        )?
        else {
            return Ok(false);
        };
        if matches!(answer.to_ascii_lowercase().as_str(), "y" | "yes") {
            self.confirmed.insert(item);
            Ok(true)
        } else {
            self.say("not run")?;
            Ok(false)
        }
    }

    /// One line on how the check ended: `✓ exit 0 in 12 ms`, `✗ timed out after 30 s`.
    fn report_execution(&mut self, execution: &Execution, check: &Check) -> std::io::Result<()> {
        let style = self.config.style;
        let took = took(execution.duration);
        let (mark_ok, mark_bad) = if style.unicode {
            ("✓", "✗")
        } else {
            ("ok", "x")
        };
        let line = match (execution.ended, execution.exit_code) {
            (CheckEnd::Exited, Some(0)) => style.green(&format!("{mark_ok} exit 0 in {took}")),
            (CheckEnd::Exited, Some(code)) => {
                style.red(&format!("{mark_bad} exit {code} in {took}"))
            }
            (CheckEnd::TimedOut, _) => style.red(&format!(
                "{mark_bad} timed out after {} s: stopped, with everything it started",
                check.timeout_s
            )),
            (CheckEnd::Interrupted, _) => style.yellow(&format!(
                "{mark_bad} interrupted after {took}: stopped, with everything it started"
            )),
            (CheckEnd::NotStarted, _) => style.red(&format!("{mark_bad} could not start")),
            (_, _) => style.red(&format!("{mark_bad} killed by a signal after {took}")),
        };
        self.say(&line)?;
        if execution.truncated {
            self.say(&style.dim(&format!(
                "printed {}; the record keeps the last 8 KiB",
                bytes(execution.total_bytes)
            )))?;
        }
        Ok(())
    }

    /// What the execution proposes for the item, shown and kept until answered.
    fn propose(
        &mut self,
        item: usize,
        plan_item: &PlanItem,
        execution: &Execution,
    ) -> Result<(), crate::Error> {
        let trigger = plan_item.kind == ItemKind::Trigger;
        let passed = execution.ended == CheckEnd::Exited && execution.exit_code == Some(0);
        let command = if execution.ended == CheckEnd::Interrupted {
            self.say("nothing proposed; r runs it again, or answer")?;
            return Ok(());
        } else if passed && plan_item.threshold.is_some() {
            match execution.last_stdout_line.as_deref() {
                Some(value) => Command::Measured {
                    value: value.to_string(),
                    override_reason: None,
                },
                None => {
                    self.say("the check printed no value on stdout, so nothing is proposed; type the value, or answer")?;
                    return Ok(());
                }
            }
        } else if passed {
            Command::Answer {
                status: if trigger { Status::Clear } else { Status::Done },
                reason: None,
            }
        } else {
            let outcome = match (execution.ended, execution.exit_code) {
                (CheckEnd::TimedOut, _) => {
                    format!(
                        "check timed out after {} s",
                        plan_item.check.as_ref().map_or(0, |c| c.timeout_s)
                    )
                }
                (CheckEnd::Exited, Some(code)) => format!("check exit {code}"),
                (CheckEnd::NotStarted, _) => "check could not start".to_string(),
                _ => "check killed by a signal".to_string(),
            };
            let reason = match (execution.ended, last_line(&execution.output)) {
                (CheckEnd::Exited, Some(line)) => line.to_string(),
                (_, Some(line)) => format!("{outcome}: {line}"),
                (_, None) => outcome,
            };
            Command::Answer {
                status: if trigger {
                    Status::Holds
                } else {
                    Status::Failed
                },
                reason: Some(reason),
            }
        };
        let event = {
            let run = self.run();
            resolve_item_answer(run.walk().plan(), item, command, How::Check)
        };
        let event = match event {
            Ok(event) => event,
            Err(refusal) => {
                let value = execution.last_stdout_line.as_deref().unwrap_or("");
                self.say(&format!(
                    "the check's last line \"{value}\" is not a value ({refusal}); nothing is proposed: type the value, or answer"
                ))?;
                return Ok(());
            }
        };
        let Event::Answer {
            status,
            reason,
            value,
            ..
        } = &event
        else {
            return Ok(());
        };
        let passes = matches!(status, Status::Done | Status::Clear);
        let status = status.to_string();
        let detail = match (value, reason) {
            (Some(value), Some(reason)) => Some(format!("measured {value}: {reason}")),
            (Some(value), None) => Some(format!("measured {value}")),
            (None, Some(reason)) => Some(reason.clone()),
            (None, None) => None,
        };
        self.proposal = Some(Proposal {
            item,
            event,
            status,
            detail,
            passes,
        });
        Ok(())
    }
}

/// `12 ms`, `1.4 s`, `2 min 5 s`.
fn took(duration: Duration) -> String {
    let ms = duration.as_millis();
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{:.1} s", duration.as_secs_f64())
    } else {
        format!("{} min {} s", ms / 60_000, (ms % 60_000) / 1000)
    }
}

/// `10.0 MB`, `900 bytes`.
fn bytes(n: u64) -> String {
    if n >= 1_000_000 {
        format!("{:.1} MB", n as f64 / 1e6)
    } else if n >= 1000 {
        format!("{:.1} kB", n as f64 / 1e3)
    } else {
        format!("{n} bytes")
    }
}
