"""The local Cognito hosted UI against a moto user pool (AWS: Cognito "User pool endpoints" reference)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from edge_helpers import client, moto_endpoint  # noqa: F401 - fixture

from generator.local.edge.discover import jwks_fetcher
from generator.local.edge.hosted_ui import HostedUi, PoolClient, UserPoolInfo, s256
from generator.local.edge.jwt_check import JwtAuthorizer, TokenRejected
from generator.local.edge.users import add_user

PUBLIC, LOCAL = "https://apps.example.com", "http://127.0.0.1:9000"
CALLBACK, LOGOUT = PUBLIC + "/auth/callback", PUBLIC + "/auth/logout"
STATE = "nonce0123456789abcdef:/john-inventory-dev/"


@pytest.fixture(scope="module")
def pool(moto_endpoint):
    cognito = client(moto_endpoint, "cognito-idp")
    pool_id = cognito.create_user_pool(PoolName="p", UsernameAttributes=["email"])["UserPool"]["Id"]
    spa = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="spa",
        CallbackURLs=[CALLBACK],
        LogoutURLs=[LOGOUT],
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email", "profile"],
        AllowedOAuthFlowsUserPoolClient=True,
    )["UserPoolClient"]
    cognito.create_group(UserPoolId=pool_id, GroupName="john-inventory-dev")
    password = add_user(moto_endpoint, pool_id, "jane@example.com", "john-inventory-dev")
    info = UserPoolInfo(
        pool_id=pool_id,
        region="us-east-2",
        domain="acme-auth",
        clients={
            spa["ClientId"]: PoolClient(
                client_id=spa["ClientId"],
                name="spa",
                callback_urls=(CALLBACK,),
                logout_urls=(LOGOUT,),
                flows=("code",),
                scopes=("openid", "email", "profile"),
            )
        },
    )
    return {
        "info": info,
        "client_id": spa["ClientId"],
        "password": password,
        "endpoint": moto_endpoint,
        "cognito": cognito,
    }


@pytest.fixture
def ui(pool):
    return HostedUi(pool["info"], lambda: pool["cognito"], lambda url: url.replace(LOCAL, PUBLIC) if url else url)


def authorize_query(pool, verifier="v" * 50, **over):
    q = {
        "response_type": "code",
        "client_id": pool["client_id"],
        "redirect_uri": LOCAL + "/auth/callback",
        "scope": "openid email profile",
        "state": STATE,
        "code_challenge": s256(verifier),
        "code_challenge_method": "S256",
    }
    q.update(over)
    return {k: v for k, v in q.items() if v is not None}


def sign_in(ui, pool, q, password=None):
    status, headers, body = ui.handle(
        "POST",
        "/login?" + urlencode(q),
        {},
        urlencode({"username": "jane@example.com", "password": password or pool["password"]}).encode(),
    )
    return status, dict(headers), body


def location(headers):
    parts = urlsplit(headers["Location"])
    return f"{parts.scheme}://{parts.netloc}{parts.path}", {k: v[0] for k, v in parse_qs(parts.query).items()}


def exchange(ui, pool, code, verifier="v" * 50, redirect=LOCAL + "/auth/callback"):
    form = {
        "grant_type": "authorization_code",
        "client_id": pool["client_id"],
        "code": code,
        "redirect_uri": redirect,
        "code_verifier": verifier,
    }
    status, headers, body = ui.handle(
        "POST", "/oauth2/token", {"content-type": "application/x-www-form-urlencoded"}, urlencode(form).encode()
    )
    return status, json.loads(body)


def test_sign_in_pkce_and_state_give_the_emulators_tokens(ui, pool):
    q = authorize_query(pool)
    status, headers, _ = ui.handle("GET", "/oauth2/authorize?" + urlencode(q), {}, b"")
    assert status == 302 and dict(headers)["Location"].startswith("/login?")
    status, _, page = ui.handle("GET", dict(headers)["Location"], {}, b"")
    assert status == 200 and b"signInFormUsername" in page
    status, headers, _ = sign_in(ui, pool, q)
    target, params = location(headers)
    assert status == 302 and target == LOCAL + "/auth/callback" and params["state"] == STATE  # state unchanged
    status, tokens = exchange(ui, pool, params["code"])
    assert status == 200 and tokens["token_type"] == "Bearer" and tokens["refresh_token"]
    authorizer = JwtAuthorizer(
        pool["info"].issuer, (pool["client_id"],), jwks_fetcher(pool["endpoint"], pool["info"].issuer)
    )
    claims = authorizer.check(tokens["id_token"])
    assert claims["email"] == "jane@example.com" and claims["cognito:groups"] == ["john-inventory-dev"]
    assert authorizer.check(tokens["access_token"])["token_use"] == "access"
    with pytest.raises(TokenRejected, match="audience"):
        JwtAuthorizer(pool["info"].issuer, ("other-client",), authorizer.jwks).check(tokens["id_token"])


def test_wrong_verifier_missing_verifier_and_code_reuse_are_invalid_grant(ui, pool):
    for verifier in ("w" * 50, ""):
        _, headers, _ = sign_in(ui, pool, authorize_query(pool))
        code = location(headers)[1]["code"]
        assert exchange(ui, pool, code, verifier=verifier) == (400, {"error": "invalid_grant"})
        assert exchange(ui, pool, code)[1] == {"error": "invalid_grant"}  # the code was spent by the failed attempt
    _, headers, _ = sign_in(ui, pool, authorize_query(pool))
    code = location(headers)[1]["code"]
    assert exchange(ui, pool, code)[0] == 200
    assert exchange(ui, pool, code) == (400, {"error": "invalid_grant"})


def test_token_redirect_uri_must_equal_the_authorize_one(ui, pool):
    _, headers, _ = sign_in(ui, pool, authorize_query(pool))
    assert exchange(ui, pool, location(headers)[1]["code"], redirect=CALLBACK) == (400, {"error": "invalid_grant"})


@pytest.mark.parametrize(
    "redirect",
    [
        "http://127.0.0.1:9000/auth/callback/",
        "https://evil.example/auth/callback",
        "http://127.0.0.1:9001/auth/callback",
        None,
    ],
)
def test_a_redirect_uri_not_registered_is_an_error_page_never_a_redirect(ui, pool, redirect):
    status, headers, body = ui.handle(
        "GET", "/oauth2/authorize?" + urlencode(authorize_query(pool, redirect_uri=redirect)), {}, b""
    )
    assert status == 400 and "Location" not in dict(headers) and b"redirect_mismatch" in body


def test_unknown_client_is_an_error_page(ui, pool):
    status, headers, _ = ui.handle(
        "GET", "/oauth2/authorize?" + urlencode(authorize_query(pool, client_id="nope")), {}, b""
    )
    assert status == 400 and "Location" not in dict(headers)


@pytest.mark.parametrize(
    "over, error",
    [
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge_method": None}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "openid aws.cognito.signin.user.admin"}, "invalid_scope"),
    ],
)
def test_request_errors_go_back_to_the_callback_with_the_state(ui, pool, over, error):
    status, headers, _ = ui.handle("GET", "/oauth2/authorize?" + urlencode(authorize_query(pool, **over)), {}, b"")
    target, params = location(dict(headers))
    assert status == 302 and target == LOCAL + "/auth/callback"
    assert params["error"] == error and params["state"] == STATE


def test_wrong_password_shows_the_form_again(ui, pool):
    status, headers, body = sign_in(ui, pool, authorize_query(pool), password="Wrong-password-1")
    assert status == 200 and b"Incorrect username or password." in body and "Set-Cookie" not in headers


def test_single_sign_on_then_logout(ui, pool):
    _, headers, _ = sign_in(ui, pool, authorize_query(pool))
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    assert "HttpOnly" in headers["Set-Cookie"]
    status, again, _ = ui.handle(
        "GET", "/oauth2/authorize?" + urlencode(authorize_query(pool, state="other:/prod/")), {"cookie": cookie}, b""
    )
    target, params = location(dict(again))
    assert status == 302 and target == LOCAL + "/auth/callback" and params["state"] == "other:/prod/"
    assert exchange(ui, pool, params["code"])[0] == 200
    # logout: the sign-out URL must be registered; a good one ends the session
    bad = ui.handle(
        "GET",
        "/logout?" + urlencode({"client_id": pool["client_id"], "logout_uri": "https://evil.example/"}),
        {"cookie": cookie},
        b"",
    )
    assert bad[0] == 400 and "Location" not in dict(bad[1])
    status, out, _ = ui.handle(
        "GET",
        "/logout?" + urlencode({"client_id": pool["client_id"], "logout_uri": LOCAL + "/auth/logout"}),
        {"cookie": cookie},
        b"",
    )
    assert status == 302 and dict(out)["Location"] == LOCAL + "/auth/logout" and "Max-Age=0" in dict(out)["Set-Cookie"]
    status, out, _ = ui.handle("GET", "/oauth2/authorize?" + urlencode(authorize_query(pool)), {"cookie": cookie}, b"")
    assert dict(out)["Location"].startswith("/login?")


def test_refresh_then_revoke(ui, pool):
    _, headers, _ = sign_in(ui, pool, authorize_query(pool))
    tokens = exchange(ui, pool, location(headers)[1]["code"])[1]
    form = {"content-type": "application/x-www-form-urlencoded"}

    def refresh():
        status, _, body = ui.handle(
            "POST",
            "/oauth2/token",
            form,
            urlencode(
                {
                    "grant_type": "refresh_token",
                    "client_id": pool["client_id"],
                    "refresh_token": tokens["refresh_token"],
                }
            ).encode(),
        )
        return status, json.loads(body)

    status, fresh = refresh()
    assert status == 200 and fresh["id_token"] and "refresh_token" not in fresh
    status, _, body = ui.handle(
        "POST",
        "/oauth2/revoke",
        form,
        urlencode({"token": tokens["id_token"], "client_id": pool["client_id"]}).encode(),
    )
    assert (status, json.loads(body)) == (400, {"error": "unsupported_token_type"})
    status, _, body = ui.handle(
        "POST",
        "/oauth2/revoke",
        form,
        urlencode({"token": tokens["refresh_token"], "client_id": pool["client_id"]}).encode(),
    )
    assert (status, body) == (200, b"")
    assert refresh() == (400, {"error": "invalid_grant"})


def test_token_endpoint_errors(ui, pool):
    form = {"content-type": "application/x-www-form-urlencoded"}
    assert ui.handle("POST", "/oauth2/token", form, b"grant_type=authorization_code&client_id=nope")[0] == 400
    status, _, body = ui.handle(
        "POST", "/oauth2/token", form, urlencode({"grant_type": "password", "client_id": pool["client_id"]}).encode()
    )
    assert json.loads(body) == {"error": "unsupported_grant_type"}
    status, _, body = ui.handle("POST", "/oauth2/token", {"content-type": "application/json"}, b"{}")
    assert json.loads(body) == {"error": "invalid_request"}


JSON_HEADERS = [
    ("Content-Type", "application/json;charset=UTF-8"),
    ("Cache-Control", "no-store"),
    ("Pragma", "no-cache"),
    ("Access-Control-Allow-Origin", "*"),
]
INVALID_TOKEN = (
    401,
    [*JSON_HEADERS, ("WWW-Authenticate", 'Bearer error="invalid_token"')],
    {"error": "invalid_token", "error_description": "Access token is not valid"},
)


def user_info(ui, authorization=None):
    headers = {} if authorization is None else {"authorization": authorization}
    status, answer_headers, body = ui.handle("GET", "/oauth2/userInfo", headers, b"")
    return status, answer_headers, json.loads(body)


@pytest.mark.parametrize("scheme", ["Bearer ", "bearer ", "BEARER "])
def test_user_info_answers_the_users_attributes_and_name_for_an_access_token(ui, pool, scheme):
    _, headers, _ = sign_in(ui, pool, authorize_query(pool))
    tokens = exchange(ui, pool, location(headers)[1]["code"])[1]
    user = pool["cognito"].admin_get_user(UserPoolId=pool["info"].pool_id, Username="jane@example.com")
    expected = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert expected["email"] == "jane@example.com" and "sub" in expected  # the pool's own record, not ours
    assert user_info(ui, scheme + tokens["access_token"]) == (
        200,
        JSON_HEADERS,
        {**expected, "username": user["Username"]},
    )


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer ",
        "Bearer not-a-token",
        "Basic amFuZTpzZWNyZXQ=",
        "Bearer  {token}",
        "Bearer{token}",
        "{token}",
        "Bearer {id_token}",
    ],
)
def test_user_info_refuses_anything_but_a_bearer_access_token(ui, pool, authorization):
    _, headers, _ = sign_in(ui, pool, authorize_query(pool))
    tokens = exchange(ui, pool, location(headers)[1]["code"])[1]
    if authorization is not None:
        authorization = authorization.format(token=tokens["access_token"], id_token=tokens["id_token"])
    assert user_info(ui, authorization) == INVALID_TOKEN
