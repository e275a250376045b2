"""policy_document: IAM policy documents from plain statement mappings. Its reason to exist: jsii drops the
snake_case keys of mappings nested in lists, so principals and conditions must be built as struct classes. These
tests show that principals and conditions reach the JSON intact, and that statements without them get no empty
blocks.

Synthesized in a bare TerraformStack (see fixtures.py: Testing.synth_scope cannot take a Python callable).
"""

from __future__ import annotations

from cdktf import TerraformOutput, Testing
from fixtures import Synthesized, synth

from modules.policy_document import policy_document

STATEMENTS = [
    {
        "sid": "ReadObjects",
        "effect": "Allow",
        "actions": ["s3:GetObject"],
        "resources": ["arn:aws:s3:::acme-ui/*"],
        "principals": [{"type": "Service", "identifiers": ["cloudfront.amazonaws.com"]}],
        "condition": [{"test": "StringEquals", "variable": "AWS:SourceArn", "values": ["arn:aws:cloudfront::1:x/E1"]}],
    },
    {"sid": "Traces", "effect": "Allow", "actions": ["xray:PutTraceSegments"], "resources": ["*"]},
]


def build() -> Synthesized:
    def construct(stack):
        document = policy_document(stack, "doc", STATEMENTS)
        TerraformOutput(stack, "json", value=document.json)

    return synth(construct)


def test_principals_and_conditions_keep_their_keys():
    assert build().document("doc")["statement"][0] == {
        "sid": "ReadObjects",
        "effect": "Allow",
        "actions": ["s3:GetObject"],
        "resources": ["arn:aws:s3:::acme-ui/*"],
        "principals": [{"type": "Service", "identifiers": ["cloudfront.amazonaws.com"]}],
        "condition": [{"test": "StringEquals", "variable": "AWS:SourceArn", "values": ["arn:aws:cloudfront::1:x/E1"]}],
    }


def test_a_statement_without_principals_or_conditions_has_neither_block():
    assert build().document("doc")["statement"][1] == {
        "sid": "Traces",
        "effect": "Allow",
        "actions": ["xray:PutTraceSegments"],
        "resources": ["*"],
    }


def test_it_is_a_data_source_whose_json_attribute_is_the_policy():
    out = build()
    assert Testing.to_have_data_source(out.text, "aws_iam_policy_document")
    assert not Testing.to_have_resource(out.text, "aws_iam_policy_document")
    assert out.tf["output"]["json"]["value"] == "${data.aws_iam_policy_document." + out.document_id("doc") + ".json}"
