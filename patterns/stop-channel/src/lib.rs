//! stop-channel (in progress).
