"""Run learner code in a sandbox: no writes outside its scratch folder.

The kernel that executes a submission is started under bubblewrap (``bwrap``,
Debian package ``bubblewrap``). Inside the sandbox:

- the whole file system is mounted read-only;
- the course folder (sources, gradebook, other submissions) and Jupyter's
  runtime folder (other kernels' keys) are hidden behind empty folders;
- only the submission's own working folder, a private ``/tmp`` and the
  kernel's socket folder (all inside its scratch folder) are writable;
- there is no network, no other process is visible, and the process has no
  capabilities (it runs as ``nobody`` in a user namespace);
- ``prlimit`` caps the address space (memory) and the size of any file.

The kernel talks to nbgrader through Unix sockets in its scratch folder
(Jupyter's ``ipc`` transport), so it needs no network at all.
"""
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.paths import jupyter_runtime_dir
from traitlets import Integer, List, Unicode

PROJECT = Path(__file__).resolve().parents[2]  # grader/labgrade/sandbox.py -> the project
INSTALL_HINT = (
    "Install bubblewrap (as root: apt-get install -y bubblewrap) and make sure "
    "unprivileged user namespaces work (bwrap --unshare-user --ro-bind / / true)."
)

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


def sandbox_command(cmd, *, workdir, scratch, hidden=(), shown=(), writable=(), network=False,
                    env=None, memory_mb=2048, file_mb=200):
    """Wrap the command ``cmd`` so it runs in the sandbox.

    ``workdir`` and the ``writable`` folders are the only ones the command can write to, besides
    the private ``scratch/tmp`` (mounted on ``/tmp``) and ``scratch/runtime`` (Jupyter's sockets).
    ``hidden`` folders are replaced by empty ones (``hidden`` files by an empty file); ``shown``
    folders inside a hidden one stay readable. A deeper entry wins over the one that holds it, so
    a folder can be hidden inside a shown one inside a hidden one. ``network=True`` keeps the
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
        "--ro-bind", "/", "/",
        "--dev", "/dev",
        "--proc", "/proc",
        "--bind", str(tmp), "/tmp",
    ]
    # a private /tmp must not hide Python or the course code: they are shown again
    layers = {str(Path(f)): "show" for f in [*needed_under_tmp(), *shown] if Path(f).is_dir()}
    layers |= {str(Path(f)): "hide" for f in hidden if Path(f).exists()}
    hidden_dirs = []
    for path in sorted(layers, key=lambda f: len(Path(f).parts)):  # outer folders first
        if layers[path] == "show":
            args += ["--ro-bind", path, path]
        elif Path(path).is_dir():
            args += ["--tmpfs", path]
            hidden_dirs.append(path)
        else:
            args += ["--ro-bind", "/dev/null", path]
    for folder in sorted({str(runtime), str(workdir), *map(str, writable)}, key=lambda f: len(Path(f).parts)):
        args += ["--bind", folder, folder]
    for folder in hidden_dirs:  # read-only once the folders shown or writable inside are mounted
        args += ["--remount-ro", folder]
    env = {**SANDBOX_ENV, "HOME": "/tmp", "IPYTHONDIR": "/tmp/.ipython",
           "MPLCONFIGDIR": "/tmp/.matplotlib", "JUPYTER_RUNTIME_DIR": str(runtime),
           # bwrap is the kernel's parent (pid 1): ipykernel must not take that as
           # "my parent has exited"; --die-with-parent ends the sandbox instead.
           "JPY_PARENT_PID": "1", **(env or {})}
    for name, value in env.items():
        args += ["--setenv", name, value]
    return args + ["--chdir", str(workdir), "--", *cmd]


def needed_under_tmp():
    """Folders the kernel must read that lie under /tmp, which the sandbox replaces.

    A project checked out (or a virtual environment made) under /tmp would otherwise vanish:
    Python, its packages, the ``migstats`` code and the datasets. They are mounted read-only;
    the course folder is hidden again afterwards like everywhere else.
    """
    wanted = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(), PROJECT}
    tmp = Path("/tmp").resolve()
    return sorted(str(p) for p in wanted if tmp in p.parents)


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
        cmd = sandbox_command([sys.executable, "-c", probe], workdir=work, scratch=Path(tmp, "s"),
                              hidden=[])
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        if done.returncode != 0 or not Path(work, "inside.txt").exists():
            raise SandboxError(f"bwrap does not run here: {done.stderr.strip()}. " + INSTALL_HINT)
        if outside.read_text() != "grader's file\n":
            raise SandboxError("the sandbox let code write outside its folder; refusing to grade.")


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels run in the sandbox (see the module docstring)."""

    workdir = Unicode(help="The only folder the kernel may write to.").tag(config=True)
    scratch = Unicode(help="The submission's scratch folder.").tag(config=True)
    hidden = List(Unicode(), help="Folders the kernel must not see.").tag(config=True)
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
                               hidden=[*self.hidden, jupyter_runtime_dir()],
                               memory_mb=self.memory_mb,
                               file_mb=self.file_mb)
