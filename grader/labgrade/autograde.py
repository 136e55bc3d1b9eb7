"""Autograde every collected submission, N at a time, each in its own sandbox.

The parent process checks each submission, starts the tests' process (one for
the whole run, in its own sandbox), starts one worker process per submission
(at most N at once), stops a worker that runs past the whole-notebook limit,
and copies each result into the course gradebook itself.
Every submission ends ``graded`` or ``failed`` with a reason in the ledger.
"""
import json
import multiprocessing
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from .checks import check_submission
from .course import CourseError
from .ledger import Ledger
from .merge import copy_autograde_results
from .sandbox import check_sandbox
from .split import imported_modules, trusted_cells
from .testrunner import TestsProcess
from .worker import grade_in_scratch

KERNEL_DIED = ("DeadKernelError", "Kernel died", "kernel died")


def snapshot_gradebook(course, path):
    """Copy the course gradebook consistently (SQLite's backup API)."""
    source = sqlite3.connect(course.root / "gradebook.db")
    target = sqlite3.connect(path)
    with target:
        source.backup(target)
    source.close()
    target.close()


def run_worker(course, assignment, student, scratch, snapshot, limits, tests_socket):
    """The body of a worker process: its output goes to a log file in scratch."""
    log = os.open(Path(scratch, "worker.log"), os.O_WRONLY | os.O_CREAT, 0o600)
    os.dup2(log, 1)
    os.dup2(log, 2)
    grade_in_scratch(course, assignment, student, scratch, snapshot, limits, tests_socket)


def explain_failure(result):
    """A short reason a grader can read, from nbgrader's traceback and log."""
    text = result.get("error", "") + result.get("log", "")
    if any(marker in text for marker in KERNEL_DIED):
        return ("the learner's code stopped the Python kernel (for example os._exit(), "
                "or a crash): grade this notebook by hand")
    if "Timeout waiting for IOPub output" in text:
        return ("a cell printed more output than could be collected in time: "
                "grade this notebook by hand")
    if "CellTimeoutError" in text:
        return ("a cell ran past the time limit and could not be interrupted (the code "
                "ignores interrupts): grade this notebook by hand")
    errors = [line for line in result.get("log", "").splitlines() if line.startswith("[ERROR]")]
    last = errors[0] if errors else (text.strip().splitlines() or ["unknown error"])[-1]
    return f"nbgrader could not grade it: {last}"


def copy_back(course, assignment, student, scratch_root):
    """Copy the graded notebooks (and the submitted and source files) into the course."""
    graded = scratch_root / "autograded" / student / assignment
    dest = course.autograded_dir(student, assignment)
    if dest.exists():
        shutil.rmtree(dest)
    keep = {p.relative_to(course.submitted_dir(student, assignment))
            for p in course.submitted_dir(student, assignment).rglob("*")}
    keep |= {p.relative_to(course.source_dir(assignment))
             for p in course.source_dir(assignment).rglob("*")}
    for rel in sorted(keep):
        path = graded / rel
        if path.is_file() and not path.is_symlink():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest / rel)


class Progress:
    """One line per finished submission: 'labgrade [ 3/20] learner07 graded 7/8'."""

    def __init__(self, total, stream=sys.stderr):
        self.total, self.done, self.stream = total, 0, stream
        self.start = time.monotonic()

    def report(self, entry, seconds, phases=None):
        self.done += 1
        what = (f"graded {entry.score:g}/{entry.max_score:g}" if entry.state == "graded"
                else f"FAILED: {entry.reason}")
        width = len(str(self.total))
        steps = "".join(f", {name} {value:.2f}" for name, value in (phases or {}).items())
        print(f"[{self.done:>{width}}/{self.total}] {entry.student}: {what} ({seconds:.1f} s"
              f"{steps})", file=self.stream, flush=True)

    def finish(self):
        print(f"{self.done} submissions in {time.monotonic() - self.start:.1f} s",
              file=self.stream, flush=True)


