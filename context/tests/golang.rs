//! Go's own tests of package `context`, ported to this crate.
//!
//! Ported from the Go source tree, `src/context` (snapshot: the go1.28
//! development cycle), one `mod` per Go file below, each test named after its
//! Go original in snake_case:
//! <https://github.com/golang/go/tree/master/src/context>
//!
//! The originals are Copyright 2014 The Go Authors, all rights reserved, and
//! are used under Go's BSD-3-Clause licence: <https://go.dev/LICENSE>.
//!
//! How the Go reads in Rust here:
//!
//! - `quiescent(t)`, Go's failure timeout, is [`QUIESCENT`]; waits use it as a
//!   bound, never as a sleep.
//! - `select { case <-c.Done(): default: }` is [`done_now`], a non-blocking
//!   receive on `c.done()`.
//! - `otherContext{c}`, a wrapper type that is not one of the package's own,
//!   is [`other_context`]: Rust's `Context` is a closed type, so the nearest
//!   thing is a link in the chain that adds nothing, a value layer under a
//!   private key. Lookups and registrations must pass through it, as they
//!   must pass through Go's wrapper.
//! - `c, cancel := WithCancel(p)` binds the handle; Go's `c, _ := …` becomes
//!   `_cancel` while `c` is in use, or `.disarm()` where `c` must outlive the
//!   handle, because dropping a `CancelFunc` cancels (Go's `defer cancel()`).
//! - `go f()` is `go!(f())`.
//! - Tests Go marks `t.Parallel()` need nothing: libtest runs tests in parallel.
//!
//! Where Rust makes a Go test meaningless (nil parents, non-comparable keys,
//! custom `Context` implementations), the test says so and checks the Rust
//! equivalent instead.

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::{RecvTimeoutError, TryRecvError};
use go_context::{
    Cause, Context, Error, Key, after_func, background, todo, with_cancel, with_cancel_cause,
    with_deadline, with_timeout, with_timeout_cause, with_value, without_cancel,
};

/// Go's `shortDuration`: a reasonable duration to block in a test.
const SHORT: Duration = Duration::from_millis(1);
/// Go's `veryLongDuration`: never, for a test.
const VERY_LONG: Duration = Duration::from_secs(1000 * 3600);
/// Go's `quiescent(t)`: by when any remaining work must be finished. Only a
/// failing test waits this long.
const QUIESCENT: Duration = Duration::from_secs(10);

/// Go's `go` statement.
macro_rules! go {
    ($($body:tt)*) => {
        thread::spawn(move || { $($body)* })
    };
}

/// Go's `select { case <-c.Done(): return true; default: return false }`.
fn done_now(c: &Context) -> bool {
    matches!(c.done().try_recv(), Err(TryRecvError::Disconnected))
}

/// Go's `otherContext{c}`; see the file's documentation.
fn other_context(c: &Context) -> Context {
    static OTHER: Key<()> = Key::new("otherContext");
    with_value(c, &OTHER, ())
}

/// Go's `fmt.Errorf(msg)`: a fresh error whose identity tests can compare.
fn errorf(msg: &str) -> Cause {
    Arc::new(std::io::Error::other(msg.to_owned()))
}

/// Go's `err1 == err2` for errors: the same error value.
fn same(a: &Cause, b: &Cause) -> bool {
    Arc::ptr_eq(a, b)
}

/// A tiny deterministic generator for the tests Go seeds from the clock.
struct Rng(u64);

