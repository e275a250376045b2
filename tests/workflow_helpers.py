"""Temporary git repositories holding a project, for the workflow tests (changed, diff, orphans, status), and the
GitHub Actions workflow as GitHub reads it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
WORKFLOW = REPO / ".github" / "workflows" / "instances.yml"


def load_workflow() -> dict:
    """.github/workflows/instances.yml as GitHub reads it."""
    document = yaml.safe_load(WORKFLOW.read_text())
    # YAML 1.1 reads the key `on` as True; GitHub reads it as "on".
    document["on"] = document.pop(True)
    return document


GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "HOME": "/nonexistent",
}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, env={**os.environ, **GIT_ENV})
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def make_repo(path: Path, subfolder: str = "", platform_extra: str = "") -> Path:
    """A git repository with the example project (in ``subfolder``) committed on main; returns the project folder."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    root = path / subfolder if subfolder else path
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "instances", root / "instances")
    text = (REPO / "platform.yaml").read_text().replace("uiSync: kubernetes", "uiSync: terraform")
    (root / "platform.yaml").write_text(text + platform_extra)
    (root / "generator").mkdir()
    (root / "generator" / "naming.py").write_text("# stand-in for the generator's code\n")
    (root / ".gitignore").write_text("cdktf.out/\nterraform-state/\n")
    commit(path, "base")
    return root


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new))


def write_state(state_dir: Path, stack: str, resources: int = 1, outputs: dict | None = None) -> Path:
    """A minimal Terraform state file with ``resources`` managed resources and ``outputs``."""
    state_dir.mkdir(parents=True, exist_ok=True)
    document = {
        "version": 4,
        "terraform_version": "1.11.4",
        "serial": 3,
        "lineage": "00000000-test",
        "outputs": {k: {"value": v, "type": "string"} for k, v in (outputs or {}).items()},
        "resources": [
            {
                "mode": "managed",
                "type": "terraform_data",
                "name": f"r{i}",
                "provider": 'provider["terraform.io/builtin/terraform"]',
                "instances": [{"schema_version": 0, "attributes": {"id": f"id-{i}"}}],
            }
            for i in range(resources)
        ],
    }
    path = state_dir / f"{stack}.tfstate"
    path.write_text(json.dumps(document))
    return path


def run_cli(root: Path, *args: str):
    """Invoke main.py's CLI in-process on the project at ``root``."""
    from click.testing import CliRunner

    from main import cli

    return CliRunner().invoke(cli, ["--root", str(root), *args], catch_exceptions=False)


def outcome_json(stack: str, **fields) -> dict:
    """One workspace's Outcome as ``plan``/``apply --json`` and the shard summaries write it: every field."""
    return {
        "stack": stack,
        "add": 0,
        "change": 0,
        "destroy": 0,
        "stateful_deletes": [],
        "error": None,
        "applied": False,
        "seconds": 0.0,
        "log": None,
        "detail": [],
        **fields,
    }


class FakeStates:
    """A states reader of any backend: the workspaces it lists and what each one's state says."""

    def __init__(self, states: dict):
        self.states = states

    def stacks(self) -> list[str]:
        return list(self.states)

    def read(self, stack: str):
        return self.states[stack]
