"""End to end: moving a deployment from ``isolation: shared`` to ``perInstance`` on the emulator (issue 11, part 6).

Its own project (platform.yaml with ``isolation: shared``, one instance) and its own emulator in
``tmp_path``, so it passes in any order and alone. The sequence is the one docs/security.md
documents ("Moving from shared to perInstance"):

1. ``local up`` with ``isolation: shared``; an item is put in the app's table.
2. platform.yaml switched to ``isolation: perInstance``; ``diff --base main`` says what happens
   (in-place updates, no replacement).
3. ``local plan`` saves every stack's plan and its ``terraform show -json``; the test reads the
   plan JSON: the instance's plan creates its role, policy and nothing else stateful, and updates
   the function in place; no table, function, API or UI object is deleted or replaced anywhere;
   the platform's plan only destroys the shared role and its policy.
4. Exactly those saved plans are applied, the instance first, then the platform; the function
   runs as its own role, the API keeps its id, the item is still in the table.
5. A second ``local plan`` is empty for every stack; ``local down`` leaves no resource and no process.

Skipped only when terraform is not on PATH and CI is unset; under CI it fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from conftest import _running, _runs_in  # noqa: E402
from helpers import copy_project, skip_or_fail  # noqa: E402
from workflow_helpers import commit, edit, git  # noqa: E402

from generator.local import emulator as emu  # noqa: E402

DEV = "john-inventory-dev"
HOME_REGION = "us-east-2"
#: Resource types that must never be deleted or replaced by the move (the UI prefix is its objects).
KEPT_TYPES = (
    "aws_dynamodb_table",
    "aws_lambda_function",
    "aws_apigatewayv2_api",
    "aws_s3_object",
    "aws_s3_object_copy",
)


def main(root: Path, *args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    """``python main.py --root <root> <args>`` from the repository."""
    return subprocess.run(
        [sys.executable, "main.py", "--root", str(root), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )


def changes(plan: dict) -> dict[str, tuple[str, list[str]]]:
    """address -> (type, actions) of every resource the plan changes (no-ops and reads left out)."""
    return {
        c["address"]: (c["type"], c["change"]["actions"])
        for c in plan.get("resource_changes", [])
        if c["change"]["actions"] not in (["no-op"], ["read"])
    }


def local_plan(root: Path, workdir: Path) -> dict[str, dict]:
    """``local plan --json``: stack -> its row, with the plan JSON loaded under ``"plan"``."""
    result = main(root, "local", "plan", "--workdir", str(workdir), "--json")
    assert result.returncode == 0, f"local plan failed:\n{result.stdout}\n{result.stderr}"
    rows = {row["stack"]: row for row in json.loads(result.stdout)}
    for row in rows.values():
        row["plan"] = json.loads(Path(row["plan_json"]).read_text())
    return rows


def state(workdir: Path, stack: str) -> dict:
    return json.loads((workdir / "terraform-state" / f"{stack}.tfstate").read_text())


def resource_ids(workdir: Path, stack: str, types: tuple[str, ...]) -> dict[str, str]:
    """address -> id of every resource of these types in the stack's state."""
    found = {}
    for resource in state(workdir, stack)["resources"]:
        if resource["mode"] == "managed" and resource["type"] in types:
            for instance in resource["instances"]:
                key = instance.get("index_key")
                address = f"{resource['type']}.{resource['name']}" + (f"[{json.dumps(key)}]" if key is not None else "")
                found[address] = instance["attributes"]["id"]
    return found


@pytest.fixture
def project(tmp_path) -> Path:
    """A git repository holding the example platform with ``isolation: shared`` and one instance, on main."""
    if shutil.which("terraform") is None:
        skip_or_fail("terraform is not on PATH (install it to run the end-to-end suite)")
    root = copy_project(
        tmp_path / "project",
        # The emulator always syncs the UI with Terraform; say so here too, so diff speaks of what is applied.
        {"isolation: perInstance": "isolation: shared", "uiSync: kubernetes": "uiSync: terraform"},
    )
    for path in (root / "instances").iterdir():
        if path.stem != DEV:
            path.unlink()
    (root / ".gitignore").write_text("cdktf.out/\nterraform-state/\n")
    git(root, "init", "-q", "-b", "main")
    commit(root, "shared roles")
    return root


