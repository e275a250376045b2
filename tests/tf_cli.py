"""Running the real terraform binary on synthesized stacks (offline, from the provider mirror)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from helpers import REPO, skip_or_fail

from generator.runner import plugin_mirrors


def mirror() -> str | None:
    """The first provider mirror that exists: ``$TF_PLUGIN_MIRROR`` (os.pathsep-separated), then the image's.

    The same list the runner uses (generator.runner.plugin_mirrors), so tests and ``local up`` agree.
    """
    for candidate in plugin_mirrors():
        if candidate.is_dir():
            return str(candidate)
    return None


def require_terraform() -> str:
    """The terraform binary; skip (outside CI) or fail (in CI) when it is absent."""
    binary = shutil.which("terraform")
    if binary is None:
        skip_or_fail("terraform is not on PATH (these tests run in CI)")
    return binary


def terraform_env() -> dict[str, str]:
    env = dict(os.environ)
    config = env.get("TF_CLI_CONFIG_FILE")
    if not config or not Path(config).is_file():
        env["TF_CLI_CONFIG_FILE"] = str(REPO / ".ci" / "terraformrc")
    env["TF_IN_AUTOMATION"] = "1"
    env["CHECKPOINT_DISABLE"] = "1"
    return env


def without_kubernetes(stack: dict) -> dict:
    """The stack minus its Kubernetes resources and provider (that provider is not in the offline mirror)."""
    stack = json.loads(json.dumps(stack))
    stack["resource"] = {k: v for k, v in stack["resource"].items() if not k.startswith("kubernetes_")}
    if "data" in stack:  # data sources of that provider too (the namespace lookup)
        stack["data"] = {k: v for k, v in stack["data"].items() if not k.startswith("kubernetes_")}
    stack.get("provider", {}).pop("kubernetes", None)
    stack["terraform"]["required_providers"].pop("kubernetes", None)
    return stack


def validate(stack_dir: Path, work: Path) -> subprocess.CompletedProcess:
    """``terraform init -backend=false`` (from the mirror when present) and ``validate -json`` in a copy of ``stack_dir``."""
    binary = require_terraform()
    shutil.copytree(stack_dir, work)
    stack_file = work / "cdk.tf.json"
    stack_file.write_text(json.dumps(without_kubernetes(json.loads(stack_file.read_text()))))
    init = [binary, "init", "-backend=false", "-input=false", "-no-color"]
    if mirror():
        init.append(f"-plugin-dir={mirror()}")
    env = terraform_env()
    done = subprocess.run(init, cwd=work, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        return done
    return subprocess.run(
        [binary, "validate", "-json", "-no-color"], cwd=work, env=env, capture_output=True, text=True, timeout=300
    )
