"""Quick tests of labgrade.collect: exact paths, names, times and messages.

The mutation run (bench/mutation.py collect) showed which rules the other quick tests did not
check. Every expected value here is worked out by hand from the rule. The course and the
stand-ins for nbgrader come from test_labgrade_logic.py. All times are on 2 March 2026 (UTC)
unless a test says otherwise.
"""
import datetime
import json
import os
import time
import zipfile
from pathlib import Path

import nbformat
import pytest

from labgrade import arrivals
from labgrade.collect import collect_from_exchange, collect_from_path, read_mapping
from labgrade.ledger import Ledger
# course is the fixture of a course folder with stand-ins for the gradebook
from test_labgrade_logic import (SOURCE, ExchangeApi, course, hub_inbound, inbound,  # noqa: F401
                                 notebook_bytes, symlink_entry)

UTC = datetime.timezone.utc
# Central European time, written as a POSIX rule (no time zone files needed): UTC+1 in winter,
# UTC+2 from the last Sunday of March to the last Sunday of October.
PARIS = "CET-1CEST,M3.5.0,M10.5.0/3"


def at(hour, minute=0):
    return datetime.datetime(2026, 3, 2, hour, minute, tzinfo=UTC)


def put(path, when, answer="ANSWER = 1"):
    """A notebook at ``path`` whose data cell says ``answer``, last changed at ``when``."""
    nb = nbformat.read(SOURCE, as_version=4)
    nb.cells[1].source = answer
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path


def kept(course, name):
    """Where a superseded submission of ana to t1-ex1 is kept under ``name``."""
    return str(course.root / "superseded" / "t1-ex1" / "ana" / name)


def states(ledger):
    """What became of each entry: (origin, state, where it is kept, why)."""
    return [(e.origin, e.state, e.kept_at, e.reason) for e in ledger.entries]


@pytest.fixture
def paris_clock(monkeypatch):
    """The grader's machine runs on Central European time."""
    monkeypatch.setenv("TZ", PARIS)
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


# --- zip files --------------------------------------------------------------------------------

def test_unsafe_zip_entries_are_ignored_with_the_reason(course, tmp_path):
    zip_path = tmp_path / "in.zip"
    with zipfile.ZipFile(zip_path, "w") as archive:
        archive.writestr("../ana_ex1.ipynb", notebook_bytes())
        archive.writestr(*symlink_entry("ben_ex1.ipynb", "/etc/passwd"))
    reasons = {e.origin: e.reason for e in collect_from_path(course, "t1-ex1", zip_path).entries}
    assert reasons == {"../ana_ex1.ipynb": "unsafe path in the zip (absolute or with '..')",
                       "ben_ex1.ipynb": "unsafe entry in the zip: a symbolic link"}


def test_a_zip_entry_that_cannot_be_extracted_does_not_stop_the_next(course, tmp_path):
    zip_path = tmp_path / "in.zip"
    with zipfile.ZipFile(zip_path, "w") as archive:
        archive.writestr("ana_ex1.ipynb", notebook_bytes())
        archive.writestr("ana_ex1.ipynb/x_ex1.ipynb", notebook_bytes())  # under a file
        archive.writestr("ben_ex1.ipynb", notebook_bytes())
    ledger = collect_from_path(course, "t1-ex1", zip_path)
    assert [(e.origin, e.state) for e in ledger.entries] == [
        ("ana_ex1.ipynb/x_ex1.ipynb", "ignored"), ("in.zip/ana_ex1.ipynb", "collected"),
        ("in.zip/ben_ex1.ipynb", "collected")]


