"""The CLI's contract on every command, and one regression test per item of issue 15 that needs no Terraform
run (plan and apply's are in test_workflow_plan.py): exit codes, one-line errors, JSON, the README's table."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from helpers import REPO, REPO_SOURCES, copy_project
from workflow_helpers import commit, edit, git, make_repo, write_state

from main import cli

DEV = "john-inventory-dev"


def invoke(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input)


def command_paths(
    group: click.Group = cli, prefix: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((prefix + (name,), command))
        if isinstance(command, click.Group):
            found.extend(command_paths(command, prefix + (name,)))
    return found


COMMANDS = command_paths()
LEAVES = [(path, command) for path, command in COMMANDS if not isinstance(command, click.Group)]
#: Commands that print no result: a server running in the foreground until interrupted.
NO_RESULT = {("local", "serve")}
#: The arguments each command needs to get past click to its own checks.
REQUIRED = {
    ("changed",): ["--base", "main"],
    ("diff",): ["--base", "main"],
    ("graph",): ["platform"],
    ("new",): ["--team", "t", "--app", "a", "--env", "dev", "--developer", "d"],
    ("local", "user", "add"): ["someone@example.com", "--app", "x"],
    ("summary", "merge"): ["summaries", "--shards", "0"],
}


def ids(items):
    return [" ".join(path) for path, _ in items]


@pytest.fixture(scope="module")
def broken(tmp_path_factory) -> Path:
    """A project whose platform.yaml is invalid: every command that reads the project fails on it."""
    root = copy_project(tmp_path_factory.mktemp("broken"))
    edit(root / "platform.yaml", "homeRegion: us-east-2", "homeRegion: mars-1")
    return root


def assert_no_traceback(result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception


@pytest.mark.parametrize("path,command", COMMANDS, ids=ids(COMMANDS))
def test_every_command_has_help(path, command):
    result = invoke(*path, "--help")
    assert result.exit_code == 0
    assert_no_traceback(result)
    assert result.stdout.startswith(f"Usage: cli {' '.join(path)}") or result.stdout.startswith("Usage: ")


@pytest.mark.parametrize("path,command", LEAVES, ids=ids(LEAVES))
def test_a_bad_option_is_a_usage_error_also_in_json(path, command):
    result = invoke(*path, "--no-such-option")
    assert result.exit_code == 2
    assert_no_traceback(result)
    assert result.stderr.splitlines()[-1] == "Error: No such option '--no-such-option'."
    if any(p.name == "as_json" for p in command.params):
        result = invoke(*path, "--json", "--no-such-option")
        assert result.exit_code == 2
        assert json.loads(result.stdout) == {"error": "No such option '--no-such-option'.", "problems": []}


def test_every_command_that_prints_a_result_takes_json():
    lacking = [
        " ".join(p) for p, c in LEAVES if p not in NO_RESULT and not any(param.name == "as_json" for param in c.params)
    ]
    assert lacking == []


RESULT_LEAVES = [(p, c) for p, c in LEAVES if p not in NO_RESULT]


@pytest.mark.parametrize("path,command", RESULT_LEAVES, ids=ids(RESULT_LEAVES))
def test_json_on_a_broken_project_is_one_document_and_the_text_error_is_one_line(path, command, broken, tmp_path):
    extra = ["--workdir", str(tmp_path / "w")] if path[0] == "local" else []
    result = invoke("--root", str(broken), *path, *REQUIRED.get(path, []), *extra, "--json")
    assert_no_traceback(result)
    assert result.exit_code in (0, 1)
    document = json.loads(result.stdout)  # exactly one JSON document on stdout
    if result.exit_code == 1:
        assert document["error"] and isinstance(document["problems"], list)
        assert document["problems"] == [
            {"file": "platform.yaml", "field": "homeRegion", "message": document["problems"][0]["message"]}
        ]
        assert result.stderr.splitlines()[-1] == f"error: {document['error']}"
        assert result.stderr.splitlines()[-1] == "error: 1 problem found" + (
            "; nothing was written" if path[0] in ("synth", "new") else "; nothing was started" * (path[-1] == "up")
        )
    else:
        assert path in (("schema",), ("local", "status"), ("local", "down"), ("summary", "merge"))  # no project read


@pytest.mark.parametrize(
    "args",
    [["validate"], ["list"], ["schema"], ["status"], ["orphans"], ["local", "status"], ["changed", "--base", "HEAD"]],
)
def test_json_results_on_a_valid_project(args, tmp_path):
    root = make_repo(tmp_path / "repo")
    for name in REPO_SOURCES:
        shutil.copytree(REPO / name, root / name)
    result = invoke("--root", str(root), *args, "--json")
    assert result.exit_code == 0, result.output
    json.loads(result.stdout)


# --- 12: the README's command table is --help -------------------------------------------------------------


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text()
    table = text.split("### Commands (`python main.py --help`)", 1)[1].split("\n\n", 2)[1]
    return [row.split(" | ")[0] for row in table.splitlines()[2:]]


@pytest.mark.parametrize("path,command", LEAVES, ids=ids(LEAVES))
def test_readme_lists_every_command_and_option(path, command):
    name = " ".join(path)
    cells = " ".join(cell for cell in readme_commands() if re.search(rf"`{re.escape(name)}(`| )", cell))
    assert cells, f"README's command table has no row for {name}"
    for param in command.params:
        if isinstance(param, click.Option):
            flags = [f for f in param.opts + param.secondary_opts if f.startswith("--")]
            assert any(flag in cells for flag in flags), f"README: {name} lacks {flags}"


def test_readme_lists_no_command_that_does_not_exist():
    known = {" ".join(path) for path, _ in LEAVES}
    named = {
        m.group(1)
        for cell in readme_commands()
        for m in re.finditer(r"`((?:local (?:user )?|summary )?[a-z][a-z-]*)", cell)
    }
    assert named <= known, named - known
    assert "`--root DIR` (before the command)" in (REPO / "README.md").read_text()


def test_graph_out_given_a_diagram_file_says_it_is_the_synth_folder(tmp_path):
    result = invoke("graph", "platform", "--out", str(tmp_path / "f.md"))
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"error: --out: got '{tmp_path / 'f.md'}', expected the synth output folder to read; "
        "the diagram's file is -o/--output"
    )
    assert not (tmp_path / "f.md").exists()


def test_status_on_the_cloud_backend_reads_terraform_login_credentials(tmp_path, monkeypatch):
    from generator.model import BackendSettings
    from generator.states import CloudStates, StateUnavailable

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("TFE_TOKEN", raising=False)
    monkeypatch.delenv("TF_TOKEN_app_terraform_io", raising=False)
    backend = BackendSettings(type="cloud", state_dir="", organization="acme", hostname="app.terraform.io")
    with pytest.raises(StateUnavailable, match="expected terraform login app.terraform.io"):
        CloudStates(backend)
    (tmp_path / ".terraform.d").mkdir()
    (tmp_path / ".terraform.d" / "credentials.tfrc.json").write_text(
        json.dumps({"credentials": {"app.terraform.io": {"token": "from-login"}}})
    )
    assert CloudStates(backend).token == "from-login"
    monkeypatch.setenv("TF_TOKEN_my__tfe_example_com", "from-env")  # Terraform's encoding: - is __, . is _
    other = BackendSettings(type="cloud", state_dir="", organization="acme", hostname="my-tfe.example.com")
    assert CloudStates(other).token == "from-env"


def test_status_json_on_the_cloud_backend_without_credentials_is_json(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("TFE_TOKEN", raising=False)
    monkeypatch.delenv("TF_TOKEN_app_terraform_io", raising=False)
    root = copy_project(
        tmp_path / "p",
        {"backend:\n  type: local\n  stateDir: terraform-state": "backend:\n  type: cloud\n  organization: acme"},
    )
    for command in ("status", "orphans"):
        result = invoke("--root", str(root), command, "--json")
        assert result.exit_code == 1
        assert json.loads(result.stdout)["error"].startswith("cloud: no API token for app.terraform.io")


# --- 3: new without --region --------------------------------------------------------------------------------


def test_new_without_region_uses_the_platform_home_region(tmp_path):
    root = copy_project(
        tmp_path / "p",
        {"homeRegion: us-east-2\nregions: [us-east-2, us-west-2]": "homeRegion: eu-west-1\nregions: [eu-west-1]"},
    )
    for name in ("john-inventory-dev", "team-backend-inventory-staging", "team-backend-inventory-prod"):
        (root / "instances" / f"{name}.yaml").unlink()
    result = invoke(
        "--root", str(root), "new", "--team", "team-data", "--app", "orders", "--env", "dev", "--developer", "ana"
    )
    assert result.exit_code == 0, result.output
    assert 'region: "eu-west-1"' in (root / "instances" / "ana-orders-dev.yaml").read_text()
    (root / "instances" / "bare.yaml").write_text(
        "apiVersion: kro.run/v1alpha1\nkind: SmartInventoryHubV5\nmetadata: {name: bare, namespace: kro-serverless-stack}\n"
        "spec: {teamName: t, developerName: d, appName: bare, environment: dev}\n"
    )
    assert invoke("--root", str(root), "validate").exit_code == 0
    rows = {r["name"]: r for r in json.loads(invoke("--root", str(root), "list", "--json").stdout)}
    assert rows["bare"]["region"] == "eu-west-1"
    schema = json.loads((REPO / "schemas" / "instance.schema.json").read_text())
    region = schema["properties"]["spec"]["properties"]["region"]
    assert "default" not in region and region["description"].endswith("Default: the platform's homeRegion.")


# --- 4: no tracebacks ----------------------------------------------------------------------------------------


def test_synth_out_in_an_unwritable_place_is_one_line():
    result = invoke("synth", "--out", "/proc/foo")
    assert result.exit_code == 1
    assert_no_traceback(result)
    assert result.stderr.splitlines() == [
        "error: --out /proc/foo: cannot write the synth output there (No such file or directory); nothing was written"
    ]


def test_an_unexpected_error_is_one_line(monkeypatch):
    from generator.cli import project_cmds

    def boom(_project):
        raise RuntimeError("disk on fire\nsecond line")

    monkeypatch.setattr(project_cmds, "instance_rows", boom)
    result = invoke("list")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: unexpected RuntimeError: disk on fire second line (set GENERATOR_DEBUG=1 for the traceback)"
    ]


@pytest.mark.parametrize(
    "error,line",
    [
        (PermissionError(13, "Permission denied", "/p/instances/a.yaml"), "/p/instances/a.yaml: Permission denied"),
        (OSError(18, "Invalid cross-device link", "/a", None, "/b"), "/a -> /b: Invalid cross-device link"),
        (OSError(28, "No space left on device"), "No space left on device"),
        (OSError("the disk went away"), "the disk went away"),
    ],
)
def test_an_os_error_is_one_line_naming_the_file_also_in_json(monkeypatch, error, line):
    from generator.cli import project_cmds

    def fails(_project):
        raise error

    monkeypatch.setattr(project_cmds, "instance_rows", fails)
    result = invoke("list")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"error: {line}"]
    result = invoke("list", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {"error": line, "problems": []}


@pytest.mark.parametrize("command", [("local", "serve"), ("local", "user", "add", "a@example.com", "--app", DEV)])
def test_commands_on_a_running_emulator_say_to_start_it_first(tmp_path, command):
    result = invoke(*command, "--workdir", str(tmp_path / "w"))
    assert result.exit_code == 1
    assert_no_traceback(result)
    assert result.stderr.splitlines() == [
        f"error: the emulator is not running in {tmp_path / 'w'}; expected `python main.py local up` first"
    ]


# --- 7: --root ---------------------------------------------------------------------------------------------


def test_root_missing_app_sources_are_all_listed_up_front(tmp_path):
    root = tmp_path / "p"
    root.mkdir()
    (root / "platform.yaml").write_text((REPO / "platform.yaml").read_text())
    result = invoke("--root", str(root), "validate")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"cloudfront_function: missing folder in {root}, expected the viewer-request CloudFront Function",
        "instances: missing folder, expected a folder of instance YAML files",
        f"lambda_code: missing folder in {root}, expected the inventory API's code (the Lambda bundle)",
        f"ui/auth: missing folder in {root}, expected the shared sign-in callback and logout pages",
        f"ui/inventory: missing folder in {root}, expected the app's UI template",
        f"ui/site: missing folder in {root}, expected the platform's home and not-found pages",
        "error: 6 problems found",
    ]


def test_new_under_another_root_points_at_the_real_schema(tmp_path):
    root = copy_project(tmp_path / "elsewhere" / "p")
    result = invoke("--root", str(root), "new", "--team", "t", "--app", "a", "--env", "dev", "--developer", "d")
    assert result.exit_code == 0, result.output
    first = (root / "instances" / "d-a-dev.yaml").read_text().splitlines()[0]
    reference = first.removeprefix("# yaml-language-server: $schema=")
    assert (root / "instances" / reference).resolve() == REPO / "schemas" / "instance.schema.json"


# --- 2, 8: diff ----------------------------------------------------------------------------------------------


@pytest.fixture
def repo(tmp_path) -> Path:
    return make_repo(tmp_path / "repo")


def test_diff_renaming_the_platform_on_s3_gives_no_backend_advice(tmp_path):
    root = make_repo(tmp_path / "repo", platform_extra="")
    edit(
        root / "platform.yaml",
        "backend:\n  type: local\n  stateDir: terraform-state",
        "backend:\n  type: s3\n  bucket: acme-tfstate",
    )
    commit(root, "s3")
    edit(root / "platform.yaml", "name: acme-apps", "name: acme-web")
    result = invoke("--root", str(root), "diff", "--base", "HEAD", "--json")
    assert result.exit_code == 1
    fields = [(r["stack"], r["field"]) for r in json.loads(result.stdout)["replacements"]]
    assert fields == [("platform", "cognito.domainPrefix"), ("platform", "name")]  # no ("platform", "backend")


def test_diff_switching_the_backend_still_advises_migrate_state(repo):
    edit(
        repo / "platform.yaml",
        "backend:\n  type: local\n  stateDir: terraform-state",
        "backend:\n  type: s3\n  bucket: acme-tfstate",
    )
    result = invoke("--root", str(repo), "diff", "--base", "main")
    assert result.exit_code == 1
    assert (
        f"replace    platform: backend: 'local {repo}/terraform-state' -> 's3://acme-tfstate/serverless-platform/ (us-east-2)' replaces where every workspace's state lives: run terraform init -migrate-state in each workspace, or Terraform plans to create everything again"
        in result.stdout.splitlines()
    )


def test_diff_on_a_removed_instance_says_it_is_orphaned(repo):
    git(repo, "rm", "-q", f"instances/{DEV}.yaml")
    result = invoke("--root", str(repo), "diff", "--base", "main")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"orphaned   {DEV}: instances/{DEV}.yaml removed: its workspace is orphaned; its table {DEV} and its other "
        f"resources stay until destroyed (after the merge, python main.py --root {repo} orphans prints the destroy commands)",
        "no edit since main replaces a resource",
    ]


def test_diff_on_a_metadata_name_rename_prints_the_state_move(repo):
    (repo / "instances" / f"{DEV}.yaml").rename(repo / "instances" / "john-dev.yaml")
    edit(repo / "instances" / "john-dev.yaml", f"name: {DEV}", "name: john-dev")
    result = invoke("--root", str(repo), "diff", "--base", "main")
    assert result.exit_code == 1
    assert "''s" not in result.stdout
    assert result.stdout.splitlines() == [
        f"replace    john-dev: metadata.name: '{DEV}' -> 'john-dev' replaces the workspace: the new one re-creates "
        f"{DEV} while the state of workspace {DEV} still owns it; to keep the data, move that state to john-dev "
        f"before its first plan (commands below), or destroy {DEV} first",
        f"    mv terraform-state/{DEV}.tfstate terraform-state/john-dev.tfstate",
    ]


# --- 10: outside a git repository -----------------------------------------------------------------------------


def test_changed_outside_a_git_repository_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    root = copy_project(tmp_path / "p")
    result = invoke("--root", str(root), "changed", "--base", "main")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: {root}: not a git repository, expected the project folder inside a git clone "
        "(changed, diff and --base compare the working tree with a git revision)"
    ]


# --- 11: orphans exit code, validate's closing line -----------------------------------------------------------


def test_orphans_found_exit_1_with_the_commands(repo):
    write_state(repo / "terraform-state", "gone-app", resources=2)
    result = invoke("--root", str(repo), "orphans")
    assert result.exit_code == 1
    assert (
        result.stdout.splitlines()[0]
        == "orphan     gone-app: 2 resource(s) in "
        + str(repo / "terraform-state" / "gone-app.tfstate")
        + "; destroy with:"
    )
    assert result.stderr.splitlines() == [
        "error: 1 orphaned workspace(s) found: gone-app; destroy them with the commands above (or restore their YAML)"
    ]


def test_validate_never_says_nothing_was_written(tmp_path):
    root = copy_project(tmp_path / "p")
    edit(root / "instances" / f"{DEV}.yaml", "environment: dev", "environment: qa")
    result = invoke("--root", str(root), "validate", "--json")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "error: 1 problem found"
    document = json.loads(result.stdout)
    assert document == {
        "error": "1 problem found",
        "problems": [
            {
                "file": f"instances/{DEV}.yaml",
                "field": "spec.environment",
                "message": "got 'qa', expected one of dev, staging, prod",
            }
        ],
        "valid": False,
    }


# --- 1, 9: local (without running the emulator) ---------------------------------------------------------------


def test_local_copy_keeps_yaml_12_strings_and_names_the_users_file(tmp_path):
    from generator.errors import ValidationFailed
    from generator.local.workspace import Workspace, write_local_project

    # `off` is a boolean in YAML 1.1 (PyYAML) and a string in YAML 1.2, our reader's dialect.
    root = copy_project(tmp_path / "p", {"mfa: optional": "mfa: off"})
    edit(root / "instances" / f"{DEV}.yaml", "developerName: john", "developerName: on")
    workspace = Workspace(root / ".local")
    project = write_local_project(root, workspace, "Z0123456789EMU", None)
    assert project.platform.cognito.mfa == "OFF"  # read as the string "off" (Cognito's OFF), not as false
    assert project.instance(DEV).developer == "on"
    with pytest.raises(ValidationFailed) as failed:
        write_local_project(root, workspace, "not-a-zone", None)
    (problem,) = failed.value.problems
    assert (problem.file, problem.field) == ("platform.yaml", "hostedZoneId")
    assert problem.message.endswith(f"(in the emulator's copy, {workspace.project_dir / 'platform.yaml'})")


def test_local_failure_note_follows_the_error(tmp_path):
    from generator.cli.local_cmds import _guarded
    from generator.cli.output import CliError
    from generator.errors import Problem, ValidationFailed
    from generator.local.session import CLEANUP_NOTE

    def fails():
        failure = ValidationFailed([Problem("platform.yaml", "hostedZoneId", "got 'x', expected Z...")])
        setattr(failure, CLEANUP_NOTE, "the emulator was stopped and its state discarded")
        raise failure

    with pytest.raises(CliError) as error:
        _guarded(fails)
    assert error.value.message == "1 problem found; the emulator was stopped and its state discarded"
    with pytest.raises(CliError) as error:
        _guarded(lambda: (_ for _ in ()).throw(ValidationFailed([Problem("a", "b", "c")])))
    assert error.value.message == "1 problem found; nothing was started"


def test_local_status_marks_orphans_and_skips_destroyed_apps(tmp_path):
    root = copy_project(tmp_path / "p")
    state = root / ".local" / "terraform-state"
    write_state(state, "platform", resources=3)
    write_state(state, DEV, resources=0)  # destroyed by local down
    write_state(state, "gone-app", resources=4, outputs={"table_name": "gone-app"})
    result = invoke("--root", str(root), "local", "status", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["apps"] == [
        {
            "name": "gone-app",
            "url": "-",
            "api_endpoint": "-",
            "table": "gone-app",
            "resources": 4,
            "local_url": "-",
            "status": "orphan (no YAML)",
        }
    ]
    text = invoke("--root", str(root), "local", "status")
    assert text.stderr.splitlines() == [
        f"orphan     gone-app: its instance file is gone but it is still applied in the emulator; restore the file, "
        f"or drop it with python main.py --root {root} local down, then python main.py --root {root} local up"
    ]


def test_local_apply_prints_apply_complete_once(tmp_path):
    from generator.local.session import apply_stack
    from generator.local.workspace import Workspace
    from generator.runner import Terraform

    fake = tmp_path / "terraform"
    fake.write_text(
        '#!/bin/sh\ncase "$1" in\n  plan) exit 1;;\n'  # up plans and applies in one command
        "  apply) echo 'x: Creation complete after 1s'; echo 'Apply complete! Resources: 1 added, 0 changed, 0 destroyed.';;\n"
        "esac\n"
    )
    fake.chmod(0o755)
    workspace = Workspace(tmp_path / "w")
    (workspace.outdir / "stacks" / "app").mkdir(parents=True)
    workspace.data_dir("app").mkdir(parents=True)
    said: list[str] = []
    terraform = Terraform(str(fake), workspace.stack_dir, workspace.logs_dir, echo=said.append)
    summary = apply_stack(terraform, workspace, "app")
    assert summary.startswith("Apply complete! Resources: 1 added, 0 changed, 0 destroyed. (")
    assert said == ["  [app] applying", "  [app] x: Creation complete after 1s"]


def test_an_empty_folder_names_every_missing_part_in_json(tmp_path):
    """Each part of the layout the project lacks is one problem, field empty (a file or folder, not a setting)."""
    result = invoke("--root", str(tmp_path), "validate", "--json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    missing = f"missing folder in {tmp_path}, expected"
    assert document == {
        "error": "7 problems found",
        "problems": [
            {
                "file": "cloudfront_function",
                "field": "",
                "message": f"{missing} the viewer-request CloudFront Function",
            },
            {"file": "instances", "field": "", "message": "missing folder, expected a folder of instance YAML files"},
            {"file": "lambda_code", "field": "", "message": f"{missing} the inventory API's code (the Lambda bundle)"},
            {"file": "platform.yaml", "field": "", "message": "cannot read file: No such file or directory"},
            {"file": "ui/auth", "field": "", "message": f"{missing} the shared sign-in callback and logout pages"},
            {"file": "ui/inventory", "field": "", "message": f"{missing} the app's UI template"},
            {"file": "ui/site", "field": "", "message": f"{missing} the platform's home and not-found pages"},
        ],
        "valid": False,
    }


def test_json_applies_to_an_error_in_an_option_given_before_it(tmp_path):
    """--json is read first wherever it stands: a bad value given before it is still answered in JSON."""
    result = invoke("--root", str(tmp_path), "plan", "--shard", "9/2", "--json")
    assert result.exit_code == 2
    assert json.loads(result.stdout) == {
        "error": "Invalid value for '--shard': got '9/2', expected K/N with 1 <= K <= N (e.g. 2/5)",
        "problems": [],
    }


def test_json_says_in_the_help_what_each_command_prints():
    result = invoke("codeowners", "--help")
    assert "--json Print JSON: {file, status} (status: ok, unchanged or wrote). -h, --help" in words(result.output)


def test_out_must_be_a_folder_not_a_file(tmp_path):
    (tmp_path / "a-file").write_text("")
    result = invoke("synth", "--out", str(tmp_path / "a-file"))
    assert result.exit_code == 2
    assert f"Error: Invalid value for '--out': Directory '{tmp_path / 'a-file'}' is a file." in result.output
    assert "--out DIRECTORY Synth output folder. Default: $CDKTF_OUTDIR, else cdktf.out." in words(
        invoke("synth", "--help").output
    )


def words(text: str) -> str:
    """Help text with its wrapping undone (the width follows the terminal)."""
    return " ".join(text.split())


def test_shard_shows_its_form_and_purpose_in_the_help():
    assert (
        "--shard K/N Only the K-th of N balanced shards of the instance workspaces, by name; never the platform "
        "(CI matrix jobs; docs/workflow.md). -h, --help"
    ) in words(invoke("plan", "--help").output)
