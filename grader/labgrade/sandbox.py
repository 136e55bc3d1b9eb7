"""Run learner code in a sandbox that shows only what the code needs.

The kernel that executes a submission is started under bubblewrap (``bwrap``,
Debian package ``bubblewrap``). The sandbox starts from an empty file system and
shows, read-only, only this list (an allowlist):

- the operating system's programs and libraries (``/usr``, ``/bin``, ``/lib*``, ``/sbin``)
  and the few files of ``/etc`` they read (see ``ETC_FILES``);
- Python: its prefix and base prefix (the virtual environment and the interpreter);
- the project's ``migstats`` and ``labgrade`` code and its ``datasets``, each mounted alone:
  the project folder itself is empty, so its sources, hidden tests, git history,
  caches and built book are not there;
- the folders the caller passes (``readable``).

Writable: the submission's own working folder, the ``writable`` folders, a private
``/tmp`` and the kernel's socket folder (both inside its scratch folder). ``/dev`` and
``/proc`` are the sandbox's own. There is no network, no other process is visible, and
the process has no capabilities (it runs as ``nobody`` in a user namespace); ``prlimit``
caps the address space (memory) and the size of any file.

The kernel talks to nbgrader through Unix sockets in its scratch folder
(Jupyter's ``ipc`` transport), so it needs no network at all.
"""
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Integer, List, Unicode

PROJECT = Path(__file__).resolve().parents[2]  # grader/labgrade/sandbox.py -> the project
INSTALL_HINT = (
    "Install bubblewrap (as root: apt-get install -y bubblewrap) and make sure "
    "unprivileged user namespaces work (bwrap --unshare-user --ro-bind / / true)."
)
SYSTEM_FOLDERS = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]
# What Python and its libraries read in /etc: the linker's cache, user and host names,
# time zone, file types (Jupyter), certificates and fonts (matplotlib).
ETC_FILES = ["ld.so.cache", "ld.so.conf", "ld.so.conf.d", "passwd", "group", "nsswitch.conf",
             "hosts", "host.conf", "gai.conf", "resolv.conf", "localtime", "timezone",
             "mime.types", "ssl", "ca-certificates", "fonts"]

# Threads of numerical libraries: one per kernel, as labgrade runs kernels in parallel.
SANDBOX_ENV = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
    # fewer malloc arenas: the memory limit counts address space, arenas reserve much
    "MALLOC_ARENA_MAX": "2",
}


class SandboxError(RuntimeError):
    """The sandbox cannot run on this computer."""


def sandbox_command(cmd, *, workdir, scratch, readable=(), writable=(), network=False,
                    env=None, memory_mb=2048, file_mb=200):
    """Wrap the command ``cmd`` so it runs in the sandbox.

    The command sees only the allowlist of the module docstring. ``readable`` folders or files
    are added read-only; ``workdir`` and the ``writable`` folders are the only ones it can write
    to, besides the private ``scratch/tmp`` (mounted on ``/tmp``) and ``scratch/runtime``
    (Jupyter's sockets). An item of ``readable`` or ``writable`` is a path, shown where it is,
    or a pair ``(path, where it appears in the sandbox)``. ``network=True`` keeps the
    computer's network (a learner's server must reach the hub); otherwise there is none.
    ``env`` adds to or overrides the sandbox's environment (``HOME`` is the private /tmp).
    """
    scratch = Path(scratch)
    tmp, runtime = scratch / "tmp", scratch / "runtime"
    tmp.mkdir(parents=True, exist_ok=True)
    runtime.mkdir(parents=True, exist_ok=True)
    args = [
        shutil.which("prlimit") or "prlimit",
        f"--as={memory_mb * 1024 * 1024}",
        f"--fsize={file_mb * 1024 * 1024}",
        "--core=0",
        "--",
        shutil.which("bwrap") or "bwrap",
        "--unshare-all",
        *(["--share-net"] if network else []),
        "--unshare-user",
        "--uid", "65534",
        "--gid", "65534",
        "--cap-drop", "ALL",
        "--die-with-parent",
        "--new-session",
        *system_mounts(),
        "--dev", "/dev",
        "--proc", "/proc",
    ]
    mounts = {}  # where it appears -> (bwrap option, source); a writable mount wins
    for item in [*python_folders(), *project_folders(), *readable]:
        add_mount(mounts, item, "--ro-bind")
    for item in [(tmp, "/tmp"), runtime, workdir, *writable]:
        add_mount(mounts, item, "--bind")
    for target in sorted(mounts, key=lambda t: len(Path(t).parts)):  # outer folders first
        option, source = mounts[target]
        args += [option, source, target]
    args += ["--remount-ro", "/"]  # the empty folders that hold the mounts stay empty
    env = {**SANDBOX_ENV, "HOME": "/tmp", "IPYTHONDIR": "/tmp/.ipython",
           "MPLCONFIGDIR": "/tmp/.matplotlib", "JUPYTER_RUNTIME_DIR": str(runtime),
           # bwrap is the kernel's parent (pid 1): ipykernel must not take that as
           # "my parent has exited"; --die-with-parent ends the sandbox instead.
           "JPY_PARENT_PID": "1", **(env or {})}
    for name, value in env.items():
        args += ["--setenv", name, value]
    return args + ["--chdir", str(workdir), "--", *cmd]


