"""The response headers policy and the custom error responses, as applied on the emulator and served by the edge.

The rules follow the CloudFront Developer Guide ("Understand response headers
policies"); the round trip creates the policy and a distribution on the
emulator (moto with generator/local/moto_server.py's fixes) and reads them back
the way the edge does (discover), never from what was sent.
"""

from __future__ import annotations

import uuid

import pytest

from generator.local import emulator as emu
from generator.local.edge.cloudfront import Distribution
from generator.local.edge.discover import clients, discover
from generator.local.edge.origins import OriginMap
from generator.local.edge.response_headers import MANAGED, HeaderRule, apply_rules, localize_csp, rules_of


@pytest.mark.parametrize(
    "security, expected",
    [
        ({"ContentTypeOptions": {"Override": False}}, HeaderRule("X-Content-Type-Options", "nosniff")),
        ({"ContentTypeOptions": {"Override": True}}, HeaderRule("X-Content-Type-Options", "nosniff", True)),
        (
            {"FrameOptions": {"Override": True, "FrameOption": "SAMEORIGIN"}},
            HeaderRule("X-Frame-Options", "SAMEORIGIN", True),
        ),
        (
            {
                "StrictTransportSecurity": {
                    "Override": True,
                    "AccessControlMaxAgeSec": 63072000,
                    "IncludeSubdomains": True,
                    "Preload": True,
                }
            },
            HeaderRule("Strict-Transport-Security", "max-age=63072000; includeSubDomains; preload", True),
        ),
        ({"XSSProtection": {"Override": True, "Protection": False}}, HeaderRule("X-XSS-Protection", "0", True)),
        (
            {"XSSProtection": {"Override": True, "Protection": True, "ReportUri": "https://r.example/x"}},
            HeaderRule("X-XSS-Protection", "1; report=https://r.example/x", True),
        ),
        ({"XSSProtection": {"Override": False, "Protection": True}}, HeaderRule("X-XSS-Protection", "1")),
        (
            {"XSSProtection": {"Override": False, "Protection": True, "ModeBlock": True}},
            HeaderRule("X-XSS-Protection", "1; mode=block"),
        ),
        # CloudFront refuses a ReportUri with ModeBlock (API reference, ResponseHeadersPolicyXSSProtection); the
        # emulator stores the pair, and the edge then sends mode=block alone.
        (
            {
                "XSSProtection": {
                    "Override": False,
                    "Protection": True,
                    "ModeBlock": True,
                    "ReportUri": "https://r.example/x",
                }
            },
            HeaderRule("X-XSS-Protection", "1; mode=block"),
        ),
        (
            {"ReferrerPolicy": {"Override": False, "ReferrerPolicy": "no-referrer"}},
            HeaderRule("Referrer-Policy", "no-referrer"),
        ),
        (
            {"ReferrerPolicy": {"Override": True, "ReferrerPolicy": "same-origin"}},
            HeaderRule("Referrer-Policy", "same-origin", True),
        ),
        (
            {"ContentSecurityPolicy": {"Override": True, "ContentSecurityPolicy": "default-src 'self'"}},
            HeaderRule("Content-Security-Policy", "default-src 'self'", True),
        ),
    ],
    ids=[
        "nosniff",
        "nosniff-override",
        "frame-options",
        "hsts",
        "xss-off",
        "xss-report",
        "xss-on",
        "xss-mode-block",
        "xss-mode-block-not-report",
        "referrer-policy",
        "referrer-policy-override",
        "csp",
    ],
)
def test_each_security_header_as_cloudfront_sends_it(security, expected):
    assert rules_of({"Name": "p", "SecurityHeadersConfig": security}) == (expected,)


def test_custom_and_removed_headers():
    config = {
        "Name": "p",
        "CustomHeadersConfig": {
            "Quantity": 2,
            "Items": [
                {"Header": "X-App", "Value": "1", "Override": False},
                {"Header": "Cache-Control", "Value": "no-store", "Override": True},
            ],
        },
        "RemoveHeadersConfig": {"Quantity": 1, "Items": [{"Header": "Server"}]},
    }
    assert rules_of(config) == (
        HeaderRule("X-App", "1", False),
        HeaderRule("Cache-Control", "no-store", True),
        HeaderRule("Server", None, True),
    )


