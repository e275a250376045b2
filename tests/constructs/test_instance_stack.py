"""InstanceStack: one app instance's workspace, wired from literal Instance fixtures (a dev instance in the home
region, a prod one in us-west-2) and reading the platform through local remote state. What follows from the
instance: the table's prod settings, the function's bundle in its region's assets bucket, the API's issuer and
audience from Cognito, and the UI sync mode from the platform (``ui_sync``). Each construct's own settings are
documented in its own test file.

A full stack: built in Testing.app() and read with Testing.synth(stack).
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from cdktf import Testing
from fixtures import (
    DEV_INSTANCE,
    PROD_INSTANCE,
    Synthesized,
    build_instance_stack,
)

build = build_instance_stack

REMOTE = "data.terraform_remote_state.platform.outputs"


@pytest.fixture(scope="module")
def dev() -> Synthesized:
    return build(DEV_INSTANCE)


@pytest.fixture(scope="module")
def prod() -> Synthesized:
    return build(PROD_INSTANCE, ui_sync="terraform")


def test_reads_the_platform_state_and_keeps_its_own(dev):
    assert dev.tf["data"]["terraform_remote_state"]["platform"] == {
        "backend": "local",
        "config": {"path": "../../../terraform-state/platform.tfstate"},
    }
    assert dev.tf["terraform"]["backend"] == {"local": {"path": "../../../terraform-state/john-inventory-dev.tfstate"}}


def test_providers_are_the_instance_region_and_home(prod):
    assert [(p.get("alias"), p["region"]) for p in prod.tf["provider"]["aws"]] == [
        (None, "us-west-2"),
        ("home", "us-east-2"),
    ]


def test_dev_table_is_on_demand_and_unprotected(dev):
    table = dev.one("aws_dynamodb_table")
    assert (table["name"], table["billing_mode"]) == ("john-inventory-dev", "PAY_PER_REQUEST")
    assert (table["deletion_protection_enabled"], table["point_in_time_recovery"]) == (False, {"enabled": False})


def test_prod_table_is_provisioned_protected_and_recoverable(prod):
    table = prod.one("aws_dynamodb_table")
    assert (table["name"], table["billing_mode"]) == ("backend-inventory-prod", "PROVISIONED")
    assert (table["deletion_protection_enabled"], table["point_in_time_recovery"]) == (True, {"enabled": True})
    assert table["lifecycle"]["prevent_destroy"] is True
    assert len(prod.resources("aws_appautoscaling_target")) == 2


def test_function_runs_the_bundle_from_its_regions_assets_bucket(prod):
    function = prod.one("aws_lambda_function")
    assert function["function_name"] == "backend-inventory-prod"
    assert function["s3_bucket"] == f'${{{REMOTE}.assets_bucket_names["us-west-2"]}}'
    assert function["s3_key"] == f"${{{REMOTE}.function_bundle_key}}"
    assert function["source_code_hash"] == f"${{{REMOTE}.function_bundle_sha256}}"
    # isolation perInstance (the default): the app's own role, in its own path, under the platform's boundary.
    assert function["role"] == f"${{{prod.address('aws_iam_role', 'execution-role')}.arn}}"
    (role,) = prod.resources("aws_iam_role")  # terraform UI sync: no uploader role
    assert role["name"] == "backend-inventory-prod-function" and role["path"] == "/acme/backend-inventory-prod/"
    assert role["permissions_boundary"] == f"${{{REMOTE}.app_permissions_boundary_arn}}"
    table = prod.address("aws_dynamodb_table", "table")
    assert function["environment"]["variables"] == {
        "TABLE_NAME": f"${{{table}.name}}",
        "ALLOWED_ORIGIN": f"https://${{{REMOTE}.domain_name}}",
        "APP_NAME": "backend-inventory-prod",
        "ACCESS_GROUPS": "backend-inventory-prod-users",
    }


def test_api_trusts_the_platforms_cognito_and_allows_the_shared_origin(dev):
    assert dev.one("aws_apigatewayv2_authorizer")["jwt_configuration"] == {
        "issuer": f"${{{REMOTE}.user_pool_issuer_url}}",
        "audience": [f"${{{REMOTE}.user_pool_client_id}}"],
    }
    assert dev.one("aws_apigatewayv2_api")["cors_configuration"]["allow_origins"] == [
        f"https://${{{REMOTE}.domain_name}}"
    ]
    assert {g["name"] for g in dev.resources("aws_cloudwatch_log_group")} == {
        "/aws/lambda/john-inventory-dev",
        "/aws/vendedlogs/apigateway/john-inventory-dev",
    }
    assert {g["retention_in_days"] for g in dev.resources("aws_cloudwatch_log_group")} == {30}


def test_kubernetes_ui_sync_runs_in_the_instance_namespace_on_the_platform_cluster(dev):
    assert dev.tf["data"]["aws_eks_cluster"]["eks-cluster"] == {
        "name": f"${{{REMOTE}.eks_cluster_name}}",
        "provider": "aws.home",
    }
    assert Testing.to_have_provider(dev.text, "kubernetes")
    account = dev.one("kubernetes_service_account_v1")["metadata"]
    assert (account["name"], account["namespace"]) == (
        "john-inventory-dev-ui-sync",
        "${data.kubernetes_namespace_v1.ui-sync_namespace_B58905A8.metadata[0].name}",
    )
    assert dev.tf["data"]["kubernetes_namespace_v1"]["ui-sync_namespace_B58905A8"]["metadata"] == {"name": "apps"}
    assert account["annotations"] == {
        "eks.amazonaws.com/role-arn": f"${{{dev.address('aws_iam_role', 'ui-uploader-role')}.arn}}"
    }
    assert account["labels"] == {
        "app.kubernetes.io/name": "inventory",
        "app.kubernetes.io/instance": "john-inventory-dev",
        "app.kubernetes.io/managed-by": "serverless-platform-generator",
    }
    assert dev.one("kubernetes_job_v1")["metadata"]["name"].startswith("john-inventory-dev-ui-sync-${substr(sha256(")
    assert not Testing.to_have_resource(dev.text, "aws_s3_object_copy")


def test_terraform_ui_sync_copies_the_template_in_the_home_region(prod):
    copy = prod.one("aws_s3_object_copy")
    assert copy["provider"] == "aws.home"
    assert copy["for_each"] == f"${{toset({REMOTE}.ui_template_files)}}"
    assert copy["key"] == "backend-inventory-prod/${each.value}"
    config = prod.named("aws_s3_object", "config")
    assert (config["key"], config["provider"]) == ("backend-inventory-prod/config.json", "aws.home")
    index = prod.named("aws_s3_object", "index")
    assert (index["key"], index["provider"]) == ("backend-inventory-prod/index.html", "aws.home")
    assert index["content"] == (
        f'${{replace({REMOTE}.ui_template_index_html, "<base href=\\"./\\">", '
        '"<base href=\\"/backend-inventory-prod/\\">")}'
    )
    assert "kubernetes" not in prod.tf["provider"]
    assert not Testing.to_have_resource(prod.text, "kubernetes_job_v1")


def test_config_json_names_the_api_cognito_and_the_apps_prefix(prod):
    content = prod.named("aws_s3_object", "config")["content"]
    for fragment in (
        '"appName" = "inventory"',
        '"environment" = "prod"',
        '"region" = "us-west-2"',
        '"prefix" = "/backend-inventory-prod/"',
        f'"clientId" = {REMOTE}.user_pool_client_id',
        f'"redirectUri" = {REMOTE}.auth_callback_url',
    ):
        assert fragment in content, fragment
    assert content.startswith("${jsonencode({")


def test_outputs(dev):
    outputs = {name: o["value"] for name, o in dev.tf["output"].items()}
    assert sorted(outputs) == ["access_group", "api_endpoint", "app_url", "function_name", "table_name", "ui_prefix"]
    assert outputs["access_group"] == f"${{{dev.address('aws_cognito_user_group', 'access-group')}.name}}"
    assert outputs["app_url"] == f"https://${{{REMOTE}.domain_name}}/john-inventory-dev/"
    assert outputs["ui_prefix"] == "/john-inventory-dev/"


def test_the_function_is_told_every_group_that_may_use_the_app_in_order():
    """``access.groups`` of the YAML follow the app's own group, comma-separated (the handler splits on ``,``)."""
    stack = build(replace(PROD_INSTANCE, access_groups=("inventory-auditors", "support-desk")), ui_sync="terraform")
    variables = stack.one("aws_lambda_function")["environment"]["variables"]
    assert variables["ACCESS_GROUPS"] == "backend-inventory-prod-users,inventory-auditors,support-desk"
