"""Collect submissions into ``submitted/<student>/<assignment>/``.

Sources:

- the nbgrader exchange (``nbgrader collect``), and on the workshop hub the inbound
  folder of each hub user (``inbound/<hub user>/``, the only inbound folder a learner's
  sandbox shows): there the student id is the hub user's name, never the name the
  learner's nbgrader wrote;
- a folder or a zip file (for example downloaded from an LMS), in either
  layout: nbgrader's ``<student>/<assignment>/<notebook>.ipynb``, or flat
  notebook files such as ``learner07_ex1.ipynb``.

Student ids of flat files are derived predictably from the file name: the
part before the first ``_``, in lower case, with every run of characters
other than ``a-z`` and ``0-9`` replaced by ``-``. So ``learner07_ex1.ipynb``
gives ``learner07`` and ``Jane Doe_1234_ex1.ipynb`` gives ``jane-doe``. A
mapping file (CSV with columns ``file,student_id``; ``file`` is the file
name, its path inside the folder or zip, or a student folder's name)
overrides this.

When a learner has several submissions, the newest counts; the older ones
are kept in ``superseded/`` (or stay in the exchange) and listed.
"""
import csv
import datetime
import os
import re
import shutil
import stat
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from nbgrader.utils import parse_utc

from . import arrivals
from .checks import read_problem
from .course import CourseError
from .ledger import Entry, Ledger

IGNORED_PARTS = {"__MACOSX", ".ipynb_checkpoints"}


@dataclass
class Candidate:
    """One submission found in the source: a notebook file, or an nbgrader folder."""
    origin: str
    student: str
    path: Path
    timestamp: datetime.datetime
    is_folder: bool
    notes: list[str] = field(default_factory=list)  # for the ledger, about where it came from


def student_id_from_filename(filename):
    """The student id of a flat file name (see the module docstring)."""
    first = Path(filename).stem.split("_")[0]
    return re.sub(r"[^a-z0-9]+", "-", first.lower()).strip("-")


def format_timestamp(moment):
    """A timestamp in the format nbgrader writes to ``timestamp.txt``."""
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f %Z")


def read_mapping(path):
    """Read the mapping file: {file name or relative path: student id}."""
    if path is None:
        return {}
    with open(path, newline="", encoding="utf-8-sig") as handle:  # spreadsheets add a BOM
        rows = list(csv.DictReader(handle))
    if rows and not {"file", "student_id"} <= set(rows[0]):
        raise CourseError(f"mapping file {path}: the columns must be 'file' and 'student_id'.")
    return {row["file"].strip(): row["student_id"].strip() for row in rows}


def extract_zip(zip_path, folder, ledger):
    """Extract a zip safely into ``folder``; list unsafe entries in the ledger."""
    try:
        archive = zipfile.ZipFile(zip_path)
    except zipfile.BadZipFile as error:
        raise CourseError(f"{zip_path} is not a readable zip file ({error}).") from None
    with archive:
        for info in archive.infolist():
            parts = PurePosixPath(info.filename).parts
            if info.is_dir():
                continue
            if info.filename.startswith("/") or ".." in parts:
                ledger.add(Entry(origin=info.filename, state="ignored",
                                 reason="unsafe path in the zip (absolute or with '..')"))
                continue
            if stat.S_ISLNK(info.external_attr >> 16):
                ledger.add(Entry(origin=info.filename, state="ignored",
                                 reason="unsafe entry in the zip: a symbolic link"))
                continue
            target = Path(folder, *parts)
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(info) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst)
            except OSError as error:  # e.g. a file and a folder of the same name
                ledger.add(Entry(origin=info.filename, state="ignored",
                                 reason=f"cannot be extracted: {error.strerror}"))
                continue
            moment = time.mktime((*info.date_time, 0, 0, -1))
            os.utime(target, (moment, moment))


