//! The YAML writer: a serde `Serializer` that writes block-style YAML straight into a
//! string. Its output is byte for byte what serde_yaml (libyaml's emitter) writes for the
//! same value, because records written by earlier versions are named by the SHA-256 of
//! their bytes, and `verify` compares those bytes with the record written again. The
//! layout and every choice of scalar style below follow libyaml's emitter, with its
//! settings as serde_yaml uses them: indent 2, no line width, Unicode written as is.

use std::fmt;

use serde::ser::{self, Serialize};

use super::scalar;

/// `value` as a YAML document.
pub(crate) fn to_string<T: ?Sized + Serialize>(value: &T) -> Result<String, Error> {
    let mut serializer = Serializer {
        emitter: Emitter::new(),
        depth: 0,
        pending: None,
    };
    value.serialize(&mut serializer)?;
    Ok(serializer.emitter.out)
}

#[derive(Debug)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(message: T) -> Error {
        Error(message.to_string())
    }
}

/// The style serde_yaml asks for: the emitter may still pick another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Requested {
    Any,
    Plain,
    SingleQuoted,
    Literal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
}

enum Event<'a> {
    DocumentStart,
    DocumentEnd,
    Scalar(&'a str, Requested),
    /// With whether the collection turned out empty (written `[]` or `{}`).
    SequenceStart(bool),
    SequenceEnd,
    MappingStart(bool),
    MappingEnd,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    DocumentStart,
    DocumentContent,
    DocumentEnd,
    FlowSequenceFirst,
    FlowMappingFirst,
    BlockSequenceFirst,
    BlockSequenceItem,
    BlockMappingFirstKey,
    BlockMappingKey,
    BlockMappingSimpleValue,
    BlockMappingValue,
}

/// What libyaml's emitter makes of a scalar before choosing its style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Analysis {
    multiline: bool,
    pub(super) flow_plain_allowed: bool,
    pub(super) block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
    /// Every character is one byte, so the text's length is its width in columns.
    ascii: bool,
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// Blank, a line break, or the end (libyaml sees a NUL there, and in a NUL).
fn is_blankz(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => matches!(c, ' ' | '\t' | '\0') || is_break(c),
    }
}

/// libyaml's printable set: what it writes as is.
fn is_printable(c: char) -> bool {
    matches!(c, '\n' | ' '..='~' | '\u{a0}'..='\u{d7ff}' | '\u{10000}'..)
        || matches!(c, '\u{e000}'..='\u{fffd}') && c != '\u{feff}'
}

pub(super) fn analyze(value: &str) -> Analysis {
    plain_text(value.as_bytes()).unwrap_or_else(|| analyze_each(value))
}

/// The analysis of text that block style may hold plain, decided a byte at a time: an
/// ASCII letter or digit first, no space last, and between them only letters, digits,
/// spaces, marks that are indicators only at a scalar's start, and `:` before anything
/// but a space (which only flow style minds). Most of a record's scalars (IDs, statuses,
/// times, names, item texts) are such text, and the character walk of [`analyze_each`]
/// was most of the time spent writing a large record. `None`: walk it.
fn plain_text(bytes: &[u8]) -> Option<Analysis> {
    let (first, last) = (bytes.first()?, bytes.last()?);
    if !first.is_ascii_alphanumeric() || *last == b' ' || *last == b':' {
        return None;
    }
    let mut colon = false;
    for (i, &b) in bytes.iter().enumerate() {
        if !PLAIN_BYTE[usize::from(b)] {
            if b == b':' && bytes[i + 1] != b' ' {
                colon = true;
            } else {
                return None;
            }
        }
    }
    Some(Analysis {
        multiline: false,
        flow_plain_allowed: !colon,
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
        ascii: true,
    })
}

/// The bytes [`plain_text`] passes without a second look, one load each: ASCII letters and
/// digits, the space, and the marks that are indicators only at a scalar's start.
const PLAIN_BYTE: [bool; 256] = scalar::byte_set(b" _/.-()+=;<>%@&*!$'", true);

