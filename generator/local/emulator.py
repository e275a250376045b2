"""The embedded AWS emulator: moto's server, bound to 127.0.0.1, one per working folder.

The server outlives the ``local up`` that started it (so a second ``up`` finds
the same resources and applies nothing); ``local down`` stops it. Its pid and
port are kept in ``<workdir>/emulator/emulator.json``.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
#: The repository (the server module is imported from it whatever the current folder).
REPO = Path(__file__).resolve().parents[2]
#: Fake credentials moto accepts; the emulator target is the only place they appear.
ACCESS_KEY = "testing"
SECRET_KEY = "testing"
START_TIMEOUT_SECONDS = 30
#: How long a stopped server has to exit after SIGTERM before it is sent SIGKILL.
STOP_TIMEOUT_SECONDS = 10
#: moto's server, with the emulator's fixes (see moto_server.py).
SERVER_MODULE = "generator.local.moto_server"
#: moto's server settings. ACM certificates are ISSUED at once instead of after 60 s.
SERVER_ENV = {"MOTO_ACM_VALIDATION_WAIT": "0"}


#: What reading a record that is missing, not JSON, or JSON but not a record (``[]``, ``{"pid": null}``) raises.
UNREADABLE_RECORD = (OSError, ValueError, KeyError, TypeError)


class EmulatorError(Exception):
    """The emulator cannot be started (port taken, moto missing, server died)."""


@dataclass(frozen=True)
class Emulator:
    """A running moto server."""

    pid: int
    port: int

    @property
    def endpoint(self) -> str:
        return f"http://{HOST}:{self.port}"


def data_dir(workdir: Path) -> Path:
    return workdir / "emulator"


def _record(workdir: Path) -> Path:
    return data_dir(workdir) / "emulator.json"


def listening_socket(port: int | None = None) -> socket.socket:
    """A socket bound to ``port`` on 127.0.0.1 (default: one the kernel picks) and listening.

    The server is handed this very socket (``start`` passes its descriptor to the moto process), so no
    other process can take the port between choosing it and serving on it, as it could when a probe
    socket was bound, closed, and the number passed on.
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.bind((HOST, port or 0))
        listener.listen(128)
    except OSError as err:
        listener.close()
        raise EmulatorError(
            f"port {port} on {HOST} is in use, expected a free port "
            "(stop what listens there, pass another --port, or omit --port to pick a free one)"
            if port
            else f"cannot listen on {HOST}: {err}"
        ) from None
    return listener


def _is_our_server(pid: int) -> bool:
    """True when ``pid`` is alive and is a moto server (not a recycled pid)."""
    if pid <= 0:  # not one process: kill(0, sig) signals our own process group, kill(-1, sig) all we may signal
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        try:
            os.kill(pid, 0)
        except (OSError, OverflowError):  # OverflowError: beyond any pid
            return False
        return True  # no /proc (macOS): trust the record
    return SERVER_MODULE.encode() in cmdline


def _responds(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/moto-api/", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def running(workdir: Path) -> Emulator | None:
    """The emulator recorded for ``workdir`` if it is still running and answering, else None."""
    try:
        data = json.loads(_record(workdir).read_text())
        emulator = Emulator(pid=int(data["pid"]), port=int(data["port"]))
    except UNREADABLE_RECORD:
        return None
    if _is_our_server(emulator.pid) and _responds(emulator.port):
        return emulator
    return None


def start(workdir: Path, port: int | None = None) -> Emulator:
    """Start moto's server in the background on ``port`` (default: one the kernel picks) and wait until it answers.

    The port is bound here, once, and the listening socket handed to the server (see ``listening_socket``).
    """
    folder = data_dir(workdir)
    folder.mkdir(parents=True, exist_ok=True)
    listener = listening_socket(port)
    chosen = listener.getsockname()[1]
    log = open(folder / "server.log", "ab")  # noqa: SIM115 - handed to the server process, closed below
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", SERVER_MODULE, "-H", HOST, "-p", str(chosen), "--fd", str(listener.fileno())],
            cwd=folder,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            pass_fds=(listener.fileno(),),  # the server accepts on this socket; connections queue until it does
            env={
                **os.environ,
                **SERVER_ENV,
                "MOTO_PORT": str(chosen),  # moto writes its own address into some answers (queue URLs)
                "PYTHONPATH": os.pathsep.join(filter(None, (str(REPO), os.environ.get("PYTHONPATH")))),
            },
            start_new_session=True,  # survives this command; down stops it
        )
    finally:
        log.close()
        listener.close()  # the server holds its own copy of the socket
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = (folder / "server.log").read_text(errors="replace")[-2000:]
            raise EmulatorError(
                f"the emulator (moto server) exited with code {process.returncode} "
                f"while starting on {HOST}:{chosen}:\n{tail}"
            )
        if _responds(chosen):
            emulator = Emulator(pid=process.pid, port=chosen)
            _record(workdir).write_text(json.dumps({"pid": emulator.pid, "port": emulator.port}) + "\n")
            return emulator
        time.sleep(0.2)
    _terminate(process.pid)
    raise EmulatorError(
        f"the emulator did not answer on {HOST}:{chosen} within {START_TIMEOUT_SECONDS} s (see {folder / 'server.log'})"
    )


def stop(workdir: Path) -> bool:
    """Stop the recorded emulator; True when one was running."""
    record = _record(workdir)
    try:
        pid = int(json.loads(record.read_text())["pid"])
    except UNREADABLE_RECORD:
        return False
    record.unlink(missing_ok=True)
    if not _is_our_server(pid):
        return False
    _terminate(pid)
    return True


def _terminate(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        try:
            finished, _ = os.waitpid(pid, os.WNOHANG)  # reap it when it is our child
            if finished:
                return
        except ChildProcessError:
            pass
        if not _is_our_server(pid) or not _alive(pid):
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in status
