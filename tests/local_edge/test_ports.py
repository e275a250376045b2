"""Ports are bound once and handed over: the emulator's socket goes to the moto process, the edge's servers bind 0.

The race being closed: choosing a port by binding a probe socket, closing it
and passing the number on lets another process take the port before the
server binds it. Each test below fails on that pattern.
"""

from __future__ import annotations

import socket
import subprocess
import threading

import pytest
from helpers import listening_ports

from generator.local import emulator as emu
from generator.local.edge.server import EdgeError, _serve


def test_the_emulator_serves_on_the_socket_start_bound_even_when_a_thief_tries_the_port(tmp_path, monkeypatch):
    """Between choosing the port and the server's start, another process tries to bind it: it must fail (the
    port is held), and the server must come up on exactly the port ``start`` reports."""
    stolen: list[socket.socket] = []
    real_popen = subprocess.Popen

    def popen_after_a_thief(args, **kwargs):
        port = int(args[args.index("-p") + 1])
        thief = socket.socket()
        try:
            thief.bind((emu.HOST, port))
            thief.listen(1)
            stolen.append(thief)  # the old close-then-bind pattern: the server now cannot bind it
        except OSError:
            thief.close()
        return real_popen(args, **kwargs)

    monkeypatch.setattr(emu.subprocess, "Popen", popen_after_a_thief)
    try:
        server = emu.start(tmp_path)
    finally:
        for thief in stolen:
            thief.close()
    try:
        assert stolen == [], "the port was free between being chosen and being served"
        assert set(listening_ports(server.pid).values()) == {server.port}
        assert emu.running(tmp_path) == server
    finally:
        emu.stop(tmp_path)


def test_two_emulators_started_at_once_get_different_ports(tmp_path):
    started: dict[str, emu.Emulator] = {}

    def start(name: str) -> None:
        started[name] = emu.start(tmp_path / name)

    threads = [threading.Thread(target=start, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert set(started) == {"a", "b"}
        assert started["a"].port != started["b"].port
        for name, server in started.items():
            assert set(listening_ports(server.pid).values()) == {server.port}
            assert emu.running(tmp_path / name) == server
    finally:
        for name in started:
            emu.stop(tmp_path / name)


def test_a_taken_port_is_refused_before_anything_starts(tmp_path):
    with socket.socket() as holder:
        holder.bind((emu.HOST, 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        with pytest.raises(emu.EmulatorError, match=f"port {port} on 127.0.0.1 is in use"):
            emu.start(tmp_path, port)
    assert not (tmp_path / "emulator" / "emulator.json").exists()


def _app(*_args):
    return 200, [], b"ok"


def test_an_edge_server_on_port_0_reports_the_port_it_is_bound_to():
    server = _serve("site", _app, 0, None)
    try:
        port = server.httpd.server_address[1]
        assert port != 0 and server.origin == f"http://127.0.0.1:{port}"
        assert server.httpd.socket.getsockname()[1] == port
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


def test_a_remembered_edge_port_that_is_taken_moves_and_a_fixed_one_fails():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        taken = holder.getsockname()[1]
        with pytest.raises(EdgeError, match=f"site: cannot listen on 127.0.0.1:{taken}"):
            _serve("site", _app, taken, None)
        moved = _serve("site", _app, taken, None, preferred=True)
        try:
            assert moved.httpd.server_address[1] not in (0, taken)
        finally:
            moved.httpd.shutdown()
            moved.httpd.server_close()
