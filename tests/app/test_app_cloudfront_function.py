"""The viewer-request CloudFront Function, run in node on a table of requests.

The harness evaluates the function's source in an empty ``vm`` context, so a use of
require, process, Buffer or any other Node global fails the way cloudfront-js-2.0 would.
"""

import json
import re
import shutil
import subprocess

import pytest
from app_helpers import CF_FUNCTION
from helpers import skip_or_fail

NODE = shutil.which("node")

HARNESS = r"""
const vm = require('vm');
const fs = require('fs');
const source = fs.readFileSync(process.argv[process.argv.length - 1], 'utf8');
const cases = JSON.parse(fs.readFileSync(0, 'utf8'));
const sandbox = Object.create(null);
vm.createContext(sandbox);
vm.runInContext(source, sandbox, { filename: 'viewer_request.js' });
const results = cases.map((event) => {
  try {
    return { ok: sandbox.handler(event) };
  } catch (err) {
    return { error: String(err && err.stack || err) };
  }
});
process.stdout.write(JSON.stringify(results));
"""


def qs(**params):
    """request.querystring as CloudFront builds it (values still percent-encoded)."""
    out = {}
    for key, value in params.items():
        if isinstance(value, list):
            out[key] = {"value": value[0], "multiValue": [{"value": v} for v in value]}
        else:
            out[key] = {"value": value}
    return out


def event(uri, querystring=None):
    return {
        "version": "1.0",
        "context": {"eventType": "viewer-request", "distributionId": "EDFDVBD6EXAMPLE", "requestId": "r1"},
        "viewer": {"ip": "203.0.113.7"},
        "request": {
            "method": "GET",
            "uri": uri,
            "querystring": querystring or {},
            "headers": {"host": {"value": "apps.example.com"}},
            "cookies": {},
        },
    }


# (request uri, querystring, expected uri after rewrite) -- request passes through
REWRITES = [
    ("/john-inventory-dev/", None, "/john-inventory-dev/index.html"),
    ("/john-inventory-dev/index.html", None, "/john-inventory-dev/index.html"),
    ("/john-inventory-dev/items/42", None, "/john-inventory-dev/index.html"),
    ("/john-inventory-dev/items/42/", None, "/john-inventory-dev/index.html"),
    ("/john-inventory-dev/settings", None, "/john-inventory-dev/index.html"),
    ("/john-inventory-dev/app.js", None, "/john-inventory-dev/app.js"),
    ("/john-inventory-dev/assets/logo.svg", None, "/john-inventory-dev/assets/logo.svg"),
    ("/john-inventory-dev/config.json", None, "/john-inventory-dev/config.json"),
    ("/team-app-staging/", qs(code="abc", state="n%3A%2Fteam-app-staging%2F"), "/team-app-staging/index.html"),
    ("/a1/", None, "/a1/index.html"),
    ("/auth/callback", qs(code="c0de", state="xyz"), "/auth/callback/index.html"),
    ("/auth/callback/", qs(code="c0de"), "/auth/callback/index.html"),
    ("/auth/logout", None, "/auth/logout/index.html"),
    ("/auth/logout/", None, "/auth/logout/index.html"),
    ("/auth/callback/index.html", None, "/auth/callback/index.html"),
    ("/auth/auth.css", None, "/auth/auth.css"),
    ("/", None, "/index.html"),
    ("", None, "/index.html"),  # no path at all is the root
    # An app name is 1 to 63 characters.
    ("/a/", None, "/a/index.html"),
    ("/" + "a" * 63 + "/items", None, "/" + "a" * 63 + "/index.html"),
    # An app's deep link that ends like an auth page is the app's (the auth pages sit at the top level only).
    ("/john-inventory-dev/auth/callback", None, "/john-inventory-dev/index.html"),
    # Not an app prefix: left alone for S3 to answer.
    ("/" + "a" * 64 + "/items", None, "/" + "a" * 64 + "/items"),
    ("/auth", None, "/auth"),
    ("/auth/", None, "/auth/"),
    ("/Upper-Case/", None, "/Upper-Case/"),
    ("/under_score/x", None, "/under_score/x"),
    ("/-leading/", None, "/-leading/"),
    ("//evil.example/", None, "//evil.example/"),
    ("/favicon.ico", None, "/favicon.ico"),
    ("/robots.txt", None, "/robots.txt"),
]

