"""The tests' process: runs an assignment's tests on a learner's answers, never their code.

``python -m labgrade.testrunner SOCKET [MODULE ...]`` starts a server (in the tests' sandbox,
see :func:`labgrade.sandbox.sandbox_command`). It imports the libraries (and the MODULEs that
the assignment's cells import) and reads the course datasets once, then waits. For each
submission a worker sends a job over the Unix socket: the assignment's setup and test cells,
as the gradebook holds them, and the learner's answers as data (:mod:`labgrade.answer_export`).
The server forks a fresh child for the job: a process that has never run learner code, since
neither the server nor the child ever does. The child runs the cells in an IPython shell, puts
each test cell's answers into the namespace just before it runs, and sends back each test
cell's outputs in nbformat's form, as a kernel would.
"""

import importlib
import json
import os
import resource
import select
import signal
import socket
import subprocess
import sys
import traceback
from pathlib import Path

from IPython.core.displayhook import DisplayHook
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from .answer_import import BadAnswerData, loads

MAX_JOB_BYTES = 512 * 1024 * 1024


class CellTimeoutError(Exception):
    """A test cell ran past its time limit."""


class ResultHook(DisplayHook):
    """Keeps a cell's result (nbformat's execute_result) instead of printing ``Out[1]:``."""

    result = None

    def write_output_prompt(self):
        pass

    def write_format_data(self, format_dict, md_dict=None):
        ResultHook.result = {"output_type": "execute_result", "data": format_dict,
                             "metadata": md_dict or {}, "execution_count": None}

    def finish_displayhook(self):
        pass


class TestShell(InteractiveShell):
    """An IPython shell that records errors as nbformat error outputs."""

    error = None

    def _showtraceback(self, etype, evalue, stb):
        TestShell.error = {"output_type": "error", "ename": etype.__name__,
                           "evalue": str(evalue), "traceback": stb}


def new_shell():
    shell = TestShell.instance(displayhook_class=ResultHook, colors="NoColor")
    shell.user_ns["__name__"] = "__main__"
    return shell


def run_cell(shell, source, timeout):
    """Run one cell; return its outputs as a kernel would give them."""
    TestShell.error, ResultHook.result = None, None

    def stop(signum, frame):
        raise CellTimeoutError(f"the cell ran past its time limit of {timeout} s")

    signal.signal(signal.SIGALRM, stop)
    signal.alarm(timeout)
    try:
        with capture_output() as captured:
            shell.run_cell(source, store_history=False, silent=False)
    finally:
        signal.alarm(0)
    outputs = [{"output_type": "stream", "name": name, "text": text}
               for name, text in (("stdout", captured.stdout), ("stderr", captured.stderr)) if text]
    outputs += [{"output_type": "display_data", "data": o.data, "metadata": o.metadata or {}}
                for o in captured.outputs]
    if ResultHook.result is not None:
        outputs.append(ResultHook.result)
    if TestShell.error is not None:
        outputs.append(TestShell.error)
    return outputs


def not_passed_error(names, problems, missing_payload):
    """The error output of a test whose answers could not be passed over."""
    if missing_payload:
        why = ("no answers reached the tests: the notebook's code stopped labgrade from "
               "reading them (did a cell change how Python runs, or end the kernel?)")
    else:
        why = "; ".join(f"`{name}` could not be passed to the tests: {problems[name]}"
                        for name in names)
        why += (". Store your answer as a number, a text, a list, a dict, a numpy array or a "
                "pandas Series or DataFrame.")
    return {"output_type": "error", "ename": "AnswerNotPassed", "evalue": why,
            "traceback": [f"AnswerNotPassed: {why}"]}


