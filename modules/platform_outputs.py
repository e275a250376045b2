"""The contract between the platform workspace and every instance workspace.

The platform stack writes each field of :class:`PlatformOutputs` as a
Terraform output with the description below; instance stacks read the same
names back through ``terraform_remote_state`` (:func:`read_platform_outputs`).
Adding a field here is how the platform offers instances something new;
renaming one is a breaking change for every deployed instance.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from cdktf import TerraformOutput, TerraformRemoteState, TerraformStack


def _out(description: str) -> Any:
    return field(metadata={"description": description})


@dataclass(frozen=True)
class PlatformOutputs:
    """Values (Terraform tokens) the platform exposes; see each field's description."""

    domain_name: str = _out("The shared domain every app is served under.")
    home_region: str = _out("Region of the shared UI bucket, Cognito and the UI template.")
    distribution_id: str = _out("ID of the shared CloudFront distribution.")
    distribution_domain_name: str = _out("CloudFront domain name of the shared distribution.")
    shared_ui_bucket_name: str = _out("Shared UI bucket; each app lives under its own <base>/ prefix.")
    shared_ui_bucket_arn: str = _out("ARN of the shared UI bucket.")
    assets_bucket_names: Any = _out("Platform assets bucket per served region (map of region to bucket name).")
    function_bundle_key: str = _out(
        "S3 key of the Lambda bundle (functions/<bundle>-<hash>.zip) in every assets bucket."
    )
    function_bundle_sha256: str = _out("Base64 SHA-256 of the Lambda bundle, for source_code_hash.")
    ui_template_bucket_name: str = _out("Assets bucket holding the UI template (the home region's).")
    ui_template_prefix: str = _out("Key prefix of the UI template in the assets bucket (ui/<template>-<hash>/).")
    ui_template_files: Any = _out(
        "Paths of the UI template's content-hashed files, relative to ui_template_prefix (index.html apart)."
    )
    ui_template_index_html: str = _out(
        "The template's index.html; each instance publishes it with its own <base href> (no-cache)."
    )
    lambda_execution_role_arn: str = _out(
        "Shared Lambda execution role (isolation shared); empty with isolation perInstance, where each instance "
        "creates its own."
    )
    ui_uploader_role_arn: str = _out(
        "Shared S3 uploader role for the UI-sync service accounts (IRSA, isolation shared); empty without Kubernetes "
        "or with isolation perInstance."
    )
    eks_cluster_name: str = _out("EKS cluster that runs UI-sync Jobs; empty without Kubernetes.")
    eks_oidc_provider_arn: str = _out(
        "IAM OIDC identity provider of the EKS cluster (IRSA trust); empty without Kubernetes."
    )
    eks_oidc_issuer: str = _out(
        "The cluster's OIDC issuer without https:// (prefix of the :sub and :aud trust conditions); empty without "
        "Kubernetes."
    )
    app_permissions_boundary_arn: str = _out(
        "Managed policy every app role must carry as its permissions boundary (the most an app identity can do)."
    )
    user_pool_id: str = _out("Cognito user pool ID.")
    user_pool_arn: str = _out("Cognito user pool ARN.")
    user_pool_client_id: str = _out("Cognito SPA app client ID (no secret; the JWT audience).")
    user_pool_issuer_url: str = _out("JWT issuer URL of the user pool.")
    cognito_domain: str = _out("Hosted UI domain (<prefix>.auth.<region>.amazoncognito.com).")
    auth_callback_url: str = _out("The single OAuth callback URL every app signs in through.")
    auth_logout_url: str = _out("The single sign-out URL.")


LIST_OUTPUTS = frozenset({"ui_template_files"})
MAP_OUTPUTS = frozenset({"assets_bucket_names"})


def write_platform_outputs(stack: TerraformStack, outputs: PlatformOutputs) -> None:
    """Emit every field as a described Terraform output."""
    for f in fields(PlatformOutputs):
        # Output names are the snake_case contract itself, so the id is used verbatim.
        TerraformOutput(
            stack, f.name, value=getattr(outputs, f.name), description=f.metadata["description"], static_id=True
        )


def read_platform_outputs(state: TerraformRemoteState) -> PlatformOutputs:
    """Tokens referring to the platform's outputs through remote state, each read on first use.

    An instance stack uses about half of the fields, and each read is a call into the jsii kernel; a
    token nobody uses puts nothing into the stack, so reading lazily changes no output byte.
    """
    return RemoteOutputs(state)  # type: ignore[return-value]  # the same attributes as PlatformOutputs


class RemoteOutputs:
    """:class:`PlatformOutputs`'s fields as attributes, each a token read from ``state`` when first used."""

    def __init__(self, state: TerraformRemoteState) -> None:
        self._state = state

    def __getattr__(self, name: str) -> Any:
        if name not in _FIELD_NAMES:
            raise AttributeError(f"{type(self).__name__} has no attribute {name!r}; PlatformOutputs has no such field")
        if name in LIST_OUTPUTS:
            value = self._state.get_list(name)
        elif name in MAP_OUTPUTS:
            value = self._state.get(name)
        else:
            value = self._state.get_string(name)
        setattr(self, name, value)  # read once: later uses find the attribute without __getattr__
        return value


_FIELD_NAMES = frozenset(f.name for f in fields(PlatformOutputs))
