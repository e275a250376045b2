"""The repository stands alone: its Markdown links and paths stay inside it and point at files that exist.

Checks README.md and docs/**/*.md. Fails on a ``[text](target)`` link (or a
``[label]: target`` definition) that leaves the repository or names a missing
file, and on a ``../`` path anywhere in the text (code included) that resolves
outside the repository root. Web links (http, https, mailto) and in-page
anchors are not checked.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])

FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`[^`\n]*`")
INLINE_LINK = re.compile(r"!?\[[^\]\n]*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
DEFINITION = re.compile(r"^\s{0,3}\[[^\]\n]+\]:\s*<?(\S+?)>?(?:\s+.*)?$", re.MULTILINE)
PARENT_PATH = re.compile(r"(?<![\w./-])((?:\./)?(?:\.\./)+[^\s`'\")\]<>|]*)")
EXTERNAL = re.compile(r"^(https?:|mailto:)", re.IGNORECASE)


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def link_problems(markdown: Path, root: Path = ROOT) -> list[str]:
    """One message per link or path in ``markdown`` that leaves ``root`` or names a missing file."""
    text = markdown.read_text(encoding="utf-8")
    prose = CODE_SPAN.sub("", FENCE.sub("", text))  # links inside code are not links
    problems = []
    for target in INLINE_LINK.findall(prose) + DEFINITION.findall(prose):
        if not target or target.startswith("#") or EXTERNAL.match(target):
            continue
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
            problems.append(f"{target}: a link outside the repository (scheme)")
            continue
        path_part = unquote(target.split("#", 1)[0].split("?", 1)[0])
        # A leading "/" is the repository root, as GitHub renders it.
        resolved = root / path_part.lstrip("/") if path_part.startswith("/") else markdown.parent / path_part
        if not _inside(resolved, root):
            problems.append(f"{target}: resolves outside the repository")
        elif not resolved.exists():
            problems.append(f"{target}: no such file in the repository")
    for path in PARENT_PATH.findall(text):
        if not _inside(markdown.parent / path, root):
            problems.append(f"{path}: a path that resolves outside the repository")
    return [f"{markdown.relative_to(root)}: {p}" for p in problems]


@pytest.mark.parametrize("markdown", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_markdown_links_stay_inside_the_repository_and_exist(markdown: Path) -> None:
    assert link_problems(markdown) == []


def test_the_checker_catches_what_it_must(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "here.md").write_text("x")
    page = tmp_path / "README.md"
    page.write_text(
        "[ok](docs/here.md#part) [web](https://example.com) [anchor](#top) [root](/docs/here.md)\n"
        "[up](../outside.txt) [gone](docs/missing.md) [file](file:///etc/passwd)\n"
        "see `../shared/notes.txt`\n"
        "[ref]: ../../elsewhere.md\n"
        "```\n[in code](docs/missing-too.md)\n```\n"
    )
    assert link_problems(page, tmp_path) == [
        "README.md: ../outside.txt: resolves outside the repository",
        "README.md: docs/missing.md: no such file in the repository",
        "README.md: file:///etc/passwd: a link outside the repository (scheme)",
        "README.md: ../../elsewhere.md: resolves outside the repository",
        "README.md: ../outside.txt: a path that resolves outside the repository",
        "README.md: ../shared/notes.txt: a path that resolves outside the repository",
        "README.md: ../../elsewhere.md: a path that resolves outside the repository",
    ]
