#!/usr/bin/env python3
"""Mutation testing of the crates' concurrent cores with cargo-mutants, the
tests and the loom models as the oracle.

    python3 loom-tests/scripts/mutants.py list-check   # every core module has mutants
    python3 loom-tests/scripts/mutants.py run context  # one group, both passes
    python3 loom-tests/scripts/mutants.py ci           # what CI runs (see below)

Each core file is compiled twice (the std instance and the loom one), so
`cargo mutants --list` names each of its mutants twice; the edit is the same
text in one file, so only the first copy is tested (`--shard 0/2` of the
list, whose copies come one instance after the other).

A group is tested in two passes. First the ordinary tests of its crate (no
loom: a build of one instance, and most mutants are caught there); then
the mutants that survived, against the loom models of the crate, which need
the loom instance and `loom-tests` built. A mutant that survives both is
listed in `loom-tests/MUTANTS.md`, killed by a new test or model, or
explained there (an equivalent mutant, or code no test can reach).

`ci` checks the listing (`list-check`), then tests a small fixed subset
against both oracles (15 mutants; eight minutes on the shared two-core
machine, the dependencies already built) and fails if a mutant survives
that `MUTANTS.md` does not explain. Results go to
`target/mutants/<group>[-loom]/`.
"""
import json
import os
import re
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "target", "mutants")

# Every module of every concurrent core: `list-check` insists each has a
# mutant, so that a core file the tool cannot see fails CI.
CORES = {
    "context/src/concurrent": "context/src/concurrent",
    "patterns/waitgroup/src/concurrent": "patterns/waitgroup/src/concurrent",
    "patterns/stop-channel/src/concurrent": "patterns/stop-channel/src/concurrent",
}
# Compiled once (outside the twice-compiled core), but part of it.
SINGLE = ["context/src/wheel.rs"]
# Core files with no function a mutant could change.
NO_CODE = {"mod.rs"}

CONTEXT_TESTS = [
    "after_func", "cancel_handles", "churn", "deadlines", "deep", "golang",
    "leaks", "misuse", "scale_props", "stress", "timer_start", "tree_props",
    "waiting",
]

# name: (files, tested twice-compiled?, first pass, loom pass)
# A pass is (cargo test arguments, timeout in seconds).
GROUPS = {
    "context": (
        ["context/src/concurrent/" + f for f in (
            "after_func.rs", "cancel.rs", "canceler.rs", "context.rs",
            "deadline.rs", "link.rs", "sleeper.rs", "timer.rs", "tree.rs",
            "wait.rs")],
        True,
        (["--test-package", "go-context", "--cargo-test-arg=--lib"]
         + ["--cargo-test-arg=--test=" + t for t in CONTEXT_TESTS], 60),
        (["--features", "loom", "--test-package", "loom-tests",
          "--cargo-test-arg=--test=context"], 150),
    ),
    "wheel": (
        SINGLE, False,
        (["--test-package", "go-context", "--cargo-test-arg=--lib",
          "--cargo-test-arg=--", "--cargo-test-arg=wheel",
          "--cargo-test-arg=timer"], 30),
        (["--features", "loom", "--test-package", "loom-tests",
          "--cargo-test-arg=--test=context", "--cargo-test-arg=--",
          "--cargo-test-arg=timer", "--cargo-test-arg=deadline"], 150),
    ),
    "waitgroup": (
        ["patterns/waitgroup/src/concurrent/wait_group.rs",
         "patterns/waitgroup/src/concurrent/errgroup.rs"],
        True,
        (["--test-package", "go-waitgroup", "--cargo-test-arg=--lib",
          "--cargo-test-arg=--tests"], 60),
        (["--features", "loom", "--test-package", "loom-tests",
          "--cargo-test-arg=--test=waitgroup"], 240),
    ),
    "stop-channel": (
        ["patterns/stop-channel/src/concurrent/" + f
         for f in ("signal.rs", "source.rs", "state.rs")],
        True,
        (["--test-package", "go-stop-channel", "--cargo-test-arg=--lib",
          "--cargo-test-arg=--tests"], 40),
        (["--features", "loom", "--test-package", "loom-tests",
          "--cargo-test-arg=--test=stop_channel"], 150),
    ),
}

