"""The actions an app's identities need, in one place for the per-app roles, the shared roles and the boundary.

Not a construct: plain lists. ``TABLE_ITEM_ACTIONS`` is exactly what lambda_code/app.py calls on its table
(scan, get_item, put_item, update_item, delete_item); tests/test_isolation.py reads the handler to keep it so.
"""

from __future__ import annotations

TABLE_ITEM_ACTIONS = (
    "dynamodb:DeleteItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Scan",
    "dynamodb:UpdateItem",
)
LOG_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")
#: X-Ray supports no resource-level permissions for these two actions, so their resource is "*":
#: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsx-ray.html
TRACE_ACTIONS = ("xray:PutTelemetryRecords", "xray:PutTraceSegments")
#: What ``aws s3 sync --delete`` and ``aws s3 cp`` do on the destination prefix (no tagging, no ACLs).
UI_WRITE_ACTIONS = ("s3:DeleteObject", "s3:GetObject", "s3:PutObject")
#: The shared sign-in pages (``auth/callback/``, ``auth/logout/``) run on the origin every app shares;
#: no app identity may change them (the permissions boundary denies it).
AUTH_PAGES_PREFIX = "auth/"


def lambda_trust_statement() -> dict:
    """Trust for a Lambda execution role: the Lambda service assumes it."""
    return {
        "effect": "Allow",
        "actions": ["sts:AssumeRole"],
        "principals": [{"type": "Service", "identifiers": ["lambda.amazonaws.com"]}],
    }


def irsa_trust_statement(provider_arn: str, issuer: str, subject_test: str, subjects: list[str]) -> dict:
    """Trust for an IRSA role: the cluster's OIDC provider, audience sts.amazonaws.com, and the service
    account subjects (``subject_test`` StringEquals for one exact account, StringLike for a pattern)."""
    return {
        "effect": "Allow",
        "actions": ["sts:AssumeRoleWithWebIdentity"],
        "principals": [{"type": "Federated", "identifiers": [provider_arn]}],
        "condition": [
            {"test": "StringEquals", "variable": f"{issuer}:aud", "values": ["sts.amazonaws.com"]},
            {"test": subject_test, "variable": f"{issuer}:sub", "values": subjects},
        ],
    }


def trace_statement() -> dict:
    return {"sid": "WriteTraces", "effect": "Allow", "actions": list(TRACE_ACTIONS), "resources": ["*"]}


def template_read_statements(template_bucket_arn: str, template_prefix: str) -> list[dict]:
    """List and read the UI template (and nothing else of the assets bucket)."""
    return [
        {
            "sid": "ListTemplate",
            "effect": "Allow",
            "actions": ["s3:ListBucket"],
            "resources": [template_bucket_arn],
            "condition": [{"test": "StringLike", "variable": "s3:prefix", "values": [f"{template_prefix}*"]}],
        },
        {
            "sid": "ReadTemplate",
            "effect": "Allow",
            "actions": ["s3:GetObject"],
            "resources": [f"{template_bucket_arn}/{template_prefix}*"],
        },
    ]
