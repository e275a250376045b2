"""Change safety: edits that would replace a stateful resource instead of updating it.

Physical names are derived from the YAML (``generator.naming``). Changing a
part of a base name renames the table, the function, the API and the UI
prefix; Terraform can only do that by destroying and re-creating them, and a
destroyed table loses its items. :func:`replacements` lists every such edit
between a git base and the working tree; ``synth`` refuses them unless
``--allow-replace`` is given.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass
from pathlib import Path

from ..locations import local_state_file, s3_key, workspace_name
from ..model import BackendSettings, PlatformConfig
from ..naming import PLATFORM_STACK, instance_names, platform_names
from ..project import Project
from .changed import Snapshot

#: (attribute of InstanceNames, what Terraform replaces, whether data is lost).
INSTANCE_NAMES = (
    ("table", "the DynamoDB table (its items are lost)", True),
    ("function", "the Lambda function", False),
    ("api", "the HTTP API (its endpoint URL changes)", False),
    ("ui_prefix", "the UI's prefix in the shared bucket (its URL changes)", False),
    # Safe: only past access logs go (kept logRetentionDays anyway); the stage is updated in place.
    ("api_log_group", "the API's access-log group (past access logs are deleted; safe)", False),
)


@dataclass(frozen=True, order=True)
class Replacement:
    """One edit that replaces a resource: in which workspace, which field, from what to what, and the effect."""

    stack: str
    field: str
    before: str
    after: str
    effect: str
    loses_data: bool
    #: Commands that keep the data instead (move the state), when there are any.
    keep: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.stack}: {self.field}: {self.before!r} -> {self.after!r} replaces {self.effect}"


@dataclass(frozen=True, order=True)
class Removal:
    """An instance file removed since the base: its workspace becomes an orphan, its resources stay."""

    stack: str
    file: str
    table: str

    def text(self, main: str = "python main.py") -> str:
        return (
            f"{self.stack}: {self.file} removed: its workspace is orphaned; its table {self.table} and its other "
            f"resources stay until destroyed (after the merge, {main} orphans prints the destroy commands)"
        )


def removals(project: Project, before: Snapshot) -> list[Removal]:
    """Instances of ``before`` whose file is gone (a rename that keeps the base name is a Replacement instead)."""
    current = {i.name for i in project.instances}
    renamed = {instance_names(i).base for i in project.instances if i.name not in before.instances}
    found = []
    for name, old in before.instances.items():
        if name in current or (old is not None and instance_names(old).base in renamed):
            continue
        table = instance_names(old).table if old is not None else "(unknown: the file was invalid)"
        found.append(Removal(name, before.files.get(name, f"instances/{name}.yaml"), table))
    return sorted(found)


def move_state_commands(project: Project, old: str, new: str) -> tuple[str, ...]:
    """Commands, run from the project folder, that give workspace ``new`` the state of ``old`` (keeping its data)."""
    backend = project.platform.backend
    if backend.type == "s3":
        source, target = (f"s3://{backend.bucket}/{s3_key(backend, s)}" for s in (old, new))
        return (f"aws s3 mv {source} {target}",)
    if backend.type == "cloud":
        return (
            f"# rename the HCP Terraform workspace {workspace_name(backend, old)} to {workspace_name(backend, new)} "
            f"(its Settings > General page) before the first plan of {new}",
        )
    source, target = (_relative(local_state_file(backend, s), project.root) for s in (old, new))
    return (f"mv {shlex.quote(source)} {shlex.quote(target)}",)


def _relative(path: Path, root: Path) -> str:
    return os.path.relpath(path, root)


def replacements(project: Project, before: Snapshot) -> list[Replacement]:
    """Every replacing edit from ``before`` (the base's inputs) to ``project`` (the working tree)."""
    found: list[Replacement] = []
    if before.platform is not None:
        found.extend(_platform(before.platform, project.platform))
    current = {i.name: i for i in project.instances}
    for name, old in before.instances.items():
        new = current.get(name)
        if old is None or new is None:
            continue
        if old.region != new.region:
            found.append(
                Replacement(
                    name,
                    "spec.region",
                    old.region,
                    new.region,
                    "every resource of the instance in the new region (the table's items are lost)",
                    True,
                )
            )
        old_names, new_names = instance_names(old), instance_names(new)
        for attribute, effect, loses in INSTANCE_NAMES:
            a, b = getattr(old_names, attribute), getattr(new_names, attribute)
            if a != b:
                found.append(Replacement(name, f"base name ({attribute})", a, b, effect, loses))
    # A renamed file/metadata.name with the same base name: the new workspace would create resources
    # whose names the old workspace still owns.
    removed = {instance_names(i).base: n for n, i in before.instances.items() if i is not None and n not in current}
    for name, instance in current.items():
        base = instance_names(instance).base
        if name not in before.instances and base in removed:
            old = removed[base]
            found.append(
                Replacement(
                    name,
                    "metadata.name",
                    old,
                    name,
                    f"the workspace: the new one re-creates {base} while the state of workspace {old} still owns it; "
                    f"to keep the data, move that state to {name} before its first plan (commands below), or destroy "
                    f"{old} first",
                    True,
                    move_state_commands(project, old, name),
                )
            )
    return sorted(found)


@dataclass(frozen=True, order=True)
class Update:
    """An edit Terraform applies in place (nothing stateful is replaced), worth saying before the plan."""

    stack: str
    field: str
    before: str
    after: str
    effect: str

    def __str__(self) -> str:
        return f"{self.stack}: {self.field}: {self.before!r} -> {self.after!r} {self.effect}"


def in_place_updates(project: Project, before: Snapshot) -> list[Update]:
    """Edits that change identities without replacing a table, function, API or prefix (the isolation move)."""
    old = before.platform
    new = project.platform
    if old is None or old.isolation == new.isolation:
        return []
    kubernetes = new.ui_sync == "kubernetes"
    found = []
    for instance in project.instances:
        if instance.name not in before.instances:
            continue
        if new.per_instance_roles:
            roles = "its own execution role" + (" and uploader role" if kubernetes else "")
            effect = (
                f"creates {roles} under the platform's permissions boundary and updates the function's role in "
                "place; no table, function, API or prefix is replaced"
            )
        else:
            effect = (
                "destroys the app's own roles and points its function at the shared role in place; no table, "
                "function, API or prefix is replaced (every app can then reach every app)"
            )
        found.append(Update(instance.name, "isolation", old.isolation, new.isolation, effect))
    shared = "the shared Lambda execution role" + (" and uploader role" if kubernetes else "")
    found.append(
        Update(
            PLATFORM_STACK,
            "isolation",
            old.isolation,
            new.isolation,
            f"destroys {shared}: apply the instances first, then the platform (docs/security.md, migration)"
            if new.per_instance_roles
            else f"creates {shared}: apply the platform first, then the instances",
        )
    )
    return found


def _platform(old: PlatformConfig, new: PlatformConfig) -> list[Replacement]:
    found = []
    if old.name != new.name:
        a, b = platform_names(old), platform_names(new)
        found.append(
            Replacement(
                PLATFORM_STACK,
                "name",
                old.name,
                new.name,
                f"the shared buckets and user pool ({a.ui_bucket} -> {b.ui_bucket}, {a.user_pool} -> {b.user_pool}; "
                f"users and uploaded UIs are lost)",
                True,
            )
        )
    if old.home_region != new.home_region:
        found.append(
            Replacement(
                PLATFORM_STACK,
                "homeRegion",
                old.home_region,
                new.home_region,
                "the shared UI bucket and the user pool (users are lost)",
                True,
            )
        )
    for region in sorted(set(old.regions) - set(new.regions)):
        found.append(
            Replacement(
                PLATFORM_STACK,
                "regions",
                region,
                "(removed)",
                f"nothing: it destroys the assets bucket in {region}",
                False,
            )
        )
    if old.cognito.domain_prefix != new.cognito.domain_prefix:
        found.append(
            Replacement(
                PLATFORM_STACK,
                "cognito.domainPrefix",
                old.cognito.domain_prefix,
                new.cognito.domain_prefix,
                "the hosted sign-in domain (its URL changes)",
                False,
            )
        )
    before_where, after_where = backend_where(old.backend), backend_where(new.backend)
    if before_where != after_where:
        found.append(
            Replacement(
                PLATFORM_STACK,
                "backend",
                before_where,
                after_where,
                "where every workspace's state lives: run terraform init -migrate-state in each workspace, "
                "or Terraform plans to create everything again",
                True,
            )
        )
    return found


def backend_where(backend: BackendSettings) -> str:
    """Where the backend block puts the state: only the settings that type writes into the block."""
    if backend.type == "s3":
        return f"s3://{backend.bucket}/{backend.key_prefix}/ ({backend.region})"
    if backend.type == "cloud":
        return f"cloud {backend.hostname}/{backend.organization}/{backend.workspace_prefix}-*"
    return f"local {backend.state_dir}"
