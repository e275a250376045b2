"""The UI in a real headless Chromium, end to end on 127.0.0.1.

Three local origins stand in for the deployed pieces:
  site   https://<domain>: serves the UI template as the platform publishes it (content-hashed
         file names, generator.assets.publish_template) under /john-inventory-dev/ with the app's
         index.html (its <base href>) and config.json, ui/auth/ under /auth/, ui/site/ at the root
         and its 404.html for anything else (the distribution's custom error responses), routing
         every request through the real CloudFront Function (cloudfront_function/viewer_request.js,
         run by a node sidecar), like CloudFront in front of the shared UI bucket. Every response
         carries the Content-Security-Policy of the synthesized response headers policy, its
         Cognito and execute-api sources mapped to the local stand-ins; any CSP violation in the
         console fails the test that caused it.
  oauth  the Cognito hosted UI: /oauth2/authorize (a login form), /oauth2/token
         (authorization_code with PKCE S256, refresh_token), /logout. Tokens are HS256 JWTs.
  api    the HTTP API: CORS preflight, a JWT check like the Cognito authorizer, and the
         real Lambda handler (lambda_code/app.py) on a moto DynamoDB table, called with
         payload-2.0 events.

The test skips when chromium, chromedriver or selenium are missing, unless CI is set,
where it fails instead.
"""

import base64
import hashlib
import hmac
import json
import mimetypes
import os
import re
import shutil
import subprocess
import threading
import time
import uuid
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest
from app_helpers import ACCESS_GROUP, CF_FUNCTION, REPO, UI_DIR, create_table, load_lambda_module
from helpers import load_stack, skip_or_fail
from stack_json import one

from generator.assets import BASE_MARKER, publish_template

PREFIX = "/john-inventory-dev/"
CLIENT_ID = "3n4b5urk1ft4fl3mg5e62d9ado"
SIGNING_KEY = b"test-signing-key"
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
CHROMEDRIVER = shutil.which("chromedriver") or (
    "/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver") else None
)


def _requirements_or_skip():
    missing = []
    if not CHROMIUM:
        missing.append("chromium (apt-get install chromium)")
    if not CHROMEDRIVER:
        missing.append("chromedriver (apt-get install chromium-driver)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium (pip install selenium)")
    if not shutil.which("node"):
        missing.append("node (runs the CloudFront Function)")
    if missing:
        skip_or_fail("browser test needs " + ", ".join(missing))


# --------------------------------------------------------------------------- tokens


def _b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _claim_string(value):
    """A claim as the HTTP API JWT authorizer hands it to the function: a string, an array as ``"[a b]"``."""
    if isinstance(value, list):
        return "[" + " ".join(value) + "]"
    return str(value)


def make_jwt(claims, key=SIGNING_KEY):
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "test"}).encode())
    payload = _b64url(json.dumps(claims).encode())
    signature = hmac.new(key, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64url(signature)}"


def id_token_claims(username, issuer, lifetime=3600):
    """An ID token's claims as the stand-in pool issues them; everyone but mallory is in the app's group."""
    now = int(time.time())
    claims = {
        "sub": str(uuid.uuid5(uuid.NAMESPACE_DNS, username)),
        "email": f"{username}@example.com",
        "email_verified": True,
        "cognito:username": username,
        "aud": CLIENT_ID,
        "iss": issuer,
        "token_use": "id",
        "auth_time": now,
        "iat": now,
        "exp": now + lifetime,
    }
    if username != "mallory":
        claims["cognito:groups"] = [ACCESS_GROUP]
    return claims


