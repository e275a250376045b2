"""Change safety (generator.workflow.diff) on projects loaded from small YAML: the base and the working tree are
two loads of the same folder, so every path is the same but for the edit under test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from generator.model import Instance
from generator.project import Project, load_project
from generator.workflow.changed import Snapshot
from generator.workflow.diff import (
    Removal,
    Replacement,
    Update,
    backend_where,
    in_place_updates,
    move_state_commands,
    removals,
    replacements,
)

LOCAL = {"type": "local", "stateDir": "terraform-state"}
S3 = {"type": "s3", "bucket": "acme-state"}
CLOUD = {"type": "cloud", "organization": "acme"}

BACKEND_EFFECT = (
    "where every workspace's state lives: run terraform init -migrate-state in each workspace, "
    "or Terraform plans to create everything again"
)


def platform_yaml(**fields) -> str:
    data = {
        "name": "acme-apps",
        "domain": "apps.example.com",
        "hostedZoneId": "Z0123456789EXAMPLE",
        "homeRegion": "us-east-2",
        "regions": ["us-east-2", "us-west-2"],
        "uiSync": "terraform",
        "backend": LOCAL,
    }
    data.update(fields)
    return yaml.safe_dump(data)


def instance_yaml(name: str, developer: str = "john", environment: str = "dev", **spec) -> str:
    return yaml.safe_dump(
        {
            "apiVersion": "kro.run/v1alpha1",
            "kind": "SmartInventoryHubV5",
            "metadata": {"name": name, "namespace": "kro-serverless-stack"},
            "spec": {
                "teamName": "team-backend",
                "developerName": developer,
                "appName": "inventory",
                "environment": environment,
                **spec,
            },
        }
    )


def load(root: Path, platform: str | None = None, **instances: str) -> Project:
    """Write platform.yaml and exactly ``instances`` (file stem -> YAML) under ``root``, then load the project."""
    (root / "instances").mkdir(parents=True, exist_ok=True)
    shutil.rmtree(root / "instances")
    (root / "instances").mkdir()
    (root / "platform.yaml").write_text(platform or platform_yaml())
    for stem, text in instances.items():
        (root / "instances" / f"{stem}.yaml").write_text(text)
    return load_project(root)


def snapshot(project: Project, invalid: tuple[str, ...] = (), order: tuple[str, ...] = ()) -> Snapshot:
    """The base as ``snapshot_at`` reads it: valid instances with their files, invalid files kept by name (None)."""
    instances: dict[str, Instance | None] = {i.name: i for i in project.instances}
    instances.update({name: None for name in invalid})
    if order:
        instances = {name: instances[name] for name in order}
    return Snapshot(
        platform=project.platform,
        instances=instances,
        files={i.name: i.file for i in project.instances},
    )


@pytest.fixture
def root(tmp_path) -> Path:
    return tmp_path / "project"


# --- backend_where ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("backend", "where"),
    [
        (S3, "s3://acme-state/serverless-platform/ (us-east-2)"),
        (
            {**S3, "keyPrefix": "teams/web", "region": "eu-west-1", "lockTable": "locks"},
            "s3://acme-state/teams/web/ (eu-west-1)",
        ),
        (CLOUD, "cloud app.terraform.io/acme/acme-apps-*"),
        ({**CLOUD, "hostname": "tfe.example.com", "workspacePrefix": "web"}, "cloud tfe.example.com/acme/web-*"),
    ],
)
def test_backend_where_names_the_settings_its_block_writes(root, backend, where):
    project = load(root, platform_yaml(backend=backend))
    assert backend_where(project.platform.backend) == where


def test_backend_where_of_a_local_backend_is_its_state_folder(root):
    project = load(root, platform_yaml(backend={"type": "local", "stateDir": "state/tf"}))
    assert backend_where(project.platform.backend) == f"local {root.resolve()}/state/tf"


# --- move_state_commands ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("backend", "command"),
    [
        (
            S3,
            "aws s3 mv s3://acme-state/serverless-platform/inventory-kim.tfstate "
            "s3://acme-state/serverless-platform/inventory-kim-dev.tfstate",
        ),
        (
            {**S3, "keyPrefix": "teams/web"},
            "aws s3 mv s3://acme-state/teams/web/inventory-kim.tfstate s3://acme-state/teams/web/inventory-kim-dev.tfstate",
        ),
        (
            CLOUD,
            "# rename the HCP Terraform workspace acme-apps-inventory-kim to acme-apps-inventory-kim-dev "
            "(its Settings > General page) before the first plan of inventory-kim-dev",
        ),
        (
            {**CLOUD, "workspacePrefix": "web"},
            "# rename the HCP Terraform workspace web-inventory-kim to web-inventory-kim-dev "
            "(its Settings > General page) before the first plan of inventory-kim-dev",
        ),
        (LOCAL, "mv terraform-state/inventory-kim.tfstate terraform-state/inventory-kim-dev.tfstate"),
        (
            {"type": "local", "stateDir": "state/tf"},
            "mv state/tf/inventory-kim.tfstate state/tf/inventory-kim-dev.tfstate",
        ),
    ],
)
def test_move_state_commands_per_backend(root, backend, command):
    project = load(root, platform_yaml(backend=backend))
    assert move_state_commands(project, "inventory-kim", "inventory-kim-dev") == (command,)


# --- replacements: the platform --------------------------------------------------------------


def test_nothing_replaced_when_nothing_changed(root):
    before = snapshot(load(root, **{"john-inventory-dev": instance_yaml("john-inventory-dev")}))
    project = load(root, **{"john-inventory-dev": instance_yaml("john-inventory-dev")})
    assert replacements(project, before) == []


def test_platform_rename_replaces_the_shared_buckets_and_user_pool(root):
    cognito = {"domainPrefix": "acme-login"}
    before = snapshot(load(root, platform_yaml(globalNameSuffix="x1", cognito=cognito)))
    project = load(root, platform_yaml(name="acme-web", globalNameSuffix="x1", cognito=cognito))
    assert replacements(project, before) == [
        Replacement(
            "platform",
            "name",
            "acme-apps",
            "acme-web",
            "the shared buckets and user pool (acme-apps-ui-x1 -> acme-web-ui-x1, acme-apps-users -> acme-web-users; "
            "users and uploaded UIs are lost)",
            True,
        )
    ]


def test_platform_rename_also_moves_the_default_sign_in_domain(root):
    before = snapshot(load(root))
    project = load(root, platform_yaml(name="acme-web"))
    assert [(r.field, r.before, r.after) for r in replacements(project, before)] == [
        ("cognito.domainPrefix", "acme-apps-auth", "acme-web-auth"),
        ("name", "acme-apps", "acme-web"),
    ]


def test_home_region_change_replaces_the_ui_bucket_and_user_pool(root):
    before = snapshot(load(root))
    project = load(root, platform_yaml(homeRegion="us-west-2"))
    assert replacements(project, before) == [
        Replacement(
            "platform",
            "homeRegion",
            "us-east-2",
            "us-west-2",
            "the shared UI bucket and the user pool (users are lost)",
            True,
        )
    ]


def test_each_removed_region_destroys_its_assets_bucket_and_an_added_one_replaces_nothing(root):
    before = snapshot(load(root, platform_yaml(regions=["us-west-2", "us-east-2", "eu-west-1"])))
    project = load(root, platform_yaml(regions=["us-east-2", "ap-south-1"]))
    assert replacements(project, before) == [
        Replacement(
            "platform",
            "regions",
            "eu-west-1",
            "(removed)",
            "nothing: it destroys the assets bucket in eu-west-1",
            False,
        ),
        Replacement(
            "platform",
            "regions",
            "us-west-2",
            "(removed)",
            "nothing: it destroys the assets bucket in us-west-2",
            False,
        ),
    ]


def test_cognito_domain_prefix_change_replaces_the_hosted_sign_in_domain(root):
    before = snapshot(load(root, platform_yaml(cognito={"domainPrefix": "acme-login"})))
    project = load(root, platform_yaml(cognito={"domainPrefix": "acme-signin"}))
    assert replacements(project, before) == [
        Replacement(
            "platform",
            "cognito.domainPrefix",
            "acme-login",
            "acme-signin",
            "the hosted sign-in domain (its URL changes)",
            False,
        )
    ]


def test_moving_the_state_from_local_to_s3_is_a_backend_replacement(root):
    before = snapshot(load(root))
    project = load(root, platform_yaml(backend=S3))
    assert replacements(project, before) == [
        Replacement(
            "platform",
            "backend",
            f"local {root.resolve()}/terraform-state",
            "s3://acme-state/serverless-platform/ (us-east-2)",
            BACKEND_EFFECT,
            True,
        )
    ]


def test_a_new_s3_key_prefix_is_a_backend_replacement(root):
    before = snapshot(load(root, platform_yaml(backend=S3)))
    project = load(root, platform_yaml(backend={**S3, "keyPrefix": "apps"}))
    assert replacements(project, before) == [
        Replacement(
            "platform",
            "backend",
            "s3://acme-state/serverless-platform/ (us-east-2)",
            "s3://acme-state/apps/ (us-east-2)",
            BACKEND_EFFECT,
            True,
        )
    ]


def test_backend_settings_that_do_not_move_the_state_replace_nothing(root):
    before = snapshot(load(root, platform_yaml(backend=S3)))
    project = load(
        root,
        platform_yaml(
            backend={**S3, "lockTable": "locks", "kmsKeyId": "arn:aws:kms:us-east-2:123456789012:alias/state"}
        ),
    )
    assert replacements(project, before) == []


def test_platform_edits_applied_in_place_replace_nothing(root):
    before = snapshot(load(root, j=instance_yaml("john-inventory-dev")))
    edited = platform_yaml(
        domain="web.example.com",
        hostedZoneId="Z9999999999EXAMPLE",
        priceClass="PriceClass_All",
        regions=["us-east-2", "us-west-2", "eu-west-1"],
        waf=False,
        logRetentionDays=30,
        deletionProtection=False,
        tags={"team": "web"},
        isolation="shared",
        cognito={"domainPrefix": "acme-apps-auth", "mfa": "required", "selfSignUp": True},
        backend={"type": "local", "stateDir": "terraform-state"},
    )
    project = load(root, edited, j=instance_yaml("john-inventory-dev"))
    assert replacements(project, before) == []


def test_platform_rename_moves_cloud_workspaces_named_after_it(root):
    before = snapshot(load(root, platform_yaml(backend=CLOUD)))
    project = load(root, platform_yaml(name="acme-web", backend=CLOUD))
    assert [(r.field, r.before, r.after) for r in replacements(project, before)] == [
        ("backend", "cloud app.terraform.io/acme/acme-apps-*", "cloud app.terraform.io/acme/acme-web-*"),
        ("cognito.domainPrefix", "acme-apps-auth", "acme-web-auth"),
        ("name", "acme-apps", "acme-web"),
    ]


def test_home_region_change_moves_an_s3_state_bucket_that_defaults_to_it(root):
    before = snapshot(load(root, platform_yaml(backend=S3)))
    project = load(root, platform_yaml(homeRegion="us-west-2", backend=S3))
    assert [(r.field, r.before, r.after) for r in replacements(project, before)] == [
        (
            "backend",
            "s3://acme-state/serverless-platform/ (us-east-2)",
            "s3://acme-state/serverless-platform/ (us-west-2)",
        ),
        ("homeRegion", "us-east-2", "us-west-2"),
    ]


def test_a_base_without_a_valid_platform_compares_only_instances(root):
    base = snapshot(load(root, j=instance_yaml("john-inventory-dev")))
    before = Snapshot(platform=None, instances=base.instances, files=base.files)
    project = load(root, platform_yaml(name="acme-web"), j=instance_yaml("john-inventory-dev", "johnny"))
    assert [(r.stack, r.field) for r in replacements(project, before)] == [
        ("john-inventory-dev", "base name (api)"),
        ("john-inventory-dev", "base name (api_log_group)"),
        ("john-inventory-dev", "base name (function)"),
        ("john-inventory-dev", "base name (table)"),
        ("john-inventory-dev", "base name (ui_prefix)"),
    ]


# --- replacements: the instances -------------------------------------------------------------


def test_region_change_replaces_every_resource_of_the_instance(root):
    before = snapshot(load(root, **{"p": instance_yaml("team-backend-inventory-prod", "maria", "prod")}))
    project = load(root, **{"p": instance_yaml("team-backend-inventory-prod", "maria", "prod", region="us-west-2")})
    assert replacements(project, before) == [
        Replacement(
            "team-backend-inventory-prod",
            "spec.region",
            "us-east-2",
            "us-west-2",
            "every resource of the instance in the new region (the table's items are lost)",
            True,
        )
    ]


def test_new_base_name_replaces_table_function_api_prefix_and_log_group(root):
    before = snapshot(load(root, **{"j": instance_yaml("john-inventory-dev")}))
    project = load(root, **{"j": instance_yaml("john-inventory-dev", "johnny")})
    name = "john-inventory-dev"
    assert replacements(project, before) == [
        Replacement(name, "base name (api)", "john-inventory-dev-api", "johnny-inventory-dev-api",
                    "the HTTP API (its endpoint URL changes)", False),
        Replacement(name, "base name (api_log_group)", "/aws/vendedlogs/apigateway/john-inventory-dev",
                    "/aws/vendedlogs/apigateway/johnny-inventory-dev",
                    "the API's access-log group (past access logs are deleted; safe)", False),
        Replacement(name, "base name (function)", "john-inventory-dev", "johnny-inventory-dev",
                    "the Lambda function", False),
        Replacement(name, "base name (table)", "john-inventory-dev", "johnny-inventory-dev",
                    "the DynamoDB table (its items are lost)", True),
        Replacement(name, "base name (ui_prefix)", "john-inventory-dev/", "johnny-inventory-dev/",
                    "the UI's prefix in the shared bucket (its URL changes)", False),
    ]  # fmt: skip


def test_an_instance_invalid_in_the_base_does_not_hide_the_next_ones_edits(root):
    base = load(root, **{"a": instance_yaml("a-fixed-dev", "ann"), "b": instance_yaml("b-prod", "maria", "prod")})
    before = snapshot(base, invalid=("a-fixed-dev",), order=("a-fixed-dev", "b-prod"))
    project = load(
        root,
        **{"a": instance_yaml("a-fixed-dev", "ann"), "b": instance_yaml("b-prod", "maria", "prod", region="us-west-2")},
    )
    assert [(r.stack, r.field) for r in replacements(project, before)] == [("b-prod", "spec.region")]


def test_a_new_name_with_the_old_base_name_must_move_the_old_state(root):
    before = snapshot(load(root, **{"k": instance_yaml("inventory-kim", "kim")}))
    project = load(root, **{"k": instance_yaml("inventory-kim-dev", "kim")})
    assert replacements(project, before) == [
        Replacement(
            "inventory-kim-dev",
            "metadata.name",
            "inventory-kim",
            "inventory-kim-dev",
            "the workspace: the new one re-creates kim-inventory-dev while the state of workspace inventory-kim still "
            "owns it; to keep the data, move that state to inventory-kim-dev before its first plan (commands below), "
            "or destroy inventory-kim first",
            True,
            ("mv terraform-state/inventory-kim.tfstate terraform-state/inventory-kim-dev.tfstate",),
        )
    ]


def test_an_added_instance_and_a_gone_invalid_file_replace_nothing(root):
    before = snapshot(load(root, **{"j": instance_yaml("john-inventory-dev")}), invalid=("broken",))
    project = load(root, **{"j": instance_yaml("john-inventory-dev"), "n": instance_yaml("new-app-dev", "nina")})
    assert replacements(project, before) == []


def test_an_instance_taking_a_base_name_kept_by_its_owner_is_not_a_move(root):
    # john keeps his name but leaves his base name; the new ann-dev takes it over: john's own edits, not a move.
    before = snapshot(load(root, **{"j": instance_yaml("john-inventory-dev")}))
    project = load(root, **{"j": instance_yaml("john-inventory-dev", "johnny"), "a": instance_yaml("ann-dev", "john")})
    assert {r.field for r in replacements(project, before)} == {
        "base name (api)",
        "base name (api_log_group)",
        "base name (function)",
        "base name (table)",
        "base name (ui_prefix)",
    }


# --- removals --------------------------------------------------------------------------------


def test_removed_files_orphan_their_workspaces(root):
    base = load(
        root,
        **{
            "john": instance_yaml("john-inventory-dev"),
            "gone": instance_yaml("team-backend-inventory-staging", "maria", "staging"),
        },
    )
    before = snapshot(
        base, invalid=("broken",), order=("john-inventory-dev", "team-backend-inventory-staging", "broken")
    )
    project = load(root, **{"john": instance_yaml("john-inventory-dev")})
    assert removals(project, before) == [
        Removal("broken", "instances/broken.yaml", "(unknown: the file was invalid)"),
        Removal("team-backend-inventory-staging", "instances/gone.yaml", "team-backend-inventory-staging"),
    ]


def test_a_rename_that_keeps_the_base_name_is_not_a_removal(root):
    before = snapshot(load(root, **{"k": instance_yaml("inventory-kim", "kim")}))
    project = load(root, **{"k": instance_yaml("inventory-kim-dev", "kim")})
    assert removals(project, before) == []


def test_a_kept_instance_moving_to_a_removed_base_name_still_orphans_the_removed_one(root):
    base = load(
        root, **{"j": instance_yaml("john-inventory-dev"), "s": instance_yaml("staging-app", "maria", "staging")}
    )
    before = snapshot(base)
    project = load(root, **{"j": instance_yaml("john-inventory-dev", "maria", "staging")})
    assert removals(project, before) == [Removal("staging-app", "instances/s.yaml", "team-backend-inventory-staging")]


def test_removal_text_names_the_table_and_the_orphans_command():
    removal = Removal("team-backend-inventory-staging", "instances/gone.yaml", "team-backend-inventory-staging")
    assert removal.text() == (
        "team-backend-inventory-staging: instances/gone.yaml removed: its workspace is orphaned; its table "
        "team-backend-inventory-staging and its other resources stay until destroyed (after the merge, "
        "python main.py orphans prints the destroy commands)"
    )
    assert removal.text("./platform") == (
        "team-backend-inventory-staging: instances/gone.yaml removed: its workspace is orphaned; its table "
        "team-backend-inventory-staging and its other resources stay until destroyed (after the merge, "
        "./platform orphans prints the destroy commands)"
    )


# --- in_place_updates ------------------------------------------------------------------------

SHARED_EFFECT = (
    "destroys the app's own roles and points its function at the shared role in place; no table, "
    "function, API or prefix is replaced (every app can then reach every app)"
)
KUBERNETES = {"uiSync": "kubernetes", "kubernetes": {"clusterName": "platform-eks"}}


def isolation_move(root: Path, before: str, after: str, **fields) -> list[Update]:
    """Updates for an isolation move, with john in the base and added-app (sorted first) new in the working tree."""
    john = instance_yaml("john-inventory-dev")
    base = snapshot(load(root, platform_yaml(isolation=before, **fields), j=john))
    project = load(root, platform_yaml(isolation=after, **fields), j=john, a=instance_yaml("added-app-dev", "ann"))
    return in_place_updates(project, base)


@pytest.mark.parametrize(
    ("before", "after", "fields", "app_effect", "platform_effect"),
    [
        (
            "perInstance",
            "shared",
            KUBERNETES,
            SHARED_EFFECT,
            "creates the shared Lambda execution role and uploader role: apply the platform first, then the instances",
        ),
        (
            "perInstance",
            "shared",
            {},
            SHARED_EFFECT,
            "creates the shared Lambda execution role: apply the platform first, then the instances",
        ),
        (
            "shared",
            "perInstance",
            KUBERNETES,
            "creates its own execution role and uploader role under the platform's permissions boundary and updates "
            "the function's role in place; no table, function, API or prefix is replaced",
            "destroys the shared Lambda execution role and uploader role: apply the instances first, then the "
            "platform (docs/security.md, migration)",
        ),
        (
            "shared",
            "perInstance",
            {},
            "creates its own execution role under the platform's permissions boundary and updates the function's "
            "role in place; no table, function, API or prefix is replaced",
            "destroys the shared Lambda execution role: apply the instances first, then the platform "
            "(docs/security.md, migration)",
        ),
    ],
    ids=[
        "to-shared-kubernetes-sync",
        "to-shared-terraform-sync",
        "to-per-instance-kubernetes-sync",
        "to-per-instance-terraform-sync",
    ],
)
def test_an_isolation_move_updates_each_app_and_the_platform_in_place(
    root, before, after, fields, app_effect, platform_effect
):
    assert isolation_move(root, before, after, **fields) == [
        Update("john-inventory-dev", "isolation", before, after, app_effect),
        Update("platform", "isolation", before, after, platform_effect),
    ]


def test_no_update_when_isolation_is_unchanged_or_the_base_platform_was_invalid(root):
    assert isolation_move(root, "shared", "shared") == []
    project = load(root, platform_yaml(isolation="shared"), j=instance_yaml("john-inventory-dev"))
    assert in_place_updates(project, Snapshot(platform=None, instances={}, files={})) == []


# --- how they read ---------------------------------------------------------------------------


def test_replacement_and_update_read_as_one_line():
    replacement = Replacement("platform", "homeRegion", "us-east-2", "us-west-2", "the user pool", True)
    assert str(replacement) == "platform: homeRegion: 'us-east-2' -> 'us-west-2' replaces the user pool"
    update = Update("platform", "isolation", "shared", "perInstance", "destroys the shared role")
    assert str(update) == "platform: isolation: 'shared' -> 'perInstance' destroys the shared role"
