"""The pull-request workflow commands' own logic (generator/cli/workflow_cmds.py: changed, diff, plan, apply,
orphans, status, graph, tfe-bootstrap) with the expensive parts stood in for: the Terraform runs
(``generator.workflow.plan.run``, or a shell-script terraform on PATH), the synth and the bootstrap synth; git is
the real one, on a temporary repository. Which workspaces each combination of options runs, what is refused
before anything runs, and exactly what each command prints, in text and JSON, with which exit code. Terraform's
and git's own behaviour is test_workflow_plan.py's and test_workflow_git.py's; this file runs in seconds."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from helpers import REPO, REPO_SOURCES
from test_workflow_plan import change, fake_terraform
from workflow_helpers import edit, git, make_repo, outcome_json, write_state

from generator import synth as synth_module
from generator.cli import workflow_cmds
from generator.workflow import bootstrap as bootstrap_module
from generator.workflow import plan as planner
from generator.workflow.plan import Outcome
from main import cli

DEV = "john-inventory-dev"
PROD = "team-backend-inventory-prod"
STAGING = "team-backend-inventory-staging"
EVERY = ["platform", DEV, PROD, STAGING]
#: 2026-01-01 00:00 UTC, the modification time given to state files whose date is printed.
NEW_YEAR = 1767225600


def invoke(root: Path, *args: str, input: str | None = None):
    return CliRunner().invoke(cli, ["--root", str(root), *args], input=input)


@pytest.fixture(autouse=True)
def no_outdir_from_the_environment(monkeypatch):
    monkeypatch.delenv("CDKTF_OUTDIR", raising=False)


@pytest.fixture
def repo(tmp_path) -> Path:
    """The example project committed on main in a fresh repository (edit it freely)."""
    return make_repo(tmp_path / "repo")


@pytest.fixture(scope="module")
def unchanged(tmp_path_factory) -> Path:
    """The example project committed on main, never edited (for the tests that only read it)."""
    return make_repo(tmp_path_factory.mktemp("unchanged") / "repo")


def base_commit(root: Path) -> str:
    return git(root, "rev-parse", "main")[:12]


# ---------------------------------------------------------------- changed


def test_changed_names_each_affected_and_removed_workspace_with_its_reason(repo):
    edit(repo / "instances" / f"{DEV}.yaml", "spec:", "  labels: {a: b}\nspec:")
    (repo / "instances" / f"{STAGING}.yaml").unlink()
    result = invoke(repo, "changed", "--base", "main")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"since main ({base_commit(repo)}):",
        f"changed    {DEV}: instances/{DEV}.yaml changed",
        f"removed    {STAGING}: removed (instances/{STAGING}.yaml): its workspace keeps its resources until destroyed",
    ]
    assert result.stderr == ""


def test_changed_with_nothing_changed_or_only_a_removal(repo):
    result = invoke(repo, "changed", "--base", "main")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"since main ({base_commit(repo)}):", "no workspace is affected"]
    (repo / "instances" / f"{PROD}.yaml").unlink()
    result = invoke(repo, "changed", "--base", "main")
    assert result.stdout.splitlines() == [  # a removal affects a workspace: no "no workspace is affected"
        f"since main ({base_commit(repo)}):",
        f"removed    {PROD}: removed (instances/{PROD}.yaml): its workspace keeps its resources until destroyed",
    ]


def test_changed_json_is_the_change_set_with_the_matrix(repo):
    edit(repo / "instances" / f"{DEV}.yaml", "spec:", "  labels: {a: b}\nspec:")
    (repo / "instances" / f"{STAGING}.yaml").unlink()
    result = invoke(repo, "changed", "--base", "main", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "base": "main",
        "base_commit": git(repo, "rev-parse", "main"),
        "platform": False,
        "instances": [DEV],
        "added": [],
        "removed": [STAGING],
        "global_paths": [],
        "reasons": {
            DEV: f"instances/{DEV}.yaml changed",
            STAGING: f"removed (instances/{STAGING}.yaml): its workspace keeps its resources until destroyed",
        },
        "stacks": [DEV],
        "shards": 1,
        "matrix": ["1/1"],
    }
    assert result.stderr == ""


@pytest.fixture(scope="module")
def platform_edited(tmp_path_factory) -> Path:
    """platform.yaml edited in the working tree: every workspace is affected."""
    root = make_repo(tmp_path_factory.mktemp("platform-edited") / "repo")
    edit(root / "platform.yaml", "selfSignUp: false", "selfSignUp: true")
    return root


@pytest.mark.parametrize(
    "args,matrix",
    [
        ([], ["1/1"]),
        (["--per-shard", "2"], ["1/2", "2/2"]),  # 3 instances, 2 per shard: rounded up
        (["--per-shard", "3"], ["1/1"]),
        (["--per-shard", "1"], ["1/3", "2/3", "3/3"]),
        (["--per-shard", "1", "--max-shards", "2"], ["1/2", "2/2"]),
        (["--max-shards", "1", "--per-shard", "1"], ["1/1"]),
    ],
)
def test_changed_sizes_the_matrix_from_the_affected_instances(platform_edited, args, matrix):
    result = invoke(platform_edited, "changed", "--base", "main", "--json", *args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["stacks"], data["shards"], data["matrix"]) == (EVERY, len(matrix), matrix)


def test_changed_with_nothing_changed_needs_no_shard(unchanged):
    result = invoke(unchanged, "changed", "--base", "main", "--json", "--per-shard", "1")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["stacks"], data["shards"], data["matrix"]) == ([], 0, [])


def test_changed_shard_json_is_that_shards_instances_only(platform_edited):
    result = invoke(platform_edited, "changed", "--base", "main", "--json", "--shard", "1/2")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "base": "main",
        "base_commit": git(platform_edited, "rev-parse", "main"),
        "platform": False,
        "instances": [DEV, PROD],
        "added": [],
        "removed": [],
        "global_paths": ["platform.yaml"],
        "reasons": {
            "platform": "changed: platform.yaml",
            DEV: "platform or generator changed (platform.yaml)",
            PROD: "platform or generator changed (platform.yaml)",
            STAGING: "platform or generator changed (platform.yaml)",
        },
        "stacks": [DEV, PROD],
        "shard": "1/2",
        "shards": 1,
        "matrix": ["1/1"],
    }


def test_changed_shard_text_lists_that_shards_instances_only(platform_edited):
    result = invoke(platform_edited, "changed", "--base", "main", "--shard", "2/2")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"since main ({base_commit(platform_edited)}):",
        f"changed    {STAGING}: platform or generator changed (platform.yaml)",
    ]
    result = invoke(platform_edited, "changed", "--base", "main")
    assert result.stdout.splitlines()[1:] == [
        "changed    platform: changed: platform.yaml",
        f"changed    {DEV}: platform or generator changed (platform.yaml)",
        f"changed    {PROD}: platform or generator changed (platform.yaml)",
        f"changed    {STAGING}: platform or generator changed (platform.yaml)",
    ]


@pytest.mark.parametrize(
    "args,error",
    [
        ([], "Error: Missing option '--base'."),
        (["--base", "main", "--per-shard", "0"], "Error: Invalid value for '--per-shard': 0 is not in the range x>=1."),
        (
            ["--base", "main", "--max-shards", "0"],
            "Error: Invalid value for '--max-shards': 0 is not in the range x>=1.",
        ),
    ],
)
def test_changed_usage_errors(unchanged, args, error):
    result = invoke(unchanged, "changed", *args)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == error


def test_changed_help_shows_the_matrix_defaults(unchanged):
    words = " ".join(invoke(unchanged, "changed", "--help").stdout.split())
    assert "Affected instance workspaces per shard when sizing the CI matrix. [default: 25; x>=1]" in words
    assert "At most this many shards (the runners you can give one change). [default: 20; x>=1]" in words


def test_changed_from_an_unknown_base_is_one_line_also_in_json(unchanged):
    message = (
        "--base: got 'nope', expected a git revision of this repository (fetch it first, e.g. git fetch origin main)"
    )
    result = invoke(unchanged, "changed", "--base", "nope")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"error: {message}\n")
    result = invoke(unchanged, "changed", "--base", "nope", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {"error": message, "problems": []}


# ---------------------------------------------------------------- diff


def removed_line(root: Path, stack: str) -> str:
    return (
        f"orphaned   {stack}: instances/{stack}.yaml removed: its workspace is orphaned; its table {stack} and its "
        f"other resources stay until destroyed (after the merge, python main.py --root {root} orphans prints the "
        "destroy commands)"
    )


def test_diff_text_lists_replacements_removals_and_fails_on_a_replacement(repo):
    edit(repo / "instances" / f"{PROD}.yaml", "environment: prod", "environment: prod\n  region: us-west-2")
    edit(repo / "platform.yaml", "cognito:\n", "cognito:\n  domainPrefix: acme-login\n")  # loses no data
    (repo / "instances" / f"{STAGING}.yaml").unlink()
    lines = [
        "replace    platform: cognito.domainPrefix: 'acme-apps-auth' -> 'acme-login' replaces the hosted sign-in "
        "domain (its URL changes)",
        f"replace    {PROD}: spec.region: 'us-east-2' -> 'us-west-2' replaces every resource of the instance in the "
        "new region (the table's items are lost)",
        removed_line(repo, STAGING),
    ]
    result = invoke(repo, "diff", "--base", "main")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == lines
    assert result.stderr.splitlines() == [  # one of them loses data: said
        "error: 2 edit(s) replace resources (destroying data); expected --allow-replace to accept them"
    ]
    result = invoke(repo, "diff", "--base", "main", "--allow-replace")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == lines
    assert result.stderr == ""


def test_diff_of_replacements_that_lose_no_data_does_not_say_destroying_data(repo):
    edit(repo / "platform.yaml", "cognito:\n", "cognito:\n  domainPrefix: acme-login\n")
    result = invoke(repo, "diff", "--base", "main")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "replace    platform: cognito.domainPrefix: 'acme-apps-auth' -> 'acme-login' replaces the hosted sign-in domain "
        "(its URL changes)"
    ]
    assert result.stderr.splitlines() == ["error: 1 edit(s) replace resources; expected --allow-replace to accept them"]


def test_diff_prints_the_commands_that_keep_the_data_and_the_in_place_updates(repo):
    (repo / "instances" / f"{DEV}.yaml").rename(repo / "instances" / "john-dev.yaml")
    edit(repo / "instances" / "john-dev.yaml", f"name: {DEV}", "name: john-dev")
    edit(repo / "platform.yaml", "isolation: perInstance", "isolation: shared")
    result = invoke(repo, "diff", "--base", "main", "--allow-replace")
    assert result.exit_code == 0, result.output
    shared = (
        "destroys the app's own roles and points its function at the shared role in place; no table, function, API "
        "or prefix is replaced (every app can then reach every app)"
    )
    assert result.stdout.splitlines() == [
        f"replace    john-dev: metadata.name: '{DEV}' -> 'john-dev' replaces the workspace: the new one re-creates "
        f"{DEV} while the state of workspace {DEV} still owns it; to keep the data, move that state to john-dev "
        f"before its first plan (commands below), or destroy {DEV} first",
        f"    mv terraform-state/{DEV}.tfstate terraform-state/john-dev.tfstate",
        f"update     {PROD}: isolation: 'perInstance' -> 'shared' {shared}",
        f"update     {STAGING}: isolation: 'perInstance' -> 'shared' {shared}",
        "update     platform: isolation: 'perInstance' -> 'shared' creates the shared Lambda execution role: apply "
        "the platform first, then the instances",
    ]


def test_diff_with_nothing_replaced(repo):
    edit(repo / "platform.yaml", "isolation: perInstance", "isolation: shared")
    result = invoke(repo, "diff", "--base", "main")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "no edit since main replaces a resource"
    assert len(result.stdout.splitlines()) == 5  # three updates, then that line
    result = invoke(repo, "diff", "--base", "main", "--json")
    assert result.exit_code == 0, result.output
    shared = (
        "destroys the app's own roles and points its function at the shared role in place; no table, function, "
        "API or prefix is replaced (every app can then reach every app)"
    )
    assert json.loads(result.stdout) == {
        "replacements": [],
        "removed": [],
        "updates": [
            {"stack": DEV, "field": "isolation", "before": "perInstance", "after": "shared", "effect": shared},
            {"stack": PROD, "field": "isolation", "before": "perInstance", "after": "shared", "effect": shared},
            {"stack": STAGING, "field": "isolation", "before": "perInstance", "after": "shared", "effect": shared},
            {
                "stack": "platform",
                "field": "isolation",
                "before": "perInstance",
                "after": "shared",
                "effect": "creates the shared Lambda execution role: apply the platform first, then the instances",
            },
        ],
    }


def test_diff_of_a_removal_alone_replaces_nothing(repo):
    (repo / "instances" / f"{DEV}.yaml").unlink()
    result = invoke(repo, "diff", "--base", "main")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [removed_line(repo, DEV), "no edit since main replaces a resource"]


def test_diff_json_is_the_replacements_and_removals_also_when_it_fails(repo):
    edit(repo / "instances" / f"{PROD}.yaml", "environment: prod", "environment: prod\n  region: us-west-2")
    (repo / "instances" / f"{STAGING}.yaml").unlink()
    result = {
        "replacements": [
            {
                "stack": PROD,
                "field": "spec.region",
                "before": "us-east-2",
                "after": "us-west-2",
                "effect": "every resource of the instance in the new region (the table's items are lost)",
                "loses_data": True,
                "keep": [],
            }
        ],
        "removed": [{"stack": STAGING, "file": f"instances/{STAGING}.yaml", "table": STAGING}],
        "updates": [],
    }
    failed = invoke(repo, "diff", "--base", "main", "--json")
    assert failed.exit_code == 1
    message = "1 edit(s) replace resources (destroying data); expected --allow-replace to accept them"
    assert json.loads(failed.stdout) == {"error": message, "problems": [], **result}
    assert failed.stderr == f"error: {message}\n"
    allowed = invoke(repo, "diff", "--base", "main", "--json", "--allow-replace")
    assert allowed.exit_code == 0, allowed.output
    assert json.loads(allowed.stdout) == result
    assert allowed.stderr == ""


def test_diff_needs_a_base_that_exists(unchanged):
    result = invoke(unchanged, "diff")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == "Error: Missing option '--base'."
    result = invoke(unchanged, "diff", "--base", "nope")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "error: --base: got 'nope', expected a git revision of this repository (fetch it first, e.g. git fetch "
        "origin main)\n"
    )


# ---------------------------------------------------------------- plan and apply: the Terraform runs stood in for


class Planner:
    """``generator.workflow.plan.run``: records each call; answers ``answers[i]`` to the i-th call (stack ->
    Outcome fields; a stack not named gets a clean Outcome); echoes one progress line per stack."""

    def __init__(self, *answers: dict[str, dict]):
        self.answers = list(answers)
        self.calls: list[tuple[list[str], bool, dict | None]] = []
        self.outdirs: list[Path] = []
        self.common: list[dict] = []

    def __call__(self, outdir, stacks, apply=False, expected=None, **common):
        self.calls.append((list(stacks), apply, expected))
        self.outdirs.append(outdir)
        echo = common.pop("echo")
        self.common.append(common)
        answer = self.answers[len(self.calls) - 1] if len(self.calls) <= len(self.answers) else {}
        outcomes = []
        for stack in planner.order(stacks):
            echo(f"{stack}: terraform {'apply' if apply else 'plan'}")
            outcomes.append(Outcome(stack, **answer.get(stack, {})))
        return outcomes


@pytest.fixture
def terraform(tmp_path, monkeypatch) -> Path:
    """A terraform on PATH that only records that it ran (the stood-in runs never start it)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    binary = folder / "terraform"
    binary.write_text(f"#!/bin/sh\necho \"$*\" >> '{tmp_path / 'terraform-ran'}'\n")
    binary.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    yield binary
    assert not (tmp_path / "terraform-ran").exists()


