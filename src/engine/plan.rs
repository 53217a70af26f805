//! The order of a walk, fixed once per checklist and environment.
//!
//! A plan is also what a run's journal keeps of its checklist (in the start event, and
//! again when a resume finds the checklist changed), so a journal replays on its own:
//! without the checklist file, and with the exact texts the operator was shown. Only what
//! cannot be derived is written; indexes, children and positions are rebuilt on reading.

use crate::FastMap;
use std::hash::BuildHasher;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use crate::model::ItemKind;
use crate::model::{Check, Checklist, Item, PhaseKind, SectionKind, Threshold, Window};

/// A plan read from a journal that does not hold together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PlanError(pub String);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanItem {
    pub id: String,
    /// Shared by the items of one section (a plan read from a journal gives each item its
    /// own copy).
    pub phase: Arc<str>,
    pub section: Arc<str>,
    pub text: String,
    /// `Procedure` for the steps of a rollback procedure, walked only once a rollback
    /// has started.
    pub kind: ItemKind,
    // What most items do not have is left out of the journal (a tenth of a 100k-item
    // start line) and read back as its default.
    /// Optional in effect: the item, its section or an ancestor says so.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<Box<Threshold>>,
    /// Its section's time window, after the deployment moment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Window>,
    /// The command that gathers the item's evidence, shown at its prompt and run only when
    /// asked. Left out of journals for items without one, so their plans read as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<Box<Check>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<usize>,
    #[serde(skip)]
    pub children: Vec<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<usize>,
    /// 1-based place among the leaf items of its path, for `37/164` in prompts.
    #[serde(skip)]
    pub position: usize,
}

impl PlanItem {
    pub fn is_leaf(&self) -> bool {
        self.children.is_empty()
    }

    pub fn is_procedure(&self) -> bool {
        self.kind == ItemKind::Procedure
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RolePlan {
    pub role: String,
    /// The leaf statements the role confirms before signing.
    pub statements: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Field(usize),
    Item(usize),
    Signoff(usize),
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// Every item of the environment's tree, parents included, in file order.
    pub items: Vec<PlanItem>,
    pub fields: Vec<String>,
    pub roles: Vec<RolePlan>,
    /// The walk without a rollback.
    pub main: Vec<Step>,
    /// The rollback procedure, walked once a rollback starts.
    pub rollback: Vec<Step>,
    /// The item whose answer completes the deployment: once the walk has passed it, the
    /// deployment moment is recorded. `None` with windows: at the start of the walk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor_after: Option<String>,
    /// How many steps of the main path come before the deployment moment.
    #[serde(skip)]
    pub anchor_steps: usize,
    /// Whether any item has a time window.
    #[serde(skip)]
    pub has_windows: bool,
    /// Leaf items on the main path.
    #[serde(skip)]
    pub main_items: usize,
    /// Leaf items of the rollback procedure.
    #[serde(skip)]
    pub rollback_items: usize,
    #[serde(skip)]
    ids: IdIndex,
}

/// Where each item sits in [`Plan::items`], found by its ID. The IDs stay in the items: the
/// index keeps only positions, so building it copies no ID (a 100k-item plan once cloned
/// every ID into a map, a third of the time to build the plan).
#[derive(Clone, Default)]
struct IdIndex {
    table: hashbrown::HashTable<usize>,
    hasher: foldhash::fast::RandomState,
}

impl IdIndex {
    /// The index of `items`, or the first ID listed twice.
    fn of(items: &[PlanItem]) -> Result<IdIndex, &str> {
        let mut index = IdIndex {
            table: hashbrown::HashTable::with_capacity(items.len()),
            hasher: Default::default(),
        };
        for (position, item) in items.iter().enumerate() {
            let hash = index.hasher.hash_one(item.id.as_str());
            match index.table.entry(
                hash,
                |&i| items[i].id == item.id,
                |&i| index.hasher.hash_one(items[i].id.as_str()),
            ) {
                hashbrown::hash_table::Entry::Occupied(_) => return Err(&item.id),
                hashbrown::hash_table::Entry::Vacant(slot) => {
                    slot.insert(position);
                }
            }
        }
        Ok(index)
    }

    fn get(&self, items: &[PlanItem], id: &str) -> Option<usize> {
        self.table
            .find(self.hasher.hash_one(id), |&i| {
                items.get(i).is_some_and(|item| item.id == id)
            })
            .copied()
    }
}

impl std::fmt::Debug for IdIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdIndex({} items)", self.table.len())
    }
}

