"""PlatformStack: the shared workspace, wired from a small literal PlatformConfig (fixtures.platform_config: two
regions, Kubernetes UI sync, WAF on, deletion protection). What it creates per served region (log and assets
buckets through that region's provider), once (UI bucket, CDN, Cognito, roles), in us-east-1 (certificate, WAF),
and the outputs instances read. The config switches each get a test: ``waf``, ``ui_sync``, ``certificate_arn``,
``deletion_protection``. Each construct's own settings are documented in its own test file.

A full stack: built in Testing.app() and read with Testing.synth(stack); the asset files are temporary files.
"""

from __future__ import annotations

import pytest
from cdktf import Testing
from fixtures import (
    AUTH_FILES,
    SITE_FILES,
    TEMPLATE_FILES,
    Synthesized,
    platform_config,
    stack_settings,
    synth_stack,
    write_sources,
)

from generator.naming import platform_names
from modules.platform_stack import PlatformAssets, PlatformStack, PlatformStackProps, platform_aliases

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"


@pytest.fixture(scope="module")
def assets(tmp_path_factory) -> PlatformAssets:
    sources = write_sources(tmp_path_factory.mktemp("platform"))
    return PlatformAssets(
        bundle_path=str(sources.bundle),
        bundle_key="functions/inventory-0123456789abcdef.zip",
        bundle_sha256="3q2+7w==",
        ui_template_dir=str(sources.template_dir),
        ui_template_prefix="ui/inventory-0123456789ab/",
        ui_template_files=TEMPLATE_FILES,
        ui_template_index_html='<base href="./"><script src="js/app.0123456789ab.js"></script>',
        site_pages_dir=str(sources.auth_dir),
        site_pages_files=SITE_FILES,
        auth_pages_dir=str(sources.auth_dir),
        auth_pages_files=AUTH_FILES,
        viewer_request_code="function handler(event) { return event.request; }",
    )


def build(assets: PlatformAssets, **config_changes) -> Synthesized:
    config = platform_config(**config_changes)
    settings = stack_settings(aliases=platform_aliases(config))
    return synth_stack(
        lambda app: PlatformStack(
            app,
            "platform",
            PlatformStackProps(config=config, names=platform_names(config), assets=assets, settings=settings),
        )
    )


@pytest.fixture(scope="module")
def default(assets) -> Synthesized:
    return build(assets)


def test_aliases_are_us_east_1_and_every_served_region_but_home():
    assert platform_aliases(platform_config()) == {"us-east-1": "us-east-1", "us-west-2": "us-west-2"}
    assert platform_aliases(platform_config(regions=("us-east-2",))) == {"us-east-1": "us-east-1"}


def test_providers_are_home_us_east_1_and_the_other_region(default):
    assert [(p.get("alias"), p["region"]) for p in default.tf["provider"]["aws"]] == [
        (None, "us-east-2"),
        ("us-east-1", "us-east-1"),
        ("us-west-2", "us-west-2"),
    ]


def test_every_served_region_gets_a_log_and_an_assets_bucket_through_its_own_provider(default):
    buckets = {b["bucket"]: b.get("provider") for b in default.resources("aws_s3_bucket")}
    assert buckets == {
        "acme-logs-us-east-2": None,
        "acme-assets-us-east-2": None,
        "acme-ui": None,
        "acme-logs-us-west-2": "aws.us-west-2",
        "acme-assets-us-west-2": "aws.us-west-2",
    }


def test_every_bucket_is_protected_when_deletion_protection_is_on(default, assets):
    assert {b["lifecycle"]["prevent_destroy"] for b in default.resources("aws_s3_bucket")} == {True}
    assert {b["force_destroy"] for b in default.resources("aws_s3_bucket")} == {False}
    unprotected = build(assets, deletion_protection=False)
    assert {b["force_destroy"] for b in unprotected.resources("aws_s3_bucket")} == {True}
    assert unprotected.one("aws_cognito_user_pool")["deletion_protection"] == "INACTIVE"
    assert default.one("aws_cognito_user_pool")["deletion_protection"] == "ACTIVE"


