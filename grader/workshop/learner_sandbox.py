"""The sandbox a learner's server runs in on the workshop hub.

Every learner's server runs as the operating-system user that started the hub, so the
hub wraps it in the sandbox labgrade grades in (bubblewrap, see ``labgrade.sandbox``).
Inside, a learner can write only their own home folder and the nbgrader exchange, and
cannot see the other learners' folders, the nbgrader course and its gradebook, the
hub's state and secrets, the settings file (passwords), the home folder of the user
who started the hub, or other processes. The network stays: the server talks to the hub.
"""
import sys
from pathlib import Path

from jupyter_core.paths import jupyter_runtime_dir
from labgrade.sandbox import sandbox_command

from workshop_settings import HERE, PROJECT

# Address space of each process in a learner's sandbox (server, kernel), so that one memory
# bomb cannot stop the room's computer.
LEARNER_MEMORY_MB = 4096


def learner_sandbox(ws, home, cmd):
    """The command ``cmd`` run in the sandbox of the learner whose home folder is ``home``."""
    hub_home = Path.home().resolve()
    hidden = [ws.state_dir, ws.course_dir, ws.config_file, jupyter_runtime_dir()]
    if len(hub_home.parts) > 1:  # never hide "/"
        hidden.append(hub_home)
    return sandbox_command(
        cmd, workdir=home, scratch=ws.state_dir / "sandboxes" / Path(home).name, network=True,
        hidden=hidden, shown=[PROJECT, sys.prefix, sys.base_prefix, HERE / "learner"],
        writable=[ws.exchange], env={"HOME": str(home)}, memory_mb=LEARNER_MEMORY_MB)
