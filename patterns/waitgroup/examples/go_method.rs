//! Go 1.25's `wg.Go(f)`: start a task and count it in one call.
//!
//! Go's `sync.WaitGroup` example, as of Go 1.25
//! (<https://pkg.go.dev/sync#example-WaitGroup>; BSD licence, The Go Authors):
//!
//! ```go
//! func ExampleWaitGroup() {
//!     var wg sync.WaitGroup
//!     var urls = []string{
//!         "http://www.golang.org/",
//!         "http://www.google.com/",
//!         "http://www.example.com/",
//!     }
//!     for _, url := range urls {
//!         // Launch a goroutine to fetch the URL.
//!         wg.Go(func() {
//!             // Fetch the URL.
//!             http.Get(url)
//!         })
//!     }
//!     // Wait for all HTTP fetches to complete.
//!     wg.Wait()
//! }
//! ```
//!
//! The fetch is simulated (no network); the results come back in URL order.
//! The second half shows `go_scoped`, whose tasks may borrow.
//!
//! Run it with `cargo run -p go-waitgroup --example go_method`.

use std::io::{self, Write};
use std::sync::{Arc, Mutex};
use std::thread;

use go_waitgroup::WaitGroup;

/// Stands in for `http.Get(url)`: the length of a pretend page.
fn fetch(url: &str) -> usize {
    url.len() * 100
}

// ANCHOR: go
fn run(out: &mut dyn Write) -> io::Result<()> {
    let urls = [
        "http://www.golang.org/",
        "http://www.google.com/",
        "http://www.example.com/",
    ];

    // `go` takes a `'static` closure: move what the task needs into it.
    let wg = WaitGroup::new();
    let sizes = Arc::new(Mutex::new(vec![0; urls.len()]));
    for (i, url) in urls.into_iter().enumerate() {
        let sizes = Arc::clone(&sizes);
        // Launch a thread to fetch the URL.
        wg.go(move || sizes.lock().unwrap()[i] = fetch(url));
    }
    // Wait for all fetches to complete.
    wg.wait();
    for (url, size) in urls.iter().zip(sizes.lock().unwrap().iter()) {
        writeln!(out, "fetched {url}: {size} bytes")?;
    }

    // `go_scoped` takes a closure that borrows: here each task fills its
    // own slot of a local array.
    let mut lengths = [0; 3];
    thread::scope(|s| {
        for (slot, url) in lengths.iter_mut().zip(urls) {
            wg.go_scoped(s, move || *slot = url.len());
        }
        wg.wait();
    });
    writeln!(out, "url lengths: {lengths:?}")?;
    Ok(())
}

fn main() -> io::Result<()> {
    run(&mut io::stdout())
}
// ANCHOR_END: go

#[test]
fn prints_what_the_book_shows() {
    let mut out = Vec::new();
    run(&mut out).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        include_str!("output/go_method.txt")
    );
}
