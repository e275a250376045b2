"""``preflight``: each check against fake boto3 clients (every answer and error code it handles, the whole
``Check`` for each), ``run_checks``'s list per platform, then the command against the AWS emulator (moto)."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from generator.project import load_project
from generator.workflow.preflight import (
    Check,
    _code,
    _covers,
    certificate,
    cognito_domain,
    eks_cluster,
    hosted_zone,
    role_quota,
    run_checks,
    state_backend,
)

ROOT = Path(__file__).resolve().parent.parent

ARN = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
ISSUER = "oidc.eks.us-east-2.amazonaws.com/id/ABC123"
OIDC_ARN = "arn:aws:iam::123456789012:oidc-provider/" + ISSUER
NS_FIX = "kubectl get namespace kro-serverless-stack team-a; and an EKS access entry for Terraform's identity " + (
    "(docs/workflow.md)"
)


class FakeClient:
    """A boto3-like client: each method answers from ``answers`` (a response, an exception to raise, or a
    function of the call's keyword arguments giving either), and every call is recorded in ``calls``."""

    def __init__(self, **answers) -> None:
        self.answers = answers
        self.calls: list[tuple[str, dict]] = []

    def __getattr__(self, method: str):
        if method.startswith("_") or method not in self.answers:
            raise AttributeError(method)

        def call(**kwargs):
            self.calls.append((method, kwargs))
            answer = self.answers[method]
            answer = answer(**kwargs) if callable(answer) else answer
            if isinstance(answer, Exception):
                raise answer
            return answer

        return call


def error(code: str, operation: str = "Operation") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "from the fake"}}, operation)


# --- _code and _covers


def test_code_reads_the_error_code_of_a_client_error():
    assert _code(error("NoSuchBucket")) == "NoSuchBucket"


@pytest.mark.parametrize(
    "err",
    [RuntimeError("no response"), ClientError({}, "HeadBucket"), ClientError({"Error": {}}, "HeadBucket")],
    ids=["no-response", "no-error", "no-code"],
)
def test_code_is_empty_without_an_error_code(err):
    assert _code(err) == ""


@pytest.mark.parametrize(
    "name, domain, covered",
    [
        ("apps.example.com", "apps.example.com", True),
        ("*.example.com", "apps.example.com", True),
        ("*.example.com", "a.apps.example.com", False),  # a wildcard covers one label only
        ("*.example.com", "example.com", False),
        ("*.example.com", "a.bexample.com", False),  # same depth, but not under example.com
        ("*.example.org", "apps.example.com", False),
        ("x.example.com", "apps.example.com", False),  # same depth and suffix, but no wildcard
        ("example.com", "apps.example.com", False),
        ("*.apps.example.com", "apps.example.com", False),
    ],
)
def test_covers_the_name_itself_or_one_label_under_a_wildcard(name, domain, covered):
    assert _covers(name, domain) is covered


# --- hosted_zone


def zone_client(answer) -> FakeClient:
    return FakeClient(get_hosted_zone=answer)


@pytest.mark.parametrize("code", ["NoSuchHostedZone", "InvalidInput"])
def test_hosted_zone_missing(code):
    client = zone_client(error(code, "GetHostedZone"))
    assert hosted_zone(client, "Z1", "apps.example.com") == Check(
        "hosted zone",
        "missing",
        "Z1 does not exist in this account",
        "create a public hosted zone for apps.example.com (or its parent) and set hostedZoneId",
    )
    assert client.calls == [("get_hosted_zone", {"Id": "Z1"})]


@pytest.mark.parametrize(
    "err", [error("AccessDenied", "GetHostedZone"), RuntimeError("network")], ids=["access-denied", "other"]
)
def test_hosted_zone_other_errors_propagate(err):
    with pytest.raises(type(err)) as raised:
        hosted_zone(zone_client(err), "Z1", "apps.example.com")
    assert raised.value is err


@pytest.mark.parametrize(
    "zone, domain, detail",
    [
        ({"Name": "example.com."}, "apps.example.com", "Z1 is example.com"),
        ({"Name": "apps.example.com.", "Config": {"PrivateZone": False}}, "apps.example.com", "Z1 is apps.example.com"),
        ({"Name": "example.com", "Config": {}}, "a.b.example.com", "Z1 is example.com"),
        ({"Name": "EXAMPLE.COMX."}, "apps.EXAMPLE.COMX", "Z1 is EXAMPLE.COMX"),  # only the root's dot is dropped
    ],
)
def test_hosted_zone_holding_the_domain_is_ok(zone, domain, detail):
    assert hosted_zone(zone_client({"HostedZone": zone}), "Z1", domain) == Check("hosted zone", "ok", detail)


