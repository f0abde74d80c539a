//! Exercise: a handler that gathers its backends (the Context part).
//!
//! The Go handler to port: it calls every backend at once, each on a
//! goroutine of its own, under a context that ends when the request does,
//! when the handler's budget runs out, or when one backend fails, with that
//! backend's error as the cause. It returns every answer, in the backends'
//! order, or the first error.
//!
//! ```go
//! type Backend func(ctx context.Context) (string, error)
//!
//! func Gather(request context.Context, budget time.Duration, backends []Backend) ([]string, error) {
//!     ctx, cancelTimeout := context.WithTimeout(request, budget)
//!     defer cancelTimeout()
//!     ctx, cancel := context.WithCancelCause(ctx)
//!     defer cancel(nil)
//!
//!     type reply struct {
//!         i      int
//!         answer string
//!         err    error
//!     }
//!     replies := make(chan reply)
//!     for i, backend := range backends {
//!         go func() {
//!             answer, err := backend(ctx)
//!             replies <- reply{i, answer, err}
//!         }()
//!     }
//!     answers := make([]string, len(backends))
//!     var first error
//!     for range backends {
//!         r := <-replies
//!         if r.err != nil && first == nil {
//!             first = r.err
//!             cancel(r.err) // the others stop, and can tell why
//!         }
//!         answers[r.i] = r.answer
//!     }
//!     if first != nil {
//!         return nil, first
//!     }
//!     return answers, nil
//! }
//! ```
//!
//! Write `gather` with `go_context`: `with_timeout`, then
//! `with_cancel_cause`, a thread per backend with its own clone of the
//! context, and a channel for the replies. A backend's error is a
//! `go_context::Cause`, the type `cancel` takes as its cause. When
//! `gather` returns, nothing it derived may stay registered with `request`:
//! in Rust that is what dropping the cancel handles does, so no `defer` is
//! needed.
//!
//! Test it: `cargo test -p book-exercises --features starter --test gather`.

use std::time::Duration;

use go_context::{Cause, Context};

/// What a backend returns: its answer, or why it failed.
pub type Reply = Result<String, Cause>;

/// A backend: called once, on a thread of its own, with the handler's
/// context, which it should watch.
pub type Backend = Box<dyn FnOnce(&Context) -> Reply + Send>;

/// Calls every backend at once under a context derived from `request` and
/// bounded by `budget`; returns the answers in the backends' order, or the
/// first error, after canceling the other backends with that error as the
/// cause.
pub fn gather(
    request: &Context,
    budget: Duration,
    backends: Vec<Backend>,
) -> Result<Vec<String>, Cause> {
    // Your code here.
    let _ = (request, budget, backends);
    Ok(Vec::new())
}
