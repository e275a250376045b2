"""The CLI commands' own logic, in one process, with what is slow stood in for: validate, list, new, schema,
summary merge, preflight (no AWS), local up/plan/down/status/serve/user add (no emulator, no Terraform), the
group's error handling and the shared pieces (CliContext, the table printer, the error type). Each test pins
what a command prints, in text and JSON, its exit code, and the arguments its options become; the end-to-end
runs of the same commands are in test_cli.py, test_cli_contract.py, test_preflight.py and the e2e suite."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from helpers import REPO, copy_project
from workflow_helpers import edit, outcome_json

from generator.cli import local_cmds, preflight_cmd, root
from generator.cli.context import CliContext
from generator.cli.output import CliError, one_line, print_rows, print_table, problems_found, report
from generator.errors import Problem, ValidationFailed
from generator.local import emulator as emu
from generator.local.edge import EdgeError, EdgeRecord, UserError
from generator.local.session import AppStatus, StackPlan, SynthFailed
from generator.runner import StackFailed, TerraformMissing
from generator.workflow.preflight import Check
from main import cli

DEV = "john-inventory-dev"
PROD = "team-backend-inventory-prod"
STAGING = "team-backend-inventory-staging"
FILES = [f"instances/{DEV}.yaml", f"instances/{PROD}.yaml", f"instances/{STAGING}.yaml"]


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """The example project, valid; no test changes it."""
    return copy_project(tmp_path_factory.mktemp("cmds") / "p")


@pytest.fixture(scope="module")
def broken(tmp_path_factory) -> Path:
    """The example project with one invalid instance file."""
    root = copy_project(tmp_path_factory.mktemp("broken") / "p")
    edit(root / "instances" / f"{DEV}.yaml", "environment: dev", "environment: qa")
    return root


BROKEN_PROBLEM = f"instances/{DEV}.yaml: spec.environment: got 'qa', expected one of dev, staging, prod"
BROKEN_JSON_PROBLEM = {
    "file": f"instances/{DEV}.yaml",
    "field": "spec.environment",
    "message": "got 'qa', expected one of dev, staging, prod",
}


# ---------------------------------------------------------------- output.py


def test_problems_found_counts_in_the_singular_and_the_plural_with_the_consequence():
    one = problems_found([Problem("a.yaml", "spec.x", "got 1, expected 2")])
    assert one.message == "1 problem found"
    assert one.details == ("a.yaml: spec.x: got 1, expected 2",)
    assert one.problems == [{"file": "a.yaml", "field": "spec.x", "message": "got 1, expected 2"}]
    two = problems_found(["first", "second"], "nothing was written")
    assert two.message == "2 problems found; nothing was written"
    assert two.details == ("first", "second")
    assert two.problems == ["first", "second"]  # not dataclasses: shown as they are
    assert problems_found([]).message == "0 problems found"
    assert two.exit_code == 1


def test_a_cli_error_shows_its_details_then_one_error_line_and_its_json_carries_the_result(capsys):
    error = CliError("2 things failed", ["a: broke", "b: broke"], result={"checks": [1]})
    assert error.document() == {"error": "2 things failed", "problems": ["a: broke", "b: broke"], "checks": [1]}
    assert CliError("x", ["d"], problems=[{"p": 1}]).document() == {"error": "x", "problems": [{"p": 1}]}
    report(error, as_json=False)
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "a: broke\nb: broke\nerror: 2 things failed\n")
    report(error, as_json=True)
    captured = capsys.readouterr()
    assert json.loads(captured.out) == {"error": "2 things failed", "problems": ["a: broke", "b: broke"], "checks": [1]}
    assert captured.err == "a: broke\nb: broke\nerror: 2 things failed\n"


def test_another_click_error_in_json_is_its_message_on_one_line(capsys):
    error = click.ClickException("bad\n   value\there")
    assert one_line(error) == "bad value here"
    report(error, as_json=True)
    captured = capsys.readouterr()
    assert captured.out == '{\n  "error": "bad value here",\n  "problems": []\n}\n'
    assert captured.err == "Error: bad\n   value\there\n"


def test_print_table_aligns_the_columns_marks_a_missing_value_and_strips_trailing_blanks(capsys):
    columns = [("a", "A"), ("b", "BEE"), ("c", "C")]
    print_table([{"a": "x", "b": 10, "c": ""}, {"a": "longer", "c": "end"}], columns)
    assert capsys.readouterr().out.splitlines() == [
        "A       BEE  C",
        "x       10",
        "longer  -    end",
    ]
    print_table([], columns)
    assert capsys.readouterr().out == "A  BEE  C\n"


def test_print_rows_is_the_table_or_every_field_in_json(capsys):
    rows = [{"a": "x", "hidden": 1}]
    print_rows(rows, [("a", "A")], as_json=False)
    assert capsys.readouterr().out == "A\nx\n"
    print_rows(rows, [("a", "A")], as_json=True)
    assert capsys.readouterr().out == '[\n  {\n    "a": "x",\n    "hidden": 1\n  }\n]\n'


# ---------------------------------------------------------------- context.py


def test_main_and_hint_name_the_root_only_when_it_was_given_and_quote_it():
    run = CliContext(root=Path("/srv/my project"))
    assert run.main == "python main.py"
    assert run.hint("local up") == "python main.py local up"
    run.root_given = True
    assert run.main == "python main.py --root '/srv/my project'"
    assert run.hint("orphans") == "python main.py --root '/srv/my project' orphans"
    assert CliContext(root=Path("/srv/p"), root_given=True).hint("x") == "python main.py --root /srv/p x"


def test_outdir_is_out_else_cdktf_outdir_else_the_roots_cdktf_out(monkeypatch):
    run = CliContext(root=Path("/p"))
    monkeypatch.delenv("CDKTF_OUTDIR", raising=False)
    assert run.outdir(None) == Path("/p/cdktf.out")
    monkeypatch.setenv("CDKTF_OUTDIR", "")
    assert run.outdir(None) == Path("/p/cdktf.out")
    monkeypatch.setenv("CDKTF_OUTDIR", "/env/out")
    assert run.outdir(None) == Path("/env/out")
    assert run.outdir(Path("/given")) == Path("/given")


def test_project_raises_every_problem_with_the_consequence(broken):
    with pytest.raises(CliError) as failed:
        CliContext(root=broken).project(consequence="nothing was started")
    assert failed.value.message == "1 problem found; nothing was started"
    assert failed.value.details == (BROKEN_PROBLEM,)
    with pytest.raises(CliError) as failed:
        CliContext(root=broken).project()
    assert failed.value.message == "1 problem found"


def test_project_checks_the_sources_only_when_asked(tmp_path):
    root = copy_project(tmp_path / "p")
    shutil.rmtree(root / "ui" / "site")
    assert [i.name for i in CliContext(root=root).project().instances] == [DEV, PROD, STAGING]
    with pytest.raises(CliError) as failed:
        CliContext(root=root).project(sources=True)
    assert failed.value.details == (
        f"ui/site: missing folder in {root}, expected the platform's home and not-found pages",
    )


# ---------------------------------------------------------------- root.py: the group and main()


def test_root_is_resolved_and_named_in_hints(tmp_path, monkeypatch):
    (tmp_path / "my p").mkdir()
    monkeypatch.chdir(tmp_path)
    result = invoke("--root", "my p", "local", "serve")
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: the emulator is not running in {tmp_path / 'my p' / '.local'}; "
        f"expected `python main.py --root '{tmp_path / 'my p'}' local up` first\n"
    )


def test_without_root_the_hints_name_no_root(tmp_path):
    result = invoke("local", "serve", "--workdir", str(tmp_path))
    assert (
        result.stderr == f"error: the emulator is not running in {tmp_path}; expected `python main.py local up` first\n"
    )


def test_a_usage_error_is_json_only_when_json_was_asked():
    result = invoke("frobnicate", "--json")
    assert result.exit_code == 2
    assert json.loads(result.stdout) == {"error": "No such command 'frobnicate'.", "problems": []}
    result = invoke("frobnicate")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == "Error: No such command 'frobnicate'."


def raising(error: BaseException):
    def stand_in(*_args, **_kwargs):
        raise error

    return stand_in


def test_an_abort_is_one_error_line_exit_1_also_in_json(monkeypatch):
    from generator.cli import project_cmds

    monkeypatch.setattr(project_cmds, "instance_rows", raising(click.Abort()))
    result = invoke("list")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", "error: aborted\n")
    result = invoke("list", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {"error": "aborted", "problems": []}
    monkeypatch.setattr(project_cmds, "instance_rows", raising(PermissionError(13, "Permission denied", "/p/x")))
    result = invoke("list")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", "error: /p/x: Permission denied\n")


def test_an_unexpected_error_is_cut_to_300_characters_and_debug_lets_it_through(monkeypatch):
    from generator.cli import project_cmds

    monkeypatch.delenv(root.DEBUG_ENV, raising=False)
    monkeypatch.setattr(project_cmds, "instance_rows", raising(KeyError("k" * 400)))
    result = invoke("list")
    assert result.exit_code == 1
    assert result.stderr == f"error: unexpected KeyError: '{'k' * 299} (set GENERATOR_DEBUG=1 for the traceback)\n"
    result = invoke("list", "--json")
    assert result.exit_code == 1
    message = f"unexpected KeyError: '{'k' * 299} (set GENERATOR_DEBUG=1 for the traceback)"
    assert json.loads(result.stdout) == {"error": message, "problems": []}
    monkeypatch.setenv("GENERATOR_DEBUG", "1")
    result = invoke("list")
    assert isinstance(result.exception, KeyError)


def test_without_standalone_mode_errors_reach_the_caller_and_any_obj_becomes_a_context(project, broken, capsys):
    with pytest.raises(CliError) as failed:
        cli.main(["--root", str(broken), "validate"], standalone_mode=False)
    assert failed.value.message == "1 problem found"
    assert cli.main(["--root", str(project), "validate"], standalone_mode=False) is None
    assert capsys.readouterr().out == "ok: platform.yaml and 3 instance file(s) are valid\n"
    result = CliRunner().invoke(cli, ["--root", str(project), "validate"], obj="not a context")
    assert (result.exit_code, result.stdout) == (0, "ok: platform.yaml and 3 instance file(s) are valid\n")
    given = CliContext(root=Path("/elsewhere"))
    assert cli.main(["--root", str(project), "list", "--json"], standalone_mode=False, obj=given) is None
    assert (given.root, given.root_given, given.as_json) == (project.resolve(), True, True)  # the caller's context


class Exited(Exception):
    """os._exit, stood in for: raised instead of ending the test process."""


@pytest.fixture
def no_exit(monkeypatch) -> list[str]:
    calls: list[str] = []

    def fake_exit(code):
        calls.append(f"os._exit({code})")
        raise Exited

    monkeypatch.setattr(root.os, "_exit", fake_exit)
    monkeypatch.setattr(root.atexit, "_run_exitfuncs", lambda: calls.append("atexit"))
    return calls


def test_main_skips_the_teardown_only_after_a_synth_that_worked(project, monkeypatch, no_exit, capsys):
    from generator import synth as synth_module
    from generator.cli import project_cmds
    from generator.outfolder import SyncReport

    monkeypatch.setattr(synth_module, "synthesize", lambda *a, **k: SyncReport(written=["platform"]))
    with pytest.raises(Exited):
        root.main(["--root", str(project), "synth", "--no-instances"])
    assert no_exit == ["atexit", "os._exit(0)"]
    assert capsys.readouterr().out == f"wrote      platform\n1 stack(s) in {project / 'cdktf.out'}\n"
    no_exit.clear()
    with pytest.raises(SystemExit) as done:
        root.main(["--root", str(project), "validate"])
    assert done.value.code == 0 and no_exit == []
    monkeypatch.setattr(synth_module, "synthesize", raising(OSError("disk gone")))
    with pytest.raises(SystemExit) as done:
        root.main(["--root", str(project), "synth", "--no-instances"])
    assert done.value.code == 1 and no_exit == []

    def done_then_failed(*_args, **_kwargs):  # a run marked done that fails after all keeps its exit code
        click.get_current_context().find_object(CliContext).synth_done = True
        raise CliError("late failure")

    monkeypatch.setattr(project_cmds, "instance_rows", done_then_failed)
    with pytest.raises(SystemExit) as done:
        root.main(["--root", str(project), "list"])
    assert done.value.code == 1 and no_exit == []


# ---------------------------------------------------------------- validate, list, new, schema


def test_validate_says_how_many_files_are_valid_and_json_lists_them(project):
    result = invoke("--root", str(project), "validate")
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        "ok: platform.yaml and 3 instance file(s) are valid\n",
        "",
    )
    result = invoke("--root", str(project), "validate", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"valid": True, "platform": "platform.yaml", "instances": FILES}


def test_validate_on_an_invalid_project_prints_only_the_problems(broken):
    result = invoke("--root", str(broken), "validate")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [BROKEN_PROBLEM, "error: 1 problem found"]


def test_validate_checks_the_app_sources(tmp_path):
    root = copy_project(tmp_path / "p")
    shutil.rmtree(root / "lambda_code")
    result = invoke("--root", str(root), "validate")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [
        f"lambda_code: missing folder in {root}, expected the inventory API's code (the Lambda bundle)",
        "error: 1 problem found",
    ]


@pytest.mark.parametrize("as_json", [False, True])
def test_validate_reports_a_stale_codeowners_file_as_invalid(project, monkeypatch, as_json):
    import generator.codeowners

    stale = [Problem(".github/CODEOWNERS", "", "got a file that differs"), Problem("x", "", "also")]
    rewrites: list[str] = []
    monkeypatch.setattr(
        generator.codeowners, "stale_problems", lambda _project, rewrite: rewrites.append(rewrite) or stale
    )
    result = invoke("--root", str(project), "validate", *(["--json"] if as_json else []))
    assert result.exit_code == 1
    assert rewrites == [f"python main.py --root {project} codeowners"]
    assert result.stderr.splitlines() == [
        ".github/CODEOWNERS: got a file that differs",
        "x: also",
        "error: 2 problems found",
    ]
    if as_json:
        assert json.loads(result.stdout) == {
            "error": "2 problems found",
            "problems": [
                {"file": ".github/CODEOWNERS", "field": "", "message": "got a file that differs"},
                {"file": "x", "field": "", "message": "also"},
            ],
            "valid": False,
        }
    else:
        assert result.stdout == ""


@pytest.fixture(scope="module")
def one_app(tmp_path_factory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("one") / "p")
    for name in (PROD, STAGING):
        (root / "instances" / f"{name}.yaml").unlink()
    return root


def test_list_prints_one_aligned_row_per_instance(one_app):
    result = invoke("--root", str(one_app), "list")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "NAME                TEAM          ENVIRONMENT  REGION     BASE_NAME           "
        "URL                                           API                     TABLE               GROUP",
        "john-inventory-dev  team-backend  dev          us-east-2  john-inventory-dev  "
        "https://apps.example.com/john-inventory-dev/  john-inventory-dev-api  john-inventory-dev  john-inventory-dev-users",
    ]


def test_list_on_an_invalid_project_prints_no_table(broken):
    result = invoke("--root", str(broken), "list")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [BROKEN_PROBLEM, "error: 1 problem found"]


class NewStandIn:
    """``generator.scaffold.new_instance``: records its arguments, answers a path (or raises ``error``)."""

    def __init__(self, error: Exception | None = None):
        self.calls: list[dict] = []
        self.error = error

    def __call__(self, root: Path, **kwargs):
        self.calls.append({"root": root, **kwargs})
        if self.error is not None:
            raise self.error
        return root / "instances" / "ana-orders-dev.yaml"


NEW = ["new", "--team", "team-data", "--app", "orders", "--env", "dev", "--developer", "ana"]


def test_new_passes_each_option_and_the_real_schemas(tmp_path, monkeypatch):
    import generator.scaffold

    fake = NewStandIn()
    monkeypatch.setattr(generator.scaffold, "new_instance", fake)
    result = invoke("--root", str(tmp_path), *NEW)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "wrote instances/ana-orders-dev.yaml\n", "")
    result = invoke(
        "--root", str(tmp_path), *NEW, "--region", "eu-west-1", "--namespace", "ns", "--name", "nm", "--json"
    )
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"file": "instances/ana-orders-dev.yaml"}
    common = {
        "root": tmp_path,
        "team": "team-data",
        "app": "orders",
        "environment": "dev",
        "developer": "ana",
        "schemas": REPO / "schemas",
    }
    assert fake.calls == [
        {**common, "region": None, "namespace": None, "name": None},
        {**common, "region": "eu-west-1", "namespace": "ns", "name": "nm"},
    ]


def test_new_refused_says_nothing_was_written(tmp_path, monkeypatch):
    import generator.scaffold

    failed = ValidationFailed([Problem("instances/x.yaml", "spec.environment", "got 'qa', expected dev")])
    monkeypatch.setattr(generator.scaffold, "new_instance", NewStandIn(failed))
    result = invoke("--root", str(tmp_path), *NEW)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [
        "instances/x.yaml: spec.environment: got 'qa', expected dev",
        "error: 1 problem found; nothing was written",
    ]


@pytest.mark.parametrize("args,which", [([], "instance"), (["--platform"], "platform"), (["--json"], "instance")])
def test_schema_prints_the_chosen_schema_indented(monkeypatch, args, which):
    import generator.validation.schema as schemas

    monkeypatch.setattr(schemas, "instance_schema", lambda: {"title": "instance", "n": [1]})
    monkeypatch.setattr(schemas, "platform_schema", lambda: {"title": "platform"})
    result = invoke("schema", *args)
    assert result.exit_code == 0
    expected = {
        "instance": '{\n  "title": "instance",\n  "n": [\n    1\n  ]\n}\n',
        "platform": '{\n  "title": "platform"\n}\n',
    }[which]
    assert result.stdout == expected


# ---------------------------------------------------------------- summary merge


BOB = outcome_json("bob", add=1, destroy=1, stateful_deletes=["aws_dynamodb_table.t"])
CAT = outcome_json("cat", error="init failed")
AMY = outcome_json("amy", change=2)
PLATFORM = outcome_json("platform", add=3)


@pytest.fixture
def summaries(tmp_path) -> Path:
    """shard-1.json holds bob (destroys a table) and cat (failed); shard-2.json amy; platform.json the platform."""
    folder = tmp_path / "summaries"
    folder.mkdir()
    (folder / "shard-1.json").write_text(json.dumps({"workspaces": [CAT, BOB]}))
    (folder / "shard-2.json").write_text(json.dumps({"workspaces": [AMY]}))
    (folder / "platform.json").write_text(json.dumps({"workspaces": [PLATFORM]}))
    return folder


def test_merge_prints_missing_jobs_then_each_workspace_and_names_every_reason_to_fail(summaries):
    result = invoke("summary", "merge", str(summaries), "--shards", "3")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "failed     shard 3/3: no summary (shard-3.json missing: the job failed before planning)",
        "bob: 1 to add, 0 to change, 1 to destroy; destroys stateful aws_dynamodb_table.t "
        "(blocked: needs --allow-replace)",
        "cat: error: init failed",
        "amy: 0 to add, 2 to change, 0 to destroy",
    ]
    assert result.stderr == (
        "error: 1 job(s) without a summary; 1 workspace(s) failed: cat; "
        "bob would destroy stateful data, expected --allow-replace\n"
    )


def test_merge_with_allow_replace_lets_the_destroy_through(summaries):
    result = invoke("summary", "merge", str(summaries), "--shards", "1", "--allow-replace")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "bob: 1 to add, 0 to change, 1 to destroy; destroys stateful aws_dynamodb_table.t (allowed by --allow-replace)"
    )
    assert result.stderr == "error: 1 workspace(s) failed: cat\n"
    (summaries / "shard-1.json").write_text(json.dumps([BOB]))
    result = invoke("summary", "merge", str(summaries), "--shards", "1")
    assert result.stderr == "error: bob would destroy stateful data, expected --allow-replace\n"
    result = invoke("summary", "merge", str(summaries), "--shards", "1", "--allow-replace")
    assert (result.exit_code, result.stderr) == (0, "")
    comment = summaries / "comment.md"  # the comment says the same as the lines
    assert invoke("summary", "merge", str(summaries), "--shards", "1", "--markdown", str(comment)).exit_code == 1
    refused = comment.read_text()
    assert (
        invoke(
            "summary", "merge", str(summaries), "--shards", "1", "--allow-replace", "--markdown", str(comment)
        ).exit_code
        == 0
    )
    assert (refused.splitlines()[-1], comment.read_text().splitlines()[-1]) == (
        "| `bob` | 1 | 0 | 1 | **blocked**: destroys aws_dynamodb_table.t |",
        "| `bob` | 1 | 0 | 1 | allowed: destroys aws_dynamodb_table.t |",
    )


def test_merge_names_every_failed_and_every_blocked_workspace(summaries):
    dan = outcome_json("dan", error="plan failed")
    eve = outcome_json("eve", destroy=1, stateful_deletes=["aws_s3_bucket.b"])
    (summaries / "shard-1.json").write_text(json.dumps([BOB, CAT, dan, eve]))
    result = invoke("summary", "merge", str(summaries), "--shards", "1")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: 2 workspace(s) failed: cat, dan; bob, eve would destroy stateful data, expected --allow-replace\n"
    )


def test_merge_reads_the_platform_only_with_platform(summaries):
    result = invoke("summary", "merge", str(summaries), "--shards", "0")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    result = invoke("summary", "merge", str(summaries), "--shards", "0", "--platform", "--json")
    assert (result.exit_code, result.stderr) == (0, "")
    assert json.loads(result.stdout) == {"workspaces": [PLATFORM], "missing": []}
    result = invoke("summary", "merge", str(summaries), "--shards", "2", "--no-platform", "--allow-replace")
    assert result.stdout.splitlines() == [
        "bob: 1 to add, 0 to change, 1 to destroy; destroys stateful aws_dynamodb_table.t (allowed by --allow-replace)",
        "cat: error: init failed",
        "amy: 0 to add, 2 to change, 0 to destroy",
    ]
    result = invoke("summary", "merge", str(summaries), "--shards", "2", "--platform", "--allow-replace")
    assert result.stdout.splitlines()[2:4] == [
        "platform: 3 to add, 0 to change, 0 to destroy",
        "amy: 0 to add, 2 to change, 0 to destroy",
    ]


def test_merge_json_failure_is_one_document_with_the_result(summaries):
    result = invoke("summary", "merge", str(summaries), "--shards", "3", "--json", "--allow-replace")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "error": "1 job(s) without a summary; 1 workspace(s) failed: cat",
        "problems": [],
        "workspaces": [BOB, CAT, AMY],
        "missing": ["shard 3/3: no summary (shard-3.json missing: the job failed before planning)"],
    }


def test_merge_writes_the_comment_with_its_title(summaries, tmp_path):
    comment = tmp_path / "comment.md"
    result = invoke("summary", "merge", str(summaries), "--shards", "2", "--markdown", str(comment))
    assert result.exit_code == 1
    assert comment.read_text().splitlines()[:3] == [
        "### terraform plan",
        "",
        "3 workspace(s); 1 destroy something, 1 failed, 0 job(s) without a summary",
    ]
    (summaries / "shard-1.json").write_text(json.dumps([AMY]))
    result = invoke(
        "summary", "merge", str(summaries), "--shards", "1", "--markdown", str(comment), "--title", "plan: prod"
    )
    assert result.exit_code == 0
    assert comment.read_text() == (
        "### plan: prod\n\n"
        "1 workspace(s); 0 destroy something, 0 failed, 0 job(s) without a summary\n\n"
        "| Workspace | Add | Change | Destroy | Result |\n|---|---:|---:|---:|---|\n"
        "| `amy` | 0 | 2 | 0 | changes |\n"
    )


def test_merge_refuses_a_negative_shard_count(summaries):
    result = invoke("summary", "merge", str(summaries), "--shards", "-1")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == "Error: Invalid value for '--shards': -1 is not in the range x>=0."


# ---------------------------------------------------------------- preflight


class FakeSession:
    """boto3's Session: ``client`` records the service and region asked for."""

    made: list[tuple[str, str]] = []

    def client(self, service: str, region_name: str) -> str:
        FakeSession.made.append((service, region_name))
        return f"{service}@{region_name}"


