"""The isolation features on the CLI: diff on the shared -> perInstance move, the GROUP column,
CODEOWNERS generation and validate's stale-file report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import copy_project
from workflow_helpers import commit, edit, git, make_repo, run_cli

DEV = "john-inventory-dev"
STAGING = "team-backend-inventory-staging"
PROD = "team-backend-inventory-prod"
TEAMS = '\nteams:\n  team-backend: "@acme/team-backend"\nplatformTeam: "@acme/platform"\n'


@pytest.fixture
def repo(tmp_path) -> Path:
    root = make_repo(tmp_path / "repo")
    git(root, "checkout", "-q", "-b", "feature")
    return root


def test_moving_to_per_instance_roles_replaces_nothing_and_diff_says_so(tmp_path):
    root = make_repo(tmp_path / "repo")
    edit(root / "platform.yaml", "isolation: perInstance", "isolation: shared")
    commit(root, "shared roles")
    git(root, "checkout", "-q", "-b", "isolate")
    edit(root / "platform.yaml", "isolation: shared", "isolation: perInstance")
    commit(root, "per-instance roles")
    result = run_cli(root, "diff", "--base", "main")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "no edit since main replaces a resource" or "no edit since main replaces a resource" in lines
    updates = [line for line in lines if line.startswith("update     ")]
    assert [u.split()[1] for u in updates] == [f"{DEV}:", f"{PROD}:", f"{STAGING}:", "platform:"]
    assert updates[0] == (
        f"update     {DEV}: isolation: 'shared' -> 'perInstance' creates its own execution role under the "
        "platform's permissions boundary and updates the function's role in place; no table, function, API or "
        "prefix is replaced"
    )
    assert "apply the instances first, then the platform" in updates[-1]
    document = json.loads(run_cli(root, "diff", "--base", "main", "--json").output)
    assert (document["replacements"], document["removed"]) == ([], [])
    assert [(u["stack"], u["before"], u["after"]) for u in document["updates"]] == [
        (DEV, "shared", "perInstance"),
        (PROD, "shared", "perInstance"),
        (STAGING, "shared", "perInstance"),
        ("platform", "shared", "perInstance"),
    ]
    assert updates[0].endswith(document["updates"][0]["effect"])


def test_list_shows_each_apps_group(repo):
    result = run_cli(repo, "list", "--json")
    assert result.exit_code == 0, result.output
    groups = {row["name"]: row["group"] for row in json.loads(result.output)}
    assert groups == {
        DEV: "john-inventory-dev-users",
        PROD: "team-backend-inventory-prod-users",
        STAGING: "team-backend-inventory-staging-users",
    }
    assert "GROUP" in run_cli(repo, "list").output.splitlines()[0]


def test_codeowners_is_written_from_teams_and_checked_by_validate(tmp_path):
    repo = copy_project(tmp_path / "project")  # validate also wants the app sources
    (repo / "platform.yaml").write_text((repo / "platform.yaml").read_text() + TEAMS)
    result = run_cli(repo, "validate")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f".github/CODEOWNERS: got no file, expected the generated file (run: python main.py --root {repo} codeowners)",
        "error: 1 problem found",
    ]
    assert run_cli(repo, "codeowners", "--check").exit_code == 1
    result = run_cli(repo, "codeowners")
    assert result.exit_code == 0 and "wrote      .github/CODEOWNERS" in result.output
    lines = (repo / ".github" / "CODEOWNERS").read_text().splitlines()
    assert [line for line in lines if not line.startswith("#")] == [
        "* @acme/platform",
        f"/instances/{DEV}.yaml @acme/team-backend",
        f"/instances/{PROD}.yaml @acme/team-backend",
        f"/instances/{STAGING}.yaml @acme/team-backend",
    ]
    assert run_cli(repo, "validate").exit_code == 0
    assert run_cli(repo, "codeowners", "--check").exit_code == 0
    # A new team's instance: validate asks for the team first, then for a fresh file.
    edit(repo / "instances" / f"{DEV}.yaml", "teamName: team-backend", "teamName: team-data")
    result = run_cli(repo, "validate")
    assert (
        f"instances/{DEV}.yaml: spec.teamName: got 'team-data', expected one of platform.yaml's teams: team-backend"
        in result.output
    )
    text = (repo / "platform.yaml").read_text()
    (repo / "platform.yaml").write_text(
        text.replace(TEAMS, TEAMS.replace("platformTeam", '  team-data: "@acme/data"\nplatformTeam'))
    )
    result = run_cli(repo, "validate")
    assert result.exit_code == 1 and "got a file that differs" in result.output
    assert run_cli(repo, "codeowners").exit_code == 0
    assert f"/instances/{DEV}.yaml @acme/data" in (repo / ".github" / "CODEOWNERS").read_text()
    assert run_cli(repo, "validate").exit_code == 0


def test_codeowners_without_teams_is_an_error(repo):
    result = run_cli(repo, "codeowners")
    assert (result.exit_code, result.output) == (
        1,
        "error: platform.yaml: teams: got none, expected a mapping of teamName to GitHub team (@org/team)\n",
    )


def test_codeowners_says_what_it_did_in_text_and_json(tmp_path):
    """Each outcome has its line, and with --json the same outcome as {file, status}."""
    repo = copy_project(tmp_path / "project")
    (repo / "platform.yaml").write_text((repo / "platform.yaml").read_text() + TEAMS)
    assert json.loads(run_cli(repo, "codeowners", "--json").output) == {"file": ".github/CODEOWNERS", "status": "wrote"}
    assert run_cli(repo, "codeowners").output == "unchanged  .github/CODEOWNERS\n"
    assert json.loads(run_cli(repo, "codeowners", "--json").output) == {
        "file": ".github/CODEOWNERS",
        "status": "unchanged",
    }
    assert run_cli(repo, "codeowners", "--check").output == "ok: .github/CODEOWNERS is up to date\n"
    assert json.loads(run_cli(repo, "codeowners", "--check", "--json").output) == {
        "file": ".github/CODEOWNERS",
        "status": "ok",
    }


def test_validate_json_reports_a_missing_codeowners_file_without_a_field(tmp_path):
    repo = copy_project(tmp_path / "project")
    (repo / "platform.yaml").write_text((repo / "platform.yaml").read_text() + TEAMS)
    result = run_cli(repo, "validate", "--json")
    assert result.exit_code == 1
    report, _ = json.JSONDecoder().raw_decode(result.output)  # then the error line
    assert report["problems"] == [
        {
            "file": ".github/CODEOWNERS",
            "field": "",
            "message": f"got no file, expected the generated file (run: python main.py --root {repo} codeowners)",
        }
    ]
    assert report["valid"] is False


def test_the_stale_codeowners_hint_names_the_command_as_the_user_runs_it(tmp_path, monkeypatch):
    """Without --root (the project is this checkout) the hint is the bare command; with one, it carries it."""
    from generator.codeowners import stale_problems
    from generator.project import load_project

    repo = copy_project(tmp_path / "my project")
    (repo / "platform.yaml").write_text((repo / "platform.yaml").read_text() + TEAMS)
    (problem,) = stale_problems(load_project(repo))
    assert problem.message == "got no file, expected the generated file (run: python main.py codeowners)"
    result = run_cli(repo, "codeowners", "--check")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f".github/CODEOWNERS: got no file, expected the generated file (run: python main.py --root '{repo}' codeowners)"
    )


def test_codeowners_is_utf8_whatever_the_locale(tmp_path, ascii_locale):
    """An instance file may have a name outside ASCII; CODEOWNERS is read and written as UTF-8 even where the
    locale's encoding is ASCII (a CI image without a UTF-8 locale)."""
    repo = copy_project(tmp_path / "project")
    (repo / "platform.yaml").write_text((repo / "platform.yaml").read_text() + TEAMS)
    (repo / "instances" / f"{DEV}.yaml").rename(repo / "instances" / "café.yaml")
    result = run_cli(repo, "codeowners")
    assert (result.exit_code, result.output) == (0, "wrote      .github/CODEOWNERS\n")
    lines = (repo / ".github" / "CODEOWNERS").read_bytes().decode("utf-8").splitlines()
    assert "/instances/café.yaml @acme/team-backend" in lines
    assert run_cli(repo, "codeowners").output == "unchanged  .github/CODEOWNERS\n"
    assert run_cli(repo, "codeowners", "--check").exit_code == 0
