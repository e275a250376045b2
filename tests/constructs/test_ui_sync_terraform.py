"""UiSyncTerraform: UI sync without a cluster. One ``for_each`` S3 copy per template file (tags replaced, so the
stack's default tags apply) from the template prefix to the app's prefix, and config.json written uncached.
Optional prop: ``provider`` (the home region, where the shared UI bucket is).

Synthesized in a bare TerraformStack (see fixtures.py: Testing.synth_scope cannot take a Python callable); the
file list is a literal list here, a list token from remote state in the instance stack.
"""

from __future__ import annotations

from dataclasses import replace

from cdktf import Testing
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.s3_object import S3Object
from cdktf_cdktf_provider_aws.s3_object_copy import S3ObjectCopy
from fixtures import Synthesized, synth

from modules.ui_sync_terraform import UiSyncTerraform, UiSyncTerraformProps

PROPS = UiSyncTerraformProps(
    ui_bucket="acme-ui",
    prefix="john-inventory-dev/",
    template_bucket="acme-assets-us-east-2",
    template_prefix="ui/inventory-0123456789ab/",
    template_files=["js/app.0123456789ab.js"],
    config_json='{"apiUrl": "https://api.example.com"}',
    index_html='<base href="/john-inventory-dev/">',
)
COPY = S3ObjectCopy.TF_RESOURCE_TYPE
OBJECT = S3Object.TF_RESOURCE_TYPE


def build(props: UiSyncTerraformProps = PROPS) -> Synthesized:
    return synth(lambda stack: UiSyncTerraform(stack, "ui-sync", props))


def test_each_template_file_is_copied_under_the_apps_prefix_with_replaced_tags():
    assert build().one(COPY) == {
        "for_each": '${toset(["js/app.0123456789ab.js"])}',
        "lifecycle": {"create_before_destroy": True},
        "bucket": "acme-ui",
        "key": "john-inventory-dev/${each.value}",
        "source": "acme-assets-us-east-2/ui/inventory-0123456789ab/${each.value}",
        "tagging_directive": "REPLACE",
    }


def test_config_json_is_written_next_to_the_app_and_never_cached():
    assert build().named(OBJECT, "config") == {
        "bucket": "acme-ui",
        "key": "john-inventory-dev/config.json",
        "content": '{"apiUrl": "https://api.example.com"}',
        "content_type": "application/json",
        "cache_control": "no-cache",
    }


def test_provider_puts_both_resources_in_the_home_region():
    def with_provider(stack):
        home = AwsProvider(stack, "aws-home", region="us-east-2", alias="home")
        UiSyncTerraform(stack, "ui-sync", replace(PROPS, provider=home))

    out = synth(with_provider)
    assert [r["provider"] for r in out.resources(COPY) + out.resources(OBJECT)] == ["aws.home"] * 3
    assert not Testing.to_have_resource_with_properties(build().text, COPY, {"provider": "aws.home"})


def test_index_html_is_the_apps_page_written_after_the_files_it_names_and_never_cached():
    out = build()
    assert out.named(OBJECT, "index") == {
        "bucket": "acme-ui",
        "key": "john-inventory-dev/index.html",
        "content": '<base href="/john-inventory-dev/">',
        "content_type": "text/html; charset=utf-8",
        "cache_control": "no-cache",
        "depends_on": [out.address(COPY, "template-file"), out.address(OBJECT, "config")],
    }
