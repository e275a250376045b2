"""The UI-sync Job and the kubernetes-mode prefix cleanup, run for real with the AWS CLI against the emulator.

The test takes the synthesized ``kubernetes_job_v1``, ``kubernetes_config_map_v1`` and
``kubernetes_service_account_v1`` of john-inventory-dev from the instance stack's JSON, resolves the platform's
remote-state references to the values a platform apply would give, places the published UI template in the
emulator's assets bucket (as the platform's ``aws_s3_object`` resources would: Content-Type and Cache-Control per
file), then runs the Job's own ``command`` with the Job's ``env`` and the ConfigMap's data as files in a temp folder
standing for its mount path, with PyPI ``awscli`` against moto on 127.0.0.1 (``AWS_ENDPOINT_URL``). The AWS CLI
lives in its own virtualenv (it pins a botocore that conflicts with our boto3): ``$AWSCLI`` (``.ci/run`` makes
``/tmp/awscli-venv``), else ``/tmp/awscli-venv/bin/aws``; missing, the test skips (fails under CI).

moto does not check IAM here (no enforcement of the uploader role's policy), and PyPI ``awscli`` is v1, which has no
``--copy-props`` (the image's v2 has); so the tagging permissions of issue 13 part 8 are pinned by
``test_sync_copies_no_tags``: the script passes ``--copy-props metadata-directive`` to every sync on v2. The first
run of this test found the v1 incompatibility ("Unknown options: --copy-props").
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest
from helpers import load_stack, skip_or_fail
from stack_json import one

from generator.assets import publish_template, template_prefix

INSTANCE = "john-inventory-dev"
REGION = "us-east-2"
UI_BUCKET = "acme-apps-ui"
ASSETS_BUCKET = "acme-apps-assets-us-east-2"
API_URL = "https://abc123.execute-api.us-east-2.amazonaws.com"
REMOTE = "data.terraform_remote_state.platform.outputs."
HASHED = {"app": re.compile(r"app\.[0-9a-f]{12}\.js"), "styles": re.compile(r"styles\.[0-9a-f]{12}\.css")}


def aws_cli() -> str:
    for candidate in (os.environ.get("AWSCLI"), "/tmp/awscli-venv/bin/aws"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    skip_or_fail(
        "the AWS CLI venv is missing: python -m venv /tmp/awscli-venv && /tmp/awscli-venv/bin/pip install awscli==1.35.15"
    )


@pytest.fixture(scope="module")
def job_stack(k8s_out):
    return load_stack(k8s_out, INSTANCE)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return publish_template(Path(__file__).resolve().parents[1], tmp_path_factory.mktemp("published"))


@pytest.fixture(scope="module")
def outputs(template):
    """What the platform's outputs hold after an apply (the values the instance reads through remote state)."""
    return {
        "shared_ui_bucket_name": UI_BUCKET,
        "ui_template_bucket_name": ASSETS_BUCKET,
        "ui_template_prefix": template_prefix(template.files),
        "ui_template_index_html": template.index_html,
        "home_region": REGION,
        "user_pool_id": "us-east-2_AbC",
        "user_pool_client_id": "3n4b5urk1ft4fl3mg5e62d9ado",
        "cognito_domain": "acme-apps-auth.auth.us-east-2.amazoncognito.com",
        "domain_name": "apps.example.com",
        "auth_callback_url": "https://apps.example.com/auth/callback",
        "auth_logout_url": "https://apps.example.com/auth/logout",
        "ui_uploader_role_arn": "arn:aws:iam::123456789012:role/acme-apps-s3-uploader",
    }


def resolve(value: str, outputs: dict) -> str:
    """Evaluate the few Terraform expressions the Job's inputs use: references, jsonencode({...}), replace()."""
    refs = {f"{REMOTE}{k}": v for k, v in outputs.items()}
    refs["aws_apigatewayv2_api.api_4F59AA66.api_endpoint"] = API_URL
    whole = re.fullmatch(r"\$\{([\w.\-]+)\}", value)
    if whole:
        return refs[whole.group(1)]
    if value.startswith("${jsonencode(") and value.endswith(")}"):
        body = value[len("${jsonencode(") : -2]
        body = re.sub(r"([\w.\-]+\.[\w.\-]+)(?=[,}])", lambda m: json.dumps(refs[m.group(1)]), body)
        return json.dumps(json.loads(body.replace('" = ', '": ')), separators=(",", ":"))
    replaced = re.fullmatch(r"\$\{replace\(([\w.\-]+), (\"(?:[^\"\\]|\\.)*\"), (\"(?:[^\"\\]|\\.)*\")\)\}", value)
    if replaced:
        return refs[replaced.group(1)].replace(json.loads(replaced.group(2)), json.loads(replaced.group(3)))
    assert "${" not in value, f"an expression this test cannot evaluate: {value}"
    return value


