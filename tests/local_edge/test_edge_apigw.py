"""HTTP API behaviour of the local edge (AWS: http-api-develop-routes, http-api-cors, payload format 2.0)."""

from __future__ import annotations

import dataclasses
import json
import time
import uuid
from types import SimpleNamespace

import pytest
from edge_helpers import AUDIENCE, ISSUER, jwks, token

from generator.local.edge import apigw
from generator.local.edge.apigw import (
    ApiRequest,
    Cors,
    HttpApi,
    Integration,
    Route,
    _match_path,
    build_event,
    handle,
    match_route,
)
from generator.local.edge.jwt_check import JwtAuthorizer
from generator.local.edge.lambda_runner import InvokeError

SITE_PUBLIC, SITE_LOCAL = "https://apps.example.com", "http://127.0.0.1:9000"
FUNCTION = "arn:aws:lambda:us-east-2:123456789012:function:app-api"
URI = f"arn:aws:apigateway:us-east-2:lambda:path/2015-03-31/functions/{FUNCTION}/invocations"


def routes(*keys: str) -> list[Route]:
    return [Route(route_key=k, target="integrations/i1", authorization_type="JWT", authorizer_id="a1") for k in keys]


ITEMS = routes("GET /items", "POST /items", "GET /items/{id}", "PUT /items/{id}", "DELETE /items/{id}")


@pytest.mark.parametrize(
    "method, path, key, params",
    [
        ("GET", "/items", "GET /items", {}),
        ("GET", "/items/abc", "GET /items/{id}", {"id": "abc"}),
        ("GET", "/items/a%20b", "GET /items/{id}", {"id": "a b"}),
        ("DELETE", "/items/42", "DELETE /items/{id}", {"id": "42"}),
    ],
)
def test_routes_with_path_parameters(method, path, key, params):
    route, got = match_route(ITEMS, method, path)
    assert (route.route_key, got) == (key, params)


@pytest.mark.parametrize("method, path", [("PATCH", "/items/1"), ("GET", "/items/1/x"), ("GET", "/")])
def test_no_route_and_no_default_is_no_match(method, path):
    assert match_route(ITEMS, method, path) is None


def test_most_specific_route_wins_then_default():
    table = routes("GET /items/special", "GET /items/{id}", "ANY /items/{id}", "GET /{proxy+}", "$default")
    assert match_route(table, "GET", "/items/special")[0].route_key == "GET /items/special"
    assert match_route(table, "GET", "/items/7")[0].route_key == "GET /items/{id}"
    assert match_route(table, "PUT", "/items/7")[0].route_key == "ANY /items/{id}"
    assert match_route(table, "GET", "/a/b/c") == (table[3], {"proxy": "a/b/c"})
    assert match_route(table, "POST", "/a/b")[0].route_key == "$default"


def api(cors: Cors | None = None, route_table: list[Route] | None = None) -> HttpApi:
    return HttpApi(
        api_id="abc123",
        name="app-api",
        region="us-east-2",
        account_id="123456789012",
        endpoint="https://abc123.execute-api.us-east-2.amazonaws.com",
        routes=route_table or ITEMS,
        integrations={"i1": Integration("i1", "AWS_PROXY", URI, "2.0", 10000)},
        authorizers={"a1": JwtAuthorizer(ISSUER, (AUDIENCE,), jwks)},
        cors=cors
        if cors is not None
        else Cors(
            allow_origins=(SITE_PUBLIC,),
            allow_methods=("GET", "POST", "PUT", "DELETE", "OPTIONS"),
            allow_headers=("authorization", "content-type", "if-match"),
            expose_headers=("etag",),
            max_age=3600,
        ),
    )


def public(origin):
    return SITE_PUBLIC if origin == SITE_LOCAL else origin


def call(method, target, headers=(), body=b"", result=None, error=None, the_api=None):
    status, out, data, calls = call_raw(method, target, headers, body, result, error, the_api)
    return status, dict(out), data, calls


