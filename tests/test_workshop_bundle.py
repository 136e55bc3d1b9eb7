"""`make offline-bundle`: the zip is complete, installs with no index into a fresh venv, and runs a lesson.

The wheelhouse is made by `pip wheel`, as `make offline-bundle` makes it: from pip's cache, else from
the package index (`make venv` installs with uv, whose cache pip does not read).
The install is real and whole (`-r requirements.txt`); it takes a minute or two.
"""
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # not in the quick layer: pytest -m 'not slow'

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT / "grader" / "workshop"))
import bundle  # noqa: E402

PIP = ["-m", "pip", "--disable-pip-version-check", "--quiet"]
RUN_LESSON = """
import sys, nbclient, nbformat
nb = nbformat.read(sys.argv[1], as_version=4)
nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                        resources={"metadata": {"path": sys.argv[2]}}).execute()
print(sum(c.cell_type == "code" for c in nb.cells))
"""


def project_files(folder):
    return {p.relative_to(PROJECT).as_posix() for p in (PROJECT / folder).rglob("*")
            if p.is_file() and not bundle.SKIP & set(p.parts)}


def test_offline_bundle_is_complete_and_installs_with_no_network(tmp_path):
    html = tmp_path / "html"
    html.mkdir()
    (html / "index.html").write_text("<p>the built book</p>")
    out = tmp_path / "bundle.zip"
    names = bundle.make_bundle(out, html, tmp_path / "wheels")

    inside = {n.removeprefix(f"{bundle.NAME}/") for n in names}
    assert {"START-HERE.md", "html/index.html", "requirements.txt", "pyproject.toml"} <= inside
    lessons = sorted(project_files("modules"))
    assert any(name.endswith(".ipynb") for name in lessons), "no lesson notebooks to bundle"
    assert set(lessons) | project_files("datasets") | project_files("migstats") <= inside
    assert project_files("grader/workshop/learner/labextensions") <= inside  # citations as in the book
    wheels = {bundle.normalise(n.split("/")[-1].split("-")[0]) for n in inside if n.endswith(".whl")}
    assert set(bundle.requirement_names(PROJECT / "requirements.txt")) <= wheels

    with zipfile.ZipFile(out) as archive:
        archive.extractall(tmp_path / "laptop")
    laptop = tmp_path / "laptop" / bundle.NAME
    venv = laptop / ".venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True, timeout=120)
    python = str(venv / "bin" / "python")
    offline = ["--no-index", "--find-links", str(laptop / "wheels"), "--no-compile"]
    for args in (["-r", "requirements.txt"], ["--no-deps", "-e", "."]):
        done = subprocess.run([python, *PIP, "install", *offline, *args], cwd=laptop,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"offline install {args} failed:\n{done.stderr[-3000:]}"

    lesson = laptop / next(n for n in lessons if n.endswith(".ipynb"))
    done = subprocess.run([python, "-c", RUN_LESSON, lesson, lesson.parent], cwd=laptop,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{lesson.name} failed in the offline environment:\n{done.stderr[-3000:]}"
    assert int(done.stdout.split()[-1]) > 0


def test_a_missing_book_gets_a_clear_error(tmp_path):
    try:
        bundle.make_bundle(tmp_path / "b.zip", tmp_path / "no-html", tmp_path / "wheels")
    except bundle.BundleError as err:
        assert "run `make book` first" in str(err)
    else:
        raise AssertionError("a bundle without the book was made")
    assert not (tmp_path / "b.zip").exists()
