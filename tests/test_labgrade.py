"""Tests of labgrade, the grading tool (grader/labgrade).

One course is prepared once for the module: the test assignment t1-ex1
(tests/fixtures/labgrade) is released, a cohort of normal, hostile and broken
submissions is collected from a zip and a folder, and graded in ONE labgrade
run. The tests then check what became of each submission, that the
gradebook, source and grader's files survived, and that the scores equal
those of plain sequential ``nbgrader autograde``.
"""
import csv
import datetime
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import matplotlib.axes
import nbformat
import pytest

from labgrade.checks import compare_with_release
from labgrade.cli import main
from labgrade.collect import student_id_from_filename
from labgrade.course import Course
from labgrade.ledger import Ledger
from labgrade.sandbox import SandboxError, check_sandbox
from nbgrader_harness import fixture_course

pytestmark = pytest.mark.slow  # not in the quick layer: pytest -m 'not slow'

ASSIGNMENT = "t1-ex1"
DUE = datetime.datetime(2026, 3, 2, 17, 0, tzinfo=datetime.timezone.utc)
ON_TIME = DUE - datetime.timedelta(hours=3)

CORRECT = {"q1": "def total(xs):\n    return sum(xs)",
           "q2": "share = ARRIVALS[0] / sum(ARRIVALS)",
           "q3": "largest = max(ARRIVALS)"}

