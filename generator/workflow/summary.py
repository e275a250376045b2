"""Merge the plan summaries of a fanned-out run (the platform job plus N shard jobs) into one report.

Each CI job writes ``python main.py plan ... --json`` into a folder: ``platform.json`` (the first job,
when the platform is affected) and ``shard-K.json`` for shard K of N. :func:`merge` reads them all; a
shard whose file is missing or unreadable failed before it could plan (synth, checkout, a cancelled
job) and counts as failed. The report puts the destructive workspaces first, then the failed ones,
then the rest (platform first, then by name), one line each, and fails when anything failed or a
plan destroys stateful data without ``--allow-replace`` -- the same gate as ``plan`` itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path

from ..naming import PLATFORM_STACK
from .plan import Outcome, exit_status, markdown

PLATFORM_FILE = "platform.json"


def shard_file(index: int) -> str:
    return f"shard-{index}.json"


@dataclass
class Merged:
    outcomes: list[Outcome] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # why each missing or unreadable summary counts as failed

    def failed(self, allow_replace: bool) -> bool:
        return bool(self.missing) or exit_status(self.outcomes, allow_replace, detailed=False) != 0


def _read(path: Path, what: str, merged: Merged) -> None:
    try:
        document = json.loads(path.read_text())
        # ``plan --json`` prints {"workspaces": [...]} (with "error" when it failed); a bare list is accepted too.
        if isinstance(document, dict) and "workspaces" not in document:
            merged.missing.append(f"{what}: failed before planning: {document.get('error', 'no workspaces')}")
            return
        rows = document["workspaces"] if isinstance(document, dict) else document
        names = {f.name for f in fields(Outcome)}
        merged.outcomes.extend(Outcome(**{k: v for k, v in row.items() if k in names}) for row in rows)
    except FileNotFoundError:
        merged.missing.append(f"{what}: no summary ({path.name} missing: the job failed before planning)")
    except (OSError, ValueError, TypeError, AttributeError) as err:
        merged.missing.append(f"{what}: unreadable summary {path.name} ({err})")


def merge(folder: Path, shards: int, platform: bool) -> Merged:
    """Read ``platform.json`` (when ``platform``) and ``shard-1.json`` .. ``shard-<shards>.json`` from ``folder``."""
    merged = Merged()
    if platform:
        _read(folder / PLATFORM_FILE, "platform", merged)
    for k in range(1, shards + 1):
        _read(folder / shard_file(k), f"shard {k}/{shards}", merged)
    merged.outcomes.sort(key=_rank)
    return merged


def _rank(outcome: Outcome) -> tuple[int, int, str]:
    destructive = outcome.destroy > 0 or bool(outcome.stateful_deletes)
    group = 0 if destructive else 1 if outcome.error else 2
    return group, 0 if outcome.stack == PLATFORM_STACK else 1, outcome.stack


def report(merged: Merged, allow_replace: bool, title: str) -> str:
    """One Markdown comment: failed shards first, then one row per workspace, destructive ones first."""
    counts = (
        f"{len(merged.outcomes)} workspace(s); {sum(1 for o in merged.outcomes if o.destroy)} destroy something, "
        f"{sum(1 for o in merged.outcomes if o.error)} failed, {len(merged.missing)} job(s) without a summary"
    )
    text = markdown(merged.outcomes, allow_replace, title).replace("\n\n", f"\n\n{counts}\n\n", 1)
    if merged.missing:
        text = text.replace("\n\n", "\n\n" + "".join(f"- **failed** {m}\n" for m in merged.missing) + "\n", 1)
    return text
