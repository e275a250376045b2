"""UserPool: the shared Cognito user pool (email usernames, strong passwords, email recovery), its hosted UI
domain and the one SPA client (no secret, authorization-code flow, a single callback URL, token revocation,
no user-existence errors). Every prop is required; the tests show what ``protect``, ``self_sign_up``, ``mfa`` and
the token lifetimes change.

Synthesized in a bare TerraformStack (see fixtures.py: Testing.synth_scope cannot take a Python callable).
"""

from __future__ import annotations

from dataclasses import replace

from cdktf import Testing
from cdktf_cdktf_provider_aws.cognito_user_pool import CognitoUserPool
from cdktf_cdktf_provider_aws.cognito_user_pool_client import CognitoUserPoolClient
from cdktf_cdktf_provider_aws.cognito_user_pool_domain import CognitoUserPoolDomain
from fixtures import Synthesized, synth

from modules.user_pool import UserPool, UserPoolProps

PROPS = UserPoolProps(
    pool_name="acme-users",
    client_name="acme-spa",
    domain_prefix="acme-login",
    callback_url="https://apps.example.com/auth/callback",
    logout_url="https://apps.example.com/auth/logout",
    self_sign_up=False,
    mfa="OPTIONAL",
    access_token_minutes=60,
    refresh_token_days=30,
    protect=False,
)
POOL = CognitoUserPool.TF_RESOURCE_TYPE
CLIENT = CognitoUserPoolClient.TF_RESOURCE_TYPE


def build(props: UserPoolProps = PROPS) -> Synthesized:
    return synth(lambda stack: UserPool(stack, "user-pool", props))


def test_pool_signs_in_by_email_with_a_strong_password_policy():
    pool = build().one(POOL)
    assert pool["name"] == "acme-users"
    assert (pool["username_attributes"], pool["auto_verified_attributes"]) == (["email"], ["email"])
    assert pool["password_policy"] == {
        "minimum_length": 12,
        "require_lowercase": True,
        "require_uppercase": True,
        "require_numbers": True,
        "require_symbols": True,
        "temporary_password_validity_days": 3,
    }
    assert pool["account_recovery_setting"] == {"recovery_mechanism": [{"name": "verified_email", "priority": 1}]}


def test_admins_create_users_when_self_sign_up_is_off():
    assert build().one(POOL)["admin_create_user_config"] == {"allow_admin_create_user_only": True}
    assert build(replace(PROPS, self_sign_up=True)).one(POOL)["admin_create_user_config"] == {
        "allow_admin_create_user_only": False
    }


def test_mfa_with_authenticator_apps_unless_off():
    pool = build().one(POOL)
    assert (pool["mfa_configuration"], pool["software_token_mfa_configuration"]) == ("OPTIONAL", {"enabled": True})
    required = build(replace(PROPS, mfa="ON")).one(POOL)
    assert (required["mfa_configuration"], required["software_token_mfa_configuration"]) == ("ON", {"enabled": True})
    off = build(replace(PROPS, mfa="OFF")).one(POOL)
    assert off["mfa_configuration"] == "OFF" and "software_token_mfa_configuration" not in off


def test_protect_turns_on_deletion_protection_and_prevent_destroy():
    unprotected, protected = build().one(POOL), build(replace(PROPS, protect=True)).one(POOL)
    assert (unprotected["deletion_protection"], unprotected["lifecycle"]) == ("INACTIVE", {"prevent_destroy": False})
    assert (protected["deletion_protection"], protected["lifecycle"]) == ("ACTIVE", {"prevent_destroy": True})


def test_spa_client_has_no_secret_and_uses_the_code_flow_with_one_callback():
    out = build()
    client = out.one(CLIENT)
    assert client["name"] == "acme-spa"
    assert client["user_pool_id"] == f"${{{out.address(POOL, 'user-pool')}.id}}"
    assert client["generate_secret"] is False
    assert (client["allowed_oauth_flows_user_pool_client"], client["allowed_oauth_flows"]) == (True, ["code"])
    assert client["allowed_oauth_scopes"] == ["openid", "email", "profile"]
    assert client["supported_identity_providers"] == ["COGNITO"]
    assert client["callback_urls"] == ["https://apps.example.com/auth/callback"]
    assert client["default_redirect_uri"] == "https://apps.example.com/auth/callback"
    assert client["logout_urls"] == ["https://apps.example.com/auth/logout"]
    assert client["explicit_auth_flows"] == ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]
    assert (client["prevent_user_existence_errors"], client["enable_token_revocation"]) == ("ENABLED", True)


def test_token_lifetimes_come_from_the_props_in_minutes_and_days():
    client = build(replace(PROPS, access_token_minutes=15, refresh_token_days=7)).one(CLIENT)
    validity = (client["access_token_validity"], client["id_token_validity"], client["refresh_token_validity"])
    assert validity == (15, 15, 7)
    assert client["token_validity_units"] == [
        {"access_token": "minutes", "id_token": "minutes", "refresh_token": "days"}
    ]
    default = build().one(CLIENT)
    assert (default["access_token_validity"], default["refresh_token_validity"]) == (60, 30)


def test_hosted_ui_domain_uses_the_prefix():
    out = build()
    assert Testing.to_have_resource_with_properties(
        out.text,
        CognitoUserPoolDomain.TF_RESOURCE_TYPE,
        {"domain": "acme-login", "user_pool_id": f"${{{out.address(POOL, 'user-pool')}.id}}"},
    )


def test_users_cannot_write_their_email():
    """The API records email as createdBy: the SPA client may write profile attributes, never email."""
    assert build().one(CLIENT)["write_attributes"] == ["name", "preferred_username", "locale", "zoneinfo", "updated_at"]
