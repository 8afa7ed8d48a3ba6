"""Who calls the crm:scheduling producer (placeholder until client certificates are read).

Until then every call is refused when ``riv.require_client_certificate`` is on, so nothing is
served to an unidentified consumer.
"""

from __future__ import annotations

from aiohttp import web

from tidbok.settings import RivSettings


class ConsumerRefused(Exception):
    """A crm:scheduling call from a consumer that is not identified or not allowed."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def consumer_identity(request: web.Request, settings: RivSettings) -> str | None:
    """The consumer's HSA-id; refused while certificates cannot be read yet."""
    if settings.require_client_certificate:
        raise ConsumerRefused("a client certificate is required")
    return None
