//! `deploycheck report`: one record, summarised for a person, a pull request, a program or
//! a CI dashboard.

use std::io::{self, Write};

use serde::Serialize;

use super::Style;
use crate::model::{Record, RecordItem, RecordSignoff, Status, Verdict};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Table,
    Markdown,
    Json,
    Junit,
}

/// What the report says beside the record itself.
pub struct ReportContext<'a> {
    pub path: &'a str,
    /// Whether the record's digest matches its content.
    pub digest_ok: bool,
}

const ATTENTION: [Status; 5] = [
    Status::Failed,
    Status::Holds,
    Status::Deferred,
    Status::Skipped,
    Status::NotApplicable,
];

fn counts(record: &Record) -> Vec<(Status, usize)> {
    [
        Status::Done,
        Status::Failed,
        Status::Skipped,
        Status::NotApplicable,
        Status::Deferred,
        Status::Clear,
        Status::Holds,
        Status::Pending,
    ]
    .into_iter()
    .map(|s| (s, record.items.iter().filter(|i| i.status == s).count()))
    .collect()
}

fn measured(record: &Record) -> impl Iterator<Item = &RecordItem> {
    record.items.iter().filter(|i| i.value.is_some())
}

pub fn write_report(
    out: &mut dyn Write,
    record: &Record,
    context: &ReportContext<'_>,
    format: ReportFormat,
    style: Style,
) -> io::Result<()> {
    match format {
        ReportFormat::Table => table(out, record, context, style),
        ReportFormat::Markdown => markdown(out, record, context),
        ReportFormat::Json => json(out, record, context),
        ReportFormat::Junit => junit(out, record),
    }
}

fn table(
    out: &mut dyn Write,
    record: &Record,
    context: &ReportContext<'_>,
    style: Style,
) -> io::Result<()> {
    let verdict = match record.verdict {
        Verdict::Go => style.green(&style.bold("GO")),
        Verdict::NoGo => style.red(&style.bold("NO-GO")),
        other => style.yellow(&style.bold(other.as_str())),
    };
    writeln!(
        out,
        "{verdict}  {} · {}",
        record.checklist.title, record.environment
    )?;
    writeln!(
        out,
        "run by {} on {} · {} → {}",
        record.operator,
        record.host,
        record.started_at,
        record.finished_at.as_deref().unwrap_or("not finished")
    )?;
    for (name, value) in &record.fields.0 {
        writeln!(out, "{name}: {}", value.as_deref().unwrap_or("—"))?;
    }
    let tally: Vec<String> = counts(record)
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    writeln!(out, "{}", tally.join(style.separator()))?;
    let attention: Vec<&RecordItem> = ATTENTION
        .iter()
        .flat_map(|s| record.items.iter().filter(move |i| i.status == *s))
        .collect();
    if !attention.is_empty() {
        let mut table = super::table(style);
        table.set_header(["Status", "Item", "Reason", "Value"]);
        for item in attention {
            table.add_row([
                item.status.to_string(),
                item.text.clone(),
                item.reason.clone().unwrap_or_default(),
                item.value.clone().unwrap_or_default(),
            ]);
        }
        writeln!(out, "{table}")?;
    }
    let passed: Vec<&RecordItem> = measured(record)
        .filter(|i| matches!(i.status, Status::Done | Status::Clear))
        .collect();
    if !passed.is_empty() {
        let mut table = super::table(style);
        table.set_header(["Measured and passed", "Value"]);
        for item in passed {
            table.add_row([item.text.clone(), item.value.clone().unwrap_or_default()]);
        }
        writeln!(out, "{table}")?;
    }
    if record.rollback.started {
        writeln!(
            out,
            "{}",
            style.yellow(&format!(
                "rollback started {}; triggers held: {}",
                record.rollback.started_at.as_deref().unwrap_or(""),
                if record.rollback.triggers_held.is_empty() {
                    "none (started by hand)".to_string()
                } else {
                    record.rollback.triggers_held.join(", ")
                }
            ))
        )?;
    }
    for signoff in &record.signoffs {
        match signoff {
            RecordSignoff::Given { role, name, at, .. } => {
                writeln!(out, "signed off: {role} by {name} at {at}")?
            }
            RecordSignoff::Refused { role, refused, at } => writeln!(
                out,
                "{}",
                style.red(&format!("refused: {role} at {at}: {refused}"))
            )?,
        }
    }
    for signature in &record.signatures {
        writeln!(
            out,
            "SSH signature: {} by {} at {} (check with `deploycheck verify`)",
            signature.role, signature.signer, signature.at
        )?;
    }
    if !context.digest_ok {
        writeln!(out, "{}", style.red("warning: the digest does not match the content; this record was edited after it was written (`deploycheck verify` says more)"))?;
    }
    Ok(())
}

