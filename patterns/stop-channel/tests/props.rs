//! Property test: random interleavings of subscribing, selecting and closing
//! from several threads always end with every watcher stopped, and no
//! watcher ever stops before a close has begun.
//!
//! Each case runs a few driver threads at once, each with its own random
//! script. A `Subscribe` starts a watcher thread that watches in one of six
//! styles and reports when it stops; every wait is bounded, so a missed
//! close fails the case instead of hanging it. Whichever way a watcher saw
//! the close, the other forms of watching must agree at once.
//!
//! [`woken_watchers_see_is_closed`] checks that the forms of watching agree
//! with each other during a close, not only after it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, TryRecvError, select};
use go_stop_channel::{StopSignal, StopSource};
use proptest::prelude::*;

/// How long a watcher may take to see the close; only a failing case waits
/// this long.
const BOUND: Duration = Duration::from_secs(10);

/// How a watcher thread watches.
#[derive(Clone, Copy, Debug)]
enum Style {
    /// A blocking `select!` on the stop arm and a job channel.
    SelectWithJobs,
    /// `select!` with a `default` arm, in a loop.
    SelectDefault,
    Wait,
    /// `wait_timeout` with a short timeout, in a loop.
    WaitTimeoutLoop,
    /// `is_closed`, in a loop.
    PollIsClosed,
    /// `recv` on the channel itself.
    Recv,
}

/// One step of a driver thread's script.
#[derive(Clone, Copy, Debug)]
enum Act {
    /// Start a watcher, from a clone of a signal or a fresh `signal()`.
    Subscribe {
        style: Style,
        from_source: bool,
    },
    /// Send a job to the watchers that take jobs.
    SendJob,
    /// A non-blocking `select!` on the stop arm from the driver itself.
    Peek,
    Close,
    Yield,
}

fn style() -> impl Strategy<Value = Style> {
    prop_oneof![
        Just(Style::SelectWithJobs),
        Just(Style::SelectDefault),
        Just(Style::Wait),
        Just(Style::WaitTimeoutLoop),
        Just(Style::PollIsClosed),
        Just(Style::Recv),
    ]
}

fn act() -> impl Strategy<Value = Act> {
    prop_oneof![
        4 => (style(), any::<bool>())
            .prop_map(|(style, from_source)| Act::Subscribe { style, from_source }),
        2 => Just(Act::SendJob),
        2 => Just(Act::Peek),
        1 => Just(Act::Close),
        2 => Just(Act::Yield),
    ]
}

/// Scripts for two to four driver threads.
fn scripts() -> impl Strategy<Value = Vec<Vec<Act>>> {
    prop::collection::vec(prop::collection::vec(act(), 0..12), 2..5)
}

/// What every thread of a case shares.
struct Shared {
    source: StopSource,
    signal: StopSignal,
    /// Set just before any `close`: a watcher that stops must see it set.
    closing: AtomicBool,
    jobs_tx: Sender<u32>,
    jobs: Receiver<u32>,
    /// Watchers report here when they stop: `Err` says what went wrong.
    stopped_tx: Sender<Result<(), String>>,
}

impl Shared {
    fn close(&self) {
        self.closing.store(true, Ordering::SeqCst);
        self.source.close();
    }

    /// A watcher saw the close: it must have begun, and every form of
    /// watching must now agree.
    fn check_stop(&self, signal: &StopSignal, style: Style) -> Result<(), String> {
        if !self.closing.load(Ordering::SeqCst) {
            return Err(format!("{style:?} watcher stopped before any close"));
        }
        if !matches!(signal.try_recv(), Err(TryRecvError::Disconnected)) {
            return Err(format!(
                "{style:?} watcher stopped, channel not disconnected"
            ));
        }
        if !signal.is_closed() {
            return Err(format!(
                "{style:?} watcher stopped, is_closed() still false"
            ));
        }
        Ok(())
    }
}

