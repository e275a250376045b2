"""Read workspace state without Terraform: which workspaces have state, their outputs, when they were applied.

One reader per backend type:

* ``local``: the ``<stateDir>/*.tfstate`` files;
* ``s3``: the ``<keyPrefix>/*.tfstate`` objects, through boto3 (``AWS_ENDPOINT_URL_S3`` and the usual
  AWS credential chain apply); without boto3 the reader says so;
* ``cloud``: the HCP Terraform API, with the token Terraform itself uses: ``TF_TOKEN_<host>``, else the
  ``credentials.tfrc.json`` that ``terraform login`` writes (``~/.terraform.d``; ``%APPDATA%/terraform.d``
  on Windows), else ``TFE_TOKEN``; workspaces are found by the ``<workspacePrefix>-`` name prefix, less those
  that are provably another platform's (``CloudStates.owned``).

A workspace "has state" when its state lists at least one resource: an
applied-then-destroyed workspace is empty and is not an orphan.
"""

from __future__ import annotations

import json
import os
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .locations import local_state_file, s3_key, workspace_name
from .model import BackendSettings


class StateUnavailable(Exception):
    """State cannot be read (no library, no token, no access); the message is one line for the CLI."""


@dataclass(frozen=True)
class WorkspaceState:
    """What a workspace's state says: where it is, how many resources, outputs and when it was last written."""

    stack: str
    where: str
    resources: int
    outputs: dict = field(default_factory=dict)
    last_applied: datetime | None = None


def state_document(text: str | bytes) -> dict:
    """A state file's JSON; ValueError when it is not a state document (a JSON object whose ``resources`` is a list
    of objects and ``outputs`` an object, where present)."""
    document = json.loads(text)
    if not isinstance(document, dict):
        raise ValueError(f"a JSON {type(document).__name__}, not an object")
    resources, outputs = document.get("resources", []), document.get("outputs", {})
    if not isinstance(resources, list) or not all(isinstance(r, dict) for r in resources):
        raise ValueError("resources is not a list of objects")
    if not isinstance(outputs, dict) or not all(isinstance(o, dict) for o in outputs.values()):
        raise ValueError("outputs is not an object of objects")
    return document


def unreadable(where: str, err: Exception) -> StateUnavailable:
    return StateUnavailable(f"{where}: got unreadable state ({err}), expected Terraform state JSON")


def read_state_file(stack: str, path: Path, strict: bool = True) -> WorkspaceState | None:
    """A local ``.tfstate`` file; None when missing or empty. Unreadable JSON raises StateUnavailable,
    or with ``strict=False`` reads as None (a state being written by a running Terraform)."""
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return None
        document = state_document(path.read_text())
        modified = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    except (OSError, ValueError) as err:
        if not strict:
            return None
        raise unreadable(str(path), err) from None
    return from_document(stack, str(path), document, modified)


def from_document(stack: str, where: str, document: dict, modified: datetime | None) -> WorkspaceState:
    """What a state document (``terraform.tfstate`` JSON) says: managed resource instances and output values."""
    resources = sum(len(r.get("instances", [])) for r in document.get("resources", []) if r.get("mode") == "managed")
    outputs = {k: v.get("value") for k, v in document.get("outputs", {}).items()}
    return WorkspaceState(stack=stack, where=where, resources=resources, outputs=outputs, last_applied=modified)


class LocalStates:
    def __init__(self, backend: BackendSettings):
        self.backend = backend

    def read(self, stack: str) -> WorkspaceState | None:
        return read_state_file(stack, local_state_file(self.backend, stack))

    def stacks(self) -> list[str]:
        folder = Path(self.backend.state_dir)
        return sorted(p.name[: -len(".tfstate")] for p in folder.glob("*.tfstate")) if folder.is_dir() else []


class S3States:
    def __init__(self, backend: BackendSettings):
        self.backend = backend
        try:
            import boto3
        except ImportError:
            raise StateUnavailable(
                f"s3: boto3 is not installed, expected it to read state (pip install boto3), "
                f"or list states with: aws s3 ls s3://{backend.bucket}/{backend.key_prefix}/"
            ) from None
        self.client = boto3.client("s3", region_name=backend.region)

    def _call(self, what: str, call, **kwargs):
        try:
            return call(**kwargs)
        except Exception as err:
            if getattr(err, "response", {}).get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise StateUnavailable(f"s3://{self.backend.bucket}/{what}: {str(err).splitlines()[0]}") from None

    def read(self, stack: str) -> WorkspaceState | None:
        key = s3_key(self.backend, stack)
        got = self._call(key, self.client.get_object, Bucket=self.backend.bucket, Key=key)
        if got is None:
            return None
        body, where = got["Body"].read(), f"s3://{self.backend.bucket}/{key}"
        if not body:
            return None
        try:
            document = state_document(body)
        except ValueError as err:
            raise unreadable(where, err) from None
        return from_document(stack, where, document, got.get("LastModified"))

    def stacks(self) -> list[str]:
        prefix = f"{self.backend.key_prefix}/"
        names, token = [], None
        while True:
            kwargs = {
                "Bucket": self.backend.bucket,
                "Prefix": prefix,
                **({"ContinuationToken": token} if token else {}),
            }
            page = self._call(prefix, self.client.list_objects_v2, **kwargs) or {}
            for item in page.get("Contents", []):
                rest = item["Key"][len(prefix) :]
                if rest.endswith(".tfstate") and "/" not in rest:
                    names.append(rest[: -len(".tfstate")])
            token = page.get("NextContinuationToken")
            if not token:
                return sorted(names)


