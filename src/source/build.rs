//! Turns a draft tree (what a format parser read) into the typed model.
//!
//! Everything both formats share lives here, so Markdown and YAML cannot drift apart: kind
//! and optional inference from titles, threshold inference from item text, repair of
//! mis-encoded text, and ID assignment (explicit IDs first, then slugs made unique within
//! their parent, so no item's ID depends on another item's text).

use std::hash::BuildHasher;

use super::condition;
use super::diagnostic::Diagnostic;
use super::mojibake;
use super::window::{self as time, Found, Ordinal, Strength};
use crate::model::{
    Checklist, Contact, Field, Item, MAX_SLUG_LEN, Phase, PhaseKind, Section, SectionKind, Source,
    Span, Threshold, Why, Window, is_valid_slug, push_slug,
};
use crate::words::{ItemScan, Lexicon};
use crate::{FastMap, FastSet};

/// Deeper nesting than this is a mistake, not a checklist; refusing it bounds recursion.
pub const MAX_ITEM_DEPTH: usize = 16;

#[derive(Debug, Default)]
pub struct Draft {
    pub title: String,
    pub title_line: Option<u32>,
    pub description: Option<String>,
    pub fields: Vec<DraftField>,
    pub contacts: Vec<DraftContact>,
    pub phases: Vec<DraftPhase>,
    pub why: Why,
    /// What the parser saw that looked like check boxes but is not a task list, said when
    /// a file yields no items at all.
    pub unread_boxes: Option<String>,
}

#[derive(Debug)]
pub struct DraftField {
    pub name: String,
    pub line: Option<u32>,
}

#[derive(Debug)]
pub struct DraftContact {
    pub contact: Contact,
    pub line: Option<u32>,
}

#[derive(Debug)]
pub struct DraftPhase {
    pub id: Option<String>,
    pub title: String,
    pub kind: Option<PhaseKind>,
    pub line: Option<u32>,
    pub sections: Vec<DraftSection>,
    pub why: Why,
}

#[derive(Debug)]
pub struct DraftSection {
    pub id: Option<String>,
    pub title: String,
    /// No heading of its own: items straight under a Markdown phase, in a section that
    /// takes the phase's title.
    pub implicit: bool,
    pub kind: Option<SectionKind>,
    pub role: Option<String>,
    pub environments: Vec<String>,
    pub optional: Option<bool>,
    pub line: Option<u32>,
    pub window: WindowSpec,
    /// Completing this section is the deployment moment.
    pub anchor: bool,
    /// Model items straight from [`new_item`]; an explicit ID waits in `id` (empty: derive
    /// it), and [`Builder::finish`] turns every `id` into the full path.
    pub items: Vec<Item>,
    pub why: Why,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub enum WindowSpec {
    /// Read it from the title.
    #[default]
    Infer,
    /// The author said there is none.
    Absent,
    Given(Window),
}

/// What the builder remembers about windows while it goes through the sections in file
/// order, to settle what one section cannot decide alone.
#[derive(Debug, Default)]
struct WindowState {
    /// Sections seen so far; the index of the next one in file order.
    sections: usize,
    /// Whether an earlier section has a window: later ones come after the deployment.
    seen: bool,
    lines: Vec<Option<u32>>,
    /// Windows that open at a moment (`T+2h`) and close when the next one opens.
    moments: Vec<(usize, Span, String)>,
    /// `Day N` windows, counted from 1 unless some `Day 0` says from 0.
    ordinals: Vec<(usize, Ordinal)>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub enum ThresholdSpec {
    /// Read it from the item text.
    #[default]
    Infer,
    /// The author said there is none.
    Absent,
    Given(Box<Threshold>),
}

pub struct Builder<'a> {
    file: &'a str,
    /// What the checklist is called when its source gives it no title (its file's name).
    fallback_title: &'a str,
    pub diagnostics: Vec<Diagnostic>,
    /// Lists reused from one group of sibling IDs to the next: a large file has tens of
    /// thousands of small groups.
    explicit: Vec<bool>,
    claims: Vec<(u64, usize, usize)>,
    windows: WindowState,
}

impl<'a> Builder<'a> {
    pub fn new(file: &'a str, fallback_title: &'a str) -> Self {
        Builder {
            file,
            fallback_title,
            diagnostics: Vec::new(),
            explicit: Vec::new(),
            claims: Vec::new(),
            windows: WindowState::default(),
        }
    }

    fn error(&mut self, line: Option<u32>, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::error(self.file, line, message));
    }

