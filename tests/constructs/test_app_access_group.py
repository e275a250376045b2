"""AppAccessGroup (modules/app_access_group.py) and EksOidcProvider (modules/eks_oidc_provider.py)."""

from __future__ import annotations

from construct_synth import synth_scope

from modules.app_access_group import AppAccessGroup, AppAccessGroupProps
from modules.eks_oidc_provider import EksOidcProvider, EksOidcProviderProps


def test_group_in_the_shared_pool():
    props = AppAccessGroupProps(
        group_name="john-inventory-dev-users", user_pool_id="us-east-2_AbC", description="Users of john-inventory-dev"
    )
    synth = synth_scope(lambda scope: AppAccessGroup(scope, "access-group", props))
    (group,) = synth["resource"]["aws_cognito_user_group"].values()
    assert group["name"] == "john-inventory-dev-users"
    assert group["user_pool_id"] == "us-east-2_AbC"


def test_oidc_provider_is_looked_up_by_default():
    synth = synth_scope(lambda scope: EksOidcProvider(scope, "eks-oidc-provider", EksOidcProviderProps("eks")))
    assert "resource" not in synth
    (existing,) = synth["data"]["aws_iam_openid_connect_provider"].values()
    assert existing["url"].startswith("${data.aws_eks_cluster.") and existing["url"].endswith(
        ".identity[0].oidc[0].issuer}"
    )


def test_oidc_provider_is_created_on_request():
    props = EksOidcProviderProps("eks", create=True)
    synth = synth_scope(lambda scope: EksOidcProvider(scope, "eks-oidc-provider", props))
    (provider,) = synth["resource"]["aws_iam_openid_connect_provider"].values()
    assert provider["client_id_list"] == ["sts.amazonaws.com"]
    assert "thumbprint_list" not in provider
    assert "aws_iam_openid_connect_provider" not in synth.get("data", {})
