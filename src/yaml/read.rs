//! The reader for every YAML document deploycheck reads: checklists and their front
//! matter, run records, answers files and project settings. It is a serde `Deserializer`
//! that reads the text once, front to back, straight into the caller's types, with no
//! event list or document tree between.
//!
//! It reads what YAML libraries write and what people do to such files: block mappings
//! and sequences at any indentation, plain, single- and double-quoted scalars with every
//! escape, literal and folded block scalars, flow collections (`[a, b]`, `{k: v}`),
//! explicit `? ` keys, comments, CRLF line ends, a `---` start and a `...` end, and, where
//! the document may use them, anchors and aliases. A value reads exactly as serde_yaml
//! (the general library) reads it: the scanning rules below follow libyaml's, line breaks
//! and folding included. What this reader does not take (tags, directives, an anchor or
//! alias as a block mapping's key, a `key: value` pair inside `[...]`, more than one
//! document) is an error with line and column, never a different value.
//!
//! An alias is read by reading its anchored node again, from where it starts in the text,
//! as if it were written out in the alias's place; so nothing is kept of a node but where
//! it starts. An alias inside a node read again means what it meant where it is written.
//! The reader is built twice, with and without anchors (`Parser<ALIASES>`), so that
//! records, which may not use them, are read by code with no trace of them.
//!
//! In the same pass it enforces the limits every deploycheck input has: nesting no deeper
//! than [`MAX_DEPTH`], aliases included; no key twice in one mapping (naming the line of
//! the first); and no anchors or aliases ([`Aliases::Refused`]), or aliases that add no
//! more nodes than the document's own and a little slack, and read again no more than
//! four times its bytes and a little slack ([`Aliases::Bounded`]).

use crate::FastMap;
use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Expected, IgnoredAny, Unexpected, Visitor};

use super::scalar::{self, Resolved};
use super::{ALIAS_SLACK, Aliases, LINED, MAX_DEPTH};

/// Reads one YAML document into `T`.
///
/// A broken limit is reported before anything else wrong with the document, wherever it
/// is: a nesting bomb is called that even when its outer value already has the wrong
/// type. The limits are checked in the one pass that reads the document; only when that
/// pass fails for another reason is the text read again, without types, for a limit
/// broken further on.
#[cfg(test)]
pub(crate) fn from_str<'de, T: de::Deserialize<'de>>(text: &'de str) -> Result<T, Error> {
    from_str_with(text, Aliases::Refused)
}

/// As [`from_str`], choosing whether the document may use anchors and aliases.
pub(crate) fn from_str_with<'de, T: de::Deserialize<'de>>(
    text: &'de str,
    aliases: Aliases,
) -> Result<T, Error> {
    match read::<T>(text, aliases) {
        Err(error) if !error.limit => match read::<IgnoredAny>(text, aliases) {
            Err(limit) if limit.limit => Err(limit),
            _ => Err(error),
        },
        result => result,
    }
}

fn read<'de, T: de::Deserialize<'de>>(text: &'de str, aliases: Aliases) -> Result<T, Error> {
    match aliases {
        Aliases::Refused => read_with::<T, false>(text),
        Aliases::Bounded => read_with::<T, true>(text),
    }
}

fn read_with<'de, T: de::Deserialize<'de>, const ALIASES: bool>(
    text: &'de str,
) -> Result<T, Error> {
    let mut parser = Parser::<ALIASES>::new(text)?;
    let mut root = parser.document_start()?;
    if ALIASES {
        root = parser.follow(root)?;
    }
    parser.pending = Some(root);
    let value = T::deserialize(&mut parser)?;
    parser.document_end()?;
    Ok(value)
}

/// What went wrong, and where: the line and column come from the text on demand. Boxed,
/// so that every `Result` the reader passes along stays as small as its value.
#[derive(Debug)]
pub(crate) struct Error(Box<ErrorImpl>);

#[derive(Debug)]
pub(crate) struct ErrorImpl {
    message: String,
    at: Option<Mark>,
    /// Where in the document, as `items[3].status`, for errors about a value.
    path: Option<String>,
    /// A limit every deploycheck input has (depth, repeated keys, anchors and aliases).
    limit: bool,
}

impl std::ops::Deref for Error {
    type Target = ErrorImpl;

    fn deref(&self) -> &ErrorImpl {
        &self.0
    }
}

impl std::ops::DerefMut for Error {
    fn deref_mut(&mut self) -> &mut ErrorImpl {
        &mut self.0
    }
}

impl Error {
    #[cold]
    fn at(mark: Mark, message: impl Into<String>) -> Error {
        Error(Box::new(ErrorImpl {
            message: message.into(),
            at: Some(mark),
            path: None,
            limit: false,
        }))
    }

    #[cold]
    fn limit(mark: Mark, message: impl Into<String>) -> Error {
        let mut error = Error::at(mark, message);
        error.limit = true;
        error
    }

    /// The message, prefixed with the path of the value it is about.
    pub(crate) fn message(&self) -> String {
        match &self.path {
            Some(path) if path != "." => format!("{path}: {}", self.message),
            _ => self.message.clone(),
        }
    }

    /// 1-based line and column (in characters) in `text`, the text that was read.
    pub(crate) fn location(&self, text: &str) -> Option<(u32, u32)> {
        let mark = self.at?;
        let before = text.get(..mark.offset)?;
        let line_start = before
            .char_indices()
            .rev()
            .find(|(_, c)| matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}'))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let column = before[line_start..].chars().count() + 1;
        Some((mark.line, u32::try_from(column).unwrap_or(u32::MAX)))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    #[cold]
    fn custom<T: fmt::Display>(message: T) -> Error {
        Error(Box::new(ErrorImpl {
            message: message.to_string(),
            at: None,
            path: None,
            limit: false,
        }))
    }
}

fn eof() -> Error {
    de::Error::custom("EOF while parsing a value")
}

/// A place in the text: 1-based line and byte offset.
#[derive(Debug, Clone, Copy)]
struct Mark {
    line: u32,
    offset: usize,
}

/// A scalar, read.
#[derive(Debug)]
struct Scalar<'de> {
    value: Cow<'de, str>,
    /// Unquoted and not a block scalar: only a plain scalar can mean null, a boolean or
    /// a number.
    plain: bool,
    mark: Mark,
}

/// A node whose start has been read.
#[derive(Debug)]
enum Node<'de> {
    Scalar(Scalar<'de>),
    /// An empty document.
    Void(Mark),
    /// At the first key, which is at column `indent`.
    BlockMap {
        mark: Mark,
        indent: usize,
    },
    /// At the first `-`, at column `indent`.
    BlockSeq {
        mark: Mark,
        indent: usize,
    },
    /// Just after the `{`.
    FlowMap(Mark),
    /// Just after the `[`.
    FlowSeq(Mark),
    /// `*name`: the node anchored as `&name`, read again from where it starts.
    Alias {
        name: &'de str,
        mark: Mark,
    },
}

impl Node<'_> {
    #[inline]
    fn mark(&self) -> Mark {
        match self {
            Node::Scalar(scalar) => scalar.mark,
            Node::Void(mark) | Node::FlowMap(mark) | Node::FlowSeq(mark) => *mark,
            Node::BlockMap { mark, .. } | Node::BlockSeq { mark, .. } => *mark,
            Node::Alias { mark, .. } => *mark,
        }
    }

    fn is_null(&self) -> bool {
        match self {
            Node::Scalar(scalar) => {
                scalar.plain && (scalar.value.is_empty() || scalar::is_null(&scalar.value))
            }
            Node::Void(_) => true,
            _ => false,
        }
    }

    fn is_empty_scalar(&self) -> bool {
        match self {
            Node::Scalar(scalar) => scalar.plain && scalar.value.is_empty(),
            Node::Void(_) => true,
            _ => false,
        }
    }
}

/// Where the next node sits, which decides what may start there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// The document itself, or the rest of a `---` line.
    Root,
    /// After `key:`: a block collection may not start on the same line.
    Value,
    /// After `- `.
    Item,
    /// After `? ` or the `:` that answers it.
    Explicit,
    /// Inside `[...]` or `{...}`.
    Flow,
}

#[derive(Debug, Clone, Copy)]
struct Ctx {
    place: Place,
    /// Column of the enclosing block collection; -1 at the top.
    indent: isize,
}

/// What follows, after blanks, comments and line breaks.
enum Next {
    Eof,
    /// `---` or `...` at the start of a line.
    Marker,
    /// Content at byte column `col`; `new_line` if a line break was crossed to get there.
    Content {
        col: usize,
        new_line: bool,
    },
}

/// One step of the path to the value being read.
#[derive(Debug)]
enum Step<'de> {
    Key(Cow<'de, str>),
    Index(usize),
}

/// `ALIASES`: whether the document may use anchors and aliases ([`Aliases::Bounded`]).
/// A constant, so that the reader of records, which may not, carries no trace of them.
struct Parser<'de, const ALIASES: bool> {
    text: &'de str,
    bytes: &'de [u8],
    pos: usize,
    line: u32,
    line_start: usize,
    /// Collections open around the current position.
    depth: usize,
    ctx: Ctx,
    /// A node whose start was read ahead (to tell `null` from a value, or a key).
    pending: Option<Node<'de>>,
    path: Vec<Step<'de>>,
    /// Keys of the open mappings, innermost last, with their lines: each mapping owns the
    /// tail from where it started.
    keys: Vec<(Cow<'de, str>, u32)>,
    /// Where the last plain scalar in block context ended, and the column its
    /// continuation lines start at.
    plain_end: Option<(usize, isize)>,
    next_line: Option<NextLine>,
    /// The anchors so far, where the document may use them ([`Aliases::Bounded`]); empty
    /// and untouched where it may not.
    anchors: Box<Anchors<'de>>,
    /// Reading the start of an anchored node, which may not have a second anchor.
    anchoring: bool,
    /// Where a block mapping or sequence last ended because a line was indented less:
    /// (that line's start, the collection's column), so that a line between two levels
    /// can be told which two.
    closed: (usize, usize),
}

/// Anchors seen so far, and how much reading their aliases has added.
#[derive(Default)]
struct Anchors<'de> {
    /// Each name's node: where it starts, to be read again by every alias of it. A later
    /// anchor of the same name replaces an earlier one for the aliases after it, as YAML
    /// says; anchors met while a node is read again are not new.
    starts: FastMap<&'de str, Anchored>,
    /// Nodes the text itself holds, read so far.
    nodes: u64,
    /// Nodes read again for aliases: at most `nodes` plus [`ALIAS_SLACK`], so that an
    /// alias bomb stops at its first levels, long before it costs memory. Bytes are
    /// bounded too (`reread`): a node padded with comments counts as one node, and a
    /// nest of aliases of small nodes as few bytes, so each bound stops what the other
    /// lets through.
    expanded: u64,
    /// Each alias read so far, by where it is: the node its name meant there.
    aliases: FastMap<usize, Anchored>,
    /// Bytes read again for aliases, bounded in [`Parser::come_back`].
    reread: u64,
    /// The anchored nodes being read again, outermost first, and where to come back to
    /// after each: an alias of one of them inside it would repeat without end.
    open: Vec<Return>,
}

/// Bytes aliases may read again beyond four times the file's length.
const REREAD_SLACK: u64 = 1 << 20;

