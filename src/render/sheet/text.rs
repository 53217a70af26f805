//! The plain-text sheet: ASCII boxes, wrapped to 80 columns by display width, for a
//! terminal, `lp` or an email. Each item's line ends in blanks for initials, time and a
//! reason or measured value, under column labels on the section's heading line.

use std::io::{self, Write};

use unicode_width::UnicodeWidthStr;

use super::{
    Sheet, VERDICT_RULES, WRITE_INS, marks_legend, phase_note, requirement, scope_label,
    section_note,
};
use crate::model::{Item, SectionKind};

const WIDTH: usize = 80;
const BLANK: &str = "______________________";
/// The write-in blanks at the end of an item's first line, one per [`WRITE_INS`] column.
const WRITE_IN_BLANKS: [&str; 3] = ["________", "__:__", "________________"];
/// Where the write-in blanks start: the item's text wraps before this column.
const WRITE_IN_COLUMN: usize = WIDTH - 8 - 1 - 5 - 1 - 16;

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
            "Source: {}, {} items",
            checklist.source.path,
            sheet.item_count()
        ),
    )?;
    writeln!(out, "sha256 {}", sheet.sha256())?;
    if let Some(description) = &checklist.description {
        writeln!(out)?;
        write_wrapped(out, "", "", description)?;
    }
    if !checklist.fields.is_empty() {
        writeln!(out)?;
        for field in &checklist.fields {
            write_wrapped(out, "  ", "    ", &format!("{}: {BLANK}", field.name))?;
        }
    }
    write_verdict_box(out)?;
    if !checklist.contacts.is_empty() {
        writeln!(out)?;
        writeln!(out, "Emergency contacts")?;
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
    writeln!(out)?;
    write_wrapped(out, "", "", &marks_legend())?;
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
            writeln!(out)?;
            write_heading(out, heading.trim())?;
            if let Some(note) = section_note(section.kind) {
                write_wrapped(out, "  ", "  ", &format!("({note})"))?;
            }
            let trigger = section.kind == SectionKind::Triggers;
            for item in &section.items {
                write_item(out, item, 1, trigger)?;
            }
            if section.kind == SectionKind::Signoff {
                writeln!(out)?;
                writeln!(out, "  Name: {BLANK}   Signature: {BLANK}")?;
                writeln!(out, "  Date and time: ________________")?;
                writeln!(out, "  or refused, because: {BLANK}{BLANK}")?;
            }
        }
    }
    writeln!(out)?;
    writeln!(out)?;
    writeln!(out, "End of sheet for {}", sheet.environment_label())?;
    writeln!(out, "sha256 {}", sheet.sha256())?;
    Ok(())
}

/// The verdict to tick when the run ends, each with the rule that gives it.
fn write_verdict_box(out: &mut dyn Write) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "Verdict (tick one when the run ends)")?;
    let label_width = VERDICT_RULES
        .iter()
        .map(|(verdict, _)| verdict.as_str().width())
        .max()
        .unwrap_or(0);
    for (verdict, rule) in VERDICT_RULES {
        let first = format!("  [ ] {:<label_width$}  ", verdict.as_str());
        let rest = " ".repeat(first.width());
        write_wrapped(out, &first, &rest, rule)?;
    }
    writeln!(
        out,
        "  Decided by: {BLANK}   Date and time: ________________"
    )
}

/// A section's heading with the write-in columns labelled above their blanks; a heading
/// too long to share the line gets the labels on a line of their own.
fn write_heading(out: &mut dyn Write, heading: &str) -> io::Result<()> {
    let labels = format!(
        "{:<w0$} {:<w1$} {}",
        WRITE_INS[0],
        WRITE_INS[1],
        WRITE_INS[2],
        w0 = WRITE_IN_BLANKS[0].len(),
        w1 = WRITE_IN_BLANKS[1].len(),
    );
    if heading.is_empty() {
        return writeln!(out, "{}{labels}", " ".repeat(WRITE_IN_COLUMN));
    }
    if heading.width() < WRITE_IN_COLUMN {
        let pad = WRITE_IN_COLUMN - heading.width();
        return writeln!(out, "{heading}{}{labels}", " ".repeat(pad));
    }
    write_wrapped(out, "", "", heading)?;
    writeln!(out, "{}{labels}", " ".repeat(WRITE_IN_COLUMN))
}

