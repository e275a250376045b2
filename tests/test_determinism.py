"""Determinism: the same inputs give the same bytes, and one instance's change touches only its folder.

* Two syntheses of the same project, one in this process and one a separate
  ``main.py synth`` process (another folder, hash seed, HOME and environment),
  are byte-identical: every stack, the manifest and the asset zips.
* Adding, changing or removing one instance rewrites only that instance's
  stack folder (and the manifest's list of stacks): every other file keeps its
  bytes *and* its mtime, so a plan of the other workspaces never sees a change.
"""

from __future__ import annotations

from pathlib import Path

from helpers import copy_project, synth_project
from hostile.support import hostile_env_synth, snapshot


def _bytes(out: Path) -> dict[str, bytes]:
    return {name: data for name, (data, _) in snapshot(out).items()}


def test_two_syntheses_are_byte_identical(k8s_out: Path) -> None:
    other, _ = hostile_env_synth()
    mine, theirs = _bytes(k8s_out), _bytes(other)
    assert sorted(mine) == sorted(theirs)
    assert any(name.endswith(".zip") for name in mine) and "manifest.json" in mine
    assert [name for name in mine if mine[name] != theirs[name]] == []


NEW_INSTANCE = """apiVersion: kro.run/v1alpha1
kind: SmartInventoryHubV5
metadata:
  name: ana-orders-dev
  namespace: kro-serverless-stack
spec:
  teamName: team-orders
  developerName: ana
  appName: orders
  environment: dev
  region: {region}
"""


def _changed(before: dict, after: dict) -> set[str]:
    """Paths added, removed, or with different bytes or mtime."""
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


def test_one_instance_changes_only_its_own_stack_folder(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    out = synth_project(root)
    new_file = root / "instances" / "ana-orders-dev.yaml"
    mine = "stacks/ana-orders-dev"

    steps = [
        ("add", lambda: new_file.write_text(NEW_INSTANCE.format(region="us-east-2"))),
        ("change", lambda: new_file.write_text(NEW_INSTANCE.format(region="us-west-2"))),
        ("remove", new_file.unlink),
    ]
    for step, edit in steps:
        before = snapshot(out)
        edit()
        synth_project(root)
        after = snapshot(out)
        changed = _changed(before, after)
        # "stacks" itself: a folder's mtime moves when an entry is added or removed.
        allowed = {"manifest.json", "stacks", mine}
        outside = sorted(p for p in changed if p not in allowed and not p.startswith(mine + "/"))
        assert outside == [], f"{step}: {outside}"
        assert any(p.startswith(mine) for p in changed), f"{step}: its own folder did not change"
        if step == "change":
            assert "manifest.json" not in changed
    assert not (out / mine).exists()
    # Back where it started: the same bytes as a fresh synthesis of the original project.
    assert _bytes(out) == _bytes(synth_project(copy_project(tmp_path / "fresh")))
