"""Which workspaces a change affects, measured from a git base (a PR's target branch).

An instance is affected when its YAML changed; every workspace is affected
when something they are all generated from changed (:data:`GLOBAL_PATHS`).
Instances whose YAML is gone are listed apart: their workspaces still hold
resources, and only an explicit destroy removes them (see ``orphans``).
"""

from __future__ import annotations

import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..model import Instance, PlatformConfig
from ..naming import PLATFORM_STACK
from ..project import INSTANCES_DIR, PLATFORM_FILE, Project, is_instance_file, load_instance, load_platform
from . import git

#: Paths (relative to the project folder) every workspace is generated from: a change
#: to any of them affects the platform and every instance. A folder ends with '/'.
GLOBAL_PATHS = (
    PLATFORM_FILE,
    "generator/",
    "modules/",
    "lambda_code/",
    "ui/",
    "cloudfront_function/",
    "main.py",
    "requirements.txt",
    "cdktf.json",
)


@dataclass(frozen=True)
class ChangeSet:
    """The answer of ``changed``: affected workspaces, platform first, and removed instances."""

    base: str
    base_commit: str
    platform: bool
    instances: tuple[str, ...]
    added: tuple[str, ...]
    removed: tuple[str, ...]
    global_paths: tuple[str, ...]
    reasons: dict[str, str] = field(default_factory=dict)

    @property
    def stacks(self) -> list[str]:
        """Workspaces to synthesize and plan, in dependency order (the platform first)."""
        return ([PLATFORM_STACK] if self.platform else []) + list(self.instances)

    @property
    def empty(self) -> bool:
        return not self.platform and not self.instances and not self.removed

    def to_json(self) -> dict:
        data = asdict(self)
        data["stacks"] = self.stacks
        return data


@dataclass(frozen=True)
class Snapshot:
    """platform.yaml and the instances at a revision; files that did not validate then are None."""

    platform: PlatformConfig | None
    instances: dict[str, Instance | None]  # metadata.name -> instance
    files: dict[str, str]  # metadata.name -> file (relative to the project)


def _project_prefix(root: Path) -> str:
    top = git.toplevel(root)
    relative = root.resolve().relative_to(top.resolve()).as_posix()
    return "" if relative == "." else relative + "/"


def snapshot_at(root: Path, commit: str) -> Snapshot:
    """Load the project's inputs as they were at ``commit`` (leniently: a file invalid then is kept by name)."""
    import yaml

    prefix = _project_prefix(root)
    instances: dict[str, Instance | None] = {}
    files: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        platform = None
        data = git.read_at(root, commit, prefix + PLATFORM_FILE)
        if data is not None:
            (work / PLATFORM_FILE).write_bytes(data)
            platform, _ = load_platform(work / PLATFORM_FILE, PLATFORM_FILE, root)
        for path in git.files_at(root, commit, prefix + INSTANCES_DIR):
            relative = path[len(prefix) :]
            # The files load_project reads: instance files directly in instances/.
            if not is_instance_file(Path(relative).name) or Path(relative).parent.as_posix() != INSTANCES_DIR:
                continue
            data = git.read_at(root, commit, path) or b""
            target = work / Path(relative).name
            target.write_bytes(data)
            instance, _ = load_instance(target, relative, *([platform.home_region] if platform else []))
            name = instance.name if instance else _raw_name(yaml, data)
            if name:
                instances[name] = instance
                files[name] = relative
    return Snapshot(platform=platform, instances=instances, files=files)


def _raw_name(yaml, data: bytes) -> str | None:
    try:
        doc = yaml.safe_load(data)
        name = doc["metadata"]["name"]
    except Exception:
        return None
    return name if isinstance(name, str) else None


def changed(project: Project, base: str) -> ChangeSet:
    """What changed between ``base`` (its merge base with HEAD) and the working tree."""
    root = project.root
    base_commit = git.merge_base(root, base)
    prefix = _project_prefix(root)
    paths = [p[len(prefix) :] for p in git.changed_paths(root, base_commit) if p.startswith(prefix)]
    global_hits = tuple(p for p in paths if any(p == g or (g.endswith("/") and p.startswith(g)) for g in GLOBAL_PATHS))
    before = snapshot_at(root, base_commit)
    current = {i.name: i for i in project.instances}
    reasons: dict[str, str] = {}
    if global_hits:
        shown = ", ".join(global_hits[:3]) + (f" and {len(global_hits) - 3} more" if len(global_hits) > 3 else "")
        reasons[PLATFORM_STACK] = f"changed: {shown}"
        for name in current:
            reasons[name] = f"platform or generator changed ({shown})"
    touched = set(paths)
    for name, instance in current.items():
        if name not in before.instances:
            reasons[name] = f"added ({instance.file})"
        elif instance.file in touched or before.files.get(name) in touched:
            reasons.setdefault(name, f"{instance.file} changed")
    removed = tuple(sorted(n for n in before.instances if n not in current))
    for name in removed:
        reasons[name] = f"removed ({before.files[name]}): its workspace keeps its resources until destroyed"
    instances = tuple(sorted(n for n in current if n in reasons))
    return ChangeSet(
        base=base,
        base_commit=base_commit,
        platform=bool(global_hits),
        instances=instances,
        added=tuple(sorted(n for n in instances if n not in before.instances)),
        removed=removed,
        global_paths=global_hits,
        reasons=reasons,
    )
