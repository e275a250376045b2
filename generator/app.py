"""Build the cdktf App from a validated Project: the platform stack and one stack per instance.

This is the only place in generator/ that touches modules/ (and so the
provider packages); validation never pays for those imports.
"""

from __future__ import annotations

import os
from pathlib import Path

from cdktf import App

from modules.instance_stack import HOME_ALIAS, InstanceStack, InstanceStackProps
from modules.platform_stack import PlatformAssets, PlatformStack, PlatformStackProps, platform_aliases
from modules.stack_base import StackSettings

from . import assets
from .locations import BOOTSTRAP_STACK, EmulatorSettings, local_state_file, state_location, workspace_name
from .model import Instance, PlatformConfig
from .naming import PLATFORM_STACK, instance_names, platform_names
from .project import Project, Selection

MANAGED_BY = "serverless-platform-generator"


def platform_assets(root: Path, work_dir: Path) -> PlatformAssets:
    bundle = assets.build_bundle(root, work_dir)
    template = assets.publish_template(root, work_dir)
    return PlatformAssets(
        bundle_path=bundle.path,
        bundle_key=bundle.key,
        bundle_sha256=bundle.sha256_b64,
        ui_template_dir=template.path,
        ui_template_prefix=assets.template_prefix(template.files),
        ui_template_files=template.files,
        ui_template_index_html=template.index_html,
        site_pages_dir=str(root / assets.SITE_PAGES_DIR),
        site_pages_files=assets.site_pages(root),
        auth_pages_dir=str(root / assets.AUTH_PAGES_DIR),
        auth_pages_files=assets.static_files(root, assets.AUTH_PAGES_DIR),
        viewer_request_code=assets.viewer_request_code(root),
    )


def instance_tags(platform: PlatformConfig, instance: Instance) -> dict[str, str]:
    return {
        **platform.tags,
        "team": instance.team,
        "app": instance.app,
        "environment": instance.environment,
        "developer": instance.developer,
        "instance": instance.name,
        "managed-by": MANAGED_BY,
    }


def build_app(
    project: Project,
    app_outdir: Path,
    final_outdir: Path,
    work_dir: Path,
    selection: Selection,
    emulator: EmulatorSettings | None = None,
) -> App:
    """Create every selected stack in an App writing to ``app_outdir`` (paths are computed for ``final_outdir``).

    ``emulator``: build for the local AWS emulator (``local up``). Default None: real AWS.
    """
    app = App(outdir=str(app_outdir), stack_traces=False)
    platform = project.platform
    if selection.platform:
        PlatformStack(
            app,
            PLATFORM_STACK,
            PlatformStackProps(
                config=platform,
                names=platform_names(platform),
                assets=platform_assets(project.root, work_dir),
                settings=StackSettings(
                    region=platform.home_region,
                    aliases=platform_aliases(platform),
                    tags={**platform.tags, "component": "platform", "managed-by": MANAGED_BY},
                    emulator=emulator,
                    state=state_location(platform, PLATFORM_STACK, final_outdir),
                ),
            ),
        )
    for instance in selection.chosen(project):
        InstanceStack(
            app,
            instance.name,
            InstanceStackProps(
                instance=instance,
                names=instance_names(instance),
                platform=platform,
                platform_names=platform_names(platform),
                settings=StackSettings(
                    region=instance.region,
                    aliases={HOME_ALIAS: platform.home_region},
                    tags=instance_tags(platform, instance),
                    state=state_location(platform, instance.name, final_outdir),
                    emulator=emulator,
                ),
                platform_state_path=state_location(platform, PLATFORM_STACK, final_outdir, reader=instance.name),
            ),
        )
    return app


def build_bootstrap_app(project: Project, app_outdir: Path, final_dir: Path, stacks_dir: str) -> App:
    """The Terraform Cloud bootstrap stack (``tfe-bootstrap``): one workspace per stack, state sharing, run triggers.

    ``final_dir`` is where the stack's folder ends up (its local state path is relative to it);
    ``stacks_dir`` is the synth output's stacks folder relative to the repository top.
    """
    from modules.tfe_bootstrap_stack import TfeBootstrapProps, TfeBootstrapStack  # the tfe provider: only here

    backend = project.platform.backend
    stacks = [PLATFORM_STACK] + [i.name for i in project.instances]
    app = App(outdir=str(app_outdir), stack_traces=False)
    TfeBootstrapStack(
        app,
        BOOTSTRAP_STACK,
        TfeBootstrapProps(
            organization=backend.organization,
            hostname=backend.hostname,
            project=backend.project,
            platform_workspace=workspace_name(backend, PLATFORM_STACK),
            instance_workspaces={i.name: workspace_name(backend, i.name) for i in project.instances},
            working_directories={s: f"{stacks_dir}/{s}" for s in stacks},
            state_path=os.path.relpath(local_state_file(backend, BOOTSTRAP_STACK), final_dir),
            tag_names=(backend.workspace_prefix.lower(),),
        ),
    )
    return app
