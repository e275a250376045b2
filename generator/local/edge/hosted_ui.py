"""The Cognito hosted UI and OAuth 2.0 endpoints of the applied user pool, signing in through the emulator.

Behaviour follows the Cognito developer guide ("User pool endpoints"):
- ``GET /oauth2/authorize``: the client must exist and ``redirect_uri`` must be
  one of its callback URLs exactly (else an error page, never a redirect);
  ``response_type`` must be an allowed flow, ``scope`` within the allowed scopes,
  ``code_challenge_method`` S256 when a ``code_challenge`` is sent (Cognito
  supports no other) -- those errors go back to the redirect URI with
  ``error=`` and the ``state``. A browser with a hosted-UI session (cookie
  ``cognito``) gets a code at once (single sign-on); otherwise ``/login``.
- ``POST /login``: the sign-in form; the user signs in against the emulator's
  pool (``AdminInitiateAuth``); the code goes to the redirect URI with ``state``
  returned unchanged.
- ``POST /oauth2/token``: ``authorization_code`` (one use, 5 minutes, same
  client and ``redirect_uri``, ``code_verifier`` matching the S256 challenge)
  and ``refresh_token``; errors are 400 ``{"error": ...}``. The client
  authenticates as RFC 6749 section 2.3.1 says: a client with a secret sends
  ``Authorization: Basic base64(id:secret)`` (id and secret form-urlencoded
  first; a ``client_id`` in the form must then be the same) or ``client_id`` and
  ``client_secret`` in the form, never both; a client without one sends its
  ``client_id`` (a Basic header with an empty secret also does). A wrong or
  missing secret, a secret for a client that has none, or a malformed header is
  400 ``{"error": "invalid_client"}``, as for an unknown client (Cognito's
  answer; the RFC's 401 is not used).
- ``GET /logout``: ``logout_uri`` must be one of the client's sign-out URLs,
  or ``redirect_uri`` and ``response_type`` must pass the ``/oauth2/authorize``
  checks; only then is the hosted-UI session ended (the cookie cleared) and the
  browser redirected there (or to the sign-in page). A refused logout -- an
  error page or an error redirect -- changes nothing: the session still gives
  single sign-on.
- ``POST /oauth2/revoke``: revokes a refresh token (its refresh grants fail
  from then on; access and ID tokens stay valid for JWT checks, as on AWS);
  200 with an empty body. The client authenticates as at the token endpoint.
- ``GET /oauth2/userInfo``: the user's attributes for an access token.

The tokens are the emulator's own (RS256, its JWKS, ``cognito:groups``).
A client secret is never logged, nor is the ``Authorization`` header.
Redirect URIs are compared after mapping the local site origin back to the
public one, so the applied callback URLs are what is enforced.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlencode, urlsplit

CODE_TTL_SECONDS = 300
SESSION_TTL_SECONDS = 3600
COOKIE = "cognito"

Response = tuple[int, list[tuple[str, str]], bytes]


@dataclass(frozen=True)
class PoolClient:
    client_id: str
    name: str
    callback_urls: tuple[str, ...]
    logout_urls: tuple[str, ...]
    flows: tuple[str, ...]
    scopes: tuple[str, ...]
    #: The client secret Cognito generated (``GenerateSecret``); None for a client without one. Left out of the
    #: repr, so a printed or logged client never shows it.
    secret: str | None = field(default=None, repr=False)
    token_revocation: bool = True

    @property
    def has_secret(self) -> bool:
        return bool(self.secret)


@dataclass(frozen=True)
class UserPoolInfo:
    pool_id: str
    region: str
    domain: str | None  # the prefix: <prefix>.auth.<region>.amazoncognito.com
    clients: dict[str, PoolClient]

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.pool_id}"

    @property
    def hosted_ui_origin(self) -> str | None:
        return f"https://{self.domain}.auth.{self.region}.amazoncognito.com" if self.domain else None


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    challenge: str | None
    tokens: dict[str, Any]
    created: float = field(default_factory=time.time)
    used: bool = False


def _form(body: bytes) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True).items()}


def _is_form(headers: dict[str, str]) -> bool:
    """Whether the body is a form: the only body /oauth2/token and /oauth2/revoke take (as Cognito)."""
    return headers.get("content-type", "").lower().startswith("application/x-www-form-urlencoded")


def _query(target: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(target).query, keep_blank_values=True).items()}


def _basic(authorization: str) -> tuple[str, str] | None:
    """The client id and secret of an ``Authorization: Basic`` header, or None when it is not one.

    RFC 6749 section 2.3.1: the id and the secret are form-urlencoded before they are joined with ``:`` and
    base64-encoded (so an id never holds a colon); the scheme is case-insensitive (RFC 7617).
    """
    scheme, _, credentials = authorization.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
    except ValueError:  # bad base64 (binascii.Error) or bytes that are not UTF-8 (UnicodeDecodeError)
        return None
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        return None
    return unquote_plus(client_id), unquote_plus(secret)


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _json(status: int, data: dict[str, Any], extra: list[tuple[str, str]] | None = None) -> Response:
    body = json.dumps(data).encode()
    return (
        status,
        [
            ("Content-Type", "application/json;charset=UTF-8"),
            ("Cache-Control", "no-store"),
            ("Pragma", "no-cache"),
            ("Access-Control-Allow-Origin", "*"),
            *(extra or []),
        ],
        body,
    )


def _unknown_client() -> Response:
    """Cognito's answer to /oauth2/authorize or /logout with a client_id the pool does not have."""
    return _page(
        400,
        "Error",
        "<p class=error>An error was encountered with the requested page.</p>"
        "<p>error=invalid_request: client_id is not a client of this user pool</p>",
    )


