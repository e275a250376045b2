"""Layers 2/3: one workspace per instance YAML (the Kro RGD's 15 resources)."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import Fn, TerraformOutput
from constructs import Construct

from generator.assets import BASE_MARKER
from generator.locations import StateLocation
from generator.model import Instance, PlatformConfig
from generator.naming import InstanceNames, PlatformNames, platform_names

from .app_access_group import AppAccessGroup, AppAccessGroupProps
from .app_api import AppApi, AppApiProps
from .app_execution_role import AppExecutionRole, AppExecutionRoleProps
from .app_function import AppFunction, AppFunctionProps
from .app_table import AppTable, AppTableProps
from .app_uploader_role import AppUploaderRole, AppUploaderRoleProps
from .platform_outputs import read_platform_outputs
from .stack_base import BaseStack, StackSettings
from .ui_sync_kubernetes import UiSyncKubernetes, UiSyncKubernetesProps
from .ui_sync_terraform import UiSyncTerraform, UiSyncTerraformProps

#: Provider alias for resources in the platform's home region (the shared UI bucket, the EKS cluster).
HOME_ALIAS = "home"


@dataclass(frozen=True)
class InstanceStackProps:
    """``platform_state_path``: where the platform's state is, as this stack sees it (a local path relative to
    this stack's folder, or a :class:`~generator.locations.StateLocation` for any backend)."""

    instance: Instance
    names: InstanceNames
    platform: PlatformConfig
    settings: StackSettings
    platform_state_path: str | StateLocation
    #: The platform's physical names (the app roles' IAM path); default: derived from ``platform``.
    platform_names: PlatformNames | None = None


