//! Go's `BenchmarkWithTimeout` shape, shared by the Go-shaped row and the
//! live-timers growth curve: many one-hour timeouts armed on every core, and
//! the measured operation, ten more created and canceled.

use std::thread;
use std::time::Duration;

use go_context::CancelFunc;

use crate::parallel;

/// Long enough never to fire during a benchmark.
pub const HOUR: Duration = Duration::from_secs(3600);

/// Arms `total` one-hour timeouts, made on every core as Go's are; they stay
/// armed until the returned handles are dropped.
pub fn arm_on_every_core(total: usize) -> Vec<Vec<CancelFunc>> {
    let per_thread = total / parallel::threads();
    thread::scope(|scope| {
        let makers: Vec<_> = (0..parallel::threads())
            .map(|_| {
                scope.spawn(move || {
                    (0..per_thread)
                        .map(|_| go_context::with_timeout(&go_context::background(), HOUR).1)
                        .collect()
                })
            })
            .collect();
        makers
            .into_iter()
            .map(|maker| maker.join().unwrap())
            .collect()
    })
}

/// `iters` operations on every core, each creating ten one-hour timeouts and
/// canceling them (dropping each handle is Go's `f()`); the wall time.
pub fn create_and_cancel_ten(iters: u64) -> Duration {
    parallel::run(
        iters,
        |_| Vec::with_capacity(10),
        |cancels, _, n| {
            for _ in 0..n {
                for _ in 0..10 {
                    cancels.push(go_context::with_timeout(&go_context::background(), HOUR).1);
                }
                cancels.clear();
            }
        },
    )
}
