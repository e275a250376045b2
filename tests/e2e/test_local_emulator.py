"""End to end: ``python main.py local up`` applies the platform and two apps for real on the emulator.

Real Terraform and the real AWS provider against moto's server on 127.0.0.1
(see docs/local.md). The suite checks through boto3 that what was created is
what the seed describes, drives the real Lambda handler against the table
Terraform created, checks that a second ``up`` changes nothing (no drift), and
that ``down`` leaves no resource and no process: ``down`` is destructive, so the
session fixture runs and checks it in its teardown, after the last e2e test
(tests/e2e/conftest.py), and the tests pass in any order and each alone. The
times of ``up`` and ``down`` are printed in the test output.

Skipped only when terraform is not on PATH and CI is unset; under CI it fails.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "app"))

from conftest import local  # noqa: E402

from generator.local import emulator as emu  # noqa: E402

DEV, PROD = "john-inventory-dev", "team-backend-inventory-prod"
DOMAIN = "apps.example.com"
HOME_REGION = "us-east-2"


def _local(*args: str, workdir: Path, timeout: int = 900) -> subprocess.CompletedProcess:
    return local(*args, workdir=workdir, timeout=timeout)


def _timed(timings: dict[str, float], name: str, *args: str, workdir: Path) -> subprocess.CompletedProcess:
    started = time.monotonic()
    result = _local(*args, workdir=workdir)
    timings[name] = time.monotonic() - started
    return result


@pytest.fixture(scope="module")
def session(local_session):
    """The session's ``local up`` (tests/e2e/conftest.py)."""
    return local_session


def _state(workdir: Path, stack: str) -> dict:
    return json.loads((workdir / "terraform-state" / f"{stack}.tfstate").read_text())


def _outputs(workdir: Path, stack: str) -> dict:
    return {name: output["value"] for name, output in _state(workdir, stack)["outputs"].items()}


def _attributes(workdir: Path, stack: str, resource_type: str) -> dict:
    """The attributes of the one resource of this type in the stack's state."""
    (resource,) = [r for r in _state(workdir, stack)["resources"] if r["type"] == resource_type]
    return resource["instances"][0]["attributes"]


@pytest.fixture(scope="module")
def aws(session):
    import boto3

    def client(service: str, region: str = HOME_REGION):
        return boto3.client(
            service,
            endpoint_url=session["endpoint"],
            region_name=region,
            aws_access_key_id=emu.ACCESS_KEY,
            aws_secret_access_key=emu.SECRET_KEY,
        )

    return client


@pytest.fixture(scope="module")
def platform(session) -> dict:
    return _outputs(session["workdir"], "platform")


def test_up_prints_the_status_of_each_app(session):
    out = session["up"].stdout
    assert "APP" in out and "API ENDPOINT" in out
    for name in (DEV, PROD):
        row = next(line for line in out.splitlines() if line.startswith(name + " "))
        assert f"https://{DOMAIN}/{name}/" in row and ".execute-api." in row


def test_status_shows_the_running_emulator_and_each_app(session):
    result = _local("status", workdir=session["workdir"])
    assert result.returncode == 0, result.stderr
    assert f"emulator: running at {session['endpoint']}" in result.stdout
    assert "edge: serving http://127.0.0.1:" in result.stdout
    assert [line.split()[0] for line in result.stdout.splitlines()[4:]] == [DEV, PROD]


@pytest.mark.parametrize("stack, billing", [(DEV, "PAY_PER_REQUEST"), (PROD, "PROVISIONED")])
def test_table_billing_mode_follows_the_environment(session, aws, stack, billing):
    table = aws("dynamodb").describe_table(TableName=_outputs(session["workdir"], stack)["table_name"])["Table"]
    assert table["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert table.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED") == billing
    if billing == "PROVISIONED":
        assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 5


@pytest.mark.parametrize("stack", [DEV, PROD])
def test_function_runs_as_its_own_role_under_the_boundary(session, aws, platform, stack):
    outputs = _outputs(session["workdir"], stack)
    config = aws("lambda").get_function_configuration(FunctionName=outputs["function_name"])
    assert config["Environment"]["Variables"]["TABLE_NAME"] == outputs["table_name"]
    assert config["Environment"]["Variables"]["ALLOWED_ORIGIN"] == f"https://{DOMAIN}"
    assert config["Environment"]["Variables"]["ACCESS_GROUPS"] == f"{stack}-users"
    assert config["Handler"] == "app.handler"
    assert platform["lambda_execution_role_arn"] == ""  # no shared role with isolation perInstance
    iam = aws("iam")
    role = iam.get_role(RoleName=f"{stack}-function")["Role"]
    assert config["Role"] == role["Arn"]
    assert role["Path"] == f"/acme-apps/{stack}/"
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == platform["app_permissions_boundary_arn"]
    policy = iam.get_role_policy(RoleName=f"{stack}-function", PolicyName="app-function")["PolicyDocument"]
    from moto.iam.access_control import IAMPolicy, PermissionResult

    evaluator = IAMPolicy(json.dumps(policy))
    table_arn = aws("dynamodb").describe_table(TableName=outputs["table_name"])["Table"]["TableArn"]
    other = DEV if stack == PROD else PROD
    assert evaluator.is_action_permitted("dynamodb:PutItem", table_arn) == PermissionResult.PERMITTED
    assert (
        evaluator.is_action_permitted("dynamodb:PutItem", table_arn.replace(f"table/{stack}", f"table/{other}"))
        != PermissionResult.PERMITTED
    )


