"""The synth output folder: scratch folders of killed syntheses are removed by the next run (a live run's folder is
left alone, and its process gets no signal), and a sync writes, keeps, prunes and reports stacks and the manifest."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from generator.outfolder import OWNER, SyncReport, _alive, remove_stale_scratch, synthesize_into

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


def _stale(folder: Path, age: int = 3600) -> Path:
    """A scratch folder without an owner file, last changed ``age`` seconds ago."""
    folder.mkdir()
    then = int(time.time()) - age
    os.utime(folder, (then, then))
    return folder


def test_the_sweep_skips_files_and_symlinks_and_goes_on(tmp_path):
    """Only real folders are scratch folders: a file or a symlink (to an old folder elsewhere) with the name is left
    alone, and the folders after it in the sweep are still removed."""
    (tmp_path / ".cdktf.out.synth-a").write_text("not a folder")
    elsewhere = _stale(tmp_path / "elsewhere")
    (tmp_path / ".cdktf.out.synth-b").symlink_to(elsewhere)
    _stale(tmp_path / ".cdktf.out.synth-c")
    assert remove_stale_scratch(tmp_path / "cdktf.out") == [".cdktf.out.synth-c"]
    assert _scratch(tmp_path) == [".cdktf.out.synth-a", ".cdktf.out.synth-b"]
    assert elsewhere.is_dir()


def test_the_sweep_reports_the_folders_it_removed_in_order_whatever_order_they_are_listed_in(tmp_path, monkeypatch):
    for name in ("b", "c", "a"):
        _stale(tmp_path / f".cdktf.out.synth-{name}")
    glob = Path.glob
    monkeypatch.setattr(Path, "glob", lambda self, pattern: iter(sorted(glob(self, pattern), reverse=True)))
    assert remove_stale_scratch(tmp_path / "cdktf.out") == [f".cdktf.out.synth-{name}" for name in "abc"]


def test_a_folder_without_owner_is_stale_only_after_a_full_minute(tmp_path, monkeypatch):
    now = 1_700_000_000
    monkeypatch.setattr("generator.outfolder.time.time", lambda: float(now))
    for age in (59, 60, 61):
        folder = tmp_path / f".cdktf.out.synth-{age}"
        folder.mkdir()
        os.utime(folder, (now - age, now - age))
    assert remove_stale_scratch(tmp_path / "cdktf.out") == [".cdktf.out.synth-61"]
    assert _scratch(tmp_path) == [".cdktf.out.synth-59", ".cdktf.out.synth-60"]


def test_a_folder_that_vanishes_during_the_sweep_is_passed_over(tmp_path, monkeypatch):
    """Another run removed it between the listing and its age check: the sweep goes on to the next folder."""
    vanishing = _stale(tmp_path / ".cdktf.out.synth-a")
    _stale(tmp_path / ".cdktf.out.synth-b")
    stat, seen = Path.stat, []

    def stat_then_vanish(self, **kwargs):
        if self == vanishing and kwargs.get("follow_symlinks", True):  # not is_symlink()'s lstat
            seen.append(self)
            if len(seen) > 1:  # after the listing's is_dir(): gone
                raise FileNotFoundError(2, "No such file or directory", str(self))
        return stat(self, **kwargs)

    monkeypatch.setattr(Path, "stat", stat_then_vanish)
    assert remove_stale_scratch(tmp_path / "cdktf.out") == [".cdktf.out.synth-b"]
    assert len(seen) == 2


def _gone_first(monkeypatch, name: str) -> None:
    """``os.unlink`` of a file called ``name`` deletes it, then fails as if another process had deleted it first."""
    unlink = os.unlink

    def deleted_by_another_process_first(path, *args, **kwargs):
        unlink(path, *args, **kwargs)
        if os.fspath(path) == name:
            raise FileNotFoundError(2, "No such file or directory", name)

    monkeypatch.setattr(os, "unlink", deleted_by_another_process_first)


def test_two_runs_removing_the_same_stale_folder_at_once_both_go_on(tmp_path, monkeypatch):
    """A file the other run deleted first is not an error: the folder is still removed, the synth goes on."""
    folder = tmp_path / ".cdktf.out.synth-old"
    folder.mkdir()
    (folder / "work").mkdir()
    (folder / "work" / "raced").write_text("x")
    os.utime(folder, (time.time() - 3600, time.time() - 3600))
    _gone_first(monkeypatch, "raced")
    assert remove_stale_scratch(tmp_path / "cdktf.out") == [".cdktf.out.synth-old"]
    assert not folder.exists()


# A live process that records, one name a line, every signal it receives, and says when its handlers are set.
WITNESS = """
import signal, sys, time
from pathlib import Path
log = Path(sys.argv[1])
def record(number, frame):
    with log.open("a") as f:
        f.write(signal.Signals(number).name + "\\n")
    if number == signal.SIGTERM:
        sys.exit(0)
