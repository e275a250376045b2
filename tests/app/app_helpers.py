"""Helpers and fixtures shared by the application tests: paths, the Lambda loader,
payload-2.0 events, the moto table.

Deliberately not a ``conftest.py``: with pytest's default import mode every
conftest is imported as the top-level module ``conftest``, and other tests in the
repository import helpers from theirs by that name. Test files import what they
need from here (fixtures included).
"""

import base64
import importlib.util
import json
import sys
import uuid
from pathlib import Path

import pytest

# lambda_code/ is zipped and hashed by the platform: never leave __pycache__ in it.
sys.dont_write_bytecode = True

REPO = Path(__file__).resolve().parents[2]
LAMBDA_DIR = REPO / "lambda_code"
UI_DIR = REPO / "ui"
CF_FUNCTION = REPO / "cloudfront_function" / "viewer_request.js"

TABLE_NAME = "john-inventory-dev-items"
ALLOWED_ORIGIN = "https://apps.example.com"
REGION = "us-east-2"
APP_NAME = "john-inventory-dev"
#: The app's own Cognito group, as the generator sets it in ACCESS_GROUPS.
ACCESS_GROUP = "john-inventory-dev-users"


def load_lambda_module():
    # Named after its path (not registered in sys.modules): mutmut's trampolines record hits by module name.
    spec = importlib.util.spec_from_file_location("lambda_code.app", LAMBDA_DIR / "app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def create_table(region=REGION, name=TABLE_NAME, client=None):
    import boto3

    client = client or boto3.client("dynamodb", region_name=region)
    client.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return client


CLAIMS = {
    "sub": "7d8ca528-4931-4254-9273-ea5ee853f271",
    "email": "jane@example.com",
    "email_verified": "true",
    "cognito:username": "jane",
    "iss": "https://cognito-idp.us-east-2.amazonaws.com/us-east-2_AbC",
    "aud": "3n4b5urk1ft4fl3mg5e62d9ado",
    "token_use": "id",
    "auth_time": "1700000000",
    "exp": "1700003600",
    "iat": "1700000000",
    # The handler fails closed without the app's group: an array claim as the HTTP API JWT authorizer hands it over.
    "cognito:groups": f"[{ACCESS_GROUP}]",
}


def http_event(method, path, body=None, headers=None, query=None, claims=None, base64_body=False):
    """An API Gateway HTTP API payload 2.0 event, as the JWT-authorized route delivers it."""
    route_path = "/items/{id}" if path.startswith("/items/") else path
    path_parameters = {"id": path.split("/", 2)[2]} if path.startswith("/items/") else None
    all_headers = {
        "accept": "application/json",
        "authorization": "Bearer eyJraWQiOiJ0ZXN0In0.eyJzdWIiOiJ0ZXN0In0.sig",
        "content-type": "application/json",
        "host": "abc123.execute-api.us-east-2.amazonaws.com",
        "origin": ALLOWED_ORIGIN,
        "user-agent": "pytest",
        "x-forwarded-for": "203.0.113.7",
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
    }
    all_headers.update({k.lower(): v for k, v in (headers or {}).items()})
    raw_body = None
    if body is not None:
        raw_body = body if isinstance(body, str) else json.dumps(body)
        if base64_body:
            raw_body = base64.b64encode(raw_body.encode()).decode()
    query = query or None
    event = {
        "version": "2.0",
        "routeKey": f"{method} {route_path}",
        "rawPath": path,
        "rawQueryString": "&".join(f"{k}={v}" for k, v in (query or {}).items()),
        "headers": all_headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "authorizer": {"jwt": {"claims": dict(claims or CLAIMS), "scopes": None}},
            "domainName": "abc123.execute-api.us-east-2.amazonaws.com",
            "domainPrefix": "abc123",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.7",
                "userAgent": "pytest",
            },
            "requestId": "Kx1" + uuid.uuid4().hex[:10],
            "routeKey": f"{method} {route_path}",
            "stage": "$default",
            "time": "12/Mar/2024:19:03:58 +0000",
            "timeEpoch": 1710270238000,
        },
        "isBase64Encoded": base64_body,
    }
    if query:
        event["queryStringParameters"] = dict(query)
    if path_parameters:
        event["pathParameters"] = path_parameters
    if raw_body is not None:
        event["body"] = raw_body
    return event


class FakeContext:
    function_name = "john-inventory-dev-api"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-2:123456789012:function:john-inventory-dev-api"

    def __init__(self):
        self.aws_request_id = str(uuid.uuid4())

    @staticmethod
    def get_remaining_time_in_millis():
        return 30000


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def lambda_app():
    return load_lambda_module()


@pytest.fixture
def aws_env(monkeypatch):
    """Fake credentials and the Lambda environment the platform sets (ACCESS_GROUPS included)."""
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "TABLE_NAME": TABLE_NAME,
        "ALLOWED_ORIGIN": ALLOWED_ORIGIN,
        "APP_NAME": APP_NAME,
        "ACCESS_GROUPS": ACCESS_GROUP,
        "LOW_STOCK_THRESHOLD": "5",
        "LOG_LEVEL": "INFO",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture(scope="module")
def moto_dynamodb():
    """moto, started once per test module, and one DynamoDB client inside it.

    Starting moto and its first request cost 0.3-1 s; a table costs ~20 ms. The tests of one module share the
    mock, each with its own fresh table (``table``), so the handler tests run in seconds, not a minute (which
    the mutation runs of tools/mutate_python.py, repeating them per mutant, need).
    """
    import boto3
    from moto import mock_aws

    with mock_aws():
        yield boto3.client("dynamodb", region_name=REGION)


@pytest.fixture
def table(aws_env, lambda_app, moto_dynamodb):
    """A fresh moto DynamoDB table shaped like the generated one (partition key ``id`` only), empty."""
    lambda_app._TABLE = None  # boto3 objects must be created inside the mock
    create_table(client=moto_dynamodb)
    yield
    moto_dynamodb.delete_table(TableName=TABLE_NAME)
    lambda_app._TABLE = None
