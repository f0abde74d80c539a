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
workspace crates. Prints CAUGHT or MISSED per bug, with the
model's message; exits non-zero if any bug is missed. README.md records the
results.
"""
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

# (what the bug is, file, correct code, seeded code, model: test file and name)
muts = [
 ("register split", "context/src/tree.rs",
  """        let mut inner = p.inner.lock();
        // Invariant 2: check and insert in one critical section.
        let state = p.state.load(Ordering::Relaxed);
        if state == OPEN {
            let slot = inner.children.insert(child.clone());""",
  """        let inner = p.inner.lock();
        let state = p.state.load(Ordering::Relaxed);
        drop(inner);
        let mut inner = p.inner.lock();
        if state == OPEN {
            let slot = inner.children.insert(child.clone());""",
  "context::real::parent_cancel_races_child_derivation"),
 ("load_err skips the wait", "context/src/tree.rs",
  """        if state & COMPLETE == 0 {
            // The canceler holds the lock until `COMPLETE` is set: wait for it.
            drop(self.inner.lock());
        }""", "", "context::real::err_implies_done_observable"),
 ("close before the error is stored", "context/src/tree.rs",
  """        self.state.store(encode(err), Ordering::Release);
        drop(inner.done_tx.take());""",
  """        drop(inner.done_tx.take());
        self.state.store(encode(err), Ordering::Release);""",
  "context::real::done_seen_on_channel_implies_err"),
 ("done() reads the state before locking", "context/src/tree.rs",
  """        let mut inner = self.inner.lock();
        if let Some(rx) = &inner.done_rx {
            return rx.clone();
        }
        let (tx, rx) = bounded(0);
        if self.state.load(Ordering::Relaxed) == OPEN {""",
  """        let open = self.state.load(Ordering::Acquire) == OPEN;
        let mut inner = self.inner.lock();
        if let Some(rx) = &inner.done_rx {
            return rx.clone();
        }
        let (tx, rx) = bounded(0);
        if open {""",
  "context::real::done_channel_created_during_cancel_closes"),
 ("wait sleeps on a stale check", "context/src/tree.rs",
  """        let mut inner = self.inner.lock();
        let result = loop {
            // Under the lock the state is `OPEN` or complete (invariant 5), and
            // the canceler notifies under the lock after reading `blocked`, so
            // no wake-up is lost.
            let state = self.state.load(Ordering::Relaxed);""",
  """        let stale = self.state.load(Ordering::Acquire);
        let mut inner = self.inner.lock();
        let result = loop {
            let state = stale;""",
  "context::real::cancel_wakes_blocked_wait"),
 ("poll registers on a stale check", "context/src/tree.rs",
  """        let mut inner = self.inner.lock();
        let state = self.state.load(Ordering::Relaxed);
        if state != OPEN {
            return Some(decode(state));
        }
        // A slot stays ours""",
  """        let state = self.state.load(Ordering::Acquire);
        let mut inner = self.inner.lock();
        if state != OPEN {
            return Some(decode(state));
        }
        // A slot stays ours""",
  "context::real::cancel_wakes_registered_waker"),
 ("no first-wins check", "context/src/tree.rs",
  """        if self.state.load(Ordering::Relaxed) != OPEN {
            return false; // Invariant 1: the first cancel won.
        }""", "", "context::real::two_cancels_race_on_one_context"),
 ("cancel does not detach", "context/src/tree.rs",
  """    if won {
        this.detach(node);
    }""", "", "context::real::handle_drop_races_parent_cancel"),
 ("cancel does not stop its timer", "context/src/tree.rs",
  """        if let Some(timer) = inner.timer.take() {
            deferred.timers.push(timer);
        }""", "", "context::real::deadline_expiry_races_cancel"),
 ("stop checks done, then takes f", "context/src/after_func.rs",
  """        let Some(f) = node.take_after_func() else {
            return false;
        };
        drop(f);""",
  """        if node.load_err().is_some() {
            return false;
        }
        drop(node.take_after_func());""",
  "context::real::after_func_races_stop_and_cancel"),
 ("unregister_waker trusts its slot", "context/src/tree.rs",
  """            inner.wakers.try_remove(slot)""", """            Some(inner.wakers.remove(slot))""",
  "context::real::wait_async_dropped_during_cancel"),
 ("without_cancel keeps the parent's signal", "context/src/context.rs",
  """            Kind::WithoutCancel => None,""", """            Kind::WithoutCancel => node.parent.signal_node(),""",
  "context::real::without_cancel_ignores_parent_cancel"),
 ("the counter's add is Relaxed", "patterns/waitgroup/src/wait_group.rs",
  """            .fetch_add(bits, Ordering::AcqRel)""", """            .fetch_add(bits, Ordering::Relaxed)""",
  "waitgroup::real::wait_returns_after_every_done"),
 ("the release posts one permit", "patterns/waitgroup/src/wait_group.rs",
  """                slow.permits += waiters(seen);""", """                slow.permits += 1;""",
  "waitgroup::real::every_waiter_released"),
 ("the release wakes one waiter", "patterns/waitgroup/src/wait_group.rs",
  """            self.wake.notify_all();
            reset""", """            self.wake.notify_one();
            reset""",
  "waitgroup::real::every_waiter_released"),
 ("errgroup checks, then records", "patterns/waitgroup/src/errgroup.rs",
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
  "waitgroup::real::first_error_wins_and_cancels"),
 ("close does not notify", "patterns/stop-channel/src/source.rs",
  """        self.waiters.notify_all();""", "",
  "stop_channel::real_close_races_watchers"),
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
        for i, (name, file, good, bad, model) in enumerate(muts):
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
            caught = run.returncode != 0
            missed += not caught
            print(f"{i:2} {'CAUGHT' if caught else 'MISSED'} {name} -> {model}: {message}")
    sys.exit(1 if missed else 0)


main()