for number in signal.valid_signals():
    if number not in (signal.SIGKILL, signal.SIGSTOP, signal.SIGCHLD):
        try:
            signal.signal(number, record)
        except (OSError, ValueError):
            pass
Path(sys.argv[2]).write_text("ready")
while True:
    time.sleep(0.05)
"""


def test_a_live_owner_keeps_its_folder_and_receives_no_signal(tmp_path):
    log, ready = tmp_path / "signals.log", tmp_path / "ready"
    log.write_text("")
    witness = subprocess.Popen([sys.executable, "-c", WITNESS, str(log), str(ready)])
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert time.monotonic() < deadline, "the witness never started"
            time.sleep(0.05)
        folder = tmp_path / ".cdktf.out.synth-live"
        folder.mkdir()
        (folder / OWNER).write_text(str(witness.pid))
        assert remove_stale_scratch(tmp_path / "cdktf.out") == []
        assert folder.is_dir()
        # Our own SIGTERM comes after anything the check sent (a lower-numbered signal, such as SIGHUP, is
        # delivered first), so the log holds everything the witness received.
        witness.send_signal(signal.SIGTERM)
        assert witness.wait(timeout=60) == 0
        assert log.read_text() == "SIGTERM\n"
    finally:
        witness.kill()
        witness.wait()


def test_a_folder_whose_owner_is_gone_is_removed(tmp_path):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # reaped: no process has this pid any more (pids are not reused this soon)
    folder = tmp_path / ".cdktf.out.synth-gone"
    folder.mkdir()
    (folder / OWNER).write_text(str(gone.pid))
    assert remove_stale_scratch(tmp_path / "cdktf.out") == [".cdktf.out.synth-gone"]
    assert not folder.exists()


def test_another_users_live_process_counts_as_alive():
    """``os.kill(pid, 0)`` on another user's process raises PermissionError: that process is alive."""
    if os.geteuid() != 0:
        assert os.stat("/proc/1").st_uid != os.getuid()
        assert _alive(1) is True
        return
    # As root every process can be signalled: check from a forked child that drops to nobody.
    owned = subprocess.Popen(["sleep", "600"])
    read_end, write_end = os.pipe()
    try:
        child = os.fork()
        if child == 0:
            try:
                os.close(read_end)
                os.setgid(65534)
                os.setuid(65534)
                os.write(write_end, repr(_alive(owned.pid)).encode())
            finally:
                os._exit(0)
        os.close(write_end)
        with os.fdopen(read_end) as answer:
            verdict = answer.read()
        os.waitpid(child, 0)
        assert verdict == "True"
        assert owned.poll() is None  # and it got no signal that ended it
    finally:
        owned.kill()
        owned.wait()


# The sync: a scratch build's output moved into cdktf.out/.


def _sync(
    out: Path,
    files: dict[str, str],
    stacks: list[str],
    *,
    prune: bool = True,
    manifest: str = '{"stacks": {}}',
    after=None,
    **kw,
) -> SyncReport:
    """Synthesize into ``out`` with a build that writes ``files`` (paths under the app's output) and the manifest,
    then calls ``after(app_out)`` if given."""

    def build(app_out: Path, work: Path) -> None:
        for name, text in files.items():
            (app_out / name).parent.mkdir(parents=True, exist_ok=True)
            (app_out / name).write_text(text)
        (app_out / "manifest.json").write_text(manifest)
        if after is not None:
            after(app_out)

    return synthesize_into(out, build, stacks, prune=prune, has_state=lambda s: False, **kw)


