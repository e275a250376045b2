"""``local up``'s clear errors, checked without applying anything: terraform missing, port taken, bad input.

Each must exit 1 with one message naming the problem and leave no emulator running.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from generator.local import emulator as emu  # noqa: E402


def _up(workdir: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "main.py", "local", "up", "--workdir", str(workdir), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env=env or dict(os.environ),
    )


def test_missing_terraform_is_reported_before_anything_starts(tmp_path):
    path = os.pathsep.join(
        p for p in os.environ.get("PATH", "").split(os.pathsep) if not (Path(p) / "terraform").exists()
    )
    result = _up(tmp_path, env={**os.environ, "PATH": path})
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("error: terraform: not found on PATH; install Terraform")
    assert emu.running(tmp_path) is None and not (tmp_path / "emulator").exists()


def _stand_in_terraform(bin_dir: Path, apply_fails: bool = False) -> dict[str, str]:
    """An environment whose PATH starts with a stand-in ``terraform`` (up checks for one before anything else)."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    fake = bin_dir / "terraform"
    failing = '  apply) echo "Error: Invalid provider configuration (stand-in)" >&2; exit 1;;\n' if apply_fails else ""
    fake.write_text(f'#!/bin/sh\ncase "$1" in\n{failing}  *) exit 0;;\nesac\n')
    fake.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}


def test_taken_port_is_reported_and_nothing_keeps_running(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _up(tmp_path / "work", "--port", str(port), env=_stand_in_terraform(tmp_path / "bin"))
    assert result.returncode == 1
    assert f"error: port {port} on 127.0.0.1 is in use, expected a free port" in result.stderr
    assert emu.running(tmp_path / "work") is None


def test_unknown_instance_is_a_validation_error(tmp_path):
    result = _up(tmp_path / "work", "--instance", "nope", env=_stand_in_terraform(tmp_path / "bin"))
    assert result.returncode == 1
    assert "--instance: got 'nope', expected one of: john-inventory-dev" in result.stderr
    assert emu.running(tmp_path / "work") is None


def test_failing_stack_is_named_with_terraforms_error_and_the_emulator_stops(tmp_path):
    """A stand-in terraform that fails on apply: up names the stack, prints Terraform's message, stops the emulator."""
    workdir = tmp_path / "work"
    result = _up(
        workdir, "--instance", "john-inventory-dev", env=_stand_in_terraform(tmp_path / "bin", apply_fails=True)
    )
    assert result.returncode == 1
    assert "error: stack 'platform': terraform apply failed:" in result.stderr
    assert "Error: Invalid provider configuration (stand-in)" in result.stderr
    # What was done after the failure follows it, on the error line itself (issue 15, item 1).
    assert result.stderr.splitlines()[-1].endswith("; the emulator was stopped and its state discarded")
    assert "emulator: stopped" not in result.stdout
    assert emu.running(workdir) is None
    assert not (workdir / "emulator" / "emulator.json").exists()
