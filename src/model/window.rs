//! Time windows: when a section is due, counted from the deployment moment.
//!
//! A [`Window`] is two [`Span`]s after the deployment moment: it opens at `from` and closes
//! at `to`, and its items are due by `to`. A span keeps the unit its author wrote (`60m`
//! stays `60m`, not `1h`), so a tree shown as YAML reads the way its source did; two spans
//! of the same length are equal whatever their units.

use std::fmt;

use chrono::{DateTime, Duration, FixedOffset};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Longer than any follow-up a deploy night hands over; a bound so sums never overflow.
pub const MAX_SPAN_SECONDS: u64 = 400 * 86_400;

#[derive(Debug, Clone, Copy)]
pub struct Span {
    seconds: u64,
    unit: Unit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Unit {
    Seconds,
    Minutes,
    Hours,
    Days,
}

impl Unit {
    fn seconds(self) -> u64 {
        match self {
            Unit::Seconds => 1,
            Unit::Minutes => 60,
            Unit::Hours => 3_600,
            Unit::Days => 86_400,
        }
    }

    fn suffix(self) -> char {
        match self {
            Unit::Seconds => 's',
            Unit::Minutes => 'm',
            Unit::Hours => 'h',
            Unit::Days => 'd',
        }
    }

    /// `min`, `hours`, `wk`, ... → the unit and how many of it one stands for (a week is
    /// seven days, a month thirty).
    fn from_word(word: &str) -> Option<(Unit, u64)> {
        Some(match word {
            "s" | "sec" | "secs" | "second" | "seconds" => (Unit::Seconds, 1),
            "m" | "min" | "mins" | "minute" | "minutes" => (Unit::Minutes, 1),
            "h" | "hr" | "hrs" | "hour" | "hours" => (Unit::Hours, 1),
            "d" | "day" | "days" => (Unit::Days, 1),
            "w" | "wk" | "wks" | "week" | "weeks" => (Unit::Days, 7),
            "mo" | "month" | "months" => (Unit::Days, 30),
            _ => return None,
        })
    }
}

/// What is wrong with a written span or window, for a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SpanError(pub String);

impl Span {
    pub const ZERO: Span = Span {
        seconds: 0,
        unit: Unit::Minutes,
    };

    /// `count` of the unit a word names (`minutes`, `h`, `week`); `None` for other words.
    pub fn of(count: f64, unit_word: &str) -> Option<Span> {
        let (unit, factor) = Unit::from_word(unit_word)?;
        let seconds = count * (factor * unit.seconds()) as f64;
        if !seconds.is_finite() || seconds < 0.0 || seconds > MAX_SPAN_SECONDS as f64 {
            return None;
        }
        Some(Span::from_seconds_in(seconds.round() as u64, unit))
    }

    /// Whole `unit`s when the length is a whole number of them, else the largest unit
    /// that divides it: `1.5h` is `90m`.
    fn from_seconds_in(seconds: u64, unit: Unit) -> Span {
        let unit = [unit, Unit::Hours, Unit::Minutes, Unit::Seconds]
            .into_iter()
            .find(|u| *u <= unit && seconds.is_multiple_of(u.seconds()))
            .unwrap_or(Unit::Seconds);
        Span { seconds, unit }
    }

    pub fn from_seconds(seconds: u64) -> Span {
        Span::from_seconds_in(seconds, Unit::Days)
    }

    /// The same length written in this span's unit, when it divides: the end of a range
    /// written `(0-15 minutes)` shares the unit of its start.
    pub fn with_unit_of(self, other: Span) -> Span {
        Span::from_seconds_in(self.seconds, other.unit)
    }

    pub fn seconds(self) -> u64 {
        self.seconds
    }

    pub fn duration(self) -> Duration {
        Duration::seconds(self.seconds as i64)
    }

    pub fn is_zero(self) -> bool {
        self.seconds == 0
    }

    /// Twice as long, in the same unit.
    pub fn doubled(self) -> Span {
        Span {
            seconds: (self.seconds * 2).min(MAX_SPAN_SECONDS),
            unit: self.unit,
        }
    }