def call_raw(method, target, headers=(), body=b"", result=None, error=None, the_api=None):
    """handle()'s answer as it is: (status, the header list, body bytes, the invocations)."""
    calls = []

    def invoke(arn, event, wait):
        calls.append((arn, event, wait))
        if error:
            raise error
        return (
            result
            if result is not None
            else {
                "statusCode": 200,
                "headers": {"Access-Control-Allow-Origin": "https://evil"},
                "body": json.dumps({"ok": True}),
            }
        )

    status, out, data = handle(
        the_api or api(),
        ApiRequest(method, target, list(headers), body, "127.0.0.1", "abc123.execute-api.us-east-2.amazonaws.com"),
        public,
        invoke,
    )
    return status, out, data, calls


AUTH = ("Authorization", "Bearer " + token())


def test_preflight_is_answered_by_api_gateway_without_a_token():
    status, headers, _, calls = call(
        "OPTIONS",
        "/items/1",
        [
            ("Origin", SITE_LOCAL),
            ("Access-Control-Request-Method", "PUT"),
            ("Access-Control-Request-Headers", "Authorization, If-Match"),
        ],
    )
    assert status == 204 and calls == []
    assert headers["Access-Control-Allow-Origin"] == SITE_LOCAL
    assert headers["Access-Control-Max-Age"] == "3600"
    assert "if-match" in headers["Access-Control-Allow-Headers"] and "PUT" in headers["Access-Control-Allow-Methods"]


@pytest.mark.parametrize(
    "origin, method, asked",
    [
        ("http://127.0.0.1:9999", "GET", "authorization"),  # another origin
        (SITE_LOCAL, "PATCH", "authorization"),  # method not allowed
        (SITE_LOCAL, "GET", "authorization,x-secret"),  # header not allowed
    ],
)
def test_preflight_refused_has_no_cors_headers(origin, method, asked):
    status, headers, _, calls = call(
        "OPTIONS",
        "/items",
        [("Origin", origin), ("Access-Control-Request-Method", method), ("Access-Control-Request-Headers", asked)],
    )
    assert status == 204 and calls == []
    assert not [h for h in headers if h.lower().startswith("access-control-")]


def test_cors_headers_replace_the_functions_own():
    status, headers, data, _ = call("GET", "/items", [AUTH, ("Origin", SITE_LOCAL)])
    assert status == 200 and json.loads(data) == {"ok": True}
    assert headers["Access-Control-Allow-Origin"] == SITE_LOCAL
    assert headers["Access-Control-Expose-Headers"] == "etag"


def test_401_without_or_with_a_bad_token_still_carries_cors_headers():
    for headers in (
        [("Origin", SITE_LOCAL)],
        [("Origin", SITE_LOCAL), ("Authorization", "Bearer " + token({"aud": "x"}))],
    ):
        status, out, data, calls = call("GET", "/items", headers)
        assert status == 401 and json.loads(data) == {"message": "Unauthorized"} and calls == []
        assert out["Access-Control-Allow-Origin"] == SITE_LOCAL
        assert out["www-authenticate"].startswith('Bearer scope="" error="invalid_token"')


def test_unknown_route_is_404_not_found():
    status, _, data, calls = call("GET", "/nothing", [AUTH])
    assert status == 404 and json.loads(data) == {"message": "Not Found"} and calls == []


