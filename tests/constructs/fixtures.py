"""Shared helpers for the construct tests: synthesis in a throwaway stack, JSON readers, literal model fixtures.

Why not ``Testing.synth_scope``: its callback is a jsii function type, and jsii cannot pass a Python callable
(or an object implementing ``IScopeCallback``) as one: it fails with "Cannot pass function as argument here" or
"fn is not a function" (https://github.com/hashicorp/terraform-cdk/issues/2871, open for cdktf 0.21).
:func:`synth` does what it does instead: ``Testing.app()``, one bare ``TerraformStack``, the construct(s) built
inside it, then ``Testing.synth(stack)``, which returns the same JSON string the ``Testing`` matchers take.

Every value here is a small literal; the tests write the values they expect as literals too, so a change in
naming or defaults shows up as a failing test instead of being recomputed by the code under test.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from cdktf import App, TerraformStack, Testing

from generator.assets import StaticFile
from generator.locations import StateLocation
from generator.model import BackendSettings, CognitoSettings, Instance, KubernetesSettings, PlatformConfig
from generator.naming import instance_names
from modules.instance_stack import HOME_ALIAS, InstanceStack, InstanceStackProps
from modules.stack_base import AwsAccount, StackSettings

#: Literal account id and partition (in a stack they are data source tokens), so ARNs read as plain text.
ACCOUNT = AwsAccount(id="123456789012", partition="aws")
#: The name of the throwaway stack every construct is synthesized in.
TEST_STACK = "test"


@dataclass(frozen=True)
class Synthesized:
    """One stack's synthesized JSON: ``text`` for the ``Testing`` matchers, ``tf`` for exact assertions."""

    text: str

    @cached_property
    def tf(self) -> dict[str, Any]:
        return json.loads(self.text)

    def resources(self, type_: str) -> list[dict[str, Any]]:
        return list(self.tf.get("resource", {}).get(type_, {}).values())

    def resource_ids(self, type_: str) -> list[str]:
        return sorted(self.tf.get("resource", {}).get(type_, {}))

    def one(self, type_: str) -> dict[str, Any]:
        found = self.resources(type_)
        assert len(found) == 1, f"expected one {type_}, got {len(found)}"
        return found[0]

    def data(self, type_: str) -> list[dict[str, Any]]:
        return list(self.tf.get("data", {}).get(type_, {}).values())

    def named(self, type_: str, construct_id: str, *, data: bool = False) -> dict[str, Any]:
        """The one resource (or data source) whose logical id has ``construct_id`` as a path component."""
        block = self.tf.get("data" if data else "resource", {}).get(type_, {})
        found = [v for k, v in block.items() if f"_{construct_id}_" in f"_{k}_"]
        assert len(found) == 1, f"expected one {type_} named {construct_id}, got {sorted(block)}"
        return found[0]

    def document_id(self, construct_id: str) -> str:
        """The logical id of the ``aws_iam_policy_document`` built under ``construct_id``."""
        block = self.tf.get("data", {}).get("aws_iam_policy_document", {})
        found = [k for k in block if f"_{construct_id}_" in f"_{k}_"]
        assert len(found) == 1, f"expected one policy document named {construct_id}, got {sorted(block)}"
        return found[0]

    def document(self, construct_id: str) -> dict[str, Any]:
        """The ``aws_iam_policy_document`` data source built under ``construct_id``."""
        return self.named("aws_iam_policy_document", construct_id, data=True)

    def statement(self, sid: str) -> dict[str, Any]:
        found = [s for d in self.data("aws_iam_policy_document") for s in d.get("statement", []) if s.get("sid") == sid]
        assert len(found) == 1, f"expected one policy statement {sid}, got {len(found)}"
        return found[0]

    def address(self, type_: str, construct_id: str) -> str:
        """``type.logical_id`` of the one resource named ``construct_id`` (what references interpolate)."""
        block = self.tf.get("resource", {}).get(type_, {})
        found = [k for k in block if f"_{construct_id}_" in f"_{k}_"]
        assert len(found) == 1, f"expected one {type_} named {construct_id}, got {sorted(block)}"
        return f"{type_}.{found[0]}"


def synth(build: Callable[[TerraformStack], Any]) -> Synthesized:
    """Build the construct(s) into a bare stack of a test app and synthesize that stack (no provider, no backend)."""
    app = Testing.app()
    stack = TerraformStack(app, TEST_STACK)
    build(stack)
    return Synthesized(Testing.synth(stack))


def synth_stack(build: Callable[[App], TerraformStack]) -> Synthesized:
    """Synthesize a full stack class (it configures its own providers and backend) in a test app."""
    return Synthesized(Testing.synth(build(Testing.app())))


