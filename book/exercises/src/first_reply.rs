//! Exercise: the first replica to answer wins (the select + channel part).
//!
//! The Go program to port: the same query goes to several replicas, each on
//! a goroutine of its own; the first answer is kept, and closing `stop`
//! tells the others to give up. The function returns only once every
//! replica has returned, so that none outlives the request.
//!
//! ```go
//! type Replica func(stop <-chan struct{}) (string, bool)
//!
//! func FirstReply(replicas []Replica) (string, bool) {
//!     stop := make(chan struct{})
//!     answers := make(chan string, len(replicas))
//!     var wg sync.WaitGroup
//!     for _, replica := range replicas {
//!         wg.Add(1)
//!         go func() {
//!             defer wg.Done()
//!             if answer, ok := replica(stop); ok {
//!                 answers <- answer
//!             }
//!         }()
//!     }
//!     go func() { wg.Wait(); close(answers) }()
//!     answer, ok := <-answers // the first answer, or closed: none came
//!     close(stop)             // the others may stop now
//!     wg.Wait()
//!     return answer, ok
//! }
//! ```
//!
//! Write `first_reply` with `go_stop_channel::stop_channel()` for `stop`
//! and a crossbeam channel for `answers`. Hints: a crossbeam channel is
//! closed when its last `Sender` is dropped, so the helper goroutine that
//! closes `answers` is not needed: drop your own sender once every thread
//! has a clone; `recv()` then returns `Err` when no replica answered.
//! Joining the threads is the `wg.Wait()`.
//!
//! Test it: `cargo test -p book-exercises --features starter --test first_reply`.

use go_stop_channel::StopSignal;

/// A replica: given the stop signal, it answers (`Some`) or gives up
/// (`None`), for instance because the signal was closed.
pub type Replica = Box<dyn FnOnce(StopSignal) -> Option<String> + Send>;

/// Starts every replica on a thread of its own, returns the first answer
/// (`None` if no replica answered), and returns only after telling the others
/// to stop and waiting until every replica has returned.
pub fn first_reply(replicas: Vec<Replica>) -> Option<String> {
    // Your code here.
    drop(replicas);
    None
}