def verify_jwt(token):
    try:
        header, payload, signature = token.split(".")
    except ValueError:
        return None
    expected = hmac.new(SIGNING_KEY, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(_b64url(expected), signature):
        return None
    claims = json.loads(_b64url_decode(payload))
    if claims.get("aud") != CLIENT_ID or claims.get("exp", 0) < time.time() or claims.get("token_use") != "id":
        return None
    return claims


# --------------------------------------------------------------------------- servers


class Server:
    def __init__(self, handler_class, **attrs):
        handler = type(handler_class.__name__, (handler_class,), attrs)
        # Bound once, on a port the kernel picks, and kept: no probe-then-bind race with other processes.
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.httpd.server_address[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class QuietHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def parse_request(self):
        """The path as the browser sent it: http.server turns a leading ``//`` into ``/``, which would hide a URL
        built with a doubled slash (``https://host//oauth2/token``) from the tests."""
        parsed = super().parse_request()
        if parsed:
            self.path = self.requestline.split(" ")[1]
        return parsed

    def log_message(self, *args):  # keep pytest output readable
        pass

    def send(self, status, body=b"", headers=None, content_type=None):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""


class CloudFrontFunction:
    """A node process running viewer_request.js for each request, one JSON line each way."""

    SIDECAR = r"""
const vm = require('vm');
const fs = require('fs');
const readline = require('readline');
const sandbox = Object.create(null);
vm.createContext(sandbox);
vm.runInContext(fs.readFileSync(process.argv[process.argv.length - 1], 'utf8'), sandbox);
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  process.stdout.write(JSON.stringify(sandbox.handler(JSON.parse(line))) + '\n');
});
"""

    def __init__(self):
        self.lock = threading.Lock()
        self.proc = subprocess.Popen(
            [shutil.which("node"), "-e", self.SIDECAR, str(CF_FUNCTION)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def __call__(self, uri, raw_query):
        # CloudFront's shape: {"key": {"value": first, "multiValue": [...] if repeated}},
        # values still percent-encoded as the viewer sent them.
        values = {}
        for part in filter(None, raw_query.split("&")):
            key, _, value = part.partition("=")
            values.setdefault(key, []).append(value)
        querystring = {}
        for key, vals in values.items():
            querystring[key] = {"value": vals[0]}
            if len(vals) > 1:
                querystring[key]["multiValue"] = [{"value": v} for v in vals]
        event = {
            "version": "1.0",
            "context": {"eventType": "viewer-request"},
            "viewer": {"ip": "127.0.0.1"},
            "request": {"method": "GET", "uri": uri, "querystring": querystring, "headers": {}, "cookies": {}},
        }
        with self.lock:
            self.proc.stdin.write(json.dumps(event) + "\n")
            self.proc.stdin.flush()
            return json.loads(self.proc.stdout.readline())

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


class SiteHandler(QuietHandler):
    """CloudFront + the shared UI bucket for one app prefix and the /auth/ pages."""

    cf = None
    config = None
    requests_seen = None
    referers = None  # (path, the Referer header or None) of each request, in order
    #: {"dir": the published template folder, "index": the app's index.html}; swapped by a test.
    published = None
    csp = None

    def send(self, status, body=b"", headers=None, content_type=None):
        return super().send(status, body, {**(headers or {}), "Content-Security-Policy": self.csp}, content_type)

    def not_found(self):
        page = (UI_DIR / "site" / "404.html").read_bytes()
        return self.send(404, page, content_type="text/html; charset=utf-8")

    def do_GET(self):
        parts = urlsplit(self.path)
        self.requests_seen.append(self.path)
        self.referers.append((parts.path, self.headers.get("Referer")))
        result = self.cf(parts.path, parts.query)
        if "statusCode" in result:
            location = result["headers"]["location"]["value"]
            return self.send(result["statusCode"], "", {"Location": location})
        uri = result["uri"]
        if uri == PREFIX + "config.json":
            if self.config is None:
                return self.not_found()
            return self.send(200, json.dumps(self.config), {"Cache-Control": "no-store"}, "application/json")
        if uri == PREFIX + "index.html":
            return self.send(200, self.published["index"], {"Cache-Control": "no-cache"}, "text/html; charset=utf-8")
        if uri.startswith("/auth/"):
            root, rest = UI_DIR / "auth", uri[len("/auth/") :]
        elif uri.startswith(PREFIX):
            root, rest = Path(self.published["dir"]), uri[len(PREFIX) :]
        elif uri.count("/") == 1:
            root, rest = UI_DIR / "site", uri[1:]
        else:
            return self.not_found()
        path = (root / rest).resolve()
        if root.resolve() not in path.parents or not path.is_file():
            return self.not_found()  # S3 + OAC answer 403; CloudFront's custom error response: 404.html, 404
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return self.send(200, path.read_bytes(), content_type=content_type)


FORM = "application/x-www-form-urlencoded"


class OAuthHandler(QuietHandler):
    """Stand-in for the Cognito hosted UI and OAuth endpoints (public client, PKCE).

    As Cognito's, its token and revocation endpoints take only a form body (``Content-Type`` exactly the form
    type). A test makes the token endpoint answer something else with ``token_answers``: each (status, body,
    content type) in it is the answer to one token request, in order, instead of the stand-in's own.
    """

    site_origin = None
    codes = None
    refresh_tokens = None
    log = None
    token_answers = None

    def _cors(self):
        return {"Access-Control-Allow-Origin": self.site_origin, "Vary": "Origin"}

    def _error(self, status, error, description):
        body = json.dumps({"error": error, "error_description": description})
        self.log.append({"endpoint": "error", "error": error, "description": description})
        return self.send(status, body, self._cors(), "application/json")

    def do_GET(self):
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        if parts.path == "/oauth2/authorize":
            self.log.append({"endpoint": "authorize", **query})
            problems = []
            if query.get("response_type") != "code":
                problems.append("response_type")
            if query.get("client_id") != CLIENT_ID:
                problems.append("client_id")
            if query.get("redirect_uri") != self.site_origin + "/auth/callback":
                problems.append("redirect_uri")
            if query.get("code_challenge_method") != "S256" or len(query.get("code_challenge", "")) != 43:
                problems.append("code_challenge")
            if not query.get("state"):
                problems.append("state")
            if problems:
                return self.send(400, "bad authorize request: " + ", ".join(problems), content_type="text/plain")
            hidden = "".join(
                f'<input type="hidden" name="{k}" value="{v}">' for k, v in query.items() if re.fullmatch(r"[\w]+", k)
            )
            page = (
                "<!doctype html><title>Sign in</title><form method=post action=/login>"
                f"{hidden}<label>Username <input id=username name=username></label>"
                "<button id=login-submit type=submit>Sign in</button></form>"
            )
            return self.send(200, page, content_type="text/html; charset=utf-8")
        if parts.path == "/logout":
            self.log.append({"endpoint": "logout", **query})
            if query.get("client_id") != CLIENT_ID or query.get("logout_uri") != self.site_origin + "/auth/logout":
                return self.send(400, "bad logout request", content_type="text/plain")
            return self.send(302, "", {"Location": query["logout_uri"]})
        return self.send(404, "not found", content_type="text/plain")

    def do_POST(self):
        parts = urlsplit(self.path)
        form = {k: v[0] for k, v in parse_qs(self.read_body().decode(), keep_blank_values=True).items()}
        if parts.path == "/login":
            code = uuid.uuid4().hex
            self.codes[code] = {**form, "used": False}
            location = form["redirect_uri"] + "?" + urlencode({"code": code, "state": form["state"]})
            return self.send(302, "", {"Location": location})
        if parts.path in ("/oauth2/token", "/oauth2/revoke") and self.headers.get("Content-Type") != FORM:
            self.log.append({"endpoint": "not a form", "path": parts.path})
            return self._error(400, "invalid_request", "Content-Type must be " + FORM)
        if parts.path == "/oauth2/token":
            self.log.append({"endpoint": "token", **form})
            if self.token_answers:
                status, body, content_type = self.token_answers.pop(0)
                return self.send(status, body, self._cors(), content_type)
            if form.get("client_id") != CLIENT_ID:
                return self._error(400, "invalid_client", "unknown client")
            if form.get("grant_type") == "authorization_code":
                grant = self.codes.get(form.get("code", ""))
                if not grant or grant["used"]:
                    return self._error(400, "invalid_grant", "unknown or used code")
                grant["used"] = True
                if form.get("redirect_uri") != grant["redirect_uri"]:
                    return self._error(400, "invalid_grant", "redirect_uri mismatch")
                challenge = _b64url(hashlib.sha256(form.get("code_verifier", "").encode()).digest())
                if challenge != grant["code_challenge"]:
                    return self._error(400, "invalid_grant", "PKCE verification failed")
                username = grant["username"] or "jane"
            elif form.get("grant_type") == "refresh_token":
                username = self.refresh_tokens.get(form.get("refresh_token", ""))
                if not username:
                    return self._error(400, "invalid_grant", "unknown refresh token")
            else:
                return self._error(400, "unsupported_grant_type", form.get("grant_type", ""))
            claims = id_token_claims(username, self.origin_self)
            body = {
                "id_token": make_jwt(claims),
                "access_token": make_jwt({**claims, "token_use": "access", "client_id": CLIENT_ID}),
                "expires_in": 3600,
                "token_type": "Bearer",
            }
            if form["grant_type"] == "authorization_code":
                refresh = uuid.uuid4().hex
                self.refresh_tokens[refresh] = username
                body["refresh_token"] = refresh
            return self.send(200, json.dumps(body), self._cors(), "application/json")
        if parts.path == "/oauth2/revoke":
            # https://docs.aws.amazon.com/cognito/latest/developerguide/revocation-endpoint.html
            self.log.append({"endpoint": "revoke", **form})
            if form.get("client_id") != CLIENT_ID:
                return self._error(400, "invalid_client", "unknown client")
            self.refresh_tokens.pop(form.get("token", ""), None)
            return self.send(200, "", self._cors(), "application/json")
        return self.send(404, "not found", content_type="text/plain")


class ApiHandler(QuietHandler):
    """API Gateway HTTP API: CORS, the JWT authorizer, and a payload-2.0 Lambda proxy.

    Each (status, body, content type) a test puts in ``answers`` is the answer to one authorized request, in order,
    instead of the Lambda's (a gateway's own error, say); a fourth item, a ``threading.Event``, holds that answer
    until the test sets it (to look at the page while the request is in flight).
    """

    site_origin = None
    lambda_app = None
    log = None
    answers = None
    ROUTES = [("/items", "/items"), (r"/items/(?P<id>[^/]+)", "/items/{id}")]

    def _cors(self):
        if self.headers.get("Origin") != self.site_origin:
            return {}
        return {"Access-Control-Allow-Origin": self.site_origin, "Access-Control-Expose-Headers": "etag"}

    def do_OPTIONS(self):
        if self.headers.get("Origin") != self.site_origin:
            return self.send(204)
        requested = {h.strip().lower() for h in self.headers.get("Access-Control-Request-Headers", "").split(",") if h}
        allowed = {"authorization", "content-type", "if-match"}
        self.log.append({"preflight": self.headers.get("Access-Control-Request-Method"), "headers": sorted(requested)})
        if not requested <= allowed:
            return self.send(204)  # no CORS headers: the browser blocks the request
        return self.send(
            204,
            "",
            {
                "Access-Control-Allow-Origin": self.site_origin,
                "Access-Control-Allow-Methods": "GET,POST,PUT,DELETE",
                "Access-Control-Allow-Headers": ",".join(sorted(allowed)),
                "Access-Control-Max-Age": "300",
            },
        )

    def _proxy(self):
        parts = urlsplit(self.path)
        body = self.read_body()
        # Each call's entry in the log: the request, the headers and body the app chose to send, and the status.
        call = {
            "request": f"{self.command} {parts.path}",
            "content_type": self.headers.get("Content-Type"),
            "if_match": self.headers.get("If-Match"),
            "body": json.loads(body) if body else None,
        }
        auth = self.headers.get("Authorization", "")
        claims = verify_jwt(auth[7:]) if auth.startswith("Bearer ") else None
        if claims is None:
            self.log.append({**call, "status": 401})
            return self.send(401, json.dumps({"message": "Unauthorized"}), self._cors(), "application/json")
        for pattern, template in self.ROUTES:  # noqa: B007 - the matching route is used after the loop
            match = re.fullmatch(pattern, parts.path)
            if match:
                break
        else:
            return self.send(404, json.dumps({"message": "Not Found"}), self._cors(), "application/json")
        if self.answers:
            status, answer, content_type, *held = self.answers.pop(0)
            for release in held:
                release.wait(30)
            self.log.append({**call, "status": status})
            return self.send(status, answer, self._cors(), content_type)
        query = parse_qs(parts.query, keep_blank_values=True)
        event = {
            "version": "2.0",
            "routeKey": f"{self.command} {template}",
            "rawPath": parts.path,
            "rawQueryString": parts.query,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "requestContext": {
                "accountId": "123456789012",
                "apiId": "local",
                # The Cognito authorizer passes every claim as a string, an array as "[a b]".
                "authorizer": {"jwt": {"claims": {k: _claim_string(v) for k, v in claims.items()}, "scopes": None}},
                "domainName": self.headers.get("Host"),
                "http": {"method": self.command, "path": parts.path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1"},
                "requestId": uuid.uuid4().hex,
                "routeKey": f"{self.command} {template}",
                "stage": "$default",
            },
            "isBase64Encoded": False,
        }
        if query:
            event["queryStringParameters"] = {k: ",".join(v) for k, v in query.items()}
        if match.groupdict():
            event["pathParameters"] = match.groupdict()
        if body:
            event["body"] = body.decode()

        class Context:
            aws_request_id = str(uuid.uuid4())

        result = self.lambda_app.handler(event, Context())
        self.log.append({**call, "status": result["statusCode"]})
        headers = dict(result.get("headers") or {})
        headers.pop("Access-Control-Allow-Origin", None)  # API Gateway's CORS config wins
        headers.pop("Content-Type", None)
        headers.update(self._cors())
        content_type = (result.get("headers") or {}).get("Content-Type")
        return self.send(result["statusCode"], result.get("body") or "", headers, content_type)

    do_GET = do_POST = do_PUT = do_DELETE = _proxy


# --------------------------------------------------------------------------- fixtures


def publish(ui_root, work_dir):
    """The template as the platform publishes it, and the app's index.html as the instance renders it."""
    template = publish_template(ui_root, work_dir)
    return {"dir": template.path, "index": template.index_html.replace(BASE_MARKER, f'<base href="{PREFIX}">')}


def local_csp(policy, oauth_origin, api_origin):
    """The synthesized CSP with its Cognito and execute-api sources pointed at the local stand-ins."""
    sources = policy.replace(";", " ;").split(" ")
    cognito = [s for s in sources if s.endswith(".amazoncognito.com")]
    apis = [s for s in sources if ".execute-api." in s]
    assert cognito == ["https://acme-apps-auth.auth.us-east-2.amazoncognito.com"], cognito
    assert apis[0] == "https://*.execute-api.us-east-2.amazonaws.com", apis
    kept = [s for s in sources if s not in apis[1:]]
    return " ".join(api_origin if s == apis[0] else oauth_origin if s == cognito[0] else s for s in kept).replace(
        " ;", ";"
    )


@pytest.fixture(scope="module")
def synthesized_csp(k8s_out):
    policy = one(load_stack(k8s_out, "platform"), "aws_cloudfront_response_headers_policy")
    return policy["security_headers_config"]["content_security_policy"]["content_security_policy"]


@pytest.fixture(scope="module")
def stack(tmp_path_factory, synthesized_csp):
    _requirements_or_skip()
    from moto import mock_aws

    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-2",
        "TABLE_NAME": "john-inventory-dev-items",
        "APP_NAME": "john-inventory-dev",
        "ACCESS_GROUPS": ACCESS_GROUP,
        "LOW_STOCK_THRESHOLD": "5",
    }
    saved = {k: os.environ.get(k) for k in [*env, "ALLOWED_ORIGIN"]}
    os.environ.update(env)
    cf = CloudFrontFunction()
    servers = []
    with mock_aws():
        try:
            create_table()
            lambda_app = load_lambda_module()
            published = publish(REPO, tmp_path_factory.mktemp("published"))
            site = Server(SiteHandler, cf=cf, config=None, requests_seen=[], referers=[], published=published)
            os.environ["ALLOWED_ORIGIN"] = site.origin
            oauth_log, api_log, refresh_tokens, codes, token_answers, api_answers = [], [], {}, {}, [], []
            oauth = Server(
                OAuthHandler,
                site_origin=site.origin,
                codes=codes,
                refresh_tokens=refresh_tokens,
                log=oauth_log,
                token_answers=token_answers,
            )
            oauth.httpd.RequestHandlerClass.origin_self = oauth.origin
            api = Server(ApiHandler, site_origin=site.origin, lambda_app=lambda_app, log=api_log, answers=api_answers)
            servers = [site, oauth, api]
            site.httpd.RequestHandlerClass.csp = local_csp(synthesized_csp, oauth.origin, api.origin)
            site.httpd.RequestHandlerClass.config = {
                "apiUrl": api.origin,
                "region": "us-east-2",
                "userPoolId": "us-east-2_AbC",
                "clientId": CLIENT_ID,
                "cognitoDomain": oauth.origin,
                "domain": site.origin.split("//", 1)[1],
                "prefix": PREFIX,
                "appName": "inventory",
                "environment": "dev",
                "redirectUri": site.origin + "/auth/callback",
                "logoutUri": site.origin + "/auth/logout",
            }
            yield {
                "site": site.origin,
                "oauth": oauth.origin,
                "oauth_log": oauth_log,
                "refresh_tokens": refresh_tokens,
                "codes": codes,
                "token_answers": token_answers,
                "api_answers": api_answers,
                "api_log": api_log,
                "lambda_app": lambda_app,
                "site_requests": site.httpd.RequestHandlerClass.requests_seen,
                "site_referers": site.httpd.RequestHandlerClass.referers,
                "site_handler": site.httpd.RequestHandlerClass,
            }
        finally:
            for server in servers:
                server.close()
            cf.close()
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def chromium(profile, scripts=True):
    """Headless Debian Chromium on a new profile; with ``scripts`` off, as a person who turned JavaScript off in
    the browser's settings (the page is parsed without scripting, so ``<noscript>`` is shown)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(arg)
    if not scripts:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    return driver


@pytest.fixture(scope="module")
def browser(stack, tmp_path_factory):
    driver = chromium(tmp_path_factory.mktemp("chromium-profile"))
    yield driver
    driver.quit()


@pytest.fixture(autouse=True)
def no_csp_violations(browser):
    """Every test fails on a Content-Security-Policy violation in the console (the log is read, so emptied)."""
    browser.get_log("browser")
    yield
    violations = [e["message"] for e in browser.get_log("browser") if "Content Security Policy" in e["message"]]
    assert violations == []


def wait_for(driver, predicate, timeout=10, message=""):
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    def check(d):
        try:
            return predicate(d)
        except WebDriverException as exc:
            # A look at the page while it navigates (the sign-in's redirects, a page's own location change) is
            # aborted by chromedriver; it is "not yet", as a missing element is.
            if "aborted by navigation" in (exc.msg or ""):
                return False
            raise

    try:
        return WebDriverWait(
            driver, timeout, poll_frequency=0.05, ignored_exceptions=[StaleElementReferenceException]
        ).until(check)
    except Exception as exc:
        logs = "\n".join(str(entry) for entry in driver.get_log("browser"))
        raise AssertionError(f"timed out waiting for {message}\nurl={driver.current_url}\nconsole:\n{logs}") from exc


def css(driver, selector):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, selector)


def visible(selector):
    from selenium.common.exceptions import NoSuchElementException

    def check(driver):
        try:
            return css(driver, selector).is_displayed()
        except NoSuchElementException:
            return False

    return check


def row_for(driver, sku):
    return css(driver, f'#items tbody tr[data-sku="{sku}"]')


def rows(driver):
    """(sku, quantity cell text) per table row, read in one script so a re-render cannot
    leave stale element references behind."""
    return [
        tuple(r)
        for r in driver.execute_script(
            "return Array.from(document.querySelectorAll('#items tbody tr'))"
            ".map(r => [r.dataset.sku, r.querySelector('.quantity').innerText])"
        )
    ]


def fill(driver, values):
    for field, value in values.items():
        element = css(driver, f"#f-{field}")
        element.clear()
        element.send_keys(str(value))


def scan_table(lambda_app):
    return {i["sku"]: i for i in lambda_app._table().scan()["Items"]}


TOKENS_KEY = "inventoryAuth.tokens." + PREFIX  # the app's tokens in sessionStorage
PKCE_KEY = "inventoryAuth.pkce." + PREFIX  # its pending sign-in: nonce, PKCE verifier, createdAt


def set_session_storage(driver, site, entries):
    """sessionStorage entries (JSON values) on the site's origin, set from its home page (no script of its own)."""
    driver.get(site + "/")
    driver.execute_script(
        "for (const [k, v] of Object.entries(arguments[0])) sessionStorage.setItem(k, JSON.stringify(v));", entries
    )


def session_entry(driver, key):
    return driver.execute_script("return JSON.parse(sessionStorage.getItem(arguments[0]))", key)


@pytest.fixture
def fresh_app(stack, browser):
    """A test of the app starts from nothing: an empty table, no sessionStorage on the site, empty OAuth and API logs.

    The module's stack serves every test, and tools/mutate_js_session.py runs each test again for every mutant.
    """
    table = stack["lambda_app"]._table()
    for item in table.scan(ProjectionExpression="id")["Items"]:
        table.delete_item(Key={"id": item["id"]})
    for entries in ("oauth_log", "api_log", "token_answers", "api_answers"):
        stack[entries].clear()
    browser.get(stack["site"] + "/")  # the home page: same origin, no script
    browser.execute_script("sessionStorage.clear(); localStorage.clear();")
    return browser


# --------------------------------------------------------------------------- tests


def test_sign_in_and_manage_items(stack, fresh_app, tmp_path):
    driver, site = fresh_app, stack["site"]
    lambda_app = stack["lambda_app"]

    # /<prefix> without its slash is redirected by the CloudFront Function.
    driver.get(site + PREFIX.rstrip("/"))
    wait_for(driver, visible("#sign-in"), message="the sign-in button")
    assert urlsplit(driver.current_url).path == PREFIX
    assert css(driver, "#env-badge").text == "inventory · dev"

    css(driver, "#sign-in").click()
    wait_for(driver, visible("#username"), message="the hosted-UI login form")
    authorize = [e for e in stack["oauth_log"] if e["endpoint"] == "authorize"][-1]
    nonce, _, state_prefix = authorize["state"].partition(":")
    assert authorize == {
        "endpoint": "authorize",
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": site + "/auth/callback",
        "scope": "openid email profile",  # openid: an ID token; email: its email claim, the API's createdBy
        "state": f"{nonce}:{PREFIX}",
        "code_challenge": authorize["code_challenge"],  # the stand-in checks it against the verifier below
        "code_challenge_method": "S256",
    }
    assert re.fullmatch(r"[A-Za-z0-9_-]{22,128}", nonce)  # at least 128 random bits, base64url

    css(driver, "#username").send_keys("jane")
    css(driver, "#login-submit").click()
    wait_for(driver, visible("#app-view"), message="the signed-in app")
    wait_for(driver, visible("#empty"), message="the empty list")
    assert css(driver, "#user-email").text == "jane@example.com"
    assert urlsplit(driver.current_url).path == PREFIX and "code=" not in driver.current_url
    token_call = [e for e in stack["oauth_log"] if e["endpoint"] == "token"][-1]
    assert token_call["grant_type"] == "authorization_code"
    assert token_call["redirect_uri"] == site + "/auth/callback"  # exactly the registered callback
    # RFC 7636 section 4.1: 43-128 unreserved characters (a 32-byte random value, base64url, at the least).
    assert re.fullmatch(r"[A-Za-z0-9._~-]{43,128}", token_call["code_verifier"])
    assert any(p.startswith("/auth/callback?code=") for p in stack["site_requests"])

    # Add an item; the API's 400 names the bad field and the form shows it there.
    css(driver, "#add-item").click()
    fill(driver, {"name": "Blue Widget", "sku": "bad sku", "quantity": 3, "location": "Shelf A", "unitPrice": "4.25"})
    css(driver, "#save-item").click()
    wait_for(driver, lambda d: css(d, '.field-error[data-for="sku"]').text, message="the sku error")
    assert "A-Z" in css(driver, '.field-error[data-for="sku"]').text
    assert css(driver, "#f-sku").get_attribute("aria-invalid") == "true"
    assert css(driver, '.field-error[data-for="name"]').text == ""
    fill(driver, {"sku": "BW-1"})
    css(driver, "#save-item").click()
    wait_for(driver, visible('#items tbody tr[data-sku="BW-1"]'), message="the new item row")
    css(driver, "#add-item").click()
    fill(driver, {"name": "Red Gadget", "sku": "RG-2", "quantity": 50, "location": "Bin 7", "unitPrice": "19.99"})
    css(driver, "#save-item").click()
    wait_for(driver, visible('#items tbody tr[data-sku="RG-2"]'), message="the second row")

    assert rows(driver) == [("BW-1", "3Low stock"), ("RG-2", "50")]
    blue = row_for(driver, "BW-1")
    assert "low" in blue.get_attribute("class")
    assert blue.find_element("css selector", ".name").text == "Blue Widget"
    assert blue.find_element("css selector", ".location").text == "Shelf A"
    stored = scan_table(lambda_app)
    assert stored["BW-1"]["createdBy"] == "jane@example.com" and stored["RG-2"]["quantity"] == 50

    screenshot = tmp_path / "signed-in-item-list.png"
    assert driver.save_screenshot(str(screenshot))
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and screenshot.stat().st_size > 10_000
    print(f"screenshot: {screenshot}")

    # Low-stock filter asks the API for lowStock=true.
    css(driver, "#low-stock-only").click()
    wait_for(driver, lambda d: [s for s, _ in rows(d)] == ["BW-1"], message="the low-stock list")
    assert any(e.get("request") == "GET /items" for e in stack["api_log"])
    css(driver, "#low-stock-only").click()
    wait_for(driver, lambda d: len(rows(d)) == 2, message="the full list again")

    # Edit: quantity 3 -> 30 clears the low-stock flag; the API bumps the version.
    row_for(driver, "BW-1").find_element("css selector", "button.edit").click()
    wait_for(driver, visible("#item-form"), message="the edit form")
    assert css(driver, "#f-name").get_attribute("value") == "Blue Widget"
    fill(driver, {"quantity": 30})
    css(driver, "#save-item").click()
    wait_for(driver, lambda d: ("BW-1", "30") in rows(d), message="the edited row")
    assert not css(driver, "#item-form").is_displayed()
    assert scan_table(lambda_app)["BW-1"]["version"] == 2

    # Someone else saves Red Gadget first: the UI reports the 412 and shows their data.
    gadget = scan_table(lambda_app)["RG-2"]
    lambda_app._table().update_item(
        Key={"id": gadget["id"]},
        UpdateExpression="SET quantity = :q, version = version + :one",
        ExpressionAttributeValues={":q": 44, ":one": 1},
    )
    row_for(driver, "RG-2").find_element("css selector", "button.edit").click()
    fill(driver, {"quantity": 7})
    css(driver, "#save-item").click()
    wait_for(driver, lambda d: "changed by someone else" in css(d, "#message").text, message="the conflict message")
    assert css(driver, "#f-quantity").get_attribute("value") == "44"
    assert scan_table(lambda_app)["RG-2"]["quantity"] == 44  # nothing overwritten
    fill(driver, {"quantity": 7})
    css(driver, "#save-item").click()
    wait_for(driver, lambda d: ("RG-2", "7") in rows(d), message="the re-applied edit")
    assert 412 in [e.get("status") for e in stack["api_log"]]

    # Delete needs a second click to confirm.
    delete = row_for(driver, "BW-1").find_element("css selector", "button.delete")
    delete.click()
    assert delete.text == "Confirm delete" and len(rows(driver)) == 2
    delete.click()
    wait_for(driver, lambda d: [s for s, _ in rows(d)] == ["RG-2"], message="the row to go")
    assert "BW-1" not in scan_table(lambda_app)

    # A deep link is rewritten to index.html and still loads its relative assets.
    driver.get(site + PREFIX + "items/42")
    wait_for(driver, lambda d: [s for s, _ in rows(d)] == ["RG-2"], message="the app at a deep link")
    assert css(driver, "body").value_of_css_property("background-color") == "rgba(245, 247, 250, 1)"

    # Sign out through the hosted UI and the shared /auth/logout page, back to the app.
    refresh_token = session_entry(driver, TOKENS_KEY)["refreshToken"]
    css(driver, "#sign-out").click()
    wait_for(driver, visible("#sign-in"), message="the signed-out app")
    assert urlsplit(driver.current_url).path == PREFIX
    assert css(driver, "#message").text == "You have signed out."
    assert session_entry(driver, TOKENS_KEY) is None
    logout = [e for e in stack["oauth_log"] if e["endpoint"] == "logout"][-1]
    assert logout["logout_uri"] == site + "/auth/logout"
    # The refresh token was revoked before leaving: it no longer refreshes.
    revoked = [e for e in stack["oauth_log"] if e["endpoint"] == "revoke"]
    assert revoked == [{"endpoint": "revoke", "token": refresh_token, "client_id": CLIENT_ID}]
    endpoints = [e["endpoint"] for e in stack["oauth_log"]]
    assert endpoints.index("revoke") < max(i for i, e in enumerate(endpoints) if e == "logout")
    assert refresh_token not in stack["refresh_tokens"]

    # The nonce of the completed sign-in is spent: replaying its state is refused.
    driver.get(f"{site}/auth/callback?code=abc&state={quote(authorize['state'], safe='')}")
    wait_for(driver, lambda d: css(d, "body").get_attribute("data-status"), message="the callback verdict")
    assert css(driver, "body").get_attribute("data-status") == "refused"


HOSTILE_PREFIXES = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "/%2F%2Fevil.example/",
    "/%2e%2e/evil/",
    "/john-inventory-dev/..%2F..%2Fevil/",
    "/john-inventory-dev/../../evil/",
    "/john-inventory-dev",
    "/auth/",
    "/John-Inventory-Dev/",
    "javascript:alert(1)//",
    "/john-inventory-dev/\n",
    "",
]


def plant_nonce(driver, site, nonce, prefix=PREFIX):
    driver.get(site + "/auth/logout/index.html")  # any same-origin page
    driver.execute_script(
        "sessionStorage.setItem('inventoryAuth.nonce.' + arguments[0],"
        " JSON.stringify({prefix: arguments[1], createdAt: Date.now()}))",
        nonce,
        prefix,
    )


def callback_verdict(driver, site, state):
    url = f"{site}/auth/callback?code=abc123&state={quote(state, safe='')}"
    driver.get(url)
    wait_for(driver, lambda d: css(d, "body").get_attribute("data-status"), message="the callback verdict")
    time.sleep(0.2)  # a redirect, if any, would have started by now
    return css(driver, "body").get_attribute("data-status"), urlsplit(driver.current_url).path


@pytest.mark.parametrize("hostile", HOSTILE_PREFIXES)
def test_callback_refuses_hostile_prefix(stack, browser, hostile):
    nonce = "n" + uuid.uuid4().hex
    plant_nonce(browser, stack["site"], nonce, hostile)  # even a stored nonce cannot vouch for it
    status, path = callback_verdict(browser, stack["site"], f"{nonce}:{hostile}")
    assert status == "refused"
    assert path in ("/auth/callback", "/auth/callback/index.html")
    assert "refused" in css(browser, "#message").text
    assert css(browser, "#next-link").get_attribute("href") == stack["site"] + "/"


@pytest.mark.parametrize(
    "state",
    ["wrong-nonce-0123456789abcdef:" + PREFIX, PREFIX, ":" + PREFIX, "short:" + PREFIX],
    ids=["wrong-nonce", "no-nonce", "empty-nonce", "malformed-nonce"],
)
def test_callback_refuses_unknown_nonce(stack, browser, state):
    plant_nonce(browser, stack["site"], "n" + uuid.uuid4().hex)
    status, path = callback_verdict(browser, stack["site"], state)
    assert status == "refused" and path.startswith("/auth/callback")


def test_callback_follows_a_good_state_once(stack, browser):
    site = stack["site"]
    nonce = "n" + uuid.uuid4().hex
    plant_nonce(browser, site, nonce)
    state = f"{nonce}:{PREFIX}"
    before = len(stack["site_requests"])
    browser.get(f"{site}/auth/callback?code=abc123&state={quote(state, safe='')}")
    # The app receives the code (and, lacking its PKCE verifier, refuses to use it).
    wait_for(browser, visible("#sign-in"), message="the app after the callback")
    assert urlsplit(browser.current_url).path == PREFIX
    arrived = [p for p in stack["site_requests"][before:] if p.startswith(PREFIX + "?")]
    assert arrived == [f"{PREFIX}?code=abc123&state={quote(state, safe='')}"]
    assert "does not match a sign-in started here" in css(browser, "#message").text
    # The nonce was consumed by that visit.
    status, _ = callback_verdict(browser, site, state)
    assert status == "refused"


# --------------------------------------------------------------------------- callback and logout: each refusal branch
# Each test stores exactly what the app would (or a hostile variant) and drives the real page; the message names
# which check refused, so a test of one branch cannot pass because another branch refused first.

OTHER_APP = "/team-backend-inventory-prod/"  # a well-formed app path: isAppPath accepts it
NOT_STARTED = "Sign-in refused: this sign-in was not started in this browser tab, or was already used."
EXPIRED = "Sign-in refused: this sign-in attempt has expired. Please start again."


def store_pending(driver, site, nonce, pending):
    """sessionStorage["inventoryAuth.nonce.<nonce>"] = pending (a JSON value), on a same-origin page."""
    driver.get(site + "/auth/logout/index.html")
    driver.execute_script(
        "sessionStorage.clear(); sessionStorage.setItem('inventoryAuth.nonce.' + arguments[0], arguments[1])",
        nonce,
        json.dumps(pending) if not isinstance(pending, str) else pending,
    )


def created_ms_ago(driver, ms):
    return driver.execute_script("return Date.now() - arguments[0]", ms)


def verdict(driver):
    """(data-status, message, next link or None, path, the nonce entries left in sessionStorage)."""
    from selenium.common.exceptions import NoSuchElementException

    try:
        link = css(driver, "#next-link").get_attribute("href")
    except NoSuchElementException:
        link = None
    left = driver.execute_script(
        "return Object.keys(sessionStorage).filter(k => k.indexOf('inventoryAuth.nonce.') === 0)"
    )
    return (
        css(driver, "body").get_attribute("data-status"),
        css(driver, "#message").text,
        link,
        urlsplit(driver.current_url).path,
        left,
    )


def test_callback_refuses_a_prefix_other_than_the_stored_one(stack, browser):
    """The nonce was stored for one app; the state names another, well-formed app: refused, not followed."""
    site, nonce = stack["site"], "n" + uuid.uuid4().hex
    store_pending(browser, site, nonce, {"prefix": PREFIX, "createdAt": created_ms_ago(browser, 0)})
    before = len(stack["site_requests"])  # other tests (the logout's return) visit OTHER_APP: only this one counts
    status, path = callback_verdict(browser, site, f"{nonce}:{OTHER_APP}")
    assert verdict(browser) == ("refused", NOT_STARTED, site + "/", path, [])
    assert css(browser, "#message").get_attribute("class") == "error"
    assert css(browser, "#next-link").text == "Go to the home page"
    assert path.startswith("/auth/callback")
    assert not any(p.startswith(OTHER_APP) for p in stack["site_requests"][before:])
    # ... and the nonce is spent by that refusal: the right prefix afterwards is refused too.
    callback_verdict(browser, site, f"{nonce}:{PREFIX}")
    assert verdict(browser)[:2] == ("refused", NOT_STARTED)


@pytest.mark.parametrize(
    "age_ms",
    [10 * 60 * 1000 + 5000, 60 * 60 * 1000, 24 * 60 * 60 * 1000],
    ids=["just-over-10-minutes", "an-hour", "a-day"],
)
def test_callback_refuses_an_expired_sign_in(stack, browser, age_ms):
    site, nonce = stack["site"], "n" + uuid.uuid4().hex
    store_pending(browser, site, nonce, {"prefix": PREFIX, "createdAt": created_ms_ago(browser, age_ms)})
    status, path = callback_verdict(browser, site, f"{nonce}:{PREFIX}")
    assert verdict(browser) == ("refused", EXPIRED, site + "/", path, [])
    assert path.startswith("/auth/callback")


@pytest.mark.parametrize(
    "pending",
    [{"prefix": PREFIX}, {"prefix": PREFIX, "createdAt": "yesterday"}, {"prefix": PREFIX, "createdAt": None}],
    ids=["no-createdAt", "text-createdAt", "null-createdAt"],
)
def test_callback_refuses_a_sign_in_without_a_usable_start_time(stack, browser, pending):
    site, nonce = stack["site"], "n" + uuid.uuid4().hex
    store_pending(browser, site, nonce, pending)
    callback_verdict(browser, site, f"{nonce}:{PREFIX}")
    assert verdict(browser)[:2] == ("refused", EXPIRED)


def test_callback_follows_a_sign_in_started_nine_minutes_ago(stack, browser):
    """Inside the 10-minute window the callback hands the code to the app."""
    site, nonce = stack["site"], "n" + uuid.uuid4().hex
    store_pending(browser, site, nonce, {"prefix": PREFIX, "createdAt": created_ms_ago(browser, 9 * 60 * 1000)})
    browser.get(f"{site}/auth/callback?code=abc123&state={quote(f'{nonce}:{PREFIX}', safe='')}")
    wait_for(browser, lambda d: urlsplit(d.current_url).path == PREFIX, message="the app after the callback")


@pytest.mark.parametrize(
    "stored",
    [None, "not json", "null", '"a string"'],
    ids=["missing", "unparsable", "null", "not-an-object"],
)
def test_callback_refuses_a_missing_or_unreadable_nonce(stack, browser, stored):
    site, nonce = stack["site"], "n" + uuid.uuid4().hex
    if stored is None:
        store_pending(browser, site, "n" + uuid.uuid4().hex, {"prefix": PREFIX, "createdAt": 0})  # another nonce
    else:
        store_pending(browser, site, nonce, stored)
    callback_verdict(browser, site, f"{nonce}:{PREFIX}")
    status, message, link, _, left = verdict(browser)
    assert (status, message, link) == ("refused", NOT_STARTED, site + "/")
    assert f"inventoryAuth.nonce.{nonce}" not in left


def test_callback_refuses_a_reused_nonce(stack, browser):
    site, nonce = stack["site"], "n" + uuid.uuid4().hex
    store_pending(browser, site, nonce, {"prefix": PREFIX, "createdAt": created_ms_ago(browser, 0)})
    state = quote(f"{nonce}:{PREFIX}", safe="")
    browser.get(f"{site}/auth/callback?code=first&state={state}")
    wait_for(browser, lambda d: urlsplit(d.current_url).path == PREFIX, message="the first, accepted use")
    callback_verdict(browser, site, f"{nonce}:{PREFIX}")
    assert verdict(browser)[:3] == ("refused", NOT_STARTED, site + "/")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("code=abc123", "Sign-in refused: the response carries no state."),
        ("code=abc123&state=", "Sign-in refused: the response carries no state."),
        ("code=abc123&state=short%3A%2Fjohn-inventory-dev%2F", "Sign-in refused: the state is malformed."),
        (
            "code=abc123&state=n0123456789abcdef%3A%2Fauth%2F",
            "Sign-in refused: the state does not name an app on this site.",
        ),
        # The nonce ends at the first colon: what follows, a URL with colons of its own, is the prefix refused.
        (
            "code=abc123&state=n0123456789abcdef%3Ahttps%3A%2F%2Fevil.example%2F",
            "Sign-in refused: the state does not name an app on this site.",
        ),
        # A nonce is 16 to 128 of [A-Za-z0-9_-], all of it: one character too few or too many, or one outside the
        # set at either end, is malformed (and a state without a colon has no nonce at all).
        (f"code=abc123&state={'n' * 15}%3A%2Fjohn-inventory-dev%2F", "Sign-in refused: the state is malformed."),
        (f"code=abc123&state={'n' * 129}%3A%2Fjohn-inventory-dev%2F", "Sign-in refused: the state is malformed."),
        ("code=abc123&state=.0123456789abcdef%3A%2Fjohn-inventory-dev%2F", "Sign-in refused: the state is malformed."),
        ("code=abc123&state=0123456789abcdef.%3A%2Fjohn-inventory-dev%2F", "Sign-in refused: the state is malformed."),
        ("code=abc123&state=n0123456789abcdefg", "Sign-in refused: the state is malformed."),
    ],
    ids=[
        "no-state",
        "empty-state",
        "malformed-nonce",
        "reserved-prefix",
        "url-prefix",
        "nonce-of-15",
        "nonce-of-129",
        "nonce-with-a-bad-first-character",
        "nonce-with-a-bad-last-character",
        "no-colon",
    ],
)
def test_callback_names_why_a_state_is_refused(stack, browser, query, message):
    browser.get(f"{stack['site']}/auth/callback?{query}")
    wait_for(browser, lambda d: css(d, "body").get_attribute("data-status"), message="the callback verdict")
    assert verdict(browser)[:3] == ("refused", message, stack["site"] + "/")


@pytest.mark.parametrize(
    "code", [None, "", "a b", "x" * 2049, "<script>"], ids=["none", "empty", "space", "long", "markup"]
)
def test_callback_refuses_a_missing_or_malformed_code(stack, browser, code):
    site, nonce = stack["site"], "n" + uuid.uuid4().hex
    store_pending(browser, site, nonce, {"prefix": PREFIX, "createdAt": created_ms_ago(browser, 0)})
    query = f"state={quote(f'{nonce}:{PREFIX}', safe='')}" + ("" if code is None else f"&code={quote(code)}")
    browser.get(f"{site}/auth/callback?{query}")
    wait_for(browser, lambda d: css(d, "body").get_attribute("data-status"), message="the callback verdict")
    time.sleep(0.2)
    assert verdict(browser)[:3] == (
        "refused",
        "Sign-in refused: the response carries no valid authorization code.",
        site + "/",
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("error=access_denied&error_description=User%20cancelled", "access_denied (User cancelled)"),
        ("error=access_denied", "access_denied"),
    ],
    ids=["with-a-description", "without"],
)
def test_callback_reports_the_identity_providers_error_and_links_back_to_the_app(stack, browser, query, message):
    site, nonce = stack["site"], "n" + uuid.uuid4().hex
    store_pending(browser, site, nonce, {"prefix": PREFIX, "createdAt": created_ms_ago(browser, 0)})
    state = quote(f"{nonce}:{PREFIX}", safe="")
    browser.get(f"{site}/auth/callback?{query}&state={state}")
    wait_for(browser, lambda d: css(d, "body").get_attribute("data-status"), message="the callback verdict")
    assert verdict(browser)[:4] == ("error", f"Sign-in did not complete: {message}", site + PREFIX, "/auth/callback")
    assert css(browser, "#next-link").text == "Back to the app"
    assert css(browser, "#message").get_attribute("class") == "error"  # styled as the failure it is


