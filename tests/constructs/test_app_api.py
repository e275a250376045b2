"""AppApi: the app's HTTP API. Every item route requires the Cognito JWT authorizer (issuer and audience from
the props), CORS allows only the shared domain, the Lambda proxy integration uses payload 2.0, the $default
stage writes JSON access logs and is throttled, and only this API may invoke the function.
``throttle_rate`` and ``throttle_burst`` are the optional props.

Synthesized in a bare TerraformStack (see fixtures.py: Testing.synth_scope cannot take a Python callable).
"""

from __future__ import annotations

import json
from dataclasses import replace

from cdktf import Testing
from cdktf_cdktf_provider_aws.apigatewayv2_api import Apigatewayv2Api
from cdktf_cdktf_provider_aws.apigatewayv2_authorizer import Apigatewayv2Authorizer
from cdktf_cdktf_provider_aws.apigatewayv2_integration import Apigatewayv2Integration
from cdktf_cdktf_provider_aws.apigatewayv2_route import Apigatewayv2Route
from cdktf_cdktf_provider_aws.apigatewayv2_stage import Apigatewayv2Stage
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.lambda_permission import LambdaPermission
from fixtures import Synthesized, synth

from modules.app_api import AppApi, AppApiProps

PROPS = AppApiProps(
    api_name="john-inventory-dev-api",
    allowed_origin="https://apps.example.com",
    jwt_issuer="https://cognito-idp.us-east-2.amazonaws.com/us-east-2_AbCdEf123",
    jwt_audience="1example23clientid",
    function_name="john-inventory-dev",
    function_invoke_arn="arn:aws:apigateway:us-east-2:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-2:"
    "123456789012:function:john-inventory-dev/invocations",
    access_log_group_name="/aws/http-api/john-inventory-dev",
    log_retention_days=14,
)
STAGE = Apigatewayv2Stage.TF_RESOURCE_TYPE


def build(props: AppApiProps = PROPS) -> Synthesized:
    return synth(lambda stack: AppApi(stack, "api", props))


def test_api_is_http_with_cors_for_the_shared_domain_only():
    api = build().one(Apigatewayv2Api.TF_RESOURCE_TYPE)
    assert (api["name"], api["protocol_type"]) == ("john-inventory-dev-api", "HTTP")
    assert api["cors_configuration"] == {
        "allow_origins": ["https://apps.example.com"],
        "allow_methods": ["GET", "POST", "PUT", "DELETE", "OPTIONS"],
        "allow_headers": ["authorization", "content-type", "if-match"],
        "expose_headers": ["etag"],
        "max_age": 3600,
    }


def test_authorizer_checks_the_cognito_issuer_and_the_spa_client_audience():
    out = build()
    authorizer = out.one(Apigatewayv2Authorizer.TF_RESOURCE_TYPE)
    assert authorizer["authorizer_type"] == "JWT"
    assert authorizer["identity_sources"] == ["$request.header.Authorization"]
    assert authorizer["jwt_configuration"] == {
        "issuer": "https://cognito-idp.us-east-2.amazonaws.com/us-east-2_AbCdEf123",
        "audience": ["1example23clientid"],
    }
    assert authorizer["api_id"] == f"${{{out.address(Apigatewayv2Api.TF_RESOURCE_TYPE, 'api')}.id}}"


def test_every_item_route_requires_the_jwt_authorizer_and_targets_the_integration():
    out = build()
    authorizer = out.address(Apigatewayv2Authorizer.TF_RESOURCE_TYPE, "authorizer")
    integration = out.address(Apigatewayv2Integration.TF_RESOURCE_TYPE, "integration")
    routes = out.resources(Apigatewayv2Route.TF_RESOURCE_TYPE)
    assert sorted(r["route_key"] for r in routes) == [
        "DELETE /items/{id}",
        "GET /items",
        "GET /items/{id}",
        "POST /items",
        "PUT /items/{id}",
    ]
    for route in routes:
        assert route["authorization_type"] == "JWT"
        assert route["authorizer_id"] == f"${{{authorizer}.id}}"
        assert route["target"] == f"integrations/${{{integration}.id}}"


def test_integration_is_a_lambda_proxy_with_payload_2():
    assert Testing.to_have_resource_with_properties(
        build().text,
        Apigatewayv2Integration.TF_RESOURCE_TYPE,
        {
            "integration_type": "AWS_PROXY",
            "integration_method": "POST",
            "payload_format_version": "2.0",
            "timeout_milliseconds": 10000,
            "integration_uri": PROPS.function_invoke_arn,
        },
    )


def test_default_stage_auto_deploys_and_writes_json_access_logs():
    out = build()
    stage = out.one(STAGE)
    assert (stage["name"], stage["auto_deploy"]) == ("$default", True)
    log_group = out.address(CloudwatchLogGroup.TF_RESOURCE_TYPE, "access-log-group")
    assert stage["access_log_settings"]["destination_arn"] == f"${{{log_group}.arn}}"
    fields = json.loads(stage["access_log_settings"]["format"])
    assert fields == {
        "requestId": "$context.requestId",
        "ip": "$context.identity.sourceIp",
        "requestTime": "$context.requestTime",
        "routeKey": "$context.routeKey",
        "status": "$context.status",
        "responseLength": "$context.responseLength",
        "integrationError": "$context.integrationErrorMessage",
        "authorizerError": "$context.authorizer.error",
        "user": "$context.authorizer.claims.sub",
    }
    assert Testing.to_have_resource_with_properties(
        out.text,
        CloudwatchLogGroup.TF_RESOURCE_TYPE,
        {"name": "/aws/http-api/john-inventory-dev", "retention_in_days": 14},
    )


def test_default_throttling_is_50_per_second_burst_100():
    assert build().one(STAGE)["default_route_settings"] == {"throttling_rate_limit": 50, "throttling_burst_limit": 100}


def test_throttle_rate_sets_the_rate_limit():
    settings = build(replace(PROPS, throttle_rate=7)).one(STAGE)["default_route_settings"]
    assert settings == {"throttling_rate_limit": 7, "throttling_burst_limit": 100}


def test_throttle_burst_sets_the_burst_limit():
    settings = build(replace(PROPS, throttle_burst=9)).one(STAGE)["default_route_settings"]
    assert settings == {"throttling_rate_limit": 50, "throttling_burst_limit": 9}


def test_only_this_api_may_invoke_the_function():
    out = build()
    permission = out.one(LambdaPermission.TF_RESOURCE_TYPE)
    api = out.address(Apigatewayv2Api.TF_RESOURCE_TYPE, "api")
    assert permission == {
        "statement_id": "AllowHttpApiInvoke",
        "action": "lambda:InvokeFunction",
        "function_name": "john-inventory-dev",
        "principal": "apigateway.amazonaws.com",
        "source_arn": f"${{{api}.execution_arn}}/*/*",
    }
