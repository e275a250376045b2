"""discover.py: what was applied, read back through the AWS APIs of a moto server (and of scripted answers where
moto cannot give the case: a field left out, a function association kept, a custom response headers policy)."""

from __future__ import annotations

import io
import uuid
from dataclasses import replace

import pytest
import requests
from edge_helpers import client, moto_endpoint  # noqa: F401 - fixture

from generator.local.edge import discover as discover_module
from generator.local.edge.apigw import Cors, HttpApi, Integration, Route
from generator.local.edge.discover import (
    Applied,
    Behavior,
    Site,
    _apis,
    _pools,
    _site,
    app_prefixes,
    clients,
    discover,
    jwks_fetcher,
    regions,
)
from generator.local.edge.hosted_ui import PoolClient, UserPoolInfo
from generator.local.edge.response_headers import MANAGED, HeaderRule

LAMBDA = "arn:aws:lambda:eu-west-1:123456789012:function:orders"


@pytest.fixture
def endpoint(moto_endpoint):
    """The module's moto server, emptied: each test reads back only what it applied."""
    requests.post(f"{moto_endpoint}/moto-api/reset", timeout=10)
    return moto_endpoint


class Fake:
    """A ``client(service, region)`` answering from a script: {(service, region): {operation: answer}}.

    An answer is a value, or a callable of the call's keyword arguments; an Exception answer is raised."""

    def __init__(self, script):
        self.script = script
        self.calls = []

    def __call__(self, service, region="us-east-1"):
        fake = self

        class Service:
            def __getattr__(self, operation):
                def call(*args, **kwargs):
                    fake.calls.append((service, region, operation, {"args": args, **kwargs} if args else kwargs))
                    answer = fake.script[(service, region)][operation]
                    answer = answer(*args, **kwargs) if callable(answer) else answer
                    if isinstance(answer, Exception):
                        raise answer
                    return answer

                return call

        return Service()


