"""Synthesize a validated project into an output folder (see generator.outfolder for the write rules)."""

from __future__ import annotations

import json
import os
import shutil
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
    from . import assets

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
        parts = split(names, count)
        pool = ProcessPoolExecutor(max_workers=count - 1, mp_context=get_context("spawn")) if count > 1 else None
        try:
            futures = (
                [
                    pool.submit(
                        build_part, project, work / f"part-{k}" / "out", final, work / f"part-{k}", part, emulator
                    )
                    for k, part in enumerate(parts[1:], start=1)
                ]
                if pool
                else []
            )
            try:
                _build(project, app_out, final, work, Selection(todo.platform, frozenset(parts[0])), emulator)
            except assets.AssetError as err:
                raise ValidationFailed([Problem(err.file, "", err.message)]) from None
            for future, part in zip(futures, parts[1:], strict=True):
                part_out = Path(future.result())
                _merge_part(part_out, app_out, part)
        finally:
            if pool:
                pool.shutdown(cancel_futures=True)
        jsii_cache.prepare()  # the first run on an empty cache extracted the providers: make the next one lazy
        for stack in todo.stack_names(project):
            cache.stamp(stack_dir(app_out, stack), inputs[stack])

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


def split(names: list[str], count: int) -> list[list[str]]:
    """``names`` in ``count`` contiguous parts whose sizes differ by at most one."""
    size, extra = divmod(len(names), count)
    parts, start = [], 0
    for k in range(count):
        end = start + size + (1 if k < extra else 0)
        parts.append(names[start:end])
        start = end
    return parts


def build_part(project: Project, app_out: Path, final: Path, work: Path, names: list[str], emulator: object) -> str:
    """A worker process: build the instance stacks ``names`` into ``app_out`` (runs in a spawned process)."""
    configure_node()
    work.mkdir(parents=True, exist_ok=True)
    _build(project, app_out, final, work, Selection(platform=False, instances=frozenset(names)), emulator)
    return str(app_out)


def _build(project: Project, app_out: Path, final: Path, work: Path, todo: Selection, emulator: object) -> None:
    from .app import build_app  # imports cdktf and the providers: only when a stack must be built

    build_app(project, app_out, final, work, todo, emulator).synth()


def _merge_part(part_out: Path, app_out: Path, names: list[str]) -> None:
    """Move a worker's stack folders into ``app_out`` and add its stacks to ``app_out``'s manifest."""
    for name in names:
        target = stack_dir(app_out, name)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(stack_dir(part_out, name)), str(target))
    manifest = app_out / MANIFEST
    merged = json.loads(manifest.read_text())
    merged.setdefault("stacks", {}).update(json.loads((part_out / MANIFEST).read_text()).get("stacks", {}))
    manifest.write_text(json.dumps(merged, indent=2))


def _manifest_stacks(outdir: Path) -> set[str]:
    try:
        return set(json.loads((outdir / MANIFEST).read_text()).get("stacks", {}))
    except (OSError, ValueError, AttributeError):
        return set()
