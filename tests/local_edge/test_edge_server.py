"""The local edge's HTTP front (``server._serve``): what reaches the app, what goes back on the wire, the access log.

Each test serves a stand-in app (it records its arguments and gives a fixed answer) on port 0 and talks to it
over a raw socket, so the answer is compared byte for byte. The ``Date`` header and the access log's clock are
fixed; ``Server`` carries the running Python's version after ``local-edge``.
"""

from __future__ import annotations

import contextlib
import http.client
import platform
import socket
import threading
import time
import types
from pathlib import Path

import pytest

from generator.local.edge import server as edge_server
from generator.local.edge.server import EdgeError, _serve

DATE = "Tue, 01 Dec 2026 14:05:09 GMT"
SERVER = f"local-edge Python/{platform.python_version()}"
#: The access log's clock: 2026-12-01 14:05:09.
LOG_TIME = time.struct_time((2026, 12, 1, 14, 5, 9, 1, 335, 0))
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]


class Recorder:
    """A stand-in app: records each call's arguments and answers every request the same."""

    def __init__(self, status: int = 200, headers: list[tuple[str, str]] | None = None, body: bytes = b"answer"):
        self.answer = (status, [("Content-Type", "text/plain")] if headers is None else headers, body)
        self.calls: list[tuple] = []
        self.daemonic: list[bool] = []

    def __call__(self, method: str, target: str, headers: list[tuple[str, str]], body: bytes, client_ip: str):
        self.calls.append((method, target, headers, body, client_ip))
        self.daemonic.append(threading.current_thread().daemon)
        return self.answer


def broken_app(method: str, target: str, headers: list[tuple[str, str]], body: bytes, client_ip: str):
    raise RuntimeError("app failed on purpose")


@pytest.fixture
def serve(monkeypatch):
    """``serve(app, access_log=None, name="site", port=0, preferred=False)``: a started ``_Server`` whose answers
    carry ``Date: DATE`` and whose access log is written at ``LOG_TIME``; shut down after the test."""
    monkeypatch.setattr(edge_server, "time", types.SimpleNamespace(strftime=lambda fmt: time.strftime(fmt, LOG_TIME)))
    started = []

    def start(app, access_log: Path | None = None, name: str = "site", port: int = 0, preferred: bool = False):
        server = _serve(name, app, port, access_log, preferred)
        started.append(server)
        server.httpd.RequestHandlerClass.date_time_string = lambda self, timestamp=None: DATE
        return server

    yield start
    for server in started:
        stop(server)


def stop(server) -> None:
    """``httpd.shutdown()``, then ``server_close()``; a connection wakes ``serve_forever`` at once instead of at its
    next half-second poll."""
    stopper = threading.Thread(target=server.httpd.shutdown)
    stopper.start()
    with contextlib.suppress(OSError):
        socket.create_connection(("127.0.0.1", server.httpd.server_address[1]), timeout=1).close()
    stopper.join()
    server.httpd.server_close()


def exchange(server, *requests: bytes) -> bytes:
    """Sends ``requests`` on one connection, ends the sending side and returns every byte answered until the
    server closes the connection."""
    with socket.create_connection(("127.0.0.1", server.httpd.server_address[1]), timeout=5) as sock:
        sock.sendall(b"".join(requests))
        sock.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return received


def answer(status_line: str, headers: list[str], body: bytes = b"") -> bytes:
    """An answer as the server writes it: the status line, ``Server`` and ``Date``, then ``headers``."""
    return (
        "".join(f"{line}\r\n" for line in [status_line, f"Server: {SERVER}", f"Date: {DATE}", *headers, ""]).encode()
        + body
    )


# ------------------------------------------------------------------ what the app is handed


def test_a_request_reaches_the_app_as_method_target_headers_in_order_empty_body_and_client_address(serve):
    app = Recorder()
    server = serve(app)
    raw = exchange(
        server, b"GET /items?x=1&y=%20z HTTP/1.1\r\nHost: edge.test\r\nX-Trace: a\r\nAccept: */*\r\nx-trace: b\r\n\r\n"
    )
    assert app.calls == [
        (
            "GET",
            "/items?x=1&y=%20z",
            [("Host", "edge.test"), ("X-Trace", "a"), ("Accept", "*/*"), ("x-trace", "b")],
            b"",
            "127.0.0.1",
        )
    ]
    assert raw == answer("HTTP/1.1 200 OK", ["Content-Type: text/plain", "Content-Length: 6"], b"answer")


