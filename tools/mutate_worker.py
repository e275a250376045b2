"""One long-lived process that judges many mutants with ``pytest.main`` in-process (run by mutate_python.py).

For code whose tests pay a slow start in every new process (the jsii kernel of CDKTF: 15-25 s on two busy
cores), one pytest process per mutant costs more than the tests. mutmut's trampolines read the active mutant
at call time (``MUTANT_UNDER_TEST``), so one process can run the selection again for each mutant with the
kernel already up: a session-scoped synth is rebuilt per ``pytest.main`` call, the imports are not.

    python mutate_worker.py baseline REACHED_JSON -- PYTEST_ARGS...   # unmutated run; which functions ran
    python mutate_worker.py judge JOB_JSON -- PYTEST_ARGS...          # one line per mutant, as each ends

The baseline records, for each mutated function it reaches, who reached it: a test (its node id), the setup of a
fixture (``fixture:<name>``: every test using that fixture needs it), or code outside any test (``*``: imports and
collection, before any mutant is active, so the caller counts it for nothing); calls in threads and in the Python
processes the tests start count. The job is ``{"names": [mutant, ...], "warm_up": [pytest args run once,
unmutated, before the first mutant; or none for the whole selection], "tests": {mutant: [node ids]}}``: each
mutant runs only its tests of the selection (in the selection's order, to the first failure), as mutmut's own
runner runs only the tests that reach the mutated function.

Run with the working directory in the scratch copy's ``mutants/``. pytest's own output goes to
``mutate_worker.log`` there; this process's stdout carries only the protocol lines ``READY`` (warmed up:
the warm-up, or the selection, ran once unmutated), ``START <name>`` and ``DONE <exit code> <name>``, so
the caller can stop a mutant that hangs and go on in a new process.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path

import pytest

#: The suffix mutmut gives the unmutated copy of each function it wraps in a trampoline.
ORIGINAL = "__mutmut_orig"


def _quiet_pytest() -> object:
    """Keep a handle on the real stdout for the protocol; point fds 1 and 2 at the log."""
    protocol = os.fdopen(os.dup(1), "w", buffering=1)
    log = os.open("mutate_worker.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    os.dup2(log, 1)
    os.dup2(log, 2)
    return protocol


#: Written as ``sitecustomize.py`` into a folder put first on the workers' PYTHONPATH: every Python process the
#: tests start (a server, the CLI run as a command) loads it. In the baseline it records the functions the process
#: reaches; when judging it lets a mutant of the module the process runs as ``__main__`` be active there.
SITE_HOOK = """
import importlib.util, os

if "MUTATE_WORKER" in os.environ and "MUTATE_ROOT" in os.environ:  # not a process started with an env of its own
    _spec = importlib.util.spec_from_file_location("_mutate_worker", os.environ["MUTATE_WORKER"])
    _worker = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_worker)
    _worker.in_subprocess()
"""
#: Between the keys of one line of the subprocesses' record (node ids may hold spaces and tabs, not this).
KEY_SEPARATOR = "\x1f"
#: Names, in the environment of every process a worker's tests start, the worker (its pid). A mutant may leave a
#: process running that its tests would have stopped (a broken ``emulator.stop``; the emulator's server runs in a
#: session of its own, so killing the worker's process group misses it): found by this, it is stopped after the
#: mutant, and whatever a worker leaves when it ends or is killed is stopped by the caller.
OWNER = "MUTATE_OWNER"


def owned_processes(owner: str) -> set[int]:
    """The live processes whose environment names ``owner`` (read from Linux's ``/proc``; none elsewhere)."""
    entry = f"\0{OWNER}={owner}\0".encode()
    found = set()
    for folder in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError):
            if entry in b"\0" + (folder / "environ").read_bytes():
                found.add(int(folder.name))
    return found


