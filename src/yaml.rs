//! Every YAML document deploycheck reads or writes goes through here: checklists, their
//! front matter, answers files, project settings and run records. Keeping the calls in
//! one file means the YAML library can be swapped in one place, and every input gets the
//! same limits.
//!
//! Before anything is deserialized, [`check`] walks the parser's events once, in time
//! linear in the input, and refuses:
//! - nesting deeper than [`MAX_DEPTH`]: the YAML scanner spends time in proportion to
//!   the depth for every token, so a document nested 100,000 deep took a minute; the walk
//!   stops at the first level too deep, long before that cost builds up;
//! - a key repeated within one mapping, naming the line of the second one: YAML forbids
//!   it, and deserializing into a map would silently keep the last;
//! - anchors and aliases, unless the input allows them ([`Aliases`]).

use std::collections::HashMap;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::source::Diagnostic;

#[cfg(test)]
mod properties;
mod read;
mod scalar;
mod write;

/// No deploycheck document nests deeper than this: a checklist with items sixteen
/// levels deep (the most the builder accepts) is about forty levels of YAML.
pub const MAX_DEPTH: usize = 64;

/// Whether a document may use anchors (`&name`) and aliases (`*name`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aliases {
    /// Any anchor or alias is an error. For data that programs write or that lists
    /// answers one by one (run records, answers files, settings), where an alias saves an
    /// author nothing and a flood of them costs memory far beyond the file's size.
    Refused,
    /// Allowed, as long as expanding them adds no more nodes than the document itself
    /// holds (plus a little slack): checklist authors may reuse an `environments` list,
    /// but an alias bomb stops at its first levels.
    Bounded,
}

/// Extra nodes aliases may add beyond the document's own count.
const ALIAS_SLACK: u64 = 10_000;

/// Deserializes a YAML document that may not use aliases (records, answers files,
/// settings) with deploycheck's own reader ([`read`]), which enforces the limits as it
/// goes; errors carry line and column.
pub fn from_str<T: DeserializeOwned>(text: &str, file: &str) -> Result<T, Diagnostic> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    read::from_str(text).map_err(|error| {
        let location = error.location(text);
        let mut diagnostic =
            Diagnostic::error(file, location.map(|(line, _)| line), error.message());
        diagnostic.column = location.map(|(_, column)| column);
        diagnostic
    })
}

/// As [`from_str`], choosing whether aliases are allowed: a document that may use them
/// (a checklist) is checked by [`check`] and read by serde_yaml.
pub fn from_str_with<T: DeserializeOwned>(
    text: &str,
    file: &str,
    aliases: Aliases,
) -> Result<T, Diagnostic> {
    if aliases == Aliases::Refused {
        return from_str(text, file);
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    check(text, file, aliases)?;
    serde_yaml::from_str(text).map_err(|error| {
        let location = error.location();
        let mut diagnostic = Diagnostic::error(
            file,
            location.as_ref().map(|l| l.line() as u32),
            humanize(&strip_location(&error.to_string())),
        );
        diagnostic.column = location.map(|l| l.column() as u32);
        diagnostic
    })
}

/// Writes a value as YAML with deploycheck's own writer ([`write`]): the bytes serde_yaml
/// would write, without its event machinery.
pub fn to_string<T: Serialize>(value: &T) -> Result<String, crate::Error> {
    write::to_string(value).map_err(|source| crate::Error::Serialize {
        what: "YAML",
        source: Box::new(source),
    })
}

/// The limits above, in one pass over the document's events. A syntax error is left to
/// the deserializer, which meets it at the same place and reports it with its context.
pub fn check(text: &str, file: &str, aliases: Aliases) -> Result<(), Diagnostic> {
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

fn strip_location(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) if message[at..].contains(" column ") => message[..at].to_string(),
        _ => message.to_string(),
    }
}

/// An error message without serde_yaml's own "at line L column C" (the diagnostic
/// carries the location).
pub fn message_of(error: &serde_yaml::Error) -> String {
    humanize(&strip_location(&error.to_string()))
}

