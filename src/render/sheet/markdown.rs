//! The Markdown sheet: renders on GitHub, and loads back as the same checklist.
//!
//! What a reader fills in must not read back as checklist content: the verdict box and
//! the marks are tables (which only a contacts heading gives meaning to), an item's
//! write-ins are a plain bullet under it, and no blank follows a bare `Label:`, which
//! would read back as a run field.

use std::io::{self, Write};

use crate::render::escape_markdown as escape;

use super::{
    MARKS, MARKS_RULE, Sheet, TRIGGER_MARKS, VERDICT_RULES, WRITE_INS, item_directive, phase_note,
    requirement, scope_label, section_note,
};
use crate::model::{Item, SectionKind, Status};

const BLANK: &str = "________________";
const SHORT: &str = "______";

pub fn write_markdown(out: &mut dyn Write, sheet: &Sheet<'_>) -> io::Result<()> {
    let checklist = sheet.checklist;
    writeln!(out, "# {}\n", escape(&checklist.title))?;
    writeln!(
        out,
        "**Environment:** {} · **Source:** `{}` · {} items · sha256 `{}`\n",
        sheet.environment_label(),
        checklist.source.path,
        sheet.item_count(),
        sheet.sha256(),
    )?;
    if let Some(description) = &checklist.description {
        writeln!(out, "{}\n", escape(description))?;
    }
    if !checklist.fields.is_empty() {
        let last = checklist.fields.len() - 1;
        for (index, field) in checklist.fields.iter().enumerate() {
            // A trailing backslash is a hard line break: one field per line on GitHub. The
            // last line needs none (there it would show as a backslash).
            let brk = if index < last { "\\" } else { "" };
            writeln!(out, "*{}:* {BLANK}{brk}", escape(&field.name))?;
        }
        writeln!(out)?;
    }
    write_verdict_box(out)?;
    // Before the contacts: under a contacts heading a table reads back as contacts.
    write_marks(out)?;
    if !checklist.contacts.is_empty() {
        writeln!(out, "## Emergency Contacts\n")?;
        writeln!(out, "| Role | Name | Email | Phone |")?;
        writeln!(out, "|------|------|-------|-------|")?;
        for contact in &checklist.contacts {
            let cell = |v: &Option<String>| v.as_deref().map(escape_cell).unwrap_or_default();
            writeln!(
                out,
                "| {} | {} | {} | {} |",
                escape_cell(&contact.role),
                cell(&contact.name),
                cell(&contact.email),
                cell(&contact.phone)
            )?;
        }
        writeln!(out)?;
    }
    for phase in &checklist.phases {
        writeln!(out, "## {}\n", escape(&phase.title))?;
        if let Some(note) = phase_note(phase.kind) {
            writeln!(out, "*{note}*\n")?;
        }
        for section in &phase.sections {
            let implicit = section.title == phase.title;
            let scope = scope_label(sheet, &section.environments);
            if !section.environments.is_empty() && sheet.environment.is_none() {
                writeln!(
                    out,
                    "<!-- deploycheck: env={} -->",
                    section.environments.join(",")
                )?;
            }
            if !implicit {
                writeln!(out, "### {}\n", escape(&section.title))?;
            }
            if let Some(scope) = scope {
                writeln!(out, "*{}.*\n", capitalise(&scope))?;
            }
            if let Some(note) = section_note(section.kind) {
                writeln!(out, "*{note}*\n")?;
            }
            let trigger = section.kind == SectionKind::Triggers;
            for item in &section.items {
                write_item(out, item, &section.id, 0, trigger)?;
            }
            writeln!(out)?;
            if section.kind == SectionKind::Signoff {
                writeln!(
                    out,
                    "**Name:** {BLANK} **Signed:** {BLANK} **Date and time:** {BLANK}\\"
                )?;
                writeln!(out, "or refused, because {BLANK}{BLANK}\n")?;
            }
        }
    }
    Ok(())
}

