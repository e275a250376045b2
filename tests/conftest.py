"""Session fixtures: the example project synthesized once per session, in each UI-sync mode."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import copy_project, synth_project


@pytest.fixture(scope="session")
def k8s_out(tmp_path_factory) -> Path:
    """The repo's example project as it is (kubernetes UI sync), synthesized."""
    root = copy_project(tmp_path_factory.mktemp("k8s"))
    return synth_project(root)


@pytest.fixture(scope="session")
def tf_out(tmp_path_factory) -> Path:
    """The example project with the no-cluster (terraform) UI sync and an existing certificate."""
    root = copy_project(
        tmp_path_factory.mktemp("tf"),
        {
            "uiSync: kubernetes": "uiSync: terraform\ncertificateArn: arn:aws:acm:us-east-1:123456789012:certificate/"
            "00000000-0000-0000-0000-000000000000",
        },
    )
    return synth_project(root)
