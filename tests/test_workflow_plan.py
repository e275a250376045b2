"""``plan`` and ``apply`` with the real terraform binary, on small stacks of ``terraform_data`` resources
(no provider download, no cloud): dependency order, summary lines, exit statuses, the Markdown summary,
and real state in the local backend and in an S3 backend (moto's S3 server), read back by ``status``
and ``orphans``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from workflow_helpers import make_repo, run_cli

DEV = "john-inventory-dev"
PROD = "team-backend-inventory-prod"


@pytest.fixture(autouse=True)
def terraform_env(monkeypatch):
    from tf_cli import require_terraform
    from tf_cli import terraform_env as env

    require_terraform()
    for key in ("TF_CLI_CONFIG_FILE", "TF_IN_AUTOMATION", "CHECKPOINT_DISABLE"):
        monkeypatch.setenv(key, env()[key])


def write_stack(out: Path, name: str, backend: dict, resources: dict, outputs: dict | None = None) -> None:
    """A stack folder shaped like the synth output, with terraform_data resources only."""
    folder = out / "stacks" / name
    folder.mkdir(parents=True, exist_ok=True)
    document = {"terraform": {"backend": backend}, "resource": {"terraform_data": resources}}
    if outputs:
        document["output"] = {k: {"value": v} for k, v in outputs.items()}
    (folder / "cdk.tf.json").write_text(json.dumps(document))


def local_backend(root: Path, name: str) -> dict:
    return {"local": {"path": f"../../../terraform-state/{name}.tfstate"}}


@pytest.fixture
def project(tmp_path) -> Path:
    root = make_repo(tmp_path / "repo")
    out = root / "cdktf.out"
    write_stack(out, "platform", local_backend(root, "platform"), {"cdn": {"input": "shared"}})
    write_stack(
        out,
        DEV,
        local_backend(root, DEV),
        {"table": {"input": "t"}, "function": {"input": "${terraform_data.table.output}"}},
        {
            "app_url": "https://apps.example.com/john-inventory-dev/",
            "table_name": "${terraform_data.table.output}",
            "api_endpoint": "https://api.example.com",
        },
    )
    return root


# --- in-process, with a stand-in terraform (fast: these come first) ------------------------------


def change(address: str, *actions: str, mode: str | None = "managed") -> dict:
    """One entry of ``resource_changes`` in ``terraform show -json``; the type is the address's first part."""
    entry = {"address": address, "type": address.split(".")[-2], "change": {"actions": list(actions)}}
    if mode is not None:
        entry["mode"] = mode
    return entry


def fake_terraform(tmp_path: Path, plans: dict[str, list[dict]], fail: dict[str, str] | None = None) -> Path:
    """A stand-in terraform (a shell script: quick to start): appends ``<stack> <args>`` to ``tmp_path/calls``;
    ``plan -out=F`` writes F; ``show -json`` prints ``plans[stack]`` as resource_changes; the command
    ``fail[stack]`` fails (exit 1, one ``Error:`` diagnostic on stderr)."""
    shows, failing = tmp_path / "shows", tmp_path / "fail"
    shows.mkdir()
    failing.mkdir()
    for stack, changes in plans.items():
        (shows / f"{stack}.json").write_text(json.dumps({"resource_changes": changes}))
    for stack, command in (fail or {}).items():
        (failing / stack).write_text(command)
    fake = tmp_path / "terraform"
    fake.write_text(f"""#!/bin/sh
name=$(basename "$(pwd -P)")
echo "$name $*" >> '{tmp_path / "calls"}'
if [ "$(cat '{failing}'/"$name" 2>/dev/null)" = "$1" ]; then
    printf 'Error: Invalid backend\\n\\nThe bucket does not exist.\\n' >&2
    exit 1
fi
case "$1" in
    plan) for arg in "$@"; do case "$arg" in -out=*) echo plan > "${{arg#-out=}}";; esac; done; exit 2;;
    show) cat '{shows}'/"$name".json 2>/dev/null || echo '{{"resource_changes": []}}';;
esac
""")
    fake.chmod(0o755)
    return fake


def synthesized(tmp_path: Path, *stacks: str) -> Path:
    """An output folder with ``stacks/<name>/cdk.tf.json`` for each name."""
    out = tmp_path / "out"
    for name in stacks:
        (out / "stacks" / name).mkdir(parents=True)
        (out / "stacks" / name / "cdk.tf.json").write_text("{}")
    return out


def calls(tmp_path: Path, out: Path) -> list[str]:
    return (tmp_path / "calls").read_text().replace(str(out), "OUT").splitlines()