@pytest.mark.parametrize(
    ("nonce", "code"),
    [("n" * 16, "abc123"), ("n" * 128, "abc123"), ("n" * 33, "a"), ("n" * 33, "x" * 2048)],
    ids=["nonce-of-16", "nonce-of-128", "code-of-1", "code-of-2048"],
)
def test_callback_follows_nonces_and_codes_at_their_length_limits(stack, browser, nonce, code):
    site = stack["site"]
    store_pending(browser, site, nonce, {"prefix": PREFIX, "createdAt": created_ms_ago(browser, 0)})
    before = len(stack["site_requests"])
    state = quote(f"{nonce}:{PREFIX}", safe="")
    browser.get(f"{site}/auth/callback?code={code}&state={state}")
    wait_for(browser, lambda d: urlsplit(d.current_url).path == PREFIX, message="the app after the callback")
    arrived = [p for p in stack["site_requests"][before:] if p.startswith(PREFIX + "?")]
    assert arrived == [f"{PREFIX}?code={code}&state={state}"]


@contextmanager
def first_on_pages(driver, source, under="/auth/"):
    """``source`` runs in every page under the path ``under`` the browser opens inside the block, before the
    page's own scripts (Chrome's Page.addScriptToEvaluateOnNewDocument)."""
    script = f"if (location.pathname.indexOf({json.dumps(under)}) === 0) {{ {source} }}"
    added = driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": script})
    try:
        yield
    finally:
        driver.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": added["identifier"]})


def held_clock(now_ms):
    """A page script holding ``Date.now`` still at ``now_ms``."""
    return f"Date.now = function () {{ return {now_ms}; }};"


#: Writes an /auth/ page's verdict (data-status, message, the message's class) to sessionStorage as it is set: a
#: page that redirects leaves before a test could read it, but sessionStorage is the tab's across the origin.
RECORD_VERDICT = """
new MutationObserver(function () {
  var message = document.getElementById('message');
  sessionStorage.setItem('test.verdict', JSON.stringify(
    [document.body.getAttribute('data-status'), message.textContent, message.className]));
}).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-status'] });
"""


