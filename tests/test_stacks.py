"""Tier 2: the properties that matter, read from the synthesized Terraform JSON."""

from __future__ import annotations

import json
import re

import pytest
from helpers import load_stack
from stack_json import data, one, resources, statement

PROD, DEV, STAGING = "team-backend-inventory-prod", "john-inventory-dev", "team-backend-inventory-staging"
REMOTE = "data.terraform_remote_state.platform.outputs"


@pytest.fixture(scope="module")
def platform(k8s_out):
    return load_stack(k8s_out, "platform")


@pytest.fixture(scope="module")
def prod(k8s_out):
    return load_stack(k8s_out, PROD)


@pytest.fixture(scope="module")
def dev(k8s_out):
    return load_stack(k8s_out, DEV)


def test_prod_table_is_provisioned_protected_and_recoverable(prod):
    table = one(prod, "aws_dynamodb_table")
    assert table["billing_mode"] == "PROVISIONED"
    assert (table["read_capacity"], table["write_capacity"]) == (5, 5)
    assert table["deletion_protection_enabled"] is True
    assert table["lifecycle"]["prevent_destroy"] is True
    assert table["point_in_time_recovery"] == {"enabled": True}
    assert table["server_side_encryption"] == {"enabled": True}
    assert table["name"] == PROD and table["hash_key"] == "id"
    assert table["attribute"] == [{"name": "id", "type": "S"}]


def test_dev_table_is_on_demand_and_unprotected(dev):
    table = one(dev, "aws_dynamodb_table")
    assert table["billing_mode"] == "PAY_PER_REQUEST"
    assert "read_capacity" not in table
    assert table["deletion_protection_enabled"] is False
    assert table["point_in_time_recovery"] == {"enabled": False}


def test_function_runs_platform_bundle_with_table_and_origin(dev):
    function = one(dev, "aws_lambda_function")
    assert function["function_name"] == DEV
    assert function["handler"] == "app.handler" and function["runtime"] == "python3.12"
    assert function["role"].startswith("${aws_iam_role.execution-role_")  # its own role (isolation perInstance)
    assert function["s3_bucket"] == f'${{{REMOTE}.assets_bucket_names["us-east-2"]}}'
    assert function["s3_key"] == f"${{{REMOTE}.function_bundle_key}}"
    assert function["source_code_hash"] == f"${{{REMOTE}.function_bundle_sha256}}"
    variables = function["environment"]["variables"]
    assert variables["TABLE_NAME"].startswith("${aws_dynamodb_table.") and variables["TABLE_NAME"].endswith(".name}")
    assert variables["ALLOWED_ORIGIN"] == f"https://${{{REMOTE}.domain_name}}"
    log_group = [g for g in resources(dev, "aws_cloudwatch_log_group") if g["name"] == f"/aws/lambda/{DEV}"]
    assert log_group and log_group[0]["retention_in_days"] == 30


def test_authorizer_checks_cognito_issuer_and_spa_audience(dev):
    authorizer = one(dev, "aws_apigatewayv2_authorizer")
    assert authorizer["authorizer_type"] == "JWT"
    assert authorizer["identity_sources"] == ["$request.header.Authorization"]
    assert authorizer["jwt_configuration"] == {
        "issuer": f"${{{REMOTE}.user_pool_issuer_url}}",
        "audience": [f"${{{REMOTE}.user_pool_client_id}}"],
    }


def test_every_item_route_requires_the_jwt_authorizer(dev):
    routes = resources(dev, "aws_apigatewayv2_route")
    assert sorted(r["route_key"] for r in routes) == sorted(
        ["GET /items", "POST /items", "GET /items/{id}", "PUT /items/{id}", "DELETE /items/{id}"]
    )
    for route in routes:
        assert route["authorization_type"] == "JWT"
        assert route["authorizer_id"].startswith("${aws_apigatewayv2_authorizer.")
    integration = one(dev, "aws_apigatewayv2_integration")
    assert integration["integration_type"] == "AWS_PROXY" and integration["payload_format_version"] == "2.0"


