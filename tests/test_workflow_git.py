"""changed, diff, orphans and status on real temporary git repositories with commits."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from workflow_helpers import FakeStates, commit, edit, git, make_repo, run_cli, write_state

DEV = "john-inventory-dev"
STAGING = "team-backend-inventory-staging"
PROD = "team-backend-inventory-prod"


@pytest.fixture
def repo(tmp_path) -> Path:
    """Project at the repository top; a feature branch checked out from main."""
    root = make_repo(tmp_path / "repo")
    git(root, "checkout", "-q", "-b", "feature")
    return root


def changed_json(root: Path, base: str = "main") -> dict:
    result = run_cli(root, "changed", "--base", base, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


# --- changed ---------------------------------------------------------------------------------


def test_an_edited_instance_is_the_only_workspace_affected(repo):
    edit(repo / "instances" / f"{DEV}.yaml", "spec:", "  labels: {team: backend}\nspec:")
    commit(repo, "label john")
    data = changed_json(repo)
    assert data["platform"] is False
    assert data["instances"] == [DEV]
    assert data["stacks"] == [DEV]
    assert data["removed"] == [] and data["added"] == []
    assert data["reasons"][DEV] == f"instances/{DEV}.yaml changed"


def test_added_and_removed_instances_are_listed_apart(repo):
    (repo / "instances" / f"{DEV}.yaml").rename(repo / "instances" / "kim-inventory-dev.yaml")
    edit(repo / "instances" / "kim-inventory-dev.yaml", f"name: {DEV}", "name: kim-inventory-dev")
    edit(repo / "instances" / "kim-inventory-dev.yaml", "developerName: john", "developerName: kim")
    (repo / "instances" / f"{STAGING}.yaml").unlink()
    commit(repo, "kim replaces john; staging removed")
    data = changed_json(repo)
    assert data["instances"] == ["kim-inventory-dev"]
    assert data["added"] == ["kim-inventory-dev"]
    assert data["removed"] == [DEV, STAGING]
    assert "keeps its resources until destroyed" in data["reasons"][STAGING]


def test_platform_or_generator_change_affects_every_workspace(repo):
    (repo / "generator" / "naming.py").write_text("# changed\n")
    commit(repo, "generator change")
    data = changed_json(repo)
    assert data["platform"] is True
    assert data["stacks"] == ["platform", DEV, PROD, STAGING]
    assert data["global_paths"] == ["generator/naming.py"]


def test_uncommitted_and_untracked_files_count(repo):
    edit(repo / "instances" / f"{PROD}.yaml", "spec:", "  labels: {tier: gold}\nspec:")  # unstaged edit
    data = changed_json(repo)
    assert data["instances"] == [PROD]
    (repo / "instances" / "new-app-dev.yaml").write_text(
        (repo / "instances" / f"{DEV}.yaml")
        .read_text()
        .replace(f"name: {DEV}", "name: new-app-dev")
        .replace("appName: inventory", "appName: newapp")
    )
    data = changed_json(repo)
    assert data["instances"] == ["new-app-dev", PROD]
    assert data["added"] == ["new-app-dev"]


def test_changes_are_measured_from_the_merge_base(repo):
    edit(repo / "instances" / f"{DEV}.yaml", "spec:", "  labels: {a: b}\nspec:")
    commit(repo, "feature edits john")
    git(repo, "checkout", "-q", "main")
    edit(repo / "instances" / f"{PROD}.yaml", "spec:", "  labels: {c: d}\nspec:")
    commit(repo, "main moves on: prod edited")
    git(repo, "checkout", "-q", "feature")
    # The feature branch never touched prod: main's later commit must not show up as this PR's change.
    assert changed_json(repo)["instances"] == [DEV]


def test_project_in_a_subfolder_of_the_repository(tmp_path):
    root = make_repo(tmp_path / "mono", subfolder="infra/platform")
    git(root, "checkout", "-q", "-b", "feature")
    (tmp_path / "mono" / "README.md").write_text("unrelated\n")
    edit(root / "instances" / f"{STAGING}.yaml", "spec:", "  labels: {x: y}\nspec:")
    commit(tmp_path / "mono", "edit staging and an unrelated file")
    data = changed_json(root)
    assert data["stacks"] == [STAGING]


def test_nothing_changed(repo):
    result = run_cli(repo, "changed", "--base", "main")
    assert result.exit_code == 0
    assert "no workspace is affected" in result.output


def test_unknown_base_is_one_line_error(repo):
    result = run_cli(repo, "changed", "--base", "origin/nope")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines == [
        "error: --base: got 'origin/nope', expected a git revision of this repository "
        "(fetch it first, e.g. git fetch origin main)"
    ]


# --- diff and change safety ------------------------------------------------------------------


def test_renaming_the_developer_replaces_table_function_api_and_prefix(repo):
    edit(repo / "instances" / f"{DEV}.yaml", "developerName: john", "developerName: johnny")
    commit(repo, "rename developer")
    result = run_cli(repo, "diff", "--base", "main")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert (
        f"replace    {DEV}: base name (table): 'john-inventory-dev' -> 'johnny-inventory-dev' replaces "
        "the DynamoDB table (its items are lost)" in lines
    )
    assert any("base name (function)" in line for line in lines)
    assert any("base name (api)" in line and "endpoint URL changes" in line for line in lines)
    assert any("base name (ui_prefix)" in line for line in lines)
    assert any("base name (api_log_group)" in line and "safe" in line for line in lines)
    assert lines[-1] == "error: 5 edit(s) replace resources (destroying data); expected --allow-replace to accept them"
    assert run_cli(repo, "diff", "--base", "main", "--allow-replace").exit_code == 0


def test_safe_edits_replace_nothing(repo):
    edit(repo / "instances" / f"{DEV}.yaml", "spec:", "  labels: {a: b}\nspec:")
    result = run_cli(repo, "diff", "--base", "main")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "no edit since main replaces a resource"


def test_region_environment_and_platform_name_changes_are_flagged(repo):
    edit(repo / "instances" / f"{STAGING}.yaml", "teamName: team-backend", "teamName: team-api")
    edit(repo / "instances" / f"{PROD}.yaml", "environment: prod", "environment: prod\n  region: us-west-2")
    edit(repo / "platform.yaml", "name: acme-apps", "name: acme-web")
    result = run_cli(repo, "diff", "--base", "main", "--json")
    found = json.loads(result.stdout)["replacements"]
    fields = {(r["stack"], r["field"]) for r in found}
    assert ("platform", "name") in fields
    assert (PROD, "spec.region") in fields
    assert (STAGING, "base name (table)") in fields  # team-backend-inventory-staging -> ...-prod
    assert result.exit_code == 1


def test_same_base_name_under_a_new_metadata_name_is_flagged(repo):
    (repo / "instances" / f"{DEV}.yaml").rename(repo / "instances" / "john-dev.yaml")
    edit(repo / "instances" / "john-dev.yaml", f"name: {DEV}", "name: john-dev")
    result = run_cli(repo, "diff", "--base", "main")
    assert result.exit_code == 1
    assert (
        "replace    john-dev: metadata.name: 'john-inventory-dev' -> 'john-dev' replaces the workspace" in result.output
    )


def test_synth_refuses_a_replacing_edit_before_synthesizing(repo):
    edit(repo / "instances" / f"{DEV}.yaml", "appName: inventory", "appName: stock")
    result = run_cli(repo, "synth", "--changed", "--base", "main", "--out", str(repo / "cdktf.out"))
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        "error: 5 edit(s) since main replace resources (listed above); expected --allow-replace to synthesize them anyway"
    )
    assert not (repo / "cdktf.out").exists()


def test_synth_changed_with_nothing_changed_writes_nothing(repo):
    result = run_cli(repo, "synth", "--changed", "--base", "main", "--out", str(repo / "cdktf.out"))
    assert result.exit_code == 0, result.output
    assert "nothing to synthesize: no workspace changed since main" in result.output
    assert not (repo / "cdktf.out").exists()


def test_synth_changed_needs_a_base(repo):
    result = run_cli(repo, "synth", "--changed")
    assert result.exit_code == 1
    assert (
        result.output.strip()
        == "error: --changed: got no --base, expected --base <git ref> to compare with (e.g. --base origin/main)"
    )


def test_synth_selection_is_the_changed_instances(repo):
    from generator.cli.synth_cmd import synth_selection
    from generator.project import load_project

    edit(repo / "instances" / f"{PROD}.yaml", "spec:", "  labels: {a: b}\nspec:")
    (repo / "instances" / f"{STAGING}.yaml").unlink()
    said = []
    assert synth_selection(load_project(repo), "main", True, False, said.append) == (False, frozenset({PROD}))
    assert said == [
        f"removed    {STAGING}: removed (instances/{STAGING}.yaml): its workspace keeps its resources "
        "until destroyed; see python main.py orphans"
    ]


# --- orphans and status (local backend) ------------------------------------------------------


def test_orphans_lists_state_without_yaml_and_how_to_destroy_it(repo):
    state = repo / "terraform-state"
    write_state(state, "platform")
    write_state(state, DEV)
    write_state(state, STAGING, resources=2)
    write_state(state, "destroyed-earlier", resources=0)  # applied, then destroyed: not an orphan
    (repo / "instances" / f"{STAGING}.yaml").unlink()
    deleting = commit(repo, "remove staging")
    result = run_cli(repo, "orphans", "--json")
    assert result.exit_code == 1, result.output  # orphans found is a problem found
    (orphan,) = json.loads(result.stdout)["orphans"]
    assert orphan["name"] == STAGING and orphan["resources"] == 2
    assert orphan["destroy"] == [
        f"git show {deleting[:12]}^:instances/{STAGING}.yaml > instances/{STAGING}.yaml",
        f"python main.py --root {repo} synth --instance {STAGING} --out cdktf.out",
        f"terraform -chdir=cdktf.out/stacks/{STAGING} init -input=false",
        f"terraform -chdir=cdktf.out/stacks/{STAGING} destroy",
        f"rm instances/{STAGING}.yaml",
    ]
    # The restore command really restores the file that validates as the orphan's instance.
    restored = git(repo, "show", f"{deleting[:12]}^:instances/{STAGING}.yaml")
    assert f"name: {STAGING}" in restored


def test_orphan_with_a_kept_folder_is_destroyed_in_place(repo):
    write_state(repo / "terraform-state", "gone-app-dev")
    folder = repo / "cdktf.out" / "stacks" / "gone-app-dev"
    folder.mkdir(parents=True)
    (folder / "cdk.tf.json").write_text("{}")
    result = run_cli(repo, "orphans")
    assert result.exit_code == 1  # orphans found
    assert result.stdout.splitlines() == [
        f"orphan     gone-app-dev: 1 resource(s) in {repo / 'terraform-state' / 'gone-app-dev.tfstate'}; destroy with:",
        "    terraform -chdir=cdktf.out/stacks/gone-app-dev init -input=false",
        "    terraform -chdir=cdktf.out/stacks/gone-app-dev destroy",
    ]


def test_no_orphans(repo):
    write_state(repo / "terraform-state", DEV)
    result = run_cli(repo, "orphans")
    assert result.output.strip() == "no orphaned workspaces: every workspace with state has its YAML"


def test_status_reads_outputs_and_says_never_applied(repo):
    state = write_state(
        repo / "terraform-state",
        DEV,
        outputs={
            "app_url": "https://apps.example.com/john-inventory-dev/",
            "api_endpoint": "https://abc123.execute-api.us-east-2.amazonaws.com",
            "table_name": DEV,
            "access_group": f"{DEV}-users",
        },
    )
    os.utime(state, (1767225600, 1767225600))  # 2026-01-01 00:00 UTC
    write_state(repo / "terraform-state", "old-app-dev", outputs={"table_name": "old-app-dev"})
    result = run_cli(repo, "status", "--json")
    rows = {r["name"]: r for r in json.loads(result.output)}
    assert rows[DEV] == {
        "name": DEV,
        "status": "applied",
        "url": "https://apps.example.com/john-inventory-dev/",
        "api": "https://abc123.execute-api.us-east-2.amazonaws.com",
        "table": DEV,
        "group": f"{DEV}-users",
        "last_applied": "2026-01-01 00:00 UTC",
    }
    assert rows[PROD]["status"] == "not applied" and rows[PROD]["last_applied"] == "never"
    assert rows[PROD]["group"] == f"({PROD}-users)"
    assert rows["old-app-dev"]["status"] == "orphan (no YAML)"
    table = run_cli(repo, "status").output.splitlines()
    assert table[0].split() == ["NAME", "STATUS", "URL", "API", "TABLE", "GROUP", "LAST_APPLIED"]
    assert len(table) == 1 + 4


# --- generator.workflow.git, called directly on a small repository --------------------------


@pytest.fixture
def small(tmp_path, monkeypatch) -> Path:
    """A repository (not a project) with two commits on main and a feature branch; git sees no real HOME."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    top = tmp_path / "small"
    top.mkdir()
    git(top, "init", "-q", "-b", "main")
    (top / ".gitignore").write_text("*.log\n")
    (top / "keep.txt").write_text("keep\n")
    (top / "edit.txt").write_text("one\n")
    (top / "old name.txt").write_text("moved\n")
    (top / "sub" / "deeper").mkdir(parents=True)
    (top / "sub" / "a.yaml").write_text("a\n")
    (top / "sub" / "deeper" / "b.yaml").write_text("b\n")
    (top / "sub" / "café.yaml").write_text("c\n")
    commit(top, "base")
    return top