def test_payload_format_2_event():
    _, _, _, calls = call(
        "PUT",
        "/items/i-9?version=3&tag=a&tag=b",
        [
            AUTH,
            ("Content-Type", "application/json"),
            ("Cookie", "a=1; b=2"),
            ("If-Match", '"3"'),
            ("X-Dup", "1"),
            ("X-Dup", "2"),
        ],
        b'{"quantity": 2}',
    )
    arn, event, wait = calls[0]
    assert arn == FUNCTION and wait == 10
    assert event["version"] == "2.0" and event["routeKey"] == "PUT /items/{id}"
    assert event["rawPath"] == "/items/i-9" and event["rawQueryString"] == "version=3&tag=a&tag=b"
    assert event["queryStringParameters"] == {"version": "3", "tag": "a,b"}
    assert event["pathParameters"] == {"id": "i-9"}
    assert event["cookies"] == ["a=1", "b=2"] and "cookie" not in event["headers"]
    assert event["headers"]["if-match"] == '"3"' and event["headers"]["x-dup"] == "1,2"
    assert event["body"] == '{"quantity": 2}' and event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["http"]["method"] == "PUT" and context["stage"] == "$default" and context["apiId"] == "abc123"
    claims = context["authorizer"]["jwt"]["claims"]
    assert claims["cognito:groups"] == "[inventory-dev admins]"  # an array claim as one string, as AWS delivers it
    assert claims["aud"] == AUDIENCE and isinstance(claims["exp"], str)


def test_binary_body_is_base64():
    _, _, _, calls = call("POST", "/items", [AUTH, ("Content-Type", "application/octet-stream")], b"\x00\x01")
    assert calls[0][1]["isBase64Encoded"] is True and calls[0][1]["body"] == "AAE="


def test_response_mapping():
    status, headers, data, _ = call("GET", "/items", [AUTH], result={"items": []})
    assert status == 200 and headers["Content-Type"] == "application/json" and json.loads(data) == {"items": []}
    status, headers, data, _ = call(
        "GET", "/items", [AUTH], result={"statusCode": 201, "body": "aGk=", "isBase64Encoded": True, "cookies": ["s=1"]}
    )
    assert status == 201 and data == b"hi" and headers["Set-Cookie"] == "s=1"


def test_function_error_is_500_and_integration_timeout_503():
    status, _, data, _ = call("GET", "/items", [AUTH], error=InvokeError("Unhandled", {"errorMessage": "boom"}))
    assert status == 500 and json.loads(data) == {"message": "Internal Server Error"}
    status, _, data, _ = call("GET", "/items", [AUTH], error=InvokeError("IntegrationTimeout", "late"))
    assert status == 503 and json.loads(data) == {"message": "Service Unavailable"}


def test_default_route_without_authorizer():
    table = [Route(route_key="$default", target="integrations/i1")]
    status, _, _, calls = call("DELETE", "/any/thing", [], the_api=api(route_table=table))
    assert status == 200 and calls[0][1]["routeKey"] == "$default"
    assert "authorizer" not in calls[0][1]["requestContext"]


# --- exact answers: the clock, the request ids and a local time zone that is not UTC fixed ---

NOW = 1700000000.123  # 14/Nov/2023:22:13:20.123 UTC
REQUEST_ID = "AERUKZ4JVPG66AJD"  # the first 16 base32 characters of the fixed UUID's bytes


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(apigw, "time", SimpleNamespace(time=lambda: NOW))
    monkeypatch.setattr(apigw, "uuid", SimpleNamespace(uuid4=lambda: uuid.UUID("0123456789abcdef0123456789abcdef")))
    monkeypatch.setenv("TZ", "IST-5:30")  # the event's time is UTC whatever the machine's zone
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


CORS_OUT = [("Access-Control-Allow-Origin", SITE_LOCAL), ("Access-Control-Expose-Headers", "etag")]


