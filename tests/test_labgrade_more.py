"""More of labgrade's flow with nbgrader: long output, a second autograde run, feedback released
to the exchange, and an assignment with two notebooks (issue 21).

One small course, prepared once for the module: t1-ex1 (the test exercise of
tests/fixtures/labgrade) and t2-ex1, the same exercise as two notebooks. Learners submit
through nbgrader's exchange, as ``nbgrader submit`` leaves it (with a submission secret), and
one learner of t1-ex1, cara, comes from an LMS zip (no secret).
"""
import shutil
import sqlite3
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbgrader.utils import notebook_hash

import labgrade.sandbox
from labgrade.cli import main
from labgrade.course import Course
from labgrade.ledger import Ledger
from labgrade.sandbox import check_sandbox
from labgrade.testrunner import TestsProcess

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "tests" / "fixtures" / "labgrade" / "source" / "t1-ex1" / "t1-ex1.ipynb"
DUE = "2026-03-02 17:00:00 UTC"
STAMP = "2026-03-02 12:00:00.000000 UTC"
MARKER = "... output cut by labgrade ..."
CORRECT = {"q1": "def total(xs):\n    return sum(xs)",
           "q2": "share = ARRIVALS[0] / sum(ARRIVALS)",
           "q3": "largest = max(ARRIVALS)"}


def cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def answered(release, answers):
    nb = nbformat.read(release, as_version=4)
    for grade_id, source in {**CORRECT, **answers}.items():
        cell(nb, grade_id).source = source
    return nb


def submit(root, student, assignment, notebooks):
    """A submission in the exchange's inbound folder, as `nbgrader submit` leaves it."""
    folder = root / "exchange" / "migstats-lab" / "inbound" / f"{student}+{assignment}+{STAMP}+x1"
    folder.mkdir(parents=True)
    for name, nb in notebooks.items():
        nbformat.write(nb, folder / f"{name}.ipynb")
    (folder / "timestamp.txt").write_text(STAMP)
    (folder / "submission_secret.txt").write_text(f"secret-of-{student}")


def run(root, *argv):
    return main(["--course", str(root), *argv])


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    check_sandbox()
    root = tmp_path_factory.mktemp("labgrade-more") / "course"
    shutil.copytree(SOURCE.parent, root / "source" / "t1-ex1")
    for name in ("t2-ex1", "extra"):
        (root / "source" / "t2-ex1").mkdir(parents=True, exist_ok=True)
        shutil.copy(SOURCE, root / "source" / "t2-ex1" / f"{name}.ipynb")
    shutil.copy(REPO / "grader" / "nbgrader_config.py", root)
    for assignment in ("t1-ex1", "t2-ex1"):
        assert run(root, "release", assignment, "--due", DUE) == 0
    one = root / "release" / "t1-ex1" / "t1-ex1.ipynb"
    bigprint = "import sys\nfor _ in range(30):\n    sys.stdout.write('x' * 2000 + '\\n')\n"
    submit(root, "ana", "t1-ex1", {"t1-ex1": answered(one, {})})
    submit(root, "ben", "t1-ex1", {"t1-ex1": answered(one, {"q2": "share = 0.5"})})
    submit(root, "bigprint", "t1-ex1",
           {"t1-ex1": answered(one, {"q3": bigprint + CORRECT["q3"]})})
    two = root / "release" / "t2-ex1"
    submit(root, "dora", "t2-ex1", {"t2-ex1": answered(two / "t2-ex1.ipynb", {}),
                                    "extra": answered(two / "extra.ipynb", {"q3": "largest = 1"})})
    submit(root, "eli", "t2-ex1", {"t2-ex1": answered(two / "t2-ex1.ipynb", {})})
    lms = root.parent / "lms.zip"
    with zipfile.ZipFile(lms, "w") as archive:
        archive.writestr("cara_t1-ex1.ipynb", nbformat.writes(answered(one, {})))
    assert run(root, "collect", "t1-ex1", "--from", str(lms)) == 0
    for assignment in ("t1-ex1", "t2-ex1"):
        assert run(root, "collect", assignment) == 0
        assert run(root, "autograde", assignment, "--workers", "2", "--timeout", "20",
                   "--notebook-timeout", "60") == 0
    return Course(root)


def ledger(course, assignment):
    return {e.student: e for e in Ledger(course, assignment).current()}


def test_long_printed_output_is_cut_in_the_graded_notebook(course):
    assert ledger(course, "t1-ex1")["bigprint"].score == 4, "cutting output changes no score"
    graded = nbformat.read(course.autograded_dir("bigprint", "t1-ex1") / "t1-ex1.ipynb", 4)
    printed = "".join(o.get("text", "") for o in cell(graded, "q3").outputs)
    assert MARKER in printed
    assert len(printed) <= 20_000 + len(MARKER) + 2, "at most 20 000 characters per cell"
    assert len(printed) > 19_000, "up to the limit, the output is kept"


