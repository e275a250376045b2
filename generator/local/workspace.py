"""The local working folder: the emulator's copy of the project and where stacks, state and logs go.

The copy is the user's files read with the project's own YAML reader (YAML 1.2 scalars: ``mfa: ON``
stays the string ON) and written as JSON, which every YAML reader reads back to the same values; it
differs from the user's files only where the emulator needs it:
``uiSync: terraform`` (no cluster), ``deletionProtection: false`` on the
platform and every instance (so ``local down`` can destroy prod tables too),
the emulator's own hosted zone, and no pre-existing certificate ARN (the
platform requests and validates one in the emulator). State lives in the
working folder, never in the user's ``terraform-state/``.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

from ..errors import Problem, ValidationFailed
from ..locations import DEFAULT_OUTDIR, stack_dir
from ..naming import PLATFORM_STACK
from ..project import INSTANCES_DIR, PLATFORM_FILE, Project, is_instance_file, load_project
from ..states import read_state_file
from ..validation.reader import read_yaml

#: Default working folder, beside platform.yaml (gitignored).
DEFAULT_WORKDIR = ".local"


@dataclasses.dataclass(frozen=True)
class Workspace:
    """Paths inside one working folder."""

    root: Path

    @property
    def project_dir(self) -> Path:
        return self.root / "project"

    @property
    def outdir(self) -> Path:
        return self.root / DEFAULT_OUTDIR

    @property
    def state_dir(self) -> Path:
        return self.root / "terraform-state"

    @property
    def logs_dir(self) -> Path:
        return self.root / "logs"

    def stack_dir(self, stack: str) -> Path:
        return stack_dir(self.outdir, stack)

    def data_dir(self, stack: str) -> Path:
        """TF_DATA_DIR of a stack: outside the synth output, which a re-synth rewrites."""
        return self.root / "terraform-data" / stack

    def state_file(self, stack: str) -> Path:
        return self.state_dir / f"{stack}.tfstate"

    def stacks_with_state(self) -> list[str]:
        """Stacks whose state still holds resources: instances (sorted) first, the platform last."""
        found = [p.name[: -len(".tfstate")] for p in self.state_dir.glob("*.tfstate") if _has_resources(p)]
        return sorted(s for s in found if s != PLATFORM_STACK) + [s for s in found if s == PLATFORM_STACK]

    def discard_state(self) -> None:
        """Forget the state of a stopped emulator (its resources were in its memory)."""
        shutil.rmtree(self.state_dir, ignore_errors=True)


def _has_resources(path: Path) -> bool:
    state = read_state_file(path.stem, path, strict=False)
    return state is not None and state.resources > 0


def write_local_project(
    root: Path, workspace: Workspace, hosted_zone_id: str, instances: frozenset[str] | None
) -> Project:
    """Copy the (already validated) project for the emulator target and load the copy.

    ``instances``: the instance names to include (None: every instance file). A problem in the copy is
    reported against the user's file it came from, saying that the emulator's change caused it.
    """
    target = workspace.project_dir
    if target.exists():
        shutil.rmtree(target)
    (target / INSTANCES_DIR).mkdir(parents=True)
    platform = _read(root / PLATFORM_FILE, PLATFORM_FILE)
    platform.update(uiSync="terraform", deletionProtection=False, hostedZoneId=hosted_zone_id)
    platform.pop("certificateArn", None)
    platform["backend"] = {"type": "local"}  # the emulator's state never goes to a remote backend
    _write(target / PLATFORM_FILE, PLATFORM_FILE, platform)
    for path in sorted((root / INSTANCES_DIR).iterdir()):
        if not is_instance_file(path.name):
            continue
        manifest = _read(path, f"{INSTANCES_DIR}/{path.name}")
        if instances is not None and manifest["metadata"]["name"] not in instances:
            continue
        manifest["spec"]["deletionProtection"] = False
        _write(target / INSTANCES_DIR / path.name, f"{INSTANCES_DIR}/{path.name}", manifest)
    try:
        project = load_project(root, platform_file=target / PLATFORM_FILE, instances_dir=target / INSTANCES_DIR)
    except ValidationFailed as failed:
        raise ValidationFailed([_user_problem(p, root, target) for p in failed.problems]) from None
    # State belongs to the emulator's session, not to the user's terraform-state/.
    backend = dataclasses.replace(project.platform.backend, type="local", state_dir=str(workspace.state_dir))
    return dataclasses.replace(project, platform=dataclasses.replace(project.platform, backend=backend))


def _read(path: Path, display: str) -> dict:
    """A user file as the validator reads it (it validated a moment ago)."""
    data, problems = read_yaml(path, display)
    if problems or not isinstance(data, dict):
        raise ValidationFailed(problems or [Problem(display, "", "got no mapping, expected a YAML mapping")])
    return data


def _write(path: Path, source: str, data: dict) -> None:
    path.write_text(_header(source) + json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _user_problem(problem: Problem, root: Path, target: Path) -> Problem:
    """A problem of the copy, named by the user's file (the copy mirrors its relative path)."""
    for candidate in (target.resolve(), target.absolute()):
        for prefix in (str(candidate) + "/", _relative_prefix(candidate, root)):
            if prefix and problem.file.startswith(prefix):
                message = f"{problem.message} (in the emulator's copy, {target / problem.file[len(prefix) :]})"
                return Problem(problem.file[len(prefix) :], problem.field, message)
    return problem


def _relative_prefix(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.resolve())) + "/"
    except ValueError:
        return ""


def _header(source: str) -> str:
    return (
        f"# Generated by `python main.py local up` from {source} for the AWS emulator. Do not edit.\n"
        "# JSON, which is YAML: every reader gets the values the validator read from the original.\n"
    )