def test_override_replaces_the_origins_header_and_no_override_keeps_it():
    origin = [("X-Frame-Options", "SAMEORIGIN"), ("Referrer-Policy", "origin"), ("Server", "AmazonS3")]
    rules = (
        HeaderRule("X-Frame-Options", "DENY", True),
        HeaderRule("Referrer-Policy", "no-referrer", False),
        HeaderRule("Server", None, True),
        HeaderRule("X-Content-Type-Options", "nosniff", False),
    )
    assert apply_rules(rules, origin) == [
        ("Referrer-Policy", "origin"),
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
    ]


def test_the_managed_security_headers_policy_does_not_override():
    headers = dict(apply_rules(MANAGED["67f7725c-6f97-4210-82d7-5512b31e9d03"], [("X-Frame-Options", "DENY")]))
    assert headers["X-Frame-Options"] == "DENY" and headers["Strict-Transport-Security"] == "max-age=31536000"


def test_the_csp_also_names_the_local_origin_of_each_public_origin_it_allows():
    origins = OriginMap()
    origins.add("https://a1.execute-api.us-east-2.amazonaws.com", "http://127.0.0.1:9001")
    origins.add("https://b2.execute-api.eu-west-1.amazonaws.com", "http://127.0.0.1:9003")
    origins.add("https://auth.example.com", "http://127.0.0.1:9002")
    origins.add("https://apps.example.com", "http://127.0.0.1:9000")
    policy = (
        "default-src 'none'; connect-src 'self' https://*.execute-api.us-east-2.amazonaws.com https://auth.example.com;"
        " frame-ancestors 'none'"
    )
    assert localize_csp(policy, origins) == (
        "default-src 'none'; connect-src 'self' https://*.execute-api.us-east-2.amazonaws.com http://127.0.0.1:9001 "
        "https://auth.example.com http://127.0.0.1:9002; frame-ancestors 'none'"
    )


def local_origins():
    origins = OriginMap()
    origins.add("https://auth.example.com", "http://127.0.0.1:9002")
    origins.add("https://apps.example.com", "http://127.0.0.1:9000")
    return origins


def test_only_the_csp_names_local_origins_and_without_an_origin_map_it_is_sent_as_is():
    csp = "default-src 'none';connect-src 'self' https://auth.example.com"
    rules = (
        HeaderRule("Content-Security-Policy", csp, True),
        HeaderRule("X-Build", "2026-12-01;https://apps.example.com https://auth.example.com"),
    )
    assert apply_rules(rules, []) == [
        ("Content-Security-Policy", "default-src 'none';connect-src 'self' https://auth.example.com"),
        ("X-Build", "2026-12-01;https://apps.example.com https://auth.example.com"),
    ]
    assert apply_rules(rules, [], local_origins()) == [
        (
            "Content-Security-Policy",
            "default-src 'none'; connect-src 'self' https://auth.example.com http://127.0.0.1:9002",
        ),
        ("X-Build", "2026-12-01;https://apps.example.com https://auth.example.com"),
    ]


def test_an_empty_csp_directive_is_dropped_and_the_directives_after_it_are_kept():
    policy = ";default-src 'none';; connect-src https://auth.example.com ;"
    assert localize_csp(policy, local_origins()) == (
        "default-src 'none'; connect-src https://auth.example.com http://127.0.0.1:9002"
    )


def test_a_csp_source_with_a_trailing_slash_names_the_local_origin_too():
    assert localize_csp("connect-src https://auth.example.com/", local_origins()) == (
        "connect-src https://auth.example.com/ http://127.0.0.1:9002"
    )


