"""A folder of static files published to S3 under a key prefix, one object per file."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import AssetType, ITerraformDependable, TerraformAsset, TerraformIterator, TerraformProvider
from cdktf_cdktf_provider_aws.s3_object import S3Object
from constructs import Construct

from generator.assets import StaticFile


@dataclass(frozen=True)
class StaticFilesProps:
    """``source_dir`` is copied into the stack's assets; objects land at ``key_prefix + path``.

    ``cache_control`` applies to every object whose StaticFile sets none (default: let CloudFront's cache policy
    decide).
    """

    bucket: str
    key_prefix: str
    source_dir: str
    files: tuple[StaticFile, ...]
    depends_on: tuple[ITerraformDependable, ...] = ()
    cache_control: str | None = None
    provider: TerraformProvider | None = None


class StaticFiles(Construct):
    """The objects, keyed by relative path in one for_each so the address of a file is its path."""

    def __init__(self, scope: Construct, id: str, props: StaticFilesProps):
        super().__init__(scope, id)
        asset = TerraformAsset(self, "source", path=props.source_dir, type=AssetType.DIRECTORY)
        controls = {f.cache_control or props.cache_control for f in props.files}
        uniform = len(controls) <= 1  # one Cache-Control for all (or none): a literal, not a per-file value
        files = {
            f.path: {"content_type": f.content_type, "md5": f.md5}
            | ({} if uniform else {"cache_control": f.cache_control or props.cache_control})
            for f in props.files
        }
        each = TerraformIterator.from_map(files)
        S3Object(
            self,
            "object",
            for_each=each,
            provider=props.provider,
            depends_on=list(props.depends_on),
            bucket=props.bucket,
            key=f"{props.key_prefix}{each.key}",
            source=f"{asset.path}/{each.key}",
            source_hash=each.get_string("md5"),
            content_type=each.get_string("content_type"),
            cache_control=(next(iter(controls), None) if uniform else each.get_string("cache_control")),
        )