def test_callback_says_it_is_returning_to_the_app_before_it_leaves(stack, browser):
    site, nonce = stack["site"], "n" + uuid.uuid4().hex
    store_pending(browser, site, nonce, {"prefix": PREFIX, "createdAt": created_ms_ago(browser, 0)})
    with first_on_pages(browser, RECORD_VERDICT):
        browser.get(f"{site}/auth/callback?code=abc123&state={quote(f'{nonce}:{PREFIX}', safe='')}")
        wait_for(browser, lambda d: urlsplit(d.current_url).path == PREFIX, message="the app after the callback")
    assert session_entry(browser, "test.verdict") == ["redirecting", "Signed in. Returning to the app…", ""]


def test_callback_leaks_its_code_in_no_referer(stack, browser):
    """The callback's address holds the one-time code: neither its own scripts and style nor the app it returns
    to (whose address holds the code too, until the exchange) are requested with a Referer."""
    site, nonce = stack["site"], "n" + uuid.uuid4().hex
    store_pending(browser, site, nonce, {"prefix": PREFIX, "createdAt": created_ms_ago(browser, 0)})
    browser.execute_cdp_cmd("Network.clearBrowserCache", {})  # the scripts requested again, not taken from cache
    seen = len(stack["site_referers"])
    browser.get(f"{site}/auth/callback?code=abc123&state={quote(f'{nonce}:{PREFIX}', safe='')}")
    wait_for(browser, lambda d: urlsplit(d.current_url).path == PREFIX, message="the app after the callback")
    wait_for(browser, lambda d: any(p.startswith(PREFIX + "app.") for p, _ in stack["site_referers"][seen:]))
    requests = stack["site_referers"][seen:]
    paths = [path for path, _ in requests]
    for path in ("/auth/callback", "/auth/auth.css", "/auth/auth-common.js", "/auth/callback/callback.js", PREFIX):
        assert path in paths, f"{path} was not requested: {paths}"
    assert [(path, referer) for path, referer in requests if referer is not None] == []


def test_callback_follows_a_sign_in_exactly_ten_minutes_old(stack, browser):
    """The window is inclusive: on a clock the test holds still, 600000 ms after the start is still in time."""
    site, nonce, now = stack["site"], "n" + uuid.uuid4().hex, int(time.time() * 1000)
    store_pending(browser, site, nonce, {"prefix": PREFIX, "createdAt": now - 10 * 60 * 1000})
    with first_on_pages(browser, held_clock(now)):
        browser.get(f"{site}/auth/callback?code=abc123&state={quote(f'{nonce}:{PREFIX}', safe='')}")
        wait_for(browser, lambda d: urlsplit(d.current_url).path == PREFIX, message="the app after the callback")


def store_return_to(driver, site, value):
    driver.get(site + "/auth/callback/index.html")  # any same-origin page (it refuses: no state)
    driver.execute_script(
        "sessionStorage.clear(); if (arguments[0] !== null) sessionStorage.setItem('inventoryAuth.returnTo', arguments[0])",
        value,
    )


@pytest.mark.parametrize(
    "stored",
    [
        None,
        "",
        "https://evil.example/",
        "https://evil.example/john-inventory-dev/",
        "//evil.example/",
        "/\\evil.example/",
        "/auth/",
        "/john-inventory-dev",
        "/A/",
        "/evil.example/",
        "/" + "a" * 64 + "/",
    ],
    ids=[
        "missing",
        "empty",
        "full-url",
        "full-url-ending-in-an-app-path",
        "scheme-relative",
        "backslash",
        "reserved",
        "no-slash",
        "uppercase",
        "dot",
        "name-of-64",
    ],
)
def test_logout_without_a_valid_return_path_only_says_signed_out(stack, browser, stored):
    site = stack["site"]
    store_return_to(browser, site, stored)
    browser.get(site + "/auth/logout")
    wait_for(browser, lambda d: css(d, "body").get_attribute("data-status"), message="the logout verdict")
    time.sleep(0.2)  # a redirect, if any, would have started by now
    assert css(browser, "body").get_attribute("data-status") == "signed-out"
    assert css(browser, "#message").text == "You are signed out."
    assert css(browser, "#next-link").get_attribute("href") == site + "/"
    assert css(browser, "#next-link").text == "Go to the home page"
    assert urlsplit(browser.current_url).path in ("/auth/logout", "/auth/logout/", "/auth/logout/index.html")
    assert browser.execute_script("return sessionStorage.getItem('inventoryAuth.returnTo')") is None


@pytest.mark.parametrize(
    ("page", "title", "status", "color"),
    [
        ("/auth/callback", "Signing in…", "refused", "rgba(200, 30, 30, 1)"),
        ("/auth/logout", "Signed out", "signed-out", "rgba(31, 41, 51, 1)"),
    ],
    ids=["callback", "logout"],
)
def test_callback_and_logout_pages_as_a_person_meets_them(stack, browser, page, title, status, color):
    """In English, under their title and the app's name, the message announced to a screen reader (its computed
    role is status), styled by the shared stylesheet (a refusal in red, else the body's colour), laid out at a
    phone's width."""
    site = stack["site"]
    store_return_to(browser, site, None)
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 375, "height": 700, "deviceScaleFactor": 2, "mobile": True}
    )
    try:
        browser.get(site + page)
        wait_for(browser, lambda d: css(d, "body").get_attribute("data-status") == status, message=status)
        assert browser.execute_script("return [document.documentElement.lang, document.title]") == ["en", title]
        assert css(browser, "h1").text == "Smart Inventory Hub"
        assert css(browser, "#message").aria_role == "status"
        shown = "return [getComputedStyle(document.querySelector('main')).maxWidth, window.innerWidth]"
        assert browser.execute_script(shown) == ["512px", 375]  # 32rem; without the viewport meta, 980
        assert css(browser, "#message").value_of_css_property("color") == color
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


NEEDS_JAVASCRIPT = {
    "/auth/callback?code=c0de&state=n0nce%3A%2Fjohn-inventory-dev%2F": "Signing in needs JavaScript.",
    PREFIX: "Smart Inventory Hub needs JavaScript: turn it on for this site, then reload the page.",
}


@pytest.mark.parametrize("page", list(NEEDS_JAVASCRIPT), ids=["callback", "app"])
def test_a_page_opened_without_javascript_says_it_needs_it(stack, browser, tmp_path, page):
    """With JavaScript off in the browser, neither the sign-in callback nor an app can do anything; each says why
    instead of showing "Signing you in…" or "Loading…" for ever. With JavaScript on, the sentence is not shown."""
    site, sentence = stack["site"], NEEDS_JAVASCRIPT[page]
    without = chromium(tmp_path / "profile", scripts=False)
    try:
        without.get(site + page)
        # Evaluated through the DevTools protocol, which the page's setting does not stop.
        shown = without.execute_script("return document.body.innerText").splitlines()
    finally:
        without.quit()
    assert sentence in shown, shown
    store_return_to(browser, site, None)
    browser.get(site + page)
    wait_for(browser, lambda d: d.execute_script("return document.readyState") == "complete", message="the page")
    assert sentence not in browser.execute_script("return document.body.innerText")


PROVIDER_ERROR_MARKUP = '<b id="injected">bold</b><a id="evil-link" href="https://evil.example/">continue</a>'


def test_callback_shows_the_providers_error_text_as_text(stack, browser):
    """``error`` and ``error_description`` come from the address bar: markup in them is shown as the characters it
    is and creates no element. (A hand-injected ``message.innerHTML = text`` in ui/auth/auth-common.js passed every
    callback test before this one: their error texts held no markup.)"""
    site, nonce = stack["site"], "n" + uuid.uuid4().hex
    store_pending(browser, site, nonce, {"prefix": PREFIX, "createdAt": created_ms_ago(browser, 0)})
    state = quote(f"{nonce}:{PREFIX}", safe="")
    query = f"error={quote('<i>denied</i>', safe='')}&error_description={quote(PROVIDER_ERROR_MARKUP, safe='')}"
    browser.get(f"{site}/auth/callback?{query}&state={state}")
    wait_for(browser, lambda d: css(d, "body").get_attribute("data-status"), message="the callback verdict")
    assert verdict(browser)[:4] == (
        "error",
        f"Sign-in did not complete: <i>denied</i> ({PROVIDER_ERROR_MARKUP})",
        site + PREFIX,
        "/auth/callback",
    )
    assert browser.find_elements("css selector", "#message *") == []
    assert browser.find_elements("css selector", "#injected, #evil-link, i") == []


@pytest.mark.parametrize("app", [OTHER_APP, "/a/", "/" + "a" * 63 + "/"], ids=["app", "name-of-1", "name-of-63"])
def test_logout_returns_to_a_valid_app_path_once(stack, browser, app):
    site = stack["site"]
    store_return_to(browser, site, app)
    browser.get(site + "/auth/logout")
    wait_for(browser, lambda d: urlsplit(d.current_url).path == app, message="the return to the app")
    assert urlsplit(browser.current_url).query == "signedOut=1"
    assert browser.execute_script("return sessionStorage.getItem('inventoryAuth.returnTo')") is None
    browser.get(site + "/auth/logout")  # the stored path was consumed
    wait_for(browser, lambda d: css(d, "body").get_attribute("data-status"), message="the logout verdict")
    assert css(browser, "body").get_attribute("data-status") == "signed-out"


def test_logout_says_it_is_returning_to_the_app_before_it_leaves(stack, browser):
    site = stack["site"]
    store_return_to(browser, site, OTHER_APP)
    with first_on_pages(browser, RECORD_VERDICT):
        browser.get(site + "/auth/logout")
        wait_for(browser, lambda d: urlsplit(d.current_url).path == OTHER_APP, message="the return to the app")
    assert session_entry(browser, "test.verdict") == ["redirecting", "You are signed out. Returning to the app…", ""]


def test_a_user_outside_the_apps_group_sees_the_no_access_page(stack, fresh_app, monkeypatch):
    """The handler answers 403 no_access (the token holds none of ACCESS_GROUPS); the SPA says so plainly."""
    driver, site = fresh_app, stack["site"]
    monkeypatch.setenv("ACCESS_GROUPS", "john-inventory-dev-users")
    monkeypatch.setenv("APP_NAME", "john-inventory-dev")
    driver.delete_all_cookies()
    driver.get(site + PREFIX)
    wait_for(driver, visible("#sign-in"), message="the sign-in button")
    css(driver, "#sign-in").click()
    wait_for(driver, visible("#username"), message="the hosted-UI login form")
    css(driver, "#username").send_keys("mallory")  # the stand-in pool puts no cognito:groups in her token
    css(driver, "#login-submit").click()
    wait_for(driver, visible("#no-access-view"), message="the no-access page")
    view = css(driver, "#no-access-view")
    assert view.find_element("css selector", "h2").text == "No access to this app"
    assert "you have no access to john-inventory-dev." in view.text
    assert "john-inventory-dev-users" in view.text  # the group to ask for
    assert not css(driver, "#app-view").is_displayed()
    assert ("GET /items", 403) in api_requests(stack)


# --------------------------------------------------------------------------- the app: the code it accepts, its session, the form
# The names keep clear of "callback" and "logout": tools/mutate_js.py judges the app's mutants by every test of this
# file but the shared pages' (-k "not callback and not logout").

NOT_STARTED_HERE = "This sign-in response does not match a sign-in started here. Please sign in again."


def sign_in_as(driver, username):
    """From the signed-out app: the sign-in button, the hosted UI's form, back to the signed-in app."""
    wait_for(driver, visible("#sign-in"), message="the sign-in button")
    css(driver, "#sign-in").click()
    wait_for(driver, visible("#username"), message="the hosted-UI login form")
    css(driver, "#username").send_keys(username)
    css(driver, "#login-submit").click()
    wait_for(driver, visible("#app-view"), message="the signed-in app")


def session_tokens(stack, seconds_left, username="jane", key=SIGNING_KEY, claims=None):
    """Tokens as the app stores them after a sign-in, ``seconds_left`` before they expire (the ID token's exp too);
    the refresh token is one the stand-in pool knows. A ``key`` other than the pool's makes the API refuse the ID
    token whatever its expiry. ``claims`` change the tokens' claims (a claim given ``None`` is left out)."""
    changed = {**id_token_claims(username, stack["oauth"], lifetime=seconds_left), **(claims or {})}
    claims = {k: v for k, v in changed.items() if v is not None}
    refresh_token = uuid.uuid4().hex
    stack["refresh_tokens"][refresh_token] = username
    return {
        "idToken": make_jwt(claims, key),
        "accessToken": make_jwt({**claims, "token_use": "access", "client_id": CLIENT_ID}, key),
        "refreshToken": refresh_token,
        "expiresAt": int((time.time() + seconds_left) * 1000),
    }


def token_grants(stack):
    return [e["grant_type"] for e in stack["oauth_log"] if e["endpoint"] == "token"]


def api_requests(stack):
    """The API's answers to the app, in order (the CORS preflights left out)."""
    return [(e["request"], e["status"]) for e in stack["api_log"] if "request" in e]


@pytest.mark.parametrize(
    ("pending_age_ms", "query", "message"),
    [
        (0, "code=abc123&state=n0123456789abcdef0123:{prefix}", NOT_STARTED_HERE),
        (11 * 60 * 1000, "code=abc123&state={nonce}:{prefix}", NOT_STARTED_HERE),
        (None, "code=abc123&state={nonce}:{prefix}", NOT_STARTED_HERE),
        ("no start time", "code=abc123&state={nonce}:{prefix}", NOT_STARTED_HERE),
        (0, "error=access_denied&state={nonce}:{prefix}", "Sign-in was cancelled or failed: access_denied"),
    ],
    ids=["another-nonce", "started-eleven-minutes-ago", "not-started", "without-a-start-time", "provider-error"],
)
def test_the_app_refuses_a_code_it_did_not_ask_for(stack, fresh_app, pending_age_ms, query, message):
    """The app's own check, after the shared page's: the state is its pending sign-in's, at most 10 minutes old.

    The app is opened directly with the code, as a crafted link would; it asks for no token, says why, drops code
    and state from the address bar, and its pending sign-in is spent whatever happened (one attempt each). A
    pending sign-in without a usable start time is refused, as the shared page refuses one (fail closed).
    """
    driver, site, nonce = fresh_app, stack["site"], "n" + uuid.uuid4().hex
    if pending_age_ms is not None:
        pending = {"nonce": nonce, "verifier": "v" * 64}
        if pending_age_ms != "no start time":
            pending["createdAt"] = int(time.time() * 1000) - pending_age_ms
        set_session_storage(driver, site, {PKCE_KEY: pending})
    driver.get(site + PREFIX + "?" + query.format(nonce=nonce, prefix=quote(PREFIX, safe="")))
    wait_for(driver, visible("#sign-in"), message="the signed-out app")
    assert css(driver, "#message").text == message
    assert css(driver, "#message").get_attribute("class") == "error"
    assert driver.current_url == site + PREFIX
    assert token_grants(stack) == []
    assert session_entry(driver, PKCE_KEY) is None


def test_sign_in_from_a_deep_link_comes_back_to_the_app(stack, fresh_app):
    """The state names the app's prefix, not the page the user was on (which the shared page would refuse)."""
    driver, site = fresh_app, stack["site"]
    driver.get(site + PREFIX + "items/42")
    sign_in_as(driver, "jane")
    authorize = [e for e in stack["oauth_log"] if e["endpoint"] == "authorize"]
    assert len(authorize) == 1 and authorize[0]["state"].endswith(":" + PREFIX)
    wait_for(driver, visible("#empty"), message="the empty list")
    assert driver.current_url == site + PREFIX