CHECKS = [
    Check("hosted zone", "ok", "Z1 holds apps.example.com"),
    Check("state bucket", "missing", "acme-tf-state", "aws s3 mb s3://acme-tf-state"),
    Check("certificate", "manual", "none given"),
    Check("lock table", "wrong", "keyed on id"),
]


class Preflight:
    """What the stood-in run_checks answers (``checks``) and was called with (``calls``: project root, clients)."""

    def __init__(self):
        self.checks = CHECKS
        self.calls: list = []

    def __call__(self, project, client):
        self.calls.append((project.root, [client("route53", "us-east-1"), client("s3", "us-east-2")]))
        return self.checks


@pytest.fixture
def checks(monkeypatch) -> Preflight:
    """preflight's run_checks and boto3's session stood in for."""
    import boto3

    FakeSession.made = []
    monkeypatch.setattr(boto3.session, "Session", FakeSession)
    fake = Preflight()
    monkeypatch.setattr(preflight_cmd, "run_checks", fake)
    return fake


def test_preflight_prints_every_check_and_fails_on_missing_or_wrong(project, checks):
    result = invoke("--root", str(project), "preflight")
    assert result.exit_code == 1
    assert checks.calls == [(project, ["route53@us-east-1", "s3@us-east-2"])]
    assert FakeSession.made == [("route53", "us-east-1"), ("s3", "us-east-2")]
    assert result.stdout.splitlines() == [
        "STATUS   CHECK         DETAIL                     FIX",
        "ok       hosted zone   Z1 holds apps.example.com",
        "missing  state bucket  acme-tf-state              aws s3 mb s3://acme-tf-state",
        "manual   certificate   none given",
        "wrong    lock table    keyed on id",
    ]
    assert result.stderr == "error: 2 check(s) failed: state bucket, lock table\n"