class Answer(io.BytesIO):
    """An HTTP answer as urlopen gives it (a context manager)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def stripped(apis):
    """The APIs with their authorizers as (issuer, audiences): a JWKS fetcher compares by identity."""
    return [
        (
            HttpApi(**{**api.__dict__, "authorizers": {}}),
            {i: (a.issuer, a.audiences) for i, a in api.authorizers.items()},
        )
        for api in apis
    ]


# --- HTTP APIs ---------------------------------------------------------------------------------------------------


def test_the_http_apis_of_every_region_are_read_back_with_routes_integrations_authorizers_and_cors(endpoint):
    west, east = client(endpoint, "apigatewayv2", "eu-west-1"), client(endpoint, "apigatewayv2", "us-east-1")
    west.create_api(Name="chat", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action")
    orders = west.create_api(
        Name="orders",
        ProtocolType="HTTP",
        CorsConfiguration={
            "AllowOrigins": ["https://apps.example.com"],
            "AllowMethods": ["GET", "POST"],
            "AllowHeaders": ["authorization"],
            "ExposeHeaders": ["x-request-id"],
            "MaxAge": 300,
            "AllowCredentials": True,
        },
    )["ApiId"]
    lambda_v1 = west.create_integration(
        ApiId=orders,
        IntegrationType="AWS_PROXY",
        IntegrationUri=LAMBDA,
        PayloadFormatVersion="1.0",
        TimeoutInMillis=5000,
    )["IntegrationId"]
    lambda_v2 = west.create_integration(ApiId=orders, IntegrationType="AWS_PROXY", IntegrationUri=LAMBDA)[
        "IntegrationId"
    ]
    jwt = west.create_authorizer(
        ApiId=orders,
        AuthorizerType="JWT",
        IdentitySource=["$request.header.Authorization"],
        Name="cognito",
        JwtConfiguration={"Issuer": "https://issuer.example.com/pool", "Audience": ["client-1", "client-2"]},
    )["AuthorizerId"]
    lambda_authorizer = west.create_authorizer(
        ApiId=orders,
        AuthorizerType="REQUEST",
        IdentitySource=["$request.header.Authorization"],
        Name="custom",
        AuthorizerUri=f"arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/{LAMBDA}/invocations",
        AuthorizerPayloadFormatVersion="2.0",
    )["AuthorizerId"]
    west.create_route(
        ApiId=orders,
        RouteKey="GET /orders",
        Target=f"integrations/{lambda_v1}",
        AuthorizationType="JWT",
        AuthorizerId=jwt,
        AuthorizationScopes=["orders/read", "openid"],
    )
    west.create_route(ApiId=orders, RouteKey="POST /orders", Target=f"integrations/{lambda_v2}")
    west.create_route(ApiId=orders, RouteKey="GET /custom", AuthorizationType="CUSTOM", AuthorizerId=lambda_authorizer)
    status = east.create_api(Name="status", ProtocolType="HTTP")["ApiId"]
    east.create_route(ApiId=status, RouteKey="$default")

    apis = _apis(clients(endpoint), endpoint, "123456789012", ["eu-west-1", "us-east-1"])

    assert stripped(apis) == [
        (
            HttpApi(
                api_id=orders,
                name="orders",
                region="eu-west-1",
                account_id="123456789012",
                endpoint=f"https://{orders}.execute-api.eu-west-1.amazonaws.com",
                routes=[
                    Route("GET /orders", f"integrations/{lambda_v1}", "JWT", jwt, ("orders/read", "openid")),
                    Route("POST /orders", f"integrations/{lambda_v2}", "NONE", None, ()),
                    Route("GET /custom", None, "CUSTOM", lambda_authorizer, ()),
                ],
                integrations={
                    lambda_v1: Integration(lambda_v1, "AWS_PROXY", LAMBDA, "1.0", 5000),
                    lambda_v2: Integration(lambda_v2, "AWS_PROXY", LAMBDA, "2.0", 30000),
                },
                authorizers={},
                cors=Cors(
                    allow_origins=("https://apps.example.com",),
                    allow_methods=("GET", "POST"),
                    allow_headers=("authorization",),
                    expose_headers=("x-request-id",),
                    max_age=300,
                    allow_credentials=True,
                ),
            ),
            {jwt: ("https://issuer.example.com/pool", ("client-1", "client-2"))},
        ),
        (
            HttpApi(
                api_id=status,
                name="status",
                region="us-east-1",
                account_id="123456789012",
                endpoint=f"https://{status}.execute-api.us-east-1.amazonaws.com",
                routes=[Route("$default", None, "NONE", None, ())],
                integrations={},
                authorizers={},
                cors=None,
            ),
            {},
        ),
    ]


def test_an_api_answer_without_the_optional_fields_gets_api_gateways_defaults():
    fake = Fake(
        {
            ("apigatewayv2", "eu-west-1"): {
                "get_apis": {"Items": [{"ApiId": "a1", "ProtocolType": "HTTP", "CorsConfiguration": {}}]},
                "get_routes": {"Items": [{"RouteKey": "GET /", "AuthorizationScopes": None}]},
                "get_integrations": {"Items": [{"IntegrationId": "i1"}]},
            },
            ("apigatewayv2", "us-east-1"): {
                "get_apis": {
                    "Items": [
                        {"ApiId": "b2", "ProtocolType": "HTTP", "ApiEndpoint": "", "CorsConfiguration": {"MaxAge": 0}}
                    ]
                },
                "get_routes": {},
                "get_integrations": {},
            },
        }
    )

    apis = _apis(fake, "http://emulator", "123456789012", ["eu-west-1", "us-east-1"])

    assert apis == [
        HttpApi(
            api_id="a1",
            name="a1",
            region="eu-west-1",
            account_id="123456789012",
            endpoint="https://a1.execute-api.eu-west-1.amazonaws.com",
            routes=[Route("GET /", None, "NONE", None, ())],
            integrations={"i1": Integration("i1", "", "", "2.0", 30000)},
            authorizers={},
            cors=None,
        ),
        HttpApi(
            api_id="b2",
            name="b2",
            region="us-east-1",
            account_id="123456789012",
            endpoint="https://b2.execute-api.us-east-1.amazonaws.com",
            routes=[],
            integrations={},
            authorizers={},
            cors=Cors((), (), (), (), 0, False),
        ),
    ]
    assert [(c[0], c[1], c[2], c[3]) for c in fake.calls] == [
        ("apigatewayv2", "eu-west-1", "get_apis", {}),
        ("apigatewayv2", "eu-west-1", "get_routes", {"ApiId": "a1"}),
        ("apigatewayv2", "eu-west-1", "get_integrations", {"ApiId": "a1"}),
        ("apigatewayv2", "us-east-1", "get_apis", {}),
        ("apigatewayv2", "us-east-1", "get_routes", {"ApiId": "b2"}),
        ("apigatewayv2", "us-east-1", "get_integrations", {"ApiId": "b2"}),
    ]


def test_an_api_answer_without_items_is_no_api():
    fake = Fake({("apigatewayv2", "eu-west-1"): {"get_apis": {}}})

    assert _apis(fake, "http://emulator", "123456789012", ["eu-west-1"]) == []


def test_only_jwt_authorizers_are_kept_and_one_without_audience_has_none(monkeypatch):
    fake = Fake(
        {
            ("apigatewayv2", "eu-west-1"): {
                "get_apis": {
                    "Items": [
                        {
                            "ApiId": "a1",
                            "Name": "orders",
                            "ProtocolType": "HTTP",
                            "ApiEndpoint": "https://a1.execute-api.eu-west-1.api.aws",
                        }
                    ]
                },
                "get_routes": {
                    "Items": [
                        {"RouteKey": "GET /a", "AuthorizationType": "JWT", "AuthorizerId": "jwt1"},
                        {"RouteKey": "GET /b", "AuthorizationType": "JWT", "AuthorizerId": "jwt1"},
                        {"RouteKey": "GET /c", "AuthorizationType": "CUSTOM", "AuthorizerId": "lambda1"},
                    ]
                },
                "get_integrations": {"Items": []},
                "get_authorizer": lambda ApiId, AuthorizerId: {
                    "jwt1": {
                        "AuthorizerType": "JWT",
                        "JwtConfiguration": {"Issuer": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool"},
                    },
                    "lambda1": {"AuthorizerType": "REQUEST", "AuthorizerUri": "arn:..."},
                }[AuthorizerId],
            },
        }
    )
    fetched = []

    def urlopen(url, timeout):
        fetched.append((url, timeout))
        return Answer(b'{"keys": [{"kid": "k1"}]}')

    monkeypatch.setattr(discover_module.urllib.request, "urlopen", urlopen)

    [api] = _apis(fake, "http://emulator:4566", "123456789012", ["eu-west-1"])

    assert sorted(c[3]["AuthorizerId"] for c in fake.calls if c[2] == "get_authorizer") == ["jwt1", "lambda1"]
    assert [c[3]["ApiId"] for c in fake.calls if c[2] == "get_authorizer"] == ["a1", "a1"]
    assert (api.name, api.endpoint) == ("orders", "https://a1.execute-api.eu-west-1.api.aws")  # as answered
    assert list(api.authorizers) == ["jwt1"]
    authorizer = api.authorizers["jwt1"]
    assert (authorizer.issuer, authorizer.audiences) == (
        "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool",
        (),
    )
    assert authorizer.jwks() == {"keys": [{"kid": "k1"}]}
    assert fetched == [("http://emulator:4566/eu-west-1_Pool/.well-known/jwks.json", 5)]


# --- JWKS ----------------------------------------------------------------------------------------------------------


def test_a_cognito_issuers_jwks_is_fetched_from_the_emulator_once(monkeypatch):
    fetched = []

    def urlopen(url, timeout):
        fetched.append((url, timeout))
        return Answer(b'{"keys": [{"kid": "k1"}]}')

    monkeypatch.setattr(discover_module.urllib.request, "urlopen", urlopen)
    fetch = jwks_fetcher("http://127.0.0.1:5000", "https://cognito-idp.us-east-2.amazonaws.com/us-east-2_Abc")

    assert fetch() == {"keys": [{"kid": "k1"}]}
    assert fetch() == {"keys": [{"kid": "k1"}]}
    assert fetched == [("http://127.0.0.1:5000/us-east-2_Abc/.well-known/jwks.json", 5)]


@pytest.mark.parametrize(
    "issuer",
    [
        "https://login.example.com/realm/",
        "https://login.example.com/realm",
        "https://login.example.com/realmX/",
        "https://cognito-idp.us-east-2.example.com/realm",  # not Cognito's host
        "https://auth.example.com/cognito-idp.us-east-2.amazonaws.com/realm",
    ],
)
def test_any_other_issuers_jwks_is_fetched_from_the_issuer(monkeypatch, issuer):
    fetched = []

    def urlopen(url, timeout):
        fetched.append((url, timeout))
        return Answer(b'{"keys": []}')

    monkeypatch.setattr(discover_module.urllib.request, "urlopen", urlopen)

    assert jwks_fetcher("http://127.0.0.1:5000", issuer)() == {"keys": []}
    assert jwks_fetcher("http://127.0.0.1:5000", issuer)() == {"keys": []}
    assert fetched == [(issuer.rstrip("/") + "/.well-known/jwks.json", 5)] * 2


# --- the site (CloudFront) -----------------------------------------------------------------------------------------

SECURITY = "67f7725c-6f97-4210-82d7-5512b31e9d03"  # Managed-SecurityHeadersPolicy
CORS = "60669652-455b-4ae9-85a4-c4c02393f86c"  # Managed-SimpleCORS
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
SECURITY_RULES = (
    HeaderRule("Strict-Transport-Security", "max-age=31536000"),
    HeaderRule("X-Content-Type-Options", "nosniff"),
    HeaderRule("X-Frame-Options", "SAMEORIGIN"),
    HeaderRule("Referrer-Policy", "strict-origin-when-cross-origin"),
    HeaderRule("X-XSS-Protection", "1; mode=block"),
)


def test_the_managed_policies_rules_are_the_ones_aws_documents():
    assert {SECURITY: SECURITY_RULES, CORS: (HeaderRule("Access-Control-Allow-Origin", "*"),)} == MANAGED


def cache_behavior(**fields):
    return {
        "TargetOriginId": "ui",
        "ViewerProtocolPolicy": "redirect-to-https",
        "CachePolicyId": CACHING_OPTIMIZED,
        **fields,
    }


def create_site(endpoint, origin_path="/live"):
    """A UI bucket in eu-west-1, a log bucket in us-west-2 and a distribution in front of the UI bucket."""
    s3w = client(endpoint, "s3", "eu-west-1")
    s3w.create_bucket(Bucket="acme-ui", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    client(endpoint, "s3", "us-west-2").create_bucket(
        Bucket="acme-logs", CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
    )
    cloudfront = client(endpoint, "cloudfront", "us-east-1")
    function = cloudfront.create_function(
        Name="acme-viewer-request",
        FunctionConfig={"Comment": "", "Runtime": "cloudfront-js-2.0"},
        FunctionCode=b"function handler(event) { return event.request; }",
    )["FunctionSummary"]["FunctionMetadata"]["FunctionARN"]
    association = {"Quantity": 1, "Items": [{"FunctionARN": function, "EventType": "viewer-request"}]}
    methods = {
        "Quantity": 3,
        "Items": ["GET", "HEAD", "OPTIONS"],
        "CachedMethods": {"Quantity": 2, "Items": ["GET", "HEAD"]},
    }
    distribution = cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": str(uuid.uuid4()),
            "Aliases": {"Quantity": 2, "Items": ["apps.example.com", "www.apps.example.com"]},
            "DefaultRootObject": "index.html",
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "ui",
                        "DomainName": "acme-ui.s3.eu-west-1.amazonaws.com",
                        "OriginPath": origin_path,
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    }
                ],
            },
            "CacheBehaviors": {
                "Quantity": 2,
                "Items": [
                    cache_behavior(
                        PathPattern="/orders/*",
                        ResponseHeadersPolicyId=CORS,
                        AllowedMethods=methods,
                        FunctionAssociations=association,
                    ),
                    cache_behavior(PathPattern="/static/*", ResponseHeadersPolicyId=SECURITY),
                ],
            },
            "DefaultCacheBehavior": cache_behavior(ResponseHeadersPolicyId=SECURITY, FunctionAssociations=association),
            "CustomErrorResponses": {
                "Quantity": 2,
                "Items": [
                    {
                        "ErrorCode": 403,
                        "ResponsePagePath": "/index.html",
                        "ResponseCode": "200",
                        "ErrorCachingMinTTL": 0,
                    },
                    {
                        "ErrorCode": 404,
                        "ResponsePagePath": "/404.html",
                        "ResponseCode": "404",
                        "ErrorCachingMinTTL": 10,
                    },
                ],
            },
            "Comment": "",
            "Enabled": True,
        }
    )["Distribution"]
    return distribution["Id"], s3w


def site_as_created(distribution_id: str, origin_path: str) -> Site:
    """What ``create_site`` applied, written out: the viewer function is the account's only one (moto drops the
    associations), the behaviours in order with the default last."""
    return Site(
        distribution_id=distribution_id,
        domain="apps.example.com",
        bucket="acme-ui",
        bucket_region="eu-west-1",
        origin_path=origin_path,
        default_root_object="index.html",
        behaviors=(
            Behavior("/orders/*", CORS, CACHING_OPTIMIZED, ("GET", "HEAD", "OPTIONS"), None, MANAGED[CORS]),
            Behavior("/static/*", SECURITY, CACHING_OPTIMIZED, ("HEAD", "GET"), None, SECURITY_RULES),
            Behavior("*", SECURITY, CACHING_OPTIMIZED, ("HEAD", "GET"), None, SECURITY_RULES),
        ),
        function_name="acme-viewer-request",
        function_code="function handler(event) { return event.request; }",
        error_responses=(
            {"ErrorCode": 403, "ResponsePagePath": "/index.html", "ResponseCode": "200", "ErrorCachingMinTTL": 0},
            {"ErrorCode": 404, "ResponsePagePath": "/404.html", "ResponseCode": "404", "ErrorCachingMinTTL": 10},
        ),
    )


def test_the_site_is_read_back_from_the_emulator(endpoint):
    """moto drops the function associations: the viewer function is then the account's only one (DEVELOPMENT)."""
    distribution_id, _ = create_site(endpoint)

    site = _site(clients(endpoint))

    assert site == site_as_created(distribution_id, origin_path="/live")


