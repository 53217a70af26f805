//! How deploycheck read YAML before its own reader took every document: libyaml's events
//! walked once for the limits (depth, repeated keys, anchors and aliases), then
//! serde_yaml. Kept for the property tests alone, as the general library the reader must
//! agree with.

use std::collections::HashMap;

use super::{ALIAS_SLACK, Aliases, MAX_DEPTH};
use crate::source::Diagnostic;

/// serde_yaml's reading of `text`, behind the limits every deploycheck input has.
pub(super) fn theirs<T: serde::de::DeserializeOwned>(
    text: &str,
    aliases: Aliases,
) -> Result<T, String> {
    check(text, "x.yaml", aliases).map_err(|d| d.message)?;
    serde_yaml::from_str::<T>(text).map_err(|e| e.to_string())
}

/// The limits above, in one pass over the document's events. A syntax error is left to
/// the deserializer, which meets it at the same place and reports it with its context.
pub(super) fn check(text: &str, file: &str, aliases: Aliases) -> Result<(), Diagnostic> {
    let mut walk = Walk {
        file,
        aliases,
        stack: Vec::new(),
        anchors: HashMap::new(),
        nodes: 0,
        expanded: 0,
    };
    let mut parser = events::Parser::new(text.as_bytes());
    loop {
        match parser.next(|event, mark| walk.event(event, mark)) {
            Some(Ok(true)) => {}
            Some(Ok(false)) | None => return Ok(()),
            Some(Err(diagnostic)) => return Err(diagnostic),
        }
    }
}

/// A mapping's keys so far, with their lines: a short list searched in place (most
/// mappings hold a handful of keys, and this runs for every one of them), a map once long.
#[derive(Default)]
struct Keys {
    few: Vec<(Vec<u8>, u32)>,
    many: HashMap<Vec<u8>, u32>,
}

impl Keys {
    const FEW: usize = 16;

    /// Records `key` at `line`; the line of its first occurrence if it was already there.
    fn insert(&mut self, key: &[u8], line: u32) -> Option<u32> {
        if self.many.is_empty() {
            if let Some((_, first)) = self.few.iter().find(|(k, _)| k == key) {
                return Some(*first);
            }
            if self.few.len() < Self::FEW {
                self.few.push((key.to_vec(), line));
                return None;
            }
            self.many.extend(self.few.drain(..));
        }
        match self.many.entry(key.to_vec()) {
            std::collections::hash_map::Entry::Occupied(first) => Some(*first.get()),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(line);
                None
            }
        }
    }
}

struct Frame {
    /// Keys seen so far and their lines; `None` for a sequence.
    keys: Option<Keys>,
    /// In a mapping, whether the next node is a key.
    at_key: bool,
    /// Nodes inside, aliases expanded, for an anchored collection's size.
    size: u64,
    anchor: Option<Vec<u8>>,
}

struct Walk<'a> {
    file: &'a str,
    aliases: Aliases,
    stack: Vec<Frame>,
    /// Anchor name → nodes its node expands to.
    anchors: HashMap<Vec<u8>, u64>,
    nodes: u64,
    expanded: u64,
}

