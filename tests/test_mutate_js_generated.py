"""The operator-generated JavaScript mutants (tools/mutate_js_generated.py), on small snippets and the real files.

Each operator's exact mutants: the (start, end) range replaced and its replacement. Nothing comes from a comment,
the ``'use strict'`` directive, or code-like text inside a string or a regex; every mutant of the files
tools/mutate_js.py mutates still compiles in node; the ids are stable and unique; ``-k`` picks one mutant by its id.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import esprima
import pytest
from helpers import REPO, skip_or_fail

sys.path.insert(0, str(REPO / "tools"))
import mutate_js
from mutate_js_generated import apply_edit, generate, generate_file, regex_mutations


def edits(source, operator=None):
    """(start, end, original, replacement) of each mutant of ``source`` (of one operator, if given)."""
    return [
        (m.start, m.end, m.original, m.replacement)
        for m in generate(source, "snippet.js")
        if operator is None or m.operator == operator
    ]


@pytest.mark.parametrize(
    ("source", "operator", "expected"),
    [
        ("x = a < b;", "EqualityOperator", [(6, 7, "<", "<="), (6, 7, "<", ">=")]),
        ("x = a <= b;", "EqualityOperator", [(6, 8, "<=", "<"), (6, 8, "<=", ">")]),
        ("x = a > b;", "EqualityOperator", [(6, 7, ">", ">="), (6, 7, ">", "<=")]),
        ("x = a >= b;", "EqualityOperator", [(6, 8, ">=", ">"), (6, 8, ">=", "<")]),
        ("x = a === b;", "EqualityOperator", [(6, 9, "===", "!==")]),
        ("x = a !== b;", "EqualityOperator", [(6, 9, "!==", "===")]),
        ("x = a == b;", "EqualityOperator", [(6, 8, "==", "!=")]),
        ("x = (a) !== (b);", "EqualityOperator", [(8, 11, "!==", "===")]),  # between the parentheses
        ("x = a && b;", "LogicalOperator", [(6, 8, "&&", "||")]),
        ("x = a || b;", "LogicalOperator", [(6, 8, "||", "&&")]),
        ("x = a + b - c;", "ArithmeticOperator", [(6, 7, "+", "-"), (10, 11, "-", "+")]),
        ("x = a * b / c % d;", "ArithmeticOperator", [(6, 7, "*", "/"), (10, 11, "/", "*"), (14, 15, "%", "*")]),
        ("x += 1;", "AssignmentOperator", [(2, 4, "+=", "-=")]),
        ("x = !a;", "BooleanLiteral", [(4, 5, "!", "")]),
        ("x = !(a < b);", "BooleanLiteral", [(4, 5, "!", "")]),
        ("x = true || false;", "BooleanLiteral", [(4, 8, "true", "false"), (12, 17, "false", "true")]),
        ("x = -1 + +y;", "UnaryOperator", [(4, 5, "-", "+"), (9, 10, "+", "-")]),
        ("i++; --j;", "UpdateOperator", [(1, 3, "++", "--"), (5, 7, "--", "++")]),
        (
            "if (a) { f(); } else { g(); }",
            "ConditionalExpression",
            [(4, 5, "a", "true"), (4, 5, "a", "false")],
        ),
        ("if (true) f();", "ConditionalExpression", [(4, 8, "true", "false")]),  # no edit that changes nothing
        ("x = a ? 1 : 2;", "ConditionalExpression", [(4, 5, "a", "true"), (4, 5, "a", "false")]),
        ("while (n) n--;", "ConditionalExpression", [(7, 8, "n", "false")]),
        ("do f(); while (n);", "ConditionalExpression", [(15, 16, "n", "false")]),
        ("for (;n;) f(); for (;;) g();", "ConditionalExpression", [(6, 7, "n", "false")]),
        (
            "function f() { if (a) { g(); } } function h() {}",
            "BlockStatement",
            [(13, 32, "{ if (a) { g(); } }", "{}"), (22, 30, "{ g(); }", "{}")],
        ),
        (
            "function f() { return a + 1; } function g() { return; } function h() { return undefined; }",
            "ReturnValue",
            [(22, 27, "a + 1", "undefined")],
        ),
        ("f = (x) => x * 2; g = () => { return 1; };", "ArrowFunction", [(11, 16, "x * 2", "undefined")]),
        (
            "x = ['a', \"b\", '', `c${d}`, ``];",
            "StringLiteral",
            [
                (5, 8, "'a'", "''"),
                (10, 13, '"b"', '""'),
                (15, 17, "''", "'Stryker was here!'"),
                (19, 26, "`c${d}`", "``"),
                (28, 30, "``", "`Stryker was here!`"),
            ],
        ),
        ("o = { 'key': 'value' };", "StringLiteral", [(13, 20, "'value'", "''")]),  # a key is syntax
        ("o = { a: 1 }; e = {};", "ObjectLiteral", [(4, 12, "{ a: 1 }", "{}")]),
        ("a = [1, 2]; b = [];", "ArrayDeclaration", [(4, 10, "[1, 2]", "[]"), (16, 18, "[]", "['Stryker was here']")]),
        (
            "x = s.startsWith('a') && s.trim() && s.toLowerCase() && s.indexOf('a');",
            "MethodExpression",
            [(6, 16, "startsWith", "endsWith"), (25, 33, "s.trim()", "s"), (39, 50, "toLowerCase", "toUpperCase")],
        ),
        (  # the receiver's parentheses kept
            "x = (a + b).slice(1) + a.b.slice(2);",
            "MethodExpression",
            [(4, 20, "(a + b).slice(1)", "(a + b)"), (23, 35, "a.b.slice(2)", "a.b")],
        ),
        ("x = s['trim']();", "MethodExpression", []),  # computed: not a method name as written
    ],
)
def test_each_operators_exact_mutants(source, operator, expected):
    assert edits(source, operator) == expected
    for mutant in generate(source, "snippet.js"):
        assert not esprima.parseScript(mutant.apply(source), {"tolerant": True}).errors, mutant.id


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("^a$", [(0, 1, ""), (2, 3, "")]),
        ("[a-z]", [(1, 1, "^")]),
        ("[^a-z]", [(1, 2, "")]),
        ("[]a]", [(1, 1, "^")]),  # ']' first is a member, not the end
        ("\\d\\W\\s", [(1, 2, "D"), (3, 4, "w"), (5, 6, "S")]),
        ("a?b*c+", [(1, 2, ""), (3, 4, ""), (5, 6, "")]),
        ("a+?", [(1, 3, "")]),  # a lazy quantifier goes whole
        ("a{0,2}", [(1, 6, ""), (1, 6, "{1,2}"), (1, 6, "{0,1}"), (1, 6, "{0,3}")]),
        ("a{2}", [(1, 4, ""), (1, 4, "{1}"), (1, 4, "{3}")]),
        ("a{1,}", [(1, 5, ""), (1, 5, "{0,}"), (1, 5, "{2,}")]),
        ("a{1,1}", [(1, 6, ""), (1, 6, "{0,1}"), (1, 6, "{1,2}")]),  # never {2,1} nor {1,0}
        ("(?:ab)?", [(6, 7, "")]),  # the group's '?:' is not a quantifier
        ("(?=a)(?!b)", [(2, 3, "!"), (7, 8, "=")]),
        ("[$^]\\$\\^\\/", [(1, 1, "^")]),  # escaped and in-class anchors are characters
        ("a|^b", [(2, 3, "")]),
        ("\\b\\w", [(3, 4, "W")]),  # a word boundary carries no quantifier and is left alone
    ],
)
def test_regex_mutations(pattern, expected):
    assert regex_mutations(pattern) == expected


#: Compiles (never runs) each JavaScript text of the JSON list on stdin; prints the indexes of those that fail.
COMPILE_EACH = """
const vm = require('vm');
const failed = [];
JSON.parse(require('fs').readFileSync(0, 'utf8')).forEach((text, i) => {
  try { new vm.Script(text); } catch (e) { failed.push([i, String(e)]); }
});
console.log(JSON.stringify(failed));
"""


def test_regex_mutants_are_placed_inside_the_literal():
    source = "var r = /^\\/a[b]+$/g;"
    assert edits(source, "Regex") == [
        (9, 10, "^", ""),
        (14, 14, "", "^"),
        (16, 17, "+", ""),
        (17, 18, "$", ""),
    ]


def test_nothing_comes_from_comments_the_directive_or_code_like_text_in_strings_and_regexes():
    source = (
        "'use strict';\n"
        "// if (a === b && !c) { return true; }\n"
        "/* x = a + b; [1, 2] */\n"
        "var s = 'a === b || !c';\n"
        "var r = /a===b|c&&d/;\n"
    )
    assert edits(source) == [(85, 100, "'a === b || !c'", "''")]


def test_a_file_esprima_cannot_parse_is_refused():
    with pytest.raises(ValueError, match="esprima cannot parse it"):
        generate("x = a ?? b;", "es2020.js")


def test_ids_name_the_file_line_column_and_operator_and_are_unique():
    mutants = generate("var x = 1;\nif (a < b) f();\n", "ui/auth/some_page.js")
    assert [m.id for m in mutants] == [
        "gen-some-page-2-5-conditional-expression",
        "gen-some-page-2-5-conditional-expression-2",
        "gen-some-page-2-7-equality-operator",
        "gen-some-page-2-7-equality-operator-2",
    ]
    assert [m.path for m in mutants] == ["ui/auth/some_page.js"] * 4


def test_the_two_kinds_of_edit_and_a_changed_file_refused():
    assert apply_edit("a === b", "hand", "===", "!==") == "a !== b"
    with pytest.raises(AssertionError, match="occurs 2 times"):
        apply_edit("a === b === c", "hand", "===", "!==")
    assert apply_edit("a === b === c", "gen", "===", "!==", (8, 11)) == "a === b !== c"
    with pytest.raises(AssertionError, match="changed since"):
        apply_edit("a !== b", "gen", "===", "!==", (2, 5))


@pytest.mark.parametrize("path", [mutate_js.CF, mutate_js.CALLBACK, mutate_js.LOGOUT, mutate_js.COMMON, mutate_js.APP])
def test_every_mutant_of_the_mutated_files_still_compiles(path):
    """In node's own parser (regexes included), all of a file's mutants in one process."""
    node = shutil.which("node")
    if not node:
        skip_or_fail("node is not installed")
    source = (REPO / path).read_text()
    mutants = generate_file(path)
    assert len({m.id for m in mutants}) == len(mutants)
    assert len({(m.start, m.end, m.replacement) for m in mutants}) == len(mutants)
    assert all(source[m.start : m.end] == m.original for m in mutants)
    assert "'use strict'" not in [m.original for m in mutants]
    mutated = [m.apply(source) for m in mutants]
    assert source not in mutated
    done = subprocess.run(
        [node, "-e", COMPILE_EACH], input=json.dumps(mutated), capture_output=True, text=True, check=True
    )
    assert [(mutants[i].id, why) for i, why in json.loads(done.stdout)] == []


def test_k_names_one_generated_mutant_by_its_id_or_several_by_a_substring():
    mutants = [("gen-x-1-1-regex", "f"), ("gen-x-1-1-regex-2", "f"), ("gen-x-2-1-block-statement", "f")]
    assert mutate_js.select(mutants, "gen-x-1-1-regex") == mutants[:1]
    assert mutate_js.select(mutants, "regex") == mutants[:2]
    assert mutate_js.select(mutants, "gen-x-1-1-regex-2,block") == mutants[1:]
    assert mutate_js.select(mutants, "") == mutants


def test_an_auth_pages_html_runs_in_the_browser_session_as_tools_mutate_data_makes_it():
    """``--generated`` takes the auth pages' HTML too: tools/mutate_data.py's mutants, as spans of the page, each
    judged by that page's tests first (the callback's or the logout page's) and the app's page by the app's."""
    path = "ui/auth/logout/index.html"
    text = (REPO / path).read_text()
    mutants = mutate_js.generated_mutants([path])
    assert mutants[0] == (
        "gen-logout-html-line-3",
        path,
        "<head>\n",
        "",
        (text.index("<head>"), text.index("<head>") + 7),
    )
    referrer = next(m for m in mutants if m[0] == "gen-logout-html-line-6")
    assert referrer[2] == '  <meta name="referrer" content="no-referrer">\n' and referrer[3] == ""
    for name, file, original, _, (start, end) in mutants:
        assert name.startswith("gen-logout-html-") and file == path and text[start:end] == original, name
    assert mutate_js.browser_tests(path) == "callback or logout" and mutate_js.OWN_TESTS_FIRST[path] == "logout"
    assert mutate_js.browser_tests("ui/inventory/index.html") == "not callback and not logout"