def test_zip_dates_are_read_as_the_graders_local_time_and_written_in_utc(course, tmp_path,
                                                                         paris_clock):
    zip_path = tmp_path / "in.zip"
    with zipfile.ZipFile(zip_path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("ana_ex1.ipynb", (2026, 3, 2, 14, 30, 0)), notebook_bytes())
        archive.writestr(zipfile.ZipInfo("ben_ex1.ipynb", (2026, 7, 2, 14, 30, 0)), notebook_bytes())
    ledger = collect_from_path(course, "t1-ex1", zip_path)
    # 14:30 in Paris is 13:30 UTC in March (UTC+1) and 12:30 UTC in July (summer time, UTC+2)
    assert {e.student: e.timestamp for e in ledger.entries} == {
        "ana": "2026-03-02 13:30:00.000000 UTC", "ben": "2026-07-02 12:30:00.000000 UTC"}
    stamp = course.submitted_dir("ana", "t1-ex1") / "timestamp.txt"
    assert stamp.read_text() == "2026-03-02 13:30:00.000000 UTC"


# --- the mapping file -------------------------------------------------------------------------

def test_a_line_break_inside_a_quoted_mapping_cell_is_read_as_written(tmp_path):
    mapping = tmp_path / "mapping.csv"
    mapping.write_bytes(b'file,student_id\r\n"two\r\nlines_ex1.ipynb",ana\r\n')
    assert read_mapping(mapping) == {"two\r\nlines_ex1.ipynb": "ana"}


# --- files and folders ------------------------------------------------------------------------

def test_a_file_without_a_student_id_keeps_its_time_in_the_ledger(course, tmp_path):
    put(tmp_path / "in" / "_ex1.ipynb", at(12))
    entry, = collect_from_path(course, "t1-ex1", tmp_path / "in").entries
    assert (entry.state, entry.timestamp) == ("ignored", "2026-03-02 12:00:00.000000 UTC")


def test_a_flat_file_and_an_nbgrader_folder_are_ordered_by_their_times(course, tmp_path):
    # the flat file's time is its file time; the folder's time is in its timestamp.txt
    put(tmp_path / "in" / "ana_ex1.ipynb", at(12), "FLAT = 1")
    put(tmp_path / "in" / "ana" / "t1-ex1" / "t1-ex1.ipynb", at(11), "FOLDER = 1")
    (tmp_path / "in" / "ana" / "t1-ex1" / "timestamp.txt").write_text(
        "2026-03-02 12:30:00.000000 UTC")
    ledger = collect_from_path(course, "t1-ex1", tmp_path / "in")
    # the older one is moved into a folder named after its time
    assert states(ledger) == [
        ("ana_ex1.ipynb", "superseded", kept(course, "2026-03-02-12-00-00-000000-UTC"),
         "older than the submission from ana/t1-ex1"),
        ("ana/t1-ex1", "collected", "", "")]
    assert ledger.entries[1].timestamp == "2026-03-02 12:30:00.000000 UTC"
    assert "FLAT = 1" in (Path(kept(course, "2026-03-02-12-00-00-000000-UTC"))
                          / "t1-ex1.ipynb").read_text()


def test_older_submissions_that_arrive_later_are_all_kept(course, tmp_path):
    put(tmp_path / "new" / "ana_ex1.ipynb", at(13), "NEW = 1")
    collect_from_path(course, "t1-ex1", tmp_path / "new")
    put(tmp_path / "a" / "ana_ex1.ipynb", at(12), "A = 1")
    put(tmp_path / "b" / "ana_ex1.ipynb", at(12, 10), "B = 1")  # the same file name as a
    folder = tmp_path / "c" / "ana" / "t1-ex1"
    put(folder / "t1-ex1.ipynb", at(12), "C = 1")
    (folder / "timestamp.txt").write_text("2026-03-02 12:20:00.000000 UTC")
    for source in ["a", "b", "c", "c"]:  # c is collected twice
        ledger = collect_from_path(course, "t1-ex1", tmp_path / source)
    older = "older than the submission from ana_ex1.ipynb"
    # an older file is copied under its own name, with a number if that name is taken
    assert [(e.origin, e.state, e.student, e.kept_at, e.reason) for e in ledger.entries] == [
        ("ana_ex1.ipynb", "collected", "ana", "", ""),
        ("ana_ex1.ipynb", "superseded", "ana", kept(course, "ana_ex1.ipynb"), older),
        ("ana_ex1.ipynb", "superseded", "ana", kept(course, "ana_ex1-2.ipynb"), older),
        ("ana/t1-ex1", "superseded", "ana", kept(course, "t1-ex1"), older),
        ("ana/t1-ex1", "superseded", "ana", kept(course, "t1-ex1-2"), older)]
    assert "A = 1" in Path(kept(course, "ana_ex1.ipynb")).read_text()
    assert "B = 1" in Path(kept(course, "ana_ex1-2.ipynb")).read_text()
    for name in ["t1-ex1", "t1-ex1-2"]:
        assert "C = 1" in (Path(kept(course, name)) / "t1-ex1.ipynb").read_text()
    assert "NEW = 1" in (course.submitted_dir("ana", "t1-ex1") / "t1-ex1.ipynb").read_text()


