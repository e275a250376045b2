"""The IAM oracle itself (tests/iam_eval.py), on a toy stack and hand-written documents.

Every security claim about the generated roles is only as good as this evaluator: a resolver that built the wrong
ARN, or a ``decide`` that ignored a Deny, would let those tests pass having checked nothing. The synthesized
stacks reach only some of its branches (one region, no ``NotResource`` left out early); here each one is pinned.
"""

from __future__ import annotations

import json

import pytest
from iam_eval import ACCOUNT, ALLOWED, DENIED, IMPLICIT, Resolver, decide, effective


def _policy_document(stack: str, address: str, statements: list[dict]) -> dict:
    return {"//": {"metadata": {"path": f"{stack}/{address}"}}, "statement": statements}


PLATFORM = {
    "provider": {"aws": [{"region": "us-east-2"}, {"alias": "edge", "region": "us-east-1"}]},
    "resource": {
        "aws_s3_bucket": {"ui": {"bucket": "acme-ui"}},
        "aws_iam_policy": {"boundary": {"name": "acme-boundary"}},
    },
    "output": {
        "ui_bucket_arn": {"value": "${aws_s3_bucket.ui.arn}"},
        "boundary_arn": {"value": "${aws_iam_policy.boundary.arn}"},
        "oidc_provider_arn": {"value": "${data.aws_iam_openid_connect_provider.cluster.arn}"},
    },
}

APP = {
    "provider": {"aws": [{"region": "eu-west-1"}, {"alias": "edge", "region": "us-east-1"}]},
    "resource": {
        "aws_dynamodb_table": {"items": {"name": "app-items"}, "replica": {"name": "app-edge", "provider": "aws.edge"}},
        "aws_cloudwatch_log_group": {"logs": {"name": "/aws/lambda/app-api"}},
        "aws_iam_role": {"fn": {"name": "app-function", "path": "/acme/app/"}, "plain": {"name": "app-plain"}},
        "aws_s3_bucket": {"own": {"bucket": "app-own"}},
    },
    "data": {
        "aws_iam_policy_document": {
            "one": _policy_document(
                "app",
                "role/policy",
                [
                    {
                        "sid": "Items",
                        "actions": ["dynamodb:GetItem"],
                        "resources": [
                            "${aws_dynamodb_table.items.arn}",
                            "${aws_dynamodb_table.replica.arn}/index/*",
                        ],
                    },
                    {
                        "effect": "Deny",
                        "actions": ["s3:*"],
                        "resources": [
                            "${data.terraform_remote_state.platform.outputs.ui_bucket_arn}/other/*",
                            "${aws_s3_bucket.own.arn}",
                            "arn:${data.aws_partition.partition.partition}:s3:::${aws_s3_bucket.own.id}/x",
                        ],
                    },
                    {
                        "actions": ["logs:PutLogEvents", "iam:PassRole"],
                        "resources": [
                            "${aws_cloudwatch_log_group.logs.arn}:*",
                            "${aws_iam_role.fn.arn}",
                            "${aws_iam_role.plain.arn}",
                            "${data.terraform_remote_state.platform.outputs.boundary_arn}",
                            "${data.terraform_remote_state.platform.outputs.oidc_provider_arn}",
                        ],
                    },
                ],
            ),
            "trust": _policy_document(
                "app",
                "role/trust",
                [
                    {
                        "sid": "",
                        "actions": ["sts:AssumeRoleWithWebIdentity"],
                        "principals": [
                            {
                                "type": "Federated",
                                "identifiers": ["${data.aws_iam_openid_connect_provider.cluster.arn}"],
                            },
                            {
                                "type": "AWS",
                                "identifiers": ["arn:aws:iam::${data.aws_caller_identity.account.account_id}:root"],
                            },
                        ],
                        "condition": [
                            {
                                "test": "StringEquals",
                                "variable": '${replace(data.aws_eks_cluster.c.identity[0].oidc[0].issuer, "https://", "")}:sub',
                                "values": ["system:serviceaccount:apps:app"],
                            },
                            {
                                "test": "StringEquals",
                                "variable": '${replace(data.aws_eks_cluster.c.identity[0].oidc[0].issuer, "https://", "")}:aud',
                                "values": ["sts.amazonaws.com"],
                            },
                            {"test": "StringLike", "variable": "aws:PrincipalTag/team", "values": ["team-*"]},
                        ],
                    }
                ],
            ),
        }
    },
}


@pytest.fixture
def out(tmp_path):
    for name, stack in (("platform", PLATFORM), ("app", APP)):
        (tmp_path / "stacks" / name).mkdir(parents=True)
        (tmp_path / "stacks" / name / "cdk.tf.json").write_text(json.dumps(stack))
    return tmp_path


