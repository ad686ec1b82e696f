"""Runs an untrusted program (an uploaded model) in a separate, limited process.

The child gets: a fresh temporary working directory holding only the files it is given;
an environment with no secrets (a short allow-list, nothing of the server's settings);
resource limits on memory (RLIMIT_DATA), CPU time, file size and core dumps; a
wall-clock timeout after which its whole process group is killed. Where the worker
runs as root (as in Podio's worker containers), the child also gets a network
namespace of its own with no interfaces but a down loopback (no network), and runs as
an unprivileged user, so it cannot read the server's files (the secret key, the
database, hidden solutions are not world-readable). Elsewhere the deployment must
provide that isolation (README: "Running uploaded models").
"""

import contextlib
import ctypes
import functools
import logging
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger("podio.sandbox")

CLONE_NEWNET = 0x40000000
CLONE_NEWNS = 0x00020000
MS_REC, MS_PRIVATE = 0x4000, 1 << 18
UNPRIVILEGED = 65534  # nobody / nogroup
# Variables a Python program with TensorFlow needs, and nothing else of the worker's.
ALLOWED_ENV = (
    "PATH", "LANG", "LC_ALL", "CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES",
    "LD_LIBRARY_PATH", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS",
)  # fmt: skip
ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Limits:
    wall_seconds: float = 120.0
    cpu_seconds: int = 240
    memory_bytes: int = 4 * 1024**3
    output_bytes: int = 1024**3


@dataclass(frozen=True)
class Outcome:
    returncode: int
    stdout: str
    stderr: str
    timed_out: bool

    @property
    def killed_by(self) -> str | None:
        if self.returncode < 0:
            return signal.Signals(-self.returncode).name
        return None


@functools.cache
def isolation() -> dict[str, bool]:
    """What this process can give a child: namespaces of its own (no network, the
    server's folders hidden), and an unprivileged user (where that user can run this
    Python at all: an interpreter under a private home cannot be)."""
    root = os.geteuid() == 0
    namespaces = root and _probe(["unshare", "--net", "--mount", "true"])
    as_nobody = [
        "setpriv", f"--reuid={UNPRIVILEGED}", f"--regid={UNPRIVILEGED}", "--clear-groups",
        sys.executable, "-c", "import grader.scoring.keras_runner",
    ]  # fmt: skip
    user = root and _probe(as_nobody, cwd="/")
    return {"namespaces": namespaces, "user": user}


def _probe(argv: list[str], cwd: str | None = None) -> bool:
    argv[0] = shutil.which(argv[0]) or argv[0]
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT)}
    try:
        result = subprocess.run(  # noqa: S603 - fixed probes, no user input
            argv, capture_output=True, check=False, cwd=cwd, env=env, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def _limit(limits: Limits, namespaces: bool, hide: list[str]):
    def apply() -> None:  # runs in the child, between fork and exec
        os.setsid()
        if namespaces:
            _enter_namespaces(hide)
        resource.setrlimit(resource.RLIMIT_DATA, (limits.memory_bytes, limits.memory_bytes))
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.output_bytes, limits.output_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def _enter_namespaces(hide: list[str]) -> None:
    """A network namespace with no way out, and a mount namespace in which each folder of
    ``hide`` (the server's data: secret key, database, uploads) is an empty tmpfs."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNET | CLONE_NEWNS) != 0:
        os._exit(70)
    if libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        os._exit(71)
    for path in hide:
        if (
            os.path.isdir(path)
            and libc.mount(b"tmpfs", path.encode(), b"tmpfs", 0, b"size=64k") != 0
        ):
            os._exit(72)


def _environment(workdir: Path) -> dict[str, str]:
    env = {name: os.environ[name] for name in ALLOWED_ENV if name in os.environ}
    env.update(
        HOME=str(workdir),
        TMPDIR=str(workdir),
        PYTHONPATH=str(ROOT),
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONNOUSERSITE="1",
        KERAS_BACKEND="tensorflow",
        KERAS_HOME=str(workdir / ".keras"),
        TF_CPP_MIN_LOG_LEVEL="2",
        MPLCONFIGDIR=str(workdir),
    )
    return env


@contextmanager
def workspace(files: dict[str, Path]) -> Iterator[Path]:
    """A temporary folder holding copies of ``files`` (name in the folder -> source)."""
    folder = Path(tempfile.mkdtemp(prefix="podio-sandbox-"))
    try:
        for name, source in files.items():
            shutil.copyfile(source, folder / name)
        if os.geteuid() == 0:
            for path in (folder, *folder.iterdir()):
                os.chown(path, UNPRIVILEGED, UNPRIVILEGED)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(argv: list[str], workdir: Path, limits: Limits, hide: list[str] = ()) -> Outcome:
    """Runs ``argv`` (argv[0] 'python' means this interpreter) limited and isolated;
    the folders in ``hide`` look empty to it."""
    command = [sys.executable if argv[0] == "python" else argv[0], *argv[1:]]
    can = isolation()
    if can["user"]:
        # setpriv drops to nobody after the namespaces are made (that needs root).
        unprivileged = [f"--reuid={UNPRIVILEGED}", f"--regid={UNPRIVILEGED}", "--clear-groups"]
        command = [shutil.which("setpriv") or "setpriv", *unprivileged, "--", *command]
    if not can["namespaces"]:
        logger.warning("sandbox without namespaces (not root here): network and files open")
    process = subprocess.Popen(  # noqa: S603 - argv is built by Podio, not by the user
        command,
        cwd=workdir,
        env=_environment(workdir),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_limit(limits, can["namespaces"], [str(p) for p in hide]),
        close_fds=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=limits.wall_seconds)
        timed_out = False
    except subprocess.TimeoutExpired:
        _kill_group(process)
        stdout, stderr = process.communicate()
        timed_out = True
    return Outcome(process.returncode, stdout, stderr, timed_out)


def _kill_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
