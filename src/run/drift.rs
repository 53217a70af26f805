//! What changed in a checklist between two sessions of one run, said by text.
//!
//! Item IDs are slugs of their text, so rewording an item usually gives it a new ID: by ID
//! alone that is one item removed and one added. An item removed and one added at the same
//! place in the same section are reported as one item reworded, old text beside new.

use crate::{FastMap, FastSet};

use crate::engine::Plan;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Drift {
    /// `(old text, new text)`.
    pub reworded: Vec<(String, String)>,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// Items whose check command changed: `(item text, old command, new command)`, either
    /// command `None` when the item had or has no check. A changed command is shown again
    /// before it runs.
    pub checks: Vec<(String, Option<String>, Option<String>)>,
}

impl Drift {
    pub fn between(old: &Plan, new: &Plan) -> Drift {
        let old_by_id: FastMap<&str, &str> = old
            .items
            .iter()
            .map(|i| (i.id.as_str(), i.text.as_str()))
            .collect();
        let old_checks: FastMap<&str, Option<&str>> = old
            .items
            .iter()
            .map(|i| (i.id.as_str(), i.check.as_ref().map(|c| c.run.as_str())))
            .collect();
        let new_ids: FastSet<&str> = new.items.iter().map(|i| i.id.as_str()).collect();
        let mut drift = Drift::default();
        // Removed and added items, in order, per section.
        let mut gone: FastMap<(&str, &str), Vec<&str>> = FastMap::default();
        for item in &old.items {
            if !new_ids.contains(item.id.as_str()) {
                gone.entry((&item.phase, &item.section))
                    .or_default()
                    .push(&item.text);
            }
        }
        let mut gone: FastMap<(&str, &str), std::collections::VecDeque<&str>> =
            gone.into_iter().map(|(k, v)| (k, v.into())).collect();
        for item in &new.items {
            let command = item.check.as_ref().map(|c| c.run.as_str());
            match old_checks.get(item.id.as_str()) {
                Some(before) if *before != command => drift.checks.push((
                    item.text.clone(),
                    before.map(str::to_string),
                    command.map(str::to_string),
                )),
                None if command.is_some() => {
                    drift
                        .checks
                        .push((item.text.clone(), None, command.map(str::to_string)))
                }
                _ => {}
            }
            match old_by_id.get(item.id.as_str()) {
                Some(text) if *text != item.text => {
                    drift.reworded.push((text.to_string(), item.text.clone()));
                }
                Some(_) => {}
                None => match gone
                    .get_mut(&(&*item.phase, &*item.section))
                    .and_then(|q| q.pop_front())
                {
                    Some(old_text) => drift
                        .reworded
                        .push((old_text.to_string(), item.text.clone())),
                    None => drift.added.push(item.text.clone()),
                },
            }
        }
        for item in &old.items {
            if let Some(queue) = gone.get_mut(&(&*item.phase, &*item.section))
                && queue.front() == Some(&item.text.as_str())
            {
                queue.pop_front();
                drift.removed.push(item.text.clone());
            }
        }
        drift
    }

    pub fn is_empty(&self) -> bool {
        self.reworded.is_empty()
            && self.added.is_empty()
            && self.removed.is_empty()
            && self.checks.is_empty()
    }

    /// One line per change, at most `limit`, then `and N more`.
    pub fn lines(&self, limit: usize) -> Vec<String> {
        let all = self
            .reworded
            .iter()
            .map(|(old, new)| format!("reworded: \"{old}\" → \"{new}\""))
            .chain(self.added.iter().map(|t| format!("added: \"{t}\"")))
            .chain(self.removed.iter().map(|t| format!("removed: \"{t}\"")))
            .chain(self.checks.iter().map(|(text, _, new)| match new {
                Some(command) => format!(
                    "check changed: \"{text}\" now runs `{}`",
                    crate::model::Check {
                        run: command.clone(),
                        timeout_s: 0
                    }
                    .first_line()
                ),
                None => format!("check removed: \"{text}\""),
            }));
        let total = self.reworded.len() + self.added.len() + self.removed.len() + self.checks.len();
        let mut lines: Vec<String> = all.take(limit).collect();
        if total > limit {
            lines.push(format!("and {} more", total - limit));
        }
        lines
    }

    /// `1 reworded, 2 added`.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        for (n, word) in [
            (self.reworded.len(), "reworded"),
            (self.added.len(), "added"),
            (self.removed.len(), "removed"),
            (
                self.checks.len(),
                if self.checks.len() == 1 {
                    "check changed"
                } else {
                    "checks changed"
                },
            ),
        ] {
            if n > 0 {
                parts.push(format!("{n} {word}"));
            }
        }
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SourceFormat;

    fn plan(text: &str) -> Plan {
        let loaded =
            crate::source::load_bytes(text.as_bytes(), "t.md", SourceFormat::Markdown, "t")
                .unwrap();
        Plan::new(loaded.checklist)
    }

    #[test]
    fn a_reworded_item_is_one_change_by_text_not_every_item() {
        let old = plan(
            "# T\n## P\n### S\n- [ ] Backup taken\n- [ ] Load testing completed\n- [ ] Notify\n",
        );
        let new = plan(
            "# T\n## P\n### S\n- [ ] Backup taken\n- [ ] Load testing completed at 2x peak\n- [ ] Notify\n- [ ] Close ticket\n",
        );
        let drift = Drift::between(&old, &new);
        assert_eq!(
            drift.reworded,
            [(
                "Load testing completed".to_string(),
                "Load testing completed at 2x peak".to_string()
            )]
        );
        assert_eq!(drift.added, ["Close ticket"]);
        assert!(drift.removed.is_empty());
        assert_eq!(drift.summary(), "1 reworded, 1 added");
    }

    #[test]
    fn the_report_is_bounded() {
        let drift = Drift {
            added: (0..15).map(|i| format!("item {i}")).collect(),
            ..Drift::default()
        };
        let lines = drift.lines(10);
        assert_eq!(lines.len(), 11);
        assert_eq!(lines[10], "and 5 more");
    }
}