def test_api_cors_stage_and_permission_scoped_to_this_api(dev):
    api = one(dev, "aws_apigatewayv2_api")
    assert api["name"] == f"{DEV}-api" and api["protocol_type"] == "HTTP"
    assert api["cors_configuration"]["allow_origins"] == [f"https://${{{REMOTE}.domain_name}}"]
    stage = one(dev, "aws_apigatewayv2_stage")
    groups = {g["name"] for g in resources(dev, "aws_cloudwatch_log_group")}
    # Under /aws/vendedlogs/: no entry in the account's 5,120-character CloudWatch Logs resource policy.
    assert groups == {f"/aws/lambda/{DEV}", f"/aws/vendedlogs/apigateway/{DEV}"}
    assert stage["name"] == "$default" and stage["auto_deploy"] is True
    assert json.loads(stage["access_log_settings"]["format"])["routeKey"] == "$context.routeKey"
    permission = one(dev, "aws_lambda_permission")
    assert permission["principal"] == "apigateway.amazonaws.com"
    assert permission["source_arn"].startswith("${aws_apigatewayv2_api.") and permission["source_arn"].endswith(
        ".execution_arn}/*/*"
    )


def test_instance_reads_platform_state_by_relative_path(dev):
    state = dev["data"]["terraform_remote_state"]["platform"]
    assert state["backend"] == "local"
    assert state["config"]["path"] == "../../../terraform-state/platform.tfstate"
    assert dev["terraform"]["backend"]["local"]["path"] == f"../../../terraform-state/{DEV}.tfstate"


def test_tags_on_every_resource_through_default_tags(prod):
    for provider in prod["provider"]["aws"]:
        tags = provider["default_tags"][0]["tags"]
        assert tags == {
            "team": "team-backend",
            "app": "inventory",
            "environment": "prod",
            "developer": "maria",
            "instance": PROD,
            "managed-by": "serverless-platform-generator",
        }


def test_instance_outputs(dev):
    assert dev["output"]["app_url"]["value"] == f"https://${{{REMOTE}.domain_name}}/{DEV}/"
    assert set(dev["output"]) == {"app_url", "api_endpoint", "table_name", "function_name", "ui_prefix", "access_group"}
    assert all(o["description"] for o in dev["output"].values())


def test_kubernetes_ui_sync_objects(dev):
    account = one(dev, "kubernetes_service_account_v1")["metadata"]
    # The namespace is looked up (a missing one fails the plan), not created: instances share it.
    (namespace,) = data(dev, "kubernetes_namespace_v1")
    assert namespace["metadata"] == {"name": "kro-serverless-stack"}
    assert "kubernetes_namespace_v1" not in dev["resource"]
    assert account["name"] == f"{DEV}-ui-sync"
    assert account["namespace"] == "${data.kubernetes_namespace_v1.ui-sync_namespace_B58905A8.metadata[0].name}"
    assert account["annotations"]["eks.amazonaws.com/role-arn"].startswith("${aws_iam_role.ui-uploader-role_")
    config = one(dev, "kubernetes_config_map_v1")
    assert config["metadata"]["name"] == f"{DEV}-ui-config"
    assert '"prefix" = "/john-inventory-dev/"' in config["data"]["config.json"]
    job = one(dev, "kubernetes_job_v1")
    assert job["metadata"]["name"].startswith(f"{DEV}-ui-sync-${{substr(sha256(")
    assert job["wait_for_completion"] is True
    pod = job["spec"]["template"]["spec"]
    assert pod["service_account_name"].startswith("${kubernetes_service_account_v1.")
    container = pod["container"][0]
    env = {e["name"]: e["value"] for e in container["env"]}
    assert env["UI_PREFIX"] == f"{DEV}/" and env["TEMPLATE_PREFIX"] == f"${{{REMOTE}.ui_template_prefix}}"
    assert "aws s3 sync" in container["command"][2]
    provider = dev["provider"]["kubernetes"][0]
    assert provider["host"] == "${data.aws_eks_cluster.eks-cluster.endpoint}"
    # A fresh token each time the provider starts, never a 15-minute token saved in the plan.
    assert "token" not in provider and "aws_eks_cluster_auth" not in dev["data"]
    assert provider["exec"] == [
        {
            "api_version": "client.authentication.k8s.io/v1beta1",
            "command": "aws",
            "args": [
                "eks",
                "get-token",
                "--cluster-name",
                f"${{{REMOTE}.eks_cluster_name}}",
                "--region",
                f"${{{REMOTE}.home_region}}",
            ],
        }
    ]


