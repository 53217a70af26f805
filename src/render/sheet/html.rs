//! The printable HTML sheet: one self-contained file (inline CSS, no scripts, nothing
//! fetched) that reads on screen and prints on A4 or Letter for an operator with a pen.
//!
//! Page 1 is the cover: the run fields, the verdict box, the contacts and how to mark a
//! box. Every section is one table whose header row is the section's title and the
//! write-in columns, and is kept on one page when it fits on one; a phase's heading stays
//! with its first section, and a sign-off block (statements, name, signature, date) is
//! never split. The page margins carry the title, environment, page numbers and the
//! checklist's sha256, so a loose page still says which sheet it belongs to.

use std::io::{self, Write};

use super::{
    Sheet, VERDICT_RULES, WRITE_INS, marks_legend, phase_note, requirement, scope_label,
    section_note,
};
use crate::model::{Item, PhaseKind, Section, SectionKind};

const STYLE: &str = r#"
:root { --ink: #1b1f24; --muted: #57606a; --rule: #9aa4ae; --faint: #d0d7de; --accent: #0b5cad; --warn: #9a3412; }
* { box-sizing: border-box; }
body { font: 10pt/1.3 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif,
    "Apple Color Emoji", "Segoe UI Emoji", "Noto Color Emoji";
  color: var(--ink); margin: 0 auto; max-width: 900px; padding: 28px 32px; }
header.sheet { border-bottom: 2px solid var(--ink); padding-bottom: 6px; margin-bottom: 8px; }
h1 { font-size: 16pt; margin: 0 0 3px; line-height: 1.2; }
.meta { color: var(--muted); font-size: 8.5pt; margin: 0; }
.meta code { font-size: 8pt; }
.description { margin: 4px 0 0; font-size: 9pt; }
/* Blanks are tall enough to write in by hand. */
.fields { display: grid; grid-template-columns: repeat(2, 1fr); gap: 0 28px; margin: 4px 0 8px; }
.field { display: flex; align-items: flex-end; gap: 8px; font-size: 9pt; font-weight: 600; height: 9mm; }
.line { flex: 1; border-bottom: 1px solid var(--ink); min-width: 5em; height: 1.2em; }
.verdict { border: 1.5px solid var(--ink); border-radius: 3px; padding: 5px 8px 6px; margin: 0 0 8px;
  break-inside: avoid; page-break-inside: avoid; }
.verdict .title { font-weight: 700; font-size: 10pt; }
.verdict .title span { font-weight: normal; color: var(--muted); font-size: 8pt; margin-left: 6px; }
.choices { display: grid; grid-template-columns: 1.5fr 1.2fr 1fr 1fr; gap: 10px; margin: 4px 0 2px; }
.choice { display: grid; grid-template-columns: auto 1fr; column-gap: 6px; align-items: start; }
.choice .box { width: 14px; height: 14px; margin-top: 1px; }
.choice strong { font-size: 10.5pt; }
.choice small { grid-column: 2; color: var(--muted); font-size: 7.5pt; line-height: 1.25; }
.decided { display: grid; grid-template-columns: 1fr 1fr; gap: 0 28px; font-size: 8.5pt; }
.decided div { display: flex; align-items: flex-end; gap: 8px; height: 8mm; }
.legend { font-size: 8pt; color: var(--muted); margin: 6px 0 4px; }
table.contacts { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin: 2px 0 8px;
  break-inside: avoid; page-break-inside: avoid; }
table.contacts caption { text-align: left; font-weight: 700; font-size: 10pt; padding-bottom: 2px; }
table.contacts th, table.contacts td { border: 1px solid var(--faint); padding: 2px 6px; text-align: left; }
table.contacts th { font-weight: 600; }
h2 { font-size: 11.5pt; margin: 12px 0 3px; padding: 2px 8px; border-left: 4px solid var(--ink);
  border-bottom: 1px solid var(--ink); }
h2.rollback { border-left-color: var(--warn); }
h2.signoff { border-left-color: var(--accent); }
h2 .count { font-weight: normal; color: var(--muted); font-size: 8.5pt; margin-left: 6px; }
.note { color: var(--warn); font-style: italic; font-size: 8.5pt; margin: 0 0 3px; }
/* What a page break must not cut: a phase's heading from its first section, a section
   that fits on a page, a sign-off block, a parent item from its children. */
.keep, .section, .signoff-block, tbody, tr { break-inside: avoid; page-break-inside: avoid; }
.section { margin: 0 0 5px; }
.signoff-block { border: 1px solid var(--rule); border-radius: 3px; padding: 0 6px 2px; margin: 0 0 8px; }
th .note { font-weight: normal; margin: 1px 0 0; }
table.items { border-collapse: collapse; width: 100%; table-layout: fixed; }
table.items col.init, table.items col.time { width: 15mm; }
table.items col.why { width: 52mm; }
table.items th { text-align: left; vertical-align: bottom; padding: 5px 4px 1px; border-bottom: 1px solid var(--ink); }
table.items th.what h3 { font-size: 10pt; margin: 0; display: inline; }
table.items th.col { font-weight: normal; font-size: 7.5pt; color: var(--muted); }
table.items td { border-bottom: 1px solid var(--faint); padding: 2px 4px; height: 6.2mm; vertical-align: top; }
table.items td.w { border-left: 1px solid var(--faint); }
table.items tr.group td { font-weight: 600; height: auto; padding-top: 3px; }
table.items tr.group td.w { border-left: none; }
.what .row { display: flex; align-items: flex-start; gap: 6px; padding-left: calc(var(--depth, 0) * 5mm); }
.box { flex: none; display: inline-block; width: 11px; height: 11px; border: 1.4px solid var(--ink); border-radius: 2px; margin-top: 2px; }
.trigger .box { border-radius: 50%; }
.optional { color: var(--muted); font-size: 7.5pt; font-weight: normal; margin-left: 4px; }
.needs { color: var(--muted); font-size: 7.5pt; white-space: nowrap; margin-left: 4px; }
.hint { color: var(--muted); font-size: 7pt; }
.check { display: block; margin: 1px 0 0; font: 7.5pt/1.25 ui-monospace, Menlo, Consolas, monospace;
  color: var(--muted); white-space: pre-wrap; overflow-wrap: anywhere; }
.scope { font-weight: normal; color: var(--accent); font-size: 7.5pt; border: 1px solid var(--accent);
  border-radius: 3px; padding: 0 4px; margin-left: 6px; vertical-align: 1px; white-space: nowrap; }
.signature { display: grid; grid-template-columns: 2fr 2fr 1.3fr; gap: 0 18px; font-size: 8pt; color: var(--muted); }
.signature div { border-top: 1px solid var(--ink); padding-top: 1px; margin-top: 9mm; }
.refused { display: flex; align-items: flex-end; gap: 8px; font-size: 8pt; color: var(--muted); height: 8mm; margin-bottom: 4px; }
footer { margin-top: 16px; color: var(--muted); font-size: 8pt; border-top: 1px solid var(--faint); padding-top: 4px; }
@media print {
  body { padding: 0; max-width: none; font-size: 9pt; }
  footer { display: none; }
}
"#;

pub fn write_html(out: &mut dyn Write, sheet: &Sheet<'_>) -> io::Result<()> {
    let checklist = sheet.checklist;
    let title = escape(&checklist.title);
    let environment = escape(&sheet.environment_label());
    writeln!(out, "<!DOCTYPE html>")?;
    writeln!(out, "<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">")?;
    writeln!(
        out,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    )?;
    writeln!(out, "<title>{title} · {environment} · run sheet</title>")?;
    writeln!(out, "<style>{STYLE}")?;
    // The margins of every printed page: which sheet, which page, which checklist bytes.
    // Chromium prints @page margin boxes, so page numbers need no script.
    writeln!(
        out,
        "@page {{ size: auto; margin: 13mm 11mm 14mm;\n  @top-left {{ content: {}; font: 7.5pt sans-serif; color: #57606a; }}\n  @top-right {{ content: {}; font: 7.5pt sans-serif; color: #57606a; }}\n  @bottom-left {{ content: {}; font: 7pt monospace; color: #57606a; }}\n  @bottom-right {{ content: \"Page \" counter(page) \" of \" counter(pages); font: 7.5pt sans-serif; color: #57606a; }}\n}}",
        css_string(&checklist.title),
        css_string(&format!("Environment: {}", sheet.environment_label())),
        css_string(&format!("sha256 {}", sheet.sha256())),
    )?;
    writeln!(out, "</style>\n</head>\n<body>")?;
    writeln!(out, "<header class=\"sheet\">\n<h1>{title}</h1>")?;
    writeln!(
        out,
        "<p class=\"meta\">Environment: <strong>{environment}</strong> · Source: <code>{}</code> · {} items · sha256 <code>{}</code></p>",
        escape(&checklist.source.path),
        sheet.item_count(),
        escape(sheet.sha256()),
    )?;
    if let Some(description) = &checklist.description {
        writeln!(out, "<p class=\"description\">{}</p>", escape(description))?;
    }
    writeln!(out, "</header>")?;
    write_cover(out, sheet)?;
    for phase in &checklist.phases {
        let class = match phase.kind {
            PhaseKind::Steps => "",
            PhaseKind::Rollback => " class=\"rollback\"",
            PhaseKind::Signoff => " class=\"signoff\"",
        };
        let count: usize = phase.sections.iter().map(|s| s.all_items().count()).sum();
        writeln!(out, "<section class=\"phase\">")?;
        // The heading and its note travel with the first section, never alone at the
        // foot of a page.
        writeln!(out, "<div class=\"keep\">")?;
        writeln!(
            out,
            "<h2{class}>{}<span class=\"count\">{count}</span></h2>",
            escape(&phase.title)
        )?;
        if let Some(note) = phase_note(phase.kind) {
            writeln!(out, "<p class=\"note\">{}</p>", escape(note))?;
        }
        for (index, section) in phase.sections.iter().enumerate() {
            write_section(out, sheet, &phase.title, section)?;
            if index == 0 {
                writeln!(out, "</div>")?;
            }
        }
        if phase.sections.is_empty() {
            writeln!(out, "</div>")?;
        }
        writeln!(out, "</section>")?;
    }
    writeln!(
        out,
        "<footer>Generated by deploycheck from {} (sha256 {}).</footer>",
        escape(&checklist.source.path),
        escape(sheet.sha256())
    )?;
    writeln!(out, "</body>\n</html>")
}

/// Page 1 below the title: run fields, the verdict box, contacts and the marks.
fn write_cover(out: &mut dyn Write, sheet: &Sheet<'_>) -> io::Result<()> {
    let checklist = sheet.checklist;
    if !checklist.fields.is_empty() {
        writeln!(out, "<section class=\"fields\">")?;
        for field in &checklist.fields {
            writeln!(
                out,
                "<div class=\"field\">{}<span class=\"line\"></span></div>",
                escape(&field.name)
            )?;
        }
        writeln!(out, "</section>")?;
    }
    writeln!(
        out,
        "<section class=\"verdict\">\n<div class=\"title\">Verdict<span>tick one when the run ends</span></div>\n<div class=\"choices\">"
    )?;
    for (verdict, rule) in VERDICT_RULES {
        writeln!(
            out,
            "<div class=\"choice\"><span class=\"box\"></span><strong>{}</strong><small>{}</small></div>",
            escape(verdict.as_str()),
            escape(rule)
        )?;
    }
    writeln!(
        out,
        "</div>\n<div class=\"decided\"><div>Decided by<span class=\"line\"></span></div><div>Date and time<span class=\"line\"></span></div></div>\n</section>"
    )?;
    if !checklist.contacts.is_empty() {
        writeln!(
            out,
            "<table class=\"contacts\"><caption>Emergency contacts</caption><thead><tr><th>Role</th><th>Name</th><th>Email</th><th>Phone</th></tr></thead><tbody>"
        )?;
        for contact in &checklist.contacts {
            let cell = |v: &Option<String>| v.as_deref().map(escape).unwrap_or_default();
            writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&contact.role),
                cell(&contact.name),
                cell(&contact.email),
                cell(&contact.phone)
            )?;
        }
        writeln!(out, "</tbody></table>")?;
    }
    writeln!(out, "<p class=\"legend\">{}</p>", escape(&marks_legend()))
}

