//! loom-tests (in progress).
