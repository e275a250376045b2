"""The emulator's processes (generator/local/emulator.py), with real processes and real sockets.

One moto server is started for the module: what ``start`` hands it (command line, descriptors, folder, session,
environment) and what it records are read from /proc and the working folder, and the fixture's teardown stops
it with ``stop`` and checks what that did (the process gone, the record removed). The other tests need no moto:
a zombie, a dead pid, a process that is not a moto server, a *lookalike* (a process whose command line names the
server module, which ``_is_our_server`` takes for ours), a system without /proc, a port another socket holds,
and a server that exits or never answers while starting (a stand-in ``moto`` package first on PYTHONPATH).

A *witness* blocks every signal it can and, when sent SIGUSR1, says which signals it got, so a test shows what
a process was sent (nothing, or only SIGTERM) without waiting to see whether it dies.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from helpers import REPO, listening_ports

from generator.local import emulator as emu

SERVER_MODULE = "generator.local.moto_server"

WITNESS = """
import signal
signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
print("ready", flush=True)
got = []
while signal.SIGUSR1 not in got:
    got.append(signal.sigwait(signal.valid_signals()))
print(" ".join(sorted(signal.Signals(s).name for s in {*got, *signal.sigpending()})), flush=True)
"""

#: Exits 0 on SIGTERM, after a cleanup that takes 0.3 s and writes the file named by its first argument.
GRACEFUL = """
import pathlib, signal, sys, time
def leave(*_):
    time.sleep(0.3)
    pathlib.Path(sys.argv[1]).write_text("cleaned up")
    sys.exit(0)
signal.signal(signal.SIGTERM, leave)
print("ready", flush=True)
while True:
    signal.pause()
