"""The in-process mutant judge (tools/mutate_python.py with tools/mutate_worker.py) on a toy project.

mutmut really generates the toy's mutants; the judge's verdicts are checked against what each mutant does:
one the test catches (killed), one it cannot see (survived), one in a function no test calls (no tests),
one that loops forever (timeout, and the next worker goes on). Each mutant runs only the tests that reach its
function: one called in a fixture's setup reaches every test using the fixture; calls in a thread and in a
process the test starts count, also in a module that process runs as ``__main__``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from helpers import REPO

sys.path.insert(0, str(REPO / "tools"))
import mutate_python

TOY = """
def add(a, b):
    return a + b


def is_adult(age):
    return age >= 18


def double(x):
    return x * 2


def count_down(n):
    while n > 0:
        n -= 1
    return n


def triple(x):
    return x * 3


def square(x):
    return x * x


def cube(x):
    return x * x * x


def stop(process):
    if process.poll() is None:
        process.kill()
    return process.wait(timeout=2)


def greet(name):
    return "hi " + name
"""

TOY_CLI = """
import sys


def shout(word):
    return word.upper() + "!"


if __name__ == "__main__":
    print(shout(sys.argv[1]))
"""

TOY_TESTS = """
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from toy.calc import add, count_down, greet, is_adult, square, stop, triple


@pytest.fixture(scope="module")
def tripled():
    return triple(4)


def test_tripled_is_positive(tripled):  # the fixture's setup (the call of triple) happens in this test
    assert tripled > 0


def test_tripled_is_twelve(tripled):  # the one that tells a mutant of triple
    assert tripled == 12


def test_square_in_a_thread():
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(square, 3).result() == 9


def test_cube_in_a_subprocess():
    subprocess.run([sys.executable, "-c", "from toy.calc import cube; assert cube(2) == 8"], check=True)


def test_shout_as_a_command():  # toy/cli.py runs as __main__
    done = subprocess.run([sys.executable, "-m", "toy.cli", "hi"], capture_output=True, text=True, check=True)
    assert done.stdout == "HI!\\n"


def test_add():
    assert add(2, 3) == 5


def test_stop_ends_a_server_in_a_session_of_its_own():  # as the emulator's server, which outlives `local up`
    server = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(300)", "toy-server"], start_new_session=True
    )
    assert stop(server) == -9


def test_is_adult_far_from_the_edge():
    assert is_adult(30) and not is_adult(5)


def test_count_down():
    assert count_down(3) == 0


def test_greet_in_an_empty_environment(monkeypatch):  # as a test of a clean environment does
    import os

    for key in list(os.environ):
        monkeypatch.delenv(key)
    assert greet("you") == "hi you"
