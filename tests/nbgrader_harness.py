"""Grade notebooks as learners' work is graded, in a scratch course, for the exercise tests.

`grade(source_dir, submissions, workdir)` copies one assignment's source into a new course,
releases the student version, fills every answer cell (with the reference solution unless the
submission says otherwise), and grades all submissions with labgrade: nbgrader's autograder,
with the learner's code in its sandboxed kernel and the tests in their own process. It returns
the score of each autograded cell. (tests/test_labgrade.py checks that labgrade gives the same
scores as plain nbgrader on honest work.)
"""

import functools
import io
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from labgrade.answers import answered, reference_answers
from labgrade.autograde import autograde
from labgrade.collect import collect_from_path
from labgrade.course import Course
from labgrade.release import release
from labgrade.worker import Limits
from nbgrader.api import Gradebook

COURSE_CONFIG = Path(__file__).resolve().parent.parent / "grader" / "nbgrader_config.py"
LIMITS = Limits(cell_timeout=120, notebook_timeout=900, memory_mb=4096)
FIXTURE_SOURCES = Path(__file__).resolve().parent / "fixtures" / "labgrade" / "source"


@functools.cache
def empty_gradebook() -> Path:
    """A new, empty gradebook of the course, made once per process and copied into each test
    course: nbgrader runs the `alembic` command (seconds) whenever it creates one."""
    root = Path(tempfile.mkdtemp(prefix="empty-gradebook-"))
    shutil.copy(COURSE_CONFIG, root)
    Course(root).gradebook().close()
    return root / "gradebook.db"


def new_course(root: Path) -> Path:
    """An empty course at ``root``: the course config and an empty gradebook."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(COURSE_CONFIG, root)
    shutil.copy(empty_gradebook(), root / "gradebook.db")
    return root


def fixture_course(root: Path) -> Path:
    """A new course at ``root`` with the small test assignments of tests/fixtures/labgrade."""
    shutil.copytree(FIXTURE_SOURCES, root / "source")
    return new_course(root)


@dataclass
class Result:
    """The autograded result of one submission."""

    cells: dict[str, float] = field(default_factory=dict)  # grade_id -> score (autograded cells)
    max_cells: dict[str, float] = field(default_factory=dict)

    @property
    def score(self) -> float:
        return sum(self.cells.values())

    @property
    def max_score(self) -> float:
        return sum(self.max_cells.values())


def grade(source_dir: Path, submissions: dict[str, dict[str, str]], workdir: Path) -> dict[str, Result]:
    """Autograde each submission (student id -> {grade_id: code}) of the assignment in source_dir.

    Answer cells a submission does not name get the reference solution, so a submission that names
    no cell is the reference solution itself.
    """
    aid = source_dir.name
    root = Path(workdir) / "course"
    shutil.copytree(source_dir, root / "source" / aid)
    course = Course(new_course(root))
    release(course, aid)
    inbox = Path(workdir) / "inbox"
    for student, answers in submissions.items():
        for released in (root / "release" / aid).glob("*.ipynb"):
            filled = {**reference_answers(root / "source" / aid / released.name), **answers}
            target = inbox / student / aid / released.name
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(answered(released, filled), target)
    collect_from_path(course, aid, str(inbox))
    ledger = autograde(course, aid, workers=2, limits=LIMITS, progress_stream=io.StringIO())
    failed = {e.student: e.reason for e in ledger.current() if e.state != "graded"}
    assert not failed, f"labgrade could not grade {aid}: {failed}"

    results = {}
    with Gradebook(course.db_url) as gb:
        for student in submissions:
            result = Result()
            for nb in gb.find_submission(aid, student).notebooks:
                for g in nb.grades:
                    if g.cell.cell_type == "code":  # written answers are graded by hand
                        result.cells[g.name] = g.score
                        result.max_cells[g.name] = g.max_score
            results[student] = result
    return results


def assert_proven(assignment: str, results: dict[str, Result], caught_by: dict[str, str | list[str]]) -> None:
    """The exercise is proven: the reference ("ref") gets full marks on at least six autograded
    cells, and each wrong submission scores zero on the cell(s) meant to catch it and less in all."""
    ref = results["ref"]
    assert len(ref.cells) >= 6, f"{assignment}: expected at least six autograded cells, got {ref.cells}"
    assert ref.score == ref.max_score > 0, f"{assignment}: the reference solution scored {ref.cells}"
    for student, cells in caught_by.items():
        result = results[student]
        assert result.score < ref.max_score, f"{assignment}: wrong answer {student!r} got full marks"
        for cell in [cells] if isinstance(cells, str) else cells:
            assert result.cells[cell] == 0, f"{assignment}: {cell} should catch {student!r}: {result.cells}"
