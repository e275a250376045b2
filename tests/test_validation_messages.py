"""Validation messages no other test asserted (tests/test_message_coverage.py lists them all), each literally."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest
import yaml
from helpers import copy_project

from generator.errors import Problem, ValidationFailed, show, type_name
from generator.project import load_project
from generator.validation.rules import check
from generator.validation.tables import INSTANCE_FIELDS, PLATFORM_FIELDS

REPO = Path(__file__).resolve().parent.parent


def _platform(**changes) -> dict:
    data = yaml.safe_load((REPO / "platform.yaml").read_text())
    data.update(changes)
    return data


def _messages(data: dict, fields, file: str) -> list[str]:
    return [str(p) for p in check(data, fields, file)[1]]


def test_an_empty_region_list_is_refused():
    assert _messages(_platform(regions=[]), PLATFORM_FIELDS, "platform.yaml") == [
        "platform.yaml: regions: got 0 items, expected at least 1"
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("ab", "platform.yaml: name: got 'ab', expected at least 3 characters"),
        ("a" * 25, f"platform.yaml: name: got '{'a' * 25}' (25 characters), expected at most 24 characters"),
    ],
)
def test_platform_name_length_bounds(name, message):
    assert _messages(_platform(name=name), PLATFORM_FIELDS, "platform.yaml") == [message]


@pytest.mark.parametrize("name", ["abc", "a" * 24])
def test_platform_name_at_its_bounds_is_accepted(name):
    assert _messages(_platform(name=name), PLATFORM_FIELDS, "platform.yaml") == []


def test_a_name_part_over_30_characters_is_refused():
    data = yaml.safe_load((REPO / "instances" / "john-inventory-dev.yaml").read_text())
    data["spec"]["appName"] = "a" * 31
    assert _messages(data, INSTANCE_FIELDS, "instances/x.yaml") == [
        "instances/x.yaml: spec.appName: got 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' (31 characters), expected at most 30 characters"
    ]


def test_a_missing_instances_folder_is_reported(tmp_path):
    root = copy_project(tmp_path / "project")
    shutil.rmtree(root / "instances")
    with pytest.raises(ValidationFailed) as failed:
        load_project(root)
    assert [str(p) for p in failed.value.problems] == [
        "instances: missing folder, expected a folder of instance YAML files"
    ]


def test_a_base_name_whose_derived_names_are_too_long_is_refused(tmp_path):
    """developerName and appName of 30 characters each: base name 65 characters, over the Lambda limit of 64."""
    root = copy_project(tmp_path / "project")
    developer, app = "d" * 30, "a" * 30
    text = (root / "instances" / "john-inventory-dev.yaml").read_text()
    text = text.replace("developerName: john", f"developerName: {developer}").replace(
        "appName: inventory", f"appName: {app}"
    )
    (root / "instances" / "john-inventory-dev.yaml").write_text(text)
    base = f"{developer}-{app}-dev"
    with pytest.raises(ValidationFailed) as failed:
        load_project(root)
    messages = [str(p) for p in failed.value.problems]
    assert (
        f"instances/john-inventory-dev.yaml: spec: got base name '{base}', whose Lambda function name '{base}' is 65 "
        "characters, expected at most 64 (shorten developerName, teamName or appName)"
    ) in messages
    assert (
        f"instances/john-inventory-dev.yaml: spec: got base name '{base}', whose Kubernetes ServiceAccount name "
        f"'{base}-ui-sync' is 73 characters, expected at most 63 (shorten developerName, teamName or appName)"
    ) in messages


# Survivors of the mutmut run over generator/validation/rules.py (docs/testing.md): how keys and wrong-typed values
# are named in messages.
TAG_KEY_HINT = "expected 1 to 128 letters, digits, spaces or _.:/=+-@, not starting with aws:"


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        ({"a": "${x}"}, "platform.yaml: tags.a: got '${x}', expected up to 256 letters, digits, spaces or _.:/=+-@"),
        ({"": "v"}, f"platform.yaml: tags['']: got key '', {TAG_KEY_HINT}"),
        ({"é": "v"}, f"platform.yaml: tags['\\xe9']: got key '\\xe9', {TAG_KEY_HINT}"),
        ({"a\u0007": "v"}, f"platform.yaml: tags['a\\x07']: got key 'a\\x07', {TAG_KEY_HINT}"),
        (
            {"k" * 60: "${x}"},
            "platform.yaml: tags.kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: got '${x}', expected up to 256 letters, digits, spaces or _.:/=+-@",
        ),
        (
            {"k" * 61: "${x}"},
            "platform.yaml: tags['kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk...]: got '${x}', expected up to 256 letters, digits, spaces or _.:/=+-@",
        ),
    ],
    ids=["one-letter", "empty", "non-ascii", "control", "60-characters", "61-characters"],
)
def test_map_keys_are_named_plainly_only_when_plain(tags, message):
    assert _messages(_platform(tags=tags), PLATFORM_FIELDS, "platform.yaml") == [message]


@pytest.mark.parametrize(("value", "got"), [([], "a list"), ({}, "a mapping"), (None, "null")])
def test_a_container_or_null_is_named_by_its_type_alone(value, got):
    data = yaml.safe_load((REPO / "instances" / "john-inventory-dev.yaml").read_text())
    data["spec"]["appName"] = value
    assert _messages(data, INSTANCE_FIELDS, "i.yaml") == [
        f"i.yaml: spec.appName: got {got}, expected lowercase letters, digits and '-', starting with a letter and ending with a letter or digit, at most 30 characters"
    ]


# --- errors.py: how a value and a failure read -------------------------------------------------------------


def test_a_mapping_or_list_value_is_shown_by_its_type_not_its_contents():
    assert show({"a": 1}) == "a mapping"
    assert show([1, 2]) == "a list"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("x" * 58, "'" + "x" * 58 + "'"),  # exactly 60 characters: kept whole
        ("x" * 59, "'" + "x" * 56 + "..."),  # 61: cut to 60
    ],
    ids=["60-characters", "61-characters"],
)
def test_a_value_is_cut_only_beyond_60_characters(value, shown):
    assert show(value) == shown


def test_a_yaml_value_of_another_type_is_named_by_its_python_type():
    assert type_name(datetime.date(2024, 1, 1)) == "date"  # YAML reads 2024-01-01 as a date
    assert type_name(b"\x00") == "bytes"


def test_a_failure_reads_as_its_problems_sorted_one_per_line_without_repeats():
    second, first = Problem("b.yaml", "spec.x", "got 1"), Problem("a.yaml", "", "empty file")
    failure = ValidationFailed([second, first, second])
    assert str(failure) == "a.yaml: empty file\nb.yaml: spec.x: got 1"
    assert failure.problems == [first, second]
