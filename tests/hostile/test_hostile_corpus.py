"""Tier 1, hostile input: every bad file in tests/hostile/corpus is refused with a clear error.

Each case is checked three ways, all in-process (no provider import, so fast):
``load_project`` reports exactly the expected fields; ``main.py validate``
exits 1 with ``file: field: message`` lines and no traceback; ``main.py
synth`` exits 1 and leaves the output folder byte-for-byte as it was, with no
scratch folder behind. Cases too large or too odd to commit (10 MB strings,
invalid UTF-8, device files) are generated here.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.errors import ValidationFailed
from generator.project import load_project
from generator.validation.rules import check
from generator.validation.tables import INSTANCE_FIELDS
from hostile.support import CORPUS, instance_project, platform_project, scratch_left, seed_output, snapshot
from main import cli

REPO_INSTANCES = Path(__file__).resolve().parents[2] / "instances"
LETTERS = "lowercase letters, digits and '-', starting with a letter and ending with a letter or digit"
LABEL = "lowercase letters, digits and '-', starting and ending with a letter or digit"
TAG_KEY = "expected 1 to 128 letters, digits, spaces or _.:/=+-@, not starting with aws:"
TAG_VALUE = "expected up to 256 letters, digits, spaces or _.:/=+-@"

#: file -> {field: a distinctive part of its message}. The reported fields must be exactly these
#: ("" is the whole file). Every line must also read ``<file>: [<field>: ]got ..., expected ...``.
INSTANCE_CASES: dict[str, dict[str, str]] = {
    "empty.yaml": {"": "got an empty file, expected a YAML mapping"},
    "only-comments.yaml": {"": "got an empty file, expected a YAML mapping"},
    "list-not-mapping.yaml": {"": "got a list, expected a mapping"},
    "scalar-not-mapping.yaml": {"": "got a string, expected a mapping"},
    "two-documents.yaml": {"": "got 2 YAML documents, expected exactly one"},
    "duplicate-key.yaml": {"": "invalid YAML: line 11, column 3: got key 'environment' twice, expected each key once"},
    "anchor-alias.yaml": {
        "": "invalid YAML: line 3, column 11: got a YAML anchor or alias, expected plain values (anchors and aliases are not allowed)"
    },
    "billion-laughs.yaml": {
        "": "invalid YAML: line 1, column 4: got a YAML anchor or alias, expected plain values (anchors and aliases are not allowed)"
    },
    "merge-key.yaml": {"": "could not determine a constructor for the tag 'tag:yaml.org,2002:merge'"},
    "python-tag.yaml": {
        "": "could not determine a constructor for the tag 'tag:yaml.org,2002:python/object/apply:os.system'"
    },
    "syntax-error.yaml": {"": "invalid YAML: line 5, column 1: found character '\\t' that cannot start any token"},
    "complex-key.yaml": {
        "": "invalid YAML: line 3, column 3: got a mapping key that is not a plain value, expected string keys"
    },
    "wrong-types.yaml": {
        "apiVersion": "got an integer 1, expected one of kro.run/v1alpha1",
        "kind": "got a list, expected one of SmartInventoryHubV5",
        "metadata.name": f"got an integer 12345, expected {LABEL}",
        "metadata.namespace": f"got a list, expected {LABEL}",
        "metadata.labels": "got a list, expected a mapping of strings to strings",
        "metadata.annotations.owner": "got an integer 7, expected a string",
        "spec.teamName": f"got a mapping, expected {LETTERS}",
        "spec.developerName": f"got null, expected {LETTERS}",
        "spec.appName": f"got a boolean True, expected {LETTERS}",
        "spec.environment": "got a number 1.5, expected one of dev, staging, prod",
        "spec.region": "got an integer 42, expected an AWS region code such as us-east-2",
        "spec.deletionProtection": "got a string 'yes', expected true or false",
    },
    "wrong-type-sections.yaml": {
        "metadata": "got a string, expected a mapping",
        "spec": "got a list, expected a mapping",
    },
    "missing-fields.yaml": {
        "metadata.name": f"missing, expected {LABEL}",
        "metadata.namespace": f"missing, expected {LABEL}",
        "spec.teamName": f"missing, expected {LETTERS}",
        "spec.appName": f"missing, expected {LETTERS}",
        "spec.developerName": f"missing, expected {LETTERS}",
        "spec.environment": "missing, expected one of dev, staging, prod",
    },
    "missing-sections.yaml": {"metadata": "missing, expected a mapping", "spec": "missing, expected a mapping"},
    "unknown-fields.yaml": {
        "metadata.uid": "got unknown field 'uid' in metadata, expected one of name, namespace, labels, annotations",
        "spec.enviroment": "got unknown field 'enviroment' in spec, expected one of teamName, appName, environment,",
        "status": "got unknown field 'status' in (top level), expected one of apiVersion, kind, metadata, spec",
    },
    "wrong-api-version.yaml": {"apiVersion": "got 'kro.run/v1', expected one of kro.run/v1alpha1"},
    "wrong-kind.yaml": {"kind": "got 'ResourceGraphDefinition', expected one of SmartInventoryHubV5"},
    "wrong-case-enum.yaml": {
        "kind": "got 'smartinventoryhubv5', expected one of SmartInventoryHubV5",
        "spec.environment": "got 'Prod', expected one of dev, staging, prod",
    },
    # Control characters are shown escaped: the message shows exactly what is in the file.
    "control-characters.yaml": {
        "metadata.name": r"got 'esc\x1b[31m-inventory-dev', expected",
        "metadata.namespace": r"got 'kro-serverless-stack\x00'",
        "spec.teamName": r"got 'team\ta'",
        "spec.developerName": r"got 'nl\nx'",
        "spec.appName": r"got 'bell\x07'",
    },
    # Cyrillic o/e, a Unicode hyphen, a zero-width space and a full-width j: all refused, all visible.
    "unicode-lookalikes.yaml": {
        "metadata.name": r"got 'j\u043ehn-inventory-dev'",
        "metadata.namespace": r"got 'kro\u2010serverless-stack'",
        "spec.teamName": r"got 'team\u200ba'",
        "spec.developerName": r"got '\uff4aohn'",
        "spec.appName": r"got 'inv\u0435ntory'",
        "spec.environment": r"got 'd\u0435v', expected one of dev, staging, prod",
    },
    "path-traversal.yaml": {
        "metadata.name": "got '../../../etc/passwd'",
        "metadata.namespace": "got '../kube-system'",
        "spec.teamName": "got 'team/../a'",
        "spec.developerName": "got '..'",
        "spec.appName": "got './inventory'",
        "spec.region": "got '../us-east-2', expected an AWS region code such as us-east-2",
    },
    "upper-case-name.yaml": {
        "metadata.name": f"got 'John-Inventory-Dev', expected {LABEL}",
        "spec.developerName": f"got 'John', expected {LETTERS}",
    },
    "reserved-platform-name.yaml": {
        "metadata.name": "got 'platform', expected any other name (it is the platform workspace's name)"
    },
    "too-long-names.yaml": {"metadata.name": "(64 characters), expected at most 63 characters"},
    # YAML 1.1 turns these into booleans, integers and null; dates stay strings (the reader drops timestamps).
    "yaml11-surprises.yaml": {
        "metadata.name": "got a boolean False",
        "metadata.namespace": "got an integer 31",
        "spec.appName": "got null",
        "spec.teamName": "got '2024-01-01'",
        "spec.developerName": "got '1e3'",
        "spec.deletionProtection": "got an integer 1, expected true or false",
    },
    "unserved-region.yaml": {
        "spec.region": "got 'eu-west-1', expected one of the platform's regions: us-east-2, us-west-2"
    },
    "unknown-namespace.yaml": {
        "metadata.namespace": "got 'kube-system', expected one of the platform's namespaces: kro-serverless-stack"
    },
}

PLATFORM_CASES: dict[str, dict[str, str]] = {
    "empty.yaml": {"": "got an empty file, expected a YAML mapping"},
    "list-not-mapping.yaml": {"": "got a list, expected a mapping"},
    "two-documents.yaml": {"": "got 2 YAML documents, expected exactly one"},
    "duplicate-key.yaml": {
        "": "invalid YAML: line 6, column 1: got key 'deletionProtection' twice, expected each key once"
    },
    "alias-bomb.yaml": {
        "": "invalid YAML: line 5, column 7: got a YAML anchor or alias, expected plain values (anchors and aliases are not allowed)"
    },
    "wrong-types.yaml": {
        "name": "got an integer 5, expected 3 to 24 lowercase letters",
        "domain": "got a list, expected a lowercase DNS name",
        "hostedZoneId": "got a boolean True, expected a Route 53 hosted zone id",
        "homeRegion": "got a mapping, expected an AWS region code",
        "regions": "got a string, expected a list of an AWS region code",
        "certificateArn": "got an integer 12, expected an ACM certificate ARN in us-east-1",
        "priceClass": "got an integer 100, expected one of PriceClass_100, PriceClass_200, PriceClass_All",
        "uiSync": "got a boolean False, expected one of kubernetes, terraform",
        "kubernetes": "got a string, expected a mapping",
        "cognito.domainPrefix": "got an integer 1",
        "cognito.selfSignUp": "got a string 'false', expected true or false",
        "cognito.mfa": "got a boolean True, expected one of off, optional, required",
        "cognito.accessTokenMinutes": "got a string '60', expected an integer from 5 to 1440",
        "cognito.refreshTokenDays": "got a number 1.5, expected an integer from 1 to 3650",
        "backend": "got a list, expected a mapping",
        "deletionProtection": "got a string 'no', expected true or false",
        "logRetentionDays": "got 31, expected one of 1, 3, 5",
        "tags": "got a list, expected a mapping of strings to strings",
    },
    "wrong-type-values.yaml": {
        "regions[1]": "got an integer 7",
        "regions[2]": "got a list",
        "kubernetes.namespaces": "got a string, expected a list of",
        "cognito.accessTokenMinutes": "got 99999, expected an integer from 5 to 1440",
        "cognito.refreshTokenDays": "got 0, expected an integer from 1 to 3650",
        "tags.owner": "got an integer 1, expected a string",
        "tags[2]": "got key 2 (an integer), expected string keys",
    },
    "missing-fields.yaml": {
        "name": "missing, expected 3 to 24",
        "domain": "missing, expected a lowercase DNS name",
        "hostedZoneId": "missing, expected a Route 53 hosted zone id",
    },
    "unknown-fields.yaml": {
        "domian": "got unknown field 'domian' in (top level), expected one of name, globalNameSuffix, domain,",
        "kubernetes.namespace": "got unknown field 'namespace' in kubernetes, expected one of clusterName, namespaces, image",
        "cognito.selfSignup": "got unknown field 'selfSignup' in cognito, expected one of domainPrefix, selfSignUp,",
        "backend.path": "got unknown field 'path' in backend, expected one of type, stateDir,",
    },
    "path-traversal.yaml": {"backend.stateDir": "got '../../../etc', expected a relative path without '..'"},
    "absolute-state-dir.yaml": {
        "backend.stateDir": "got '/home/developer/.terraform.d', expected a relative path without '..'"
    },
    "home-region-not-served.yaml": {"regions": "got 'us-west-2' more than once, expected each value once"},
    "lookalike-domain.yaml": {
        "name": r"got 'acme-\u0430pps'",
        "domain": r"got '\u0430pps.example.com', expected a lowercase DNS name",
    },
    "control-characters.yaml": {
        "name": r"got 'acme\x1b[2J-apps'",
        "domain": r"got 'apps.example.com\r\n'",
        "hostedZoneId": r"got 'Z0123456789EXAMPLE\x00'",
        "kubernetes.clusterName": r"got 'platform-eks\n'",
    },
    "reserved-cognito-word.yaml": {
        "name": "got Cognito domain prefix 'aws-apps-auth', expected one without 'aws' (Cognito reserves it)"
    },
    "certificate-wrong-region.yaml": {"certificateArn": "got 'arn:aws:acm:us-east-2:123456789012:certificate/"},
    "kubernetes-without-cluster.yaml": {
        "kubernetes.clusterName": "missing, expected the EKS cluster name when uiSync is kubernetes"
    },
    # A tag is copied onto every resource: a "${...}" value would be a Terraform template in the output.
    "tag-injection.yaml": {
        'tags.${file("/etc/passwd")}': f"""got key '${{file("/etc/passwd")}}', {TAG_KEY}""",
        "tags.aws:cloudformation:stack-name": f"got key 'aws:cloudformation:stack-name', {TAG_KEY}",
        r"tags['owner\n']": rf"got key 'owner\n', {TAG_KEY}",
        "tags.owner": rf"got 'x\x00y', {TAG_VALUE}",
        "tags.team": f"got '${{var.secret}}', {TAG_VALUE}",
        "tags.cost-center": f"got '%{{ for x in [1] }}x%{{ endfor }}', {TAG_VALUE}",
    },
}

#: Generated at test time: (file name, bytes, {field: message part}).
BIG = "a" * (10 * 1024 * 1024)
GENERATED_INSTANCE_CASES: dict[str, tuple[bytes, dict[str, str]]] = {
    "ten-megabyte-string.yaml": (
        f"apiVersion: kro.run/v1alpha1\nmetadata: {{name: {BIG}}}\n".encode(),
        {"": "got a file of more than 65536 bytes, expected at most 65536"},
    ),
    # The cap is 64 KiB exactly: one byte over is refused before parsing.
    "one-byte-over-the-cap.yaml": (
        b"apiVersion: kro.run/v1alpha1\n#" + b"x" * (65536 - 30) + b"\n",
        {"": "got a file of more than 65536 bytes, expected at most 65536"},
    ),
    "long-string-under-file-cap.yaml": (
        f"apiVersion: kro.run/v1alpha1\nkind: SmartInventoryHubV5\nmetadata: {{name: {'a' * 60000}, namespace: x}}\n".encode(),
        {"metadata.name": f"got a string of 60000 characters, expected {LABEL}", "spec": "missing"},
    ),
    "not-utf8.yaml": (
        b"apiVersion: kro.run/v1alpha1\nkind: caf\xe9\n",
        {"": "got bytes that are not UTF-8 at offset 38, expected UTF-8 text"},
    ),
    "utf16.yaml": ("apiVersion: kro.run/v1alpha1\n".encode("utf-16"), {"": "got bytes that are not UTF-8 at offset 0"}),
    "raw-control-character.yaml": (
        b"apiVersion: kro.run/v1alpha1\nkind: Smart\x07Inventory\n",
        {"": "invalid YAML: got control character #x0007 at character 41, expected printable text"},
    ),
    "deep-nesting.yaml": (b"[" * 60000, {"": "invalid YAML: nesting too deep"}),
}


def _problems(root: Path) -> list:
    with pytest.raises(ValidationFailed) as failed:
        load_project(root)
    return failed.value.problems


def _assert_reported(problems: list, display: str, expected: dict[str, str]) -> None:
    assert {p.file for p in problems} == {display}, [str(p) for p in problems]
    by_field = {p.field: p.message for p in problems}
    assert set(by_field) == set(expected), [str(p) for p in problems]
    for field, part in expected.items():
        assert part in by_field[field], f"{field}: {by_field[field]!r} does not contain {part!r}"
    for problem in problems:
        # One printable line each, in the documented shape, bounded however long the input was.
        line = str(problem)
        assert line.isprintable() and len(line) < 600, line
        assert re.match(r"got |missing|invalid YAML: ", problem.message), line
        # PyYAML's own syntax errors keep its wording; everything else is "got X, expected Y".
        assert problem.message.startswith("invalid YAML: ") or ", expected " in problem.message, line


def _assert_cli_refuses(root: Path, display: str, tmp_path: Path) -> None:
    """``validate`` and ``synth`` exit 1 naming the file, print no traceback, and write nothing."""
    runner = CliRunner()
    result = runner.invoke(cli, ["--root", str(root), "validate"])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.stderr.startswith(f"{display}: ")
    assert re.fullmatch(r"error: \d+ problems? found", result.stderr.rstrip().splitlines()[-1]), result.stderr

    out = tmp_path / "out" / "cdktf.out"
    seed_output(out)
    before = snapshot(out)
    result = runner.invoke(cli, ["--root", str(root), "synth", "--out", str(out)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    assert snapshot(out) == before
    assert scratch_left(out) == []


@pytest.mark.parametrize("case", sorted(INSTANCE_CASES))
def test_bad_instance_file_is_refused(case: str, tmp_path: Path) -> None:
    root = instance_project(tmp_path / "project", CORPUS / "instances" / case)
    _assert_reported(_problems(root), f"instances/{case}", INSTANCE_CASES[case])
    _assert_cli_refuses(root, f"instances/{case}", tmp_path)


@pytest.mark.parametrize("case", sorted(PLATFORM_CASES))
def test_bad_platform_file_is_refused(case: str, tmp_path: Path) -> None:
    root = platform_project(tmp_path / "project", CORPUS / "platform" / case)
    _assert_reported(_problems(root), "platform.yaml", PLATFORM_CASES[case])
    _assert_cli_refuses(root, "platform.yaml", tmp_path)


@pytest.mark.parametrize("case", sorted(GENERATED_INSTANCE_CASES))
def test_generated_bad_instance_file_is_refused(case: str, tmp_path: Path) -> None:
    data, expected = GENERATED_INSTANCE_CASES[case]
    root = instance_project(tmp_path / "project", name=case, data=data)
    _assert_reported(_problems(root), f"instances/{case}", expected)
    _assert_cli_refuses(root, f"instances/{case}", tmp_path)


def test_corpus_has_an_expectation_for_every_file() -> None:
    """A file added to the corpus without an expected outcome would never be checked."""
    assert sorted(p.name for p in (CORPUS / "instances").glob("*.yaml")) == sorted(INSTANCE_CASES)
    assert sorted(p.name for p in (CORPUS / "platform").glob("*.yaml")) == sorted(PLATFORM_CASES)


def test_ten_megabyte_string_is_cut_before_any_regex(tmp_path: Path) -> None:
    """Past the file cap (a direct caller of ``check``): the value is refused by length, and the message stays short."""
    data = {
        "apiVersion": "kro.run/v1alpha1",
        "kind": "SmartInventoryHubV5",
        "metadata": {"name": BIG, "namespace": BIG, "labels": {"a": BIG}},
        "spec": {"teamName": BIG, "appName": "x" * 1025, "environment": BIG, "developerName": "d"},
    }
    _, problems = check(data, INSTANCE_FIELDS, "big.yaml")
    by_field = {p.field: p.message for p in problems}
    assert by_field["metadata.name"].startswith(f"got a string of {len(BIG)} characters, expected")
    assert by_field["spec.appName"].startswith("got a string of 1025 characters, expected")
    assert by_field["metadata.labels"] == "got a string longer than 1024 characters, expected a shorter one"
    assert all(len(str(p)) < 600 for p in problems)


def test_names_that_collide_are_reported_in_every_file(tmp_path: Path) -> None:
    """Same metadata.name (also when only the file name's case differs) or the same derived base name."""
    root = instance_project(tmp_path / "project")
    for path in list((CORPUS / "collisions").glob("*.yaml")) + [
        CORPUS.parent.parent.parent / "instances" / "john-inventory-dev.yaml"
    ]:
        (root / "instances" / path.name).write_bytes(path.read_bytes())
    problems = _problems(root)
    lines = sorted(str(p) for p in problems)
    expected_name = "metadata.name: got 'john-inventory-dev', expected a name no other instance uses"
    expected_base = "spec: got base name 'john-inventory-dev', expected a name no other instance uses"
    assert {(p.file, p.field) for p in problems} == {
        ("instances/JOHN-INVENTORY-DEV.yaml", "metadata.name"),
        ("instances/JOHN-INVENTORY-DEV.yaml", "spec"),
        ("instances/john-inventory-dev.yaml", "metadata.name"),
        ("instances/john-inventory-dev.yaml", "spec"),
        ("instances/same-name.yaml", "metadata.name"),
        ("instances/same-base-name.yaml", "spec"),
    }, lines
    assert all(expected_name in line or expected_base in line for line in lines), lines
    _assert_cli_refuses(root, "instances/JOHN-INVENTORY-DEV.yaml", tmp_path)


def test_all_problems_of_all_files_are_reported_at_once(tmp_path: Path) -> None:
    """Three bad files and a bad platform.yaml: one run reports every one of them."""
    root = platform_project(tmp_path / "project", CORPUS / "platform" / "wrong-types.yaml")
    for case in ("wrong-types.yaml", "path-traversal.yaml", "billion-laughs.yaml"):
        (root / "instances" / case).write_bytes((CORPUS / "instances" / case).read_bytes())
    files = {p.file for p in _problems(root)}
    assert files == {
        "platform.yaml",
        "instances/wrong-types.yaml",
        "instances/path-traversal.yaml",
        "instances/billion-laughs.yaml",
    }


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "directory"])
def test_special_files_are_refused_without_reading_them(kind: str, tmp_path: Path) -> None:
    """A PR can add a symlink to /dev/zero or a FIFO named *.yaml: reading it would never end."""
    root = instance_project(tmp_path / "project")
    path = root / "instances" / "special.yaml"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    else:
        path.mkdir()
    _assert_reported(
        _problems(root),
        "instances/special.yaml",
        {"": "got a special file (directory, device or pipe), expected a regular file"},
    )


def test_a_file_of_exactly_64_kib_is_read(tmp_path: Path) -> None:
    """The cap is inclusive: a valid manifest padded with a comment to 65536 bytes loads."""
    text = (REPO_INSTANCES / "john-inventory-dev.yaml").read_bytes()
    data = text + b"#" + b"x" * (65536 - len(text) - 2) + b"\n"
    assert len(data) == 65536
    root = instance_project(tmp_path / "project", name="john-inventory-dev.yaml", data=data)
    assert [i.name for i in load_project(root).instances] == ["john-inventory-dev"]
