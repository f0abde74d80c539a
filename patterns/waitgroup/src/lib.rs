//! waitgroup (in progress).
