"""A learner's server on the workshop hub runs in a sandbox that shows only an allowlist: it
writes its own home folder and its own inbound folder of the exchange, reads the released
assignments, and cannot see the other learners or their submissions, the course (sources,
gradebook), the project's git history or the hub's secrets."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # not in the quick layer: pytest -m 'not slow'

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT / "grader" / "workshop"))
import workshop_settings  # noqa: E402
from learner_sandbox import learner_inbound, learner_sandbox  # noqa: E402

COURSE_ID = "migstats-lab"

# What a learner's code tries; the test says which of these must work.
PROBE = r"""
import json, os, sys
from pathlib import Path
def attempt(action):
    try:
        action()
        return True
    except OSError:
        return False
def text(path):
    try:
        return Path(path).read_text()
    except OSError:
        return ""
paths = json.loads(sys.argv[1])
import migstats.datasets
print(json.dumps({
    "write own home": attempt(lambda: Path(paths["home"], "notes.txt").write_text("mine")),
    "write own inbound folder": attempt(lambda: Path(paths["inbound"], "submitted.txt").write_text("x")),
    "read the released assignment": "question" in text(paths["released"]),
    "change the released assignment": attempt(lambda: Path(paths["released"]).write_text("x")),
    "read another learner's submission": "answers" in text(paths["other_submission"]),
    "list the other learners' submissions": any("learner02" in name for name in os.listdir(paths["inbound"])),
    "read the course's sources": "SOLUTION" in text(paths["source"]),
    "read the project's git history": len(text(paths["git"])) > 0,
    "read the course's datasets": len(migstats.datasets.load("residence_permits")) > 0,
    "read another learner's work": "answers" in text(paths["other"]),
    "list the other learners": attempt(lambda: os.listdir(paths["homes"])) and len(os.listdir(paths["homes"])) > 1,
    "read the gradebook": "grades" in text(paths["gradebook"]),
    "overwrite the gradebook": attempt(lambda: Path(paths["gradebook"]).write_text("pwned")),
    "read the hub's admin token": len(text(paths["token"])) > 0,
    "read the passwords": "change-me" in text(paths["settings"]),
    "read the hub user's home": "key" in text(paths["hub_home_file"]),
    # a folder of the project that the sandbox shows (read-only); the project's own folder may
    # sit under /tmp, which in the sandbox is the learner's private /tmp
    "write the project": attempt(lambda: Path(paths["project"], "migstats", "pwned.txt").write_text("x")),
}))
"""


@pytest.fixture
def workshop(monkeypatch):
    """A room with a course and two learners, outside /tmp (the sandbox's private /tmp would
    hide anything in /tmp); the hub runs as a user whose home holds a private key."""
    root = Path(tempfile.mkdtemp(prefix="workshop-sandbox-", dir="/var/tmp"))
    hub_home = root / "hub-user"
    (hub_home / ".ssh").mkdir(parents=True)
    (hub_home / ".ssh" / "id_ed25519").write_text("private key")
    monkeypatch.setenv("HOME", str(hub_home))
    course = root / "course"
    course.mkdir()
    (course / "gradebook.db").write_text("every learner's grades")
    (course / "source" / "ws-ex1").mkdir(parents=True)
    (course / "source" / "ws-ex1" / "ws-ex1.ipynb").write_text("### BEGIN SOLUTION")
    settings = root / "workshop.toml"
    settings.write_text((PROJECT / "grader" / "workshop" / "workshop.toml").read_text()
                        .replace('course_dir = "grader"', f'course_dir = "{course}"')
                        .replace('state_dir = ".workshop"', f'state_dir = "{root / "state"}"'))
    ws = workshop_settings.load(settings)
    ws.admin_token()
    for folder in (ws.homes / "learner01", ws.homes / "learner02", ws.exchange):
        folder.mkdir(parents=True)
    (ws.homes / "learner02" / "answers.ipynb").write_text("learner02's answers")
    released = ws.exchange / COURSE_ID / "outbound" / "ws-ex1"
    released.mkdir(parents=True)
    (released / "ws-ex1.ipynb").write_text("the question")
    submitted = learner_inbound(ws, COURSE_ID, "learner02") / "learner02+ws-ex1+2026-01-01 10:00:00.000000 UTC"
    submitted.mkdir(parents=True)
    (submitted / "ws-ex1.ipynb").write_text("learner02's answers")
    yield ws
    shutil.rmtree(root)


def test_a_learner_writes_only_their_home_and_their_inbound_folder(workshop):
    ws = workshop
    home = ws.homes / "learner01"
    gradebook = ws.course_dir / "gradebook.db"
    inbound = ws.exchange / COURSE_ID / "inbound"
    other = learner_inbound(ws, COURSE_ID, "learner02")
    paths = {"home": str(home), "inbound": str(inbound),
             "released": str(ws.exchange / COURSE_ID / "outbound" / "ws-ex1" / "ws-ex1.ipynb"),
             "other_submission": str(next(other.glob("*/ws-ex1.ipynb"))),
             "source": str(ws.course_dir / "source" / "ws-ex1" / "ws-ex1.ipynb"),
             "git": str(PROJECT / ".git" / "HEAD"),
             "other": str(ws.homes / "learner02" / "answers.ipynb"), "homes": str(ws.homes),
             "gradebook": str(gradebook), "token": str(ws.state_dir / "admin-token.txt"),
             "settings": str(ws.config_file), "project": str(PROJECT),
             "hub_home_file": str(Path.home() / ".ssh" / "id_ed25519")}

    cmd = learner_sandbox(ws, home, [sys.executable, "-c", PROBE, json.dumps(paths)], COURSE_ID)
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    could = json.loads(done.stdout.splitlines()[-1])
    assert could == {
        "write own home": True, "write own inbound folder": True,
        "read the released assignment": True, "change the released assignment": False,
        "read another learner's submission": False, "list the other learners' submissions": False,
        "read the course's sources": False, "read the project's git history": False,
        "read the course's datasets": True,
        "read another learner's work": False, "list the other learners": False,
        "read the gradebook": False, "overwrite the gradebook": False,
        "read the hub's admin token": False, "read the passwords": False,
        "read the hub user's home": False, "write the project": False,
    }
    assert gradebook.read_text() == "every learner's grades"
    assert not (PROJECT / "migstats" / "pwned.txt").exists()
    assert (home / "notes.txt").read_text() == "mine"
    assert (learner_inbound(ws, COURSE_ID, "learner01") / "submitted.txt").read_text() == "x"


def test_a_lesson_runs_in_a_learners_sandbox(workshop):
    """The learner's kernel starts inside the sandbox, within its memory limit, and runs a lesson."""
    home = workshop.homes / "learner01"
    lesson = shutil.copy(PROJECT / "modules" / "m1-definitions" / "02-stocks-and-flows.ipynb", home)
    run_it = ("import sys, nbformat, nbclient\n"
              "nb = nbformat.read(sys.argv[1], as_version=4)\n"
              "nbclient.NotebookClient(nb, timeout=120).execute()\n"
              "print('ran', len(nb.cells), 'cells')")
    cmd = learner_sandbox(workshop, home, [sys.executable, "-c", run_it, str(lesson)], COURSE_ID)
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env={"MPLBACKEND": "Agg", "PATH": "", "PYTHONPATH": os.environ.get("PYTHONPATH", "")})
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("ran ")