"""


@pytest.fixture(scope="module")
def toy(tmp_path_factory) -> Path:
    scratch = tmp_path_factory.mktemp("toy")
    (scratch / "toy").mkdir()
    (scratch / "toy" / "__init__.py").write_text("")
    (scratch / "toy" / "calc.py").write_text(TOY.lstrip())
    (scratch / "toy" / "cli.py").write_text(TOY_CLI.lstrip())
    (scratch / "tests").mkdir()
    (scratch / "tests" / "test_calc.py").write_text(textwrap.dedent(TOY_TESTS).lstrip())
    (scratch / "pyproject.toml").write_text(
        '[tool.mutmut]\nsource_paths = ["toy"]\nalso_copy = ["tests"]\nuse_git_change_detection = false\n'
    )
    mutate_python._generate(scratch, 1)
    return scratch


def judge(toy: Path) -> dict[str, str]:
    verdicts, _ = mutate_python._verdicts_and_survivor_diffs(toy, diffs=False)
    names = sorted(verdicts["not checked"])
    found: dict[str, str] = {}
    mutate_python._judge_in_process(
        toy / "mutants",
        "toy",
        names,
        ["tests/test_calc.py"],
        1,
        float("inf"),
        lambda name, verdict: found.__setitem__(name, verdict),
        limit=4.0,
    )
    assert sorted(found) == names  # every mutant judged once, none lost to a killed worker
    return found


def toy_servers() -> list[str]:
    """The pids of the toy's server processes still running."""
    found = []
    for folder in Path("/proc").glob("[0-9]*"):
        try:
            command = (folder / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"toy-server" in command and (folder / "stat").read_text().split(") ")[-1][:1] != "Z":
            found.append(folder.name)
    return found


def test_each_mutant_gets_the_verdict_of_what_it_does(toy):
    # mutmut 3.8.1's mutants of the toy, each with what it does to the three tests.
    assert judge(toy) == {
        "toy.calc.x_add__mutmut_1": "killed",  # a - b: test_add fails
        "toy.calc.x_is_adult__mutmut_1": "survived",  # age > 18: 30 and 5 cannot tell
        "toy.calc.x_is_adult__mutmut_2": "survived",  # age >= 19: neither
        "toy.calc.x_double__mutmut_1": "no tests",  # no test calls double()
        "toy.calc.x_double__mutmut_2": "no tests",
        "toy.calc.x_count_down__mutmut_1": "killed",  # while n >= 0: -1 is returned
        "toy.calc.x_count_down__mutmut_2": "killed",  # while n > 1: 1
        "toy.calc.x_count_down__mutmut_3": "timeout",  # n = 1 never ends; a new worker takes the rest
        "toy.calc.x_count_down__mutmut_4": "timeout",  # n += 1 neither
        "toy.calc.x_count_down__mutmut_5": "killed",  # n -= 2: -1
        # triple(4) runs in the fixture's setup, during test_tripled_is_positive, which no mutant fails: only
        # test_tripled_is_twelve, which uses the fixture too, tells x / 3 and x * 4 from x * 3.
        "toy.calc.x_triple__mutmut_1": "killed",
        "toy.calc.x_triple__mutmut_2": "killed",
        "toy.calc.x_square__mutmut_1": "killed",  # x / x, called in a thread
        "toy.calc.x_cube__mutmut_1": "killed",  # x / x * x, in a process the test starts
        "toy.calc.x_cube__mutmut_2": "killed",  # x * x / x
        # shout runs in `python -m toy.cli`, where mutmut would see module __main__, not toy.cli.
        "toy.cli.x_shout__mutmut_1": "killed",
        "toy.cli.x_shout__mutmut_2": "killed",
        "toy.cli.x_shout__mutmut_3": "killed",
        # `is not None`: the server is never stopped, wait() times out; the judge stops what the mutant left.
        "toy.calc.x_stop__mutmut_1": "killed",
        "toy.calc.x_stop__mutmut_2": "survived",  # wait(timeout=None): it has been killed, it ends at once
        "toy.calc.x_stop__mutmut_3": "survived",  # wait(timeout=3): likewise
        # The test empties os.environ, MUTANT_UNDER_TEST with it: the judge keeps the mutant on in the process.
        "toy.calc.x_greet__mutmut_1": "killed",
        "toy.calc.x_greet__mutmut_2": "killed",
        "toy.calc.x_greet__mutmut_3": "killed",
    }
    assert toy_servers() == []  # none left running, though mutant 1's runs in a session of its own
    baseline = json.loads((toy / "mutants" / "reached.json").read_text())
    assert mutate_python._tests_by_function(baseline) == {
        "toy.calc.x_add": ["tests/test_calc.py::test_add"],
        "toy.calc.x_cube": ["tests/test_calc.py::test_cube_in_a_subprocess"],
        "toy.calc.x_count_down": ["tests/test_calc.py::test_count_down"],
        "toy.calc.x_greet": ["tests/test_calc.py::test_greet_in_an_empty_environment"],
        "toy.calc.x_is_adult": ["tests/test_calc.py::test_is_adult_far_from_the_edge"],
        "toy.calc.x_square": ["tests/test_calc.py::test_square_in_a_thread"],
        "toy.calc.x_stop": ["tests/test_calc.py::test_stop_ends_a_server_in_a_session_of_its_own"],
        "toy.calc.x_triple": [
            "tests/test_calc.py::test_tripled_is_positive",
            "tests/test_calc.py::test_tripled_is_twelve",
        ],
        "toy.cli.x_shout": ["tests/test_calc.py::test_shout_as_a_command"],
    }


def test_calls_outside_any_test_count_for_nothing():
    """Importing the code and collecting the tests happen before a mutant is active: a function only they reach
    has no test that could see its mutants."""
    baseline = {
        "reached": {
            "m.x_decorator_at_import": ["*"],
            "m.x_at_import_and_in_a_test": ["*", "t.py::test_a"],
            "m.x_in_a_fixture_no_test_declares": ["fixture:asked_by_name", "t.py::test_b"],
            "m.x_deselected_only": ["t.py::test_gone"],
        },
        "order": ["t.py::test_a", "t.py::test_b"],
        "fixtures": {},
    }
    assert mutate_python._tests_by_function(baseline) == {
        "m.x_at_import_and_in_a_test": ["t.py::test_a"],
        "m.x_in_a_fixture_no_test_declares": ["t.py::test_b"],
    }


@pytest.mark.parametrize(
    ("argv", "orig_argv", "module"),
    [
        (
            ["-m", "--port", "1"],
            ["python", "-X", "utf8", "-m", "generator.local.moto_server", "--port", "1"],
            "generator.local.moto_server",
        ),
        (["-m"], ["python", "-mtoy.cli"], "toy.cli"),
        (
            ["/srv/copy/generator/local/edge/lambda_bootstrap.py", "15"],
            ["python", "-u", "..."],
            "generator.local.edge.lambda_bootstrap",
        ),
        (["/elsewhere/script.py"], ["python", "/elsewhere/script.py"], None),
        (["-c"], ["python", "-c", "import x; x.main('-m')"], None),
        ([""], ["python"], None),
    ],
)
def test_the_module_a_process_runs_as_main_by_its_import_name(argv, orig_argv, module):
    import mutate_worker

    assert mutate_worker._main_module(argv, orig_argv, "/srv/copy") == module


def _judge_workers(toy: Path) -> list[int]:
    """The pids of the in-process judge's workers running in the toy's scratch copy."""
    found = []
    for folder in Path("/proc").glob("[0-9]*"):
        try:
            command = (folder / "cmdline").read_bytes().split(b"\0")
            cwd = os.readlink(folder / "cwd")
        except OSError:
            continue
        worker = any(part.endswith(b"mutate_worker.py") for part in command) and b"judge" in command
        if worker and cwd == str(toy / "mutants"):
            found.append(int(folder.name))
    return found


def test_a_stopped_run_stops_its_workers_which_run_in_sessions_of_their_own(toy):
    """Ctrl-C or SIGTERM reaches only the judge (its workers have sessions of their own): it must stop them."""
    script = textwrap.dedent(
        f"""
        import signal, sys
        from pathlib import Path
        sys.path.insert(0, {str(REPO / "tools")!r})
        import mutate_python
        signal.signal(signal.SIGTERM, mutate_python._stop_on_signal)
        mutate_python._judge_in_process(
            Path({str(toy / "mutants")!r}), "toy", ["toy.calc.x_count_down__mutmut_3"], ["tests/test_calc.py"],
            1, float("inf"), lambda name, verdict: print(name, verdict, flush=True), limit=600.0,
        )
        """
    )
    judge = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not _judge_workers(toy) and time.monotonic() < deadline:  # the baseline first, then the worker
            time.sleep(0.2)
        workers = _judge_workers(toy)
        assert workers, "the judge started no worker"
        time.sleep(1)  # the worker is inside the mutant that never ends
        judge.send_signal(signal.SIGTERM)
        assert judge.wait(timeout=30) == 128 + signal.SIGTERM
        assert judge.stdout.read() == ""  # the mutant under way got no verdict
        time.sleep(0.2)
        assert [pid for pid in workers if Path(f"/proc/{pid}").exists()] == []
    finally:
        judge.kill()
        judge.wait()
        for pid in _judge_workers(toy):
            os.kill(pid, signal.SIGKILL)


def test_generate_makes_a_fresh_copy_with_every_mutant_not_checked_and_judges_none(toy, tmp_path, monkeypatch):
    def copy_of_the_toy(target: Path) -> Path:
        shutil.copytree(toy, target, ignore=shutil.ignore_patterns("mutants", "pyproject.toml"))
        return target

    monkeypatch.setattr(mutate_python, "copy_tracked", copy_of_the_toy)
    monkeypatch.setitem(mutate_python.TARGETS, "toy", (["toy"], ["toy/calc.py"], ["tests/test_calc.py"], {}))
    monkeypatch.setattr(mutate_python, "ALSO_COPY", ["tests"])
    monkeypatch.setattr(signal, "signal", lambda *_: None)  # main's stop handlers stay out of pytest's process
    monkeypatch.setattr(sys, "argv", ["mutate_python.py", "--work", str(tmp_path), "--generate", "toy"])
    assert mutate_python.main() == 0
    verdicts, _ = mutate_python._verdicts_and_survivor_diffs(tmp_path / "toy", diffs=False)
    expected, _ = mutate_python._verdicts_and_survivor_diffs(toy, diffs=False)
    calc = sorted(name for names in expected.values() for name in names if name.startswith("toy.calc."))
    assert (list(verdicts), sorted(verdicts["not checked"])) == (["not checked"], calc)
    assert 'source_paths = ["toy"]' in (tmp_path / "toy" / "pyproject.toml").read_text()


DECORATED = '''import click


def plain(x):
    return x + 1


@click.command("go")
@click.option("--n", default=2)
def go(n):
    """Say twice n."""
    click.echo(n * 2)
'''


def test_decorated_functions_are_mutated_with_their_decorators_kept_and_nothing_else():
    """tools/mutate_decorated.py: mutmut's operators on the bodies mutmut leaves alone, the decorators put back."""
    import mutate_decorated

    mutants = mutate_decorated.decorated_mutants(DECORATED)
    assert [name for name, _ in mutants] == ["go__1", "go__2", "go__3"]
    changed = {
        name: [line for line in text.splitlines() if line not in DECORATED.splitlines()] for name, text in mutants
    }
    assert changed == {
        "go__1": ["    click.echo(None)"],
        "go__2": ["    click.echo(n / 2)"],
        "go__3": ["    click.echo(n * 3)"],
    }
    for _, text in mutants:  # the rest, the decorators and the undecorated function included, as it was
        assert text.splitlines()[:-1] == DECORATED.splitlines()[:-1]
    assert mutate_decorated.decorated_mutants(DECORATED, ("plain",)) == []


EVERY = """import click

LIMIT = 3


class Box:
    def size(self, x):
        return x + LIMIT


@click.command()
def go():
    click.echo(1)
"""


def test_every_function_method_and_module_constant_is_mutated_with_every():
    """``--every``: mutmut's mutants of the whole file (module constants, methods), then the decorated bodies."""
    import mutate_decorated

    changed = {
        name: [line for line in text.splitlines() if line not in EVERY.splitlines()]
        for name, text in mutate_decorated.every_mutants(EVERY)
    }
    assert changed == {
        "module__1": ["LIMIT = None"],
        "module__2": ["LIMIT = 4"],
        "size__1": ["        return x - LIMIT"],
        "go__1": ["    click.echo(None)"],
        "go__2": ["    click.echo(2)"],
    }
    assert [name for name, _ in mutate_decorated.every_mutants(EVERY, ("size",))] == ["size__1"]


POLICY = """{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}
  ]
}
"""

WORKFLOW = """on: pull_request
jobs:
  plan:
    permissions:
      id-token: write
    steps:
      - run: |
          make plan
          make check
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
          lfs: false
"""

PAGE = """<!doctype html>
<html lang="en">
<head>
  <!-- <b>a comment</b> -->
  <meta name="referrer" content="no-referrer">
  <script src="a.js" defer></script>
</head>
</html>
"""


def _mutated(path: str, text: str) -> dict[str, str]:
    """Each mutant of tools/mutate_data.py as its diff's changed lines, old then new."""
    import mutate_data

    found = {}
    for name, mutated in mutate_data.mutants_of(path, text):
        old, new = text.splitlines(), mutated.splitlines()
        found[name] = [f"-{line}" for line in old if line not in new] + [f"+{line}" for line in new if line not in old]
    return found


def test_data_mutants_of_a_json_policy_are_edits_of_its_text():
    """Every entry and item dropped (with its comma), values emptied, Allow swapped; the rest of the text kept."""
    statement = '    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}'
    assert _mutated("p.json", POLICY) == {
        "drop-2-3": ['-  "Version": "2012-10-17",'],
        "empty-2-14": ['-  "Version": "2012-10-17",', '+  "Version": "",'],
        "drop-3-3": [
            '-  "Version": "2012-10-17",',
            '-  "Statement": [',
            f"-{statement}",
            "-  ]",
            '+  "Version": "2012-10-17"',
        ],
        "drop-4-5": [f"-{statement}", "+    "],
        "drop-4-6": [f"-{statement}", '+    {"Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}'],
        "empty-4-16": [f"-{statement}", "+" + statement.replace('"Allow"', '""')],
        "swap-4-16": [f"-{statement}", "+" + statement.replace("Allow", "Deny")],
        "drop-4-25": [f"-{statement}", '+    {"Effect": "Allow", "Resource": "*"}'],
        "drop-4-36": [f"-{statement}", '+    {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": "*"}'],
        "empty-4-36": [f"-{statement}", "+" + statement.replace('"s3:GetObject"', '""')],
        "drop-4-52": [f"-{statement}", '+    {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}'],
        "empty-4-52": [f"-{statement}", "+" + statement.replace('"s3:ListBucket"', '""')],
        "drop-4-70": [f"-{statement}", '+    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"]}'],
        "empty-4-82": [f"-{statement}", "+" + statement.replace('"*"', '""')],
    }


def test_data_mutants_of_a_yaml_workflow_drop_lines_of_a_shell_step_and_entries():
    found = _mutated("w.yml", WORKFLOW)
    assert found["line-8"] == ["-          make plan"]
    assert found["line-9"] == ["-          make check"]
    assert found["drop-5-7"] == ["-      id-token: write"]
    assert found["swap-5-17"] == ["-      id-token: write", "+      id-token: read"]
    assert found["drop-10-9"] == [
        "-      - uses: actions/checkout@v4",
        "-        with:",
        "-          fetch-depth: 0",
        "-          lfs: false",
    ]
    assert found["number-12-24"] == ["-          fetch-depth: 0", "+          fetch-depth: 1"]
    assert found["swap-13-16"] == ["-          lfs: false", "+          lfs: true"]
    assert found["empty-1-5"] == ["-on: pull_request", "+on: ''"]
    assert all(not name.startswith("empty-8") for name in found)  # a block scalar loses lines, never all at once


def test_data_mutants_of_html_drop_tag_lines_and_attributes():
    found = _mutated("p.html", PAGE)
    assert found == {
        "line-3": ["-<head>"],
        "line-5": ['-  <meta name="referrer" content="no-referrer">'],
        "line-6": ['-  <script src="a.js" defer></script>'],
        "line-7": ["-</head>"],
        "attribute-2-7": ['-<html lang="en">', "+<html>"],
        "empty-2-12": ['-<html lang="en">', '+<html lang="">'],
        "attribute-5-9": ['-  <meta name="referrer" content="no-referrer">', '+  <meta content="no-referrer">'],
        "empty-5-14": ['-  <meta name="referrer" content="no-referrer">', '+  <meta name="" content="no-referrer">'],
        "attribute-5-25": ['-  <meta name="referrer" content="no-referrer">', '+  <meta name="referrer">'],
        "empty-5-33": ['-  <meta name="referrer" content="no-referrer">', '+  <meta name="referrer" content="">'],
        "attribute-6-11": ['-  <script src="a.js" defer></script>', "+  <script defer></script>"],
        "empty-6-15": ['-  <script src="a.js" defer></script>', '+  <script src="" defer></script>'],
        "attribute-6-22": ['-  <script src="a.js" defer></script>', '+  <script src="a.js"></script>'],
    }


def test_the_javascript_mutants_are_judged_by_every_test_written_for_them():
    """A test written for a survivor (a file ``..._injected_review.py`` beside the first) must judge the next run's
    mutants too: the viewer function's mutants run every file of its tests, and the pages' mutants run the one
    browser test file (tools/mutate_js_session.py keeps one module's fixtures up), so no second one may appear."""
    import mutate_js

    assert mutate_js.CF_TESTS == [
        "tests/app/test_app_cloudfront_function.py",
        "tests/app/test_app_cloudfront_function_injected_review.py",
    ]
    assert mutate_js.BROWSER_TESTS == "tests/app/test_app_browser.py"
    # A second file of browser tests would import the first one's fixtures (its page, servers and Chromium).
    borrowing = [
        str(path.relative_to(REPO))
        for path in (REPO / "tests").rglob("*.py")
        if re.search(r"^\s*(from|import) test_app_browser\b", path.read_text(), re.M)
    ]
    assert borrowing == []


def test_every_review_test_file_is_in_a_mutation_runs_selection():
    """Each file of tests written for hand-injected bugs (``*injected_review*.py``) judges some mutation run's
    mutants, as a file or under a folder a target takes whole: otherwise the next run reports as survivors the
    mutants those tests already kill."""
    import mutate_js

    selected = [*mutate_js.CF_TESTS, mutate_js.BROWSER_TESTS]
    selected += [arg for _, _, tests, _ in mutate_python.TARGETS.values() for arg in tests if arg.startswith("tests")]
    review_files = sorted(str(p.relative_to(REPO)) for p in (REPO / "tests").rglob("*injected_review*.py"))
    assert review_files, "no review test files found"
    for path in review_files:
        assert any(path == s or path.startswith(s.rstrip("/") + "/") for s in selected), path
