"""A private S3 bucket: no public access, owner-enforced, encrypted, versioned, old versions expired."""
from __future__ import annotations

from dataclasses import dataclass

from cdktf import TerraformProvider, TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
from cdktf_cdktf_provider_aws.s3_bucket_lifecycle_configuration import (
    S3BucketLifecycleConfiguration,
    S3BucketLifecycleConfigurationRule,
    S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload,
    S3BucketLifecycleConfigurationRuleFilter,
    S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration,
)
from cdktf_cdktf_provider_aws.s3_bucket_ownership_controls import S3BucketOwnershipControls
from cdktf_cdktf_provider_aws.s3_bucket_public_access_block import S3BucketPublicAccessBlock
from cdktf_cdktf_provider_aws.s3_bucket_server_side_encryption_configuration import (
    S3BucketServerSideEncryptionConfigurationA,
    S3BucketServerSideEncryptionConfigurationRuleA,
)
from cdktf_cdktf_provider_aws.s3_bucket_versioning import S3BucketVersioningA
from constructs import Construct


@dataclass(frozen=True)
class PrivateBucketProps:
    """``protect`` keeps the bucket on ``terraform destroy`` (prevent_destroy, no force_destroy).

    ``provider`` selects a regional provider; the stack's default when None.
    ``noncurrent_version_days``: overwritten or deleted versions are kept this long (default 90 days), then expired.
    """

    bucket_name: str
    protect: bool
    provider: TerraformProvider | None = None
    noncurrent_version_days: int = 90


class PrivateBucket(Construct):
    """The bucket plus the settings that make it private. Objects should depend on ``versioning``."""

    def __init__(self, scope: Construct, id: str, props: PrivateBucketProps):
        super().__init__(scope, id)
        p = props.provider
        self.bucket = S3Bucket(
            self, "bucket", bucket=props.bucket_name, provider=p,
            force_destroy=not props.protect,
            lifecycle=TerraformResourceLifecycle(prevent_destroy=props.protect),
        )
        S3BucketPublicAccessBlock(
            self, "public-access-block", bucket=self.bucket.id, provider=p,
            block_public_acls=True, block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True,
        )
        S3BucketOwnershipControls(self, "ownership", bucket=self.bucket.id, provider=p,
                                  rule={"object_ownership": "BucketOwnerEnforced"})
        S3BucketServerSideEncryptionConfigurationA(
            self, "encryption", bucket=self.bucket.id, provider=p,
            rule=[S3BucketServerSideEncryptionConfigurationRuleA(
                apply_server_side_encryption_by_default={"sse_algorithm": "AES256"}, bucket_key_enabled=True,
            )],
        )
        # Objects written before versioning is enabled end up unversioned; they depend on this resource.
        self.versioning = S3BucketVersioningA(self, "versioning", bucket=self.bucket.id, provider=p,
                                              versioning_configuration={"status": "Enabled"})
        # Versioning keeps every overwritten object forever unless old versions expire.
        S3BucketLifecycleConfiguration(
            self, "lifecycle", bucket=self.bucket.id, provider=p, depends_on=[self.versioning],
            rule=[S3BucketLifecycleConfigurationRule(
                id="expire-old-versions", status="Enabled", filter=[S3BucketLifecycleConfigurationRuleFilter(prefix="")],
                noncurrent_version_expiration=[S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(
                    noncurrent_days=props.noncurrent_version_days)],
                abort_incomplete_multipart_upload=[S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(
                    days_after_initiation=7)],
            )],
        )
