"""Quick tests of labgrade's pure logic: collect, ledger, checks, export, output cutting.

No nbgrader run, no sandbox: the course is a folder with the course's nbgrader_config.py, and
the two things that need the gradebook (the notebook names of an assignment, and registering
the learners) are replaced by a small stand-in. The full flow, with nbgrader, is tested in
test_labgrade.py and test_labgrade_more.py. The unsafe zip entries come first: a learner's zip
must never write outside the course.
"""
import csv
import datetime
import json
import locale
import os
import re
import shutil
import stat
import types
import zipfile
from pathlib import Path

import matplotlib.axes
import matplotlib.colors
import nbformat
import pytest

from labgrade import arrivals
from labgrade.checks import check_submission, compare_with_release, read_problem
from labgrade.collect import (collect_from_exchange, collect_from_path, format_timestamp,
                              read_mapping, student_id_from_filename)
from labgrade.course import Course, CourseError
from labgrade.export import (export, failure_messages, histogram, question_summary,
                             summary_markdown, write_csv)
from labgrade.export import questions as graded_cells
from labgrade.feedback import without_secret
from labgrade.ledger import Entry, Ledger
from labgrade.outputs import LimitOutputSize

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "tests" / "fixtures" / "labgrade" / "source" / "t1-ex1" / "t1-ex1.ipynb"
NOTEBOOKS = {"t1-ex1": ["t1-ex1"], "t2-ex1": ["t2-ex1", "extra"]}


class Gradebook:
    """Stands for nbgrader's Gradebook where collect registers the learners."""

    def __init__(self, students):
        self.students = students

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update_or_create_student(self, student):
        self.students.append(student)


@pytest.fixture
def course(tmp_path):
    """A course folder whose assignments t1-ex1 (one notebook) and t2-ex1 (two) are released."""
    root = tmp_path / "course"
    root.mkdir()
    shutil.copy(REPO / "grader" / "nbgrader_config.py", root)
    course = Course(root)
    course.registered = []
    course.notebook_names = lambda assignment: list(NOTEBOOKS[assignment])
    course.gradebook = lambda: Gradebook(course.registered)
    for assignment, names in NOTEBOOKS.items():
        for name in names:
            course.release_dir(assignment).mkdir(parents=True, exist_ok=True)
            shutil.copy(SOURCE, course.release_dir(assignment) / f"{name}.ipynb")
    return course


def notebook_bytes():
    return SOURCE.read_bytes()


def files_under(folder):
    return sorted(p.relative_to(folder).as_posix() for p in Path(folder).rglob("*"))


# --- unsafe zip entries ---------------------------------------------------------------------------

def symlink_entry(name, target):
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target


def test_unsafe_zip_entries_never_write_outside_the_course(course, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    zip_path = tmp_path / "submissions.zip"
    with zipfile.ZipFile(zip_path, "w") as archive:
        archive.writestr("download/ana_ex1.ipynb", notebook_bytes())
        archive.writestr(zipfile.ZipInfo(str(outside / "abs_ex1.ipynb")), notebook_bytes())
        archive.writestr("../dotdot_ex1.ipynb", notebook_bytes())
        archive.writestr("download/../../outside/deep_ex1.ipynb", notebook_bytes())
        archive.writestr(*symlink_entry("download/link_ex1.ipynb", str(outside / "x.ipynb")))
        archive.writestr(*symlink_entry("download/linkdir", str(outside)))
        archive.writestr("download/linkdir/through_ex1.ipynb", notebook_bytes())
    before = files_under(tmp_path)
    collect_from_path(course, "t1-ex1", zip_path)
    assert files_under(outside) == []
    new = [p for p in files_under(tmp_path) if p not in before]
    assert all(p.startswith("course/") for p in new), new
    entries = {e.origin: e for e in Ledger(course, "t1-ex1").entries}
    unsafe = [str(outside / "abs_ex1.ipynb"), "../dotdot_ex1.ipynb",
              "download/../../outside/deep_ex1.ipynb", "download/link_ex1.ipynb",
              "download/linkdir"]
    for name in unsafe:
        assert entries[name].state == "ignored", name
        assert "unsafe" in entries[name].reason, name
    assert entries["submissions.zip/download/ana_ex1.ipynb"].state == "collected"
    # the file under the symbolic link's name lands in a real folder inside the scratch copy
    assert entries["submissions.zip/download/linkdir/through_ex1.ipynb"].state == "collected"
    assert len(entries) == 7, "every entry of the zip is accounted for"
    assert (course.submitted_dir("ana", "t1-ex1") / "t1-ex1.ipynb").read_bytes() == notebook_bytes()


def test_a_zip_entry_that_cannot_be_extracted_is_listed(course, tmp_path):
    zip_path = tmp_path / "in.zip"
    with zipfile.ZipFile(zip_path, "w") as archive:
        archive.writestr("ana_ex1.ipynb", notebook_bytes())
        archive.writestr("ana_ex1.ipynb/ben_ex1.ipynb", notebook_bytes())  # under a file
    ledger = collect_from_path(course, "t1-ex1", zip_path)
    states = {e.origin: (e.state, e.reason) for e in ledger.entries}
    assert states == {"in.zip/ana_ex1.ipynb": ("collected", ""),
                      "ana_ex1.ipynb/ben_ex1.ipynb": ("ignored",
                                                      "cannot be extracted: File exists")}


def test_folders_in_a_zip_are_not_files(course, tmp_path):
    zip_path = tmp_path / "in.zip"
    with zipfile.ZipFile(zip_path, "w") as archive:
        archive.writestr("download/", b"")
        archive.writestr("download/ben_ex1.ipynb", notebook_bytes())
        archive.writestr("all/cara/t1-ex1/t1-ex1.ipynb", notebook_bytes())  # nbgrader's layout
    ledger = collect_from_path(course, "t1-ex1", zip_path)
    assert sorted((e.origin, e.state) for e in ledger.entries) == [
        ("in.zip/all/cara/t1-ex1", "collected"), ("in.zip/download/ben_ex1.ipynb", "collected")]
    assert sorted(course.registered) == ["ben", "cara"]


def test_a_zip_entry_keeps_its_date_as_the_submission_time(course, tmp_path):
    zip_path = tmp_path / "in.zip"
    with zipfile.ZipFile(zip_path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("cara_ex1.ipynb", (2026, 3, 2, 14, 30, 0)), notebook_bytes())
    collect_from_path(course, "t1-ex1", zip_path)
    # zip dates are local times without a zone
    local = datetime.datetime(2026, 3, 2, 14, 30).astimezone(datetime.timezone.utc)
    stamp = (course.submitted_dir("cara", "t1-ex1") / "timestamp.txt").read_text()
    assert stamp == local.strftime("%Y-%m-%d %H:%M:%S.000000 UTC")
    assert Ledger(course, "t1-ex1").entries[0].timestamp == stamp


def test_not_a_zip_is_a_clear_error(course, tmp_path):
    bad = tmp_path / "bad.zip"
    bad.write_text("not a zip")
    with pytest.raises(CourseError, match="bad.zip is not a readable zip file"):
        collect_from_path(course, "t1-ex1", bad)
    missing = tmp_path / "nope"
    with pytest.raises(CourseError, match="nope does not exist: give a folder or a .zip file"):
        collect_from_path(course, "t1-ex1", missing)


# --- mapping files ---------------------------------------------------------------------------------

def test_a_mapping_file_with_wrong_columns_is_refused_before_anything_is_collected(
        course, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "Jane Doe_1_ex1.ipynb").write_bytes(notebook_bytes())
    mapping = tmp_path / "mapping.csv"
    mapping.write_text("filename,student\nJane Doe_1_ex1.ipynb,jdoe\n")
    message = f"mapping file {mapping}: the columns must be 'file' and 'student_id'."
    with pytest.raises(CourseError, match=re.escape(message)):
        collect_from_path(course, "t1-ex1", folder, mapping)
    assert not (course.root / "submitted").exists() and Ledger(course, "t1-ex1").entries == []
    assert course.registered == []
    mapping.write_text("file,id\nJane Doe_1_ex1.ipynb,jdoe\n")  # one right column is not enough
    with pytest.raises(CourseError, match="the columns must be"):
        collect_from_path(course, "t1-ex1", folder, mapping)


def test_a_mapping_file_saved_by_a_spreadsheet_works(course, tmp_path):
    # Spreadsheets save "CSV UTF-8" with a byte order mark, and may pad the cells.
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "Jane Doe_1_ex1.ipynb").write_bytes(notebook_bytes())
    mapping = tmp_path / "mapping.csv"
    mapping.write_bytes("\ufefffile,student_id\r\nJane Doe_1_ex1.ipynb , jdoe \r\n".encode())
    assert read_mapping(mapping) == {"Jane Doe_1_ex1.ipynb": "jdoe"}
    ledger = collect_from_path(course, "t1-ex1", folder, mapping)
    assert [e.student for e in ledger.current()] == ["jdoe"]
    assert read_mapping(None) == {}
    header_only = tmp_path / "empty.csv"
    header_only.write_text("file,student_id\n")
    assert read_mapping(header_only) == {}


