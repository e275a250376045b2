"""stack_base: what every AWS stack gets before its first resource. BaseStack: the AWS provider with default tags
(and one aliased provider per extra region), the backend (local, S3 encrypted and locked, or Terraform Cloud),
the account id and partition looked up once, remote state for any backend, the EKS-authenticated kubernetes
provider, and for the emulator target only the endpoints and the drift-ignoring aspect. configure_tfe: the
bootstrap stack's tfe provider and local backend.

BaseStack is a TerraformStack, so these tests use Testing.app() and Testing.synth(stack) directly.
"""

from __future__ import annotations

from cdktf import TerraformOutput, Testing
from cdktf_cdktf_provider_aws.lambda_function import LambdaFunction
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
from fixtures import Synthesized, stack_settings, synth_stack

from generator.locations import EmulatorSettings, StateLocation
from modules.stack_base import BaseStack, StackSettings, configure_tfe

S3_STATE = StateLocation(type="s3", bucket="acme-state", key="serverless-platform/test.tfstate", region="us-east-2")
CLOUD_STATE = StateLocation(
    type="cloud", organization="acme", hostname="app.terraform.io", workspace="acme-test", project="apps"
)


def build(settings: StackSettings | None = None, extra=None) -> Synthesized:
    def make(app):
        stack = BaseStack(app, "test", settings or stack_settings())
        if extra:
            extra(stack)
        return stack

    return synth_stack(make)


def test_default_provider_has_the_region_and_default_tags():
    providers = build().tf["provider"]["aws"]
    assert providers == [{"region": "us-east-2", "default_tags": [{"tags": {"managed-by": "tests"}}]}]


def test_aliases_add_one_provider_per_region_with_the_same_tags():
    providers = build(stack_settings(aliases={"us-east-1": "us-east-1", "home": "us-west-2"})).tf["provider"]["aws"]
    assert [(p.get("alias"), p["region"]) for p in providers] == [
        (None, "us-east-2"),
        ("home", "us-west-2"),
        ("us-east-1", "us-east-1"),
    ]
    assert {str(p["default_tags"]) for p in providers} == {"[{'tags': {'managed-by': 'tests'}}]"}


def test_local_backend_uses_the_relative_state_path():
    assert build().tf["terraform"]["backend"] == {"local": {"path": "../../../terraform-state/test.tfstate"}}


def test_s3_backend_encrypts_and_uses_s3_native_locking_without_a_lock_table():
    assert build(stack_settings(state=S3_STATE)).tf["terraform"]["backend"] == {
        "s3": {
            "bucket": "acme-state",
            "key": "serverless-platform/test.tfstate",
            "region": "us-east-2",
            "encrypt": True,
            "use_lockfile": True,
        }
    }


def test_s3_backend_with_a_lock_table_and_kms_key_locks_in_dynamodb():
    state = StateLocation(
        type="s3",
        bucket="acme-state",
        key="k.tfstate",
        region="us-east-2",
        lock_table="acme-locks",
        kms_key_id="alias/acme-state",
    )
    assert build(stack_settings(state=state)).tf["terraform"]["backend"] == {
        "s3": {
            "bucket": "acme-state",
            "key": "k.tfstate",
            "region": "us-east-2",
            "encrypt": True,
            "dynamodb_table": "acme-locks",
            "kms_key_id": "alias/acme-state",
        }
    }


def test_cloud_backend_names_the_workspace_and_project():
    assert build(stack_settings(state=CLOUD_STATE)).tf["terraform"]["cloud"] == {
        "organization": "acme",
        "hostname": "app.terraform.io",
        "workspaces": {"name": "acme-test", "project": "apps"},
    }


def test_account_is_looked_up_once_per_stack():
    def use_account_twice(stack):
        TerraformOutput(stack, "account_id", value=stack.account.id)
        TerraformOutput(stack, "account_partition", value=stack.account.partition)
        assert stack.account is stack.account

    out = build(extra=use_account_twice)
    assert list(out.tf["data"]["aws_caller_identity"]) == ["account"]
    assert list(out.tf["data"]["aws_partition"]) == ["partition"]
    assert out.tf["output"]["account_id"]["value"] == "${data.aws_caller_identity.account.account_id}"
    assert out.tf["output"]["account_partition"]["value"] == "${data.aws_partition.partition.partition}"


def test_no_account_lookup_unless_used():
    assert "data" not in build().tf