@pytest.mark.parametrize(
    "name, domain",
    [("example.org.", "apps.example.com"), ("example.com.", "appsexample.com"), ("apps.example.com.", "example.com")],
)
def test_hosted_zone_of_another_name_is_wrong(name, domain):
    client = zone_client({"HostedZone": {"Name": name, "Config": {"PrivateZone": True}}})
    zone = name.rstrip(".")
    assert hosted_zone(client, "Z1", domain) == Check(
        "hosted zone",
        "wrong",
        f"Z1 is {zone}, which does not hold {domain}",
        f"set hostedZoneId to the zone of {domain}",
    )


def test_private_hosted_zone_is_wrong():
    client = zone_client({"HostedZone": {"Name": "example.com.", "Config": {"PrivateZone": True}}})
    assert hosted_zone(client, "Z1", "apps.example.com") == Check(
        "hosted zone", "wrong", "Z1 (example.com) is private", "use the public zone of the domain"
    )


# --- certificate


@pytest.mark.parametrize("arn", [None, ""])
def test_no_certificate_is_ok_and_asks_nothing(arn):
    client = FakeClient()
    assert certificate(client, arn, "apps.example.com") == Check(
        "certificate", "ok", "none given: a DNS-validated certificate is requested in us-east-1"
    )
    assert client.calls == []


@pytest.mark.parametrize(
    "arn, where",
    [
        ("arn:aws:acm:eu-west-1:123456789012:certificate/0000", "eu-west-1"),
        ("not-an-arn", "an unknown region"),
        ("arn:aws:acm:us-east-1:certificate/0000", "an unknown region"),  # four colons: no account field
    ],
)
def test_certificate_outside_us_east_1_is_wrong_without_asking(arn, where):
    client = FakeClient()
    assert certificate(client, arn, "apps.example.com") == Check(
        "certificate",
        "wrong",
        f"{arn} is in {where}; CloudFront only uses certificates in us-east-1",
        "request or import the certificate in us-east-1, or remove certificateArn",
    )
    assert client.calls == []


@pytest.mark.parametrize("code", ["ResourceNotFoundException", "ValidationException"])
def test_certificate_missing(code):
    client = FakeClient(describe_certificate=error(code, "DescribeCertificate"))
    assert certificate(client, ARN, "apps.example.com") == Check(
        "certificate", "missing", f"{ARN} does not exist", "fix certificateArn, or remove it"
    )
    assert client.calls == [("describe_certificate", {"CertificateArn": ARN})]


@pytest.mark.parametrize(
    "err", [error("AccessDeniedException", "DescribeCertificate"), RuntimeError("network")], ids=["denied", "other"]
)
def test_certificate_other_errors_propagate(err):
    with pytest.raises(type(err)) as raised:
        certificate(FakeClient(describe_certificate=err), ARN, "apps.example.com")
    assert raised.value is err


@pytest.mark.parametrize(
    "cert",
    [
        {"DomainName": "apps.example.com", "Status": "ISSUED"},
        {"DomainName": "*.example.com", "Status": "ISSUED"},
        {"DomainName": "example.com", "SubjectAlternativeNames": ["*.example.com"], "Status": "ISSUED"},
        {"SubjectAlternativeNames": ["apps.example.com"], "Status": "ISSUED"},
    ],
    ids=["exact", "wildcard", "alternative-name", "no-domain-name"],
)
def test_issued_certificate_covering_the_domain_is_ok(cert):
    client = FakeClient(describe_certificate={"Certificate": cert})
    assert certificate(client, ARN, "apps.example.com") == Check(
        "certificate", "ok", "issued in us-east-1, covers apps.example.com"
    )


@pytest.mark.parametrize(
    "cert, covers",
    [
        (
            {"DomainName": "example.org", "SubjectAlternativeNames": ["www.example.org", "example.org"]},
            "example.org, www.example.org",
        ),
        ({"DomainName": "*.apps.example.com", "Status": "ISSUED"}, "*.apps.example.com"),
        ({"SubjectAlternativeNames": ["example.org"], "Status": "ISSUED"}, ", example.org"),  # no DomainName: ""
    ],
)
def test_certificate_not_covering_the_domain_is_wrong_whatever_its_status(cert, covers):
    client = FakeClient(describe_certificate={"Certificate": cert})
    assert certificate(client, ARN, "apps.example.com") == Check(
        "certificate", "wrong", f"covers {covers}, not apps.example.com", "use one that covers it"
    )