/// Where to come back to after reading an alias's node again.
struct Return {
    at: Saved,
    ctx: Ctx,
    plain_end: Option<(usize, isize)>,
    next_line: Option<NextLine>,
    /// The alias.
    alias: Mark,
    /// Where the node read again starts.
    started: usize,
}

/// Where an anchored node starts: just after its `&name`, in the context it was read in.
#[derive(Clone, Copy)]
struct Anchored {
    at: Saved,
    ctx: Ctx,
    /// Inside `[...]` or `{...}`.
    flow: bool,
}

/// Above this many keys a mapping checks repeats with a hash map.
const FEW_KEYS: usize = 16;

/// A simple key (one without `? `) is at most this many characters long, as in libyaml.
const MAX_SIMPLE_KEY: usize = 1024;

fn is_blank(byte: u8) -> bool {
    byte == b' ' || byte == b'\t'
}

fn is_flow_indicator(byte: u8) -> bool {
    matches!(byte, b',' | b'[' | b']' | b'{' | b'}')
}

/// Whether `c` may appear in the text: printable characters, tab and line breaks, as the
/// YAML specification (and libyaml) allow.
fn is_allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{7e}' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

/// Zero when each of the eight bytes in `word` is printable ASCII or a line feed; else
/// the high bit of at least one byte is set. With every byte below 0x80 the sums below
/// carry into no other byte (and a byte from 0x80 up sets its own high bit).
#[inline]
fn unusual_bytes(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let printable = word.wrapping_add(ONES * 0x60);
    let delete = word.wrapping_add(ONES);
    let not_newline = word ^ (ONES * 0x0a);
    let not_newline = not_newline.wrapping_add(ONES * 0x7f) | not_newline;
    (word | !printable & not_newline | delete) & HIGH
}

/// The offset of the first character YAML does not allow, if any.
fn first_disallowed(bytes: &[u8]) -> Option<usize> {
    let word = |chunk: &[u8], at: usize| {
        u64::from_le_bytes(chunk[at..at + 8].try_into().expect("eight bytes"))
    };
    let mut i = 0;
    while i < bytes.len() {
        // Printable ASCII and line feeds, nearly all of a typical file: thirty-two bytes
        // at a time, then eight.
        if let Some(chunk) = bytes.get(i..i + 32)
            && unusual_bytes(word(chunk, 0))
                | unusual_bytes(word(chunk, 8))
                | unusual_bytes(word(chunk, 16))
                | unusual_bytes(word(chunk, 24))
                == 0
        {
            i += 32;
            continue;
        }
        if let Some(chunk) = bytes.get(i..i + 8)
            && unusual_bytes(word(chunk, 0)) == 0
        {
            i += 8;
            continue;
        }
        let byte = bytes[i];
        if byte.is_ascii() {
            if !(byte >= 0x20 && byte != 0x7f || matches!(byte, b'\t' | b'\n' | b'\r')) {
                return Some(i);
            }
            i += 1;
        } else {
            let width = match byte {
                0xc0..=0xdf => 2,
                0xe0..=0xef => 3,
                _ => 4,
            };
            let c = std::str::from_utf8(&bytes[i..(i + width).min(bytes.len())])
                .ok()
                .and_then(|s| s.chars().next());
            if !c.is_some_and(is_allowed) {
                return Some(i);
            }
            i += width;
        }
    }
    None
}

const STOP: u8 = 1;
const FLOW_STOP: u8 = 2;

/// Bytes a plain scalar's scan stops at: blanks, `:`, line breaks (and the first bytes of
/// NEL, LS and PS), and, inside `[...]` or `{...}`, the flow indicators.
const PLAIN_BYTES: [u8; 256] = {
    let mut table = [0; 256];
    let mut i = 0;
    let stops = b" \t:\n\r\xc2\xe2";
    while i < stops.len() {
        table[stops[i] as usize] = STOP;
        i += 1;
    }
    let flow = b",[]{}";
    i = 0;
    while i < flow.len() {
        table[flow[i] as usize] = FLOW_STOP;
        i += 1;
    }
    table
};

/// Bytes [`Parser::simple_key`] takes after a key's first: ASCII letters, digits, `_`, `-`,
/// `.` and `/`.
const SIMPLE_KEY_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 256 {
        let byte = i as u8;
        table[i] = byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-' | b'.' | b'/');
        i += 1;
    }
    table
};

/// Bytes that may not start a plain scalar, or only when followed by a non-blank.
const INDICATORS: [bool; 256] = scalar::byte_set(b"&*!,[]{}#|>'\"%@`-?:", false);

/// Whether a document marker (`---` or `...`, then a blank, a line break or the end)
/// is at `i`; it is one only at the start of a line, which the caller checks.
#[inline]
fn is_marker_at(bytes: &[u8], i: usize) -> bool {
    (bytes[i..].starts_with(b"---") || bytes[i..].starts_with(b"..."))
        && bytes
            .get(i + 3)
            .is_none_or(|&b| is_blank(b) || break_len_at(bytes, i + 3) > 0)
}

/// The length of the line break at `i`, or 0: LF, CRLF, CR, NEL, LS, PS.
#[inline]
fn break_len_at(bytes: &[u8], i: usize) -> usize {
    let at = |k: usize| bytes.get(i + k).copied().unwrap_or(0);
    match at(0) {
        b'\n' => 1,
        b'\r' => {
            if at(1) == b'\n' {
                2
            } else {
                1
            }
        }
        0xc2 if at(1) == 0x85 => 2,
        0xe2 if at(1) == 0x80 && matches!(at(2), 0xa8 | 0xa9) => 3,
        _ => 0,
    }
}

/// The first byte at or after `i` that a plain scalar in block context must look at: a
/// blank, a control character (line breaks), `:`, or a non-ASCII byte (which may start a
/// NEL, LS or PS). Eight bytes at a time: with `w` the bytes, a byte below 0x21 shows in
/// `w - 0x21` with `!w`, a `:` as a zero byte in `w ^ 0x3a`, non-ASCII in the high bit;
/// borrows only mark bytes after a true one, so the lowest mark is exact.
#[inline]
fn scan_plain(bytes: &[u8], mut i: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        let colon = word ^ (ONES * u64::from(b':'));
        let marks =
            (word.wrapping_sub(ONES * 0x21) & !word | colon.wrapping_sub(ONES) & !colon | word)
                & HIGH;
        if marks != 0 {
            return i + (marks.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&b) = bytes.get(i) {
        if b < 0x21 || b == b':' || b >= 0x80 {
            return i;
        }
        i += 1;
    }
    i
}

/// Where the line after a plain scalar's end holds its next content, found while
/// checking whether the scalar goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct NextLine {
    /// Where the scalar ended.
    from: usize,
    content: usize,
    line_start: usize,
}

/// The block collection a line is too deep for, in [`Parser::misaligned`].
#[derive(Clone, Copy)]
enum Level {
    Keys,
    Entries,
}

/// What either alias budget says when it is spent.
const ALIAS_BOMB: &str = "aliases expand to far more than the file holds (an alias bomb?); write the content out instead";

/// A saved position, to read ahead and come back.
#[derive(Clone, Copy)]
struct Saved {
    pos: usize,
    line: u32,
    line_start: usize,
}

impl<'de, const ALIASES: bool> Parser<'de, ALIASES> {
    fn new(text: &'de str) -> Result<Parser<'de, ALIASES>, Error> {
        let mut parser = Parser {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            line: 1,
            line_start: 0,
            depth: 0,
            ctx: Ctx {
                place: Place::Root,
                indent: -1,
            },
            pending: None,
            path: Vec::new(),
            keys: Vec::new(),
            plain_end: None,
            next_line: None,
            anchors: Box::default(),
            anchoring: false,
            closed: (usize::MAX, 0),
        };
        if let Some(offset) = first_disallowed(parser.bytes) {
            // Count the lines up to it, for the message.
            while parser.pos < offset {
                let n = parser.break_len(0);
                if n > 0 {
                    parser.consume_break(n);
                } else {
                    parser.pos += 1;
                }
            }
            let c = text[offset..].chars().next().unwrap_or('\0');
            return Err(parser.error(format!(
                "control character U+{:04X} is not allowed in YAML; remove it, or write it as an escape inside double quotes",
                c as u32
            )));
        }
        Ok(parser)
    }

    // ---- Position ----

    #[inline]
    fn at(&self, offset: usize) -> u8 {
        self.bytes.get(self.pos + offset).copied().unwrap_or(0)
    }

    #[inline]
    fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    /// The length of the line break at `pos + offset`, or 0: LF, CRLF, CR, NEL, LS, PS.
    #[inline]
    fn break_len(&self, offset: usize) -> usize {
        break_len_at(self.bytes, self.pos + offset)
    }

    #[inline]
    fn is_breakz(&self, offset: usize) -> bool {
        self.pos + offset >= self.bytes.len() || self.break_len(offset) > 0
    }

    #[inline]
    fn is_blankz(&self, offset: usize) -> bool {
        is_blank(self.at(offset)) || self.is_breakz(offset)
    }

    /// Consumes a line break of `len` bytes and returns it as the text it stands for:
    /// LS and PS are kept, every other break is `\n`.
    fn consume_break(&mut self, len: usize) -> &'static str {
        let text = if len == 3 {
            if self.at(2) == 0xa8 {
                "\u{2028}"
            } else {
                "\u{2029}"
            }
        } else {
            "\n"
        };
        self.pos += len;
        self.line += 1;
        self.line_start = self.pos;
        text
    }

    #[inline]
    fn mark(&self) -> Mark {
        Mark {
            line: self.line,
            offset: self.pos,
        }
    }

    /// The column in characters; only called where the line so far is ASCII or exact
    /// counts are needed.
    fn column(&self) -> usize {
        let line = &self.bytes[self.line_start..self.pos];
        if line.is_ascii() {
            line.len()
        } else {
            self.text[self.line_start..self.pos].chars().count()
        }
    }

    #[inline]
    fn save(&self) -> Saved {
        Saved {
            pos: self.pos,
            line: self.line,
            line_start: self.line_start,
        }
    }

    #[inline]
    fn restore(&mut self, saved: Saved) {
        self.pos = saved.pos;
        self.line = saved.line;
        self.line_start = saved.line_start;
    }

    #[cold]
    fn error(&self, message: impl Into<String>) -> Error {
        Error::at(self.mark(), message)
    }

    /// A line at column `col` (0-based), deeper than the `level` it follows at `indent`.
    /// When a deeper level just ended at this very line, the line sits between the two.
    #[cold]
    fn misaligned(&self, col: usize, indent: usize, level: Level) -> Error {
        let (closed_at, inner) = self.closed;
        if closed_at == self.line_start && inner > col {
            return self.error(format!(
                "this line starts at column {}, between the levels above it (columns {} and {}); align it with the one it belongs to",
                col + 1,
                indent + 1,
                inner + 1
            ));
        }
        let (what, hint) = match level {
            Level::Keys => ("keys", ", or quote a value that goes on over several lines"),
            Level::Entries => ("`- ` entries", ""),
        };
        self.error(format!(
            "this line is indented more than the {what} before it; align it with them{hint}"
        ))
    }

    fn is_document_marker(&self) -> bool {
        self.pos == self.line_start && is_marker_at(self.bytes, self.pos)
    }

    fn skip_comment(&mut self) {
        while !self.is_breakz(0) {
            self.pos += 1;
        }
    }

