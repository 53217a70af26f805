//! Time, injected: the core asks a [`Clock`], never the system.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Duration, FixedOffset, Local};

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<FixedOffset>;

    /// The time now, for a display (a countdown), without moving an injected clock on:
    /// only events take a time with [`Clock::now`].
    fn peek(&self) -> DateTime<FixedOffset> {
        self.now()
    }

    /// Lets `duration` pass, or less when `stop` is set meanwhile: waiting for a time
    /// window to open. An injected clock moves on at once instead of sleeping.
    fn sleep(&self, duration: Duration, stop: &AtomicBool);
}

/// The machine's clock, in its local offset.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<FixedOffset> {
        Local::now().fixed_offset()
    }

    fn sleep(&self, duration: Duration, stop: &AtomicBool) {
        let until = std::time::Instant::now() + duration.to_std().unwrap_or_default();
        // Short naps, so a stop (Ctrl-C while waiting) is noticed within a tenth of a second.
        while !stop.load(Ordering::SeqCst) {
            let left = until.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                break;
            }
            std::thread::sleep(left.min(std::time::Duration::from_millis(100)));
        }
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

    fn peek(&self) -> DateTime<FixedOffset> {
        *self.next.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn sleep(&self, duration: Duration, _: &AtomicBool) {
        let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
        *next += duration.max(Duration::zero());
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
        clock.sleep(Duration::minutes(15), &AtomicBool::new(false));
        let later = crate::model::Timestamp::from_datetime(clock.now());
        assert_eq!(later.as_str(), "2026-11-23T14:38:02+02:00");
    }
}
