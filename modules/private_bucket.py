"""A private S3 bucket: no public access, owner-enforced, encrypted, versioned, old versions expired,
access logged to its region's log bucket."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import TerraformProvider, TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
from cdktf_cdktf_provider_aws.s3_bucket_lifecycle_configuration import (
    S3BucketLifecycleConfiguration,
    S3BucketLifecycleConfigurationRule,
    S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload,
    S3BucketLifecycleConfigurationRuleExpiration,
    S3BucketLifecycleConfigurationRuleFilter,
    S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration,
)
from cdktf_cdktf_provider_aws.s3_bucket_logging import S3BucketLoggingA
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
    ``access_log_bucket``: the log bucket (same region) that receives this bucket's S3 server access logs under
    ``s3/<bucket name>/``. Default None: no access logging (only the log bucket itself, which cannot log to itself).
    ``expiration_days``: current objects expire this many days after creation. Default None: never.
    ``object_ownership``: default ``BucketOwnerEnforced`` (ACLs disabled); the log bucket needs
    ``BucketOwnerPreferred`` for CloudFront's legacy logging ACL grant.
    """

    bucket_name: str
    protect: bool
    provider: TerraformProvider | None = None
    noncurrent_version_days: int = 90
    access_log_bucket: str | None = None
    expiration_days: int | None = None
    object_ownership: str = "BucketOwnerEnforced"


class PrivateBucket(Construct):
    """The bucket plus the settings that make it private. Objects should depend on ``versioning``."""

    def __init__(self, scope: Construct, id: str, props: PrivateBucketProps):
        super().__init__(scope, id)
        p = props.provider
        self.bucket = S3Bucket(
            self,
            "bucket",
            bucket=props.bucket_name,
            provider=p,
            force_destroy=not props.protect,
            lifecycle=TerraformResourceLifecycle(prevent_destroy=props.protect),
        )
        S3BucketPublicAccessBlock(
            self,
            "public-access-block",
            bucket=self.bucket.id,
            provider=p,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
        )
        self.ownership = S3BucketOwnershipControls(
            self, "ownership", bucket=self.bucket.id, provider=p, rule={"object_ownership": props.object_ownership}
        )
        S3BucketServerSideEncryptionConfigurationA(
            self,
            "encryption",
            bucket=self.bucket.id,
            provider=p,
            rule=[
                S3BucketServerSideEncryptionConfigurationRuleA(
                    apply_server_side_encryption_by_default={"sse_algorithm": "AES256"},
                    bucket_key_enabled=True,
                )
            ],
        )
        # Objects written before versioning is enabled end up unversioned; they depend on this resource.
        self.versioning = S3BucketVersioningA(
            self, "versioning", bucket=self.bucket.id, provider=p, versioning_configuration={"status": "Enabled"}
        )
        # Versioning keeps every overwritten object forever unless old versions expire.
        S3BucketLifecycleConfiguration(
            self,
            "lifecycle",
            bucket=self.bucket.id,
            provider=p,
            depends_on=[self.versioning],
            rule=[
                S3BucketLifecycleConfigurationRule(
                    id="expire-objects" if props.expiration_days else "expire-old-versions",
                    status="Enabled",
                    filter=[S3BucketLifecycleConfigurationRuleFilter(prefix="")],
                    noncurrent_version_expiration=[
                        S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(
                            noncurrent_days=props.noncurrent_version_days
                        )
                    ],
                    abort_incomplete_multipart_upload=[
                        S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(days_after_initiation=7)
                    ],
                    expiration=[S3BucketLifecycleConfigurationRuleExpiration(days=props.expiration_days)]
                    if props.expiration_days
                    else None,
                )
            ],
        )
        if props.access_log_bucket is not None:
            S3BucketLoggingA(
                self,
                "access-logging",
                bucket=self.bucket.id,
                provider=p,
                target_bucket=props.access_log_bucket,
                target_prefix=f"s3/{props.bucket_name}/",
            )
