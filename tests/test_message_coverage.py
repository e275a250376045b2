"""Every validation message of generator/ is asserted by at least one test.

The templates are read from the source (every string or f-string in
generator/validation/, generator/project.py and generator/naming.py that reads
``got ...`` or ``... expected ...``; docstrings aside); each must match a string
written in some test under tests/ (the placeholders of the template match
anything, the words between them must be there literally). A new message without
a test, or a reworded one whose tests were not updated, fails here.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from helpers import REPO

SOURCES = [
    *sorted((REPO / "generator" / "validation").glob("*.py")),
    REPO / "generator" / "project.py",
    REPO / "generator" / "naming.py",
]
MESSAGE = re.compile(r"\bexpected\b|^got |^missing\b")


def _strings(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every string literal and f-string (formatted parts as ``{}``), docstrings excluded."""
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    inner = {id(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for v in node.values}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in inner | docstrings:
            text = node.value
        else:
            continue
        found.append((node.lineno, text))
    return found


def templates() -> list[tuple[str, str]]:
    """(file:line, template) of every validation message."""
    return [
        (f"{path.relative_to(REPO)}:{line}", text)
        for path in SOURCES
        for line, text in _strings(path)
        if MESSAGE.search(text)
    ]


def _pattern(template: str) -> re.Pattern:
    return re.compile(".+?".join(re.escape(part) for part in template.split("{}")), re.DOTALL)


def test_the_message_list_is_complete_enough_to_mean_something():
    found = [t for _, t in templates()]
    # A few literal anchors: if the scan missed these, it would be vacuous.
    assert "got a file of more than {} bytes, expected at most {}" in found
    assert "got key {} twice, expected each key once" in found
    assert "got {}, expected one of the platform's regions: {}" in found
    assert len(found) >= 35, found


def test_every_validation_message_is_asserted_by_a_test():
    tests = [
        text
        for path in sorted((REPO / "tests").rglob("*.py"))
        if path.name != Path(__file__).name
        for _, text in _strings(path)
    ]
    unasserted = [
        f"{where}: {template!r}"
        for where, template in templates()
        if not any(_pattern(template).search(text) for text in tests)
    ]
    assert unasserted == [], "write a test that checks these messages:\n" + "\n".join(unasserted)
