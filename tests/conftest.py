"""Settings every test shares: respx also mocks the backend transport.

respx mocks HTTP at httpcore's connection pool by default, below httpx's auth flows; backend calls
go over aiohttp instead (:mod:`tidbok.backend_transport`). The mocker registered here patches
both, at the same level, so every ``respx.mock`` routes backend calls exactly as before: each
request the transport gets is recorded as sent, then answered by the routes.
"""

from __future__ import annotations

from typing import Any

import httpx
import respx.mocks


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


respx.mocks.DEFAULT_MOCKER = BackendTransportMocker.name
