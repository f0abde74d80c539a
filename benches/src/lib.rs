//! benches (in progress).