def test_git_returns_stdout_as_text(small, monkeypatch):
    from generator.workflow import git as g

    monkeypatch.chdir(small.parent)  # the command runs in the folder it is given, not the process's
    assert g._git(small / "sub", "rev-parse", "--abbrev-ref", "HEAD") == "main\n"
    assert g._git(small / "sub", "rev-parse", "--show-prefix") == "sub/\n"


def test_git_error_is_the_last_line_git_printed(small):
    from generator.workflow import git as g

    with pytest.raises(g.GitError) as raised:
        g._git(small, "log", "nope")
    assert str(raised.value) == "git log nope: 'git <command> [<revision>...] -- [<file>...]'"


def test_git_error_without_stderr_says_failed(small):
    from generator.workflow import git as g

    with pytest.raises(g.GitError) as raised:
        g._git(small, "rev-parse", "--verify", "--quiet", "nope")  # exit code 1, nothing printed
    assert str(raised.value) == "git rev-parse --verify --quiet nope: failed"


def test_git_missing_from_path_is_one_line(small, monkeypatch):
    from generator.workflow import git as g

    monkeypatch.setenv("PATH", str(small.parent / "no-bin"))
    message = "git: not found on PATH, expected git to compare revisions"
    for call in (
        lambda: g._git(small, "status"),
        lambda: g.read_at(small, "HEAD", "keep.txt"),
        lambda: g.require_repository(small),
    ):
        with pytest.raises(g.GitError) as raised:
            call()
        assert str(raised.value) == message


