"""The book's kernels start as forks of one process that has already imported what they use.

Before its first cell runs, each notebook's kernel spends about 1.8 s of CPU starting Python,
ipykernel, pandas and matplotlib, and the book executes 82 notebooks. This Sphinx extension
starts one "kernel server" for the notebooks that a build reads. The server imports ipykernel
and every module that these notebooks import (their import statements, read with
``labgrade.split.imported_modules``; nothing else is imported or run), then forks a fresh kernel
for each notebook. A fork starts with those modules imported and an empty namespace, in the
notebook's folder and environment: a notebook that forgets an import still fails, as it would
for a learner. numpy's global random generator is seeded again in each fork, as in a new process.
The server also reads the course's datasets once (``migstats.datasets.read_all``): a notebook's
``load`` returns a copy of the table, as it would after its own first read.

How a kernel starts. For the build's processes only, the kernel spec "python3" (a folder put
first on JUPYTER_PATH) runs ``python kernel_forks.py connect -f CONNECTION_FILE``: a small process
that passes the server its standard streams, working folder, environment and arguments over a
Unix socket, passes on to the kernel the signals it gets (interrupt, terminate) and exits with
the kernel's exit status. When it is killed, the server kills the kernel. So the notebook client
sees an ordinary kernel process. The server stops at the end of the build, or when the build's
process ends.

Linux only (it needs fork and pidfd); elsewhere the kernels start as usual.
"""

import json
import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)
# imported by every kernel, whatever its notebook imports
ALWAYS = ("ipykernel_launcher", "ipykernel.kernelapp", "ipykernel.ipkernel", "numpy", "pandas",
          "matplotlib.pyplot")
# The server takes about 6 s of CPU to start, and each fork saves about 1 s: for fewer notebooks
# (a rebuild after an edit) the kernels start as usual.
FEWEST = 8
MESSAGE = 1 << 20  # bytes: the longest request (an environment, a folder, arguments)


def enabled() -> bool:
    """Whether kernels can start as forks here: Linux with pidfd (kernel 5.3 or later)."""
    if sys.platform != "linux" or not hasattr(os, "pidfd_open"):
        return False
    try:
        os.close(os.pidfd_open(os.getpid()))
    except OSError:
        return False
    return True


# The build's side (a Sphinx extension) ----------------------------------------------------------

def setup(app):
    app.connect("env-before-read-docs", _start_server, priority=900)  # after the other handlers
    app.connect("build-finished", _stop_server)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def _start_server(app, env, docnames):
    notebooks = [path for path in (Path(env.doc2path(name)) for name in docnames)
                 if path.suffix == ".ipynb"]
    if len(notebooks) < FEWEST or not enabled() or getattr(app, "kernel_server", None):
        return
    folder = Path(tempfile.mkdtemp(prefix="kernel-forks-"))
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(str(folder / "socket"))  # the connection waits here until the server is ready
    listener.listen(64)
    spec = folder / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, __file__, "connect", str(folder / "socket"), "-f", "{connection_file}"],
        "display_name": "Python 3 (ipykernel)", "language": "python", "interrupt_mode": "signal"}))
    app.kernel_server = subprocess.Popen(
        [sys.executable, __file__, "serve", str(listener.fileno()), *map(str, notebooks)],
        pass_fds=[listener.fileno()])
    listener.close()
    app.kernel_folder = folder
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(folder), os.environ.get("JUPYTER_PATH")]))


def _stop_server(app, exception):
    server = getattr(app, "kernel_server", None)
    if server is None:
        return
    server.terminate()
    server.wait(timeout=30)
    paths = os.environ.get("JUPYTER_PATH", "").split(os.pathsep)
    os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in paths if p != str(app.kernel_folder))
    shutil.rmtree(app.kernel_folder, ignore_errors=True)
    app.kernel_server = None


# The server ----------------------------------------------------------------------------------

def serve(listener_fd: int, notebooks: list[str]) -> None:
    """Import what the notebooks use, then fork a kernel for each request until told to stop."""
    listener = socket.socket(fileno=listener_fd)
    parent = os.pidfd_open(os.getppid())
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    _import(notebooks)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, "request")
    selector.register(parent, selectors.EVENT_READ, "parent ended")
    kernels = {}  # pid: (client connection, pidfd)
    try:
        while True:
            for key, _ in selector.select():
                if key.data == "parent ended":
                    return
                if key.data == "request":
                    _fork_kernel(listener, selector, kernels)
                elif key.data[0] == "client":
                    _client_ended(key.data[1], selector, kernels)
                else:
                    _kernel_ended(key.data[1], selector, kernels)
    finally:
        for pid in kernels:
            _kill(pid, signal.SIGKILL)


class _Kernel:
    """What pandas asks at import (``get_ipython().kernel``) to learn that it runs in a kernel."""

    kernel = None


