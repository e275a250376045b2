"""IAM policy documents from plain statement mappings.

jsii converts a mapping passed where a struct is expected, but not mappings
inside lists: those reach Terraform with their snake_case keys silently
dropped. Every list of structs in this package is therefore built from the
struct classes; this helper does it for policy statements.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cdktf_cdktf_provider_aws.data_aws_iam_policy_document import (
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
    DataAwsIamPolicyDocumentStatementCondition,
    DataAwsIamPolicyDocumentStatementPrincipals,
)
from constructs import Construct


def policy_document(scope: Construct, id: str, statements: Sequence[Mapping[str, Any]]) -> DataAwsIamPolicyDocument:
    """A policy document data source; each statement uses the resource's snake_case argument names."""
    built = []
    for statement in statements:
        fields = dict(statement)
        fields["principals"] = [
            DataAwsIamPolicyDocumentStatementPrincipals(**p) for p in fields.get("principals", [])
        ] or None
        fields["condition"] = [
            DataAwsIamPolicyDocumentStatementCondition(**c) for c in fields.get("condition", [])
        ] or None
        built.append(DataAwsIamPolicyDocumentStatement(**fields))
    return DataAwsIamPolicyDocument(scope, id, statement=built)


def deny_insecure_transport(bucket_arn: str) -> dict[str, Any]:
    """The bucket-policy statement refusing every request to the bucket and its objects made without TLS."""
    return {
        "sid": "DenyInsecureTransport",
        "effect": "Deny",
        "actions": ["s3:*"],
        "resources": [bucket_arn, f"{bucket_arn}/*"],
        "principals": [{"type": "*", "identifiers": ["*"]}],
        "condition": [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}],
    }
