"""Tenant isolation, evaluated: what each app's identities may do to every other app (docs/security.md).

A project of five instances (two teams, two regions, dev/staging/prod of one app, and an app
whose base name starts with another's) is synthesized with the default ``isolation:
perInstance`` in both UI-sync modes. For every ordered pair A != B, A's roles, evaluated
with moto's IAM policy evaluator together with the platform's permissions boundary
(tests/iam_eval.py), are denied every data action on B's table and its indexes, every
write under B's prefix and under ``auth/``, and allowed on their own.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from helpers import copy_project, load_stack, synth_project
from iam_eval import ACCOUNT, Resolver, decide, effective

REPO = Path(__file__).resolve().parent.parent
UI_BUCKET = "arn:aws:s3:::acme-apps-ui"
NAMESPACE = "kro-serverless-stack"
ISSUER = "oidc.eks.us-east-2.amazonaws.com/id/EXAMPLE"

#: instance name -> (region, base name); the first three are the repository's examples.
INSTANCES = {
    "john-inventory-dev": ("us-east-2", "john-inventory-dev"),
    "team-backend-inventory-prod": ("us-east-2", "team-backend-inventory-prod"),
    "team-backend-inventory-staging": ("us-west-2", "team-backend-inventory-staging"),
    "team-frontend-catalog-prod": ("us-west-2", "team-frontend-catalog-prod"),
    # Its base name starts with team-backend-inventory-prod's: prefixes and role paths must still not overlap.
    "team-backend-inventory-prod-eu-prod": ("us-east-2", "team-backend-inventory-prod-eu-prod"),
}
EXTRA = {
    "team-frontend-catalog-prod": ("team-frontend", "catalog", "prod", "ana", "us-west-2"),
    "team-backend-inventory-prod-eu-prod": ("team-backend", "inventory-prod-eu", "prod", "maria", "us-east-2"),
}

#: Every DynamoDB action that reads or writes items or describes a table.
DATA_ACTIONS = (
    "dynamodb:BatchGetItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DeleteItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:PartiQLDelete",
    "dynamodb:PartiQLInsert",
    "dynamodb:PartiQLSelect",
    "dynamodb:PartiQLUpdate",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteTable",
    "dynamodb:UpdateTable",
    "dynamodb:ExportTableToPointInTime",
    "dynamodb:RestoreTableFromBackup",
    "dynamodb:CreateBackup",
)
#: What lambda_code/app.py calls on its table (read from the handler by test_the_granted_actions_are_the_handlers).
HANDLER_ACTIONS = (
    "dynamodb:DeleteItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Scan",
    "dynamodb:UpdateItem",
)
S3_WRITES = (
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:PutObjectAcl",
    "s3:PutObjectTagging",
    "s3:RestoreObject",
)
PAIRS = [(a, b) for a, b in itertools.permutations(INSTANCES, 2)]


def _table(name: str) -> str:
    region, base = INSTANCES[name]
    return f"arn:aws:dynamodb:{region}:{ACCOUNT}:table/{base}"


def _log_group(name: str) -> str:
    region, base = INSTANCES[name]
    return f"arn:aws:logs:{region}:{ACCOUNT}:log-group:/aws/lambda/{base}:log-stream:2024/01/01/abc"


def _object(name: str, key: str = "index.html") -> str:
    return f"{UI_BUCKET}/{INSTANCES[name][1]}/{key}"


def _project(tmp_path_factory, mode: str) -> Path:
    overrides = {} if mode == "kubernetes" else {"uiSync: kubernetes": "uiSync: terraform"}
    root = copy_project(tmp_path_factory.mktemp(f"isolation-{mode}"), overrides)
    for name, (team, app, env, developer, region) in EXTRA.items():
        (root / "instances" / f"{name}.yaml").write_text(
            "apiVersion: kro.run/v1alpha1\nkind: SmartInventoryHubV5\n"
            f"metadata:\n  name: {name}\n  namespace: {NAMESPACE}\n"
            f"spec:\n  teamName: {team}\n  appName: {app}\n  environment: {env}\n"
            f"  developerName: {developer}\n  region: {region}\n"
        )
    return synth_project(root)


@pytest.fixture(scope="module")
def k8s(tmp_path_factory) -> Path:
    return _project(tmp_path_factory, "kubernetes")


@pytest.fixture(scope="module")
def tfsync(tmp_path_factory) -> Path:
    return _project(tmp_path_factory, "terraform")


class Roles:
    """The resolved documents of every app role of one synthesized project."""

    def __init__(self, out: Path, uploaders: bool):
        self.boundary = Resolver(out, "platform", ISSUER).document("app-boundary/document")
        self.function, self.uploader, self.trust = {}, {}, {}
        for name in INSTANCES:
            resolver = Resolver(out, name, ISSUER)
            self.function[name] = resolver.document("execution-role/permissions")
            if uploaders:
                self.uploader[name] = resolver.document("ui-uploader-role/permissions")
                self.trust[name] = resolver.document("ui-uploader-role/trust")

    def identities(self, name: str) -> dict[str, dict]:
        found = {"function": self.function[name]}
        if name in self.uploader:
            found["uploader"] = self.uploader[name]
        return found

    def may(self, policy: dict, action: str, resource: str, context=None) -> bool:
        return effective(policy, self.boundary, action, resource, context)


@pytest.fixture(scope="module", params=["kubernetes", "terraform"])
def roles(request, k8s, tfsync) -> Roles:
    if request.param == "kubernetes":
        return Roles(k8s, uploaders=True)
    return Roles(tfsync, uploaders=False)


@pytest.mark.parametrize("a, b", PAIRS)
def test_no_app_reaches_another_apps_table(roles, a, b):
    for kind, policy in roles.identities(a).items():
        for action in DATA_ACTIONS:
            for resource in (_table(b), _table(b) + "/index/by-sku", _table(b) + "/stream/2024"):
                assert not roles.may(policy, action, resource), f"{a} {kind} may {action} on {resource}"


@pytest.mark.parametrize("a, b", PAIRS)
def test_no_app_writes_another_apps_prefix_or_logs(roles, a, b):
    for kind, policy in roles.identities(a).items():
        for action in S3_WRITES:
            for key in ("index.html", "config.json", "deep/app.js"):
                assert not roles.may(policy, action, _object(b, key)), f"{a} {kind} may {action} {b}/{key}"
        assert not roles.may(policy, "s3:ListBucket", UI_BUCKET, {"s3:prefix": INSTANCES[b][1] + "/"}), (a, kind)
        for action in ("logs:CreateLogStream", "logs:PutLogEvents"):
            assert not roles.may(policy, action, _log_group(b)), f"{a} {kind} may {action} on {b}'s log group"


@pytest.mark.parametrize("a", INSTANCES)
def test_no_app_writes_the_shared_sign_in_pages(roles, a):
    for kind, policy in roles.identities(a).items():
        for action in S3_WRITES:
            for key in ("auth/callback/callback.js", "auth/callback/index.html", "auth/logout/logout.js", "auth/x"):
                assert not roles.may(policy, action, f"{UI_BUCKET}/{key}"), f"{a} {kind} may {action} {key}"
    # The boundary alone denies it, whatever a role's own policy says.
    assert decide(roles.boundary, "s3:PutObject", f"{UI_BUCKET}/auth/callback/callback.js") == "explicitly denied"


@pytest.mark.parametrize("a", INSTANCES)
def test_each_app_function_reaches_its_own_table_and_logs_only(roles, a):
    policy = roles.function[a]
    for action in HANDLER_ACTIONS:
        assert roles.may(policy, action, _table(a)), action
        assert roles.may(policy, action, _table(a) + "/index/by-sku"), action
    for action in set(DATA_ACTIONS) - set(HANDLER_ACTIONS):
        assert not roles.may(policy, action, _table(a)), action
    assert roles.may(policy, "logs:PutLogEvents", _log_group(a))
    assert roles.may(policy, "xray:PutTraceSegments", "*")
    for action in S3_WRITES + ("s3:GetObject",):
        assert not roles.may(policy, action, _object(a)), f"the function never touches the UI bucket: {action}"
    # An unrelated table of the account (a lock table, a payroll table) and a same-named table elsewhere.
    region = INSTANCES[a][0]
    assert not roles.may(policy, "dynamodb:GetItem", f"arn:aws:dynamodb:{region}:{ACCOUNT}:table/terraform-locks")
    other_region = "us-west-2" if region == "us-east-2" else "us-east-2"
    assert not roles.may(policy, "dynamodb:GetItem", _table(a).replace(region, other_region))


@pytest.mark.parametrize("a", INSTANCES)
def test_each_uploader_writes_its_own_prefix_and_reads_the_template(k8s, a):
    roles = _cached(k8s)
    policy, base = roles.uploader[a], INSTANCES[a][1]
    for action in ("s3:PutObject", "s3:DeleteObject", "s3:GetObject"):
        assert roles.may(policy, action, _object(a, "index.html")), action
    assert roles.may(policy, "s3:ListBucket", UI_BUCKET, {"s3:prefix": base + "/"})
    assert not roles.may(policy, "s3:ListBucket", UI_BUCKET, {"s3:prefix": ""})
    assert not roles.may(policy, "s3:ListBucket", UI_BUCKET, {"s3:prefix": "auth/"})
    template = load_stack(k8s, "platform")["output"]["ui_template_prefix"]["value"]
    assert re.fullmatch(r"ui/inventory-[0-9a-f]{12}/", template)
    assets = "arn:aws:s3:::acme-apps-assets-us-east-2"
    assert roles.may(policy, "s3:GetObject", f"{assets}/{template}index.html")
    assert roles.may(policy, "s3:ListBucket", assets, {"s3:prefix": template})
    assert not roles.may(policy, "s3:GetObject", f"{assets}/functions/inventory-0000.zip")
    assert not roles.may(policy, "s3:ListBucket", assets, {"s3:prefix": "functions/"})
    assert not roles.may(policy, "s3:PutObject", f"{assets}/{template}index.html")


_ROLES: dict[Path, Roles] = {}


def _cached(out: Path) -> Roles:
    if out not in _ROLES:
        _ROLES[out] = Roles(out, uploaders=True)
    return _ROLES[out]


@pytest.mark.parametrize("a, b", PAIRS)
def test_each_uploader_is_trusted_by_its_own_service_account_only(k8s, a, b):
    trust = _cached(k8s).trust[a]
    (statement,) = trust["Statement"]  # the principal: this cluster's OIDC provider (decide reads no principal)
    assert statement["Principal"] == {"Federated": [f"arn:aws:iam::{ACCOUNT}:oidc-provider/{ISSUER}"]}

    def assume(service_account: str, audience: str = "sts.amazonaws.com") -> str:
        context = {
            f"{ISSUER}:sub": f"system:serviceaccount:{NAMESPACE}:{service_account}",
            f"{ISSUER}:aud": audience,
        }
        return decide(trust, "sts:AssumeRoleWithWebIdentity", "*", context)

    assert assume(f"{INSTANCES[a][1]}-ui-sync") == "allowed"
    assert assume(f"{INSTANCES[b][1]}-ui-sync") == "implicitly denied"
    assert assume(f"{INSTANCES[a][1]}-ui-sync", audience="other") == "implicitly denied"
    assert assume("default") == "implicitly denied"


def test_roles_live_under_their_own_path_with_the_boundary(k8s):
    boundary = load_stack(k8s, "platform")["output"]["app_permissions_boundary_arn"]["value"]
    assert boundary.startswith("${aws_iam_policy.app-boundary_policy_")
    paths = {}
    for name, (_, base) in INSTANCES.items():
        roles = load_stack(k8s, name)["resource"]["aws_iam_role"]
        assert {r["name"] for r in roles.values()} == {f"{base}-function", f"{base}-ui-sync"}
        for role in roles.values():
            assert role["path"] == f"/acme-apps/{base}/"
            assert role["permissions_boundary"] == (
                "${data.terraform_remote_state.platform.outputs.app_permissions_boundary_arn}"
            )
        paths[name] = f"/acme-apps/{base}/"
    for a, b in PAIRS:
        assert not paths[a].startswith(paths[b]), (a, b)  # a role-path scope never covers another app


def test_the_platform_creates_no_shared_role_by_default(k8s, tfsync):
    for out in (k8s, tfsync):
        platform = load_stack(out, "platform")
        assert "aws_iam_role" not in platform.get("resource", {})
        assert platform["output"]["lambda_execution_role_arn"]["value"] == ""
        assert platform["output"]["ui_uploader_role_arn"]["value"] == ""


def test_the_granted_actions_are_the_handlers():
    """HANDLER_ACTIONS above is what lambda_code/app.py calls on its table, no more, no less."""
    source = (REPO / "lambda_code" / "app.py").read_text()
    calls = set(re.findall(r"_table\(\)\.(\w+)\(", source))
    assert calls == {"scan", "get_item", "put_item", "update_item", "delete_item"}
    from modules.app_permissions import TABLE_ITEM_ACTIONS

    assert TABLE_ITEM_ACTIONS == HANDLER_ACTIONS


def test_shared_isolation_is_every_app_reaches_every_app_but_never_auth(tmp_path_factory):
    """isolation: shared keeps the seed's two roles: documented (README) as every app reaching every app."""
    root = copy_project(tmp_path_factory.mktemp("shared"), {"isolation: perInstance": "isolation: shared"})
    out = synth_project(root)
    platform = Resolver(out, "platform", ISSUER)
    boundary = platform.document("app-boundary/document")
    function = platform.document("lambda-execution-role/permissions")
    uploader = platform.document("ui-uploader-role/permissions")
    for name in ("john-inventory-dev", "team-backend-inventory-prod", "team-backend-inventory-staging"):
        assert effective(function, boundary, "dynamodb:PutItem", _table(name))
        assert effective(uploader, boundary, "s3:PutObject", _object(name))
    assert not effective(function, boundary, "dynamodb:Query", _table("john-inventory-dev"))  # trimmed to the handler
    assert not effective(uploader, boundary, "s3:PutObject", f"{UI_BUCKET}/auth/callback/callback.js")
    instance = load_stack(out, "john-inventory-dev")
    assert "aws_iam_role" not in instance.get("resource", {})
    (function_resource,) = instance["resource"]["aws_lambda_function"].values()
    assert function_resource["role"] == "${data.terraform_remote_state.platform.outputs.lambda_execution_role_arn}"


