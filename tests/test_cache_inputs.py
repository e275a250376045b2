"""When a synthesized stack folder is reused: the digest of its inputs, the marker, the code fingerprint.

Unit tests of generator/cache.py without a synth (tests/test_cache.py runs the whole synth): each one
calls ``stack_inputs``, ``is_fresh``, ``stamp`` or ``code_fingerprint`` as generator/synth.py does, on a
throwaway copy of the example project or on a hand-made stack folder.
"""

from __future__ import annotations

import dataclasses
import shutil
from importlib import metadata
from pathlib import Path

import pytest
from helpers import REPO, copy_project

from generator import cache
from generator.locations import EmulatorSettings
from generator.model import Instance
from generator.project import Project, load_project

PLATFORM = "platform"
DEV = "john-inventory-dev"
INSTANCES = ("john-inventory-dev", "team-backend-inventory-prod", "team-backend-inventory-staging")
STACKS = (PLATFORM, *INSTANCES)


@pytest.fixture(autouse=True)
def _fresh_fingerprint():
    """``code_fingerprint`` is computed once per process: no test may leave a patched one behind."""
    cache.code_fingerprint.cache_clear()
    yield
    cache.code_fingerprint.cache_clear()


@pytest.fixture
def root(tmp_path) -> Path:
    return copy_project(tmp_path / "project")


def _inputs(project: Project, outdir: Path | None = None, emulator: object = None) -> dict[str, str]:
    """Every stack's inputs as synth computes them: ``outdir`` is the synth output (the folder holding ``stacks/``)."""
    outdir = outdir if outdir is not None else project.root / "cdktf.out"
    return {stack: cache.stack_inputs(project, stack, outdir, emulator) for stack in STACKS}