def test_a_mapping_file_names_folders_and_paths(course, tmp_path):
    folder = tmp_path / "in"
    (folder / "u123" / "t1-ex1").mkdir(parents=True)
    (folder / "u123" / "t1-ex1" / "t1-ex1.ipynb").write_bytes(notebook_bytes())
    (folder / "group b").mkdir()
    (folder / "group b" / "x_ex1.ipynb").write_bytes(notebook_bytes())
    mapping = tmp_path / "mapping.csv"
    mapping.write_text("file,student_id\nu123,dora\ngroup b/x_ex1.ipynb,eli\n")
    ledger = collect_from_path(course, "t1-ex1", folder, mapping)
    assert sorted(e.student for e in ledger.current()) == ["dora", "eli"]
    assert course.registered == ["dora", "eli"]


# --- what is collected and what is ignored -----------------------------------------------------

def test_every_file_is_accounted_for(course, tmp_path):
    folder = tmp_path / "in"
    for rel in ["ana_ex1.ipynb", "__MACOSX/ana_ex1.ipynb", ".hidden_ex1.ipynb",
                "b/.ipynb_checkpoints/ben_ex1.ipynb", "README.txt", "_ex1.ipynb",
                "cara/t1-ex1/notes.txt", "dora/t1-ex1/t1-ex1.ipynb", "eve_ex1.ipynb"]:
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(b"" if rel == "eve_ex1.ipynb" else notebook_bytes())
    ledger = collect_from_path(course, "t1-ex1", folder)
    got = {e.origin: (e.state, e.reason) for e in ledger.entries}
    assert got == {
        "ana_ex1.ipynb": ("collected", ""),
        "dora/t1-ex1": ("collected", ""),
        "eve_ex1.ipynb": ("collected", ""),
        "__MACOSX/ana_ex1.ipynb": ("ignored", "system or hidden file"),
        ".hidden_ex1.ipynb": ("ignored", "system or hidden file"),
        "b/.ipynb_checkpoints/ben_ex1.ipynb": ("ignored", "system or hidden file"),
        "README.txt": ("ignored", "not a notebook (.ipynb)"),  # sorted first: the rest follow
        "_ex1.ipynb": ("ignored", "no student id in the file name: add it to a mapping file"),
        "cara/t1-ex1": ("ignored", "folder without a notebook"),
    }
    assert ledger.counts() == {"collected": 3, "ignored": 6}
    saved = json.loads((course.reports_dir("t1-ex1") / "status.json").read_text())
    assert len(saved["entries"]) == 9
    # an unreadable notebook is collected (it is the learner's submission), with a note
    assert ledger.current_for("eve").collect_notes == [
        "t1-ex1.ipynb: empty submission: the file has 0 bytes"]


def test_the_newest_submission_counts_and_older_ones_are_kept(course, tmp_path):
    def submit(folder, answer, when):
        nb = nbformat.read(SOURCE, as_version=4)
        nb.cells[1].source = answer  # the read-only data cell: a visible difference
        path = folder / "ana_ex1.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)
        stamp = when.timestamp()
        os.utime(path, (stamp, stamp))

    noon = datetime.datetime(2026, 3, 2, 12, tzinfo=datetime.timezone.utc)
    submit(tmp_path / "second", "NEWER = 1", noon + datetime.timedelta(hours=1))
    collect_from_path(course, "t1-ex1", tmp_path / "second")
    # a later collect brings an older file: it is kept aside, the newer one stays
    submit(tmp_path / "first", "OLDER = 1", noon)
    ledger = collect_from_path(course, "t1-ex1", tmp_path / "first")
    states = {e.timestamp: e.state for e in ledger.entries}
    assert states == {format_timestamp(noon + datetime.timedelta(hours=1)): "collected",
                      format_timestamp(noon): "superseded"}
    older = next(e for e in ledger.entries if e.state == "superseded")
    assert "NEWER = 1" in (course.submitted_dir("ana", "t1-ex1") / "t1-ex1.ipynb").read_text()
    assert "OLDER = 1" in Path(older.kept_at).read_text()
    assert older.reason == "older than the submission from ana_ex1.ipynb"
    # and a newer file, collected later still, replaces the current one, which is kept
    submit(tmp_path / "third", "NEWEST = 1", noon + datetime.timedelta(hours=2))
    ledger = collect_from_path(course, "t1-ex1", tmp_path / "third")
    assert [e.state for e in ledger.entries] == ["superseded", "superseded", "collected"]
    replaced = ledger.entries[0]
    assert "NEWER = 1" in (Path(replaced.kept_at) / "t1-ex1.ipynb").read_text()
    assert "NEWEST = 1" in (course.submitted_dir("ana", "t1-ex1") / "t1-ex1.ipynb").read_text()


