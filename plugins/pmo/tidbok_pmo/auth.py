"""PMO authentication: OAuth2 client credentials, from the backend's settings.

Settings (``[backends.NAME]`` with ``system = "pmo"``)::

    base_url = "https://pmo.example"          # the server root; the API is under /api/v1
    credentials = { client_id = "tidbok", client_secret = "...",
                    token_url = "https://pmo.example/oauth/token" }   # token_url is optional

Without ``token_url`` the token endpoint is ``{base_url}/oauth/token``, where PMO serves it.
"""

from __future__ import annotations

from tidbok import BackendSettings, ClientCredentialsAuth, ResilienceSettings

#: Where PMO serves its token endpoint, relative to the server root.
TOKEN_PATH = "/oauth/token"


def token_url(backend: BackendSettings) -> str:
    """The token endpoint: ``credentials.token_url``, else ``{base_url}/oauth/token``."""
    configured = backend.credentials.get("token_url")
    if configured is not None:
        return configured.get_secret_value()
    return backend.base_url.rstrip("/") + TOKEN_PATH


def client_credentials(
    backend: BackendSettings, resilience: ResilienceSettings
) -> ClientCredentialsAuth:
    """The ``httpx.Auth`` for one PMO backend; a token request gets one attempt's time."""
    return ClientCredentialsAuth(
        token_url(backend),
        backend.credential("client_id"),
        backend.credential("client_secret"),
        timeout=resilience.attempt_timeout,
    )
