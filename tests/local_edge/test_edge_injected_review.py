"""Behaviours pinned after a hand-injected bug round on the local edge (JWT checks, hosted UI, API Gateway, site).

Each test kills one bug the rest of the suite let through; its docstring says what the bug would break.
"""

from __future__ import annotations

import io

import pytest
from edge_helpers import AUDIENCE, ISSUER, jwks, token
from test_edge_apigw import AUTH, SITE_LOCAL, SITE_PUBLIC, api, call
from test_edge_cloudfront import edge
from test_edge_hosted_ui import REDIRECT_MISMATCH
from test_edge_hosted_ui_answers import CB, INFO, RESULT, Cognito, login, query

from generator.local.edge import lambda_runner, users
from generator.local.edge.apigw import Cors
from generator.local.edge.hosted_ui import HostedUi
from generator.local.edge.jwt_check import JwtAuthorizer, TokenRejected
from generator.local.edge.lambda_runner import FunctionInfo, InvokeError, LambdaRunner, fetch_code
from generator.local.edge.response_headers import HeaderRule, apply_rules
from generator.local.edge.users import UserError, find_pool

AUTHORIZER = JwtAuthorizer(issuer=ISSUER, audiences=(AUDIENCE,), jwks=jwks)


def test_a_lowercase_bearer_prefix_is_accepted_like_the_capitalised_one():
    """RFC 7235: the auth scheme is case-insensitive; a client sending ``bearer`` must not get a 401."""
    assert AUTHORIZER.check("bearer " + token())["sub"] == "u-1"
    assert AUTHORIZER.check("BEARER " + token())["sub"] == "u-1"


def test_an_audience_that_is_only_part_of_the_configured_one_is_refused():
    """The audience is compared whole: a token for client ``client`` or ``abc`` must not pass for ``client-abc``."""
    for aud in ("client", "abc", "client-ab"):
        with pytest.raises(TokenRejected) as refused:
            AUTHORIZER.check(token({"aud": aud}))
        assert str(refused.value) == f"audience '{aud}' is not one of ['client-abc']"
    with pytest.raises(TokenRejected) as refused:
        AUTHORIZER.check(token({"token_use": "access", "client_id": "client"}, drop=("aud",)))
    assert str(refused.value) == "audience 'client' is not one of ['client-abc']"


def test_when_a_token_has_both_aud_and_client_id_aud_decides():
    """AWS checks ``client_id`` only when ``aud`` is absent: a matching ``client_id`` must not rescue a foreign aud."""
    with pytest.raises(TokenRejected) as refused:
        AUTHORIZER.check(token({"aud": "another-client", "client_id": AUDIENCE}))
    assert str(refused.value) == "audience 'another-client' is not one of ['client-abc']"
    assert AUTHORIZER.check(token({"aud": AUDIENCE, "client_id": "another-client"}))["aud"] == AUDIENCE


def test_a_route_scope_is_matched_whole_not_inside_a_longer_scope():
    """``inventory/read`` is not held by a token whose scopes are ``inventory/readonly`` and ``admin:inventory/read``."""
    longer = token({"scope": "openid inventory/readonly admin:inventory/read"})
    with pytest.raises(TokenRejected) as refused:
        AUTHORIZER.check(longer, scopes=["inventory/read"])
    assert str(refused.value) == "the token has none of the route's scopes ['inventory/read']"


def test_a_route_with_several_scopes_needs_only_one_of_them():
    """AWS: the token must hold *at least one* of the route's scopes, not all of them."""
    reader = token({"scope": "openid inventory/read"})
    assert AUTHORIZER.check(reader, scopes=["inventory/write", "inventory/read"])["scope"] == "openid inventory/read"


def test_signing_in_to_a_redirect_uri_not_registered_is_refused_before_any_sign_in():
    """POST /login must check the request as /oauth2/authorize does: a form posted with an attacker's redirect_uri
    would otherwise send a fresh code for the user's credentials to that address."""
    cognito = Cognito(RESULT)
    ui = HostedUi(INFO, lambda: cognito, lambda url: url)
    answer = login(ui, query(redirect_uri="https://evil.example.net/cb"))
    assert answer == REDIRECT_MISMATCH
    assert cognito.calls == []