/// libyaml's analysis, a character at a time.
fn analyze_each(value: &str) -> Analysis {
    if value.is_empty() {
        return Analysis {
            multiline: false,
            flow_plain_allowed: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
            ascii: true,
        };
    }
    let mut block_indicators = false;
    let mut flow_indicators = false;
    let mut line_breaks = false;
    let mut special_characters = false;
    let mut leading_space = false;
    let mut leading_break = false;
    let mut trailing_space = false;
    let mut trailing_break = false;
    let mut break_space = false;
    let mut space_break = false;
    let mut previous_space = false;
    let mut previous_break = false;
    if value.starts_with("---") || value.starts_with("...") {
        block_indicators = true;
        flow_indicators = true;
    }
    let mut preceded_by_whitespace = true;
    let mut chars = value.chars().peekable();
    let mut first = true;
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        let followed_by_whitespace = is_blankz(next);
        let last = next.is_none();
        if first {
            if matches!(
                c,
                '#' | ','
                    | '['
                    | ']'
                    | '{'
                    | '}'
                    | '&'
                    | '*'
                    | '!'
                    | '|'
                    | '>'
                    | '\''
                    | '"'
                    | '%'
                    | '@'
                    | '`'
            ) {
                flow_indicators = true;
                block_indicators = true;
            }
            if c == '?' || c == ':' {
                flow_indicators = true;
                if followed_by_whitespace {
                    block_indicators = true;
                }
            }
            if c == '-' && followed_by_whitespace {
                flow_indicators = true;
                block_indicators = true;
            }
        } else {
            if matches!(c, ',' | '?' | '[' | ']' | '{' | '}') {
                flow_indicators = true;
            }
            if c == ':' {
                flow_indicators = true;
                if followed_by_whitespace {
                    block_indicators = true;
                }
            }
            if c == '#' && preceded_by_whitespace {
                flow_indicators = true;
                block_indicators = true;
            }
        }
        if !is_printable(c) {
            special_characters = true;
        }
        if is_break(c) {
            line_breaks = true;
        }
        if c == ' ' {
            if first {
                leading_space = true;
            }
            if last {
                trailing_space = true;
            }
            if previous_break {
                break_space = true;
            }
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            if first {
                leading_break = true;
            }
            if last {
                trailing_break = true;
            }
            if previous_space {
                space_break = true;
            }
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = is_blankz(Some(c));
        first = false;
    }
    let mut analysis = Analysis {
        multiline: line_breaks,
        flow_plain_allowed: true,
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
        ascii: value.is_ascii(),
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        analysis.flow_plain_allowed = false;
        analysis.block_plain_allowed = false;
    }
    if trailing_space {
        analysis.block_allowed = false;
    }
    if break_space {
        analysis.flow_plain_allowed = false;
        analysis.block_plain_allowed = false;
        analysis.single_quoted_allowed = false;
    }
    if space_break || special_characters {
        analysis.flow_plain_allowed = false;
        analysis.block_plain_allowed = false;
        analysis.single_quoted_allowed = false;
        analysis.block_allowed = false;
    }
    if line_breaks {
        analysis.flow_plain_allowed = false;
        analysis.block_plain_allowed = false;
    }
    if flow_indicators {
        analysis.flow_plain_allowed = false;
    }
    if block_indicators {
        analysis.block_plain_allowed = false;
    }
    analysis
}

/// A port of libyaml's emitter, for the events serde_yaml's serializer sends it.
struct Emitter {
    out: String,
    state: State,
    states: Vec<State>,
    indent: i32,
    indents: Vec<i32>,
    /// Characters on the current line.
    column: usize,
    /// The last thing written was whitespace (or nothing on this line yet).
    whitespace: bool,
    /// Only indentation and indicators on the current line so far.
    indention: bool,
    mapping_context: bool,
    simple_key_context: bool,
}

const BEST_INDENT: i32 = 2;

/// Keys longer than this (in bytes) are written as explicit `? key` entries.
const MAX_SIMPLE_KEY: usize = 128;

