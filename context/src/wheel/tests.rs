//! The wheel alone, on a simulated clock.

use super::*;

#[test]
fn entries_and_keys_are_small() {
    // What the deadline queue files: a `Weak` to a trait object.
    type Target = std::sync::Weak<dyn std::any::Any + Send + Sync>;
    assert!(size_of::<Entry<Target>>() <= 48);
    assert!(size_of::<Key>() <= 16);
    assert_eq!(size_of::<Option<Key>>(), size_of::<Key>());
}

/// Every timer comes out of the first poll at or after its deadline, never
/// before, and the wheel never plans to look later than its earliest timer.
#[test]
fn the_wheel_fires_each_timer_at_its_tick() {
    let mut x = 0x2545_f491_4f6c_dd1d_u64;
    let mut random = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut wheel = Wheel::new();
    // By id: the deadline and the key while armed.
    let mut armed: Vec<Option<(u64, Key)>> = Vec::new();
    let mut now = 0_u64;
    let mut due = Vec::new();
    let mut fired = 0;
    for round in 0..5_000 {
        // Arm a few, at every scale, some already due.
        for _ in 0..(random() % 8) {
            let scale = random() % 44;
            let when = (now + random() % (1 << scale)).saturating_sub(random() % 4);
            let when = if round % 97 == 0 { LAST_TICK } else { when };
            let key = wheel.insert(when, armed.len());
            armed.push(Some((when, key)));
        }
        // Stop one at random.
        if !armed.is_empty() {
            let pick = (random() as usize) % armed.len();
            if let Some((_, key)) = armed[pick].take() {
                assert_eq!(wheel.remove(key), Some(pick));
                assert_eq!(wheel.remove(key), None);
            }
        }
        let earliest = armed.iter().flatten().map(|(when, _)| *when).min();
        let plan = wheel.next_due();
        assert!(earliest.is_none_or(|earliest| plan <= earliest.max(wheel.elapsed)));
        // Advance: mostly a little, sometimes a lot, sometimes to the plan.
        now += match random() % 10 {
            0 => random() % (1 << (random() % 40)),
            1 => plan.min(LAST_TICK - 1).saturating_sub(now),
            _ => random() % 50,
        };
        loop {
            let more = wheel.poll(now, &mut due);
            assert!(due.len() <= BATCH);
            for id in due.drain(..) {
                let (when, _) = armed[id].take().expect("fired twice or after removal");
                assert!(when <= now, "fired early");
                fired += 1;
            }
            if !more {
                break;
            }
        }
        let late = armed
            .iter()
            .flatten()
            .filter(|(when, _)| *when <= now)
            .count();
        assert_eq!(late, 0, "a due timer stayed in the wheel");
        assert_eq!(wheel.armed(), armed.iter().flatten().count());
    }
    assert!(fired > 1_000, "the clock moved past most deadlines");
}

/// A key names its timer only: once the timer is removed or taken out, the
/// key matches nothing, even after its entry is reused.
#[test]
fn a_stale_key_matches_nothing() {
    let mut wheel = Wheel::new();
    let stale = wheel.insert(100, "first");
    assert_eq!(wheel.remove(stale), Some("first"));
    let key = wheel.insert(100, "second");
    assert_eq!(key.index, stale.index, "the entry is reused");
    assert_ne!(key, stale);
    assert_eq!(wheel.remove(stale), None);
    assert_eq!(wheel.armed(), 1);

    let mut due = Vec::new();
    assert!(!wheel.poll(100, &mut due));
    assert_eq!(due, ["second"]);
    let reused = wheel.insert(200, "third");
    assert_eq!(reused.index, key.index);
    assert_eq!(
        wheel.remove(key),
        None,
        "a key whose timer came due is stale"
    );
    assert_eq!(wheel.remove(reused), Some("third"));
    assert_eq!(wheel.armed(), 0);
}

/// Many timers, then none: the slab gives its memory back.
#[test]
fn an_emptied_wheel_gives_its_memory_back() {
    let mut wheel = Wheel::new();
    let keys: Vec<_> = (0..100_000_u64)
        .map(|i| wheel.insert(1_000 + i, i))
        .collect();
    assert!(wheel.capacity() >= 100_000);
    for key in keys.into_iter().rev() {
        assert!(wheel.remove(key).is_some());
    }
    assert_eq!(wheel.armed(), 0);
    assert!(wheel.capacity() <= MIN_CAPACITY);
}
