"""Start, stop and inspect the workshop room's JupyterHub.

    python grader/workshop/run.py start            # make workshop
    python grader/workshop/run.py stop             # make workshop-stop
    python grader/workshop/run.py status
    python grader/workshop/run.py release m1-ex1   # release an assignment to the room

The settings are in grader/workshop/workshop.toml (or the file WORKSHOP_CONFIG names).
``start`` installs configurable-http-proxy from npm into .node/ the first time.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
from labgrade.sandbox import SandboxError, check_sandbox

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workshop_settings import CHP_COMMAND, CHP_VERSION, CONFIG_ENV, HERE, NODE_DIR, SettingsError, load  # noqa: E402

VENV_BIN = Path(sys.executable).parent
START_TIMEOUT = 90  # seconds for the hub to answer
STOP_TIMEOUT = 30   # seconds for the hub to stop every server


class WorkshopError(RuntimeError):
    """A problem the trainer can fix; the message says how."""


def install_proxy():
    """Install configurable-http-proxy from npm into .node/ unless the right version is there."""
    package_json = NODE_DIR / "node_modules" / "configurable-http-proxy" / "package.json"
    if CHP_COMMAND.exists() and package_json.exists() \
            and json.loads(package_json.read_text())["version"] == CHP_VERSION:
        return
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        raise WorkshopError("the hub's proxy (configurable-http-proxy) needs Node.js 18 or newer "
                            "with npm. Install it (https://nodejs.org, or `sudo apt install nodejs "
                            "npm`), then run `make workshop` again.")
    print(f"Installing configurable-http-proxy {CHP_VERSION} from npm into {NODE_DIR} ...")
    NODE_DIR.mkdir(exist_ok=True)
    done = subprocess.run([npm, "install", "--prefix", str(NODE_DIR), "--no-audit", "--no-fund",
                           "--loglevel=error", f"configurable-http-proxy@{CHP_VERSION}"],
                          capture_output=True, text=True)
    if done.returncode != 0 or not CHP_COMMAND.exists():
        raise WorkshopError(f"npm could not install configurable-http-proxy {CHP_VERSION}:\n"
                            f"{done.stderr.strip()}\nCheck the network (or the npm mirror), "
                            "then run `make workshop` again.")


def release(ws, assignments):
    """Generate and release assignments into the hub's exchange (labgrade, else nbgrader)."""
    ws.exchange.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "LABGRADE_EXCHANGE": str(ws.exchange),
           "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    labgrade = VENV_BIN / "labgrade"
    for assignment in assignments:
        if labgrade.exists():
            steps = [[str(labgrade), "--course", str(ws.course_dir), "release", assignment]]
        else:
            nbgrader = str(VENV_BIN / "nbgrader")
            steps = [[nbgrader, "generate_assignment", assignment, "--force"],
                     [nbgrader, "release_assignment", assignment, "--force"]]
        for cmd in steps:
            done = subprocess.run(cmd, cwd=ws.course_dir, env=env, capture_output=True, text=True)
            if done.returncode != 0:
                raise WorkshopError(f"could not release {assignment}: `{' '.join(cmd)}` said:\n"
                                    f"{done.stdout}{done.stderr}")
        print(f"Released {assignment} into {ws.exchange}.")


def hub_api(ws, path, method="GET", body=None, timeout=10):
    """Call the hub's REST API with the workshop-admin service token; return the JSON reply."""
    request = urllib.request.Request(
        f"{ws.url}/hub/api{path}", method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"token {ws.admin_token()}"})
    with urllib.request.urlopen(request, timeout=timeout) as reply:
        text = reply.read()
    return json.loads(text) if text else None