def test_toplevel_is_the_repository_top_from_a_subfolder(small):
    from generator.workflow import git as g

    assert g.toplevel(small / "sub" / "deeper") == small
    assert g.toplevel(small) == small


def test_not_a_repository_is_one_line(tmp_path, monkeypatch):
    from generator.workflow import git as g

    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    outside = tmp_path / "plain"
    outside.mkdir()
    message = (
        f"{outside}: not a git repository, expected the project folder inside a git clone "
        "(changed, diff and --base compare the working tree with a git revision)"
    )
    for call in (lambda: g.require_repository(outside), lambda: g.merge_base(outside, "main")):
        with pytest.raises(g.GitError) as raised:
            call()
        assert str(raised.value) == message


def test_require_repository_accepts_a_subfolder_of_a_clone(small):
    from generator.workflow import git as g

    assert g.require_repository(small / "sub") is None


def test_merge_base_is_where_the_branch_left_base(small):
    from generator.workflow import git as g

    fork = git(small, "rev-parse", "HEAD")
    git(small, "checkout", "-q", "-b", "feature")
    (small / "edit.txt").write_text("two\n")
    commit(small, "feature")
    git(small, "checkout", "-q", "main")
    (small / "keep.txt").write_text("main moved\n")
    commit(small, "main moves on")
    git(small, "checkout", "-q", "feature")
    assert g.merge_base(small / "sub", "main") == fork
    assert g.merge_base(small, "feature") == git(small, "rev-parse", "HEAD")


