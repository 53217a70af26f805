//! `deploycheck report`: one record, summarised for a person, a pull request, a program or
//! a CI dashboard.

use std::io::{self, Write};

use serde::Serialize;

use super::Style;
use crate::model::{Record, RecordItem, RecordSignoff, SignoffStatus, Status, Verdict};
use crate::run::RunState;

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
    /// The run's state: the stored record's own sign-offs, and the addenda added since
    /// (the record reported is the state's effective one).
    pub state: &'a RunState,
}

/// A sign-off given after the run, in an addendum, as every report format shows it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct LaterSignoff {
    pub role: String,
    pub name: String,
    pub at: crate::model::Timestamp,
    /// Why the role refused; `null` for a sign-off.
    pub refused: Option<String>,
    pub statements: Vec<String>,
    /// `ssh-ed25519 SHA256:...` when an SSH signature beside it is good; `null` unsigned.
    pub signed_with: Option<String>,
    pub file: String,
}

impl LaterSignoff {
    /// `signed off later: Security Team by dana@example.com at 2026-11-24T09:15:00+00:00
    /// (ssh-ed25519 SHA256:...; signoff-security-team-20261124T091500Z.yaml)`.
    pub fn line(&self) -> String {
        let key = self.signed_with.as_deref().unwrap_or("no SSH signature");
        let file = self.file.rsplit('/').next().unwrap_or(&self.file);
        match &self.refused {
            Some(reason) => format!(
                "refused later: {} by {} at {}: {reason} ({key}; {file})",
                self.role, self.name, self.at
            ),
            None => format!(
                "signed off later: {} by {} at {} ({key}; {file})",
                self.role, self.name, self.at
            ),
        }
    }
}

/// The state's valid sign-off addenda, oldest first.
pub(crate) fn later_signoffs(state: &RunState) -> Vec<LaterSignoff> {
    state
        .signoffs()
        .map(|(addendum, signoff)| LaterSignoff {
            role: signoff.role.clone(),
            name: signoff.name.clone(),
            at: signoff.at.clone(),
            refused: signoff.refused.clone(),
            statements: signoff.statements.clone(),
            signed_with: addendum
                .signature
                .as_ref()
                .map(|s| format!("{} {}", s.algorithm(), s.fingerprint)),
            file: addendum.shown.clone(),
        })
        .collect()
}

/// `runs/RUN/signoff-x.yaml does not count: why`, for each rejected addendum.
pub(crate) fn rejected_lines(state: &RunState) -> Vec<String> {
    state
        .rejected
        .iter()
        .map(|r| format!("{} does not count: {}", r.shown, r.reason))
        .collect()
}

/// An item a reader of the record should see: not simply done, or done with something to
/// say (an override, a measured value, a note). Every report format and the end screen
/// list exactly these, so none of them hides what another shows.
pub(crate) struct Notable<'a> {
    pub item: &'a RecordItem,
    /// `failed`, `done (override)`, `holds`, `done (measured)`.
    pub label: String,
    /// The reason, or what the threshold made of the value.
    pub why: String,
    pub value: String,
    pub who: String,
}

