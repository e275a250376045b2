"""Change safety: edits that would replace a stateful resource instead of updating it.

Physical names are derived from the YAML (``generator.naming``). Changing a
part of a base name renames the table, the function, the API and the UI
prefix; Terraform can only do that by destroying and re-creating them, and a
destroyed table loses its items. :func:`replacements` lists every such edit
between a git base and the working tree; ``synth`` refuses them unless
``--allow-replace`` is given.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import PlatformConfig
from ..naming import PLATFORM_STACK, instance_names, platform_names
from ..project import Project
from .changed import Snapshot

#: (attribute of InstanceNames, what Terraform replaces, whether data is lost).
INSTANCE_NAMES = (
    ("table", "the DynamoDB table (its items are lost)", True),
    ("function", "the Lambda function", False),
    ("api", "the HTTP API (its endpoint URL changes)", False),
    ("ui_prefix", "the UI's prefix in the shared bucket (its URL changes)", False),
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

    def __str__(self) -> str:
        return f"{self.stack}: {self.field}: {self.before!r} -> {self.after!r} replaces {self.effect}"


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
            found.append(
                Replacement(
                    name,
                    "metadata.name",
                    removed[base],
                    name,
                    f"the workspace: the new one re-creates {base!r} while {removed[base]!r}'s state still owns it "
                    f"(move the state, or destroy {removed[base]!r} first)",
                    True,
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
    ob, nb = old.backend, new.backend
    old_where = (
        ob.type,
        ob.bucket,
        ob.key_prefix,
        ob.organization,
        ob.workspace_prefix,
        ob.type == "local" and ob.state_dir,
    )
    new_where = (
        nb.type,
        nb.bucket,
        nb.key_prefix,
        nb.organization,
        nb.workspace_prefix,
        nb.type == "local" and nb.state_dir,
    )
    if old_where != new_where:
        found.append(
            Replacement(
                PLATFORM_STACK,
                "backend",
                ob.type,
                nb.type,
                "where every workspace's state lives: run terraform init -migrate-state in each workspace, "
                "or Terraform plans to create everything again",
                True,
            )
        )
    return found
