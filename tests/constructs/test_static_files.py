"""StaticFiles: a folder published to S3 as one ``for_each`` object resource keyed by relative path, each object
at ``key_prefix + path`` with its Content-Type and MD5 (a changed file re-uploads). The folder is copied into the
stack's assets. Optional props: ``depends_on``, ``cache_control``, ``provider``.

Synthesized in a bare TerraformStack (see fixtures.py: Testing.synth_scope cannot take a Python callable); the
source folder is a temporary folder holding fixtures.TEMPLATE_FILES.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from cdktf import Testing
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
from cdktf_cdktf_provider_aws.s3_object import S3Object
from fixtures import TEMPLATE_FILES, Synthesized, synth, write_sources

from modules.static_files import StaticFiles, StaticFilesProps

OBJECT = S3Object.TF_RESOURCE_TYPE


@pytest.fixture(scope="module")
def props(tmp_path_factory) -> StaticFilesProps:
    sources = write_sources(tmp_path_factory.mktemp("static"))
    return StaticFilesProps(
        bucket="acme-assets-us-east-2",
        key_prefix="ui/inventory-0123456789ab/",
        source_dir=str(sources.template_dir),
        files=TEMPLATE_FILES,
    )


def build(props: StaticFilesProps) -> Synthesized:
    return synth(lambda stack: StaticFiles(stack, "ui-template", props))


def test_one_object_resource_iterates_over_the_files_by_path(props):
    out = build(props)
    assert out.one(OBJECT)["for_each"] == {
        "index.html": {"content_type": "text/html; charset=utf-8", "md5": "0123456789abcdef0123456789abcdef"},
        "js/app.js": {"content_type": "text/javascript; charset=utf-8", "md5": "fedcba9876543210fedcba9876543210"},
    }


def test_each_object_lands_under_the_prefix_with_its_content_type_and_md5(props):
    obj = build(props).one(OBJECT)
    assert obj["bucket"] == "acme-assets-us-east-2"
    assert obj["key"] == "ui/inventory-0123456789ab/${each.key}"
    assert obj["content_type"] == "${each.value.content_type}"
    assert obj["source_hash"] == "${each.value.md5}"


def test_source_is_the_folder_copied_into_the_stack_assets(props):
    source = build(props).one(OBJECT)["source"]
    assert re.fullmatch(r"assets/ui-template_source_[0-9A-F]{8}/[0-9A-F]{32}/\$\{each\.key\}", source), source


def test_defaults_set_no_cache_control_dependency_or_provider(props):
    obj = build(props).one(OBJECT)
    assert "cache_control" not in obj and "provider" not in obj
    assert obj.get("depends_on", []) == []  # cdktf writes the empty list: no dependency


def test_cache_control_applies_to_every_object(props):
    out = build(replace(props, cache_control="no-cache"))
    assert Testing.to_have_resource_with_properties(out.text, OBJECT, {"cache_control": "no-cache"})
    assert not Testing.to_have_resource_with_properties(build(props).text, OBJECT, {"cache_control": "no-cache"})


def test_depends_on_makes_the_objects_wait(props):
    def with_dependency(stack):
        bucket = S3Bucket(stack, "versioned", bucket="acme-assets-us-east-2")
        StaticFiles(stack, "ui-template", replace(props, depends_on=(bucket,)))

    out = synth(with_dependency)
    assert out.one(OBJECT)["depends_on"] == [out.address(S3Bucket.TF_RESOURCE_TYPE, "versioned")]


def test_provider_selects_the_region(props):
    def with_provider(stack):
        west = AwsProvider(stack, "aws-us-west-2", region="us-west-2", alias="us-west-2")
        StaticFiles(stack, "ui-template", replace(props, provider=west))

    assert synth(with_provider).one(OBJECT)["provider"] == "aws.us-west-2"


def test_a_missing_source_folder_fails_synthesis(props, tmp_path):
    with pytest.raises(Exception, match="does not exist|no such file|ENOENT"):
        build(replace(props, source_dir=str(tmp_path / "missing")))
    assert not Path(tmp_path / "missing").exists()


def test_no_files_is_an_empty_for_each(props):
    """A folder with nothing to publish: the resource iterates over nothing, with no Cache-Control to pick."""
    obj = build(replace(props, files=())).one(OBJECT)
    assert obj["for_each"] == {}
    assert "cache_control" not in obj
