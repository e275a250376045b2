"""``plan`` and ``apply`` with the real terraform binary, on small stacks of ``terraform_data`` resources
(no provider download, no cloud): dependency order, summary lines, exit statuses, the Markdown summary,
and real state in the local backend and in an S3 backend (moto's S3 server), read back by ``status``
and ``orphans``.
"""

from __future__ import annotations

import json
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
