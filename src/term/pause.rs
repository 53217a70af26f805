//! Waiting at a prompt for a time window to open, stopped by Ctrl-C without stopping the
//! run: the interrupt handler asks the [`Pause`] first, and only stops the run when no
//! wait is under way.

use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Debug, Default)]
pub struct Pause {
    waiting: AtomicBool,
    woken: AtomicBool,
}

impl Pause {
    /// For the interrupt handler: `true` when a wait was under way and is now stopped, so
    /// the interrupt is used up; `false` when the run should stop as usual.
    pub fn interrupt(&self) -> bool {
        if self.waiting.load(Ordering::SeqCst) {
            self.woken.store(true, Ordering::SeqCst);
            true
        } else {
            false
        }
    }

    pub(crate) fn begin(&self) {
        self.woken.store(false, Ordering::SeqCst);
        self.waiting.store(true, Ordering::SeqCst);
    }

    pub(crate) fn end(&self) {
        self.waiting.store(false, Ordering::SeqCst);
    }

    /// Set when the wait was stopped; what a clock's sleep watches.
    pub(crate) fn stop_flag(&self) -> &AtomicBool {
        &self.woken
    }

    pub(crate) fn stopped(&self) -> bool {
        self.woken.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interrupt_stops_a_wait_and_otherwise_is_the_runs() {
        let pause = Pause::default();
        assert!(!pause.interrupt(), "no wait: the run stops");
        pause.begin();
        assert!(pause.interrupt());
        assert!(pause.stopped());
        pause.end();
        assert!(!pause.interrupt());
        pause.begin();
        assert!(!pause.stopped(), "a new wait starts afresh");
    }
}
