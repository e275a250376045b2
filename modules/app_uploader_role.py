"""One app's S3 uploader role for its UI-sync Job (kubernetes UI sync, isolation ``perInstance``).

Trusted (IRSA) only by the app's own ServiceAccount, ``StringEquals`` on
``system:serviceaccount:<namespace>:<base>-ui-sync`` and on the ``aud``
``sts.amazonaws.com``. It lists and reads the UI template, lists the shared
UI bucket only under ``<base>/`` (an ``s3:prefix`` condition) and writes only
``<base>/*``. Under the platform's permissions boundary, which also denies
``auth/*``.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from constructs import Construct

from .app_permissions import UI_WRITE_ACTIONS, irsa_trust_statement, template_read_statements
from .policy_document import policy_document


@dataclass(frozen=True)
class AppUploaderRoleProps:
    """``oidc_issuer``: the cluster's issuer URL without ``https://``; ``prefix`` ends with '/'."""

    role_name: str
    path: str
    boundary_arn: str
    oidc_provider_arn: str
    oidc_issuer: str
    namespace: str
    service_account: str
    template_bucket_arn: str
    template_prefix: str
    ui_bucket_arn: str
    prefix: str


class AppUploaderRole(Construct):
    """``role`` is the IAM role the app's UI-sync ServiceAccount is annotated with."""

    def __init__(self, scope: Construct, id: str, props: AppUploaderRoleProps):
        super().__init__(scope, id)
        subject = f"system:serviceaccount:{props.namespace}:{props.service_account}"
        trust = policy_document(
            self,
            "trust",
            [irsa_trust_statement(props.oidc_provider_arn, props.oidc_issuer, "StringEquals", [subject])],
        )
        self.role = IamRole(
            self,
            "role",
            name=props.role_name,
            path=props.path,
            assume_role_policy=trust.json,
            permissions_boundary=props.boundary_arn,
            description="Publishes one app's UI under its own prefix (IRSA, its UI-sync Job only)",
        )
        policy = policy_document(
            self,
            "permissions",
            [
                *template_read_statements(props.template_bucket_arn, props.template_prefix),
                {
                    "sid": "ListOwnPrefix",
                    "effect": "Allow",
                    "actions": ["s3:ListBucket"],
                    "resources": [props.ui_bucket_arn],
                    "condition": [{"test": "StringLike", "variable": "s3:prefix", "values": [f"{props.prefix}*"]}],
                },
                {
                    "sid": "WriteOwnPrefix",
                    "effect": "Allow",
                    "actions": list(UI_WRITE_ACTIONS),
                    "resources": [f"{props.ui_bucket_arn}/{props.prefix}*"],
                },
            ],
        )
        self.policy = IamRolePolicy(self, "policy", name="ui-sync", role=self.role.id, policy=policy.json)
