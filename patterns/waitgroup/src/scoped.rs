//! `WaitGroup::go_scoped`: tasks that borrow from the caller, on
//! `std::thread::scope`.
//!
//! Only in the instance users run: loom has no scoped threads.

use std::panic::resume_unwind;
use std::thread::{Builder, Scope};

use crate::WaitGroup;

impl WaitGroup {
    /// Runs `f` on a new scoped thread as a task of this group: the same as
    /// [`go`](WaitGroup::go), but `f` may borrow anything that outlives
    /// `scope`.
    ///
    /// The scope joins its threads when it ends anyway; the group lets you
    /// wait for a batch of them in the middle of the scope, or mix scoped
    /// tasks with others.
    ///
    /// # Panics
    ///
    /// A panic in `f` is handled as in [`go`](WaitGroup::go) (waits on the
    /// group panic with `sync: WaitGroup task panicked: <payload>`), and then
    /// re-raised on the task's thread, so [`std::thread::scope`] also
    /// panics when it ends, as it does for any scoped thread that panicked.
    ///
    /// `go_scoped` itself panics as [`add`](WaitGroup::add) does, and with
    /// `waitgroup: failed to spawn a thread: <error>` if the operating system
    /// cannot start a thread (the counter is restored first).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::atomic::{AtomicU64, Ordering};
    /// use std::thread;
    ///
    /// let numbers = [1u64, 2, 3, 4, 5, 6];
    /// let total = AtomicU64::new(0);
    /// let wg = go_waitgroup::WaitGroup::new();
    /// thread::scope(|s| {
    ///     for half in numbers.chunks(3) {
    ///         wg.go_scoped(s, || {
    ///             total.fetch_add(half.iter().sum(), Ordering::Relaxed);
    ///         });
    ///     }
    ///     wg.wait(); // both halves are summed; the scope goes on
    ///     assert_eq!(total.load(Ordering::Relaxed), 21);
    /// });
    /// ```
    #[track_caller]
    pub fn go_scoped<'scope, F>(&self, scope: &'scope Scope<'scope, '_>, f: F)
    where
        F: FnOnce() + Send + 'scope,
    {
        self.add(1);
        let group = self.clone();
        let spawned = Builder::new().spawn_scoped(scope, move || {
            if let Err(payload) = group.run_task(f) {
                resume_unwind(payload);
            }
        });
        if let Err(err) = spawned {
            self.done();
            panic!("waitgroup: failed to spawn a thread: {err}");
        }
    }
}