/// Plans compare by what they hold; the index is derived from the items, which are compared.
impl PartialEq for IdIndex {
    fn eq(&self, _: &IdIndex) -> bool {
        true
    }
}

impl Plan {
    /// The plan for a checklist already filtered to one environment. It takes the
    /// checklist's items (their IDs, texts, checks and thresholds move into the plan rather
    /// than being copied: at 100k items, copies were most of the time to build a plan).
    pub fn new(checklist: Checklist) -> Plan {
        let anchor = checklist.anchor_section();
        let items = Vec::with_capacity(checklist.items().count());
        let fields: Vec<String> = checklist.fields.into_iter().map(|f| f.name).collect();
        let mut plan = Plan {
            items,
            main: (0..fields.len()).map(Step::Field).collect(),
            fields,
            roles: Vec::new(),
            rollback: Vec::new(),
            anchor_after: None,
            anchor_steps: 0,
            has_windows: false,
            main_items: 0,
            rollback_items: 0,
            ids: IdIndex::default(),
        };
        let mut role_index: FastMap<String, usize> = FastMap::default();
        for (phase_index, phase) in checklist.phases.into_iter().enumerate() {
            // One copy of each name, shared by the section's items.
            let phase_title: Arc<str> = Arc::from(phase.title);
            for (section_index, section) in phase.sections.into_iter().enumerate() {
                let kind = match section.kind {
                    SectionKind::Steps => ItemKind::Step,
                    SectionKind::Triggers => ItemKind::Trigger,
                    SectionKind::Signoff => ItemKind::Statement,
                };
                let procedure = phase.kind == PhaseKind::Rollback && kind == ItemKind::Step;
                let kind = if procedure { ItemKind::Procedure } else { kind };
                let role = (kind == ItemKind::Statement).then(|| {
                    let name = section
                        .role
                        .clone()
                        .unwrap_or_else(|| section.title.clone());
                    *role_index.entry(name.clone()).or_insert_with(|| {
                        plan.roles.push(RolePlan {
                            role: name,
                            statements: Vec::new(),
                        });
                        plan.roles.len() - 1
                    })
                });
                let context = Context {
                    phase: phase_title.clone(),
                    section: Arc::from(section.title),
                    kind,
                    role,
                    window: section.window,
                };
                let optional = section.optional;
                let mut stack: Vec<(Item, Option<usize>, bool)> = section
                    .items
                    .into_iter()
                    .rev()
                    .map(|i| (i, None, optional))
                    .collect();
                while let Some((mut item, parent, inherited_optional)) = stack.pop() {
                    let children = std::mem::take(&mut item.children);
                    let index = plan.push_item(
                        item,
                        children.is_empty(),
                        parent,
                        inherited_optional,
                        &context,
                    );
                    let optional = plan.items[index].optional;
                    stack.extend(
                        children
                            .into_iter()
                            .rev()
                            .map(|c| (c, Some(index), optional)),
                    );
                }
                if let Some(role) = role {
                    let first_section_of_role = !plan.main.contains(&Step::Signoff(role));
                    if first_section_of_role {
                        plan.main.push(Step::Signoff(role));
                    }
                }
                if anchor == Some((phase_index, section_index)) {
                    // The last item walked so far: the section's own, or one before it.
                    plan.anchor_after = plan.main.iter().rev().find_map(|step| match step {
                        Step::Item(i) => Some(plan.items[*i].id.clone()),
                        _ => None,
                    });
                }
            }
        }
        plan.reindex()
            .expect("a plan built from a checklist names only its own items");
        plan
    }

