"""Scratch folders of killed syntheses are removed by the next run; a live run's folder is left alone."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from generator.outfolder import OWNER, synthesize_into

ROOT = Path(__file__).resolve().parent.parent

# A synth that builds forever (a stand-in for cdktf), so it can be killed mid-way like a real one.
SLOW_SYNTH = """
import sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
from generator.outfolder import synthesize_into
def build(app_out, work):
    (work / "started").write_text("x")
    time.sleep(600)
synthesize_into(Path({out!r}), build, ["platform"], prune=False, has_state=lambda s: False)
"""


def _noop_build(app_out: Path, work: Path) -> None:
    (app_out / "stacks" / "platform").mkdir(parents=True)
    (app_out / "stacks" / "platform" / "cdk.tf.json").write_text("{}")
    (app_out / "manifest.json").write_text('{"stacks": {}}')


def _scratch(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in tmp_path.glob(".cdktf.out.synth-*"))


def _wait_started(tmp_path: Path) -> None:
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".cdktf.out.synth-*/work/started")):
        assert time.monotonic() < deadline, "the slow synth never started"
        time.sleep(0.05)


def test_killed_runs_leave_folders_the_next_run_removes(tmp_path):
    out = tmp_path / "cdktf.out"
    for _ in range(3):
        proc = subprocess.Popen([sys.executable, "-c", SLOW_SYNTH.format(root=str(ROOT), out=str(out))])
        _wait_started(tmp_path)
        proc.kill()
        proc.wait()
        for started in tmp_path.glob(".cdktf.out.synth-*/work/started"):
            started.unlink()
        # The killed run left its folder, but each new run removed the one before: they never pile up.
        assert len(_scratch(tmp_path)) == 1

    live = subprocess.Popen([sys.executable, "-c", SLOW_SYNTH.format(root=str(ROOT), out=str(out))])
    try:
        _wait_started(tmp_path)
        live_folder = [p.name for p in tmp_path.glob(".cdktf.out.synth-*") if (p / "work" / "started").exists()]
        synthesize_into(out, _noop_build, ["platform"], prune=False, has_state=lambda s: False)
        assert _scratch(tmp_path) == live_folder  # the dead one is gone, the running one stays
        assert (out / "stacks" / "platform" / "cdk.tf.json").read_text() == "{}"
    finally:
        live.kill()
        live.wait()


def test_folder_without_owner_is_removed_only_when_old(tmp_path):
    out = tmp_path / "cdktf.out"
    old, young = tmp_path / ".cdktf.out.synth-old", tmp_path / ".cdktf.out.synth-young"
    old.mkdir()
    young.mkdir()
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    synthesize_into(out, _noop_build, ["platform"], prune=False, has_state=lambda s: False)
    assert _scratch(tmp_path) == [".cdktf.out.synth-young"]
    assert not (young / OWNER).exists()