def test_a_renamed_notebook_in_the_nbgrader_layout_is_renamed_back(course, tmp_path):
    folder = tmp_path / "in" / "dora" / "t1-ex1"
    folder.mkdir(parents=True)
    (folder / "my copy.ipynb").write_bytes(notebook_bytes())
    (folder / "timestamp.txt").write_text("2026-03-02 12:00:00.000000 UTC")
    ledger = collect_from_path(course, "t1-ex1", tmp_path / "in")
    entry = ledger.current()[0]
    assert entry.collect_notes == ["notebook renamed from my copy.ipynb to t1-ex1.ipynb"]
    assert entry.timestamp == "2026-03-02 12:00:00.000000 UTC"
    assert sorted(p.name for p in course.submitted_dir("dora", "t1-ex1").iterdir()) == [
        "t1-ex1.ipynb", "timestamp.txt"]


# --- assignments with several notebooks ----------------------------------------------------------

def test_several_notebooks_need_the_nbgrader_layout(course, tmp_path):
    flat = tmp_path / "flat"
    flat.mkdir()
    (flat / "ana_ex1.ipynb").write_bytes(notebook_bytes())
    with pytest.raises(CourseError, match="flat notebook files only work for assignments with one "
                                          "notebook; t2-ex1 has 2. Use the <student>/t2-ex1/ layout"):
        collect_from_path(course, "t2-ex1", flat)
    layout = tmp_path / "layout"
    for student, names in {"dora": ["t2-ex1", "extra"], "eli": ["t2-ex1"],
                           "fay": ["renamed"]}.items():
        (layout / student / "t2-ex1").mkdir(parents=True)
        for name in names:
            (layout / student / "t2-ex1" / f"{name}.ipynb").write_bytes(notebook_bytes())
    ledger = collect_from_path(course, "t2-ex1", layout)
    notes = {e.student: e.collect_notes for e in ledger.current()}
    assert notes == {"dora": [], "eli": [], "fay": []}, "nothing is renamed with two notebooks"
    problems = {s: check_submission(course, "t2-ex1", s, NOTEBOOKS["t2-ex1"])
                for s in ("dora", "eli", "fay")}
    assert problems["dora"] == ("", [])
    assert problems["eli"] == ("no notebook extra.ipynb in the submission", [])
    assert problems["fay"] == ("no notebook t2-ex1.ipynb in the submission", [])


def test_notes_name_the_notebook_when_there_are_several(course, tmp_path):
    folder = course.submitted_dir("gus", "t2-ex1")
    folder.mkdir(parents=True)
    nb = nbformat.read(SOURCE, as_version=4)
    nbformat.write(nb, folder / "t2-ex1.ipynb")
    nb.metadata.kernelspec = {"name": "ir", "display_name": "R", "language": "R"}
    nbformat.write(nb, folder / "extra.ipynb")
    assert check_submission(course, "t2-ex1", "gus", NOTEBOOKS["t2-ex1"]) == (
        "", ["extra: kernel 'ir' replaced by the course kernel 'python3'"])
    one = course.submitted_dir("gus", "t1-ex1")
    one.mkdir(parents=True)
    nbformat.write(nb, one / "t1-ex1.ipynb")
    assert check_submission(course, "t1-ex1", "gus", ["t1-ex1"]) == (
        "", ["kernel 'ir' replaced by the course kernel 'python3'"])


# --- checks ----------------------------------------------------------------------------------------

def cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def test_tampered_cells_are_named():
    release = nbformat.read(SOURCE, as_version=4)
    nb = nbformat.read(SOURCE, as_version=4)
    cell(nb, "test_q2").source = "pass  # tests removed"
    cell(nb, "data").source = "ARRIVALS = [1]"
    nb.cells.remove(cell(nb, "test_q1"))
    nb.cells.remove(cell(nb, "intro"))
    cell(nb, "q1").source = "def total(xs):\n    return 0"  # an answer cell may change
    assert compare_with_release(nb, release, "t1-ex1") == ("", [
        "tampered: read-only cell 'intro' was deleted",
        "tampered: read-only cell 'data' was edited; the original was run",
        "tampered: test cell 'test_q1' was deleted; it scores 0",
        "tampered: test cell 'test_q2' was edited; the original was run"])
    # whitespace around a cell does not count as an edit
    untouched = nbformat.read(SOURCE, as_version=4)
    cell(untouched, "test_q3").source = "\n" + cell(untouched, "test_q3").source + "\n\n"
    assert compare_with_release(untouched, release, "t1-ex1") == ("", [])


def test_a_notebook_of_another_exercise_is_not_graded():
    release = nbformat.read(SOURCE, as_version=4)
    other = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    other.metadata.kernelspec = release.metadata.kernelspec
    problem, notes = compare_with_release(other, release, "t1-ex1")
    assert problem == ("not a notebook of t1-ex1: none of its 5 read-only cells is in it "
                       "(another exercise, or every read-only cell was changed)")
    assert notes == []
    # one read-only cell kept is enough to be this exercise
    other.cells.append(nbformat.v4.new_code_cell(cell(release, "data").source))
    assert compare_with_release(other, release, "t1-ex1")[0] == ""


def test_read_problems(tmp_path):
    assert read_problem(tmp_path / "none.ipynb") == "no notebook none.ipynb in the submission"
    empty = tmp_path / "empty.ipynb"
    empty.write_bytes(b"")
    assert read_problem(empty) == "empty submission: the file has 0 bytes"
    bad = tmp_path / "bad.ipynb"
    bad.write_text('{"cells": [ this is not json')
    assert read_problem(bad) == ("not a valid notebook: the file is not valid JSON (Notebook does "
                                 "not appear to be JSON: '{\"cells\": [ this is not json')")
    no_cells = tmp_path / "no_cells.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), no_cells)
    assert read_problem(no_cells) == "empty submission: the notebook has no cells"
    assert read_problem(SOURCE) == ""


# --- ledger ------------------------------------------------------------------------------------------

def test_ledger_round_trip_and_counts(course):
    ledger = Ledger(course, "t1-ex1")
    ledger.add(Entry(origin="a.ipynb", state="graded", student="ana", score=4.0, max_score=6.0,
                     notes=["late by 2 h 0 min"]))
    ledger.add(Entry(origin="b.ipynb", state="superseded", student="ana"))
    ledger.add(Entry(origin="c.ipynb", state="failed", student="ben", reason="empty"))
    ledger.add(Entry(origin="d.txt", state="ignored"))
    ledger.add(Entry(origin="e.ipynb", state="collected", student="cara"))
    ledger.save()
    again = Ledger(course, "t1-ex1")
    assert again.entries == ledger.entries
    assert [e.origin for e in again.current()] == ["a.ipynb", "c.ipynb", "e.ipynb"]
    assert again.current_for("ana").origin == "a.ipynb" and again.current_for("dan") is None
    assert again.counts() == {"graded": 1, "superseded": 1, "failed": 1, "ignored": 1,
                              "collected": 1}
    data = json.loads((course.reports_dir("t1-ex1") / "status.json").read_text())
    assert data["entries"][0]["score"] == 4.0 and data["entries"][0]["notes"] == [
        "late by 2 h 0 min"]
    assert not list(course.reports_dir("t1-ex1").glob("*.tmp"))