def test_apply_runs_init_plan_show_apply_per_workspace_platform_first(tmp_path):
    from generator.workflow import plan as workflow

    fake = fake_terraform(
        tmp_path,
        {"platform": [change("aws_s3_bucket.cdn", "create")], "a-app-dev": [change("aws_iam_role.r", "update")]},
    )
    out = synthesized(tmp_path, "platform", "a-app-dev", "b-app-dev")
    echoed: list[str] = []
    outcomes = workflow.run(
        out,
        ["b-app-dev", "platform", "a-app-dev", "b-app-dev"],
        apply=True,
        terraform=str(fake),
        echo=echoed.append,
        jobs=1,
    )
    assert calls(tmp_path, out) == [
        "platform init -no-color -input=false",
        "platform plan -no-color -input=false -detailed-exitcode -parallelism=10 "
        "-out=OUT/stacks/platform/tfplan -lock-timeout=5m",
        "platform show -no-color -json OUT/stacks/platform/tfplan",
        "platform apply -no-color -input=false -lock-timeout=5m -parallelism=10 OUT/stacks/platform/tfplan",
        "a-app-dev init -no-color -input=false",
        "a-app-dev plan -no-color -input=false -detailed-exitcode -parallelism=10 "
        "-out=OUT/stacks/a-app-dev/tfplan -lock-timeout=5m",
        "a-app-dev show -no-color -json OUT/stacks/a-app-dev/tfplan",
        "a-app-dev apply -no-color -input=false -lock-timeout=5m -parallelism=10 OUT/stacks/a-app-dev/tfplan",
        "b-app-dev init -no-color -input=false",
        "b-app-dev plan -no-color -input=false -detailed-exitcode -parallelism=10 "
        "-out=OUT/stacks/b-app-dev/tfplan -lock-timeout=5m",
        "b-app-dev show -no-color -json OUT/stacks/b-app-dev/tfplan",
    ]
    assert echoed == [
        "platform: terraform init",
        "platform: terraform plan",
        "platform: terraform apply",
        "a-app-dev: terraform init",
        "a-app-dev: terraform plan",
        "a-app-dev: terraform apply",
        "b-app-dev: terraform init",
        "b-app-dev: terraform plan",
    ]
    assert [o.line(False) for o in outcomes] == [
        "platform: 1 to add, 0 to change, 0 to destroy; applied",
        "a-app-dev: 0 to add, 1 to change, 0 to destroy; applied",
        "b-app-dev: 0 to add, 0 to change, 0 to destroy",
    ]
    assert [o.log for o in outcomes] == [str(out / "logs" / f"{s}.log") for s in ("platform", "a-app-dev", "b-app-dev")]
    assert (out / "logs" / "a-app-dev.log").read_text().startswith("\n$ terraform init -input=false\n")
    assert sorted(p.name for p in (out / "stacks").glob("*/*")) == ["cdk.tf.json"] * 3  # the saved plans are gone


def test_plan_alone_applies_nothing_and_plans_the_instances_after_a_failed_platform(tmp_path):
    from generator.workflow import plan as workflow

    fake = fake_terraform(tmp_path, {"a-app-dev": [change("aws_iam_role.r", "create")]}, fail={"platform": "plan"})
    out = synthesized(tmp_path, "platform", "a-app-dev")
    outcomes = workflow.run(out, ["a-app-dev", "platform"], terraform=str(fake), jobs=1)
    assert calls(tmp_path, out) == [
        "platform init -no-color -input=false",
        "platform plan -no-color -input=false -detailed-exitcode -parallelism=10 "
        "-out=OUT/stacks/platform/tfplan -lock-timeout=5m",
        "a-app-dev init -no-color -input=false",
        "a-app-dev plan -no-color -input=false -detailed-exitcode -parallelism=10 "
        "-out=OUT/stacks/a-app-dev/tfplan -lock-timeout=5m",
        "a-app-dev show -no-color -json OUT/stacks/a-app-dev/tfplan",
    ]
    platform, app = outcomes
    assert (platform.stack, platform.error, platform.detail) == (
        "platform",
        "Error: Invalid backend The bucket does not exist.",
        ["Error: Invalid backend", "The bucket does not exist."],
    )
    assert platform.line(False) == (
        f"platform: error: Error: Invalid backend The bucket does not exist. (full output: {out / 'logs' / 'platform.log'})"
    )
    assert (app.add, app.applied, app.error) == (1, False, None)


def test_a_failed_platform_apply_skips_every_instance_without_running_terraform(tmp_path):
    from generator.workflow import plan as workflow

    fake = fake_terraform(tmp_path, {"platform": [change("aws_s3_bucket.cdn", "create")]}, fail={"platform": "apply"})
    out = synthesized(tmp_path, "platform", "a-app-dev", "b-app-dev")
    outcomes = workflow.run(out, ["a-app-dev", "b-app-dev", "platform"], apply=True, terraform=str(fake), jobs=1)
    assert [c.split()[:2] for c in calls(tmp_path, out)] == [
        ["platform", "init"],
        ["platform", "plan"],
        ["platform", "show"],
        ["platform", "apply"],
    ]
    assert [(o.stack, o.error, o.log, o.applied) for o in outcomes] == [
        ("platform", "Error: Invalid backend The bucket does not exist.", str(out / "logs" / "platform.log"), False),
        ("a-app-dev", "skipped: the platform did not apply", None, False),
        ("b-app-dev", "skipped: the platform did not apply", None, False),
    ]
    assert not (out / "stacks" / "platform" / "tfplan").exists()


