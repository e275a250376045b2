"""Security scan: checkov finds nothing on any synthesized stack but what security/checkov-skips.yaml accepts.

checkov runs once for the session over both example projects (kubernetes UI
sync with a requested certificate; terraform UI sync with an existing one).
Every failed check must match a skip entry (check id, the stack's
environment when the entry names some, and the resource address when it
names resource patterns), every skip entry must match at least
one finding, and every entry must give its reason. The counts are printed.

checkov pins old boto3 and friends, so CI installs it in its own virtualenv and
names it through $CHECKOV (see docs/security.md). Without checkov the test is
skipped, except under CI=true, where it fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from fnmatch import fnmatch
from pathlib import Path

import pytest
import yaml
from helpers import REPO, load_stack, skip_or_fail

from generator.project import load_project

SKIPS_FILE = REPO / "security" / "checkov-skips.yaml"
SECURITY_HEADERS = "67f7725c-6f97-4210-82d7-5512b31e9d03"


def _checkov() -> str | None:
    """``$CHECKOV`` (what .ci/run sets), else ``checkov`` on PATH: no machine-specific folder is assumed."""
    for candidate in (os.environ.get("CHECKOV"), shutil.which("checkov")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def _skips() -> list[dict]:
    return yaml.safe_load(SKIPS_FILE.read_text())["skips"]


def _environments(out: Path) -> dict[str, str]:
    """Stack name -> environment ("platform" for the platform stack), from the project that was synthesized."""
    project = load_project(out.parent)
    return {"platform": "platform", **{i.name: i.environment for i in project.instances}}


@pytest.fixture(scope="module")
def scan(k8s_out: Path, tf_out: Path) -> tuple[int, list[dict], list[dict]]:
    """(passed count, failed checks [{check_id, stack, environment, resource}], passed checks likewise) over every
    stack."""
    checkov = _checkov()
    if checkov is None:
        skip_or_fail("checkov is not installed (pip install checkov in its own venv, set $CHECKOV; docs/security.md)")
    findings, passes, passed, scanned = [], [], 0, set()
    for out in (k8s_out, tf_out):
        environments = _environments(out)
        result = subprocess.run(
            [
                checkov,
                "--directory",
                str(out / "stacks"),
                "--framework",
                "terraform_json",
                "--skip-download",
                "--output",
                "json",
                "--compact",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            env={**os.environ, "BC_SKIP_MAPPING": "TRUE"},
        )
        assert result.returncode in (0, 1), result.stderr[-2000:]
        reports = json.loads(result.stdout)
        for report in reports if isinstance(reports, list) else [reports]:
            assert report["check_type"] == "terraform_json"
            assert report["summary"]["parsing_errors"] == 0
            passed += report["summary"]["passed"]
            for kind, found in (("passed_checks", passes), ("failed_checks", findings)):
                for check in report["results"][kind]:
                    stack = check["file_path"].strip("/").split("/")[0]
                    scanned.add(stack)
                    found.append(
                        {
                            "check_id": check["check_id"],
                            "stack": stack,
                            "environment": environments[stack],
                            "resource": check["resource"],
                        }
                    )
    assert scanned == set(_environments(k8s_out)), f"checkov scanned {sorted(scanned)}, not every stack"
    return passed, findings, passes


def _skip_for(finding: dict, skips: list[dict]) -> dict | None:
    for skip in skips:
        if (
            fnmatch(finding["check_id"], skip["check"])
            and finding["environment"] in skip.get("environments", [finding["environment"]])
            and any(fnmatch(finding["resource"], pattern) for pattern in skip.get("resources", ["*"]))
        ):
            return skip
    return None


def test_checkov_finds_nothing_that_is_not_explicitly_skipped(scan: tuple[int, list[dict], list[dict]], capsys) -> None:
    skips = _skips()
    passed, failed, _ = scan
    skipped = [f for f in failed if _skip_for(f, skips)]
    unexplained = sorted({f"{f['check_id']} {f['stack']} {f['resource']}" for f in failed if not _skip_for(f, skips)})
    with capsys.disabled():
        print(
            f"\ncheckov: {passed} passed, {len(unexplained)} failed, {len(skipped)} skipped "
            f"({len(skips)} skip entries in {SKIPS_FILE.relative_to(REPO)})"
        )
    assert unexplained == [], "fix these, or skip them with a reason in security/checkov-skips.yaml"


def test_every_skip_has_a_reason_and_still_matches_a_finding(scan: tuple[int, list[dict], list[dict]]) -> None:
    skips = _skips()
    _, failed, _ = scan
    for skip in skips:
        assert set(skip) <= {"check", "environments", "resources", "reason"}, skip
        assert len(skip.get("reason", "").split()) >= 8, f"{skip['check']}: give the reason in a sentence"
        assert set(skip.get("environments", [])) <= {"dev", "staging", "prod", "platform"}, skip
    stale = [s["check"] for s in skips if not any(_skip_for(f, [s]) is s for f in failed)]
    assert stale == [], f"these skips match no finding any more: delete them from {SKIPS_FILE.name}"
    assert len({s["check"] for s in skips}) == len(skips), "one entry per check"


def test_every_skip_is_as_narrow_as_its_findings(scan: tuple[int, list[dict], list[dict]]) -> None:
    """Where a skip applies, its check never passes: a skip wider than its findings (an environment or a resource
    where the check holds today, or does not run) would hide the next finding there. Name the environments and
    resources instead."""
    _, failed, passes = scan
    wide = sorted(
        {
            f"{s['check']}: passes on {p['resource']} ({p['stack']})"
            for s in _skips()
            for p in passes
            if _skip_for(p, [s])
        }
    )
    assert wide == [], f"narrow these skips in {SKIPS_FILE.name} with environments: or resources:"
    # A skip without environments: its check fires in every one (else it would also cover, unseen, a stack where
    # the check does not run today: an instance that gains a bucket, the platform a function).
    everywhere = {"dev", "staging", "prod", "platform"}
    fires_in = {s["check"]: {f["environment"] for f in failed if _skip_for(f, [s])} for s in _skips()}
    unscoped = {
        s["check"]: sorted(fires_in[s["check"]])
        for s in _skips()
        if "environments" not in s and fires_in[s["check"]] != everywhere
    }
    assert unscoped == {}, f"name the environments of these skips (where each fires) in {SKIPS_FILE.name}"


def test_security_headers_policy_is_on_every_behavior(k8s_out: Path) -> None:
    """Our own response headers policy (CSP and the managed policy's headers) on every behavior (CKV2_AWS_32)."""
    resources = load_stack(k8s_out, "platform")["resource"]
    distribution = next(iter(resources["aws_cloudfront_distribution"].values()))
    behaviors = [distribution["default_cache_behavior"], *distribution["ordered_cache_behavior"]]
    (policy,) = resources["aws_cloudfront_response_headers_policy"]
    own = f"${{aws_cloudfront_response_headers_policy.{policy}.id}}"
    assert [b["response_headers_policy_id"] for b in behaviors] == [own] * len(behaviors)
    assert SECURITY_HEADERS not in json.dumps(distribution)
    assert distribution["viewer_certificate"]["minimum_protocol_version"] == "TLSv1.2_2021"
    assert all(b["viewer_protocol_policy"] == "redirect-to-https" for b in behaviors)
