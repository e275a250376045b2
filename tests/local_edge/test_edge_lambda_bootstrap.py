"""The local Lambda runtime's worker (``lambda_bootstrap.py``) run in this process, one call of ``main`` per test.

``test_edge_lambda_runner.py`` runs it as the runtime does, a process of its own with the function's environment;
there a mutant of the worker is never active (that process loads no mutation hook), so its 188 mutants were "no
tests". Here ``main`` reads a scripted stdin, writes its results to a file descriptor and its log to the captured
stdout, with the clock fixed, so every line it writes is compared whole.
"""

from __future__ import annotations

import io
import json
import os
import sys
import textwrap

import pytest

from generator.local.edge import lambda_bootstrap

#: The Lambda environment variables the worker's Context reads, none set unless a test sets it.
CONTEXT_ENV = (
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "LOCAL_LAMBDA_FUNCTION_ARN",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
)


class Clock:
    """``time`` as the worker sees it: wall clock 1000.0 s, and a monotonic clock each call moves 0.25 s on."""

    def __init__(self) -> None:
        self.ticks = 0

    def time(self) -> float:
        return 1000.0

    def monotonic(self) -> float:
        self.ticks += 1
        return self.ticks * 0.25


@pytest.fixture
def worker(tmp_path, monkeypatch):
    """Run ``main`` on a task root holding ``files``, with ``invocations`` on stdin: (results, stdout, stderr)."""
    root = tmp_path / "task"
    root.mkdir()
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.setattr(lambda_bootstrap, "time", Clock())
    for name in CONTEXT_ENV:
        monkeypatch.delenv(name, raising=False)
    modules_before = set(sys.modules)

    def run(handler: str, files: dict[str, str], invocations: list[dict], capsys) -> tuple[list, str, str]:
        for name, text in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(textwrap.dedent(text))
        monkeypatch.setenv("LAMBDA_TASK_ROOT", str(root))
        monkeypatch.setenv("_HANDLER", handler)
        results = tmp_path / "results"
        fd = os.open(results, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        monkeypatch.setattr(sys, "argv", ["lambda_bootstrap.py", str(fd)])
        monkeypatch.setattr(sys, "stdin", io.StringIO("".join(json.dumps(i) + "\n" for i in invocations)))
        lambda_bootstrap.main()
        out, err = capsys.readouterr()
        return [json.loads(line) for line in results.read_text().splitlines()], out, err

    yield run
    for name in set(sys.modules) - modules_before:
        del sys.modules[name]


def invocation(request_id: str, event: object, deadline_ms: float = 1_003_000.0) -> dict:
    return {"event": event, "requestId": request_id, "deadlineMs": deadline_ms}


ECHO = """
    def handler(event, context):
        print("got", event)
        return {"echo": event}
"""


def test_each_line_on_stdin_is_one_invocation_with_its_result_and_log_lines(worker, capsys):
    results, out, err = worker(
        "app.handler", {"app.py": ECHO}, [invocation("r-1", {"n": 1}), invocation("r-2", [1, "two"])], capsys
    )
    assert results == [{"result": {"echo": {"n": 1}}}, {"result": {"echo": [1, "two"]}}]
    assert out.splitlines() == [
        "START RequestId: r-1 Version: $LATEST",
        "got {'n': 1}",
        "END RequestId: r-1",
        "REPORT RequestId: r-1\tDuration: 250.00 ms",
        "START RequestId: r-2 Version: $LATEST",
        "got [1, 'two']",
        "END RequestId: r-2",
        "REPORT RequestId: r-2\tDuration: 250.00 ms",
    ]
    assert err == ""


def test_a_result_is_on_the_descriptor_before_the_next_invocation_is_read(worker, tmp_path, capsys):
    # The runner reads one line per invocation while the worker keeps running: each result must be written through.
    reader = f"""
        def handler(event, context):
            return open({str(tmp_path / "results")!r}).read()
    """
    results, _, _ = worker("app.handler", {"app.py": reader}, [invocation("a", 1), invocation("b", 2)], capsys)
    assert results == [{"result": ""}, {"result": '{"result": ""}\n'}]


CONTEXT = """
    def handler(event, context):
        return {
            "request": context.aws_request_id,
            "name": context.function_name,
            "version": context.function_version,
            "arn": context.invoked_function_arn,
            "memory": context.memory_limit_in_mb,
            "group": context.log_group_name,
            "stream": context.log_stream_name,
            "identity": context.identity,
            "client": context.client_context,
            "remaining": context.get_remaining_time_in_millis(),
        }
"""


def test_the_context_carries_the_functions_settings_from_its_environment(worker, monkeypatch, capsys):
    for name, value in {
        "AWS_LAMBDA_FUNCTION_NAME": "app-api",
        "AWS_LAMBDA_FUNCTION_VERSION": "7",
        "LOCAL_LAMBDA_FUNCTION_ARN": "arn:aws:lambda:us-east-2:000000000000:function:app-api",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/app-api",
        "AWS_LAMBDA_LOG_STREAM_NAME": "2026/12/02/[$LATEST]abc",
    }.items():
        monkeypatch.setenv(name, value)
    results, _, _ = worker("app.handler", {"app.py": CONTEXT}, [invocation("r-9", {}, 1_002_500.9)], capsys)
    assert results == [
        {
            "result": {
                "request": "r-9",
                "name": "app-api",
                "version": "7",
                "arn": "arn:aws:lambda:us-east-2:000000000000:function:app-api",
                "memory": "512",
                "group": "/aws/lambda/app-api",
                "stream": "2026/12/02/[$LATEST]abc",
                "identity": None,
                "client": None,
                "remaining": 2500,  # the deadline less the clock's 1000 s, cut to whole milliseconds
            }
        }
    ]


def test_without_those_variables_the_context_has_lambdas_defaults_and_no_time_left_past_the_deadline(worker, capsys):
    results, _, _ = worker("app.handler", {"app.py": CONTEXT}, [invocation("r-1", {}, 999_000.0)], capsys)
    assert results == [
        {
            "result": {
                "request": "r-1",
                "name": "",
                "version": "$LATEST",
                "arn": "",
                "memory": "128",
                "group": "",
                "stream": "",
                "identity": None,
                "client": None,
                "remaining": 0,
            }
        }
    ]


def test_the_handler_is_found_by_module_path_and_function_name(worker, capsys):
    files = {
        "pkg/__init__.py": "",
        "pkg/api.py": "def main(event, context):\n    return 'pkg.api.main'\n",
        "pkg/sub/__init__.py": "",
        "pkg/sub/deep.py": "def go(event, context):\n    return 'pkg.sub.deep.go'\n",
    }
    results, _, _ = worker("pkg/api.main", files, [invocation("a", None)], capsys)
    assert results == [{"result": "pkg.api.main"}]
    results, _, _ = worker("pkg.sub.deep.go", {}, [invocation("b", None)], capsys)
    assert results == [{"result": "pkg.sub.deep.go"}]


def test_the_task_root_comes_first_on_the_import_path(worker, tmp_path, monkeypatch, capsys):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "shadowed_app.py").write_text("def handler(event, context):\n    return 'elsewhere'\n")
    monkeypatch.syspath_prepend(str(elsewhere))
    results, _, _ = worker(
        "shadowed_app.handler",
        {"shadowed_app.py": "def handler(event, context):\n    return 'task root'\n"},
        [invocation("a", None)],
        capsys,
    )
    assert results == [{"result": "task root"}]