# --- the model, as generator.project would have validated it -------------------------------------------------

KUBERNETES = KubernetesSettings(
    cluster_name="platform-eks", namespaces=("apps", "apps-staging"), image="public.ecr.aws/aws-cli/aws-cli:2.17.0"
)
COGNITO = CognitoSettings(
    domain_prefix="acme-login", self_sign_up=False, mfa="OPTIONAL", access_token_minutes=60, refresh_token_days=30
)
LOCAL_BACKEND = BackendSettings(type="local", state_dir="/srv/project/terraform-state")


def platform_config(**changes: Any) -> PlatformConfig:
    """A two-region platform with Kubernetes UI sync, a requested certificate, WAF on and deletion protection."""
    values: dict[str, Any] = dict(
        name="acme",
        domain="apps.example.com",
        hosted_zone_id="Z0123456789EXAMPLE",
        home_region="us-east-2",
        regions=("us-east-2", "us-west-2"),
        certificate_arn=None,
        price_class="PriceClass_100",
        ui_sync="kubernetes",
        kubernetes=KUBERNETES,
        cognito=COGNITO,
        backend=LOCAL_BACKEND,
        deletion_protection=True,
        log_retention_days=30,
        waf=True,
        waf_rate_limit=2000,
        tags={"cost-center": "platform"},
    )
    values.update(changes)
    return PlatformConfig(**values)


DEV_INSTANCE = Instance(
    file="instances/john-inventory-dev.yaml",
    name="john-inventory-dev",
    namespace="apps",
    team="backend",
    app="inventory",
    environment="dev",
    developer="john",
    region="us-east-2",
    deletion_protection=False,
)
PROD_INSTANCE = Instance(
    file="instances/backend-inventory-prod.yaml",
    name="backend-inventory-prod",
    namespace="apps",
    team="backend",
    app="inventory",
    environment="prod",
    developer="maria",
    region="us-west-2",
    deletion_protection=True,
)

#: A UI template of two files and the auth pages of one (paths relative to their folders).
TEMPLATE_FILES = (
    StaticFile("index.html", "text/html; charset=utf-8", "0123456789abcdef0123456789abcdef"),
    StaticFile("js/app.js", "text/javascript; charset=utf-8", "fedcba9876543210fedcba9876543210"),
)
SITE_FILES = (StaticFile("index.html", "text/html; charset=utf-8", "0123456789abcdef0123456789abcdef", "no-cache"),)
AUTH_FILES = (StaticFile("callback/index.html", "text/html; charset=utf-8", "00112233445566778899aabbccddeeff"),)

#: Where the platform's state is, seen from any stack's own folder (cdktf.out/stacks/<name>).
PLATFORM_STATE = StateLocation(type="local", path="../../../terraform-state/platform.tfstate")


def local_state(stack: str) -> StateLocation:
    return StateLocation(type="local", path=f"../../../terraform-state/{stack}.tfstate")


def stack_settings(region: str = "us-east-2", **changes: Any) -> StackSettings:
    values: dict[str, Any] = dict(region=region, tags={"managed-by": "tests"}, state=local_state("test"))
    values.update(changes)
    return StackSettings(**values)


@dataclass(frozen=True)
class SourceFiles:
    """Files on disk for the assets a stack copies (TerraformAsset hashes them at synth time)."""

    bundle: Path
    template_dir: Path
    auth_dir: Path


def write_sources(root: Path) -> SourceFiles:
    """A bundle file, a UI template folder and an auth pages folder matching TEMPLATE_FILES and AUTH_FILES."""
    bundle = root / "inventory.zip"
    bundle.write_bytes(b"PK\x05\x06" + b"\0" * 18)  # an empty zip archive
    template, auth = root / "template", root / "auth"
    for folder, files in ((template, TEMPLATE_FILES), (auth, AUTH_FILES)):
        for f in files:
            (folder / f.path).parent.mkdir(parents=True, exist_ok=True)
            (folder / f.path).write_text(f"<!-- {f.path} -->\n")
    return SourceFiles(bundle=bundle, template_dir=template, auth_dir=auth)


def build_instance_stack(instance: Instance, ui_sync: str = "kubernetes") -> Synthesized:
    """One app instance's whole stack (InstanceStack), the home region us-east-2, the platform read from local state."""
    settings = stack_settings(
        region=instance.region, aliases={HOME_ALIAS: "us-east-2"}, state=local_state(instance.name)
    )
    return synth_stack(
        lambda app: InstanceStack(
            app,
            instance.name,
            InstanceStackProps(
                instance=instance,
                names=instance_names(instance),
                platform=platform_config(ui_sync=ui_sync),
                settings=settings,
                platform_state_path=PLATFORM_STATE,
            ),
        )
    )
