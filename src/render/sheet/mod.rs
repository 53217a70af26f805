//! Blank run sheets: the checklist to walk on paper, in a pull request or in an email.
//!
//! Three writers share one reading of the checklist ([`Sheet`]): what the header says,
//! which run fields to leave blanks for, how each phase and section is labelled, the
//! write-ins every item gets (initials, time, a reason or measured value), how a box is
//! marked, and the verdict box with its rules. The Markdown sheet is itself a valid
//! checklist that loads back to the same items.

mod html;
mod markdown;
mod text;

use std::io::{self, Write};

use crate::model::{Checklist, Item, PhaseKind, SectionKind, Status, Threshold, Verdict, slugify};

pub use html::write_html;
pub use markdown::write_markdown;
pub use text::write_text;

/// What every sheet format says about a checklist, apart from layout.
pub struct Sheet<'a> {
    pub checklist: &'a Checklist,
    /// The environment the sheet is for; `None` shows every section, scoped ones labelled.
    pub environment: Option<&'a str>,
}

impl<'a> Sheet<'a> {
    pub fn new(checklist: &'a Checklist, environment: Option<&'a str>) -> Self {
        Sheet {
            checklist,
            environment,
        }
    }

    /// The checklist file's full digest: a filled-in sheet names exactly what was walked.
    pub fn sha256(&self) -> &str {
        &self.checklist.source.sha256
    }

    pub fn environment_label(&self) -> String {
        match self.environment {
            Some(env) => env.to_string(),
            None => {
                let envs = self.checklist.environments();
                if envs.is_empty() {
                    "any".to_string()
                } else {
                    format!("any ({} sections marked)", envs.join(", "))
                }
            }
        }
    }

    pub fn item_count(&self) -> usize {
        self.checklist.item_count()
    }
}

/// The sentence under a phase heading that says when it is walked.
pub fn phase_note(kind: PhaseKind) -> Option<&'static str> {
    match kind {
        PhaseKind::Rollback => {
            Some("Walked only when a rollback trigger holds or a rollback is started.")
        }
        PhaseKind::Steps | PhaseKind::Signoff => None,
    }
}

pub fn section_note(kind: SectionKind) -> Option<&'static str> {
    match kind {
        SectionKind::Triggers => {
            Some("Mark H if the condition holds, C if clear; any that holds means roll back.")
        }
        SectionKind::Steps | SectionKind::Signoff => None,
    }
}

/// What each item gets written beside it on paper, after its box.
pub const WRITE_INS: [&str; 3] = ["Initials", "Time", "Reason / value"];

/// How a box is marked on paper: one mark per status a run records.
pub const MARKS: [(&str, Status); 5] = [
    ("✓", Status::Done),
    ("F", Status::Failed),
    ("S", Status::Skipped),
    ("N", Status::NotApplicable),
    ("D", Status::Deferred),
];

/// How a rollback trigger's circle is marked.
pub const TRIGGER_MARKS: [(&str, Status); 2] = [("H", Status::Holds), ("C", Status::Clear)];

/// The rule the marks come with, as the run enforces it.
pub const MARKS_RULE: &str = "F, S and D need a reason; N needs one unless the item is optional";

/// `✓ done · F failed · …`, then the rule.
pub fn marks_legend() -> String {
    let marks = |marks: &[(&str, Status)]| {
        marks
            .iter()
            .map(|(mark, status)| format!("{mark} {status}"))
            .collect::<Vec<_>>()
            .join(" · ")
    };
    format!(
        "Mark each box: {} ({MARKS_RULE}). Triggers: {}.",
        marks(&MARKS),
        marks(&TRIGGER_MARKS)
    )
}

/// The verdicts a run ends with, each with the rule that gives it, in the words the run's
/// record uses.
pub const VERDICT_RULES: [(Verdict, &str); 4] = [
    (
        Verdict::Go,
        "every required item done or n/a, no trigger held, all sign-offs given",
    ),
    (
        Verdict::NoGo,
        "a required item failed or a sign-off refused",
    ),
    (Verdict::RolledBack, "a rollback was started"),
    (
        Verdict::Incomplete,
        "stopped before the end; can be resumed",
    ),
];

/// `production only` for a scoped section on a sheet for every environment.
pub fn scope_label(sheet: &Sheet<'_>, environments: &[String]) -> Option<String> {
    (sheet.environment.is_none() && !environments.is_empty())
        .then(|| format!("{} only", environments.join(", ")))
}

/// `needs < 200 ms (p95)`, or for a trigger `holds when > 5%`.
pub fn requirement(threshold: &Threshold, trigger: bool) -> String {
    if trigger {
        format!("holds when {threshold}")
    } else {
        format!("needs {threshold}")
    }
}

/// Overrides a Markdown sheet must carry for an item to load back the same: an ID that is
/// not the slug of its text, or optional without saying so.
pub fn item_directive(item: &Item, parent_id: &str) -> Option<String> {
    let segment = item.id.rsplit('/').next().unwrap_or(&item.id);
    let derived = slugify(&item.text);
    let derived_or_deduplicated = segment == derived
        || segment
            .strip_prefix(derived.as_str())
            .and_then(|rest| rest.strip_prefix('-'))
            .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()));
    let mut keys = Vec::new();
    if !derived_or_deduplicated || !item.id.starts_with(parent_id) {
        keys.push(format!("id={segment}"));
    }
    if item.optional && !crate::source::says_optional_item(&item.text) {
        keys.push("optional".to_string());
    }
    (!keys.is_empty()).then(|| format!("<!-- deploycheck: {} -->", keys.join(" ")))
}

/// A sheet format, chosen on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetFormat {
    Markdown,
    Text,
    Html,
}

pub fn write_sheet(out: &mut dyn Write, sheet: &Sheet<'_>, format: SheetFormat) -> io::Result<()> {
    match format {
        SheetFormat::Markdown => write_markdown(out, sheet),
        SheetFormat::Text => write_text(out, sheet),
        SheetFormat::Html => write_html(out, sheet),
    }
}
