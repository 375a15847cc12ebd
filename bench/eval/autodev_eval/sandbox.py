"""Run untrusted Python (a model's answer plus a hidden test) so that it cannot harm the machine.

Every run gets a fresh temporary directory, a wall-clock limit (the whole process group is killed when it passes),
resource limits (CPU seconds, 2 GiB of address space, 16 MiB per written file, 256 descriptors), an empty
environment and Python's isolated mode (`-I`: no user site, no PYTHON* variables, the script's folder not on the
path). Where bubblewrap works (`bwrap`, installed by scripts/test.sh for the gate's fallback sandbox) the process
also runs in its own user, PID, network, IPC and UTS namespaces with the root file system read-only, the home
folder hidden behind an empty tmpfs (the Python installation is mounted back read-only when it lives there) and a
private /tmp: it can write only its temporary directory, reach no network and outlive nothing. Without bubblewrap a
warning says so once and the rest still applies.
"""

from __future__ import annotations

import dataclasses
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

_BWRAP_OK: bool | None = None
_WARNED = False

MEMORY_BYTES = 2 << 30
FILE_BYTES = 16 << 20


@dataclasses.dataclass
class RunResult:
    """What a sandboxed run did."""

    returncode: int | None  # None: killed at the time limit
    stdout: str
    stderr: str
    seconds: float
    sandbox: str  # "bwrap" or "rlimits"

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def timed_out(self) -> bool:
        return self.returncode is None


def _python() -> str:
    return os.path.realpath(sys.executable)


def _python_roots() -> list[str]:
    """Folders the interpreter needs: its base prefix (the standard library) and the binary's own folder (not a
    venv: the hidden tests need nothing installed)."""
    roots = {os.path.realpath(sys.base_prefix), os.path.dirname(_python())}
    return sorted(roots)


def _bwrap_args(workdir: str) -> list[str]:
    home = os.path.realpath(os.path.expanduser("~"))
    args = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    if home not in ("/", ""):
        args += ["--tmpfs", home]
        for root in _python_roots():
            if root == home or root.startswith(home + os.sep):
                args += ["--ro-bind", root, root]
    args += [
        "--bind", workdir, workdir,
        "--chdir", workdir,
        "--unshare-all",  # user, ipc, pid, net, uts, cgroup: no network at all
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        "--setenv", "PATH", "/usr/bin:/bin",
        "--setenv", "HOME", workdir,
        "--setenv", "TMPDIR", workdir,
        "--setenv", "LANG", "C.UTF-8",
        "--",
    ]
    return args


def bwrap_available() -> bool:
    """Whether bubblewrap is installed and can create its namespaces here (probed once)."""
    global _BWRAP_OK
    if _BWRAP_OK is None:
        _BWRAP_OK = False
        if shutil.which("bwrap"):
            with tempfile.TemporaryDirectory(prefix="autodev-eval-probe-") as d:
                try:
                    p = subprocess.run(
                        _bwrap_args(d) + [_python(), "-I", "-c", "print('ok')"],
                        capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
                    )
                    _BWRAP_OK = p.returncode == 0 and p.stdout.strip() == "ok"
                except (OSError, subprocess.SubprocessError):
                    _BWRAP_OK = False
    return _BWRAP_OK


def _limits(cpu_seconds: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
        resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_BYTES, FILE_BYTES))
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def run_python(code: str, timeout: float = 15.0, files: dict[str, str] | None = None) -> RunResult:
    """Runs `code` as a script in a fresh temporary directory (with `files` beside it) under the limits above."""
    global _WARNED
    with tempfile.TemporaryDirectory(prefix="autodev-eval-run-") as workdir:
        for name, text in (files or {}).items():
            with open(os.path.join(workdir, name), "w", encoding="utf-8") as f:
                f.write(text)
        script = os.path.join(workdir, "main.py")
        with open(script, "w", encoding="utf-8") as f:
            f.write(code)
        cmd = [_python(), "-I", script]
        if bwrap_available():
            cmd = _bwrap_args(workdir) + cmd
            kind = "bwrap"
        else:
            kind = "rlimits"
            if not _WARNED:
                _WARNED = True
                print(
                    "autodev-eval: WARNING: bubblewrap is not available; hidden tests run with a time limit, resource "
                    "limits and a temporary directory only (apt-get install bubblewrap)",
                    file=sys.stderr,
                )
        env = {"PATH": "/usr/bin:/bin", "HOME": workdir, "TMPDIR": workdir, "LANG": "C.UTF-8"}
        t0 = time.monotonic()
        proc = subprocess.Popen(
            cmd, cwd=workdir, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, errors="replace", start_new_session=True, preexec_fn=_limits(int(timeout) + 1),
        )
        try:
            out, err = proc.communicate(timeout=timeout)
            rc: int | None = proc.returncode
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            out, err = proc.communicate()
            rc = None
        return RunResult(rc, out[-20000:], err[-20000:], time.monotonic() - t0, kind)
