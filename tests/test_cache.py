"""Stacks whose inputs did not change are reused as they are, without starting the CDKTF runtime."""

from __future__ import annotations

import json

import pytest
from helpers import copy_project

from generator import cache
from generator.project import load_project
from generator.synth import synthesize


def _synth(root):
    return synthesize(load_project(root), root / "cdktf.out", True, None)


@pytest.fixture
def built(tmp_path):
    root = copy_project(tmp_path / "p")
    report = _synth(root)
    assert sorted(report.written) == [
        "john-inventory-dev",
        "platform",
        "team-backend-inventory-prod",
        "team-backend-inventory-staging",
    ]
    return root


def _no_runtime(monkeypatch):
    def refuse() -> None:
        raise AssertionError("the CDKTF runtime was started")

    monkeypatch.setattr("generator.synth.configure_node", refuse)


def test_nothing_changed_reuses_every_stack_without_the_runtime(built, monkeypatch):
    out = built / "cdktf.out"
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}
    _no_runtime(monkeypatch)
    report = _synth(built)
    assert report.written == [] and len(report.unchanged) == 4
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()} == before


def test_one_changed_instance_rebuilds_only_that_stack(built):
    path = built / "instances" / "john-inventory-dev.yaml"
    path.write_text(path.read_text().replace("developerName: john", "developerName: johnny"))
    report = _synth(built)
    assert report.written == ["john-inventory-dev"]
    stack = json.loads((built / "cdktf.out/stacks/john-inventory-dev/cdk.tf.json").read_text())
    assert stack["resource"]["aws_dynamodb_table"]["table_43360BC0"]["name"] == "johnny-inventory-dev"
    manifest = json.loads((built / "cdktf.out/manifest.json").read_text())
    assert sorted(manifest["stacks"]) == [
        "john-inventory-dev",
        "platform",
        "team-backend-inventory-prod",
        "team-backend-inventory-staging",
    ]
    assert manifest["version"] == "0.21.0"


def test_a_hand_edited_stack_is_rebuilt(built):
    stack = built / "cdktf.out/stacks/team-backend-inventory-prod/cdk.tf.json"
    original = stack.read_bytes()
    stack.write_text("{}")
    report = _synth(built)
    assert report.written == ["team-backend-inventory-prod"]
    assert stack.read_bytes() == original


def test_app_sources_invalidate_only_the_platform(built):
    (built / "lambda_code" / "app.py").write_text((built / "lambda_code" / "app.py").read_text() + "\n# changed\n")
    assert _synth(built).written == ["platform"]


def _markers(root):
    return {p.parent.name: p.read_text() for p in (root / "cdktf.out" / "stacks").glob(f"*/{cache.MARKER}")}


def test_platform_settings_and_generator_code_invalidate_every_stack(built, monkeypatch):
    first = _markers(built)
    platform = built / "platform.yaml"
    platform.write_text(platform.read_text().replace("mfa: optional", "mfa: required"))
    report = _synth(built)
    assert report.written == ["platform"]  # rebuilt everywhere, but only the platform's bytes differ
    second = _markers(built)
    assert all(second[stack] != first[stack] for stack in first)
    monkeypatch.setattr(cache, "code_fingerprint", lambda: "another generator version")
    _synth(built)
    third = _markers(built)
    assert len(third) == 4 and all(third[stack] != second[stack] for stack in second)


def test_a_partial_synth_with_the_platform_keeps_every_other_instance(built):
    """Only a full synth (the platform and every instance) prunes: ``--platform --instance X`` is partial."""
    report = synthesize(load_project(built), built / "cdktf.out", True, frozenset({"john-inventory-dev"}))
    assert (report.removed, report.kept_orphans) == ([], [])
    assert sorted(p.name for p in (built / "cdktf.out" / "stacks").iterdir()) == [
        "john-inventory-dev",
        "platform",
        "team-backend-inventory-prod",
        "team-backend-inventory-staging",
    ]


def test_an_empty_local_state_file_is_no_state_so_a_full_synth_removes_the_gone_instances_folder(built):
    (built / "instances" / "john-inventory-dev.yaml").unlink()
    state_dir = built / "terraform-state"
    state_dir.mkdir(exist_ok=True)
    (state_dir / "john-inventory-dev.tfstate").write_text("")
    report = _synth(built)
    assert (report.removed, report.kept_orphans) == (["john-inventory-dev"], [])
    assert not (built / "cdktf.out" / "stacks" / "john-inventory-dev").exists()


def test_a_project_moved_whole_to_another_path_reuses_every_stack(built, monkeypatch):
    """The stacks hold only paths relative to the output folder, so a checkout at another path (another CI runner,
    another clone) with its output folder reuses them: the inputs do not depend on where the process runs."""
    moved = built.parent / "elsewhere"
    built.rename(moved)
    monkeypatch.chdir(moved / "instances")
    _no_runtime(monkeypatch)
    report = _synth(moved)
    assert report.written == [] and len(report.unchanged) == 4


def test_a_synth_for_the_emulator_rebuilds_the_stacks_built_for_aws(built):
    from generator.locations import EmulatorSettings

    root = built / "cdktf.out"
    report = synthesize(load_project(built), root, True, None, EmulatorSettings("http://127.0.0.1:4566"))
    assert len(report.written) == 4
    platform = json.loads((root / "stacks" / "platform" / "cdk.tf.json").read_text())
    assert platform["provider"]["aws"][0]["endpoints"][0]["s3"] == "http://127.0.0.1:4566"
