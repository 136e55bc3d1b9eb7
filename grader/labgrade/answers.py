"""Write answers into a released notebook, as a learner would: for tests and benchmarks.

The reference solution of an answer cell is its source in the instructor's notebook without
nbgrader's ``### BEGIN SOLUTION`` / ``### END SOLUTION`` lines.
"""

import re
from pathlib import Path

import nbformat

SOLUTION_MARKERS = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*(\n|$)", re.MULTILINE)


def reference_answers(source: Path) -> dict[str, str]:
    """The reference solution of each answer cell of a source notebook (grade_id -> code)."""
    nb = nbformat.read(source, as_version=4)
    return {cell.metadata.nbgrader["grade_id"]: SOLUTION_MARKERS.sub("", cell.source).rstrip("\n")
            for cell in nb.cells if cell.metadata.get("nbgrader", {}).get("solution")}


def answered(released: Path, answers: dict[str, str]) -> nbformat.NotebookNode:
    """The released notebook with each answer cell named in `answers` filled in."""
    nb = nbformat.read(released, as_version=4)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and meta.get("grade_id") in answers:
            cell.source = answers[meta["grade_id"]]
    return nb
