//! Deriving contexts never starts a thread: Go's `XTestCustomContextGoroutines`
//! in Rust terms.
//!
//! Go starts a watcher goroutine per child of a custom parent whose
//! cancellation it cannot see, and counts them. Rust's `Context` is a closed
//! type, so every parent is one of the crate's own and tells its children
//! directly: the count must stay at zero. This file is its own process with a
//! single test, so the operating system's thread count of the process is
//! exact; the one thread the crate does start on demand, for an `after_func`
//! callback, shows that the count can move.
#![cfg(target_os = "linux")]

use std::sync::mpsc;
use std::time::{Duration, Instant};

use go_context::{Key, after_func, background, with_cancel, with_cancel_cause, with_value};
use go_context::{with_timeout, without_cancel};

const QUIESCENT: Duration = Duration::from_secs(10);

/// The names of this process's threads, from `/proc/self/task/*/comm`.
fn threads() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir("/proc/self/task")
        .expect("/proc/self/task")
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
        .map(|name| name.trim_end().to_owned())
        .collect();
    names.sort();
    names
}

/// Polls [`threads`] until `ready` holds (a new thread names itself once it
/// runs), or [`QUIESCENT`] passes; returns the last listing.
fn threads_once(ready: impl Fn(&[String]) -> bool) -> Vec<String> {
    let give_up = Instant::now() + QUIESCENT;
    loop {
        let names = threads();
        if ready(&names) || Instant::now() >= give_up {
            return names;
        }
        std::thread::yield_now();
    }
}

#[test]
fn deriving_contexts_starts_no_thread() {
    static LAYER: Key<usize> = Key::new("layer");

    // The first deadline starts the process-wide timer thread, once.
    drop(with_timeout(&background(), Duration::from_secs(3600)));
    let before = threads_once(|names| names.iter().any(|name| name == "context-timer"));
    assert!(
        before.iter().any(|name| name == "context-timer"),
        "{before:?}"
    );

    // A thousand contexts of every kind, each derived from the last: live
    // parents, wrapper layers, a detached branch, timers, registrations.
    let (root, cancel_root) = with_cancel(&background());
    let mut ctx = root.clone();
    let mut handles = Vec::new();
    let mut links = Vec::new();
    for i in 0..1000 {
        ctx = match i % 6 {
            0 => {
                let (c, cancel) = with_cancel(&ctx);
                handles.push(cancel);
                c
            }
            1 => with_value(&ctx, &LAYER, i),
            2 => {
                let (c, cancel) = with_timeout(&ctx, Duration::from_secs(3600));
                handles.push(cancel);
                c
            }
            3 => {
                let (c, cancel) = with_cancel_cause(&without_cancel(&ctx));
                cancel.disarm();
                c
            }
            4 => {
                links.push(after_func(&ctx, || {}));
                ctx
            }
            _ => {
                let (c, cancel) = with_cancel_cause(&ctx);
                cancel.disarm();
                c
            }
        };
    }
    assert_eq!(threads(), before, "deriving started a thread");

    // Canceling runs on the canceling thread: the root, then (dropping the
    // handles) every detached branch below a `without_cancel`.
    for link in &links {
        assert!(link.stop());
    }
    cancel_root.cancel();
    assert!(root.is_done());
    drop(handles);
    assert_eq!(threads(), before, "canceling started a thread");

    // Deriving from a canceled parent starts nothing either.
    let (late, _cancel) = with_timeout(&root, Duration::from_secs(3600));
    assert!(late.is_done());
    assert_eq!(threads(), before);

    // The one thread the crate starts on demand: an after_func callback's.
    let (ctx, cancel) = with_cancel(&background());
    let (release_tx, release) = mpsc::channel::<()>();
    let _link = after_func(&ctx, move || {
        let _ = release.recv();
    });
    cancel.cancel();
    let is_callback = |name: &String| name.starts_with("context-after");
    let during = threads_once(|names| names.iter().any(is_callback));
    assert_eq!(during.len(), before.len() + 1, "{during:?}");
    assert!(during.iter().any(is_callback), "{during:?}");

    // It ends when the callback returns.
    drop(release_tx);
    assert_eq!(threads_once(|names| names == before), before);
}