@pytest.fixture
def emulator(template, outputs, tmp_path):
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    endpoint = "http://{}:{}".format(*server.get_host_and_port())
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=30)
    s3 = boto3.client(
        "s3", region_name=REGION, endpoint_url=endpoint, aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    for bucket in (ASSETS_BUCKET, UI_BUCKET):
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    prefix = outputs["ui_template_prefix"]
    for f in template.files:  # as the platform's StaticFiles objects: Content-Type and Cache-Control per file
        s3.put_object(
            Bucket=ASSETS_BUCKET,
            Key=prefix + f.path,
            Body=(Path(template.path) / f.path).read_bytes(),
            ContentType=f.content_type,
            CacheControl=f.cache_control,
            Tagging="managed-by=serverless-platform-generator",
        )
    # Another app's objects: neither the sync nor the cleanup may touch them.
    s3.put_object(Bucket=UI_BUCKET, Key="other-app-dev/index.html", Body=b"other", ContentType="text/html")
    env = {
        "PATH": f"{Path(aws_cli()).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
    }
    try:
        yield s3, env
    finally:
        server.stop()


def run_job(job_stack, outputs, env, tmp_path) -> subprocess.CompletedProcess:
    job = one(job_stack, "kubernetes_job_v1")
    config_map = one(job_stack, "kubernetes_config_map_v1")
    account = one(job_stack, "kubernetes_service_account_v1")
    pod = job["spec"]["template"]["spec"]
    assert (
        pod["service_account_name"]
        == "${kubernetes_service_account_v1.ui-sync_service-account_5E3EEC1A.metadata[0].name}"
    )
    assert account["metadata"]["name"] == "john-inventory-dev-ui-sync"
    (container,) = pod["container"]
    job_env = {e["name"]: resolve(e["value"], outputs) for e in container["env"]}
    mount = next(m["mount_path"] for m in container["volume_mount"] if m["name"] == "config")
    assert job_env["CONFIG_DIR"] == mount == "/config"
    config_dir = tmp_path / "config-mount"
    shutil.rmtree(config_dir, ignore_errors=True)
    config_dir.mkdir()
    for name, value in config_map["data"].items():
        (config_dir / name).write_text(resolve(value, outputs))
    job_env["CONFIG_DIR"] = str(config_dir)  # the temp folder stands for the mount path
    job_env["HOME"] = str(tmp_path)  # /tmp in the pod (an emptyDir)
    return subprocess.run(
        container["command"], env={**job_env, **env}, capture_output=True, text=True, timeout=300, check=False
    )


def ui_objects(s3, prefix=f"{INSTANCE}/") -> dict[str, dict]:
    listed = s3.list_objects_v2(Bucket=UI_BUCKET, Prefix=prefix).get("Contents", [])
    out = {}
    for item in listed:
        head = s3.head_object(Bucket=UI_BUCKET, Key=item["Key"])
        body = s3.get_object(Bucket=UI_BUCKET, Key=item["Key"])["Body"].read().decode()
        out[item["Key"][len(prefix) :]] = {
            "type": head["ContentType"],
            "cache": head.get("CacheControl"),
            "body": body,
        }
    return out


def check_published(objects: dict) -> None:
    names = sorted(objects)  # app.<hash>.js, config.json, index.html, styles.<hash>.css
    assert len(names) == 4, names
    assert names[1] == "config.json" and names[2] == "index.html", names
    assert HASHED["app"].fullmatch(names[0]) and HASHED["styles"].fullmatch(names[3]), names
    names = [names[1], names[2], names[0], names[3]]
    assert objects["config.json"]["type"] == "application/json"
    assert objects["config.json"]["cache"] == "no-cache"
    assert objects["index.html"]["type"] == "text/html; charset=utf-8"
    assert objects["index.html"]["cache"] == "no-cache"
    assert objects[names[2]]["type"] == "text/javascript; charset=utf-8"
    assert objects[names[3]]["type"] == "text/css; charset=utf-8"
    for hashed in names[2:]:
        assert objects[hashed]["cache"] == "public, max-age=31536000, immutable"
    assert json.loads(objects["config.json"]["body"]) == {
        "apiUrl": "https://abc123.execute-api.us-east-2.amazonaws.com",
        "region": "us-east-2",
        "userPoolId": "us-east-2_AbC",
        "clientId": "3n4b5urk1ft4fl3mg5e62d9ado",
        "cognitoDomain": "acme-apps-auth.auth.us-east-2.amazoncognito.com",
        "domain": "apps.example.com",
        "prefix": "/john-inventory-dev/",
        "appName": "inventory",
        "environment": "dev",
        "redirectUri": "https://apps.example.com/auth/callback",
        "logoutUri": "https://apps.example.com/auth/logout",
    }
    page = objects["index.html"]["body"]
    assert '<base href="/john-inventory-dev/">' in page and '<base href="./">' not in page
    assert f'<script src="{names[2]}" defer></script>' in page
    assert f'<link rel="stylesheet" href="{names[3]}">' in page


def test_the_job_publishes_the_app_and_a_rerun_changes_nothing(job_stack, outputs, emulator, tmp_path):
    s3, env = emulator
    first = run_job(job_stack, outputs, env, tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout == "published s3://acme-apps-ui/john-inventory-dev/\n"
    published = ui_objects(s3)
    check_published(published)

    # A file of an older template is removed by the next run; everything else is byte-for-byte the same.
    s3.put_object(Bucket=UI_BUCKET, Key=f"{INSTANCE}/app.000000000000.js", Body=b"old", ContentType="text/javascript")
    second = run_job(job_stack, outputs, env, tmp_path)
    assert second.returncode == 0, second.stderr
    assert ui_objects(s3) == published
    assert ui_objects(s3, "other-app-dev/")["index.html"]["body"] == "other"


def test_a_failing_copy_fails_the_job(job_stack, outputs, emulator, tmp_path):
    s3, env = emulator
    result = run_job(job_stack, {**outputs, "ui_template_bucket_name": "no-such-bucket"}, env, tmp_path)
    assert result.returncode != 0
    assert "NoSuchBucket" in result.stderr
    assert ui_objects(s3) == {}


def test_sync_copies_no_tags(job_stack):
    """S3 to S3 sync without --copy-props copies tags (needs Get/PutObjectTagging the uploader role lacks)."""
    (container,) = one(job_stack, "kubernetes_job_v1")["spec"]["template"]["spec"]["container"]
    script = container["command"][2]
    lines = script.splitlines()
    syncs = [line for line in lines if line.startswith("aws s3 sync")]
    assert len(syncs) == 2
    assert all(" $props " in line for line in syncs)
    # v2 (the image, aws-cli:2.x) gets the flag; v1 (PyPI awscli, this test's CLI) has no such option.
    assert lines[1] == (
        'case "$(aws --version 2>&1)" in aws-cli/1.*) props="" ;; *) props="--copy-props metadata-directive" ;; esac'
    )


def test_destroy_removes_the_prefix_and_nothing_else(job_stack, outputs, emulator, tmp_path):
    """The terraform_data's destroy-time command, rendered as Terraform would (``self.input``), run for real."""
    s3, env = emulator
    assert run_job(job_stack, outputs, env, tmp_path).returncode == 0
    cleanup = one(job_stack, "terraform_data")
    (provisioner,) = cleanup["provisioner"]
    local_exec = provisioner["local-exec"]
    assert local_exec["when"] == "destroy"
    inputs = {k: resolve(v, outputs) for k, v in cleanup["input"].items()}
    assert inputs == {"bucket": "acme-apps-ui", "prefix": "john-inventory-dev/", "region": "us-east-2"}
    command = re.sub(r"\$\{self\.input\.(\w+)\}", lambda m: inputs[m.group(1)], local_exec["command"])
    result = subprocess.run(["/bin/sh", "-c", command], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert ui_objects(s3) == {}
    assert ui_objects(s3, "other-app-dev/")["index.html"]["body"] == "other"
    # Run twice (a retried destroy): nothing left to remove is not an error.
    again = subprocess.run(["/bin/sh", "-c", command], env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
