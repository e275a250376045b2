"""Hostile input through the real CLI process, and the write-or-nothing rule of generator.outfolder.

A few representative bad projects run ``python main.py synth`` in a fresh
process (as CI and users run it): exit 1, the problem on stderr, no
traceback, the previous output byte-for-byte unchanged and no scratch folder
left. One of them fails *during* synthesis (an asset the generator refuses),
after the scratch folder exists. The swap itself is tested in-process.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.outfolder import synthesize_into
from hostile.support import CORPUS, instance_project, platform_project, run_main, scratch_left, seed_output, snapshot


def _bad_project(case: str, target: Path) -> tuple[Path, str]:
    """(project root, the stderr line expected first) for one representative case."""
    if case == "billion-laughs":
        return instance_project(
            target, CORPUS / "instances" / "billion-laughs.yaml"
        ), "instances/billion-laughs.yaml: invalid YAML:"
    if case == "wrong-types-platform":
        return platform_project(
            target, CORPUS / "platform" / "wrong-types.yaml"
        ), "platform.yaml: backend: got a list, expected a mapping"
    if case == "ten-megabyte-string":
        root = instance_project(target, name="big.yaml", data=b"metadata: {name: " + b"a" * (10 * 1024 * 1024) + b"}\n")
        return root, "instances/big.yaml: got a file of more than"
    # Valid YAML everywhere, but the UI template holds a file type the generator will not publish:
    # this fails inside synthesis, after the scratch folder was created.
    root = instance_project(target, CORPUS.parent.parent.parent / "instances" / "john-inventory-dev.yaml")
    (root / "ui" / "inventory" / "payload.exe").write_bytes(b"MZ\x90\x00")
    return root, "ui/inventory/payload.exe: got extension '.exe', expected one of"


@pytest.mark.parametrize(
    "case", ["billion-laughs", "wrong-types-platform", "ten-megabyte-string", "asset-refused-during-synth"]
)
def test_failed_synth_process_leaves_output_untouched(case: str, tmp_path: Path) -> None:
    root, first_line = _bad_project(case, tmp_path / "project")
    out = tmp_path / "work" / "cdktf.out"
    seed_output(out)
    before = snapshot(out)

    result = run_main(["--root", str(root), "synth", "--out", str(out)])

    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stderr.startswith(first_line), result.stderr
    assert result.stderr.rstrip().endswith("; nothing was written"), result.stderr
    assert result.stdout == ""
    assert snapshot(out) == before
    assert scratch_left(out) == []
    assert sorted(p.name for p in out.parent.iterdir()) == ["cdktf.out"]


def _write_stack(app_out: Path, name: str, text: str) -> None:
    (app_out / "stacks" / name).mkdir(parents=True, exist_ok=True)
    (app_out / "stacks" / name / "cdk.tf.json").write_text(text)
    (app_out / "manifest.json").write_text(f'{{"stacks": {{"{name}": {{}}}}}}')


def test_build_that_fails_halfway_changes_nothing(tmp_path: Path) -> None:
    """The build writes some stacks, then raises: the output keeps its old bytes and mtimes."""
    out = tmp_path / "cdktf.out"
    seed_output(out)
    before = snapshot(out)

    def build(app_out: Path, work: Path) -> None:
        _write_stack(app_out, "old-stack", '{"changed": true}')
        (work / "bundle.zip").write_bytes(b"partial")
        raise RuntimeError("provider exploded")

    with pytest.raises(RuntimeError, match="provider exploded"):
        synthesize_into(out, build, ["old-stack"], prune=True, has_state=lambda stack: False)
    assert snapshot(out) == before
    assert scratch_left(out) == []


def test_successful_sync_touches_only_changed_files(tmp_path: Path) -> None:
    out = tmp_path / "cdktf.out"
    seed_output(out)
    before = snapshot(out)

    def build(app_out: Path, work: Path) -> None:
        shutil.copytree(out / "stacks" / "old-stack", app_out / "stacks" / "old-stack")
        _write_stack(app_out, "new-stack", '{"resource": {"x": {}}}\n')

    report = synthesize_into(out, build, ["old-stack", "new-stack"], prune=False, has_state=lambda stack: False)
    after = snapshot(out)
    assert report.unchanged == ["old-stack"] and report.written == ["new-stack"]
    assert {k: v for k, v in after.items() if k.startswith("stacks/old-stack")} == {
        k: v for k, v in before.items() if k.startswith("stacks/old-stack")
    }
    assert scratch_left(out) == []
