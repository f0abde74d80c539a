//! The Context exercise: `gather` returns every answer in order, or the
//! first error; one failure, the budget and the request's own cancel each
//! stop the other backends; and nothing is left registered afterwards.

use std::sync::Arc;
use std::sync::mpsc::{self, Sender};
use std::time::Duration;

use book_exercises::gather::{Backend, gather};

const HOUR: Duration = Duration::from_secs(3600);

fn answers(answer: &'static str) -> Backend {
    Box::new(move |_ctx| Ok(answer.to_string()))
}

fn fails(why: &'static str) -> Backend {
    Box::new(move |_ctx| Err(Arc::new(std::io::Error::other(why))))
}

/// A backend that never answers: it waits for its context, reports the
/// cause it saw, and fails with it.
fn waits(seen: &Sender<String>) -> Backend {
    let seen = seen.clone();
    Box::new(move |ctx| {
        ctx.wait();
        let cause = ctx.cause().expect("a done context has a cause");
        seen.send(cause.to_string()).unwrap();
        Err(cause)
    })
}

fn message(result: Result<Vec<String>, go_context::Cause>) -> String {
    match result {
        Ok(answers) => format!("answers {answers:?}"),
        Err(err) => err.to_string(),
    }
}

#[test]
fn every_answer_in_the_backends_order() {
    let (request, _cancel) = go_context::with_cancel(&go_context::background());
    let backends = vec![
        answers("profile"),
        answers("orders"),
        answers("recommendations"),
    ];
    assert_eq!(
        gather(&request, HOUR, backends).unwrap(),
        ["profile", "orders", "recommendations"]
    );
}

#[test]
fn the_first_error_stops_the_others_and_is_their_cause() {
    let (request, _cancel) = go_context::with_cancel(&go_context::background());
    let (seen, causes) = mpsc::channel();
    let backends = vec![waits(&seen), fails("orders: database down"), waits(&seen)];
    assert_eq!(
        message(gather(&request, HOUR, backends)),
        "orders: database down"
    );
    drop(seen);
    assert_eq!(
        causes.iter().collect::<Vec<_>>(),
        ["orders: database down"; 2]
    );
    assert!(
        !request.is_done(),
        "a backend's failure ends the handler's context, not the request's"
    );
}

#[test]
fn the_budget_bounds_the_wait() {
    let (request, _cancel) = go_context::with_cancel(&go_context::background());
    let (seen, causes) = mpsc::channel();
    let backends = vec![answers("profile"), waits(&seen)];
    let budget = Duration::from_millis(20);
    assert_eq!(
        message(gather(&request, budget, backends)),
        "context deadline exceeded"
    );
    assert_eq!(causes.recv().unwrap(), "context deadline exceeded");
}

#[test]
fn the_requests_cancel_reaches_the_backends() {
    let (request, cancel) = go_context::with_cancel(&go_context::background());
    cancel.cancel(); // the client hung up before the handler started
    let (seen, causes) = mpsc::channel();
    assert_eq!(
        message(gather(&request, HOUR, vec![waits(&seen)])),
        "context canceled"
    );
    assert_eq!(causes.recv().unwrap(), "context canceled");
}

#[test]
fn nothing_stays_registered_with_the_request() {
    let (request, _cancel) = go_context::with_cancel(&go_context::background());
    assert_eq!(
        gather(&request, HOUR, vec![answers("profile")]).unwrap(),
        ["profile"]
    );
    assert_eq!(go_context::testing::child_count(&request), 0);
    assert!(!request.is_done());
}
