"""API Gateway HTTP APIs, as applied: routes, JWT authorizers, CORS and the Lambda proxy (payload 2.0).

Behaviour follows the HTTP API developer guide:
- Routes (``working-with-routes``): the most specific match wins: a full
  path match, then a path with ``{param}`` variables, then a greedy
  ``{proxy+}``; a route for the method beats ``ANY``; ``$default`` catches the
  rest; no match is ``404 {"message":"Not Found"}``.
- JWT authorizer (``http-api-jwt-authorizer``): see jwt_check.py; a refusal is
  ``401 {"message":"Unauthorized"}`` with a ``www-authenticate`` header.
- CORS (``http-api-cors``): API Gateway answers every preflight itself (no
  authorizer, no integration), and adds the CORS headers to every response,
  replacing any the integration returned.
- Lambda proxy, payload 2.0 (``http-api-develop-integrations-lambda``): the event
  and the response mapping (a result without ``statusCode`` is a 200 JSON body);
  a function error is ``500 {"message":"Internal Server Error"}``, running past
  the integration timeout ``503 {"message":"Service Unavailable"}``.

Locally an API answers on its own port; browser origins are translated back to
the public ones before the CORS check (``OriginMap``).
"""

from __future__ import annotations

import base64
import datetime
import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from .jwt_check import JwtAuthorizer, TokenRejected, claims_as_api_gateway_delivers

TEXT_TYPES = re.compile(
    r"^(text/|application/(json|xml|javascript|x-www-form-urlencoded)|application/[\w.+-]*\+(json|xml))"
)


@dataclass(frozen=True)
class Route:
    route_key: str  # "GET /items/{id}", "ANY /{proxy+}", "$default"
    target: str | None  # "integrations/<id>"
    authorization_type: str = "NONE"
    authorizer_id: str | None = None
    scopes: tuple[str, ...] = ()

    @property
    def method(self) -> str:
        return "ANY" if self.route_key == "$default" else self.route_key.split(" ", 1)[0]

    @property
    def path(self) -> str | None:
        return None if self.route_key == "$default" else self.route_key.split(" ", 1)[1]


@dataclass(frozen=True)
class Integration:
    integration_id: str
    integration_type: str
    uri: str
    payload_format_version: str = "2.0"
    timeout_ms: int = 30000


@dataclass(frozen=True)
class Cors:
    allow_origins: tuple[str, ...] = ()
    allow_methods: tuple[str, ...] = ()
    allow_headers: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    max_age: int | None = None
    allow_credentials: bool = False


@dataclass
class HttpApi:
    api_id: str
    name: str
    region: str
    account_id: str
    endpoint: str  # the public https://<id>.execute-api.<region>.amazonaws.com
    routes: list[Route]
    integrations: dict[str, Integration]
    authorizers: dict[str, JwtAuthorizer]
    cors: Cors | None
    stage: str = "$default"
    functions: set[str] = field(default_factory=set)


def _segments(path: str) -> list[str]:
    return path.strip("/").split("/") if path.strip("/") else []


def _match_path(template: str, path: str) -> tuple[int, dict[str, str]] | None:
    """(specificity, path parameters) when ``path`` fits ``template``; None otherwise.

    Specificity: 2 for a literal match, 1 with ``{param}`` variables, 0 with a greedy ``{proxy+}``.
    """
    want, got = _segments(template), _segments(path)
    params: dict[str, str] = {}
    rank = 2
    for index, part in enumerate(want):
        if part.startswith("{") and part.endswith("+}"):
            rest = got[index:]
            if not rest:
                return None
            params[part[1:-2]] = "/".join(rest)
            return 0, params
        if index >= len(got):
            return None
        if part.startswith("{") and part.endswith("}"):
            if got[index] == "":
                return None
            params[part[1:-1]] = unquote(got[index])
            rank = min(rank, 1)
        elif part != got[index]:
            return None
    if len(got) != len(want):
        return None
    return rank, params