def test_ui_sync_job_copies_no_tags(dev):
    """The uploader role has no s3:GetObjectTagging / s3:PutObjectTagging (tests/test_security_iam.py), and
    ``aws s3 sync`` between buckets copies tags by default (--copy-props default), which would need both:
    every Job would fail with AccessDenied on AWS. moto does not check tagging permissions, so the flag is pinned
    here."""
    script = one(dev, "kubernetes_job_v1")["spec"]["template"]["spec"]["container"][0]["command"][2]
    lines = script.splitlines()
    syncs = [line for line in lines if line.startswith("aws s3 sync")]
    assert len(syncs) == 2 and all(" $props " in line for line in syncs)
    # The image's CLI is v2 (the flag); PyPI's v1, which tests/test_ui_sync_job.py runs, has no --copy-props.
    assert 'props="--copy-props metadata-directive"' in lines[1]


def test_terraform_ui_sync_copies_template_and_writes_config(tf_out):
    stack = load_stack(tf_out, DEV)
    assert "kubernetes_job_v1" not in stack["resource"] and "kubernetes" not in stack["provider"]
    copy = one(stack, "aws_s3_object_copy")
    assert copy["for_each"] == f"${{toset({REMOTE}.ui_template_files)}}"
    assert copy["key"] == f"{DEV}/${{each.value}}"
    assert copy["provider"] == "aws.home"
    config, index = sorted(resources(stack, "aws_s3_object"), key=lambda o: o["key"])
    assert config["key"] == f"{DEV}/config.json" and config["content_type"] == "application/json"
    assert config["cache_control"] == "no-cache"
    assert index["key"] == f"{DEV}/index.html" and index["content_type"] == "text/html; charset=utf-8"
    assert index["cache_control"] == "no-cache"


def test_shared_ui_bucket_policy_allows_only_this_distribution(platform):
    read = statement(platform, "CloudFrontReadsThroughOAC")
    assert read["principals"] == [{"type": "Service", "identifiers": ["cloudfront.amazonaws.com"]}]
    assert read["actions"] == ["s3:GetObject"]
    assert read["condition"] == [
        {
            "test": "StringEquals",
            "variable": "AWS:SourceArn",
            "values": ["${aws_cloudfront_distribution.cdn_distribution_0B80AA6B.arn}"],
        }
    ]
    deny = statement(platform, "DenyInsecureTransport")
    assert deny["effect"] == "Deny" and deny["condition"][0]["variable"] == "aws:SecureTransport"


def test_buckets_are_private_encrypted_versioned_and_protected(platform):
    buckets = resources(platform, "aws_s3_bucket")
    assert sorted(b["bucket"] for b in buckets) == [
        "acme-apps-assets-us-east-2",
        "acme-apps-assets-us-west-2",
        "acme-apps-logs-us-east-2",
        "acme-apps-logs-us-west-2",
        "acme-apps-ui",
    ]
    assert all(b["lifecycle"]["prevent_destroy"] is True and b["force_destroy"] is False for b in buckets)
    for block in resources(platform, "aws_s3_bucket_public_access_block"):
        assert all(
            block[k] is True
            for k in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
        )
    for encryption in resources(platform, "aws_s3_bucket_server_side_encryption_configuration"):
        assert encryption["rule"][0]["apply_server_side_encryption_by_default"]["sse_algorithm"] == "AES256"
    assert len(resources(platform, "aws_s3_bucket_versioning")) == 5
    assert all(
        v["versioning_configuration"]["status"] == "Enabled" for v in resources(platform, "aws_s3_bucket_versioning")
    )


def _address(stack: dict, type_: str, predicate) -> str:
    """``type.name`` of the one resource of ``type_`` matching ``predicate``."""
    names = [name for name, r in stack["resource"][type_].items() if predicate(r)]
    assert len(names) == 1, names
    return f"{type_}.{names[0]}"


