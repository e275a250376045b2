"""The shared S3 uploader role (isolation ``shared`` only), assumed through IRSA by every UI-sync Job.

The trust policy names the cluster's OIDC provider and accepts only service
accounts called ``*-ui-sync`` in the platform's namespaces; the permissions
read the UI template and write under any app prefix of the shared UI bucket
(every app's Job can overwrite every app's UI). The platform's permissions
boundary denies the shared sign-in pages under ``auth/``. The default,
isolation ``perInstance``, gives each app its own role (``app_uploader_role.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from constructs import Construct

from .app_permissions import UI_WRITE_ACTIONS, irsa_trust_statement, template_read_statements
from .policy_document import policy_document

#: Service accounts the generator creates end with this (see generator.naming).
SERVICE_ACCOUNT_SUFFIX = "-ui-sync"


@dataclass(frozen=True)
class UiUploaderRoleProps:
    role_name: str
    boundary_arn: str
    oidc_provider_arn: str
    oidc_issuer: str
    namespaces: tuple[str, ...]
    template_bucket_arn: str
    template_prefix: str
    ui_bucket_arn: str


class UiUploaderRole(Construct):
    """``role`` is the IAM role the UI-sync ServiceAccounts are annotated with."""

    def __init__(self, scope: Construct, id: str, props: UiUploaderRoleProps):
        super().__init__(scope, id)
        subjects = [f"system:serviceaccount:{ns}:*{SERVICE_ACCOUNT_SUFFIX}" for ns in props.namespaces]
        trust = policy_document(
            self, "trust", [irsa_trust_statement(props.oidc_provider_arn, props.oidc_issuer, "StringLike", subjects)]
        )
        self.role = IamRole(
            self,
            "role",
            name=props.role_name,
            assume_role_policy=trust.json,
            permissions_boundary=props.boundary_arn,
            description="Publishes app UIs to the shared UI bucket (IRSA, UI-sync Jobs only)",
        )
        policy = policy_document(
            self,
            "permissions",
            [
                *template_read_statements(props.template_bucket_arn, props.template_prefix),
                {
                    "sid": "ListApps",
                    "effect": "Allow",
                    "actions": ["s3:ListBucket"],
                    "resources": [props.ui_bucket_arn],
                },
                {
                    "sid": "WriteApps",
                    "effect": "Allow",
                    "actions": list(UI_WRITE_ACTIONS),
                    "resources": [f"{props.ui_bucket_arn}/*"],
                },
            ],
        )
        IamRolePolicy(self, "policy", name="ui-sync", role=self.role.id, policy=policy.json)
