"""``preflight``: read-only checks, with the caller's AWS credentials, of what the stacks assume exists.

Each check gives one :class:`Check` (ok / missing / wrong / manual, with the fix). Nothing is created or
changed: only Describe/Get/List/Head calls are made. The checks follow platform.yaml:

* the hosted zone exists and is the zone of ``domain``;
* ``certificateArn`` (when set) is in us-east-1, issued, and covers ``domain``;
* the Cognito domain prefix is free (or already this platform's pool's);
* kubernetes UI sync: the EKS cluster exists, its IAM OIDC provider exists (IRSA), and the namespaces
  (which need cluster credentials: shown as a manual check with the command);
* s3 backend: the state bucket exists, and the lock table (when set) exists with a ``LockID`` key;
* the IAM role quota leaves room for the roles the platform still has to create.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

from ..naming import platform_names
from ..project import Project

OK, MISSING, WRONG, MANUAL = "ok", "missing", "wrong", "manual"


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str
    fix: str = ""

    @property
    def failed(self) -> bool:
        return self.status in (MISSING, WRONG)

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def _code(err: Exception) -> str:
    return getattr(err, "response", {}).get("Error", {}).get("Code", "")


def _covers(name: str, domain: str) -> bool:
    if name == domain:
        return True
    return name.startswith("*.") and domain.count(".") == name.count(".") and domain.endswith(name[1:])


def hosted_zone(client, zone_id: str, domain: str) -> Check:
    try:
        zone = client.get_hosted_zone(Id=zone_id)["HostedZone"]
    except Exception as err:
        if _code(err) in ("NoSuchHostedZone", "InvalidInput"):
            return Check(
                "hosted zone",
                MISSING,
                f"{zone_id} does not exist in this account",
                f"create a public hosted zone for {domain} (or its parent) and set hostedZoneId",
            )
        raise
    name = zone["Name"].rstrip(".")
    if domain != name and not domain.endswith("." + name):
        return Check(
            "hosted zone",
            WRONG,
            f"{zone_id} is {name}, which does not hold {domain}",
            f"set hostedZoneId to the zone of {domain}",
        )
    if zone.get("Config", {}).get("PrivateZone"):
        return Check("hosted zone", WRONG, f"{zone_id} ({name}) is private", "use the public zone of the domain")
    return Check("hosted zone", OK, f"{zone_id} is {name}")


def certificate(client, arn: str | None, domain: str) -> Check:
    if not arn:
        return Check("certificate", OK, "none given: a DNS-validated certificate is requested in us-east-1")
    region = arn.split(":")[3] if arn.count(":") >= 5 else ""
    if region != "us-east-1":
        return Check(
            "certificate",
            WRONG,
            f"{arn} is in {region or 'an unknown region'}; CloudFront only uses certificates in us-east-1",
            "request or import the certificate in us-east-1, or remove certificateArn",
        )
    try:
        cert = client.describe_certificate(CertificateArn=arn)["Certificate"]
    except Exception as err:
        if _code(err) in ("ResourceNotFoundException", "ValidationException"):
            return Check("certificate", MISSING, f"{arn} does not exist", "fix certificateArn, or remove it")
        raise
    names = [cert.get("DomainName", "")] + list(cert.get("SubjectAlternativeNames", []))
    if not any(_covers(n, domain) for n in names):
        return Check(
            "certificate", WRONG, f"covers {', '.join(sorted(set(names)))}, not {domain}", "use one that covers it"
        )
    if cert.get("Status") != "ISSUED":
        return Check("certificate", WRONG, f"status {cert.get('Status')}", "finish its validation, or use another")
    return Check("certificate", OK, f"issued in us-east-1, covers {domain}")


def cognito_domain(client, prefix: str, pool_name: str) -> Check:
    description = client.describe_user_pool_domain(Domain=prefix).get("DomainDescription") or {}
    pool_id = description.get("UserPoolId")
    if not pool_id:
        return Check("cognito domain", OK, f"{prefix} is free")
    try:
        name = client.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Name"]
    except Exception:
        name = None
    if name == pool_name:
        return Check("cognito domain", OK, f"{prefix} belongs to this platform's pool {pool_name}")
    return Check(
        "cognito domain",
        WRONG,
        f"{prefix} is taken (pool {pool_id})",
        "set cognito.domainPrefix, or globalNameSuffix (e.g. the account id)",
    )


def eks_cluster(eks, iam, cluster: str, namespaces: tuple[str, ...]) -> list[Check]:
    try:
        found = eks.describe_cluster(name=cluster)["cluster"]
    except Exception as err:
        if _code(err) == "ResourceNotFoundException":
            return [
                Check(
                    "eks cluster",
                    MISSING,
                    f"{cluster} does not exist in the home region",
                    "fix kubernetes.clusterName, or set uiSync: terraform",
                )
            ]
        raise
    checks = [Check("eks cluster", OK, f"{cluster} ({found.get('status', '?')})")]
    issuer = found.get("identity", {}).get("oidc", {}).get("issuer", "").removeprefix("https://")
    providers = [p["Arn"] for p in iam.list_open_id_connect_providers().get("OpenIDConnectProviderList", [])]
    if issuer and any(arn.endswith("oidc-provider/" + issuer) for arn in providers):
        checks.append(Check("eks oidc provider", OK, issuer))
    else:
        checks.append(
            Check(
                "eks oidc provider",
                MISSING,
                f"no IAM OIDC provider for {issuer or 'the cluster (no issuer)'}",
                f"eksctl utils associate-iam-oidc-provider --cluster {cluster} --approve",
            )
        )
    checks.append(
        Check(
            "eks namespaces",
            MANUAL,
            f"{', '.join(namespaces)}: needs cluster credentials; the instance plan fails if one is missing",
            "kubectl get namespace " + " ".join(namespaces) + "; and an EKS access entry for Terraform's identity "
            "(docs/workflow.md)",
        )
    )
    return checks


def state_backend(s3, dynamodb, bucket: str, lock_table: str | None) -> list[Check]:
    checks = []
    try:
        s3.head_bucket(Bucket=bucket)
        checks.append(Check("state bucket", OK, bucket))
    except Exception as err:
        if _code(err) in ("404", "NoSuchBucket", "NotFound"):
            checks.append(
                Check(
                    "state bucket",
                    MISSING,
                    f"{bucket} does not exist",
                    f"aws s3api create-bucket --bucket {bucket} (versioning and encryption on); see docs/workflow.md",
                )
            )
        elif _code(err) in ("403", "AccessDenied"):
            checks.append(Check("state bucket", WRONG, f"{bucket} exists but is not readable", "grant s3:ListBucket"))
        else:
            raise
    if lock_table:
        try:
            keys = dynamodb.describe_table(TableName=lock_table)["Table"]["KeySchema"]
        except Exception as err:
            if _code(err) != "ResourceNotFoundException":
                raise
            checks.append(
                Check(
                    "lock table",
                    MISSING,
                    f"{lock_table} does not exist",
                    f"create {lock_table} with partition key LockID (string), or drop lockTable (S3-native locking)",
                )
            )
        else:
            if [k["AttributeName"] for k in keys] != ["LockID"]:
                checks.append(Check("lock table", WRONG, f"{lock_table} is not keyed on LockID", "key it on LockID"))
            else:
                checks.append(Check("lock table", OK, lock_table))
    return checks


def role_quota(iam, role_names: tuple[str, ...]) -> Check:
    summary = iam.get_account_summary()["SummaryMap"]
    used, quota = summary.get("Roles", 0), summary.get("RolesQuota", 1000)
    needed = 0
    for name in role_names:
        try:
            iam.get_role(RoleName=name)
        except Exception as err:
            if _code(err) != "NoSuchEntity":
                raise
            needed += 1
    if quota - used < needed:
        return Check(
            "iam role quota",
            WRONG,
            f"{used} of {quota} roles used, {needed} to create",
            "ask for a higher IAM roles quota (Service Quotas) or delete unused roles",
        )
    return Check("iam role quota", OK, f"{used} of {quota} roles used, {needed} to create")


def run_checks(project: Project, client: Callable[[str, str], object]) -> list[Check]:
    """Every check for ``project``; ``client(service, region)`` returns a boto3 client."""
    platform, names = project.platform, platform_names(project.platform)
    home = platform.home_region
    checks = [
        hosted_zone(client("route53", "us-east-1"), platform.hosted_zone_id, platform.domain),
        certificate(client("acm", "us-east-1"), platform.certificate_arn, platform.domain),
        cognito_domain(client("cognito-idp", home), platform.cognito.domain_prefix, names.user_pool),
    ]
    roles = (names.lambda_role,)
    if platform.ui_sync == "kubernetes" and platform.kubernetes.cluster_name:
        roles += (names.uploader_role,)
        namespaces = tuple(sorted({i.namespace for i in project.instances})) or platform.kubernetes.namespaces
        checks += eks_cluster(
            client("eks", home), client("iam", "us-east-1"), platform.kubernetes.cluster_name, namespaces
        )
    backend = platform.backend
    if backend.type == "s3" and backend.bucket:
        region = backend.region or home
        checks += state_backend(client("s3", region), client("dynamodb", region), backend.bucket, backend.lock_table)
    checks.append(role_quota(client("iam", "us-east-1"), roles))
    return checks
