"""generator.bindings_bytecode: the jsii bindings load without their Python-side checks, and only those go.

The byte-identical output of a whole synth with and without it is in tests/test_speed_lazy_node.py; here:
which lines the loader accepts (the generated checks) and refuses (anything else), that the loaded code
really skips the checks and keeps everything else, the bytecode cache, and that a wrong type passed to a
provider class still fails the synth (Node's own check) with the checks gone.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import marshal
import os
import py_compile
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import REPO, SWITCH_SPELLINGS

from generator import bindings_bytecode
from generator.bindings_bytecode import BindingsLayoutError, check_generated

STUB = "_typecheckingstub__" + "0123456789abcdef" * 4
#: The end of every refusal's message.
CHANGED_SHAPE = (
    "; the jsii bindings changed shape: check what the new lines do, then update generator/bindings_bytecode.py "
    "(or set GENERATOR_FAST_BINDINGS=off)"
)

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


def test_every_line_of_a_check_block_is_read_to_its_end():
    # First in the file: a check_generated that loses its place in the block (and may loop) fails here quickly.
    source = f'import typing\nX = 1\ndef f(x):\n    if __debug__:\n        type_hints = typing.get_type_hints({STUB})\n        print("side effect")\n'
    with pytest.raises(BindingsLayoutError) as refused:
        check_generated(source, "block.py")
    assert str(refused.value) == (
        """block.py:6: got 'print("side effect")', expected 'type_hints = ...' or 'check_type(...)'""" + CHANGED_SHAPE
    )


@pytest.mark.parametrize("end", ["", "\n", "\n\n"])
def test_a_check_block_that_ends_the_file_is_read_to_its_end(end):
    block = f"def f(x):\n    if __debug__:\n        type_hints = typing.get_type_hints({STUB})"
    check_generated(block + end, "end.py")  # accepted: no error
    with pytest.raises(BindingsLayoutError) as refused:
        check_generated(block + "\n        print(1)" + end, "end.py")
    assert str(refused.value) == (
        "end.py:4: got 'print(1)', expected 'type_hints = ...' or 'check_type(...)'" + CHANGED_SHAPE
    )


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


@pytest.mark.parametrize(
    "source, message",
    [
        (
            "x = 1\nif __debug__ and True:\n    pass\n",
            "odd.py:2: got 'if __debug__ and True:', expected 'if __debug__:' on a line of its own",
        ),
        (
            f"if __debug__:\n    type_hints = typing.get_type_hints({STUB})\n\n    print(1)\n",
            "odd.py:4: got 'print(1)', expected 'type_hints = ...' or 'check_type(...)'",
        ),
        (
            "def f(result):\n    assert result, 'missing'\n",
            """odd.py:2: got "assert result, 'missing'", expected 'assert result is not None, "Required property ... is missing"'""",
        ),
        (
            "assert " + "x" * 200 + "\n",
            "odd.py:1: got 'assert "
            + "x" * 113
            + "', expected 'assert result is not None, \"Required property ... is missing\"'",
        ),
    ],
)
def test_each_refusal_names_the_file_line_what_it_got_and_what_it_expected(source, message):
    with pytest.raises(BindingsLayoutError) as refused:
        check_generated(source, "odd.py")
    assert str(refused.value) == message + CHANGED_SHAPE


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
    for name in [n for n in sys.modules if n.partition(".")[0] == "fakebind"]:
        sys.modules.pop(name)


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
        "import typing\nimport typing.re\n",
        "import typing\ndef g():\n    global typing\n",
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
    others = [f for f in sys.meta_path if type(f).__name__ != "_Finder"]
    monkeypatch.setattr(sys, "meta_path", list(others))
    monkeypatch.setenv(bindings_bytecode.SWITCH_ENV, "off")
    assert bindings_bytecode.install(tmp_path) is False
    assert bindings_bytecode.install(tmp_path, ("fresh_binding",)) is False
    assert sys.meta_path == others
    monkeypatch.delenv(bindings_bytecode.SWITCH_ENV)
    monkeypatch.setitem(sys.modules, "jsonlike_binding", object())
    assert bindings_bytecode.install(tmp_path, ("jsonlike_binding",)) is False  # imported already: keeps its checks


@pytest.mark.parametrize(("value", "on"), SWITCH_SPELLINGS)
def test_the_switch_turns_off_only_on_off_0_false_no(monkeypatch, value, on):
    if value is None:
        monkeypatch.delenv("GENERATOR_FAST_BINDINGS", raising=False)
    else:
        monkeypatch.setenv("GENERATOR_FAST_BINDINGS", value)
    assert bindings_bytecode.enabled() is on


def test_install_puts_one_finder_first_for_the_packages_not_imported_yet(monkeypatch, tmp_path):
    others = [f for f in sys.meta_path if not isinstance(f, bindings_bytecode._Finder)]
    monkeypatch.setattr(sys, "meta_path", list(others))
    monkeypatch.delenv(bindings_bytecode.SWITCH_ENV, raising=False)
    monkeypatch.setitem(sys.modules, "imported_binding", object())
    monkeypatch.delitem(sys.modules, "fresh_binding", raising=False)
    assert bindings_bytecode.install(tmp_path / "cache", ("imported_binding", "fresh_binding")) is False
    finder = sys.meta_path[0]
    assert (type(finder), finder.packages, finder.cache) == (
        bindings_bytecode._Finder,
        ("fresh_binding",),
        tmp_path / "cache",
    )
    assert sys.meta_path[1:] == others
    assert bindings_bytecode.install(tmp_path / "other", ("another_binding",)) is False  # one finder per process
    assert sys.meta_path == [finder, *others]


def test_the_cache_file_holds_format_mtime_size_path_then_the_code(fake_bindings):
    module, cache = fake_bindings
    module.write_text("X = 1\n")  # 6 bytes
    os.utime(module, (1_700_000_000, 1_700_000_000))
    assert importlib.import_module("fakebind").X == 1
    data = (cache / sys.implementation.cache_tag / "fakebind.opt-1.pyc").read_bytes()
    head = (
        importlib.util.MAGIC_NUMBER
        + b"\x02\x00\x00\x00"  # FORMAT 2, little-endian
        + b"\x00\xf1\x53\x65"  # mtime 1700000000
        + b"\x06\x00\x00\x00"  # size
        + str(module).encode()
        + b"\0"
    )
    assert data[: len(head)] == head
    code = marshal.loads(data[len(head) :])
    assert (code.co_filename, code.co_names) == (str(module), ("X",))


def test_cache_folder_is_private_and_a_read_only_cache_is_no_error(fake_bindings, tmp_path):
    module, cache = fake_bindings
    umask = os.umask(0o022)
    try:
        importlib.import_module("fakebind")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((cache / sys.implementation.cache_tag).stat().st_mode) == 0o700
    sys.modules.pop("fakebind")
    shutil.rmtree(cache)
    cache.write_text("not a folder")  # even root cannot make a folder under a file
    fakebind = importlib.import_module("fakebind")
    assert (type(fakebind.__spec__.loader).__name__, fakebind.Bucket(bucket=42).bucket) == ("OptimizedLoader", 42)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "src"]


def test_annotations_stay_evaluated_as_in_the_plain_module(fake_bindings):
    # The loader's own module has `from __future__ import annotations`; the bindings must not inherit it.
    module, _ = fake_bindings
    module.write_text("def f(x: int) -> str:\n    return str(x)\n")
    assert importlib.import_module("fakebind").f.__annotations__ == {"x": int, "return": str}


def test_a_syntax_error_names_the_binding_file(fake_bindings):
    module, _ = fake_bindings
    module.write_text("X = 1\ndef broken(:\n")
    with pytest.raises(SyntaxError) as error:
        importlib.import_module("fakebind")
    assert (error.value.filename, error.value.lineno) == (str(module), 2)


def test_a_loader_compiles_only_the_module_it_was_made_for(fake_bindings):
    module, cache = fake_bindings
    loader = bindings_bytecode.OptimizedLoader("fakebind", str(module), cache)
    with pytest.raises(ImportError, match=r"^loader for fakebind cannot handle fakebind\.other$"):
        loader.get_code("fakebind.other")
    assert not cache.exists()
    assert loader.get_code("fakebind").co_filename == str(module)


def test_the_finder_swaps_only_source_loaders_of_its_packages(fake_bindings, monkeypatch):
    module, cache = fake_bindings
    package = str(module.parent)
    finder = bindings_bytecode._Finder(("fakebind",), cache)
    assert finder.find_spec("fakebindings", None) is None
    assert finder.find_spec("other.fakebind", None) is None
    assert finder.find_spec("fakebind.missing", [package]) is None
    (module.parent / "plain.py").write_text("Y = 2\n")
    py_compile.compile(str(module.parent / "plain.py"), cfile=str(module.parent / "compiled.pyc"))
    (module.parent / "plain.py").unlink()
    spec = finder.find_spec("fakebind.compiled", [package])
    assert (type(spec.loader), spec.origin) == (
        importlib.machinery.SourcelessFileLoader,
        str(module.parent / "compiled.pyc"),
    )
    assert importlib.import_module("fakebind.compiled").Y == 2


def test_the_finder_passes_the_reload_target_on_to_the_path_entry_finders(tmp_path, monkeypatch):
    seen = []

    class Recording:
        def find_spec(self, fullname, target=None):
            seen.append((fullname, target))
            return None

    monkeypatch.setitem(sys.path_importer_cache, "recording-entry", Recording())
    target = object()
    finder = bindings_bytecode._Finder(("fakebind",), tmp_path / "cache")
    assert finder.find_spec("fakebind.sub", ["recording-entry"], target) is None
    assert seen == [("fakebind.sub", target)]


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
