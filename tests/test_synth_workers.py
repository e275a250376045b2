"""Synth workers (generator/synth.py): how the instance stacks are cut into chunks, and that a problem found
in a worker process reaches the caller as the same one-line error a single process gives.

The byte-identical output of two workers is tests/test_speed_lazy_node.py's.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from types import SimpleNamespace

import pytest
from helpers import copy_project

from generator.assets import AssetError
from generator.errors import Problem, ValidationFailed
from generator.synth import MIN_CHUNK, chunks


@pytest.mark.parametrize("workers", [2, 3, 8])
@pytest.mark.parametrize("count", [0, 1, 4, 5, 6, 11, 99, 100, 250, 501, 600])
def test_chunks_cover_every_stack_once_in_order_and_shrink(count, workers):
    names = [f"app{n:03d}" for n in range(count)]
    parts = chunks(names, workers)
    assert [name for part in parts for name in part] == names
    sizes = [len(p) for p in parts]
    assert all(sizes), sizes
    assert sizes == sorted(sizes, reverse=True), sizes
    assert all(size >= 5 for size in sizes[:-1]), sizes  # the smallest chunk is 5 stacks (only the last is less)
    assert MIN_CHUNK == 5


def test_the_first_chunks_are_large_and_the_last_small():
    sizes = [len(p) for p in chunks([f"app{n:03d}" for n in range(500)], 2)]
    assert sizes[:3] == [125, 93, 70]  # a quarter of what is left, for two workers
    assert sizes[-1] <= 5
    assert len(sizes) < 25  # each chunk is one cdktf App: not hundreds of them


def test_errors_raised_in_a_worker_survive_the_trip_back():
    problems = [
        Problem("instances/a.yaml", "spec.region", "got 'x', expected one of: eu-west-1"),
        Problem("b", "", "c"),
    ]
    again = pickle.loads(pickle.dumps(ValidationFailed(problems)))
    assert isinstance(again, ValidationFailed)
    assert again.problems == sorted(problems)
    assert str(again) == str(ValidationFailed(problems))
    asset = pickle.loads(pickle.dumps(AssetError("ui/inventory/x.bin", "got extension '.bin'")))
    assert (asset.file, asset.message) == ("ui/inventory/x.bin", "got extension '.bin'")


def test_a_bad_asset_is_the_usual_one_line_error_before_any_worker_starts(tmp_path: Path):
    from generator.project import load_project
    from generator.synth import synthesize

    root = copy_project(tmp_path / "project")
    (root / "ui" / "inventory" / "notes.bin").write_bytes(b"\0")
    out = tmp_path / "out"
    with pytest.raises(ValidationFailed) as raised:
        synthesize(load_project(root), out, True, None, workers=2)
    (problem,) = raised.value.problems
    assert (problem.file, problem.field) == ("ui/inventory/notes.bin", "")  # a file's problem, of no field
    assert problem.message.startswith("got extension '.bin', expected one of ")
    assert not out.exists(), "nothing is written"


def test_a_problem_met_inside_a_worker_reaches_the_caller_as_the_same_error(tmp_path: Path):
    """The platform's assets are read again when its stack is built, in a worker: a file that went bad in
    between (here on purpose) fails there, and the caller gets the ValidationFailed, not a pickling error."""
    from generator import synth
    from generator.project import load_project

    root = copy_project(tmp_path / "project")
    project = load_project(root)
    names = sorted(i.name for i in project.instances)
    (root / "ui" / "inventory" / "notes.bin").write_bytes(b"\0")
    work = tmp_path / "work"
    work.mkdir()
    inputs = dict.fromkeys(["platform", *names], "inputs")
    with pytest.raises(ValidationFailed) as raised:
        synth._build_in_pool(project, work / "out", tmp_path / "out", work, True, names, 2, None, inputs)
    (problem,) = raised.value.problems
    assert (problem.file, problem.field) == ("ui/inventory/notes.bin", "")
    assert problem.message.startswith("got extension '.bin', expected one of ")


def test_merging_a_workers_part_moves_its_stacks_and_adds_its_manifest(tmp_path: Path):
    import json

    from generator.synth import _merge_part

    app_out = tmp_path / "out"
    manifest: dict[str, object] = {}
    for k, (names, version) in enumerate([(["platform"], "a"), (["app-one", "app-two"], "b")]):
        part = tmp_path / f"part-{k}"
        for name in names:
            (part / "stacks" / name).mkdir(parents=True)
            (part / "stacks" / name / "cdk.tf.json").write_text(name)
        stacks = {name: {"name": name, "workingDirectory": f"stacks/{name}"} for name in names}
        (part / "manifest.json").write_text(json.dumps({"version": version, "stacks": stacks}))
        _merge_part(part, app_out, names, manifest)
        assert not any((part / "stacks").iterdir())  # moved, not copied
    assert sorted(p.name for p in (app_out / "stacks").iterdir()) == ["app-one", "app-two", "platform"]
    assert (app_out / "stacks" / "app-two" / "cdk.tf.json").read_text() == "app-two"
    assert manifest == {
        "version": "b",
        "stacks": {
            "platform": {"name": "platform", "workingDirectory": "stacks/platform"},
            "app-one": {"name": "app-one", "workingDirectory": "stacks/app-one"},
            "app-two": {"name": "app-two", "workingDirectory": "stacks/app-two"},
        },
    }


@pytest.mark.parametrize(
    "cores,memory_gb,stacks,expected",
    [
        (8, 24.0, 500, 5),  # one worker per 100 stacks
        (8, 24.0, 5000, 8),  # one per core
        (8, 3.0, 5000, 4),  # as many as 0.75 GB each fits
        (8, 1.4, 5000, 1),
        (8, 24.0, 199, 1),
        (8, 24.0, 0, 1),  # at least one
        (None, 24.0, 5000, 1),  # cores unknown: one
    ],
)
def test_default_workers_is_bounded_by_cores_memory_and_stacks(monkeypatch, cores, memory_gb, stacks, expected):
    from generator import synth

    monkeypatch.setattr(synth.os, "cpu_count", lambda: cores)
    monkeypatch.setattr(synth, "_available_gb", lambda: memory_gb)
    assert synth.default_workers(stacks) == expected


@pytest.mark.parametrize(
    "meminfo,expected",
    [
        ("MemTotal:       32000000 kB\nMemAvailable:   25165824 kB\n", 24.0),
        ("MemTotal:       32000000 kB\n", 1.5),  # no MemAvailable (old kernels): room for two workers
        ("MemAvailable: lots\n", 1.5),
        ("MemAvailable:\n", 1.5),
        (None, 1.5),  # no /proc/meminfo
    ],
)
def test_available_memory_is_read_from_meminfo_or_assumed(monkeypatch, meminfo, expected):
    import io

    from generator import synth

    def fake_open(path, *args, **kwargs):
        assert path == "/proc/meminfo"
        if meminfo is None:
            raise FileNotFoundError(2, "No such file or directory", path)
        return io.StringIO(meminfo)

    monkeypatch.setattr(synth, "open", fake_open, raising=False)
    assert synth._available_gb() == expected


class FakeApp:
    """``build_app``'s App in a worker: its synth writes one small stack folder per selected stack."""

    def __init__(self, calls: list, project, app_out: Path, final: Path, work: Path, todo, emulator) -> None:
        calls.append((project, app_out, final, work, todo, emulator))
        self.project, self.app_out, self.todo = project, app_out, todo

    def synth(self) -> None:
        import json

        from generator.locations import stack_dir

        for name in self.todo.stack_names(self.project):
            stack_dir(self.app_out, name).mkdir(parents=True)
            (stack_dir(self.app_out, name) / "cdk.tf.json").write_text(name)
        stacks = {n: {"name": n} for n in self.todo.stack_names(self.project)}
        (self.app_out / "manifest.json").write_text(json.dumps({"version": "v", "stacks": stacks}))


