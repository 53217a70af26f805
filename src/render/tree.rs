//! `show --format tree`: an indented outline a person can scan, with counts and markers.

use std::io::{self, Write};

use super::Style;
use crate::model::{Checklist, Item, Note, PhaseKind, Section, SectionKind};

pub struct TreeOptions<'a> {
    pub environment: Option<&'a str>,
    /// Item count of the unfiltered checklist, for "172 of 182".
    pub total_items: usize,
    pub show_ids: bool,
}

pub fn write_tree(
    out: &mut dyn Write,
    checklist: &Checklist,
    options: &TreeOptions<'_>,
    style: Style,
) -> io::Result<()> {
    let sep = style.separator();
    writeln!(out, "{}", style.bold(&checklist.title))?;
    let short_sha = &checklist.source.sha256[..12.min(checklist.source.sha256.len())];
    let format = match checklist.source.format {
        crate::model::SourceFormat::Markdown => "markdown",
        crate::model::SourceFormat::Yaml => "yaml",
    };
    writeln!(
        out,
        "{}",
        style.dim(&format!(
            "{}{sep}{format}{sep}sha256 {short_sha}",
            checklist.source.path
        ))
    )?;
    let count = checklist.item_count();
    let items = if count == 1 { "item" } else { "items" };
    match options.environment {
        Some(env) => writeln!(
            out,
            "environment {env}: {count} of {} item{}",
            options.total_items,
            if options.total_items == 1 { "" } else { "s" }
        )?,
        None => {
            let envs = checklist.environments();
            if envs.is_empty() {
                writeln!(out, "{count} {items}")?;
            } else {
                writeln!(
                    out,
                    "{count} {items}; sections scoped to {}",
                    envs.join(", ")
                )?;
            }
        }
    }
    if !checklist.fields.is_empty() {
        let names: Vec<&str> = checklist.fields.iter().map(|f| f.name.as_str()).collect();
        writeln!(out, "run fields: {}", names.join(", "))?;
    }
    if !checklist.contacts.is_empty() {
        let contacts: Vec<String> = checklist
            .contacts
            .iter()
            .map(|c| match &c.name {
                Some(name) => format!("{} ({name})", c.role),
                None => c.role.clone(),
            })
            .collect();
        writeln!(out, "contacts: {}", contacts.join(", "))?;
    }
    write_notes(out, checklist.why.notes(), "", style)?;
    let anchor = checklist.anchor_section();
    let windows = checklist
        .phases
        .iter()
        .flat_map(|p| &p.sections)
        .filter(|s| s.window.is_some())
        .count();
    if windows > 0 {
        let from = match anchor {
            Some((p, s)) => format!("the end of `{}`", checklist.phases[p].sections[s].title),
            None => "the start of the run".to_string(),
        };
        writeln!(
            out,
            "{}",
            style.cyan(&format!(
                "{} with a time window, counted from the deployment moment: {from}",
                if windows == 1 {
                    "1 section".to_string()
                } else {
                    format!("{windows} sections")
                }
            ))
        )?;
    }

    for (phase_index, phase) in checklist.phases.iter().enumerate() {
        writeln!(out)?;
        let items: usize = phase
            .sections
            .iter()
            .map(|s| s.all_items().filter(|i| !i.group).count())
            .sum();
        let marker = match phase.kind {
            PhaseKind::Steps => String::new(),
            PhaseKind::Rollback => format!(
                "  {}",
                style.yellow("[rollback: walked only once a rollback starts]")
            ),
            PhaseKind::Signoff => format!("  {}", style.cyan("[sign-off]")),
        };
        writeln!(
            out,
            "{}{marker}  {}",
            style.bold(&phase.title),
            style.dim(&plural(items, "item"))
        )?;
        write_notes(out, phase.why.notes(), "  ", style)?;
        for (section_index, section) in phase.sections.iter().enumerate() {
            let nested = section.title != phase.title;
            let indent = if nested { "    " } else { "  " };
            let is_anchor = anchor == Some((phase_index, section_index));
            if nested {
                writeln!(
                    out,
                    "  {}{}  {}",
                    section.title,
                    section_markers(section, is_anchor, style),
                    style.dim(&format!(
                        "({})",
                        section.all_items().filter(|i| !i.group).count()
                    ))
                )?;
            } else {
                let markers = section_markers(section, is_anchor, style);
                if !markers.is_empty() {
                    writeln!(out, "  {}", markers.trim_start())?;
                }
            }
            write_notes(out, section.why.notes(), indent, style)?;
            for item in &section.items {
                write_item(out, item, section.kind, indent, options.show_ids, style)?;
            }
        }
    }
    Ok(())
}

