//! Two run records compared item by item, keyed on item ID.
//!
//! Linear in the size of the records: one map of the first record's items by ID, one pass
//! over the second. Who and when are left out unless asked for, because two runs are
//! always by different people at different times.

use crate::{FastMap, FastSet};

use serde::Serialize;

use crate::model::{Record, RecordItem, RecordSignoff, SignoffStatus, Timestamp};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordDiff {
    pub verdict: Option<Change>,
    pub environment: Option<Change>,
    pub checklist: Option<Change>,
    pub fields: Vec<FieldChange>,
    pub items: Vec<ItemChange>,
    pub added: Vec<ItemSummary>,
    pub removed: Vec<ItemSummary>,
    pub signoffs: Vec<SignoffChange>,
    pub rollback: Option<Change>,
    /// Operators, hosts and times; only filled with `--all`.
    pub context: Vec<FieldChange>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub a: String,
    pub b: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub name: String,
    pub a: Option<String>,
    pub b: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemChange {
    pub id: String,
    pub text: String,
    /// Which parts differ, each with its two values.
    pub changes: Vec<FieldChange>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemSummary {
    pub id: String,
    pub text: String,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignoffChange {
    pub role: String,
    pub a: Option<String>,
    pub b: Option<String>,
}

impl RecordDiff {
    pub fn is_empty(&self) -> bool {
        self.verdict.is_none()
            && self.environment.is_none()
            && self.checklist.is_none()
            && self.fields.is_empty()
            && self.items.is_empty()
            && self.added.is_empty()
            && self.removed.is_empty()
            && self.signoffs.is_empty()
            && self.rollback.is_none()
            && self.context.is_empty()
    }
}

fn change(a: &str, b: &str) -> Option<Change> {
    (a != b).then(|| Change {
        a: a.to_string(),
        b: b.to_string(),
    })
}

fn summary(item: &RecordItem) -> ItemSummary {
    ItemSummary {
        id: item.id.clone(),
        text: item.text.clone(),
        status: item.status.to_string(),
    }
}

pub fn diff_records(a: &Record, b: &Record, include_context: bool) -> RecordDiff {
    let mut fields = Vec::new();
    let b_fields: FastMap<&str, &Option<String>> =
        b.fields.0.iter().map(|(n, v)| (n.as_str(), v)).collect();
    let a_names: FastSet<&str> = a.fields.0.iter().map(|(n, _)| n.as_str()).collect();
    for (name, value) in &a.fields.0 {
        let other = b_fields.get(name.as_str()).copied().cloned().flatten();
        if value.as_ref() != other.as_ref() || !b_fields.contains_key(name.as_str()) {
            fields.push(FieldChange {
                name: name.clone(),
                a: value.clone(),
                b: other,
            });
        }
    }
    for (name, value) in &b.fields.0 {
        if !a_names.contains(name.as_str()) {
            fields.push(FieldChange {
                name: name.clone(),
                a: None,
                b: value.clone(),
            });
        }
    }

    let a_items: FastMap<&str, &RecordItem> = a.items.iter().map(|i| (i.id.as_str(), i)).collect();
    let b_ids: FastSet<&str> = b.items.iter().map(|i| i.id.as_str()).collect();
    let mut items = Vec::new();
    let mut added = Vec::new();
    for item in &b.items {
        let Some(before) = a_items.get(item.id.as_str()) else {
            added.push(summary(item));
            continue;
        };
        let mut changes = Vec::new();
        let mut compare = |name: &str, x: Option<&str>, y: Option<&str>| {
            if x != y {
                changes.push(FieldChange {
                    name: name.to_string(),
                    a: x.map(str::to_string),
                    b: y.map(str::to_string),
                });
            }
        };
        compare(
            "status",
            Some(before.status.as_str()),
            Some(item.status.as_str()),
        );
        compare("value", before.value.as_deref(), item.value.as_deref());
        compare("reason", before.reason.as_deref(), item.reason.as_deref());
        compare("note", before.note.as_deref(), item.note.as_deref());
        let overridden = |i: &RecordItem| i.overridden.then_some("overridden");
        compare("override", overridden(before), overridden(item));
        compare("text", Some(&before.text), Some(&item.text));
        // The check's last outcome: `exit 0` in one run, `exit 7` or `timed out after 30 s`
        // in the other.
        let check = |i: &RecordItem| {
            i.evidence
                .as_deref()
                .and_then(<[_]>::last)
                .map(crate::model::Evidence::outcome)
        };
        compare("check", check(before).as_deref(), check(item).as_deref());
        if include_context {
            compare(
                "answered_by",
                before.answered_by.as_deref(),
                item.answered_by.as_deref(),
            );
            compare(
                "answered_at",
                before.answered_at.as_ref().map(Timestamp::as_str),
                item.answered_at.as_ref().map(Timestamp::as_str),
            );
        }
        if !changes.is_empty() {
            items.push(ItemChange {
                id: item.id.clone(),
                text: item.text.clone(),
                changes,
            });
        }
    }
    let removed = a
        .items
        .iter()
        .filter(|i| !b_ids.contains(i.id.as_str()))
        .map(summary)
        .collect();

    let describe = |s: &RecordSignoff| match s.status {
        SignoffStatus::Signed => format!("signed by {}", s.name.as_deref().unwrap_or("?")),
        SignoffStatus::Refused => format!("refused: {}", s.reason.as_deref().unwrap_or("")),
        SignoffStatus::Pending => "not signed".to_string(),
        SignoffStatus::Awaiting => "awaiting sign-off".to_string(),
    };
    let a_signoffs: FastMap<&str, String> = a
        .signoffs
        .iter()
        .map(|s| (s.role.as_str(), describe(s)))
        .collect();
    let b_signoffs: FastMap<&str, String> = b
        .signoffs
        .iter()
        .map(|s| (s.role.as_str(), describe(s)))
        .collect();
    let mut roles: Vec<&str> = a_signoffs
        .keys()
        .chain(b_signoffs.keys())
        .copied()
        .collect();
    roles.sort_unstable();
    roles.dedup();
    let signoffs = roles
        .into_iter()
        .filter(|role| a_signoffs.get(role) != b_signoffs.get(role))
        .map(|role| SignoffChange {
            role: role.to_string(),
            a: a_signoffs.get(role).cloned(),
            b: b_signoffs.get(role).cloned(),
        })
        .collect();

    let rollback = |r: &Record| {
        let held = if r.rollback.triggers_held.is_empty() {
            "none".to_string()
        } else {
            r.rollback.triggers_held.join(", ")
        };
        match (r.rollback.declined.last(), r.rollback.started) {
            (_, true) => format!("started; held: {held}"),
            (Some(declined), false) => format!("declined ({}); held: {held}", declined.reason),
            (None, false) => "not started".to_string(),
        }
    };
    let mut context = Vec::new();
    if include_context {
        for (name, x, y) in [
            (
                "operator",
                Some(a.operator.as_str()),
                Some(b.operator.as_str()),
            ),
            ("host", Some(a.host.as_str()), Some(b.host.as_str())),
            (
                "started_at",
                Some(a.started_at.as_str()),
                Some(b.started_at.as_str()),
            ),
            (
                "finished_at",
                a.finished_at.as_ref().map(Timestamp::as_str),
                b.finished_at.as_ref().map(Timestamp::as_str),
            ),
        ] {
            if x != y {
                context.push(FieldChange {
                    name: name.to_string(),
                    a: x.map(str::to_string),
                    b: y.map(str::to_string),
                });
            }
        }
    }
    RecordDiff {
        verdict: change(&a.headline(), &b.headline()),
        environment: change(&a.environment, &b.environment),
        checklist: change(&a.checklist.sha256, &b.checklist.sha256),
        fields,
        items,
        added,
        removed,
        signoffs,
        rollback: change(&rollback(a), &rollback(b)),
        context,
    }
}