def test_instances_alone_run_without_the_platform(tmp_path):
    from generator.workflow import plan as workflow

    fake = fake_terraform(tmp_path, {"a-app-dev": [change("aws_iam_role.r", "create")]})
    out = synthesized(tmp_path, "a-app-dev")
    (outcome,) = workflow.run(out, ["a-app-dev"], apply=True, terraform=str(fake), jobs=0)
    assert (outcome.stack, outcome.applied, outcome.error) == ("a-app-dev", True, None)
    assert workflow.run(out, [], apply=True, terraform=str(fake)) == []


def test_a_workspace_that_was_not_synthesized_names_the_synth_command(tmp_path):
    from generator.workflow import plan as workflow

    fake = fake_terraform(tmp_path, {}, fail={"platform": "init"})
    out = synthesized(tmp_path, "platform", "b-app-dev")
    (out / "stacks" / "a-app-dev").mkdir()  # a folder without its cdk.tf.json
    outcomes = workflow.run(out, ["a-app-dev", "platform", "c-app-dev"], apply=True, terraform=str(fake), jobs=1)
    assert [(o.stack, o.error, o.log, o.seconds) for o in outcomes[1:]] == [
        ("a-app-dev", f"not synthesized in {out}, expected python main.py synth first", None, 0.0),
        ("c-app-dev", f"not synthesized in {out}, expected python main.py synth first", None, 0.0),
    ]
    (custom,) = workflow.run(out, ["c-app-dev"], terraform=str(fake), main="acme")
    assert custom.error == f"not synthesized in {out}, expected acme synth first"
    (platform,) = workflow.run(tmp_path / "empty", ["platform"], terraform=str(fake), main="acme")
    assert platform.error == f"not synthesized in {tmp_path / 'empty'}, expected acme synth first"
    assert custom.line(False) == f"c-app-dev: error: not synthesized in {out}, expected acme synth first"


def test_the_terraform_on_path_is_the_default(tmp_path, monkeypatch):
    from generator.workflow import plan as workflow

    fake_terraform(tmp_path, {"a-app-dev": [change("aws_iam_role.r", "create")]})
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")  # before the real terraform
    out = synthesized(tmp_path, "a-app-dev")
    (outcome,) = workflow.run(out, ["a-app-dev"])
    assert (outcome.add, outcome.applied, outcome.error) == (1, False, None)
    assert [c.split()[1] for c in calls(tmp_path, out)] == ["init", "plan", "show"]


def test_a_stateful_delete_is_applied_only_with_allow_replace(tmp_path):
    from generator.workflow import plan as workflow

    plans = {"a-app-dev": [change("aws_dynamodb_table.t", "delete", "create"), change("aws_s3_bucket.b", "delete")]}
    fake = fake_terraform(tmp_path, plans)
    out = synthesized(tmp_path, "a-app-dev")
    (blocked,) = workflow.run(out, ["a-app-dev"], apply=True, terraform=str(fake))
    assert blocked.error == (
        "not applied: destroys stateful aws_dynamodb_table.t, aws_s3_bucket.b, expected --allow-replace to confirm"
    )
    assert (blocked.add, blocked.change, blocked.destroy, blocked.applied) == (1, 0, 2, False)
    assert [c.split()[1] for c in calls(tmp_path, out)] == ["init", "plan", "show"]
    (allowed,) = workflow.run(out, ["a-app-dev"], apply=True, allow_replace=True, terraform=str(fake))
    assert (allowed.error, allowed.applied) == (None, True)
    assert allowed.line(True) == (
        "a-app-dev: 1 to add, 0 to change, 2 to destroy; destroys stateful aws_dynamodb_table.t, aws_s3_bucket.b "
        "(allowed by --allow-replace); applied"
    )
    (planned,) = workflow.run(out, ["a-app-dev"], terraform=str(fake))
    assert (planned.error, planned.applied, planned.stateful_deletes) == (
        None,
        False,
        ["aws_dynamodb_table.t", "aws_s3_bucket.b"],
    )


def test_allow_replace_applies_the_platforms_stateful_delete_too(tmp_path):
    from generator.workflow import plan as workflow

    fake = fake_terraform(tmp_path, {"platform": [change("aws_s3_bucket.cdn", "delete")]})
    out = synthesized(tmp_path, "platform")
    (blocked,) = workflow.run(out, ["platform"], apply=True, terraform=str(fake))
    assert (blocked.applied, blocked.error) == (
        False,
        "not applied: destroys stateful aws_s3_bucket.cdn, expected --allow-replace to confirm",
    )
    (allowed,) = workflow.run(out, ["platform"], apply=True, allow_replace=True, terraform=str(fake))
    assert (allowed.applied, allowed.error) == (True, None)


