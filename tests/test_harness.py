"""The grading harness and the book's student pages work on a small demo assignment."""

from pathlib import Path

import nbformat
import pytest

from grader_paths import student_pages
from labgrade import answers as answers_module
from nbgrader_harness import Result, assert_proven, grade

pytestmark = pytest.mark.slow  # not in the quick layer: pytest -m 'not slow'

DEMO = Path(__file__).parent / "fixtures" / "harness" / "demo-ex"


def test_reference_gets_full_marks_and_wrong_answers_less(tmp_path):
    results = grade(DEMO, {"ref": {}, "wrong_total": {"total": "total = max(values)"},
                           "empty": {"total": "", "mean": ""}}, tmp_path)
    assert results["ref"].score == results["ref"].max_score == 3
    assert results["wrong_total"].cells == {"total_test": 0, "mean_test": 0}
    assert results["empty"].score == 0


def test_student_pages_hide_solutions(tmp_path):
    pages = student_pages.generate(["demo-ex"], source=DEMO.parent, out=tmp_path)
    assert [p.name for p in pages] == ["demo-ex.ipynb"]
    nb = nbformat.read(pages[0], as_version=4)
    text = "\n".join(c.source for c in nb.cells)
    assert "sum(values)" not in text and "HIDDEN" not in text and "== 12" not in text
    assert "raise NotImplementedError" in text
    assert nb.metadata["mystnb"]["execution_mode"] == "off"


def test_reference_answers_drop_the_solution_markers():
    answers = answers_module.reference_answers(DEMO / "demo-ex.ipynb")
    assert answers and all("SOLUTION" not in code for code in answers.values())
    assert "sum(values)" in answers["total"]


def test_assert_proven_fails_when_a_mistake_is_not_caught():
    cells = {f"q{i}_test": 1.0 for i in range(1, 7)}
    ref = Result(cells=dict(cells), max_cells=dict(cells))
    caught = Result(cells={**cells, "q2_test": 0.0}, max_cells=dict(cells))
    assert_proven("demo", {"ref": ref, "wrong": caught}, {"wrong": "q2_test"})
    with pytest.raises(AssertionError, match="q3_test should catch 'wrong'"):
        assert_proven("demo", {"ref": ref, "wrong": caught}, {"wrong": ["q2_test", "q3_test"]})
    with pytest.raises(AssertionError, match="got full marks"):
        assert_proven("demo", {"ref": ref, "wrong": ref}, {"wrong": "q2_test"})