@pytest.mark.parametrize(
    ("seconds_left", "refreshed"),
    [(-60, True), (30, True), (300, False)],
    ids=["expired", "expiring-within-the-minute", "five-minutes-left"],
)
def test_a_session_near_its_end_is_refreshed_before_the_first_call(stack, fresh_app, seconds_left, refreshed):
    """Tokens with less than a minute left are refreshed first, so the API never sees an expired one."""
    driver, site = fresh_app, stack["site"]
    planted = session_tokens(stack, seconds_left)
    set_session_storage(driver, site, {TOKENS_KEY: planted})
    driver.get(site + PREFIX)
    wait_for(driver, visible("#empty"), message="the signed-in, empty list")
    assert token_grants(stack) == (["refresh_token"] if refreshed else [])
    assert api_requests(stack) == [("GET /items", 200)]  # never a 401 first
    kept = session_entry(driver, TOKENS_KEY)
    assert (kept["idToken"] != planted["idToken"]) is refreshed
    # Cognito's answer to a refresh holds no refresh token: the one the app had is kept, for the next refresh and
    # for the sign-out to revoke.
    assert kept["refreshToken"] == planted["refreshToken"]
    if refreshed:
        assert abs(kept["expiresAt"] - (time.time() + 3600) * 1000) < 60_000


def test_a_session_that_cannot_be_refreshed_ends_signed_out(stack, fresh_app):
    """Expired tokens and a refresh token the pool no longer knows: signed out, the dead tokens forgotten."""
    driver, site = fresh_app, stack["site"]
    planted = session_tokens(stack, -60)
    del stack["refresh_tokens"][planted["refreshToken"]]
    set_session_storage(driver, site, {TOKENS_KEY: planted})
    driver.get(site + PREFIX)
    wait_for(driver, visible("#sign-in"), message="the signed-out app")
    assert token_grants(stack) == ["refresh_token"]
    assert api_requests(stack) == []
    assert session_entry(driver, TOKENS_KEY) is None


def test_a_token_the_api_refuses_is_refreshed_and_the_call_repeated(stack, fresh_app):
    """A 401 on a token that has not expired (revoked, say): one refresh, the same call again."""
    driver, site = fresh_app, stack["site"]
    set_session_storage(driver, site, {TOKENS_KEY: session_tokens(stack, 3600, key=b"another-key")})
    driver.get(site + PREFIX)
    wait_for(driver, visible("#empty"), message="the signed-in, empty list")
    assert token_grants(stack) == ["refresh_token"]
    assert api_requests(stack) == [("GET /items", 401), ("GET /items", 200)]
    assert not css(driver, "#message").is_displayed()


def test_a_refused_token_without_a_refresh_token_ends_the_session(stack, fresh_app):
    driver, site = fresh_app, stack["site"]
    planted = {**session_tokens(stack, 3600, key=b"another-key"), "refreshToken": None}
    set_session_storage(driver, site, {TOKENS_KEY: planted})
    driver.get(site + PREFIX)
    wait_for(driver, visible("#sign-in"), message="the signed-out app")
    assert css(driver, "#message").text == "Your session has ended. Please sign in again."
    assert api_requests(stack) == [("GET /items", 401)]
    assert token_grants(stack) == []
    assert session_entry(driver, TOKENS_KEY) is None


def shown_message(driver):
    """The app's message: its text and its class (``error`` for a failure)."""
    return css(driver, "#message").text, css(driver, "#message").get_attribute("class")


def test_the_user_and_sign_out_are_shown_only_while_signed_in(stack, fresh_app):
    """The page's ``hidden`` attribute hides the session bar (the stylesheet must not show it anyway)."""
    driver, site = fresh_app, stack["site"]
    driver.get(site + PREFIX)
    wait_for(driver, visible("#sign-in"), message="the signed-out app")
    assert not css(driver, "#session").is_displayed() and not css(driver, "#sign-out").is_displayed()
    with no_config(stack):
        driver.get(site + PREFIX)
        wait_for(driver, lambda d: css(d, "#message").text, message="the config error")
    assert not css(driver, "#session").is_displayed()
    open_signed_in(driver, stack)
    assert css(driver, "#session").is_displayed() and css(driver, "#sign-out").is_displayed()


def test_a_pending_sign_in_exactly_ten_minutes_old_is_still_in_time_for_the_app(stack, fresh_app):
    """The app's window is inclusive, as the shared page's: on a clock the test holds still, a code answering a
    sign-in started 600000 ms before is exchanged."""
    driver, site, nonce, now = fresh_app, stack["site"], "n" + uuid.uuid4().hex, int(time.time() * 1000)
    verifier = "v" * 64
    stack["codes"]["held-clock-code"] = {
        "redirect_uri": site + "/auth/callback",
        "code_challenge": _b64url(hashlib.sha256(verifier.encode()).digest()),
        "username": "jane",
        "used": False,
    }
    pending = {"nonce": nonce, "verifier": verifier, "createdAt": now - 10 * 60 * 1000}
    set_session_storage(driver, site, {PKCE_KEY: pending})
    with first_on_pages(driver, held_clock(now), under=PREFIX):
        driver.get(f"{site}{PREFIX}?code=held-clock-code&state={quote(f'{nonce}:{PREFIX}', safe='')}")
        wait_for(driver, visible("#empty"), message="the signed-in, empty list")
    assert token_grants(stack) == ["authorization_code"]


def test_a_session_with_exactly_a_minute_left_is_refreshed_first(stack, fresh_app):
    """ "Less than a minute left" includes the minute itself: on a clock the test holds still, tokens expiring
    60000 ms later are refreshed before the first call."""
    driver, site, now = fresh_app, stack["site"], int(time.time() * 1000)
    planted = {**session_tokens(stack, 3600), "expiresAt": now + 60 * 1000}
    set_session_storage(driver, site, {TOKENS_KEY: planted})
    with first_on_pages(driver, held_clock(now), under=PREFIX):
        driver.get(site + PREFIX)
        wait_for(driver, visible("#empty"), message="the signed-in, empty list")
    assert token_grants(stack) == ["refresh_token"]


def start_sign_in(driver, site):
    """The signed-out app's sign-in button, then the hosted UI's form sent: the code comes back to the app."""
    driver.get(site + PREFIX)
    wait_for(driver, visible("#sign-in"), message="the sign-in button")
    css(driver, "#sign-in").click()
    wait_for(driver, visible("#username"), message="the hosted-UI login form")
    css(driver, "#username").send_keys("jane")
    css(driver, "#login-submit").click()


@pytest.mark.parametrize(
    ("status", "body", "content_type", "message"),
    [
        (400, '{"error": "invalid_grant", "error_description": "Invalid code"}', "application/json", "Invalid code"),
        (400, '{"error": "invalid_grant"}', "application/json", "invalid_grant"),
        (502, "<html><body>Bad gateway</body></html>", "text/html", "token endpoint answered 502"),
        (200, '{"access_token": "a", "expires_in": 3600}', "application/json", "token endpoint answered 200"),
    ],
    ids=["error-with-description", "error-alone", "not-json", "no-id-token"],
)
def test_a_token_answer_without_tokens_leaves_the_app_signed_out_saying_why(
    stack, fresh_app, status, body, content_type, message
):
    """The code's exchange fails: the provider's description, else its error code, else the status; an answer
    without an ID token is a failure even with 200. Nothing is stored, and the code is not sent twice."""
    driver, site = fresh_app, stack["site"]
    stack["token_answers"].append((status, body, content_type))
    start_sign_in(driver, site)
    wait_for(driver, visible("#sign-in"), message="the signed-out app after the exchange")
    wait_for(driver, lambda d: css(d, "#message").text, message="the reason")
    assert shown_message(driver) == (message, "error")
    assert token_grants(stack) == ["authorization_code"]
    assert session_entry(driver, TOKENS_KEY) is None
    assert driver.current_url == site + PREFIX


@pytest.mark.parametrize(("expires_in", "lifetime_s"), [({}, 3600), ({"expires_in": 300}, 300)], ids=["none", "300"])
def test_tokens_expire_when_the_answer_says_or_after_an_hour(stack, fresh_app, expires_in, lifetime_s):
    driver, site = fresh_app, stack["site"]
    claims = id_token_claims("jane", stack["oauth"])
    answer = {"id_token": make_jwt(claims), "access_token": make_jwt(claims), "refresh_token": "r", **expires_in}
    stack["token_answers"].append((200, json.dumps(answer), "application/json"))
    start_sign_in(driver, site)
    wait_for(driver, visible("#empty"), message="the signed-in, empty list")
    saved = session_entry(driver, TOKENS_KEY)
    assert abs(saved["expiresAt"] - (time.time() + lifetime_s) * 1000) < 60_000


def test_signing_out_without_a_refresh_token_revokes_nothing_and_still_signs_out(stack, fresh_app):
    driver, site = fresh_app, stack["site"]
    set_session_storage(driver, site, {TOKENS_KEY: {**session_tokens(stack, 3600), "refreshToken": None}})
    driver.get(site + PREFIX)
    wait_for(driver, visible("#sign-out"), message="the signed-in app")
    css(driver, "#sign-out").click()
    wait_for(driver, visible("#sign-in"), message="the signed-out app")
    assert css(driver, "#message").text == "You have signed out."
    assert [e["endpoint"] for e in stack["oauth_log"]] == ["logout"]
    assert session_entry(driver, TOKENS_KEY) is None


@pytest.mark.parametrize(
    ("status", "body", "content_type", "message"),
    [
        (500, '{"message": "Internal Server Error"}', "application/json", "Internal Server Error"),
        (503, '{"error": "unavailable"}', "application/json", "request failed with status 503"),
        (502, "Bad Gateway", "text/plain", "request failed with status 502"),
    ],
    ids=["with-a-message", "json-without-a-message", "not-json"],
)
def test_an_api_error_is_shown_by_its_message_or_its_status(stack, fresh_app, status, body, content_type, message):
    driver, site = fresh_app, stack["site"]
    stack["api_answers"].append((status, body, content_type))
    set_session_storage(driver, site, {TOKENS_KEY: session_tokens(stack, 3600)})
    driver.get(site + PREFIX)
    wait_for(driver, lambda d: css(d, "#message").text, message="the API's error")
    assert shown_message(driver) == (message, "error")
    assert api_requests(stack) == [("GET /items", status)]


def test_a_token_refused_again_after_its_refresh_ends_the_session(stack, fresh_app):
    """One refresh per call: a token refused, refreshed, and refused again ends the session (no third try)."""
    driver, site = fresh_app, stack["site"]
    refused = (401, json.dumps({"message": "Unauthorized"}), "application/json")
    stack["api_answers"].extend([refused, refused])
    set_session_storage(driver, site, {TOKENS_KEY: session_tokens(stack, 3600)})
    driver.get(site + PREFIX)
    wait_for(driver, visible("#sign-in"), message="the signed-out app")
    assert css(driver, "#message").text == "Your session has ended. Please sign in again."
    assert api_requests(stack) == [("GET /items", 401), ("GET /items", 401)]
    assert token_grants(stack) == ["refresh_token"]
    assert session_entry(driver, TOKENS_KEY) is None
    assert driver.execute_script("return document.body.dataset.state") == "signed-out"


def test_an_id_token_the_app_cannot_read_shows_no_address_and_the_apis_refusal_ends_it(stack, fresh_app):
    driver, site = fresh_app, stack["site"]
    planted = {**session_tokens(stack, 3600), "idToken": "not-a-jwt", "refreshToken": None}
    set_session_storage(driver, site, {TOKENS_KEY: planted})
    driver.get(site + PREFIX)
    wait_for(driver, visible("#sign-in"), message="the signed-out app")
    assert css(driver, "#message").text == "Your session has ended. Please sign in again."
    assert api_requests(stack) == [("GET /items", 401)]


#: An address whose JSON, base64url-encoded in the ID token, holds both "-" and "_" whatever its alignment, and
#: characters outside ASCII (UTF-8 in the token).
AWKWARD_EMAIL = "zoë.ñandú+??????>>>>>>@example.com"


def test_the_signed_in_address_is_read_from_any_id_token(stack, fresh_app):
    driver, site = fresh_app, stack["site"]
    planted = session_tokens(stack, 3600, claims={"email": AWKWARD_EMAIL})
    payload = planted["idToken"].split(".")[1]
    assert "-" in payload and "_" in payload
    set_session_storage(driver, site, {TOKENS_KEY: planted})
    driver.get(site + PREFIX)
    wait_for(driver, visible("#empty"), message="the signed-in, empty list")
    assert css(driver, "#user-email").text == AWKWARD_EMAIL
    assert driver.execute_script("return document.body.dataset.state") == "app"


@contextmanager
def serving_config(stack, config):
    """The site serves ``config`` as the app's config.json while the block runs (``None``: it answers 404)."""
    handler = stack["site_handler"]
    saved, handler.config = handler.config, config
    try:
        yield config
    finally:
        handler.config = saved


def served_config(stack, **changes):
    """The app's config.json with ``changes`` while the block runs (a key given ``None`` left out)."""
    changed = {**stack["site_handler"].config, **changes}
    return serving_config(stack, {k: v for k, v in changed.items() if v is not None})


def no_config(stack):
    """config.json answered 404 while the block runs."""
    return serving_config(stack, None)


def test_the_api_and_sign_in_addresses_may_end_in_slashes(stack, fresh_app):
    """Trailing slashes of ``apiUrl`` and ``cognitoDomain`` are dropped: the calls go to /items and /oauth2/..."""
    driver, site = fresh_app, stack["site"]
    config = stack["site_handler"].config
    with served_config(stack, apiUrl=config["apiUrl"] + "//", cognitoDomain=config["cognitoDomain"] + "//"):
        driver.get(site + PREFIX)
        sign_in_as(driver, "jane")
        wait_for(driver, visible("#empty"), message="the signed-in, empty list")
    assert [e["endpoint"] for e in stack["oauth_log"]] == ["authorize", "token"]
    assert api_requests(stack) == [("GET /items", 200)]


def test_a_bare_cognito_host_is_reached_over_https(stack, fresh_app):
    """Cognito's domain is a host name without a scheme (as the platform writes it): the sign-in goes to
    https://<host>/oauth2/authorize."""
    driver, site = fresh_app, stack["site"]
    with served_config(stack, cognitoDomain="inventory-auth.auth.us-east-2.amazoncognito.invalid/"):
        driver.get(site + PREFIX)
        wait_for(driver, visible("#sign-in"), message="the sign-in button")
        css(driver, "#sign-in").click()
        wait_for(driver, lambda d: not d.current_url.startswith(site), message="the browser leaving for the host")
    target = urlsplit(driver.current_url)
    assert (target.scheme, target.netloc, target.path) == (
        "https",
        "inventory-auth.auth.us-east-2.amazoncognito.invalid",
        "/oauth2/authorize",
    )
    assert parse_qs(target.query)["client_id"] == [CLIENT_ID]


def open_signed_in(driver, stack):
    """The app with a fresh session planted (no trip through the hosted UI), its list loaded."""
    set_session_storage(driver, stack["site"], {TOKENS_KEY: session_tokens(stack, 3600)})
    driver.get(stack["site"] + PREFIX)
    wait_for(driver, lambda d: css(d, "#summary").text, message="the loaded list")


HOSTILE_NAME = '<img src=x onerror="window.pwned=1"><b>Widget</b>'


def test_item_text_is_shown_as_text_never_as_markup(stack, fresh_app):
    """An item's name and location are another user's input: the row, the message and the form title show them as
    text. (Markup would also show up as a CSP violation: the inline onerror handler.)"""
    driver = fresh_app
    open_signed_in(driver, stack)
    css(driver, "#add-item").click()
    fill(driver, {"name": HOSTILE_NAME, "sku": "XSS-1", "quantity": 3, "location": "<i>Shelf</i> A"})
    css(driver, "#save-item").click()
    wait_for(driver, visible('#items tbody tr[data-sku="XSS-1"]'), message="the new item row")
    assert css(driver, "#message").text == f"Added {HOSTILE_NAME}."
    row = row_for(driver, "XSS-1")
    assert row.find_element("css selector", ".name").text == HOSTILE_NAME
    assert row.find_element("css selector", ".location").text == "<i>Shelf</i> A"
    row.find_element("css selector", "button.edit").click()
    wait_for(driver, visible("#item-form"), message="the edit form")
    assert css(driver, "#form-title").text == "Edit " + HOSTILE_NAME
    assert driver.execute_script("return document.querySelectorAll('main img, main b, main i').length") == 0
    assert driver.execute_script("return window.pwned === undefined") is True