@pytest.mark.parametrize("base", ["origin/nope", "HEAD:keep.txt", "HEAD^{tree}", "--all", "main..HEAD"])
def test_merge_base_refuses_what_is_not_a_commit(small, base):
    from generator.workflow import git as g

    with pytest.raises(g.GitError) as raised:
        g.merge_base(small, base)
    assert str(raised.value) == (
        f"--base: got {base!r}, expected a git revision of this repository (fetch it first, e.g. git fetch origin main)"
    )


def test_changed_paths_are_committed_staged_unstaged_and_untracked_but_not_ignored(small):
    from generator.workflow import git as g

    base = git(small, "rev-parse", "HEAD")
    git(small, "checkout", "-q", "-b", "feature")
    git(small, "mv", "old name.txt", "sub/new name.txt")  # a rename: both paths
    (small / "sub" / "a.yaml").write_text("a2\n")
    commit(small, "committed")
    (small / "staged.txt").write_text("s\n")
    git(small, "add", "staged.txt")
    (small / "edit.txt").write_text("unstaged\n")
    (small / "sub" / "deeper" / "new ü.txt").write_text("u\n")  # untracked
    (small / "zz.txt").write_text("untracked\n")
    (small / "sub" / "noise.log").write_text("ignored\n")
    (small / base).write_text("a file named like the base commit\n")
    expected = sorted(
        [
            base,
            "edit.txt",
            "old name.txt",
            "staged.txt",
            "sub/a.yaml",
            "sub/deeper/new ü.txt",
            "sub/new name.txt",
            "zz.txt",
        ]
    )
    assert g.changed_paths(small, base) == expected
    # From a subfolder: paths still relative to the top; untracked files only under that folder.
    assert g.changed_paths(small / "sub" / "deeper", base) == sorted(
        ["edit.txt", "old name.txt", "staged.txt", "sub/a.yaml", "sub/deeper/new ü.txt", "sub/new name.txt"]
    )
    assert g.changed_paths(small, "HEAD") == sorted([base, "edit.txt", "staged.txt", "sub/deeper/new ü.txt", "zz.txt"])


def test_nothing_changed_is_no_path(small):
    from generator.workflow import git as g

    assert g.changed_paths(small, "HEAD") == []


def test_files_at_lists_a_folder_recursively_with_top_paths(small):
    from generator.workflow import git as g

    first = git(small, "rev-parse", "HEAD")
    (small / "sub" / "a.yaml").unlink()
    (small / "sub" / "later.yaml").write_text("l\n")
    commit(small, "later")
    expected = ["sub/a.yaml", "sub/café.yaml", "sub/deeper/b.yaml"]
    assert g.files_at(small, first, "sub") == expected
    assert g.files_at(small / "sub" / "deeper", first, "sub") == expected  # folder from the top, not the cwd
    assert g.files_at(small, "HEAD", "sub") == ["sub/café.yaml", "sub/deeper/b.yaml", "sub/later.yaml"]
    assert g.files_at(small, first, "missing") == []


def test_files_at_a_folder_named_like_an_option(small):
    from generator.workflow import git as g

    (small / "-odd").mkdir()
    (small / "-odd" / "x.yaml").write_text("x\n")
    commit(small, "odd folder")
    assert g.files_at(small, "HEAD", "-odd") == ["-odd/x.yaml"]


def test_read_at_returns_the_bytes_then_or_none(small, monkeypatch):
    from generator.workflow import git as g

    first = git(small, "rev-parse", "HEAD")
    (small / "edit.txt").write_text("two\n")
    commit(small, "edit")
    monkeypatch.chdir(small.parent)
    assert g.read_at(small, first, "edit.txt") == b"one\n"
    assert g.read_at(small, "HEAD", "edit.txt") == b"two\n"
    assert g.read_at(small, first, "sub/café.yaml") == b"c\n"
    assert g.read_at(small, first, "missing.txt") is None
    assert g.read_at(small, "nope", "edit.txt") is None


# --- generator.workflow.changed, called directly: the whole ChangeSet ------------------------


def change_set(root: Path, base: str = "main") -> dict:
    from generator.project import load_project
    from generator.workflow.changed import changed

    return changed(load_project(root), base).to_json()


