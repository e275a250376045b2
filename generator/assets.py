"""The files the platform publishes: the Lambda bundle, the UI template, the auth pages, the CloudFront Function.

Everything is content-addressed and deterministic: the bundle zip has fixed
timestamps, permissions and order, so the same ``lambda_code/`` always gives
the same bytes, hash and S3 key, and a code change gives a new key.
"""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

LAMBDA_DIR = "lambda_code"
UI_TEMPLATE_DIR = "ui/inventory"
AUTH_PAGES_DIR = "ui/auth"
SITE_PAGES_DIR = "ui/site"
VIEWER_REQUEST_FILE = "cloudfront_function/viewer_request.js"
BUNDLE_NAME = "inventory"
TEMPLATE_NAME = "inventory"

#: Content-Type by extension; explicit so the result never depends on the machine's mime database.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".ico": "image/x-icon",
    ".webp": "image/webp",
    ".txt": "text/plain; charset=utf-8",
    ".webmanifest": "application/manifest+json",
    ".woff2": "font/woff2",
    ".map": "application/json",
}
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)

#: Cache-Control of the files that name a version (index.html, config.json): browsers and CloudFront revalidate.
NO_CACHE = "no-cache"
#: Cache-Control of content-hashed files: a new version has a new name, so a cached one never goes stale.
IMMUTABLE = "public, max-age=31536000, immutable"
#: The template's index.html carries this element; each instance replaces it with ``<base href="/<base>/">`` so
#: every relative URL (hashed files, config.json) resolves under the app's prefix, deep links included, with no
#: inline script (the Content-Security-Policy allows none).
BASE_MARKER = '<base href="./">'
#: The published name of every template file but index.html: ``<stem>.<HASH_LENGTH hex>.<ext>``.
HASH_LENGTH = 12
ENTRY_PAGE = "index.html"


@dataclass(frozen=True)
class StaticFile:
    """One published file: path relative to its folder, Content-Type, and MD5 (a change re-uploads it)."""

    path: str
    content_type: str
    md5: str
    #: Cache-Control of the object; None leaves it to CloudFront's cache policy.
    cache_control: str | None = None


@dataclass(frozen=True)
class PublishedTemplate:
    """The UI template as published: hashed file names, an index.html that references them."""

    path: str
    files: tuple[StaticFile, ...]
    index_html: str


@dataclass(frozen=True)
class Bundle:
    """The Lambda bundle written to disk: its S3 key carries the content hash."""

    path: str
    key: str
    sha256_b64: str


class AssetError(Exception):
    """A required source file or folder is missing or unusable (reported like a validation error)."""

    def __init__(self, file: str, message: str):
        super().__init__(f"{file}: {message}")
        self.file, self.message = file, message

    def __reduce__(self) -> tuple[type, tuple[str, str]]:  # raised in a synth worker, re-raised in the caller
        return (AssetError, (self.file, self.message))


def _files(folder: Path, display: str) -> list[Path]:
    if not folder.is_dir():
        raise AssetError(display, "missing folder, expected the sources to publish")
    found = [p for p in folder.rglob("*") if p.is_file() and not is_unpublished(p.relative_to(folder))]
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def is_unpublished(relative: Path) -> bool:
    """Whether a file (its path relative to the published folder) is left out: hidden, or Python bytecode."""
    return any(part.startswith(".") or part == "__pycache__" for part in relative.parts) or relative.suffix == ".pyc"


def build_bundle(root: Path, work_dir: Path) -> Bundle:
    """Zip ``lambda_code/`` deterministically into ``work_dir``."""
    source = root / LAMBDA_DIR
    target = work_dir / f"{BUNDLE_NAME}.zip"
    with zipfile.ZipFile(target, "w") as archive:
        for path in _files(source, LAMBDA_DIR):
            info = zipfile.ZipInfo(path.relative_to(source).as_posix(), date_time=_ZIP_EPOCH)
            info.external_attr = 0o100644 << 16
            info.create_system = 3
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes(), compresslevel=9)
    data = target.read_bytes()
    digest = hashlib.sha256(data)
    return Bundle(
        path=str(target),
        key=f"functions/{BUNDLE_NAME}-{digest.hexdigest()[:16]}.zip",
        sha256_b64=base64.b64encode(digest.digest()).decode("ascii"),
    )


