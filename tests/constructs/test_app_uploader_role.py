"""AppUploaderRole (modules/app_uploader_role.py): one app's IRSA role for its UI-sync Job."""

from __future__ import annotations

from construct_synth import synth_scope

from modules.app_uploader_role import AppUploaderRole, AppUploaderRoleProps

ISSUER = "oidc.eks.us-east-2.amazonaws.com/id/EXAMPLE"
PROPS = AppUploaderRoleProps(
    role_name="john-inventory-dev-ui-sync",
    path="/acme-apps/john-inventory-dev/",
    boundary_arn="arn:aws:iam::111122223333:policy/acme-apps-app-boundary",
    oidc_provider_arn=f"arn:aws:iam::111122223333:oidc-provider/{ISSUER}",
    oidc_issuer=ISSUER,
    namespace="kro-serverless-stack",
    service_account="john-inventory-dev-ui-sync",
    template_bucket_arn="arn:aws:s3:::acme-apps-assets-us-east-2",
    template_prefix="ui/inventory-0123456789ab/",
    ui_bucket_arn="arn:aws:s3:::acme-apps-ui",
    prefix="john-inventory-dev/",
)


def _synth() -> dict:
    return synth_scope(lambda scope: AppUploaderRole(scope, "ui-uploader-role", PROPS))


def _statements(synth: dict, suffix: str) -> list[dict]:
    (doc,) = [d for name, d in synth["data"]["aws_iam_policy_document"].items() if name.startswith(suffix)]
    return doc["statement"]


def test_trusted_by_its_own_service_account_only():
    synth = _synth()
    (role,) = synth["resource"]["aws_iam_role"].values()
    assert role["permissions_boundary"] == "arn:aws:iam::111122223333:policy/acme-apps-app-boundary"
    assert role["path"] == "/acme-apps/john-inventory-dev/"
    (trust,) = _statements(synth, "ui-uploader-role_trust")
    assert trust["actions"] == ["sts:AssumeRoleWithWebIdentity"]
    assert trust["principals"] == [
        {"type": "Federated", "identifiers": [f"arn:aws:iam::111122223333:oidc-provider/{ISSUER}"]}
    ]
    assert trust["condition"] == [
        {"test": "StringEquals", "variable": f"{ISSUER}:aud", "values": ["sts.amazonaws.com"]},
        {
            "test": "StringEquals",
            "variable": f"{ISSUER}:sub",
            "values": ["system:serviceaccount:kro-serverless-stack:john-inventory-dev-ui-sync"],
        },
    ]


def test_writes_its_prefix_lists_with_a_prefix_condition_reads_the_template():
    statements = {s["sid"]: s for s in _statements(_synth(), "ui-uploader-role_permissions")}
    assert statements["WriteOwnPrefix"]["resources"] == ["arn:aws:s3:::acme-apps-ui/john-inventory-dev/*"]
    assert statements["WriteOwnPrefix"]["actions"] == ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
    assert statements["ListOwnPrefix"]["resources"] == ["arn:aws:s3:::acme-apps-ui"]
    assert statements["ListOwnPrefix"]["condition"] == [
        {"test": "StringLike", "variable": "s3:prefix", "values": ["john-inventory-dev/*"]}
    ]
    assert statements["ReadTemplate"]["resources"] == [
        "arn:aws:s3:::acme-apps-assets-us-east-2/ui/inventory-0123456789ab/*"
    ]
    assert statements["ListTemplate"]["condition"] == [
        {"test": "StringLike", "variable": "s3:prefix", "values": ["ui/inventory-0123456789ab/*"]}
    ]
    assert set(statements) == {"ListTemplate", "ReadTemplate", "ListOwnPrefix", "WriteOwnPrefix"}
