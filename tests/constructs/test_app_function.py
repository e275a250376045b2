"""AppFunction: the app's Lambda function (arm64, Python 3.12, X-Ray, JSON logs) run from the platform's bundle
in S3, and the log group Terraform creates for it. ``memory_mb`` and ``timeout_seconds`` are the optional props.

Synthesized in a bare TerraformStack (see fixtures.py: Testing.synth_scope cannot take a Python callable).
"""

from __future__ import annotations

from dataclasses import replace

from cdktf import Testing
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.lambda_function import LambdaFunction
from fixtures import Synthesized, synth

from modules.app_function import AppFunction, AppFunctionProps

PROPS = AppFunctionProps(
    function_name="john-inventory-dev",
    log_group_name="/aws/lambda/john-inventory-dev",
    log_retention_days=14,
    role_arn="arn:aws:iam::123456789012:role/acme-lambda-execution",
    code_bucket="acme-assets-us-east-2",
    code_key="functions/inventory-0123456789abcdef.zip",
    code_sha256="3q2+7w==",
    environment={"TABLE_NAME": "john-inventory-dev", "ALLOWED_ORIGIN": "https://apps.example.com"},
)
FUNCTION = LambdaFunction.TF_RESOURCE_TYPE


def build(props: AppFunctionProps = PROPS) -> Synthesized:
    return synth(lambda stack: AppFunction(stack, "function", props))


def test_function_runs_the_bundle_from_s3_with_the_given_role_and_environment():
    function = build().one(FUNCTION)
    assert function["function_name"] == "john-inventory-dev"
    assert function["role"] == "arn:aws:iam::123456789012:role/acme-lambda-execution"
    assert (function["runtime"], function["handler"]) == ("python3.12", "app.handler")
    assert function["architectures"] == ["arm64"]
    assert function["s3_bucket"] == "acme-assets-us-east-2"
    assert function["s3_key"] == "functions/inventory-0123456789abcdef.zip"
    assert function["source_code_hash"] == "3q2+7w=="
    assert function["environment"] == {
        "variables": {"TABLE_NAME": "john-inventory-dev", "ALLOWED_ORIGIN": "https://apps.example.com"}
    }
    assert function["tracing_config"] == {"mode": "Active"}


def test_defaults_are_256_mb_and_10_seconds():
    assert Testing.to_have_resource_with_properties(build().text, FUNCTION, {"memory_size": 256, "timeout": 10})


def test_log_group_is_created_first_with_retention_and_receives_json_logs():
    out = build()
    assert Testing.to_have_resource_with_properties(
        out.text,
        CloudwatchLogGroup.TF_RESOURCE_TYPE,
        {"name": "/aws/lambda/john-inventory-dev", "retention_in_days": 14},
    )
    log_group = out.address(CloudwatchLogGroup.TF_RESOURCE_TYPE, "log-group")
    function = out.one(FUNCTION)
    assert function["logging_config"] == {"log_format": "JSON", "log_group": f"${{{log_group}.name}}"}
    assert function["depends_on"] == [log_group]


def test_memory_mb_sets_the_memory_size():
    assert build(replace(PROPS, memory_mb=1024)).one(FUNCTION)["memory_size"] == 1024
    assert build().one(FUNCTION)["memory_size"] != 1024


def test_timeout_seconds_sets_the_timeout():
    assert build(replace(PROPS, timeout_seconds=29)).one(FUNCTION)["timeout"] == 29
    assert build().one(FUNCTION)["timeout"] != 29
