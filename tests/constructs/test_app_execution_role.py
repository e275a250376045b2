"""AppExecutionRole (modules/app_execution_role.py): one app's function role (tests/construct_synth.py)."""

from __future__ import annotations

from construct_synth import synth_scope

from modules.app_execution_role import AppExecutionRole, AppExecutionRoleProps

PROPS = AppExecutionRoleProps(
    role_name="john-inventory-dev-function",
    path="/acme-apps/john-inventory-dev/",
    boundary_arn="arn:aws:iam::111122223333:policy/acme-apps-app-boundary",
    table_arn="arn:aws:dynamodb:us-east-2:111122223333:table/john-inventory-dev",
    log_group_arn="arn:aws:logs:us-east-2:111122223333:log-group:/aws/lambda/john-inventory-dev",
)


def _synth() -> dict:
    return synth_scope(lambda scope: AppExecutionRole(scope, "execution-role", PROPS))


def _document(synth: dict, suffix: str) -> list[dict]:
    (doc,) = [d for name, d in synth["data"]["aws_iam_policy_document"].items() if name.startswith(suffix)]
    return doc["statement"]


def test_role_has_its_name_path_and_the_boundary():
    (role,) = _synth()["resource"]["aws_iam_role"].values()
    assert role["name"] == "john-inventory-dev-function"
    assert role["path"] == "/acme-apps/john-inventory-dev/"
    assert role["permissions_boundary"] == "arn:aws:iam::111122223333:policy/acme-apps-app-boundary"


def test_only_lambda_may_assume_it():
    (trust,) = _document(_synth(), "execution-role_trust")
    assert trust["actions"] == ["sts:AssumeRole"]
    assert trust["principals"] == [{"type": "Service", "identifiers": ["lambda.amazonaws.com"]}]


def test_permissions_are_its_table_its_log_group_and_xray():
    statements = {s["sid"]: s for s in _document(_synth(), "execution-role_permissions")}
    assert statements["OwnTableItems"]["actions"] == [
        "dynamodb:DeleteItem",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:Scan",
        "dynamodb:UpdateItem",
    ]
    assert statements["OwnTableItems"]["resources"] == [
        "arn:aws:dynamodb:us-east-2:111122223333:table/john-inventory-dev",
        "arn:aws:dynamodb:us-east-2:111122223333:table/john-inventory-dev/index/*",
    ]
    assert statements["OwnFunctionLogs"]["resources"] == [
        "arn:aws:logs:us-east-2:111122223333:log-group:/aws/lambda/john-inventory-dev:*"
    ]
    assert statements["WriteTraces"]["resources"] == ["*"]
    assert set(statements) == {"OwnTableItems", "OwnFunctionLogs", "WriteTraces"}
