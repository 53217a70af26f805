//! deploycheck's YAML reader and writer against serde_yaml, the general YAML library:
//! - the writer's bytes are serde_yaml's bytes, for any tree of mappings, sequences and
//!   scalars (records written before this writer existed are named by those bytes);
//! - the reader reads what serde_yaml reads from the same text: serde_yaml's own output,
//!   and the same trees written in every style a person or a tool might use;
//! - with any byte changed, dropped or added, the reader never panics, and whatever it
//!   still reads, serde_yaml (with the old limits check) reads as the same value.

use proptest::prelude::*;
use serde_yaml::{Mapping, Value};

use super::{Aliases, oracle, read, write};

fn ours(text: &str) -> Result<Value, String> {
    ours_with(text, Aliases::Refused)
}

fn ours_with(text: &str, aliases: Aliases) -> Result<Value, String> {
    read::from_str_with::<Value>(text, aliases).map_err(|e| {
        let (line, column) = e.location(text).unwrap_or((0, 0));
        format!("{line}:{column}: {}", e.message())
    })
}

/// How deploycheck read these files before its own reader: the limits walk, then serde_yaml.
fn theirs(text: &str) -> Result<Value, String> {
    oracle::theirs(text, Aliases::Refused)
}

/// Text with the characters that decide YAML styles: indicators, quotes, spaces at either
/// end, every kind of line break, tabs, control characters, non-ASCII, and words that
/// read as null, booleans or numbers.
fn text() -> impl Strategy<Value = String> {
    let special = prop::sample::select(vec![
        "null",
        "~",
        "true",
        "False",
        "0123",
        "1.5",
        "-7",
        "0x1F",
        ".inf",
        "1e3",
        "-",
        "- ",
        "?",
        "? x",
        ":",
        ": x",
        "a: b",
        "a:b",
        "#",
        "a #b",
        "a#b",
        "---",
        "...",
        "--- x",
        "'",
        "\"",
        "''",
        "\\",
        "|",
        ">",
        "&a",
        "*a",
        "!t",
        "%",
        "@",
        "`",
        "[",
        "]",
        "{",
        "}",
        ",",
        "é",
        "日本",
        "😀",
        "\u{a0}",
        "\u{feff}",
        "\u{85}",
        "\u{2028}",
        "\u{2029}",
        "\t",
        "\r",
        "\r\n",
        "\n",
        "\n\n",
        " ",
        "  ",
        "\u{0}",
        "\u{7}",
        "\u{1b}",
        "\u{7f}",
        "\u{9f}",
        "\u{ffff}",
        "\u{fffe}",
        "\u{d7ff}",
        "\u{e000}",
        "\u{10000}",
    ])
    .prop_map(String::from);
    let atom = prop_oneof![
        3 => "[a-zA-Z0-9 ]{0,12}",
        3 => special,
        1 => any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(atom, 0..5).prop_map(|parts| parts.concat())
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => text(),
        // What the reader's simple-key scan takes: the keys of records and answers files.
        3 => "[a-zA-Z0-9][a-zA-Z0-9_./-]{0,15}",
        1 => "[a-z]{120,140}",
        1 => "[a-z ]{1020,1030}",
    ]
}

fn tree() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => any::<i64>().prop_map(|n| Value::Number(n.into())),
        1 => any::<u64>().prop_map(|n| Value::Number(n.into())),
        1 => (-1e12f64..1e12).prop_map(|f| Value::Number(f.into())),
        6 => text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Sequence),
            prop::collection::vec((key(), inner), 0..6).prop_map(|entries| {
                Value::Mapping(
                    entries
                        .into_iter()
                        .map(|(k, v)| (Value::String(k), v))
                        .collect::<Mapping>(),
                )
            }),
        ]
    })
}

/// A small deterministic random source for the restyler, seeded by proptest.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, sides: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % sides
    }

    fn chance(&mut self, one_in: u64) -> bool {
        self.roll(one_in) == 0
    }
}

