//! The interactive walk: one prompt per step, until the walk finishes, the operator quits,
//! or the input ends. At a terminal every prompt is a small screen laid out for the
//! terminal's width: where the walk is, what is asked, and the keys that apply here.

mod check;

use crate::FastSet;
use std::io::Write;
use std::sync::{Arc, Mutex};

use super::Pause;
pub use check::CheckConfig;

use super::line::{Line, LineInput, Words};
use crate::clock::Clock;
use crate::engine::{
    Command, Due, Effect, Event, ItemKind, Meta, SignoffOutcome, Step, is_a_reply, parse_command,
    resolve_item_answer,
};
use crate::model::{Contact, How, Status, Timestamp, human_duration};
use crate::render::Style;
use crate::render::when::{clock_time, countdown};
use crate::render::width::{fit, wrap};
use crate::run::Run;
use crate::run::answers::{AnswerFromFile, Answers};

/// Why a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing is left to ask.
    Finished,
    /// The operator typed `quit`, or Ctrl-D at a terminal.
    Quit,
    /// The piped input ran out.
    EndOfInput,
    /// Ctrl-C at the line editor: saved and stopped, as the interrupt signal does.
    Interrupted,
}

pub struct SessionConfig {
    /// A person at a terminal: colour, key legends, and rollback confirmations.
    pub interactive: bool,
    pub style: Style,
    pub operator: String,
    pub contacts: Vec<Contact>,
    /// Defaults for the run fields, aligned with the plan's fields.
    pub field_defaults: Vec<Option<String>>,
    /// `COLUMNS`, for when stdout is not a terminal that can say its own width.
    pub columns: Option<String>,
    /// Shared with the interrupt handler, so Ctrl-C while waiting for a window to open
    /// stops the wait, not the run.
    pub pause: Arc<Pause>,
    /// Where and how items' checks run.
    pub checks: CheckConfig,
}

pub struct Session<'a> {
    run: &'a Mutex<Run>,
    answers: Option<&'a mut Answers>,
    input: &'a mut dyn LineInput,
    out: &'a mut dyn Write,
    clock: &'a dyn Clock,
    config: SessionConfig,
    /// The heading of the step being asked, repeated on the questions it leads to.
    here: String,
    /// Set when input ended inside a follow-up question (a rollback's confirmation), so
    /// the walk ends the same way as at a prompt.
    ended: Option<Outcome>,
    /// `(phase, section, reason)`: the operator answers this section before its window
    /// opens, and says why once.
    early: Option<(std::sync::Arc<str>, std::sync::Arc<str>, String)>,
    /// What the last check proposed for the item being asked, until it is answered.
    proposal: Option<check::Proposal>,
    /// Items whose changed check command the operator saw and chose to run.
    confirmed: FastSet<usize>,
    /// Items whose check `--run-checks` already ran in this session: once each.
    auto_tried: FastSet<usize>,
}

/// What one prompt needs to show, copied out so the run is not held while waiting.
struct Prompt {
    heading: String,
    text: String,
    /// Where the item stands against its time window, and whether that needs attention.
    window: Option<(String, bool)>,
    detail: Option<String>,
    /// The item's check and what it proposed, one line each, cut (never wrapped) to fit.
    check: Vec<String>,
    keys: Keys,
    words: Vec<&'static str>,
}

/// The keys that apply at a prompt, each with how much it matters: the keys line drops
/// the least important first when the terminal is narrow.
#[derive(Default, Clone)]
struct Keys(Vec<(String, u8)>);

/// Kept at any width.
const ESSENTIAL: u8 = 0;
const USEFUL: u8 = 1;
const HANDY: u8 = 2;
/// Shown only on a wide terminal; `? help` lists them anyway.
const EXTRA: u8 = 3;

impl Keys {
    fn add(mut self, key: impl Into<String>, rank: u8) -> Self {
        self.0.push((key.into(), rank));
        self
    }

    /// These keys, then `more`.
    fn then(mut self, more: Keys) -> Self {
        self.0.extend(more.0);
        self
    }

    /// The keys joined into one line of at most `columns`, `? help` always last.
    fn line(&self, columns: usize, separator: &str) -> String {
        let help = ("? help".to_string(), ESSENTIAL);
        let mut keys: Vec<&(String, u8)> = self.0.iter().collect();
        keys.push(&help);
        loop {
            let line = format!(
                "  {}",
                keys.iter()
                    .map(|(k, _)| k.as_str())
                    .collect::<Vec<_>>()
                    .join(separator)
            );
            if crate::render::width::width(&line) <= columns {
                return line;
            }
            let least = keys
                .iter()
                .enumerate()
                .filter(|(_, (_, rank))| *rank > ESSENTIAL)
                .max_by_key(|(i, (_, rank))| (*rank, *i))
                .map(|(i, _)| i);
            match least {
                Some(i) => {
                    keys.remove(i);
                }
                None => return fit(&line, columns),
            }
        }
    }
}

