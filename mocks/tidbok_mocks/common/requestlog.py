"""A bounded log of the API requests a mock has answered (for tests: who called what)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .times import format_offset


@dataclass(frozen=True)
class LoggedRequest:
    """One answered (or dropped) API request."""

    at: datetime
    method: str
    path: str
    query: str
    status: int
    fault: str | None
    idempotency_key: str | None

    def view(self) -> dict[str, Any]:
        """The entry as shown by ``GET /__admin/requests``."""
        return {
            "at": format_offset(self.at),
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "status": self.status,
            "fault": self.fault,
            "idempotency_key": self.idempotency_key,
        }


class RequestLog:
    """The last ``capacity`` API requests, oldest first."""

    def __init__(self, capacity: int = 1000) -> None:
        self._entries: deque[LoggedRequest] = deque(maxlen=capacity)

    def record(self, entry: LoggedRequest) -> None:
        """Append an entry (dropping the oldest when full)."""
        self._entries.append(entry)

    def entries(self) -> list[LoggedRequest]:
        """All entries, oldest first."""
        return list(self._entries)

    def clear(self) -> None:
        """Forget all entries."""
        self._entries.clear()