    fn warning(&mut self, line: Option<u32>, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::warning(self.file, line, message));
    }

    /// Collapses whitespace and repairs mis-encoded fragments, warning once per line.
    pub fn clean_text(&mut self, text: &str, line: Option<u32>) -> String {
        self.clean_owned(text.to_string(), line)
    }

    pub fn clean_owned(&mut self, text: String, line: Option<u32>) -> String {
        clean_owned(self.file, &mut self.diagnostics, text, line)
    }

    pub fn finish(mut self, draft: Draft, source: Source) -> (Option<Checklist>, Vec<Diagnostic>) {
        let mut title = self.clean_text(&draft.title, draft.title_line);
        // A Markdown file without a title heading was named after its file when read; a
        // YAML file says `title:`, and leaving it empty is worth a word.
        if title.is_empty() {
            let named = self.fallback_title;
            self.warning(
                draft.title_line,
                format!("the checklist has no title, so it is called `{named}` after its file; give it one"),
            );
            title = named.to_string();
        }
        let description = draft
            .description
            .map(|d| self.clean_text(&d, None))
            .filter(|d| !d.is_empty());
        let fields = self.fields(draft.fields);
        let contacts = draft
            .contacts
            .into_iter()
            .map(|c| self.contact(c))
            .collect();
        let mut phases = self.phases(draft.phases);
        self.settle_windows(&mut phases);
        let unread_boxes = draft.unread_boxes;
        let checklist = Checklist {
            title,
            description,
            source,
            fields,
            contacts,
            phases,
            why: draft.why,
        };
        if checklist.items().next().is_none() && !self.diagnostics.iter().any(Diagnostic::is_error)
        {
            let hint = unread_boxes.map_or(String::new(), |seen| format!("; {seen}"));
            self.error(
                None,
                format!("no checklist items found: an item is a task-list line such as `- [ ] Backup completed`{hint}"),
            );
        }
        let failed = self.diagnostics.iter().any(Diagnostic::is_error);
        self.diagnostics
            .sort_by_key(|d| (d.line.unwrap_or(0), d.severity));
        ((!failed).then_some(checklist), self.diagnostics)
    }

    fn fields(&mut self, drafts: Vec<DraftField>) -> Vec<Field> {
        let mut seen = FastSet::default();
        let mut fields = Vec::new();
        for draft in drafts {
            let name = self.clean_text(&draft.name, draft.line);
            if name.is_empty() {
                self.error(draft.line, "run field has an empty name");
            } else if seen.insert(name.to_lowercase()) {
                fields.push(Field { name });
            } else {
                self.warning(draft.line, format!("run field `{name}` is listed twice"));
            }
        }
        fields
    }

    fn contact(&mut self, draft: DraftContact) -> Contact {
        let line = draft.line;
        let mut clean = |value: Option<String>| {
            value
                .map(|v| self.clean_text(&v, line))
                .filter(|v| !v.is_empty())
        };
        let name = clean(draft.contact.name);
        let email = clean(draft.contact.email);
        let phone = clean(draft.contact.phone);
        let role = self.clean_text(&draft.contact.role, line);
        if role.is_empty() {
            let who = name.as_deref().or(email.as_deref()).or(phone.as_deref());
            let who = who.map_or(String::new(), |who| format!(" `{who}`"));
            self.warning(
                line,
                format!("contact{who} has no role, so a walk cannot say whom to call for what; give it one"),
            );
        }
        Contact {
            role,
            name,
            email,
            phone,
        }
    }

    /// A phase's or section's cleaned title, or, where it has none, a name from its place
    /// (`Phase 2`), with a warning: untitled, it would be a blank line in a walk and a
    /// report, and its id a hash. The name, and so the id, moves with the part's place,
    /// which is why it is said.
    fn title_of(
        &mut self,
        title: &str,
        line: Option<u32>,
        (part, named): (&str, &str),
        place: usize,
    ) -> String {
        let title = self.clean_text(title, line);
        if !title.is_empty() {
            return title;
        }
        let named = format!("{named} {}", place + 1);
        self.warning(
            line,
            format!("{part} has no title, so it is called `{named}`; give it one"),
        );
        named
    }

    fn phases(&mut self, drafts: Vec<DraftPhase>) -> Vec<Phase> {
        let titles: Vec<String> = drafts
            .iter()
            .enumerate()
            .map(|(place, p)| self.title_of(&p.title, p.line, ("phase", "Phase"), place))
            .collect();
        let keys: Vec<IdKey> = drafts
            .iter()
            .zip(&titles)
            .map(|(p, title)| IdKey::new(p.id.as_deref(), title, p.line))
            .collect();
        let ids = self.assign_ids("", &keys, "phase");
        drafts
            .into_iter()
            .zip(titles)
            .zip(ids)
            .map(|((draft, title), id)| self.phase(draft, title, id))
            .collect()
    }

    fn phase(&mut self, draft: DraftPhase, title: String, id: String) -> Phase {
        let title_of_phase = title.clone();
        let section_titles: Vec<String> = draft
            .sections
            .iter()
            .enumerate()
            .map(|(place, s)| {
                // The phase's title as the phase has it, named for its place if need be.
                if s.implicit {
                    title_of_phase.clone()
                } else {
                    self.title_of(&s.title, s.line, ("section", "Section"), place)
                }
            })
            .collect();
        let signed = |s: &DraftSection| s.kind == Some(SectionKind::Signoff) || s.role.is_some();
        let all_signoff = !draft.sections.is_empty() && draft.sections.iter().all(signed);
        let any_signoff = || {
            draft.sections.iter().any(signed)
                || section_titles
                    .iter()
                    .zip(&draft.sections)
                    .any(|(t, s)| s.kind.is_none() && looks_like_role(t))
        };
        let mut why = draft.why;
        let kind = draft.kind.unwrap_or_else(|| {
            if says_rollback(&title) {
                why.add("rollback", format!("title {title:?}"), draft.line);
                PhaseKind::Rollback
            } else if all_signoff || (says_signoff(&title) && any_signoff()) {
                why.add(
                    "sign-off",
                    if all_signoff {
                        "every section is signed".to_string()
                    } else {
                        format!("title {title:?}, with a section signed or named for a role")
                    },
                    draft.line,
                );
                PhaseKind::Signoff
            } else {
                if says_signoff(&title) {
                    why.doubt(
                        "steps",
                        format!(
                            "title {title:?} names a sign-off, but no section in it is signed (no `Signed:` line) or named for a role, so its items are ordinary steps"
                        ),
                        draft.line,
                    );
                }
                PhaseKind::Steps
            }
        });
        if draft.sections.is_empty() {
            self.warning(draft.line, format!("phase `{title}` has no items"));
        }
        let keys: Vec<IdKey> = draft
            .sections
            .iter()
            .zip(&section_titles)
            .map(|(s, title)| IdKey::new(s.id.as_deref(), title, s.line))
            .collect();
        let ids = self.assign_ids(&id, &keys, "section");
        let sections = draft
            .sections
            .into_iter()
            .zip(section_titles)
            .zip(ids)
            .map(|((section, title), id)| self.section(section, title, id, (kind, &title_of_phase)))
            .collect::<Vec<_>>();
        if kind == PhaseKind::Rollback && !sections.iter().any(|s| s.kind == SectionKind::Triggers)
        {
            self.warning(
                draft.line,
                format!(
                    "rollback phase `{title}` has no triggers section (\"Decision Criteria\" or \"Rollback Triggers\"), so a rollback can only be started by hand"
                ),
            );
        }
        Phase {
            id,
            title,
            kind,
            sections,
            why,
        }
    }

    fn section(
        &mut self,
        draft: DraftSection,
        title: String,
        id: String,
        (phase_kind, phase_title): (PhaseKind, &str),
    ) -> Section {
        let role = draft
            .role
            .map(|r| self.clean_text(&r, draft.line))
            .filter(|r| !r.is_empty());
        let mut why = draft.why;
        let kind = draft.kind.unwrap_or_else(|| {
            if role.is_some() {
                SectionKind::Signoff
            } else if phase_kind == PhaseKind::Signoff && looks_like_role(&title) {
                why.add(
                    "sign-off",
                    format!("in a sign-off phase, and {title:?} names a role"),
                    draft.line,
                );
                SectionKind::Signoff
            } else if says_abort_criteria(&title) {
                why.add("triggers", format!("title {title:?}"), draft.line);
                SectionKind::Triggers
            } else if phase_kind == PhaseKind::Rollback && says_trigger(&title) {
                why.add(
                    "triggers",
                    format!("title {title:?} in a rollback phase"),
                    draft.line,
                );
                SectionKind::Triggers
            } else {
                SectionKind::Steps
            }
        });
        let role = match kind {
            SectionKind::Signoff => Some(role.unwrap_or_else(|| {
                // Both formats: a sign-off whose role nobody named is signed by its title.
                let role = role_of_title(&title);
                if !looks_like_role(&title) {
                    let took = if role == title {
                        format!("the title {title:?}")
                    } else {
                        format!("{role:?}, from the title {title:?}")
                    };
                    why.doubt(
                        "role",
                        format!("{took}, which does not read like a role"),
                        draft.line,
                    );
                }
                role
            })),
            _ => {
                if let Some(role) = role {
                    self.error(
                        draft.line,
                        format!(
                            "section `{title}` names role `{role}` but is not a sign-off section"
                        ),
                    );
                }
                None
            }
        };
        if kind == SectionKind::Triggers && phase_kind != PhaseKind::Rollback {
            self.warning(
                draft.line,
                format!("triggers section `{title}` is outside a rollback phase; its triggers still recommend a rollback when they hold"),
            );
        }
        if phase_kind == PhaseKind::Steps && says_rollback(&title) {
            self.warning(
                draft.line,
                format!("section `{title}` reads like a rollback procedure but sits in a steps phase, so every run walks it; move it under a `## Rollback` phase"),
            );
        }
        for env in &draft.environments {
            if !is_valid_slug(env) {
                self.error(
                    draft.line,
                    format!("environment `{env}` is not a valid name: use lowercase letters, digits and `-`"),
                );
            }
        }
        // A sub-section's title is its trail (`Cut › Only for v1.30.0-rc.0`); its own
        // words are the last part.
        let own_title = title.rsplit(" › ").next().unwrap_or(&title);
        let optional = draft.optional.unwrap_or_else(|| {
            let in_trail = || {
                (own_title.len() < title.len())
                    .then(|| condition::of_title(&title))
                    .flatten()
            };
            if let Some(found) = condition::of_title(own_title).or_else(in_trail) {
                why.add("optional", format!("{found:?}"), draft.line);
                true
            } else if says_optional_section(&title) {
                why.add("optional", format!("title {title:?}"), draft.line);
                true
            } else {
                false
            }
        });
        let window = self.section_window(
            draft.window,
            (&title, phase_title),
            (phase_kind, kind),
            draft.line,
            &mut why,
        );
        let mut items = draft.items;
        // The title is only worth reading when some item has a threshold it could cancel.
        let under_setting = has_threshold(&items) && says_setting(&title);
        settings_are_not_thresholds(&mut items, under_setting);
        if kind == SectionKind::Triggers {
            triggers_read_as_written(&mut items);
        }
        mark_choices(&mut items);
        self.item_shapes(&items);
        self.assign_item_ids(&id, &mut items, 0);
        if items.is_empty() && kind != SectionKind::Signoff {
            self.warning(draft.line, format!("section `{title}` has no items"));
        }
        Section {
            id,
            title,
            kind,
            role,
            environments: draft.environments,
            optional,
            window,
            anchor: draft.anchor,
            items,
            why,
        }
    }

    /// The section's window: as written, or read from its title when the section comes
    /// after the deployment (see `source::window`).
    fn section_window(
        &mut self,
        spec: WindowSpec,
        (title, phase_title): (&str, &str),
        (phase_kind, kind): (PhaseKind, SectionKind),
        line: Option<u32>,
        why: &mut Why,
    ) -> Option<Window> {
        let index = self.windows.sections;
        self.windows.sections += 1;
        self.windows.lines.push(line);
        let window = match spec {
            WindowSpec::Absent => None,
            WindowSpec::Given(window) => {
                // A YAML `{from, to}` is read field by field, so its order is checked here.
                if let Err(error) = Window::new(window.from, window.to) {
                    self.error(line, format!("section `{title}`: {error}"));
                    return None;
                }
                why.add("window", format!("{window}, as written"), line);
                Some(window)
            }
            WindowSpec::Infer => self.window_from_title(index, title, phase_title, line, why),
        }?;
        if kind == SectionKind::Signoff
            || phase_kind == PhaseKind::Rollback && kind == SectionKind::Steps
        {
            let what = if kind == SectionKind::Signoff {
                "a sign-off is given when the walk reaches it"
            } else {
                "a rollback procedure is walked when a rollback starts"
            };
            self.warning(
                line,
                format!("section `{title}` has the window {window}, but {what}, so the window is left out"),
            );
            why.forget("window");
            return None;
        }
        self.windows.seen = true;
        Some(window)
    }

    fn window_from_title(
        &mut self,
        index: usize,
        title: &str,
        phase_title: &str,
        line: Option<u32>,
        why: &mut Why,
    ) -> Option<Window> {
        let reading = time::read_title(title)?;
        let phrase = reading.phrase.clone();
        let words = lower_words(&format!("{phase_title} {title}"));
        let after = time::says_after_deploy(&words) || self.windows.seen;
        let before = time::says_before_or_estimate(&words);
        let trusted = reading.strength == Strength::Explicit || (after && !before);
        let (from, to) = match reading.found {
            Found::Range { from, to } => (from, to),
            Found::Moment(at) => (at, provisional_end(at)),
            Found::Before => {
                why.add(
                    "no window",
                    format!("{phrase:?} is before the deployment"),
                    line,
                );
                return None;
            }
            Found::Backwards { from, to } => {
                self.warning(
                    line,
                    format!(
                        "the time window {phrase:?} in `{title}` closes before it opens ({from} to {to}), so the section has no window; fix the title, or write <!-- deploycheck: window=FROM..TO --> before it"
                    ),
                );
                return None;
            }
            Found::Unreadable => {
                self.warning(
                    line,
                    format!(
                        "`{title}` has {phrase:?} without a length of time after it (like T+2h), so the section has no window; write <!-- deploycheck: window=FROM..TO --> before it if it has one"
                    ),
                );
                return None;
            }
        };
        if !trusted {
            let reads_like = if before {
                "a plan or how long something takes (its heading or phase says it comes before the deployment, or is an estimate)"
            } else {
                "how long something takes (the section is not after a windowed one, and neither it nor its phase says post-deployment)"
            };
            why.doubt(
                "no window",
                format!(
                    "{phrase:?} reads like {reads_like}, not a time after the deployment; if it is a window, write <!-- deploycheck: window={from}..{to} --> before it"
                ),
                line,
            );
            return None;
        }
        if let Found::Moment(at) = reading.found {
            self.windows.moments.push((index, at, phrase.clone()));
        } else {
            why.add("window", format!("{phrase:?} in the title"), line);
        }
        if let Some(ordinal) = reading.ordinal {
            self.windows.ordinals.push((index, ordinal));
        }
        Some(Window { from, to })
    }

    /// What one section could not decide alone: where a moment's window ends, whether
    /// `Day N` counts from 0 or 1, windows that come in an odd order, and the anchor.
    fn settle_windows(&mut self, phases: &mut [Phase]) {
        let state = std::mem::take(&mut self.windows);
        let mut sections: Vec<&mut Section> = phases
            .iter_mut()
            .flat_map(|p| p.sections.iter_mut())
            .collect();
        if sections.len() != state.sections {
            // Sections dropped along the way: the indexes no longer line up.
            return;
        }
        for (index, ordinal) in &state.ordinals {
            let zero_based = state
                .ordinals
                .iter()
                .any(|(_, o)| o.unit == ordinal.unit && o.first == 0);
            if let Some(window) = sections[*index].window.as_mut() {
                let (from, to) = ordinal.range(zero_based);
                *window = Window { from, to };
            }
        }
        for (index, at, phrase) in &state.moments {
            let next = sections[index + 1..]
                .iter()
                .filter_map(|s| s.window)
                .map(|w| w.from)
                .find(|from| from > at);
            let (to, because) = match next {
                Some(next) => (next, "when the next window opens"),
                None => (provisional_end(*at), "after as long again"),
            };
            let line = state.lines[*index];
            let section = &mut sections[*index];
            if let Some(window) = section.window.as_mut() {
                window.to = to;
                section.why.doubt(
                    "window",
                    format!(
                        "{phrase:?} is a moment: its window closes {because}, at {to}; write <!-- deploycheck: window={at}..{to} --> to say when"
                    ),
                    line,
                );
            }
        }
        let mut previous: Option<(usize, Window)> = None;
        for (index, section) in sections.iter().enumerate() {
            let Some(window) = section.window else {
                continue;
            };
            if let Some((before, earlier)) = previous
                && (window.from < earlier.from || window.to < earlier.to)
            {
                let title = &sections[before].title;
                let verb = if window.from < earlier.from {
                    "opens"
                } else {
                    "closes"
                };
                self.warning(
                    state.lines[index],
                    format!(
                        "the window of `{}` ({window}) {verb} before that of `{title}` ({earlier}), which comes first in the file; the walk asks in file order, so one of them would be answered early or late: reorder the sections or check their windows",
                        section.title
                    ),
                );
            }
            previous = Some((index, window));
        }
        let anchors: Vec<usize> = (0..sections.len())
            .filter(|&i| sections[i].anchor)
            .collect();
        if let Some(&first) = anchors.first() {
            for &other in &anchors[1..] {
                self.warning(
                    state.lines[other],
                    format!(
                        "`{}` is marked as the deployment moment, but so is `{}` before it; the first one counts",
                        sections[other].title, sections[first].title
                    ),
                );
                sections[other].anchor = false;
            }
            if let Some(early) = (0..first).find(|&i| sections[i].window.is_some()) {
                self.warning(
                    state.lines[early],
                    format!(
                        "`{}` has a window, but comes before `{}`, the deployment moment its window counts from; move the anchor up, or the section below it",
                        sections[early].title, sections[first].title
                    ),
                );
            }
        }
    }

    /// Item shapes that cannot work as written. A check on an item whose status comes from
    /// its sub-items (or on a group heading) would never be asked for, so never run: an
    /// error, not a silent no-op. A choice or a group with nothing to choose from or to
    /// hold: warnings.
    fn item_shapes(&mut self, items: &[Item]) {
        let mut stack: Vec<&Item> = items.iter().rev().collect();
        while let Some(item) = stack.pop() {
            if item.check.is_some() && (item.group || !item.children.is_empty()) {
                self.error(
                    item.line,
                    format!(
                        "item `{}` has sub-items, so its status follows from theirs and its check would never run; put the check on a sub-item",
                        item.text
                    ),
                );
            }
            // A threshold there is never measured either; a warning, since the item
            // still reads: its sub-items are walked and decide it.
            if let Some(threshold) = &item.threshold
                && (item.group || !item.children.is_empty())
            {
                self.warning(
                    item.line,
                    format!(
                        "item `{}` has sub-items, so its status follows from theirs and its limit ({}) is never measured; give the limit its own sub-item",
                        item.text,
                        threshold
                    ),
                );
            }
            if item.choice && item.children.len() < 2 {
                let has = match item.children.len() {
                    0 => "no alternatives under it",
                    _ => "only one alternative under it, so there is nothing to choose",
                };
                self.warning(
                    item.line,
                    format!(
                        "item `{}` is a choice with {has}; give it two or more sub-items, or drop `choice`",
                        item.text
                    ),
                );
            } else if item.group && item.children.is_empty() {
                self.warning(
                    item.line,
                    format!(
                        "item `{}` is a group with no items under it, so it asks nothing; add its items, or drop `group`",
                        item.text
                    ),
                );
            }
            stack.extend(item.children.iter().rev());
        }
    }

    /// Turns each item's `id` (an explicit ID, or empty) into its full path, in place.
    fn assign_item_ids(&mut self, parent_id: &str, items: &mut Vec<Item>, depth: usize) {
        if items.is_empty() {
            return;
        }
        if depth >= MAX_ITEM_DEPTH {
            let line = items.first().and_then(|i| i.line);
            self.error(
                line,
                format!("items nest more than {MAX_ITEM_DEPTH} levels deep; flatten the list"),
            );
            items.clear();
            return;
        }
        // Items are the many siblings: their IDs are built in place, with no list of keys.
        let mut explicit = std::mem::take(&mut self.explicit);
        explicit.clear();
        for item in items.iter_mut() {
            let given = (!item.id.is_empty()).then_some(item.id.as_str());
            let (id, is_explicit) = self.full_id(parent_id, given, &item.text, item.line, "item");
            item.id = id;
            explicit.push(is_explicit);
        }
        self.make_unique(parent_id, items.as_mut_slice(), &explicit, "item");
        self.explicit = explicit;
        for item in items.iter_mut() {
            let Item { id, children, .. } = item;
            self.assign_item_ids(id, children, depth + 1);
        }
    }

    /// Full IDs for one group of siblings. Explicit IDs are placed first so that an author's
    /// choice never depends on the order of the items around it; generated ones are slugs
    /// of the text, with `-2`, `-3` only where siblings would collide.
    fn assign_ids(&mut self, parent: &str, keys: &[IdKey], what: &str) -> Vec<String> {
        let mut ids = Vec::with_capacity(keys.len());
        let mut explicit = Vec::with_capacity(keys.len());
        for key in keys {
            let (id, is_explicit) = self.full_id(parent, key.explicit, key.text, key.line, what);
            ids.push(id);
            explicit.push(is_explicit);
        }
        self.make_unique(
            parent,
            &mut Keyed {
                ids: &mut ids,
                keys,
            },
            &explicit,
            what,
        );
        ids
    }

    /// `parent/segment`, where the segment is the explicit one if it is valid, else the
    /// slug of `text`; and whether it was explicit.
    fn full_id(
        &mut self,
        parent: &str,
        explicit: Option<&str>,
        text: &str,
        line: Option<u32>,
        what: &str,
    ) -> (String, bool) {
        let segment = explicit.and_then(|e| self.explicit_segment(parent, e, line, what));
        let segment_len = segment
            .as_ref()
            .map_or(text.len().min(MAX_SLUG_LEN), String::len);
        let mut id = String::with_capacity(parent.len() + 1 + segment_len);
        if !parent.is_empty() {
            id.push_str(parent);
            id.push('/');
        }
        match segment {
            Some(segment) => {
                id.push_str(&segment);
                (id, true)
            }
            None => {
                push_slug(&mut id, text);
                (id, false)
            }
        }
    }

    /// Renames generated IDs that collide with an earlier claim (explicit IDs claim first,
    /// then the rest in order), and reports repeated explicit IDs.
    fn make_unique(
        &mut self,
        parent: &str,
        siblings: &mut (impl Siblings + ?Sized),
        explicit: &[bool],
        what: &str,
    ) {
        let prefix = if parent.is_empty() {
            0
        } else {
            parent.len() + 1
        };
        // Siblings share the parent prefix; only the last segment can differ. Sorting the
        // siblings by (hash of segment, claim rank), in a list kept from one group to the
        // next, puts each group of equal segments together with its claimant first.
        let mut claims = std::mem::take(&mut self.claims);
        claims.clear();
        let count = explicit.len();
        let order = (0..count)
            .filter(|&i| explicit[i])
            .chain((0..count).filter(|&i| !explicit[i]));
        let hashing = foldhash::fast::RandomState::default();
        claims.extend(order.enumerate().map(|(rank, index)| {
            let segment = &siblings.id(index).as_bytes()[prefix..];
            (hashing.hash_one(segment), rank, index)
        }));
        claims.sort_unstable();
        // (claim rank, index, index of the sibling that claimed the segment first)
        let mut collisions: Vec<(usize, usize, usize)> = Vec::new();
        let mut run = 0;
        while run < claims.len() {
            let hash = claims[run].0;
            let end = claims[run..]
                .iter()
                .position(|c| c.0 != hash)
                .map_or(claims.len(), |n| run + n);
            // Equal hashes are nearly always equal segments; the claimant of a segment is
            // the first in the run, by rank, that has it.
            for later in run + 1..end {
                let (_, rank, index) = claims[later];
                let segment = &siblings.id(index)[prefix..];
                if let Some(&(_, _, first)) = claims[run..later]
                    .iter()
                    .find(|c| &siblings.id(c.2)[prefix..] == segment)
                {
                    collisions.push((rank, index, first));
                }
            }
            run = end;
        }
        self.claims = claims;
        if collisions.is_empty() {
            return;
        }
        collisions.sort_unstable();
        // Each name remembers the next suffix to try, so a thousand repeats of one text cost
        // a thousand steps, not a million; a suffix another sibling already holds is skipped.
        let mut taken: FastSet<String> = (0..count)
            .map(|i| siblings.id(i)[prefix..].to_string())
            .collect();
        let mut next_suffix: FastMap<String, usize> = FastMap::default();
        // One warning per group of repeats, at the first repeat.
        struct Repeats {
            /// The sibling that keeps the id.
            first: usize,
            lines: Vec<Option<u32>>,
            first_new: String,
            last_new: String,
        }
        let mut groups: Vec<Repeats> = Vec::new();
        let mut group_of: FastMap<usize, usize> = FastMap::default();
        for (_, index, first) in collisions {
            let segment = siblings.id(index)[prefix..].to_string();
            let first_line = siblings.line(first);
            if explicit[index] {
                let at = first_line.map_or(String::new(), |l| format!(" on line {l}"));
                self.error(
                    siblings.line(index),
                    format!("duplicate {what} id `{segment}`: already used{at}; IDs must be unique within their parent"),
                );
                continue;
            }
            let n = next_suffix.entry(segment.clone()).or_insert(2);
            let renamed = loop {
                let candidate = format!("{segment}-{n}");
                *n += 1;
                if !taken.contains(&candidate) {
                    break candidate;
                }
            };
            let group = *group_of.entry(first).or_insert_with(|| {
                groups.push(Repeats {
                    first,
                    lines: Vec::new(),
                    first_new: renamed.clone(),
                    last_new: String::new(),
                });
                groups.len() - 1
            });
            groups[group].lines.push(siblings.line(index));
            groups[group].last_new.clone_from(&renamed);
            let id = format!("{}{renamed}", &siblings.id(index)[..prefix]);
            siblings.set_id(index, id);
            taken.insert(renamed);
        }
        for Repeats {
            first,
            lines,
            first_new,
            last_new: last,
        } in groups
        {
            let repeats = lines.len();
            let shown: Vec<String> = lines
                .iter()
                .take(5)
                .map(|l| l.map_or("?".to_string(), |l| l.to_string()))
                .collect();
            let more = if repeats > 5 { ", ..." } else { "" };
            let earlier = siblings
                .line(first)
                .map_or(String::new(), |l| format!(" (first on line {l})"));
            let renamed = if repeats == 1 {
                format!("it gets `{last}`, which shifts")
            } else {
                format!("they get `{first_new}` to `{last}`, which shift")
            };
            if explicit[first] {
                // Not a repeat of the claimant's text: the id it gives itself is the one
                // the others' texts would make.
                let given = siblings
                    .line(first)
                    .map_or(String::new(), |l| format!(" on line {l}"));
                self.warning(
                    lines[0],
                    format!(
                        "the {what}{} on line{} {}{more} would take the id `{}`, which the {what} `{}`{given} gives itself, so {renamed} if they are reordered; give {} an explicit id",
                        if repeats == 1 { "" } else { "s" },
                        if repeats == 1 { "" } else { "s" },
                        shown.join(", "),
                        &siblings.id(first)[prefix..],
                        siblings.text(first),
                        if repeats == 1 { "it" } else { "each" },
                    ),
                );
                continue;
            }
            self.warning(
                lines[0],
                format!(
                    "{what} `{}` is repeated {repeats} more time{}{earlier}, on line{} {}{more}, so {renamed} if they are reordered; give {} an explicit id",
                    siblings.text(first),
                    if repeats == 1 { "" } else { "s" },
                    if repeats == 1 { "" } else { "s" },
                    shown.join(", "),
                    if repeats == 1 { "one" } else { "each" },
                ),
            );
        }
    }

    /// An explicit ID is either the last segment or the whole path under the right parent.
    fn explicit_segment(
        &mut self,
        parent: &str,
        explicit: &str,
        line: Option<u32>,
        what: &str,
    ) -> Option<String> {
        let segment = match explicit.rsplit_once('/') {
            Some((prefix, segment)) if prefix == parent => segment,
            Some(_) => {
                let under = if parent.is_empty() {
                    "the top level".to_string()
                } else {
                    format!("`{parent}`")
                };
                self.error(
                    line,
                    format!(
                        "{what} id `{explicit}` does not sit under {under}; give just its last part"
                    ),
                );
                return None;
            }
            None => explicit,
        };
        if !is_valid_slug(segment) {
            self.error(
                line,
                format!("{what} id `{explicit}` is not a valid ID: use lowercase letters, digits and `-`, `_` or `.`, starting with a letter or digit"),
            );
            return None;
        }
        Some(segment.to_string())
    }
}

