//! A small context tree, before and after canceling one branch, then the root.
//!
//! The tree (`a2` hangs below `a` through a value layer, which is not a node of
//! the cancel tree: `a2` registers with `a` directly):
//!
//! ```text
//! root ─┬─ a ─┬─ a1
//!       │     └─ (request = "r-7") ── a2
//!       └─ b ──── b1  (timeout: 1 h)
//! ```
//!
//! The articles state the rules in Go's words: "When a Context is canceled,
//! all Contexts derived from it are also canceled", and "Calling the
//! CancelFunc cancels the child and its children, removes the parent's
//! reference to the child, and stops any associated timers." The same tree in
//! Go, for comparison:
//!
//! ```go
//! root, cancelRoot := context.WithCancel(context.Background())
//! a, cancelA := context.WithCancel(root)
//! b, cancelB := context.WithCancel(root)
//! a1, cancelA1 := context.WithCancel(a)
//! a2, cancelA2 := context.WithCancel(context.WithValue(a, requestKey{}, "r-7"))
//! b1, cancelB1 := context.WithTimeout(b, time.Hour)
//! cancelA()    // a, a1, a2 done; root and b not
//! cancelRoot() // everything done
//! ```
//!
//! Each line shows a context's state and how many children are registered
//! with it (`go_context::testing::child_count`, Go's `len(c.children)`).
//!
//! Run it with `cargo run -p go-context --example cancel_tree`.

use std::io::{self, Write};
use std::time::Duration;

use go_context::testing::child_count;
use go_context::{Context, Key};

static REQUEST: Key<&str> = Key::new("request");

// ANCHOR: show
fn show(out: &mut dyn Write, title: &str, tree: &[(&str, &Context)]) -> io::Result<()> {
    writeln!(out, "{title}")?;
    for (name, ctx) in tree {
        let state = match ctx.err() {
            None => "live".to_owned(),
            Some(err) => err.to_string(),
        };
        let children = child_count(ctx);
        writeln!(out, "  {name:<4} {state:<17} children: {children}")?;
    }
    Ok(())
}
// ANCHOR_END: show

fn run(out: &mut dyn Write) -> io::Result<()> {
    // ANCHOR: build
    let (root, cancel_root) = go_context::with_cancel(&go_context::background());
    let (a, cancel_a) = go_context::with_cancel(&root);
    let (b, _cancel_b) = go_context::with_cancel(&root);
    let (a1, _cancel_a1) = go_context::with_cancel(&a);
    let request = go_context::with_value(&a, &REQUEST, "r-7");
    let (a2, _cancel_a2) = go_context::with_cancel(&request);
    let (b1, _cancel_b1) = go_context::with_timeout(&b, Duration::from_secs(3600));
    // ANCHOR_END: build

    let tree = [
        ("root", &root),
        ("a", &a),
        ("a1", &a1),
        ("a2", &a2),
        ("b", &b),
        ("b1", &b1),
    ];
    show(out, "before:", &tree)?;
    writeln!(
        out,
        "  (a2 sees request = {:?})",
        a2.value(&REQUEST).unwrap()
    )?;

    // ANCHOR: cancel
    cancel_a.cancel(); // a's subtree is done before this returns
    show(out, "after cancel_a.cancel():", &tree)?;

    cancel_root.cancel();
    show(out, "after cancel_root.cancel():", &tree)?;
    // ANCHOR_END: cancel
    Ok(())
}

fn main() -> io::Result<()> {
    run(&mut io::stdout())
}

#[test]
fn prints_what_the_book_shows() {
    let mut out = Vec::new();
    run(&mut out).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        include_str!("output/cancel_tree.txt")
    );
}
