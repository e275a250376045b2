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


#: A fixed clock passed as ``now`` (tokens below carry their times relative to it; LEEWAY_SECONDS is 5).
NOW = 1_700_000_000
AT_NOW = {"iat": 1_699_999_000, "exp": 1_700_003_600}


@pytest.mark.parametrize(
    "claims, drop, reason",
    [
        ({"exp": 1_699_999_940}, (), "the token has expired"),
        ({}, ("exp",), "the token has expired"),
        ({"aud": "another-client"}, (), "audience 'another-client' is not one of ['client-abc']"),
        (
            {"iss": "https://cognito-idp.us-east-2.amazonaws.com/us-east-2_Other"},
            (),
            "issuer 'https://cognito-idp.us-east-2.amazonaws.com/us-east-2_Other'"
            " is not 'https://cognito-idp.us-east-2.amazonaws.com/us-east-2_TestPool'",
        ),
        (
            {"iss": ISSUER + "/"},
            (),
            "issuer 'https://cognito-idp.us-east-2.amazonaws.com/us-east-2_TestPool/'"
            " is not 'https://cognito-idp.us-east-2.amazonaws.com/us-east-2_TestPool'",
        ),
        ({"nbf": 1_700_000_600}, (), "the token is not valid yet (nbf)"),
        ({"iat": 1_700_000_600}, (), "the token was issued in the future (iat)"),
    ],
    ids=["exp-past", "exp-missing", "aud", "iss-other-pool", "iss-trailing-slash", "nbf-future", "iat-future"],
)
def test_claims_that_api_gateway_refuses_with_their_exact_reason(claims, drop, reason):
    with pytest.raises(TokenRejected) as refused:
        AUTHORIZER.check(token({**AT_NOW, **claims}, drop=drop), now=NOW)
    assert str(refused.value) == reason


def test_the_now_argument_is_the_clock_not_time_time():
    issued_long_ago = token({"iat": 1_699_999_990, "exp": 1_700_000_060})
    assert AUTHORIZER.check(issued_long_ago, now=NOW)["exp"] == 1_700_000_060
    with pytest.raises(TokenRejected) as refused:
        AUTHORIZER.check(issued_long_ago)
    assert str(refused.value) == "the token has expired"


def test_exp_is_refused_from_exactly_now_minus_the_leeway():
    assert AUTHORIZER.check(token({**AT_NOW, "exp": 1_699_999_996}), now=NOW)["exp"] == 1_699_999_996
    with pytest.raises(TokenRejected) as refused:
        AUTHORIZER.check(token({**AT_NOW, "exp": 1_699_999_995}), now=NOW)
    assert str(refused.value) == "the token has expired"


def test_nbf_is_accepted_up_to_exactly_now_plus_the_leeway():
    assert AUTHORIZER.check(token({**AT_NOW, "nbf": 1_700_000_005}), now=NOW)["nbf"] == 1_700_000_005
    with pytest.raises(TokenRejected) as refused:
        AUTHORIZER.check(token({**AT_NOW, "nbf": 1_700_000_006}), now=NOW)
    assert str(refused.value) == "the token is not valid yet (nbf)"


def test_iat_is_accepted_up_to_exactly_now_plus_the_leeway():
    assert AUTHORIZER.check(token({**AT_NOW, "iat": 1_700_000_005}), now=NOW)["iat"] == 1_700_000_005
    with pytest.raises(TokenRejected) as refused:
        AUTHORIZER.check(token({**AT_NOW, "iat": 1_700_000_006}), now=NOW)
    assert str(refused.value) == "the token was issued in the future (iat)"


def test_an_aud_list_holding_the_client_id_is_accepted():
    claims = AUTHORIZER.check(token({"aud": ["another-client", AUDIENCE]}))
    assert claims["aud"] == ["another-client", AUDIENCE]


def test_a_jwks_document_without_keys_refuses_the_kid():
    no_keys = JwtAuthorizer(issuer=ISSUER, audiences=(AUDIENCE,), jwks=lambda: {})
    with pytest.raises(TokenRejected) as refused:
        no_keys.check(token())
    assert str(refused.value) == "kid 'k1' is not in the issuer's JWKS"


def test_unsigned_alg_none_is_refused():
    with pytest.raises(TokenRejected) as refused:
        AUTHORIZER.check(token(header={"alg": "none"}))
    assert str(refused.value) == "alg 'none' is not RS256"


def test_hs256_signed_with_the_public_key_is_refused():
    head = b64url(json.dumps({"alg": "HS256", "kid": "k1"}).encode())
    body = b64url(json.dumps({"iss": ISSUER, "aud": AUDIENCE, "exp": int(time.time()) + 60}).encode())
    sig = b64url(hmac.new(public_pem(), f"{head}.{body}".encode(), hashlib.sha256).digest())
    with pytest.raises(TokenRejected) as refused:
        AUTHORIZER.check(f"{head}.{body}.{sig}")
    assert str(refused.value) == "alg 'HS256' is not RS256"


