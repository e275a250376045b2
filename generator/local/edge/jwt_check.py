"""The HTTP API JWT authorizer's token checks, as AWS documents them.

https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html
("Validating JWTs"): the token comes from the identity source (``Bearer`` prefix
optional); its header's ``kid`` must name a key of the issuer's JWKS and ``alg``
must be RS256; the signature must verify; ``exp`` must be in the future, ``nbf``
and ``iat`` (when present) in the past; ``iss`` must equal the configured issuer;
``aud`` or ``client_id`` must equal one of the configured audiences; when the
route has authorization scopes, the token's ``scope`` must hold one of them.
Any failure is a 401. No clock skew is allowed beyond a few seconds, as on AWS.

Only the ``cryptography`` package is used (RSA PKCS#1 v1.5 with SHA-256).
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

#: Seconds of clock skew tolerated on exp/nbf/iat (the emulator and the edge share one clock).
LEEWAY_SECONDS = 5


class TokenRejected(Exception):
    """Why a token was refused (API Gateway answers 401 with ``{"message":"Unauthorized"}``)."""


#: The base64url alphabet, no padding (RFC 7515).
BASE64URL = re.compile(r"[A-Za-z0-9_-]*")


def b64url_decode(text: str) -> bytes:
    """One base64url part of a JWS, unpadded. Strict: a character outside the alphabet is an error (the lenient
    decoder would drop it, so a token with three characters appended to its signature still verified)."""
    if not BASE64URL.fullmatch(text):
        raise ValueError("a character outside base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def rsa_public_key(jwk: dict[str, Any]) -> rsa.RSAPublicKey:
    e = int.from_bytes(b64url_decode(jwk["e"]), "big")
    n = int.from_bytes(b64url_decode(jwk["n"]), "big")
    return rsa.RSAPublicNumbers(e, n).public_key()


@dataclass(frozen=True)
class JwtAuthorizer:
    """One applied JWT authorizer: its issuer, audiences and a way to fetch the issuer's JWKS."""

    issuer: str
    audiences: tuple[str, ...]
    jwks: Callable[[], dict[str, Any]]

    def check(self, identity: str | None, scopes: Iterable[str] = (), now: float | None = None) -> dict[str, Any]:
        """The token's claims; raises TokenRejected for anything API Gateway would refuse."""
        if not identity:
            raise TokenRejected("no identity source (Authorization header)")
        token = identity.strip()
        if token[:7].lower() == "bearer ":
            token = token[7:].strip()
        parts = token.split(".")
        if len(parts) != 3:
            raise TokenRejected("not a JWS compact token")
        try:
            header = json.loads(b64url_decode(parts[0]))
            claims = json.loads(b64url_decode(parts[1]))
            signature = b64url_decode(parts[2])
        except (ValueError, TypeError) as err:
            raise TokenRejected(f"malformed token: {err}") from None
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise TokenRejected("malformed token")
        if header.get("alg") != "RS256":
            raise TokenRejected(f"alg {header.get('alg')!r} is not RS256")
        keys = [k for k in self.jwks().get("keys", []) if k.get("kid") == header.get("kid")]
        if not keys:
            raise TokenRejected(f"kid {header.get('kid')!r} is not in the issuer's JWKS")
        try:
            rsa_public_key(keys[0]).verify(
                signature, f"{parts[0]}.{parts[1]}".encode(), padding.PKCS1v15(), hashes.SHA256()
            )
        except (InvalidSignature, ValueError, KeyError):
            raise TokenRejected("the signature does not verify") from None
        now = time.time() if now is None else now
        if not isinstance(claims.get("exp"), (int, float)) or claims["exp"] + LEEWAY_SECONDS <= now:
            raise TokenRejected("the token has expired")
        if isinstance(claims.get("nbf"), (int, float)) and claims["nbf"] - LEEWAY_SECONDS > now:
            raise TokenRejected("the token is not valid yet (nbf)")
        if isinstance(claims.get("iat"), (int, float)) and claims["iat"] - LEEWAY_SECONDS > now:
            raise TokenRejected("the token was issued in the future (iat)")
        if claims.get("iss") != self.issuer:
            raise TokenRejected(f"issuer {claims.get('iss')!r} is not {self.issuer!r}")
        aud = claims.get("aud", claims.get("client_id"))
        auds = aud if isinstance(aud, list) else [aud]
        if not any(a in self.audiences for a in auds if isinstance(a, str)):
            raise TokenRejected(f"audience {aud!r} is not one of {list(self.audiences)}")
        wanted = list(scopes)
        if wanted:
            held = str(claims.get("scope", "")).split()
            if not any(s in held for s in wanted):
                raise TokenRejected(f"the token has none of the route's scopes {wanted}")
        return claims


def claims_as_api_gateway_delivers(claims: dict[str, Any]) -> dict[str, str]:
    """Payload 2.0 ``requestContext.authorizer.jwt.claims``: every value a string.

    An array claim arrives as one string, its items space-separated in brackets
    (``cognito:groups: ["a", "b"]`` -> ``"[a b]"``); numbers and booleans as their text.
    """

    def text(value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, list):
            return "[" + " ".join(text(v) for v in value) + "]"
        if isinstance(value, dict):
            return json.dumps(value, separators=(",", ":"))
        return str(value)

    return {key: text(value) for key, value in claims.items()}