    /// Skips blanks, comments and line breaks in block context.
    fn skip_block(&mut self) -> Result<Next, Error> {
        let mut new_line = self.pos == self.line_start;
        if let Some(next) = self.next_line.take()
            && next.from == self.pos
        {
            self.pos = next.content;
            self.line += 1;
            self.line_start = next.line_start;
            new_line = true;
        }
        // Right after a plain scalar, libyaml's scanner takes the blank lines that follow
        // as part of it, tabs included if they are indented enough; anywhere else a tab
        // at the start of a line is an error.
        let mut plain_tail = self
            .plain_end
            .take()
            .filter(|(end, _)| *end == self.pos)
            .map(|(_, min_col)| min_col);
        loop {
            match self.at(0) {
                b' ' => self.pos += 1,
                b'\t' => {
                    if new_line && plain_tail.is_none_or(|min| (self.column() as isize) < min) {
                        return Err(self.error(
                            "a tab character in the indentation; YAML indents with spaces only",
                        ));
                    }
                    self.pos += 1;
                }
                b'#' => {
                    plain_tail = None;
                    self.skip_comment();
                }
                _ => {
                    let n = self.break_len(0);
                    if n > 0 {
                        self.consume_break(n);
                        new_line = true;
                        continue;
                    }
                    if self.at_end() {
                        return Ok(Next::Eof);
                    }
                    let col = self.pos - self.line_start;
                    if new_line && col == 0 {
                        if self.is_document_marker() {
                            return Ok(Next::Marker);
                        }
                        if self.at(0) == b'%' {
                            return Err(self.error(
                                "directives (`%YAML`, `%TAG`) are not supported in this file; remove the line",
                            ));
                        }
                        if self.bytes[self.pos..].starts_with("\u{feff}".as_bytes()) {
                            return Err(self
                                .error("a byte order mark in the middle of the file; remove it"));
                        }
                    }
                    return Ok(Next::Content { col, new_line });
                }
            }
        }
    }

    /// Back to the start of the current line, for the enclosing collection to read it.
    fn rewind_line(&mut self) {
        if !self.at_end() {
            self.pos = self.line_start;
        }
    }

    /// Skips blanks, comments and line breaks inside `[...]` or `{...}`.
    fn skip_flow(&mut self) -> Result<(), Error> {
        loop {
            match self.at(0) {
                b' ' | b'\t' => self.pos += 1,
                b'#' => self.skip_comment(),
                _ => {
                    let n = self.break_len(0);
                    if n == 0 {
                        if self.is_document_marker() {
                            return Err(self.error(
                                "a document marker inside `[...]` or `{...}`; close the brackets first",
                            ));
                        }
                        return Ok(());
                    }
                    self.consume_break(n);
                }
            }
        }
    }

    /// The error for content on the line after a complete value.
    fn after_value_error(&self) -> Error {
        if self.at(0) == b':' && self.is_blankz(1) {
            self.error("mapping values are not allowed in this context (a `key: value` inside a value? quote the value)")
        } else {
            self.error("unexpected text after the value; quote the whole value, or put the text on a line of its own")
        }
    }

    // ---- Documents ----

