//! The run record as YAML, written by hand because the record's shape is fixed and the
//! general emitter was a third of an answers-file run on a 100k-item checklist.
//!
//! Every string is written plain only when no YAML reader (1.1 or 1.2, PyYAML or yq)
//! could take it for anything else; otherwise it is double-quoted with JSON's escapes,
//! which are valid in YAML double-quoted scalars. So timestamps, values like `180ms`,
//! and words like `yes` stay strings everywhere. Multi-line text (armored signatures) is a
//! literal block. Reading a record back uses the YAML library; a property test checks
//! that what is written here always reads back equal.

use std::fmt::Write as _;

use crate::model::{Record, RecordSignoff};

pub fn record_to_yaml(record: &Record) -> String {
    let mut out = String::with_capacity(256 + record.items.len() * 320);
    let w = &mut out;
    entry(w, 0, "schema", Some(&record.schema));
    key(w, 0, "checklist");
    entry(w, 2, "title", Some(&record.checklist.title));
    entry(w, 2, "path", Some(&record.checklist.path));
    entry(w, 2, "sha256", Some(&record.checklist.sha256));
    entry(w, 0, "environment", Some(&record.environment));
    if record.fields.0.is_empty() {
        w.push_str("fields: {}\n");
    } else {
        key(w, 0, "fields");
        for (name, value) in &record.fields.0 {
            entry(w, 2, name, value.as_deref());
        }
    }
    entry(w, 0, "operator", Some(&record.operator));
    entry(w, 0, "host", Some(&record.host));
    entry(w, 0, "started_at", Some(&record.started_at));
    entry(w, 0, "finished_at", record.finished_at.as_deref());
    if record.items.is_empty() {
        w.push_str("items: []\n");
    } else {
        w.push_str("items:\n");
        for item in &record.items {
            item_entry(w, "id", Some(&item.id));
            entry(w, 2, "phase", Some(&item.phase));
            entry(w, 2, "section", Some(&item.section));
            entry(w, 2, "text", Some(&item.text));
            entry(w, 2, "status", Some(item.status.as_str()));
            entry(w, 2, "reason", item.reason.as_deref());
            entry(w, 2, "note", item.note.as_deref());
            entry(w, 2, "value", item.value.as_deref());
            entry(w, 2, "answered_at", item.answered_at.as_deref());
            entry(w, 2, "answered_by", item.answered_by.as_deref());
        }
    }
    key(w, 0, "rollback");
    let _ = writeln!(w, "  started: {}", record.rollback.started);
    entry(w, 2, "started_at", record.rollback.started_at.as_deref());
    list(w, 2, "triggers_held", &record.rollback.triggers_held);
    if record.signoffs.is_empty() {
        w.push_str("signoffs: []\n");
    } else {
        w.push_str("signoffs:\n");
        for signoff in &record.signoffs {
            match signoff {
                RecordSignoff::Given {
                    role,
                    name,
                    at,
                    statements,
                } => {
                    item_entry(w, "role", Some(role));
                    entry(w, 2, "name", Some(name));
                    entry(w, 2, "at", Some(at));
                    list(w, 2, "statements", statements);
                }
                RecordSignoff::Refused { role, refused, at } => {
                    item_entry(w, "role", Some(role));
                    entry(w, 2, "refused", Some(refused));
                    entry(w, 2, "at", Some(at));
                }
            }
        }
    }
    entry(w, 0, "verdict", Some(record.verdict.as_str()));
    entry(w, 0, "digest", Some(&record.digest));
    if record.signatures.is_empty() {
        w.push_str("signatures: []\n");
    } else {
        w.push_str("signatures:\n");
        for signature in &record.signatures {
            item_entry(w, "role", Some(&signature.role));
            entry(w, 2, "signer", Some(&signature.signer));
            entry(w, 2, "key", Some(&signature.key));
            entry(w, 2, "at", Some(&signature.at));
            entry(w, 2, "signature", Some(&signature.signature));
        }
    }
    out
}

fn key(w: &mut String, indent: usize, name: &str) {
    pad(w, indent);
    scalar(w, name);
    w.push_str(":\n");
}

/// The first key of a list item: written after `- `, it sits at column 2.
fn item_entry(w: &mut String, name: &str, value: Option<&str>) {
    w.push_str("- ");
    entry_at(w, 0, 2, name, value);
}

