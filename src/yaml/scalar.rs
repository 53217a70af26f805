//! What an unquoted YAML scalar means: `null`, a boolean, a number or text. The reader
//! resolves plain scalars with this, and the writer quotes any text that would read back
//! as something else, so the two agree by construction. The rules are serde_yaml's (the
//! general YAML library the reader is tested against): `~`, `null`, `true`/`True`/`TRUE`, decimal,
//! `0x`/`0o`/`0b` integers, finite floats; `0123` is text.

use std::num::ParseIntError;

/// A plain scalar's meaning.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Resolved {
    Null,
    Bool(bool),
    U64(u64),
    I64(i64),
    U128(u128),
    I128(i128),
    F64(f64),
    Str,
}

/// A table of the bytes in `marks`, and of the ASCII letters and digits when
/// `alphanumeric`: how the reader and the writer tell, with one load a byte, which bytes a
/// plain scalar may hold or start with.
pub(super) const fn byte_set(marks: &[u8], alphanumeric: bool) -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = alphanumeric && (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    let mut i = 0;
    while i < marks.len() {
        table[marks[i] as usize] = true;
        i += 1;
    }
    table
}

pub(crate) fn resolve(text: &str) -> Resolved {
    if text.is_empty() || is_null(text) {
        return Resolved::Null;
    }
    if let Some(boolean) = parse_bool(text) {
        return Resolved::Bool(boolean);
    }
    if let Some(int) = parse_unsigned_int(text, u64::from_str_radix) {
        return Resolved::U64(int);
    }
    if let Some(int) = parse_negative_int(text, i64::from_str_radix) {
        return Resolved::I64(int);
    }
    if let Some(int) = parse_unsigned_int(text, u128::from_str_radix) {
        return Resolved::U128(int);
    }
    if let Some(int) = parse_negative_int(text, i128::from_str_radix) {
        return Resolved::I128(int);
    }
    if !digits_but_not_number(text)
        && let Some(float) = parse_f64(text)
    {
        return Resolved::F64(float);
    }
    Resolved::Str
}

/// Whether `text`, written unquoted, would read back as something other than this text.
pub(crate) fn needs_quotes(text: &str) -> bool {
    digits_but_not_number(text) || resolve(text) != Resolved::Str
}

pub(crate) fn is_null(text: &str) -> bool {
    matches!(text, "null" | "Null" | "NULL" | "~")
}

pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

type Radix<T> = fn(&str, u32) -> Result<T, ParseIntError>;

/// `0x`, `0o` and `0b` prefixes, after an optional sign already handled by the caller.
fn prefixed<T>(text: &str, from_str_radix: Radix<T>) -> Option<T> {
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(rest) = text.strip_prefix(prefix) {
            if rest.starts_with(['+', '-']) {
                return None;
            }
            if let Ok(int) = from_str_radix(rest, radix) {
                return Some(int);
            }
        }
    }
    None
}

/// A negative number with a radix prefix: `-0x1F`.
fn negative_prefixed<T>(text: &str, from_str_radix: Radix<T>) -> Option<T> {
    for (prefix, radix) in [("-0x", 16), ("-0o", 8), ("-0b", 2)] {
        if let Some(rest) = text.strip_prefix(prefix)
            && let Ok(int) = from_str_radix(&format!("-{rest}"), radix)
        {
            return Some(int);
        }
    }
    None
}

pub(crate) fn parse_unsigned_int<T>(text: &str, from_str_radix: Radix<T>) -> Option<T> {
    let unsigned = text.strip_prefix('+').unwrap_or(text);
    if let Some(int) = prefixed(unsigned, from_str_radix) {
        return Some(int);
    }
    if unsigned.starts_with(['+', '-']) || digits_but_not_number(text) {
        return None;
    }
    from_str_radix(unsigned, 10).ok()
}

pub(crate) fn parse_signed_int<T>(text: &str, from_str_radix: Radix<T>) -> Option<T> {
    let unsigned = match text.strip_prefix('+') {
        Some(rest) if rest.starts_with(['+', '-']) => return None,
        Some(rest) => rest,
        None => text,
    };
    // The order matters only for what a malformed prefix falls through to.
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(rest) = unsigned.strip_prefix(prefix) {
            if rest.starts_with(['+', '-']) {
                return None;
            }
            if let Ok(int) = from_str_radix(rest, radix) {
                return Some(int);
            }
        }
        let negative = format!("-{prefix}");
        if let Some(rest) = text.strip_prefix(negative.as_str())
            && let Ok(int) = from_str_radix(&format!("-{rest}"), radix)
        {
            return Some(int);
        }
    }
    if digits_but_not_number(text) {
        return None;
    }
    from_str_radix(unsigned, 10).ok()
}

