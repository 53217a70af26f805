//! The interactive walk: one prompt per step, until the walk finishes, the operator quits,
//! or the input ends.

use std::io::{BufRead, Write};
use std::sync::Mutex;

use crate::clock::Clock;
use crate::engine::{
    Command, Effect, Event, ItemKind, Meta, SignoffOutcome, Step, parse_command,
    resolve_item_answer,
};
use crate::model::{Contact, How, Status, Timestamp};
use crate::render::Style;
use crate::run::Run;
use crate::run::answers::{AnswerFromFile, Answers};

/// Why a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing is left to ask.
    Finished,
    /// The operator typed `quit`.
    Quit,
    /// The input ended (piped answers ran out, or Ctrl-D).
    EndOfInput,
}

pub struct SessionConfig {
    /// A person at a terminal: colour, key legends, and rollback confirmations.
    pub interactive: bool,
    pub style: Style,
    pub operator: String,
    pub contacts: Vec<Contact>,
    /// Defaults for the run fields, aligned with the plan's fields.
    pub field_defaults: Vec<Option<String>>,
}

pub struct Session<'a> {
    run: &'a Mutex<Run>,
    answers: Option<&'a mut Answers>,
    input: &'a mut dyn BufRead,
    out: &'a mut dyn Write,
    clock: &'a dyn Clock,
    config: SessionConfig,
}

/// What one prompt needs to show, copied out so the run is not held while waiting.
struct Prompt {
    heading: String,
    text: String,
    detail: Option<String>,
    legend: &'static str,
}

impl<'a> Session<'a> {
    pub fn new(
        run: &'a Mutex<Run>,
        answers: Option<&'a mut Answers>,
        input: &'a mut dyn BufRead,
        out: &'a mut dyn Write,
        clock: &'a dyn Clock,
        config: SessionConfig,
    ) -> Self {
        Session {
            run,
            answers,
            input,
            out,
            clock,
            config,
        }
    }

    fn run(&self) -> std::sync::MutexGuard<'_, Run> {
        // A panic elsewhere must not cost the answers already journaled.
        self.run.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn meta(&self) -> Meta {
        Meta {
            at: Timestamp::from_datetime(self.clock.now()),
            by: self.config.operator.clone(),
        }
    }

    /// Walks until there is nothing left to ask, the operator quits, or input ends.
    pub fn drive(&mut self) -> Result<Outcome, crate::Error> {
        loop {
            let step = match self.run().walk().current() {
                Some(step) => step,
                None => return Ok(Outcome::Finished),
            };
            if self.apply_from_file(step)? {
                continue;
            }
            // Everything answered so far is on disk before a person is asked anything.
            self.run().sync()?;
            let prompt = self.prompt(step);
            self.show(&prompt)?;
            let Some(line) = self.read_line()? else {
                return Ok(Outcome::EndOfInput);
            };
            if !self.config.interactive {
                writeln!(self.out, "{line}")?;
            }
            match self.handle(step, &line)? {
                Some(outcome) => return Ok(outcome),
                None => continue,
            }
        }
    }

    fn apply_from_file(&mut self, step: Step) -> Result<bool, crate::Error> {
        let Some(answers) = self.answers.as_deref_mut() else {
            return Ok(false);
        };
        let Some(AnswerFromFile::Event(event, note)) = answers.take(step) else {
            return Ok(false);
        };
        let meta = self.meta();
        let effects = self.run().apply(&meta, event)?;
        if let (Some(text), Step::Item(item)) = (note, step) {
            let id = self.run().walk().plan().items[item].id.clone();
            self.run().apply(&meta, Event::Note { id, text })?;
        }
        self.after(effects)?;
        Ok(true)
    }

    fn read_line(&mut self) -> Result<Option<String>, crate::Error> {
        let mut line = String::new();
        let read = self
            .input
            .read_line(&mut line)
            .map_err(crate::Error::Input)?;
        if read == 0 {
            return Ok(None);
        }
        Ok(Some(line.trim_end_matches(['\n', '\r']).trim().to_string()))
    }

