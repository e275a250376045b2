"""Layers 2/3: one workspace per instance YAML (the Kro RGD's 15 resources)."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import Fn, TerraformOutput
from constructs import Construct

from generator.assets import BASE_MARKER
from generator.locations import StateLocation
from generator.model import Instance, PlatformConfig
from generator.naming import InstanceNames

from .app_api import AppApi, AppApiProps
from .app_function import AppFunction, AppFunctionProps
from .app_table import AppTable, AppTableProps
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


class InstanceStack(BaseStack):
    def __init__(self, scope: Construct, id: str, props: InstanceStackProps):
        super().__init__(scope, id, props.settings)
        instance, names, platform = props.instance, props.names, props.platform
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
                environment={"TABLE_NAME": table.table.name, "ALLOWED_ORIGIN": origin},
            ),
        )
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
            UiSyncKubernetes(
                self,
                "ui-sync",
                UiSyncKubernetesProps(
                    namespace=instance.namespace,
                    service_account_name=names.service_account,
                    config_map_name=names.config_map,
                    job_name_prefix=names.job_prefix,
                    uploader_role_arn=shared.ui_uploader_role_arn,
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
        ):
            TerraformOutput(self, name, value=value, description=description, static_id=True)