def test_another_key_unknown_kid_and_tampering_are_refused():
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(TokenRejected) as refused:
        AUTHORIZER.check(token(key=other))
    assert str(refused.value) == "the signature does not verify"
    with pytest.raises(TokenRejected) as refused:
        AUTHORIZER.check(token(header={"kid": "k2"}))
    assert str(refused.value) == "kid 'k2' is not in the issuer's JWKS"
    head, body, sig = token().split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    forged = b64url(json.dumps({**claims, "sub": "admin"}).encode())
    with pytest.raises(TokenRejected) as refused:
        AUTHORIZER.check(f"{head}.{forged}.{sig}")
    assert str(refused.value) == "the signature does not verify"


NO_IDENTITY = "no identity source (Authorization header)"
NOT_JWS = "not a JWS compact token"


@pytest.mark.parametrize(
    "identity, reason",
    [
        (None, NO_IDENTITY),
        ("", NO_IDENTITY),
        ("Bearer", NOT_JWS),
        ("Bearer abc", NOT_JWS),
        ("a.b", NOT_JWS),
        ("a.b.c.d", NOT_JWS),
        (
            "a.b.c",
            "malformed token: Invalid base64-encoded string:"
            " number of data characters (1) cannot be 1 more than a multiple of 4",
        ),
        (f"{b64url(b'not json')}.e30.c2ln", "malformed token: Expecting value: line 1 column 1 (char 0)"),
    ],
    ids=["none", "empty", "bearer-only", "one-part", "two-parts", "four-parts", "bad-base64", "header-not-json"],
)
def test_missing_or_malformed_tokens_are_refused_with_their_exact_reason(identity, reason):
    with pytest.raises(TokenRejected) as refused:
        AUTHORIZER.check(identity)
    assert str(refused.value) == reason


@pytest.mark.parametrize(
    "header, claims",
    [({"alg": "RS256", "kid": "k1"}, ["not", "an", "object"]), (["RS256"], {"sub": "u-1"})],
    ids=["claims-a-list", "header-a-list"],
)
def test_a_header_or_claims_that_is_not_a_json_object_is_malformed(header, claims):
    identity = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}.c2ln"
    with pytest.raises(TokenRejected) as refused:
        AUTHORIZER.check(identity)
    assert str(refused.value) == "malformed token"


def test_a_wrong_length_part_is_malformed():
    good = token()  # its 256-byte signature is 342 base64url characters: 345 leave one over a group of four
    assert len(good.rsplit(".", 1)[1]) == 342
    with pytest.raises(TokenRejected) as refused:
        AUTHORIZER.check(good + "AAA")
    assert str(refused.value) == (
        "malformed token: Invalid base64-encoded string: number of data characters (345) cannot be 1 more than a "
        "multiple of 4"
    )


@pytest.mark.parametrize("extra", ["!", "!!", "!!!", "+", "/", "="])
def test_a_character_outside_base64url_is_malformed_wherever_the_padding_lands(extra):
    """The lenient decoder drops such characters: three appended to a valid signature let the token verify."""
    with pytest.raises(TokenRejected) as refused:
        AUTHORIZER.check(token() + extra)
    assert str(refused.value) == "malformed token: a character outside base64url"


def test_route_scopes_need_one_in_the_token():
    good = token({"scope": "openid inventory/read"})
    assert AUTHORIZER.check(good, scopes=["inventory/read"])
    with pytest.raises(TokenRejected) as refused:
        AUTHORIZER.check(good, scopes=["inventory/write"])
    assert str(refused.value) == "the token has none of the route's scopes ['inventory/write']"


def test_a_token_without_a_scope_claim_holds_no_scope_not_even_one_named_none():
    with pytest.raises(TokenRejected) as refused:
        AUTHORIZER.check(token(), scopes=["None"])
    assert str(refused.value) == "the token has none of the route's scopes ['None']"


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


def test_claims_reach_the_function_booleans_as_true_and_false():
    assert claims_as_api_gateway_delivers({"email_verified": True, "phone_number_verified": False}) == {
        "email_verified": "true",
        "phone_number_verified": "false",
    }


def test_claims_reach_the_function_an_object_as_compact_json():
    delivered = claims_as_api_gateway_delivers(
        {"address": {"street_address": "1 Main St", "postal_code": "12345", "verified": True, "lines": ["a", 2]}}
    )
    assert delivered == {
        "address": '{"street_address":"1 Main St","postal_code":"12345","verified":true,"lines":["a",2]}'
    }


@pytest.mark.parametrize("data, text", [(b"\x00\x00\x17", "AAAX"), (b"\xff", "_w"), (b"\xfb\xef", "--8"), (b"", "")])
def test_b64url_is_unpadded_base64url(data, text):
    assert b64url(data) == text
