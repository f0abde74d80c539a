//! The stop pair: closing, watching in every form, and the races between
//! them.

use std::sync::Arc;
use std::thread;
use std::time::Duration;

use crossbeam_channel::{RecvError, TryRecvError, after, never, select, unbounded};
use go_stop_channel::{StopSignal, StopSource, stop_channel};

const THREADS: usize = 8;

/// A timeout long enough never to expire in a passing test.
const FOREVER: Duration = Duration::from_secs(60);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

mod closing {
    use super::*;

    #[test]
    fn close_is_seen_by_every_form_of_watching() {
        let (stop, stopped) = stop_channel();
        assert!(!stop.is_closed());
        assert!(!stopped.is_closed());
        assert_eq!(stopped.try_recv(), Err(TryRecvError::Empty));
        stop.close();
        assert!(stop.is_closed());
        assert!(stopped.is_closed());
        assert_eq!(stopped.try_recv(), Err(TryRecvError::Disconnected));
        assert_eq!(stopped.recv(), Err(RecvError)); // ready, no message
        stopped.wait();
        assert!(stopped.wait_timeout(Duration::ZERO));
    }

    #[test]
    fn closing_twice_does_nothing() {
        let (stop, stopped) = stop_channel();
        stop.close();
        stop.close();
        drop(stop); // and a third time, on drop
        assert!(stopped.is_closed());
    }

    #[test]
    fn dropping_the_source_closes() {
        let (stop, stopped) = stop_channel();
        drop(stop);
        assert!(stopped.is_closed());
        assert_eq!(stopped.try_recv(), Err(TryRecvError::Disconnected));
    }

    #[test]
    fn watchers_made_after_the_close_see_it_at_once() {
        let stop = StopSource::new();
        stop.close();
        let late = stop.signal();
        assert!(late.is_closed());
        assert_eq!(late.receiver().try_recv(), Err(TryRecvError::Disconnected));
    }

    #[test]
    fn clones_of_a_signal_watch_the_same_channel() {
        let (stop, stopped) = stop_channel();
        let clones: Vec<StopSignal> = (0..THREADS).map(|_| stopped.clone()).collect();
        drop(stopped); // watchers going away changes nothing for the others
        stop.close();
        assert!(clones.iter().all(StopSignal::is_closed));
    }

    #[test]
    fn signals_outlive_their_source() {
        let stopped = StopSource::new().signal(); // the source drops here
        assert!(stopped.is_closed());
        stopped.wait();
    }

    #[test]
    fn debug_shows_whether_closed() {
        let (stop, stopped) = stop_channel();
        assert_eq!(format!("{stop:?}"), "StopSource { closed: false }");
        assert_eq!(format!("{stopped:?}"), "StopSignal { closed: false }");
        stop.close();
        assert_eq!(format!("{stop:?}"), "StopSource { closed: true }");
        assert_eq!(format!("{stopped:?}"), "StopSignal { closed: true }");
    }
}

mod selecting {
    use super::*;

    #[test]
    fn default_arm_until_closed_then_stop_arm_every_time() {
        let (stop, stopped) = stop_channel();
        let poll = |stopped: &StopSignal| {
            select! {
                recv(stopped) -> msg => {
                    assert_eq!(msg, Err(RecvError));
                    true
                }
                default => false,
            }
        };
        assert!(!poll(&stopped));
        stop.close();
        for _ in 0..3 {
            assert!(poll(&stopped), "a closed channel stays ready");
        }
    }

    #[test]
    fn blocking_select_wakes_on_close() {
        let (stop, stopped) = stop_channel();
        let (_jobs_tx, jobs) = unbounded::<u32>();
        let worker = thread::spawn(move || {
            select! {
                recv(stopped) -> _ => "stopped",
                recv(jobs) -> _ => "job",
            }
        });
        stop.close();
        assert_eq!(worker.join().unwrap(), "stopped");
    }

    #[test]
    fn never_in_place_of_a_stop_arm_is_never_ready() {
        let stopped: Option<StopSignal> = None;
        let never_stop = never();
        let arm = stopped.as_ref().map_or(&never_stop, |s| s.receiver());
        select! {
            recv(arm) -> _ => panic!("a nil channel is never ready"),
            recv(after(ms(1))) -> _ => {}
        }
    }
}

mod waiting {
    use super::*;

    #[test]
    fn close_wakes_every_blocked_waiter() {
        let (stop, stopped) = stop_channel();
        let waiters: Vec<_> = (0..THREADS)
            .map(|_| {
                let stopped = stopped.clone();
                thread::spawn(move || stopped.wait())
            })
            .collect();
        stop.close();
        for waiter in waiters {
            waiter.join().unwrap();
        }
    }

    #[test]
    fn wait_timeout_times_out_while_open() {
        let (stop, stopped) = stop_channel();
        assert!(!stopped.wait_timeout(ms(5)));
        assert!(!stopped.wait_timeout(Duration::ZERO));
        drop(stop);
        assert!(stopped.wait_timeout(Duration::MAX));
    }

    #[test]
    fn wait_timeout_returns_true_when_closed_meanwhile() {
        let (stop, stopped) = stop_channel();
        let waiter = thread::spawn(move || stopped.wait_timeout(FOREVER));
        stop.close();
        assert!(waiter.join().unwrap());
    }
}

mod races {
    use super::*;

    #[test]
    fn concurrent_closes_close_once_without_panicking() {
        let stop = Arc::new(StopSource::new());
        let stopped = stop.signal();
        let closers: Vec<_> = (0..THREADS)
            .map(|_| {
                let stop = Arc::clone(&stop);
                thread::spawn(move || stop.close())
            })
            .collect();
        for closer in closers {
            closer.join().unwrap();
        }
        assert!(stopped.is_closed());
    }

    #[test]
    fn watchers_subscribing_while_closing_all_see_the_close() {
        for _ in 0..100 {
            let stop = Arc::new(StopSource::new());
            let watchers: Vec<_> = (0..4)
                .map(|i| {
                    let stop = Arc::clone(&stop);
                    thread::spawn(move || {
                        let stopped = stop.signal();
                        match i % 3 {
                            0 => stopped.wait(),
                            1 => select! { recv(stopped) -> _ => {} },
                            _ => assert!(stopped.wait_timeout(FOREVER)),
                        }
                    })
                })
                .collect();
            stop.close();
            for watcher in watchers {
                watcher.join().unwrap();
            }
        }
    }
}