# What CI tests: the files of a group, both passes. The sleeper's relay and
# the stop channel's close are small and cover both crates' loom instances.
CI_SUBSET = {
    "context": ["context/src/concurrent/sleeper.rs"],
    "stop-channel": ["patterns/stop-channel/src/concurrent/state.rs"],
}


def cargo_mutants(args, capture=False):
    cmd = ["cargo", "mutants", "--no-shuffle", "--baseline", "skip", "-j", "1"] + args
    print("+", " ".join(cmd), flush=True)
    # One target directory for every run: cargo-mutants builds each in a
    # fresh copy of the tree, and the dependencies need building only once.
    os.makedirs(OUT, exist_ok=True)
    env = dict(os.environ, CARGO_TARGET_DIR=os.path.join(OUT, "build"))
    run = subprocess.run(cmd, cwd=ROOT, env=env, text=True, capture_output=capture)
    # 2: some mutants survived; 3: some timed out. Anything else but 0 means
    # the run itself failed.
    if run.returncode not in (0, 2, 3):
        sys.exit(f"cargo mutants failed ({run.returncode})" + (run.stderr if capture else ""))
    return run


def outcomes(out):
    """The mutants of one run by outcome: caught, missed, timeout, unviable."""
    found = {}
    for kind in ("caught", "missed", "timeout", "unviable"):
        path = os.path.join(out, "mutants.out", kind + ".txt")
        found[kind] = open(path).read().splitlines() if os.path.exists(path) else []
    return found


def run_group(group, files=None, out_suffix=""):
    """Both passes over a group (or some of its files); returns the
    survivors of the second."""
    all_files, twice, first, loom = GROUPS[group]
    files = files or all_files
    common = [a for f in files for a in ("-f", f)]
    if twice:
        common += ["--shard", "0/2", "--sharding", "slice"]
    out = os.path.join(OUT, group + out_suffix)
    args, timeout = first
    cargo_mutants(common + args + ["--timeout", str(timeout), "-o", out])
    missed = outcomes(out)["missed"]
    print(f"{group}: {len(missed)} survived the tests", flush=True)
    if not missed:
        return []
    out_loom = out + "-loom"
    args, timeout = loom
    regexes = [a for m in missed for a in ("-F", "^" + re.escape(m) + "$")]
    cargo_mutants(common + args + regexes + ["--timeout", str(timeout), "-o", out_loom])
    survivors = outcomes(out_loom)["missed"]
    print(f"{group}: {len(survivors)} survived the loom models too", flush=True)
    return survivors


def explained():
    """The survivors `MUTANTS.md` explains: the first column of its table,
    in backquotes."""
    path = os.path.join(ROOT, "loom-tests", "MUTANTS.md")
    names = set()
    for line in open(path):
        m = re.match(r"\|\s*`([^`]+)`\s*\|", line)
        if m:
            names.add(m.group(1))
    return names


def list_check():
    """Every core module must have a mutant, or cargo-mutants cannot see it."""
    run = cargo_mutants(["--list", "--json"], capture=True)
    if run.returncode != 0:
        sys.exit(run.stderr)
    seen = {m["file"] for m in json.loads(run.stdout)}
    missing = []
    for folder in CORES.values():
        for f in sorted(os.listdir(os.path.join(ROOT, folder))):
            path = folder + "/" + f
            if f.endswith(".rs") and f not in NO_CODE and path not in seen:
                missing.append(path)
    missing += [f for f in SINGLE if f not in seen]
    for path in missing:
        print(f"no mutant in core module {path}: cargo-mutants does not see it")
    if missing:
        sys.exit(1)
    print(f"every core module has mutants ({len(seen)} files with mutants)")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    command = sys.argv[1]
    if command == "list-check":
        list_check()
    elif command == "run":
        for group in sys.argv[2:] or GROUPS:
            for survivor in run_group(group):
                print("SURVIVED", survivor)
    elif command == "ci":
        list_check()
        known = explained()
        new = []
        for group, files in CI_SUBSET.items():
            new += [s for s in run_group(group, files, "-ci") if s not in known]
        for survivor in new:
            print("NEW SURVIVOR (kill it, or explain it in loom-tests/MUTANTS.md):", survivor)
        sys.exit(1 if new else 0)
    else:
        sys.exit(__doc__)


main()
