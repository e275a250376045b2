"""Prints the end-to-end suite's timings (``local up``, second ``up``, ``down``) in pytest's summary."""

import pytest

#: name -> seconds, filled by tests/e2e/test_local_emulator.py through the ``e2e_timings`` fixture.
_TIMINGS: dict[str, float] = {}


@pytest.fixture(scope="session")
def e2e_timings() -> dict[str, float]:
    return _TIMINGS


def pytest_terminal_summary(terminalreporter):
    if _TIMINGS:
        terminalreporter.write_sep("-", "end-to-end timings (python main.py local ...)")
        for name, seconds in _TIMINGS.items():
            terminalreporter.write_line(f"{name}: {seconds:.0f} s")