def test_no_distribution_is_no_site(endpoint):
    assert _site(clients(endpoint)) is None


class Body(io.BytesIO):
    """A function's code as boto3 answers it (a stream)."""


CUSTOM_POLICY = {
    "ResponseHeadersPolicy": {
        "Id": "custom-1",
        "ResponseHeadersPolicyConfig": {
            "Name": "acme-security-headers",
            "SecurityHeadersConfig": {"FrameOptions": {"Override": True, "FrameOption": "DENY"}},
        },
    }
}
VIEWER = "arn:aws:cloudfront::123456789012:function/acme-viewer-request"


def test_a_kept_function_association_names_the_viewer_function_and_its_live_code_and_a_custom_policy_is_read():
    fake = Fake(
        {
            ("cloudfront", "us-east-1"): {
                "list_distributions": {
                    "DistributionList": {
                        "Items": [
                            {"Id": "E1", "DomainName": "d1.cloudfront.net"},
                            {"Id": "E2", "DomainName": "d2.cloudfront.net"},
                        ]
                    }
                },
                "get_distribution_config": {
                    "DistributionConfig": {
                        "Aliases": {"Quantity": 0},
                        "Origins": {"Items": [{"Id": "ui", "DomainName": "acme-ui.s3.amazonaws.com"}]},
                        "CacheBehaviors": {
                            "Items": [
                                {
                                    "PathPattern": "/a/*",
                                    "ResponseHeadersPolicyId": "custom-1",
                                    "FunctionAssociations": {
                                        "Items": [
                                            {"FunctionARN": "arn:other", "EventType": "viewer-response"},
                                            {"FunctionARN": VIEWER, "EventType": "viewer-request"},
                                            {"FunctionARN": VIEWER + "-2", "EventType": "viewer-request"},
                                        ]
                                    },
                                },
                                {"PathPattern": "/b/*", "FunctionAssociations": {"Items": None}},
                            ]
                        },
                        "DefaultCacheBehavior": {
                            "ResponseHeadersPolicyId": "custom-1",
                            "CachePolicyId": CACHING_OPTIMIZED,
                            "AllowedMethods": {"Items": ["GET", "HEAD", "OPTIONS"]},
                            "FunctionAssociations": {
                                "Items": [{"FunctionARN": "arn:x", "EventType": "origin-request"}]
                            },
                        },
                    }
                },
                "get_response_headers_policy": CUSTOM_POLICY,
                "get_function": lambda Name, Stage: {"FunctionCode": Body(f"{Name}@{Stage}".encode())},
            }
        }
    )

    site = _site(fake)

    assert site == Site(
        distribution_id="E1",
        domain="d1.cloudfront.net",
        bucket="acme-ui",
        bucket_region="us-east-1",
        origin_path="",
        default_root_object="",
        behaviors=(
            Behavior("/a/*", "custom-1", "", ("GET", "HEAD"), VIEWER, (HeaderRule("X-Frame-Options", "DENY", True),)),
            Behavior("/b/*", "", "", ("GET", "HEAD"), None, ()),
            Behavior(
                "*",
                "custom-1",
                CACHING_OPTIMIZED,
                ("GET", "HEAD", "OPTIONS"),
                None,
                (HeaderRule("X-Frame-Options", "DENY", True),),
            ),
        ),
        function_name="acme-viewer-request",
        function_code="acme-viewer-request@LIVE",
        error_responses=(),
    )
    assert [(c[2], c[3]) for c in fake.calls] == [
        ("list_distributions", {}),
        ("get_distribution_config", {"Id": "E1"}),
        ("get_response_headers_policy", {"Id": "custom-1"}),
        ("get_function", {"Name": "acme-viewer-request", "Stage": "LIVE"}),
    ]


