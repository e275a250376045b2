"""UI sync as in the seed: a ServiceAccount (IRSA), a ConfigMap with the app's config, and a Job.

The Job copies the platform's UI template to ``s3://<ui bucket>/<prefix>``
and writes config.json next to it. Its name ends with a hash of everything
it publishes, so any change (new template, new API URL) creates a new Job
that runs again; an unchanged apply leaves the finished Job alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cdktf import Fn
from cdktf_cdktf_provider_kubernetes.config_map_v1 import ConfigMapV1
from cdktf_cdktf_provider_kubernetes.data_kubernetes_namespace_v1 import DataKubernetesNamespaceV1
from cdktf_cdktf_provider_kubernetes.job_v1 import (
    JobV1,
    JobV1SpecTemplateSpecContainer,
    JobV1SpecTemplateSpecContainerEnv,
    JobV1SpecTemplateSpecContainerVolumeMount,
    JobV1SpecTemplateSpecVolume,
)
from cdktf_cdktf_provider_kubernetes.service_account_v1 import ServiceAccountV1
from constructs import Construct

#: ``--copy-props metadata-directive`` keeps Content-Type and Cache-Control but copies no tags: the default
#: (``default``) also copies object tags, which needs s3:GetObjectTagging on the template and
#: s3:PutObjectTagging on the UI bucket, grants the uploader role does not have (every Job would fail with
#: AccessDenied). https://awscli.amazonaws.com/v2/documentation/api/latest/reference/s3/sync.html
SYNC_SCRIPT = """set -eu
aws s3 sync "s3://$TEMPLATE_BUCKET/$TEMPLATE_PREFIX" "s3://$UI_BUCKET/$UI_PREFIX" --delete --exclude config.json --copy-props metadata-directive --only-show-errors
aws s3 cp /config/config.json "s3://$UI_BUCKET/${UI_PREFIX}config.json" --content-type application/json --cache-control no-cache --only-show-errors
echo "published s3://$UI_BUCKET/$UI_PREFIX"
"""


@dataclass(frozen=True)
class UiSyncKubernetesProps:
    """Names come from generator.naming; ``job_name_prefix`` gets an 8-character content hash appended."""

    namespace: str
    service_account_name: str
    config_map_name: str
    job_name_prefix: str
    uploader_role_arn: str
    image: str
    region: str
    template_bucket: str
    template_prefix: str
    ui_bucket: str
    prefix: str
    config_json: str
    labels: Mapping[str, str]


class UiSyncKubernetes(Construct):
    def __init__(self, scope: Construct, id: str, props: UiSyncKubernetesProps):
        super().__init__(scope, id)
        labels = dict(props.labels)
        # Looked up, not created: several instances share a namespace, and the platform team owns it. A missing
        # namespace fails the plan with its name instead of the apply half-way.
        namespace = DataKubernetesNamespaceV1(self, "namespace", metadata={"name": props.namespace}).metadata.name
        account = ServiceAccountV1(
            self,
            "service-account",
            metadata={
                "name": props.service_account_name,
                "namespace": namespace,
                "labels": labels,
                "annotations": {"eks.amazonaws.com/role-arn": props.uploader_role_arn},
            },
        )
        config = ConfigMapV1(
            self,
            "config-map",
            metadata={
                "name": props.config_map_name,
                "namespace": namespace,
                "labels": labels,
            },
            data={"config.json": props.config_json},
        )
        # Everything the Job publishes; f-strings inside Fn arguments would be escaped by cdktf, so join instead.
        inputs = Fn.join(
            "\n",
            [
                props.config_json,
                props.template_bucket,
                props.template_prefix,
                props.image,
                props.ui_bucket,
                props.prefix,
            ],
        )
        env = {
            "AWS_REGION": props.region,
            "TEMPLATE_BUCKET": props.template_bucket,
            "TEMPLATE_PREFIX": props.template_prefix,
            "UI_BUCKET": props.ui_bucket,
            "UI_PREFIX": props.prefix,
            "HOME": "/tmp",
        }
        self.job = JobV1(
            self,
            "job",
            wait_for_completion=True,
            timeouts={"create": "10m", "update": "10m"},
            metadata={
                "name": f"{props.job_name_prefix}{Fn.substr(Fn.sha256(inputs), 0, 8)}",
                "namespace": namespace,
                "labels": labels,
            },
            spec={
                "backoff_limit": 3,
                "active_deadline_seconds": 600,
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {
                        "service_account_name": account.metadata.name,
                        "restart_policy": "Never",
                        "security_context": {"run_as_non_root": True, "run_as_user": "1000", "fs_group": "1000"},
                        "container": [
                            JobV1SpecTemplateSpecContainer(
                                name="ui-sync",
                                image=props.image,
                                command=["/bin/sh", "-c", SYNC_SCRIPT],
                                env=[JobV1SpecTemplateSpecContainerEnv(name=k, value=v) for k, v in env.items()],
                                volume_mount=[
                                    JobV1SpecTemplateSpecContainerVolumeMount(
                                        name="config", mount_path="/config", read_only=True
                                    ),
                                    JobV1SpecTemplateSpecContainerVolumeMount(name="tmp", mount_path="/tmp"),
                                ],
                                security_context={
                                    "allow_privilege_escalation": False,
                                    "read_only_root_filesystem": True,
                                    "capabilities": {"drop": ["ALL"]},
                                },
                                resources={
                                    "requests": {"cpu": "100m", "memory": "128Mi"},
                                    "limits": {"cpu": "500m", "memory": "256Mi"},
                                },
                            )
                        ],
                        "volume": [
                            JobV1SpecTemplateSpecVolume(name="config", config_map={"name": config.metadata.name}),
                            JobV1SpecTemplateSpecVolume(name="tmp", empty_dir={}),
                        ],
                    },
                },
            },
        )
