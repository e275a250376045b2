"""The shared Lambda execution role (isolation ``shared`` only): every app can reach every app's table.

Every app function assumes this one role (the seed's shared-role design), so
its permissions can only be scoped to what all apps share: the served
regions, this account, ``/aws/lambda/*`` log groups and DynamoDB tables.
Only the item actions the handler calls; no wildcard actions; no table
management actions; the platform's permissions boundary on top. The default,
isolation ``perInstance``, gives each app its own role instead
(``app_execution_role.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from constructs import Construct

from .app_permissions import LOG_ACTIONS, TABLE_ITEM_ACTIONS, lambda_trust_statement, trace_statement
from .policy_document import policy_document
from .stack_base import AwsAccount


@dataclass(frozen=True)
class LambdaExecutionRoleProps:
    account: AwsAccount
    role_name: str
    regions: tuple[str, ...]
    boundary_arn: str


class LambdaExecutionRole(Construct):
    """``role`` is the IAM role; its ARN is a platform output."""

    def __init__(self, scope: Construct, id: str, props: LambdaExecutionRoleProps):
        super().__init__(scope, id)
        account, partition = props.account.id, props.account.partition
        trust = policy_document(self, "trust", [lambda_trust_statement()])
        self.role = IamRole(
            self,
            "role",
            name=props.role_name,
            assume_role_policy=trust.json,
            permissions_boundary=props.boundary_arn,
            description="Shared execution role of every app's Lambda function",
        )
        regions = props.regions
        policy = policy_document(
            self,
            "permissions",
            [
                {
                    "sid": "WriteFunctionLogs",
                    "effect": "Allow",
                    "actions": list(LOG_ACTIONS),
                    "resources": [f"arn:{partition}:logs:{r}:{account}:log-group:/aws/lambda/*:*" for r in regions],
                },
                trace_statement(),
                {
                    "sid": "AppTableItems",
                    "effect": "Allow",
                    "actions": list(TABLE_ITEM_ACTIONS),
                    "resources": [f"arn:{partition}:dynamodb:{r}:{account}:table/*" for r in regions],
                },
            ],
        )
        IamRolePolicy(self, "policy", name="app-function", role=self.role.id, policy=policy.json)
