//! Model 4: done and the error are published together. Whoever observes
//! done, in any form, then reads the error; whoever reads an error finds
//! done observable in every form (Go's #75533).
//!
//! Each model is one thread observing while the main thread cancels, and
//! explores every way the observer's reads can fall inside the cancel.

use loom::future::block_on;
use loom::thread;

use crate::context::{Contexts, Error};
use crate::support::{CONTEXT_BOUND, check};

/// Once done was observed, the error and cause are the cancel's.
fn assert_err_visible<T: Contexts>(ctx: &T::Context) {
    assert_eq!(
        T::err(ctx),
        Some(Error::Canceled),
        "done observed but err() is not Canceled"
    );
    assert_eq!(
        T::cause(ctx).as_deref(),
        Some("stop"),
        "done observed but cause() is not the cancel's"
    );
}

/// Runs `observe` on a new thread while the main thread cancels with cause
/// "stop"; returns what `observe` returned.
///
/// The cancel is on the main thread so that loom's first execution runs it
/// before the observer: the observer's reads then come after the cancel's
/// writes, and loom's race detection moves them back, write by write, into
/// every window of the cancel. (With the observer first, a later load by the
/// canceler itself hides the observer's read from loom, which then explores
/// one execution only.)
fn observe_cancel<T: Contexts, R: Send + 'static>(
    ctx: &T::Context,
    cancel: T::Cancel,
    observe: impl FnOnce(&T::Context) -> R + Send + 'static,
) -> R {
    let observer = thread::spawn({
        let ctx = ctx.clone();
        move || observe(&ctx)
    });
    T::cancel(&cancel, Some("stop"));
    observer.join().unwrap()
}

/// Done observed with `is_done` ⇒ the error is visible.
pub fn done_seen_by_is_done_implies_err<T: Contexts>() {
    check(CONTEXT_BOUND, || {
        let (ctx, cancel) = T::root();
        observe_cancel::<T, _>(&ctx, cancel, |ctx| {
            if T::is_done(ctx) {
                assert_err_visible::<T>(ctx);
            }
        });
        assert!(T::is_done(&ctx));
        assert_err_visible::<T>(&ctx);
    });
}

/// Done observed by returning from a blocking `wait` ⇒ the error is visible,
/// and it is what `wait` returned.
pub fn done_seen_by_wait_implies_err<T: Contexts>() {
    check(CONTEXT_BOUND, || {
        let (ctx, cancel) = T::root();
        observe_cancel::<T, _>(&ctx, cancel, |ctx| {
            let returned = T::wait(ctx);
            assert_eq!(
                returned,
                Some(Error::Canceled),
                "wait() returned without the error"
            );
            assert_err_visible::<T>(ctx);
        });
    });
}

/// Done observed by a completed `wait_async` future ⇒ the error is visible.
pub fn done_seen_by_wait_async_implies_err<T: Contexts>() {
    check(CONTEXT_BOUND, || {
        let (ctx, cancel) = T::root();
        observe_cancel::<T, _>(&ctx, cancel, |ctx| {
            let returned = block_on(T::wait_async(ctx));
            assert_eq!(
                returned,
                Some(Error::Canceled),
                "wait_async() completed without the error"
            );
            assert_err_visible::<T>(ctx);
        });
    });
}

/// Done observed as a closed `done()` channel ⇒ the error is visible. The
/// channel exists before the cancel starts, so the cancel must close it.
pub fn done_seen_on_channel_implies_err<T: Contexts>() {
    check(CONTEXT_BOUND, || {
        let (ctx, cancel) = T::root();
        let done = T::done(&ctx);
        let done = observe_cancel::<T, _>(&ctx, cancel, move |ctx| {
            if T::is_closed(&done) {
                assert_err_visible::<T>(ctx);
            }
            done
        });
        assert!(
            T::is_closed(&done),
            "done() still open after cancel returned"
        );
    });
}

/// An error visible ⇒ done is observable: `is_done`, and the `done()`
/// channel already closed. Go's `TestContextErrDoneRace` (#75533).
pub fn err_implies_done_observable<T: Contexts>() {
    check(CONTEXT_BOUND, || {
        let (ctx, cancel) = T::root();
        let done = T::done(&ctx); // as Go's test: the cancel has one to close
        observe_cancel::<T, _>(&ctx, cancel, move |ctx| {
            if T::err(ctx).is_some() {
                assert!(
                    T::is_closed(&done),
                    "err() reported an error while done() was still open"
                );
                assert!(T::is_done(ctx), "err() is set but is_done() is false");
            }
        });
    });
}

/// `done()` called for the first time while a cancel runs returns a channel
/// that is closed once the cancel has returned.
pub fn done_channel_created_during_cancel_closes<T: Contexts>() {
    check(CONTEXT_BOUND, || {
        let (ctx, cancel) = T::root();
        let done = observe_cancel::<T, _>(&ctx, cancel, |ctx| T::done(ctx));
        assert!(
            T::is_closed(&done),
            "a done() channel created during the cancel never closes"
        );
    });
}