def find_candidates(folder, assignment, mapping, ledger, label):
    """Sort every file under ``folder`` into candidates, or ignored ledger entries."""
    candidates, layout_folders = [], {}
    files = sorted(p for p in Path(folder).rglob("*") if p.is_file())
    for path in files:
        rel = path.relative_to(folder)
        origin = f"{label}/{rel.as_posix()}" if label else rel.as_posix()
        if IGNORED_PARTS & set(rel.parts) or path.name.startswith("."):
            ledger.add(Entry(origin=origin, state="ignored", reason="system or hidden file"))
            continue
        if len(rel.parts) >= 3 and rel.parts[-2] == assignment:
            layout_folders.setdefault(path.parent, []).append(path)
            continue
        if path.suffix != ".ipynb":
            ledger.add(Entry(origin=origin, state="ignored", reason="not a notebook (.ipynb)"))
            continue
        student = mapped(mapping, [rel.as_posix(), path.name], student_id_from_filename(path.name))
        candidates.append(Candidate(origin, student, path, file_time(path), False))
    for sub, paths in layout_folders.items():
        rel = sub.relative_to(folder)
        origin = f"{label}/{rel.as_posix()}" if label else rel.as_posix()
        notebooks = [p for p in paths if p.suffix == ".ipynb"]
        if not notebooks:
            ledger.add(Entry(origin=origin, state="ignored", reason="folder without a notebook"))
            continue
        keys = [rel.as_posix(), rel.parts[-2],
                *(n.relative_to(folder).as_posix() for n in notebooks)]
        student = mapped(mapping, keys, rel.parts[-2])
        stamp = sub / "timestamp.txt"
        moment = (parse_timestamp(stamp.read_text()) if stamp.exists()
                  else max(file_time(p) for p in notebooks))
        candidates.append(Candidate(origin, student, sub, moment, True))
    return candidates


def mapped(mapping, keys, default):
    """The student id the mapping file gives for the first of ``keys`` it names."""
    return next((mapping[key] for key in keys if key in mapping), default)


def file_time(path):
    return datetime.datetime.fromtimestamp(path.stat().st_mtime, datetime.timezone.utc)


def parse_timestamp(text):
    return parse_utc(text.strip()).replace(tzinfo=datetime.timezone.utc)


def store(course, assignment, candidate, notebook_names):
    """Copy a candidate into ``submitted/``; return notes about what was changed."""
    dest = course.submitted_dir(candidate.student, assignment)
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    notes = []
    if candidate.is_folder:
        shutil.copytree(candidate.path, dest, dirs_exist_ok=True, symlinks=True)
        notebooks = sorted(dest.glob("*.ipynb"))
        expected = [f"{name}.ipynb" for name in notebook_names]
        if len(expected) == 1 and len(notebooks) == 1 and notebooks[0].name != expected[0]:
            notebooks[0].rename(dest / expected[0])
            notes.append(f"notebook renamed from {notebooks[0].name} to {expected[0]}")
    else:
        if len(notebook_names) != 1:
            raise CourseError(f"{candidate.origin}: flat notebook files only work for "
                              f"assignments with one notebook; {assignment} has "
                              f"{len(notebook_names)}. Use the <student>/{assignment}/ layout.")
        shutil.copy2(candidate.path, dest / f"{notebook_names[0]}.ipynb")
    (dest / "timestamp.txt").write_text(format_timestamp(candidate.timestamp))
    for notebook in sorted(dest.glob("*.ipynb")):
        problem = read_problem(notebook)
        if problem:
            notes.append(f"{notebook.name}: {problem}")
    return notes


def supersede(course, assignment, entry):
    """Move the current submission of ``entry`` aside, into ``superseded/``."""
    source = course.submitted_dir(entry.student, assignment)
    kept = free_path(course.superseded_dir(entry.student, assignment) / re.sub(
        r"[^0-9A-Za-z]+", "-", entry.timestamp).strip("-"))
    if source.exists():
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(source, kept)
    entry.state, entry.kept_at = "superseded", str(kept)


