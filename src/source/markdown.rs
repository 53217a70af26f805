//! Markdown checklists: GitHub task lists under `##` phases and `###` sections.
//!
//! Two passes. The first walks pulldown-cmark's events once and reduces the document to a
//! flat list of [`Block`]s (headings, task items with their nesting depth, sign-off lines,
//! run fields, contacts, directives, prose), each with its line. The second decides what
//! the heading levels mean for this file (title, phases, sections, deeper sub-sections)
//! and assembles a [`Draft`]. Both passes are linear and neither recurses, so huge or
//! absurdly nested files cost time in proportion to their size and nothing more.

use pulldown_cmark::{CodeBlockKind, Event, MetadataBlockKind, Options, Parser, Tag, TagEnd};

use super::build::{
    Draft, DraftContact, DraftField, DraftPhase, DraftSection, ItemSpec, ItemWords, MAX_ITEM_DEPTH,
    ThresholdSpec, WindowSpec, ascii_hyphens, collapse_whitespace, looks_like_role, lower_words,
    new_item, role_of_title, says_choice, says_signoff, titled_for_signoff,
};
use super::diagnostic::{Diagnostic, LineIndex, count_newlines};
use super::directive::{Directive, find_directives};
use super::mojibake;
use super::yaml;
use crate::model::{Check, Contact, Item, PhaseKind, SectionKind, Why};
use crate::words::Lexicon;

/// What a bold paragraph is when no list of items follows it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Alone {
    /// `**Before going live**`: words of the description before the first phase.
    Title,
    /// Ends with a colon (`**DOI**:`): a run field.
    Label,
    /// Bold words with a note in brackets (`**Skip** (if hotfix)`): prose, which may say
    /// something of its section.
    Noted,
    /// Over a code block or a list of other things (`**Deploy to Production:**` over its
    /// commands): says what they are, and is neither a field nor description.
    Caption,
}

#[derive(Debug)]
enum Block {
    Heading {
        level: u8,
        text: String,
        line: u32,
        directive: Option<Box<Directive>>,
        /// Inside a `<details>` help block: read, but never a phase or section.
        hidden: bool,
    },
    /// A paragraph that is only bold text (`**Before going live:**`); a heading if a list follows.
    Pseudo {
        text: String,
        line: u32,
        /// What it is when no list of items follows.
        alone: Alone,
    },
    Item {
        depth: usize,
        /// Read as soon as the item's own text is complete, while the file is scanned.
        words: ItemWords,
        line: u32,
        directive: Option<Box<Directive>>,
        /// A plain bullet that holds task items.
        group: bool,
        /// Non-task bullets under a task item: detail of what it says (its measurable goals).
        detail: Vec<String>,
        /// A fenced `check` block nested under the item, with the line it starts on.
        check: Option<Box<(Check, u32)>>,
    },
    /// Boxed, like `Contact`: rare variants must not widen every task-item block.
    Directive {
        directive: Box<Directive>,
        line: u32,
    },
    Signoff {
        line: u32,
        label: String,
    },
    /// A row of an approvals table (`| Release Manager | | | |`): that role's sign-off.
    Approver {
        role: String,
        line: u32,
    },
    Field {
        name: String,
        line: u32,
    },
    Contact {
        contact: Box<Contact>,
        line: u32,
    },
    Prose {
        text: String,
        line: u32,
    },
}

/// Reads a Markdown checklist into a draft; `diagnostics` receives directive errors and
/// structural warnings.
pub fn parse(
    text: &str,
    file: &str,
    fallback_title: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Draft {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Scanned {
        blocks,
        diagnostics: found,
        front_matter,
        unread_boxes,
        unread_boxes_line,
        ..
    } = scan_file(text, file);
    diagnostics.extend(found);
    let mut draft =
        Assembler::new(file, fallback_title, diagnostics).assemble(blocks, front_matter);
    if unread_boxes > 0 {
        let at = unread_boxes_line.map_or(String::new(), |l| format!(" from line {l}"));
        let seen = format!(
            "{unread_boxes} check box{} in table cells or `☐` marks{at} were seen but not read; rewrite them as task-list lines",
            if unread_boxes == 1 { "" } else { "es" }
        );
        // Beside other items they would vanish without a word: `validate --strict` says so.
        draft.why.doubt("skipped", seen.clone(), unread_boxes_line);
        draft.unread_boxes = Some(seen);
    }
    draft
}

/// Files at least this large are scanned in stretches on two threads. Below it the second
/// thread costs more than it saves, and real checklists are far smaller.
const SPLIT_AT_LEAST: usize = 1 << 20;

/// About how much of a large file one stretch holds. Each thread keeps the Markdown
/// parser's tree of one stretch at a time, so the stretch, not the file, sets how much
/// memory the trees take.
const STRETCH: usize = 512 << 10;

/// What scanning a file, or a stretch of one, gives: its blocks and what was said of them,
/// in file order.
struct Scanned {
    blocks: Vec<Block>,
    diagnostics: Vec<Diagnostic>,
    front_matter: Option<yaml::FrontMatter>,
    unread_boxes: usize,
    unread_boxes_line: Option<u32>,
    /// Nothing open at the end could reach past it: no `<details>` block, and the last
    /// top-level block is not one (a fenced code block, an HTML block) that the rest of the
    /// file might continue.
    ends_at_rest: bool,
}

/// Scans the file in one pass, or, when it is large, in stretches cut at headings and
/// scanned on two threads. A heading at the start of a line after a blank line ends every
/// open list, quote, table and paragraph, so the blocks of the stretches, one after
/// another, are the blocks of the whole, unless something still open crosses a cut: a
/// fence or HTML block that the heading would belong to, a `<details>` block, a `---`
/// block (front matter, which the Markdown parser reads anywhere), or a link reference
/// defined on one side and used on the other. Link references and `---` blocks are looked
/// for first and the rest is seen after the fact; in each case the whole file is scanned
/// in one pass instead: the same blocks, more slowly.
fn scan_file(text: &str, file: &str) -> Scanned {
    let ballots_possible = may_hold_ballots(text);
    let cuts = if text.len() >= SPLIT_AT_LEAST {
        cuts_about_every(text, STRETCH)
    } else {
        Vec::new()
    };
    (!cuts.is_empty())
        .then(|| scan_stretches(text, file, &cuts, ballots_possible))
        .flatten()
        .unwrap_or_else(|| {
            let blocks = Vec::with_capacity(lines_in(text));
            scan(text, 1, file, ballots_possible, blocks)
        })
}

/// Whether any text of the file can hold a `☐`: one look at the whole file (where an entity
/// such as `&#9744;` might become one) spares a search of every piece of text.
fn may_hold_ballots(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr(b'&', bytes).is_some() || memchr::memmem::find(bytes, "☐".as_bytes()).is_some()
}

/// Where to cut `text` into stretches of about `length` bytes: each cut at the first
/// heading after a multiple of `length` that starts a line and follows a blank line.
fn cuts_about_every(text: &str, length: usize) -> Vec<usize> {
    let mut cuts: Vec<usize> = Vec::new();
    let mut from = length;
    while from < text.len() {
        let Some(at) = heading_after(text, from) else {
            break;
        };
        cuts.push(at);
        from = (at + length / 2).max(from + length);
    }
    cuts
}

/// `text` cut at `cuts` into stretches, scanned on two threads, each taking its stretches
/// in order; their blocks one after another, or `None` where that would not be the blocks
/// of the whole.
fn scan_stretches(
    text: &str,
    file: &str,
    cuts: &[usize],
    ballots_possible: bool,
) -> Option<Scanned> {
    // Link references may be used anywhere in the file (`[docs]: https://...`), and a
    // `---` block is read as YAML wherever it starts, up to a closing line however far on.
    if memchr::memmem::find(text.as_bytes(), b"]:").is_some() || may_open_metadata(text) {
        return None;
    }
    // Every list is made here, in this thread's heap, so that once its blocks are moved
    // into the file's list its memory serves what comes next.
    let mut stretches = Vec::with_capacity(cuts.len() + 1);
    let mut start = 0;
    let mut line = 1u32;
    // Each stretch's newlines are counted once: for its room, its first line number and
    // the file's room.
    let mut newlines = 0;
    for end in cuts.iter().copied().chain([text.len()]) {
        let stretch = text.get(start..end)?;
        let stretch_newlines = count_newlines(stretch.as_bytes());
        stretches.push((stretch, line, Vec::with_capacity(stretch_newlines + 1)));
        line = line.checked_add(u32::try_from(stretch_newlines).ok()?)?;
        newlines += stretch_newlines;
        start = end;
    }
    // The second thread takes the stretches from the cut nearest the middle of the file on.
    let middle = text.len() / 2;
    let nearest = (0..cuts.len()).min_by_key(|&i| cuts[i].abs_diff(middle))?;
    let second_half = stretches.split_off(nearest + 1);
    let scan_all = |stretches: Vec<(&str, u32, Vec<Block>)>| -> Vec<Scanned> {
        stretches
            .into_iter()
            .map(|(src, line, blocks)| scan(src, line, file, ballots_possible, blocks))
            .collect()
    };
    let (mut scanned, second) = crate::threads::both(
        || scan_all(stretches),
        || {
            let scanned = scan_all(second_half);
            crate::release_freed_memory();
            scanned
        },
    );
    scanned.extend(second);
    let (last, before) = scanned.split_last()?;
    if !before.iter().all(|s| s.ends_at_rest) {
        return None;
    }
    let mut whole = Scanned {
        blocks: Vec::with_capacity(newlines + 1),
        diagnostics: Vec::new(),
        front_matter: None,
        unread_boxes: 0,
        unread_boxes_line: None,
        ends_at_rest: last.ends_at_rest,
    };
    for stretch in scanned {
        whole.blocks.extend(stretch.blocks);
        whole.diagnostics.extend(stretch.diagnostics);
        whole.front_matter = whole.front_matter.or(stretch.front_matter);
        whole.unread_boxes += stretch.unread_boxes;
        whole.unread_boxes_line = whole.unread_boxes_line.or(stretch.unread_boxes_line);
    }
    Some(whole)
}

/// At most about one block per line: sizing the list up front spares the copies of
/// growth, and pages of it that are never written are never touched.
fn lines_in(text: &str) -> usize {
    count_newlines(text.as_bytes()) + 1
}

/// The first heading at or after `from` that starts a line and follows a blank line.
fn heading_after(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = from + bytes.get(from..)?.iter().position(|&b| b == b'\n')? + 1;
    let mut after_blank = false;
    while at < bytes.len() {
        let end = bytes[at..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |n| at + n);
        let line = &bytes[at..end];
        if after_blank && is_heading_line(line) {
            return Some(at);
        }
        after_blank = line.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r'));
        at = end + 1;
    }
    None
}

/// `## Phase` at the very start of a line: one to six `#` and then a space or nothing.
fn is_heading_line(line: &[u8]) -> bool {
    let hashes = line.iter().take_while(|&&b| b == b'#').count();
    (1..=6).contains(&hashes) && matches!(line.get(hashes), None | Some(b' ' | b'\t' | b'\r'))
}

/// Whether any line is `---` followed by a line with text: where the Markdown parser may
/// open a YAML block (front matter, or one anywhere else) that only closes further on. A
/// rule between paragraphs has a blank line after it and opens nothing.
fn may_open_metadata(text: &str) -> bool {
    let mut starts = text
        .starts_with("---")
        .then_some(0)
        .into_iter()
        .chain(memchr::memmem::find_iter(text.as_bytes(), b"\n---").map(|at| at + 1));
    starts.any(|at| {
        let rest = &text[at..];
        let (line, after) = rest.split_once('\n').unwrap_or((rest, ""));
        let next = after.split('\n').next().unwrap_or("");
        line.trim_end() == "---" && !next.trim().is_empty()
    })
}

/// One pass of the scanner over `src`, a file or a stretch of one that begins on line
/// `first_line`.
fn scan(
    src: &str,
    first_line: u32,
    file: &str,
    ballots_possible: bool,
    blocks: Vec<Block>,
) -> Scanned {
    let mut scan = Scanner {
        src,
        file,
        lines: LineIndex::starting_at(src, first_line),
        blocks,
        diagnostics: Vec::new(),
        front_matter: None,
        emitted_open: 0,
        pending_groups: Vec::new(),
        details_depth: 0,
        details_from: 0,
        html: String::new(),
        ballots_possible,
        unread_boxes: 0,
        unread_boxes_line: None,
        open_tags: 0,
        last_top_block_runs_on: false,
    };
    scan.run();
    Scanned {
        ends_at_rest: scan.details_depth == 0 && !scan.last_top_block_runs_on,
        blocks: scan.blocks,
        diagnostics: scan.diagnostics,
        front_matter: scan.front_matter,
        unread_boxes: scan.unread_boxes,
        unread_boxes_line: scan.unread_boxes_line,
    }
}

// ---------------------------------------------------------------------------------------
// Pass 1: events → blocks
// ---------------------------------------------------------------------------------------

struct Scanner<'a> {
    src: &'a str,
    file: &'a str,
    lines: LineIndex<'a>,
    blocks: Vec<Block>,
    diagnostics: Vec<Diagnostic>,
    front_matter: Option<yaml::FrontMatter>,
    /// Emitted items on the open-item stack: the depth of the next item, kept as a count
    /// so that a line of a hundred thousand nested list markers costs a hundred thousand steps.
    emitted_open: usize,
    /// Stack positions of plain bullets with text whose lists are still open: they become
    /// group items when a task item appears under them, and vanish otherwise.
    pending_groups: Vec<usize>,
    details_depth: usize,
    /// Where the outermost open `<details>` began, in blocks.
    details_from: usize,
    html: String,
    /// Whether any text of the file can hold a `☐`.
    ballots_possible: bool,
    /// Check boxes seen in table cells or as `☐`, for the message when no item is found.
    unread_boxes: usize,
    unread_boxes_line: Option<u32>,
    /// Tags started and not yet ended: 0 between top-level blocks.
    open_tags: usize,
    /// The last top-level block is a fenced code block or an HTML block: at the end of a
    /// stretch of a file, one that the text after the stretch might continue.
    last_top_block_runs_on: bool,
}