def test_preflight_only_for_options_with_access_control_request_method(frozen):
    asked = [("Origin", SITE_LOCAL), ("Access-Control-Request-Method", "PUT")]
    status, headers, data, calls = call_raw("OPTIONS", "/items/1", asked)
    assert (status, headers, data, calls) == (
        204,
        [
            ("Access-Control-Allow-Origin", SITE_LOCAL),
            ("Access-Control-Allow-Methods", "GET,POST,PUT,DELETE,OPTIONS"),
            ("Access-Control-Allow-Headers", "authorization,content-type,if-match"),
            ("Access-Control-Max-Age", "3600"),
            ("apigw-requestid", REQUEST_ID),
        ],
        b"",
        [],
    )
    # a GET carrying Access-Control-Request-Method is an ordinary request: routed, authorized, integrated
    status, headers, data, calls = call_raw("GET", "/items", [AUTH, *asked])
    assert (status, headers, data, len(calls)) == (
        200,
        [("Content-Type", "application/json"), *CORS_OUT, ("apigw-requestid", REQUEST_ID)],
        b'{"ok": true}',
        1,
    )
    # an OPTIONS without it is routed too (no OPTIONS route here)
    status, headers, data, calls = call_raw("OPTIONS", "/items", [("Origin", SITE_LOCAL)])
    assert (status, headers, data, calls) == (
        404,
        [("Content-Type", "application/json"), *CORS_OUT, ("apigw-requestid", REQUEST_ID)],
        b'{"message":"Not Found"}',
        [],
    )


SCOPED = [
    Route("POST /items", "integrations/i1", "JWT", "a1", ("items/write",)),
    Route("GET /items", "integrations/i1", "JWT", "a1"),
]


def test_a_routes_scopes_reach_the_authorizer_and_the_tokens_scopes_the_event(frozen):
    def bearer(scope):
        return (
            "Authorization",
            "Bearer " + token({"token_use": "access", "client_id": AUDIENCE, "scope": scope}, drop=("aud",)),
        )

    status, headers, data, calls = call_raw(
        "POST", "/items", [bearer("items/read"), ("Origin", SITE_LOCAL)], the_api=api(route_table=SCOPED)
    )
    assert (status, headers, data, calls) == (
        401,
        [
            ("Content-Type", "application/json"),
            (
                "www-authenticate",
                'Bearer scope="" error="invalid_token" error_description="the token has none of the route\'s scopes [\'items/write\']"',
            ),
            *CORS_OUT,
            ("apigw-requestid", REQUEST_ID),
        ],
        b'{"message":"Unauthorized"}',
        [],
    )
    for method in ("POST", "GET"):  # a route without scopes takes any token of the audience
        status, _, _, calls = call_raw(
            method, "/items", [bearer("items/read items/write")], the_api=api(route_table=SCOPED)
        )
        assert status == 200
        assert calls[0][1]["requestContext"]["authorizer"]["jwt"]["scopes"] == ["items/read", "items/write"]


def test_401_www_authenticate_as_api_gateway_writes_it(frozen):
    forged = token(header={"kid": 'k"2'})  # the reason quotes the kid: its double quote becomes a single one
    status, headers, data, calls = call_raw("GET", "/items", [("Authorization", "Bearer " + forged)])
    assert (status, headers, data, calls) == (
        401,
        [
            ("Content-Type", "application/json"),
            (
                "www-authenticate",
                'Bearer scope="" error="invalid_token" error_description="kid \'k\'2\' is not in the issuer\'s JWKS"',
            ),
            ("apigw-requestid", REQUEST_ID),
        ],
        b'{"message":"Unauthorized"}',
        [],
    )