fn write_item(
    out: &mut dyn Write,
    item: &Item,
    parent_id: &str,
    depth: usize,
    trigger: bool,
) -> io::Result<()> {
    let indent = "  ".repeat(depth);
    let directive = item_directive(item, parent_id)
        .map(|d| format!(" {d}"))
        .unwrap_or_default();
    writeln!(out, "{indent}- [ ] {}{directive}", escape(&item.text))?;
    if let Some(check) = &item.check {
        write_check(out, check, &format!("{indent}  "))?;
    }
    if item.children.is_empty() {
        // A plain bullet, not a task, and no `Label:` before a blank: it must not read as
        // an item or a run field when the sheet is loaded back. A parent gets none: its
        // status follows from its children.
        let needs = item
            .threshold
            .as_ref()
            .map(|t| format!("{} · ", requirement(t, trigger)))
            .unwrap_or_default();
        writeln!(
            out,
            "{indent}  - {needs}{} {SHORT} · {} {SHORT} · {} {BLANK}",
            WRITE_INS[0].to_lowercase(),
            WRITE_INS[1].to_lowercase(),
            WRITE_INS[2].to_lowercase(),
        )?;
    }
    for child in &item.children {
        write_item(out, child, &item.id, depth + 1, trigger)?;
    }
    Ok(())
}

/// The item's check as the fenced block it was written as, nested under the item, so the
/// sheet shows the command and loads back with the same check. The fence is longer than
/// any run of backticks in the command.
fn write_check(out: &mut dyn Write, check: &crate::model::Check, indent: &str) -> io::Result<()> {
    let longest = check
        .run
        .split(|c| c != '`')
        .map(str::len)
        .max()
        .unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let timeout = if check.timeout_s == crate::model::DEFAULT_TIMEOUT_S {
        String::new()
    } else {
        format!(" timeout={}", check.timeout_s)
    };
    writeln!(out, "{indent}{fence}sh check{timeout}")?;
    for line in check.run.lines() {
        if line.is_empty() {
            writeln!(out)?;
        } else {
            writeln!(out, "{indent}{line}")?;
        }
    }
    writeln!(out, "{indent}{fence}")
}

/// The verdicts side by side, each with its rule, and a line for who decided it and when.
/// A table rather than prose: prose before the first phase would load back as part of
/// the description.
fn write_verdict_box(out: &mut dyn Write) -> io::Result<()> {
    let row = |first: String, cell: &dyn Fn(usize) -> String| {
        let cells: Vec<String> = std::iter::once(first)
            .chain((0..VERDICT_RULES.len()).map(cell))
            .collect();
        format!("| {} |", cells.join(" | "))
    };
    let verdicts = row("**Verdict**".to_string(), &|i| {
        format!("☐ **{}**", VERDICT_RULES[i].0.as_str())
    });
    let rules = row("tick one when the run ends".to_string(), &|i| {
        VERDICT_RULES[i].1.to_string()
    });
    let decided = row(format!("Decided by {BLANK}"), &|i| match i {
        0 => format!("Date and time {BLANK}"),
        _ => String::new(),
    });
    writeln!(out, "{verdicts}")?;
    writeln!(out, "{}", row("---".to_string(), &|_| "---".to_string()))?;
    writeln!(out, "{rules}\n{decided}\n")
}

/// How to mark a box: the marks over the statuses they stand for, then the rule.
fn write_marks(out: &mut dyn Write) -> io::Result<()> {
    let marks: Vec<_> = MARKS.iter().chain(TRIGGER_MARKS.iter()).collect();
    let row = |first: &str, cells: Vec<String>, last: &str| {
        let cells: Vec<String> = std::iter::once(first.to_string())
            .chain(cells)
            .chain(std::iter::once(last.to_string()))
            .collect();
        format!("| {} |", cells.join(" | "))
    };
    let trigger = |status: &Status| TRIGGER_MARKS.iter().any(|(_, s)| s == status);
    writeln!(
        out,
        "{}",
        row(
            "Mark",
            marks.iter().map(|(mark, _)| mark.to_string()).collect(),
            ""
        )
    )?;
    writeln!(
        out,
        "{}",
        row("---", vec!["---".to_string(); marks.len()], "---")
    )?;
    writeln!(
        out,
        "{}\n",
        row(
            "Means",
            marks
                .iter()
                .map(|(_, status)| match trigger(status) {
                    true => format!("trigger {status}"),
                    false => status.to_string(),
                })
                .collect(),
            &escape_cell(MARKS_RULE)
        )
    )
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn escape_cell(text: &str) -> String {
    text.replace('|', "\\|")
}
