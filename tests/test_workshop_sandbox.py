"""A learner's server on the workshop hub runs in a sandbox: it writes its own home folder and
the exchange, and cannot see the other learners, the course's gradebook or the hub's secrets."""
import json
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
from learner_sandbox import learner_sandbox  # noqa: E402

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
    "write the exchange": attempt(lambda: Path(paths["exchange"], "submitted.txt").write_text("x")),
    "read the course's datasets": len(migstats.datasets.load("residence_permits")) > 0,
    "read another learner's work": "answers" in text(paths["other"]),
    "list the other learners": attempt(lambda: os.listdir(paths["homes"])) and len(os.listdir(paths["homes"])) > 1,
    "read the gradebook": "grades" in text(paths["gradebook"]),
    "overwrite the gradebook": attempt(lambda: Path(paths["gradebook"]).write_text("pwned")),
    "read the hub's admin token": len(text(paths["token"])) > 0,
    "read the passwords": "change-me" in text(paths["settings"]),
    "read the hub user's home": "key" in text(paths["hub_home_file"]),
    "write the project": attempt(lambda: Path(paths["project"], "pwned.txt").write_text("x")),
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
    settings = root / "workshop.toml"
    settings.write_text((PROJECT / "grader" / "workshop" / "workshop.toml").read_text()
                        .replace('course_dir = "grader"', f'course_dir = "{course}"')
                        .replace('state_dir = ".workshop"', f'state_dir = "{root / "state"}"'))
    ws = workshop_settings.load(settings)
    ws.admin_token()
    for folder in (ws.homes / "learner01", ws.homes / "learner02", ws.exchange):
        folder.mkdir(parents=True)
    (ws.homes / "learner02" / "answers.ipynb").write_text("learner02's answers")
    yield ws
    shutil.rmtree(root)


def test_a_learner_writes_only_their_home_and_the_exchange(workshop):
    ws = workshop
    home = ws.homes / "learner01"
    gradebook = ws.course_dir / "gradebook.db"
    paths = {"home": str(home), "exchange": str(ws.exchange),
             "other": str(ws.homes / "learner02" / "answers.ipynb"), "homes": str(ws.homes),
             "gradebook": str(gradebook), "token": str(ws.state_dir / "admin-token.txt"),
             "settings": str(ws.config_file), "project": str(PROJECT),
             "hub_home_file": str(Path.home() / ".ssh" / "id_ed25519")}

    cmd = learner_sandbox(ws, home, [sys.executable, "-c", PROBE, json.dumps(paths)])
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    could = json.loads(done.stdout.splitlines()[-1])
    assert could == {
        "write own home": True, "write the exchange": True, "read the course's datasets": True,
        "read another learner's work": False, "list the other learners": False,
        "read the gradebook": False, "overwrite the gradebook": False,
        "read the hub's admin token": False, "read the passwords": False,
        "read the hub user's home": False, "write the project": False,
    }
    assert gradebook.read_text() == "every learner's grades"
    assert (home / "notes.txt").read_text() == "mine"


def test_a_lesson_runs_in_a_learners_sandbox(workshop):
    """The learner's kernel starts inside the sandbox, within its memory limit, and runs a lesson."""
    home = workshop.homes / "learner01"
    lesson = shutil.copy(PROJECT / "modules" / "m1-definitions" / "02-stocks-and-flows.ipynb", home)
    run_it = ("import sys, nbformat, nbclient\n"
              "nb = nbformat.read(sys.argv[1], as_version=4)\n"
              "nbclient.NotebookClient(nb, timeout=120).execute()\n"
              "print('ran', len(nb.cells), 'cells')")
    cmd = learner_sandbox(workshop, home, [sys.executable, "-c", run_it, str(lesson)])
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env={"MPLBACKEND": "Agg", "PATH": ""})
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("ran ")