def stand_in(monkeypatch, *answers: dict[str, dict]) -> Planner:
    fake = Planner(*answers)
    monkeypatch.setattr(planner, "run", fake)
    return fake


@pytest.fixture
def runs(monkeypatch, terraform) -> Planner:
    """Every Terraform run stood in for, answering clean outcomes."""
    return stand_in(monkeypatch)


def main_of(root: Path) -> str:
    return f"python main.py --root {root}"


@pytest.mark.parametrize(
    "args,stacks,ordered",
    [
        ([], EVERY, EVERY),
        ([DEV], [DEV], [DEV]),
        ([STAGING, "platform"], [STAGING, "platform"], ["platform", STAGING]),
        (["--shard", "1/2"], [DEV, PROD], [DEV, PROD]),
        (["--shard", "2/2"], [STAGING], [STAGING]),
        (["--shard", "1/1", "platform", PROD], [PROD], [PROD]),  # a shard never holds the platform
        (["--base", "main"], EVERY, EVERY),  # --base alone selects nothing
    ],
)
@pytest.mark.parametrize("command", [["plan"], ["apply", "--auto-approve"]])
def test_each_combination_of_options_runs_these_workspaces(unchanged, runs, terraform, command, args, stacks, ordered):
    result = invoke(unchanged, *command, *args)
    assert result.exit_code == 0, result.output
    apply = command[0] == "apply"
    assert runs.calls == [(stacks, apply, None)]
    assert runs.outdirs == [unchanged / "cdktf.out"]
    assert runs.common == [
        {"allow_replace": False, "terraform": str(terraform), "jobs": None, "main": main_of(unchanged)}
    ]
    assert result.stdout.splitlines() == [
        f"{stack}: 0 to add, 0 to change, 0 to destroy" for stack in ordered
    ]  # nothing changes: nothing applied
    assert result.stderr.splitlines() == [f"{stack}: terraform {command[0]}" for stack in ordered]