def test_apply_refuses_a_plan_that_differs_from_the_confirmed_one(tmp_path):
    from generator.workflow import plan as workflow

    plans = {
        "a-app-dev": [change("aws_iam_role.r", "update")],
        "b-app-dev": [change("aws_iam_role.r", "update")],
        "c-app-dev": [change("aws_iam_role.r", "create"), change("aws_iam_role.q", "delete")],
    }
    fake = fake_terraform(tmp_path, plans)
    out = synthesized(tmp_path, "a-app-dev", "b-app-dev", "c-app-dev", "d-app-dev")
    expected = {"a-app-dev": (0, 1, 0), "b-app-dev": (1, 0, 0), "d-app-dev": (0, 0, 0)}
    stacks = ["a-app-dev", "b-app-dev", "c-app-dev", "d-app-dev"]
    outcomes = workflow.run(out, stacks, apply=True, terraform=str(fake), jobs=1, expected=expected)
    assert [(o.stack, o.applied, o.error) for o in outcomes] == [
        ("a-app-dev", True, None),
        (
            "b-app-dev",
            False,
            "not applied: its plan changed since it was confirmed (now +0 ~1 -0, confirmed +1 ~0 -0); "
            "run apply again to review it",
        ),
        (
            "c-app-dev",
            False,
            "not applied: its plan changed since it was confirmed (now +1 ~0 -1, confirmed no changes); "
            "run apply again to review it",
        ),
        ("d-app-dev", False, None),
    ]
    assert [c.split()[:2] for c in calls(tmp_path, out) if "apply" in c] == [["a-app-dev", "apply"]]
    planned = workflow.run(out, stacks, terraform=str(fake), jobs=1, expected=expected)
    assert [(o.applied, o.error) for o in planned] == [(False, None)] * 4


def test_a_platform_plan_that_differs_from_the_confirmed_one_is_not_applied_and_skips_the_instances(tmp_path):
    from generator.workflow import plan as workflow

    fake = fake_terraform(tmp_path, {"platform": [change("aws_s3_bucket.cdn", "update")]})
    out = synthesized(tmp_path, "platform", "a-app-dev")
    expected = {"platform": (1, 0, 0), "a-app-dev": (0, 0, 0)}
    outcomes = workflow.run(out, ["a-app-dev", "platform"], apply=True, terraform=str(fake), expected=expected)
    assert [(o.stack, o.applied, o.error) for o in outcomes] == [
        (
            "platform",
            False,
            "not applied: its plan changed since it was confirmed (now +0 ~1 -0, confirmed +1 ~0 -0); "
            "run apply again to review it",
        ),
        ("a-app-dev", False, "skipped: the platform did not apply"),
    ]


def test_a_failed_init_records_why_and_leaves_no_plan_file(tmp_path):
    from generator.workflow import plan as workflow

    fake = fake_terraform(tmp_path, {}, fail={"a-app-dev": "init", "b-app-dev": "show"})
    out = synthesized(tmp_path, "a-app-dev", "b-app-dev")
    outcomes = workflow.run(out, ["a-app-dev", "b-app-dev"], apply=True, terraform=str(fake), jobs=1)
    assert [(o.stack, o.error, o.detail, o.applied) for o in outcomes] == [
        (
            "a-app-dev",
            "Error: Invalid backend The bucket does not exist.",
            ["Error: Invalid backend", "The bucket does not exist."],
            False,
        ),
        (
            "b-app-dev",
            "Error: Invalid backend The bucket does not exist.",
            ["Error: Invalid backend", "The bucket does not exist."],
            False,
        ),
    ]
    assert not (out / "stacks" / "b-app-dev" / "tfplan").exists()