def test_each_bucket_but_the_log_buckets_logs_to_its_regions_log_bucket(default):
    targets = {log["target_prefix"]: log["target_bucket"] for log in default.resources("aws_s3_bucket_logging")}
    assert sorted(targets) == ["s3/acme-assets-us-east-2/", "s3/acme-assets-us-west-2/", "s3/acme-ui/"]
    west_policy = default.address("aws_s3_bucket_policy", "logs-us-west-2")
    assert targets["s3/acme-assets-us-west-2/"] == f"${{{west_policy}.bucket}}"
    home_policy = default.address("aws_s3_bucket_policy", "logs-us-east-2")
    assert targets["s3/acme-ui/"] == targets["s3/acme-assets-us-east-2/"] == f"${{{home_policy}.bucket}}"


def test_log_buckets_accept_logs_only_from_their_regions_buckets(default):
    sources = sorted(
        s["condition"][1]["values"]
        for s in default.data("aws_iam_policy_document")
        for s in s.get("statement", [])
        if s.get("sid") == "S3ServerAccessLogs"
    )
    assert sources == [
        [
            "arn:${data.aws_partition.partition.partition}:s3:::acme-assets-us-east-2",
            "arn:${data.aws_partition.partition.partition}:s3:::acme-ui",
        ],
        ["arn:${data.aws_partition.partition.partition}:s3:::acme-assets-us-west-2"],
    ]


def test_the_bundle_goes_to_every_region_and_the_template_and_auth_pages_are_published(default):
    objects = default.resources("aws_s3_object")
    bundles = [o for o in objects if o.get("key") == "functions/inventory-0123456789abcdef.zip"]
    assert sorted(o.get("provider", "home") for o in bundles) == ["aws.us-west-2", "home"]
    keys = sorted(o["key"] for o in objects if "for_each" in o)
    assert keys == ["${each.key}", "auth/${each.key}", "ui/inventory-0123456789ab/${each.key}"]
    site = next(o for o in objects if o["key"] == "${each.key}")  # the site pages at the UI bucket's root
    assert (sorted(site["for_each"]), site["cache_control"]) == (["index.html"], "no-cache")
    auth = next(o for o in objects if o["key"] == "auth/${each.key}")
    assert (sorted(auth["for_each"]), auth["cache_control"]) == (["callback/index.html"], "no-cache")


def test_certificate_and_web_acl_are_in_us_east_1_and_attached_to_the_distribution(default):
    assert default.one("aws_acm_certificate")["provider"] == "aws.us-east-1"
    assert default.one("aws_wafv2_web_acl")["provider"] == "aws.us-east-1"
    distribution = default.one("aws_cloudfront_distribution")
    acl = default.address("aws_wafv2_web_acl", "web-acl")
    validation = default.address("aws_acm_certificate_validation", "validation")
    assert distribution["web_acl_id"] == f"${{{acl}.arn}}"
    assert distribution["viewer_certificate"]["acm_certificate_arn"] == f"${{{validation}.certificate_arn}}"
    assert distribution["aliases"] == ["apps.example.com"]


def test_distribution_logs_to_the_home_log_bucket_after_its_acls_are_enabled(default):
    distribution = default.one("aws_cloudfront_distribution")
    home_logs = default.address("aws_s3_bucket", "logs-us-east-2")
    assert distribution["logging_config"] == {
        "bucket": f"${{{home_logs}.bucket_domain_name}}",
        "prefix": "cloudfront/",
        "include_cookies": False,
    }
    assert distribution["depends_on"] == [default.address("aws_s3_bucket_ownership_controls", "logs-us-east-2")]


def test_waf_off_creates_no_web_acl(assets):
    out = build(assets, waf=False)
    assert not Testing.to_have_resource(out.text, "aws_wafv2_web_acl")
    assert "web_acl_id" not in out.one("aws_cloudfront_distribution")


def test_waf_rate_limit_reaches_the_rule(assets):
    acl = build(assets, waf_rate_limit=300).one("aws_wafv2_web_acl")
    assert acl["rule"][0]["statement"]["rate_based_statement"]["limit"] == 300


def test_existing_certificate_is_attached_and_nothing_is_requested(assets):
    out = build(assets, certificate_arn=CERT)
    assert not Testing.to_have_resource(out.text, "aws_acm_certificate")
    assert out.one("aws_cloudfront_distribution")["viewer_certificate"]["acm_certificate_arn"] == CERT


