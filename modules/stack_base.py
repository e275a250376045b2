"""Providers, backend, remote state and tags: applied in one place for every stack."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from cdktf import DataTerraformRemoteStateLocal, Fn, LocalBackend, TerraformProvider, TerraformStack
from cdktf_cdktf_provider_aws.data_aws_eks_cluster import DataAwsEksCluster
from cdktf_cdktf_provider_aws.data_aws_eks_cluster_auth import DataAwsEksClusterAuth
from cdktf_cdktf_provider_aws.provider import AwsProvider, AwsProviderDefaultTags
from cdktf_cdktf_provider_kubernetes.provider import KubernetesProvider
from constructs import Construct



@dataclass(frozen=True)
class StackSettings:
    """What every stack needs before its first resource.

    ``state_path`` is the stack's local state file relative to the stack's own
    folder (``cdktf.out/stacks/<name>``), so the output never embeds a machine's
    absolute paths. ``aliases`` maps extra provider aliases to their regions.
    """

    region: str
    tags: Mapping[str, str]
    state_path: str
    aliases: Mapping[str, str] = field(default_factory=dict)


class BaseStack(TerraformStack):
    """A TerraformStack with the AWS provider(s), default tags and backend configured."""

    def __init__(self, scope: Construct, id: str, settings: StackSettings):
        super().__init__(scope, id)
        tags = dict(settings.tags)
        self.aws = AwsProvider(self, "aws", region=settings.region, default_tags=[AwsProviderDefaultTags(tags=tags)])
        self.aliases = {
            alias: AwsProvider(self, f"aws-{alias}", alias=alias, region=region,
                                  default_tags=[AwsProviderDefaultTags(tags=tags)])
            for alias, region in sorted(settings.aliases.items())
        }
        LocalBackend(self, path=settings.state_path)

    def remote_state(self, id: str, state_path: str) -> DataTerraformRemoteStateLocal:
        """Read another workspace's outputs (the platform's) from its state."""
        return DataTerraformRemoteStateLocal(self, id, path=state_path)

    def eks_kubernetes_provider(self, cluster_name: str, aws: TerraformProvider) -> None:
        """Configure the kubernetes provider for an EKS cluster, authenticating with the AWS provider's identity."""
        cluster = DataAwsEksCluster(self, "eks-cluster", name=cluster_name, provider=aws)
        auth = DataAwsEksClusterAuth(self, "eks-cluster-auth", name=cluster_name, provider=aws)
        KubernetesProvider(self, "kubernetes", host=cluster.endpoint, token=auth.token,
                           cluster_ca_certificate=Fn.base64decode(cluster.certificate_authority.get(0).data))
