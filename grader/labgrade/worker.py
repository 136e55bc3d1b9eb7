"""Grade one submission in its own scratch copy of the course.

A worker process gets a scratch folder with a copy of the assignment's source,
the submission and a snapshot of the gradebook. It runs nbgrader's own
autograder there, with nbgrader's execution step replaced by
:class:`labgrade.split.SplitExecute`: the learner's code runs in a sandboxed
kernel, the tests in the tests' process. The course's real gradebook is never
opened by a worker: the parent process copies the scores over (see
:mod:`labgrade.merge`).
"""
import json
import shutil
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook
from nbgrader.converters import Autograde
from nbgrader.preprocessors import Execute, LimitOutput
from traitlets.config import Config

from .outputs import LimitOutputSize
from .sandbox import SandboxedKernelManager
from .split import SplitExecute


@dataclass(frozen=True)
class Limits:
    """Limits for one submission: seconds per cell, seconds per notebook, memory."""
    cell_timeout: int = 30
    notebook_timeout: int = 120
    memory_mb: int = 2048


def prepare_scratch(course, assignment, student, scratch, snapshot):
    """Copy what nbgrader needs into ``scratch``; return the scratch course root."""
    root = Path(scratch, "course")
    shutil.copytree(course.source_dir(assignment), root / "source" / assignment)
    shutil.copytree(course.submitted_dir(student, assignment),
                    root / "submitted" / student / assignment, symlinks=True)
    shutil.copy(snapshot, root / "gradebook.db")
    return root


def worker_config(root, scratch, student, assignment, limits, tests_socket):
    """The nbgrader config of a worker: scratch course, sandboxed kernel, tests apart, limits."""
    config = Config()
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}"
    config.Execute.timeout = limits.cell_timeout
    # nbgrader fails the whole notebook if printed output still arrives 4 s after a
    # cell ends (iopub_timeout), which happens with 100 MB of output on a busy computer
    config.Execute.iopub_timeout = max(limits.cell_timeout, 30)
    config.Execute.kernel_manager_class = SandboxedKernelManager
    # the learner's kernel has nothing to save: stop it at once, not after a polite wait
    config.Execute.shutdown_kernel = "immediate"
    manager = config.SandboxedKernelManager
    manager.workdir = str(root / "autograded" / student / assignment)
    manager.scratch = str(scratch)
    manager.memory_mb = limits.memory_mb
    config.SplitExecute.tests_socket = str(tests_socket)
    config.SplitExecute.tests_timeout = limits.notebook_timeout
    config.SplitExecute.timings_file = str(Path(scratch, "timings.json"))
    steps = list(Autograde.class_traits()["autograde_preprocessors"].default())
    steps[steps.index(Execute)] = SplitExecute
    steps.insert(steps.index(LimitOutput) + 1, LimitOutputSize)
    config.Autograde.autograde_preprocessors = steps
    return config


def notes_from_outputs(notebook_path, limits):
    """Notes on cells that hit the time or memory limit."""
    notes = []
    for cell in nbformat.read(notebook_path, as_version=4).cells:
        names = {o.get("ename") for o in cell.get("outputs", []) if o.output_type == "error"}
        where = cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {cell.id}"
        if "CellTimeoutError" in names:
            notes.append(f"'{where}' stopped at the {limits.cell_timeout} s time limit")
        if "MemoryError" in names:
            notes.append(f"'{where}' ran out of memory (limit {limits.memory_mb} MB)")
    return notes


def read_results(root, assignment, student, limits):
    """Score, lateness and notes of a graded submission, from the worker's gradebook."""
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        submission = gb.find_submission(assignment, student)
        results = {"score": submission.score, "max_score": submission.max_score,
                   "seconds_late": submission.total_seconds_late, "notes": []}
    for notebook in sorted((root / "autograded" / student / assignment).glob("*.ipynb")):
        results["notes"] += notes_from_outputs(notebook, limits)
    if results["seconds_late"] > 0:
        hours, rest = divmod(int(results["seconds_late"]), 3600)
        late = f"{hours} h {rest // 60} min" if hours else f"{rest // 60} min {rest % 60} s"
        results["notes"].append(f"late by {late}")
    return results


def grade_in_scratch(course, assignment, student, scratch, snapshot, limits, tests_socket):
    """Run nbgrader's autograder on one submission; write ``result.json`` in scratch.

    This runs in a child process. The result says whether nbgrader succeeded and
    holds its log and traceback, so the parent can explain a failure.
    """
    start = time.monotonic()
    result = {"success": False, "error": "", "log": "", "phases": {}}
    try:
        root = prepare_scratch(course, assignment, student, scratch, snapshot)
        api = course.api(worker_config(root, scratch, student, assignment, limits,
                                       tests_socket))
        prepared = time.monotonic()
        result.update(api.autograde(assignment, student, force=True, create=True))
        graded = time.monotonic()
        if result["success"]:
            result.update(read_results(root, assignment, student, limits))
        timings = Path(scratch, "timings.json")
        steps = json.loads(timings.read_text()) if timings.exists() else {}
        result["phases"] = {"scratch": prepared - start, **steps,
                            "nbgrader": graded - prepared - sum(steps.values()),
                            "results": time.monotonic() - graded}
    except Exception:  # everything is reported to the parent, nothing raised
        result["error"] = traceback.format_exc()
    result["seconds"] = round(time.monotonic() - start, 2)
    Path(scratch, "result.json").write_text(json.dumps(result))