def _tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) + ("/" if p.is_dir() else "") for p in root.rglob("*"))


def test_a_changed_stack_is_written_and_an_identical_one_unchanged(tmp_path):
    out = tmp_path / "cdktf.out"
    first = {"stacks/platform/a.json": "1", "stacks/platform/b.json": "2"}
    assert _sync(out, first, ["platform"]) == SyncReport(written=["platform"])
    assert _sync(out, first, ["platform"]) == SyncReport(unchanged=["platform"])
    # a.json changes, b.json (after it in order) does not: the stack is still written.
    changed = {"stacks/platform/a.json": "one", "stacks/platform/b.json": "2"}
    assert _sync(out, changed, ["platform"]) == SyncReport(written=["platform"])
    assert (out / "stacks/platform/a.json").read_text() == "one"


def test_a_change_to_the_cache_marker_alone_leaves_the_stack_unchanged(tmp_path):
    out = tmp_path / "cdktf.out"
    files = {"stacks/platform/cdk.tf.json": "{}", "stacks/platform/.generator-inputs": "old"}
    _sync(out, files, ["platform"])
    files["stacks/platform/.generator-inputs"] = "new"
    assert _sync(out, files, ["platform"]) == SyncReport(unchanged=["platform"])
    assert (out / "stacks/platform/.generator-inputs").read_text() == "new"


def test_a_new_file_in_new_nested_folders_of_an_existing_stack(tmp_path):
    out = tmp_path / "cdktf.out"
    _sync(out, {"stacks/platform/cdk.tf.json": "{}"}, ["platform"])
    files = {"stacks/platform/cdk.tf.json": "{}", "stacks/platform/assets/lambda/bundle.zip": "zip"}
    assert _sync(out, files, ["platform"]) == SyncReport(written=["platform"])
    assert (out / "stacks/platform/assets/lambda/bundle.zip").read_text() == "zip"


def test_files_and_folders_no_longer_built_are_removed(tmp_path):
    out = tmp_path / "cdktf.out"
    _sync(out, {"stacks/platform/cdk.tf.json": "{}", "stacks/platform/assets/old/bundle.zip": "zip"}, ["platform"])
    # Only a removal: that alone is a change.
    assert _sync(out, {"stacks/platform/cdk.tf.json": "{}"}, ["platform"]) == SyncReport(written=["platform"])
    assert _tree(out) == ["manifest.json", "stacks/", "stacks/platform/", "stacks/platform/cdk.tf.json"]


def test_reused_stacks_are_reported_unchanged_and_keep_their_manifest_entries(tmp_path):
    out = tmp_path / "cdktf.out"
    both = {"stacks/platform/cdk.tf.json": "{}", "stacks/app-a/cdk.tf.json": "{}"}
    manifest = '{"stacks": {"app-a": {"n": 1}, "platform": {"n": 2}}}'
    _sync(out, both, ["app-a", "platform"], manifest=manifest)
    report = _sync(
        out,
        {"stacks/app-a/cdk.tf.json": "{}"},
        ["app-a", "platform"],
        manifest='{"stacks": {"app-a": {"n": 1}}}',
        reused=frozenset({"platform"}),
    )
    assert report == SyncReport(unchanged=["app-a", "platform"])
    assert json.loads((out / "manifest.json").read_text()) == {"stacks": {"app-a": {"n": 1}, "platform": {"n": 2}}}


def test_an_output_folder_under_folders_that_do_not_exist_yet_is_made_with_them(tmp_path):
    out = tmp_path / "a" / "b" / "cdktf.out"
    assert _sync(out, {"stacks/platform/cdk.tf.json": "{}"}, ["platform"]) == SyncReport(written=["platform"])
    assert (out / "stacks/platform/cdk.tf.json").read_text() == "{}"


def test_a_scratch_file_that_vanishes_as_the_scratch_is_removed_does_not_fail_the_synth(tmp_path, monkeypatch):
    """Removing the scratch folder is best effort: a file already gone (a process the build started still
    cleaning up) does not turn a finished synth into a failure, and the folder is still removed."""
    out = tmp_path / "cdktf.out"

    def build(app_out: Path, work: Path) -> None:
        (work / "still-cleaning").write_text("x")
        _noop_build(app_out, work)

    _gone_first(monkeypatch, "still-cleaning")
    report = synthesize_into(out, build, ["platform"], prune=False, has_state=lambda s: False)
    assert (report, _scratch(tmp_path)) == (SyncReport(written=["platform"]), [])