# (request uri, querystring, expected Location)
REDIRECTS = [
    ("/john-inventory-dev", None, "/john-inventory-dev/"),
    ("/team-app-staging", None, "/team-app-staging/"),
    (
        "/john-inventory-dev",
        qs(code="abc", state="n1%3A%2Fjohn-inventory-dev%2F"),
        "/john-inventory-dev/?code=abc&state=n1%3A%2Fjohn-inventory-dev%2F",
    ),
    ("/john-inventory-dev", qs(tag=["a", "b"], q="red%20shoes"), "/john-inventory-dev/?tag=a&tag=b&q=red%20shoes"),
    ("/john-inventory-dev", qs(debug=""), "/john-inventory-dev/?debug"),
    ("/john-inventory-dev", qs(q="two words"), "/john-inventory-dev/?q=two%20words"),
]


@pytest.fixture(scope="module")
def run_function():
    if not NODE:
        skip_or_fail("node is not installed (needed to run the CloudFront Function)")

    def _run(events):
        proc = subprocess.run(
            [NODE, "-e", HARNESS, str(CF_FUNCTION)],
            input=json.dumps(events),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    return _run


def test_rewrites_keep_the_request_and_its_query_string(run_function):
    events = [event(uri, q) for uri, q, _ in REWRITES]
    results = run_function(events)
    for (uri, q, expected), result in zip(REWRITES, results, strict=False):
        assert "error" not in result, (uri, result)
        request = result["ok"]
        assert "statusCode" not in request, uri
        assert request["uri"] == expected, uri
        assert request["querystring"] == (q or {}), uri
        assert request["method"] == "GET" and request["headers"]["host"]["value"] == "apps.example.com"


def test_prefix_without_slash_redirects_with_query_string(run_function):
    results = run_function([event(uri, q) for uri, q, _ in REDIRECTS])
    for (uri, _q, expected), result in zip(REDIRECTS, results, strict=False):
        assert "error" not in result, (uri, result)
        response = result["ok"]
        assert response["statusCode"] == 301, uri
        assert response["statusDescription"] == "Moved Permanently"
        # A 301 is cached by browsers; an hour bounds how long a changed route stays redirected.
        assert response["headers"] == {"location": {"value": expected}, "cache-control": {"value": "max-age=3600"}}


# (querystring as the event holds it, or MISSING for none at all; expected Location): the function builds the
# redirect's query from whatever shape it gets, never failing and never writing "undefined".
MISSING = object()
QUERY_SHAPES = [
    (MISSING, "/john-inventory-dev/"),
    (None, "/john-inventory-dev/"),
    ("", "/john-inventory-dev/"),
    ("a=1&b", "/john-inventory-dev/?a=1&b"),  # a string is taken as it is
    ({"flag": {}}, "/john-inventory-dev/?flag"),  # an entry without a value is a bare key
    ({"flag": None}, "/john-inventory-dev/?flag"),
    ({"t": {"value": "a", "multiValue": [{"value": "a"}, {}]}}, "/john-inventory-dev/?t=a&t"),
]


def test_redirect_builds_the_query_from_any_shape_of_querystring(run_function):
    events = []
    for querystring, _ in QUERY_SHAPES:
        one = event("/john-inventory-dev")
        if querystring is MISSING:
            del one["request"]["querystring"]
        else:
            one["request"]["querystring"] = querystring
        events.append(one)
    for (querystring, expected), result in zip(QUERY_SHAPES, run_function(events), strict=True):
        assert "error" not in result, (querystring, result)
        assert result["ok"]["headers"]["location"] == {"value": expected}, querystring


def test_redirect_location_is_always_a_same_site_path(run_function):
    # Hostile-looking single-segment paths either are not app names (unchanged) or
    # redirect to a path that cannot be read as another host.
    uris = ["/evil.example", "/%2F%2Fevil.example", "/\\evil", "/a", "/x-1"]
    for uri, result in zip(uris, run_function([event(u) for u in uris]), strict=False):
        out = result["ok"]
        if "statusCode" in out:
            location = out["headers"]["location"]["value"]
            assert re.fullmatch(r"/[a-z0-9-]+/", location), (uri, location)
        else:
            assert out["uri"] == uri


def test_source_fits_cloudfront_js_2_runtime():
    source = CF_FUNCTION.read_text()
    assert re.search(r"^function handler\(event\)", source, re.M)
    for forbidden in (
        r"\brequire\s*\(",
        r"^\s*import\b",
        r"^\s*export\b",
        r"\bprocess\.",
        r"\bBuffer\b",
        r"\bmodule\.exports\b",
    ):
        assert not re.search(forbidden, source, re.M), forbidden
    # CloudFront Functions are limited to 10 KB of code.
    assert len(source.encode()) < 10 * 1024
