"""The emulator's fixes to moto (generator/local/moto_server.py), installed and driven in the pytest process.

tests/test_emulator_patches.py and tests/test_emulator_lambda_replay.py check the same fixes on the server
``local up`` starts, a process of its own: each module pays its start, and a mutant of moto_server.py is only
judged there through that process (about 30 s a mutant). Here every test calls the installer it checks, in a
fixture or in the test (mutation testing counts a call for the test that made it, and a mutant is active only
while a test runs), then sends its requests with boto3 under ``moto.mock_aws()``, which hands them to the same
moto Response classes the server uses. Whatever an installer put on moto's classes (and on CloudFront's url
paths) is taken off again after each test, so the rest of the session sees plain moto. ``main`` and
``_serve_inherited_socket`` run with moto's server and werkzeug's stood in, recording what they were given.

Covered: S3 bucket policies without their conditioned statements, Application Auto Scaling's tags, the replay of
an unchanged Lambda CreateFunction, DynamoDB's not-found message, CloudFront's response headers policies, the
command line and the inherited socket. The whole file takes seconds, and each mutant only the few tests that
reach the function it changes.
"""

from __future__ import annotations

import datetime
import functools
import inspect
import io
import json
import re
import signal
import sys
import time
import uuid
import zipfile

import boto3
import botocore.config
import moto
import pytest
import werkzeug.serving
from botocore.exceptions import ClientError
from emulator_patch_calls import WRITE, deregister, register, statement, tags
from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse
from moto.awslambda.responses import LambdaResponse
from moto.cloudfront import urls as cloudfront_urls
from moto.cloudfront.responses import CloudFrontResponse
from moto.dynamodb.models import DynamoDBBackend
from moto.iam.access_control import PermissionResult
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from moto.s3.models import FakeBucket

from generator.local import moto_server

ACCOUNT = "123456789012"  # moto's default account
OTHER_ACCOUNT = "111111111111"
PATCHED_CLASSES = (FakeBucket, ApplicationAutoScalingResponse, LambdaResponse, DynamoDBBackend, CloudFrontResponse)

#: What each installer puts on moto, by class: every attribute it sets (or adds).
INSTALLED = {
    "_unconditional_statements_only": {"FakeBucket": ["get_permission"]},
    "_application_autoscaling_tags": {
        "ApplicationAutoScalingResponse": [
            "deregister_scalable_target",
            "list_tags_for_resource",
            "register_scalable_target",
            "tag_resource",
            "untag_resource",
        ]
    },
    "_lambda_create_replay": {
        "LambdaResponse": [
            "create_function",
            "delete_function",
            "update_function_code",
            "update_function_configuration",
        ]
    },
    "_dynamodb_missing_table_named": {"DynamoDBBackend": ["get_table"]},
    "_cloudfront_response_headers_policies": {
        "CloudFrontResponse": [
            "create_response_headers_policy",
            "delete_response_headers_policy",
            "get_response_headers_policy",
            "get_response_headers_policy_config",
            "list_response_headers_policies",
            "update_response_headers_policy",
        ]
    },
}

#: The url paths the CloudFront installer adds (moto's server turns each into a Flask route).
CLOUDFRONT_PATHS = {
    "{0}/2020-05-31/response-headers-policy$",
    "{0}/2020-05-31/response-headers-policy/(?P<policy_id>[^/]+)$",
    "{0}/2020-05-31/response-headers-policy/(?P<policy_id>[^/]+)/config$",
}


def _functions(cls: type) -> dict[str, object]:
    return {name: value for name, value in vars(cls).items() if inspect.isfunction(value)}


@pytest.fixture
def plain_moto():
    """Puts moto's functions back on its classes, and CloudFront's url paths, as they were before the test;
    yields ``changed()``: the functions the test has set on those classes so far, by class name.

    Only functions: moto itself resets class attributes of its own (FakeBucket.instances_tracked) as it runs."""
    saved = {cls: _functions(cls) for cls in PATCHED_CLASSES}
    paths = dict(cloudfront_urls.url_paths)

    def changed() -> dict[str, list[str]]:
        found = {
            cls.__name__: sorted(name for name, value in _functions(cls).items() if saved[cls].get(name) is not value)
            for cls in PATCHED_CLASSES
        }
        return {name: names for name, names in found.items() if names}

    yield changed
    for cls, functions in saved.items():
        for name, value in _functions(cls).items():
            if name not in functions:
                delattr(cls, name)
            elif functions[name] is not value:
                setattr(cls, name, functions[name])
    cloudfront_urls.url_paths.clear()
    cloudfront_urls.url_paths.update(paths)


@functools.cache
def _session() -> boto3.session.Session:
    """One boto3 session for the file: it loads each service's model once (``boto3.client`` would load it for
    every client, as mock_aws sets boto3's default session aside)."""
    return boto3.session.Session()


