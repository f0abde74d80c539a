//! Passing a value in a context and looking it up: Go's `ExampleWithValue`.
//!
//! The Go original, from `src/context/example_test.go` in the Go source tree
//! (Copyright The Go Authors, BSD-3-Clause; <https://go.dev/LICENSE>):
//!
//! ```go
//! func ExampleWithValue() {
//!     type favContextKey string
//!
//!     f := func(ctx context.Context, k favContextKey) {
//!         if v := ctx.Value(k); v != nil {
//!             fmt.Println("found value:", v)
//!             return
//!         }
//!         fmt.Println("key not found:", k)
//!     }
//!
//!     k := favContextKey("language")
//!     ctx := context.WithValue(context.Background(), k, "Go")
//!
//!     f(ctx, k)
//!     f(ctx, favContextKey("color"))
//!     // Output:
//!     // found value: Go
//!     // key not found: color
//! }
//! ```
//!
//! Go's private key type becomes one `static` per key; the key's type
//! parameter says what its value is.
//!
//! Run it with `cargo run -p go-context --example go_with_value`.

use std::io::{self, Write};

use go_context::{Context, Key};

// ANCHOR: main
static LANGUAGE: Key<&str> = Key::new("language");
static COLOR: Key<&str> = Key::new("color");

fn f(out: &mut dyn Write, ctx: &Context, k: &'static Key<&'static str>) -> io::Result<()> {
    if let Some(v) = ctx.value(k) {
        return writeln!(out, "found value: {v}");
    }
    writeln!(out, "key not found: {}", k.name())
}

fn run(out: &mut dyn Write) -> io::Result<()> {
    let ctx = go_context::with_value(&go_context::background(), &LANGUAGE, "Go");

    f(out, &ctx, &LANGUAGE)?;
    f(out, &ctx, &COLOR)
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
        include_str!("output/go_with_value.txt")
    );
}
