"""respx routes for backend calls too: plugins' respx tests work over tidbok's aiohttp transport.

respx mocks HTTP at httpcore's connection pool by default, below httpx's auth flows. Backend calls
made through :class:`tidbok.BackendHttp` go over aiohttp instead
(:mod:`tidbok.backend_transport`), where respx's default mocker never sees them. The mocker here
patches both, at the same level, so a ``respx.mock`` in a plugin's own tests routes its adapter's
backend calls exactly as it routes any httpx call: each request the transport gets is recorded as
sent, then answered by the routes.

The contract kit's pytest plugin makes it respx's default whenever respx is installed
(:func:`install`), so vendors' tests need nothing; outside pytest, call :func:`install` or pass
``respx.mock(using="httpcore+tidbok")``.
"""

from __future__ import annotations

from typing import Any

import httpx
import respx.mocks

__all__ = ["BackendTransportMocker", "install"]


class BackendTransportMocker(respx.mocks.HTTPCoreMocker):
    """respx's httpcore mocker, extended to :class:`~tidbok.backend_transport.AiohttpTransport`."""

    name = "httpcore+tidbok"
    targets = [  # noqa: RUF012 - respx's own declaration style
        *respx.mocks.HTTPCoreMocker.targets,
        "tidbok.backend_transport.AiohttpTransport",
    ]

    @classmethod
    def to_httpx_request(cls, **kwargs: Any) -> httpx.Request:
        """The request as sent: a copy, as httpcore's mocker records one."""
        request = kwargs["request"]
        if not isinstance(request, httpx.Request):
            return super().to_httpx_request(**kwargs)
        return httpx.Request(
            request.method,
            request.url,
            headers=request.headers,
            stream=request.stream,
            extensions=request.extensions,
        )

    @classmethod
    async def from_async_httpx_response(
        cls, httpx_response: httpx.Response, target: Any, **kwargs: Any
    ) -> Any:
        """The routed answer, as the transport returns it."""
        if isinstance(kwargs["request"], httpx.Request):
            return httpx_response
        return await super().from_async_httpx_response(httpx_response, target, **kwargs)


def install() -> None:
    """Make :class:`BackendTransportMocker` respx's default mocker (what ``respx.mock`` uses)."""
    respx.mocks.DEFAULT_MOCKER = BackendTransportMocker.name
