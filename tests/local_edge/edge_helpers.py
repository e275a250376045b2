"""Shared by the local edge's tests: an RSA key and signed tokens, an in-process moto server."""

from __future__ import annotations

import json
import time

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from generator.local.edge.jwt_check import b64url

ISSUER = "https://cognito-idp.us-east-2.amazonaws.com/us-east-2_TestPool"
AUDIENCE = "client-abc"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwks() -> dict:
    numbers = KEY.public_key().public_numbers()
    return {
        "keys": [
            {
                "kty": "RSA",
                "kid": "k1",
                "alg": "RS256",
                "use": "sig",
                "e": b64url(numbers.e.to_bytes(3, "big")),
                "n": b64url(numbers.n.to_bytes(256, "big")),
            }
        ]
    }


def token(claims: dict | None = None, header: dict | None = None, key=KEY, drop: tuple[str, ...] = ()) -> str:
    now = int(time.time())
    body = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "u-1",
        "token_use": "id",
        "iat": now,
        "exp": now + 3600,
        "email": "jane@example.com",
        "cognito:groups": ["inventory-dev", "admins"],
        **(claims or {}),
    }
    for name in drop:
        body.pop(name, None)
    head = {"alg": "RS256", "kid": "k1", "typ": "JWT", **(header or {})}
    signing_input = f"{b64url(json.dumps(head).encode())}.{b64url(json.dumps(body).encode())}"
    if head["alg"] == "none":
        return signing_input + "."
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64url(signature)}"


def public_pem() -> bytes:
    return KEY.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


@pytest.fixture(scope="module")
def moto_endpoint():
    """An in-process moto server on 127.0.0.1 (the emulator ``local up`` runs, minus its fixes)."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)  # bound once: the port it got
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def client(endpoint: str, service: str, region: str = "us-east-2"):
    import boto3

    return boto3.client(
        service, endpoint_url=endpoint, region_name=region, aws_access_key_id="testing", aws_secret_access_key="testing"
    )
