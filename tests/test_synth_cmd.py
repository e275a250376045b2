"""``main.py synth``'s own logic (generator/cli/synth_cmd.py) with the synth itself stood in for: which stacks each
combination of options builds, what it refuses before building anything, and exactly what it prints, in text
and JSON. The real synth's output is the golden tests'; this file runs in about a second."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import REPO, REPO_SOURCES, copy_project
from workflow_helpers import commit, edit, make_repo

from generator import synth as synth_module
from generator.errors import Problem, ValidationFailed
from generator.outfolder import SyncReport
from main import cli

DEV = "john-inventory-dev"
PROD = "team-backend-inventory-prod"
STAGING = "team-backend-inventory-staging"


class StandIn:
    """``generator.synth.synthesize``: records each call, answers ``report`` (or raises ``error``)."""

    def __init__(self, report: SyncReport | None = None, error: Exception | None = None):
        self.calls: list[tuple[bool, frozenset[str] | None, int | None]] = []
        self.outdirs: list[Path] = []
        self.projects: list = []
        self.report = report or SyncReport(written=["platform"], unchanged=[DEV])
        self.error = error

    def __call__(self, project, outdir, with_platform, instances, emulator=None, workers=None):
        assert emulator is None  # the CLI never targets the emulator
        self.calls.append((with_platform, instances, workers))
        self.outdirs.append(outdir)
        self.projects.append(project)
        if self.error is not None:
            raise self.error
        return self.report


@pytest.fixture
def stand_in(monkeypatch) -> StandIn:
    fake = StandIn()
    monkeypatch.setattr(synth_module, "synthesize", fake)
    return fake


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return copy_project(tmp_path_factory.mktemp("synth-cmd") / "p")


def synth(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--root", str(root), "synth", *args])


def assert_built_nothing(result, stand_in: StandIn, as_json: bool, line: str) -> None:
    """A successful synth that built nothing: ``line`` in text, the empty report in JSON."""
    assert result.exit_code == 0, result.output
    assert stand_in.calls == []
    if as_json:
        assert json.loads(result.stdout) == {
            "outdir": None,
            "written": [],
            "unchanged": [],
            "removed": [],
            "orphans": [],
        }
    else:
        assert result.stdout == line


@pytest.mark.parametrize(
    "args,expected",
    [
        ([], (True, None, None)),
        (["--instance", DEV], (False, frozenset({DEV}), None)),
        (["--instance", DEV, "--instance", PROD, "--platform"], (True, frozenset({DEV, PROD}), None)),
        (["--no-platform"], (False, None, None)),
        (["--platform"], (True, None, None)),
        (["--no-instances"], (True, frozenset(), None)),
        (["--platform", "--no-instances"], (True, frozenset(), None)),
        (["--no-platform", "--no-instances"], (False, frozenset(), None)),
        (["--workers", "3"], (True, None, 3)),
        (["--shard", "1/2"], (False, frozenset({DEV, PROD}), None)),
        (["--shard", "2/2"], (False, frozenset({STAGING}), None)),
        (["--shard", "1/1", "--instance", STAGING], (False, frozenset({STAGING}), None)),
    ],
)
def test_each_combination_of_options_builds_these_stacks(project, stand_in, args, expected):
    result = synth(project, *args)
    assert result.exit_code == 0, result.output
    assert stand_in.calls == [expected]
    assert stand_in.outdirs == [project / "cdktf.out"]


def test_text_output_names_each_stack_and_sends_orphans_to_stderr(project, monkeypatch):
    report = SyncReport(written=["platform", DEV], unchanged=[PROD], removed=["old-app"], kept_orphans=["gone-app"])
    monkeypatch.setattr(synth_module, "synthesize", StandIn(report))
    result = synth(project, "--out", str(project / "elsewhere"))
    assert result.exit_code == 0, result.output
    out = project / "elsewhere"
    assert result.stdout.splitlines() == [
        "wrote      platform",
        f"wrote      {DEV}",
        f"unchanged  {PROD}",
        "removed    old-app (no instance file and no state)",
        f"3 stack(s) in {out}",
    ]
    assert result.stderr.splitlines() == [
        "orphan     gone-app: its instance file is gone but its workspace may hold resources "
        f"(check: python main.py --root {project} orphans); destroy it with: "
        f"terraform -chdir={out / 'stacks' / 'gone-app'} destroy"
    ]


def test_json_output_is_the_report(project, monkeypatch):
    report = SyncReport(written=["platform"], unchanged=[DEV], removed=["old-app"], kept_orphans=["gone-app"])
    monkeypatch.setattr(synth_module, "synthesize", StandIn(report))
    result = synth(project, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "outdir": str(project / "cdktf.out"),
        "written": ["platform"],
        "unchanged": [DEV],
        "removed": ["old-app"],
        "orphans": ["gone-app"],
    }
    assert result.stderr == ""


@pytest.mark.parametrize("as_json", [False, True])
def test_an_empty_shard_builds_nothing_and_says_so(project, stand_in, as_json):
    result = synth(project, "--shard", "4/4", *(["--json"] if as_json else []))
    assert_built_nothing(result, stand_in, as_json, "nothing to synthesize: shard 4/4 is empty\n")


@pytest.mark.parametrize(
    "args,error",
    [
        (
            ["--instance", "nope", "--instance", DEV, "--instance", "other"],
            [
                f"--instance: got 'nope', expected one of: {DEV}, {PROD}, {STAGING}",
                f"--instance: got 'other', expected one of: {DEV}, {PROD}, {STAGING}",
                "error: 2 problems found; nothing was written",
            ],
        ),
        (
            ["--changed"],
            [
                "error: --changed: got no --base, expected --base <git ref> to compare with (e.g. --base origin/main)",
            ],
        ),
        (
            ["--no-instances", "--instance", DEV],
            ["error: --no-instances: got --instance, --shard or --changed too, expected none of them"],
        ),
        (
            ["--no-instances", "--shard", "1/2"],
            ["error: --no-instances: got --instance, --shard or --changed too, expected none of them"],
        ),
    ],
)
def test_refusals_happen_before_anything_is_built(project, stand_in, args, error):
    result = synth(project, *args)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == error
    assert stand_in.calls == []
    assert not (project / "cdktf.out").exists()


def test_an_instance_asked_for_in_a_project_without_instances(tmp_path, stand_in):
    root = copy_project(tmp_path / "p")
    shutil.rmtree(root / "instances")
    (root / "instances").mkdir()
    result = synth(root, "--instance", DEV)
    assert result.stderr.splitlines() == [
        f"--instance: got '{DEV}', expected one of: (no instances)",
        "error: 1 problem found; nothing was written",
    ]


def test_a_missing_app_source_is_reported_before_the_synth_starts(tmp_path, stand_in):
    root = copy_project(tmp_path / "p")
    shutil.rmtree(root / "lambda_code")
    result = synth(root)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"lambda_code: missing folder in {root}, expected the inventory API's code (the Lambda bundle)",
        "error: 1 problem found; nothing was written",
    ]
    assert stand_in.calls == []


def test_what_the_synth_raises_becomes_one_line(project, monkeypatch):
    failed = ValidationFailed([Problem("ui/inventory/app.js", "", "got 70000 bytes, expected at most 65536")])
    monkeypatch.setattr(synth_module, "synthesize", StandIn(error=failed))
    result = synth(project)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "ui/inventory/app.js: got 70000 bytes, expected at most 65536",
        "error: 1 problem found; nothing was written",
    ]
    monkeypatch.setattr(synth_module, "synthesize", StandIn(error=PermissionError(13, "Permission denied", "/x")))
    result = synth(project, "--out", "/x")
    assert result.exit_code == 1
    assert (
        result.stderr
        == "error: --out /x: cannot write the synth output there (Permission denied); nothing was written\n"
    )
    monkeypatch.setattr(synth_module, "synthesize", StandIn(error=OSError("no reason given")))
    result = synth(project, "--out", "/x")
    assert (
        result.stderr == "error: --out /x: cannot write the synth output there (no reason given); nothing was written\n"
    )


# ---------------------------------------------------------------- --base and --changed, in a git repository


@pytest.fixture
def repo(tmp_path) -> Path:
    root = make_repo(tmp_path / "repo")
    for name in REPO_SOURCES:
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    commit(root, "sources")
    return root


@pytest.mark.parametrize("as_json", [False, True])
def test_changed_with_nothing_changed_builds_nothing(repo, stand_in, as_json):
    result = synth(repo, "--changed", "--base", "main", *(["--json"] if as_json else []))
    assert_built_nothing(result, stand_in, as_json, "nothing to synthesize: no workspace changed since main\n")


def test_changed_builds_the_edited_instance_only_and_base_alone_builds_everything(repo, stand_in):
    edit(repo / "instances" / f"{DEV}.yaml", "region: us-east-2", "region: us-east-2\n  deletionProtection: true")
    assert synth(repo, "--changed", "--base", "main").exit_code == 0
    assert synth(repo, "--base", "main").exit_code == 0
    assert synth(repo, "--changed", "--base", "main", "--instance", PROD).exit_code == 0  # named instances win
    assert stand_in.calls == [(False, frozenset({DEV}), None), (True, None, None), (False, frozenset({PROD}), None)]


def test_changed_with_a_platform_edit_builds_the_platform_and_every_instance(repo, stand_in):
    edit(repo / "platform.yaml", "selfSignUp: false", "selfSignUp: true")
    assert synth(repo, "--changed", "--base", "main").exit_code == 0
    assert stand_in.calls == [(True, frozenset({DEV, PROD, STAGING}), None)]  # every instance reads the platform


def test_the_synth_is_given_the_project_of_the_root_named(project, stand_in):
    assert synth(project).exit_code == 0
    assert [(p.root, [i.name for i in p.instances]) for p in stand_in.projects] == [(project, [DEV, PROD, STAGING])]


def test_base_alone_with_nothing_changed_still_builds_everything(repo, stand_in):
    """--base without --changed is only the replacement check: it never narrows what is built."""
    result = synth(repo, "--base", "main")
    assert result.exit_code == 0, result.output
    assert stand_in.calls == [(True, None, None)]


def test_changed_with_every_instance_removed_and_a_platform_edit_is_a_whole_synth_of_the_platform(repo, stand_in):
    """The platform changed and no instance is left: a whole synth (None: every instance, here none), which also
    prunes the removed instances' folders; --no-instances refuses --changed even then."""
    for name in (DEV, PROD, STAGING):
        (repo / "instances" / f"{name}.yaml").unlink()
    edit(repo / "platform.yaml", "selfSignUp: false", "selfSignUp: true")
    result = synth(repo, "--changed", "--base", "main")
    assert result.exit_code == 0, result.output
    assert stand_in.calls == [(True, None, None)]
    result = synth(repo, "--no-instances", "--changed", "--base", "main")
    assert (result.exit_code, result.stderr.splitlines()[-1]) == (
        1,
        "error: --no-instances: got --instance, --shard or --changed too, expected none of them",
    )
    assert stand_in.calls == [(True, None, None)]