/// An open list item while its own text is being read.
struct OpenItem {
    task: bool,
    /// Whether this item's Block was emitted (task items only), making it a parent.
    emitted: bool,
    collecting: bool,
    text: String,
    line: u32,
    start: usize,
    directive: Option<Box<Directive>>,
    /// Index of this item's block once emitted.
    block: Option<usize>,
    /// A plain bullet's text, kept while its nested list is read.
    group_text: Option<String>,
    /// Where lines that continue the item's paragraph but are sign-off or run-field lines
    /// begin (`**Signed:** ___` written straight under the last item, with no blank line).
    structured_tail: Option<usize>,
}

struct OpenParagraph {
    start: usize,
    end: usize,
    text: String,
    /// Text outside bold spans, other than whitespace and colons, rules out a pseudo-heading.
    plain_text: bool,
    strong_text: bool,
}

#[derive(Default)]
struct OpenTable {
    header: Vec<String>,
    rows: Vec<(Vec<String>, u32)>,
    row: Vec<String>,
    cell: String,
    row_line: u32,
}

impl OpenTable {
    /// The first column whose header holds one of `names`, in any case.
    fn column(&self, names: &[&str]) -> Option<usize> {
        self.header.iter().position(|h| {
            let h = h.to_lowercase();
            names.iter().any(|n| h.contains(n))
        })
    }
}

