"""Workflow answers that injected bugs showed no test held: removed instances, orphans, CODEOWNERS, shards."""

from __future__ import annotations

from pathlib import Path

import pytest
from workflow_helpers import FakeStates, commit, git, make_repo

from generator.project import load_project
from generator.workflow.changed import changed

DEV = "john-inventory-dev"


@pytest.fixture
def repo(tmp_path) -> Path:
    root = make_repo(tmp_path / "repo")
    git(root, "checkout", "-q", "-b", "feature")
    return root


def test_a_deleted_instance_file_that_no_longer_validates_is_still_removed(repo):
    # The base's files are read with today's rules: a file the new rules refuse still had a workspace, and
    # deleting it must be reported as removed (its resources stay until destroyed), never dropped.
    git(repo, "checkout", "-q", "main")
    text = (repo / "instances" / f"{DEV}.yaml").read_text()
    stale = text.replace(f"name: {DEV}", "name: old-app-dev").replace("appName: inventory", "appNom: inventory")
    (repo / "instances" / "old-app-dev.yaml").write_text(stale)
    base = commit(repo, "an instance file the current rules refuse")
    git(repo, "checkout", "-q", "-b", "cleanup")
    (repo / "instances" / "old-app-dev.yaml").unlink()
    found = changed(load_project(repo), base)
    assert found.removed == ("old-app-dev",)
    assert found.reasons == {
        "old-app-dev": "removed (instances/old-app-dev.yaml): its workspace keeps its resources until destroyed"
    }
    assert found.empty is False


def test_orphans_are_matched_by_workspace_name_not_by_base_name(repo):
    # A workspace is named after metadata.name; the base name (john-inventory-dev) is only the resources' prefix.
    from generator.states import WorkspaceState
    from generator.workflow import orphans

    path = repo / "instances" / f"{DEV}.yaml"
    path.write_text(path.read_text().replace(f"name: {DEV}", "name: johns-api"))
    live = WorkspaceState("johns-api", "s3://bucket/states/johns-api.tfstate", 4)
    gone = WorkspaceState(DEV, "s3://bucket/states/john-inventory-dev.tfstate", 2)
    found = orphans.find(load_project(repo), FakeStates({"johns-api": live, DEV: gone}), repo / "cdktf.out")
    assert [o.stack for o in found] == [DEV]


TEAMS = '\nteams:\n  team-backend: "@acme/team-backend"\nplatformTeam: "@acme/platform"\n'


def test_codeowners_puts_the_catch_all_first_and_anchors_each_instance_file(tmp_path):
    # GitHub applies the last matching line: the platform team's "*" must come before the instance lines, or it
    # would own every app's file; each path starts with '/' so it matches that file only, not any nested copy.
    from generator.codeowners import HEADER, render

    root = make_repo(tmp_path / "repo", platform_extra=TEAMS)
    assert render(load_project(root)) == HEADER + (
        "* @acme/platform\n"
        "/instances/john-inventory-dev.yaml @acme/team-backend\n"
        "/instances/team-backend-inventory-prod.yaml @acme/team-backend\n"
        "/instances/team-backend-inventory-staging.yaml @acme/team-backend\n"
    )


def test_codeowners_check_of_a_stale_file_exits_1_and_writes_nothing(tmp_path):
    from workflow_helpers import run_cli

    root = make_repo(tmp_path / "repo", platform_extra=TEAMS)
    (root / ".github").mkdir()
    (root / ".github" / "CODEOWNERS").write_text("* @acme/someone-else\n")
    result = run_cli(root, "codeowners", "--check")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        ".github/CODEOWNERS: got a file that differs from platform.yaml's teams and instances/, expected the generated "
        f"file (run: python main.py --root {root} codeowners)",
        "error: 1 problem found",
    ]
    assert (root / ".github" / "CODEOWNERS").read_text() == "* @acme/someone-else\n"
