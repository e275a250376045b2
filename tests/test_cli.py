"""The command line as users run it: exit codes, one-line errors, nothing half-written."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import REPO, copy_project

from main import cli


def run(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO / "main.py"), "--root", str(root), *args], capture_output=True, text=True, timeout=600
    )


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    return {
        str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_validate_and_list_on_the_repo():
    runner = CliRunner()
    result = runner.invoke(cli, ["validate"])
    assert result.exit_code == 0 and "3 instance file(s) are valid" in result.output
    rows = json.loads(runner.invoke(cli, ["list", "--json"]).output)
    assert {r["name"] for r in rows} == {
        "john-inventory-dev",
        "team-backend-inventory-staging",
        "team-backend-inventory-prod",
    }
    dev = [r for r in rows if r["name"] == "john-inventory-dev"][0]
    assert dev == {
        "name": "john-inventory-dev",
        "team": "team-backend",
        "environment": "dev",
        "region": "us-east-2",
        "base_name": "john-inventory-dev",
        "url": "https://apps.example.com/john-inventory-dev/",
        "api": "john-inventory-dev-api",
        "table": "john-inventory-dev",
        "group": "john-inventory-dev-users",
        "file": "instances/john-inventory-dev.yaml",
    }
    table = runner.invoke(cli, ["list"]).output.splitlines()
    assert table[0].split() == ["NAME", "TEAM", "ENVIRONMENT", "REGION", "BASE_NAME", "URL", "API", "TABLE", "GROUP"]
    assert len(table) == 4


def test_checked_in_schemas_match_the_validator():
    runner = CliRunner()
    assert json.loads(runner.invoke(cli, ["schema"]).output) == json.loads(
        (REPO / "schemas/instance.schema.json").read_text()
    )
    assert json.loads(runner.invoke(cli, ["schema", "--platform"]).output) == json.loads(
        (REPO / "schemas/platform.schema.json").read_text()
    )


def test_new_writes_a_valid_instance_and_refuses_bad_input(tmp_path):
    root = copy_project(tmp_path / "p")
    runner = CliRunner()
    ok = runner.invoke(
        cli,
        [
            "--root",
            str(root),
            "new",
            "--team",
            "team-data",
            "--app",
            "orders",
            "--env",
            "staging",
            "--developer",
            "ana",
            "--region",
            "us-west-2",
        ],
    )
    assert ok.exit_code == 0, ok.output
    written = root / "instances" / "team-data-orders-staging.yaml"
    assert 'region: "us-west-2"' in written.read_text()
    assert runner.invoke(cli, ["--root", str(root), "validate"]).exit_code == 0
    before = sorted(p.name for p in (root / "instances").iterdir())
    bad = runner.invoke(
        cli, ["--root", str(root), "new", "--team", "t", "--app", "a", "--env", "qa", "--developer", "d"]
    )
    assert bad.exit_code == 1
    assert "instances/t-a-qa.yaml: spec.environment: got 'qa', expected one of dev, staging, prod" in bad.output
    again = runner.invoke(
        cli,
        [
            "--root",
            str(root),
            "new",
            "--team",
            "team-data",
            "--app",
            "orders",
            "--env",
            "staging",
            "--developer",
            "ana",
        ],
    )
    assert again.exit_code == 1 and "expected a name not used by an existing file" in again.output
    assert sorted(p.name for p in (root / "instances").iterdir()) == before


def test_synth_with_bad_input_exits_1_with_one_line_errors_and_leaves_output_untouched(tmp_path):
    root = copy_project(tmp_path / "p")
    out = root / "cdktf.out"
    (out / "stacks" / "platform").mkdir(parents=True)
    (out / "stacks" / "platform" / "cdk.tf.json").write_text('{"sentinel": true}')
    before = snapshot(out)
    (root / "instances" / "broken.yaml").write_text(
        "apiVersion: kro.run/v1alpha1\nkind: SmartInventoryHubV5\nspec: {environment: qa}\n"
    )
    done = run(root, "synth")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert "instances/broken.yaml: spec.environment: got 'qa', expected one of dev, staging, prod" in lines
    assert lines[-1].endswith("; nothing was written")
    assert snapshot(out) == before
    assert not [p for p in root.iterdir() if ".synth-" in p.name]


def test_synth_unknown_instance_is_a_usage_error(tmp_path):
    root = copy_project(tmp_path / "p")
    result = CliRunner().invoke(cli, ["--root", str(root), "synth", "--instance", "nope"])
    assert result.exit_code == 1
    assert (
        "--instance: got 'nope', expected one of: john-inventory-dev, team-backend-inventory-prod, team-backend-inventory-staging"
        in result.output
    )
    assert not (root / "cdktf.out").exists()


def test_synth_twice_is_byte_identical_and_touches_nothing(tmp_path):
    from helpers import synth_project

    root = copy_project(tmp_path / "p")
    out = synth_project(root)
    first = snapshot(out)
    synth_project(root)
    assert snapshot(out) == first  # same bytes, same mtimes: nothing rewritten


def test_partial_synth_writes_only_the_named_instance(tmp_path):
    from helpers import synth_project

    root = copy_project(tmp_path / "p")
    out = synth_project(root, instances=frozenset({"john-inventory-dev"}), with_platform=False)
    assert sorted(p.name for p in (out / "stacks").iterdir()) == ["john-inventory-dev"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert list(manifest["stacks"]) == ["john-inventory-dev"]
    synth_project(root)
    manifest = json.loads((out / "manifest.json").read_text())
    assert sorted(manifest["stacks"]) == [
        "john-inventory-dev",
        "platform",
        "team-backend-inventory-prod",
        "team-backend-inventory-staging",
    ]


def test_full_synth_removes_a_stack_without_state_and_keeps_one_with_state(tmp_path):
    from helpers import synth_project

    root = copy_project(tmp_path / "p")
    out = synth_project(root)
    (root / "instances" / "john-inventory-dev.yaml").unlink()
    (root / "instances" / "team-backend-inventory-prod.yaml").unlink()
    (root / "terraform-state").mkdir()
    (root / "terraform-state" / "team-backend-inventory-prod.tfstate").write_text('{"version": 4}')
    synth_project(root)
    stacks = sorted(p.name for p in (out / "stacks").iterdir())
    assert stacks == ["platform", "team-backend-inventory-prod", "team-backend-inventory-staging"]
    assert "team-backend-inventory-prod" in json.loads((out / "manifest.json").read_text())["stacks"]


@pytest.mark.parametrize(
    "args,message",
    [
        (["synth", "--out"], "Option '--out' requires an argument"),
        (["frobnicate"], "No such command 'frobnicate'"),
    ],
)
def test_cli_usage_errors(args, message):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2 and message in result.output


@pytest.mark.parametrize(
    "break_it,message",
    [
        (
            lambda root: (root / "cloudfront_function" / "viewer_request.js").unlink(),
            "cloudfront_function/viewer_request.js: cannot read file: No such file or directory",
        ),
        (
            lambda root: (root / "ui" / "inventory" / "notes.xyz").write_text("?"),
            "ui/inventory/notes.xyz: got extension '.xyz', expected one of ",
        ),
    ],
)
def test_missing_or_unknown_app_sources_are_a_one_line_error(tmp_path, break_it, message):
    root = copy_project(tmp_path / "p")
    break_it(root)
    done = run(root, "synth")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.splitlines()[0].startswith(message)
    assert not (root / "cdktf.out").exists()