def test_an_edit_can_set_a_zero_price_and_clear_the_reorder_level(stack, fresh_app):
    """PUT changes only the fields it names: a price of 0 must be sent, and an emptied reorder level sent as null."""
    driver, lambda_app = fresh_app, stack["lambda_app"]
    open_signed_in(driver, stack)
    css(driver, "#add-item").click()
    fill(driver, {"name": "Gear", "sku": "GR-1", "quantity": 8, "unitPrice": "4.25", "reorderLevel": 10})
    css(driver, "#save-item").click()
    wait_for(driver, visible('#items tbody tr[data-sku="GR-1"]'), message="the new item row")
    assert "low" in row_for(driver, "GR-1").get_attribute("class")  # 8 <= its reorder level 10
    row_for(driver, "GR-1").find_element("css selector", "button.edit").click()
    wait_for(driver, visible("#item-form"), message="the edit form")
    assert css(driver, "#f-reorderLevel").get_attribute("value") == "10"
    fill(driver, {"unitPrice": "0"})
    css(driver, "#f-reorderLevel").clear()
    css(driver, "#save-item").click()
    wait_for(driver, lambda d: not css(d, "#item-form").is_displayed(), message="the saved edit")
    stored = scan_table(lambda_app)["GR-1"]
    assert (stored["version"], stored["unitPrice"], "reorderLevel" in stored) == (2, 0, False)
    assert "low" not in row_for(driver, "GR-1").get_attribute("class")  # 8 > the default threshold 5


def put_item(stack, sku, name, quantity, **fields):
    """An item written straight into the table, as another user's save leaves it (a field given ``None`` left out);
    its id is returned."""
    item = {
        "id": uuid.uuid4().hex,
        "version": 1,
        "name": name,
        "sku": sku,
        "quantity": quantity,
        "location": "",
        "unitPrice": 0,
        "createdAt": "2026-01-01T00:00:00.000Z",
        "updatedAt": "2026-01-01T00:00:00.000Z",
        "createdBy": "amy@example.com",
        "updatedBy": "amy@example.com",
        **fields,
    }
    stack["lambda_app"]._table().put_item(Item={k: v for k, v in item.items() if v is not None})
    return item["id"]


def test_load_more_appends_the_next_page(stack, fresh_app):
    driver = fresh_app
    for n in range(60):
        put_item(stack, f"P-{n:02d}", f"Part {n:02d}", 10)
    open_signed_in(driver, stack)
    assert len(rows(driver)) == 50 and css(driver, "#summary").text == "50 items (more available)"
    css(driver, "#load-more").click()
    wait_for(driver, lambda d: css(d, "#summary").text == "60 items", message="the second page")
    assert sorted(sku for sku, _ in rows(driver)) == [f"P-{n:02d}" for n in range(60)]
    assert not css(driver, "#load-more").is_displayed()


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        (None, "config.json answered 404"),
        ({"clientId": None, "redirectUri": ""}, "config.json is missing clientId, redirectUri"),
        ({"apiUrl": 42}, "config.json is missing apiUrl"),
    ],
    ids=["not-found", "a-key-missing-and-one-empty", "not-a-string"],
)
def test_an_app_without_a_usable_config_says_so_and_offers_no_sign_in(stack, fresh_app, changes, reason):
    driver, site = fresh_app, stack["site"]
    with no_config(stack) if changes is None else served_config(stack, **changes):
        driver.get(site + PREFIX)
        wait_for(driver, lambda d: css(d, "#message").text, message="the reason")
    assert css(driver, "#message").text == "This app is not configured: " + reason
    assert css(driver, "#message").get_attribute("class") == "error"
    assert css(driver, "#loading-view").is_displayed() and not css(driver, "#sign-in").is_displayed()
    assert stack["oauth_log"] == [] and api_requests(stack) == []


@pytest.mark.parametrize(
    "prefix",
    ["/jane-inventory-dev/", "/john-inventory-dev", "/auth/", "/"],
    ids=["another-app", "no-slash", "auth", "root"],
)
def test_an_app_served_from_another_path_than_its_config_names_will_not_start(stack, fresh_app, prefix):
    """The prefix keys the app's session; a config naming another path, or no app path at all, stops the app."""
    driver, site = fresh_app, stack["site"]
    set_session_storage(driver, site, {TOKENS_KEY: session_tokens(stack, 3600)})
    with served_config(stack, prefix=prefix):
        driver.get(site + PREFIX)
        wait_for(driver, lambda d: css(d, "#message").text, message="the refusal")
    assert css(driver, "#message").text == "This app is served from an unexpected path."
    assert css(driver, "#message").get_attribute("class") == "error"
    assert css(driver, "#loading-view").is_displayed() and not css(driver, "#sign-in").is_displayed()
    assert api_requests(stack) == []


@pytest.mark.parametrize(
    ("claims", "shown"),
    [({"email": None}, "jane"), ({"email": None, "cognito:username": None}, "")],
    ids=["no-address", "no-address-nor-user-name"],
)
def test_the_signed_in_user_is_named_by_address_else_user_name(stack, fresh_app, claims, shown):
    driver, site = fresh_app, stack["site"]
    planted = session_tokens(stack, 3600, claims=claims)
    set_session_storage(driver, site, {TOKENS_KEY: planted})
    driver.get(site + PREFIX)
    wait_for(driver, visible("#empty"), message="the signed-in, empty list")
    assert css(driver, "#user-email").text == shown
    assert driver.title == "inventory · Smart Inventory Hub"


NO_ACCESS = {"error": "no_access", "message": "you are signed in but have no access"}


@pytest.mark.parametrize(
    ("body", "claims", "reason", "hint"),
    [
        (
            {**NO_ACCESS, "app": "john-inventory-dev", "groups": ["john-inventory-dev-users", "inventory-admins"]},
            {},
            "You are signed in as jane@example.com, but you have no access to john-inventory-dev.",
            "Ask an administrator to add you to the group john-inventory-dev-users, then sign out and in again.",
        ),
        (
            {**NO_ACCESS, "app": "john-inventory-dev", "groups": []},
            {},
            "You are signed in as jane@example.com, but you have no access to john-inventory-dev.",
            "Ask an administrator for access, then sign out and in again.",
        ),
        (
            NO_ACCESS,
            {"email": None, "cognito:username": None},
            "You are signed in as this user, but you have no access to inventory.",
            "Ask an administrator for access, then sign out and in again.",
        ),
    ],
    ids=["groups", "no-group", "nothing-named"],
)
def test_the_no_access_page_names_the_user_the_app_and_the_first_group_to_ask_for(
    stack, fresh_app, body, claims, reason, hint
):
    """The API's 403 no_access names the app and its groups; without them the page falls back on the config's app
    name and a general hint, and on "this user" for a token naming nobody."""
    driver, site = fresh_app, stack["site"]
    planted = session_tokens(stack, 3600, claims=claims)
    stack["api_answers"].append((403, json.dumps(body), "application/json"))
    set_session_storage(driver, site, {TOKENS_KEY: planted})
    driver.get(site + PREFIX)
    wait_for(driver, visible("#no-access-view"), message="the no-access page")
    view = css(driver, "#no-access-view")
    assert view.get_attribute("class") == "panel center"
    assert [view.find_element("css selector", s).text for s in ("h2", ".reason", ".hint")] == [
        "No access to this app",
        reason,
        hint,
    ]
    assert not css(driver, "#app-view").is_displayed() and not css(driver, "#message").is_displayed()
    assert driver.execute_script("return document.body.dataset.state") == "no-access"


@pytest.mark.parametrize(
    "body",
    [{"message": "Forbidden"}, {"message": "Forbidden", "error": "forbidden"}],
    ids=["gateway", "another-error"],
)
def test_a_403_that_is_not_no_access_is_shown_as_the_apis_message(stack, fresh_app, body):
    """Only the API's own ``no_access`` answer is the no-access page; another 403 (a gateway's, a WAF's) is an error
    like any other, shown over the signed-in app."""
    driver, site = fresh_app, stack["site"]
    stack["api_answers"].append((403, json.dumps(body), "application/json"))
    set_session_storage(driver, site, {TOKENS_KEY: session_tokens(stack, 3600)})
    driver.get(site + PREFIX)
    wait_for(driver, lambda d: css(d, "#message").text, message="the API's message")
    assert shown_message(driver) == ("Forbidden", "error")
    assert css(driver, "#app-view").is_displayed() and not driver.find_elements("css selector", "#no-access-view")
    assert driver.execute_script("return document.body.dataset.state") == "app"


SERVER_ERROR = (500, json.dumps({"message": "Internal Server Error"}), "application/json")
A_PAGE_WITH_MORE = (200, json.dumps({"items": [], "nextToken": "next"}), "application/json")


@pytest.mark.parametrize(
    ("first", "control"),
    [(None, "#refresh"), (None, "#low-stock-only"), (A_PAGE_WITH_MORE, "#load-more")],
    ids=["refresh", "low-stock-filter", "load-more"],
)
def test_a_list_action_the_api_fails_says_why(stack, fresh_app, first, control):
    driver = fresh_app
    if first:
        stack["api_answers"].append(first)
    open_signed_in(driver, stack)
    stack["api_answers"].append(SERVER_ERROR)
    css(driver, control).click()
    wait_for(driver, lambda d: css(d, "#message").text, message="the API's error")
    assert shown_message(driver) == (
        "Internal Server Error",
        "error",
    )
    assert api_requests(stack)[-1] == ("GET /items", 500)


def test_refresh_shows_the_list_as_it_is_now(stack, fresh_app):
    """The list is read again from the start, not appended to."""
    driver = fresh_app
    put_item(stack, "AB-1", "Already there", 7)
    open_signed_in(driver, stack)
    assert rows(driver) == [("AB-1", "7")]
    put_item(stack, "AE-1", "Added elsewhere", 12, unitPrice=1)
    css(driver, "#refresh").click()
    wait_for(driver, lambda d: len(rows(d)) > 1, message="the item added elsewhere")
    assert rows(driver) == [("AE-1", "12"), ("AB-1", "7")]
    assert api_requests(stack) == [("GET /items", 200), ("GET /items", 200)]


def test_a_sign_in_that_cannot_start_says_why(stack, fresh_app):
    """The sign-in's PKCE challenge needs the browser's SHA-256; when that fails the app says so, and stays."""
    driver, site = fresh_app, stack["site"]
    failing = "crypto.subtle.digest = function () { return Promise.reject(new Error('no SHA-256 here')); };"
    with first_on_pages(driver, failing, under=PREFIX):
        driver.get(site + PREFIX)
        wait_for(driver, visible("#sign-in"), message="the sign-in button")
        css(driver, "#sign-in").click()
        wait_for(driver, lambda d: css(d, "#message").text, message="the reason")
    assert shown_message(driver) == (
        "no SHA-256 here",
        "error",
    )
    assert driver.current_url == site + PREFIX and stack["oauth_log"] == []


def test_cancelling_the_form_saves_nothing_and_closes_it(stack, fresh_app):
    driver = fresh_app
    open_signed_in(driver, stack)
    css(driver, "#add-item").click()
    wait_for(driver, visible("#item-form"), message="the form")
    fill(driver, {"name": "Never saved", "sku": "NS-1", "quantity": 1})
    css(driver, "#cancel-edit").click()
    wait_for(driver, lambda d: not css(d, "#item-form").is_displayed(), message="the form to close")
    assert api_requests(stack) == [("GET /items", 200)] and scan_table(stack["lambda_app"]) == {}


def test_the_form_opens_with_the_cursor_in_its_first_field(stack, fresh_app):
    """Adding or editing an item puts the keyboard in the Name field, so a person can type at once (and a screen
    reader announces the form)."""
    driver = fresh_app
    put_item(stack, "FO-1", "Focus", 3)
    open_signed_in(driver, stack)
    for button, title in (("#add-item", "Add item"), ("#items tbody button.edit", "Edit Focus")):
        css(driver, button).click()
        wait_for(driver, visible("#item-form"), message="the form")
        assert css(driver, "#form-title").text == title
        assert driver.execute_script("return document.activeElement.id") == "f-name"
        css(driver, "#cancel-edit").click()
        wait_for(driver, lambda d: not css(d, "#item-form").is_displayed(), message="the form to close")


def cells(driver):
    """Every row's cells' text, in the order shown (the actions cell left out)."""
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#items tbody tr'))"
        ".map(r => Array.from(r.cells).slice(0, 6).map(c => c.innerText))"
    )


def test_the_list_shows_every_item_whole_sorted_by_name_then_sku_with_a_summary(stack, fresh_app):
    from decimal import Decimal

    driver = fresh_app
    put_item(stack, "W-2", "Widget", 3, unitPrice=Decimal("4.5"), location="Shelf A", updatedBy="bob@example.com")
    put_item(stack, "W-1", "Widget", 40, unitPrice=Decimal("1234.56789"), updatedAt="2026-03-04T05:06:07.000Z")
    put_item(stack, "A-9", "Anchor", 6, reorderLevel=10, updatedBy=None)
    open_signed_in(driver, stack)
    shown = driver.execute_script(
        "return [arguments[0], arguments[1]].map(t => new Date(t).toLocaleString())",
        "2026-01-01T00:00:00.000Z",
        "2026-03-04T05:06:07.000Z",
    )
    assert cells(driver) == [
        ["Anchor", "A-9", "6Low stock", "", "0.00", f"{shown[0]} ·"],  # no one named: innerText drops the space
        ["Widget", "W-1", "40", "", "1,234.5679", f"{shown[1]} · amy@example.com"],
        ["Widget", "W-2", "3Low stock", "Shelf A", "4.50", f"{shown[0]} · bob@example.com"],
    ]
    assert [row_for(driver, s).get_attribute("class") for s in ("A-9", "W-1", "W-2")] == ["low", "", "low"]
    row = driver.execute_script(
        "const r = document.querySelector('#items tbody tr');"
        "return [Array.from(r.cells).map(c => c.className), r.querySelector('.quantity span').className,"
        " Array.from(r.querySelectorAll('button')).map(b => [b.textContent, b.className, b.type])]"
    )
    assert row == [
        ["name", "sku", "num quantity", "location", "num price", "updated muted", "row-actions"],
        "badge low",
        [["Edit", "edit secondary", "button"], ["Delete", "delete danger", "button"]],
    ]
    assert css(driver, "#summary").text == "3 items · 2 low on stock"
    assert driver.execute_script("return document.querySelector('#items tbody').textContent") == "".join(
        driver.execute_script("return Array.from(document.querySelectorAll('#items tbody tr')).map(r => r.textContent)")
    )  # the rows and nothing else
    assert not css(driver, "#empty").is_displayed() and not css(driver, "#load-more").is_displayed()


def test_each_call_sends_a_json_type_only_with_a_body_and_the_version_only_to_change_an_item(stack, fresh_app):
    driver = fresh_app
    open_signed_in(driver, stack)
    css(driver, "#add-item").click()
    fill(driver, {"name": "Gear", "sku": "GR-1", "quantity": 8})
    css(driver, "#save-item").click()
    wait_for(driver, visible('#items tbody tr[data-sku="GR-1"]'), message="the new row")
    row_for(driver, "GR-1").find_element("css selector", "button.edit").click()
    fill(driver, {"quantity": 9})
    css(driver, "#save-item").click()
    wait_for(driver, lambda d: ("GR-1", "9") in rows(d), message="the saved row")
    delete = row_for(driver, "GR-1").find_element("css selector", "button.delete")
    delete.click()
    delete.click()
    wait_for(driver, lambda d: rows(d) == [], message="the row to go")
    item = [e["request"] for e in stack["api_log"] if e.get("request", "").startswith("DELETE")][0].split("/")[-1]
    sent = [(e["request"], e["content_type"], e["if_match"]) for e in stack["api_log"] if "request" in e]
    assert sent == [
        ("GET /items", None, None),
        ("POST /items", "application/json", None),
        (f"PUT /items/{item}", "application/json", '"1"'),
        (f"DELETE /items/{item}", None, '"2"'),
    ]


@pytest.mark.parametrize(("count", "summary"), [(0, "0 items"), (1, "1 item")], ids=["none", "one"])
def test_the_summary_counts_in_the_singular_and_plural_and_an_empty_list_says_so(stack, fresh_app, count, summary):
    driver = fresh_app
    for n in range(count):
        put_item(stack, f"S-{n}", f"Spring {n}", 50)
    open_signed_in(driver, stack)
    assert css(driver, "#summary").text == summary
    assert css(driver, "#empty").is_displayed() is (count == 0)