def test_student_ids_from_file_names():
    assert student_id_from_filename("Ana María_123_ex1.ipynb") == "ana-mar-a"
    assert student_id_from_filename("--Ben--_x.ipynb") == "ben"
    assert student_id_from_filename("download/CHEN_ex1.ipynb") == "chen"


# --- export ------------------------------------------------------------------------------------------

ROWS = [
    {"student_id": "ana", "state": "graded", "score": 4.0, "max_score": 6.0},
    {"student_id": "ben", "state": "graded", "score": 3.0, "max_score": 6.0},
    {"student_id": "cara", "state": "graded", "score": 6.0, "max_score": 6.0},
    {"student_id": "dan", "state": "graded", "score": 0.0, "max_score": 6.0},
    {"student_id": "eli", "state": "graded", "score": 4.0, "max_score": 6.0},
    {"student_id": "fay", "state": "failed", "score": "", "max_score": "", "reason": "empty file"},
]


def test_histogram_counts_learners_per_score(tmp_path, monkeypatch):
    drawn = []
    real = matplotlib.axes.Axes.hist

    def spy(self, *args, **kwargs):
        drawn.append(real(self, *args, **kwargs))
        return drawn[-1]

    monkeypatch.setattr(matplotlib.axes.Axes, "hist", spy)
    histogram(tmp_path / "h.png", ROWS, "t1-ex1")
    counts, edges, _ = drawn[0]
    # one bar per whole score 0..6; fay failed and is not drawn
    assert counts.tolist() == [1, 0, 0, 1, 2, 0, 1]
    assert edges.tolist() == [0, 1, 2, 3, 4, 5, 6, 7]
    assert (tmp_path / "h.png").read_bytes()[:4] == b"\x89PNG"


def test_summary_markdown_by_hand():
    summary = [{"question": "test_q1", "kind": "test", "hidden_tests": False, "points": 2,
                "mean": 1.2, "lost_points": 2, "most_common_failure": "AssertionError: a | b"},
               {"question": "test_q2", "kind": "test", "hidden_tests": True, "points": 1,
                "mean": 0.4, "lost_points": 3, "most_common_failure": ""}]
    text = summary_markdown("t1-ex1", ROWS, summary)
    lines = text.splitlines()
    assert lines[0] == "# t1-ex1: grading summary"
    assert "6 learners: 5 graded, 1 failed." in lines
    assert "Mean score: 3.40 out of 6." in lines  # (4 + 3 + 6 + 0 + 4) / 5
    table = [line for line in lines if line.startswith("| test_q")]
    assert table == ["| test_q2 | test | yes | 1 | 0.4 | 3 |  |",
                     "| test_q1 | test | no | 2 | 1.2 | 2 | AssertionError: a / b |"]
    assert lines[-2:] == ["", "- fay: empty file"] and text.endswith("\n")
    assert "## Not graded" not in summary_markdown("t1-ex1", ROWS[:1], summary)


def test_write_csv_keeps_every_column(tmp_path):
    write_csv(tmp_path / "g.csv", ROWS)
    lines = (tmp_path / "g.csv").read_text().splitlines()
    assert lines[0] == "student_id,state,score,max_score,reason"
    assert lines[1] == "ana,graded,4.0,6.0," and lines[-1] == "fay,failed,,,empty file"


# --- cutting long output -----------------------------------------------------------------------------

def test_long_printed_output_is_cut_per_cell():
    cut = LimitOutputSize(max_chars=100)
    marker = "\n... output cut by labgrade ...\n"
    code = nbformat.v4.new_code_cell("print('x')", outputs=[
        nbformat.v4.new_output("stream", name="stdout", text="a" * 60),
        nbformat.v4.new_output("display_data", data={"text/plain": "b" * 500}),
        nbformat.v4.new_output("stream", name="stderr", text="c" * 70),
        nbformat.v4.new_output("stream", name="stdout", text="d" * 10)])
    code, _ = cut.preprocess_cell(code, {}, 0)
    assert code.outputs[0].text == "a" * 60
    assert code.outputs[1].data["text/plain"] == "b" * 500, "only printed text is cut"
    assert code.outputs[2].text == "c" * 40 + marker  # 100 - 60 characters were left
    assert code.outputs[3].text == marker
    short = nbformat.v4.new_code_cell("", outputs=[
        nbformat.v4.new_output("stream", name="stdout", text="e" * 100)])
    assert cut.preprocess_cell(short, {}, 1)[0].outputs[0].text == "e" * 100
    text = nbformat.v4.new_markdown_cell("f" * 500)
    assert cut.preprocess_cell(text, {}, 2)[0].source == "f" * 500
    assert LimitOutputSize().max_chars == 20_000


def test_a_test_cell_is_read_only_even_when_not_marked_locked():
    # nbgrader treats every autograder test cell (grade, not solution) as read-only
    release = nbformat.read(SOURCE, as_version=4)
    cell(release, "test_q3").metadata.nbgrader["locked"] = False
    nb = nbformat.read(SOURCE, as_version=4)
    cell(nb, "test_q3").source = "pass"
    assert compare_with_release(nb, release, "t1-ex1") == (
        "", ["tampered: test cell 'test_q3' was edited; the original was run"])


def test_a_notebook_without_a_kernel_gets_the_course_kernel():
    release = nbformat.read(SOURCE, as_version=4)
    nb = nbformat.read(SOURCE, as_version=4)
    del nb.metadata["kernelspec"]
    assert compare_with_release(nb, release, "t1-ex1") == (
        "", ["kernel 'None' replaced by the course kernel 'python3'"])


# --- the exchange ----------------------------------------------------------------------------------

class ExchangeApi:
    """Stands for nbgrader's collect: copies each learner's newest inbound submission."""

    def __init__(self, course, success=True):
        self.course, self.success = course, success

    def collect(self, assignment, update):
        inbound = Path(self.course.config.Exchange.root) / "migstats-lab" / "inbound"
        for folder in sorted(inbound.glob(f"*+{assignment}+*")):  # the newest is copied last
            dest = self.course.submitted_dir(folder.name.split("+")[0], assignment)
            shutil.rmtree(dest, ignore_errors=True)
            shutil.copytree(folder, dest)
        return {"success": self.success, "log": "the log; ", "error": "the error"}


def test_feedback_without_a_submission_secret_is_named(course):
    # nbgrader submit leaves submission_secret.txt; a learner collected from a zip has none
    for student, assignment, secret in [("ana", "t1-ex1", True), ("ben", "t1-ex1", False),
                                        ("cara", "t2-ex1", False), ("dan", "t1-ex1", False)]:
        folder = course.feedback_dir(student, assignment)
        folder.mkdir(parents=True)
        if secret:
            (folder / "submission_secret.txt").write_text("s")
    assert without_secret(course, "t1-ex1") == ["ben", "dan"]
    assert without_secret(course, "t3-ex1") == []