def test_options_reach_the_runs(unchanged, runs, terraform, tmp_path, monkeypatch):
    result = invoke(unchanged, "plan", DEV, "--allow-replace", "--jobs", "3", "--out", str(tmp_path / "o"))
    assert result.exit_code == 0, result.output
    monkeypatch.setenv("CDKTF_OUTDIR", str(tmp_path / "from-env"))
    assert invoke(unchanged, "plan", DEV).exit_code == 0
    assert invoke(unchanged, "plan", DEV, "--out", str(tmp_path / "o")).exit_code == 0  # --out wins
    assert runs.outdirs == [tmp_path / "o", tmp_path / "from-env", tmp_path / "o"]
    main = main_of(unchanged)
    assert runs.common == [
        {"allow_replace": True, "terraform": str(terraform), "jobs": 3, "main": main},
        {"allow_replace": False, "terraform": str(terraform), "jobs": None, "main": main},
        {"allow_replace": False, "terraform": str(terraform), "jobs": None, "main": main},
    ]


def test_changed_runs_the_workspaces_changed_lists(repo, runs):
    edit(repo / "instances" / f"{PROD}.yaml", "spec:", "  labels: {a: b}\nspec:")
    assert invoke(repo, "plan", "--changed", "--base", "main").exit_code == 0
    assert invoke(repo, "apply", "--auto-approve", "--changed", "--base", "main").exit_code == 0
    edit(repo / "platform.yaml", "selfSignUp: false", "selfSignUp: true")
    assert invoke(repo, "plan", "--changed", "--base", "main").exit_code == 0
    assert invoke(repo, "plan", "--changed", "--base", "main", "--shard", "2/2").exit_code == 0
    assert runs.calls == [([PROD], False, None), ([PROD], True, None), (EVERY, False, None), ([STAGING], False, None)]


NO_PLAN_MARKDOWN = (
    "### terraform plan: no workspace affected\n"
    "\n"
    "| Workspace | Add | Change | Destroy | Result |\n"
    "|---|---:|---:|---:|---|\n"
)


@pytest.mark.parametrize(
    "args,verb",
    [
        (["plan", "--changed", "--base", "main"], "plan"),
        (["plan", "--shard", "4/4"], "plan"),  # three instances: the fourth shard is empty
        (["apply", "--shard", "4/4"], "apply"),  # nothing to confirm: no --auto-approve needed
        (["apply", "--shard", "4/4", "--auto-approve", "--detailed-exitcode"], "apply"),
    ],
)
def test_nothing_to_run_says_so_and_needs_no_terraform(unchanged, monkeypatch, tmp_path, args, verb):
    runs = stand_in(monkeypatch)
    git_only = tmp_path / "git-only"  # no terraform on PATH: not needed; git for --changed
    git_only.mkdir()
    (git_only / "git").symlink_to(shutil.which("git"))
    monkeypatch.setenv("PATH", str(git_only))
    markdown = tmp_path / "summary.md"
    result = invoke(unchanged, *args, "--markdown", str(markdown))
    assert result.exit_code == 0, result.output
    assert (result.stdout, result.stderr) == (f"no workspace to {verb}\n", "")
    assert markdown.read_text() == NO_PLAN_MARKDOWN.replace("terraform plan", f"terraform {verb}")
    result = invoke(unchanged, *args, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"workspaces": []}
    assert runs.calls == []


