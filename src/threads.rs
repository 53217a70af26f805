//! Helper threads, and what happens when the system has none to give.
//!
//! deploycheck puts independent work on a second thread or on every core (reading two
//! records at once, hashing a record while it is written, walking ten thousand run
//! folders). None of that work needs its own thread to be right, so a process at its
//! thread limit does it here instead, one piece after another, rather than panic or stop:
//! a failed spawn hands the work back unrun ([`spawn_scoped`], [`beside`]).
//!
//! Two kinds of thread start on their own, because their work cannot be done here: a
//! check's watchers (`check`), which must run beside the command, so a check is not
//! started without them; and the journal's summing thread, which hashes here instead.

use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{JoinHandle, Scope, ScopedJoinHandle};

/// Work waiting in a slot for the thread that is to do it, which empties the slot when it
/// starts; a thread that could not be started leaves the work for the caller.
struct Handed<F>(Arc<Mutex<Option<F>>>);

impl<F> Handed<F> {
    fn take(&self) -> Option<F> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }

    fn run<T>(self) -> T
    where
        F: FnOnce() -> T,
    {
        self.take().expect("a thread that starts finds its work")()
    }
}

/// Hands `work` to the thread `start` starts, or back to the caller when it starts none.
fn hand<F, H>(work: F, start: impl FnOnce(Handed<F>) -> std::io::Result<H>) -> Result<H, F> {
    let slot = Handed(Arc::new(Mutex::new(Some(work))));
    start(Handed(Arc::clone(&slot.0))).map_err(|_| {
        slot.take()
            .expect("a thread that did not start left its work")
    })
}

/// Starts `work` on a thread of `scope`, or hands it back unrun when no thread can be had.
pub(crate) fn spawn_scoped<'scope, T, F>(
    scope: &'scope Scope<'scope, '_>,
    work: F,
) -> Result<ScopedJoinHandle<'scope, T>, F>
where
    T: Send + 'scope,
    F: FnOnce() -> T + Send + 'scope,
{
    hand(work, |handed| {
        std::thread::Builder::new().spawn_scoped(scope, move || handed.run())
    })
}

/// The value of a finished thread; a panic in it goes on here.
pub(crate) fn join_scoped<T>(handle: ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// `(here(), there())`, with `there` on a second thread when one can be had.
pub(crate) fn both<A, B>(here: impl FnOnce() -> A, there: impl FnOnce() -> B + Send) -> (A, B)
where
    B: Send,
{
    std::thread::scope(|scope| match spawn_scoped(scope, there) {
        Ok(handle) => {
            let here = here();
            (here, join_scoped(handle))
        }
        Err(there) => (here(), there()),
    })
}

/// How many threads to share `len` pieces of work among: at most `cap`, and one when the
/// work is smaller than `worth` pieces, where a thread costs more than it saves.
pub(crate) fn workers(len: usize, worth: usize, cap: usize) -> usize {
    if len < worth {
        return 1;
    }
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(cap)
}

/// `f` of each chunk of `items`, in order, the chunks shared among `workers` threads;
/// a chunk no thread can be had for is done here.
pub(crate) fn each_chunk<T: Sync, R: Send>(
    items: &[T],
    workers: usize,
    f: impl Fn(&[T]) -> R + Sync,
) -> Vec<R> {
    if workers <= 1 || items.len() <= 1 {
        return vec![f(items)];
    }
    let f = &f;
    std::thread::scope(|scope| {
        let started: Vec<_> = items
            .chunks(items.len().div_ceil(workers))
            .map(|part| spawn_scoped(scope, move || f(part)))
            .collect();
        started
            .into_iter()
            .map(|chunk| match chunk {
                Ok(handle) => join_scoped(handle),
                Err(work) => work(),
            })
            .collect()
    })
}

/// Work handed to a thread of its own, or done already where no thread can be had.
pub(crate) enum Beside<T> {
    Started(JoinHandle<T>),
    Done(T),
}

/// Runs `work` on a thread of its own, or here if the system has no thread to give.
pub(crate) fn beside<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Beside<T> {
    match hand(work, |handed| {
        std::thread::Builder::new().spawn(move || handed.run())
    }) {
        Ok(handle) => Beside::Started(handle),
        Err(work) => Beside::Done(work()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_chunk_keeps_the_order_of_the_items() {
        let items: Vec<u32> = (0..1000).collect();
        for workers in [1, 2, 3, 8, 2000] {
            let sums = each_chunk(&items, workers, |part| part.to_vec());
            assert_eq!(sums.concat(), items, "{workers} workers");
        }
        assert_eq!(each_chunk(&[] as &[u32], 4, <[u32]>::len), [0]);
    }

    #[test]
    fn work_beside_runs_on_a_thread_of_its_own_and_gives_back_its_result() {
        let Beside::Started(handle) = beside(|| std::thread::current().id()) else {
            panic!("a test process can start a thread");
        };
        assert_ne!(handle.join().unwrap(), std::thread::current().id());
    }

    #[test]
    fn both_returns_each_side_in_its_place() {
        let (a, b) = both(|| "here", || "there");
        assert_eq!((a, b), ("here", "there"));
    }

    #[test]
    #[should_panic(expected = "from the helper")]
    fn a_panic_on_a_helper_thread_goes_on_in_the_caller() {
        both(|| (), || panic!("from the helper"));
    }
}