def test_a_removed_instance_is_named_with_where_to_look(repo, stand_in):
    (repo / "instances" / f"{PROD}.yaml").unlink()
    edit(repo / "instances" / f"{DEV}.yaml", "region: us-east-2", "region: us-east-2\n  deletionProtection: true")
    result = synth(repo, "--changed", "--base", "main")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        f"removed    {PROD}: removed (instances/{PROD}.yaml): its workspace keeps its resources until destroyed; "
        f"see python main.py --root {repo} orphans"
    )
    result = synth(repo, "--changed", "--base", "main", "--json")
    assert result.stderr.splitlines()[0].startswith(f"removed    {PROD}: ")  # JSON keeps stdout for the JSON
    json.loads(result.stdout)


def test_an_edit_that_replaces_a_resource_needs_allow_replace(repo, stand_in):
    edit(repo / "instances" / f"{DEV}.yaml", "appName: inventory", "appName: stock")
    result = synth(repo, "--base", "main")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[-1] == (
        f"error: {len(lines) - 1} edit(s) since main replace resources (listed above); "
        "expected --allow-replace to synthesize them anyway"
    )
    assert lines[:-1] and all(line.startswith(f"replace    {DEV}") for line in lines[:-1])
    assert stand_in.calls == []
    result = synth(repo, "--base", "main", "--allow-replace")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[: len(lines) - 1] == lines[:-1]
    assert stand_in.calls == [(True, None, None)]


def test_synth_selection_without_changed_is_everything(repo):
    """Without --changed the selection is the platform and every instance, after the replacement check."""
    from generator.cli.synth_cmd import synth_selection
    from generator.project import load_project

    project = load_project(repo)
    said: list[str] = []
    assert synth_selection(project, None, False, False, said.append) == (True, None)
    edit(repo / "instances" / f"{DEV}.yaml", "appName: inventory", "appName: stock")
    assert synth_selection(load_project(repo), "main", False, True, said.append) == (True, None)
    assert said and all(line.startswith(f"replace    {DEV}") for line in said)
