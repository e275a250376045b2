"""AssetsBucket: one region's private assets bucket (see test_private_bucket.py for its settings) and the Lambda
bundle object under its content-hashed key, written only once versioning is on. Optional props: ``provider``
(the region) and ``access_log_bucket``.

Synthesized in a bare TerraformStack (see fixtures.py: Testing.synth_scope cannot take a Python callable); the
provider test adds an aliased AwsProvider to that stack.
"""

from __future__ import annotations

from dataclasses import replace

from cdktf import Testing
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
from cdktf_cdktf_provider_aws.s3_bucket_logging import S3BucketLoggingA
from cdktf_cdktf_provider_aws.s3_bucket_public_access_block import S3BucketPublicAccessBlock
from cdktf_cdktf_provider_aws.s3_bucket_versioning import S3BucketVersioningA
from cdktf_cdktf_provider_aws.s3_object import S3Object
from fixtures import Synthesized, synth

from modules.assets_bucket import AssetsBucket, AssetsBucketProps

PROPS = AssetsBucketProps(
    bucket_name="acme-assets-us-east-2",
    protect=True,
    bundle_source="assets/function-bundle/ABC/inventory.zip",
    bundle_key="functions/inventory-0123456789abcdef.zip",
    bundle_sha256="3q2+7w==",
)
OBJECT = S3Object.TF_RESOURCE_TYPE


def build(props: AssetsBucketProps = PROPS) -> Synthesized:
    return synth(lambda stack: AssetsBucket(stack, "assets", props))


def test_bucket_is_private_and_protected():
    out = build()
    assert out.one(S3Bucket.TF_RESOURCE_TYPE) == {
        "bucket": "acme-assets-us-east-2",
        "force_destroy": False,
        "lifecycle": {"prevent_destroy": True},
    }
    assert Testing.to_have_resource_with_properties(
        out.text,
        S3BucketPublicAccessBlock.TF_RESOURCE_TYPE,
        {
            "block_public_acls": True,
            "block_public_policy": True,
            "ignore_public_acls": True,
            "restrict_public_buckets": True,
        },
    )


def test_bundle_object_is_written_after_versioning_under_its_hashed_key():
    out = build()
    assert out.one(OBJECT) == {
        "bucket": f"${{{out.address(S3Bucket.TF_RESOURCE_TYPE, 'bucket')}.id}}",
        "key": "functions/inventory-0123456789abcdef.zip",
        "source": "assets/function-bundle/ABC/inventory.zip",
        "source_hash": "3q2+7w==",
        "content_type": "application/zip",
        "depends_on": [out.address(S3BucketVersioningA.TF_RESOURCE_TYPE, "versioning")],
    }


def test_protect_false_lets_destroy_remove_the_bucket():
    bucket = build(replace(PROPS, protect=False)).one(S3Bucket.TF_RESOURCE_TYPE)
    assert (bucket["force_destroy"], bucket["lifecycle"]) == (True, {"prevent_destroy": False})


def test_provider_puts_bucket_and_bundle_in_its_region():
    def with_provider(stack):
        west = AwsProvider(stack, "aws-us-west-2", region="us-west-2", alias="us-west-2")
        AssetsBucket(stack, "assets", replace(PROPS, provider=west))

    out = synth(with_provider)
    assert out.one(OBJECT)["provider"] == "aws.us-west-2"
    assert out.one(S3Bucket.TF_RESOURCE_TYPE)["provider"] == "aws.us-west-2"
    assert "provider" not in build().one(OBJECT)


def test_access_log_bucket_turns_on_server_access_logging():
    out = build(replace(PROPS, access_log_bucket="acme-logs-us-east-2"))
    logging = out.one(S3BucketLoggingA.TF_RESOURCE_TYPE)
    assert (logging["target_bucket"], logging["target_prefix"]) == ("acme-logs-us-east-2", "s3/acme-assets-us-east-2/")
    assert build().resources(S3BucketLoggingA.TF_RESOURCE_TYPE) == []


def test_bucket_policy_refuses_requests_without_tls():
    out = build()
    policy = out.one("aws_s3_bucket_policy")
    assert policy["bucket"] == f"${{{out.address(S3Bucket.TF_RESOURCE_TYPE, 'bucket')}.id}}"
    (document,) = out.tf["data"]["aws_iam_policy_document"].values()
    assert document["statement"] == [
        {
            "sid": "DenyInsecureTransport",
            "effect": "Deny",
            "actions": ["s3:*"],
            "resources": [
                f"${{{out.address(S3Bucket.TF_RESOURCE_TYPE, 'bucket')}.arn}}",
                f"${{{out.address(S3Bucket.TF_RESOURCE_TYPE, 'bucket')}.arn}}/*",
            ],
            "principals": [{"type": "*", "identifiers": ["*"]}],
            "condition": [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}],
        }
    ]
