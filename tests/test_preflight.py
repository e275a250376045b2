"""``preflight`` against the AWS emulator (moto): it must find what is missing or wrong, and pass when all exists."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import boto3
import pytest
from click.testing import CliRunner
from moto import mock_aws

from generator.cli.root import cli
from generator.workflow.preflight import hosted_zone

ROOT = Path(__file__).resolve().parent.parent

PLATFORM = """name: acme-apps
domain: apps.example.com
hostedZoneId: {zone}
homeRegion: us-east-2
regions: [us-east-2, us-west-2]
uiSync: {ui_sync}
kubernetes:
  clusterName: platform-eks
  namespaces: [kro-serverless-stack]
backend:
  type: s3
  bucket: acme-tf-state
  lockTable: acme-tf-locks
"""


@pytest.fixture
def aws(monkeypatch):
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-2",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        yield


def project(tmp_path: Path, zone: str, ui_sync: str = "terraform") -> Path:
    (tmp_path / "platform.yaml").write_text(PLATFORM.format(zone=zone, ui_sync=ui_sync))
    shutil.copytree(ROOT / "instances", tmp_path / "instances")
    return tmp_path


def preflight(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--root", str(root), "preflight", *args])


def by_name(output: str) -> dict[str, dict]:
    return {c["name"]: c for c in json.loads(output)["checks"]}


def test_finds_missing_hosted_zone_and_state_bucket(aws, tmp_path):
    result = preflight(project(tmp_path, "Z0000000000000000000"), "--json")
    assert result.exit_code == 1
    checks = by_name(result.stdout)  # one JSON document on stdout, also on failure
    assert json.loads(result.stdout)["error"] == "3 check(s) failed: hosted zone, state bucket, lock table"
    assert checks["hosted zone"]["status"] == "missing"
    assert checks["state bucket"]["status"] == "missing"
    assert checks["lock table"]["status"] == "missing"
    assert checks["cognito domain"]["status"] == "ok"
    assert checks["iam role quota"]["status"] == "ok"
    assert result.stderr.splitlines()[-1] == "error: 3 check(s) failed: hosted zone, state bucket, lock table"


def test_hosted_zone_of_the_domain_is_ok_and_another_zone_is_wrong(aws):
    # moto's zone ids do not look like AWS's (Z...), which validation requires: the check is called directly.
    route53 = boto3.client("route53")
    right = route53.create_hosted_zone(Name="example.com", CallerReference="a")["HostedZone"]["Id"].split("/")[-1]
    wrong = route53.create_hosted_zone(Name="example.org", CallerReference="b")["HostedZone"]["Id"].split("/")[-1]
    assert hosted_zone(route53, right, "apps.example.com").status == "ok"
    check = hosted_zone(route53, wrong, "apps.example.com")
    assert check.status == "wrong" and "does not hold apps.example.com" in check.detail


def test_only_the_zone_fails_once_the_state_bucket_and_lock_table_exist(aws, tmp_path):
    boto3.client("s3", region_name="us-east-2").create_bucket(
        Bucket="acme-tf-state", CreateBucketConfiguration={"LocationConstraint": "us-east-2"}
    )
    boto3.client("dynamodb", region_name="us-east-2").create_table(
        TableName="acme-tf-locks",
        KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    result = preflight(project(tmp_path, "Z0000000000000000000"))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].split()[:2] == ["STATUS", "CHECK"]
    statuses = {line.split()[1]: line.split()[0] for line in lines[1:-1] if line.strip()}
    assert statuses["state"] == "ok" and statuses["lock"] == "ok" and statuses["hosted"] == "missing"
    assert lines[-1] == "error: 1 check(s) failed: hosted zone"


def test_kubernetes_mode_checks_cluster_and_oidc_provider(aws, tmp_path):
    result = preflight(project(tmp_path, "Z0000000000000000000", ui_sync="kubernetes"), "--json")
    checks = by_name(result.stdout)  # one JSON document on stdout, also on failure
    assert checks["eks cluster"]["status"] == "missing"
    assert "uiSync: terraform" in checks["eks cluster"]["fix"]
