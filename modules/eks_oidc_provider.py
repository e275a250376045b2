"""The EKS cluster's IAM OIDC identity provider, which IRSA trust policies name.

Looked up from the cluster's issuer URL (the default: the provider exists,
created with the cluster or by ``eksctl utils associate-iam-oidc-provider``),
or created here when ``kubernetes.createOidcProvider`` is true. ``arn`` and
``issuer`` (the issuer URL without ``https://``, the prefix of the ``:sub``
and ``:aud`` condition keys) are platform outputs.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import Fn
from cdktf_cdktf_provider_aws.data_aws_eks_cluster import DataAwsEksCluster
from cdktf_cdktf_provider_aws.data_aws_iam_openid_connect_provider import DataAwsIamOpenidConnectProvider
from cdktf_cdktf_provider_aws.iam_openid_connect_provider import IamOpenidConnectProvider
from constructs import Construct


@dataclass(frozen=True)
class EksOidcProviderProps:
    cluster_name: str
    create: bool = False


class EksOidcProvider(Construct):
    def __init__(self, scope: Construct, id: str, props: EksOidcProviderProps):
        super().__init__(scope, id)
        cluster = DataAwsEksCluster(self, "cluster", name=props.cluster_name)
        url = cluster.identity.get(0).oidc.get(0).issuer
        if props.create:
            # No thumbprint_list: IAM trusts the issuer's certificate authority itself (provider 5.x makes it optional;
            # https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc_verify-thumbprint.html).
            self.arn = IamOpenidConnectProvider(self, "provider", url=url, client_id_list=["sts.amazonaws.com"]).arn
        else:
            self.arn = DataAwsIamOpenidConnectProvider(self, "existing", url=url).arn
        self.issuer = Fn.replace(url, "https://", "")
