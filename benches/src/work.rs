//! The busy work Go's benchmarks put between the operations they measure,
//! as Go's compiler leaves it.
//!
//! Go's loops start from zero: `x := 0; for … { x /= x + 1 }` and
//! `foo := 0; for … { foo *= 2; foo /= 2 }`. Whether the arithmetic survives
//! compilation depends on the Go version, which the benchmark's source does
//! not show (read it with `go test -c` and `go tool objdump`):
//!
//! - Go 1.19 executes every division of `BenchmarkCommonParentCancel`
//!   ([`divide`]);
//! - Go 1.21 and later propagate the constant through the loop (SCCP), find
//!   that `x` stays zero, and drop the divisions: only the loop counter runs
//!   ([`count`]);
//! - both fold `foo *= 2; foo /= 2` in the wait group benchmarks away:
//!   [`count`] again.
//!
//! A port that did more or less than the Go it is compared with would
//! measure the busy work, not the operation: `CommonParentCancel`'s 200
//! divisions cost several times the context operations between them (the
//! difference between its two rows on a results page). So each row runs the
//! busy work of the Go it is compared with, and `CommonParentCancel` has a
//! row for each.

use std::hint::black_box;

/// Go's `for i := 0; i < n; i++ { x /= x + 1 }`, from
/// `BenchmarkCommonParentCancel`, as Go 1.19 runs it: `n` dependent integer
/// divisions, the starting value hidden from the optimiser so that every
/// one is executed.
///
/// # Examples
///
/// ```
/// assert_eq!(benches::work::divide(0, 100), 0);
/// ```
#[inline]
pub fn divide(x: i64, n: u32) -> i64 {
    let mut x = black_box(x);
    for _ in 0..n {
        x /= x + 1;
    }
    black_box(x)
}

/// A loop of `n` iterations that only counts: what Go leaves of a busy loop
/// whose arithmetic it folded away (see the module docs), kept so, where
/// Rust's optimiser would delete an empty loop outright.
///
/// # Examples
///
/// ```
/// benches::work::count(100);
/// ```
#[inline]
pub fn count(n: u32) {
    for _ in 0..black_box(n) {
        // An empty `asm!` is assumed to have effects, so the loop stays, and
        // it touches no register or memory, so the loop is only a counter,
        // as Go's: an increment, a compare and a branch.
        // SAFETY: an empty template executes nothing.
        unsafe { std::arch::asm!("", options(nomem, nostack, preserves_flags)) };
    }
}

/// One of Go's busy loops between two operations: takes and hands back the
/// loop's variable.
pub type BusyLoop = fn(i64) -> i64;

/// `CommonParentCancel`'s `for i := 0; i < 100; i++ { x /= x + 1 }` as each
/// Go compiles it, with the suffix of the row that runs it: Go 1.19's
/// divisions, and the counter that Go 1.21 and later leave (`/folded`).
///
/// # Examples
///
/// ```
/// for (suffix, busy) in benches::work::COMMON_PARENT_CANCEL_LOOPS {
///     assert_eq!(busy(0), 0, "{suffix}");
/// }
/// ```
pub const COMMON_PARENT_CANCEL_LOOPS: [(&str, BusyLoop); 2] = [
    ("", |x| divide(x, 100)),
    ("/folded", |x| {
        count(100);
        x
    }),
];