pub(crate) fn notable(record: &Record) -> Vec<Notable<'_>> {
    let order = |item: &RecordItem| -> Option<u8> {
        Some(match item.status {
            Status::Failed => 0,
            Status::Holds => 1,
            _ if item.overridden => 2,
            Status::Deferred => 3,
            Status::Pending if item.follow_up.is_some() => 4,
            Status::Skipped => 5,
            Status::NotApplicable if item.reason.is_some() || item.note.is_some() => 6,
            Status::Pending if item.reason.is_none() && item.how.is_none() => return None,
            _ if item.late.is_some() => 7,
            _ if item.follow_up.is_some() => 7,
            _ if item.value.is_some() => 8,
            _ if item.note.is_some() => 9,
            _ if item.early.is_some() => 10,
            _ => return None,
        })
    };
    let mut rows: Vec<(u8, Notable<'_>)> = record
        .items
        .iter()
        .filter(|i| i.how != Some(crate::model::How::Derived))
        .filter_map(|item| {
            let rank = order(item)?;
            let label = match (item.overridden, item.value.is_some(), item.status) {
                (_, _, Status::Pending) if item.follow_up.is_some() => "follow-up".to_string(),
                (false, _, status) if item.late.is_some() => format!("{status} (late)"),
                (false, _, status) if item.follow_up.is_some() => {
                    format!("{status} (follow-up)")
                }
                (false, _, status) if item.early.is_some() => format!("{status} (early)"),
                (true, _, status) => format!("{status} (override)"),
                (false, true, Status::Done | Status::Clear) => {
                    format!("{} (measured)", item.status)
                }
                (_, _, status) => status.to_string(),
            };
            let mut why = match (&item.reason, &item.judgement, item.overridden) {
                (Some(reason), Some(judged), true) => format!("{reason} (measured: {judged})"),
                (Some(reason), _, _) => reason.clone(),
                (None, Some(judged), _) => judged.clone(),
                (None, None, _) => String::new(),
            };
            let timing = match (&item.follow_up, &item.late, &item.early) {
                (Some(follow_up), ..) if item.status == Status::Pending => {
                    why.clear();
                    Some(format!(
                        "due by {}",
                        follow_up.due.instant().format("%Y-%m-%d %H:%M")
                    ))
                }
                (Some(_), Some(late), _) => {
                    Some(format!("a follow-up, {late} after its window closed"))
                }
                (_, Some(late), _) => Some(format!("{late} after its window closed")),
                (Some(follow_up), None, None) => Some(format!(
                    "a follow-up, answered before it was due ({})",
                    follow_up.due.instant().format("%Y-%m-%d %H:%M")
                )),
                (_, _, Some(early)) => Some(format!(
                    "{} before its window opened: {}",
                    early.by, early.reason
                )),
                _ => None,
            };
            if let Some(timing) = timing {
                why = if why.is_empty() {
                    timing
                } else {
                    format!("{timing}; {why}")
                };
            }
            if let Some(note) = &item.note {
                if !why.is_empty() {
                    why.push_str("; ");
                }
                why.push_str("note: ");
                why.push_str(note);
            }
            let who = match (&item.answered_by, &item.answered_at) {
                // Another day than the run's (a follow-up): the date says which.
                (Some(by), Some(at))
                    if at.instant().date_naive() != record.started_at.instant().date_naive() =>
                {
                    format!("{by} {}", at.instant().format("%Y-%m-%d %H:%M"))
                }
                (Some(by), Some(at)) => format!("{by} {}", short_time(at)),
                _ => String::new(),
            };
            Some((
                rank,
                Notable {
                    item,
                    label,
                    why,
                    value: item.value.clone().unwrap_or_default(),
                    who,
                },
            ))
        })
        .collect();
    rows.sort_by_key(|(rank, _)| *rank);
    rows.into_iter().map(|(_, row)| row).collect()
}

/// `21:04` when the time is today's kind of detail; the full text stays in the record.
fn short_time(at: &crate::model::Timestamp) -> String {
    let text = at.as_str();
    text.get(11..16).unwrap_or(text).to_string()
}

/// `157 done · 1 failed`: the statuses that have items, in report order.
pub(crate) fn tally(counts: &crate::model::Counts) -> Vec<String> {
    counts
        .by_status()
        .filter(|(_, n)| *n > 0)
        .map(|(status, n)| format!("{n} {status}"))
        .collect()
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
    let verdict = super::summary::painted_verdict(record, style);
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
        finished(record)
    )?;
    for (name, value) in &record.fields.0 {
        writeln!(out, "{name}: {}", value.as_deref().unwrap_or("—"))?;
    }
    if let Some(at) = &record.deployed_at {
        writeln!(out, "deployment moment: {at}")?;
    }
    let mut tally = tally(&record.counts);
    if record.counts.follow_ups > 0 {
        tally.push(format!("{} follow-ups", record.counts.follow_ups));
    }
    writeln!(out, "{}", tally.join(style.separator()))?;
    let rows = notable(record);
    if !rows.is_empty() {
        let mut table = super::table(style);
        table.set_header(["Status", "Item", "Why", "Value", "By"]);
        for row in rows {
            table.add_row(
                [&row.label, &row.item.text, &row.why, &row.value, &row.who]
                    .map(|text| super::cell_text(text).into_owned()),
            );
        }
        writeln!(out, "{table}")?;
    }
    let checked: Vec<&RecordItem> = checked_items(record).collect();
    if !checked.is_empty() {
        writeln!(out, "Checks run:")?;
        for item in checked {
            for line in evidence_lines(item) {
                writeln!(out, "  {line}")?;
            }
        }
    }
    for line in rollback_lines(record) {
        writeln!(out, "{}", style.yellow(&line))?;
    }
    for line in signoff_lines(context.state) {
        writeln!(out, "{line}")?;
    }
    for signature in &record.signatures {
        writeln!(
            out,
            "SSH signature inside the record: {} by {} at {} (check with `deploycheck verify`)",
            signature.role, signature.signer, signature.at
        )?;
    }
    for line in rejected_lines(context.state) {
        writeln!(out, "{}", style.yellow(&format!("warning: {line}")))?;
    }
    for line in context.state.answered_more_than_once() {
        writeln!(out, "{}", style.yellow(&format!("warning: {line}")))?;
    }
    if !context.digest_ok {
        writeln!(out, "{}", style.red("warning: the digest does not match the content; this record was edited after it was written (`deploycheck verify` says more)"))?;
    }
    Ok(())
}