    fn document_start(&mut self) -> Result<Node<'de>, Error> {
        match self.skip_block()? {
            Next::Eof => Ok(Node::Void(self.mark())),
            Next::Marker if self.at(0) == b'.' => {
                Err(self.error("a document end marker (`...`) before the document; remove it"))
            }
            Next::Marker => {
                self.pos += 3;
                while is_blank(self.at(0)) {
                    self.pos += 1;
                }
                if self.at(0) == b'#' {
                    self.skip_comment();
                }
                if !self.is_breakz(0) {
                    let col = self.column();
                    self.ctx = Ctx {
                        place: Place::Root,
                        indent: -1,
                    };
                    return self.classify(col, false);
                }
                match self.skip_block()? {
                    Next::Content { col, .. } => {
                        self.ctx = Ctx {
                            place: Place::Root,
                            indent: -1,
                        };
                        self.classify(col, true)
                    }
                    _ => {
                        let mark = self.mark();
                        self.rewind_line();
                        Ok(Node::Void(mark))
                    }
                }
            }
            Next::Content { col, .. } => self.classify(col, true),
        }
    }

    fn document_end(&mut self) -> Result<(), Error> {
        let more = |parser: &Self| {
            parser.error(
                "a second YAML document starts here, and a file holds one; remove the `---` or `...` line, or put what follows in a file of its own",
            )
        };
        match self.skip_block()? {
            Next::Eof => Ok(()),
            Next::Marker if self.at(0) == b'.' => loop {
                // Any number of `...` may close the document.
                self.pos += 3;
                match self.skip_block()? {
                    Next::Eof => return Ok(()),
                    Next::Marker if self.at(0) == b'.' => {}
                    _ => return Err(more(self)),
                }
            },
            Next::Marker => Err(more(self)),
            Next::Content {
                new_line: false, ..
            } => Err(self.after_value_error()),
            Next::Content { .. } => {
                Err(self
                    .error("expected the end of the document; check the indentation of this line"))
            }
        }
    }

    // ---- Nodes ----

    /// The next node's start, read ahead or from the text.
    fn head(&mut self) -> Result<Node<'de>, Error> {
        if let Some(node) = self.pending.take() {
            return Ok(node);
        }
        let node = match self.ctx.place {
            Place::Flow => self.flow_node(),
            Place::Root => Ok(Node::Void(self.mark())),
            _ => self.block_node(),
        }?;
        if ALIASES {
            return self.follow(node);
        }
        Ok(node)
    }

    /// How many aliases are being read again, to tell after reading a node whether its
    /// head moved to an alias's node and must come back ([`Self::come_back`]).
    #[inline]
    fn followed(&self) -> usize {
        if !ALIASES {
            return 0;
        }
        self.anchors.open.len()
    }

    /// A node in block context, just after its indicator (`:`, `-`, `?`).
    fn block_node(&mut self) -> Result<Node<'de>, Error> {
        let Ctx { place, indent } = self.ctx;
        // After a simple key's `:`, tabs separate; after `-`, `?` or an explicit `:` they
        // are taken as indentation, which YAML forbids.
        loop {
            match self.at(0) {
                b' ' => self.pos += 1,
                // After an anchor a tab separates too, as it does after `key:`.
                b'\t' if place == Place::Value || (ALIASES && self.anchoring) => self.pos += 1,
                b'\t' => {
                    return Err(self.error("a tab character after `-`, `?` or `:`; use spaces"));
                }
                _ => break,
            }
        }
        if self.at(0) == b'#' {
            self.skip_comment();
        }
        if !self.is_breakz(0) {
            let col = self.pos - self.line_start;
            return self.classify(col, false);
        }
        match self.skip_block()? {
            Next::Content { col, .. } if col as isize > indent => self.classify(col, true),
            Next::Content { col, .. }
                if col as isize == indent
                    && place == Place::Value
                    && self.at(0) == b'-'
                    && self.is_blankz(1) =>
            {
                self.classify(col, true)
            }
            _ => {
                let mark = self.mark();
                self.rewind_line();
                Ok(Node::Scalar(Scalar {
                    value: Cow::Borrowed(""),
                    plain: true,
                    mark,
                }))
            }
        }
    }

    /// What starts at `pos`, at column `col`; `own_line` if nothing precedes it on its line.
    fn classify(&mut self, col: usize, own_line: bool) -> Result<Node<'de>, Error> {
        let place = self.ctx.place;
        let indent = self.ctx.indent;
        // After an anchor, a block collection must start on a line of its own, even after
        // `- `; a key after one is the key's anchor, which the caller refuses.
        let anchoring = ALIASES && self.anchoring;
        let block_allowed =
            own_line || (matches!(place, Place::Item | Place::Explicit) && !anchoring);
        let key_allowed = block_allowed || anchoring;
        let mark = self.mark();
        match self.at(0) {
            b'[' => {
                self.pos += 1;
                Ok(Node::FlowSeq(mark))
            }
            b'{' => {
                self.pos += 1;
                Ok(Node::FlowMap(mark))
            }
            b'|' | b'>' => self.block_scalar(indent).map(Node::Scalar),
            b'\'' | b'"' => {
                let saved = self.save();
                let scalar = self.quoted()?;
                if key_allowed && self.colon_follows() {
                    if scalar.mark.line != self.line {
                        return Err(self.error(
                            "mapping values are not allowed in this context (a key must be on one line)",
                        ));
                    }
                    self.restore(saved);
                    return Ok(Node::BlockMap { mark, indent: col });
                }
                Ok(Node::Scalar(scalar))
            }
            b'-' if self.is_blankz(1) => {
                if !block_allowed {
                    return Err(self.error(
                        "block sequence entries are not allowed in this context (a `- ` after `key:` must go on the next line)",
                    ));
                }
                Ok(Node::BlockSeq { mark, indent: col })
            }
            b'?' if self.is_blankz(1) => {
                if !block_allowed {
                    return Err(self.error(
                        "an explicit key (`? `) is not allowed in this context; put it on its own line",
                    ));
                }
                Ok(Node::BlockMap { mark, indent: col })
            }
            b':' if self.is_blankz(1) => {
                Err(self.error("a `:` with no key before it; give the key, or quote the value"))
            }
            byte => {
                if let Some(scalar) = self.simple_value(indent, mark) {
                    return Ok(Node::Scalar(scalar));
                }
                if ALIASES && matches!(byte, b'&' | b'*') {
                    return self.anchor_or_alias(mark, false);
                }
                self.refuse_indicator(byte)?;
                let saved = self.save();
                let scalar = self.plain(indent, false)?;
                if key_allowed && scalar.mark.line == self.line && self.colon_follows() {
                    self.restore(saved);
                    return Ok(Node::BlockMap { mark, indent: col });
                }
                Ok(Node::Scalar(scalar))
            }
        }
    }

    /// Refuses anchors, aliases, tags and characters that cannot start a plain scalar.
    #[inline]
    fn refuse_indicator(&self, byte: u8) -> Result<(), Error> {
        if INDICATORS[usize::from(byte)] {
            self.refuse_indicator_slow(byte)
        } else {
            Ok(())
        }
    }

    #[cold]
    fn refuse_indicator_slow(&self, byte: u8) -> Result<(), Error> {
        let name = || {
            let rest = &self.text[self.pos + 1..];
            let end = rest
                .find(|c: char| c.is_whitespace() || matches!(c, ',' | '[' | ']' | '{' | '}'))
                .unwrap_or(rest.len());
            rest[..end].to_string()
        };
        match byte {
            b'&' | b'*' if ALIASES => Err(self.error(format!(
                "`{}{}` on a key: anchors and aliases of keys are not supported; write the key out",
                byte as char,
                name()
            ))),
            b'&' => Err(Error::limit(self.mark(), format!(
                "anchor `&{}`: anchors and aliases are not allowed in this file; write each value out",
                name()
            ))),
            b'*' => Err(Error::limit(self.mark(), format!(
                "alias `*{}`: anchors and aliases are not allowed in this file; write each value out",
                name()
            ))),
            b'!' => Err(self.error(format!(
                "tag `!{}`: tags are not supported in this file; write the value without it (quoted, if it is text that looks like a number)",
                name()
            ))),
            b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'|' | b'>' | b'\'' | b'"' | b'%' | b'@'
            | b'`' => Err(self.error(format!(
                "`{}` cannot start a value here; quote the value",
                byte as char
            ))),
            b'-' | b'?' | b':' if self.is_blankz(1) => Err(self.error(format!(
                "`{}` cannot start a value here; quote the value",
                byte as char
            ))),
            _ => Ok(()),
        }
    }

    /// `&name` and the node it names, or `*name`, at `mark`, inside `[...]` or `{...}`
    /// if `flow`. An anchored node is read in place, and where it starts is kept for its
    /// aliases to read it again.
    #[cold]
    fn anchor_or_alias(&mut self, mark: Mark, flow: bool) -> Result<Node<'de>, Error> {
        let alias = self.at(0) == b'*';
        self.pos += 1;
        let start = self.pos;
        // The names libyaml (and so serde_yaml) reads: letters, digits, `-` and `_`.
        while self.at(0).is_ascii_alphanumeric() || matches!(self.at(0), b'-' | b'_') {
            self.pos += 1;
        }
        let name = &self.text[start..self.pos];
        let sign = if alias { '*' } else { '&' };
        let ends = self.is_blankz(0)
            || matches!(self.at(0), b',' | b']' | b'}')
            || (self.at(0) == b':' && self.is_blankz(1));
        if name.is_empty() || !ends {
            return Err(Error::at(
                mark,
                format!(
                    "`{sign}` must be followed by a name of letters, digits, `-` or `_`, then a space"
                ),
            ));
        }
        if alias {
            return Ok(Node::Alias { name, mark });
        }
        if self.anchoring {
            return Err(Error::at(
                mark,
                format!("a second anchor on one node; remove `&{name}`"),
            ));
        }
        let anchored = Anchored {
            at: self.save(),
            ctx: self.ctx,
            flow,
        };
        let node = self.anchored_node(flow)?;
        match &node {
            Node::Alias { .. } => {
                return Err(Error::at(
                    node.mark(),
                    format!("an alias cannot have an anchor; remove `&{name}`"),
                ));
            }
            // `&a key: value` anchors the key, not the mapping.
            Node::BlockMap { mark: at, .. } if at.line == mark.line => {
                return Err(Error::at(
                    mark,
                    format!(
                        "`&{name}` on a key: anchors and aliases of keys are not supported; to name the mapping, put `&{name}` on the line above its first key"
                    ),
                ));
            }
            _ => {}
        }
        if self.anchors.open.is_empty() {
            self.anchors.starts.insert(name, anchored);
        }
        Ok(node)
    }

    /// The start of the node after an anchor, which may be on the same line or, for a
    /// collection, on the lines below.
    fn anchored_node(&mut self, flow: bool) -> Result<Node<'de>, Error> {
        self.anchoring = true;
        let node = if flow {
            self.flow_node()
        } else {
            self.block_node()
        };
        self.anchoring = false;
        node
    }

    /// Counts `node`, read where the document may use anchors, and for an alias, moves to
    /// the node it names to read it again from where its anchor is, as if it were written
    /// out in place of the alias; gives that node's start (never an alias). Whoever asked
    /// for the node comes back ([`Self::come_back`]) once it is read.
    ///
    /// An alias means the node its name was anchored to where the alias is written: read
    /// first, it is looked up by name and remembered by its place in the text; read again
    /// inside a node being replayed, by that place.
    #[inline]
    fn follow(&mut self, node: Node<'de>) -> Result<Node<'de>, Error> {
        self.count_node()?;
        match node {
            Node::Alias { name, mark } => self.follow_alias(name, mark),
            node => Ok(node),
        }
    }

    /// [`Self::follow`] for an alias: out of line, as aliases are rare.
    #[cold]
    #[inline(never)]
    fn follow_alias(&mut self, name: &'de str, mark: Mark) -> Result<Node<'de>, Error> {
        let anchors = &mut *self.anchors;
        let replaying = !anchors.open.is_empty();
        let meant = replaying
            .then(|| anchors.aliases.get(&mark.offset))
            .flatten();
        let Some(anchored) = meant.or_else(|| anchors.starts.get(name)).copied() else {
            return Err(Error::at(
                mark,
                format!("alias `*{name}` names no anchor before it; define `&{name}` first"),
            ));
        };
        if !replaying {
            anchors.aliases.insert(mark.offset, anchored);
        }
        if anchors
            .open
            .iter()
            .any(|open| open.started == anchored.at.pos)
        {
            return Err(Error::at(
                mark,
                format!(
                    "alias `*{name}` is inside the node `&{name}` names, which would repeat it without end; write the content out"
                ),
            ));
        }
        let back = Return {
            at: self.save(),
            ctx: self.ctx,
            plain_end: self.plain_end.take(),
            next_line: self.next_line.take(),
            alias: mark,
            started: anchored.at.pos,
        };
        self.anchors.open.push(back);
        self.restore(anchored.at);
        self.ctx = anchored.ctx;
        let read = self.anchored_node(anchored.flow);
        match read.and_then(|read| self.count_node().map(|()| read)) {
            Ok(read) => Ok(read),
            Err(error) => {
                self.come_back()?;
                Err(error)
            }
        }
    }

    /// Back to just after the alias once its node is read, counting the bytes read again:
    /// at most four times the file's length and [`REREAD_SLACK`] more, so that a node
    /// padded with comments or blank lines (which count as no node) cannot make each of
    /// its aliases cost its length, and reading stays linear in the file.
    #[cold]
    #[inline(never)]
    fn come_back(&mut self) -> Result<(), Error> {
        let read = self.pos;
        let Some(back) = self.anchors.open.pop() else {
            return Ok(());
        };
        let alias = self.replaying().unwrap_or(back.alias);
        self.restore(back.at);
        self.ctx = back.ctx;
        self.plain_end = back.plain_end;
        self.next_line = back.next_line;
        let anchors = &mut *self.anchors;
        anchors.reread += read.saturating_sub(back.started) as u64;
        if anchors.reread > (self.bytes.len() as u64 * 4).saturating_add(REREAD_SLACK) {
            return Err(Error::limit(alias, ALIAS_BOMB));
        }
        Ok(())
    }

    /// Reading an alias's node again: the outermost alias being read. Nodes read then are
    /// counted as expansion, and anchors met are not new.
    fn replaying(&self) -> Option<Mark> {
        self.anchors.open.first().map(|back| back.alias)
    }

    /// Counts a node read, where anchors are allowed, and stops an alias bomb.
    #[inline]
    fn count_node(&mut self) -> Result<(), Error> {
        if !ALIASES {
            return Ok(());
        }
        let replaying = self.replaying();
        let anchors = &mut *self.anchors;
        match replaying {
            None => anchors.nodes += 1,
            Some(alias) => {
                anchors.expanded += 1;
                if anchors.expanded > anchors.nodes.saturating_add(ALIAS_SLACK) {
                    return Err(Error::limit(alias, ALIAS_BOMB));
                }
            }
        }
        Ok(())
    }

    /// Whether `: ` follows, after blanks on the same line (and consumes it, if so).
    #[inline]
    fn colon_follows(&mut self) -> bool {
        let mut i = 0;
        while is_blank(self.at(i)) {
            i += 1;
        }
        if self.at(i) == b':' && self.is_blankz(i + 1) {
            self.pos += i + 1;
            true
        } else {
            false
        }
    }

    /// A node inside `[...]` or `{...}`, after blanks.
    fn flow_node(&mut self) -> Result<Node<'de>, Error> {
        self.skip_flow()?;
        let mark = self.mark();
        match self.at(0) {
            b'[' => {
                self.pos += 1;
                Ok(Node::FlowSeq(mark))
            }
            b'{' => {
                self.pos += 1;
                Ok(Node::FlowMap(mark))
            }
            b'\'' | b'"' => self.quoted().map(Node::Scalar),
            b',' | b']' | b'}' => Ok(Node::Scalar(Scalar {
                value: Cow::Borrowed(""),
                plain: true,
                mark,
            })),
            b'?' | b':' => Err(self.error(format!(
                "`{}` inside `[...]` or `{{...}}` is not supported here; quote the value",
                self.at(0) as char
            ))),
            0 if self.at_end() => {
                Err(self.error("the file ends inside `[...]` or `{...}`; close the brackets"))
            }
            byte => {
                if byte == b'-' && self.is_blankz(1) {
                    return Err(self.error(
                        "a `- ` entry inside `[...]` or `{...}`; separate the values with commas",
                    ));
                }
                if ALIASES && matches!(byte, b'&' | b'*') {
                    return self.anchor_or_alias(mark, true);
                }
                self.refuse_indicator(byte)?;
                self.plain(-1, true).map(Node::Scalar)
            }
        }
    }

    // ---- Scalars ----

    /// A plain scalar, ending as libyaml ends it; `indent` is the enclosing block
    /// collection's column (continuation lines are indented further). Leaves the position
    /// just after its last character.
    fn plain(&mut self, indent: isize, flow: bool) -> Result<Scalar<'de>, Error> {
        let mark = self.mark();
        let start = self.pos;
        // The common case: one line, nothing to fold.
        let bytes = self.bytes;
        let mut i = start;
        let end_of_line = loop {
            i = if flow {
                let stop = STOP | FLOW_STOP;
                i + bytes[i..]
                    .iter()
                    .position(|&b| PLAIN_BYTES[usize::from(b)] & stop != 0)
                    .unwrap_or(bytes.len() - i)
            } else {
                scan_plain(bytes, i)
            };
            let Some(&byte) = bytes.get(i) else {
                break Some(i);
            };
            match byte {
                b':' => {
                    let next = bytes.get(i + 1).copied().unwrap_or(0);
                    if flow && matches!(next, b',' | b'?' | b'[' | b']' | b'{' | b'}') {
                        self.pos = i;
                        return Err(self.error(
                            "found unexpected ':' (inside `[...]` or `{...}`, quote text with a colon)",
                        ));
                    }
                    if i + 1 >= bytes.len() || is_blank(next) || break_len_at(bytes, i + 1) > 0 {
                        break None;
                    }
                    i += 1;
                }
                b' ' | b'\t' => {
                    let mut j = i + 1;
                    while bytes.get(j).is_some_and(|&b| is_blank(b)) {
                        j += 1;
                    }
                    match bytes.get(j) {
                        None => break Some(i),
                        Some(b'#') => break None,
                        Some(_) if break_len_at(bytes, j) > 0 => break Some(i),
                        Some(_) => i = j,
                    }
                }
                b'\n' | b'\r' => break Some(i),
                0xc2 | 0xe2 if break_len_at(bytes, i) > 0 => break Some(i),
                b',' | b'[' | b']' | b'{' | b'}' if flow => break None,
                _ => i += 1,
            }
        };
        // `None`: stopped on this line; `Some(end)`: the content runs to `end`, then the
        // line ends (or the text does).
        let end = match end_of_line {
            None => {
                // Stopped at an indicator or a comment: the content ends before the blanks.
                let mut end = i;
                while end > start && is_blank(bytes[end - 1]) {
                    end -= 1;
                }
                end
            }
            Some(end) => {
                if self.continues(end, indent, flow) {
                    self.pos = start;
                    return self.plain_folded(indent, flow, mark);
                }
                end
            }
        };
        self.pos = end;
        if !flow {
            self.plain_end = Some((end, indent + 1));
        }
        Ok(Scalar {
            value: Cow::Borrowed(&self.text[start..end]),
            plain: true,
            mark,
        })
    }

    /// Whether a plain scalar whose first line ends at `end` goes on to a later line. When
    /// the next line simply holds content, where it starts is kept for
    /// [`Self::skip_block`], which would otherwise look for it again.
    fn continues(&mut self, end: usize, indent: isize, flow: bool) -> bool {
        let bytes = self.bytes;
        let mut i = end;
        while bytes.get(i).is_some_and(|&b| is_blank(b)) {
            i += 1;
        }
        let mut first_line = true;
        loop {
            let n = break_len_at(bytes, i);
            if n == 0 {
                return false;
            }
            i += n;
            let line_start = i;
            // Count this line's indentation; a tab there is for the folding code to judge.
            while bytes.get(i) == Some(&b' ') {
                i += 1;
            }
            let col = i - line_start;
            match bytes.get(i) {
                None => return false,
                Some(b'\t') => return true,
                Some(_) if break_len_at(bytes, i) > 0 => {
                    first_line = false;
                    continue;
                }
                Some(b'#') => return false,
                Some(_) => {
                    if col == 0 && is_marker_at(bytes, i) {
                        return false;
                    }
                    let continues = flow || col as isize > indent;
                    if !continues && first_line {
                        self.next_line = Some(NextLine {
                            from: end,
                            content: i,
                            line_start,
                        });
                    }
                    return continues;
                }
            }
        }
    }

    /// The value nearly every line of a record or answers file ends with, read in one
    /// scan: a plain scalar in block context that starts with an ASCII letter or digit and
    /// runs to the line feed in printable ASCII, a `:` or a single space always followed by
    /// a printable character (so no key, no comment, no trailing blank), and whose next line
    /// holds content no deeper than `indent` (so it does not go on). It reads exactly as
    /// [`Self::plain`] reads it and leaves the parser in the same state; anything else is
    /// `None`, for the general path.
    #[inline]
    fn simple_value(&mut self, indent: isize, mark: Mark) -> Option<Scalar<'de>> {
        let bytes = self.bytes;
        let start = self.pos;
        if !bytes.get(start)?.is_ascii_alphanumeric() {
            return None;
        }
        let printable_after = |i: usize| bytes.get(i + 1).is_some_and(u8::is_ascii_graphic);
        let mut i = start + 1;
        let end = loop {
            i = scan_plain(bytes, i);
            match bytes.get(i) {
                Some(b'\n') => break i,
                Some(b':') if printable_after(i) => i += 1,
                Some(b' ') if printable_after(i) && bytes[i + 1] != b'#' => i += 1,
                _ => return None,
            }
        };
        // Whether the next line goes on with it: the common case of [`Self::continues`], a
        // line of content no deeper than `indent`, checked in place (calling it costs a
        // tenth of reading a record); anything else, such as a blank line, a comment, a tab
        // or a document marker, is left to the general path.
        let line_start = end + 1;
        let mut content = line_start;
        while bytes.get(content) == Some(&b' ') {
            content += 1;
        }
        let next = *bytes.get(content)?;
        let col = content - line_start;
        let marker = col == 0 && is_marker_at(bytes, content);
        if !next.is_ascii_graphic() || next == b'#' || col as isize > indent || marker {
            return None;
        }
        let next_line = NextLine {
            from: end,
            content,
            line_start,
        };
        // The general path would say the same: tests and fuzzing run with this check on.
        #[cfg(debug_assertions)]
        {
            self.next_line = None;
            assert!(!self.continues(end, indent, false), "{next_line:?}");
            assert_eq!(self.next_line, Some(next_line));
        }
        self.pos = end;
        self.plain_end = Some((end, indent + 1));
        self.next_line = Some(next_line);
        Some(Scalar {
            value: Cow::Borrowed(&self.text[start..end]),
            plain: true,
            mark,
        })
    }

    /// A plain scalar over several lines: libyaml's folding, step by step.
    fn plain_folded(
        &mut self,
        indent: isize,
        flow: bool,
        mark: Mark,
    ) -> Result<Scalar<'de>, Error> {
        let min_col = indent + 1;
        let mut out = String::new();
        let mut whitespace = String::new();
        let mut leading_break = "";
        let mut trailing_breaks = String::new();
        let mut leading_blanks = false;
        let mut end = self.save();
        loop {
            if self.is_document_marker() || self.at(0) == b'#' {
                break;
            }
            while !self.is_blankz(0) {
                let byte = self.at(0);
                if flow
                    && byte == b':'
                    && matches!(self.at(1), b',' | b'?' | b'[' | b']' | b'{' | b'}')
                {
                    return Err(self.error(
                        "found unexpected ':' (inside `[...]` or `{...}`, quote text with a colon)",
                    ));
                }
                if byte == b':' && self.is_blankz(1) || flow && is_flow_indicator(byte) {
                    break;
                }
                if leading_blanks {
                    if leading_break == "\n" {
                        if trailing_breaks.is_empty() {
                            out.push(' ');
                        } else {
                            out.push_str(&trailing_breaks);
                        }
                    } else {
                        out.push_str(leading_break);
                        out.push_str(&trailing_breaks);
                    }
                    leading_break = "";
                    trailing_breaks.clear();
                    leading_blanks = false;
                } else if !whitespace.is_empty() {
                    out.push_str(&whitespace);
                    whitespace.clear();
                }
                let c = self.text[self.pos..]
                    .chars()
                    .next()
                    .expect("not at the end");
                out.push(c);
                self.pos += c.len_utf8();
                end = self.save();
            }
            if !(is_blank(self.at(0)) || self.break_len(0) > 0) {
                break;
            }
            loop {
                let byte = self.at(0);
                if is_blank(byte) {
                    if byte == b'\t' && leading_blanks && (self.column() as isize) < min_col {
                        return Err(self.error(
                            "found a tab character that violates indentation; indent with spaces",
                        ));
                    }
                    if !leading_blanks {
                        whitespace.push(byte as char);
                    }
                    self.pos += 1;
                    continue;
                }
                let n = self.break_len(0);
                if n == 0 {
                    break;
                }
                let line_break = self.consume_break(n);
                if leading_blanks {
                    trailing_breaks.push_str(line_break);
                } else {
                    whitespace.clear();
                    leading_break = line_break;
                    leading_blanks = true;
                }
            }
            // Without a line break the scalar goes on, further along the same line.
            if !flow && leading_blanks && (self.column() as isize) < min_col {
                break;
            }
        }
        self.restore(end);
        if !flow {
            self.plain_end = Some((end.pos, min_col));
        }
        Ok(Scalar {
            value: Cow::Owned(out),
            plain: true,
            mark,
        })
    }

    /// A single- or double-quoted scalar. Leaves the position after the closing quote.
    fn quoted(&mut self) -> Result<Scalar<'de>, Error> {
        let mark = self.mark();
        let single = self.at(0) == b'\'';
        let quote = self.at(0);
        let start = self.pos + 1;
        // The common case: one line, no escapes.
        let mut i = start;
        let bytes = self.bytes;
        while let Some(&byte) = bytes.get(i) {
            if byte == quote {
                if single && bytes.get(i + 1) == Some(&b'\'') {
                    break;
                }
                self.pos = i + 1;
                return Ok(Scalar {
                    value: Cow::Borrowed(&self.text[start..i]),
                    plain: false,
                    mark,
                });
            }
            if byte == b'\\' && !single
                || byte == b'\n'
                || byte == b'\r'
                || byte == 0xc2
                || byte == 0xe2
            {
                break;
            }
            i += 1;
        }
        self.pos += 1;
        self.quoted_folded(single, mark)
    }

    /// The general case of [`Self::quoted`], after the opening quote.
    fn quoted_folded(&mut self, single: bool, mark: Mark) -> Result<Scalar<'de>, Error> {
        let quote = if single { b'\'' } else { b'"' };
        let mut out = String::new();
        let mut whitespace = String::new();
        let mut leading_break = "";
        let mut trailing_breaks = String::new();
        loop {
            if self.is_document_marker() {
                return Err(self.error(
                    "a document marker (`---` or `...`) inside a quoted value; close the quote before it",
                ));
            }
            if self.at_end() {
                return Err(Error::at(
                    mark,
                    "the file ends inside the quoted value that starts here; close the quote",
                ));
            }
            let mut leading_blanks = false;
            while !self.is_blankz(0) {
                let byte = self.at(0);
                if single && byte == b'\'' && self.at(1) == b'\'' {
                    out.push('\'');
                    self.pos += 2;
                } else if byte == quote {
                    break;
                } else if !single && byte == b'\\' && self.break_len(1) > 0 {
                    self.pos += 1;
                    let n = self.break_len(0);
                    self.consume_break(n);
                    leading_blanks = true;
                    break;
                } else if !single && byte == b'\\' {
                    self.escape(&mut out)?;
                } else {
                    let c = self.text[self.pos..]
                        .chars()
                        .next()
                        .expect("not at the end");
                    out.push(c);
                    self.pos += c.len_utf8();
                }
            }
            if self.at(0) == quote {
                break;
            }
            loop {
                let byte = self.at(0);
                if is_blank(byte) {
                    if !leading_blanks {
                        whitespace.push(byte as char);
                    }
                    self.pos += 1;
                    continue;
                }
                let n = self.break_len(0);
                if n == 0 {
                    break;
                }
                let line_break = self.consume_break(n);
                if leading_blanks {
                    trailing_breaks.push_str(line_break);
                } else {
                    whitespace.clear();
                    leading_break = line_break;
                    leading_blanks = true;
                }
            }
            if leading_blanks {
                if leading_break == "\n" {
                    if trailing_breaks.is_empty() {
                        out.push(' ');
                    } else {
                        out.push_str(&trailing_breaks);
                    }
                } else {
                    out.push_str(leading_break);
                    out.push_str(&trailing_breaks);
                }
                leading_break = "";
                trailing_breaks.clear();
            } else {
                out.push_str(&whitespace);
                whitespace.clear();
            }
        }
        self.pos += 1;
        Ok(Scalar {
            value: Cow::Owned(out),
            plain: false,
            mark,
        })
    }

    /// One escape in a double-quoted scalar, at its backslash.
    fn escape(&mut self, out: &mut String) -> Result<(), Error> {
        let simple = match self.at(1) {
            b'0' => Some('\0'),
            b'a' => Some('\u{7}'),
            b'b' => Some('\u{8}'),
            b't' | b'\t' => Some('\t'),
            b'n' => Some('\n'),
            b'v' => Some('\u{b}'),
            b'f' => Some('\u{c}'),
            b'r' => Some('\r'),
            b'e' => Some('\u{1b}'),
            b' ' => Some(' '),
            b'"' => Some('"'),
            b'/' => Some('/'),
            b'\\' => Some('\\'),
            b'N' => Some('\u{85}'),
            b'_' => Some('\u{a0}'),
            b'L' => Some('\u{2028}'),
            b'P' => Some('\u{2029}'),
            _ => None,
        };
        if let Some(c) = simple {
            out.push(c);
            self.pos += 2;
            return Ok(());
        }
        let digits = match self.at(1) {
            b'x' => 2,
            b'u' => 4,
            b'U' => 8,
            _ => {
                return Err(self.error(
                    "unknown escape in a double-quoted value; write a backslash as `\\\\`",
                ));
            }
        };
        let hex = self.bytes.get(self.pos + 2..self.pos + 2 + digits);
        let code = hex
            .filter(|hex| hex.iter().all(u8::is_ascii_hexdigit))
            .and_then(|hex| u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok());
        let Some(code) = code else {
            return Err(self.error(format!(
                "`\\{}` needs {digits} hexadecimal digits",
                self.at(1) as char
            )));
        };
        let Some(c) = char::from_u32(code) else {
            return Err(self.error(format!(
                "`\\{}{:0digits$X}` is not a Unicode character",
                self.at(1) as char,
                code
            )));
        };
        out.push(c);
        self.pos += 2 + digits;
        Ok(())
    }

    /// A literal (`|`) or folded (`>`) block scalar; `indent` is the enclosing block
    /// collection's column. Leaves the position at the start of the first line after it.
    fn block_scalar(&mut self, indent: isize) -> Result<Scalar<'de>, Error> {
        let mark = self.mark();
        let literal = self.at(0) == b'|';
        self.pos += 1;
        let mut chomping = 0i8;
        let mut increment = 0usize;
        let mut chomp = |parser: &mut Parser<ALIASES>| {
            if matches!(parser.at(0), b'+' | b'-') {
                chomping = if parser.at(0) == b'+' { 1 } else { -1 };
                parser.pos += 1;
            }
        };
        let mut digit = |parser: &mut Parser<ALIASES>| -> Result<(), Error> {
            if parser.at(0).is_ascii_digit() {
                if parser.at(0) == b'0' {
                    return Err(parser.error("a block scalar's indentation indicator cannot be 0"));
                }
                increment = usize::from(parser.at(0) - b'0');
                parser.pos += 1;
            }
            Ok(())
        };
        if matches!(self.at(0), b'+' | b'-') {
            chomp(self);
            digit(self)?;
        } else {
            digit(self)?;
            chomp(self);
        }
        while is_blank(self.at(0)) {
            self.pos += 1;
        }
        if self.at(0) == b'#' {
            self.skip_comment();
        }
        if !self.is_breakz(0) {
            return Err(self.error(
                "after `|` or `>` only `-`, `+`, an indentation digit and a comment may follow on the line",
            ));
        }
        let n = self.break_len(0);
        if n > 0 {
            self.consume_break(n);
        }
        let mut block_indent = if increment > 0 {
            (if indent >= 0 {
                indent as usize + increment
            } else {
                increment
            }) as isize
        } else {
            0
        };
        let mut out = String::new();
        let mut leading_break = "";
        let mut trailing_breaks = String::new();
        self.block_breaks(&mut block_indent, indent, &mut trailing_breaks)?;
        let mut leading_blank = false;
        while self.column() as isize == block_indent && !self.at_end() {
            let trailing_blank = is_blank(self.at(0));
            if !literal && leading_break == "\n" && !leading_blank && !trailing_blank {
                if trailing_breaks.is_empty() {
                    out.push(' ');
                }
                leading_break = "";
            } else {
                out.push_str(leading_break);
                leading_break = "";
            }
            out.push_str(&trailing_breaks);
            trailing_breaks.clear();
            leading_blank = is_blank(self.at(0));
            let line_start = self.pos;
            while !self.is_breakz(0) {
                self.pos += 1;
            }
            out.push_str(&self.text[line_start..self.pos]);
            if self.at_end() {
                break;
            }
            let n = self.break_len(0);
            leading_break = self.consume_break(n);
            self.block_breaks(&mut block_indent, indent, &mut trailing_breaks)?;
        }
        if chomping != -1 {
            out.push_str(leading_break);
        }
        if chomping == 1 {
            out.push_str(&trailing_breaks);
        }
        self.rewind_line();
        Ok(Scalar {
            value: Cow::Owned(out),
            plain: false,
            mark,
        })
    }

    /// Empty lines and indentation before a block scalar's next line.
    fn block_breaks(
        &mut self,
        block_indent: &mut isize,
        indent: isize,
        breaks: &mut String,
    ) -> Result<(), Error> {
        let mut max_indent = 0isize;
        loop {
            while (*block_indent == 0 || (self.column() as isize) < *block_indent)
                && self.at(0) == b' '
            {
                self.pos += 1;
            }
            let col = self.column() as isize;
            max_indent = max_indent.max(col);
            if (*block_indent == 0 || col < *block_indent) && self.at(0) == b'\t' {
                return Err(self.error(
                    "a tab character where a block scalar's indentation should be; indent with spaces",
                ));
            }
            let n = self.break_len(0);
            if n == 0 {
                break;
            }
            breaks.push_str(self.consume_break(n));
        }
        if *block_indent == 0 {
            *block_indent = max_indent.max(indent + 1).max(1);
        }
        Ok(())
    }

    // ---- Collections ----

    fn enter(&mut self, mark: Mark) -> Result<(), Error> {
        if self.depth >= MAX_DEPTH {
            return Err(Error::limit(
                mark,
                format!(
                    "nesting is deeper than {MAX_DEPTH} levels; no deploycheck file needs that, so this one is refused"
                ),
            ));
        }
        self.depth += 1;
        Ok(())
    }

    fn path_string(&self) -> String {
        if self.path.is_empty() {
            return ".".to_string();
        }
        let mut path = String::new();
        for (i, step) in self.path.iter().enumerate() {
            match step {
                Step::Key(key) if i == 0 => path.push_str(key),
                Step::Key(key) => {
                    path.push('.');
                    path.push_str(key);
                }
                Step::Index(index) if i == 0 => path.push_str(&format!(".[{index}]")),
                Step::Index(index) => path.push_str(&format!("[{index}]")),
            }
        }
        path
    }

    /// Gives an error from a visitor the place of the node it is about.
    fn locate(&self, mut error: Error, mark: Mark) -> Error {
        if error.at.is_none() {
            error.at = Some(mark);
            error.path = Some(self.path_string());
        }
        error
    }

    fn visit_map<V: Visitor<'de>>(
        &mut self,
        node: Node<'de>,
        visitor: V,
    ) -> Result<V::Value, Error> {
        let mark = node.mark();
        self.enter(mark)?;
        let base = self.keys.len();
        let mut access = MapAccess {
            flow: !matches!(node, Node::BlockMap { .. }),
            indent: match node {
                Node::BlockMap { indent, .. } => indent,
                _ => 0,
            },
            first: true,
            done: false,
            explicit: false,
            key: None,
            len: 0,
            base,
            bloom: 0,
            many: None,
            parser: self,
        };
        let value = visitor.visit_map(&mut access)?;
        let len = access.len;
        while de::MapAccess::next_key::<IgnoredAny>(&mut access)?.is_some() {
            de::MapAccess::next_value::<IgnoredAny>(&mut access)?;
        }
        let total = access.len;
        self.keys.truncate(base);
        self.depth -= 1;
        if total != len {
            return Err(de::Error::invalid_length(
                total,
                &ExpectedLen(len, "map containing", "entry", "entries"),
            ));
        }
        Ok(value)
    }

    fn visit_seq<V: Visitor<'de>>(
        &mut self,
        node: Node<'de>,
        visitor: V,
    ) -> Result<V::Value, Error> {
        let mark = node.mark();
        self.enter(mark)?;
        let mut access = SeqAccess {
            flow: !matches!(node, Node::BlockSeq { .. }),
            indent: match node {
                Node::BlockSeq { indent, .. } => indent,
                _ => 0,
            },
            first: true,
            done: false,
            len: 0,
            start: self.pos,
            parser: self,
        };
        let value = visitor.visit_seq(&mut access)?;
        let len = access.len;
        while de::SeqAccess::next_element::<IgnoredAny>(&mut access)?.is_some() {}
        let total = access.len;
        self.depth -= 1;
        if total != len {
            return Err(de::Error::invalid_length(
                total,
                &ExpectedLen(len, "sequence of", "element", "elements"),
            ));
        }
        Ok(value)
    }

    /// A key of a block mapping at column `indent`, at its first character; leaves the
    /// position after its `:`.
    fn block_key(&mut self, indent: usize) -> Result<Scalar<'de>, Error> {
        if let Some(key) = self.simple_key(indent) {
            return Ok(key);
        }
        let byte = self.at(0);
        let scalar = match byte {
            b'\'' | b'"' => self.quoted()?,
            b'-' if self.is_blankz(1) => {
                return Err(
                    self.error("a `- ` entry where a key was expected; check the indentation")
                );
            }
            b'[' | b'{' => {
                return Err(self.error(
                    "a `[...]` or `{...}` collection as a key is not supported; quote the key",
                ));
            }
            _ => {
                if byte == b':' && self.is_blankz(1) {
                    return Err(self.error("a `:` with no key before it; give the key"));
                }
                self.refuse_indicator(byte)?;
                self.plain(indent as isize, false)?
            }
        };
        if scalar.mark.line != self.line {
            return Err(Error::at(
                scalar.mark,
                "a key must be on one line; use an explicit key (`? `) for longer ones",
            ));
        }
        if !self.colon_follows() {
            return Err(
                self.error("could not find expected ':' after this key; write `key: value`")
            );
        }
        self.pos -= 1;
        self.check_key_length(&scalar)?;
        self.pos += 1;
        Ok(scalar)
    }

    /// The key nearly every line of a record or answers file starts with, read in one
    /// scan: ASCII letters and digits first, then those, `_`, `-`, `.` and `/`, then `:`
    /// and a space or a line feed. It reads exactly as the general path in
    /// [`Self::block_key`] reads it (a plain scalar that stops at that `:`), and leaves the
    /// parser in the same state; anything else (quotes, other characters, a `:` at the end
    /// of the text or before a tab or CR, a key too long) is `None`, for the general path.
    #[inline]
    fn simple_key(&mut self, indent: usize) -> Option<Scalar<'de>> {
        let bytes = self.bytes;
        let start = self.pos;
        if !bytes.get(start)?.is_ascii_alphanumeric() {
            return None;
        }
        let mut i = start + 1;
        while bytes
            .get(i)
            .is_some_and(|&b| SIMPLE_KEY_BYTES[usize::from(b)])
        {
            i += 1;
        }
        if bytes.get(i) != Some(&b':')
            || !matches!(bytes.get(i + 1), Some(b' ' | b'\n'))
            || i - start > MAX_SIMPLE_KEY
        {
            return None;
        }
        let mark = self.mark();
        self.plain_end = Some((i, indent as isize + 1));
        self.pos = i + 1;
        Some(Scalar {
            value: Cow::Borrowed(&self.text[start..i]),
            plain: true,
            mark,
        })
    }

    /// A simple key, from its start to the `:` at `pos`, is at most [`MAX_SIMPLE_KEY`]
    /// characters long.
    #[inline]
    fn check_key_length(&self, key: &Scalar) -> Result<(), Error> {
        if self.pos - key.mark.offset > MAX_SIMPLE_KEY
            && self.text[key.mark.offset..self.pos].chars().count() > MAX_SIMPLE_KEY
        {
            return Err(Error::at(
                key.mark,
                format!(
                    "a key longer than {MAX_SIMPLE_KEY} characters must be written as an explicit key (`? key`, then `: value` on the next line)"
                ),
            ));
        }
        Ok(())
    }
}

