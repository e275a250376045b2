"""moto's server with the emulator's fixes: ``python -m generator.local.moto_server -H 127.0.0.1 -p PORT``.

moto 5.2 evaluates an S3 bucket policy without any request context, and
treats a statement whose condition does not match as an explicit Deny
(moto/iam/access_control.py, IAMPolicyStatement.is_action_permitted). So the
shared UI bucket's policy (Allow CloudFront on ``AWS:SourceArn``, Deny when
``aws:SecureTransport`` is false) denies every object write, where real S3
lets a signed HTTPS request through. Here statements with a condition are
left out of moto's evaluation: moto cannot know the values they test. The
policy itself is stored and returned unchanged.
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


def main() -> None:
    _unconditional_statements_only()
    from moto.server import main as moto_main

    moto_main()


if __name__ == "__main__":
    main()