    fn push_item(
        &mut self,
        item: Item,
        leaf: bool,
        parent: Option<usize>,
        inherited_optional: bool,
        context: &Context,
    ) -> usize {
        let index = self.items.len();
        if leaf {
            let path = if context.kind == ItemKind::Procedure {
                &mut self.rollback
            } else {
                &mut self.main
            };
            path.push(Step::Item(index));
        }
        if let (Some(role), true) = (context.role, leaf) {
            self.roles[role].statements.push(index);
        }
        self.items.push(PlanItem {
            id: item.id,
            phase: context.phase.clone(),
            section: context.section.clone(),
            text: item.text,
            kind: context.kind,
            optional: item.optional || inherited_optional,
            threshold: item.threshold,
            window: context.window,
            check: item.check,
            parent,
            children: Vec::new(),
            role: context.role,
            position: 0,
        });
        index
    }

    /// Rebuilds what the plan derives from its items: the ID index, children, positions and
    /// path sizes. Run once when a plan is built or read from a journal.
    pub fn reindex(&mut self) -> Result<(), PlanError> {
        self.ids = IdIndex::of(&self.items)
            .map_err(|id| PlanError(format!("item `{id}` is listed twice")))?;
        for item in &mut self.items {
            item.children.clear();
        }
        for index in 0..self.items.len() {
            if let Some(parent) = self.items[index].parent {
                if parent >= index {
                    return Err(PlanError(format!(
                        "item `{}` names a parent that does not come before it",
                        self.items[index].id
                    )));
                }
                self.items[parent].children.push(index);
            }
            if self.items[index]
                .role
                .is_some_and(|r| r >= self.roles.len())
            {
                return Err(PlanError(format!(
                    "item `{}` names a role the plan does not have",
                    self.items[index].id
                )));
            }
        }
        self.main_items = 0;
        self.rollback_items = 0;
        for (path, procedure) in [(&self.main, false), (&self.rollback, true)] {
            let mut position = 0;
            for step in path {
                let valid = match *step {
                    Step::Field(i) => i < self.fields.len() && !procedure,
                    Step::Signoff(r) => r < self.roles.len(),
                    Step::Item(i) => {
                        i < self.items.len()
                            && self.items[i].is_procedure() == procedure
                            && self.items[i].children.is_empty()
                    }
                };
                if !valid {
                    return Err(PlanError(format!(
                        "the walk order names a step that does not exist: {step:?}"
                    )));
                }
                if let Step::Item(i) = *step {
                    position += 1;
                    self.items[i].position = position;
                }
            }
            if procedure {
                self.rollback_items = position;
            } else {
                self.main_items = position;
            }
        }
        self.has_windows = self.items.iter().any(|i| i.window.is_some());
        self.anchor_steps = match &self.anchor_after {
            None => 0,
            Some(id) => {
                let index = self.item_index(id);
                let at = index.and_then(|i| self.main.iter().position(|s| *s == Step::Item(i)));
                at.ok_or_else(|| {
                    PlanError(format!(
                        "the deployment moment follows `{id}`, which is not on the walk"
                    ))
                })? + 1
            }
        };
        for role in &self.roles {
            if role.statements.iter().any(|&s| s >= self.items.len()) {
                return Err(PlanError(format!(
                    "role `{}` names a statement that does not exist",
                    role.role
                )));
            }
        }
        Ok(())
    }

