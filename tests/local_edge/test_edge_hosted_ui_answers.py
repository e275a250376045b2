"""The local Cognito hosted UI's whole answers against a scripted Cognito: exact tokens, calls, errors and clocks.

A scripted ``cognito()`` (no moto) answers with literal tokens, so token bodies can be compared byte for byte,
and can fail with any Cognito error code or a challenge, which a moto pool does not do on demand.
"""

from __future__ import annotations

import base64
from urllib.parse import quote_plus, urlencode

import pytest
from botocore.exceptions import ClientError
from test_edge_hosted_ui import (
    CHALLENGE,
    ERROR_P,
    FORM,
    INVALID_TOKEN,
    REDIRECT_MISMATCH,
    UNKNOWN_CLIENT,
    VERIFIER,
    code_in,
    json_answer,
    page,
    redirect_answer,
    session_in,
)

from generator.local.edge import hosted_ui
from generator.local.edge.hosted_ui import HostedUi, PoolClient, UserPoolInfo

CB, OUT = "https://apps.example.com/cb", "https://apps.example.com/out"
POOL_ID = "us-east-2_Stub"
TOKENS = {"IdToken": "id.1.x", "AccessToken": "ac.1.x", "RefreshToken": "refresh-1", "ExpiresIn": 900}
RESULT = {"AuthenticationResult": TOKENS}
CLEAR = ("Set-Cookie", "cognito=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
INCORRECT = "<p class=error id=loginErrorMessage>Incorrect username or password.</p>"


class Cognito:
    """Answers ``admin_initiate_auth`` from a script (a result dict, or an exception to raise); records the calls.
    ``get_user`` answers one user and records its calls apart."""

    def __init__(self, *script):
        self.script, self.calls, self.user_calls = list(script), [], []

    def get_user(self, **kwargs):
        """GetUser: always the same user (``user_calls`` records what was asked)."""
        self.user_calls.append(kwargs)
        return {"Username": "jane", "UserAttributes": [{"Name": "email", "Value": "jane@example.com"}]}

    def admin_initiate_auth(self, **kwargs):
        self.calls.append(kwargs)
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        return step


def refused(code):
    return ClientError({"Error": {"Code": code, "Message": "no"}}, "AdminInitiateAuth")


def password_call(username="jane@example.com", password="pw", client_id="c1"):
    return {
        "UserPoolId": POOL_ID,
        "ClientId": client_id,
        "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": username, "PASSWORD": password},
    }


def refresh_call(token="refresh-1", client_id="c1"):
    return {
        "UserPoolId": POOL_ID,
        "ClientId": client_id,
        "AuthFlow": "REFRESH_TOKEN_AUTH",
        "AuthParameters": {"REFRESH_TOKEN": token},
    }


def client(client_id, **over):
    return PoolClient(client_id, client_id, (CB,), (OUT,), ("code",), ("openid", "email"), **over)


# A secret with characters RFC 6749 section 2.3.1 form-urlencodes before base64: a colon, a plus, a space, a percent,
# a slash, a letter outside ASCII (UTF-8 first).
SECRET = "7k:e+c r%t/Zé"
INFO = UserPoolInfo(
    POOL_ID,
    "us-east-2",
    "acme",
    {
        "c1": client("c1"),
        "c2": client("c2", token_revocation=False),
        "c3": client("c3"),
        "cs": client("cs", secret=SECRET),
    },
)


@pytest.fixture
def scripted():
    """A hosted UI on a scripted Cognito: ``scripted(*steps)`` -> (ui, cognito, log entries)."""

    def make(*script):
        cognito, entries = Cognito(*script), []
        return HostedUi(INFO, lambda: cognito, lambda url: url, entries.append), cognito, entries

    return make


def query(client_id="c1", **over):
    q = {"response_type": "code", "client_id": client_id, "redirect_uri": CB, "scope": "openid", "state": "s1"}
    return {k: v for k, v in {**q, **over}.items() if v is not None}


def login(ui, q, username="jane@example.com", password="pw"):
    body = urlencode({"username": username, "password": password}).encode()
    return ui.handle("POST", "/login?" + urlencode(q), {}, body)


def cookie_of(answer):
    """The ``Cookie`` header value that sends back the session an answer set."""
    return "cognito=" + session_in(answer)


def post(ui, path, form, headers=FORM):
    return ui.handle("POST", path, headers, urlencode(form).encode())


def exchange(ui, code, client_id="c1", redirect_uri=CB, **extra):
    form = {"grant_type": "authorization_code", "client_id": client_id, "code": code, "redirect_uri": redirect_uri}
    return post(ui, "/oauth2/token", {**form, **extra})


def refresh(ui, token="refresh-1", client_id="c1", headers=FORM, **extra):
    form = {"grant_type": "refresh_token", "client_id": client_id, "refresh_token": token, **extra}
    return post(ui, "/oauth2/token", {k: v for k, v in form.items() if v is not None}, headers)


