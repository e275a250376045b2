"""Evaluate the IAM documents a synthesized stack would create, with concrete ARNs.

:func:`resolved_documents` turns each ``aws_iam_policy_document`` data source of a stack
into IAM policy JSON, replacing the Terraform references in it by the values Terraform
would give them in one example account (:data:`ACCOUNT`, partition ``aws``): an ARN is
built from the referenced resource's own name and its provider's region, and a
``terraform_remote_state`` output is the platform stack's output, resolved the same way.

:func:`decide` evaluates with moto's IAM policy evaluator
(``moto.iam.access_control.IAMPolicy``), one statement at a time, combined the way IAM
does it (an explicit Deny wins; else an Allow; else an implicit deny). Two gaps of that
evaluator are closed here, explicitly: it checks a statement's conditions before its
resource (an Allow whose condition fails would come back as DENIED for every resource),
and it evaluates only ``StringEquals``, ignoring ``StringLike``: :func:`_conditions_hold`
checks every condition of the documents we generate (StringEquals, StringLike) itself.
A third: it has no ``NotResource`` (a statement without ``Resource`` counts as matching
everything, which is right for trust policies only); :func:`decide` applies ``NotResource``
itself: the statement covers every resource but those listed. A fourth: it permits a statement without
``Resource`` whatever its ``Effect``; :func:`decide` refuses an effect other than ``Allow`` or ``Deny`` (IAM does).
It reads no ``Principal``: a test of a trust policy compares the principal itself.
"""

from __future__ import annotations

import fnmatch
import json
import re
from pathlib import Path

from helpers import load_stack

ACCOUNT = "111122223333"
TOKEN = re.compile(r"\$\{([^{}]+)\}")
ALLOWED, DENIED, IMPLICIT = "allowed", "explicitly denied", "implicitly denied"


class Resolver:
    """Resolves the references of one stack (and, through remote state, of the platform stack)."""

    def __init__(self, out: Path, stack: str, oidc_issuer: str = "oidc.eks.us-east-2.amazonaws.com/id/EXAMPLE"):
        self.out, self.name = out, stack
        self.stack = load_stack(out, stack)
        self.oidc_issuer = oidc_issuer
        self._platform = None if stack == "platform" else Resolver(out, "platform", oidc_issuer)

    def region(self, provider: str | None) -> str:
        alias = provider.split(".", 1)[1] if provider else None
        for p in self.stack["provider"]["aws"]:
            if p.get("alias") == alias:
                return p["region"]
        raise KeyError(provider)

    def value(self, expression: str) -> str:
        parts = expression.split(".")
        if expression == "data.aws_caller_identity.account.account_id":
            return ACCOUNT
        if expression == "data.aws_partition.partition.partition":
            return "aws"
        if parts[:3] == ["data", "terraform_remote_state", "platform"] and parts[3] == "outputs":
            return self._platform.resolve(self._platform.stack["output"][parts[4]]["value"])
        if expression.startswith("replace(data.aws_eks_cluster."):
            return self.oidc_issuer
        if parts[:2] == ["data", "aws_iam_openid_connect_provider"]:
            return f"arn:aws:iam::{ACCOUNT}:oidc-provider/{self.oidc_issuer}"
        if parts[0] == "data" or len(parts) != 3:
            raise KeyError(expression)  # a data source or an expression it cannot give a value for
        type_, name, attribute = parts
        resource = self.stack["resource"][type_][name]
        region = self.region(resource.get("provider"))
        if type_ == "aws_s3_bucket":
            return {"arn": f"arn:aws:s3:::{resource['bucket']}", "id": resource["bucket"]}[attribute]
        if type_ == "aws_dynamodb_table" and attribute == "arn":
            return f"arn:aws:dynamodb:{region}:{ACCOUNT}:table/{resource['name']}"
        if type_ == "aws_cloudwatch_log_group" and attribute == "arn":
            return f"arn:aws:logs:{region}:{ACCOUNT}:log-group:{resource['name']}"
        if type_ == "aws_iam_policy" and attribute == "arn":
            return f"arn:aws:iam::{ACCOUNT}:policy/{resource['name']}"
        if type_ == "aws_iam_role" and attribute == "arn":
            return f"arn:aws:iam::{ACCOUNT}:role{resource.get('path', '/')}{resource['name']}"
        raise KeyError(expression)

    def resolve(self, text: str) -> str:
        resolved = TOKEN.sub(lambda m: self.value(m.group(1)), text)
        assert "${" not in resolved, resolved
        return resolved

    def document(self, address: str) -> dict:
        """IAM JSON of the data.aws_iam_policy_document whose construct path ends with ``address``."""
        (data,) = [
            d
            for d in self.stack["data"]["aws_iam_policy_document"].values()
            if d["//"]["metadata"]["path"] == f"{self.name}/{address}"
        ]
        statements = []
        for s in data["statement"]:
            statement = {"Effect": s.get("effect", "Allow").capitalize(), "Action": s["actions"]}
            if s.get("sid"):
                statement["Sid"] = s["sid"]
            if "resources" in s:
                statement["Resource"] = [self.resolve(r) for r in s["resources"]]
            if "principals" in s:
                statement["Principal"] = {
                    p["type"]: [self.resolve(i) for i in p["identifiers"]] for p in s["principals"]
                }
            conditions: dict = {}
            for c in s.get("condition", []):
                conditions.setdefault(c["test"], {})[self.resolve(c["variable"])] = [
                    self.resolve(v) for v in c["values"]
                ]
            if conditions:
                statement["Condition"] = conditions
            statements.append(statement)
        return {"Version": "2012-10-17", "Statement": statements}