def test_a_body_is_read_by_its_content_length_and_an_empty_one_is_empty(serve):
    app = Recorder()
    server = serve(app)
    raw = exchange(
        server,
        b"POST /a HTTP/1.1\r\nHost: edge.test\r\nContent-Length: 5\r\n\r\nhello",
        b"POST /b HTTP/1.1\r\nHost: edge.test\r\nContent-Length: 0\r\n\r\n",
    )
    assert app.calls == [
        ("POST", "/a", [("Host", "edge.test"), ("Content-Length", "5")], b"hello", "127.0.0.1"),
        ("POST", "/b", [("Host", "edge.test"), ("Content-Length", "0")], b"", "127.0.0.1"),
    ]
    assert raw == 2 * answer("HTTP/1.1 200 OK", ["Content-Type: text/plain", "Content-Length: 6"], b"answer")


def test_keep_alive_serves_requests_with_and_without_a_body_one_after_another_on_one_connection(serve):
    """A request without Content-Length has no body: the next request's bytes are not taken for one, and a body
    ends at its length, not at the end of the connection."""
    app = Recorder()
    server = serve(app)
    raw = exchange(
        server,
        b"GET /one HTTP/1.1\r\nHost: edge.test\r\n\r\n",
        b"PUT /two HTTP/1.1\r\nHost: edge.test\r\nContent-Length: 3\r\n\r\nabc",
        b"GET /three HTTP/1.1\r\nHost: edge.test\r\n\r\n",
    )
    assert app.calls == [
        ("GET", "/one", [("Host", "edge.test")], b"", "127.0.0.1"),
        ("PUT", "/two", [("Host", "edge.test"), ("Content-Length", "3")], b"abc", "127.0.0.1"),
        ("GET", "/three", [("Host", "edge.test")], b"", "127.0.0.1"),
    ]
    assert raw == 3 * answer("HTTP/1.1 200 OK", ["Content-Type: text/plain", "Content-Length: 6"], b"answer")


@pytest.mark.parametrize("method", METHODS)
def test_every_method_is_handed_to_the_app(serve, method):
    app = Recorder()
    server = serve(app)
    raw = exchange(server, f"{method} /m HTTP/1.1\r\nHost: edge.test\r\nContent-Length: 3\r\n\r\nxyz".encode())
    assert app.calls == [(method, "/m", [("Host", "edge.test"), ("Content-Length", "3")], b"xyz", "127.0.0.1")]
    body = b"" if method == "HEAD" else b"answer"
    assert raw == answer("HTTP/1.1 200 OK", ["Content-Type: text/plain", "Content-Length: 6"], body)


def test_a_new_app_put_in_app_ref_answers_the_next_request_on_the_same_connection(serve):
    """``_wire`` swaps ``app_ref[0]`` when what is applied changes; the server keeps its port and connections."""
    first, second = Recorder(body=b"first"), Recorder(body=b"second")
    server = serve(first)
    conn = http.client.HTTPConnection("127.0.0.1", server.httpd.server_address[1], timeout=5)
    try:
        conn.request("GET", "/x")
        before = conn.getresponse().read()
        sock = conn.sock
        server.app_ref[0] = second
        conn.request("GET", "/y")
        after = conn.getresponse().read()
        assert conn.sock is sock
    finally:
        conn.close()
    assert (before, after) == (b"first", b"second")
    assert [c[1] for c in first.calls] == ["/x"] and [c[1] for c in second.calls] == ["/y"]


# ------------------------------------------------------------------ the answer


def test_the_app_s_headers_are_kept_in_order_but_the_server_sets_length_and_framing(serve):
    """Content-Length, Connection and Transfer-Encoding are the server's (any case); every other header is sent
    as given, repeats included; Content-Length is the length of the body sent."""
    app = Recorder(
        headers=[
            ("Content-Type", "text/html"),
            ("content-length", "999"),
            ("Set-Cookie", "a=1"),
            ("CONNECTION", "close"),
            ("Set-Cookie", "b=2"),
            ("Transfer-Encoding", "chunked"),
            ("x-lower", "kept as given"),
        ],
        body=b"<p>hello</p>",
    )
    server = serve(app)
    raw = exchange(
        server, b"GET / HTTP/1.1\r\nHost: edge.test\r\n\r\n", b"GET /again HTTP/1.1\r\nHost: edge.test\r\n\r\n"
    )
    one = answer(
        "HTTP/1.1 200 OK",
        [
            "Content-Type: text/html",
            "Set-Cookie: a=1",
            "Set-Cookie: b=2",
            "x-lower: kept as given",
            "Content-Length: 12",
        ],
        b"<p>hello</p>",
    )
    assert raw == 2 * one  # the app's "Connection: close" did not end the connection
    assert [c[1] for c in app.calls] == ["/", "/again"]


