"""IAM: no policy in any synthesized stack allows a wildcard action, and resources are scoped.

Every ``aws_iam_policy_document`` statement of every stack of both example
projects is walked (role trust policies, role permissions, bucket policies),
plus every ``policy`` attribute that is literal JSON and every Lambda permission.

Rules, and the only exceptions (each asserted to be the reviewed one):
* An Allow never has a ``*`` in an action, and never uses NotAction/NotResource.
* A Deny *may* use ``s3:*``: the bucket policies' DenyInsecureTransport denies every
  S3 action when ``aws:SecureTransport`` is false. Denying more than needed is
  safe; denying less would leave a gap. It must carry exactly that condition.
  The only other Deny is the app permissions boundary's DenyAuthPages (no app
  identity writes the shared sign-in pages under ``auth/``).
* An Allow's resources are ARNs or references to resources of these stacks; ``*``
  only for actions AWS offers no resource-level permission for (X-Ray's
  PutTraceSegments/PutTelemetryRecords), and a ``*`` inside an ARN only where the
  naming leaves no tighter scope (see ALLOWED_RESOURCE_WILDCARDS).
* A ``*`` principal only in a Deny.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import load_stack

#: Actions AWS defines without resource-level permissions: "*" is the only resource they accept.
#: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsx-ray.html
RESOURCE_STAR_ONLY = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}

#: (sid, resource pattern) where the ARN ends in a wildcard, and why that is as tight as the naming allows.
ALLOWED_RESOURCE_WILDCARDS = {
    # The one shared Lambda role serves every app's function: /aws/lambda/<any base name>.
    ("WriteFunctionLogs", r"arn:\$\{.+\}:logs:[a-z0-9-]+:\$\{.+account_id\}:log-group:/aws/lambda/\*:\*"),
    # ... and every app's table (table names are the apps' base names) and its indexes, in this account and a
    # served region: the shared role (isolation shared) and the permissions boundary every app role carries.
    ("AppTableItems", r"arn:\$\{.+\}:dynamodb:[a-z0-9-]+:\$\{.+account_id\}:table/\*(/index/\*)?"),
    # A per-app role: its own table's indexes, its own log group's streams, its own prefix of the UI bucket.
    ("OwnTableItems", r"\$\{aws_dynamodb_table\.[^}]+\.arn\}/index/\*"),
    ("OwnFunctionLogs", r"\$\{aws_cloudwatch_log_group\.[^}]+\.arn\}:\*"),
    ("WriteOwnPrefix", r"\$\{data\.terraform_remote_state\.platform\.outputs\.shared_ui_bucket_arn\}/[a-z0-9-]+/\*"),
    # The per-app uploader reads the UI template under the prefix the platform publishes.
    (
        "ReadTemplate",
        r"arn:\$\{data\.aws_partition\.partition\.partition\}:s3:::"
        r"\$\{data\.terraform_remote_state\.platform\.outputs\.ui_template_bucket_name\}/"
        r"\$\{data\.terraform_remote_state\.platform\.outputs\.ui_template_prefix\}\*",
    ),
    # Objects of the platform's own buckets (the bucket ARN is a reference), or under the UI template prefix.
    ("CloudFrontReadsThroughOAC", r"\$\{aws_s3_bucket\.[^}]+\.arn\}/\*"),
    ("WriteApps", r"\$\{aws_s3_bucket\.[^}]+\.arn\}/\*"),
    ("ReadTemplate", r"\$\{aws_s3_bucket\.[^}]+\.arn\}/ui/[a-z0-9-]+/\*"),
    # S3 server access log delivery into a log bucket, conditioned on this account's source buckets (aws:SourceArn).
    ("S3ServerAccessLogs", r"\$\{aws_s3_bucket\.logs-[^}]+\.arn\}/\*"),
}
INSECURE_TRANSPORT = [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}]


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _statements(out: Path) -> list[tuple[str, dict]]:
    """(stack/address, statement) for every policy statement in every stack."""
    found = []
    for stack_dir in sorted((out / "stacks").iterdir()):
        stack = load_stack(out, stack_dir.name)
        for name, document in stack.get("data", {}).get("aws_iam_policy_document", {}).items():
            for statement in document.get("statement", []):
                found.append((f"{stack_dir.name}/{name}", statement))
        for type_, resources in stack.get("resource", {}).items():
            for name, resource in resources.items():
                policy = resource.get("policy") or resource.get("assume_role_policy")
                if isinstance(policy, str) and policy.lstrip().startswith("{"):
                    for statement in _as_list(json.loads(policy).get("Statement", [])):
                        found.append(
                            (
                                f"{stack_dir.name}/{type_}.{name}",
                                {
                                    "effect": statement.get("Effect", "Allow"),
                                    "actions": _as_list(statement.get("Action", [])),
                                    "resources": _as_list(statement.get("Resource", [])),
                                    "not_actions": statement.get("NotAction"),
                                    "sid": statement.get("Sid"),
                                },
                            )
                        )
    return found


@pytest.fixture(scope="module", params=["k8s", "tf"])
def statements(request, k8s_out, tf_out) -> list[tuple[str, dict]]:
    found = _statements(k8s_out if request.param == "k8s" else tf_out)
    assert len(found) >= 6, found
    return found


def test_no_allow_has_a_wildcard_action(statements) -> None:
    for where, statement in statements:
        assert not statement.get("not_actions") and not statement.get("not_resources"), where
        if statement.get("effect", "Allow") == "Allow":
            wild = [a for a in statement["actions"] if "*" in a]
            assert wild == [], f"{where} {statement.get('sid')}: {wild}"


def test_the_only_wildcard_deny_is_the_insecure_transport_guard(statements) -> None:
    denies = [(where, s) for where, s in statements if s.get("effect") == "Deny"]
    assert denies, "every bucket policy denies insecure transport"
    auth = [(where, s) for where, s in denies if s["sid"] == "DenyAuthPages"]
    assert [where for where, _ in auth] == ["platform/app-boundary_document_E2FF1A91"], auth
    for where, statement in auth:
        assert statement["actions"] == ["s3:DeleteObject", "s3:PutObject"], where
        assert re.fullmatch(r"\$\{aws_s3_bucket\.shared-ui_bucket_[^}]+\.arn\}/auth/\*", statement["resources"][0])
    for where, statement in denies:
        if statement["sid"] == "DenyAuthPages":
            continue
        assert statement["sid"] == "DenyInsecureTransport", where
        assert statement["actions"] == ["s3:*"] and statement["condition"] == INSECURE_TRANSPORT, where


def test_allowed_resources_are_scoped(statements) -> None:
    for where, statement in statements:
        if statement.get("effect", "Allow") != "Allow" or "sts:AssumeRole" in statement["actions"][0]:
            continue  # trust policies have principals, not resources
        for resource in statement["resources"]:
            if resource == "*":
                assert set(statement["actions"]) <= RESOURCE_STAR_ONLY, f"{where} {statement.get('sid')}: resource *"
            elif "*" in resource:
                assert any(
                    sid == statement.get("sid") and re.fullmatch(pattern, resource)
                    for sid, pattern in ALLOWED_RESOURCE_WILDCARDS
                ), f"{where} {statement.get('sid')}: {resource}"
            else:
                assert resource.startswith(("arn:", "${")), f"{where}: {resource}"


def test_star_principal_only_in_a_deny(statements) -> None:
    for where, statement in statements:
        for principal in statement.get("principals", []):
            if "*" in principal["identifiers"]:
                assert statement["effect"] == "Deny", where


def test_trust_policies_name_one_service_or_the_cluster(statements) -> None:
    trusts = [(where, s) for where, s in statements if any(a.startswith("sts:") for a in s["actions"])]
    for where, statement in trusts:
        principals = statement["principals"]
        assert len(principals) == 1 and len(principals[0]["identifiers"]) == 1, where
        if statement["actions"] == ["sts:AssumeRoleWithWebIdentity"]:
            # IRSA: only the app's own UI-sync service account (isolation perInstance, the default), only for STS.
            tests = {c["variable"].split(":")[-1]: c for c in statement["condition"]}
            assert tests["aud"]["values"] == ["sts.amazonaws.com"] and tests["aud"]["test"] == "StringEquals"
            app = where.split("/")[0]
            assert tests["sub"] == {
                "test": "StringEquals",
                "variable": tests["sub"]["variable"],
                "values": [f"system:serviceaccount:kro-serverless-stack:{app}-ui-sync"],
            }, where
        else:
            assert principals[0] == {"type": "Service", "identifiers": ["lambda.amazonaws.com"]}, where


def test_lambda_permissions_are_one_action_from_one_api(tf_out) -> None:
    for stack_dir in sorted((tf_out / "stacks").iterdir()):
        for permission in (
            load_stack(tf_out, stack_dir.name).get("resource", {}).get("aws_lambda_permission", {}).values()
        ):
            assert permission["action"] == "lambda:InvokeFunction"
            assert permission["principal"] == "apigateway.amazonaws.com"
            assert re.fullmatch(r"\$\{aws_apigatewayv2_api\.[^}]+\.execution_arn\}/\*/\*", permission["source_arn"])
