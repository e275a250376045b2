"""What the platform publishes (generator/assets.py), file by file: which files are left out, the order and the
bytes of the Lambda bundle, the hashed names of the UI template and its rewritten index.html, and the one-line
error for each unusable source."""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

import pytest

from generator import assets
from generator.assets import AssetError, StaticFile

X_HASH = "2d711642b726"  # sha256(b"x")[:12]


def _tree(root: Path, files: dict[str, bytes]) -> None:
    for relative, data in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(data)


@pytest.mark.parametrize(
    "relative,left_out",
    [
        ("app.py", False),
        ("pkg/mod.py", False),
        ("notes.PYC", False),
        ("a.pyc", True),
        ("pkg/a.pyc", True),
        (".env", True),
        ("pkg/.hidden/mod.py", True),
        ("__pycache__/mod.py", True),
        ("pkg/__pycache__/mod.cpython-311.pyc", True),
        ("my__pycache__/mod.py", False),
        ("dot.in.name.py", False),
    ],
)
def test_hidden_files_and_bytecode_are_left_out(relative, left_out):
    assert assets.is_unpublished(Path(relative)) is left_out


def test_the_bundle_is_the_published_files_in_path_order_with_fixed_metadata(tmp_path):
    root = tmp_path / "p"
    _tree(
        root / "lambda_code",
        {
            "index.py": b"handler\n",
            "a-b.py": b"1\n",
            "a/z.py": b"2\n",
            "B.py": b"3\n",
            ".secret": b"no",
            "__pycache__/index.cpython-311.pyc": b"no",
            "a/old.pyc": b"no",
        },
    )
    work = tmp_path / "work"
    work.mkdir()
    bundle = assets.build_bundle(root, work)
    data = (work / "inventory.zip").read_bytes()
    digest = hashlib.sha256(data)
    assert bundle.path == str(work / "inventory.zip")
    assert bundle.key == f"functions/inventory-{digest.hexdigest()[:16]}.zip"
    assert bundle.sha256_b64 == base64.b64encode(digest.digest()).decode()
    with zipfile.ZipFile(work / "inventory.zip") as archive:
        entries = archive.infolist()
        assert [e.filename for e in entries] == ["B.py", "a-b.py", "a/z.py", "index.py"]
        assert archive.read("a/z.py") == b"2\n"
    for entry in entries:
        assert entry.date_time == (1980, 1, 1, 0, 0, 0)
        assert entry.external_attr == 0o100644 << 16
        assert entry.create_system == 3
        assert entry.compress_type == zipfile.ZIP_DEFLATED
    again = tmp_path / "again"
    again.mkdir()
    assert assets.build_bundle(root, again).key == bundle.key  # the same sources, the same bytes


def test_a_missing_source_folder_is_named_in_the_error(tmp_path):
    with pytest.raises(AssetError) as err:
        assets.build_bundle(tmp_path, tmp_path)
    assert (err.value.file, err.value.message) == ("lambda_code", "missing folder, expected the sources to publish")
    assert str(err.value) == "lambda_code: missing folder, expected the sources to publish"
    with pytest.raises(AssetError) as err:
        assets.static_files(tmp_path, "ui/site")
    assert str(err.value) == "ui/site: missing folder, expected the sources to publish"


def test_static_files_have_explicit_content_types_and_refuse_unknown_extensions(tmp_path):
    _tree(tmp_path / "ui" / "site", {"index.html": b"x", "img/Logo.SVG": b"<svg/>", "404.html": b"x"})
    assert assets.static_files(tmp_path, "ui/site") == (
        StaticFile("404.html", "text/html; charset=utf-8", hashlib.md5(b"x").hexdigest()),
        StaticFile("img/Logo.SVG", "image/svg+xml", hashlib.md5(b"<svg/>").hexdigest()),
        StaticFile("index.html", "text/html; charset=utf-8", hashlib.md5(b"x").hexdigest()),
    )
    assert [f.cache_control for f in assets.site_pages(tmp_path)] == ["no-cache"] * 3
    _tree(tmp_path / "ui" / "site", {"README": b"x"})
    with pytest.raises(AssetError) as err:
        assets.static_files(tmp_path, "ui/site")
    assert err.value.file == "ui/site/README"
    assert err.value.message.startswith("got extension '(none)', expected one of .css, .gif, .html, .ico, .jpeg,")


@pytest.mark.parametrize(
    "relative,hashed",
    [
        ("app.js", f"app.{X_HASH}.js"),
        ("js/app.js", f"js/app.{X_HASH}.js"),
        ("LICENSE", f"LICENSE.{X_HASH}"),
        ("v1.2/LICENSE", f"v1.2/LICENSE.{X_HASH}"),
        ("a/b/app.min.js", f"a/b/app.min.{X_HASH}.js"),
    ],
)
def test_hashed_names_carry_the_contents_hash_before_the_extension(relative, hashed):
    assert assets.hashed_name(relative, b"x") == hashed