def hub_inbound(course):
    return Path(course.config.Exchange.root) / "migstats-lab" / "inbound"


def inbound(course, student, minute, notebook=True, own_folder=False):
    """A submission in the exchange's inbound folder, or with ``own_folder`` in the hub user's
    own one (as on the room's hub); its timestamp.txt says 12:<minute>."""
    stamp = f"2026-03-02 12:{minute:02d}:00.000000 UTC"
    parent = hub_inbound(course) / student if own_folder else hub_inbound(course)
    folder = parent / f"{student}+t1-ex1+{stamp}+k{minute}"
    folder.mkdir(parents=True)
    (folder / "timestamp.txt").write_text(stamp)
    if notebook:
        (folder / "t1-ex1.ipynb").write_bytes(notebook_bytes())
    return folder


def inbound_name(student, minute):
    return f"{student}+t1-ex1+2026-03-02 12:{minute:02d}:00.000000 UTC+k{minute}"


def test_collect_from_the_exchange_lists_every_submission(course):
    course.api = lambda: ExchangeApi(course)
    older, newer = inbound(course, "ana", 0), inbound(course, "ana", 5)
    inbound(course, "ben", 1, notebook=False)
    ledger = collect_from_exchange(course, "t1-ex1")
    got = {e.origin: (e.state, e.student, e.timestamp, e.kept_at, e.reason, e.collect_notes)
           for e in ledger.entries}
    assert got == {
        f"exchange/{older.name}": ("superseded", "ana", "", str(older),
                                   "a newer submission exists", []),
        f"exchange/{newer.name}": ("collected", "ana", "2026-03-02 12:05:00.000000 UTC", "", "",
                                   []),
        f"exchange/{inbound_name('ben', 1)}": (
            "collected", "ben", "2026-03-02 12:01:00.000000 UTC", "", "",
            ["t1-ex1.ipynb: no notebook t1-ex1.ipynb in the submission"]),
    }
    assert sorted(course.registered) == ["ana", "ben"]
    # collecting again adds nothing; a newer submission replaces the current one
    assert len(collect_from_exchange(course, "t1-ex1").entries) == 3
    newest = inbound(course, "ana", 9)
    entries = collect_from_exchange(course, "t1-ex1").entries
    assert [(e.origin, e.state) for e in entries if e.student == "ana"] == [
        (f"exchange/{older.name}", "superseded"), (f"exchange/{newer.name}", "superseded"),
        (f"exchange/{newest.name}", "collected")]
    assert entries[1].kept_at == f"exchange/{newer.name}"
    assert Ledger(course, "t1-ex1").counts() == {"superseded": 2, "collected": 2}


# --- the hub's record of arrivals (labgrade.arrivals) ---------------------------------------------

def test_the_hub_records_each_content_once(tmp_path):
    inbound, log = tmp_path / "inbound", tmp_path / "arrivals.jsonl"
    folder = inbound / "ana" / "ana+t1-ex1+x+1"
    folder.mkdir(parents=True)
    (folder / "t1-ex1.ipynb").write_text("first")
    secret = tmp_path / "hub-secret.txt"
    secret.write_text("the hub's own file")
    (folder / "link.txt").symlink_to(secret)
    (inbound / "eve").symlink_to(inbound / "ana")  # a folder link is not a hub user
    known = {}
    assert arrivals.look_once(inbound, log, known) == 1
    assert arrivals.look_once(inbound, log, known) == 0  # nothing new
    secret.write_text("changed")  # a link's target is never read
    assert arrivals.look_once(inbound, log, known) == 0
    (folder / "t1-ex1.ipynb").write_text("second")
    (inbound / "ben" / "ben+t1-ex1+x+2").mkdir(parents=True)
    assert arrivals.look_once(inbound, log, known) == 2
    records = arrivals.read_log(log)
    assert sorted(records) == ["ana/ana+t1-ex1+x+1", "ben/ben+t1-ex1+x+2"]
    assert len(records["ana/ana+t1-ex1+x+1"]) == 2
    assert arrivals.first_seen(folder, log) == datetime.datetime.fromisoformat(
        records["ana/ana+t1-ex1+x+1"][-1]["seen"])
    (folder / "t1-ex1.ipynb").write_text("third")  # not seen yet
    assert arrivals.first_seen(folder, log) is None
    with log.open("a") as out:
        out.write('{"folder": "ana/cut')  # a line cut by a crash is skipped
    assert len(arrivals.read_log(log)["ana/ana+t1-ex1+x+1"]) == 2


def test_a_very_large_submission_is_told_apart_by_its_names_and_sizes(tmp_path, monkeypatch):
    folder = tmp_path / "ana+t1-ex1+x+1"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "a.bin").write_bytes(b"1234")
    small = arrivals.fingerprint(folder)
    monkeypatch.setattr(arrivals, "MAX_BYTES", 3)
    large = arrivals.fingerprint(folder)
    assert large != small
    (folder / "sub" / "a.bin").write_bytes(b"abcd")  # same size: not read again
    assert arrivals.fingerprint(folder) == large
    (folder / "sub" / "a.bin").write_bytes(b"abcde")
    assert arrivals.fingerprint(folder) != large
    (folder / "sub" / "a.bin").rename(folder / "sub" / "b.bin")
    assert arrivals.fingerprint(folder) not in (small, large)


def test_the_hub_record_reads_on_after_a_cut_line_and_skips_stray_files(tmp_path):
    log = tmp_path / "arrivals.jsonl"
    log.write_text('{"folder": "ana/cu\n' + json.dumps({"folder": "ana/x", "sha256": "s", "seen": "t"}) + "\n")
    assert arrivals.read_log(log) == {"ana/x": [{"folder": "ana/x", "sha256": "s", "seen": "t"}]}
    inbound = tmp_path / "inbound"
    (inbound / "ana").mkdir(parents=True)
    (inbound / "ana" / "notes.txt").write_text("not a submission")
    assert arrivals.look_once(inbound, tmp_path / "new.jsonl", {}) == 0


def test_a_submission_of_exactly_the_size_limit_is_still_read(tmp_path, monkeypatch):
    folder = tmp_path / "ana+t1-ex1+x+1"
    folder.mkdir()
    (folder / "a.bin").write_bytes(b"1234")
    monkeypatch.setattr(arrivals, "MAX_BYTES", 4)
    before = arrivals.fingerprint(folder)
    (folder / "a.bin").write_bytes(b"abcd")
    assert arrivals.fingerprint(folder) != before


def test_watch_looks_as_many_times_as_asked(tmp_path, monkeypatch):
    naps = []
    monkeypatch.setattr(arrivals.time, "sleep", naps.append)
    arrivals.watch(tmp_path / "inbound", tmp_path / "arrivals.jsonl", poll=7, looks=3)
    assert naps == [7, 7, 7]


