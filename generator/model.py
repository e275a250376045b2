"""The validated, frozen model that the stacks are built from.

Nothing here reads files or imports provider packages: :mod:`generator.project`
builds these from checked YAML, and :mod:`modules` turns them into stacks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class KubernetesSettings:
    """EKS settings used by the kubernetes UI-sync mode."""

    cluster_name: str | None
    namespaces: tuple[str, ...]
    image: str
    #: Create the cluster's IAM OIDC provider in the platform (default: look up the existing one).
    create_oidc_provider: bool = False


@dataclass(frozen=True)
class CognitoSettings:
    """The shared user pool's options."""

    domain_prefix: str
    self_sign_up: bool
    mfa: str
    access_token_minutes: int
    refresh_token_days: int


@dataclass(frozen=True)
class BackendSettings:
    """Where state lives. ``state_dir`` is absolute on disk; stacks get paths relative to their folder.

    The other fields belong to one backend type each (see platform.yaml's
    ``backend``); the project loader fills their defaults (region: homeRegion,
    workspace_prefix: the platform name).
    """

    type: str
    state_dir: str
    bucket: str | None = None
    key_prefix: str = "serverless-platform"
    region: str | None = None
    lock_table: str | None = None
    kms_key_id: str | None = None
    organization: str | None = None
    hostname: str = "app.terraform.io"
    workspace_prefix: str | None = None
    project: str | None = None


@dataclass(frozen=True)
class PlatformConfig:
    """platform.yaml after validation."""

    name: str
    domain: str
    hosted_zone_id: str
    home_region: str
    regions: tuple[str, ...]
    certificate_arn: str | None
    price_class: str
    ui_sync: str
    kubernetes: KubernetesSettings
    cognito: CognitoSettings
    backend: BackendSettings
    deletion_protection: bool
    log_retention_days: int
    waf: bool = True
    waf_rate_limit: int = 2000
    tags: Mapping[str, str] = field(default_factory=dict)
    #: Appended as ``-<suffix>`` to bucket names and the default Cognito domain prefix (None: no suffix).
    global_name_suffix: str | None = None
    #: ``perInstance`` (each app its own roles) or ``shared`` (the seed's two shared roles).
    isolation: str = "perInstance"
    #: teamName -> GitHub team (``@org/team``), for .github/CODEOWNERS.
    teams: Mapping[str, str] = field(default_factory=dict)
    #: GitHub team owning everything but the instance files in .github/CODEOWNERS (None: no such line).
    platform_team: str | None = None

    @property
    def per_instance_roles(self) -> bool:
        return self.isolation == "perInstance"


@dataclass(frozen=True)
class Instance:
    """One SmartInventoryHubV5 manifest after validation."""

    file: str
    name: str
    namespace: str
    team: str
    app: str
    environment: str
    developer: str
    region: str
    deletion_protection: bool
    #: Cognito groups whose members may use the app besides its own group (``spec.access.groups``).
    access_groups: tuple[str, ...] = ()

    @property
    def is_prod(self) -> bool:
        return self.environment == "prod"