def token_variable(host: str) -> str:
    """The environment variable Terraform reads a host's token from: dots become ``_``, dashes ``__``."""
    return "TF_TOKEN_" + host.replace("-", "__").replace(".", "_")


def cli_config_dir() -> Path:
    """Terraform's CLI configuration folder, where ``terraform login`` keeps ``credentials.tfrc.json``."""
    if os.name == "nt" and os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"]) / "terraform.d"
    return Path.home() / ".terraform.d"


def credentials_file() -> Path:
    return cli_config_dir() / "credentials.tfrc.json"


def login_token(host: str) -> str | None:
    """The token ``terraform login <host>`` stored, if any (an unreadable file counts as none)."""
    try:
        document = json.loads(credentials_file().read_text())
        token = document["credentials"][host]["token"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return token if isinstance(token, str) and token else None


class CloudStates:
    def __init__(self, backend: BackendSettings):
        self.backend = backend
        host = backend.hostname
        self.token = os.environ.get(token_variable(host)) or login_token(host) or os.environ.get("TFE_TOKEN")
        if not self.token:
            raise StateUnavailable(
                f"cloud: no API token for {host}, expected terraform login {host} (it writes {credentials_file()}), "
                f"{token_variable(host)} or TFE_TOKEN"
            )
        self.api = f"https://{host}/api/v2"
        self._ids: dict[str, dict] | None = None

    def _get(self, url: str) -> dict:
        request = urllib.request.Request(
            url, headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/vnd.api+json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read())
        except Exception as err:
            raise StateUnavailable(f"cloud: {url}: {err}") from None

    def _project_id(self) -> str | None:
        """The id of the configured ``backend.project`` (None: no project configured, any project is ours)."""
        if not self.backend.project:
            return None
        org = urllib.parse.quote(self.backend.organization)
        name = urllib.parse.quote(self.backend.project)
        page = self._get(f"{self.api}/organizations/{org}/projects?filter%5Bnames%5D={name}")
        for item in page.get("data", []):
            if item.get("attributes", {}).get("name") == self.backend.project:
                return item["id"]
        raise StateUnavailable(
            f"cloud: platform.yaml backend.project: no project {self.backend.project!r} in organization "
            f"{self.backend.organization} on {self.backend.hostname}, expected an existing project's name"
        )

    def owned(self, item: dict, project_id: str | None) -> bool:
        """Whether a workspace named ``<prefix>-...`` is this platform's, not another's whose prefix starts with
        ours and ``-`` (``acme`` and ``acme-eu``). It is another's when it sits outside the configured project, or
        when the bootstrap stack made it (tag ``platform`` or ``instance``) for another prefix (its prefix tag is
        not ours). A workspace with neither signal (made by ``terraform init``, no project set) goes by its name."""
        if project_id is not None:
            project = ((item.get("relationships") or {}).get("project") or {}).get("data") or {}
            if project.get("id") != project_id:
                return False
        tags = set(item["attributes"].get("tag-names") or ())
        return not (tags & {"platform", "instance"}) or self.backend.workspace_prefix.lower() in tags

    def _workspaces(self) -> dict[str, dict]:
        if self._ids is None:
            prefix = workspace_name(self.backend, "")
            project_id = self._project_id()
            org = urllib.parse.quote(self.backend.organization)
            query = f"search%5Bname%5D={urllib.parse.quote(prefix)}&page%5Bsize%5D=100"
            url = f"{self.api}/organizations/{org}/workspaces?{query}"
            found: dict[str, dict] = {}
            while url:
                page = self._get(url)
                for item in page.get("data", []):
                    name = item["attributes"]["name"]
                    if name.startswith(prefix) and self.owned(item, project_id):
                        found[name[len(prefix) :]] = item
                url = (page.get("links") or {}).get("next")
            self._ids = found
        return self._ids

    def read(self, stack: str) -> WorkspaceState | None:
        item = self._workspaces().get(stack)
        if item is None or not item["attributes"].get("resource-count"):
            return None
        outputs = self._get(f"{self.api}/workspaces/{item['id']}/current-state-version-outputs")
        values = {o["attributes"]["name"]: o["attributes"].get("value") for o in outputs.get("data", [])}
        applied = item["attributes"].get("latest-change-at") or item["attributes"].get("updated-at")
        try:
            when = datetime.fromisoformat(applied) if applied else None  # RFC 3339, "Z" included
        except ValueError:
            raise StateUnavailable(
                f"cloud: workspace {item['attributes']['name']}: got the time {applied!r}, expected RFC 3339"
            ) from None
        return WorkspaceState(
            stack=stack,
            where=f"{self.backend.hostname}/{self.backend.organization}/{item['attributes']['name']}",
            resources=int(item["attributes"]["resource-count"]),
            outputs=values,
            last_applied=when,
        )

    def stacks(self) -> list[str]:
        return sorted(self._workspaces())


def states_for(backend: BackendSettings) -> LocalStates | S3States | CloudStates:
    """The state reader of the configured backend (raises StateUnavailable when it cannot work here)."""
    return {"s3": S3States, "cloud": CloudStates}.get(backend.type, LocalStates)(backend)


def applied(states, stacks: list[str] | None = None) -> dict[str, WorkspaceState]:
    """Workspaces (all, or ``stacks``) whose state holds at least one resource."""
    found = {}
    for stack in stacks if stacks is not None else states.stacks():
        state = states.read(stack)
        if state is not None and state.resources > 0:
            found[stack] = state
    return found
