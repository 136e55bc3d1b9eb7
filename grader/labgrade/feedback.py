"""One HTML feedback file per graded learner (nbgrader's generate_feedback).

The course config puts ``ClearHiddenTests`` and ``ClearTestTracebacks`` in the
feedback preprocessors, so the feedback never shows the hidden tests: neither
their source nor the traceback of one that failed.

Released feedback goes to the exchange under a hash of the secret that
``nbgrader submit`` writes into the submission and into the learner's own cache;
``nbgrader fetch_feedback`` finds it there. Learners collected from a folder or
zip have no such secret, so the exchange cannot deliver their feedback: the
trainer sends them their files another way (``without_secret`` names them).

On the room's hub a learner's sandbox shows only their own feedback: release also copies each
learner's files into ``<exchange>/<course>/feedback-of/<student>/``, and the hub mounts that
folder where nbgrader looks for feedback (``grader/workshop/learner_sandbox.py``).
"""
import shutil
from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from nbgrader.utils import notebook_hash
from traitlets import Bool
from traitlets.config import Config

from .course import CourseError
from .ledger import Ledger

SECRET = "submission_secret.txt"  # written by nbgrader submit, read by release_feedback
OWN_FEEDBACK = "feedback-of"  # <exchange>/<course>/feedback-of/<student>/: one learner's feedback


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
    """Generate feedback; return {student: [html files]} for every graded learner.

    ``release`` also puts it in the exchange, for the learners who have a submission secret.
    """
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
        release_feedback(course, assignment)
    return {s: sorted(course.feedback_dir(s, assignment).glob("*.html")) for s in graded}


def without_secret(course, assignment):
    """The learners with feedback but no submission secret: collected from a folder or zip."""
    folders = sorted((course.root / "feedback").glob(f"*/{assignment}"))
    return [f.parent.name for f in folders if not (f / SECRET).exists()]


def release_feedback(course, assignment):
    """Release the feedback to the exchange, leaving out the learners without a secret."""
    skip = Config()
    skip.CourseDirectory.student_id_exclude = ",".join(without_secret(course, assignment))
    result = course.api(skip).release_feedback(assignment)
    if not result["success"]:
        raise CourseError("nbgrader release_feedback failed:\n"
                          + result.get("log", "") + result.get("error", ""))
    give_each_learner_their_feedback(course, assignment)


def give_each_learner_their_feedback(course, assignment):
    """Copy each learner's released feedback into their own folder of the exchange."""
    config = course.config
    exchange = Path(config.Exchange.root) / config.CourseDirectory.course_id
    for folder in sorted((course.root / "feedback").glob(f"*/{assignment}")):
        if not (folder / SECRET).exists():
            continue
        secret = (folder / SECRET).read_text()  # read as nbgrader's release_feedback reads it
        own = exchange / OWN_FEEDBACK / folder.parent.name
        own.mkdir(parents=True, exist_ok=True)
        for html in folder.glob("*.html"):
            name = f"{notebook_hash(secret=secret, notebook_id=html.stem)}.html"
            shutil.copy(exchange / "feedback" / name, own / name)