def test_preflight_json_carries_the_checks_on_failure_and_on_success(project, checks):
    result = invoke("--root", str(project), "preflight", "--json")
    assert result.exit_code == 1
    rows = [
        {"name": "hosted zone", "status": "ok", "detail": "Z1 holds apps.example.com", "fix": ""},
        {"name": "state bucket", "status": "missing", "detail": "acme-tf-state", "fix": "aws s3 mb s3://acme-tf-state"},
        {"name": "certificate", "status": "manual", "detail": "none given", "fix": ""},
        {"name": "lock table", "status": "wrong", "detail": "keyed on id", "fix": ""},
    ]
    assert json.loads(result.stdout) == {
        "error": "2 check(s) failed: state bucket, lock table",
        "problems": ["state bucket: missing: acme-tf-state", "lock table: wrong: keyed on id"],
        "checks": rows,
    }
    checks.checks = CHECKS[:2]
    result = invoke("--root", str(project), "preflight", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "error": "1 check(s) failed: state bucket",
        "problems": ["state bucket: missing: acme-tf-state"],
        "checks": rows[:2],
    }
    checks.checks = CHECKS[:1]
    result = invoke("--root", str(project), "preflight", "--json")
    assert (result.exit_code, result.stderr) == (0, "")
    assert json.loads(result.stdout) == {"checks": rows[:1]}
    result = invoke("--root", str(project), "preflight")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        "STATUS  CHECK        DETAIL                     FIX",
        "ok      hosted zone  Z1 holds apps.example.com",
    ]


