"""One app's Lambda execution role (isolation ``perInstance``): its own table, its own log group, X-Ray.

Created in the instance's workspace under the platform's permissions
boundary, in the IAM path ``/<platform>/<base>/``. Only the DynamoDB item
actions lambda_code/app.py calls, on this instance's table and its indexes;
log streams of this function's log group only.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from constructs import Construct

from .app_permissions import LOG_ACTIONS, TABLE_ITEM_ACTIONS, lambda_trust_statement, trace_statement
from .policy_document import policy_document


@dataclass(frozen=True)
class AppExecutionRoleProps:
    """``log_group_arn`` without the ``:*`` suffix (as aws_cloudwatch_log_group exports it)."""

    role_name: str
    path: str
    boundary_arn: str
    table_arn: str
    log_group_arn: str


class AppExecutionRole(Construct):
    """``role`` is the IAM role the app's function runs as."""

    def __init__(self, scope: Construct, id: str, props: AppExecutionRoleProps):
        super().__init__(scope, id)
        trust = policy_document(self, "trust", [lambda_trust_statement()])
        self.role = IamRole(
            self,
            "role",
            name=props.role_name,
            path=props.path,
            assume_role_policy=trust.json,
            permissions_boundary=props.boundary_arn,
            description="Execution role of one app's Lambda function: its own table and log group only",
        )
        policy = policy_document(
            self,
            "permissions",
            [
                {
                    "sid": "OwnTableItems",
                    "effect": "Allow",
                    "actions": list(TABLE_ITEM_ACTIONS),
                    "resources": [props.table_arn, f"{props.table_arn}/index/*"],
                },
                {
                    "sid": "OwnFunctionLogs",
                    "effect": "Allow",
                    "actions": list(LOG_ACTIONS),
                    "resources": [f"{props.log_group_arn}:*"],
                },
                trace_statement(),
            ],
        )
        self.policy = IamRolePolicy(self, "policy", name="app-function", role=self.role.id, policy=policy.json)