@pytest.mark.parametrize(
    "args,error",
    [
        (
            ["plan", "--changed"],
            "--changed: got no --base, expected --base <git ref> to compare with (e.g. --base origin/main)",
        ),
        (
            ["apply", "--changed"],
            "--changed: got no --base, expected --base <git ref> to compare with (e.g. --base origin/main)",
        ),
        (
            ["plan", "--changed", "--base", "main", DEV],
            "NAME: got names together with --changed, expected one or the other",
        ),
        (["plan", "nope"], f"NAME: got 'nope', expected one of: platform, {DEV}, {PROD}, {STAGING}"),
        (["apply", DEV, "Platform"], f"NAME: got 'Platform', expected one of: platform, {DEV}, {PROD}, {STAGING}"),
        (
            ["apply", DEV],
            "apply: not a terminal, so nobody can confirm the plan; expected --auto-approve to apply without "
            "confirmation (CI passes it); nothing was applied",
        ),
        (
            ["apply", "--detailed-exitcode", "--allow-replace"],
            "apply: not a terminal, so nobody can confirm the plan; expected --auto-approve to apply without "
            "confirmation (CI passes it); nothing was applied",
        ),
        (
            ["plan", "--base", "nope", "--changed"],
            "--base: got 'nope', expected a git revision of this repository (fetch it first, e.g. git fetch "
            "origin main)",
        ),
    ],
)
def test_refusals_run_and_write_nothing(unchanged, runs, tmp_path, args, error):
    markdown = tmp_path / "summary.md"
    result = invoke(unchanged, *args, "--markdown", str(markdown))
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"error: {error}\n")
    result = invoke(unchanged, *args, "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {"error": error, "problems": []}
    assert runs.calls == []
    assert not markdown.exists()


@pytest.mark.parametrize("command", [["plan"], ["apply", "--auto-approve"]])
def test_without_terraform_on_path_nothing_runs(unchanged, monkeypatch, tmp_path, command):
    runs = stand_in(monkeypatch)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = invoke(unchanged, *command, DEV, "--markdown", str(tmp_path / "summary.md"))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "error: terraform: not found on PATH; install Terraform >= 1.5 "
        "(https://developer.hashicorp.com/terraform/install) and put it on PATH; nothing was run\n"
    )
    assert runs.calls == []
    assert not (tmp_path / "summary.md").exists()


@pytest.mark.parametrize(
    "args,error",
    [
        (["--jobs", "0"], "Error: Invalid value for '--jobs': 0 is not in the range x>=1."),
        (["--shard", "0/2"], "Error: Invalid value for '--shard': got '0/2', expected K/N with 1 <= K <= N (e.g. 2/5)"),
        (["--markdown", "."], "Error: Invalid value for '--markdown': File '.' is a directory."),
    ],
)
def test_plan_usage_errors(unchanged, runs, args, error):
    result = invoke(unchanged, "plan", *args)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == error
    assert runs.calls == []


def test_plan_prints_one_line_per_workspace_and_exits_2_on_changes_with_detailed_exitcode(
    unchanged, monkeypatch, terraform
):
    answer = {PROD: {"change": 2, "seconds": 1.5}}
    runs = stand_in(monkeypatch, answer, answer, answer)
    result = invoke(unchanged, "plan", PROD, DEV)
    assert result.exit_code == 0, result.output
    lines = [f"{DEV}: 0 to add, 0 to change, 0 to destroy", f"{PROD}: 0 to add, 2 to change, 0 to destroy"]
    assert result.stdout.splitlines() == lines
    assert result.stderr.splitlines() == [f"{DEV}: terraform plan", f"{PROD}: terraform plan"]
    result = invoke(unchanged, "plan", PROD, DEV, "--detailed-exitcode")
    assert result.exit_code == 2
    assert result.stdout.splitlines() == lines
    result = invoke(unchanged, "plan", PROD, DEV, "--detailed-exitcode", "--json")
    assert result.exit_code == 2
    assert json.loads(result.stdout) == {"workspaces": [outcome_json(DEV), outcome_json(PROD, change=2, seconds=1.5)]}
    assert result.stderr.splitlines() == [f"{DEV}: terraform plan", f"{PROD}: terraform plan"]
    assert len(runs.calls) == 3


def test_a_failed_workspace_is_exit_1_with_its_lines_and_the_markdown_summary(
    unchanged, monkeypatch, terraform, tmp_path
):
    failed = {"error": "Error: boom", "log": "/logs/dev.log", "detail": ["Error: boom", "it broke"]}
    stand_in(monkeypatch, {DEV: failed, "platform": {"add": 1}}, {DEV: failed, "platform": {"add": 1}})
    markdown = tmp_path / "plan.md"
    result = invoke(unchanged, "plan", "platform", DEV, "--markdown", str(markdown), "--detailed-exitcode")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "platform: 1 to add, 0 to change, 0 to destroy",
        f"{DEV}: error: Error: boom (full output: /logs/dev.log)",
        "    Error: boom",
        "    it broke",
    ]
    assert result.stderr.splitlines() == [
        "platform: terraform plan",
        f"{DEV}: terraform plan",
        f"error: 1 workspace(s) failed: {DEV}",
    ]
    assert markdown.read_text() == (
        "### terraform plan\n"
        "\n"
        "| Workspace | Add | Change | Destroy | Result |\n"
        "|---|---:|---:|---:|---|\n"
        "| `platform` | 1 | 0 | 0 | changes |\n"
        f"| `{DEV}` | - | - | - | error: Error: boom |\n"
    )
    result = invoke(unchanged, "plan", "platform", DEV, "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "error": f"1 workspace(s) failed: {DEV}",
        "problems": [],
        "workspaces": [outcome_json("platform", add=1), outcome_json(DEV, **failed)],
    }
    assert result.stderr.splitlines()[-1] == f"error: 1 workspace(s) failed: {DEV}"


def test_a_stateful_delete_fails_the_gate_unless_allowed(unchanged, monkeypatch, terraform):
    blocked = {DEV: {"destroy": 1, "stateful_deletes": ["aws_dynamodb_table.t"]}}
    stand_in(monkeypatch, blocked, blocked, blocked)
    result = invoke(unchanged, "plan", DEV)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{DEV}: 0 to add, 0 to change, 1 to destroy; destroys stateful aws_dynamodb_table.t "
        "(blocked: needs --allow-replace)"
    ]
    assert result.stderr.splitlines()[-1] == f"error: {DEV} would destroy stateful data, expected --allow-replace"
    result = invoke(unchanged, "plan", DEV, "--allow-replace")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{DEV}: 0 to add, 0 to change, 1 to destroy; destroys stateful aws_dynamodb_table.t "
        "(allowed by --allow-replace)"
    ]
    assert invoke(unchanged, "plan", DEV, "--allow-replace", "--detailed-exitcode").exit_code == 2


def test_failures_and_blocked_deletes_are_named_together(unchanged, monkeypatch, terraform, tmp_path):
    answer = {
        "platform": {"error": "Error: no bucket"},
        DEV: {"destroy": 1, "stateful_deletes": ["aws_s3_bucket.b"]},
        PROD: {"destroy": 1, "stateful_deletes": ["aws_s3_bucket.c"], "error": "Error: denied"},  # failed, not blocked
        STAGING: {"destroy": 2, "stateful_deletes": ["aws_dynamodb_table.t", "aws_s3_bucket.s"]},
    }
    stand_in(monkeypatch, answer, answer)
    result = invoke(unchanged, "apply", "--auto-approve")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"error: 2 workspace(s) failed: platform, {PROD}; {DEV}, {STAGING} would destroy stateful data, "
        "expected --allow-replace"
    )
    result = invoke(unchanged, "apply", "--auto-approve", "--allow-replace")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == f"error: 2 workspace(s) failed: platform, {PROD}"


def test_apply_auto_approve_prints_the_applied_workspaces_and_the_markdown_says_apply(
    unchanged, monkeypatch, terraform, tmp_path
):
    runs = stand_in(monkeypatch, {DEV: {"add": 2, "applied": True}})
    markdown = tmp_path / "apply.md"
    result = invoke(unchanged, "apply", DEV, "--auto-approve", "--detailed-exitcode", "--markdown", str(markdown))
    assert result.exit_code == 0, result.output  # applied: nothing left to change
    assert result.stdout.splitlines() == [f"{DEV}: 2 to add, 0 to change, 0 to destroy; applied"]
    assert runs.calls == [([DEV], True, None)]
    assert markdown.read_text().splitlines() == [
        "### terraform apply",
        "",
        "| Workspace | Add | Change | Destroy | Result |",
        "|---|---:|---:|---:|---|",
        f"| `{DEV}` | 2 | 0 | 0 | applied |",
    ]


