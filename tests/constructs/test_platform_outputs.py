"""platform_outputs: the contract between the platform workspace and every instance workspace. The platform writes
one described output per PlatformOutputs field; instances read the same names back through remote state (as
strings, ``ui_template_files`` as a list, ``assets_bucket_names`` as a map). Renaming one breaks deployed
instances, so the exact list of names is pinned here.

Synthesized in a bare TerraformStack with a local remote-state data source (see fixtures.py:
Testing.synth_scope cannot take a Python callable).
"""

from __future__ import annotations

from dataclasses import fields

from cdktf import DataTerraformRemoteStateLocal, TerraformOutput
from fixtures import Synthesized, synth

from modules.platform_outputs import PlatformOutputs, read_platform_outputs, write_platform_outputs

NAMES = (
    "domain_name",
    "home_region",
    "distribution_id",
    "distribution_domain_name",
    "shared_ui_bucket_name",
    "shared_ui_bucket_arn",
    "assets_bucket_names",
    "function_bundle_key",
    "function_bundle_sha256",
    "ui_template_bucket_name",
    "ui_template_prefix",
    "ui_template_files",
    "ui_template_index_html",
    "lambda_execution_role_arn",
    "ui_uploader_role_arn",
    "eks_cluster_name",
    "eks_oidc_provider_arn",
    "eks_oidc_issuer",
    "app_permissions_boundary_arn",
    "user_pool_id",
    "user_pool_arn",
    "user_pool_client_id",
    "user_pool_issuer_url",
    "cognito_domain",
    "auth_callback_url",
    "auth_logout_url",
)


def written() -> Synthesized:
    values = {name: f"value-of-{name}" for name in NAMES}
    values["assets_bucket_names"] = {"us-east-2": "acme-assets-us-east-2"}
    values["ui_template_files"] = ["index.html"]
    return synth(lambda stack: write_platform_outputs(stack, PlatformOutputs(**values)))


def read() -> Synthesized:
    def construct(stack):
        outputs = read_platform_outputs(DataTerraformRemoteStateLocal(stack, "platform", path="platform.tfstate"))
        for name in ("domain_name", "ui_template_files", "assets_bucket_names"):
            TerraformOutput(stack, name, value=getattr(outputs, name), static_id=True)

    return synth(construct)


def test_the_contract_is_exactly_these_names_in_this_order():
    assert tuple(f.name for f in fields(PlatformOutputs)) == NAMES


def test_every_field_is_written_as_an_output_of_the_same_name_with_its_value():
    outputs = written().tf["output"]
    assert sorted(outputs) == sorted(NAMES)
    assert outputs["domain_name"]["value"] == "value-of-domain_name"
    assert outputs["assets_bucket_names"]["value"] == {"us-east-2": "acme-assets-us-east-2"}
    assert outputs["ui_template_files"]["value"] == ["index.html"]


def test_every_output_is_described():
    outputs = written().tf["output"]
    assert outputs["user_pool_client_id"]["description"] == "Cognito SPA app client ID (no secret; the JWT audience)."
    assert outputs["function_bundle_sha256"]["description"] == (
        "Base64 SHA-256 of the Lambda bundle, for source_code_hash."
    )
    assert [name for name, output in outputs.items() if not output.get("description")] == []


def test_instances_read_each_name_back_from_remote_state():
    outputs = read().tf["output"]
    state = "data.terraform_remote_state.platform.outputs"
    assert outputs["domain_name"]["value"] == f"${{{state}.domain_name}}"
    assert outputs["ui_template_files"]["value"] == f"${{{state}.ui_template_files}}"
    assert outputs["assets_bucket_names"]["value"] == f"${{{state}.assets_bucket_names}}"


def test_a_name_outside_the_contract_is_an_error_naming_it():
    """A typo in an instance stack (``outputs.domain``) fails the synth with the name, not a token of nothing."""
    import pytest

    def construct(stack):
        outputs = read_platform_outputs(DataTerraformRemoteStateLocal(stack, "platform", path="platform.tfstate"))
        outputs.domain  # noqa: B018 - the attribute read is the test

    with pytest.raises(AttributeError) as raised:
        synth(construct)
    assert str(raised.value) == "RemoteOutputs has no attribute 'domain'; PlatformOutputs has no such field"