fn section_markers(section: &Section, anchor: bool, style: Style) -> String {
    let mut markers = Vec::new();
    if let Some(window) = &section.window {
        markers.push(format!(
            "due {} to {} after the deployment",
            window.from, window.to
        ));
    }
    if anchor {
        markers.push("its end is the deployment moment".to_string());
    }
    match section.kind {
        SectionKind::Steps => {}
        SectionKind::Triggers => markers.push("triggers: answer whether each holds".to_string()),
        SectionKind::Signoff => markers.push(format!(
            "signed by {}",
            section.role.as_deref().unwrap_or("?")
        )),
    }
    if !section.environments.is_empty() {
        markers.push(format!("only {}", section.environments.join(", ")));
    }
    if section.optional {
        markers.push("optional".to_string());
    }
    if markers.is_empty() {
        String::new()
    } else {
        format!("  {}", style.cyan(&format!("[{}]", markers.join("; "))))
    }
}

fn write_item(
    out: &mut dyn Write,
    item: &Item,
    kind: SectionKind,
    indent: &str,
    show_ids: bool,
    style: Style,
) -> io::Result<()> {
    // An explicit stack: nesting depth is bounded by the parser, but never by recursion here.
    let mut stack = vec![(item, 0usize)];
    while let Some((item, depth)) = stack.pop() {
        let pad = "  ".repeat(depth);
        let box_ = match kind {
            _ if item.group => "-",
            SectionKind::Triggers => "[?]",
            _ => "[ ]",
        };
        let mut line = format!("{indent}{pad}{box_} {}", item.text);
        if let Some(threshold) = &item.threshold {
            line.push_str(&format!(
                "  {}",
                style.yellow(&format!("<measure: {threshold}>"))
            ));
        }
        if item.optional {
            line.push_str(&format!("  {}", style.dim("(optional)")));
        }
        if item.choice {
            line.push_str(&format!("  {}", style.dim("(one of)")));
        }
        if item.check.is_some() {
            line.push_str(&format!("  {}", style.cyan("[check]")));
        }
        if show_ids {
            line.push_str(&format!("  {}", style.dim(&item.id)));
        }
        writeln!(out, "{line}")?;
        if let Some(check) = &item.check {
            write_check(out, check, &format!("{indent}{pad}    "), style)?;
        }
        let notes: Vec<Note> = item
            .why
            .notes()
            .iter()
            .map(|note| match (&item.threshold, note.what) {
                // Left blank by the parser: it is the threshold and the text it came from.
                (Some(threshold), "threshold") if note.why.is_empty() => Note {
                    why: format!("{} {threshold} from {:?}", threshold.metric, item.text),
                    ..note.clone()
                },
                _ => note.clone(),
            })
            .collect();
        write_notes(out, &notes, &format!("{indent}{pad}    "), style)?;
        stack.extend(item.children.iter().rev().map(|c| (c, depth + 1)));
    }
    Ok(())
}

/// The command under its item, as it would run: `$ ` before its first line, its time-out
/// after the last. Shown, never run.
fn write_check(
    out: &mut dyn Write,
    check: &crate::model::Check,
    indent: &str,
    style: Style,
) -> io::Result<()> {
    let lines: Vec<&str> = check.run.lines().collect();
    for (index, text) in lines.iter().enumerate() {
        let lead = if index == 0 { "$ " } else { "  " };
        let tail = if index + 1 == lines.len() {
            format!(
                "  {}",
                style.dim(&format!("(time-out {} s)", check.timeout_s))
            )
        } else {
            String::new()
        };
        writeln!(out, "{indent}{lead}{text}{tail}")?;
    }
    Ok(())
}

/// What was inferred and from what, under the part it is about: `optional: "if needed"`.
/// Guesses worth a second look say so.
fn write_notes(out: &mut dyn Write, notes: &[Note], indent: &str, style: Style) -> io::Result<()> {
    for note in notes {
        let check = if note.doubtful { " (check this)" } else { "" };
        writeln!(
            out,
            "{indent}{}",
            style.dim(&format!("· {}: {}{check}", note.what, note.why))
        )?;
    }
    Ok(())
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("(1 {word})")
    } else {
        format!("({n} {word}s)")
    }
}