def test_a_restarted_watch_records_only_what_is_new(tmp_path):
    inbound, log = tmp_path / "inbound", tmp_path / "arrivals.jsonl"
    arrivals.watch(inbound, log, poll=0, looks=1)  # no inbound folder yet: nothing, no error
    assert not log.exists()
    (inbound / "ana" / "ana+t1-ex1+x+1").mkdir(parents=True)
    arrivals.watch(inbound, log, poll=0, looks=2)
    arrivals.watch(inbound, log, poll=0, looks=1)  # the hub restarted
    assert len(log.read_text().splitlines()) == 1
    (inbound / "ana" / "ana+t1-ex1+x+1" / "t1-ex1.ipynb").write_text("{}")
    arrivals.watch(inbound, log, poll=0, looks=1)
    assert len(log.read_text().splitlines()) == 2


def test_a_hub_submission_takes_the_time_the_hub_saw_it(course):
    course.api = lambda: ExchangeApi(course)
    folder = inbound(course, "ana", 0, own_folder=True)  # the learner's own stamp says 12:00
    log = hub_inbound(course).parent / "arrivals.jsonl"
    arrivals.look_once(hub_inbound(course), log, {})
    seen = datetime.datetime.fromisoformat(arrivals.read_log(log)[f"ana/{folder.name}"][0]["seen"])
    entry, = collect_from_exchange(course, "t1-ex1").entries
    assert (entry.state, entry.student, entry.timestamp) == ("collected", "ana", format_timestamp(seen))
    assert entry.collect_notes == [
        f"timestamp.txt says 2026-03-02 12:00:00.000000 UTC, but the hub first saw this content "
        f"at {format_timestamp(seen)}: the hub's time is used"]
    # nbgrader's lateness is computed from the collected timestamp.txt: the hub's time
    assert (course.submitted_dir("ana", "t1-ex1") / "timestamp.txt").read_text() == format_timestamp(seen)


def test_a_learner_stamp_close_to_the_hubs_time_is_not_named(course):
    course.api = lambda: ExchangeApi(course)
    folder = inbound(course, "ana", 0, own_folder=True)
    log = hub_inbound(course).parent / "arrivals.jsonl"
    seen = "2026-03-02T12:00:59+00:00"  # 59 s after the learner's stamp: within the slack
    log.write_text(json.dumps({"folder": f"ana/{folder.name}", "seen": seen,
                               "sha256": arrivals.fingerprint(folder)}) + "\n")
    entry, = collect_from_exchange(course, "t1-ex1").entries
    assert (entry.timestamp, entry.collect_notes) == ("2026-03-02 12:00:59.000000 UTC", [])


def test_content_changed_since_the_hubs_look_takes_the_collection_time(course):
    course.api = lambda: ExchangeApi(course)
    folder = inbound(course, "ana", 0, own_folder=True)
    log = hub_inbound(course).parent / "arrivals.jsonl"
    arrivals.look_once(hub_inbound(course), log, {})
    (folder / "t1-ex1.ipynb").write_bytes(notebook_bytes() + b" ")
    before = datetime.datetime.now(datetime.timezone.utc)
    entry, = collect_from_exchange(course, "t1-ex1").entries
    after = datetime.datetime.now(datetime.timezone.utc)
    assert format_timestamp(before) <= entry.timestamp <= format_timestamp(after)
    assert entry.collect_notes[0].startswith("the hub had not yet seen this content")


def test_without_the_hubs_record_the_learners_time_is_used_and_said(course):
    course.api = lambda: ExchangeApi(course)
    inbound(course, "ana", 7, own_folder=True)
    entry, = collect_from_exchange(course, "t1-ex1").entries
    assert entry.timestamp == "2026-03-02 12:07:00.000000 UTC"
    assert entry.collect_notes == [
        f"the hub kept no record of arrivals ({hub_inbound(course).parent / 'arrivals.jsonl'}): "
        "the time is the learner's own timestamp.txt"]


def test_a_failed_nbgrader_collect_is_reported(course):
    course.api = lambda: ExchangeApi(course, success=False)
    with pytest.raises(CourseError, match="nbgrader collect failed:\nthe log; the error"):
        collect_from_exchange(course, "t1-ex1")


# --- export, with the gradebook's answers written in the test ------------------------------------

# points per question: test_q1 2, test_q2 1, test_q3 1, q4 2 (manual); scores per learner
SCORES = {"ana": {"test_q1": 2, "test_q2": 1, "test_q3": 1, "q4": 2},
          "ben": {"test_q1": 2, "test_q2": 0, "test_q3": 1, "q4": 0},
          "cara": {"test_q1": 0, "test_q2": 0, "test_q3": 1, "q4": 1.5}}


class GradedBook(Gradebook):
    """Stands for the gradebook after grading t1-ex1: the scores of SCORES in each notebook.

    Like nbgrader's, it answers only for the assignment and notebooks it holds."""
    assignment, notebooks = "t1-ex1", ("t1-ex1",)

    def find_submission(self, assignment, student):
        assert assignment == self.assignment
        return types.SimpleNamespace(score=len(self.notebooks) * sum(SCORES[student].values()),
                                     max_score=6 * len(self.notebooks), late_submission_penalty=0)

    def find_grade(self, name, notebook, assignment, student):
        assert assignment == self.assignment and notebook in self.notebooks
        return types.SimpleNamespace(score=SCORES[student][name])


def graded_notebook(course, student, errors):
    nb = nbformat.read(SOURCE, as_version=4)
    for grade_id, message in errors.items():
        cell(nb, grade_id).outputs = [nbformat.v4.new_output(
            "error", ename="AssertionError", evalue=message, traceback=[])]
    path = course.autograded_dir(student, "t1-ex1") / "t1-ex1.ipynb"
    path.parent.mkdir(parents=True)
    nbformat.write(nb, path)