impl Rng {
    fn seeded_from_clock() -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64);
        Rng(nanos | 1)
    }

    fn seed(&self) -> u64 {
        self.0
    }

    /// Go's `r.Intn(n)` (xorshift64).
    fn intn(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// <https://github.com/golang/go/blob/master/src/context/context_test.go>:
/// the white-box tests. Go reads `parent.children` directly; here
/// `go_context::testing::child_count` gives the same number.
mod context_test {
    use super::*;
    use go_context::testing::child_count;

    // XTestParentFinishesChild
    #[test]
    fn test_parent_finishes_child() {
        // Context tree:
        // parent -> cancel_child
        // parent -> value_child -> timer_child
        // parent -> after_child
        let (parent, cancel) = with_cancel(&background());
        let (cancel_child, _stop) = with_cancel(&parent);
        static KEY: Key<&str> = Key::new("key");
        let value_child = with_value(&parent, &KEY, "value");
        let (timer_child, _stop) = with_timeout(&value_child, VERY_LONG);
        let after_stop = after_func(&parent, || {});

        for (name, c) in [
            ("parent", &parent),
            ("cancel_child", &cancel_child),
            ("timer_child", &timer_child),
            ("value_child", &value_child),
        ] {
            assert!(!done_now(c), "<-{name}.Done() should block");
        }

        // The parent's children are the three cancelable children: the
        // cancel child, the timer child (registered through the value layer)
        // and the after_func registration. The value layer is not a child.
        assert_eq!(child_count(&parent), 3, "bad linkage");
        // Go's parentCancelCtx(child.Context) == parent: each child reports
        // the parent's cancellation, so canceling the parent reaches it.

        cancel.cancel();

        assert_eq!(child_count(&parent), 0, "cancel didn't clear the children");

        // parent and children should all be finished.
        for (name, c) in [
            ("parent", &parent),
            ("cancel_child", &cancel_child),
            ("value_child", &value_child),
            ("timer_child", &timer_child),
        ] {
            assert!(done_now(c), "<-{name}.Done() blocked, but shouldn't have");
            assert_eq!(c.err(), Some(Error::Canceled), "{name}.Err()");
        }
        assert!(!after_stop.stop(), "the after_func was already started");

        // A value layer on a canceled parent is canceled.
        let precanceled_child = with_value(&parent, &KEY, "value");
        assert!(done_now(&precanceled_child));
        assert_eq!(precanceled_child.err(), Some(Error::Canceled));
    }

    // XTestChildFinishesFirst
    #[test]
    fn test_child_finishes_first() {
        let (cancelable, _stop) = with_cancel(&background());
        for (parent, is_cancelable) in [(background(), false), (cancelable, true)] {
            let (child, cancel) = with_cancel(&parent);

            assert!(!done_now(&parent), "<-parent.Done() should block");
            assert!(!done_now(&child), "<-child.Done() should block");

            // Go's parentCancelCtx(child) is found only for a cancelable
            // parent; then the child is its only child.
            let want = usize::from(is_cancelable);
            assert_eq!(child_count(&parent), want, "bad linkage");

            cancel.cancel();

            assert_eq!(child_count(&parent), 0, "child's cancel didn't remove self");

            // child should be finished.
            assert!(
                done_now(&child),
                "<-child.Done() blocked, but shouldn't have"
            );
            assert_eq!(child.err(), Some(Error::Canceled));

            // parent should not be finished.
            assert!(!done_now(&parent), "<-parent.Done() should block");
            assert_eq!(parent.err(), None);
        }
    }

    // XTestCancelRemoves
    #[test]
    fn test_cancel_removes() {
        let check_children = |when: &str, ctx: &Context, want: usize| {
            let got = child_count(ctx);
            assert_eq!(got, want, "{when}: context has {got} children, want {want}");
        };

        let (ctx, _cancel_ctx) = with_cancel(&background());
        check_children("after creation", &ctx, 0);
        let (_c, cancel) = with_cancel(&ctx);
        check_children("with WithCancel child", &ctx, 1);
        cancel.cancel();
        check_children("after canceling WithCancel child", &ctx, 0);

        let (ctx, _cancel_ctx) = with_cancel(&background());
        check_children("after creation", &ctx, 0);
        let (_c, cancel) = with_timeout(&ctx, Duration::from_secs(60 * 60));
        check_children("with WithTimeout child", &ctx, 1);
        cancel.cancel();
        check_children("after canceling WithTimeout child", &ctx, 0);

        let (ctx, _cancel_ctx) = with_cancel(&background());
        check_children("after creation", &ctx, 0);
        let stop = after_func(&ctx, || {});
        check_children("with AfterFunc child", &ctx, 1);
        stop.stop();
        check_children("after stopping AfterFunc child", &ctx, 0);
    }

    // XTestCustomContextGoroutines
    //
    // Go counts the watcher goroutines it starts for custom parents whose
    // cancellation it cannot see. Rust's `Context` is a closed type: every
    // parent is one of the crate's own, so no watcher is ever needed. The
    // thread count itself is checked in `tests/no_watcher_threads.rs` (its own
    // process, so that no other test's threads disturb the count). Here, the
    // shape of Go's sequence: children derived through wrappers (`myCtx`, a
    // value layer here) register with the nearest cancel node directly and are
    // canceled synchronously, on live and on canceled parents alike.
    #[test]
    fn test_custom_context_goroutines() {
        let (ctx1, cancel1) = with_cancel(&background());
        let ctx2 = other_context(&ctx1); // Go's &myCtx{ctx1}
        let (ctx3, _cancel3) = with_cancel(&ctx2);
        assert_eq!(
            child_count(&ctx1),
            1,
            "ctx3 registers with ctx1 through ctx2"
        );

        let (ctx4, _cancel4) = with_timeout(&ctx3, VERY_LONG);
        let (ctx5, cancel5) = with_cancel(&ctx4);
        assert_eq!(child_count(&ctx3), 1);
        assert_eq!(child_count(&ctx4), 1);

        cancel5.cancel();
        assert_eq!(child_count(&ctx4), 0);

        // Derived from a canceled parent: born canceled, registered nowhere.
        let (ctx6, cancel6) = with_timeout(&ctx5, VERY_LONG);
        assert!(done_now(&ctx6));
        assert_eq!(child_count(&ctx5), 0);
        cancel6.cancel();

        cancel1.cancel();
        assert!(done_now(&ctx3) && done_now(&ctx4));
        let (ctx7, _cancel7) = with_cancel(&ctx5);
        assert!(done_now(&ctx7));
    }
}

/// <https://github.com/golang/go/blob/master/src/context/x_test.go>: the
/// black-box tests.
mod x_test {
    use super::*;
    use crossbeam_channel::never;

    // TestBackground
    #[test]
    fn test_background() {
        let c = background();
        assert!(!done_now(&c), "<-c.Done() should block");
        assert!(c.done().same_channel(&never()), "Done is Go's nil channel");
        assert_eq!(c.to_string(), "context.Background");
    }

    // TestTODO
    #[test]
    fn test_todo() {
        let c = todo();
        assert!(!done_now(&c), "<-c.Done() should block");
        assert!(c.done().same_channel(&never()), "Done is Go's nil channel");
        assert_eq!(c.to_string(), "context.TODO");
    }

    // TestWithCancel
    #[test]
    fn test_with_cancel() {
        let (c1, cancel) = with_cancel(&background());
        assert_eq!(c1.to_string(), "context.Background.WithCancel");

        let o = other_context(&c1);
        let (c2, _cancel2) = with_cancel(&o);
        let contexts = [c1, o, c2];

        for (i, c) in contexts.iter().enumerate() {
            let d = c.done();
            assert!(!d.same_channel(&never()), "c[{i}].Done() is nil");
            assert!(d.same_channel(c.done()), "c[{i}].Done() changes");
            assert_eq!(c.err(), None, "c[{i}].Err()");
            assert!(!done_now(c), "<-c[{i}].Done() should block");
        }

        cancel.cancel(); // Should propagate synchronously.
        for (i, c) in contexts.iter().enumerate() {
            assert!(done_now(c), "<-c[{i}].Done() blocked, but shouldn't have");
            assert_eq!(c.err(), Some(Error::Canceled), "c[{i}].Err()");
        }
    }

    // testDeadline
    #[track_caller]
    fn test_deadline_of(c: &Context, name: &str) {
        match c.done().recv_timeout(QUIESCENT) {
            Err(RecvTimeoutError::Disconnected) => {}
            other => panic!("{name}: context not timed out after {QUIESCENT:?}: {other:?}"),
        }
        assert_eq!(c.err(), Some(Error::DeadlineExceeded), "{name}: c.Err()");
    }

    // TestDeadline
    #[test]
    fn test_deadline() {
        let (c, _cancel) = with_deadline(&background(), Instant::now() + SHORT);
        let got = c.to_string();
        let prefix = "context.Background.WithDeadline(";
        assert!(got.starts_with(prefix), "{got:?} want prefix {prefix:?}");
        test_deadline_of(&c, "WithDeadline");

        let (c, _cancel) = with_deadline(&background(), Instant::now() + SHORT);
        let o = other_context(&c);
        test_deadline_of(&o, "WithDeadline+otherContext");

        let (c, _cancel) = with_deadline(&background(), Instant::now() + SHORT);
        let o = other_context(&c);
        let (c, _cancel) = with_deadline(&o, Instant::now() + VERY_LONG);
        test_deadline_of(&c, "WithDeadline+otherContext+WithDeadline");

        let (c, _cancel) = with_deadline(&background(), Instant::now() - SHORT);
        test_deadline_of(&c, "WithDeadline+inthepast");

        let (c, _cancel) = with_deadline(&background(), Instant::now());
        test_deadline_of(&c, "WithDeadline+now");
    }

    // TestTimeout
    #[test]
    fn test_timeout() {
        let (c, _cancel) = with_timeout(&background(), SHORT);
        let got = c.to_string();
        let prefix = "context.Background.WithDeadline(";
        assert!(got.starts_with(prefix), "{got:?} want prefix {prefix:?}");
        test_deadline_of(&c, "WithTimeout");

        let (c, _cancel) = with_timeout(&background(), SHORT);
        let o = other_context(&c);
        test_deadline_of(&o, "WithTimeout+otherContext");

        let (c, _cancel) = with_timeout(&background(), SHORT);
        let o = other_context(&c);
        let (c, _cancel) = with_timeout(&o, VERY_LONG);
        test_deadline_of(&c, "WithTimeout+otherContext+WithTimeout");
    }

    // TestCanceledTimeout
    #[test]
    fn test_canceled_timeout() {
        let (c, _cancel) = with_timeout(&background(), Duration::from_secs(1));
        let o = other_context(&c);
        let (c, cancel) = with_timeout(&o, VERY_LONG);
        cancel.cancel(); // Should propagate synchronously.
        assert!(done_now(&c), "<-c.Done() blocked, but shouldn't have");
        assert_eq!(c.err(), Some(Error::Canceled));
    }

    /// A string value printed as Go's `%v` prints a `string` or `nil`, so the
    /// `Display` strings below are Go's own.
    struct GoString(Option<&'static str>);

    impl std::fmt::Debug for GoString {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0.unwrap_or("<nil>"))
        }
    }

    // Go: `type key1 int; type key2 int` with `k1 = key1(1)`, `k2 = key2(1)`
    // (same int, different type) and `k3 = key2(3)`. Key names are what Go
    // prints for them: the type name, or `key2`'s String().
    static K1: Key<GoString> = Key::new("context_test.key1");
    static K2: Key<GoString> = Key::new("context_test.key2(1)");
    static K3: Key<GoString> = Key::new("context_test.key2(3)");

    // TestValues
    #[test]
    fn test_values() {
        #[track_caller]
        fn check(c: &Context, nm: &str, v1: &str, v2: &str, v3: &str) {
            for (k, key, want) in [("k1", &K1, v1), ("k2", &K2, v2), ("k3", &K3, v3)] {
                // Go: `c.Value(k).(string)`; a nil value is no string.
                let got = c.value(key).and_then(|v| v.0);
                let want = (!want.is_empty()).then_some(want);
                assert_eq!(got, want, "{nm}.Value({k})");
            }
        }

        let c0 = background();
        check(&c0, "c0", "", "", "");

        let c1 = with_value(&background(), &K1, GoString(Some("c1k1")));
        check(&c1, "c1", "c1k1", "", "");
        assert_eq!(
            c1.to_string(),
            "context.Background.WithValue(context_test.key1, c1k1)"
        );

        let c2 = with_value(&c1, &K2, GoString(Some("c2k2")));
        check(&c2, "c2", "c1k1", "c2k2", "");
        assert_eq!(
            c2.to_string(),
            "context.Background.WithValue(context_test.key1, c1k1)\
             .WithValue(context_test.key2(1), c2k2)"
        );

        let c3 = with_value(&c2, &K3, GoString(Some("c3k3")));
        check(&c3, "c2", "c1k1", "c2k2", "c3k3");

        let c4 = with_value(&c3, &K1, GoString(None));
        check(&c4, "c4", "", "c2k2", "c3k3");
        assert_eq!(
            c4.to_string(),
            "context.Background.WithValue(context_test.key1, c1k1)\
             .WithValue(context_test.key2(1), c2k2)\
             .WithValue(context_test.key2(3), c3k3)\
             .WithValue(context_test.key1, <nil>)"
        );

        let o0 = other_context(&background());
        check(&o0, "o0", "", "", "");

        let o1 = other_context(&with_value(&background(), &K1, GoString(Some("c1k1"))));
        check(&o1, "o1", "c1k1", "", "");

        let o2 = with_value(&o1, &K2, GoString(Some("o2k2")));
        check(&o2, "o2", "c1k1", "o2k2", "");

        let o3 = other_context(&c4);
        check(&o3, "o3", "", "c2k2", "c3k3");

        let o4 = with_value(&o3, &K3, GoString(None));
        check(&o4, "o4", "", "c2k2", "");
    }

    // TestAllocs: ported in `tests/allocs.rs`, which needs a counting global
    // allocator of its own.

    // TestSimultaneousCancels
    #[test]
    fn test_simultaneous_cancels() {
        let (root, cancel) = with_cancel(&background());
        let mut m = vec![(root.clone(), cancel)];
        let mut q = std::collections::VecDeque::from([root]);
        // Create a tree of contexts.
        while m.len() < 100 {
            let Some(parent) = q.pop_front() else { break };
            for _ in 0..4 {
                let (ctx, cancel) = with_cancel(&parent);
                m.push((ctx.clone(), cancel));
                q.push_back(ctx);
            }
        }
        assert_eq!(m.len(), 101);

        // Start all the cancels in a random order.
        let mut rng = Rng::seeded_from_clock();
        let seed = rng.seed();
        for i in (1..m.len()).rev() {
            m.swap(i, rng.intn(i + 1));
        }
        let (returned_tx, returned) = crossbeam_channel::unbounded();
        let mut contexts = Vec::new();
        let mut cancelers = Vec::new();
        for (ctx, cancel) in m {
            contexts.push(ctx);
            let returned_tx = returned_tx.clone();
            cancelers.push(go!(
                cancel.cancel();
                returned_tx.send(()).unwrap();
            ));
        }

        // Wait on all the contexts.
        for ctx in &contexts {
            assert!(
                ctx.wait_timeout(QUIESCENT).is_some(),
                "seed={seed}: timed out after {QUIESCENT:?} waiting for <-ctx.Done()"
            );
        }
        // Wait for all the cancel functions to return.
        for _ in &contexts {
            returned.recv_timeout(QUIESCENT).unwrap_or_else(|_| {
                panic!("seed={seed}: timed out after {QUIESCENT:?} waiting for cancel functions")
            });
        }
        for canceler in cancelers {
            canceler.join().unwrap();
        }
    }

    // TestInterlockedCancels
    #[test]
    fn test_interlocked_cancels() {
        let (parent, cancel_parent) = with_cancel(&background());
        let (child, cancel_child) = with_cancel(&parent);
        let waiter = go!(
            parent.wait();
            cancel_child.cancel();
        );
        cancel_parent.cancel();
        assert!(
            child.wait_timeout(QUIESCENT).is_some(),
            "timed out after {QUIESCENT:?} waiting for child.Done()"
        );
        waiter.join().unwrap();
    }

    // testLayers
    fn test_layers(test_timeout: bool) {
        let mut r = Rng::seeded_from_clock();
        let prefix = format!("seed={}", r.seed());
        const MIN_LAYERS: usize = 30;
        let mut vals: Vec<&'static Key<usize>> = Vec::new();
        let mut cancels = Vec::new();
        let mut num_timers = 0;
        let mut ctx = background();
        let mut i = 0;
        while i < MIN_LAYERS || num_timers == 0 || cancels.is_empty() || vals.is_empty() {
            match r.intn(3) {
                0 => {
                    // Go's fresh `new(value)` key: a key is identified by its
                    // address, so a leaked one is a fresh key.
                    let v: &'static Key<usize> = Box::leak(Box::new(Key::new("value")));
                    ctx = with_value(&ctx, v, v as *const Key<usize> as usize);
                    vals.push(v);
                }
                1 => {
                    let (c, cancel) = with_cancel(&ctx);
                    ctx = c;
                    cancels.push(cancel);
                }
                _ => {
                    let d = if test_timeout { SHORT } else { VERY_LONG };
                    let (c, cancel) = with_timeout(&ctx, d);
                    ctx = c;
                    cancels.push(cancel);
                    num_timers += 1;
                }
            }
            i += 1;
        }
        let check_values = |when: &str| {
            for &key in &vals {
                let want = key as *const Key<usize> as usize;
                assert_eq!(ctx.value(key), Some(&want), "{prefix}: {when}: ctx.Value");
            }
        };
        if !test_timeout {
            assert!(!done_now(&ctx), "{prefix}: ctx should not be canceled yet");
        }
        let s = ctx.to_string();
        assert!(s.starts_with("context.Background."), "{prefix}: {s:?}");
        check_values("before cancel");
        if test_timeout {
            assert!(
                ctx.wait_timeout(QUIESCENT).is_some(),
                "{prefix}: ctx should have timed out after {QUIESCENT:?}"
            );
            check_values("after timeout");
        } else {
            cancels[r.intn(cancels.len())].cancel();
            assert!(done_now(&ctx), "{prefix}: ctx should be canceled");
            check_values("after cancel");
        }
    }

    // TestLayersCancel
    #[test]
    fn test_layers_cancel() {
        test_layers(false);
    }

    // TestLayersTimeout
    #[test]
    fn test_layers_timeout() {
        test_layers(true);
    }

    // TestWithCancelCanceledParent
    #[test]
    fn test_with_cancel_canceled_parent() {
        let (parent, pcancel) = with_cancel_cause(&background());
        let cause = errorf("Because!");
        pcancel.cancel(Some(cause.clone()));

        let (c, _cancel) = with_cancel(&parent);
        assert!(done_now(&c), "child not done immediately upon construction");
        assert_eq!(c.err(), Some(Error::Canceled), "child not canceled");
        assert!(same(&c.cause().unwrap(), &cause), "child has wrong cause");
    }

    // TestWithCancelSimultaneouslyCanceledParent
    #[test]
    fn test_with_cancel_simultaneously_canceled_parent() {
        // Cancel the parent concurrently with creating a child.
        for _ in 0..100 {
            let (parent, pcancel) = with_cancel_cause(&background());
            let cause = errorf("Because!");
            let parent_cause = cause.clone();
            let canceler = go!(pcancel.cancel(Some(parent_cause)));

            let (c, _cancel) = with_cancel(&parent);
            assert!(c.wait_timeout(QUIESCENT).is_some(), "child never canceled");
            assert_eq!(c.err(), Some(Error::Canceled), "child not canceled");
            assert!(same(&c.cause().unwrap(), &cause), "child has wrong cause");
            canceler.join().unwrap();
        }
    }

    // TestWithValueChecksKey
    //
    // Go panics on a nil key and on a non-comparable key type. In Rust a key
    // is a reference to a `static Key<T>`, so neither can be written, and a
    // `const` key is a compile error (the `compile_fail` example on `Key` in
    // `src/key.rs`). What Go's rules are for, keys that never collide, holds
    // by identity: two keys with the same name, of the same or of different
    // types, are different keys.
    #[test]
    fn test_with_value_checks_key() {
        mod package_a {
            pub(super) static TRACE_ID: go_context::Key<u64> = go_context::Key::new("trace_id");
        }
        mod package_b {
            pub(super) static TRACE_ID: go_context::Key<u64> = go_context::Key::new("trace_id");
            pub(super) static TRACE_ID_STR: go_context::Key<&str> =
                go_context::Key::new("trace_id");
        }
        let ctx = with_value(&background(), &package_a::TRACE_ID, 1);
        assert_eq!(ctx.value(&package_a::TRACE_ID), Some(&1));
        assert_eq!(ctx.value(&package_b::TRACE_ID), None);
        assert_eq!(ctx.value(&package_b::TRACE_ID_STR), None);

        let ctx = with_value(&ctx, &package_b::TRACE_ID_STR, "two");
        assert_eq!(ctx.value(&package_a::TRACE_ID), Some(&1));
        assert_eq!(ctx.value(&package_b::TRACE_ID_STR), Some(&"two"));
    }

    // TestInvalidDerivedFail
    //
    // Go panics when deriving from a nil parent. There is no null `Context`
    // in Rust; where Go code would pass nil, Rust code passes `todo()`, which
    // is a perfectly good parent.
    #[test]
    fn test_invalid_derived_fail() {
        let (c, cancel) = with_cancel(&todo());
        assert_eq!(c.to_string(), "context.TODO.WithCancel");
        cancel.cancel();
        assert_eq!(c.err(), Some(Error::Canceled));

        let (c, _cancel) = with_deadline(&todo(), Instant::now() + SHORT);
        assert_eq!(c.wait(), Error::DeadlineExceeded);

        static FOO: Key<&str> = Key::new("foo");
        let c = with_value(&todo(), &FOO, "bar");
        assert_eq!(c.value(&FOO), Some(&"bar"));
    }

    // TestDeadlineExceededSupportsTimeout
    #[test]
    fn test_deadline_exceeded_supports_timeout() {
        assert!(
            Error::DeadlineExceeded.is_timeout(),
            "wrong value for timeout"
        );
        assert!(!Error::Canceled.is_timeout());
    }

    /// TestCause's distinct errors.
    struct Causes {
        parent_cause: Cause,
        child_cause: Cause,
        too_slow: Cause,
        finished_early: Cause,
    }

    /// What `Cause(ctx)` must be.
    enum Want {
        Nil,
        Err(Error),
        Same(fn(&Causes) -> &Cause),
    }

    /// Go's `newCustomContext(parent)`: a context with a done channel of its
    /// own that learns of its parent's cancellation through `AfterFunc`.
    ///
    /// Rust has no custom contexts; the nearest is the same construction from
    /// the crate's own parts: a context rooted at `without_cancel(parent)`
    /// (the parent's values, not its cancellation) and an `after_func` on the
    /// parent that cancels it with the parent's cause.
    fn new_custom_context(parent: &Context) -> (Context, Arc<go_context::CancelCauseFunc>) {
        let (c, cancel) = with_cancel_cause(&without_cancel(parent));
        let cancel = Arc::new(cancel);
        let link = after_func(parent, {
            let (parent, cancel) = (parent.clone(), cancel.clone());
            move || cancel.cancel(parent.cause())
        });
        drop(link); // the link stays: dropping the handle does not stop it
        (c, cancel)
    }

    // TestCause
    #[test]
    fn test_cause() {
        let forever = Duration::from_secs(1_000_000);
        let causes = Causes {
            parent_cause: errorf("parentCause"),
            child_cause: errorf("childCause"),
            too_slow: errorf("tooSlow"),
            finished_early: errorf("finishedEarly"),
        };
        type Row = (
            &'static str,
            Box<dyn Fn(&Causes) -> Context>,
            Option<Error>,
            Want,
        );
        let rows: Vec<Row> = vec![
            ("Background", Box::new(|_| background()), None, Want::Nil),
            ("TODO", Box::new(|_| todo()), None, Want::Nil),
            (
                "WithCancel",
                Box::new(|_| {
                    let (ctx, cancel) = with_cancel(&background());
                    cancel.cancel();
                    ctx
                }),
                Some(Error::Canceled),
                Want::Err(Error::Canceled),
            ),
            (
                "WithCancelCause",
                Box::new(|c| {
                    let (ctx, cancel) = with_cancel_cause(&background());
                    cancel.cancel(Some(c.parent_cause.clone()));
                    ctx
                }),
                Some(Error::Canceled),
                Want::Same(|c| &c.parent_cause),
            ),
            (
                "WithCancelCause nil",
                Box::new(|_| {
                    let (ctx, cancel) = with_cancel_cause(&background());
                    cancel.cancel(None);
                    ctx
                }),
                Some(Error::Canceled),
                Want::Err(Error::Canceled),
            ),
            (
                "WithCancelCause: parent cause before child",
                Box::new(|c| {
                    let (ctx, cancel_parent) = with_cancel_cause(&background());
                    let (ctx, cancel_child) = with_cancel_cause(&ctx);
                    cancel_parent.cancel(Some(c.parent_cause.clone()));
                    cancel_child.cancel(Some(c.child_cause.clone()));
                    ctx
                }),
                Some(Error::Canceled),
                Want::Same(|c| &c.parent_cause),
            ),
            (
                "WithCancelCause: parent cause after child",
                Box::new(|c| {
                    let (ctx, cancel_parent) = with_cancel_cause(&background());
                    let (ctx, cancel_child) = with_cancel_cause(&ctx);
                    cancel_child.cancel(Some(c.child_cause.clone()));
                    cancel_parent.cancel(Some(c.parent_cause.clone()));
                    ctx
                }),
                Some(Error::Canceled),
                Want::Same(|c| &c.child_cause),
            ),
            (
                "WithCancelCause: parent cause before nil",
                Box::new(|c| {
                    let (ctx, cancel_parent) = with_cancel_cause(&background());
                    let (ctx, cancel_child) = with_cancel(&ctx);
                    cancel_parent.cancel(Some(c.parent_cause.clone()));
                    cancel_child.cancel();
                    ctx
                }),
                Some(Error::Canceled),
                Want::Same(|c| &c.parent_cause),
            ),
            (
                "WithCancelCause: parent cause after nil",
                Box::new(|c| {
                    let (ctx, cancel_parent) = with_cancel_cause(&background());
                    let (ctx, cancel_child) = with_cancel(&ctx);
                    cancel_child.cancel();
                    cancel_parent.cancel(Some(c.parent_cause.clone()));
                    ctx
                }),
                Some(Error::Canceled),
                Want::Err(Error::Canceled),
            ),
            (
                "WithCancelCause: child cause after nil",
                Box::new(|c| {
                    let (ctx, cancel_parent) = with_cancel(&background());
                    let (ctx, cancel_child) = with_cancel_cause(&ctx);
                    cancel_parent.cancel();
                    cancel_child.cancel(Some(c.child_cause.clone()));
                    ctx
                }),
                Some(Error::Canceled),
                Want::Err(Error::Canceled),
            ),
            (
                "WithCancelCause: child cause before nil",
                Box::new(|c| {
                    let (ctx, cancel_parent) = with_cancel(&background());
                    let (ctx, cancel_child) = with_cancel_cause(&ctx);
                    cancel_child.cancel(Some(c.child_cause.clone()));
                    cancel_parent.cancel();
                    ctx
                }),
                Some(Error::Canceled),
                Want::Same(|c| &c.child_cause),
            ),
            (
                "WithTimeout",
                Box::new(|_| {
                    let (ctx, cancel) = with_timeout(&background(), Duration::ZERO);
                    cancel.cancel();
                    ctx
                }),
                Some(Error::DeadlineExceeded),
                Want::Err(Error::DeadlineExceeded),
            ),
            (
                "WithTimeout canceled",
                Box::new(move |_| {
                    let (ctx, cancel) = with_timeout(&background(), forever);
                    cancel.cancel();
                    ctx
                }),
                Some(Error::Canceled),
                Want::Err(Error::Canceled),
            ),
            (
                "WithTimeoutCause",
                Box::new(|c| {
                    let (ctx, cancel) =
                        with_timeout_cause(&background(), Duration::ZERO, Some(c.too_slow.clone()));
                    cancel.cancel();
                    ctx
                }),
                Some(Error::DeadlineExceeded),
                Want::Same(|c| &c.too_slow),
            ),
            (
                "WithTimeoutCause canceled",
                Box::new(move |c| {
                    let (ctx, cancel) =
                        with_timeout_cause(&background(), forever, Some(c.too_slow.clone()));
                    cancel.cancel();
                    ctx
                }),
                Some(Error::Canceled),
                Want::Err(Error::Canceled),
            ),
            (
                "WithTimeoutCause stacked",
                Box::new(|c| {
                    let (ctx, cancel) = with_cancel_cause(&background());
                    let (ctx, timeout) =
                        with_timeout_cause(&ctx, Duration::ZERO, Some(c.too_slow.clone()));
                    timeout.disarm(); // Go: `ctx, _ = WithTimeoutCause(…)`
                    cancel.cancel(Some(c.finished_early.clone()));
                    ctx
                }),
                Some(Error::DeadlineExceeded),
                Want::Same(|c| &c.too_slow),
            ),
            (
                "WithTimeoutCause stacked canceled",
                Box::new(move |c| {
                    let (ctx, cancel) = with_cancel_cause(&background());
                    let (ctx, timeout) =
                        with_timeout_cause(&ctx, forever, Some(c.too_slow.clone()));
                    timeout.disarm(); // Go: `ctx, _ = WithTimeoutCause(…)`
                    cancel.cancel(Some(c.finished_early.clone()));
                    ctx
                }),
                Some(Error::Canceled),
                Want::Same(|c| &c.finished_early),
            ),
            (
                "WithoutCancel",
                Box::new(|_| without_cancel(&background())),
                None,
                Want::Nil,
            ),
            (
                "WithoutCancel canceled",
                Box::new(|c| {
                    let (ctx, cancel) = with_cancel_cause(&background());
                    let ctx = without_cancel(&ctx);
                    cancel.cancel(Some(c.finished_early.clone()));
                    ctx
                }),
                None,
                Want::Nil,
            ),
            (
                "WithoutCancel timeout",
                Box::new(|c| {
                    let (ctx, cancel) =
                        with_timeout_cause(&background(), Duration::ZERO, Some(c.too_slow.clone()));
                    let ctx = without_cancel(&ctx);
                    cancel.cancel();
                    ctx
                }),
                None,
                Want::Nil,
            ),
            (
                "parent of custom context not canceled",
                Box::new(|_| {
                    let (ctx, cancel1) = with_cancel_cause(&background());
                    cancel1.disarm(); // Go: `ctx, _ := WithCancelCause(…)`
                    let (ctx, cancel2) = new_custom_context(&ctx);
                    cancel2.cancel(None);
                    ctx
                }),
                Some(Error::Canceled),
                Want::Err(Error::Canceled),
            ),
            (
                "parent of custom context is canceled before",
                Box::new(|c| {
                    let (ctx, cancel1) = with_cancel_cause(&background());
                    let (ctx, cancel2) = new_custom_context(&ctx);
                    cancel1.cancel(Some(c.parent_cause.clone()));
                    // The link runs on its own thread; Go's custom context
                    // finds the parent's cause through Value whenever it runs,
                    // this one is told it, so let the link run first.
                    assert!(ctx.wait_timeout(QUIESCENT).is_some());
                    cancel2.cancel(None);
                    ctx
                }),
                Some(Error::Canceled),
                Want::Same(|c| &c.parent_cause),
            ),
            (
                "parent of custom context is canceled after",
                Box::new(|c| {
                    let (ctx, cancel1) = with_cancel_cause(&background());
                    let (ctx, cancel2) = new_custom_context(&ctx);
                    cancel2.cancel(None);
                    cancel1.cancel(Some(c.parent_cause.clone()));
                    ctx
                }),
                Some(Error::Canceled),
                // Go returns parentCause here and says "This isn't really
                // right": the child was canceled before its parent. Go's
                // Cause cannot tell for a custom context; here the first
                // cancel wins, as it should.
                Want::Err(Error::Canceled),
            ),
        ];
        assert_eq!(rows.len(), 23);

        let mut failures = Vec::new();
        for (name, make, err, cause) in &rows {
            let ctx = make(&causes);
            if ctx.err() != *err {
                failures.push(format!("{name}: ctx.Err() = {:?} want {err:?}", ctx.err()));
            }
            let got = ctx.cause();
            let ok = match (cause, &got) {
                (Want::Nil, None) => true,
                (Want::Err(want), Some(got)) => got.downcast_ref::<Error>() == Some(want),
                (Want::Same(want), Some(got)) => same(got, want(&causes)),
                _ => false,
            };
            if !ok {
                failures.push(format!("{name}: Cause(ctx) = {got:?}"));
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }

    // TestCauseRace
    #[test]
    fn test_cause_race() {
        let cause = errorf("TestCauseRace");
        let (ctx, cancel) = with_cancel_cause(&background());
        let sent = cause.clone();
        let canceler = go!(cancel.cancel(Some(sent)));
        let give_up = Instant::now() + QUIESCENT;
        loop {
            // Poll the cause, rather than waiting for done, to test that
            // access to the underlying cause is synchronized properly.
            if let Some(err) = ctx.cause() {
                assert!(same(&err, &cause), "Cause returned {err:?}, want {cause:?}");
                break;
            }
            assert!(Instant::now() < give_up, "never canceled");
            thread::yield_now();
        }
        canceler.join().unwrap();
    }

    // TestWithoutCancel
    #[test]
    fn test_without_cancel() {
        static KEY: Key<&str> = Key::new("key");
        let ctx = with_value(&background(), &KEY, "value");
        let ctx = without_cancel(&ctx);
        assert_eq!(ctx.deadline(), None);
        assert!(
            ctx.done().same_channel(&never()),
            "Done is Go's nil channel"
        );
        assert_eq!(ctx.err(), None);
        assert_eq!(ctx.value(&KEY), Some(&"value"));
    }

    // TestCustomContextPropagation
    //
    // Go's custom parent with a Done channel of its own forces a watcher
    // goroutine, and the child still finds the cause through Value. Rust has
    // no custom contexts; the equivalent chain, a child derived through a
    // wrapper layer, is canceled synchronously and gets the cause.
    #[test]
    fn test_custom_context_propagation() {
        let cause = errorf("TestCustomContextPropagation");
        let (ctx1, cancel1) = with_cancel_cause(&background());
        let ctx2 = other_context(&ctx1);
        let (ctx3, _cancel3) = with_cancel(&ctx2);

        cancel1.cancel(Some(cause.clone()));

        assert!(done_now(&ctx3));
        assert_eq!(ctx3.err(), Some(Error::Canceled), "child not canceled");
        assert!(
            same(&ctx3.cause().unwrap(), &cause),
            "child has wrong cause"
        );
    }

    // TestCustomContextCause
    //
    // Go's fully custom context (no Value, a fixed Done channel) cannot be
    // written in Rust; the three checks, on the crate's own parent:
    #[test]
    fn test_custom_context_cause() {
        // A canceled context without a cause: Err and Cause are Canceled.
        let (ccc, cancel) = with_cancel(&background());
        cancel.cancel();
        assert_eq!(ccc.err(), Some(Error::Canceled));
        let cause = ccc.cause().unwrap();
        assert_eq!(cause.downcast_ref::<Error>(), Some(&Error::Canceled));

        // A child canceled with a cause has it, and the parent is untouched;
        // canceling the parent afterwards changes nothing in the child.
        let (ccc, ccc_cancel) = with_cancel(&background());
        let (ctx, cause_func) = with_cancel_cause(&ccc);
        let cause = errorf("TestCustomContextCause");
        cause_func.cancel(Some(cause.clone()));
        assert_eq!(ctx.err(), Some(Error::Canceled));
        assert!(same(&ctx.cause().unwrap(), &cause));
        assert_eq!(ccc.err(), None);
        assert!(ccc.cause().is_none());

        ccc_cancel.cancel();
        assert_eq!(ctx.err(), Some(Error::Canceled));
        assert!(same(&ctx.cause().unwrap(), &cause));
        assert_eq!(ccc.err(), Some(Error::Canceled));
        let ccc_cause = ccc.cause().unwrap();
        assert_eq!(ccc_cause.downcast_ref::<Error>(), Some(&Error::Canceled));

        // Canceling the parent cancels the child.
        let (ccc, ccc_cancel) = with_cancel(&background());
        let (ctx, _cancel_func) = with_cancel(&ccc);
        ccc_cancel.cancel();
        assert_eq!(ctx.err(), Some(Error::Canceled));
        let ctx_cause = ctx.cause().unwrap();
        assert_eq!(ctx_cause.downcast_ref::<Error>(), Some(&Error::Canceled));
    }

    // TestAfterFuncCalledAfterCancel
    #[test]
    fn test_after_func_called_after_cancel() {
        let (ctx, cancel) = with_cancel(&background());
        let (tx, donec) = crossbeam_channel::unbounded();
        let stop = after_func(&ctx, move || tx.send(()).unwrap());
        assert_eq!(
            donec.recv_timeout(SHORT),
            Err(RecvTimeoutError::Timeout),
            "AfterFunc called before context is done"
        );
        cancel.cancel();
        assert_eq!(
            donec.recv_timeout(QUIESCENT),
            Ok(()),
            "AfterFunc not called after context is canceled"
        );
        assert!(!stop.stop(), "stop() = true, want false");
    }

    // TestAfterFuncCalledAfterTimeout
    #[test]
    fn test_after_func_called_after_timeout() {
        let (ctx, _cancel) = with_timeout(&background(), SHORT);
        let (tx, donec) = crossbeam_channel::unbounded();
        let _stop = after_func(&ctx, move || tx.send(()).unwrap());
        assert_eq!(
            donec.recv_timeout(QUIESCENT),
            Ok(()),
            "AfterFunc not called after context is canceled"
        );
    }

    // TestAfterFuncCalledImmediately
    #[test]
    fn test_after_func_called_immediately() {
        let (ctx, cancel) = with_cancel(&background());
        cancel.cancel();
        let (tx, donec) = crossbeam_channel::unbounded();
        let _stop = after_func(&ctx, move || tx.send(()).unwrap());
        assert_eq!(
            donec.recv_timeout(QUIESCENT),
            Ok(()),
            "AfterFunc not called for already-canceled context"
        );
    }

    // TestAfterFuncNotCalledAfterStop
    #[test]
    fn test_after_func_not_called_after_stop() {
        let (ctx, cancel) = with_cancel(&background());
        let (tx, donec) = crossbeam_channel::unbounded();
        let stop = after_func(&ctx, move || tx.send(()).unwrap());
        assert!(stop.stop(), "stop() = false, want true");
        cancel.cancel();
        // Stopping dropped f, and with it the sender: no wait is needed to
        // know that f can never run.
        assert_eq!(
            donec.try_recv(),
            Err(TryRecvError::Disconnected),
            "AfterFunc called for already-canceled context"
        );
        assert!(!stop.stop(), "stop() = true, want false");
    }

    // TestAfterFuncCalledAsynchronously: canceling a context does not block
    // waiting for its after_funcs to finish.
    #[test]
    fn test_after_func_called_asynchronously() {
        let (ctx, cancel) = with_cancel(&background());
        // The send blocks until donec is read from.
        let (tx, donec) = crossbeam_channel::bounded(0);
        let stop = after_func(&ctx, move || tx.send(()).unwrap());
        let (returned_tx, cancel_returned) = crossbeam_channel::bounded(1);
        let canceler = go!(
            cancel.cancel();
            returned_tx.send(()).unwrap();
        );
        assert_eq!(
            cancel_returned.recv_timeout(QUIESCENT),
            Ok(()),
            "cancel waited for the AfterFunc"
        );
        // After cancel returns, read from donec and unblock the AfterFunc.
        assert_eq!(
            donec.recv_timeout(QUIESCENT),
            Ok(()),
            "AfterFunc not called after context is canceled"
        );
        canceler.join().unwrap();
        assert!(!stop.stop()); // Go: `defer stop()`
    }

    // TestContextErrDoneRace (Go issue #75533)
    #[test]
    fn test_context_err_done_race() {
        // 4 iterations reliably reproduced #75533 in Go.
        for _ in 0..10 {
            let (ctx, cancel) = with_cancel(&background());
            let donec = ctx.done();
            let canceler = go!(cancel.cancel());
            while ctx.err().is_none() {
                std::hint::spin_loop();
            }
            assert_eq!(
                donec.try_recv(),
                Err(TryRecvError::Disconnected),
                "ctx.Err is non-nil, but ctx.Done is not closed"
            );
            canceler.join().unwrap();
        }
    }
}

/// <https://github.com/golang/go/blob/master/src/context/afterfunc_test.go>:
/// a custom parent that has an `AfterFunc` method, which the package uses
/// instead of a watcher goroutine.
///
/// Rust has no custom parents: every parent is the crate's own and tells its
/// children directly. Each test below keeps Go's scenario with `ctx0` a
/// crate context, and Go's `len(ctx0.afterFuncs)` becomes
/// `go_context::testing::child_count(&ctx0)`: the registrations must come and
/// go just as Go's do.
mod afterfunc_test {
    use super::*;
    use go_context::testing::child_count;

    // TestCustomContextAfterFuncCancel
    #[test]
    fn test_custom_context_after_func_cancel() {
        let (ctx0, cancel0) = with_cancel(&background());
        let (ctx1, _cancel) = with_cancel(&ctx0);
        cancel0.cancel();
        assert_eq!(ctx1.wait_timeout(QUIESCENT), Some(Error::Canceled));
    }

    // TestCustomContextAfterFuncTimeout
    #[test]
    fn test_custom_context_after_func_timeout() {
        let (ctx0, cancel0) = with_cancel(&background());
        let (ctx1, _cancel) = with_timeout(&ctx0, VERY_LONG);
        cancel0.cancel();
        assert_eq!(ctx1.wait_timeout(QUIESCENT), Some(Error::Canceled));
    }

    // TestCustomContextAfterFuncAfterFunc
    #[test]
    fn test_custom_context_after_func_after_func() {
        let (ctx0, cancel0) = with_cancel(&background());
        let (tx, donec) = crossbeam_channel::unbounded();
        let stop = after_func(&ctx0, move || tx.send(()).unwrap());
        cancel0.cancel();
        assert_eq!(donec.recv_timeout(QUIESCENT), Ok(()));
        assert!(!stop.stop()); // Go: `defer stop()`
    }

    // TestCustomContextAfterFuncUnregisterCancel
    #[test]
    fn test_custom_context_after_func_unregister_cancel() {
        let (ctx0, _cancel0) = with_cancel(&background());
        let (_c1, cancel1) = with_cancel(&ctx0);
        let (_c2, cancel2) = with_cancel(&ctx0);
        assert_eq!(child_count(&ctx0), 2, "after WithCancel(ctx0)");
        cancel1.cancel();
        cancel2.cancel();
        assert_eq!(child_count(&ctx0), 0, "after canceling WithCancel(ctx0)");
    }

    // TestCustomContextAfterFuncUnregisterTimeout
    #[test]
    fn test_custom_context_after_func_unregister_timeout() {
        let (ctx0, _cancel0) = with_cancel(&background());
        let (_c, cancel) = with_timeout(&ctx0, VERY_LONG);
        assert_eq!(child_count(&ctx0), 1, "after WithTimeout(ctx0, d)");
        cancel.cancel();
        assert_eq!(
            child_count(&ctx0),
            0,
            "after canceling WithTimeout(ctx0, d)"
        );
    }

    // TestCustomContextAfterFuncUnregisterAfterFunc
    #[test]
    fn test_custom_context_after_func_unregister_after_func() {
        let (ctx0, _cancel0) = with_cancel(&background());
        let stop = after_func(&ctx0, || {});
        assert_eq!(child_count(&ctx0), 1, "after AfterFunc(ctx0, f)");
        assert!(stop.stop());
        assert_eq!(child_count(&ctx0), 0, "after stopping AfterFunc(ctx0, f)");
    }
}

/// <https://github.com/golang/go/blob/master/src/context/net_test.go>.
mod net_test {
    use super::*;
    use std::io;

    // TestDeadlineExceededIsNetError
    //
    // Go's DeadlineExceeded is a net.Error whose Timeout() is true. Rust's
    // I/O errors say it with a kind: DeadlineExceeded converts to an
    // io::Error of kind TimedOut (and Canceled to Interrupted), keeping the
    // context error inside.
    #[test]
    fn test_deadline_exceeded_is_net_error() {
        let err = io::Error::from(Error::DeadlineExceeded);
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        assert_eq!(err.to_string(), "context deadline exceeded");
        let inner = err.get_ref().and_then(|e| e.downcast_ref::<Error>());
        assert_eq!(inner, Some(&Error::DeadlineExceeded));

        let err = io::Error::from(Error::Canceled);
        assert_eq!(err.kind(), io::ErrorKind::Interrupted);
        assert_eq!(err.to_string(), "context canceled");
    }
}