@pytest.mark.parametrize("status, shown", [("PENDING_VALIDATION", "PENDING_VALIDATION"), (None, "None")])
def test_certificate_not_issued_is_wrong(status, shown):
    cert = {"DomainName": "apps.example.com"} | ({"Status": status} if status else {})
    client = FakeClient(describe_certificate={"Certificate": cert})
    assert certificate(client, ARN, "apps.example.com") == Check(
        "certificate", "wrong", f"status {shown}", "finish its validation, or use another"
    )


# --- cognito_domain


@pytest.mark.parametrize("answer", [{}, {"DomainDescription": {}}, {"DomainDescription": None}])
def test_free_cognito_domain_is_ok(answer):
    client = FakeClient(describe_user_pool_domain=answer)
    assert cognito_domain(client, "acme-apps-auth", "acme-apps-users") == Check(
        "cognito domain", "ok", "acme-apps-auth is free"
    )
    assert client.calls == [("describe_user_pool_domain", {"Domain": "acme-apps-auth"})]


def test_cognito_domain_of_this_platforms_pool_is_ok():
    client = FakeClient(
        describe_user_pool_domain={"DomainDescription": {"UserPoolId": "us-east-2_abc", "Domain": "acme-apps-auth"}},
        describe_user_pool={"UserPool": {"Id": "us-east-2_abc", "Name": "acme-apps-users"}},
    )
    assert cognito_domain(client, "acme-apps-auth", "acme-apps-users") == Check(
        "cognito domain", "ok", "acme-apps-auth belongs to this platform's pool acme-apps-users"
    )
    assert client.calls == [
        ("describe_user_pool_domain", {"Domain": "acme-apps-auth"}),
        ("describe_user_pool", {"UserPoolId": "us-east-2_abc"}),
    ]


@pytest.mark.parametrize(
    "pool, pool_name",
    [
        ({"UserPool": {"Name": "someone-elses-users"}}, "acme-apps-users"),
        (error("ResourceNotFoundException", "DescribeUserPool"), "acme-apps-users"),  # in another account
        (RuntimeError("unreadable"), ""),  # an unreadable pool is nobody's, even a pool name ""
    ],
    ids=["other-pool", "not-readable", "not-readable-empty-name"],
)
def test_cognito_domain_of_another_pool_is_wrong(pool, pool_name):
    client = FakeClient(
        describe_user_pool_domain={"DomainDescription": {"UserPoolId": "us-east-2_xyz"}}, describe_user_pool=pool
    )
    assert cognito_domain(client, "acme-apps-auth", pool_name) == Check(
        "cognito domain",
        "wrong",
        "acme-apps-auth is taken (pool us-east-2_xyz)",
        "set cognito.domainPrefix, or globalNameSuffix (e.g. the account id)",
    )


# --- eks_cluster


def cluster(**fields) -> dict:
    return {"cluster": {"name": "platform-eks", **fields}}


def providers(*arns: str) -> dict:
    return {"OpenIDConnectProviderList": [{"Arn": arn} for arn in arns]}


def namespaces_check() -> Check:
    return Check(
        "eks namespaces",
        "manual",
        "kro-serverless-stack, team-a: needs cluster credentials; the instance plan fails if one is missing",
        NS_FIX,
    )


def test_eks_cluster_missing_is_the_only_check():
    eks = FakeClient(describe_cluster=error("ResourceNotFoundException", "DescribeCluster"))
    iam = FakeClient()
    assert eks_cluster(eks, iam, "platform-eks", ("kro-serverless-stack",)) == [
        Check(
            "eks cluster",
            "missing",
            "platform-eks does not exist in the home region",
            "fix kubernetes.clusterName, or set uiSync: terraform",
        )
    ]
    assert eks.calls == [("describe_cluster", {"name": "platform-eks"})]
    assert iam.calls == []


@pytest.mark.parametrize(
    "err", [error("AccessDeniedException", "DescribeCluster"), RuntimeError("network")], ids=["denied", "other"]
)
def test_eks_cluster_other_errors_propagate(err):
    with pytest.raises(type(err)) as raised:
        eks_cluster(FakeClient(describe_cluster=err), FakeClient(), "platform-eks", ("kro-serverless-stack",))
    assert raised.value is err


