"""Hand-picked mutations of the JavaScript the platform serves, each run against the tests that guard it.

Each mutant is one textual edit of cloudfront_function/viewer_request.js, ui/auth/ (the viewer-request function,
the shared callback and logout pages) or ui/inventory/app.js (the app every tenant gets), applied in a scratch
copy of the repository, never here. The CloudFront Function's mutants run tests/app/test_app_cloudfront_function*.py
(node, a pytest process per mutant, seconds each). The pages' mutants run tests/app/test_app_browser.py (a real
Chromium) in one pytest session (tools/mutate_js_session.py): its fixtures, a full synth and a browser, are set up
once, and each mutant is written into the scratch copy the local site serves from. An auth page's mutant runs the
callback and logout tests; an app mutant runs every other test of that file (the sign-in, the item list, the
no-access page, the app's own refusals, tokens and sign-out). A mutant is killed when a test fails. The score and
the survivors are printed; docs/testing.md records and triages them.

    python tools/mutate_js.py [--work /tmp/mutation-js] [--minutes 30] [-k SUBSTRING[,SUBSTRING...]]
    python tools/mutate_js.py --generated FILE[,FILE...] [--work W] [--minutes M] [-k ID-OR-SUBSTRING[,...]]

About ten minutes on two quiet cores (the browser session's setup, then ~5-60 s per page mutant): not run in CI.
``--generated`` runs, instead of the hand-picked mutants, every mutant tools/mutate_js_generated.py makes of
those files by operator (Stryker's mutators), through the same machinery; its counts per file and operator are
printed first. There ``-k`` takes a mutant's whole id (that mutant only) or a substring of ids.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from mutate_js_generated import apply_edit, counts, generate_file

REPO = Path(__file__).resolve().parent.parent
CF = "cloudfront_function/viewer_request.js"
CALLBACK = "ui/auth/callback/callback.js"
LOGOUT = "ui/auth/logout/logout.js"
COMMON = "ui/auth/auth-common.js"
APP = "ui/inventory/app.js"
#: Every file of the viewer function's tests, the review file beside the first included (a test written for a
#: survivor must judge the next run's mutants too).
CF_TESTS = sorted(str(p.relative_to(REPO)) for p in (REPO / "tests/app").glob("test_app_cloudfront_function*.py"))
#: The browser tests are one file: the session above keeps one module's fixtures up (a second file would set up a
#: second moto and site per mutant, and moto's start resets the first one's table). tests/test_mutation_tools.py
#: fails on a second file.
BROWSER_TESTS = "tests/app/test_app_browser.py"
#: The -k expression of BROWSER_TESTS that judges a page's mutants: the shared callback's and logout page's tests
#: (auth-common.js is theirs too); for the app, every other test (none of them is about those two pages, and the
#: app's own handling of a code and state has tests of its own). Test names must keep to this.
AUTH_TESTS = "callback or logout"
APP_TESTS = "not callback and not logout"


#: A generated mutant of a shared page runs that page's own tests of the selection first: the same tests, to the
#: first failure sooner (a logout mutant would otherwise wait behind every callback test).
OWN_TESTS_FIRST = {
    CALLBACK: "callback",
    LOGOUT: "logout",
    "ui/auth/callback/index.html": "callback",
    "ui/auth/logout/index.html": "logout",
}


def browser_tests(path: str) -> str:
    """The -k expression whose tests judge a mutant of ``path``."""
    return APP_TESTS if path.startswith("ui/inventory/") else AUTH_TESTS


#: (id, file, text, replacement): each text occurs exactly once in its file. A generated mutant
#: (``generated_mutants``) carries a fifth item, the (start, end) range of ``text`` it replaces.
MUTANTS = [
    # --- the shared callback: every check removed or weakened once
    ("callback-no-prefix-check", CALLBACK, "if (!pending || pending.prefix !== prefix) {", "if (!pending) {"),
    ("callback-prefix-check-inverted", CALLBACK, "pending.prefix !== prefix", "pending.prefix === prefix"),
    ("callback-no-expiry", CALLBACK, "if (!(Date.now() - pending.createdAt <= MAX_AGE_MS)) {", "if (false) {"),
    ("callback-expiry-an-hour", CALLBACK, "var MAX_AGE_MS = 10 * 60 * 1000;", "var MAX_AGE_MS = 60 * 60 * 1000;"),
    (
        "callback-expiry-nan-passes",
        CALLBACK,
        "!(Date.now() - pending.createdAt <= MAX_AGE_MS)",
        "Date.now() - pending.createdAt > MAX_AGE_MS",
    ),
    ("callback-nonce-not-consumed", CALLBACK, "sessionStorage.removeItem(key); // one use", "// one use"),
    ("callback-no-nonce-format", CALLBACK, "if (!NONCE.test(nonce)) return refuse('the state is malformed.');", ""),
    ("callback-nonce-min-length-1", CALLBACK, "{16,128}", "{1,128}"),
    (
        "callback-no-app-path-check",
        CALLBACK,
        "if (!auth.isAppPath(prefix)) return refuse('the state does not name an app on this site.');",
        "",
    ),
    (
        "callback-no-state-check",
        CALLBACK,
        "if (!state) return refuse('the response carries no state.');",
        "state = state || '';",
    ),
    ("callback-no-code-check", CALLBACK, "if (!code || !CODE.test(code)) return", "if (false) return"),
    ("callback-code-any-characters", CALLBACK, "var CODE = /^[A-Za-z0-9._~-]{1,2048}$/;", "var CODE = /^.{1,2048}$/;"),
    (
        "callback-no-origin-check",
        CALLBACK,
        "target.origin !== window.location.origin || target.pathname !== prefix",
        "false",
    ),
    ("callback-error-not-reported", CALLBACK, "if (params.get('error')) {", "if (false) {"),
    ("callback-separator-last-colon", CALLBACK, "state.indexOf(':')", "state.lastIndexOf(':')"),
    (
        "callback-home-link-to-prefix",
        CALLBACK,
        "var home = { href: '/', text: 'Go to the home page' };",
        "var home = { href: '/john-inventory-dev/', text: 'Go to the home page' };",
    ),
    # --- the shared helpers
    (
        "common-app-path-any-case",
        COMMON,
        "var APP_PATH = /^\\/[a-z0-9][a-z0-9-]{0,62}\\/$/;",
        "var APP_PATH = /^\\/[a-zA-Z0-9][a-zA-Z0-9-]{0,62}\\/$/;",
    ),
    (
        "common-app-path-unanchored",
        COMMON,
        "var APP_PATH = /^\\/[a-z0-9][a-z0-9-]{0,62}\\/$/;",
        "var APP_PATH = /\\/[a-z0-9][a-z0-9-]{0,62}\\/$/;",
    ),
    ("common-app-path-any-char", COMMON, "[a-z0-9][a-z0-9-]{0,62}", "[a-z0-9][^/]{0,62}"),
    ("common-no-reserved", COMMON, "RESERVED.indexOf(path) === -1", "true"),
    ("common-status-not-set", COMMON, "document.body.setAttribute('data-status', status);", ""),
    ("common-error-class-always-empty", COMMON, "status === 'redirecting' ? '' : 'error'", "''"),
    # --- the logout page
    ("logout-no-app-path-check", LOGOUT, "if (auth.isAppPath(prefix)) {", "if (prefix) {"),
    ("logout-return-to-not-consumed", LOGOUT, "sessionStorage.removeItem(key);", ""),
    ("logout-no-signed-out-flag", LOGOUT, "prefix + '?signedOut=1'", "prefix"),
    ("logout-home-link-missing", LOGOUT, ", { href: '/', text: 'Go to the home page' });", ");"),
    # --- the CloudFront viewer-request function
    ("cf-no-redirect-for-bare-app", CF, "if (segments.length === 2) {", "if (false) {"),
    ("cf-redirect-302", CF, "statusCode: 301,", "statusCode: 302,"),
    (
        "cf-redirect-drops-query",
        CF,
        "location: { value: qs ? location + '?' + qs : location },",
        "location: { value: location },",
    ),
    ("cf-deep-link-not-rewritten", CF, "if (last === '' || last.indexOf('.') === -1) {", "if (last === '') {"),
    ("cf-files-rewritten-too", CF, "if (last === '' || last.indexOf('.') === -1) {", "if (true) {"),
    ("cf-reserved-ignored", CF, "|| RESERVED[app]", ""),
    (
        "cf-app-name-any-case",
        CF,
        "var APP_NAME = /^[a-z0-9](?:[a-z0-9-]{0,62})$/;",
        "var APP_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})$/;",
    ),
    (
        "cf-auth-page-any-depth",
        CF,
        "var AUTH_PAGE = /^\\/auth\\/([a-z0-9-]+)\\/?$/;",
        "var AUTH_PAGE = /^\\/auth\\/([a-z0-9/-]+)\\/?$/;",
    ),
    ("cf-root-not-rewritten", CF, "request.uri = '/index.html';", ""),
    (
        "cf-query-value-double-encoded",
        CF,
        "escapeUnsafe(key) + '=' + escapeUnsafe(value)",
        "escapeUnsafe(key) + '=' + encodeURIComponent(value)",
    ),
    ("cf-multivalue-first-only", CF, "entry && entry.multiValue ? entry.multiValue : [entry]", "[entry]"),
    ("cf-empty-value-keeps-equals", CF, "value === '' ? escapeUnsafe(key) :", "false ? escapeUnsafe(key) :"),
    ("cf-escape-nothing", CF, "return encodeURIComponent(ch);", "return ch;"),
    ("cf-cache-control-dropped", CF, "'cache-control': { value: 'max-age=3600' }", "'x-mutant': { value: '1' }"),
    # --- the app every tenant gets: the sign-in request, the code it accepts, its tokens, API calls, sign-out, the DOM
    (
        "app-redirect-uri-to-the-app",
        APP,
        "redirect_uri: config.redirectUri,\n      scope:",
        "redirect_uri: window.location.origin + prefix,\n      scope:",
    ),
    ("app-scope-without-email", APP, "scope: 'openid email profile',", "scope: 'openid profile',"),
    (
        "app-state-names-the-deep-link",
        APP,
        "state: nonce + ':' + prefix,",
        "state: nonce + ':' + window.location.pathname,",
    ),
    ("app-nonce-stored-without-prefix", APP, "store('nonce.' + nonce, {", "store(nonce, {"),
    ("app-nonce-stored-without-time", APP, "{ prefix: prefix, createdAt: now }", "{ prefix: prefix }"),
    ("app-challenge-of-the-nonce", APP, "b64url(await sha256(verifier))", "b64url(await sha256(nonce))"),
    ("app-verifier-too-short", APP, "const verifier = randomToken(48);", "const verifier = randomToken(16);"),
    ("app-state-not-compared", APP, "params.get('state') !== pending.nonce + ':' + prefix ||", ""),
    (
        "app-pending-nan-passes",
        APP,
        "!(Date.now() - pending.createdAt <= PENDING_MAX_AGE_MS)",
        "Date.now() - pending.createdAt > PENDING_MAX_AGE_MS",
    ),
    (
        "app-pending-an-hour",
        APP,
        "const PENDING_MAX_AGE_MS = 10 * 60 * 1000;",
        "const PENDING_MAX_AGE_MS = 60 * 60 * 1000;",
    ),
    ("app-pending-not-consumed", APP, "store('pkce.' + prefix, null); // one attempt per pending sign-in", ""),
    (
        "app-code-left-in-address-bar",
        APP,
        "window.history.replaceState(null, '', prefix);\n    if (params.get('error'))",
        "if (params.get('error'))",
    ),
    ("app-provider-error-ignored", APP, "if (params.get('error')) {\n      throw", "if (false) {\n      throw"),
    ("app-verifier-not-sent", APP, "code_verifier: pending.verifier,", "code_verifier: pending.nonce,"),
    ("app-expired-token-used", APP, "if (current && current.expiresAt - Date.now() > 60 * 1000)", "if (current)"),
    ("app-no-expiry-margin", APP, "current.expiresAt - Date.now() > 60 * 1000", "current.expiresAt - Date.now() > 0"),
    (
        "app-refresh-drops-refresh-token",
        APP,
        "data.refresh_token || previous.refreshToken || null",
        "data.refresh_token || null",
    ),
    ("app-failed-refresh-keeps-tokens", APP, "store('tokens.' + prefix, null);\n      return null;", "return null;"),
    ("app-no-retry-after-401", APP, "if (response.status === 401) continue;", ""),
    (
        "app-ended-session-keeps-tokens",
        APP,
        "store('tokens.' + prefix, null);\n    show('signed-out-view');",
        "show('signed-out-view');",
    ),
    ("app-bearer-access-token", APP, "'Bearer ' + auth.idToken", "'Bearer ' + auth.accessToken"),
    (
        "app-sign-out-keeps-tokens",
        APP,
        "const current = tokens();\n    store('tokens.' + prefix, null);",
        "const current = tokens();",
    ),
    (
        "app-sign-out-no-revoke",
        APP,
        "if (current && current.refreshToken) {\n      // Without",
        "if (false) {\n      // Without",
    ),
    ("app-revokes-the-access-token", APP, "{ token: current.refreshToken,", "{ token: current.accessToken,"),
    (
        "app-returns-to-the-deep-link",
        APP,
        "setItem(KEY + 'returnTo', prefix)",
        "setItem(KEY + 'returnTo', window.location.pathname)",
    ),
    ("app-no-access-without-group", APP, "const group = body && body.groups && body.groups[0];", "const group = null;"),
    ("app-no-access-list-stays", APP, "$('#app-view').hidden = true;\n    showMessage('');", "showMessage('');"),
    ("app-cell-as-html", APP, "td.textContent = text;", "td.innerHTML = text;"),
    ("app-message-as-html", APP, "el.textContent = text;", "el.innerHTML = text;"),
    ("app-form-title-as-html", APP, "$('#form-title').textContent =", "$('#form-title').innerHTML ="),
    (
        "app-zero-price-dropped",
        APP,
        "if (price !== null) data.unitPrice = price;",
        "if (price) data.unitPrice = price;",
    ),
    (
        "app-cleared-reorder-level-kept",
        APP,
        "else if (editing && editing.reorderLevel !== undefined) data.reorderLevel = null; // cleared",
        "// cleared",
    ),
    ("app-load-more-restarts", APP, "if (append && nextToken) params.set('nextToken', nextToken);", ""),
]


def copy_tracked(target: Path) -> Path:
    """A fresh copy of the files git tracks (and untracked, unignored ones) under ``target``; mutants go there."""
    shutil.rmtree(target, ignore_errors=True)
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for name in files:
        if (REPO / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, target / name)
    return target


def _scratch(work: Path) -> Path:
    return copy_tracked(work / "repo")


def generated_mutants(paths: list[str]) -> list[tuple]:
    """The operator-generated mutants of ``paths``, as (id, file, text, replacement, (start, end)); an HTML page's
    are tools/mutate_data.py's (``gen-<folder>-html-<its id>``)."""
    from mutate_data import edits_of  # not at the top: it imports this module

    mutants = [m for path in paths if not path.endswith(".html") for m in generate_file(path)]
    print(counts(mutants), flush=True)
    found = [(m.id, m.path, m.original, m.replacement, (m.start, m.end)) for m in mutants]
    for path in (path for path in paths if path.endswith(".html")):
        text = (REPO / path).read_text()
        edits = edits_of(path, text)
        print(f"{path}: {len(edits)} mutants (tools/mutate_data.py)", flush=True)
        folder = Path(path).parent.name
        found += [(f"gen-{folder}-html-{name}", path, text[a:b], new, (a, b)) for name, a, b, new in edits]
    return found


