"""What the shared plumbing knows about a running mock: clock, faults, log, system backend."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from aiohttp import web

from .clock import MockClock
from .errors import ErrorRenderer
from .faults import FaultRegistry
from .requestlog import RequestLog


class AdminBackend(Protocol):
    """The system-specific half of the admin API."""

    async def reset(self) -> None:
        """Forget the schedule and any per-system state (not the clock, not credentials)."""

    async def load_scenario(self, data: dict[str, Any]) -> dict[str, int]:
        """Replace the schedule with a scenario; return counts per section."""

    async def load_demo(self) -> dict[str, int]:
        """Replace the schedule with the demo data built from the clock."""

    async def add(self, section: str, data: dict[str, Any]) -> dict[str, Any]:
        """Add one record to a section (``units``, ``time_types``, ...); return its admin view."""

    async def appointment_book(
        self, unit: str | None, include_cancelled: bool
    ) -> list[dict[str, Any]]:
        """Bookings as staff see them, hidden and staff-made ones included."""

    async def slot_list(self, unit: str | None) -> list[dict[str, Any]]:
        """All slots with their booking state."""

    def info(self) -> dict[str, Any]:
        """System name, API base path and credentials."""


@dataclass
class MockContext:
    """Per-app state that the shared middlewares and admin routes use."""

    system: str
    api_base: str
    clock: MockClock
    render_error: ErrorRenderer
    admin: AdminBackend
    faults: FaultRegistry = field(default_factory=FaultRegistry)
    requests: RequestLog = field(default_factory=RequestLog)
    admin_token: str | None = None
    """When set, every admin request must carry it in :data:`ADMIN_TOKEN_HEADER`."""


CONTEXT_KEY = web.AppKey("tidbok_mock_context", MockContext)
"""Where an app keeps its :class:`MockContext`."""

ADMIN_PREFIX = "/__admin"

#: The header that carries the admin token of a mock started with one (``--admin-token``).
ADMIN_TOKEN_HEADER = "X-Admin-Token"


def is_admin_path(path: str) -> bool:
    """Whether a path belongs to the admin API (never faulted, never authenticated)."""
    return path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")