def test_every_bucket_but_the_log_buckets_logs_to_its_own_regions_log_bucket(platform):
    bucket = {r["bucket"]: name for name, r in platform["resource"]["aws_s3_bucket"].items()}
    policy = {r["bucket"]: name for name, r in platform["resource"]["aws_s3_bucket_policy"].items()}
    logging = {r["bucket"]: r for r in resources(platform, "aws_s3_bucket_logging")}
    expected = {
        "acme-apps-ui": "us-east-2",
        "acme-apps-assets-us-east-2": "us-east-2",
        "acme-apps-assets-us-west-2": "us-west-2",
    }
    assert sorted(logging) == sorted(f"${{aws_s3_bucket.{bucket[name]}.id}}" for name in expected)
    for name, region in expected.items():
        config = logging[f"${{aws_s3_bucket.{bucket[name]}.id}}"]
        log_bucket = f"${{aws_s3_bucket.{bucket[f'acme-apps-logs-{region}']}.id}}"
        # Through the log bucket's policy: logging is configured only once delivery is allowed (same region).
        assert config["target_bucket"] == f"${{aws_s3_bucket_policy.{policy[log_bucket]}.bucket}}"
        assert config["target_prefix"] == f"s3/{name}/"
        assert config.get("provider") == (None if region == "us-east-2" else "aws.us-west-2")


def test_log_buckets_accept_s3_log_delivery_and_cloudfront_acls_and_expire(platform):
    delivery = statement(platform, "S3ServerAccessLogs")
    assert delivery["principals"] == [{"type": "Service", "identifiers": ["logging.s3.amazonaws.com"]}]
    assert delivery["actions"] == ["s3:PutObject"]
    conditions = {c["variable"]: c for c in delivery["condition"]}
    assert conditions["aws:SourceAccount"]["values"][0].endswith(".account_id}")
    assert [v.split(":::")[1] for v in conditions["aws:SourceArn"]["values"]] in (
        ["acme-apps-assets-us-east-2", "acme-apps-ui"],
        ["acme-apps-assets-us-west-2"],
    )
    ownership = {
        r["bucket"]: r["rule"]["object_ownership"] for r in resources(platform, "aws_s3_bucket_ownership_controls")
    }
    assert sorted(ownership.values()) == ["BucketOwnerEnforced"] * 3 + ["BucketOwnerPreferred"] * 2
    expiring = [
        r["rule"][0]
        for r in resources(platform, "aws_s3_bucket_lifecycle_configuration")
        if "expiration" in r["rule"][0]
    ]
    assert [(r["id"], r["expiration"]) for r in expiring] == [("expire-objects", [{"days": 30}])] * 2


def test_distribution_logs_to_the_home_log_bucket_without_cookies(platform):
    dist = one(platform, "aws_cloudfront_distribution")
    home_logs = _address(platform, "aws_s3_bucket", lambda r: r["bucket"] == "acme-apps-logs-us-east-2")
    assert dist["logging_config"] == {
        "bucket": f"${{{home_logs}.bucket_domain_name}}",
        "prefix": "cloudfront/",
        "include_cookies": False,
    }
    # CloudFront adds its log-delivery ACL grant itself, which needs ACLs enabled first.
    ownership = _address(platform, "aws_s3_bucket_ownership_controls", lambda r: r["bucket"] == f"${{{home_logs}.id}}")
    assert dist["depends_on"] == [ownership]


