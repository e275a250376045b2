"""The end-to-end session: one ``local up`` shared by every e2e module, and the timings in pytest's summary.

``local up`` (platform, a dev and a prod app) runs once per test session, the
first time a test asks for ``local_session``; ``local down`` runs at the end
unless a test already brought it down. Skipped only when terraform is not on
PATH and CI is unset; under CI it fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEV, PROD = "john-inventory-dev", "team-backend-inventory-prod"

#: name -> seconds, filled through the ``e2e_timings`` fixture.
_TIMINGS: dict[str, float] = {}


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
        if os.environ.get("CI"):
            pytest.fail("terraform is not on PATH and CI is set: the end-to-end suite must run in CI")
        pytest.skip("terraform is not on PATH (install it to run the end-to-end suite; under CI=true this fails)")
    workdir = tmp_path_factory.mktemp("local")
    started = time.monotonic()
    result = local("up", "--instance", DEV, "--instance", PROD, workdir=workdir)
    e2e_timings[f"local up (platform, {DEV}, {PROD})"] = time.monotonic() - started
    try:
        assert result.returncode == 0, f"local up failed:\n{result.stdout}\n{result.stderr}"
        server = emu.running(workdir)
        assert server is not None, "the emulator is not running after up"
        yield {"workdir": workdir, "endpoint": server.endpoint, "pid": server.pid, "up": result}
    finally:
        if emu.running(workdir) is not None:  # a failed test must not leave the emulator running
            local("down", workdir=workdir)


def pytest_terminal_summary(terminalreporter):
    if _TIMINGS:
        terminalreporter.write_sep("-", "end-to-end timings (python main.py local ...)")
        for name, seconds in _TIMINGS.items():
            terminalreporter.write_line(f"{name}: {seconds:.0f} s")
        terminalreporter.write_line(f"total: {sum(_TIMINGS.values()):.0f} s")
