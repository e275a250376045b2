"""The one way this project runs Terraform: ``plan``/``apply`` (generator.workflow) and ``local`` use it.

One :class:`Terraform` runs commands in one stack folder at a time (it is
thread-safe across stacks), appends everything Terraform prints to
``<logs_dir>/<stack>.log`` and raises :class:`StackFailed` with the lines that
matter when a command fails. Callers decide the environment: the workflow
passes the user's (credentials and all), the emulator a clean one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

#: Offline provider mirrors of the machine image, used by the emulator target when present.
#: ``TF_PLUGIN_MIRROR`` names another one (colon-separated for several).
DEFAULT_PLUGIN_MIRRORS = ("/opt/tf-plugins",)
#: Terraform output lines worth showing while it works (the full output is in the stack's log).
#: "Apply complete!" and "Destroy complete!" are not among them: callers print them once, in their summary line.
PROGRESS_MARKS = ("complete after", "Still creating...", "Still destroying...")
INSTALL_HINT = "install Terraform >= 1.5 (https://developer.hashicorp.com/terraform/install) and put it on PATH"
#: Box-drawing characters Terraform frames its diagnostics with.
_FRAME = set("│╷╵─ ")


@dataclass(frozen=True)
class CommandTime:
    """How long one Terraform command took: ``wall`` seconds, and ``cpu`` seconds (user + system) of Terraform and
    the provider plugins it started. On a shared machine ``cpu`` is the part that does not depend on the load."""

    stack: str
    action: str
    wall: float
    cpu: float


class TerraformMissing(Exception):
    """No terraform binary on PATH."""


class StackFailed(Exception):
    """Terraform failed on one stack; ``detail`` is its error output, ``log`` the full log."""

    def __init__(self, stack: str, action: str, detail: str, log: Path):
        self.stack, self.action, self.detail, self.log = stack, action, detail, log
        super().__init__(f"stack {stack!r}: terraform {action} failed:\n{detail.rstrip()}\n(full output: {log})")

    def summary(self, limit: int = 300) -> str:
        """The first ``Error:`` line with what follows it on the same diagnostic, on one line."""
        return error_summary(self.detail, limit)


def error_summary(text: str, limit: int = 300) -> str:
    """One line saying why Terraform failed: its first ``Error:`` diagnostic (not init's preamble)."""
    lines = [line.strip().lstrip("│╷╵").strip() for line in text.splitlines()]
    lines = [line for line in lines if line and not set(line) <= _FRAME]
    errors = [
        i
        for i, line in enumerate(lines)
        if line.startswith("Error:") and "encountered problems during initiali" not in line
    ]
    if not errors:
        return (lines[-1] if lines else "no output")[:limit]
    first = errors[0]
    body = [line for line in lines[first + 1 : first + 4] if not line.startswith(("Error:", "with ", "on "))]
    return " ".join([lines[first], *body])[:limit]


def error_lines(text: str, limit: int = 20) -> list[str]:
    """The lines that say why Terraform failed: every ``Error:`` diagnostic with its body (frames removed),
    at most ``limit`` lines; the last lines of the output when there is no diagnostic."""
    lines = [line.strip().lstrip("│╷╵").rstrip() for line in text.splitlines()]
    kept: list[str] = []
    inside = False
    for line in lines:
        bare = line.strip()
        if bare.startswith("Error:") and "encountered problems during initiali" not in bare:
            inside = True
        elif bare.startswith("Warning:"):
            inside = False
        if inside and bare and not set(bare) <= _FRAME:
            kept.append(bare)
    if not kept:
        kept = [line.strip() for line in lines if line.strip() and not set(line.strip()) <= _FRAME][-5:]
    return kept[:limit]


def find_terraform() -> str:
    """The terraform binary on PATH; raises TerraformMissing with how to install it."""
    binary = shutil.which("terraform")
    if binary is None:
        raise TerraformMissing(f"terraform: not found on PATH; {INSTALL_HINT}")
    return binary


def plugin_mirrors() -> list[Path]:
    """Provider mirror folders to try: ``$TF_PLUGIN_MIRROR`` first, then the machine image's."""
    named = [p for p in os.environ.get("TF_PLUGIN_MIRROR", "").split(os.pathsep) if p]
    return [Path(p) for p in (*named, *DEFAULT_PLUGIN_MIRRORS)]


def mirrored_providers(mirror: Path) -> list[str]:
    """``host/namespace/type`` of every provider in an unpacked filesystem mirror."""
    return sorted("/".join(p.relative_to(mirror).parts) for p in mirror.glob("*/*/*") if p.is_dir())


def write_cli_config(folder: Path) -> Path:
    """A Terraform CLI config in ``folder`` using a provider mirror where present, the registry otherwise."""
    lines = ["disable_checkpoint = true"]
    for mirror in plugin_mirrors():
        providers = mirrored_providers(mirror) if mirror.is_dir() else []
        if providers:
            quoted = ", ".join(f'"{p}"' for p in providers)
            lines += [
                "provider_installation {",
                "  filesystem_mirror {",
                f'    path    = "{mirror}"',
                f"    include = [{quoted}]",
                "  }",
                "  direct {",
                f"    exclude = [{quoted}]",
                "  }",
                "}",
            ]
            break
    else:
        cache = folder / "plugin-cache"
        cache.mkdir(parents=True, exist_ok=True)
        lines.append(f'plugin_cache_dir = "{cache}"')
    path = folder / "terraformrc"
    path.write_text("\n".join(lines) + "\n")
    return path


@dataclass
class Terraform:
    """Terraform for the stacks under one output folder.

    ``stack_dir(stack)`` is the working directory of a stack; ``env`` the
    whole environment Terraform gets (plus ``TF_IN_AUTOMATION``/``TF_INPUT``);
    ``data_dir(stack)``, when given, becomes ``TF_DATA_DIR`` (keeps ``.terraform``
    out of a folder a re-synth rewrites); ``echo`` prints progress lines.
    """

    binary: str
    stack_dir: Callable[[str], Path]
    logs_dir: Path
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    data_dir: Callable[[str], Path] | None = None
    echo: Callable[[str], None] = lambda _line: None
    parallelism: int = 10
    #: Every command run so far, in the order they finished (see ``CommandTime``).
    times: list[CommandTime] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.logs_dir.mkdir(parents=True, exist_ok=True)

    def log_file(self, stack: str) -> Path:
        return self.logs_dir / f"{stack}.log"

    def new_log(self, stack: str) -> Path:
        """Start ``stack``'s log afresh (one log per run of a workspace)."""
        log = self.log_file(stack)
        log.write_text("")
        return log

    def say(self, stack: str, line: str) -> None:
        with self._lock:
            self.echo(f"  [{stack}] {line}")

    def _env(self, stack: str) -> dict[str, str]:
        env = {**self.env, "TF_IN_AUTOMATION": "1", "TF_INPUT": "0"}
        if self.data_dir is not None:
            env["TF_DATA_DIR"] = str(self.data_dir(stack))
        return env

    def run(self, stack: str, action: str, args: list[str], show: bool = False) -> tuple[int, str]:
        """Run ``terraform <args>`` in the stack's folder; return (exit code, stdout).

        Exit codes 0 and 2 (``-detailed-exitcode``: changes) return; any other raises StackFailed.
        ``show`` echoes Terraform's progress lines while it runs.
        """
        log = self.log_file(stack)
        with open(log, "a") as out:
            out.write(f"\n$ terraform {' '.join(args)}\n")
            out.flush()
            started = time.monotonic()
            try:
                process = subprocess.Popen(
                    [self.binary, args[0], "-no-color", *args[1:]],
                    cwd=self.stack_dir(stack),
                    env=self._env(stack),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            except OSError as err:
                raise StackFailed(stack, action, f"cannot run {self.binary}: {err.strerror}", log) from None
            stderr: list[str] = []
            reader = threading.Thread(target=lambda: stderr.extend(process.stderr), daemon=True)
            reader.start()
            captured = []
            for line in process.stdout:
                out.write(line)
                captured.append(line)
                if show and any(mark in line for mark in PROGRESS_MARKS):
                    self.say(stack, line.strip())
            code, cpu = _wait(process)
            reader.join()
            out.write("".join(stderr))
            spent = CommandTime(stack, action, time.monotonic() - started, cpu)
            out.write(f"# terraform {action}: exit {code} after {spent.wall:.1f} s (cpu {spent.cpu:.1f} s)\n")
            with self._lock:
                self.times.append(spent)
        if code not in (0, 2):
            raise StackFailed(stack, action, "".join(stderr) or "".join(captured[-30:]), log)
        return code, "".join(captured)

    def init(self, stack: str, reuse: bool = False) -> bool:
        """``terraform init``; True when it ran. ``reuse`` (only with ``data_dir``): skip it when this stack's data
        folder was initialized by a previous run for the same ``terraform`` block (providers, backend) and modules
        and the same CLI config, the only inputs of ``init``."""
        marker = self.data_dir(stack) / ".generator-init" if reuse and self.data_dir is not None else None
        digest = self._init_inputs(stack) if marker is not None else ""
        if marker is not None and marker.is_file() and marker.read_text() == digest:
            return False
        self.run(stack, "init", ["init", "-input=false"])
        if marker is not None:  # the inputs as init left them (it writes the lock file)
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.write_text(self._init_inputs(stack))
        return True

    def _init_inputs(self, stack: str) -> str:
        import hashlib
        import json

        try:
            config = json.loads((self.stack_dir(stack) / "cdk.tf.json").read_text())
        except (OSError, ValueError):
            return ""
        cli_config = Path(self.env.get("TF_CLI_CONFIG_FILE", "/nonexistent"))
        inputs = {
            "terraform": config.get("terraform"),
            "module": config.get("module"),
            "cli_config": cli_config.read_text() if cli_config.is_file() else None,
            "lock_file": (self.stack_dir(stack) / ".terraform.lock.hcl").is_file(),
        }
        return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()

    def plan(self, stack: str, out: Path | None = None, destroy: bool = False, lock: bool = True) -> tuple[bool, str]:
        """``terraform plan -detailed-exitcode`` (saved to ``out`` when given); returns (changes?, text)."""
        args = ["plan", "-input=false", "-detailed-exitcode", f"-parallelism={self.parallelism}"]
        args += [f"-out={out}"] if out is not None else []
        args += ["-lock-timeout=5m"] if lock else ["-lock=false"]
        args += ["-destroy"] if destroy else []
        code, text = self.run(stack, "plan", args)
        return code == 2, text

    def show_json(self, stack: str, plan_file: Path) -> str:
        """``terraform show -json`` of a saved plan."""
        return self.run(stack, "show", ["show", "-json", str(plan_file)])[1]

    def apply_plan(self, stack: str, plan_file: Path, show: bool = False) -> str:
        """Apply a saved plan; returns Terraform's output."""
        return self.run(
            stack,
            "apply",
            ["apply", "-input=false", "-lock-timeout=5m", f"-parallelism={self.parallelism}", str(plan_file)],
            show=show,
        )[1]

    def apply(self, stack: str, show: bool = False) -> str:
        """``terraform apply -auto-approve``: plan and apply in one process (no saved plan); returns the output.

        One command instead of ``plan`` then ``apply <plan>`` starts the providers once: on the emulator, where
        nobody reviews the plan, that halves the Terraform work of an ``up`` (each command loads the AWS
        provider's schema, most of a command's CPU).
        """
        args = ["apply", "-input=false", "-auto-approve", "-lock-timeout=5m", f"-parallelism={self.parallelism}"]
        return self.run(stack, "apply", args, show=show)[1]

    def destroy(self, stack: str, refresh: bool = True, show: bool = False) -> str:
        args = ["destroy", "-input=false", "-auto-approve", f"-parallelism={self.parallelism}"]
        return self.run(stack, "destroy", args + ([] if refresh else ["-refresh=false"]), show=show)[1]


def _wait(process: subprocess.Popen) -> tuple[int, float]:
    """Wait for ``process``; its exit code and the CPU seconds it and the children it reaped (Terraform's provider
    plugins) used. Falls back to ``wait()`` (CPU unknown: 0) where ``os.wait4`` is missing."""
    if not hasattr(os, "wait4"):
        return process.wait(), 0.0
    while True:
        try:
            _, status, usage = os.wait4(process.pid, 0)
            break
        except InterruptedError:
            continue
        except ChildProcessError:  # reaped elsewhere
            return process.wait(), 0.0
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, usage.ru_utime + usage.ru_stime
