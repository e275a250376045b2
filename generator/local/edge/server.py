"""The local edge's HTTP servers on 127.0.0.1: the site (CloudFront), the hosted UI (Cognito), one per HTTP API.

``start_edge`` runs them in this process (threads) and returns an ``EdgeHandle``;
``serve_forever`` does the same in the foreground until SIGINT/SIGTERM
(SIGHUP re-reads what is applied); ``spawn_edge`` starts ``serve_forever`` in a
background process that outlives the command (like the emulator), recorded
in ``<workdir>/edge/edge.json``; ``running_edge`` / ``stop_edge`` find and stop it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .. import emulator as emu
from .apigw import ApiRequest, HttpApi
from .apigw import handle as api_handle
from .cloudfront import Distribution, ViewerFunction
from .discover import Applied, clients, discover
from .hosted_ui import HostedUi
from .lambda_runner import LambdaRunner
from .origins import OriginMap

HOST = "127.0.0.1"
MODULE = "generator.local.edge"
START_TIMEOUT_SECONDS = 60
Echo = Callable[[str], None]
App = Callable[[str, str, list[tuple[str, str]], bytes, str], tuple[int, list[tuple[str, str]], bytes]]


class EdgeError(Exception):
    """The local edge cannot start (nothing applied, port taken, node missing)."""


#: The largest request body the edge reads: API Gateway's payload limit (10 MB). A larger one is answered 413.
MAX_BODY_BYTES = 10 * 1024 * 1024
_DIGITS = re.compile(r"[0-9]+")
_HEX = re.compile(rb"[0-9A-Fa-f]+")
_BAD_FRAMING = (400, b"bad request: the length of its body cannot be read\n")
_TOO_LARGE = (413, b"request body larger than 10 MB\n")


class _Refused(Exception):
    """A request body the edge does not read: (status, text) to answer before closing the connection."""


def _chunked(stream: Any) -> bytes:
    """A chunked body read from ``stream``, chunk extensions and trailer fields dropped (RFC 9112 section 7.1)."""
    body = b""
    while True:
        size = stream.readline(1026).split(b";", 1)[0].strip()
        if not _HEX.fullmatch(size):
            raise _Refused(*_BAD_FRAMING)
        if not (length := int(size, 16)):
            break
        if len(body) + length > MAX_BODY_BYTES:
            raise _Refused(*_TOO_LARGE)
        body += stream.read(length)  # short only at the end of the stream, where the CRLF is then missing
        if stream.read(2) != b"\r\n":
            raise _Refused(*_BAD_FRAMING)
    while stream.readline(65537) not in (b"\r\n", b"\n", b""):  # the trailer section, to its empty line
        pass
    return body


def _handler_class(app_ref: list[App], access_log: Path | None, name: str) -> type[BaseHTTPRequestHandler]:
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "local-edge"

        def log_message(self, fmt: str, *args: Any) -> None:
            if access_log is not None:
                with lock, open(access_log, "a") as out:
                    out.write(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} {name} {self.address_string()} {fmt % args}\n")

        def _body(self) -> bytes:
            """The request's body by its framing (RFC 9112 section 6). ``_Refused``: a transfer coding other than
            chunked alone, a bad chunk, a Content-Length that is not one number, or more than MAX_BODY_BYTES."""
            codings = [value.strip().lower() for value in self.headers.get_all("Transfer-Encoding") or []]
            if codings:
                if codings != ["chunked"]:  # another coding, or more than one (a list in one field or several)
                    raise _Refused(*_BAD_FRAMING)
                return _chunked(self.rfile)  # Content-Length is then ignored
            lengths = {v.strip() for v in self.headers.get_all("Content-Length") or []}
            if not lengths:
                return b""
            if len(lengths) != 1 or not _DIGITS.fullmatch(stated := lengths.pop()):
                raise _Refused(*_BAD_FRAMING)
            if (length := int(stated)) > MAX_BODY_BYTES:
                raise _Refused(*_TOO_LARGE)
            return self.rfile.read(length)

        def _answer(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
            try:
                return app_ref[0](self.command, self.path, list(self.headers.items()), body, self.client_address[0])
            except Exception:
                trace = traceback.format_exc()
                if access_log is not None:
                    with lock, open(access_log, "a") as out:
                        out.write(trace)
                return 502, [("Content-Type", "text/plain")], b"local edge error (see edge log)\n"

        def _serve(self) -> None:
            refused = None
            try:
                status, headers, data = self._answer(self._body())
            except _Refused as error:  # where the next request starts is unknown: answer, then close (RFC 9112 9.6)
                refused, (status, data), headers = error, error.args, [("Content-Type", "text/plain")]
            self.send_response(status)
            for key, value in headers:
                if key.lower() not in ("content-length", "connection", "transfer-encoding"):
                    self.send_header(key, value)
            if refused is not None:
                self.send_header("Connection", "close")  # send_header also sets close_connection
            # No content, so no length: a 204 must not state one, a 304 only the 200's (RFC 9110 8.6). A HEAD
            # answer keeps the length the app states (that of the GET's body); any other, its body's.
            if status not in (204, 304):
                stated = next((v for k, v in headers if k.lower() == "content-length"), None)
                self.send_header(
                    "Content-Length", stated if stated is not None and self.command == "HEAD" else str(len(data))
                )
            self.end_headers()
            if self.command != "HEAD" and status not in (204, 304):
                self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _serve

    return Handler


@dataclass
class _Server:
    name: str
    httpd: ThreadingHTTPServer
    app_ref: list[App]
    thread: threading.Thread

    @property
    def origin(self) -> str:
        return f"http://{HOST}:{self.httpd.server_address[1]}"


def _serve(name: str, app: App, port: int, access_log: Path | None, preferred: bool = False) -> _Server:
    """Listen on ``port`` (0: one the kernel picks; the bound port is then read from the socket, never probed
    first) and serve ``app`` in a thread. ``preferred``: a port remembered from the previous run, given up for a
    fresh one when something else holds it now."""
    app_ref = [app]
    try:
        httpd = ThreadingHTTPServer((HOST, port), _handler_class(app_ref, access_log, name))
    except OSError as err:
        if not (preferred and port):
            raise EdgeError(f"{name}: cannot listen on {HOST}:{port}: {err}") from None
        httpd = ThreadingHTTPServer((HOST, 0), _handler_class(app_ref, access_log, name))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, name=f"edge-{name}", daemon=True)
    thread.start()
    return _Server(name, httpd, app_ref, thread)


def _headers(pairs: list[tuple[str, str]]) -> dict[str, str]:
    return {k.lower(): v for k, v in pairs}


@dataclass
class EdgeHandle:
    """A running local edge. ``site_url``: the platform's domain, locally; ``api_urls``: public endpoint -> local."""

    workdir: Path
    endpoint: str
    applied: Applied
    origins: OriginMap
    servers: dict[str, _Server] = field(default_factory=dict)
    runner: LambdaRunner | None = None
    viewer: ViewerFunction | None = None
    echo: Echo = print
    _apps: dict[str, App] = field(default_factory=dict)

    @property
    def site_url(self) -> str | None:
        server = self.servers.get("site")
        return server.origin if server else None

    @property
    def hosted_ui_url(self) -> str | None:
        server = next((s for n, s in self.servers.items() if n.startswith("hosted-ui:")), None)
        return server.origin if server else None

    @property
    def api_urls(self) -> dict[str, str]:
        return {
            api.endpoint: self.servers[f"api:{api.api_id}"].origin
            for api in self.applied.apis
            if f"api:{api.api_id}" in self.servers
        }

    def apps(self) -> list[str]:
        return list(self.applied.app_prefixes)

    def url_of(self, app: str) -> str:
        """The local URL of an app (its prefix is its name), e.g. http://127.0.0.1:8421/john-inventory-dev/."""
        if self.site_url is None:
            raise EdgeError("no distribution is applied: the site is not served")
        return f"{self.site_url}/{app.strip('/')}/"

    def describe(self) -> dict[str, Any]:
        return {
            "pid": os.getpid(),
            "endpoint": self.endpoint,
            "site": self.site_url,
            "hostedUi": self.hosted_ui_url,
            "apis": self.api_urls,
            "apps": {a: self.url_of(a) for a in self.apps()} if self.site_url else {},
        }

    def refresh(self) -> None:
        """Re-read what is applied (after another ``up``): new APIs get a port, changed ones new routes."""
        applied = discover(self.endpoint)
        self.applied = applied
        _wire(self, applied)

    def stop(self) -> None:
        for server in self.servers.values():
            server.httpd.shutdown()
            server.httpd.server_close()
        self.servers.clear()
        if self.runner:
            self.runner.stop()
        if self.viewer:
            self.viewer.close()


