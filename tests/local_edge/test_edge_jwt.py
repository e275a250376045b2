"""The HTTP API JWT authorizer's checks (AWS: http-api-jwt-authorizer, "Validating JWTs"): anything else is 401."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from edge_helpers import AUDIENCE, ISSUER, jwks, public_pem, token

from generator.local.edge.jwt_check import JwtAuthorizer, TokenRejected, b64url, claims_as_api_gateway_delivers

AUTHORIZER = JwtAuthorizer(issuer=ISSUER, audiences=(AUDIENCE,), jwks=jwks)


def test_a_good_token_passes_with_or_without_bearer():
    assert AUTHORIZER.check("Bearer " + token())["sub"] == "u-1"
    assert AUTHORIZER.check(token())["sub"] == "u-1"


def test_an_access_token_matches_on_client_id():
    assert (
        AUTHORIZER.check(token({"token_use": "access", "client_id": AUDIENCE}, drop=("aud",)))["client_id"] == AUDIENCE
    )


@pytest.mark.parametrize(
    "claims, drop, why",
    [  # each a function of the time the token is made (a value computed at collection goes stale in a long run)
        (lambda now: {"exp": now - 60}, (), "expired"),
        (lambda now: {}, ("exp",), "expired"),
        (lambda now: {"aud": "another-client"}, (), "audience"),
        (lambda now: {"iss": "https://cognito-idp.us-east-2.amazonaws.com/us-east-2_Other"}, (), "issuer"),
        (lambda now: {"iss": ISSUER + "/"}, (), "issuer"),
        (lambda now: {"nbf": now + 600}, (), "nbf"),
        (lambda now: {"iat": now + 600}, (), "iat"),
    ],
    ids=["exp-past", "exp-missing", "aud", "iss-other-pool", "iss-trailing-slash", "nbf-future", "iat-future"],
)
def test_claims_that_api_gateway_refuses(claims, drop, why):
    with pytest.raises(TokenRejected, match=why):
        AUTHORIZER.check(token(claims(int(time.time())), drop=drop))


def test_unsigned_alg_none_is_refused():
    with pytest.raises(TokenRejected, match="RS256"):
        AUTHORIZER.check(token(header={"alg": "none"}))


def test_hs256_signed_with_the_public_key_is_refused():
    head = b64url(json.dumps({"alg": "HS256", "kid": "k1"}).encode())
    body = b64url(json.dumps({"iss": ISSUER, "aud": AUDIENCE, "exp": int(time.time()) + 60}).encode())
    sig = b64url(hmac.new(public_pem(), f"{head}.{body}".encode(), hashlib.sha256).digest())
    with pytest.raises(TokenRejected, match="RS256"):
        AUTHORIZER.check(f"{head}.{body}.{sig}")


def test_another_key_unknown_kid_and_tampering_are_refused():
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(TokenRejected, match="signature"):
        AUTHORIZER.check(token(key=other))
    with pytest.raises(TokenRejected, match="kid"):
        AUTHORIZER.check(token(header={"kid": "k2"}))
    head, body, sig = token().split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    forged = b64url(json.dumps({**claims, "sub": "admin"}).encode())
    with pytest.raises(TokenRejected, match="signature"):
        AUTHORIZER.check(f"{head}.{forged}.{sig}")


@pytest.mark.parametrize("identity", [None, "", "Bearer", "Bearer abc", "a.b", "a.b.c"])
def test_missing_or_malformed_tokens_are_refused(identity):
    with pytest.raises(TokenRejected):
        AUTHORIZER.check(identity)


def test_route_scopes_need_one_in_the_token():
    good = token({"scope": "openid inventory/read"})
    assert AUTHORIZER.check(good, scopes=["inventory/read"])
    with pytest.raises(TokenRejected, match="scopes"):
        AUTHORIZER.check(good, scopes=["inventory/write"])


def test_claims_reach_the_function_as_strings_an_array_as_one_bracketed_string():
    delivered = claims_as_api_gateway_delivers(
        {
            "cognito:groups": ["a", "b"],
            "exp": 1700000000,
            "email_verified": True,
            "email": "jane@example.com",
            "single": ["x"],
        }
    )
    assert delivered == {
        "cognito:groups": "[a b]",
        "exp": "1700000000",
        "email_verified": "true",
        "email": "jane@example.com",
        "single": "[x]",
    }