/// Collapses whitespace and repairs mis-encoded fragments (warning once per line), reusing
/// the string when it is already clean, which is nearly always: this runs once per item.
pub fn clean_owned(
    file: &str,
    diagnostics: &mut Vec<Diagnostic>,
    text: String,
    line: Option<u32>,
) -> String {
    if ItemScan::of(&text).plain {
        text
    } else {
        cleaned(file, diagnostics, text, line)
    }
}

/// Text that is not plain, cleaned: mis-encoded fragments repaired, whitespace collapsed,
/// control characters escaped (each with its warning).
fn cleaned(
    file: &str,
    diagnostics: &mut Vec<Diagnostic>,
    text: String,
    line: Option<u32>,
) -> String {
    let text = repair_and_collapse(file, diagnostics, text, line);
    crate::text::checklist_text(file, diagnostics, text, line)
}

fn repair_and_collapse(
    file: &str,
    diagnostics: &mut Vec<Diagnostic>,
    text: String,
    line: Option<u32>,
) -> String {
    let text = match emoji_shortcodes(&text) {
        Some(replaced) => replaced,
        None => text,
    };
    let (repaired, fixes) = mojibake::repair(&text);
    if !fixes.is_empty() {
        let repaired = repaired.into_owned();
        diagnostics.push(Diagnostic::warning(file, line, mojibake::describe(&fixes)));
        return collapse_whitespace(&repaired);
    }
    if is_collapsed(&text) {
        text
    } else {
        collapse_whitespace(&text)
    }
}

