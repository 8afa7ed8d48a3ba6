"""The PMO mock: English names, OAuth2, UTC times, cursor paging, problem+json, idempotency."""

from .app import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_TOKEN_LIFETIME,
    PmoServer,
    create_pmo_app,
    run_pmo,
)

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_TOKEN_LIFETIME",
    "PmoServer",
    "create_pmo_app",
    "run_pmo",
]
