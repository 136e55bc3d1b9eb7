"""Mutation score of migstats and of labgrade's pure logic, one module at a time (mutmut).

Usage: python bench/mutation.py [--sample N] [--children N] [--tests-from REV] [MODULE ...]
       (`make mutation`)
  MODULE        a key of MODULES below, e.g. `flows` or `collect`; default: all of them.
  --sample N    run N mutants per module, drawn at random with a fixed seed (an estimate of
                the score in minutes; the same N draws the same mutants every time).
  --children N  mutants tested at once (default 1: the machine is shared).
  --tests-from  take tests/ from a git revision, e.g. to score the tests before a change.

mutmut changes the code in small ways (a `<` becomes `<=`, a number changes, a line goes) and
runs the tests that reach the changed function once per change (a "mutant"). A mutant the tests
do not notice "survived": the tests would not catch that bug. The settings are in
pyproject.toml, [tool.mutmut]: only the quick test files run (no notebooks, nbgrader or sandbox).

mutmut needs each package at the top of its folder, and labgrade lives in grader/. So this
script copies migstats, labgrade, the tests and the data into _build/mutation/ and runs mutmut
there, under `nice`, one mutant at a time unless told otherwise. It prints, per module, the
score (killed / all mutants) and every survivor with its change. Survivors that change nothing
observable are listed in tests/mutation/EQUIVALENT.md; they are shown as "equivalent" and the
second score leaves them out. Exit status 1 when a migstats module is under TARGET without them.
"""

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import time
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAGE = ROOT / "_build" / "mutation" / "worktree"
MUTMUT = Path(sys.executable).parent / "mutmut"
EQUIVALENT = ROOT / "tests" / "mutation" / "EQUIVALENT.md"
TARGET = 0.85  # share of mutants killed in each migstats module, equivalents left out
NICE = ["nice", "-n", "15"]

# module key: (dotted module name, where its source is in the repository), in the order of
# priority. Not scored: migstats.show (one format() call) and migstats.style (a palette and
# matplotlib settings): they hold no logic that a test could judge.
MODULES = {
    "privacy": ("migstats.privacy", "migstats/privacy.py"),
    "forecasting": ("migstats.forecasting", "migstats/forecasting.py"),
    "definitions": ("migstats.definitions", "migstats/definitions.py"),
    "disaggregation": ("migstats.disaggregation", "migstats/disaggregation.py"),
    "protection": ("migstats.protection", "migstats/protection.py"),
    "flows": ("migstats.flows", "migstats/flows.py"),
    "collect": ("labgrade.collect", "grader/labgrade/collect.py"),
    "arrivals": ("labgrade.arrivals", "grader/labgrade/arrivals.py"),
    "ledger": ("labgrade.ledger", "grader/labgrade/ledger.py"),
    "checks": ("labgrade.checks", "grader/labgrade/checks.py"),
    "export": ("labgrade.export", "grader/labgrade/export.py"),
}
KILLED = {"killed", "timeout", "caught by type check"}
# mutmut forks each mutant's test run from a process that has already run the tests. Thread
# pools started there are lost in the fork and their locks can stay held: the child then waits
# for ever, and mutmut reports a timeout, not a kill. So the numeric libraries run with one
# thread here, and the tests run samplics (whose polars threads did hang) in a process of its own.
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def stage(tests_from=None):
    """A fresh copy of what the quick tests need, with labgrade at the top level."""
    shutil.rmtree(STAGE, ignore_errors=True)
    STAGE.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    shutil.copytree(ROOT / "migstats", STAGE / "migstats", ignore=ignore)
    shutil.copytree(ROOT / "grader" / "labgrade", STAGE / "labgrade", ignore=ignore)
    shutil.copytree(ROOT / "datasets", STAGE / "datasets", ignore=ignore)
    (STAGE / "grader").mkdir()
    shutil.copy(ROOT / "grader" / "nbgrader_config.py", STAGE / "grader")
    if tests_from:
        archive = subprocess.run(["git", "archive", tests_from, "tests"], cwd=ROOT,
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(STAGE)], input=archive, check=True)
    else:
        shutil.copytree(ROOT / "tests", STAGE / "tests", ignore=ignore)
    # the quick test files that exist in this copy (older revisions have fewer)
    text = (ROOT / "pyproject.toml").read_text()
    selection = tomllib.loads(text)["tool"]["mutmut"]["pytest_add_cli_args_test_selection"]
    for name in selection:
        if not (STAGE / name).exists():
            text = text.replace(f'"{name}", ', "").replace(f', "{name}"', "")
    (STAGE / "pyproject.toml").write_text(text)


def mutants_of(module):
    """The names of every mutant of a module."""
    # mutmut has no command that only generates: a run for a name that matches no mutant does
    # the generation and the test timing, then stops.
    subprocess.run([*NICE, str(MUTMUT), "run", f"{module}.no-such-mutant"], cwd=STAGE,
                   capture_output=True, env=ENV)
    return sorted(n for n in results() if n.startswith(module + "."))


