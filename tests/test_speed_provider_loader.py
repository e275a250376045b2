"""modules._provider_loader: loading only the provider submodules in use changes no output byte.

Each side runs in its own interpreter, because the loader only acts before a
provider package is imported: one process with the loader (what ``python
main.py synth`` does), one that imports both provider packages in full first
(the plain CDKTF app). Both synthesize the repo's example project in both UI
sync modes, which together use every construct in modules/.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import REPO, copy_project

from modules import _provider_loader

TF_MODE = {
    "uiSync: kubernetes": "uiSync: terraform\ncertificateArn: arn:aws:acm:us-east-1:123456789012:certificate/"
    "00000000-0000-0000-0000-000000000000"
}

SYNTH = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from generator.runtime import configure_node
    configure_node()
    if sys.argv[1] == "plain":
        import cdktf_cdktf_provider_aws, cdktf_cdktf_provider_kubernetes  # the whole package, as a naive app
    from generator.project import load_project
    from generator.synth import synthesize
    for root in sys.argv[2:]:
        synthesize(load_project(Path(root)), Path(root) / "cdktf.out", True, None)
    aws = sys.modules["cdktf_cdktf_provider_aws"]
    print(json.dumps({"loader": getattr(aws, "__provider_loader__", False),
                      "aws_submodules": sum(1 for m in sys.modules if m.startswith("cdktf_cdktf_provider_aws."))}))
""")


def _tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory) -> dict[str, tuple[dict, list[dict[str, bytes]]]]:
    runs = {}
    for mode in ("loader", "plain"):  # side by side: the plain import is the slow one
        base = tmp_path_factory.mktemp(mode)
        roots = [copy_project(base / "k8s"), copy_project(base / "tf", TF_MODE)]
        runs[mode] = (
            roots,
            subprocess.Popen(
                [sys.executable, "-c", SYNTH, mode, *map(str, roots)],
                cwd=REPO,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            ),
        )
    results = {}
    for mode, (roots, process) in runs.items():
        stdout, stderr = process.communicate(timeout=600)
        assert process.returncode == 0, stderr
        results[mode] = (json.loads(stdout.strip().splitlines()[-1]), [_tree(r / "cdktf.out") for r in roots])
    return results


def test_loader_output_is_byte_identical_to_the_plain_import(synthesized):
    (_, loader), (_, plain) = synthesized["loader"], synthesized["plain"]
    for with_loader, without in zip(loader, plain, strict=False):
        assert sorted(with_loader) == sorted(without)
        assert any(name.endswith("cdk.tf.json") for name in with_loader)
        for name in without:
            assert with_loader[name] == without[name], f"{name} differs with the provider loader"


def test_loader_imports_only_the_submodules_in_use(synthesized):
    loader_info, plain_info = synthesized["loader"][0], synthesized["plain"][0]
    assert loader_info["loader"] is True and plain_info["loader"] is False
    assert loader_info["aws_submodules"] < 100 < 2000 < plain_info["aws_submodules"]


def _fake_provider(tmp_path: Path, name: str, init: str) -> None:
    package = tmp_path / name
    (package / "_jsii").mkdir(parents=True)
    (package / "_jsii" / "__init__.py").write_text("")
    (package / "some_resource").mkdir()
    (package / "some_resource" / "__init__.py").write_text("VALUE = 42\n")
    (package / "__init__.py").write_text(init)


def _generated_init(extra: str = "") -> str:
    return (
        "r'''\n# docs\n'''\n"
        + _provider_loader.EXPECTED_PREAMBLE.replace(
            "from ._jsii import *\n", 'from ._jsii import *\n\n__all__ = [\n    "some_resource",\n]\n'
        )
        + extra
        + "\n# Loading modules\nfrom . import some_resource\n"
    )


def test_loader_registers_an_empty_package_that_imports_submodules_on_use(tmp_path, monkeypatch):
    _fake_provider(tmp_path, "fake_provider_ok", _generated_init())
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "fake_provider_ok", raising=False)
    _provider_loader.install(("fake_provider_ok",))
    try:
        package = sys.modules["fake_provider_ok"]
        assert package.__provider_loader__ is True
        assert "fake_provider_ok.some_resource" not in sys.modules
        assert package.some_resource.VALUE == 42  # imported on first attribute access, like the full package
        with pytest.raises(AttributeError):
            package.no_such_resource  # noqa: B018 - the attribute access is what raises
    finally:
        for name in [m for m in sys.modules if m.startswith("fake_provider_ok")]:
            del sys.modules[name]


def test_loader_fails_loudly_when_a_provider_release_changes_the_package_body(tmp_path, monkeypatch):
    _fake_provider(tmp_path, "fake_provider_changed", _generated_init(extra="jsii.register_everything()\n"))
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(
        _provider_loader.ProviderLayoutError, match=r"__init__\.py: got a package __init__ that does more"
    ):
        _provider_loader.install(("fake_provider_changed",))
    assert "fake_provider_changed" not in sys.modules