@pytest.mark.parametrize(
    "route, integration, result, status, body",
    [
        (Route("GET /items", None), None, None, 404, b'{"message":"Not Found"}'),  # a route without a target
        (Route("GET /items", "integrations/gone"), None, None, 404, b'{"message":"Not Found"}'),
        (
            Route("GET /items", "integrations/i1"),
            Integration("i1", "HTTP_PROXY", "https://backend.example.com/items"),
            None,
            500,
            b'{"message":"Internal Server Error"}',
        ),
        (  # an AWS service integration (SQS-SendMessage): AWS_PROXY without a Lambda URI
            Route("GET /items", "integrations/i1"),
            Integration("i1", "AWS_PROXY", ""),
            None,
            500,
            b'{"message":"Internal Server Error"}',
        ),
        (
            Route("GET /items", "integrations/i1", "JWT", "gone"),
            None,
            None,
            500,
            b'{"message":"Internal Server Error"}',
        ),
        (  # a result the gateway cannot map (statusCode not a number)
            Route("GET /items", "integrations/i1"),
            None,
            {"statusCode": "teapot", "body": "x"},
            500,
            b'{"message":"Internal Server Error"}',
        ),
    ],
    ids=["no-target", "no-integration", "http-proxy", "aws-service", "no-authorizer", "unmappable-result"],
)
def test_the_gateways_own_errors(frozen, route, integration, result, status, body):
    the_api = api(route_table=[route])
    if integration is not None:
        the_api = dataclasses.replace(the_api, integrations={"i1": integration})
    got = call_raw("GET", "/items", [AUTH, ("Origin", SITE_LOCAL)], result=result, the_api=the_api)
    assert got[:3] == (status, [("Content-Type", "application/json"), *CORS_OUT, ("apigw-requestid", REQUEST_ID)], body)
    assert len(got[3]) == (1 if result else 0)


def test_payload_format_2_event_whole(frozen):
    table = [Route("GET /items/{id}/notes", "integrations/i1")]
    _, _, _, calls = call_raw(
        "GET",
        "/items/a%2Fb/notes?x=1&x=2&empty=",
        [
            ("User-Agent", "curl/8.5.0"),
            ("Cookie", "s=1"),
            ("Content-Type", "text/plain"),
            ("X-Forwarded-For", "1.2.3.4"),
        ],
        b"hi",
        the_api=api(route_table=table),
    )
    assert calls == [
        (
            FUNCTION,
            {
                "version": "2.0",
                "routeKey": "GET /items/{id}/notes",
                "rawPath": "/items/a%2Fb/notes",
                "rawQueryString": "x=1&x=2&empty=",
                "cookies": ["s=1"],
                "headers": {"user-agent": "curl/8.5.0", "content-type": "text/plain", "x-forwarded-for": "1.2.3.4"},
                "queryStringParameters": {"x": "1,2", "empty": ""},
                "pathParameters": {"id": "a/b"},
                "requestContext": {
                    "accountId": "123456789012",
                    "apiId": "abc123",
                    "domainName": "abc123.execute-api.us-east-2.amazonaws.com",
                    "domainPrefix": "abc123",
                    "http": {
                        "method": "GET",
                        "path": "/items/a%2Fb/notes",
                        "protocol": "HTTP/1.1",
                        "sourceIp": "127.0.0.1",
                        "userAgent": "curl/8.5.0",
                    },
                    "requestId": REQUEST_ID,
                    "routeKey": "GET /items/{id}/notes",
                    "stage": "$default",
                    "time": "14/Nov/2023:22:13:20 +0000",
                    "timeEpoch": 1700000000123,
                },
                "body": "hi",
                "isBase64Encoded": False,
            },
            10.0,
        )
    ]


@pytest.mark.parametrize(
    "claims, authorizer",
    [
        (  # an ID token: no scope claim, scopes null
            {"sub": "u-1", "token_use": "id", "cognito:groups": ["a", "b"], "exp": 1700003600},
            {
                "jwt": {
                    "claims": {"sub": "u-1", "token_use": "id", "cognito:groups": "[a b]", "exp": "1700003600"},
                    "scopes": None,
                }
            },
        ),
        (  # an access token: its scope claim split
            {"sub": "u-1", "token_use": "access", "scope": "items/read items/write"},
            {
                "jwt": {
                    "claims": {"sub": "u-1", "token_use": "access", "scope": "items/read items/write"},
                    "scopes": ["items/read", "items/write"],
                }
            },
        ),
    ],
)
def test_event_authorizer_claims_and_scopes(frozen, claims, authorizer):
    event = build_event(api(), ITEMS[0], {}, "GET", "/items", "", [], b"", "10.0.0.1", claims, "abc123.example")
    assert event["requestContext"]["authorizer"] == authorizer


