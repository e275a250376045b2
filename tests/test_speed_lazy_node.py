"""generator.jsii_cache (lazy provider index.js, cdktf's stack-trace switch), generator.bindings_bytecode
(the bindings without their Python-side checks) and synth workers change no output byte.

Three separate interpreters synthesize the same projects (both UI-sync modes, which together use every
construct in modules/): the plain single process with jsii's own cache, the eager index.js, cdktf's own
stack-trace.js and the bindings' checks (GENERATOR_LAZY_NODE=off, GENERATOR_FAST_BINDINGS=off, one
worker), one process with all three speed-ups, and two workers with them. The cache is a fresh folder,
primed by a first (eager) run, so the compared runs really load lazily and from cached bytecode.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import REPO, SWITCH_SPELLINGS, copy_project

from generator import bindings_bytecode, jsii_cache
from generator.runtime import wheel_node

TF_MODE = {
    "uiSync: kubernetes": "uiSync: terraform\ncertificateArn: arn:aws:acm:us-east-1:123456789012:certificate/"
    "00000000-0000-0000-0000-000000000000"
}

SYNTH = textwrap.dedent("""
    import json, os, sys
    from pathlib import Path
    from generator.project import load_project
    from generator.synth import synthesize
    workers = int(sys.argv[1])
    for root in sys.argv[2:]:
        synthesize(load_project(Path(root)), Path(root) / "cdktf.out", True, None, workers=workers)
    import cdktf, cdktf_cdktf_provider_aws.iam_role as role
    loaders = sorted({type(m.__spec__.loader).__name__ for m in (cdktf, role)})
    print(json.dumps({"cache": os.environ.get("JSII_RUNTIME_PACKAGE_CACHE_ROOT"), "loaders": loaders}))
