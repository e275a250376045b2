"""Tier 3: every synthesized stack passes real ``terraform validate``.

Both UI-sync modes are covered. In the kubernetes mode the kubernetes provider
is not in the offline mirror, so its resources are removed before validating
the rest (they are checked on the JSON in test_stacks.py).
"""
from __future__ import annotations

import json

import pytest

STACKS = ("platform", "john-inventory-dev", "team-backend-inventory-staging", "team-backend-inventory-prod")


@pytest.mark.parametrize("mode", ["k8s", "tf"])
@pytest.mark.parametrize("stack", STACKS)
def test_stack_passes_terraform_validate(mode, stack, k8s_out, tf_out, tmp_path):
    from terraform import validate

    out = k8s_out if mode == "k8s" else tf_out
    done = validate(out / "stacks" / stack, tmp_path / stack)
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout)
    assert result["valid"] is True, result["diagnostics"]
    assert result["error_count"] == 0
