#!/usr/bin/env python3
"""Mutation testing of the crates' concurrent cores with cargo-mutants, the
tests and the loom models as the oracle.

    python3 loom-tests/scripts/mutants.py list-check   # every core module has mutants
    python3 loom-tests/scripts/mutants.py run context  # one group, every pass
    python3 loom-tests/scripts/mutants.py run context:tree.rs,timer.rs  # some of its files
    python3 loom-tests/scripts/mutants.py resume context 3  # from the doctests on
    python3 loom-tests/scripts/mutants.py ci           # what CI runs (see below)

Each core file is compiled once per instance (std's, loom's, shuttle's),
and cargo-mutants follows every `mod` item whatever its `cfg`, so `cargo
mutants --list` names each of its mutants once per instance; the edit is
the same text in one file, so only the first copy is tested (`--shard 0/n`
of the list, whose copies come one instance after the other).

A group is tested in passes, each on the mutants the one before left. First
the ordinary tests of its crate, doctests aside (no loom: a build of one
instance, and most mutants are caught there); then the loom models of the
crate, which need the loom instance and `loom-tests` built; then the
crate's doctests, which compile one by one; last (for the context, whose
first pass runs only the integration tests closest to its core) the rest
of its tests. A mutant that survives both is
listed in `loom-tests/MUTANTS.md`, killed by a new test or model, or
explained there (an equivalent mutant, or code no test can reach).

`ci` checks the listing (`list-check`), then tests a small fixed subset
against the tests and the models (15 mutants; six minutes on the shared
two-core machine, the dependencies already built) and fails if a mutant survives
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
# Where cargo-mutants builds: a directory of its own for long runs, beside
# the developer's builds; `ci` uses the tree's own, whose dependencies the
# test step has just built.
TARGET_DIR = os.environ.get("MUTANTS_TARGET_DIR", os.path.join(OUT, "build"))

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

# name: (files, compiled once per instance?, first pass, loom pass, doc
# pass[, rest pass]). A pass is (cargo test arguments, timeout in seconds):
# about three times what the pass takes unmutated on the shared two-core
# machine, as a mutant that hangs (a lost wake-up, a cancel that never
# settles) costs the whole timeout.
# The context's first pass runs the integration tests that matter most to
# its core (linking all twenty per mutant costs minutes); every pass leaves
# out the doctests (each compiles on its own). The few mutants that survive
# the tests and the models get the doctests, then the rest of the suite.
GROUPS = {
    "context": (
        ["context/src/concurrent/" + f for f in (
            "after_func.rs", "cancel.rs", "canceler.rs", "context.rs",
            "deadline.rs", "link.rs", "sleeper.rs", "timer.rs", "tree.rs",
            "wait.rs")],
        True,
        (["--test-package", "go-context", "--cargo-test-arg=--lib"]
         + ["--cargo-test-arg=--test=" + t for t in CONTEXT_TESTS], 20),
        (["--features", "loom", "--test-package", "loom-tests",
          "--cargo-test-arg=--test=context"], 150),
        (["--test-package", "go-context", "--cargo-test-arg=--doc"], 600),
        (["--test-package", "go-context", "--cargo-test-arg=--lib",
          "--cargo-test-arg=--tests"], 300),
    ),
    "wheel": (
        SINGLE, False,
        (["--test-package", "go-context", "--cargo-test-arg=--lib",
          "--cargo-test-arg=--", "--cargo-test-arg=wheel",
          "--cargo-test-arg=timer"], 30),
        (["--features", "loom", "--test-package", "loom-tests",
          "--cargo-test-arg=--test=context", "--cargo-test-arg=--",
          "--cargo-test-arg=timer", "--cargo-test-arg=deadline"], 150),
        (["--test-package", "go-context", "--cargo-test-arg=--doc"], 600),
        (["--test-package", "go-context", "--cargo-test-arg=--lib",
          "--cargo-test-arg=--tests"], 300),
    ),
    "waitgroup": (
        ["patterns/waitgroup/src/concurrent/wait_group.rs",
         "patterns/waitgroup/src/concurrent/errgroup.rs"],
        True,
        (["--test-package", "go-waitgroup", "--cargo-test-arg=--lib",
          "--cargo-test-arg=--tests"], 60),
        (["--features", "loom", "--test-package", "loom-tests",
          "--cargo-test-arg=--test=waitgroup"], 240),
        (["--test-package", "go-waitgroup", "--cargo-test-arg=--doc"], 600),
    ),
    "stop-channel": (
        ["patterns/stop-channel/src/concurrent/" + f
         for f in ("signal.rs", "source.rs", "state.rs")],
        True,
        (["--test-package", "go-stop-channel", "--cargo-test-arg=--lib",
          "--cargo-test-arg=--tests"], 40),
        (["--features", "loom", "--test-package", "loom-tests",
          "--cargo-test-arg=--test=stop_channel"], 150),
        (["--test-package", "go-stop-channel", "--cargo-test-arg=--doc"], 600),
    ),
}

# What CI tests: the files of a group, both passes. The sleeper's relay and
# the stop channel's close are small and cover both crates' loom instances.
CI_SUBSET = {
    "context": ["context/src/concurrent/sleeper.rs"],
    "stop-channel": ["patterns/stop-channel/src/concurrent/state.rs"],
}


def cargo_mutants(args, capture=False):
    # --iterate: a run that stopped part-way goes on where it stopped (the
    # mutants its output directory records as caught are not tried again).
    cmd = ["cargo", "mutants", "--iterate", "--no-shuffle", "--baseline", "skip", "-j", "1"] + args
    print("+", " ".join(cmd), flush=True)
    # One target directory for every run: cargo-mutants builds each in a
    # fresh copy of the tree, and the dependencies need building only once.
    # (The copy's crates are named as the tree's are, so a build of the tree
    # afterwards finds them stale and rebuilds them: nothing mutated leaks.)
    os.makedirs(OUT, exist_ok=True)
    env = dict(os.environ, CARGO_TARGET_DIR=TARGET_DIR)
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


def copies(files):
    """How many times `cargo mutants --list` names each mutant of `files`:
    once per instance that compiles them."""
    run = cargo_mutants(["--list"] + [a for f in files for a in ("-f", f)], capture=True)
    names = run.stdout.splitlines()
    n = len(names) // max(1, len(set(names)))
    assert len(names) == n * len(set(names)), "the instances list different mutants"
    return n


def run_group(group, files=None, out_suffix="", passes=4, start=0):
    """The passes over a group (or some of its files), each on the
    survivors of the one before; returns the survivors of the last. With
    `start`, the passes before it are taken from their earlier results."""
    all_files, per_instance, *oracles = GROUPS[group]
    files = files or all_files
    common = [a for f in files for a in ("-f", f)]
    if per_instance:
        common += ["--shard", f"0/{copies(files)}", "--sharding", "slice"]
    suffixes = ("", "-loom", "-doc", "-rest")
    survivors = None
    if start:
        out = os.path.join(OUT, group + out_suffix + suffixes[start - 1])
        survivors = outcomes(out)["missed"]
    for n, (args, timeout) in list(enumerate(oracles[:passes]))[start:]:
        if survivors == []:
            break
        out = os.path.join(OUT, group + out_suffix + suffixes[n])
        only = [a for m in survivors for a in ("-F", "^" + re.escape(m) + "$")] if n else []
        cargo_mutants(common + args + only + ["--timeout", str(timeout), "-o", out])
        survivors = outcomes(out)["missed"]
        print(f"{group}: {len(survivors)} survived pass {n + 1}", flush=True)
    return survivors


def report(groups):
    """A Markdown table of a run's outcomes, file by file: what each pass
    caught, and what survived them all (for MUTANTS.md). A mutant counts
    where the last pass that tried it left it."""
    final = {}
    for group in groups:
        # `<group>-earlier`: the first pass of a run that stopped part-way,
        # which `--iterate` went on from (the mutants it caught are not
        # tried again, so only that directory records how they went).
        for suffix, column in (("-earlier", "tests"), ("", "tests"), ("-loom", "models"),
                               ("-doc", "doctests"), ("-rest", "tests")):
            if not os.path.exists(os.path.join(OUT, group + suffix, "mutants.out")):
                continue
            for kind, names in outcomes(os.path.join(OUT, group + suffix)).items():
                for name in names:
                    final[name] = {"caught": column, "missed": "survive"}.get(kind, kind)
    rows = {}
    for name, column in final.items():
        row = rows.setdefault(name.split(":")[0], {})
        row[column] = row.get(column, 0) + 1
    columns = ("tests", "models", "doctests", "timeout", "unviable", "survive")
    print("| file | mutants | caught by the tests | by the models | by the doctests "
          "| timed out (a hang) | unviable | survive |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for path, row in sorted(rows.items()):
        cells = " | ".join(str(row.get(c, 0)) for c in columns)
        print(f"| `{path}` | {sum(row.values())} | {cells} |")
    survivors = sorted(name for name, column in final.items() if column == "survive")
    for name in survivors:
        print(f"\nsurvives: `{name}`")


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
    elif command in ("run", "resume"):
        # resume GROUP PASS: from pass PASS (2: the loom models, 3: the
        # doctests, 4: the rest of the tests), on the survivors an earlier
        # run left.
        start = int(sys.argv.pop()) - 1 if command == "resume" else 0
        for spec in sys.argv[2:] or GROUPS:
            group, _, names = spec.partition(":")
            files = [f for f in GROUPS[group][0] if os.path.basename(f) in names.split(",")]
            for survivor in run_group(group, files or None, start=start):
                print("SURVIVED", survivor)
    elif command == "report":
        report(sys.argv[2:] or GROUPS)
    elif command == "ci":
        global TARGET_DIR
        TARGET_DIR = os.path.join(ROOT, "target")
        list_check()
        known = explained()
        new = []
        for group, files in CI_SUBSET.items():
            # The doctests are left out: they take minutes per mutant.
            new += [s for s in run_group(group, files, "-ci", passes=2) if s not in known]
        for survivor in new:
            print("NEW SURVIVOR (kill it, or explain it in loom-tests/MUTANTS.md):", survivor)
        sys.exit(1 if new else 0)
    else:
        sys.exit(__doc__)


main()