fn entry(w: &mut String, indent: usize, name: &str, value: Option<&str>) {
    entry_at(w, indent, indent, name, value);
}

/// `padding` spaces are written before the key; `column` is where the key logically
/// starts, which block content must be indented past.
fn entry_at(w: &mut String, padding: usize, column: usize, name: &str, value: Option<&str>) {
    pad(w, padding);
    scalar(w, name);
    w.push(':');
    match value {
        None => w.push_str(" null\n"),
        Some(value) if is_literal_block(value) => {
            w.push_str(if value.ends_with('\n') {
                " |\n"
            } else {
                " |-\n"
            });
            for line in value.lines() {
                if !line.is_empty() {
                    pad(w, column + 2);
                    w.push_str(line);
                }
                w.push('\n');
            }
        }
        Some(value) => {
            w.push(' ');
            scalar(w, value);
            w.push('\n');
        }
    }
}

fn list(w: &mut String, indent: usize, name: &str, values: &[String]) {
    pad(w, indent);
    w.push_str(name);
    if values.is_empty() {
        w.push_str(": []\n");
        return;
    }
    w.push_str(":\n");
    for value in values {
        pad(w, indent);
        w.push_str("- ");
        scalar(w, value);
        w.push('\n');
    }
}

fn pad(w: &mut String, indent: usize) {
    for _ in 0..indent {
        w.push(' ');
    }
}

fn scalar(w: &mut String, value: &str) {
    if is_plain_safe(value) {
        w.push_str(value);
    } else {
        quoted(w, value);
    }
}

/// A double-quoted scalar, escaped straight into the output: JSON's escapes (valid in YAML
/// double-quoted scalars), plus the characters YAML 1.1 reads as line breaks and the
/// byte-order mark.
fn quoted(w: &mut String, value: &str) {
    w.push('"');
    for ch in value.chars() {
        match ch {
            '"' => w.push_str("\\\""),
            '\\' => w.push_str("\\\\"),
            '\n' => w.push_str("\\n"),
            '\r' => w.push_str("\\r"),
            '\t' => w.push_str("\\t"),
            '\u{85}' => w.push_str("\\N"),
            '\u{2028}' => w.push_str("\\L"),
            '\u{2029}' => w.push_str("\\P"),
            '\u{feff}' => w.push_str("\\ufeff"),
            c if (c as u32) < 0x20 || ('\u{7f}'..='\u{9f}').contains(&c) => {
                let _ = write!(w, "\\u{:04x}", c as u32);
            }
            c => w.push(c),
        }
    }
    w.push('"');
}

/// Whether a string may be written without quotes and read back as the same string by any
/// YAML reader: no indicator at the start, nothing that starts a comment or a mapping,
/// nothing a 1.1 reader takes for a boolean, null, number or date.
fn is_plain_safe(value: &str) -> bool {
    let Some(first) = value.chars().next() else {
        return false;
    };
    let last = value.chars().next_back().unwrap_or(first);
    if first.is_whitespace() || last.is_whitespace() || last == ':' {
        return false;
    }
    if first.is_ascii_digit() || "-?:,[]{}#&*!|>'\"%@`.+~=<\\".contains(first) {
        return false;
    }
    if value.contains(": ") || value.contains(" #") || value.contains('\t') {
        return false;
    }
    if value
        .chars()
        .any(|c| c.is_control() || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}'))
    {
        return false;
    }
    // Only short words can be YAML 1.1 keywords; compare without allocating.
    value.len() > 5
        || ![
            "null", "true", "false", "yes", "no", "on", "off", "y", "n", "nan", "inf",
        ]
        .iter()
        .any(|word| value.eq_ignore_ascii_case(word))
}

