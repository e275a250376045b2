"""A small declarative schema: one table of fields drives validation and JSON Schema.

Each input file (instance manifest, platform.yaml) is described once as a
tree of :class:`Field`. :func:`check` walks user data against it, collecting
every problem and applying defaults; :func:`json_schema` renders the same tree
for editors (yaml-language-server). Keeping both in one table means the
schema users see can never drift from what the validator accepts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..errors import Problem, show, type_name

STRING, BOOLEAN, INTEGER, OBJECT, STRING_LIST, STRING_MAP = (
    "string",
    "boolean",
    "integer",
    "object",
    "string-list",
    "string-map",
)

#: Longest string accepted anywhere; real values are far shorter. Stops a
#: 10 MB string from reaching regexes or error messages.
MAX_STRING = 1024


@dataclass(frozen=True)
class Field:
    """One key of an input file.

    ``pattern`` is matched in full; ``hint`` is the human wording of it used in
    the "expected ..." half of an error. ``default`` applies when the key is
    absent (``None`` means "no value", for optional fields).
    """

    name: str
    kind: str
    description: str
    required: bool = False
    default: Any = None
    pattern: str | None = None
    hint: str | None = None
    enum: tuple[Any, ...] | None = None
    min_length: int | None = None
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    children: tuple[Field, ...] = ()
    #: STRING_MAP only: keys must match this in full (``pattern`` then applies to the values).
    key_pattern: str | None = None
    key_hint: str | None = None


def check(data: object, fields: tuple[Field, ...], file: str, path: str = "") -> tuple[dict[str, Any], list[Problem]]:
    """Validate a mapping against ``fields``; return cleaned values (defaults applied) and all problems."""
    problems: list[Problem] = []
    where = path or "(top level)"
    if not isinstance(data, dict):
        return {}, [Problem(file, path, f"got {type_name(data)}, expected a mapping")]
    known = {f.name: f for f in fields}
    for key in data:
        if key not in known:
            shown = show(key) if isinstance(key, str) else show(str(key))
            problems.append(
                Problem(
                    file,
                    _key_path(path, key),
                    f"got unknown field {shown} in {where}, expected one of {', '.join(known)}",
                )
            )
    cleaned: dict[str, Any] = {}
    for field in fields:
        name = _join(path, field.name)
        if field.name not in data:
            if field.required:
                problems.append(Problem(file, name, f"missing, expected {_expected(field)}"))
            cleaned[field.name] = _default(field, file, name)
            continue
        value, found = _check_value(data[field.name], field, file, name)
        problems.extend(found)
        cleaned[field.name] = value
    return cleaned, problems


def _default(field: Field, file: str, name: str) -> Any:
    if field.kind == OBJECT:
        value, _ = check({}, field.children, file, name)
        return value
    if isinstance(field.default, list):
        return tuple(field.default)
    return field.default


def _check_value(value: object, field: Field, file: str, name: str) -> tuple[Any, list[Problem]]:
    if field.kind == OBJECT:
        return check(value, field.children, file, name)
    if field.kind == STRING_LIST:
        if not isinstance(value, list):
            return None, [Problem(file, name, f"got {type_name(value)}, expected a list of {_expected(field)}")]
        items, problems = [], []
        for index, item in enumerate(value):
            checked, found = _check_scalar(item, field, file, f"{name}[{index}]")
            problems.extend(found)
            items.append(checked)
        if field.min_length is not None and len(value) < field.min_length:
            problems.append(Problem(file, name, f"got {len(value)} items, expected at least {field.min_length}"))
        duplicates = sorted({i for i in items if isinstance(i, str) and items.count(i) > 1})
        if duplicates:
            problems.append(Problem(file, name, f"got {show(duplicates[0])} more than once, expected each value once"))
        return tuple(items), problems
    if field.kind == STRING_MAP:
        if not isinstance(value, dict):
            return None, [Problem(file, name, f"got {type_name(value)}, expected a mapping of strings to strings")]
        problems = []
        for key, item in value.items():
            where = _key_path(name, key)
            if not isinstance(key, str):
                problems.append(Problem(file, where, f"got key {show(key)} ({type_name(key)}), expected string keys"))
            elif not isinstance(item, str):
                problems.append(Problem(file, where, f"got {_describe(item)}, expected a string"))
            elif len(key) > MAX_STRING or len(item) > MAX_STRING:
                problems.append(
                    Problem(
                        file, f"{name}", f"got a string longer than {MAX_STRING} characters, expected a shorter one"
                    )
                )
            elif field.key_pattern is not None and not re.fullmatch(field.key_pattern, key):
                problems.append(Problem(file, where, f"got key {show(key)}, expected {field.key_hint}"))
            elif field.pattern is not None and not re.fullmatch(field.pattern, item):
                problems.append(Problem(file, where, f"got {show(item)}, expected {field.hint}"))
        return dict(value), problems
    return _check_scalar(value, field, file, name)


def _check_scalar(value: object, field: Field, file: str, name: str) -> tuple[Any, list[Problem]]:
    expected = _expected(field)
    if field.kind == BOOLEAN:
        ok = isinstance(value, bool)
    elif field.kind == INTEGER:
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, str)
    if not ok:
        return None, [Problem(file, name, f"got {_describe(value)}, expected {expected}")]
    if field.enum is not None and value not in field.enum:
        return None, [Problem(file, name, f"got {show(value)}, expected {expected}")]
    if isinstance(value, str):
        if len(value) > MAX_STRING:
            return None, [Problem(file, name, f"got a string of {len(value)} characters, expected {expected}")]
        if field.max_length is not None and len(value) > field.max_length:
            return None, [
                Problem(
                    file,
                    name,
                    f"got {show(value)} ({len(value)} characters), expected at most {field.max_length} characters",
                )
            ]
        if field.min_length is not None and len(value) < field.min_length:
            return None, [Problem(file, name, f"got {show(value)}, expected at least {field.min_length} characters")]
        if field.pattern is not None and not re.fullmatch(field.pattern, value):
            return None, [Problem(file, name, f"got {show(value)}, expected {expected}")]
    too_small = field.minimum is not None and isinstance(value, int) and value < field.minimum
    too_large = field.maximum is not None and isinstance(value, int) and value > field.maximum
    if not isinstance(value, bool) and (too_small or too_large):
        return None, [Problem(file, name, f"got {value}, expected {expected}")]
    return value, []


def _expected(field: Field) -> str:
    if field.enum is not None:
        return "one of " + ", ".join(str(e).lower() if isinstance(e, bool) else str(e) for e in field.enum)
    if field.hint:
        return field.hint
    if field.kind == INTEGER and field.minimum is not None and field.maximum is not None:
        return f"an integer from {field.minimum} to {field.maximum}"
    return {
        STRING: "a string",
        BOOLEAN: "true or false",
        INTEGER: "an integer",
        OBJECT: "a mapping",
        STRING_LIST: "strings",
        STRING_MAP: "a mapping",
    }[field.kind]


def _describe(value: object) -> str:
    """``a string 'x'``, ``an integer 5``; containers and null by type alone."""
    if value is None or isinstance(value, (dict, list)):
        return type_name(value)
    return f"{type_name(value)} {show(value)}"


def _key_path(name: str, key: object) -> str:
    """``tags.owner``, or ``tags['own\\ner']`` when the key is not plain printable ASCII."""
    if isinstance(key, str) and key.isascii() and key.isprintable() and 0 < len(key) <= 60:
        return _join(name, key)
    return f"{name}[{show(key)}]"


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def json_schema(fields: tuple[Field, ...], title: str, description: str) -> dict[str, Any]:
    """Render a field tree as a JSON Schema (draft 2020-12) document."""
    schema = _object_schema(fields)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title,
        "description": description,
        **schema,
    }


def _object_schema(fields: tuple[Field, ...]) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [f.name for f in fields if f.required],
        "properties": {f.name: _field_schema(f) for f in fields},
    }


def _field_schema(field: Field) -> dict[str, Any]:
    if field.kind == OBJECT:
        return {"description": field.description, **_object_schema(field.children)}
    item = _scalar_schema(field)
    if field.kind == STRING_LIST:
        schema: dict[str, Any] = {"type": "array", "items": item, "uniqueItems": True}
        if field.min_length is not None:
            schema["minItems"] = field.min_length
    elif field.kind == STRING_MAP:
        schema = {"type": "object", "additionalProperties": {"type": "string"}}
        if field.pattern is not None:
            schema["additionalProperties"]["pattern"] = f"^(?:{field.pattern})$"
        if field.key_pattern is not None:
            schema["propertyNames"] = {"pattern": f"^(?:{field.key_pattern})$"}
    else:
        schema = item
    schema["description"] = field.description
    if field.default is not None:
        schema["default"] = list(field.default) if isinstance(field.default, (list, tuple)) else field.default
    return schema


def _scalar_schema(field: Field) -> dict[str, Any]:
    kind = {STRING_LIST: "string"}.get(field.kind, field.kind)
    schema: dict[str, Any] = {"type": kind}
    if field.enum is not None:
        schema["enum"] = list(field.enum)
    if field.pattern is not None:
        schema["pattern"] = f"^(?:{field.pattern})$"
    if field.min_length is not None and field.kind == STRING:
        schema["minLength"] = field.min_length
    if field.max_length is not None:
        schema["maxLength"] = field.max_length
    if field.minimum is not None:
        schema["minimum"] = field.minimum
    if field.maximum is not None:
        schema["maximum"] = field.maximum
    return schema
