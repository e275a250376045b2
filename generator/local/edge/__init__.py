"""The local edge: what ``local up`` applied on the emulator, served on 127.0.0.1 so a browser can use the apps.

CloudFront (the UI bucket through the deployed viewer function), Cognito's
hosted UI and OAuth endpoints, each HTTP API (routes, JWT authorizer, CORS,
Lambda proxy with payload 2.0) and the Lambda runtime, all read back from the
emulator. See docs/local.md ("The local edge").
"""

from .server import EdgeError, EdgeHandle, EdgeRecord, running_edge, serve_forever, spawn_edge, start_edge, stop_edge
from .users import UserError, add_user, find_pool

__all__ = [
    "EdgeError",
    "EdgeHandle",
    "EdgeRecord",
    "UserError",
    "add_user",
    "find_pool",
    "running_edge",
    "serve_forever",
    "spawn_edge",
    "start_edge",
    "stop_edge",
]
