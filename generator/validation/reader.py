"""Strict YAML reading for user-supplied files.

Instance files arrive through pull requests, so the reader is defensive:
one document per file, no anchors or aliases (they enable "billion laughs"
expansion and are never needed in a small manifest), no duplicate keys
(PyYAML silently keeps the last one), and a size cap. Every failure is a
:class:`~generator.errors.Problem`, never an exception with a traceback.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from ..errors import Problem, show

#: Largest file accepted. A manifest is a few hundred bytes; this leaves room
#: for comments while refusing pathological inputs before parsing them.
MAX_FILE_BYTES = 64 * 1024


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases and duplicate mapping keys."""

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(
                "",
                None,
                "got a YAML anchor or alias, expected plain values (anchors and aliases are not allowed)",
                event.start_mark,
            )
        event = self.peek_event()
        if getattr(event, "anchor", None):
            raise yaml.MarkedYAMLError(
                "",
                None,
                "got a YAML anchor or alias, expected plain values (anchors and aliases are not allowed)",
                event.start_mark,
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):  # type: ignore[override]
        if not isinstance(node, yaml.MappingNode):  # `!!map x`, `!!set [x]`: PyYAML says what it expected
            return super().construct_mapping(node, deep=deep)
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen  # a set key passes this (tested as a frozenset) and fails the add
                seen.add(key)
            except TypeError:
                raise yaml.MarkedYAMLError(
                    "", None, "got a mapping key that is not a plain value, expected string keys", key_node.start_mark
                ) from None
            if duplicate:
                raise yaml.MarkedYAMLError(
                    "", None, f"got key {show(key)} twice, expected each key once", key_node.start_mark
                )
        return super().construct_mapping(node, deep=deep)

    def construct_object(self, node, deep=False):  # type: ignore[override]
        # PyYAML's scalar constructors raise ValueError, KeyError, AttributeError or IndexError, not a YAMLError,
        # for an explicit tag the value does not fit (`!!int abc`, `!!bool maybe`, `!!timestamp x`, `!!int ''`)
        # and for an integer longer than Python's 4300-digit limit.
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, KeyError, AttributeError, IndexError):
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            raise yaml.MarkedYAMLError(
                "", None, f"got {show(node.value)}, expected a value {tag} can read", node.start_mark
            ) from None


# Timestamps and other implicit types would turn `2024-01-01` into a date, and YAML 1.1 reads
# on/off/yes/no as booleans (so `mfa: ON` would not be the string ON). Names and settings in our
# files are strings: only the YAML 1.2 core scalars resolve (true/false, numbers, null).
_BOOL = "tag:yaml.org,2002:bool"
_YAML12_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_StrictLoader.yaml_implicit_resolvers = {
    first: [
        (tag, _YAML12_BOOL if tag == _BOOL else regexp)
        for tag, regexp in resolvers
        if tag != "tag:yaml.org,2002:timestamp"
    ]
    for first, resolvers in _StrictLoader.yaml_implicit_resolvers.items()
}


def read_yaml(path: Path, display: str) -> tuple[object, list[Problem]]:
    """Parse one YAML file into plain Python data.

    Returns ``(data, problems)``; when problems is non-empty, data is None.
    ``display`` is the path shown in messages (relative to the project).
    """
    # A PR can carry a symlink to /dev/zero or a FIFO: refuse anything but a regular
    # file, and never read more than the cap (reading first would hang or exhaust memory).
    if path.exists() and not path.is_file():
        return None, [Problem(display, "", "got a special file (directory, device or pipe), expected a regular file")]
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        return None, [Problem(display, "", f"cannot read file: {err.strerror}")]
    if len(raw) > MAX_FILE_BYTES:
        return None, [
            Problem(display, "", f"got a file of more than {MAX_FILE_BYTES} bytes, expected at most {MAX_FILE_BYTES}")
        ]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        return None, [Problem(display, "", f"got bytes that are not UTF-8 at offset {err.start}, expected UTF-8 text")]
    try:
        documents = list(yaml.load_all(text, Loader=_StrictLoader))
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        what = err.problem or err.context or "invalid YAML"
        return None, [Problem(display, "", f"invalid YAML: {where}{what}")]
    except yaml.reader.ReaderError as err:
        character = f"#x{err.character:04x}" if isinstance(err.character, int) else repr(err.character)
        return None, [
            Problem(
                display,
                "",
                f"invalid YAML: got control character {character} at character {err.position + 1}, expected printable "
                "text",
            )
        ]
    except yaml.YAMLError as err:
        return None, [Problem(display, "", "invalid YAML: " + " ".join(str(err).split()))]
    except RecursionError:
        return None, [Problem(display, "", "invalid YAML: nesting too deep")]
    documents = [d for d in documents if d is not None]
    if not documents:
        return None, [Problem(display, "", "got an empty file, expected a YAML mapping")]
    if len(documents) > 1:
        return None, [Problem(display, "", f"got {len(documents)} YAML documents, expected exactly one")]
    return documents[0], []
