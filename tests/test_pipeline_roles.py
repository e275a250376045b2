"""The pipeline roles of docs/workflow.md ("Pipeline roles"), evaluated, not only read.

The documents live in ``security/pipeline/`` and docs/workflow.md includes each one verbatim
(checked here). The plan role's permissions are the AWS managed policy ``ReadOnlyAccess``
(moto's copy of it, ``moto.iam.aws_managed_policies``) plus our policy, evaluated together with
moto's IAM policy evaluator through ``tests/iam_eval.py`` (an explicit Deny wins, else an Allow,
else an implicit deny), on the concrete ARNs of the example project.

Trust policies: moto 5.2's evaluator does take conditions for trust policies, but evaluates only
``StringEquals`` and pairs the request's values with the policy's keys by position, skipping keys
the request lacks; so a token with the right ``aud`` and no ``sub`` passes (pinned below). The
conditions are therefore checked by ``iam_eval``'s own, explicit condition check (StringEquals,
StringLike; a key the request lacks does not match), and the principal by comparing it here.

GitHub's OIDC ``sub`` claims (https://docs.github.com/en/actions/reference/security/oidc):
``repo:<org>/<repo>:pull_request`` for a pull_request job, ``repo:<org>/<repo>:environment:<name>``
for a job with an environment, ``repo:<org>/<repo>:ref:refs/heads/<branch>`` (or ``refs/tags/<tag>``)
otherwise. A pull request from a fork gets no token at all (its ``id-token`` permission is read);
a workflow run in the fork itself has the fork's repository in ``sub``.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
from iam_eval import ACCOUNT, ALLOWED, DENIED, decide

REPO = Path(__file__).resolve().parent.parent
PIPELINE = REPO / "security" / "pipeline"
DOC = REPO / "docs" / "workflow.md"
FILES = (
    "plan-role-trust.json",
    "apply-role-trust.json",
    "plan-role-permissions.json",
    "plan-role-permissions-lock-table.json",
)

ORG_REPO = "acme/platform"
STATE_BUCKET = "acme-terraform-state"
STATE_REGION = "us-east-2"
LOCK_TABLE = "acme-terraform-locks"
PLACEHOLDERS = {
    "<ACCOUNT_ID>": ACCOUNT,
    "<ORG>/<REPO>": ORG_REPO,
    "<STATE_BUCKET>": STATE_BUCKET,
    "<STATE_REGION>": STATE_REGION,
    "<LOCK_TABLE>": LOCK_TABLE,
}
OIDC_PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
AUD, SUB = "token.actions.githubusercontent.com:aud", "token.actions.githubusercontent.com:sub"

# The example project's resources (john-inventory-dev on the platform acme-apps, us-east-2).
APP = "john-inventory-dev"
STATE_KEY = f"arn:aws:s3:::{STATE_BUCKET}/serverless-platform/{APP}.tfstate"
LOCK_FILE = STATE_KEY + ".tflock"
TABLE = f"arn:aws:dynamodb:us-east-2:{ACCOUNT}:table/{APP}"
LOCK_TABLE_ARN = f"arn:aws:dynamodb:{STATE_REGION}:{ACCOUNT}:table/{LOCK_TABLE}"
FUNCTION = f"arn:aws:lambda:us-east-2:{ACCOUNT}:function:{APP}-api"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/acme-apps/{APP}/{APP}-function"
UI_OBJECT = "arn:aws:s3:::acme-apps-ui-111122223333/" + APP + "/index.html"
AUTH_PAGE = "arn:aws:s3:::acme-apps-ui-111122223333/auth/callback/callback.js"
USER_POOL = f"arn:aws:cognito-idp:us-east-2:{ACCOUNT}:userpool/us-east-2_AbC"
LOG_GROUP = f"arn:aws:logs:us-east-2:{ACCOUNT}:log-group:/aws/lambda/{APP}-api"
API = "arn:aws:apigateway:us-east-2::/apis/abc123"
DISTRIBUTION = f"arn:aws:cloudfront::{ACCOUNT}:distribution/E1EXAMPLE"

#: What Terraform's refresh of the stacks reads: the plan role must be allowed all of it.
READS = [
    ("dynamodb:DescribeTable", TABLE),
    ("dynamodb:DescribeContinuousBackups", TABLE),
    ("dynamodb:ListTagsOfResource", TABLE),
    ("lambda:GetFunction", FUNCTION),
    ("lambda:GetPolicy", FUNCTION),
    ("iam:GetRole", ROLE),
    ("iam:GetRolePolicy", ROLE),
    ("s3:GetBucketPolicy", "arn:aws:s3:::acme-apps-ui-111122223333"),
    ("s3:GetObject", UI_OBJECT),
    ("apigateway:GET", API),
    ("cognito-idp:DescribeUserPool", USER_POOL),
    ("cognito-idp:GetGroup", USER_POOL),
    ("logs:DescribeLogGroups", LOG_GROUP),
    ("cloudfront:GetDistribution", DISTRIBUTION),
    ("s3:GetObject", STATE_KEY),
]
#: Every write the stacks' apply does, and some it never does: the plan role must be denied all of them.
WRITES = [
    ("iam:CreateRole", ROLE),
    ("iam:PutRolePolicy", ROLE),
    ("iam:AttachRolePolicy", ROLE),
    ("iam:DeleteRolePermissionsBoundary", ROLE),
    ("iam:PassRole", ROLE),
    ("dynamodb:CreateTable", TABLE),
    ("dynamodb:DeleteTable", TABLE),
    ("dynamodb:UpdateTable", TABLE),
    ("dynamodb:PutItem", TABLE),
    ("dynamodb:DeleteItem", TABLE),
    ("lambda:UpdateFunctionCode", FUNCTION),
    ("lambda:UpdateFunctionConfiguration", FUNCTION),
    ("lambda:DeleteFunction", FUNCTION),
    ("lambda:InvokeFunction", FUNCTION),
    ("lambda:AddPermission", FUNCTION),
    ("s3:PutObject", UI_OBJECT),
    ("s3:DeleteObject", UI_OBJECT),
    ("s3:PutObject", AUTH_PAGE),
    ("s3:PutBucketPolicy", "arn:aws:s3:::acme-apps-ui-111122223333"),
    ("s3:PutObject", STATE_KEY),  # the state itself: only the lock file is writable
    ("s3:DeleteObject", STATE_KEY),
    ("s3:PutObject", f"arn:aws:s3:::{STATE_BUCKET}/other-prefix/x.tflock"),
    ("apigateway:PATCH", API),
    ("apigateway:DELETE", API),
    ("cognito-idp:AdminAddUserToGroup", USER_POOL),
    ("cognito-idp:CreateGroup", USER_POOL),
    ("cognito-idp:UpdateUserPoolClient", USER_POOL),
    ("logs:DeleteLogGroup", LOG_GROUP),
    ("cloudfront:UpdateDistribution", DISTRIBUTION),
    ("sts:AssumeRole", ROLE),
]
#: App data, its users and its logs: ReadOnlyAccess allows each of these; our policy must deny them.
APP_DATA = [
    ("dynamodb:GetItem", TABLE),
    ("dynamodb:BatchGetItem", TABLE),
    ("dynamodb:Query", TABLE),
    ("dynamodb:Scan", TABLE),
    ("dynamodb:PartiQLSelect", TABLE),
    ("dynamodb:GetRecords", TABLE + "/stream/2024-01-01T00:00:00.000"),
    ("dynamodb:ReadDataForReplication", TABLE),
    ("dynamodb:SearchVectors", TABLE),
    ("cognito-idp:ListUsers", USER_POOL),
    ("cognito-idp:ListUsersInGroup", USER_POOL),
    ("cognito-idp:AdminGetUser", USER_POOL),
    ("cognito-idp:AdminGetDevice", USER_POOL),
    ("cognito-idp:AdminListDevices", USER_POOL),
    ("cognito-idp:AdminListGroupsForUser", USER_POOL),
    ("cognito-idp:AdminListUserAuthEvents", USER_POOL),
    ("logs:GetLogEvents", LOG_GROUP),
    ("logs:GetLogRecord", LOG_GROUP),
    ("logs:FilterLogEvents", LOG_GROUP),
    ("logs:StartQuery", LOG_GROUP),
    ("logs:StartLiveTail", LOG_GROUP),
    ("logs:GetQueryResults", "*"),  # an action on no resource: a query's results by its id
]
SECRET = f"arn:aws:secretsmanager:us-east-2:{ACCOUNT}:secret:{APP}-db-AbCdEf"
#: Denied whatever else the role is given: the reads above, and a secret's value (not in ReadOnlyAccess).
ALWAYS_DENIED = [*APP_DATA, ("secretsmanager:GetSecretValue", SECRET)]


def load(name: str) -> dict:
    text = (PIPELINE / name).read_text()
    for placeholder, value in PLACEHOLDERS.items():
        text = text.replace(placeholder, value)
    assert "<" not in text, f"{name}: a placeholder is left: {text}"
    return json.loads(text)


@functools.cache
def _read_only_access_statements() -> tuple[dict, ...]:
    """The AWS managed policy ReadOnlyAccess, as moto ships it."""
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    statements = json.loads(aws_managed_policies_data)["ReadOnlyAccess"]["Document"]["Statement"]
    for statement in statements:
        assert statement["Effect"] == "Allow" and "NotAction" not in statement and "NotResource" not in statement
        assert all(":" in a and "*" not in a.split(":", 1)[0] for a in statement["Action"]), "a wildcard service"
    return tuple(statements)


@functools.cache
def read_only_access(service: str) -> tuple[dict, ...]:
    """ReadOnlyAccess's statements cut down to the actions of one service: the same verdicts for that
    service's actions (every pattern names its service, checked above), at a fraction of the cost."""
    kept = []
    for statement in _read_only_access_statements():
        actions = [a for a in statement["Action"] if a.split(":", 1)[0] == service]
        if actions:
            kept.append({**statement, "Action": actions})
    return tuple(kept)