def test_each_workspace_records_its_time_to_a_tenth_of_a_second(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from generator.workflow import plan as workflow

    fake = fake_terraform(tmp_path, {"a-app-dev": []})
    out = synthesized(tmp_path, "a-app-dev")
    clock = iter([100.0, 103.46])
    monkeypatch.setattr(workflow, "time", SimpleNamespace(monotonic=lambda: next(clock)))
    (outcome,) = workflow.run(out, ["a-app-dev"], terraform=str(fake))
    assert outcome.seconds == 3.5


def test_one_workspace_on_its_own_names_python_main_py_and_applies_without_a_confirmed_plan(tmp_path):
    from generator.runner import Terraform
    from generator.workflow import plan as workflow

    fake = fake_terraform(tmp_path, {"a-app-dev": [change("aws_iam_role.r", "create")]})
    out = synthesized(tmp_path, "a-app-dev")
    runner = Terraform(binary=str(fake), stack_dir=lambda stack: out / "stacks" / stack, logs_dir=out / "logs")
    missing = workflow.Outcome("b-app-dev")
    workflow._workspace(runner, out, missing, apply=True, allow_replace=False, skip=False)
    assert missing.error == f"not synthesized in {out}, expected python main.py synth first"
    applied = workflow.Outcome("a-app-dev")
    workflow._workspace(runner, out, applied, apply=True, allow_replace=False, skip=False)
    assert (applied.add, applied.applied, applied.error) == (1, True, None)


def test_instances_run_jobs_at_a_time_one_per_core_by_default(monkeypatch, tmp_path):
    from concurrent.futures import ThreadPoolExecutor
    from types import SimpleNamespace

    from generator.workflow import plan as workflow

    workers: list[int] = []

    def pool(max_workers):
        workers.append(max_workers)
        return ThreadPoolExecutor(max_workers=max_workers)

    monkeypatch.setattr(workflow, "ThreadPoolExecutor", pool)
    monkeypatch.setattr(workflow, "os", SimpleNamespace(cpu_count=lambda: 6))
    for jobs in (1, 3, None, 0):
        assert workflow.run(tmp_path, [], jobs=jobs) == []
    monkeypatch.setattr(workflow, "os", SimpleNamespace(cpu_count=lambda: None))  # unknown core count: one
    workflow.run(tmp_path, [])
    assert workers == [1, 3, 6, 6, 1]


def test_order_puts_the_platform_first_then_the_instances_by_name_once_each():
    from generator.workflow.plan import order

    assert order(["b-app-dev", "platform", "a-app-dev", "b-app-dev", "platform"]) == [
        "platform",
        "a-app-dev",
        "b-app-dev",
    ]
    assert order(["b-app-dev", "a-app-dev"]) == ["a-app-dev", "b-app-dev"]
    assert order(["platform"]) == ["platform"]
    assert order([]) == []


def test_count_changes_reads_each_kind_of_action():
    from generator.workflow.plan import count_changes

    plan = {
        "resource_changes": [
            change("aws_s3_bucket.z", "delete"),
            change("aws_iam_role.create", "create"),
            change("aws_iam_role.update", "update"),
            change("aws_iam_role.update_too", "update"),
            change("aws_iam_role.replace", "delete", "create"),
            change("aws_iam_role.create_first", "create", "delete"),
            change("aws_iam_role.noop", "no-op"),
            change("aws_iam_role.read", "read", mode="data"),
            change("aws_cognito_user_pool.p", "delete", mode=None),  # no mode: managed
            change("aws_dynamodb_table.d", "create", "delete"),
            change("aws_s3_bucket.gone", "delete", mode="data"),  # not a managed resource: no data lost
            change("aws_s3_object.o", "delete"),
        ]
    }
    assert count_changes(plan) == (
        4,
        2,
        7,
        ["aws_cognito_user_pool.p", "aws_dynamodb_table.d", "aws_s3_bucket.z"],
    )


def test_count_changes_of_an_empty_plan_and_of_entries_without_actions():
    from generator.workflow.plan import count_changes

    assert count_changes({}) == (0, 0, 0, [])
    assert count_changes({"resource_changes": [{"address": "a.b", "type": "a"}, {"change": {}}]}) == (0, 0, 0, [])


def test_outcome_line_for_each_result():
    from generator.workflow.plan import Outcome

    assert Outcome("a", 1, 2, 3).line(False) == "a: 1 to add, 2 to change, 3 to destroy"
    assert Outcome("a", add=1, applied=True).line(False) == "a: 1 to add, 0 to change, 0 to destroy; applied"
    two = Outcome("a", 0, 0, 2, ["aws_s3_bucket.b", "aws_dynamodb_table.t"])
    assert two.line(False) == (
        "a: 0 to add, 0 to change, 2 to destroy; destroys stateful aws_s3_bucket.b, aws_dynamodb_table.t "
        "(blocked: needs --allow-replace)"
    )
    assert two.line(True) == (
        "a: 0 to add, 0 to change, 2 to destroy; destroys stateful aws_s3_bucket.b, aws_dynamodb_table.t "
        "(allowed by --allow-replace)"
    )
    failed = Outcome("a", add=1, stateful_deletes=["aws_s3_bucket.b"], error="boom", applied=True)
    assert failed.line(True) == "a: error: boom"
    assert Outcome("a", error="boom", log="a.log").line(False) == "a: error: boom"  # nothing more to read in the log
    assert Outcome("a", error="boom", detail=["Error: boom"]).line(False) == "a: error: boom"
    assert Outcome("a", error="boom", log="a.log", detail=["Error: boom"]).line(False) == (
        "a: error: boom (full output: a.log)"
    )


def test_changes_is_any_add_change_or_destroy():
    from generator.workflow.plan import Outcome

    assert [Outcome("a", *counts).changes for counts in ((0, 0, 0), (1, 0, 0), (0, 1, 0), (0, 0, 1))] == [
        False,
        True,
        True,
        True,
    ]


def test_exit_status_fails_on_errors_and_blocked_deletes_and_is_2_for_pending_changes():
    from generator.workflow.plan import Outcome, exit_status

    clean, pending, applied = Outcome("a"), Outcome("b", change=1), Outcome("c", add=1, applied=True)
    blocked = Outcome("d", destroy=1, stateful_deletes=["aws_s3_bucket.b"])
    failed = Outcome("e", error="boom")
    table = [
        ([], False, True, 0),
        ([clean], False, True, 0),
        ([clean, pending], False, True, 2),
        ([clean, pending], False, False, 0),
        ([applied], False, True, 0),
        ([applied, pending], True, True, 2),
        ([blocked], False, False, 1),
        ([blocked], True, False, 0),
        ([blocked], True, True, 2),
        ([clean, failed], True, True, 1),
        ([failed], True, False, 1),
    ]
    assert [exit_status(outcomes, allow_replace, detailed) for outcomes, allow_replace, detailed, _ in table] == [
        status for *_, status in table
    ]


def test_markdown_is_one_row_per_workspace_in_the_given_order():
    from generator.workflow.plan import Outcome, markdown

    outcomes = [
        Outcome("b-app-dev", 1, 0, 2, ["aws_s3_bucket.b", "aws_dynamodb_table.t"]),
        Outcome("platform", 0, 1, 0),
        Outcome("a-app-dev", 1, 0, 0, applied=True),
        Outcome("c-app-dev", 2, 0, 0, ["aws_s3_bucket.x"], error="Error: a | b"),
        Outcome("d-app-dev"),
        Outcome("e-app-dev", 0, 0, 1, applied=True),
    ]
    assert markdown(outcomes, allow_replace=False, title="terraform plan") == (
        "### terraform plan\n"
        "\n"
        "| Workspace | Add | Change | Destroy | Result |\n"
        "|---|---:|---:|---:|---|\n"
        "| `b-app-dev` | 1 | 0 | 2 | **blocked**: destroys aws_s3_bucket.b, aws_dynamodb_table.t |\n"
        "| `platform` | 0 | 1 | 0 | changes |\n"
        "| `a-app-dev` | 1 | 0 | 0 | applied |\n"
        "| `c-app-dev` | - | - | - | error: Error: a / b |\n"
        "| `d-app-dev` | 0 | 0 | 0 | no changes |\n"
        "| `e-app-dev` | 0 | 0 | 1 | applied |\n"
    )
    assert markdown(outcomes[:1], allow_replace=True, title="t") == (
        "### t\n"
        "\n"
        "| Workspace | Add | Change | Destroy | Result |\n"
        "|---|---:|---:|---:|---|\n"
        "| `b-app-dev` | 1 | 0 | 2 | allowed: destroys aws_s3_bucket.b, aws_dynamodb_table.t |\n"
    )
    assert markdown([], allow_replace=False, title="t") == (
        "### t\n\n| Workspace | Add | Change | Destroy | Result |\n|---|---:|---:|---:|---|\n"
    )


# --- the real terraform binary -----------------------------------------------------------------


def test_plan_summarizes_each_workspace_platform_first(project):
    result = run_cli(project, "plan", DEV, "platform", "--markdown", str(project / "plan.md"))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "platform: 1 to add, 0 to change, 0 to destroy",
        f"{DEV}: 2 to add, 0 to change, 0 to destroy",
    ]
    assert (project / "plan.md").read_text().splitlines()[2:] == [
        "| Workspace | Add | Change | Destroy | Result |",
        "|---|---:|---:|---:|---|",
        "| `platform` | 1 | 0 | 0 | changes |",
        f"| `{DEV}` | 2 | 0 | 0 | changes |",
    ]
    assert run_cli(project, "plan", "platform", "--detailed-exitcode").exit_code == 2
    assert not (project / "terraform-state" / "platform.tfstate").exists()  # a plan writes no state


