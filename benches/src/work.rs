//! The busy work Go's benchmarks put between the operations they measure.
//!
//! Both loops are ported as written in Go, with the starting value hidden from
//! the optimiser so that, as in Go, every division is really executed.

use std::hint::black_box;

/// Go's `for i := 0; i < n; i++ { x /= x + 1 }`, from
/// `BenchmarkCommonParentCancel`: `n` dependent integer divisions.
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

/// Go's `for i := 0; i < n; i++ { foo *= 2; foo /= 2 }`, from
/// `benchmarkWaitGroupAddDone` and `benchmarkWaitGroupWait`.
///
/// # Examples
///
/// ```
/// assert_eq!(benches::work::double_halve(21, 100), 21);
/// ```
#[inline]
pub fn double_halve(x: i64, n: u32) -> i64 {
    let mut x = black_box(x);
    for _ in 0..n {
        x = x.wrapping_mul(2);
        x /= 2;
    }
    black_box(x)
}
