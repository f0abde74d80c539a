//! The deadline queue and its thread, on the real clock: each test but the
//! last runs a queue of its own, so that counts are exact while tests run in
//! parallel. (The wheel's own tests are in `wheel/tests.rs`; the loom models
//! race the queue against contexts on a logical clock.)

use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Barrier, mpsc};
use std::thread;

use super::super::sync::{TIMER_THREAD, fail_next_spawn};
use super::*;

const HOUR: Duration = Duration::from_secs(3600);
/// A failure timeout: only a failing test waits this long.
const QUIESCENT: Duration = Duration::from_secs(10);

/// A queue of the test's own (leaked, as the process's is), so that
/// counts are exact while tests run in parallel; `None` in the
/// model-checked instance, whose primitives work only inside a model.
fn fresh() -> Option<&'static Queue> {
    TIMER_THREAD.then(|| &*Box::leak(Box::new(Queue::new())))
}

/// Reports each expiry: its id and when it came.
struct Probe {
    /// Tells probes apart in the log.
    id: usize,
    /// How many times it expired.
    fired: AtomicUsize,
    /// Where expiries are reported.
    log: mpsc::Sender<(usize, Instant)>,
}

impl Expire for Probe {
    fn expire(self: Arc<Self>) -> bool {
        self.fired.fetch_add(1, Ordering::SeqCst);
        let _ = self.log.send((self.id, Instant::now()));
        true
    }
}

/// A probe that reports to `log`.
fn probe(id: usize, log: &mpsc::Sender<(usize, Instant)>) -> Arc<Probe> {
    Arc::new(Probe {
        id,
        fired: AtomicUsize::new(0),
        log: log.clone(),
    })
}

/// What the queue holds of a target.
fn weak<T: Expire + 'static>(target: &Arc<T>) -> Weak<dyn Expire> {
    Arc::downgrade(target) as Weak<dyn Expire>
}

/// The next expiry reported, within [`QUIESCENT`].
fn next(log: &mpsc::Receiver<(usize, Instant)>) -> (usize, Instant) {
    log.recv_timeout(QUIESCENT)
        .expect("a deadline did not fire")
}

#[test]
fn keys_are_small() {
    assert!(size_of::<TimerKey>() <= 16);
    assert_eq!(size_of::<Option<TimerKey>>(), size_of::<TimerKey>());
}

#[test]
fn deadlines_round_up_to_ticks_and_the_clock_down() {
    let Some(queue) = fresh() else { return };
    let epoch = queue.epoch;
    for nanos in [
        0,
        1,
        999_999,
        1_000_000,
        1_000_001,
        2_500_000_000,
        3_600_000_000_001,
    ] {
        let at = epoch + Duration::from_nanos(nanos);
        let after = queue.tick_after(at);
        assert!(queue.instant_of(after).unwrap() >= at);
        assert!(queue.instant_of(queue.tick_at(at)).unwrap() <= at);
        assert!(after - queue.tick_at(at) <= 1);
    }
    if let Some(before) = epoch.checked_sub(Duration::from_secs(1)) {
        assert_eq!(queue.tick_after(before), 0);
    }
    if let Some(far) = epoch.checked_add(Duration::from_secs(1 << 53)) {
        assert_eq!(queue.tick_after(far), LAST_TICK);
    }
    assert!(queue.instant_of(LAST_TICK).is_some());
    assert_eq!(queue.instant_of(NEVER), None);
}

#[test]
fn timers_fire_at_or_after_their_deadline() {
    let Some(queue) = fresh() else { return };
    let (tx, rx) = mpsc::channel();
    let start = Instant::now();
    let deadlines = [
        start.checked_sub(Duration::from_secs(1)).unwrap_or(start),
        start,
        start + Duration::from_millis(1),
        start + Duration::from_millis(5),
        start + Duration::from_micros(12_345),
        start + Duration::from_millis(70),
        start + Duration::from_millis(5),
    ];
    let probes: Vec<_> = (0..deadlines.len()).map(|id| probe(id, &tx)).collect();
    for (deadline, probe) in deadlines.iter().zip(&probes) {
        queue.insert(*deadline, weak(probe)).unwrap();
    }
    for _ in 0..deadlines.len() {
        let (id, at) = next(&rx);
        assert!(at >= deadlines[id], "timer {id} fired early");
    }
    assert_eq!(queue.pending(), 0);
    assert!(probes.iter().all(|p| p.fired.load(Ordering::SeqCst) == 1));
}

