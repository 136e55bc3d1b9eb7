"""The book's kernels start as forks of a warmed process (book/_ext/kernel_forks.py), and a fork
behaves as a new kernel: same settings, its own namespace, signals and ends as usual."""
import importlib.util
import json
import os
import signal
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from jupyter_client.manager import start_new_kernel

ROOT = Path(__file__).resolve().parent.parent
SPEC = importlib.util.spec_from_file_location("kernel_forks", ROOT / "book" / "_ext" / "kernel_forks.py")
kernel_forks = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(kernel_forks)

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not kernel_forks.enabled(), reason="kernel forks need Linux and pidfd")]

INLINE = "module://matplotlib_inline.backend_inline"  # as book/_ext/course_book.py sets it
# What a kernel shows of its start: settings that modules take when they are imported, and
# what ipykernel sets up. A fork must show the same as a kernel started in the usual way.
FINGERPRINT = r"""
import json, os, signal, sys, warnings
import matplotlib, matplotlib.pyplot as plt, numpy as np, pandas as pd
display_options = [name for name in pd.options.display.__dir__()
                   if not isinstance(getattr(pd.options.display, name), type(pd.options.display))]
print(json.dumps({
    "sys.path": sys.path, "argv[0]": sys.argv[0],
    "pandas": {name: str(pd.get_option("display." + name)) for name in display_options},
    "backend": matplotlib.get_backend(),
    "rcParams": {key: str(value) for key, value in matplotlib.rcParams.items()},
    "hooks": [type(hook).__name__ for hook in (sys.displayhook, sys.excepthook, sys.stdout, sys.stderr)],
    "SIGINT": str(signal.getsignal(signal.SIGINT)),
    "names": sorted(name for name in vars(sys.modules["__main__"]) if not name.startswith("_")),
    "environment": sorted(set(os.environ) - {"JUPYTER_PATH"}),
    "cwd": os.getcwd(), "flags": str(sys.flags), "recursion": sys.getrecursionlimit(),
    "warning filters": [str(f) for f in warnings.filters],
}))
"""


def run(client, code, timeout=30):
    """The text a cell prints, and its reply."""
    out = []

    def keep(message):
        if message["msg_type"] == "stream":
            out.append(message["content"]["text"])

    reply = client.execute_interactive(code, output_hook=keep, timeout=timeout)
    return "".join(out), reply["content"]


def fingerprint(folder):
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(folder))
    try:
        return json.loads(run(client, FINGERPRINT)[0])
    finally:
        client.stop_channels()
        manager.shutdown_kernel()


@pytest.fixture(scope="module")
def usual(tmp_path_factory):
    """The fingerprint of a kernel started as Jupyter starts one."""
    old = os.environ.get("MPLBACKEND")
    os.environ["MPLBACKEND"] = INLINE
    folder = tmp_path_factory.mktemp("usual")
    try:
        return fingerprint(folder)
    finally:
        os.environ.pop("MPLBACKEND") if old is None else os.environ.update(MPLBACKEND=old)


@pytest.fixture(scope="module")
def server(usual):
    """A kernel server warmed with every lesson notebook's imports, as in the book's build."""
    old = {name: os.environ.get(name) for name in ("MPLBACKEND", "JUPYTER_PATH")}
    os.environ["MPLBACKEND"] = INLINE
    app = SimpleNamespace()
    notebooks = sorted(str(p) for p in (ROOT / "modules").rglob("*.ipynb"))
    kernel_forks._start_server(app, SimpleNamespace(doc2path=str), notebooks)
    yield app
    kernel_forks._stop_server(app, None)
    for name, value in old.items():
        os.environ.pop(name, None) if value is None else os.environ.update({name: value})


@pytest.fixture
def kernel(server, tmp_path):
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(tmp_path), startup_timeout=60)
    yield manager, client
    client.stop_channels()
    if manager.has_kernel:
        manager.shutdown_kernel(now=True)


def kernel_pid(client):
    return int(run(client, "import os; print(os.getpid())")[0])


