//! What the benchmark binaries share.

use std::time::{Duration, Instant};

/// The median of `runs` timed calls, after one untimed call that warms caches.
pub fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    f();
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}
