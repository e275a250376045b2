"""The end-to-end session: one ``local up`` shared by every e2e module, and the timings in pytest's summary.

``local up`` (platform, a dev and a prod app) runs once per test session, the
first time a test asks for ``local_session``; ``local down`` runs in its teardown,
after the last e2e test, and is checked there (no resource left in any state, no
process left running). No test brings the session down, so the tests pass in any
order and each alone. Skipped only when terraform is not on PATH and CI is unset;
under CI it fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import skip_or_fail

REPO = Path(__file__).resolve().parents[2]
DEV, PROD = "john-inventory-dev", "team-backend-inventory-prod"

#: name -> seconds, filled through the ``e2e_timings`` fixture.
_TIMINGS: dict[str, float] = {}
#: Issue 12: ``local up`` + the browser test + ``local down`` on this machine.
BUDGET_SECONDS = 6 * 60
#: What ``up`` and ``down`` said about where their time went (their phase and Terraform lines).
_PROFILE: list[str] = []
_PROFILE_MARKS = ("emulator:", "synth:", "init:", "edge: started", "terraform (wall/cpu s)", "up: done", "down: done")


@pytest.fixture(scope="session")
def e2e_timings() -> dict[str, float]:
    return _TIMINGS


def local(*args: str, workdir: Path, timeout: int = 900) -> subprocess.CompletedProcess:
    """``python main.py local <args> --workdir <workdir>`` from the repository."""
    command = [sys.executable, "main.py", "local", *args, "--workdir", str(workdir)]
    return subprocess.run(
        command,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )


@pytest.fixture(scope="session")
def local_session(tmp_path_factory, e2e_timings):
    """One ``local up`` of the platform, a dev and a prod app; ``down`` at the end whatever happened."""
    from generator.local import emulator as emu

    if shutil.which("terraform") is None:
        skip_or_fail("terraform is not on PATH (install it to run the end-to-end suite)")
    workdir = tmp_path_factory.mktemp("local")
    result = down = None
    try:
        started = time.monotonic()
        result = local("up", "--instance", DEV, "--instance", PROD, workdir=workdir)
        e2e_timings[f"local up (platform, {DEV}, {PROD})"] = time.monotonic() - started
        _PROFILE.extend(_profile_lines("local up", result.stdout))
        assert result.returncode == 0, f"local up failed:\n{result.stdout}\n{result.stderr}"
        server = emu.running(workdir)
        assert server is not None, "the emulator is not running after up"
        yield {"workdir": workdir, "endpoint": server.endpoint, "pid": server.pid, "up": result}
    finally:
        # Never leave the emulator running: not after a failed test, a failed up, or an up that timed out.
        if (result is not None and result.returncode == 0) or emu.running(workdir) is not None:
            started = time.monotonic()
            down = local("down", workdir=workdir)
            e2e_timings["local down"] = time.monotonic() - started
            _PROFILE.extend(_profile_lines("local down", down.stdout))
    _assert_down_destroyed_everything(workdir, server.pid, down)


def _assert_down_destroyed_everything(workdir: Path, pid: int, result: subprocess.CompletedProcess) -> None:
    """``down`` left no resource in any state, stopped the emulator and left no process working in ``workdir``."""
    from generator.local import emulator as emu

    assert result.returncode == 0, f"local down failed:\n{result.stdout}\n{result.stderr}"
    states = sorted((workdir / "terraform-state").glob("*.tfstate"))
    assert {p.stem for p in states} == {"platform", DEV, PROD}
    for path in states:
        resources = [r for r in json.loads(path.read_text())["resources"] if r["mode"] == "managed"]
        assert resources == [], f"{path.name} still holds {[r['type'] for r in resources]}"
    assert emu.running(workdir) is None
    assert not _running(pid), "the emulator process is still running"
    leftovers = [
        p.name for p in Path("/proc").iterdir() if p.name.isdigit() and _running(int(p.name)) and _runs_in(p, workdir)
    ]
    assert leftovers == [], f"processes still running in {workdir}: {leftovers}"


def _running(pid: int) -> bool:
    """Alive and not a zombie (an exited emulator whose parent, the first ``up``, is gone may await reaping)."""
    try:
        return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def _runs_in(proc: Path, folder: Path) -> bool:
    """Whether a process works in ``folder`` (Terraform, its providers, the emulator all do)."""
    try:
        return (
            Path(os.readlink(proc / "cwd")).is_relative_to(folder)
            or str(folder).encode() in (proc / "cmdline").read_bytes()
        )
    except OSError:
        return False


def _profile_lines(command: str, stdout: str) -> list[str]:
    lines = [line.strip() for line in stdout.splitlines()]
    return [f"{command}: {line}" for line in lines if line.startswith(_PROFILE_MARKS) or "complete!" in line]


def _load() -> str:
    try:
        return "load average " + " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "load average unknown"


def pytest_terminal_summary(terminalreporter):
    if _TIMINGS:
        terminalreporter.write_sep("-", "end-to-end timings (python main.py local ...)")
        for name, seconds in _TIMINGS.items():
            terminalreporter.write_line(f"{name}: {seconds:.0f} s")
        terminalreporter.write_line(f"total: {sum(_TIMINGS.values()):.0f} s")
        parts = [s for n, s in _TIMINGS.items() if n.startswith(("local up", "browser:", "local down"))]
        if all(any(n.startswith(step) for n in _TIMINGS) for step in ("local up", "browser:", "local down")):
            spent = sum(parts)
            verdict = "met" if spent < BUDGET_SECONDS else "MISSED"
            terminalreporter.write_line(
                f"local up + browser tests + local down: {spent:.0f} s of the {BUDGET_SECONDS} s target: {verdict} "
                f"({_load()}, {os.cpu_count()} CPUs)"
            )
        for line in _PROFILE:
            terminalreporter.write_line(line)