@pytest.mark.parametrize(
    ("source", "local"),
    [
        ("https://auth.example.com/oauth2/", "http://127.0.0.1:9002/oauth2/"),
        ("https://auth.example.com/oauth2/token", "http://127.0.0.1:9002/oauth2/token"),
        ("https://*.example.com/assets/", "http://127.0.0.1:9002/assets/ http://127.0.0.1:9000/assets/"),
    ],
)
def test_a_csp_source_with_a_path_names_the_local_origin_with_the_same_path(source, local):
    assert localize_csp(f"connect-src {source}", local_origins()) == f"connect-src {source} {local}"


@pytest.mark.parametrize(
    "source",
    [
        "https://auth.example.co",
        "https://auth.example.co/m/",
        "https://auth.example.com.evil.example",
        "https://auth.example.comX",  # only "/" is stripped from a source: another last character stays
        "http://auth.example.com",
        "https://*.example.org",
    ],
)
def test_a_csp_source_that_is_no_public_origin_gets_no_local_origin(source):
    assert localize_csp(f"connect-src {source}", local_origins()) == f"connect-src {source}"


@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    """The emulator ``local up`` runs (moto with our fixes, which add response headers policies)."""
    workdir = tmp_path_factory.mktemp("emulator")
    server = emu.start(workdir)
    yield server.endpoint
    emu.stop(workdir)


def test_the_applied_policy_and_error_responses_are_read_back_from_the_emulator_and_served(emulator):
    client = clients(emulator)
    s3, cloudfront = client("s3", "us-east-2"), client("cloudfront")
    s3.create_bucket(Bucket="acme-ui", CreateBucketConfiguration={"LocationConstraint": "us-east-2"})
    s3.put_object(Bucket="acme-ui", Key="404.html", Body=b"not found page", ContentType="text/html")
    s3.put_object(Bucket="acme-ui", Key="index.html", Body=b"home", ContentType="text/html")
    csp = "default-src 'none'; connect-src 'self' https://*.execute-api.us-east-2.amazonaws.com"
    policy = cloudfront.create_response_headers_policy(
        ResponseHeadersPolicyConfig={
            "Name": "acme-security-headers",
            "SecurityHeadersConfig": {
                "ContentSecurityPolicy": {"Override": True, "ContentSecurityPolicy": csp},
                "FrameOptions": {"Override": True, "FrameOption": "DENY"},
            },
        }
    )["ResponseHeadersPolicy"]
    behavior = {
        "TargetOriginId": "ui",
        "ViewerProtocolPolicy": "redirect-to-https",
        "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
        "ResponseHeadersPolicyId": policy["Id"],
    }
    cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": str(uuid.uuid4()),
            "Aliases": {"Quantity": 1, "Items": ["apps.example.com"]},
            "DefaultRootObject": "index.html",
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "ui",
                        "DomainName": "acme-ui.s3.us-east-2.amazonaws.com",
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    }
                ],
            },
            "DefaultCacheBehavior": behavior,
            "CustomErrorResponses": {
                "Quantity": 1,
                "Items": [
                    {"ErrorCode": 403, "ResponsePagePath": "/404.html", "ResponseCode": "404", "ErrorCachingMinTTL": 10}
                ],
            },
            "Comment": "",
            "Enabled": True,
        }
    )

    site = discover(emulator).site
    assert site is not None and site.error_responses[0]["ResponsePagePath"] == "/404.html"
    assert site.behaviors[-1].response_headers == (
        HeaderRule("Content-Security-Policy", csp, True),
        HeaderRule("X-Frame-Options", "DENY", True),
    )
    origins = OriginMap()
    origins.add("https://api1.execute-api.us-east-2.amazonaws.com", "http://127.0.0.1:9001")
    distribution = Distribution(site, lambda: s3, None, origins)
    status, headers, body = distribution.handle("GET", "/missing/page.js", [], "127.0.0.1")
    assert (status, body) == (404, b"not found page")
    assert dict(headers)["Content-Security-Policy"] == csp + " http://127.0.0.1:9001"
    status, headers, body = distribution.handle("GET", "/", [], "127.0.0.1")
    assert (status, body, dict(headers)["X-Frame-Options"]) == (200, b"home", "DENY")
