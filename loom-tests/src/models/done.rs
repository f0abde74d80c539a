//! Model 4: done and the error are published together. Whoever observes
//! done, in any form, then reads the error; whoever reads an error finds
//! done observable in every form (Go's #75533).
//!
//! Each model is one thread observing while the main thread cancels, and
//! explores every way the observer's reads can fall inside the cancel.

use loom::future::block_on;
use loom::thread;

use crate::api::{Contexts, Error};
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