/// Items whose check ran at least once, in record order.
fn checked_items(record: &Record) -> impl Iterator<Item = &RecordItem> {
    record
        .items
        .iter()
        .filter(|i| i.evidence.as_ref().is_some_and(|e| !e.is_empty()))
}

/// `exit 0 · 12 ms · dana 22:01`: one execution in a few words.
fn execution_summary(evidence: &crate::model::Evidence) -> String {
    let took = evidence
        .duration_ms
        .map(|ms| format!(" · {ms} ms"))
        .unwrap_or_default();
    format!(
        "{}{took} · {} {}",
        evidence.outcome(),
        evidence.run_by,
        short_time(&evidence.started_at)
    )
}

/// One line per execution of the item's check, for the table report.
fn evidence_lines(item: &RecordItem) -> Vec<String> {
    let runs = item.evidence.as_deref().unwrap_or_default();
    runs.iter()
        .map(|evidence| {
            let last = evidence
                .last_line()
                .map(|l| format!(": {l}"))
                .unwrap_or_default();
            format!("{} — {}{last}", item.text, execution_summary(evidence))
        })
        .collect()
}

fn finished(record: &Record) -> String {
    match (&record.finished_at, &record.stopped) {
        (Some(at), _) => at.to_string(),
        (None, Some(stop)) => format!("stopped {} ({})", stop.at, stop.reason),
        (None, None) => "not finished".to_string(),
    }
}

/// The rollback, started or declined, with who, when and why.
pub(crate) fn rollback_lines(record: &Record) -> Vec<String> {
    let r = &record.rollback;
    let mut lines = Vec::new();
    let held = if r.triggers_held.is_empty() {
        "none".to_string()
    } else {
        r.triggers_held.join(", ")
    };
    if r.started {
        let why = match &r.reason {
            Some(reason) => format!("by hand: {reason}"),
            None => format!("triggers held: {held}"),
        };
        lines.push(format!(
            "rollback started {} by {}; {why}",
            r.started_at.as_ref().map(|t| t.as_str()).unwrap_or(""),
            r.started_by.as_deref().unwrap_or("?")
        ));
    }
    for declined in &r.declined {
        lines.push(format!(
            "rollback declined {} by {}: {} (triggers held: {})",
            declined.at,
            declined.by,
            declined.reason,
            declined.triggers.join(", ")
        ));
    }
    lines
}

