"""Tricks that rewrite how the tests run must not pay: labgrade runs the tests apart.

Every submission below gives the same WRONG answers (each worth 0 points) and adds one trick in
its first answer cell. Graded by plain ``nbgrader autograde`` (one kernel for the learner's code
and the tests), most tricks win points; that is checked too, so the tricks are real. Graded by
labgrade, no trick scores more than the wrong answers alone, and each submission ends graded or
failed with a reason.
"""
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from labgrade.cli import main
from labgrade.course import Course
from labgrade.ledger import Ledger
from labgrade.sandbox import check_sandbox
from nbgrader_harness import fixture_course

pytestmark = pytest.mark.slow

ASSIGNMENT = "t1-ex1"
WRONG = {"q1": "def total(xs):\n    return len(xs)", "q2": "share = 0.5", "q3": "largest = 50"}
RIGHT = {"q1": "def total(xs):\n    return sum(xs)", "q2": "share = ARRIVALS[0] / sum(ARRIVALS)",
         "q3": "largest = max(ARRIVALS)"}

TRICKS = {
    # IPython input transformer: every later cell (the tests) becomes empty
    "inputtransformer": "get_ipython().input_transformers_cleanup.append(lambda lines: [])",
    # AST transformer: every assert statement of later cells is removed
    "asttransformer": (
        "import ast\n"
        "class NoAsserts(ast.NodeTransformer):\n"
        "    def visit_Assert(self, node):\n"
        "        return ast.Pass()\n"
        "get_ipython().ast_transformers.append(NoAsserts())"),
    # custom exception handler: a failed assert shows nothing
    "customexc": "get_ipython().set_custom_exc((BaseException,), lambda *args, **kwargs: None)",
    # builtins replaced: abs() says every difference is 0, sum() gives what the test expects
    "builtins": ("import builtins\nbuiltins.abs = lambda x: 0\n"
                 "builtins.max = lambda *a, **k: 50"),
    # a name the tests use, redefined as a global that shadows the builtin
    "shadow": "abs = lambda x: 0",
    # an answer whose comparisons are always true
    "alwaystrue": (
        "class Yes(float):\n"
        "    def __eq__(self, other): return True\n"
        "    __le__ = __ge__ = __lt__ = __gt__ = __eq__\n"
        "    def __sub__(self, other): return Yes(0.0)\n"
        "    def __abs__(self): return 0.0\n"
        "    __hash__ = float.__hash__\n"
        "share = Yes(0.5)\nlargest = Yes(50)\n"
        "def total(xs):\n    return Yes(0)"),
    # pre_run_cell hook: reads each test (hidden part included) before it runs and sets the
    # answers to the values the test expects
    "prerun": (
        "import re\n"
        "def peek(info):\n"
        "    cell = info.raw_cell or ''\n"
        "    for name, pattern in (('share', r'share - ([0-9.]+)'), ('largest', r'largest == (\\d+)')):\n"
        "        found = re.search(pattern, cell)\n"
        "        if found:\n"
        "            globals()[name] = float(found.group(1))\n"
        "get_ipython().events.register('pre_run_cell', peek)"),
    # a trace hook that jumps over every assert line while the tests run
    "settrace": (
        "import sys, linecache\n"
        "def skip(frame, event, arg):\n"
        "    if event == 'line':\n"
        "        line = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()\n"
        "        if line.startswith('assert'):\n"
        "            try:\n"
        "                frame.f_lineno = frame.f_lineno + 1\n"
        "            except ValueError:\n"
        "                pass\n"
        "    return skip\n"
        "sys.settrace(skip)\n"
        "import threading\nthreading.settrace(skip)\n"
        "get_ipython().events.register('pre_run_cell', lambda info: sys.settrace(skip))"),
    # a thread that keeps patching a builtin the tests call while they run
    "thread": (
        "import builtins, threading, time\n"
        "def keep():\n"
        "    while True:\n"
        "        builtins.abs = lambda x: 0\n"
        "        time.sleep(0.001)\n"
        "threading.Thread(target=keep, daemon=True).start()"),
    # a function that reads the expected value from the test's own frame
    "stackpeek": (
        "import inspect\n"
        "def total(xs):\n"
        "    for info in inspect.stack():\n"
        "        code = info.code_context or ['']\n"
        "        if '== 250' in code[0]:\n"
        "            return 250\n"
        "        if '== 3' in code[0]:\n"
        "            return 3\n"
        "        if '== 0' in code[0]:\n"
        "            return 0\n"
        "    return len(xs)"),
    # an answer that is not data: a module
    "module": "import os as share",
    # the learner's copy of the library the tests call, replaced
    "patchlib": ("import numpy, math\nnumpy.isclose = lambda *a, **k: True\n"
                 "math.isclose = lambda *a, **k: True\n"
                 "numpy.testing.assert_allclose = lambda *a, **k: None"),
}


