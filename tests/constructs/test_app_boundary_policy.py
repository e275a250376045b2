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
