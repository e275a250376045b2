"""moto's server with the emulator's fixes: ``python -m generator.local.moto_server -H 127.0.0.1 -p PORT [--fd N]``.

``--fd N``: serve on the listening socket inherited as descriptor N (bound by
``emulator.start``, which passes it with ``pass_fds``), so the port is never free
between being chosen and being served; ``-p`` then only names that port.

moto 5.2 evaluates an S3 bucket policy without any request context, and
treats a statement whose condition does not match as an explicit Deny
(moto/iam/access_control.py, IAMPolicyStatement.is_action_permitted). So the
shared UI bucket's policy (Allow CloudFront on ``AWS:SourceArn``, Deny when
``aws:SecureTransport`` is false) denies every object write, where real S3
lets a signed HTTPS request through. Here statements with a condition are
left out of moto's evaluation: moto cannot know the values they test. The
policy itself is stored and returned unchanged.

moto 5.2's Application Auto Scaling has no tagging calls (TagResource,
UntagResource, ListTagsForResource) and drops the Tags of
RegisterScalableTarget; the AWS provider reads a scalable target's tags after
every create, so the prod table's auto scaling could not apply. Here tags are
kept per scalable-target ARN, as real AWS does.

moto 5.2's CloudFront has no response headers policies (no
CreateResponseHeadersPolicy, Get, GetConfig, Update, Delete, List). Here they
are kept as sent, per account, with an ETag checked on update and delete as AWS
does, so the platform's real policy (security headers and the CSP) is applied
on the emulator and the local edge reads it back from there.

A missing DynamoDB table is named in the not-found message as AWS names it (the AWS provider's destroy
needs that wording to take "not found" as "already deleted").

A Lambda CreateFunction sent again unchanged is answered as the first one was.
Applying 50 instance workspaces two at a time, the AWS provider now and then
sent a function's create a second time right after the emulator had answered
the first with 201 (within the same second, as if that answer had not reached
it; why was not found); moto then answered 409 "Function already exist", the
provider retried that for minutes and the apply failed. So a create whose body
is byte for byte the one that created the function, with no update or delete
since, is answered 201 with the function's configuration. Any other create of
an existing function is still 409, as on AWS.
"""

from __future__ import annotations

import json
from typing import Any


def _unconditional_statements_only() -> None:
    from moto.iam.access_control import IAMPolicy, PermissionResult
    from moto.s3.models import FakeBucket

    def get_permission(self: FakeBucket, action: str, resource: str) -> Any:
        if self.policy is None:
            return PermissionResult.NEUTRAL
        document = json.loads(self.policy.decode() if isinstance(self.policy, bytes) else self.policy)
        statements = document.get("Statement", [])
        statements = [statements] if isinstance(statements, dict) else statements
        kept = [s for s in statements if "Condition" not in s]
        if not kept:
            return PermissionResult.NEUTRAL
        return IAMPolicy(json.dumps({**document, "Statement": kept})).is_action_permitted(action, resource)

    FakeBucket.get_permission = get_permission


def _application_autoscaling_tags() -> None:
    from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse

    tags: dict[str, dict[str, str]] = {}  # scalable-target ARN -> tags (ARNs carry account and region)
    register, deregister = (
        ApplicationAutoScalingResponse.register_scalable_target,
        ApplicationAutoScalingResponse.deregister_scalable_target,
    )

    def register_scalable_target(self: ApplicationAutoScalingResponse) -> str:
        body = register(self)
        tags.setdefault(json.loads(body)["ScalableTargetARN"], {}).update(self._get_param("Tags") or {})
        return body

    def deregister_scalable_target(self: ApplicationAutoScalingResponse) -> str:
        for target in self.applicationautoscaling_backend.describe_scalable_targets(
            self._get_param("ServiceNamespace"), [self._get_param("ResourceId")], self._get_param("ScalableDimension")
        ):
            tags.pop(target.arn, None)
        return deregister(self)

    def tag_resource(self: ApplicationAutoScalingResponse) -> str:
        tags.setdefault(self._get_param("ResourceARN"), {}).update(self._get_param("Tags") or {})
        return "{}"

    def untag_resource(self: ApplicationAutoScalingResponse) -> str:
        for key in self._get_param("TagKeys") or []:
            tags.get(self._get_param("ResourceARN"), {}).pop(key, None)
        return "{}"

    def list_tags_for_resource(self: ApplicationAutoScalingResponse) -> str:
        return json.dumps({"Tags": tags.get(self._get_param("ResourceARN"), {})})

    for function in (
        register_scalable_target,
        deregister_scalable_target,
        tag_resource,
        untag_resource,
        list_tags_for_resource,
    ):
        setattr(ApplicationAutoScalingResponse, function.__name__, function)