def test_a_viewer_function_not_published_is_read_from_its_development_stage():
    def get_function(Name, Stage):
        if Stage == "LIVE":
            return RuntimeError("NoSuchFunctionExists")
        return {"FunctionCode": Body(f"{Name}@{Stage}".encode())}

    fake = Fake(
        {
            ("cloudfront", "us-east-1"): {
                "list_distributions": {
                    "DistributionList": {"Items": [{"Id": "E1", "DomainName": "d1.cloudfront.net"}]}
                },
                "get_distribution_config": {
                    "DistributionConfig": {
                        "Aliases": {"Items": ["apps.example.com"]},
                        "Origins": {
                            "Items": [{"DomainName": "acme-ui.s3.us-west-2.amazonaws.com", "OriginPath": "/v2"}]
                        },
                        "DefaultRootObject": "index.html",
                        "CacheBehaviors": {"Items": None},
                        "DefaultCacheBehavior": {
                            "FunctionAssociations": {"Items": [{"FunctionARN": VIEWER, "EventType": "viewer-request"}]}
                        },
                        "CustomErrorResponses": {"Items": None},
                    }
                },
                "get_function": get_function,
            }
        }
    )

    assert _site(fake) == Site(
        distribution_id="E1",
        domain="apps.example.com",
        bucket="acme-ui",
        bucket_region="us-west-2",
        origin_path="/v2",
        default_root_object="index.html",
        behaviors=(Behavior("*", "", "", ("GET", "HEAD"), VIEWER, ()),),
        function_name="acme-viewer-request",
        function_code="acme-viewer-request@DEVELOPMENT",
        error_responses=(),
    )
    assert [c[3] for c in fake.calls if c[2] == "get_function"] == [
        {"Name": "acme-viewer-request", "Stage": "LIVE"},
        {"Name": "acme-viewer-request", "Stage": "DEVELOPMENT"},
    ]


