"""The sandbox a learner's server runs in on the workshop hub.

Every learner's server runs as the operating-system user that started the hub, so the
hub wraps it in the sandbox labgrade grades in (bubblewrap, see ``labgrade.sandbox``).
That sandbox shows only an allowlist: the Python environment, ``migstats`` and the
datasets. A learner's sandbox adds their own home folder (writable, with their copy of
the lessons and the student version of the exercises), the learners' JupyterLab settings
(``learner/``), the released assignments (read-only) and their own inbound folder of the
exchange, ``<exchange>/<course>/inbound/<hub user>/``, writable and mounted where nbgrader
looks for the inbound folder, and their own released feedback
(``<exchange>/<course>/feedback-of/<hub user>/``, read-only, where nbgrader looks for feedback).
So nbgrader's ordinary submit and fetch feedback work, a learner cannot read what others
submitted or the feedback of others, and ``labgrade collect`` takes the student id from the folder,
which the hub controls, not from the name the learner's nbgrader wrote. Nothing else is
there: not the other learners' folders or submissions, the nbgrader course, its sources and
gradebook, the project's git history, the hub's state and secrets, the settings file
(passwords), or the home folder of the user who started the hub. The network stays: the server talks to the hub.
"""
import shutil
from pathlib import Path

from labgrade.feedback import OWN_FEEDBACK
from labgrade.sandbox import sandbox_command

from workshop_settings import HERE

# Address space of each process in a learner's sandbox (server, kernel), so that one memory
# bomb cannot stop the room's computer.
LEARNER_MEMORY_MB = 4096


def learner_sandbox(ws, home, cmd, course_id):
    """The command ``cmd`` run in the sandbox of the learner whose home folder is ``home``."""
    name = Path(home).name
    course_exchange = ws.exchange / course_id
    inbound, outbound = learner_inbound(ws, course_id, name), course_exchange / "outbound"
    feedback = course_exchange / OWN_FEEDBACK / name
    for folder in (inbound, outbound, feedback):
        folder.mkdir(parents=True, exist_ok=True)
    return sandbox_command(
        cmd, workdir=home, scratch=ws.state_dir / "sandboxes" / name, network=True,
        readable=[HERE / "learner", outbound, (feedback, course_exchange / "feedback")],
        writable=[(inbound, course_exchange / "inbound")],
        env={"HOME": str(home)}, memory_mb=LEARNER_MEMORY_MB)


def learner_inbound(ws, course_id, name):
    """The inbound folder of the hub user ``name``: what ``labgrade collect`` reads."""
    return ws.exchange / course_id / "inbound" / name


def copy_learner_files(ws, home):
    """Copy the course files into a learner's home, once: a learner's later changes are kept."""
    for item in ws.learner_files:
        target = Path(home) / item.name
        if item.is_dir() and not target.exists():
            shutil.copytree(item, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        elif item.is_file() and not target.exists():
            shutil.copy2(item, target)