def test_signing_in_with_a_scope_or_pkce_method_the_client_does_not_allow_is_refused_before_any_sign_in():
    """POST /login answers a bad scope or a plain PKCE challenge as authorize does: an error back to the callback."""
    cognito = Cognito(RESULT, RESULT)
    ui = HostedUi(INFO, lambda: cognito, lambda url: url)
    answer = login(ui, query(scope="openid aws.cognito.signin.user.admin"))
    assert answer == (302, [("Location", CB + "?error=invalid_scope&state=s1"), ("Cache-Control", "no-store")], b"")
    answer = login(ui, query(code_challenge="abc", code_challenge_method="plain"))
    assert answer == (
        302,
        [
            (
                "Location",
                CB + "?error=invalid_request&error_description=code_challenge_method+must+be+S256&state=s1",
            ),
            ("Cache-Control", "no-store"),
        ],
        b"",
    )
    assert cognito.calls == []


CAPITALISED = Cors(
    allow_origins=(SITE_PUBLIC,),
    allow_methods=("GET", "PUT"),
    allow_headers=("Authorization", "Content-Type"),
)


def test_a_preflight_asking_lowercase_headers_is_allowed_by_capitalised_allow_headers():
    """Header names are case-insensitive: browsers ask in lowercase, configurations often name them capitalised;
    a case-sensitive check refuses every preflight and the SPA cannot call its API."""
    status, headers, _, calls = call(
        "OPTIONS",
        "/items/1",
        [
            ("Origin", SITE_LOCAL),
            ("Access-Control-Request-Method", "PUT"),
            ("Access-Control-Request-Headers", "authorization,content-type"),
        ],
        the_api=api(cors=CAPITALISED),
    )
    assert (status, calls) == (204, [])
    assert headers["Access-Control-Allow-Origin"] == SITE_LOCAL
    assert headers["Access-Control-Allow-Headers"] == "Authorization,Content-Type"


def test_a_function_that_runs_out_of_its_own_time_is_a_500_not_a_503():
    """API Gateway answers 503 only when its integration timeout passes; a Lambda timeout is a function error."""
    status, _, data, _ = call(
        "GET", "/items", [AUTH], error=InvokeError("Timeout", "Task timed out after 3.00 seconds")
    )
    assert (status, data) == (500, b'{"message":"Internal Server Error"}')


def test_the_default_root_object_is_for_the_root_only_not_for_every_folder():
    """CloudFront appends DefaultRootObject to ``/`` alone; a folder path is a key of its own (the viewer function
    rewrites folders), so without the function ``/app-dev/`` asks the bucket for ``app-dev/`` and gets S3's 403."""
    distribution, s3, _ = edge(error_responses=())
    status, _, _ = distribution.handle("GET", "/app-dev/", [], "127.0.0.1")
    assert (status, s3.keys) == (403, ["app-dev/"])


def test_a_policy_header_finds_the_origins_header_whatever_its_case():
    """HTTP header names are case-insensitive: an origin's ``x-frame-options`` is the policy's ``X-Frame-Options``,
    kept without override (never sent twice) and replaced with override."""
    origin = [("x-frame-options", "SAMEORIGIN")]
    assert apply_rules((HeaderRule("X-Frame-Options", "DENY"),), origin) == [("x-frame-options", "SAMEORIGIN")]
    assert apply_rules((HeaderRule("X-Frame-Options", "DENY", override=True),), origin) == [("X-Frame-Options", "DENY")]


class _Bucket:
    """list_buckets / get_bucket_location / get_object over {bucket: (region, {key: body})}."""

    def __init__(self, buckets):
        self.buckets = buckets

    def list_buckets(self):
        return {"Buckets": [{"Name": name} for name in self.buckets]}

    def get_bucket_location(self, Bucket):
        return {"LocationConstraint": self.buckets[Bucket][0]}

    def get_object(self, Bucket, Key):
        return {"Body": io.BytesIO(self.buckets[Bucket][1][Key])}