impl Scanner<'_> {
    fn run(&mut self) {
        let options = Options::ENABLE_TASKLISTS
            | Options::ENABLE_TABLES
            | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS;
        let mut items: Vec<OpenItem> = Vec::new();
        let mut heading: Option<(u8, String, u32, Option<Box<Directive>>)> = None;
        let mut paragraph: Option<OpenParagraph> = None;
        let mut table: Option<OpenTable> = None;
        let mut in_contacts = false;
        // Under a heading that names a sign-off, a table of roles is who approves.
        let mut in_signoff = false;
        let mut skip_depth = 0usize; // inside code blocks and metadata
        let mut strong_depth = 0usize;
        let mut metadata = String::new();
        let mut in_metadata = false;
        let mut heading_hidden = false;
        let mut in_table = false;
        // A fenced `check` block being read: its info string, first line and text.
        let mut check: Option<(String, u32, String)> = None;

        for (event, range) in Parser::new_ext(self.src, options).into_offset_iter() {
            match &event {
                Event::Start(tag) => {
                    if self.open_tags == 0 {
                        self.last_top_block_runs_on = matches!(
                            tag,
                            Tag::CodeBlock(CodeBlockKind::Fenced(_)) | Tag::HtmlBlock
                        );
                        // `**Deploy to Production:**` over a code block, or `**Common
                        // issues:**` over a list, captions what follows, unless that is
                        // itself blanks to fill in (`- ____`, a box of `____` lines).
                        if let Some(Block::Pseudo { alone, .. }) = self.blocks.last_mut() {
                            let under = &self.src[range.clone()];
                            let captions = match tag {
                                Tag::List(_) => !list_of_blanks(under),
                                Tag::CodeBlock(_) => !box_of_blanks(under),
                                Tag::Table(_) | Tag::BlockQuote(_) => true,
                                _ => false,
                            };
                            if captions {
                                *alone = Alone::Caption;
                            }
                        }
                    }
                    self.open_tags += 1;
                    in_table |= matches!(tag, Tag::Table(_));
                }
                Event::End(tag) => {
                    self.open_tags = self.open_tags.saturating_sub(1);
                    in_table &= !matches!(tag, TagEnd::Table);
                }
                _ => {}
            }
            if skip_depth > 0 {
                match event {
                    Event::Start(Tag::CodeBlock(_) | Tag::MetadataBlock(_)) => skip_depth += 1,
                    Event::End(TagEnd::CodeBlock | TagEnd::MetadataBlock(_)) => {
                        skip_depth -= 1;
                        if skip_depth == 0 && in_metadata {
                            in_metadata = false;
                            self.read_front_matter(&metadata);
                        }
                        if skip_depth == 0
                            && let Some((info, line, text)) = check.take()
                        {
                            self.attach_check(&info, line, &text, &items);
                        }
                    }
                    Event::Text(text) if in_metadata => metadata.push_str(&text),
                    Event::Text(text) => {
                        if let Some((_, _, command)) = check.as_mut() {
                            command.push_str(&text);
                        }
                    }
                    _ => {}
                }
                continue;
            }
            match event {
                Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))
                    if super::check::is_check_info(&info) =>
                {
                    skip_depth = 1;
                    // The item's own text ends where its check begins.
                    self.fix_last_emission(&mut items);
                    check = Some((
                        info.to_string(),
                        self.lines.line(range.start),
                        String::new(),
                    ));
                }
                Event::Start(Tag::CodeBlock(_)) => skip_depth = 1,
                Event::Start(Tag::MetadataBlock(MetadataBlockKind::YamlStyle)) => {
                    skip_depth = 1;
                    in_metadata = true;
                }
                Event::Start(Tag::MetadataBlock(_)) => skip_depth = 1,
                Event::Start(Tag::Heading { level, .. }) => {
                    // A heading inside a list item must not swallow the item's text.
                    self.fix_last_emission(&mut items);
                    heading_hidden = self.details_depth > 0;
                    heading = Some((
                        level as u8,
                        String::new(),
                        self.lines.line(range.start),
                        None,
                    ));
                }
                Event::End(TagEnd::Heading(_)) => {
                    if let Some((level, text, line, directive)) = heading.take() {
                        // Repaired here, not in the builder: headings of parts that hold no
                        // items never reach the tree, and their lines deserve a warning too.
                        let (repaired, fixes) = mojibake::repair(&text);
                        if !fixes.is_empty() {
                            self.diagnostics.push(Diagnostic::warning(
                                self.file,
                                Some(line),
                                mojibake::describe(&fixes),
                            ));
                        }
                        // `Publishing:` is a heading, not a label.
                        let text = without_label_colon(&repaired).to_string();
                        if !heading_hidden {
                            in_contacts = says_contacts(&text);
                            in_signoff = !in_contacts && says_signoff(&text);
                        }
                        self.blocks.push(Block::Heading {
                            level,
                            text,
                            line,
                            directive,
                            hidden: heading_hidden,
                        });
                    }
                }
                Event::Start(
                    Tag::List(_) | Tag::HtmlBlock | Tag::BlockQuote(_) | Tag::Table(_),
                ) if items.last().is_some_and(|i| i.collecting) => {
                    // A nested block ends the parent's own text, so that a directive or a
                    // list after it belongs to what follows, not to the parent.
                    self.fix_last_emission(&mut items);
                    if matches!(event, Event::Start(Tag::Table(_))) && in_contacts {
                        table = Some(OpenTable::default());
                    }
                }
                Event::Start(Tag::Item) => items.push(OpenItem {
                    task: false,
                    emitted: false,
                    collecting: true,
                    text: String::new(),
                    line: self.lines.line(range.start),
                    start: range.start,
                    directive: None,
                    block: None,
                    group_text: None,
                    structured_tail: None,
                }),
                Event::TaskListMarker(_) => {
                    if let Some(item) = items.last_mut() {
                        item.task = true;
                    }
                }
                Event::End(TagEnd::Item) => {
                    if let Some(mut item) = items.pop() {
                        if item.emitted {
                            self.emitted_open -= 1;
                        }
                        if self.pending_groups.last() == Some(&items.len()) {
                            // A plain bullet with no task under it: not a group.
                            self.pending_groups.pop();
                        }
                        if item.collecting {
                            if item.task {
                                self.flush_groups(&mut items);
                            }
                            self.emit_item(&mut item, None);
                        }
                        if !item.task && !item.emitted {
                            self.detail_for_parent(&mut item, &items);
                        }
                        if let Some(tail) = item.structured_tail {
                            self.structured_lines(&self.src[tail..range.end.max(tail)]);
                        }
                        if !item.task && in_contacts {
                            self.contact_from_list_item(&item);
                        } else if !item.task {
                            self.field_from_list_item(&item);
                        }
                    }
                }
                Event::Start(Tag::Paragraph) if items.last().is_none_or(|i| !i.collecting) => {
                    paragraph = Some(OpenParagraph {
                        start: range.start,
                        end: range.end,
                        text: String::new(),
                        plain_text: false,
                        strong_text: false,
                    });
                }
                Event::End(TagEnd::Paragraph) => {
                    if items.last().is_some_and(|i| i.collecting) {
                        // A loose item's text is its first paragraph; later ones are detail.
                        self.fix_last_emission(&mut items);
                    } else if let Some(p) = paragraph.take() {
                        self.finish_paragraph(p, in_contacts);
                    }
                }
                Event::Start(Tag::Strong) => strong_depth += 1,
                Event::End(TagEnd::Strong) => strong_depth = strong_depth.saturating_sub(1),
                Event::Start(Tag::Table(_)) if in_contacts || in_signoff => {
                    table = Some(OpenTable::default())
                }
                Event::End(TagEnd::Table) => {
                    if let Some(t) = table.take() {
                        if in_contacts {
                            self.contacts_from_table(t);
                        } else {
                            self.approvers_from_table(t);
                        }
                    }
                }
                Event::Start(Tag::TableRow | Tag::TableHead) => {
                    if let Some(t) = table.as_mut() {
                        t.row.clear();
                        t.row_line = self.lines.line(range.start);
                    }
                }
                Event::End(TagEnd::TableHead) => {
                    if let Some(t) = table.as_mut() {
                        t.header = std::mem::take(&mut t.row);
                    }
                }
                Event::End(TagEnd::TableRow) => {
                    if let Some(t) = table.as_mut() {
                        let row = std::mem::take(&mut t.row);
                        t.rows.push((row, t.row_line));
                    }
                }
                Event::End(TagEnd::TableCell) => {
                    let cell = &self.src[range.clone()];
                    if ["☐", "[ ]", "[x]", "[X]", "☑", "✅"]
                        .iter()
                        .any(|mark| cell.contains(mark))
                    {
                        self.unread_boxes += 1;
                        self.unread_boxes_line
                            .get_or_insert(self.lines.line(range.start));
                    }
                    if let Some(t) = table.as_mut() {
                        let cell = collapse_whitespace(&std::mem::take(&mut t.cell));
                        t.row.push(cell);
                    }
                }
                Event::Html(html) => {
                    let line = self.lines.line(range.start);
                    self.directives_as_blocks(&html, line);
                    self.html.push_str(&html);
                }
                Event::End(TagEnd::HtmlBlock) => {
                    let html = std::mem::take(&mut self.html);
                    let line = self.lines.line(range.start);
                    self.html_block(&html, line);
                }
                Event::InlineHtml(html) => {
                    let line = self.lines.line(range.start);
                    self.details_tags(&html);
                    let found = self.directives_in(&html, line);
                    if let Some((_, _, _, slot)) = heading.as_mut() {
                        merge_into(slot, found);
                    } else if let Some(item) = items.last_mut().filter(|i| i.collecting) {
                        merge_into(&mut item.directive, found);
                    } else {
                        for directive in found {
                            self.blocks.push(Block::Directive {
                                directive: Box::new(directive),
                                line,
                            });
                        }
                    }
                }
                Event::Text(text) | Event::Code(text) => {
                    if !in_table && self.ballots_possible && text.contains('☐') {
                        self.unread_boxes += text.matches('☐').count().max(1);
                        self.unread_boxes_line
                            .get_or_insert(self.lines.line(range.start));
                    }
                    if let Some(t) = table.as_mut() {
                        t.cell.push_str(&text);
                    } else if let Some((_, heading_text, ..)) = heading.as_mut() {
                        heading_text.push_str(&text);
                    } else if let Some(item) = items.last_mut().filter(|i| i.collecting) {
                        item.text.push_str(&text);
                    } else if let Some(p) = paragraph.as_mut() {
                        p.text.push_str(&text);
                        if strong_depth > 0 {
                            p.strong_text |= !text.trim().is_empty();
                        } else if !text.trim().trim_matches(':').is_empty() {
                            p.plain_text = true;
                        }
                    }
                }
                Event::SoftBreak | Event::HardBreak => {
                    if let Some((_, heading_text, ..)) = heading.as_mut() {
                        heading_text.push(' ');
                    } else if items.last().is_some_and(|i| i.collecting) {
                        let next_line = first_line_at(self.src, range.end);
                        if is_signoff_line(next_line) || field_label(next_line).is_some() {
                            // CommonMark folds such a line into the item's paragraph; it is
                            // structure, not part of what the item says.
                            self.fix_last_emission(&mut items);
                            if let Some(item) = items.last_mut() {
                                item.structured_tail = Some(range.end);
                            }
                        } else if let Some(item) = items.last_mut() {
                            item.text.push(' ');
                        }
                    } else if let Some(p) = paragraph.as_mut() {
                        p.text.push(' ');
                    }
                }
                _ => {}
            }
        }
        if in_metadata {
            self.read_front_matter(&metadata);
        }
        self.unhide_unclosed_details();
    }

    /// Emits the item's block when its own text is complete. `stack_len` is `Some` when
    /// the item is still open (its nested list is being read), so it counts toward depth.
    fn emit_item(&mut self, item: &mut OpenItem, open_at: Option<usize>) {
        item.collecting = false;
        if !item.task {
            // A plain bullet with text may turn out to be a group once its list is read.
            if let Some(index) = open_at
                && !item.text.trim().is_empty()
            {
                item.group_text = Some(std::mem::take(&mut item.text));
                self.pending_groups.push(index);
            }
            return;
        }
        item.emitted = true;
        if open_at.is_some() {
            self.emitted_open += 1;
        }
        item.block = Some(self.blocks.len());
        let words = item_words(self.file, std::mem::take(&mut item.text), item.line, false);
        self.blocks.push(Block::Item {
            depth: self.emitted_open - usize::from(open_at.is_some()),
            words,
            line: item.line,
            directive: item.directive.take(),
            group: false,
            detail: Vec::new(),
            check: None,
        });
    }

    /// Plain bullets above a task item become its group parents, outermost first.
    fn flush_groups(&mut self, items: &mut [OpenItem]) {
        for index in std::mem::take(&mut self.pending_groups) {
            let Some(item) = items.get_mut(index) else {
                continue;
            };
            item.emitted = true;
            item.block = Some(self.blocks.len());
            let text = item.group_text.take().unwrap_or_default();
            let text = without_label_colon(&text).to_string();
            let words = item_words(self.file, text, item.line, true);
            self.blocks.push(Block::Item {
                depth: self.emitted_open,
                words,
                line: item.line,
                directive: item.directive.take(),
                group: true,
                detail: Vec::new(),
                check: None,
            });
            self.emitted_open += 1;
        }
    }

    /// A plain bullet straight under a task item is part of what the task says.
    fn detail_for_parent(&mut self, item: &mut OpenItem, open: &[OpenItem]) {
        let Some(parent) = open.last().filter(|p| p.task) else {
            return;
        };
        let text = item
            .group_text
            .take()
            .unwrap_or_else(|| std::mem::take(&mut item.text));
        let text = collapse_whitespace(&text);
        // `measured: ____`: a blank to write in on paper, not part of what the task says.
        if text.is_empty() || text.contains("___") {
            return;
        }
        if let Some(Block::Item { detail, .. }) = parent.block.and_then(|b| self.blocks.get_mut(b))
        {
            detail.push(text);
        }
    }

    /// A fenced `check` block belongs to the task item it is nested under; anywhere else
    /// it is an error, since it would silently check nothing.
    fn attach_check(&mut self, info: &str, line: u32, text: &str, items: &[OpenItem]) {
        let owner = match items.last() {
            None => Err(
                "a `check` block must be nested under the task item it checks (indent it under `- [ ] ...`); this one sits under a heading",
            ),
            Some(item) if !item.task => Err(
                "a `check` block must be nested under a task item (`- [ ] ...`); this one is under a plain bullet, which is not an item",
            ),
            Some(item) => item.block.ok_or(
                "a `check` block must be nested under the task item it checks; this one is not",
            ),
        };
        let block = match owner {
            Ok(block) => block,
            Err(message) => {
                self.diagnostics
                    .push(Diagnostic::error(self.file, Some(line), message));
                return;
            }
        };
        let parsed = super::check::from_fence(info, text);
        for warning in parsed.warnings {
            self.diagnostics
                .push(Diagnostic::warning(self.file, Some(line), warning));
        }
        let read = match parsed.check {
            Ok(read) => read,
            Err(message) => {
                self.diagnostics
                    .push(Diagnostic::error(self.file, Some(line), message));
                return;
            }
        };
        if let Some(Block::Item {
            check,
            line: item_line,
            ..
        }) = self.blocks.get_mut(block)
        {
            match check {
                Some(first) => {
                    let message = format!(
                        "the item at line {item_line} already has a check (line {}); an item has one check: put both commands in one block",
                        first.1
                    );
                    self.diagnostics
                        .push(Diagnostic::error(self.file, Some(line), message));
                }
                None => *check = Some(Box::new((read, line))),
            }
        }
    }

    /// When a nested list starts, the innermost open item's text is done.
    fn fix_last_emission(&mut self, items: &mut [OpenItem]) {
        let open_at = items.len().checked_sub(1);
        if items.last().is_some_and(|i| i.collecting && i.task) {
            let (last, rest) = items.split_last_mut().expect("not empty");
            self.flush_groups(rest);
            self.emit_item(last, open_at);
        } else if let Some(item) = items.last_mut()
            && item.collecting
        {
            self.emit_item(item, open_at);
        }
    }

    /// `<details>` help blocks and HTML `<h1>` titles.
    fn html_block(&mut self, html: &str, line: u32) {
        self.details_tags(html);
        let lower = html.to_ascii_lowercase();
        for level in 1..=2u8 {
            let open = format!("<h{level}");
            let close = format!("</h{level}>");
            if let Some(start) = lower.find(&open)
                && let Some(end) = lower[start..].find(&close)
            {
                let inner = &html[start..start + end];
                let inner = inner.split_once('>').map_or("", |(_, rest)| rest);
                let text = collapse_whitespace(&strip_tags(inner));
                if !text.is_empty() {
                    self.blocks.push(Block::Heading {
                        level,
                        text,
                        line,
                        directive: None,
                        hidden: self.details_depth > 0,
                    });
                }
                return;
            }
        }
    }

    fn details_tags(&mut self, html: &str) {
        let lower = html.to_ascii_lowercase();
        let opens = lower.matches("<details").count();
        let closes = lower.matches("</details").count();
        if self.details_depth == 0 && opens > closes {
            self.details_from = self.blocks.len();
        }
        self.details_depth = (self.details_depth + opens).saturating_sub(closes);
    }

    /// A `<details>` never closed hides nothing: GitHub shows what follows it.
    fn unhide_unclosed_details(&mut self) {
        if self.details_depth == 0 {
            return;
        }
        for block in &mut self.blocks[self.details_from..] {
            if let Block::Heading { hidden, .. } = block {
                *hidden = false;
            }
        }
    }

    fn finish_paragraph(&mut self, p: OpenParagraph, in_contacts: bool) {
        let line = self.lines.line(p.start);
        let raw = &self.src[p.start..p.end];
        let mut structured = false;
        for (offset, raw_line) in raw.lines().enumerate() {
            let line = line + offset as u32;
            // `\_\_\_` shows as `___` on GitHub: a blank as much as `___` is.
            let unescaped;
            let raw_line = if raw_line.contains("\\_") {
                unescaped = raw_line.replace("\\_", "_");
                unescaped.as_str()
            } else {
                raw_line
            };
            if is_signoff_line(raw_line) {
                self.blocks.push(Block::Signoff {
                    line,
                    label: signoff_label(raw_line),
                });
                structured = true;
            } else if let Some(names) = field_labels(raw_line) {
                for name in names {
                    self.blocks.push(Block::Field { name, line });
                }
                structured = true;
            } else if in_contacts && let Some(contact) = contact_from_line(raw_line) {
                self.blocks.push(Block::Contact {
                    contact: Box::new(contact),
                    line,
                });
                structured = true;
            }
        }
        if structured {
            return;
        }
        // `**What broke:**` / `**Who was affected:**` on lines of their own: fill-ins.
        let labels: Vec<&str> = raw.lines().map(str::trim).collect();
        if labels.len() >= 2 && labels.iter().all(|l| empty_bold_label(l).is_some()) {
            for (offset, label) in labels.iter().enumerate() {
                if let Some(name) = empty_bold_label(label) {
                    self.blocks.push(Block::Field {
                        name,
                        line: line + offset as u32,
                    });
                }
            }
            return;
        }
        let noted = p.plain_text && bold_with_a_note(raw);
        if p.strong_text && (!p.plain_text || noted) {
            // A note says what the words head (`**Manual steps** (if needed):`); a blank
            // to fill in has none.
            let alone = if noted {
                Alone::Noted
            } else if p.text.trim().ends_with(':') || raw.trim_end().ends_with(':') {
                Alone::Label
            } else {
                Alone::Title
            };
            let text = collapse_whitespace(without_label_colon(&p.text));
            self.blocks.push(Block::Pseudo { text, line, alone });
        } else if !p.text.trim().is_empty() {
            self.blocks.push(Block::Prose {
                text: collapse_whitespace(&p.text),
                line,
            });
        }
    }

    /// Sign-off and run-field lines that CommonMark folded into a list item's paragraph.
    fn structured_lines(&mut self, raw: &str) {
        let offset = raw.as_ptr() as usize - self.src.as_ptr() as usize;
        let first_line = self.lines.line(offset);
        for (index, raw_line) in raw.lines().enumerate() {
            let line = first_line + index as u32;
            if is_signoff_line(raw_line) {
                self.blocks.push(Block::Signoff {
                    line,
                    label: signoff_label(raw_line),
                });
            } else if let Some(names) = field_labels(raw_line) {
                for name in names {
                    self.blocks.push(Block::Field { name, line });
                }
            } else {
                break;
            }
        }
    }

    fn contact_from_list_item(&mut self, item: &OpenItem) {
        let first_line = first_line_at(self.src, item.start);
        let without_marker = strip_list_marker(first_line);
        if let Some(contact) = contact_from_line(without_marker) {
            self.blocks.push(Block::Contact {
                contact: Box::new(contact),
                line: item.line,
            });
        }
    }

    fn field_from_list_item(&mut self, item: &OpenItem) {
        let first_line = first_line_at(self.src, item.start);
        for name in field_labels(strip_list_marker(first_line)).unwrap_or_default() {
            self.blocks.push(Block::Field {
                name,
                line: item.line,
            });
        }
    }

    fn contacts_from_table(&mut self, table: OpenTable) {
        let role = table
            .column(&["role", "position", "team", "function", "title"])
            .unwrap_or(0);
        let name = table.column(&["name", "person", "contact", "who"]);
        let email = table.column(&["email", "e-mail", "mail"]);
        let phone = table.column(&["phone", "tel", "mobile", "cell", "pager"]);
        for (row, line) in table.rows {
            // `—`, `-`, `____` and `n/a` in a cell say there is nobody or no number there.
            let cell = |i: Option<usize>| {
                i.and_then(|i| row.get(i))
                    .filter(|c| !c.is_empty() && !says_none(c))
                    .cloned()
            };
            let Some(role) = cell(Some(role)) else {
                continue;
            };
            // `Kim (555-1234)` in the name cell: the number is the phone, if no column
            // gives one, as it is on a contact's list line.
            let found = cell(name.filter(|&n| Some(n) != email && Some(n) != phone))
                .map(|name| reach_in(&name));
            let found = found.as_ref();
            self.blocks.push(Block::Contact {
                contact: Box::new(Contact {
                    role,
                    name: found.and_then(|f| f.name.clone()),
                    email: cell(email).or_else(|| found?.email.clone()),
                    phone: cell(phone).or_else(|| found?.phone.clone()),
                }),
                line,
            });
        }
    }

    /// `| Role | Name | Date | Signature |` under a sign-off heading: one sign-off per role
    /// row. A table without a column to sign or date is not an approvals table.
    fn approvers_from_table(&mut self, table: OpenTable) {
        let signs = table
            .column(&["signature", "signed", "approv", "date"])
            .is_some()
            || table.header.iter().any(|h| says_signoff(h));
        if !signs {
            return;
        }
        let role = table
            .column(&["role"])
            .or_else(|| table.column(&["approver", "team", "function", "area", "position"]))
            .unwrap_or(0);
        for (row, line) in table.rows {
            let Some(cell) = row.get(role).map(|c| c.trim()) else {
                continue;
            };
            // `[Role]` is a blank as much as `____` is.
            if cell.is_empty() || is_blank_value(cell) {
                continue;
            }
            self.blocks.push(Block::Approver {
                role: cell.to_string(),
                line,
            });
        }
    }

    fn directives_in(&mut self, html: &str, line: u32) -> Vec<Directive> {
        let mut found = Vec::new();
        for result in find_directives(html) {
            match result {
                Ok(directive) => found.push(directive),
                Err(message) => {
                    self.diagnostics
                        .push(Diagnostic::error(self.file, Some(line), message.0))
                }
            }
        }
        found
    }

    fn directives_as_blocks(&mut self, html: &str, line: u32) {
        for directive in self.directives_in(html, line) {
            self.blocks.push(Block::Directive {
                directive: Box::new(directive),
                line,
            });
        }
    }

    fn read_front_matter(&mut self, text: &str) {
        match yaml::parse_front_matter(text) {
            Ok(front) => self.front_matter = Some(front),
            Err(message) => self.diagnostics.push(Diagnostic::warning(
                self.file,
                Some(1),
                format!(
                    "front matter is not valid YAML and is ignored: {}",
                    message.message
                ),
            )),
        }
    }
}