def _lambda_create_replay() -> None:
    import hashlib
    from urllib.parse import unquote

    from moto.awslambda.exceptions import InvalidParameterValueException
    from moto.awslambda.responses import LambdaResponse

    # (account, region, function name) -> sha256 of the CreateFunction body that created it, until its next change.
    created: dict[tuple[str, str, str], str] = {}
    create, delete = LambdaResponse.create_function, LambdaResponse.delete_function
    update_configuration, update_code = (
        LambdaResponse.update_function_configuration,
        LambdaResponse.update_function_code,
    )

    def key(self: LambdaResponse, name: str) -> tuple[str, str, str]:
        return (self.current_account, self.region, name.rsplit(":", 1)[-1])

    def digest(self: LambdaResponse) -> str:
        body = self.body if isinstance(self.body, bytes) else str(self.body or "").encode()
        return hashlib.sha256(body).hexdigest()

    def create_function(self: LambdaResponse) -> Any:
        spec = self.json_body
        named = spec.get("FunctionName")
        if not isinstance(named, str) or not named:
            raise InvalidParameterValueException("FunctionName must be a function's name or ARN")
        name, body = key(self, named), digest(self)
        if created.get(name) == body:
            function = self.backend.get_function(name[2], None)  # kept in step by forget() below
            return 201, {"status": 201}, json.dumps(function.get_configuration())
        if named != name[2]:  # named by its (partial) ARN: AWS keeps the function under its name; moto the ARN
            self.body = json.dumps({**spec, "FunctionName": name[2]})
        answer = create(self)
        created[name] = body
        return answer

    def forget(original: Any) -> Any:
        def changed(self: LambdaResponse) -> Any:
            answer = original(self)
            created.pop(key(self, unquote(self.path.split("/")[3])), None)
            return answer

        changed.__name__ = original.__name__
        return changed

    for function in (create_function, forget(delete), forget(update_configuration), forget(update_code)):
        setattr(LambdaResponse, function.__name__, function)


def _dynamodb_missing_table_named() -> None:
    """A missing table is "Requested resource not found: Table: <name> not found", as AWS words it.

    moto 5 leaves out the part after "found". The AWS provider reads a DeleteTable's not-found as "already
    gone" only when the message holds "Requested resource not found: Table: " (its resourceTableDelete), so
    on the emulator a destroy whose delete was sent twice, or of a table deleted outside Terraform, failed
    where on AWS it succeeds (seen once in CI: `local down` after the isolation migration test).
    """
    from moto.dynamodb.exceptions import ResourceNotFoundException
    from moto.dynamodb.models import DynamoDBBackend

    get_table = DynamoDBBackend.get_table

    def get_table_named(self: DynamoDBBackend, table_name: str) -> Any:
        try:
            return get_table(self, table_name)
        except ResourceNotFoundException:
            raise ResourceNotFoundException(table_name=table_name) from None

    get_table_named.__name__ = "get_table"
    DynamoDBBackend.get_table = get_table_named


def _serve_inherited_socket(host: str, port: int, fd: int) -> None:
    """moto's server (``moto.server.main`` without the reloader and SSL) on an already listening socket."""
    import signal
    import sys

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    app = DomainDispatcherApplication(create_backend_app)
    app.debug = True  # as moto's main: errors answered with their traceback
    # werkzeug takes the socket as it is (no bind, no listen): see werkzeug.serving.BaseWSGIServer(fd=...).
    make_server(host, port, app, threaded=True, request_handler=MotoRequestHandler, fd=fd).serve_forever()


