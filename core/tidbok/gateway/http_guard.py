"""Answers below the application: aiohttp's protocol errors and the headers on every answer.

aiohttp answers a request it cannot parse (a header or URL over its 8190-byte line limit, an
unknown method, a malformed header) from its protocol handler, before any middleware, with a
``text/plain`` body that quotes the first bytes of the offending line (for a bearer token: base64
of the citizen's identity number) and logs them. :class:`ProblemAppRunner` serves the app with a
handler whose errors are problem+json that echo nothing and are logged by type only.

Every answer also carries :data:`SECURITY_HEADERS`: ``Cache-Control: no-store`` (answers hold
personal data), ``X-Content-Type-Options: nosniff`` and a ``Server`` header without versions.
"""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.web_request import BaseRequest

from tidbok.gateway.problems import InternalError, problem_for_error, problem_for_gateway
from tidbok.gateway.requests import RequestInvalid

log = logging.getLogger("tidbok.gateway")

#: Headers set on every answer of the gateway.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Server": "tidbok",
}


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """``on_response_prepare``: :data:`SECURITY_HEADERS` on every routed answer."""
    response.headers.update(SECURITY_HEADERS)


def low_level_problem(status: int) -> web.Response:
    """The problem+json answer to a request the protocol handler refused; no request content."""
    if status >= 500:
        problem = problem_for_gateway(InternalError())
    else:
        problem = problem_for_error(RequestInvalid("the request could not be read"))
    problem.status = status
    response = problem.response()
    response.headers.update(SECURITY_HEADERS)
    response.force_close()
    return response


class ProblemRequestHandler(web.RequestHandler):
    """aiohttp's protocol handler, answering its errors as problem+json."""

    def handle_error(
        self,
        request: BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        """problem+json with ``status``; the exception's text (request bytes) is never used."""
        log.info(
            "request refused before routing: status=%d error=%s",
            status,
            type(exc).__name__ if exc is not None else "none",
        )
        if request.writer.output_size > 0:
            raise ConnectionError("the answer was already being sent")
        return low_level_problem(status)


class ProblemServer(web.Server):
    """A :class:`web.Server` whose connections use :class:`ProblemRequestHandler`."""

    def __call__(self) -> web.RequestHandler:
        return ProblemRequestHandler(self, loop=self._loop, **self._kwargs)


class ProblemAppRunner(web.AppRunner):
    """An :class:`web.AppRunner` serving through :class:`ProblemServer`."""

    async def _make_server(self) -> web.Server:
        server = await super()._make_server()
        server.__class__ = ProblemServer  # same state, our protocol factory
        return server