def test_at_the_same_time_the_submission_collected_last_counts_and_none_is_lost(course, tmp_path):
    for name in ["FIRST", "SECOND", "THIRD"]:
        put(tmp_path / name / "ana_ex1.ipynb", at(12), f"{name} = 1")
        ledger = collect_from_path(course, "t1-ex1", tmp_path / name)
    older = "older than the submission from ana_ex1.ipynb"
    assert states(ledger) == [
        ("ana_ex1.ipynb", "superseded", kept(course, "2026-03-02-12-00-00-000000-UTC"), older),
        ("ana_ex1.ipynb", "superseded", kept(course, "2026-03-02-12-00-00-000000-UTC-2"), older),
        ("ana_ex1.ipynb", "collected", "", "")]
    assert "FIRST = 1" in (Path(ledger.entries[0].kept_at) / "t1-ex1.ipynb").read_text()
    assert "SECOND = 1" in (Path(ledger.entries[1].kept_at) / "t1-ex1.ipynb").read_text()
    assert "THIRD = 1" in (course.submitted_dir("ana", "t1-ex1") / "t1-ex1.ipynb").read_text()


def test_a_submitted_folder_left_from_before_is_replaced_not_merged(course, tmp_path):
    stale = course.submitted_dir("ana", "t1-ex1")
    stale.mkdir(parents=True)
    (stale / "old answers.ipynb").write_bytes(notebook_bytes())
    put(tmp_path / "in" / "ana_ex1.ipynb", at(12))
    collect_from_path(course, "t1-ex1", tmp_path / "in")
    assert sorted(p.name for p in stale.iterdir()) == ["t1-ex1.ipynb", "timestamp.txt"]


