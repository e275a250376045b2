"""``orphans``: workspaces whose state holds resources but whose instance YAML is gone.

Synth never deletes such a workspace's folder (it needs its configuration to
be destroyed); this module says how to destroy each one. The recipe restores
the YAML from the last commit that had it when the folder is gone too.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

from ..locations import BOOTSTRAP_STACK, STACK_FILE, stack_dir
from ..naming import PLATFORM_STACK
from ..project import INSTANCES_DIR, Project
from ..states import WorkspaceState, applied
from . import git


@dataclass(frozen=True)
class Orphan:
    stack: str
    state: WorkspaceState
    commands: tuple[str, ...]


def find(project: Project, states, outdir: Path, main: str = "python main.py") -> list[Orphan]:
    """Workspaces with resources in state and no instance file (the platform is never an orphan)."""
    known = {PLATFORM_STACK, BOOTSTRAP_STACK} | {i.name for i in project.instances}
    found = []
    for stack, state in sorted(applied(states).items()):
        if stack in known:
            continue
        found.append(Orphan(stack, state, destroy_commands(project.root, outdir, stack, main)))
    return found


def destroy_commands(root: Path, outdir: Path, stack: str, main: str = "python main.py") -> tuple[str, ...]:
    """Shell commands that destroy ``stack``'s resources, run from the project folder."""
    folder = stack_dir(outdir, stack)
    shown = _relative(folder, root)
    destroy = (
        f"terraform -chdir={shlex.quote(shown)} init -input=false",
        f"terraform -chdir={shlex.quote(shown)} destroy",
    )
    if (folder / STACK_FILE).is_file():
        return destroy
    found = _last_file(root, stack)
    if found is None:
        return (
            f"# {stack}: no synthesized folder and no instance file in git history; recreate instances/{stack}.yaml "
            f"as it was, then:",
            f"{main} synth --instance {stack} --out {shlex.quote(_relative(outdir, root))}",
            *destroy,
            f"rm instances/{stack}.yaml",
        )
    commit, path = found
    return (
        f"git show {commit[:12]}^:{path} > {shlex.quote(_local(root, path))}",
        f"{main} synth --instance {stack} --out {shlex.quote(_relative(outdir, root))}",
        *destroy,
        f"rm {shlex.quote(_local(root, path))}",
    )


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _local(root: Path, top_path: str) -> str:
    """A repository-top path as a path relative to the project folder."""
    try:
        top = git.toplevel(root)
        return str((top / top_path).resolve().relative_to(root.resolve()))
    except (git.GitError, ValueError):
        return top_path


def _last_file(root: Path, stack: str) -> tuple[str, str] | None:
    """(commit, path) of the last version of the instance file named ``stack`` before it was deleted."""
    import yaml

    try:
        top = git.toplevel(root)
        folder = (root.resolve() / INSTANCES_DIR).relative_to(top.resolve()).as_posix()
        # ":/" makes the pathspec top-relative: git runs in the project folder, which may be a subfolder.
        log = git._git(root, "log", "--diff-filter=D", "--name-only", "--format=%x00%H", "--", f":/{folder}")
    except (git.GitError, ValueError):
        return None
    for entry in log.split("\0"):
        lines = [line for line in entry.strip().splitlines() if line]
        if len(lines) < 2:
            continue
        commit, paths = lines[0], lines[1:]
        for path in paths:
            data = git.read_at(root, f"{commit}^", path)
            try:
                name = yaml.safe_load(data or b"")["metadata"]["name"]
            except Exception:
                continue
            if name == stack:
                return commit, path
    return None