def select(mutants: list[tuple], keyword: str) -> list[tuple]:
    """The mutants ``-k`` names: per comma-separated part, the mutant with exactly that id, or else every mutant
    whose id contains it (a generated id is also the start of its siblings' ids, ``...-regex`` of
    ``...-regex-2``)."""
    ids = {m[0] for m in mutants}
    parts = keyword.split(",")
    return [m for m in mutants if any(m[0] == part if part in ids else part in m[0] for part in parts)]


def run_mutant(base: Path, mutant: tuple) -> str:
    """One CloudFront Function mutant, in its own pytest process."""
    name, path, text, replacement, *span = mutant
    source = (base / path).read_text()
    (base / path).write_text(apply_edit(source, name, text, replacement, *span))
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *CF_TESTS],
            cwd=base,
            capture_output=True,
            text=True,
            timeout=600,
        )
    except subprocess.TimeoutExpired:
        return "timeout"
    finally:
        (base / path).write_text(source)
    if done.returncode == 0:
        return "survived"
    if done.returncode == 1:
        return "killed"
    return f"error (pytest exit {done.returncode}): {done.stdout[-500:]}"


def run_page_mutants(base: Path, mutants: list[tuple], minutes: float) -> dict[str, str]:
    """The pages' mutants (ui/auth/, the app), one browser session for all (tools/mutate_js_session.py).

    The session collects every test some mutant needs; each mutant runs only its file's selection
    (``browser_tests``). Stops at the time box.
    """
    spec, out = base / "mutate-js-spec.json", base / "mutate-js-results.json"
    selections = list(dict.fromkeys(browser_tests(m[1]) for m in mutants))
    entries = [
        [*m[:4], browser_tests(m[1]), *([m[4], OWN_TESTS_FIRST.get(m[1])] if len(m) > 4 else [None, None])]
        for m in mutants
    ]
    spec.write_text(json.dumps({"base": str(base), "mutants": entries}))
    out.unlink(missing_ok=True)
    env = {
        **os.environ,
        "MUTATE_JS_SPEC": str(spec),
        "MUTATE_JS_RESULTS": str(out),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(base / "tools"), os.environ.get("PYTHONPATH")])),
    }
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "mutate_js_session"]
    command += [BROWSER_TESTS, "-k", " or ".join(f"({selection})" for selection in selections)]
    try:
        done = subprocess.run(command, cwd=base, env=env, capture_output=True, text=True, timeout=minutes * 60)
        tail = done.stdout[-2000:]
    except subprocess.TimeoutExpired:
        tail = f"stopped at the {minutes:g}-minute time box"
    results = json.loads(out.read_text()) if out.exists() else {}
    unmutated = results.pop("(unmutated)", {"verdict": f"no result: {tail}"})
    if unmutated["verdict"] != "passed":
        raise SystemExit(f"the browser tests do not pass unmutated: {unmutated['verdict']}\n{tail}")
    verdicts = {}
    for name, *_ in mutants:
        result = results.get(name)
        verdicts[name] = "not reached" if result is None else f"{result['verdict']} ({result['seconds']} s)"
    return verdicts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=Path("/tmp/mutation-js"))
    parser.add_argument("--minutes", type=float, default=30.0, help="time box of the browser session")
    parser.add_argument("-k", default="", help="only mutants whose id contains this (or one of these, comma-separated)")
    parser.add_argument(
        "--generated",
        metavar="FILE[,FILE...]",
        help="the operator-generated mutants of these files (relative to the repository) instead of the hand-picked",
    )
    args = parser.parse_args()
    if args.generated:
        chosen = select(generated_mutants(args.generated.split(",")), args.k)
    else:
        chosen = [m for m in MUTANTS if any(part in m[0] for part in args.k.split(","))]
    base = _scratch(args.work)
    results = {}
    for mutant in [m for m in chosen if m[1] == CF]:
        results[mutant[0]] = run_mutant(base, mutant)
        print(f"{mutant[0]}: {results[mutant[0]]}", flush=True)
    pages = [m for m in chosen if m[1] != CF]
    if pages:
        for name, verdict in run_page_mutants(base, pages, args.minutes).items():
            results[name] = verdict
            print(f"{name}: {verdict}", flush=True)
    killed = sum(1 for v in results.values() if v.startswith(("killed", "timeout")))
    print(f"score: {killed}/{len(results)} killed")
    survivors = [k for k, v in results.items() if not v.startswith(("killed", "timeout"))]
    print("survivors: " + (", ".join(survivors) or "none"))
    for name, path, text, replacement, *_ in (m for m in chosen if m[0] in survivors):
        print(f"  {name} ({path}): {text!r} -> {replacement!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
