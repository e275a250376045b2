"""Run Terraform on the emulator's stacks: init, plan/apply and destroy, with progress lines."""
from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .workspace import Workspace

#: Offline provider mirrors of the machine image, used when present (else the registry).
PLUGIN_MIRRORS = ("/opt/tf-plugins",)
#: Terraform output lines worth showing while it works (the full output is in the stack's log).
PROGRESS_MARKS = ("complete after", "Apply complete!", "Destroy complete!", "Still creating...", "Still destroying...")
INSTALL_HINT = "install Terraform >= 1.5 (https://developer.hashicorp.com/terraform/install) and put it on PATH"


class TerraformMissing(Exception):
    """No terraform binary on PATH."""


class StackFailed(Exception):
    """Terraform failed on one stack; the message carries Terraform's own error text."""

    def __init__(self, stack: str, action: str, detail: str, log: Path):
        self.stack, self.action, self.detail, self.log = stack, action, detail, log
        super().__init__(f"stack {stack!r}: terraform {action} failed:\n{detail.rstrip()}\n(full output: {log})")


def find_terraform() -> str:
    binary = shutil.which("terraform")
    if binary is None:
        raise TerraformMissing(f"terraform: not found on PATH; {INSTALL_HINT}")
    return binary


def mirrored_providers(mirror: Path) -> list[str]:
    """``host/namespace/type`` of every provider in an unpacked filesystem mirror."""
    return sorted("/".join(p.relative_to(mirror).parts) for p in mirror.glob("*/*/*") if p.is_dir())


def write_cli_config(workspace: Workspace) -> Path:
    """A Terraform CLI config using the offline provider mirror where present, the registry otherwise."""
    lines = ["disable_checkpoint = true"]
    for candidate in PLUGIN_MIRRORS:
        mirror = Path(candidate)
        providers = mirrored_providers(mirror) if mirror.is_dir() else []
        if providers:
            quoted = ", ".join(f'"{p}"' for p in providers)
            lines += ["provider_installation {", "  filesystem_mirror {", f'    path    = "{mirror}"',
                      f"    include = [{quoted}]", "  }", "  direct {", f"    exclude = [{quoted}]", "  }", "}"]
            break
    else:
        cache = workspace.root / "plugin-cache"
        cache.mkdir(parents=True, exist_ok=True)
        lines.append(f'plugin_cache_dir = "{cache}"')
    path = workspace.root / "terraformrc"
    path.write_text("\n".join(lines) + "\n")
    return path


@dataclass
class Terraform:
    """Terraform for the stacks of one working folder. ``echo`` prints a progress line (thread-safe)."""

    binary: str
    workspace: Workspace
    echo: Callable[[str], None]
    parallelism: int = 10
    cli_config: Path | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.cli_config = self.cli_config or write_cli_config(self.workspace)
        self.workspace.logs_dir.mkdir(parents=True, exist_ok=True)

    def _env(self, stack: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("AWS_", "TF_")) or k in ("TF_LOG", "TF_LOG_PATH")}
        env.update(TF_CLI_CONFIG_FILE=str(self.cli_config), TF_DATA_DIR=str(self.workspace.data_dir(stack)),
                   TF_IN_AUTOMATION="1", TF_INPUT="0", AWS_EC2_METADATA_DISABLED="true")
        return env

    def _say(self, stack: str, line: str) -> None:
        with self._lock:
            self.echo(f"  [{stack}] {line}")

    def run(self, stack: str, action: str, args: list[str], show: bool = False) -> tuple[int, str]:
        """Run ``terraform <args>`` in the stack's folder; return (exit code, stdout). Raise StackFailed on code 1."""
        log = self.workspace.logs_dir / f"{stack}.log"
        err_path = self.workspace.logs_dir / f"{stack}.stderr"
        with open(log, "a") as out, open(err_path, "w") as err:
            out.write(f"\n$ terraform {' '.join(args)}\n")
            out.flush()
            process = subprocess.Popen([self.binary, *args, "-no-color"], cwd=self.workspace.stack_dir(stack),
                                       env=self._env(stack), stdout=subprocess.PIPE, stderr=err, text=True)
            captured = []
            assert process.stdout is not None
            for line in process.stdout:
                out.write(line)
                captured.append(line)
                if show and any(mark in line for mark in PROGRESS_MARKS):
                    self._say(stack, line.strip())
            code = process.wait()
        stderr = err_path.read_text()
        if stderr:
            with open(log, "a") as out:
                out.write(stderr)
        if code not in (0, 2):
            raise StackFailed(stack, action, stderr or "".join(captured[-30:]), log)
        return code, "".join(captured)

    def init(self, stack: str) -> None:
        self.run(stack, "init", ["init", "-input=false"])

    def has_changes(self, stack: str, destroy: bool = False) -> bool:
        """``terraform plan -detailed-exitcode`` (saving the plan for :meth:`apply_saved`)."""
        args = ["plan", "-input=false", "-detailed-exitcode", f"-parallelism={self.parallelism}",
                f"-out={self._plan(stack)}"]
        code, _ = self.run(stack, "plan", args + (["-destroy"] if destroy else []))
        return code == 2

    def plan_summary(self, stack: str) -> tuple[bool, str]:
        """(changes?, the plan's text) without saving it: the drift check of a second plan."""
        code, text = self.run(stack, "plan", ["plan", "-input=false", "-detailed-exitcode", "-lock=false",
                                              f"-parallelism={self.parallelism}"])
        return code == 2, text

    def apply(self, stack: str) -> str:
        """Plan and apply; return a one-line summary ("no changes" when the plan is empty)."""
        started = time.monotonic()
        if not self.has_changes(stack):
            self._say(stack, "no changes")
            return "no changes"
        self._say(stack, "applying")
        _, text = self.run(stack, "apply", ["apply", "-input=false", f"-parallelism={self.parallelism}",
                                            str(self._plan(stack))], show=True)
        return _summary(text, "Apply complete!", time.monotonic() - started)

    def destroy(self, stack: str) -> str:
        started = time.monotonic()
        self._say(stack, "destroying")
        # No refresh: only Terraform changed the emulator, so its state is current (and refreshing ~60
        # resources through one emulator process costs more than the destroy itself).
        _, text = self.run(stack, "destroy", ["destroy", "-input=false", "-auto-approve", "-refresh=false",
                                              f"-parallelism={self.parallelism}"], show=True)
        return _summary(text, "Destroy complete!", time.monotonic() - started)

    def _plan(self, stack: str) -> Path:
        return self.workspace.data_dir(stack) / "tfplan"


def _summary(text: str, mark: str, seconds: float) -> str:
    line = next((line.strip() for line in text.splitlines() if mark in line), mark)
    return f"{line} ({seconds:.0f} s)"
