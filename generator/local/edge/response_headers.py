"""A CloudFront response headers policy as header rules, applied to each response the local site sends.

The rules come from the policy the distribution's behaviour names, read back
from the emulator (``GetResponseHeadersPolicy``; moto gets the API from
``generator/local/moto_server.py``), or from the table of AWS managed policies
below. What each config field sends follows the CloudFront Developer Guide,
"Understand response headers policies":
https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/understanding-response-headers-policies.html
Not emulated: the CORS config (no policy here has one) and Server-Timing.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Any

from .origins import OriginMap


@dataclass(frozen=True)
class HeaderRule:
    """Add ``name: value`` to every response; ``override``: replace the origin's header of that name, else keep
    the origin's when it sent one. ``value`` None: remove the header (a policy's RemoveHeadersConfig)."""

    name: str
    value: str | None
    override: bool = False


#: AWS managed response headers policies (id -> rules), as AWS documents them.
MANAGED: dict[str, tuple[HeaderRule, ...]] = {
    "67f7725c-6f97-4210-82d7-5512b31e9d03": (  # Managed-SecurityHeadersPolicy
        HeaderRule("Strict-Transport-Security", "max-age=31536000"),
        HeaderRule("X-Content-Type-Options", "nosniff"),
        HeaderRule("X-Frame-Options", "SAMEORIGIN"),
        HeaderRule("Referrer-Policy", "strict-origin-when-cross-origin"),
        HeaderRule("X-XSS-Protection", "1; mode=block"),
    ),
    "60669652-455b-4ae9-85a4-c4c02393f86c": (HeaderRule("Access-Control-Allow-Origin", "*"),),  # Managed-SimpleCORS
}


def rules_of(config: dict[str, Any]) -> tuple[HeaderRule, ...]:
    """The rules of a ``ResponseHeadersPolicyConfig`` as the CloudFront API returns it."""
    rules: list[HeaderRule] = []
    security = config.get("SecurityHeadersConfig") or {}
    if "ContentSecurityPolicy" in security:
        item = security["ContentSecurityPolicy"]
        rules.append(HeaderRule("Content-Security-Policy", item["ContentSecurityPolicy"], bool(item.get("Override"))))
    if "ContentTypeOptions" in security:
        rules.append(
            HeaderRule("X-Content-Type-Options", "nosniff", bool(security["ContentTypeOptions"].get("Override")))
        )
    if "FrameOptions" in security:
        item = security["FrameOptions"]
        rules.append(HeaderRule("X-Frame-Options", item["FrameOption"], bool(item.get("Override"))))
    if "ReferrerPolicy" in security:
        item = security["ReferrerPolicy"]
        rules.append(HeaderRule("Referrer-Policy", item["ReferrerPolicy"], bool(item.get("Override"))))
    if "StrictTransportSecurity" in security:
        item = security["StrictTransportSecurity"]
        value = f"max-age={item['AccessControlMaxAgeSec']}"
        value += "; includeSubDomains" if item.get("IncludeSubdomains") else ""
        value += "; preload" if item.get("Preload") else ""
        rules.append(HeaderRule("Strict-Transport-Security", value, bool(item.get("Override"))))
    if "XSSProtection" in security:
        item = security["XSSProtection"]
        value = "0"
        if item.get("Protection"):
            value = "1; mode=block" if item.get("ModeBlock") else "1"
            value += f"; report={item['ReportUri']}" if item.get("ReportUri") and not item.get("ModeBlock") else ""
        rules.append(HeaderRule("X-XSS-Protection", value, bool(item.get("Override"))))
    for item in (config.get("CustomHeadersConfig") or {}).get("Items") or []:
        rules.append(HeaderRule(item["Header"], item["Value"], bool(item.get("Override"))))
    for item in (config.get("RemoveHeadersConfig") or {}).get("Items") or []:
        rules.append(HeaderRule(item["Header"], None, True))
    return tuple(rules)


def apply_rules(
    rules: tuple[HeaderRule, ...], headers: list[tuple[str, str]], origins: OriginMap | None = None
) -> list[tuple[str, str]]:
    """``headers`` (the origin's) with the policy's rules applied; a CSP is made to name the local origins too."""
    out = list(headers)
    for rule in rules:
        present = any(k.lower() == rule.name.lower() for k, _ in out)
        if rule.value is None or (present and rule.override):
            out = [(k, v) for k, v in out if k.lower() != rule.name.lower()]
        elif present:
            continue
        if rule.value is not None:
            value = rule.value
            if rule.name.lower() == "content-security-policy" and origins is not None:
                value = localize_csp(value, origins)
            out.append((rule.name, value))
    return out


def localize_csp(policy: str, origins: OriginMap) -> str:
    """The CSP with each public origin source (``https://host``, or a ``https://*.suffix`` wildcard) followed by the
    local origins standing in for it, so the SPA may call the local API and hosted UI; the public sources stay, and
    ``'self'`` is the local site already. Same rule as ``config.json``: the applied value, with local origins."""
    directives = []
    for directive in (part.strip() for part in policy.split(";")):
        if not directive:
            continue
        name, *sources = directive.split()
        kept = []
        for source in sources:
            kept.append(source)
            if "://" not in source:
                continue
            # A source may name a path (``https://api.example.com/v1/``): the origin part is matched, the path
            # kept on the local origin, so the local source allows what the public one allows.
            scheme, _, rest = source.partition("://")
            host, _, path = rest.partition("/")
            for public, local in origins.pairs().items():
                local_source = local + ("/" + path if path else "")
                if fnmatch.fnmatchcase(public, f"{scheme}://{host}") and local_source not in kept + sources:
                    kept.append(local_source)
        directives.append(" ".join([name, *kept]))
    return "; ".join(directives)