fn is_printable(c: char) -> bool {
    matches!(c, '\n' | ' '..='~' | '\u{a0}'..='\u{d7ff}' | '\u{10000}'..)
        || matches!(c, '\u{e000}'..='\u{fffd}') && c != '\u{feff}'
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// Writes the same tree in styles chosen by the dice: indentation from one to four spaces,
/// indented or flush sequences, flow collections, every scalar style that can hold the
/// text, folded lines, escapes, explicit keys, comments, blank lines, `---` and `...`.
struct Restyler {
    dice: Dice,
    out: String,
    /// The last thing written was a `|+` block scalar, which keeps blank lines after it.
    kept: bool,
}

impl Restyler {
    fn new(seed: u64) -> Restyler {
        Restyler {
            dice: Dice(seed | 1),
            out: String::new(),
            kept: false,
        }
    }

    fn document(seed: u64, value: &Value) -> String {
        let mut r = Restyler::new(seed);
        if r.dice.chance(4) {
            r.out.push_str("# a comment before the document\n");
        }
        if r.dice.chance(3) {
            r.out.push_str("---\n");
        }
        r.block(value, 0, true);
        if !r.out.ends_with('\n') {
            r.out.push('\n');
        }
        // libyaml takes `...` only after a document, and an empty one needs its `---`.
        if r.dice.chance(5) && (!value.is_null() || r.out.contains("---")) {
            r.out.push_str("...\n");
        }
        if r.dice.chance(5) {
            r.out.push_str("# the end\n");
        }
        if r.dice.chance(4) {
            r.out = r.out.replace('\n', "\r\n");
        }
        r.out
    }

    /// A document whose `defs` anchor the values given and whose `uses` name them with
    /// aliases (`uses` of them, each in one of the places an alias can stand): as a
    /// mapping's value, a block or flow sequence's entry, a flow mapping's value, and
    /// inside an anchored node that is itself aliased.
    fn aliased(seed: u64, defs: &[Value], uses: usize) -> String {
        let mut r = Restyler::new(seed);
        let mut names: Vec<String> = Vec::new();
        r.out.push_str("defs:\n");
        for (i, def) in defs.iter().enumerate() {
            let name = format!("d{i}");
            r.out.push_str("  - &");
            r.out.push_str(&name);
            match def {
                _ if is_filled_collection(def) => {
                    r.end_line();
                    let indent = 3 + r.dice.roll(3) as usize;
                    r.block(def, indent, true);
                }
                Value::String(s) => {
                    r.out.push(' ');
                    r.scalar_value(s, 2, true);
                }
                _ => {
                    let text = r.flow(def, 4);
                    r.out.push(' ');
                    r.out.push_str(&text);
                    r.end_line();
                }
            }
            names.push(name);
        }
        r.out.push_str("uses:\n");
        for i in 0..uses {
            let pick = |r: &mut Restyler| names[r.dice.roll(names.len() as u64) as usize].clone();
            let (a, b) = (pick(&mut r), pick(&mut r));
            match r.dice.roll(5) {
                0 => r.out.push_str(&format!("  u{i}: *{a}\n")),
                1 => r
                    .out
                    .push_str(&format!("  u{i}:\n    - *{a}\n    -   *{b} # c\n")),
                2 => r.out.push_str(&format!("  u{i}: [*{a}, x, *{b} ]\n")),
                3 => r.out.push_str(&format!("  u{i}: {{k: *{a}, j: [*{b}]}}\n")),
                _ => {
                    r.out
                        .push_str(&format!("  u{i}: &n{i}\n    - *{a}\n    - {{k: *{b}}}\n"));
                    names.push(format!("n{i}"));
                }
            }
        }
        if r.dice.chance(4) {
            r.out = r.out.replace('\n', "\r\n");
        }
        r.out
    }

    fn pad(&mut self, n: usize) {
        self.out.extend(std::iter::repeat_n(' ', n));
    }

    fn maybe_comment_line(&mut self, indent: usize) {
        let kept = std::mem::take(&mut self.kept);
        match self.dice.roll(12) {
            1 | 2 if kept => {}
            0 => {
                // Not indented past the entries, or it would belong to a block scalar.
                let at = self.dice.roll(indent as u64 + 1) as usize;
                self.pad(at);
                self.out.push_str("# between entries\n");
            }
            1 => self.out.push('\n'),
            2 => {
                let n = self.dice.roll(indent as u64 + 1) as usize;
                self.pad(n);
                self.out.push('\n');
            }
            _ => {}
        }
    }

    fn end_line(&mut self) {
        if self.dice.chance(6) {
            self.out.push_str(" # after a value");
        }
        self.out.push('\n');
    }

    /// A node at the start of its own line, at column `indent`, or (`own_line` false)
    /// right after an indicator on the current line.
    fn block(&mut self, value: &Value, indent: usize, own_line: bool) {
        match value {
            Value::Sequence(items)
                if !items.is_empty() && (has_long_key(value) || !self.dice.chance(5)) =>
            {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 || own_line {
                        if i > 0 {
                            self.maybe_comment_line(indent);
                        }
                        self.pad(indent);
                    }
                    self.out.push('-');
                    self.entry(item, indent);
                }
            }
            Value::Mapping(entries)
                if !entries.is_empty() && (has_long_key(value) || !self.dice.chance(5)) =>
            {
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 || own_line {
                        if i > 0 {
                            self.maybe_comment_line(indent);
                        }
                        self.pad(indent);
                    }
                    let k = k.as_str().expect("string keys");
                    if k.chars().count() > 1000 || k.contains('\n') || self.dice.chance(15) {
                        self.out.push_str("? ");
                        self.scalar_value(k, indent, true);
                        self.pad(indent);
                        self.out.push(':');
                        self.entry(v, indent);
                    } else {
                        self.key(k);
                        if self.dice.chance(10) {
                            self.out.push(' ');
                        }
                        self.out.push(':');
                        self.value(v, indent);
                    }
                }
            }
            _ => {
                // Flow style goes past the parent's column, even where a `- ` list need not.
                if own_line {
                    self.pad(indent + 1);
                }
                let text = self.flow(value, indent + 2);
                self.out.push_str(&text);
                self.end_line();
            }
        }
    }

    /// After `- ` (or an explicit `:`), at the column of the `-`.
    fn entry(&mut self, value: &Value, indent: usize) {
        let step = 1 + self.dice.roll(4) as usize;
        match value {
            Value::Sequence(s) if !s.is_empty() => {
                if self.dice.chance(2) {
                    self.out.push_str(&" ".repeat(step));
                    self.block(value, indent + 1 + step, false);
                } else {
                    self.out.push('\n');
                    self.block(value, indent + step, true);
                }
            }
            Value::Mapping(m) if !m.is_empty() => {
                if self.dice.chance(2) {
                    self.out.push_str(&" ".repeat(step));
                    self.block(value, indent + 1 + step, false);
                } else {
                    self.out.push('\n');
                    self.block(value, indent + step, true);
                }
            }
            Value::String(s) => {
                self.out.push(' ');
                self.scalar_value(s, indent, true);
            }
            _ => {
                let text = self.flow(value, indent + 2);
                self.out.push(' ');
                self.out.push_str(&text);
                self.end_line();
            }
        }
    }

    /// After `key:`, whose key is at column `indent`.
    fn value(&mut self, value: &Value, indent: usize) {
        match value {
            Value::Sequence(s) if !s.is_empty() => {
                self.end_line();
                let extra = self.dice.roll(3) as usize;
                self.block(value, indent + extra, true);
            }
            Value::Mapping(m) if !m.is_empty() => {
                self.end_line();
                let step = 1 + self.dice.roll(4) as usize;
                self.block(value, indent + step, true);
            }
            Value::String(s) => {
                self.out.push(' ');
                self.scalar_value(s, indent, false);
            }
            _ => {
                let text = self.flow(value, indent + 2);
                self.out.push(' ');
                self.out.push_str(&text);
                self.end_line();
            }
        }
    }

    fn key(&mut self, k: &str) {
        let plain_ok = plain_allowed(k, false) && k.chars().count() < 1000;
        let choice = self.dice.roll(3);
        if plain_ok && choice == 0 {
            self.out.push_str(k);
        } else if single_allowed(k) && choice == 1 {
            self.out.push_str(&single(k));
        } else {
            let text = self.double(k, false, 0);
            self.out.push_str(&text);
        }
    }

    /// A string as a block value, ending its line(s); continuation lines indented past
    /// `indent`.
    fn scalar_value(&mut self, s: &str, indent: usize, after_dash: bool) {
        // At most 9 past the parent, for an indentation digit.
        let more = indent + 1 + self.dice.roll(3) as usize;
        let _ = after_dash;
        match self.dice.roll(6) {
            0 if literal_allowed(s) => {
                self.literal(s, indent, more);
                return;
            }
            1 if folded_allowed(s) => {
                self.out.push_str(">-");
                self.end_line();
                let words: Vec<&str> = s.split(' ').collect();
                self.pad(more);
                for (i, word) in words.iter().enumerate() {
                    if i > 0 {
                        if self.dice.chance(2) {
                            self.out.push('\n');
                            self.pad(more);
                        } else {
                            self.out.push(' ');
                        }
                    }
                    self.out.push_str(word);
                }
                self.out.push('\n');
                return;
            }
            2 if plain_allowed(s, false) && folded_allowed(s) => {
                // A plain scalar folded over lines.
                for (i, word) in s.split(' ').enumerate() {
                    if i > 0 {
                        if self.dice.chance(2) {
                            self.out.push('\n');
                            self.pad(more);
                        } else {
                            self.out.push(' ');
                        }
                    }
                    self.out.push_str(word);
                }
                self.end_line();
                return;
            }
            _ => {}
        }
        let text = if plain_allowed(s, false) && self.dice.chance(2) {
            s.to_string()
        } else if single_allowed(s) && self.dice.chance(2) {
            single(s)
        } else {
            self.double(s, true, more)
        };
        self.out.push_str(&text);
        self.end_line();
    }

    /// A literal block scalar; `parent` is the enclosing collection's column, `indent`
    /// the content's (more than `parent`).
    fn literal(&mut self, s: &str, parent: usize, indent: usize) {
        let trailing = s.len() - s.trim_end_matches('\n').len();
        let chomp = match trailing {
            0 => "-",
            1 => "",
            _ => "+",
        };
        let first_line = s.split('\n').find(|l| !l.is_empty()).unwrap_or("");
        let needs_digit = first_line.starts_with(' ') || self.dice.chance(4);
        self.out.push('|');
        if needs_digit {
            self.out.push_str(&(indent - parent).to_string());
        }
        self.out.push_str(chomp);
        self.end_line();
        let body = &s[..s.len() - trailing];
        for line in body.split('\n') {
            if line.is_empty() {
                self.out.push('\n');
            } else {
                self.pad(indent);
                self.out.push_str(line);
                self.out.push('\n');
            }
        }
        for _ in 1..trailing {
            self.out.push('\n');
        }
        self.kept = chomp == "+";
    }

    /// A double-quoted string, sometimes with more escapes than needed, sometimes folded
    /// over lines (`block` and continuation lines at `indent`).
    fn double(&mut self, s: &str, block: bool, indent: usize) -> String {
        let mut out = String::from("\"");
        let chars: Vec<char> = s.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            let escape = match c {
                '"' => Some("\\\"".to_string()),
                '\\' => Some("\\\\".to_string()),
                '\n' => Some("\\n".to_string()),
                '\t' if self.dice.chance(2) => Some("\\t".to_string()),
                '\t' => None,
                c if !is_printable(c) || is_break(c) || c == '\u{feff}' => Some(match c as u32 {
                    0 => "\\0".to_string(),
                    0x85 => "\\N".to_string(),
                    0x2028 => "\\L".to_string(),
                    0x2029 => "\\P".to_string(),
                    n if n <= 0xff => format!("\\x{n:02x}"),
                    n if n <= 0xffff => format!("\\u{n:04X}"),
                    n => format!("\\U{n:08x}"),
                }),
                ' ' if self.dice.chance(10) => Some("\\ ".to_string()),
                '/' if self.dice.chance(3) => Some("\\/".to_string()),
                'é' if self.dice.chance(2) => Some("\\u00e9".to_string()),
                'A' if self.dice.chance(2) => Some("\\x41".to_string()),
                _ => None,
            };
            let blank = |c: &char| *c == ' ' || *c == '\t';
            // Fold at a single space between two non-blanks: the break reads as the space.
            if block
                && c == ' '
                && i > 0
                && !blank(&chars[i - 1])
                && chars.get(i + 1).is_some_and(|n| !blank(n))
                && self.dice.chance(4)
            {
                out.push('\n');
                out.push_str(&" ".repeat(indent));
                continue;
            }
            // An escaped line break joins the lines with nothing.
            if block && i > 0 && !blank(&c) && self.dice.chance(12) {
                out.push_str("\\\n");
                out.push_str(&" ".repeat(indent));
            }
            match escape {
                Some(e) => out.push_str(&e),
                None => out.push(c),
            }
        }
        out.push('"');
        out
    }

    /// A node in flow style (scalars, `[...]`, `{...}`), on the current line.
    fn flow(&mut self, value: &Value, indent: usize) -> String {
        match value {
            Value::Null => ["null", "~", "", "Null"][self.dice.roll(4) as usize].to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            Value::String(s) => {
                if plain_allowed(s, true) && self.dice.chance(2) {
                    s.clone()
                } else if single_allowed(s) && self.dice.chance(2) {
                    single(s)
                } else {
                    self.double(s, false, indent)
                }
            }
            Value::Sequence(items) => {
                let parts: Vec<String> = items.iter().map(|v| self.flow_entry(v, indent)).collect();
                let sep = if self.dice.chance(3) { ",\n  " } else { ", " };
                let trailing = if !parts.is_empty() && self.dice.chance(4) {
                    ","
                } else {
                    ""
                };
                format!("[{}{trailing}]", parts.join(sep))
            }
            Value::Mapping(entries) => {
                let parts: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| {
                        let k = k.as_str().expect("string keys");
                        let key = if plain_allowed(k, true)
                            && k.chars().count() < 1000
                            && self.dice.chance(2)
                        {
                            k.to_string()
                        } else {
                            self.double(k, false, indent)
                        };
                        if v.is_null() && self.dice.chance(3) {
                            return key;
                        }
                        format!("{key}: {}", self.flow_entry(v, indent))
                    })
                    .collect();
                let sep = if self.dice.chance(3) { ",\n  " } else { ", " };
                format!("{{{}}}", parts.join(sep))
            }
            Value::Tagged(_) => unreachable!("no tags generated"),
        }
    }

    fn flow_entry(&mut self, value: &Value, indent: usize) -> String {
        // An empty plain null inside brackets is written `null`, to keep entries apart.
        match self.flow(value, indent) {
            text if text.is_empty() => "null".to_string(),
            text => text,
        }
    }
}

