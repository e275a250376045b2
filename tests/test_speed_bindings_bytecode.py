"""generator.bindings_bytecode: the jsii bindings load without their Python-side checks, and only those go.

The byte-identical output of a whole synth with and without it is in tests/test_speed_lazy_node.py; here:
which lines the loader accepts (the generated checks) and refuses (anything else), that the loaded code
really skips the checks and keeps everything else, the bytecode cache, and that a wrong type passed to a
provider class still fails the synth (Node's own check) with the checks gone.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import REPO

from generator import bindings_bytecode
from generator.bindings_bytecode import BindingsLayoutError, check_generated

STUB = "_typecheckingstub__" + "0123456789abcdef" * 4

GENERATED = textwrap.dedent(f'''\
    import typing

    CALLS = []

    def check_type(argname, value, expected_type):
        CALLS.append(argname)
        raise TypeError(f"checked {{argname}}")

    def {STUB}(*, bucket: str) -> None:
        pass

    class Bucket:
        def __init__(self, *, bucket: str) -> None:
            if __debug__:
                type_hints = typing.get_type_hints({STUB})
                check_type(argname="argument bucket", value=bucket, expected_type=type_hints["bucket"])
            self._values = {{"bucket": bucket}}

        @property
        def bucket(self) -> str:
            """Docs: an assertion in prose is fine, the word alone is not."""
            result = self._values.get("bucket")
            assert result is not None, "Required property 'bucket' is missing"
            return result

        def grow(self, *items: str) -> int:
            if __debug__:
                type_hints = cached_type_hints({STUB})
                check_type(argname="argument items", value=items, expected_type=typing.Tuple[type_hints["items"], ...]) # pyright: ignore [reportGeneralTypeIssues]
            return len(items)
''')


def test_the_generated_checks_are_accepted():
    check_generated(GENERATED, "bucket.py")


@pytest.mark.parametrize(
    "old, new, line",
    [
        (
            "if __debug__:\n            type_hints = typing",
            "if __debug__ and True:\n            type_hints = typing",
            14,
        ),
        (
            'expected_type=type_hints["bucket"])\n',
            'expected_type=type_hints["bucket"])\n            print("side effect")\n',
            17,
        ),
        (
            '        self._values = {"bucket": bucket}\n',
            '        self._values = {"bucket": bucket}\n        DEBUG = __debug__\n',
            18,
        ),
        ("\"Required property 'bucket' is missing\"", '"bucket is required"', 23),
        ("assert result is not None", "assert result", 23),
        ("an assertion in prose is fine", "assert that it holds", 21),
        (
            'value=bucket, expected_type=type_hints["bucket"]',
            'value=bucket.strip(), expected_type=type_hints["bucket"]',
            16,
        ),
    ],
)
def test_any_other_debug_or_assert_is_refused(old, new, line):
    assert old in GENERATED
    with pytest.raises(BindingsLayoutError, match=rf"^bucket\.py:{line}: got .*the jsii bindings changed shape"):
        check_generated(GENERATED.replace(old, new, 1), "bucket.py")


@pytest.fixture
def fake_bindings(tmp_path, monkeypatch):
    """A package ``fakebind`` (the GENERATED module) loaded through the finder, cache in tmp_path."""
    (tmp_path / "src" / "fakebind").mkdir(parents=True)
    module = tmp_path / "src" / "fakebind" / "__init__.py"
    module.write_text(GENERATED.replace("cached_type_hints(", "typing.get_type_hints("))
    monkeypatch.syspath_prepend(str(tmp_path / "src"))
    # A synth earlier in this pytest process (configure_node) installed the real finder: a fresh list without it.
    monkeypatch.setattr(sys, "meta_path", [f for f in sys.meta_path if not isinstance(f, bindings_bytecode._Finder)])
    monkeypatch.delenv(bindings_bytecode.SWITCH_ENV, raising=False)
    for name in [n for n in sys.modules if n.partition(".")[0] == "fakebind"]:
        monkeypatch.delitem(sys.modules, name)
    assert bindings_bytecode.install(tmp_path / "cache", ("fakebind",)) is True
    yield module, tmp_path / "cache"
    sys.modules.pop("fakebind", None)


def test_loaded_code_skips_the_checks_and_keeps_the_rest(fake_bindings):
    fakebind = importlib.import_module("fakebind")
    assert type(fakebind.__spec__.loader).__name__ == "OptimizedLoader"
    bucket = fakebind.Bucket(bucket=42)  # the check would raise TypeError
    assert fakebind.CALLS == []
    assert bucket.bucket == 42
    assert fakebind.Bucket(bucket=None).bucket is None  # the assert is gone too
    assert bucket.grow("a", "b") == 2
    assert fakebind.Bucket.bucket.__doc__.startswith("Docs:")  # optimize=1 keeps docstrings


def test_bytecode_is_cached_and_recompiled_when_the_source_changes(fake_bindings):
    module, cache = fake_bindings
    importlib.import_module("fakebind")
    (cached,) = (cache / sys.implementation.cache_tag).glob("fakebind.opt-1.pyc")
    first = cached.read_bytes()
    sys.modules.pop("fakebind")
    os.utime(cached, ns=(0, 0))
    importlib.import_module("fakebind")
    assert cached.stat().st_mtime_ns == 0, "a fresh cache entry was compiled again"
    sys.modules.pop("fakebind")
    module.write_text(module.read_text() + "\nEXTRA = 1\n")
    assert importlib.import_module("fakebind").EXTRA == 1
    assert cached.read_bytes() != first
    sys.modules.pop("fakebind")
    cached.write_bytes(cached.read_bytes()[:40])  # torn write: compiled again, not an import error
    assert importlib.import_module("fakebind").EXTRA == 1


def test_casts_are_dropped_and_their_types_never_built(fake_bindings):
    module, _ = fake_bindings
    # The type argument would raise if it were evaluated: after the rewrite it never is.
    module.write_text(module.read_text() + "\ndef first(x):\n    return typing.cast(NOT_DEFINED[int], x)\n")
    assert importlib.import_module("fakebind").first(7) == 7


@pytest.mark.parametrize(
    "source",
    [
        "import typing\nimport other as typing\n",
        "import typing\ntyping = None\n",
        "import typing\ndef f(typing):\n    pass\n",
        "import typing\nfrom x import typing\n",
        "import typing\nclass typing:\n    pass\n",
        "import typing\nfor typing in ():\n    pass\n",
        "from typing import cast\n",
        "import typing as t\n",
    ],
)
def test_casts_stay_where_typing_may_not_be_the_standard_module(source):
    import ast

    code = source + "def f(x):\n    return typing.cast(int, x)\n"
    tree = ast.parse(code)
    assert ast.dump(bindings_bytecode._WithoutCasts().rewrite(tree)) == ast.dump(ast.parse(code))


def test_casts_of_other_shapes_stay():
    import ast

    code = "import typing\ntyping.cast(*args)\ntyping.cast(int, x, y)\ntyping.cast(typ=int, val=x)\ncast(int, x)\n"
    assert ast.dump(bindings_bytecode._WithoutCasts().rewrite(ast.parse(code))) == ast.dump(ast.parse(code))


def test_every_cast_in_the_real_bindings_is_dropped():
    import ast
    import importlib.util

    for name in (
        "cdktf",
        "constructs",
        "cdktf_cdktf_provider_aws.lambda_function",
        "cdktf_cdktf_provider_aws.iam_role",
    ):
        source = Path(importlib.util.find_spec(name).origin).read_text()
        assert "typing.cast(" in source, name
        tree = bindings_bytecode._WithoutCasts().rewrite(ast.parse(source))
        assert "attr='cast'" not in ast.dump(tree), name


def test_a_module_of_another_shape_is_refused_at_import(fake_bindings):
    module, _ = fake_bindings
    module.write_text(module.read_text().replace("        self._values", "        assert bucket\n        self._values"))
    with pytest.raises(BindingsLayoutError, match=r"__init__\.py:17: got 'assert bucket'"):
        importlib.import_module("fakebind")


def test_switched_off_or_too_late_it_installs_nothing(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "meta_path", [f for f in sys.meta_path if type(f).__name__ != "_Finder"])
    monkeypatch.setenv(bindings_bytecode.SWITCH_ENV, "off")
    assert bindings_bytecode.install(tmp_path) is False
    monkeypatch.delenv(bindings_bytecode.SWITCH_ENV)
    monkeypatch.setitem(sys.modules, "jsonlike_binding", object())
    assert bindings_bytecode.install(tmp_path, ("jsonlike_binding",)) is False  # imported already: keeps its checks


WRONG_TYPES = textwrap.dedent("""
    import sys
    from generator.runtime import configure_node
    configure_node()
    import modules
    import cdktf
    from cdktf import App, TerraformStack
    from cdktf_cdktf_provider_aws.dynamodb_table import DynamodbTable, DynamodbTableAttribute
    from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
    print(type(cdktf.__spec__.loader).__name__)
    stack = TerraformStack(App(outdir=sys.argv[1]), "s")
    cases = {
        "bucket=123": lambda: S3Bucket(stack, "b", bucket=123),
        "attribute name None": lambda: DynamodbTable(
            stack, "t", name="x", hash_key="id", attribute=[DynamodbTableAttribute(name=None, type="S")]
        ),
        "hash_key list": lambda: DynamodbTable(
            stack, "u", name="x", hash_key=["id"], attribute=[DynamodbTableAttribute(name="id", type="S")]
        ),
    }
    for label, make in cases.items():
        try:
            make()
            print(label, "accepted")
        except Exception as error:
            print(label, type(error).__name__, str(error).splitlines()[0])
""")


def test_a_wrong_type_still_fails_without_the_python_checks(tmp_path):
    env = {**os.environ, "GENERATOR_JSII_CACHE": str(tmp_path / "cache")}
    env.pop("JSII_RUNTIME_PACKAGE_CACHE_ROOT", None)
    done = subprocess.run(
        [sys.executable, "-c", WRONG_TYPES, str(tmp_path / "out")], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "OptimizedLoader"
    assert lines[1].startswith("bucket=123 RuntimeError Passed to parameter config of new @cdktf/provider-aws.s3Bucket")
    for line in lines[1:]:
        assert "Unable to deserialize value as @cdktf/provider-aws." in line, line
    assert len(lines) == 4