#[test]
fn a_removed_timer_never_fires() {
    let Some(queue) = fresh() else { return };
    let (tx, rx) = mpsc::channel();
    let (removed, sentinel) = (probe(0, &tx), probe(1, &tx));
    // A loaded machine may stall this thread past the deadline before
    // it removes the timer; then the round proves nothing: go again.
    let deadline = loop {
        let deadline = Instant::now() + Duration::from_millis(20);
        let key = queue.insert(deadline, weak(&removed)).unwrap();
        if queue.take(key).is_some() {
            break deadline;
        }
        assert_eq!(next(&rx).0, 0);
        removed.fired.store(0, Ordering::SeqCst);
    };
    // The sentinel fires after the removed timer's deadline has passed.
    queue
        .insert(deadline + Duration::from_millis(20), weak(&sentinel))
        .unwrap();
    assert_eq!(next(&rx).0, 1, "only the sentinel fires");
    assert_eq!(removed.fired.load(Ordering::SeqCst), 0);
    assert_eq!(queue.pending(), 0);
}

#[test]
fn fire_expires_now_and_only_once() {
    let Some(queue) = fresh() else { return };
    let (tx, _rx) = mpsc::channel();
    let target = probe(0, &tx);
    let key = queue.insert(Instant::now() + HOUR, weak(&target)).unwrap();
    assert_eq!(queue.pending(), 1);
    assert!(queue.fire(key));
    assert_eq!(target.fired.load(Ordering::SeqCst), 1);
    assert_eq!(queue.pending(), 0);
    assert!(!queue.fire(key), "already fired");
    queue.remove(key); // a no-op
    assert_eq!(target.fired.load(Ordering::SeqCst), 1);

    // A target that is gone: nothing to call, and the timer is gone too.
    let gone = probe(1, &tx);
    let key = queue.insert(Instant::now() + HOUR, weak(&gone)).unwrap();
    drop(gone);
    assert!(!queue.fire(key));
    assert_eq!(queue.pending(), 0);
}

#[test]
fn a_target_that_is_gone_is_skipped() {
    let Some(queue) = fresh() else { return };
    let (tx, rx) = mpsc::channel();
    let gone = probe(0, &tx);
    let sentinel = probe(1, &tx);
    queue.insert(Instant::now(), weak(&gone)).unwrap();
    drop(gone);
    queue
        .insert(Instant::now() + Duration::from_millis(5), weak(&sentinel))
        .unwrap();
    assert_eq!(next(&rx).0, 1);
    assert_eq!(queue.pending(), 0);
}

/// Stops one timer and arms another from inside `expire`.
struct Reenter {
    /// The queue it re-enters.
    queue: &'static Queue,
    /// The timer it stops.
    victim: std::sync::Mutex<Option<TimerKey>>,
    /// The target of the timer it arms, due at once.
    then: Arc<Probe>,
}

impl Expire for Reenter {
    fn expire(self: Arc<Self>) -> bool {
        if let Some(victim) = self.victim.lock().unwrap().take() {
            self.queue.remove(victim);
        }
        self.queue.insert(Instant::now(), weak(&self.then)).unwrap();
        true
    }
}

#[test]
fn expire_may_remove_and_insert() {
    let Some(queue) = fresh() else { return };
    let (tx, rx) = mpsc::channel();
    for by_fire in [false, true] {
        let (victim, then) = (probe(0, &tx), probe(1, &tx));
        // Both on this thread's shard: fired by the thread, the
        // re-entrant calls hit the shard it has just polled; fired here,
        // the shard `fire` has just unlocked.
        let victim_key = queue.insert(Instant::now() + HOUR, weak(&victim)).unwrap();
        let reenter = Arc::new(Reenter {
            queue,
            victim: std::sync::Mutex::new(Some(victim_key)),
            then: then.clone(),
        });
        let deadline = if by_fire {
            Instant::now() + HOUR
        } else {
            Instant::now()
        };
        let key = queue.insert(deadline, weak(&reenter)).unwrap();
        if by_fire {
            assert!(queue.fire(key));
        }
        assert_eq!(next(&rx).0, 1, "the timer armed by expire fires");
        assert_eq!(queue.pending(), 0, "the victim is gone");
        assert!(!queue.fire(victim_key));
        assert_eq!(victim.fired.load(Ordering::SeqCst), 0);
    }
}