/// The line starting at `at`, read no further than a label could reach: a line of a
/// hundred thousand list markers must not be scanned once per marker.
/// `Publishing:` as a heading or a group's label: the colon that introduces what follows
/// is not part of the name. A colon that closes an emoji shortcode (`Ship it :rocket:`)
/// is (when GitHub knows the name), so the shortcode can still be shown as GitHub shows it.
fn without_label_colon(text: &str) -> &str {
    let text = text.trim();
    let Some(head) = text.strip_suffix(':') else {
        return text;
    };
    let name = head
        .bytes()
        .rev()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'+' | b'-'))
        .count();
    let closes_shortcode = name > 0
        && head[..head.len() - name].ends_with(':')
        && emojis::get_by_shortcode(&head[head.len() - name..]).is_some();
    if closes_shortcode {
        text
    } else {
        head.trim_end_matches(':').trim_end()
    }
}

fn first_line_at(src: &str, at: usize) -> &str {
    const REACH: usize = 512;
    let rest = &src[at..];
    let bytes = &rest.as_bytes()[..rest.len().min(REACH)];
    let mut end = bytes
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(bytes.len());
    while !rest.is_char_boundary(end) {
        end -= 1;
    }
    rest[..end].trim_end_matches('\r')
}

/// A directive's `window=`: as written, `none`, or read from the title when absent.
fn window_spec(window: Option<Option<crate::model::Window>>) -> WindowSpec {
    match window {
        None => WindowSpec::Infer,
        Some(None) => WindowSpec::Absent,
        Some(Some(window)) => WindowSpec::Given(window),
    }
}

fn merge_into(slot: &mut Option<Box<Directive>>, found: Vec<Directive>) {
    for directive in found {
        match slot {
            Some(existing) => existing.merge(directive),
            None => *slot = Some(Box::new(directive)),
        }
    }
}

/// Text without its HTML tags: `<h1 align="center"><img src=x> Release</h1>` → ` Release`.
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&").replace("&nbsp;", " ")
}

/// Headings that introduce contacts: `Emergency Contacts`, `On-call`, `Escalation`.
fn says_contacts(title: &str) -> bool {
    let lower = ascii_hyphens(title).to_lowercase();
    ["contact", "on-call", "on call", "who to call"]
        .iter()
        .any(|w| lower.contains(w))
}

fn strip_list_marker(line: &str) -> &str {
    let trimmed = line.trim_start();
    if let Some(rest) = trimmed.strip_prefix(['-', '*', '+']) {
        return rest.trim_start();
    }
    let digits = trimmed.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0
        && let Some(rest) = trimmed[digits..].strip_prefix(['.', ')'])
    {
        return rest.trim_start();
    }
    trimmed
}

/// The label of a signature line as written, for saying why a section is a sign-off.
fn signoff_label(line: &str) -> String {
    let line = line.trim();
    let end = line.find(':').map_or(line.len(), |c| c + 1);
    let mut label = line[..end].to_string();
    // Keep the closing emphasis of `**Signed:**`.
    let after = &line[end..];
    let close = after.len() - after.trim_start_matches(['*', '_']).len();
    label.push_str(&after[..close]);
    label
}

/// `**Signed:** ____ **Date:** ____` and its cousins.
fn is_signoff_line(line: &str) -> bool {
    let lower = ascii_hyphens(line).to_lowercase();
    let names_signature = [
        "signed:",
        "signature:",
        "signed by:",
        "signed off by:",
        "signed-off-by:",
        "approved by:",
        "sign-off:",
    ]
    .iter()
    .any(|label| lower.replace(['*', '_'], "").contains(label));
    // `**Release Manager:** ____ **Date:** ____`: a role signs with its name and date.
    let role_signs = line.contains("___")
        && lower.contains("date")
        && looks_like_role(&signoff_label(line).replace(['*', '_', ':'], ""));
    role_signs
        || names_signature
            && (line.contains("___") || line.contains("[ ]") || lower.contains("date:"))
}

/// Labels that are part of a sign-off block rather than run fields.
fn is_signoff_label(label: &str) -> bool {
    let lower = label.to_lowercase();
    [
        "name",
        "date",
        "signature",
        "signed",
        "signed by",
        "title",
        "role",
        "approver",
        "approved by",
        "initials",
        "time",
        "sign-off",
        "signoff",
    ]
    .contains(&lower.trim())
}

/// `*Deployment Date:* ______` → `Deployment Date`. A label and a blank, nothing else.
fn field_label(line: &str) -> Option<String> {
    // `> **Owner:** [Name]` in a blockquote is still a label and a blank.
    let line = line.trim().trim_start_matches('>').trim();
    let line = line.trim_end_matches('\\').trim_end();
    let (label, rest) = line.split_once(':')?;
    let label = label.trim().trim_matches(['*', '_']).trim();
    let rest = rest.trim().trim_start_matches(['*']).trim();
    let plain_label = !label.is_empty()
        && label.len() <= 60
        && label.starts_with(|c: char| c.is_alphabetic())
        && !label.contains(['|', '[', '<', '`', '*']);
    (is_blank_value(rest) && plain_label).then(|| label.to_string())
}

/// `**Date**: [YYYY-MM-DD] | **Version**: [X.Y]` or `**Date:** ____ **Owner:** ____`:
/// several fields on one line.
fn field_labels(line: &str) -> Option<Vec<String>> {
    if let Some(name) = field_label(line) {
        return Some(vec![name]);
    }
    if !line.contains(['_', '|', '·']) {
        return None;
    }
    let line = line.replace("&nbsp;", " ");
    // A blank of underscores ends one field, with its note in brackets if it has one
    // (`____ (UTC)`); the next label follows it.
    let mut parts: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut in_blank = false;
    let mut in_note = false;
    for c in line.chars() {
        if in_note {
            in_note = c != ')';
        } else if c == '_' {
            in_blank = true;
        } else if in_blank && c == '(' {
            in_note = true;
        } else if in_blank && !c.is_whitespace() && c != '*' {
            parts.push(std::mem::take(&mut current));
            in_blank = false;
        }
        current.push(c);
    }
    parts.push(current);
    let separated = line.contains(['|', '·']) || parts.len() >= 2;
    if !separated {
        return None;
    }
    let names: Option<Vec<String>> = parts
        .iter()
        .flat_map(|part| part.split(['|', '·']))
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(field_label)
        .collect();
    names.filter(|n| n.len() >= 2)
}

/// One line of bold words and a note in brackets, `**Pre-Migration** (T-24 hours):`,
/// which reads as a bold heading with its note, as `### Pre-Migration (T-24 hours)` does.
fn bold_with_a_note(raw: &str) -> bool {
    let line = raw.trim();
    if line.contains('\n') {
        return false;
    }
    let Some((marker, inner)) = ["**", "__"]
        .iter()
        .find_map(|m| line.strip_prefix(m).map(|inner| (*m, inner)))
    else {
        return false;
    };
    let Some((bold, rest)) = inner.split_once(marker) else {
        return false;
    };
    let rest = rest.trim();
    let rest = rest.strip_suffix(':').unwrap_or(rest).trim_end();
    !bold.trim().is_empty()
        && rest
            .strip_prefix('(')
            .and_then(|note| note.strip_suffix(')'))
            .is_some_and(|note| !note.is_empty() && !note.contains(['(', ')']))
}

/// A list whose every entry is a blank to fill in (`- ____`, `1. [YYYY-MM-DD]`).
fn list_of_blanks(list: &str) -> bool {
    list.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .all(|entry| is_blank_value(strip_list_marker(entry).trim()))
}

/// A code block drawn as a box to fill in: empty, or holding `____` lines.
fn box_of_blanks(block: &str) -> bool {
    block.contains("___")
        || block
            .lines()
            .map(str::trim)
            .all(|l| l.is_empty() || l.starts_with("```") || l.starts_with("~~~"))
}

/// A value left for someone to fill in: `____`, `_`, `[ ]`, `[YYYY-MM-DD]`, `<version>`.
fn is_blank_value(rest: &str) -> bool {
    if rest.is_empty() {
        return false;
    }
    let mut rest = rest;
    let mut saw = false;
    // More than the one `_` that may be italics: `____`, `[ ]`, `<version>`.
    let mut plainly = false;
    loop {
        // A note in brackets after a blank says what goes in it: `____ (UTC)`, though not
        // after italics (`_(pending)_`).
        if plainly
            && let Some(note) = rest.trim_start().strip_prefix('(')
            && let Some(close) = note.find(')')
        {
            rest = &note[close + 1..];
            continue;
        }
        rest = rest.trim_start_matches([' ', '-', '/', '(', ')', '*', '|', ':']);
        if rest.is_empty() {
            return saw;
        }
        let token_end = rest.find([' ', '|', '*']).unwrap_or(rest.len());
        if rest.starts_with("..") || rest.starts_with('…') {
            rest = rest.trim_start_matches(['.', '…']);
        } else if let Some(after) = rest.strip_prefix('.') {
            rest = after;
            continue;
        } else if let Some(after) = rest.strip_prefix("[ ]") {
            // `[ ] P1 — Critical [ ] P2 — High`: boxes to tick, one of them the value.
            if after.contains("[ ]") {
                return true;
            }
            rest = after;
        } else if rest.starts_with('_') {
            let run = rest.len();
            rest = rest.trim_start_matches('_');
            plainly |= run - rest.len() >= 2;
            saw = true;
            continue;
        } else if let Some(inner) = rest.strip_prefix('[')
            && let Some(close) = inner.find(']')
            && is_placeholder(&inner[..close])
            && !inner[close + 1..].starts_with(['(', '['])
        {
            rest = &inner[close + 1..];
        } else if let Some(inner) = rest.strip_prefix('<')
            && let Some(close) = inner.find('>')
            && is_placeholder(&inner[..close])
        {
            rest = &inner[close + 1..];
        } else if is_bare_placeholder(&rest[..token_end]) {
            rest = &rest[token_end..];
        } else {
            return false;
        }
        saw = true;
        plainly = true;
    }
}

/// A template written in place of a value, without brackets: `YYYY-MM-DD`, `HH:MM`,
/// `vX.Y.Z`, `X.Y`, and a prefix before the blank: `@____`, `INC-_____`, `CHG-`.
fn is_bare_placeholder(token: &str) -> bool {
    let token = token.trim_end_matches(['.', ',', ';']);
    if token.is_empty() || token.len() > 24 || token.bytes().any(|b| b.is_ascii_digit()) {
        return false;
    }
    // Dates and times: only the letters of their parts, and separators.
    let date = token.bytes().all(|b| {
        matches!(
            b,
            b'Y' | b'M'
                | b'D'
                | b'H'
                | b'S'
                | b'y'
                | b'm'
                | b'd'
                | b'h'
                | b's'
                | b'-'
                | b'/'
                | b':'
                | b'T'
        )
    }) && token.bytes().filter(u8::is_ascii_alphabetic).count() >= 4
        && token.contains(['-', '/', ':']);
    // Versions: `X.Y`, `x.y.z`, `vX.Y.Z`.
    let version = {
        let parts = token.strip_prefix(['v', 'V']).unwrap_or(token);
        parts.contains('.')
            && parts
                .split('.')
                .all(|p| p.len() == 1 && p.bytes().all(|b| b.is_ascii_alphabetic()))
    };
    // A short prefix, then the blank: `@____`, `INC-_____`, `#___`, `CHG-`.
    let prefixed = {
        let head = token.trim_end_matches('_');
        let blank = head.len() < token.len() || head.ends_with('-');
        blank
            && (1..=8).contains(&head.len())
            && head
                .bytes()
                .all(|b| b.is_ascii_uppercase() || matches!(b, b'@' | b'#' | b'-'))
    };
    date || version || prefixed
}

/// `**Release Branch**:` or `**What broke:**` with nothing after it.
fn empty_bold_label(line: &str) -> Option<String> {
    let line = line
        .trim()
        .trim_start_matches('>')
        .trim()
        .trim_end_matches('\\')
        .trim_end();
    let inner = line.strip_prefix("**")?;
    let (label, rest) = inner.split_once("**")?;
    let label = label.trim().trim_end_matches(':').trim();
    let rest = rest.trim();
    let colon = line.contains(':') && (rest.is_empty() || rest == ":");
    (colon && is_field_name(label)).then(|| label.to_string())
}

/// `YYYY-MM-DD`, `Name`, `X.Y`: words to replace, not a value (values have digits).
fn is_placeholder(inner: &str) -> bool {
    let inner = inner.trim();
    let lower = inner.to_lowercase();
    // `[Link]` and `[Contact Information]` stand for something to look up, not fill in.
    !inner.is_empty()
        && inner.len() <= 40
        && !inner.bytes().any(|b| b.is_ascii_digit())
        && !inner.contains("://")
        && !["link", "url", "contact", "here", "dashboard", "docs"]
            .iter()
            .any(|w| lower.contains(w))
}

