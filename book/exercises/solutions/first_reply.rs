//! A solution: the first replica to answer wins (the select + channel part).
//!
//! The exercise, and the Go program it ports, are in `src/first_reply.rs`.

use std::thread;

use go_stop_channel::{StopSignal, stop_channel};

/// A replica: given the stop signal, it answers (`Some`) or gives up
/// (`None`), for instance because the signal was closed.
pub type Replica = Box<dyn FnOnce(StopSignal) -> Option<String> + Send>;

/// Starts every replica on a thread of its own, returns the first answer
/// (`None` if no replica answered), and returns only after telling the others
/// to stop and waiting until every replica has returned.
pub fn first_reply(replicas: Vec<Replica>) -> Option<String> {
    let (stop, stopped) = stop_channel();
    let (answer_tx, answers) = crossbeam_channel::unbounded();
    let threads: Vec<_> = replicas
        .into_iter()
        .map(|replica| {
            let (stopped, answer_tx) = (stopped.clone(), answer_tx.clone());
            thread::spawn(move || {
                if let Some(answer) = replica(stopped) {
                    let _ = answer_tx.send(answer); // nobody listens after the first: fine
                }
            })
        })
        .collect();
    // Only the threads hold senders now: when the last one ends, `answers`
    // is closed, and `recv` says that nobody answered.
    drop(answer_tx);
    let first = answers.recv().ok();
    stop.close(); // close(stop): every other replica may give up
    for thread in threads {
        thread.join().expect("a replica panicked"); // wg.Wait()
    }
    first
}
