"""Where things live: each stack's folder in the synth output and each workspace's state, for every backend.

Plain data: this module imports only :mod:`generator.model`.

One stack (the platform, or one instance) is one Terraform workspace:

* ``local``: ``<stateDir>/<stack>.tfstate``, referenced by a path relative to the stack's folder;
* ``s3``: the object ``<keyPrefix>/<stack>.tfstate`` in ``bucket`` (encrypted, locked);
* ``cloud``: the Terraform Cloud workspace ``<workspacePrefix>-<stack>``.

:func:`state_location` is what the stacks' backend and remote-state blocks
are built from (``modules.stack_base``); :func:`stack_dir` is the one place that
knows a stack's folder in the synth output.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .model import BackendSettings, PlatformConfig

#: The synth output folder when nothing says otherwise (cdktf's own default), relative to the project.
DEFAULT_OUTDIR = "cdktf.out"
#: The folder of the synth output holding one folder per stack (cdktf's layout).
STACKS_DIR = "stacks"
#: The file cdktf writes in each stack's folder.
STACK_FILE = "cdk.tf.json"
#: The Terraform Cloud bootstrap stack (tfe-bootstrap command): never an instance, never an orphan.
BOOTSTRAP_STACK = "tfe-bootstrap"
#: Terraform Cloud's limit on workspace names.
WORKSPACE_NAME_MAX = 90


@dataclass(frozen=True)
class StateLocation:
    """One workspace's state: which backend, and the fields that backend reads (the rest stay None)."""

    type: str
    path: str | None = None
    bucket: str | None = None
    key: str | None = None
    region: str | None = None
    lock_table: str | None = None
    kms_key_id: str | None = None
    organization: str | None = None
    hostname: str | None = None
    workspace: str | None = None
    project: str | None = None


def stack_dir(outdir: Path, stack: str) -> Path:
    """The folder of ``stack`` in the synth output ``outdir``: its Terraform working directory."""
    return outdir / STACKS_DIR / stack


def workspace_name(backend: BackendSettings, stack: str) -> str:
    """The Terraform Cloud workspace of ``stack``: ``<workspacePrefix>-<stack>``."""
    return f"{backend.workspace_prefix}-{stack}"


def s3_key(backend: BackendSettings, stack: str) -> str:
    """The S3 object holding ``stack``'s state."""
    return f"{backend.key_prefix}/{stack}.tfstate"


def local_state_file(backend: BackendSettings, stack: str) -> Path:
    return Path(backend.state_dir) / f"{stack}.tfstate"


def state_location(
    platform: PlatformConfig, stack: str, final_outdir: Path, reader: str | None = None
) -> StateLocation:
    """Where ``stack`` keeps its state, as seen from the folder of ``reader`` (default: the stack itself)."""
    backend = platform.backend
    if backend.type == "s3":
        return StateLocation(
            type="s3",
            bucket=backend.bucket,
            key=s3_key(backend, stack),
            region=backend.region,
            lock_table=backend.lock_table,
            kms_key_id=backend.kms_key_id,
        )
    if backend.type == "cloud":
        return StateLocation(
            type="cloud",
            organization=backend.organization,
            hostname=backend.hostname,
            workspace=workspace_name(backend, stack),
            project=backend.project,
        )
    reader_dir = stack_dir(final_outdir, reader or stack)
    return StateLocation(type="local", path=os.path.relpath(local_state_file(backend, stack), reader_dir))


@dataclass(frozen=True)
class EmulatorSettings:
    """The emulator target (``python main.py local up``): every AWS call goes to ``endpoint``.

    Only the local emulator build sets this; the normal output never carries
    endpoints or credentials. ``access_key``/``secret_key`` are the emulator's
    fake test credentials, not secrets.
    """

    endpoint: str
    access_key: str = "testing"
    secret_key: str = "testing"
