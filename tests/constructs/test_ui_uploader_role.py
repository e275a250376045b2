"""UiUploaderRole (``isolation: shared`` only): the IRSA role of every UI-sync Job. Its trust policy names the
cluster's OIDC provider (given: the platform's EksOidcProvider looks it up or creates it), requires the ``sts.amazonaws.com`` audience and accepts only service accounts
``*-ui-sync`` in the platform's namespaces. Its permissions read the UI template prefix and write app prefixes of
the shared UI bucket, statement by statement below; the platform's permissions boundary (which denies ``auth/*``)
is attached. ``namespaces`` decides the accepted subjects.

Synthesized in a bare TerraformStack (see fixtures.py: Testing.synth_scope cannot take a Python callable); the
account is a literal (fixtures.ACCOUNT) instead of the stack's data sources.
"""

from __future__ import annotations

from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from fixtures import Synthesized, synth

from modules.ui_uploader_role import UiUploaderRole, UiUploaderRoleProps

OIDC = "oidc.eks.us-east-2.amazonaws.com/id/EXAMPLE"
PROVIDER = f"arn:aws:iam::123456789012:oidc-provider/{OIDC}"
BOUNDARY = "arn:aws:iam::123456789012:policy/acme-app-boundary"


def build(namespaces: tuple[str, ...] = ("apps",)) -> Synthesized:
    return synth(
        lambda stack: UiUploaderRole(
            stack,
            "ui-uploader-role",
            UiUploaderRoleProps(
                role_name="acme-s3-uploader",
                boundary_arn=BOUNDARY,
                oidc_provider_arn=PROVIDER,
                oidc_issuer=OIDC,
                namespaces=namespaces,
                template_bucket_arn="arn:aws:s3:::acme-assets-us-east-2",
                template_prefix="ui/inventory-0123456789ab/",
                ui_bucket_arn="arn:aws:s3:::acme-ui",
            ),
        )
    )


def test_only_ui_sync_service_accounts_of_the_platform_namespaces_may_assume_it():
    out, oidc = build(), OIDC
    assert out.document("trust")["statement"] == [
        {
            "effect": "Allow",
            "actions": ["sts:AssumeRoleWithWebIdentity"],
            "principals": [{"type": "Federated", "identifiers": [PROVIDER]}],
            "condition": [
                {"test": "StringEquals", "variable": f"{oidc}:aud", "values": ["sts.amazonaws.com"]},
                {"test": "StringLike", "variable": f"{oidc}:sub", "values": ["system:serviceaccount:apps:*-ui-sync"]},
            ],
        }
    ]


def test_namespaces_each_add_an_accepted_subject():
    condition = build(("apps", "apps-staging")).document("trust")["statement"][0]["condition"][1]
    assert condition["values"] == [
        "system:serviceaccount:apps:*-ui-sync",
        "system:serviceaccount:apps-staging:*-ui-sync",
    ]


def test_role_and_its_inline_policy():
    out = build()
    role = out.address(IamRole.TF_RESOURCE_TYPE, "ui-uploader-role")
    assert out.one(IamRole.TF_RESOURCE_TYPE) == {
        "name": "acme-s3-uploader",
        "description": "Publishes app UIs to the shared UI bucket (IRSA, UI-sync Jobs only)",
        "assume_role_policy": "${data.aws_iam_policy_document." + out.document_id("trust") + ".json}",
        "permissions_boundary": BOUNDARY,
    }
    assert out.one(IamRolePolicy.TF_RESOURCE_TYPE) == {
        "name": "ui-sync",
        "role": f"${{{role}.id}}",
        "policy": "${data.aws_iam_policy_document." + out.document_id("permissions") + ".json}",
    }


def test_permissions_read_the_template_prefix_and_write_app_objects_only():
    assert build().document("permissions")["statement"] == [
        {
            "sid": "ListTemplate",
            "effect": "Allow",
            "actions": ["s3:ListBucket"],
            "resources": ["arn:aws:s3:::acme-assets-us-east-2"],
            "condition": [{"test": "StringLike", "variable": "s3:prefix", "values": ["ui/inventory-0123456789ab/*"]}],
        },
        {
            "sid": "ReadTemplate",
            "effect": "Allow",
            "actions": ["s3:GetObject"],
            "resources": ["arn:aws:s3:::acme-assets-us-east-2/ui/inventory-0123456789ab/*"],
        },
        {"sid": "ListApps", "effect": "Allow", "actions": ["s3:ListBucket"], "resources": ["arn:aws:s3:::acme-ui"]},
        {
            "sid": "WriteApps",
            "effect": "Allow",
            "actions": ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
            "resources": ["arn:aws:s3:::acme-ui/*"],
        },
    ]
