//! errgroup's `ExampleGroup_parallel`: fan out three searches, wait, and
//! fail as a whole if any one fails.
//!
//! From <https://github.com/golang/sync/blob/master/errgroup/errgroup_test.go>
//! (Copyright 2016 The Go Authors; BSD-style licence):
//!
//! ```go
//! func ExampleGroup_parallel() {
//!     Google := func(ctx context.Context, query string) ([]Result, error) {
//!         g, ctx := errgroup.WithContext(ctx)
//!
//!         searches := []Search{Web, Image, Video}
//!         results := make([]Result, len(searches))
//!         for i, search := range searches {
//!             g.Go(func() error {
//!                 result, err := search(ctx, query)
//!                 if err == nil {
//!                     results[i] = result
//!                 }
//!                 return err
//!             })
//!         }
//!         if err := g.Wait(); err != nil {
//!             return nil, err
//!         }
//!         return results, nil
//!     }
//!
//!     results, err := Google(context.Background(), "golang")
//!     if err != nil {
//!         fmt.Fprintln(os.Stderr, err)
//!         return
//!     }
//!     for _, result := range results {
//!         fmt.Println(result)
//!     }
//!
//!     // Output:
//!     // web result for "golang"
//!     // image result for "golang"
//!     // video result for "golang"
//! }
//! ```
//!
//! Run it with `cargo run -p go-waitgroup --example errgroup_parallel`.

use std::fmt;
use std::io::{self, Write};
use std::sync::{Arc, Mutex};

use go_context::Context;
use go_waitgroup::errgroup::Group;

type SearchResult = String;

/// Why a search failed.
#[derive(Debug, Clone)]
struct SearchError(String);

impl fmt::Display for SearchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SearchError {}

type Search = fn(&Context, &str) -> Result<SearchResult, SearchError>;

/// Go's `fakeSearch(kind)`: answers at once, never fails.
fn fake_search(kind: &str, _ctx: &Context, query: &str) -> Result<SearchResult, SearchError> {
    Ok(format!("{kind} result for {query:?}"))
}

const WEB: Search = |ctx, query| fake_search("web", ctx, query);
const IMAGE: Search = |ctx, query| fake_search("image", ctx, query);
const VIDEO: Search = |ctx, query| fake_search("video", ctx, query);

// ANCHOR: parallel
fn google(ctx: &Context, query: &str) -> Result<Vec<SearchResult>, SearchError> {
    let (g, ctx) = Group::with_context(ctx);

    let searches = [WEB, IMAGE, VIDEO];
    let results = Arc::new(Mutex::new(vec![SearchResult::new(); searches.len()]));
    for (i, search) in searches.into_iter().enumerate() {
        let (ctx, query, results) = (ctx.clone(), query.to_owned(), Arc::clone(&results));
        g.go(move || {
            let result = search(&ctx, &query)?;
            results.lock().unwrap()[i] = result;
            Ok(())
        });
    }
    g.wait()?;
    let results = results.lock().unwrap().clone();
    Ok(results)
}

fn run(out: &mut dyn Write) -> io::Result<()> {
    match google(&go_context::background(), "golang") {
        Ok(results) => {
            for result in results {
                writeln!(out, "{result}")?;
            }
        }
        Err(err) => eprintln!("{err}"),
    }
    Ok(())
}

fn main() -> io::Result<()> {
    run(&mut io::stdout())
}
// ANCHOR_END: parallel

#[test]
fn prints_what_the_book_shows() {
    let mut out = Vec::new();
    run(&mut out).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        include_str!("output/errgroup_parallel.txt")
    );
}
