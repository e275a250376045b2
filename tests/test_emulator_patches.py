"""The emulator's fixes to moto (generator/local/moto_server.py), through the AWS APIs, on the server `local up` runs.

Application Auto Scaling's tags (moto has no tagging calls and drops RegisterScalableTarget's Tags) and S3 bucket
policies evaluated without their conditioned statements (moto would take every such statement as a Deny).
The Lambda and DynamoDB fixes: tests/test_emulator_lambda_replay.py.
"""

from __future__ import annotations

import itertools
import json

import pytest
from botocore.exceptions import ClientError
from emulator_patch_calls import WRITE, deregister, register, statement, tags


@pytest.fixture
def scaling(emulator_aws):
    return emulator_aws("application-autoscaling", "us-east-2")


def test_a_scalable_target_keeps_the_tags_it_was_registered_with_and_each_its_own(scaling):
    first = register(scaling, "tagged-a", Tags={"team": "a", "app": "inventory"})
    second = register(scaling, "tagged-b", Tags={"team": "b"})
    untagged = register(scaling, "untagged")
    assert first != second
    assert tags(scaling, first) == {"team": "a", "app": "inventory"}
    assert tags(scaling, second) == {"team": "b"}
    assert tags(scaling, untagged) == {}


def test_registering_again_adds_to_the_tags_and_replaces_a_value(scaling):
    arn = register(scaling, "again", Tags={"team": "a", "app": "inventory"})
    assert register(scaling, "again", Tags={"team": "c", "env": "prod"}) == arn
    assert tags(scaling, arn) == {"team": "c", "app": "inventory", "env": "prod"}
    assert register(scaling, "again") == arn  # without Tags: they stay
    assert tags(scaling, arn) == {"team": "c", "app": "inventory", "env": "prod"}


def test_tag_and_untag_a_scalable_target(scaling):
    arn = register(scaling, "retag", Tags={"team": "a"})
    answer = scaling.tag_resource(ResourceARN=arn, Tags={"app": "inventory"})
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert tags(scaling, arn) == {"team": "a", "app": "inventory"}  # added to, not replaced
    scaling.tag_resource(ResourceARN=arn, Tags={"team": "b"})
    assert tags(scaling, arn) == {"team": "b", "app": "inventory"}
    scaling.untag_resource(ResourceARN=arn, TagKeys=["team", "not-a-tag"])
    assert tags(scaling, arn) == {"app": "inventory"}
    scaling.untag_resource(ResourceARN=arn, TagKeys=["app"])
    assert tags(scaling, arn) == {}


def test_tag_and_untag_answer_an_empty_json_object_as_aws_does(scaling):
    """The provider's SDK parses the body: it must be JSON (boto3 takes anything)."""
    bodies = []
    scaling.meta.events.register("after-call", lambda http_response, **_: bodies.append(http_response.content))
    arn = register(scaling, "answers")
    scaling.tag_resource(ResourceARN=arn, Tags={"team": "a"})
    scaling.untag_resource(ResourceARN=arn, TagKeys=["team"])
    assert bodies[1:] == [b"{}", b"{}"]


def test_tags_of_a_resource_never_tagged_are_empty_and_untagging_it_is_no_error(scaling):
    arn = "arn:aws:application-autoscaling:us-east-2:123456789012:scalable-target/never"
    scaling.untag_resource(ResourceARN=arn, TagKeys=["team"])
    assert tags(scaling, arn) == {}
    scaling.tag_resource(ResourceARN=arn, Tags={"team": "a"})
    assert tags(scaling, arn) == {"team": "a"}


def test_a_deregistered_target_loses_its_tags_and_a_new_one_starts_without(scaling):
    arn = register(scaling, "gone", Tags={"team": "a"})
    kept = register(scaling, "stays", Tags={"team": "b"})
    deregister(scaling, "gone")
    assert (
        scaling.describe_scalable_targets(ServiceNamespace="dynamodb", ResourceIds=["table/gone"])["ScalableTargets"]
        == []
    )
    assert tags(scaling, arn) == {}
    assert tags(scaling, kept) == {"team": "b"}
    assert tags(scaling, register(scaling, "gone")) == {}


def test_deregistering_one_dimension_of_a_table_keeps_the_tags_of_the_other(scaling):
    """A table's reads and writes are two scalable targets (the prod table's auto scaling registers both)."""
    read = register(scaling, "two", Tags={"side": "read"})
    write = register(scaling, "two", WRITE, Tags={"side": "write"})
    deregister(scaling, "two")
    assert (tags(scaling, read), tags(scaling, write)) == ({}, {"side": "write"})


_BUCKETS = itertools.count()


@pytest.fixture
def bucket(emulator_aws):
    name = f"policy-{next(_BUCKETS)}"
    s3 = emulator_aws("s3", "us-east-2")
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "us-east-2"})
    return s3, name


def put(s3, name: str, key: str = "a/index.html") -> int:
    """The HTTP status of a signed PutObject (moto's 403 for a bucket policy's Deny has no error code)."""
    try:
        return s3.put_object(Bucket=name, Key=key, Body=b"<p>hi</p>")["ResponseMetadata"]["HTTPStatusCode"]
    except ClientError as err:
        return err.response["ResponseMetadata"]["HTTPStatusCode"]


