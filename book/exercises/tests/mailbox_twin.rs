//! The model-checking exercise: the textbook mailbox passes its loom model,
//! and the twin, broken in one memory ordering, is caught by it.
#![cfg(feature = "loom")]

use book_exercises::mailbox::{self, Textbook};
use book_exercises::mailbox_twin::Twin;

#[test]
fn the_textbook_passes() {
    mailbox::model::<Textbook>();
}

#[test]
#[should_panic(expected = "read the flag but not the value")]
fn the_twin_is_caught() {
    mailbox::model::<Twin>();
}

#[test]
fn the_twin_works_on_one_thread() {
    mailbox::one_thread::<Twin>();
}
