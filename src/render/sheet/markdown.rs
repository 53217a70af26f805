//! The Markdown sheet: renders on GitHub, and loads back as the same checklist.

use std::io::{self, Write};

use crate::render::escape_markdown as escape;

use super::{Sheet, item_directive, phase_note, requirement, scope_label, section_note};
use crate::model::{Item, SectionKind};

const BLANK: &str = "________________";

pub fn write_markdown(out: &mut dyn Write, sheet: &Sheet<'_>) -> io::Result<()> {
    let checklist = sheet.checklist;
    writeln!(out, "# {}\n", escape(&checklist.title))?;
    writeln!(
        out,
        "**Environment:** {} · **Source:** `{}` (sha256 `{}`) · {} items\n",
        sheet.environment_label(),
        checklist.source.path,
        sheet.short_sha(),
        sheet.item_count()
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
                writeln!(out, "**Signed:** {BLANK} **Date:** {BLANK}\n")?;
            }
        }
    }
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
    if let Some(threshold) = &item.threshold {
        // A plain bullet, not a task, and never a bare blank: it must not read as an item
        // or a run field when the sheet is loaded back.
        writeln!(
            out,
            "{indent}  - measured: {BLANK} ({})",
            requirement(threshold, trigger)
        )?;
    }
    for child in &item.children {
        write_item(out, child, &item.id, depth + 1, trigger)?;
    }
    Ok(())
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