def test_web_acl_guards_the_distribution_from_us_east_1(platform):
    acl = one(platform, "aws_wafv2_web_acl")
    dist = one(platform, "aws_cloudfront_distribution")
    assert dist["web_acl_id"] == f"${{{_address(platform, 'aws_wafv2_web_acl', lambda r: True)}.arn}}"
    assert (acl["scope"], acl["provider"], acl["default_action"]) == ("CLOUDFRONT", "aws.us-east-1", {"allow": {}})
    rules = sorted(acl["rule"], key=lambda r: r["priority"])
    assert rules[0]["statement"] == {"rate_based_statement": {"limit": 2000, "aggregate_key_type": "IP"}}
    assert rules[0]["action"] == {"block": {}}
    groups = [r["statement"]["managed_rule_group_statement"] for r in rules[1:]]
    assert [(g["vendor_name"], g["name"]) for g in groups] == [
        ("AWS", "AWSManagedRulesCommonRuleSet"),
        ("AWS", "AWSManagedRulesKnownBadInputsRuleSet"),
        ("AWS", "AWSManagedRulesAmazonIpReputationList"),
        ("AWS", "AWSManagedRulesAnonymousIpList"),
    ]
    assert all(r["override_action"] == {"none": {}} for r in rules[1:])
    assert groups[3]["rule_action_override"] == [{"name": "HostingProviderIPList", "action_to_use": {"count": {}}}]
    assert all(
        r["visibility_config"]["cloudwatch_metrics_enabled"] and r["visibility_config"]["sampled_requests_enabled"]
        for r in [acl, *rules]
    )
    logging = one(platform, "aws_wafv2_web_acl_logging_configuration")
    group = one(platform, "aws_cloudwatch_log_group")
    assert group["name"] == "aws-waf-logs-acme-apps" and group["provider"] == "aws.us-east-1"
    assert logging["redacted_fields"] == [
        {"single_header": {"name": "authorization"}},
        {"single_header": {"name": "cookie"}},
    ]


def test_waf_off_and_rate_limit_are_platform_settings(tmp_path):
    from helpers import copy_project, synth_project

    off = load_stack(synth_project(copy_project(tmp_path / "off", {"cognito:": "waf: false\ncognito:"})), "platform")
    assert "aws_wafv2_web_acl" not in off["resource"]
    assert "web_acl_id" not in one(off, "aws_cloudfront_distribution")
    tight = load_stack(
        synth_project(copy_project(tmp_path / "tight", {"cognito:": "wafRateLimit: 300\ncognito:"})), "platform"
    )
    rate = next(r for r in one(tight, "aws_wafv2_web_acl")["rule"] if "rate_based_statement" in r["statement"])
    assert rate["statement"]["rate_based_statement"]["limit"] == 300


def test_create_oidc_provider_makes_the_platform_create_the_clusters_provider(tmp_path):
    """``kubernetes.createOidcProvider: true``: the platform creates the IAM OIDC provider of the cluster's issuer
    instead of reading an existing one (the default, as in the example)."""
    from helpers import copy_project, synth_project

    root = copy_project(
        tmp_path / "oidc", {"  clusterName: platform-eks": "  clusterName: platform-eks\n  createOidcProvider: true"}
    )
    platform = load_stack(synth_project(root), "platform")
    assert one(platform, "aws_iam_openid_connect_provider")["client_id_list"] == ["sts.amazonaws.com"]
    assert "aws_iam_openid_connect_provider" not in platform.get("data", {})
    # Its address: a renamed construct id would replace the provider, and with it every role trusting it.
    assert list(platform["resource"]["aws_iam_openid_connect_provider"]) == ["eks-oidc-provider_3FF91A02"]


def test_self_sign_up_reaches_the_user_pool(tmp_path):
    """``cognito.selfSignUp: true`` lets anyone create an account; the example's false keeps it to admins."""
    from helpers import copy_project, synth_project

    root = copy_project(tmp_path / "signup", {"selfSignUp: false": "selfSignUp: true"})
    pool = one(load_stack(synth_project(root), "platform"), "aws_cognito_user_pool")
    assert pool["admin_create_user_config"] == {"allow_admin_create_user_only": False}


def test_the_emulator_build_leaves_the_cloudfront_function_unpublished(tmp_path):
    """``local up``'s build: moto cannot publish a CloudFront Function, so it is created unpublished, named by
    a hash of its code, and nothing waits for the distribution; the normal build publishes it."""
    from helpers import copy_project

    from generator.locations import EmulatorSettings
    from generator.project import load_project
    from generator.synth import synthesize

    root = copy_project(tmp_path / "emulator")
    synthesize(load_project(root), root / "out", True, frozenset(), emulator=EmulatorSettings("http://127.0.0.1:5000"))
    platform = load_stack(root / "out", "platform")
    function = one(platform, "aws_cloudfront_function")
    assert function["publish"] is False  # the normal build's is acme-apps-viewer-request, published
    assert re.fullmatch(r"acme-apps-viewer-request-[0-9a-f]{8}", function["name"]), function["name"]
    assert one(platform, "aws_cloudfront_distribution")["wait_for_deployment"] is False


