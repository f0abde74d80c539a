//! Model 5: no lost wake-up. A thread blocked in `wait`, a future blocked in
//! `wait_async`, or a waker registered by one poll, is always woken, wherever
//! the cancel lands relative to the waiter's check and sleep.
//!
//! A lost wake-up is a hang, and loom's deadlock report aborts the test
//! process; so the waiters run on their own thread and the main thread,
//! once its cancel has returned, gives them a bounded number of turns
//! ([`yield_until`]) and asserts they finished.
//!
//! Two threads each: the cancel lands anywhere in the waiter's check, sleep
//! and wake-up.

use loom::future::block_on;
use loom::sync::Arc;
use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use loom::thread;

use crate::context::{Contexts, Error};
use crate::support::{CONTEXT_BOUND, THREE_THREAD_BOUND, WakeFlag, check, poll_once, yield_until};

/// Runs `wait` on a new thread, cancels, and asserts the waiter finishes.
fn cancel_releases<T: Contexts>(wait: fn(&T::Context) -> Option<Error>) {
    let (ctx, cancel) = T::root();
    let returned = Arc::new(AtomicBool::new(false));
    let waiter = thread::spawn({
        let returned = returned.clone();
        move || {
            let err = wait(&ctx);
            returned.store(true, Ordering::Release);
            err
        }
    });
    T::cancel(&cancel, None);
    let finished = yield_until(CONTEXT_BOUND, || returned.load(Ordering::Acquire));
    assert!(
        finished,
        "lost wake-up: the waiter still sleeps after cancel returned"
    );
    assert_eq!(waiter.join().unwrap(), Some(Error::Canceled));
}

/// A thread blocked in `wait()` is woken by the cancel.
pub fn cancel_wakes_blocked_wait<T: Contexts>() {
    check(CONTEXT_BOUND, || cancel_releases::<T>(T::wait));
}

/// Two threads blocked in `wait()` are both woken by one cancel: the cancel
/// unparks one and hands it the other to wake (the relay in `sleeper.rs`),
/// whichever of them has already seen the cancel and stopped taking
/// hand-offs.
pub fn cancel_wakes_every_blocked_wait<T: Contexts>() {
    check(THREE_THREAD_BOUND, || {
        let (ctx, cancel) = T::root();
        let returned = Arc::new(AtomicUsize::new(0));
        let waiters: Vec<_> = (0..2)
            .map(|_| {
                let (ctx, returned) = (ctx.clone(), returned.clone());
                thread::spawn(move || {
                    let err = T::wait(&ctx);
                    returned.fetch_add(1, Ordering::Release);
                    err
                })
            })
            .collect();
        T::cancel(&cancel, None);
        let finished = yield_until(CONTEXT_BOUND, || returned.load(Ordering::Acquire) == 2);
        assert!(
            finished,
            "lost wake-up: a waiter still sleeps after cancel returned"
        );
        for waiter in waiters {
            assert_eq!(waiter.join().unwrap(), Some(Error::Canceled));
        }
    });
}

/// A future blocked in `wait_async()` (driven by `block_on`) is woken.
pub fn cancel_wakes_blocked_wait_async<T: Contexts>() {
    check(CONTEXT_BOUND, || {
        cancel_releases::<T>(|ctx| block_on(T::wait_async(ctx)))
    });
}

/// A `wait_async()` future polled once while the cancel runs is either
/// ready at once or has its waker woken by the time the cancel returns, and
/// is ready when polled again.
pub fn cancel_wakes_registered_waker<T: Contexts>() {
    check(CONTEXT_BOUND, || {
        let (ctx, cancel) = T::root();
        let mut wait = T::wait_async(&ctx);
        let (flag, waker) = WakeFlag::new();
        let canceler = thread::spawn(move || T::cancel(&cancel, None));
        let first = poll_once(&mut wait, &waker);
        canceler.join().unwrap();
        if first.is_pending() {
            assert!(
                flag.woken(),
                "lost wake-up: the future's waker was never woken"
            );
        }
        let ready = if first.is_pending() {
            poll_once(&mut wait, &waker)
        } else {
            first
        };
        assert!(
            matches!(ready, std::task::Poll::Ready(Some(Error::Canceled))),
            "a woken future is not ready: {ready:?}"
        );
    });
}

/// A registered `wait_async()` future dropped while the cancel runs: its
/// drop and the cancel's wake-ups may interleave anyhow without a panic or
/// a leak, and a future made afterwards still completes ("dropping it loses
/// nothing").
pub fn wait_async_dropped_during_cancel<T: Contexts>() {
    check(CONTEXT_BOUND, || {
        let (ctx, cancel) = T::root();
        let mut wait = T::wait_async(&ctx);
        let (_flag, waker) = WakeFlag::new();
        assert!(poll_once(&mut wait, &waker).is_pending());
        let canceler = thread::spawn(move || T::cancel(&cancel, None));
        drop(wait);
        canceler.join().unwrap();
        assert_eq!(
            block_on(T::wait_async(&ctx)),
            Some(Error::Canceled),
            "a new future did not complete after the cancel"
        );
    });
}

