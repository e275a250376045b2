"""The shared Lambda execution role: write its logs, read and write items in app tables.

Every app function assumes this one role (the seed's shared-role design), so
its permissions can only be scoped to what all apps share: the served
regions, this account, ``/aws/lambda/*`` log groups and DynamoDB tables.
No wildcard actions; no table management actions.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from constructs import Construct

from .policy_document import policy_document
from .stack_base import AwsAccount

TABLE_ITEM_ACTIONS = [
    "dynamodb:BatchGetItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DeleteItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:UpdateItem",
]


@dataclass(frozen=True)
class LambdaExecutionRoleProps:
    account: AwsAccount
    role_name: str
    regions: tuple[str, ...]


class LambdaExecutionRole(Construct):
    """``role`` is the IAM role; its ARN is a platform output."""

    def __init__(self, scope: Construct, id: str, props: LambdaExecutionRoleProps):
        super().__init__(scope, id)
        account, partition = props.account.id, props.account.partition
        trust = policy_document(
            self,
            "trust",
            [
                {
                    "effect": "Allow",
                    "actions": ["sts:AssumeRole"],
                    "principals": [{"type": "Service", "identifiers": ["lambda.amazonaws.com"]}],
                }
            ],
        )
        self.role = IamRole(
            self,
            "role",
            name=props.role_name,
            assume_role_policy=trust.json,
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
                    "actions": ["logs:CreateLogStream", "logs:PutLogEvents"],
                    "resources": [f"arn:{partition}:logs:{r}:{account}:log-group:/aws/lambda/*:*" for r in regions],
                },
                {
                    # X-Ray supports no resource-level permissions for these two actions, so the resource is "*":
                    # https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsx-ray.html
                    "sid": "WriteTraces",
                    "effect": "Allow",
                    "actions": ["xray:PutTelemetryRecords", "xray:PutTraceSegments"],
                    "resources": ["*"],
                },
                {
                    "sid": "AppTableItems",
                    "effect": "Allow",
                    "actions": TABLE_ITEM_ACTIONS,
                    "resources": [f"arn:{partition}:dynamodb:{r}:{account}:table/*" for r in regions],
                },
            ],
        )
        IamRolePolicy(self, "policy", name="app-function", role=self.role.id, policy=policy.json)
