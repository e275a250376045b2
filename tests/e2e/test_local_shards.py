"""End to end: ``plan --shard K/N`` and ``apply --shard K/N`` on the emulator, as the CI matrix jobs run them.

The session's project copy (``<workdir>/project``, the platform and two apps, applied by ``local up``)
and its synth output are planned and applied shard by shard with the ordinary ``plan``/``apply``
commands, against the emulator the stacks were synthesized for. Each shard runs only its own instance
workspaces and never the platform; the shards together run every instance exactly once; on the applied
session every shard's plan is empty and its apply changes nothing. The commands run on a copy of the synth
output beside the session's (its local state paths are relative), so the session's own folders keep no
.terraform of theirs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEV, PROD = "john-inventory-dev", "team-backend-inventory-prod"


@pytest.fixture(scope="module")
def shard_out(local_session):
    """A copy of the session's synth output at the same depth (so ../../../terraform-state is the session's)."""
    workdir = local_session["workdir"]
    copy = workdir / "cdktf.out-shards"
    shutil.copytree(workdir / "cdktf.out", copy, ignore=shutil.ignore_patterns(".terraform"))
    yield copy
    shutil.rmtree(copy, ignore_errors=True)


def _main(*args: str, workdir: Path) -> subprocess.CompletedProcess:
    """``python main.py --root <workdir>/project <args>`` with Terraform set up as ``local up`` sets it up."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_"))}
    env.update(TF_CLI_CONFIG_FILE=str(workdir / "terraformrc"), AWS_EC2_METADATA_DISABLED="true")
    return subprocess.run(
        [sys.executable, "main.py", "--root", str(workdir / "project"), *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def _workspaces(result: subprocess.CompletedProcess) -> dict[str, dict]:
    assert result.returncode == 0, f"{result.args}:\n{result.stdout}\n{result.stderr}"
    return {w["stack"]: w for w in json.loads(result.stdout)["workspaces"]}


@pytest.mark.parametrize("count", [1, 2, 3])
def test_plan_by_shard_covers_every_instance_once_and_never_the_platform(local_session, shard_out, count):
    workdir = local_session["workdir"]
    assert (workdir / "terraformrc").is_file(), "local up writes the Terraform CLI config the shards reuse"
    seen: list[str] = []
    for k in range(1, count + 1):
        shard = f"{k}/{count}"
        planned = _workspaces(_main("plan", "--out", str(shard_out), "--shard", shard, "--json", workdir=workdir))
        assert "platform" not in planned
        for workspace in planned.values():
            assert (workspace["add"], workspace["change"], workspace["destroy"]) == (0, 0, 0), workspace
            assert workspace["error"] is None, workspace
        seen += planned
    assert sorted(seen) == [DEV, PROD]


def test_apply_by_shard_applies_only_its_own_workspace(local_session, shard_out):
    workdir = local_session["workdir"]
    applied = _workspaces(
        _main("apply", "--out", str(shard_out), "--shard", "2/2", "--auto-approve", "--json", workdir=workdir)
    )
    assert list(applied) == [PROD]  # shards are assigned by name: the second of two sorted names
    assert (applied[PROD]["add"], applied[PROD]["change"], applied[PROD]["destroy"]) == (0, 0, 0)
    assert applied[PROD]["error"] is None
