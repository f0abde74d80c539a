//! Go's own `sync.WaitGroup` tests, ported.
//!
//! Source: <https://github.com/golang/go/blob/master/src/sync/waitgroup_test.go>
//! (Go 1.26 cycle, with `TestWaitGroupGo` and `TestIssue76126`).
//!
//! Copyright The Go Authors. All rights reserved. Use of the Go source is
//! governed by a BSD-style license:
//! <https://github.com/golang/go/blob/master/LICENSE>.
//!
//! Not ported: `TestWaitGroupAlign`, which checks that the 64-bit state word
//! is aligned inside a struct on 32-bit platforms; `AtomicU64` is always
//! aligned in Rust.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};
use std::thread;

use crossbeam_channel::{TryRecvError, bounded};
use go_waitgroup::WaitGroup;

/// The text of a caught panic payload.
fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(text) => *text,
        Err(payload) => payload
            .downcast_ref::<&str>()
            .map(|text| text.to_string())
            .unwrap_or_default(),
    }
}

fn test_wait_group(wg1: &WaitGroup, wg2: &WaitGroup) {
    let n = 16;
    wg1.add(n);
    wg2.add(n);
    let (exited_tx, exited) = bounded(n as usize);
    for _ in 0..n {
        let (wg1, wg2, exited_tx) = (wg1.clone(), wg2.clone(), exited_tx.clone());
        thread::spawn(move || {
            wg1.done();
            wg2.wait();
            exited_tx.send(true).unwrap();
        });
    }
    wg1.wait();
    for _ in 0..n {
        assert_eq!(
            exited.try_recv(),
            Err(TryRecvError::Empty),
            "WaitGroup released group too soon"
        );
        wg2.done();
    }
    for _ in 0..n {
        exited.recv().unwrap(); // Will block if barrier fails to unlock someone.
    }
}

#[test]
fn test_wait_group_barrier() {
    let wg1 = WaitGroup::new();
    let wg2 = WaitGroup::new();

    // Run the same test a few times to ensure barrier is in a proper state.
    for _ in 0..8 {
        test_wait_group(&wg1, &wg2);
    }
}

#[test]
fn test_wait_group_misuse() {
    let wg = WaitGroup::new();
    wg.add(1);
    wg.done();
    let err = catch_unwind(AssertUnwindSafe(|| wg.done())).expect_err("Should panic");
    assert_eq!(panic_text(err), "sync: negative WaitGroup counter");
}

#[test]
fn test_wait_group_race() {
    // Run this test for about 1ms.
    for _ in 0..1000 {
        let wg = WaitGroup::new();
        let n = Arc::new(AtomicI32::new(0));
        // spawn goroutine 1
        wg.add(1);
        thread::spawn({
            let (wg, n) = (wg.clone(), Arc::clone(&n));
            move || {
                n.fetch_add(1, Ordering::SeqCst);
                wg.done();
            }
        });
        // spawn goroutine 2
        wg.add(1);
        thread::spawn({
            let (wg, n) = (wg.clone(), Arc::clone(&n));
            move || {
                n.fetch_add(1, Ordering::SeqCst);
                wg.done();
            }
        });
        // Wait for goroutine 1 and 2
        wg.wait();
        assert_eq!(n.load(Ordering::SeqCst), 2, "Spurious wakeup from Wait");
    }
}

#[test]
fn test_wait_group_go() {
    let wg = WaitGroup::new();
    // Go increments a plain `int`; the closest Rust can say across a
    // `'static` thread is a Relaxed atomic, which is just as unsynchronised:
    // only the WaitGroup orders the write before the read.
    let i = Arc::new(AtomicUsize::new(0));
    let task_i = Arc::clone(&i);
    wg.go(move || {
        task_i.fetch_add(1, Ordering::Relaxed);
    });
    wg.wait();
    assert_eq!(i.load(Ordering::Relaxed), 1, "got {i:?}, want 1");
}

/// Go's test runs a child process and checks that the task's panic kills it
/// before `Wait` can return. Rust's answer to the same bug: the task's panic
/// is caught and `wait` panics with it, so `wait` never returns normally.
#[test]
fn test_issue_76126() {
    let wg = WaitGroup::new();
    wg.go(|| panic!("test"));
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        wg.wait(); // must not return normally
        "Wait returned"
    }));
    let payload = outcome.expect_err("Wait returned");
    assert_eq!(panic_text(payload), "sync: WaitGroup task panicked: test");
}