def test_a_reused_stack_listed_first_does_not_stop_the_others_being_synced(tmp_path):
    out = tmp_path / "cdktf.out"
    both = {"stacks/app-a/cdk.tf.json": "{}", "stacks/platform/cdk.tf.json": "{}"}
    _sync(out, both, ["app-a", "platform"])
    report = _sync(
        out, {"stacks/platform/cdk.tf.json": '{"new": 1}'}, ["app-a", "platform"], reused=frozenset({"app-a"})
    )
    assert report == SyncReport(written=["platform"], unchanged=["app-a"])
    assert (out / "stacks/platform/cdk.tf.json").read_text() == '{"new": 1}'


def test_every_stack_reused_builds_nothing_and_leaves_the_folder_as_it_was(tmp_path):
    out = tmp_path / "cdktf.out"
    _sync(out, {"stacks/platform/cdk.tf.json": "{}"}, ["platform"], manifest='{"stacks": {"platform": {"n": 1}}}')
    before = (out / "manifest.json").read_text()

    def build(app_out: Path, work: Path) -> None:
        raise AssertionError("nothing to build")

    report = synthesize_into(
        out, build, ["platform"], prune=True, has_state=lambda s: False, reused=frozenset({"platform"})
    )
    assert report == SyncReport(unchanged=["platform"])
    assert (out / "manifest.json").read_text() == before
    assert _tree(out) == ["manifest.json", "stacks/", "stacks/platform/", "stacks/platform/cdk.tf.json"]


def test_a_full_synth_asks_about_each_orphan_by_name_and_keeps_those_with_state(tmp_path):
    out = tmp_path / "cdktf.out"
    three = {f"stacks/{name}/cdk.tf.json": "{}" for name in ("app-a", "app-b", "platform")}
    _sync(out, three, ["app-a", "app-b", "platform"], manifest='{"stacks": {"app-a": {}, "app-b": {}, "platform": {}}}')
    asked = []

    def has_state(name: str) -> bool:
        asked.append(name)
        return name == "app-b"

    def build(app_out: Path, work: Path) -> None:
        (app_out / "stacks/platform").mkdir(parents=True)
        (app_out / "stacks/platform/cdk.tf.json").write_text("{}")
        (app_out / "manifest.json").write_text('{"stacks": {"platform": {}}}')

    report = synthesize_into(out, build, ["platform"], prune=True, has_state=has_state)
    assert (asked, report) == (
        ["app-a", "app-b"],
        SyncReport(unchanged=["platform"], removed=["app-a"], kept_orphans=["app-b"]),
    )
    assert json.loads((out / "manifest.json").read_text()) == {"stacks": {"app-b": {}, "platform": {}}}
    assert sorted(p.name for p in (out / "stacks").iterdir()) == ["app-b", "platform"]


def test_a_partial_synth_keeps_other_stacks_and_their_manifest_entries(tmp_path):
    out = tmp_path / "cdktf.out"
    both = {"stacks/platform/cdk.tf.json": "{}", "stacks/app-a/cdk.tf.json": "{}"}
    _sync(out, both, ["app-a", "platform"], manifest='{"stacks": {"app-a": {"n": 1}, "platform": {"n": 2}}}')
    report = _sync(
        out, {"stacks/app-a/cdk.tf.json": "{}"}, ["app-a"], prune=False, manifest='{"stacks": {"app-a": {"n": 3}}}'
    )
    assert report == SyncReport(unchanged=["app-a"])
    assert (out / "stacks/platform/cdk.tf.json").read_text() == "{}"
    assert json.loads((out / "manifest.json").read_text()) == {"stacks": {"app-a": {"n": 3}, "platform": {"n": 2}}}
    # A full synth without platform removes its folder and its entry.
    report = _sync(out, {"stacks/app-a/cdk.tf.json": "{}"}, ["app-a"], manifest='{"stacks": {"app-a": {"n": 3}}}')
    assert report == SyncReport(unchanged=["app-a"], removed=["platform"])
    assert json.loads((out / "manifest.json").read_text()) == {"stacks": {"app-a": {"n": 3}}}