def test_preflight_without_access_to_the_account_is_one_line(project, checks, monkeypatch):
    from botocore.exceptions import ClientError, NoCredentialsError

    monkeypatch.setattr(preflight_cmd, "run_checks", raising(NoCredentialsError()))
    result = invoke("--root", str(project), "preflight")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "error: cannot check the account: Unable to locate credentials\n"
    denied = ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "GetHostedZone")
    monkeypatch.setattr(preflight_cmd, "run_checks", raising(denied))
    result = invoke("--root", str(project), "preflight")
    assert result.stderr == (
        "error: cannot check the account: An error occurred (AccessDenied) when calling the GetHostedZone "
        "operation: no\n"
    )


def test_preflight_on_an_invalid_project_checks_nothing(broken, checks):
    result = invoke("--root", str(broken), "preflight")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [BROKEN_PROBLEM, "error: 1 problem found"]
    assert checks.calls == [] and FakeSession.made == []


# ---------------------------------------------------------------- local


APPLIED = AppStatus("a", "u", "e", "t", 3, local_url="l")
GONE = AppStatus("gone", "-", "-", "gone", 4, status="orphan (no YAML)")
APP_TABLE = [
    "APP   LOCAL URL  URL  API ENDPOINT  TABLE  RESOURCES  STATUS",
    "a     l          u    e             t      3          applied",
    "gone  -          -    -             gone   4          orphan (no YAML)",
]
APP_JSON = [
    {"name": "a", "url": "u", "api_endpoint": "e", "table": "t", "resources": 3, "local_url": "l", "status": "applied"},
    {
        "name": "gone",
        "url": "-",
        "api_endpoint": "-",
        "table": "gone",
        "resources": 4,
        "local_url": "-",
        "status": "orphan (no YAML)",
    },
]


