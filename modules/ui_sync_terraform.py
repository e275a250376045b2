"""UI sync without a cluster: Terraform copies the UI template under the app's prefix and writes config.json.

The same result as the Kubernetes Job (see ui_sync_kubernetes.py), for teams
without EKS. The template's file list comes from the platform's outputs, so a
new template version is picked up on the instance's next apply.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import TerraformIterator, TerraformProvider, Token
from cdktf_cdktf_provider_aws.s3_object import S3Object
from cdktf_cdktf_provider_aws.s3_object_copy import S3ObjectCopy
from constructs import Construct

from generator.assets import CONTENT_TYPES, ENTRY_PAGE, NO_CACHE


@dataclass(frozen=True)
class UiSyncTerraformProps:
    """``prefix`` ends with '/'; ``template_files`` is a list token of the content-hashed paths relative to
    ``template_prefix`` (index.html apart); ``index_html`` is the app's own page (the template's, with its
    ``<base href>``)."""

    ui_bucket: str
    prefix: str
    template_bucket: str
    template_prefix: str
    template_files: list[str]
    config_json: str
    index_html: str
    provider: TerraformProvider | None = None


class UiSyncTerraform(Construct):
    def __init__(self, scope: Construct, id: str, props: UiSyncTerraformProps):
        super().__init__(scope, id)
        each = TerraformIterator.from_list(props.template_files)
        path = Token.as_string(each.value)  # each.value is a lazy proxy; an f-string would print its repr
        # Copies keep the template objects' Content-Type and immutable Cache-Control (metadata_directive COPY).
        # create_before_destroy: on a new template the new files are copied and index.html names them before the
        # old files are deleted, so a page never references a missing file. Every object here is in the state, so
        # destroying the workspace deletes the whole prefix (config.json and index.html included).
        files = S3ObjectCopy(
            self,
            "template-file",
            lifecycle={"create_before_destroy": True},
            for_each=each,
            provider=props.provider,
            bucket=props.ui_bucket,
            key=f"{props.prefix}{path}",
            source=f"{props.template_bucket}/{props.template_prefix}{path}",
            # Without REPLACE, S3 copies the template object's tags (the platform's), not this stack's
            # default tags, and every plan shows the difference. https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html
            tagging_directive="REPLACE",
        )
        self.config = S3Object(
            self,
            "config",
            provider=props.provider,
            bucket=props.ui_bucket,
            key=f"{props.prefix}config.json",
            content=props.config_json,
            content_type="application/json",
            cache_control=NO_CACHE,
        )
        self.index = S3Object(
            self,
            "index",
            provider=props.provider,
            depends_on=[files, self.config],
            bucket=props.ui_bucket,
            key=f"{props.prefix}{ENTRY_PAGE}",
            content=props.index_html,
            content_type=CONTENT_TYPES[".html"],
            cache_control=NO_CACHE,
        )