def test_saving_says_what_was_added_and_saved_and_frees_the_button(stack, fresh_app):
    driver = fresh_app
    open_signed_in(driver, stack)
    css(driver, "#add-item").click()
    wait_for(driver, visible("#item-form"), message="the form")
    assert css(driver, "#form-title").text == "Add item"
    assert [css(driver, f"#f-{f}").get_attribute("value") for f in FORM_FIELDS] == [""] * 6
    fill(driver, {"name": "  Gear  ", "sku": "GR-1", "quantity": 8, "location": " Bin 2 "})
    css(driver, "#save-item").click()
    wait_for(driver, visible('#items tbody tr[data-sku="GR-1"]'), message="the new row")
    assert css(driver, "#message").text == "Added Gear."
    assert css(driver, "#message").get_attribute("class") == ""
    stored = scan_table(stack["lambda_app"])["GR-1"]
    assert (stored["name"], stored["location"], stored["quantity"]) == ("Gear", "Bin 2", 8)
    row_for(driver, "GR-1").find_element("css selector", "button.edit").click()
    wait_for(driver, visible("#item-form"), message="the edit form")
    assert [css(driver, f"#f-{f}").get_attribute("value") for f in FORM_FIELDS] == [
        "Gear",
        "GR-1",
        "8",
        "Bin 2",
        "0",
        "",
    ]
    fill(driver, {"quantity": 9})
    css(driver, "#save-item").click()
    wait_for(driver, lambda d: ("GR-1", "9") in rows(d), message="the saved row")
    assert css(driver, "#message").text == "Saved Gear."
    assert css(driver, "#save-item").is_enabled() and not css(driver, "#item-form").is_displayed()


FORM_FIELDS = ("name", "sku", "quantity", "location", "unitPrice", "reorderLevel")


def test_the_apis_field_errors_go_to_their_fields_and_the_rest_to_the_form(stack, fresh_app):
    """Two errors of one field are both shown there; a field the form does not have goes to the form's own slot. The
    next save clears them all."""
    driver = fresh_app
    open_signed_in(driver, stack)
    errors = [
        {"field": "sku", "message": "too short."},
        {"field": "sku", "message": "use A-Z."},
        {"field": "colour", "message": "not a field."},
    ]
    stack["api_answers"].append((400, json.dumps({"message": "invalid", "errors": errors}), "application/json"))
    css(driver, "#add-item").click()
    fill(driver, {"name": "Gear", "sku": "G", "quantity": 1})
    css(driver, "#save-item").click()
    wait_for(driver, lambda d: css(d, '.field-error[data-for="sku"]').text, message="the sku errors")
    assert css(driver, '.field-error[data-for="sku"]').text == "too short. use A-Z."
    assert css(driver, '.field-error[data-for="body"]').text == "not a field."
    assert css(driver, "#f-sku").get_attribute("aria-invalid") == "true"
    assert css(driver, "#f-name").get_attribute("aria-invalid") is None
    assert shown_message(driver) == (
        "Please correct the highlighted fields.",
        "error",
    )
    assert css(driver, "#save-item").is_enabled() and css(driver, "#item-form").is_displayed()
    fill(driver, {"sku": "GR-1"})
    css(driver, "#save-item").click()
    wait_for(driver, visible('#items tbody tr[data-sku="GR-1"]'), message="the new row")
    assert (
        driver.execute_script(
            "return Array.from(document.querySelectorAll('.field-error')).map(e => e.textContent).join('')"
        )
        == ""
    )
    assert css(driver, "#f-sku").get_attribute("aria-invalid") is None


def test_the_form_sends_text_trimmed_numbers_as_numbers_and_leaves_an_empty_number_out(stack, fresh_app):
    """A number field the browser cannot read (``1e999`` overflows) is empty to the page, so it is left out, and the
    API names it."""
    driver = fresh_app
    open_signed_in(driver, stack)
    css(driver, "#add-item").click()
    fill(driver, {"name": " Gear ", "sku": "GR-1 ", "quantity": "1e999", "location": "  ", "unitPrice": "2.5"})
    css(driver, "#save-item").click()
    wait_for(driver, lambda d: css(d, '.field-error[data-for="quantity"]').text, message="the quantity error")
    assert css(driver, '.field-error[data-for="quantity"]').text == "is required"
    assert css(driver, "#f-quantity").get_attribute("aria-invalid") == "true"
    [post] = [e for e in stack["api_log"] if e.get("request") == "POST /items"]
    assert post["body"] == {"name": "Gear", "sku": "GR-1", "location": "", "unitPrice": 2.5}
    assert scan_table(stack["lambda_app"]) == {}


def test_saving_an_item_someone_else_deleted_says_so_and_reloads(stack, fresh_app):
    driver = fresh_app
    item = put_item(stack, "GONE-1", "Ghost", 5)
    open_signed_in(driver, stack)
    row_for(driver, "GONE-1").find_element("css selector", "button.edit").click()
    wait_for(driver, visible("#item-form"), message="the edit form")
    stack["lambda_app"]._table().delete_item(Key={"id": item})
    fill(driver, {"quantity": 6})
    css(driver, "#save-item").click()
    wait_for(driver, lambda d: rows(d) == [], message="the reloaded, empty list")
    assert shown_message(driver) == (
        "This item no longer exists.",
        "error",
    )
    assert not css(driver, "#item-form").is_displayed()


def test_saving_over_someone_elses_change_shows_theirs_and_says_which_version(stack, fresh_app):
    driver = fresh_app
    item = put_item(stack, "RG-2", "Gadget", 50)
    open_signed_in(driver, stack)
    row_for(driver, "RG-2").find_element("css selector", "button.edit").click()
    stack["lambda_app"]._table().update_item(
        Key={"id": item},
        UpdateExpression="SET quantity = :q, version = :v",
        ExpressionAttributeValues={":q": 44, ":v": 2},
    )
    fill(driver, {"quantity": 7})
    css(driver, "#save-item").click()
    wait_for(driver, lambda d: ("RG-2", "44") in rows(d), message="their change in the list")
    assert shown_message(driver) == (
        "This item was changed by someone else (now version 2). The form shows their changes; apply yours again and save.",
        "error",
    )
    assert css(driver, "#item-form").is_displayed() and css(driver, "#form-title").text == "Edit Gadget"


def test_a_save_the_api_fails_keeps_the_form_and_says_why(stack, fresh_app):
    driver = fresh_app
    open_signed_in(driver, stack)
    css(driver, "#add-item").click()
    fill(driver, {"name": "Gear", "sku": "GR-1", "quantity": 1})
    stack["api_answers"].append(SERVER_ERROR)
    css(driver, "#save-item").click()
    wait_for(driver, lambda d: css(d, "#message").text, message="the API's error")
    assert shown_message(driver) == (
        "Internal Server Error",
        "error",
    )
    assert css(driver, "#item-form").is_displayed() and css(driver, "#save-item").is_enabled()


def test_a_conflict_answered_without_the_current_item_says_what_the_api_said(stack, fresh_app):
    """A 412 is shown as someone else's change only with the item it names; any other 412 (a gateway's, an older
    API's) is the API's message, and the form stays open to save again."""
    driver = fresh_app
    put_item(stack, "RG-3", "Widget", 50)
    open_signed_in(driver, stack)
    row_for(driver, "RG-3").find_element("css selector", "button.edit").click()
    wait_for(driver, visible("#item-form"), message="the edit form")
    fill(driver, {"quantity": 60})
    stack["api_answers"].append((412, json.dumps({"message": "Precondition Failed"}), "application/json"))
    css(driver, "#save-item").click()
    wait_for(driver, lambda d: css(d, "#message").text, message="the API's message")
    assert shown_message(driver) == ("Precondition Failed", "error")
    assert css(driver, "#item-form").is_displayed() and css(driver, "#form-title").text == "Edit Widget"
    assert css(driver, "#save-item").is_enabled() and rows(driver) == [("RG-3", "50")]


def armed_delete(stack, driver):
    """One item, Lamp (LP-1), listed, and its Delete clicked once: the id and the button, waiting for its confirmation."""
    item = put_item(stack, "LP-1", "Lamp", 5)
    open_signed_in(driver, stack)
    delete = row_for(driver, "LP-1").find_element("css selector", "button.delete")
    delete.click()
    return item, delete


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("changed", "Lamp was changed by someone else; review it before deleting."),
        ("deleted", "Lamp was already deleted."),
    ],
)
def test_deleting_an_item_someone_else_changed_or_deleted_says_so_and_reloads(stack, fresh_app, change, message):
    driver, table = fresh_app, stack["lambda_app"]._table()
    item, delete = armed_delete(stack, driver)
    if change == "changed":
        table.update_item(Key={"id": item}, UpdateExpression="SET version = :v", ExpressionAttributeValues={":v": 2})
    else:
        table.delete_item(Key={"id": item})
    delete.click()
    wait_for(driver, lambda d: css(d, "#message").text, message="the reason")
    assert shown_message(driver) == (message, "error")
    listed, status = (1, 412) if change == "changed" else (0, 404)
    wait_for(
        driver,
        lambda d: len(rows(d)) == listed and api_requests(stack)[-1] == ("GET /items", 200),
        message="the reloaded list",
    )
    assert api_requests(stack)[-2:] == [(f"DELETE /items/{item}", status), ("GET /items", 200)]


def test_a_delete_not_confirmed_within_five_seconds_is_forgotten(stack, fresh_app):
    driver = fresh_app
    _, delete = armed_delete(stack, driver)
    assert (delete.text, "confirm" in delete.get_attribute("class")) == ("Confirm delete", True)
    wait_for(driver, lambda d: delete.text == "Delete", timeout=8, message="the button to reset")
    assert "confirm" not in delete.get_attribute("class")
    delete.click()
    assert delete.text == "Confirm delete" and api_requests(stack) == [("GET /items", 200)]


def test_a_delete_in_flight_cannot_be_clicked_again(stack, fresh_app):
    driver = fresh_app
    _, delete = armed_delete(stack, driver)
    answered = threading.Event()
    stack["api_answers"].append((204, "", "application/json", answered))
    delete.click()
    try:
        # A second click would send a second DELETE.
        wait_for(driver, lambda d: not delete.is_enabled(), message="the button disabled while the delete is in flight")
    finally:
        answered.set()
    wait_for(driver, lambda d: rows(d) == [], message="the row to go")
    assert css(driver, "#message").text == "Deleted Lamp."


def test_a_delete_the_api_fails_says_why_and_can_be_tried_again(stack, fresh_app):
    driver = fresh_app
    _, delete = armed_delete(stack, driver)
    stack["api_answers"].append(SERVER_ERROR)
    delete.click()
    wait_for(driver, lambda d: css(d, "#message").text, message="the API's error")
    assert shown_message(driver) == (
        "Internal Server Error",
        "error",
    )
    assert delete.is_enabled()
    delete.click()
    wait_for(driver, lambda d: rows(d) == [], message="the row to go")
    assert shown_message(driver) == ("Deleted Lamp.", "")  # no longer styled as the error before it


# --------------------------------------------------------------------------- fresh UIs, edges, CSP


def test_every_page_is_served_with_the_synthesized_csp(stack, browser, synthesized_csp):
    import urllib.request

    with urllib.request.urlopen(stack["site"] + PREFIX) as response:
        header = response.headers["Content-Security-Policy"]
    assert header.startswith("default-src 'none'; script-src 'self'; style-src 'self';")
    assert "unsafe-inline" not in header and "unsafe-inline" not in synthesized_csp
    assert header.split("; ")[-4:] == synthesized_csp.split("; ")[-4:]


def test_an_inline_script_is_refused_by_the_csp(stack, browser):
    """The check above is live: an inline script the CSP forbids shows up as a violation in the console."""
    driver = browser
    driver.get(stack["site"] + "/")
    wait_for(driver, visible("h1"), message="home page")
    driver.execute_script(
        "var s = document.createElement('script'); s.textContent = 'window.injected = 1'; document.head.appendChild(s);"
    )
    logs = driver.get_log("browser")
    assert any("Content Security Policy" in e["message"] for e in logs), logs
    assert driver.execute_script("return window.injected === undefined") is True


def test_home_and_not_found_pages(stack, browser):
    driver = browser
    driver.get(stack["site"] + "/")
    wait_for(driver, visible("h1"), message="home page")
    assert css(driver, "h1").text == "Apps on this domain"
    assert css(driver, "h1").value_of_css_property("font-size") == "24px"  # site.css loaded under the CSP
    driver.get(stack["site"] + "/no-such-app/")
    wait_for(driver, visible("#not-found"), message="not-found page")
    assert css(driver, "#not-found").text == "Page not found"
    css(driver, "#home").click()
    wait_for(driver, lambda d: d.current_url == stack["site"] + "/", message="home link")


def test_the_callbacks_home_link_leads_to_the_home_page(stack, browser):
    driver = browser
    driver.get(stack["site"] + "/auth/callback?error=access_denied")
    wait_for(driver, lambda d: d.find_elements("css selector", "a[href='/']"), message="home link")
    css(driver, "a[href='/']").click()
    wait_for(driver, lambda d: css(d, "h1").text == "Apps on this domain", message="home page after the link")


def test_a_one_line_change_to_app_js_is_loaded_under_a_new_name(stack, browser, tmp_path):
    driver, handler = browser, stack["site_handler"]
    before = handler.published
    old_app = next(p.name for p in Path(before["dir"]).glob("app.*.js"))
    driver.get(stack["site"] + PREFIX)
    wait_for(driver, lambda d: d.execute_script("return document.body.dataset.state !== 'loading'"), message="app")
    assert driver.execute_script("return window.inventoryBuild === undefined") is True

    copy = tmp_path / "project"
    shutil.copytree(UI_DIR / "inventory", copy / "ui" / "inventory")
    app_js = copy / "ui" / "inventory" / "app.js"
    text = app_js.read_text()
    assert text.count("\n'use strict';\n") == 1
    app_js.write_text(text.replace("\n'use strict';\n", "\n'use strict'; window.inventoryBuild = 'changed';\n"))
    handler.published = publish(copy, tmp_path / "work")
    try:
        new_app = next(p.name for p in Path(handler.published["dir"]).glob("app.*.js"))
        assert new_app != old_app and new_app.startswith("app.") and len(new_app) == len(old_app)
        assert f'src="{new_app}"' in handler.published["index"] and old_app not in handler.published["index"]
        driver.get(stack["site"] + PREFIX)  # index.html is no-cache: the page names the new file
        wait_for(driver, lambda d: d.execute_script("return window.inventoryBuild === 'changed'"), message="new code")
        assert PREFIX + new_app in stack["site_requests"]
    finally:
        handler.published = before


# --------------------------------------------------------------------------- the app's page: a second reviewer's bugs
# Each test below fails on a bug a reviewer injected by hand into ui/inventory/app.js or index.html (eleventh
# session, docs/testing-injected-bugs.md) that the tests above let through: a state whose nonce matches but which
# names another app, a second sign-in reusing the first one's verifier or nonce, tokens copied into localStorage, the
# user named from the access token, an API, token or config value shown as markup, a refresh that goes on from the
# last page, a next page that drops the low-stock filter, a sign-out that leaves the page before its revocation is
# answered or leaves ?signedOut in the address bar, an address with one trailing slash making ``//items``, a page
# that leaks the sign-in code in its Referer, views shown before the config is read, a delete armed for less than
# five seconds, /auth/ taken for an app path, a refused code that carries on into the stored session, number fields
# that step below zero or by whole units. They live in this file because tools/mutate_js.py judges the page's
# mutants with this file's tests.

#: Markup that would make elements (and no request) if a page wrote it as HTML.
MARKUP = '<b id="injected">bold</b><i class="injected">it</i>'


def injected(driver):
    """How many elements the markup above made anywhere on the page."""
    return driver.execute_script("return document.querySelectorAll('#injected, .injected').length")


# --------------------------------------------------------------------------- sign-in


def test_a_state_naming_another_app_is_refused_even_with_this_apps_nonce(stack, fresh_app):
    """The state is "<nonce>:<prefix>"; its nonce alone does not make it this app's. A code whose state names another
    app (one that app's callback would send there) is not exchanged here."""
    driver, site, nonce = fresh_app, stack["site"], "n" + uuid.uuid4().hex
    pending = {"nonce": nonce, "verifier": "v" * 64, "createdAt": int(time.time() * 1000)}
    set_session_storage(driver, site, {PKCE_KEY: pending})
    driver.get(f"{site}{PREFIX}?code=abc123&state={quote(f'{nonce}:{OTHER_APP}', safe='')}")
    wait_for(driver, visible("#sign-in"), message="the signed-out app")
    assert css(driver, "#message").text == NOT_STARTED_HERE
    assert token_grants(stack) == []
    assert session_entry(driver, PKCE_KEY) is None


