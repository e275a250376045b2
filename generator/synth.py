"""Synthesize a validated project into an output folder (see generator.outfolder for the write rules)."""

from __future__ import annotations

import json
import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from . import cache, jsii_cache
from .errors import Problem, ValidationFailed
from .locations import stack_dir
from .naming import PLATFORM_STACK
from .outfolder import MANIFEST, SyncReport, synthesize_into
from .project import Project, Selection
from .runtime import configure_node

#: Peak memory of one synth worker (python + its jsii node), with the lazy provider index (docs/performance.md).
WORKER_GB = 0.75
#: Instance stacks a worker must have to pay for its start-up (~3 s of loading cdktf and the providers).
STACKS_PER_WORKER = 100
#: The smallest chunk of instance stacks a worker is handed (each chunk is one cdktf App).
MIN_CHUNK = 5


def synthesize(
    project: Project,
    outdir: Path,
    with_platform: bool,
    instances: frozenset[str] | None,
    emulator: object = None,
    workers: int | None = None,
) -> SyncReport:
    """Build the selected stacks and write them into ``outdir``; a full synth also prunes stale stacks.

    ``emulator`` (a :class:`generator.locations.EmulatorSettings`) targets the local AWS emulator; default: real AWS.
    ``workers``: processes the instance stacks are split over (default :func:`default_workers`); the output is
    byte-identical to one process (tests/test_speed_lazy_node.py).
    """
    selection = Selection(platform=with_platform, instances=instances)
    stacks = selection.stack_names(project)
    final = outdir.resolve()
    state_dir = Path(project.platform.backend.state_dir)
    inputs = {stack: cache.stack_inputs(project, stack, final, emulator) for stack in stacks}
    listed = _manifest_stacks(final)
    reused = frozenset(s for s in stacks if s in listed and cache.is_fresh(stack_dir(final, s), inputs[s]))

    def build(app_out: Path, work: Path) -> None:
        configure_node()
        todo = Selection(
            platform=with_platform and PLATFORM_STACK not in reused,
            instances=frozenset(i.name for i in selection.chosen(project) if i.name not in reused),
        )
        names = [i.name for i in todo.chosen(project)]
        count = max(1, min(workers or default_workers(len(names)), len(names)))
        if count == 1:
            _build(project, app_out, final, work, todo, emulator, inputs)
        else:
            _build_in_pool(project, app_out, final, work, todo.platform, names, count, emulator, inputs)
        jsii_cache.prepare()  # the first run on an empty cache extracted the providers: make the next one lazy

    def has_state(stack: str) -> bool:
        if project.platform.backend.type != "local":
            return True  # remote state is not checked offline: keep the folder and report it (see `orphans`)
        state = state_dir / f"{stack}.tfstate"
        return state.is_file() and state.stat().st_size > 0

    full = with_platform and instances is None
    return synthesize_into(final, build, stacks, prune=full, has_state=has_state, reused=reused)


def default_workers(stacks: int) -> int:
    """Synth processes for ``stacks`` instance stacks: one per core, as many as the free memory holds at
    :data:`WORKER_GB` each, and one per :data:`STACKS_PER_WORKER` stacks; at least one."""
    cores = os.cpu_count() or 1
    by_memory = int(_available_gb() // WORKER_GB)
    return max(1, min(cores, by_memory, stacks // STACKS_PER_WORKER))


def _available_gb() -> float:
    try:
        with open("/proc/meminfo") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 2**20
    except (OSError, ValueError, IndexError):
        pass
    return 2 * WORKER_GB  # unknown: assume room for two


def chunks(names: list[str], workers: int) -> list[list[str]]:
    """``names`` in contiguous chunks that shrink as the work runs out, for ``workers`` processes pulling them.

    Each chunk is a share of what is left (half of it, spread over the workers), never under
    :data:`MIN_CHUNK`: big chunks first keep the per-chunk cost low, small ones last keep the
    workers finishing together.
    """
    parts, start = [], 0
    while start < len(names):
        size = max(MIN_CHUNK, (len(names) - start) // (2 * workers))
        parts.append(names[start : start + size])
        start += size
    return parts


def _build_in_pool(
    project: Project,
    app_out: Path,
    final: Path,
    work: Path,
    platform: bool,
    names: list[str],
    count: int,
    emulator: object,
    inputs: dict[str, str],
) -> None:
    """Build in ``count`` spawned processes pulling chunks (the platform first, alone); merge into ``app_out``.

    This process never loads cdktf: the workers do all of the building, so the cores stay busy until the
    last chunk, and each worker stamps its own stacks.
    """
    tasks = ([Selection(platform=True, instances=frozenset())] if platform else []) + [
        Selection(platform=False, instances=frozenset(chunk)) for chunk in chunks(names, count)
    ]
    pool = ProcessPoolExecutor(
        max_workers=min(count, len(tasks)),  # 8 workers over 8 stacks make 3 tasks: no idle processes to spawn
        mp_context=get_context("spawn"),
        initializer=_start_worker,
        initargs=(project, final, emulator, inputs),
    )
    try:
        futures = [pool.submit(_build_chunk, work / f"part-{k}", task) for k, task in enumerate(tasks)]
        manifest: dict[str, object] = {}
        for future, task in zip(futures, tasks, strict=True):
            part_out = Path(future.result())
            _merge_part(part_out, app_out, task.stack_names(project), manifest)
        (app_out / MANIFEST).write_text(json.dumps(manifest, indent=2))
    finally:
        # Idle workers exit on their own (their jsii kernels take ~1 s to stop) while this process syncs;
        # the interpreter waits for them at exit.
        pool.shutdown(wait=False, cancel_futures=True)


_WORKER: dict[str, object] = {}


def _start_worker(project: Project, final: Path, emulator: object, inputs: dict[str, str]) -> None:
    """A spawned worker's initializer: what every chunk shares, sent once."""
    configure_node()
    _WORKER.update(project=project, final=final, emulator=emulator, inputs=inputs)


def _build_chunk(work: Path, todo: Selection) -> str:
    """A worker process: build ``todo`` into ``work``/out and stamp its stacks; return that folder."""
    work.mkdir(parents=True, exist_ok=True)
    app_out = work / "out"
    project = _WORKER["project"]
    _build(project, app_out, _WORKER["final"], work, todo, _WORKER["emulator"], _WORKER["inputs"])  # type: ignore[arg-type]
    return str(app_out)


def _build(
    project: Project, app_out: Path, final: Path, work: Path, todo: Selection, emulator: object, inputs: dict[str, str]
) -> None:
    from . import assets
    from .app import build_app  # imports cdktf and the providers: only when a stack must be built

    try:
        build_app(project, app_out, final, work, todo, emulator).synth()
    except assets.AssetError as err:
        raise ValidationFailed([Problem(err.file, "", err.message)]) from None
    for stack in todo.stack_names(project):
        cache.stamp(stack_dir(app_out, stack), inputs[stack])


def _merge_part(part_out: Path, app_out: Path, names: list[str], manifest: dict[str, object]) -> None:
    """Move a worker's stack folders into ``app_out`` and add its manifest to ``manifest``."""
    for name in names:
        target = stack_dir(app_out, name)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(stack_dir(part_out, name), target)
    part = json.loads((part_out / MANIFEST).read_text())
    stacks = {**manifest.get("stacks", {}), **part.get("stacks", {})}  # type: ignore[dict-item]
    manifest.update(part, stacks=stacks)


def _manifest_stacks(outdir: Path) -> set[str]:
    try:
        return set(json.loads((outdir / MANIFEST).read_text()).get("stacks", {}))
    except (OSError, ValueError, AttributeError):
        return set()