# ---------------------------------------------------------------- apply on a terminal: plan, confirm, apply


@pytest.mark.parametrize("stdin,stderr,expected", [(True, True, True), (True, False, False), (False, True, False)])
def test_a_person_can_answer_only_with_stdin_and_stderr_on_a_terminal(monkeypatch, stdin, stderr, expected):
    monkeypatch.setattr(sys, "stdin", SimpleNamespace(isatty=lambda: stdin))
    monkeypatch.setattr(sys, "stderr", SimpleNamespace(isatty=lambda: stderr))
    assert workflow_cmds._interactive() is expected


@pytest.fixture
def terminal(monkeypatch):
    monkeypatch.setattr(workflow_cmds, "_interactive", lambda: True)


PROMPT = "Apply the changes above to {} workspace(s)? Only 'yes' will be accepted: "


def test_apply_on_a_terminal_applies_only_the_confirmed_workspaces(unchanged, monkeypatch, terraform, terminal):
    preview = {"platform": {"add": 1}, PROD: {"change": 1, "destroy": 2}}
    runs = stand_in(monkeypatch, preview, {"platform": {"add": 1, "applied": True}, PROD: {"change": 1, "destroy": 2}})
    result = invoke(unchanged, "apply", input=" yes \n")
    assert result.exit_code == 0, result.output
    assert runs.calls == [
        (EVERY, False, None),
        (["platform", PROD], True, {"platform": (1, 0, 0), PROD: (0, 1, 2)}),
    ]
    assert result.stderr.splitlines() == [
        "platform: terraform plan",
        f"{DEV}: terraform plan",
        f"{PROD}: terraform plan",
        f"{STAGING}: terraform plan",
        "platform: 1 to add, 0 to change, 0 to destroy",
        f"{DEV}: 0 to add, 0 to change, 0 to destroy",
        f"{PROD}: 0 to add, 1 to change, 2 to destroy",
        f"{STAGING}: 0 to add, 0 to change, 0 to destroy",
        PROMPT.format(2) + " yes ",
        "platform: terraform apply",
        f"{PROD}: terraform apply",
    ]
    assert result.stdout.splitlines() == [
        "platform: 1 to add, 0 to change, 0 to destroy; applied",
        f"{PROD}: 0 to add, 1 to change, 2 to destroy",
    ]


@pytest.mark.parametrize("answer,shown", [("y\n", "'y'"), ("\n", "''"), ("no\n", "'no'"), ("YES\n", "'YES'")])
def test_apply_on_a_terminal_applies_nothing_without_yes(
    unchanged, monkeypatch, terraform, terminal, tmp_path, answer, shown
):
    runs = stand_in(monkeypatch, {DEV: {"add": 1}})
    markdown = tmp_path / "apply.md"
    result = invoke(unchanged, "apply", DEV, "--markdown", str(markdown), input=answer)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [
        f"{DEV}: terraform plan",
        f"{DEV}: 1 to add, 0 to change, 0 to destroy",
        PROMPT.format(1) + answer.strip("\n"),
        f"error: apply: got {shown}, expected 'yes' to confirm; nothing was applied",
    ]
    assert runs.calls == [([DEV], False, None)]
    assert not markdown.exists()


def test_apply_on_a_terminal_with_nothing_to_change_asks_nothing(unchanged, monkeypatch, terraform, terminal, tmp_path):
    runs = stand_in(monkeypatch)
    markdown = tmp_path / "apply.md"
    result = invoke(unchanged, "apply", DEV, PROD, "--detailed-exitcode", "--markdown", str(markdown))
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"{DEV}: terraform plan",
        f"{PROD}: terraform plan",
        f"{DEV}: 0 to add, 0 to change, 0 to destroy",
        f"{PROD}: 0 to add, 0 to change, 0 to destroy",
        "no changes: nothing to apply",
    ]
    assert result.stdout.splitlines() == [
        f"{DEV}: 0 to add, 0 to change, 0 to destroy",
        f"{PROD}: 0 to add, 0 to change, 0 to destroy",
    ]
    assert runs.calls == [([DEV, PROD], False, None)]
    assert markdown.read_text().splitlines()[0] == "### terraform apply"
    result = invoke(unchanged, "apply", DEV, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"workspaces": [outcome_json(DEV)]}


@pytest.mark.parametrize(
    "preview,args,lines,error",
    [
        (
            {DEV: {"add": 1}, PROD: {"error": "Error: boom"}},
            [],
            [f"{DEV}: 1 to add, 0 to change, 0 to destroy", f"{PROD}: error: Error: boom"],
            f"1 workspace(s) failed: {PROD}; nothing was applied",
        ),
        (
            {DEV: {"add": 1}, PROD: {"destroy": 1, "stateful_deletes": ["aws_s3_bucket.b"]}},
            [],
            [
                f"{DEV}: 1 to add, 0 to change, 0 to destroy",
                f"{PROD}: 0 to add, 0 to change, 1 to destroy; destroys stateful aws_s3_bucket.b "
                "(blocked: needs --allow-replace)",
            ],
            f"{PROD} would destroy stateful data, expected --allow-replace; nothing was applied",
        ),
        (
            {DEV: {"error": "Error: boom"}, PROD: {"destroy": 1, "stateful_deletes": ["aws_s3_bucket.b"]}},
            ["--allow-replace"],
            [
                f"{DEV}: error: Error: boom",
                f"{PROD}: 0 to add, 0 to change, 1 to destroy; destroys stateful aws_s3_bucket.b "
                "(allowed by --allow-replace)",
            ],
            f"1 workspace(s) failed: {DEV}; nothing was applied",
        ),
    ],
)
def test_apply_on_a_terminal_stops_after_a_failing_plan(
    unchanged, monkeypatch, terraform, terminal, tmp_path, preview, args, lines, error
):
    runs = stand_in(monkeypatch, preview, preview)
    markdown = tmp_path / "apply.md"
    result = invoke(unchanged, "apply", DEV, PROD, *args, "--markdown", str(markdown), input="yes\n")
    assert (result.exit_code, result.stdout) == (1, "")  # the plan's lines are on stderr already, once
    assert result.stderr.splitlines() == [
        f"{DEV}: terraform plan",
        f"{PROD}: terraform plan",
        *lines,
        f"error: {error}",
    ]
    assert runs.calls == [([DEV, PROD], False, None)]
    assert markdown.read_text().splitlines()[0] == "### terraform plan"  # the summary of what ran: the plan
    result = invoke(unchanged, "apply", DEV, PROD, *args, "--json", input="yes\n")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert (document["error"], [w["stack"] for w in document["workspaces"]]) == (error, [DEV, PROD])


def test_apply_on_a_terminal_with_auto_approve_or_plan_asks_nothing(unchanged, monkeypatch, terraform, terminal):
    runs = stand_in(monkeypatch, {DEV: {"add": 1, "applied": True}}, {DEV: {"add": 1}})
    assert (
        invoke(unchanged, "apply", DEV, "--auto-approve").stdout
        == f"{DEV}: 1 to add, 0 to change, 0 to destroy; applied\n"
    )
    assert invoke(unchanged, "plan", DEV).stdout == f"{DEV}: 1 to add, 0 to change, 0 to destroy\n"
    assert runs.calls == [([DEV], True, None), ([DEV], False, None)]


