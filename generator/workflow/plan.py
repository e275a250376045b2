"""``plan`` and ``apply``: terraform init + plan (+ apply) for workspaces in dependency order, with a CI summary.

Each workspace is one folder of the synth output (``<out>/stacks/<name>``).
The platform goes first (instances read its outputs); if the platform's
apply fails, the instances are skipped. Every workspace gets one summary
line; a plan that would destroy a stateful resource (table, bucket, user
pool) blocks the gate unless ``allow_replace``.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..locations import STACK_FILE, stack_dir
from ..naming import PLATFORM_STACK
from ..runner import StackFailed, Terraform, error_lines

#: Resource types whose destruction loses data: a plan that deletes one needs --allow-replace.
STATEFUL_TYPES = frozenset({"aws_dynamodb_table", "aws_s3_bucket", "aws_cognito_user_pool"})
PLAN_FILE = "tfplan"
#: Each workspace's full Terraform output: ``<outdir>/logs/<stack>.log``.
LOGS_DIR = "logs"


@dataclass
class Outcome:
    """One workspace's result; ``error`` set means it failed (or was skipped)."""

    stack: str
    add: int = 0
    change: int = 0
    destroy: int = 0
    stateful_deletes: list[str] = field(default_factory=list)
    error: str | None = None
    applied: bool = False
    seconds: float = 0.0
    log: str | None = None
    #: The lines of Terraform's error diagnostics that say why it failed (the whole output is in ``log``).
    detail: list[str] = field(default_factory=list)

    @property
    def changes(self) -> bool:
        return bool(self.add or self.change or self.destroy)

    def line(self, allow_replace: bool) -> str:
        if self.error:
            where = f" (full output: {self.log})" if self.log and self.detail else ""
            return f"{self.stack}: error: {self.error}{where}"
        text = f"{self.stack}: {self.add} to add, {self.change} to change, {self.destroy} to destroy"
        if self.stateful_deletes:
            verdict = "allowed by --allow-replace" if allow_replace else "blocked: needs --allow-replace"
            text += f"; destroys stateful {', '.join(self.stateful_deletes)} ({verdict})"
        if self.applied:
            text += "; applied"
        return text


def order(stacks: list[str]) -> list[str]:
    """Dependency order: the platform first, then the instances by name, each once."""
    unique = sorted(set(stacks))
    return ([PLATFORM_STACK] if PLATFORM_STACK in unique else []) + [s for s in unique if s != PLATFORM_STACK]


def count_changes(plan: dict) -> tuple[int, int, int, list[str]]:
    """(add, change, destroy, stateful addresses destroyed) from ``terraform show -json`` of a plan."""
    add = change = destroy = 0
    stateful = []
    for resource in plan.get("resource_changes", []):
        actions = resource.get("change", {}).get("actions", [])
        if "create" in actions:
            add += 1
        if "delete" in actions:
            destroy += 1
            if resource.get("type") in STATEFUL_TYPES and resource.get("mode", "managed") == "managed":
                stateful.append(resource["address"])
        if actions == ["update"]:
            change += 1
    return add, change, destroy, sorted(stateful)


def run(
    outdir: Path,
    stacks: list[str],
    apply: bool = False,
    allow_replace: bool = False,
    terraform: str = "terraform",
    echo: Callable[[str], None] = lambda _: None,
    jobs: int | None = None,
    main: str = "python main.py",
    expected: dict[str, tuple[int, int, int]] | None = None,
) -> list[Outcome]:
    """Plan (and with ``apply``, apply) each workspace; never raises for a workspace's failure.

    The platform goes first (instances read its state); the instances are independent of each
    other and run ``jobs`` at a time (default: one per CPU core). Each workspace's full Terraform
    output is kept in ``<outdir>/logs/<stack>.log`` (:data:`LOGS_DIR`). ``main`` is how hints name this CLI;
    ``expected`` (stack -> add, change, destroy), when given, is the plan a person confirmed: a workspace whose
    new plan differs is not applied.
    """
    runner = Terraform(
        binary=terraform, stack_dir=lambda stack: stack_dir(outdir, stack), logs_dir=outdir / LOGS_DIR, echo=echo
    )
    ordered = order(stacks)
    outcomes = {stack: Outcome(stack) for stack in ordered}
    platform_failed = False
    if ordered and ordered[0] == PLATFORM_STACK:
        _workspace(runner, outdir, outcomes[PLATFORM_STACK], apply, allow_replace, False, main, expected)
        platform_failed = outcomes[PLATFORM_STACK].error is not None
    instances = [s for s in ordered if s != PLATFORM_STACK]
    with ThreadPoolExecutor(max_workers=max(1, jobs or os.cpu_count() or 1)) as pool:
        list(
            pool.map(
                lambda stack: _workspace(
                    runner, outdir, outcomes[stack], apply, allow_replace, apply and platform_failed, main, expected
                ),
                instances,
            )
        )
    return [outcomes[stack] for stack in ordered]


