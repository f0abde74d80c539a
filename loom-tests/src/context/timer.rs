//! The deadline queue and its thread, on the logical clock: the real crate
//! only (there is no textbook timer), each model checked by seeded bugs
//! (`scripts/seed-bugs.py`).
//!
//! Each model starts the crate's real timer thread
//! (`clock::start_timer_thread`), moves the logical clock on with
//! `clock::advance`, and stops the thread at the end so that the execution
//! can end. The thread's sleep is loom's condition variable: a wake-up it
//! misses is a thread asleep for good, which the models see as a context that
//! stays open after its deadline (`support::yield_until`), not as a hang.
//!
//! The queue keeps several shards here (the loom instance reports two
//! cores), and each thread arms its timers on a shard of its own, as on a
//! real machine.

use std::time::Duration;

use go_context::loom::{self as ctx, Context, Error, clock, testing};
use loom::thread;

use crate::support::{check, expect_panic, yield_until};

/// The preemption bound of the timer models. They run the timer thread
/// beside one or two model threads, and every round of the thread visits
/// each shard's lock; 2 keeps each to seconds, and every seeded bug is
/// caught at 2.
pub const TIMER_BOUND: usize = 2;

fn ms(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

/// Yields until `ctx` is done, as the timer thread gets to run; whether it
/// is.
fn fired(ctx: &Context) -> bool {
    yield_until(TIMER_BOUND, || ctx.is_done())
}

/// A deadline fires once the clock reaches it, never before, and leaves no
/// timer behind; a deadline armed while another fires, on the same shard,
/// fires in its turn.
///
/// The deadline lies inside a tick (10.5 ms), so a deadline rounded down
/// would fire at 10 ms. The first insert starts the thread, which races it
/// to the shard: the thread may poll before the timer is there, and then
/// only the insert's wake-up (`wake_at`, the alarm) tells it to look again.
/// The second deadline is armed while the thread may be firing the first,
/// whose cancel then stops the first's (already taken) timer: a key that
/// named the entry the second now reuses must not stop the second.
pub fn deadlines_fire_once_the_clock_passes_them() {
    check(TIMER_BOUND, || {
        clock::start_timer_thread();
        let (root, _cancel_root) = ctx::with_cancel(&ctx::background());
        let (first, _cancel_first) = ctx::with_timeout(&root, Duration::from_micros(10_500));
        let deadline = first.deadline().expect("a deadline");

        clock::advance(ms(10));
        assert!(
            !yield_until(TIMER_BOUND, || first.is_done()),
            "the deadline fired before the clock reached it"
        );
        clock::advance(ms(1));
        let (second, _cancel_second) = ctx::with_timeout(&root, ms(10));
        assert!(
            fired(&first),
            "the clock passed the deadline but the context is still open"
        );
        assert!(clock::now() >= deadline);
        assert_eq!(first.err(), Some(Error::DeadlineExceeded));

        clock::advance(ms(10));
        assert!(
            fired(&second),
            "the clock passed the deadline but the context is still open"
        );
        assert_eq!(second.err(), Some(Error::DeadlineExceeded));
        // Done is observable before the cancel that the thread runs has
        // returned: once the thread has stopped, every cancel it ran has.
        clock::stop_timer_thread();
        assert_eq!(testing::pending_timers(), 0, "a fired timer is still armed");
        assert_eq!(
            testing::child_count(&root),
            0,
            "an expired context is still registered"
        );
    });
}

/// Two threads arm their first deadlines at once while the operating system
/// refuses one thread start: the refused call panics and arms nothing, its
/// context is left canceled, and the other call starts the thread, which
/// then fires the deadline that was armed.
pub fn refused_timer_thread_start_is_retried() {
    check(TIMER_BOUND, || {
        clock::start_timer_thread();
        testing::refuse_thread_starts(1);
        let (root, _cancel_root) = ctx::with_cancel(&ctx::background());
        let arm = |root: Context| {
            move || {
                let mut armed = None;
                let refused = expect_panic("cannot start the timer thread", || {
                    armed = Some(ctx::with_timeout(&root, ms(10)));
                });
                (refused, armed)
            }
        };
        let other = thread::spawn(arm(root.clone()));
        let (refused_here, armed_here) = arm(root.clone())();
        let (refused_there, armed_there) = other.join().unwrap();
        assert!(
            refused_here != refused_there,
            "one thread start was refused, so exactly one call must panic"
        );
        let (armed, _cancel) = armed_here.or(armed_there).expect("one call armed");
        assert_eq!(
            testing::pending_timers(),
            1,
            "the refused call armed a timer"
        );
        assert_eq!(
            testing::child_count(&root),
            1,
            "the refused call left a child"
        );

        clock::advance(ms(10));
        assert!(
            fired(&armed),
            "the clock passed the deadline but the context is still open"
        );
        clock::stop_timer_thread();
        assert_eq!(testing::pending_timers(), 0);
    });
}

/// A deadline context on another thread's shard is dropped while the clock
/// passes its deadline and the thread fires it (and one of this thread's):
/// whichever comes first, its last reference may go on the timer thread or
/// on the dropping one, the drop never waits on a shard the thread holds,
/// and nothing is left: no timer, no child, and the dropped context's done
/// channel closed.
pub fn context_dropped_while_its_deadline_fires() {
    check(TIMER_BOUND, || {
        clock::start_timer_thread();
        let (root, _cancel_root) = ctx::with_cancel(&ctx::background());
        let at = clock::now() + ms(10);
        let (mine, _cancel_mine) = ctx::with_deadline(&root, at);
        let dropper = thread::spawn({
            let root = root.clone();
            move || {
                let (theirs, cancel) = ctx::with_deadline(&root, at);
                let done = theirs.done().clone();
                cancel.disarm();
                drop(theirs);
                // Freed here, its timer went with it; freed on the timer
                // thread, the thread had taken the timer first. Only
                // `mine` may still be armed.
                assert!(
                    testing::pending_timers() <= 1,
                    "a dropped context's timer is still armed"
                );
                done
            }
        });
        clock::advance(ms(10));
        let done = dropper.join().unwrap();
        assert!(
            fired(&mine),
            "the clock passed the deadline but the context is still open"
        );
        assert!(
            yield_until(TIMER_BOUND, || done
                .try_recv()
                .is_err_and(|err| err.is_disconnected())),
            "the dropped context's done channel is still open"
        );
        clock::stop_timer_thread();
        assert_eq!(testing::pending_timers(), 0, "a timer outlived its context");
        assert_eq!(
            testing::child_count(&root),
            0,
            "a dropped or expired context is still registered"
        );
    });
}
