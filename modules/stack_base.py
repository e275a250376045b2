"""Providers, backend, remote state and tags: applied in one place for every stack."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import jsii
from cdktf import (
    Aspects,
    CloudBackend,
    DataTerraformRemoteState,
    DataTerraformRemoteStateLocal,
    DataTerraformRemoteStateS3,
    Fn,
    IAspect,
    LocalBackend,
    NamedCloudWorkspace,
    NamedRemoteWorkspace,
    S3Backend,
    TerraformProvider,
    TerraformRemoteState,
    TerraformResource,
    TerraformStack,
)
from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from cdktf_cdktf_provider_aws.data_aws_eks_cluster import DataAwsEksCluster
from cdktf_cdktf_provider_aws.data_aws_partition import DataAwsPartition
from cdktf_cdktf_provider_aws.provider import AwsProvider, AwsProviderDefaultTags, AwsProviderEndpoints
from cdktf_cdktf_provider_kubernetes.provider import KubernetesProvider, KubernetesProviderExec
from constructs import Construct

from generator.locations import EmulatorSettings, StateLocation

#: Services the stacks call; on the emulator target each is pointed at the emulator's URL.
EMULATED_SERVICES = (
    "acm",
    "apigatewayv2",
    "appautoscaling",
    "cloudfront",
    "cognitoidp",
    "dynamodb",
    "iam",
    "lambda_",
    "logs",
    "route53",
    "s3",
    "sts",
    "wafv2",
)

#: Attributes the emulator (moto 5.2) does not store or return, so every plan would show them as changed;
#: the emulator target ignores them (never the normal output). Measured with a second plan after ``local up``.
EMULATOR_DRIFT: Mapping[str, tuple[str, ...]] = {
    # moto drops the origin's OAC id and the function associations of a distribution, returns legacy
    # forwarded_values beside the cache policies, and reports the default certificate beside the ACM one.
    "aws_cloudfront_distribution": (
        "origin",
        "default_cache_behavior[0].function_association",
        "ordered_cache_behavior[0].function_association",
        "default_cache_behavior[0].forwarded_values",
        "ordered_cache_behavior[0].forwarded_values",
        "viewer_certificate[0].cloudfront_default_certificate",
    ),
    # moto's Lambda has no LoggingConfig (JSON logs into the Terraform-managed log group).
    "aws_lambda_function": ("logging_config",),
}


@jsii.implements(IAspect)
class _IgnoreEmulatorDrift:
    """Adds ``lifecycle.ignore_changes`` for :data:`EMULATOR_DRIFT` to every matching resource."""

    def visit(self, node) -> None:
        if isinstance(node, TerraformResource) and node.terraform_resource_type in EMULATOR_DRIFT:
            node.add_override("lifecycle.ignore_changes", list(EMULATOR_DRIFT[node.terraform_resource_type]))


@dataclass(frozen=True)
class AwsAccount:
    """The deploying account's id and partition (Terraform tokens, known only at plan time)."""

    id: str
    partition: str


@dataclass(frozen=True)
class StackSettings:
    """What every stack needs before its first resource.

    ``state`` is where the stack's state lives (local, s3 or cloud); a local
    path is relative to the stack's own folder (``cdktf.out/stacks/<name>``), so
    the output never embeds a machine's absolute paths. ``aliases`` maps extra
    provider aliases to their regions.
    """

    region: str
    tags: Mapping[str, str]
    state: StateLocation
    aliases: Mapping[str, str] = field(default_factory=dict)
    #: Build for the local AWS emulator. Default (None): real AWS.
    emulator: EmulatorSettings | None = None


def _emulator_arguments(emulator: EmulatorSettings | None) -> dict:
    """AwsProvider arguments that point it at the emulator (none for real AWS)."""
    if emulator is None:
        return {}
    return {
        "access_key": emulator.access_key,
        "secret_key": emulator.secret_key,
        "endpoints": [AwsProviderEndpoints(**{service: emulator.endpoint for service in EMULATED_SERVICES})],
        # Path-style S3 URLs: bucket names cannot be subdomains of 127.0.0.1.
        "s3_use_path_style": True,
        "skip_credentials_validation": True,
        "skip_metadata_api_check": "true",
        "skip_region_validation": True,
    }


