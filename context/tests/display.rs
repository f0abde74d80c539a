//! `Display` and `Debug` of contexts, handles and errors: Go's `String()`
//! forms where Go has them, the crate's own where it does not.

use std::time::{Duration, Instant};

use go_context::{
    Error, Key, after_func, background, todo, with_cancel, with_cancel_cause, with_deadline,
    with_timeout, with_value, without_cancel,
};

static TRACE_ID: Key<&str> = Key::new("trace_id");
static REQUEST_ID: Key<u64> = Key::new("request_id");

#[test]
fn roots_print_as_in_go() {
    assert_eq!(background().to_string(), "context.Background");
    assert_eq!(todo().to_string(), "context.TODO");
}

#[test]
fn derived_contexts_print_their_chain_as_in_go() {
    let (ctx, _cancel) = with_cancel(&background());
    assert_eq!(ctx.to_string(), "context.Background.WithCancel");

    // WithCancelCause prints as WithCancel in Go too.
    let (ctx, _cancel) = with_cancel_cause(&todo());
    assert_eq!(ctx.to_string(), "context.TODO.WithCancel");

    let ctx = without_cancel(&ctx);
    assert_eq!(ctx.to_string(), "context.TODO.WithCancel.WithoutCancel");
}

#[test]
fn values_print_key_name_and_debug_form() {
    // Go prints a string value raw (`WithValue(trace_id, 123)`); the value's
    // `Debug` form quotes it.
    let ctx = with_value(&background(), &TRACE_ID, "123");
    assert_eq!(
        ctx.to_string(),
        r#"context.Background.WithValue(trace_id, "123")"#
    );

    let (ctx, _cancel) = with_cancel(&ctx);
    let ctx = with_value(&ctx, &REQUEST_ID, 42);
    assert_eq!(
        ctx.to_string(),
        r#"context.Background.WithValue(trace_id, "123").WithCancel.WithValue(request_id, 42)"#
    );
}

#[test]
fn deadlines_print_time_left_or_passed() {
    // Go prints the instant and the time left; an `Instant` has no calendar
    // form, so only the time left (or passed) is shown.
    let (ctx, _cancel) = with_timeout(&background(), Duration::from_secs(3600));
    let s = ctx.to_string();
    assert!(s.starts_with("context.Background.WithDeadline(in "), "{s}");
    assert!(s.ends_with("s)"), "{s}");

    let (ctx, _cancel) = with_deadline(&background(), Instant::now() - Duration::from_secs(1));
    let s = ctx.to_string();
    assert!(s.starts_with("context.Background.WithDeadline(1"), "{s}");
    assert!(s.ends_with("s ago)"), "{s}");

    // A later deadline than the parent's is a plain cancel child, as in Go.
    let (parent, _cancel) = with_timeout(&background(), Duration::from_secs(60));
    let (child, _cancel) = with_timeout(&parent, Duration::from_secs(3600));
    let s = child.to_string();
    assert!(s.ends_with(".WithCancel"), "{s}");
}

#[test]
fn debug_is_display() {
    let (ctx, _cancel) = with_cancel(&background());
    let ctx = with_value(&ctx, &REQUEST_ID, 7);
    assert_eq!(format!("{ctx:?}"), ctx.to_string());
}

#[test]
fn errors_print_go_messages() {
    assert_eq!(Error::Canceled.to_string(), "context canceled");
    assert_eq!(
        Error::DeadlineExceeded.to_string(),
        "context deadline exceeded"
    );
}

#[test]
fn handles_show_their_state() {
    let (_ctx, cancel) = with_cancel(&background());
    assert_eq!(
        format!("{cancel:?}"),
        "CancelFunc { armed: true, done: false }"
    );
    cancel.cancel();
    assert_eq!(
        format!("{cancel:?}"),
        "CancelFunc { armed: true, done: true }"
    );

    let (_ctx, cancel) = with_cancel_cause(&background());
    cancel.cancel(None);
    let s = format!("{cancel:?}");
    assert!(s.ends_with("{ armed: true, done: true }"), "{s}");
    cancel.disarm();

    // A child of a done parent is born done; its handle says so.
    let (parent, cancel_parent) = with_cancel(&background());
    cancel_parent.cancel();
    let (child, cancel) = with_cancel(&parent);
    assert_eq!(
        format!("{cancel:?}"),
        "CancelFunc { armed: true, done: true }"
    );
    cancel.cancel(); // changes nothing
    assert_eq!(child.err(), Some(Error::Canceled));

    let link = after_func(&background(), || {});
    assert_eq!(format!("{link:?}"), "AfterFunc { .. }");

    let (ctx, cancel) = with_cancel(&background());
    let fut = ctx.wait_async();
    assert_eq!(format!("{fut:?}"), "WaitAsync { registered: false }");
    drop(cancel);
}