def test_the_documented_delegation_policy_creates_roles_only_under_the_boundary_and_path():
    """docs/security.md's policy for instance pipelines, evaluated as written."""
    import json

    text = (REPO / "docs" / "security.md").read_text()
    block = text.split("<!-- delegation-policy -->", 1)[1].split("```json", 1)[1].split("```", 1)[0]
    policy = json.loads(block.replace("<ACCOUNT_ID>", ACCOUNT))
    boundary = f"arn:aws:iam::{ACCOUNT}:policy/acme-apps-app-boundary"
    own = f"arn:aws:iam::{ACCOUNT}:role/acme-apps/john-inventory-dev/john-inventory-dev-function"
    with_boundary = {"iam:PermissionsBoundary": boundary}
    assert decide(policy, "iam:CreateRole", own, with_boundary) == "allowed"
    assert decide(policy, "iam:CreateRole", own) == "implicitly denied"  # no boundary
    assert decide(policy, "iam:CreateRole", own, {"iam:PermissionsBoundary": boundary + "-wide"}) != "allowed"
    for other in (
        f"arn:aws:iam::{ACCOUNT}:role/acme-apps/team-backend-inventory-prod/team-backend-inventory-prod-function",
        f"arn:aws:iam::{ACCOUNT}:role/acme-apps/john-inventory-dev-2/john-inventory-dev-2-function",
        f"arn:aws:iam::{ACCOUNT}:role/john-inventory-dev-function",
        f"arn:aws:iam::{ACCOUNT}:role/acme-apps/john-inventory-dev/admin",
    ):
        assert decide(policy, "iam:CreateRole", other, with_boundary) != "allowed", other
        assert decide(policy, "iam:PutRolePolicy", other) != "allowed", other
    assert decide(policy, "iam:PutRolePolicy", own) == "allowed"
    assert decide(policy, "iam:PassRole", own, {"iam:PassedToService": "lambda.amazonaws.com"}) == "allowed"
    assert decide(policy, "iam:PassRole", own, {"iam:PassedToService": "ec2.amazonaws.com"}) != "allowed"
    assert decide(policy, "iam:DeleteRolePermissionsBoundary", own) == "explicitly denied"
    assert decide(policy, "iam:CreatePolicyVersion", boundary) == "explicitly denied"
    assert decide(policy, "iam:AttachRolePolicy", own) == "implicitly denied"
