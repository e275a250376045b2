"""Where each workspace's state lives, for every backend type.

One stack (the platform, or one instance) is one Terraform workspace:

* ``local``: ``<stateDir>/<stack>.tfstate``, referenced by a path relative to the stack's folder;
* ``s3``: the object ``<keyPrefix>/<stack>.tfstate`` in ``bucket`` (encrypted, locked);
* ``cloud``: the Terraform Cloud workspace ``<workspacePrefix>-<stack>``.

:func:`state_location` is what the stacks' backend and remote-state blocks
are built from (``modules.stack_base``); :func:`backend_problems` is the
validation that a backend setting can work, run before anything is synthesized.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problem, show
from ..model import BackendSettings, PlatformConfig

#: Settings that only one backend type reads; setting one for another type is a mistake worth an error.
TYPE_OF_SETTING = {"bucket": "s3", "region": "s3", "lockTable": "s3", "kmsKeyId": "s3",
                   "organization": "cloud", "project": "cloud"}
#: Settings a backend type cannot work without.
REQUIRED_SETTINGS = {"s3": (("bucket", "the name of the existing state bucket"),),
                     "cloud": (("organization", "your Terraform Cloud / HCP Terraform organization"),)}
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


def workspace_name(backend: BackendSettings, stack: str) -> str:
    """The Terraform Cloud workspace of ``stack``: ``<workspacePrefix>-<stack>``."""
    return f"{backend.workspace_prefix}-{stack}"


def s3_key(backend: BackendSettings, stack: str) -> str:
    """The S3 object holding ``stack``'s state."""
    return f"{backend.key_prefix}/{stack}.tfstate"


def local_state_file(backend: BackendSettings, stack: str) -> Path:
    return Path(backend.state_dir) / f"{stack}.tfstate"


def state_location(platform: PlatformConfig, stack: str, final_outdir: Path, reader: str | None = None) -> StateLocation:
    """Where ``stack`` keeps its state, as seen from the folder of ``reader`` (default: the stack itself)."""
    backend = platform.backend
    if backend.type == "s3":
        return StateLocation(type="s3", bucket=backend.bucket, key=s3_key(backend, stack), region=backend.region,
                             lock_table=backend.lock_table, kms_key_id=backend.kms_key_id)
    if backend.type == "cloud":
        return StateLocation(type="cloud", organization=backend.organization, hostname=backend.hostname,
                             workspace=workspace_name(backend, stack), project=backend.project)
    reader_dir = final_outdir / "stacks" / (reader or stack)
    return StateLocation(type="local", path=os.path.relpath(local_state_file(backend, stack), reader_dir))


def backend_problems(raw: dict, display: str) -> list[Problem]:
    """Settings that cannot work for the chosen type: required ones missing, other types' ones present.

    ``raw`` is platform.yaml's checked ``backend`` mapping (defaults applied,
    so only settings without a default can be told apart from "not set").
    """
    problems = []
    kind = raw["type"]
    for name, what in REQUIRED_SETTINGS.get(kind, ()):
        if raw.get(name) is None:
            problems.append(Problem(display, f"backend.{name}", f"missing, expected {what} when backend.type is {kind}"))
    for name, owner in TYPE_OF_SETTING.items():
        if owner != kind and raw.get(name) is not None:
            problems.append(Problem(display, f"backend.{name}", f"got {show(raw[name])}, expected no value when backend.type is {kind} "
                                                                  f"(it is a setting of the {owner} backend)"))
    return problems


def workspace_problems(platform: PlatformConfig, stacks: list[tuple[str, str]]) -> list[Problem]:
    """Terraform Cloud workspace names over the limit; ``stacks`` is (file, stack name) pairs."""
    if platform.backend.type != "cloud":
        return []
    problems = []
    for file, stack in stacks:
        name = workspace_name(platform.backend, stack)
        if len(name) > WORKSPACE_NAME_MAX:
            problems.append(Problem(file, "metadata.name", f"got workspace name {show(name, 100)} ({len(name)} characters), "
                                                           f"expected at most {WORKSPACE_NAME_MAX} (shorten the name or backend.workspacePrefix)"))
    return problems
