"""Validation errors: collected, never raised one at a time.

Every problem in the inputs becomes one :class:`Problem` rendered as
``file: field: message``; the CLI prints all of them and exits non-zero
before anything is written (docs/architecture.md, "Conventions").
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One validation error: which file, which field (dotted path), and what is wrong."""

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        field = f"{self.field}: " if self.field else ""
        return f"{self.file}: {field}{self.message}"


class ValidationFailed(Exception):
    """Raised once, at the end of validation, carrying every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[type, tuple[list[Problem]]]:  # raised in a synth worker, re-raised here
        return (ValidationFailed, (self.problems,))


def show(value: object, limit: int = 60) -> str:
    """A short, printable rendering of a user value for error messages.

    Control characters and non-ASCII look-alikes are escaped so the message
    shows exactly what was in the file; long values are cut.
    """
    text = type_name(value) if isinstance(value, (dict, list)) else repr(value)
    text = text.encode("ascii", "backslashreplace").decode("ascii")
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def type_name(value: object) -> str:
    """The YAML-level name of a Python value's type, for 'got a list' style messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__