def test_head_keeps_the_app_s_own_content_length_and_sends_no_body(serve):
    """A HEAD answer states the length a GET would get (the app knows it; its body is empty)."""
    app = Recorder(headers=[("Content-Type", "text/html"), ("Content-Length", "1234"), ("ETag", '"abc"')], body=b"")
    server = serve(app)
    raw = exchange(server, b"HEAD /index.html HTTP/1.1\r\nHost: edge.test\r\n\r\n")
    assert raw == answer("HTTP/1.1 200 OK", ["Content-Type: text/html", 'ETag: "abc"', "Content-Length: 1234"])


def test_head_without_the_app_s_content_length_states_the_body_s_and_sends_none_of_it(serve):
    app = Recorder(headers=[("Content-Type", "text/plain")], body=b"hello")
    server = serve(app)
    raw = exchange(
        server,
        b"HEAD /a HTTP/1.1\r\nHost: edge.test\r\n\r\n",
        b"GET /b HTTP/1.1\r\nHost: edge.test\r\n\r\n",
    )
    assert raw == answer("HTTP/1.1 200 OK", ["Content-Type: text/plain", "Content-Length: 5"]) + answer(
        "HTTP/1.1 200 OK", ["Content-Type: text/plain", "Content-Length: 5"], b"hello"
    )


@pytest.mark.parametrize(
    ("status", "status_line"), [(204, "HTTP/1.1 204 No Content"), (304, "HTTP/1.1 304 Not Modified")]
)
def test_204_and_304_send_neither_a_body_nor_a_content_length(serve, status, status_line):
    """RFC 9110 8.6: a 204 carries no Content-Length; a 304's could only repeat what a 200 would have had, which
    a body the app gave anyway is not. The connection goes on to the next request."""
    app = Recorder(status=status, headers=[("ETag", '"v1"'), ("Content-Length", "1234")], body=b"ignored")
    server = serve(app)
    raw = exchange(
        server,
        b"GET /a HTTP/1.1\r\nHost: edge.test\r\n\r\n",
        b"HEAD /b HTTP/1.1\r\nHost: edge.test\r\n\r\n",
        b"OPTIONS /c HTTP/1.1\r\nHost: edge.test\r\n\r\n",
    )
    assert raw == 3 * answer(status_line, ['ETag: "v1"'])
    assert [c[:2] for c in app.calls] == [("GET", "/a"), ("HEAD", "/b"), ("OPTIONS", "/c")]


def test_an_app_that_raises_is_a_502_and_its_traceback_goes_to_the_access_log(serve, tmp_path):
    log = tmp_path / "edge-access.log"
    server = serve(broken_app, access_log=log, name="api:a1b2c3d")
    raw = exchange(server, b"GET /boom HTTP/1.1\r\nHost: edge.test\r\n\r\n")
    assert raw == answer(
        "HTTP/1.1 502 Bad Gateway",
        ["Content-Type: text/plain", "Content-Length: 32"],
        b"local edge error (see edge log)\n",
    )
    lines = log.read_text().splitlines(keepends=True)
    assert lines[0] == "Traceback (most recent call last):\n"
    assert any(line.endswith(", in broken_app\n") for line in lines)
    assert lines[-2:] == [
        "RuntimeError: app failed on purpose\n",
        '2026-12-01T14:05:09 api:a1b2c3d 127.0.0.1 "GET /boom HTTP/1.1" 502 -\n',
    ]