def _log_writer(path: Path) -> Callable[[dict[str, Any]], None]:
    lock = threading.Lock()

    def write(entry: dict[str, Any]) -> None:
        with lock, open(path, "a") as out:
            out.write(json.dumps({"time": time.strftime("%Y-%m-%dT%H:%M:%S"), **entry}) + "\n")

    return write


def _wire(
    edge: EdgeHandle, applied: Applied, ports: dict[str, int] | None = None, preferred: frozenset[str] = frozenset()
) -> None:
    """Create or update one server per component; servers keep their ports across refreshes.

    ``ports``: fixed ports by server name; those named in ``preferred`` fall back to a fresh port when taken.
    """
    ports = ports or {}
    logs = edge.workdir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    access = logs / "edge-access.log"
    client = clients(edge.endpoint)

    def ensure(name: str, app: App) -> _Server:
        server = edge.servers.get(name)
        if server is None:
            server = edge.servers[name] = _serve(name, app, ports.get(name, 0), access, name in preferred)
        else:
            server.app_ref[0] = app
        return server

    # Ports first, so every origin is known before any request is answered.
    if applied.site is not None:
        ensure("site", lambda *a: (503, [], b"starting"))
        edge.origins.add(f"https://{applied.site.domain}", edge.servers["site"].origin)
    for pool in applied.pools:
        if pool.hosted_ui_origin:
            ensure(f"hosted-ui:{pool.pool_id}", lambda *a: (503, [], b"starting"))
            edge.origins.add(pool.hosted_ui_origin, edge.servers[f"hosted-ui:{pool.pool_id}"].origin)
    for api in applied.apis:
        ensure(f"api:{api.api_id}", lambda *a: (503, [], b"starting"))
        edge.origins.add(api.endpoint, edge.servers[f"api:{api.api_id}"].origin)

    if applied.site is not None:
        if edge.viewer is not None:
            edge.viewer.close()
        edge.viewer = ViewerFunction(applied.site.function_code, edge.workdir) if applied.site.function_code else None
        site = applied.site
        distribution = Distribution(
            site,
            lambda: client("s3", site.bucket_region),
            edge.viewer,
            edge.origins,
            _log_writer(logs / "edge-cloudfront.log"),
        )
        ensure("site", lambda m, t, h, b, ip: distribution.handle(m, t, h, ip))
    for pool in applied.pools:
        if not pool.hosted_ui_origin:
            continue
        name = f"hosted-ui:{pool.pool_id}"
        previous = edge._apps.get(name)
        ui = getattr(previous, "__self__", None)
        if not isinstance(ui, HostedUi):
            ui = HostedUi(
                pool,
                lambda p=pool: client("cognito-idp", p.region),
                edge.origins.public,
                _log_writer(logs / "edge-cognito.log"),
            )
        else:
            ui.pool = pool  # keep sessions, codes and refresh tokens across a refresh
        edge._apps[name] = ui.handle
        ensure(name, lambda m, t, h, b, ip, ui=ui: ui.handle(m, t, _headers(h), b))
    api_log = _log_writer(logs / "edge-apigateway.log")
    for api in applied.apis:

        def app(m: str, t: str, h: list[tuple[str, str]], b: bytes, ip: str, api: HttpApi = api) -> Any:
            request = ApiRequest(
                method=m, target=t, headers=h, body=b, source_ip=ip, host=api.endpoint.split("://", 1)[1]
            )
            return api_handle(
                api,
                request,
                edge.origins.public,
                lambda arn, event, wait: edge.runner.invoke(arn, event, wait),
                api_log,
            )

        ensure(f"api:{api.api_id}", app)


