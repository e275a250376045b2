"""``main.py new``: write a valid instance file, checked by the same rules as every other."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import Problem, ValidationFailed
from .naming import base_name
from .project import INSTANCES_DIR, load_project
from .validation.tables import API_VERSION, DEFAULT_REGION, KIND

#: The instance schema file, relative to a schemas folder.
SCHEMA_FILE = "instance.schema.json"

TEMPLATE = """# yaml-language-server: $schema={schema}
apiVersion: {api_version}
kind: {kind}
metadata:
  name: {name}
  namespace: {namespace}
spec:
  teamName: {team}
  developerName: {developer}
  appName: {app}
  environment: {environment}
  region: {region}
"""


def _quote(value: str) -> str:
    """A YAML double-quoted scalar: whatever the user typed stays a string, and bad input fails validation."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def new_instance(
    root: Path,
    *,
    team: str,
    app: str,
    environment: str,
    developer: str,
    region: str | None,
    namespace: str | None,
    name: str | None,
    schemas: Path | None = None,
) -> Path:
    """Write instances/<name>.yaml after validating it together with the existing project.

    ``region`` defaults to the platform's homeRegion; the file's ``$schema`` comment points at
    ``<root>/schemas/`` when the project has one, else at ``schemas`` (the generator's).
    """
    root = root.resolve()
    name = name or base_name(environment, team, app, developer)
    try:
        platform = load_project(root).platform
    except ValidationFailed:
        platform = None  # the project's own problems are reported below
    if not namespace:
        namespace = platform.kubernetes.namespaces[0] if platform else "kro-serverless-stack"
    if not region:
        region = platform.home_region if platform else DEFAULT_REGION
    display = f"{INSTANCES_DIR}/{name}.yaml"
    text = TEMPLATE.format(
        schema=schema_reference(root, schemas),
        api_version=API_VERSION,
        kind=KIND,
        name=_quote(name),
        namespace=_quote(namespace),
        team=_quote(team),
        developer=_quote(developer),
        app=_quote(app),
        environment=_quote(environment),
        region=_quote(region),
    )
    instances = root / INSTANCES_DIR
    target = instances / f"{name}.yaml"
    if "/" in name or name.startswith(".") or target.exists():
        reason = "a name not used by an existing file" if target.exists() else "a plain file name"
        raise ValidationFailed([Problem(display, "metadata.name", f"got {name!r}, expected {reason}")])
    instances.mkdir(exist_ok=True)
    fd, scratch = tempfile.mkstemp(prefix=".new-", suffix=".yaml", dir=instances)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        load_project(root, extra=((Path(scratch), display),))  # raises with every problem, the new file's included
        os.replace(scratch, target)
    finally:
        if os.path.exists(scratch):
            os.unlink(scratch)
    return target


def schema_reference(root: Path, schemas: Path | None) -> str:
    """The instance schema's path relative to ``<root>/instances/`` (where the new file goes)."""
    folder = root / "schemas" if (root / "schemas" / SCHEMA_FILE).is_file() or schemas is None else schemas
    return Path(os.path.relpath(folder.resolve() / SCHEMA_FILE, root / INSTANCES_DIR)).as_posix()