def test_eks_cluster_with_its_oidc_provider_is_ok():
    eks = FakeClient(describe_cluster=cluster(status="ACTIVE", identity={"oidc": {"issuer": "https://" + ISSUER}}))
    iam = FakeClient(
        list_open_id_connect_providers=providers("arn:aws:iam::123456789012:oidc-provider/other.example", OIDC_ARN)
    )
    assert eks_cluster(eks, iam, "platform-eks", ("kro-serverless-stack", "team-a")) == [
        Check("eks cluster", "ok", "platform-eks (ACTIVE)"),
        Check("eks oidc provider", "ok", ISSUER),
        namespaces_check(),
    ]
    assert iam.calls == [("list_open_id_connect_providers", {})]


@pytest.mark.parametrize(
    "answer",
    [providers("arn:aws:iam::123456789012:oidc-provider/other.example"), providers(), {}],
    ids=["another-provider", "no-provider", "no-list"],
)
def test_eks_cluster_without_its_oidc_provider_misses_it(answer):
    eks = FakeClient(describe_cluster=cluster(identity={"oidc": {"issuer": "https://" + ISSUER}}))
    assert eks_cluster(
        eks, FakeClient(list_open_id_connect_providers=answer), "platform-eks", ("kro-serverless-stack", "team-a")
    ) == [
        Check("eks cluster", "ok", "platform-eks (?)"),
        Check(
            "eks oidc provider",
            "missing",
            f"no IAM OIDC provider for {ISSUER}",
            "eksctl utils associate-iam-oidc-provider --cluster platform-eks --approve",
        ),
        namespaces_check(),
    ]


@pytest.mark.parametrize(
    "found", [{}, {"identity": {}}, {"identity": {"oidc": {}}}, {"identity": {"oidc": {"issuer": ""}}}]
)
def test_eks_cluster_without_an_issuer_misses_the_oidc_provider(found):
    eks = FakeClient(describe_cluster=cluster(status="CREATING", **found))
    # A provider whose ARN ends in "oidc-provider/" would match an empty issuer: it must not.
    iam = FakeClient(list_open_id_connect_providers=providers("arn:aws:iam::123456789012:oidc-provider/"))
    assert eks_cluster(eks, iam, "platform-eks", ("kro-serverless-stack", "team-a")) == [
        Check("eks cluster", "ok", "platform-eks (CREATING)"),
        Check(
            "eks oidc provider",
            "missing",
            "no IAM OIDC provider for the cluster (no issuer)",
            "eksctl utils associate-iam-oidc-provider --cluster platform-eks --approve",
        ),
        namespaces_check(),
    ]


def test_eks_oidc_provider_must_end_with_the_issuer():
    eks = FakeClient(describe_cluster=cluster(status="ACTIVE", identity={"oidc": {"issuer": "https://" + ISSUER}}))
    iam = FakeClient(
        list_open_id_connect_providers=providers(OIDC_ARN + "-old", "arn:aws:iam::1:oidc-provider/x" + ISSUER)
    )
    # Neither a longer issuer nor one glued to another path segment is the cluster's provider.
    assert eks_cluster(eks, iam, "platform-eks", ("kro-serverless-stack",))[1] == Check(
        "eks oidc provider",
        "missing",
        f"no IAM OIDC provider for {ISSUER}",
        "eksctl utils associate-iam-oidc-provider --cluster platform-eks --approve",
    )


# --- state_backend


LOCK_KEY = {"Table": {"KeySchema": [{"AttributeName": "LockID", "KeyType": "HASH"}]}}


def test_state_bucket_and_lock_table_that_exist_are_ok():
    s3, dynamodb = FakeClient(head_bucket={}), FakeClient(describe_table=LOCK_KEY)
    assert state_backend(s3, dynamodb, "acme-tf-state", "acme-tf-locks") == [
        Check("state bucket", "ok", "acme-tf-state"),
        Check("lock table", "ok", "acme-tf-locks"),
    ]
    assert s3.calls == [("head_bucket", {"Bucket": "acme-tf-state"})]
    assert dynamodb.calls == [("describe_table", {"TableName": "acme-tf-locks"})]


@pytest.mark.parametrize("lock_table", [None, ""])
def test_state_backend_without_a_lock_table_checks_only_the_bucket(lock_table):
    dynamodb = FakeClient()
    assert state_backend(FakeClient(head_bucket={}), dynamodb, "acme-tf-state", lock_table) == [
        Check("state bucket", "ok", "acme-tf-state")
    ]
    assert dynamodb.calls == []


@pytest.mark.parametrize("code", ["404", "NoSuchBucket", "NotFound"])
def test_state_bucket_missing(code):
    s3 = FakeClient(head_bucket=error(code, "HeadBucket"))
    assert state_backend(s3, FakeClient(), "acme-tf-state", None) == [
        Check(
            "state bucket",
            "missing",
            "acme-tf-state does not exist",
            "aws s3api create-bucket --bucket acme-tf-state (versioning and encryption on); see docs/workflow.md",
        )
    ]