def test_export_by_hand(course, tmp_path):
    course.source_dir("t1-ex1").mkdir(parents=True)
    shutil.copy(SOURCE, course.source_dir("t1-ex1"))
    course.gradebook = lambda: GradedBook([])
    ledger = Ledger(course, "t1-ex1")
    for student in SCORES:
        ledger.add(Entry(origin=f"{student}.ipynb", state="graded", student=student,
                         seconds_late=60.0 if student == "cara" else 0.0,
                         collect_notes=["renamed"] if student == "ana" else [],
                         notes=["regraded"] if student == "ana" else []))
    ledger.add(Entry(origin="dan.ipynb", state="failed", student="dan", reason="empty file"))
    ledger.add(Entry(origin="old.ipynb", state="superseded", student="ana"))
    ledger.save()
    graded_notebook(course, "ben", {"test_q2": "the share should be 120 / 250"})
    graded_notebook(course, "cara", {"test_q1": "total([1, 2]) should be 3",
                                     "test_q2": "the share should be 120 / 250"})
    assert export(course, "t1-ex1")["grades"] == course.reports_dir("t1-ex1") / "grades.csv"
    paths = export(course, "t1-ex1", tmp_path / "grades.csv")
    reports = course.reports_dir("t1-ex1")  # summary.md shows the histogram by this name
    assert paths == {"grades": tmp_path / "grades.csv", "questions": reports / "questions.csv",
                     "histogram": reports / "score-histogram.png",
                     "summary": reports / "summary.md"}
    assert paths["grades"].read_text().splitlines()[0] == (
        "student_id,state,score,max_score,seconds_late,late_penalty,reason,notes,"
        "test_q1,test_q2,test_q3,q4")
    grades = list(csv.DictReader(paths["grades"].open()))
    assert [r["late_penalty"] for r in grades] == ["0", "0", "0", ""]
    assert [(r["student_id"], r["state"], r["score"], r["test_q2"], r["q4"]) for r in grades] == [
        ("ana", "graded", "6", "1", "2"), ("ben", "graded", "3", "0", "0"),
        ("cara", "graded", "2.5", "0", "1.5"), ("dan", "failed", "", "", "")]
    assert grades[0]["notes"] == "renamed; regraded" and grades[2]["seconds_late"] == "60.0"
    assert grades[3]["reason"] == "empty file" and grades[0]["max_score"] == "6"
    assert grades[3]["max_score"] == ""
    questions = {r["question"]: r for r in csv.DictReader(paths["questions"].open())}
    assert list(questions) == ["test_q1", "test_q2", "test_q3", "q4"]
    assert [(q["kind"], q["hidden_tests"], q["points"]) for q in questions.values()] == [
        ("test", "True", "2"), ("test", "True", "1"), ("test", "False", "1"), ("manual", "False", "2")]
    # means over the 3 graded learners: (2 + 2 + 0) / 3, (1 + 0 + 0) / 3, 1, (2 + 0 + 1.5) / 3
    assert [q["mean"] for q in questions.values()] == ["1.33", "0.33", "1.0", "1.17"]
    assert [q["lost_points"] for q in questions.values()] == ["1", "2", "0", "2"]
    assert questions["test_q2"]["most_common_failure"] == (
        "AssertionError: the share should be 120 / 250")
    assert questions["test_q1"]["most_common_failure"] == (
        "AssertionError: total([1, 2]) should be 3")
    assert questions["q4"]["most_common_failure"] == ""
    summary = paths["summary"].read_text()
    assert "4 learners: 3 graded, 1 failed." in summary and "Mean score: 3.83 out of 6." in summary
    assert paths["histogram"].read_bytes()[:4] == b"\x89PNG"


def test_a_histogram_with_nobody_graded_still_has_one_bin(tmp_path, monkeypatch):
    drawn = []
    real = matplotlib.axes.Axes.hist
    monkeypatch.setattr(matplotlib.axes.Axes, "hist",
                        lambda self, *a, **k: drawn.append(real(self, *a, **k)) or drawn[-1])
    histogram(tmp_path / "h.png", ROWS[-1:], "t1-ex1")
    assert drawn[0][1].tolist() == [0, 1, 2]  # scores 0 and 1 when no maximum is known


def test_export_of_an_assignment_with_two_notebooks(course):
    # t2-ex1 has the notebooks t2-ex1 and extra, both a copy of SOURCE: each question's column
    # is named notebook:question, and each learner's scores are those of SCORES in both.
    course.source_dir("t2-ex1").mkdir(parents=True)
    for name in NOTEBOOKS["t2-ex1"]:
        shutil.copy(SOURCE, course.source_dir("t2-ex1") / f"{name}.ipynb")
    book = GradedBook([])
    book.assignment, book.notebooks = "t2-ex1", tuple(NOTEBOOKS["t2-ex1"])
    course.gradebook = lambda: book
    ledger = Ledger(course, "t2-ex1")
    ledger.add(Entry(origin="ana.ipynb", state="graded", student="ana"))
    ledger.add(Entry(origin="ben.ipynb", state="graded", student="ben"))
    ledger.save()
    paths = export(course, "t2-ex1")
    names = [f"{nb}:{q}" for nb in ("t2-ex1", "extra") for q in ("test_q1", "test_q2", "test_q3", "q4")]
    grades = list(csv.DictReader(paths["grades"].open()))
    assert list(grades[0])[8:] == names
    assert [grades[0][n] for n in names] == ["2", "1", "1", "2"] * 2  # ana
    assert (grades[1]["score"], grades[1]["max_score"]) == ("6", "12")  # ben: 2 * (2 + 0 + 1 + 0)
    rows = list(csv.DictReader(paths["questions"].open()))
    assert [r["question"] for r in rows] == names
    # means of ana and ben: (2 + 2) / 2, (1 + 0) / 2, 1, (2 + 0) / 2; ben lost q2 and q4
    assert [r["mean"] for r in rows] == ["2.0", "0.5", "1.0", "1.0"] * 2
    assert [r["lost_points"] for r in rows] == ["0", "1", "0", "1"] * 2
    assert "| extra:q4 | manual | no | 2 | 1.0 | 1 |  |" in paths["summary"].read_text()


def test_french_summary_by_hand():
    rows = [{"student_id": "ana", "state": "graded", "score": 4.5, "max_score": 7.5},
            {"student_id": "ben", "state": "graded", "score": 6.0, "max_score": 7.5},
            {"student_id": "zoé", "state": "failed", "reason": "fichier vide"}]
    summary = [{"question": "test_q1", "kind": "test", "hidden_tests": True, "points": 2,
                "mean": 1.5, "lost_points": 1, "most_common_failure": "AssertionError: la part"},
               {"question": "q4", "kind": "manual", "hidden_tests": False, "points": 2,
                "mean": 1.75, "lost_points": 2, "most_common_failure": ""}]
    # mean (4.5 + 6) / 2 = 5.25; decimals with a comma; the question that lost most first
    assert summary_markdown("m1-ex1-fr", rows, summary) == """\
# m1-ex1-fr : synthèse de la correction

3 apprenants : 2 corrigés, 1 en échec.

Note moyenne : 5,25 sur 7,5.

![distribution des notes](score-histogram.png)

| question | type | tests cachés | points | moyenne | points perdus | échec le plus fréquent |
| --- | --- | --- | --- | --- | --- | --- |
| q4 | manuel | non | 2 | 1,75 | 2 |  |
| test_q1 | test | oui | 2 | 1,5 | 1 | AssertionError: la part |

## Non corrigés

- zoé: fichier vide
"""
    # only a name ending in -fr is French
    for assignment in ("m1-ex1", "m1-fr-ex1", "m1-ex1-FR"):
        assert summary_markdown(assignment, rows, summary).startswith(f"# {assignment}: grading summary\n")


