"""Write synthesized stacks into the output folder safely.

Synthesis runs into a temporary folder beside the output; only when it has
fully succeeded are its files moved in, and only files whose bytes changed
are replaced (each with an atomic rename). A failed synth leaves the output
exactly as it was; an unchanged stack keeps its files' bytes and mtimes.
A synth killed mid-way cannot clean up its scratch folder: each scratch folder
records its process id, and the next run removes those whose process is gone.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .locations import STACKS_DIR, stack_dir

MANIFEST = "manifest.json"
#: The build cache's record in each stack folder (generator.cache): kept in sync, but a change to it
#: alone does not count as a changed stack.
MARKER = ".generator-inputs"


#: What ``terraform init``/``apply`` leave in a stack folder (the provider cache, the lock file, a local state):
#: the user's working files, not synth output. A sync never removes them and the build cache ignores them, so
#: running Terraform in a stack folder (as the README shows) neither rebuilds that stack at the next synth nor
#: makes it initialize again.
TERRAFORM_FILES = frozenset(
    {
        ".terraform",
        ".terraform.lock.hcl",
        "terraform.tfstate",
        "terraform.tfstate.backup",
        ".terraform.tfstate.lock.info",
    }
)


def is_terraform_file(relative: Path) -> bool:
    """Whether ``relative`` (a path inside a stack folder) is one of Terraform's working files or under one."""
    return bool(relative.parts) and relative.parts[0] in TERRAFORM_FILES


@dataclass
class SyncReport:
    """What a sync changed, for the CLI's summary."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept_orphans: list[str] = field(default_factory=list)


#: File in each scratch folder naming the process that owns it.
OWNER = ".owner-pid"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def remove_stale_scratch(outdir: Path) -> list[str]:
    """Remove ``.<out>.synth-*`` folders beside ``outdir`` left by killed runs; a live run's folder stays.

    A folder whose owner file is missing or unreadable was left before its pid was written (or by an older
    version): it is removed too, unless it is younger than a minute (a run that is just starting).
    """
    removed = []
    for folder in sorted(outdir.parent.glob(f".{outdir.name}.synth-*")):  # in order: the report is the same each time
        if not folder.is_dir() or folder.is_symlink():
            continue
        try:
            pid = int((folder / OWNER).read_text().strip())
            stale = pid != os.getpid() and not _alive(pid)
        except (OSError, ValueError):
            try:
                stale = time.time() - folder.stat().st_mtime > 60
            except OSError:
                continue
        if stale:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
    return removed


def synthesize_into(
    outdir: Path,
    build: Callable[[Path, Path], None],
    stacks: list[str],
    prune: bool,
    has_state: Callable[[str], bool],
    reused: frozenset[str] = frozenset(),
) -> SyncReport:
    """Run ``build(app_outdir, work_dir)`` in a scratch folder, then sync the result into ``outdir``.

    ``stacks`` are the stack names being produced. With ``prune`` (a full
    synth), other stack folders are removed unless ``has_state`` says the
    workspace still has state: those are orphans to destroy, kept and reported.
    ``reused`` stacks are already up to date in ``outdir`` (see generator.cache):
    ``build`` does not produce them and their folders and manifest entries stay.
    When every stack is reused, ``build`` is not called at all.
    """
    outdir = outdir.resolve()
    outdir.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_scratch(outdir)
    scratch = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.synth-", dir=outdir.parent))
    (scratch / OWNER).write_text(str(os.getpid()))
    try:
        app_out, work = scratch / "out", scratch / "work"
        work.mkdir()
        if set(stacks) - reused:
            build(app_out, work)
        return _sync(app_out, outdir, stacks, prune, has_state, reused)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _sync(
    new: Path, outdir: Path, stacks: list[str], prune: bool, has_state: Callable[[str], bool], reused: frozenset[str]
) -> SyncReport:
    report = SyncReport()
    outdir.mkdir(exist_ok=True)
    for stack in stacks:
        if stack in reused:
            report.unchanged.append(stack)
            continue
        source, target = stack_dir(new, stack), stack_dir(outdir, stack)
        if not os.path.lexists(target):  # a new stack (every stack of a cold synth): move its folder in whole
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
            report.written.append(stack)
            continue
        changed = _sync_tree(source, target)
        (report.written if changed else report.unchanged).append(stack)
    existing = outdir / STACKS_DIR
    if prune and existing.is_dir():
        for folder in sorted(p for p in existing.iterdir() if p.is_dir() and p.name not in stacks):
            if has_state(folder.name):
                report.kept_orphans.append(folder.name)
            else:
                shutil.rmtree(folder)
                report.removed.append(folder.name)
    _write_manifest(new / MANIFEST, outdir / MANIFEST, keep=set(report.kept_orphans) | reused if prune else None)
    return report


def _sync_tree(source: Path, target: Path) -> bool:
    """Make ``target`` hold exactly ``source``'s files, besides Terraform's own (:func:`is_terraform_file`);
    return whether anything changed."""
    changed = False
    wanted = {p.relative_to(source) for p in source.rglob("*") if p.is_file()}
    for relative in sorted(wanted):
        written = _put(source / relative, target / relative)
        changed |= written and relative.name != MARKER
    if target.is_dir():
        for path in sorted(target.rglob("*"), reverse=True):
            relative = path.relative_to(target)
            if is_terraform_file(relative):
                continue
            if path.is_file() and relative not in wanted:
                path.unlink()
                changed = True
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return changed


def _put(source: Path, target: Path) -> bool:
    data = source.read_bytes()
    if target.is_file() and target.read_bytes() == data:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, target)
    return True


def _write_manifest(new: Path, target: Path, keep: set[str] | None) -> None:
    """Merge the new manifest's stacks into the existing one (a partial synth keeps the others).

    ``keep`` (full synth): drop every old entry except these (kept orphans and reused stacks).
    """
    fresh = json.loads(new.read_text()) if new.is_file() else {"stacks": {}}
    merged = fresh
    if target.is_file():
        try:
            old = json.loads(target.read_text())
        except ValueError:
            old = {}
        stacks = {k: v for k, v in old.get("stacks", {}).items() if keep is None or k in keep}
        stacks.update(fresh.get("stacks", {}))
        merged = {**old, **fresh, "stacks": dict(sorted(stacks.items()))}
    text = json.dumps(merged, indent=2, sort_keys=True) + "\n"
    if not target.is_file() or target.read_text() != text:
        temporary = target.with_name(f".{target.name}.tmp")
        temporary.write_text(text)
        os.replace(temporary, target)