def _function(**over):
    info = {
        "name": "app-api",
        "arn": "arn:aws:lambda:us-east-2:123456789012:function:app-api",
        "region": "us-east-2",
        "handler": "app.handler",
        "runtime": "python3.12",
        "timeout": 10,
        "memory": 128,
        "environment": {},
        # base64(sha256(b"the applied zip"))
        "code_sha256": "qknLCgvRgqcomOiSjHaoinFxUAqnBkpY/Dq3XJtw+KM=",
        "s3_key": "lambda/app.zip",
    }
    return FunctionInfo(**{**info, **over})


def test_only_the_zip_whose_sha256_is_the_functions_code_is_run():
    """A stale zip under the same key (another assets bucket, an older upload) must not run as the function."""
    s3 = _Bucket(
        {
            "acme-assets-us-east-2": ("us-east-2", {"lambda/app.zip": b"an older zip"}),
            "other-us-east-2": ("us-east-2", {"lambda/app.zip": b"the applied zip"}),
        }
    )
    assert fetch_code(s3, _function()) == b"the applied zip"
    stale_only = _Bucket({"acme-assets-us-east-2": ("us-east-2", {"lambda/app.zip": b"an older zip"})})
    with pytest.raises(InvokeError) as raised:
        fetch_code(stale_only, _function())
    assert (raised.value.kind, raised.value.detail) == (
        "Runtime.InvalidCode",
        "app-api: no bucket in us-east-2 holds lambda/app.zip with its CodeSha256",
    )


def test_the_function_gets_none_of_the_callers_credentials_or_other_variables(monkeypatch, tmp_path):
    """The edge's own environment (a real AWS profile, session token, anything) must not reach the function: inside,
    every AWS call goes to the emulator with its test credentials."""
    monkeypatch.setenv("AWS_PROFILE", "production")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "a-real-session")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp-secret")
    env = LambdaRunner(endpoint="http://127.0.0.1:4566", workdir=tmp_path).environment(_function(), tmp_path)
    assert "AWS_PROFILE" not in env and "AWS_SESSION_TOKEN" not in env and "GITHUB_TOKEN" not in env
    assert (env["AWS_ENDPOINT_URL"], env["AWS_ACCESS_KEY_ID"]) == ("http://127.0.0.1:4566", "testing")


def test_a_changed_environment_gets_a_fresh_worker_not_the_warm_one(monkeypatch, tmp_path):
    """After ``up`` changes a function's variables, the next call must see them: a warm worker keeps the old ones."""
    (tmp_path / "app.py").write_text("import os\ndef handler(event, context):\n    return os.environ['COLOUR']\n")
    current = {"info": _function(environment={"COLOUR": "red"})}
    monkeypatch.setattr(lambda_runner, "describe_function", lambda client, name: current["info"])
    monkeypatch.setattr(LambdaRunner, "_code_dir", lambda self, function: tmp_path)
    runner = LambdaRunner(endpoint="http://127.0.0.1:4566", workdir=tmp_path)
    try:
        assert runner.invoke("app-api", {}) == "red"
        current["info"] = _function(environment={"COLOUR": "blue"})
        assert runner.invoke("app-api", {}) == "blue"
    finally:
        runner.stop()


class _Pools:
    """ListUserPools answering two pools (``local up`` applied twice, or a pool left from another project)."""

    def list_user_pools(self, MaxResults):
        return {"UserPools": [{"Id": "us-east-2_Platform"}, {"Id": "us-east-2_Another"}]}


def test_with_two_user_pools_on_the_emulator_no_pool_is_guessed(monkeypatch):
    """``local user add`` without a pool id must not pick one of several pools: the user would land in a pool
    the platform does not sign in with."""
    monkeypatch.setattr(users, "clients", lambda endpoint: lambda service, region="us-east-1": _Pools())
    with pytest.raises(UserError) as refused:
        find_pool("http://127.0.0.1:4566", "us-east-2")
    assert str(refused.value) == "expected one user pool on the emulator, found 2 (run: python main.py local up)"