def test_apply_then_status_then_a_clean_plan(project):
    result = run_cli(project, "apply", "platform", DEV, "--auto-approve")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "platform: 1 to add, 0 to change, 0 to destroy; applied",
        f"{DEV}: 2 to add, 0 to change, 0 to destroy; applied",
    ]
    rows = {r["name"]: r for r in json.loads(run_cli(project, "status", "--json").stdout)}
    assert rows[DEV]["status"] == "applied"
    assert rows[DEV]["url"] == "https://apps.example.com/john-inventory-dev/" and rows[DEV]["table"] == "t"
    assert rows[PROD]["status"] == "not applied"
    again = run_cli(project, "plan", "platform", DEV, "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[1] == f"{DEV}: 0 to add, 0 to change, 0 to destroy"


def test_a_missing_workspace_fails_the_gate(project):
    result = run_cli(project, "plan", PROD)
    assert result.exit_code == 1
    assert (
        result.stdout.strip()
        == f"{PROD}: error: not synthesized in {project / 'cdktf.out'}, expected python main.py --root {project} synth first"
    )


def test_failed_platform_apply_skips_the_instances(project):
    write_stack(
        project / "cdktf.out",
        "platform",
        local_backend(project, "platform"),
        {"cdn": {"input": "${terraform_data.nope.output}"}},
    )
    result = run_cli(project, "apply", "platform", DEV, "--auto-approve", "--markdown", str(project / "apply.md"))
    assert result.exit_code == 1
    log = project / "cdktf.out" / "logs" / "platform.log"
    lines = [line for line in result.stdout.splitlines() if not line.startswith("    ")]
    assert lines[0].startswith("platform: error: Error: Reference to undeclared resource")
    assert lines[0].endswith(f"(full output: {log})")
    assert "    Error: Reference to undeclared resource" in result.stdout.splitlines()
    assert "Reference to undeclared resource" in log.read_text()  # the whole output is kept
    assert lines[1] == f"{DEV}: error: skipped: the platform did not apply"
    assert result.stderr.splitlines()[-1] == f"error: 2 workspace(s) failed: platform, {DEV}"
    rows = (project / "apply.md").read_text().splitlines()
    assert rows[4].startswith("| `platform` | - | - | - | error: Error: Reference to undeclared resource")


def test_apply_needs_auto_approve_when_not_on_a_terminal(project):
    result = run_cli(project, "apply", "platform", DEV)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: apply: not a terminal, so nobody can confirm the plan; expected --auto-approve to apply without "
        "confirmation (CI passes it); nothing was applied"
    )
    assert not (project / "terraform-state" / "platform.tfstate").exists()