def start_edge(
    workspace_root: Path,
    endpoint: str,
    echo: Echo = print,
    ports: dict[str, int] | None = None,
    preferred: frozenset[str] = frozenset(),
) -> EdgeHandle:
    """Serve what is applied on the emulator at ``endpoint`` from this process; ``.stop()`` ends it.

    ``workspace_root``: the local working folder (``.local/``): code bundles go to ``edge/``, logs to ``logs/``.
    ``ports``: fixed ports by server name ("site", "hosted-ui:<pool id>", "api:<api id>"); default: each server
    binds port 0 and keeps the port the kernel gave it. ``preferred``: names in ``ports`` that may move to a
    fresh port when theirs is taken (remembered from a previous run) instead of failing.
    """
    workdir = Path(workspace_root)
    applied = discover(endpoint)
    if applied.site is None and not applied.apis:
        raise EdgeError(
            f"nothing to serve: the emulator at {endpoint} has no distribution and no HTTP API "
            "(run: python main.py local up)"
        )
    edge = EdgeHandle(
        workdir=workdir,
        endpoint=endpoint,
        applied=applied,
        origins=OriginMap(),
        echo=echo,
        runner=LambdaRunner(endpoint=endpoint, workdir=workdir),
    )
    try:
        _wire(edge, applied, ports, preferred)
    except Exception:
        edge.stop()
        raise
    echo(
        f"edge: site {edge.site_url} (https://{applied.site.domain if applied.site else '-'}), "
        f"hosted UI {edge.hosted_ui_url}, {len(applied.apis)} API(s)"
    )
    return edge


