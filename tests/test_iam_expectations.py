"""The permission model, exactly: every role (and bucket policy) the generator creates, statement by statement.

PERMISSIONS below is the whole model as plain data: per role, its trust and each
permission statement's Sid, actions and resources (and conditions where there are
any). The synthesized JSON must match it exactly: an added action
(``dynamodb:DeleteTable``), a widened resource or a new role fails here, and the
table is the place to review such a change. Placeholders keep it readable:
``{partition}``, ``{account}`` and ``{bucket:NAME}`` (the ARN of the stack's bucket
whose construct id starts with NAME). A new role (per-instance roles, issue 11)
gets a new entry; a role of an instance stack is keyed ``<stack>/<role name>``.

The model is then evaluated, not only compared: each role's policy, with the
placeholders filled in, goes through moto's IAM policy evaluator to check what it
allows and, more to the point, what it does not.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import load_stack
from moto.iam.access_control import IAMPolicy, PermissionResult

LOGS = "arn:{partition}:logs:%s:{account}:log-group:/aws/lambda/*:*"
TABLES = "arn:{partition}:dynamodb:%s:{account}:table/*"
IRSA_ISSUER = '${replace(data.aws_eks_cluster.ui-uploader-role_cluster.identity[0].oidc[0].issuer, "https://", "")}'

#: role name -> {"trust": [...], "policy": {sid: {...}}}. "k8s_only": exists only with uiSync: kubernetes.
PERMISSIONS: dict[str, dict] = {
    "platform/acme-apps-lambda-execution": {
        "trust": [{"actions": ["sts:AssumeRole"], "principals": [("Service", "lambda.amazonaws.com")]}],
        "policy": {
            "WriteFunctionLogs": {
                "actions": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "resources": [LOGS % "us-east-2", LOGS % "us-west-2"],
            },
            "WriteTraces": {
                "actions": ["xray:PutTelemetryRecords", "xray:PutTraceSegments"],
                "resources": ["*"],
            },
            "AppTableItems": {
                "actions": [
                    "dynamodb:BatchGetItem",
                    "dynamodb:BatchWriteItem",
                    "dynamodb:ConditionCheckItem",
                    "dynamodb:DeleteItem",
                    "dynamodb:DescribeTable",
                    "dynamodb:GetItem",
                    "dynamodb:PutItem",
                    "dynamodb:Query",
                    "dynamodb:Scan",
                    "dynamodb:UpdateItem",
                ],
                "resources": [TABLES % "us-east-2", TABLES % "us-west-2"],
            },
        },
    },
    "platform/acme-apps-s3-uploader": {
        "k8s_only": True,
        "trust": [
            {
                "actions": ["sts:AssumeRoleWithWebIdentity"],
                "principals": [("Federated", "arn:{partition}:iam::{account}:oidc-provider/" + IRSA_ISSUER)],
                "condition": [
                    ("StringEquals", IRSA_ISSUER + ":aud", ["sts.amazonaws.com"]),
                    ("StringLike", IRSA_ISSUER + ":sub", ["system:serviceaccount:kro-serverless-stack:*-ui-sync"]),
                ],
            }
        ],
        "policy": {
            "ListTemplate": {
                "actions": ["s3:ListBucket"],
                "resources": ["{bucket:assets-us-east-2}"],
                "condition": [("StringLike", "s3:prefix", ["ui/inventory-{template}/*"])],
            },
            "ReadTemplate": {
                "actions": ["s3:GetObject"],
                "resources": ["{bucket:assets-us-east-2}/ui/inventory-{template}/*"],
            },
            "ListApps": {"actions": ["s3:ListBucket"], "resources": ["{bucket:shared-ui}"]},
            "WriteApps": {
                "actions": ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
                "resources": ["{bucket:shared-ui}/*"],
            },
        },
    },
}

DENY_INSECURE = {
    "effect": "Deny",
    "actions": ["s3:*"],
    "principals": [("*", "*")],
    "condition": [("Bool", "aws:SecureTransport", ["false"])],
}
#: bucket construct -> {sid: statement}: who else may touch the platform's buckets.
BUCKET_POLICIES: dict[str, dict] = {
    # The assets buckets (function bundles, the UI template) refuse requests without TLS; nothing else.
    "platform/assets-us-east-2": {
        "DenyInsecureTransport": {
            **DENY_INSECURE,
            "resources": ["{bucket:assets-us-east-2}", "{bucket:assets-us-east-2}/*"],
        },
    },
    "platform/assets-us-west-2": {
        "DenyInsecureTransport": {
            **DENY_INSECURE,
            "resources": ["{bucket:assets-us-west-2}", "{bucket:assets-us-west-2}/*"],
        },
    },
    "platform/shared-ui": {
        "CloudFrontReadsThroughOAC": {
            "actions": ["s3:GetObject"],
            "resources": ["{bucket:shared-ui}/*"],
            "principals": [("Service", "cloudfront.amazonaws.com")],
            "condition": [("StringEquals", "AWS:SourceArn", ["${aws_cloudfront_distribution.cdn_distribution.arn}"])],
        },
        "DenyInsecureTransport": {**DENY_INSECURE, "resources": ["{bucket:shared-ui}", "{bucket:shared-ui}/*"]},
    },
    "platform/logs-us-east-2": {
        "S3ServerAccessLogs": {
            "actions": ["s3:PutObject"],
            "resources": ["{bucket:logs-us-east-2}/*"],
            "principals": [("Service", "logging.s3.amazonaws.com")],
            "condition": [
                ("StringEquals", "aws:SourceAccount", ["{account}"]),
                (
                    "ArnLike",
                    "aws:SourceArn",
                    ["arn:{partition}:s3:::acme-apps-assets-us-east-2", "arn:{partition}:s3:::acme-apps-ui"],
                ),
            ],
        },
        "DenyInsecureTransport": {
            **DENY_INSECURE,
            "resources": ["{bucket:logs-us-east-2}", "{bucket:logs-us-east-2}/*"],
        },
    },
    "platform/logs-us-west-2": {
        "S3ServerAccessLogs": {
            "actions": ["s3:PutObject"],
            "resources": ["{bucket:logs-us-west-2}/*"],
            "principals": [("Service", "logging.s3.amazonaws.com")],
            "condition": [
                ("StringEquals", "aws:SourceAccount", ["{account}"]),
                ("ArnLike", "aws:SourceArn", ["arn:{partition}:s3:::acme-apps-assets-us-west-2"]),
            ],
        },
        "DenyInsecureTransport": {
            **DENY_INSECURE,
            "resources": ["{bucket:logs-us-west-2}", "{bucket:logs-us-west-2}/*"],
        },
    },
}


# --------------------------------------------------------------------------- reading the synthesized JSON


def _readable(value):
    """Synthesized references -> the table's placeholders (construct hashes dropped)."""
    if isinstance(value, list):
        return [_readable(v) for v in value]
    text = value.replace("${data.aws_partition.partition.partition}", "{partition}")
    text = text.replace("${data.aws_caller_identity.account.account_id}", "{account}")
    text = re.sub(r"\$\{aws_s3_bucket\.([a-z0-9-]+)_bucket_[0-9A-F]{8}\.arn\}", r"{bucket:\1}", text)
    # The UI template's folder carries a content hash of ui/inventory/: the table names it {template}.
    text = re.sub(r"\bui/inventory-[0-9a-f]{12}/", "ui/inventory-{template}/", text)
    return re.sub(r"_[0-9A-F]{8}(?=[.}])", "", text)  # construct hashes: ..._cluster_6E85E811.identity