def test_apply_on_a_terminal_shows_the_plan_and_asks_for_yes(project, monkeypatch):
    from click.testing import CliRunner

    from generator.cli import workflow_cmds
    from main import cli

    monkeypatch.setattr(workflow_cmds, "_interactive", lambda: True)
    refused = CliRunner().invoke(cli, ["--root", str(project), "apply", "platform"], input="y\n")
    assert refused.exit_code == 1
    assert "platform: 1 to add, 0 to change, 0 to destroy" in refused.stderr
    assert "Apply the changes above to 1 workspace(s)? Only 'yes' will be accepted" in refused.stderr
    assert refused.stderr.splitlines()[-1] == "error: apply: got 'y', expected 'yes' to confirm; nothing was applied"
    assert not (project / "terraform-state" / "platform.tfstate").exists()
    done = CliRunner().invoke(cli, ["--root", str(project), "apply", "platform"], input="yes\n")
    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines() == ["platform: 1 to add, 0 to change, 0 to destroy; applied"]
    assert (project / "terraform-state" / "platform.tfstate").exists()


def test_plan_and_apply_without_terraform_on_path_are_one_line(project, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    for command in (["plan"], ["apply", "--auto-approve"]):
        result = run_cli(project, *command)
        assert result.exit_code == 1
        assert result.stderr.splitlines() == [
            "error: terraform: not found on PATH; install Terraform >= 1.5 "
            "(https://developer.hashicorp.com/terraform/install) and put it on PATH; nothing was run"
        ]


def test_unknown_workspace_name_is_one_line(project):
    result = run_cli(project, "plan", "nope")
    assert result.exit_code == 1
    assert (
        result.output.strip()
        == f"error: NAME: got 'nope', expected one of: platform, {DEV}, {PROD}, team-backend-inventory-staging"
    )


def test_stateful_deletes_are_counted_and_block_without_allow_replace():
    from generator.workflow.plan import Outcome, count_changes, exit_status

    plan = {
        "resource_changes": [
            {
                "address": "aws_dynamodb_table.table_table_1",
                "type": "aws_dynamodb_table",
                "mode": "managed",
                "change": {"actions": ["delete", "create"]},
            },
            {
                "address": "aws_lambda_function.function",
                "type": "aws_lambda_function",
                "change": {"actions": ["update"]},
            },
            {"address": "aws_s3_object.x", "type": "aws_s3_object", "change": {"actions": ["delete"]}},
            {
                "address": "data.aws_caller_identity.me",
                "type": "aws_caller_identity",
                "mode": "data",
                "change": {"actions": ["read"]},
            },
            {"address": "aws_iam_role.r", "type": "aws_iam_role", "change": {"actions": ["no-op"]}},
        ]
    }
    assert count_changes(plan) == (1, 1, 2, ["aws_dynamodb_table.table_table_1"])
    outcome = Outcome("dev", 1, 1, 2, ["aws_dynamodb_table.table_table_1"])
    assert outcome.line(False) == (
        "dev: 1 to add, 1 to change, 2 to destroy; destroys stateful aws_dynamodb_table.table_table_1 "
        "(blocked: needs --allow-replace)"
    )
    assert exit_status([outcome], allow_replace=False, detailed=False) == 1
    assert exit_status([outcome], allow_replace=True, detailed=True) == 2


# --- the S3 backend, for real, against moto's S3 server ----------------------------------------


@pytest.fixture
def s3_server(monkeypatch):
    import boto3  # requirements-dev.txt: an ImportError here is a broken install, never a skip
    from moto.server import ThreadedMotoServer

    # Port 0: the server binds once, on a port the kernel picks, and keeps it (no probe-then-bind race).
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    endpoint = "http://{}:{}".format(*server.get_host_and_port())
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-2",
        "AWS_DEFAULT_REGION": "us-east-2",
        "AWS_ENDPOINT_URL_S3": endpoint,
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    try:
        client = boto3.client("s3", region_name="us-east-2")
        client.create_bucket(Bucket="acme-apps-tfstate", CreateBucketConfiguration={"LocationConstraint": "us-east-2"})
        yield endpoint, client
    finally:
        server.stop()


def s3_backend(endpoint: str, name: str) -> dict:
    """The generated s3 block (bucket, key, region, encrypt, use_lockfile) plus the emulator's endpoint settings."""
    return {
        "s3": {
            "bucket": "acme-apps-tfstate",
            "key": f"apps/{name}.tfstate",
            "region": "us-east-2",
            "encrypt": True,
            "use_lockfile": True,
            "endpoints": {"s3": endpoint},
            "use_path_style": True,
            "skip_credentials_validation": True,
            "skip_requesting_account_id": True,
            "skip_metadata_api_check": True,
        }
    }


def test_s3_backend_applies_reads_status_and_finds_orphans(tmp_path, s3_server):
    endpoint, client = s3_server
    root = make_repo(tmp_path / "repo", platform_extra="")
    text = (root / "platform.yaml").read_text()
    start = text.index("backend:\n")
    (root / "platform.yaml").write_text(
        text[:start] + "backend:\n  type: s3\n  bucket: acme-apps-tfstate\n  keyPrefix: apps\n"
    )
    out = root / "cdktf.out"
    write_stack(
        out,
        DEV,
        s3_backend(endpoint, DEV),
        {"table": {"input": "t"}},
        {"app_url": "https://apps.example.com/john-inventory-dev/", "table_name": "${terraform_data.table.output}"},
    )
    write_stack(out, "old-app-dev", s3_backend(endpoint, "old-app-dev"), {"table": {"input": "old"}})
    # old-app-dev has no YAML: apply it directly, as it was applied before its file was deleted.
    from generator.workflow import plan as terraform

    (old,) = terraform.run(out, ["old-app-dev"], apply=True)
    assert old.applied, old.error
    result = run_cli(root, "apply", DEV, "--auto-approve")
    assert result.exit_code == 0, result.output
    keys = sorted(o["Key"] for o in client.list_objects_v2(Bucket="acme-apps-tfstate")["Contents"])
    assert keys == ["apps/john-inventory-dev.tfstate", "apps/old-app-dev.tfstate"]  # lock files are gone after the run
    head = client.head_object(Bucket="acme-apps-tfstate", Key=f"apps/{DEV}.tfstate")
    assert head["ServerSideEncryption"] in ("AES256", "aws:kms")

    rows = {r["name"]: r for r in json.loads(run_cli(root, "status", "--json").stdout)}
    assert rows[DEV]["status"] == "applied" and rows[DEV]["table"] == "t"
    assert rows["old-app-dev"]["status"] == "orphan (no YAML)"
    orphans = json.loads(run_cli(root, "orphans", "--json").stdout)["orphans"]
    assert [(o["name"], o["state"], o["resources"]) for o in orphans] == [
        ("old-app-dev", "s3://acme-apps-tfstate/apps/old-app-dev.tfstate", 1)
    ]
    assert orphans[0]["destroy"][-1] == "terraform -chdir=cdktf.out/stacks/old-app-dev destroy"


def test_platform_first_then_instances_in_parallel(tmp_path):
    """A stand-in terraform logs when each workspace starts and ends: the platform is done before any
    instance starts, and two instances overlap when two jobs are allowed."""
    from generator.workflow import plan as workflow

    log = tmp_path / "log"
    fake = tmp_path / "terraform"
    fake.write_text(f"""#!{sys.executable}
import json, os, sys, time
name = os.path.basename(os.getcwd())
with open({str(log)!r}, "a") as f:
    f.write(f"{{sys.argv[1]}} {{name}} {{time.monotonic()}}\\n")
if sys.argv[1] == "plan":
    time.sleep(0.6)
if sys.argv[1] == "show":
    print(json.dumps({{"resource_changes": []}}))
""")
    fake.chmod(0o755)
    out = tmp_path / "out"
    for name in ("platform", "a-app-dev", "b-app-dev"):
        (out / "stacks" / name).mkdir(parents=True)
        (out / "stacks" / name / "cdk.tf.json").write_text("{}")
    outcomes = workflow.run(out, ["b-app-dev", "platform", "a-app-dev"], terraform=str(fake), jobs=2)
    assert [o.stack for o in outcomes] == ["platform", "a-app-dev", "b-app-dev"]
    assert all(o.error is None for o in outcomes), [o.error for o in outcomes]
    events = [line.split() for line in log.read_text().splitlines()]
    times = {(verb, name): float(t) for verb, name, t in events}
    platform_done = times[("show", "platform")]
    assert all(times[("init", app)] > platform_done for app in ("a-app-dev", "b-app-dev"))
    # both instances were planning at the same time
    assert times[("init", "b-app-dev")] < times[("show", "a-app-dev")]
    assert times[("init", "a-app-dev")] < times[("show", "b-app-dev")]