# what each learner writes in the answer cells (q1, q2, q3) of the released notebook
ANSWERS = {
    "ana": {},
    "ben": {"q2": "share = 0.5"},  # wrong: loses the hidden test of q2
    "chen": {"q1": "def total(xs):\n    return len(xs)", "q3": "largest = 50"},
    "loop": {"q2": "while True:\n    pass"},
    "membomb": {"q1": "block = bytearray(4 * 1024 ** 3)\n" + CORRECT["q1"]},
    "sysexit": {"q3": "import sys\nsys.exit(1)"},
    "osexit": {"q2": "import os\nos._exit(0)"},
    "bigprint": {"q3": "import sys\nfor _ in range(100):\n"
                       "    sys.stdout.write('x' * 10**6 + '\\n')\n"
                       + CORRECT["q3"]},
    "slow": {q: "while True:\n    pass" for q in ("q1", "q2", "q3")},  # and 6 more loops
    "nointr": {"q1": "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                     "while True:\n    pass"},
}


def answer_notebook(release, answers):
    """The released notebook with every answer cell filled in."""
    nb = nbformat.read(release, as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in CORRECT:
            cell.source = answers.get(grade_id, CORRECT[grade_id])
    return nb


def cell_by_id(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def write(nb, path, when):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    os.utime(path, (when.timestamp(), when.timestamp()))


def hostile_writer(targets):
    """Answer code that tries to overwrite and delete files outside its folder."""
    lines = ["import os", "blocked = []"]
    for target in targets:
        lines += [f"for act in (lambda: open({str(target)!r}, 'w').write('pwned'),",
                  f"            lambda: os.remove({str(target)!r})):",
                  "    try:", "        act()", "    except OSError as error:",
                  "        blocked.append(type(error).__name__)"]
    # a path relative to the submission's folder lands in the sandbox's own private /tmp
    # (the scratch folders above it are not mounted), never in the course or the scratch copy
    lines += ["open('../../gradebook.db', 'w').write('pwned')",
              "print('blocked', len(blocked))", CORRECT["q1"]]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A released course, a cohort collected from a zip and a folder, graded once."""
    check_sandbox()
    tmp = tmp_path_factory.mktemp("labgrade")
    root = fixture_course(tmp / "course")
    grader_file = root / "grader-notes.txt"
    grader_file.write_text("the grader's notes\n")
    home_file = Path.home() / f".labgrade-test-keep-{os.getpid()}.txt"
    home_file.write_text("the grader's own file\n")
    course = Course(root)
    assert main(["--course", str(root), "release", ASSIGNMENT, "--due", DUE.isoformat()]) == 0
    release = root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    source = root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    protected = {p: p.read_bytes() for p in (source, grader_file, home_file)}

    flat = tmp / "flat"  # the LMS zip: flat files
    for student, answers in ANSWERS.items():
        nb = answer_notebook(release, answers)
        if student == "slow":  # 9 looping cells of 5 s each: past the 25 s notebook limit
            nb.cells += [nbformat.v4.new_code_cell("while True:\n    pass") for _ in range(6)]
        write(nb, flat / f"{student}_ex1.ipynb", ON_TIME)
    nb = answer_notebook(release, {"q1": hostile_writer(
        [root / "gradebook.db", source, grader_file, home_file])})
    write(nb, flat / "writer_ex1.ipynb", ON_TIME)
    nb = answer_notebook(release, {})
    cell_by_id(nb, "test_q2").source = "pass  # tests removed"
    write(nb, flat / "edittest_ex1.ipynb", ON_TIME)
    nb = answer_notebook(release, {"q1": CORRECT["q1"] + "\n    # forgot"})
    nb.cells.remove(cell_by_id(nb, "test_q1"))
    write(nb, flat / "deltest_ex1.ipynb", ON_TIME)
    nb = answer_notebook(release, {"q3": "largest = 1"})
    cell_by_id(nb, "data").source = "ARRIVALS = [1]"
    write(nb, flat / "editro_ex1.ipynb", ON_TIME)
    nb = answer_notebook(release, {})
    nb.metadata.kernelspec = {"name": "ir", "display_name": "R", "language": "R"}
    write(nb, flat / "kernel_ex1.ipynb", ON_TIME)
    (flat / "badjson_ex1.ipynb").write_text('{"cells": [ this is not json')
    (flat / "empty_ex1.ipynb").write_bytes(b"")
    other = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "assert flows == 3", metadata={"nbgrader": {"grade_id": "test_flows", "grade": True,
                                                    "locked": True, "points": 1,
                                                    "solution": False, "schema_version": 3}})])
    write(other, flat / "wrongex_ex1.ipynb", ON_TIME)
    write(answer_notebook(release, {}), flat / "late_ex1.ipynb", DUE + datetime.timedelta(hours=2))
    write(answer_notebook(release, {"q2": "share = 2"}), flat / "twice_ex1.ipynb", ON_TIME)
    write(answer_notebook(release, {}), flat / "twice_ex1_v2.ipynb",
          ON_TIME + datetime.timedelta(minutes=30))
    write(answer_notebook(release, {}), flat / "Jane Doe_1234_file_ex1.ipynb", ON_TIME)
    (flat / "readme.txt").write_text("not a notebook\n")
    zip_path = tmp / "submissions.zip"
    with zipfile.ZipFile(zip_path, "w") as archive:
        for path in sorted(flat.iterdir()):
            archive.write(path, f"download/{path.name}")
    mapping = tmp / "mapping.csv"
    mapping.write_text("file,student_id\nJane Doe_1234_file_ex1.ipynb,jdoe\n")

    folder = tmp / "folder"  # nbgrader's layout, with a renamed notebook
    write(answer_notebook(release, {}), folder / "dora" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
          ON_TIME)
    write(answer_notebook(release, {"q3": "largest = 80"}),
          folder / "renamed" / ASSIGNMENT / "my copy.ipynb", ON_TIME)

    assert main(["--course", str(root), "collect", ASSIGNMENT, "--from", str(zip_path),
                 "--mapping", str(mapping)]) == 0
    assert main(["--course", str(root), "collect", ASSIGNMENT, "--from", str(folder)]) == 0
    submitted = tmp / "submitted-before-grading"
    shutil.copytree(root / "submitted", submitted)
    gradebook_before = tmp / "gradebook-before-grading.db"
    shutil.copy(root / "gradebook.db", gradebook_before)
    assert main(["--course", str(root), "autograde", ASSIGNMENT, "--workers", "2",
                 "--timeout", "5", "--notebook-timeout", "25", "--memory", "2048"]) == 0
    yield {"course": course, "root": root, "tmp": tmp, "protected": protected,
           "home_file": home_file, "zip_files": len(list(flat.iterdir())),
           "folder_items": 2, "submitted": submitted, "gradebook_before": gradebook_before,
           "ledger": {e.student: e for e in Ledger(course, ASSIGNMENT).current()}}
    home_file.unlink(missing_ok=True)


def test_student_ids_are_derived_predictably():
    assert student_id_from_filename("learner07_ex1.ipynb") == "learner07"
    assert student_id_from_filename("Jane Doe_1234_assignsubmission_file.ipynb") == "jane-doe"
    assert student_id_from_filename("M1-EX1.ipynb") == "m1-ex1"


def test_every_file_in_is_accounted_for(world):
    entries = Ledger(world["course"], ASSIGNMENT).entries
    assert len(entries) == world["zip_files"] + world["folder_items"]
    states = {e.origin.split("/")[-1]: e.state for e in entries}
    assert states["readme.txt"] == "ignored"
    assert states["twice_ex1.ipynb"] == "superseded"
    kept = next(e for e in entries if e.origin.endswith("twice_ex1.ipynb")).kept_at
    assert Path(kept).exists(), "the older submission must be kept"
    assert {e.state for e in entries} <= {"graded", "failed", "superseded", "ignored"}


def test_mapping_file_and_both_layouts(world):
    ledger = world["ledger"]
    assert "jdoe" in ledger and "jane-doe" not in ledger
    assert ledger["dora"].state == "graded" and ledger["dora"].score == 4
    assert any("renamed" in n for n in ledger["renamed"].collect_notes)
    assert ledger["renamed"].state == "graded" and ledger["renamed"].score == 3


def test_normal_submissions_are_graded(world):
    ledger = world["ledger"]
    assert (ledger["ana"].score, ledger["ana"].max_score) == (4, 6)  # 2 points are manual
    assert ledger["ben"].score == 3
    assert ledger["chen"].score == 1
    assert ledger["twice"].score == 4, "the newest submission counts"


@pytest.mark.parametrize("student, score, note", [
    ("loop", 3, "time limit"),
    ("membomb", 2, "out of memory"),
    ("sysexit", 3, ""),
    ("bigprint", 4, ""),
    ("writer", 4, ""),
    ("kernel", 4, "kernel 'ir' replaced"),
    ("edittest", 4, "test cell 'test_q2' was edited"),
    ("deltest", 2, "test cell 'test_q1' was deleted"),
    ("editro", 3, "read-only cell 'data' was edited"),
])
def test_hostile_submissions_are_graded(world, student, score, note):
    entry = world["ledger"][student]
    assert entry.state == "graded", entry.reason
    assert entry.score == score, entry.notes
    assert (note in " ".join(entry.notes)) if note else entry.notes == [], entry.notes


@pytest.mark.parametrize("student, reason", [
    ("osexit", "stopped the Python kernel"),
    ("slow", "stopped after 25 s"),
    ("nointr", "could not be interrupted|stopped after 25 s"),
    ("badjson", "not valid JSON"),
    ("empty", "empty submission"),
    ("wrongex", "not a notebook of t1-ex1"),
])
def test_broken_submissions_fail_with_a_reason(world, student, reason):
    entry = world["ledger"][student]
    assert entry.state == "failed"
    assert re.search(reason, entry.reason), entry.reason


def test_late_submission_is_flagged(world):
    entry = world["ledger"]["late"]
    assert entry.state == "graded" and entry.seconds_late == pytest.approx(7200, abs=1)
    assert any("late by 2 h" in n for n in entry.notes)
    assert world["ledger"]["ana"].seconds_late == 0


def test_gradebook_source_and_grader_files_survive(world):
    for path, content in world["protected"].items():
        assert path.read_bytes() == content, f"{path} was changed"
    db = sqlite3.connect(world["root"] / "gradebook.db")
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert db.execute("select count(*) from submitted_assignment").fetchone()[0] >= 15
    graded = nbformat.read(world["root"] / "autograded" / "writer" / ASSIGNMENT
                           / f"{ASSIGNMENT}.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for o in cell_by_id(graded, "q1").outputs)
    assert "blocked 8" in printed, "all 8 writes and deletes of the grader's files must be refused"
    assert not (world["root"].parent / "gradebook.db").exists()


def test_scores_equal_plain_sequential_nbgrader(world):
    """Plain `nbgrader autograde` on a copy of the course gives the same scores."""
    compared = ["ana", "ben", "chen", "loop", "sysexit", "kernel", "edittest", "deltest",
                "editro", "late", "renamed"]
    plain = world["tmp"] / "plain"
    shutil.copytree(world["root"] / "source", plain / "source")
    shutil.copytree(world["root"] / "release", plain / "release")
    shutil.copy(world["root"] / "nbgrader_config.py", plain)
    shutil.copy(world["gradebook_before"], plain / "gradebook.db")
    for student in compared:
        shutil.copytree(world["submitted"] / student, plain / "submitted" / student)
    run = subprocess.run(
        [str(Path(sys.executable).parent / "nbgrader"), "autograde", ASSIGNMENT,
         "--Execute.timeout=5", f"--CourseDirectory.root={plain}"],
        cwd=plain, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]

    def scores(db_path):
        db = sqlite3.connect(db_path)
        rows = db.execute(
            "select st.id, bc.name, g.auto_score, g.needs_manual_grade, sn.late_submission_penalty "
            "from grade g join submitted_notebook sn on g.notebook_id = sn.id "
            "join submitted_assignment sa on sn.assignment_id = sa.id "
            "join student st on sa.student_id = st.id "
            "join base_cell bc on g.cell_id = bc.id").fetchall()
        return sorted(r for r in rows if r[0] in compared)

    ours, theirs = scores(world["root"] / "gradebook.db"), scores(plain / "gradebook.db")
    assert len(ours) == len(compared) * 4
    assert ours == theirs


def test_feedback_has_no_hidden_tests(world):
    assert main(["--course", str(world["root"]), "feedback", ASSIGNMENT]) == 0
    graded = [s for s, e in world["ledger"].items() if e.state == "graded"]
    for student in graded:
        html = world["root"] / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html"
        assert html.exists(), student
    text = (world["root"] / "feedback" / "ana" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "total([1, 2]) should be 3" in text, "the visible test is shown"
    assert "HIDDEN" not in text and "no counts is 0" not in text
    # ben failed the hidden test of q2: he sees its message, not the assert that holds the answer
    text = (world["root"] / "feedback" / "ben" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "the share should be 120 / 250" in text
    assert "0.48" not in text


def test_export_grades_and_summary(world, capsys, monkeypatch):
    to = world["tmp"] / "grades.csv"
    drawn, hist = [], matplotlib.axes.Axes.hist
    monkeypatch.setattr(matplotlib.axes.Axes, "hist", lambda *a, **k: drawn.append(hist(*a, **k)))
    assert main(["--course", str(world["root"]), "export", ASSIGNMENT, "--to", str(to)]) == 0
    rows = {r["student_id"]: r for r in csv.DictReader(to.open())}
    assert set(rows) == set(world["ledger"])
    assert rows["ben"]["test_q2"] == "0.0" and rows["ben"]["test_q1"] == "2.0"
    assert rows["osexit"]["state"] == "failed" and rows["osexit"]["score"] == ""
    reports = world["root"] / "reports" / ASSIGNMENT
    assert (reports / "score-histogram.png").stat().st_size > 1000
    scores = [e.score for e in world["ledger"].values() if e.state == "graded"]
    assert drawn[0][0].tolist() == [scores.count(s) for s in range(7)]  # learners per score 0..6
    questions = {r["question"]: r for r in csv.DictReader((reports / "questions.csv").open())}
    assert questions["test_q2"]["hidden_tests"] == "True"
    assert "the share should be 120 / 250" in questions["test_q2"]["most_common_failure"]
    summary = (reports / "summary.md").read_text()
    assert "## Not graded" in summary and "osexit" in summary


def test_status_lists_every_file(world, capsys):
    assert main(["--course", str(world["root"]), "status", ASSIGNMENT]) == 0
    out = capsys.readouterr().out
    total = world["zip_files"] + world["folder_items"]
    assert f"{total} files in, {total} accounted for" in out
    assert "stopped the Python kernel" in out


def test_tampering_is_detected_against_the_release(world):
    release = nbformat.read(world["root"] / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    problem, notes = compare_with_release(release, release, ASSIGNMENT)
    assert (problem, notes) == ("", []), "an untouched notebook is not flagged"
    submitted = world["root"] / "submitted" / "deltest" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    tampered = nbformat.read(submitted, 4)  # test_q1 deleted, as the learner sent it
    cell_by_id(tampered, "test_q2").source = "pass"
    assert compare_with_release(tampered, release, ASSIGNMENT) == ("", [
        "tampered: test cell 'test_q1' was deleted; it scores 0",
        "tampered: test cell 'test_q2' was edited; the original was run"])


def test_bad_input_gets_a_clear_error(world, capsys, tmp_path):
    root = str(world["root"])
    assert main(["--course", root, "collect", ASSIGNMENT, "--from", str(tmp_path / "nope")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["--course", root, "collect", "m9-ex9", "--from", str(tmp_path)]) == 2
    assert "labgrade release m9-ex9" in capsys.readouterr().err
    bad = tmp_path / "bad.zip"
    bad.write_text("not a zip")
    assert main(["--course", root, "collect", ASSIGNMENT, "--from", str(bad)]) == 2
    assert "not a readable zip" in capsys.readouterr().err


def test_sandbox_check_names_the_fix(monkeypatch):
    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(SandboxError, match="apt-get install -y bubblewrap"):
        check_sandbox()


def test_collect_from_the_exchange(world, tmp_path):
    """nbgrader's exchange: the newest submission counts, the older one stays listed."""
    root = tmp_path / "course"  # a copy of the released course, exchange included
    shutil.copytree(world["root"], root)
    inbound = root / "exchange" / "migstats-lab" / "inbound"
    release = root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    for minute, answers in ((0, {"q2": "share = 2"}), (5, {})):
        stamp = f"2026-03-02 12:0{minute}:00.000000 UTC"
        folder = inbound / f"eve+{ASSIGNMENT}+{stamp}+abc{minute}"
        write(answer_notebook(release, answers), folder / f"{ASSIGNMENT}.ipynb", ON_TIME)
        (folder / "timestamp.txt").write_text(stamp)
    assert main(["--course", str(root), "collect", ASSIGNMENT]) == 0
    entries = [e for e in Ledger(Course(root), ASSIGNMENT).entries if e.student == "eve"]
    assert sorted(e.state for e in entries) == ["collected", "superseded"]
    submitted = nbformat.read(root / "submitted" / "eve" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    assert cell_by_id(submitted, "q2").source == CORRECT["q2"]
    assert json.loads((root / "reports" / ASSIGNMENT / "status.json").read_text())