@pytest.mark.parametrize("code", ["403", "AccessDenied"])
def test_state_bucket_not_readable_is_wrong_and_the_lock_table_still_checked(code):
    s3 = FakeClient(head_bucket=error(code, "HeadBucket"))
    assert state_backend(s3, FakeClient(describe_table=LOCK_KEY), "acme-tf-state", "acme-tf-locks") == [
        Check("state bucket", "wrong", "acme-tf-state exists but is not readable", "grant s3:ListBucket"),
        Check("lock table", "ok", "acme-tf-locks"),
    ]


@pytest.mark.parametrize("err", [error("400", "HeadBucket"), RuntimeError("network")], ids=["other-code", "other"])
def test_state_bucket_other_errors_propagate(err):
    with pytest.raises(type(err)) as raised:
        state_backend(FakeClient(head_bucket=err), FakeClient(), "acme-tf-state", "acme-tf-locks")
    assert raised.value is err


def test_lock_table_missing():
    dynamodb = FakeClient(describe_table=error("ResourceNotFoundException", "DescribeTable"))
    assert state_backend(FakeClient(head_bucket={}), dynamodb, "acme-tf-state", "acme-tf-locks") == [
        Check("state bucket", "ok", "acme-tf-state"),
        Check(
            "lock table",
            "missing",
            "acme-tf-locks does not exist",
            "create acme-tf-locks with partition key LockID (string), or drop lockTable (S3-native locking)",
        ),
    ]


@pytest.mark.parametrize(
    "err", [error("AccessDeniedException", "DescribeTable"), RuntimeError("network")], ids=["denied", "other"]
)
def test_lock_table_other_errors_propagate(err):
    with pytest.raises(type(err)) as raised:
        state_backend(FakeClient(head_bucket={}), FakeClient(describe_table=err), "acme-tf-state", "acme-tf-locks")
    assert raised.value is err


@pytest.mark.parametrize(
    "keys",
    [
        [{"AttributeName": "id", "KeyType": "HASH"}],
        [{"AttributeName": "LockID", "KeyType": "HASH"}, {"AttributeName": "Digest", "KeyType": "RANGE"}],
    ],
    ids=["other-key", "extra-sort-key"],
)
def test_lock_table_not_keyed_on_lock_id_alone_is_wrong(keys):
    dynamodb = FakeClient(describe_table={"Table": {"KeySchema": keys}})
    assert state_backend(FakeClient(head_bucket={}), dynamodb, "acme-tf-state", "acme-tf-locks") == [
        Check("state bucket", "ok", "acme-tf-state"),
        Check("lock table", "wrong", "acme-tf-locks is not keyed on LockID", "key it on LockID"),
    ]


# --- role_quota


def iam_client(summary: dict, existing: tuple[str, ...] = (), other_error: Exception | None = None) -> FakeClient:
    def get_role(RoleName):  # boto3's parameter name
        if other_error is not None:
            return other_error
        if RoleName in existing:
            return {"Role": {"RoleName": RoleName}}
        return error("NoSuchEntity", "GetRole")

    return FakeClient(get_account_summary={"SummaryMap": summary}, get_role=get_role)


def test_role_quota_counts_the_roles_still_to_create():
    iam = iam_client({"Roles": 10, "RolesQuota": 20}, existing=("b-role",))
    assert role_quota(iam, ("a-role", "b-role", "c-role")) == Check(
        "iam role quota", "ok", "10 of 20 roles used, 2 to create"
    )
    assert iam.calls == [
        ("get_account_summary", {}),
        ("get_role", {"RoleName": "a-role"}),
        ("get_role", {"RoleName": "b-role"}),
        ("get_role", {"RoleName": "c-role"}),
    ]


def test_role_quota_with_exactly_enough_room_is_ok():
    assert role_quota(iam_client({"Roles": 18, "RolesQuota": 20}), ("a-role", "b-role")) == Check(
        "iam role quota", "ok", "18 of 20 roles used, 2 to create"
    )


def test_role_quota_without_room_is_wrong():
    assert role_quota(iam_client({"Roles": 19, "RolesQuota": 20}), ("a-role", "b-role")) == Check(
        "iam role quota",
        "wrong",
        "19 of 20 roles used, 2 to create",
        "ask for a higher IAM roles quota (Service Quotas) or delete unused roles",
    )