/// Labels that introduce text rather than ask for a value: `**Note:**` is not a field.
fn is_prose_label(label: &str) -> bool {
    let lower = label.trim().to_lowercase();
    [
        "note",
        "notes",
        "warning",
        "tip",
        "important",
        "example",
        "examples",
        "caution",
        "info",
        "todo",
        "summary",
        "details",
        "description",
        "purpose",
        "goal",
        "goals",
        "steps",
        "prerequisites",
        "tasks",
        "context",
        "background",
        "overview",
        "checklist",
        "references",
        "links",
        "resources",
        "remember",
        "why",
        "how",
        "what",
        "when",
        "where",
        "instructions",
        "usage",
        "result",
        "results",
        "status",
        "contents",
    ]
    .contains(&lower.as_str())
}

/// `**DevOps Lead**: Dana Reyes, dana@example.com, +1 555 0100` → a contact.
fn contact_from_line(line: &str) -> Option<Contact> {
    let line = line.trim();
    let (role, rest) = if let Some(bold) = line.strip_prefix("**") {
        let close = bold.find("**")?;
        let role = bold[..close].trim().trim_end_matches(':');
        let rest = bold[close + 2..]
            .trim_start()
            .trim_start_matches([':', '-', '–'])
            .trim();
        (role, rest)
    } else {
        let (role, rest) = line.split_once(':')?;
        (role.trim(), rest.trim())
    };
    // `**Emergency Contacts:**` alone on its line names what follows; it is nobody.
    if role.is_empty() || role.len() > 60 || rest.is_empty() {
        return None;
    }
    // `**PM2 Emergency**: `pm2 restart all``: a command to remember, not a person.
    if rest.contains('`') || rest.starts_with("http") || rest.starts_with("$ ") {
        return None;
    }
    let mut contact = reach_in(rest);
    contact.role = role.to_string();
    Some(contact)
}

/// Who a contact's words name and how to reach them: `Kim (555-1234)`, `Carol Wu
/// <carol@example.com>`, `Dana, +1 555 0100`. Everything but the role.
fn reach_in(words: &str) -> Contact {
    let mut contact = Contact {
        role: String::new(),
        name: None,
        email: None,
        phone: None,
    };
    let mut name_parts: Vec<String> = Vec::new();
    for part in words
        .split([',', ';', '|', '·'])
        .map(str::trim)
        .filter(|p| !says_none(p))
    {
        let unwrapped = part.trim_matches(['<', '>']).trim_start_matches("mailto:");
        if is_email(unwrapped) {
            contact.email = Some(unwrapped.to_string());
        } else if let Some((email, rest)) = email_within(part) {
            // `Carol Wu <carol@example.com>`, `dba-oncall@example.com (pager)`.
            contact.email = Some(email.to_string());
            let name = without_remarks(&rest);
            if !name.is_empty() {
                name_parts.push(name);
            }
        } else if looks_like_phone(part) {
            contact.phone = Some(part.to_string());
        } else if let Some((phone, rest)) = phone_within(part) {
            // `+1-555-0123 (primary)`: the number, and a remark that is not a name.
            contact.phone = Some(phone.to_string());
            let name = without_remarks(&rest);
            if !name.is_empty() {
                name_parts.push(name);
            }
        } else if !(part.starts_with('[') && part.ends_with(']')) {
            // `[Contact Information]` is a placeholder, not a name. A bracket closed here
            // but opened in the part before (`Dan (dan@example.com, ext. 4412)`) is not
            // part of the name either.
            let part = if part.ends_with(')') && !part.contains('(') {
                part.trim_end_matches(')').trim_end()
            } else {
                part
            };
            name_parts.push(part.to_string());
        }
    }
    if !name_parts.is_empty() {
        contact.name = Some(name_parts.join(", "));
    }
    contact
}

/// What is left of a contact's words once remarks in parentheses are set aside: a name.
fn without_remarks(text: &str) -> String {
    let mut name = String::new();
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            '<' | '>' => {}
            _ if depth == 0 => name.push(c),
            _ => {}
        }
    }
    collapse_whitespace(name.trim().trim_matches(['-', '–', '—', ':']).trim())
}

/// `name@example.com`; not a handle such as `@alice`.
fn is_email(word: &str) -> bool {
    let word = word.trim_start_matches("mailto:");
    !word.contains(char::is_whitespace)
        && word.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
        })
}

/// An email address among other words (`Carol Wu <carol@example.com>`), and the words
/// around it.
fn email_within(text: &str) -> Option<(&str, String)> {
    let token = text
        .split_whitespace()
        .find(|word| is_email(word.trim_matches(['<', '>', '(', ')', '[', ']', ',', ';', '.'])))?;
    let email = token
        .trim_matches(['<', '>', '(', ')', '[', ']', ',', ';', '.'])
        .trim_start_matches("mailto:");
    let at = text.find(token)?;
    let rest = format!("{}{}", &text[..at], &text[at + token.len()..]);
    Some((email, rest))
}

/// A phone number inside other words, and the words around it.
fn phone_within(text: &str) -> Option<(&str, String)> {
    let bytes = text.as_bytes();
    let mut start = None;
    for (i, &b) in bytes.iter().enumerate() {
        let boundary = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        if (b == b'+' || b.is_ascii_digit()) && boundary {
            start = Some(i);
            break;
        }
    }
    let start = start?;
    let len = text[start..]
        .find(|c: char| !(c.is_ascii_digit() || " +-().xX/".contains(c)))
        .unwrap_or(text.len() - start);
    let mut candidate = text[start..start + len].trim_end_matches([' ', '(', '-']);
    // `Bob (555-1234)`: the bracket closes around the number, and is not part of it.
    while candidate.ends_with(')')
        && candidate.matches(')').count() > candidate.matches('(').count()
    {
        candidate = candidate[..candidate.len() - 1].trim_end();
    }
    looks_like_phone(candidate).then(|| {
        let rest = format!("{} {}", &text[..start], &text[start + candidate.len()..]);
        (candidate, rest)
    })
}

fn looks_like_phone(text: &str) -> bool {
    let digits = text
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == 'X' || *c == 'x')
        .count();
    text.starts_with(|c: char| c == '+' || c == '(' || c.is_ascii_digit())
        && digits >= 6
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().xX/".contains(c))
}

// ---------------------------------------------------------------------------------------
// Pass 2: blocks → draft
// ---------------------------------------------------------------------------------------

struct Assembler<'a> {
    file: &'a str,
    fallback_title: &'a str,
    diagnostics: &'a mut Vec<Diagnostic>,
    draft: Draft,
    phase: Option<OpenPhase>,
    section: Option<OpenSection>,
    /// Titles of the enclosing section headings, for `Section › Sub-section` titles.
    section_trail: Vec<(u8, String)>,
    /// Open items, innermost last; each is attached to its parent when it closes.
    item_stack: Vec<Item>,
    /// Items at or below this depth are skipped (an `ignore` directive on their parent).
    ignore_below: Option<usize>,
    /// Everything until the next heading at or above this level is skipped.
    ignore_heading_level: Option<u8>,
    pending: Option<(Directive, u32)>,
    phase_level: u8,
    section_level: u8,
    depth_error_reported: bool,
    /// The level the open section got from a bold pseudo-heading, if that opened it.
    pseudo_section_level: Option<u8>,
}

struct OpenPhase {
    draft: DraftPhase,
    about_environments: bool,
    environments: Vec<String>,
    optional: Option<bool>,
    /// A `window=` on the phase heading: the window of each of its sections without one.
    window: WindowSpec,
    /// An `anchor` on the phase heading: completing its last section is the moment.
    anchor: bool,
}

struct OpenSection {
    draft: DraftSection,
    signoff: bool,
    /// The label of its signature line: `Release Manager` in `**Release Manager:** ____`.
    signed_as: String,
    fields: Vec<DraftField>,
}

/// An item block's contents, as the assembler receives them.
struct ReadItem {
    depth: usize,
    words: ItemWords,
    line: u32,
    group: bool,
    detail: Vec<String>,
    check: Option<Box<(Check, u32)>>,
}

impl<'a> Assembler<'a> {
    fn new(file: &'a str, fallback_title: &'a str, diagnostics: &'a mut Vec<Diagnostic>) -> Self {
        Assembler {
            file,
            fallback_title,
            diagnostics,
            draft: Draft::default(),
            phase: None,
            section: None,
            section_trail: Vec::new(),
            item_stack: Vec::new(),
            ignore_below: None,
            ignore_heading_level: None,
            pending: None,
            phase_level: 2,
            section_level: 3,
            depth_error_reported: false,
            pseudo_section_level: None,
        }
    }

