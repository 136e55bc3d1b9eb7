"""Nothing secret is reachable from learner code, in the grading sandbox and in a learner's
sandbox on the room's hub.

The project is cloned with its full git history (as a trainer's copy of the course has it), and
its own code builds both sandboxes. Inside each, a search walks every folder it can read and
reads every file, every git repository's objects and every zip; it looks for nbgrader's
solution and hidden-test markers and for lines of the course's hidden tests and reference
solutions, taken from the sources now. It must find none.
"""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.slow  # not in the quick layer: pytest -m 'not slow'

PROJECT = Path(__file__).resolve().parent.parent
COURSE_ID = "migstats-lab"
MARKERS = ["### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS", "BEGIN HIDDEN TESTS"]
SEARCH_TIMEOUT = 120  # seconds for one search

# Runs inside the sandbox; reads the strings to look for from stdin (a file would be found).
SEARCH = r"""
import json, os, stat, subprocess, sys, time, zipfile, zlib
import migstats
started = time.monotonic()
needles = json.load(sys.stdin)
markers = [m.encode() for m in needles["markers"]]
secrets = [s.encode() for s in needles["secrets"]]
# Installed packages and the operating system: only the kinds of file that could hold a copy of
# the course (notebooks, data, documents, path files), not the programs and libraries. The
# grading tools, nbgrader and labgrade, name the markers in their code: only secrets count there.
SYSTEM = tuple(p.rstrip("/") + "/" for p in needles["system"])
COPIES = (".ipynb", ".pth", ".json", ".txt", ".md", ".html", ".toml", ".cfg", ".csv", ".db", ".sqlite", ".zip")
MAX_BYTES = 50 * 1024 * 1024
found, repos, counts = [], [], {"files": 0, "bytes": 0, "git objects": 0}

def search(data, where):
    counts["bytes"] += len(data)
    for needle in secrets + ([] if "/nbgrader/" in where or "/labgrade/" in where else markers):
        if needle in data:
            found.append([where, needle.decode()[:80]])

def read_git(git_dir):
    if git_dir in repos:  # met as the .git of its work tree, then as itself
        return
    repos.append(git_dir)
    cmd = ["git", "-c", "safe.directory=*", "--git-dir", git_dir, "cat-file", "--batch-all-objects", "--batch"]
    try:
        data = subprocess.run(cmd, capture_output=True, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired) as err:
        data = b""
        found.append([git_dir, f"could not read the repository: {err}"])
    counts["git objects"] += data.count(b"\n")
    search(data, git_dir + " (git objects)")

def top_of_site_packages(path):  # editable installs put their path finders there
    return os.path.basename(os.path.dirname(path)) == "site-packages"

def read_file(path):
    info = os.lstat(path)
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
        return
    if path.startswith(SYSTEM) and not path.endswith(COPIES) and not top_of_site_packages(path):
        return
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return
    counts["files"] += 1
    search(data, path)
    if "/objects/" in path:  # a loose git object, wherever it lies
        try:
            search(zlib.decompress(data), path + " (zlib)")
        except zlib.error:
            pass
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(path) as archive:
                for name in archive.namelist():
                    search(archive.read(name), f"{path}:{name}")
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
            pass

for top, folders, files in os.walk(needles.get("root", "/"), followlinks=False):
    if top == "/":
        folders[:] = [f for f in folders if f not in ("proc", "sys")]
    names = set(folders) | set(files)
    if ".git" in names:
        read_git(os.path.join(top, ".git"))
    elif {"objects", "HEAD", "refs"} <= names:  # a bare repository
        read_git(top)
    for name in files:
        read_file(os.path.join(top, name))
print(json.dumps({"found": found, "repos": repos, "migstats": migstats.__file__,
                  "seconds": round(time.monotonic() - started, 1), **counts}))
"""


def hidden_parts(notebook):
    """The solution lines and hidden-test lines of an exercise source."""
    solutions, hidden, where = [], [], None
    for cell in nbformat.read(notebook, as_version=4).cells:
        for line in cell.source.splitlines():
            stripped = line.strip()
            if stripped in ("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS"):
                where = solutions if "SOLUTION" in stripped else hidden
            elif stripped in ("### END SOLUTION", "### END HIDDEN TESTS"):
                where = None
            elif where is not None:
                where.append(stripped)
    return solutions, hidden


def distinctive(lines, shown, count=3):
    """The ``count`` longest lines that appear nowhere in what learners are shown anyway."""
    lines = sorted({line for line in lines if len(line) >= 20 and line not in shown}, key=len)
    return lines[-count:]


def secret_lines(project):
    """Lines of the hidden tests and of the reference solutions, three of each kind."""
    shown = "\n".join(p.read_text(errors="replace") for folder in ("modules", "migstats")
                      for p in (project / folder).rglob("*") if p.suffix in (".ipynb", ".py"))
    solutions, hidden = [], []
    for notebook in sorted((project / "grader" / "source").glob("*/*.ipynb")):
        more_solutions, more_hidden = hidden_parts(notebook)
        solutions += more_solutions
        hidden += more_hidden
    lines = distinctive(hidden, shown) + distinctive(solutions, shown)
    assert len(lines) == 6, "the exercise sources should have hidden tests and solutions"
    return lines


def needle_forms(lines):
    """Each line as it is, and as a notebook file stores it (JSON text, quotes escaped, other
    letters than ASCII as they are or as \\u escapes)."""
    return sorted({form for line in lines for form in (
        line, json.dumps(line)[1:-1], json.dumps(line, ensure_ascii=False)[1:-1])})


