#!/usr/bin/env python3
"""Condenses loom's LOOM_LOG=trace output of one failing execution.

Reads the trace on stdin and prints, per run of one thread, the loom
operations it performed (locks taken, atomic loads and stores, condition
variables, spawns and joins), naming the textbook's objects by the node they
belong to, then the panic. Unlocks are not in loom's trace. Used by
twin-report.sh; see README.md.
"""
import re
import sys

ANSI = re.compile(r"\x1b\[[0-9;]*m")
THREAD = re.compile(r"thread\{id=(\d+)\}")
REF = re.compile(r"Ref<loom::rt::(\w+)::State>\((\d+)\)")

labels = {}
created = []  # (kind, index, location) in creation order
nodes = 0
dones = 0


def name(kind, index):
    return labels.get(index, f"{kind}#{index}")


def created_object(kind, index, line):
    global nodes, dones
    location = re.search(r"location=(\S+)", line)
    created.append((kind, index, location.group(1) if location else ""))
    # The textbook's Node::new makes an atomic, a mutex and a condvar, then
    # the node's Arc; done_channel() makes an atomic, then its Arc.
    kinds = [k for k, _, _ in created[-4:]]
    if kinds == ["atomic", "mutex", "condvar", "arc"] and "textbook.rs" in created[-1][2]:
        nodes += 1
        a, m, c = (i for _, i, _ in created[-4:-1])
        labels[a], labels[m], labels[c] = (f"node{nodes}.err", f"node{nodes}.lock", f"node{nodes}.waiters")
    elif kinds[-2:] == ["atomic", "arc"] and "textbook.rs" in created[-1][2]:
        dones += 1
        labels[created[-2][1]] = f"done{dones}.closed"


def main():
    runs = []  # [thread, [ops]]
    panic = []
    current = "0"
    in_panic = False
    pending = {}  # thread -> lock it was about to take when preempted

    def emit(thread, op):
        if not runs or runs[-1][0] != thread:
            runs.append([thread, []])
            if thread in pending:  # the lock it was preempted before
                runs[-1][1].append(pending.pop(thread))
        runs[-1][1].append(op)

    for raw in sys.stdin:
        line = ANSI.sub("", raw.rstrip("\n"))
        if in_panic:
            if line.startswith("stack backtrace") or line.startswith("note:") or not line.strip():
                in_panic = False
            else:
                panic.append(line)
            continue
        if " panicked at " in line:
            panic.append(line)
            in_panic = True
            continue
        if "~~~~~~~~ THREAD" in line:
            new = re.search(r"THREAD (\d+)", line).group(1)
            # A lock branch right before a switch has not been taken yet.
            if runs and runs[-1][0] == current and runs[-1][1] and runs[-1][1][-1].startswith("lock "):
                pending[current] = runs[-1][1].pop()
                runs[-1][1].append("(preempted before: " + pending[current] + ")")
            current = new
            continue
        found = THREAD.search(line)
        thread = found.group(1) if found else current
        ref = REF.search(line)
        op = None
        if re.search(r"(Atomic|Mutex|Condvar|Arc)::new", line) and ref:
            created_object(ref.group(1), int(ref.group(2)), line)
        elif "Object::branch_acquire" in line and ref:
            op = f"lock {name('mutex', int(ref.group(2)))}"
        elif re.search(r"Atomic::(load|store|rmw|cmpxchg)", line) and ref:
            what = re.search(r"Atomic::(\w+)", line).group(1)
            op = f"{what} {name('atomic', int(ref.group(2)))}"
        elif "Condvar::notify" in line and ref:
            op = f"notify {name('condvar', int(ref.group(2)))}"
        elif "Condvar::wait" in line and ref:
            op = f"sleep on {name('condvar', int(ref.group(2)))}"
        elif "rt: spawn thread=" in line:
            op = "spawn t" + re.search(r"Id\((\d+)\)", line).group(1)
        elif "Notify::wait 1" in line:
            op = "block (join or block_on)"
        elif "Notify::notify" in line:
            op = "wake a joiner or a block_on"
        elif "thread_done: drop locals" in line:
            op = "exit"
        if op is not None:
            emit(thread, op)
    for thread, ops in runs:
        print(f"t{thread}: " + " · ".join(ops))
    for line in panic:
        print(line)


main()
