//! Pretty JSON, byte for byte as `serde_json::to_writer_pretty` writes it, streamed: the one
//! writer of every JSON document deploycheck prints (`show`, `validate`, `list`, `diff`,
//! `report`, `history`, `due`, `schema`).
//!
//! serde_json's pretty formatter writes an indent two spaces at a time, one write per
//! level, before every key and array value: the JSON of a 100k-item checklist is more than
//! half indentation, and those small writes were most of `show --format json`. This
//! formatter writes each line break and its indent in one piece.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{Formatter, Serializer};

/// Writes `value` as two-space-indented JSON, as `serde_json::to_writer_pretty` does.
pub(crate) fn write_json<W: Write + ?Sized, T: Serialize + ?Sized>(
    out: &mut W,
    value: &T,
) -> serde_json::Result<()> {
    let mut serializer = Serializer::with_formatter(out, Pretty::default());
    value.serialize(&mut serializer)
}

/// `,\n` and then the spaces of the deepest indent written in one piece; deeper ones
/// are written in several.
const BREAK: &[u8; 2 + 2 * 64] = &{
    let mut line = [b' '; 2 + 2 * 64];
    line[0] = b',';
    line[1] = b'\n';
    line
};

/// The state serde_json's `PrettyFormatter` keeps, with the same meaning.
#[derive(Default)]
struct Pretty {
    depth: usize,
    has_value: bool,
}

impl Pretty {
    /// A line break (after a comma unless `first`) and the indent of the current depth.
    fn new_line<W: Write + ?Sized>(&self, out: &mut W, first: bool) -> io::Result<()> {
        let start = usize::from(first);
        let mut spaces = 2 * self.depth;
        let here = spaces.min(BREAK.len() - 2);
        out.write_all(&BREAK[start..2 + here])?;
        spaces -= here;
        while spaces > 0 {
            let more = spaces.min(BREAK.len() - 2);
            out.write_all(&BREAK[2..2 + more])?;
            spaces -= more;
        }
        Ok(())
    }

    fn close<W: Write + ?Sized>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.new_line(out, true)?;
        }
        out.write_all(bracket)
    }
}

impl Formatter for Pretty {
    fn begin_array<W: Write + ?Sized>(&mut self, out: &mut W) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        out.write_all(b"[")
    }

    fn end_array<W: Write + ?Sized>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"]")
    }

    fn begin_array_value<W: Write + ?Sized>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.new_line(out, first)
    }

    fn end_array_value<W: Write + ?Sized>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: Write + ?Sized>(&mut self, out: &mut W) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        out.write_all(b"{")
    }

    fn end_object<W: Write + ?Sized>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"}")
    }

    fn begin_object_key<W: Write + ?Sized>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.new_line(out, first)
    }

    fn begin_object_value<W: Write + ?Sized>(&mut self, out: &mut W) -> io::Result<()> {
        out.write_all(b": ")
    }

    fn end_object_value<W: Write + ?Sized>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<f64>().prop_map(serde_json::Value::from),
            ".{0,12}".prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(8, 256, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
                prop::collection::vec(("[a-z\"\\\\]{0,6}", inner), 0..6).prop_map(|entries| {
                    serde_json::Value::Object(entries.into_iter().collect())
                }),
            ]
        })
    }

    fn ours(value: &impl Serialize) -> String {
        let mut out = Vec::new();
        write_json(&mut out, value).unwrap();
        String::from_utf8(out).unwrap()
    }

    proptest! {
        /// Any JSON value, nested to any depth, prints exactly as serde_json prints it.
        #[test]
        fn json_is_written_exactly_as_serde_json_writes_it(value in json_value()) {
            prop_assert_eq!(ours(&value), serde_json::to_string_pretty(&value).unwrap());
        }
    }

    #[test]
    fn deep_nesting_past_the_prepared_indent_is_written_in_full() {
        let mut value = serde_json::json!([1, {"a": []}, {}]);
        for _ in 0..150 {
            value = serde_json::json!({ "k": [value, 2] });
        }
        assert_eq!(ours(&value), serde_json::to_string_pretty(&value).unwrap());
    }
}
