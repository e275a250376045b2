"""generator.project.load_project / load_instance: which files are read, how they are named in problems,
what an omitted region becomes, and what the loaded Project carries.

Written for the survivors of the mutation run over generator/project.py (docs/testing.md): each test
names the mutant it kills.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import copy_project

from generator.errors import Problem, ValidationFailed
from generator.project import load_instance, load_project

NO_REGION = """\
apiVersion: kro.run/v1alpha1
kind: SmartInventoryHubV5
metadata:
  name: amy-inventory-dev
  namespace: kro-serverless-stack
spec:
  teamName: team-backend
  developerName: amy
  appName: inventory
  environment: dev
"""


def _problems(root: Path, **kwargs) -> list[Problem]:
    with pytest.raises(ValidationFailed) as failed:
        load_project(root, **kwargs)
    return failed.value.problems


def test_the_project_carries_its_resolved_root_and_finds_instances_by_name(tmp_path):
    # load_project 68 (root=None); Project.instance 2 (KeyError(None))
    root = copy_project(tmp_path / "p")
    project = load_project(root / "." / "instances" / "..")
    assert project.root == root.resolve()
    assert project.instance("john-inventory-dev").developer == "john"
    with pytest.raises(KeyError) as missing:
        project.instance("nobody-inventory-dev")
    assert missing.value.args == ("nobody-inventory-dev",)


def test_only_visible_yaml_files_of_the_instances_folder_are_read(tmp_path):
    # load_project 38 (`and` -> `or`: README.md read) and 42 (dot-files no longer skipped)
    root = copy_project(tmp_path / "p")
    (root / "instances" / "README.md").write_text("Instance manifests, one per app.\n")
    (root / "instances" / ".draft.yaml").write_text("not: [valid\n")
    (root / "instances" / "notes.txt").write_text("kind: nothing\n")
    project = load_project(root)
    assert [i.name for i in project.instances] == [
        "john-inventory-dev",
        "team-backend-inventory-prod",
        "team-backend-inventory-staging",
    ]


def test_an_omitted_region_is_the_platforms_home_region(tmp_path):
    # load_project 55, 56 (the default region passed to load_instance dropped, or always us-east-2)
    root = copy_project(tmp_path / "p", {"homeRegion: us-east-2": "homeRegion: us-west-2"})
    (root / "instances" / "amy-inventory-dev.yaml").write_text(NO_REGION)
    assert load_project(root).instance("amy-inventory-dev").region == "us-west-2"


def test_a_missing_instances_folder_is_one_problem_without_a_field(tmp_path):
    # load_project 23 (field "" -> None)
    root = copy_project(tmp_path / "p")
    for path in (root / "instances").iterdir():
        path.unlink()
    (root / "instances").rmdir()
    (problem,) = _problems(root)
    assert problem == Problem("instances", "", "missing folder, expected a folder of instance YAML files")
    assert str(problem) == "instances: missing folder, expected a folder of instance YAML files"


def test_a_file_reached_through_a_symlink_is_named_relative_to_the_root(tmp_path):
    # _display 3 (`continue` -> `break`: the resolved path is never tried)
    root = copy_project(tmp_path / "p")
    (root / "instances" / "broken.yaml").write_text("metadata: [\n")
    link = tmp_path / "link"
    link.symlink_to(root, target_is_directory=True)
    problems = _problems(root, instances_dir=link / "instances")
    assert {p.file for p in problems} == {os.path.join("instances", "broken.yaml")}


def test_a_file_outside_the_root_is_named_by_its_full_path(tmp_path):
    # _display 4 (`str(path)` -> `str(None)`)
    root = copy_project(tmp_path / "p")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "broken.yaml").write_text("metadata: [\n")
    problems = _problems(root, instances_dir=elsewhere)
    assert {p.file for p in problems} == {str(elsewhere / "broken.yaml")}


def test_an_instance_whose_names_do_not_fit_is_not_returned(tmp_path):
    # load_instance 97 (the instance returned alongside its problems; workflow/changed.py uses the pair)
    path = tmp_path / "long.yaml"
    team = "t" * 30  # fits teamName (30), but the Job name it leads to is 65 characters
    path.write_text(
        NO_REGION.replace("teamName: team-backend", f"teamName: {team}")
        .replace("environment: dev", "environment: staging")
        .replace("name: amy-inventory-dev", f"name: {team}-inventory-staging")
    )
    instance, problems = load_instance(path, "instances/long.yaml")
    assert instance is None
    assert [(p.file, p.field) for p in problems] == [("instances/long.yaml", "spec")]
    assert "is 65 characters, expected at most 63" in problems[0].message