/// The broken twins of these models: each is a textbook with one step
/// written the naive way, and `tests/twins.rs` runs it against the model
/// that must reject it.
pub mod twins {
    pub use self::done_fast_path::DoneFastPath;
    pub use self::err_skips_done::ErrSkipsDone;
    pub use self::signal_before_err::SignalBeforeErr;

    mod signal_before_err {
        //! Twin of model 4 (done ⇒ error): the done channel closed before the error
        //! is stored.
        //!
        //! **The bug.** Publication signals first and records why second: close the
        //! done channel, wake the waiters, and only then store the cause and the
        //! error. All of it happens under the node's lock, which looks safe, but
        //! the done channel and `err()`'s first load are read without that lock.
        //!
        //! **The interleaving.** The canceler closes the channel and is preempted
        //! before storing the error. A `select!` on `done()` fires; the code then
        //! asks `err()`, whose load still finds the context open: `None`, though
        //! done was observed. (Blocked threads and futures are not affected: they
        //! re-check under the lock, which the canceler still holds.)
        //!
        //! **Caught by** `done_seen_on_channel_implies_err`: "done observed but
        //! err() is not Canceled".

        use loom::sync::MutexGuard;
        use loom::sync::atomic::Ordering;

        use crate::context::Error;
        use crate::context::textbook::{Inner, Node, Steps, encode};

        /// The textbook context whose [`Steps::publish`] signals before it stores.
        #[derive(Debug)]
        pub struct SignalBeforeErr;

        impl Steps for SignalBeforeErr {
            fn publish<'a>(
                node: &'a Node,
                mut inner: MutexGuard<'a, Inner>,
                err: Error,
                cause: Option<&'static str>,
            ) -> MutexGuard<'a, Inner> {
                drop(inner.done_tx.take());
                node.waiters.notify_all();
                for (_, waker) in inner.wakers.drain(..) {
                    waker.wake();
                }
                // BUG: done is already observable, the error not yet.
                inner.cause = cause;
                node.err.store(encode(err), Ordering::Release);
                inner
            }
        }
    }

    mod err_skips_done {
        //! Twin of model 4 (error ⇒ done): `err()` as one atomic load, Go 1.25's
        //! regression #75533.
        //!
        //! **The bug.** Go 1.25 made `Err` lock-free: one atomic load of the error.
        //! The cancel stores the error first and closes the done channel after, so
        //! `Err` could report an error while `Done` was still open. Go 1.26 fixed it
        //! by having `Err` wait for the close; the textbook's `err()` waits for the
        //! canceler's lock. This twin reads the atomic and returns.
        //!
        //! **The interleaving.** The canceler stores the error and is preempted
        //! before closing the channel. A reader sees the error, then finds the done
        //! channel open: code that checks `err()` and then selects on `done()`
        //! blocks although the context is canceled.
        //!
        //! **Caught by** `err_implies_done_observable` (a port of Go's
        //! `TestContextErrDoneRace`): "err() reported an error while done() was
        //! still open".

        use loom::sync::atomic::Ordering;

        use crate::context::Error;
        use crate::context::textbook::{Node, Steps, decode};

        /// The textbook context whose [`Steps::err`] does not wait for the cancel
        /// to finish publishing.
        #[derive(Debug)]
        pub struct ErrSkipsDone;

        impl Steps for ErrSkipsDone {
            fn err(node: &Node) -> Option<Error> {
                decode(node.err.load(Ordering::Acquire)) // BUG: no wait for the close
            }
        }
    }

    mod done_fast_path {
        //! Twin of the done-channel model: `done()` decides on a stale state.
        //!
        //! **The bug.** `done()` creates its channel lazily and keeps the sender
        //! only while the context is open. It reads that state with a lock-free
        //! load *before* taking the lock, as a fast path, and does not read it again
        //! under the lock.
        //!
        //! **The interleaving.** `done()` loads "open" and is preempted; the cancel
        //! runs, finds no channel to close, and returns; `done()` then creates the
        //! channel and keeps its sender. Nobody will ever drop that sender: the
        //! channel of a canceled context stays open, and a `select!` on it blocks
        //! forever.
        //!
        //! **Caught by** `done_channel_created_during_cancel_closes`: "a done()
        //! channel created during the cancel never closes".

        use loom::sync::atomic::Ordering;

        use crate::context::textbook::{Done, Node, Steps, decode, done_channel};

        /// The textbook context whose [`Steps::done`] checks the state before
        /// taking the lock.
        #[derive(Debug)]
        pub struct DoneFastPath;

        impl Steps for DoneFastPath {
            fn done(node: &Node) -> Done {
                let open = decode(node.err.load(Ordering::Acquire)).is_none();
                let mut inner = node.lock(); // BUG: `open` may be stale by now
                if let Some(rx) = &inner.done_rx {
                    return rx.clone();
                }
                let (tx, rx) = done_channel();
                if open {
                    inner.done_tx = Some(tx);
                }
                inner.done_rx = Some(rx.clone());
                rx
            }
        }
    }
}
