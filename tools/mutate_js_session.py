"""pytest plugin for tools/mutate_js.py: every page mutant (ui/auth/, the app) against one browser session.

The browser tests' module fixtures (the synthesized project for its CSP, the local site, OAuth and API
servers, a Chromium) take most of a minute to set up on a loaded machine. So this plugin sets them up once: it
runs the selected tests on the unmutated pages (they must all pass), then for each mutant writes the edit into the
scratch copy, clears the browser's cache, runs that mutant's tests until the first failure (killed) or to the end
(survived), and restores the file. The site reads ui/auth/ from disk on every request, but publishes the app's
folder once, as the platform does (content-hashed names): a mutant of the app is published anew, and the site
serves that copy until the file is restored. Verdicts go to the JSON file named by ``$MUTATE_JS_RESULTS`` as they
come, so a time-boxed run keeps what it checked.

    MUTATE_JS_SPEC=spec.json MUTATE_JS_RESULTS=out.json python -m pytest -p mutate_js_session TESTS...

spec.json: {"base": scratch copy, "mutants": [[id, file, text, replacement, -k expression, span, first], ...]}; each
mutant runs the collected tests its -k expression selects (the session's own -k must select all of them), those
the -k expression ``first`` selects (if not null) before the others. ``span`` is null for a hand-picked mutant (its
text occurs once in the file) and [start, end] for a generated one.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

from _pytest.mark import KeywordMatcher
from _pytest.mark.expression import Expression
from _pytest.runner import runtestprotocol
from mutate_js_generated import apply_edit

#: The folder the local site publishes once (tests/app/test_app_browser.py ``publish``): a mutant there is republished.
PUBLISHED = "ui/inventory/"


class _Fixtures:
    """What the plugin needs from the browser tests' module fixtures, remembered after a test that used them."""

    driver = None  # the ``browser`` fixture's Chromium: its cache is cleared between mutants
    site = None  # the ``stack`` fixture's site handler class: its ``published`` copy is swapped for an app mutant
    publish = None  # the test module's ``publish(root, work_dir)``


def pytest_runtest_teardown(item):
    funcargs = getattr(item, "funcargs", None) or {}
    if "browser" in funcargs:
        _Fixtures.driver = funcargs["browser"]
    if "stack" in funcargs:
        _Fixtures.site = funcargs["stack"]["site_handler"]
        _Fixtures.publish = item.module.publish


def _run_all(items, keep_fixtures):
    """The first failing test's id and why it failed, or None when every test passed; module fixtures stay up if
    ``keep_fixtures``."""
    for index, item in enumerate(items):
        following = items[index + 1] if index + 1 < len(items) else (items[0] if keep_fixtures else None)
        reports = runtestprotocol(item, nextitem=following, log=False)
        failed = [report for report in reports if report.failed]
        if failed:
            crash = getattr(failed[0].longrepr, "reprcrash", None)
            why = crash.message.splitlines()[0][:200] if crash is not None and crash.message else failed[0].when
            return f"{item.nodeid} ({failed[0].when}: {why})"
    return None


def _selected(items, keyword):
    """The items the -k expression ``keyword`` selects, as pytest's own -k would."""
    expression = Expression.compile(keyword)
    return [item for item in items if expression.evaluate(KeywordMatcher.from_item(item))]


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
    for index, (name, path, text, replacement, keyword, span, first) in enumerate(mutants):
        started = time.monotonic()
        target = base / path
        source = target.read_text()
        target.write_text(apply_edit(source, name, text, replacement, span))
        published = _Fixtures.site.published if _Fixtures.site is not None else None
        try:
            with tempfile.TemporaryDirectory(prefix="mutant-published-") as work:
                if path.startswith(PUBLISHED):
                    assert _Fixtures.site is not None, f"{name}: no test used the stack fixture, nothing to republish"
                    _Fixtures.site.published = _Fixtures.publish(base, Path(work))
                if _Fixtures.driver is not None:
                    _Fixtures.driver.execute_cdp_cmd("Network.clearBrowserCache", {})
                selected = _selected(items, keyword)
                if first:
                    selected = _selected(selected, first) + _selected(selected, f"not ({first})")
                failed = _run_all(selected, keep_fixtures=index + 1 < len(mutants))
        finally:
            target.write_text(source)
            if published is not None:
                _Fixtures.site.published = published
        record(name, f"killed by {failed}" if failed else "survived", started)
    return True
