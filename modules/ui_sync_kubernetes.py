"""UI sync as in the seed: a ServiceAccount (IRSA), a ConfigMap with the app's config, and a Job.

The Job copies the platform's UI template (content-hashed files, immutable cache) to
``s3://<ui bucket>/<prefix>`` and writes config.json and the app's index.html next to it (no-cache).
Destroying the workspace removes the prefix (ui_prefix_cleanup.py). Its name ends with a hash of everything
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

from .ui_prefix_cleanup import UiPrefixCleanup, UiPrefixCleanupProps

#: ``--copy-props metadata-directive`` (AWS CLI v2, the image's) keeps Content-Type and Cache-Control but copies no
#: tags: v2's default (``default``) also copies object tags, which needs s3:GetObjectTagging on the template and
#: s3:PutObjectTagging on the UI bucket, grants the uploader role does not have (every Job would fail with
#: AccessDenied). https://awscli.amazonaws.com/v2/documentation/api/latest/reference/s3/sync.html
#: AWS CLI v1 (PyPI ``awscli``, which the tests run) has no ``--copy-props`` and rejects it ("Unknown options"); it
#: makes no tagging calls of its own, so the script passes the flag to v2 only.
#:
#: Order keeps old and new apart: the content-hashed files first (new names, never overwritten), then config.json
#: and the app's index.html (both no-cache; the page names the new files), and only then the files of older
#: templates are removed. The ConfigMap is mounted at ``$CONFIG_DIR``.
SYNC_SCRIPT = """set -eu
case "$(aws --version 2>&1)" in aws-cli/1.*) props="" ;; *) props="--copy-props metadata-directive" ;; esac
aws s3 sync "s3://$TEMPLATE_BUCKET/$TEMPLATE_PREFIX" "s3://$UI_BUCKET/$UI_PREFIX" --exclude index.html --exclude config.json $props --only-show-errors
aws s3 cp "$CONFIG_DIR/config.json" "s3://$UI_BUCKET/${UI_PREFIX}config.json" --content-type application/json --cache-control no-cache --only-show-errors
aws s3 cp "$CONFIG_DIR/index.html" "s3://$UI_BUCKET/${UI_PREFIX}index.html" --content-type "text/html; charset=utf-8" --cache-control no-cache --only-show-errors
aws s3 sync "s3://$TEMPLATE_BUCKET/$TEMPLATE_PREFIX" "s3://$UI_BUCKET/$UI_PREFIX" --delete --exclude index.html --exclude config.json $props --only-show-errors
echo "published s3://$UI_BUCKET/$UI_PREFIX"
"""
#: Where the ConfigMap (config.json, index.html) is mounted in the Job's container.
CONFIG_MOUNT_PATH = "/config"


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
    #: The app's index.html (the template's, with this app's ``<base href>``), published no-cache.
    index_html: str
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
            data={"config.json": props.config_json, "index.html": props.index_html},
        )
        # Destroying the workspace removes <prefix>* (the Job's objects are not in the state); the Job depends on
        # it, so at destroy the Job goes first and the prefix is removed last.
        cleanup = UiPrefixCleanup(
            self,
            "prefix-cleanup",
            UiPrefixCleanupProps(ui_bucket=props.ui_bucket, prefix=props.prefix, region=props.region),
        )
        # Everything the Job publishes; f-strings inside Fn arguments would be escaped by cdktf, so join instead.
        inputs = Fn.join(
            "\n",
            [
                props.config_json,
                props.index_html,
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
            "CONFIG_DIR": CONFIG_MOUNT_PATH,
            "HOME": "/tmp",
        }
        self.job = JobV1(
            self,
            "job",
            wait_for_completion=True,
            depends_on=[cleanup.dependable],
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
                                        name="config", mount_path=CONFIG_MOUNT_PATH, read_only=True
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
