"""Time plain sequential `nbgrader autograde` against `labgrade autograde`.

Makes a cohort of learners' submissions of one assignment (by default 60 of
m1-ex1; a third of them with a wrong first answer), collects them into two
identical copies of a course, grades one copy with `nbgrader autograde` and
the other with `labgrade autograde`, and prints both times, the ratio,
whether the scores agree, and the mean seconds of each step of a labgrade
submission (scratch copy, planning, learner's kernel, tests' process, the rest
of nbgrader, reading the results).

    .venv/bin/python bench/grading.py [--assignment m1-ex1] [--learners 60] [--workers N]
    .venv/bin/python bench/grading.py --sources tests/fixtures/labgrade/source --assignment t1-ex1
"""
import argparse
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from labgrade.answers import answered, reference_answers
from labgrade.cli import DEFAULT_WORKERS

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def scores(db_path):
    db = sqlite3.connect(db_path)
    return sorted(db.execute(
        "select st.id, bc.name, g.auto_score from grade g "
        "join submitted_notebook sn on g.notebook_id = sn.id "
        "join submitted_assignment sa on sn.assignment_id = sa.id "
        "join student st on sa.student_id = st.id "
        "join base_cell bc on g.cell_id = bc.id").fetchall())


def timed(cmd, cwd):
    """Seconds the command took, and what it printed on stderr."""
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(map(str, cmd))} failed:\n{done.stderr[-3000:]}")
    return seconds, done.stderr


def mean_steps(progress):
    """Mean seconds per step, from labgrade's progress lines '(2.4 s, scratch 0.02, ...)'."""
    steps = {}
    for line in progress.splitlines():
        for name, value in re.findall(r", ([a-z]+) ([0-9.]+)", line):
            steps.setdefault(name, []).append(float(value))
    return {name: sum(values) / len(values) for name, values in steps.items()}


def main():
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--assignment", default="m1-ex1")
    args.add_argument("--learners", type=int, default=60)
    args.add_argument("--workers", type=int, default=DEFAULT_WORKERS,
                      help="labgrade's workers (default: labgrade's own, one more than the cores)")
    args.add_argument("--sources", default=str(REPO / "grader" / "source"),
                      help="the folder of assignment sources (default: the course's)")
    opts = args.parse_args()
    source_dir = Path(opts.sources) / opts.assignment
    if not (source_dir / f"{opts.assignment}.ipynb").exists():
        sys.exit(f"no assignment {source_dir}/{opts.assignment}.ipynb")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    os.environ.update(env)
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        tmp = Path(tmp)
        course = tmp / "labgrade"
        shutil.copytree(source_dir, course / "source" / opts.assignment)
        shutil.copy(REPO / "grader" / "nbgrader_config.py", course)
        labgrade = [str(BIN / "labgrade"), "--course", str(course)]
        subprocess.run([*labgrade, "release", opts.assignment], check=True, capture_output=True)
        release = course / "release" / opts.assignment / f"{opts.assignment}.ipynb"
        cohort = tmp / "cohort"
        cohort.mkdir()
        right = reference_answers(source_dir / f"{opts.assignment}.ipynb")
        wrong = dict(list(right.items())[1:])  # the first answer left blank
        for i in range(opts.learners):
            nb = answered(release, wrong if i % 3 == 2 else right)
            nbformat.write(nb, cohort / f"learner{i:03d}_{opts.assignment}.ipynb")
        subprocess.run([*labgrade, "collect", opts.assignment, "--from", str(cohort)],
                       check=True, capture_output=True)
        plain = tmp / "plain"
        shutil.copytree(course, plain)

        t_plain, _ = timed([str(BIN / "nbgrader"), "autograde", opts.assignment,
                            f"--CourseDirectory.root={plain}"], plain)
        t_labgrade, progress = timed([*labgrade, "autograde", opts.assignment,
                                      "--workers", str(opts.workers)], course)
        same = scores(plain / "gradebook.db") == scores(course / "gradebook.db")

    print(f"assignment {opts.assignment}, {opts.learners} submissions, "
          f"{os.cpu_count()} cores, labgrade with {opts.workers} workers")
    print(f"plain sequential nbgrader autograde: {t_plain:7.1f} s")
    print(f"labgrade autograde (sandboxed):      {t_labgrade:7.1f} s")
    print(f"speed-up: {t_plain / t_labgrade:.2f}x; same scores: {'yes' if same else 'NO'}")
    steps = mean_steps(progress)
    print("labgrade, mean seconds per submission (each worker): "
          + ", ".join(f"{name} {value:.2f}" for name, value in steps.items())
          + f"; total {sum(steps.values()):.2f}")
    print(f"load average when done: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
