//! No leaked timers or threads: once a busy tree's cancellation settles, no
//! timer is armed and the only thread the crate keeps is the documented
//! shared timer thread, `context-timer`.
//!
//! Both counts are process-wide, so this binary holds this one test.

use std::collections::BTreeMap;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use go_context::{Error, testing};

/// How long anything that must happen may take; only a failing run waits
/// this long.
const BOUND: Duration = Duration::from_secs(10);
const HOUR: Duration = Duration::from_secs(3600);

/// The names of this process's threads and how many bear each (Linux).
///
/// The kernel keeps 15 bytes of a name: `context-after-func` reads
/// `context-after-f`.
fn thread_names() -> BTreeMap<String, usize> {
    let mut names = BTreeMap::new();
    for task in std::fs::read_dir("/proc/self/task").expect("Linux /proc") {
        let comm = task.expect("a task entry").path().join("comm");
        // A thread may exit between the listing and the read.
        if let Ok(name) = std::fs::read_to_string(comm) {
            *names.entry(name.trim_end().to_owned()).or_default() += 1;
        }
    }
    names
}

#[test]
#[cfg_attr(not(target_os = "linux"), ignore = "reads /proc/self/task")]
fn nothing_outlives_the_cancellation() {
    let threads_before = thread_names().values().sum::<usize>();
    let (root, cancel_root) = go_context::with_cancel(&go_context::background());

    // Deadlines of every fate: canceled, fired by the timer thread, fired on
    // demand, inherited, already past, and far away under the root.
    let mut handles = Vec::new();
    for i in 0..1_000 {
        let (ctx, cancel) = go_context::with_timeout(&root, HOUR);
        match i % 4 {
            0 => cancel.cancel(),
            1 => assert!(testing::expire(&ctx)),
            _ => handles.push((ctx, cancel)),
        }
    }
    let (soon, _cancel_soon) = go_context::with_timeout(&root, Duration::from_millis(5));
    let (inherited, _cancel_inherited) = go_context::with_timeout(&soon, HOUR);
    let (_past, _cancel_past) = go_context::with_timeout(&root, Duration::ZERO);
    assert_eq!(inherited.wait_timeout(BOUND), Some(Error::DeadlineExceeded));

    // Callbacks that run, and ones that are stopped.
    let (ran_tx, ran) = mpsc::channel();
    let mut links = Vec::new();
    for i in 0..100 {
        let ran_tx = ran_tx.clone();
        let link = go_context::after_func(&root, move || ran_tx.send(()).unwrap());
        if i % 2 == 0 {
            assert!(link.stop());
        } else {
            links.push(link);
        }
    }
    // Threads blocked on the tree.
    let waiters: Vec<_> = (0..8)
        .map(|i| {
            let ctx = handles[i].0.clone();
            thread::spawn(move || ctx.wait_timeout(BOUND))
        })
        .collect();

    assert!(
        testing::pending_timers() >= 500,
        "the far deadlines are armed"
    );
    cancel_root.cancel();
    for waiter in waiters {
        assert_eq!(waiter.join().unwrap(), Some(Error::Canceled));
    }
    for _ in 0..50 {
        ran.recv_timeout(BOUND).expect("a callback never ran");
    }
    drop((handles, links));

    assert_eq!(testing::pending_timers(), 0, "a timer outlived its context");
    // Callback threads exit on their own after running, and a joined thread
    // may linger in /proc for a moment: give them the bound.
    let settled = |names: &BTreeMap<String, usize>| {
        let crate_threads: Vec<_> = names.keys().filter(|n| n.starts_with("context-")).collect();
        crate_threads == ["context-timer"]
            && names["context-timer"] == 1
            && names.values().sum::<usize>() == threads_before + 1
    };
    let deadline = Instant::now() + BOUND;
    let mut names = thread_names();
    while !settled(&names) && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(1));
        names = thread_names();
    }
    assert!(
        settled(&names),
        "only the timer thread may remain beside the {threads_before} threads from before: {names:?}"
    );
}
