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
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import REPO, copy_project

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