pub(crate) fn parse_negative_int<T>(text: &str, from_str_radix: Radix<T>) -> Option<T> {
    if let Some(int) = negative_prefixed(text, from_str_radix) {
        return Some(int);
    }
    if digits_but_not_number(text) {
        return None;
    }
    from_str_radix(text, 10).ok()
}

pub(crate) fn parse_f64(text: &str) -> Option<f64> {
    let unsigned = match text.strip_prefix('+') {
        Some(rest) if rest.starts_with(['+', '-']) => return None,
        Some(rest) => rest,
        None => text,
    };
    if let ".inf" | ".Inf" | ".INF" = unsigned {
        return Some(f64::INFINITY);
    }
    if let "-.inf" | "-.Inf" | "-.INF" = text {
        return Some(f64::NEG_INFINITY);
    }
    if let ".nan" | ".NaN" | ".NAN" = text {
        return Some(f64::NAN.copysign(1.0));
    }
    unsigned
        .parse::<f64>()
        .ok()
        .filter(|float| float.is_finite())
}

/// Leading zeros followed by digits are text in YAML 1.2 (`0123`), not an octal number.
pub(crate) fn digits_but_not_number(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    digits.len() > 1 && digits.starts_with('0') && digits[1..].bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The general YAML library reads a plain scalar the same way, for every kind that its
    /// `Value` holds.
    #[test]
    fn plain_scalars_resolve_as_serde_yaml_reads_them() {
        for text in [
            "",
            "~",
            "null",
            "Null",
            "NULL",
            "nul",
            "true",
            "True",
            "TRUE",
            "tRue",
            "false",
            "0",
            "1",
            "+1",
            "-1",
            "++1",
            "+-1",
            "0123",
            "-0123",
            "0x1F",
            "0x",
            "-0x1F",
            "+0x1F",
            "0x-1",
            "0o17",
            "-0o17",
            "0b101",
            "-0b101",
            "0b2",
            "1.5",
            "-1.5",
            "+1.5",
            ".5",
            "5.",
            "1e3",
            "1E+3",
            "1_000",
            ".inf",
            "-.inf",
            "+.inf",
            ".NaN",
            ".nan",
            "inf",
            "nan",
            "infinity",
            "NaN",
            "1e400",
            "18446744073709551615",
            "-9223372036854775808",
            "0.0",
            "-0",
            "00",
            "0.",
            "text",
            "1 2",
        ] {
            let ours = resolve(text);
            let theirs: serde_yaml::Value = serde_yaml::from_str(&format!("k: {text}\n"))
                .map(|v: serde_yaml::Value| v["k"].clone())
                .unwrap();
            let same = match (ours, &theirs) {
                (Resolved::Null, serde_yaml::Value::Null) => true,
                (Resolved::Bool(a), serde_yaml::Value::Bool(b)) => a == *b,
                (Resolved::U64(a), serde_yaml::Value::Number(n)) => n.as_u64() == Some(a),
                (Resolved::I64(a), serde_yaml::Value::Number(n)) => n.as_i64() == Some(a),
                (Resolved::F64(a), serde_yaml::Value::Number(n)) => n
                    .as_f64()
                    .is_some_and(|b| a == b || (a.is_nan() && b.is_nan())),
                (Resolved::Str, serde_yaml::Value::String(s)) => s == text,
                _ => false,
            };
            assert!(same, "{text:?}: ours {ours:?}, serde_yaml {theirs:?}");
        }
    }
}

#[test]
fn integers_beyond_64_bits_resolve_as_128_bit_ones() {
    assert_eq!(resolve("18446744073709551616"), Resolved::U128(1 << 64));
    assert_eq!(
        resolve("-9223372036854775809"),
        Resolved::I128(-(1 << 63) - 1)
    );
    assert_eq!(
        resolve("340282366920938463463374607431768211456"),
        Resolved::F64(3.402823669209385e38)
    );
}