def equivalents():
    """{(function, original line, mutated line)} from the table in EQUIVALENT.md."""
    found = set()
    for line in EQUIVALENT.read_text().splitlines():
        # cells are split at "|"; a "|" inside a cell is written "\|"
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        if len(cells) == 4 and cells[0].startswith("`") and cells[1].startswith("`"):
            found.add(tuple(c.strip("`") for c in cells[:3]))
    return found


def change(name):
    """(function, original line, mutated line) of a mutant, from `mutmut show`."""
    diff = subprocess.run([str(MUTMUT), "show", name], cwd=STAGE, capture_output=True,
                          text=True).stdout
    removed = " / ".join(l[1:].strip() for l in diff.splitlines()
                         if l.startswith("-") and not l.startswith("---"))
    added = " / ".join(l[1:].strip() for l in diff.splitlines()
                       if l.startswith("+") and not l.startswith("+++"))
    module, mangled = name.rsplit(".", 1)
    function = re.sub(r"^x[_ǁ]|__mutmut_\d+$", "", mangled).replace("ǁ", ".")
    return f"{module}.{function}", removed, added


def results():
    """{mutant name: status} of every mutant mutmut knows."""
    out = subprocess.run([str(MUTMUT), "results", "--all", "true"], cwd=STAGE,
                         capture_output=True, text=True, check=True).stdout
    return dict(line.strip().rsplit(": ", 1) for line in out.splitlines() if ": " in line)


def measure(key, known, sample, children=1):
    module, _ = MODULES[key]
    start = time.perf_counter()
    names = [f"{module}.*"]
    if sample:
        everyone = mutants_of(module)
        names = sorted(random.Random(sample).sample(everyone, min(sample, len(everyone))))
    run = subprocess.run([*NICE, str(MUTMUT), "run", "--max-children", str(children), *names],
                         cwd=STAGE, capture_output=True, text=True, env=ENV)
    seconds = time.perf_counter() - start
    if run.returncode != 0:
        print(run.stdout[-3000:], run.stderr[-3000:], sep="\n")
        raise SystemExit(f"mutmut failed on {module}")
    statuses = {n: s for n, s in results().items()
                if n.startswith(module + ".") and s != "skipped" and (not sample or n in names)}
    counts = Counter(statuses.values())
    killed = sum(counts[s] for s in KILLED)
    survivors = [n for n, s in statuses.items() if s not in KILLED]
    listed = [n for n in survivors if change(n) in known]
    total = len(statuses)
    score = killed / total if total else 1.0
    kept = killed / (total - len(listed)) if total > len(listed) else 1.0
    print(f"\n{module}: {total} mutants{' (a sample)' if sample else ''}, {killed} killed, "
          f"{len(survivors)} not killed "
          f"({len(listed)} listed as equivalent); score {score:.1%}, "
          f"{kept:.1%} without the equivalents ({seconds:.0f} s)", flush=True)
    for name in sorted(survivors, key=lambda n: int(n.rsplit("_", 1)[1])):
        function, removed, added = change(name)
        tag = "equivalent" if name in listed else statuses[name]
        print(f"  [{tag}] {name}\n      - {removed}\n      + {added}")
    return module, total, score, kept


def main(argv):
    global STAGE
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", metavar="MODULE", help=", ".join(MODULES))
    parser.add_argument("--sample", type=int, default=0, metavar="N",
                        help="run N mutants per module, drawn at random with a fixed seed")
    parser.add_argument("--children", type=int, default=1, metavar="N", help="mutants tested at once")
    parser.add_argument("--tests-from", metavar="REV", help="take tests/ from a git revision")
    args = parser.parse_args(argv)
    unknown = set(args.modules) - set(MODULES)
    if unknown:
        parser.error(f"unknown module(s) {sorted(unknown)}; choose from {', '.join(MODULES)}")
    if args.tests_from:
        STAGE = STAGE.parent / re.sub(r"[^\w.-]", "-", args.tests_from)
    start = time.perf_counter()
    stage(args.tests_from)
    known = equivalents()
    rows = [measure(key, known, args.sample, args.children) for key in args.modules or MODULES]
    print(f"\n{'module':26s} {'mutants':>7s} {'score':>7s} {'w/o equivalents':>16s}")
    for module, total, score, kept in rows:
        print(f"{module:26s} {total:7d} {score:7.1%} {kept:16.1%}")
    print(f"\nmake mutation took {time.perf_counter() - start:.0f} s")
    low = [m for m, _, _, kept in rows if m.startswith("migstats.") and kept < TARGET]
    if low:
        print(f"under the target of {TARGET:.0%} killed: {', '.join(low)}")
    return 1 if low else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