def orphan_line(root: Path) -> str:
    return (
        "orphan     gone: its instance file is gone but it is still applied in the emulator; restore the file, "
        f"or drop it with python main.py --root {root} local down, then python main.py --root {root} local up"
    )


class Session:
    """One of ``generator.local.session``'s up/plan/down: records its arguments, says one progress line,
    answers ``rows`` (or raises ``error``)."""

    def __init__(self, rows=None, error: BaseException | None = None):
        self.calls: list[dict] = []
        self.rows = rows
        self.error = error

    def __call__(self, root, workdir, echo, **options):
        self.calls.append({"root": root, "workdir": workdir, **options})
        echo("progress")
        if self.error is not None:
            raise self.error
        return self.rows


@pytest.fixture
def session(monkeypatch):
    """``local up``, ``plan`` and ``down``'s session functions stood in for (attributes up, plan, down)."""

    class Stand:
        up = Session([APPLIED, GONE])
        plan = Session([StackPlan("platform", 2, 1, 0, 1, "/w/platform.plan", "/w/platform.json")])
        down = Session(None)

    for name in ("up", "plan", "down"):
        monkeypatch.setattr(local_cmds, name, getattr(Stand, name))
    return Stand


def test_up_maps_its_options_to_the_session(project, session, tmp_path):
    args = ["--root", str(project), "local", "up"]
    assert invoke(*args).exit_code == 0
    assert invoke(*args, "--workdir", str(tmp_path / "w"), "--port", "4566", "--jobs", "16").exit_code == 0
    assert invoke(*args, "--instance", DEV, "--instance", PROD, "--parallelism", "1").exit_code == 0
    assert session.up.calls == [
        {"root": project, "workdir": None, "port": None, "instances": None, "jobs": 2, "parallelism": 20},
        {"root": project, "workdir": tmp_path / "w", "port": 4566, "instances": None, "jobs": 16, "parallelism": 20},
        {
            "root": project,
            "workdir": None,
            "port": None,
            "instances": frozenset({DEV, PROD}),
            "jobs": 2,
            "parallelism": 1,
        },
    ]


