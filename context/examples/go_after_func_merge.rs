//! A context canceled when either of two contexts is, built with
//! `after_func`: Go's `ExampleAfterFunc_merge`.
//!
//! The Go original, from `src/context/example_test.go` in the Go source tree
//! (Copyright The Go Authors, BSD-3-Clause; <https://go.dev/LICENSE>):
//!
//! ```go
//! func ExampleAfterFunc_merge() {
//!     // mergeCancel returns a context that contains the values of ctx,
//!     // and which is canceled when either ctx or cancelCtx is canceled.
//!     mergeCancel := func(ctx, cancelCtx context.Context) (context.Context, context.CancelFunc) {
//!         ctx, cancel := context.WithCancelCause(ctx)
//!         stop := context.AfterFunc(cancelCtx, func() {
//!             cancel(context.Cause(cancelCtx))
//!         })
//!         return ctx, func() {
//!             stop()
//!             cancel(context.Canceled)
//!         }
//!     }
//!
//!     ctx1, cancel1 := context.WithCancelCause(context.Background())
//!     defer cancel1(errors.New("ctx1 canceled"))
//!
//!     ctx2, cancel2 := context.WithCancelCause(context.Background())
//!
//!     mergedCtx, mergedCancel := mergeCancel(ctx1, ctx2)
//!     defer mergedCancel()
//!
//!     cancel2(errors.New("ctx2 canceled"))
//!     <-mergedCtx.Done()
//!     fmt.Println(context.Cause(mergedCtx))
//!     // Output:
//!     // ctx2 canceled
//! }
//! ```
//!
//! Go's deferred calls run in reverse order at the end; here they are written
//! out there, in that order.
//!
//! Run it with `cargo run -p go-context --example go_after_func_merge`.

use std::io::{self, Write};
use std::sync::Arc;

use go_context::{Cause, Context};

// ANCHOR: merge_cancel
/// Returns a context with the values of `ctx` that is canceled when either
/// `ctx` or `cancel_ctx` is, and the function that cancels it.
fn merge_cancel(ctx: &Context, cancel_ctx: &Context) -> (Context, impl FnOnce() + use<>) {
    let (ctx, cancel) = go_context::with_cancel_cause(ctx);
    let cancel = Arc::new(cancel);
    let stop = go_context::after_func(cancel_ctx, {
        let (cancel, cancel_ctx) = (Arc::clone(&cancel), cancel_ctx.clone());
        move || cancel.cancel(cancel_ctx.cause())
    });
    let merged_cancel = move || {
        stop.stop();
        cancel.cancel(Some(Arc::new(go_context::Error::Canceled)));
    };
    (ctx, merged_cancel)
}
// ANCHOR_END: merge_cancel

/// Go's `errors.New(msg)`.
fn error(msg: &'static str) -> Cause {
    Arc::new(io::Error::other(msg))
}

// ANCHOR: main
fn run(out: &mut dyn Write) -> io::Result<()> {
    let (ctx1, cancel1) = go_context::with_cancel_cause(&go_context::background());
    let (ctx2, cancel2) = go_context::with_cancel_cause(&go_context::background());

    let (merged_ctx, merged_cancel) = merge_cancel(&ctx1, &ctx2);

    cancel2.cancel(Some(error("ctx2 canceled")));
    merged_ctx.wait();
    writeln!(out, "{}", merged_ctx.cause().unwrap())?;

    merged_cancel(); // Go: defer mergedCancel()
    cancel1.cancel(Some(error("ctx1 canceled"))); // Go: defer cancel1(…)
    Ok(())
}
// ANCHOR_END: main

fn main() -> io::Result<()> {
    run(&mut io::stdout())
}

#[test]
fn prints_what_the_book_shows() {
    let mut out = Vec::new();
    run(&mut out).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        include_str!("output/go_after_func_merge.txt")
    );
}
