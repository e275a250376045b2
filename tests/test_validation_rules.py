"""The field engine (generator/validation/rules.py) on a table of its own, and the workspace-name limit.

Survivors of the mutmut run over generator/validation (docs/testing.md): the real tables use no bounds-free
integer, no hint-free string, list or required map, no boolean enum and no tuple default, so those messages and
renderings are asserted here on a small table that has each; the 1024-character and 90-character limits are
asserted at the limit and one past it.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
import yaml
from helpers import REPO

from generator.project import load_platform
from generator.validation.backends import workspace_problems
from generator.validation.rules import (
    BOOLEAN,
    INTEGER,
    OBJECT,
    STRING,
    STRING_LIST,
    STRING_MAP,
    Field,
    check,
    json_schema,
)

FIELDS = (
    Field("name", STRING, "A string without hint, pattern or length limit."),
    Field("count", INTEGER, "An integer with only an upper bound.", maximum=5),
    Field("size", INTEGER, "An integer without bounds."),
    Field("limit", INTEGER, "An integer with both bounds.", minimum=1, maximum=9),
    Field("confirmed", BOOLEAN, "A boolean that must be true.", enum=(True,)),
    Field("zones", STRING_LIST, "A list of strings without hint."),
    Field("labels", STRING_MAP, "A required mapping without key or value patterns.", required=True),
    Field(
        "options",
        OBJECT,
        "A mapping whose one field has a default.",
        children=(Field("mode", STRING, "M.", default="fast"),),
    ),
)
ALL_FIELDS = "name, count, size, limit, confirmed, zones, labels, options"


def _messages(data: object) -> list[str]:
    return [str(p) for p in check(data, FIELDS, "f.yaml")[1]]


def test_a_missing_required_string_map_expects_a_mapping():
    assert _messages({}) == ["f.yaml: labels: missing, expected a mapping"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", 1, "f.yaml: name: got an integer 1, expected a string"),
        ("size", "x", "f.yaml: size: got a string 'x', expected an integer"),
        ("count", "x", "f.yaml: count: got a string 'x', expected an integer"),
        ("limit", "x", "f.yaml: limit: got a string 'x', expected an integer from 1 to 9"),
        ("confirmed", "yes", "f.yaml: confirmed: got a string 'yes', expected one of true"),
        ("zones", "a", "f.yaml: zones: got a string, expected a list of strings"),
        ("zones", [1], "f.yaml: zones[0]: got an integer 1, expected strings"),
    ],
    ids=["string", "integer", "integer-with-maximum-only", "integer-with-bounds", "boolean-enum", "list", "list-item"],
)
def test_a_wrong_type_names_what_the_field_expects(field, value, message):
    assert _messages({"labels": {}, field: value}) == [message]


@pytest.mark.parametrize("limit", [1, 9])
def test_integer_bounds_are_inclusive(limit):
    assert _messages({"labels": {}, "limit": limit}) == []


@pytest.mark.parametrize(
    ("limit", "message"),
    [
        (0, "f.yaml: limit: got 0, expected an integer from 1 to 9"),
        (10, "f.yaml: limit: got 10, expected an integer from 1 to 9"),
    ],
)
def test_an_integer_past_a_bound_is_refused(limit, message):
    assert _messages({"labels": {}, "limit": limit}) == [message]


def test_strings_of_1024_characters_are_accepted_as_values_and_map_keys():
    assert _messages({"name": "a" * 1024, "labels": {"k" * 1024: "v" * 1024}}) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"labels": {}, "name": "a" * 1025}, "f.yaml: name: got a string of 1025 characters, expected a string"),
        (
            {"labels": {"k" * 1025: "v"}},
            "f.yaml: labels: got a string longer than 1024 characters, expected a shorter one",
        ),
        (
            {"labels": {"k": "v" * 1025}},
            "f.yaml: labels: got a string longer than 1024 characters, expected a shorter one",
        ),
    ],
    ids=["value", "map-key", "map-value"],
)
def test_a_string_of_1025_characters_is_refused(data, message):
    assert _messages(data) == [message]


def test_an_unknown_key_that_yaml_reads_as_an_integer_is_named_by_its_text():
    data = yaml.safe_load("1: x\nlabels: {}\n")
    assert _messages(data) == [f"f.yaml: [1]: got unknown field '1' in (top level), expected one of {ALL_FIELDS}"]


def test_a_tuple_default_is_a_json_list_in_the_schema():
    field = Field("zones", STRING_LIST, "Zones.", default=("a", "b"))
    assert json_schema((field,), "T", "A test schema.") == {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "T",
        "description": "A test schema.",
        "type": "object",
        "additionalProperties": False,
        "required": [],
        "properties": {
            "zones": {
                "type": "array",
                "items": {"type": "string"},
                "uniqueItems": True,
                "description": "Zones.",
                "default": ["a", "b"],
            }
        },
    }


@pytest.fixture(scope="module")
def cloud_platform():
    """The repo's platform.yaml on the cloud backend, with a 35-character workspace prefix."""
    platform, problems = load_platform(REPO / "platform.yaml", "platform.yaml", REPO)
    assert problems == []
    backend = replace(platform.backend, type="cloud", organization="example-org", workspace_prefix="w" * 35)
    return replace(platform, backend=backend)


def test_a_workspace_name_of_exactly_90_characters_fits(cloud_platform):
    assert workspace_problems(cloud_platform, [("instances/x.yaml", "s" * 54)]) == []


def test_a_99_character_workspace_name_is_refused_and_cut_to_100_characters_in_the_message(cloud_platform):
    problems = workspace_problems(cloud_platform, [("instances/x.yaml", "s" * 63)])
    assert [str(p) for p in problems] == [
        "instances/x.yaml: metadata.name: got workspace name '" + "w" * 35 + "-" + "s" * 60 + "... (99 characters), "
        "expected at most 90 (shorten the name or backend.workspacePrefix)"
    ]