""")

MODES = {  # name: (environment changes, workers)
    "plain": ({jsii_cache.SWITCH_ENV: "off", bindings_bytecode.SWITCH_ENV: "off"}, 1),
    "lazy": ({}, 1),
    "lazy-2-workers": ({}, 2),
}


def _tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _more_instances(root: Path) -> Path:
    source = (root / "instances" / "john-inventory-dev.yaml").read_text()
    for name in ("amy", "bob", "cat"):
        (root / "instances" / f"{name}-inventory-dev.yaml").write_text(source.replace("john", name))
    return root


def _run(mode: str, roots: list[Path], cache: Path) -> subprocess.Popen:
    changes, workers = MODES[mode]
    env = {k: v for k, v in os.environ.items() if k != jsii_cache.CACHE_ENV}
    env.update({jsii_cache.ROOT_ENV: str(cache), **changes})
    return subprocess.Popen(
        [sys.executable, "-c", SYNTH, str(workers), *map(str, roots)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory) -> dict[str, tuple[dict, list[dict[str, bytes]]]]:
    cache = tmp_path_factory.mktemp("jsii-cache")
    prime = tmp_path_factory.mktemp("prime")
    done = _run("lazy", [copy_project(prime / "p")], cache)
    assert done.wait(timeout=900) == 0, done.stderr.read()
    results = {}
    for mode in MODES:  # one at a time: the machine has two cores and the two-worker run uses both
        base = tmp_path_factory.mktemp(mode)
        roots = [_more_instances(copy_project(base / "k8s")), _more_instances(copy_project(base / "tf", TF_MODE))]
        process = _run(mode, roots, cache)
        stdout, stderr = process.communicate(timeout=900)
        assert process.returncode == 0, stderr
        results[mode] = (json.loads(stdout.strip().splitlines()[-1]), [_tree(r / "cdktf.out") for r in roots])
    results["index"] = sorted(str(p.relative_to(cache)) for p in cache.rglob("lib/index.js*") if "@cdktf" in str(p))
    results["stack-trace"] = sorted(cache.rglob(f"cdktf/*/*/{jsii_cache.STACK_TRACE_FILE}*"))
    results["bytecode"] = sorted(p.name for p in (cache / "python-bytecode").rglob("*.pyc"))
    return results


def test_lazy_and_parallel_synth_are_byte_identical_to_the_plain_single_process(synthesized):
    _, plain = synthesized["plain"]
    for mode in ("lazy", "lazy-2-workers"):
        _, other = synthesized[mode]
        for ours, reference in zip(other, plain, strict=True):
            assert sorted(ours) == sorted(reference)
            assert sum(1 for name in reference if name.endswith("cdk.tf.json")) == 7  # platform + 6 instances
            for name in reference:
                assert ours[name] == reference[name], f"{name} differs in mode {mode}"


def test_the_lazy_runs_used_our_cache_with_both_providers_rewritten(synthesized):
    assert synthesized["plain"][0]["cache"] is None
    assert synthesized["lazy"][0]["cache"] == synthesized["lazy-2-workers"][0]["cache"]
    names = [Path(p).name for p in synthesized["index"]]
    assert names == ["index.js", "index.js.eager", "index.js", "index.js.eager"]


def test_the_fast_runs_loaded_the_bindings_from_optimized_bytecode(synthesized):
    assert synthesized["plain"][0]["loaders"] == ["SourceFileLoader"]
    assert synthesized["lazy"][0]["loaders"] == ["OptimizedLoader"]
    assert synthesized["lazy-2-workers"][0]["loaders"] == ["OptimizedLoader"]
    bytecode = synthesized["bytecode"]
    assert "cdktf.opt-1.pyc" in bytecode and "constructs.opt-1.pyc" in bytecode
    assert "cdktf_cdktf_provider_aws.dynamodb_table.opt-1.pyc" in bytecode
    assert "cdktf_cdktf_provider_kubernetes.job_v1.opt-1.pyc" in bytecode


def test_cdktf_stack_trace_helper_got_the_switch_and_it_works(synthesized):
    helper, original = synthesized["stack-trace"]
    assert (helper.name, original.name) == ("stack-trace.js", "stack-trace.js.eager")
    assert jsii_cache.switchable_stack_trace(original.read_text()) == helper.read_text()
    probe = (
        f"const {{captureStackTrace}} = require({json.dumps(str(helper))});"
        "console.log(JSON.stringify(captureStackTrace()));"
    )
    node = os.environ.get("JSII_NODE") or wheel_node()
    base = {k: v for k, v in os.environ.items() if k != "CDK_DISABLE_STACK_TRACE"}
    off = subprocess.run([node, "-e", probe], env={**base, "CDK_DISABLE_STACK_TRACE": "1"}, capture_output=True)
    on = subprocess.run([node, "-e", probe], env=base, capture_output=True)
    assert json.loads(off.stdout) == ["stack traces disabled"]
    frames = json.loads(on.stdout)
    assert len(frames) >= 2 and frames != ["stack traces disabled"]  # a real stack: [eval], then node's own frames


GENERATED = (
    '"use strict";\n/**\n * Copyright (c) HashiCorp, Inc.\n * SPDX-License-Identifier: MPL-2.0\n */\n'
    'Object.defineProperty(exports, "__esModule", { value: true });\n'
    "exports.s3Bucket = exports.acmCertificate = void 0;\n"
    "exports.provider = void 0;\n"
    "// generated by cdktf get\n"
    'exports.acmCertificate = require("./acm-certificate");\n'
    'exports.s3Bucket = require("./s3-bucket");\n'
    'exports.provider = require("./provider");\n'
    "//# sourceMappingURL=data:application/json;base64,eyJ2ZXJzaW9uIjozfQ==\n"
)


def test_rewrite_of_the_generated_shape():
    assert jsii_cache.lazy_index(GENERATED) == (
        jsii_cache.MARK + "\n"
        '"use strict";\n/**\n * Copyright (c) HashiCorp, Inc.\n * SPDX-License-Identifier: MPL-2.0\n */\n'
        'Object.defineProperty(exports, "__esModule", { value: true });\n'
        'Object.defineProperty(exports, "acmCertificate", { enumerable: true, get: function () { return require("./acm-certificate"); } });\n'
        'Object.defineProperty(exports, "s3Bucket", { enumerable: true, get: function () { return require("./s3-bucket"); } });\n'
        'Object.defineProperty(exports, "provider", { enumerable: true, get: function () { return require("./provider"); } });\n'
    )


@pytest.mark.parametrize(
    "old, new, line",
    [
        (
            'exports.provider = require("./provider");\n',
            'exports.provider = require("./provider");\nexports.x = 1;\n',
            13,
        ),
        ("// generated by cdktf get\n", "", 9),
        ('exports.s3Bucket = require("./s3-bucket");\n', 'exports.s3Bucket = require("./s3-bucket").S3Bucket;\n', 11),
        ("exports.provider = void 0;\n", "", 7),  # provider required but never declared
        ('"use strict";\n', "", 1),
        ('(exports, "__esModule"', '(module.exports, "__esModule"', 6),
        ('exports.acmCertificate = require("./acm-certificate");\n', 'require("./side-effect");\n', 10),
    ],
)
def test_rewrite_refuses_any_other_shape(old, new, line):
    assert old in GENERATED
    with pytest.raises(jsii_cache.LazyLoaderError, match=rf"^index\.js:{line}: got .*changed shape"):
        jsii_cache.lazy_index(GENERATED.replace(old, new, 1))


def test_make_lazy_once_keeps_the_original_and_refuses_a_tampered_rewrite(tmp_path):
    index = tmp_path / "index.js"
    index.write_text(GENERATED)
    assert jsii_cache.make_lazy(index) is True
    assert (tmp_path / "index.js.eager").read_text() == GENERATED
    assert index.read_text() == jsii_cache.lazy_index(GENERATED)
    assert jsii_cache.make_lazy(index) is False  # done already: accepted as it is
    index.write_text(index.read_text() + "globalThis.x = 1;\n")
    with pytest.raises(jsii_cache.LazyLoaderError, match="not the rewrite of index.js.eager"):
        jsii_cache.make_lazy(index)


def test_prepare_rewrites_only_complete_entries_of_the_provider_packages(tmp_path):
    for package, complete in (("@cdktf/provider-aws", True), ("@cdktf/provider-kubernetes", False), ("cdktf", True)):
        entry = tmp_path / package / "1.0.0" / "abc"
        (entry / "lib").mkdir(parents=True)
        (entry / "lib" / "index.js").write_text(GENERATED)
        if complete:
            (entry / jsii_cache.COMPLETE).write_text("")
    done = jsii_cache.prepare(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in done] == ["@cdktf/provider-aws/1.0.0/abc/lib/index.js"]
    assert (tmp_path / "cdktf/1.0.0/abc/lib/index.js").read_text() == GENERATED


# Fast unit tests of generator/jsii_cache.py: every expected text and message is written out.

MARK = "// lazy exports: rewritten from index.js.eager by serverless-platform-generator (generator/jsii_cache.py)"
HEADER = (
    '"use strict";\n/**\n * Copyright (c) HashiCorp, Inc.\n * SPDX-License-Identifier: MPL-2.0\n */\n'
    'Object.defineProperty(exports, "__esModule", { value: true });\n'
)
SOURCE_MAP = "//# sourceMappingURL=data:application/json;base64,eyJ2ZXJzaW9uIjozfQ==\n"
LAZY = (
    MARK
    + "\n"
    + HEADER
    + 'Object.defineProperty(exports, "acmCertificate", { enumerable: true, get: function () { return require("./acm-certificate"); } });\n'
    'Object.defineProperty(exports, "s3Bucket", { enumerable: true, get: function () { return require("./s3-bucket"); } });\n'
    'Object.defineProperty(exports, "provider", { enumerable: true, get: function () { return require("./provider"); } });\n'
)
INDEX_TAIL = (
    "the provider's generated index.js changed shape: check what the new lines do, then update "
    "generator/jsii_cache.py (or set GENERATOR_LAZY_NODE=off to load it eagerly)"
)
#: cdktf 0.21.0's lib/tokens/private/stack-trace.js (its real source map shortened).
STACK_TRACE = (
    '"use strict";\n'
    + r"""// Copyright (c) HashiCorp, Inc