/// Multi-line text that reads well as a literal block: printable, no trailing spaces, and
/// no leading space on its first line (which would need an indentation indicator).
fn is_literal_block(value: &str) -> bool {
    value.contains('\n')
        && !value.starts_with([' ', '\n'])
        && !value.ends_with("\n\n")
        && !value.contains('\r')
        && value.lines().all(|line| line == line.trim_end())
        && !value.chars().any(|c| {
            c.is_control() && c != '\n'
                || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}')
        })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::model::{
        FieldValues, RECORD_SCHEMA, RecordChecklist, RecordItem, RecordRollback, RecordSignature,
        Status, Verdict,
    };

    fn record(text: String, field: String) -> Record {
        let mut record = Record {
            schema: RECORD_SCHEMA.into(),
            checklist: RecordChecklist {
                title: text.clone(),
                path: "checklists/a b.md".into(),
                sha256: "00ff".into(),
            },
            environment: "production".into(),
            fields: FieldValues(vec![
                (field.clone(), Some(text.clone())),
                ("Version".into(), None),
            ]),
            operator: "dana".into(),
            host: "ops-1".into(),
            started_at: "2026-11-23T22:00:00+00:00".into(),
            finished_at: None,
            items: vec![RecordItem {
                id: "p/s/a".into(),
                phase: "P".into(),
                section: field.clone(),
                text: text.clone(),
                status: Status::NotApplicable,
                reason: Some(text.clone()),
                note: None,
                value: Some("180ms".into()),
                answered_at: Some("2026-11-23T22:00:01+00:00".into()),
                answered_by: Some(text.clone()),
            }],
            rollback: RecordRollback {
                started: true,
                started_at: Some("2026-11-23T22:00:02+00:00".into()),
                triggers_held: vec![text.clone()],
            },
            signoffs: vec![
                RecordSignoff::Given {
                    role: field.clone(),
                    name: text.clone(),
                    at: "2026-11-23T22:00:03+00:00".into(),
                    statements: vec![],
                },
                RecordSignoff::Refused {
                    role: "Security".into(),
                    refused: text.clone(),
                    at: "2026-11-23T22:00:04+00:00".into(),
                },
            ],
            verdict: Verdict::RolledBack,
            digest: String::new(),
            signatures: vec![RecordSignature {
                role: "Security".into(),
                signer: text.clone(),
                key: "ssh-ed25519 AAAAC3Nz dana@ops".into(),
                at: "2026-11-23T22:00:05+00:00".into(),
                signature: "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----"
                    .into(),
            }],
        };
        record.seal();
        record
    }

    fn read_back(yaml: &str) -> Record {
        crate::yaml::from_str(yaml, "record.yaml").unwrap_or_else(|e| panic!("{e}\n{yaml}"))
    }

    #[test]
    fn awkward_strings_read_back_as_written() {
        for text in [
            "yes",
            "No",
            "null",
            "~",
            "1.0",
            "0x1F",
            "2026-11-23",
            "12:30",
            "- item",
            "a: b",
            "a #b",
            "#x",
            "'q'",
            "\"dq\"",
            "",
            " lead",
            "trail ",
            "tab\there",
            "line\nbreak",
            "multi\nline\n",
            "café ✅",
            "\u{2028}",
            "@at",
            "!tag",
            "*alias",
            "&anchor",
            "key:",
            "%",
            "{x}",
            "[y]",
            "|",
            ">",
            "?",
            "N/A",
            "n/a",
            ".inf",
            "-1",
            "+1",
            "<br>",
            "\\back",
        ] {
            let original = record(text.to_string(), format!("Field {text}"));
            let yaml = record_to_yaml(&original);
            assert_eq!(read_back(&yaml), original, "{text:?}\n{yaml}");
        }
    }

    #[test]
    fn plain_words_stay_plain_and_dates_are_quoted() {
        let yaml = record_to_yaml(&record(
            "All unit tests passing".into(),
            "Deployment Date".into(),
        ));
        assert!(yaml.contains("  text: All unit tests passing\n"));
        assert!(yaml.contains("started_at: \"2026-11-23T22:00:00+00:00\"\n"));
        assert!(yaml.contains("  value: \"180ms\"\n"));
        assert!(yaml.contains("  status: n/a\n"));
        assert!(yaml.contains("  signature: |-\n    -----BEGIN SSH SIGNATURE-----\n"));
    }

    proptest! {
        #[test]
        fn strings_made_of_yaml_syntax_read_back_as_written(text in "[a-z \n:#'\"|>&*!%@.0-9-]{0,24}", field in "[a-z :#-]{1,8}") {
            let original = record(text, field);
            let yaml = record_to_yaml(&original);
            prop_assert_eq!(read_back(&yaml), original);
        }

        #[test]
        fn any_string_reads_back_as_written(text in any::<String>(), field in "[ -~]{1,12}") {
            let original = record(text, field);
            let yaml = record_to_yaml(&original);
            prop_assert_eq!(read_back(&yaml), original);
        }
    }
}
