"""Public origins (https://apps.example.com, the Cognito domain, each execute-api host) and their local stand-ins."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class OriginMap:
    """Two-way map between public origins and the local edge's ``http://127.0.0.1:PORT`` origins."""

    _to_local: dict[str, str] = field(default_factory=dict)
    _to_public: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, public: str, local: str) -> None:
        public, local = public.rstrip("/"), local.rstrip("/")
        with self._lock:
            self._to_local[public] = local
            self._to_public[local] = public

    def public(self, url: str | None) -> str | None:
        """``url`` with a local origin replaced by its public one (unchanged when not local)."""
        return _swap(url, self._to_public)

    def local(self, url: str | None) -> str | None:
        """``url`` with a public origin replaced by its local one (unchanged when not known)."""
        return _swap(url, self._to_local)

    def local_of(self, public_origin: str) -> str | None:
        return self._to_local.get(public_origin.rstrip("/"))

    def pairs(self) -> dict[str, str]:
        return dict(self._to_local)


def _swap(url: str | None, table: dict[str, str]) -> str | None:
    if not url:
        return url
    for origin, other in table.items():
        if url == origin or url.startswith(origin + "/") or url.startswith(origin + "?"):
            return other + url[len(origin) :]
    return url
