"""Operator-generated mutants of a JavaScript file, as Stryker's mutators would make them.

tools/mutate_js.py's hand-picked mutants are the edits someone thought of; these are every edit a fixed set of
operators makes, so a mutant a reviewer tries is likely among them. The file is parsed with esprima (ES2017,
with source ranges and tokens); each mutant replaces one (start, end) range of the source, so a comment, the
``'use strict'`` directive or text inside a string or a regular expression is never mistaken for code.

Operators (the mutator names of Stryker's documentation, https://stryker-mutator.io/docs/mutation-testing-elements/supported-mutators/):

- EqualityOperator: ``<`` -> ``<=``, ``>=``; ``<=`` -> ``<``, ``>``; ``>`` -> ``>=``, ``<=``; ``>=`` -> ``>``,
  ``<``; ``==`` <-> ``!=``; ``===`` <-> ``!==``.
- LogicalOperator: ``&&`` <-> ``||``.
- ArithmeticOperator: ``+`` <-> ``-``, ``*`` <-> ``/``, ``%`` -> ``*``.
- AssignmentOperator: ``+=`` <-> ``-=``, ``*=`` <-> ``/=``, ``%=`` -> ``*=``.
- UnaryOperator: ``+a`` <-> ``-a``. BooleanLiteral: ``true`` <-> ``false``, ``!a`` -> ``a``.
- UpdateOperator: ``++`` <-> ``--``.
- ConditionalExpression: the test of an ``if`` and of a ternary -> ``true`` and ``false``; of a loop -> ``false``.
- BlockStatement: a non-empty block (a function body, an if's branch, a try) -> ``{}``.
- ArrowFunction: ``() => x`` -> ``() => undefined``; ReturnValue: ``return x`` -> ``return undefined``.
- StringLiteral: ``'foo'`` -> ``''``, ``''`` -> ``'Stryker was here!'`` (the source's quote kept); a template
  literal likewise. Not a directive, an object key or an import source, as Stryker.
- ObjectLiteral: ``{a: 1}`` -> ``{}``; ArrayDeclaration: ``[a]`` -> ``[]``, ``[]`` -> ``['Stryker was here']``.
- MethodExpression: ``startsWith`` <-> ``endsWith``, ``every`` <-> ``some``, ``toLowerCase`` <->
  ``toUpperCase`` (and the locale pair), ``trimStart`` <-> ``trimEnd``, ``min`` <-> ``max``; ``a.trim()``,
  ``a.slice(...)``, ``a.filter(...)``, ``a.sort()``, ``a.reverse()``, ``a.substr(...)``, ``a.substring(...)``,
  ``a.charAt(...)`` -> ``a``.
- Regex (inside a regex literal, weapon-regex's level 1 and the bounds of ``{n,m}``): ``^`` and ``$`` dropped;
  ``[abc]`` <-> ``[^abc]``; ``\\d`` <-> ``\\D`` (``\\s``, ``\\w`` too); a quantifier (``?``, ``*``, ``+``,
  ``{n,m}``, lazy or not) dropped; ``{n,m}`` -> ``{n-1,m}``, ``{n+1,m}``, ``{n,m-1}``, ``{n,m+1}`` where that
  is still a quantifier; a lookahead ``(?=`` <-> ``(?!``.

Not generated: optional chaining and ``??`` (ES2020: esprima 4.0.1 does not parse them, and a file it cannot
parse is refused, never half-mutated; none of the files tools/mutate_js.py mutates uses them), a regex class's
members removed one by one.

Ids are ``gen-<file stem>-<line>-<column>-<operator>`` (line and column of the mutated range's start, both
1-based; operator in kebab case), with ``-2``, ``-3``... for the further mutants of one operator at one place,
in a fixed order: the same source always gives the same ids.

    python tools/mutate_js_generated.py FILE [FILE...]     # lists each file's mutants and the counts
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Mutant:
    """One generated mutant: ``source[start:end]`` (``original``) becomes ``replacement``."""

    id: str
    path: str
    start: int
    end: int
    original: str
    replacement: str
    operator: str

    def apply(self, source: str) -> str:
        """``source`` with this mutant; the range must still hold the text it was generated from."""
        return apply_edit(source, self.id, self.original, self.replacement, (self.start, self.end))

    def describe(self) -> str:
        return f"{self.original!r} -> {self.replacement!r}"


EQUALITY = {
    "<": ["<=", ">="],
    "<=": ["<", ">"],
    ">": [">=", "<="],
    ">=": [">", "<"],
    "==": ["!="],
    "!=": ["=="],
    "===": ["!=="],
    "!==": ["==="],
}
LOGICAL = {"&&": ["||"], "||": ["&&"]}
ARITHMETIC = {"+": ["-"], "-": ["+"], "*": ["/"], "/": ["*"], "%": ["*"]}
ASSIGNMENT = {"+=": ["-="], "-=": ["+="], "*=": ["/="], "/=": ["*="], "%=": ["*="]}
UPDATE = {"++": "--", "--": "++"}
METHOD_SWAPS = {
    "startsWith": "endsWith",
    "endsWith": "startsWith",
    "every": "some",
    "some": "every",
    "toLowerCase": "toUpperCase",
    "toUpperCase": "toLowerCase",
    "toLocaleLowerCase": "toLocaleUpperCase",
    "toLocaleUpperCase": "toLocaleLowerCase",
    "trimStart": "trimEnd",
    "trimEnd": "trimStart",
    "min": "max",
    "max": "min",
}
METHOD_REMOVALS = {"trim", "slice", "filter", "sort", "reverse", "substr", "substring", "charAt"}
#: Callee objects whose method call is replaced by that object's text without parentheses.
_SIMPLE = {"Identifier", "MemberExpression", "CallExpression", "ThisExpression", "Literal"}
STRYKER = "Stryker was here!"


def apply_edit(source: str, name: str, text: str, replacement: str, span: tuple[int, int] | None = None) -> str:
    """``source`` with one mutant's edit: at ``span`` (a generated mutant), which must still hold ``text``, or
    (a hand-picked one, no span) at the one place ``text`` occurs."""
    if span is None:
        assert source.count(text) == 1, f"{name}: the text occurs {source.count(text)} times"
        return source.replace(text, replacement)
    start, end = span
    assert source[start:end] == text, f"{name}: the file changed since the mutant was generated"
    return source[:start] + replacement + source[end:]


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


class _Generator:
    def __init__(self, source: str, path: str):
        import esprima  # only the generator needs it, not the mutants' runners

        self.source, self.path = source, path
        try:
            tree = esprima.parseScript(source, {"range": True, "tokens": True, "tolerant": True})
        except esprima.Error as error:  # what even the tolerant mode cannot step over
            raise ValueError(f"{path}: esprima cannot parse it: {error}") from None
        if tree.errors:
            raise ValueError(f"{path}: esprima cannot parse it: {tree.errors[0]}")
        self.tree, self.tokens = tree, tree.tokens
        self.found: list[tuple[int, int, str, str]] = []  # (start, end, replacement, operator)

    def add(self, start: int, end: int, replacement: str, operator: str) -> None:
        if self.source[start:end] != replacement:
            self.found.append((start, end, replacement, operator))

    def token(self, value: str, start: int, end: int) -> tuple[int, int]:
        """The range of the punctuator ``value`` between ``start`` and ``end`` (an operator of a node)."""
        for token in self.tokens:
            if start <= token.range[0] and token.range[1] <= end and token.value == value:
                return token.range[0], token.range[1]
        raise AssertionError(f"{self.path}: no {value!r} between {start} and {end}")

    def text(self, node) -> str:
        return self.source[node.range[0] : node.range[1]]

    # --- the walk
    def run(self) -> list[Mutant]:
        self.visit(self.tree, None, None)
        return self.mutants()

    def visit(self, node, parent, key) -> None:
        handler = getattr(self, f"on_{node.type}", None)
        if handler is not None:
            handler(node, parent, key)
        for name, value in vars(node).items():
            for child in value if isinstance(value, list) else [value]:
                if hasattr(child, "type") and hasattr(child, "range"):
                    self.visit(child, node, name)

    # --- operators
    def on_BinaryExpression(self, node, parent, key) -> None:
        for table, operator in ((EQUALITY, "EqualityOperator"), (ARITHMETIC, "ArithmeticOperator")):
            if node.operator in table:
                start, end = self.token(node.operator, node.left.range[1], node.right.range[0])
                for replacement in table[node.operator]:
                    self.add(start, end, replacement, operator)

    def on_LogicalExpression(self, node, parent, key) -> None:
        start, end = self.token(node.operator, node.left.range[1], node.right.range[0])
        for replacement in LOGICAL.get(node.operator, []):
            self.add(start, end, replacement, "LogicalOperator")

    def on_AssignmentExpression(self, node, parent, key) -> None:
        if node.operator in ASSIGNMENT:
            start, end = self.token(node.operator, node.left.range[1], node.right.range[0])
            for replacement in ASSIGNMENT[node.operator]:
                self.add(start, end, replacement, "AssignmentOperator")

    def on_UnaryExpression(self, node, parent, key) -> None:
        start = node.range[0]
        if node.operator == "!":
            self.add(start, start + 1, "", "BooleanLiteral")
        elif node.operator in ("+", "-"):
            self.add(start, start + 1, "-" if node.operator == "+" else "+", "UnaryOperator")

    def on_UpdateExpression(self, node, parent, key) -> None:
        if node.prefix:
            start, end = node.range[0], node.range[0] + 2
        else:
            start, end = node.range[1] - 2, node.range[1]
        self.add(start, end, UPDATE[node.operator], "UpdateOperator")

    def on_Literal(self, node, parent, key) -> None:
        if node.value is True or node.value is False:
            self.add(*node.range, "false" if node.value else "true", "BooleanLiteral")
        elif getattr(node, "regex", None) is not None:
            self.regex(node)
        elif isinstance(node.value, str) and not self.not_a_value(node, parent, key):
            quote = node.raw[0]
            self.add(*node.range, quote * 2 if node.value else f"{quote}{STRYKER}{quote}", "StringLiteral")

    def not_a_value(self, node, parent, key) -> bool:
        """A string that is syntax, not data: a directive, an object's key, a module name."""
        if parent is None:
            return False
        if parent.type == "ExpressionStatement" and getattr(parent, "directive", None):
            return True
        if parent.type == "Property" and key == "key":
            return True
        return parent.type in ("ImportDeclaration", "ExportAllDeclaration", "ExportNamedDeclaration")

    def on_TemplateLiteral(self, node, parent, key) -> None:
        if parent is not None and parent.type == "TaggedTemplateExpression":
            return
        empty = not node.expressions and not node.quasis[0].value.cooked
        self.add(*node.range, f"`{STRYKER}`" if empty else "``", "StringLiteral")

    def on_IfStatement(self, node, parent, key) -> None:
        for value in ("true", "false"):
            self.add(*node.test.range, value, "ConditionalExpression")

    def on_ConditionalExpression(self, node, parent, key) -> None:
        self.on_IfStatement(node, parent, key)

    def on_WhileStatement(self, node, parent, key) -> None:
        self.add(*node.test.range, "false", "ConditionalExpression")

    on_DoWhileStatement = on_WhileStatement

    def on_ForStatement(self, node, parent, key) -> None:
        if node.test is not None:
            self.on_WhileStatement(node, parent, key)

    def on_BlockStatement(self, node, parent, key) -> None:
        if node.body:
            self.add(*node.range, "{}", "BlockStatement")

    def on_ReturnStatement(self, node, parent, key) -> None:
        argument = node.argument
        if argument is not None and not (argument.type == "Identifier" and argument.name == "undefined"):
            self.add(*argument.range, "undefined", "ReturnValue")

    def on_ArrowFunctionExpression(self, node, parent, key) -> None:
        if node.expression and not (node.body.type == "Identifier" and node.body.name == "undefined"):
            self.add(*node.body.range, "undefined", "ArrowFunction")

    def on_ObjectExpression(self, node, parent, key) -> None:
        if node.properties:
            self.add(*node.range, "{}", "ObjectLiteral")

    def on_ArrayExpression(self, node, parent, key) -> None:
        self.add(*node.range, "[]" if node.elements else f"['{STRYKER[:-1]}']", "ArrayDeclaration")

    def on_CallExpression(self, node, parent, key) -> None:
        callee = node.callee
        if callee.type != "MemberExpression" or callee.computed or callee.property.type != "Identifier":
            return
        name = callee.property.name
        if name in METHOD_SWAPS:
            self.add(*callee.property.range, METHOD_SWAPS[name], "MethodExpression")
        elif name in METHOD_REMOVALS:
            receiver = self.text(callee.object)
            self.add(*node.range, receiver if callee.object.type in _SIMPLE else f"({receiver})", "MethodExpression")

    # --- regular expressions
    def regex(self, node) -> None:
        pattern = node.regex.pattern
        offset = node.range[0] + 1  # the pattern's text follows the opening slash as written
        assert self.source[offset : offset + len(pattern)] == pattern, f"{self.path}: {node.raw} is not as written"
        for start, end, replacement in regex_mutations(pattern):
            self.add(offset + start, offset + end, replacement, "Regex")

    # --- the result
    def mutants(self) -> list[Mutant]:
        stem = Path(self.path).stem.replace("_", "-").replace(".", "-")
        seen, ids, result = set(), Counter(), []
        for start, end, replacement, operator in sorted(self.found, key=lambda m: (m[0], m[1])):
            if (start, end, replacement) in seen:
                continue  # two operators can make one edit (``if (true)``'s literal and its test)
            seen.add((start, end, replacement))
            line = self.source.count("\n", 0, start) + 1
            column = start - (self.source.rfind("\n", 0, start) + 1) + 1
            base = f"gen-{stem}-{line}-{column}-{_kebab(operator)}"
            ids[base] += 1
            name = base if ids[base] == 1 else f"{base}-{ids[base]}"
            result.append(Mutant(name, self.path, start, end, self.source[start:end], replacement, operator))
        return result


