"""Helpers for the hostile-input, security and determinism tests.

A *project* here is a throwaway copy of the repository's inputs (see
``helpers.copy_project``) with one hostile file swapped in. ``snapshot``
records an output folder's bytes so a test can prove a failed run left it
exactly as it was.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from helpers import REPO, copy_project

CORPUS = Path(__file__).resolve().parent / "corpus"
#: The example instance every platform case is paired with (valid in any platform that serves us-east-2).
GOOD_INSTANCE = REPO / "instances" / "john-inventory-dev.yaml"


def instance_project(
    target: Path, case: Path | None = None, *, name: str | None = None, data: bytes | None = None
) -> Path:
    """The example platform with exactly one instance file: ``case`` (copied) or ``data`` written as ``name``."""
    root = copy_project(target)
    shutil.rmtree(root / "instances")
    (root / "instances").mkdir()
    if case is not None:
        shutil.copy(case, root / "instances" / case.name)
    if data is not None:
        (root / "instances" / (name or "generated.yaml")).write_bytes(data)
    return root


def platform_project(target: Path, case: Path | None = None, data: bytes | None = None) -> Path:
    """A project whose platform.yaml is ``case`` (or ``data``), with one valid instance."""
    root = copy_project(target)
    shutil.rmtree(root / "instances")
    (root / "instances").mkdir()
    shutil.copy(GOOD_INSTANCE, root / "instances" / GOOD_INSTANCE.name)
    (root / "platform.yaml").write_bytes(case.read_bytes() if case is not None else data or b"")
    return root


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``folder``: relative path -> (bytes, mtime_ns). Directories appear with empty bytes."""
    if not folder.exists():
        return {}
    found = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        found[relative] = (path.read_bytes() if path.is_file() else b"", path.stat().st_mtime_ns)
    return found


def scratch_left(outdir: Path) -> list[str]:
    """Scratch folders a synth left beside ``outdir`` (generator.outfolder names them ``.<out>.synth-*``)."""
    return sorted(p.name for p in outdir.parent.glob(f".{outdir.name}.synth-*"))


def seed_output(outdir: Path) -> None:
    """A previous run's output to protect: a stack, its assets and a manifest."""
    (outdir / "stacks" / "old-stack" / "assets").mkdir(parents=True)
    (outdir / "stacks" / "old-stack" / "cdk.tf.json").write_text('{"resource": {}}\n')
    (outdir / "stacks" / "old-stack" / "assets" / "bundle.zip").write_bytes(bytes(range(256)))
    (outdir / "manifest.json").write_text('{"stacks": {"old-stack": {}}}\n')


def run_main(
    args: list[str], env: dict[str, str] | None = None, cwd: Path | None = None, timeout: int = 300
) -> subprocess.CompletedProcess[str]:
    """``python main.py ARGS`` in a fresh process (the real CLI, as CI and users run it)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, str(REPO / "main.py"), *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd or REPO,
        timeout=timeout,
    )


#: Credentials and account values a developer's shell may hold. None may reach the output.
FAKE_SECRETS = {
    "AWS_ACCESS_KEY_ID": "AKIAFAKEKEY7QX2LEAKED",
    "AWS_SECRET_ACCESS_KEY": "fakeSecretKey/LEAKED+wJalrXUtnFEMIK7MDENGbPxRfiCY",
    "AWS_SESSION_TOKEN": "FakeSessionTokenLEAKEDIQoJb3JpZ2luX2VjEJr",
    "AWS_SECURITY_TOKEN": "FakeSecurityTokenLEAKED0123",
    "AWS_ACCOUNT_ID": "918273645012",
    "CDK_DEFAULT_ACCOUNT": "918273645013",
    "AWS_PROFILE": "leaked-profile-name",
    "AWS_DEFAULT_REGION": "me-central-1",
    "AWS_REGION": "me-central-1",
    "TF_VAR_db_password": "hunter2-LEAKED-tfvar",
    "GITHUB_TOKEN": "ghp_FAKELEAKEDTOKEN0123456789abcdefABCD",
    "USER": "leaked-username",
}


def as_folder(path: str | Path) -> str | None:
    """``path`` as the text to search the output for (``/home/jane``); None for ``/`` itself.

    A machine may run with ``HOME=/`` (containers, CI): every absolute path starts with ``/``, which is no leak.
    """
    text = str(path).rstrip("/")
    return text or None


@functools.cache
def hostile_env_synth() -> tuple[Path, dict[str, str]]:
    """The example project synthesized once by a real ``main.py synth`` process run with ``FAKE_SECRETS``
    in its environment, a fake HOME and a different hash seed, from a deep, machine-specific folder.

    Returns (output folder, the environment values that must not appear in it).
    """
    base = Path(tempfile.mkdtemp(prefix="leak-check-"))
    atexit.register(shutil.rmtree, base, ignore_errors=True)
    home = base / "home" / "leaked-username"
    home.mkdir(parents=True)
    root = copy_project(base / "machine-specific" / "checkout")
    env = {**FAKE_SECRETS, "HOME": str(home), "PYTHONHASHSEED": "4242"}
    result = run_main(["--root", str(root), "synth"], env=env, cwd=home)
    assert result.returncode == 0, result.stdout + result.stderr
    machine_paths = {
        "HOME": home,
        "project root": root,
        "temporary folder": base,
        "repository": REPO,
        "python prefix": sys.prefix,
        "real home": os.path.expanduser("~"),
    }
    forbidden = {**FAKE_SECRETS, **{what: p for what, path in machine_paths.items() if (p := as_folder(path))}}
    # me-central-1 is in no input: seeing it would mean the environment's region leaked in.
    return root / "cdktf.out", forbidden