def plan_role(action: str, variant: str = "plan-role-permissions.json") -> dict:
    """Every policy of the plan role as one document (IAM combines a role's policies the same way)."""
    statements = [*read_only_access(action.split(":", 1)[0]), *load(variant)["Statement"]]
    return {"Version": "2012-10-17", "Statement": statements}


VARIANTS = ["plan-role-permissions.json", "plan-role-permissions-lock-table.json"]


@pytest.mark.parametrize("name", FILES)
def test_the_doc_shows_each_file_verbatim(name):
    text = DOC.read_text()
    marker = f"<!-- security/pipeline/{name} -->"
    assert text.count(marker) == 1, f"docs/workflow.md lacks (or repeats) {marker}"
    block = text.split(marker, 1)[1].split("```json\n", 1)[1].split("```", 1)[0]
    assert block == (PIPELINE / name).read_text(), f"docs/workflow.md's copy of {name} differs from the file"


@pytest.mark.parametrize("name", FILES)
def test_iam_accepts_each_document(name):
    """moto's validator of what CreatePolicy and CreateRole take: the version (without it IAM reads 2008-10-17,
    where policy variables are plain text), each statement's Effect, Action and Resource, the conditions'
    operators, a trust policy's principal."""
    from moto.iam.policy_validation import IAMPolicyDocumentValidator, IAMTrustPolicyDocumentValidator

    validator = IAMTrustPolicyDocumentValidator if name.endswith("-trust.json") else IAMPolicyDocumentValidator
    validator(json.dumps(load(name))).validate()


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("action, resource", READS, ids=[f"{a} {r.rsplit(':', 1)[-1]}" for a, r in READS])
def test_the_plan_role_reads_what_terraform_refreshes(variant, action, resource):
    assert decide(plan_role(action, variant), action, resource) == ALLOWED


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_plan_role_lists_the_state_prefix_only(variant):
    bucket = f"arn:aws:s3:::{STATE_BUCKET}"
    assert decide(load(variant), "s3:ListBucket", bucket, {"s3:prefix": "serverless-platform/"}) == ALLOWED
    # The listing itself comes from ReadOnlyAccess (s3:List* on *); ours adds the prefix-scoped grant.
    assert decide(load(variant), "s3:ListBucket", bucket, {"s3:prefix": "other/"}) != ALLOWED