struct ExpectedLen(usize, &'static str, &'static str, &'static str);

impl Expected for ExpectedLen {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let ExpectedLen(n, what, one, many) = *self;
        write!(f, "{what} {n} {}", if n == 1 { one } else { many })
    }
}

/// The error a visitor gives for a node of the wrong kind, worded by the visitor.
fn invalid_type(node: &Node, expected: &dyn Expected) -> Error {
    match node {
        Node::Scalar(scalar) => {
            let text: &str = &scalar.value;
            let unexpected = if !scalar.plain {
                Unexpected::Str(text)
            } else {
                match scalar::resolve(text) {
                    Resolved::Null => Unexpected::Unit,
                    Resolved::Bool(b) => Unexpected::Bool(b),
                    Resolved::U64(n) => Unexpected::Unsigned(n),
                    Resolved::I64(n) => Unexpected::Signed(n),
                    Resolved::U128(_) | Resolved::I128(_) => Unexpected::Other("integer"),
                    Resolved::F64(f) => Unexpected::Float(f),
                    Resolved::Str => Unexpected::Str(text),
                }
            };
            de::Error::invalid_type(unexpected, expected)
        }
        Node::BlockMap { .. } | Node::FlowMap(_) => {
            de::Error::invalid_type(Unexpected::Map, expected)
        }
        Node::BlockSeq { .. } | Node::FlowSeq(_) => {
            de::Error::invalid_type(Unexpected::Seq, expected)
        }
        Node::Void(_) => eof(),
        // `with_node` reads the aliased node instead; never handed on.
        Node::Alias { mark, .. } => Error::at(*mark, "an alias where none was expected"),
    }
}