def unassociated(functions):
    """A distribution whose behaviours name no function, and the account's CloudFront Functions."""

    return Fake(
        {
            ("cloudfront", "us-east-1"): {
                "list_distributions": {
                    "DistributionList": {"Items": [{"Id": "E1", "DomainName": "d1.cloudfront.net"}]}
                },
                "get_distribution_config": {
                    "DistributionConfig": {
                        "Origins": {"Items": [{"DomainName": "acme-ui.s3.eu-west-1.amazonaws.com"}]},
                        "DefaultCacheBehavior": {},
                    }
                },
                "list_functions": functions,
                "get_function": lambda Name, Stage: {"FunctionCode": Body(f"{Name}@{Stage}".encode())},
            }
        }
    )


def test_without_an_association_the_viewer_function_is_the_newest_one_at_its_development_stage():
    fake = unassociated(
        {
            "FunctionList": {
                "Items": [
                    {"Name": "middle", "FunctionMetadata": {"LastModifiedTime": "2026-05-02T10:00:00Z"}},
                    {"Name": "newest", "FunctionMetadata": {"LastModifiedTime": "2026-05-03T09:00:00Z"}},
                    {"Name": "undated", "FunctionMetadata": {}},
                    {"Name": "oldest", "FunctionMetadata": {"LastModifiedTime": "2026-05-01T11:00:00Z"}},
                    {"Name": "no-metadata"},
                ]
            }
        }
    )

    site = _site(fake)

    assert site == Site(
        distribution_id="E1",
        domain="d1.cloudfront.net",
        bucket="acme-ui",
        bucket_region="eu-west-1",
        origin_path="",
        default_root_object="",
        behaviors=(Behavior("*", "", "", ("GET", "HEAD"), None, ()),),
        function_name="newest",
        function_code="newest@DEVELOPMENT",
        error_responses=(),
    )
    assert [(c[2], c[3]) for c in fake.calls] == [
        ("list_distributions", {}),
        ("get_distribution_config", {"Id": "E1"}),
        ("list_functions", {}),
        ("get_function", {"Name": "newest", "Stage": "DEVELOPMENT"}),
    ]


