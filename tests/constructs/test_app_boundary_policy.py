"""AppBoundaryPolicy (modules/app_boundary_policy.py): the permissions boundary of every app role."""

from __future__ import annotations

from construct_synth import synth_scope

from modules.app_boundary_policy import AppBoundaryPolicy, AppBoundaryPolicyProps
from modules.stack_base import AwsAccount

PROPS = AppBoundaryPolicyProps(
    account=AwsAccount(id="111122223333", partition="aws"),
    policy_name="acme-apps-app-boundary",
    regions=("us-east-2", "us-west-2"),
    ui_bucket_arn="arn:aws:s3:::acme-apps-ui",
    template_bucket_arn="arn:aws:s3:::acme-apps-assets-us-east-2",
    template_prefix="ui/inventory-0123456789ab/",
)


def test_boundary_allows_app_work_and_denies_the_sign_in_pages():
    synth = synth_scope(lambda scope: AppBoundaryPolicy(scope, "app-boundary", PROPS))
    (policy,) = synth["resource"]["aws_iam_policy"].values()
    assert policy["name"] == "acme-apps-app-boundary"
    (document,) = synth["data"]["aws_iam_policy_document"].values()
    statements = {s["sid"]: s for s in document["statement"]}
    assert statements["AppTableItems"]["resources"] == [
        "arn:aws:dynamodb:us-east-2:111122223333:table/*",
        "arn:aws:dynamodb:us-west-2:111122223333:table/*",
        "arn:aws:dynamodb:us-east-2:111122223333:table/*/index/*",
        "arn:aws:dynamodb:us-west-2:111122223333:table/*/index/*",
    ]
    assert statements["DenyAuthPages"] == {
        "sid": "DenyAuthPages",
        "effect": "Deny",
        "actions": ["s3:DeleteObject", "s3:PutObject"],
        "resources": ["arn:aws:s3:::acme-apps-ui/auth/*"],
    }
    assert statements["WriteApps"]["resources"] == ["arn:aws:s3:::acme-apps-ui/*"]
    assert not any("iam:" in a or a.endswith("*") for s in document["statement"] for a in s["actions"])


def test_boundary_is_exactly_the_modelled_statements():
    """The whole document, in order (the permission model of docs/security.md), and the policy that uses it."""
    synth = synth_scope(lambda scope: AppBoundaryPolicy(scope, "app-boundary", PROPS))
    assert list(synth["data"]["aws_iam_policy_document"]) == ["app-boundary_document_E2FF1A91"]
    # The policy's Terraform address: another construct id would replace the boundary on the next apply.
    assert [key.rsplit("_", 1)[0] for key in synth["resource"]["aws_iam_policy"]] == ["app-boundary_policy"]
    (policy,) = synth["resource"]["aws_iam_policy"].values()
    assert policy == {
        "description": "Permissions boundary of every app role: the most an app identity can do",
        "name": "acme-apps-app-boundary",
        "policy": "${data.aws_iam_policy_document.app-boundary_document_E2FF1A91.json}",
    }
    ui, assets, template = (
        "arn:aws:s3:::acme-apps-ui",
        "arn:aws:s3:::acme-apps-assets-us-east-2",
        "ui/inventory-0123456789ab/",
    )
    (document,) = synth["data"]["aws_iam_policy_document"].values()
    assert document["statement"] == [
        {
            "sid": "AppTableItems",
            "effect": "Allow",
            "actions": [
                "dynamodb:DeleteItem",
                "dynamodb:GetItem",
                "dynamodb:PutItem",
                "dynamodb:Scan",
                "dynamodb:UpdateItem",
            ],
            "resources": [
                "arn:aws:dynamodb:us-east-2:111122223333:table/*",
                "arn:aws:dynamodb:us-west-2:111122223333:table/*",
                "arn:aws:dynamodb:us-east-2:111122223333:table/*/index/*",
                "arn:aws:dynamodb:us-west-2:111122223333:table/*/index/*",
            ],
        },
        {
            "sid": "WriteFunctionLogs",
            "effect": "Allow",
            "actions": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "resources": [
                "arn:aws:logs:us-east-2:111122223333:log-group:/aws/lambda/*:*",
                "arn:aws:logs:us-west-2:111122223333:log-group:/aws/lambda/*:*",
            ],
        },
        {
            "sid": "WriteTraces",
            "effect": "Allow",
            "actions": ["xray:PutTelemetryRecords", "xray:PutTraceSegments"],
            "resources": ["*"],
        },
        {
            "sid": "ListTemplate",
            "effect": "Allow",
            "actions": ["s3:ListBucket"],
            "resources": [assets],
            "condition": [{"test": "StringLike", "variable": "s3:prefix", "values": [f"{template}*"]}],
        },
        {"sid": "ReadTemplate", "effect": "Allow", "actions": ["s3:GetObject"], "resources": [f"{assets}/{template}*"]},
        {"sid": "ListApps", "effect": "Allow", "actions": ["s3:ListBucket"], "resources": [ui]},
        {
            "sid": "WriteApps",
            "effect": "Allow",
            "actions": ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
            "resources": [f"{ui}/*"],
        },
        {
            "sid": "DenyAuthPages",
            "effect": "Deny",
            "actions": ["s3:DeleteObject", "s3:PutObject"],
            "resources": [f"{ui}/auth/*"],
        },
    ]