def _conditions_hold(statement: dict, context: dict[str, str]) -> bool:
    for test, variables in statement.get("Condition", {}).items():
        for variable, values in variables.items():
            # A single value may be written as a string: compare it whole (not as a sequence of characters).
            values = [values] if isinstance(values, str) else values
            actual = context.get(variable)
            if actual is None:
                return False  # IAM: a condition on a key the request lacks does not match
            if test == "StringEquals":
                ok = actual in values
            elif test == "StringLike":
                ok = any(fnmatch.fnmatchcase(actual, v) for v in values)
            else:
                raise AssertionError(f"condition {test} is not evaluated by this helper")
            if not ok:
                return False
    return True


def decide(document: dict, action: str, resource: str = "*", context: dict[str, str] | None = None) -> str:
    """What ``document`` says about ``action`` on ``resource`` in a request with ``context`` keys."""
    from moto.iam.access_control import IAMPolicy, PermissionResult

    context = context or {}
    verdict = IMPLICIT
    for statement in document["Statement"]:
        if "NotResource" in statement:
            excluded = statement["NotResource"]
            if any(fnmatch.fnmatchcase(resource, p) for p in ([excluded] if isinstance(excluded, str) else excluded)):
                continue
            statement = {**{k: v for k, v in statement.items() if k != "NotResource"}, "Resource": "*"}
        unconditional = {k: v for k, v in statement.items() if k != "Condition"}
        result = IAMPolicy(json.dumps({"Version": "2012-10-17", "Statement": [unconditional]})).is_action_permitted(
            action, resource
        )
        if result == PermissionResult.NEUTRAL or not _conditions_hold(statement, context):
            continue
        # moto permits a statement without Resource (a trust policy's) whatever its Effect: only "Allow" allows.
        assert statement["Effect"] in ("Allow", "Deny"), f"IAM refuses the Effect {statement['Effect']!r}"
        if statement["Effect"] == "Deny":
            return DENIED
        if result == PermissionResult.PERMITTED:
            verdict = ALLOWED
    return verdict


def effective(identity: dict, boundary: dict | None, action: str, resource: str, context=None) -> bool:
    """True when a role with ``identity`` as its policy and ``boundary`` as its permissions boundary may do it."""
    if decide(identity, action, resource, context) != ALLOWED:
        return False
    return boundary is None or decide(boundary, action, resource, context) == ALLOWED
