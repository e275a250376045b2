"""TfeBootstrapStack: the Terraform Cloud bootstrap workspace. It creates the platform workspace and one
``for_each`` instance workspace per instance (CLI-driven, never auto-applied), shares the platform's state with
exactly the instance workspaces, and adds a run trigger from the platform to each instance. Optional props:
``project`` (looked up by name), ``terraform_version``, ``tag_names``.

A full stack (the tfe provider, a local backend): built in Testing.app() and read with Testing.synth(stack).
"""

from __future__ import annotations

from dataclasses import replace

from cdktf import Testing
from fixtures import Synthesized, synth_stack

from modules.tfe_bootstrap_stack import TfeBootstrapProps, TfeBootstrapStack

PROPS = TfeBootstrapProps(
    organization="acme",
    hostname="app.terraform.io",
    platform_workspace="acme-platform",
    instance_workspaces={
        "john-inventory-dev": "acme-john-inventory-dev",
        "backend-inventory-prod": "acme-backend-inventory-prod",
    },
    working_directories={
        "platform": "cdktf.out/stacks/platform",
        "john-inventory-dev": "cdktf.out/stacks/john-inventory-dev",
        "backend-inventory-prod": "cdktf.out/stacks/backend-inventory-prod",
    },
    state_path="terraform.tfstate",
)
WORKSPACE = "tfe_workspace"


def build(props: TfeBootstrapProps = PROPS) -> Synthesized:
    return synth_stack(lambda app: TfeBootstrapStack(app, "tfe-bootstrap", props))


def workspace(out: Synthesized, construct_id: str) -> dict:
    return out.named(WORKSPACE, construct_id)


def test_provider_and_local_backend():
    out = build()
    assert out.tf["provider"]["tfe"] == [{"hostname": "app.terraform.io", "organization": "acme"}]
    assert out.tf["terraform"]["backend"] == {"local": {"path": "terraform.tfstate"}}


def test_platform_workspace_is_cli_driven_and_never_auto_applies():
    assert workspace(build(), "platform-workspace") == {
        "name": "acme-platform",
        "organization": "acme",
        "working_directory": "cdktf.out/stacks/platform",
        "description": "Shared platform (layer 1): CloudFront, Cognito, shared buckets and roles.",
        "terraform_version": "1.11.4",
        "auto_apply": False,
        "auto_apply_run_trigger": False,
        "allow_destroy_plan": True,
        "tag_names": ["platform"],
    }


def test_instance_workspaces_are_one_for_each_keyed_by_instance_name():
    assert workspace(build(), "instance-workspaces") == {
        "for_each": {
            "backend-inventory-prod": {
                "workspace": "acme-backend-inventory-prod",
                "directory": "cdktf.out/stacks/backend-inventory-prod",
            },
            "john-inventory-dev": {
                "workspace": "acme-john-inventory-dev",
                "directory": "cdktf.out/stacks/john-inventory-dev",
            },
        },
        "name": "${each.value.workspace}",
        "organization": "acme",
        "working_directory": "${each.value.directory}",
        "description": "App instance (layer 3), generated from instances/*.yaml.",
        "terraform_version": "1.11.4",
        "auto_apply": False,
        "auto_apply_run_trigger": False,
        "allow_destroy_plan": True,
        "tag_names": ["instance"],
    }


def test_platform_state_is_shared_with_the_instance_workspaces_only():
    out = build()
    platform = out.address(WORKSPACE, "platform-workspace")
    instances = out.address(WORKSPACE, "instance-workspaces")
    assert out.one("tfe_workspace_settings") == {
        "workspace_id": f"${{{platform}.id}}",
        "global_remote_state": False,
        "remote_state_consumer_ids": f"${{[ for key, val in {instances}: val.id]}}",
    }


def test_an_applied_platform_change_triggers_every_instance():
    out = build()
    trigger = out.one("tfe_run_trigger")
    instances = out.address(WORKSPACE, "instance-workspaces")
    assert trigger["for_each"] == f"${{{instances}}}"
    assert trigger["workspace_id"] == "${each.value.id}"
    assert trigger["sourceable_id"] == f"${{{out.address(WORKSPACE, 'platform-workspace')}.id}}"


def test_outputs_are_the_workspace_ids():
    out = build()
    platform = out.address(WORKSPACE, "platform-workspace")
    instances = out.address(WORKSPACE, "instance-workspaces")
    assert out.tf["output"] == {
        "platform_workspace_id": {"description": "ID of the platform workspace.", "value": f"${{{platform}.id}}"},
        "instance_workspace_ids": {
            "description": "ID of each instance's workspace, by instance name.",
            "value": f"${{{{ for key, val in {instances}: key => val.id }}}}",
        },
    }


def test_default_project_is_the_organizations_default():
    out = build()
    assert not Testing.to_have_data_source(out.text, "tfe_project")
    assert "project_id" not in workspace(out, "platform-workspace")


def test_project_is_looked_up_by_name_and_set_on_every_workspace():
    out = build(replace(PROPS, project="apps"))
    assert Testing.to_have_data_source_with_properties(out.text, "tfe_project", {"name": "apps"})
    project = "${data.tfe_project." + next(iter(out.tf["data"]["tfe_project"])) + ".id}"
    assert workspace(out, "platform-workspace")["project_id"] == project
    assert workspace(out, "instance-workspaces")["project_id"] == project


def test_terraform_version_is_set_on_every_workspace():
    out = build(replace(PROPS, terraform_version="1.12.0"))
    assert {w["terraform_version"] for w in out.resources(WORKSPACE)} == {"1.12.0"}
    assert {w["terraform_version"] for w in build().resources(WORKSPACE)} == {"1.11.4"}


def test_tag_names_come_before_the_role_tag():
    out = build(replace(PROPS, tag_names=("acme", "apps")))
    assert workspace(out, "platform-workspace")["tag_names"] == ["acme", "apps", "platform"]
    assert workspace(out, "instance-workspaces")["tag_names"] == ["acme", "apps", "instance"]
