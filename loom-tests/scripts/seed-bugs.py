#!/usr/bin/env python3
"""Seeds known concurrency bugs into a copy of the workspace's crates, one
at a time, and checks that the model meant to catch each one fails.

    python3 loom-tests/scripts/seed-bugs.py        # every seeded bug
    python3 loom-tests/scripts/seed-bugs.py 0 4    # just these

The workspace is copied to a temporary directory (the tree itself is never
touched) and built into `target/seed-bugs`, a target directory of its own:
cargo names a workspace's artifacts by paths relative to its root, so
building the seeded copy into the shared target directory would leave the
seeded crates there for every other build to pick up. The first run builds
the dependencies once (a couple of minutes); later runs rebuild only the
workspace crates. Prints CAUGHT per bug whose model failed with the
expected message, else MISSED, with the model's message; exits non-zero
if any bug is missed. README.md records the results.
"""
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

# (what the bug is, file, correct code, seeded code, model: test file and
# name, the model's expected message), each under a line on why it fails.
muts = [
 # A child inserted after the claim took the children is never canceled.
 ("register split", "context/src/concurrent/canceler.rs",
  """        let mut inner = self.inner.lock();
        let state = self.state.load(Ordering::Relaxed);
        if state != OPEN {
            return Err((decode(state), inner.cause()));
        }
        let key = inner.children.insert(weak);""",
  """        let inner = self.inner.lock();
        let state = self.state.load(Ordering::Relaxed);
        if state != OPEN {
            return Err((decode(state), inner.cause()));
        }
        drop(inner);
        let mut inner = self.inner.lock();
        let key = inner.children.insert(weak);""",
  "context::real::parent_cancel_races_child_derivation",
  "child missed its parent's cancel"),
 # The error is stored before the done channel closes, under the lock.
 ("load_err skips the wait", "context/src/concurrent/canceler.rs",
  """        if state & COMPLETE == 0 {
            // The canceler holds the lock until `COMPLETE` is set: wait for it.
            drop(self.inner.lock());
        }""", "",
  "context::real::err_implies_done_observable",
  "err() reported an error while done() was still open"),
 # A receiver sees the channel closed while the state still reads OPEN.
 ("close before the error is stored", "context/src/concurrent/canceler.rs",
  """        self.state.store(outcome, Ordering::Release);
        let (mut timer, mut waiting) = (None, None);
        if let Some(extra) = inner.extra.as_deref_mut() {
            drop(extra.done_tx.take());""",
  """        if let Some(extra) = inner.extra.as_deref_mut() {
            drop(extra.done_tx.take());
        }
        self.state.store(outcome, Ordering::Release);
        let (mut timer, mut waiting) = (None, None);
        if let Some(extra) = inner.extra.as_deref_mut() {""",
  "context::real::done_seen_on_channel_implies_err",
  "done observed but err() is not Canceled"),
 # A channel created after the claim, on a stale OPEN, is never closed.
 ("done() reads the state before locking", "context/src/concurrent/canceler.rs",
  """        let mut inner = self.inner.lock();
        let open = self.state.load(Ordering::Relaxed) == OPEN;
        if let Some(rx) = self.done.get() {""",
  """        let open = self.state.load(Ordering::Acquire) == OPEN;
        let mut inner = self.inner.lock();
        if let Some(rx) = self.done.get() {""",
  "context::real::done_channel_created_during_cancel_closes",
  "a done() channel created during the cancel never closes"),
 # The claim leaves the blocked threads registered: nobody unparks them.
 ("the claim forgets the blocked threads", "context/src/concurrent/canceler.rs",
  """                    sleepers: std::mem::take(&mut extra.sleepers),""",
  """                    sleepers: Slab::new(),""",
  "context::real::cancel_wakes_blocked_wait",
  "lost wake-up: the waiter still sleeps after cancel returned"),
 # A woken waiter returns without waking the waiters handed to it.
 ("leave forgets its hand-off", "context/src/concurrent/sleeper.rs",
  """        wake_all(handed);""",
  """        drop(handed);""",
  "context::real::cancel_wakes_every_blocked_wait",
  "lost wake-up: a waiter still sleeps after cancel returned"),
 # The waker is registered after the claim drained the wakers.
 ("poll registers on a stale check", "context/src/concurrent/canceler.rs",
  """        let mut inner = self.inner.lock();
        let state = self.state.load(Ordering::Relaxed);
        if state != OPEN {
            return Some(decode(state));
        }""",
  """        let state = self.state.load(Ordering::Acquire);
        let mut inner = self.inner.lock();
        if state != OPEN {
            return Some(decode(state));
        }""",
  "context::real::cancel_wakes_registered_waker",
  "lost wake-up: the future's waker was never woken"),
 # Both cancels claim; the second overwrites the first's cause.
 ("no first-wins check", "context/src/concurrent/canceler.rs",
  """        if self.state.load(Ordering::Relaxed) != OPEN {
            return Claim::Lost;
        }""", "",
  "context::real::two_cancels_race_on_one_context",
  "the two cancels disagree on the winner"),
 # A handle's cancel leaves its context in the parent's children.
 ("cancel does not detach", "context/src/concurrent/tree.rs",
  """    if let Some(parent) = node.parent() {
        drop(parent.remove_node(node.canceler(), Arc::as_ptr(node)));
    }""", "",
  "context::real::handle_drop_races_parent_cancel",
  "a dropped handle left its context registered with the parent"),
 # The canceled context's timer entry stays armed.
 ("cancel does not stop its timer", "context/src/concurrent/canceler.rs",
  """            timer = extra.timer.take();""", "",
  "context::real::deadline_expiry_races_cancel",
  "the timer entry outlived its context"),
 # Between stop's check and its take, the cancel takes f and runs it.
 ("stop checks done, then takes f", "context/src/concurrent/after_func.rs",
  """        let Some(f) = self.registration.take() else {
            return false;
        };
        drop(f);""",
  """        if self.ctx.is_done() {
            return false;
        }
        drop(self.registration.take());""",
  "context::real::after_func_races_stop_and_cancel",
  "f ran although stop() returned true"),
 # The claim drained the wakers: the dropped future's slot is gone.
 ("unregister_waker trusts its slot", "context/src/concurrent/canceler.rs",
  """        drop(self.take_extra(|extra| extra.wakers.try_remove(slot)));""",
  """        drop(self.take_extra(|extra| Some(extra.wakers.remove(slot))));""",
  "context::real::wait_async_dropped_during_cancel",
  "invalid key"),
 # The detached context reports its parent's canceler as its own.
 ("without_cancel keeps the parent's signal", "context/src/concurrent/link.rs",
  """        Some((link, link.cancel_layer()?))""",
  """        if matches!(link.layer(), Layer::WithoutCancel) {
            return link.parent.reporter();
        }
        Some((link, link.cancel_layer()?))""",
  "context::real::without_cancel_ignores_parent_cancel",
  "a without_cancel context became done with its parent"),
 # A losing cancel returns while the winner's walk is still below it.
 ("a losing cancel does not wait for the subtree", "context/src/concurrent/tree.rs",
  """    if !this.is_open() {
        // A repeated cancel, or one that lost already: wait for the winner.
        wait_settled(&**node);
        return false;
    }
    let released = match this.claim(err, cause) {
        Claim::Leaf => {
            // The common case: settled by its claim, with nothing to walk
            // and nothing to run after the lock.
            leave_parent(node);
            return true;
        }
        Claim::Won(released) => released,
        Claim::Lost => {
            wait_settled(&**node);
            return false;
        }
    };""",
  """    if !this.is_open() {
        return false;
    }
    let released = match this.claim(err, cause) {
        Claim::Leaf => {
            // The common case: settled by its claim, with nothing to walk
            // and nothing to run after the lock.
            leave_parent(node);
            return true;
        }
        Claim::Won(released) => released,
        Claim::Lost => {
            return false;
        }
    };""",
  "context::real::overlapping_cancels_wait_for_the_subtree",
  "a cancel returned while a descendant was still open"),
 # The first iterative cancel's bug: the root's cancel finds no child, returns early.
 ("the root leaves its parent before the walk", "context/src/concurrent/tree.rs",
  """            return false;
        }
    };
    if released.is_empty() {""",
  """            return false;
        }
    };
    leave_parent(node);
    if released.is_empty() {""",
  "context::real::overlapping_cancels_wait_for_the_subtree",
  "a cancel returned while a descendant was still open"),
 # A half-freed child ends the walk: the live children after it stay open.
 ("the walk stops at a dead child", "context/src/concurrent/tree.rs",
  """            let Some(child) = child.upgrade() else {
                continue;
            };""", """            let Some(child) = child.upgrade() else {
                break;
            };""",
  "context::real::child_detach_races_parent_cancel",
  "a live child missed its parent's cancel"),
 # The identity check fails on a stack address: the freed link stays registered.
 ("unlink names the moved-out link", "context/src/concurrent/link.rs",
  """    Arc::into_inner(link).map(|mut link| link.detach(addr))""",
  """    Arc::into_inner(link).map(|mut link| {
        let moved = &link as *const Link;
        link.detach(moved)
    })""",
  "context::real::chain_dropped_root_first_races_root_cancel",
  "a freed link is still registered with its parent"),
 # Another thread's decrement is not ordered before the waiter's return.
 ("the counter's add is Relaxed", "patterns/waitgroup/src/concurrent/wait_group.rs",
  """            .fetch_add(bits, Ordering::AcqRel)""", """            .fetch_add(bits, Ordering::Relaxed)""",
  "waitgroup::real::wait_returns_after_every_done",
  "Causality violation"),
 # An add racing the release of a waiter is left for the release to find:
 # the add, which Go makes report itself, returns as if nothing happened.
 ("the add does not check for a release in flight", "patterns/waitgroup/src/concurrent/wait_group.rs",
  """        if waiting != 0 && delta > 0 && count == delta {""",
  """        if waiting == 0 && delta > 0 && count == delta {""",
  "waitgroup::real::add_racing_a_release_is_reported_by_the_add",
  "went unreported by the add"),
 # With two waiters, one never gets a permit.
 ("the release posts one permit", "patterns/waitgroup/src/concurrent/wait_group.rs",
  """                slow.permits += waiters(seen);""", """                slow.permits += 1;""",
  "waitgroup::real::every_waiter_released",
  "a waiter still sleeps after the counter reached zero"),
 # With two waiters, one is never notified.
 ("the release wakes one waiter", "patterns/waitgroup/src/concurrent/wait_group.rs",
  """        self.wake.notify_all();
        if !reset {""", """        self.wake.notify_one();
        if !reset {""",
  "waitgroup::real::every_waiter_released",
  "a waiter still sleeps after the counter reached zero"),
 # Two errors both pass the check; the second overwrites the first.
 ("errgroup checks, then records", "patterns/waitgroup/src/concurrent/errgroup.rs",
  """            let mut first = self.first_err.lock();
            if first.is_some() {
                return;
            }
            *first = Some(err.clone());""",
  """            if self.first_err.lock().is_some() {
                return;
            }
            let mut first = self.first_err.lock();
            *first = Some(err.clone());""",
  "waitgroup::real::first_error_wins_and_cancels",
  "the context's cause is not the error wait returned"),
 # A watcher that checked before the close sleeps for good.
 ("close does not notify", "patterns/stop-channel/src/concurrent/state.rs",
  """        self.waiters.notify_all();""", "",
  "stop_channel::real_close_races_watchers",
  "a watcher still waits after close returned"),
 # The thread planned to sleep past the new deadline and is never told.
 ("insert does not wake the timer thread", "context/src/concurrent/timer.rs",
  """            let _alarm = self.alarm.lock();
            self.alarm.notify();""",
  """            let _alarm = self.alarm.lock();""",
  "context::real::deadlines_fire_once_the_clock_passes_them",
  "the clock passed the deadline but the context is still open"),
 # A wake-up sent between the thread's last look at `wake_at` and its sleep is lost.
 ("insert wakes the timer thread without its lock", "context/src/concurrent/timer.rs",
  """            let _alarm = self.alarm.lock();
            self.alarm.notify();""",
  """            self.alarm.notify();""",
  "context::real::deadlines_fire_once_the_clock_passes_them",
  "the clock passed the deadline but the context is still open"),
 # The thread's plan overwrites the earlier tick an insert set during the poll.
 ("the timer thread's plan overwrites an insert's", "context/src/concurrent/timer.rs",
  """            self.wake_at.fetch_min(plan, Ordering::AcqRel);""",
  """            self.wake_at.store(plan, Ordering::Release);""",
  "context::real::deadlines_fire_once_the_clock_passes_them",
  "the clock passed the deadline but the context is still open"),
 # A deadline inside a tick is filed under the tick it falls in: early.
 ("deadlines round down to a tick", "context/src/concurrent/timer.rs",
  """        let part = u64::from(since.subsec_nanos().div_ceil(TICK_NANOS));""",
  """        let part = u64::from(since.subsec_nanos() / TICK_NANOS);""",
  "context::real::deadlines_fire_once_the_clock_passes_them",
  "the deadline fired before the clock reached it"),
 # A fired timer's key, removed by its own cancel, stops the timer now in its entry.
 ("a wheel key's generation is not checked", "context/src/wheel.rs",
  """        if entry.target.is_none() || entry.generation != key.generation.get() {""",
  """        if entry.target.is_none() {""",
  "context::real::deadlines_fire_once_the_clock_passes_them",
  "the clock passed the deadline but the context is still open"),
 # A refused start leaves the queue marked started: no later insert retries.
 ("the queue counts a refused thread as started", "context/src/concurrent/timer.rs",
  """            spawn("context-timer", move || self.run())?;
            self.started.store(true, Ordering::Release);""",
  """            self.started.store(true, Ordering::Release);
            spawn("context-timer", move || self.run())?;""",
  "context::real::refused_timer_thread_start_is_retried",
  "the clock passed the deadline but the context is still open"),
 # A context freed before its deadline leaves its timer armed.
 ("a dropped context keeps its timer", "context/src/concurrent/link.rs",
  """            layer.canceler.abandon();
        }""",
  """        }""",
  "context::real::context_dropped_while_its_deadline_fires",
  "a dropped context's timer is still armed"),
 # The waker notifies without the group's lock: between the waiter's check of
 # the context and its sleep, the notify is lost.
 ("wait_context's waker skips the group's lock", "patterns/waitgroup/src/concurrent/wait_group.rs",
  """        drop(self.0.slow.lock());
        self.0.wake.notify_all();""",
  """        self.0.wake.notify_all();""",
  "waitgroup::real::wait_context_returns_once_canceled",
  "lost wake-up: wait_context still sleeps after its context was canceled"),
 # A waiter that gives up while the release that counted it is in flight
 # leaves its permit behind for the next batch's wait.
 ("a leaving waiter does not wait for the release", "patterns/waitgroup/src/concurrent/wait_group.rs",
  """                slow = self.wake.wait(slow);
                continue;""",
  """                return false;""",
  "waitgroup::real::wait_context_races_done_and_cancel",
  "sync: WaitGroup is reused before previous Wait has returned"),
 # A task panic is recorded, but the blocked waiters are not told.
 ("a task panic does not wake the waiters", "patterns/waitgroup/src/concurrent/wait_group.rs",
  """        self.slow.lock().panicked.get_or_insert(payload);
        // Record under the lock, then notify: pairs with the `panicked`
        // check in `wait` (see `release` for why after the unlock).
        self.wake.notify_all();""",
  """        self.slow.lock().panicked.get_or_insert(payload);""",
  "waitgroup::real::task_panic_fails_every_wait",
  "a wait still sleeps after a task panicked"),
 # A panicked task counts as done: a wait returns as though it had finished.
 ("a panicked task counts as done", "patterns/waitgroup/src/concurrent/wait_group.rs",
  """                self.inner.task_panicked(payload_text(&*payload));""",
  """                self.done();""",
  "waitgroup::real::task_panic_fails_every_wait",
  "returned normally although a task panicked"),
 # Two try_go calls both find the slot free, then both take it.
 ("try_go checks, then takes the slot", "patterns/waitgroup/src/concurrent/errgroup.rs",
  """    fn try_acquire(shared: &Arc<Self>) -> Option<Slot<E>> {
        let mut slots = shared.slots.lock();
        if slots.full() {
            return None;
        }
        slots.active += 1;""",
  """    fn try_acquire(shared: &Arc<Self>) -> Option<Slot<E>> {
        if shared.slots.lock().full() {
            return None;
        }
        let mut slots = shared.slots.lock();
        slots.active += 1;""",
  "waitgroup::real::try_go_races_for_the_last_slot",
  "more tasks ran at once than the limit"),
 # A finished task frees its slot without telling a blocked go.
 ("a freed slot wakes nobody", "patterns/waitgroup/src/concurrent/errgroup.rs",
  """        slots.active -= 1;
        // Lock, then notify: pairs with the `full` check in `acquire`.
        self.shared.slot_freed.notify_one();""",
  """        slots.active -= 1;""",
  "waitgroup::real::go_blocks_until_a_slot_frees",
  "a go call still blocks after a slot was freed"),
 # Lifting the limit does not tell a blocked go.
 ("set_limit wakes nobody", "patterns/waitgroup/src/concurrent/errgroup.rs",
  """        slots.limit = limit;
        // A larger limit, or none, may admit blocked `go` calls.
        self.shared.slot_freed.notify_all();""",
  """        slots.limit = limit;""",
  "waitgroup::real::lifting_the_limit_releases_a_blocked_go",
  "a go call still blocks after a slot was freed"),
 # The first error is recorded but does not cancel the group's context.
 ("the first error does not cancel", "patterns/waitgroup/src/concurrent/errgroup.rs",
  """        if let Some(cancel) = &self.cancel {
            cancel(Some(err));
        }""",
  "",
  "waitgroup::real::first_error_stops_a_waiting_sibling",
  "the first error did not stop the sibling watching the context"),
 # A panicking task frees its slot without canceling the group's context.
 ("a task panic does not cancel", "patterns/waitgroup/src/concurrent/errgroup.rs",
  """        if std::thread::panicking() {
            // The task is panicking: tell its siblings to stop.
            if let Some(cancel) = &self.shared.cancel {
                cancel(None);
            }
        }""",
  "",
  "waitgroup::real::task_panic_stops_a_waiting_sibling",
  "a task panic did not stop the sibling watching the context"),
 # The link does not hold its context: freed with its last handle, the
 # context is not there for the ancestor's cancel to run f.
 ("an AfterFunc link does not hold its context", "context/src/concurrent/after_func.rs",
  """    AfterFunc {
        ctx: ctx.clone(),
        registration,
    }""",
  """    AfterFunc {
        ctx: super::context::background(),
        registration,
    }""",
  "context::real::after_func_outlives_its_context_handles",
  "f never ran although its context was canceled"),
 # A woken sleeper that has already left (it saw the cancel before its
 # unpark) is handed half of those still to wake, and never wakes them.
 # Loom's two-waiter model misses it even at a bound of 6; it needs more
 # waiters than loom can explore.
 ("the relay hands off to a sleeper that left", "context/src/concurrent/sleeper.rs",
  """            if relay.left {
                sleepers.extend(half); // it will not look: keep them
            } else {
                relay.handed.extend(half);
            }""",
  """            relay.handed.extend(half);""",
  "shuttle::one_cancel_wakes_hundreds_of_waiters",
  "deadlock"),
 # The thread takes one batch of due timers from a shard and moves on: the
 # rest wait, unplanned, for a wake-up that never comes. It takes more due
 # timers than a batch (64) on one shard, more than loom can afford.
 ("the timer thread takes one batch per shard", "context/src/concurrent/timer.rs",
  """                if !more {
                    break;
                }""",
  """                break;""",
  "shuttle::a_hundred_deadlines_due_at_once_on_four_shards",
  "deadlock"),
]


