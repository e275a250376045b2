"""JSON Schemas of the input files, rendered from the same field tables the validator uses."""

from __future__ import annotations

from typing import Any

from .rules import json_schema
from .tables import INSTANCE_FIELDS, KIND, PLATFORM_FIELDS


def instance_schema() -> dict[str, Any]:
    return json_schema(
        INSTANCE_FIELDS, KIND, "An application instance: one file in instances/ (Kro SmartInventoryHubV5)."
    )


def platform_schema() -> dict[str, Any]:
    return json_schema(PLATFORM_FIELDS, "Platform", "platform.yaml: the shared platform's settings.")
