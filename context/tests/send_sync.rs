//! Auto traits of every public type, checked at compile time: a context, its
//! handles and its future can move to and be shared between threads and
//! tasks, and none borrows anything.

use std::future::Future;
use std::rc::Rc;

use go_context::{AfterFunc, CancelCauseFunc, CancelFunc, Cause, Context, Error, Key, WaitAsync};

fn send_sync_unpin_static<T: Send + Sync + Unpin + 'static>() {}

/// Compiles only if `T` is all four; the table below is the test.
macro_rules! assert_send_sync_unpin_static {
    ($($ty:ty),* $(,)?) => {
        $( send_sync_unpin_static::<$ty>(); )*
    };
}

#[test]
fn public_types_are_send_sync_unpin_and_static() {
    assert_send_sync_unpin_static!(
        Context,
        CancelFunc,
        CancelCauseFunc,
        AfterFunc,
        WaitAsync,
        Error,
        Cause,
        Key<u64>,
        // A key names a type without holding a value of it: even a key for a
        // value that is not `Send` is shareable (such a key cannot be given a
        // value, since `with_value` needs `Send + Sync`).
        Key<Rc<u8>>,
    );
}

#[test]
fn wait_async_is_a_future_of_the_context_error() {
    fn future_of_error<F: Future<Output = Error> + Send + 'static>(_: &F) {}
    future_of_error(&go_context::background().wait_async());
}

#[test]
fn error_is_a_plain_value() {
    fn plain<T: Copy + Eq + std::hash::Hash + std::fmt::Debug + std::error::Error>() {}
    plain::<Error>();
    // And it converts to an I/O error for code that speaks `io::Result`.
    let _: std::io::Error = Error::Canceled.into();
}