/// `:white_check_mark: Checklist` as GitHub shows it: `✅ Checklist`. Unknown names stay as
/// written. `None` when there is nothing to replace, which is nearly always.
fn emoji_shortcodes(text: &str) -> Option<String> {
    let first = text.find(':')?;
    text[first + 1..].find(':')?;
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut changed = false;
    while let Some(open) = rest.find(':') {
        let after = &rest[open + 1..];
        let name_len = after
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'+' | b'-'))
            .count();
        let emoji = (name_len > 0 && after[name_len..].starts_with(':'))
            .then(|| emojis::get_by_shortcode(&after[..name_len]))
            .flatten();
        match emoji {
            Some(emoji) => {
                out.push_str(&rest[..open]);
                out.push_str(emoji.as_str());
                rest = &after[name_len + 1..];
                changed = true;
            }
            None => {
                out.push_str(&rest[..open + 1]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// An item's own words, read: cleaned, scanned, and the threshold they name. Reading them
/// needs nothing but the words, so the items of a large file are read while it is still
/// being scanned, on more than one core; [`new_item`] then places them in the tree.
#[derive(Debug)]
pub struct ItemWords {
    text: String,
    threshold: Option<Box<Threshold>>,
    scan: ItemScan,
    /// What only unusual words have, kept aside so that every item's block stays small.
    unusual: Option<Box<Unusual>>,
}

#[derive(Debug, Default)]
struct Unusual {
    /// As written, when reading changed it.
    written: Option<String>,
    /// What cleaning found to warn of: said when the item is placed, and never for an
    /// item that is left out.
    warnings: Vec<Diagnostic>,
    /// A limit the words name after the one measured, which nothing measures.
    unmeasured: Option<Threshold>,
}

impl ItemWords {
    /// Reads `written`; the threshold it names only if `infer_threshold` (a group's words
    /// name none, and an author's threshold replaces them).
    pub fn read(file: &str, written: String, line: Option<u32>, infer_threshold: bool) -> Self {
        let scan = ItemScan::of(&written);
        let (text, scan, mut unusual) = if scan.plain {
            (written, scan, None)
        } else {
            let mut warnings = Vec::new();
            let text = cleaned(file, &mut warnings, written.clone(), line);
            let scan = ItemScan::of(&text);
            let written = (text != written).then_some(written);
            let unusual = (written.is_some() || !warnings.is_empty()).then(|| {
                Box::new(Unusual {
                    written,
                    warnings,
                    unmeasured: None,
                })
            });
            (text, scan, unusual)
        };
        let threshold = infer_threshold
            .then(|| Threshold::infer_scanned_and_next(&text, &scan))
            .flatten()
            .map(|(threshold, next)| {
                if next.is_some() {
                    unusual.get_or_insert_default().unmeasured = next;
                }
                Box::new(threshold)
            });
        ItemWords {
            text,
            threshold,
            scan,
            unusual,
        }
    }

    /// The words as they were written, before cleaning and any rewriting by the reader.
    pub fn written(&self) -> &str {
        self.unusual
            .as_ref()
            .and_then(|u| u.written.as_deref())
            .unwrap_or(&self.text)
    }

    /// These words, read from a reader's rewriting of what was `written`.
    pub fn written_as(mut self, written: String) -> Self {
        self.unusual.get_or_insert_default().written = Some(written);
        self
    }
}

/// What a parser knows of an item beyond its text and line.
#[derive(Debug, Default)]
pub struct ItemSpec {
    pub explicit_id: Option<String>,
    pub optional: Option<bool>,
    pub threshold: ThresholdSpec,
    /// `None`: read it from the text. `Some(None)`: the author said there is none.
    pub condition: Option<Option<String>>,
    /// The condition of the group this item sits in, which it shares unless it says otherwise.
    pub inherited_condition: Option<String>,
    pub group: bool,
    pub choice: bool,
    /// What the parser already knows about how it read the item.
    pub why: Why,
}

/// A model item from what a parser read, with the inference both formats share: text
/// cleaned, threshold read from the text unless given, optional and its condition from its
/// markers unless given. `None` (with a warning) for an item without text; the caller
/// drops its children.
pub fn new_item(
    file: &str,
    diagnostics: &mut Vec<Diagnostic>,
    words: ItemWords,
    line: Option<u32>,
    spec: ItemSpec,
) -> Option<Item> {
    let ItemWords {
        text,
        threshold: inferred,
        scan,
        unusual,
    } = words;
    let mut unmeasured = None;
    if let Some(unusual) = unusual {
        diagnostics.extend(unusual.warnings);
        unmeasured = unusual.unmeasured;
    }
    if text.is_empty() {
        diagnostics.push(Diagnostic::warning(
            file,
            line,
            "task item has no text; it and any items under it are left out",
        ));
        return None;
    }
    let mut why = spec.why;
    let threshold = match spec.threshold {
        ThresholdSpec::Infer if !spec.group => {
            let found = inferred;
            if let Some(threshold) = &found {
                // The note's words are derived from the item when shown, so that the many
                // measured items of a large file cost no formatting here. A bare number is
                // the likeliest count or setting read as a measurement.
                if threshold.unit.is_none() {
                    why.doubt("threshold", String::new(), line);
                } else {
                    why.add("threshold", String::new(), line);
                }
                if let Some(second) = unmeasured {
                    diagnostics.push(Diagnostic::warning(
                        file,
                        line,
                        format!(
                            "item `{text}` names two limits, `{threshold}` and `{second}`, and only the first is measured; split it into one item per limit"
                        ),
                    ));
                }
            }
            found
        }
        ThresholdSpec::Infer | ThresholdSpec::Absent => None,
        ThresholdSpec::Given(threshold) => Some(threshold),
    };
    let (optional, condition) = match (spec.optional, spec.condition) {
        (_, Some(given)) => (
            spec.optional.unwrap_or(given.is_some()),
            given.filter(|c| !c.trim().is_empty()),
        ),
        (Some(false), None) => (false, None),
        (given, None) => {
            let own = if spec.group {
                condition::of_title(&text)
            } else {
                condition::of_scanned_item(&text, &scan)
            };
            match own {
                Some(found) => {
                    why.add("optional", format!("{found:?}"), line);
                    (true, Some(found))
                }
                None => match spec.inherited_condition {
                    Some(inherited) if given.is_none() => {
                        why.add(
                            "optional",
                            format!("{inherited:?}, from the item above"),
                            line,
                        );
                        (true, Some(inherited))
                    }
                    _ => (given.unwrap_or(false), None),
                },
            }
        }
    };
    if spec.group {
        why.add("group", "a plain bullet that holds task items", line);
    }
    Some(Item {
        id: spec.explicit_id.unwrap_or_default(),
        optional,
        condition,
        text,
        line,
        check: None,
        threshold,
        children: Vec::new(),
        group: spec.group,
        choice: spec.choice,
        why,
    })
}

/// Under a parent that configures alerts or limits (`Alert thresholds set:`), `CPU > 80%`
/// is a setting to apply, not a value to measure: inferred thresholds there are dropped.
fn settings_are_not_thresholds(items: &mut [Item], under_setting: bool) {
    let mut stack: Vec<(&mut Item, bool)> = items.iter_mut().map(|i| (i, under_setting)).collect();
    while let Some((item, setting)) = stack.pop() {
        let inferred = item.why.notes().iter().any(|n| n.what == "threshold");
        let own_setting = inferred && says_setting(&item.text);
        if (setting || own_setting) && inferred && item.threshold.is_some() {
            item.threshold = None;
            item.why.forget("threshold");
            item.why.add(
                "no threshold",
                if own_setting {
                    "it configures a limit rather than measuring one".to_string()
                } else {
                    "a setting under a parent that configures limits".to_string()
                },
                item.line,
            );
        }
        // Only worth reading when a child has a threshold to lose.
        let children_setting = setting
            || (item.children.iter().any(|c| c.threshold.is_some()) && says_setting(&item.text));
        stack.extend(item.children.iter_mut().map(|c| (c, children_setting)));
    }
}

/// A trigger holds when its comparison does, so it keeps the comparison as written:
/// `Roll back if error rate > 5%` holds at `> 5%`, where a step with the same words passes
/// at `<= 5%`. Only a threshold read from the item's own words is read again.
fn triggers_read_as_written(items: &mut [Item]) {
    for item in items {
        if let Some(threshold) = &item.threshold
            && item.why.notes().iter().any(|n| n.what == "threshold")
            && Threshold::infer(&item.text).as_ref() == Some(&**threshold)
        {
            item.threshold = Threshold::infer_condition(&item.text).map(Box::new);
        }
        triggers_read_as_written(&mut item.children);
    }
}

fn has_threshold(items: &[Item]) -> bool {
    let mut stack: Vec<&Item> = items.iter().collect();
    while let Some(item) = stack.pop() {
        if item.threshold.is_some() {
            return true;
        }
        stack.extend(&item.children);
    }
    false
}

/// `Select one:` over its children, or children marked `(Option A)`, `(Option B)`: one of
/// them done is enough, so each is optional and says which alternative it is.
fn mark_choices(items: &mut [Item]) {
    let mut stack: Vec<&mut Item> = items.iter_mut().collect();
    while let Some(item) = stack.pop() {
        if item.children.len() >= 2 && !item.choice {
            let options = item
                .children
                .iter()
                .filter(|c| option_label(&c.text).is_some())
                .count();
            if says_choice(&item.text) || options >= 2 {
                item.choice = true;
                item.why.add(
                    "choice",
                    if options >= 2 {
                        format!("{options} children marked as options")
                    } else {
                        format!("{:?}", item.text)
                    },
                    item.line,
                );
            }
        }
        if item.choice {
            let count = item.children.len();
            for child in &mut item.children {
                if !child.optional {
                    child.optional = true;
                    let label = option_label(&child.text)
                        .unwrap_or_else(|| format!("one of {count} alternatives"));
                    child
                        .why
                        .add("optional", format!("an alternative: {label:?}"), child.line);
                    child.condition.get_or_insert(label);
                }
            }
        }
        stack.extend(item.children.iter_mut());
    }
}

pub(crate) fn says_choice(text: &str) -> bool {
    // Every phrase below has `one` after or before a space, or `either`; most parents have
    // neither (`component` has `one` inside a word).
    let bytes = text.as_bytes();
    let maybe = bytes.windows(4).any(|w| {
        w.eq_ignore_ascii_case(b" one")
            || w.eq_ignore_ascii_case(b"one ")
            || w.eq_ignore_ascii_case(b"eith")
    });
    maybe
        && lower_contains_any(
            text,
            &[
                "select one",
                "choose one",
                "pick one",
                "one of the following",
                "one of:",
                "either:",
                "any one of",
            ],
        )
}

/// `(Option A) Blue/green`, `Option 2: canary` → `Option A`, `Option 2`.
fn option_label(text: &str) -> Option<String> {
    let trimmed = text.trim_start_matches(['(', '*', '_', ' ']);
    let head = trimmed.as_bytes().get(..7)?;
    if !head.eq_ignore_ascii_case(b"option ") {
        return None;
    }
    let rest = &trimmed[7..];
    let tag: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric())
        .take(3)
        .collect();
    (!tag.is_empty()).then(|| format!("Option {tag}"))
}

/// Text about configuring alerts or limits: `Alert thresholds set:`, `Autoscaling at CPU > 70%`.
fn says_setting(text: &str) -> bool {
    // Every phrase below has one of these words; a pass over the words rules most text out.
    let maybe = SETTING_WORDS.any_in(text);
    // `Set replicas to at least 3`, `Limit uploads to 10 MB`: an instruction to configure.
    let first = text.split_whitespace().next().unwrap_or("");
    let configures = ["set", "configure", "limit", "cap", "enforce", "restrict"]
        .iter()
        .any(|verb| first.eq_ignore_ascii_case(verb));
    configures
        || maybe
            && lower_contains_any(
                text,
                &[
                    "alert",
                    "alarm",
                    "thresholds",
                    "threshold set",
                    "threshold configured",
                    "autoscal",
                    "auto-scal",
                    "scale up when",
                    "scale out when",
                    "scale up if",
                    "scale out if",
                    "scaling policy",
                    "scaling rule",
                    "configured to",
                    "configure ",
                    "set to ",
                    "set up ",
                    "page when",
                    "paging",
                    "notify when",
                    "limits set",
                    "limit set",
                    "quota",
                    "retries configured",
                ],
            )
}

/// The words every phrase of [`says_setting`] holds one of.
const SETTING_WORDS: Lexicon = Lexicon::new(&[
    "alert",
    "alerts",
    "alerting",
    "alarm",
    "alarms",
    "threshold",
    "thresholds",
    "autoscaling",
    "autoscaler",
    "autoscale",
    "auto",
    "scale",
    "scaling",
    "configured",
    "configure",
    "set",
    "page",
    "paging",
    "notify",
    "limit",
    "limits",
    "quota",
    "quotas",
    "retries",
]);

/// The words of a heading or an item, lowercased, punctuation dropped:
/// `Phase 1: Detection` is `phase`, `1`, `detection`.
pub(crate) fn lower_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Titles that name who approves: `Security Team`, `QA Lead`, `Product Owner`.
pub fn looks_like_role(title: &str) -> bool {
    let words = lower_words(title);
    words.len() <= 6
        && words.iter().any(|w| {
            matches!(
                w.as_str(),
                "team"
                    | "lead"
                    | "leads"
                    | "manager"
                    | "owner"
                    | "engineer"
                    | "officer"
                    | "approver"
                    | "approvers"
                    | "director"
                    | "architect"
                    | "head"
                    | "vp"
                    | "cto"
                    | "ciso"
                    | "ceo"
                    | "sre"
                    | "qa"
                    | "devops"
                    | "operations"
                    | "ops"
                    | "security"
                    | "product"
                    | "development"
                    | "engineering"
                    | "stakeholder"
                    | "stakeholders"
                    | "reviewer"
                    | "reviewers"
                    | "commander"
                    | "dba"
                    | "compliance"
                    | "legal"
                    | "support"
                    | "business"
                    | "management"
                    | "sponsor"
                    | "maintainer"
                    | "maintainers"
            )
        })
}

/// The role a sign-off section's title names: `QA sign-off` is signed by `QA`.
pub(crate) fn role_of_title(title: &str) -> String {
    let read = &*ascii_hyphens(title);
    let lower = read.to_ascii_lowercase();
    for word in SIGNOFF_WORDS {
        if lower.ends_with(word) && lower.len() > word.len() {
            // The role as the title writes it: `ascii_hyphens` swaps one char for one, so
            // the cut falls after as many chars of the title as of what was read.
            let chars = read[..read.len() - word.len()].chars().count();
            let cut = title
                .char_indices()
                .nth(chars)
                .map_or(title.len(), |(at, _)| at);
            let role = title[..cut]
                .trim_end_matches([' ', '-', '–', ':', '\u{2010}', '\u{2011}', '\u{2012}']);
            if !role.is_empty() {
                return role.to_string();
            }
        }
    }
    title.to_string()
}

/// A group of siblings whose IDs are made unique: items in place, or phases and sections
/// with their IDs beside their keys.
trait Siblings {
    fn id(&self, index: usize) -> &str;
    fn set_id(&mut self, index: usize, id: String);
    fn text(&self, index: usize) -> &str;
    fn line(&self, index: usize) -> Option<u32>;
}

impl Siblings for [Item] {
    fn id(&self, index: usize) -> &str {
        &self[index].id
    }

    fn set_id(&mut self, index: usize, id: String) {
        self[index].id = id;
    }

    fn text(&self, index: usize) -> &str {
        &self[index].text
    }

    fn line(&self, index: usize) -> Option<u32> {
        self[index].line
    }
}

struct Keyed<'k, 'a> {
    ids: &'k mut [String],
    keys: &'k [IdKey<'a>],
}

impl Siblings for Keyed<'_, '_> {
    fn id(&self, index: usize) -> &str {
        &self.ids[index]
    }

    fn set_id(&mut self, index: usize, id: String) {
        self.ids[index] = id;
    }

    fn text(&self, index: usize) -> &str {
        self.keys[index].text
    }

    fn line(&self, index: usize) -> Option<u32> {
        self.keys[index].line
    }
}

struct IdKey<'a> {
    explicit: Option<&'a str>,
    text: &'a str,
    line: Option<u32>,
}

