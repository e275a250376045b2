"""Helpers shared by the tests: throwaway copies of the project, in-process synthesis, stack JSON, the sockets a
process listens on.

Synthesis in-process pays the provider import once for the whole session;
each stack then costs milliseconds.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REPO_SOURCES = ("lambda_code", "ui", "cloudfront_function")


def copy_project(target: Path, platform_overrides: dict[str, str] | None = None) -> Path:
    """A throwaway project: the repo's platform.yaml, instances and app sources under ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for name in REPO_SOURCES + ("instances",):
        shutil.copytree(REPO / name, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    text = (REPO / "platform.yaml").read_text()
    for old, new in (platform_overrides or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    (target / "platform.yaml").write_text(text)
    return target


def synth_project(root: Path, out: Path | None = None, **kwargs) -> Path:
    """Validate and synthesize ``root`` in-process; return the output folder."""
    from generator.project import load_project
    from generator.synth import synthesize

    out = out or root / "cdktf.out"
    synthesize(load_project(root), out, kwargs.get("with_platform", True), kwargs.get("instances"))
    return out


def load_stack(out: Path, name: str) -> dict:
    return json.loads((out / "stacks" / name / "cdk.tf.json").read_text())


#: Values of ``CI`` that mean "not CI"; anything else (``true``, ``1``, ``on``, ``yes``, a provider's name) means CI.
NOT_CI = ("", "0", "false", "no", "off")


def write_project(root: Path, instances: dict[str, str], platform: str) -> Path:
    """A project folder of its own: platform.yaml and instances/<file name> with the given texts."""
    (root / "platform.yaml").write_text(platform)
    (root / "instances").mkdir()
    for name, text in instances.items():
        (root / "instances" / name).write_text(text)
    return root


def problems(root: Path) -> list[str]:
    """The problems loading the project at ``root`` reports (it must fail), each as its one line."""
    import pytest

    from generator.errors import ValidationFailed
    from generator.project import load_project

    with pytest.raises(ValidationFailed) as failed:
        load_project(root)
    return [str(p) for p in failed.value.problems]


def in_ci() -> bool:
    """The one CI check of the suite: ``CI`` is set to anything but an explicit no."""
    return os.environ.get("CI", "").strip().lower() not in NOT_CI


def skip_or_fail(reason: str) -> None:
    """Skip outside CI; under CI the missing tool is a failure (CI must run every test)."""
    import pytest

    if in_ci():
        pytest.fail(f"{reason} -- CI is set, so this is a failure, not a skip")
    pytest.skip(reason)


def listening_ports(pid: int) -> dict[int, int]:
    """The TCP ports ``pid`` listens on, by the descriptor that holds each (Linux: /proc/<pid>/fd's socket inodes
    matched against /proc/net/tcp)."""
    inodes = {}
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = str(fd.readlink())
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes[target[len("socket:[") : -1]] = int(fd.name)
    ports = {}
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
            ports[inodes[fields[9]]] = int(fields[1].rsplit(":", 1)[1], 16)
    return ports


#: How our speed switches (GENERATOR_LAZY_NODE, GENERATOR_FAST_BINDINGS) read a value: (value, on); None is unset.
SWITCH_SPELLINGS = (
    (None, True),
    ("on", True),
    ("1", True),
    ("yes", True),
    ("", True),
    ("off", False),
    ("OFF", False),
    ("Off", False),
    ("0", False),
    ("false", False),
    ("FALSE", False),
    ("no", False),
    ("NO", False),
)