def test_apply_on_a_terminal_with_json_shows_the_plan_on_stderr(unchanged, monkeypatch, terraform, terminal):
    stand_in(monkeypatch, {DEV: {"add": 1}}, {DEV: {"add": 1, "applied": True}})
    result = invoke(unchanged, "apply", DEV, "--json", input="yes\n")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"workspaces": [outcome_json(DEV, add=1, applied=True)]}
    assert result.stderr.splitlines() == [
        f"{DEV}: terraform plan",
        f"{DEV}: 1 to add, 0 to change, 0 to destroy",
        PROMPT.format(1) + "yes",
        f"{DEV}: terraform apply",
    ]


# ---------------------------------------------------------------- plan and apply with a stand-in terraform binary


def synthesized(out: Path, *stacks: str) -> None:
    for name in stacks:
        (out / "stacks" / name).mkdir(parents=True)
        (out / "stacks" / name / "cdk.tf.json").write_text("{}")


def test_plan_runs_the_terraform_on_path_in_the_default_synth_output(repo, tmp_path, monkeypatch):
    binaries = tmp_path / "bin"
    binaries.mkdir()
    fake_terraform(binaries, {DEV: [change("aws_iam_role.r", "create")]})
    monkeypatch.setenv("PATH", f"{binaries}{os.pathsep}{os.environ['PATH']}")
    synthesized(repo / "cdktf.out", "platform", DEV)
    result = invoke(repo, "plan", DEV, "platform", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "platform: 0 to add, 0 to change, 0 to destroy",
        f"{DEV}: 1 to add, 0 to change, 0 to destroy",
    ]
    assert result.stderr.splitlines() == [
        "platform: terraform init",
        "platform: terraform plan",
        f"{DEV}: terraform init",
        f"{DEV}: terraform plan",
    ]
    out = repo / "cdktf.out"
    assert (binaries / "calls").read_text().splitlines() == [
        "platform init -no-color -input=false",
        "platform plan -no-color -input=false -detailed-exitcode -parallelism=10 "
        f"-out={out}/stacks/platform/tfplan -lock-timeout=5m",
        f"platform show -no-color -json {out}/stacks/platform/tfplan",
        f"{DEV} init -no-color -input=false",
        f"{DEV} plan -no-color -input=false -detailed-exitcode -parallelism=10 "
        f"-out={out}/stacks/{DEV}/tfplan -lock-timeout=5m",
        f"{DEV} show -no-color -json {out}/stacks/{DEV}/tfplan",
    ]


def test_apply_in_another_synth_output_names_this_cli_in_its_hints(repo, tmp_path, monkeypatch):
    binaries = tmp_path / "bin"
    binaries.mkdir()
    fake_terraform(binaries, {DEV: [change("aws_iam_role.r", "create")]})
    monkeypatch.setenv("PATH", f"{binaries}{os.pathsep}{os.environ['PATH']}")
    out = tmp_path / "elsewhere"
    synthesized(out, DEV)
    result = invoke(repo, "apply", DEV, PROD, "--auto-approve", "--out", str(out), "--jobs", "1")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{DEV}: 1 to add, 0 to change, 0 to destroy; applied",
        f"{PROD}: error: not synthesized in {out}, expected python main.py --root {repo} synth first",
    ]
    assert result.stderr.splitlines()[-1] == f"error: 1 workspace(s) failed: {PROD}"
    assert [line.split()[:2] for line in (binaries / "calls").read_text().splitlines()] == [
        [DEV, "init"],
        [DEV, "plan"],
        [DEV, "show"],
        [DEV, "apply"],
    ]


# ---------------------------------------------------------------- orphans


def test_no_orphans_text_and_json(repo):
    state = repo / "terraform-state"
    write_state(state, "platform")
    write_state(state, "tfe-bootstrap")
    write_state(state, DEV)
    write_state(state, "destroyed-app", resources=0)
    result = invoke(repo, "orphans")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == "no orphaned workspaces: every workspace with state has its YAML\n"
    result = invoke(repo, "orphans", "--json")
    assert (result.exit_code, result.stderr) == (0, "")
    assert json.loads(result.stdout) == {"orphans": []}


def test_orphans_are_listed_with_their_destroy_commands_and_exit_1(repo, tmp_path):
    state = repo / "terraform-state"
    write_state(state, "b-app-dev", resources=3)
    write_state(state, "a-app-dev", resources=1)
    out = repo / "elsewhere"
    (out / "stacks" / "a-app-dev").mkdir(parents=True)
    (out / "stacks" / "a-app-dev" / "cdk.tf.json").write_text("{}")
    result = invoke(repo, "orphans", "--out", str(out))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"orphan     a-app-dev: 1 resource(s) in {state / 'a-app-dev.tfstate'}; destroy with:",
        "    terraform -chdir=elsewhere/stacks/a-app-dev init -input=false",
        "    terraform -chdir=elsewhere/stacks/a-app-dev destroy",
        f"orphan     b-app-dev: 3 resource(s) in {state / 'b-app-dev.tfstate'}; destroy with:",
        "    # b-app-dev: no synthesized folder and no instance file in git history; recreate "
        "instances/b-app-dev.yaml as it was, then:",
        f"    python main.py --root {repo} synth --instance b-app-dev --out elsewhere",
        "    terraform -chdir=elsewhere/stacks/b-app-dev init -input=false",
        "    terraform -chdir=elsewhere/stacks/b-app-dev destroy",
        "    rm instances/b-app-dev.yaml",
    ]
    message = (
        "2 orphaned workspace(s) found: a-app-dev, b-app-dev; destroy them with the commands above "
        "(or restore their YAML)"
    )
    assert result.stderr == f"error: {message}\n"
    result = invoke(repo, "orphans", "--out", str(out), "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "error": message,
        "problems": [],
        "orphans": [
            {
                "name": "a-app-dev",
                "state": str(state / "a-app-dev.tfstate"),
                "resources": 1,
                "destroy": [
                    "terraform -chdir=elsewhere/stacks/a-app-dev init -input=false",
                    "terraform -chdir=elsewhere/stacks/a-app-dev destroy",
                ],
            },
            {
                "name": "b-app-dev",
                "state": str(state / "b-app-dev.tfstate"),
                "resources": 3,
                "destroy": [
                    "# b-app-dev: no synthesized folder and no instance file in git history; recreate "
                    "instances/b-app-dev.yaml as it was, then:",
                    f"python main.py --root {repo} synth --instance b-app-dev --out elsewhere",
                    "terraform -chdir=elsewhere/stacks/b-app-dev init -input=false",
                    "terraform -chdir=elsewhere/stacks/b-app-dev destroy",
                    "rm instances/b-app-dev.yaml",
                ],
            },
        ],
    }
    assert result.stderr == f"error: {message}\n"


def test_orphans_read_the_synth_output_of_the_environment(repo, monkeypatch):
    write_state(repo / "terraform-state", "a-app-dev")
    synthesized(repo / "from-env", "a-app-dev")
    monkeypatch.setenv("CDKTF_OUTDIR", str(repo / "from-env"))
    result = invoke(repo, "orphans")
    assert result.stdout.splitlines()[1:] == [
        "    terraform -chdir=from-env/stacks/a-app-dev init -input=false",
        "    terraform -chdir=from-env/stacks/a-app-dev destroy",
    ]


