"""Removes an app's ``<prefix>`` from the shared UI bucket when its workspace is destroyed (kubernetes UI sync).

The Job that publishes the prefix cannot run at destroy (a ``kubernetes_job_v1`` only runs when created), and
the objects it wrote are not in Terraform's state. So a ``terraform_data`` resource (built into Terraform, no
provider) carries a destroy-time ``local-exec`` provisioner running ``aws s3 rm --recursive`` on exactly that
prefix. It runs where Terraform runs, with Terraform's AWS identity: the AWS CLI is already needed there for
``aws eks get-token`` (the Kubernetes provider's credentials); the identity needs ``s3:ListBucket`` on the UI
bucket and ``s3:DeleteObject`` on ``<prefix>*``. A destroy-time provisioner may only read ``self``, so the bucket,
prefix and region are the resource's ``input``.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import ITerraformDependable, LocalExecProvisioner, TerraformResource
from constructs import Construct

#: Run by ``sh`` at destroy; ``self.input`` is the resource's own input (bucket, prefix, region).
REMOVE_COMMAND = (
    'aws s3 rm "s3://${self.input.bucket}/${self.input.prefix}" --recursive'
    " --region ${self.input.region} --only-show-errors"
)


@dataclass(frozen=True)
class UiPrefixCleanupProps:
    """``prefix`` is the app's key prefix: non-empty, ends with '/', never the bucket's root."""

    ui_bucket: str
    prefix: str
    region: str


class UiPrefixCleanup(Construct):
    def __init__(self, scope: Construct, id: str, props: UiPrefixCleanupProps):
        super().__init__(scope, id)
        if not props.prefix.endswith("/") or props.prefix.strip("/") == "" or "*" in props.prefix:
            raise ValueError(f"prefix: got {props.prefix!r}, expected '<base>/' (never the bucket's root)")
        self.resource = TerraformResource(
            self,
            "remove-on-destroy",
            terraform_resource_type="terraform_data",
            provisioners=[LocalExecProvisioner(type="local-exec", when="destroy", command=REMOVE_COMMAND)],
        )
        self.resource.add_override("input", {"bucket": props.ui_bucket, "prefix": props.prefix, "region": props.region})

    @property
    def dependable(self) -> ITerraformDependable:
        return self.resource