FAILING = """
    def handler(event, context):
        raise KeyError("missing " + event)
"""


def test_an_exception_is_the_invocations_error_and_a_json_line_in_its_log(worker, tmp_path, capsys):
    results, out, _ = worker("app.handler", {"app.py": FAILING}, [invocation("r-1", "sku")], capsys)
    [result] = results
    trace = result["error"].pop("stackTrace")
    assert result == {"error": {"errorMessage": "'missing sku'", "errorType": "KeyError"}}
    # The frames from the worker's call to the handler's raise, as traceback.format_tb writes them.
    assert len(trace) == 2
    assert trace[0].startswith(f'  File "{lambda_bootstrap.__file__}", line ')
    assert trace[1] == (
        f'  File "{tmp_path / "task" / "app.py"}", line 3, in handler\n    raise KeyError("missing " + event)\n'
    )
    lines = out.splitlines()
    assert lines[0] == "START RequestId: r-1 Version: $LATEST"
    assert json.loads(lines[1]) == {
        "errorMessage": "'missing sku'",
        "errorType": "KeyError",
        "stackTrace": trace,
        "requestId": "r-1",
    }
    assert lines[2:] == ["END RequestId: r-1", "REPORT RequestId: r-1\tDuration: 250.00 ms"]


def test_a_handler_that_cannot_be_loaded_fails_every_invocation_with_that_error(worker, capsys):
    results, out, err = worker("nowhere.handler", {}, [invocation("a", 1), invocation("b", 2)], capsys)
    for result in results:
        assert result["error"]["errorMessage"] == "No module named 'nowhere'"
        assert result["error"]["errorType"] == "ModuleNotFoundError"
        assert result["error"]["stackTrace"][0].startswith(f'  File "{lambda_bootstrap.__file__}", line ')
    assert len(results) == 2
    assert out.splitlines() == [
        "START RequestId: a Version: $LATEST",
        "END RequestId: a",
        "REPORT RequestId: a\tDuration: 250.00 ms",
        "START RequestId: b Version: $LATEST",
        "END RequestId: b",
        "REPORT RequestId: b\tDuration: 250.00 ms",
    ]
    # The import's traceback goes to the log once, as the managed runtime logs an init error.
    assert err.startswith("Traceback (most recent call last):\n")
    assert err.endswith("ModuleNotFoundError: No module named 'nowhere'\n")
    assert err.count("Traceback") == 1