def revoke(ui, token="refresh-1", client_id="c1", headers=FORM, **extra):
    form = {"token": token, "client_id": client_id, **extra}
    return post(ui, "/oauth2/revoke", {k: v for k, v in form.items() if v}, headers)


def basic(client_id, secret):
    """The headers of a form sent with client_secret_basic: id and secret form-urlencoded, then base64."""
    raw = quote_plus(client_id) + ":" + quote_plus(secret)
    return {**FORM, "authorization": "Basic " + base64.b64encode(raw.encode()).decode()}


def raw_basic(credentials):
    """The headers of a form with ``Authorization: Basic`` and these exact credentials (bytes before base64)."""
    return {**FORM, "authorization": "Basic " + base64.b64encode(credentials).decode()}


def error(name):
    return json_answer(400, b'{"error": "' + name.encode() + b'"}')


def sign_in_page(q_action, message=""):
    return page(
        200,
        "Sign in",
        f'{message}<form method=post action="{q_action}" id=signInForm>'
        "<label>Email <input id=signInFormUsername name=username type=text autocomplete=username "
        "autofocus required></label><label>Password <input id=signInFormPassword name=password "
        "type=password autocomplete=current-password required></label>"
        "<button id=signInSubmitButton name=signInSubmitButton type=submit>Sign in</button></form>"
        f"<p><small>Local hosted UI for user pool {POOL_ID}</small></p>",
    )


ACTION = "/login?response_type=code&amp;client_id=c1&amp;redirect_uri=https%3A%2F%2Fapps.example.com%2Fcb&amp;scope=openid&amp;state=s1"
LOGIN_Q = (
    "/login?response_type=code&client_id=c1&redirect_uri=https%3A%2F%2Fapps.example.com%2Fcb&scope=openid&state=s1"
)
ID_ACCESS = b'{"id_token": "id.1.x", "access_token": "ac.1.x", '
EXCHANGED = ID_ACCESS + b'"refresh_token": "refresh-1", "expires_in": 900, "token_type": "Bearer"}'


# ---------------------------------------------------------------- sign-in and the code


def test_the_code_gives_cognitos_tokens_as_they_came_once(scripted):
    ui, cognito, entries = scripted(RESULT)
    answer = login(ui, query(), username=" jane@example.com ")
    assert cognito.calls == [password_call()]
    assert entries == [{"endpoint": "login", "username": "jane@example.com"}]  # never the password
    code = code_in(answer)
    assert exchange(ui, code) == json_answer(200, EXCHANGED)
    assert exchange(ui, code) == error("invalid_grant")


def test_expires_in_is_an_hour_when_cognito_does_not_say(scripted):
    ui, _, _ = scripted({"AuthenticationResult": {k: v for k, v in TOKENS.items() if k != "ExpiresIn"}})
    expected = ID_ACCESS + b'"refresh_token": "refresh-1", "expires_in": 3600, "token_type": "Bearer"}'
    assert exchange(ui, code_in(login(ui, query()))) == json_answer(200, expected)


@pytest.mark.parametrize("code", ["NotAuthorizedException", "UserNotFoundException", "ResourceNotFoundException"])
def test_a_refused_sign_in_shows_the_form_again_with_cognitos_message(scripted, code):
    ui, cognito, _ = scripted(refused(code))
    assert login(ui, query(), password="bad") == sign_in_page(ACTION, INCORRECT)
    assert cognito.calls == [password_call(password="bad")]


class OddFailure(Exception):
    response: dict = {}  # a response, but no Cognito error code in it


@pytest.mark.parametrize(
    "failure", [refused("InternalErrorException"), RuntimeError("emulator down"), OddFailure("no code")]
)
def test_any_other_failure_of_the_sign_in_is_raised_not_hidden(scripted, failure):
    ui, _, _ = scripted(failure)
    with pytest.raises(type(failure)):
        login(ui, query())


def test_a_form_without_credentials_is_still_sent_to_cognito_as_blanks(scripted):
    ui, cognito, _ = scripted(refused("NotAuthorizedException"), refused("NotAuthorizedException"))
    assert ui.handle("POST", LOGIN_Q, {}, b"") == sign_in_page(ACTION, INCORRECT)
    assert ui.handle("POST", LOGIN_Q, {}, b"username=&password=") == sign_in_page(ACTION, INCORRECT)
    assert cognito.calls == [password_call("", ""), password_call("", "")]


def test_a_user_with_a_pending_challenge_is_told_to_use_local_user_add(scripted):
    ui, _, _ = scripted({"ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": "x"})
    message = (
        "<p class=error id=loginErrorMessage>This user must first complete the NEW_PASSWORD_REQUIRED challenge, "
        "which the local hosted UI does not offer (use `local user add`).</p>"
    )
    assert login(ui, query()) == sign_in_page(ACTION, message)


