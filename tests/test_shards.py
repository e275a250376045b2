"""generator.workflow.shards: every instance workspace in exactly one shard, balanced, the platform in none."""

from __future__ import annotations

import pytest

from generator.workflow import shards


def names(count: int) -> list[str]:
    # Not generated in sorted order, and with the platform among them: assign() must sort and drop it.
    return [f"app-{(i * 7919) % 100003:06d}-dev" for i in range(count)] + ["platform"]


@pytest.mark.parametrize("count", range(1, 41))
def test_every_workspace_in_exactly_one_shard_balanced_platform_in_none(count):
    for total in range(0, 601):
        workspaces = names(total)
        split = shards.assign(workspaces, count)
        assert len(split) == count
        flat = [w for shard in split for w in shard]
        assert sorted(flat) == sorted(set(workspaces) - {"platform"})
        assert len(flat) == len(set(flat)) == total
        sizes = [len(s) for s in split]
        assert max(sizes) - min(sizes) <= 1, (count, total, sizes)
        assert all("platform" not in s for s in split)


def test_shards_are_contiguous_by_name_and_select_keeps_the_given_order():
    stacks = ["platform", "e", "a", "d", "c", "b"]
    assert shards.assign(stacks, 2) == [["a", "b", "c"], ["d", "e"]]
    assert shards.select(stacks, shards.parse("2/2")) == ["e", "d"]
    assert shards.select(stacks, None) == stacks
    assert shards.select(stacks, shards.parse("3/3")) == ["e"]


@pytest.mark.parametrize(
    "affected, per_shard, cap, expected",
    [
        (0, 25, 20, 0),
        (1, 25, 20, 1),
        (25, 25, 20, 1),
        (26, 25, 20, 2),
        (500, 25, 20, 20),
        (500, 25, 10, 10),
        (499, 50, 20, 10),
        (3, 1, 2, 2),
    ],
)
def test_shards_needed(affected, per_shard, cap, expected):
    assert shards.shards_needed(affected, per_shard, cap) == expected


@pytest.mark.parametrize("text", ["0/3", "4/3", "1/0", "1", "a/b", "-1/2", "1/2/3", ""])
def test_parse_refuses_anything_but_k_of_n(text):
    with pytest.raises(shards.ShardError, match=r"expected K/N with 1 <= K <= N"):
        shards.parse(text)


def test_parse():
    assert shards.parse(" 3/10 ") == shards.Shard(3, 10)
    assert str(shards.parse("1/1")) == "1/1"