impl Walk<'_> {
    /// `Ok(false)` at the end of the stream.
    fn event(&mut self, event: events::Event<'_>, mark: events::Mark) -> Result<bool, Diagnostic> {
        use events::Event;
        let error = |message: String| {
            let mut diagnostic = Diagnostic::error(self.file, Some(mark.line), message);
            diagnostic.column = Some(mark.column);
            diagnostic
        };
        let anchor = match &event {
            Event::Scalar { anchor, .. } | Event::Start { anchor, .. } => *anchor,
            _ => None,
        };
        if let Some(name) = anchor
            && self.aliases == Aliases::Refused
        {
            return Err(error(format!(
                "anchor `&{}`: anchors and aliases are not allowed in this file; write each value out",
                String::from_utf8_lossy(name)
            )));
        }
        match event {
            Event::StreamEnd => return Ok(false),
            Event::Other => {}
            Event::Scalar { value, anchor } => {
                self.node(Some(value), mark.line, &error)?;
                if let Some(name) = anchor {
                    self.anchors.insert(name.to_vec(), 1);
                }
            }
            Event::Alias(name) => {
                if self.aliases == Aliases::Refused {
                    return Err(error(format!(
                        "alias `*{}`: anchors and aliases are not allowed in this file; write each value out",
                        String::from_utf8_lossy(name)
                    )));
                }
                let size = self.anchors.get(name).copied().unwrap_or(1);
                self.expanded = self.expanded.saturating_add(size);
                if self.expanded > self.nodes.saturating_add(ALIAS_SLACK) {
                    return Err(error(
                        "aliases expand to far more than the file holds (an alias bomb?); write the content out instead".into(),
                    ));
                }
                // The alias stands for `size` nodes, one of which is counted by `node`.
                self.node(None, mark.line, &error)?;
                if let Some(parent) = self.stack.last_mut() {
                    parent.size = parent.size.saturating_add(size - 1);
                }
            }
            Event::Start { mapping, anchor } => {
                self.node(None, mark.line, &error)?;
                if self.stack.len() >= MAX_DEPTH {
                    return Err(error(format!(
                        "nesting is deeper than {MAX_DEPTH} levels; no deploycheck file needs that, so this one is refused"
                    )));
                }
                self.stack.push(Frame {
                    keys: mapping.then(Keys::default),
                    at_key: true,
                    size: 0,
                    anchor: anchor.map(<[u8]>::to_vec),
                });
            }
            Event::End => {
                if let Some(frame) = self.stack.pop() {
                    let size = frame.size + 1;
                    if let Some(parent) = self.stack.last_mut() {
                        parent.size = parent.size.saturating_add(frame.size);
                    }
                    if let Some(name) = frame.anchor {
                        self.anchors.insert(name, size);
                    }
                }
            }
        }
        Ok(true)
    }

    /// Counts a node in its parent, checking a mapping key for repeats.
    fn node(
        &mut self,
        scalar: Option<&[u8]>,
        line: u32,
        error: &dyn Fn(String) -> Diagnostic,
    ) -> Result<(), Diagnostic> {
        self.nodes += 1;
        let Some(frame) = self.stack.last_mut() else {
            return Ok(());
        };
        frame.size += 1;
        if let Some(keys) = &mut frame.keys {
            let is_key = frame.at_key;
            frame.at_key = !frame.at_key;
            if is_key
                && let Some(key) = scalar
                && let Some(first) = keys.insert(key, line)
            {
                return Err(error(format!(
                    "key `{}` appears twice in one mapping (first on line {first}); keep one",
                    String::from_utf8_lossy(key)
                )));
            }
        }
        Ok(())
    }
}

/// The YAML parser's events, one at a time. serde_yaml keeps its own parser private, so
/// this drives the same one (libyaml-rs) directly: the walk above sees exactly the events
/// the deserializer will.
mod events {
    use std::marker::PhantomData;
    use std::mem::MaybeUninit;

    use libyaml_rs as sys;

    /// 1-based line and column.
    #[derive(Debug, Clone, Copy)]
    pub struct Mark {
        pub line: u32,
        pub column: u32,
    }

    pub enum Event<'e> {
        StreamEnd,
        Scalar {
            value: &'e [u8],
            anchor: Option<&'e [u8]>,
        },
        Alias(&'e [u8]),
        Start {
            mapping: bool,
            anchor: Option<&'e [u8]>,
        },
        End,
        /// Stream and document boundaries.
        Other,
    }