def regex_mutations(pattern: str) -> list[tuple[int, int, str]]:
    """(start, end, replacement) edits of a regex ``pattern``'s text: anchors, classes, quantifiers, lookaheads."""
    edits: list[tuple[int, int, str]] = []
    i, atom = 0, False  # ``atom``: the text just read can carry a quantifier
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            letter = pattern[i + 1 : i + 2]
            if letter in "dDsSwW" and letter:
                edits.append((i + 1, i + 2, letter.swapcase()))
            i, atom = i + 2, letter not in "bB"
            continue
        if ch == "[":
            end = i + 1
            if pattern[end : end + 1] == "^":
                edits.append((end, end + 1, ""))
            else:
                edits.append((end, end, "^"))
            end += 1 if pattern[end : end + 1] == "]" else 0  # a ']' first is a member
            while end < len(pattern) and pattern[end] != "]":
                end += 2 if pattern[end] == "\\" else 1
            i, atom = end + 1, True
            continue
        if ch == "(":
            if pattern.startswith(("(?=", "(?!"), i):
                edits.append((i + 2, i + 3, "!" if pattern[i + 2] == "=" else "="))
                i += 3
            elif pattern.startswith("(?:", i):
                i += 3
            else:
                i += 1
            atom = False
            continue
        if ch in "^$":
            edits.append((i, i + 1, ""))
            i, atom = i + 1, False
            continue
        quantifier = re.compile(r"[?*+]|\{(\d+)(,(\d*))?\}").match(pattern, i) if atom else None
        if quantifier:
            end = quantifier.end() + (1 if pattern[quantifier.end() : quantifier.end() + 1] == "?" else 0)
            edits.append((i, end, ""))
            if quantifier.group(1) is not None:
                edits += _bounds(quantifier, i)
            i, atom = end, False
            continue
        i, atom = i + 1, ch != "|"
    return edits