def gone(pid, within=5.0):
    """Whether process ``pid`` ends within ``within`` seconds."""
    end = time.monotonic() + within
    while time.monotonic() < end:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def test_a_fork_starts_as_a_usual_kernel_starts(server, usual, tmp_path):
    forked = fingerprint(tmp_path)
    for key in usual.keys() - {"cwd", "sys.path", "warning filters"}:
        assert forked[key] == usual[key], key
    assert forked["cwd"] == str(tmp_path)
    assert [p.replace(str(tmp_path), "HERE") for p in forked["sys.path"]] == \
        [p.replace(usual["cwd"], "HERE") for p in usual["sys.path"]]
    # Every usual warning filter is there. Those that the server's other imports add (statsmodels,
    # scipy...) come in addition; each names a warning of its own library, so the order does not
    # matter.
    assert set(usual["warning filters"]) <= set(forked["warning filters"])
    extra = set(forked["warning filters"]) - set(usual["warning filters"])
    assert all("statsmodels" in f or "scipy" in f or "urllib3" in f or "requests" in f
               or "bleach" in f or "pkg_resources" in f or "matrix subclass" in f for f in extra), extra


def test_each_kernel_has_its_own_names_folder_environment_and_random_numbers(server, tmp_path):
    os.environ["KERNEL_FORKS_TEST"] = "seen"
    try:
        first = start_new_kernel(kernel_name="python3", cwd=str(tmp_path))
        second = start_new_kernel(kernel_name="python3", cwd="/")
    finally:
        del os.environ["KERNEL_FORKS_TEST"]
    try:
        run(first[1], "import pandas as pd\nx = 1")
        text, reply = run(second[1], "print(x)")
        assert reply["status"] == "error" and reply["ename"] == "NameError"
        assert run(second[1], "print('pd' in globals())")[0] == "False\n"  # imported, not named
        assert run(first[1], "import os; print(os.getcwd())")[0] == f"{tmp_path}\n"
        assert run(second[1], "import os; print(os.getcwd())")[0] == "/\n"
        assert run(second[1], "print(os.environ['KERNEL_FORKS_TEST'])")[0] == "seen\n"
        draws = [run(k[1], "import numpy as np; print(np.random.random())")[0] for k in (first, second)]
        assert draws[0] != draws[1]
    finally:
        for manager, client in (first, second):
            client.stop_channels()
            manager.shutdown_kernel(now=True)


def test_a_figure_is_drawn_inline(kernel):
    manager, client = kernel
    images = []
    client.execute_interactive("import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()",
                               output_hook=lambda m: images.extend(
                                   m["content"].get("data", {}).keys() & {"image/png"}), timeout=30)
    assert images == ["image/png"]


def test_an_interrupt_stops_the_running_cell(kernel):
    manager, client = kernel
    message = client.execute("import time\ntime.sleep(60)")
    time.sleep(1)
    start = time.monotonic()
    manager.interrupt_kernel()
    while True:
        reply = client.get_shell_msg(timeout=10)
        if reply["parent_header"].get("msg_id") == message:
            break
    assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "KeyboardInterrupt"
    assert time.monotonic() - start < 5
    assert run(client, "print(1 + 1)")[0] == "2\n"  # the kernel is still there


def test_the_kernel_ends_with_its_client_and_its_exit_status_passes_through(kernel):
    manager, client = kernel
    pid = kernel_pid(client)
    client.execute("import os; os._exit(3)")
    assert gone(pid)
    process = manager.provisioner.process
    process.wait(timeout=5)
    assert process.returncode == 3


def test_a_killed_client_takes_its_kernel_with_it(kernel):
    manager, client = kernel
    pid = kernel_pid(client)
    os.kill(manager.provisioner.process.pid, signal.SIGKILL)
    assert gone(pid)


def test_a_server_that_stops_ends_its_kernels(server, tmp_path):
    app = SimpleNamespace()
    own = tmp_path / "one.ipynb"
    own.write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    paths = os.environ.get("JUPYTER_PATH")
    kernel_forks._start_server(app, SimpleNamespace(doc2path=str), [str(own)] * kernel_forks.FEWEST)
    try:
        manager, client = start_new_kernel(kernel_name="python3", cwd=str(tmp_path), startup_timeout=60)
        pid = kernel_pid(client)
        client.stop_channels()
    finally:
        kernel_forks._stop_server(app, None)
    assert os.environ.get("JUPYTER_PATH") == paths
    assert gone(pid)
    manager.provisioner.process.wait(timeout=5)  # the client ends too
    assert not app.kernel_folder.exists()


def test_a_few_notebooks_start_as_usual(tmp_path):
    app = SimpleNamespace()
    own = tmp_path / "one.ipynb"
    own.write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    paths = os.environ.get("JUPYTER_PATH")
    kernel_forks._start_server(app, SimpleNamespace(doc2path=str), [str(own)] * (kernel_forks.FEWEST - 1))
    assert not hasattr(app, "kernel_server") and os.environ.get("JUPYTER_PATH") == paths