def _document(stack: dict, reference: str) -> list[dict]:
    name = re.fullmatch(r"\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}", reference).group(1)
    return stack["data"]["aws_iam_policy_document"][name]["statement"]


def _statement(raw: dict) -> dict:
    found = {"actions": sorted(raw["actions"])}
    if raw.get("effect", "Allow") != "Allow":
        found["effect"] = raw["effect"]
    if "resources" in raw:
        found["resources"] = sorted(_readable(raw["resources"]))
    if "principals" in raw:
        found["principals"] = sorted((p["type"], _readable(i)) for p in raw["principals"] for i in p["identifiers"])
    if "condition" in raw:
        found["condition"] = sorted(
            (c["test"], _readable(c["variable"]), _readable(c["values"])) for c in raw["condition"]
        )
    assert set(raw) <= {"sid", "effect", "actions", "resources", "principals", "condition"}, raw
    return found


def _expected(statement: dict) -> dict:
    found = {"actions": sorted(statement["actions"])}
    if "effect" in statement:
        found["effect"] = statement["effect"]
    for key in ("resources", "principals", "condition"):
        if key in statement:
            found[key] = sorted(statement[key])
    return found


def synthesized_roles(out: Path) -> dict[str, dict]:
    """<stack>/<role name> -> {"trust": [...], "policy": {sid: statement}} from every stack."""
    roles = {}
    for stack_dir in sorted((out / "stacks").iterdir()):
        stack = load_stack(out, stack_dir.name)
        resources = stack.get("resource", {})
        policies = {}
        for policy in resources.get("aws_iam_role_policy", {}).values():
            policies.setdefault(policy["role"], []).extend(_document(stack, policy["policy"]))
        assert not resources.get("aws_iam_policy") and not resources.get("aws_iam_role_policy_attachment"), (
            "managed policies and attachments are not in the model yet: add them to this test"
        )
        for address, role in resources.get("aws_iam_role", {}).items():
            statements = policies.get(f"${{aws_iam_role.{address}.id}}", [])
            assert len({s["sid"] for s in statements}) == len(statements), f"{role['name']}: every Sid once"
            roles[f"{stack_dir.name}/{role['name']}"] = {
                "trust": sorted((_statement(s) for s in _document(stack, role["assume_role_policy"])), key=json.dumps),
                "policy": {s["sid"]: _statement(s) for s in statements},
            }
    return roles