/// A target that panics.
struct Panics;

impl Expire for Panics {
    fn expire(self: Arc<Self>) -> bool {
        panic!("a target panicked (as this test means it to)");
    }
}

#[test]
fn a_panicking_target_does_not_stop_the_thread() {
    let Some(queue) = fresh() else { return };
    let (tx, rx) = mpsc::channel();
    let panics = Arc::new(Panics);
    let (after, later) = (probe(0, &tx), probe(1, &tx));
    let start = Instant::now();
    queue.insert(start, weak(&panics)).unwrap();
    queue
        .insert(start + Duration::from_millis(5), weak(&after))
        .unwrap();
    assert_eq!(next(&rx).0, 0);
    queue.insert(Instant::now(), weak(&panics)).unwrap();
    queue
        .insert(Instant::now() + Duration::from_millis(1), weak(&later))
        .unwrap();
    assert_eq!(next(&rx).0, 1);
    assert_eq!(queue.pending(), 0);
}

#[test]
fn pending_counts_armed_timers() {
    let Some(queue) = fresh() else { return };
    let (tx, _rx) = mpsc::channel();
    let target = probe(0, &tx);
    let keys: Vec<_> = (0..10)
        .map(|_| queue.insert(Instant::now() + HOUR, weak(&target)).unwrap())
        .collect();
    assert_eq!(queue.pending(), 10);
    for key in &keys[..3] {
        queue.remove(*key);
    }
    assert_eq!(queue.pending(), 7);
    for key in &keys[3..5] {
        assert!(queue.fire(*key));
    }
    assert_eq!(queue.pending(), 5);
    for key in &keys {
        queue.remove(*key);
    }
    assert_eq!(queue.pending(), 0);
    assert_eq!(target.fired.load(Ordering::SeqCst), 2);
}

#[test]
fn a_stale_key_matches_nothing() {
    let Some(queue) = fresh() else { return };
    let (tx, rx) = mpsc::channel();
    let (first, second) = (probe(0, &tx), probe(1, &tx));
    let stale = queue.insert(Instant::now() + HOUR, weak(&first)).unwrap();
    queue.remove(stale);
    let key = queue.insert(Instant::now() + HOUR, weak(&second)).unwrap();
    assert_eq!((key.shard, key.index), (stale.shard, stale.index), "reused");
    assert_ne!(key, stale);
    queue.remove(stale);
    assert!(!queue.fire(stale));
    assert_eq!(queue.pending(), 1);
    assert!(queue.fire(key));
    assert_eq!(second.fired.load(Ordering::SeqCst), 1);
    assert_eq!(first.fired.load(Ordering::SeqCst), 0);

    // A key whose timer the thread fired is stale too.
    let key = queue.insert(Instant::now(), weak(&first)).unwrap();
    assert_eq!(next(&rx).0, 1);
    assert_eq!(next(&rx).0, 0);
    let other = queue.insert(Instant::now() + HOUR, weak(&second)).unwrap();
    queue.remove(key);
    assert!(!queue.fire(key));
    assert_eq!(queue.pending(), 1);
    queue.remove(other);
    assert_eq!(queue.pending(), 0);
}