/// A sequence or mapping with something in it, which is written as a block.
fn is_filled_collection(value: &Value) -> bool {
    match value {
        Value::Sequence(s) => !s.is_empty(),
        Value::Mapping(m) => !m.is_empty(),
        _ => false,
    }
}

/// Keys this long are written `? key`, which flow style has no room for.
fn has_long_key(value: &Value) -> bool {
    match value {
        Value::Sequence(items) => items.iter().any(has_long_key),
        Value::Mapping(entries) => entries
            .iter()
            .any(|(k, v)| k.as_str().is_some_and(|k| k.chars().count() > 1000) || has_long_key(v)),
        _ => false,
    }
}

fn single(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Text that reads back as itself without quotes, in block (`flow` false) or flow context.
fn plain_allowed(s: &str, flow: bool) -> bool {
    let analysis = write::analyze(s);
    !s.is_empty()
        && !super::scalar::needs_quotes(s)
        && if flow {
            analysis.flow_plain_allowed
        } else {
            analysis.block_plain_allowed
        }
}

/// Single quotes hold printable text on one line.
fn single_allowed(s: &str) -> bool {
    s.chars()
        .all(|c| (is_printable(c) || c == '\t') && !is_break(c))
}

fn literal_allowed(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| (is_printable(c) || c == '\t') && !matches!(c, '\r' | '\u{85}' | '\u{2028}' | '\u{2029}'))
        && !s.trim_end_matches('\n').is_empty()
        && !s.split('\n').any(|l| l.starts_with('\t') || l.trim_start_matches(' ').starts_with('\t'))
        // A first line that is only spaces cannot fix the indentation.
        && !s.split('\n').next().is_some_and(|l| !l.is_empty() && l.trim().is_empty())
}