// SPDX-License-Identifier: MPL-2.0
// copied from https://github.com/aws/constructs/blob/e01e47f78ef1e9b600efcd23ff7705aa8d384017/lib/private/stack-trace.ts
Object.defineProperty(exports, "__esModule", { value: true });
exports.captureStackTrace = captureStackTrace;
/**
 * Captures a complete stack trace at the point of invocation.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
function captureStackTrace(below) {
    below = below || captureStackTrace; // hide myself if nothing else
    const object = { stack: "" };
    const previousLimit = Error.stackTraceLimit;
    try {
        Error.stackTraceLimit = Number.MAX_SAFE_INTEGER;
        Error.captureStackTrace(object, below);
    }
    finally {
        Error.stackTraceLimit = previousLimit;
    }
    if (!object.stack) {
        return [];
    }
    return object.stack
        .split("\n")
        .slice(1)
        .map((s) => s.replace(/^\s*at\s+/, ""));
}
//# sourceMappingURL=data:application/json;base64,eyJ2ZXJzaW9uIjozfQ==
"""
)
#: The same with the mark on top and aws-cdk's switch as the function's first line.
SWITCHED = (
    "// stack-trace switch: rewritten from stack-trace.js.eager by serverless-platform-generator "
    "(generator/jsii_cache.py)\n"
    + STACK_TRACE.replace(
        "function captureStackTrace(below) {\n",
        "function captureStackTrace(below) {\n"
        '    if (process.env.CDK_DISABLE_STACK_TRACE) { return ["stack traces disabled"]; } '
        "// added by serverless-platform-generator (generator/jsii_cache.py), as in aws-cdk\n",
    )
)
STACK_TRACE_TAIL = (
    "cdktf's stack-trace.js changed shape: check what the new lines do, then update generator/jsii_cache.py "
    "(or set GENERATOR_LAZY_NODE=off)"
)


@pytest.fixture
def cache_env(monkeypatch):
    """No jsii, XDG or generator cache variable and the lazy loading on; a test sets what it needs."""
    for name in ("GENERATOR_JSII_CACHE", "JSII_RUNTIME_PACKAGE_CACHE_ROOT", "XDG_CACHE_HOME", "GENERATOR_LAZY_NODE"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def _entry(root: Path, folder: str, files: dict[str, str], complete: bool = True) -> Path:
    entry = root / folder
    for name, text in files.items():
        (entry / name).parent.mkdir(parents=True, exist_ok=True)
        (entry / name).write_text(text)
    if complete:
        (entry / ".jsii-runtime-package-cache").write_text("")
    return entry


@pytest.mark.parametrize(
    "variables, expected",
    [
        ({"GENERATOR_JSII_CACHE": "/x/ours", "XDG_CACHE_HOME": "/x/xdg", "HOME": "/x/home"}, "/x/ours"),
        (
            {"GENERATOR_JSII_CACHE": "", "XDG_CACHE_HOME": "/x/xdg", "HOME": "/x/home"},
            "/x/xdg/serverless-platform-generator/jsii-packages",
        ),
        ({"XDG_CACHE_HOME": "/x/xdg", "HOME": "/x/home"}, "/x/xdg/serverless-platform-generator/jsii-packages"),
        ({"XDG_CACHE_HOME": "", "HOME": "/x/home"}, "/x/home/.cache/serverless-platform-generator/jsii-packages"),
        ({"HOME": "/x/home"}, "/x/home/.cache/serverless-platform-generator/jsii-packages"),
    ],
)
def test_cache_root_is_ours_then_xdg_then_home(cache_env, variables, expected):
    for name, value in variables.items():
        cache_env.setenv(name, value)
    assert jsii_cache.cache_root() == Path(expected)


@pytest.mark.parametrize(("value", "expected"), SWITCH_SPELLINGS)
def test_lazy_loading_is_on_unless_switched_off(cache_env, value, expected):
    if value is not None:
        cache_env.setenv("GENERATOR_LAZY_NODE", value)
    assert jsii_cache.enabled() is expected


def test_switched_off_nothing_is_configured_or_rewritten(tmp_path, cache_env):
    cache_env.setenv("GENERATOR_LAZY_NODE", "off")
    cache_env.setenv("GENERATOR_JSII_CACHE", str(tmp_path / "ours"))
    entry = _entry(tmp_path / "ours", "@cdktf/provider-aws/20.1.0/a1", {"lib/index.js": GENERATED})
    assert jsii_cache.configure() is None
    assert jsii_cache.prepare(tmp_path / "ours") == []
    assert "JSII_RUNTIME_PACKAGE_CACHE_ROOT" not in os.environ
    assert (entry / "lib" / "index.js").read_text() == GENERATED


def test_configure_makes_a_private_cache_folder_and_points_jsii_at_it(tmp_path, cache_env):
    cache_env.setenv("GENERATOR_JSII_CACHE", str(tmp_path / "cache" / "jsii"))  # its parent does not exist yet
    umask = os.umask(0o022)
    try:
        root = jsii_cache.configure()
    finally:
        os.umask(umask)
    assert root == tmp_path / "cache" / "jsii"
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    assert os.environ["JSII_RUNTIME_PACKAGE_CACHE_ROOT"] == str(tmp_path / "cache" / "jsii")
    entry = _entry(root, "@cdktf/provider-aws/20.1.0/a1", {"lib/index.js": GENERATED})
    assert jsii_cache.configure() == tmp_path / "cache" / "jsii"  # the folder exists now: fine
    assert (entry / "lib" / "index.js").read_text() == LAZY


def test_configure_keeps_a_jsii_cache_variable_already_set(tmp_path, cache_env):
    cache_env.setenv("GENERATOR_JSII_CACHE", str(tmp_path / "ours"))
    cache_env.setenv("JSII_RUNTIME_PACKAGE_CACHE_ROOT", str(tmp_path / "theirs"))
    assert jsii_cache.configure() == tmp_path / "theirs"
    assert os.environ["JSII_RUNTIME_PACKAGE_CACHE_ROOT"] == str(tmp_path / "theirs")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["theirs"]


def test_prepare_rewrites_complete_entries_of_both_providers_and_the_stack_trace_helper(tmp_path, cache_env):
    helper = "lib/tokens/private/stack-trace.js"
    aws = _entry(tmp_path, "@cdktf/provider-aws/20.1.0/a1", {"lib/index.js": GENERATED})
    kubernetes = _entry(tmp_path, "@cdktf/provider-kubernetes/12.1.1/b2", {"lib/index.js": GENERATED})
    partial = _entry(tmp_path, "@cdktf/provider-aws/20.0.0/c3", {"lib/index.js": GENERATED}, complete=False)
    cdktf = _entry(tmp_path, "cdktf/0.21.0/d4", {"lib/index.js": GENERATED, helper: STACK_TRACE})
    cdktf_partial = _entry(tmp_path, "cdktf/0.20.0/e5", {helper: STACK_TRACE}, complete=False)
    _entry(tmp_path, "cdktf/0.19.0/f6", {"lib/index.js": GENERATED})  # complete, without the helper
    expected = [
        "@cdktf/provider-aws/20.1.0/a1/lib/index.js",
        "@cdktf/provider-kubernetes/12.1.1/b2/lib/index.js",
        "cdktf/0.21.0/d4/lib/tokens/private/stack-trace.js",
    ]
    for _ in range(2):  # the second run finds everything done and accepts it as it is
        assert [p.relative_to(tmp_path).as_posix() for p in jsii_cache.prepare(tmp_path)] == expected
        assert (aws / "lib/index.js").read_text() == LAZY
        assert (kubernetes / "lib/index.js").read_text() == LAZY
        assert (cdktf / helper).read_text() == SWITCHED
        assert (cdktf / (helper + ".eager")).read_text() == STACK_TRACE
        assert (cdktf / "lib/index.js").read_text() == GENERATED
        assert (partial / "lib/index.js").read_text() == GENERATED
        assert (cdktf_partial / helper).read_text() == STACK_TRACE
    assert sorted(p.name for p in (cdktf / "lib/tokens/private").iterdir()) == [
        "stack-trace.js",
        "stack-trace.js.eager",
    ]


def test_prepare_without_a_root_takes_jsii_variable_then_ours(tmp_path, cache_env):
    jsii = _entry(tmp_path / "jsii", "@cdktf/provider-aws/20.1.0/a1", {"lib/index.js": GENERATED})
    ours = _entry(tmp_path / "ours", "@cdktf/provider-aws/20.1.0/a1", {"lib/index.js": GENERATED})
    cache_env.setenv("GENERATOR_JSII_CACHE", str(tmp_path / "ours"))
    cache_env.setenv("JSII_RUNTIME_PACKAGE_CACHE_ROOT", str(tmp_path / "jsii"))
    assert jsii_cache.prepare() == [jsii / "lib" / "index.js"]
    assert (ours / "lib" / "index.js").read_text() == GENERATED
    cache_env.delenv("JSII_RUNTIME_PACKAGE_CACHE_ROOT")
    assert jsii_cache.prepare() == [ours / "lib" / "index.js"]
    assert (ours / "lib" / "index.js").read_text() == LAZY


@pytest.mark.parametrize(
    "text",
    [
        GENERATED.replace(SOURCE_MAP, ""),
        GENERATED.replace(SOURCE_MAP, "").removesuffix("\n"),  # ends on a require line, no final newline
        GENERATED.removesuffix("\n"),
    ],
    ids=["no-source-map", "no-source-map-no-final-newline", "no-final-newline"],
)
def test_rewrite_without_source_map_or_final_newline(text):
    assert jsii_cache.lazy_index(text) == LAZY


@pytest.mark.parametrize(
    "text, message",
    [
        (
            '"use strict";\n/**\n',
            "index.js:3: got 'end of file', expected ' * Copyright (c) HashiCorp, Inc.'; ",
        ),
        (
            GENERATED.replace('Object.defineProperty(exports, "__esModule", { value: true });', "y" * 130),
            f"index.js:6: got '{'y' * 120}', expected 'Object.defineProperty(exports, \"__esModule\", {{ value: true }});'; ",
        ),
        (
            HEADER + '// generated by cdktf get\nexports.provider = require("./provider");\n',
            "index.js:7: got '// generated by cdktf get', expected the 'exports.a = ... = void 0;' lines; ",
        ),
        (HEADER, "index.js:7: got 'end of file', expected the 'exports.a = ... = void 0;' lines; "),
        (
            HEADER + "exports.provider = void 0;\n",
            "index.js:8: got 'end of file', expected '// generated by cdktf get'; ",
        ),
        (
            GENERATED.replace("// generated by cdktf get\n", ""),
            "index.js:9: got 'exports.acmCertificate = require(\"./acm-certificate\");', expected '// generated by cdktf get'; ",
        ),
        (
            GENERATED + "exports.x = 1;\n",
            "index.js:14: got 'exports.x = 1;', expected 'exports.<name> = require(\"./<module>\");' or the source map comment; ",
        ),
        (
            GENERATED.replace("exports.provider = void 0;\n", ""),
            "index.js:7: got 'exports.s3Bucket = exports.acmCertificate = void 0;', expected 'void 0' declarations of exactly the required names; ",
        ),
    ],
    ids=[
        "header-cut-short",
        "header-line-changed",
        "no-void-0-line",
        "header-only",
        "no-generated-comment-at-end",
        "no-generated-comment",
        "line-after-source-map",
        "required-but-not-declared",
    ],
)
def test_rewrite_refusal_messages(text, message):
    with pytest.raises(jsii_cache.LazyLoaderError) as refused:
        jsii_cache.lazy_index(text)
    assert str(refused.value) == message + INDEX_TAIL


@pytest.mark.parametrize(
    "text, expected",
    [
        (STACK_TRACE, SWITCHED),
        (STACK_TRACE.removesuffix("\n"), SWITCHED),
        (STACK_TRACE.replace(SOURCE_MAP, ""), SWITCHED.replace(SOURCE_MAP, "")),
        (STACK_TRACE.replace(SOURCE_MAP, "").removesuffix("\n"), SWITCHED.replace(SOURCE_MAP, "")),
    ],
    ids=["generated", "no-final-newline", "no-source-map", "no-source-map-no-final-newline"],
)
def test_stack_trace_switch_goes_first_in_the_function(text, expected):
    assert jsii_cache.switchable_stack_trace(text) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        (
            '"use strict";\n// Copyright (c) HashiCorp, Inc\n// SPDX-License-Identifier: MPL-2.0\n',
            "stack-trace.js:4: got 'end of file', expected '// copied from https://github.com/aws/constructs/blob/e01e47f78ef1e9b600efcd23ff7705aa8d384017/lib/private/stack-trace.ts'; "
            + STACK_TRACE_TAIL,
        ),
        (
            STACK_TRACE.replace('    const object = { stack: "" };', "y" * 130),
            f"stack-trace.js:13: got '{'y' * 120}', expected '    const object = {{ stack: \"\" }};'; "
            + STACK_TRACE_TAIL,
        ),
        (
            STACK_TRACE.replace(SOURCE_MAP, "z" * 130 + "\n"),
            f"stack-trace.js:30: got '{'z' * 120}', expected the source map comment or the end; cdktf's stack-trace.js "
            "changed shape: update generator/jsii_cache.py (or set GENERATOR_LAZY_NODE=off)",
        ),
        (  # a line after the source map: that line is named, not the source map
            STACK_TRACE + "// one more\n",
            "stack-trace.js:31: got '// one more', expected the end; cdktf's stack-trace.js changed shape: update "
            "generator/jsii_cache.py (or set GENERATOR_LAZY_NODE=off)",
        ),
        (  # two lines that are neither: the first is named
            STACK_TRACE.replace(SOURCE_MAP, "// one\n// two\n"),
            "stack-trace.js:30: got '// one', expected the source map comment or the end; cdktf's stack-trace.js "
            "changed shape: update generator/jsii_cache.py (or set GENERATOR_LAZY_NODE=off)",
        ),
    ],
    ids=["cut-short", "line-changed", "line-instead-of-source-map", "line-after-source-map", "two-lines-instead"],
)
def test_stack_trace_refusal_messages(text, message):
    with pytest.raises(jsii_cache.LazyLoaderError) as refused:
        jsii_cache.switchable_stack_trace(text)
    assert str(refused.value) == message


def test_make_lazy_refuses_another_shape_and_writes_nothing(tmp_path):
    index = tmp_path / "index.js"
    index.write_text("module.exports = {};\n")
    with pytest.raises(jsii_cache.LazyLoaderError) as refused:
        jsii_cache.make_lazy(index)
    assert str(refused.value) == f"{index}:1: got 'module.exports = {{}};', expected '\"use strict\";'; " + INDEX_TAIL
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.js"]
    assert index.read_text() == "module.exports = {};\n"


def test_make_lazy_checks_a_rewrite_against_its_backup(tmp_path):
    index = tmp_path / "index.js"
    index.write_text(LAZY)
    (tmp_path / "index.js.eager").write_text("garbage\n")
    with pytest.raises(jsii_cache.LazyLoaderError) as refused:
        jsii_cache.make_lazy(index)
    assert (
        str(refused.value) == f"{tmp_path}/index.js.eager:1: got 'garbage', expected '\"use strict\";'; " + INDEX_TAIL
    )


@pytest.mark.parametrize("jsii_variable", [True, False])
def test_make_lazy_refuses_a_rewrite_without_backup_and_names_the_folder_to_delete(tmp_path, cache_env, jsii_variable):
    cache_env.setenv("GENERATOR_JSII_CACHE", "/x/ours")
    if jsii_variable:
        cache_env.setenv("JSII_RUNTIME_PACKAGE_CACHE_ROOT", "/x/jsii")
    index = tmp_path / "index.js"
    index.write_text(LAZY)
    with pytest.raises(jsii_cache.LazyLoaderError) as refused:
        jsii_cache.make_lazy(index)
    folder = "/x/jsii" if jsii_variable else "/x/ours"
    assert str(refused.value) == (
        f"{index}: got a rewritten index.js that is not the rewrite of index.js.eager, expected the two to match; "
        f"delete the cache folder {folder} and run again"
    )


def test_make_lazy_reads_and_writes_utf8_whatever_the_locale(tmp_path, ascii_locale):
    original = HEADER + 'exports.café = void 0;\n// generated by cdktf get\nexports.café = require("./cafe");\n'
    index = tmp_path / "index.js"
    index.write_bytes(original.encode("utf-8"))
    assert jsii_cache.make_lazy(index) is True
    assert index.read_bytes() == (
        MARK
        + "\n"
        + HEADER
        + 'Object.defineProperty(exports, "café", { enumerable: true, get: function () { return require("./cafe"); } });\n'
    ).encode("utf-8")
    assert (tmp_path / "index.js.eager").read_bytes() == original.encode("utf-8")
    assert jsii_cache.make_lazy(index) is False  # reads both files back
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.js", "index.js.eager"]