def test_remote_state_reads_any_backend():
    def read_all(stack):
        stack.remote_state("local", "../platform/terraform.tfstate")
        stack.remote_state("s3", S3_STATE)
        stack.remote_state("cloud", CLOUD_STATE)

    states = build(extra=read_all).tf["data"]["terraform_remote_state"]
    assert states["local"] == {"backend": "local", "config": {"path": "../platform/terraform.tfstate"}}
    assert states["s3"] == {
        "backend": "s3",
        "config": {"bucket": "acme-state", "key": "serverless-platform/test.tfstate", "region": "us-east-2"},
    }
    assert states["cloud"] == {
        "backend": "remote",
        "config": {"organization": "acme", "hostname": "app.terraform.io", "workspaces": {"name": "acme-test"}},
    }


def test_eks_kubernetes_provider_gets_a_fresh_token_from_the_aws_cli():
    """An exec block, not aws_eks_cluster_auth: that token lives 15 minutes and is saved into a plan."""
    out = build(
        stack_settings(aliases={"home": "us-east-2"}),
        extra=lambda stack: stack.eks_kubernetes_provider("platform-eks", "us-east-2", stack.aliases["home"]),
    )
    assert out.tf["data"]["aws_eks_cluster"]["eks-cluster"] == {"name": "platform-eks", "provider": "aws.home"}
    assert "aws_eks_cluster_auth" not in out.tf["data"]
    assert out.tf["provider"]["kubernetes"] == [
        {
            "host": "${data.aws_eks_cluster.eks-cluster.endpoint}",
            "cluster_ca_certificate": "${base64decode(data.aws_eks_cluster.eks-cluster.certificate_authority[0].data)}",
            "exec": [
                {
                    "api_version": "client.authentication.k8s.io/v1beta1",
                    "command": "aws",
                    "args": ["eks", "get-token", "--cluster-name", "platform-eks", "--region", "us-east-2"],
                }
            ],
        }
    ]


def test_real_aws_has_no_endpoints_credentials_or_ignored_drift():
    out = build(extra=lambda stack: S3Bucket(stack, "b", bucket="acme-b"))
    provider = out.tf["provider"]["aws"][0]
    for absent in ("endpoints", "access_key", "secret_key", "s3_use_path_style", "skip_credentials_validation"):
        assert absent not in provider, absent


def test_emulator_points_every_service_at_the_endpoint_with_test_credentials():
    settings = stack_settings(
        aliases={"home": "us-east-2"}, emulator=EmulatorSettings(endpoint="http://127.0.0.1:5000")
    )
    for provider in build(settings).tf["provider"]["aws"]:
        assert (provider["access_key"], provider["secret_key"]) == ("testing", "testing")
        assert provider["endpoints"] == [
            {
                s: "http://127.0.0.1:5000"
                for s in (
                    "acm",
                    "apigatewayv2",
                    "appautoscaling",
                    "cloudfront",
                    "cognitoidp",
                    "dynamodb",
                    "iam",
                    "lambda",
                    "logs",
                    "route53",
                    "s3",
                    "sts",
                    "wafv2",
                )
            }
        ]
        assert provider["s3_use_path_style"] is True and provider["skip_credentials_validation"] is True
        assert provider["skip_metadata_api_check"] == "true" and provider["skip_region_validation"] is True


def test_emulator_ignores_the_attributes_moto_drops():
    def resources(stack):
        LambdaFunction(stack, "fn", function_name="f", role="arn:aws:iam::1:role/r")
        S3Bucket(stack, "b", bucket="acme-b")

    emulated = build(stack_settings(emulator=EmulatorSettings(endpoint="http://127.0.0.1:5000")), extra=resources)
    assert emulated.one("aws_lambda_function")["lifecycle"] == {"ignore_changes": ["logging_config"]}
    assert "lifecycle" not in emulated.one("aws_s3_bucket")
    assert "lifecycle" not in build(extra=resources).one("aws_lambda_function")


def test_configure_tfe_sets_the_tfe_provider_and_a_local_backend():
    from cdktf import TerraformStack

    def make(app):
        stack = TerraformStack(app, "tfe-bootstrap")
        configure_tfe(stack, hostname="app.terraform.io", organization="acme", state_path="terraform.tfstate")
        return stack

    out = synth_stack(make)
    assert out.tf["provider"]["tfe"] == [{"hostname": "app.terraform.io", "organization": "acme"}]
    assert out.tf["terraform"]["backend"] == {"local": {"path": "terraform.tfstate"}}
    assert "token" not in out.tf["provider"]["tfe"][0]
    assert Testing.to_have_provider(out.text, "tfe")
