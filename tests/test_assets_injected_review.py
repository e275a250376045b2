"""Holes found by a hand-injected bug round on generator/assets.py: a hash that must follow every byte, a
published folder that must hold only this run's files, an entry page that must sit at the template's root, and an
index.html whose every reference to a file is rewritten."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_assets import X_HASH, _tree

from generator import assets
from generator.assets import AssetError

INDEX = '<!doctype html><html><head><base href="./">{}</head><body></body></html>\n'


def test_a_change_far_into_a_large_file_gives_it_a_new_hashed_name():
    """The hashed name is what lets browsers cache forever: it must change with any byte, not only the first ones."""
    head = b"// a long bundle\n" * 512
    assert assets.hashed_name("app.js", head + b"one") == "app.f31a005f6a08.js"
    assert assets.hashed_name("app.js", head + b"two") == "app.fabc1e418a9a.js"


def test_files_of_an_earlier_publish_are_removed_from_the_published_folder(tmp_path):
    """The published folder is uploaded as is: an old run's hashed file left in it would be published again."""
    root = tmp_path / "p"
    _tree(root / "ui" / "inventory", {"index.html": INDEX.format("").encode(), "app.js": b"x"})
    _tree(tmp_path / "work" / "inventory-published", {"app.0123456789ab.js": b"old", "old/page.html": b"old"})
    published = assets.publish_template(root, tmp_path / "work")
    target = Path(published.path)
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*")) == [f"app.{X_HASH}.js", "index.html"]


def test_an_index_html_only_in_a_subfolder_is_not_the_entry_page(tmp_path):
    """The app is served from the template's root: a nested index.html must be refused with the one-line error."""
    _tree(tmp_path / "ui" / "inventory", {"pages/index.html": INDEX.format("").encode(), "app.js": b"x"})
    with pytest.raises(AssetError) as err:
        assets.publish_template(tmp_path, tmp_path / "work")
    assert (err.value.file, err.value.message) == (
        "ui/inventory/index.html",
        "missing file, expected the app's entry page",
    )


def test_every_reference_to_a_file_in_index_html_is_rewritten(tmp_path):
    """Only hashed names are uploaded: a second reference left unhashed (a preload, say) would fetch a 404."""
    head = '<link rel="modulepreload" href="app.js"><script type="module" src="./app.js"></script>'
    _tree(tmp_path / "ui" / "inventory", {"index.html": INDEX.format(head).encode(), "app.js": b"x"})
    published = assets.publish_template(tmp_path, tmp_path / "work")
    assert published.index_html == (
        '<!doctype html><html><head><base href="./">'
        f'<link rel="modulepreload" href="app.{X_HASH}.js"><script type="module" src="app.{X_HASH}.js"></script>'
        "</head><body></body></html>\n"
    )
