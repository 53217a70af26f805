//! [`Timestamp`]: a moment as the run recorded it.
//!
//! Journals and records keep times as RFC 3339 text with the writer's offset, so a record
//! reads the way the operator's clock read. Comparing that text would be wrong across
//! offsets (`21:00Z` sorts after `22:30+01:00`, an earlier instant), so a `Timestamp`
//! keeps both: the exact text, which serializes back byte for byte and so keeps digests
//! stable, and the instant, which orders. Text that is not RFC 3339 is refused when read.

use std::cmp::Ordering;
use std::fmt;

use chrono::{DateTime, FixedOffset, SecondsFormat, Timelike, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone)]
pub struct Timestamp {
    instant: DateTime<FixedOffset>,
    text: Box<str>,
}

impl Timestamp {
    /// A clock reading, written with whole seconds and its offset spelled out:
    /// `2026-11-23T14:23:00+00:00`. The instant is cut to the same whole second, so a
    /// time the live walk takes from the clock is the time a replay reads back from its
    /// text: anything computed from it (how early an answer came) is the same both ways.
    pub fn from_datetime(instant: DateTime<FixedOffset>) -> Timestamp {
        let instant = instant.with_nanosecond(0).unwrap_or(instant);
        let text = instant.to_rfc3339_opts(SecondsFormat::Secs, false);
        Timestamp {
            instant,
            text: text.into(),
        }
    }

    /// Reads RFC 3339 text, keeping it exactly as written.
    pub fn parse(text: &str) -> Result<Timestamp, TimestampError> {
        let instant = DateTime::parse_from_rfc3339(text).map_err(|_| TimestampError {
            text: text.chars().take(60).collect(),
        })?;
        Ok(Timestamp {
            instant,
            text: text.into(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn instant(&self) -> DateTime<FixedOffset> {
        self.instant
    }

    /// `20261123T142300Z`, for folder and file names.
    pub fn compact_utc(&self) -> String {
        self.instant
            .with_timezone(&Utc)
            .format("%Y%m%dT%H%M%SZ")
            .to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not an RFC 3339 time (like 2026-11-23T21:00:00+00:00)")]
pub struct TimestampError {
    text: String,
}

/// Equal when the text is equal (and so the instant too).
impl PartialEq for Timestamp {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for Timestamp {}

/// By instant; the same instant written with different offsets orders by its text, so the
/// order agrees with equality.
impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> Ordering {
        self.instant
            .cmp(&other.instant)
            .then_with(|| self.text.cmp(&other.text))
    }
}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // A visitor rather than a `String` first: a record holds a time per answer, and
        // the text need not be copied twice.
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an RFC 3339 time")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Timestamp, E> {
                Timestamp::parse(text).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clock_reading_is_the_instant_its_text_names() {
        let reading = DateTime::parse_from_rfc3339("2026-11-24T06:51:42.987654321+00:00").unwrap();
        let taken = Timestamp::from_datetime(reading);
        let read_back = Timestamp::parse(taken.as_str()).unwrap();
        assert_eq!(taken.as_str(), "2026-11-24T06:51:42+00:00");
        assert_eq!(taken.instant(), read_back.instant());
        assert_eq!(taken.cmp(&read_back), Ordering::Equal);
    }

    #[test]
    fn orders_by_instant_not_by_text() {
        let later = Timestamp::parse("2026-11-23T21:00:00Z").unwrap();
        let earlier = Timestamp::parse("2026-11-23T21:30:00+01:00").unwrap();
        assert!(
            earlier.as_str() > later.as_str(),
            "as text the earlier one sorts last"
        );
        assert!(later > earlier);
        assert_eq!(earlier.compact_utc(), "20261123T203000Z");
    }

    #[test]
    fn keeps_its_text_and_refuses_what_is_not_a_time() {
        let t = Timestamp::parse("2026-11-23T21:00:00.250Z").unwrap();
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            "\"2026-11-23T21:00:00.250Z\""
        );
        assert!(Timestamp::parse("2026Y11-23T21:00:00Z").is_err());
        assert!(serde_json::from_str::<Timestamp>("\"yesterday\"").is_err());
    }
}
