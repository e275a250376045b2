"""The Terraform Cloud bootstrap workspace: creates the platform and instance workspaces and wires them together.

Applied once by an organization admin (and again whenever an instance is
added or removed), with its own local state. For every stack it creates the
workspace ``<prefix>-<stack>`` with the synth output folder as working
directory; it shares the platform workspace's state with the instance
workspaces (``remote_state_consumer_ids``, so their ``terraform_remote_state``
can read the platform outputs), and adds a run trigger per instance so that
an applied platform change queues every instance's run.

Instance workspaces use one ``for_each`` resource keyed by instance name, so
adding an instance adds a key and never moves another workspace's address.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from cdktf import TerraformIterator, TerraformOutput, TerraformStack, Token
from cdktf_cdktf_provider_tfe.data_tfe_project import DataTfeProject
from cdktf_cdktf_provider_tfe.run_trigger import RunTrigger
from cdktf_cdktf_provider_tfe.workspace import Workspace
from cdktf_cdktf_provider_tfe.workspace_settings import WorkspaceSettings
from constructs import Construct

from .stack_base import configure_tfe


@dataclass(frozen=True)
class TfeBootstrapProps:
    """``instance_workspaces`` maps each instance name to its workspace name; ``working_directories``
    maps every stack (the platform too) to its folder in the repository (the synth output).

    ``project``: None keeps the workspaces in the organization's default project.
    ``terraform_version``: the version every workspace runs (the one CI uses).
    ``state_path``: this stack's own local state file, relative to its folder.
    """

    organization: str
    hostname: str
    platform_workspace: str
    instance_workspaces: Mapping[str, str]
    working_directories: Mapping[str, str]
    state_path: str
    project: str | None = None
    terraform_version: str = "1.11.4"
    tag_names: tuple[str, ...] = field(default_factory=tuple)


class TfeBootstrapStack(TerraformStack):
    def __init__(self, scope: Construct, id: str, props: TfeBootstrapProps):
        super().__init__(scope, id)
        configure_tfe(self, hostname=props.hostname, organization=props.organization, state_path=props.state_path)
        project_id = DataTfeProject(self, "project", name=props.project).id if props.project else None
        common = dict(
            organization=props.organization,
            project_id=project_id,
            terraform_version=props.terraform_version,
            # Runs come from CI (CLI-driven) with a saved plan reviewed in the PR; nothing auto-applies.
            auto_apply=False,
            auto_apply_run_trigger=False,
            allow_destroy_plan=True,
        )
        platform = Workspace(
            self,
            "platform-workspace",
            name=props.platform_workspace,
            description="Shared platform (layer 1): CloudFront, Cognito, shared buckets and roles.",
            working_directory=props.working_directories["platform"],
            tag_names=[*props.tag_names, "platform"],
            **common,
        )
        instances = TerraformIterator.from_map(
            {
                name: {"workspace": workspace, "directory": props.working_directories[name]}
                for name, workspace in sorted(props.instance_workspaces.items())
            }
        )
        workspaces = Workspace(
            self,
            "instance-workspaces",
            for_each=instances,
            name=instances.get_string("workspace"),
            description="App instance (layer 3), generated from instances/*.yaml.",
            working_directory=instances.get_string("directory"),
            tag_names=[*props.tag_names, "instance"],
            **common,
        )
        each_workspace = TerraformIterator.from_resources(workspaces)
        WorkspaceSettings(
            self,
            "platform-state-sharing",
            workspace_id=platform.id,
            global_remote_state=False,
            remote_state_consumer_ids=Token.as_list(each_workspace.pluck_property("id")),
        )
        RunTrigger(
            self,
            "platform-run-triggers",
            for_each=each_workspace,
            workspace_id=each_workspace.get_string("id"),
            sourceable_id=platform.id,
        )
        TerraformOutput(
            self,
            "platform_workspace_id",
            value=platform.id,
            description="ID of the platform workspace.",
            static_id=True,
        )
        TerraformOutput(
            self,
            "instance_workspace_ids",
            value=each_workspace.for_expression_for_map("key", "val.id"),
            description="ID of each instance's workspace, by instance name.",
            static_id=True,
        )