    fn error(&mut self, line: u32, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::error(self.file, Some(line), message));
    }

    fn warning(&mut self, line: u32, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::warning(self.file, Some(line), message));
    }

    fn assemble(mut self, mut blocks: Vec<Block>, front: Option<yaml::FrontMatter>) -> Draft {
        self.unwrap_wrappers(&mut blocks);
        choice_paragraphs(self.file, &mut blocks);
        let title_index = self.choose_levels(
            &blocks,
            front.as_ref().and_then(|f| f.title.as_ref()).is_some(),
        );
        let mut description = Vec::new();
        if let Some(front) = front {
            self.draft.title = front.title.unwrap_or_default();
            description.extend(front.description);
        }
        let mut blocks = blocks.into_iter().enumerate().peekable();
        while let Some((index, block)) = blocks.next() {
            let next_is_item = matches!(blocks.peek(), Some((_, Block::Item { .. })));
            if Some(index) == title_index {
                if let Block::Heading {
                    text,
                    line,
                    directive,
                    ..
                } = block
                {
                    if self.draft.title.is_empty() {
                        self.draft.title = text;
                        self.draft.title_line = Some(line);
                    } else {
                        self.draft.why.add(
                            "title",
                            format!(
                                "the front matter's; the heading {text:?} names the same document"
                            ),
                            Some(line),
                        );
                    }
                    if directive.is_some() {
                        self.warning(
                            line,
                            "deploycheck comment on the title heading has no effect",
                        );
                    }
                }
                continue;
            }
            if let Some(level) = self.ignore_heading_level {
                match &block {
                    Block::Heading { level: l, .. } if *l <= level => {
                        self.ignore_heading_level = None
                    }
                    _ => continue,
                }
            }
            if !matches!(
                block,
                Block::Directive { .. }
                    | Block::Heading { .. }
                    | Block::Item { .. }
                    | Block::Pseudo { .. }
                    | Block::Prose { .. }
            ) && let Some((_, line)) = self.pending.take()
            {
                self.warning(line, "deploycheck comment is not right before a heading or item, so it applies to nothing");
            }
            match block {
                Block::Directive { directive, line } => match self.pending.as_mut() {
                    Some((existing, _)) => existing.merge(*directive),
                    None => self.pending = Some((*directive, line)),
                },
                Block::Heading { hidden: true, .. } => {}
                Block::Heading {
                    level, text, line, ..
                } if is_table_of_contents(&text) => {
                    self.close_section();
                    self.ignore_heading_level = Some(level);
                    self.draft.why.add(
                        "skipped",
                        format!("{text:?} at line {line} is a table of contents"),
                        Some(line),
                    );
                }
                Block::Heading {
                    level,
                    text,
                    line,
                    directive,
                    ..
                } => {
                    self.pseudo_section_level = None;
                    let directive = self.take_directive(directive.map(|d| *d));
                    self.heading(level, text, line, directive);
                }
                Block::Pseudo { text, line, alone } => {
                    if next_is_item {
                        let directive = self.take_directive(None);
                        let level = self.pseudo_level();
                        self.heading(level, text, line, directive);
                        self.pseudo_section_level = Some(level);
                    } else {
                        match alone {
                            Alone::Label if is_field_name(&text) => self.field(text, line),
                            Alone::Noted => self.prose(text, line, &mut description),
                            Alone::Caption => {}
                            _ if self.phase.is_none() => description.push(text),
                            _ => {}
                        }
                    }
                }
                Block::Item {
                    depth,
                    words,
                    line,
                    directive,
                    group,
                    detail,
                    check,
                } => {
                    let directive = self.take_directive(directive.map(|d| *d));
                    self.item(
                        ReadItem {
                            depth,
                            words,
                            line,
                            group,
                            detail,
                            check,
                        },
                        directive,
                    );
                }
                Block::Prose { text, line } => self.prose(text, line, &mut description),
                Block::Signoff { line, label } => self.signature_line(&label, line),
                Block::Approver { role, line } => self.approver_section(role, line),
                Block::Field { name, line } => self.field(name, line),
                Block::Contact { contact, line } => self.draft.contacts.push(DraftContact {
                    contact: *contact,
                    line: Some(line),
                }),
            }
        }
        if let Some((_, line)) = self.pending.take() {
            self.warning(line, "deploycheck comment is not right before a heading or item, so it applies to nothing");
        }
        self.close_phase();
        if self.draft.title.trim().is_empty() {
            self.draft.title = self.fallback_title.to_string();
        }
        if !description.is_empty() {
            self.draft.description = Some(description.join("\n\n"));
        }
        self.draft
    }

    /// Picks the title heading and the phase and section levels for this file.
    fn choose_levels(&mut self, blocks: &[Block], has_front_title: bool) -> Option<usize> {
        let headings: Vec<(usize, u8)> = blocks
            .iter()
            .enumerate()
            .filter_map(|(i, b)| match b {
                Block::Heading {
                    level,
                    hidden: false,
                    text,
                    ..
                } if !is_table_of_contents(text) => Some((i, *level)),
                _ => None,
            })
            .collect();
        let min_level = headings.iter().map(|(_, l)| *l).min()?;
        let (first, first_level) = headings[0];
        let items_before = blocks[..first]
            .iter()
            .any(|b| matches!(b, Block::Item { .. }));
        // With several top-level headings the first one is a title only when nothing in its
        // own scope (up to the next top-level heading) is an item: `# Prepare` / `# Deploy`
        // are phases, `# Release` followed by `# Phase 1` is a title.
        let scope_end = headings
            .iter()
            .skip(1)
            .find(|(_, l)| *l <= first_level)
            .map_or(blocks.len(), |(i, _)| *i);
        let items_under = blocks[first..scope_end]
            .iter()
            .any(|b| matches!(b, Block::Item { .. }));
        let alone_at_top = headings.iter().filter(|(_, l)| *l == min_level).count() == 1;
        // Other top-level headings that hold no items (`# Appendix`) do not make the first
        // one a peer: `# Release` is still the title.
        let peers_hold_items = headings
            .iter()
            .enumerate()
            .skip(1)
            .filter(|(_, (_, l))| *l == first_level)
            .any(|(n, (i, _))| {
                let end = headings[n + 1..]
                    .iter()
                    .find(|(_, l)| *l <= first_level)
                    .map_or(blocks.len(), |(j, _)| *j);
                blocks[*i..end]
                    .iter()
                    .any(|b| matches!(b, Block::Item { .. }))
            });
        let first_text = match &blocks[first] {
            Block::Heading { text, .. } => text.as_str(),
            _ => "",
        };
        let title_like = if first_level == 1 {
            // `# Description` above `# Checklist` / `# Process` names a part, not the file.
            let generic_part = is_generic_heading(first_text) && peers_hold_items;
            first_level == min_level
                && !generic_part
                && (alone_at_top || !items_under || !peers_hold_items)
        } else {
            // `## Overview` opening a file is a part of it, not its name.
            first_level == min_level && alone_at_top && !is_generic_heading(first_text)
        };
        // Under a front-matter title, the file's own `# Migration plan` above its `##`
        // parts still names the document: it is set aside, not made the only phase.
        let deeper = headings.iter().any(|(_, l)| *l > first_level);
        let title = (!items_before && title_like && (!has_front_title || deeper)).then_some(first);
        if title.is_none() && !has_front_title && first_level == min_level {
            let line = match &blocks[first] {
                Block::Heading { line, .. } => Some(*line),
                _ => None,
            };
            self.draft.why.doubt(
                "title",
                format!("the file name: the first heading {first_text:?} is one of several parts"),
                line,
            );
        }
        // Beside a title, top-level headings that hold no items (`# Appendix`) say nothing
        // about the levels of the phases.
        let empty_peer = |index: usize, level: u8| {
            title.is_some() && level == first_level && {
                let end = headings
                    .iter()
                    .find(|(i, l)| *i > index && *l <= level)
                    .map_or(blocks.len(), |(i, _)| *i);
                !blocks[index..end]
                    .iter()
                    .any(|b| matches!(b, Block::Item { .. }))
            }
        };
        let mut levels: Vec<u8> = headings
            .iter()
            .filter(|(i, l)| Some(*i) != title && !empty_peer(*i, *l))
            .map(|(_, l)| *l)
            .collect();
        levels.sort_unstable();
        levels.dedup();
        self.phase_level = levels.first().copied().unwrap_or(2);
        self.section_level = levels.get(1).copied().unwrap_or(self.phase_level + 1);
        title
    }

    /// A bold pseudo-heading nests under the real heading above it, and is a sibling of
    /// the pseudo-heading before it.
    fn pseudo_level(&self) -> u8 {
        if let (Some(level), Some(_)) = (self.pseudo_section_level, &self.section) {
            return level;
        }
        match (&self.phase, &self.section) {
            (Some(_), Some(_)) if !self.section_trail.is_empty() => self
                .section_trail
                .last()
                .map_or(self.section_level, |(l, _)| l + 1),
            _ => self.section_level,
        }
    }

    fn take_directive(&mut self, inline: Option<Directive>) -> Option<(Directive, u32)> {
        let pending = self.pending.take();
        match (pending, inline) {
            (Some((mut d, line)), Some(inline)) => {
                d.merge(inline);
                Some((d, line))
            }
            (Some(p), None) => Some(p),
            (None, Some(inline)) => Some((inline, 0)),
            (None, None) => None,
        }
    }

    fn heading(&mut self, level: u8, text: String, line: u32, directive: Option<(Directive, u32)>) {
        let directive = directive.map(|(d, at)| (d, if at == 0 { line } else { at }));
        if directive.as_ref().is_some_and(|(d, _)| d.ignore) {
            self.close_section();
            self.ignore_heading_level = Some(level);
            return;
        }
        if level <= self.phase_level {
            self.open_phase(text, line, directive);
        } else {
            if self.phase.is_none() {
                self.open_implicit_phase(line);
            }
            if level <= self.section_level {
                self.section_trail.clear();
            } else {
                while self.section_trail.last().is_some_and(|(l, _)| *l >= level) {
                    self.section_trail.pop();
                }
            }
            // An untitled heading is left out of the trails under it, and untitled itself,
            // so that the builder names it and says so.
            let untitled = text.trim().is_empty();
            self.section_trail.push((level, text));
            let title = if untitled {
                String::new()
            } else {
                self.section_trail
                    .iter()
                    .map(|(_, t)| t.trim())
                    .filter(|t| !t.is_empty())
                    .collect::<Vec<_>>()
                    .join(" › ")
            };
            self.open_section(title, line, directive);
        }
    }

    fn open_phase(&mut self, title: String, line: u32, directive: Option<(Directive, u32)>) {
        self.close_phase();
        self.section_trail.clear();
        let mut phase = OpenPhase {
            about_environments: title.to_lowercase().contains("environment"),
            environments: environments_named_only(&title),
            draft: DraftPhase {
                id: None,
                title,
                kind: None,
                line: Some(line),
                sections: Vec::new(),
                why: Why::default(),
            },
            optional: None,
            window: WindowSpec::Infer,
            anchor: false,
        };
        if let Some((d, at)) = directive {
            phase.draft.id = d.id;
            phase.optional = d.optional;
            phase.window = window_spec(d.window);
            phase.anchor = d.anchor.unwrap_or(false);
            if let Some(envs) = d.environments {
                phase.environments = envs;
            }
            match d.kind.as_deref() {
                None => {}
                Some("steps") => phase.draft.kind = Some(PhaseKind::Steps),
                Some("rollback") => phase.draft.kind = Some(PhaseKind::Rollback),
                Some("signoff") => phase.draft.kind = Some(PhaseKind::Signoff),
                Some(other) => self.error(
                    at,
                    format!(
                        "kind `{other}` is for sections; a phase is steps, rollback or signoff"
                    ),
                ),
            }
            if d.role.is_some() {
                self.error(
                    at,
                    "`role` applies to a sign-off section heading, not a phase",
                );
            }
            if d.no_threshold {
                self.error(at, "`threshold=none` applies to an item, not a heading");
            }
        }
        self.phase = Some(phase);
    }

    fn open_implicit_phase(&mut self, line: u32) {
        let title = if self.draft.title.trim().is_empty() {
            "Checklist".to_string()
        } else {
            self.draft.title.clone()
        };
        self.open_phase(title, line, None);
    }

    fn open_section(&mut self, title: String, line: u32, directive: Option<(Directive, u32)>) {
        self.close_section();
        let phase = self
            .phase
            .as_ref()
            .expect("a phase is open before any section");
        let mut environments = if phase.about_environments {
            environment_words(&title)
        } else {
            environments_named_only(&title)
        };
        if environments.is_empty() {
            environments = phase.environments.clone();
        }
        let mut section = OpenSection {
            draft: DraftSection {
                id: None,
                title,
                implicit: false,
                kind: None,
                role: None,
                environments,
                optional: phase.optional,
                line: Some(line),
                window: phase.window,
                anchor: false,
                items: Vec::new(),
                why: Why::default(),
            },
            signoff: false,
            signed_as: String::new(),
            fields: Vec::new(),
        };
        if let Some((d, at)) = directive {
            section.draft.id = d.id;
            section.draft.optional = d.optional.or(section.draft.optional);
            section.draft.role = d.role;
            if d.window.is_some() {
                section.draft.window = window_spec(d.window);
            }
            section.draft.anchor = d.anchor.unwrap_or(false);
            if let Some(envs) = d.environments {
                section.draft.environments = envs;
            }
            match d.kind.as_deref() {
                None => {}
                Some("steps") => section.draft.kind = Some(SectionKind::Steps),
                Some("triggers") => section.draft.kind = Some(SectionKind::Triggers),
                Some("signoff") => section.draft.kind = Some(SectionKind::Signoff),
                Some(other) => self.error(
                    at,
                    format!(
                        "kind `{other}` is for phases; a section is steps, triggers or signoff"
                    ),
                ),
            }
            if d.no_threshold {
                self.error(at, "`threshold=none` applies to an item, not a heading");
            }
        }
        self.section = Some(section);
    }

    /// Items directly under a phase (or before any heading) go to a section of their own.
    fn ensure_section(&mut self, line: u32) {
        if self.phase.is_none() {
            self.open_implicit_phase(line);
        }
        if self.section.is_none() {
            let title = self
                .phase
                .as_ref()
                .map(|p| p.draft.title.clone())
                .unwrap_or_default();
            self.section_trail.clear();
            self.open_section(title, line, None);
            if let Some(section) = self.section.as_mut() {
                section.draft.implicit = true;
            }
        }
    }

    fn field(&mut self, name: String, line: u32) {
        // `- Architect: ____` under `#### Reviewers`, `Change lead: ____` under `## Approval`:
        // a role that signs, not a run field.
        if self.under_signoff_heading() && looks_like_role(&name) {
            self.approver_section(name, line);
            return;
        }
        let field = DraftField {
            name,
            line: Some(line),
        };
        match self.section.as_mut() {
            Some(section) => section.fields.push(field),
            None => self.draft.fields.push(field),
        }
    }

    fn item(&mut self, read: ReadItem, directive: Option<(Directive, u32)>) {
        let ReadItem {
            depth,
            words,
            line,
            group,
            detail,
            check,
        } = read;
        if let Some(limit) = self.ignore_below {
            if depth > limit {
                return;
            }
            self.ignore_below = None;
        }
        if depth >= MAX_ITEM_DEPTH {
            if !self.depth_error_reported {
                self.depth_error_reported = true;
                self.error(
                    line,
                    format!("items nest more than {MAX_ITEM_DEPTH} levels deep; flatten the list"),
                );
            }
            return;
        }
        // Every sign-off written as a task has a label and a colon; most items have none,
        // and are looked at once.
        let written = words.written();
        let labelled = depth == 0 && !group && written.as_bytes().contains(&b':');
        // `- [ ] Signed off by: ________` closing a section is its signature line, written
        // as a task: the section is signed, and there is nothing to tick.
        if labelled && is_signoff_line(written) {
            self.signature_line(&signoff_label(written), line);
            return;
        }
        // `- [ ] Technical Lead: [Name] - [Date]` under `**Approved By**:`: each row is the
        // sign-off of its own role, not one role named after the block.
        if labelled && let Some(role) = approver_role(written).or_else(|| self.handle_row(written))
        {
            self.approver_section(role, line);
        }
        self.ensure_section(line);
        // Close items at this depth or deeper; they are complete.
        while self.item_stack.len() > depth {
            self.pop_item();
        }
        let mut spec = ItemSpec {
            group,
            ..ItemSpec::default()
        };
        if let Some(parent) = self.item_stack.last()
            && parent.optional
        {
            spec.inherited_condition.clone_from(&parent.condition);
        }
        if let Some((d, at)) = directive {
            let at = if at == 0 { line } else { at };
            if d.ignore {
                self.ignore_below = Some(depth);
                return;
            }
            spec.explicit_id = d.id;
            spec.optional = d.optional;
            if d.no_threshold {
                spec.threshold = ThresholdSpec::Absent;
            }
            if d.environments.is_some() {
                self.error(at, "`env` applies to a section or phase heading, not an item; put the item in a section for that environment");
            }
            if d.kind.is_some() || d.role.is_some() {
                self.error(at, "`kind` and `role` apply to headings, not items");
            }
            if d.window.is_some() || d.anchor.is_some() {
                self.error(
                    at,
                    "`window` and `anchor` apply to a section heading, not an item; put the item in a section of its own",
                );
            }
        }
        let Some(mut item) = new_item(self.file, self.diagnostics, words, Some(line), spec) else {
            // Its children go with it rather than attach to whatever came before.
            self.ignore_below = Some(depth);
            return;
        };
        if !detail.is_empty() {
            // Read after inference: the item's own words decide its threshold and condition.
            // `Update node_version.h:` already ends in the colon that introduces its detail.
            item.text
                .push_str(if item.text.ends_with(':') { " " } else { ": " });
            item.text.push_str(&collapse_whitespace(&detail.join("; ")));
            item.why.add(
                "kept",
                "the plain bullets under it, as part of its text",
                Some(line),
            );
        }
        if let Some(check) = check {
            item.check = Some(Box::new(check.0));
        }
        self.item_stack.push(item);
    }

    /// A paragraph of prose: the description before the first phase, and after it what it
    /// may say of its section.
    fn prose(&mut self, text: String, line: u32, description: &mut Vec<String>) {
        if let Some((_, at)) = self.pending.take() {
            self.warning(at, "deploycheck comment is not right before a heading or item, so it applies to nothing");
        }
        if self.phase.is_none() {
            description.push(text);
        } else {
            self.section_note(&text, line);
        }
    }

    /// `_Skip for hotfixes._` or `Only for major releases.` as the first words under a
    /// section's heading: the section is optional, as if its title said so. Only a note
    /// that starts by scoping the section counts; `If anything fails here, roll back.` says
    /// what to do, not when the section applies.
    fn section_note(&mut self, text: &str, line: u32) {
        let Some(section) = self.section.as_mut() else {
            return;
        };
        let lower = text
            .trim_start_matches(['*', '_', ' '])
            .to_ascii_lowercase();
        let scopes = ["skip ", "only ", "optional", "not needed", "not required"]
            .iter()
            .any(|p| lower.starts_with(p));
        let untouched = section.draft.items.is_empty()
            && self.item_stack.is_empty()
            && section.draft.optional.is_none();
        if !scopes || !untouched || text.split_whitespace().count() > 12 {
            return;
        }
        if let Some(found) = super::condition::of_title(text) {
            section.draft.optional = Some(true);
            section.draft.why.add(
                "optional",
                format!("{found:?}, the note under its heading at line {line}"),
                Some(line),
            );
        }
    }

    /// `**Signed:** ____` (or `- [ ] Signed off by: ____`): the open section is signed.
    fn signature_line(&mut self, label: &str, line: u32) {
        // `Change lead: ____` then `Network manager: ____` under `## Approval`, or `**QA
        // sign-off:** ____` after another role's row: each line is its own role's sign-off.
        let name = label.replace(['*', '_', ':'], "").trim().to_string();
        let role = role_of_title(&name);
        let signed_by_other = self.section.as_ref().is_some_and(|s| {
            let signer = s.draft.role.as_deref().unwrap_or(&s.signed_as);
            (s.signoff || s.draft.role.is_some()) && !signer.eq_ignore_ascii_case(&role)
        });
        let first_under_heading = self.section.is_none() && self.under_signoff_heading();
        if (signed_by_other || first_under_heading) && looks_like_role(&role) {
            self.approver_section(role, line);
            return;
        }
        self.ensure_section(line);
        if let Some(section) = self.section.as_mut()
            && !section.signoff
        {
            section.signoff = true;
            section.signed_as = name;
            section
                .draft
                .why
                .add("sign-off", format!("{label:?} at line {line}"), Some(line));
        }
    }

    /// `- [ ] QA: @alice` or `- [ ] **Marketing:** ____` under a sign-off heading: the
    /// role, signed by the person named or by whoever writes in the blank.
    fn handle_row(&self, text: &str) -> Option<String> {
        let (label, rest) = text.split_once(':')?;
        let value = rest.trim();
        let is_handle = value.strip_prefix('@').is_some_and(|name| {
            !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'/' | b'.'))
        });
        let is_blank = value.contains("___") && is_blank_value(value);
        let label = label.trim().trim_matches(['*', '_']).trim();
        ((is_handle || is_blank)
            && self.under_signoff_heading()
            && !label.is_empty()
            && label.split_whitespace().count() <= 4
            && !names_a_record(label))
        .then(|| label.to_string())
    }

    /// Whether the open section or phase is titled for a sign-off (`## Approval`,
    /// `### Sign-off`, `#### Reviewers`).
    fn under_signoff_heading(&self) -> bool {
        self.section.as_ref().is_some_and(|s| {
            s.draft.kind == Some(SectionKind::Signoff) || titled_for_signoff(&s.draft.title)
        }) || self
            .phase
            .as_ref()
            .is_some_and(|p| titled_for_signoff(&p.draft.title))
    }

    /// Opens a sign-off section for one approver row.
    fn approver_section(&mut self, role: String, line: u32) {
        self.close_section();
        if self.phase.is_none() {
            self.open_implicit_phase(line);
        }
        self.open_section(role.clone(), line, None);
        if let Some(section) = self.section.as_mut() {
            section.draft.kind = Some(SectionKind::Signoff);
            section.draft.why.add(
                "sign-off",
                format!("approver row {role:?} at line {line}"),
                Some(line),
            );
            section.draft.role = Some(role);
        }
    }

    /// Drops headings that only wrap the real phases (`## Response Phases` around `### Phase
    /// 1` to `### Phase 7`) and lifts what they wrap by one level.
    fn unwrap_wrappers(&mut self, blocks: &mut [Block]) {
        let headings: Vec<(usize, u8)> = blocks
            .iter()
            .enumerate()
            .filter_map(|(i, b)| match b {
                Block::Heading {
                    level,
                    hidden: false,
                    ..
                } => Some((i, *level)),
                _ => None,
            })
            .collect();
        for (n, &(index, level)) in headings.iter().enumerate() {
            let Block::Heading { text, line, .. } = &blocks[index] else {
                continue;
            };
            let title_says = says_wrapper(text);
            let next_heading = headings.get(n + 1).map_or(blocks.len(), |(i, _)| *i);
            let direct_items = blocks[index..next_heading]
                .iter()
                .any(|b| matches!(b, Block::Item { .. }));
            if direct_items {
                continue;
            }
            let scope: Vec<(usize, u8)> = headings[n + 1..]
                .iter()
                .take_while(|(_, l)| *l > level)
                .copied()
                .collect();
            let child_level = scope.iter().map(|(_, l)| *l).min();
            let children: Vec<&str> = scope
                .iter()
                .filter(|(_, l)| Some(*l) == child_level)
                .filter_map(|(i, _)| match &blocks[*i] {
                    Block::Heading { text, .. } => Some(text.as_str()),
                    _ => None,
                })
                .collect();
            let numbered = children.iter().filter(|t| numbered_stage(t)).count();
            let wrapper = children.len() >= 2 && (numbered >= 2 || (title_says && numbered >= 1));
            if !wrapper || level == 1 && !title_says {
                continue;
            }
            self.draft.why.add(
                "skipped",
                format!(
                    "{text:?} at line {line} only wraps {} headings, which are read one level up",
                    children.len()
                ),
                Some(*line),
            );
            let lift = child_level.unwrap_or(level) - level;
            for (i, _) in scope {
                if let Block::Heading { level, .. } = &mut blocks[i] {
                    *level = level.saturating_sub(lift).max(1);
                }
            }
            if let Block::Heading { hidden, .. } = &mut blocks[index] {
                *hidden = true;
            }
        }
    }

    fn pop_item(&mut self) {
        let Some(item) = self.item_stack.pop() else {
            return;
        };
        match self.item_stack.last_mut() {
            Some(parent) => parent.children.push(item),
            None => {
                if let Some(section) = self.section.as_mut() {
                    section.draft.items.push(item);
                }
            }
        }
    }

    fn close_section(&mut self) {
        while !self.item_stack.is_empty() {
            self.pop_item();
        }
        self.ignore_below = None;
        let Some(mut section) = self.section.take() else {
            return;
        };
        // Signed as a role (`**Signed (QA Lead):**`) under a heading that names none: that
        // role. Otherwise the builder takes the role from the heading, and doubts it there.
        if section.signoff
            && matches!(section.draft.kind, None | Some(SectionKind::Signoff))
            && section.draft.role.is_none()
            && !looks_like_role(&section.draft.title)
            && looks_like_role(&section.signed_as)
        {
            // `**Release Manager Sign-off:** ____` is signed by the Release Manager.
            section.draft.role = Some(role_of_title(&section.signed_as));
        }
        if section.signoff {
            section.draft.kind.get_or_insert(SectionKind::Signoff);
            // `**Name:** ___` belongs to the sign-off; `*Version:* ___` is still a run field.
            section.fields.retain(|f| !is_signoff_label(&f.name));
        }
        self.draft.fields.append(&mut section.fields);
        let keep = !section.draft.items.is_empty()
            || section.signoff
            || section.draft.kind == Some(SectionKind::Signoff);
        if keep && let Some(phase) = self.phase.as_mut() {
            phase.draft.sections.push(section.draft);
        }
    }

    fn close_phase(&mut self) {
        self.close_section();
        if let Some(mut phase) = self.phase.take()
            && !phase.draft.sections.is_empty()
        {
            if phase.anchor
                && let Some(last) = phase.draft.sections.last_mut()
            {
                last.anchor = true;
            }
            self.draft.phases.push(phase.draft);
        }
    }
}

