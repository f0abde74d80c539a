//! Helpers shared by the benchmark files in `benches/benches/`, and the Go
//! baseline the results page compares against.
//!
//! - [`work`]: the busy work Go's benchmarks do between operations.
//! - [`parallel`]: Go's `b.RunParallel` for criterion: one pinned thread per
//!   core, wall time per operation.
//! - [`timeouts`]: Go's `WithTimeout` shape, shared by two benchmark files.
//! - [`shapes`]: the hot shapes, ours and the peers', for the instruction and
//!   byte counts.
//! - [`go_baseline`]: Go's own figures for the benchmarks ported from Go.
//!
//! See `benches/README.md` for what each benchmark measures and how to run
//! them.

pub mod go_baseline;
pub mod parallel;
pub mod shapes;
pub mod timeouts;
pub mod work;
