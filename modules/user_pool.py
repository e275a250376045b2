"""The shared Cognito user pool, its hosted UI domain and the SPA app client.

One client serves every app: its single callback URL is the shared
``/auth/callback`` page, which routes the browser back to the app named in
the OAuth ``state``. The client has no secret (a browser cannot keep one)
and uses the authorization-code flow (with PKCE, enforced by the SPA).
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.cognito_user_pool import (
    CognitoUserPool,
    CognitoUserPoolAccountRecoverySettingRecoveryMechanism,
)
from cdktf_cdktf_provider_aws.cognito_user_pool_client import (
    CognitoUserPoolClient,
    CognitoUserPoolClientTokenValidityUnits,
)
from cdktf_cdktf_provider_aws.cognito_user_pool_domain import CognitoUserPoolDomain
from constructs import Construct

#: Standard attributes a user may write through the SPA client; ``email`` is left out on purpose.
WRITABLE_ATTRIBUTES = ("name", "preferred_username", "locale", "zoneinfo", "updated_at")


@dataclass(frozen=True)
class UserPoolProps:
    """``protect`` turns on Cognito deletion protection and prevent_destroy."""

    pool_name: str
    client_name: str
    domain_prefix: str
    callback_url: str
    logout_url: str
    self_sign_up: bool
    mfa: str
    access_token_minutes: int
    refresh_token_days: int
    protect: bool


class UserPool(Construct):
    """``pool``, ``client`` and ``domain`` resources."""

    def __init__(self, scope: Construct, id: str, props: UserPoolProps):
        super().__init__(scope, id)
        self.pool = CognitoUserPool(
            self,
            "pool",
            name=props.pool_name,
            deletion_protection="ACTIVE" if props.protect else "INACTIVE",
            lifecycle=TerraformResourceLifecycle(prevent_destroy=props.protect),
            username_attributes=["email"],
            auto_verified_attributes=["email"],
            admin_create_user_config={"allow_admin_create_user_only": not props.self_sign_up},
            mfa_configuration=props.mfa,
            software_token_mfa_configuration=None if props.mfa == "OFF" else {"enabled": True},
            password_policy={
                "minimum_length": 12,
                "require_lowercase": True,
                "require_uppercase": True,
                "require_numbers": True,
                "require_symbols": True,
                "temporary_password_validity_days": 3,
            },
            account_recovery_setting={
                "recovery_mechanism": [
                    CognitoUserPoolAccountRecoverySettingRecoveryMechanism(name="verified_email", priority=1)
                ]
            },
        )
        self.client = CognitoUserPoolClient(
            self,
            "spa-client",
            name=props.client_name,
            user_pool_id=self.pool.id,
            generate_secret=False,
            allowed_oauth_flows_user_pool_client=True,
            allowed_oauth_flows=["code"],
            allowed_oauth_scopes=["openid", "email", "profile"],
            supported_identity_providers=["COGNITO"],
            callback_urls=[props.callback_url],
            logout_urls=[props.logout_url],
            default_redirect_uri=props.callback_url,
            explicit_auth_flows=["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"],
            prevent_user_existence_errors="ENABLED",
            enable_token_revocation=True,
            # Everything a user may change about themselves, but not email: the API records it as createdBy.
            write_attributes=list(WRITABLE_ATTRIBUTES),
            access_token_validity=props.access_token_minutes,
            id_token_validity=props.access_token_minutes,
            refresh_token_validity=props.refresh_token_days,
            token_validity_units=[
                CognitoUserPoolClientTokenValidityUnits(
                    access_token="minutes", id_token="minutes", refresh_token="days"
                )
            ],
        )
        self.domain = CognitoUserPoolDomain(self, "domain", domain=props.domain_prefix, user_pool_id=self.pool.id)