@pytest.mark.parametrize(
    "args,error",
    [
        (["--jobs", "0"], "Error: Invalid value for '--jobs': 0 is not in the range 1<=x<=16."),
        (["--jobs", "17"], "Error: Invalid value for '--jobs': 17 is not in the range 1<=x<=16."),
        (["--parallelism", "101"], "Error: Invalid value for '--parallelism': 101 is not in the range 1<=x<=100."),
        (["--parallelism", "0"], "Error: Invalid value for '--parallelism': 0 is not in the range 1<=x<=100."),
    ],
)
def test_up_refuses_jobs_and_parallelism_out_of_range(project, session, args, error):
    result = invoke("--root", str(project), "local", "up", *args)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == error
    assert session.up.calls == []


def test_up_prints_progress_then_the_table_and_advises_on_orphans(project, session):
    result = invoke("--root", str(project), "local", "up")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["progress", *APP_TABLE]
    assert result.stderr.splitlines() == [orphan_line(project)]


def test_up_json_keeps_stdout_for_the_rows(project, session):
    result = invoke("--root", str(project), "local", "up", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == APP_JSON
    assert result.stderr.splitlines() == ["progress", orphan_line(project)]


def test_up_on_an_invalid_project_starts_nothing(broken, session):
    result = invoke("--root", str(broken), "local", "up")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [BROKEN_PROBLEM, "error: 1 problem found; nothing was started"]
    assert session.up.calls == []


@pytest.mark.parametrize(("command", "consequence"), [("up", "nothing was started"), ("plan", None)])
def test_up_and_plan_without_a_source_folder_start_nothing(tmp_path, session, command, consequence):
    """What a synth reads is checked with the project, before the emulator is asked for: every problem at once."""
    root = copy_project(tmp_path / "p")
    shutil.rmtree(root / "cloudfront_function")
    edit(root / "instances" / f"{DEV}.yaml", "environment: dev", "environment: qa")
    result = invoke("--root", str(root), "local", command)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [
        f"cloudfront_function: missing folder in {root}, expected the viewer-request CloudFront Function",
        BROKEN_PROBLEM,
        "error: 2 problems found" + (f"; {consequence}" if consequence else ""),
    ]
    assert getattr(session, command).calls == []


def with_note(error: BaseException, note: str) -> BaseException:
    error.local_cleanup = note  # CLEANUP_NOTE: what up/down did about the emulator after the failure
    return error


STOPPED = "the emulator was stopped and its state discarded"


@pytest.mark.parametrize(
    "error,lines",
    [
        (
            StackFailed("platform", "apply", "Error: creating zone\n\nzone taken\n", Path("/w/logs/platform.log")),
            [
                "Error: creating zone",
                "zone taken",
                "error: stack 'platform': terraform apply failed: Error: creating zone zone taken "
                "(full output: /w/logs/platform.log)",
            ],
        ),
        (
            with_note(StackFailed("a", "init", "Error: x\n", Path("/l")), STOPPED),
            ["Error: x", f"error: stack 'a': terraform init failed: Error: x (full output: /l); {STOPPED}"],
        ),
        (TerraformMissing("no terraform\n  on PATH"), ["error: no terraform on PATH"]),
        (with_note(emu.EmulatorError("port taken"), STOPPED), [f"error: port taken; {STOPPED}"]),
        (SynthFailed("cdktf said no"), ["error: cdktf said no"]),
        (EdgeError("node missing"), ["error: node missing"]),
        (
            with_note(ValidationFailed([Problem("platform.yaml", "f", "got x")]), STOPPED),
            ["platform.yaml: f: got x", f"error: 1 problem found; {STOPPED}"],
        ),
        (
            ValidationFailed([Problem("platform.yaml", "f", "got x")]),
            ["platform.yaml: f: got x", "error: 1 problem found; nothing was started"],
        ),
    ],
)
def test_up_failing_is_one_error_with_what_was_done_about_the_emulator(project, monkeypatch, error, lines):
    monkeypatch.setattr(local_cmds, "up", Session(error=error))
    result = invoke("--root", str(project), "local", "up")
    assert result.exit_code == 1
    assert result.stdout == "progress\n"
    assert result.stderr.splitlines() == lines


PLAN_TABLE = [
    "STACK     CREATE  UPDATE  DESTROY  REPLACE  PLAN (terraform show -json)",
    "platform  2       1       0        1        /w/platform.json",
]


def test_plan_maps_its_options_and_prints_the_counts(project, session, tmp_path):
    result = invoke("--root", str(project), "local", "plan")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["progress", *PLAN_TABLE]
    result = invoke("--root", str(project), "local", "plan", "--instance", STAGING, "--jobs", "3", "--parallelism", "7")
    assert result.exit_code == 0
    result = invoke("--root", str(project), "local", "plan", "--workdir", str(tmp_path), "--json")
    assert result.stderr == "progress\n"
    assert json.loads(result.stdout) == [
        {
            "stack": "platform",
            "create": 2,
            "update": 1,
            "delete": 0,
            "replace": 1,
            "plan_file": "/w/platform.plan",
            "plan_json": "/w/platform.json",
        }
    ]
    assert session.plan.calls == [
        {"root": project, "workdir": None, "instances": None, "jobs": 2, "parallelism": 20},
        {"root": project, "workdir": None, "instances": frozenset({STAGING}), "jobs": 3, "parallelism": 7},
        {"root": project, "workdir": tmp_path, "instances": None, "jobs": 2, "parallelism": 20},
    ]


def test_plan_refusals_say_the_emulator_is_unchanged(project, broken, session, monkeypatch):
    result = invoke("--root", str(broken), "local", "plan")
    assert result.stderr.splitlines() == [BROKEN_PROBLEM, "error: 1 problem found"]
    assert session.plan.calls == []
    monkeypatch.setattr(local_cmds, "plan", Session(error=ValidationFailed([Problem("i.yaml", "", "bad")])))
    result = invoke("--root", str(project), "local", "plan")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "i.yaml: bad",
        "error: 1 problem found; nothing was planned; the emulator is unchanged",
    ]


