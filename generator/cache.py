"""Skip rebuilding stacks whose inputs have not changed.

Each synthesized stack folder carries a marker, ``.generator-inputs``, with
two digests: of everything the stack is built from (the instance or platform
settings, the app sources for the platform, the generator's own code and the
CDKTF library versions), and of the files the build produced. A later synth
reuses the folder as it is when both still match; when every selected stack
is fresh, it does not even start the CDKTF runtime. Terraform ignores the
marker (it reads only ``*.tf`` and ``*.tf.json``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Callable
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from . import assets
from .model import Instance, PlatformConfig
from .naming import PLATFORM_STACK
from .outfolder import MARKER, is_terraform_file
from .project import Project

#: The code that decides what a stack contains.
CODE_DIRS = ("generator", "modules")
LIBRARIES = ("cdktf", "constructs", "jsii", "cdktf-cdktf-provider-aws", "cdktf-cdktf-provider-kubernetes")
CODE_ROOT = Path(__file__).resolve().parent.parent
#: The source folders only part of which reaches the platform stack: the Lambda bundle and the UI template leave
#: out hidden files and bytecode (``lambda_code/__pycache__/`` from the app's tests must not rebuild the platform).
#: cdktf copies the auth and site pages whole, hidden files too, into the stack's assets: every file counts there.
PUBLISHED_ONLY = (assets.LAMBDA_DIR, assets.UI_TEMPLATE_DIR)


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Digest of the generator's and modules' sources and of the CDKTF library versions."""
    digest = hashlib.sha256()
    for folder in CODE_DIRS:
        for path in sorted((CODE_ROOT / folder).rglob("*.py")):
            digest.update(path.relative_to(CODE_ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for library in LIBRARIES:
        try:
            version = metadata.version(library)
        except metadata.PackageNotFoundError:
            version = "absent"
        digest.update(f"{library}=={version}\0".encode())
    return digest.hexdigest()


def _folder_digest(folder: Path, left_out: Callable[[Path], bool] = lambda _relative: False) -> str:
    """Digest of every file under ``folder`` whose path relative to it ``left_out`` does not name."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not left_out(p.relative_to(folder))):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _stack_digest(stack_dir: Path) -> str:
    """Digest of what synth wrote into ``stack_dir``: not the cache's marker, not Terraform's working files."""
    return _folder_digest(stack_dir, lambda relative: relative.name == MARKER or is_terraform_file(relative))


def _portable(platform: PlatformConfig, outdir: Path) -> dict:
    """The platform settings with the state folder relative to the output (stacks only hold relative paths)."""
    values = dataclasses.asdict(platform)
    values["backend"]["state_dir"] = os.path.relpath(platform.backend.state_dir, outdir)
    return values


def stack_inputs(project: Project, stack: str, outdir: Path, emulator: object) -> str:
    """Digest of everything ``stack`` is built from."""
    parts: dict[str, object] = {
        "code": code_fingerprint(),
        "stack": stack,
        "platform": _portable(project.platform, outdir),
        "emulator": repr(emulator),
    }
    if stack == PLATFORM_STACK:
        root = project.root
        parts["sources"] = {
            folder: _folder_digest(
                root / folder, assets.is_unpublished if folder in PUBLISHED_ONLY else lambda _relative: False
            )
            if (root / folder).is_dir()
            else None
            for folder in (assets.LAMBDA_DIR, assets.UI_TEMPLATE_DIR, assets.AUTH_PAGES_DIR, assets.SITE_PAGES_DIR)
        }
        viewer = root / assets.VIEWER_REQUEST_FILE
        parts["viewer_request"] = hashlib.sha256(viewer.read_bytes()).hexdigest() if viewer.is_file() else None
    else:
        instance: Instance = project.instance(stack)
        parts["instance"] = dataclasses.asdict(instance)
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def is_fresh(stack_dir: Path, inputs: str) -> bool:
    """Whether ``stack_dir`` was built from ``inputs`` and its files are still exactly as built."""
    marker = stack_dir / MARKER
    try:
        recorded = dict(line.split(" ", 1) for line in marker.read_text().splitlines())
    except (OSError, ValueError):
        return False
    return recorded.get("inputs") == inputs and recorded.get("output") == _stack_digest(stack_dir)


def stamp(stack_dir: Path, inputs: str) -> None:
    """Record what a freshly built ``stack_dir`` was built from and what it holds."""
    (stack_dir / MARKER).write_text(f"inputs {inputs}\noutput {_stack_digest(stack_dir)}\n")
