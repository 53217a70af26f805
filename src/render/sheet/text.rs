//! The plain-text sheet: ASCII boxes, wrapped to 80 columns by display width, for a
//! terminal, `lp` or an email.

use std::io::{self, Write};

use unicode_width::UnicodeWidthStr;

use super::{Sheet, phase_note, requirement, scope_label, section_note};
use crate::model::{Item, SectionKind};

const WIDTH: usize = 80;
const BLANK: &str = "______________________";

pub fn write_text(out: &mut dyn Write, sheet: &Sheet<'_>) -> io::Result<()> {
    let checklist = sheet.checklist;
    writeln!(out, "{}", checklist.title)?;
    writeln!(
        out,
        "{}",
        "=".repeat(checklist.title.width().clamp(3, WIDTH))
    )?;
    write_wrapped(
        out,
        "",
        "",
        &format!("Environment: {}", sheet.environment_label()),
    )?;
    write_wrapped(
        out,
        "",
        "",
        &format!(
            "Source: {} (sha256 {}), {} items",
            checklist.source.path,
            sheet.short_sha(),
            sheet.item_count()
        ),
    )?;
    if let Some(description) = &checklist.description {
        writeln!(out)?;
        write_wrapped(out, "", "", description)?;
    }
    if !checklist.fields.is_empty() {
        writeln!(out)?;
        for field in &checklist.fields {
            writeln!(out, "  {}: {BLANK}", field.name)?;
        }
    }
    for phase in &checklist.phases {
        writeln!(out)?;
        writeln!(out)?;
        writeln!(out, "{}", phase.title)?;
        writeln!(out, "{}", "-".repeat(phase.title.width().clamp(3, WIDTH)))?;
        if let Some(note) = phase_note(phase.kind) {
            write_wrapped(out, "", "", &format!("({note})"))?;
        }
        for section in &phase.sections {
            let mut heading = String::new();
            if section.title != phase.title {
                heading.push_str(&section.title);
            }
            if let Some(scope) = scope_label(sheet, &section.environments) {
                heading.push_str(&format!(" [{scope}]"));
            }
            if section.kind == SectionKind::Signoff {
                heading = format!(
                    "Sign-off: {}",
                    section.role.as_deref().unwrap_or(&section.title)
                );
            }
            if !heading.trim().is_empty() {
                writeln!(out)?;
                write_wrapped(out, "", "", heading.trim())?;
            }
            if let Some(note) = section_note(section.kind) {
                write_wrapped(out, "  ", "  ", &format!("({note})"))?;
            }
            let trigger = section.kind == SectionKind::Triggers;
            for item in &section.items {
                write_item(out, item, 1, trigger)?;
            }
            if section.kind == SectionKind::Signoff {
                writeln!(out)?;
                writeln!(out, "  Signed: {BLANK}   Date: ____________")?;
            }
        }
    }
    if !checklist.contacts.is_empty() {
        writeln!(out)?;
        writeln!(out)?;
        writeln!(out, "Emergency contacts")?;
        writeln!(out, "------------------")?;
        for contact in &checklist.contacts {
            let parts: Vec<&str> = [&contact.name, &contact.email, &contact.phone]
                .iter()
                .filter_map(|v| v.as_deref())
                .collect();
            write_wrapped(
                out,
                "  ",
                "    ",
                &format!("{}: {}", contact.role, parts.join(", ")),
            )?;
        }
    }
    Ok(())
}

fn write_item(out: &mut dyn Write, item: &Item, depth: usize, trigger: bool) -> io::Result<()> {
    let indent = "  ".repeat(depth);
    let first = format!("{indent}[ ] ");
    let rest = " ".repeat(first.len());
    write_wrapped(out, &first, &rest, &item.text)?;
    if let Some(threshold) = &item.threshold {
        write_wrapped(
            out,
            &rest,
            &rest,
            &format!(
                "measured: ____________ ({})",
                requirement(threshold, trigger)
            ),
        )?;
    }
    for child in &item.children {
        write_item(out, child, depth + 1, trigger)?;
    }
    Ok(())
}

/// Writes `text` wrapped at word boundaries to [`WIDTH`] display columns: `first` before
/// the first line, `rest` before the others. A word longer than a line stands alone.
fn write_wrapped(out: &mut dyn Write, first: &str, rest: &str, text: &str) -> io::Result<()> {
    let mut line = String::from(first);
    let mut width = first.width();
    let mut empty = true;
    for word in text.split_whitespace() {
        let word_width = word.width();
        if !empty && width + 1 + word_width > WIDTH {
            writeln!(out, "{line}")?;
            line = String::from(rest);
            width = rest.width();
            empty = true;
        }
        if !empty {
            line.push(' ');
            width += 1;
        }
        line.push_str(word);
        width += word_width;
        empty = false;
    }
    writeln!(out, "{line}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_by_display_width_with_a_hanging_indent() {
        let mut out = Vec::new();
        let text = "🚀🚀🚀 ".repeat(20);
        write_wrapped(&mut out, "  [ ] ", "      ", &text).unwrap();
        let text = String::from_utf8(out).unwrap();
        for line in text.lines() {
            assert!(line.width() <= WIDTH, "{} columns: {line}", line.width());
        }
        assert!(text.lines().skip(1).all(|l| l.starts_with("      ")));
    }
}
