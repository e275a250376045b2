"""Synth processes load the jsii bindings (cdktf, constructs, the providers) without their Python-side checks.

Why: jsii generates, in every constructor, method and struct of those packages, a block::

    if __debug__:
        type_hints = typing.get_type_hints(_typecheckingstub__<sha256>)
        check_type(argname="argument scope", value=scope, expected_type=type_hints["scope"])

and, in each getter of a required struct property, ``assert result is not None, "Required property 'x'
is missing"``. Building one instance stack makes ~150 such calls carrying ~60 structs, and these checks
were about half of the Python CPU spent per instance (50 instances: 6.0 s of Python with them, 2.7 s
without; docs/performance.md). The jsii kernel on the Node side checks every value it receives against
the same types again (a wrong type or a missing required property still fails the synth, with jsii's
message instead of typeguard's; ``tests/test_speed_bindings_bytecode.py`` shows both), so the Python-side
copy only makes the error come earlier.

How: :func:`install` puts a finder first on ``sys.meta_path`` for :data:`PACKAGES`; it compiles each
module's source as ``python -O`` would (``optimize=1``: ``__debug__`` is False, asserts are dropped) and
keeps the code object in our cache folder (``<cache>/bytecode``, keyed by the interpreter, the source's
path, size and mtime), so the next run only unmarshals it. Nothing else in the process changes: our
code, jsii's runtime and the standard library keep their checks.

Safety: a module is compiled this way only when every ``__debug__`` and every ``assert`` in it is one of
the generated forms above (:func:`check_generated`), so dropping them drops nothing else; any other
occurrence raises :class:`BindingsLayoutError` (set ``GENERATOR_FAST_BINDINGS=off`` to load them as
usual). The output is byte-identical either way (tests/test_speed_bindings_bytecode.py).

The same compilation also drops ``typing.cast(T, value)`` down to ``value`` (:class:`_WithoutCasts`):
``cast`` returns its second argument unchanged, so only the building of ``T`` on every call goes.

:func:`generator.runtime.configure_node` installs it, so every synth process runs this way, the
construct tests included; while writing a construct, ``GENERATOR_FAST_BINDINGS=off`` brings back
typeguard's messages, which name the Python argument.
"""

from __future__ import annotations

import ast
import importlib.machinery
import importlib.util
import marshal
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from types import CodeType, ModuleType

#: The jsii-generated packages loaded without checks (top-level names; their submodules too).
PACKAGES = ("cdktf", "constructs", "cdktf_cdktf_provider_aws", "cdktf_cdktf_provider_kubernetes")
#: ``off`` loads the bindings with their checks (plain imports).
SWITCH_ENV = "GENERATOR_FAST_BINDINGS"
#: Bumped whenever :func:`check_generated` or the compilation changes, so older cache files are not reused.
FORMAT = 2

_DEBUG = re.compile(r"\A( *)if __debug__:\Z")
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
#: The statements a generated ``if __debug__:`` block may hold (jsii 1.1xx; constructs uses ``cached_type_hints``).
_DEBUG_BODY = (
    re.compile(r"\A *type_hints = (?:typing\.get_type_hints|cached_type_hints)\(_typecheckingstub__[0-9a-f]{64}\)\Z"),
    re.compile(
        rf'\A *check_type\(argname="[^"\\]+", value={_NAME}, expected_type='
        rf'(?:type_hints\["{_NAME}"\]|typing\.Tuple\[type_hints\["{_NAME}"\], \.\.\.\])\)'
        r"(?: # pyright: ignore \[\w+\])?\Z"
    ),
)
_ASSERT = re.compile(rf"\A *assert result is not None, \"Required property '{_NAME}' is missing\"\Z")
_ASSERT_WORD = re.compile(r"\bassert\b")


class BindingsLayoutError(ImportError):
    """A binding module holds a ``__debug__`` or ``assert`` that is not one of jsii's generated checks."""


def enabled() -> bool:
    return os.environ.get(SWITCH_ENV, "on").lower() not in ("off", "0", "false", "no")


def install(cache: Path, packages: Sequence[str] = PACKAGES) -> bool:
    """Load ``packages`` (not yet imported) through :class:`OptimizedLoader`; False when switched off or too late."""
    if not enabled() or any(isinstance(f, _Finder) for f in sys.meta_path):
        return False
    late = [p for p in packages if p in sys.modules]
    wanted = tuple(p for p in packages if p not in late)
    sys.meta_path.insert(0, _Finder(wanted, cache))
    return not late