impl<'a> IdKey<'a> {
    fn new(explicit: Option<&'a str>, text: &'a str, line: Option<u32>) -> Self {
        IdKey {
            explicit,
            text,
            line,
        }
    }
}

/// Whether `text` has no leading, trailing or repeated whitespace, and no whitespace but spaces.
fn is_collapsed(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.first() == Some(&b' ') || bytes.last() == Some(&b' ') {
        return false;
    }
    let mut previous_space = false;
    for &b in bytes {
        if b == b' ' {
            if previous_space {
                return false;
            }
            previous_space = true;
        } else if b.is_ascii_whitespace() || b == 0xC2 || b == 0xE2 || b == 0xE3 {
            // Tabs, newlines, and the lead bytes of NBSP and other Unicode spaces.
            return false;
        } else {
            previous_space = false;
        }
    }
    true
}

pub fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Case-insensitive search for lowercase ASCII needles, without lowercasing a copy: one
/// pass over the text, which stops only where a needle could start.
fn lower_contains_any(text: &str, needles: &[&str]) -> bool {
    let text = &*ascii_hyphens(text);
    // The needles' first bytes as a set, keyed like the text's bytes below (`| 0x20` folds
    // ASCII letters to lowercase and keeps `(` as it is).
    let firsts = needles
        .iter()
        .filter_map(|n| n.as_bytes().first())
        .fold(0u128, |set, &b| set | 1u128 << (b & 0x7f));
    let hay = text.as_bytes();
    (0..hay.len()).any(|at| {
        let key = hay[at] | 0x20;
        key < 0x80
            && firsts >> key & 1 == 1
            && needles.iter().any(|needle| {
                let needle = needle.as_bytes();
                needle.first() == Some(&key)
                    && hay
                        .get(at..at + needle.len())
                        .is_some_and(|window| window.eq_ignore_ascii_case(needle))
            })
    })
}

