"""LambdaExecutionRole (``isolation: shared`` only): the one role every app function assumes. Trusted by Lambda
only; may write ``/aws/lambda/*`` logs and X-Ray traces, and the five item actions the handler calls (no table
management) on this account's tables of the served regions; carries the platform's permissions boundary.
``regions`` decides the resource list of each scoped statement.

Synthesized in a bare TerraformStack (see fixtures.py: Testing.synth_scope cannot take a Python callable); the
account is a literal (fixtures.ACCOUNT) instead of the stack's data sources.
"""

from __future__ import annotations

from cdktf import Testing
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from fixtures import ACCOUNT, Synthesized, synth

from modules.lambda_execution_role import LambdaExecutionRole, LambdaExecutionRoleProps

ROLE = IamRole.TF_RESOURCE_TYPE
BOUNDARY = "arn:aws:iam::123456789012:policy/acme-app-boundary"


def build(regions: tuple[str, ...] = ("us-east-2", "us-west-2")) -> Synthesized:
    return synth(
        lambda stack: LambdaExecutionRole(
            stack,
            "lambda-execution-role",
            LambdaExecutionRoleProps(
                account=ACCOUNT, role_name="acme-lambda-execution", regions=regions, boundary_arn=BOUNDARY
            ),
        )
    )


def test_only_lambda_may_assume_the_role():
    out = build()
    assert out.document("trust")["statement"] == [
        {
            "effect": "Allow",
            "actions": ["sts:AssumeRole"],
            "principals": [{"type": "Service", "identifiers": ["lambda.amazonaws.com"]}],
        }
    ]
    assert out.one(ROLE) == {
        "name": "acme-lambda-execution",
        "description": "Shared execution role of every app's Lambda function",
        "assume_role_policy": "${data.aws_iam_policy_document." + out.document_id("trust") + ".json}",
        "permissions_boundary": BOUNDARY,
    }


def test_the_inline_policy_has_exactly_three_statements():
    out = build()
    assert [s["sid"] for s in out.document("permissions")["statement"]] == [
        "WriteFunctionLogs",
        "WriteTraces",
        "AppTableItems",
    ]
    assert out.one(IamRolePolicy.TF_RESOURCE_TYPE) == {
        "name": "app-function",
        "role": f"${{{out.address(ROLE, 'lambda-execution-role')}.id}}",
        "policy": "${data.aws_iam_policy_document." + out.document_id("permissions") + ".json}",
    }


def test_logs_only_into_lambda_log_groups_of_the_served_regions():
    assert build().statement("WriteFunctionLogs") == {
        "sid": "WriteFunctionLogs",
        "effect": "Allow",
        "actions": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "resources": [
            "arn:aws:logs:us-east-2:123456789012:log-group:/aws/lambda/*:*",
            "arn:aws:logs:us-west-2:123456789012:log-group:/aws/lambda/*:*",
        ],
    }


def test_traces_on_any_resource_since_x_ray_has_no_resource_level_permissions():
    assert build().statement("WriteTraces") == {
        "sid": "WriteTraces",
        "effect": "Allow",
        "actions": ["xray:PutTelemetryRecords", "xray:PutTraceSegments"],
        "resources": ["*"],
    }


def test_item_actions_only_on_this_accounts_tables_in_the_served_regions():
    assert build().statement("AppTableItems") == {
        "sid": "AppTableItems",
        "effect": "Allow",
        "actions": [
            "dynamodb:DeleteItem",
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:Scan",
            "dynamodb:UpdateItem",
        ],
        "resources": [
            "arn:aws:dynamodb:us-east-2:123456789012:table/*",
            "arn:aws:dynamodb:us-west-2:123456789012:table/*",
        ],
    }


def test_no_wildcard_action_anywhere():
    actions = [a for s in build().document("permissions")["statement"] for a in s["actions"]]
    assert not [a for a in actions if "*" in a]


def test_regions_decide_the_resources_of_the_scoped_statements():
    out = build(("eu-west-1",))
    assert out.statement("WriteFunctionLogs")["resources"] == [
        "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/*:*"
    ]
    assert out.statement("AppTableItems")["resources"] == ["arn:aws:dynamodb:eu-west-1:123456789012:table/*"]
    assert out.statement("WriteTraces")["resources"] == ["*"]
    # The matcher compares list items by position: the trust document's only statement is region independent.
    assert Testing.to_have_data_source_with_properties(
        out.text, "aws_iam_policy_document", {"statement": [{"actions": ["sts:AssumeRole"]}]}
    )
