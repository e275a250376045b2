"""``local plan``'s counts, from ``terraform show -json``: a replacement (delete and create, in either
order) is one replace, not a create and a delete; no-ops and reads are not changes."""

from __future__ import annotations

import pytest

from generator.local.session import count_actions


def plan(*actions: list[str]) -> dict:
    return {"resource_changes": [{"address": f"r.{i}", "change": {"actions": a}} for i, a in enumerate(actions)]}


@pytest.mark.parametrize(
    "actions, expected",
    [
        ([], (0, 0, 0, 0)),
        ([["no-op"], ["read"]], (0, 0, 0, 0)),
        ([["create"], ["create"], ["update"]], (2, 1, 0, 0)),
        ([["delete"]], (0, 0, 1, 0)),
        ([["delete", "create"]], (0, 0, 0, 1)),
        ([["create", "delete"]], (0, 0, 0, 1)),  # create_before_destroy
        ([["delete", "create"], ["create", "delete"], ["delete", "create"]], (0, 0, 0, 3)),
        ([["create"], ["update"], ["delete", "create"], ["delete"], ["no-op"]], (1, 1, 1, 1)),
    ],
)
def test_counts(actions, expected):
    counts = count_actions(plan(*actions))
    assert (counts["create"], counts["update"], counts["delete"], counts["replace"]) == expected


def test_a_plan_without_changes_has_no_resource_changes_key():
    assert count_actions({"format_version": "1.2"}) == {"create": 0, "update": 0, "delete": 0, "replace": 0}