fn write_item(out: &mut dyn Write, item: &Item, depth: usize, trigger: bool) -> io::Result<()> {
    // Deep nesting stops indenting, so the text keeps room before the blanks.
    let indent = "  ".repeat(depth.min(8));
    let mut text = item.text.clone();
    if item.optional && !crate::source::says_optional_item(&item.text) {
        text.push_str(" (optional)");
    }
    if let Some(threshold) = &item.threshold {
        text.push_str(&format!(" ({})", requirement(threshold, trigger)));
    }
    if item.children.is_empty() {
        let first = format!("{indent}[ ] ");
        let rest = " ".repeat(first.len());
        let mut lines = wrap(&first, &rest, &text, WRITE_IN_COLUMN - 1).into_iter();
        let line = lines.next().unwrap_or_default();
        let blanks = WRITE_IN_BLANKS.join(" ");
        if line.width() < WRITE_IN_COLUMN {
            let pad = WRITE_IN_COLUMN - line.width();
            writeln!(out, "{line}{}{blanks}", " ".repeat(pad))?;
        } else {
            // A word too long for the text column: the blanks go on a line of their own.
            writeln!(out, "{line}\n{}{blanks}", " ".repeat(WRITE_IN_COLUMN))?;
        }
        for line in lines {
            writeln!(out, "{line}")?;
        }
        if let Some(check) = &item.check {
            // The command to run by hand, under the item; wrapped like any text.
            let lead = format!("{rest}$ ");
            let more = format!("{rest}  ");
            let run_lines: Vec<&str> = check.run.lines().collect();
            for (index, command) in run_lines.iter().enumerate() {
                let first = if index == 0 { &lead } else { &more };
                let text = if index + 1 == run_lines.len() {
                    format!("{command}   (check, time-out {} s)", check.timeout_s)
                } else {
                    command.to_string()
                };
                write_wrapped(out, first, &more, &text)?;
            }
        }
    } else {
        // A parent's status follows from its children: no box, no blanks.
        write_wrapped(out, &indent, &format!("{indent}  "), &text)?;
    }
    for child in &item.children {
        write_item(out, child, depth + 1, trigger)?;
    }
    Ok(())
}

/// Writes `text` wrapped at word boundaries to [`WIDTH`] display columns: `first` before
/// the first line, `rest` before the others. A word longer than a line stands alone.
fn write_wrapped(out: &mut dyn Write, first: &str, rest: &str, text: &str) -> io::Result<()> {
    for line in wrap(first, rest, text, WIDTH) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// `text` in lines of at most `width` display columns, `first` and `rest` as above.
fn wrap(first: &str, rest: &str, text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::from(first);
    let mut used = first.width();
    let mut empty = true;
    for word in text.split_whitespace() {
        let word_width = word.width();
        if !empty && used + 1 + word_width > width {
            lines.push(std::mem::replace(&mut line, String::from(rest)));
            used = rest.width();
            empty = true;
        }
        if !empty {
            line.push(' ');
            used += 1;
        }
        line.push_str(word);
        used += word_width;
        empty = false;
    }
    lines.push(line);
    lines
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

    #[test]
    fn write_ins_stay_within_80_columns_for_deep_items_and_long_words() {
        let item = |text: String, children: Vec<Item>| Item {
            id: "a".to_string(),
            text,
            optional: false,
            condition: None,
            line: None,
            check: None,
            threshold: None,
            children,
            group: false,
            choice: false,
            why: Default::default(),
        };
        // A word that fits a line but not the text column, twelve levels deep.
        let mut deep = item(format!("Check {} now", "x".repeat(50)), Vec::new());
        for _ in 0..12 {
            deep = item("Parent".to_string(), vec![deep]);
        }
        let mut out = Vec::new();
        write_item(&mut out, &deep, 1, false).unwrap();
        let text = String::from_utf8(out).unwrap();
        for line in text.lines() {
            assert!(line.width() <= WIDTH, "{} columns: {line}", line.width());
        }
        assert_eq!(text.matches(&WRITE_IN_BLANKS.join(" ")).count(), 1);
    }
}
