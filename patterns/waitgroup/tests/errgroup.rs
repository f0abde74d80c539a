//! `errgroup::Group`: Go's own errgroup tests, ported, then our own.
//!
//! Source of the ported tests:
//! <https://github.com/golang/sync/blob/master/errgroup/errgroup_test.go>
//! (`TestZeroGroup`, `TestWithContext`, `TestTryGo`, `TestGoLimit`,
//! `TestCancelCause`; `ExampleGroup_parallel` is the `errgroup_parallel`
//! example). Copyright 2016 The Go Authors. All rights reserved. Use of the
//! Go source is governed by a BSD-style license:
//! <https://github.com/golang/sync/blob/master/LICENSE>.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use crossbeam_channel::bounded;
use go_waitgroup::errgroup::Group;

/// Go's `errors.New(text)`: a comparable error value.
#[derive(Debug, Clone, PartialEq, Eq)]
struct TestError(&'static str);

impl fmt::Display for TestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for TestError {}

/// Go's `nil` or an error.
fn result(err: Option<TestError>) -> Result<(), TestError> {
    err.map_or(Ok(()), Err)
}

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

/// The ported tests, as close to the Go as the languages allow.
mod golang {
    use super::*;

    #[test]
    fn test_zero_group() {
        let err1 = TestError("errgroup_test: 1");
        let err2 = TestError("errgroup_test: 2");

        let cases: [&[Option<TestError>]; 5] = [
            &[],
            &[None],
            &[Some(err1.clone())],
            &[Some(err1.clone()), None],
            &[Some(err1.clone()), None, Some(err2.clone())],
        ];

        for errs in cases {
            let g = Group::new();

            let mut first_err = None;
            for (i, err) in errs.iter().enumerate() {
                let task_err = err.clone();
                g.go(move || result(task_err));

                if first_err.is_none() && err.is_some() {
                    first_err = err.clone();
                }

                let g_err = g.wait();
                assert_eq!(
                    g_err,
                    result(first_err.clone()),
                    "after Group.go(|| err) for err in {:?}\ng.wait() = {g_err:?}; want {first_err:?}",
                    &errs[..=i],
                );
            }
        }
    }

    #[test]
    fn test_with_context() {
        let err_doom = TestError("group_test: doomed");

        let cases: [(&[Option<TestError>], Option<TestError>); 4] = [
            (&[], None),
            (&[None], None),
            (&[Some(err_doom.clone())], Some(err_doom.clone())),
            (&[Some(err_doom.clone()), None], Some(err_doom.clone())),
        ];

        for (errs, want) in cases {
            let (g, ctx) = Group::with_context(&go_context::background());

            for err in errs {
                let err = err.clone();
                g.go(move || result(err));
            }

            let err = g.wait();
            assert_eq!(
                err,
                result(want.clone()),
                "after Group.go(|| err) for err in {errs:?}\ng.wait() = {err:?}; want {want:?}"
            );

            assert!(
                ctx.is_done(),
                "after Group.go(|| err) for err in {errs:?}\nctx.done() was not closed"
            );
        }
    }

    #[test]
    fn test_try_go() {
        let g = Group::<TestError>::new();
        let n = 42;
        g.set_limit(Some(42));
        let (ch_tx, ch) = bounded::<()>(0);
        let f = || {
            let ch_tx = ch_tx.clone();
            move || {
                ch_tx.send(()).unwrap();
                Ok(())
            }
        };
        for i in 0..n {
            assert!(
                g.try_go(f()),
                "TryGo should succeed but got fail at {i}-th call."
            );
        }
        assert!(!g.try_go(f()), "TryGo is expected to fail but succeeded.");
        thread::spawn({
            let ch = ch.clone();
            move || {
                for _ in 0..n {
                    ch.recv().unwrap();
                }
            }
        });
        g.wait().unwrap();

        assert!(
            g.try_go(f()),
            "TryGo should success but got fail after all goroutines."
        );
        thread::spawn({
            let ch = ch.clone();
            move || ch.recv().unwrap()
        });
        g.wait().unwrap();

        // Switch limit.
        g.set_limit(Some(1));
        assert!(g.try_go(f()), "TryGo should success but got failed.");
        assert!(!g.try_go(f()), "TryGo should fail but succeeded.");
        thread::spawn({
            let ch = ch.clone();
            move || ch.recv().unwrap()
        });
        g.wait().unwrap();

        // Block all calls.
        g.set_limit(Some(0));
        for _ in 0..1 << 10 {
            assert!(!g.try_go(f()), "TryGo should fail but got succeeded.");
        }
        g.wait().unwrap();
    }

    #[test]
    fn test_go_limit() {
        const LIMIT: i32 = 10;

        let g = Group::<String>::new();
        g.set_limit(Some(LIMIT as usize));
        let active = Arc::new(AtomicI32::new(0));
        for _ in 0..=1 << 10 {
            let active = Arc::clone(&active);
            g.go(move || {
                let n = active.fetch_add(1, Ordering::SeqCst) + 1;
                if n > LIMIT {
                    return Err(format!("saw {n} active goroutines; want ≤ {LIMIT}"));
                }
                // Give other goroutines a chance to increment active.
                thread::sleep(Duration::from_micros(1));
                active.fetch_sub(1, Ordering::SeqCst);
                Ok(())
            });
        }
        if let Err(err) = g.wait() {
            panic!("{err}");
        }
    }

    #[test]
    fn test_cancel_cause() {
        let err_doom = TestError("group_test: doomed");

        let cases: [(&[Option<TestError>], Option<TestError>); 4] = [
            (&[], None),
            (&[None], None),
            (&[Some(err_doom.clone())], Some(err_doom.clone())),
            (&[Some(err_doom.clone()), None], Some(err_doom.clone())),
        ];

        for (errs, want) in cases {
            let (g, ctx) = Group::with_context(&go_context::background());

            for err in errs {
                let err = err.clone();
                g.try_go(move || result(err));
            }

            let err = g.wait();
            assert_eq!(
                err,
                result(want.clone()),
                "after Group.try_go(|| err) for err in {errs:?}\ng.wait() = {err:?}; want {want:?}"
            );

            let cause = go_context::cause(&ctx).expect("ctx is done");
            match &want {
                Some(want) => assert_eq!(
                    cause.downcast_ref::<TestError>(),
                    Some(want),
                    "after Group.try_go(|| err) for err in {errs:?}\ncontext::cause(&ctx) = {cause}; want {want}"
                ),
                None => assert_eq!(
                    cause.downcast_ref::<go_context::Error>(),
                    Some(&go_context::Error::Canceled),
                    "after Group.try_go(|| err) for err in {errs:?}\ncontext::cause(&ctx) = {cause}; want context canceled"
                ),
            }
        }
    }
}

mod first_error {
    use super::*;

    #[test]
    fn is_the_first_to_complete_not_the_first_started() {
        let (g, ctx) = Group::with_context(&go_context::background());
        let watcher = ctx.clone();
        g.go(move || {
            watcher.wait(); // returns only once the other task's error is in
            Err(TestError("started first"))
        });
        g.go(|| Err(TestError("finished first")));
        assert_eq!(g.wait(), Err(TestError("finished first")));
        let cause = ctx.cause().unwrap();
        assert_eq!(
            cause.downcast_ref::<TestError>(),
            Some(&TestError("finished first"))
        );
    }

    #[test]
    fn cancels_siblings_that_watch_the_context() {
        let (g, ctx) = Group::<TestError>::with_context(&go_context::background());
        let stopped = Arc::new(AtomicUsize::new(0));
        for _ in 0..3 {
            let (ctx, stopped) = (ctx.clone(), Arc::clone(&stopped));
            g.go(move || {
                assert_eq!(ctx.wait(), go_context::Error::Canceled);
                stopped.fetch_add(1, Ordering::Relaxed);
                Ok(())
            });
        }
        g.go(|| Err(TestError("doomed")));
        assert_eq!(g.wait(), Err(TestError("doomed")));
        assert_eq!(stopped.load(Ordering::Relaxed), 3);
    }

    #[test]
    fn parent_cancel_reaches_the_group_context() {
        let (parent, cancel) = go_context::with_cancel(&go_context::background());
        let (g, ctx) = Group::<TestError>::with_context(&parent);
        g.go(move || {
            ctx.wait();
            Ok(())
        });
        cancel.cancel();
        assert_eq!(g.wait(), Ok(()));
    }

    #[test]
    fn dropping_the_group_cancels_its_context_once_tasks_end() {
        let (g, ctx) = Group::<TestError>::with_context(&go_context::background());
        let (release_tx, release) = bounded::<()>(0);
        g.go(move || {
            release.recv().unwrap();
            Ok(())
        });
        drop(g);
        assert!(
            !ctx.is_done(),
            "the running task still belongs to the group"
        );
        release_tx.send(()).unwrap();
        assert_eq!(
            ctx.wait_timeout(Duration::from_secs(60)),
            Some(go_context::Error::Canceled)
        );
    }
}

mod limits {
    use super::*;

    #[test]
    fn go_blocks_until_a_slot_is_free() {
        let g = Group::<TestError>::new();
        g.set_limit(Some(1));
        let first_done = Arc::new(AtomicUsize::new(0));
        let (release_tx, release) = bounded::<()>(0);
        g.go({
            let first_done = Arc::clone(&first_done);
            move || {
                release.recv().unwrap();
                first_done.store(1, Ordering::Relaxed);
                Ok(())
            }
        });
        let second = thread::spawn({
            let (g, first_done) = (g.clone(), Arc::clone(&first_done));
            move || {
                g.go(move || match first_done.load(Ordering::Relaxed) {
                    1 => Ok(()),
                    _ => Err(TestError("ran while the only slot was taken")),
                })
            }
        });
        release_tx.send(()).unwrap();
        second.join().unwrap();
        assert_eq!(g.wait(), Ok(()));
        assert_eq!(
            format!("{g:?}"),
            "Group { active: 0, limit: Some(1), failed: false }"
        );
    }

    #[test]
    fn raising_the_limit_admits_a_blocked_go() {
        let g = Group::<TestError>::new();
        g.set_limit(Some(0));
        let blocked = thread::spawn({
            let g = g.clone();
            move || g.go(|| Ok(()))
        });
        g.set_limit(Some(1));
        blocked.join().unwrap();
        g.wait().unwrap();
    }

    #[test]
    fn new_limit_while_active_panics_with_gos_message() {
        let g = Group::<TestError>::new();
        let (release_tx, release) = bounded::<()>(0);
        for _ in 0..2 {
            let release = release.clone();
            g.go(move || {
                release.recv().unwrap();
                Ok(())
            });
        }
        let err = catch_unwind(AssertUnwindSafe(|| g.set_limit(Some(4)))).unwrap_err();
        assert_eq!(
            panic_text(err),
            "errgroup: modify limit while 2 goroutines in the group are still active"
        );
        g.set_limit(None); // removing the limit is always allowed, as in Go
        for _ in 0..2 {
            release_tx.send(()).unwrap();
        }
        g.wait().unwrap();
        g.set_limit(Some(4)); // idle again
    }
}

mod task_panics {
    use super::*;

    #[test]
    fn wait_panics_and_the_context_is_canceled() {
        let (g, ctx) = Group::<TestError>::with_context(&go_context::background());
        g.go(|| panic!("boom"));
        let err = catch_unwind(AssertUnwindSafe(|| g.wait())).unwrap_err();
        assert_eq!(panic_text(err), "errgroup: task panicked: boom");
        assert_eq!(ctx.err(), Some(go_context::Error::Canceled));
        let err = catch_unwind(AssertUnwindSafe(|| g.wait())).unwrap_err();
        assert_eq!(panic_text(err), "errgroup: task panicked: boom");
    }

    #[test]
    fn a_panicked_task_frees_its_slot() {
        let g = Group::<TestError>::new();
        g.set_limit(Some(1));
        g.go(|| panic!("boom"));
        g.go(|| Ok(())); // would block forever if the slot were lost
        let err = catch_unwind(AssertUnwindSafe(|| g.wait())).unwrap_err();
        assert_eq!(panic_text(err), "errgroup: task panicked: boom");
    }
}
