//! Misuse caught in the act: an `add` racing the `done` that releases a
//! waiter. The real crate only (the textbook panics on no misuse), checked
//! by a seeded bug (`scripts/seed-bugs.py`).

use loom::thread;

use go_waitgroup::loom::WaitGroup;

use crate::support::{check, hide_panics_containing, panic_message, yield_until};

/// Go's two messages for a group used while a wait is being released.
const ADD_DURING_WAIT: &str = "sync: WaitGroup misuse: Add called concurrently with Wait";
const REUSED: &str = "sync: WaitGroup is reused before previous Wait has returned";

/// A positive `add` lands between the `done` that brings the counter to zero
/// and that `done`'s release of the blocked waiter: Go's "Add called
/// concurrently with Wait", which the `add` itself must report, as Go's
/// does, not only the release that finds the state changed under it.
/// Whatever the interleaving, every thread returns and every panic is one of
/// Go's messages.
pub fn add_racing_a_release_is_reported_by_the_add() {
    // 3: a fraction of a second.
    let bound = 3;
    check(bound, move || {
        hide_panics_containing(ADD_DURING_WAIT);
        hide_panics_containing(REUSED);
        let wg = WaitGroup::new();
        wg.add(1);
        let waiter = thread::spawn({
            let wg = wg.clone();
            move || panic_message(|| wg.wait())
        });
        // Without a registered waiter there is no release to race.
        yield_until(bound, || format!("{wg:?}").ends_with("waiters: 1 }"));
        let racer = thread::spawn({
            let wg = wg.clone();
            move || {
                let added = panic_message(|| wg.add(1)); // counted even if it panics
                (added, panic_message(|| wg.done()))
            }
        });
        let released = panic_message(|| wg.done());
        let (added, undone) = racer.join().unwrap();
        let waited = waiter.join().unwrap();
        // The release found the state changed since its `done`: only the
        // racer's `add` changes it then, and that add saw the waiter beside
        // a counter it had just raised from zero.
        if released.is_some() {
            assert!(
                added.as_deref() == Some(ADD_DURING_WAIT),
                "an add racing the release of a waiter went unreported by the add"
            );
        }
        for message in [released, added, undone, waited].into_iter().flatten() {
            assert!(
                [ADD_DURING_WAIT, REUSED].contains(&message.as_str()),
                "not one of Go's messages: {message}"
            );
        }
    });
}
