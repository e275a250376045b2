"""The two input contracts: the instance manifest and platform.yaml.

The instance manifest is Kro's ``SmartInventoryHubV5`` custom resource from
the seed architecture, accepted verbatim. Everything here is data; the rules
that span fields (served regions, name lengths, duplicates) live in
:mod:`generator.project`.
"""

from __future__ import annotations

from .rules import BOOLEAN, INTEGER, OBJECT, STRING, STRING_LIST, STRING_MAP, Field

API_VERSION = "kro.run/v1alpha1"
KIND = "SmartInventoryHubV5"
ENVIRONMENTS = ("dev", "staging", "prod")
#: platform.yaml's homeRegion when it is omitted (the seed's home region); an instance's region defaults to
#: the platform's homeRegion.
DEFAULT_REGION = "us-east-2"

#: Kubernetes object names (RFC 1123 label): they also become Terraform stack names.
DNS_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
DNS_LABEL_HINT = "lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters"
#: The parts of the base name: they end up in table, function, API, S3 prefix and Kubernetes names.
NAME_PART = r"[a-z]([a-z0-9-]*[a-z0-9])?"
NAME_PART_HINT = (
    "lowercase letters, digits and '-', starting with a letter and ending with a letter or digit, at most 30 characters"
)
#: Cognito group names (1 to 128 characters, no whitespace), narrowed to ASCII without ',', '[' and ']'
#: so the API's "[a b]" claim form can be split unambiguously (lambda_code/app.py).
COGNITO_GROUP = r"[A-Za-z0-9_.@+=:/-]{1,128}"
COGNITO_GROUP_HINT = "a Cognito group name: 1 to 128 letters, digits and _.@+=:/-"
#: AWS region codes: a two-letter area, the GovCloud or ISO partition marker, a compass direction, a number. A
#: made-up direction (``us-eastttt-1``) would otherwise pass and only fail at apply.
DIRECTIONS = "north|south|east|west|central|northeast|northwest|southeast|southwest"
REGION = rf"[a-z]{{2}}(-gov|-iso[a-z]?)?-({DIRECTIONS})-[0-9]{{1,2}}"
REGION_HINT = "an AWS region code such as us-east-2"

INSTANCE_FIELDS: tuple[Field, ...] = (
    Field("apiVersion", STRING, "Kro API version of the resource.", required=True, enum=(API_VERSION,)),
    Field("kind", STRING, "The Kro kind this generator implements.", required=True, enum=(KIND,)),
    Field(
        "metadata",
        OBJECT,
        "Kubernetes-style metadata; the name identifies the instance and its Terraform workspace.",
        required=True,
        children=(
            Field(
                "name",
                STRING,
                "Instance name, unique across instances/; also the name of its Terraform workspace.",
                required=True,
                pattern=DNS_LABEL,
                hint=DNS_LABEL_HINT,
                max_length=63,
            ),
            Field(
                "namespace",
                STRING,
                "Kubernetes namespace of the UI-sync objects (kubernetes mode).",
                required=True,
                pattern=DNS_LABEL,
                hint=DNS_LABEL_HINT,
                max_length=63,
            ),
            Field("labels", STRING_MAP, "Kubernetes labels; accepted and ignored by the generator."),
            Field("annotations", STRING_MAP, "Kubernetes annotations; accepted and ignored by the generator."),
        ),
    ),
    Field(
        "spec",
        OBJECT,
        "The application instance.",
        required=True,
        children=(
            Field(
                "teamName",
                STRING,
                "Owning team; part of the base name outside dev.",
                required=True,
                pattern=NAME_PART,
                hint=NAME_PART_HINT,
                max_length=30,
            ),
            Field(
                "appName",
                STRING,
                "Application name; part of every base name.",
                required=True,
                pattern=NAME_PART,
                hint=NAME_PART_HINT,
                max_length=30,
            ),
            Field(
                "environment",
                STRING,
                "Environment: dev names the instance after the developer; prod gets provisioned capacity and "
                "protection.",
                required=True,
                enum=ENVIRONMENTS,
            ),
            Field(
                "developerName",
                STRING,
                "Developer; part of the base name in dev.",
                required=True,
                pattern=NAME_PART,
                hint=NAME_PART_HINT,
                max_length=30,
            ),
            Field(
                "region",
                STRING,
                "AWS region of the table, function and API; must be served by the platform. "
                "Default: the platform's homeRegion.",
                pattern=REGION,
                hint=REGION_HINT,
            ),
            Field(
                "deletionProtection",
                BOOLEAN,
                "Protect the table from deletion. Default: true in prod, false elsewhere; turning it off in prod takes "
                "this explicit field.",
            ),
            Field(
                "access",
                OBJECT,
                "Who may use the app. Members of the app's own Cognito group (<base name>-users) always may.",
                children=(
                    Field(
                        "groups",
                        STRING_LIST,
                        "More Cognito groups of the shared user pool whose members may use the app (for example a "
                        "team-wide group an administrator created). Default: none.",
                        pattern=COGNITO_GROUP,
                        hint=COGNITO_GROUP_HINT,
                    ),
                ),
            ),
        ),
    ),
)

LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)
UI_SYNC_MODES = ("kubernetes", "terraform")
ISOLATION_MODES = ("perInstance", "shared")
GITHUB_TEAM = r"@[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9][A-Za-z0-9_.-]*"
GITHUB_TEAM_HINT = "a GitHub team such as @acme/team-backend"
BACKENDS = ("local", "s3", "cloud")
S3_BUCKET = r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"
S3_BUCKET_HINT = "an S3 bucket name (3 to 63 lowercase letters, digits, '.' and '-')"
TFC_NAME = r"[A-Za-z0-9][A-Za-z0-9_-]*"
TFC_NAME_HINT = "letters, digits, '-' and '_'"
AWS_CLI_IMAGE = "public.ecr.aws/aws-cli/aws-cli:2.22.35"

#: platform.yaml's cognito.mfa values and the Cognito mfa_configuration each one sets.
MFA_MODES = ("off", "optional", "required")

PLATFORM_FIELDS: tuple[Field, ...] = (
    Field(
        "name",
        STRING,
        "Prefix of every shared resource name (buckets, roles, user pool). Bucket names are global: pick something "
        "unique to your organisation, or add globalNameSuffix.",
        required=True,
        pattern=r"[a-z][a-z0-9-]*[a-z0-9]",
        hint="3 to 24 lowercase letters, digits and '-', starting with a letter",
        min_length=3,
        max_length=24,
    ),
    Field(
        "globalNameSuffix",
        STRING,
        "Optional suffix for the globally unique names: appended as '-<suffix>' to every bucket name and to the "
        "default Cognito domain prefix, e.g. your account id. Default: none (the names derive from name only).",
        pattern=r"[a-z0-9]([a-z0-9-]*[a-z0-9])?",
        hint="1 to 24 lowercase letters, digits and '-', not starting or ending with '-'",
        max_length=24,
    ),
    Field(
        "domain",
        STRING,
        "The one domain every app is served under, e.g. apps.example.com.",
        required=True,
        pattern=r"([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}",
        hint="a lowercase DNS name such as apps.example.com",
        max_length=253,
    ),
    Field(
        "hostedZoneId",
        STRING,
        "Route 53 hosted zone that holds the domain (alias records and certificate validation).",
        required=True,
        pattern=r"Z[A-Z0-9]{1,31}",
        hint="a Route 53 hosted zone id such as Z0123456789EXAMPLE",
    ),
    Field(
        "homeRegion",
        STRING,
        "Region of the shared UI bucket, Cognito, IAM-facing resources and the UI template.",
        default=DEFAULT_REGION,
        pattern=REGION,
        hint=REGION_HINT,
    ),
    Field(
        "regions",
        STRING_LIST,
        "Regions instances may use; the Lambda bundle is published in each. Default: the home region only.",
        pattern=REGION,
        hint=REGION_HINT,
        min_length=1,
    ),
    Field(
        "certificateArn",
        STRING,
        "An existing ACM certificate in us-east-1 for the domain. Default: the platform requests one and validates it "
        "in Route 53.",
        pattern=r"arn:aws[a-z-]*:acm:us-east-1:[0-9]{12}:certificate/[0-9a-f-]{36}",
        hint="an ACM certificate ARN in us-east-1",
    ),
    Field(
        "priceClass",
        STRING,
        "CloudFront price class.",
        default="PriceClass_100",
        enum=("PriceClass_100", "PriceClass_200", "PriceClass_All"),
    ),
    Field(
        "uiSync",
        STRING,
        "How an instance publishes its UI: a Kubernetes Job on EKS (as in the seed) or Terraform alone (no cluster).",
        default="kubernetes",
        enum=UI_SYNC_MODES,
    ),
    Field(
        "isolation",
        STRING,
        "perInstance: each app gets its own Lambda execution role (its own table and log group only) and, with "
        "kubernetes UI sync, its own uploader role (its own prefix only), all under the platform's permissions "
        "boundary. shared: the seed's two shared roles, which every app's function and sync Job use: every app can "
        "reach every app's table and UI files (kept for compatibility; see docs/security.md).",
        default="perInstance",
        enum=ISOLATION_MODES,
    ),
    Field(
        "kubernetes",
        OBJECT,
        "EKS settings for the kubernetes UI-sync mode (IRSA).",
        children=(
            Field(
                "clusterName",
                STRING,
                "EKS cluster that runs the UI-sync Jobs; its OIDC issuer is trusted by the uploader role. Required in "
                "kubernetes mode.",
                pattern=r"[A-Za-z0-9][A-Za-z0-9_-]*",
                hint="an EKS cluster name (letters, digits, '-', '_')",
                max_length=100,
            ),
            Field(
                "namespaces",
                STRING_LIST,
                "Namespaces instances may use; the uploader role trusts only the UI-sync service accounts there.",
                default=["kro-serverless-stack"],
                pattern=DNS_LABEL,
                hint=DNS_LABEL_HINT,
                min_length=1,
            ),
            Field(
                "image",
                STRING,
                "Container image with the AWS CLI that runs the sync.",
                default=AWS_CLI_IMAGE,
                pattern=r"[a-z0-9./_:@-]+",
                hint="a container image reference",
                max_length=255,
            ),
            Field(
                "createOidcProvider",
                BOOLEAN,
                "Create the cluster's IAM OIDC identity provider (IRSA) in the platform. Default: false, the "
                "provider already exists (eksctl utils associate-iam-oidc-provider, or the cluster's own Terraform) "
                "and is looked up from the cluster's issuer URL.",
                default=False,
            ),
        ),
    ),
    Field(
        "cognito",
        OBJECT,
        "The shared user pool and its SPA client.",
        children=(
            Field(
                "domainPrefix",
                STRING,
                "Hosted UI domain prefix (<prefix>.auth.<region>.amazoncognito.com). Default: <name>-auth.",
                pattern=r"[a-z0-9]([a-z0-9-]*[a-z0-9])?",
                hint="lowercase letters, digits and '-' (1 to 63)",
                max_length=63,
            ),
            Field(
                "selfSignUp",
                BOOLEAN,
                "Let users sign themselves up. Default: false (administrators create users).",
                default=False,
            ),
            Field(
                "mfa",
                STRING,
                "Multi-factor authentication (TOTP): off, optional (each user chooses) or required (every user sets "
                "up an authenticator app at first sign-in).",
                default="optional",
                enum=MFA_MODES,
            ),
            Field(
                "accessTokenMinutes", INTEGER, "Lifetime of access and ID tokens.", default=60, minimum=5, maximum=1440
            ),
            Field("refreshTokenDays", INTEGER, "Lifetime of refresh tokens.", default=30, minimum=1, maximum=3650),
        ),
    ),
    Field(
        "backend",
        OBJECT,
        "Where Terraform keeps state: one workspace per stack (the platform and each instance). See docs/workflow.md.",
        children=(
            Field(
                "type",
                STRING,
                "Backend type: local state files, an S3 bucket, or Terraform Cloud / HCP Terraform (cloud).",
                default="local",
                enum=BACKENDS,
            ),
            Field(
                "stateDir",
                STRING,
                "Local backend: folder for state files, relative to platform.yaml; kept outside the synth output so "
                "re-synthesizing never touches state.",
                default="terraform-state",
                pattern=r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*",
                hint="a relative path without '..'",
                max_length=200,
            ),
            Field(
                "bucket",
                STRING,
                "s3: the existing, versioned state bucket. Required when type is s3.",
                pattern=S3_BUCKET,
                hint=S3_BUCKET_HINT,
                max_length=63,
            ),
            Field(
                "keyPrefix",
                STRING,
                "s3: each workspace's state is the object <keyPrefix>/<stack>.tfstate.",
                default="serverless-platform",
                pattern=r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*",
                hint="a key prefix such as serverless-platform (no leading or trailing '/')",
                max_length=200,
            ),
            Field(
                "region",
                STRING,
                "s3: region of the state bucket. Default: homeRegion.",
                pattern=REGION,
                hint=REGION_HINT,
            ),
            Field(
                "lockTable",
                STRING,
                "s3: DynamoDB table for state locking (the older mechanism). Default: S3-native lock files "
                "(use_lockfile, Terraform 1.10+).",
                pattern=r"[A-Za-z0-9_.-]{3,255}",
                hint="a DynamoDB table name",
            ),
            Field(
                "kmsKeyId",
                STRING,
                "s3: KMS key (ARN) that encrypts state objects. Default: the bucket's own encryption; state is always "
                "written with encrypt = true.",
                pattern=r"arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/[A-Za-z0-9/_-]+",
                hint="a KMS key or alias ARN",
            ),
            Field(
                "organization",
                STRING,
                "cloud: the Terraform Cloud / HCP Terraform organization. Required when type is cloud.",
                pattern=TFC_NAME,
                hint=TFC_NAME_HINT,
                max_length=40,
            ),
            Field(
                "hostname",
                STRING,
                "cloud: HCP Terraform or Terraform Enterprise host name.",
                default="app.terraform.io",
                pattern=r"([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}",
                hint="a host name such as app.terraform.io",
                max_length=253,
            ),
            Field(
                "workspacePrefix",
                STRING,
                "cloud: workspaces are named <workspacePrefix>-<stack>, e.g. acme-apps-platform and "
                "acme-apps-john-inventory-dev. Default: the platform name.",
                pattern=TFC_NAME,
                hint=TFC_NAME_HINT,
                max_length=40,
            ),
            Field(
                "project",
                STRING,
                "cloud: the project that holds the workspaces. Default: the organization's default project.",
                pattern=r"[A-Za-z0-9][A-Za-z0-9 _-]*",
                hint="a project name (letters, digits, ' ', '-', '_')",
                max_length=40,
            ),
        ),
    ),
    Field(
        "deletionProtection",
        BOOLEAN,
        "Protect the shared buckets and user pool from destruction. Default: true; turning it off takes this explicit "
        "field.",
        default=True,
    ),
    Field(
        "logRetentionDays",
        INTEGER,
        "Retention of every log group the generator creates, and of the S3 and CloudFront access logs in the log "
        "buckets.",
        default=30,
        enum=LOG_RETENTION_DAYS,
    ),
    Field(
        "waf",
        BOOLEAN,
        "Put a WAFv2 web ACL in front of CloudFront (AWS managed common, known-bad-inputs and IP-reputation rules plus "
        "a per-IP rate limit). "
        "Default: true. WAF costs money (about 10 USD a month plus 0.60 USD per million requests); turning it off "
        "takes this explicit field.",
        default=True,
    ),
    Field(
        "wafRateLimit",
        INTEGER,
        "Requests one IP address may send in any 5 minutes before the web ACL blocks it.",
        default=2000,
        minimum=100,
        maximum=2_000_000_000,
    ),
    Field(
        "teams",
        STRING_MAP,
        "teamName -> GitHub team that reviews that team's instance files. When set, every instance's teamName must be "
        "listed, `python main.py codeowners` writes .github/CODEOWNERS from it and `validate` reports a stale one.",
        key_pattern=NAME_PART,
        key_hint="a teamName: " + NAME_PART_HINT,
        pattern=GITHUB_TEAM,
        hint=GITHUB_TEAM_HINT,
    ),
    Field(
        "platformTeam",
        STRING,
        "GitHub team that owns everything but the instance files in .github/CODEOWNERS (platform.yaml, the generator, "
        "the workflows). Default: no owner line for them.",
        pattern=GITHUB_TEAM,
        hint=GITHUB_TEAM_HINT,
        max_length=100,
    ),
    # AWS tag rules (ASCII subset): no '$', '{', quotes or control characters, so a value can never
    # become a Terraform template ("${file(...)}") in the synthesized JSON.
    Field(
        "tags",
        STRING_MAP,
        "Extra tags applied to every resource.",
        key_pattern=r"(?!aws:)[A-Za-z0-9 _.:/=+@-]{1,128}",
        key_hint="1 to 128 letters, digits, spaces or _.:/=+-@, not starting with aws:",
        pattern=r"[A-Za-z0-9 _.:/=+@-]{0,256}",
        hint="up to 256 letters, digits, spaces or _.:/=+-@",
    ),
)