def hub_pid(ws):
    """The running hub's process id, or None."""
    try:
        pid = int(ws.hub_pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    return pid if psutil.pid_exists(pid) else None


def port_free(ip, port):
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((ip, port))
        except OSError:
            return False
    return True


def start(ws):
    if hub_pid(ws):
        print(f"The hub is already running at {ws.url} (process {hub_pid(ws)}).")
        return
    for port in (ws.port, ws.hub_port, ws.proxy_api_port):
        if not port_free("127.0.0.1", port):
            raise WorkshopError(f"port {port} is in use by another program. Stop it, or set "
                                f"another [hub] port in {ws.config_file} (the hub uses the port "
                                "and the two after it).")
    try:
        check_sandbox()
    except SandboxError as err:
        raise WorkshopError(f"learners' servers run in a sandbox, which does not work here: {err} "
                            "(`make sandbox` installs it.)") from None
    install_proxy()
    ws.state_dir.mkdir(parents=True, exist_ok=True)
    ws.homes.mkdir(exist_ok=True)
    release(ws, ws.release)
    ws.exchange.mkdir(exist_ok=True)
    env = {**os.environ, CONFIG_ENV: str(ws.config_file), "WORKSHOP_STATE_DIR": str(ws.state_dir),
           "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    with open(ws.log_file, "ab") as log:
        hub = subprocess.Popen(
            [str(VENV_BIN / "jupyterhub"), "-f", str(HERE / "jupyterhub_config.py")],
            cwd=ws.state_dir, env=env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if hub.poll() is not None:
            raise WorkshopError(f"the hub stopped at start. The end of {ws.log_file}:\n"
                                + "\n".join(ws.log_file.read_text().splitlines()[-20:]))
        try:
            hub_api(ws, "/", timeout=2)
            break
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    else:
        stop(ws)
        raise WorkshopError(f"the hub did not answer within {START_TIMEOUT} s; see {ws.log_file}.")
    print_welcome(ws)


def lan_addresses():
    """This machine's addresses on the local network (no traffic is sent)."""
    found = set()
    for addresses in psutil.net_if_addrs().values():
        for a in addresses:
            if a.family == socket.AF_INET and not a.address.startswith("127."):
                found.add(a.address)
    return sorted(found)


def print_welcome(ws):
    print(f"\nThe workshop hub is running (log: {ws.log_file}).")
    if ws.ip in ("0.0.0.0", ""):
        urls = [f"http://{a}:{ws.port}" for a in lan_addresses()] or [ws.url]
        print("Learners on this network open one of:", *urls, sep="\n  ")
    print(f"On this machine: {ws.url}")
    print(f"Learners: names {ws.learners[0]} ... {ws.learners[-1]}" if ws.learners else "No learners listed.")
    print(f"Learners' password: {ws.learner_password}")
    print(f"Trainers ({', '.join(ws.trainers)}), password: {ws.trainer_password}")
    print("Stop the hub with `make workshop-stop`.")


def workshop_processes(ws):
    """Processes started for this hub (hub, proxy, servers, kernels), found by their environment."""
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.pid != os.getpid() and proc.environ().get("WORKSHOP_STATE_DIR") == str(ws.state_dir):
                found.append(proc)
        except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    return found


def stop(ws):
    """Stop the hub (it stops every server and the proxy), then anything left behind."""
    pid = hub_pid(ws)
    if pid:
        hub = psutil.Process(pid)
        hub.send_signal(signal.SIGTERM)
        try:
            hub.wait(STOP_TIMEOUT)
        except psutil.TimeoutExpired:
            hub.kill()
    leftovers = workshop_processes(ws)
    for proc in leftovers:
        try:
            proc.terminate()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(leftovers, timeout=10)
    for proc in alive:
        proc.kill()
    ws.hub_pid_file.unlink(missing_ok=True)
    print("The workshop hub is stopped." if pid or leftovers else "The workshop hub was not running.")
    return len(leftovers)


def status(ws):
    pid = hub_pid(ws)
    if not pid:
        print("The workshop hub is not running. Start it with `make workshop`.")
        return
    users = hub_api(ws, "/users")
    running = sorted(u["name"] for u in users if u.get("servers"))
    print(f"The hub is running at {ws.url} (process {pid}).")
    print(f"{len(running)} of {len(users)} users have a server running: {', '.join(running) or 'none'}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["start", "stop", "status", "release"])
    parser.add_argument("assignments", nargs="*", help="for release: the assignment ids")
    parser.add_argument("--config", help=f"the settings file (default: {HERE / 'workshop.toml'})")
    args = parser.parse_args(argv)
    try:
        ws = load(args.config)
        if args.action == "release":
            release(ws, args.assignments)
        else:
            {"start": start, "stop": stop, "status": status}[args.action](ws)
    except (SettingsError, WorkshopError) as err:
        sys.exit(f"Error: {err}")


if __name__ == "__main__":
    main()