def test_the_manifest_is_written_sorted_and_indented(tmp_path):
    out = tmp_path / "cdktf.out"
    _sync(out, {"stacks/platform/cdk.tf.json": "{}"}, ["platform"], manifest='{"version": "0.20", "stacks": {}}')
    assert (out / "manifest.json").read_text() == '{\n  "stacks": {},\n  "version": "0.20"\n}\n'
    # Merged into an existing one: still sorted, whatever order the old and new ones had.
    (out / "manifest.json").write_text('{"version": "0.19", "stacks": {"platform": {"n": 1}}, "a": 1}')
    files, manifest = {"stacks/platform/cdk.tf.json": "{}"}, '{"version": "0.20", "stacks": {}}'
    _sync(out, files, ["platform"], prune=False, manifest=manifest)
    assert (out / "manifest.json").read_text() == (
        '{\n  "a": 1,\n  "stacks": {\n    "platform": {\n      "n": 1\n    }\n  },\n  "version": "0.20"\n}\n'
    )


def test_manifests_without_stacks_or_unreadable(tmp_path):
    out = tmp_path / "cdktf.out"
    files = {"stacks/platform/cdk.tf.json": "{}"}
    _sync(out, files, ["platform"], prune=False, manifest='{"stacks": {"platform": {"n": 1}}}')
    # A new manifest without a stacks field keeps the old entries (a partial synth).
    _sync(out, files, ["platform"], prune=False, manifest='{"version": "0.20"}')
    assert json.loads((out / "manifest.json").read_text()) == {"stacks": {"platform": {"n": 1}}, "version": "0.20"}
    # An old manifest without a stacks field (an older cdktf): its other fields stay, the new stacks are added.
    (out / "manifest.json").write_text('{"version": "0.19"}')
    _sync(out, files, ["platform"], prune=False, manifest='{"stacks": {"platform": {"n": 2}}}')
    assert json.loads((out / "manifest.json").read_text()) == {"stacks": {"platform": {"n": 2}}, "version": "0.19"}
    # An old manifest that is not JSON (a half-written one from an older version): replaced by the new one.
    (out / "manifest.json").write_text("not json")
    _sync(out, files, ["platform"], prune=False, manifest='{"stacks": {"platform": {"n": 3}}}')
    assert json.loads((out / "manifest.json").read_text()) == {"stacks": {"platform": {"n": 3}}}


def test_terraforms_working_files_in_a_stack_folder_are_kept_and_are_no_change(tmp_path):
    """A stack folder Terraform ran in keeps its provider cache, lock file and local state through a re-synth,
    whether the stack changed or not, and they alone do not make the stack written."""
    out = tmp_path / "cdktf.out"
    _sync(out, {"stacks/platform/cdk.tf.json": "{}"}, ["platform"])
    folder = out / "stacks/platform"
    kept = [
        ".terraform/providers/hashicorp/aws/terraform-provider-aws",
        ".terraform/terraform.tfstate",
        ".terraform.lock.hcl",
        "terraform.tfstate",
        "terraform.tfstate.backup",
        ".terraform.tfstate.lock.info",
    ]
    for relative in kept:
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_text(relative)
    (folder / "tfplan").write_text("a plan of the old stack")
    (folder / "assets/.terraform.lock.hcl").parent.mkdir()
    (folder / "assets/.terraform.lock.hcl").write_text("not terraform's: inside the assets")
    assert _sync(out, {"stacks/platform/cdk.tf.json": "{}"}, ["platform"]) == SyncReport(written=["platform"])
    assert _tree(folder) == sorted(
        [
            ".terraform/",
            ".terraform/providers/",
            ".terraform/providers/hashicorp/",
            ".terraform/providers/hashicorp/aws/",
        ]
        + kept
        + ["cdk.tf.json"]
    )
    assert _sync(out, {"stacks/platform/cdk.tf.json": "{}"}, ["platform"]) == SyncReport(unchanged=["platform"])
    assert _sync(out, {"stacks/platform/cdk.tf.json": '{"a": 1}'}, ["platform"]) == SyncReport(written=["platform"])
    assert all((folder / relative).read_text() == relative for relative in kept)