def check_generated(source: str, where: str) -> None:
    """Raise BindingsLayoutError unless every ``__debug__`` and ``assert`` in ``source`` is a generated check."""
    lines = source.split("\n")
    for number, line in enumerate(lines, start=1):
        if "__debug__" in line:
            match = _DEBUG.match(line)
            if not match:
                raise _refuse(where, number, line, "'if __debug__:' on a line of its own")
            depth = len(match[1])
            following = number  # 0-based index of the line after the `if`
            while following < len(lines) and (
                not lines[following].strip() or len(lines[following]) - len(lines[following].lstrip(" ")) > depth
            ):
                body = lines[following]
                if body.strip() and not any(form.match(body) for form in _DEBUG_BODY):
                    raise _refuse(where, following + 1, body, "'type_hints = ...' or 'check_type(...)'")
                following += 1
        if _ASSERT_WORD.search(line) and not _ASSERT.match(line):
            raise _refuse(where, number, line, "'assert result is not None, \"Required property ... is missing\"'")


def _refuse(where: str, number: int, got: str, expected: str) -> BindingsLayoutError:
    return BindingsLayoutError(
        f"{where}:{number}: got {got.strip()[:120]!r}, expected {expected}; the jsii bindings changed shape: "
        f"check what the new lines do, then update generator/bindings_bytecode.py (or set {SWITCH_ENV}=off)"
    )


class OptimizedLoader(importlib.machinery.SourceFileLoader):
    """Loads a binding module compiled with ``optimize=1``, cached outside site-packages."""

    def __init__(self, fullname: str, path: str, cache: Path) -> None:
        super().__init__(fullname, path)
        self.cache = cache

    def get_code(self, fullname: str) -> CodeType:
        source_path = self.get_filename(fullname)
        stat = os.stat(source_path)
        header = importlib.util.MAGIC_NUMBER + b"".join(
            (value & 0xFFFFFFFF).to_bytes(4, "little") for value in (FORMAT, int(stat.st_mtime), stat.st_size)
        )
        cached = self.cache / sys.implementation.cache_tag / f"{fullname}.opt-1.pyc"
        try:
            data = cached.read_bytes()
        except OSError:
            data = b""
        if data[: len(header)] == header and data[len(header) : len(header) + len(source_path.encode())] == (
            source_path.encode()
        ):
            try:
                return marshal.loads(data[len(header) + len(source_path.encode()) + 1 :])
            except (EOFError, ValueError, TypeError):
                pass  # a torn file: compile again
        source = self.get_data(source_path)
        check_generated(source.decode("utf-8"), source_path)
        tree = _WithoutCasts().rewrite(ast.parse(source, source_path))
        code = compile(tree, source_path, "exec", dont_inherit=True, optimize=1)
        _write(cached, header + source_path.encode() + b"\0" + marshal.dumps(code))
        return code


class _WithoutCasts(ast.NodeTransformer):
    """``typing.cast(T, value)`` becomes ``value``, which is what ``cast`` returns, without building ``T``.

    jsii wraps every getter's and method's result in ``typing.cast(typing.Optional[...], ...)``; building those
    subscripted types on each call was ~17 ms of Python per instance stack (docs/performance.md). Only a
    module whose one binding of the name ``typing`` is a top-level ``import typing`` is rewritten.
    """

    def rewrite(self, tree: ast.Module) -> ast.Module:
        imports = [
            node
            for node in tree.body
            if isinstance(node, ast.Import) and any(a.name == "typing" and a.asname is None for a in node.names)
        ]
        if len(imports) != 1:
            return tree
        own = {id(node) for node in ast.walk(imports[0])}
        if any(_binds_typing(node) for node in ast.walk(tree) if id(node) not in own):
            return tree
        return self.visit(tree)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "cast"
            and isinstance(func.value, ast.Name)
            and func.value.id == "typing"
            and len(node.args) == 2
            and not node.keywords
            and not any(isinstance(a, ast.Starred) for a in node.args)
        ):
            return node.args[1]
        return node


def _binds_typing(node: ast.AST) -> bool:
    """Whether ``node`` (re)binds the name ``typing``."""
    if isinstance(node, ast.Name):
        return node.id == "typing" and not isinstance(node.ctx, ast.Load)
    if isinstance(node, ast.arg):
        return node.arg == "typing"
    if isinstance(node, ast.alias):
        return (node.asname or node.name.partition(".")[0]) == "typing"
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return node.name == "typing"
    if isinstance(node, (ast.Global, ast.Nonlocal)):
        return "typing" in node.names
    return False


class _Finder:
    """Finds :data:`PACKAGES` modules as the path finder does, then swaps in :class:`OptimizedLoader`."""

    def __init__(self, packages: tuple[str, ...], cache: Path) -> None:
        self.packages = packages
        self.cache = cache

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None):
        if fullname.partition(".")[0] not in self.packages:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is None or type(spec.loader) is not importlib.machinery.SourceFileLoader or spec.origin is None:
            return spec
        spec.loader = OptimizedLoader(fullname, spec.origin, self.cache)
        return spec


def _write(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError:
        pass  # a read-only cache only costs the next run a compile