class BaseStack(TerraformStack):
    """A TerraformStack with the AWS provider(s), default tags and backend configured."""

    def __init__(self, scope: Construct, id: str, settings: StackSettings):
        super().__init__(scope, id)
        tags = dict(settings.tags)
        target = _emulator_arguments(settings.emulator)
        self.aws = AwsProvider(
            self, "aws", region=settings.region, default_tags=[AwsProviderDefaultTags(tags=tags)], **target
        )
        self.aliases = {
            alias: AwsProvider(
                self,
                f"aws-{alias}",
                alias=alias,
                region=region,
                default_tags=[AwsProviderDefaultTags(tags=tags)],
                **target,
            )
            for alias, region in sorted(settings.aliases.items())
        }
        self._account: AwsAccount | None = None
        configure_backend(self, settings.state)
        if settings.emulator is not None:
            Aspects.of(self).add(_IgnoreEmulatorDrift())

    @property
    def account(self) -> AwsAccount:
        """This account's id and partition, looked up once per stack (constructs take them through their props)."""
        if self._account is None:
            self._account = AwsAccount(
                id=DataAwsCallerIdentity(self, "account").account_id,
                partition=DataAwsPartition(self, "partition").partition,
            )
        return self._account

    def remote_state(self, id: str, state: str | StateLocation) -> TerraformRemoteState:
        """Read another workspace's outputs (the platform's) from its state (a local path, or any backend)."""
        if isinstance(state, str):
            return DataTerraformRemoteStateLocal(self, id, path=state)
        if state.type == "s3":
            return DataTerraformRemoteStateS3(self, id, bucket=state.bucket, key=state.key, region=state.region)
        if state.type == "cloud":
            # The "remote" backend reads Terraform Cloud outputs; the platform workspace must share its
            # state with the reader (the tfe bootstrap stack's remote_state_consumer_ids does).
            return DataTerraformRemoteState(
                self,
                id,
                organization=state.organization,
                hostname=state.hostname,
                workspaces=NamedRemoteWorkspace(state.workspace),
            )
        return DataTerraformRemoteStateLocal(self, id, path=state.path)

    def eks_kubernetes_provider(self, cluster_name: str, region: str, aws: TerraformProvider) -> None:
        """Configure the kubernetes provider for an EKS cluster, authenticating as the identity running Terraform.

        The token comes from ``aws eks get-token`` each time the provider starts (an ``exec`` plugin), not from
        ``aws_eks_cluster_auth``, whose 15-minute token is saved into a plan and expires during a Job wait or
        a slow approval. The AWS CLI must be on the runner's PATH.
        """
        cluster = DataAwsEksCluster(self, "eks-cluster", name=cluster_name, provider=aws)
        KubernetesProvider(
            self,
            "kubernetes",
            host=cluster.endpoint,
            cluster_ca_certificate=Fn.base64decode(cluster.certificate_authority.get(0).data),
            exec=[
                KubernetesProviderExec(
                    api_version="client.authentication.k8s.io/v1beta1",
                    command="aws",
                    args=["eks", "get-token", "--cluster-name", cluster_name, "--region", region],
                )
            ],
        )


def configure_backend(stack: TerraformStack, location: StateLocation) -> None:
    """The stack's backend: a local file, an encrypted and locked S3 object, or a Terraform Cloud workspace."""
    if location.type == "s3":
        S3Backend(
            stack,
            bucket=location.bucket,
            key=location.key,
            region=location.region,
            encrypt=True,
            kms_key_id=location.kms_key_id,
            dynamodb_table=location.lock_table,
        )
        if not location.lock_table:
            # cdktf 0.21's S3Backend predates S3-native locking (Terraform 1.10+, use_lockfile):
            # https://developer.hashicorp.com/terraform/language/backend/s3#state-locking
            stack.add_override("terraform.backend.s3.use_lockfile", True)
    elif location.type == "cloud":
        CloudBackend(
            stack,
            organization=location.organization,
            hostname=location.hostname,
            workspaces=NamedCloudWorkspace(location.workspace, project=location.project),
        )
    else:
        LocalBackend(stack, path=location.path)


def configure_tfe(stack: TerraformStack, hostname: str, organization: str, state_path: str) -> None:
    """The tfe provider and a local backend, for the Terraform Cloud bootstrap stack (no AWS provider).

    The token comes from ``terraform login`` or ``TFE_TOKEN`` at apply time, never from the output.
    """
    from cdktf_cdktf_provider_tfe.provider import TfeProvider  # only the bootstrap needs the tfe bindings

    TfeProvider(stack, "tfe", hostname=hostname, organization=organization)
    LocalBackend(stack, path=state_path)