@pytest.mark.parametrize("functions", [{}, {"FunctionList": {}}, {"FunctionList": {"Items": []}}])
def test_without_an_association_or_any_function_there_is_no_viewer_function(functions):
    site = _site(unassociated(functions))

    assert site is not None and (site.function_name, site.function_code) == (None, None)


@pytest.mark.parametrize(
    "listing",
    [{}, {"DistributionList": {}}, {"DistributionList": {"Items": []}}, {"DistributionList": {"Quantity": 0}}],
)
def test_an_answer_without_distributions_is_no_site(listing):
    assert _site(Fake({("cloudfront", "us-east-1"): {"list_distributions": listing}})) is None


@pytest.mark.parametrize(
    ("domain", "bucket", "region"),
    [
        ("acme-ui.s3.ap-southeast-2.amazonaws.com", "acme-ui", "ap-southeast-2"),
        ("acme-ui.s3.amazonaws.com", "acme-ui", "us-east-1"),
        ("ui.example.com", "ui.example.com", "us-east-1"),
    ],
)
def test_the_bucket_and_its_region_come_from_the_origins_domain(domain, bucket, region):
    fake = unassociated({})
    fake.script["cloudfront", "us-east-1"]["get_distribution_config"]["DistributionConfig"]["Origins"] = {
        "Items": [{"DomainName": domain}]
    }

    site = _site(fake)

    assert site is not None and (site.bucket, site.bucket_region) == (bucket, region)


# --- regions, user pools, app prefixes, all of it ------------------------------------------------------------------


