"""Cdn: the shared CloudFront distribution in front of the shared UI bucket. Origin Access Control signs every
request (sigv4, always); the bucket policy lets only this distribution read (AWS:SourceArn) and denies plain HTTP;
viewers are redirected to HTTPS, TLS is at least TLSv1.2_2021 (SNI); config.json is never cached; a viewer-request
CloudFront Function runs on both behaviours; A and AAAA alias records point the domain at it.
Optional props: ``web_acl_arn``, ``log_bucket_domain_name``, ``depends_on``, ``emulator``.

Synthesized in a bare TerraformStack (see fixtures.py: Testing.synth_scope cannot take a Python callable).
"""

from __future__ import annotations

from dataclasses import replace

from cdktf import Testing
from cdktf_cdktf_provider_aws.cloudfront_distribution import CloudfrontDistribution
from cdktf_cdktf_provider_aws.cloudfront_function import CloudfrontFunction
from cdktf_cdktf_provider_aws.cloudfront_origin_access_control import CloudfrontOriginAccessControl
from cdktf_cdktf_provider_aws.route53_record import Route53Record
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
from cdktf_cdktf_provider_aws.s3_bucket_policy import S3BucketPolicy
from fixtures import Synthesized, synth

from modules.cdn import Cdn, CdnProps

CODE = "function handler(event) { return event.request; }"
PROPS = CdnProps(
    domain="apps.example.com",
    hosted_zone_id="Z0123456789EXAMPLE",
    certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000",
    bucket_id="acme-ui",
    bucket_arn="arn:aws:s3:::acme-ui",
    bucket_regional_domain_name="acme-ui.s3.us-east-2.amazonaws.com",
    oac_name="acme-ui-oac",
    function_name="acme-viewer-request",
    function_code=CODE,
    price_class="PriceClass_100",
    response_headers_policy_name="acme-security-headers",
    api_regions=("us-east-2", "eu-west-1"),
    cognito_domain="acme-auth.auth.us-east-2.amazoncognito.com",
)
DISTRIBUTION = CloudfrontDistribution.TF_RESOURCE_TYPE
FUNCTION = CloudfrontFunction.TF_RESOURCE_TYPE
HEADERS = "aws_cloudfront_response_headers_policy"


def build(props: CdnProps = PROPS) -> Synthesized:
    return synth(lambda stack: Cdn(stack, "cdn", props))


def distribution(props: CdnProps = PROPS) -> dict:
    return build(props).one(DISTRIBUTION)


def test_origin_access_control_signs_every_s3_request():
    out = build()
    assert out.one(CloudfrontOriginAccessControl.TF_RESOURCE_TYPE) == {
        "name": "acme-ui-oac",
        "origin_access_control_origin_type": "s3",
        "signing_behavior": "always",
        "signing_protocol": "sigv4",
        "description": "Shared UI bucket access",
    }
    oac = out.address(CloudfrontOriginAccessControl.TF_RESOURCE_TYPE, "origin-access-control")
    assert out.one(DISTRIBUTION)["origin"] == [
        {
            "origin_id": "shared-ui",
            "domain_name": "acme-ui.s3.us-east-2.amazonaws.com",
            "origin_access_control_id": f"${{{oac}.id}}",
        }
    ]


def test_distribution_serves_the_domain_over_modern_tls_only():
    dist = distribution()
    assert dist["aliases"] == ["apps.example.com"]
    assert dist["viewer_certificate"] == {
        "acm_certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000",
        "ssl_support_method": "sni-only",
        "minimum_protocol_version": "TLSv1.2_2021",
    }
    assert (dist["enabled"], dist["is_ipv6_enabled"], dist["http_version"]) == (True, True, "http2and3")
    assert (dist["price_class"], dist["default_root_object"]) == ("PriceClass_100", "index.html")
    assert dist["restrictions"] == {"geo_restriction": {"restriction_type": "none"}}
    assert dist["comment"] == "Apps on apps.example.com"


def test_both_behaviours_redirect_to_https_add_security_headers_and_run_the_function():
    out = build()
    function = out.address(FUNCTION, "viewer-request")
    dist = out.one(DISTRIBUTION)
    common = {
        "target_origin_id": "shared-ui",
        "viewer_protocol_policy": "redirect-to-https",
        "allowed_methods": ["GET", "HEAD", "OPTIONS"],
        "cached_methods": ["GET", "HEAD"],
        "compress": True,
        "response_headers_policy_id": f"${{{out.address(HEADERS, 'security-headers')}.id}}",
        "function_association": [{"event_type": "viewer-request", "function_arn": f"${{{function}.arn}}"}],
    }
    assert dist["default_cache_behavior"] == {**common, "cache_policy_id": "658327ea-f89d-4fab-a63d-7e88639e58f6"}
    assert dist["ordered_cache_behavior"] == [
        {**common, "path_pattern": "*/config.json", "cache_policy_id": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"}
    ]


def test_viewer_request_function_is_published_with_the_given_code():
    assert build().one(FUNCTION) == {
        "name": "acme-viewer-request",
        "runtime": "cloudfront-js-2.0",
        "publish": True,
        "code": CODE,
        "comment": "Appends index.html and routes SPA paths",
    }


def test_bucket_policy_lets_only_this_distribution_read():
    out = build()
    dist = out.address(DISTRIBUTION, "distribution")
    assert out.statement("CloudFrontReadsThroughOAC") == {
        "sid": "CloudFrontReadsThroughOAC",
        "effect": "Allow",
        "actions": ["s3:GetObject"],
        "resources": ["arn:aws:s3:::acme-ui/*"],
        "principals": [{"type": "Service", "identifiers": ["cloudfront.amazonaws.com"]}],
        "condition": [{"test": "StringEquals", "variable": "AWS:SourceArn", "values": [f"${{{dist}.arn}}"]}],
    }
    assert out.statement("DenyInsecureTransport") == {
        "sid": "DenyInsecureTransport",
        "effect": "Deny",
        "actions": ["s3:*"],
        "resources": ["arn:aws:s3:::acme-ui", "arn:aws:s3:::acme-ui/*"],
        "principals": [{"type": "*", "identifiers": ["*"]}],
        "condition": [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}],
    }
    assert out.one(S3BucketPolicy.TF_RESOURCE_TYPE) == {
        "bucket": "acme-ui",
        "policy": "${data.aws_iam_policy_document." + out.document_id("bucket-policy-document") + ".json}",
    }