impl Emitter {
    fn new() -> Emitter {
        Emitter {
            out: String::new(),
            state: State::DocumentStart,
            states: Vec::new(),
            indent: -1,
            indents: Vec::new(),
            column: 0,
            whitespace: true,
            indention: true,
            mapping_context: false,
            simple_key_context: false,
        }
    }

    fn pop_state(&mut self) -> State {
        self.states.pop().unwrap_or(State::DocumentEnd)
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn emit(&mut self, event: Event) -> Result<(), Error> {
        match self.state {
            State::DocumentStart => match event {
                Event::DocumentStart => {
                    self.state = State::DocumentContent;
                    Ok(())
                }
                _ => Err(Error("expected the start of a document".into())),
            },
            State::DocumentContent => {
                self.states.push(State::DocumentEnd);
                self.node(event, false, false)
            }
            State::DocumentEnd => match event {
                Event::DocumentEnd => {
                    self.write_indent();
                    self.state = State::DocumentStart;
                    Ok(())
                }
                _ => Err(Error("expected the end of a document".into())),
            },
            State::FlowSequenceFirst | State::FlowMappingFirst => {
                let (open, close) = if self.state == State::FlowSequenceFirst {
                    ("[", "]")
                } else {
                    ("{", "}")
                };
                self.write_indicator(open, true, true, false);
                match event {
                    Event::SequenceEnd | Event::MappingEnd => {
                        self.write_indicator(close, false, false, false);
                        self.state = self.pop_state();
                        Ok(())
                    }
                    _ => Err(Error("a collection said to be empty has entries".into())),
                }
            }
            State::BlockSequenceFirst | State::BlockSequenceItem => {
                if self.state == State::BlockSequenceFirst {
                    let indentless = self.mapping_context && !self.indention;
                    self.increase_indent(false, indentless);
                }
                if let Event::SequenceEnd = event {
                    self.pop_indent();
                    self.state = self.pop_state();
                    return Ok(());
                }
                self.write_indent();
                self.write_indicator("-", true, false, true);
                self.states.push(State::BlockSequenceItem);
                self.node(event, false, false)
            }
            State::BlockMappingFirstKey | State::BlockMappingKey => {
                if self.state == State::BlockMappingFirstKey {
                    self.increase_indent(false, false);
                }
                if let Event::MappingEnd = event {
                    self.pop_indent();
                    self.state = self.pop_state();
                    return Ok(());
                }
                self.write_indent();
                if Self::is_simple_key(&event) {
                    self.states.push(State::BlockMappingSimpleValue);
                    self.node(event, true, true)
                } else {
                    self.write_indicator("?", true, false, true);
                    self.states.push(State::BlockMappingValue);
                    self.node(event, true, false)
                }
            }
            State::BlockMappingSimpleValue | State::BlockMappingValue => {
                if self.state == State::BlockMappingSimpleValue {
                    self.write_indicator(":", false, false, false);
                } else {
                    self.write_indent();
                    self.write_indicator(":", true, false, true);
                }
                self.states.push(State::BlockMappingKey);
                self.node(event, true, false)
            }
        }
    }

    fn is_simple_key(event: &Event) -> bool {
        match event {
            Event::Scalar(value, _) => value.len() <= MAX_SIMPLE_KEY && !value.contains(is_break),
            Event::SequenceStart(empty) | Event::MappingStart(empty) => *empty,
            _ => false,
        }
    }

    fn node(&mut self, event: Event, mapping: bool, simple_key: bool) -> Result<(), Error> {
        self.mapping_context = mapping;
        self.simple_key_context = simple_key;
        match event {
            Event::Scalar(value, requested) => {
                self.scalar(value, requested);
                Ok(())
            }
            Event::SequenceStart(empty) => {
                self.state = if empty {
                    State::FlowSequenceFirst
                } else {
                    State::BlockSequenceFirst
                };
                Ok(())
            }
            Event::MappingStart(empty) => {
                self.state = if empty {
                    State::FlowMappingFirst
                } else {
                    State::BlockMappingFirstKey
                };
                Ok(())
            }
            _ => Err(Error("expected a scalar, a sequence or a mapping".into())),
        }
    }

    fn scalar(&mut self, value: &str, requested: Requested) {
        let analysis = analyze(value);
        let mut style = match requested {
            Requested::Any | Requested::Plain => Style::Plain,
            Requested::SingleQuoted => Style::SingleQuoted,
            Requested::Literal => Style::Literal,
        };
        if self.simple_key_context && analysis.multiline {
            style = Style::DoubleQuoted;
        }
        if style == Style::Plain
            && (!analysis.block_plain_allowed || value.is_empty() && self.simple_key_context)
        {
            style = Style::SingleQuoted;
        }
        if style == Style::SingleQuoted && !analysis.single_quoted_allowed {
            style = Style::DoubleQuoted;
        }
        if style == Style::Literal && (!analysis.block_allowed || self.simple_key_context) {
            style = Style::DoubleQuoted;
        }
        // libyaml keeps `flow_plain_allowed` for flow collections, which only ever hold
        // nothing here.
        let _ = analysis.flow_plain_allowed;
        self.increase_indent(true, false);
        match style {
            Style::Plain => self.write_plain(value, analysis.ascii),
            Style::SingleQuoted => self.write_single_quoted(value),
            Style::DoubleQuoted => self.write_double_quoted(value),
            Style::Literal => self.write_literal(value),
        }
        self.pop_indent();
        self.state = self.pop_state();
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
    }

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    /// A line break from a scalar's text: `\n` as the emitter's break, LS and PS as
    /// themselves.
    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
        }
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        if !self.indention || self.column > indent || self.column == indent && !self.whitespace {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(
        &mut self,
        indicator: &str,
        need_whitespace: bool,
        is_whitespace: bool,
        is_indention: bool,
    ) {
        if need_whitespace && !self.whitespace {
            self.put(' ');
        }
        self.out.push_str(indicator);
        self.column += indicator.chars().count();
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
    }

    fn write_plain(&mut self, value: &str, ascii: bool) {
        if !self.whitespace && !value.is_empty() {
            self.put(' ');
        }
        // A plain scalar has no line breaks (the analysis rules them out).
        self.out.push_str(value);
        self.column += if ascii {
            value.len()
        } else {
            value.chars().count()
        };
        self.whitespace = false;
        self.indention = false;
    }

    fn write_single_quoted(&mut self, value: &str) {
        self.write_indicator("'", true, false, false);
        let mut breaks = false;
        for c in value.chars() {
            if c == ' ' {
                self.put(' ');
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
        if breaks {
            self.write_indent();
        }
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_double_quoted(&mut self, value: &str) {
        self.write_indicator("\"", true, false, false);
        for c in value.chars() {
            if !is_printable(c) || c == '\u{feff}' || is_break(c) || c == '"' || c == '\\' {
                self.put('\\');
                let code = c as u32;
                let short = match code {
                    0x00 => Some('0'),
                    0x07 => Some('a'),
                    0x08 => Some('b'),
                    0x09 => Some('t'),
                    0x0a => Some('n'),
                    0x0b => Some('v'),
                    0x0c => Some('f'),
                    0x0d => Some('r'),
                    0x1b => Some('e'),
                    0x22 => Some('"'),
                    0x5c => Some('\\'),
                    0x85 => Some('N'),
                    0xa0 => Some('_'),
                    0x2028 => Some('L'),
                    0x2029 => Some('P'),
                    _ => None,
                };
                match short {
                    Some(letter) => self.put(letter),
                    None => {
                        let hex = if code <= 0xff {
                            format!("x{code:02X}")
                        } else if code <= 0xffff {
                            format!("u{code:04X}")
                        } else {
                            format!("U{code:08X}")
                        };
                        self.out.push_str(&hex);
                        self.column += hex.len();
                    }
                }
            } else {
                self.put(c);
            }
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_literal(&mut self, value: &str) {
        self.write_indicator("|", true, false, false);
        // Hints: an indentation digit when the text starts with a space or a break, and
        // how its trailing line breaks are kept.
        let mut chars = value.chars();
        if chars.next().is_some_and(|c| c == ' ' || is_break(c)) {
            self.write_indicator("2", false, false, false);
        }
        let mut back = value.chars().rev();
        let chomp = match (back.next(), back.next()) {
            (None, _) => Some("-"),
            (Some(last), _) if !is_break(last) => Some("-"),
            (Some(_), None) => Some("+"),
            (Some(_), Some(before)) if is_break(before) => Some("+"),
            _ => None,
        };
        if let Some(chomp) = chomp {
            self.write_indicator(chomp, false, false, false);
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for c in value.chars() {
            if is_break(c) {
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }
}

/// A collection whose start waits for its first entry or its end: the emitter writes an
/// empty one as `[]` or `{}`.
#[derive(Clone, Copy)]
enum Pending {
    Sequence,
    Mapping,
}

struct Serializer {
    emitter: Emitter,
    /// Open nodes: the document starts with the first and ends with the last.
    depth: usize,
    pending: Option<Pending>,
}

impl Serializer {
    /// Emits a collection start that was waiting, now that it is known whether the next
    /// event (`end`) closes it.
    fn flush(&mut self, closing: bool) -> Result<(), Error> {
        match self.pending.take() {
            Some(Pending::Sequence) => self.emitter.emit(Event::SequenceStart(closing)),
            Some(Pending::Mapping) => self.emitter.emit(Event::MappingStart(closing)),
            None => Ok(()),
        }
    }

    fn value_start(&mut self) -> Result<(), Error> {
        self.flush(false)?;
        if self.depth == 0 {
            self.emitter.emit(Event::DocumentStart)?;
        }
        self.depth += 1;
        Ok(())
    }

    fn value_end(&mut self) -> Result<(), Error> {
        self.depth -= 1;
        if self.depth == 0 {
            self.emitter.emit(Event::DocumentEnd)?;
        }
        Ok(())
    }

    fn scalar(&mut self, value: &str, requested: Requested) -> Result<(), Error> {
        self.value_start()?;
        self.emitter.emit(Event::Scalar(value, requested))?;
        self.value_end()
    }

    fn start(&mut self, pending: Pending) -> Result<(), Error> {
        self.value_start()?;
        self.pending = Some(pending);
        Ok(())
    }

    fn end(&mut self, event: Event) -> Result<(), Error> {
        self.flush(true)?;
        self.emitter.emit(event)?;
        self.value_end()
    }

    fn text(&mut self, value: &str) -> Result<(), Error> {
        let requested = if value.contains('\n') {
            Requested::Literal
        } else if quick_needs_quotes(value) {
            Requested::SingleQuoted
        } else {
            Requested::Any
        };
        self.scalar(value, requested)
    }
}

/// [`scalar::needs_quotes`], answering at once for text that cannot be a number, a
/// boolean or null.
fn quick_needs_quotes(value: &str) -> bool {
    match value.as_bytes().first() {
        None => true,
        Some(b'0'..=b'9' | b'+' | b'-' | b'.' | b'~' | b'n' | b'N' | b't' | b'T' | b'f' | b'F') => {
            scalar::needs_quotes(value)
        }
        Some(_) => false,
    }
}

fn data_variant(variant: &str) -> Error {
    Error(format!(
        "enum variant `{variant}` carries data, which this YAML writer does not write"
    ))
}

impl ser::Serializer for &mut Serializer {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = ser::Impossible<(), Error>;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = ser::Impossible<(), Error>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.scalar(if v { "true" } else { "false" }, Requested::Plain)
    }

    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }

    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }

    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }

    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.scalar(&v.to_string(), Requested::Plain)
    }

    fn serialize_i128(self, v: i128) -> Result<(), Error> {
        self.scalar(&v.to_string(), Requested::Plain)
    }

    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.serialize_u64(v.into())
    }

    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.serialize_u64(v.into())
    }

    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.serialize_u64(v.into())
    }

    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.scalar(&v.to_string(), Requested::Plain)
    }

