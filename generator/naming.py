"""Every physical name the generator creates, derived in one place.

The base name follows the seed RGD's CEL expression::

    environment == 'dev' ? developerName-appName-dev : teamName-appName-environment

and every per-instance name (table, function, API, log groups, Kubernetes
objects, UI prefix) comes from it. Limits are checked at validation time by
:func:`name_problems`, so an instance that would produce an invalid AWS or
Kubernetes name never reaches synthesis.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Instance, PlatformConfig

PLATFORM_STACK = "platform"
#: Suffix length of the UI-sync Job name (a content hash so the Job re-runs when its inputs change).
JOB_HASH_LENGTH = 8


def base_name(environment: str, team: str, app: str, developer: str) -> str:
    """The seed's CEL expression, verbatim."""
    if environment == "dev":
        return f"{developer}-{app}-dev"
    return f"{team}-{app}-{environment}"


@dataclass(frozen=True)
class InstanceNames:
    """Physical names of one instance's resources."""

    base: str
    table: str
    function: str
    function_log_group: str
    api: str
    api_log_group: str
    service_account: str
    config_map: str
    job_prefix: str
    ui_prefix: str
    #: Per-instance IAM roles (isolation perInstance): the function's, and the UI-sync Job's (kubernetes).
    execution_role: str
    uploader_role: str
    #: The Cognito group in the shared pool whose members may use this app.
    access_group: str

    @property
    def job_example(self) -> str:
        """The longest the Job name gets (the hash suffix is computed by Terraform)."""
        return self.job_prefix + "0" * JOB_HASH_LENGTH


def instance_names(instance: Instance) -> InstanceNames:
    base = base_name(instance.environment, instance.team, instance.app, instance.developer)
    return InstanceNames(
        base=base,
        table=base,
        function=base,
        function_log_group=f"/aws/lambda/{base}",
        api=f"{base}-api",
        # Under /aws/vendedlogs/ so API Gateway's log delivery needs no entry in the account's regional
        # CloudWatch Logs resource policy (5,120 characters, filled after 35-45 log groups).
        api_log_group=f"/aws/vendedlogs/apigateway/{base}",
        service_account=f"{base}-ui-sync",
        config_map=f"{base}-ui-config",
        job_prefix=f"{base}-ui-sync-",
        ui_prefix=f"{base}/",
        execution_role=f"{base}-function",
        uploader_role=f"{base}-ui-sync",
        access_group=f"{base}-users",
    )


#: (attribute, what it is, maximum length). Kubernetes Job names are capped at
#: 63 because the Job controller copies them into a label value.
LIMITS: tuple[tuple[str, str, int], ...] = (
    ("table", "DynamoDB table name", 255),
    ("function", "Lambda function name", 64),
    ("api", "API Gateway name", 128),
    ("function_log_group", "log group name", 512),
    ("service_account", "Kubernetes ServiceAccount name", 63),
    ("config_map", "Kubernetes ConfigMap name", 253),
    ("job_example", "Kubernetes Job name", 63),
    ("execution_role", "IAM role name", 64),
    ("uploader_role", "IAM role name", 64),
    ("access_group", "Cognito group name", 128),
)


def name_problems(names: InstanceNames) -> list[str]:
    """Messages for every derived name over its limit (empty when all fit)."""
    problems = []
    for attribute, what, limit in LIMITS:
        value = getattr(names, attribute)
        if len(value) > limit:
            problems.append(
                f"got base name {names.base!r}, whose {what} {value!r} is {len(value)} characters, "
                f"expected at most {limit} (shorten developerName, teamName or appName)"
            )
    return problems


@dataclass(frozen=True)
class PlatformNames:
    """Physical names of the shared resources (the platform ``name`` keeps them within limits)."""

    prefix: str
    ui_bucket: str
    user_pool: str
    user_pool_client: str
    lambda_role: str
    uploader_role: str
    oac: str
    viewer_request_function: str
    response_headers_policy: str
    cognito_domain_prefix: str
    web_acl: str
    #: The managed policy every per-app role carries as its permissions boundary.
    app_boundary: str
    #: WAF logs to CloudWatch only into a log group whose name starts with aws-waf-logs-.
    waf_log_group: str

    #: ``-<globalNameSuffix>`` or "": ends every bucket name.
    bucket_suffix: str = ""

    def assets_bucket(self, region: str) -> str:
        """The platform assets bucket of one served region."""
        return f"{self.prefix}-assets-{region}{self.bucket_suffix}"

    def app_role_path(self, base: str) -> str:
        """IAM path of an app's roles: ``/<platform>/<base>/``. Paths end in '/', so one app's path is never a
        prefix of another's (base names can be: ``a-x-prod`` and ``a-x-prod-y-prod``); delegated role creation
        is scoped by it (docs/security.md)."""
        return f"/{self.prefix}/{base}/"

    def log_bucket(self, region: str) -> str:
        """The access-log bucket of one served region (S3 delivers server access logs within a region only)."""
        return f"{self.prefix}-logs-{region}{self.bucket_suffix}"

    def bucket_names(self, regions: tuple[str, ...]) -> tuple[str, ...]:
        return (self.ui_bucket,) + tuple(f(r) for r in regions for f in (self.assets_bucket, self.log_bucket))


#: S3 bucket names are 3 to 63 characters.
BUCKET_NAME_LIMIT = 63


def platform_names(platform: PlatformConfig) -> PlatformNames:
    n = platform.name
    suffix = f"-{platform.global_name_suffix}" if platform.global_name_suffix else ""
    return PlatformNames(
        prefix=n,
        bucket_suffix=suffix,
        ui_bucket=f"{n}-ui{suffix}",
        user_pool=f"{n}-users",
        user_pool_client=f"{n}-spa",
        lambda_role=f"{n}-lambda-execution",
        uploader_role=f"{n}-s3-uploader",
        oac=f"{n}-ui-oac",
        viewer_request_function=f"{n}-viewer-request",
        response_headers_policy=f"{n}-security-headers",
        cognito_domain_prefix=platform.cognito.domain_prefix,
        web_acl=f"{n}-web-acl",
        app_boundary=f"{n}-app-boundary",
        waf_log_group=f"aws-waf-logs-{n}",
    )
