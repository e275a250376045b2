"""The permissions boundary every app role carries: the most any app identity can ever do.

Published by the platform (its ARN is a platform output). A role's effective
permissions are the intersection of its own policies and this boundary, so
even a per-app role created with a wider inline policy (by a mistake, or by an
instance pipeline that may create roles only under this boundary, see
docs/security.md) cannot go beyond: items of DynamoDB tables in the served
regions, Lambda log groups, X-Ray, reading the UI template, writing app
prefixes of the shared UI bucket, and never the shared sign-in pages under
``auth/`` (an explicit Deny). The shared roles (isolation ``shared``) carry
it too.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_aws.iam_policy import IamPolicy
from constructs import Construct

from .app_permissions import (
    AUTH_PAGES_PREFIX,
    LOG_ACTIONS,
    TABLE_ITEM_ACTIONS,
    UI_WRITE_ACTIONS,
    template_read_statements,
    trace_statement,
)
from .policy_document import policy_document
from .stack_base import AwsAccount


@dataclass(frozen=True)
class AppBoundaryPolicyProps:
    account: AwsAccount
    policy_name: str
    regions: tuple[str, ...]
    ui_bucket_arn: str
    template_bucket_arn: str
    template_prefix: str


class AppBoundaryPolicy(Construct):
    """``policy`` is the managed policy (``policy.arn``: the boundary ARN)."""

    def __init__(self, scope: Construct, id: str, props: AppBoundaryPolicyProps):
        super().__init__(scope, id)
        account, partition, regions = props.account.id, props.account.partition, props.regions
        tables = [f"arn:{partition}:dynamodb:{r}:{account}:table/*" for r in regions]
        document = policy_document(
            self,
            "document",
            [
                {
                    "sid": "AppTableItems",
                    "effect": "Allow",
                    "actions": list(TABLE_ITEM_ACTIONS),
                    "resources": tables + [f"{t}/index/*" for t in tables],
                },
                {
                    "sid": "WriteFunctionLogs",
                    "effect": "Allow",
                    "actions": list(LOG_ACTIONS),
                    "resources": [f"arn:{partition}:logs:{r}:{account}:log-group:/aws/lambda/*:*" for r in regions],
                },
                trace_statement(),
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
                {
                    "sid": "DenyAuthPages",
                    "effect": "Deny",
                    "actions": ["s3:DeleteObject", "s3:PutObject"],
                    "resources": [f"{props.ui_bucket_arn}/{AUTH_PAGES_PREFIX}*"],
                },
            ],
        )
        self.policy = IamPolicy(
            self,
            "policy",
            name=props.policy_name,
            policy=document.json,
            description="Permissions boundary of every app role: the most an app identity can do",
        )
