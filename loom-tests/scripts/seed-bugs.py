#!/usr/bin/env python3
"""Seeds known concurrency bugs into a copy of the context crate, one at a
time, and checks that the model meant to catch each one fails.

    python3 loom-tests/scripts/seed-bugs.py        # every seeded bug
    python3 loom-tests/scripts/seed-bugs.py 0 4    # just these

The workspace is copied to a temporary directory (the tree itself is never
touched) and built into the workspace's own target directory, so only the
workspace crates are rebuilt. Prints CAUGHT or MISSED per bug, with the
model's message; exits non-zero if any bug is missed. README.md records the
results.
"""
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

# (what the bug is, file in context/src, correct code, seeded code, model)
muts = [
 ("register split", "tree.rs",
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
  "real::parent_cancel_races_child_derivation"),
 ("load_err skips the wait", "tree.rs",
  """        if state & COMPLETE == 0 {
            // The canceler holds the lock until `COMPLETE` is set: wait for it.
            drop(self.inner.lock());
        }""", "", "real::err_implies_done_observable"),
 ("close before the error is stored", "tree.rs",
  """        self.state.store(encode(err), Ordering::Release);
        drop(inner.done_tx.take());""",
  """        drop(inner.done_tx.take());
        self.state.store(encode(err), Ordering::Release);""",
  "real::done_seen_on_channel_implies_err"),
 ("done() reads the state before locking", "tree.rs",
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
  "real::done_channel_created_during_cancel_closes"),
 ("wait sleeps on a stale check", "tree.rs",
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
  "real::cancel_wakes_blocked_wait"),
 ("poll registers on a stale check", "tree.rs",
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
  "real::cancel_wakes_registered_waker"),
 ("no first-wins check", "tree.rs",
  """        if self.state.load(Ordering::Relaxed) != OPEN {
            return false; // Invariant 1: the first cancel won.
        }""", "", "real::two_cancels_race_on_one_context"),
 ("cancel does not detach", "tree.rs",
  """    if won {
        this.detach(node);
    }""", "", "real::handle_drop_races_parent_cancel"),
 ("cancel does not stop its timer", "tree.rs",
  """        deferred.timers.extend(inner.timer.take());""", "", "real::deadline_expiry_races_cancel"),
 ("stop checks done, then takes f", "after_func.rs",
  """        let Some(f) = node.take_after_func() else {
            return false;
        };
        drop(f);""",
  """        if node.load_err().is_some() {
            return false;
        }
        drop(node.take_after_func());""",
  "real::after_func_races_stop_and_cancel"),
 ("unregister_waker trusts its slot", "tree.rs",
  """            inner.wakers.try_remove(slot)""", """            Some(inner.wakers.remove(slot))""",
  "real::wait_async_dropped_during_cancel"),
 ("without_cancel keeps the parent's signal", "context.rs",
  """            Kind::WithoutCancel => None,""", """            Kind::WithoutCancel => node.parent.signal_node(),""",
  "real::without_cancel_ignores_parent_cancel"),
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
        src = os.path.join(copy, "context", "src")
        env = dict(os.environ, CARGO_TARGET_DIR=os.path.join(ROOT, "target"))
        for i, (name, file, good, bad, model) in enumerate(muts):
            if chosen and str(i) not in chosen:
                continue
            path = os.path.join(src, file)
            original = open(path).read()
            assert original.count(good) == 1, f"{name}: the code to seed no longer matches"
            open(path, "w").write(original.replace(good, bad))
            run = subprocess.run(
                ["cargo", "test", "-q", "-p", "loom-tests", "--features", "loom",
                 "--test", "context", model, "--", "--exact"],
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