/// One section as one table: its header row names the section and the write-in columns,
/// and repeats on the next page if a section too long for one page has to break.
fn write_section(
    out: &mut dyn Write,
    sheet: &Sheet<'_>,
    phase_title: &str,
    section: &Section,
) -> io::Result<()> {
    let signoff = section.kind == SectionKind::Signoff;
    let class = if signoff { "signoff-block" } else { "section" };
    writeln!(out, "<div class=\"{class}\">")?;
    let scope = scope_label(sheet, &section.environments)
        .map(|s| format!("<span class=\"scope\">{}</span>", escape(&s)))
        .unwrap_or_default();
    let heading = if signoff {
        format!(
            "Sign-off: {}",
            section.role.as_deref().unwrap_or(&section.title)
        )
    } else if section.title != phase_title {
        section.title.clone()
    } else {
        String::new()
    };
    let note = section_note(section.kind)
        .map(|note| format!("<p class=\"note\">{}</p>", escape(note)))
        .unwrap_or_default();
    let trigger = section.kind == SectionKind::Triggers;
    let class = if trigger { "items trigger" } else { "items" };
    writeln!(
        out,
        "<table class=\"{class}\"><colgroup><col class=\"what\"><col class=\"init\"><col class=\"time\"><col class=\"why\"></colgroup>"
    )?;
    let heading = if heading.is_empty() {
        format!("{scope}{note}")
    } else {
        format!("<h3>{}</h3>{scope}{note}", escape(&heading))
    };
    write!(out, "<thead><tr><th class=\"what\">{heading}</th>")?;
    for column in WRITE_INS {
        write!(out, "<th class=\"col\">{}</th>", escape(column))?;
    }
    writeln!(out, "</tr></thead>")?;
    // A parent and its children are one body, kept on one page; runs of plain items
    // share one.
    let mut open = false;
    for item in &section.items {
        let group = !item.children.is_empty();
        if open && group {
            writeln!(out, "</tbody>")?;
            open = false;
        }
        if !open {
            writeln!(out, "<tbody>")?;
            open = true;
        }
        write_item(out, item, 0, trigger)?;
        if group {
            writeln!(out, "</tbody>")?;
            open = false;
        }
    }
    if open {
        writeln!(out, "</tbody>")?;
    }
    writeln!(out, "</table>")?;
    if signoff {
        writeln!(
            out,
            "<div class=\"signature\"><div>Name</div><div>Signature</div><div>Date and time</div></div>\n<div class=\"refused\">or refused, because<span class=\"line\"></span></div>"
        )?;
    }
    writeln!(out, "</div>")
}

