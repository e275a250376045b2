"""The strict YAML reader (generator/validation/reader.py) on its own: each refusal is one Problem, asserted whole.

Written for the mutants tests/test_validation.py and the hostile corpus left alive (docs/testing.md): an alias
with no anchor, a file that cannot be opened, a stream that never ends, nesting past Python's recursion limit,
and which problem is reported when a file holds two. Last, the values PyYAML's own constructors raised a
traceback for (`!!int many`, a set as a key), found while triaging them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from generator.errors import Problem
from generator.validation.reader import read_yaml

DISPLAY = "instances/x.yaml"


def _read(tmp_path: Path, text: str) -> tuple[object, list[Problem]]:
    path = tmp_path / "x.yaml"
    path.write_text(text)
    return read_yaml(path, DISPLAY)


def test_an_alias_without_an_anchor_is_refused_at_the_alias(tmp_path):
    # No anchor precedes it, so only the alias check sees it (PyYAML would say "found undefined alias").
    assert _read(tmp_path, "name: *missing\n") == (
        None,
        [
            Problem(
                "instances/x.yaml",
                "",
                "invalid YAML: line 1, column 7: got a YAML anchor or alias, expected plain values "
                "(anchors and aliases are not allowed)",
            )
        ],
    )


def test_a_file_that_cannot_be_opened_is_one_problem_with_the_os_reason(tmp_path):
    assert read_yaml(tmp_path / "gone.yaml", "instances/gone.yaml") == (
        None,
        [Problem("instances/gone.yaml", "", "cannot read file: No such file or directory")],
    )


class _EndlessFile:
    """A path whose file never ends (a regular file still being written, say): counts the bytes handed out."""

    def __init__(self) -> None:
        self.handed_out = 0

    def exists(self) -> bool:
        return True

    def is_file(self) -> bool:
        return True

    def open(self, mode: str) -> _EndlessFile:
        assert mode == "rb"
        return self

    def __enter__(self) -> _EndlessFile:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def read(self, size: int = -1) -> bytes:
        assert size is not None and size >= 0, "read to the end of an endless file"
        self.handed_out += size
        return b"#" * size


def test_an_endless_file_is_read_only_one_byte_past_the_cap():
    endless = _EndlessFile()
    assert read_yaml(endless, "instances/x.yaml") == (  # type: ignore[arg-type]
        None,
        [Problem("instances/x.yaml", "", "got a file of more than 65536 bytes, expected at most 65536")],
    )
    assert endless.handed_out == 65537


def test_nesting_deeper_than_python_recursion_is_one_problem(tmp_path):
    # PyYAML composes recursively, three frames a level: 400 levels pass the default limit of 1000.
    assert _read(tmp_path, "[" * 400 + "]" * 400) == (
        None,
        [Problem("instances/x.yaml", "", "invalid YAML: nesting too deep")],
    )


def test_a_mapping_key_is_read_in_full_so_a_duplicate_inside_it_is_reported(tmp_path):
    # The key {a: 1, a: 2} is refused either way; built in full, its own duplicate comes first.
    assert _read(tmp_path, "? {a: 1, a: 2}\n: value\n") == (
        None,
        [Problem("instances/x.yaml", "", "invalid YAML: line 1, column 10: got key 'a' twice, expected each key once")],
    )


def test_a_mapping_s_own_values_are_read_before_the_mappings_nested_in_it(tmp_path):
    # PyYAML builds nested mappings after their parent's values: the unknown tag on line 4 is met before the
    # duplicate key on line 3 (both are refused; one problem is reported).
    text = "spec:\n  teamName: a\n  teamName: b\nkind: !!Instance x\n"
    assert _read(tmp_path, text) == (
        None,
        [
            Problem(
                "instances/x.yaml",
                "",
                "invalid YAML: line 4, column 7: could not determine a constructor for the tag "
                "'tag:yaml.org,2002:Instance'",
            )
        ],
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("replicas: !!int many\n", "invalid YAML: line 1, column 11: got 'many', expected a value !!int can read"),
        ("replicas: !!int ''\n", "invalid YAML: line 1, column 11: got '', expected a value !!int can read"),
        ("ratio: !!float half\n", "invalid YAML: line 1, column 8: got 'half', expected a value !!float can read"),
        ("mfa: !!bool maybe\n", "invalid YAML: line 1, column 6: got 'maybe', expected a value !!bool can read"),
        (
            "since: !!timestamp soon\n",
            "invalid YAML: line 1, column 8: got 'soon', expected a value !!timestamp can read",
        ),
        (
            "size: " + "9" * 5000 + "\n",
            "invalid YAML: line 1, column 7: got '" + "9" * 56 + "..., expected a value !!int can read",
        ),
        ("spec: !!map name\n", "invalid YAML: line 1, column 7: expected a mapping node, but found scalar"),
        (
            "? !!set {a: 1}\n: value\n",
            "invalid YAML: line 1, column 3: got a mapping key that is not a plain value, expected string keys",
        ),
    ],
    ids=["int", "empty-int", "float", "bool", "timestamp", "int-over-4300-digits", "map-on-a-scalar", "set-key"],
)
def test_a_value_its_tag_cannot_hold_is_one_problem_not_a_traceback(tmp_path, text, message):
    # Each of these raised ValueError, IndexError, KeyError, AttributeError or TypeError out of read_yaml.
    assert _read(tmp_path, text) == (None, [Problem("instances/x.yaml", "", message)])


# PyYAML's errors as read_yaml may get them: every YAMLError it raises today is a MarkedYAMLError with a mark and a
# problem, or a ReaderError about an int code point. The branches for the others keep the promise of one Problem
# whatever a PyYAML release raises; these stand in for the parser to reach them.
@pytest.mark.parametrize(
    ("error", "message"),
    [
        (yaml.YAMLError("something  went\n   wrong"), "invalid YAML: something went wrong"),
        (yaml.MarkedYAMLError(problem="got this"), "invalid YAML: got this"),
        (yaml.MarkedYAMLError(context="while reading that"), "invalid YAML: while reading that"),
        (
            yaml.MarkedYAMLError(context_mark=yaml.Mark("x", 0, 2, 4, None, None)),
            "invalid YAML: line 3, column 5: invalid YAML",
        ),
        (
            yaml.reader.ReaderError("x", 6, b"\x80", "utf-8", "invalid start byte"),
            "invalid YAML: got control character b'\\x80' at character 7, expected printable text",
        ),
        (
            yaml.reader.ReaderError("x", 0, 0x85, "unicode", "special characters are not allowed"),
            "invalid YAML: got control character #x0085 at character 1, expected printable text",
        ),
    ],
    ids=["unmarked", "no-mark", "context-only", "mark-alone", "byte-character", "code-point"],
)
def test_any_yaml_error_is_one_problem_naming_what_it_can(tmp_path, monkeypatch, error, message):
    def refuse(text, Loader):
        raise error

    monkeypatch.setattr(yaml, "load_all", refuse)
    assert _read(tmp_path, "name: x\n") == (None, [Problem(DISPLAY, "", message)])