def test_shared_to_per_instance_creates_roles_and_replaces_nothing(project, tmp_path, e2e_timings):
    import boto3

    from generator.local.session import emulator_terraform
    from generator.local.workspace import Workspace
    from generator.runner import find_terraform

    workdir = tmp_path / "work"
    started = time.monotonic()
    up = pid = None
    try:
        # 1. The deployment as it was: shared roles.
        up = main(project, "local", "up", "--workdir", str(workdir))
        e2e_timings["migration: local up (platform, 1 app, shared)"] = time.monotonic() - started
        assert up.returncode == 0, f"local up failed:\n{up.stdout}\n{up.stderr}"
        server = emu.running(workdir)
        pid = server.pid

        def aws(service: str):
            return boto3.client(
                service,
                endpoint_url=server.endpoint,
                region_name=HOME_REGION,
                aws_access_key_id=emu.ACCESS_KEY,
                aws_secret_access_key=emu.SECRET_KEY,
            )

        platform_outputs = {k: v["value"] for k, v in state(workdir, "platform")["outputs"].items()}
        outputs = {k: v["value"] for k, v in state(workdir, DEV)["outputs"].items()}
        shared_role_arn = platform_outputs["lambda_execution_role_arn"]
        assert shared_role_arn.startswith("arn:aws:iam::"), platform_outputs  # "" with perInstance
        function = aws("lambda").get_function_configuration(FunctionName=outputs["function_name"])
        assert function["Role"] == shared_role_arn
        aws("dynamodb").put_item(
            TableName=outputs["table_name"], Item={"id": {"S": "kept"}, "name": {"S": "survives the move"}}
        )
        kept_before = resource_ids(workdir, DEV, KEPT_TYPES)
        assert {a.split(".")[0] for a in kept_before} >= {"aws_dynamodb_table", "aws_lambda_function"}
        assert any(a.startswith("aws_s3_object") for a in kept_before), kept_before  # the UI prefix's objects

        # 2. The edit, and what diff says about it.
        edit(project / "platform.yaml", "isolation: shared", "isolation: perInstance")
        result = main(project, "diff", "--base", "main")
        assert result.returncode == 0, result.stdout + result.stderr
        lines = result.stdout.splitlines()
        assert "no edit since main replaces a resource" in lines
        assert not [line for line in lines if line.startswith("replace")], lines
        assert (
            f"update     {DEV}: isolation: 'shared' -> 'perInstance' creates its own execution role under the "
            "platform's permissions boundary and updates the function's role in place; no table, function, API or "
            "prefix is replaced"
        ) in lines
        assert (
            "update     platform: isolation: 'shared' -> 'perInstance' destroys the shared Lambda execution role: "
            "apply the instances first, then the platform (docs/security.md, migration)"
        ) in lines
        assert json.loads(main(project, "diff", "--base", "main", "--json").stdout) == {
            "replacements": [],
            "removed": [],
            "updates": [
                {
                    "stack": DEV,
                    "field": "isolation",
                    "before": "shared",
                    "after": "perInstance",
                    "effect": "creates its own execution role under the platform's permissions boundary and updates "
                    "the function's role in place; no table, function, API or prefix is replaced",
                },
                {
                    "stack": "platform",
                    "field": "isolation",
                    "before": "shared",
                    "after": "perInstance",
                    "effect": "destroys the shared Lambda execution role: apply the instances first, then the "
                    "platform (docs/security.md, migration)",
                },
            ],
        }

        # 3. The plan, read from Terraform's own JSON.
        step = time.monotonic()
        plans = local_plan(project, workdir)
        e2e_timings["migration: local plan (perInstance)"] = time.monotonic() - step
        assert set(plans) == {"platform", DEV}
        app = changes(plans[DEV]["plan"])
        platform = changes(plans["platform"]["plan"])
        for address, (type_, actions) in {**app, **platform}.items():
            if type_ in KEPT_TYPES:
                assert actions == ["update"], f"{address}: {actions} (only an in-place update is allowed)"
        created = sorted(type_ for type_, actions in app.values() if actions == ["create"])
        assert created == ["aws_iam_role", "aws_iam_role_policy"], app
        assert sorted(t for t, a in app.values() if a == ["update"]) == ["aws_lambda_function"], app
        assert [a for _, a in app.values() if a not in (["create"], ["update"])] == [], app
        (function_change,) = [c for c in plans[DEV]["plan"]["resource_changes"] if c["type"] == "aws_lambda_function"]
        assert function_change["change"]["actions"] == ["update"]
        assert function_change["change"]["before"]["role"] == shared_role_arn
        assert function_change["change"]["after_unknown"].get("role") is True  # the role created in this plan
        (role_change,) = [c for c in plans[DEV]["plan"]["resource_changes"] if c["type"] == "aws_iam_role"]
        assert role_change["change"]["after"]["name"] == f"{DEV}-function"
        assert role_change["change"]["after"]["path"] == f"/acme-apps/{DEV}/"
        assert (
            role_change["change"]["after"]["permissions_boundary"] == platform_outputs["app_permissions_boundary_arn"]
        )
        assert sorted(t for t, a in platform.values()) == ["aws_iam_role", "aws_iam_role_policy"], platform
        assert {tuple(a) for _, a in platform.values()} == {("delete",)}, platform
        assert (plans[DEV]["create"], plans[DEV]["update"], plans[DEV]["delete"], plans[DEV]["replace"]) == (2, 1, 0, 0)
        assert (plans["platform"]["delete"], plans["platform"]["replace"]) == (2, 0)

        # 4. Apply exactly those plans, in the documented order: the instance, then the platform.
        step = time.monotonic()
        terraform = emulator_terraform(find_terraform(), Workspace(workdir.resolve()), lambda _line: None, 20)
        terraform.apply_plan(DEV, Path(plans[DEV]["plan_file"]))
        own_role = aws("iam").get_role(RoleName=f"{DEV}-function")["Role"]
        function = aws("lambda").get_function_configuration(FunctionName=outputs["function_name"])
        assert function["Role"] == own_role["Arn"] != shared_role_arn
        assert aws("iam").get_role(RoleName=shared_role_arn.rsplit("/", 1)[1])  # still there for the others
        terraform.apply_plan("platform", Path(plans["platform"]["plan_file"]))
        e2e_timings["migration: apply (instance, then platform)"] = time.monotonic() - step
        with pytest.raises(aws("iam").exceptions.NoSuchEntityException):
            aws("iam").get_role(RoleName=shared_role_arn.rsplit("/", 1)[1])
        assert resource_ids(workdir, DEV, KEPT_TYPES) == kept_before  # same resources, same ids (the API's too)
        item = aws("dynamodb").get_item(TableName=outputs["table_name"], Key={"id": {"S": "kept"}})["Item"]
        assert item["name"] == {"S": "survives the move"}
        assert {k: v["value"] for k, v in state(workdir, DEV)["outputs"].items()}["api_endpoint"] == outputs[
            "api_endpoint"
        ]

        # 5. Nothing left to do.
        step = time.monotonic()
        second = local_plan(project, workdir)
        e2e_timings["migration: second local plan"] = time.monotonic() - step
        for stack, row in second.items():
            assert changes(row["plan"]) == {}, f"{stack}: {changes(row['plan'])}"
            assert (row["create"], row["update"], row["delete"], row["replace"]) == (0, 0, 0, 0)
    finally:
        step = time.monotonic()
        down = main(project, "local", "down", "--workdir", str(workdir)) if emu.running(workdir) else None
        e2e_timings["migration: local down"] = time.monotonic() - step
    assert down is not None and down.returncode == 0, (
        f"local down failed:\n{down and down.stdout}\n{down and down.stderr}"
    )
    for path in sorted((workdir / "terraform-state").glob("*.tfstate")):
        left = [r["type"] for r in json.loads(path.read_text())["resources"] if r["mode"] == "managed"]
        assert left == [], f"{path.name} still holds {left}"
    assert emu.running(workdir) is None and not _running(pid)
    leftovers = [
        p.name for p in Path("/proc").iterdir() if p.name.isdigit() and _running(int(p.name)) and _runs_in(p, workdir)
    ]
    assert leftovers == [], f"processes still running in {workdir}: {leftovers}"