impl<'a> Session<'a> {
    pub fn new(
        run: &'a Mutex<Run>,
        answers: Option<&'a mut Answers>,
        input: &'a mut dyn LineInput,
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
            here: String::new(),
            ended: None,
            early: None,
            proposal: None,
            confirmed: FastSet::default(),
            auto_tried: FastSet::default(),
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

    /// The width to lay this screen out in, asked afresh so a resized window is followed.
    fn columns(&self) -> usize {
        crate::render::width::screen_columns(
            self.config.interactive,
            self.config.columns.as_deref(),
        )
    }

    /// Walks until there is nothing left to ask, the operator quits, or input ends.
    pub fn drive(&mut self) -> Result<Outcome, crate::Error> {
        self.recall_earlier_answers();
        self.offer_undecided_rollback()?;
        if let Some(outcome) = self.ended {
            return Ok(outcome);
        }
        loop {
            self.record_deployment()?;
            let step = match self.run().walk().current() {
                Some(step) => step,
                None => return Ok(Outcome::Finished),
            };
            if self.apply_from_file(step)? || self.hand_over_scripted(step)? {
                continue;
            }
            if let Step::Item(item) = step {
                // A proposal is for the item it was made at; the walk has moved on.
                self.proposal.take_if(|p| p.item != item);
                if self.run_check_automatically(item)? {
                    continue;
                }
            } else {
                self.proposal = None;
            }
            // Everything answered so far is on disk before a person is asked anything.
            self.run().sync()?;
            let prompt = self.prompt(step);
            self.show(&prompt)?;
            let Some(line) = self.read(&prompt.words)? else {
                return Ok(self.ended.unwrap_or(Outcome::EndOfInput));
            };
            if let Some(outcome) = self.handle(step, &line)? {
                return Ok(outcome);
            }
            if let Some(outcome) = self.ended {
                return Ok(outcome);
            }
        }
    }

    /// Records the deployment moment once the walk has passed the section that completes
    /// the deployment, and says so: the time windows count from here.
    fn record_deployment(&mut self) -> Result<(), crate::Error> {
        if !self.run().walk().deployment_due() {
            return Ok(());
        }
        // Read without moving an injected clock on: the moment is the walk's leaving the
        // section, the same instant as whatever comes next.
        let meta = Meta {
            at: Timestamp::from_datetime(self.clock.peek()),
            by: self.config.operator.clone(),
        };
        self.run().apply(&meta, Event::Deployed)?;
        let text = format!(
            "Deployment moment: {}. Time windows count from here.",
            meta.at.instant().format("%H:%M:%S")
        );
        let style = self.config.style;
        for line in wrap(&text, self.columns(), "", "  ") {
            writeln!(self.out, "{}", style.cyan(&line))?;
        }
        Ok(())
    }

    /// A scripted run (an answers file, no terminal) does not ask for what its file leaves
    /// open in a window that has not closed: it hands the section's open items over as
    /// follow-ups, to be answered when they are due.
    fn hand_over_scripted(&mut self, step: Step) -> Result<bool, crate::Error> {
        let (Step::Item(item), false) = (step, self.config.interactive) else {
            return Ok(false);
        };
        let Some(answers) = self.answers.as_deref() else {
            return Ok(false);
        };
        let now = Timestamp::from_datetime(self.clock.peek());
        let ids: Vec<String> = {
            let run = self.run();
            let walk = run.walk();
            if answers.has(step)
                || !matches!(
                    walk.due(item, &now),
                    Due::NotYetOpen { .. } | Due::Open { .. }
                )
            {
                return Ok(false);
            }
            walk.open_in_section(item)
                .into_iter()
                .filter(|&i| {
                    !answers.has(Step::Item(i))
                        && matches!(walk.due(i, &now), Due::NotYetOpen { .. } | Due::Open { .. })
                })
                .map(|i| walk.plan().items[i].id.clone())
                .collect()
        };
        self.hand_over(item, ids)?;
        Ok(true)
    }

    /// Hands items of `item`'s section over as follow-ups, and says until when.
    fn hand_over(&mut self, item: usize, ids: Vec<String>) -> Result<(), crate::Error> {
        let meta = self.meta();
        let count = ids.len();
        let result = self.run().apply(&meta, Event::HandOver { ids });
        match result {
            Ok(_) => {}
            Err(crate::run::RunError::Walk(error)) => {
                self.complain(&error.to_string())?;
                return Ok(());
            }
            Err(other) => return Err(other.into()),
        }
        let (section, closes) = {
            let run = self.run();
            let walk = run.walk();
            let section = short_section(&walk.plan().items[item].section);
            (section, walk.due(item, &meta.at).closes().cloned())
        };
        let due = closes
            .map(|c| format!(", due by {}", clock_time(&c, meta.at.instant())))
            .unwrap_or_default();
        let text = format!(
            "Handed over as follow-up{}: {count} item{} of {section}{due}.",
            if count == 1 { "" } else { "s" },
            if count == 1 { "" } else { "s" },
        );
        let style = self.config.style;
        for line in wrap(&text, self.columns(), "", "  ") {
            writeln!(self.out, "{}", style.cyan(&line))?;
        }
        Ok(())
    }

    fn apply_from_file(&mut self, step: Step) -> Result<bool, crate::Error> {
        let Some(answers) = self.answers.as_deref_mut() else {
            return Ok(false);
        };
        let Some(AnswerFromFile::Event(mut event, note)) = answers.take(step) else {
            return Ok(false);
        };
        if let (Step::Item(item), Event::Answer { early, .. }) = (step, &mut event)
            && early.is_none()
            && self.not_yet_open(item)
        {
            *early = Some("from the answers file".to_string());
        }
        let meta = self.meta();
        let effects = self.run().apply(&meta, event)?;
        if let (Some(text), Step::Item(item)) = (note, step) {
            let id = self.run().walk().plan().items[item].id.clone();
            self.run().apply(&meta, Event::Note { id, text })?;
        }
        self.after(effects)?;
        Ok(true)
    }

    /// One line from the operator; `None` when the input ended, with why in `ended`.
    fn read(&mut self, words: &[&'static str]) -> Result<Option<String>, crate::Error> {
        let prompt = if self.config.interactive { "> " } else { "" };
        let words = Words {
            answers: words.to_vec(),
            roles: self
                .config
                .contacts
                .iter()
                .map(|c| c.role.clone())
                .collect(),
        };
        let line = self
            .input
            .read(prompt, &mut *self.out, &words)
            .map_err(crate::Error::Input)?;
        Ok(match line {
            Line::Text(text) => Some(text),
            Line::End => {
                self.ended = Some(Outcome::EndOfInput);
                None
            }
            Line::Quit => {
                self.ended = Some(Outcome::Quit);
                None
            }
            Line::Interrupted => {
                self.ended = Some(Outcome::Interrupted);
                None
            }
        })
    }

    /// Whether `back` has anything to take back.
    fn can_go_back(&self) -> bool {
        self.run().walk().can_undo()
    }

    fn prompt(&self, step: Step) -> Prompt {
        let back = self.can_go_back();
        let run = self.run();
        let walk = run.walk();
        let plan = walk.plan();
        let columns = self.columns();
        match step {
            Step::Field(index) => self.field_prompt(plan, index, back),
            Step::Signoff(role) => {
                let role_plan = &plan.roles[role];
                let confirmed = role_plan
                    .statements
                    .iter()
                    .filter(|&&s| walk.answer(s).is_some_and(|a| a.status == Status::Done))
                    .count();
                let prefix = format!("Sign-off {}/{}  Sign-offs › ", role + 1, plan.roles.len());
                let room = columns.saturating_sub(crate::render::width::width(&prefix));
                let keys = Keys::default()
                    .add("NAME signs", ESSENTIAL)
                    .add("refuse REASON", ESSENTIAL)
                    .add("later", USEFUL)
                    .add("rollback", HANDY);
                Prompt {
                    heading: format!("{prefix}{}", fit(&role_plan.role, room)),
                    text: format!("Sign for {}", role_plan.role),
                    window: None,
                    // A role signed from an approvals table has no statements to count.
                    detail: (!role_plan.statements.is_empty()).then(|| {
                        format!(
                            "{confirmed} of {} statements confirmed",
                            role_plan.statements.len()
                        )
                    }),
                    check: Vec::new(),
                    keys: with_common(
                        keys,
                        back,
                        walk.rollback_started().is_some(),
                        &self.config.contacts,
                    ),
                    words: vec![
                        "refuse ",
                        "later",
                        "back",
                        "rollback ",
                        "quit",
                        "status",
                        "contacts",
                        "help",
                    ],
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
                let rolling_back = walk.rollback_started().is_some();
                let due = match item.window {
                    Some(_) => walk.due(index, &Timestamp::from_datetime(self.clock.peek())),
                    None => Due::Anytime,
                };
                let window = self.window_line(&item.section, &due);
                let window_keys = match due {
                    Due::NotYetOpen { .. } => Keys::default()
                        .add("wait", ESSENTIAL)
                        .add("early REASON", ESSENTIAL)
                        .add("later", ESSENTIAL),
                    Due::Open { .. } => Keys::default().add("later", HANDY),
                    _ => Keys::default(),
                };
                let (check, keys) = match &item.check {
                    Some(check) => (
                        self.check_detail(walk, index, check),
                        self.check_keys(index).then(item_keys(item)),
                    ),
                    None => (Vec::new(), item_keys(item)),
                };
                let keys = window_keys.then(keys);
                let mut words = item_words(item);
                if item.check.is_some() {
                    words.insert(0, "r");
                }
                if item.window.is_some() {
                    words.extend(["wait", "later", "early "]);
                }
                Prompt {
                    heading: self.item_heading(walk, index, columns),
                    text,
                    window,
                    detail: item_detail(plan, index),
                    check,
                    keys: with_common(
                        keys,
                        back,
                        rolling_back || item.is_procedure(),
                        &self.config.contacts,
                    ),
                    words,
                }
            }
        }
    }

    fn field_prompt(&self, plan: &crate::engine::Plan, index: usize, back: bool) -> Prompt {
        let default = self.config.field_defaults.get(index).cloned().flatten();
        let (detail, keys) = match &default {
            Some(d) => (
                format!("Enter keeps: {d}"),
                Keys::default()
                    .add("VALUE", ESSENTIAL)
                    .add("Enter: the default", ESSENTIAL)
                    .add("- for none", USEFUL),
            ),
            None => (
                "no default: type the value, or - for none".to_string(),
                Keys::default()
                    .add("VALUE", ESSENTIAL)
                    .add("- for none", ESSENTIAL),
            ),
        };
        Prompt {
            heading: format!("Run field {}/{}", index + 1, plan.fields.len()),
            text: plan.fields[index].clone(),
            window: None,
            detail: Some(detail),
            check: Vec::new(),
            keys: with_common(keys, back, false, &self.config.contacts),
            words: vec!["back", "quit", "status", "contacts", "help"],
        }
    }

    /// Where a windowed item stands: `Extended Verification opens 22:15, in 9 min (due by
    /// 23:00)`; `true` beside it when it needs the operator's attention.
    fn window_line(&self, section: &str, due: &Due) -> Option<(String, bool)> {
        let now = self.clock.peek();
        let section = short_section(section);
        Some(match due {
            Due::Anytime => return None,
            Due::NotYetOpen { opens, closes } => (
                format!(
                    "{section} opens {}, in {} (due by {})",
                    clock_time(opens, now),
                    human_duration(opens.instant() - now),
                    clock_time(closes, now)
                ),
                true,
            ),
            Due::Open { closes, .. } => (
                format!(
                    "{section} is open: due by {}, in {}",
                    clock_time(closes, now),
                    human_duration(closes.instant() - now)
                ),
                false,
            ),
            Due::Closed { closes, .. } => (
                format!(
                    "{section} closed at {}, {} ago: answers here are late",
                    clock_time(closes, now),
                    human_duration(now - closes.instant())
                ),
                true,
            ),
        })
    }

    /// Whether `item`'s window has not opened yet.
    fn not_yet_open(&self, item: usize) -> bool {
        let now = Timestamp::from_datetime(self.clock.peek());
        matches!(self.run().walk().due(item, &now), Due::NotYetOpen { .. })
    }

    /// `33/164  Deployment Process › Database Migration  (30 done, 1 failed)`, shortened
    /// to the width: names lose their ends to an ellipsis before anything wraps.
    fn item_heading(&self, walk: &crate::engine::Walk, index: usize, columns: usize) -> String {
        let plan = walk.plan();
        let item = &plan.items[index];
        let total = if item.is_procedure() {
            plan.rollback_items
        } else {
            plan.main_items
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
        let rollback = if walk.rollback_started().is_some() {
            "ROLLBACK "
        } else {
            ""
        };
        let position = format!("{rollback}{}/{total}  ", item.position);
        let section = (item.section != item.phase).then_some(&*item.section);
        if !self.config.interactive {
            return format!(
                "{position}{}{tally}",
                path(&item.phase, section, usize::MAX)
            );
        }
        heading_line(&position, &item.phase, section, &tally, columns)
    }

    fn show(&mut self, prompt: &Prompt) -> std::io::Result<()> {
        let style = self.config.style;
        self.here = prompt.heading.clone();
        if self.config.interactive {
            let columns = self.columns();
            writeln!(self.out)?;
            writeln!(self.out, "{}", style.dim(&prompt.heading))?;
            for line in wrap(&prompt.text, columns, "  ", "    ") {
                writeln!(self.out, "{}", style.bold(&line))?;
            }
            if let Some((window, attention)) = &prompt.window {
                for line in wrap(window, columns, "  ", "  ") {
                    let line = if *attention {
                        style.yellow(&line)
                    } else {
                        style.dim(&line)
                    };
                    writeln!(self.out, "{line}")?;
                }
            }
            if let Some(detail) = &prompt.detail {
                for line in wrap(detail, columns, "  ", "  ") {
                    writeln!(self.out, "{}", style.cyan(&line))?;
                }
            }
            for (index, line) in prompt.check.iter().enumerate() {
                if index == 0 {
                    // The command is cut, never re-wrapped: its spaces may matter.
                    writeln!(
                        self.out,
                        "{}",
                        style.cyan(&fit(&format!("  {line}"), columns))
                    )?;
                } else {
                    for part in wrap(line, columns, "  ", "    ") {
                        writeln!(self.out, "{}", style.cyan(&part))?;
                    }
                }
            }
            let keys = prompt.keys.line(columns, style.separator());
            writeln!(self.out, "{}", style.dim(&keys))?;
        } else {
            let parts: Vec<&str> = prompt
                .window
                .iter()
                .map(|(w, _)| w.as_str())
                .chain(prompt.detail.as_deref())
                .chain(prompt.check.iter().map(String::as_str))
                .collect();
            let detail = if parts.is_empty() {
                String::new()
            } else {
                format!(" ({})", parts.join("; "))
            };
            write!(self.out, "[{}] {}{detail} > ", prompt.heading, prompt.text)?;
        }
        self.out.flush()
    }

    /// A question that follows from an answer (start the rollback? why?), shown with the
    /// place it came from and its keys; `None` when the input ended.
    fn ask(
        &mut self,
        question: &str,
        keys: Keys,
        words: Vec<&'static str>,
    ) -> Result<Option<String>, crate::Error> {
        let style = self.config.style;
        let columns = self.columns();
        writeln!(self.out)?;
        writeln!(self.out, "{}", style.dim(&self.here))?;
        for line in wrap(question, columns, "  ", "  ") {
            writeln!(self.out, "{}", style.bold(&line))?;
        }
        writeln!(
            self.out,
            "{}",
            style.dim(&keys.line(columns, style.separator()))
        )?;
        self.read(&words)
    }

    /// Asks why: a bare reply (`y`, `ok`) says yes to the question rather than why, and
    /// recorded as the reason it would read "because y", so it is asked again.
    fn ask_reason(&mut self, question: &str, keys: Keys) -> Result<Option<String>, crate::Error> {
        loop {
            match self.ask(question, keys.clone(), vec!["back"])? {
                Some(line) if is_a_reply(&line) => {
                    self.complain(&format!(
                        "`{}` is not a reason: say why, or press Enter to go back",
                        line.trim()
                    ))?;
                }
                other => return Ok(other),
            }
        }
    }

    /// Acts on one line typed at a prompt; `Some` ends the session.
    fn handle(&mut self, step: Step, line: &str) -> Result<Option<Outcome>, crate::Error> {
        if let Some(handled) = self.navigate(line)? {
            return Ok(handled);
        }
        let event = match step {
            Step::Field(index) => {
                let name = self.run().walk().plan().fields[index].clone();
                let default = self.config.field_defaults.get(index).cloned().flatten();
                let value = match line {
                    "-" => None,
                    "" if default.is_some() => default,
                    // Piped input keeps its meaning: an empty line leaves the field empty.
                    "" if self.config.interactive => {
                        return self.complain(&format!(
                            "{name} has no default: type the value, or - for none"
                        ));
                    }
                    "" => None,
                    value => Some(value.to_string()),
                };
                Event::Field { name, value }
            }
            Step::Signoff(role) => match self.signoff_event(role, line) {
                Ok(event) => event,
                Err(message) => return self.complain(&message),
            },
            Step::Item(item) if line.is_empty() && self.confirm_proposal(item)? => return Ok(None),
            Step::Item(item) if is_later(line) && self.role_of_statement(item).is_some() => {
                let role = self.role_of_statement(item).unwrap_or_default();
                Event::Signoff {
                    role,
                    outcome: SignoffOutcome::Later,
                }
            }
            Step::Item(item) if self.window_word(item, line)? => return Ok(self.ended),
            Step::Item(item) => match parse_command(line) {
                Ok(Command::RunCheck) => {
                    self.run_check(item)?;
                    return Ok(None);
                }
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
                        Ok(mut event) => {
                            if let Event::Answer { early, .. } = &mut event
                                && self.not_yet_open(item)
                            {
                                match self.early_reason(item)? {
                                    Some(reason) => *early = Some(reason),
                                    None => return Ok(self.ended),
                                }
                            }
                            event
                        }
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

    /// `wait`, `later` and `early REASON` at an item with a time window; `true` when the
    /// line was one of them.
    fn window_word(&mut self, item: usize, line: &str) -> Result<bool, crate::Error> {
        let (word, rest) = match line.split_once(char::is_whitespace) {
            Some((word, rest)) => (word.to_ascii_lowercase(), rest.trim()),
            None => (line.to_ascii_lowercase(), ""),
        };
        if !matches!(word.as_str(), "wait" | "later" | "early") {
            return Ok(false);
        }
        let (section, phase, has_window) = {
            let run = self.run();
            let item = &run.walk().plan().items[item];
            (
                item.section.clone(),
                item.phase.clone(),
                item.window.is_some(),
            )
        };
        if !has_window {
            self.complain(&format!(
                "{} has no time window: there is nothing to wait for or hand over",
                short_section(&section)
            ))?;
            return Ok(true);
        }
        match (word.as_str(), rest.is_empty()) {
            ("wait", true) => self.wait(item)?,
            ("later", true) => {
                let ids: Vec<String> = {
                    let run = self.run();
                    let walk = run.walk();
                    walk.open_in_section(item)
                        .into_iter()
                        .map(|i| walk.plan().items[i].id.clone())
                        .collect()
                };
                self.hand_over(item, ids)?;
            }
            ("early", false) => {
                self.early = Some((phase, section.clone(), rest.to_string()));
                self.say(&format!(
                    "answering {} before its window opens: {rest}",
                    short_section(&section)
                ))?;
            }
            ("early", true) => {
                self.complain("say why it is answered early: early REASON")?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Why an item is answered before its window opens: the reason given for its section,
    /// or asked now at a terminal. Piped input says so itself. `None`: not answered.
    fn early_reason(&mut self, item: usize) -> Result<Option<String>, crate::Error> {
        let (phase, section, opens) = {
            let run = self.run();
            let walk = run.walk();
            let plan_item = &walk.plan().items[item];
            let now = Timestamp::from_datetime(self.clock.peek());
            let opens = match walk.due(item, &now) {
                Due::NotYetOpen { opens, .. } => opens,
                _ => return Ok(None),
            };
            (plan_item.phase.clone(), plan_item.section.clone(), opens)
        };
        if let Some((p, s, reason)) = &self.early
            && *p == phase
            && *s == section
        {
            return Ok(Some(reason.clone()));
        }
        if !self.config.interactive {
            return Ok(Some("from piped input".to_string()));
        }
        let now = self.clock.peek();
        let question = format!(
            "{} opens {}, in {}. Why answer it early?",
            short_section(&section),
            clock_time(&opens, now),
            human_duration(opens.instant() - now)
        );
        let keys = Keys::default()
            .add("REASON", ESSENTIAL)
            .add("Enter or back: not yet", ESSENTIAL);
        match self.ask_reason(&question, keys)? {
            Some(line) if !line.is_empty() && !is_back(&line) => {
                self.early = Some((phase, section, line.clone()));
                Ok(Some(line))
            }
            Some(_) => {
                self.say("not answered; wait, later, or early REASON")?;
                Ok(None)
            }
            None => Ok(None),
        }
    }

    /// Waits until `item`'s window opens: a countdown on a terminal, redrawn each second
    /// until it opens or Ctrl-C stops the wait (the run goes on at the prompt).
    fn wait(&mut self, item: usize) -> Result<(), crate::Error> {
        let (section, opens) = {
            let run = self.run();
            let walk = run.walk();
            let now = Timestamp::from_datetime(self.clock.peek());
            let section = short_section(&walk.plan().items[item].section);
            match walk.due(item, &now) {
                Due::NotYetOpen { opens, .. } => (section, opens),
                _ => {
                    drop(run);
                    self.complain(&format!("{section} is open: nothing to wait for"))?;
                    return Ok(());
                }
            }
        };
        // Everything answered is on disk before the wait, however long it is.
        self.run().sync()?;
        let live = self.input.live();
        let pause = Arc::clone(&self.config.pause);
        let style = self.config.style;
        let columns = self.columns();
        pause.begin();
        let mut said = false;
        let stopped = loop {
            let now = self.clock.peek();
            let left = opens.instant() - now;
            if left <= chrono::Duration::zero() {
                break false;
            }
            if pause.stopped() {
                break true;
            }
            if live {
                let line = format!(
                    "  waiting: {section} opens {} · in {} · Ctrl-C stops waiting",
                    clock_time(&opens, now),
                    countdown(left)
                );
                write!(self.out, "\r\x1b[K{}", style.dim(&fit(&line, columns)))?;
                self.out.flush()?;
            } else if !said {
                self.say(&format!(
                    "waiting until {} for {section} to open ({})",
                    clock_time(&opens, now),
                    human_duration(left)
                ))?;
                said = true;
            }
            // A second at a time where a person watches the countdown; at once otherwise.
            let nap = if live {
                left.min(chrono::Duration::seconds(1))
            } else {
                left
            };
            self.clock.sleep(nap, pause.stop_flag());
        };
        pause.end();
        if live {
            write!(self.out, "\r\x1b[K")?;
        }
        if stopped {
            self.say("stopped waiting")?;
        } else {
            let opened = clock_time(&opens, self.clock.peek());
            writeln!(
                self.out,
                "{}",
                style.green(&format!("  {section} is open ({opened})"))
            )?;
        }
        Ok(())
    }

    /// The words that work at every prompt: `Some` when the line was one of them, with
    /// `Some(outcome)` inside when it ends the session.
    fn navigate(&mut self, line: &str) -> Result<Option<Option<Outcome>>, crate::Error> {
        let (word, rest) = match line.split_once(char::is_whitespace) {
            Some((word, rest)) => (word.to_ascii_lowercase(), rest.trim()),
            None => (line.to_ascii_lowercase(), ""),
        };
        match (word.as_str(), rest.is_empty()) {
            ("quit" | "q" | "exit", true) => return Ok(Some(Some(Outcome::Quit))),
            ("back" | "b" | "undo", true) => self.back()?,
            ("?" | "help", true) => self.help()?,
            ("status", true) => self.status()?,
            ("contacts", _) => self.contacts(rest)?,
            ("rollback", _) => {
                let reason = (!rest.is_empty()).then(|| rest.to_string());
                self.start_rollback(None, reason)?;
            }
            _ => return Ok(None),
        }
        Ok(Some(None))
    }

    /// The role whose statement an item is, if it is one.
    fn role_of_statement(&self, item: usize) -> Option<String> {
        let run = self.run();
        let plan = run.walk().plan();
        let item = &plan.items[item];
        (item.kind == ItemKind::Statement)
            .then_some(item.role)
            .flatten()
            .map(|r| plan.roles[r].role.clone())
    }

    /// A signer's name, `refuse REASON`, or `later`.
    fn signoff_event(&self, role: usize, line: &str) -> Result<Event, String> {
        let role = self.run().walk().plan().roles[role].role.clone();
        if is_later(line) {
            return Ok(Event::Signoff {
                role,
                outcome: SignoffOutcome::Later,
            });
        }
        let outcome = match line.strip_prefix("refuse").map(str::trim) {
            Some("") => return Err("a refusal needs a reason: refuse REASON".into()),
            Some(reason) => SignoffOutcome::Refused(reason.to_string()),
            None if line.is_empty() => {
                return Err("type the name of the person signing, or refuse REASON".into());
            }
            None => SignoffOutcome::signed_by(line)?,
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

    /// On resume, what was typed before goes into the line editor's history, in walk order,
    /// so Up recalls a reason or a value given in the earlier session.
    fn recall_earlier_answers(&mut self) {
        let lines: Vec<String> = {
            let run = self.run();
            let walk = run.walk();
            let plan = walk.plan();
            plan.main
                .iter()
                .chain(
                    walk.rollback_started()
                        .map_or(&[][..], |_| &plan.rollback[..]),
                )
                .flat_map(|&step| -> Vec<String> {
                    match step {
                        Step::Field(i) => walk
                            .field(i)
                            .and_then(|f| f.value.clone())
                            .into_iter()
                            .collect(),
                        Step::Item(i) => {
                            let note = walk.note(i).map(|text| format!("note {text}"));
                            walk.answer(i)
                                .and_then(crate::engine::typed_words)
                                .into_iter()
                                .chain(note)
                                .collect()
                        }
                        Step::Signoff(r) => match walk.signoff(r).map(|s| &s.outcome) {
                            Some(SignoffOutcome::Signed(name)) => vec![name.clone()],
                            _ => Vec::new(),
                        },
                    }
                })
                .collect()
        };
        for line in lines {
            self.input.remember(&line);
        }
    }

    /// A run stopped at "Start the rollback now?" left a trigger holding with nothing
    /// decided: the question comes back first on resume, before any other item.
    fn offer_undecided_rollback(&mut self) -> Result<(), crate::Error> {
        let triggers = {
            let run = self.run();
            let walk = run.walk();
            if walk.rollback_started().is_some() {
                return Ok(());
            }
            walk.holding_triggers()
        };
        if triggers.is_empty() {
            return Ok(());
        }
        self.after(vec![Effect::RecommendRollback { triggers }])
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
    /// one when a trigger holds needs a reason, which is recorded on the trigger. `back`
    /// at the confirmation takes back the answer that led to it.
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
            let text = format!("Rollback trigger holds: {}", names.join("; "));
            for line in wrap(&text, self.columns(), "", "  ") {
                writeln!(self.out, "{}", style.red(&line))?;
            }
        }
        if holding.is_none() && reason.as_deref().is_none_or(str::is_empty) {
            if !self.config.interactive {
                return self
                    .complain("a rollback started by hand needs a reason: rollback REASON")
                    .map(|_| ());
            }
            let keys = Keys::default()
                .add("REASON", ESSENTIAL)
                .add("Enter or back: no rollback", ESSENTIAL);
            match self.ask_reason("Why start a rollback?", keys)? {
                Some(line) if !line.is_empty() && !is_back(&line) => reason = Some(line),
                Some(_) => return Ok(self.say("no rollback started")?),
                None => return Ok(()),
            }
        }
        if self.config.interactive && !self.confirm_rollback(holding.is_some())? {
            return Ok(());
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

    /// Asks whether to start the rollback: `true` to start it. Going on without one (with a
    /// reason), taking back the trigger's answer, or quitting are handled here.
    fn confirm_rollback(&mut self, holding: bool) -> Result<bool, crate::Error> {
        loop {
            let (question, keys) = if holding {
                (
                    "Start the rollback now? [Y / n REASON to go on without one]",
                    Keys::default()
                        .add("y or Enter: start", ESSENTIAL)
                        .add("n REASON: go on without", ESSENTIAL)
                        .add("back", ESSENTIAL)
                        .add("quit", EXTRA),
                )
            } else {
                (
                    "Start a rollback now? [y / n]",
                    Keys::default()
                        .add("y start", ESSENTIAL)
                        .add("n or back: no rollback", ESSENTIAL)
                        .add("quit", EXTRA),
                )
            };
            let Some(line) = self.ask(question, keys, vec!["yes", "no ", "back", "quit"])? else {
                return Ok(false);
            };
            let (word, reason) = match line.split_once(char::is_whitespace) {
                Some((w, r)) => (w.to_ascii_lowercase(), r.trim().to_string()),
                None => (line.to_ascii_lowercase(), String::new()),
            };
            match word.as_str() {
                "" | "y" | "yes" if holding || !word.is_empty() => return Ok(true),
                "back" | "b" | "undo" if reason.is_empty() => {
                    if holding {
                        self.back()?;
                    } else {
                        self.say("no rollback started")?;
                    }
                    return Ok(false);
                }
                "quit" | "q" | "exit" if reason.is_empty() => {
                    // As when the input ends here: the trigger's answer is saved,
                    // and neither a rollback nor a decline is recorded.
                    self.ended = Some(Outcome::Quit);
                    return Ok(false);
                }
                "?" | "help" => writeln!(
                    self.out,
                    "  y starts the rollback procedure; n REASON goes on without it, and who, when and why are recorded; back takes back the answer"
                )?,
                "n" | "no" if !holding => {
                    self.say("no rollback started")?;
                    return Ok(false);
                }
                "n" | "no" if !reason.is_empty() => {
                    let meta = self.meta();
                    self.run().apply(&meta, Event::Decline { reason })?;
                    self.say("going on without a rollback; who, when and why are recorded")?;
                    return Ok(false);
                }
                "n" | "no" => writeln!(
                    self.out,
                    "  a reason is needed to go on while a trigger holds: n REASON"
                )?,
                _ => writeln!(self.out, "  answer y, n REASON, or back")?,
            }
        }
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
        // One line per entry, so every line keeps its indent (a `\` continuation
        // would eat the first one's).
        const HELP: [&str; 22] = [
            "y, done          the item is done",
            "f REASON         failed            s REASON    skipped",
            "na [REASON]      not applicable    d REASON    deferred",
            "VALUE            a measured value (180ms, 99.5%), judged against the threshold",
            "VALUE override REASON   record the opposite of the judgement, with why",
            "y! [REASON]      done without a value, when a measured item has none to give",
            "r, run           run the item's check (shown at its prompt); Ctrl-C stops it",
            "Enter            record what the check proposed, or answer otherwise",
            "c, clear         a rollback trigger's condition does not hold",
            "h, holds         it holds: the rollback is offered",
            "note TEXT        add a note to this item",
            "later            at a sign-off: its owner signs off after the run (deploycheck signoff)",
            "back             take back the last answer and ask it again",
            "rollback REASON  start the rollback procedure now, saying why",
            "wait             in a section whose time window is not open: wait for it",
            "early REASON     answer the section before its window opens, saying why",
            "later            in a section with a time window: hand its open items over",
            "status           what is done and what is left",
            "contacts [ROLE]  the emergency contacts (Tab completes roles)",
            "quit, Ctrl-D     stop here; everything is saved and the run resumes later",
            "At a terminal: Left/Right, Home/End, Ctrl-W deletes a word, Up/Down recall",
            "earlier answers, Tab completes; Ctrl-C saves and stops.",
        ];
        writeln!(self.out)?;
        let columns = self.columns();
        for line in HELP {
            writeln!(self.out, "{}", fit(&format!("  {line}"), columns))?;
        }
        Ok(())
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
        let text = format!(
            "{} done · {} failed · {} skipped · {} n/a · {} deferred · {} triggers clear · {} hold",
            counts.done,
            counts.failed,
            counts.skipped,
            counts.not_applicable,
            counts.deferred,
            counts.clear,
            counts.holds
        );
        for line in wrap(&text, self.columns(), "  ", "  ") {
            writeln!(self.out, "{line}")?;
        }
        let path = if rolling_back {
            format!("rollback procedure: {remaining} of {rollback} items left")
        } else {
            format!("{remaining} of {main} items left")
        };
        writeln!(self.out, "  {path}")?;
        let (deployed, follow_ups) = {
            let run = self.run();
            let walk = run.walk();
            let follow_ups = (0..walk.plan().items.len())
                .filter(|&i| walk.handed_over(i).is_some() && walk.answer(i).is_none())
                .count();
            (walk.deployed().map(|d| d.at.clone()), follow_ups)
        };
        if let Some(at) = deployed {
            let mut line = format!("  deployment moment: {}", at.instant().format("%H:%M:%S"));
            if follow_ups > 0 {
                line.push_str(&format!(
                    " · {follow_ups} item{} handed over as follow-ups",
                    if follow_ups == 1 { "" } else { "s" }
                ));
            }
            writeln!(self.out, "{line}")?;
        }
        Ok(())
    }

    /// The contacts, or those whose role contains `role`.
    fn contacts(&mut self, role: &str) -> std::io::Result<()> {
        if self.config.contacts.is_empty() {
            return writeln!(self.out, "  the checklist lists no contacts");
        }
        let wanted = role.to_lowercase();
        let shown: Vec<&Contact> = self
            .config
            .contacts
            .iter()
            .filter(|c| c.role.to_lowercase().contains(&wanted))
            .collect();
        if shown.is_empty() {
            let roles: Vec<&str> = self
                .config
                .contacts
                .iter()
                .map(|c| c.role.as_str())
                .collect();
            let text = format!(
                "no contact has a role like \"{role}\"; roles: {}",
                roles.join(", ")
            );
            for line in wrap(&text, self.columns(), "  ", "  ") {
                writeln!(self.out, "{line}")?;
            }
            return Ok(());
        }
        let mut table = crate::render::table(self.config.style);
        table.set_width(u16::try_from(self.columns()).unwrap_or(u16::MAX));
        table.set_header(["Role", "Name", "Email", "Phone"]);
        for c in shown {
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
        for line in wrap(text, self.columns(), "  ", "  ") {
            writeln!(self.out, "{line}")?;
        }
        Ok(())
    }

    fn complain(&mut self, message: &str) -> Result<Option<Outcome>, crate::Error> {
        let style = self.config.style;
        for line in wrap(message, self.columns(), "  ", "  ") {
            writeln!(self.out, "{}", style.yellow(&line))?;
        }
        Ok(None)
    }
}

fn is_back(line: &str) -> bool {
    matches!(line.to_ascii_lowercase().as_str(), "back" | "b" | "undo")
}

/// A section's title without the time window it already states: `Extended Verification
/// (15-60 minutes)` reads `Extended Verification` beside its opening time.
fn short_section(title: &str) -> String {
    let trimmed = title.trim_end();
    if let Some(open) = trimmed.rfind('(')
        && trimmed.ends_with(')')
        && trimmed[open..].contains(|c: char| c.is_ascii_digit())
        && open > 0
    {
        return trimmed[..open].trim_end().to_string();
    }
    title.to_string()
}

/// `Phase › Section`, each name cut to `room` columns.
fn path(phase: &str, section: Option<&str>, room: usize) -> String {
    match section {
        Some(section) => format!("{} › {}", fit(phase, room), fit(section, room)),
        None => fit(phase, room),
    }
}

/// The heading fitted to `columns`: the names are shortened first (the longer one more),
/// then the tally goes, and only then is the line cut.
fn heading_line(
    position: &str,
    phase: &str,
    section: Option<&str>,
    tally: &str,
    columns: usize,
) -> String {
    use crate::render::width::width;
    let full = format!("{position}{}{tally}", path(phase, section, usize::MAX));
    if width(&full) <= columns {
        return full;
    }
    // Names shorter than this say too little; the tally makes room for them first.
    const NAME_FLOOR: usize = 12;
    for tally in [tally, ""] {
        let separator = if section.is_some() { 3 } else { 0 };
        let room = columns.saturating_sub(width(position) + width(tally) + separator);
        let shortened = match section {
            None => fit(phase, room),
            Some(section) => {
                let (p, s) = (width(phase), width(section));
                // The shorter name keeps its length while it takes at most half the room.
                let p_room = if p <= s {
                    p.min(room / 2)
                } else {
                    room.saturating_sub(s.min(room / 2))
                };
                let s_room = room.saturating_sub(p_room);
                if s_room < NAME_FLOOR.min(s) && !tally.is_empty() {
                    continue;
                }
                format!(
                    "{} › {}",
                    fit(phase, p_room.max(1)),
                    fit(section, s_room.max(1))
                )
            }
        };
        if section.is_none()
            && width(&shortened) < NAME_FLOOR.min(width(phase))
            && !tally.is_empty()
        {
            continue;
        }
        return fit(&format!("{position}{shortened}{tally}"), columns);
    }
    fit(&full, columns)
}

/// The keys every prompt shares, after the prompt's own.
fn with_common(keys: Keys, back: bool, rolling_back: bool, contacts: &[Contact]) -> Keys {
    let mut keys = keys;
    if back {
        keys = keys.add("back", USEFUL);
    }
    if !rolling_back && !keys.0.iter().any(|(k, _)| k == "rollback") {
        keys = keys.add("rollback", HANDY);
    }
    keys = keys.add("status", EXTRA);
    if !contacts.is_empty() {
        keys = keys.add("contacts", EXTRA);
    }
    keys.add("quit", EXTRA)
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

/// The answers that apply at an item's prompt.
fn item_keys(item: &crate::engine::PlanItem) -> Keys {
    let na = if item.optional { "na" } else { "na REASON" };
    let keys = match (item.kind, item.threshold.is_some()) {
        (ItemKind::Trigger, measured) => {
            let keys = Keys::default();
            let keys = if measured {
                keys.add("VALUE", ESSENTIAL)
            } else {
                keys
            };
            keys.add("c clear", ESSENTIAL).add("h holds", ESSENTIAL)
        }
        (_, true) => Keys::default()
            .add("VALUE", ESSENTIAL)
            .add("VALUE override REASON", USEFUL)
            .add("y! no value", USEFUL)
            .add("f/s/d REASON", USEFUL)
            .add(na, HANDY),
        _ => Keys::default()
            .add("y done", ESSENTIAL)
            .add("f REASON", ESSENTIAL)
            .add("s REASON", USEFUL)
            .add("d REASON", USEFUL)
            .add(na, USEFUL),
    };
    let keys = if item.kind == ItemKind::Statement {
        keys.add("later", USEFUL)
    } else {
        keys
    };
    keys.add("note TEXT", EXTRA)
}

/// `later`: a role's owner signs off after the run.
fn is_later(line: &str) -> bool {
    line.trim().eq_ignore_ascii_case("later")
}

/// What Tab completes at an item's prompt.
fn item_words(item: &crate::engine::PlanItem) -> Vec<&'static str> {
    let mut words = match item.kind {
        ItemKind::Trigger => vec!["clear", "holds"],
        ItemKind::Statement => vec!["done", "failed ", "skip ", "na", "defer ", "later"],
        _ => vec!["done", "failed ", "skip ", "na", "defer "],
    };
    words.extend([
        "note ",
        "back",
        "rollback ",
        "status",
        "contacts",
        "quit",
        "help",
    ]);
    words
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::width::width;

    #[test]
    fn the_keys_line_drops_the_least_important_keys_to_fit() {
        let keys = Keys::default()
            .add("y done", ESSENTIAL)
            .add("f REASON", ESSENTIAL)
            .add("s REASON", USEFUL)
            .add("note TEXT", EXTRA)
            .add("rollback", HANDY);
        let wide = keys.line(200, " · ");
        assert_eq!(
            wide,
            "  y done · f REASON · s REASON · note TEXT · rollback · ? help"
        );
        let narrow = keys.line(50, " · ");
        assert_eq!(narrow, "  y done · f REASON · s REASON · rollback · ? help");
        assert!(width(&keys.line(30, " · ")) <= 30);
        assert!(keys.line(30, " · ").ends_with("? help"));
    }

    #[test]
    fn a_long_heading_shortens_names_with_an_ellipsis_instead_of_wrapping() {
        let line = heading_line(
            "33/164  ",
            "Deployment Process",
            Some("Database Migration and a Very Long Section Name Indeed"),
            "  (30 done, 1 failed)",
            80,
        );
        assert!(width(&line) <= 80, "{line}");
        assert!(
            line.starts_with("33/164  Deployment Process › Database Migration"),
            "{line}"
        );
        assert!(
            line.contains('…') && line.ends_with("(30 done, 1 failed)"),
            "{line}"
        );
        let short = heading_line("1/9  ", "Deploy", Some("Checks"), "  (1 done)", 80);
        assert_eq!(short, "1/9  Deploy › Checks  (1 done)");
    }

    #[test]
    fn a_narrow_terminal_drops_the_tally_before_the_names_become_unreadable() {
        let line = heading_line(
            "133/164  ",
            "Post-Deployment Verification",
            Some("Monitoring and Alerting"),
            "  (120 done, 3 failed, 2 skipped, 4 deferred)",
            60,
        );
        assert!(width(&line) <= 60, "{line}");
        assert!(!line.contains("120 done"), "{line}");
        assert!(line.contains("Monitoring"), "{line}");
    }
}
