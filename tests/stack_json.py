"""Small readers over synthesized Terraform JSON for the stack tests."""

from __future__ import annotations

from typing import Any


def resources(stack: dict, type_: str) -> list[dict[str, Any]]:
    return list(stack.get("resource", {}).get(type_, {}).values())


def one(stack: dict, type_: str) -> dict[str, Any]:
    found = resources(stack, type_)
    assert len(found) == 1, f"expected one {type_}, got {len(found)}"
    return found[0]


def data(stack: dict, type_: str) -> list[dict[str, Any]]:
    return list(stack.get("data", {}).get(type_, {}).values())


def statement(stack: dict, sid: str) -> dict[str, Any]:
    for document in data(stack, "aws_iam_policy_document"):
        for st in document.get("statement", []):
            if st.get("sid") == sid:
                return st
    raise AssertionError(f"no policy statement {sid}")