@pytest.mark.parametrize(
    "template, path, matched",
    [
        ("/items/special", "/items/special", (2, {})),  # specificity: literal 2, {param} 1, {proxy+} 0
        ("/items/{id}", "/items/7", (1, {"id": "7"})),
        ("/items/{proxy+}", "/items/a/b", (0, {"proxy": "a/b"})),
        ("/{proxy+}", "/", None),  # a greedy variable needs at least one segment
        ("/", "/", (2, {})),
        ("/items", "/items/", (2, {})),  # trailing slash
        ("/items/{id}/edit", "/items//edit", None),  # an empty segment is no value for a variable
        ("/{code}", "/X", (1, {"code": "X"})),
        ("/items/{id}", "/items/A1X", (1, {"id": "A1X"})),
        ("/v1/{id", "/v1/7", None),  # a segment is a variable only inside both braces
        ("/v1/id}", "/v1/7", None),
        ("/v1/{id", "/v1/{id", (2, {})),
    ],
)
def test_match_path_edge_cases(template, path, matched):
    assert _match_path(template, path) == matched


def test_path_variables_beat_a_greedy_route_with_more_literals():
    table = routes("GET /items/{proxy+}", "GET /{kind}/{id}")
    assert match_route(table, "GET", "/items/7") == (table[1], {"kind": "items", "id": "7"})
    assert match_route(table, "GET", "/items/7/8") == (table[0], {"proxy": "7/8"})
    assert match_route(routes("ANY /{proxy+}"), "GET", "/") is None


# --- exact answers for the survivors of the second run: response mapping, CORS, preflight, route priority, the log ---

OPEN = [Route("ANY /{proxy+}", "integrations/i1"), Route("ANY /", "integrations/i1")]  # no authorizer
WIDE = Cors(
    allow_origins=("*",), allow_methods=("*",), allow_headers=("*",), expose_headers=("etag", "x-request-id"), max_age=0
)
CREDENTIALS = Cors(
    allow_origins=(SITE_PUBLIC,), allow_methods=("GET", "PUT"), allow_headers=("authorization",), allow_credentials=True
)
RID = ("apigw-requestid", REQUEST_ID)


def no_cors_api(route_table=OPEN):
    return dataclasses.replace(api(route_table=route_table), cors=None)


@pytest.mark.parametrize(
    "result, status, headers, body",
    [
        ({"items": []}, 200, [("Content-Type", "application/json"), RID], b'{"items": []}'),  # no statusCode
        ("hello", 200, [("Content-Type", "application/json"), RID], b'"hello"'),  # a bare string is a JSON body
        (
            {
                "statusCode": 201,
                "headers": {"content-type": "text/plain", "X-Version": 3},
                "cookies": ["a=1", "b=2; Path=/"],
                "body": "made",
            },
            201,
            [
                ("content-type", "text/plain"),
                ("X-Version", "3"),
                ("Set-Cookie", "a=1"),
                ("Set-Cookie", "b=2; Path=/"),
                RID,
            ],
            b"made",
        ),
        ({"statusCode": 204}, 204, [RID], b""),  # no body: empty, and no content type
        ({"statusCode": 200, "body": ""}, 200, [RID], b""),
        ({"statusCode": 200, "body": '{"a":1}'}, 200, [("Content-Type", "application/json"), RID], b'{"a":1}'),
        (
            {"statusCode": 200, "headers": {"Content-Type": "image/png"}, "body": "AAE=", "isBase64Encoded": True},
            200,
            [("Content-Type", "image/png"), RID],
            b"\x00\x01",
        ),
        (  # format 2.0 has no multiValueHeaders: API Gateway ignores them
            {
                "statusCode": 200,
                "headers": {"X-A": "1"},
                "multiValueHeaders": {"X-A": ["2", "3"], "Set-Cookie": ["c=1"]},
                "body": "x",
            },
            200,
            [("X-A", "1"), ("Content-Type", "application/json"), RID],
            b"x",
        ),
        (  # a body that is not a string: 'Lambda body contains the wrong type for field "body"'
            {"statusCode": 200, "body": {"a": 1}},
            500,
            [("Content-Type", "application/json"), RID],
            b'{"message":"Internal Server Error"}',
        ),
    ],
    ids=["dict", "string", "whole", "no-body", "empty-body", "json-body", "base64", "multi-value", "object-body"],
)
def test_response_mapping_whole(frozen, result, status, headers, body):
    got = call_raw("GET", "/items", result=result, the_api=no_cors_api())
    assert got[:3] == (status, headers, body) and len(got[3]) == 1


