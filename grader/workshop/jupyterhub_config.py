"""JupyterHub for the workshop room. Do not edit: the trainer's settings are in workshop.toml.

Learners log in with the shared password and get their own JupyterLab in the course
environment (this project's .venv), a copy of the lessons and datasets, and the nbgrader
Assignments tab on the hub's exchange. Trainers log in with the trainers' password; their
JupyterLab opens on the nbgrader course, with the formgrader and ``labgrade``.

Every learner's server runs as the operating-system user that started the hub
(JupyterHub's SimpleLocalProcessSpawner: simple, no root needed), inside a sandbox (see
learner_sandbox.py): it sees only the course environment, its own home folder, the released
assignments and its own inbound folder of the exchange; not the other learners' folders or
submissions, the course's sources and gradebook, or the hub's secrets. Learners still share
the computer's CPU and memory. The trainer's guide says when to use the Kubernetes path instead.
"""
import os
import sys
from pathlib import Path

from traitlets.config import PyFileConfigLoader

sys.path.insert(0, str(Path(__file__).resolve().parent))
from labgrade.arrivals import LOG_NAME  # noqa: E402
from learner_sandbox import copy_learner_files, learner_sandbox  # noqa: E402
from workshop_settings import CHP_COMMAND, HERE, load  # noqa: E402

c = get_config()  # noqa: F821 (defined by JupyterHub's config loader)
ws = load()
venv_bin = Path(sys.executable).parent
course_config = PyFileConfigLoader("nbgrader_config.py", path=str(ws.course_dir)).load_config()
course_id = course_config.CourseDirectory.course_id or "course"

# Network: the public port for browsers; the hub and the proxy's API stay on loopback.
c.JupyterHub.ip = ws.ip
c.JupyterHub.port = ws.port
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = ws.hub_port
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{ws.proxy_api_port}"
c.ConfigurableHTTPProxy.command = [str(CHP_COMMAND)]
c.ConfigurableHTTPProxy.pid_file = str(ws.state_dir / "proxy.pid")

# State: all in one folder, so that a trainer can back it up or delete it.
c.JupyterHub.db_url = f"sqlite:///{ws.state_dir / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(ws.state_dir / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(ws.hub_pid_file)
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every learner's server
c.JupyterHub.cleanup_proxy = True

# Log-in: one shared password for learners, another for trainers (who are hub admins).
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = ws.learner_password
c.SharedPasswordAuthenticator.admin_password = ws.trainer_password
c.Authenticator.allowed_users = set(ws.learners)
c.Authenticator.admin_users = set(ws.trainers)

# A service token for run.py (status) and the tests: manage users and servers.
c.JupyterHub.services = [{"name": "workshop-admin", "api_token": ws.admin_token()}]
# When each submission arrived, as the hub saw it (learners cannot write this record; their own
# timestamp.txt they can): labgrade collect takes a hub user's submission time from it.
exchange = ws.exchange / course_id
c.JupyterHub.services.append({
    "name": "submission-arrivals",
    "command": [sys.executable, "-m", "labgrade.arrivals", str(exchange / "inbound"),
                str(exchange / LOG_NAME)],
    "environment": {"WORKSHOP_STATE_DIR": str(ws.state_dir)},  # run.py stop finds it by this
})
c.JupyterHub.load_roles = [{
    "name": "workshop-admin",
    "scopes": ["admin:users", "admin:servers", "tokens", "list:users", "read:users"],
    "services": ["workshop-admin"],
}]

# Servers: a local process per user, started from the course environment.
c.JupyterHub.spawner_class = "simple"
c.Spawner.cmd = [str(venv_bin / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
if os.geteuid() == 0:  # a hub started by root (a container, a CI runner): servers run as root too
    c.Spawner.args = ["--ServerApp.allow_root=True"]
c.Spawner.start_timeout = 120  # 30 learners logging in at once on a small laptop
c.Spawner.http_timeout = 120
# then SIGTERM, which Jupyter also handles cleanly; a learner's sandbox ends at the first signal
c.LocalProcessSpawner.interrupt_timeout = 2
c.SimpleLocalProcessSpawner.home_dir_template = str(ws.homes / "{username}")


def prepare_home(spawner):
    """Give a learner the course files, a trainer the nbgrader course; set the environment."""
    name = spawner.user.name
    home = ws.homes / name
    home.mkdir(parents=True, exist_ok=True)
    env = {
        "PATH": f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}",
        "WORKSHOP_STATE_DIR": str(ws.state_dir),  # run.py stop finds leftover processes by it
        "WORKSHOP_COURSE_ID": course_id,
        "WORKSHOP_EXCHANGE": str(ws.exchange),
        "LABGRADE_EXCHANGE": str(ws.exchange),
        "MPLBACKEND": "Agg",
        "WORKSHOP_LANGUAGE": ws.language,  # learner/jupyter_server_config.py: JupyterLab's language
    }
    if name in ws.trainers:
        spawner.notebook_dir = str(ws.course_dir)  # formgrader reads nbgrader_config.py here
    else:
        copy_learner_files(ws, home)
        spawner.notebook_dir = str(home)
        env["JUPYTER_CONFIG_PATH"] = str(HERE / "learner")  # the learner's nbgrader settings
        spawner.cmd = learner_sandbox(ws, home, [str(venv_bin / "jupyterhub-singleuser")], course_id)
    spawner.environment = env


c.Spawner.pre_spawn_hook = prepare_home
