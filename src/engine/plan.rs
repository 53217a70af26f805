//! The order of a walk, fixed once per checklist and environment.

use std::collections::HashMap;

use crate::model::{Checklist, Item, PhaseKind, SectionKind, Threshold};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    Step,
    /// A rollback condition: answered `clear` or `holds`.
    Trigger,
    /// A sign-off statement, confirmed before the role signs.
    Statement,
}

#[derive(Debug, Clone)]
pub struct PlanItem {
    pub id: String,
    pub phase: String,
    pub section: String,
    pub text: String,
    pub kind: ItemKind,
    /// Optional in effect: the item, its section or an ancestor says so.
    pub optional: bool,
    pub threshold: Option<Threshold>,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    /// Part of a rollback procedure: walked only once a rollback has started.
    pub procedure: bool,
    pub role: Option<usize>,
    /// 1-based place among the leaf items of its path, for `37/164` in prompts.
    pub position: usize,
}

impl PlanItem {
    pub fn is_leaf(&self) -> bool {
        self.children.is_empty()
    }
}

#[derive(Debug, Clone)]
pub struct RolePlan {
    pub role: String,
    /// The leaf statements the role confirms before signing.
    pub statements: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Field(usize),
    Item(usize),
    Signoff(usize),
}

#[derive(Debug, Clone)]
pub struct Plan {
    /// Every item of the environment's tree, parents included, in file order.
    pub items: Vec<PlanItem>,
    pub fields: Vec<String>,
    pub roles: Vec<RolePlan>,
    /// The walk without a rollback.
    pub main: Vec<Step>,
    /// The rollback procedure, walked once a rollback starts.
    pub rollback: Vec<Step>,
    /// Leaf items on the main path.
    pub main_items: usize,
    /// Leaf items of the rollback procedure.
    pub rollback_items: usize,
    ids: HashMap<String, usize>,
}

impl Plan {
    /// The plan for a checklist already filtered to one environment.
    pub fn new(checklist: &Checklist) -> Plan {
        let mut plan = Plan {
            items: Vec::new(),
            fields: checklist.fields.iter().map(|f| f.name.clone()).collect(),
            roles: Vec::new(),
            main: (0..checklist.fields.len()).map(Step::Field).collect(),
            rollback: Vec::new(),
            main_items: 0,
            rollback_items: 0,
            ids: HashMap::new(),
        };
        let mut role_index: HashMap<String, usize> = HashMap::new();
        for phase in &checklist.phases {
            for section in &phase.sections {
                let kind = match section.kind {
                    SectionKind::Steps => ItemKind::Step,
                    SectionKind::Triggers => ItemKind::Trigger,
                    SectionKind::Signoff => ItemKind::Statement,
                };
                let procedure = phase.kind == PhaseKind::Rollback && kind == ItemKind::Step;
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
                    phase: &phase.title,
                    section: &section.title,
                    kind,
                    procedure,
                    role,
                };
                let mut stack: Vec<(&Item, Option<usize>, bool)> = section
                    .items
                    .iter()
                    .rev()
                    .map(|i| (i, None, section.optional))
                    .collect();
                while let Some((item, parent, inherited_optional)) = stack.pop() {
                    let index = plan.push_item(item, parent, inherited_optional, &context);
                    let optional = plan.items[index].optional;
                    stack.extend(
                        item.children
                            .iter()
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
            }
        }
        plan
    }

    fn push_item(
        &mut self,
        item: &Item,
        parent: Option<usize>,
        inherited_optional: bool,
        context: &Context<'_>,
    ) -> usize {
        let index = self.items.len();
        let leaf = item.children.is_empty();
        let position = if !leaf {
            0
        } else if context.procedure {
            self.rollback_items += 1;
            self.rollback.push(Step::Item(index));
            self.rollback_items
        } else {
            self.main_items += 1;
            self.main.push(Step::Item(index));
            self.main_items
        };
        if let Some(parent) = parent {
            self.items[parent].children.push(index);
        }
        if let (Some(role), true) = (context.role, leaf) {
            self.roles[role].statements.push(index);
        }
        self.ids.insert(item.id.clone(), index);
        self.items.push(PlanItem {
            id: item.id.clone(),
            phase: context.phase.to_string(),
            section: context.section.to_string(),
            text: item.text.clone(),
            kind: context.kind,
            optional: item.optional || inherited_optional,
            threshold: item.threshold.as_deref().cloned(),
            parent,
            children: Vec::new(),
            procedure: context.procedure,
            role: context.role,
            position,
        });
        index
    }

    pub fn item_index(&self, id: &str) -> Option<usize> {
        self.ids.get(id).copied()
    }

    pub fn role_index(&self, role: &str) -> Option<usize> {
        self.roles.iter().position(|r| r.role == role)
    }

    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f == name)
    }

    pub fn has_rollback_procedure(&self) -> bool {
        !self.rollback.is_empty()
    }
}

struct Context<'a> {
    phase: &'a str,
    section: &'a str,
    kind: ItemKind,
    procedure: bool,
    role: Option<usize>,
}