fn visit_text<'de, V: Visitor<'de>>(visitor: V, text: Cow<'de, str>) -> Result<V::Value, Error> {
    match text {
        Cow::Borrowed(text) => visitor.visit_borrowed_str(text),
        Cow::Owned(text) => visitor.visit_string(text),
    }
}

fn visit_plain<'de, V: Visitor<'de>>(visitor: V, text: Cow<'de, str>) -> Result<V::Value, Error> {
    match scalar::resolve(&text) {
        Resolved::Null => visitor.visit_unit(),
        Resolved::Bool(b) => visitor.visit_bool(b),
        Resolved::U64(n) => visitor.visit_u64(n),
        Resolved::I64(n) => visitor.visit_i64(n),
        Resolved::U128(n) => visitor.visit_u128(n),
        Resolved::I128(n) => visitor.visit_i128(n),
        Resolved::F64(f) => visitor.visit_f64(f),
        Resolved::Str => visit_text(visitor, text),
    }
}

impl<'de, const ALIASES: bool> Parser<'de, ALIASES> {
    /// Reads the next node's start, hands it to `f`, and places any error at the node.
    fn with_node<T>(
        &mut self,
        f: impl FnOnce(&mut Parser<'de, ALIASES>, Node<'de>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let followed = self.followed();
        let node = self.head()?;
        let mark = node.mark();
        let read = f(self, node).map_err(|error| self.locate(error, mark));
        if self.followed() > followed {
            self.come_back()?;
        }
        read
    }
}

/// A plain scalar parsed by `$parse` and handed to `$visit`, or the visitor's own error.
macro_rules! plain_value {
    ($self:ident, $visitor:ident, $parse:expr, $visit:ident) => {
        $self.with_node(|_, node| {
            if let Node::Scalar(scalar) = &node
                && scalar.plain
                && let Some(value) = $parse(&scalar.value)
            {
                return $visitor.$visit(value);
            }
            Err(invalid_type(&node, &$visitor))
        })
    };
}

impl<'de, const ALIASES: bool> de::Deserializer<'de> for &mut Parser<'de, ALIASES> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.with_node(|parser, node| match node {
            Node::Scalar(scalar) if scalar.plain => visit_plain(visitor, scalar.value),
            Node::Scalar(scalar) => visit_text(visitor, scalar.value),
            Node::Void(_) => visitor.visit_none(),
            Node::BlockMap { .. } | Node::FlowMap(_) => parser.visit_map(node, visitor),
            Node::BlockSeq { .. } | Node::FlowSeq(_) => parser.visit_seq(node, visitor),
            Node::Alias { .. } => Err(invalid_type(&node, &visitor)),
        })
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        plain_value!(
            self,
            visitor,
            |text: &str| scalar::parse_bool(text),
            visit_bool
        )
    }

    fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        plain_value!(
            self,
            visitor,
            |text: &str| scalar::parse_signed_int(text, i64::from_str_radix),
            visit_i64
        )
    }

    fn deserialize_i128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        plain_value!(
            self,
            visitor,
            |text: &str| scalar::parse_signed_int(text, i128::from_str_radix),
            visit_i128
        )
    }

    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_u64(visitor)
    }

    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_u64(visitor)
    }

    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_u64(visitor)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        plain_value!(
            self,
            visitor,
            |text: &str| scalar::parse_unsigned_int(text, u64::from_str_radix),
            visit_u64
        )
    }

    fn deserialize_u128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        plain_value!(
            self,
            visitor,
            |text: &str| scalar::parse_unsigned_int(text, u128::from_str_radix),
            visit_u128
        )
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        plain_value!(
            self,
            visitor,
            |text: &str| scalar::parse_f64(text),
            visit_f64
        )
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.with_node(|_, node| match node {
            Node::Scalar(scalar) => visit_text(visitor, scalar.value),
            other => Err(invalid_type(&other, &visitor)),
        })
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Error> {
        Err(de::Error::custom(
            "serialization and deserialization of bytes in YAML is not implemented",
        ))
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let followed = self.followed();
        let node = self.head()?;
        let read = if node.is_null() {
            visitor.visit_none()
        } else {
            self.pending = Some(node);
            visitor.visit_some(&mut *self)
        };
        if self.followed() > followed {
            self.come_back()?;
        }
        read
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.with_node(|_, node| match &node {
            _ if node.is_null() => visitor.visit_unit(),
            Node::Scalar(scalar) => Err(de::Error::invalid_value(
                Unexpected::Str(&scalar.value),
                &"null",
            )),
            other => Err(invalid_type(other, &visitor)),
        })
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.with_node(|parser, node| match node {
            Node::BlockSeq { .. } | Node::FlowSeq(_) => parser.visit_seq(node, visitor),
            _ if node.is_empty_scalar() => visitor.visit_seq(EmptyAccess),
            other => Err(invalid_type(&other, &visitor)),
        })
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.with_node(|parser, node| match node {
            Node::BlockMap { .. } | Node::FlowMap(_) => parser.visit_map(node, visitor),
            _ if node.is_empty_scalar() => visitor.visit_map(EmptyAccess),
            other => Err(invalid_type(&other, &visitor)),
        })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        if name == LINED {
            return self.lined(visitor);
        }
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.with_node(|parser, node| match node {
            Node::Scalar(scalar) => visitor.visit_enum(UnitVariant { parser, scalar }),
            Node::Void(_) => Err(eof()),
            Node::BlockMap { .. } | Node::FlowMap(_) => Err(de::Error::invalid_type(
                Unexpected::Map,
                &"a YAML tag starting with '!'",
            )),
            _ => Err(de::Error::invalid_type(
                Unexpected::Seq,
                &"a YAML tag starting with '!'",
            )),
        })
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_any(IgnoredAny)?;
        visitor.visit_unit()
    }
}