@pytest.fixture
def emulator(monkeypatch):
    """What local_cmds sees of the running emulator, edge, states: set ``server``, ``edge``, ``rows``."""

    class State:
        server: emu.Emulator | None = None
        edge: EdgeRecord | None = None
        rows: list[AppStatus] = []
        asked: list = []
        edge_asked: list = []  # the folders running_edge was asked about

    def running(workdir):
        State.asked.append(("running", workdir))
        return State.server

    def status_rows(workspace, known=None):
        State.asked.append(("status_rows", workspace.root, known))
        return State.rows

    monkeypatch.setattr(emu, "running", running)
    monkeypatch.setattr(local_cmds, "status_rows", status_rows)

    def running_edge(root):
        State.edge_asked.append(root)
        return State.edge

    monkeypatch.setattr(local_cmds, "running_edge", running_edge)
    monkeypatch.setattr(local_cmds, "platform_resources", lambda workspace: 7)
    return State


SERVER = emu.Emulator(pid=42, port=4566)
EDGE = EdgeRecord(pid=43, site="http://127.0.0.1:8080", hosted_ui=None, apis={}, apps={})


def test_down_maps_its_options_and_prints_only_progress(project, broken, session, emulator, tmp_path):
    result = invoke("--root", str(project), "local", "down")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "progress\n", "")
    assert invoke("--root", str(broken), "local", "down", "--jobs", "4", "--parallelism", "9").exit_code == 0
    assert invoke("--root", str(project), "local", "down", "--workdir", str(tmp_path)).exit_code == 0
    assert session.down.calls == [
        {"root": project, "workdir": None, "jobs": 2, "parallelism": 20},
        {"root": broken, "workdir": None, "jobs": 4, "parallelism": 9},  # down needs no valid project
        {"root": project, "workdir": tmp_path, "jobs": 2, "parallelism": 20},
    ]
    assert emulator.asked == []


def test_down_json_says_what_is_left(project, session, emulator, tmp_path):
    result = invoke("--root", str(project), "local", "down", "--json", "--workdir", str(tmp_path / "w"))
    assert (result.exit_code, result.stderr) == (0, "progress\n")
    assert json.loads(result.stdout) == {"emulator": None, "apps": []}
    assert emulator.asked == [("running", tmp_path / "w"), ("status_rows", tmp_path / "w", None)]
    emulator.server, emulator.rows = SERVER, [APPLIED]
    result = invoke("--root", str(project), "local", "down", "--json")
    assert json.loads(result.stdout) == {"emulator": "http://127.0.0.1:4566", "apps": APP_JSON[:1]}


def test_down_failing_says_nothing_was_destroyed(project, monkeypatch):
    monkeypatch.setattr(local_cmds, "down", Session(error=ValidationFailed([Problem("p", "", "bad")])))
    result = invoke("--root", str(project), "local", "down")
    assert result.stderr.splitlines() == ["p: bad", "error: 1 problem found; nothing was destroyed"]


def test_status_with_nothing_running_says_how_to_start(project, emulator, tmp_path):
    result = invoke("--root", str(project), "local", "status", "--workdir", str(tmp_path))
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        "emulator: not running",
        "platform: 7 resource(s)",
        "edge: not running",
        f"no app has been applied (run: python main.py --root {project} local up)",
    ]
    assert emulator.asked == [("running", tmp_path), ("status_rows", tmp_path, {DEV, PROD, STAGING})]
    assert emulator.edge_asked == [tmp_path]


def test_status_prints_the_emulator_the_edge_and_the_apps(project, emulator):
    emulator.server, emulator.edge, emulator.rows = SERVER, EDGE, [APPLIED, GONE]
    result = invoke("--root", str(project), "local", "status")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "emulator: running at http://127.0.0.1:4566 (pid 42)",
        "platform: 7 resource(s)",
        "edge: serving http://127.0.0.1:8080 (pid 43)",
        *APP_TABLE,
    ]
    assert result.stderr.splitlines() == [orphan_line(project)]


