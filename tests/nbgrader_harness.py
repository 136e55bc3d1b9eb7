"""Grade notebooks through real nbgrader, in a scratch course, for the exercise tests.

`grade(source_dir, submissions, workdir)` copies one assignment's source into a new course,
generates the student version, fills every answer cell (with the reference solution unless the
submission says otherwise), autogrades each submission with nbgrader and returns the scores.
"""

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from labgrade.answers import answered, reference_answers
from nbgrader.api import Gradebook
from nbgrader.apps import NbGraderAPI
from traitlets.config import Config


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
    course = Path(workdir) / "course"
    shutil.copytree(source_dir, course / "source" / aid)
    config = Config()
    config.CourseDirectory.root = str(course)
    config.CourseDirectory.db_url = f"sqlite:///{course / 'gradebook.db'}"
    config.Exchange.root = str(course / "exchange")
    config.ExecutePreprocessor.timeout = 120
    api = NbGraderAPI(config=config)
    _check(api.generate_assignment(aid, force=True), f"generate {aid}")

    for student, answers in submissions.items():
        for released in (course / "release" / aid).glob("*.ipynb"):
            filled = {**reference_answers(course / "source" / aid / released.name), **answers}
            target = course / "submitted" / student / aid / released.name
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(answered(released, filled), target)
        _check(api.autograde(aid, student, force=True), f"autograde {aid} for {student}")

    results = {}
    with Gradebook(config.CourseDirectory.db_url) as gb:
        for student in submissions:
            result = Result()
            for nb in gb.find_submission(aid, student).notebooks:
                for g in nb.grades:
                    if g.cell.cell_type == "code":  # written answers are graded by hand
                        result.cells[g.name] = g.score
                        result.max_cells[g.name] = g.max_score
            results[student] = result
    return results


def _check(outcome: dict, what: str) -> None:
    if not outcome["success"]:
        raise AssertionError(f"nbgrader failed to {what}:\n{outcome.get('error')}\n{outcome.get('log')}")


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
