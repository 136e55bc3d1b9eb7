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


def submodules_used(sources: list[str]) -> set[str]:
    """Submodules that code reaches as attributes (``np.random``, ``matplotlib.pyplot``) of the
    modules it imports, without importing them itself."""
    import ast
    import importlib.util

    from IPython.core.inputtransformer2 import TransformerManager
    from labgrade.split import imported_modules

    imported = set(imported_modules(sources))
    trees = [ast.parse(TransformerManager().transform_cell(s)) for s in sources]
    names = {}  # the name code uses -> the module it stands for
    for node in (n for tree in trees for n in ast.walk(tree)):
        if isinstance(node, ast.Import):
            names.update((a.asname, a.name) if a.asname else (a.name.split(".")[0],) * 2 for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.update((a.asname or a.name, f"{node.module}.{a.name}") for a in node.names)
    used = set()
    for node in (n for tree in trees for n in ast.walk(tree)):
        chain = []
        while isinstance(node, ast.Attribute):
            chain.insert(0, node.attr)
            node = node.value
        if not (isinstance(node, ast.Name) and node.id in names and chain):
            continue
        dotted = names[node.id].split(".") + chain
        for end in range(len(names[node.id].split(".")) + 1, len(dotted) + 1):
            module = ".".join(dotted[:end])
            try:
                found = importlib.util.find_spec(module) is not None
            except (ImportError, ValueError, AttributeError):
                found = False
            if not found:
                break
            if module not in imported:
                used.add(module)
    return used


def test_submodules_used_are_found():
    sources = ["import numpy as np\nimport matplotlib\nfrom migstats import datasets\n"
               "np.random.default_rng(1)\nmatplotlib.pyplot.plot([])\ndatasets.schema.DATA_DIR\n"
               "np.mean([1])"]
    assert submodules_used(sources) == {"numpy.random", "matplotlib.pyplot", "migstats.datasets.schema"}
    assert submodules_used(["import matplotlib.pyplot as plt\nplt.plot([])"]) == set()


def unreachable_in_a_new_python(imports: list[str], modules: set[str]) -> set[str]:
    """The modules that are not attributes of their parents after only these import statements."""
    import subprocess
    import sys

    code = "\n".join([*imports, "import sys", "for module in sys.argv[1:]:",
                      "    parent, _, name = module.rpartition('.')",
                      "    if not hasattr(sys.modules[parent], name): print(module)"])
    run = subprocess.run([sys.executable, "-c", code, *sorted(modules)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return set(run.stdout.split())


def test_a_submodule_that_a_new_python_has_not_loaded_is_named():
    assert unreachable_in_a_new_python(["import matplotlib"], {"matplotlib.pyplot"}) == {"matplotlib.pyplot"}
    assert unreachable_in_a_new_python(["import matplotlib.pyplot as plt"], {"matplotlib.pyplot"}) == set()
    assert unreachable_in_a_new_python(["import numpy"], {"numpy.random"}) == set()


def test_notebooks_import_the_submodules_they_use():
    """The book's kernels are forks that already hold every notebook's imports
    (book/_ext/kernel_forks.py): a notebook that uses a submodule it does not import would run
    in the build but fail on a learner's computer. So each use must work in a new Python."""
    import ast
    from collections import defaultdict

    from IPython.core.inputtransformer2 import TransformerManager

    sources = {path: [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
               for path in NOTEBOOKS}
    used = {path: submodules_used(code) for path, code in sources.items()}
    # Most are imported with their parent (numpy.random with numpy): one look per parent.
    by_parent = defaultdict(set)
    for module in set().union(*used.values()):
        by_parent[module.rpartition(".")[0]].add(module)
    hidden = set().union(*(unreachable_in_a_new_python([f"import {parent}"], modules)
                           for parent, modules in by_parent.items()))
    wrong = []
    for path in (p for p in NOTEBOOKS if used[p] & hidden):
        imports = [ast.unparse(n) for code in sources[path]
                   for n in ast.walk(ast.parse(TransformerManager().transform_cell(code)))
                   if isinstance(n, (ast.Import, ast.ImportFrom)) and getattr(n, "level", 0) == 0]
        wrong += [f"{_id(path)}: {m}" for m in sorted(unreachable_in_a_new_python(imports, used[path] & hidden))]
    assert not wrong, "import these submodules where they are used:\n" + "\n".join(wrong)