    fn prompt(&self, step: Step) -> Prompt {
        let run = self.run();
        let walk = run.walk();
        let plan = walk.plan();
        match step {
            Step::Field(index) => {
                let default = self.config.field_defaults.get(index).cloned().flatten();
                Prompt {
                    heading: format!("Run field {}/{}", index + 1, plan.fields.len()),
                    text: plan.fields[index].clone(),
                    detail: default.map(|d| format!("Enter keeps: {d}")),
                    legend: "type the value · Enter for the default · back · quit",
                }
            }
            Step::Signoff(role) => {
                let role_plan = &plan.roles[role];
                let confirmed = role_plan
                    .statements
                    .iter()
                    .filter(|&&s| walk.answer(s).is_some_and(|a| a.status == Status::Done))
                    .count();
                Prompt {
                    heading: format!("Sign-off · {}", role_plan.role),
                    text: format!("Sign for {}", role_plan.role),
                    detail: Some(format!(
                        "{confirmed} of {} statements confirmed",
                        role_plan.statements.len()
                    )),
                    legend: "type the signer's name · refuse REASON · back · quit",
                }
            }
            Step::Item(index) => {
                let item = &plan.items[index];
                let mut text = item.text.clone();
                let mut ancestor = item.parent;
                while let Some(parent) = ancestor {
                    text = format!("{} › {text}", plan.items[parent].text);
                    ancestor = plan.items[parent].parent;
                }
                if item.optional {
                    text.push_str(" (optional)");
                }
                Prompt {
                    heading: self.item_heading(walk, index),
                    text,
                    detail: item_detail(plan, index),
                    legend: item_legend(item),
                }
            }
        }
    }

    /// `37/164  Deployment Process › Database Migration  (35 done, 1 failed)`.
    fn item_heading(&self, walk: &crate::engine::Walk, index: usize) -> String {
        let plan = walk.plan();
        let item = &plan.items[index];
        let total = if item.is_procedure() {
            plan.rollback_items
        } else {
            plan.main_items
        };
        let path = if item.section == item.phase {
            item.phase.clone()
        } else {
            format!("{} › {}", item.phase, item.section)
        };
        let counts = walk.counts();
        let tally: Vec<String> = [
            (counts.done, "done"),
            (counts.failed, "failed"),
            (counts.skipped, "skipped"),
            (counts.not_applicable, "n/a"),
            (counts.deferred, "deferred"),
            (counts.holds, "holding"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, word)| format!("{n} {word}"))
        .collect();
        let tally = if tally.is_empty() || !self.config.interactive {
            String::new()
        } else {
            format!("  ({})", tally.join(", "))
        };
        let heading = format!("{}/{total}  {path}{tally}", item.position);
        if walk.rollback_started().is_some() {
            format!("ROLLBACK {heading}")
        } else {
            heading
        }
    }

    fn show(&mut self, prompt: &Prompt) -> std::io::Result<()> {
        let style = self.config.style;
        if self.config.interactive {
            writeln!(self.out)?;
            writeln!(self.out, "{}", style.dim(&prompt.heading))?;
            writeln!(self.out, "  {}", style.bold(&prompt.text))?;
            if let Some(detail) = &prompt.detail {
                writeln!(self.out, "  {}", style.cyan(detail))?;
            }
            writeln!(self.out, "  {}", style.dim(prompt.legend))?;
            write!(self.out, "> ")?;
        } else {
            let detail = prompt
                .detail
                .as_deref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default();
            write!(self.out, "[{}] {}{detail} > ", prompt.heading, prompt.text)?;
        }
        self.out.flush()
    }

    /// Acts on one line typed at a prompt; `Some` ends the session.
    fn handle(&mut self, step: Step, line: &str) -> Result<Option<Outcome>, crate::Error> {
        if let Some(handled) = self.navigate(line)? {
            return Ok(handled);
        }
        let event = match step {
            Step::Field(index) => {
                let value = if line.is_empty() {
                    self.config.field_defaults.get(index).cloned().flatten()
                } else {
                    Some(line.to_string())
                };
                let name = self.run().walk().plan().fields[index].clone();
                Event::Field { name, value }
            }
            Step::Signoff(role) => match self.signoff_event(role, line) {
                Ok(event) => event,
                Err(message) => return self.complain(message),
            },
            Step::Item(item) => match parse_command(line) {
                Err(message) => return self.complain(&message.0),
                Ok(Command::Note(text)) => {
                    let meta = self.meta();
                    let id = self.run().walk().plan().items[item].id.clone();
                    self.run().apply(&meta, Event::Note { id, text })?;
                    self.say("noted")?;
                    return Ok(None);
                }
                Ok(command) => {
                    let resolved =
                        resolve_item_answer(self.run().walk().plan(), item, command, How::Typed);
                    match resolved {
                        Ok(event) => event,
                        Err(message) => return self.complain(&message.0),
                    }
                }
            },
        };
        let meta = self.meta();
        let result = self.run().apply(&meta, event.clone());
        match result {
            Ok(effects) => {
                self.confirm(&event)?;
                self.after(effects)?;
                Ok(None)
            }
            Err(crate::run::RunError::Walk(error)) => self.complain(&error.to_string()),
            Err(other) => Err(other.into()),
        }
    }

