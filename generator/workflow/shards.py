"""Split the instance workspaces of a run over N shards (CI matrix jobs), balanced and stable by name.

A shard is ``K/N`` (1 <= K <= N): the instance workspaces are sorted by name and dealt out in
contiguous blocks whose sizes differ by at most one (the first ``len % N`` blocks take the extra
workspace). The platform is never in a shard: it runs first, in its own job, because every instance
reads its outputs. Shards are computed afresh for each run from the workspaces that run affects, so
they need not (and do not) stay the same across changes.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ..naming import PLATFORM_STACK

#: Affected instance workspaces per shard when `changed` sizes the CI matrix.
PER_SHARD = 25
#: Default cap on the matrix (GitHub runs up to 256 jobs per matrix; runners are the real limit).
MAX_SHARDS = 20

_SPEC = re.compile(r"\A(\d+)/(\d+)\Z")


class ShardError(ValueError):
    """A ``--shard`` value that is not ``K/N`` with 1 <= K <= N."""


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse(text: str) -> Shard:
    match = _SPEC.match(text.strip())
    if not match:
        raise ShardError(f"--shard: got {text!r}, expected K/N with 1 <= K <= N (e.g. 2/5)")
    index, count = int(match[1]), int(match[2])
    if count < 1 or not 1 <= index <= count:
        raise ShardError(f"--shard: got {text!r}, expected K/N with 1 <= K <= N (e.g. 2/5)")
    return Shard(index, count)


def assign(names: list[str] | tuple[str, ...], count: int) -> list[list[str]]:
    """All ``count`` shards of the instance workspaces ``names`` (the platform is left out), sorted by name."""
    if count < 1:
        raise ShardError(f"shard count: got {count}, expected at least 1")
    ordered = sorted(set(names) - {PLATFORM_STACK})
    size, extra = divmod(len(ordered), count)
    shards, start = [], 0
    for k in range(count):
        end = start + size + (1 if k < extra else 0)
        shards.append(ordered[start:end])
        start = end
    return shards


def select(stacks: list[str], shard: Shard | None) -> list[str]:
    """The stacks of ``shard`` among ``stacks``, in their given order; all of them when ``shard`` is None."""
    if shard is None:
        return list(stacks)
    mine = set(assign(stacks, shard.count)[shard.index - 1])
    return [s for s in stacks if s in mine]


def shards_needed(affected_instances: int, per_shard: int = PER_SHARD, max_shards: int = MAX_SHARDS) -> int:
    """How many shards a change needs: one per ``per_shard`` affected instance workspaces, at most ``max_shards``.

    0 when no instance workspace is affected (the platform alone runs in the first job).
    """
    if affected_instances <= 0:
        return 0
    return max(1, min(max_shards, math.ceil(affected_instances / per_shard)))
