"""Property-based hostile input (hypothesis): validation only, in-process.

Whatever the document, the validator returns problems instead of raising,
every problem names the file and a field, and anything it *accepts* is safe
to embed in Terraform JSON and in file paths.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.validation.reader import read_yaml
from generator.validation.rules import check
from generator.validation.tables import INSTANCE_FIELDS, PLATFORM_FIELDS

# No example database: nothing is written into the repository; failures print their example.
SETTINGS = settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

VALID_INSTANCE = {
    "apiVersion": "kro.run/v1alpha1",
    "kind": "SmartInventoryHubV5",
    "metadata": {"name": "john-inventory-dev", "namespace": "kro-serverless-stack"},
    "spec": {"teamName": "team-backend", "developerName": "john", "appName": "inventory", "environment": "dev"},
}
VALID_PLATFORM = {
    "name": "acme-apps",
    "domain": "apps.example.com",
    "hostedZoneId": "Z0123456789EXAMPLE",
    "regions": ["us-east-2"],
    "kubernetes": {"clusterName": "platform-eks"},
    "tags": {"owner": "platform"},
}

#: Any YAML-shaped value: scalars of every type (including hostile text) nested in lists and mappings.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=80),
    st.sampled_from(
        [
            "../..",
            '${file("/etc/passwd")}',
            "%{if true}x%{endif}",
            "a\x00b",
            "\u200b",
            "j\u043ehn",
            "platform",
            "dev",
            "PROD",
            "-x-",
            "x" * 2000,
        ]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=20,
)


def _leaf_paths(data: dict, prefix: str = "") -> list[str]:
    paths = []
    for key, value in data.items():
        path = f"{prefix}.{key}" if prefix else key
        paths.extend(_leaf_paths(value, path) if isinstance(value, dict) else [path])
    return paths


def _replace(data: dict, path: str, value: object) -> dict:
    head, _, rest = path.partition(".")
    copy = dict(data)
    copy[head] = _replace(copy[head], rest, value) if rest else value
    return copy


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _strings(k) + _strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for item in value for s in _strings(item)]
    return []


def _assert_well_formed(problems: list, file: str) -> None:
    for problem in problems:
        assert problem.file == file
        line = str(problem)
        assert line.isprintable() and len(line) < 600, line
        assert problem.message.startswith(("got ", "missing")), line


def _assert_safe(cleaned: dict) -> None:
    """Accepted strings never carry a Terraform template, a control character or a path step up."""
    for text in _strings(cleaned):
        assert "${" not in text and "%{" not in text, text
        assert text.isprintable(), text
        assert ".." not in text.split("/"), text


@SETTINGS
@given(document=values)
def test_any_document_gives_problems_not_exceptions(document: object) -> None:
    for fields in (INSTANCE_FIELDS, PLATFORM_FIELDS):
        cleaned, problems = check(document, fields, "any.yaml")
        _assert_well_formed(problems, "any.yaml")
        if not problems:
            _assert_safe(cleaned)


@SETTINGS
@given(data=st.data())
def test_one_bad_value_is_reported_at_its_own_field(data: st.DataObject) -> None:
    """Change one leaf of a valid file: it is accepted, or the problem names exactly that field."""
    for valid, fields in ((VALID_INSTANCE, INSTANCE_FIELDS), (VALID_PLATFORM, PLATFORM_FIELDS)):
        path = data.draw(st.sampled_from(_leaf_paths(valid)))
        document = _replace(valid, path, data.draw(values))
        cleaned, problems = check(document, fields, "one.yaml")
        _assert_well_formed(problems, "one.yaml")
        assert all(p.field == path or p.field.startswith((f"{path}.", f"{path}[")) for p in problems), (
            path,
            [str(p) for p in problems],
        )
        if not problems:
            _assert_safe(cleaned)


@SETTINGS
@given(key=st.text(min_size=1, max_size=20).filter(lambda k: k not in {f.name for f in INSTANCE_FIELDS}), value=values)
def test_unknown_top_level_field_is_always_an_error(key: str, value: object) -> None:
    _, problems = check({**VALID_INSTANCE, key: value}, INSTANCE_FIELDS, "x.yaml")
    assert len(problems) == 1 and problems[0].message.startswith("got unknown field "), problems


names = st.from_regex(r"[a-z][a-z0-9-]{0,8}[a-z0-9]", fullmatch=True)


@SETTINGS
@given(
    team=names,
    app=names,
    developer=names,
    environment=st.sampled_from(["dev", "staging", "prod"]),
    protection=st.one_of(st.none(), st.booleans()),
)
def test_valid_specs_round_trip_through_the_strict_reader(
    tmp_path_factory, team, app, developer, environment, protection
) -> None:
    """No false alarms: any valid manifest, dumped as YAML, is read back and accepted unchanged."""
    spec = {"teamName": team, "appName": app, "developerName": developer, "environment": environment}
    if protection is not None:
        spec["deletionProtection"] = protection
    document = {**VALID_INSTANCE, "spec": spec}
    path = tmp_path_factory.getbasetemp() / "roundtrip.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    data, problems = read_yaml(path, "instance.yaml")
    assert problems == [] and data == document
    cleaned, problems = check(data, INSTANCE_FIELDS, "instance.yaml")
    assert problems == [], [str(p) for p in problems]
    assert {k: cleaned["spec"][k] for k in spec} == spec


yaml_fragments = st.lists(
    st.sampled_from(
        [
            "a: 1",
            "- x",
            "&a [1]",
            "*a",
            "!!python/name:os.system",
            "---",
            "...",
            "? [k]\n: v",
            "{",
            "]",
            "\t",
            "'",
            '"\\x07"',
            "b: &b {c: *b}",
            "<<: {x: 1}",
            "%YAML 1.1",
            "!!binary aGk=",
            "x: !!timestamp 2001-12-14",
            "k: k",
            "k: k",
        ]
    ),
    max_size=8,
).map("\n".join)


@SETTINGS
@given(text=st.one_of(yaml_fragments, st.text(max_size=200)))
def test_reader_never_raises(tmp_path_factory, text: str) -> None:
    path = tmp_path_factory.getbasetemp() / "reader.yaml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    data, problems = read_yaml(Path(path), "file.yaml")
    assert (data is None) == bool(problems)
    for problem in problems:
        assert problem.file == "file.yaml" and str(problem).isprintable() and len(str(problem)) < 600, str(problem)
    if problems == [] and isinstance(data, dict):
        # Whatever the reader accepts is plain data: no Python objects, no shared (aliased) nodes.
        assert all(isinstance(s, str) for s in _strings(data))
        assert not re.search(r"object at 0x", repr(data))