def test_a_link_in_a_submission_folder_is_copied_as_a_link_never_as_its_target(course, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("the grader's own file")
    folder = tmp_path / "in" / "ana" / "t1-ex1"
    put(folder / "t1-ex1.ipynb", at(12))
    (folder / "data.csv").symlink_to(secret)
    collect_from_path(course, "t1-ex1", tmp_path / "in")
    copied = course.submitted_dir("ana", "t1-ex1") / "data.csv"
    assert copied.is_symlink() and os.readlink(copied) == str(secret)


# --- the exchange -----------------------------------------------------------------------------

class QuietExchange:
    """Stands for nbgrader's collect: notes how it was called, and copies nothing."""

    def __init__(self):
        self.calls = []

    def collect(self, assignment, update):
        self.calls.append((assignment, update))
        return {"success": True}


def shared_submission(course, name, stamp):
    """A folder ``name`` in the exchange's shared inbound, its timestamp.txt saying ``stamp``."""
    folder = hub_inbound(course) / name
    folder.mkdir(parents=True)
    (folder / "timestamp.txt").write_text(stamp)
    (folder / "t1-ex1.ipynb").write_bytes(notebook_bytes())
    return folder


def test_nbgrader_collect_is_asked_to_update_older_submissions(course):
    exchange = QuietExchange()
    course.api = lambda: exchange
    collect_from_exchange(course, "t1-ex1")
    assert exchange.calls == [("t1-ex1", True)]


def test_a_learner_already_collected_does_not_hide_the_next_one(course):
    course.api = lambda: ExchangeApi(course)
    inbound(course, "ana", 0)
    collect_from_exchange(course, "t1-ex1")
    ben = inbound(course, "ben", 3)
    entry = collect_from_exchange(course, "t1-ex1").current_for("ben")
    assert (entry.origin, entry.timestamp) == (f"exchange/{ben.name}",
                                               "2026-03-02 12:03:00.000000 UTC")


def test_the_newest_exchange_submission_is_the_newest_time_in_its_name(course):
    # nbgrader picks the folder by the time in its name, so the ledger does the same, even when
    # a timestamp.txt was changed by hand; the time in the ledger is the copied timestamp.txt
    course.api = lambda: ExchangeApi(course)
    first = shared_submission(course, "ana+t1-ex1+2026-03-02 12:05:00.000000 UTC+k5",
                              "2026-03-02 12:05:00.000000 UTC")
    second = shared_submission(course, "ana+t1-ex1+2026-03-02 12:09:00.000000 UTC+k9",
                               "2026-03-02 12:00:00.000000 UTC")
    ledger = collect_from_exchange(course, "t1-ex1")
    assert [(e.origin, e.state, e.timestamp) for e in ledger.entries] == [
        (f"exchange/{first.name}", "superseded", ""),
        (f"exchange/{second.name}", "collected", "2026-03-02 12:00:00.000000 UTC")]
    stamp = course.submitted_dir("ana", "t1-ex1") / "timestamp.txt"
    assert stamp.read_text() == "2026-03-02 12:00:00.000000 UTC"


def test_exchange_names_are_ordered_by_time_not_by_letters(course):
    # nbgrader's Exchange.timestamp_format can put the day first: "02 Mar" sorts before "28 Feb"
    course.api = lambda: QuietExchange()
    older = shared_submission(course, "ana+t1-ex1+28 Feb 2026 12:00:00 UTC+k1",
                              "28 Feb 2026 12:00:00 UTC")
    newer = shared_submission(course, "ana+t1-ex1+02 Mar 2026 12:00:00 UTC+k2",
                              "02 Mar 2026 12:00:00 UTC")
    ledger = collect_from_exchange(course, "t1-ex1")
    assert [(e.origin, e.state, e.timestamp) for e in ledger.entries] == [
        (f"exchange/{older.name}", "superseded", ""),
        (f"exchange/{newer.name}", "collected", "2026-03-02 12:00:00.000000 UTC")]


def test_a_learner_name_with_a_plus_is_read_as_nbgrader_reads_it(course):
    # nbgrader splits the name from the right: learner "ana+b", time "2026-03-02 12:05..."
    course.api = lambda: QuietExchange()
    older = shared_submission(course, "ana+b+t1-ex1+2026-03-02 12:05:00.000000 UTC+k5",
                              "2026-03-02 12:05:00.000000 UTC")
    newer = shared_submission(course, "ana+b+t1-ex1+2026-03-02 12:09:00.000000 UTC+k9",
                              "2026-03-02 12:09:00.000000 UTC")
    ledger = collect_from_exchange(course, "t1-ex1")
    assert [(e.origin, e.student, e.state) for e in ledger.entries] == [
        (f"exchange/{older.name}", "ana+b", "superseded"),
        (f"exchange/{newer.name}", "ana+b", "collected")]


def test_a_shared_inbound_submission_is_never_read_as_a_hub_users_folder(course):
    course.api = lambda: ExchangeApi(course)
    folder = inbound(course, "ana", 0)
    (folder / "ana+t1-ex1+copy").mkdir()  # the learner's own folder, inside the submission
    ledger = collect_from_exchange(course, "t1-ex1")
    assert [(e.origin, e.state) for e in ledger.entries] == [
        (f"exchange/{folder.name}", "collected")]


# --- the hub users' own inbound folders -------------------------------------------------------

def hub_saw(course, folder, seen):
    """Write in the hub's record that it saw the present content of ``folder`` at ``seen``."""
    log = hub_inbound(course).parent / arrivals.LOG_NAME
    with log.open("a") as out:
        out.write(json.dumps({"folder": f"{folder.parent.name}/{folder.name}",
                              "seen": seen.isoformat(),
                              "sha256": arrivals.fingerprint(folder)}) + "\n")


def test_a_second_hub_submission_replaces_the_first_at_the_next_collect(course):
    course.api = lambda: ExchangeApi(course)
    first = inbound(course, "ana", 0, own_folder=True)
    collect_from_exchange(course, "t1-ex1")
    second = inbound(course, "ana", 5, own_folder=True)
    ledger = collect_from_exchange(course, "t1-ex1")
    assert [(e.origin, e.state, e.timestamp, e.kept_at) for e in ledger.entries] == [
        (f"exchange/ana/{first.name}", "superseded", "2026-03-02 12:00:00.000000 UTC",
         kept(course, "2026-03-02-12-00-00-000000-UTC")),
        (f"exchange/ana/{second.name}", "collected", "2026-03-02 12:05:00.000000 UTC", "")]
    assert ledger.entries[0].reason == f"older than the submission from exchange/ana/{second.name}"


def test_a_submission_under_another_name_is_ignored_and_the_next_one_read(course):
    course.api = lambda: ExchangeApi(course)
    other = hub_inbound(course) / "zoe" / "ben+t1-ex1+2026-03-02 12:01:00.000000 UTC+k1"
    other.mkdir(parents=True)
    own = inbound(course, "zoe", 2, own_folder=True)
    ledger = collect_from_exchange(course, "t1-ex1")
    assert [(e.origin, e.state, e.student, e.reason) for e in ledger.entries] == [
        (f"exchange/zoe/{other.name}", "ignored", "zoe",
         "submitted by the hub user 'zoe' under the name 'ben'; only 'zoe' is accepted from "
         "this folder"),
        (f"exchange/zoe/{own.name}", "collected", "zoe", "")]


def test_the_hubs_times_order_the_submissions_not_the_learners_names(course):
    course.api = lambda: ExchangeApi(course)
    early_name = inbound(course, "ana", 0, own_folder=True)
    late_name = inbound(course, "ana", 5, own_folder=True)
    hub_saw(course, late_name, at(12, 10))
    hub_saw(course, early_name, at(12, 20))  # seen last: it is the newest
    ledger = collect_from_exchange(course, "t1-ex1")
    assert [(e.origin, e.state, e.timestamp, e.kept_at) for e in ledger.entries] == [
        (f"exchange/ana/{late_name.name}", "superseded", "2026-03-02 12:10:00.000000 UTC",
         kept(course, "2026-03-02-12-10-00-000000-UTC")),
        (f"exchange/ana/{early_name.name}", "collected", "2026-03-02 12:20:00.000000 UTC", "")]


def test_a_learner_stamp_exactly_a_minute_from_the_hubs_time_is_not_named(course):
    course.api = lambda: ExchangeApi(course)
    folder = inbound(course, "ana", 0, own_folder=True)
    hub_saw(course, folder, at(12, 1))
    entry, = collect_from_exchange(course, "t1-ex1").entries
    assert (entry.timestamp, entry.collect_notes) == ("2026-03-02 12:01:00.000000 UTC", [])


def test_content_the_hub_has_not_seen_is_named_in_full(course):
    course.api = lambda: ExchangeApi(course)
    folder = inbound(course, "ana", 0, own_folder=True)
    hub_saw(course, folder, at(12))
    (folder / "t1-ex1.ipynb").write_bytes(notebook_bytes() + b" ")
    entry, = collect_from_exchange(course, "t1-ex1").entries
    assert entry.collect_notes[0] == ("the hub had not yet seen this content (it changed in the "
                                      "last seconds): its time is the time of collection")


def test_a_hub_submission_without_timestamp_txt_takes_the_folders_time(course):
    course.api = lambda: ExchangeApi(course)
    folder = inbound(course, "ana", 3, own_folder=True)
    (folder / "timestamp.txt").unlink()
    os.utime(folder, (at(12, 4).timestamp(), at(12, 4).timestamp()))
    entry, = collect_from_exchange(course, "t1-ex1").entries
    assert entry.timestamp == "2026-03-02 12:04:00.000000 UTC"