def _cloudfront_response_headers_policies() -> None:
    import datetime
    import uuid

    from moto.cloudfront import urls
    from moto.cloudfront.exceptions import CloudFrontException
    from moto.cloudfront.responses import CloudFrontResponse
    from moto.core.responses import ActionResult, EmptyResult

    # (account, id) -> the policy as GetResponseHeadersPolicy returns it, plus its ETag.
    policies: dict[tuple[str, str], dict[str, Any]] = {}
    base = "{0}/2020-05-31/response-headers-policy"
    urls.url_paths.update(
        {
            base + "$": CloudFrontResponse.dispatch,
            base + "/(?P<policy_id>[^/]+)$": CloudFrontResponse.dispatch,
            base + "/(?P<policy_id>[^/]+)/config$": CloudFrontResponse.dispatch,
        }
    )

    def find(self: CloudFrontResponse) -> dict[str, Any]:
        policy = policies.get((self.current_account, self._get_param("Id")))
        if policy is None:
            raise CloudFrontException("NoSuchResponseHeadersPolicy", "The response headers policy does not exist.")
        return policy

    def check_etag(self: CloudFrontResponse, policy: dict[str, Any]) -> None:
        if self._get_param("IfMatch") != policy["ETag"]:
            raise CloudFrontException("PreconditionFailed", "The If-Match version is missing or not valid.")

    def answer(policy: dict[str, Any], **extra: Any) -> ActionResult:
        shown = {k: v for k, v in policy.items() if k != "ETag"}
        return ActionResult({"ResponseHeadersPolicy": shown, "ETag": policy["ETag"], **extra})

    def create_response_headers_policy(self: CloudFrontResponse) -> ActionResult:
        config = self._get_param("ResponseHeadersPolicyConfig", {})
        if any(
            k[0] == self.current_account and p["ResponseHeadersPolicyConfig"]["Name"] == config.get("Name")
            for k, p in policies.items()
        ):
            raise CloudFrontException("ResponseHeadersPolicyAlreadyExists", "A policy with this name already exists.")
        policy_id = str(uuid.uuid4())
        policy = policies[(self.current_account, policy_id)] = {
            "Id": policy_id,
            "LastModifiedTime": datetime.datetime.now(datetime.UTC),
            "ResponseHeadersPolicyConfig": config,
            "ETag": uuid.uuid4().hex,
        }
        return answer(
            policy, Location=f"https://cloudfront.amazonaws.com/2020-05-31/response-headers-policy/{policy_id}"
        )

    def get_response_headers_policy(self: CloudFrontResponse) -> ActionResult:
        return answer(find(self))

    def get_response_headers_policy_config(self: CloudFrontResponse) -> ActionResult:
        policy = find(self)
        return ActionResult(
            {"ResponseHeadersPolicyConfig": policy["ResponseHeadersPolicyConfig"], "ETag": policy["ETag"]}
        )

    def update_response_headers_policy(self: CloudFrontResponse) -> ActionResult:
        policy = find(self)
        check_etag(self, policy)
        policy.update(
            ResponseHeadersPolicyConfig=self._get_param("ResponseHeadersPolicyConfig", {}),
            LastModifiedTime=datetime.datetime.now(datetime.UTC),
            ETag=uuid.uuid4().hex,
        )
        return answer(policy)

    def delete_response_headers_policy(self: CloudFrontResponse) -> EmptyResult:
        policy = find(self)
        check_etag(self, policy)
        del policies[(self.current_account, policy["Id"])]
        return EmptyResult()

    def list_response_headers_policies(self: CloudFrontResponse) -> ActionResult:
        kind = self._get_param("Type")
        items = [
            {"Type": "custom", "ResponseHeadersPolicy": {k: v for k, v in p.items() if k != "ETag"}}
            for (account, _), p in policies.items()
            if account == self.current_account and kind in (None, "custom")
        ]
        listing = {"MaxItems": 100, "Quantity": len(items), "Items": items or None}
        return ActionResult({"ResponseHeadersPolicyList": listing})

    for function in (
        create_response_headers_policy,
        get_response_headers_policy,
        get_response_headers_policy_config,
        update_response_headers_policy,
        delete_response_headers_policy,
        list_response_headers_policies,
    ):
        setattr(CloudFrontResponse, function.__name__, function)


def main(argv: list[str] | None = None) -> None:
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m generator.local.moto_server", add_help=False)
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=5000)
    parser.add_argument("--fd", type=int, default=None)
    args, rest = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    _unconditional_statements_only()
    _application_autoscaling_tags()
    _cloudfront_response_headers_policies()
    _lambda_create_replay()
    _dynamodb_missing_table_named()
    if args.fd is not None:
        _serve_inherited_socket(args.host, args.port, args.fd)
        return
    from moto.server import main as moto_main

    moto_main(["-H", args.host, "-p", str(args.port), *rest])


if __name__ == "__main__":
    main()