def test_the_plan_role_takes_and_releases_the_s3_lock_file():
    """S3-native locking (the default, ``use_lockfile``): the lock is ``<key>.tflock`` beside the state."""
    for action in ("s3:PutObject", "s3:GetObject", "s3:DeleteObject"):
        assert decide(plan_role(action), action, LOCK_FILE) == ALLOWED, action
    assert decide(plan_role("dynamodb:PutItem"), "dynamodb:PutItem", LOCK_TABLE_ARN) != ALLOWED  # no lock table here


def test_the_plan_role_takes_and_releases_the_lock_table_lock():
    """``backend.lockTable``: Terraform reads the state's digest and takes the lock with GetItem/PutItem,
    releases it with DeleteItem; the deny on item reads must leave the lock table out."""
    variant = "plan-role-permissions-lock-table.json"
    for action in ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"):
        assert decide(plan_role(action, variant), action, LOCK_TABLE_ARN) == ALLOWED, action
    assert decide(plan_role("s3:PutObject", variant), "s3:PutObject", LOCK_FILE) != ALLOWED  # no lock file here
    assert decide(plan_role("dynamodb:PutItem", variant), "dynamodb:PutItem", TABLE) != ALLOWED
    assert decide(plan_role("dynamodb:GetItem", variant), "dynamodb:GetItem", TABLE) == DENIED


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("action, resource", WRITES, ids=[f"{a} {r.rsplit(':', 1)[-1]}" for a, r in WRITES])
def test_the_plan_role_writes_nothing(variant, action, resource):
    assert decide(plan_role(action, variant), action, resource) != ALLOWED


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("action, resource", APP_DATA, ids=[a for a, _ in APP_DATA])
def test_the_plan_role_reads_no_app_data_users_or_logs(variant, action, resource):
    alone = {"Version": "2012-10-17", "Statement": list(read_only_access(action.split(":", 1)[0]))}
    assert decide(alone, action, resource) == ALLOWED, "ReadOnlyAccess alone allows it (else this case checks nothing)"
    assert decide(plan_role(action, variant), action, resource) == DENIED


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("action, resource", ALWAYS_DENIED, ids=[a for a, _ in ALWAYS_DENIED])
def test_the_deny_holds_against_any_other_policy_of_the_role(variant, action, resource):
    """A platform team may attach more to the plan role; the explicit Deny wins over an Allow of everything."""
    everything = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    role = {"Version": "2012-10-17", "Statement": [everything, *load(variant)["Statement"]]}
    assert decide(role, action, resource) == DENIED