    /// The words that work at every prompt: `Some` when the line was one of them, with
    /// `Some(outcome)` inside when it ends the session.
    fn navigate(&mut self, line: &str) -> Result<Option<Option<Outcome>>, crate::Error> {
        let word = line
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match (word.as_str(), line.split_whitespace().count()) {
            ("quit" | "q" | "exit", 1) => return Ok(Some(Some(Outcome::Quit))),
            ("back" | "b" | "undo", 1) => self.back()?,
            ("?" | "help", 1) => self.help()?,
            ("status", 1) => self.status()?,
            ("contacts", 1) => self.contacts()?,
            ("rollback", _) => {
                let reason = line
                    .split_once(char::is_whitespace)
                    .map(|(_, r)| r.trim().to_string());
                self.start_rollback(None, reason)?;
            }
            _ => return Ok(None),
        }
        Ok(Some(None))
    }

    /// A signer's name, or `refuse REASON`.
    fn signoff_event(&self, role: usize, line: &str) -> Result<Event, &'static str> {
        let role = self.run().walk().plan().roles[role].role.clone();
        let outcome = match line.strip_prefix("refuse").map(str::trim) {
            Some("") => return Err("a refusal needs a reason: refuse REASON"),
            Some(reason) => SignoffOutcome::Refused(reason.to_string()),
            None if line.is_empty() => {
                return Err("type the name of the person signing, or refuse REASON");
            }
            None => SignoffOutcome::Signed(line.to_string()),
        };
        Ok(Event::Signoff { role, outcome })
    }

    /// Says what a judged value came to, so the operator sees the verdict on a measurement.
    fn confirm(&mut self, event: &Event) -> std::io::Result<()> {
        if let Event::Answer {
            status,
            reason,
            value: Some(_),
            ..
        } = event
        {
            let style = self.config.style;
            let text = match (status, reason) {
                (Status::Failed, Some(reason)) => style.red(&format!("failed: {reason}")),
                (Status::Holds, _) => style.red("the condition holds"),
                (status, Some(reason)) => format!("{status}: {reason}"),
                (status, None) => style.green(status.as_str()),
            };
            self.say(&text)?;
        }
        Ok(())
    }

    fn after(&mut self, effects: Vec<Effect>) -> Result<(), crate::Error> {
        for effect in effects {
            if let Effect::RecommendRollback { triggers } = effect {
                let names: Vec<String> = {
                    let run = self.run();
                    triggers
                        .iter()
                        .map(|&t| run.walk().plan().items[t].text.clone())
                        .collect()
                };
                self.start_rollback(Some(names), None)?;
            }
        }
        Ok(())
    }

    /// Starts a rollback; at a terminal the operator confirms first, and going on without
    /// one when a trigger holds needs a reason, which is recorded on the trigger.
    fn start_rollback(
        &mut self,
        holding: Option<Vec<String>>,
        mut reason: Option<String>,
    ) -> Result<(), crate::Error> {
        let style = self.config.style;
        if self.run().walk().rollback_started().is_some() {
            return self.complain("a rollback is already under way").map(|_| ());
        }
        if let Some(names) = &holding {
            writeln!(
                self.out,
                "{}",
                style.red(&format!("Rollback trigger holds: {}", names.join("; ")))
            )?;
        }
        if holding.is_none() && reason.as_deref().is_none_or(str::is_empty) {
            if !self.config.interactive {
                return self
                    .complain("a rollback started by hand needs a reason: rollback REASON")
                    .map(|_| ());
            }
            write!(self.out, "  Why start a rollback? (Enter to go back)\n> ")?;
            self.out.flush()?;
            match self.read_line()? {
                Some(line) if !line.is_empty() => reason = Some(line),
                _ => return Ok(()),
            }
        }
        if self.config.interactive {
            loop {
                let question = if holding.is_some() {
                    "Start the rollback now? [Y / n REASON to go on without one]"
                } else {
                    "Start a rollback now? [y / n]"
                };
                write!(self.out, "  {question}\n> ")?;
                self.out.flush()?;
                let Some(line) = self.read_line()? else {
                    return Ok(());
                };
                let (word, reason) = match line.split_once(char::is_whitespace) {
                    Some((w, r)) => (w.to_ascii_lowercase(), r.trim().to_string()),
                    None => (line.to_ascii_lowercase(), String::new()),
                };
                match word.as_str() {
                    "" | "y" | "yes" if holding.is_some() || !word.is_empty() => break,
                    "n" | "no" if holding.is_none() => return Ok(()),
                    "n" | "no" if !reason.is_empty() => {
                        let meta = self.meta();
                        self.run().apply(&meta, Event::Decline { reason })?;
                        self.say("going on without a rollback; who, when and why are recorded")?;
                        return Ok(());
                    }
                    "n" | "no" => writeln!(
                        self.out,
                        "  a reason is needed to go on while a trigger holds: n REASON"
                    )?,
                    _ => writeln!(self.out, "  answer y, or n REASON")?,
                }
            }
        }
        let meta = self.meta();
        let reason = if holding.is_some() { None } else { reason };
        self.run().apply(&meta, Event::Rollback { reason })?;
        let count = self.run().walk().plan().rollback_items;
        writeln!(
            self.out,
            "{}",
            style.yellow(&format!(
                "Rollback started: walking the rollback procedure ({count} item{}).",
                if count == 1 { "" } else { "s" }
            ))
        )?;
        Ok(())
    }

    fn back(&mut self) -> Result<(), crate::Error> {
        let meta = self.meta();
        let what = self.run().walk().last_change();
        let result = self.run().apply(&meta, Event::Undo);
        match result {
            Ok(_) => Ok(self.say(&format!(
                "took back {}",
                what.as_deref().unwrap_or("the last answer")
            ))?),
            Err(crate::run::RunError::Walk(error)) => self.complain(&error.to_string()).map(|_| ()),
            Err(other) => Err(other.into()),
        }
    }

    fn help(&mut self) -> std::io::Result<()> {
        let text = "\
  y, done          the item is done
  f REASON         failed            s REASON    skipped
  na [REASON]      not applicable    d REASON    deferred
  VALUE            a measured value (180ms, 99.5%, 1,200 RPS), judged against the threshold
  VALUE override REASON   record the opposite of the judgement, with why
  y!, done! [REASON]      done without a value, when a measured item has none to give
  clear, holds     for rollback triggers
  note TEXT        add a note to this item
  back             take back the last answer and ask it again
  rollback REASON  start the rollback procedure now, saying why
  status           what is done and what is left
  contacts         the emergency contacts
  quit             stop here; everything answered is saved, and the run resumes later";
        writeln!(self.out, "{text}")
    }

    fn status(&mut self) -> std::io::Result<()> {
        let (counts, remaining, rolling_back, main, rollback) = {
            let run = self.run();
            let plan = run.walk().plan();
            (
                run.walk().counts(),
                run.walk().remaining_items(),
                run.walk().rollback_started().is_some(),
                plan.main_items,
                plan.rollback_items,
            )
        };
        writeln!(
            self.out,
            "  {} done · {} failed · {} skipped · {} n/a · {} deferred · {} triggers clear · {} hold",
            counts.done,
            counts.failed,
            counts.skipped,
            counts.not_applicable,
            counts.deferred,
            counts.clear,
            counts.holds
        )?;
        let path = if rolling_back {
            format!("rollback procedure: {remaining} of {rollback} items left")
        } else {
            format!("{remaining} of {main} items left")
        };
        writeln!(self.out, "  {path}")
    }

    fn contacts(&mut self) -> std::io::Result<()> {
        if self.config.contacts.is_empty() {
            return writeln!(self.out, "  the checklist lists no contacts");
        }
        let mut table = crate::render::table(self.config.style);
        table.set_header(["Role", "Name", "Email", "Phone"]);
        for c in &self.config.contacts {
            let cell = |v: &Option<String>| v.clone().unwrap_or_default();
            table.add_row([
                c.role.clone(),
                cell(&c.name),
                cell(&c.email),
                cell(&c.phone),
            ]);
        }
        writeln!(self.out, "{table}")
    }

    fn say(&mut self, text: &str) -> std::io::Result<()> {
        writeln!(self.out, "  {text}")
    }

    fn complain(&mut self, message: &str) -> Result<Option<Outcome>, crate::Error> {
        let style = self.config.style;
        writeln!(self.out, "  {}", style.yellow(message))?;
        Ok(None)
    }
}