# tricks that are the answers themselves rather than code before the wrong answers
AS_ANSWERS = {"alwaystrue": {"q1": TRICKS["alwaystrue"], "q2": "pass", "q3": "pass"},
              "stackpeek": {"q1": TRICKS["stackpeek"]},
              "module": {"q2": TRICKS["module"]}}


def answered(release, answers):
    """The released notebook with ``answers`` (grade_id -> code) in its answer cells."""
    nb = nbformat.read(release, as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        cell.source = answers.get(grade_id, cell.source)
    return nb


def answers_of(student):
    if student == "right":
        return RIGHT
    if student in AS_ANSWERS:
        return {**WRONG, **AS_ANSWERS[student]}
    trick = TRICKS.get(student)
    return {**WRONG, "q1": trick + "\n" + WRONG["q1"]} if trick else WRONG


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    """The cohort graded by labgrade and, on a copy, by plain nbgrader."""
    check_sandbox()
    tmp = tmp_path_factory.mktemp("tricks")
    root = fixture_course(tmp / "course")
    assert main(["--course", str(root), "release", ASSIGNMENT]) == 0
    release = root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    folder = tmp / "in"
    for student in ["wrong", "right", *TRICKS]:
        path = folder / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(answered(release, answers_of(student)), path)
    assert main(["--course", str(root), "collect", ASSIGNMENT, "--from", str(folder)]) == 0
    plain = tmp / "plain"
    shutil.copytree(root, plain)
    assert main(["--course", str(root), "autograde", ASSIGNMENT, "--workers", "2",
                 "--timeout", "10", "--notebook-timeout", "60"]) == 0
    # plain nbgrader cannot grade some of them (it stops with an error): those have no score
    subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "autograde", ASSIGNMENT,
                    "--Execute.timeout=10", f"--CourseDirectory.root={plain}"],
                   cwd=plain, capture_output=True, text=True, timeout=900)
    db = sqlite3.connect(plain / "gradebook.db")
    plain_scores = dict(db.execute(
        "select sa.student_id, sum(g.auto_score) from grade g "
        "join submitted_notebook sn on g.notebook_id = sn.id "
        "join submitted_assignment sa on sn.assignment_id = sa.id group by sa.student_id"))
    return {"ledger": {e.student: e for e in Ledger(Course(root), ASSIGNMENT).current()},
            "plain": plain_scores, "root": root}


def test_the_honest_answers_score_as_in_nbgrader(cohort):
    assert cohort["ledger"]["right"].score == cohort["plain"]["right"] == 4
    assert cohort["ledger"]["wrong"].score == cohort["plain"]["wrong"] == 0


def test_the_tricks_are_real(cohort):
    """Most tricks win points when the tests share the learner's kernel."""
    paying = [s for s in TRICKS if (cohort["plain"].get(s) or 0) > 0]
    assert len(paying) >= 8, f"only {paying} pay under plain nbgrader"


@pytest.mark.parametrize("student", sorted(TRICKS))
def test_no_trick_pays(cohort, student):
    entry = cohort["ledger"][student]
    assert entry.state in ("graded", "failed")
    if entry.state == "failed":
        assert entry.reason, "a failed submission says why"
    else:
        assert entry.score <= cohort["ledger"]["wrong"].score, (entry.score, entry.notes)


def test_an_answer_that_is_not_data_says_why(cohort):
    graded = nbformat.read(cohort["root"] / "autograded" / "module" / ASSIGNMENT
                           / f"{ASSIGNMENT}.ipynb", as_version=4)
    cell = next(c for c in graded.cells
                if c.metadata.get("nbgrader", {}).get("grade_id") == "test_q2")
    error = next(o for o in cell.outputs if o.output_type == "error")
    assert error.ename == "AnswerNotPassed"
    assert "`share` could not be passed to the tests: it is a builtins.module object" in error.evalue


def test_hidden_tests_never_reach_the_learners_kernel(cohort):
    """The graded notebook's answer cells show what the learner's kernel saw: no test source."""
    graded = nbformat.read(cohort["root"] / "autograded" / "prerun" / ASSIGNMENT
                           / f"{ASSIGNMENT}.ipynb", as_version=4)
    text = str([c.outputs for c in graded.cells if c.cell_type == "code"
                and not c.metadata.get("nbgrader", {}).get("grade")])
    assert "no counts is 0" not in text