def test_a_hidden_instance_file_is_no_instance_then_or_now(repo):
    # load_project reads visible files only; the base snapshot must agree, or the hidden file reads as removed.
    draft = (repo / "instances" / f"{DEV}.yaml").read_text().replace(DEV, "draft-app-dev")
    (repo / "instances" / ".draft.yaml").write_text(draft)
    base = commit(repo, "a hidden draft")
    data = change_set(repo, base)
    assert (data["stacks"], data["removed"], data["reasons"]) == ([], (), {})


def test_change_set_of_a_generator_change_names_three_paths_and_counts_the_rest(repo):
    fork = git(repo, "rev-parse", "main")
    for path in ("main.py", "modules/x.py", "requirements.txt", "README.md", "generatorx.py", "main.pyc"):
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text("# changed\n")
    (repo / "generator" / "naming.py").write_text("# changed\n")
    edit(repo / "instances" / f"{DEV}.yaml", "spec:", "  labels: {a: b}\nspec:")
    (repo / "instances" / f"{STAGING}.yaml").rename(repo / "instances" / "kim-inventory-dev.yaml")
    edit(repo / "instances" / "kim-inventory-dev.yaml", f"name: {STAGING}", "name: kim-inventory-dev")
    edit(repo / "instances" / "kim-inventory-dev.yaml", "environment: staging", "environment: dev")
    edit(repo / "instances" / "kim-inventory-dev.yaml", "developerName: maria", "developerName: kim")
    commit(repo, "generator, modules; john edited; staging becomes kim")
    shown = "generator/naming.py, main.py, modules/x.py and 1 more"
    assert change_set(repo) == {
        "base": "main",
        "base_commit": fork,
        "platform": True,
        "instances": (DEV, "kim-inventory-dev", PROD),
        "added": ("kim-inventory-dev",),
        "removed": (STAGING,),
        "global_paths": ("generator/naming.py", "main.py", "modules/x.py", "requirements.txt"),
        "reasons": {
            "platform": f"changed: {shown}",
            DEV: f"platform or generator changed ({shown})",
            "kim-inventory-dev": "added (instances/kim-inventory-dev.yaml)",
            PROD: f"platform or generator changed ({shown})",
            STAGING: f"removed (instances/{STAGING}.yaml): its workspace keeps its resources until destroyed",
        },
        "stacks": ["platform", DEV, "kim-inventory-dev", PROD],
    }


def test_change_set_of_exactly_three_global_paths_lists_them_all(repo):
    fork = git(repo, "rev-parse", "main")
    (repo / "cdktf.json").write_text("{}\n")
    (repo / "lambda_code").mkdir()
    (repo / "lambda_code" / "app.py").write_text("# new\n")
    (repo / "platform.yaml").write_text((repo / "platform.yaml").read_text() + "# a comment\n")
    shown = "cdktf.json, lambda_code/app.py, platform.yaml"
    assert change_set(repo) == {
        "base": "main",
        "base_commit": fork,
        "platform": True,
        "instances": (DEV, PROD, STAGING),
        "added": (),
        "removed": (),
        "global_paths": ("cdktf.json", "lambda_code/app.py", "platform.yaml"),
        "reasons": {
            "platform": f"changed: {shown}",
            DEV: f"platform or generator changed ({shown})",
            PROD: f"platform or generator changed ({shown})",
            STAGING: f"platform or generator changed ({shown})",
        },
        "stacks": ["platform", DEV, PROD, STAGING],
    }


@pytest.mark.parametrize(
    "path", ["cloudfront_function/index.js", "ui/index.html", "modules/deep/x.py", "requirements.txt", "main.py"]
)
def test_each_global_path_affects_the_platform(repo, path):
    (repo / path).parent.mkdir(parents=True, exist_ok=True)
    (repo / path).write_text("# new\n")
    data = change_set(repo)
    assert (data["platform"], data["global_paths"], data["reasons"]["platform"]) == (True, (path,), f"changed: {path}")


def test_change_set_of_an_edit_and_of_files_outside_the_generator(repo):
    fork = git(repo, "rev-parse", "main")
    (repo / "README.md").write_text("docs\n")
    (repo / "main.py.orig").write_text("not main.py\n")
    (repo / "generator.py").write_text("not the generator folder\n")
    edit(repo / "instances" / f"{PROD}.yaml", "spec:", "  labels: {a: b}\nspec:")
    commit(repo, "prod edited")
    assert change_set(repo) == {
        "base": "main",
        "base_commit": fork,
        "platform": False,
        "instances": (PROD,),
        "added": (),
        "removed": (),
        "global_paths": (),
        "reasons": {PROD: f"instances/{PROD}.yaml changed"},
        "stacks": [PROD],
    }


def test_instance_whose_base_file_changed_is_affected_even_when_its_own_file_did_not(repo):
    # At the base a second file also said metadata.name: john-inventory-dev (the later file wins);
    # deleting that file changes what the base held for john, though john's own file is untouched.
    git(repo, "checkout", "-q", "main")
    (repo / "instances" / "zz-copy.yaml").write_text((repo / "instances" / f"{DEV}.yaml").read_text())
    fork = commit(repo, "a duplicate on main")
    git(repo, "checkout", "-q", "-b", "fix-duplicate")
    (repo / "instances" / "zz-copy.yaml").unlink()
    assert change_set(repo) == {
        "base": "main",
        "base_commit": fork,
        "platform": False,
        "instances": (DEV,),
        "added": (),
        "removed": (),
        "global_paths": (),
        "reasons": {DEV: f"instances/{DEV}.yaml changed"},
        "stacks": [DEV],
    }