def static_files(root: Path, folder: str) -> tuple[StaticFile, ...]:
    """Every file under ``folder`` with its Content-Type; unknown extensions are an error, not a guess."""
    base = root / folder
    out = []
    for path in _files(base, folder):
        relative = path.relative_to(base).as_posix()
        content_type = CONTENT_TYPES.get(path.suffix.lower())
        if content_type is None:
            raise AssetError(
                f"{folder}/{relative}",
                f"got extension {path.suffix or '(none)'!r}, expected one of {', '.join(sorted(CONTENT_TYPES))}",
            )
        out.append(StaticFile(relative, content_type, hashlib.md5(path.read_bytes()).hexdigest()))
    return tuple(out)


def template_prefix(files: tuple[StaticFile, ...]) -> str:
    """``ui/<template>-<hash>/``: a new template version lands beside the old one, never over it."""
    digest = hashlib.sha256("".join(f"{f.path}\0{f.md5}\n" for f in files).encode()).hexdigest()[:12]
    return f"ui/{TEMPLATE_NAME}-{digest}/"


def viewer_request_code(root: Path) -> str:
    path = root / VIEWER_REQUEST_FILE
    try:
        return path.read_text(encoding="utf-8")
    except OSError as err:
        raise AssetError(VIEWER_REQUEST_FILE, f"cannot read file: {err.strerror}") from None


def hashed_name(relative: str, data: bytes) -> str:
    """``js/app.js`` -> ``js/app.<hash>.js``: the name changes with the content, so it can be cached forever."""
    folder, _, name = relative.rpartition("/")
    stem, dot, ext = name.rpartition(".")
    digest = hashlib.sha256(data).hexdigest()[:HASH_LENGTH]
    hashed = f"{stem}.{digest}.{ext}" if dot else f"{name}.{digest}"
    return f"{folder}/{hashed}" if folder else hashed


def publish_template(root: Path, work_dir: Path, folder: str = UI_TEMPLATE_DIR) -> PublishedTemplate:
    """Write the template as published into ``work_dir/<folder name>-published``.

    Every file but index.html gets a content-hashed name and an immutable Cache-Control; index.html has its
    ``src``/``href`` references to those files rewritten and is ``no-cache``. A one-line change to ``app.js``
    gives a new ``app.<hash>.js`` and a new index.html, so a browser never runs old code with a new page.
    """
    files = static_files(root, folder)  # checks the folder and every extension
    source = root / folder
    if ENTRY_PAGE not in {f.path for f in files}:
        raise AssetError(f"{folder}/{ENTRY_PAGE}", "missing file, expected the app's entry page")
    index = (source / ENTRY_PAGE).read_text(encoding="utf-8")
    if BASE_MARKER not in index:
        raise AssetError(
            f"{folder}/{ENTRY_PAGE}", f"missing {BASE_MARKER}, expected it in <head> (see generator/assets.py)"
        )
    target = work_dir / f"{Path(folder).name}-published"
    if target.exists():
        shutil.rmtree(target)
    out = []
    for f in files:
        if f.path == ENTRY_PAGE:
            continue
        data = (source / f.path).read_bytes()
        name = hashed_name(f.path, data)
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).write_bytes(data)
        out.append(StaticFile(name, f.content_type, f.md5, IMMUTABLE))
        index = re.sub(rf'((?:src|href)=")(?:\./)?{re.escape(f.path)}(")', rf"\g<1>{name}\g<2>", index)
    (target / ENTRY_PAGE).write_text(index, encoding="utf-8")
    page = StaticFile(ENTRY_PAGE, CONTENT_TYPES[".html"], hashlib.md5(index.encode()).hexdigest(), NO_CACHE)
    return PublishedTemplate(str(target), tuple(sorted([page, *out], key=lambda f: f.path)), index)


def site_pages(root: Path) -> tuple[StaticFile, ...]:
    """The platform's own pages at the root of the shared UI bucket (``/`` and the not-found page), no-cache."""
    return tuple(replace(f, cache_control=NO_CACHE) for f in static_files(root, SITE_PAGES_DIR))