    /// Reads `15m`, `60 min`, `24h`, `7d`, `1w`, `1h30m`, `1.5h`, or `0`.
    pub fn parse(text: &str) -> Result<Span, SpanError> {
        let bad = || {
            SpanError(format!(
                "`{text}` is not a length of time: write a number and a unit, like 15m, 2h, 7d or 1w"
            ))
        };
        let lower = text.trim().to_ascii_lowercase();
        if lower == "0" {
            return Ok(Span::ZERO);
        }
        let mut rest = lower.as_str();
        let mut total = 0u64;
        let mut largest: Option<Unit> = None;
        while !rest.is_empty() {
            let number_len = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(rest.len());
            if number_len == 0 {
                return Err(bad());
            }
            let count: f64 = rest[..number_len].parse().map_err(|_| bad())?;
            rest = rest[number_len..].trim_start();
            let word_len = rest
                .find(|c: char| !c.is_ascii_alphabetic())
                .unwrap_or(rest.len());
            let span = Span::of(count, &rest[..word_len]).ok_or_else(bad)?;
            rest = rest[word_len..].trim_start();
            total = total.saturating_add(span.seconds);
            largest = largest.max(Some(span.unit));
        }
        if total > MAX_SPAN_SECONDS {
            return Err(SpanError(format!(
                "`{text}` is longer than {} days",
                MAX_SPAN_SECONDS / 86_400
            )));
        }
        Ok(Span::from_seconds_in(total, largest.ok_or_else(bad)?))
    }
}

impl PartialEq for Span {
    fn eq(&self, other: &Span) -> bool {
        self.seconds == other.seconds
    }
}

impl Eq for Span {}

impl PartialOrd for Span {
    fn partial_cmp(&self, other: &Span) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Span {
    fn cmp(&self, other: &Span) -> std::cmp::Ordering {
        self.seconds.cmp(&other.seconds)
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{}",
            self.seconds / self.unit.seconds(),
            self.unit.suffix()
        )
    }
}

impl Serialize for Span {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Span {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Span;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a length of time such as 15m, 2h or 7d")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Span, E> {
                Span::parse(v).map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Span, E> {
                match v {
                    0 => Ok(Span::ZERO),
                    _ => Err(E::custom(format!(
                        "`{v}` has no unit: write {v}m, {v}h or {v}d"
                    ))),
                }
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Span, E> {
                match u64::try_from(v) {
                    Ok(v) => self.visit_u64(v),
                    Err(_) => Err(E::custom("a window cannot open before the deployment")),
                }
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

impl schemars::JsonSchema for Span {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Span".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A length of time after the deployment moment: a number and a unit (s, m, h, d, w), like 15m, 24h or 7d; 0 for the moment itself.",
            "anyOf": [
                {"type": "string", "pattern": "^\\s*(0|([0-9]+(\\.[0-9]+)?\\s*[a-zA-Z]+\\s*)+)$"},
                {"type": "integer", "const": 0}
            ]
        })
    }
}

/// When a section is due: from `from` to `to` after the deployment moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a window, like `{from: 15m, to: 60m}`"
)]
pub struct Window {
    /// When the window opens, after the deployment moment (`0` for at once).
    pub from: Span,
    /// When it closes; its items are due by then.
    pub to: Span,
}

impl Window {
    /// A window that closes after it opens; anything else is an error in words.
    pub fn new(from: Span, to: Span) -> Result<Window, SpanError> {
        if to <= from {
            return Err(SpanError(format!(
                "the window {from}..{to} closes before it opens: the end must come after the start"
            )));
        }
        Ok(Window { from, to })
    }

    /// `15m..60m`, `..24h` (from the moment itself), or `0..7d`.
    pub fn parse(text: &str) -> Result<Window, SpanError> {
        let Some((from, to)) = text.split_once("..") else {
            return Err(SpanError(format!(
                "`{text}` is not a window: write FROM..TO after the deployment, like 15m..60m or 0..24h"
            )));
        };
        let from = if from.trim().is_empty() {
            Span::ZERO
        } else {
            Span::parse(from)?
        };
        if to.trim().is_empty() {
            return Err(SpanError(format!(
                "the window `{text}` has no end: items are due by its end, so write one, like {from}..{}",
                from.doubled().max(Span::of(1.0, "h").expect("a unit"))
            )));
        }
        Window::new(from, Span::parse(to)?)
    }

    /// The instants it opens and closes, for a deployment moment.
    pub fn at(
        &self,
        deployed: DateTime<FixedOffset>,
    ) -> (DateTime<FixedOffset>, DateTime<FixedOffset>) {
        (
            deployed + self.from.duration(),
            deployed + self.to.duration(),
        )
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.from, self.to)
    }
}