    fn serialize_u128(self, v: u128) -> Result<(), Error> {
        self.scalar(&v.to_string(), Requested::Plain)
    }

    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        let mut buffer = ryu::Buffer::new();
        let text = match v.classify() {
            std::num::FpCategory::Infinite if v.is_sign_positive() => ".inf",
            std::num::FpCategory::Infinite => "-.inf",
            std::num::FpCategory::Nan => ".nan",
            _ => buffer.format_finite(v),
        };
        self.scalar(text, Requested::Plain)
    }

    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        let mut buffer = ryu::Buffer::new();
        let text = match v.classify() {
            std::num::FpCategory::Infinite if v.is_sign_positive() => ".inf",
            std::num::FpCategory::Infinite => "-.inf",
            std::num::FpCategory::Nan => ".nan",
            _ => buffer.format_finite(v),
        };
        self.scalar(text, Requested::Plain)
    }

    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.scalar(v.encode_utf8(&mut [0; 4]), Requested::SingleQuoted)
    }

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.text(v)
    }

    fn serialize_bytes(self, _v: &[u8]) -> Result<(), Error> {
        Err(Error(
            "serialization and deserialization of bytes in YAML is not implemented".into(),
        ))
    }

    fn serialize_none(self) -> Result<(), Error> {
        self.serialize_unit()
    }

    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Error> {
        self.scalar("null", Requested::Plain)
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.text(variant)
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _value: &T,
    ) -> Result<(), Error> {
        Err(data_variant(variant))
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self, Error> {
        self.start(Pending::Sequence)?;
        Ok(self)
    }

    fn serialize_tuple(self, len: usize) -> Result<Self, Error> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Self, Error> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(data_variant(variant))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self, Error> {
        self.start(Pending::Mapping)?;
        Ok(self)
    }

    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self, Error> {
        self.serialize_map(None)
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(data_variant(variant))
    }
}