def test_role_quota_defaults_to_none_used_of_a_thousand():
    assert role_quota(iam_client({}), ("a-role",)) == Check("iam role quota", "ok", "0 of 1000 roles used, 1 to create")


def test_role_quota_with_all_roles_existing_needs_none():
    iam = iam_client({"Roles": 1000, "RolesQuota": 1000}, existing=("a-role",))
    assert role_quota(iam, ("a-role",)) == Check("iam role quota", "ok", "1000 of 1000 roles used, 0 to create")


@pytest.mark.parametrize("err", [error("AccessDenied", "GetRole"), RuntimeError("network")], ids=["denied", "other"])
def test_role_quota_other_errors_propagate(err):
    with pytest.raises(type(err)) as raised:
        role_quota(iam_client({"Roles": 1, "RolesQuota": 20}, other_error=err), ("a-role",))
    assert raised.value is err


# --- run_checks

RUN_PLATFORM = """name: acme-apps
domain: apps.example.com
hostedZoneId: Z0123456789EXAMPLE
homeRegion: us-east-2
regions: [us-east-2, us-west-2]
{extra}"""

RUN_INSTANCE = """apiVersion: kro.run/v1alpha1
kind: SmartInventoryHubV5
metadata:
  name: {name}
  namespace: {namespace}
spec:
  teamName: team-backend
  developerName: {developer}
  appName: inventory
  environment: dev
"""

K8S = "uiSync: kubernetes\nkubernetes:\n  clusterName: platform-eks\n  namespaces: [kro-serverless-stack, team-a, unused]\n"
S3 = "backend:\n  type: s3\n  bucket: acme-tf-state\n  region: us-west-2\n  lockTable: acme-tf-locks\n"


def run_project(tmp_path: Path, extra: str, instances: dict[str, str] | None = None):
    (tmp_path / "platform.yaml").write_text(RUN_PLATFORM.format(extra=extra))
    (tmp_path / "instances").mkdir()
    defaults = {"amy": "team-a", "bob": "kro-serverless-stack", "cat": "team-a"}
    for developer, namespace in (defaults if instances is None else instances).items():
        text = RUN_INSTANCE.format(name=f"{developer}-inventory-dev", namespace=namespace, developer=developer)
        (tmp_path / "instances" / f"{developer}.yaml").write_text(text)
    return load_project(tmp_path)