def test_each_sign_in_starts_with_its_own_verifier_and_nonce(stack, fresh_app):
    """A sign-in abandoned at the hosted UI and started again must not reuse the first one's PKCE verifier or nonce:
    both are one-time secrets, and the first attempt's URL (with its challenge and state) may have been seen."""
    driver, site = fresh_app, stack["site"]
    for _ in range(2):
        driver.get(site + PREFIX)
        wait_for(driver, visible("#sign-in"), message="the sign-in button")
        css(driver, "#sign-in").click()
        wait_for(driver, visible("#username"), message="the hosted-UI login form")
    first, second = [e for e in stack["oauth_log"] if e["endpoint"] == "authorize"]
    assert first["code_challenge"] != second["code_challenge"]
    assert first["state"].partition(":")[0] != second["state"].partition(":")[0]
    assert first["state"].partition(":")[2] == second["state"].partition(":")[2] == PREFIX


def test_the_tokens_live_only_in_the_tabs_session_storage(stack, fresh_app):
    """sessionStorage ends with the tab; a copy in localStorage would outlive it (and the sign-out of another tab)
    for every page of the shared domain to read."""
    driver, site = fresh_app, stack["site"]
    start_sign_in(driver, site)
    wait_for(driver, visible("#empty"), message="the signed-in, empty list")
    assert session_entry(driver, TOKENS_KEY)["refreshToken"]
    assert driver.execute_script("return localStorage.length") == 0


def test_the_signed_in_user_is_named_from_the_id_token_not_the_access_token(stack, fresh_app):
    """Cognito's access token carries no email; the name shown comes from the ID token."""
    driver, site = fresh_app, stack["site"]
    planted = session_tokens(stack, 3600)
    planted["accessToken"] = make_jwt({"sub": "s", "token_use": "access", "client_id": CLIENT_ID, "username": "x"})
    set_session_storage(driver, site, {TOKENS_KEY: planted})
    driver.get(site + PREFIX)
    wait_for(driver, visible("#empty"), message="the signed-in, empty list")
    assert css(driver, "#user-email").text == "jane@example.com"


# --------------------------------------------------------------------------- values shown as text


def test_the_last_editors_name_is_shown_as_text(stack, fresh_app):
    """updatedBy is the last editor's email claim, another user's input: text in the row, no element."""
    driver = fresh_app
    put_item(stack, "UB-1", "Bolt", 20, updatedBy=MARKUP)
    open_signed_in(driver, stack)
    assert css(driver, '#items tbody tr[data-sku="UB-1"] .updated').text.endswith(" · " + MARKUP)
    assert injected(driver) == 0


def test_the_apis_field_error_messages_are_shown_as_text(stack, fresh_app):
    """A field error's message may quote what the user typed: in its field's slot and in the form's, it is text."""
    driver = fresh_app
    open_signed_in(driver, stack)
    errors = [{"field": "sku", "message": MARKUP}, {"field": "colour", "message": MARKUP}]
    stack["api_answers"].append((400, json.dumps({"message": "invalid", "errors": errors}), "application/json"))
    css(driver, "#add-item").click()
    fill(driver, {"name": "Gear", "sku": "G", "quantity": 1})
    css(driver, "#save-item").click()
    wait_for(driver, lambda d: css(d, '.field-error[data-for="sku"]').text, message="the sku error")
    assert css(driver, '.field-error[data-for="sku"]').text == MARKUP
    assert css(driver, '.field-error[data-for="body"]').text == MARKUP
    assert injected(driver) == 0


def test_the_no_access_page_shows_the_apis_app_and_group_as_text(stack, fresh_app):
    """The app and group names come from the API's 403 answer: the no-access page shows them as text."""
    driver, site = fresh_app, stack["site"]
    body = {**NO_ACCESS, "app": MARKUP, "groups": [MARKUP]}
    stack["api_answers"].append((403, json.dumps(body), "application/json"))
    set_session_storage(driver, site, {TOKENS_KEY: session_tokens(stack, 3600)})
    driver.get(site + PREFIX)
    wait_for(driver, visible("#no-access-view"), message="the no-access page")
    assert css(driver, "#no-access-view .reason").text == (
        f"You are signed in as jane@example.com, but you have no access to {MARKUP}."
    )
    assert css(driver, "#no-access-view .hint").text == (
        f"Ask an administrator to add you to the group {MARKUP}, then sign out and in again."
    )
    assert injected(driver) == 0


def test_the_signed_in_address_is_shown_as_text(stack, fresh_app):
    """The email claim is what the user typed at sign-up."""
    driver, site = fresh_app, stack["site"]
    set_session_storage(driver, site, {TOKENS_KEY: session_tokens(stack, 3600, claims={"email": MARKUP})})
    driver.get(site + PREFIX)
    wait_for(driver, visible("#empty"), message="the signed-in, empty list")
    assert css(driver, "#user-email").text == MARKUP
    assert injected(driver) == 0


def test_the_configs_app_name_is_shown_as_text(stack, fresh_app):
    """config.json is written from the instance's YAML: its app name in the badge is text, like every other value."""
    driver, site = fresh_app, stack["site"]
    with served_config(stack, appName=MARKUP):
        driver.get(site + PREFIX)
        wait_for(driver, visible("#sign-in"), message="the sign-in button")
    assert css(driver, "#env-badge").text == MARKUP + " · dev"
    assert injected(driver) == 0


# --------------------------------------------------------------------------- paging


def test_refresh_after_a_page_with_more_starts_again_from_the_first_page(stack, fresh_app):
    """Refresh (and the low-stock switch) read the list from its start: a nextToken kept from the last page would
    skip the first 50 items."""
    driver = fresh_app
    for n in range(60):
        put_item(stack, f"P-{n:02d}", f"Part {n:02d}", 10)
    open_signed_in(driver, stack)
    assert css(driver, "#summary").text == "50 items (more available)"
    driver.execute_script("document.querySelectorAll('#items tbody tr').forEach((r) => { r.dataset.old = '1'; })")
    css(driver, "#refresh").click()
    wait_for(
        driver,
        lambda d: d.execute_script("return document.querySelector('#items tbody tr[data-old]') === null"),
        timeout=30,
        message="the list drawn again",
    )
    assert api_requests(stack) == [("GET /items", 200), ("GET /items", 200)]
    assert css(driver, "#summary").text == "50 items (more available)"
    assert len(rows(driver)) == 50


def test_the_next_page_of_low_stock_items_is_low_stock_too(stack, fresh_app):
    """Load more keeps the filter the first page was read with: no item above its threshold joins the list."""
    driver = fresh_app
    for n in range(55):
        put_item(stack, f"L-{n:02d}", f"Low {n:02d}", 1)
    for n in range(55):
        put_item(stack, f"H-{n:02d}", f"High {n:02d}", 90)
    open_signed_in(driver, stack)
    css(driver, "#low-stock-only").click()
    wait_for(
        driver,
        lambda d: css(d, "#summary").text == "50 items · 50 low on stock (more available)",
        timeout=30,
        message="the first low-stock page",
    )
    css(driver, "#load-more").click()
    wait_for(driver, lambda d: "more available" not in css(d, "#summary").text, timeout=30, message="the second page")
    assert css(driver, "#summary").text == "55 items · 55 low on stock"
    assert sorted(sku for sku, _ in rows(driver)) == [f"L-{n:02d}" for n in range(55)]


# --------------------------------------------------------------------------- sign-out, Referer


def test_signing_out_from_a_deep_link_comes_back_to_the_apps_own_address(stack, fresh_app):
    """The shared sign-out page returns only to a well-formed app path: the app hands it its prefix, not the page it
    is on, and drops the ?signedOut marker from the address bar."""
    driver, site = fresh_app, stack["site"]
    set_session_storage(driver, site, {TOKENS_KEY: session_tokens(stack, 3600)})
    driver.get(site + PREFIX + "items/42")
    wait_for(driver, visible("#sign-out"), message="the signed-in app at a deep link")
    css(driver, "#sign-out").click()
    wait_for(driver, lambda d: urlsplit(d.current_url).path == PREFIX, message="the app after signing out")
    wait_for(driver, visible("#sign-in"), message="the signed-out app")
    assert css(driver, "#message").text == "You have signed out."
    assert driver.current_url == site + PREFIX


def test_the_app_opened_with_a_code_sends_no_referer(stack, fresh_app):
    """The address the code arrives at holds the code and state: the page's own requests (its script, stylesheet,
    config) must not carry it in a Referer header."""
    driver, site = fresh_app, stack["site"]
    before = len(stack["site_referers"])
    driver.get(f"{site}{PREFIX}?code=secret-code-123&state={quote('n0123456789abcdef0123:' + PREFIX, safe='')}")
    wait_for(driver, visible("#sign-in"), message="the signed-out app")
    seen = stack["site_referers"][before:]
    assert PREFIX + "config.json" in [path for path, _ in seen]
    assert [referer for _, referer in seen] == [None] * len(seen)


# --------------------------------------------------------------------------- the page before and around its start

#: Page script: fetch never answers, and each URL asked for is recorded (the page stays as it is while config.json
#: loads).
HOLD_FETCH = (
    "window.testFetched = [];"
    "window.fetch = function (url) { window.testFetched.push(String(url)); return new Promise(function () {}); };"
)


def test_while_its_config_loads_the_page_shows_only_that_it_is_loading(stack, fresh_app):
    """Until config.json answers, nothing of the signed-in app (its list, its form, the user and sign-out) shows,
    and the message area is a polite live region, so what the app later says there is read out."""
    driver, site = fresh_app, stack["site"]
    with first_on_pages(driver, HOLD_FETCH, under=PREFIX):
        driver.get(site + PREFIX)
        wait_for(driver, lambda d: d.execute_script("return window.testFetched.length"), message="the config fetch")
        assert driver.execute_script("return window.testFetched") == ["config.json"]
        shown = [s for s in VIEWS if css(driver, s).is_displayed()]
    assert shown == ["#loading-view"]
    message = css(driver, "#message")
    assert (message.get_attribute("role"), message.get_attribute("aria-live")) == ("status", "polite")


VIEWS = ("#loading-view", "#signed-out-view", "#app-view", "#session", "#item-form", "#message", "#load-more")


def test_an_app_configured_for_the_shared_auth_path_will_not_start(stack, fresh_app):
    """/auth/ is the shared sign-in pages' path, never an app's: a page at /auth/ whose config names /auth/ as its
    prefix (and would key its session, and its sign-out's return, there) refuses to start."""
    driver, site = fresh_app, stack["site"]
    with (
        served_config(stack, prefix="/auth/"),
        first_on_pages(driver, "history.replaceState(null, '', '/auth/');", under=PREFIX),
    ):
        driver.get(site + PREFIX)
        wait_for(driver, lambda d: css(d, "#message").text, message="the refusal")
        assert urlsplit(driver.current_url).path == "/auth/"
    assert css(driver, "#message").text == "This app is served from an unexpected path."
    assert not css(driver, "#sign-in").is_displayed() and stack["oauth_log"] == []


def test_a_refused_code_stops_the_page_even_with_a_session_in_the_tab(stack, fresh_app):
    """A code the app did not ask for (a crafted link) is refused, and the page stops there, signed out with the
    reason: it does not carry on into the list on the tab's stored session as if the link had been fine."""
    driver, site = fresh_app, stack["site"]
    set_session_storage(driver, site, {TOKENS_KEY: session_tokens(stack, 3600)})
    driver.get(f"{site}{PREFIX}?code=abc123&state={quote('n0123456789abcdef0123:' + PREFIX, safe='')}")
    wait_for(driver, visible("#sign-in"), message="the signed-out app")
    assert css(driver, "#message").text == NOT_STARTED_HERE
    assert driver.execute_script("return document.body.dataset.state") == "signed-out"
    assert api_requests(stack) == [] and token_grants(stack) == []


#: Page script: the delay of every timer the page sets, in order.
RECORD_TIMERS = (
    "window.testTimers = []; var setTimer = window.setTimeout;"
    "window.setTimeout = function (f, ms) { window.testTimers.push(ms); return setTimer.apply(window, arguments); };"
)


def test_a_delete_stays_armed_for_five_seconds(stack, fresh_app):
    """The first click arms the button for five seconds (long enough to read and confirm), then it disarms."""
    driver = fresh_app
    put_item(stack, "LP-1", "Lamp", 5)
    with first_on_pages(driver, RECORD_TIMERS, under=PREFIX):
        open_signed_in(driver, stack)
    before = driver.execute_script("return window.testTimers.length")
    css(driver, '#items tbody tr[data-sku="LP-1"] button.delete').click()
    assert driver.execute_script("return window.testTimers.slice(arguments[0])", before) == [5000]


#: Page script: the answer to the revocation request is held until the test calls window.testReleaseRevoke().
HOLD_REVOKE = (
    "var realFetch = window.fetch;"
    "window.fetch = function (url, options) {"
    "  var answer = realFetch.apply(window, arguments);"
    "  if (String(url).indexOf('/oauth2/revoke') === -1) return answer;"
    "  return answer.then(function (r) {"
    "    return new Promise(function (resolve) { window.testReleaseRevoke = function () { resolve(r); }; });"
    "  });"
    "};"
)


def test_signing_out_leaves_the_page_only_once_the_revocation_is_answered(stack, fresh_app):
    """A request still in flight when the page navigates away may be cancelled: the refresh token would then stay
    valid for its whole lifetime. The app waits for the revocation's answer before it goes to the hosted UI."""
    driver = fresh_app
    with first_on_pages(driver, HOLD_REVOKE, under=PREFIX):
        open_signed_in(driver, stack)
        css(driver, "#sign-out").click()
        wait_for(
            driver,
            lambda d: "logout" in endpoints(stack) or d.execute_script("return !!window.testReleaseRevoke"),
            message="the revocation answered (and held) or the page gone",
        )
        assert endpoints(stack) == ["revoke"]
        assert urlsplit(driver.current_url).path == PREFIX
        driver.execute_script("window.testReleaseRevoke()")
        wait_for(driver, visible("#sign-in"), message="the signed-out app")
    assert endpoints(stack) == ["revoke", "logout"]
    assert css(driver, "#message").text == "You have signed out."


def endpoints(stack):
    return [e["endpoint"] for e in stack["oauth_log"]]


def test_api_and_sign_in_addresses_ending_in_one_slash_reach_their_routes(stack, fresh_app):
    """An address written with one trailing slash (``https://api.example/``) must not make ``//items`` or
    ``//oauth2/token``: neither is a route. (Two slashes, as the older test writes them, become three, which the
    stand-ins' URL parsing happens to read as the route anyway.)"""
    driver, site = fresh_app, stack["site"]
    config = stack["site_handler"].config
    with served_config(stack, apiUrl=config["apiUrl"] + "/", cognitoDomain=config["cognitoDomain"] + "/"):
        start_sign_in(driver, site)
        wait_for(driver, visible("#empty"), message="the signed-in, empty list")
    assert endpoints(stack) == ["authorize", "token"]
    assert api_requests(stack) == [("GET /items", 200)]


def test_the_arrow_keys_step_quantities_in_whole_units_from_zero_and_prices_in_cents(stack, fresh_app):
    """The form's number fields step as the API counts: a quantity or reorder level never goes below 0 with the
    down arrow, and a price moves by a cent."""
    from selenium.webdriver.common.keys import Keys

    driver = fresh_app
    open_signed_in(driver, stack)
    css(driver, "#add-item").click()
    wait_for(driver, visible("#item-form"), message="the form")
    stepped = {}
    for field, keys in {
        "quantity": [Keys.ARROW_DOWN, Keys.ARROW_DOWN],
        "reorderLevel": [Keys.ARROW_DOWN, Keys.ARROW_DOWN],
        "unitPrice": [Keys.ARROW_UP, Keys.ARROW_UP],
    }.items():
        for key in keys:
            css(driver, f"#f-{field}").send_keys(key)
        stepped[field] = css(driver, f"#f-{field}").get_attribute("value")
    assert stepped == {"quantity": "0", "reorderLevel": "0", "unitPrice": "0.02"}