def synthesized_bucket_policies(out: Path) -> dict[str, dict]:
    found = {}
    for stack_dir in sorted((out / "stacks").iterdir()):
        stack = load_stack(out, stack_dir.name)
        for policy in stack.get("resource", {}).get("aws_s3_bucket_policy", {}).values():
            bucket = re.fullmatch(r"\$\{aws_s3_bucket\.([a-z0-9-]+)_bucket_[0-9A-F]{8}\.id\}", policy["bucket"]).group(
                1
            )
            found[f"{stack_dir.name}/{bucket}"] = {s["sid"]: _statement(s) for s in _document(stack, policy["policy"])}
    return found


@pytest.fixture(scope="module", params=["k8s", "tf"])
def project(request, k8s_out, tf_out):
    return request.param, (k8s_out if request.param == "k8s" else tf_out)


# --------------------------------------------------------------------------- the model, compared


def test_every_role_is_in_the_model_and_every_model_role_exists(project):
    mode, out = project
    expected = {name for name, role in PERMISSIONS.items() if mode == "k8s" or not role.get("k8s_only")}
    assert set(synthesized_roles(out)) == expected


def test_each_role_has_exactly_the_modelled_statements(project):
    mode, out = project
    for name, found in synthesized_roles(out).items():
        model = PERMISSIONS[name]
        assert found["trust"] == sorted((_expected(s) for s in model["trust"]), key=json.dumps), f"{name} trust"
        assert set(found["policy"]) == set(model["policy"]), f"{name}: statement ids"
        for sid, statement in model["policy"].items():
            assert found["policy"][sid] == _expected(statement), f"{name} {sid}"


def test_each_bucket_policy_has_exactly_the_modelled_statements(project):
    _, out = project
    found = synthesized_bucket_policies(out)
    assert set(found) == set(BUCKET_POLICIES)
    for bucket, statements in BUCKET_POLICIES.items():
        assert set(found[bucket]) == set(statements), bucket
        for sid, statement in statements.items():
            assert found[bucket][sid] == _expected(statement), f"{bucket} {sid}"


# --------------------------------------------------------------------------- the model, evaluated

ACCOUNT = "123456789012"
#: Stands for the template folder's content hash in the evaluated requests (the policy gets the same).
TEMPLATE = "0123456789ab"
BUCKETS = {
    "shared-ui": "arn:aws:s3:::acme-apps-ui",
    "assets-us-east-2": "arn:aws:s3:::acme-apps-assets-us-east-2",
}


def _concrete(text: str) -> str:
    text = text.replace("{partition}", "aws").replace("{account}", ACCOUNT).replace("{template}", TEMPLATE)
    return re.sub(r"\{bucket:([a-z0-9-]+)\}", lambda m: BUCKETS[m.group(1)], text)


