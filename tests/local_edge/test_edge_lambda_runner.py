"""The local Lambda runtime: the applied function's zip from the assets bucket, its handler, environment, timeout."""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile

import pytest
from edge_helpers import client, moto_endpoint  # noqa: F401 - fixture

from generator.local.edge.lambda_runner import InvokeError, LambdaRunner

CODE = """
import os, time, boto3
def handler(event, context):
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
