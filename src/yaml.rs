//! Every YAML document deploycheck reads or writes goes through here: checklists, their
//! front matter, answers files, project settings and run records. Keeping the calls in
//! one file means every input gets the same limits, and one reader ([`read`]) and one
//! writer ([`write`]) serve them all.
//!
//! The reader enforces the limits in the one pass that reads a document, in time linear
//! in the input, and refuses:
//! - nesting deeper than [`MAX_DEPTH`];
//! - a key repeated within one mapping, naming the line of the first one: YAML forbids
//!   it, and deserializing into a map would silently keep the last;
//! - anchors and aliases, unless the input allows them ([`Aliases`]).
//!
//! Both agree with serde_yaml, the general YAML library, by property tests
//! (`properties`) against it.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::source::Diagnostic;

#[cfg(test)]
mod oracle;
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
    /// holds (plus a little slack), and reads again no more than four times its bytes
    /// (plus a megabyte): checklist authors may reuse an `environments` list, but an
    /// alias bomb stops at its first levels, and reading stays linear in the file.
    Bounded,
}

/// Extra nodes aliases may add beyond the document's own count.
const ALIAS_SLACK: u64 = 10_000;

/// Deserializes a YAML document that may not use aliases (records, answers files,
/// settings) with deploycheck's own reader ([`read`]), which enforces the limits as it
/// goes; errors carry line and column.
pub fn from_str<T: DeserializeOwned>(text: &str, file: &str) -> Result<T, Diagnostic> {
    from_str_with(text, file, Aliases::Refused)
}

/// As [`from_str`], choosing whether the document may use anchors and aliases: a
/// checklist may, within [`Aliases::Bounded`].
pub fn from_str_with<T: DeserializeOwned>(
    text: &str,
    file: &str,
    aliases: Aliases,
) -> Result<T, Diagnostic> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    read::from_str_with(text, aliases).map_err(|error| {
        let location = error.location(text);
        let mut diagnostic =
            Diagnostic::error(file, location.map(|(line, _)| line), error.message());
        diagnostic.column = location.map(|(_, column)| column);
        diagnostic
    })
}

/// A value with the line it is written on in the text it was read from, so that a
/// checklist's messages can point at the phase, section or item they are about, whatever
/// style the author wrote it in (block, flow, folded). A value an alias stands for is at
/// the alias's line (that is where it is written); an empty value, at its key's line.
///
/// Only deploycheck's reader knows lines: it answers the request for a struct named
/// [`LINED`] with the line, then the value. Any other deserializer is asked for that
/// struct and gives an error.
#[derive(Debug)]
pub struct Lined<T> {
    pub line: u32,
    pub value: T,
}

/// A line is the reader's knowledge, not the author's: a schema describes the value alone.
impl<T: schemars::JsonSchema> schemars::JsonSchema for Lined<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        T::schema_id()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

/// The struct name the reader answers with a line and a value (see [`Lined`]).
const LINED: &str = "$deploycheck::yaml::Lined";

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Lined<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::{Error, IgnoredAny, MapAccess, Visitor};
        struct Read<T>(std::marker::PhantomData<T>);
        impl<'de, T: serde::Deserialize<'de>> Visitor<'de> for Read<T> {
            type Value = Lined<T>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a value read by deploycheck's YAML reader")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Lined<T>, A::Error> {
                // The reader hands exactly two entries, the line first.
                let missing = || A::Error::custom("a line and a value from the YAML reader");
                map.next_key::<IgnoredAny>()?.ok_or_else(missing)?;
                let line = map.next_value()?;
                map.next_key::<IgnoredAny>()?.ok_or_else(missing)?;
                let value = map.next_value()?;
                Ok(Lined { line, value })
            }
        }
        deserializer.deserialize_struct(LINED, &["line", "value"], Read(std::marker::PhantomData))
    }
}

/// Writes a value as YAML with deploycheck's own writer ([`write`]): the bytes serde_yaml
/// would write, without its event machinery.
pub fn to_string<T: Serialize>(value: &T) -> Result<String, crate::Error> {
    write::to_string(value).map_err(|source| crate::Error::Serialize {
        what: "YAML",
        source: Box::new(source),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_ok(text: &str, aliases: Aliases) -> Result<(), String> {
        from_str_with::<serde::de::IgnoredAny>(text, "x.yaml", aliases)
            .map(drop)
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
    fn syntax_errors_name_the_line_and_column() {
        for aliases in [Aliases::Refused, Aliases::Bounded] {
            let error = from_str_with::<serde::de::IgnoredAny>("a: [1, 2\n", "x.yaml", aliases)
                .unwrap_err();
            assert!(error.line.is_some() && error.column.is_some(), "{error:?}");
        }
    }

    #[test]
    fn lined_values_carry_the_line_their_node_starts_on_in_every_style() {
        #[derive(serde::Deserialize)]
        struct Item {
            text: Lined<String>,
            #[serde(default)]
            after: Option<String>,
        }
        #[derive(serde::Deserialize)]
        struct Doc {
            items: Vec<Item>,
            more: Vec<Item>,
        }
        let text = "items:\n- text: block\n- {text: flow, after: x}\n- text: >-\n    folded\n    text\n  after: y\n- &reused\n  text: anchored\n  after: z\nmore:\n- *reused\n- text:\n    'below its key'\n";
        let doc: Doc = from_str_with(text, "x.yaml", Aliases::Bounded).unwrap();
        let seen = |items: &[Item]| -> Vec<(u32, String, Option<String>)> {
            items
                .iter()
                .map(|i| (i.text.line, i.text.value.clone(), i.after.clone()))
                .collect()
        };
        let entry = |line, text: &str, after: Option<&str>| {
            (line, text.to_string(), after.map(str::to_string))
        };
        assert_eq!(
            seen(&doc.items),
            [
                entry(2, "block", None),
                entry(3, "flow", Some("x")),
                entry(4, "folded text", Some("y")),
                entry(9, "anchored", Some("z")),
            ]
        );
        // An alias's value is at the alias's line, and reading goes on after the alias.
        assert_eq!(
            seen(&doc.more),
            [
                entry(12, "anchored", Some("z")),
                entry(14, "below its key", None)
            ]
        );
    }

    #[test]
    fn a_scalar_alias_and_an_empty_value_are_at_their_own_lines() {
        #[derive(serde::Deserialize)]
        struct Doc {
            title: Lined<String>,
            items: Vec<Lined<Option<String>>>,
        }
        let text = "title: &t Scalar aliases\nitems:\n- *t\n-\n\n# a comment\n- last\n- *t\n";
        let doc: Doc = from_str_with(text, "x.yaml", Aliases::Bounded).unwrap();
        assert_eq!(doc.title.line, 1);
        let items: Vec<(u32, Option<&str>)> = doc
            .items
            .iter()
            .map(|i| (i.line, i.value.as_deref()))
            .collect();
        let title = Some("Scalar aliases");
        assert_eq!(
            items,
            [(3, title), (4, None), (7, Some("last")), (8, title)]
        );
    }

    #[test]
    fn a_wrong_lined_value_is_an_error_at_its_line_with_its_path() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)] // Only the error is looked at.
        struct Doc {
            title: Lined<String>,
        }
        let error = from_str::<Doc>("\ntitle: [a, b]\n", "x.yaml").unwrap_err();
        assert_eq!(error.line, Some(2), "{error:?}");
        assert!(
            error.message.starts_with("title: invalid type: sequence"),
            "{error:?}"
        );
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
