"""cdktf.json: what the CDKTF CLI reads to run ``cdktf synth`` (the README says it works as ``python main.py synth``).

The CLI runs the ``app`` command in the project's folder with ``CDKTF_OUTDIR`` set to its output folder and reads
``manifest.json`` there; this test does the same, without the CLI (an npm package CI does not install).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_the_settings_are_ours():
    """Python, no providers or modules for ``cdktf get`` to generate (the bindings come from PyPI), and no crash
    reports sent anywhere."""
    assert json.loads((REPO / "cdktf.json").read_text()) == {
        "language": "python",
        "app": "python main.py synth",
        "projectId": "serverless-platform-generator",
        "sendCrashReports": "false",
        "terraformProviders": [],
        "terraformModules": [],
        "codeMakerOutput": "imports",
        "context": {},
    }


def test_the_app_command_synthesizes_every_stack_into_the_folder_the_cli_names(tmp_path):
    app = json.loads((REPO / "cdktf.json").read_text())["app"]
    out = tmp_path / "cdktf.out"
    done = subprocess.run(
        app, shell=True, cwd=REPO, env={**os.environ, "CDKTF_OUTDIR": str(out)}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert sorted(manifest["stacks"]) == [
        "john-inventory-dev",
        "platform",
        "team-backend-inventory-prod",
        "team-backend-inventory-staging",
    ]
    for name, stack in manifest["stacks"].items():
        assert (out / stack["synthesizedStackPath"]).is_file(), name
