"""pytest plugin for tools/mutate_js.py: every auth-page mutant against one browser session.

The browser tests' module fixtures (the synthesized project for its CSP, the local site, OAuth and API
servers, a Chromium) take most of a minute to set up on a loaded machine, and the site reads ui/auth/ from disk
on every request. So this plugin sets them up once: it runs the selected tests on the unmutated pages (they must
all pass), then for each mutant writes the edit into the scratch copy, clears the browser's cache, runs the
tests until the first failure (killed) or to the end (survived), and restores the file. Verdicts go to the JSON
file named by ``$MUTATE_JS_RESULTS`` as they come, so a time-boxed run keeps what it checked.

    MUTATE_JS_SPEC=spec.json MUTATE_JS_RESULTS=out.json python -m pytest -p mutate_js_session TESTS...

spec.json: {"base": scratch copy, "mutants": [[id, file, text, replacement], ...]}.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from _pytest.runner import runtestprotocol


class _Browser:
    driver = None


def pytest_runtest_teardown(item):
    """Remember the test's Chromium (the module-scoped ``browser`` fixture) to clear its cache between mutants."""
    funcargs = getattr(item, "funcargs", None) or {}
    if "browser" in funcargs:
        _Browser.driver = funcargs["browser"]


def _run_all(items, keep_fixtures):
    """The first failing test's id, or None when every test passed; module fixtures stay up if ``keep_fixtures``."""
    for index, item in enumerate(items):
        following = items[index + 1] if index + 1 < len(items) else (items[0] if keep_fixtures else None)
        reports = runtestprotocol(item, nextitem=following, log=False)
        if any(report.failed for report in reports):
            return item.nodeid
    return None


def pytest_runtestloop(session):
    if session.config.option.collectonly or not session.items:
        return None
    spec = json.loads(Path(os.environ["MUTATE_JS_SPEC"]).read_text())
    out = Path(os.environ["MUTATE_JS_RESULTS"])
    base, mutants, items = Path(spec["base"]), spec["mutants"], session.items
    results = {}

    def record(name, verdict, started):
        results[name] = {"verdict": verdict, "seconds": round(time.monotonic() - started, 1)}
        out.write_text(json.dumps(results, indent=1))

    started = time.monotonic()
    failed = _run_all(items, keep_fixtures=bool(mutants))
    record("(unmutated)", f"error: {failed} fails without a mutant" if failed else "passed", started)
    if failed:
        return True
    for index, (name, path, text, replacement) in enumerate(mutants):
        started = time.monotonic()
        target = base / path
        source = target.read_text()
        assert source.count(text) == 1, f"{name}: the text occurs {source.count(text)} times in {path}"
        target.write_text(source.replace(text, replacement))
        try:
            if _Browser.driver is not None:
                _Browser.driver.execute_cdp_cmd("Network.clearBrowserCache", {})
            failed = _run_all(items, keep_fixtures=index + 1 < len(mutants))
        finally:
            target.write_text(source)
        record(name, f"killed by {failed}" if failed else "survived", started)
    return True