def _import(notebooks: list[str]) -> None:
    """Import ipykernel and what the notebooks' code cells import, as a kernel would import them;
    a failed import is left for the notebook to report."""
    import builtins
    import importlib
    import io

    # Some modules look at their surroundings when imported: pandas shows 20 columns in a kernel
    # but fits a terminal's width, and takes the encoding of sys.stdout. So they see a kernel's.
    stdout, sys.stdout = sys.stdout, io.TextIOWrapper(io.BytesIO(), encoding="UTF-8")
    builtins.get_ipython = _Kernel
    try:
        from labgrade.split import imported_modules

        sources = []
        for path in notebooks:
            cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
            sources += ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
        for module in [*ALWAYS, *imported_modules(sources)]:
            try:
                importlib.import_module(module)
            except Exception:
                pass
    finally:
        del builtins.get_ipython
        sys.stdout = stdout
    if "migstats.datasets" in sys.modules:  # the notebooks' load() then copies a table read here
        sys.modules["migstats.datasets"].read_all()


def _fork_kernel(listener, selector, kernels) -> None:
    connection, _ = listener.accept()
    message, fds, _, _ = socket.recv_fds(connection, MESSAGE, 3)
    request = json.loads(message)
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the kernel: it keeps none of the server's sockets and handles
        for key in list(selector.get_map().values()):
            key.fileobj.close() if isinstance(key.fileobj, socket.socket) else os.close(key.fd)
        selector.close()
        connection.close()
        _become_kernel(request, fds)
    for fd in fds:
        os.close(fd)
    connection.send(b"pid %d" % pid)
    pidfd = os.pidfd_open(pid)
    kernels[pid] = (connection, pidfd)
    selector.register(connection, selectors.EVENT_READ, ("client", pid))
    selector.register(pidfd, selectors.EVENT_READ, ("kernel", pid))


def _client_ended(pid, selector, kernels) -> None:
    """The client has gone (it was killed): kill its kernel, whose end is handled next."""
    connection = kernels[pid][0]
    if not connection.recv(64):
        selector.unregister(connection)
        _kill(pid, signal.SIGKILL)


def _kernel_ended(pid, selector, kernels) -> None:
    connection, pidfd = kernels.pop(pid)
    _, status = os.waitpid(pid, 0)
    try:
        connection.send(b"exit %d" % os.waitstatus_to_exitcode(status))
    except OSError:
        pass  # the client has gone already
    if connection in (key.fileobj for key in selector.get_map().values()):
        selector.unregister(connection)
    selector.unregister(pidfd)
    connection.close()
    os.close(pidfd)


def _kill(pid, signum) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def _become_kernel(request: dict, fds: list[int]) -> None:
    """In the fork: take the client's streams, folder and environment, and run ipykernel."""
    code = 1
    try:
        os.setsid()  # as the kernel manager starts kernels: a Ctrl-C of the build does not reach it
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed()
        import ipykernel_launcher
        from ipykernel.kernelapp import IPKernelApp

        # as `python -m ipykernel_launcher ARGS` does: ipykernel puts the folder back on sys.path
        sys.argv = [ipykernel_launcher.__file__, *request["argv"]]
        del sys.path[0]  # the server's folder
        # These two settings read the environment when ipykernel is imported, in the server.
        env = request["env"]
        IPKernelApp.launch_instance(argv=request["argv"],
                                    parent_handle=int(env.get("JPY_PARENT_PID") or 0),
                                    interrupt=int(env.get("JPY_INTERRUPT_EVENT") or 0))
        code = 0
    except SystemExit as end:
        code = end.code if isinstance(end.code, int) else int(end.code is not None)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(code)


# The client (the kernel spec's command) -------------------------------------------------------

def connect(socket_path: str, argv: list[str]) -> int:
    """Ask the server for a kernel, pass it the signals this process gets, return its exit status."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    server.connect(socket_path)
    request = {"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ)}
    socket.send_fds(server, [json.dumps(request).encode()], [0, 1, 2])
    reply = server.recv(64).split()
    if reply and reply[0] == b"pid":
        kernel = _pidfd(int(reply[1]))
        for signum in FORWARDED:
            signal.signal(signum, lambda signum, _: _pass_on(kernel, signum))
        reply = server.recv(64).split()
    if not reply or reply[0] != b"exit":
        print("kernel_forks: the kernel server stopped before the kernel ended", file=sys.stderr)
        return 1
    code = int(reply[1])
    if code < 0:  # the kernel was killed by a signal: end the same way
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    return code


def _pidfd(pid: int) -> int | None:
    """A handle on the kernel: a signal sent with it reaches that kernel at once, or no one."""
    try:
        return os.pidfd_open(pid)
    except ProcessLookupError:
        return None  # it has ended already


def _pass_on(kernel: int | None, signum: int) -> None:
    try:
        if kernel is not None:
            signal.pidfd_send_signal(kernel, signum)
    except ProcessLookupError:
        pass  # it has just ended; the server tells how


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(int(sys.argv[2]), sys.argv[3:])
    else:
        sys.exit(connect(sys.argv[2], sys.argv[3:]))