def git(*args, cwd=None):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, timeout=120).stdout


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    """The project with its whole history; the working tree's changes on top, so the code tested
    is the code in this checkout."""
    path = tmp_path_factory.mktemp("secrets") / "project"
    git("clone", "-q", "--no-local", str(PROJECT), str(path))
    diff = git("diff", "HEAD", "--binary", cwd=PROJECT)
    if diff:
        subprocess.run(["git", "apply"], input=diff, cwd=path, check=True, timeout=60)
    for name in git("ls-files", "--others", "--exclude-standard", "-z", cwd=PROJECT).decode().split("\0"):
        if name:
            (path / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(PROJECT / name, path / name)
    return path


def in_project(project, code, timeout=120):
    """Run Python ``code`` with ``project``'s own migstats and labgrade; return its last line."""
    env = {**os.environ, "PYTHONPATH": f"{project}{os.pathsep}{project / 'grader'}"}
    done = subprocess.run([sys.executable, "-c", code], cwd=project, env=env, capture_output=True,
                          text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.splitlines()[-1]


def grading_sandbox(project, tmp):
    """The command of the grading sandbox, laid out as labgrade's worker lays out a submission:
    the scratch copy of the course, beside the kernel's folder, holds the exercise's source."""
    scratch = tmp / "scratch" / "learner01"
    course = scratch / "course"
    shutil.copytree(project / "grader" / "source" / "m1-ex1", course / "source" / "m1-ex1")
    workdir = course / "autograded" / "learner01" / "m1-ex1"
    workdir.mkdir(parents=True)
    return json.loads(in_project(project, f"""
import json, sys
from labgrade.sandbox import sandbox_command
print(json.dumps(sandbox_command([sys.executable, "-c", {SEARCH!r}], workdir={str(workdir)!r},
                                 scratch={str(scratch)!r})))
"""))


def hub_sandbox(project):
    """The command of learner01's sandbox on a room's hub run from the project, as the trainer
    starts it: the default settings, with the state folder in the project and one assignment
    released."""
    config = project / "grader" / "workshop" / "workshop.toml"
    exchange = project / ".workshop" / "exchange"
    env = {**os.environ, "PYTHONPATH": f"{project}{os.pathsep}{project / 'grader'}",
           "LABGRADE_EXCHANGE": str(exchange)}
    subprocess.run([Path(sys.executable).parent / "labgrade", "--course", project / "grader",
                    "release", "m1-ex1"], cwd=project, env=env, check=True, capture_output=True,
                   timeout=180)
    assert (exchange / COURSE_ID / "outbound" / "m1-ex1").is_dir()
    return json.loads(in_project(project, f"""
import json, sys
sys.path.insert(0, {str(project / "grader" / "workshop")!r})
import workshop_settings
from learner_sandbox import copy_learner_files, learner_sandbox
ws = workshop_settings.load({str(config)!r})
home = ws.homes / "learner01"
home.mkdir(parents=True)
copy_learner_files(ws, home)
print(json.dumps(learner_sandbox(ws, home, [sys.executable, "-c", {SEARCH!r}], {COURSE_ID!r})))
"""))


def search_in(project, cmd):
    """Run the search in the sandbox command ``cmd``; return what it reports."""
    needles = {"markers": MARKERS, "secrets": needle_forms(secret_lines(project)),
               "system": ["/usr", sys.prefix, sys.base_prefix]}
    env = {**os.environ, "PYTHONPATH": f"{project}{os.pathsep}{project / 'grader'}"}
    done = subprocess.run(cmd, input=json.dumps(needles), env=env, capture_output=True, text=True,
                          timeout=SEARCH_TIMEOUT)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.splitlines()[-1])
    assert Path(report["migstats"]).is_relative_to(project), "the sandbox must use the clone's code"
    assert report["files"] > 1000, "the search read too little to prove anything"
    return report


def found_text(report):
    return "\n".join(f"{where}: {what}" for where, what in report["found"][:20])


def test_the_search_finds_the_secrets_outside_a_sandbox(clone):
    """The search works: run on the clone without a sandbox, it finds every secret line, in the
    git history and in the exercise sources."""
    lines = secret_lines(clone)
    needles = {"markers": MARKERS, "secrets": needle_forms(lines), "system": [], "root": str(clone)}
    done = subprocess.run([sys.executable, "-c", SEARCH], input=json.dumps(needles), cwd=clone,
                          capture_output=True, text=True, timeout=SEARCH_TIMEOUT,
                          env={**os.environ, "PYTHONPATH": str(clone)})
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["repos"] == [str(clone / ".git")]
    for kind in ("(git objects)", "/grader/source/"):
        seen = {what for where, what in report["found"] if kind in where}
        assert set(MARKERS) <= seen, f"the search missed the markers in {kind}"
        for line in lines:
            assert seen & {form[:80] for form in needle_forms([line])}, f"the search missed {line!r} in {kind}"


def test_nothing_secret_in_the_grading_sandbox(clone, tmp_path):
    report = search_in(clone, grading_sandbox(clone, tmp_path))
    assert not report["found"], "learner code can read:\n" + found_text(report)
    assert not report["repos"], f"learner code can read git repositories: {report['repos']}"


def test_nothing_secret_in_a_learners_hub_sandbox(clone):
    report = search_in(clone, hub_sandbox(clone))
    assert not report["found"], "a learner can read:\n" + found_text(report)
    assert not report["repos"], f"a learner can read git repositories: {report['repos']}"