/// The broken twins of these models: each is a textbook with one step
/// written the naive way, and `tests/twins.rs` runs it against the model
/// that must reject it.
pub mod twins {
    pub use self::lost_wakeup::LostWakeup;
    pub use self::stale_waker_slot::StaleWakerSlot;

    mod lost_wakeup {
        //! Twin of model 5: check, then sleep (or register) without the lock.
        //!
        //! **The bug.** `wait()` takes a fast path: if the context is done, return;
        //! otherwise lock and sleep on the condition variable, without looking at
        //! the state again. `wait_async()`'s poll does the same with its waker:
        //! check, then lock and register.
        //!
        //! **The interleaving.** The waiter checks: open. The cancel runs
        //! completely: it notifies the condition variable and drains the wakers,
        //! but nobody is sleeping or registered yet. The waiter then sleeps (or
        //! registers its waker) and waits for a wake-up that has already happened.
        //! The textbook checks under the lock the canceler publishes under, so the
        //! cancel lands either before the check or after the sleep.
        //!
        //! **Caught by** `cancel_wakes_blocked_wait` and
        //! `cancel_wakes_blocked_wait_async`: "lost wake-up: the waiter still sleeps
        //! after cancel returned"; `cancel_wakes_registered_waker`: "lost wake-up:
        //! the future's waker was never woken".

        use std::task::{Context as TaskContext, Poll};

        use crate::context::Error;
        use crate::context::textbook::{Node, Steps};

        /// The textbook context whose [`Steps::wait`] and [`Steps::poll_wait`]
        /// check the state before taking the lock.
        #[derive(Debug)]
        pub struct LostWakeup;

        impl Steps for LostWakeup {
            fn wait(node: &Node) -> Option<Error> {
                if let Some(err) = Self::err(node) {
                    return Some(err);
                }
                let inner = node.lock(); // BUG: the cancel may have run since the check
                drop(node.waiters.wait(inner).unwrap());
                Self::err(node)
            }

            fn poll_wait(
                node: &Node,
                cx: &mut TaskContext<'_>,
                slot: &mut Option<usize>,
            ) -> Poll<Option<Error>> {
                if let Some(err) = Self::err(node) {
                    return Poll::Ready(Some(err));
                }
                let mut inner = node.lock(); // BUG: the cancel may have run since the check
                let id = inner.next_waker;
                inner.next_waker += 1;
                inner.wakers.push((id, cx.waker().clone()));
                *slot = Some(id);
                Poll::Pending
            }
        }
    }

    mod stale_waker_slot {
        //! Twin of the `wait_async` drop model: a future unregisters by position.
        //!
        //! **The bug.** A pending future remembers where its waker sits in the
        //! node's list and, when dropped, removes that position, trusting it is
        //! still there.
        //!
        //! **The interleaving.** The future registers at position 0. The cancel
        //! drains the list to wake everyone. The future is dropped and removes
        //! position 0 of an empty list: a panic in a destructor, on a path only a
        //! drop racing a cancel reaches. (With more futures, it would remove
        //! another future's waker instead: a lost wake-up.) The textbook gives each
        //! future an id and removes by id, which finds nothing once drained; the
        //! real crate checks its slab slot the same way.
        //!
        //! **Caught by** `wait_async_dropped_during_cancel`, with `Vec::remove`'s
        //! own message: "removal index (is 0) should be < len (is 0)".

        use std::task::{Context as TaskContext, Poll};

        use crate::context::Error;
        use crate::context::textbook::{Node, Steps};

        /// The textbook context whose futures keep a position in the waker list.
        #[derive(Debug)]
        pub struct StaleWakerSlot;

        impl Steps for StaleWakerSlot {
            fn poll_wait(
                node: &Node,
                cx: &mut TaskContext<'_>,
                slot: &mut Option<usize>,
            ) -> Poll<Option<Error>> {
                let mut inner = node.lock();
                if let Some(err) = node.err_locked() {
                    return Poll::Ready(Some(err));
                }
                match *slot {
                    Some(at) => inner.wakers[at].1.clone_from(cx.waker()),
                    None => {
                        *slot = Some(inner.wakers.len());
                        inner.wakers.push((0, cx.waker().clone()));
                    }
                }
                Poll::Pending
            }

            fn unregister_waker(node: &Node, slot: usize) {
                node.lock().wakers.remove(slot); // BUG: the cancel may have drained the list
            }
        }
    }
}