impl<'de, const ALIASES: bool> Parser<'de, ALIASES> {
    /// A [`super::Lined`] value: the line the next node is written on, then the node. The
    /// node is read ahead so that its line is known, and left pending for the value. What
    /// an alias stands for is written where the alias is, so every node read for it takes
    /// the alias's line; an empty value takes its key's line, not that of what follows.
    #[cold]
    #[inline(never)]
    fn lined<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, Error> {
        let key_line = self.line;
        self.with_node(|parser, node| {
            let line = match parser.replaying() {
                Some(alias) => alias.line,
                None if node.is_empty_scalar() => key_line,
                None => node.mark().line,
            };
            parser.pending = Some(node);
            visitor.visit_map(LinedAccess {
                parser,
                line,
                entry: 0,
            })
        })
    }
}

/// The two entries the reader hands a [`super::Lined`]: `line`, then `value`.
struct LinedAccess<'a, 'de, const ALIASES: bool> {
    parser: &'a mut Parser<'de, ALIASES>,
    line: u32,
    /// How many keys have been handed.
    entry: u8,
}

impl<'de, const ALIASES: bool> de::MapAccess<'de> for LinedAccess<'_, 'de, ALIASES> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let key = match self.entry {
            0 => "line",
            1 => "value",
            _ => return Ok(None),
        };
        self.entry += 1;
        seed.deserialize(de::value::BorrowedStrDeserializer::new(key))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        if self.entry == 1 {
            seed.deserialize(de::value::U32Deserializer::new(self.line))
        } else {
            seed.deserialize(&mut *self.parser)
        }
    }
}

/// The entries of a mapping written as an empty value (`key:`): none.
struct EmptyAccess;

impl<'de> de::MapAccess<'de> for EmptyAccess {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        _seed: K,
    ) -> Result<Option<K::Value>, Error> {
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, _seed: V) -> Result<V::Value, Error> {
        Err(eof())
    }
}

impl<'de> de::SeqAccess<'de> for EmptyAccess {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        _seed: T,
    ) -> Result<Option<T::Value>, Error> {
        Ok(None)
    }
}

struct MapAccess<'a, 'de, const ALIASES: bool> {
    parser: &'a mut Parser<'de, ALIASES>,
    flow: bool,
    /// A block mapping's column.
    indent: usize,
    first: bool,
    done: bool,
    /// The current key was written with `? `.
    explicit: bool,
    /// The current key, for the path.
    key: Option<Cow<'de, str>>,
    len: usize,
    /// Where this mapping's keys start in `Parser::keys`.
    base: usize,
    /// One bit per key hash: most keys are new, and a clear bit says so at once.
    bloom: u64,
    /// Key → line, once the mapping has more than a few keys.
    many: Option<FastMap<Cow<'de, str>, u32>>,
}