def test_french_histogram_labels_bars_and_size(tmp_path, monkeypatch):
    drawn = []
    real = matplotlib.axes.Axes.hist
    monkeypatch.setattr(matplotlib.axes.Axes, "hist",
                        lambda self, *a, **k: drawn.append((self, real(self, *a, **k))) or drawn[-1][1])
    monkeypatch.setitem(matplotlib.rcParams, "savefig.dpi", 50)  # the histogram sets its own
    rows = [{"student_id": "ana", "state": "graded", "score": 4.5, "max_score": 7.5},
            {"student_id": "ben", "state": "graded", "score": 6.0, "max_score": 7.5}]
    histogram(tmp_path / "h.png", rows, "m1-ex1-fr")
    ax, (counts, edges, bars) = drawn[0]
    assert ax.get_xlabel() == "note (sur 7,5)" and ax.get_ylabel() == "apprenants"
    assert ax.get_title() == "m1-ex1-fr : notes des 2 apprenants corrigés"
    assert edges.tolist() == list(range(9))  # whole scores 0..8 (int(7.5) + 1)
    # each bar is 0.8 wide, centred on its score (0: from -0.4 to 0.4), in the course's blue
    assert [round(b.get_x(), 6) for b in bars[:2]] == [-0.4, 0.6]
    assert {round(b.get_width(), 6) for b in bars} == {0.8}
    assert bars[0].get_facecolor() == matplotlib.colors.to_rgba("#4c72b0")
    png = (tmp_path / "h.png").read_bytes()
    # 6 x 3.5 inches at 100 dpi (the PNG header holds the width and height in pixels)
    assert (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")) == (600, 350)


def test_failure_messages_cut_only_the_empty_separator(course):
    graded_notebook(course, "ana", {"test_q1": "", "test_q2": "no value for country X"})
    assert failure_messages(course, "t1-ex1", "ana", "t1-ex1", "test_q1") == ["AssertionError"]
    assert failure_messages(course, "t1-ex1", "ana", "t1-ex1", "test_q2") == [
        "AssertionError: no value for country X"]


def test_question_summary_with_nobody_graded_has_no_mean(course):
    qs = [{"notebook": "t1-ex1", "name": "test_q1", "points": 2, "kind": "test", "hidden": False}]
    rows = [{"student_id": "dan", "state": "failed"}]
    assert question_summary(course, "t1-ex1", rows, qs)[0]["mean"] == ""


def test_graded_cells_kind_and_points(course):
    # A manually graded code answer (solution and grade) is manual; a graded cell without points
    # (nbgrader always writes them; a hand-made notebook may not) counts 0.
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("x = 1", metadata={"nbgrader": {
            "grade": True, "solution": True, "grade_id": "q1", "points": 3}}),
        nbformat.v4.new_code_cell("assert x == 1", metadata={"nbgrader": {
            "grade": True, "solution": False, "grade_id": "test_q1"}})])
    course.source_dir("t1-ex1").mkdir(parents=True)
    nbformat.write(nb, course.source_dir("t1-ex1") / "t1-ex1.ipynb")
    assert [(q["name"], q["kind"], q["points"]) for q in graded_cells(course, "t1-ex1")] == [
        ("q1", "manual", 3), ("test_q1", "test", 0)]


def test_reports_are_utf8_whatever_the_locale(course, tmp_path):
    # Under the C locale Python's default file encoding is ASCII; the reports hold names and
    # French words all the same.
    before = locale.setlocale(locale.LC_CTYPE)
    locale.setlocale(locale.LC_CTYPE, "C")
    try:
        write_csv(tmp_path / "g.csv", [{"student_id": "zoé"}])
        course.source_dir("t1-ex1-fr").mkdir(parents=True)
        shutil.copy(SOURCE, course.source_dir("t1-ex1-fr") / "t1-ex1-fr.ipynb")
        course.notebook_names = lambda assignment: [assignment]
        paths = export(course, "t1-ex1-fr")
    finally:
        locale.setlocale(locale.LC_CTYPE, before)
    assert (tmp_path / "g.csv").read_bytes() == "student_id\r\nzoé\r\n".encode("utf-8")
    assert paths["summary"].read_bytes().startswith("# t1-ex1-fr : synthèse".encode("utf-8"))


# --- checks and arrivals at their edges (found by mutation testing) -----------------------------

def test_a_notebook_nbformat_cannot_read_is_named_with_its_error(tmp_path):
    listed = tmp_path / "list.ipynb"
    listed.write_text("[1, 2]")  # JSON, but not a notebook
    assert read_problem(listed) == (
        "not a valid notebook (AttributeError: 'list' object has no attribute 'get')")


def test_every_notebook_of_a_submission_adds_its_notes(course):
    folder = course.submitted_dir("gus", "t2-ex1")
    folder.mkdir(parents=True)
    nb = nbformat.read(SOURCE, as_version=4)
    nb.metadata.kernelspec = {"name": "ir", "display_name": "R", "language": "R"}
    for name in NOTEBOOKS["t2-ex1"]:
        nbformat.write(nb, folder / f"{name}.ipynb")
    assert check_submission(course, "t2-ex1", "gus", NOTEBOOKS["t2-ex1"]) == ("", [
        "t2-ex1: kernel 'ir' replaced by the course kernel 'python3'",
        "extra: kernel 'ir' replaced by the course kernel 'python3'"])


def test_a_submission_of_another_exercise_names_the_assignment(course):
    folder = course.submitted_dir("gus", "t1-ex1")
    folder.mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]),
                   folder / "t1-ex1.ipynb")
    problem, _ = check_submission(course, "t1-ex1", "gus", ["t1-ex1"])
    assert problem.startswith("not a notebook of t1-ex1: none of its 5 read-only cells")


def test_notebooks_without_a_kernel_name_get_no_kernel_note():
    release = nbformat.read(SOURCE, as_version=4)
    del release.metadata["kernelspec"]
    submitted = nbformat.read(SOURCE, as_version=4)
    del submitted.metadata["kernelspec"]
    assert compare_with_release(submitted, release, "t1-ex1") == ("", [])


def test_a_large_submission_is_told_apart_by_every_file_size(tmp_path, monkeypatch):
    folder = tmp_path / "ana+t1-ex1+x+1"
    folder.mkdir()
    (folder / "a.bin").write_bytes(b"12")
    (folder / "b.bin").write_bytes(b"34")
    monkeypatch.setattr(arrivals, "MAX_BYTES", 3)  # 4 bytes: names and sizes only
    before = arrivals.fingerprint(folder)
    (folder / "b.bin").write_bytes(b"345")  # the last file grows
    assert arrivals.fingerprint(folder) != before


def test_a_folder_that_cannot_be_read_now_does_not_hide_the_next(tmp_path, monkeypatch):
    inbound, log = tmp_path / "inbound", tmp_path / "arrivals.jsonl"
    for name in ("ana+t1-ex1+x+1", "ana+t1-ex1+x+2"):
        (inbound / "ana" / name).mkdir(parents=True)
    real = arrivals.fingerprint

    def fingerprint(folder):
        if folder.name.endswith("+1"):
            raise OSError("being written")
        return real(folder)

    monkeypatch.setattr(arrivals, "fingerprint", fingerprint)
    assert arrivals.look_once(inbound, log, {}) == 1
    assert list(arrivals.read_log(log)) == ["ana/ana+t1-ex1+x+2"]