def _policy(role: str, out: Path) -> IAMPolicy:
    """The synthesized role policy as real IAM JSON (placeholders filled in)."""
    statements = synthesized_roles(out)[role]["policy"]
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": sid, "Effect": "Allow", "Action": s["actions"], "Resource": [_concrete(r) for r in s["resources"]]}
            for sid, s in statements.items()
        ],
    }
    return IAMPolicy(json.dumps(document))


def _allowed(policy: IAMPolicy, action: str, resource: str) -> bool:
    return policy.is_action_permitted(action, resource) == PermissionResult.PERMITTED


TABLE = f"arn:aws:dynamodb:us-east-2:{ACCOUNT}:table/john-inventory-dev"
LOG_GROUP = f"arn:aws:logs:us-east-2:{ACCOUNT}:log-group:/aws/lambda/john-inventory-dev:log-stream:x"


@pytest.mark.parametrize(
    ("action", "resource", "allowed"),
    [
        ("dynamodb:PutItem", TABLE, True),
        ("dynamodb:Query", TABLE, True),
        ("dynamodb:DeleteItem", TABLE, True),
        ("logs:PutLogEvents", LOG_GROUP, True),
        ("xray:PutTraceSegments", "*", True),
        # Never: table or schema changes, other services, other accounts, other regions, role changes.
        ("dynamodb:DeleteTable", TABLE, False),
        ("dynamodb:CreateTable", TABLE, False),
        ("dynamodb:UpdateTable", TABLE, False),
        ("dynamodb:CreateBackup", TABLE, False),
        ("dynamodb:ExportTableToPointInTime", TABLE, False),
        ("dynamodb:PutItem", "arn:aws:dynamodb:us-east-2:999999999999:table/john-inventory-dev", False),
        ("dynamodb:PutItem", f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/john-inventory-dev", False),
        ("logs:CreateLogGroup", f"arn:aws:logs:us-east-2:{ACCOUNT}:log-group:/aws/lambda/x", False),
        ("logs:DeleteLogGroup", LOG_GROUP, False),
        ("logs:PutLogEvents", f"arn:aws:logs:us-east-2:{ACCOUNT}:log-group:/other/x:log-stream:y", False),
        ("s3:GetObject", "arn:aws:s3:::acme-apps-ui/john-inventory-dev/index.html", False),
        ("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/acme-apps-lambda-execution", False),
        ("lambda:UpdateFunctionCode", f"arn:aws:lambda:us-east-2:{ACCOUNT}:function:john-inventory-dev", False),
    ],
)
def test_lambda_execution_role_evaluated(k8s_out, action, resource, allowed):
    assert _allowed(_policy("platform/acme-apps-lambda-execution", k8s_out), action, resource) is allowed


@pytest.mark.parametrize(
    ("action", "resource", "allowed"),
    [
        ("s3:PutObject", "arn:aws:s3:::acme-apps-ui/john-inventory-dev/index.html", True),
        ("s3:DeleteObject", "arn:aws:s3:::acme-apps-ui/john-inventory-dev/app.js", True),
        ("s3:GetObject", f"arn:aws:s3:::acme-apps-assets-us-east-2/ui/inventory-{TEMPLATE}/index.html", True),
        # Never: the bucket itself, its policy, other assets (function bundles), other buckets.
        ("s3:DeleteBucket", "arn:aws:s3:::acme-apps-ui", False),
        ("s3:PutBucketPolicy", "arn:aws:s3:::acme-apps-ui", False),
        ("s3:PutObject", f"arn:aws:s3:::acme-apps-assets-us-east-2/ui/inventory-{TEMPLATE}/index.html", False),
        ("s3:GetObject", "arn:aws:s3:::acme-apps-assets-us-east-2/functions/inventory.zip", False),
        ("s3:PutObject", "arn:aws:s3:::acme-apps-logs-us-east-2/x", False),
        ("dynamodb:PutItem", TABLE, False),
    ],
)
def test_ui_uploader_role_evaluated(k8s_out, action, resource, allowed):
    assert _allowed(_policy("platform/acme-apps-s3-uploader", k8s_out), action, resource) is allowed
