"""``graph``: one workspace's resources and their dependencies as a Mermaid flowchart (Kro's DAG view).

Built from the synthesized Terraform JSON: a resource depends on every other
resource or data source its arguments reference (``${aws_iam_role.x.arn}``)
or lists in ``depends_on``. Resources are grouped by their top-level
construct (table, function, api, ui-sync), as the instance's stack builds them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..locations import STACK_FILE, stack_dir

_REFERENCE = re.compile(r"(?<![\w.-])((?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z0-9_-]+)")


def _nodes(document: dict) -> dict[str, dict]:
    """address -> {"type", "path", "body"} for every resource and data source."""
    nodes = {}
    for prefix, section in (("", document.get("resource", {})), ("data.", document.get("data", {}))):
        for kind, items in sorted(section.items()):
            for name, body in sorted(items.items()):
                meta = body.get("//", {}).get("metadata", {})
                nodes[f"{prefix}{kind}.{name}"] = {"type": kind, "path": meta.get("path", name), "body": body}
    return nodes


def edges(document: dict) -> dict[str, set[str]]:
    """address -> the addresses it depends on."""
    nodes = _nodes(document)
    found: dict[str, set[str]] = {}
    for address, node in nodes.items():
        body = {k: v for k, v in node["body"].items() if k != "//"}
        text = json.dumps(body)
        found[address] = {ref for ref in _REFERENCE.findall(text) if ref in nodes and ref != address}
    return found


def mermaid(document: dict, stack: str) -> str:
    """The Mermaid ``flowchart`` of one synthesized stack."""
    nodes = _nodes(document)
    deps = edges(document)
    ids = {address: f"n{i}" for i, address in enumerate(nodes)}
    groups: dict[str, list[str]] = {}
    for address, node in nodes.items():
        parts = node["path"].split("/")
        group = parts[1] if len(parts) > 2 and parts[0] == stack else ""
        groups.setdefault(group, []).append(address)
    lines = [
        f"%% Resources of workspace {stack} and what each depends on (an arrow points at the dependent).",
        "flowchart TD",
    ]
    for group, members in sorted(groups.items()):
        indent = "    "
        if group:
            lines.append(f'    subgraph {_safe_id(group)}["{group}"]')
            indent = "        "
        for address in members:
            node = nodes[address]
            label = "/".join(node["path"].split("/")[1:]) or address
            shape = ('[("', '")]') if address.startswith("data.") else ('["', '"]')
            lines.append(f"{indent}{ids[address]}{shape[0]}{label}<br/><small>{node['type']}</small>{shape[1]}")
        if group:
            lines.append("    end")
    for address in nodes:
        for dependency in sorted(deps[address]):
            lines.append(f"    {ids[dependency]} --> {ids[address]}")
    return "\n".join(lines) + "\n"


def _safe_id(text: str) -> str:
    return "g_" + re.sub(r"[^A-Za-z0-9_]", "_", text)


class StackUnreadable(ValueError):
    """The stack's synthesized file is there but is not JSON (an interrupted synth, a hand edit)."""


def stack_document(outdir: Path, stack: str) -> dict | None:
    """The synthesized stack; None when it was not synthesized. A broken file is a StackUnreadable naming it."""
    path = stack_dir(outdir, stack) / STACK_FILE
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text())
    except ValueError as err:  # JSONDecodeError, UnicodeDecodeError
        raise StackUnreadable(
            f"{path}: got unreadable JSON ({err}), expected a synthesized stack (synth again)"
        ) from None
