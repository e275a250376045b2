"""The app's HTTP API: Cognito JWT authorizer, Lambda proxy integration, item routes, stage, permission."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_aws.apigatewayv2_api import Apigatewayv2Api
from cdktf_cdktf_provider_aws.apigatewayv2_authorizer import Apigatewayv2Authorizer
from cdktf_cdktf_provider_aws.apigatewayv2_integration import Apigatewayv2Integration
from cdktf_cdktf_provider_aws.apigatewayv2_route import Apigatewayv2Route
from cdktf_cdktf_provider_aws.apigatewayv2_stage import Apigatewayv2Stage
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.lambda_permission import LambdaPermission
from constructs import Construct

#: (construct id, route key): the API of lambda_code/app.py. Ids are Terraform addresses: never rename.
ROUTES = (
    ("route-list-items", "GET /items"),
    ("route-create-item", "POST /items"),
    ("route-get-item", "GET /items/{id}"),
    ("route-update-item", "PUT /items/{id}"),
    ("route-delete-item", "DELETE /items/{id}"),
)
ACCESS_LOG_FORMAT = (
    '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime",'
    '"routeKey":"$context.routeKey","status":"$context.status","responseLength":"$context.responseLength",'
    '"integrationError":"$context.integrationErrorMessage","authorizerError":"$context.authorizer.error",'
    '"user":"$context.authorizer.claims.sub"}'
)


@dataclass(frozen=True)
class AppApiProps:
    """``allowed_origin`` is the one browser origin (the shared domain); issuer/audience come from Cognito."""

    api_name: str
    allowed_origin: str
    jwt_issuer: str
    jwt_audience: str
    function_name: str
    function_invoke_arn: str
    access_log_group_name: str
    log_retention_days: int
    throttle_rate: int = 50
    throttle_burst: int = 100


class AppApi(Construct):
    def __init__(self, scope: Construct, id: str, props: AppApiProps):
        super().__init__(scope, id)
        self.api = Apigatewayv2Api(
            self,
            "api",
            name=props.api_name,
            protocol_type="HTTP",
            cors_configuration={
                "allow_origins": [props.allowed_origin],
                "allow_methods": ["GET", "POST", "PUT", "DELETE", "OPTIONS"],
                "allow_headers": ["authorization", "content-type", "if-match"],
                "expose_headers": ["etag"],
                "max_age": 3600,
            },
        )
        authorizer = Apigatewayv2Authorizer(
            self,
            "authorizer",
            api_id=self.api.id,
            name="cognito",
            authorizer_type="JWT",
            identity_sources=["$request.header.Authorization"],
            jwt_configuration={"issuer": props.jwt_issuer, "audience": [props.jwt_audience]},
        )
        integration = Apigatewayv2Integration(
            self,
            "integration",
            api_id=self.api.id,
            integration_type="AWS_PROXY",
            integration_method="POST",
            integration_uri=props.function_invoke_arn,
            payload_format_version="2.0",
            timeout_milliseconds=10000,
        )
        for route_id, route_key in ROUTES:
            Apigatewayv2Route(
                self,
                route_id,
                api_id=self.api.id,
                route_key=route_key,
                authorization_type="JWT",
                authorizer_id=authorizer.id,
                target=f"integrations/{integration.id}",
            )
        access_logs = CloudwatchLogGroup(
            self, "access-log-group", name=props.access_log_group_name, retention_in_days=props.log_retention_days
        )
        self.stage = Apigatewayv2Stage(
            self,
            "stage",
            api_id=self.api.id,
            name="$default",
            auto_deploy=True,
            access_log_settings={"destination_arn": access_logs.arn, "format": ACCESS_LOG_FORMAT},
            default_route_settings={
                "throttling_rate_limit": props.throttle_rate,
                "throttling_burst_limit": props.throttle_burst,
            },
        )
        # Only this API (any stage, any route) may invoke the function.
        LambdaPermission(
            self,
            "invoke-permission",
            statement_id="AllowHttpApiInvoke",
            action="lambda:InvokeFunction",
            function_name=props.function_name,
            principal="apigateway.amazonaws.com",
            source_arn=f"{self.api.execution_arn}/*/*",
        )