@pytest.mark.parametrize(
    "over", [{"client_id": "c2"}, {"client_id": "c3"}, {"redirect_uri": CB + "/"}, {"redirect_uri": ""}]
)
def test_a_code_is_only_for_its_client_and_redirect_uri(scripted, over):
    ui, _, _ = scripted(RESULT)
    assert exchange(ui, code_in(login(ui, query())), **over) == error("invalid_grant")


@pytest.mark.parametrize("verifier, good", [(None, False), ("", False), (CHALLENGE, False), (VERIFIER, True)])
def test_a_code_with_a_challenge_needs_its_verifier(scripted, verifier, good):
    ui, _, _ = scripted(RESULT)
    code = code_in(login(ui, query(code_challenge=CHALLENGE, code_challenge_method="S256")))
    extra = {} if verifier is None else {"code_verifier": verifier}
    assert exchange(ui, code, **extra) == (json_answer(200, EXCHANGED) if good else error("invalid_grant"))


def test_a_missing_verifier_does_not_meet_the_challenge_of_the_empty_string(scripted):
    ui, _, _ = scripted(RESULT)
    empty = "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"  # BASE64URL(SHA256(""))
    code = code_in(login(ui, query(code_challenge=empty, code_challenge_method="S256")))
    assert exchange(ui, code) == error("invalid_grant")


def test_without_a_challenge_the_code_needs_no_verifier(scripted):
    ui, _, _ = scripted(RESULT, RESULT)
    assert exchange(ui, code_in(login(ui, query())), code_verifier="x") == json_answer(200, EXCHANGED)
    form = {"grant_type": "authorization_code", "client_id": "c1", "code": code_in(login(ui, query()))}
    assert post(ui, "/oauth2/token", form) == error("invalid_grant")  # redirect_uri is still required


