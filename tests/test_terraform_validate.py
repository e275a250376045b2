"""Tier 3: every synthesized stack passes real ``terraform validate``.

Both UI-sync modes are covered. In the kubernetes mode the kubernetes provider
is not in the offline mirror, so its resources are removed before validating
the rest (they are checked on the JSON in test_stacks.py). The validations run
two at a time (the machines have two cores; each loads the 675 MB provider).
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor

import pytest

STACKS = ("platform", "john-inventory-dev", "team-backend-inventory-staging", "team-backend-inventory-prod")
MODES = ("k8s", "tf")


@pytest.fixture(scope="module")
def validations(k8s_out, tf_out, tmp_path_factory):
    from tf_cli import require_terraform, validate

    require_terraform()
    outs = {"k8s": k8s_out, "tf": tf_out}
    work = tmp_path_factory.mktemp("validate")
    jobs = [(mode, stack) for mode in MODES for stack in STACKS]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        done = pool.map(lambda job: validate(outs[job[0]] / "stacks" / job[1], work / job[0] / job[1]), jobs)
        return dict(zip(jobs, done, strict=False))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("stack", STACKS)
def test_stack_passes_terraform_validate(mode, stack, validations):
    done = validations[(mode, stack)]
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout)
    assert result["valid"] is True, result["diagnostics"]
    assert result["error_count"] == 0