def test_a_build_stamps_each_stack_it_built_with_that_stacks_inputs(tmp_path: Path, monkeypatch):
    from generator import app, cache, synth
    from generator.locations import stack_dir
    from generator.project import Selection, load_project

    project = load_project(copy_project(tmp_path / "project"))
    calls: list = []
    monkeypatch.setattr(app, "build_app", lambda *args: FakeApp(calls, *args))
    todo = Selection(platform=True, instances=None)
    inputs = {name: f"inputs of {name}" for name in todo.stack_names(project)}
    synth._build(project, tmp_path / "out", tmp_path / "final", tmp_path / "work", todo, "emu", inputs)
    assert calls == [(project, tmp_path / "out", tmp_path / "final", tmp_path / "work", todo, "emu")]
    for name, digest in inputs.items():
        assert cache.is_fresh(stack_dir(tmp_path / "out", name), digest), name
        assert not cache.is_fresh(stack_dir(tmp_path / "out", name), "other inputs")


class InlinePool:
    """A ProcessPoolExecutor that runs each task at once in this process, recording how it was made and ended."""

    made: list = []

    def __init__(self, max_workers, mp_context, initializer, initargs) -> None:
        self.made.append(("pool", max_workers, mp_context.get_start_method(), initializer.__name__))
        initializer(*initargs)

    def submit(self, fn, *args):
        from concurrent.futures import Future

        future: Future = Future()
        future.set_result(fn(*args))
        return future

    def shutdown(self, wait: bool, cancel_futures: bool) -> None:
        self.made.append(("shutdown", wait, cancel_futures))