def _stale(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {stack for stack in STACKS if after[stack] != before[stack]}


def _append(path: Path, text: str = "\n/* changed */\n") -> None:
    path.write_text(path.read_text() + text)


def _fold(path: Path, previous: Path, relative: str) -> None:
    """Remove ``path`` and append its relative name and its text to ``previous``, the file listed before it."""
    _append(previous, relative + path.read_text())
    path.unlink()


# --- stack_inputs: what each stack is built from ---


def test_the_same_project_loaded_twice_gives_the_same_inputs(root):
    assert _inputs(load_project(root)) == _inputs(load_project(root))


def test_every_stack_has_its_own_inputs(root):
    assert len(set(_inputs(load_project(root)).values())) == 4


@pytest.mark.parametrize(
    "source",
    [
        "lambda_code/app.py",
        "ui/inventory/app.js",
        "ui/inventory/index.html",
        "ui/auth/auth-common.js",
        "ui/auth/callback/index.html",
        "ui/site/index.html",
        "cloudfront_function/viewer_request.js",
    ],
)
def test_an_edited_app_source_makes_only_the_platform_stale(root, source):
    before = _inputs(load_project(root))
    _append(root / source)
    assert _stale(before, _inputs(load_project(root))) == {"platform"}


@pytest.mark.parametrize(
    "change",
    ["add ui/site/extra.css", "remove ui/site/site.css", "rename ui/site/404.html", "add lambda_code/lib/util.py"],
)
def test_an_added_removed_or_renamed_app_source_makes_only_the_platform_stale(root, change):
    before = _inputs(load_project(root))
    action, relative = change.split(" ")
    path = root / relative
    if action == "add":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n")
    elif action == "remove":
        path.unlink()
    else:  # 404.html -> 405.html: same bytes, same place in the listing, only the name differs
        path.rename(path.with_name("405.html"))
    assert _stale(before, _inputs(load_project(root))) == {"platform"}


@pytest.mark.parametrize("folder", ["lambda_code", "ui/inventory", "ui/auth", "ui/site"])
def test_a_missing_source_folder_is_not_an_empty_one(root, folder):
    """The inputs are computed before the build, so a missing folder must not raise here (the build reports it);
    a platform built from an empty folder is stale once the folder is gone."""
    shutil.rmtree(root / folder)
    (root / folder).mkdir()
    project = load_project(root)
    empty = cache.stack_inputs(project, PLATFORM, root / "cdktf.out", None)
    (root / folder).rmdir()
    assert cache.stack_inputs(project, PLATFORM, root / "cdktf.out", None) != empty


def test_a_missing_viewer_request_function_is_not_an_empty_one(root):
    viewer = root / "cloudfront_function" / "viewer_request.js"
    viewer.write_text("")
    project = load_project(root)
    empty = cache.stack_inputs(project, PLATFORM, root / "cdktf.out", None)
    viewer.unlink()
    assert cache.stack_inputs(project, PLATFORM, root / "cdktf.out", None) != empty


@pytest.mark.parametrize(
    "junk",
    [
        "lambda_code/__pycache__/app.cpython-311.pyc",
        "lambda_code/.app.py.swp",
        "lambda_code/helpers.pyc",
        "ui/inventory/.DS_Store",
        "ui/inventory/.cache/app.js",
    ],
)
def test_bytecode_and_hidden_files_the_bundle_and_template_leave_out_keep_the_platform_fresh(root, junk):
    """generator/assets.py zips lambda_code/ and publishes ui/inventory/ without hidden files and bytecode, so
    those never reach the stack; running the app's tests writes lambda_code/__pycache__/."""
    before = _inputs(load_project(root))
    (root / junk).parent.mkdir(parents=True, exist_ok=True)
    (root / junk).write_bytes(b"\x00junk")
    assert _stale(before, _inputs(load_project(root))) == set()


@pytest.mark.parametrize("junk", ["ui/auth/.DS_Store", "ui/site/.DS_Store", "ui/auth/__pycache__/x.pyc"])
def test_hidden_files_in_the_auth_and_site_pages_make_the_platform_stale(root, junk):
    """cdktf copies these two folders whole (hidden files too) into the platform stack's assets."""
    before = _inputs(load_project(root))
    (root / junk).parent.mkdir(parents=True, exist_ok=True)
    (root / junk).write_bytes(b"\x00junk")
    assert _stale(before, _inputs(load_project(root))) == {"platform"}


def test_a_platform_setting_makes_every_stack_stale(root):
    before = _inputs(load_project(root))
    platform = root / "platform.yaml"
    platform.write_text(platform.read_text().replace("mfa: optional", "mfa: required"))
    assert _stale(before, _inputs(load_project(root))) == set(STACKS)


def test_another_state_folder_makes_every_stack_stale(root):
    before = _inputs(load_project(root))
    platform = root / "platform.yaml"
    platform.write_text(platform.read_text().replace("stateDir: terraform-state", "stateDir: state/terraform"))
    assert _stale(before, _inputs(load_project(root))) == set(STACKS)


def test_a_moved_or_cloned_project_keeps_every_stack_fresh(tmp_path):
    """The stacks hold the state folder relative to their own folder, so the project's path is not an input."""
    first = copy_project(tmp_path / "checkout")
    clone = tmp_path / "elsewhere" / "deeper" / "clone"
    shutil.copytree(first, clone)
    assert _inputs(load_project(clone)) == _inputs(load_project(first))


def test_another_output_folder_at_the_same_depth_keeps_every_stack_fresh(root):
    """``outdir`` is the synth output; its stacks sit in ``outdir/stacks/<name>``, where the state path starts."""
    project = load_project(root)
    assert _inputs(project, root / "build") == _inputs(project, root / "cdktf.out")


def test_an_output_folder_at_another_depth_makes_every_stack_stale(root):
    """From ``build/out/stacks/<name>`` the state folder is one ``..`` further than from ``cdktf.out/stacks/<name>``."""
    project = load_project(root)
    assert _stale(_inputs(project, root / "cdktf.out"), _inputs(project, root / "build" / "out")) == set(STACKS)


def test_the_emulator_build_and_the_aws_build_differ_for_every_stack(root):
    project = load_project(root)
    emulator = EmulatorSettings(endpoint="http://127.0.0.1:4566")
    assert _stale(_inputs(project), _inputs(project, emulator=emulator)) == set(STACKS)


@pytest.mark.parametrize(
    "other",
    [
        EmulatorSettings(endpoint="http://127.0.0.1:4567"),
        EmulatorSettings(endpoint="http://127.0.0.1:4566", access_key="other"),
        EmulatorSettings(endpoint="http://127.0.0.1:4566", secret_key="other"),
    ],
)
def test_another_emulator_endpoint_or_key_makes_every_stack_stale(root, other):
    project = load_project(root)
    same = _inputs(project, emulator=EmulatorSettings(endpoint="http://127.0.0.1:4566"))
    assert _inputs(project, emulator=EmulatorSettings(endpoint="http://127.0.0.1:4566")) == same
    assert _stale(same, _inputs(project, emulator=other)) == set(STACKS)


def test_another_code_fingerprint_makes_every_stack_stale(root, monkeypatch):
    project = load_project(root)
    before = _inputs(project)
    monkeypatch.setattr(cache, "code_fingerprint", lambda: "another generator version")
    assert _stale(before, _inputs(project)) == set(STACKS)


def test_an_edited_instance_file_makes_only_that_instance_stale(root):
    before = _inputs(load_project(root))
    _append(root / "instances" / "john-inventory-dev.yaml", "  access:\n    groups: [inventory-auditors]\n")
    assert _stale(before, _inputs(load_project(root))) == {"john-inventory-dev"}


#: A new value for every field of Instance that reaches its stack. ``name`` is the stack (another name is another
#: folder, with its own marker); ``file`` is where the YAML was read from and reaches no stack.
INSTANCE_CHANGES = {
    "namespace": "another-namespace",
    "team": "team-frontend",
    "app": "catalog",
    "environment": "staging",
    "developer": "jane",
    "region": "us-west-2",
    "deletion_protection": True,
    "access_groups": ("inventory-auditors",),
}


def test_the_instance_changes_cover_every_field_of_an_instance():
    assert {f.name for f in dataclasses.fields(Instance)} == {"file", "name", *INSTANCE_CHANGES}


@pytest.mark.parametrize("field", sorted(INSTANCE_CHANGES))
def test_each_instance_field_makes_only_that_instance_stale(root, field):
    project = load_project(root)
    changed = dataclasses.replace(
        project,
        instances=tuple(
            dataclasses.replace(i, **{field: INSTANCE_CHANGES[field]}) if i.name == DEV else i
            for i in project.instances
        ),
    )
    assert _stale(_inputs(project), _inputs(changed)) == {"john-inventory-dev"}


# --- code_fingerprint: the generator's code and the CDKTF libraries ---

LIBRARIES = ("cdktf", "constructs", "jsii", "cdktf-cdktf-provider-aws", "cdktf-cdktf-provider-kubernetes")


def _versions(monkeypatch, **changed: str | None) -> None:
    """Installed versions, but ``changed`` (a name with ``_`` for ``-``; None: not installed)."""
    real = metadata.version

    def version(name: str) -> str:
        key = name.replace("-", "_")
        if key not in changed:
            return real(name)
        if changed[key] is None:
            raise metadata.PackageNotFoundError(name)
        return changed[key]

    monkeypatch.setattr(cache.metadata, "version", version)
    cache.code_fingerprint.cache_clear()


@pytest.mark.parametrize("library", LIBRARIES)
def test_another_library_version_changes_the_fingerprint(monkeypatch, library):
    installed = cache.code_fingerprint()
    _versions(monkeypatch, **{library.replace("-", "_"): "99.0.0"})
    assert cache.code_fingerprint() != installed


@pytest.mark.parametrize("library", LIBRARIES)
def test_an_uninstalled_library_is_recorded_in_the_fingerprint_not_an_error(monkeypatch, library):
    installed = cache.code_fingerprint()
    _versions(monkeypatch, **{library.replace("-", "_"): None})
    missing = cache.code_fingerprint()
    assert len(missing) == 64 and missing != installed


@pytest.fixture
def code(tmp_path, monkeypatch) -> Path:
    """A copy of generator/ and modules/ that code_fingerprint reads instead of the real ones."""
    copy = tmp_path / "code"
    for folder in ("generator", "modules"):
        shutil.copytree(REPO / folder, copy / folder, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "CODE_ROOT", copy)
    cache.code_fingerprint.cache_clear()
    return copy


def test_the_fingerprint_is_that_of_the_code_not_of_its_place(code, monkeypatch):
    copied = cache.code_fingerprint()
    moved = code.parent / "moved"
    code.rename(moved)
    monkeypatch.setattr(cache, "CODE_ROOT", moved)
    cache.code_fingerprint.cache_clear()
    assert cache.code_fingerprint() == copied


@pytest.mark.parametrize(
    "change",
    [
        "edit generator/cache.py",
        "edit generator/validation/rules.py",
        "edit generator/local/edge/apigw.py",
        "edit modules/platform_stack.py",
        "add generator/cli/new_cmd.py",
        "add modules/new_construct.py",
        "remove modules/web_acl.py",
        "rename modules/web_acl.py",
        "fold modules/web_acl.py",
    ],
)
def test_a_changed_generator_or_modules_source_changes_the_fingerprint(code, change):
    before = cache.code_fingerprint()
    action, relative = change.split(" ")
    path = code / relative
    if action == "edit":
        _append(path, "\n# changed\n")
    elif action == "add":
        path.write_text("VALUE = 1\n")
    elif action == "remove":
        path.unlink()
    elif action == "rename":  # web_acl.py -> web_acl2.py: same bytes, same place in the listing, only the name differs
        path.rename(path.with_name("web_acl2.py"))
    else:  # its name and text appended to the file listed before it: the same bytes in a row, one file fewer
        _fold(path, path.with_name("user_pool.py"), relative)
    cache.code_fingerprint.cache_clear()
    assert cache.code_fingerprint() != before


@pytest.mark.parametrize(
    "other",
    [
        "generator/__pycache__/cache.cpython-311.pyc",
        "modules/__pycache__/cdn.cpython-311.pyc",
        "generator/notes.md",
        "tests/test_new.py",
        "main_copy.py",
    ],
)
def test_bytecode_and_files_outside_the_python_sources_leave_the_fingerprint_unchanged(code, other):
    before = cache.code_fingerprint()
    (code / other).parent.mkdir(parents=True, exist_ok=True)
    (code / other).write_bytes(b"\x00other")
    cache.code_fingerprint.cache_clear()
    assert cache.code_fingerprint() == before


def _listing(monkeypatch, reverse: bool) -> None:
    """Make ``Path.rglob`` list in name order, or in reverse name order (a file system's order is its own)."""
    real = Path.rglob
    monkeypatch.setattr(Path, "rglob", lambda self, pattern: iter(sorted(real(self, pattern), reverse=reverse)))


def test_the_fingerprint_does_not_depend_on_the_listing_order(code, monkeypatch):
    _listing(monkeypatch, reverse=False)
    in_order = cache.code_fingerprint()
    cache.code_fingerprint.cache_clear()
    _listing(monkeypatch, reverse=True)
    assert cache.code_fingerprint() == in_order


# --- is_fresh and stamp: the marker in each stack folder ---


@pytest.fixture
def built(tmp_path) -> Path:
    """A stack folder as a build leaves it: the stack, and assets in subfolders."""
    folder = tmp_path / "stacks" / "platform"
    (folder / "assets" / "site" / "H1").mkdir(parents=True)
    (folder / "cdk.tf.json").write_text('{"resource": {}}\n')
    (folder / "assets" / "site" / "H1" / "a.html").write_text("<p>a</p>\n")
    (folder / "assets" / "site" / "H1" / "b.css").write_text("p {}\n")
    (folder / "assets" / "site" / "H1" / "c.js").write_text("let c;\n")
    return folder


def test_a_stamped_folder_is_fresh_for_its_inputs_and_no_others(built):
    cache.stamp(built, "inputs-1")
    assert cache.is_fresh(built, "inputs-1") is True
    assert cache.is_fresh(built, "inputs-2") is False


def test_the_marker_records_the_inputs_then_the_output_digest(built):
    cache.stamp(built, "inputs-1")
    lines = (built / ".generator-inputs").read_text().splitlines()
    assert lines[0] == "inputs inputs-1"
    label, digest = lines[1].split(" ")
    assert (label, len(digest), set(digest) <= set("0123456789abcdef"), len(lines)) == ("output", 64, True, 2)


def test_a_folder_without_a_marker_is_not_fresh(built):
    assert cache.is_fresh(built, "inputs-1") is False


def test_a_missing_folder_is_not_fresh(tmp_path):
    assert cache.is_fresh(tmp_path / "stacks" / "gone", "inputs-1") is False


@pytest.mark.parametrize(
    "marker",
    [
        b"",
        b"garbage\n",
        b"inputs inputs-1\n",
        b"inputs inputs-1\n\n",
        b"\xff\xfe\x00inputs inputs-1\n",
        b"inputs inputs-1\noutput 0000000000000000000000000000000000000000000000000000000000000000\n",
    ],
    ids=["empty", "no-space", "no-output-line", "blank-line", "not-utf8", "wrong-output"],
)
def test_a_garbled_or_partial_marker_is_not_fresh(built, marker):
    (built / ".generator-inputs").write_bytes(marker)
    assert cache.is_fresh(built, "inputs-1") is False


def test_a_partial_marker_of_a_stamped_folder_is_not_fresh(built):
    """The marker cut after its first line (a write interrupted) names the inputs but not the output."""
    cache.stamp(built, "inputs-1")
    marker = built / ".generator-inputs"
    marker.write_text(marker.read_text().splitlines()[0] + "\n")
    assert cache.is_fresh(built, "inputs-1") is False


def test_a_marker_that_is_a_folder_is_not_fresh(built):
    (built / ".generator-inputs").mkdir()
    assert cache.is_fresh(built, "inputs-1") is False


@pytest.mark.parametrize(
    "change",
    [
        "edit cdk.tf.json",
        "edit assets/site/H1/b.css",
        "add extra.tf.json",
        "add assets/site/H1/d.png",
        "add assets/site/H1/.hidden",
        "remove assets/site/H1/c.js",
        "rename assets/site/H1/a.html",
        "move assets/site/H1/a.html",
        "fold assets/site/H1/c.js",
    ],
)
def test_an_edited_added_removed_or_renamed_stack_file_makes_the_folder_stale(built, change):
    """Any file the build did not leave there counts, hidden ones too: cdktf copies hidden files into the assets."""
    cache.stamp(built, "inputs-1")
    action, relative = change.split(" ")
    path = built / relative
    if action == "edit":
        _append(path)
    elif action == "add":
        path.write_text("{}\n")
    elif action == "remove":
        path.unlink()
    elif action == "rename":  # a.html -> a2.html: same bytes, same place in the listing
        path.rename(path.with_name("a2.html"))
    elif action == "fold":  # c.js's name and text appended to b.css, listed before it
        _fold(path, path.with_name("b.css"), relative)
    else:  # assets/site/H1/a.html -> assets/site/H0/a.html: another folder, same place in the listing
        (built / "assets" / "site" / "H0").mkdir()
        path.rename(built / "assets" / "site" / "H0" / "a.html")
    assert cache.is_fresh(built, "inputs-1") is False


def test_a_folder_with_its_marker_and_nothing_else_is_fresh(tmp_path):
    folder = tmp_path / "stacks" / "empty"
    folder.mkdir(parents=True)
    cache.stamp(folder, "inputs-1")
    assert cache.is_fresh(folder, "inputs-1") is True


def test_stamping_again_replaces_the_marker_and_leaves_it_out_of_the_digest(built):
    cache.stamp(built, "inputs-1")
    cache.stamp(built, "inputs-2")
    assert (cache.is_fresh(built, "inputs-1"), cache.is_fresh(built, "inputs-2")) == (False, True)


def test_freshness_does_not_depend_on_the_listing_order(built, monkeypatch):
    _listing(monkeypatch, reverse=False)
    cache.stamp(built, "inputs-1")
    _listing(monkeypatch, reverse=True)
    assert cache.is_fresh(built, "inputs-1") is True


TERRAFORM_WORKING_FILES = [
    ".terraform/providers/registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64/terraform-provider-aws",
    ".terraform/terraform.tfstate",
    ".terraform/modules/modules.json",
    ".terraform.lock.hcl",
    "terraform.tfstate",
    "terraform.tfstate.backup",
    ".terraform.tfstate.lock.info",
]


@pytest.mark.parametrize("relative", TERRAFORM_WORKING_FILES)
def test_what_terraform_init_or_apply_leaves_in_a_stack_folder_keeps_it_fresh(built, relative):
    """``cd cdktf.out/stacks/<name> && terraform init && terraform apply``, then synth: nothing to rebuild."""
    cache.stamp(built, "inputs-1")
    (built / relative).parent.mkdir(parents=True, exist_ok=True)
    (built / relative).write_text("terraform's\n")
    assert cache.is_fresh(built, "inputs-1") is True


@pytest.mark.parametrize(
    "relative",
    ["tfplan", "assets/.terraform.lock.hcl", "assets/.terraform/x", "terraform.tfstate.d/x", ".terraformrc", "x.tf"],
)
def test_files_that_only_look_like_terraforms_make_the_folder_stale(built, relative):
    """Only Terraform's working files at the top of the stack folder are left out: a plan file, a file of that
    name in the assets or any other file still counts."""
    cache.stamp(built, "inputs-1")
    (built / relative).parent.mkdir(parents=True, exist_ok=True)
    (built / relative).write_text("x\n")
    assert cache.is_fresh(built, "inputs-1") is False
