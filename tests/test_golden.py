"""Tier 3: a golden snapshot of each example instance's stack.

Every change to generated Terraform shows up as a diff of tests/golden/ in
review. After an intended change, refresh with:

    UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import json
import os

import pytest
from helpers import REPO, load_stack

GOLDEN = REPO / "tests" / "golden"
EXAMPLES = sorted(p.stem for p in (REPO / "instances").glob("*.yaml"))


@pytest.mark.parametrize("name", EXAMPLES)
def test_instance_stack_matches_golden(name, k8s_out):
    actual = json.dumps(load_stack(k8s_out, name), indent=2, sort_keys=True) + "\n"
    golden = GOLDEN / f"{name}.json"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(actual)
    assert golden.is_file(), f"no snapshot for {name}: run UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py"
    assert actual == golden.read_text(), f"{name} changed: review the diff, then refresh with UPDATE_GOLDEN=1"
