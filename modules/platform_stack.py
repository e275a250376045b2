"""Layer 1: the platform workspace, deployed once and shared by every app."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import AssetType, TerraformAsset
from constructs import Construct

from generator.assets import ENTRY_PAGE, StaticFile
from generator.model import PlatformConfig
from generator.naming import PlatformNames

from .app_boundary_policy import AppBoundaryPolicy, AppBoundaryPolicyProps
from .assets_bucket import AssetsBucket, AssetsBucketProps
from .cdn import Cdn, CdnProps
from .certificate import Certificate, CertificateProps
from .eks_oidc_provider import EksOidcProvider, EksOidcProviderProps
from .lambda_execution_role import LambdaExecutionRole, LambdaExecutionRoleProps
from .log_bucket import LogBucket, LogBucketProps
from .platform_outputs import PlatformOutputs, write_platform_outputs
from .private_bucket import PrivateBucket, PrivateBucketProps
from .stack_base import BaseStack, StackSettings
from .static_files import StaticFiles, StaticFilesProps
from .ui_uploader_role import UiUploaderRole, UiUploaderRoleProps
from .user_pool import UserPool, UserPoolProps
from .web_acl import WebAcl, WebAclProps

#: Provider alias for CloudFront's certificate and web ACL region.
CERTIFICATE_ALIAS = "us-east-1"


@dataclass(frozen=True)
class PlatformAssets:
    """Files the platform publishes, prepared by the generator (paths are absolute, on disk)."""

    bundle_path: str
    bundle_key: str
    bundle_sha256: str
    ui_template_dir: str
    ui_template_prefix: str
    ui_template_files: tuple[StaticFile, ...]
    #: The published index.html (hashed references, ``BASE_MARKER`` still in it); each instance renders its own.
    ui_template_index_html: str
    #: The platform's own pages at the bucket's root: ``/`` (index.html) and the not-found page.
    site_pages_dir: str
    site_pages_files: tuple[StaticFile, ...]
    auth_pages_dir: str
    auth_pages_files: tuple[StaticFile, ...]
    viewer_request_code: str


@dataclass(frozen=True)
class PlatformStackProps:
    config: PlatformConfig
    names: PlatformNames
    assets: PlatformAssets
    settings: StackSettings


def platform_aliases(config: PlatformConfig) -> dict[str, str]:
    """Extra provider aliases: the certificate region and every served region but home."""
    aliases = {region: region for region in config.regions if region != config.home_region}
    aliases[CERTIFICATE_ALIAS] = "us-east-1"
    return aliases


class PlatformStack(BaseStack):
    """Every shared resource of the seed; ``outputs`` is the contract instances read."""

    def __init__(self, scope: Construct, id: str, props: PlatformStackProps):
        super().__init__(scope, id, props.settings)
        config, names, assets = props.config, props.names, props.assets
        protect = config.deletion_protection

        bundle = TerraformAsset(self, "function-bundle", path=assets.bundle_path, type=AssetType.FILE)

        def provider(region: str):
            return None if region == config.home_region else self.aliases[region]

        # Construct ids carry the region: each region's bucket is a distinct resource
        # (provider 5.x has no per-resource region), and adding a region must not move the others.
        # S3 delivers server access logs only within a region: one log bucket per served region.
        logs = {
            region: LogBucket(
                self,
                f"logs-{region}",
                LogBucketProps(
                    account=self.account,
                    bucket_name=names.log_bucket(region),
                    protect=protect,
                    retention_days=config.log_retention_days,
                    source_buckets=(names.assets_bucket(region),)
                    + ((names.ui_bucket,) if region == config.home_region else ()),
                    provider=provider(region),
                ),
            )
            for region in config.regions
        }
        regional = {
            region: AssetsBucket(
                self,
                f"assets-{region}",
                AssetsBucketProps(
                    bucket_name=names.assets_bucket(region),
                    protect=protect,
                    bundle_source=bundle.path,
                    bundle_key=assets.bundle_key,
                    bundle_sha256=assets.bundle_sha256,
                    provider=provider(region),
                    access_log_bucket=logs[region].target,
                ),
            )
            for region in config.regions
        }
        home_logs = logs[config.home_region]
        home_assets = regional[config.home_region]
        StaticFiles(
            self,
            "ui-template",
            StaticFilesProps(
                bucket=home_assets.bucket.id,
                key_prefix=assets.ui_template_prefix,
                source_dir=assets.ui_template_dir,
                files=assets.ui_template_files,
                depends_on=(home_assets.private.versioning,),
            ),
        )

        ui = PrivateBucket(
            self, "shared-ui", PrivateBucketProps(names.ui_bucket, protect, access_log_bucket=home_logs.target)
        )
        StaticFiles(
            self,
            "auth-pages",
            StaticFilesProps(
                bucket=ui.bucket.id,
                key_prefix="auth/",
                source_dir=assets.auth_pages_dir,
                files=assets.auth_pages_files,
                depends_on=(ui.versioning,),
                cache_control="no-cache",
            ),
        )
        StaticFiles(
            self,
            "site-pages",
            StaticFilesProps(
                bucket=ui.bucket.id,
                key_prefix="",
                source_dir=assets.site_pages_dir,
                files=assets.site_pages_files,
                depends_on=(ui.versioning,),
            ),
        )

        certificate = Certificate(
            self,
            "certificate",
            CertificateProps(
                domain=config.domain,
                hosted_zone_id=config.hosted_zone_id,
                provider=self.aliases[CERTIFICATE_ALIAS],
                existing_arn=config.certificate_arn,
            ),
        )
        web_acl = None
        if config.waf:
            web_acl = WebAcl(
                self,
                "web-acl",
                WebAclProps(
                    acl_name=names.web_acl,
                    log_group_name=names.waf_log_group,
                    rate_limit=config.waf_rate_limit,
                    log_retention_days=config.log_retention_days,
                    provider=self.aliases[CERTIFICATE_ALIAS],
                ),
            )
        cdn = Cdn(
            self,
            "cdn",
            CdnProps(
                domain=config.domain,
                hosted_zone_id=config.hosted_zone_id,
                certificate_arn=certificate.arn,
                bucket_id=ui.bucket.id,
                bucket_arn=ui.bucket.arn,
                bucket_regional_domain_name=ui.bucket.bucket_regional_domain_name,
                oac_name=names.oac,
                function_name=names.viewer_request_function,
                function_code=assets.viewer_request_code,
                price_class=config.price_class,
                response_headers_policy_name=names.response_headers_policy,
                api_regions=config.regions,
                cognito_domain=f"{config.cognito.domain_prefix}.auth.{config.home_region}.amazoncognito.com",
                emulator=props.settings.emulator is not None,
                web_acl_arn=web_acl.acl.arn if web_acl else None,
                log_bucket_domain_name=home_logs.bucket.bucket_domain_name,
                depends_on=(home_logs.ownership,),
            ),
        )

        # Published in both isolation modes, so instances can move to their own roles before the shared ones go.
        boundary = AppBoundaryPolicy(
            self,
            "app-boundary",
            AppBoundaryPolicyProps(
                account=self.account,
                policy_name=names.app_boundary,
                regions=config.regions,
                ui_bucket_arn=ui.bucket.arn,
                template_bucket_arn=home_assets.bucket.arn,
                template_prefix=assets.ui_template_prefix,
            ),
        )
        lambda_role_arn = ""
        if not config.per_instance_roles:
            lambda_role_arn = LambdaExecutionRole(
                self,
                "lambda-execution-role",
                LambdaExecutionRoleProps(
                    account=self.account,
                    role_name=names.lambda_role,
                    regions=config.regions,
                    boundary_arn=boundary.policy.arn,
                ),
            ).role.arn
        uploader_arn, cluster_name, oidc_arn, oidc_issuer = "", "", "", ""
        if config.ui_sync == "kubernetes":
            assert config.kubernetes.cluster_name  # validated in generator.project
            cluster_name = config.kubernetes.cluster_name
            oidc = EksOidcProvider(
                self,
                "eks-oidc-provider",
                EksOidcProviderProps(cluster_name=cluster_name, create=config.kubernetes.create_oidc_provider),
            )
            oidc_arn, oidc_issuer = oidc.arn, oidc.issuer
            if not config.per_instance_roles:
                uploader_arn = UiUploaderRole(
                    self,
                    "ui-uploader-role",
                    UiUploaderRoleProps(
                        role_name=names.uploader_role,
                        boundary_arn=boundary.policy.arn,
                        oidc_provider_arn=oidc.arn,
                        oidc_issuer=oidc.issuer,
                        namespaces=config.kubernetes.namespaces,
                        template_bucket_arn=home_assets.bucket.arn,
                        template_prefix=assets.ui_template_prefix,
                        ui_bucket_arn=ui.bucket.arn,
                    ),
                ).role.arn

        callback_url = f"https://{config.domain}/auth/callback"
        logout_url = f"https://{config.domain}/auth/logout"
        cognito = config.cognito
        users = UserPool(
            self,
            "user-pool",
            UserPoolProps(
                pool_name=names.user_pool,
                client_name=names.user_pool_client,
                domain_prefix=cognito.domain_prefix,
                callback_url=callback_url,
                logout_url=logout_url,
                self_sign_up=cognito.self_sign_up,
                mfa=cognito.mfa,
                access_token_minutes=cognito.access_token_minutes,
                refresh_token_days=cognito.refresh_token_days,
                protect=protect,
            ),
        )

        self.outputs = PlatformOutputs(
            domain_name=config.domain,
            home_region=config.home_region,
            distribution_id=cdn.distribution.id,
            distribution_domain_name=cdn.distribution.domain_name,
            shared_ui_bucket_name=ui.bucket.id,
            shared_ui_bucket_arn=ui.bucket.arn,
            assets_bucket_names={region: bucket.bucket.id for region, bucket in regional.items()},
            function_bundle_key=assets.bundle_key,
            function_bundle_sha256=assets.bundle_sha256,
            ui_template_bucket_name=home_assets.bucket.id,
            ui_template_prefix=assets.ui_template_prefix,
            ui_template_files=[f.path for f in assets.ui_template_files if f.path != ENTRY_PAGE],
            ui_template_index_html=assets.ui_template_index_html,
            lambda_execution_role_arn=lambda_role_arn,
            ui_uploader_role_arn=uploader_arn,
            eks_cluster_name=cluster_name,
            eks_oidc_provider_arn=oidc_arn,
            eks_oidc_issuer=oidc_issuer,
            app_permissions_boundary_arn=boundary.policy.arn,
            user_pool_id=users.pool.id,
            user_pool_arn=users.pool.arn,
            user_pool_client_id=users.client.id,
            user_pool_issuer_url=f"https://{users.pool.endpoint}",
            cognito_domain=f"{cognito.domain_prefix}.auth.{config.home_region}.amazoncognito.com",
            auth_callback_url=callback_url,
            auth_logout_url=logout_url,
        )
        write_platform_outputs(self, self.outputs)