impl<'de, const ALIASES: bool> MapAccess<'_, 'de, ALIASES> {
    /// Refuses a key this mapping already has, naming the line of the first.
    fn remember(&mut self, key: &Scalar<'de>) -> Result<(), Error> {
        let text: &str = &key.value;
        let line = key.mark.line;
        let first = if let Some(many) = &mut self.many {
            match many.get(text) {
                Some(first) => Some(*first),
                None => {
                    many.insert(key.value.clone(), line);
                    None
                }
            }
        } else {
            let bytes = text.as_bytes();
            let byte = |i: usize| u64::from(bytes.get(i).copied().unwrap_or(0));
            let hash = (bytes.len() as u64).wrapping_mul(0x9e37_79b9).wrapping_add(
                byte(0) * 31 + byte(1) * 7 + u64::from(bytes.last().copied().unwrap_or(0)) * 131,
            );
            let bit = 1u64 << (hash.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 58);
            let keys = &mut self.parser.keys;
            let first = if self.bloom & bit != 0 {
                keys[self.base..]
                    .iter()
                    .find(|(k, _)| k == text)
                    .map(|(_, line)| *line)
            } else {
                None
            };
            if first.is_none() {
                self.bloom |= bit;
                keys.push((key.value.clone(), line));
                if keys.len() - self.base > FEW_KEYS {
                    self.many = Some(keys.drain(self.base..).collect());
                }
            }
            first
        };
        match first {
            Some(first) => Err(Error::limit(
                key.mark,
                format!(
                    "key `{text}` appears twice in one mapping (first on line {first}); keep one"
                ),
            )),
            None => Ok(()),
        }
    }

    /// Reads the next key of a block mapping, if there is one.
    fn next_block_key(&mut self) -> Result<Option<Scalar<'de>>, Error> {
        let parser = &mut *self.parser;
        if !self.first {
            match parser.skip_block()? {
                Next::Eof | Next::Marker => return Ok(None),
                Next::Content {
                    new_line: false, ..
                } => return Err(parser.after_value_error()),
                Next::Content { col, .. } if col < self.indent => {
                    parser.rewind_line();
                    parser.closed = (parser.pos, self.indent);
                    return Ok(None);
                }
                Next::Content { col, .. } if col > self.indent => {
                    return Err(parser.misaligned(col, self.indent, Level::Keys));
                }
                Next::Content { .. } => {}
            }
        }
        self.first = false;
        if parser.at(0) == b'?' && parser.is_blankz(1) {
            parser.pos += 1;
            parser.ctx = Ctx {
                place: Place::Explicit,
                indent: self.indent as isize,
            };
            let node = parser.block_node()?;
            self.explicit = true;
            return match node {
                Node::Scalar(scalar) => Ok(Some(scalar)),
                other => Err(Error::at(
                    other.mark(),
                    "only a scalar can be a key here; quote the key",
                )),
            };
        }
        self.explicit = false;
        parser.block_key(self.indent).map(Some)
    }

    /// Reads the next key of a flow mapping, if there is one.
    fn next_flow_key(&mut self) -> Result<Option<Scalar<'de>>, Error> {
        let parser = &mut *self.parser;
        parser.skip_flow()?;
        if !self.first {
            match parser.at(0) {
                b',' => {
                    parser.pos += 1;
                    parser.skip_flow()?;
                }
                b'}' => {}
                _ if parser.at_end() => {
                    return Err(parser.error("the file ends inside `{...}`; close it with `}`"));
                }
                _ => return Err(parser.error("expected `,` or `}` in `{...}`")),
            }
        }
        self.first = false;
        if parser.at(0) == b'}' {
            parser.pos += 1;
            return Ok(None);
        }
        let mark = parser.mark();
        let key = match parser.at(0) {
            b'[' | b'{' => {
                return Err(parser.error(
                    "a `[...]` or `{...}` collection as a key is not supported; quote the key",
                ));
            }
            b',' => return Err(parser.error("an empty entry in `{...}`; remove the extra comma")),
            _ => match parser.flow_node()? {
                Node::Scalar(scalar) => scalar,
                other => return Err(Error::at(other.mark(), "only a scalar can be a key here")),
            },
        };
        parser.skip_flow()?;
        if parser.at(0) == b':' {
            if key.mark.line != parser.line {
                return Err(Error::at(mark, "a key must be on one line"));
            }
            parser.check_key_length(&key)?;
        }
        Ok(Some(key))
    }
}

impl<'de, const ALIASES: bool> de::MapAccess<'de> for MapAccess<'_, 'de, ALIASES> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        if self.done {
            return Ok(None);
        }
        let key = if self.flow {
            self.next_flow_key()?
        } else {
            self.next_block_key()?
        };
        let Some(key) = key else {
            self.done = true;
            return Ok(None);
        };
        if ALIASES && key.plain && key.value == "<<" {
            // A merge key means something only to libraries that apply it; read as a plain
            // key it would be an unknown field, which says nothing of why.
            return Err(Error::at(
                key.mark,
                "merge keys (`<<: *name`) are not supported; write the keys out, or reuse the whole node with `*name`",
            ));
        }
        self.remember(&key)?;
        // Keys count as nodes, as values do (in `head`), toward the alias budget.
        self.parser.count_node()?;
        self.len += 1;
        self.key = Some(key.value.clone());
        self.parser.pending = Some(Node::Scalar(key));
        seed.deserialize(&mut *self.parser).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let parser = &mut *self.parser;
        parser
            .path
            .push(Step::Key(self.key.take().unwrap_or(Cow::Borrowed(""))));
        if self.flow {
            parser.skip_flow()?;
            if parser.at(0) == b':' {
                parser.pos += 1;
                parser.skip_flow()?;
                parser.ctx = Ctx {
                    place: Place::Flow,
                    indent: -1,
                };
            } else if matches!(parser.at(0), b',' | b'}') {
                parser.pending = Some(Node::Scalar(Scalar {
                    value: Cow::Borrowed(""),
                    plain: true,
                    mark: parser.mark(),
                }));
            } else if parser.at_end() {
                return Err(parser.error("the file ends inside `{...}`; close it with `}`"));
            } else {
                return Err(parser.error("expected `:`, `,` or `}` after a key in `{...}`"));
            }
        } else if self.explicit {
            let colon = |parser: &Parser<ALIASES>| parser.at(0) == b':' && parser.is_blankz(1);
            // A `:` on the key's own line would have made the key a mapping (`? a: b`),
            // which is refused before this; after a key over several lines it is libyaml's
            // error too.
            let present = match parser.skip_block()? {
                Next::Content {
                    new_line: false, ..
                } => return Err(parser.after_value_error()),
                Next::Content { col, .. } => col == self.indent && colon(parser),
                _ => false,
            };
            if present {
                parser.pos += 1;
                parser.ctx = Ctx {
                    place: Place::Explicit,
                    indent: self.indent as isize,
                };
            } else {
                let mark = parser.mark();
                parser.rewind_line();
                parser.pending = Some(Node::Scalar(Scalar {
                    value: Cow::Borrowed(""),
                    plain: true,
                    mark,
                }));
            }
        } else {
            parser.ctx = Ctx {
                place: Place::Value,
                indent: self.indent as isize,
            };
        }
        let value = seed.deserialize(&mut *parser);
        parser.path.pop();
        value
    }
}

struct SeqAccess<'a, 'de, const ALIASES: bool> {
    parser: &'a mut Parser<'de, ALIASES>,
    flow: bool,
    /// A block sequence's column.
    indent: usize,
    first: bool,
    done: bool,
    len: usize,
    /// Where the sequence starts, for [`de::SeqAccess::size_hint`].
    start: usize,
}

impl<'de, const ALIASES: bool> de::SeqAccess<'de> for SeqAccess<'_, 'de, ALIASES> {
    type Error = Error;

    /// Once some entries are read: as many more as the rest of the document would hold at
    /// their average size. So a record's 100k items can be placed once rather than moved
    /// at every doubling of their vector. An estimate in constant time, high where more
    /// follows the sequence; nothing before the first entry.
    fn size_hint(&self) -> Option<usize> {
        let read = self.parser.pos.saturating_sub(self.start);
        (self.len > 0 && read > 0).then(|| {
            let rest = self.parser.bytes.len() - self.parser.pos;
            rest / read.div_ceil(self.len)
        })
    }

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        if self.done {
            return Ok(None);
        }
        let parser = &mut *self.parser;
        if self.flow {
            parser.skip_flow()?;
            if !self.first {
                match parser.at(0) {
                    b',' => {
                        parser.pos += 1;
                        parser.skip_flow()?;
                    }
                    b']' => {}
                    b':' => {
                        return Err(parser.error(
                            "a `key: value` pair inside `[...]` is not supported; write `{key: value}`",
                        ));
                    }
                    _ if parser.at_end() => {
                        return Err(parser.error("the file ends inside `[...]`; close it with `]`"));
                    }
                    _ => return Err(parser.error("expected `,` or `]` in `[...]`")),
                }
            }
            self.first = false;
            match parser.at(0) {
                b']' => {
                    parser.pos += 1;
                    self.done = true;
                    return Ok(None);
                }
                b',' => {
                    return Err(parser.error("an empty entry in `[...]`; remove the extra comma"));
                }
                _ => {}
            }
            parser.ctx = Ctx {
                place: Place::Flow,
                indent: -1,
            };
        } else {
            if !self.first {
                match parser.skip_block()? {
                    Next::Eof | Next::Marker => {
                        self.done = true;
                        return Ok(None);
                    }
                    Next::Content {
                        new_line: false, ..
                    } => return Err(parser.after_value_error()),
                    Next::Content { col, .. } if col > self.indent => {
                        return Err(parser.misaligned(col, self.indent, Level::Entries));
                    }
                    Next::Content { col, .. }
                        if col < self.indent || !(parser.at(0) == b'-' && parser.is_blankz(1)) =>
                    {
                        parser.rewind_line();
                        if col < self.indent {
                            parser.closed = (parser.pos, self.indent);
                        }
                        self.done = true;
                        return Ok(None);
                    }
                    Next::Content { .. } => {}
                }
            }
            self.first = false;
            parser.pos += 1;
            parser.ctx = Ctx {
                place: Place::Item,
                indent: self.indent as isize,
            };
        }
        parser.path.push(Step::Index(self.len));
        self.len += 1;
        let value = seed.deserialize(&mut *parser);
        parser.path.pop();
        value.map(Some)
    }
}

/// An enum written as its variant's name.
struct UnitVariant<'a, 'de, const ALIASES: bool> {
    parser: &'a mut Parser<'de, ALIASES>,
    scalar: Scalar<'de>,
}

impl<'de, 'a, const ALIASES: bool> de::EnumAccess<'de> for UnitVariant<'a, 'de, ALIASES> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), Error> {
        let placeholder = Scalar {
            value: Cow::Borrowed(""),
            plain: true,
            mark: self.scalar.mark,
        };
        let UnitVariant { parser, scalar } = self;
        parser.pending = Some(Node::Scalar(scalar));
        let value = seed.deserialize(&mut *parser)?;
        Ok((
            value,
            UnitVariant {
                parser,
                scalar: placeholder,
            },
        ))
    }
}

impl<'de, const ALIASES: bool> de::VariantAccess<'de> for UnitVariant<'_, 'de, ALIASES> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, _seed: T) -> Result<T::Value, Error> {
        Err(de::Error::invalid_type(
            Unexpected::UnitVariant,
            &"newtype variant",
        ))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, _visitor: V) -> Result<V::Value, Error> {
        Err(de::Error::invalid_type(
            Unexpected::UnitVariant,
            &"tuple variant",
        ))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Error> {
        Err(de::Error::invalid_type(
            Unexpected::UnitVariant,
            &"struct variant",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::first_disallowed;

    /// Every disallowed character is found wherever it sits in the chunks the scan takes
    /// at once (thirty-two and eight bytes), and allowed ones are passed over.
    #[test]
    fn the_first_disallowed_character_is_found_at_any_offset() {
        for len in [1, 7, 8, 9, 31, 32, 33, 40, 64, 70] {
            let line = "a".repeat(len);
            assert_eq!(first_disallowed(line.as_bytes()), None);
            for at in 0..len {
                for (c, allowed) in [
                    ('\0', false),
                    ('\u{7}', false),
                    ('\u{1b}', false),
                    ('\u{7f}', false),
                    ('\u{9f}', false),
                    ('\u{fffe}', false),
                    ('\t', true),
                    ('\n', true),
                    ('\r', true),
                    (' ', true),
                    ('~', true),
                    ('\u{85}', true),
                    ('é', true),
                    ('😀', true),
                ] {
                    let mut text = line.clone();
                    text.replace_range(at..at + 1, &c.to_string());
                    let expected = (!allowed).then_some(at);
                    assert_eq!(
                        first_disallowed(text.as_bytes()),
                        expected,
                        "{c:?} at {at} of {len}"
                    );
                }
            }
        }
    }
}
