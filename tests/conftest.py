"""Session fixtures (the example project synthesized once per session, in each UI-sync mode), the CI guard
(tests/ci_guard.py: a skip under CI fails) and hypothesis's profiles (derandomized under CI)."""

from __future__ import annotations

import locale
import os
from pathlib import Path

import pytest
from ci_guard import pytest_runtest_makereport, pytest_terminal_summary  # noqa: F401 - hooks, found by name
from helpers import copy_project, in_ci, synth_project
from hypothesis import settings

# Under CI hypothesis draws the same examples every run (derandomize), so a CI failure replays locally with
# HYPOTHESIS_PROFILE=ci; elsewhere it explores (random) and prints the failing example's reproduce blob.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if in_ci() else "dev"))


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


@pytest.fixture(scope="session")
def shared_out(tmp_path_factory) -> Path:
    """The example project with ``isolation: shared`` (the seed's two roles for every app), synthesized."""
    root = copy_project(tmp_path_factory.mktemp("shared"), {"isolation: perInstance": "isolation: shared"})
    return synth_project(root)


@pytest.fixture(scope="module")
def emulator_aws(tmp_path_factory):
    """boto3 clients (``aws(service, region)``) on the emulator's server as ``local up`` runs it, with our fixes
    to moto (generator/local/moto_server.py); one server per test module."""
    from generator.local import emulator as emu
    from generator.local.edge.discover import clients

    workdir = tmp_path_factory.mktemp("emulator")
    server = emu.start(workdir)
    yield clients(server.endpoint)
    emu.stop(workdir)


@pytest.fixture
def ascii_locale():
    """The process's locale encoding is ASCII (LC_CTYPE=C), as on a machine without a UTF-8 locale."""
    saved = locale.setlocale(locale.LC_CTYPE)
    locale.setlocale(locale.LC_CTYPE, "C")
    try:
        yield
    finally:
        locale.setlocale(locale.LC_CTYPE, saved)
