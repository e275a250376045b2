"""Fixtures for the application tests (Lambda handler, CloudFront Function, UI)."""

import sys

import pytest

sys.dont_write_bytecode = True

from app_helpers import ALLOWED_ORIGIN, REGION, TABLE_NAME, create_table, load_lambda_module  # noqa: E402


@pytest.fixture(scope="session")
def lambda_app():
    return load_lambda_module()


@pytest.fixture
def aws_env(monkeypatch):
    """Fake credentials and the Lambda environment the platform sets."""
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "TABLE_NAME": TABLE_NAME,
        "ALLOWED_ORIGIN": ALLOWED_ORIGIN,
        "LOW_STOCK_THRESHOLD": "5",
        "LOG_LEVEL": "INFO",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def table(aws_env, lambda_app):
    """A moto DynamoDB table shaped like the generated one (partition key ``id`` only)."""
    from moto import mock_aws

    with mock_aws():
        lambda_app._TABLE = None  # boto3 objects must be created inside the mock
        create_table()
        yield
        lambda_app._TABLE = None