def test_a_module_without_the_named_function_is_an_init_error(worker, capsys):
    results, _, err = worker("app.missing", {"app.py": ECHO}, [invocation("a", 1)], capsys)
    assert [(r["error"]["errorType"], r["error"]["errorMessage"]) for r in results] == [
        ("AttributeError", "module 'app' has no attribute 'missing'")
    ]
    assert err.endswith("AttributeError: module 'app' has no attribute 'missing'\n")


def test_a_module_that_raises_while_imported_is_an_init_error(worker, capsys):
    results, _, _ = worker("app.handler", {"app.py": "raise RuntimeError('no config')\n"}, [invocation("a", 1)], capsys)
    assert [(r["error"]["errorType"], r["error"]["errorMessage"]) for r in results] == [("RuntimeError", "no config")]


ODD_RESULTS = """
    import datetime

    def handler(event, context):
        if event == "date":
            return {"at": datetime.date(2026, 12, 2)}
        if event == "tuple-key":
            return {("a", "b"): 1}
        loop = []
        loop.append(loop)
        return loop
"""


def test_a_result_json_cannot_hold_is_written_as_text_or_is_the_invocations_error(worker, capsys):
    results, _, _ = worker(
        "app.handler",
        {"app.py": ODD_RESULTS},
        [invocation("a", "date"), invocation("b", "tuple-key"), invocation("c", "loop")],
        capsys,
    )
    assert results[0] == {"result": {"at": "2026-12-02"}}
    errors = [(r["error"]["errorType"], r["error"]["errorMessage"]) for r in results[1:]]
    assert errors == [
        ("TypeError", "keys must be str, int, float, bool or None, not tuple"),
        ("ValueError", "Circular reference detected"),
    ]
    assert [len(r) for r in results] == [1, 1, 1]


def test_the_function_writes_its_own_stderr_to_the_log_in_order(worker, capsys):
    noisy = """
        import sys

        def handler(event, context):
            print("to stderr", file=sys.stderr)
            return None
    """
    results, out, err = worker("app.handler", {"app.py": noisy}, [invocation("a", 1)], capsys)
    assert results == [{"result": None}]
    assert err == "to stderr\n"
    assert out.splitlines()[0] == "START RequestId: a Version: $LATEST"


class FlushRecorder(io.StringIO):
    """stdout that records each flush as the text written so far: a worker killed at its timeout keeps only that."""

    def __init__(self) -> None:
        super().__init__()
        self.flushed: list[str] = []

    def flush(self) -> None:
        self.flushed.append(self.getvalue())


def test_every_log_line_is_flushed_as_it_is_written(worker, monkeypatch, capsys):
    # The runner reads the log while the worker lives and kills it at its timeout: nothing may wait in a buffer.
    out = FlushRecorder()
    monkeypatch.setattr(sys, "stdout", out)
    worker("app.handler", {"app.py": FAILING}, [invocation("r-1", "sku")], capsys)
    lines = out.getvalue().splitlines(keepends=True)
    assert [text.count("\n") for text in out.flushed] == [1, 2, 3, 4]
    assert out.flushed == ["".join(lines[:n]) for n in (1, 2, 3, 4)]
