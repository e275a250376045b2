"""Synthesize a validated project into an output folder (see generator.outfolder for the write rules)."""

from __future__ import annotations

import json
from pathlib import Path

from . import cache
from .errors import Problem, ValidationFailed
from .locations import stack_dir
from .naming import PLATFORM_STACK
from .outfolder import MANIFEST, SyncReport, synthesize_into
from .project import Project, Selection
from .runtime import configure_node


def synthesize(
    project: Project, outdir: Path, with_platform: bool, instances: frozenset[str] | None, emulator: object = None
) -> SyncReport:
    """Build the selected stacks and write them into ``outdir``; a full synth also prunes stale stacks.

    ``emulator`` (a :class:`generator.locations.EmulatorSettings`) targets the local AWS emulator; default: real AWS.
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
        from .app import build_app  # imports cdktf and the providers: only when a stack must be built

        todo = Selection(
            platform=with_platform and PLATFORM_STACK not in reused,
            instances=frozenset(i.name for i in selection.chosen(project) if i.name not in reused),
        )
        try:
            build_app(project, app_out, final, work, todo, emulator).synth()
        except assets.AssetError as err:
            raise ValidationFailed([Problem(err.file, "", err.message)]) from None
        for stack in todo.stack_names(project):
            cache.stamp(stack_dir(app_out, stack), inputs[stack])

    def has_state(stack: str) -> bool:
        if project.platform.backend.type != "local":
            return True  # remote state is not checked offline: keep the folder and report it (see `orphans`)
        state = state_dir / f"{stack}.tfstate"
        return state.is_file() and state.stat().st_size > 0

    full = with_platform and instances is None
    return synthesize_into(final, build, stacks, prune=full, has_state=has_state, reused=reused)


def _manifest_stacks(outdir: Path) -> set[str]:
    try:
        return set(json.loads((outdir / MANIFEST).read_text()).get("stacks", {}))
    except (OSError, ValueError, AttributeError):
        return set()