def test_status_json(project, broken, emulator):
    result = invoke("--root", str(broken), "local", "status", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"edge": None, "emulator": None, "platform_resources": 7, "apps": []}
    assert emulator.asked[-1] == ("status_rows", broken / ".local", None)  # invalid: nothing is marked orphan
    assert emulator.edge_asked == [broken / ".local"]
    emulator.server, emulator.edge, emulator.rows = SERVER, EDGE, [APPLIED, GONE]
    result = invoke("--root", str(project), "local", "status", "--json")
    assert (result.exit_code, result.stderr) == (0, "")
    assert json.loads(result.stdout) == {
        "edge": "http://127.0.0.1:8080",
        "emulator": "http://127.0.0.1:4566",
        "platform_resources": 7,
        "apps": APP_JSON,
    }


def test_serve_runs_the_edge_on_the_running_emulator(project, emulator, monkeypatch, tmp_path):
    served: list = []

    def serve_forever(workspace_root, endpoint, echo, port=None):
        served.append((workspace_root, endpoint, port))
        echo("serving")

    monkeypatch.setattr(local_cmds, "serve_forever", serve_forever)
    result = invoke("--root", str(project), "local", "serve", "--workdir", str(tmp_path))
    assert (result.exit_code, result.stderr) == (
        1,
        f"error: the emulator is not running in {tmp_path}; "
        f"expected `python main.py --root {project} local up` first\n",
    )
    assert served == []
    emulator.server = SERVER
    result = invoke("--root", str(project), "local", "serve", "--workdir", str(tmp_path))
    assert (result.exit_code, result.stdout) == (0, "serving\n")
    assert invoke("--root", str(project), "local", "serve", "--port", "8080").exit_code == 0
    assert served == [(tmp_path, "http://127.0.0.1:4566", None), (project / ".local", "http://127.0.0.1:4566", 8080)]
    assert [asked for asked in emulator.asked if asked[0] == "running"] == [
        ("running", tmp_path),
        ("running", tmp_path),
        ("running", project / ".local"),
    ]
    result = invoke("--root", str(project), "local", "serve", "--port", "0")
    assert result.exit_code == 2
    monkeypatch.setattr(local_cmds, "serve_forever", raising(EdgeError("port 8080 taken")))
    result = invoke("--root", str(project), "local", "serve")
    assert (result.exit_code, result.stderr) == (1, "error: port 8080 taken\n")


@pytest.fixture
def users(monkeypatch, emulator) -> list:
    """``add_user`` stood in for (answers the password Pw-1), with the emulator running."""
    added: list = []

    def add_user(endpoint, pool_id, email, app_group=None):
        added.append((endpoint, pool_id, email, app_group))
        return "Pw-1"

    emulator.server = SERVER
    monkeypatch.setattr(local_cmds, "add_user", add_user)
    return added


def test_user_add_joins_the_apps_group_when_asked(project, users):
    result = invoke("--root", str(project), "local", "user", "add", "a@example.com")
    assert (result.exit_code, result.stdout) == (0, "user a@example.com: password Pw-1\n")
    result = invoke("--root", str(project), "local", "user", "add", "b@example.com", "--app", DEV)
    assert (result.exit_code, result.stdout) == (
        0,
        f"user b@example.com: password Pw-1 (group {DEV}-users)\n",
    )
    result = invoke("--root", str(project), "local", "user", "add", "c@example.com", "--app", PROD, "--json")
    assert json.loads(result.stdout) == {"email": "c@example.com", "password": "Pw-1", "group": f"{PROD}-users"}
    result = invoke("--root", str(project), "local", "user", "add", "d@example.com", "--json")
    assert json.loads(result.stdout) == {"email": "d@example.com", "password": "Pw-1", "group": None}
    endpoint = "http://127.0.0.1:4566"
    assert users == [
        (endpoint, None, "a@example.com", None),
        (endpoint, None, "b@example.com", f"{DEV}-users"),
        (endpoint, None, "c@example.com", f"{PROD}-users"),
        (endpoint, None, "d@example.com", None),
    ]


def test_user_add_refuses_an_unknown_app_before_touching_the_pool(project, users, tmp_path):
    result = invoke("--root", str(project), "local", "user", "add", "a@example.com", "--app", "nope")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"error: --app: got 'nope', expected one of: {DEV}, {PROD}, {STAGING}\n"
    empty = copy_project(tmp_path / "empty")
    shutil.rmtree(empty / "instances")
    (empty / "instances").mkdir()
    result = invoke("--root", str(empty), "local", "user", "add", "a@example.com", "--app", "nope")
    assert result.stderr == "error: --app: got 'nope', expected one of: (no instances)\n"
    assert users == []


def test_user_add_failing_is_one_line(project, users, monkeypatch):
    monkeypatch.setattr(local_cmds, "add_user", raising(UserError("no user pool\n on the emulator")))
    result = invoke("--root", str(project), "local", "user", "add", "a@example.com")
    assert (result.exit_code, result.stderr) == (1, "error: no user pool on the emulator\n")


def test_print_json_writes_a_value_json_cannot_as_its_string(capsys):
    from generator.cli.output import print_json

    print_json({"folder": Path("/a/b"), "n": 1})
    assert capsys.readouterr().out == '{\n  "folder": "/a/b",\n  "n": 1\n}\n'


def test_main_names_the_program_main_py_in_usage(capsys):
    with pytest.raises(SystemExit) as done:
        root.main(["--help"])
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith("Usage: main.py [OPTIONS] COMMAND [ARGS]...\n")
    assert root.cli.main(["--help"], prog_name="main.py", standalone_mode=False) == 0
    assert capsys.readouterr().out.startswith("Usage: main.py [OPTIONS] COMMAND [ARGS]...\n")