def test_change_set_of_a_project_in_a_subfolder_ignores_the_rest_of_the_repository(tmp_path):
    root = make_repo(tmp_path / "mono", subfolder="infra/platform")
    fork = git(root, "rev-parse", "HEAD")
    git(root, "checkout", "-q", "-b", "feature")
    for path in ("generator/x.py", "infra/platformx/generator/x.py", "infra/main.py"):
        (tmp_path / "mono" / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "mono" / path).write_text("# elsewhere in the repository\n")
    (root / "instances" / f"{DEV}.yaml").unlink()
    commit(tmp_path / "mono", "outside the project; john removed")
    assert change_set(root) == {
        "base": "main",
        "base_commit": fork,
        "platform": False,
        "instances": (),
        "added": (),
        "removed": (DEV,),
        "global_paths": (),
        "reasons": {DEV: f"removed (instances/{DEV}.yaml): its workspace keeps its resources until destroyed"},
        "stacks": [],
    }
    (root / "generator" / "naming.py").write_text("# changed\n")
    data = change_set(root)
    assert (data["platform"], data["global_paths"]) == (True, ("generator/naming.py",))


def test_project_prefix(tmp_path):
    from generator.workflow.changed import _project_prefix

    root = make_repo(tmp_path / "mono", subfolder="infra/platform")
    assert _project_prefix(root) == "infra/platform/"
    assert _project_prefix(tmp_path / "mono" / "infra" / ".." / "infra" / "platform") == "infra/platform/"
    assert _project_prefix(tmp_path / "mono") == ""
    assert _project_prefix(tmp_path / "mono" / "infra" / "..") == ""


def test_snapshot_keeps_invalid_files_by_name_and_skips_what_is_not_an_instance_file(tmp_path):
    from generator.workflow.changed import snapshot_at

    root = make_repo(tmp_path / "mono", subfolder="infra/platform")
    edit(root / "platform.yaml", "homeRegion: us-east-2", "homeRegion: us-west-2")
    instances = root / "instances"
    dev = (instances / f"{DEV}.yaml").read_text()
    (instances / "invalid.yml").write_text(dev.replace(f"name: {DEV}", "name: bad-one").replace("appName", "appNom"))
    (instances / "broken.yaml").write_text("metadata: [unclosed\n")
    (instances / "number.yaml").write_text("metadata: {name: 42}\n")
    (instances / "list.yaml").write_text("- a\n- b\n")
    (instances / "empty.yaml").write_text("")
    (instances / "notes.md").write_text(dev.replace(f"name: {DEV}", "name: notes-app-dev"))
    (instances / "nested").mkdir()
    (instances / "nested" / "deep.yaml").write_text(dev.replace(f"name: {DEV}", "name: deep-app-dev"))
    (root / "elsewhere.yaml").write_text(dev.replace(f"name: {DEV}", "name: elsewhere-app-dev"))
    at = commit(tmp_path / "mono", "odd files")
    (instances / f"{PROD}.yaml").unlink()  # the working tree does not matter, only the commit
    snapshot = snapshot_at(root, at)
    assert snapshot.files == {
        "bad-one": "instances/invalid.yml",
        DEV: f"instances/{DEV}.yaml",
        PROD: f"instances/{PROD}.yaml",
        STAGING: f"instances/{STAGING}.yaml",
    }
    assert snapshot.instances["bad-one"] is None
    assert snapshot.platform.name == "acme-apps"
    assert {name: i.region for name, i in snapshot.instances.items() if i} == {
        DEV: "us-east-2",
        PROD: "us-west-2",  # no spec.region: the home region of the platform at that commit
        STAGING: "us-west-2",
    }
    assert snapshot.instances[PROD].file == f"instances/{PROD}.yaml"


def test_snapshot_without_a_platform_file_reads_instances_with_the_default_region(tmp_path):
    from generator.workflow.changed import snapshot_at

    root = make_repo(tmp_path / "repo", platform_extra="")
    edit(root / "platform.yaml", "homeRegion: us-east-2", "homeRegion: us-west-2")
    with_platform = commit(root, "home region west")
    (root / "platform.yaml").unlink()
    without = commit(root, "no platform")
    assert snapshot_at(root, with_platform).instances[PROD].region == "us-west-2"
    snapshot = snapshot_at(root, without)
    assert snapshot.platform is None
    assert snapshot.instances[PROD].region == "us-east-2"
    assert sorted(snapshot.files) == [DEV, PROD, STAGING]


def test_raw_name_of_yaml_that_does_not_validate():
    import yaml

    from generator.workflow.changed import _raw_name

    assert _raw_name(yaml, b"metadata: {name: some-app-dev}\nspec: 3\n") == "some-app-dev"
    assert _raw_name(yaml, b"metadata: {name: [a]}\n") is None
    assert _raw_name(yaml, b"metadata: {other: x}\n") is None
    assert _raw_name(yaml, b"- a\n") is None
    assert _raw_name(yaml, b"a: [\n") is None
    assert _raw_name(yaml, b"") is None