fn humanize(message: &str) -> String {
    if message.contains("recursion limit exceeded") {
        "nesting is too deep (recursion limit exceeded)".to_string()
    } else if message.contains("repetition limit exceeded") {
        "too many alias expansions (an alias bomb?); write the content out instead".to_string()
    } else {
        message.to_string()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn check_ok(text: &str, aliases: Aliases) -> Result<(), String> {
        check(text, "x.yaml", aliases)
            .map_err(|d| format!("{}: {}", d.line.unwrap_or(0), d.message))
    }

    #[test]
    fn deep_nesting_is_refused_quickly_in_every_form() {
        let n = 100_000;
        let forms = [
            "[".repeat(n),
            "{a: ".repeat(n),
            "- ".repeat(n) + "x",
            format!("title: T\nphases: {}", "[{a: ".repeat(n)),
        ];
        for text in forms {
            let started = std::time::Instant::now();
            let error = check_ok(&text, Aliases::Bounded).unwrap_err();
            assert!(error.contains("deeper than 64"), "{error}");
            // Generous: the point is that it is not minutes.
            assert!(started.elapsed().as_secs() < 5);
        }
        let indented: String = (0..200).map(|i| format!("{}a:\n", " ".repeat(i))).collect();
        assert!(
            check_ok(&indented, Aliases::Bounded)
                .unwrap_err()
                .contains("deeper")
        );
    }

    #[test]
    fn nesting_up_to_the_limit_is_fine() {
        let text = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        check_ok(&text, Aliases::Refused).unwrap();
        let text = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        check_ok(&text, Aliases::Refused).unwrap_err();
    }

    #[test]
    fn repeated_keys_name_the_second_line() {
        let error = check_ok("a: 1\nb:\n  c: 1\n  c: 2\na: 3\n", Aliases::Refused).unwrap_err();
        assert_eq!(
            error,
            "4: key `c` appears twice in one mapping (first on line 3); keep one"
        );
        // The same key in different mappings, and as a value, is fine.
        check_ok("a: {x: 1}\nb: {x: a}\nc: [a, a]\n", Aliases::Refused).unwrap();
        check_ok("{a: 1, b: 2}", Aliases::Refused).unwrap();
        assert!(check_ok("{a: 1, a: 2}", Aliases::Refused).is_err());
    }

    #[test]
    fn repeated_keys_are_found_in_long_mappings_too() {
        let mut text: String = (0..100).map(|i| format!("k{i}: x\n")).collect();
        text.push_str("k3: y\n");
        let error = check_ok(&text, Aliases::Refused).unwrap_err();
        assert_eq!(
            error,
            "101: key `k3` appears twice in one mapping (first on line 4); keep one"
        );
        text.push_str("k100: z\n");
        check_ok(&text[..text.len() - 14], Aliases::Refused).unwrap();
    }

    #[test]
    fn aliases_are_refused_or_bounded() {
        let text = "a: &x [1, 2]\nb: *x\n";
        let error = check_ok(text, Aliases::Refused).unwrap_err();
        assert!(error.starts_with("1: anchor `&x`"), "{error}");
        check_ok(text, Aliases::Bounded).unwrap();
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let mut previous = 'a';
        for name in 'b'..='k' {
            let refs = vec![format!("*{previous}"); 10].join(", ");
            bomb.push_str(&format!("{name}: &{name} [{refs}]\n"));
            previous = name;
        }
        let error = check_ok(&bomb, Aliases::Bounded).unwrap_err();
        assert!(error.contains("alias bomb"), "{error}");
    }

    #[test]
    fn syntax_errors_are_left_to_the_deserializer() {
        check_ok("a: [1, 2\n", Aliases::Refused).unwrap();
        let error = from_str::<serde_yaml::Value>("a: [1, 2\n", "x.yaml").unwrap_err();
        assert!(error.line.is_some());
    }

    #[test]
    fn a_byte_order_mark_is_not_a_key() {
        #[derive(serde::Deserialize)]
        struct Doc {
            phases: u32,
        }
        let doc: Doc = from_str("\u{feff}phases: 3\n", "x.yaml").unwrap();
        assert_eq!(doc.phases, 3);
    }
}
