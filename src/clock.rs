//! Time, injected: the core asks a [`Clock`], never the system.

use std::sync::Mutex;

use chrono::{DateTime, Duration, FixedOffset, Local};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stepping_clock_moves_a_second_per_read() {
        let clock = SteppingClock::starting_at(
            DateTime::parse_from_rfc3339("2026-11-23T14:23:00+02:00").unwrap(),
        );
        let first = crate::model::Timestamp::from_datetime(clock.now());
        assert_eq!(first.as_str(), "2026-11-23T14:23:00+02:00");
        let second = crate::model::Timestamp::from_datetime(clock.now());
        assert_eq!(second.as_str(), "2026-11-23T14:23:01+02:00");
        assert_eq!(second.compact_utc(), "20261123T122301Z");
    }
}