# --- generator.workflow.orphans, called directly ---------------------------------------------


def test_find_lists_each_workspace_with_resources_and_no_instance_sorted(repo, monkeypatch):
    from generator.project import load_project
    from generator.states import WorkspaceState
    from generator.workflow import orphans

    monkeypatch.chdir(repo)
    outdir = repo / "cdktf.out"
    for name in ("zz-gone-dev", "aa-gone-dev"):
        (outdir / "stacks" / name).mkdir(parents=True)
        (outdir / "stacks" / name / "cdk.tf.json").write_text("{}")
    states = {
        "zz-gone-dev": WorkspaceState("zz-gone-dev", "s3://bucket/states/zz-gone-dev.tfstate", 3),
        "platform": WorkspaceState("platform", "s3://bucket/states/platform.tfstate", 9),
        "tfe-bootstrap": WorkspaceState("tfe-bootstrap", "app.terraform.io/acme/tfe-bootstrap", 2),
        DEV: WorkspaceState(DEV, "s3://bucket/states/john.tfstate", 5),
        "empty-dev": WorkspaceState("empty-dev", "s3://bucket/states/empty-dev.tfstate", 0),
        "never-dev": None,
        "aa-gone-dev": WorkspaceState("aa-gone-dev", "app.terraform.io/acme/acme-aa-gone-dev", 1),
    }
    found = orphans.find(load_project(repo), FakeStates(states), outdir)
    assert found == [
        orphans.Orphan(
            "aa-gone-dev",
            states["aa-gone-dev"],
            (
                "terraform -chdir=cdktf.out/stacks/aa-gone-dev init -input=false",
                "terraform -chdir=cdktf.out/stacks/aa-gone-dev destroy",
            ),
        ),
        orphans.Orphan(
            "zz-gone-dev",
            states["zz-gone-dev"],
            (
                "terraform -chdir=cdktf.out/stacks/zz-gone-dev init -input=false",
                "terraform -chdir=cdktf.out/stacks/zz-gone-dev destroy",
            ),
        ),
    ]
    assert orphans.find(load_project(repo), FakeStates({DEV: states[DEV]}), outdir) == []


def test_find_passes_the_main_command_to_the_restore_recipe(repo):
    from generator.project import load_project
    from generator.states import WorkspaceState
    from generator.workflow import orphans

    state = WorkspaceState("gone-dev", "terraform-state/gone-dev.tfstate", 1)
    (orphan,) = orphans.find(load_project(repo), FakeStates({"gone-dev": state}), repo / "out", main="uv run main.py")
    assert orphan.commands[1] == "uv run main.py synth --instance gone-dev --out out"
    (orphan,) = orphans.find(load_project(repo), FakeStates({"gone-dev": state}), repo / "out")
    assert orphan.commands[1] == "python main.py synth --instance gone-dev --out out"


def test_destroy_in_a_kept_folder_quotes_the_path(repo):
    from generator.workflow import orphans

    outdir = repo / "synth out"
    (outdir / "stacks" / "gone-dev").mkdir(parents=True)
    (outdir / "stacks" / "gone-dev" / "cdk.tf.json").write_text("{}")
    assert orphans.destroy_commands(repo, outdir, "gone-dev") == (
        "terraform -chdir='synth out/stacks/gone-dev' init -input=false",
        "terraform -chdir='synth out/stacks/gone-dev' destroy",
    )


def test_destroy_in_a_kept_folder_outside_the_project_uses_its_full_path(repo, tmp_path):
    from generator.workflow import orphans

    outdir = tmp_path / "elsewhere"
    (outdir / "stacks" / "gone-dev").mkdir(parents=True)
    (outdir / "stacks" / "gone-dev" / "cdk.tf.json").write_text("{}")
    assert orphans.destroy_commands(repo, outdir, "gone-dev") == (
        f"terraform -chdir={outdir}/stacks/gone-dev init -input=false",
        f"terraform -chdir={outdir}/stacks/gone-dev destroy",
    )


def test_destroy_without_folder_or_history_says_to_recreate_the_file(repo):
    from generator.workflow import orphans

    (repo / "cdktf.out" / "stacks" / "gone-dev").mkdir(parents=True)  # a folder without cdk.tf.json is no folder
    assert orphans.destroy_commands(repo, repo / "cdktf.out", "gone-dev", main="python3 main.py") == (
        "# gone-dev: no synthesized folder and no instance file in git history; recreate instances/gone-dev.yaml "
        "as it was, then:",
        "python3 main.py synth --instance gone-dev --out cdktf.out",
        "terraform -chdir=cdktf.out/stacks/gone-dev init -input=false",
        "terraform -chdir=cdktf.out/stacks/gone-dev destroy",
        "rm instances/gone-dev.yaml",
    )


def test_destroy_outside_a_repository_says_to_recreate_the_file(tmp_path, monkeypatch):
    from generator.workflow import orphans

    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    root = tmp_path / "plain"
    (root / "instances").mkdir(parents=True)
    assert orphans.destroy_commands(root, root / "o", "gone-dev") == (
        "# gone-dev: no synthesized folder and no instance file in git history; recreate instances/gone-dev.yaml "
        "as it was, then:",
        "python main.py synth --instance gone-dev --out o",
        "terraform -chdir=o/stacks/gone-dev init -input=false",
        "terraform -chdir=o/stacks/gone-dev destroy",
        "rm instances/gone-dev.yaml",
    )


