"""The shared S3 uploader role, assumed through IRSA by the UI-sync service accounts only.

The trust policy names the cluster's OIDC provider and accepts only service
accounts called ``*-ui-sync`` in the platform's namespaces; the permissions
read the UI template and write under app prefixes of the shared UI bucket.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import Fn
from cdktf_cdktf_provider_aws.data_aws_eks_cluster import DataAwsEksCluster
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from constructs import Construct

from .policy_document import policy_document
from .stack_base import AwsAccount

#: Service accounts the generator creates end with this (see generator.naming).
SERVICE_ACCOUNT_SUFFIX = "-ui-sync"


@dataclass(frozen=True)
class UiUploaderRoleProps:
    account: AwsAccount
    role_name: str
    cluster_name: str
    namespaces: tuple[str, ...]
    template_bucket_arn: str
    template_prefix: str
    ui_bucket_arn: str


class UiUploaderRole(Construct):
    """``role`` is the IAM role the UI-sync ServiceAccounts are annotated with."""

    def __init__(self, scope: Construct, id: str, props: UiUploaderRoleProps):
        super().__init__(scope, id)
        account, partition = props.account.id, props.account.partition
        cluster = DataAwsEksCluster(self, "cluster", name=props.cluster_name)
        issuer = Fn.replace(cluster.identity.get(0).oidc.get(0).issuer, "https://", "")
        trust = policy_document(
            self,
            "trust",
            [
                {
                    "effect": "Allow",
                    "actions": ["sts:AssumeRoleWithWebIdentity"],
                    "principals": [
                        {"type": "Federated", "identifiers": [f"arn:{partition}:iam::{account}:oidc-provider/{issuer}"]}
                    ],
                    "condition": [
                        {"test": "StringEquals", "variable": f"{issuer}:aud", "values": ["sts.amazonaws.com"]},
                        {
                            "test": "StringLike",
                            "variable": f"{issuer}:sub",
                            "values": [
                                f"system:serviceaccount:{ns}:*{SERVICE_ACCOUNT_SUFFIX}" for ns in props.namespaces
                            ],
                        },
                    ],
                }
            ],
        )
        self.role = IamRole(
            self,
            "role",
            name=props.role_name,
            assume_role_policy=trust.json,
            description="Publishes app UIs to the shared UI bucket (IRSA, UI-sync Jobs only)",
        )
        policy = policy_document(
            self,
            "permissions",
            [
                {
                    "sid": "ListTemplate",
                    "effect": "Allow",
                    "actions": ["s3:ListBucket"],
                    "resources": [props.template_bucket_arn],
                    "condition": [
                        {"test": "StringLike", "variable": "s3:prefix", "values": [f"{props.template_prefix}*"]}
                    ],
                },
                {
                    "sid": "ReadTemplate",
                    "effect": "Allow",
                    "actions": ["s3:GetObject"],
                    "resources": [f"{props.template_bucket_arn}/{props.template_prefix}*"],
                },
                {
                    "sid": "ListApps",
                    "effect": "Allow",
                    "actions": ["s3:ListBucket"],
                    "resources": [props.ui_bucket_arn],
                },
                {
                    "sid": "WriteApps",
                    "effect": "Allow",
                    "actions": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                    "resources": [f"{props.ui_bucket_arn}/*"],
                },
            ],
        )
        IamRolePolicy(self, "policy", name="ui-sync", role=self.role.id, policy=policy.json)
