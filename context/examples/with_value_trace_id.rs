//! A trace id carried by a context under a typed key: the articles'
//! `WithValue` snippet and its `favContextKey` advice.
//!
//! The Go original, from the article on the three ways to control goroutines
//! (`WaitGroup`, `select` + `chan`, `Context`):
//!
//! ```go
//! // Define your own key type, such as:
//! type favContextKey string
//!
//! ctx := context.WithValue(context.Background(), "trace_id", fvaContextKey("123"))
//! ctx.Value("trace_id").(string)
//! ```
//!
//! (`fvaContextKey` is the article's typo for `favContextKey`.) As written, the snippet contradicts its own advice: the key is a plain
//! string (which another package may also use) and the value is the
//! `favContextKey`, so the `.(string)` assertion panics at run time. What the
//! advice means is that the *key* gets a type of its own, so that packages
//! cannot collide. In Rust a key is a `static` of type `Key<T>`: its address
//! is its identity (two packages' `trace_id` keys never collide) and `T` is
//! the value's type (a lookup cannot fail a type assertion).
//!
//! Run it with `cargo run -p go-context --example with_value_trace_id`.

use std::io::{self, Write};

use go_context::Context;

// ANCHOR: keys
/// The tracing middleware's key: the value is a `String`.
mod tracing {
    pub(crate) static TRACE_ID: go_context::Key<String> = go_context::Key::new("trace_id");
}

/// Another package that also says "trace_id", with a number: a different key.
mod billing {
    pub(crate) static TRACE_ID: go_context::Key<u64> = go_context::Key::new("trace_id");
}
// ANCHOR_END: keys

// ANCHOR: lookup
fn handle(out: &mut dyn Write, ctx: &Context) -> io::Result<()> {
    // Go: ctx.Value("trace_id").(string); here typed, and `None` if unset.
    let trace_id: Option<&String> = ctx.value(&tracing::TRACE_ID);
    writeln!(out, "  tracing's trace_id: {trace_id:?}")?;
    writeln!(
        out,
        "  billing's trace_id: {:?}",
        ctx.value(&billing::TRACE_ID)
    )
}

fn run(out: &mut dyn Write) -> io::Result<()> {
    let ctx = go_context::with_value(
        &go_context::background(),
        &tracing::TRACE_ID,
        "123".to_owned(),
    );
    writeln!(out, "{ctx}")?;
    handle(out, &ctx)?;

    let ctx = go_context::with_value(&ctx, &billing::TRACE_ID, 9001);
    writeln!(out, "{ctx}")?;
    handle(out, &ctx)
}
// ANCHOR_END: lookup

fn main() -> io::Result<()> {
    run(&mut io::stdout())
}

#[test]
fn prints_what_the_book_shows() {
    let mut out = Vec::new();
    run(&mut out).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        include_str!("output/with_value_trace_id.txt")
    );
}
