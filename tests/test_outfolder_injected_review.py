"""Holes found by a hand-injected bug round on generator/outfolder.py: a write that fails half-way must leave the
old bytes (stack files and the manifest), a failed build must leave no scratch folder, the sweep must touch only
its own output folder's scratch folders, and a new stack must be moved in whole."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from test_outfolder import _sync

from generator.outfolder import OWNER, remove_stale_scratch, synthesize_into


def _half_then_fail(original):
    def write(self, data, *args, **kwargs):
        original(self, data[: len(data) // 2], *args, **kwargs)
        raise OSError(28, "No space left on device")

    return write


def test_a_stack_file_write_that_fails_half_way_leaves_the_old_file_whole(tmp_path, monkeypatch):
    """A full disk mid-write must not leave a truncated cdk.tf.json that Terraform would then plan from."""
    out = tmp_path / "cdktf.out"
    _sync(out, {"stacks/platform/cdk.tf.json": '{"old": "version"}'}, ["platform"])

    def fail_writes(app_out: Path) -> None:
        monkeypatch.setattr(Path, "write_bytes", _half_then_fail(Path.write_bytes))

    with pytest.raises(OSError):
        _sync(
            out, {"stacks/platform/cdk.tf.json": '{"new": "version!"}'}, ["platform"], manifest="{}", after=fail_writes
        )
    assert (out / "stacks/platform/cdk.tf.json").read_text() == '{"old": "version"}'


def test_a_manifest_write_that_fails_half_way_leaves_the_old_manifest_whole(tmp_path, monkeypatch):
    """cdktf and the CLI read manifest.json to find the stacks: a truncated one breaks every later command."""
    out = tmp_path / "cdktf.out"
    manifest = '{"stacks": {"platform": {"name": "platform"}}}'
    _sync(out, {"stacks/platform/cdk.tf.json": "{}"}, ["platform"], manifest=manifest)
    before = (out / "manifest.json").read_text()

    def fail_writes(app_out: Path) -> None:
        monkeypatch.setattr(Path, "write_text", _half_then_fail(Path.write_text))

    changed = '{"stacks": {"platform": {"name": "platform", "new": 1}}}'
    with pytest.raises(OSError):
        _sync(out, {"stacks/platform/cdk.tf.json": "{}"}, ["platform"], manifest=changed, after=fail_writes)
    assert before == '{\n  "stacks": {\n    "platform": {\n      "name": "platform"\n    }\n  }\n}\n'
    assert (out / "manifest.json").read_text() == before


def test_a_failed_build_leaves_no_scratch_folder_and_the_output_as_it_was(tmp_path):
    """Each failed synth would otherwise leave a scratch folder beside cdktf.out, piling up on every error."""
    out = tmp_path / "cdktf.out"
    _sync(out, {"stacks/platform/cdk.tf.json": "{}"}, ["platform"])

    def broken(app_out: Path, work: Path) -> None:
        (work / "half").write_text("x")
        raise RuntimeError("synth failed")

    with pytest.raises(RuntimeError, match="synth failed"):
        synthesize_into(out, broken, ["platform"], prune=True, has_state=lambda s: False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cdktf.out"]
    assert (out / "stacks/platform/cdk.tf.json").read_text() == "{}"


def test_the_sweep_leaves_the_scratch_folders_of_another_output_folder_alone(tmp_path):
    """Only this output folder's leftovers are ours to remove; a folder beside it is someone else's business."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    other = tmp_path / ".other.out.synth-gone"
    other.mkdir()
    (other / OWNER).write_text(str(gone.pid))
    assert remove_stale_scratch(tmp_path / "cdktf.out") == []
    assert other.is_dir()


def test_a_new_stack_is_moved_in_whole_not_copied(tmp_path):
    """A new stack's folder appears by one rename, so an interrupted sync never leaves it half-copied."""
    out = tmp_path / "cdktf.out"
    built = {}

    def record(app_out: Path) -> None:
        built["inode"] = (app_out / "stacks/platform/cdk.tf.json").stat().st_ino

    _sync(out, {"stacks/platform/cdk.tf.json": "{}"}, ["platform"], after=record)
    assert (out / "stacks/platform/cdk.tf.json").stat().st_ino == built["inode"]