fn write_item(out: &mut dyn Write, item: &Item, depth: usize, trigger: bool) -> io::Result<()> {
    let optional = if item.optional {
        "<span class=\"optional\">optional</span>"
    } else {
        ""
    };
    let needs = item
        .threshold
        .as_ref()
        .map(|t| {
            format!(
                " <span class=\"needs\">{}</span>",
                escape(&requirement(t, trigger))
            )
        })
        .unwrap_or_default();
    let depth_style = if depth > 0 {
        format!(" style=\"--depth: {depth}\"")
    } else {
        String::new()
    };
    // A parent's status follows from its children, so it gets no box and no write-ins.
    let (class, box_) = if item.children.is_empty() {
        ("item", "<span class=\"box\"></span>")
    } else {
        ("item group", "")
    };
    let value = if item.threshold.is_some() {
        "<span class=\"hint\">value</span>"
    } else {
        ""
    };
    // The command that gathers the evidence, under the item's text, to be run by hand.
    let check = item
        .check
        .as_ref()
        .map(|c| {
            format!(
                "<code class=\"check\">$ {} (check, time-out {} s)</code>",
                escape(&c.run),
                c.timeout_s
            )
        })
        .unwrap_or_default();
    writeln!(
        out,
        "<tr class=\"{class}\"><td class=\"what\"><div class=\"row\"{depth_style}>{box_}<span>{}{optional}{needs}{check}</span></div></td><td class=\"w\"></td><td class=\"w\"></td><td class=\"w\">{value}</td></tr>",
        escape(&item.text)
    )?;
    for child in &item.children {
        write_item(out, child, depth + 1, trigger)?;
    }
    Ok(())
}

use crate::render::escape_markup as escape;

/// A CSS string literal: quotes and backslashes escaped, line breaks as `\A`.
fn css_string(text: &str) -> String {
    let mut out = String::from("\"");
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\A "),
            '<' => out.push_str("\\3C "),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