FUNCTION_CORS = {"statusCode": 200, "headers": {"access-control-allow-origin": "https://evil", "X-A": "1"}, "body": "x"}


@pytest.mark.parametrize(
    "cors, origin, cors_out",
    [
        (None, SITE_LOCAL, [("Access-Control-Allow-Origin", SITE_LOCAL), ("Access-Control-Expose-Headers", "etag")]),
        (None, "http://127.0.0.1:9999", []),  # an origin not allowed: none, and the function's own removed
        (None, None, []),
        (
            WIDE,
            "http://anywhere.example",
            [("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", "etag,x-request-id")],
        ),
        (WIDE, None, []),  # no Origin: no CORS headers, even for "*"
        (
            CREDENTIALS,
            SITE_LOCAL,
            [("Access-Control-Allow-Origin", SITE_LOCAL), ("Access-Control-Allow-Credentials", "true")],
        ),
        (CREDENTIALS, "https://evil", []),
    ],
    ids=["allowed", "other-origin", "no-origin", "star", "star-no-origin", "credentials", "credentials-other-origin"],
)
def test_cors_headers_of_a_response(frozen, cors, origin, cors_out):
    the_api = api(cors=cors, route_table=OPEN)
    headers = [("Origin", origin)] if origin else []
    got = call_raw("GET", "/items", headers, result=FUNCTION_CORS, the_api=the_api)
    assert got[:3] == (200, [("X-A", "1"), ("Content-Type", "application/json"), *cors_out, RID], b"x")


def test_cors_headers_without_a_cors_configuration():
    assert apigw.cors_headers(None, SITE_PUBLIC, SITE_LOCAL) == {}


@pytest.mark.parametrize(
    "cors, origin, method, asked, answer",
    [
        (  # every header allowed asked at once (the whole set, not a strict subset)
            None,
            SITE_LOCAL,
            "PUT",
            "Authorization, Content-Type,IF-MATCH",
            [
                ("Access-Control-Allow-Origin", SITE_LOCAL),
                ("Access-Control-Allow-Methods", "GET,POST,PUT,DELETE,OPTIONS"),
                ("Access-Control-Allow-Headers", "authorization,content-type,if-match"),
                ("Access-Control-Max-Age", "3600"),
            ],
        ),
        (
            WIDE,
            "http://anywhere.example",
            "PATCH",
            "X-Anything",
            [
                ("Access-Control-Allow-Origin", "*"),
                ("Access-Control-Allow-Methods", "*"),
                ("Access-Control-Allow-Headers", "*"),
                ("Access-Control-Max-Age", "0"),
            ],
        ),
        (
            CREDENTIALS,
            SITE_LOCAL,
            "put",
            "authorization",
            [
                ("Access-Control-Allow-Origin", SITE_LOCAL),
                ("Access-Control-Allow-Methods", "GET,PUT"),
                ("Access-Control-Allow-Headers", "authorization"),
                ("Access-Control-Allow-Credentials", "true"),
            ],
        ),
        (CREDENTIALS, SITE_LOCAL, "DELETE", "authorization", []),  # a method not allowed
        (CREDENTIALS, SITE_LOCAL, "GET", "authorization,content-type", []),  # a header not allowed
        (WIDE, None, "GET", None, []),  # no Origin
    ],
    ids=["all-headers", "star", "credentials", "method-refused", "header-refused", "no-origin"],
)
def test_preflight_answers_whole(frozen, cors, origin, method, asked, answer):
    headers = [("Access-Control-Request-Method", method)]
    headers += [("Origin", origin)] if origin else []
    headers += [("Access-Control-Request-Headers", asked)] if asked else []
    got = call_raw("OPTIONS", "/items", headers, the_api=api(cors=cors, route_table=OPEN))
    assert got == (204, [*answer, RID], b"", [])


