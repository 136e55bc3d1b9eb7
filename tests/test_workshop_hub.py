"""The room's JupyterHub, end to end, on loopback.

`grader/workshop/run.py start` starts the hub on a free port with 30 learners and a trainer.
Learners work only through the hub's REST API and their Jupyter server's REST API (the
nbgrader Assignments endpoints and the contents API): fetch, write an answer, submit. The
trainer collects, autogrades and exports with `labgrade`. `run.py stop` must leave no process.
Every wait has a deadline, so a broken hub fails the test instead of hanging it.
"""
import contextlib
import csv
import datetime
import fcntl
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import psutil
import pytest
from labgrade.collect import format_timestamp

pytestmark = pytest.mark.slow  # not in the quick layer: pytest -m 'not slow'

requests = pytest.importorskip("requests")
websocket = pytest.importorskip("websocket", reason="websocket-client runs a learner's code in their kernel")
pytest.importorskip("jupyterhub", reason="jupyterhub is missing: `make venv` installs it from requirements.txt")
if shutil.which("npm") is None or shutil.which("node") is None:
    pytest.skip("the hub's proxy (configurable-http-proxy) needs Node.js with npm, which the project's "
                "install step cannot provide: install Node.js 18 or newer", allow_module_level=True)

PROJECT = Path(__file__).resolve().parent.parent
WORKSHOP = PROJECT / "grader" / "workshop"
FIXTURE = Path(__file__).parent / "fixtures" / "workshop" / "source" / "ws-ex1"
BIN = Path(sys.executable).parent
LEARNERS = [f"learner{i:02d}" for i in range(1, 31)]
SPAWN_TIMEOUT = 240   # seconds for all 31 servers to be ready
REQUEST_TIMEOUT = 60  # seconds for one REST call
TOOL_TIMEOUT = 150    # seconds for one command (start, stop, labgrade)


def _module(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sys.path.insert(0, str(WORKSHOP))
workshop_run = _module("workshop_run", WORKSHOP / "run.py")


def free_port_block():
    """A port p such that p, p+1 and p+2 are free on loopback."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port < 65000 and all(workshop_run.port_free("127.0.0.1", p) for p in (port, port + 1, port + 2)):
            return port
    raise RuntimeError("no three free ports in a row on 127.0.0.1")


def make_course(root):
    """A course with the fixture assignment ws-ex1, copies of it named ws-ex2 and ws-ex1-fr (its
    French version, as far as the hub can tell), and the course config."""
    course = root / "course"
    shutil.copytree(FIXTURE, course / "source" / "ws-ex1")
    for copy in ("ws-ex2", "ws-ex1-fr"):
        (course / "source" / copy).mkdir()
        shutil.copy(FIXTURE / "ws-ex1.ipynb", course / "source" / copy / f"{copy}.ipynb")
    shutil.copy(PROJECT / "grader" / "nbgrader_config.py", course)
    return course


def run(cmd, **kwargs):
    done = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=TOOL_TIMEOUT, **kwargs)
    assert done.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


class Hub:
    """The running hub, seen through its REST API with the workshop-admin token."""

    def __init__(self, ws):
        self.ws = ws
        self.admin = requests.Session()
        self.admin.headers["Authorization"] = f"token {ws.admin_token()}"
        self.admin.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=32))

    def api(self, method, path, **kwargs):
        reply = self.admin.request(method, f"{self.ws.url}/hub/api{path}", timeout=REQUEST_TIMEOUT, **kwargs)
        assert reply.ok, f"{method} {path}: {reply.status_code} {reply.text}"
        return reply.json() if reply.content else None

    def start_server(self, name, deadline):
        self.api("POST", f"/users/{name}/server")
        while not self.api("GET", f"/users/{name}")["servers"].get("", {}).get("ready"):
            assert time.monotonic() < deadline, f"the server of {name} did not start in time"
            time.sleep(0.5)
        return User(self, name)


class User:
    """A hub user's Jupyter server, reached through the hub's proxy with the user's own token."""

    def __init__(self, hub, name):
        self.name = name
        token = hub.api("POST", f"/users/{name}/tokens", json={"note": "test", "expires_in": 3600})["token"]
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"token {token}"
        self.url = f"{hub.ws.url}/user/{name}"
        self.course_id = "migstats-lab"

    def call(self, method, path, **kwargs):
        reply = self.session.request(method, self.url + path, timeout=REQUEST_TIMEOUT, **kwargs)
        assert reply.ok, f"{self.name}: {method} {path}: {reply.status_code} {reply.text[:500]}"
        return reply

    def assignment_action(self, action, assignment):
        reply = self.call("POST", f"/assignments/{action}",
                          data={"course_id": self.course_id, "assignment_id": assignment}).json()
        assert reply["success"], f"{self.name} could not {action} {assignment}: {reply}"
        return reply["value"]

    def run_code(self, code):
        """Run ``code`` in a new kernel of this user's server; return what it printed."""
        kernel = self.call("POST", "/api/kernels", json={"name": "python3"}).json()["id"]
        url = self.url.replace("http://", "ws://") + f"/api/kernels/{kernel}/channels"
        channel = websocket.create_connection(url, timeout=REQUEST_TIMEOUT,
                                              header=[f"Authorization: {self.session.headers['Authorization']}"])
        try:
            msg_id = uuid.uuid4().hex
            channel.send(json.dumps({
                "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": self.name,
                           "session": uuid.uuid4().hex, "version": "5.3"},
                "parent_header": {}, "metadata": {}, "channel": "shell",
                "content": {"code": code, "silent": False}}))
            printed, deadline = [], time.monotonic() + REQUEST_TIMEOUT
            while time.monotonic() < deadline:
                msg = json.loads(channel.recv())
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind = msg["msg_type"]
                if kind == "stream":
                    printed.append(msg["content"]["text"])
                elif kind == "error":
                    raise AssertionError(f"{self.name}'s code failed: {msg['content']['evalue']}")
                elif kind == "status" and msg["content"]["execution_state"] == "idle":
                    return "".join(printed)
            raise AssertionError(f"{self.name}'s code did not finish in time")
        finally:
            channel.close()
            self.call("DELETE", f"/api/kernels/{kernel}")

    def answer(self, assignment, answers):
        """Write code into the answer cells (grade_id -> code) through the contents API."""
        path = f"/api/contents/{assignment}/{assignment}.ipynb"
        model = self.call("GET", path).json()
        for cell in model["content"]["cells"]:
            grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
            if grade_id in answers:
                cell["source"] = answers[grade_id]
        self.call("PUT", path, json={"type": "notebook", "format": "json", "content": model["content"]})


