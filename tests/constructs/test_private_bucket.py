"""PrivateBucket: an S3 bucket that blocks all public access, enforces bucket ownership (no ACLs), encrypts with
SSE-S3 and a bucket key, is versioned, expires old versions and aborts stale uploads. Each optional prop
(protect, provider, noncurrent_version_days, access_log_bucket, expiration_days, object_ownership) has a test.

Synthesized in a bare TerraformStack (see fixtures.py: Testing.synth_scope cannot take a Python callable); the
provider test adds an aliased AwsProvider to that stack.
"""

from __future__ import annotations

from dataclasses import replace

from cdktf import Testing
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
from cdktf_cdktf_provider_aws.s3_bucket_lifecycle_configuration import S3BucketLifecycleConfiguration
from cdktf_cdktf_provider_aws.s3_bucket_logging import S3BucketLoggingA
from cdktf_cdktf_provider_aws.s3_bucket_ownership_controls import S3BucketOwnershipControls
from cdktf_cdktf_provider_aws.s3_bucket_public_access_block import S3BucketPublicAccessBlock
from cdktf_cdktf_provider_aws.s3_bucket_server_side_encryption_configuration import (
    S3BucketServerSideEncryptionConfigurationA,
)
from cdktf_cdktf_provider_aws.s3_bucket_versioning import S3BucketVersioningA
from fixtures import Synthesized, synth

from modules.private_bucket import PrivateBucket, PrivateBucketProps

PROPS = PrivateBucketProps(bucket_name="acme-ui", protect=False)
BUCKET = S3Bucket.TF_RESOURCE_TYPE
LIFECYCLE = S3BucketLifecycleConfiguration.TF_RESOURCE_TYPE
#: Every resource the construct creates, with the logging one only when access_log_bucket is set.
SETTINGS = (
    S3BucketPublicAccessBlock,
    S3BucketOwnershipControls,
    S3BucketServerSideEncryptionConfigurationA,
    S3BucketVersioningA,
    S3BucketLifecycleConfiguration,
)


def build(props: PrivateBucketProps = PROPS) -> Synthesized:
    return synth(lambda stack: PrivateBucket(stack, "bucket", props))


def rule(out: Synthesized) -> dict:
    rules = out.one(LIFECYCLE)["rule"]
    assert len(rules) == 1
    return rules[0]


def test_bucket_is_named_and_destroyable_by_default():
    bucket = build().one(BUCKET)
    assert bucket == {"bucket": "acme-ui", "force_destroy": True, "lifecycle": {"prevent_destroy": False}}


def test_every_public_access_is_blocked():
    out = build()
    assert out.one(S3BucketPublicAccessBlock.TF_RESOURCE_TYPE) == {
        "bucket": f"${{{out.address(BUCKET, 'bucket')}.id}}",
        "block_public_acls": True,
        "block_public_policy": True,
        "ignore_public_acls": True,
        "restrict_public_buckets": True,
    }


def test_objects_are_encrypted_with_sse_s3_and_a_bucket_key():
    assert build().one(S3BucketServerSideEncryptionConfigurationA.TF_RESOURCE_TYPE)["rule"] == [
        {"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}, "bucket_key_enabled": True}
    ]


def test_versioning_is_enabled_and_the_lifecycle_waits_for_it():
    out = build()
    assert out.one(S3BucketVersioningA.TF_RESOURCE_TYPE)["versioning_configuration"] == {"status": "Enabled"}
    assert out.one(LIFECYCLE)["depends_on"] == [out.address(S3BucketVersioningA.TF_RESOURCE_TYPE, "versioning")]


def test_default_ownership_disables_acls():
    assert Testing.to_have_resource_with_properties(
        build().text, S3BucketOwnershipControls.TF_RESOURCE_TYPE, {"rule": {"object_ownership": "BucketOwnerEnforced"}}
    )


def test_default_lifecycle_expires_old_versions_after_90_days_and_never_current_objects():
    assert rule(build()) == {
        "id": "expire-old-versions",
        "status": "Enabled",
        "filter": [{"prefix": ""}],
        "noncurrent_version_expiration": [{"noncurrent_days": 90}],
        "abort_incomplete_multipart_upload": [{"days_after_initiation": 7}],
    }


def test_no_access_logging_by_default():
    assert build().resources(S3BucketLoggingA.TF_RESOURCE_TYPE) == []


def test_protect_keeps_the_bucket_on_destroy():
    bucket = build(replace(PROPS, protect=True)).one(BUCKET)
    assert (bucket["force_destroy"], bucket["lifecycle"]) == (False, {"prevent_destroy": True})
    assert build().one(BUCKET)["force_destroy"] is True


def test_provider_places_every_resource_in_its_region():
    def with_provider(stack):
        west = AwsProvider(stack, "aws-us-west-2", region="us-west-2", alias="us-west-2")
        PrivateBucket(stack, "bucket", replace(PROPS, provider=west, access_log_bucket="acme-logs-us-west-2"))

    out = synth(with_provider)
    for cls in (S3Bucket, S3BucketLoggingA) + SETTINGS:
        assert out.one(cls.TF_RESOURCE_TYPE)["provider"] == "aws.us-west-2", cls.TF_RESOURCE_TYPE
    default = build()
    for cls in (S3Bucket,) + SETTINGS:
        assert "provider" not in default.one(cls.TF_RESOURCE_TYPE), cls.TF_RESOURCE_TYPE


def test_noncurrent_version_days_sets_how_long_old_versions_stay():
    assert rule(build(replace(PROPS, noncurrent_version_days=7)))["noncurrent_version_expiration"] == [
        {"noncurrent_days": 7}
    ]
    assert rule(build())["noncurrent_version_expiration"] != [{"noncurrent_days": 7}]


def test_access_log_bucket_sends_server_access_logs_under_the_buckets_own_prefix():
    out = build(replace(PROPS, access_log_bucket="acme-logs-us-east-2"))
    assert out.one(S3BucketLoggingA.TF_RESOURCE_TYPE) == {
        "bucket": f"${{{out.address(BUCKET, 'bucket')}.id}}",
        "target_bucket": "acme-logs-us-east-2",
        "target_prefix": "s3/acme-ui/",
    }


def test_expiration_days_expires_current_objects_and_renames_the_rule():
    changed = rule(build(replace(PROPS, expiration_days=30)))
    assert changed["id"] == "expire-objects"
    assert changed["expiration"] == [{"days": 30}]
    assert changed["noncurrent_version_expiration"] == [{"noncurrent_days": 90}]
    default = rule(build())
    assert default["id"] == "expire-old-versions" and "expiration" not in default


def test_object_ownership_can_enable_acls():
    out = build(replace(PROPS, object_ownership="BucketOwnerPreferred"))
    assert out.one(S3BucketOwnershipControls.TF_RESOURCE_TYPE)["rule"] == {"object_ownership": "BucketOwnerPreferred"}
    default = build().one(S3BucketOwnershipControls.TF_RESOURCE_TYPE)["rule"]
    assert default != {"object_ownership": "BucketOwnerPreferred"}
