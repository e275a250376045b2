"""Synthesize a validated project into an output folder (see generator.output for the write rules)."""
from __future__ import annotations

from pathlib import Path

from .errors import Problem, ValidationFailed
from .output import SyncReport, synthesize_into
from .project import Project
from .runtime import configure_node


def synthesize(project: Project, outdir: Path, with_platform: bool, instances: frozenset[str] | None,
               emulator: object = None) -> SyncReport:
    """Build the selected stacks and write them into ``outdir``; a full synth also prunes stale stacks.

    ``emulator`` (a ``modules.stack_base.EmulatorSettings``) targets the local AWS emulator; default: real AWS.
    """
    configure_node()
    from . import assets
    from .app import Selection, build_app

    selection = Selection(platform=with_platform, instances=instances)
    stacks = selection.stack_names(project)
    final = outdir.resolve()
    state_dir = Path(project.platform.backend.state_dir)

    def build(app_out: Path, work: Path) -> None:
        try:
            build_app(project, app_out, final, work, selection, emulator).synth()
        except assets.AssetError as err:
            raise ValidationFailed([Problem(err.file, "", err.message)]) from None

    def has_state(stack: str) -> bool:
        if project.platform.backend.type != "local":
            return True  # remote state is not checked offline: keep the folder and report it (see `orphans`)
        state = state_dir / f"{stack}.tfstate"
        return state.is_file() and state.stat().st_size > 0

    full = with_platform and instances is None
    return synthesize_into(final, build, stacks, prune=full, has_state=has_state)
