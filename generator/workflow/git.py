"""The few git questions the workflow asks, through the git CLI (no library)."""

from __future__ import annotations

import subprocess
from pathlib import Path


class GitError(Exception):
    """A git command failed; the message is one line for the CLI."""


def _git(cwd: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise GitError("git: not found on PATH, expected git to compare revisions") from None
    if done.returncode != 0:
        detail = (done.stderr.strip().splitlines() or ["failed"])[-1]
        raise GitError(f"git {' '.join(args)}: {detail}")
    return done.stdout


def toplevel(root: Path) -> Path:
    """The repository that holds the project folder ``root``."""
    return Path(_git(root, "rev-parse", "--show-toplevel").strip())


def require_repository(root: Path) -> None:
    """Raise GitError saying so when ``root`` is not inside a git repository (or git is missing)."""
    try:
        toplevel(root)
    except GitError as err:
        if "not a git repository" not in str(err):
            raise
        raise GitError(
            f"{root}: not a git repository, expected the project folder inside a git clone "
            "(changed, diff and --base compare the working tree with a git revision)"
        ) from None


def merge_base(root: Path, base: str) -> str:
    """The commit where the current branch left ``base`` (a PR's changes are measured from there)."""
    require_repository(root)
    try:
        _git(root, "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}")
    except GitError:
        raise GitError(
            f"--base: got {base!r}, expected a git revision of this repository (fetch it first, e.g. git fetch origin "
            "main)"
        ) from None
    return _git(root, "merge-base", base, "HEAD").strip()


def changed_paths(root: Path, base_commit: str) -> list[str]:
    """Files that differ between ``base_commit`` and the working tree (committed, staged, unstaged or untracked).

    Paths are relative to the repository's top level. A rename counts as both its old and new path.
    """
    out = _git(root, "diff", "--name-only", "--no-renames", "-z", base_commit, "--")
    untracked = _git(root, "ls-files", "--others", "--exclude-standard", "-z", "--full-name")
    return sorted({p for p in (out + untracked).split("\0") if p})


def files_at(root: Path, commit: str, folder: str) -> list[str]:
    """Files under ``folder`` (relative to the repository top) at ``commit``."""
    out = _git(root, "ls-tree", "-r", "--full-tree", "--name-only", "-z", commit, "--", folder)
    return [p for p in out.split("\0") if p]


def read_at(root: Path, commit: str, path: str) -> bytes | None:
    """A file's bytes at ``commit`` (None when it did not exist)."""
    try:
        done = subprocess.run(["git", "show", f"{commit}:{path}"], cwd=root, capture_output=True, check=False)
    except FileNotFoundError:
        raise GitError("git: not found on PATH, expected git to compare revisions") from None
    return done.stdout if done.returncode == 0 else None
