"""The shared CloudFront distribution in front of the shared UI bucket.

Origin Access Control signs every request to S3; the bucket policy lets only
this distribution read (``AWS:SourceArn``). The seed used ``aws:SourceAccount``
because its controllers could not know the distribution ARN; Terraform does,
and SourceArn stops any other distribution in the account from reading apps.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cdktf import ITerraformDependable
from cdktf_cdktf_provider_aws.cloudfront_distribution import (
    CloudfrontDistribution,
    CloudfrontDistributionCustomErrorResponse,
    CloudfrontDistributionDefaultCacheBehavior,
    CloudfrontDistributionDefaultCacheBehaviorFunctionAssociation,
    CloudfrontDistributionLoggingConfig,
    CloudfrontDistributionOrderedCacheBehavior,
    CloudfrontDistributionOrderedCacheBehaviorFunctionAssociation,
    CloudfrontDistributionOrigin,
)
from cdktf_cdktf_provider_aws.cloudfront_function import CloudfrontFunction
from cdktf_cdktf_provider_aws.cloudfront_origin_access_control import CloudfrontOriginAccessControl
from cdktf_cdktf_provider_aws.cloudfront_response_headers_policy import CloudfrontResponseHeadersPolicy
from cdktf_cdktf_provider_aws.route53_record import Route53Record
from cdktf_cdktf_provider_aws.s3_bucket_policy import S3BucketPolicy
from constructs import Construct

from .policy_document import deny_insecure_transport, policy_document

# AWS managed policies: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ORIGIN_ID = "shared-ui"
#: The platform's not-found page at the root of the shared UI bucket (ui/site/404.html).
NOT_FOUND_PAGE = "/404.html"


def content_security_policy(api_regions: tuple[str, ...], cognito_domain: str) -> str:
    """The Content-Security-Policy of every page on the domain.

    Scripts, styles, images and fonts only from the domain itself (no inline code, no eval); ``fetch`` only to the
    domain (config.json), the apps' HTTP APIs (``execute-api`` in the served regions) and the Cognito domain (token
    and revoke endpoints). Nothing may frame the pages, post forms elsewhere or change the base URL to another origin.
    Every app shares one origin and so one sessionStorage of tokens: this is what keeps injected script out.
    """
    connect = ["'self'", *(f"https://*.execute-api.{region}.amazonaws.com" for region in api_regions)]
    connect.append(f"https://{cognito_domain}")
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "manifest-src 'self'",
            f"connect-src {' '.join(connect)}",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "object-src 'none'",
        ]
    )


@dataclass(frozen=True)
class CdnProps:
    """Inputs of the distribution. ``function_code`` is the viewer-request CloudFront Function source."""

    domain: str
    hosted_zone_id: str
    certificate_arn: str
    bucket_id: str
    bucket_arn: str
    bucket_regional_domain_name: str
    oac_name: str
    function_name: str
    function_code: str
    price_class: str
    #: Name of the response headers policy (security headers and the Content-Security-Policy).
    response_headers_policy_name: str
    #: Regions whose ``execute-api`` endpoints the apps call (the served regions).
    api_regions: tuple[str, ...]
    #: The Cognito hosted UI domain the apps fetch tokens from.
    cognito_domain: str
    #: ARN of the WAFv2 web ACL (scope CLOUDFRONT) to attach. Default None: no web ACL.
    web_acl_arn: str | None = None
    #: Standard (legacy) access logs go to this bucket (its ``bucket_domain_name``) under ``cloudfront/``.
    #: Default None: no access logs. The bucket must have ACLs enabled (see log_bucket.py).
    log_bucket_domain_name: str | None = None
    #: Resources the distribution waits for (the log bucket's ownership controls, which enable its ACLs).
    depends_on: tuple[ITerraformDependable, ...] = ()
    #: Build for the local AWS emulator (moto). Default False: real AWS. See ``_emulator_settings``.
    emulator: bool = False


def _emulator_settings(props: CdnProps) -> tuple[str, bool, dict]:
    """(function name, publish, extra distribution arguments) for the target.

    moto cannot publish or update a CloudFront Function, so on the emulator the
    function is created unpublished with a content hash in its name (a code
    change replaces it), and nothing waits for a deployment. The attributes
    moto drops are ignored in one place, ``stack_base.EMULATOR_DRIFT``.
    """
    if not props.emulator:
        return props.function_name, True, {}
    digest = hashlib.sha256(props.function_code.encode()).hexdigest()[:8]
    return f"{props.function_name[:55]}-{digest}", False, {"wait_for_deployment": False}


class Cdn(Construct):
    """OAC, CloudFront Function, distribution, bucket policy and the A/AAAA alias records."""

    def __init__(self, scope: Construct, id: str, props: CdnProps):
        super().__init__(scope, id)
        oac = CloudfrontOriginAccessControl(
            self,
            "origin-access-control",
            name=props.oac_name,
            origin_access_control_origin_type="s3",
            signing_behavior="always",
            signing_protocol="sigv4",
            description="Shared UI bucket access",
        )
        function_name, publish, target = _emulator_settings(props)
        function = CloudfrontFunction(
            self,
            "viewer-request",
            name=function_name,
            runtime="cloudfront-js-2.0",
            publish=publish,
            comment="Appends index.html and routes SPA paths",
            code=props.function_code,
        )
        # On the emulator too: moto 5.2 has no response headers policies, generator/local/moto_server.py adds them.
        headers_policy_id = CloudfrontResponseHeadersPolicy(
            self,
            "security-headers",
            name=props.response_headers_policy_name,
            comment=f"Security headers and CSP of {props.domain}",
            # What AWS's Managed-SecurityHeadersPolicy sends, plus the CSP; frames are refused (DENY, and
            # frame-ancestors 'none') where the managed policy allowed SAMEORIGIN: no page here is framed.
            security_headers_config={
                "content_security_policy": {
                    "content_security_policy": content_security_policy(props.api_regions, props.cognito_domain),
                    "override": True,
                },
                "content_type_options": {"override": True},
                "frame_options": {"frame_option": "DENY", "override": True},
                "referrer_policy": {"referrer_policy": "strict-origin-when-cross-origin", "override": True},
                "strict_transport_security": {
                    "access_control_max_age_sec": 31536000,
                    "include_subdomains": False,
                    "preload": False,
                    "override": True,
                },
                "xss_protection": {"protection": True, "mode_block": True, "override": True},
            },
        ).id
        behavior = {
            "target_origin_id": ORIGIN_ID,
            "viewer_protocol_policy": "redirect-to-https",
            "allowed_methods": ["GET", "HEAD", "OPTIONS"],
            "cached_methods": ["GET", "HEAD"],
            "compress": True,
            "response_headers_policy_id": headers_policy_id,
        }
        self.distribution = CloudfrontDistribution(
            self,
            "distribution",
            enabled=True,
            is_ipv6_enabled=True,
            http_version="http2and3",
            comment=f"Apps on {props.domain}",
            aliases=[props.domain],
            price_class=props.price_class,
            default_root_object="index.html",
            origin=[
                CloudfrontDistributionOrigin(
                    origin_id=ORIGIN_ID, domain_name=props.bucket_regional_domain_name, origin_access_control_id=oac.id
                )
            ],
            default_cache_behavior=CloudfrontDistributionDefaultCacheBehavior(
                **behavior,
                cache_policy_id=CACHING_OPTIMIZED,
                function_association=[
                    CloudfrontDistributionDefaultCacheBehaviorFunctionAssociation(
                        event_type="viewer-request", function_arn=function.arn
                    )
                ],
            ),
            # Each app's runtime config changes on every UI sync: never cache it.
            ordered_cache_behavior=[
                CloudfrontDistributionOrderedCacheBehavior(
                    **behavior,
                    path_pattern="*/config.json",
                    cache_policy_id=CACHING_DISABLED,
                    function_association=[
                        CloudfrontDistributionOrderedCacheBehaviorFunctionAssociation(
                            event_type="viewer-request", function_arn=function.arn
                        )
                    ],
                )
            ],
            # S3 answers 403 for a key that does not exist (OAC has no s3:ListBucket): both become the platform's
            # not-found page with a 404 status, briefly cached so a newly published app shows up fast.
            custom_error_response=[
                CloudfrontDistributionCustomErrorResponse(
                    error_code=code, response_code=404, response_page_path=NOT_FOUND_PAGE, error_caching_min_ttl=10
                )
                for code in (403, 404)
            ],
            restrictions={"geo_restriction": {"restriction_type": "none"}},
            viewer_certificate={
                "acm_certificate_arn": props.certificate_arn,
                "ssl_support_method": "sni-only",
                "minimum_protocol_version": "TLSv1.2_2021",
            },
            web_acl_id=props.web_acl_arn,
            # Cookies stay out of the logs: they carry the apps' session tokens.
            logging_config=CloudfrontDistributionLoggingConfig(
                bucket=props.log_bucket_domain_name,
                prefix="cloudfront/",
                include_cookies=False,
            )
            if props.log_bucket_domain_name
            else None,
            depends_on=list(props.depends_on) or None,
            **target,
        )
        policy = policy_document(
            self,
            "bucket-policy-document",
            [
                {
                    "sid": "CloudFrontReadsThroughOAC",
                    "effect": "Allow",
                    "actions": ["s3:GetObject"],
                    "resources": [f"{props.bucket_arn}/*"],
                    "principals": [{"type": "Service", "identifiers": ["cloudfront.amazonaws.com"]}],
                    "condition": [
                        {"test": "StringEquals", "variable": "AWS:SourceArn", "values": [self.distribution.arn]}
                    ],
                },
                deny_insecure_transport(props.bucket_arn),
            ],
        )
        S3BucketPolicy(self, "bucket-policy", bucket=props.bucket_id, policy=policy.json)
        for record_type in ("A", "AAAA"):
            Route53Record(
                self,
                f"alias-{record_type.lower()}",
                zone_id=props.hosted_zone_id,
                name=props.domain,
                type=record_type,
                alias={
                    "name": self.distribution.domain_name,
                    "zone_id": self.distribution.hosted_zone_id,
                    "evaluate_target_health": False,
                },
            )
