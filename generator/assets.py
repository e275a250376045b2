"""The files the platform publishes: the Lambda bundle, the UI template, the auth pages, the CloudFront Function.

Everything is content-addressed and deterministic: the bundle zip has fixed
timestamps, permissions and order, so the same ``lambda_code/`` always gives
the same bytes, hash and S3 key, and a code change gives a new key.
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import Path

LAMBDA_DIR = "lambda_code"
UI_TEMPLATE_DIR = "ui/inventory"
AUTH_PAGES_DIR = "ui/auth"
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


@dataclass(frozen=True)
class StaticFile:
    """One published file: path relative to its folder, Content-Type, and MD5 (a change re-uploads it)."""

    path: str
    content_type: str
    md5: str


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


def _files(folder: Path, display: str) -> list[Path]:
    if not folder.is_dir():
        raise AssetError(display, "missing folder, expected the sources to publish")
    found = [p for p in folder.rglob("*") if p.is_file() and not _ignored(p.relative_to(folder))]
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def _ignored(relative: Path) -> bool:
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