def stop_processes(pids: set[int]) -> None:
    """SIGKILL each of ``pids`` (this process never), reaping the ones that are its children."""
    for pid in pids - {os.getpid()}:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def _main_module(argv: list[str], orig_argv: list[str], root: str) -> str | None:
    """The module a starting Python process runs as ``__main__`` (``python -m NAME``, or a script under ``root``,
    the mutated copy), by its import name; None for ``-c``, the REPL or a script elsewhere."""
    if argv and argv[0] == "-m":
        for index, arg in enumerate(orig_argv[1:], start=1):
            if arg == "-m":
                return orig_argv[index + 1]
            if arg.startswith("-m"):
                return arg[2:]
        return None
    if argv and argv[0].endswith(".py"):
        script = Path(argv[0]).resolve()
        if script.is_relative_to(root):
            return ".".join(script.relative_to(root).with_suffix("").parts)
    return None


def _reached_name(frame, main_module: str | None = None) -> str | None:
    """``module.mangled_name`` of a mutated function's unmutated copy being called, as its mutants are named (the
    ``__main__`` module by the name it has when imported)."""
    name = frame.f_code.co_name
    if name.endswith(ORIGINAL):
        module = frame.f_globals.get("__name__")
        return f"{main_module if module == '__main__' and main_module else module}.{name[: -len(ORIGINAL)]}"
    return None


def in_subprocess() -> None:
    """At the start of a process a test started. mutmut activates a mutant only in the module named in
    ``MUTANT_UNDER_TEST``, and a module run as a command is ``__main__``: name that one ``__main__.<mutant>``
    here (the process's own children get the name as it was). In the baseline (``MUTATE_REACH_FILE`` set),
    append each mutated function the process reaches, once, as ``function<TAB>keys`` (the keys of the test
    that started it), line by line, so a server that is killed loses nothing."""
    main_module = _main_module(sys.argv, sys.orig_argv, os.environ["MUTATE_ROOT"])
    mutant = os.environ.setdefault("MUTATE_MUTANT", os.environ.get("MUTANT_UNDER_TEST", ""))
    module, _, mutant_name = mutant.rpartition(".")
    os.environ["MUTANT_UNDER_TEST"] = f"__main__.{mutant_name}" if main_module and module == main_module else mutant
    record, keys = os.environ.get("MUTATE_REACH_FILE"), os.environ.get("MUTATE_REACH_KEYS", "*")
    if not record:
        return
    seen: set[str] = set()

    def profile(frame, event, arg):
        if event == "call" and (function := _reached_name(frame, main_module)) and function not in seen:
            seen.add(function)
            with open(record, "a") as out:
                out.write(f"{function}\t{keys}\n")

    sys.setprofile(profile)
    threading.setprofile(profile)


def _hook_processes(folder: Path) -> None:
    """Make the Python processes this one starts load :data:`SITE_HOOK` (from ``folder``)."""
    (folder / "sitecustomize.py").write_text(SITE_HOOK)
    os.environ.update(
        MUTATE_WORKER=str(Path(__file__).resolve()),
        MUTATE_ROOT=os.getcwd(),
        PYTHONPATH=os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")])),
    )
    os.environ.pop("MUTATE_MUTANT", None)


class _Reach:
    """pytest plugin for the baseline: which test, fixture setup or outside code calls each mutated function."""

    def __init__(self) -> None:
        self.key = "*"  # the running test's node id, "fixture:<name>" in a fixture's setup, "*" outside tests
        self.test = "*"  # the running test's node id
        self.reached: dict[str, set[str]] = {}
        self.order: list[str] = []
        self.fixtures: dict[str, list[str]] = {}

    def profile(self, frame, event, arg):
        if event == "call" and (function := _reached_name(frame)):
            keys = self.reached.setdefault(function, set())
            keys.add(self.key)
            keys.add(self.test)  # a fixture may be asked for by name (request.getfixturevalue), not declared

    def _set(self, key: str, test: str) -> None:
        self.key, self.test = key, test
        os.environ["MUTATE_REACH_KEYS"] = f"{key}{KEY_SEPARATOR}{test}"  # for the processes the tests start

    def pytest_collection_finish(self, session) -> None:  # after --deselect and -k: the tests that will run
        for item in session.items:
            self.order.append(item.nodeid)
            for name in getattr(item, "fixturenames", ()):
                self.fixtures.setdefault(name, []).append(item.nodeid)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item, nextitem):
        self._set(item.nodeid, item.nodeid)
        yield
        self._set("*", "*")

    @pytest.hookimpl(hookwrapper=True)
    def pytest_fixture_setup(self, fixturedef, request):
        outer = self.key
        self._set(f"fixture:{fixturedef.argname}", self.test)
        yield
        self._set(outer, self.test)