/// Watches `signal` in `style` until it is closed, bounded by [`BOUND`].
fn watch(shared: &Shared, signal: &StopSignal, style: Style) -> Result<(), String> {
    let deadline = Instant::now() + BOUND;
    let timed_out = || Err(format!("{style:?} watcher never saw the close"));
    match style {
        Style::SelectWithJobs => loop {
            select! {
                recv(signal) -> msg => {
                    if msg.is_ok() {
                        return Err("a message on a stop channel".to_owned());
                    }
                    break;
                }
                recv(shared.jobs) -> _ => {}
                default(deadline.saturating_duration_since(Instant::now())) => return timed_out(),
            }
        },
        Style::SelectDefault => loop {
            select! {
                recv(signal) -> _ => break,
                default => {
                    if Instant::now() > deadline {
                        return timed_out();
                    }
                    thread::yield_now();
                }
            }
        },
        Style::Wait => {
            // An unbounded wait, with the bound kept by the main thread's
            // collection of reports.
            signal.wait();
        }
        Style::WaitTimeoutLoop => {
            while !signal.wait_timeout(Duration::from_micros(50)) {
                if Instant::now() > deadline {
                    return timed_out();
                }
            }
        }
        Style::PollIsClosed => {
            while !signal.is_closed() {
                if Instant::now() > deadline {
                    return timed_out();
                }
                thread::yield_now();
            }
        }
        Style::Recv => {
            if signal.recv_timeout(BOUND).is_ok() {
                return Err("a message on a stop channel".to_owned());
            }
        }
    }
    shared.check_stop(signal, style)
}

/// Runs one driver's script; returns how many watchers it started.
fn drive(shared: &Arc<Shared>, script: &[Act]) -> Result<usize, String> {
    let mut watchers = 0;
    for act in script {
        match *act {
            Act::Subscribe { style, from_source } => {
                let signal = if from_source {
                    shared.source.signal()
                } else {
                    shared.signal.clone()
                };
                let shared = Arc::clone(shared);
                thread::spawn(move || {
                    let report = watch(&shared, &signal, style);
                    let _ = shared.stopped_tx.send(report);
                });
                watchers += 1;
            }
            Act::SendJob => {
                let _ = shared.jobs_tx.try_send(1);
            }
            Act::Peek => select! {
                recv(shared.signal) -> _ => shared.check_stop(&shared.signal, Style::SelectDefault)?,
                default => {}
            },
            Act::Close => shared.close(),
            Act::Yield => thread::yield_now(),
        }
    }
    Ok(watchers)
}

fn run(scripts: &[Vec<Act>]) -> Result<(), TestCaseError> {
    let (stopped_tx, stopped) = crossbeam_channel::unbounded();
    let (jobs_tx, jobs) = crossbeam_channel::bounded(4);
    let (source, signal) = go_stop_channel::stop_channel();
    let shared = Arc::new(Shared {
        source,
        signal,
        closing: AtomicBool::new(false),
        jobs_tx,
        jobs,
        stopped_tx,
    });
    let start = Arc::new(Barrier::new(scripts.len()));
    let drivers: Vec<_> = scripts
        .iter()
        .cloned()
        .map(|script| {
            let (shared, start) = (Arc::clone(&shared), Arc::clone(&start));
            thread::spawn(move || {
                start.wait();
                drive(&shared, &script)
            })
        })
        .collect();
    let mut watchers = 0;
    for driver in drivers {
        watchers += driver.join().unwrap().map_err(TestCaseError::fail)?;
    }
    // If no script closed, the end of the program does, as a dropped
    // source would.
    shared.close();
    for stopped_so_far in 0..watchers {
        match stopped.recv_timeout(BOUND) {
            Ok(Ok(())) => {}
            Ok(Err(what)) => return Err(TestCaseError::fail(what)),
            Err(_) => {
                let message = format!("{stopped_so_far} of {watchers} watchers stopped");
                return Err(TestCaseError::fail(message));
            }
        }
    }
    prop_assert!(shared.signal.is_closed() && shared.source.is_closed());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn every_watcher_stops(scripts in scripts()) {
        run(&scripts)?;
    }
}

/// A watcher woken by the close through the channel (a `select!` arm or a
/// `recv`) must then see `is_closed()`: otherwise a worker that checks the
/// flag after waking (say, in a helper) would carry on working.
#[test]
fn woken_watchers_see_is_closed() {
    for round in 0..1_000 {
        let (source, signal) = go_stop_channel::stop_channel();
        let watcher = thread::spawn(move || {
            let woken = signal.recv_timeout(BOUND).is_err();
            (woken, signal.is_closed())
        });
        thread::yield_now();
        source.close();
        let (woken, closed) = watcher.join().unwrap();
        assert!(woken, "round {round}: the watcher timed out");
        assert!(
            closed,
            "round {round}: woken by the close, but is_closed() was false"
        );
    }
}
