"""The local Cognito hosted UI against a moto user pool (AWS: Cognito "User pool endpoints" reference)."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import replace
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from edge_helpers import client, moto_endpoint  # noqa: F401 - fixture

from generator.local.edge.discover import _pools, clients, jwks_fetcher
from generator.local.edge.hosted_ui import HostedUi, PoolClient, UserPoolInfo, s256
from generator.local.edge.jwt_check import JwtAuthorizer, TokenRejected
from generator.local.edge.users import add_user

PUBLIC, LOCAL = "https://apps.example.com", "http://127.0.0.1:9000"
CALLBACK, LOGOUT = PUBLIC + "/auth/callback", PUBLIC + "/auth/logout"
STATE = "nonce0123456789abcdef:/john-inventory-dev/"
STATE_Q = "nonce0123456789abcdef%3A%2Fjohn-inventory-dev%2F"  # STATE form-encoded
FORM = {"content-type": "application/x-www-form-urlencoded"}
# RFC 7636 appendix B
VERIFIER, CHALLENGE = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
JSON_HEADERS = [
    ("Content-Type", "application/json;charset=UTF-8"),
    ("Cache-Control", "no-store"),
    ("Pragma", "no-cache"),
    ("Access-Control-Allow-Origin", "*"),
]
ERROR_P = "<p class=error>An error was encountered with the requested page.</p>"


def page(status, title, content, *extra):
    """A whole HTML answer of the hosted UI, written out."""
    body = (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{title}</title>"
        "<meta name=viewport content='width=device-width, initial-scale=1'>"
        "<style>body{font-family:sans-serif;max-width:24rem;margin:3rem auto}label{display:block;margin:.5rem 0}"
        "input{width:100%;padding:.4rem}.error{color:#b00}</style></head>"
        f"<body><main><h1>{title}</h1>{content}</main></body></html>"
    )
    return status, [("Content-Type", "text/html;charset=UTF-8"), ("Cache-Control", "no-store"), *extra], body.encode()


def redirect_answer(to, *extra):
    return 302, [("Location", to), ("Cache-Control", "no-store"), *extra], b""


def json_answer(status, body, *extra):
    return status, [*JSON_HEADERS, *extra], body


UNKNOWN_CLIENT = page(
    400, "Error", ERROR_P + "<p>error=invalid_request: client_id is not a client of this user pool</p>"
)
REDIRECT_MISMATCH = page(400, "Error", ERROR_P + "<p>error=redirect_mismatch</p>")


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
        "",
        None,
    ],
)
@pytest.mark.parametrize("method, path", [("GET", "/oauth2/authorize"), ("GET", "/login"), ("POST", "/login")])
def test_a_redirect_uri_not_registered_is_an_error_page_never_a_redirect(ui, pool, redirect, method, path):
    q = authorize_query(pool, redirect_uri=redirect)
    assert ui.handle(method, path + "?" + urlencode(q), {}, b"") == REDIRECT_MISMATCH


@pytest.mark.parametrize("client_id", ["nope", "", None])
@pytest.mark.parametrize("method, path", [("GET", "/oauth2/authorize"), ("GET", "/login"), ("POST", "/login")])
def test_an_unknown_or_missing_client_id_is_cognitos_error_page(ui, pool, client_id, method, path):
    q = authorize_query(pool, client_id=client_id)
    assert ui.handle(method, path + "?" + urlencode(q), {}, b"") == UNKNOWN_CLIENT


CALLBACK_Q = "http://127.0.0.1:9000/auth/callback?"
PKCE_ERROR = "error=invalid_request&error_description=code_challenge_method+must+be+S256"


@pytest.mark.parametrize(
    "over, query",
    [
        ({"code_challenge_method": "plain"}, PKCE_ERROR + "&state=" + STATE_Q),
        ({"code_challenge_method": None}, PKCE_ERROR + "&state=" + STATE_Q),
        ({"code_challenge": None}, PKCE_ERROR + "&state=" + STATE_Q),
        ({"code_challenge": ""}, PKCE_ERROR + "&state=" + STATE_Q),
        ({"code_challenge": None, "code_challenge_method": "plain"}, PKCE_ERROR + "&state=" + STATE_Q),
        ({"response_type": "token"}, "error=unsupported_response_type&state=" + STATE_Q),
        ({"response_type": None}, "error=unsupported_response_type&state=" + STATE_Q),
        ({"scope": "openid aws.cognito.signin.user.admin"}, "error=invalid_scope&state=" + STATE_Q),
        ({"scope": "phone", "state": None}, "error=invalid_scope"),
        ({"scope": "phone", "state": ""}, "error=invalid_scope&state="),
        ({"response_type": "token", "state": None}, "error=unsupported_response_type"),
        ({"code_challenge_method": "plain", "state": None}, PKCE_ERROR),
    ],
)
def test_request_errors_go_back_to_the_callback_with_the_state(ui, pool, over, query):
    """The state goes back as sent, blank included; without one, none is added."""
    answer = ui.handle("GET", "/oauth2/authorize?" + urlencode(authorize_query(pool, **over)), {}, b"")
    assert answer == redirect_answer(CALLBACK_Q + query)


@pytest.mark.parametrize(
    "over",
    [
        {"scope": None},
        {"scope": ""},
        {"code_challenge": None, "code_challenge_method": None},
        {"state": None},
    ],
)
def test_scope_pkce_and_state_are_optional(ui, pool, over):
    q = authorize_query(pool, **over)
    expected = "/login?" + urlencode(q)
    assert ui.handle("GET", "/oauth2/authorize?" + urlencode(q), {}, b"") == redirect_answer(expected)


def test_the_sign_in_page_is_the_form_posting_back_the_whole_request(ui, pool):
    q = {"client_id": pool["client_id"], "response_type": "code", "redirect_uri": LOCAL + "/auth/callback", "x": "<&>"}
    action = (
        "/login?client_id=" + pool["client_id"] + "&amp;response_type=code"
        "&amp;redirect_uri=http%3A%2F%2F127.0.0.1%3A9000%2Fauth%2Fcallback&amp;x=%3C%26%3E"
    )
    assert ui.handle("GET", "/login?" + urlencode(q), {}, b"") == page(
        200,
        "Sign in",
        f'<form method=post action="{action}" id=signInForm>'
        "<label>Email <input id=signInFormUsername name=username type=text autocomplete=username "
        "autofocus required></label><label>Password <input id=signInFormPassword name=password "
        "type=password autocomplete=current-password required></label>"
        "<button id=signInSubmitButton name=signInSubmitButton type=submit>Sign in</button></form>"
        f"<p><small>Local hosted UI for user pool {pool['info'].pool_id}</small></p>",
    )


def test_pkce_s256_is_rfc_7636s_example(ui, pool):
    assert s256(VERIFIER) == CHALLENGE
    for verifier, expected in ((VERIFIER, 200), (CHALLENGE, 400), (VERIFIER + "=", 400)):
        _, headers, _ = sign_in(ui, pool, authorize_query(pool, code_challenge=CHALLENGE))
        assert exchange(ui, pool, location(headers)[1]["code"], verifier=verifier)[0] == expected


def test_a_callback_url_with_a_query_gets_the_answer_appended_with_an_ampersand(pool):
    registered = "https://apps.example.com/cb?tenant=acme"
    spa = pool["info"].clients[pool["client_id"]]
    info = UserPoolInfo(
        pool["info"].pool_id, "us-east-2", None, {spa.client_id: replace(spa, callback_urls=(registered,))}
    )
    ui = HostedUi(info, lambda: pool["cognito"], lambda url: url)
    q = authorize_query(pool, redirect_uri=registered)
    error = ui.handle("GET", "/oauth2/authorize?" + urlencode({**q, "scope": "phone"}), {}, b"")
    assert error == redirect_answer(registered + "&error=invalid_scope&state=" + STATE_Q)
    _, headers, _ = sign_in(ui, pool, q)
    assert headers["Location"] == registered + "&code=" + code_in((0, headers)) + "&state=" + STATE_Q


def code_in(answer):
    """The code an answer redirects with: 32 URL-safe characters (24 random bytes)."""
    return re.fullmatch(r"[^?]*\?(?:.*&)?code=([\w-]{32})(?:&.*)?", dict(answer[1])["Location"]).group(1)


def session_in(answer):
    """The hosted-UI session id an answer sets: 43 URL-safe characters (32 random bytes)."""
    return re.fullmatch(r"cognito=([\w-]{43}); .*", dict(answer[1])["Set-Cookie"]).group(1)


@pytest.mark.parametrize("state, query", [(STATE, "&state=" + STATE_Q), ("", "&state="), (None, "")])
def test_signing_in_redirects_with_a_fresh_code_and_the_state_and_starts_a_session(ui, pool, state, query):
    q = authorize_query(pool, state=state)
    form = urlencode({"username": " jane@example.com ", "password": pool["password"]}).encode()
    answer = ui.handle("POST", "/login?" + urlencode(q), {}, form)
    code, sid = code_in(answer), session_in(answer)
    cookie = f"cognito={sid}; Path=/; HttpOnly; SameSite=Lax; Max-Age=3600"
    assert answer == redirect_answer(CALLBACK_Q + "code=" + code + query, ("Set-Cookie", cookie))
    again = ui.handle("GET", "/oauth2/authorize?" + urlencode(q), {"cookie": f"cognito={sid}"}, b"")
    assert again == redirect_answer(CALLBACK_Q + "code=" + code_in(again) + query) and code_in(again) != code


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
    # logout: the sign-out URL must be registered; a refused logout changes nothing, a good one ends the session
    bad = ui.handle(
        "GET",
        "/logout?" + urlencode({"client_id": pool["client_id"], "logout_uri": "https://evil.example/"}),
        {"cookie": cookie},
        b"",
    )
    assert bad == page(
        400, "Error", ERROR_P + "<p>error=invalid_request: logout_uri is not a sign-out URL of the client</p>"
    )
    assert "Set-Cookie" not in dict(bad[1])
    still = ui.handle("GET", "/oauth2/authorize?" + urlencode(authorize_query(pool)), {"cookie": cookie}, b"")
    assert still == redirect_answer(CALLBACK_Q + "code=" + code_in(still) + "&state=" + STATE_Q)
    status, out, _ = ui.handle(
        "GET",
        "/logout?" + urlencode({"client_id": pool["client_id"], "logout_uri": LOCAL + "/auth/logout"}),
        {"cookie": cookie},
        b"",
    )
    assert (status, out) == (
        302,
        [
            ("Location", LOCAL + "/auth/logout"),
            ("Cache-Control", "no-store"),
            ("Set-Cookie", "cognito=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
        ],
    )
    q = authorize_query(pool)
    gone = ui.handle("GET", "/oauth2/authorize?" + urlencode(q), {"cookie": cookie}, b"")
    assert gone == redirect_answer("/login?" + urlencode(q))


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


def test_a_client_with_a_secret_read_back_from_the_emulator_authenticates_with_http_basic(pool):
    """The whole chain: moto generates the secret, discover reads it, the token and revoke endpoints demand it."""
    cognito = pool["cognito"]
    created = cognito.create_user_pool_client(
        UserPoolId=pool["info"].pool_id,
        ClientName="server",
        GenerateSecret=True,
        CallbackURLs=[CALLBACK],
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid"],
        AllowedOAuthFlowsUserPoolClient=True,
    )["UserPoolClient"]
    client_id, secret = created["ClientId"], created["ClientSecret"]
    (info,) = [p for p in _pools(clients(pool["endpoint"]), ["us-east-2"]) if p.pool_id == pool["info"].pool_id]
    assert info.clients[client_id].secret == secret
    ui = HostedUi(info, lambda: cognito, lambda url: url.replace(LOCAL, PUBLIC) if url else url)
    q = authorize_query(pool, client_id=client_id, scope="openid")
    _, headers, _ = sign_in(ui, pool, q)
    code = location(headers)[1]["code"]
    basic = {**FORM, "authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}
    exchange_form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": q["redirect_uri"],
        "code_verifier": "v" * 50,
    }
    assert ui.handle("POST", "/oauth2/token", FORM, urlencode({**exchange_form, "client_id": client_id}).encode()) == (
        json_answer(400, b'{"error": "invalid_client"}')
    )
    status, answer_headers, body = ui.handle("POST", "/oauth2/token", basic, urlencode(exchange_form).encode())
    tokens = json.loads(body)
    assert (status, answer_headers) == (200, JSON_HEADERS) and tokens["token_type"] == "Bearer"
    authorizer = JwtAuthorizer(info.issuer, (client_id,), jwks_fetcher(pool["endpoint"], info.issuer))
    assert authorizer.check(tokens["id_token"])["email"] == "jane@example.com"
    refresh = urlencode({"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}).encode()
    status, _, body = ui.handle("POST", "/oauth2/token", basic, refresh)
    assert status == 200 and authorizer.check(json.loads(body)["id_token"])["email"] == "jane@example.com"
    revoke = urlencode({"token": tokens["refresh_token"]}).encode()
    assert ui.handle("POST", "/oauth2/revoke", FORM, revoke + b"&client_id=" + client_id.encode()) == json_answer(
        400, b'{"error": "invalid_client"}'
    )
    assert ui.handle("POST", "/oauth2/revoke", basic, revoke) == (
        200,
        [("Cache-Control", "no-store"), ("Access-Control-Allow-Origin", "*")],
        b"",
    )
    assert ui.handle("POST", "/oauth2/token", basic, refresh) == json_answer(400, b'{"error": "invalid_grant"}')


@pytest.mark.parametrize(
    "headers, form, error",
    [
        ({"content-type": "application/json"}, {"grant_type": "password"}, "invalid_request"),
        ({}, {"grant_type": "password"}, "invalid_request"),
        ({"content-type": "text/plain; application/x-www-form-urlencoded"}, {}, "invalid_request"),
        (FORM, {"grant_type": "authorization_code", "client_id": "nope"}, "invalid_client"),
        (FORM, {"grant_type": "authorization_code"}, "invalid_client"),
        (FORM, {"grant_type": "password", "client_id": "{client_id}"}, "unsupported_grant_type"),
        (FORM, {"client_id": "{client_id}"}, "unsupported_grant_type"),
        (
            {"content-type": "Application/X-WWW-Form-Urlencoded; charset=UTF-8"},
            {"grant_type": "client_credentials", "client_id": "{client_id}"},
            "unsupported_grant_type",
        ),
        (FORM, {"grant_type": "authorization_code", "client_id": "{client_id}"}, "invalid_grant"),
        (FORM, {"grant_type": "authorization_code", "client_id": "{client_id}", "code": "x"}, "invalid_grant"),
        (FORM, {"grant_type": "refresh_token", "client_id": "{client_id}"}, "invalid_grant"),
        (FORM, {"grant_type": "refresh_token", "client_id": "{client_id}", "refresh_token": "x"}, "invalid_grant"),
    ],
)
def test_token_endpoint_errors_are_400_json(ui, pool, headers, form, error):
    body = urlencode({k: v.format(client_id=pool["client_id"]) for k, v in form.items()}).encode()
    expected = json_answer(400, b'{"error": "' + error.encode() + b'"}')
    assert ui.handle("POST", "/oauth2/token", headers, body) == expected


def test_form_fields_keep_blanks_take_the_first_of_a_repeated_name_and_survive_bad_utf8(pool):
    """Also: the token log never holds the code verifier or the refresh token."""
    entries = []
    ui = HostedUi(pool["info"], lambda: pool["cognito"], lambda url: url, entries.append)
    body = (
        b"grant_type=password&grant_type=authorization_code&scope=&client_id="
        + pool["client_id"].encode()
        + b"&x=caf\xe9&code_verifier=v&refresh_token=r"
    )
    assert ui.handle("POST", "/oauth2/token", FORM, body) == json_answer(400, b'{"error": "unsupported_grant_type"}')
    assert entries == [
        {"endpoint": "token", "grant_type": "password", "scope": "", "client_id": pool["client_id"], "x": "caf\ufffd"}
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
        "Token: {token}",
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