@pytest.mark.parametrize("variant", VARIANTS)
def test_our_policy_alone_reads_the_state_and_takes_the_lock(variant):
    """The state's reads do not lean on ReadOnlyAccess (a team may swap it for a narrower read policy)."""
    assert decide(load(variant), "s3:GetObject", STATE_KEY) == ALLOWED
    assert decide(load(variant), "s3:GetObject", f"arn:aws:s3:::{STATE_BUCKET}/other-prefix/x.tfstate") != ALLOWED
    assert decide(load(variant), "s3:GetObject", UI_OBJECT) != ALLOWED
    lock = [(a, LOCK_FILE) for a in ("s3:GetObject", "s3:PutObject", "s3:DeleteObject")]
    if variant == "plan-role-permissions-lock-table.json":
        lock = [(a, LOCK_TABLE_ARN) for a in ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem")]
    for action, resource in lock:  # and takes and releases the lock
        assert decide(load(variant), action, resource) == ALLOWED, action


# --------------------------------------------------------------------------- trust


def token(sub: str | None, aud: str | None = "sts.amazonaws.com") -> dict[str, str]:
    context = {}
    if sub is not None:
        context[SUB] = sub
    if aud is not None:
        context[AUD] = aud
    return context


def assumes(trust: dict, context: dict[str, str]) -> bool:
    """Whether a web identity token with these claims, issued by GitHub's OIDC provider, may assume the role."""
    (statement,) = trust["Statement"]
    assert statement["Principal"] == {"Federated": OIDC_PROVIDER}
    return decide(trust, "sts:AssumeRoleWithWebIdentity", "*", context) == ALLOWED


@pytest.mark.parametrize("name", ["plan-role-trust.json", "apply-role-trust.json"])
def test_trust_is_for_the_github_oidc_provider_and_web_identity_only(name):
    trust = load(name)
    for action in ("sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:TagSession"):
        assert decide(trust, action, "*", token(f"repo:{ORG_REPO}:environment:production")) != ALLOWED, action


REFUSED_BY_PLAN = [
    token(f"repo:{ORG_REPO}:pull_request", aud="sigstore"),  # a token minted for another audience
    token(f"repo:{ORG_REPO}:pull_request", aud=None),
    token(None),
    token("repo:mallory/platform:pull_request"),  # a fork's own workflow run
    token(f"repo:{ORG_REPO}-fork:pull_request"),
    token(f"repo:{ORG_REPO.upper()}:pull_request"),
    token(f"repo:{ORG_REPO}:ref:refs/heads/feature"),  # a pushed branch
    token(f"repo:{ORG_REPO}:ref:refs/heads/main"),
    token(f"repo:{ORG_REPO}:environment:production"),  # plan has no business in the apply environment
]


def test_the_plan_role_trusts_this_repositorys_pull_requests_only():
    trust = load("plan-role-trust.json")
    assert assumes(trust, token(f"repo:{ORG_REPO}:pull_request"))
    for context in REFUSED_BY_PLAN:
        assert not assumes(trust, context), context


REFUSED_BY_APPLY = [
    token(f"repo:{ORG_REPO}:pull_request"),  # a PR's code never gets apply rights
    token(f"repo:{ORG_REPO}:ref:refs/heads/main"),  # main without the environment's reviewers
    token(f"repo:{ORG_REPO}:ref:refs/tags/v1"),
    token(f"repo:{ORG_REPO}:environment:staging"),
    token(f"repo:{ORG_REPO}:environment:production-preview"),
    token(f"repo:{ORG_REPO}:environment:Production"),
    token("repo:mallory/platform:environment:production"),  # another repository's production environment
    token(f"repo:{ORG_REPO}:environment:production", aud="sigstore"),
    token(f"repo:{ORG_REPO}:environment:production", aud=None),
    token(None),
]


def test_the_apply_role_trusts_the_production_environment_only():
    trust = load("apply-role-trust.json")
    assert assumes(trust, token(f"repo:{ORG_REPO}:environment:production"))
    for context in REFUSED_BY_APPLY:
        assert not assumes(trust, context), context


def test_why_conditions_are_not_left_to_moto():
    """moto 5.2 pairs condition values by position and skips missing keys: a token with the right audience
    and no subject would pass. If this starts failing, moto's check may be usable on its own."""
    from moto.iam.access_control import IAMPolicy, PermissionResult

    trust = json.dumps(load("apply-role-trust.json"))
    verdict = IAMPolicy(trust).is_action_permitted(
        "sts:AssumeRoleWithWebIdentity", incoming_condition_values=token(None)
    )
    assert verdict == PermissionResult.PERMITTED
    assert not assumes(load("apply-role-trust.json"), token(None))