class Account:
    """``run_checks``'s client factory: one fake per service, every (service, region) asked recorded."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str]] = []
        self.clients = {
            "route53": FakeClient(get_hosted_zone={"HostedZone": {"Name": "example.com."}}),
            "acm": FakeClient(
                describe_certificate={"Certificate": {"DomainName": "*.example.com", "Status": "ISSUED"}}
            ),
            "cognito-idp": FakeClient(describe_user_pool_domain={}),
            "eks": FakeClient(
                describe_cluster=cluster(status="ACTIVE", identity={"oidc": {"issuer": "https://" + ISSUER}})
            ),
            "iam": FakeClient(
                list_open_id_connect_providers=providers(OIDC_ARN),
                get_account_summary={"SummaryMap": {"Roles": 5, "RolesQuota": 1000}},
                get_role=error("NoSuchEntity", "GetRole"),
            ),
            "s3": FakeClient(head_bucket={}),
            "dynamodb": FakeClient(describe_table=LOCK_KEY),
        }

    def __call__(self, service: str, region: str) -> FakeClient:
        self.asked.append((service, region))
        return self.clients[service]


ZONE_OK = Check("hosted zone", "ok", "Z0123456789EXAMPLE is example.com")
CERT_NONE = Check("certificate", "ok", "none given: a DNS-validated certificate is requested in us-east-1")
COGNITO_FREE = Check("cognito domain", "ok", "acme-apps-auth is free")


def test_run_checks_for_kubernetes_and_an_s3_backend(tmp_path):
    account = Account()
    # The domain prefix is taken by a pool named as this platform's: its own, from an earlier apply.
    account.clients["cognito-idp"] = FakeClient(
        describe_user_pool_domain={"DomainDescription": {"UserPoolId": "us-east-2_abc"}},
        describe_user_pool={"UserPool": {"Name": "acme-apps-users"}},
    )
    checks = run_checks(run_project(tmp_path, K8S + S3), account)
    assert checks == [
        ZONE_OK,
        CERT_NONE,
        Check("cognito domain", "ok", "acme-apps-auth belongs to this platform's pool acme-apps-users"),
        Check("eks cluster", "ok", "platform-eks (ACTIVE)"),
        Check("eks oidc provider", "ok", ISSUER),
        namespaces_check(),  # the instances' namespaces, each once, sorted: not the platform's list
        Check("state bucket", "ok", "acme-tf-state"),
        Check("lock table", "ok", "acme-tf-locks"),
        Check("iam role quota", "ok", "5 of 1000 roles used, 2 to create"),
    ]
    assert account.asked == [
        ("route53", "us-east-1"),
        ("acm", "us-east-1"),
        ("cognito-idp", "us-east-2"),
        ("eks", "us-east-2"),
        ("iam", "us-east-1"),
        ("s3", "us-west-2"),
        ("dynamodb", "us-west-2"),
        ("iam", "us-east-1"),
    ]
    assert account.clients["route53"].calls == [("get_hosted_zone", {"Id": "Z0123456789EXAMPLE"})]
    assert account.clients["cognito-idp"].calls == [
        ("describe_user_pool_domain", {"Domain": "acme-apps-auth"}),
        ("describe_user_pool", {"UserPoolId": "us-east-2_abc"}),
    ]
    assert account.clients["iam"].calls[-2:] == [
        ("get_role", {"RoleName": "acme-apps-lambda-execution"}),
        ("get_role", {"RoleName": "acme-apps-s3-uploader"}),
    ]


def test_run_checks_without_instances_names_the_platforms_namespaces(tmp_path):
    checks = run_checks(run_project(tmp_path, K8S, instances={}), Account())
    assert checks[5] == Check(
        "eks namespaces",
        "manual",
        "kro-serverless-stack, team-a, unused: needs cluster credentials; the instance plan fails if one is missing",
        "kubectl get namespace kro-serverless-stack team-a unused; and an EKS access entry for Terraform's identity "
        "(docs/workflow.md)",
    )


def test_run_checks_s3_backend_without_a_region_uses_the_home_region(tmp_path):
    project = run_project(tmp_path, "uiSync: terraform\n" + S3)
    project = replace(
        project, platform=replace(project.platform, backend=replace(project.platform.backend, region=None))
    )
    account = Account()
    run_checks(project, account)
    assert account.asked[-3:] == [("s3", "us-east-2"), ("dynamodb", "us-east-2"), ("iam", "us-east-1")]


@pytest.mark.parametrize(
    "backend",
    [
        "",
        "backend:\n  type: local\n",
        "backend:\n  type: cloud\n  organization: example-org\n",
    ],
    ids=["default", "local", "cloud"],
)
def test_run_checks_with_terraform_ui_sync_and_no_s3_backend(tmp_path, backend):
    account = Account()
    extra = "uiSync: terraform\nkubernetes:\n  clusterName: platform-eks\n" + backend
    extra += f"certificateArn: {ARN}\n"
    assert run_checks(run_project(tmp_path, extra), account) == [
        ZONE_OK,
        Check("certificate", "ok", "issued in us-east-1, covers apps.example.com"),
        COGNITO_FREE,
        Check("iam role quota", "ok", "5 of 1000 roles used, 1 to create"),
    ]
    assert account.asked == [
        ("route53", "us-east-1"),
        ("acm", "us-east-1"),
        ("cognito-idp", "us-east-2"),
        ("iam", "us-east-1"),
    ]
    assert account.clients["acm"].calls == [("describe_certificate", {"CertificateArn": ARN})]
    assert account.clients["iam"].calls == [
        ("get_account_summary", {}),
        ("get_role", {"RoleName": "acme-apps-lambda-execution"}),
    ]


def test_run_checks_skips_what_has_no_name(tmp_path):
    # The loader requires both names; a model without them (built in code) skips the EKS and backend checks.
    project = run_project(tmp_path, K8S + S3)
    platform = project.platform
    platform = replace(
        platform,
        kubernetes=replace(platform.kubernetes, cluster_name=None),
        backend=replace(platform.backend, bucket=None),
    )
    account = Account()
    assert [c.name for c in run_checks(replace(project, platform=platform), account)] == [
        "hosted zone",
        "certificate",
        "cognito domain",
        "iam role quota",
    ]


def test_run_checks_backend_of_another_type_with_a_bucket_is_not_checked(tmp_path):
    project = run_project(tmp_path, "uiSync: terraform\nbackend:\n  type: local\n")
    platform = replace(project.platform, backend=replace(project.platform.backend, bucket="acme-tf-state"))
    assert [c.name for c in run_checks(replace(project, platform=platform), Account())] == [
        "hosted zone",
        "certificate",
        "cognito domain",
        "iam role quota",
    ]


# --- Check


def test_check_failed_and_as_dict():
    assert Check("x", "missing", "d").failed and Check("x", "wrong", "d").failed
    assert not Check("x", "ok", "d").failed and not Check("x", "manual", "d").failed
    assert Check("x", "wrong", "d", "f").as_dict() == {"name": "x", "status": "wrong", "detail": "d", "fix": "f"}
    assert Check("x", "ok", "d").as_dict() == {"name": "x", "status": "ok", "detail": "d", "fix": ""}


# --- the command against the AWS emulator (moto)

PLATFORM = """name: acme-apps
domain: apps.example.com
hostedZoneId: {zone}
homeRegion: us-east-2
regions: [us-east-2, us-west-2]
uiSync: {ui_sync}
kubernetes:
  clusterName: platform-eks
  namespaces: [kro-serverless-stack]
