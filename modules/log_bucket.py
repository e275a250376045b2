"""One region's access-log bucket: S3 server access logs of the region's buckets, and CloudFront's logs.

S3 delivers server access logs only to a bucket in the source bucket's own
region, so every served region gets one; the home region's also receives the
distribution's standard (legacy) logs.

* Versioned like every other bucket: log objects are written once and never
  overwritten, so versioning costs nothing, and a deleted log stays
  recoverable as a noncurrent version for ``noncurrent_version_days``.
* Current objects expire after ``retention_days`` (platform.yaml
  ``logRetentionDays``).
* SSE-S3, not SSE-KMS: S3 server access logging can only deliver to a target
  bucket with SSE-S3 default encryption
  (https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html).
* Object ownership ``BucketOwnerPreferred`` (ACLs enabled): CloudFront standard
  logging to S3 writes through an ACL grant to the awslogsdelivery account,
  which CloudFront adds itself when the distribution's logging is configured;
  with ACLs disabled it cannot deliver
  (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging-legacy-s3.html).
  The public access block still refuses any public ACL.
* S3 server access logs are delivered through the bucket policy (the
  recommended way, no ACL), to ``logging.s3.amazonaws.com`` from this account's
  source buckets only.
* It does not log its own access (that would log the log deliveries, forever).
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import TerraformProvider
from cdktf_cdktf_provider_aws.s3_bucket_policy import S3BucketPolicy
from constructs import Construct

from .policy_document import deny_insecure_transport, policy_document
from .private_bucket import PrivateBucket, PrivateBucketProps
from .stack_base import AwsAccount


@dataclass(frozen=True)
class LogBucketProps:
    """``source_buckets``: names of the buckets (in this region) whose server access logs land here.

    ``retention_days``: log objects expire after this many days. ``provider`` selects the region (default: the
    stack's). ``protect`` as for every shared bucket (PrivateBucketProps).
    """

    account: AwsAccount
    bucket_name: str
    protect: bool
    retention_days: int
    source_buckets: tuple[str, ...]
    provider: TerraformProvider | None = None
    #: Deleted or expired log objects stay recoverable this long. Default 30 days.
    noncurrent_version_days: int = 30


class LogBucket(Construct):
    """The private log bucket and its delivery policy.

    ``target`` is the bucket name to give ``aws_s3_bucket_logging`` and CloudFront: it is read from the policy
    resource, so every logging configuration waits until delivery is allowed. ``ownership`` is the resource that
    enables ACLs, which CloudFront's logging needs first.
    """

    def __init__(self, scope: Construct, id: str, props: LogBucketProps):
        super().__init__(scope, id)
        p = props.provider
        self.private = PrivateBucket(
            self,
            "bucket",
            PrivateBucketProps(
                props.bucket_name,
                props.protect,
                p,
                noncurrent_version_days=props.noncurrent_version_days,
                expiration_days=props.retention_days,
                object_ownership="BucketOwnerPreferred",
            ),
        )
        self.bucket, self.ownership = self.private.bucket, self.private.ownership
        account, partition = props.account.id, props.account.partition
        arn = self.bucket.arn
        document = policy_document(
            self,
            "policy-document",
            [
                {
                    # https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html#grant-log-delivery-permissions-general
                    "sid": "S3ServerAccessLogs",
                    "effect": "Allow",
                    "actions": ["s3:PutObject"],
                    "resources": [f"{arn}/*"],
                    "principals": [{"type": "Service", "identifiers": ["logging.s3.amazonaws.com"]}],
                    "condition": [
                        {"test": "StringEquals", "variable": "aws:SourceAccount", "values": [account]},
                        {
                            "test": "ArnLike",
                            "variable": "aws:SourceArn",
                            "values": [f"arn:{partition}:s3:::{name}" for name in props.source_buckets],
                        },
                    ],
                },
                deny_insecure_transport(arn),
            ],
        )
        policy = S3BucketPolicy(self, "policy", bucket=self.bucket.id, policy=document.json, provider=p)
        self.target = policy.bucket