fn markdown(out: &mut dyn Write, record: &Record, context: &ReportContext<'_>) -> io::Result<()> {
    let mark = match record.verdict {
        Verdict::Go => "✅",
        Verdict::NoGo => "❌",
        Verdict::RolledBack => "↩️",
        Verdict::Incomplete => "⏸️",
    };
    writeln!(
        out,
        "### {mark} {}: {} ({})\n",
        record.verdict,
        md(&record.checklist.title),
        md(&record.environment)
    )?;
    writeln!(
        out,
        "Run by **{}** on `{}`, {} → {}. Record `{}`.\n",
        md(&record.operator),
        md(&record.host),
        record.started_at,
        record.finished_at.as_deref().unwrap_or("not finished"),
        context.path
    )?;
    if !record.fields.0.is_empty() {
        let fields: Vec<String> = record
            .fields
            .0
            .iter()
            .map(|(n, v)| format!("**{}:** {}", md(n), md(v.as_deref().unwrap_or("—"))))
            .collect();
        writeln!(out, "{}\n", fields.join(" · "))?;
    }
    let tally: Vec<String> = counts(record)
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    writeln!(out, "{}\n", tally.join(" · "))?;
    let attention: Vec<&RecordItem> = ATTENTION
        .iter()
        .flat_map(|s| record.items.iter().filter(move |i| i.status == *s))
        .collect();
    if !attention.is_empty() {
        writeln!(out, "| Status | Item | Reason | Value |\n|---|---|---|---|")?;
        for item in attention {
            writeln!(
                out,
                "| {} | {} | {} | {} |",
                item.status,
                cell(&item.text),
                cell(item.reason.as_deref().unwrap_or("")),
                cell(item.value.as_deref().unwrap_or(""))
            )?;
        }
        writeln!(out)?;
    }
    if record.rollback.started {
        writeln!(
            out,
            "**Rollback** started {}; triggers held: {}\n",
            record.rollback.started_at.as_deref().unwrap_or(""),
            record.rollback.triggers_held.join(", ")
        )?;
    }
    if !record.signoffs.is_empty() {
        let signoffs: Vec<String> = record
            .signoffs
            .iter()
            .map(|s| match s {
                RecordSignoff::Given { role, name, .. } => format!("{} ✓ {}", md(role), md(name)),
                RecordSignoff::Refused { role, refused, .. } => {
                    format!("{} ✗ refused: {}", md(role), md(refused))
                }
            })
            .collect();
        writeln!(out, "Sign-offs: {}\n", signoffs.join(" · "))?;
    }
    if !context.digest_ok {
        writeln!(
            out,
            "> **Warning:** the digest does not match the content; the record was edited after it was written.\n"
        )?;
    }
    writeln!(out, "<sub>digest `{}`</sub>", record.digest)
}

use super::escape_markdown as md;

fn cell(text: &str) -> String {
    md(text).replace('\n', " ")
}

#[derive(Serialize)]
struct JsonReport<'a> {
    verdict: Verdict,
    record: &'a str,
    digest_ok: bool,
    checklist: &'a crate::model::RecordChecklist,
    environment: &'a str,
    operator: &'a str,
    host: &'a str,
    started_at: &'a str,
    finished_at: Option<&'a str>,
    fields: &'a crate::model::FieldValues,
    counts: serde_json::Map<String, serde_json::Value>,
    failed: Vec<&'a RecordItem>,
    holds: Vec<&'a RecordItem>,
    deferred: Vec<&'a RecordItem>,
    skipped: Vec<&'a RecordItem>,
    not_applicable: Vec<&'a RecordItem>,
    measured: Vec<&'a RecordItem>,
    rollback: &'a crate::model::RecordRollback,
    signoffs: &'a [RecordSignoff],
    signatures: usize,
}