def test_destroy_restores_the_last_deleted_file_of_that_name(repo, monkeypatch):
    from generator.workflow import orphans

    monkeypatch.chdir(repo.parent)
    instances = repo / "instances"
    text = (instances / f"{STAGING}.yaml").read_text()
    (instances / "a-broken.yaml").write_text("metadata: [unclosed\n")
    commit(repo, "a broken file sorted before staging")
    (instances / "a-broken.yaml").unlink()
    (instances / f"{STAGING}.yaml").unlink()
    deleting = commit(repo, "delete both in one commit")
    git(repo, "branch", "instances")  # a branch named like the folder
    (repo / "backup").mkdir()
    (repo / "backup" / "staging.yaml").write_text(text)
    commit(repo, "a copy outside instances/")
    (repo / "backup" / "staging.yaml").unlink()
    commit(repo, "the copy deleted later")
    (instances / f"{PROD}.yaml").unlink()
    commit(repo, "a later deletion of another instance")
    assert orphans.destroy_commands(repo, repo / "cdktf.out", STAGING) == (
        f"git show {deleting[:12]}^:instances/{STAGING}.yaml > instances/{STAGING}.yaml",
        f"python main.py synth --instance {STAGING} --out cdktf.out",
        f"terraform -chdir=cdktf.out/stacks/{STAGING} init -input=false",
        f"terraform -chdir=cdktf.out/stacks/{STAGING} destroy",
        f"rm instances/{STAGING}.yaml",
    )


def test_destroy_restores_a_file_deleted_alone(repo, monkeypatch):
    from generator.workflow import orphans

    monkeypatch.chdir(repo)  # git run without a folder would find this repository too
    (repo / "instances" / f"{DEV}.yaml").unlink()
    deleting = commit(repo, "john removed")
    assert orphans.destroy_commands(repo, repo / "cdktf.out", DEV) == (
        f"git show {deleting[:12]}^:instances/{DEV}.yaml > instances/{DEV}.yaml",
        f"python main.py synth --instance {DEV} --out cdktf.out",
        f"terraform -chdir=cdktf.out/stacks/{DEV} init -input=false",
        f"terraform -chdir=cdktf.out/stacks/{DEV} destroy",
        f"rm instances/{DEV}.yaml",
    )


def test_destroy_after_the_whole_instances_folder_was_deleted(repo):
    from generator.workflow import orphans

    git(repo, "rm", "-q", "-r", "instances")
    deleting = commit(repo, "no instances at all")
    assert orphans.destroy_commands(repo, repo / "cdktf.out", DEV)[0] == (
        f"git show {deleting[:12]}^:instances/{DEV}.yaml > instances/{DEV}.yaml"
    )


def test_a_name_changed_in_place_is_no_deleted_file(repo):
    # The old name's file was edited, not deleted: restoring "the file" would overwrite the current instance.
    from generator.workflow import orphans

    edit(repo / "instances" / f"{DEV}.yaml", f"name: {DEV}", "name: john-stock-dev")
    commit(repo, "john renamed in place")
    assert orphans.destroy_commands(repo, repo / "cdktf.out", DEV)[0] == (
        f"# {DEV}: no synthesized folder and no instance file in git history; recreate instances/{DEV}.yaml "
        "as it was, then:"
    )


def test_destroy_in_a_subfolder_project_restores_to_the_project_path(tmp_path, monkeypatch):
    from generator.workflow import orphans

    top = tmp_path / "mono"
    root = make_repo(top, subfolder="infra/platform")
    monkeypatch.chdir(tmp_path)
    (root / "instances" / f"{PROD}.yaml").unlink()
    deleting = commit(top, "prod removed")
    assert orphans.destroy_commands(root, root / "cdktf.out", PROD, main="python main.py --root infra/platform") == (
        f"git show {deleting[:12]}^:infra/platform/instances/{PROD}.yaml > instances/{PROD}.yaml",
        f"python main.py --root infra/platform synth --instance {PROD} --out cdktf.out",
        f"terraform -chdir=cdktf.out/stacks/{PROD} init -input=false",
        f"terraform -chdir=cdktf.out/stacks/{PROD} destroy",
        f"rm instances/{PROD}.yaml",
    )


def test_local_and_relative_paths(tmp_path, monkeypatch):
    from generator.workflow import orphans

    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    top = tmp_path / "mono"
    root = make_repo(top, subfolder="infra/platform")
    monkeypatch.chdir(tmp_path)
    assert orphans._local(root, "infra/platform/instances/a b.yaml") == "instances/a b.yaml"
    assert orphans._local(root, "docs/x.yaml") == "docs/x.yaml"  # outside the project: as git names it
    assert orphans._local(tmp_path, "infra/x.yaml") == "infra/x.yaml"  # not a repository
    assert orphans._relative(root / "out" / ".." / "cdktf.out", root) == "cdktf.out"
    assert orphans._relative(top / "other", root) == str(top / "other")
