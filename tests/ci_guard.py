"""Under CI every skip is a failure, unless the test is on ALLOWED_CI_SKIPS with its reason.

Loaded by tests/conftest.py (its hooks are imported there). A CI run that is green has
run what it claims: a missing tool, a skipped import or a forgotten ``skipif`` turns
red instead of silently shrinking the suite. The terminal summary always ends with the
count of tests run, which .ci/run shows.
"""

from __future__ import annotations

from fnmatch import fnmatch

import pytest
from helpers import in_ci

#: node id pattern (fnmatch) -> why skipping it in CI is acceptable. Keep this short; every entry is a hole.
ALLOWED_CI_SKIPS: dict[str, str] = {}

_COUNTS = {"run": 0, "skipped": 0, "ci_skip_failures": 0}


def _allowed(nodeid: str) -> bool:
    return any(fnmatch(nodeid, pattern) for pattern in ALLOWED_CI_SKIPS)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    # The test's body ran: passed, failed, xfailed or xpassed. A skip did not, nor an xfail with run=False
    # (pytest marks it xfailed at setup without running it): both count as skipped, and fail under CI.
    ran = report.when == "call" and (hasattr(report, "wasxfail") or not report.skipped)
    if ran:
        _COUNTS["run"] += 1
    elif report.skipped:
        _COUNTS["skipped"] += 1
    if not report.skipped or ran or not in_ci() or _allowed(report.nodeid):
        return
    # An xfail not run says why in wasxfail; a skip's longrepr is always (path, line, message).
    reason = report.wasxfail if hasattr(report, "wasxfail") else report.longrepr[2]
    report.outcome = "failed"
    report.longrepr = (
        f"skipped under CI: {reason}\n"
        "CI must run every test: install what it needs in .ci/run, or add the test to "
        "ALLOWED_CI_SKIPS in tests/ci_guard.py with the reason"
    )
    _COUNTS["ci_skip_failures"] += 1


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line(
        f"tests run: {_COUNTS['run']}, skipped: {_COUNTS['skipped']}"
        + (f", skips failed under CI: {_COUNTS['ci_skip_failures']}" if _COUNTS["ci_skip_failures"] else "")
    )
