"""Every lesson and datacard notebook runs top to bottom without error, and is committed clean.

The book build executes each notebook once (tests/conftest.py); these tests read its results
(book/_ext/course_book.py writes them) rather than executing the notebooks a second time.
"""

from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(
    p for folder in ("book", "modules") for p in (ROOT / folder).rglob("*.ipynb")
    if ".ipynb_checkpoints" not in p.parts and p.parent != ROOT / "book" / "exercises"
)


def _id(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebook found under book/ or modules/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_notebook_runs(path, book):
    source = _id(path)
    runs = {run["source"]: run for run in book.execution().values()}
    assert source in runs, f"{source} was not executed by the book build: is it in _toc.yml?"
    run = runs[source]
    if not run["succeeded"]:
        cell = _failed_cell(book.executed_notebook(source), path, run["traceback"] or "")
        pytest.fail(f"{source}, cell {cell}: {run['error']}\n{run['traceback']}", pytrace=False)


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
