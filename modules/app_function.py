"""The app's Lambda function, run from the platform's bundle in S3, and its log group."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.lambda_function import LambdaFunction
from constructs import Construct

#: The bundle's entry point (lambda_code/app.py: handler).
HANDLER = "app.handler"
RUNTIME = "python3.12"


@dataclass(frozen=True)
class AppFunctionProps:
    """``code_sha256`` (base64) makes a new bundle redeploy the function even when its key is reused."""

    function_name: str
    log_group_name: str
    log_retention_days: int
    role_arn: str
    code_bucket: str
    code_key: str
    code_sha256: str
    environment: Mapping[str, str]
    memory_mb: int = 256
    timeout_seconds: int = 10


class AppFunction(Construct):
    def __init__(self, scope: Construct, id: str, props: AppFunctionProps):
        super().__init__(scope, id)
        # Created by Terraform (not by Lambda on first run) so retention applies and destroy removes it.
        self.log_group = CloudwatchLogGroup(
            self, "log-group", name=props.log_group_name, retention_in_days=props.log_retention_days
        )
        self.function = LambdaFunction(
            self,
            "function",
            function_name=props.function_name,
            role=props.role_arn,
            runtime=RUNTIME,
            handler=HANDLER,
            architectures=["arm64"],
            memory_size=props.memory_mb,
            timeout=props.timeout_seconds,
            s3_bucket=props.code_bucket,
            s3_key=props.code_key,
            source_code_hash=props.code_sha256,
            environment={"variables": dict(props.environment)},
            logging_config={"log_format": "JSON", "log_group": self.log_group.name},
            # Active tracing: X-Ray samples requests end to end (API Gateway -> Lambda -> DynamoDB).
            tracing_config={"mode": "Active"},
            depends_on=[self.log_group],
        )
