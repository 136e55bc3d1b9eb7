"""Checks on a submission before it is run.

nbgrader restores edited read-only and test cells from the gradebook, so the
source version is what runs. But it says nothing about it: its checksum
warning fires for every learner whenever hidden tests exist (nbgrader issue
#1961), and a deleted test cell silently scores zero. These checks compare
each read-only cell with the released version and say what was changed.
"""
import json

import nbformat
from nbformat.reader import NotJSONError


def read_problem(path):
    """Why the notebook at ``path`` cannot be graded, or ``""`` if it can be read."""
    if not path.exists():
        return f"no notebook {path.name} in the submission"
    if path.stat().st_size == 0:
        return "empty submission: the file has 0 bytes"
    try:
        notebook = nbformat.read(path, as_version=4)
    except (NotJSONError, json.JSONDecodeError, UnicodeDecodeError) as error:
        return f"not a valid notebook: the file is not valid JSON ({str(error)[:120]})"
    except Exception as error:  # nbformat raises several types for bad notebooks
        return f"not a valid notebook ({type(error).__name__}: {error})"
    if not notebook.cells:
        return "empty submission: the notebook has no cells"
    return ""


def nbgrader_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id", "")


def is_locked(cell):
    meta = cell.metadata.get("nbgrader", {})
    return bool(meta.get("locked") or (meta.get("grade") and not meta.get("solution")))


def compare_with_release(submitted, released, assignment):
    """Return (problem, notes) for a readable submitted notebook.

    ``problem`` is set when the notebook is not one of this assignment.
    ``notes`` list edited or deleted read-only cells and a changed kernel.
    """
    locked = [cell for cell in released.cells if is_locked(cell)]
    sources = {cell.source.strip() for cell in submitted.cells}
    if locked and not any(cell.source.strip() in sources for cell in locked):
        return (f"not a notebook of {assignment}: none of its {len(locked)} read-only cells "
                "is in it (another exercise, or every read-only cell was changed)"), []
    by_id = {nbgrader_id(cell): cell for cell in submitted.cells if nbgrader_id(cell)}
    notes = []
    for cell in locked:
        name = nbgrader_id(cell)
        kind = "test cell" if cell.metadata.nbgrader.get("grade") else "read-only cell"
        if name not in by_id:
            loss = "; it scores 0" if kind == "test cell" else ""
            notes.append(f"tampered: {kind} '{name}' was deleted{loss}")
        elif by_id[name].source.strip() != cell.source.strip():
            notes.append(f"tampered: {kind} '{name}' was edited; the original was run")
    kernel = submitted.metadata.get("kernelspec", {}).get("name")
    expected = released.metadata.get("kernelspec", {}).get("name")
    if kernel != expected:
        notes.append(f"kernel '{kernel}' replaced by the course kernel '{expected}'")
    return "", notes


def check_submission(course, assignment, student, notebook_names):
    """Return (problem, notes) for a learner's submission (see compare_with_release)."""
    notes = []
    for name in notebook_names:
        path = course.submitted_dir(student, assignment) / f"{name}.ipynb"
        problem = read_problem(path)
        if problem:
            return problem, notes
        released = nbformat.read(course.release_dir(assignment) / f"{name}.ipynb", as_version=4)
        problem, more = compare_with_release(nbformat.read(path, as_version=4), released,
                                             assignment)
        if problem:
            return problem, notes
        notes += [f"{name}: {note}" if len(notebook_names) > 1 else note for note in more]
    return "", notes