def match_route(routes: list[Route], method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """The route API Gateway selects for ``method path``, with its path parameters."""
    best: tuple[tuple[int, int, int], Route, dict[str, str]] | None = None
    for route in routes:
        if route.route_key == "$default":
            continue
        if route.method not in (method, "ANY"):
            continue
        matched = _match_path(route.path or "/", path)
        if matched is None:
            continue
        rank, params = matched
        literal = sum(1 for p in _segments(route.path or "/") if not p.startswith("{"))
        score = (rank, literal, 1 if route.method == method else 0)
        if best is None or score > best[0]:
            best = (score, route, params)
    if best is not None:
        return best[1], best[2]
    default = next((r for r in routes if r.route_key == "$default"), None)
    return (default, {}) if default else None


def cors_headers(cors: Cors | None, public_origin: str | None, request_origin: str | None) -> dict[str, str]:
    """The CORS headers of a non-preflight response (empty when the origin is not allowed)."""
    if cors is None or not request_origin:
        return {}
    if "*" in cors.allow_origins:
        allowed = "*"
    elif public_origin in cors.allow_origins:
        allowed = request_origin
    else:
        return {}
    headers = {"Access-Control-Allow-Origin": allowed}
    if cors.expose_headers:
        headers["Access-Control-Expose-Headers"] = ",".join(cors.expose_headers)
    if cors.allow_credentials:
        headers["Access-Control-Allow-Credentials"] = "true"
    return headers


def preflight_headers(
    cors: Cors, public_origin: str | None, request_origin: str | None, method: str | None, request_headers: str | None
) -> dict[str, str]:
    """API Gateway's own answer to an OPTIONS preflight: headers only when origin, method and headers are allowed."""
    base = cors_headers(cors, public_origin, request_origin)
    if not base or not method:
        return {}
    methods = {m.upper() for m in cors.allow_methods}
    if "*" not in methods and method.upper() not in methods:
        return {}
    asked = [h.strip().lower() for h in (request_headers or "").split(",") if h.strip()]
    allowed = {h.lower() for h in cors.allow_headers}
    if "*" not in allowed and not set(asked) <= allowed:
        return {}
    headers = {
        "Access-Control-Allow-Origin": base["Access-Control-Allow-Origin"],
        "Access-Control-Allow-Methods": ",".join(cors.allow_methods),
        "Access-Control-Allow-Headers": ",".join(cors.allow_headers),
    }
    if cors.max_age is not None:
        headers["Access-Control-Max-Age"] = str(cors.max_age)
    if cors.allow_credentials:
        headers["Access-Control-Allow-Credentials"] = "true"
    return headers


def build_event(
    api: HttpApi,
    route: Route,
    params: dict[str, str],
    method: str,
    raw_path: str,
    raw_query: str,
    headers: list[tuple[str, str]],
    body: bytes,
    source_ip: str,
    claims: dict[str, Any] | None,
    host: str,
) -> dict[str, Any]:
    """The payload format 2.0 event API Gateway sends to a Lambda proxy integration."""
    merged: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in headers:
        key = name.lower()
        if key == "cookie":
            cookies += [c.strip() for c in value.split(";") if c.strip()]
            continue
        merged[key] = f"{merged[key]},{value}" if key in merged else value
    query: dict[str, str] = {}
    for key, value in parse_qsl(raw_query, keep_blank_values=True):
        query[key] = f"{query[key]},{value}" if key in query else value
    now = time.time()
    request_id = base64.b32encode(uuid.uuid4().bytes).decode()[:16]
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.route_key,
        "rawPath": raw_path,
        "rawQueryString": raw_query,
        "headers": merged,
        "requestContext": {
            "accountId": api.account_id,
            "apiId": api.api_id,
            "domainName": host,
            "domainPrefix": host.split(".", 1)[0],
            "http": {
                "method": method,
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": merged.get("user-agent", ""),
            },
            "requestId": request_id,
            "routeKey": route.route_key,
            "stage": api.stage,
            "time": datetime.datetime.fromtimestamp(now, datetime.UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": False,
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        event["queryStringParameters"] = query
    if params:
        event["pathParameters"] = params
    if claims is not None:
        scopes = str(claims.get("scope", "")).split() or None
        event["requestContext"]["authorizer"] = {
            "jwt": {"claims": claims_as_api_gateway_delivers(claims), "scopes": scopes}
        }
    if body:
        if TEXT_TYPES.match(merged.get("content-type", "")):
            event["body"] = body.decode("utf-8", errors="replace")
        else:
            event["body"], event["isBase64Encoded"] = base64.b64encode(body).decode(), True
    return event


def map_response(result: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    """A payload 2.0 function result as the HTTP response API Gateway sends."""
    if not (isinstance(result, dict) and "statusCode" in result):
        return 200, [("Content-Type", "application/json")], json.dumps(result).encode()
    # format 2.0 has no multiValueHeaders: API Gateway ignores them (one value per name, cookies apart)
    headers = [(str(k), str(v)) for k, v in (result.get("headers") or {}).items()]
    headers += [("Set-Cookie", str(c)) for c in result.get("cookies") or []]
    body = result.get("body")
    if body is None:
        data = b""
    elif not isinstance(body, str):  # API Gateway: 'Lambda body contains the wrong type for field "body"', a 500
        raise TypeError("the body of a payload 2.0 result must be a string")
    elif result.get("isBase64Encoded"):
        data = base64.b64decode(body)
    else:
        data = body.encode()
    if not any(k.lower() == "content-type" for k, _ in headers) and data:
        headers.append(("Content-Type", "application/json"))
    return int(result["statusCode"]), headers, data


def _json(
    status: int, message: str, extra: list[tuple[str, str]] | None = None
) -> tuple[int, list[tuple[str, str]], bytes]:
    return (
        status,
        [("Content-Type", "application/json"), *(extra or [])],
        json.dumps({"message": message}, separators=(",", ":")).encode(),
    )


@dataclass
class ApiRequest:
    method: str
    target: str  # path and query as sent
    headers: list[tuple[str, str]]
    body: bytes
    source_ip: str
    host: str


def handle(
    api: HttpApi,
    request: ApiRequest,
    public_origin: Callable[[str | None], str | None],
    invoke: Callable[[str, Any, float], Any],
    log: Callable[[dict[str, Any]], None] | None = None,
) -> tuple[int, list[tuple[str, str]], bytes]:
    """One request to the API: (status, headers, body). ``invoke(function_arn, event, timeout_s)``."""
    parts = urlsplit(request.target)
    path, raw_query = parts.path or "/", parts.query
    header = {k.lower(): v for k, v in request.headers}
    origin = header.get("origin")
    cors = api.cors
    status, headers, body = _dispatch(api, request, path, raw_query, header, cors, origin, public_origin, invoke)
    if cors is not None and not (request.method == "OPTIONS" and "access-control-request-method" in header):
        headers = [(k, v) for k, v in headers if not k.lower().startswith("access-control-")]
        headers += list(cors_headers(cors, public_origin(origin), origin).items())
    headers.append(("apigw-requestid", base64.b32encode(uuid.uuid4().bytes).decode()[:16]))
    if log:
        log({"api": api.name, "method": request.method, "path": path, "status": status})
    return status, headers, body


def _dispatch(api, request, path, raw_query, header, cors, origin, public_origin, invoke):
    if cors is not None and request.method == "OPTIONS" and "access-control-request-method" in header:
        return (
            204,
            list(
                preflight_headers(
                    cors,
                    public_origin(origin),
                    origin,
                    header.get("access-control-request-method"),
                    header.get("access-control-request-headers"),
                ).items()
            ),
            b"",
        )
    matched = match_route(api.routes, request.method, path)
    if matched is None:
        return _json(404, "Not Found")
    route, params = matched
    claims = None
    if route.authorization_type == "JWT":
        authorizer = api.authorizers.get(route.authorizer_id or "")
        if authorizer is None:
            return _json(500, "Internal Server Error")
        try:
            claims = authorizer.check(header.get("authorization"), route.scopes)
        except TokenRejected as why:
            description = str(why).replace('"', "'")
            return _json(
                401,
                "Unauthorized",
                [("www-authenticate", f'Bearer scope="" error="invalid_token" error_description="{description}"')],
            )
    integration = api.integrations.get((route.target or "").split("/", 1)[-1])
    if integration is None:
        return _json(404, "Not Found")
    if integration.integration_type != "AWS_PROXY" or ":lambda:path/" not in integration.uri:
        return _json(500, "Internal Server Error")
    function_arn = integration.uri.split("/functions/", 1)[1].rsplit("/invocations", 1)[0]
    event = build_event(
        api,
        route,
        params,
        request.method,
        path,
        raw_query,
        request.headers,
        request.body,
        request.source_ip,
        claims,
        request.host,
    )
    from .lambda_runner import InvokeError

    try:
        result = invoke(function_arn, event, integration.timeout_ms / 1000)
    except InvokeError as err:
        if err.kind == "IntegrationTimeout":
            return _json(503, "Service Unavailable")
        return _json(500, "Internal Server Error")
    try:
        return map_response(result)
    except (ValueError, TypeError):
        return _json(500, "Internal Server Error")