@pytest.fixture
def aws(monkeypatch):
    """``aws(service, region="us-east-1")``: a boto3 client on moto in this process, with fake credentials."""
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.setenv(variable, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for variable in ("AWS_PROFILE", "MOTO_ACCOUNT_ID"):
        monkeypatch.delenv(variable, raising=False)
    with moto.mock_aws():
        yield lambda service, region="us-east-1": _session().client(service, region_name=region)


@pytest.fixture
def in_account(monkeypatch):
    """``in_account(id)``: the requests that follow are made in account ``id`` (moto reads MOTO_ACCOUNT_ID)."""
    return lambda account: monkeypatch.setenv("MOTO_ACCOUNT_ID", account)


def error(call) -> tuple[int, dict]:
    """The HTTP status and the Error of a call that fails."""
    with pytest.raises(ClientError) as refused:
        call()
    return refused.value.response["ResponseMetadata"]["HTTPStatusCode"], refused.value.response["Error"]


def without_metadata(answer: dict) -> dict:
    return {k: v for k, v in answer.items() if k != "ResponseMetadata"}


def raw_bodies(client) -> list[tuple[int, bytes]]:
    """Every answer ``client`` gets from now on, as (HTTP status, body) sent by moto, in order."""
    bodies: list[tuple[int, bytes]] = []
    client.meta.events.register(
        "after-call", lambda http_response, **_: bodies.append((http_response.status_code, http_response.content))
    )
    return bodies


# --- What each installer puts on moto ---


@pytest.mark.parametrize("installer", sorted(INSTALLED))
def test_each_installer_sets_exactly_its_functions_each_under_its_own_name(plain_moto, installer):
    getattr(moto_server, installer)()
    assert plain_moto() == INSTALLED[installer]
    for class_name, names in INSTALLED[installer].items():
        cls = next(cls for cls in PATCHED_CLASSES if cls.__name__ == class_name)
        assert [getattr(cls, name).__name__ for name in names] == names


def test_the_cloudfront_installer_adds_the_three_response_headers_policy_paths_to_cloudfronts_urls(plain_moto):
    before = dict(cloudfront_urls.url_paths)
    moto_server._cloudfront_response_headers_policies()
    added = {path: handler for path, handler in cloudfront_urls.url_paths.items() if path not in before}
    assert added == dict.fromkeys(CLOUDFRONT_PATHS, CloudFrontResponse.dispatch)
    assert {path: cloudfront_urls.url_paths[path] for path in before} == before


# --- S3: bucket policies evaluated without their conditioned statements ---


SECURE_TRANSPORT_ONLY = {"Bool": {"aws:SecureTransport": "false"}}


def ui_bucket_policy(bucket: str) -> dict:
    """The shared UI bucket's shape: Allow CloudFront on its SourceArn, Deny any request over plain HTTP."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                **statement("Allow", "s3:GetObject", f"arn:aws:s3:::{bucket}/*"),
                "Principal": {"Service": "cloudfront.amazonaws.com"},
                "Condition": {"StringEquals": {"AWS:SourceArn": "arn:aws:cloudfront::123456789012:distribution/E1"}},
            },
            statement("Deny", "s3:*", f"arn:aws:s3:::{bucket}/*", SECURE_TRANSPORT_ONLY),
        ],
    }


@pytest.fixture
def s3(plain_moto, aws):
    moto_server._unconditional_statements_only()
    client = aws("s3")
    client.create_bucket(Bucket="site")
    return client


def put(s3, key: str = "a/index.html") -> int:
    """The HTTP status of a signed PutObject to the bucket "site" (moto's 403 for a policy's Deny has no code)."""
    try:
        return s3.put_object(Bucket="site", Key=key, Body=b"<p>hi</p>")["ResponseMetadata"]["HTTPStatusCode"]
    except ClientError as err:
        return err.response["ResponseMetadata"]["HTTPStatusCode"]


def set_policy(s3, policy: dict | str) -> None:
    s3.put_bucket_policy(Bucket="site", Policy=policy if isinstance(policy, str) else json.dumps(policy))


def test_a_bucket_without_a_policy_takes_writes(s3):
    assert (put(s3, "a/x"), put(s3, "locked/x")) == (200, 200)


def test_the_ui_buckets_conditioned_policy_lets_a_signed_write_through(s3):
    set_policy(s3, ui_bucket_policy("site"))
    assert put(s3) == 200


def test_a_policy_is_stored_and_returned_byte_for_byte_as_sent(s3):
    sent = json.dumps(ui_bucket_policy("site"), indent=3, sort_keys=True)  # not how moto or json.dumps would write it
    set_policy(s3, sent)
    assert s3.get_bucket_policy(Bucket="site")["Policy"] == sent


@pytest.mark.parametrize("as_list", [True, False], ids=["statement-list", "single-statement"])
def test_an_unconditioned_deny_denies_its_action_on_its_resources_only(s3, as_list):
    deny = statement("Deny", "s3:PutObject", "arn:aws:s3:::site/locked/*")
    set_policy(s3, {"Version": "2012-10-17", "Statement": [deny] if as_list else deny})
    assert (put(s3, "locked/x"), put(s3, "open/x")) == (403, 200)


def test_an_unconditioned_deny_beside_conditioned_statements_still_denies(s3):
    set_policy(
        s3,
        {
            "Version": "2012-10-17",
            "Statement": [
                statement("Deny", "s3:*", "arn:aws:s3:::site/*", SECURE_TRANSPORT_ONLY),
                statement("Deny", "s3:PutObject", "arn:aws:s3:::site/locked/*"),
            ],
        },
    )
    assert (put(s3, "locked/x"), put(s3, "open/x")) == (403, 200)


def test_a_deny_of_reads_leaves_writes_alone(s3):
    set_policy(s3, {"Version": "2012-10-17", "Statement": [statement("Deny", "s3:GetObject", "arn:aws:s3:::site/*")]})
    assert put(s3, "a/x") == 200


@pytest.mark.parametrize("as_list", [True, False], ids=["statement-list", "single-statement"])
def test_a_policy_of_conditioned_denies_only_is_no_deny(s3, as_list):
    deny = statement("Deny", "s3:*", "arn:aws:s3:::site/*", SECURE_TRANSPORT_ONLY)
    set_policy(s3, {"Version": "2012-10-17", "Statement": [deny] if as_list else deny})
    assert put(s3) == 200


def bucket_with(policy: dict | None, as_bytes: bool = True) -> FakeBucket:
    bucket = FakeBucket("site", ACCOUNT, "us-east-1")
    if policy is not None:
        bucket.policy = json.dumps(policy).encode() if as_bytes else json.dumps(policy)
    return bucket


READ_ALLOWED = {"Version": "2012-10-17", "Statement": [statement("Allow", "s3:GetObject", "arn:aws:s3:::site/*")]}
LOCKED = {"Version": "2012-10-17", "Statement": [statement("Deny", "s3:PutObject", "arn:aws:s3:::site/locked/*")]}
READ_ALLOWED_ON_CONDITION = {
    "Version": "2012-10-17",
    "Statement": [statement("Allow", "s3:GetObject", "arn:aws:s3:::site/*", SECURE_TRANSPORT_ONLY)],
}


@pytest.mark.parametrize("as_bytes", [True, False], ids=["bytes", "str"])  # moto stores the body as sent: bytes
@pytest.mark.parametrize(
    ("policy", "action", "key", "expected"),
    [
        (None, "s3:GetObject", "a/x", PermissionResult.NEUTRAL),
        ({"Version": "2012-10-17"}, "s3:GetObject", "a/x", PermissionResult.NEUTRAL),
        (READ_ALLOWED, "s3:GetObject", "a/x", PermissionResult.PERMITTED),
        (READ_ALLOWED, "s3:PutObject", "a/x", PermissionResult.NEUTRAL),
        (LOCKED, "s3:PutObject", "locked/x", PermissionResult.DENIED),
        (LOCKED, "s3:PutObject", "open/x", PermissionResult.NEUTRAL),
        (LOCKED, "s3:GetObject", "locked/x", PermissionResult.NEUTRAL),
        (READ_ALLOWED_ON_CONDITION, "s3:GetObject", "a/x", PermissionResult.NEUTRAL),
        (ui_bucket_policy("site"), "s3:PutObject", "a/x", PermissionResult.NEUTRAL),
    ],
    ids=[
        "no-policy",
        "no-statement",
        "allowed",
        "other-action",
        "denied",
        "other-prefix",
        "deny-of-other-action",
        "allow-on-condition",
        "ui-bucket",
    ],
)
def test_a_buckets_permission_is_its_unconditioned_statements_verdict(
    plain_moto, policy, action, key, expected, as_bytes
):
    moto_server._unconditional_statements_only()
    bucket = bucket_with(policy, as_bytes)
    assert bucket.get_permission(action, f"arn:aws:s3:::site/{key}") is expected


# --- Application Auto Scaling: tags per scalable target ---


@pytest.fixture
def scaling(plain_moto, aws):
    moto_server._application_autoscaling_tags()
    return aws("application-autoscaling")


def test_a_scalable_target_keeps_the_tags_it_was_registered_with_under_the_arn_register_answers(scaling):
    first = register(scaling, "tagged-a", Tags={"team": "a", "app": "inventory"})
    second = register(scaling, "tagged-b", Tags={"team": "b"})
    untagged = register(scaling, "untagged")
    assert first.startswith("arn:aws:application-autoscaling:us-east-1:123456789012:scalable-target/")
    assert (tags(scaling, first), tags(scaling, second), tags(scaling, untagged)) == (
        {"team": "a", "app": "inventory"},
        {"team": "b"},
        {},
    )


def test_registering_again_merges_the_tags_and_without_tags_keeps_them(scaling):
    arn = register(scaling, "again", Tags={"team": "a", "app": "inventory"})
    assert register(scaling, "again", Tags={"team": "c", "env": "prod"}) == arn
    assert tags(scaling, arn) == {"team": "c", "app": "inventory", "env": "prod"}
    assert register(scaling, "again") == arn
    assert tags(scaling, arn) == {"team": "c", "app": "inventory", "env": "prod"}


def test_register_answers_moto_s_own_body(scaling):
    bodies = raw_bodies(scaling)
    arn = register(scaling, "answered", Tags={"team": "a"})
    assert bodies == [(200, json.dumps({"ScalableTargetARN": arn}).encode())]


def test_tag_resource_adds_to_the_tags_and_replaces_a_value(scaling):
    arn = register(scaling, "retag", Tags={"team": "a"})
    scaling.tag_resource(ResourceARN=arn, Tags={"app": "inventory"})
    assert tags(scaling, arn) == {"team": "a", "app": "inventory"}
    scaling.tag_resource(ResourceARN=arn, Tags={"team": "b"})
    assert tags(scaling, arn) == {"team": "b", "app": "inventory"}


def test_untag_resource_drops_the_keys_named_and_an_unknown_key_is_no_error(scaling):
    arn = register(scaling, "untag", Tags={"team": "a", "app": "inventory", "env": "prod"})
    scaling.untag_resource(ResourceARN=arn, TagKeys=["team", "not-a-tag", "env"])
    assert tags(scaling, arn) == {"app": "inventory"}


def test_tag_untag_and_list_answer_aws_json_bodies(scaling):
    """The provider's SDK parses each body: tagging answers an empty JSON object, listing the tags object."""
    arn = register(scaling, "answers")
    bodies = raw_bodies(scaling)
    scaling.tag_resource(ResourceARN=arn, Tags={"team": "a"})
    scaling.list_tags_for_resource(ResourceARN=arn)
    scaling.untag_resource(ResourceARN=arn, TagKeys=["team"])
    scaling.list_tags_for_resource(ResourceARN=arn)
    assert bodies == [(200, b"{}"), (200, b'{"Tags": {"team": "a"}}'), (200, b"{}"), (200, b'{"Tags": {}}')]


def test_a_resource_never_tagged_lists_no_tags_and_untagging_it_is_no_error(scaling):
    arn = "arn:aws:application-autoscaling:us-east-1:123456789012:scalable-target/never"
    bodies = raw_bodies(scaling)
    scaling.list_tags_for_resource(ResourceARN=arn)
    scaling.untag_resource(ResourceARN=arn, TagKeys=["team"])
    scaling.list_tags_for_resource(ResourceARN=arn)
    assert bodies == [(200, b'{"Tags": {}}'), (200, b"{}"), (200, b'{"Tags": {}}')]
    scaling.tag_resource(ResourceARN=arn, Tags={"team": "a"})
    assert tags(scaling, arn) == {"team": "a"}


def test_a_deregistered_target_loses_its_tags_others_keep_theirs_and_it_comes_back_without(scaling):
    arn = register(scaling, "gone", Tags={"team": "a"})
    kept = register(scaling, "stays", Tags={"team": "b"})
    bodies = raw_bodies(scaling)
    deregister(scaling, "gone")
    assert bodies == [(200, b"{}")]
    assert scaling.describe_scalable_targets(ServiceNamespace="dynamodb")["ScalableTargets"][0]["ResourceId"] == (
        "table/stays"
    )
    assert (tags(scaling, arn), tags(scaling, kept)) == ({}, {"team": "b"})
    again = register(scaling, "gone")
    assert (again != arn, tags(scaling, again)) == (True, {})  # moto gives a registered target a new ARN


def test_deregistering_one_dimension_of_a_table_keeps_the_tags_of_the_other(scaling):
    """A table's reads and writes are two scalable targets (the prod table's auto scaling registers both)."""
    read = register(scaling, "two", Tags={"side": "read"})
    write = register(scaling, "two", WRITE, Tags={"side": "write"})
    deregister(scaling, "two", WRITE)
    assert (tags(scaling, read), tags(scaling, write)) == ({"side": "read"}, {})


def test_deregistering_an_unknown_target_is_refused_and_keeps_every_tag(scaling):
    arn = register(scaling, "known", Tags={"team": "a"})
    assert error(lambda: deregister(scaling, "unknown")) == (
        400,
        {
            "Code": "ValidationException",
            "Message": "No scalable target found for service namespace: dynamodb, resource ID: table/unknown, "
            "scalable dimension: dynamodb:table:ReadCapacityUnits",
        },
    )
    assert tags(scaling, arn) == {"team": "a"}


# --- Lambda: an unchanged CreateFunction sent again is answered as the first ---

TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def _archive(returns: int) -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(
            zipfile.ZipInfo("app.py", (2020, 1, 1, 0, 0, 0)), f"def handler(event, context):\n    return {returns}\n"
        )
    return archive.getvalue()


FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:replayed"
FUNCTION_IN_USE = {"Code": "ResourceConflictException", "Message": "Function already exist: replayed"}


def make_role(aws) -> str:
    return aws("iam").create_role(RoleName="runner", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]


@pytest.fixture
def create(plain_moto, aws):
    """``create(region="us-east-1", **changes)`` sends the CreateFunction of "replayed": the same body each time
    (boto3 writes the same bytes for the same arguments) unless ``changes`` are given."""
    moto_server._lambda_create_replay()
    role = make_role(aws)

    def send(region: str = "us-east-1", **changes) -> dict:
        spec = {
            "FunctionName": "replayed",
            "Runtime": "python3.12",
            "Role": role,
            "Handler": "app.handler",
            "Code": {"ZipFile": _archive(1)},
            "Description": "first",
        }
        return aws("lambda", region).create_function(**(spec | changes))

    return send


def status(answer: dict) -> int:
    return answer["ResponseMetadata"]["HTTPStatusCode"]


def test_the_same_create_again_is_answered_201_with_the_functions_configuration(aws, create):
    first = create()
    again = create()
    assert (status(first), status(again)) == (201, 201)
    assert (again["FunctionArn"], again["Description"], again["CodeSha256"]) == (
        FUNCTION_ARN,
        "first",
        first["CodeSha256"],
    )
    assert without_metadata(again) == aws("lambda").get_function(FunctionName="replayed")["Configuration"]
    assert status(create()) == 201  # and a third time
    assert [f["FunctionArn"] for f in aws("lambda").list_functions()["Functions"]] == [FUNCTION_ARN]


def test_a_different_create_of_an_existing_function_is_a_conflict_and_the_first_still_replays(aws, create):
    create()
    assert error(lambda: create(Description="second")) == (409, FUNCTION_IN_USE)
    assert aws("lambda").get_function(FunctionName="replayed")["Configuration"]["Description"] == "first"
    assert status(create()) == 201


# An update or delete may name the function by its ARN; a create names it by its name (moto 5.2 takes a
# FunctionName given as an ARN for the whole name, so no later call finds that function, replayed or not).
@pytest.mark.parametrize("named_by", ["replayed", FUNCTION_ARN], ids=["name", "arn"])
def test_after_a_configuration_update_the_same_create_is_a_conflict(aws, create, named_by):
    create()
    aws("lambda").update_function_configuration(FunctionName=named_by, Description="changed")
    assert error(create) == (409, FUNCTION_IN_USE)
    assert aws("lambda").get_function(FunctionName="replayed")["Configuration"]["Description"] == "changed"


@pytest.mark.parametrize("named_by", ["replayed", FUNCTION_ARN], ids=["name", "arn"])
def test_after_a_code_update_the_same_create_is_a_conflict(aws, create, named_by):
    first = create()
    updated = aws("lambda").update_function_code(FunctionName=named_by, ZipFile=_archive(2))
    assert updated["CodeSha256"] != first["CodeSha256"]
    assert error(create) == (409, FUNCTION_IN_USE)


def test_updates_in_a_row_each_succeed_after_the_replay_is_forgotten(aws, create):
    create()
    aws("lambda").update_function_configuration(FunctionName="replayed", Description="one")
    aws("lambda").update_function_configuration(FunctionName="replayed", Description="two")
    aws("lambda").update_function_code(FunctionName="replayed", ZipFile=_archive(2))
    aws("lambda").update_function_code(FunctionName="replayed", ZipFile=_archive(3))
    assert aws("lambda").get_function(FunctionName="replayed")["Configuration"]["Description"] == "two"
    assert error(create) == (409, FUNCTION_IN_USE)


@pytest.mark.parametrize("named_by", ["replayed", FUNCTION_ARN], ids=["name", "arn"])
def test_after_a_delete_the_same_create_makes_the_function_anew_and_is_replayed_again(aws, create, named_by):
    create()
    aws("lambda").delete_function(FunctionName=named_by)
    made = create()
    assert (status(made), made["FunctionArn"]) == (201, FUNCTION_ARN)
    assert aws("lambda").get_function(FunctionName="replayed")["Configuration"]["FunctionArn"] == FUNCTION_ARN
    assert status(create()) == 201


@pytest.mark.parametrize("named_by", [FUNCTION_ARN, "123456789012:function:replayed"], ids=["arn", "partial-arn"])
def test_a_function_created_by_its_arn_is_kept_under_its_name_and_replayed(aws, create, named_by):
    """AWS takes a name, an ARN or a partial ARN and keeps the function under its name (moto kept the whole
    string, so the function was not found by its name and a replay answered 404)."""
    made = create(FunctionName=named_by)
    assert (status(made), made["FunctionName"], made["FunctionArn"]) == (201, "replayed", FUNCTION_ARN)
    assert aws("lambda").get_function(FunctionName="replayed")["Configuration"]["FunctionArn"] == FUNCTION_ARN
    again = create(FunctionName=named_by)
    assert (status(again), again["FunctionArn"], again["Description"]) == (201, FUNCTION_ARN, "first")
    assert error(create) == (409, FUNCTION_IN_USE)  # the same function, named by its name: another body
    assert error(lambda: create(FunctionName=named_by, Description="second")) == (409, FUNCTION_IN_USE)
    assert [f["FunctionName"] for f in aws("lambda").list_functions()["Functions"]] == ["replayed"]


@pytest.mark.parametrize("spec", [{}, {"FunctionName": ""}, {"FunctionName": 7}], ids=["missing", "empty", "number"])
def test_a_create_without_a_usable_function_name_is_refused_with_400(plain_moto, aws, spec):
    """The SDKs refuse to send these; a hand-made request gets a 400, not moto's 500 (a KeyError)."""
    moto_server._lambda_create_replay()
    unchecked = _session().client(
        "lambda", region_name="us-east-1", config=botocore.config.Config(parameter_validation=False)
    )
    body = {"Runtime": "python3.12", "Role": make_role(aws), "Handler": "app.handler", "Code": {"ZipFile": b"x"}}
    assert error(lambda: unchecked.create_function(**body, **spec)) == (
        400,
        {"Code": "InvalidParameterValueException", "Message": "FunctionName must be a function's name or ARN"},
    )
    assert aws("lambda").list_functions()["Functions"] == []


def test_the_same_create_in_another_region_is_its_own_function_and_each_is_replayed_on_its_own(aws, create):
    east = create()
    west = create(region="us-west-2")
    assert (status(east), status(west)) == (201, 201)
    assert west["FunctionArn"] == "arn:aws:lambda:us-west-2:123456789012:function:replayed"
    aws("lambda", "us-west-2").delete_function(FunctionName="replayed")
    assert create()["FunctionArn"] == FUNCTION_ARN  # east's still replayed
    assert create(region="us-west-2")["FunctionArn"] == "arn:aws:lambda:us-west-2:123456789012:function:replayed"
    assert [f["FunctionArn"] for f in aws("lambda", "us-west-2").list_functions()["Functions"]] == [
        "arn:aws:lambda:us-west-2:123456789012:function:replayed"
    ]


def test_the_same_create_in_another_account_goes_to_moto_and_not_to_this_accounts_function(aws, create, in_account):
    create()
    in_account(OTHER_ACCOUNT)
    # The same bytes name the first account's role, which moto refuses in another: moto's create answered.
    assert error(create) == (
        400,
        {"Code": "AccessDeniedException", "Message": "Cross-account pass role is not allowed."},
    )
    made = create(Role=make_role(aws))
    assert (status(made), made["FunctionArn"]) == (201, "arn:aws:lambda:us-east-1:111111111111:function:replayed")


# --- DynamoDB: a missing table named as AWS names it ---


@pytest.fixture
def dynamodb(plain_moto, aws):
    moto_server._dynamodb_missing_table_named()
    return aws("dynamodb")


@pytest.mark.parametrize("call", ["describe_table", "delete_table"])
def test_a_missing_table_is_named_in_the_not_found_message_as_aws_words_it(dynamodb, call):
    # The AWS provider takes a DeleteTable's not-found as "already deleted" only with this wording.
    assert error(lambda: getattr(dynamodb, call)(TableName="never-made")) == (
        400,
        {"Code": "ResourceNotFoundException", "Message": "Requested resource not found: Table: never-made not found"},
    )


def test_an_existing_table_is_found_as_before(dynamodb):
    dynamodb.create_table(
        TableName="kept",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    table = dynamodb.describe_table(TableName="kept")["Table"]
    assert (table["TableName"], table["TableStatus"], table["KeySchema"]) == (
        "kept",
        "ACTIVE",
        [{"AttributeName": "pk", "KeyType": "HASH"}],
    )
    assert dynamodb.delete_table(TableName="kept")["TableDescription"]["TableName"] == "kept"
    assert error(lambda: dynamodb.describe_table(TableName="kept"))[1]["Message"] == (
        "Requested resource not found: Table: kept not found"
    )


# --- CloudFront: response headers policies ---


def headers_config(name: str, frame: str = "DENY") -> dict:
    """A policy of the platform's kind: security headers with a CSP, and a custom header."""
    return {
        "Name": name,
        "Comment": "Security headers and CSP",
        "SecurityHeadersConfig": {
            "ContentSecurityPolicy": {"ContentSecurityPolicy": "default-src 'self'", "Override": True},
            "FrameOptions": {"FrameOption": frame, "Override": True},
            "StrictTransportSecurity": {
                "AccessControlMaxAgeSec": 31536000,
                "IncludeSubdomains": False,
                "Override": True,
            },
        },
        "CustomHeadersConfig": {"Quantity": 1, "Items": [{"Header": "X-Team", "Value": "web", "Override": False}]},
    }


NO_SUCH_POLICY = (
    404,
    {"Code": "NoSuchResponseHeadersPolicy", "Message": "The response headers policy does not exist.", "Type": "Sender"},
)
STALE = (
    412,
    {"Code": "PreconditionFailed", "Message": "The If-Match version is missing or not valid.", "Type": "Sender"},
)
NAME_TAKEN = (
    409,
    {
        "Code": "ResponseHeadersPolicyAlreadyExists",
        "Message": "A policy with this name already exists.",
        "Type": "Sender",
    },
)


@pytest.fixture
def cloudfront(plain_moto, aws):
    moto_server._cloudfront_response_headers_policies()
    return aws("cloudfront")


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def test_a_created_policy_is_answered_201_with_its_id_time_config_etag_and_location(cloudfront):
    before = now()
    created = cloudfront.create_response_headers_policy(ResponseHeadersPolicyConfig=headers_config("kept"))
    policy_id, etag = created["ResponseHeadersPolicy"]["Id"], created["ETag"]
    assert str(uuid.UUID(policy_id, version=4)) == policy_id
    assert re.fullmatch("[0-9a-f]{32}", etag) and etag != uuid.UUID(policy_id).hex
    modified = created["ResponseHeadersPolicy"]["LastModifiedTime"]
    assert before <= modified <= now()
    assert without_metadata(created) == {
        "Location": f"https://cloudfront.amazonaws.com/2020-05-31/response-headers-policy/{policy_id}",
        "ETag": etag,
        "ResponseHeadersPolicy": {
            "Id": policy_id,
            "LastModifiedTime": modified,
            "ResponseHeadersPolicyConfig": headers_config("kept"),
        },
    }
    headers = created["ResponseMetadata"]["HTTPHeaders"]
    assert (status(created), headers["etag"], headers["location"]) == (
        201,
        etag,
        f"https://cloudfront.amazonaws.com/2020-05-31/response-headers-policy/{policy_id}",
    )


def test_each_created_policy_has_an_id_and_etag_of_its_own(cloudfront):
    first = cloudfront.create_response_headers_policy(ResponseHeadersPolicyConfig=headers_config("one"))
    second = cloudfront.create_response_headers_policy(ResponseHeadersPolicyConfig=headers_config("two"))
    ids = {first["ResponseHeadersPolicy"]["Id"], second["ResponseHeadersPolicy"]["Id"]}
    assert (len(ids), len({first["ETag"], second["ETag"]})) == (2, 2)


def test_a_policy_is_read_back_with_get_and_get_config_as_created(cloudfront):
    created = cloudfront.create_response_headers_policy(ResponseHeadersPolicyConfig=headers_config("kept"))
    policy_id, etag = created["ResponseHeadersPolicy"]["Id"], created["ETag"]
    got = cloudfront.get_response_headers_policy(Id=policy_id)
    assert without_metadata(got) == {"ETag": etag, "ResponseHeadersPolicy": created["ResponseHeadersPolicy"]}
    assert got["ResponseHeadersPolicy"]["ResponseHeadersPolicyConfig"] == headers_config("kept")
    config = cloudfront.get_response_headers_policy_config(Id=policy_id)
    assert without_metadata(config) == {"ETag": etag, "ResponseHeadersPolicyConfig": headers_config("kept")}
    assert (got["ResponseMetadata"]["HTTPHeaders"]["etag"], config["ResponseMetadata"]["HTTPHeaders"]["etag"]) == (
        etag,
        etag,
    )


def test_a_second_policy_of_a_name_is_refused_in_the_same_account_and_made_in_another(cloudfront, in_account):
    first = cloudfront.create_response_headers_policy(ResponseHeadersPolicyConfig=headers_config("shared"))
    assert (
        error(
            lambda: cloudfront.create_response_headers_policy(
                ResponseHeadersPolicyConfig=headers_config("shared", "SAMEORIGIN")
            )
        )
        == NAME_TAKEN
    )
    assert status(cloudfront.create_response_headers_policy(ResponseHeadersPolicyConfig=headers_config("other"))) == 201
    in_account(OTHER_ACCOUNT)
    elsewhere = cloudfront.create_response_headers_policy(ResponseHeadersPolicyConfig=headers_config("shared"))
    assert status(elsewhere) == 201
    assert elsewhere["ResponseHeadersPolicy"]["Id"] != first["ResponseHeadersPolicy"]["Id"]


def test_a_policy_is_seen_only_in_its_own_account(cloudfront, in_account):
    created = cloudfront.create_response_headers_policy(ResponseHeadersPolicyConfig=headers_config("mine"))
    policy_id, etag = created["ResponseHeadersPolicy"]["Id"], created["ETag"]
    in_account(OTHER_ACCOUNT)
    assert error(lambda: cloudfront.get_response_headers_policy(Id=policy_id)) == NO_SUCH_POLICY
    assert error(lambda: cloudfront.get_response_headers_policy_config(Id=policy_id)) == NO_SUCH_POLICY
    assert error(lambda: cloudfront.delete_response_headers_policy(Id=policy_id, IfMatch=etag)) == NO_SUCH_POLICY
    assert without_metadata(cloudfront.list_response_headers_policies()) == {
        "ResponseHeadersPolicyList": {"MaxItems": 100, "Quantity": 0}
    }
    in_account(ACCOUNT)
    assert cloudfront.get_response_headers_policy(Id=policy_id)["ETag"] == etag


@pytest.mark.parametrize(
    "call",
    [
        lambda cloudfront: cloudfront.get_response_headers_policy(Id="no-such-id"),
        lambda cloudfront: cloudfront.get_response_headers_policy_config(Id="no-such-id"),
        lambda cloudfront: cloudfront.update_response_headers_policy(
            Id="no-such-id", ResponseHeadersPolicyConfig=headers_config("x")
        ),
        lambda cloudfront: cloudfront.delete_response_headers_policy(Id="no-such-id"),
    ],
    ids=["get", "get-config", "update", "delete"],
)
def test_an_unknown_id_is_no_such_policy_before_any_etag_check(cloudfront, call):
    assert error(lambda: call(cloudfront)) == NO_SUCH_POLICY


def test_an_update_needs_the_current_etag_and_answers_the_new_policy_with_a_new_etag(cloudfront):
    created = cloudfront.create_response_headers_policy(ResponseHeadersPolicyConfig=headers_config("versioned"))
    policy_id, etag = created["ResponseHeadersPolicy"]["Id"], created["ETag"]
    changed = headers_config("versioned", "SAMEORIGIN")
    assert (
        error(lambda: cloudfront.update_response_headers_policy(Id=policy_id, ResponseHeadersPolicyConfig=changed))
        == STALE
    )
    assert (
        error(
            lambda: cloudfront.update_response_headers_policy(
                Id=policy_id, IfMatch="stale", ResponseHeadersPolicyConfig=changed
            )
        )
        == STALE
    )
    assert without_metadata(cloudfront.get_response_headers_policy(Id=policy_id)) == {
        "ETag": etag,
        "ResponseHeadersPolicy": created["ResponseHeadersPolicy"],
    }
    before = now()
    updated = cloudfront.update_response_headers_policy(Id=policy_id, IfMatch=etag, ResponseHeadersPolicyConfig=changed)
    new_etag, modified = updated["ETag"], updated["ResponseHeadersPolicy"]["LastModifiedTime"]
    assert (len(new_etag), new_etag != etag) == (32, True)
    assert created["ResponseHeadersPolicy"]["LastModifiedTime"] < before <= modified <= now()
    assert without_metadata(updated) == {
        "ETag": new_etag,
        "ResponseHeadersPolicy": {
            "Id": policy_id,
            "LastModifiedTime": modified,
            "ResponseHeadersPolicyConfig": changed,
        },
    }
    assert (status(updated), updated["ResponseMetadata"]["HTTPHeaders"]["etag"]) == (200, new_etag)
    assert without_metadata(cloudfront.get_response_headers_policy(Id=policy_id)) == without_metadata(updated)
    assert (
        error(
            lambda: cloudfront.update_response_headers_policy(
                Id=policy_id, IfMatch=etag, ResponseHeadersPolicyConfig=changed
            )
        )
        == STALE
    )


def test_a_policys_time_is_utc_whatever_the_machines_time_zone(cloudfront, monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Tokyo")  # nine hours from UTC: a local, naive time would be that far off
    time.tzset()
    try:
        before = now()
        created = cloudfront.create_response_headers_policy(ResponseHeadersPolicyConfig=headers_config("zoned"))
        policy_id, etag = created["ResponseHeadersPolicy"]["Id"], created["ETag"]
        assert before <= created["ResponseHeadersPolicy"]["LastModifiedTime"] <= now()
        before = now()
        updated = cloudfront.update_response_headers_policy(
            Id=policy_id, IfMatch=etag, ResponseHeadersPolicyConfig=headers_config("zoned", "SAMEORIGIN")
        )
        assert before <= updated["ResponseHeadersPolicy"]["LastModifiedTime"] <= now()
    finally:
        monkeypatch.undo()
        time.tzset()


def test_a_delete_needs_the_current_etag_and_frees_the_name(cloudfront):
    created = cloudfront.create_response_headers_policy(ResponseHeadersPolicyConfig=headers_config("deleted"))
    policy_id, etag = created["ResponseHeadersPolicy"]["Id"], created["ETag"]
    kept = cloudfront.create_response_headers_policy(ResponseHeadersPolicyConfig=headers_config("kept"))
    assert error(lambda: cloudfront.delete_response_headers_policy(Id=policy_id)) == STALE
    assert error(lambda: cloudfront.delete_response_headers_policy(Id=policy_id, IfMatch="stale")) == STALE
    assert cloudfront.get_response_headers_policy(Id=policy_id)["ETag"] == etag
    bodies = raw_bodies(cloudfront)
    cloudfront.delete_response_headers_policy(Id=policy_id, IfMatch=etag)
    assert bodies == [(204, b"")]
    assert error(lambda: cloudfront.get_response_headers_policy(Id=policy_id)) == NO_SUCH_POLICY
    assert error(lambda: cloudfront.delete_response_headers_policy(Id=policy_id, IfMatch=etag)) == NO_SUCH_POLICY
    assert cloudfront.get_response_headers_policy(Id=kept["ResponseHeadersPolicy"]["Id"])["ETag"] == kept["ETag"]
    again = cloudfront.create_response_headers_policy(ResponseHeadersPolicyConfig=headers_config("deleted"))
    assert status(again) == 201


def test_the_custom_policies_are_listed_with_any_type_but_managed(cloudfront, in_account):
    created = [
        cloudfront.create_response_headers_policy(ResponseHeadersPolicyConfig=headers_config(name))
        for name in ("listed-a", "listed-b")
    ]
    in_account(OTHER_ACCOUNT)
    cloudfront.create_response_headers_policy(ResponseHeadersPolicyConfig=headers_config("elsewhere"))
    in_account(ACCOUNT)
    listing = {
        "ResponseHeadersPolicyList": {
            "MaxItems": 100,
            "Quantity": 2,
            "Items": [
                {"Type": "custom", "ResponseHeadersPolicy": policy["ResponseHeadersPolicy"]} for policy in created
            ],
        }
    }
    assert without_metadata(cloudfront.list_response_headers_policies()) == listing
    assert without_metadata(cloudfront.list_response_headers_policies(Type="custom")) == listing
    assert without_metadata(cloudfront.list_response_headers_policies(Type="managed")) == {
        "ResponseHeadersPolicyList": {"MaxItems": 100, "Quantity": 0}
    }


def test_an_empty_list_has_no_items_element(cloudfront):
    bodies = raw_bodies(cloudfront)
    cloudfront.list_response_headers_policies()
    assert bodies == [
        (
            200,
            b'<?xml version="1.0" encoding="utf-8"?>\n'
            b'<ResponseHeadersPolicyList xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">'
            b"<MaxItems>100</MaxItems><Quantity>0</Quantity></ResponseHeadersPolicyList>",
        )
    ]


# --- The command line ---


@pytest.fixture
def served(plain_moto, monkeypatch):
    """Stands in for moto's server and for ``_serve_inherited_socket``: the calls each got, by "moto" and "inherited"."""
    import moto.server

    calls: dict[str, list] = {"moto": [], "inherited": []}
    monkeypatch.setattr(moto.server, "main", lambda argv: calls["moto"].append(argv))
    monkeypatch.setattr(moto_server, "_serve_inherited_socket", lambda *args: calls["inherited"].append(args))
    return calls


def test_main_serves_moto_on_127_0_0_1_port_5000_by_default(served):
    moto_server.main([])
    assert served == {"moto": [["-H", "127.0.0.1", "-p", "5000"]], "inherited": []}


def test_main_passes_host_port_and_any_other_argument_on_to_moto(served):
    moto_server.main(["--host", "0.0.0.0", "-p", "5123", "--reload", "--help"])
    moto_server.main(["-H", "localhost", "--port", "6000"])
    assert served == {
        "moto": [["-H", "0.0.0.0", "-p", "5123", "--reload", "--help"], ["-H", "localhost", "-p", "6000"]],
        "inherited": [],
    }


def test_main_with_fd_serves_the_inherited_socket_and_not_moto(served):
    moto_server.main(["-H", "127.0.0.2", "-p", "6001", "--fd", "7"])
    moto_server.main(["--fd", "0"])
    assert served == {"moto": [], "inherited": [("127.0.0.2", 6001, 7), ("127.0.0.1", 5000, 0)]}


def test_main_without_arguments_reads_the_command_line(served, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["moto_server.py", "-p", "5999", "--fd", "4"])
    moto_server.main()
    monkeypatch.setattr(sys, "argv", ["moto_server.py", "-p", "5998"])
    moto_server.main()
    assert served == {"moto": [["-H", "127.0.0.1", "-p", "5998"]], "inherited": [("127.0.0.1", 5999, 4)]}


def test_main_refuses_a_port_that_is_not_a_number_naming_the_module(served, capsys):
    with pytest.raises(SystemExit) as exited:
        moto_server.main(["-p", "http"])
    assert exited.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "python -m generator.local.moto_server: error: argument -p/--port: invalid int value: 'http'"
    )
    assert served == {"moto": [], "inherited": []}


@pytest.mark.parametrize("argv", [[], ["--fd", "3"]], ids=["moto", "inherited-socket"])
def test_main_installs_every_fix_before_serving(served, plain_moto, argv):
    moto_server.main(argv)
    assert plain_moto() == {classes: names for installer in INSTALLED.values() for classes, names in installer.items()}
    assert set(cloudfront_urls.url_paths) >= CLOUDFRONT_PATHS


# --- The inherited socket ---


def test_the_inherited_socket_is_served_by_moto_s_threaded_app_and_sigterm_or_sigint_exit_0(monkeypatch):
    handlers, servers = [], []

    class Server:
        def __init__(self, *args, **kwargs) -> None:
            self.args, self.kwargs, self.served = args, kwargs, 0
            servers.append(self)

        def serve_forever(self) -> None:
            self.served += 1

    monkeypatch.setattr(werkzeug.serving, "make_server", Server)
    monkeypatch.setattr(signal, "signal", lambda number, handler: handlers.append((number, handler)))
    moto_server._serve_inherited_socket("127.0.0.3", 6002, 9)
    [server] = servers
    host, port, app = server.args
    assert (host, port, server.kwargs, server.served) == (
        "127.0.0.3",
        6002,
        {"threaded": True, "request_handler": MotoRequestHandler, "fd": 9},
        1,
    )
    assert (type(app), app.create_app, app.debug) == (DomainDispatcherApplication, create_backend_app, True)
    assert [number for number, _ in handlers] == [signal.SIGTERM, signal.SIGINT]
    for number, handler in handlers:
        with pytest.raises(SystemExit) as exited:
            handler(number, None)
        assert exited.value.code == 0
