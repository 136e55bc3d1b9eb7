"""Shared test set-up, and the one book build that every book test reads."""

import fcntl
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# nbgrader calls command-line tools (alembic) and Jupyter kernels of this environment:
# put its bin folder first even when pytest was started without activating .venv.
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
# Headless plotting in the tests' own processes. The book is built under it too, as on a server
# that sets it: its kernels must still draw inline (test_book_pages.py counts the figures).
os.environ.setdefault("MPLBACKEND", "Agg")


@dataclass
class BookBuild:
    """A build of the book made for this test run, apart from the user's _build/."""
    out: Path
    returncode: int
    log: str

    @property
    def html(self) -> Path:
        return self.out / "html"

    def execution(self) -> dict:
        """Each executed notebook's run, in both editions (French in out/fr/):
        {docname: {source, runtime, succeeded, error, traceback}}."""
        runs = {}
        for report in (self.out / "execution.json", self.out / "fr" / "execution.json"):
            runs.update(json.loads(report.read_text()) if report.exists() else {})
        return runs

    def page(self, docname: str) -> Path:
        """The built HTML page of a document of either edition."""
        edition = self.html / "fr" if "fr" in Path(docname).parts else self.html
        return edition / f"{docname}.html"

    def executed_notebook(self, source: str) -> Path:
        edition = self.out / "fr" if "fr" in Path(source).parts else self.out
        return edition / "jupyter_execute" / source


@pytest.fixture(scope="session")
def book(tmp_path_factory) -> BookBuild:
    """Build the book once per test run, however many pytest-xdist workers ask for it.

    The build goes to the run's own temporary folder (never _build/), so that the tests neither
    reuse nor change what `make book` made. The first worker builds; the others wait for it.
    """
    from grader_paths import student_pages

    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the folder that all workers of this run share
    out, done = shared / "book", shared / "book-build.json"
    with open(shared / "book-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            student_pages.main([])
            run = subprocess.run([sys.executable, str(ROOT / "book" / "build.py"), "--out", str(out)],
                                 capture_output=True, text=True, cwd=ROOT)
            done.write_text(json.dumps({"returncode": run.returncode, "log": run.stdout + run.stderr}))
    result = json.loads(done.read_text())
    return BookBuild(out, result["returncode"], result["log"])