def _bounds(quantifier: re.Match, at: int) -> list[tuple[int, int, str]]:
    """``{n,m}`` (or ``{n}``, ``{n,}``) with each bound one lower and one higher, where still well formed."""
    low, comma, high = int(quantifier.group(1)), quantifier.group(2), quantifier.group(3)
    end = quantifier.end()
    top = int(high) if high else None
    variants = []
    for new_low in (low - 1, low + 1):
        if new_low >= 0 and (top is None or new_low <= top):
            variants.append((new_low, high if comma else None))
    if top is not None:
        for new_high in (top - 1, top + 1):
            if new_high >= low and new_high >= 0:
                variants.append((low, str(new_high)))
    edits = []
    for new_low, new_high in variants:
        inner = f"{new_low}" if not comma else f"{new_low},{new_high or ''}"
        edits.append((at, end, "{" + inner + "}"))
    return edits


def generate(source: str, path: str) -> list[Mutant]:
    """Every mutant of ``source`` (the text of ``path``, relative to the repository), in source order."""
    return _Generator(source, path).run()


def generate_file(path: str, root: Path = REPO) -> list[Mutant]:
    return generate((root / path).read_text(), path)


def counts(mutants: list[Mutant]) -> str:
    """Per file, the number of mutants of each operator and in all."""
    lines = []
    for path in dict.fromkeys(m.path for m in mutants):
        mine = [m for m in mutants if m.path == path]
        per = Counter(m.operator for m in mine)
        lines.append(f"{path}: {len(mine)} ({', '.join(f'{op} {n}' for op, n in sorted(per.items()))})")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    mutants = [m for path in argv for m in generate_file(path)]
    for mutant in mutants:
        print(f"{mutant.id}: {mutant.describe()}")
    print(counts(mutants))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