    pub struct Parser<'input> {
        /// Boxed: libyaml keeps pointers into the parser, so it must not move.
        sys: Box<MaybeUninit<sys::yaml_parser_t>>,
        initialized: bool,
        done: bool,
        input: PhantomData<&'input [u8]>,
    }

    impl<'input> Parser<'input> {
        pub fn new(input: &'input [u8]) -> Parser<'input> {
            let mut sys = Box::new(MaybeUninit::<sys::yaml_parser_t>::uninit());
            let parser = sys.as_mut_ptr();
            // SAFETY: `parser` points at memory owned by the box, which outlives every
            // use; the input slice outlives the parser through the `'input` lifetime.
            let initialized = unsafe {
                let ok = !sys::yaml_parser_initialize(parser).fail;
                if ok {
                    sys::yaml_parser_set_encoding(parser, sys::YAML_UTF8_ENCODING);
                    sys::yaml_parser_set_input_string(parser, input.as_ptr(), input.len() as _);
                }
                ok
            };
            Parser {
                sys,
                initialized,
                done: !initialized,
                input: PhantomData,
            }
        }

        /// Hands the next event to `f`; `None` after the end or a syntax error.
        pub fn next<R>(&mut self, f: impl FnOnce(Event<'_>, Mark) -> R) -> Option<R> {
            if self.done {
                return None;
            }
            let mut event = MaybeUninit::<sys::yaml_event_t>::uninit();
            // SAFETY: the parser was initialized; the event is filled in by
            // `yaml_parser_parse` before it is read, and deleted once, after `f` is done
            // with the slices borrowed from it.
            unsafe {
                if sys::yaml_parser_parse(self.sys.as_mut_ptr(), event.as_mut_ptr()).fail {
                    self.done = true;
                    return None;
                }
                let raw = &*event.as_ptr();
                let mark = Mark {
                    line: u32::try_from(raw.start_mark.line + 1).unwrap_or(u32::MAX),
                    column: u32::try_from(raw.start_mark.column + 1).unwrap_or(u32::MAX),
                };
                let converted = convert(raw);
                if matches!(converted, Event::StreamEnd) {
                    self.done = true;
                }
                let result = f(converted, mark);
                sys::yaml_event_delete(event.as_mut_ptr());
                Some(result)
            }
        }
    }

    impl Drop for Parser<'_> {
        fn drop(&mut self) {
            if self.initialized {
                // SAFETY: initialized above and deleted exactly once.
                unsafe { sys::yaml_parser_delete(self.sys.as_mut_ptr()) }
            }
        }
    }

    /// SAFETY: `raw` is an event just returned by `yaml_parser_parse`.
    unsafe fn convert(raw: &sys::yaml_event_t) -> Event<'_> {
        // SAFETY: libyaml sets the union member that matches `type_`; names and values
        // are NUL-terminated (anchors) or come with their length (scalar values).
        unsafe {
            match raw.type_ {
                sys::YAML_STREAM_END_EVENT => Event::StreamEnd,
                sys::YAML_SCALAR_EVENT => {
                    let scalar = raw.data.scalar;
                    Event::Scalar {
                        value: bytes(scalar.value, scalar.length as usize),
                        anchor: name(scalar.anchor),
                    }
                }
                sys::YAML_ALIAS_EVENT => Event::Alias(name(raw.data.alias.anchor).unwrap_or(b"")),
                sys::YAML_SEQUENCE_START_EVENT => Event::Start {
                    mapping: false,
                    anchor: name(raw.data.sequence_start.anchor),
                },
                sys::YAML_MAPPING_START_EVENT => Event::Start {
                    mapping: true,
                    anchor: name(raw.data.mapping_start.anchor),
                },
                sys::YAML_SEQUENCE_END_EVENT | sys::YAML_MAPPING_END_EVENT => Event::End,
                _ => Event::Other,
            }
        }
    }

    unsafe fn bytes<'e>(pointer: *const u8, length: usize) -> &'e [u8] {
        if pointer.is_null() {
            &[]
        } else {
            // SAFETY: libyaml allocated `length` bytes at `pointer`.
            unsafe { std::slice::from_raw_parts(pointer, length) }
        }
    }

    unsafe fn name<'e>(pointer: *const u8) -> Option<&'e [u8]> {
        if pointer.is_null() {
            None
        } else {
            // SAFETY: anchor names are NUL-terminated.
            Some(unsafe { std::ffi::CStr::from_ptr(pointer.cast()) }.to_bytes())
        }
    }
}