def test_a_and_aaaa_alias_records_point_the_domain_at_the_distribution():
    out = build()
    dist = out.address(DISTRIBUTION, "distribution")
    records = sorted(out.resources(Route53Record.TF_RESOURCE_TYPE), key=lambda r: r["type"])
    alias = {
        "name": f"${{{dist}.domain_name}}",
        "zone_id": f"${{{dist}.hosted_zone_id}}",
        "evaluate_target_health": False,
    }
    assert records == [
        {"zone_id": "Z0123456789EXAMPLE", "name": "apps.example.com", "type": t, "alias": alias} for t in ("A", "AAAA")
    ]


def test_defaults_attach_no_web_acl_no_logging_no_dependency_and_wait_for_deployment():
    dist = distribution()
    for absent in ("web_acl_id", "logging_config", "depends_on", "wait_for_deployment"):
        assert absent not in dist, absent


def test_web_acl_arn_attaches_the_web_acl():
    arn = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/acme-web-acl/1234"
    assert Testing.to_have_resource_with_properties(
        build(replace(PROPS, web_acl_arn=arn)).text, DISTRIBUTION, {"web_acl_id": arn}
    )
    assert not Testing.to_have_resource_with_properties(build().text, DISTRIBUTION, {"web_acl_id": arn})


def test_log_bucket_domain_name_turns_on_access_logs_without_cookies():
    dist = distribution(replace(PROPS, log_bucket_domain_name="acme-logs-us-east-2.s3.amazonaws.com"))
    assert dist["logging_config"] == {
        "bucket": "acme-logs-us-east-2.s3.amazonaws.com",
        "prefix": "cloudfront/",
        "include_cookies": False,
    }


def test_depends_on_makes_the_distribution_wait():
    def with_dependency(stack):
        ownership = S3Bucket(stack, "log-bucket", bucket="acme-logs-us-east-2")
        Cdn(stack, "cdn", replace(PROPS, depends_on=(ownership,)))

    out = synth(with_dependency)
    assert out.one(DISTRIBUTION)["depends_on"] == [out.address(S3Bucket.TF_RESOURCE_TYPE, "log-bucket")]


def test_emulator_keeps_the_function_unpublished_with_a_content_hash_name_and_does_not_wait():
    out = build(replace(PROPS, emulator=True))
    function = out.one(FUNCTION)
    assert (function["name"], function["publish"]) == ("acme-viewer-request-69cde4ee", False)
    assert out.one(DISTRIBUTION)["wait_for_deployment"] is False
    assert build().one(FUNCTION)["name"] == "acme-viewer-request"


def test_emulator_function_name_stays_within_64_characters():
    long_name = "n" * 64
    name = build(replace(PROPS, emulator=True, function_name=long_name)).one(FUNCTION)["name"]
    assert name == "n" * 55 + "-69cde4ee"
    assert len(name) == 64


def test_own_response_headers_policy_with_the_csp_and_the_managed_policys_headers():
    policy = build().one(HEADERS)
    assert policy["name"] == "acme-security-headers"
    assert policy["security_headers_config"] == {
        "content_security_policy": {
            "content_security_policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "font-src 'self'; manifest-src 'self'; connect-src 'self' https://*.execute-api.us-east-2.amazonaws.com "
            "https://*.execute-api.eu-west-1.amazonaws.com https://acme-auth.auth.us-east-2.amazoncognito.com; "
            "base-uri 'self'; form-action 'self'; frame-ancestors 'none'; object-src 'none'",
            "override": True,
        },
        "content_type_options": {"override": True},
        "frame_options": {"frame_option": "DENY", "override": True},
        "referrer_policy": {"override": True, "referrer_policy": "strict-origin-when-cross-origin"},
        "strict_transport_security": {
            "access_control_max_age_sec": 31536000,
            "include_subdomains": False,
            "override": True,
            "preload": False,
        },
        "xss_protection": {"mode_block": True, "override": True, "protection": True},
    }


def test_the_emulator_gets_the_same_response_headers_policy():
    """The emulator's moto has response headers policies (generator/local/moto_server.py), so the local edge serves
    the applied CSP; the policy and its wiring are exactly AWS's."""
    out, emulated = build(), build(replace(PROPS, emulator=True))
    assert emulated.one(HEADERS) == out.one(HEADERS)
    reference = f"${{{emulated.address(HEADERS, 'security-headers')}.id}}"
    distribution = emulated.one(DISTRIBUTION)
    assert distribution["default_cache_behavior"]["response_headers_policy_id"] == reference
    assert [b["response_headers_policy_id"] for b in distribution["ordered_cache_behavior"]] == [reference]


def test_missing_objects_get_the_not_found_page():
    assert build().one(DISTRIBUTION)["custom_error_response"] == [
        {"error_caching_min_ttl": 10, "error_code": 403, "response_code": 404, "response_page_path": "/404.html"},
        {"error_caching_min_ttl": 10, "error_code": 404, "response_code": 404, "response_page_path": "/404.html"},
    ]