@pytest.mark.parametrize("command", ["orphans", "status"])
def test_unreadable_state_is_one_line(repo, command):
    (repo / "terraform-state").mkdir()
    (repo / "terraform-state" / f"{DEV}.tfstate").write_text("not json")
    message = (
        f"{repo / 'terraform-state' / f'{DEV}.tfstate'}: got unreadable state (Expecting value: line 1 column 1 "
        "(char 0)), expected Terraform state JSON"
    )
    result = invoke(repo, command)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"error: {message}\n")
    result = invoke(repo, command, "--json")
    assert json.loads(result.stdout) == {"error": message, "problems": []}


# ---------------------------------------------------------------- status


@pytest.fixture
def states(repo) -> Path:
    """State for the platform, the bootstrap, one applied instance, one emptied instance and two stacks without
    YAML (one holding resources, one destroyed), every file dated 2026-01-01 00:00 UTC."""
    folder = repo / "terraform-state"
    written = [
        write_state(folder, "platform", outputs={"app_url": "https://platform"}),
        write_state(folder, "tfe-bootstrap"),
        write_state(
            folder,
            DEV,
            resources=4,
            outputs={
                "app_url": "https://apps.example.com/john/",
                "api_endpoint": "https://api.example.com",
                "table_name": DEV,
                "access_group": f"{DEV}-users",
            },
        ),
        write_state(folder, PROD, resources=0, outputs={"app_url": "https://gone"}),
        write_state(folder, "old-app-dev", resources=2, outputs={"table_name": "old-table"}),
        write_state(folder, "destroyed-app-dev", resources=0),
    ]
    for path in written:
        os.utime(path, (NEW_YEAR, NEW_YEAR))
    return repo


def test_status_is_one_row_per_instance_then_the_orphans(states):
    result = invoke(states, "status")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        "NAME                            STATUS            URL                             API                      "
        "TABLE                             GROUP                                   LAST_APPLIED",
        f"{DEV}              applied           https://apps.example.com/john/  https://api.example.com  "
        f"{DEV}                {DEV}-users                "
        "2026-01-01 00:00 UTC",
        f"{PROD}     not applied       -                               -                        "
        f"({PROD})     ({PROD}-users)     never",
        f"{STAGING}  not applied       -                               -                        "
        f"({STAGING})  ({STAGING}-users)  never",
        "old-app-dev                     orphan (no YAML)  -                               -                        "
        "old-table                         -                                       2026-01-01 00:00 UTC",
    ]


def test_status_json_is_every_field_of_every_row(states):
    result = invoke(states, "status", "--json")
    assert (result.exit_code, result.stderr) == (0, "")
    never = {"status": "not applied", "url": "-", "api": "-", "last_applied": "never"}
    assert json.loads(result.stdout) == [
        {
            "name": DEV,
            "status": "applied",
            "url": "https://apps.example.com/john/",
            "api": "https://api.example.com",
            "table": DEV,
            "group": f"{DEV}-users",
            "last_applied": "2026-01-01 00:00 UTC",
        },
        {"name": PROD, **never, "table": f"({PROD})", "group": f"({PROD}-users)"},
        {"name": STAGING, **never, "table": f"({STAGING})", "group": f"({STAGING}-users)"},
        {
            "name": "old-app-dev",
            "status": "orphan (no YAML)",
            "url": "-",
            "api": "-",
            "table": "old-table",
            "group": "-",
            "last_applied": "2026-01-01 00:00 UTC",
        },
    ]


def test_status_rows_of_states_without_a_date_or_gone_while_listed(unchanged):
    from generator.project import load_project
    from generator.states import WorkspaceState

    class States:
        def read(self, stack):
            return {
                DEV: WorkspaceState(DEV, "x", 1, {"api_endpoint": 7}),
                "dated-later": WorkspaceState("dated-later", "y", 1),
            }.get(stack)

        def stacks(self):
            return ["dated-later", "gone-meanwhile", DEV]

    rows = workflow_cmds.status_rows(load_project(unchanged), States())
    assert [(r["name"], r["status"], r["api"], r["last_applied"]) for r in rows] == [
        (DEV, "applied", "7", "-"),
        (PROD, "not applied", "-", "never"),
        (STAGING, "not applied", "-", "never"),
        ("dated-later", "orphan (no YAML)", "-", "-"),
    ]


# ---------------------------------------------------------------- graph


STACK = {
    "resource": {
        "aws_dynamodb_table": {"table": {"name": "t", "//": {"metadata": {"path": f"{DEV}/table/table"}}}},
        "aws_lambda_function": {
            "handler": {
                "environment": "${aws_dynamodb_table.table.arn}",
                "//": {"metadata": {"path": f"{DEV}/function/handler"}},
            }
        },
    }
}
DIAGRAM = (
    f"%% Resources of workspace {DEV} and what each depends on (an arrow points at the dependent).\n"
    "flowchart TD\n"
    '    subgraph g_function["function"]\n'
    '        n1["function/handler<br/><small>aws_lambda_function</small>"]\n'
    "    end\n"
    '    subgraph g_table["table"]\n'
    '        n0["table/table<br/><small>aws_dynamodb_table</small>"]\n'
    "    end\n"
    "    n0 --> n1\n"
)


class Synth:
    """``generator.synth.synthesize``: records each call and writes ``STACK`` (renamed) for each stack it builds."""

    def __init__(self):
        self.calls: list[tuple[str, bool, frozenset[str] | None]] = []
        self.outdirs: list[Path] = []
        self.projects: list[Path] = []  # the root of each project given

    def __call__(self, project, outdir, with_platform, instances, emulator=None, workers=None):
        self.calls.append((outdir.name, with_platform, instances))
        self.outdirs.append(outdir)
        self.projects.append(project.root)
        for name in (["platform"] if with_platform else []) + sorted(instances or ()):
            (outdir / "stacks" / name).mkdir(parents=True)
            (outdir / "stacks" / name / "cdk.tf.json").write_text(json.dumps(STACK).replace(DEV, name))


@pytest.fixture
def synth(monkeypatch) -> Synth:
    fake = Synth()
    monkeypatch.setattr(synth_module, "synthesize", fake)
    return fake


@pytest.fixture
def graphed(repo) -> Path:
    """The project with DEV's stack synthesized in cdktf.out."""
    synthesized(repo / "cdktf.out", DEV)
    (repo / "cdktf.out" / "stacks" / DEV / "cdk.tf.json").write_text(json.dumps(STACK))
    return repo


def test_graph_prints_the_diagram_of_a_synthesized_workspace(graphed, synth):
    result = invoke(graphed, "graph", DEV)
    assert (result.exit_code, result.stdout, result.stderr) == (0, DIAGRAM, "")
    result = invoke(graphed, "graph", DEV, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"name": DEV, "mermaid": DIAGRAM, "file": None}
    assert synth.calls == []


@pytest.mark.parametrize(
    "name,content",
    [
        ("d.md", f"```mermaid\n{DIAGRAM}```\n"),
        ("d.MD", f"```mermaid\n{DIAGRAM}```\n"),
        ("d.markdown", f"```mermaid\n{DIAGRAM}```\n"),
        ("d.Markdown", f"```mermaid\n{DIAGRAM}```\n"),
        ("d.mmd", DIAGRAM),
        ("d.txt", DIAGRAM),
        ("d.md.txt", DIAGRAM),
    ],
)
def test_graph_writes_the_diagram_to_a_file(graphed, synth, tmp_path, name, content):
    target = tmp_path / name
    result = invoke(graphed, "graph", DEV, "-o", str(target))
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"wrote {target}\n", "")
    assert target.read_text() == content
    target.unlink()
    result = invoke(graphed, "graph", DEV, "--output", str(target), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"name": DEV, "mermaid": DIAGRAM, "file": str(target)}
    assert target.read_text() == content


