"""``main.py new`` (generator/scaffold.py): the exact file it writes, where its defaults come from, how it quotes
what the user typed, the names it refuses, and where the file waits while it is validated."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from helpers import REPO, copy_project

from generator import scaffold
from generator.errors import Problem, ValidationFailed
from generator.scaffold import _quote, new_instance, schema_reference


def _new(root: Path, **given) -> Path:
    arguments = dict(team="team-data", app="orders", environment="dev", developer="ana")
    arguments.update(given)
    return new_instance(
        root,
        region=arguments.pop("region", None),
        namespace=arguments.pop("namespace", None),
        name=arguments.pop("name", None),
        schemas=arguments.pop("schemas", REPO / "schemas"),
        **arguments,
    )


def _refusal(root: Path, **given) -> list[Problem]:
    with pytest.raises(ValidationFailed) as failed:
        _new(root, **given)
    return failed.value.problems


def _instance_files(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "instances").iterdir())


def test_new_writes_exactly_this_file_named_by_the_base_name(tmp_path):
    root = copy_project(tmp_path / "p")
    (root / "schemas").mkdir()
    (root / "schemas" / "instance.schema.json").write_text("{}")
    path = _new(root)
    assert path == root / "instances" / "ana-orders-dev.yaml"
    assert path.read_text() == (
        "# yaml-language-server: $schema=../schemas/instance.schema.json\n"
        "apiVersion: kro.run/v1alpha1\n"
        "kind: SmartInventoryHubV5\n"
        "metadata:\n"
        '  name: "ana-orders-dev"\n'
        '  namespace: "kro-serverless-stack"\n'
        "spec:\n"
        '  teamName: "team-data"\n'
        '  developerName: "ana"\n'
        '  appName: "orders"\n'
        '  environment: "dev"\n'
        '  region: "us-east-2"\n'
    )
    assert _new(root, environment="prod", region="us-west-2") == root / "instances" / "team-data-orders-prod.yaml"


def test_namespace_and_region_default_to_the_platforms_first_namespace_and_home_region(tmp_path):
    root = copy_project(
        tmp_path / "p",
        {
            "namespaces: [kro-serverless-stack]": "namespaces: [team-apps, kro-serverless-stack]",
            "homeRegion: us-east-2": "homeRegion: us-west-2",
        },
    )
    written = yaml.safe_load(_new(root).read_text())
    assert written["metadata"]["namespace"] == "team-apps"
    assert written["spec"]["region"] == "us-west-2"
    given = yaml.safe_load(
        _new(root, app="billing", name="given", namespace="kro-serverless-stack", region="us-east-2").read_text()
    )
    assert (given["metadata"], given["spec"]["region"]) == (
        {"name": "given", "namespace": "kro-serverless-stack"},
        "us-east-2",
    )


@pytest.mark.parametrize(
    "typed,quoted",
    [
        ("ana", '"ana"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("back\\slash", '"back\\\\slash"'),
        ('\\"', '"\\\\\\""'),
        ("yes", '"yes"'),
        ("0x10", '"0x10"'),
    ],
)
def test_what_the_user_typed_is_one_double_quoted_yaml_string(typed, quoted):
    assert _quote(typed) == quoted
    assert yaml.safe_load(f"v: {quoted}") == {"v": typed}


def test_a_value_needing_quotes_is_refused_by_validation_as_typed(tmp_path):
    root = copy_project(tmp_path / "p")
    before = _instance_files(root)
    problems = _refusal(root, developer='a"b\\c', name="quoted")
    assert [(p.file, p.field) for p in problems] == [("instances/quoted.yaml", "spec.developerName")]
    assert "got 'a\"b\\\\c'" in problems[0].message
    assert _instance_files(root) == before


@pytest.mark.parametrize(
    "name,expected",
    [
        ("team/app", "got 'team/app', expected a plain file name"),
        (".hidden", "got '.hidden', expected a plain file name"),
        ("john-inventory-dev", "got 'john-inventory-dev', expected a name not used by an existing file"),
    ],
)
def test_names_that_are_not_a_new_plain_file_are_refused_and_nothing_is_written(tmp_path, name, expected):
    root = copy_project(tmp_path / "p")
    before = {p.name: p.read_bytes() for p in (root / "instances").iterdir()}
    assert _refusal(root, name=name) == [Problem(f"instances/{name}.yaml", "metadata.name", expected)]
    assert {p.name: p.read_bytes() for p in (root / "instances").iterdir()} == before


def test_the_new_file_is_validated_beside_the_others_under_a_hidden_name(tmp_path, monkeypatch):
    """The file waits in instances/ (same file system: the rename into place is atomic) under a name the project's
    reader skips, and is validated as instances/<name>.yaml."""
    root = copy_project(tmp_path / "p")
    seen: list[tuple[Path, str]] = []
    real = scaffold.load_project

    def spy(where, extra=()):
        seen.extend(extra)
        for scratch, _display in extra:
            assert scratch.read_text().startswith("# yaml-language-server")
        return real(where, extra=extra)

    monkeypatch.setattr(scaffold, "load_project", spy)
    _new(root)
    ((scratch, display),) = seen
    assert (scratch.parent, display) == (root / "instances", "instances/ana-orders-dev.yaml")
    assert scratch.name.startswith(".new-") and scratch.name.endswith(".yaml")
    assert not scratch.exists()
    assert _instance_files(root) == [
        "ana-orders-dev.yaml",
        "john-inventory-dev.yaml",
        "team-backend-inventory-prod.yaml",
        "team-backend-inventory-staging.yaml",
    ]


def test_the_schema_comment_points_at_the_projects_schemas_else_the_generators(tmp_path):
    root = tmp_path / "p"
    (root / "instances").mkdir(parents=True)
    generators = tmp_path / "tool" / "schemas"
    assert schema_reference(root, generators) == "../../tool/schemas/instance.schema.json"
    assert schema_reference(root, None) == "../schemas/instance.schema.json"
    (root / "schemas").mkdir()
    assert schema_reference(root, generators) == "../../tool/schemas/instance.schema.json"  # a folder is not enough
    (root / "schemas" / "instance.schema.json").write_text("{}")
    assert schema_reference(root, generators) == "../schemas/instance.schema.json"
