"""generator.workflow.shards: every instance workspace in exactly one shard, balanced, the platform in none."""

from __future__ import annotations

import pytest

from generator.workflow import shards


def names(count: int) -> list[str]:
    # Not generated in sorted order, and with the platform among them: assign() must sort and drop it.
    return [f"app-{(i * 7919) % 100003:06d}-dev" for i in range(count)] + ["platform"]


@pytest.mark.parametrize("count", range(1, 41))
def test_every_workspace_in_exactly_one_shard_balanced_platform_in_none(count):
    for total in range(0, 3 * count + 2):  # every remainder mod count, sizes 0 to 3 per shard
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


@pytest.mark.parametrize(
    "workspaces, count, expected",
    [
        ([], 1, [[]]),
        ([], 3, [[], [], []]),
        (["platform"], 2, [[], []]),
        (["b"], 1, [["b"]]),
        (["b"], 2, [["b"], []]),
        (["c", "a", "b"], 3, [["a"], ["b"], ["c"]]),
        (["d", "c", "a", "b"], 3, [["a", "b"], ["c"], ["d"]]),
        (["e", "c", "a", "b", "d"], 3, [["a", "b"], ["c", "d"], ["e"]]),
        (["b", "a", "b", "platform", "a"], 1, [["a", "b"]]),
    ],
)
def test_assign_deals_sorted_names_in_blocks_the_first_ones_one_larger(workspaces, count, expected):
    assert shards.assign(workspaces, count) == expected


def test_assign_accepts_a_tuple():
    assert shards.assign(("b", "a"), 2) == [["a"], ["b"]]


@pytest.mark.parametrize("count", [0, -1])
def test_assign_refuses_fewer_than_one_shard(count):
    with pytest.raises(shards.ShardError) as raised:
        shards.assign(["a"], count)
    assert str(raised.value) == f"shard count: got {count}, expected at least 1"


@pytest.mark.parametrize(
    "shard, expected",
    [
        ("1/1", ["d", "b", "a", "c"]),
        ("1/2", ["b", "a"]),
        ("2/2", ["d", "c"]),
        ("1/3", ["b", "a"]),
        ("2/3", ["c"]),
        ("3/3", ["d"]),
        ("4/4", ["d"]),
        ("5/5", []),
    ],
)
def test_select_keeps_the_given_order_and_leaves_the_platform_out(shard, expected):
    stacks = ["platform", "d", "b", "a", "c"]
    assert shards.select(stacks, shards.parse(shard)) == expected


def test_select_without_a_shard_is_every_stack_as_a_new_list():
    stacks = ["platform", "b", "a"]
    selected = shards.select(stacks, None)
    assert selected == ["platform", "b", "a"]
    assert selected is not stacks


@pytest.mark.parametrize("text", ["0/3", "4/3", "1/0", "1", "a/b", "-1/2", "1/2/3", "", "1 /2", "1/2x"])
def test_parse_refusal_is_one_line_naming_the_value(text):
    with pytest.raises(shards.ShardError) as raised:
        shards.parse(text)
    assert str(raised.value) == f"--shard: got {text!r}, expected K/N with 1 <= K <= N (e.g. 2/5)"


@pytest.mark.parametrize(
    "text, index, count",
    [("1/1", 1, 1), ("2/5", 2, 5), ("5/5", 5, 5), ("\t12/30\n", 12, 30), ("007/010", 7, 10)],
)
def test_parse_reads_k_and_n(text, index, count):
    shard = shards.parse(text)
    assert (shard.index, shard.count) == (index, count)
    assert str(shard) == f"{index}/{count}"


@pytest.mark.parametrize(
    "affected, expected",
    [
        (-3, 0),
        (0, 0),
        (1, 1),
        (25, 1),
        (26, 2),
        (50, 2),
        (51, 3),
        (475, 19),
        (476, 20),
        (500, 20),
        (501, 20),
        (9999, 20),
    ],
)
def test_shards_needed_defaults_are_25_per_shard_and_at_most_20(affected, expected):
    assert shards.shards_needed(affected) == expected
