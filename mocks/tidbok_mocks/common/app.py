"""Assemble a mock's aiohttp application from shared and system-specific parts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from aiohttp import web
from aiohttp.typedefs import Middleware

from .admin import render_admin_error
from .admin import routes as admin_routes
from .context import CONTEXT_KEY, MockContext
from .fault_admin import fault_admin_routes
from .middleware import (
    admin_token_middleware,
    error_middleware,
    fault_middleware,
    request_log_middleware,
)

MAX_BODY_BYTES = 256 * 1024


def assemble_app(
    context: MockContext,
    api_routes: Iterable[web.AbstractRouteDef],
    inner_middlewares: Sequence[Middleware] = (),
) -> web.Application:
    """An app whose middlewares run: request log, errors, ``inner_middlewares``, faults.

    ``inner_middlewares`` are the system's own (authentication, idempotency); faults run
    innermost so that an idempotency layer sees a faulted request as not executed.
    """
    middlewares = [
        request_log_middleware,
        error_middleware(context.render_error, render_admin_error),
        admin_token_middleware,
        *inner_middlewares,
        fault_middleware(context.faults, context.render_error),
    ]
    app = web.Application(middlewares=middlewares, client_max_size=MAX_BODY_BYTES)
    app[CONTEXT_KEY] = context
    app.add_routes(admin_routes)
    app.add_routes(fault_admin_routes(lambda request: request.app[CONTEXT_KEY]))
    app.add_routes(api_routes)
    return app