/// What the operator is asked to give for an item: a measured value, a trigger's state.
fn item_detail(plan: &crate::engine::Plan, index: usize) -> Option<String> {
    let item = &plan.items[index];
    match (&item.threshold, item.kind) {
        (Some(th), ItemKind::Trigger) => Some(format!(
            "holds when {} {th}: type the measured value, or clear / holds",
            th.metric
        )),
        (Some(th), _) => Some(format!(
            "measure {}: needs {th}; type the value, like {}",
            th.metric,
            th.example()
        )),
        (None, ItemKind::Trigger) => {
            Some("rollback trigger: does this condition hold?".to_string())
        }
        (None, ItemKind::Statement) => item
            .role
            .map(|r| format!("statement for {} to sign", plan.roles[r].role)),
        (None, _) => None,
    }
}

/// The keys that apply at an item's prompt.
fn item_legend(item: &crate::engine::PlanItem) -> &'static str {
    match (item.kind, item.threshold.is_some()) {
        (ItemKind::Trigger, _) => "clear · holds · note TEXT · back · rollback · status · ? help",
        (_, true) => {
            "VALUE · VALUE override REASON · y! no value · f/s/d REASON · na · note TEXT · back · ? help"
        }
        _ => "y done · f REASON · s REASON · na · d REASON · note TEXT · back · rollback · ? help",
    }
}
