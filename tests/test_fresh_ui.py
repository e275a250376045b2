"""Fresh UIs without invalidation: a one-line change to ui/inventory/app.js gives a new published name that the
template's index.html references; everything else keeps its name (issue 13 part 1)."""

from __future__ import annotations

import re

from helpers import copy_project, load_stack, synth_project
from stack_json import resources


def published(out) -> tuple[list[str], str, dict]:
    stack = load_stack(out, "platform")
    template = next(o for o in resources(stack, "aws_s3_object") if o["key"].startswith("ui/inventory-"))
    return stack["output"]["ui_template_files"]["value"], stack["output"]["ui_template_index_html"]["value"], template


def test_a_one_line_change_to_app_js_publishes_a_new_name_that_index_html_references(tmp_path):
    root = copy_project(tmp_path / "project")
    files, index, template = published(synth_project(root, tmp_path / "before", instances=[]))
    app_js = root / "ui" / "inventory" / "app.js"
    text = app_js.read_text()
    assert text.count("\n'use strict';\n") == 1
    app_js.write_text(text.replace("\n'use strict';\n", "\n'use strict'; // changed\n"))
    new_files, new_index, new_template = published(synth_project(root, tmp_path / "after", instances=[]))

    old_app = [f for f in files if f.startswith("app.")]
    new_app = [f for f in new_files if f.startswith("app.")]
    assert len(old_app) == len(new_app) == 1 and old_app != new_app
    assert re.fullmatch(r"app\.[0-9a-f]{12}\.js", new_app[0])
    assert f'<script src="{new_app[0]}" defer></script>' in new_index and old_app[0] not in new_index
    assert [f for f in files if not f.startswith("app.")] == [f for f in new_files if not f.startswith("app.")]
    assert template["key"] != new_template["key"]  # a new template prefix: the old version stays for old pages
    # Cache-Control per object: the hashed files immutable, index.html revalidated.
    assert new_template["for_each"][new_app[0]]["cache_control"] == "public, max-age=31536000, immutable"
    assert new_template["for_each"]["index.html"]["cache_control"] == "no-cache"
    assert '<base href="./">' in new_index and "<script>" not in new_index and "<style" not in new_index