/// `text` with the Unicode hyphens a word processor or a careful author types
/// (`Sign‑off`, U+2011) as `-`, so that words are matched as they read; borrowed when there
/// are none, which is nearly always.
pub(crate) fn ascii_hyphens(text: &str) -> std::borrow::Cow<'_, str> {
    const HYPHENS: [char; 3] = ['\u{2010}', '\u{2011}', '\u{2012}'];
    if memchr::memchr(0xE2, text.as_bytes()).is_some() && text.contains(HYPHENS) {
        text.replace(HYPHENS, "-").into()
    } else {
        text.into()
    }
}

pub fn says_rollback(title: &str) -> bool {
    lower_contains_any(title, &["rollback", "roll back", "roll-back"])
}

pub fn says_signoff(title: &str) -> bool {
    lower_contains_any(title, &SIGNOFF_WORDS)
}

/// Whether a heading's words say that what it holds is signed (`## Approval`,
/// `### Sign-off`, `#### Reviewers`): where `Role: ____` lines and blank approver rows are
/// sign-offs. Whole words: `Design` and `Assignments` hold "sign" and sign nothing.
pub(crate) fn titled_for_signoff(title: &str) -> bool {
    const SIGNING: Lexicon = Lexicon::new(&[
        "sign",
        "signs",
        "signed",
        "signoff",
        "signoffs",
        "signature",
        "signatures",
        "approve",
        "approved",
        "approval",
        "approvals",
        "approver",
        "approvers",
        "review",
        "reviews",
        "reviewed",
        "reviewer",
        "reviewers",
    ]);
    lower_words(title)
        .iter()
        .any(|w| SIGNING.contains(w.as_bytes()))
}