def autograde(course, assignment, workers, limits, progress_stream=sys.stderr):
    """Grade every current submission of ``assignment``; return the ledger."""
    check_sandbox()
    notebook_names = course.notebook_names(assignment)
    for name in notebook_names:
        if not (course.release_dir(assignment) / f"{name}.ipynb").exists():
            raise CourseError(f"no student version of {assignment} in "
                              f"{course.release_dir(assignment)}: run "
                              f"'labgrade release {assignment}' first.")
    ledger = Ledger(course, assignment)
    entries = ledger.current()
    if not entries:
        raise CourseError(f"nothing collected for {assignment}: run "
                          f"'labgrade collect {assignment}' first.")
    progress = Progress(len(entries), progress_stream)
    jobs = []
    for entry in entries:
        problem, entry.notes = check_submission(course, assignment, entry.student,
                                                notebook_names)
        entry.score = entry.max_score = None
        if problem:
            entry.state, entry.reason = "failed", problem
            shutil.rmtree(course.autograded_dir(entry.student, assignment), ignore_errors=True)
            progress.report(entry, 0.0)
        else:
            jobs.append(entry)
    ledger.save()
    with tempfile.TemporaryDirectory(prefix="labgrade-") as base:
        snapshot = Path(base, "gradebook-snapshot.db")
        snapshot_gradebook(course, snapshot)
        # the tests' process imports once what the assignment's setup and test cells import
        modules = imported_modules(cell["source"] for name in notebook_names
                                   for cell in trusted_cells(course.db_url, assignment, name))
        with TestsProcess(Path(base, "tests"), modules) as tests_socket:
            run_jobs(course, assignment, jobs, Path(base), snapshot, workers, limits, tests_socket,
                     lambda entry, seconds, phases: (ledger.save(),
                                                     progress.report(entry, seconds, phases)))
    progress.finish()
    return ledger


def run_jobs(course, assignment, jobs, base, snapshot, workers, limits, tests_socket, on_done):
    """Run the worker processes, at most ``workers`` at once; finish each entry."""
    context = multiprocessing.get_context("fork")
    waiting, running = list(jobs), {}
    while waiting or running:
        while waiting and len(running) < workers:
            entry = waiting.pop(0)
            scratch = base / f"scratch-{len(jobs) - len(waiting)}"
            scratch.mkdir()
            process = context.Process(target=run_worker, args=(
                course, assignment, entry.student, scratch, snapshot, limits, tests_socket))
            process.start()
            running[process] = (entry, scratch, time.monotonic())
        time.sleep(0.05)
        for process, (entry, scratch, started) in list(running.items()):
            seconds = time.monotonic() - started
            timed_out = seconds > limits.notebook_timeout
            if process.exitcode is None and not timed_out:
                continue
            if timed_out and process.exitcode is None:
                process.kill()
            process.join()
            del running[process]
            phases = finish(course, assignment, entry, scratch, process.exitcode, timed_out, limits)
            shutil.rmtree(scratch, ignore_errors=True)
            on_done(entry, seconds, phases)


def finish(course, assignment, entry, scratch, exitcode, timed_out, limits):
    """Set the entry's state from a worker's result; copy its scores if it succeeded.

    Returns the seconds each step of the worker took (empty if it gave no result)."""
    # a graded notebook from an earlier run would no longer match the submission
    shutil.rmtree(course.autograded_dir(entry.student, assignment), ignore_errors=True)
    result_file = scratch / "result.json"
    if timed_out:
        entry.state = "failed"
        entry.reason = (f"stopped after {limits.notebook_timeout} s: the whole notebook takes "
                        f"longer than that (each cell may take {limits.cell_timeout} s)")
        return {}
    if not result_file.exists():
        entry.state = "failed"
        entry.reason = f"the grading process stopped (exit code {exitcode}) without a result"
        return {}
    result = json.loads(result_file.read_text())
    if not result["success"]:
        entry.state, entry.reason = "failed", explain_failure(result)
        return result.get("phases", {})
    root = scratch / "course"
    copy_autograde_results(root / "gradebook.db", course.root / "gradebook.db",
                           assignment, entry.student)
    copy_back(course, assignment, entry.student, root)
    entry.score, entry.max_score = result["score"], result["max_score"]
    entry.seconds_late = result["seconds_late"]
    entry.notes += result["notes"]
    entry.state, entry.reason = "graded", ""
    return result.get("phases", {})