def test_graph_reads_out_or_the_environments_synth_output(graphed, synth, monkeypatch, tmp_path):
    shutil.move(graphed / "cdktf.out", tmp_path / "moved")
    monkeypatch.setenv("CDKTF_OUTDIR", str(tmp_path / "moved"))
    assert invoke(graphed, "graph", DEV).stdout == DIAGRAM
    monkeypatch.delenv("CDKTF_OUTDIR")
    assert invoke(graphed, "graph", DEV, "--out", str(tmp_path / "moved")).stdout == DIAGRAM
    folder = tmp_path / "out.md"  # a folder named like a diagram is still the synth output
    shutil.move(tmp_path / "moved", folder)
    assert invoke(graphed, "graph", DEV, "--out", str(folder)).stdout == DIAGRAM
    assert synth.calls == []


@pytest.fixture(scope="module")
def with_sources(tmp_path_factory) -> Path:
    """The example project with the app sources a synth reads, nothing synthesized."""
    root = make_repo(tmp_path_factory.mktemp("with-sources") / "repo")
    for name in REPO_SOURCES:
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return root


@pytest.mark.parametrize(
    "name,call", [(DEV, (False, frozenset({DEV}))), ("platform", (True, None)), (PROD, (False, frozenset({PROD})))]
)
def test_graph_of_a_workspace_not_synthesized_synthesizes_it_in_a_scratch_folder(with_sources, synth, name, call):
    result = invoke(with_sources, "graph", name)
    assert result.exit_code == 0, result.output
    assert result.stdout == DIAGRAM.replace(DEV, name)
    assert synth.calls == [("out", *call)]
    assert synth.projects == [with_sources]
    assert not synth.outdirs[0].parent.exists()  # the scratch folder is gone
    assert not (with_sources / "cdktf.out").exists()


def test_graph_of_a_workspace_that_cannot_be_synthesized_lists_what_is_missing(repo, synth):
    result = invoke(repo, "graph", DEV)
    assert (result.exit_code, result.stdout) == (1, "")
    missing = f"missing folder in {repo}, expected"
    assert result.stderr.splitlines() == [
        f"lambda_code: {missing} the inventory API's code (the Lambda bundle)",
        f"ui/inventory: {missing} the app's UI template",
        f"ui/auth: {missing} the shared sign-in callback and logout pages",
        f"ui/site: {missing} the platform's home and not-found pages",
        f"cloudfront_function: {missing} the viewer-request CloudFront Function",
        f"error: 5 problems found; {DEV} is not synthesized in {repo / 'cdktf.out'} and cannot be",
    ]
    result = invoke(repo, "graph", DEV, "--out", "builds")  # the folder asked for is the one named
    assert (
        result.stderr.splitlines()[-1] == f"error: 5 problems found; {DEV} is not synthesized in builds and cannot be"
    )
    assert synth.calls == []


def test_graph_of_a_broken_stack_file_synthesizes_nothing(graphed, synth):
    stack_file = graphed / "cdktf.out" / "stacks" / DEV / "cdk.tf.json"
    stack_file.write_text("{")
    result = invoke(graphed, "graph", DEV, "--json")
    message = (
        f"{stack_file}: got unreadable JSON (Expecting property name enclosed in double quotes: line 1 column 2 "
        "(char 1)), expected a synthesized stack (synth again)"
    )
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {"error": message, "problems": []}
    assert result.stderr == f"error: {message}\n"
    assert synth.calls == []


@pytest.mark.parametrize("suffix", [".md", ".MD", ".markdown", ".mmd", ".MMD", ".mermaid", ".Mermaid"])
def test_graph_refuses_a_diagram_file_as_out_before_anything(repo, synth, tmp_path, suffix):
    target = tmp_path / f"diagram{suffix}"
    result = invoke(repo, "graph", "nope", "--out", str(target))  # said before the unknown name
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"error: --out: got '{target}', expected the synth output folder to read; the diagram's file is -o/--output\n"
    )
    assert not target.exists()
    assert synth.calls == []


def test_graph_of_an_unknown_workspace(with_sources, synth, tmp_path):
    result = invoke(with_sources, "graph", "nope", "-o", str(tmp_path / "d.md"))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"error: NAME: got 'nope', expected one of: platform, {DEV}, {PROD}, {STAGING}\n"
    assert synth.calls == []
    assert not (tmp_path / "d.md").exists()


# ---------------------------------------------------------------- tfe-bootstrap


class Bootstrap:
    """``generator.workflow.bootstrap.synthesize_bootstrap``: records (outdir, synth_dir), writes nothing."""

    def __init__(self):
        self.calls: list[tuple[Path, str]] = []
        self.projects: list[Path] = []  # the root of each project given

    def __call__(self, project, outdir, synth_dir="cdktf.out"):
        self.calls.append((outdir, synth_dir))
        self.projects.append(project.root)
        return outdir / "stacks" / "tfe-bootstrap"


@pytest.fixture
def bootstrap(monkeypatch) -> Bootstrap:
    fake = Bootstrap()
    monkeypatch.setattr(bootstrap_module, "synthesize_bootstrap", fake)
    return fake


@pytest.fixture
def cloud(repo) -> Path:
    edit(
        repo / "platform.yaml",
        "backend:\n  type: local\n  stateDir: terraform-state",
        "backend:\n  type: cloud\n  organization: acme",
    )
    return repo


def test_bootstrap_needs_the_cloud_backend(repo, bootstrap):
    result = invoke(repo, "tfe-bootstrap")
    message = "backend.type: got 'local', expected cloud for tfe-bootstrap (see docs/terraform-cloud.md)"
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"error: {message}\n")
    result = invoke(repo, "tfe-bootstrap", "--json")
    assert json.loads(result.stdout) == {"error": message, "problems": []}
    assert bootstrap.calls == []


def test_bootstrap_writes_its_stack_and_says_how_to_apply_it(cloud, bootstrap, tmp_path):
    folder = cloud / "tfe-bootstrap.out" / "stacks" / "tfe-bootstrap"
    result = invoke(cloud, "tfe-bootstrap")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        f"wrote      {folder}",
        f"apply it with: terraform -chdir={folder} init && terraform -chdir={folder} apply",
    ]
    result = invoke(cloud, "tfe-bootstrap", "--json", "--out", "infra/tfe", "--synth-dir", "build/out")
    assert (result.exit_code, result.stderr) == (0, "")
    folder = cloud / "infra" / "tfe" / "stacks" / "tfe-bootstrap"
    assert json.loads(result.stdout) == {
        "folder": str(folder),
        "apply": f"terraform -chdir={folder} init && terraform -chdir={folder} apply",
    }
    assert invoke(cloud, "tfe-bootstrap", "--out", str(tmp_path / "abs")).exit_code == 0
    assert bootstrap.calls == [
        (cloud / "tfe-bootstrap.out", "cdktf.out"),
        (cloud / "infra" / "tfe", "build/out"),
        (tmp_path / "abs", "cdktf.out"),
    ]
    assert bootstrap.projects == [cloud, cloud, cloud]
