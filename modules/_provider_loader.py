"""Import only the provider classes the stacks use, not all of a provider package.

Why: ``cdktf_cdktf_provider_aws/__init__.py`` runs ``from . import <x>`` for
every one of its ~2,100 generated submodules (one per resource and data
source), and each defines dozens of classes. That alone takes ~4 s of Python
per run, although the stacks use ~40 of them. (The Kubernetes provider adds
another ~110.) Each submodule is self-contained: it does ``from .._jsii
import *`` itself, which loads the provider's jsii assembly into node, and
imports only ``cdktf``, ``constructs`` and jsii. So the package body can be
skipped: :func:`install` registers each provider package in ``sys.modules``
as an *empty* package (same ``__path__``, ``__spec__`` and ``__file__``) and
Python then executes only the submodules that ``modules/*.py`` import.
``tests/test_speed_provider_loader.py`` proves the synthesized JSON is
byte-identical to the plain import.

Safety: skipping ``__init__.py`` is only sound while it does nothing but the
generated preamble, the submodule imports, ``__all__`` and
``publication.publish()``. :func:`install` checks exactly that, every run,
by comparing the file (minus its docstring, ``from . import <x>`` lines and
``__all__`` list) with :data:`EXPECTED_PREAMBLE`; any other statement in a
future release raises :class:`ProviderLayoutError` instead of silently
generating different Terraform. ``<pkg>.<submodule>`` attribute access still
works on the empty package (it imports the submodule on first use, PEP 562).

Rule for callers: :func:`install` must run before anything imports a
provider package (``modules/__init__.py`` does it), and it does nothing for a
package that is already imported, so a process that imported the full
package first simply keeps it.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

#: The provider packages ``modules/`` imports classes from.
PROVIDER_PACKAGES = ("cdktf_cdktf_provider_aws", "cdktf_cdktf_provider_kubernetes")

#: What a generated provider ``__init__.py`` does besides importing its
#: submodules (checked against the installed file on every run). Identical in
#: cdktf-cdktf-provider-aws 20.1.0 and cdktf-cdktf-provider-kubernetes 12.1.1.
EXPECTED_PREAMBLE = """\
from pkgutil import extend_path
__path__ = extend_path(__path__, __name__)

import abc
import builtins
import datetime
import enum
import typing

import jsii
import publication
import typing_extensions

import typeguard
from importlib.metadata import version as _metadata_package_version
TYPEGUARD_MAJOR_VERSION = int(_metadata_package_version('typeguard').split('.')[0])

def check_type(argname: str, value: object, expected_type: typing.Any) -> typing.Any:
    if TYPEGUARD_MAJOR_VERSION <= 2:
        return typeguard.check_type(argname=argname, value=value, expected_type=expected_type) # type:ignore
    else:
        if isinstance(value, jsii._reference_map.InterfaceDynamicProxy): # pyright: ignore [reportAttributeAccessIssue]
           pass
        else:
            if TYPEGUARD_MAJOR_VERSION == 3:
                typeguard.config.collection_check_strategy = typeguard.CollectionCheckStrategy.ALL_ITEMS # type:ignore
                typeguard.check_type(value=value, expected_type=expected_type) # type:ignore
            else:
                typeguard.check_type(value=value, expected_type=expected_type, collection_check_strategy=typeguard.CollectionCheckStrategy.ALL_ITEMS) # type:ignore

from ._jsii import *

publication.publish()
"""

_DOCSTRING = re.compile(r"\Ar'''.*?'''\n", re.DOTALL)
_SUBMODULE_IMPORT = re.compile(r"^from \. import \w+\n", re.MULTILINE)
_ALL_LIST = re.compile(r"^__all__ = \[\n(?:    \"\w+\",\n)*\]\n", re.MULTILINE)
#: Set on the empty packages so tests (and a debugging session) can tell them apart.
MARKER = "__provider_loader__"


class ProviderLayoutError(ImportError):
    """The installed provider package no longer has the layout this loader relies on."""


def install(packages: tuple[str, ...] = PROVIDER_PACKAGES) -> None:
    """Register each provider package as an empty package, unless it is already imported."""
    for name in packages:
        if name not in sys.modules:
            sys.modules[name] = _empty_package(name)


def _empty_package(name: str) -> ModuleType:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None or not spec.submodule_search_locations:
        raise ProviderLayoutError(
            f"{name}: got no regular package, expected the installed provider bindings "
            f"(pip install -r requirements.txt)"
        )
    init = Path(spec.origin)
    if not (init.parent / "_jsii" / "__init__.py").is_file():
        raise ProviderLayoutError(
            f"{init.parent}: got no _jsii/__init__.py, expected the jsii assembly module; "
            f"the provider layout changed, update {__name__}"
        )
    rest = _ALL_LIST.sub("", _SUBMODULE_IMPORT.sub("", _DOCSTRING.sub("", init.read_text(encoding="utf-8"), 1)))
    if _normalize(rest) != _normalize(EXPECTED_PREAMBLE):
        raise ProviderLayoutError(
            f"{init}: got a package __init__ that does more than the generated preamble, submodule imports and "
            f"__all__, expected exactly {__name__}.EXPECTED_PREAMBLE; a provider release changed the layout: "
            f"check what the new statements do, then update the loader (and run tests/test_speed_provider_loader.py)"
        )
    package = importlib.util.module_from_spec(spec)  # sets __path__, __file__, __spec__, __loader__; runs nothing
    setattr(package, MARKER, True)

    def __getattr__(attribute: str) -> ModuleType:
        # `pkg.s3_bucket` on the full package is a submodule attribute: import it on first use instead.
        if not attribute.startswith("_") and (init.parent / attribute / "__init__.py").is_file():
            return importlib.import_module(f"{name}.{attribute}")
        raise AttributeError(f"module {name!r} has no attribute {attribute!r}")

    package.__getattr__ = __getattr__  # type: ignore[method-assign]
    return package


def _normalize(text: str) -> str:
    # Blank lines and whole-line comments carry no behaviour (the packages end with such a comment).
    return "\n".join(line.rstrip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#"))