def test_loader_leaves_an_already_imported_package_alone(monkeypatch):
    sentinel = object()
    monkeypatch.setitem(sys.modules, "fake_provider_imported", sentinel)
    _provider_loader.install(("fake_provider_imported",))
    assert sys.modules["fake_provider_imported"] is sentinel


@pytest.fixture
def importable(tmp_path, monkeypatch):
    """tmp_path on sys.path; whatever a test imports from it is forgotten afterwards."""
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in [m for m in sys.modules if m.startswith("fake_provider_")]:
        del sys.modules[name]


def test_loader_import_of_a_submodule_and_refusal_of_any_other_attribute(importable):
    _fake_provider(importable, "fake_provider_ok", _generated_init())
    _provider_loader.install(("fake_provider_ok",))
    package = sys.modules["fake_provider_ok"]
    with pytest.raises(AttributeError) as private:
        package._jsii  # noqa: B018 - a private folder is not imported on attribute access
    assert str(private.value) == "module 'fake_provider_ok' has no attribute '_jsii'"
    with pytest.raises(AttributeError) as missing:
        package.no_such_resource  # noqa: B018 - the attribute access is what raises
    assert str(missing.value) == "module 'fake_provider_ok' has no attribute 'no_such_resource'"
    assert sorted(m for m in sys.modules if m.startswith("fake_provider_ok")) == ["fake_provider_ok"]
    assert package.some_resource.VALUE == 42


@pytest.mark.parametrize("kind", ["missing", "module", "namespace"])
def test_loader_refuses_anything_but_a_regular_package(importable, kind):
    if kind == "module":
        (importable / "fake_provider_x.py").write_text("VALUE = 1\n")
    elif kind == "namespace":
        (importable / "fake_provider_x" / "some_resource").mkdir(parents=True)
    with pytest.raises(_provider_loader.ProviderLayoutError) as refused:
        _provider_loader.install(("fake_provider_x",))
    assert str(refused.value) == (
        "fake_provider_x: got no regular package, expected the installed provider bindings "
        "(pip install -r requirements.txt)"
    )
    assert "fake_provider_x" not in sys.modules


def test_loader_refuses_a_package_without_its_jsii_assembly(importable):
    _fake_provider(importable, "fake_provider_x", _generated_init())
    (importable / "fake_provider_x" / "_jsii" / "__init__.py").unlink()
    with pytest.raises(_provider_loader.ProviderLayoutError) as refused:
        _provider_loader.install(("fake_provider_x",))
    assert str(refused.value) == (
        f"{importable / 'fake_provider_x'}: got no _jsii/__init__.py, expected the jsii assembly module; "
        "the provider layout changed, update modules._provider_loader"
    )


@pytest.mark.parametrize(
    "old, new",
    [
        ("import abc\n", "import abc   \n"),  # trailing blanks
        ("import jsii\n", "import jsii\n\n\n"),  # blank lines
        ("           pass\n", "           # an indented comment\n           pass\n"),
        ("import abc\n", "# a comment\nimport abc\n"),
    ],
    ids=["trailing-blanks", "blank-lines", "indented-comment", "comment"],
)
def test_loader_ignores_blanks_and_comments_in_the_package_body(importable, old, new):
    init = _generated_init()
    assert old in init
    _fake_provider(importable, "fake_provider_x", init.replace(old, new, 1))
    _provider_loader.install(("fake_provider_x",))
    assert sys.modules["fake_provider_x"].__provider_loader__ is True


@pytest.mark.parametrize(
    "old, new",
    [
        ("           pass\n", "            pass\n"),  # indented one more
        ("publication.publish()\n", "publication.publish(); jsii.load()\n"),
    ],
    ids=["indentation-changed", "statement-added-on-a-line"],
)
def test_loader_refuses_a_changed_package_body(importable, old, new):
    init = _generated_init()
    assert old in init
    _fake_provider(importable, "fake_provider_x", init.replace(old, new, 1))
    with pytest.raises(_provider_loader.ProviderLayoutError) as refused:
        _provider_loader.install(("fake_provider_x",))
    assert str(refused.value) == (
        f"{importable / 'fake_provider_x' / '__init__.py'}: got a package __init__ that does more than the generated "
        "preamble, submodule imports and __all__, expected exactly modules._provider_loader.EXPECTED_PREAMBLE; a "
        "provider release changed the layout: check what the new statements do, then update the loader (and run "
        "tests/test_speed_provider_loader.py)"
    )
    assert "fake_provider_x" not in sys.modules


def test_loader_reads_the_package_as_utf8_whatever_the_locale(importable, ascii_locale):
    _fake_provider(importable, "fake_provider_x", _generated_init())
    init = importable / "fake_provider_x" / "__init__.py"
    init.write_bytes(_generated_init().replace("# docs", "# docs: café").encode("utf-8"))
    _provider_loader.install(("fake_provider_x",))
    assert sys.modules["fake_provider_x"].__provider_loader__ is True
