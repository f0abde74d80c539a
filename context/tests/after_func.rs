//! `after_func`: a callback on its own thread once a context is done, and the
//! `stop` that races with it.

use std::thread;
use std::time::Duration;

use crossbeam_channel::{RecvTimeoutError, TryRecvError, bounded, unbounded};
use go_context::testing::child_count;
use go_context::{Key, after_func, background, todo, with_cancel, with_value, without_cancel};

/// A failure timeout: only a failing test waits this long.
const QUIESCENT: Duration = Duration::from_secs(10);

#[test]
fn on_a_root_it_never_runs_and_the_first_stop_wins() {
    // `without_cancel` is never done, even over a canceled parent.
    let (canceled, cancel) = with_cancel(&background());
    cancel.cancel();
    for ctx in [background(), todo(), without_cancel(&canceled)] {
        let (tx, ran) = unbounded::<()>();
        let link = after_func(&ctx, move || tx.send(()).unwrap());
        assert!(link.stop(), "the first stop prevents f from running");
        assert!(!link.stop(), "the second has nothing left to stop");
        // f was dropped without running.
        assert_eq!(ran.try_recv(), Err(TryRecvError::Disconnected));
    }
}

#[test]
fn dropping_the_link_does_not_stop_it() {
    let (ctx, cancel) = with_cancel(&background());
    let (tx, ran) = unbounded();
    drop(after_func(&ctx, move || tx.send(()).unwrap()));
    assert_eq!(child_count(&ctx), 1);
    cancel.cancel();
    assert_eq!(ran.recv_timeout(QUIESCENT), Ok(()));
}

#[test]
fn registrations_are_independent() {
    let (ctx, cancel) = with_cancel(&background());
    let (tx, ran) = unbounded();
    let links: Vec<_> = (0..3)
        .map(|i| {
            let tx = tx.clone();
            after_func(&ctx, move || tx.send(i).unwrap())
        })
        .collect();
    drop(tx);
    assert!(links[1].stop());
    cancel.cancel();
    let mut got: Vec<i32> = ran.iter().collect(); // ends when every f is gone
    got.sort();
    assert_eq!(got, [0, 2]);
}

#[test]
fn through_a_value_layer_it_registers_with_the_cancel_ancestor() {
    static USER: Key<&str> = Key::new("user");
    let (ctx, cancel) = with_cancel(&background());
    let layer = with_value(&ctx, &USER, "gopher");
    let (tx, ran) = unbounded();
    let _link = after_func(&layer, move || tx.send(()).unwrap());
    assert_eq!(child_count(&ctx), 1);
    cancel.cancel();
    assert_eq!(ran.recv_timeout(QUIESCENT), Ok(()));
}

#[test]
fn it_runs_on_a_named_thread_of_its_own() {
    let (ctx, cancel) = with_cancel(&background());
    let (tx, ran_on) = unbounded();
    let _link = after_func(&ctx, move || {
        let me = thread::current();
        tx.send((me.id(), me.name().map(str::to_owned))).unwrap();
    });
    cancel.cancel();
    let (id, name) = ran_on.recv_timeout(QUIESCENT).unwrap();
    assert_ne!(id, thread::current().id());
    assert_eq!(name.as_deref(), Some("context-after-func"));
}

#[test]
fn stop_never_waits_for_a_running_f() {
    let (ctx, cancel) = with_cancel(&background());
    let (started_tx, started) = bounded(0);
    let (release_tx, release) = bounded::<()>(0);
    let link = after_func(&ctx, move || {
        started_tx.send(()).unwrap();
        let _ = release.recv();
    });
    cancel.cancel();
    assert_eq!(started.recv_timeout(QUIESCENT), Ok(()));
    assert!(!link.stop(), "f has started: too late"); // returns while f blocks
    drop(release_tx);
}

#[test]
fn a_panicking_f_ends_only_its_own_thread() {
    let (ctx, cancel) = with_cancel(&background());
    let (tx, ran) = unbounded();
    let _panics = after_func(&ctx, || panic!("f panicked (expected by the test)"));
    let _runs = after_func(&ctx, move || tx.send(()).unwrap());
    cancel.cancel();
    assert_eq!(ran.recv_timeout(QUIESCENT), Ok(()));
    assert!(ctx.is_done());
}

#[test]
fn stop_racing_cancel_has_exactly_one_winner() {
    for _ in 0..100 {
        let (ctx, cancel) = with_cancel(&background());
        let (tx, ran) = unbounded();
        let link = after_func(&ctx, move || tx.send(()).unwrap());
        let canceler = thread::spawn(move || cancel.cancel());
        let stopped = link.stop();
        canceler.join().unwrap();
        // Stopped: f was dropped unrun. Not stopped: f runs, once.
        if !stopped {
            assert_eq!(ran.recv_timeout(QUIESCENT), Ok(()));
        }
        assert_eq!(
            ran.recv_timeout(QUIESCENT),
            Err(RecvTimeoutError::Disconnected)
        );
    }
}
