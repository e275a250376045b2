"""The CI check and the CI guard: one definition of "in CI"; under CI an unexpected skip fails the run."""

from __future__ import annotations

import os
import re
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

@pytest.mark.skipif(True, reason="no terraform")
def test_skipped_by_a_marker():
    pass

def test_allowed_to_skip():
    pytest.skip("a known hole")

@pytest.mark.xfail(reason="known", strict=True)
def test_expected_failure():
    raise AssertionError

@pytest.mark.xfail(reason="never run", run=False)
def test_not_run():
    raise AssertionError
"""
#: The sample's allow-list: one entry, a pattern.
ALLOW = """
import ci_guard

ci_guard.ALLOWED_CI_SKIPS["test_sample.py::test_allowed_*"] = "the reason"
"""
HINT = (
    "CI must run every test: install what it needs in .ci/run, or add the test to ALLOWED_CI_SKIPS in "
    "tests/ci_guard.py with the reason"
)


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


def _run_sample(tmp_path, ci: str, sample: str = SAMPLE) -> subprocess.CompletedProcess:
    (tmp_path / "test_sample.py").write_text(sample)
    (tmp_path / "conftest.py").write_text(ALLOW)
    env = {**os.environ, "CI": ci, "PYTHONPATH": str(REPO / "tests")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "ci_guard", "-p", "no:cacheprovider", "-q", "-rA", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _summary(stdout: str) -> list[str]:
    """The lines of pytest's short test summary, the last (the counts) included."""
    return stdout.split("short test summary info", 1)[1].splitlines()[1:]


@pytest.mark.parametrize("ci", ["true", "1", "on"])
def test_a_skip_under_ci_fails_the_run(tmp_path, ci):
    """A skip in the test, one by a marker at setup and an xfail that is never run each fail; the allow-listed
    skip stays a skip; the test that ran and the xfail that ran count as run."""
    result = _run_sample(tmp_path, ci)
    assert result.returncode == 1, result.stdout
    assert "tests run: 2, skipped: 4, skips failed under CI: 3" in result.stdout.splitlines()
    assert _summary(result.stdout) == [
        "PASSED test_sample.py::test_runs",
        "SKIPPED [1] test_sample.py:15: a known hole",
        "XFAIL test_sample.py::test_expected_failure - known",
        "ERROR test_sample.py::test_skipped_by_a_marker - skipped under CI: Skipped: no terraform",
        HINT,
        "ERROR test_sample.py::test_not_run - skipped under CI: [NOTRUN] never run",
        HINT,
        "FAILED test_sample.py::test_skips - skipped under CI: Skipped: a tool is missing",
        HINT,
        _summary(result.stdout)[-1],
    ]
    assert _summary(result.stdout)[-1].startswith("1 failed, 1 passed, 1 skipped, 1 xfailed, 2 errors in ")


def test_a_skip_outside_ci_stays_a_skip(tmp_path):
    result = _run_sample(tmp_path, "false")
    assert result.returncode == 0, result.stdout
    assert "tests run: 2, skipped: 4" in result.stdout.splitlines()  # the line whole: no count of failed skips
    assert _summary(result.stdout)[-1].startswith("1 passed, 3 skipped, 2 xfailed in ")


def test_ci_without_an_unexpected_skip_passes_and_says_so(tmp_path):
    sample = "import pytest\n\ndef test_allowed_to_skip():\n    pytest.skip('x')\n\ndef test_runs():\n    pass\n"
    result = _run_sample(tmp_path, "true", sample)
    assert result.returncode == 0, result.stdout
    assert "tests run: 1, skipped: 1" in result.stdout.splitlines()  # the line whole: no count of failed skips


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


SKIP_OR_FAIL = """
from helpers import skip_or_fail

def test_needs_terraform():
    skip_or_fail("terraform is missing")
"""


@pytest.mark.parametrize(
    ("ci", "expected"),
    [
        ("false", r"SKIPPED \[1\] .*tests/helpers\.py:\d+: terraform is missing"),  # pytest names where it skipped
        (
            "true",
            "FAILED test_sample.py::test_needs_terraform - Failed: terraform is missing -- CI is set, so this is "
            "a failure, not a skip",
        ),
    ],
)
def test_skip_or_fail_skips_with_the_reason_outside_ci_and_fails_under_it(tmp_path, ci, expected):
    result = _run_sample(tmp_path, ci, SKIP_OR_FAIL)
    assert re.fullmatch(expected, _summary(result.stdout)[0]), _summary(result.stdout)[0]
