"""One region's platform assets bucket, holding the Lambda bundle under functions/.

Lambda reads its code from S3 in its own region only, so every served region
gets a bucket and a copy of the bundle.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import TerraformProvider
from cdktf_cdktf_provider_aws.s3_bucket_policy import S3BucketPolicy
from cdktf_cdktf_provider_aws.s3_object import S3Object
from constructs import Construct

from .policy_document import deny_insecure_transport, policy_document
from .private_bucket import PrivateBucket, PrivateBucketProps


@dataclass(frozen=True)
class AssetsBucketProps:
    """``bundle_source`` is the bundle's path inside the stack's assets; ``bundle_key`` carries its hash."""

    bucket_name: str
    protect: bool
    bundle_source: str
    bundle_key: str
    bundle_sha256: str
    provider: TerraformProvider | None = None
    #: The same region's log bucket for S3 server access logs (see PrivateBucketProps). Default None: none.
    access_log_bucket: str | None = None


class AssetsBucket(Construct):
    """Private bucket, a TLS-only bucket policy, and the function bundle object."""

    def __init__(self, scope: Construct, id: str, props: AssetsBucketProps):
        super().__init__(scope, id)
        self.private = PrivateBucket(
            self,
            "bucket",
            PrivateBucketProps(
                props.bucket_name, props.protect, props.provider, access_log_bucket=props.access_log_bucket
            ),
        )
        self.bucket = self.private.bucket
        document = policy_document(self, "policy-document", [deny_insecure_transport(self.bucket.arn)])
        S3BucketPolicy(self, "policy", bucket=self.bucket.id, policy=document.json, provider=props.provider)
        S3Object(
            self,
            "function-bundle",
            provider=props.provider,
            depends_on=[self.private.versioning],
            bucket=self.bucket.id,
            key=props.bundle_key,
            source=props.bundle_source,
            source_hash=props.bundle_sha256,
            content_type="application/zip",
        )