/// The words that name a sign-off: in a heading (`## Sign-off`), at the end of a role's
/// section (`QA sign-off`), in an approvals table's header.
pub(crate) const SIGNOFF_WORDS: [&str; 4] = ["sign-off", "signoff", "sign off", "approval"];

/// `Abort criteria`, `Rollback triggers`, `No-go conditions`: triggers wherever they sit.
fn says_abort_criteria(title: &str) -> bool {
    lower_contains_any(title, &["criteria", "trigger", "conditions"])
        && lower_contains_any(
            title,
            &["abort", "no-go", "rollback", "roll back", "roll-back"],
        )
}

fn says_trigger(title: &str) -> bool {
    lower_contains_any(
        title,
        &[
            "trigger",
            "criteria",
            "when to roll",
            "conditions",
            "abort if",
        ],
    )
}

const OPTIONAL_MARKERS: &[&str] = &[
    "(if required)",
    "(if needed)",
    "(if applicable)",
    "(if necessary)",
    "(optional)",
    "(if any)",
];

/// Whether an item's own text marks it optional: `(if needed)`, `(if required)`, ...
pub fn says_optional_item(text: &str) -> bool {
    (text.contains('(') && lower_contains_any(text, OPTIONAL_MARKERS))
        || condition::of_item(text).is_some()
}