backend:
  type: s3
  bucket: acme-tf-state
  lockTable: acme-tf-locks
"""


@pytest.fixture
def aws(monkeypatch):
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-2",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    from moto import mock_aws  # here, not at the top: the fake-client tests above do not pay for moto's import

    with mock_aws():
        yield


def project(tmp_path: Path, zone: str, ui_sync: str = "terraform") -> Path:
    (tmp_path / "platform.yaml").write_text(PLATFORM.format(zone=zone, ui_sync=ui_sync))
    shutil.copytree(ROOT / "instances", tmp_path / "instances")
    return tmp_path


def preflight(root: Path, *args: str):
    from click.testing import CliRunner

    from generator.cli.root import cli

    return CliRunner().invoke(cli, ["--root", str(root), "preflight", *args])


def by_name(output: str) -> dict[str, dict]:
    return {c["name"]: c for c in json.loads(output)["checks"]}


def test_finds_missing_hosted_zone_and_state_bucket(aws, tmp_path):
    result = preflight(project(tmp_path, "Z0000000000000000000"), "--json")
    assert result.exit_code == 1
    checks = by_name(result.stdout)  # one JSON document on stdout, also on failure
    assert json.loads(result.stdout)["error"] == "3 check(s) failed: hosted zone, state bucket, lock table"
    assert checks["hosted zone"]["status"] == "missing"
    assert checks["state bucket"]["status"] == "missing"
    assert checks["lock table"]["status"] == "missing"
    assert checks["cognito domain"]["status"] == "ok"
    assert checks["iam role quota"]["status"] == "ok"
    assert result.stderr.splitlines()[-1] == "error: 3 check(s) failed: hosted zone, state bucket, lock table"


def test_hosted_zone_of_the_domain_is_ok_and_another_zone_is_wrong(aws):
    import boto3

    # moto's zone ids do not look like AWS's (Z...), which validation requires: the check is called directly.
    route53 = boto3.client("route53")
    right = route53.create_hosted_zone(Name="example.com", CallerReference="a")["HostedZone"]["Id"].split("/")[-1]
    wrong = route53.create_hosted_zone(Name="example.org", CallerReference="b")["HostedZone"]["Id"].split("/")[-1]
    assert hosted_zone(route53, right, "apps.example.com").status == "ok"
    check = hosted_zone(route53, wrong, "apps.example.com")
    assert check.status == "wrong" and "does not hold apps.example.com" in check.detail


def test_only_the_zone_fails_once_the_state_bucket_and_lock_table_exist(aws, tmp_path):
    import boto3

    boto3.client("s3", region_name="us-east-2").create_bucket(
        Bucket="acme-tf-state", CreateBucketConfiguration={"LocationConstraint": "us-east-2"}
    )
    boto3.client("dynamodb", region_name="us-east-2").create_table(
        TableName="acme-tf-locks",
        KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    result = preflight(project(tmp_path, "Z0000000000000000000"))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].split()[:2] == ["STATUS", "CHECK"]
    statuses = {line.split()[1]: line.split()[0] for line in lines[1:-1] if line.strip()}
    assert statuses["state"] == "ok" and statuses["lock"] == "ok" and statuses["hosted"] == "missing"
    assert lines[-1] == "error: 1 check(s) failed: hosted zone"


def test_kubernetes_mode_checks_cluster_and_oidc_provider(aws, tmp_path):
    result = preflight(project(tmp_path, "Z0000000000000000000", ui_sync="kubernetes"), "--json")
    checks = by_name(result.stdout)  # one JSON document on stdout, also on failure
    assert checks["eks cluster"]["status"] == "missing"
    assert "uiSync: terraform" in checks["eks cluster"]["fix"]