def test_documents_resolve_to_the_arns_terraform_would_give(out):
    """Each resource's ARN in its own provider's region; remote state through the platform's outputs; the
    partition, the account and the cluster's issuer; a missing effect is Allow; an empty sid is left out."""
    resolver = Resolver(out, "app", oidc_issuer="oidc.example/id/ABC")
    assert resolver.document("role/policy") == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["dynamodb:GetItem"],
                "Sid": "Items",
                "Resource": [
                    f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/app-items",
                    f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/app-edge/index/*",
                ],
            },
            {
                "Effect": "Deny",
                "Action": ["s3:*"],
                "Resource": ["arn:aws:s3:::acme-ui/other/*", "arn:aws:s3:::app-own", "arn:aws:s3:::app-own/x"],
            },
            {
                "Effect": "Allow",
                "Action": ["logs:PutLogEvents", "iam:PassRole"],
                "Resource": [
                    f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/aws/lambda/app-api:*",
                    f"arn:aws:iam::{ACCOUNT}:role/acme/app/app-function",
                    f"arn:aws:iam::{ACCOUNT}:role/app-plain",
                    f"arn:aws:iam::{ACCOUNT}:policy/acme-boundary",
                    f"arn:aws:iam::{ACCOUNT}:oidc-provider/oidc.example/id/ABC",  # the platform's, same issuer
                ],
            },
        ],
    }
    assert resolver.document("role/trust") == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["sts:AssumeRoleWithWebIdentity"],
                "Principal": {
                    "Federated": [f"arn:aws:iam::{ACCOUNT}:oidc-provider/oidc.example/id/ABC"],
                    "AWS": [f"arn:aws:iam::{ACCOUNT}:root"],
                },
                "Condition": {
                    "StringEquals": {
                        "oidc.example/id/ABC:sub": ["system:serviceaccount:apps:app"],
                        "oidc.example/id/ABC:aud": ["sts.amazonaws.com"],
                    },
                    "StringLike": {"aws:PrincipalTag/team": ["team-*"]},
                },
            }
        ],
    }


def test_the_default_issuer_is_an_eks_one(out):
    trust = Resolver(out, "app").document("role/trust")
    assert trust["Statement"][0]["Principal"]["Federated"] == [
        f"arn:aws:iam::{ACCOUNT}:oidc-provider/oidc.eks.us-east-2.amazonaws.com/id/EXAMPLE"
    ]


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("aws_lambda_function.fn.arn", "'aws_lambda_function'"),  # a type it cannot build an ARN for
        ("aws_dynamodb_table.items.stream_arn", "'aws_dynamodb_table.items.stream_arn'"),
        ("aws_iam_role.fn.name", "'aws_iam_role.fn.name'"),
        ("data.aws_region.current.name", "'data.aws_region.current.name'"),  # a data source it does not know
        ("data.aws_iam_role.other.arn", "'data.aws_iam_role.other.arn'"),
        ("data.aws_region.current", "'data.aws_region.current'"),  # three parts, as a resource's would be
        ("var.table_arn", "'var.table_arn'"),
        ("aws_s3_bucket.own.tags.team", "'aws_s3_bucket.own.tags.team'"),
    ],
)
def test_a_reference_it_cannot_resolve_is_an_error_naming_it(out, expression, message):
    with pytest.raises(KeyError) as raised:
        Resolver(out, "app").value(expression)
    assert str(raised.value) == message


def test_a_provider_the_stack_does_not_have_is_an_error_naming_it(out):
    with pytest.raises(KeyError) as raised:
        Resolver(out, "app").region("aws.nowhere")
    assert str(raised.value) == "'aws.nowhere'"
    assert Resolver(out, "app").region("aws.edge") == "us-east-1"
    assert Resolver(out, "app").region(None) == "eu-west-1"


def test_an_unresolved_reference_left_in_a_document_is_an_error(out):
    with pytest.raises(AssertionError) as raised:
        Resolver(out, "app").resolve("${aws_s3_bucket.own.arn}/${not closed")
    assert str(raised.value) == "arn:aws:s3:::app-own/${not closed"


# --------------------------------------------------------------------------- decide


def doc(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


ALLOW_ALL = {"Effect": "Allow", "Action": "*", "Resource": "*"}
TABLE = f"arn:aws:dynamodb:us-east-2:{ACCOUNT}:table/a"
OTHER = f"arn:aws:dynamodb:us-east-2:{ACCOUNT}:table/b"


def test_a_deny_wins_an_allow_allows_and_nothing_is_an_implicit_deny():
    deny = {"Effect": "Deny", "Action": "dynamodb:GetItem", "Resource": TABLE}
    assert decide(doc(ALLOW_ALL, deny), "dynamodb:GetItem", TABLE) == DENIED
    assert decide(doc(deny, ALLOW_ALL), "dynamodb:GetItem", TABLE) == DENIED
    assert decide(doc(ALLOW_ALL, deny), "dynamodb:GetItem", OTHER) == ALLOWED
    assert decide(doc(deny), "dynamodb:GetItem", OTHER) == IMPLICIT
    assert decide(doc(ALLOW_ALL), "s3:GetObject") == ALLOWED  # the resource defaults to "*"


@pytest.mark.parametrize("excluded", [TABLE, [OTHER, TABLE]], ids=["string", "list"])
def test_not_resource_covers_every_resource_but_those_listed(excluded):
    deny_but = {"Effect": "Deny", "Action": "dynamodb:*", "NotResource": excluded}
    assert decide(doc(ALLOW_ALL, deny_but), "dynamodb:GetItem", TABLE) == ALLOWED
    assert decide(doc(ALLOW_ALL, deny_but), "dynamodb:GetItem", f"{TABLE}-2") == DENIED
    # A statement that leaves the resource out decides nothing; the statements after it still do.
    deny_table = {"Effect": "Deny", "Action": "dynamodb:GetItem", "Resource": TABLE}
    assert decide(doc(deny_but, deny_table), "dynamodb:GetItem", TABLE) == DENIED
    allow_but = {"Effect": "Allow", "Action": "dynamodb:*", "NotResource": excluded}
    assert decide(doc(allow_but), "dynamodb:GetItem", f"{TABLE}-2") == ALLOWED
    assert decide(doc(allow_but), "dynamodb:GetItem", TABLE) == IMPLICIT


def test_conditions_are_checked_by_the_oracle_for_allows_and_denies():
    key = "aws:PrincipalTag/team"
    allow = {**ALLOW_ALL, "Condition": {"StringEquals": {key: ["a", "b"]}}}
    assert decide(doc(allow), "s3:GetObject", "*", {key: "b"}) == ALLOWED
    assert decide(doc(allow), "s3:GetObject", "*", {key: "c"}) == IMPLICIT
    assert decide(doc(allow), "s3:GetObject", "*", {}) == IMPLICIT  # a key the request lacks does not match
    assert decide(doc(allow), "s3:GetObject") == IMPLICIT
    like = {**ALLOW_ALL, "Condition": {"StringLike": {key: "team-*"}}}  # a single value as a string
    assert decide(doc(like), "s3:GetObject", "*", {key: "team-a"}) == ALLOWED
    assert decide(doc(like), "s3:GetObject", "*", {key: "TEAM-a"}) == IMPLICIT  # case-sensitive
    assert decide(doc(like), "s3:GetObject", "*", {key: "t"}) == IMPLICIT  # not a character of "team-*"
    both = {**ALLOW_ALL, "Condition": {"StringEquals": {key: "a"}, "StringLike": {"aws:username": "x*"}}}
    assert decide(doc(both), "s3:GetObject", "*", {key: "a", "aws:username": "xy"}) == ALLOWED
    assert decide(doc(both), "s3:GetObject", "*", {key: "a", "aws:username": "y"}) == IMPLICIT
    deny = {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {key: "a"}}}
    assert decide(doc(ALLOW_ALL, deny), "s3:GetObject", "*", {key: "a"}) == DENIED
    assert decide(doc(ALLOW_ALL, deny), "s3:GetObject", "*", {key: "b"}) == ALLOWED


def test_a_condition_it_does_not_evaluate_is_an_error_naming_it():
    allow = {**ALLOW_ALL, "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}}
    with pytest.raises(AssertionError) as raised:
        decide(doc(allow), "s3:GetObject", "*", {"aws:MultiFactorAuthAge": "10"})
    assert str(raised.value) == "condition NumericLessThan is not evaluated by this helper"


def test_a_trust_policy_without_resource_allows_only_with_effect_allow():
    trust = {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}
    assert decide(doc(trust), "sts:AssumeRole") == ALLOWED
    assert decide(doc({**trust, "Effect": "Deny"}), "sts:AssumeRole") == DENIED
    with pytest.raises(AssertionError) as raised:
        decide(doc({**trust, "Effect": ""}), "sts:AssumeRole")
    assert str(raised.value) == "IAM refuses the Effect ''"


def test_a_role_may_act_only_where_its_policy_and_its_boundary_both_allow():
    policy = doc({"Effect": "Allow", "Action": "dynamodb:*", "Resource": [TABLE, OTHER]})
    boundary = doc({"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"})
    assert effective(policy, boundary, "dynamodb:GetItem", TABLE) is True
    assert effective(policy, boundary, "dynamodb:PutItem", TABLE) is False  # the boundary does not allow it
    assert effective(policy, None, "dynamodb:PutItem", TABLE) is True  # no boundary: the policy alone
    assert effective(doc(), boundary, "dynamodb:GetItem", TABLE) is False  # the boundary grants nothing itself
    key = "aws:PrincipalTag/team"
    conditional = doc({**ALLOW_ALL, "Condition": {"StringEquals": {key: "a"}}})
    assert effective(policy, conditional, "dynamodb:GetItem", TABLE, {key: "a"}) is True
    assert effective(conditional, None, "dynamodb:GetItem", TABLE, {key: "b"}) is False