def test_per_instance_isolation_has_no_shared_role_but_the_boundary_and_the_oidc_provider(default):
    assert default.resources("aws_iam_role") == []
    outputs = default.tf["output"]
    assert outputs["eks_cluster_name"]["value"] == "platform-eks"
    assert (outputs["lambda_execution_role_arn"]["value"], outputs["ui_uploader_role_arn"]["value"]) == ("", "")
    assert outputs["app_permissions_boundary_arn"]["value"] == (
        f"${{{default.address('aws_iam_policy', 'app-boundary')}.arn}}"
    )
    assert default.one("aws_iam_policy")["name"] == "acme-app-boundary"
    assert outputs["eks_oidc_provider_arn"]["value"].startswith("${data.aws_iam_openid_connect_provider.")


def test_shared_isolation_with_kubernetes_adds_both_shared_roles_under_the_boundary(assets):
    out = build(assets, isolation="shared")
    roles = sorted(out.resources("aws_iam_role"), key=lambda r: r["name"])
    assert [r["name"] for r in roles] == ["acme-lambda-execution", "acme-s3-uploader"]
    boundary = f"${{{out.address('aws_iam_policy', 'app-boundary')}.arn}}"
    assert {r["permissions_boundary"] for r in roles} == {boundary}
    outputs = out.tf["output"]
    assert outputs["ui_uploader_role_arn"]["value"] == f"${{{out.address('aws_iam_role', 'ui-uploader-role')}.arn}}"


def test_terraform_ui_sync_has_no_uploader_role_and_empty_kubernetes_outputs(assets):
    out = build(assets, ui_sync="terraform", isolation="shared")
    assert [r["name"] for r in out.resources("aws_iam_role")] == ["acme-lambda-execution"]
    assert "aws_eks_cluster" not in out.tf.get("data", {})
    outputs = out.tf["output"]
    assert (outputs["eks_cluster_name"]["value"], outputs["ui_uploader_role_arn"]["value"]) == ("", "")
    assert (outputs["eks_oidc_provider_arn"]["value"], outputs["eks_oidc_issuer"]["value"]) == ("", "")


def test_boundary_covers_both_served_regions(default):
    resources = default.statement("AppTableItems")["resources"]
    partition, account = "${data.aws_partition.partition.partition}", "${data.aws_caller_identity.account.account_id}"
    assert resources == [
        f"arn:{partition}:dynamodb:us-east-2:{account}:table/*",
        f"arn:{partition}:dynamodb:us-west-2:{account}:table/*",
        f"arn:{partition}:dynamodb:us-east-2:{account}:table/*/index/*",
        f"arn:{partition}:dynamodb:us-west-2:{account}:table/*/index/*",
    ]


def test_cognito_uses_the_shared_callback_and_logout_urls(default):
    client = default.one("aws_cognito_user_pool_client")
    assert client["callback_urls"] == ["https://apps.example.com/auth/callback"]
    assert client["logout_urls"] == ["https://apps.example.com/auth/logout"]
    assert default.one("aws_cognito_user_pool_domain")["domain"] == "acme-login"


def test_outputs_instances_read(default):
    outputs = {name: o["value"] for name, o in default.tf["output"].items()}
    pool = default.address("aws_cognito_user_pool", "user-pool")
    assert outputs["domain_name"] == "apps.example.com" and outputs["home_region"] == "us-east-2"
    assert outputs["function_bundle_key"] == "functions/inventory-0123456789abcdef.zip"
    assert outputs["function_bundle_sha256"] == "3q2+7w=="
    assert outputs["ui_template_prefix"] == "ui/inventory-0123456789ab/"
    assert outputs["ui_template_files"] == ["js/app.js"]  # index.html apart: each instance renders its own
    assert outputs["ui_template_index_html"] == '<base href="./"><script src="js/app.0123456789ab.js"></script>'
    assert sorted(outputs["assets_bucket_names"]) == ["us-east-2", "us-west-2"]
    assert outputs["user_pool_issuer_url"] == f"https://${{{pool}.endpoint}}"
    assert outputs["cognito_domain"] == "acme-login.auth.us-east-2.amazoncognito.com"
    assert outputs["auth_callback_url"] == "https://apps.example.com/auth/callback"
    assert outputs["auth_logout_url"] == "https://apps.example.com/auth/logout"
    assert len(outputs) == 26
