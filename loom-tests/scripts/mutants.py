#!/usr/bin/env python3
"""Mutation testing of the crates' concurrent cores with cargo-mutants, the
tests and the loom models as the oracle.

    python3 loom-tests/scripts/mutants.py list-check   # every core module has mutants
    python3 loom-tests/scripts/mutants.py run context  # one group, every pass
    python3 loom-tests/scripts/mutants.py run context:tree.rs,timer.rs  # some of its files
    python3 loom-tests/scripts/mutants.py resume context 3  # from the rest of the tests on
    python3 loom-tests/scripts/mutants.py fill waitgroup    # what an interrupted run left untried
    python3 loom-tests/scripts/mutants.py recheck context   # survivors against new checks
    python3 loom-tests/scripts/mutants.py report           # the table for MUTANTS.md
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
crate's doctests, which compile one by one (for the context, whose first
pass runs only the integration tests closest to its core, the rest of its
tests come before them); last, `run` and `resume` give the survivors to the
instruction and byte counts that CI checks (`benches/counts.sh`): a mutant
that only makes a hot path dearer is caught there. A mutant that survives
every pass is listed in `loom-tests/MUTANTS.md`, killed by a new test or
model, or explained there (an equivalent mutant, or code no test can
reach).

`ci` checks the listing (`list-check`), then tests a small fixed subset
against the tests and the models (15 mutants; six minutes on the shared
two-core machine, the dependencies already built) and fails if a mutant survives
that `MUTANTS.md` does not explain. Results go to
`target/mutants/<group>[-loom]/`.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

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

# name: (files, compiled once per instance?, passes). A pass is (the suffix
# of its results' directory, cargo test arguments, timeout in seconds): the
# timeout about three times what the pass takes unmutated on the shared
# two-core machine, as a mutant that hangs (a lost wake-up, a cancel that
# never settles) costs the whole timeout.
# The context's first pass runs the integration tests that matter most to
# its core (linking all twenty per mutant costs minutes); every pass but the
# last leaves out the doctests (each compiles on its own, minutes a mutant).
# The few mutants that survive the tests and the models get the rest of the
# suite, then the doctests.
CONTEXT_REST = ("-rest", ["--test-package", "go-context", "--cargo-test-arg=--lib",
                          "--cargo-test-arg=--tests"], 300)
CONTEXT_DOC = ("-doc", ["--test-package", "go-context", "--cargo-test-arg=--doc"], 600)
GROUPS = {
    "context": (
        ["context/src/concurrent/" + f for f in (
            "after_func.rs", "cancel.rs", "canceler.rs", "context.rs",
            "deadline.rs", "link.rs", "sleeper.rs", "timer.rs", "tree.rs",
            "value.rs", "wait.rs")],
        True,
        [
            ("", ["--test-package", "go-context", "--cargo-test-arg=--lib"]
             + ["--cargo-test-arg=--test=" + t for t in CONTEXT_TESTS], 20),
            ("-loom", ["--features", "loom", "--test-package", "loom-tests",
                       "--cargo-test-arg=--test=context"], 150),
            CONTEXT_REST,
            CONTEXT_DOC,
        ],
    ),
    "wheel": (
        SINGLE, False,
        [
            ("", ["--test-package", "go-context", "--cargo-test-arg=--lib",
                  "--cargo-test-arg=--", "--cargo-test-arg=wheel",
                  "--cargo-test-arg=timer"], 30),
            ("-loom", ["--features", "loom", "--test-package", "loom-tests",
                       "--cargo-test-arg=--test=context", "--cargo-test-arg=--",
                       "--cargo-test-arg=timer", "--cargo-test-arg=deadline"], 150),
            CONTEXT_REST,
            CONTEXT_DOC,
        ],
    ),
    "waitgroup": (
        ["patterns/waitgroup/src/concurrent/wait_group.rs",
         "patterns/waitgroup/src/concurrent/errgroup.rs"],
        True,
        [
            ("", ["--test-package", "go-waitgroup", "--cargo-test-arg=--lib",
                  "--cargo-test-arg=--tests"], 60),
            ("-loom", ["--features", "loom", "--test-package", "loom-tests",
                       "--cargo-test-arg=--test=waitgroup"], 240),
            ("-doc", ["--test-package", "go-waitgroup", "--cargo-test-arg=--doc"], 600),
        ],
    ),
    "stop-channel": (
        ["patterns/stop-channel/src/concurrent/" + f
         for f in ("signal.rs", "source.rs", "state.rs")],
        True,
        [
            ("", ["--test-package", "go-stop-channel", "--cargo-test-arg=--lib",
                  "--cargo-test-arg=--tests"], 40),
            ("-loom", ["--features", "loom", "--test-package", "loom-tests",
                       "--cargo-test-arg=--test=stop_channel"], 150),
            ("-doc", ["--test-package", "go-stop-channel", "--cargo-test-arg=--doc"], 600),
        ],
    ),
}

# The column of the report each pass's catches go to, by its suffix.
COLUMNS = {"-earlier": "tests", "": "tests", "-loom": "models", "-rest": "tests",
           "-doc": "doctests", "-counts": "counts", "-fill": "tests", "-fill-loom": "models",
           "-recheck": "new checks", "-recheck-loom": "new checks"}

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
    # `--iterate` lists what the run before it caught apart, and tries it no more.
    earlier = os.path.join(out, "mutants.out", "previously_caught.txt")
    if os.path.exists(earlier):
        found["caught"] += open(earlier).read().splitlines()
    return found


def copies(files):
    """How many times `cargo mutants --list` names each mutant of `files`:
    once per instance that compiles them."""
    run = cargo_mutants(["--list"] + [a for f in files for a in ("-f", f)], capture=True)
    names = run.stdout.splitlines()
    n = len(names) // max(1, len(set(names)))
    assert len(names) == n * len(set(names)), "the instances list different mutants"
    return n


def select(spec):
    """`GROUP` or `GROUP:file.rs,file.rs`: the group and the files meant
    (all of the group's when none is named)."""
    group, _, names = spec.partition(":")
    all_files = GROUPS[group][0]
    return group, [f for f in all_files if os.path.basename(f) in names.split(",")] or all_files


def targets(group, files):
    """cargo-mutants' arguments for `files`: each file, and the first
    instance's copy of each mutant (see the module's docs)."""
    args = [a for f in files for a in ("-f", f)]
    if GROUPS[group][1]:
        args += ["--shard", f"0/{copies(files)}", "--sharding", "slice"]
    return args


def tests_then_models(group, files, mutants, prefix):
    """The named mutants through the group's first two passes (its tests,
    then its models on what they leave), into `<group><prefix>` and
    `<group><prefix>-loom`; returns what survives both."""
    oracles = GROUPS[group][2]
    common = targets(group, files) if mutants else []
    for suffix, (_, args, timeout) in ((prefix, oracles[0]), (prefix + "-loom", oracles[1])):
        if not mutants:
            break
        out = os.path.join(OUT, group + suffix)
        only = [a for m in mutants for a in ("-F", "^" + re.escape(m) + "$")]
        cargo_mutants(common + args + only + ["--timeout", str(timeout), "-o", out])
        mutants = outcomes(out)["missed"]
    return mutants or []


def run_group(group, files=None, out_suffix="", passes=None, start=0, counts=False):
    """The passes over a group (or some of its files), each on the
    survivors of the one before; returns the survivors of the last. With
    `start`, the passes before it are taken from their earlier results;
    with `counts`, the survivors then meet the instruction and byte counts
    (`counts_pass`)."""
    oracles = GROUPS[group][2]
    common = targets(group, files or GROUPS[group][0])
    survivors = None
    last = None
    if start:
        last = os.path.join(OUT, group + out_suffix + oracles[start - 1][0])
        survivors = outcomes(last)["missed"]
    for n, (suffix, args, timeout) in list(enumerate(oracles[:passes]))[start:]:
        if survivors == []:
            break
        out = os.path.join(OUT, group + out_suffix + suffix)
        only = [a for m in survivors for a in ("-F", "^" + re.escape(m) + "$")] if n else []
        cargo_mutants(common + args + only + ["--timeout", str(timeout), "-o", out])
        survivors = outcomes(out)["missed"]
        last = out
        print(f"{group}: {len(survivors)} survived pass {n + 1}", flush=True)
    if counts and survivors:
        # A pass's filter can pick up a mutant an earlier pass stopped.
        stopped = set()
        for suffix in COLUMNS:
            path = os.path.join(OUT, group + out_suffix + suffix)
            if os.path.exists(os.path.join(path, "mutants.out")):
                found = outcomes(path)
                stopped.update(found["caught"] + found["timeout"] + found["unviable"])
        survivors = [m for m in survivors if m not in stopped]
        survivors = counts_pass(group + out_suffix, survivors, last)
    return survivors


def counts_pass(name, survivors, last):
    """The last oracle: `benches/counts.sh`, which CI runs and which fails
    when a count of ours grows by more than 2%. A mutant that changes no
    answer but makes a hot path dearer (a fast path always skipped, work
    done that a check would spare) is caught there, as a real change doing
    the same would be. Each survivor's diff, as cargo-mutants wrote it in
    the last pass, is applied to a copy of the tree, which is measured;
    results go to `target/mutants/<group>-counts/`."""
    diffs = {}
    for outcome in json.load(open(os.path.join(last, "mutants.out", "outcomes.json")))["outcomes"]:
        scenario = outcome["scenario"]
        if isinstance(scenario, dict) and "Mutant" in scenario:
            diffs[scenario["Mutant"]["name"]] = (
                scenario["Mutant"]["file"],
                os.path.join(last, "mutants.out", outcome["diff_path"]),
            )
    out = os.path.join(OUT, name + "-counts", "mutants.out")
    os.makedirs(out, exist_ok=True)
    caught, missed = [], []
    # `^` for `|` (between a state word's disjoint bits, in these cores)
    # compiles to the same code: not measured, left to MUTANTS.md.
    same = [m for m in survivors if re.search(r"replace \| with \^ in", m)]
    missed += same
    survivors = [m for m in survivors if m not in same]
    with tempfile.TemporaryDirectory(prefix="counts-") as copy:
        tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True,
                                 capture_output=True).stdout.decode().split("\0")
        for path in filter(None, tracked):
            source, target = os.path.join(ROOT, path), os.path.join(copy, path)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if os.path.islink(source):
                os.symlink(os.readlink(source), target)
            else:
                shutil.copyfile(source, target)
        env = dict(os.environ, CARGO_TARGET_DIR=os.path.join(OUT, "counts-build"))
        for mutant in survivors:
            file, diff = diffs[mutant]
            subprocess.run(["patch", "-s", "-p0", file, diff], cwd=copy, check=True)
            print("+ counts.sh on", mutant, flush=True)
            run = subprocess.run(["bash", "benches/counts.sh"], cwd=copy, env=env, text=True,
                                 capture_output=True)
            subprocess.run(["patch", "-s", "-R", "-p0", file, diff], cwd=copy, check=True)
            grew = [line for line in run.stdout.splitlines() if line.startswith("REGRESSION")]
            if not grew and run.returncode != 0:
                sys.exit(f"counts.sh failed on {mutant}:\n{run.stderr[-2000:]}")
            (caught if grew else missed).append(mutant)
            print(f"{'CAUGHT' if grew else 'MISSED'} {mutant}", *grew, sep="\n    ", flush=True)
            # Written as it goes: an interrupted pass keeps what it measured.
            for kind, names in (("caught", caught), ("missed", missed)):
                with open(os.path.join(out, kind + ".txt"), "w") as f:
                    f.write("".join(n + "\n" for n in names))
    return missed


