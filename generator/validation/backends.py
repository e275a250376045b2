"""Whether a ``backend`` setting can work: required settings present, other backends' settings absent."""

from __future__ import annotations

from ..errors import Problem, show
from ..locations import WORKSPACE_NAME_MAX, workspace_name
from ..model import PlatformConfig

#: Settings that only one backend type reads; setting one for another type is a mistake worth an error.
TYPE_OF_SETTING = {
    "bucket": "s3",
    "region": "s3",
    "lockTable": "s3",
    "kmsKeyId": "s3",
    "organization": "cloud",
    "project": "cloud",
}
#: Settings a backend type cannot work without.
REQUIRED_SETTINGS = {
    "s3": (("bucket", "the name of the existing state bucket"),),
    "cloud": (("organization", "your Terraform Cloud / HCP Terraform organization"),),
}


def backend_problems(raw: dict, display: str) -> list[Problem]:
    """Settings that cannot work for the chosen type: required ones missing, other types' ones present.

    ``raw`` is platform.yaml's checked ``backend`` mapping (defaults applied,
    so only settings without a default can be told apart from "not set").
    """
    problems = []
    kind = raw["type"]
    for name, what in REQUIRED_SETTINGS.get(kind, ()):
        if raw.get(name) is None:
            problems.append(
                Problem(display, f"backend.{name}", f"missing, expected {what} when backend.type is {kind}")
            )
    for name, owner in TYPE_OF_SETTING.items():
        if owner != kind and raw.get(name) is not None:
            problems.append(
                Problem(
                    display,
                    f"backend.{name}",
                    f"got {show(raw[name])}, expected no value when backend.type is {kind} "
                    f"(it is a setting of the {owner} backend)",
                )
            )
    return problems


def workspace_problems(platform: PlatformConfig, stacks: list[tuple[str, str]]) -> list[Problem]:
    """Terraform Cloud workspace names over the limit; ``stacks`` is (file, stack name) pairs."""
    if platform.backend.type != "cloud":
        return []
    problems = []
    for file, stack in stacks:
        name = workspace_name(platform.backend, stack)
        if len(name) > WORKSPACE_NAME_MAX:
            problems.append(
                Problem(
                    file,
                    "metadata.name",
                    f"got workspace name {show(name, 100)} ({len(name)} characters), "
                    f"expected at most {WORKSPACE_NAME_MAX} (shorten the name or backend.workspacePrefix)",
                )
            )
    return problems