class InstanceStack(BaseStack):
    def __init__(self, scope: Construct, id: str, props: InstanceStackProps):
        super().__init__(scope, id, props.settings)
        instance, names, platform = props.instance, props.names, props.platform
        role_path = (props.platform_names or platform_names(platform)).app_role_path(names.base)
        shared = read_platform_outputs(self.remote_state("platform", props.platform_state_path))
        origin = f"https://{shared.domain_name}"
        home = self.aliases[HOME_ALIAS]

        table = AppTable(
            self,
            "table",
            AppTableProps(
                table_name=names.table,
                provisioned=instance.is_prod,
                protect=instance.deletion_protection,
                point_in_time_recovery=instance.is_prod,
            ),
        )
        group = AppAccessGroup(
            self,
            "access-group",
            AppAccessGroupProps(
                group_name=names.access_group,
                user_pool_id=shared.user_pool_id,
                description=f"Users who may use {names.base} (its API answers 403 to everyone else)",
                provider=home,
            ),
        )
        function = AppFunction(
            self,
            "function",
            AppFunctionProps(
                function_name=names.function,
                log_group_name=names.function_log_group,
                log_retention_days=platform.log_retention_days,
                role_arn=shared.lambda_execution_role_arn,
                code_bucket=Fn.lookup(shared.assets_bucket_names, instance.region),
                code_key=shared.function_bundle_key,
                code_sha256=shared.function_bundle_sha256,
                environment={
                    "TABLE_NAME": table.table.name,
                    "ALLOWED_ORIGIN": origin,
                    "APP_NAME": names.base,
                    # The handler answers 403 unless cognito:groups holds one of these (lambda_code/app.py).
                    "ACCESS_GROUPS": ",".join((names.access_group, *instance.access_groups)),
                },
            ),
        )
        if platform.per_instance_roles:
            role = AppExecutionRole(
                self,
                "execution-role",
                AppExecutionRoleProps(
                    role_name=names.execution_role,
                    path=role_path,
                    boundary_arn=shared.app_permissions_boundary_arn,
                    table_arn=table.table.arn,
                    log_group_arn=function.log_group.arn,
                ),
            )
            # The role's ARN is known before its policy exists: the function waits for both.
            function.function.role = role.role.arn
            # depends_on takes plain addresses (an fqn is a "${...}" token, which Terraform refuses there).
            function.function.depends_on = [
                f"{r.terraform_resource_type}.{r.friendly_unique_id}" for r in (function.log_group, role.policy)
            ]
        api = AppApi(
            self,
            "api",
            AppApiProps(
                api_name=names.api,
                allowed_origin=origin,
                jwt_issuer=shared.user_pool_issuer_url,
                jwt_audience=shared.user_pool_client_id,
                function_name=function.function.function_name,
                function_invoke_arn=function.function.invoke_arn,
                access_log_group_name=names.api_log_group,
                log_retention_days=platform.log_retention_days,
            ),
        )
        app_url = f"{origin}/{names.ui_prefix}"
        config_json = Fn.jsonencode(
            {
                "apiUrl": api.api.api_endpoint,
                "region": instance.region,
                "userPoolId": shared.user_pool_id,
                "clientId": shared.user_pool_client_id,
                "cognitoDomain": shared.cognito_domain,
                "domain": shared.domain_name,
                "prefix": f"/{names.ui_prefix}",
                "appName": instance.app,
                "environment": instance.environment,
                "redirectUri": shared.auth_callback_url,
                "logoutUri": shared.auth_logout_url,
            }
        )
        # The template's page with this app's base URL: relative URLs (hashed files, config.json) resolve under
        # the prefix on deep links too, with no inline script.
        index_html = Fn.replace(
            shared.ui_template_index_html,
            Fn.raw_string(BASE_MARKER),
            Fn.raw_string(f'<base href="/{names.ui_prefix}">'),
        )
        if platform.ui_sync == "kubernetes":
            self.eks_kubernetes_provider(shared.eks_cluster_name, shared.home_region, home)
            uploader_arn = shared.ui_uploader_role_arn
            if platform.per_instance_roles:
                uploader_arn = AppUploaderRole(
                    self,
                    "ui-uploader-role",
                    AppUploaderRoleProps(
                        role_name=names.uploader_role,
                        path=role_path,
                        boundary_arn=shared.app_permissions_boundary_arn,
                        oidc_provider_arn=shared.eks_oidc_provider_arn,
                        oidc_issuer=shared.eks_oidc_issuer,
                        namespace=instance.namespace,
                        service_account=names.service_account,
                        template_bucket_arn=f"arn:{self.account.partition}:s3:::{shared.ui_template_bucket_name}",
                        template_prefix=shared.ui_template_prefix,
                        ui_bucket_arn=shared.shared_ui_bucket_arn,
                        prefix=names.ui_prefix,
                    ),
                ).role.arn
            UiSyncKubernetes(
                self,
                "ui-sync",
                UiSyncKubernetesProps(
                    namespace=instance.namespace,
                    service_account_name=names.service_account,
                    config_map_name=names.config_map,
                    job_name_prefix=names.job_prefix,
                    uploader_role_arn=uploader_arn,
                    image=platform.kubernetes.image,
                    region=shared.home_region,
                    template_bucket=shared.ui_template_bucket_name,
                    template_prefix=shared.ui_template_prefix,
                    ui_bucket=shared.shared_ui_bucket_name,
                    prefix=names.ui_prefix,
                    config_json=config_json,
                    index_html=index_html,
                    labels={
                        "app.kubernetes.io/name": instance.app,
                        "app.kubernetes.io/instance": instance.name,
                        "app.kubernetes.io/managed-by": "serverless-platform-generator",
                    },
                ),
            )
        else:
            UiSyncTerraform(
                self,
                "ui-sync",
                UiSyncTerraformProps(
                    ui_bucket=shared.shared_ui_bucket_name,
                    prefix=names.ui_prefix,
                    template_bucket=shared.ui_template_bucket_name,
                    template_prefix=shared.ui_template_prefix,
                    template_files=shared.ui_template_files,
                    config_json=config_json,
                    index_html=index_html,
                    provider=home,
                ),
            )

        for name, value, description in (
            ("app_url", app_url, "The app's URL on the shared domain."),
            ("api_endpoint", api.api.api_endpoint, "Base URL of the app's HTTP API."),
            ("table_name", table.table.name, "The app's DynamoDB table."),
            ("function_name", function.function.function_name, "The app's Lambda function."),
            ("ui_prefix", f"/{names.ui_prefix}", "The app's path prefix in the shared UI bucket and on the domain."),
            ("access_group", group.group.name, "Cognito group whose members may use the app."),
        ):
            TerraformOutput(self, name, value=value, description=description, static_id=True)
