"""Tier 3: a golden snapshot of the platform stack and of each example instance's stack.

Every change to generated Terraform shows up as a diff of tests/golden/ in
review. After an intended change, refresh with exactly:

    UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py

Any other value of UPDATE_GOLDEN (``0``, ``true``, ``yes``) fails the test instead
of rewriting the files, so a stray variable cannot turn the snapshots into
comparisons of the output with itself.
"""

from __future__ import annotations

import json
import os
import re
import sys

import pytest
from helpers import REPO, load_stack

GOLDEN = REPO / "tests" / "golden"
EXAMPLES = sorted(p.stem for p in (REPO / "instances").glob("*.yaml"))
#: The snapshots: the platform and each example instance (a new instance file needs its snapshot).
STACKS = ["platform", *EXAMPLES]
REFRESH = "UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py"


def update_requested() -> bool:
    """True only for ``UPDATE_GOLDEN=1``; unset is False; any other value is an error."""
    value = os.environ.get("UPDATE_GOLDEN")
    if value is None or value == "":
        return False
    if value != "1":
        pytest.fail(f"UPDATE_GOLDEN={value!r}: golden files are rewritten only with UPDATE_GOLDEN=1 exactly")
    return True


def check_golden(name: str, actual: str) -> None:
    golden = GOLDEN / f"{name}.json"
    if update_requested():
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(actual)
    assert golden.is_file(), f"no snapshot for {name}: run {REFRESH}"
    assert actual == golden.read_text(), f"{name} changed: review the diff, then refresh with {REFRESH}"


#: The settings that change what is built, each snapshotted in a folder of its own: the terraform UI sync with
#: an existing certificate (no cluster objects, no certificate request) and shared isolation (the seed's two
#: roles). A construct only these build, or a branch only they take, shows up here: a renamed construct id
#: (which replaces the resource on the next apply), a statement, an argument.
VARIANTS = {"tf": "tf_out", "shared": "shared_out"}
VARIANT_STACKS = ["platform", "john-inventory-dev", "team-backend-inventory-prod"]


@pytest.mark.parametrize("name", STACKS)
def test_stack_matches_golden(name, k8s_out):
    check_golden(name, json.dumps(load_stack(k8s_out, name), indent=2, sort_keys=True) + "\n")


@pytest.mark.parametrize("variant, name", [(v, n) for v in VARIANTS for n in VARIANT_STACKS])
def test_variant_stack_matches_golden(variant, name, request):
    out = request.getfixturevalue(VARIANTS[variant])
    check_golden(f"{variant}/{name}", json.dumps(load_stack(out, name), indent=2, sort_keys=True) + "\n")


@pytest.mark.parametrize("snapshot", ["platform", "tf/platform", "shared/platform"])
def test_platform_golden_holds_nothing_machine_specific(snapshot):
    """No absolute path, temp folder or user name: the same snapshot on every machine and every run."""
    text = (GOLDEN / f"{snapshot}.json").read_text()
    assert not re.search(r'"/(tmp|home|root|Users|work|var)/', text)
    assert "pytest-of-" not in text and str(REPO) not in text
    # Asset paths are relative to the stack folder and named by a content hash.
    assets = re.findall(r'"(assets/[^"]+)"', text)
    assert assets and all(
        re.fullmatch(r"assets/[A-Za-z0-9_-]+/[0-9A-F]{32}/([a-z]+\.zip|\$\{each\.key\})", a) for a in assets
    ), assets


@pytest.mark.parametrize("value", ["0", "true", "yes", "2"])
def test_update_golden_other_than_1_fails_and_writes_nothing(monkeypatch, tmp_path, value):
    monkeypatch.setattr(sys.modules[__name__], "GOLDEN", tmp_path)
    monkeypatch.setenv("UPDATE_GOLDEN", value)
    with pytest.raises(pytest.fail.Exception, match="only with UPDATE_GOLDEN=1 exactly"):
        check_golden("sample", "{}\n")
    assert list(tmp_path.iterdir()) == []


def test_update_golden_1_rewrites_and_unset_compares(monkeypatch, tmp_path):
    monkeypatch.setattr(sys.modules[__name__], "GOLDEN", tmp_path)
    monkeypatch.setenv("UPDATE_GOLDEN", "1")
    check_golden("sample", '{"a": 1}\n')
    assert (tmp_path / "sample.json").read_text() == '{"a": 1}\n'
    monkeypatch.delenv("UPDATE_GOLDEN")
    with pytest.raises(AssertionError, match="sample changed"):
        check_golden("sample", '{"a": 2}\n')