def run_job(job):
    """Run the cells of one job; return {grade_id: outputs} for its test cells."""
    shell = new_shell()
    results = {}
    for cell in job["cells"]:
        if cell["kind"] == "setup":
            run_cell(shell, cell["source"], job["cell_timeout"])
            continue
        answers = None
        try:
            answers = loads(cell["answers"]) if cell.get("answers") is not None else None
        except BadAnswerData as error:
            answers = {"values": {}, "missing": [], "problems": {n: str(error) for n in cell["needs"]}}
        if answers is None:
            results[cell["grade_id"]] = [not_passed_error(cell["needs"], {}, True)]
            continue
        blocked = [name for name in cell["needs"] if name in answers["problems"]]
        if blocked:
            results[cell["grade_id"]] = [not_passed_error(blocked, answers["problems"], False)]
            continue
        shell.user_ns.update(answers["values"])
        for name in answers["missing"]:  # as in the learner's kernel: not defined
            shell.user_ns.pop(name, None)
        results[cell["grade_id"]] = run_cell(shell, cell["source"], job["cell_timeout"])
    return results


def receive(conn):
    chunks, size = [], 0
    while chunk := conn.recv(1 << 20):
        size += len(chunk)
        if size > MAX_JOB_BYTES:
            raise ValueError(f"the job is larger than {MAX_JOB_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def child(conn):
    """The body of one forked child: read the job, run it, answer, exit."""
    status = 0
    try:
        job = json.loads(receive(conn))
        limit = int(job["total_timeout"])
        resource.setrlimit(resource.RLIMIT_CPU, (limit, limit + 5))
        reply = {"ok": True, "results": run_job(job)}
    except BaseException:  # everything goes back to the worker, which explains it
        reply, status = {"ok": False, "error": traceback.format_exc()}, 1
    conn.sendall(json.dumps(reply).encode())
    conn.close()
    os._exit(status)


def warm_up(modules=()):
    """Import what the tests use and read every dataset once, so each child starts ready.

    ``modules``: what the assignment's cells import (the trainer's code, never a learner's).
    A name that is not a module, or does not import, is left for the cell to report."""
    import matplotlib
    matplotlib.use("Agg")
    import numpy  # noqa: F401
    import pandas  # noqa: F401

    import migstats.datasets
    migstats.datasets.read_all()
    for module in modules:
        try:
            importlib.import_module(module)
        except Exception:  # e.g. `from a import function`: a.function is not a module
            pass
    new_shell()


def serve(path, modules=()):
    """Accept jobs on the Unix socket ``path`` forever; fork one child per job."""
    warm_up(modules)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the system
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(64)
    print("ready", flush=True)
    while True:
        conn, _ = server.accept()
        if os.fork() == 0:
            server.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            child(conn)
        conn.close()


def run(path, job, timeout):
    """Send ``job`` to the server at ``path``; return its reply (for the worker)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(timeout)
        conn.connect(path)
        conn.sendall(json.dumps(job).encode())
        conn.shutdown(socket.SHUT_WR)
        return json.loads(receive(conn))


class TestsProcess:
    """The tests' server for one autograde run, in its own sandbox; yields its socket path.

    Its sandbox shows only the allowlist of :mod:`labgrade.sandbox` (the Python environment,
    migstats, labgrade's code and the datasets): not the course (sources, gradebook,
    submissions) nor the workers' scratch folders. Its only writable folder holds the socket.
    """

    def __init__(self, folder, modules=(), memory_mb=4096, start_timeout=120):
        self.folder = Path(folder)
        self.modules = list(modules)  # imported once, before the first job (see warm_up)
        self.memory_mb, self.start_timeout = memory_mb, start_timeout
        self.process = None

    def __enter__(self):
        from .sandbox import sandbox_command
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / "tests.sock"
        cmd = sandbox_command(
            [sys.executable, "-m", "labgrade.testrunner", str(path), *self.modules],
            workdir=self.folder, scratch=self.folder / "scratch", memory_mb=self.memory_mb,
            env={"MPLBACKEND": "Agg"})
        self.process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True)
        ready, _, _ = select.select([self.process.stdout], [], [], self.start_timeout)
        line = self.process.stdout.readline() if ready else ""
        if line.strip() != "ready":
            self.process.kill()  # so that its error output ends (nothing if it has stopped)
            message = self.process.stderr.read()[-2000:] or "no message"
            self.__exit__(None, None, None)
            raise RuntimeError(f"the tests' process did not start: {message}")
        return str(path)

    def __exit__(self, *exc):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
        if self.process is not None:
            self.process.wait(timeout=30)
            self.process.stdout.close()
            self.process.stderr.close()


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2:])