def _reached_functions(pytest_args: list[str]) -> tuple[int, dict[str, object]]:
    """Run the selection unmutated, recording who calls each mutated function (``module.mangled_name``)."""
    reach = _Reach()
    hook = Path(tempfile.mkdtemp(prefix="reach-hook-"))
    _hook_processes(hook)
    record = hook / "reached.txt"
    record.touch()
    os.environ.update(MUTANT_UNDER_TEST="", MUTATE_REACH_FILE=str(record), MUTATE_REACH_KEYS="*")
    sys.setprofile(reach.profile)
    threading.setprofile(reach.profile)  # code the tests run in threads (a thread pool of the synth)
    try:
        code = int(pytest.main(pytest_args, plugins=[reach]))
    finally:
        threading.setprofile(None)  # type: ignore[arg-type]
        sys.setprofile(None)
    for line in record.read_text().splitlines():
        function, _, keys = line.partition("\t")
        reach.reached.setdefault(function, set()).update(keys.split(KEY_SEPARATOR))
    shutil.rmtree(hook)
    return code, {
        "reached": {function: sorted(keys) for function, keys in sorted(reach.reached.items())},
        "order": reach.order,
        "fixtures": reach.fixtures,
    }


class _Only:
    """pytest plugin: run only these node ids of the collected selection."""

    def __init__(self, node_ids: list[str]) -> None:
        self.node_ids = set(node_ids)

    def pytest_collection_modifyitems(self, config, items) -> None:
        keep = [item for item in items if item.nodeid in self.node_ids]
        config.hook.pytest_deselected(items=[item for item in items if item.nodeid not in self.node_ids])
        items[:] = keep


def main(argv: list[str]) -> int:
    mode, path, separator, *pytest_args = argv
    assert separator == "--", argv
    sys.path.insert(0, os.getcwd())  # the mutated sources, as pytest's rootdir import would find them
    protocol = _quiet_pytest()
    if mode == "baseline":
        code, reached = _reached_functions(pytest_args)
        with open(path, "w") as out:
            json.dump({"exit_code": code, **reached}, out)
        print(f"DONE {code} baseline", file=protocol)
        return 0
    with open(path) as job:
        todo = json.load(job)
    hook = Path(tempfile.mkdtemp(prefix="judge-hook-"))
    _hook_processes(hook)
    os.environ[OWNER] = str(os.getpid())
    # mutmut's own setter: it also keeps the name in this process, so a test that empties os.environ for itself
    # (tests/test_local_session.py's _only_env) does not turn the mutant off (it did: those mutants "survived").
    from mutmut.mutation.trampoline import set_mutant_under_test

    # Warm up unmutated (imports, plugins, the jsii kernel), so a mutant's time is its own.
    set_mutant_under_test("")
    pytest.main(todo["warm_up"] or pytest_args)
    print("READY", file=protocol)
    for name in todo["names"]:
        print(f"START {name}", file=protocol)
        set_mutant_under_test(name)
        before = owned_processes(str(os.getpid()))  # the warm-up's (the jsii kernel) stay
        try:
            code = int(pytest.main(pytest_args, plugins=[_Only(todo["tests"][name])]))
        except Exception as err:  # pytest reports test errors itself; this is its own crash
            print(f"worker: {name}: {err!r}", file=sys.stderr)
            code = 3  # mutmut's "internal error in pytest": killed
        stop_processes(owned_processes(str(os.getpid())) - before)
        print(f"DONE {code} {name}", file=protocol)
    shutil.rmtree(hook, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