def test_the_ui_buckets_conditioned_policy_lets_a_signed_write_through_and_is_stored_as_sent(bucket):
    """The shared UI bucket's shape: Allow CloudFront on its SourceArn, Deny any request over plain HTTP."""
    s3, name = bucket
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                **statement("Allow", "s3:GetObject", f"arn:aws:s3:::{name}/*"),
                "Principal": {"Service": "cloudfront.amazonaws.com"},
                "Condition": {"StringEquals": {"AWS:SourceArn": "arn:aws:cloudfront::123456789012:distribution/E1"}},
            },
            statement("Deny", "s3:*", f"arn:aws:s3:::{name}/*", {"Bool": {"aws:SecureTransport": "false"}}),
        ],
    }
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))
    assert put(s3, name) == 200
    assert json.loads(s3.get_bucket_policy(Bucket=name)["Policy"]) == policy


@pytest.mark.parametrize("as_list", [True, False], ids=["statement-list", "single-statement"])
def test_an_unconditioned_deny_still_denies(bucket, as_list):
    s3, name = bucket
    deny = statement("Deny", "s3:PutObject", f"arn:aws:s3:::{name}/locked/*")
    s3.put_bucket_policy(
        Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": [deny] if as_list else deny})
    )
    assert (put(s3, name, "locked/x"), put(s3, name, "open/x")) == (403, 200)


def test_an_unconditioned_deny_beside_conditioned_statements_still_denies(bucket):
    s3, name = bucket
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            statement("Deny", "s3:*", f"arn:aws:s3:::{name}/*", {"Bool": {"aws:SecureTransport": "false"}}),
            statement("Deny", "s3:PutObject", f"arn:aws:s3:::{name}/locked/*"),
        ],
    }
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))
    assert (put(s3, name, "locked/x"), put(s3, name, "open/x")) == (403, 200)


def _config(name: str, frame: str = "DENY") -> dict:
    return {
        "Name": name,
        "Comment": "security headers",
        "SecurityHeadersConfig": {"FrameOptions": {"FrameOption": frame, "Override": True}},
    }


def _code(call) -> str:
    with pytest.raises(ClientError) as raised:
        call()
    return raised.value.response["Error"]["Code"]


@pytest.fixture
def cloudfront(emulator_aws):
    return emulator_aws("cloudfront")


def test_a_response_headers_policy_is_kept_as_sent_and_read_back(cloudfront):
    created = cloudfront.create_response_headers_policy(ResponseHeadersPolicyConfig=_config("kept"))
    policy_id, etag = created["ResponseHeadersPolicy"]["Id"], created["ETag"]
    assert created["Location"] == f"https://cloudfront.amazonaws.com/2020-05-31/response-headers-policy/{policy_id}"
    assert created["ResponseHeadersPolicy"]["ResponseHeadersPolicyConfig"] == _config("kept")
    got = cloudfront.get_response_headers_policy(Id=policy_id)
    assert (got["ETag"], got["ResponseHeadersPolicy"]["Id"]) == (etag, policy_id)
    assert got["ResponseHeadersPolicy"]["ResponseHeadersPolicyConfig"] == _config("kept")
    config = cloudfront.get_response_headers_policy_config(Id=policy_id)
    assert (config["ETag"], config["ResponseHeadersPolicyConfig"]) == (etag, _config("kept"))
    assert _code(lambda: cloudfront.create_response_headers_policy(ResponseHeadersPolicyConfig=_config("kept"))) == (
        "ResponseHeadersPolicyAlreadyExists"
    )
    assert _code(lambda: cloudfront.get_response_headers_policy(Id="no-such-id")) == "NoSuchResponseHeadersPolicy"


def test_a_response_headers_policy_is_updated_and_deleted_only_with_its_current_etag(cloudfront):
    created = cloudfront.create_response_headers_policy(ResponseHeadersPolicyConfig=_config("versioned"))
    policy_id, etag = created["ResponseHeadersPolicy"]["Id"], created["ETag"]

    def update(if_match: str) -> dict:
        return cloudfront.update_response_headers_policy(
            Id=policy_id, IfMatch=if_match, ResponseHeadersPolicyConfig=_config("versioned", "SAMEORIGIN")
        )

    assert _code(lambda: update("stale")) == "PreconditionFailed"
    assert cloudfront.get_response_headers_policy_config(Id=policy_id)["ResponseHeadersPolicyConfig"] == _config(
        "versioned"
    )
    updated = update(etag)
    assert updated["ETag"] != etag
    assert updated["ResponseHeadersPolicy"]["ResponseHeadersPolicyConfig"] == _config("versioned", "SAMEORIGIN")
    assert cloudfront.get_response_headers_policy(Id=policy_id)["ETag"] == updated["ETag"]
    assert _code(lambda: cloudfront.delete_response_headers_policy(Id=policy_id, IfMatch=etag)) == "PreconditionFailed"
    cloudfront.delete_response_headers_policy(Id=policy_id, IfMatch=updated["ETag"])
    assert _code(lambda: cloudfront.get_response_headers_policy(Id=policy_id)) == "NoSuchResponseHeadersPolicy"
    assert _code(lambda: cloudfront.delete_response_headers_policy(Id=policy_id, IfMatch="x")) == (
        "NoSuchResponseHeadersPolicy"
    )


def test_the_custom_response_headers_policies_are_listed_and_none_as_managed(cloudfront):
    ids = {
        cloudfront.create_response_headers_policy(ResponseHeadersPolicyConfig=_config(name))["ResponseHeadersPolicy"][
            "Id"
        ]
        for name in ("listed-a", "listed-b")
    }

    def listed(**kind) -> set[str]:
        listing = cloudfront.list_response_headers_policies(**kind)["ResponseHeadersPolicyList"]
        return {item["ResponseHeadersPolicy"]["Id"] for item in listing.get("Items") or []}

    assert ids <= listed() and ids <= listed(Type="custom")
    assert listed(Type="managed") == set()