fn folded_allowed(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(' ')
        && !s.ends_with(' ')
        && !s.contains("  ")
        && s.chars()
            .all(|c| is_printable(c) && !is_break(c) && c != '\t')
        && !s.starts_with('#')
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn the_writer_writes_serde_yaml_bytes(value in tree()) {
        let expected = serde_yaml::to_string(&value).unwrap();
        prop_assert_eq!(write::to_string(&value).unwrap(), expected);
    }

    #[test]
    fn the_reader_reads_serde_yaml_output_as_serde_yaml_does(value in tree()) {
        let text = serde_yaml::to_string(&value).unwrap();
        let theirs = theirs(&text);
        prop_assert_eq!(ours(&text), theirs.clone(), "{}", text);
        prop_assert_eq!(theirs, Ok(value));
    }

    #[test]
    fn the_reader_reads_every_style_as_serde_yaml_does(value in tree(), seed in any::<u64>()) {
        let text = Restyler::document(seed, &value);
        let theirs = theirs(&text);
        prop_assert_eq!(&theirs, &Ok(value), "the restyler wrote something else:\n{}", text);
        prop_assert_eq!(ours(&text), theirs, "{}", text);
    }

    /// Damaged text: no panic; whatever still reads, reads as serde_yaml reads it.
    #[test]
    fn damaged_text_never_panics_and_never_reads_differently(
        value in tree(),
        seed in any::<u64>(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..6, prop::sample::select(vec![
            b' ', b'\t', b'\n', b'\r', b'-', b':', b'?', b'#', b'\'', b'"', b'\\', b'[', b']', b'{', b'}',
            b',', b'|', b'>', b'&', b'*', b'!', b'%', b'a', b'0', b'.',
        ])), 1..4),
    ) {
        let mut bytes = Restyler::document(seed, &value).into_bytes();
        damage(&mut bytes, edits);
        let Ok(text) = std::str::from_utf8(&bytes) else { return Ok(()) };
        if let Ok(value) = ours(text) {
            prop_assert_eq!(theirs(text), Ok(value), "{}", text);
        }
    }

    #[test]
    fn the_reader_reads_anchors_and_aliases_as_serde_yaml_does(
        defs in prop::collection::vec(tree(), 1..5),
        uses in 1usize..6,
        seed in any::<u64>(),
    ) {
        let text = Restyler::aliased(seed, &defs, uses);
        let theirs = oracle::theirs::<Value>(&text, Aliases::Bounded);
        prop_assert!(theirs.is_ok(), "serde_yaml refused what the test wrote: {:?}\n{}", theirs, text);
        prop_assert_eq!(ours_with(&text, Aliases::Bounded), theirs, "{}", text);
    }

    /// The same with damage: no panic, and whatever still reads, reads as serde_yaml.
    #[test]
    fn damaged_anchors_and_aliases_never_read_differently(
        defs in prop::collection::vec(tree(), 1..4),
        uses in 1usize..5,
        seed in any::<u64>(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..4, prop::sample::select(vec![
            b' ', b'\n', b'-', b':', b'#', b'[', b']', b'{', b'}', b',', b'&', b'*', b'!', b'a', b'0',
        ])), 1..4),
    ) {
        let mut bytes = Restyler::aliased(seed, &defs, uses).into_bytes();
        damage(&mut bytes, edits);
        let Ok(text) = std::str::from_utf8(&bytes) else { return Ok(()) };
        // serde_yaml mistakes which node a name means once it is anchored twice (below).
        if anchors_named_twice(text) {
            return Ok(());
        }
        if let Ok(value) = ours_with(text, Aliases::Bounded) {
            prop_assert_eq!(oracle::theirs(text, Aliases::Bounded), Ok(value), "{}", text);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_reader(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(text) = std::str::from_utf8(&bytes)
            && let Ok(value) = ours(text)
        {
            prop_assert_eq!(theirs(text), Ok(value), "{:?}", text);
        }
    }
}

/// Anchors and aliases where a checklist may use them: what serde_yaml reads, read the
/// same; what it refuses, refused; and what this reader does not take, said plainly.
#[test]
fn anchors_and_aliases_read_as_serde_yaml_reads_them() {
    for text in [
        "a: &d\n  x: 1\nb: [*d, *d]\n",
        "- &a\n- *a\n",
        "a: &b\nc: *b\n",
        "? &a k\n: v\n",
        "{&a k: v, j: *a}\n",
        "a: &s |\n  text\nb: [*s, *s]\n",
        "a: &q 'one: two'\nb: *q # a comment\n",
        "- &l\n  - 1\n  - 2\n- *l\n",
        "env: &e [staging, production]\nphases:\n  - {title: A, environments: *e}\n",
    ] {
        let theirs = oracle::theirs::<Value>(text, Aliases::Bounded);
        assert!(theirs.is_ok(), "{text:?}: {theirs:?}");
        assert_eq!(ours_with(text, Aliases::Bounded), theirs, "{text:?}");
    }
    for (text, said) in [
        ("a: &x &y 1\n", "1:7: a second anchor on one node"),
        (
            "a: &x [*x]\n",
            "1:8: alias `*x` is inside the node `&x` names",
        ),
        (
            "a: &x\n  b: [*x]\n",
            "2:7: alias `*x` is inside the node `&x` names",
        ),
        ("a: *b\n", "1:4: alias `*b` names no anchor before it"),
        ("- &a - x\n", "1:6: block sequence entries are not allowed"),
        ("a: &x *y\n", "1:7: an alias cannot have an anchor"),
        ("a: & x\n", "1:4: `&` must be followed by a name"),
        ("a: &x{1}\n", "1:4: `&` must be followed by a name"),
    ] {
        let error = ours_with(text, Aliases::Bounded).unwrap_err();
        assert!(error.starts_with(said), "{text:?}: {error}");
        assert!(
            oracle::theirs::<Value>(text, Aliases::Bounded).is_err(),
            "{text:?}"
        );
    }
    // serde_yaml takes an anchor on a key, and `<<` as a plain key; this reader says it
    // does not.
    for (text, said) in [
        (
            "a: &d {x: 1}\nb:\n  <<: *d\n  y: 2\n",
            "3:3: merge keys (`<<: *name`) are not supported",
        ),
        ("- &a x: 1\n", "1:3: `&a` on a key"),
        ("a:\n  &k x: 1\n", "2:3: `&k` on a key"),
        ("a: {k: 1}\n*k : 2\n", "2:1: `*k` on a key"),
    ] {
        let error = ours_with(text, Aliases::Bounded).unwrap_err();
        assert!(error.starts_with(said), "{text:?}: {error}");
    }
    // A tab separates an anchor from its node, as libyaml reads it.
    for text in ["- &a\tx\n- *a\n", "&a\t[1]\n"] {
        assert_eq!(
            ours_with(text, Aliases::Bounded),
            oracle::theirs::<Value>(text, Aliases::Bounded),
            "{text:?}"
        );
    }
    let error = ours_with("a: &x 1\nb: *x\n", Aliases::Refused).unwrap_err();
    assert!(
        error.starts_with("1:4: anchor `&x`: anchors and aliases are not allowed in this file"),
        "{error}"
    );
}

/// An alias inside a node that is read again for another alias means what it meant
/// where it is written, and anchors met while reading a node again are not new.
#[test]
fn an_alias_means_the_node_its_name_had_where_it_is_written() {
    let read = |text: &str| ours_with(text, Aliases::Bounded);
    let expected = |text: &str| serde_yaml::from_str::<Value>(text).map_err(|e| e.to_string());
    assert_eq!(
        read("a: &y 1\nb: &x [*y]\nc: &y 2\nd: *x\n"),
        expected("a: 1\nb: [1]\nc: 2\nd: [1]\n")
    );
    assert_eq!(
        read("a: &x [&y 1]\nb: &y 2\nc: *x\nd: *y\n"),
        expected("a: [1]\nb: 2\nc: [1]\nd: 2\n")
    );
}

/// A node padded with comments or blank lines costs its length at every alias: what
/// aliases read again is bounded by the file's length too, not only by its nodes.
#[test]
fn aliases_of_a_padded_node_stop_at_the_files_length() {
    let mut text = String::from("e: &e\n");
    for _ in 0..10_000 {
        text.push_str("  # padding padding padding padding padding padding padding\n");
    }
    text.push_str("  - x\n");
    for i in 0..200 {
        text.push_str(&format!("k{i}: *e\n"));
    }
    let error = ours_with(&text, Aliases::Bounded).unwrap_err();
    assert!(error.contains("alias bomb"), "{error}");
    // A few aliases of the same node are fine.
    let few: String = text
        .lines()
        .take(10_006)
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(ours_with(&few, Aliases::Bounded).is_ok());
}

/// Applies `edits` to `bytes`, each at a place chosen by its index: 0 replaces a byte, 1
/// drops one, 2 inserts one, 3 cuts the text off there, 4 inserts a line break and an
/// indent, 5 drops three bytes.
fn damage(bytes: &mut Vec<u8>, edits: Vec<(prop::sample::Index, u8, u8)>) {
    for (at, kind, byte) in edits {
        if bytes.is_empty() {
            break;
        }
        let at = at.index(bytes.len());
        match kind {
            0 => bytes[at] = byte,
            1 => {
                bytes.remove(at);
            }
            2 => bytes.insert(at, byte),
            3 => bytes.truncate(at),
            4 => {
                bytes.splice(at..at, b"\n  ".iter().copied());
            }
            _ => {
                let end = (at + 3).min(bytes.len());
                bytes.drain(at..end);
            }
        }
    }
}

/// Whether some `&name` appears twice in `text`.
fn anchors_named_twice(text: &str) -> bool {
    let mut seen = std::collections::HashSet::new();
    text.split('&').skip(1).any(|rest| {
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
            .collect();
        !name.is_empty() && !seen.insert(name)
    })
}

/// A name anchored twice means the later node from there on, as YAML says. serde_yaml
/// agrees in the simple case, and not where the later node is an empty one inside
/// `{...}` and another anchored node follows: there it reads the alias as that one.
#[test]
fn a_name_anchored_again_means_the_later_node() {
    let text = "a: &x 1\nb: *x\nc: &x [2]\nd: *x\n";
    let expected = serde_yaml::from_str::<Value>("a: 1\nb: 1\nc: [2]\nd: [2]\n").unwrap();
    assert_eq!(ours_with(text, Aliases::Bounded), Ok(expected.clone()));
    assert_eq!(oracle::theirs(text, Aliases::Bounded), Ok(expected));
    let text = "d: &d1 []\nu0: &n0\n  - {k: &d1}\nu1: &n1\n  - {k: 1}\nu2: *d1\nu3: *n1\n";
    let read = ours_with(text, Aliases::Bounded).unwrap();
    assert_eq!(read["u2"], Value::Null);
    let theirs = oracle::theirs::<Value>(text, Aliases::Bounded).unwrap();
    assert_ne!(
        theirs["u2"],
        Value::Null,
        "serde_yaml now reads this right: drop the skip in the damaged-alias test"
    );
}

/// Inputs worth pinning one by one: each reads as serde_yaml reads it.
#[test]
fn examples_read_as_serde_yaml_reads_them() {
    for text in [
        "key:\tvalue",
        "key: value\t# c",
        "a: 1\n  \t\nb: 2",
        "a: 'v'\t# c",
        "a: \"x\"#c",
        "--- a",
        "--- |\n  x",
        "a: 1\n...\n",
        "{a: b, c}",
        "{a:b}",
        "a:\n- 1\n- 2",
        "? a\n: b",
        "? |\n  x\n: b",
        "a: b\n  c",
        "a: x\u{2028}  y",
        "a: 'x\u{2028}  y'",
        "a: \u{feff}b",
        "- - a\n  - b",
        "a:\n  - b\n  - c",
        "a: b #c\nd: e",
        "a: |2-\n   x\n  y\n",
        "a: >\n  folded\n  text\n\n  para\n   more\n  back\n",
        "a: |+\n  keep\n\n\nb: 1",
        "a: \"esc \\x41\\u00e9\\U0001F600 \\N\\_\\L\\P\\/\\ \\t\\\t\"",
        "a: \"fold\n  ed\n\n  x \\\n  y\"",
        "a: 'fold\n  ed\n\n  x'",
        "\"quoted key\": 1\n'single': 2",
        "a:\n\n  # comment\n\n  b: 1\n",
        "a: [1, [2, {b: c}], 'x', \"y\",]",
        "a: {b: [c, d], e: }",
        "a: [\n  1,\n  2\n]",
        "- \n  a\n-\n  - b",
        "a: plain\n\n  continued\n",
        "a:    spaced   words   \n",
        "root scalar",
        "",
        "# only a comment\n",
        "---\n",
        "a: 1\r\nb:\r\n  - c\r\n",
        "a: -1\nb: 0x1F\nc: 1e3\nd: .inf\ne: ~\nf: 0123\ng: +1\n",
        "x: ''\ny: \"\"\nz:\n",
        // Keys at the edges of the simple-key scan: every character it takes, keys that
        // look like numbers, a `:` before a tab, CR, the end of the text or more text.
        "a_b-c.d/e: 1\nn/a: 2\n0123: x\nA9: y\n",
        "k:\n  v: 1\n  w:\n    - x\n",
        "k:\tv\nl:\r\n  - a\r\n",
        "k: v\nl:",
        "k: v\nl:x: y",
        "k: v\nk2#: 1\nk3.: 2\n",
        "k/: v\nk- : w\n",
        "a: 1\n\u{e9}t\u{e9}: 2\n",
        // Values at the edges of the simple-value scan: a `:` or a space before more
        // text, before a blank, a `#` or the line's end; the line after deeper, blank, a
        // comment, a tab, a marker, non-ASCII, or the end of the text.
        "a: b c:d e\nf: 2026-11-23T22:00:03+00:00\n",
        "a: b :c\nd: e\n",
        "a: b  c\nd: e\n",
        "a: b #c\nd: e\n",
        "a: b#c\nd: e\n",
        "a: b \nd: e\n",
        "a: b\n  c\nd: e\n",
        "a: b\n\nd: e\n",
        "a: b\n# c\nd: e\n",
        "a: b\n...\n",
        "a: b\n\u{e9}: e\n",
        "a: b\r\nd: e\n",
        "a: b",
        "a: b\n",
        "a: b\n  ",
        "k:\n  - x y\n  - z\nw: 1\n",
        "- a b\n- c: d\n",
        "a:\n  b: c d\ne: f\n",
        "0: 1a\n1: true\n2: null\n3: 0x1F\n",
    ] {
        assert_eq!(ours(text), theirs(text), "{text:?}");
    }
    // And values the simple-value scan leaves to the general path, which refuses them as
    // serde_yaml does: a key inside a value, a tab as indentation, a second document.
    for text in [
        "a: b:\nd: e\n",
        "a: b: c\nd: e\n",
        "a: b\n    c: d\n",
        "a: b\n\td: e\n",
        "a: b\n---\nc\n",
    ] {
        assert!(ours(text).is_err() && theirs(text).is_err(), "{text:?}");
    }
}

/// A simple key may be 1024 characters long, however it is read.
#[test]
fn a_simple_key_is_at_most_1024_characters() {
    let longest = format!("{}: 1\n", "k".repeat(1024));
    assert_eq!(ours(&longest), theirs(&longest));
    let longer = format!("{}: 1\n", "k".repeat(1025));
    let error = ours(&longer).unwrap_err();
    assert!(
        error.starts_with("1:1: a key longer than 1024 characters"),
        "{error}"
    );
}

/// What this reader refuses, with where and why; serde_yaml refuses the same or is more
/// lenient (aliases, tags and `[key: value]` are outside what deploycheck files use).
#[test]
fn refusals_name_the_line_and_column() {
    for (text, expected) in [
        (
            "a: &x 1\n",
            "1:4: anchor `&x`: anchors and aliases are not allowed in this file; write each value out",
        ),
        (
            "a: 1\nb: *x\n",
            "2:4: alias `*x`: anchors and aliases are not allowed in this file; write each value out",
        ),
        (
            "a: !!str 1\n",
            "1:4: tag `!!str`: tags are not supported in this file; write the value without it (quoted, if it is text that looks like a number)",
        ),
        (
            "a: 1\nb:\n  c: 1\n  c: 2\n",
            "4:3: key `c` appears twice in one mapping (first on line 3); keep one",
        ),
        (
            "{a: 1, a: 2}",
            "1:8: key `a` appears twice in one mapping (first on line 1); keep one",
        ),
        (
            "a: [b: c]",
            "1:6: a `key: value` pair inside `[...]` is not supported; write `{key: value}`",
        ),
        (
            "a: 1\n---\nb: 2\n",
            "2:1: a second YAML document starts here, and a file holds one; remove the `---` or `...` line, or put what follows in a file of its own",
        ),
        (
            "%YAML 1.1\n---\na: 1\n",
            "1:1: directives (`%YAML`, `%TAG`) are not supported in this file; remove the line",
        ),
        (
            "a:\n\tb: 1\n",
            "2:1: a tab character in the indentation; YAML indents with spaces only",
        ),
        (
            "- \tx\n",
            "1:3: a tab character after `-`, `?` or `:`; use spaces",
        ),
        (
            "a: 'open\n",
            "1:4: the file ends inside the quoted value that starts here; close the quote",
        ),
        (
            "a: b: c\n",
            "1:5: mapping values are not allowed in this context (a `key: value` inside a value? quote the value)",
        ),
        (
            "a: - b\n",
            "1:4: block sequence entries are not allowed in this context (a `- ` after `key:` must go on the next line)",
        ),
        (
            "a: 1\n  b: 2\n",
            "2:4: mapping values are not allowed in this context (a `key: value` inside a value? quote the value)",
        ),
        (
            "a:\n  b: 1\n   c: 2\n",
            "3:5: mapping values are not allowed in this context (a `key: value` inside a value? quote the value)",
        ),
        (
            "a:\n  b: '1'\n   c: 2\n",
            "3:4: this line is indented more than the keys before it; align it with them, or quote a value that goes on over several lines",
        ),
        (
            "a:\n  - b: 1\n    c: 2\n   - d\n",
            "4:4: this line starts at column 4, between the levels above it (columns 3 and 5); align it with the one it belongs to",
        ),
        (
            "a:\n    - b\n  - c\n",
            "3:3: this line starts at column 3, between the levels above it (columns 1 and 5); align it with the one it belongs to",
        ),
        (
            "a: \"\\q\"\n",
            "1:5: unknown escape in a double-quoted value; write a backslash as `\\\\`",
        ),
        (
            "a: \"\\uD800\"\n",
            "1:5: `\\uD800` is not a Unicode character",
        ),
        (
            "a: b\u{1}\n",
            "1:5: control character U+0001 is not allowed in YAML; remove it, or write it as an escape inside double quotes",
        ),
    ] {
        let got = ours(text).unwrap_err();
        assert_eq!(got, expected, "{text:?}");
        // serde_yaml takes aliases, tags, `[key: value]` and directives; deploycheck's
        // files have no use for them.
        assert!(
            theirs(text).is_err() || text.contains(['[', '!', '%']),
            "{text:?}"
        );
    }
}

#[test]
fn nesting_is_limited_in_every_form() {
    let n = 100_000;
    for text in [
        "[".repeat(n),
        "{a: ".repeat(n),
        "- ".repeat(n) + "x",
        (0..200)
            .map(|i| format!("{}a:\n", " ".repeat(i)))
            .collect::<String>(),
    ] {
        let error = ours(&text).unwrap_err();
        assert!(
            error.contains("nesting is deeper than 64 levels"),
            "{error}"
        );
    }
    let ok = "[".repeat(super::MAX_DEPTH) + &"]".repeat(super::MAX_DEPTH);
    ours(&ok).unwrap();
    let deep = "[".repeat(super::MAX_DEPTH + 1) + &"]".repeat(super::MAX_DEPTH + 1);
    ours(&deep).unwrap_err();
}

/// As before this reader, when the limits were checked over the whole text first.
#[test]
fn a_broken_limit_is_reported_before_a_type_error() {
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Settings {
        environments: std::collections::BTreeMap<String, Vec<String>>,
        other: u32,
    }
    let deep = format!("environments: {}", "[".repeat(100_000));
    let error = read::from_str::<Settings>(&deep).unwrap_err();
    assert!(
        error.message().contains("nesting is deeper than 64 levels"),
        "{error}"
    );
    let repeated = "other: x\nenvironments: {}\nother: 2\n";
    let error = read::from_str::<Settings>(repeated).unwrap_err();
    assert_eq!(
        error.message(),
        "key `other` appears twice in one mapping (first on line 1); keep one"
    );
    // A syntax error before the broken limit stops the untyped reading too.
    let error = read::from_str::<Settings>("other: x\nenvironments: {\n'open\n&a x").unwrap_err();
    assert_eq!(
        error.message(),
        "other: invalid type: string \"x\", expected u32"
    );
}

#[test]
fn a_long_mapping_still_finds_a_repeated_key() {
    let mut text: String = (0..100).map(|i| format!("k{i}: x\n")).collect();
    text.push_str("k3: y\n");
    assert_eq!(
        ours(&text).unwrap_err(),
        "101:1: key `k3` appears twice in one mapping (first on line 4); keep one"
    );
}

#[test]
fn type_errors_name_the_path_and_the_value() {
    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Item {
        done: bool,
        count: u32,
    }
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Doc {
        items: Vec<Item>,
    }
    let cases = [
        (
            "items:\n- done: yes\n  count: 1\n",
            "2:9: items[0].done: invalid type: string \"yes\", expected a boolean",
        ),
        (
            "items:\n- done: true\n  count: '1'\n",
            "3:10: items[0].count: invalid type: string \"1\", expected u32",
        ),
        (
            "items:\n- done: true\n  count: 1\n  extra: 2\n",
            "4:3: items[0]: unknown field `extra`, expected `done` or `count`",
        ),
        (
            "items:\n- done: true\n",
            "2:3: items[0]: missing field `count`",
        ),
        (
            "items: 3\n",
            "1:8: items: invalid type: integer `3`, expected a sequence",
        ),
    ];
    for (text, expected) in cases {
        let error = read::from_str::<Doc>(text).unwrap_err();
        let (line, column) = error.location(text).unwrap();
        assert_eq!(format!("{line}:{column}: {}", error.message()), expected);
        let theirs = serde_yaml::from_str::<Doc>(text).unwrap_err().to_string();
        assert!(
            theirs.starts_with(expected.split_once(": ").unwrap().1),
            "{theirs}"
        );
    }
}
