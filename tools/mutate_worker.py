"""One long-lived process that judges many mutants with ``pytest.main`` in-process (run by mutate_python.py).

For code whose tests pay a slow start in every new process (the jsii kernel of CDKTF: 15-25 s on two busy
cores), one pytest process per mutant costs more than the tests. mutmut's trampolines read the active mutant
at call time (``MUTANT_UNDER_TEST``), so one process can run the selection again for each mutant with the
kernel already up: a session-scoped synth is rebuilt per ``pytest.main`` call, the imports are not.

    python mutate_worker.py baseline REACHED_JSON -- PYTEST_ARGS...   # unmutated run; which functions ran
    python mutate_worker.py judge JOB_JSON -- PYTEST_ARGS...          # one line per mutant, as each ends

The job is ``{"names": [mutant, ...], "first": [pytest args of a quick first pass, or none]}``.

Run with the working directory in the scratch copy's ``mutants/``. pytest's own output goes to
``mutate_worker.log`` there; this process's stdout carries only the protocol lines ``READY`` (warmed up:
the first pass, or the selection, ran once unmutated), ``START <name>`` and ``DONE <exit code> <name>``, so
the caller can stop a mutant that hangs and go on in a new process.
"""

from __future__ import annotations

import json
import os
import sys

#: The suffix mutmut gives the unmutated copy of each function it wraps in a trampoline.
ORIGINAL = "__mutmut_orig"


def _quiet_pytest() -> object:
    """Keep a handle on the real stdout for the protocol; point fds 1 and 2 at the log."""
    protocol = os.fdopen(os.dup(1), "w", buffering=1)
    log = os.open("mutate_worker.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    os.dup2(log, 1)
    os.dup2(log, 2)
    return protocol


def _reached_functions(pytest_args: list[str]) -> tuple[int, list[str]]:
    """Run the selection unmutated, recording each mutated function it calls (``module.mangled_name``)."""
    import pytest

    reached: set[str] = set()

    def profile(frame, event, arg):
        if event == "call" and frame.f_code.co_name.endswith(ORIGINAL):
            reached.add(f"{frame.f_globals.get('__name__')}.{frame.f_code.co_name[: -len(ORIGINAL)]}")

    os.environ["MUTANT_UNDER_TEST"] = ""
    sys.setprofile(profile)
    try:
        code = int(pytest.main(pytest_args))
    finally:
        sys.setprofile(None)
    return code, sorted(reached)


def main(argv: list[str]) -> int:
    mode, path, separator, *pytest_args = argv
    assert separator == "--", argv
    sys.path.insert(0, os.getcwd())  # the mutated sources, as pytest's rootdir import would find them
    protocol = _quiet_pytest()
    if mode == "baseline":
        code, reached = _reached_functions(pytest_args)
        with open(path, "w") as out:
            json.dump({"exit_code": code, "reached": reached}, out)
        print(f"DONE {code} baseline", file=protocol)
        return 0
    import pytest

    with open(path) as job:
        todo = json.load(job)
    # Warm up unmutated (imports, plugins, the jsii kernel), so a mutant's time is its own.
    os.environ["MUTANT_UNDER_TEST"] = ""
    pytest.main(todo["first"] or pytest_args)
    print("READY", file=protocol)
    for name in todo["names"]:
        print(f"START {name}", file=protocol)
        os.environ["MUTANT_UNDER_TEST"] = name
        try:
            # The quick first pass (the golden snapshots) kills most mutants without collecting the rest.
            code = int(pytest.main(todo["first"])) if todo["first"] else 0
            if code == 0:
                code = int(pytest.main(pytest_args))
        except Exception as err:  # pytest reports test errors itself; this is its own crash
            print(f"worker: {name}: {err!r}", file=sys.stderr)
            code = 3  # mutmut's "internal error in pytest": killed
        print(f"DONE {code} {name}", file=protocol)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
