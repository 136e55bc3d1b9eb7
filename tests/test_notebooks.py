"""Every lesson and datacard notebook runs top to bottom without error, and is committed clean.

The book build executes each notebook once (tests/conftest.py); these tests read its results
(book/_ext/course_book.py writes them) rather than executing the notebooks a second time.
"""

from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.slow  # not in the quick layer: pytest -m 'not slow'

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(
    p for folder in ("book", "modules") for p in (ROOT / folder).rglob("*.ipynb")
    if ".ipynb_checkpoints" not in p.parts and ROOT / "book" / "exercises" not in p.parents
)  # book/exercises/ (and fr/) holds the learners' versions, generated and graded, not lessons


def _id(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebook found under book/ or modules/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_notebook_runs(path, book):
    source = _id(path)
    runs = {run["source"]: run for run in book.execution().values()}
    assert source in runs, f"{source} was not executed by the book build: is it in _toc.yml?"
    problem = failure(source, runs[source], book.executed_notebook(source), path)
    if problem:
        pytest.fail(problem, pytrace=False)


def failure(source: str, run: dict, executed: Path, path: Path) -> str:
    """What went wrong in a notebook's run, naming the notebook and the cell ("" if it ran)."""
    if run["succeeded"]:
        return ""
    cell = _failed_cell(executed, path, run["traceback"] or "")
    return f"{source}, cell {cell}: {run['error']}\n{run['traceback']}"


def test_a_failing_notebook_is_named_with_its_cell(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A"),
                                         nbformat.v4.new_code_cell("x = 1"),
                                         nbformat.v4.new_code_cell("1 / 0")])
    source = tmp_path / "broken.ipynb"
    nbformat.write(nb, source)
    run = {"succeeded": False, "error": "CellExecutionError",
           "traceback": "An error occurred while executing the following cell:\n1 / 0\nZeroDivisionError"}
    message = failure("modules/broken.ipynb", run, tmp_path / "not-written.ipynb", source)
    assert message.startswith("modules/broken.ipynb, cell 2: CellExecutionError")
    nb.cells[2].outputs = [nbformat.v4.new_output("error", ename="ZeroDivisionError", evalue="", traceback=[])]
    nbformat.write(nb, tmp_path / "executed.ipynb")
    assert failure("modules/broken.ipynb", run, tmp_path / "executed.ipynb", source).startswith(
        "modules/broken.ipynb, cell 2:")
    assert failure("modules/broken.ipynb", {"succeeded": True}, source, source) == ""


def _failed_cell(executed: Path, path: Path, traceback: str):
    """Index of the cell that raised: the one with an error output, else the one quoted."""
    if executed.exists():
        cells = nbformat.read(executed, as_version=4).cells
        for i, cell in enumerate(cells):
            if any(out.get("output_type") == "error" for out in cell.get("outputs", [])):
                return i
    cells = nbformat.read(path, as_version=4).cells
    return next((i for i, c in enumerate(cells)
                 if c.cell_type == "code" and c.source.strip() and c.source.strip() in traceback), "?")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_notebook_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    dirty = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert not dirty, f"{_id(path)}: cells {dirty} have outputs; clear them before committing"
