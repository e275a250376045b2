"""Validation rules that injected bugs showed no test held: each asserts the exact message (or name)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import problems, write_project

from generator.naming import platform_names
from generator.project import load_project

PLATFORM = """name: acme-apps
domain: apps.example.com
hostedZoneId: Z0123456789EXAMPLE
uiSync: terraform
"""

INSTANCE = """apiVersion: kro.run/v1alpha1
kind: SmartInventoryHubV5
metadata:
  name: john-inventory-dev
  namespace: kro-serverless-stack
spec:
  teamName: team-backend
  developerName: john
  appName: inventory
  environment: dev
"""

NAME_PART_HINT = (
    "lowercase letters, digits and '-', starting with a letter and ending with a letter or digit, at most 30 characters"
)


def make(tmp_path: Path, instances: dict[str, str], platform: str = PLATFORM) -> Path:
    return write_project(tmp_path, instances, platform)


@pytest.mark.parametrize(
    ("line", "field", "value"),
    [
        ("teamName: team-backend", "teamName", "team-"),
        ("appName: inventory", "appName", "inventory-"),
        ("developerName: john", "developerName", "john-"),
    ],
)
def test_a_name_part_ending_in_a_hyphen_is_refused(tmp_path, line, field, value):
    # "team-" + "app" would give the base name "team--app-prod": a trailing '-' is refused, not trimmed.
    text = INSTANCE.replace(line, f"{field}: {value}")
    assert problems(make(tmp_path, {"x.yaml": text})) == [
        f"instances/x.yaml: spec.{field}: got {value!r}, expected {NAME_PART_HINT}"
    ]


@pytest.mark.parametrize("field", ["kind", "apiVersion"])
def test_a_manifest_without_kind_or_api_version_is_refused(tmp_path, field):
    text = "\n".join(line for line in INSTANCE.splitlines() if not line.startswith(f"{field}:")) + "\n"
    expected = {"kind": "one of SmartInventoryHubV5", "apiVersion": "one of kro.run/v1alpha1"}[field]
    assert problems(make(tmp_path, {"x.yaml": text})) == [f"instances/x.yaml: {field}: missing, expected {expected}"]


def test_a_yml_instance_file_is_read_like_a_yaml_one(tmp_path):
    project = load_project(make(tmp_path, {"x.yml": INSTANCE}))
    assert [(i.name, i.file) for i in project.instances] == [("john-inventory-dev", "instances/x.yml")]


def test_a_yml_instance_file_is_validated_too(tmp_path):
    text = INSTANCE.replace("environment: dev", "environment: qa")
    assert problems(make(tmp_path, {"x.yml": text})) == [
        "instances/x.yml: spec.environment: got 'qa', expected one of dev, staging, prod"
    ]


@pytest.mark.parametrize("state_dir", ["state/../../elsewhere", "state/..", "a/b/../../.."])
def test_a_state_dir_climbing_out_anywhere_in_the_path_is_refused(tmp_path, state_dir):
    platform = PLATFORM + f"backend:\n  stateDir: {state_dir}\n"
    assert problems(make(tmp_path, {}, platform)) == [
        f"platform.yaml: backend.stateDir: got {state_dir!r}, expected a relative path without '..'"
    ]


@pytest.mark.parametrize(
    ("backend", "setting", "value", "owner"),
    [
        ("local", "bucket", "acme-state", "s3"),
        ("local", "region", "us-east-1", "s3"),
        ("local", "lockTable", "acme-locks", "s3"),
        ("local", "kmsKeyId", "arn:aws:kms:us-east-2:123456789012:key/abcd-1234", "s3"),
        ("local", "organization", "acme", "cloud"),
        ("local", "project", "apps", "cloud"),
        ("cloud", "kmsKeyId", "arn:aws:kms:us-east-2:123456789012:key/abcd-1234", "s3"),
        ("s3", "project", "apps", "cloud"),
    ],
)
def test_a_setting_of_another_backend_is_an_error_not_ignored(tmp_path, backend, setting, value, owner):
    required = {"local": "", "s3": "  bucket: acme-state\n", "cloud": "  organization: acme\n"}[backend]
    platform = PLATFORM + f"backend:\n  type: {backend}\n{required}  {setting}: {value}\n"
    assert problems(make(tmp_path, {}, platform)) == [
        f"platform.yaml: backend.{setting}: got {value!r}, expected no value when backend.type is {backend} "
        f"(it is a setting of the {owner} backend)"
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "logRetentionDays: true",
            "platform.yaml: logRetentionDays: got a boolean True, expected one of 1, 3, 5, 7, 14, 30, 60, 90, 120, "
            "150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653",
        ),
        (
            "cognito:\n  accessTokenMinutes: true",
            "platform.yaml: cognito.accessTokenMinutes: got a boolean True, expected an integer from 5 to 1440",
        ),
        (
            "wafRateLimit: false",
            "platform.yaml: wafRateLimit: got a boolean False, expected an integer from 100 to 2000000000",
        ),
    ],
)
def test_a_boolean_is_not_an_integer(tmp_path, line, expected):
    # YAML's true is Python's 1: `logRetentionDays: true` must not become a one-day retention.
    assert problems(make(tmp_path, {}, PLATFORM + line + "\n")) == [expected]


def test_an_app_role_path_ends_in_a_slash_so_no_app_path_is_a_prefix_of_another(tmp_path):
    names = platform_names(load_project(make(tmp_path, {})).platform)
    assert names.app_role_path("a-x-prod") == "/acme-apps/a-x-prod/"
    assert not names.app_role_path("a-x-prod-y-prod").startswith(names.app_role_path("a-x-prod"))
