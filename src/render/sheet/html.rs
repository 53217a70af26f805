//! The printable HTML sheet: one self-contained file (inline CSS, no scripts, nothing
//! fetched) that reads on screen and prints compactly on A4 or Letter.

use std::io::{self, Write};

use super::{Sheet, phase_note, requirement, scope_label, section_note};
use crate::model::{Item, PhaseKind, SectionKind};

const STYLE: &str = r#"
:root { --ink: #1b1f24; --muted: #57606a; --rule: #d0d7de; --accent: #0b5cad; --warn: #9a3412; }
* { box-sizing: border-box; }
body { font: 10pt/1.35 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif,
    "Apple Color Emoji", "Segoe UI Emoji", "Noto Color Emoji";
  color: var(--ink); margin: 0 auto; max-width: 860px; padding: 28px 32px; }
header.sheet { border-bottom: 2px solid var(--ink); padding-bottom: 8px; margin-bottom: 10px; }
h1 { font-size: 17pt; margin: 0 0 4px; line-height: 1.2; }
.meta { color: var(--muted); font-size: 8.5pt; margin: 0; }
.meta code { font-size: 8.5pt; }
.description { margin: 6px 0 0; font-size: 9pt; }
.fields { display: grid; grid-template-columns: repeat(2, 1fr); gap: 10px 28px; margin: 14px 0 6px; }
.field { display: flex; align-items: baseline; gap: 8px; font-size: 9pt; font-weight: 600; }
.line { flex: 1; border-bottom: 1px solid var(--ink); min-width: 5em; height: 1.1em; }
h2 { font-size: 11.5pt; margin: 14px 0 4px; padding: 3px 8px; background: #f0f3f6;
  border-left: 4px solid var(--ink); break-after: avoid; page-break-after: avoid; }
h2.rollback { border-left-color: var(--warn); background: #fff4ed; }
h2.signoff { border-left-color: var(--accent); background: #eef5fc; }
h2 .count { font-weight: normal; color: var(--muted); font-size: 8.5pt; margin-left: 6px; }
/* Headings stay with what follows them and a parent with its children; a long section
   may run onto the next page rather than leave a quarter page blank. */
.section { margin: 0 0 2px; }
h3 { font-size: 10pt; margin: 8px 0 2px; break-after: avoid; page-break-after: avoid; }
.note { color: var(--warn); font-style: italic; font-size: 8.5pt; margin: 2px 0 4px; }
.scope { font-weight: normal; color: var(--accent); font-size: 7.5pt; border: 1px solid var(--accent);
  border-radius: 3px; padding: 0 4px; margin-left: 6px; vertical-align: 1px; white-space: nowrap; }
ul.items { list-style: none; margin: 0; padding: 0; }
ul.items ul.items { padding-left: 22px; }
li.item { padding: 1.5px 0; break-inside: avoid; page-break-inside: avoid; }
.row { display: flex; align-items: flex-start; gap: 8px; }
.box { flex: none; width: 11px; height: 11px; border: 1.4px solid var(--ink); border-radius: 2px; margin-top: 2.5px; }
.trigger .box { border-radius: 50%; }
.optional { color: var(--muted); font-size: 8pt; margin-left: 4px; }
.measure { display: flex; gap: 6px; align-items: baseline; font-size: 8.5pt; color: var(--muted); margin: 1px 0 2px 19px; }
.measure .line { flex: none; width: 9em; }
.signature { display: grid; grid-template-columns: 2fr 2fr 1.2fr; gap: 18px; margin: 16px 0 6px 19px;
  font-size: 8pt; color: var(--muted); }
.signature div { border-top: 1px solid var(--ink); padding-top: 2px; }
table.contacts { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin-top: 4px; break-inside: avoid; }
table.contacts th, table.contacts td { border: 1px solid var(--rule); padding: 3px 6px; text-align: left; }
table.contacts th { background: #f0f3f6; }
footer { margin-top: 16px; color: var(--muted); font-size: 8pt; border-top: 1px solid var(--rule); padding-top: 4px; }
@media print {
  body { padding: 0; max-width: none; font-size: 9.5pt; }
  header.sheet { margin-bottom: 6px; }
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
    // The page header and footer of printed pages: title, environment, page numbers.
    writeln!(
        out,
        "@page {{ size: auto; margin: 14mm 12mm 14mm;\n  @top-left {{ content: {}; font: 7.5pt sans-serif; color: #57606a; }}\n  @top-right {{ content: {}; font: 7.5pt sans-serif; color: #57606a; }}\n  @bottom-right {{ content: \"Page \" counter(page) \" of \" counter(pages); font: 7.5pt sans-serif; color: #57606a; }}\n}}",
        css_string(&checklist.title),
        css_string(&format!("Environment: {}", sheet.environment_label()))
    )?;
    writeln!(out, "</style>\n</head>\n<body>")?;
    writeln!(out, "<header class=\"sheet\">\n<h1>{title}</h1>")?;
    writeln!(
        out,
        "<p class=\"meta\">Environment: <strong>{environment}</strong> · Source: <code>{}</code> · sha256 <code>{}</code> · {} items</p>",
        escape(&checklist.source.path),
        escape(sheet.short_sha()),
        sheet.item_count()
    )?;
    if let Some(description) = &checklist.description {
        writeln!(out, "<p class=\"description\">{}</p>", escape(description))?;
    }
    writeln!(out, "</header>")?;
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
    for phase in &checklist.phases {
        let class = match phase.kind {
            PhaseKind::Steps => "",
            PhaseKind::Rollback => " class=\"rollback\"",
            PhaseKind::Signoff => " class=\"signoff\"",
        };
        let count: usize = phase.sections.iter().map(|s| s.all_items().count()).sum();
        writeln!(out, "<section class=\"phase\">")?;
        writeln!(
            out,
            "<h2{class}>{}<span class=\"count\">{count}</span></h2>",
            escape(&phase.title)
        )?;
        if let Some(note) = phase_note(phase.kind) {
            writeln!(out, "<p class=\"note\">{}</p>", escape(note))?;
        }
        for section in &phase.sections {
            writeln!(out, "<div class=\"section\">")?;
            let scope = scope_label(sheet, &section.environments)
                .map(|s| format!("<span class=\"scope\">{}</span>", escape(&s)))
                .unwrap_or_default();
            if section.title != phase.title || !scope.is_empty() {
                let heading = if section.kind == SectionKind::Signoff {
                    format!(
                        "Sign-off: {}",
                        section.role.as_deref().unwrap_or(&section.title)
                    )
                } else {
                    section.title.clone()
                };
                writeln!(out, "<h3>{}{scope}</h3>", escape(&heading))?;
            }
            if let Some(note) = section_note(section.kind) {
                writeln!(out, "<p class=\"note\">{}</p>", escape(note))?;
            }
            let trigger = section.kind == SectionKind::Triggers;
            let class = if trigger { "items trigger" } else { "items" };
            writeln!(out, "<ul class=\"{class}\">")?;
            for item in &section.items {
                write_item(out, item, trigger)?;
            }
            writeln!(out, "</ul>")?;
            if section.kind == SectionKind::Signoff {
                writeln!(
                    out,
                    "<div class=\"signature\"><div>Name</div><div>Signature</div><div>Date</div></div>"
                )?;
            }
            writeln!(out, "</div>")?;
        }
        writeln!(out, "</section>")?;
    }
    if !checklist.contacts.is_empty() {
        writeln!(
            out,
            "<section class=\"phase\">\n<h2>Emergency contacts</h2>"
        )?;
        writeln!(
            out,
            "<table class=\"contacts\"><thead><tr><th>Role</th><th>Name</th><th>Email</th><th>Phone</th></tr></thead><tbody>"
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
        writeln!(out, "</tbody></table>\n</section>")?;
    }
    writeln!(
        out,
        "<footer>Generated by deploycheck from {}.</footer>",
        escape(&checklist.source.path)
    )?;
    writeln!(out, "</body>\n</html>")
}

fn write_item(out: &mut dyn Write, item: &Item, trigger: bool) -> io::Result<()> {
    let optional = if item.optional {
        "<span class=\"optional\">optional</span>"
    } else {
        ""
    };
    write!(
        out,
        "<li class=\"item\"><div class=\"row\"><span class=\"box\"></span><span>{}{optional}</span></div>",
        escape(&item.text)
    )?;
    if let Some(threshold) = &item.threshold {
        write!(
            out,
            "<div class=\"measure\">measured <span class=\"line\"></span> {}</div>",
            escape(&requirement(threshold, trigger))
        )?;
    }
    if !item.children.is_empty() {
        writeln!(out, "\n<ul class=\"items\">")?;
        for child in &item.children {
            write_item(out, child, trigger)?;
        }
        write!(out, "</ul>")?;
    }
    writeln!(out, "</li>")
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