def test_prod_table_capacity_is_auto_scaled(prod, dev):
    table_address = _address(prod, "aws_dynamodb_table", lambda r: True)
    assert one(prod, "aws_dynamodb_table")["lifecycle"]["ignore_changes"] == ["read_capacity", "write_capacity"]
    targets = {t["scalable_dimension"]: t for t in resources(prod, "aws_appautoscaling_target")}
    assert sorted(targets) == ["dynamodb:table:ReadCapacityUnits", "dynamodb:table:WriteCapacityUnits"]
    for target in targets.values():
        assert (target["service_namespace"], target["min_capacity"], target["max_capacity"]) == ("dynamodb", 5, 100)
        assert target["resource_id"] == f"table/${{{table_address}.name}}"
    policies = {p["scalable_dimension"]: p for p in resources(prod, "aws_appautoscaling_policy")}
    assert sorted(policies) == sorted(
        f"${{aws_appautoscaling_target.{n}.scalable_dimension}}" for n in prod["resource"]["aws_appautoscaling_target"]
    )
    for unit in ("Read", "Write"):
        policy = next(p for p in policies.values() if p["name"] == f"{PROD}-{unit.lower()}-capacity")
        assert policy["policy_type"] == "TargetTrackingScaling"
        tracking = policy["target_tracking_scaling_policy_configuration"]
        assert tracking["target_value"] == 70
        assert tracking["predefined_metric_specification"] == {
            "predefined_metric_type": f"DynamoDB{unit}CapacityUtilization"
        }
    assert "aws_appautoscaling_target" not in dev["resource"]
    assert "ignore_changes" not in one(dev, "aws_dynamodb_table").get("lifecycle", {})


def test_distribution_alias_tls_function_and_oac(platform):
    dist = one(platform, "aws_cloudfront_distribution")
    assert dist["aliases"] == ["apps.example.com"]
    assert dist["viewer_certificate"]["minimum_protocol_version"] == "TLSv1.2_2021"
    assert dist["viewer_certificate"]["ssl_support_method"] == "sni-only"
    assert dist["viewer_certificate"]["acm_certificate_arn"].endswith(".certificate_arn}")
    behavior = dist["default_cache_behavior"]
    assert behavior["viewer_protocol_policy"] == "redirect-to-https" and behavior["compress"] is True
    assert behavior["function_association"] == [
        {"event_type": "viewer-request", "function_arn": "${aws_cloudfront_function.cdn_viewer-request_D61FC292.arn}"}
    ]
    assert dist["origin"][0]["origin_access_control_id"].startswith("${aws_cloudfront_origin_access_control.")
    assert dist["ordered_cache_behavior"][0]["path_pattern"] == "*/config.json"
    oac = one(platform, "aws_cloudfront_origin_access_control")
    assert (oac["signing_behavior"], oac["signing_protocol"], oac["origin_access_control_origin_type"]) == (
        "always",
        "sigv4",
        "s3",
    )
    function = one(platform, "aws_cloudfront_function")
    assert function["runtime"] == "cloudfront-js-2.0" and "function handler(event)" in function["code"]
    records = resources(platform, "aws_route53_record")
    assert sorted(r["type"] for r in records if "alias" in r) == ["A", "AAAA"]


def test_certificate_is_requested_in_us_east_1_and_validated_in_route53(platform):
    cert = one(platform, "aws_acm_certificate")
    assert cert["provider"] == "aws.us-east-1" and cert["validation_method"] == "DNS"
    validation = one(platform, "aws_acm_certificate_validation")
    assert validation["provider"] == "aws.us-east-1"


def test_existing_certificate_is_used_as_is(tf_out):
    platform = load_stack(tf_out, "platform")
    assert "aws_acm_certificate" not in platform["resource"]
    dist = one(platform, "aws_cloudfront_distribution")
    assert dist["viewer_certificate"]["acm_certificate_arn"].startswith("arn:aws:acm:us-east-1:")


