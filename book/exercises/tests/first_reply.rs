//! The stop-channel exercise: `first_reply` returns the first answer, tells
//! the other replicas to stop, and waits for them.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use book_exercises::first_reply::{Replica, first_reply};

/// Long enough that a replica that was never told to stop fails the test
/// (rather than hanging it), short enough not to matter when it passes.
const PATIENCE: Duration = Duration::from_secs(10);

fn answers(answer: &'static str) -> Replica {
    Box::new(move |_stopped| Some(answer.to_string()))
}

/// A replica that waits to be told to stop, and records whether it was.
fn slow(log: &Arc<Mutex<Vec<&'static str>>>) -> Replica {
    let log = Arc::clone(log);
    Box::new(move |stopped| {
        let told = stopped.wait_timeout(PATIENCE);
        log.lock().unwrap().push(if told {
            "stopped"
        } else {
            "never told to stop"
        });
        None
    })
}

#[test]
fn the_only_answer_is_returned() {
    assert_eq!(first_reply(vec![answers("eu-1")]).as_deref(), Some("eu-1"));
}

#[test]
fn the_others_are_told_to_stop_and_waited_for() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let replicas = vec![slow(&log), answers("us-2"), slow(&log)];
    assert_eq!(first_reply(replicas).as_deref(), Some("us-2"));
    // Both slow replicas have returned (first_reply waited), and were stopped.
    assert_eq!(*log.lock().unwrap(), ["stopped", "stopped"]);
}

#[test]
fn a_replica_that_answers_late_is_still_waited_for() {
    let done = Arc::new(Mutex::new(false));
    let late: Replica = {
        let done = Arc::clone(&done);
        Box::new(move |stopped| {
            stopped.wait_timeout(PATIENCE);
            std::thread::sleep(Duration::from_millis(10)); // cleaning up
            *done.lock().unwrap() = true;
            Some("too late".to_string())
        })
    };
    assert_eq!(
        first_reply(vec![answers("first"), late]).as_deref(),
        Some("first")
    );
    assert!(
        *done.lock().unwrap(),
        "first_reply returned before every replica had"
    );
}

#[test]
fn nobody_answers() {
    let gives_up: Replica = Box::new(|_stopped| None);
    assert_eq!(first_reply(vec![gives_up]), None);
    assert_eq!(first_reply(Vec::new()), None);
}