def free_path(path):
    """``path`` if nothing is there yet, else the first free one of ``<name>-2``, ``<name>-3``...
    (the number goes before the extension). So no kept submission replaces another."""
    number, free = 1, path
    while free.exists():
        number += 1
        free = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return free


def collect_from_path(course, assignment, source, mapping_file=None):
    """Collect from a folder or zip file; return the ledger."""
    notebook_names = course.notebook_names(assignment)
    mapping = read_mapping(mapping_file)
    ledger = Ledger(course, assignment)
    source = Path(source)
    if not source.exists():
        raise CourseError(f"{source} does not exist: give a folder or a .zip file.")
    with tempfile.TemporaryDirectory(prefix="labgrade-zip-") as tmp:
        if source.is_file():
            extract_zip(source, tmp, ledger)
            folder, label = Path(tmp), source.name
        else:
            folder, label = source, ""
        candidates = find_candidates(folder, assignment, mapping, ledger, label)
        for candidate in sorted(candidates, key=lambda c: c.timestamp):
            add_candidate(course, assignment, ledger, candidate, notebook_names)
    register_students(course, ledger)
    ledger.save()
    return ledger


def add_candidate(course, assignment, ledger, candidate, notebook_names):
    """Record a candidate: it becomes the learner's submission if it is the newest."""
    stamp = format_timestamp(candidate.timestamp)
    if not candidate.student:
        ledger.add(Entry(origin=candidate.origin, state="ignored", timestamp=stamp,
                         reason="no student id in the file name: add it to a mapping file"))
        return
    previous = ledger.current_for(candidate.student)
    if previous is not None and previous.timestamp > stamp:
        kept = free_path(course.superseded_dir(candidate.student, assignment)
                         / Path(candidate.origin).name)
        kept.parent.mkdir(parents=True, exist_ok=True)
        copy = shutil.copytree if candidate.is_folder else shutil.copy2
        copy(candidate.path, kept)
        ledger.add(Entry(origin=candidate.origin, state="superseded", student=candidate.student,
                         timestamp=stamp, kept_at=str(kept),
                         reason=f"older than the submission from {previous.origin}"))
        return
    if previous is not None:
        supersede(course, assignment, previous)
        previous.reason = f"older than the submission from {candidate.origin}"
    notes = candidate.notes + store(course, assignment, candidate, notebook_names)
    ledger.add(Entry(origin=candidate.origin, state="collected", student=candidate.student,
                     timestamp=stamp, collect_notes=notes))


def exchange_name(folder):
    """(learner, time) from the name of a submission in nbgrader's exchange,
    <learner>+<assignment>+<time>+<random>, read as nbgrader reads it: a learner's name may
    hold a "+"."""
    parts = folder.name.rsplit("+", 3)
    return parts[0], parts[2]