def test_an_absolute_target_without_a_path_is_the_root_and_is_logged(frozen):
    records, calls = [], []

    def invoke(arn, event, wait):
        calls.append(event)
        return {"statusCode": 202, "body": ""}

    table = [Route("GET /", "integrations/i1")]
    request = ApiRequest(
        "GET", "http://abc123.execute-api.us-east-2.amazonaws.com?q=1", [], b"", "127.0.0.1", "abc123.example"
    )
    answer = handle(no_cors_api(table), request, public, invoke, records.append)
    assert answer == (202, [RID], b"")
    assert [(e["rawPath"], e["rawQueryString"], e["routeKey"]) for e in calls] == [("/", "q=1", "GET /")]
    assert records == [{"api": "app-api", "method": "GET", "path": "/", "status": 202}]
    request = ApiRequest("DELETE", "/nowhere", [], b"", "127.0.0.1", "abc123.example")
    assert handle(no_cors_api(table), request, public, invoke, records.append)[0] == 404
    assert records[1:] == [{"api": "app-api", "method": "DELETE", "path": "/nowhere", "status": 404}]


def test_a_method_route_beats_any_wherever_it_stands():
    table = routes("ANY /items/{id}", "GET /items/{id}")
    assert match_route(table, "GET", "/items/7") == (table[1], {"id": "7"})
    assert match_route(table, "PUT", "/items/7") == (table[0], {"id": "7"})


def test_default_is_only_the_fallback_wherever_it_stands():
    table = [Route("$default", "integrations/i2"), *routes("ANY /", "GET /items")]
    assert match_route(table, "GET", "/items") == (table[2], {})
    assert match_route(table, "GET", "/") == (table[1], {})
    assert match_route(table, "POST", "/items") == (table[0], {})


def test_more_literal_segments_win_between_routes_of_one_kind():
    greedy = routes("GET /{proxy+}", "GET /items/{proxy+}")
    assert match_route(greedy, "GET", "/items/a/b") == (greedy[1], {"proxy": "a/b"})
    assert match_route(greedy, "GET", "/other/a") == (greedy[0], {"proxy": "other/a"})
    variables = routes("GET /{kind}/{id}", "GET /{kind}/notes")
    assert match_route(variables, "GET", "/items/notes") == (variables[1], {"kind": "items"})
    assert match_route(variables, "GET", "/items/7") == (variables[0], {"kind": "items", "id": "7"})


@pytest.mark.parametrize(
    "headers, body, delivered",
    [
        ([], b"\x00\xffhi", ("AP9oaQ==", True)),  # no Content-Type: not text, so base64
        ([("Content-Type", "application/octet-stream")], b"hi", ("aGk=", True)),
        ([("Content-Type", "text/plain")], b"caf\xe9", ("caf\ufffd", False)),  # text that is not UTF-8: replaced
        ([("Content-Type", "application/vnd.api+json")], b'{"a":1}', ('{"a":1}', False)),
    ],
    ids=["no-content-type", "binary", "text-not-utf8", "json-suffix"],
)
def test_the_body_is_text_or_base64_by_its_content_type(frozen, headers, body, delivered):
    table = [Route("POST /items", "integrations/i1")]
    _, _, _, calls = call_raw("POST", "/items", headers, body, the_api=api(route_table=table))
    event = calls[0][1]
    assert (event["body"], event["isBase64Encoded"]) == delivered