INDEX = """<!doctype html><html><head><base href="./">
<link rel="stylesheet" href="./css/app.css"><script src="app.js" defer></script></head>
<body><a href="app.js.map">map</a><img src="other.js"></body></html>
"""


def test_the_template_is_published_with_hashed_names_and_a_rewritten_no_cache_index(tmp_path):
    root = tmp_path / "p"
    files = {"index.html": INDEX.encode(), "app.js": b"x", "css/app.css": b"x", "css/print.css": b"x"}
    _tree(root / "ui" / "inventory", {**files, "static/img/logo.svg": b"x"})  # two in one folder, one two deep
    work = tmp_path / "work"
    (work / "inventory-published" / "stale").mkdir(parents=True)
    published = assets.publish_template(root, work)
    target = work / "inventory-published"
    assert published.path == str(target)
    index = (
        '<!doctype html><html><head><base href="./">\n'
        f'<link rel="stylesheet" href="css/app.{X_HASH}.css"><script src="app.{X_HASH}.js" defer></script></head>\n'
        '<body><a href="app.js.map">map</a><img src="other.js"></body></html>\n'
    )
    assert published.index_html == index
    md5 = hashlib.md5(b"x").hexdigest()
    assert published.files == (
        StaticFile(f"app.{X_HASH}.js", "text/javascript; charset=utf-8", md5, "public, max-age=31536000, immutable"),
        StaticFile(f"css/app.{X_HASH}.css", "text/css; charset=utf-8", md5, "public, max-age=31536000, immutable"),
        StaticFile(f"css/print.{X_HASH}.css", "text/css; charset=utf-8", md5, "public, max-age=31536000, immutable"),
        StaticFile("index.html", "text/html; charset=utf-8", hashlib.md5(index.encode()).hexdigest(), "no-cache"),
        StaticFile(f"static/img/logo.{X_HASH}.svg", "image/svg+xml", md5, "public, max-age=31536000, immutable"),
    )
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()) == [
        f"app.{X_HASH}.js",
        f"css/app.{X_HASH}.css",
        f"css/print.{X_HASH}.css",
        "index.html",
        f"static/img/logo.{X_HASH}.svg",
    ]
    assert (target / "index.html").read_text() == index


@pytest.mark.parametrize(
    "files,file,message",
    [
        ({"app.js": b"x"}, "ui/inventory/index.html", "missing file, expected the app's entry page"),
        (
            {"index.html": b"<head></head>"},
            "ui/inventory/index.html",
            'missing <base href="./">, expected it in <head> (see generator/assets.py)',
        ),
    ],
)
def test_a_template_without_a_usable_entry_page_is_refused(tmp_path, files, file, message):
    _tree(tmp_path / "ui" / "inventory", files)
    with pytest.raises(AssetError) as err:
        assets.publish_template(tmp_path, tmp_path / "work")
    assert (err.value.file, err.value.message) == (file, message)
    assert not (tmp_path / "work").exists()


def test_the_viewer_function_is_read_as_utf8_or_named_in_the_error(tmp_path):
    with pytest.raises(AssetError) as err:
        assets.viewer_request_code(tmp_path)
    assert str(err.value) == "cloudfront_function/viewer_request.js: cannot read file: No such file or directory"
    _tree(tmp_path / "cloudfront_function", {"viewer_request.js": "// café\n".encode()})
    assert assets.viewer_request_code(tmp_path) == "// café\n"


def test_the_entry_page_and_the_viewer_function_are_utf8_whatever_the_locale(tmp_path, ascii_locale):
    """Read and written as UTF-8 where the locale's encoding is ASCII (a CI image without a UTF-8 locale)."""
    root = tmp_path / "p"
    index = INDEX.replace("<body>", "<body><h1>Lager · Übersicht</h1>")
    _tree(root / "ui" / "inventory", {"index.html": index.encode(), "app.js": b"x", "css/app.css": b"x"})
    _tree(root / "cloudfront_function", {"viewer_request.js": "// café\n".encode()})
    published = assets.publish_template(root, tmp_path / "work")
    assert "<body><h1>Lager · Übersicht</h1>" in published.index_html
    assert (tmp_path / "work" / "inventory-published" / "index.html").read_bytes() == published.index_html.encode()
    assert assets.viewer_request_code(root) == "// café\n"


def test_template_prefix_follows_every_path_and_content(tmp_path):
    one = (StaticFile("a.js", "t", "m1"), StaticFile("index.html", "t", "m2"))
    assert (
        assets.template_prefix(one)
        == "ui/inventory-" + hashlib.sha256(b"a.js\0m1\nindex.html\0m2\n").hexdigest()[:12] + "/"
    )
    assert assets.template_prefix(one) != assets.template_prefix((StaticFile("a.js", "t", "m3"), one[1]))
    assert assets.template_prefix(one) != assets.template_prefix((StaticFile("b.js", "t", "m1"), one[1]))