impl ser::SerializeSeq for &mut Serializer {
    type Ok = ();
    type Error = Error;

    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut **self)
    }

    fn end(self) -> Result<(), Error> {
        Serializer::end(self, Event::SequenceEnd)
    }
}

impl ser::SerializeTuple for &mut Serializer {
    type Ok = ();
    type Error = Error;

    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut **self)
    }

    fn end(self) -> Result<(), Error> {
        Serializer::end(self, Event::SequenceEnd)
    }
}

impl ser::SerializeTupleStruct for &mut Serializer {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut **self)
    }

    fn end(self) -> Result<(), Error> {
        Serializer::end(self, Event::SequenceEnd)
    }
}

impl ser::SerializeMap for &mut Serializer {
    type Ok = ();
    type Error = Error;

    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), Error> {
        key.serialize(&mut **self)
    }

    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut **self)
    }

    fn end(self) -> Result<(), Error> {
        Serializer::end(self, Event::MappingEnd)
    }
}

impl ser::SerializeStruct for &mut Serializer {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.text(key)?;
        value.serialize(&mut **self)
    }

    fn end(self) -> Result<(), Error> {
        Serializer::end(self, Event::MappingEnd)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{analyze_each, plain_text};

    proptest! {
        /// The byte-at-a-time answer is libyaml's answer, on text made of the marks it
        /// looks at most closely.
        #[test]
        fn plain_text_is_decided_as_the_character_walk_decides_it(
            text in "[a-zA-Z0-9 _/.()+=;<>%@&*!$'\"#:,?\\[\\]{}|`~^-]{0,12}"
        ) {
            if let Some(quick) = plain_text(text.as_bytes()) {
                prop_assert_eq!(quick, analyze_each(&text));
            }
        }
    }

    #[test]
    fn plain_text_excludes_what_changes_a_style() {
        for text in [
            "", " a", "a ", "-a", "a: b", "a:", "a #b", "a,b", "é", "a\nb", "'a", "a\tb",
        ] {
            assert_eq!(plain_text(text.as_bytes()), None, "{text:?}");
        }
        for text in [
            "a-b (c) 50%",
            "phase-1/section-0/check-0",
            "2026-11-23T22:00:00+00:00",
        ] {
            assert!(plain_text(text.as_bytes()).is_some(), "{text:?}");
        }
    }
}