def _record(workdir: Path) -> Path:
    return Path(workdir) / "edge" / "edge.json"


def serve_forever(workspace_root: Path, endpoint: str, echo: Echo = print, port: int | None = None) -> None:
    """``start_edge`` in the foreground until SIGINT/SIGTERM; SIGHUP re-reads what is applied.

    ``port``: the site's port (default: the one of the previous run when free, else a free one).
    Writes ``<workdir>/edge/edge.json`` (pid, URLs) while it runs.
    """
    workdir = Path(workspace_root)
    ports: dict[str, int] = {}
    with contextlib.suppress(OSError, ValueError, TypeError, AttributeError):  # none remembered unless {name: port}
        remembered = {k: int(v) for k, v in json.loads(_record(workdir).with_suffix(".ports").read_text()).items()}
        ports = remembered if all(0 < p < 65536 for p in remembered.values()) else {}
    preferred = frozenset(ports)  # remembered: tried first, never probed (a probe frees the port for others)
    if port is not None:
        ports["site"] = port
        preferred -= {"site"}
    edge = start_edge(workdir, endpoint, echo, ports, preferred)
    stop = threading.Event()
    reload = threading.Event()

    def write_record() -> None:
        _record(workdir).parent.mkdir(parents=True, exist_ok=True)
        _record(workdir).write_text(json.dumps(edge.describe(), indent=2) + "\n")
        _record(workdir).with_suffix(".ports").write_text(
            json.dumps({n: s.httpd.server_address[1] for n, s in edge.servers.items()}) + "\n"
        )

    write_record()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    if hasattr(signal, "SIGHUP"):
        previous[signal.SIGHUP] = signal.signal(signal.SIGHUP, lambda *_: reload.set())
    try:
        for app in edge.apps():
            echo(f"  {app}: {edge.url_of(app)}")
        while not stop.wait(0.5):
            if reload.is_set():
                reload.clear()
                try:
                    edge.refresh()
                    write_record()
                    echo("edge: reloaded what is applied")
                except Exception as err:
                    echo(f"edge: reload failed: {err}")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        edge.stop()
        _record(workdir).unlink(missing_ok=True)