/// A length of time for people: `45 s`, `9 min`, `1 h 5 min`, `2 days 3 h`. Rounded to
/// what matters at that scale; never shorter than it is by more than the unit shown.
pub fn human_duration(duration: Duration) -> String {
    let seconds = duration.num_seconds().max(0);
    let (days, hours, minutes) = (seconds / 86_400, seconds / 3_600 % 24, seconds / 60 % 60);
    if seconds < 60 {
        format!("{seconds} s")
    } else if seconds < 3_600 {
        format!("{} min", seconds / 60)
    } else if days == 0 {
        match minutes {
            0 => format!("{hours} h"),
            _ => format!("{hours} h {minutes} min"),
        }
    } else {
        let unit = if days == 1 { "day" } else { "days" };
        match hours {
            0 => format!("{days} {unit}"),
            _ => format!("{days} {unit} {hours} h"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(text: &str) -> Span {
        Span::parse(text).unwrap()
    }

    #[test]
    fn spans_keep_the_unit_they_were_written_in() {
        assert_eq!(span("60m").to_string(), "60m");
        assert_eq!(span("60 minutes").to_string(), "60m");
        assert_eq!(span("1h").to_string(), "1h");
        assert_eq!(span("1w").to_string(), "7d");
        assert_eq!(span("1.5h").to_string(), "90m");
        assert_eq!(span("1h30m").to_string(), "90m");
        assert_eq!(span("0").to_string(), "0m");
        assert_eq!(span("60m"), span("1h"));
        assert!(span("15m") < span("1h"));
    }

    #[test]
    fn what_is_not_a_span_is_an_error_saying_how_to_write_one() {
        for bad in ["", "m", "15", "15 parsecs", "-5m", "soon", "1e400h", "999d"] {
            let error = Span::parse(bad).unwrap_err();
            assert!(
                error.0.contains("15m") || error.0.contains("days"),
                "{bad}: {error}"
            );
        }
    }

    #[test]
    fn windows_read_from_to_and_refuse_one_that_closes_before_it_opens() {
        let w = Window::parse("15m..60m").unwrap();
        assert_eq!(
            (w.from.to_string(), w.to.to_string()),
            ("15m".into(), "60m".into())
        );
        assert_eq!(Window::parse("..24h").unwrap().from, Span::ZERO);
        assert!(
            Window::parse("60m..15m")
                .unwrap_err()
                .0
                .contains("closes before it opens")
        );
        assert!(Window::parse("15m..").unwrap_err().0.contains("no end"));
        assert!(Window::parse("15m").unwrap_err().0.contains("FROM..TO"));
    }

    #[test]
    fn windows_serialize_as_the_design_shows() {
        let w = Window::parse("15m..60m").unwrap();
        assert_eq!(
            serde_json::to_string(&w).unwrap(),
            r#"{"from":"15m","to":"60m"}"#
        );
        let back: Window = serde_json::from_str(r#"{"from": 0, "to": "1w"}"#).unwrap();
        assert_eq!(back.to.to_string(), "7d");
        assert!(serde_json::from_str::<Window>(r#"{"from": 5, "to": "1w"}"#).is_err());
    }

    #[test]
    fn durations_read_the_way_people_say_them() {
        let d = |s: i64| human_duration(Duration::seconds(s));
        assert_eq!(d(45), "45 s");
        assert_eq!(d(9 * 60 + 59), "9 min");
        assert_eq!(d(3_600), "1 h");
        assert_eq!(d(3_900), "1 h 5 min");
        assert_eq!(d(86_400 + 3 * 3_600 + 60), "1 day 3 h");
        assert_eq!(d(2 * 86_400), "2 days");
        assert_eq!(d(-5), "0 s");
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn a_span_reads_back_from_what_it_prints(seconds in 0u64..MAX_SPAN_SECONDS) {
                let span = Span::from_seconds(seconds);
                prop_assert_eq!(Span::parse(&span.to_string()).unwrap(), span);
            }

            #[test]
            fn any_text_reads_or_is_an_error(text in "\\PC{0,24}") {
                let _ = Span::parse(&text);
                let _ = Window::parse(&text);
            }
        }
    }
}