def add_mount(mounts, item, option):
    """Record ``item`` (a path, or a pair source, target) in ``mounts``, at each name it has."""
    source, target = item if isinstance(item, (tuple, list)) else (item, item)
    source = Path(source).resolve()
    if not source.exists():
        return
    for name in {str(Path(os.path.abspath(target))), str(Path(target).resolve())}:
        mounts[name] = (option, str(source))


def system_mounts():
    """bwrap options that show the operating system's folders and the needed /etc files."""
    args = []
    for folder in SYSTEM_FOLDERS:
        path = Path(folder)
        if path.is_symlink():  # /bin -> usr/bin on most systems today
            args += ["--symlink", os.readlink(path), folder]
        elif path.is_dir():
            args += ["--ro-bind", folder, folder]
    for name in ETC_FILES:
        path = Path("/etc", name)
        if path.exists():
            args += ["--ro-bind", str(path.resolve()), str(path)]
    return args


def python_folders():
    """The interpreter's folders: the virtual environment and the Python it was made from."""
    return sorted({sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix})


def project_folders():
    """The project's code and data that learner code may use, each folder on its own.

    The folders are found where this Python imports ``migstats`` and ``labgrade`` from, so an
    editable install and a ``PYTHONPATH`` checkout both work.
    """
    folders = [PROJECT / "datasets"]
    for name in ("migstats", "labgrade"):
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            folders += list(spec.submodule_search_locations)
    return folders


def check_sandbox():
    """Raise :class:`SandboxError` unless the sandbox really blocks writes here."""
    if shutil.which("bwrap") is None:
        raise SandboxError("bwrap (bubblewrap) is not installed. " + INSTALL_HINT)
    if shutil.which("prlimit") is None:
        raise SandboxError("prlimit (util-linux) is not installed. Install util-linux.")
    with tempfile.TemporaryDirectory(prefix="labgrade-check-") as tmp:
        work, outside = Path(tmp, "work"), Path(tmp, "outside.txt")
        work.mkdir()
        outside.write_text("grader's file\n")
        probe = (f"open('inside.txt', 'w').write('ok')\n"
                 f"try:\n    open({str(outside)!r}, 'w').write('pwned')\n"
                 f"except OSError:\n    pass\n")
        cmd = sandbox_command([sys.executable, "-c", probe], workdir=work, scratch=Path(tmp, "s"))
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        if done.returncode != 0 or not Path(work, "inside.txt").exists():
            raise SandboxError(f"bwrap does not run here: {done.stderr.strip()}. " + INSTALL_HINT)
        if outside.read_text() != "grader's file\n":
            raise SandboxError("the sandbox let code write outside its folder; refusing to grade.")


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels run in the sandbox (see the module docstring)."""

    workdir = Unicode(help="The only folder the kernel may write to.").tag(config=True)
    scratch = Unicode(help="The submission's scratch folder.").tag(config=True)
    readable = List(Unicode(), help="More folders or files the kernel may read.").tag(config=True)
    memory_mb = Integer(2048, help="Address-space limit of the kernel, in MB.").tag(config=True)
    file_mb = Integer(200, help="Largest file the kernel may write, in MB.").tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        Path(self.scratch, "runtime").mkdir(parents=True, exist_ok=True)
        self.transport = "ipc"
        self.ip = str(Path(self.scratch, "runtime", "kernel"))
        self.connection_file = str(Path(self.scratch, "runtime", "kernel.json"))

    def format_kernel_cmd(self, extra_arguments=None):
        # A signal would reach bwrap, not the kernel: interrupt by message.
        self.kernel_spec.interrupt_mode = "message"
        cmd = super().format_kernel_cmd(extra_arguments)
        return sandbox_command(cmd, workdir=self.workdir, scratch=self.scratch,
                               readable=self.readable,
                               memory_mb=self.memory_mb,
                               file_mb=self.file_mb)