def _page(status: int, title: str, content: str, extra: list[tuple[str, str]] | None = None) -> Response:
    page = (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{html.escape(title)}</title>"
        "<meta name=viewport content='width=device-width, initial-scale=1'>"
        "<style>body{font-family:sans-serif;max-width:24rem;margin:3rem auto}label{display:block;margin:.5rem 0}"
        "input{width:100%;padding:.4rem}.error{color:#b00}</style></head>"
        f"<body><main><h1>{html.escape(title)}</h1>{content}</main></body></html>"
    )
    return (
        status,
        [("Content-Type", "text/html;charset=UTF-8"), ("Cache-Control", "no-store"), *(extra or [])],
        page.encode(),
    )


def _redirect(location: str, extra: list[tuple[str, str]] | None = None) -> Response:
    return 302, [("Location", location), ("Cache-Control", "no-store"), *(extra or [])], b""


def _with_query(url: str, params: dict[str, str]) -> str:
    return url + ("&" if "?" in url else "?") + urlencode(params)


class HostedUi:
    """The hosted UI of one user pool. ``cognito()`` returns a boto3 cognito-idp client on the emulator."""

    def __init__(
        self,
        pool: UserPoolInfo,
        cognito: Callable[[], Any],
        to_public: Callable[[str | None], str | None],
        log: Callable[[dict[str, Any]], None] | None = None,
    ):
        self.pool, self.cognito, self.to_public = pool, cognito, to_public
        self.log = log or (lambda entry: None)
        self._codes: dict[str, _Grant] = {}
        self._sessions: dict[str, tuple[str, str, float]] = {}  # id -> (username, password, created); memory only
        self._refresh: dict[str, str] = {}  # refresh token -> client id
        self._revoked: set[str] = set()
        self._lock = threading.Lock()

    # ---------------------------------------------------------------- routing

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Response:
        path = urlsplit(target).path.rstrip("/") or "/"
        if method == "OPTIONS":
            return (
                204,
                [
                    ("Access-Control-Allow-Origin", "*"),
                    ("Access-Control-Allow-Methods", "GET,POST,OPTIONS"),
                    ("Access-Control-Allow-Headers", "authorization,content-type"),
                ],
                b"",
            )
        if path == "/oauth2/authorize" and method == "GET":
            return self.authorize(_query(target), headers)
        if path == "/login" and method == "GET":
            return self.login_page(_query(target))
        if path == "/login" and method == "POST":
            return self.login(_query(target), _form(body))
        if path == "/oauth2/token" and method == "POST":
            return self.token(_form(body), headers)
        if path == "/oauth2/revoke" and method == "POST":
            return self.revoke(_form(body), headers)
        if path == "/logout" and method == "GET":
            return self.logout(_query(target), headers)
        if path == "/oauth2/userInfo" and method == "GET":
            return self.user_info(headers)
        return _page(404, "Not found", "<p>This page does not exist.</p>")

    # ---------------------------------------------------------------- authorize and sign-in

    def _check_authorize(self, q: dict[str, str]) -> Response | PoolClient:
        """The client for a valid request, or the response Cognito gives to an invalid one."""
        client = self.pool.clients.get(q.get("client_id", ""))
        if client is None:
            return _unknown_client()
        redirect_uri = q.get("redirect_uri", "")
        if self.to_public(redirect_uri) not in client.callback_urls:
            return _page(
                400,
                "Error",
                "<p class=error>An error was encountered with the requested page.</p><p>error=redirect_mismatch</p>",
            )
        state = {"state": q["state"]} if "state" in q else {}
        if q.get("response_type") not in client.flows:
            return _redirect(_with_query(redirect_uri, {"error": "unsupported_response_type", **state}))
        scopes = q.get("scope", "").split()
        if any(s not in client.scopes for s in scopes):
            return _redirect(_with_query(redirect_uri, {"error": "invalid_scope", **state}))
        if ("code_challenge" in q or "code_challenge_method" in q) and (
            q.get("code_challenge_method") != "S256" or not q.get("code_challenge")
        ):
            return _redirect(
                _with_query(
                    redirect_uri,
                    {"error": "invalid_request", "error_description": "code_challenge_method must be S256", **state},
                )
            )
        return client

    def _session(self, headers: dict[str, str]) -> tuple[str, str] | None:
        cookie = SimpleCookie(headers.get("cookie", ""))
        sid = cookie[COOKIE].value if COOKIE in cookie else None
        with self._lock:
            found = self._sessions.get(sid or "")
        if found and time.time() - found[2] < SESSION_TTL_SECONDS:
            return found[0], found[1]
        return None

    def authorize(self, q: dict[str, str], headers: dict[str, str]) -> Response:
        self.log({"endpoint": "authorize", **{k: v for k, v in q.items()}})
        checked = self._check_authorize(q)
        if not isinstance(checked, PoolClient):
            return checked
        session = self._session(headers)
        if session is not None:
            issued = self._sign_in(checked, q, *session)
            if isinstance(issued, str):
                return issued_redirect(q, issued)
        return _redirect("/login?" + urlencode(q))

    def login_page(self, q: dict[str, str], message: str = "", status: int = 200) -> Response:
        checked = self._check_authorize(q)
        if not isinstance(checked, PoolClient):
            return checked
        action = html.escape("/login?" + urlencode(q), quote=True)
        error = f"<p class=error id=loginErrorMessage>{html.escape(message)}</p>" if message else ""
        return _page(
            status,
            "Sign in",
            f'{error}<form method=post action="{action}" id=signInForm>'
            "<label>Email <input id=signInFormUsername name=username type=text autocomplete=username "
            "autofocus required></label><label>Password <input id=signInFormPassword name=password "
            "type=password autocomplete=current-password required></label>"
            "<button id=signInSubmitButton name=signInSubmitButton type=submit>Sign in</button></form>"
            f"<p><small>Local hosted UI for user pool {html.escape(self.pool.pool_id)}</small></p>",
        )

    def _sign_in(self, client: PoolClient, q: dict[str, str], username: str, password: str) -> str | Response:
        """A fresh code for the user, or the failure page."""
        try:
            result = self.cognito().admin_initiate_auth(
                UserPoolId=self.pool.pool_id,
                ClientId=client.client_id,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": password},
            )
        except Exception as err:
            code = getattr(err, "response", {}).get("Error", {}).get("Code", "")
            if code not in ("NotAuthorizedException", "UserNotFoundException", "ResourceNotFoundException"):
                raise
            return self.login_page(q, "Incorrect username or password.")
        if "AuthenticationResult" not in result:
            return self.login_page(
                q,
                f"This user must first complete the {result.get('ChallengeName')} "
                "challenge, which the local hosted UI does not offer (use `local user add`).",
            )
        tokens = result["AuthenticationResult"]
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = _Grant(client.client_id, q["redirect_uri"], q.get("code_challenge"), tokens)
            if tokens.get("RefreshToken"):
                self._refresh[tokens["RefreshToken"]] = client.client_id
        return code

    def login(self, q: dict[str, str], form: dict[str, str]) -> Response:
        checked = self._check_authorize(q)
        if not isinstance(checked, PoolClient):
            return checked
        username, password = form.get("username", "").strip(), form.get("password", "")
        self.log({"endpoint": "login", "username": username})
        issued = self._sign_in(checked, q, username, password)
        if not isinstance(issued, str):
            return issued
        sid = secrets.token_urlsafe(32)
        with self._lock:
            self._sessions[sid] = (username, password, time.time())
        cookie = f"{COOKIE}={sid}; Path=/; HttpOnly; SameSite=Lax; Max-Age={SESSION_TTL_SECONDS}"
        return issued_redirect(q, issued, [("Set-Cookie", cookie)])

    # ---------------------------------------------------------------- tokens

    def _authenticated(self, form: dict[str, str], headers: dict[str, str]) -> PoolClient | None:
        """The client the request authenticates as (RFC 6749 section 2.3.1), or None: ``invalid_client``.

        A client without a secret has the empty one: RFC 6749 lets a client omit ``client_secret`` when it is the
        empty string, and any other secret is not its secret.
        """
        authorization = headers.get("authorization", "")
        if authorization:
            basic = _basic(authorization)
            if basic is None or "client_secret" in form:  # "MUST NOT use more than one authentication method"
                return None
            client_id, secret = basic
            if form.get("client_id", client_id) != client_id:
                return None
        else:
            client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        client = self.pool.clients.get(client_id)
        if client is None or not hmac.compare_digest(secret.encode(), (client.secret or "").encode()):
            return None
        return client

    def token(self, form: dict[str, str], headers: dict[str, str]) -> Response:
        self.log(
            {
                "endpoint": "token",
                **{k: v for k, v in form.items() if k not in ("code_verifier", "refresh_token", "client_secret")},
            }
        )
        if not _is_form(headers):
            return _json(400, {"error": "invalid_request"})
        client = self._authenticated(form, headers)
        if client is None:
            return _json(400, {"error": "invalid_client"})
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            with self._lock:
                grant = self._codes.pop(form.get("code", ""), None)  # one use, whatever the outcome
            if grant is None or time.time() - grant.created > CODE_TTL_SECONDS:
                return _json(400, {"error": "invalid_grant"})
            if grant.client_id != client.client_id:
                return _json(400, {"error": "invalid_grant"})
            if form.get("redirect_uri") != grant.redirect_uri:
                return _json(400, {"error": "invalid_grant"})
            verifier = form.get("code_verifier")  # RFC 7636: required whenever the code has a challenge
            if grant.challenge is not None and (verifier is None or s256(verifier) != grant.challenge):
                return _json(400, {"error": "invalid_grant"})
            tokens = grant.tokens
            return _json(
                200,
                {
                    "id_token": tokens["IdToken"],
                    "access_token": tokens["AccessToken"],
                    "refresh_token": tokens.get("RefreshToken"),
                    "expires_in": tokens.get("ExpiresIn", 3600),
                    "token_type": "Bearer",
                },
            )
        if grant_type == "refresh_token":
            refresh = form.get("refresh_token", "")
            with self._lock:
                owner, revoked = self._refresh.get(refresh), refresh in self._revoked
            if owner != client.client_id or revoked:
                return _json(400, {"error": "invalid_grant"})
            try:
                result = self.cognito().admin_initiate_auth(
                    UserPoolId=self.pool.pool_id,
                    ClientId=client.client_id,
                    AuthFlow="REFRESH_TOKEN_AUTH",
                    AuthParameters={"REFRESH_TOKEN": refresh},
                )["AuthenticationResult"]
            except Exception:
                return _json(400, {"error": "invalid_grant"})
            return _json(
                200,
                {
                    "id_token": result["IdToken"],
                    "access_token": result["AccessToken"],
                    "expires_in": result.get("ExpiresIn", 3600),
                    "token_type": "Bearer",
                },
            )
        return _json(400, {"error": "unsupported_grant_type"})

    def revoke(self, form: dict[str, str], headers: dict[str, str]) -> Response:
        self.log({"endpoint": "revoke", "client_id": form.get("client_id")})
        if not _is_form(headers):
            return _json(400, {"error": "invalid_request"})
        token = form.get("token", "")
        if not token:
            return _json(400, {"error": "invalid_request"})
        client = self._authenticated(form, headers)
        if client is None:
            return _json(400, {"error": "invalid_client"})
        if not client.token_revocation:  # Cognito: invalid_request when revocation is off for the client
            return _json(400, {"error": "invalid_request"})
        if token.count(".") == 2:  # an access or ID token: only refresh tokens can be revoked
            return _json(400, {"error": "unsupported_token_type"})
        with self._lock:
            owner = self._refresh.get(token)
            if owner is not None and owner != client.client_id:
                return _json(400, {"error": "invalid_request"})
            self._revoked.add(token)
        return 200, [("Cache-Control", "no-store"), ("Access-Control-Allow-Origin", "*")], b""

    def logout(self, q: dict[str, str], headers: dict[str, str]) -> Response:
        """Every check first: a refused request keeps the hosted-UI session and sends no cookie."""
        self.log({"endpoint": "logout", **q})
        client = self.pool.clients.get(q.get("client_id", ""))
        if client is None:
            return _unknown_client()
        logout_uri = q.get("logout_uri")
        if logout_uri is not None:
            if self.to_public(logout_uri) not in client.logout_urls:
                return _page(
                    400,
                    "Error",
                    "<p class=error>An error was encountered with the requested page.</p>"
                    "<p>error=invalid_request: logout_uri is not a sign-out URL of the client</p>",
                )
            to = logout_uri
        elif q.get("redirect_uri") and q.get("response_type"):
            checked = self._check_authorize(q)
            if not isinstance(checked, PoolClient):
                return checked
            to = "/login?" + urlencode(q)
        else:
            return _page(
                400,
                "Error",
                "<p class=error>An error was encountered with the requested page.</p>"
                "<p>error=invalid_request: logout_uri or redirect_uri is required</p>",
            )
        cookie = SimpleCookie(headers.get("cookie", ""))
        if COOKIE in cookie:
            with self._lock:
                self._sessions.pop(cookie[COOKIE].value, None)
        return _redirect(to, [("Set-Cookie", f"{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")])

    def user_info(self, headers: dict[str, str]) -> Response:
        auth = headers.get("authorization", "")
        token = auth[7:] if auth[:7].lower() == "bearer " else ""
        invalid = _json(
            401,
            {"error": "invalid_token", "error_description": "Access token is not valid"},
            [("WWW-Authenticate", 'Bearer error="invalid_token"')],
        )
        if not token:  # no bearer token: nothing to ask Cognito about
            return invalid
        try:
            user = self.cognito().get_user(AccessToken=token)
        except Exception:
            return invalid
        attributes = {a["Name"]: a["Value"] for a in user.get("UserAttributes", [])}
        return _json(200, {**attributes, "username": user["Username"]})


def issued_redirect(q: dict[str, str], code: str, extra: list[tuple[str, str]] | None = None) -> Response:
    params = {"code": code, **({"state": q["state"]} if "state" in q else {})}
    return _redirect(_with_query(q["redirect_uri"], params), extra)