# What each of the 10 learners writes, and the marks nbgrader must give (out of 2 + 1).
RIGHT = {"total": "total = sum(values)", "mean": "mean = total / len(values)"}
WRONG_TOTAL = {"total": "total = max(values)", "mean": "mean = total / len(values)"}
WRONG_MEAN = {"total": "total = sum(values)", "mean": "mean = total / 2"}
OTHER_RIGHT = {"total": "total = 3 + 4 + 5", "mean": "import statistics\nmean = statistics.mean(values)"}
BLANK = {}  # the released notebook as fetched: the answer cells still raise NotImplementedError
TEN = dict(zip(LEARNERS[:10], [
    (RIGHT, {"total_test": 2, "mean_test": 1}), (WRONG_TOTAL, {"total_test": 0, "mean_test": 0}),
    (WRONG_MEAN, {"total_test": 2, "mean_test": 0}), (OTHER_RIGHT, {"total_test": 2, "mean_test": 1}),
    (BLANK, {"total_test": 0, "mean_test": 0}), (RIGHT, {"total_test": 2, "mean_test": 1}),
    (WRONG_MEAN, {"total_test": 2, "mean_test": 0}), (WRONG_TOTAL, {"total_test": 0, "mean_test": 0}),
    (OTHER_RIGHT, {"total_test": 2, "mean_test": 1}), (RIGHT, {"total_test": 2, "mean_test": 1}),
]))


