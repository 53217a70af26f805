//! Ctrl-C while a check runs stops the check, not the run.
//!
//! The check runs in a process group of its own, so the terminal's interrupt reaches only
//! deploycheck. Its signal handler asks [`Interrupt::claim`] first: while a check runs,
//! the first interrupt is the check's (the executor stops its group and the walk returns to
//! the prompt), and a second one stops the run as usual, killing the check's group first.

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

#[derive(Debug, Default)]
pub(crate) struct Interrupt {
    /// The running check's process group; 0 when none runs.
    group: AtomicI32,
    requested: AtomicBool,
}

impl Interrupt {
    pub fn running(&self, group: i32) {
        self.requested.store(false, Ordering::SeqCst);
        self.group.store(group, Ordering::SeqCst);
    }

    pub fn finished(&self) {
        self.group.store(0, Ordering::SeqCst);
        self.requested.store(false, Ordering::SeqCst);
    }

    /// Whether the operator asked to stop the running check.
    pub fn requested(&self) -> bool {
        self.requested.load(Ordering::SeqCst)
    }

    /// For the signal handler: `true` when a check is running and this is the first
    /// interrupt since it started, which stops the check and leaves the run alone.
    pub fn claim(&self) -> bool {
        self.group.load(Ordering::SeqCst) != 0 && !self.requested.swap(true, Ordering::SeqCst)
    }

    /// Kills the running check's whole group, if one runs: before the process ends.
    pub fn kill_running(&self) {
        let group = self.group.load(Ordering::SeqCst);
        if group != 0 {
            super::signal_group(group, libc::SIGKILL);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_interrupt_is_the_checks_and_the_second_the_runs() {
        let interrupt = Interrupt::default();
        assert!(!interrupt.claim(), "no check runs: the run stops");
        interrupt.running(i32::MAX);
        assert!(interrupt.claim());
        assert!(interrupt.requested());
        assert!(!interrupt.claim(), "a second Ctrl-C stops the run");
        interrupt.finished();
        assert!(!interrupt.requested());
        assert!(!interrupt.claim());
    }
}
