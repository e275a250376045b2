"""A private S3 bucket: no public access, owner-enforced, encrypted, versioned."""
from __future__ import annotations

from dataclasses import dataclass

from cdktf import TerraformProvider, TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
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
    """

    bucket_name: str
    protect: bool
    provider: TerraformProvider | None = None


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