def fill(group, files):
    """The mutants of `group` (or some of its files) that no result records,
    as an interrupted run can leave (`--iterate` goes on from the list
    that remains, and a shard of it is not the one the first run took):
    the tests, then the models on what they leave."""
    listed = set(cargo_mutants(["--list"] + [a for f in files for a in ("-f", f)],
                               capture=True).stdout.splitlines())
    seen = set()
    for suffix in COLUMNS:
        path = os.path.join(OUT, group + suffix)
        if os.path.exists(os.path.join(path, "mutants.out")):
            for found in outcomes(path).values():
                seen.update(found)
    untried = sorted(listed - seen)
    print(f"{group}: {len(untried)} mutants untried", flush=True)
    return tests_then_models(group, files, untried, "-fill")


def recheck(group, files):
    """The final survivors of `group` (the last directory of its run, the
    counts' included), tested again by its first two passes."""
    survivors = []
    for suffix in [p[0] for p in GROUPS[group][2]] + ["-counts"]:
        if os.path.exists(os.path.join(OUT, group + suffix, "mutants.out")):
            survivors = [m for m in outcomes(os.path.join(OUT, group + suffix))["missed"]
                         if m.split(":")[0] in files]
    return tests_then_models(group, files, survivors, "-recheck")


def report(groups):
    """A Markdown table of a run's outcomes, file by file: what each pass
    caught, and what survived them all (for MUTANTS.md). A mutant counts
    where the first pass that did not let it through left it."""
    final = {}
    for group in groups:
        # `<group>-earlier`: the first pass of a run that stopped part-way,
        # which `--iterate` went on from (the mutants it caught are not
        # tried again, so only that directory records how they went).
        for suffix, column in COLUMNS.items():
            if not os.path.exists(os.path.join(OUT, group + suffix, "mutants.out")):
                continue
            for kind, names in outcomes(os.path.join(OUT, group + suffix)).items():
                for name in names:
                    # Only a survivor of the passes before is this pass's
                    # to judge (a pass's filter may pick up a few more).
                    if final.get(name, "survive") == "survive":
                        final[name] = {"caught": column, "missed": "survive"}.get(kind, kind)
    rows = {}
    for name, column in final.items():
        row = rows.setdefault(name.split(":")[0], {})
        row[column] = row.get(column, 0) + 1
    headings = {"tests": "caught by the tests", "models": "by the models",
                "doctests": "by the doctests", "counts": "by the counts",
                "new checks": "by checks added for them", "timeout": "timed out (a hang)",
                "unviable": "unviable", "survive": "survive"}
    # A recheck's column only if a recheck ran.
    columns = [c for c in headings if c != "new checks"
               or any(c in row for row in rows.values())]
    print("| file | mutants | " + " | ".join(headings[c] for c in columns) + " |")
    print("|---|---:|" + "---:|" * len(columns))
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
        m = re.match(r"\|\s*`((?:[^`])+)`\s*\|", line)
        if m:
            # A `|` in a table cell is escaped, even in code.
            names.add(m.group(1).replace("\\|", "|"))
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
        # context's rest of the tests, or the doctests; past a group's last,
        # the counts alone), on the survivors an earlier run left.
        start = int(sys.argv.pop()) - 1 if command == "resume" else 0
        for spec in sys.argv[2:] or GROUPS:
            group, files = select(spec)
            for survivor in run_group(group, files, start=start, counts=True):
                print("SURVIVED", survivor)
    elif command == "fill":
        for spec in sys.argv[2:]:
            for survivor in fill(*select(spec)):
                print("SURVIVED", survivor)
    elif command == "recheck":
        # recheck GROUP[:files]: the survivors of the last run, against the
        # tests and the models as they are now: what the checks written
        # for them kill (results in `<group>-recheck[-loom]/`).
        for spec in sys.argv[2:]:
            for survivor in recheck(*select(spec)):
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


if __name__ == "__main__":
    main()