fn says_optional_section(title: &str) -> bool {
    says_optional_item(title)
        || lower_contains_any(
            title,
            &[
                "stretch goal",
                "nice to have",
                "nice-to-have",
                "optional",
                "bonus",
            ],
        )
}

/// Where a moment's window ends until the sections around it say otherwise: as long again
/// after it opens (an hour for `T+0`).
fn provisional_end(at: Span) -> Span {
    if at.is_zero() {
        Span::of(1.0, "h").expect("hours are a unit")
    } else {
        at.doubled()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signoff_title_names_its_role_without_the_word_signoff() {
        assert_eq!(role_of_title("QA sign-off"), "QA");
        assert_eq!(role_of_title("Security Team Signoff"), "Security Team");
        assert_eq!(role_of_title("Change board approval"), "Change board");
        assert_eq!(role_of_title("Release Manager"), "Release Manager");
        assert_eq!(role_of_title("Sign-off"), "Sign-off");
        // A non-breaking hyphen reads as a hyphen.
        assert_eq!(role_of_title("QA Sign\u{2011}off"), "QA");
        // ... and the role keeps the title's own hyphens.
        assert_eq!(
            role_of_title("Site\u{2011}Reliability Sign\u{2011}off"),
            "Site\u{2011}Reliability"
        );
        assert_eq!(
            role_of_title("Über\u{2011}team – sign-off"),
            "Über\u{2011}team"
        );
        assert!(says_signoff("Pre-Launch Sign\u{2011}off"));
        assert!(says_rollback("Roll\u{2010}back plan"));
    }
    use proptest::prelude::*;

    /// The general path, without the shortcut for plain text.
    fn cleaned_the_long_way(text: &str) -> (String, Vec<Diagnostic>) {
        let mut diagnostics = Vec::new();
        let text = repair_and_collapse("c.md", &mut diagnostics, text.to_string(), Some(1));
        let text = crate::text::checklist_text("c.md", &mut diagnostics, text, Some(1));
        (text, diagnostics)
    }

    proptest! {
        #[test]
        fn plain_text_is_what_cleaning_would_leave(
            text in prop_oneof!["[ -~]{0,60}", "[a-z :\t]{0,30}", any::<String>()]
        ) {
            if ItemScan::of(&text).plain {
                let (cleaned, diagnostics) = cleaned_the_long_way(&text);
                prop_assert_eq!(cleaned, text);
                prop_assert!(diagnostics.is_empty());
            }
        }
    }
}