def main():
    chosen = set(sys.argv[1:])
    missed = 0
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, "workspace")
        skip = {os.path.join(ROOT, "book", "book")}
        shutil.copytree(ROOT, copy, ignore=lambda d, names: [
            n for n in names
            if n in ("target", ".git") or os.path.join(d, n) in skip])
        env = dict(os.environ, CARGO_TARGET_DIR=os.path.join(ROOT, "target", "seed-bugs"))
        for i, (name, file, good, bad, model, expected) in enumerate(muts):
            if chosen and str(i) not in chosen:
                continue
            path = os.path.join(copy, file)
            original = open(path).read()
            assert original.count(good) == 1, f"{name}: the code to seed no longer matches"
            open(path, "w").write(original.replace(good, bad))
            run = subprocess.run(
                ["cargo", "test", "-q", "-p", "loom-tests", "--features", "loom",
                 "--test", model.split("::", 1)[0], model.split("::", 1)[1], "--", "--exact"],
                cwd=copy, env=env, capture_output=True, text=True)
            open(path, "w").write(original)
            lines = (run.stdout + run.stderr).splitlines()
            message = next((lines[j + 1].strip() for j, l in enumerate(lines)
                            if " panicked at " in l and j + 1 < len(lines)), "")
            if run.returncode != 0 and not message:
                sys.exit(f"{name}: the model did not run:\n" + "\n".join(lines[-20:]))
            caught = run.returncode != 0 and expected in message
            missed += not caught
            print(f"{i:2} {'CAUGHT' if caught else 'MISSED'} {name} -> {model}: {message}")
    sys.exit(1 if missed else 0)


main()