/// Every role's sign-off as the run stands: as the record gives it (during the run), then
/// each sign-off or refusal added later in an addendum, with who, when and which key.
pub(crate) fn signoff_lines(state: &RunState) -> Vec<String> {
    let later = later_signoffs(state);
    let mut lines = Vec::new();
    for s in &state.record.signoffs {
        let added: Vec<&LaterSignoff> = later.iter().filter(|l| l.role == s.role).collect();
        match s.status {
            SignoffStatus::Signed => lines.push(format!(
                "signed off: {} by {} at {}",
                s.role,
                s.name.as_deref().unwrap_or("?"),
                s.at.as_ref().map(|t| t.as_str()).unwrap_or("")
            )),
            SignoffStatus::Refused => lines.push(format!(
                "refused: {} at {}: {}",
                s.role,
                s.at.as_ref().map(|t| t.as_str()).unwrap_or(""),
                s.reason.as_deref().unwrap_or("")
            )),
            SignoffStatus::Pending if added.is_empty() => {
                lines.push(format!("not signed: {}", s.role))
            }
            SignoffStatus::Awaiting if added.is_empty() => lines.push(format!(
                "awaiting sign-off: {} (left for later by {} at {})",
                s.role,
                s.by.as_deref().unwrap_or("?"),
                s.at.as_ref().map(|t| t.as_str()).unwrap_or("")
            )),
            SignoffStatus::Pending | SignoffStatus::Awaiting => {}
        }
        lines.extend(added.iter().map(|l| l.line()));
    }
    lines
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
    if !record.causes.is_empty() {
        writeln!(out, "**Why:** {}\n", md(&record.causes.join(", ")))?;
    }
    if !record.outstanding.is_empty() {
        writeln!(
            out,
            "**Waiting for:** {}\n",
            md(&record.outstanding.join(", "))
        )?;
    }
    writeln!(
        out,
        "Run by **{}** on `{}`, {} → {}. Record `{}`.\n",
        md(&record.operator),
        md(&record.host),
        record.started_at,
        finished(record),
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
    let tally = tally(&record.counts);
    writeln!(out, "{}\n", tally.join(" · "))?;
    let rows = notable(record);
    if !rows.is_empty() {
        writeln!(
            out,
            "| Status | Item | Why | Value | By |\n|---|---|---|---|---|"
        )?;
        for row in rows {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                cell(&row.label),
                cell(&row.item.text),
                cell(&row.why),
                cell(&row.value),
                cell(&row.who)
            )?;
        }
        writeln!(out)?;
    }
    let checked: Vec<&RecordItem> = checked_items(record).collect();
    if !checked.is_empty() {
        writeln!(out, "#### Evidence from checks\n")?;
        for item in checked {
            markdown_evidence(out, item)?;
        }
    }
    for line in rollback_lines(record) {
        writeln!(out, "**{}**\n", md(&line))?;
    }
    let signoffs = signoff_lines(context.state);
    if !signoffs.is_empty() {
        writeln!(out, "Sign-offs: {}\n", md(&signoffs.join(" · ")))?;
    }
    for line in rejected_lines(context.state)
        .into_iter()
        .chain(context.state.answered_more_than_once())
    {
        writeln!(out, "> **Warning:** {}\n", md(&line))?;
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

/// One collapsed block per checked item: the outcome of its last execution in the summary,
/// every execution inside, with its command and its output verbatim, each in a fence
/// longer than any run of backticks it holds.
fn markdown_evidence(out: &mut dyn Write, item: &RecordItem) -> io::Result<()> {
    let runs = item.evidence.as_deref().unwrap_or_default();
    let Some(last) = runs.last() else {
        return Ok(());
    };
    let mark = if last.passed() { "✅" } else { "❌" };
    let times = if runs.len() == 1 {
        String::new()
    } else {
        format!(" · run {} times", runs.len())
    };
    writeln!(
        out,
        "<details><summary>{mark} {} — {}{times}</summary>\n",
        super::escape_markup(&item.text),
        super::escape_markup(&execution_summary(last))
    )?;
    for evidence in runs {
        let truncated = if evidence.output_truncated {
            format!(
                " (printed {} bytes; the last 8 KiB are kept)",
                evidence.output_bytes
            )
        } else {
            String::new()
        };
        let took = evidence
            .duration_ms
            .map(|ms| format!(" in {ms} ms"))
            .unwrap_or_default();
        writeln!(
            out,
            "**{}**{took}, run by {} at {}{truncated}:\n",
            md(&evidence.outcome()),
            md(&evidence.run_by),
            evidence.started_at
        )?;
        for (language, text) in [
            ("sh", evidence.command.as_str()),
            ("text", &evidence.output),
        ] {
            let text = text.trim_end_matches('\n');
            if text.is_empty() {
                continue;
            }
            let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
            let fence = "`".repeat(longest.max(2) + 1);
            writeln!(out, "{fence}{language}\n{text}\n{fence}\n")?;
        }
    }
    writeln!(out, "</details>\n")
}

fn cell(text: &str) -> String {
    md(text).replace('\n', " ")
}

#[derive(Serialize)]
struct JsonReport<'a> {
    verdict: Verdict,
    causes: &'a [String],
    /// What the run still waits for: `awaiting sign-off: Security Team`.
    outstanding: &'a [String],
    /// The verdict, causes and outstanding as one line.
    headline: String,
    record: &'a str,
    digest_ok: bool,
    checklist: &'a crate::model::RecordChecklist,
    environment: &'a str,
    operator: &'a str,
    host: &'a str,
    started_at: &'a crate::model::Timestamp,
    finished_at: Option<&'a crate::model::Timestamp>,
    stopped: Option<&'a crate::model::RecordStop>,
    fields: &'a crate::model::FieldValues,
    counts: &'a crate::model::Counts,
    failed: Vec<&'a RecordItem>,
    holds: Vec<&'a RecordItem>,
    deferred: Vec<&'a RecordItem>,
    skipped: Vec<&'a RecordItem>,
    not_applicable: Vec<&'a RecordItem>,
    measured: Vec<&'a RecordItem>,
    overridden: Vec<&'a RecordItem>,
    noted: Vec<&'a RecordItem>,
    /// Items whose check ran, each with its evidence.
    checked: Vec<&'a RecordItem>,
    rollback: &'a crate::model::RecordRollback,
    signoffs: &'a [RecordSignoff],
    /// Sign-offs and refusals added after the run, one per addendum.
    later_signoffs: Vec<LaterSignoff>,
    /// Files that look like addenda but do not count, with why.
    rejected_addenda: Vec<JsonRejected<'a>>,
    signatures: usize,
}

#[derive(Serialize)]
struct JsonRejected<'a> {
    file: &'a str,
    reason: &'a str,
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
        causes: &record.causes,
        outstanding: &record.outstanding,
        headline: record.headline(),
        record: context.path,
        digest_ok: context.digest_ok,
        checklist: &record.checklist,
        environment: &record.environment,
        operator: &record.operator,
        host: &record.host,
        started_at: &record.started_at,
        finished_at: record.finished_at.as_ref(),
        stopped: record.stopped.as_ref(),
        fields: &record.fields,
        counts: &record.counts,
        failed: by(Status::Failed),
        holds: by(Status::Holds),
        deferred: by(Status::Deferred),
        skipped: by(Status::Skipped),
        not_applicable: by(Status::NotApplicable),
        measured: record.items.iter().filter(|i| i.value.is_some()).collect(),
        overridden: record.items.iter().filter(|i| i.overridden).collect(),
        noted: record.items.iter().filter(|i| i.note.is_some()).collect(),
        checked: checked_items(record).collect(),
        rollback: &record.rollback,
        signoffs: &record.signoffs,
        later_signoffs: later_signoffs(context.state),
        rejected_addenda: context
            .state
            .rejected
            .iter()
            .map(|r| JsonRejected {
                file: &r.shown,
                reason: &r.reason,
            })
            .collect(),
        signatures: record.signatures.len(),
    };
    crate::render::write_json(&mut *out, &report)?;
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
        xml(record.started_at.as_str()),
        xml(&record.host)
    )?;
    writeln!(
        out,
        r#"    <properties><property name="verdict" value="{}"/><property name="digest" value="{}"/></properties>"#,
        xml(&record.headline()),
        xml(&record.digest)
    )?;
    for item in &record.items {
        let classname = format!("{}/{}", item.phase, item.section);
        let mut message = match (&item.reason, &item.value) {
            (Some(reason), Some(value)) => format!("{reason} (measured {value})"),
            (Some(reason), None) => reason.clone(),
            (None, Some(value)) => format!("measured {value}"),
            (None, None) => String::new(),
        };
        if item.overridden {
            message = format!("override: {message}");
        }
        let mut out_text = Vec::new();
        if let Some(value) = &item.value {
            out_text.push(format!("measured: {value}"));
        }
        if let Some(judged) = &item.judgement {
            out_text.push(format!("judged: {judged}"));
        }
        if item.overridden {
            out_text.push(format!(
                "overridden: {}",
                item.reason.as_deref().unwrap_or("")
            ));
        }
        if let Some(note) = &item.note {
            out_text.push(format!("note: {note}"));
        }
        if let (Some(by), Some(at)) = (&item.answered_by, &item.answered_at) {
            out_text.push(format!("answered by {by} at {at}"));
        }
        for evidence in item.evidence.as_deref().unwrap_or_default() {
            out_text.push(format!(
                "check {} at {}:\n$ {}\n{}",
                execution_summary(evidence),
                evidence.started_at,
                evidence.command,
                evidence.output.trim_end_matches('\n')
            ));
        }
        let system_out = if out_text.is_empty() {
            String::new()
        } else {
            format!("<system-out>{}</system-out>", xml(&out_text.join("\n")))
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
                    r#"{open}><failure type="{kind}" message="{}"/>{system_out}</testcase>"#,
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
                    r#"{open}><skipped message="{}"/>{system_out}</testcase>"#,
                    xml(&message)
                )?;
            }
            Status::Done | Status::Clear if system_out.is_empty() => writeln!(out, "{open}/>")?,
            Status::Done | Status::Clear => writeln!(out, "{open}>{system_out}</testcase>")?,
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
