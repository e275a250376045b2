"""What hand-injected bugs in the runner and the CLI's shared pieces showed no test held: the environment
Terraform gets is exactly the caller's (nothing of this process's leaks in, e.g. AWS credentials into the
emulator's clean environment), the project layout check wants a file where it says file and a folder where it
says folder, and ``summary merge`` names a failed workspace even when its plan also destroys stateful data."""

from __future__ import annotations

import json
import shutil

from click.testing import CliRunner
from workflow_helpers import outcome_json

from generator.assets import LAMBDA_DIR
from generator.cli.context import PROJECT_LAYOUT, layout_problems
from generator.project import PLATFORM_FILE
from generator.runner import Terraform
from main import cli

#: A stand-in terraform that writes its whole environment, one variable a line, sorted.
DUMP_ENV = "#!/bin/sh\nenv | sort > env.txt\n"


def test_terraform_gets_only_the_callers_environment_never_this_processs(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "real-secret")
    monkeypatch.setenv("AWS_PROFILE", "prod")
    fake = tmp_path / "terraform"
    fake.write_text(DUMP_ENV)
    fake.chmod(0o755)
    stack = tmp_path / "stacks" / "app"
    stack.mkdir(parents=True)
    terraform = Terraform(
        binary=str(fake),
        stack_dir=lambda _stack: stack,
        logs_dir=tmp_path / "logs",
        env={"PATH": "/usr/bin:/bin", "AWS_ACCESS_KEY_ID": "test"},
    )
    terraform.apply("app")
    lines = (stack / "env.txt").read_text().splitlines()
    # sh itself may add PWD, SHLVL and _; everything else is exactly what the caller passed plus automation.
    lines = [line for line in lines if not line.startswith(("PWD=", "SHLVL=", "_=", "OLDPWD="))]
    assert lines == [
        "AWS_ACCESS_KEY_ID=test",
        "PATH=/usr/bin:/bin",
        "TF_INPUT=0",
        "TF_IN_AUTOMATION=1",
    ]


def test_a_source_folder_that_is_a_file_and_a_settings_file_that_is_a_folder_are_missing(tmp_path):
    root = tmp_path / "p"
    for path, kind, _what in PROJECT_LAYOUT:
        target = root / path
        if target.exists():
            continue
        if kind == "file":
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("x")
        else:
            target.mkdir(parents=True)
    assert layout_problems(root) == []
    shutil.rmtree(root / LAMBDA_DIR)
    (root / LAMBDA_DIR).write_text("not a folder")
    (root / PLATFORM_FILE).unlink()
    (root / PLATFORM_FILE).mkdir()
    assert [str(p) for p in layout_problems(root)] == [
        f"{PLATFORM_FILE}: missing file in {root}, expected the platform settings",
        f"{LAMBDA_DIR}: missing folder in {root}, expected the inventory API's code (the Lambda bundle)",
    ]


def test_merge_names_a_failed_workspace_even_when_its_plan_destroys_stateful_data(tmp_path):
    ann = outcome_json("ann", destroy=1, stateful_deletes=["aws_dynamodb_table.t"], error="apply failed")
    (tmp_path / "shard-1.json").write_text(json.dumps([ann]))
    result = CliRunner().invoke(cli, ["summary", "merge", str(tmp_path), "--shards", "1", "--allow-replace"])
    assert result.exit_code == 1
    assert result.stderr == "error: 1 workspace(s) failed: ann\n"
    result = CliRunner().invoke(cli, ["summary", "merge", str(tmp_path), "--shards", "1"])
    assert result.exit_code == 1
    assert result.stderr == (
        "error: 1 workspace(s) failed: ann; ann would destroy stateful data, expected --allow-replace\n"
    )