/// `Select one:` or `Complete one of the following:` written as a paragraph over a list:
/// the list's items are the alternatives, as under a `- Select one:` bullet. The
/// paragraph becomes that bullet, and the list moves under it.
fn choice_paragraphs(file: &str, blocks: &mut [Block]) {
    let mut at = 0;
    while at + 1 < blocks.len() {
        let choice = matches!(&blocks[at], Block::Prose { text, .. } if says_choice(text))
            && matches!(&blocks[at + 1], Block::Item { depth: 0, .. });
        if !choice {
            at += 1;
            continue;
        }
        if let Block::Prose { text, line } = &mut blocks[at] {
            // Named as such a bullet is: `Select one`, without the colon.
            let text = without_label_colon(text).to_string();
            let line = *line;
            blocks[at] = Block::Item {
                depth: 0,
                words: item_words(file, text, line, true),
                line,
                directive: None,
                group: true,
                detail: Vec::new(),
                check: None,
            };
        }
        at += 1;
        while let Some(Block::Item { depth, .. }) = blocks.get_mut(at) {
            *depth += 1;
            at += 1;
        }
    }
}

/// `## Table of Contents`, `## Contents`: navigation, never a phase or the title.
fn is_table_of_contents(text: &str) -> bool {
    // Every heading is asked twice, and nearly every one has a word no table of contents
    // has: such ASCII headings are ruled out without gathering their words.
    const WORDS: Lexicon = Lexicon::new(&[
        "table",
        "of",
        "contents",
        "toc",
        "index",
        "navigation",
        "quick",
        "links",
        "in",
        "this",
        "document",
        "on",
        "page",
    ]);
    if text.is_ascii()
        && text
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|word| !word.is_empty() && !WORDS.contains(word.as_bytes()))
    {
        return false;
    }
    let words = lower_words(text);
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    matches!(
        words.as_slice(),
        ["table", "of", "contents"]
            | ["contents"]
            | ["toc"]
            | ["index"]
            | ["navigation"]
            | ["quick", "links"]
            | ["quick", "navigation"]
            | ["in", "this", "document"]
            | ["on", "this", "page"]
    )
}

/// Headings that open a document's body rather than name it.
fn is_generic_heading(text: &str) -> bool {
    let words = lower_words(text);
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    matches!(
        words.as_slice(),
        ["overview"]
            | ["introduction"]
            | ["intro"]
            | ["about"]
            | ["summary"]
            | ["purpose"]
            | ["background"]
            | ["description"]
            | ["scope"]
            | ["prerequisites"]
            | ["how", "to", "use", ..]
            | ["instructions"]
            | ["usage"]
            | ["context"]
            | ["notes"]
    )
}

/// A heading whose words say it holds phases: `Response Phases`, `Stages`.
fn says_wrapper(text: &str) -> bool {
    let lower = text.to_lowercase();
    lower
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| matches!(w, "phases" | "stages" | "steps" | "procedures" | "playbook"))
}

/// `Phase 1: Detection`, `Stage 2 - Rollout`, `Step 3`, `Day 1`.
fn numbered_stage(text: &str) -> bool {
    let words = lower_words(text);
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    words.windows(2).take(3).any(|pair| {
        matches!(
            pair[0],
            "phase" | "stage" | "step" | "part" | "day" | "wave" | "tier"
        ) && (pair[1].bytes().all(|b| b.is_ascii_digit())
            || matches!(
                pair[1],
                "one"
                    | "two"
                    | "three"
                    | "four"
                    | "five"
                    | "six"
                    | "seven"
                    | "i"
                    | "ii"
                    | "iii"
                    | "iv"
                    | "v"
                    | "vi"
                    | "vii"
            ))
    })
}

/// A bold label with nothing after it (`**DOI**:`) asks for a value, unless it introduces prose.
fn is_field_name(text: &str) -> bool {
    let words = text.split_whitespace().count();
    (1..=6).contains(&words)
        && !is_prose_label(text)
        && text.starts_with(|c: char| c.is_alphabetic())
        && !text.contains(['[', '`', '<'])
}

/// A table cell that says "none": a dash, `n/a`, `none`.
fn says_none(cell: &str) -> bool {
    let cell = cell.trim();
    // Dashes for nobody, or a line drawn to write on (`______`, `...`) for nobody yet.
    cell.chars()
        .all(|c| matches!(c, '-' | '–' | '—' | '_' | '.' | '…' | ' '))
        || ["n/a", "na", "none"]
            .iter()
            .any(|n| cell.eq_ignore_ascii_case(n))
}

/// `Date: ____`, `Ticket: ____`: what a sign-off records beside the signer, not a role.
fn names_a_record(label: &str) -> bool {
    lower_words(label).iter().any(|w| {
        matches!(
            w.as_str(),
            "date"
                | "time"
                | "version"
                | "ticket"
                | "notes"
                | "note"
                | "comments"
                | "comment"
                | "signature"
                | "link"
        )
    })
}