@dataclass(frozen=True)
class EdgeRecord:
    """A background edge (``spawn_edge``), as recorded in ``<workdir>/edge/edge.json``."""

    pid: int
    site: str | None
    hosted_ui: str | None
    apis: dict[str, str]
    apps: dict[str, str]

    def url_of(self, app: str) -> str | None:
        return self.apps.get(app) or (f"{self.site}/{app}/" if self.site else None)


def running_edge(workspace_root: Path) -> EdgeRecord | None:
    """The background edge of this working folder, if it is alive."""
    try:
        data = json.loads(_record(Path(workspace_root)).read_text())
        record = EdgeRecord(
            pid=int(data["pid"]),
            site=data.get("site"),
            hosted_ui=data.get("hostedUi"),
            apis=data.get("apis", {}),
            apps=data.get("apps", {}),
        )
    except (OSError, ValueError, KeyError, TypeError):  # TypeError: JSON, but not an object with a pid
        return None
    if record.pid <= 0:  # kill(2) takes 0 and negatives for process groups, never for one edge process
        return None
    try:
        if MODULE.encode() not in Path(f"/proc/{record.pid}/cmdline").read_bytes():
            return None
    except OSError:
        try:
            os.kill(record.pid, 0)
        except OSError:
            return None
    return record


def spawn_edge(workspace_root: Path, endpoint: str, echo: Echo = print, port: int | None = None) -> EdgeRecord:
    """Start ``serve_forever`` in a background process (log: ``<workdir>/logs/edge.log``); reload it if running."""
    workdir = Path(workspace_root).resolve()
    existing = running_edge(workdir)
    if existing is not None:
        before = _record(workdir).stat().st_mtime
        os.kill(existing.pid, signal.SIGHUP)
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline and _record(workdir).exists() and _record(workdir).stat().st_mtime == before:
            time.sleep(0.2)
        return running_edge(workdir) or existing
    (workdir / "logs").mkdir(parents=True, exist_ok=True)
    _record(workdir).unlink(missing_ok=True)
    log = open(workdir / "logs" / "edge.log", "ab")  # noqa: SIM115 - handed to the background edge process
    try:
        args = [sys.executable, "-m", MODULE, "serve", "--workdir", str(workdir), "--endpoint", endpoint]
        process = subprocess.Popen(
            args + (["--port", str(port)] if port else []),
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={
                **os.environ,
                "PYTHONPATH": os.pathsep.join(filter(None, (str(emu.REPO), os.environ.get("PYTHONPATH")))),
            },
        )
    finally:
        log.close()
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = (workdir / "logs" / "edge.log").read_text(errors="replace")[-2000:]
            raise EdgeError(f"the local edge exited with code {process.returncode}:\n{tail}")
        record = running_edge(workdir)
        if record is not None:
            echo(f"edge: running (pid {record.pid}), site {record.site}")
            return record
        time.sleep(0.2)
    process.kill()
    raise EdgeError(
        f"the local edge did not start within {START_TIMEOUT_SECONDS} s (see {workdir / 'logs' / 'edge.log'})"
    )


def stop_edge(workspace_root: Path) -> bool:
    """Stop the background edge of this working folder; True when one was running."""
    record = running_edge(workspace_root)
    if record is None:
        _record(Path(workspace_root)).unlink(missing_ok=True)
        return False
    os.kill(record.pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and running_edge(workspace_root) is not None:
        try:
            if os.waitpid(record.pid, os.WNOHANG)[0]:
                break
        except ChildProcessError:
            pass
        time.sleep(0.1)
    if running_edge(workspace_root) is not None:
        os.kill(record.pid, signal.SIGKILL)
    # An edge this process started (local up, then local down in one run) is reaped, not left a zombie. The loop
    # above can end while it is still exiting (its /proc cmdline empties, its record goes, before it has exited),
    # so wait for it: it was told to end, or killed. No child of this process: nothing to wait for.
    with contextlib.suppress(ChildProcessError):
        os.waitpid(record.pid, 0)
    _record(Path(workspace_root)).unlink(missing_ok=True)
    return True
