"""Mutation testing of the files that are not code but decide what the platform does: the pipeline roles' IAM
policies (``security/pipeline/*.json``), the pull-request workflow (``.github/workflows/instances.yml``), the
checkov skips, the static pages' HTML.

mutmut and tools/mutate_js.py mutate code; a reviewer may as well drop an action from a policy's Deny, a line from
the workflow's shell step or the ``no-referrer`` meta from the sign-in callback's page. The mutants are edits of the
file's text at the places its structure gives (never a rewrite of the whole file, whose formatting a test may pin):

- JSON and YAML (PyYAML's node tree, which carries each node's span in the text; JSON is YAML): each mapping entry
  and each sequence item removed (``drop``); each scalar value emptied (``empty``), a boolean flipped, a number
  moved by one, a value of a known pair swapped (``Allow``/``Deny``, ``StringEquals``/``StringLike``, ...); each
  line of a multi-line (block) scalar removed, which is how a workflow's shell step loses a command. A mutant that
  no longer parses, or parses to the same data, is not made.
- HTML: each line with a tag removed (not a comment's), each attribute of a start tag removed, each attribute
  value emptied.

Each mutant is judged as tools/mutate_decorated.py judges one: written into a hard-linked scratch copy of its own,
the TESTS run there in a pytest process of their own, ``-x``.

    python tools/mutate_data.py FILE [--only ID ...] [--work /tmp/mutation-data] [--children 2] -- TESTS...
    python tools/mutate_data.py FILE --list
    python tools/mutate_data.py --all [--work W] [--children 2]

``--all`` runs the files of ``ALL`` below, each against its tests, and with them the tests' own oracles, whose bugs
would let the suite pass having checked nothing: ``tests/iam_eval.py`` (the IAM evaluator every security test
asks), ``tests/ci_guard.py`` and the CI check of ``tests/helpers.py``, mutated by mutmut's operators as
``tools/mutate_decorated.py --every`` does. The pages' HTML runs in tools/mutate_js.py's browser session instead
(``--generated ui/auth/callback/index.html,...``). About 55 minutes on two cores.

Prints each verdict, then the score and every survivor's diff; docs/testing.md records and triages them.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import yaml
from mutate_decorated import changed_lines, every_mutants, run_mutants  # tools/ is on sys.path when this script runs

REPO = Path(__file__).resolve().parent.parent

#: Values swapped for each other, both ways.
PAIRS = [
    ("Allow", "Deny"),
    ("StringEquals", "StringLike"),
    ("ForAnyValue:StringLike", "ForAllValues:StringLike"),
    ("read", "write"),
    ("true", "false"),
]
SWAPS = {**dict(PAIRS), **{second: first for first, second in PAIRS}}


def _load(text: str, suffix: str):
    return json.loads(text) if suffix == ".json" else yaml.safe_load(text)


def _line_span(text: str, first: int, last: int) -> tuple[int, int]:
    """The character span of whole lines ``first``..``last`` (0-based), newline included."""
    lines = text.splitlines(keepends=True)
    start = sum(len(line) for line in lines[:first])
    return start, start + sum(len(line) for line in lines[first : last + 1])


def _last_line(node) -> int:
    """The last line a node's text is on (a block node's end mark is the start of the next line)."""
    end = node.end_mark
    return end.line - 1 if end.column == 0 and end.line > node.start_mark.line else end.line


def _flow_removal(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen ``start``..``end`` (an entry of a flow collection) by its separating comma: the one after it, else the
    one before."""
    after = re.match(r"\s*,\s*", text[end:])
    if after:
        return start, end + after.end()
    before = re.search(r",\s*$", text[:start])
    return (before.start(), end) if before else (start, end)


def _scalar_replacements(node, suffix: str) -> list[tuple[str, str]]:
    """(operator, replacement text) for a scalar value node."""
    value, found = node.value, []
    quote = '"' if suffix == ".json" or node.style == '"' else "'"
    if node.style in ("|", ">"):
        return found  # its lines are removed one by one instead
    if value:
        found.append(("empty", quote + quote))
    if value in SWAPS:
        swapped = SWAPS[value]
        found.append(("swap", f"{quote}{swapped}{quote}" if node.style in ('"', "'") else swapped))
    if node.style is None and re.fullmatch(r"-?\d+", value):
        found.append(("number", str(int(value) + 1)))
    return found