@pytest.mark.parametrize("stack", [DEV, PROD])
def test_each_app_has_its_cognito_group(session, aws, platform, stack):
    group = aws("cognito-idp").get_group(GroupName=f"{stack}-users", UserPoolId=platform["user_pool_id"])["Group"]
    assert group["GroupName"] == _outputs(session["workdir"], stack)["access_group"]


@pytest.mark.parametrize("stack", [DEV, PROD])
def test_authorizer_trusts_the_shared_user_pool(session, aws, platform, stack):
    api_id = _outputs(session["workdir"], stack)["api_endpoint"].split("//", 1)[1].split(".", 1)[0]
    gateway = aws("apigatewayv2")
    authorizer_id = _attributes(session["workdir"], stack, "aws_apigatewayv2_authorizer")["id"]
    authorizer = gateway.get_authorizer(ApiId=api_id, AuthorizerId=authorizer_id)  # moto has no GetAuthorizers
    assert authorizer["AuthorizerType"] == "JWT"
    assert authorizer["JwtConfiguration"]["Issuer"] == (
        f"https://cognito-idp.{HOME_REGION}.amazonaws.com/{platform['user_pool_id']}"
    )
    assert authorizer["JwtConfiguration"]["Audience"] == [platform["user_pool_client_id"]]
    routes = gateway.get_routes(ApiId=api_id)["Items"]
    assert sorted(r["RouteKey"] for r in routes) == sorted(
        ["GET /items", "POST /items", "GET /items/{id}", "PUT /items/{id}", "DELETE /items/{id}"]
    )
    assert {r["AuthorizationType"] for r in routes} == {"JWT"}