"""


class Witness:
    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", WITNESS, *args], stdout=subprocess.PIPE, text=True)
        self.pid = self.process.pid
        assert self.process.stdout.readline() == "ready\n"

    def signals(self) -> str:
        """The names of the signals it was sent, SIGUSR1 (sent now) included; "" when it was killed."""
        os.kill(self.pid, signal.SIGUSR1)
        return self.process.stdout.readline().strip()


@pytest.fixture
def spawn():
    """Start a witness, with ``args`` after its code on its command line; each one is killed at teardown."""
    witnesses: list[Witness] = []

    def start(*args: str) -> Witness:
        witnesses.append(Witness(*args))
        return witnesses[-1]

    yield start
    for witness in witnesses:
        witness.process.kill()  # nothing when it was reaped already (Popen polls first)
        witness.process.wait()


def _dead_pid() -> int:
    """The pid of a process that has exited and been reaped."""
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def _exited(pid: int) -> bool:
    """Whether our child ``pid`` has exited or does within a second (then it is reaped here, if it was not yet).

    ``_terminate`` returns once the pid is no longer a moto server, and an exiting process's command line reads
    empty a moment before it becomes a zombie: so the server may still be exiting, unreaped, when stop returns.
    """
    deadline = time.monotonic() + 1
    while True:
        try:
            if os.waitpid(pid, os.WNOHANG)[0]:
                return True
        except ChildProcessError:
            return True  # reaped already, by _terminate
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


def _write_record(workdir: Path, record: dict | str) -> Path:
    path = workdir / "emulator" / "emulator.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(record if isinstance(record, str) else json.dumps(record))
    return path


@pytest.fixture
def no_proc(monkeypatch, tmp_path):
    """As on macOS: no /proc (the module's /proc paths are looked up in an empty folder)."""
    monkeypatch.setattr(emu, "Path", lambda text: tmp_path / "no-proc" / text.lstrip("/"))


@contextlib.contextmanager
def _stdin_is_a_pipe():
    """Our descriptor 0 is a pipe meanwhile, as a terminal or a CI step would give ``up`` (here it may be /dev/null
    already, which would hide a server inheriting it)."""
    saved = os.dup(0)
    reading, writing = os.pipe()
    try:
        os.dup2(reading, 0)
        yield
    finally:
        os.dup2(saved, 0)
        for fd in (saved, reading, writing):
            os.close(fd)


@pytest.fixture(scope="module")
def started(tmp_path_factory):
    """``(workdir, server)``: one moto server started by ``start``; the teardown stops it with ``stop`` and checks
    that it is gone, its record removed, and a second ``stop`` finds nothing."""
    workdir = tmp_path_factory.mktemp("work")
    with _stdin_is_a_pipe():
        server = emu.start(workdir)
    try:
        yield workdir, server
    finally:
        stopped = emu.stop(workdir)
        exited = _exited(server.pid)
        if not exited:  # never leave it running, whatever stop did
            os.kill(server.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(server.pid, 0)
    assert stopped is True
    assert exited, "the server is still running after stop"
    assert not (workdir / "emulator" / "emulator.json").exists()
    assert emu.running(workdir) is None
    assert emu.stop(workdir) is False


# --- what start starts ---------------------------------------------------------------------------------------


def test_start_records_pid_and_port_in_emulator_json_of_the_emulator_folder(started):
    workdir, server = started
    assert (workdir / "emulator" / "emulator.json").read_text() == f'{{"pid": {server.pid}, "port": {server.port}}}\n'
    assert sorted(path.name for path in (workdir / "emulator").iterdir()) == ["emulator.json", "server.log"]
    assert emu.running(workdir) == emu.Emulator(pid=server.pid, port=server.port)
    assert emu._responds(server.port) is True


def test_the_server_runs_the_module_on_the_socket_start_bound(started):
    _, server = started
    argv = Path(f"/proc/{server.pid}/cmdline").read_bytes().decode().split("\0")[:-1]
    fd = argv[-1]
    assert argv == [sys.executable, "-m", SERVER_MODULE, "-H", "127.0.0.1", "-p", str(server.port), "--fd", fd]
    assert listening_ports(server.pid) == {int(fd): server.port}
    assert emu._is_our_server(server.pid) is True


def test_the_server_reads_nothing_writes_to_server_log_and_works_in_its_folder(started):
    workdir, server = started
    proc = Path(f"/proc/{server.pid}")
    log = str(workdir / "emulator" / "server.log")
    assert [os.readlink(proc / "fd" / fd) for fd in ("0", "1", "2")] == ["/dev/null", log, log]
    assert os.readlink(proc / "cwd") == str(workdir / "emulator")


def test_the_server_leads_a_session_of_its_own(started):
    """It outlives the ``up`` that started it: a hangup of that command's terminal or session does not reach it."""
    _, server = started
    assert os.getsid(server.pid) == server.pid


def test_the_server_is_told_its_port_and_to_issue_certificates_at_once(started):
    _, server = started
    raw = Path(f"/proc/{server.pid}/environ").read_bytes().decode(errors="surrogateescape")
    environ = dict(entry.split("=", 1) for entry in raw.split("\0") if entry)
    assert environ["MOTO_PORT"] == str(server.port)
    assert environ["MOTO_ACM_VALIDATION_WAIT"] == "0"
    assert environ["PYTHONPATH"].split(os.pathsep)[0] == str(REPO)


# --- records that are not trusted -------------------------------------------------------------------------------


def test_a_record_naming_another_process_is_not_trusted_even_where_a_server_answers(started, spawn, tmp_path):
    _, server = started
    other = spawn()
    record = _write_record(tmp_path, {"pid": other.pid, "port": server.port})
    assert emu.running(tmp_path) is None
    assert emu.stop(tmp_path) is False
    assert not record.exists()
    assert other.signals() == "SIGUSR1"  # stop sent it nothing


def test_a_record_naming_the_server_on_a_port_where_nothing_answers_is_not_trusted(started, tmp_path):
    _, server = started
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # held, not listening: connections are refused
        _write_record(tmp_path, {"pid": server.pid, "port": closed.getsockname()[1]})
        assert emu.running(tmp_path) is None


def test_a_record_of_a_dead_server_is_not_trusted_and_stop_removes_it(tmp_path):
    record = _write_record(tmp_path, {"pid": _dead_pid(), "port": 8080})
    assert emu.running(tmp_path) is None
    assert emu.stop(tmp_path) is False
    assert not record.exists()


@pytest.mark.parametrize(
    "text",
    ["", "not json", '{"pid": 12', "[]", "null", '{"port": 8080}', '{"pid": null, "port": 8080}', '{"pid": "one"}'],
)
def test_a_garbled_record_is_no_emulator(tmp_path, text):
    _write_record(tmp_path, text)
    assert emu.running(tmp_path) is None
    assert emu.stop(tmp_path) is False


def test_no_record_is_no_emulator(tmp_path):
    assert emu.running(tmp_path) is None
    assert emu.stop(tmp_path) is False


# --- which pid is our server, which is alive ----------------------------------------------------------------------


def test_a_lookalike_is_our_server_and_another_process_is_not(spawn):
    assert emu._is_our_server(spawn(SERVER_MODULE).pid) is True
    assert emu._is_our_server(spawn().pid) is False


# 0 and -1 are what the record's guard is for: kill(0, SIGTERM) would stop our own process group and
# kill(-1, SIGTERM) every process we may signal, so no test gives such a record to stop().
@pytest.mark.parametrize("without_proc", [False, True], ids=["proc", "no-proc"])
@pytest.mark.parametrize("pid", ["dead", 0, -1, 2**40])
def test_a_pid_of_no_single_process_is_not_our_server(request, pid, without_proc):
    if without_proc:
        request.getfixturevalue("no_proc")
    assert emu._is_our_server(_dead_pid() if pid == "dead" else pid) is False


def test_without_proc_a_live_pid_is_trusted_and_sent_no_signal(spawn, no_proc):
    other = spawn()
    assert emu._is_our_server(other.pid) is True
    assert other.signals() == "SIGUSR1"


def test_an_exited_server_not_yet_waited_for_is_neither_alive_nor_ours():
    zombie = subprocess.Popen([sys.executable, "-c", "pass", SERVER_MODULE])
    try:
        os.waitid(os.P_PID, zombie.pid, os.WEXITED | os.WNOWAIT)  # it has exited; not reaped, so a zombie
        assert "State:\tZ (zombie)" in Path(f"/proc/{zombie.pid}/status").read_text()
        assert emu._alive(zombie.pid) is False
        assert emu._is_our_server(zombie.pid) is False
    finally:
        zombie.wait()
    assert emu._alive(zombie.pid) is False  # reaped: no such process


def test_a_running_process_is_alive(spawn):
    assert emu._alive(spawn().pid) is True


# --- how a server is stopped ------------------------------------------------------------------------------------


def test_terminate_gives_a_server_time_to_exit_on_sigterm_and_reaps_it(tmp_path):
    done = tmp_path / "done"
    server = subprocess.Popen(
        [sys.executable, "-c", GRACEFUL, str(done), SERVER_MODULE], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout.readline() == "ready\n"
        emu._terminate(server.pid)
        assert done.read_text() == "cleaned up"
        assert server.wait(timeout=5) == 0  # its own exit (0 also when _terminate reaped it: Popen then reads 0)
    finally:
        server.kill()
        server.wait()


def test_terminate_kills_a_server_that_outlives_the_grace_period(spawn, monkeypatch):
    monkeypatch.setattr(emu, "STOP_TIMEOUT_SECONDS", 0.5)
    server = spawn(SERVER_MODULE)  # a lookalike that never acts on SIGTERM
    began = time.monotonic()
    emu._terminate(server.pid)
    waited = time.monotonic() - began
    assert server.process.wait(timeout=5) == -9  # SIGKILL
    assert waited >= 0.5


def test_terminate_neither_waits_for_nor_kills_a_pid_that_is_no_server(spawn, monkeypatch):
    """The pid stopped being our server (it exited and the pid was reused): SIGTERM was sent, nothing more."""
    monkeypatch.setattr(emu, "STOP_TIMEOUT_SECONDS", 0.5)
    other = spawn()
    emu._terminate(other.pid)
    assert other.signals() == "SIGTERM SIGUSR1"


# --- the port, and whether it answers ---------------------------------------------------------------------------


def test_a_port_another_socket_holds_is_refused_with_what_to_do():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        with pytest.raises(emu.EmulatorError) as refused:
            emu.listening_socket(port)
    assert str(refused.value) == (
        f"port {port} on 127.0.0.1 is in use, expected a free port (stop what listens there, pass another --port, or omit --port to pick a free one)"
    )


def test_a_port_of_the_kernels_choice_that_cannot_be_bound_names_the_os_error(monkeypatch):
    monkeypatch.setattr(emu, "HOST", "192.0.2.1")  # TEST-NET-1 (RFC 5737): the address of no interface here
    with pytest.raises(emu.EmulatorError) as refused:
        emu.listening_socket()
    assert str(refused.value) == "cannot listen on 192.0.2.1: [Errno 99] Cannot assign requested address"


def test_a_port_where_nothing_listens_does_not_respond():
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # held, not listening: connections are refused
        assert emu._responds(closed.getsockname()[1]) is False


def test_a_server_that_accepts_and_never_answers_does_not_respond_and_is_given_up_on():
    answers: list[bool] = []
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # the kernel completes the connection; nobody reads the request
        probe = threading.Thread(target=lambda: answers.append(emu._responds(silent.getsockname()[1])), daemon=True)
        probe.start()
        probe.join(timeout=10)
        answered = list(answers)  # before the socket closes (which would end a probe still waiting)
    assert answered == [False]


# --- a start that fails -------------------------------------------------------------------------------------------


@pytest.fixture
def stand_in(tmp_path, monkeypatch):
    """``stand_in(code)``: a ``moto`` package running ``code`` when imported, first on our PYTHONPATH (which
    ``start`` passes on after the repository); returns the processes ``start`` starts, each killed at teardown."""
    processes: list[subprocess.Popen] = []
    real_popen = subprocess.Popen

    def recording_popen(args, **kwargs):
        processes.append(real_popen(args, **kwargs))
        return processes[-1]

    def install(code: str) -> list[subprocess.Popen]:
        package = tmp_path / "stand-in" / "moto"
        package.mkdir(parents=True)
        (package / "__init__.py").write_text(code)
        monkeypatch.setenv("PYTHONPATH", str(package.parent))
        monkeypatch.setattr(emu.subprocess, "Popen", recording_popen)
        return processes

    yield install
    for process in processes:
        process.kill()  # nothing when it was reaped already (Popen polls first)
        process.wait()


def _port(process: subprocess.Popen) -> str:
    return process.args[process.args.index("-p") + 1]


def test_a_server_that_exits_while_starting_is_reported_with_the_end_of_its_log(tmp_path, stand_in):
    processes = stand_in('raise SystemExit("moto: not installed")\n')
    folder = tmp_path / "work" / "emulator"
    folder.mkdir(parents=True)
    (folder / "server.log").write_bytes(b"\xff" + b"x" * 2500 + b"\n")  # an earlier run's output, not all UTF-8
    with pytest.raises(emu.EmulatorError) as failed:
        emu.start(tmp_path / "work")
    [process] = processes
    assert str(failed.value) == (
        f"the emulator (moto server) exited with code 1 while starting on 127.0.0.1:{_port(process)}:\n"
        + "x" * 1979
        + "\nmoto: not installed\n"
    )
    assert len(str(failed.value).split(":\n", 1)[1]) == 2000
    assert not (folder / "emulator.json").exists()


def test_a_server_that_never_answers_is_stopped_and_reported(tmp_path, stand_in, monkeypatch):
    monkeypatch.setattr(emu, "START_TIMEOUT_SECONDS", 0.5)
    stopped = tmp_path / "stopped"
    processes = stand_in(
        "import os, pathlib, signal, sys, time\n"
        'os.close(int(sys.argv[sys.argv.index("--fd") + 1]))  # nothing will answer: connections are refused\n'
        f"signal.signal(signal.SIGTERM, lambda *_: (pathlib.Path({str(stopped)!r}).write_text('SIGTERM'), sys.exit(0)))\n"
        "time.sleep(60)\n"
    )
    with pytest.raises(emu.EmulatorError) as failed:
        emu.start(tmp_path)
    [process] = processes
    assert str(failed.value) == (
        f"the emulator did not answer on 127.0.0.1:{_port(process)} within 0.5 s (see {tmp_path}/emulator/server.log)"
    )
    assert stopped.read_text() == "SIGTERM"
    assert process.wait(timeout=5) == 0
    assert not (tmp_path / "emulator" / "emulator.json").exists()
