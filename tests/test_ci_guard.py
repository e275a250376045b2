"""The CI check and the CI guard: one definition of "in CI"; under CI an unexpected skip fails the run."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from helpers import REPO, in_ci

SAMPLE = """
import pytest

def test_runs():
    pass

def test_skips():
    pytest.skip("a tool is missing")

@pytest.mark.xfail(reason="known", strict=True)
def test_expected_failure():
    raise AssertionError
"""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("true", True),
        ("TRUE", True),
        ("1", True),
        ("on", True),
        ("yes", True),
        ("github-actions", True),
        ("", False),
        ("0", False),
        ("false", False),
        ("no", False),
        ("off", False),
    ],
)
def test_in_ci_reads_every_common_spelling(monkeypatch, value, expected):
    monkeypatch.setenv("CI", value)
    assert in_ci() is expected


def test_in_ci_is_false_without_the_variable(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    assert in_ci() is False


def test_no_test_reads_ci_by_itself():
    """Every test asks helpers.in_ci (or skip_or_fail); nobody parses $CI on their own."""
    offenders = []
    for path in sorted((REPO / "tests").rglob("*.py")):
        if path.name in ("helpers.py", "test_ci_guard.py"):
            continue
        text = path.read_text()
        if 'environ.get("CI"' in text or "environ['CI']" in text or 'environ["CI"]' in text or "importorskip" in text:
            offenders.append(path.relative_to(REPO).as_posix())
    assert offenders == []


def _run_sample(tmp_path, ci: str) -> subprocess.CompletedProcess:
    (tmp_path / "test_sample.py").write_text(SAMPLE)
    env = {**os.environ, "CI": ci, "PYTHONPATH": str(REPO / "tests")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "ci_guard", "-p", "no:cacheprovider", "-q", "-rA", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("ci", ["true", "1", "on"])
def test_a_skip_under_ci_fails_the_run(tmp_path, ci):
    result = _run_sample(tmp_path, ci)
    assert result.returncode == 1, result.stdout
    assert "FAILED test_sample.py::test_skips" in result.stdout
    assert "skipped under CI: Skipped: a tool is missing" in result.stdout
    assert "1 failed, 1 passed, 1 xfailed" in result.stdout
    assert "tests run: 2, skipped: 1, skips failed under CI: 1" in result.stdout


def test_a_skip_outside_ci_stays_a_skip(tmp_path):
    result = _run_sample(tmp_path, "false")
    assert result.returncode == 0, result.stdout
    assert "1 passed, 1 skipped, 1 xfailed" in result.stdout
    assert "tests run: 2, skipped: 1" in result.stdout


def test_a_test_that_never_ends_fails_at_the_suites_time_limit(tmp_path, request):
    """The suite's pytest.ini gives every test 30 minutes; here the same configuration with one second, on a test
    that loops for ever, as an endless-loop bug would: it fails with the timeout, and the run goes on to the next."""
    assert request.config.getini("timeout") == "1800"
    (tmp_path / "test_loops.py").write_text(
        "def test_loops():\n    while True:\n        pass\n\n\ndef test_after():\n    assert True\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(REPO / "pytest.ini"), "--rootdir", str(tmp_path)]
        + ["-p", "no:cacheprovider", "-q", "-o", "timeout=1", str(tmp_path / "test_loops.py")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stdout
    assert "FAILED test_loops.py::test_loops - Failed: Timeout >1.0s" in result.stdout
    assert "1 failed, 1 passed" in result.stdout