def test_ui_bucket_reads_only_through_the_distribution(aws, platform):
    policy = json.loads(aws("s3").get_bucket_policy(Bucket=platform["shared_ui_bucket_name"])["Policy"])
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    read = by_sid["CloudFrontReadsThroughOAC"]
    assert read["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    distribution_arn = aws("cloudfront").get_distribution(Id=platform["distribution_id"])["Distribution"]["ARN"]
    assert read["Condition"] == {"StringEquals": {"AWS:SourceArn": distribution_arn}}
    assert by_sid["DenyInsecureTransport"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_distribution_serves_the_domain_through_the_viewer_request_function(session, aws, platform):
    cloudfront = aws("cloudfront")
    config = cloudfront.get_distribution_config(Id=platform["distribution_id"])["DistributionConfig"]
    assert config["Aliases"]["Items"] == [DOMAIN]
    assert config["Origins"]["Items"][0]["DomainName"].startswith(platform["shared_ui_bucket_name"] + ".s3.")
    # moto does not keep function associations (see docs/local.md): check the applied configuration
    # in the state, and that the function it names exists in the emulator.
    behavior = _attributes(session["workdir"], "platform", "aws_cloudfront_distribution")["default_cache_behavior"][0]
    (association,) = behavior["function_association"]
    assert association["event_type"] == "viewer-request"
    name = association["function_arn"].rsplit("/", 1)[1]
    assert name.startswith("acme-apps-viewer-request-")
    assert (
        cloudfront.describe_function(Name=name)["FunctionSummary"]["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    )


def test_every_behaviour_sends_the_platforms_own_response_headers_policy(aws, platform):
    """Applied on the emulator as on AWS (moto gets the API from generator/local/moto_server.py): the CSP and the
    security headers the local edge serves come from here."""
    cloudfront = aws("cloudfront")
    config = cloudfront.get_distribution_config(Id=platform["distribution_id"])["DistributionConfig"]
    behaviors = [config["DefaultCacheBehavior"], *config["CacheBehaviors"]["Items"]]
    (policy_id,) = {b["ResponseHeadersPolicyId"] for b in behaviors}
    policy = cloudfront.get_response_headers_policy(Id=policy_id)["ResponseHeadersPolicy"][
        "ResponseHeadersPolicyConfig"
    ]
    assert policy["Name"] == "acme-apps-security-headers"
    headers = policy["SecurityHeadersConfig"]
    assert headers["ContentSecurityPolicy"]["ContentSecurityPolicy"].startswith("default-src 'none'; script-src 'self'")
    assert headers["FrameOptions"] == {"Override": True, "FrameOption": "DENY"}
    errors = sorted(
        (e["ErrorCode"], e["ResponsePagePath"], e["ResponseCode"]) for e in config["CustomErrorResponses"]["Items"]
    )
    assert errors == [(403, "/404.html", "404"), (404, "/404.html", "404")]


def test_web_acl_guards_the_distribution(aws, platform):
    config = aws("cloudfront").get_distribution_config(Id=platform["distribution_id"])["DistributionConfig"]
    acls = aws("wafv2", "us-east-1").list_web_acls(Scope="CLOUDFRONT")["WebACLs"]
    assert [(a["Name"], a["ARN"]) for a in acls] == [("acme-apps-web-acl", config["WebACLId"])]
    logging = aws("wafv2", "us-east-1").get_logging_configuration(ResourceArn=config["WebACLId"])[
        "LoggingConfiguration"
    ]
    assert logging["LogDestinationConfigs"][0].split(":log-group:")[1].startswith("aws-waf-logs-acme-apps")


def test_buckets_and_distribution_write_access_logs_to_their_regions_log_bucket(aws, platform):
    for region, bucket in platform["assets_bucket_names"].items():
        logging = aws("s3", region).get_bucket_logging(Bucket=bucket)["LoggingEnabled"]
        assert logging == {"TargetBucket": f"acme-apps-logs-{region}", "TargetPrefix": f"s3/{bucket}/"}
    ui = aws("s3").get_bucket_logging(Bucket=platform["shared_ui_bucket_name"])["LoggingEnabled"]
    assert ui["TargetBucket"] == f"acme-apps-logs-{HOME_REGION}"
    config = aws("cloudfront").get_distribution_config(Id=platform["distribution_id"])["DistributionConfig"]
    assert config["Logging"]["Enabled"] and config["Logging"]["Prefix"] == "cloudfront/"
    assert config["Logging"]["Bucket"].startswith(f"acme-apps-logs-{HOME_REGION}.s3")


def test_prod_table_capacity_is_auto_scaled(session, aws):
    table = _outputs(session["workdir"], PROD)["table_name"]
    scaling = aws("application-autoscaling")
    targets = scaling.describe_scalable_targets(ServiceNamespace="dynamodb", ResourceIds=[f"table/{table}"])[
        "ScalableTargets"
    ]
    assert sorted((t["ScalableDimension"], t["MinCapacity"], t["MaxCapacity"]) for t in targets) == [
        ("dynamodb:table:ReadCapacityUnits", 5, 100),
        ("dynamodb:table:WriteCapacityUnits", 5, 100),
    ]
    policies = scaling.describe_scaling_policies(ServiceNamespace="dynamodb", ResourceId=f"table/{table}")[
        "ScalingPolicies"
    ]
    assert sorted(p["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] for p in policies) == [70.0, 70.0]
    dev_table = _outputs(session["workdir"], DEV)["table_name"]
    assert (
        scaling.describe_scalable_targets(ServiceNamespace="dynamodb", ResourceIds=[f"table/{dev_table}"])[
            "ScalableTargets"
        ]
        == []
    )


@pytest.mark.parametrize("stack", [DEV, PROD])
def test_ui_files_and_config_json_under_each_prefix(session, aws, platform, stack):
    s3 = aws("s3")
    bucket, outputs = platform["shared_ui_bucket_name"], _outputs(session["workdir"], stack)
    prefix = outputs["ui_prefix"].strip("/") + "/"
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix)["Contents"]}
    # ui_template_files: the content-hashed files; index.html is the app's own page (its <base href>).
    assert keys == {prefix + f for f in platform["ui_template_files"]} | {prefix + "config.json", prefix + "index.html"}
    page = s3.get_object(Bucket=bucket, Key=prefix + "index.html")
    assert page["CacheControl"] == "no-cache"
    assert f'<base href="/{prefix}">' in page["Body"].read().decode()
    config = json.loads(s3.get_object(Bucket=bucket, Key=prefix + "config.json")["Body"].read())
    assert config["apiUrl"] == outputs["api_endpoint"]
    assert config["userPoolId"] == platform["user_pool_id"]
    assert config["clientId"] == platform["user_pool_client_id"]
    assert config["prefix"] == f"/{prefix}"
    assert config["redirectUri"] == f"https://{DOMAIN}/auth/callback"


def test_cognito_client_calls_back_to_the_shared_page(aws, platform):
    client = aws("cognito-idp").describe_user_pool_client(
        UserPoolId=platform["user_pool_id"], ClientId=platform["user_pool_client_id"]
    )["UserPoolClient"]
    assert client["CallbackURLs"] == [f"https://{DOMAIN}/auth/callback"]
    assert client["AllowedOAuthFlows"] == ["code"]
    assert "ClientSecret" not in client


def test_handler_manages_items_in_the_table_terraform_created(session, aws, monkeypatch):
    from app_helpers import CLAIMS, FakeContext, http_event, load_lambda_module

    outputs = _outputs(session["workdir"], DEV)
    table = outputs["table_name"]
    # The function's own environment as Terraform applied it (the handler fails closed without ACCESS_GROUPS).
    deployed = aws("lambda").get_function_configuration(FunctionName=outputs["function_name"])
    for key, value in {
        **deployed["Environment"]["Variables"],
        "AWS_ENDPOINT_URL": session["endpoint"],
        "AWS_DEFAULT_REGION": HOME_REGION,
        "AWS_ACCESS_KEY_ID": emu.ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": emu.SECRET_KEY,
    }.items():
        monkeypatch.setenv(key, value)
    assert table == deployed["Environment"]["Variables"]["TABLE_NAME"]
    # A token holding the app's group, in the form the HTTP API JWT authorizer hands it over.
    claims = {**CLAIMS, "cognito:groups": f"[{outputs['access_group']}]"}
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    app = load_lambda_module()

    def call(method, path, body=None, headers=None):
        response = app.handler(http_event(method, path, body, headers=headers, claims=claims), FakeContext())
        return response["statusCode"], json.loads(response["body"]) if response.get("body") else None

    claims = {**claims, "cognito:groups": f"[{_outputs(session['workdir'], PROD)['access_group']}]"}
    assert call("GET", "/items")[0] == 403  # another app's group is not enough
    claims = {**claims, "cognito:groups": f"[{outputs['access_group']}]"}
    status, item = call("POST", "/items", {"name": "Widget", "sku": "W-1", "quantity": 7})
    assert status == 201 and item["version"] == 1
    status, listing = call("GET", "/items")
    assert status == 200 and [i["id"] for i in listing["items"]] == [item["id"]]
    status, updated = call("PUT", f"/items/{item['id']}", {"quantity": 2}, headers={"If-Match": '"1"'})
    assert status == 200 and updated["quantity"] == 2 and updated["version"] == 2
    status, _ = call("DELETE", f"/items/{item['id']}", headers={"If-Match": '"2"'})
    assert status == 204
    assert call("GET", f"/items/{item['id']}")[0] == 404
    import boto3

    dynamodb = boto3.client("dynamodb", endpoint_url=session["endpoint"], region_name=HOME_REGION)
    assert dynamodb.scan(TableName=table)["Count"] == 0


def test_emulator_settings_stay_in_the_emulator_target(session, tf_out):
    """Endpoints, test credentials and the drift workarounds are in the emulator's stacks only."""
    local = json.loads((session["workdir"] / "cdktf.out" / "stacks" / "platform" / "cdk.tf.json").read_text())
    normal = json.loads((tf_out / "stacks" / "platform" / "cdk.tf.json").read_text())
    for provider in local["provider"]["aws"]:
        assert provider["endpoints"][0]["s3"] == session["endpoint"] and provider["access_key"] == "testing"
    for provider in normal["provider"]["aws"]:
        assert not {"endpoints", "access_key", "secret_key", "s3_use_path_style"} & set(provider)

    def only(stack: dict, type_: str) -> dict:
        (resource,) = stack["resource"][type_].values()
        return resource

    assert only(local, "aws_cloudfront_function")["publish"] is False
    assert only(normal, "aws_cloudfront_function")["publish"] is True
    assert "origin" in only(local, "aws_cloudfront_distribution")["lifecycle"]["ignore_changes"]
    assert "ignore_changes" not in only(normal, "aws_cloudfront_distribution").get("lifecycle", {})
    assert only(local, "aws_cloudfront_distribution")["wait_for_deployment"] is False
    assert "wait_for_deployment" not in only(normal, "aws_cloudfront_distribution")


def test_second_up_applies_nothing(session, e2e_timings):
    """Every workspace's second plan is empty: the emulator target has no drift (docs/local.md lists the fixes)."""
    result = _timed(
        e2e_timings,
        "second local up (plans only)",
        "up",
        "--instance",
        DEV,
        "--instance",
        PROD,
        workdir=session["workdir"],
    )
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    for stack in ("platform", DEV, PROD):
        assert f"[{stack}] no changes" in result.stdout, result.stdout
    assert "Apply complete" not in result.stdout