fn json(out: &mut dyn Write, record: &Record, context: &ReportContext<'_>) -> io::Result<()> {
    let by = |status: Status| {
        record
            .items
            .iter()
            .filter(|i| i.status == status)
            .collect::<Vec<_>>()
    };
    let report = JsonReport {
        verdict: record.verdict,
        record: context.path,
        digest_ok: context.digest_ok,
        checklist: &record.checklist,
        environment: &record.environment,
        operator: &record.operator,
        host: &record.host,
        started_at: &record.started_at,
        finished_at: record.finished_at.as_deref(),
        fields: &record.fields,
        counts: counts(record)
            .into_iter()
            .map(|(s, n)| (s.to_string(), n.into()))
            .collect(),
        failed: by(Status::Failed),
        holds: by(Status::Holds),
        deferred: by(Status::Deferred),
        skipped: by(Status::Skipped),
        not_applicable: by(Status::NotApplicable),
        measured: measured(record).collect(),
        rollback: &record.rollback,
        signoffs: &record.signoffs,
        signatures: record.signatures.len(),
    };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)
}

/// One testcase per item (classname phase/section): failures for failed items and held
/// triggers, skipped for skipped, n/a, deferred and pending ones.
fn junit(out: &mut dyn Write, record: &Record) -> io::Result<()> {
    let failures = record
        .items
        .iter()
        .filter(|i| matches!(i.status, Status::Failed | Status::Holds))
        .count();
    let skipped = record
        .items
        .iter()
        .filter(|i| {
            matches!(
                i.status,
                Status::Skipped | Status::NotApplicable | Status::Deferred | Status::Pending
            )
        })
        .count();
    let name = format!("{} ({})", record.checklist.title, record.environment);
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="deploycheck" tests="{}" failures="{failures}" skipped="{skipped}">"#,
        record.items.len()
    )?;
    writeln!(
        out,
        r#"  <testsuite name="{}" tests="{}" failures="{failures}" skipped="{skipped}" timestamp="{}" hostname="{}">"#,
        xml(&name),
        record.items.len(),
        xml(&record.started_at),
        xml(&record.host)
    )?;
    writeln!(
        out,
        r#"    <properties><property name="verdict" value="{}"/><property name="digest" value="{}"/></properties>"#,
        record.verdict,
        xml(&record.digest)
    )?;
    for item in &record.items {
        let classname = format!("{}/{}", item.phase, item.section);
        let message = match (&item.reason, &item.value) {
            (Some(reason), Some(value)) => format!("{reason} (measured {value})"),
            (Some(reason), None) => reason.clone(),
            (None, Some(value)) => format!("measured {value}"),
            (None, None) => String::new(),
        };
        let open = format!(
            r#"    <testcase classname="{}" name="{}" id="{}""#,
            xml(&classname),
            xml(&item.text),
            xml(&item.id)
        );
        match item.status {
            Status::Failed | Status::Holds => {
                let kind = if item.status == Status::Holds {
                    "rollback trigger holds"
                } else {
                    "failed"
                };
                writeln!(
                    out,
                    r#"{open}><failure type="{kind}" message="{}"/></testcase>"#,
                    xml(&message)
                )?;
            }
            Status::Skipped | Status::NotApplicable | Status::Deferred | Status::Pending => {
                let message = if message.is_empty() {
                    item.status.to_string()
                } else {
                    format!("{}: {message}", item.status)
                };
                writeln!(
                    out,
                    r#"{open}><skipped message="{}"/></testcase>"#,
                    xml(&message)
                )?;
            }
            Status::Done | Status::Clear => writeln!(out, "{open}/>")?,
        }
    }
    writeln!(out, "  </testsuite>\n</testsuites>")
}

/// XML attribute text: markup escaped, line breaks kept, other control characters
/// (which XML 1.0 cannot carry) dropped.
fn xml(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .filter(|&c| c == '\n' || c == '\t' || (c as u32) >= 0x20)
        .collect();
    super::escape_markup(&cleaned).replace('\n', "&#10;")
}
