#!/usr/bin/env python3
"""Condenses loom's LOOM_LOG=trace output of one failing execution.

Reads the trace on stdin and prints, per run of one thread, one per line,
the loom operations it performed (locks taken, atomic loads and stores, condition
variables, spawns and joins), naming the textbooks' objects by the node they
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
# The iterative textbook's last node, not yet labelled: see created_object.
unclaimed = None
OBJECT = re.compile("\x00(\\w+)#(\\d+)\x00")


def name(kind, index):
    """A placeholder for an object, replaced by its label when printed: some
    objects are recognised only after their first use."""
    return f"\x00{kind}#{index}\x00"


def resolve(text):
    return OBJECT.sub(lambda m: labels.get(int(m.group(2)), f"{m.group(1)}#{m.group(2)}"), text)


def label_node(a, m, c):
    global nodes
    nodes += 1
    labels[a], labels[m], labels[c] = (f"node{nodes}.state", f"node{nodes}.lock", f"node{nodes}.settled")


def created_object(kind, index, line):
    global nodes, dones, unclaimed
    location = re.search(r"location=(\S+)", line)
    # The iterative textbook's Node::new makes an atomic, a mutex and a
    # condvar, and no loom Arc holds them (its nodes are std's Arcs): three
    # objects so made, not after another atomic (the real crate's nodes
    # start with two) and not followed by an Arc, are one of its nodes.
    if unclaimed is not None and kind != "arc":
        label_node(*unclaimed)
    unclaimed = None
    created.append((kind, index, location.group(1) if location else ""))
    if kind == "condvar" and [k for k, _, _ in created[-3:]] == ["atomic", "mutex", "condvar"] \
            and (len(created) == 3 or created[-4][0] != "atomic"):
        unclaimed = tuple(i for _, i, _ in created[-3:])
    # The textbooks' objects, recognised by what is created just before the
    # Arc that holds them: the context textbook's Node::new makes an atomic,
    # a mutex and a condvar (done_channel() an atomic); the wait group's
    # State an atomic, a mutex and a condvar; the stop channel's Shared a
    # mutex and a condvar.
    kinds = [k for k, _, _ in created[-4:]]
    where = created[-1][2]
    if kind != "arc":
        return
    if "wait_group/textbook.rs" in where and kinds[-4:-1] == ["atomic", "mutex", "condvar"]:
        a, m, c = (i for _, i, _ in created[-4:-1])
        labels[a], labels[m], labels[c] = ("group.count", "group.lock", "group.zero")
    elif "stop_channel/textbook.rs" in where and kinds[-3:-1] == ["mutex", "condvar"]:
        m, c = (i for _, i, _ in created[-3:-1])
        labels[m], labels[c] = ("stop.lock", "stop.closed")
    elif "src/context/textbook.rs" in where and kinds == ["atomic", "mutex", "condvar", "arc"]:
        nodes += 1
        a, m, c = (i for _, i, _ in created[-4:-1])
        labels[a], labels[m], labels[c] = (f"node{nodes}.err", f"node{nodes}.lock", f"node{nodes}.waiters")
    elif "src/context/textbook.rs" in where and kinds[-2:] == ["atomic", "arc"]:
        dones += 1
        labels[created[-2][1]] = f"done{dones}.closed"


def compress(ops):
    """Writes a sequence repeated three times or more (a thread polling in a
    loop) once, with a count."""
    out, i = [], 0
    while i < len(ops):
        for width in (1, 2, 3):
            unit = ops[i:i + width]
            times = 1
            while ops[i + times * width:i + (times + 1) * width] == unit:
                times += 1
            if len(unit) == width and times >= 3:
                text = " · ".join(unit)
                out.append(f"({text}) ×{times}" if width > 1 else f"{text} ×{times}")
                i += times * width
                break
        else:
            out.append(ops[i])
            i += 1
    return out


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
            if line.startswith("stack backtrace") or line.startswith("note:"):
                in_panic = False
            elif line.strip():
                panic.append(line)
            continue
        if " panicked at " in line:
            # Newer toolchains name the thread's id, which changes every run.
            panic.append(re.sub(r"^(thread '[^']*') \(\d+\)", r"\1", line))
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
    # One block per run of a thread, one step per line, so that a report
    # reads down the page and fits it.
    if unclaimed is not None:
        label_node(*unclaimed)
    for thread, ops in runs:
        steps = [resolve(step) for step in compress(ops)]
        print(f"t{thread}: {steps[0]}")
        for step in steps[1:]:
            print(" " * (len(thread) + 3) + step)
    for line in panic:
        print(line)


main()
