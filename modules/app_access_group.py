"""The app's Cognito group in the shared user pool: its members may use the app.

The app's function answers 403 to a signed-in user whose ``cognito:groups``
holds neither this group nor one of ``spec.access.groups``
(lambda_code/app.py). An administrator lets a user in with
``aws cognito-idp admin-add-user-to-group`` (README, "Who can do what").
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import TerraformProvider
from cdktf_cdktf_provider_aws.cognito_user_group import CognitoUserGroup
from constructs import Construct


@dataclass(frozen=True)
class AppAccessGroupProps:
    """``provider``: the pool's region (the platform's home region)."""

    group_name: str
    user_pool_id: str
    description: str
    provider: TerraformProvider | None = None


class AppAccessGroup(Construct):
    def __init__(self, scope: Construct, id: str, props: AppAccessGroupProps):
        super().__init__(scope, id)
        self.group = CognitoUserGroup(
            self,
            "group",
            name=props.group_name,
            user_pool_id=props.user_pool_id,
            description=props.description,
            provider=props.provider,
        )
