"""LogBucket: one region's access-log bucket. Private like every bucket but with ACLs enabled
(BucketOwnerPreferred, for CloudFront's legacy logging), SSE-S3, log objects expiring after ``retention_days``,
no access logging of its own, and a policy that lets only S3 log delivery from this account's named source
buckets write, and denies plain HTTP. ``target`` reads the bucket name from the policy resource.
Optional props: ``provider`` and ``noncurrent_version_days``.

Synthesized in a bare TerraformStack (see fixtures.py: Testing.synth_scope cannot take a Python callable); the
account is a literal (fixtures.ACCOUNT) instead of the stack's data sources.
"""

from __future__ import annotations

from dataclasses import replace

from cdktf import TerraformOutput, Testing
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
from cdktf_cdktf_provider_aws.s3_bucket_lifecycle_configuration import S3BucketLifecycleConfiguration
from cdktf_cdktf_provider_aws.s3_bucket_logging import S3BucketLoggingA
from cdktf_cdktf_provider_aws.s3_bucket_ownership_controls import S3BucketOwnershipControls
from cdktf_cdktf_provider_aws.s3_bucket_policy import S3BucketPolicy
from cdktf_cdktf_provider_aws.s3_bucket_server_side_encryption_configuration import (
    S3BucketServerSideEncryptionConfigurationA,
)
from fixtures import ACCOUNT, Synthesized, synth

from modules.log_bucket import LogBucket, LogBucketProps

PROPS = LogBucketProps(
    account=ACCOUNT,
    bucket_name="acme-logs-us-east-2",
    protect=False,
    retention_days=30,
    source_buckets=("acme-assets-us-east-2", "acme-ui"),
)
POLICY = S3BucketPolicy.TF_RESOURCE_TYPE


def build(props: LogBucketProps = PROPS) -> Synthesized:
    def construct(stack):
        logs = LogBucket(stack, "logs", props)
        TerraformOutput(stack, "target", value=logs.target)

    return synth(construct)


def lifecycle_rule(out: Synthesized) -> dict:
    return out.one(S3BucketLifecycleConfiguration.TF_RESOURCE_TYPE)["rule"][0]


def test_bucket_enables_acls_for_cloudfront_and_uses_sse_s3():
    out = build()
    assert out.one(S3Bucket.TF_RESOURCE_TYPE)["bucket"] == "acme-logs-us-east-2"
    assert out.one(S3BucketOwnershipControls.TF_RESOURCE_TYPE)["rule"] == {"object_ownership": "BucketOwnerPreferred"}
    assert Testing.to_have_resource_with_properties(
        out.text,
        S3BucketServerSideEncryptionConfigurationA.TF_RESOURCE_TYPE,
        {"rule": [{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}]},
    )


def test_logs_expire_after_retention_days_and_deleted_ones_stay_30_days():
    assert lifecycle_rule(build()) == {
        "id": "expire-objects",
        "status": "Enabled",
        "filter": [{"prefix": ""}],
        "expiration": [{"days": 30}],
        "noncurrent_version_expiration": [{"noncurrent_days": 30}],
        "abort_incomplete_multipart_upload": [{"days_after_initiation": 7}],
    }
    assert lifecycle_rule(build(replace(PROPS, retention_days=400)))["expiration"] == [{"days": 400}]


def test_the_log_bucket_does_not_log_its_own_access():
    assert build().resources(S3BucketLoggingA.TF_RESOURCE_TYPE) == []


def test_only_s3_log_delivery_from_this_accounts_source_buckets_may_write():
    out = build()
    bucket = out.address(S3Bucket.TF_RESOURCE_TYPE, "bucket")
    assert out.statement("S3ServerAccessLogs") == {
        "sid": "S3ServerAccessLogs",
        "effect": "Allow",
        "actions": ["s3:PutObject"],
        "resources": [f"${{{bucket}.arn}}/*"],
        "principals": [{"type": "Service", "identifiers": ["logging.s3.amazonaws.com"]}],
        "condition": [
            {"test": "StringEquals", "variable": "aws:SourceAccount", "values": ["123456789012"]},
            {
                "test": "ArnLike",
                "variable": "aws:SourceArn",
                "values": ["arn:aws:s3:::acme-assets-us-east-2", "arn:aws:s3:::acme-ui"],
            },
        ],
    }


def test_plain_http_is_denied():
    out = build()
    bucket = out.address(S3Bucket.TF_RESOURCE_TYPE, "bucket")
    assert out.statement("DenyInsecureTransport") == {
        "sid": "DenyInsecureTransport",
        "effect": "Deny",
        "actions": ["s3:*"],
        "resources": [f"${{{bucket}.arn}}", f"${{{bucket}.arn}}/*"],
        "principals": [{"type": "*", "identifiers": ["*"]}],
        "condition": [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}],
    }
    assert [s["sid"] for s in out.document("policy-document")["statement"]] == [
        "S3ServerAccessLogs",
        "DenyInsecureTransport",
    ]


def test_policy_is_attached_and_target_waits_for_it():
    out = build()
    policy = out.address(POLICY, "policy")
    assert out.one(POLICY) == {
        "bucket": f"${{{out.address(S3Bucket.TF_RESOURCE_TYPE, 'bucket')}.id}}",
        "policy": "${data.aws_iam_policy_document." + out.document_id("policy-document") + ".json}",
    }
    assert out.tf["output"]["target"]["value"] == f"${{{policy}.bucket}}"


def test_protect_keeps_the_bucket():
    assert build(replace(PROPS, protect=True)).one(S3Bucket.TF_RESOURCE_TYPE)["lifecycle"] == {"prevent_destroy": True}
    assert build().one(S3Bucket.TF_RESOURCE_TYPE)["lifecycle"] == {"prevent_destroy": False}


def test_provider_puts_bucket_and_policy_in_its_region():
    def with_provider(stack):
        west = AwsProvider(stack, "aws-us-west-2", region="us-west-2", alias="us-west-2")
        LogBucket(stack, "logs", replace(PROPS, provider=west))

    out = synth(with_provider)
    assert out.one(POLICY)["provider"] == "aws.us-west-2"
    assert out.one(S3Bucket.TF_RESOURCE_TYPE)["provider"] == "aws.us-west-2"
    assert "provider" not in build().one(POLICY)


def test_noncurrent_version_days_sets_how_long_deleted_logs_stay():
    assert lifecycle_rule(build(replace(PROPS, noncurrent_version_days=5)))["noncurrent_version_expiration"] == [
        {"noncurrent_days": 5}
    ]
    assert lifecycle_rule(build())["noncurrent_version_expiration"] == [{"noncurrent_days": 30}]
