"""The emulator answers an unchanged, repeated Lambda CreateFunction as it answered the first one.

Applying 50 instance workspaces two at a time, the AWS provider sometimes sent a function's create twice
(generator/local/moto_server.py says when). These run moto with our fixes, as ``local up`` does, and send the
same request twice through boto3, whose body for the same arguments is the same bytes. The last test: a missing
table's not-found message in AWS's words.
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from botocore.exceptions import ClientError

TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


@pytest.fixture
def create(emulator_aws, request):
    role = emulator_aws("iam").create_role(
        RoleName=f"r-{request.node.name[:50]}", AssumeRolePolicyDocument=json.dumps(TRUST)
    )
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("app.py", "def handler(event, context):\n    return 1\n")
    name = f"f-{abs(hash(request.node.name)) % 10**8}"

    def send(region: str = "us-east-1", **changes) -> dict:
        spec = {
            "FunctionName": name,
            "Runtime": "python3.12",
            "Role": role["Role"]["Arn"],
            "Handler": "app.handler",
            "Code": {"ZipFile": archive.getvalue()},
            "Description": "first",
        }
        return emulator_aws("lambda", region).create_function(**(spec | changes))

    return send


def conflict(call) -> str:
    with pytest.raises(ClientError) as refused:
        call()
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    return refused.value.response["Error"]["Code"]


def test_the_same_create_again_is_answered_with_the_function(create):
    first = create()
    again = create()
    assert again["FunctionArn"] == first["FunctionArn"]
    assert again["CodeSha256"] == first["CodeSha256"]
    assert again["Description"] == "first"


def test_a_different_create_of_an_existing_function_is_still_a_conflict(create):
    create()
    assert conflict(lambda: create(Description="second")) == "ResourceConflictException"


def test_after_an_update_the_old_create_is_a_conflict(emulator_aws, create):
    name = create()["FunctionName"]
    emulator_aws("lambda").update_function_configuration(FunctionName=name, Description="changed")
    assert conflict(create) == "ResourceConflictException"
    assert emulator_aws("lambda").get_function(FunctionName=name)["Configuration"]["Description"] == "changed"


def test_after_a_code_update_the_old_create_is_a_conflict(emulator_aws, create):
    name = create()["FunctionName"]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("app.py", "def handler(event, context):\n    return 2\n")
    emulator_aws("lambda").update_function_code(FunctionName=name, ZipFile=archive.getvalue())
    assert conflict(create) == "ResourceConflictException"


def test_after_a_delete_the_create_makes_a_new_function(emulator_aws, create):
    name = create()["FunctionName"]
    emulator_aws("lambda").delete_function(FunctionName=name)
    assert create()["FunctionName"] == name
    emulator_aws("lambda").delete_function(FunctionName=name)
    with pytest.raises(ClientError) as gone:
        emulator_aws("lambda").get_function(FunctionName=name)
    assert gone.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_the_same_create_in_another_region_is_its_own_function(create):
    east = create()
    west = create(region="us-west-2")
    assert east["FunctionArn"].split(":")[3] == "us-east-1"
    assert west["FunctionArn"].split(":")[3] == "us-west-2"


def test_a_missing_table_is_named_as_aws_names_it(emulator_aws):
    # The AWS provider treats a DeleteTable's not-found as done only with this wording (moto's own stops at "found").
    for call in (
        lambda: emulator_aws("dynamodb").delete_table(TableName="never-made"),
        lambda: emulator_aws("dynamodb").describe_table(TableName="never-made"),
    ):
        with pytest.raises(ClientError) as refused:
            call()
        assert refused.value.response["Error"] == {
            "Code": "ResourceNotFoundException",
            "Message": "Requested resource not found: Table: never-made not found",
        }