class Clock:
    def __init__(self, now):
        self.now = now

    def time(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    """The module's clock, and the codes' creation time (bound to ``time.time`` at import) on it."""
    clock = Clock(1_000_000.0)
    monkeypatch.setattr(hosted_ui, "time", clock)
    grant = hosted_ui._Grant
    monkeypatch.setattr(hosted_ui, "_Grant", lambda *args: grant(*args, created=clock.now))
    return clock


@pytest.mark.parametrize("age, good", [(0, True), (299.999, True), (300, True), (300.001, False), (-1, True)])
def test_a_code_is_good_for_300_seconds(scripted, clock, age, good):
    ui, _, _ = scripted(RESULT)
    code = code_in(login(ui, query()))
    clock.now += age
    assert exchange(ui, code) == (json_answer(200, EXCHANGED) if good else error("invalid_grant"))


@pytest.mark.parametrize("age, good", [(0, True), (3599.999, True), (3600, False), (7200, False)])
def test_the_hosted_ui_session_lasts_an_hour(scripted, clock, age, good):
    """Within the hour, /oauth2/authorize signs in again with the remembered password (single sign-on)."""
    ui, cognito, _ = scripted(RESULT, RESULT)
    cookie = cookie_of(login(ui, query(state="s1")))
    clock.now += age
    answer = ui.handle("GET", "/oauth2/authorize?" + urlencode(query()), {"cookie": "a=b; " + cookie + "; c=d"}, b"")
    if good:
        assert answer == redirect_answer(CB + "?code=" + code_in(answer) + "&state=s1")
        assert cognito.calls == [password_call(), password_call()]
    else:
        assert answer == redirect_answer(LOGIN_Q) and len(cognito.calls) == 1


@pytest.mark.parametrize("cookie", ["cognito=unknown", "other=1", "cognito=", "garbage"])
def test_an_unknown_session_goes_to_the_sign_in_page(scripted, cookie):
    ui, cognito, _ = scripted()
    assert ui.handle("GET", "/oauth2/authorize?" + urlencode(query()), {"cookie": cookie}, b"") == redirect_answer(
        LOGIN_Q
    )
    assert cognito.calls == []


def test_a_session_whose_password_no_longer_works_goes_to_the_sign_in_page(scripted):
    ui, _, entries = scripted(RESULT, refused("NotAuthorizedException"))
    cookie = cookie_of(login(ui, query()))
    assert ui.handle("GET", "/oauth2/authorize?" + urlencode(query()), {"cookie": cookie}, b"") == redirect_answer(
        LOGIN_Q
    )
    assert entries[-1] == {"endpoint": "authorize", **query()}


# ---------------------------------------------------------------- refresh and revoke


def test_a_refresh_token_gives_new_id_and_access_tokens_to_its_client_only(scripted):
    fresh = {"IdToken": "id.2.x", "AccessToken": "ac.2.x"}
    ui, cognito, entries = scripted(RESULT, {"AuthenticationResult": fresh})
    login(ui, query())
    assert refresh(ui, client_id="c2") == error("invalid_grant")
    assert refresh(ui, token="refresh-2") == error("invalid_grant")
    expected = b'{"id_token": "id.2.x", "access_token": "ac.2.x", "expires_in": 3600, "token_type": "Bearer"}'
    assert refresh(ui) == json_answer(200, expected)
    assert cognito.calls == [password_call(), refresh_call()]
    assert entries[-1] == {"endpoint": "token", "grant_type": "refresh_token", "client_id": "c1"}


def test_a_refresh_passes_on_cognitos_expires_in(scripted):
    fresh = {"IdToken": "id.2.x", "AccessToken": "ac.2.x", "ExpiresIn": 1800}
    ui, _, _ = scripted(RESULT, {"AuthenticationResult": fresh})
    login(ui, query())
    expected = b'{"id_token": "id.2.x", "access_token": "ac.2.x", "expires_in": 1800, "token_type": "Bearer"}'
    assert refresh(ui) == json_answer(200, expected)


def test_a_refresh_cognito_refuses_is_invalid_grant(scripted):
    ui, _, _ = scripted(RESULT, refused("NotAuthorizedException"))
    login(ui, query())
    assert refresh(ui) == error("invalid_grant")


def test_a_sign_in_without_a_refresh_token_records_none(scripted):
    ui, cognito, _ = scripted({"AuthenticationResult": {"IdToken": "i", "AccessToken": "a", "RefreshToken": ""}})
    login(ui, query())
    assert refresh(ui, token="") == error("invalid_grant") and len(cognito.calls) == 1


REVOKED = (200, [("Cache-Control", "no-store"), ("Access-Control-Allow-Origin", "*")], b"")


def test_revoking_a_refresh_token_ends_its_refresh_grants(scripted):
    ui, cognito, entries = scripted(RESULT)
    login(ui, query())
    assert revoke(ui) == REVOKED
    assert entries[-1] == {"endpoint": "revoke", "client_id": "c1"}  # never the token
    assert refresh(ui) == error("invalid_grant") and len(cognito.calls) == 1


@pytest.mark.parametrize(
    "token, client_id, answer",
    [
        (None, "c1", error("invalid_request")),
        (None, "nope", error("invalid_request")),
        ("refresh-1", None, error("invalid_client")),
        ("refresh-1", "nope", error("invalid_client")),
        ("refresh-1", "c2", error("invalid_request")),  # revocation off for c2
        ("a.b.c", "c1", error("unsupported_token_type")),
        ("a..", "c1", error("unsupported_token_type")),
        ("a.b", "c1", REVOKED),
        ("a.b.c.d", "c1", REVOKED),
        ("never-issued", "c1", REVOKED),
    ],
)
def test_revoke_answers(scripted, token, client_id, answer):
    ui, _, _ = scripted(RESULT, RESULT)
    login(ui, query())
    assert revoke(ui, token, client_id) == answer
    assert refresh(ui)[0] == 200  # refresh-1 is still good


@pytest.mark.parametrize("content_type", [None, "application/json", "text/plain"])
def test_revoke_takes_only_a_form(scripted, content_type):
    ui, _, _ = scripted(RESULT, RESULT)
    login(ui, query())
    headers = {} if content_type is None else {"content-type": content_type}
    assert post(ui, "/oauth2/revoke", {"token": "refresh-1", "client_id": "c1"}, headers) == error("invalid_request")
    assert refresh(ui)[0] == 200  # not revoked


def test_a_client_cannot_revoke_another_clients_refresh_token(scripted):
    ui, _, _ = scripted(RESULT, RESULT)
    login(ui, query())
    assert revoke(ui, client_id="c3") == error("invalid_request")
    assert refresh(ui)[0] == 200


# ---------------------------------------------------------------- client authentication


def code_form(code, form):
    """The form of a code exchange: the code and its redirect URI, then ``form`` (the client's fields, if any)."""
    return {"grant_type": "authorization_code", "code": code, "redirect_uri": CB, **form}


@pytest.mark.parametrize(
    "form, headers",
    [
        ({}, basic("cs", SECRET)),  # client_secret_basic
        ({"client_id": "cs"}, basic("cs", SECRET)),  # the form's client_id, the same id
        ({}, {**FORM, "authorization": "basic " + basic("cs", SECRET)["authorization"][6:]}),  # any case
        ({}, {**FORM, "authorization": "BASIC  " + basic("cs", SECRET)["authorization"][6:] + " "}),
        ({}, raw_basic(b"%63%73:" + quote_plus(SECRET).encode())),  # the id percent-encoded too
        ({}, raw_basic(b"cs:7k%3Ae%2Bc+r%25t%2FZ%C3%A9")),  # a space as "+", the rest as %XX
        ({}, raw_basic(b"cs:7k:e%2Bc+r%25t%2FZ%C3%A9")),  # the colon left as it is: the id ends at the first one
        ({}, raw_basic(b"cs:7k%3Ae%2Bc+r%25t%2FZ" + "é".encode())),  # UTF-8 left as it is
        ({"client_id": "cs", "client_secret": SECRET}, FORM),  # client_secret_post
    ],
)
def test_a_client_with_a_secret_authenticates_with_basic_or_in_the_form(scripted, form, headers):
    ui, cognito, _ = scripted(RESULT)
    code = code_in(login(ui, query("cs")))
    assert post(ui, "/oauth2/token", code_form(code, form), headers) == json_answer(200, EXCHANGED)
    assert cognito.calls == [password_call(client_id="cs")]


@pytest.mark.parametrize(
    "form, headers",
    [
        ({"client_id": "cs"}, FORM),  # no secret at all
        ({"client_id": "cs", "client_secret": ""}, FORM),
        ({"client_id": "cs", "client_secret": "wrong"}, FORM),
        ({"client_id": "cs", "client_secret": SECRET + " "}, FORM),
        ({"client_id": "cs", "client_secret": SECRET[:-1]}, FORM),
        ({}, basic("cs", "wrong")),
        ({}, basic("cs", "")),
        ({}, basic("cs", SECRET.upper())),
        ({}, raw_basic(b"cs:" + SECRET.encode())),  # not form-urlencoded: "+" reads as a space
        ({}, raw_basic(b"cs")),  # no colon
        ({}, raw_basic(b"cs" + quote_plus(SECRET).encode())),  # no colon, the secret glued on
        ({}, raw_basic(b"c\xffs:" + quote_plus(SECRET).encode())),  # not UTF-8
        ({}, {**FORM, "authorization": "Basic !!!"}),  # not base64
        ({}, {**FORM, "authorization": "Basic Y3M6!" + basic("cs", SECRET)["authorization"][10:]}),  # a stray "!"
        ({}, raw_basic(b"cs:7k%3Ae%2Bc+r%25t%2FZ" + "é".encode("latin-1"))),  # Latin-1, not UTF-8
        ({}, {**FORM, "authorization": "Basic " + basic("cs", SECRET)["authorization"][6:].rstrip("=")}),  # no padding
        ({}, {**FORM, "authorization": "Basic"}),
        ({}, {**FORM, "authorization": "Bearer " + basic("cs", SECRET)["authorization"][6:]}),  # not Basic
        ({}, {**FORM, "authorization": basic("cs", SECRET)["authorization"][6:]}),  # no scheme
        ({}, basic("nope", SECRET)),  # no such client
        ({}, basic("", SECRET)),
        ({"client_id": "c1"}, basic("cs", SECRET)),  # Basic and the form disagree
        ({"client_id": ""}, basic("cs", SECRET)),
        ({"client_secret": SECRET}, basic("cs", SECRET)),  # two methods at once (RFC 6749: MUST NOT)
        ({"client_id": "cs", "client_secret": SECRET}, basic("cs", SECRET)),
        ({"client_id": "cs", "client_secret": SECRET}, basic("cs", "wrong")),
    ],
)
def test_a_client_with_a_secret_that_does_not_authenticate_is_invalid_client_and_the_code_is_kept(
    scripted, form, headers
):
    ui, _, _ = scripted(RESULT)
    code = code_in(login(ui, query("cs")))
    assert post(ui, "/oauth2/token", code_form(code, form), headers) == error("invalid_client")
    assert exchange(ui, code, client_id="cs", client_secret=SECRET) == json_answer(200, EXCHANGED)


@pytest.mark.parametrize(
    "form, headers",
    [
        ({"client_id": "c1"}, FORM),
        ({"client_id": "c1", "client_secret": ""}, FORM),  # RFC 6749: the empty secret may be sent or left out
        ({}, basic("c1", "")),
        ({"client_id": "c1"}, basic("c1", "")),
        ({}, raw_basic(b"%631:")),
        ({"client_id": "c1"}, {**FORM, "authorization": ""}),  # an empty header is no header
    ],
)
def test_a_client_without_a_secret_sends_its_id_in_the_form_or_with_an_empty_basic_secret(scripted, form, headers):
    ui, _, _ = scripted(RESULT)
    code = code_in(login(ui, query()))
    assert post(ui, "/oauth2/token", code_form(code, form), headers) == json_answer(200, EXCHANGED)


@pytest.mark.parametrize(
    "form, headers",
    [
        ({"client_id": "c1", "client_secret": "x"}, FORM),
        ({"client_id": "c1", "client_secret": SECRET}, FORM),  # another client's secret
        ({}, basic("c1", "x")),
        ({}, raw_basic(b"c1")),
        ({"client_id": "c1"}, raw_basic(b"c1")),
        ({"client_id": "c1", "client_secret": ""}, basic("c1", "")),  # two methods at once
    ],
)
def test_a_client_without_a_secret_given_one_is_invalid_client(scripted, form, headers):
    """It has the empty secret, so any other secret is wrong (Cognito answers invalid_client too)."""
    ui, _, _ = scripted(RESULT)
    code = code_in(login(ui, query()))
    assert post(ui, "/oauth2/token", code_form(code, form), headers) == error("invalid_client")
    assert exchange(ui, code) == json_answer(200, EXCHANGED)


def test_a_refresh_by_a_client_with_a_secret_needs_the_secret(scripted):
    fresh = {"IdToken": "id.2.x", "AccessToken": "ac.2.x"}
    ui, cognito, _ = scripted(RESULT, {"AuthenticationResult": fresh}, {"AuthenticationResult": fresh})
    login(ui, query("cs"))
    expected = json_answer(
        200, b'{"id_token": "id.2.x", "access_token": "ac.2.x", "expires_in": 3600, "token_type": "Bearer"}'
    )
    assert refresh(ui, client_id="cs") == error("invalid_client")
    assert refresh(ui, client_id="cs", client_secret="wrong") == error("invalid_client")
    assert refresh(ui, client_id=None, headers=basic("cs", "wrong")) == error("invalid_client")
    assert refresh(ui, client_id="c1", headers=basic("cs", SECRET)) == error("invalid_client")
    assert refresh(ui, client_id="c1") == error("invalid_grant")  # not c1's refresh token
    assert refresh(ui, client_id=None, headers=basic("cs", SECRET)) == expected
    assert refresh(ui, client_id="cs", client_secret=SECRET) == expected
    assert cognito.calls == [password_call(client_id="cs"), refresh_call(client_id="cs"), refresh_call(client_id="cs")]


def test_a_revoke_by_a_client_with_a_secret_needs_the_secret(scripted):
    ui, cognito, _ = scripted(RESULT)
    login(ui, query("cs"))
    assert revoke(ui, client_id="cs") == error("invalid_client")
    assert revoke(ui, client_id="cs", client_secret="wrong") == error("invalid_client")
    assert revoke(ui, client_id=None, headers=basic("cs", "wrong")) == error("invalid_client")
    assert revoke(ui, client_id="c1", headers=basic("cs", SECRET)) == error("invalid_client")
    assert revoke(ui, client_id=None, headers=raw_basic(b"cs")) == error("invalid_client")
    assert revoke(ui, client_id="c1") == error("invalid_request")  # not c1's refresh token
    assert revoke(ui, client_id=None, headers=basic("cs", SECRET)) == REVOKED
    assert refresh(ui, client_id="cs", client_secret=SECRET) == error("invalid_grant") and len(cognito.calls) == 1


def test_a_revoke_by_a_client_with_a_secret_in_the_form_is_revoked(scripted):
    ui, cognito, _ = scripted(RESULT)
    login(ui, query("cs"))
    assert revoke(ui, client_id="cs", client_secret=SECRET) == REVOKED
    assert (
        refresh(ui, client_id=None, headers=basic("cs", SECRET)) == error("invalid_grant") and len(cognito.calls) == 1
    )


def test_the_log_never_holds_the_client_secret_nor_the_authorization_header(scripted):
    fresh = {"IdToken": "id.2.x", "AccessToken": "ac.2.x"}
    ui, _, entries = scripted(RESULT, {"AuthenticationResult": fresh})
    code = code_in(login(ui, query("cs")))
    assert exchange(ui, code, client_id="cs", client_secret=SECRET)[0] == 200
    headers = basic("cs", SECRET)
    assert refresh(ui, client_id=None, headers=headers)[0] == 200
    assert revoke(ui, client_id=None, headers=headers) == REVOKED
    assert revoke(ui, client_id="cs", client_secret=SECRET) == REVOKED
    assert post(ui, "/oauth2/token", {"grant_type": "x", "client_secret": SECRET}, basic("cs", "wrong")) == error(
        "invalid_client"
    )
    assert entries[1:] == [
        {"endpoint": "token", "grant_type": "authorization_code", "client_id": "cs", "code": code, "redirect_uri": CB},
        {"endpoint": "token", "grant_type": "refresh_token"},
        {"endpoint": "revoke", "client_id": None},
        {"endpoint": "revoke", "client_id": "cs"},
        {"endpoint": "token", "grant_type": "x"},
    ]
    logged = repr(entries)
    assert SECRET not in logged and quote_plus(SECRET) not in logged and headers["authorization"][6:] not in logged


# ---------------------------------------------------------------- logout


def logout(ui, cookie=None, **q):
    return ui.handle("GET", "/logout?" + urlencode(q), {"cookie": cookie} if cookie else {}, b"")


def signed_in(scripted):
    ui, cognito, entries = scripted(RESULT, RESULT)
    return ui, cookie_of(login(ui, query())), entries


def still_signed_in(ui, cookie):
    """Whether the session still gives single sign-on: /oauth2/authorize answers a code at once, or the sign-in page."""
    answer = ui.handle("GET", "/oauth2/authorize?" + urlencode(query()), {"cookie": cookie}, b"")
    if answer == redirect_answer(LOGIN_Q):
        return False
    assert answer == redirect_answer(CB + "?code=" + code_in(answer) + "&state=s1")
    return True


def test_logout_to_a_sign_out_url_ends_the_session(scripted):
    ui, cookie, entries = signed_in(scripted)
    assert logout(ui, cookie, client_id="c1", logout_uri=OUT) == redirect_answer(OUT, CLEAR)
    assert entries[-1] == {"endpoint": "logout", "client_id": "c1", "logout_uri": OUT}
    assert not still_signed_in(ui, cookie)


def test_logout_without_a_session_still_clears_the_cookie(scripted):
    ui, _, _ = scripted()
    assert logout(ui, client_id="c1", logout_uri=OUT) == redirect_answer(OUT, CLEAR)
    assert logout(ui, "cognito=unknown", client_id="c1", logout_uri=OUT) == redirect_answer(OUT, CLEAR)


def test_logout_ends_only_the_session_it_is_sent(scripted):
    ui, cognito, _ = scripted(RESULT, RESULT, RESULT)
    mine, other = cookie_of(login(ui, query())), cookie_of(login(ui, query()))
    assert logout(ui, mine, client_id="c1", logout_uri=OUT) == redirect_answer(OUT, CLEAR)
    assert not still_signed_in(ui, mine) and still_signed_in(ui, other)
    assert len(cognito.calls) == 3


@pytest.mark.parametrize("logout_uri", ["https://evil.example/", "", OUT + "/"])
def test_logout_to_anything_else_is_an_error_page_that_keeps_the_session(scripted, logout_uri):
    ui, cookie, _ = signed_in(scripted)
    expected = page(
        400, "Error", ERROR_P + "<p>error=invalid_request: logout_uri is not a sign-out URL of the client</p>"
    )
    assert logout(ui, cookie, client_id="c1", logout_uri=logout_uri) == expected
    assert still_signed_in(ui, cookie)


@pytest.mark.parametrize(
    "q", [{}, {"redirect_uri": CB}, {"response_type": "code"}, {"redirect_uri": "", "response_type": "code"}]
)
def test_logout_without_somewhere_to_go_is_an_error_page_that_keeps_the_session(scripted, q):
    ui, cookie, _ = signed_in(scripted)
    expected = page(400, "Error", ERROR_P + "<p>error=invalid_request: logout_uri or redirect_uri is required</p>")
    assert logout(ui, cookie, client_id="c1", **q) == expected
    assert still_signed_in(ui, cookie)


def test_logout_with_a_redirect_uri_goes_to_the_sign_in_page(scripted):
    ui, cookie, _ = signed_in(scripted)
    q = {"client_id": "c1", "redirect_uri": CB, "response_type": "code", "state": "s1"}
    login_q = "/login?client_id=c1&redirect_uri=https%3A%2F%2Fapps.example.com%2Fcb&response_type=code&state=s1"
    assert logout(ui, cookie, **q) == redirect_answer(login_q, CLEAR)
    assert not still_signed_in(ui, cookie)


@pytest.mark.parametrize(
    "q, answer",
    [
        ({"redirect_uri": OUT, "response_type": "code"}, REDIRECT_MISMATCH),
        (
            {"redirect_uri": CB, "response_type": "token", "state": "s"},
            redirect_answer(CB + "?error=unsupported_response_type&state=s"),
        ),
        ({"redirect_uri": CB, "response_type": "code", "scope": "phone"}, redirect_answer(CB + "?error=invalid_scope")),
        (
            {"redirect_uri": CB, "response_type": "code", "code_challenge_method": "plain"},
            redirect_answer(CB + "?error=invalid_request&error_description=code_challenge_method+must+be+S256"),
        ),
    ],
)
def test_logout_with_a_bad_authorize_request_answers_as_authorize_does_and_keeps_the_session(scripted, q, answer):
    ui, cookie, _ = signed_in(scripted)
    assert logout(ui, cookie, client_id="c1", **q) == answer
    assert still_signed_in(ui, cookie)


@pytest.mark.parametrize("client_id", [None, "", "nope"])
def test_logout_for_an_unknown_client_is_the_unknown_client_page_and_keeps_the_session(scripted, client_id):
    ui, cookie, _ = signed_in(scripted)
    q = {"logout_uri": OUT, **({"client_id": client_id} if client_id is not None else {})}
    assert logout(ui, cookie, **q) == UNKNOWN_CLIENT
    assert still_signed_in(ui, cookie)


# ---------------------------------------------------------------- routing

PREFLIGHT = (
    204,
    [
        ("Access-Control-Allow-Origin", "*"),
        ("Access-Control-Allow-Methods", "GET,POST,OPTIONS"),
        ("Access-Control-Allow-Headers", "authorization,content-type"),
    ],
    b"",
)
NOT_FOUND = page(404, "Not found", "<p>This page does not exist.</p>")


@pytest.mark.parametrize("target", ["/oauth2/token", "/oauth2/userInfo", "/nowhere", ""])
def test_options_is_the_cors_preflight_answer_anywhere(scripted, target):
    assert scripted()[0].handle("OPTIONS", target, {}, b"") == PREFLIGHT


@pytest.mark.parametrize(
    "method, target",
    [
        ("GET", "/"),
        ("GET", ""),
        ("GET", "/oauth2"),
        ("GET", "/oauth2/userinfo"),
        ("GET", "/oauth2/authorize/x"),
        ("POST", "/oauth2/authorize"),
        ("PUT", "/login"),
        ("GET", "/oauth2/token"),
        ("GET", "/oauth2/revoke"),
        ("POST", "/logout"),
        ("POST", "/oauth2/userInfo"),
        ("HEAD", "/login"),
        ("GET", "/logoutX"),
        ("GET", "/oauth2/authorizeX/"),
    ],
)
def test_anything_else_is_not_found(scripted, method, target):
    assert scripted()[0].handle(method, target, FORM, b"") == NOT_FOUND


@pytest.mark.parametrize("slash", ["", "/", "//"])
def test_each_endpoint_answers_with_or_without_a_trailing_slash(scripted, slash):
    ui, _, _ = scripted()
    q = "?client_id=nope"
    assert ui.handle("GET", "/oauth2/authorize" + slash + q, {}, b"") == UNKNOWN_CLIENT
    assert ui.handle("GET", "/login" + slash + q, {}, b"") == UNKNOWN_CLIENT
    assert ui.handle("POST", "/login" + slash + q, {}, b"") == UNKNOWN_CLIENT
    assert ui.handle("GET", "/logout" + slash + q, {}, b"") == UNKNOWN_CLIENT
    assert ui.handle("POST", "/oauth2/token" + slash, FORM, b"client_id=nope") == error("invalid_client")
    assert ui.handle("POST", "/oauth2/token" + slash, {}, b"client_id=c1") == error("invalid_request")
    assert ui.handle("POST", "/oauth2/revoke" + slash, FORM, b"token=t&client_id=nope") == error("invalid_client")
    status, headers, body = ui.handle("GET", "/oauth2/userInfo" + slash, {}, b"")
    assert (status, headers, body) == INVALID_TOKEN[:2] + (
        b'{"error": "invalid_token", "error_description": "Access token is not valid"}',
    )


def test_the_login_page_and_form_read_the_request_from_the_query_and_the_credentials_from_the_body(scripted):
    ui, cognito, _ = scripted(RESULT)
    assert ui.handle("GET", LOGIN_Q, {}, b"") == sign_in_page(ACTION)
    answer = ui.handle("POST", LOGIN_Q, {}, b"username=jane%40example.com&password=p%26w")
    assert answer[1][0][1].startswith(CB + "?code=") and cognito.calls == [password_call(password="p&w")]


@pytest.mark.parametrize(
    "authorization", [None, "", "Bearer ", "bearer", "Basic amFuZTpwdw==", "Token ac.1.x", "ac.1.x", " Bearer ac.1.x"]
)
def test_user_info_without_a_bearer_token_asks_cognito_nothing(scripted, authorization):
    ui, cognito, _ = scripted()
    headers = {} if authorization is None else {"authorization": authorization}
    assert ui.handle("GET", "/oauth2/userInfo", headers, b"") == json_answer(
        401,
        b'{"error": "invalid_token", "error_description": "Access token is not valid"}',
        ("WWW-Authenticate", 'Bearer error="invalid_token"'),
    )
    assert cognito.user_calls == []


@pytest.mark.parametrize("scheme", ["Bearer ", "bEaReR "])
def test_user_info_asks_cognito_about_the_token_after_the_scheme_as_sent(scripted, scheme):
    ui, cognito, _ = scripted()
    assert ui.handle("GET", "/oauth2/userInfo", {"authorization": scheme + " ac.1.x "}, b"") == json_answer(
        200, b'{"email": "jane@example.com", "username": "jane"}'
    )
    assert cognito.user_calls == [{"AccessToken": " ac.1.x "}]
