"""Synthesize the Terraform Cloud bootstrap stack (imports cdktf and the tfe bindings: only when asked)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from ..locations import BOOTSTRAP_STACK, DEFAULT_OUTDIR, STACKS_DIR, stack_dir
from ..project import Project
from ..runtime import configure_node

#: Where the workspaces find their configuration: the synth output, relative to the repository top.
DEFAULT_SYNTH_DIR = DEFAULT_OUTDIR


def synthesize_bootstrap(project: Project, outdir: Path, synth_dir: str = DEFAULT_SYNTH_DIR) -> Path:
    """Write ``<outdir>/stacks/tfe-bootstrap``; return that folder."""
    configure_node()
    from ..app import build_bootstrap_app  # imports cdktf and the tfe provider: only here

    final = stack_dir(outdir.resolve(), BOOTSTRAP_STACK)
    scratch = Path(tempfile.mkdtemp(prefix=".tfe-bootstrap-", dir=outdir.resolve().parent))
    try:
        build_bootstrap_app(project, scratch, final, f"{synth_dir.rstrip('/')}/{STACKS_DIR}").synth()
        if final.exists():
            shutil.rmtree(final)
        final.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(stack_dir(scratch, BOOTSTRAP_STACK)), final)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return final