/// `Technical Lead: [Name] - [Date]`, `QA Lead: ________`: a role and blanks to sign.
fn approver_role(text: &str) -> Option<String> {
    let (label, rest) = text.split_once(':')?;
    let label = label.trim().trim_matches(['*', '_']).trim();
    let rest = rest.trim().trim_start_matches(['*', '_']).trim();
    if label.is_empty() || label.len() > 48 || label.split_whitespace().count() > 5 {
        return None;
    }
    let lower = rest.to_lowercase();
    let signs = lower.contains("[name]")
        || lower.contains("[date]")
        || lower.contains("[signature]")
        || (rest.contains("___") && (lower.contains("date") || lower.contains("name")));
    (signs && is_blank_value(&rest.replace(['-', '–', '|', ','], " "))).then(|| label.to_string())
}

/// `Test - [ ] Pass - [ ] Fail`: boxes inside an item's text are its possible outcomes.
fn inline_boxes_as_choices(text: &str) -> Option<String> {
    if !text.contains('[')
        || !text.contains("[ ]") && !text.contains("[x]") && !text.contains("[X]")
    {
        return None;
    }
    let unified = text.replace("[x]", "[ ]").replace("[X]", "[ ]");
    let parts: Vec<&str> = unified
        .split("[ ]")
        .map(|p| p.trim().trim_end_matches(['-', '*', '|']).trim())
        .filter(|p| !p.is_empty())
        .collect();
    (parts.len() >= 2).then(|| parts.join(" / "))
}

/// An item's words, read; a group's name no threshold.
fn item_words(file: &str, text: String, line: u32, group: bool) -> ItemWords {
    match inline_boxes_as_choices(&text) {
        Some(choices) => ItemWords::read(file, choices, Some(line), !group).written_as(text),
        None => ItemWords::read(file, text, Some(line), !group),
    }
}

/// Canonical environment names for the words of a title, in order.
fn environment_words(title: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let lower = title.to_lowercase();
    let mut words = lower
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| !w.is_empty())
        .peekable();
    while let Some(word) = words.next() {
        // `Stage 1 only`, `Test 3`: a numbered step of the checklist, not an environment.
        // (`Production (2 regions)` still names production.)
        if matches!(word, "stage" | "test" | "testing")
            && words
                .peek()
                .is_some_and(|next| next.starts_with(|c: char| c.is_ascii_digit()))
        {
            continue;
        }
        let name = match word.trim_matches('-') {
            "production" | "prod" => "production",
            "staging" | "stage" => "staging",
            "development" | "dev" => "development",
            "qa" => "qa",
            "uat" => "uat",
            "test" | "testing" => "test",
            "sandbox" => "sandbox",
            "preprod" | "pre-prod" | "pre-production" => "preprod",
            "canary" => "canary",
            "demo" => "demo",
            "local" => "local",
            _ => continue,
        };
        if !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
    }
    names
}

/// `Production only`, `(staging only)`: scoped wherever it appears.
fn environments_named_only(title: &str) -> Vec<String> {
    let lower = title.to_lowercase();
    if lower
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| w == "only")
    {
        environment_words(title)
    } else {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_written_in_place_of_a_value_are_blanks() {
        for line in [
            "**Target date:** YYYY-MM-DD",
            "**Version:** vX.Y.Z",
            "**Release captain**: @________",
            "**Incident ID**: INC-_____",
            "**Change ticket:** CHG-",
            "**Start time (UTC)**: ____:____",
            "**Window:** HH:MM - HH:MM",
        ] {
            assert!(field_label(line).is_some(), "{line}");
        }
        for line in [
            "**Version:** v2.3.1",
            "**Date:** 2026-11-24",
            "**Owner:** SRE",
            "**Status:** DONE",
            "**Ticket:** INC-4412",
            "**Note:** X.Y is deprecated",
        ] {
            assert_eq!(field_label(line), None, "{line}");
        }
    }

    #[test]
    fn field_labels_need_a_blank() {
        assert_eq!(
            field_label("*Deployment Date:* _______________"),
            Some("Deployment Date".into())
        );
        assert_eq!(field_label("**Version:** ____"), Some("Version".into()));
        assert_eq!(field_label("Git Commit: ___"), Some("Git Commit".into()));
        assert_eq!(field_label("Note: remember the backup"), None);
        assert_eq!(field_label("**Signed:** ___ **Date:** ___"), None);
    }

    #[test]
    fn fields_on_one_line_may_each_have_a_note_after_the_blank() {
        let names = |line: &str| field_labels(line).unwrap_or_default();
        assert_eq!(
            names("**Start:** ____ (UTC) **End:** ____ (UTC)"),
            ["Start", "End"]
        );
        assert_eq!(
            names("**Start:** ____ (UTC) **Owner:** ____"),
            ["Start", "Owner"]
        );
        assert_eq!(
            names("**Owner:** ____ **Backup:** ____"),
            ["Owner", "Backup"]
        );
        // A note with no blank before it is text, as it was.
        assert_eq!(
            names("**Start:** 21:00 (UTC) **End:** ____"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn signoff_lines() {
        assert!(is_signoff_line(
            "**Signed:** _________________ **Date:** _________________"
        ));
        assert!(is_signoff_line("Signature: ________"));
        assert!(!is_signoff_line("Signed the contract"));
    }

    #[test]
    fn an_email_beside_a_name_or_a_remark_is_the_contacts_email() {
        let c = contact_from_line("**Network**: Carol Wu <carol@example.com>").unwrap();
        assert_eq!(
            (c.name.as_deref(), c.email.as_deref()),
            (Some("Carol Wu"), Some("carol@example.com"))
        );
        let c = contact_from_line("**DBA**: dba-oncall@example.com (pager)").unwrap();
        assert_eq!(
            (c.name.as_deref(), c.email.as_deref()),
            (None, Some("dba-oncall@example.com"))
        );
        let c = contact_from_line("**Release lead**: @alice").unwrap();
        assert_eq!(
            (c.name.as_deref(), c.email.as_deref()),
            (Some("@alice"), None)
        );
    }

    #[test]
    fn a_dash_or_n_a_in_a_contacts_cell_is_nobody() {
        for cell in ["—", "-", "–", " - ", "n/a", "N/A", "none", "______", "..."] {
            assert!(says_none(cell), "{cell}");
        }
        for cell in ["Jonas Weber", "+49 69 1234 002", "TBD", "-1"] {
            assert!(!says_none(cell), "{cell}");
        }
    }

    #[test]
    fn contacts_from_list_lines() {
        let c = contact_from_line("**DevOps Lead**: [Contact Information]").unwrap();
        assert_eq!(
            (c.role.as_str(), c.name, c.email, c.phone),
            ("DevOps Lead", None, None, None)
        );
        let c = contact_from_line("**SRE on call:** Dana Reyes, dana@example.com, +1 555 0100")
            .unwrap();
        assert_eq!(c.role, "SRE on call");
        assert_eq!(c.name.as_deref(), Some("Dana Reyes"));
        assert_eq!(c.email.as_deref(), Some("dana@example.com"));
        assert_eq!(c.phone.as_deref(), Some("+1 555 0100"));
    }

    #[test]
    fn environment_names_in_titles() {
        assert_eq!(environment_words("Production Deployment"), ["production"]);
        assert_eq!(
            environment_words("🚀 Staging & Prod"),
            ["staging", "production"]
        );
        assert!(environment_words("Database Migration").is_empty());
        assert_eq!(
            environments_named_only("Smoke tests (production only)"),
            ["production"]
        );
        assert!(environments_named_only("Production Deployment").is_empty());
        // A numbered stage of a canary rollout is a step, not the staging environment.
        assert!(environments_named_only("Accessibility Verification (Stage 1 Only)").is_empty());
        assert!(environments_named_only("Test 2 only").is_empty());
        assert_eq!(
            environments_named_only("Production (2 regions) only"),
            ["production"]
        );
        assert_eq!(environments_named_only("Stage only: 2 checks"), ["staging"]);
    }
}

#[cfg(test)]
mod split_tests {
    //! A large file is scanned in two stretches at once; these pin that the blocks are
    //! always those of one pass over the whole, wherever the split falls.
    use super::*;
    use proptest::prelude::*;

    /// Everything a scan gives, as text to compare.
    fn seen(scanned: &Scanned) -> String {
        format!(
            "{:#?}\n{:#?}\n{:#?}\n{} {:?}",
            scanned.blocks,
            scanned.diagnostics,
            scanned.front_matter,
            scanned.unread_boxes,
            scanned.unread_boxes_line
        )
    }

    /// Every place the file could be cut, one at a time and all at once: the scan in
    /// stretches is either refused or the scan of the whole. Returns how many were taken.
    fn every_cut_agrees(text: &str) -> Result<usize, String> {
        let ballots = may_hold_ballots(text);
        let whole = seen(&scan(text, 1, "f.md", ballots, Vec::new()));
        let mut cuts = Vec::new();
        let mut from = 0;
        while let Some(at) = heading_after(text, from) {
            cuts.push(at);
            from = at;
        }
        let mut tries: Vec<Vec<usize>> = cuts.iter().map(|&at| vec![at]).collect();
        tries.push(cuts);
        let mut taken = 0;
        for cuts in tries {
            if let Some(stretches) = scan_stretches(text, "f.md", &cuts, ballots) {
                taken += 1;
                if seen(&stretches) != whole {
                    return Err(format!("cut at {cuts:?} differs:\n{text}"));
                }
            }
        }
        Ok(taken)
    }

    #[test]
    fn every_fixture_scans_alike_split_at_any_heading() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        let mut dirs = vec![root.join("tests/fixtures"), root.join("checklists")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "md") {
                    files.push(path);
                }
            }
        }
        assert!(files.len() > 20, "fixtures found: {}", files.len());
        let mut taken = 0;
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            taken += every_cut_agrees(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        }
        // The fixtures are real enough that most of their headings can be cut at.
        assert!(taken > 100, "cuts taken: {taken}");
    }

    #[test]
    fn what_a_heading_would_belong_to_refuses_the_cut() {
        for text in [
            "# T\n\n```\ncode\n\n## Inside the fence\n- [ ] a\n```\n",
            "# T\n\n<!--\n\n## Commented out\n- [ ] a\n-->\n",
            "# T\n\n<details>\n\n## Help\n- [ ] a\n\n</details>\n",
            "---\ntitle: x\n\n## Not yet a heading\n---\n\n## P\n- [ ] a\n",
            "## Phase\n---\n> quoted\n\n## Phase\n---\n",
            "# T\n\n- [ ] see [docs]\n\n## P\n- [ ] a\n\n[docs]: https://example.com\n",
        ] {
            let at = heading_after(text, 3).unwrap();
            assert!(
                scan_stretches(text, "f.md", &[at], false).is_none(),
                "{text}"
            );
        }
        let text = "# T\n\n- [ ] a\n\n## P\n- [ ] b\n";
        let at = heading_after(text, 3).unwrap();
        assert_eq!(&text[at..at + 4], "## P");
        assert!(scan_stretches(text, "f.md", &[at], false).is_some());
    }

    #[test]
    fn cuts_fall_at_headings_about_a_stretch_apart() {
        let text: String = (0..200)
            .map(|p| format!("## Phase {p}\n\n- [ ] Item {p} < 5 ms\n  - [ ] Sub item\n\n"))
            .collect();
        let cuts = cuts_about_every(&text, 1000);
        assert!(cuts.len() > 5, "{cuts:?}");
        assert!(cuts.windows(2).all(|w| w[1] - w[0] >= 500), "{cuts:?}");
        assert!(cuts.iter().all(|&at| text[at..].starts_with("## Phase")));
        let stretches = scan_stretches(&text, "f.md", &cuts, false).expect("cut");
        let whole = scan(&text, 1, "f.md", false, Vec::new());
        assert_eq!(seen(&stretches), seen(&whole));
        assert!(cuts_about_every(&text, text.len()).is_empty());
    }

    /// Pieces of Markdown that open and close constructs across lines.
    fn piece() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "## Phase\n",
            "### Section\n",
            "# Title\n",
            "\n",
            "- [ ] Item one\n",
            "  - [ ] Sub item\n",
            "- Plain bullet:\n",
            "- [x] Done < 5 ms\n",
            "```\n",
            "  ```\n",
            "~~~~\n",
            "```check\nexit 0\n```\n",
            "<!--\n",
            "-->\n",
            "<!-- deploycheck: optional -->\n",
            "<details>\n",
            "</details>\n",
            "<div>\n",
            "> quoted\n",
            "    indented code\n",
            "| Role | Name |\n|---|---|\n| QA | |\n",
            "**Signed:** ____\n",
            "**Version:** ____\n",
            "---\n",
            "title: Front\n",
            "Paragraph text\n",
            "1. [ ] Numbered\n",
            "- [ ] Uses [ref]\n",
            "<script>\n",
            "</script>\n",
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1500))]
        #[test]
        fn a_split_scan_is_the_scan_of_the_whole(
            pieces in prop::collection::vec(piece(), 0..40),
            with_reference in prop::bool::weighted(0.25),
        ) {
            let mut text: String = pieces.concat();
            if with_reference {
                text.push_str("\n[ref]: https://example.com\n");
            }
            if let Err(message) = every_cut_agrees(&text) {
                prop_assert!(false, "{}", message);
            }
        }
    }
}
