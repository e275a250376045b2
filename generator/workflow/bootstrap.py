"""Synthesize the Terraform Cloud bootstrap stack (imports cdktf and the tfe bindings: only when asked)."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ..naming import PLATFORM_STACK
from ..project import Project
from ..runtime import configure_node
from ..locations import BOOTSTRAP_STACK, local_state_file, workspace_name
#: Where the workspaces find their configuration: the synth output, relative to the repository top.
DEFAULT_SYNTH_DIR = "cdktf.out"


def synthesize_bootstrap(project: Project, outdir: Path, synth_dir: str = DEFAULT_SYNTH_DIR) -> Path:
    """Write ``<outdir>/stacks/tfe-bootstrap``; return that folder."""
    configure_node()
    from cdktf import App

    from modules.tfe_bootstrap_stack import TfeBootstrapProps, TfeBootstrapStack

    backend = project.platform.backend
    stacks = [PLATFORM_STACK] + [i.name for i in project.instances]
    final = outdir.resolve() / "stacks" / BOOTSTRAP_STACK
    props = TfeBootstrapProps(
        organization=backend.organization, hostname=backend.hostname, project=backend.project,
        platform_workspace=workspace_name(backend, PLATFORM_STACK),
        instance_workspaces={i.name: workspace_name(backend, i.name) for i in project.instances},
        working_directories={s: f"{synth_dir.rstrip('/')}/stacks/{s}" for s in stacks},
        state_path=os.path.relpath(local_state_file(backend, BOOTSTRAP_STACK), final),
        tag_names=(backend.workspace_prefix.lower(),),
    )
    scratch = Path(tempfile.mkdtemp(prefix=".tfe-bootstrap-", dir=outdir.resolve().parent))
    try:
        app = App(outdir=str(scratch), stack_traces=False)
        TfeBootstrapStack(app, BOOTSTRAP_STACK, props)
        app.synth()
        if final.exists():
            shutil.rmtree(final)
        final.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(scratch / "stacks" / BOOTSTRAP_STACK), final)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return final