def structured_edits(text: str, suffix: str) -> list[tuple[str, int, int, str]]:
    """The mutants of a JSON or YAML file; ids are ``<operator>-<line>-<column>`` (1-based) of the
    node changed, ``-2``, ``-3`` for more at one place."""
    found: list[tuple[str, tuple[int, int], str]] = []

    def edit(operator: str, node, start: int, end: int, replacement: str = "") -> None:
        found.append((f"{operator}-{node.start_mark.line + 1}-{node.start_mark.column + 1}", (start, end), replacement))

    def remove(operator: str, first, last, flow: bool) -> None:
        if flow:
            start, end = _flow_removal(text, first.start_mark.index, last.end_mark.index)
        else:
            start, end = _line_span(text, first.start_mark.line, _last_line(last))
        edit(operator, first, start, end)

    def walk(node) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                remove("drop", key, value, bool(node.flow_style))
                visit_value(value)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                remove("drop", item, item, bool(node.flow_style))
                visit_value(item)

    def visit_value(node) -> None:
        if isinstance(node, yaml.ScalarNode):
            for operator, replacement in _scalar_replacements(node, suffix):
                edit(operator, node, node.start_mark.index, node.end_mark.index, replacement)
            if node.style in ("|", ">"):
                first = node.start_mark.line + 1  # the indicator's line is the key's
                for line in range(first, _last_line(node) + 1):
                    if text.splitlines()[line].strip():
                        start, end = _line_span(text, line, line)
                        found.append((f"line-{line + 1}", (start, end), ""))
        else:
            walk(node)

    walk(yaml.compose(text))
    original = _load(text, suffix)
    return _keep_distinct(text, found, lambda mutated: _load(mutated, suffix) != original)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.starts: list[tuple[int, int, str]] = []  # (line 1-based, column, the start tag's text)

    def handle_starttag(self, tag, attrs) -> None:
        line, column = self.getpos()
        self.starts.append((line, column, self.get_starttag_text()))

    handle_startendtag = handle_starttag