def collect_from_exchange(course, assignment):
    """Collect with ``nbgrader collect``; list older submissions kept in the exchange."""
    notebook_names = course.notebook_names(assignment)
    result = course.api().collect(assignment, update=True)
    if not result["success"]:
        raise CourseError("nbgrader collect failed:\n" + result.get("log", "")
                          + result.get("error", ""))
    exchange = Path(course.config.Exchange.root) / course.config.CourseDirectory.course_id
    inbound = exchange / "inbound"
    ledger = Ledger(course, assignment)
    known = {e.origin for e in ledger.entries}
    by_student = {}
    for folder in sorted(inbound.glob(f"*+{assignment}+*")):
        by_student.setdefault(exchange_name(folder)[0], []).append(folder)
    for student, folders in by_student.items():
        # nbgrader copies the folder whose name holds the newest time, whatever its
        # timestamp.txt says: the ledger follows the same rule
        folders.sort(key=lambda f: parse_timestamp(exchange_name(f)[1]))
        *older, newest = folders
        for folder in older:
            origin = f"exchange/{folder.name}"
            if origin not in known:
                ledger.add(Entry(origin=origin, state="superseded", student=student,
                                 kept_at=str(folder), reason="a newer submission exists"))
        origin = f"exchange/{newest.name}"
        if origin in known:
            continue
        previous = ledger.current_for(student)
        if previous is not None:
            previous.state, previous.kept_at = "superseded", previous.origin
        stamp = format_timestamp(parse_timestamp((newest / "timestamp.txt").read_text()))
        dest = course.submitted_dir(student, assignment)
        notes = []
        for name in notebook_names:
            problem = read_problem(dest / f"{name}.ipynb")
            if problem:
                notes.append(f"{name}.ipynb: {problem}")
        ledger.add(Entry(origin=origin, state="collected", student=student, timestamp=stamp,
                         collect_notes=notes))
    collect_from_learner_inbounds(course, assignment, inbound, ledger, notebook_names)
    register_students(course, ledger)
    ledger.save()
    return ledger


def collect_from_learner_inbounds(course, assignment, inbound, ledger, notebook_names):
    """Collect from the hub users' own inbound folders; the folder names the student.

    A submission whose nbgrader name gives another student was made by hand (nbgrader on
    the hub always writes the hub user's name): it is ignored, with a note in the ledger,
    and stays in the exchange.
    """
    known = {e.origin for e in ledger.entries}
    candidates = []
    for user_folder in sorted(p for p in inbound.glob("*") if p.is_dir() and "+" not in p.name):
        user = user_folder.name
        for folder in sorted(user_folder.glob(f"*+{assignment}+*")):
            origin = f"exchange/{user}/{folder.name}"
            named = folder.name.split("+")[0]
            if origin in known:
                continue
            if named != user:
                ledger.add(Entry(origin=origin, state="ignored", student=user,
                                 reason=f"submitted by the hub user {user!r} under the name "
                                        f"{named!r}; only {user!r} is accepted from this folder"))
                continue
            moment, notes = hub_time(folder, inbound.parent / arrivals.LOG_NAME)
            candidates.append(Candidate(origin, user, folder, moment, True, notes))
    for candidate in sorted(candidates, key=lambda c: c.timestamp):
        add_candidate(course, assignment, ledger, candidate, notebook_names)


# A learner's timestamp.txt further than this from the hub's time is named in the ledger.
STAMP_SLACK = datetime.timedelta(seconds=60)


def hub_time(folder, log):
    """The time of a hub user's submission folder, and notes for the ledger.

    The time is when the hub first saw the folder's present content (labgrade.arrivals), not
    the learner's own ``timestamp.txt``; without the hub's record, the learner's time is used
    and the ledger says so.
    """
    written = submission_time(folder)
    if not log.exists():
        return written, [f"the hub kept no record of arrivals ({log}): the time is the "
                         "learner's own timestamp.txt"]
    seen = arrivals.first_seen(folder, log)
    notes = []
    if seen is None:
        seen = datetime.datetime.now(datetime.timezone.utc)
        notes.append("the hub had not yet seen this content (it changed in the last seconds): "
                     "its time is the time of collection")
    if abs(written - seen) > STAMP_SLACK:
        notes.append(f"timestamp.txt says {format_timestamp(written)}, but the hub first saw "
                     f"this content at {format_timestamp(seen)}: the hub's time is used")
    return seen, notes


def submission_time(folder):
    """When a submission folder was made: its ``timestamp.txt``, else the folder's time."""
    try:
        return parse_timestamp((folder / "timestamp.txt").read_text())
    except (OSError, ValueError):
        return file_time(folder)


def register_students(course, ledger):
    """Add every learner with a current submission to the gradebook."""
    with course.gradebook() as gb:
        for entry in ledger.current():
            gb.update_or_create_student(entry.student)