def manual_score(course, student):
    db = sqlite3.connect(course.root / "gradebook.db")
    return db.execute(
        "select g.manual_score from grade g join base_cell bc on g.cell_id = bc.id "
        "join submitted_notebook sn on g.notebook_id = sn.id "
        "join submitted_assignment sa on sn.assignment_id = sa.id "
        "join assignment a on sa.assignment_id = a.id "
        "where bc.name = 'q4' and a.name = 't1-ex1' and sa.student_id = ?", (student,)).fetchall()


def test_a_second_autograde_run_keeps_manual_grades(course):
    before = ledger(course, "t1-ex1")
    assert (before["ana"].score, before["ana"].max_score) == (4, 6)
    with course.gradebook() as gb:  # the grader marks the written answer q4: 1.5 of 2
        gb.find_grade("q4", "t1-ex1", "t1-ex1", "ana").manual_score = 1.5
        gb.db.commit()
    assert run(course.root, "autograde", "t1-ex1", "--workers", "2", "--timeout", "20",
               "--notebook-timeout", "60") == 0
    after = ledger(course, "t1-ex1")
    assert manual_score(course, "ana") == [(1.5,)], "one grade row, with the manual score"
    assert after["ana"].score == 5.5
    assert after["ben"].score == before["ben"].score == 3
    with course.gradebook() as gb:
        assert gb.find_submission("t1-ex1", "ana").score == 5.5


def test_feedback_release_puts_each_file_where_the_learner_fetches_it(course, capsys):
    assert run(course.root, "feedback", "t1-ex1", "--release") == 0
    outbound = course.root / "exchange" / "migstats-lab" / "feedback"
    for student in ("ana", "ben", "bigprint"):
        html = course.feedback_dir(student, "t1-ex1") / "t1-ex1.html"
        # nbgrader fetch_feedback looks for the hash of the learner's secret and the notebook
        released = outbound / f"{notebook_hash(secret=f'secret-of-{student}', notebook_id='t1-ex1')}.html"
        assert released.read_bytes() == html.read_bytes(), student
    assert len(list(outbound.glob("*.html"))) == 3, "cara's feedback stays in feedback/"
    own = outbound.parent / "feedback-of"  # what the hub shows each learner (learner_sandbox.py)
    for student in ("ana", "ben", "bigprint"):
        name = f"{notebook_hash(secret=f'secret-of-{student}', notebook_id='t1-ex1')}.html"
        assert [p.name for p in (own / student).iterdir()] == [name], student
    assert not (own / "cara").exists()
    assert (course.feedback_dir("cara", "t1-ex1") / "t1-ex1.html").exists()
    printed = capsys.readouterr().out
    assert "feedback for 4 learners" in printed
    assert "send these learners their files from feedback/<student>/t1-ex1/ yourself: cara" in printed


def test_an_assignment_with_two_notebooks(course, tmp_path):
    graded = ledger(course, "t2-ex1")
    # dora: all 4 test points of t2-ex1 and 3 of extra (q3 wrong); the 2 + 2 manual points wait
    assert (graded["dora"].state, graded["dora"].score, graded["dora"].max_score) == (
        "graded", 7, 12)
    assert graded["eli"].state == "failed"
    assert graded["eli"].reason == "no notebook extra.ipynb in the submission"
    to = tmp_path / "grades.csv"
    assert run(course.root, "export", "t2-ex1", "--to", str(to)) == 0
    header, dora = [line.split(",") for line in to.read_text().splitlines()[:2]]
    row = dict(zip(header, dora))
    assert row["t2-ex1:test_q3"] == "1.0" and row["extra:test_q3"] == "0.0"
    assert row["extra:test_q1"] == "2.0" and row["extra:q4"] == "0.0"
    assert run(course.root, "feedback", "t2-ex1") == 0
    assert sorted(p.name for p in course.feedback_dir("dora", "t2-ex1").glob("*.html")) == [
        "extra.html", "t2-ex1.html"]


def test_a_tests_process_that_cannot_start_says_why(tmp_path, monkeypatch):
    failing = [sys.executable, "-c", "import sys; sys.exit('No module named migstats')"]
    monkeypatch.setattr(labgrade.sandbox, "sandbox_command", lambda *a, **k: failing)
    with pytest.raises(RuntimeError, match="did not start: No module named migstats"):
        with TestsProcess(tmp_path / "tests"):
            pass