def test_an_app_that_raises_without_an_access_log_is_still_a_502(serve, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    server = serve(broken_app)
    raw = exchange(server, b"GET /boom HTTP/1.1\r\nHost: edge.test\r\n\r\n")
    assert raw == answer(
        "HTTP/1.1 502 Bad Gateway",
        ["Content-Type: text/plain", "Content-Length: 32"],
        b"local edge error (see edge log)\n",
    )
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ the access log


def test_each_request_is_one_access_log_line_with_time_server_client_request_line_and_status(serve, tmp_path):
    log = tmp_path / "edge-access.log"
    log.write_text("earlier line\n")
    server = serve(Recorder(status=201), access_log=log, name="hosted-ui:us-east-2_Pool")
    exchange(
        server,
        b"GET /a?b=1 HTTP/1.1\r\nHost: edge.test\r\n\r\n",
        b"POST /login HTTP/1.1\r\nHost: edge.test\r\nContent-Length: 2\r\n\r\nok",
    )
    assert log.read_text() == (
        "earlier line\n"
        '2026-12-01T14:05:09 hosted-ui:us-east-2_Pool 127.0.0.1 "GET /a?b=1 HTTP/1.1" 201 -\n'
        '2026-12-01T14:05:09 hosted-ui:us-east-2_Pool 127.0.0.1 "POST /login HTTP/1.1" 201 -\n'
    )


def test_without_an_access_log_nothing_is_written(serve, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    server = serve(Recorder())
    raw = exchange(server, b"GET / HTTP/1.1\r\nHost: edge.test\r\n\r\n")
    assert raw == answer("HTTP/1.1 200 OK", ["Content-Type: text/plain", "Content-Length: 6"], b"answer")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ _serve


def _ephemeral_ports() -> range:
    low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
    return range(int(low), int(high) + 1)


def test_the_server_runs_in_a_daemon_thread_named_after_it_and_answers_in_daemon_threads(serve):
    """Neither the server nor a request in flight keeps the process from exiting."""
    app = Recorder()
    server = serve(app, name="api:a1b2c3d")
    exchange(server, b"GET / HTTP/1.1\r\nHost: edge.test\r\n\r\n")
    assert (server.name, server.thread.name, server.thread.daemon, server.thread.is_alive()) == (
        "api:a1b2c3d",
        "edge-api:a1b2c3d",
        True,
        True,
    )
    assert app.daemonic == [True]


def test_a_taken_port_is_an_edge_error_naming_the_server_and_the_address():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        taken = holder.getsockname()[1]
        with pytest.raises(EdgeError) as err:
            _serve("site", Recorder(), taken, None)
    assert str(err.value) == f"site: cannot listen on 127.0.0.1:{taken}: [Errno 98] Address already in use"
    assert err.value.__cause__ is None and err.value.__suppress_context__


def test_a_preferred_port_that_is_taken_moves_to_one_the_kernel_picks_and_serves_the_same(serve, tmp_path):
    log = tmp_path / "edge-access.log"
    app = Recorder()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        taken = holder.getsockname()[1]
        server = serve(app, access_log=log, name="api:a1b2c3d", port=taken, preferred=True)
        port = server.httpd.server_address[1]
        assert port != taken and port in _ephemeral_ports()
        assert server.origin == f"http://127.0.0.1:{port}"
        raw = exchange(server, b"GET /moved HTTP/1.1\r\nHost: edge.test\r\n\r\n")
    assert raw == answer("HTTP/1.1 200 OK", ["Content-Type: text/plain", "Content-Length: 6"], b"answer")
    assert app.calls == [("GET", "/moved", [("Host", "edge.test")], b"", "127.0.0.1")]
    assert log.read_text() == '2026-12-01T14:05:09 api:a1b2c3d 127.0.0.1 "GET /moved HTTP/1.1" 200 -\n'


# ------------------------------------------------------------------ how a body is framed (RFC 9112 section 6)

BAD_FRAMING = answer(
    "HTTP/1.1 400 Bad Request",
    ["Content-Type: text/plain", "Connection: close", "Content-Length: 51"],
    b"bad request: the length of its body cannot be read\n",
)
NEXT = b"GET /next HTTP/1.1\r\nHost: edge.test\r\n\r\n"


@pytest.mark.parametrize(
    "framing",
    [
        b"Content-Length: abc",
        b"Content-Length: -1",
        b"Content-Length: +5",
        b"Content-Length: 5x",
        b"Content-Length: 0x5",
        b"Content-Length: 1e1",
        b"Content-Length: ",
        b"Content-Length: 5, 5",
        b"Content-Length: 3\r\nContent-Length: 5",
        b"Transfer-Encoding: gzip",
        b"Transfer-Encoding: gzip, chunked",
        b"Transfer-Encoding: chunked, chunked",
        b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked",
        b"Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip",
    ],
    ids=lambda f: f.decode(errors="replace"),
)
def test_a_body_whose_length_cannot_be_read_is_answered_400_and_the_connection_closed(serve, framing):
    """Before, a length that is not a number dropped the connection with no answer, a negative one read to the end
    of the connection, two lengths took the first (the rest of the body read as the next request), and a chunked
    body was not read at all (its chunks read as the next request)."""
    app = Recorder()
    server = serve(app)
    body = b"5\r\nhello\r\n0\r\n\r\n" if framing.startswith(b"Transfer") else b"hello"  # chunked, for a coding
    raw = exchange(server, b"POST /a HTTP/1.1\r\nHost: edge.test\r\n" + framing + b"\r\n\r\n" + body, NEXT)
    assert (raw, app.calls) == (BAD_FRAMING, [])


def test_a_repeated_content_length_with_one_value_is_that_length(serve):
    app = Recorder()
    server = serve(app)
    headers = b"Content-Length: 5\r\nContent-Length:  5 \r\n"
    raw = exchange(server, b"POST /a HTTP/1.1\r\nHost: edge.test\r\n" + headers + b"\r\nhello", NEXT)
    assert [call[3] for call in app.calls] == [b"hello", b""]
    assert raw == 2 * answer("HTTP/1.1 200 OK", ["Content-Type: text/plain", "Content-Length: 6"], b"answer")


def test_a_chunked_body_is_read_whole_and_the_next_request_follows_it(serve):
    app = Recorder()
    server = serve(app)
    chunked = b"5\r\nhello\r\n6;name=value\r\n world\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n"
    # Transfer-Encoding wins over a Content-Length beside it, in any case of its name and value, spaces around it.
    head = b"POST /a HTTP/1.1\r\nHost: edge.test\r\ntransfer-encoding: Chunked \r\nContent-Length: 2\r\n\r\n"
    raw = exchange(server, head + chunked, NEXT)
    assert [(call[1], call[3]) for call in app.calls] == [("/a", b"hello world0123456789"), ("/next", b"")]
    assert raw == 2 * answer("HTTP/1.1 200 OK", ["Content-Type: text/plain", "Content-Length: 6"], b"answer")


@pytest.mark.parametrize(
    "chunks",
    [b"zz\r\nhello\r\n0\r\n\r\n", b"\r\nhello\r\n0\r\n\r\n", b"5\r\nhel", b"5\r\nhelloXX0\r\n\r\n", b"-5\r\nhello\r\n"],
    ids=["not-hex", "no-size", "short", "no-crlf-after-data", "negative"],
)
def test_a_malformed_chunked_body_is_answered_400(serve, chunks):
    app = Recorder()
    server = serve(app)
    raw = exchange(server, b"POST /a HTTP/1.1\r\nHost: edge.test\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks)
    assert (raw, app.calls) == (BAD_FRAMING, [])


TOO_LARGE = answer(
    "HTTP/1.1 413 Request Entity Too Large",
    ["Content-Type: text/plain", "Connection: close", "Content-Length: 31"],
    b"request body larger than 10 MB\n",
)


def test_a_body_over_10_mb_is_answered_413_before_it_is_read(serve):
    app = Recorder()
    server = serve(app)
    limit = 10 * 1024 * 1024
    stated = exchange(server, f"POST /a HTTP/1.1\r\nHost: edge.test\r\nContent-Length: {limit + 1}\r\n\r\n".encode())
    huge = exchange(server, b"POST /a HTTP/1.1\r\nHost: edge.test\r\nContent-Length: 99999999999999999999\r\n\r\n")
    chunked = exchange(
        server,
        b"POST /a HTTP/1.1\r\nHost: edge.test\r\nTransfer-Encoding: chunked\r\n\r\n"
        + f"{limit:x}\r\n".encode()
        + b"x" * limit
        + b"\r\n1\r\ny\r\n0\r\n\r\n",
    )
    assert (stated, huge, chunked, app.calls) == (TOO_LARGE, TOO_LARGE, TOO_LARGE, [])


def test_a_body_of_exactly_10_mb_is_read(serve):
    app = Recorder()
    server = serve(app)
    limit = 10 * 1024 * 1024
    head = f"PUT /a HTTP/1.1\r\nHost: edge.test\r\nContent-Length: {limit}\r\n\r\n".encode()
    raw = exchange(server, head + b"x" * limit)
    assert [len(call[3]) for call in app.calls] == [limit]
    assert raw == answer("HTTP/1.1 200 OK", ["Content-Type: text/plain", "Content-Length: 6"], b"answer")
