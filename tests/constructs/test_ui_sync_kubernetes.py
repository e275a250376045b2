"""UiSyncKubernetes: a ServiceAccount annotated with the uploader role (IRSA), a ConfigMap holding config.json,
and a Job that syncs the UI template to the app's prefix and uploads config.json. The Job runs as non-root with a
read-only root filesystem and no capabilities, and its name ends with an 8-character hash of everything it
publishes, so a change starts a new Job. Every prop is required.

``config_json`` is a Terraform expression here (``Fn.jsonencode``), as the instance stack passes it. Synthesized
in a bare TerraformStack without the kubernetes provider (see fixtures.py: Testing.synth_scope cannot take a
Python callable).
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from cdktf import Fn, Testing
from cdktf_cdktf_provider_kubernetes.config_map_v1 import ConfigMapV1
from cdktf_cdktf_provider_kubernetes.job_v1 import JobV1
from cdktf_cdktf_provider_kubernetes.service_account_v1 import ServiceAccountV1
from fixtures import Synthesized, synth

from modules.ui_sync_kubernetes import UiSyncKubernetes, UiSyncKubernetesProps

LABELS = {"app.kubernetes.io/name": "inventory", "app.kubernetes.io/instance": "john-inventory-dev"}
JOB = JobV1.TF_RESOURCE_TYPE
CONFIG_MAP = ConfigMapV1.TF_RESOURCE_TYPE
SERVICE_ACCOUNT = ServiceAccountV1.TF_RESOURCE_TYPE


def props(**changes) -> UiSyncKubernetesProps:
    base = UiSyncKubernetesProps(
        namespace="apps",
        service_account_name="john-inventory-dev-ui-sync",
        config_map_name="john-inventory-dev-ui-config",
        job_name_prefix="john-inventory-dev-ui-sync-",
        uploader_role_arn="arn:aws:iam::123456789012:role/acme-s3-uploader",
        image="public.ecr.aws/aws-cli/aws-cli:2.17.0",
        region="us-east-2",
        template_bucket="acme-assets-us-east-2",
        template_prefix="ui/inventory-0123456789ab/",
        ui_bucket="acme-ui",
        prefix="john-inventory-dev/",
        config_json=Fn.jsonencode({"apiUrl": "https://api.example.com"}),
        index_html='<base href="/john-inventory-dev/">',
        labels=LABELS,
    )
    return replace(base, **changes)


def build(p: UiSyncKubernetesProps | None = None) -> Synthesized:
    return synth(lambda stack: UiSyncKubernetes(stack, "ui-sync", p or props()))


#: The namespace is read from a data source: a missing one fails the plan, and no instance creates a shared one.
NAMESPACE = "${data.kubernetes_namespace_v1.ui-sync_namespace_B58905A8.metadata[0].name}"


def test_namespace_is_looked_up_not_created():
    out = build()
    assert out.tf["data"]["kubernetes_namespace_v1"]["ui-sync_namespace_B58905A8"]["metadata"] == {"name": "apps"}
    assert "kubernetes_namespace_v1" not in out.tf["resource"]


def test_sync_copies_no_tags():
    """``aws s3 sync`` copies object tags by default, which needs s3:GetObjectTagging and s3:PutObjectTagging:
    the uploader role has neither, so every Job would fail with AccessDenied on AWS. moto does not enforce
    tagging permissions, so the flag is pinned here."""
    script = spec(build())["container"][0]["command"][2].splitlines()
    syncs = [line for line in script if "s3 sync" in line]
    assert len(syncs) == 2 and all(" $props " in line for line in syncs)
    # The image's v2 gets the flag; PyPI's v1 (tests/test_ui_sync_job.py) has no --copy-props and copies no tags.
    assert script[1] == (
        'case "$(aws --version 2>&1)" in aws-cli/1.*) props="" ;; *) props="--copy-props metadata-directive" ;; esac'
    )


def spec(out: Synthesized) -> dict:
    return out.one(JOB)["spec"]["template"]["spec"]


def test_service_account_carries_the_uploader_role_for_irsa():
    assert build().one(SERVICE_ACCOUNT)["metadata"] == {
        "name": "john-inventory-dev-ui-sync",
        "namespace": NAMESPACE,
        "labels": LABELS,
        "annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/acme-s3-uploader"},
    }


def test_config_map_holds_config_json():
    config_map = build().one(CONFIG_MAP)
    assert config_map["metadata"] == {"name": "john-inventory-dev-ui-config", "namespace": NAMESPACE, "labels": LABELS}
    assert config_map["data"] == {
        "config.json": '${jsonencode({"apiUrl" = "https://api.example.com"})}',
        "index.html": '<base href="/john-inventory-dev/">',
    }


def test_job_name_ends_with_a_hash_of_everything_it_publishes():
    name = build().one(JOB)["metadata"]["name"]
    assert name == (
        'john-inventory-dev-ui-sync-${substr(sha256(join("\\n", [jsonencode({"apiUrl" = '
        '"https://api.example.com"}), "<base href="/john-inventory-dev/">", "acme-assets-us-east-2", "ui/inventory-0123456789ab/", '
        '"public.ecr.aws/aws-cli/aws-cli:2.17.0", "acme-ui", "john-inventory-dev/"])), 0, 8)}'
    )


def test_a_new_image_changes_the_job_name():
    changed = build(props(image="amazon/aws-cli:2.18.0")).one(JOB)["metadata"]["name"]
    assert changed != build().one(JOB)["metadata"]["name"]


def test_job_waits_retries_three_times_and_stops_after_ten_minutes():
    job = build().one(JOB)
    assert (job["wait_for_completion"], job["timeouts"]) == (True, {"create": "10m", "update": "10m"})
    assert (job["spec"]["backoff_limit"], job["spec"]["active_deadline_seconds"]) == (3, 600)
    assert job["metadata"]["namespace"] == NAMESPACE and job["spec"]["template"]["metadata"] == {"labels": LABELS}


def test_pod_runs_as_non_root_under_the_service_account_and_never_restarts():
    out = build()
    pod = spec(out)
    assert pod["security_context"] == {"run_as_non_root": True, "run_as_user": "1000", "fs_group": "1000"}
    assert pod["restart_policy"] == "Never"
    account = out.address(SERVICE_ACCOUNT, "service-account")
    assert pod["service_account_name"] == f"${{{account}.metadata[0].name}}"


def test_container_is_locked_down_and_limited():
    container = spec(build())["container"][0]
    assert (container["name"], container["image"]) == ("ui-sync", "public.ecr.aws/aws-cli/aws-cli:2.17.0")
    assert container["security_context"] == {
        "allow_privilege_escalation": False,
        "read_only_root_filesystem": True,
        "capabilities": {"drop": ["ALL"]},
    }
    assert container["resources"] == {
        "requests": {"cpu": "100m", "memory": "128Mi"},
        "limits": {"cpu": "500m", "memory": "256Mi"},
    }


def test_container_syncs_the_template_then_uploads_config_json_uncached():
    container = spec(build())["container"][0]
    assert container["command"][:2] == ["/bin/sh", "-c"]
    script = container["command"][2].splitlines()
    assert script == [
        "set -eu",
        'case "$(aws --version 2>&1)" in aws-cli/1.*) props="" ;; *) props="--copy-props metadata-directive" ;; esac',
        'aws s3 sync "s3://$TEMPLATE_BUCKET/$TEMPLATE_PREFIX" "s3://$UI_BUCKET/$UI_PREFIX" '
        "--exclude index.html --exclude config.json $props --only-show-errors",
        'aws s3 cp "$CONFIG_DIR/config.json" "s3://$UI_BUCKET/${UI_PREFIX}config.json" --content-type application/json '
        "--cache-control no-cache --only-show-errors",
        'aws s3 cp "$CONFIG_DIR/index.html" "s3://$UI_BUCKET/${UI_PREFIX}index.html" '
        '--content-type "text/html; charset=utf-8" --cache-control no-cache --only-show-errors',
        'aws s3 sync "s3://$TEMPLATE_BUCKET/$TEMPLATE_PREFIX" "s3://$UI_BUCKET/$UI_PREFIX" --delete '
        "--exclude index.html --exclude config.json $props --only-show-errors",
        'echo "published s3://$UI_BUCKET/$UI_PREFIX"',
    ]
    assert container["env"] == [
        {"name": "AWS_REGION", "value": "us-east-2"},
        {"name": "TEMPLATE_BUCKET", "value": "acme-assets-us-east-2"},
        {"name": "TEMPLATE_PREFIX", "value": "ui/inventory-0123456789ab/"},
        {"name": "UI_BUCKET", "value": "acme-ui"},
        {"name": "UI_PREFIX", "value": "john-inventory-dev/"},
        {"name": "CONFIG_DIR", "value": "/config"},
        {"name": "HOME", "value": "/tmp"},
    ]


def test_config_is_mounted_read_only_and_tmp_is_the_only_writable_path():
    out = build()
    pod = spec(out)
    assert pod["container"][0]["volume_mount"] == [
        {"name": "config", "mount_path": "/config", "read_only": True},
        {"name": "tmp", "mount_path": "/tmp"},
    ]
    config_map = out.address(CONFIG_MAP, "config-map")
    assert pod["volume"] == [
        {"name": "config", "config_map": {"name": f"${{{config_map}.metadata[0].name}}"}},
        {"name": "tmp", "empty_dir": {}},
    ]


def test_labels_go_on_every_object():
    out = build(props(labels={"team": "backend"}))
    for type_ in (SERVICE_ACCOUNT, CONFIG_MAP, JOB):
        assert Testing.to_have_resource_with_properties(out.text, type_, {"metadata": {"labels": {"team": "backend"}}})


@pytest.mark.xfail(
    strict=True,
    reason="cdktf does not escape quotes of a literal string inside an Fn expression: "
    "a literal config_json breaks the Job name (the instance stack passes a token)",
)
def test_a_literal_config_json_is_escaped_in_the_job_name_expression():
    name = build(props(config_json='{"a":1}')).one(JOB)["metadata"]["name"]
    assert '\\"a\\"' in name, name  # HCL needs {\"a\":1} inside the join(...) expression


def test_destroying_the_workspace_removes_the_prefix_after_the_job():
    out = build()
    cleanup = out.address("terraform_data", "remove-on-destroy")
    assert out.one("kubernetes_job_v1")["depends_on"] == [cleanup]
    assert out.one("terraform_data")["input"] == {
        "bucket": "acme-ui",
        "prefix": "john-inventory-dev/",
        "region": "us-east-2",
    }