def test_the_regions_are_those_of_the_buckets_and_us_east_1(endpoint):
    client(endpoint, "s3", "eu-west-1").create_bucket(
        Bucket="acme-ui", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    client(endpoint, "s3", "ap-southeast-2").create_bucket(
        Bucket="acme-logs", CreateBucketConfiguration={"LocationConstraint": "ap-southeast-2"}
    )
    client(endpoint, "s3", "us-east-1").create_bucket(Bucket="acme-state")

    assert regions(clients(endpoint)) == ["ap-southeast-2", "eu-west-1", "us-east-1"]


def test_a_bucket_whose_location_cannot_be_read_is_skipped_and_no_constraint_is_us_east_1():
    def location(Bucket):
        return {
            "a": {"LocationConstraint": "sa-east-1"},
            "b": RuntimeError("AccessDenied"),
            "c": {"LocationConstraint": None},
            "d": {},
            "e": {"LocationConstraint": "ap-south-1"},
        }[Bucket]

    fake = Fake(
        {
            ("s3", "us-east-1"): {
                "list_buckets": {"Buckets": [{"Name": n} for n in "abcde"]},
                "get_bucket_location": location,
            }
        }
    )

    assert regions(fake) == ["ap-south-1", "sa-east-1", "us-east-1"]
    assert regions(Fake({("s3", "us-east-1"): {"list_buckets": {}}})) == ["us-east-1"]


def test_the_user_pools_of_every_region_are_read_back_with_their_domain_and_clients(endpoint):
    west = client(endpoint, "cognito-idp", "eu-west-1")
    pool = west.create_user_pool(PoolName="acme-users")["UserPool"]["Id"]
    west.create_user_pool_domain(Domain="acme-login", UserPoolId=pool)
    spa = west.create_user_pool_client(
        UserPoolId=pool,
        ClientName="spa",
        CallbackURLs=["https://apps.example.com/auth/callback", "http://localhost:3000/auth/callback"],
        LogoutURLs=["https://apps.example.com/"],
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email"],
        AllowedOAuthFlowsUserPoolClient=True,
        SupportedIdentityProviders=["COGNITO"],
        EnableTokenRevocation=False,
    )["UserPoolClient"]["ClientId"]
    created = west.create_user_pool_client(UserPoolId=pool, ClientName="server", GenerateSecret=True)["UserPoolClient"]
    server, secret = created["ClientId"], created["ClientSecret"]
    bare = client(endpoint, "cognito-idp", "us-east-1").create_user_pool(PoolName="bare")["UserPool"]["Id"]

    pools = _pools(clients(endpoint), ["eu-west-1", "us-east-1"])

    assert pools == [
        UserPoolInfo(
            pool_id=pool,
            region="eu-west-1",
            domain="acme-login",
            clients={
                spa: PoolClient(
                    client_id=spa,
                    name="spa",
                    callback_urls=("https://apps.example.com/auth/callback", "http://localhost:3000/auth/callback"),
                    logout_urls=("https://apps.example.com/",),
                    flows=("code",),
                    scopes=("openid", "email"),
                    secret=None,
                    token_revocation=False,
                ),
                server: PoolClient(
                    client_id=server,
                    name="server",
                    callback_urls=(),
                    logout_urls=(),
                    flows=(),
                    scopes=(),
                    secret=secret,
                    token_revocation=True,
                ),
            },
        ),
        UserPoolInfo(pool_id=bare, region="us-east-1", domain=None, clients={}),
    ]
    found = pools[0].clients
    assert len(secret) >= 32 and found[server].has_secret and not found[spa].has_secret
    assert secret not in repr(pools)  # a printed or logged client never shows its secret


def test_a_pool_client_answer_without_the_optional_fields_gets_cognitos_defaults():
    fake = Fake(
        {
            ("cognito-idp", "eu-west-1"): {
                "list_user_pools": {"UserPools": [{"Id": "eu-west-1_P"}]},
                "describe_user_pool": {"UserPool": {"Id": "eu-west-1_P"}},
                "list_user_pool_clients": {"UserPoolClients": [{"ClientId": "c1"}]},
                "describe_user_pool_client": {"UserPoolClient": {"ClientId": "c1", "ClientSecret": ""}},
            },
            ("cognito-idp", "us-east-1"): {"list_user_pools": {}},
        }
    )

    assert _pools(fake, ["eu-west-1", "us-east-1"]) == [
        UserPoolInfo(
            pool_id="eu-west-1_P",
            region="eu-west-1",
            domain=None,
            clients={"c1": PoolClient("c1", "", (), (), (), (), secret=None, token_revocation=True)},
        )
    ]
    assert [(c[1], c[2], c[3]) for c in fake.calls] == [
        ("eu-west-1", "list_user_pools", {"MaxResults": 60}),
        ("eu-west-1", "describe_user_pool", {"UserPoolId": "eu-west-1_P"}),
        ("eu-west-1", "list_user_pool_clients", {"UserPoolId": "eu-west-1_P", "MaxResults": 60}),
        ("eu-west-1", "describe_user_pool_client", {"UserPoolId": "eu-west-1_P", "ClientId": "c1"}),
        ("us-east-1", "list_user_pools", {"MaxResults": 60}),
    ]


def test_a_pool_without_clients_in_the_answer_has_none():
    fake = Fake(
        {
            ("cognito-idp", "eu-west-1"): {
                "list_user_pools": {"UserPools": [{"Id": "eu-west-1_P"}]},
                "describe_user_pool": {"UserPool": {"Id": "eu-west-1_P", "Domain": "login"}},
                "list_user_pool_clients": {},
            },
        }
    )

    assert _pools(fake, ["eu-west-1"]) == [UserPoolInfo("eu-west-1_P", "eu-west-1", "login", {})]


def put_apps(s3, folder=""):
    for key in ("index.html", "a/config.json", "a/index.html", "b/index.html", "c/config.json", "c/d/config.json"):
        s3.put_object(Bucket="acme-ui", Key=folder + key, Body=b"{}")


def test_the_app_prefixes_are_the_ui_buckets_folders_that_hold_a_config_json(endpoint):
    _, s3 = create_site(endpoint, origin_path="")
    put_apps(s3)
    site = _site(clients(endpoint))

    assert app_prefixes(clients(endpoint), site) == ["a", "c"]


@pytest.mark.parametrize("origin_path", ["/live", "/live/", "live"])
def test_with_an_origin_path_the_app_prefixes_are_the_folders_under_it_that_hold_a_config_json(endpoint, origin_path):
    """The site serves <origin path>/<app>/...: a folder outside the origin path is no app."""
    _, s3 = create_site(endpoint, origin_path="/live")
    put_apps(s3, folder="live/")
    s3.put_object(Bucket="acme-ui", Key="z/config.json", Body=b"{}")
    site = _site(clients(endpoint))
    assert site is not None

    assert app_prefixes(clients(endpoint), replace(site, origin_path=origin_path)) == ["a", "c"]


@pytest.mark.parametrize(("origin_path", "folder"), [("/X", "X/"), ("/", ""), ("", "")])
def test_the_app_prefixes_are_read_page_by_page_from_the_ui_bucket_in_its_region(origin_path, folder):
    listed = []

    class Paginator:
        def paginate(self, **kwargs):
            listed.append(kwargs)
            return [{"CommonPrefixes": [{"Prefix": f"{folder}b/"}, {"Prefix": f"{folder}appX/"}]}, {"KeyCount": 0}]

    def head_object(Bucket, Key):
        return {} if (Bucket, Key) == ("acme-ui", f"{folder}appX/config.json") else RuntimeError("404")

    fake = Fake({("s3", "eu-west-1"): {"get_paginator": lambda name: Paginator(), "head_object": head_object}})
    site = Site("E1", "d1.cloudfront.net", "acme-ui", "eu-west-1", origin_path, "", (), None, None)

    assert app_prefixes(fake, site) == ["appX"]
    assert listed == [{"Bucket": "acme-ui", "Prefix": folder, "Delimiter": "/"}]
    assert [c[3] for c in fake.calls if c[2] == "get_paginator"] == [{"args": ("list_objects_v2",)}]


def test_no_site_has_no_app_prefixes():
    assert app_prefixes(Fake({}), None) == []


def test_everything_applied_is_discovered_from_the_emulator(endpoint, monkeypatch):
    distribution_id, s3 = create_site(endpoint, origin_path="")
    put_apps(s3)
    gateway = client(endpoint, "apigatewayv2", "eu-west-1")
    api = gateway.create_api(Name="orders", ProtocolType="HTTP")["ApiId"]
    cognito = client(endpoint, "cognito-idp", "us-west-2")
    pool = cognito.create_user_pool(PoolName="acme-users")["UserPool"]["Id"]
    issuer = f"https://cognito-idp.us-west-2.amazonaws.com/{pool}"
    jwt = gateway.create_authorizer(
        ApiId=api,
        AuthorizerType="JWT",
        IdentitySource=["$request.header.Authorization"],
        Name="cognito",
        JwtConfiguration={"Issuer": issuer, "Audience": ["spa"]},
    )["AuthorizerId"]
    gateway.create_route(ApiId=api, RouteKey="GET /orders", AuthorizationType="JWT", AuthorizerId=jwt)

    applied = discover(endpoint)

    assert replace(applied, apis=[]) == Applied(
        endpoint=endpoint,
        account_id="123456789012",
        site=site_as_created(distribution_id, origin_path=""),
        pools=[UserPoolInfo(pool_id=pool, region="us-west-2", domain=None, clients={})],
        apis=[],
        app_prefixes=["a", "c"],
    )
    assert stripped(applied.apis) == [
        (
            HttpApi(
                api_id=api,
                name="orders",
                region="eu-west-1",
                account_id="123456789012",
                endpoint=f"https://{api}.execute-api.eu-west-1.amazonaws.com",
                routes=[Route("GET /orders", None, "JWT", jwt, ())],
                integrations={},
                authorizers={},
                cors=None,
            ),
            {jwt: (issuer, ("spa",))},
        )
    ]
    fetched = []
    monkeypatch.setattr(
        discover_module.urllib.request, "urlopen", lambda url, timeout: fetched.append(url) or Answer(b"{}")
    )
    applied.apis[0].authorizers[jwt].jwks()
    assert fetched == [f"{endpoint}/{pool}/.well-known/jwks.json"]  # the emulator serves Cognito's JWKS


def test_the_clients_call_the_emulator_with_its_keys_in_us_east_1_unless_told_a_region():
    client_of = clients("http://127.0.0.1:4566")
    s3, cognito = client_of("s3"), client_of("cognito-idp", "eu-west-1")
    credentials = s3._request_signer._credentials

    assert (s3.meta.service_model.service_name, s3.meta.endpoint_url, s3.meta.region_name) == (
        "s3",
        "http://127.0.0.1:4566",
        "us-east-1",
    )
    assert (cognito.meta.service_model.service_name, cognito.meta.region_name) == ("cognito-idp", "eu-west-1")
    assert (credentials.access_key, credentials.secret_key) == ("testing", "testing")


def test_apis_routes_and_integrations_are_read_page_by_page():
    """AWS answers these listings a page at a time with a NextToken; every page is read, each asked for once."""

    def pages(*contents):
        def answer(NextToken=None, **_):
            index = 0 if NextToken is None else int(NextToken)
            page = {"Items": contents[index]}
            return {**page, "NextToken": str(index + 1)} if index + 1 < len(contents) else page

        return answer

    fake = Fake(
        {
            ("apigatewayv2", "eu-west-1"): {
                "get_apis": pages(
                    [{"ApiId": "a1", "ProtocolType": "HTTP"}], [], [{"ApiId": "a2", "ProtocolType": "HTTP"}]
                ),
                "get_routes": pages([{"RouteKey": "GET /"}], [{"RouteKey": "POST /"}]),
                "get_integrations": pages([{"IntegrationId": "i1"}], [{"IntegrationId": "i2"}]),
            }
        }
    )

    apis = _apis(fake, "http://emulator", "123456789012", ["eu-west-1"])

    assert [a.api_id for a in apis] == ["a1", "a2"]
    assert [r.route_key for r in apis[0].routes] == ["GET /", "POST /"]
    assert sorted(apis[1].integrations) == ["i1", "i2"]
    assert [(c[2], c[3]) for c in fake.calls] == [
        ("get_apis", {}),
        ("get_apis", {"NextToken": "1"}),
        ("get_apis", {"NextToken": "2"}),
        ("get_routes", {"ApiId": "a1"}),
        ("get_routes", {"ApiId": "a1", "NextToken": "1"}),
        ("get_integrations", {"ApiId": "a1"}),
        ("get_integrations", {"ApiId": "a1", "NextToken": "1"}),
        ("get_routes", {"ApiId": "a2"}),
        ("get_routes", {"ApiId": "a2", "NextToken": "1"}),
        ("get_integrations", {"ApiId": "a2"}),
        ("get_integrations", {"ApiId": "a2", "NextToken": "1"}),
    ]
