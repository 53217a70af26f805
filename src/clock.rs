//! Time, injected: the core asks a [`Clock`], never the system.

use std::sync::Mutex;

use chrono::{DateTime, Duration, FixedOffset, Local, SecondsFormat, Utc};

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<FixedOffset>;
}

/// The machine's clock, in its local offset.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<FixedOffset> {
        Local::now().fixed_offset()
    }
}

/// A clock that starts at a given time and moves one second each time it is read, so that
/// runs in tests are reproducible and their events still come in order.
pub struct SteppingClock {
    next: Mutex<DateTime<FixedOffset>>,
}

impl SteppingClock {
    pub fn starting_at(start: DateTime<FixedOffset>) -> Self {
        SteppingClock {
            next: Mutex::new(start),
        }
    }
}

impl Clock for SteppingClock {
    fn now(&self) -> DateTime<FixedOffset> {
        let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
        let now = *next;
        *next = now + Duration::seconds(1);
        now
    }
}

/// RFC 3339 with the offset spelled out: `2026-11-23T14:23:00+00:00`.
pub fn rfc3339(time: DateTime<FixedOffset>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// `20261123T142300Z`, for file names.
pub fn compact_utc(time: DateTime<FixedOffset>) -> String {
    time.with_timezone(&Utc)
        .format("%Y%m%dT%H%M%SZ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stepping_clock_moves_a_second_per_read_and_formats() {
        let clock = SteppingClock::starting_at(
            DateTime::parse_from_rfc3339("2026-11-23T14:23:00+02:00").unwrap(),
        );
        assert_eq!(rfc3339(clock.now()), "2026-11-23T14:23:00+02:00");
        let second = clock.now();
        assert_eq!(rfc3339(second), "2026-11-23T14:23:01+02:00");
        assert_eq!(compact_utc(second), "20261123T122301Z");
    }
}