#[test]
fn threads_arm_stop_and_fire_concurrently() {
    let Some(queue) = fresh() else { return };
    const THREADS: usize = 4;
    const PER_THREAD: usize = 20_000;
    let (tx, _rx) = mpsc::channel();
    let target = probe(0, &tx);
    let taken = AtomicUsize::new(0);
    let barrier = Barrier::new(THREADS);
    let kept: Vec<Vec<TimerKey>> = thread::scope(|scope| {
        let workers: Vec<_> = (0..THREADS)
            .map(|_| {
                scope.spawn(|| {
                    barrier.wait();
                    let mut kept = Vec::new();
                    for i in 0..PER_THREAD {
                        let deadline = match i % 4 {
                            0 => Instant::now() + HOUR,
                            1 => Instant::now(),
                            _ => Instant::now() + Duration::from_millis(i as u64 % 7),
                        };
                        let key = queue.insert(deadline, weak(&target)).unwrap();
                        if i % 2 == 0 {
                            taken.fetch_add(
                                usize::from(queue.take(key).is_some()),
                                Ordering::SeqCst,
                            );
                        } else {
                            kept.push(key);
                        }
                    }
                    kept
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    // Each thread stops another's timers, racing the timer thread.
    thread::scope(|scope| {
        for (i, _) in kept.iter().enumerate() {
            let keys = &kept[(i + 1) % THREADS];
            let taken = &taken;
            scope.spawn(move || {
                for key in keys.iter().rev() {
                    taken.fetch_add(usize::from(queue.take(*key).is_some()), Ordering::SeqCst);
                }
            });
        }
    });
    let total = THREADS * PER_THREAD;
    let give_up = Instant::now() + QUIESCENT;
    while target.fired.load(Ordering::SeqCst) + taken.load(Ordering::SeqCst) < total {
        assert!(Instant::now() < give_up, "timers lost");
        thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(
        target.fired.load(Ordering::SeqCst) + taken.load(Ordering::SeqCst),
        total,
        "each timer fired or was stopped, once"
    );
    assert_eq!(queue.pending(), 0);
}

#[test]
fn a_refused_thread_arms_nothing_and_is_retried() {
    let Some(queue) = fresh() else { return };
    let (tx, rx) = mpsc::channel();
    let target = probe(0, &tx);
    fail_next_spawn();
    let refused = queue.insert(Instant::now(), weak(&target));
    assert!(refused.is_err());
    assert_eq!(queue.pending(), 0);
    assert!(!queue.started.load(Ordering::SeqCst));
    queue.insert(Instant::now(), weak(&target)).unwrap();
    assert!(queue.started.load(Ordering::SeqCst));
    assert_eq!(next(&rx).0, 0);
    assert_eq!(queue.pending(), 0);
}

#[test]
fn many_timers_then_none_give_their_memory_back() {
    let Some(queue) = fresh() else { return };
    let (tx, _rx) = mpsc::channel();
    let target = probe(0, &tx);
    let capacity = || -> usize {
        let shards = queue.shards.iter();
        shards.map(|shard| shard.0.lock().capacity()).sum()
    };
    for order in 0..3 {
        let start = Instant::now();
        let mut keys: Vec<_> = (0..400_000_u64)
            .map(|i| {
                let deadline = start + HOUR + Duration::from_micros(i * 37 % 1_000_000_000);
                queue.insert(deadline, weak(&target)).unwrap()
            })
            .collect();
        assert_eq!(queue.pending(), 400_000);
        match order {
            0 => {}
            1 => keys.reverse(),
            _ => {
                let mut x = 0x9e37_79b9_7f4a_7c15_u64;
                for i in (1..keys.len()).rev() {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    keys.swap(i, (x % (i as u64 + 1)) as usize);
                }
            }
        }
        for key in keys {
            queue.remove(key);
        }
        assert_eq!(queue.pending(), 0);
        assert!(capacity() <= queue.shards.len() * wheel::MIN_CAPACITY);
    }
    assert_eq!(target.fired.load(Ordering::SeqCst), 0);
}

#[test]
fn the_process_queue() {
    if !TIMER_THREAD {
        return;
    }
    let (tx, rx) = mpsc::channel();
    let (soon, later) = (probe(0, &tx), probe(1, &tx));
    let key = insert(Instant::now() + HOUR, weak(&later)).unwrap();
    assert!(pending() >= 1); // other tests may arm timers here too
    let deadline = Instant::now() + Duration::from_millis(5);
    insert(deadline, weak(&soon)).unwrap();
    let (id, at) = next(&rx);
    assert_eq!(id, 0);
    assert!(at >= deadline);
    assert!(fire(key));
    assert!(!fire(key));
    remove(key);
    assert_eq!(later.fired.load(Ordering::SeqCst), 1);
}
