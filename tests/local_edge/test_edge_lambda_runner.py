"""The local Lambda runtime: the applied function's zip from the assets bucket, its handler, environment, timeout."""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile

import pytest
from edge_helpers import client, moto_endpoint  # noqa: F401 - fixture

from generator.local.edge.lambda_runner import FunctionInfo, InvokeError, LambdaRunner, describe_function

CODE = """
import os, sys, time, boto3
def handler(event, context):
    if event.get("warn"):
        print("a warning on stderr", file=sys.stderr)
    if event.get("sleep"):
        time.sleep(event["sleep"])
    if event.get("fail"):
        raise ValueError("boom")
    print("hello from the function")
    buckets = [b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]]
    return {"table": os.environ["TABLE_NAME"], "region": os.environ["AWS_REGION"], "buckets": buckets,
            "remaining": context.get_remaining_time_in_millis(), "name": context.function_name}
"""


@pytest.fixture(scope="module")
def function(moto_endpoint):
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as bundle:
        bundle.writestr("app.py", CODE)
    s3 = client(moto_endpoint, "s3")
    s3.create_bucket(Bucket="acme-assets-us-east-2", CreateBucketConfiguration={"LocationConstraint": "us-east-2"})
    s3.put_object(Bucket="acme-assets-us-east-2", Key="lambda/app-abc.zip", Body=data.getvalue())
    role = client(moto_endpoint, "iam").create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    created = client(moto_endpoint, "lambda").create_function(
        FunctionName="app-api",
        Runtime="python3.12",
        Role=role,
        Handler="app.handler",
        Timeout=10,  # generous: a cold worker imports boto3 and calls the emulator, slow on a loaded machine
        Code={"S3Bucket": "acme-assets-us-east-2", "S3Key": "lambda/app-abc.zip"},
        Environment={"Variables": {"TABLE_NAME": "items"}},
    )
    assert created["CodeSha256"] == base64.b64encode(hashlib.sha256(data.getvalue()).digest()).decode()
    return created["FunctionArn"]


@pytest.fixture
def runner(moto_endpoint, tmp_path):
    runner = LambdaRunner(endpoint=moto_endpoint, workdir=tmp_path)
    yield runner
    runner.stop()


def test_runs_the_handler_with_its_environment_against_the_emulator(runner, function, tmp_path):
    result = runner.invoke(function, {})
    assert result["table"] == "items" and result["region"] == "us-east-2" and result["name"] == "app-api"
    assert "acme-assets-us-east-2" in result["buckets"] and 0 < result["remaining"] <= 10000
    assert runner.invoke(function, {})["table"] == "items"  # the warm worker again
    log = (tmp_path / "logs" / "lambda-app-api.log").read_text()
    assert log.count("hello from the function") == 2 and "REPORT RequestId:" in log
    assert (next((tmp_path / "edge" / "lambda").iterdir()) / "app.py").is_file()


def test_an_exception_is_an_unhandled_error(runner, function):
    with pytest.raises(InvokeError) as raised:
        runner.invoke(function, {"fail": True})
    assert raised.value.kind == "Unhandled" and raised.value.detail["errorType"] == "ValueError"


def test_the_functions_timeout_and_the_callers(runner, function):
    with pytest.raises(InvokeError) as raised:
        runner.invoke(function, {"sleep": 30})
    assert raised.value.kind == "Timeout"
    with pytest.raises(InvokeError) as raised:
        runner.invoke(function, {"sleep": 5}, max_wait=0.5)
    assert raised.value.kind == "IntegrationTimeout"
    assert runner.invoke(function, {})["table"] == "items"  # a fresh worker after the killed one


def test_what_the_function_writes_to_stderr_goes_to_its_log_too(runner, function, tmp_path):
    runner.invoke(function, {"warn": True})
    assert "a warning on stderr" in (tmp_path / "logs" / "lambda-app-api.log").read_text()


class _Lambda:
    def __init__(self, answer):
        self.answer = answer

    def get_function(self, FunctionName):
        return self.answer


def test_a_function_without_timeout_memory_or_environment_gets_lambdas_defaults():
    """Lambda's defaults: 3 seconds, 128 MB; the zip's S3 key is read from the code location's URL (moto's form)."""
    arn = "arn:aws:lambda:eu-west-1:000000000000:function:app-api"
    answer = {
        "Configuration": {"FunctionName": "app-api", "FunctionArn": arn},
        "Code": {
            "RepositoryType": "S3",
            "Location": "https://awslambda-eu-west-1-tasks.s3.eu-west-1.amazonaws.com/lambda/app-abc.zip",
        },
    }
    assert describe_function(_Lambda(answer), "app-api") == FunctionInfo(
        name="app-api",
        arn=arn,
        region="eu-west-1",
        handler="",
        runtime="",
        timeout=3,
        memory=128,
        environment={},
        code_sha256="",
        s3_key="lambda/app-abc.zip",
    )