def _workspace(
    runner: Terraform,
    outdir: Path,
    outcome: Outcome,
    apply: bool,
    allow_replace: bool,
    skip: bool,
    main: str = "python main.py",
    expected: dict[str, tuple[int, int, int]] | None = None,
) -> None:
    """init, plan, show (and apply) one workspace, recording the result in ``outcome``."""
    stack = outcome.stack
    started = time.monotonic()
    folder = stack_dir(outdir, stack)
    if not (folder / STACK_FILE).is_file():
        outcome.error = f"not synthesized in {outdir}, expected {main} synth first"
        return
    if skip:
        outcome.error = "skipped: the platform did not apply"
        return
    outcome.log = str(runner.new_log(stack))
    plan_file = folder / PLAN_FILE
    try:
        runner.echo(f"{stack}: terraform init")
        runner.init(stack)
        runner.echo(f"{stack}: terraform plan")
        runner.plan(stack, out=plan_file)
        plan = json.loads(runner.show_json(stack, plan_file))
        outcome.add, outcome.change, outcome.destroy, outcome.stateful_deletes = count_changes(plan)
        confirmed = expected.get(stack) if expected is not None else None
        now = (outcome.add, outcome.change, outcome.destroy)
        if apply and expected is not None and now != confirmed:
            shown = "no changes" if confirmed is None else "+{} ~{} -{}".format(*confirmed)
            outcome.error = (
                "not applied: its plan changed since it was confirmed (now +{} ~{} -{}, confirmed {}); "
                "run apply again to review it".format(*now, shown)
            )
        elif apply and outcome.stateful_deletes and not allow_replace:
            outcome.error = (
                f"not applied: destroys stateful {', '.join(outcome.stateful_deletes)}, "
                f"expected --allow-replace to confirm"
            )
        elif apply and outcome.changes:
            runner.echo(f"{stack}: terraform apply")
            runner.apply_plan(stack, plan_file)
            outcome.applied = True
    except StackFailed as failed:
        outcome.error = failed.summary()
        outcome.detail = error_lines(failed.detail)
    finally:
        plan_file.unlink(missing_ok=True)
        outcome.seconds = round(time.monotonic() - started, 1)


def exit_status(outcomes: list[Outcome], allow_replace: bool, detailed: bool) -> int:
    """1: a workspace failed, or a stateful resource would be destroyed without --allow-replace;
    with ``detailed``, 2 when everything worked and something changes; else 0."""
    if any(o.error for o in outcomes) or (not allow_replace and any(o.stateful_deletes for o in outcomes)):
        return 1
    return 2 if detailed and any(o.changes and not o.applied for o in outcomes) else 0


def markdown(outcomes: list[Outcome], allow_replace: bool, title: str) -> str:
    """The summary as a Markdown table, for a pull-request comment or the job summary."""
    rows = [f"### {title}", "", "| Workspace | Add | Change | Destroy | Result |", "|---|---:|---:|---:|---|"]
    for o in outcomes:
        if o.error:
            result = f"error: {o.error}"
        elif o.stateful_deletes:
            result = ("allowed" if allow_replace else "**blocked**") + f": destroys {', '.join(o.stateful_deletes)}"
        else:
            result = "applied" if o.applied else ("changes" if o.changes else "no changes")
        counts = ("-", "-", "-") if o.error else (o.add, o.change, o.destroy)
        rows.append(f"| `{o.stack}` | {' | '.join(map(str, counts))} | {result.replace('|', '/')} |")
    return "\n".join(rows) + "\n"