ATTRIBUTE = re.compile(r"""\s+([^\s"'>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")


def html_edits(text: str) -> list[tuple[str, int, int, str]]:
    """The mutants of an HTML file: each tag's line removed, each attribute removed, each attribute
    value emptied."""
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    found: list[tuple[str, tuple[int, int], str]] = []
    for number, line in enumerate(lines, start=1):
        kept = line.strip() in ("<!doctype html>", '<html lang="en">', "</html>") or line.lstrip().startswith("<!--")
        if "<" in line and not kept:
            found.append((f"line-{number}", (offsets[number - 1], offsets[number]), ""))
    parser = _Tags()
    parser.feed(text)
    for line, column, tag in parser.starts:
        at = offsets[line - 1] + column
        name_end = re.match(r"<[^\s>/]+", tag).end()
        for match in ATTRIBUTE.finditer(tag, name_end):
            start, end = at + match.start(), at + match.end()
            found.append((f"attribute-{line}-{column + match.start(1) + 1}", (start, end), ""))
            value = match.group(2)
            if value and value.strip("\"'"):
                quote = '"' if value[0] != "'" else "'"
                found.append(
                    (f"empty-{line}-{column + match.start(2) + 1}", (at + match.start(2), at + match.end(2)), quote * 2)
                )
    return _keep_distinct(text, found, lambda mutated: True)


def _keep_distinct(text: str, edits, differs) -> list[tuple[str, int, int, str]]:
    """The edits worth a mutant, as ``(id, start, end, replacement)``: those that, applied alone, parse and differ;
    a repeated id is numbered ``-2``, ``-3``."""
    kept, seen = [], {}
    for mutant_id, (start, end), replacement in edits:
        mutated = text[:start] + replacement + text[end:]
        try:
            if mutated == text or not differs(mutated):
                continue
        except (yaml.YAMLError, ValueError):
            continue
        seen[mutant_id] = seen.get(mutant_id, 0) + 1
        kept.append((mutant_id if seen[mutant_id] == 1 else f"{mutant_id}-{seen[mutant_id]}", start, end, replacement))
    return kept


def edits_of(path: str, text: str) -> list[tuple[str, int, int, str]]:
    """``(id, start, end, replacement)`` of every mutant of ``path``'s ``text`` (tools/mutate_js.py runs an HTML
    page's through its browser session)."""
    suffix = Path(path).suffix
    if suffix in (".json", ".yml", ".yaml"):
        return structured_edits(text, suffix)
    if suffix in (".html", ".htm"):
        return html_edits(text)
    raise SystemExit(f"{path}: no mutants for a {suffix or 'suffix-less'} file (JSON, YAML or HTML)")


def mutants_of(path: str, text: str) -> list[tuple[str, str]]:
    """``(id, mutated text)`` of every mutant of ``path``'s ``text``."""
    return [(name, text[:start] + replacement + text[end:]) for name, start, end, replacement in edits_of(path, text)]


PIPELINE_TESTS = ["tests/test_pipeline_roles.py", "-k", "not verbatim"]  # docs/workflow.md's copy would kill all
#: What ``--all`` runs: (file, only these functions of a Python file, the tests that judge it). The workflow's test
#: that runs its commands in this repository's git checkout is left out: a scratch copy is no checkout.
ALL = [
    *(
        (f"security/pipeline/{name}.json", (), PIPELINE_TESTS)
        for name in ("plan-role-trust", "apply-role-trust", "plan-role-permissions", "plan-role-permissions-lock-table")
    ),
    (
        ".github/workflows/instances.yml",
        (),
        ["tests/test_workflow_github.py", "tests/test_workflow_contract.py", "-k", "not cheap_commands"],
    ),
    ("cdktf.json", (), ["tests/test_cdktf_json.py"]),
    (
        "tests/iam_eval.py",
        (),
        [
            "tests/test_iam_eval.py",
            "tests/test_isolation.py",
            "tests/test_pipeline_roles.py",
            "tests/test_iam_expectations.py",
        ],
    ),
    ("tests/ci_guard.py", (), ["tests/test_ci_guard.py"]),
    ("tests/helpers.py", ("in_ci", "skip_or_fail"), ["tests/test_ci_guard.py"]),
]


def run_file(path: str, only: tuple[str, ...], tests: list[str], work: Path, children: int) -> tuple[int, int]:
    """Judge every mutant of ``path`` (a Python file's: tools/mutate_decorated.py's ``--every``); return (mutants,
    survivors)."""
    source = (REPO / path).read_text()
    if path.endswith(".py"):
        mutants = every_mutants(source, only)
    else:
        mutants = [m for m in mutants_of(path, source) if not only or m[0] in only]
    return len(mutants), run_mutants(path, source, mutants, tests, work, children)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", nargs="?", help="a JSON, YAML or HTML file of this repository")
    parser.add_argument("--all", action="store_true", help="every file of ALL, each with its tests")
    parser.add_argument("--only", action="append", default=[], metavar="ID", help="only this mutant")
    parser.add_argument("--list", action="store_true", help="print the mutants and stop")
    parser.add_argument("--work", type=Path, default=Path("/tmp/mutation-data"))
    parser.add_argument("--children", type=int, default=2)
    argv = sys.argv[1:]
    tests = argv[argv.index("--") + 1 :] if "--" in argv else []
    args = parser.parse_args(argv[: len(argv) - len(tests) - (1 if "--" in argv else 0)])
    if args.all:
        totals = [0, 0]
        for number, (path, only, file_tests) in enumerate(ALL):
            mutants, survivors = run_file(path, only, file_tests, args.work / str(number), args.children)
            totals = [totals[0] + mutants, totals[1] + survivors]
        print(f"all: {totals[0] - totals[1]}/{totals[0]} killed")
        return 0
    if not args.file:
        parser.error("give a FILE, or --all")
    if args.list:
        source = (REPO / args.file).read_text()
        for name, text in mutants_of(args.file, source):
            print(f"--- {name}\n{changed_lines(args.file, source, text)}")
        return 0
    if not tests:
        parser.error("give the tests after --")
    run_file(args.file, tuple(args.only), tests, args.work, args.children)
    return 0


if __name__ == "__main__":
    sys.exit(main())
