"""One HTML feedback file per graded learner (nbgrader's generate_feedback).

The course config puts ``ClearHiddenTests`` and ``ClearTestTracebacks`` in the
feedback preprocessors, so the feedback never shows the hidden tests: neither
their source nor the traceback of one that failed.
"""
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

from .course import CourseError
from .ledger import Ledger


class ClearTestTracebacks(Preprocessor):
    """Keep only the message of a failed test cell: its traceback quotes the hidden test's code."""

    enabled = Bool(True)  # nbgrader registers feedback preprocessors without enabling them

    def preprocess_cell(self, cell, resources, index):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources


def feedback(course, assignment, release=False):
    """Generate feedback; return {student: [html files]} for every graded learner."""
    graded = [e.student for e in Ledger(course, assignment).current() if e.state == "graded"]
    if not graded:
        raise CourseError(f"no graded submission of {assignment}: run "
                          f"'labgrade autograde {assignment}' first.")
    api = course.api()
    result = api.generate_feedback(assignment, force=True)
    if not result["success"]:
        raise CourseError(f"nbgrader generate_feedback failed for {assignment}:\n"
                          + result.get("log", "") + result.get("error", ""))
    if release:
        result = api.release_feedback(assignment)
        if not result["success"]:
            raise CourseError("nbgrader release_feedback failed:\n"
                              + result.get("log", "") + result.get("error", ""))
    return {s: sorted(course.feedback_dir(s, assignment).glob("*.html")) for s in graded}