def test_cognito_spa_client_has_no_secret_and_one_callback(platform):
    client = one(platform, "aws_cognito_user_pool_client")
    assert client["generate_secret"] is False
    assert client["allowed_oauth_flows"] == ["code"]
    assert client["callback_urls"] == ["https://apps.example.com/auth/callback"]
    assert client["logout_urls"] == ["https://apps.example.com/auth/logout"]
    pool = one(platform, "aws_cognito_user_pool")
    assert pool["deletion_protection"] == "ACTIVE" and pool["lifecycle"]["prevent_destroy"] is True
    assert pool["admin_create_user_config"]["allow_admin_create_user_only"] is True
    assert one(platform, "aws_cognito_user_pool_domain")["domain"] == "acme-apps-auth"
    # A user cannot change the email the API records as createdBy.
    assert "email" not in client["write_attributes"] and client["write_attributes"]


def test_boundary_has_no_wildcard_action_and_scoped_resources(platform):
    for sid, count in (("WriteFunctionLogs", 2), ("AppTableItems", 4)):
        st = statement(platform, sid)
        assert all("*" not in action for action in st["actions"])
        assert len(st["resources"]) == count  # per served region (tables: and their indexes)
    assert all(":table/*" in r for r in statement(platform, "AppTableItems")["resources"])


def test_uploader_role_trusts_only_its_own_service_account(dev):
    trust = [
        s
        for d in data(dev, "aws_iam_policy_document")
        for s in d["statement"]
        if s["actions"] == ["sts:AssumeRoleWithWebIdentity"]
    ][0]
    sub = [c for c in trust["condition"] if c["variable"].endswith(":sub")][0]
    assert sub["test"] == "StringEquals"
    assert sub["values"] == [f"system:serviceaccount:kro-serverless-stack:{DEV}-ui-sync"]
    aud = [c for c in trust["condition"] if c["variable"].endswith(":aud")][0]
    assert aud["values"] == ["sts.amazonaws.com"]


def test_assets_published_with_content_types_and_hashed_keys(platform):
    template = [o for o in resources(platform, "aws_s3_object") if "for_each" in o and o["key"].startswith("ui/")][0]
    assert template["key"].startswith("ui/inventory-") and template["key"].endswith("/${each.key}")
    files = json.loads(json.dumps(template["for_each"]))
    assert files["index.html"]["content_type"] == "text/html; charset=utf-8"
    bundles = [o for o in resources(platform, "aws_s3_object") if o.get("content_type") == "application/zip"]
    assert len(bundles) == 2 and len({b["key"] for b in bundles}) == 1
    assert bundles[0]["key"].startswith("functions/inventory-") and bundles[0]["key"].endswith(".zip")
    outputs = platform["output"]
    assert outputs["function_bundle_key"]["value"] == bundles[0]["key"]
    assert all(o["description"] for o in outputs.values())


def test_no_empty_struct_reaches_terraform(k8s_out, tf_out):
    """jsii silently drops snake_case keys of mappings nested in lists; such a bug shows up as {}."""

    def walk(node, path):
        if isinstance(node, dict):
            # Empty on purpose: a Kubernetes emptyDir volume, and WAF's action blocks (allow, block, count, none).
            if not node and not path.endswith(("empty_dir", ".allow", ".block", ".count", ".none")):
                raise AssertionError(f"empty object at {path}")
            for key, value in node.items():
                walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{path}[{index}]")

    for out in (k8s_out, tf_out):
        for stack in (out / "stacks").iterdir():
            walk(load_stack(out, stack.name)["resource"], stack.name)


def test_every_bucket_has_a_tls_only_policy(platform):
    buckets = {key for key in platform["resource"]["aws_s3_bucket"]}
    policies = platform["resource"]["aws_s3_bucket_policy"].values()
    covered = {p["bucket"].split(".")[1] for p in policies}
    assert covered == buckets, buckets - covered
    denies = [
        st
        for document in data(platform, "aws_iam_policy_document")
        for st in document.get("statement", [])
        if st.get("sid") == "DenyInsecureTransport"
    ]
    assert len(denies) == len(buckets)