@contextlib.contextmanager
def running_room(root, learners, release, learner_files, language="en"):
    """A running hub with a server for each learner and the trainer; stopped afterwards.
    One hub at a time, whatever pytest-xdist does: 31 servers are already a lot."""
    course = make_course(root)
    config = root / "workshop.toml"
    files = ", ".join(f'"{f}"' for f in learner_files)
    config.write_text(f"""
[hub]
ip = "127.0.0.1"
port = {free_port_block()}
[people]
learner_count = {len(learners)}
trainers = ["trainer"]
[passwords]
learners = "room-password"
[course]
course_dir = "{course}"
learner_files = [{files}]
release = {json.dumps(release)}
language = "{language}"
[state]
state_dir = "{root / 'state'}"
""")
    with open(Path(tempfile.gettempdir()) / "migstats-lab-test-hub.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        ws = workshop_run.load(config)
        start = [sys.executable, WORKSHOP / "run.py", "start", "--config", config]
        stop = [sys.executable, WORKSHOP / "run.py", "stop", "--config", config]
        try:
            run(start)
            hub = Hub(ws)
            deadline = time.monotonic() + SPAWN_TIMEOUT
            with ThreadPoolExecutor(16) as pool:
                users = list(pool.map(lambda name: hub.start_server(name, deadline), [*learners, "trainer"]))
            yield hub, {u.name: u for u in users}, course
        finally:
            try:
                stopped = subprocess.run([str(c) for c in stop], capture_output=True, text=True, timeout=TOOL_TIMEOUT)
            except subprocess.TimeoutExpired as err:
                stopped = err
            left = workshop_run.workshop_processes(ws)
            for proc in left:  # clean up whatever happens, then report
                proc.kill()
            assert getattr(stopped, "returncode", None) == 0, f"run.py stop failed: {stopped}"
            assert not left, f"run.py stop left processes behind: {[p.pid for p in left]}"


QUIZ = PROJECT / "book" / "trainers" / "a5-self-assessment.ipynb"


@pytest.fixture
def room(tmp_path):
    """The room of 30 learners, in English."""
    with running_room(tmp_path, LEARNERS, ["ws-ex1", "ws-ex2"], [PROJECT / "datasets", QUIZ]) as room:
        yield room


def labgrade(course, ws, *args):
    env = {**os.environ, "LABGRADE_EXCHANGE": str(ws.exchange)}
    return run([BIN / "labgrade", "--course", course, *args], env=env)


def test_workshop_hub_round_trip(room, tmp_path):
    """One test, so that pytest-xdist never starts two hubs: 31 servers are already a lot."""
    hub, users, course = room
    check_learners_run_in_the_sandbox(hub)
    check_ten_learners_get_the_right_grades(hub, users, course, tmp_path)
    check_a_learner_can_neither_read_nor_forge_another_learners_submission(hub, users, course)
    check_a_learner_cannot_choose_the_time_of_their_submission(hub, users, course)
    check_thirty_learners_submitting_at_the_same_moment_lose_nothing(hub, users, course)
    check_log_in_and_formgrader(hub, users)


def check_learners_run_in_the_sandbox(hub):
    """Each learner's server runs in bubblewrap, in its own home folder; the trainer's does not."""
    def sandboxed_homes():
        homes = set()
        for proc in psutil.process_iter(["name", "cmdline"]):
            cmd = proc.info["cmdline"] or []  # None when the process ends while it is read
            if proc.info["name"] == "bwrap" and "--chdir" in cmd:  # other tests' sandboxes are elsewhere
                homes.add(Path(cmd[cmd.index("--chdir") + 1]))
        # bwrap runs as two processes per sandbox: compare the home folders, not the processes
        return {home.name for home in homes if home.parent == hub.ws.homes}

    for _ in range(10):  # a busy machine may hide a process from one listing
        seen = sandboxed_homes()
        if seen == set(LEARNERS):
            break
        time.sleep(1)
    assert seen == set(LEARNERS), f"not in a sandbox, or not seen: {sorted(set(LEARNERS) ^ seen)}"


def check_ten_learners_get_the_right_grades(hub, users, course, tmp_path):
    ws = hub.ws

    def learner_session(name):
        user = users[name]
        home = {item["name"] for item in user.call("GET", "/api/contents").json()["content"]}
        assert {"datasets", "a5-self-assessment.ipynb"} <= home, f"{name}'s home lacks the course files"
        listed = user.call("GET", "/assignments", params={"course_id": user.course_id}).json()["value"]
        assert {"ws-ex1", "ws-ex2"} <= {a["assignment_id"] for a in listed if a["status"] == "released"}
        user.assignment_action("fetch", "ws-ex1")
        user.answer("ws-ex1", TEN[name][0])
        return user.assignment_action("submit", "ws-ex1")

    with ThreadPoolExecutor(10) as pool:
        list(pool.map(learner_session, TEN))

    labgrade(course, ws, "collect", "ws-ex1")
    labgrade(course, ws, "autograde", "ws-ex1")
    labgrade(course, ws, "export", "ws-ex1", "--to", tmp_path / "grades.csv")
    with open(tmp_path / "grades.csv", newline="") as f:
        grades = {row["student_id"]: row for row in csv.DictReader(f)}
    assert sorted(grades) == sorted(TEN)
    for name, (_, expected) in TEN.items():
        got = {question: float(grades[name][question]) for question in expected}
        assert got == expected, f"{name} wrote {TEN[name][0]} and got {got}, not {expected}"
        assert float(grades[name]["score"]) == sum(expected.values())
    check_each_learner_fetches_only_their_own_feedback(hub, users, course)


def check_each_learner_fetches_only_their_own_feedback(hub, users, course):
    """The trainer releases feedback; each learner fetches theirs from the Assignments tab and
    sees no other learner's feedback in the exchange."""
    ws = hub.ws
    labgrade(course, ws, "feedback", "ws-ex1", "--release")
    for name in TEN:
        users[name].assignment_action("fetch_feedback", "ws-ex1")
        fetched = list((ws.homes / name / "ws-ex1" / "feedback").glob("*/ws-ex1.html"))
        assert fetched, f"{name} fetched no feedback"
        own = (course / "feedback" / name / "ws-ex1" / "ws-ex1.html").read_bytes()
        assert fetched[0].read_bytes() == own, f"{name} fetched feedback that is not theirs"
    feedback = ws.exchange / "migstats-lab" / "feedback"
    seen = json.loads(users["learner01"].run_code(
        f"import json, os; print(json.dumps(os.listdir({str(feedback)!r})))"))
    assert len(seen) == 1 and len(list(feedback.glob("*.html"))) == len(TEN), (
        f"learner01 sees {seen} in the exchange's feedback folder, not only their own file")


# learner01's code, in its own kernel: look for learner02's submission, then submit as learner02.
TRICK = """
import glob, json, os, shutil
inbound = "{inbound}"
theirs = glob.glob(inbound + "/learner02+ws-ex1+*/ws-ex1.ipynb") + glob.glob("{other}/*/ws-ex1.ipynb")
forged = os.path.join(inbound, "learner02+ws-ex1+2099-01-01 00:00:00.000000 UTC+forged")
seen = sorted(os.listdir(inbound))
shutil.copytree(glob.glob(inbound + "/learner01+ws-ex1+*")[0], forged)
print(json.dumps({{"seen": seen, "theirs": theirs}}))
"""


def check_a_learner_can_neither_read_nor_forge_another_learners_submission(hub, users, course):
    """learner01 sees only its own submissions; one it makes under learner02's name is refused."""
    ws = hub.ws
    inbound = ws.exchange / "migstats-lab" / "inbound"
    learner02_before = (course / "submitted" / "learner02" / "ws-ex1" / "ws-ex1.ipynb").read_text()
    seen = json.loads(users["learner01"].run_code(TRICK.format(inbound=inbound, other=inbound / "learner02")))
    assert seen["theirs"] == [], "learner01 can read learner02's submission"
    assert seen["seen"] and all(name.startswith("learner01+") for name in seen["seen"])
    labgrade(course, ws, "collect", "ws-ex1")
    after = (course / "submitted" / "learner02" / "ws-ex1" / "ws-ex1.ipynb").read_text()
    assert after == learner02_before, "a forged submission replaced learner02's"
    entries = json.loads((course / "reports" / "ws-ex1" / "status.json").read_text())["entries"]
    forged = [e for e in entries if "+forged" in e["origin"]]
    assert [(e["state"], e["student"]) for e in forged] == [("ignored", "learner01")]
    assert "'learner02'" in forged[0]["reason"]


# learner03's code: submit again with a timestamp.txt from long ago, and try the hub's record.
EARLY = """
import glob, json, os, shutil
inbound, log = "{inbound}", "{log}"
early = os.path.join(inbound, "learner03+ws-ex1+2000-01-01 00:00:00.000000 UTC+early")
shutil.copytree(glob.glob(inbound + "/learner03+ws-ex1+*")[0], early)
with open(os.path.join(early, "timestamp.txt"), "w") as stamp:
    stamp.write("2000-01-01 00:00:00.000000 UTC")
try:
    with open(log, "a") as record:
        record.write("forged by learner03")
except OSError:
    pass
print(json.dumps({{"log_seen": os.path.exists(log) and "learner01" in open(log).read()}}))
"""


def check_a_learner_cannot_choose_the_time_of_their_submission(hub, users, course):
    """A submission's time is when the hub saw it (labgrade.arrivals), not the learner's stamp."""
    ws = hub.ws
    exchange = ws.exchange / "migstats-lab"
    log = exchange / "arrivals.jsonl"
    before = datetime.datetime.now(datetime.timezone.utc)
    seen = json.loads(users["learner03"].run_code(EARLY.format(inbound=exchange / "inbound", log=log)))
    assert not seen["log_seen"], "learner03 can read the hub's record of arrivals"
    for _ in range(30):  # the hub looks every 2 s
        if "+early" in log.read_text():
            break
        time.sleep(1)
    assert "forged by learner03" not in log.read_text(), "learner03 wrote into the hub's record"
    labgrade(course, ws, "collect", "ws-ex1")
    entries = json.loads((course / "reports" / "ws-ex1" / "status.json").read_text())["entries"]
    early, = [e for e in entries if e["origin"].endswith("+early")]
    assert (early["state"], early["student"]) == ("collected", "learner03")
    assert early["timestamp"] >= format_timestamp(before), f"the learner's own time was used: {early}"
    assert any("timestamp.txt says 2000-01-01" in note for note in early["collect_notes"]), early


def check_thirty_learners_submitting_at_the_same_moment_lose_nothing(hub, users, course):
    ws = hub.ws
    ready = threading.Barrier(len(LEARNERS), timeout=REQUEST_TIMEOUT)

    def learner_session(name):
        user = users[name]
        user.assignment_action("fetch", "ws-ex2")
        user.answer("ws-ex2", {"total": f"total = sum(values)  # written by {name}"})
        ready.wait()  # all 30 press Submit together
        return user.assignment_action("submit", "ws-ex2")

    with ThreadPoolExecutor(len(LEARNERS)) as pool:
        list(pool.map(learner_session, LEARNERS))

    inbound = sorted((ws.exchange / "migstats-lab" / "inbound").glob("*/*+ws-ex2+*"))
    assert sorted(p.name.split("+")[0] for p in inbound) == LEARNERS
    assert all(p.parent.name == p.name.split("+")[0] for p in inbound), "each in its own inbound folder"
    labgrade(course, ws, "collect", "ws-ex2")
    for name in LEARNERS:
        nb = nbformat.read(course / "submitted" / name / "ws-ex2" / "ws-ex2.ipynb", as_version=4)
        assert f"# written by {name}" in "\n".join(c.source for c in nb.cells), f"{name}'s answer is lost"


def check_log_in_and_formgrader(hub, users):
    """Learners log in with the shared password; only the trainer has the formgrader."""
    login = f"{hub.ws.url}/hub/login"

    def log_in(name, password):
        browser = requests.Session()
        browser.get(login, timeout=REQUEST_TIMEOUT)
        reply = browser.post(login, data={"username": name, "password": password,
                                          "_xsrf": browser.cookies.get("_xsrf", "")},
                             allow_redirects=False, timeout=REQUEST_TIMEOUT)
        return reply.status_code

    assert log_in("learner05", hub.ws.learner_password) == 302
    assert log_in("learner05", "not-the-password") == 403
    assert log_in("stranger", hub.ws.learner_password) == 403          # not on the list
    assert log_in("trainer", hub.ws.learner_password) == 403           # trainers need their own
    assert log_in("trainer", hub.ws.trainer_password) == 302
    assert users["trainer"].call("GET", "/formgrader").status_code == 200
    learner = users["learner05"].session.get(users["learner05"].url + "/formgrader", timeout=REQUEST_TIMEOUT)
    assert learner.status_code == 404


def test_a_french_workshop(tmp_path):
    """language = "fr": the learner gets the French files and the French exercise, JupyterLab
    speaks French from the installed language pack, and the French submission is graded."""
    with running_room(tmp_path, ["learner01"], ["ws-ex1"], [PROJECT / "datasets", QUIZ],
                      language="fr") as (hub, users, course):
        user = users["learner01"]
        quiz = user.call("GET", "/api/contents/a5-self-assessment.ipynb").json()["content"]
        assert quiz["metadata"].get("translation", {}).get("source") == "../a5-self-assessment.ipynb", (
            "the learner's quiz is not the French one")
        settings = user.call("GET", "/lab/api/settings/@jupyterlab/translation-extension:plugin").json()
        # lab-fr/overrides.json makes French the default of the language setting
        assert settings["schema"]["properties"]["locale"]["default"] == "fr_FR", settings["schema"]["properties"]["locale"]
        french = user.call("GET", "/lab/api/translations/fr_FR").json()
        assert french["data"], f"JupyterLab has no French strings: {french.get('message')}"
        listed = user.call("GET", "/assignments", params={"course_id": user.course_id}).json()["value"]
        assert {a["assignment_id"] for a in listed if a["status"] == "released"} == {"ws-ex1-fr"}
        user.assignment_action("fetch", "ws-ex1-fr")
        user.answer("ws-ex1-fr", RIGHT)
        user.assignment_action("submit", "ws-ex1-fr")
        labgrade(course, hub.ws, "collect", "ws-ex1", "--lang", "fr")
        labgrade(course, hub.ws, "autograde", "ws-ex1", "--lang", "fr")
        labgrade(course, hub.ws, "export", "ws-ex1", "--lang", "fr", "--to", tmp_path / "notes.csv")
        with open(tmp_path / "notes.csv", newline="") as f:
            grades = {row["student_id"]: row for row in csv.DictReader(f)}
        assert float(grades["learner01"]["score"]) == 3, grades
