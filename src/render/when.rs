//! Times as people on shift read them: `21:47` today, `Sat 21:47` this week, a date
//! beyond; and countdowns that tick (`9:59`).

use chrono::{DateTime, Duration, FixedOffset};

use crate::model::Timestamp;

/// `21:47` on the same day as `now`, `Sat 21:47` within the week, else `2026-11-30 21:47`;
/// in the offset the time was written with.
pub(crate) fn clock_time(at: &Timestamp, now: DateTime<FixedOffset>) -> String {
    let at = at.instant();
    let now_there = now.with_timezone(at.offset());
    let days = (at.date_naive() - now_there.date_naive()).num_days();
    if days == 0 {
        at.format("%H:%M").to_string()
    } else if (1..7).contains(&days) || (-6..0).contains(&days) {
        at.format("%a %H:%M").to_string()
    } else {
        at.format("%Y-%m-%d %H:%M").to_string()
    }
}

/// A countdown that changes every second: `0:45`, `9:59`, `1:05:03`, then `2 days 3 h`.
pub(crate) fn countdown(left: Duration) -> String {
    let seconds = left.num_seconds().max(0);
    if seconds >= 86_400 {
        return crate::model::human_duration(left);
    }
    let (h, m, s) = (seconds / 3_600, seconds / 60 % 60, seconds % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    #[test]
    fn times_say_as_much_of_the_date_as_is_needed() {
        let now = t("2026-11-23T22:00:00+00:00").instant();
        assert_eq!(clock_time(&t("2026-11-23T22:15:00+00:00"), now), "22:15");
        assert_eq!(
            clock_time(&t("2026-11-24T22:00:00+00:00"), now),
            "Tue 22:00"
        );
        assert_eq!(
            clock_time(&t("2026-11-30T22:00:00+00:00"), now),
            "2026-11-30 22:00"
        );
        // In the time's own offset: 23:30 UTC is 00:30 the next day in Paris.
        assert_eq!(
            clock_time(&t("2026-11-24T00:30:00+01:00"), now),
            "Tue 00:30"
        );
    }

    #[test]
    fn countdowns_tick_in_seconds() {
        assert_eq!(countdown(Duration::seconds(45)), "0:45");
        assert_eq!(countdown(Duration::seconds(599)), "9:59");
        assert_eq!(countdown(Duration::seconds(3_903)), "1:05:03");
        assert_eq!(
            countdown(Duration::seconds(2 * 86_400 + 3 * 3_600)),
            "2 days 3 h"
        );
        assert_eq!(countdown(Duration::seconds(-3)), "0:00");
    }
}