    /// The plan that walks only some leaf items of this one (a finished run's follow-ups):
    /// those items and their ancestors, in the same order, and nothing else: no run
    /// fields, sign-offs or rollback.
    pub fn only(&self, leaves: &[usize]) -> Plan {
        let mut keep = vec![false; self.items.len()];
        for &leaf in leaves {
            let mut next = Some(leaf);
            while let Some(index) = next.filter(|&i| i < self.items.len()) {
                keep[index] = true;
                next = self.items[index].parent;
            }
        }
        let mut renumbered = vec![None; self.items.len()];
        let mut items = Vec::new();
        for (index, item) in self.items.iter().enumerate() {
            if keep[index] {
                renumbered[index] = Some(items.len());
                let mut item = item.clone();
                item.parent = item.parent.and_then(|p| renumbered[p]);
                item.role = None;
                items.push(item);
            }
        }
        let main = self
            .main
            .iter()
            .filter_map(|step| match *step {
                Step::Item(i) if leaves.contains(&i) => renumbered[i].map(Step::Item),
                _ => None,
            })
            .collect();
        let mut plan = Plan {
            items,
            fields: Vec::new(),
            roles: Vec::new(),
            main,
            rollback: Vec::new(),
            anchor_after: None,
            anchor_steps: 0,
            has_windows: false,
            main_items: 0,
            rollback_items: 0,
            ids: IdIndex::default(),
        };
        plan.reindex()
            .expect("a part of a plan names only its own items");
        plan
    }

    pub fn item_index(&self, id: &str) -> Option<usize> {
        self.ids.get(&self.items, id)
    }

    /// The role as written, or with its Unicode hyphens typed as `-`: a title's
    /// `Site‑Reliability` (U+2011) is `Site-Reliability` from a keyboard.
    pub fn role_index(&self, role: &str) -> Option<usize> {
        use crate::source::ascii_hyphens;
        self.roles.iter().position(|r| r.role == role).or_else(|| {
            let typed = ascii_hyphens(role);
            self.roles
                .iter()
                .position(|r| ascii_hyphens(&r.role) == typed)
        })
    }

    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f == name)
    }

    pub fn has_rollback_procedure(&self) -> bool {
        !self.rollback.is_empty()
    }
}

struct Context {
    phase: Arc<str>,
    section: Arc<str>,
    kind: ItemKind,
    role: Option<usize>,
    window: Option<Window>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SourceFormat;
    use crate::source::load_bytes;

    fn plan_of(markdown: &str) -> Plan {
        let loaded = load_bytes(markdown.as_bytes(), "t.md", SourceFormat::Markdown, "t").unwrap();
        Plan::new(loaded.checklist)
    }

    #[test]
    fn every_item_is_found_by_its_id_and_no_other_id_finds_one() {
        let plan = plan_of(
            "# T\n\n## Deploy\n\n### Steps\n\n- [ ] Backup\n  - [ ] Verify backup\n- [ ] Migrate\n\n\
             ## Verify\n\n### Steps\n\n- [ ] Backup\n",
        );
        assert_eq!(plan.items.len(), 4);
        for (index, item) in plan.items.iter().enumerate() {
            assert_eq!(plan.item_index(&item.id), Some(index), "{}", item.id);
        }
        assert_eq!(plan.item_index("deploy/steps"), None);
        assert_eq!(plan.item_index(""), None);
    }

    #[test]
    fn a_plan_read_back_that_lists_an_id_twice_is_refused_by_name() {
        let mut plan = plan_of("# T\n\n## Deploy\n\n### Steps\n\n- [ ] Backup\n- [ ] Migrate\n");
        plan.items[1].id = plan.items[0].id.clone();
        let error = plan.reindex().unwrap_err();
        assert_eq!(
            error.0,
            format!("item `{}` is listed twice", plan.items[0].id)
        );
    }

    #[test]
    fn the_items_of_a_section_share_its_names_and_a_plan_read_back_is_equal() {
        let plan = plan_of("# T\n\n## Deploy\n\n### Steps\n\n- [ ] Backup\n- [ ] Migrate\n");
        assert!(Arc::ptr_eq(&plan.items[0].phase, &plan.items[1].phase));
        assert!(Arc::ptr_eq(&plan.items[0].section, &plan.items[1].section));
        let mut again: Plan = serde_json::from_str(&serde_json::to_string(&plan).unwrap()).unwrap();
        again.reindex().unwrap();
        assert_eq!(again, plan);
        assert_eq!(again.item_index(&plan.items[1].id), Some(1));
    }
}