@pytest.fixture
def pooled(tmp_path: Path, monkeypatch):
    """The example project and its instance names, with ``build_app`` stood in by ``FakeApp`` (its calls in
    ``calls``) and the pool by ``InlinePool``; ``work`` and ``out`` exist."""
    from generator import app, synth
    from generator.project import load_project

    project = load_project(copy_project(tmp_path / "project"))
    calls: list = []
    monkeypatch.setattr(app, "build_app", lambda *args: FakeApp(calls, *args))
    monkeypatch.setattr(synth, "ProcessPoolExecutor", InlinePool)
    monkeypatch.setattr(synth, "configure_node", lambda: None)
    monkeypatch.setattr(InlinePool, "made", [])
    monkeypatch.setattr(synth, "_WORKER", {})
    work, out = tmp_path / "work", tmp_path / "out"
    work.mkdir()
    out.mkdir()
    names = sorted(i.name for i in project.instances)
    return SimpleNamespace(project=project, names=names, calls=calls, work=work, out=out, final=tmp_path / "final")


def test_the_pool_builds_the_platform_alone_first_then_chunks_of_instances_and_merges_them(pooled):
    import json

    from generator import synth
    from generator.project import Selection

    project, names, work, out, final = pooled.project, pooled.names, pooled.work, pooled.out, pooled.final
    inputs = {name: "i" for name in ["platform", *names]}
    synth._build_in_pool(project, out, final, work, True, names, 2, "emu", inputs)
    assert InlinePool.made == [("pool", 2, "spawn", "_start_worker"), ("shutdown", False, True)]
    started_with = synth._WORKER  # what _start_worker gave every chunk
    assert started_with == {"project": project, "final": final, "emulator": "emu", "inputs": inputs}
    assert pooled.calls == [
        (project, work / "part-0" / "out", final, work / "part-0", Selection(True, frozenset()), "emu"),
        (project, work / "part-1" / "out", final, work / "part-1", Selection(False, frozenset(names)), "emu"),
    ]
    assert sorted(p.name for p in (out / "stacks").iterdir()) == sorted(["platform", *names])
    assert json.loads((out / "manifest.json").read_text()) == {
        "version": "v",
        "stacks": {n: {"name": n} for n in ["platform", *names]},
    }


def test_the_pool_without_the_platform_builds_only_chunks_of_instances(pooled):
    from generator import synth
    from generator.project import Selection

    names = pooled.names
    synth._build_in_pool(
        pooled.project, pooled.out, pooled.final, pooled.work, False, names, 2, "emu", dict.fromkeys(names, "i")
    )
    assert [call[4] for call in pooled.calls] == [Selection(False, frozenset(names))]
    assert sorted(p.name for p in (pooled.out / "stacks").iterdir()) == names


@pytest.mark.parametrize(
    ("one_instance", "workers", "pool"),
    [(False, 2, 2), (False, 1, None), (True, 3, None)],
    ids=["two-workers", "one-worker", "one-stack-of-instances"],
)
def test_synthesize_builds_in_this_process_or_a_pool_and_stamps_with_the_inputs_of_its_arguments(
    pooled, monkeypatch, one_instance, workers, pool
):
    """Two workers asked for make a pool of two; one worker, or one instance stack to build, builds here. Either
    way every stack is built for the output folder and emulator given, and stamped so that the next synth with the
    same arguments reuses it."""
    from generator import cache, jsii_cache, synth
    from generator.locations import stack_dir
    from generator.project import Selection

    monkeypatch.setattr(jsii_cache, "prepare", lambda: None)
    project = pooled.project
    chosen = frozenset(pooled.names[:1]) if one_instance else None
    report = synth.synthesize(project, pooled.final, True, chosen, emulator="emu", workers=workers)
    stacks = Selection(True, chosen).stack_names(project)
    final = pooled.final.resolve()
    assert sorted(report.written) == sorted(stacks)
    assert [(call[2], call[5]) for call in pooled.calls] == [(final, "emu")] * len(pooled.calls)
    inputs = {stack: cache.stack_inputs(project, stack, final, "emu") for stack in stacks}
    for stack in stacks:
        assert cache.is_fresh(stack_dir(final, stack), inputs[stack]), stack
    if pool is None:
        assert (InlinePool.made, len(pooled.calls)) == ([], 1)
    else:
        assert InlinePool.made[0] == ("pool", pool, "spawn", "_start_worker")
        started_with = synth._WORKER
        assert started_with == {"project": project, "final": final, "emulator": "emu", "inputs": inputs}


@pytest.mark.parametrize(
    ("manifest", "listed"),
    [
        (None, set()),
        ("not json", set()),
        ("[1, 2]", set()),
        ('{"version": "0.21.0"}', set()),
        ('{"version": "0.21.0", "stacks": {"platform": {}, "app-a": {"name": "app-a"}}}', {"platform", "app-a"}),
    ],
    ids=["missing", "not-json", "not-an-object", "no-stacks", "stacks"],
)
def test_the_stacks_a_manifest_lists_are_its_stacks_keys_and_none_when_it_cannot_be_read(tmp_path, manifest, listed):
    from generator import synth

    if manifest is not None:
        (tmp_path / "manifest.json").write_text(manifest)
    assert synth._manifest_stacks(tmp_path) == listed
