"""Configuration with pydantic-settings: a TOML file, overridden by ``TIDBOK_*`` variables.

Example (``tidbok.toml``)::

    [backends.pasis-stockholm]
    system = "pasis"
    base_url = "http://127.0.0.1:8081"
    credentials = { api_key = "secret" }

    [[units]]
    hsa_id = "SE2321000016-1234"
    name = "Vårdcentralen Tensta"
    backend = "pasis-stockholm"
    case_types = [
      { kind = "book", terms = "Avboka senast 24 timmar innan." },
      { kind = "manage", name = "Mina bokade tider" },
    ]

Environment variables use ``__`` for nesting, e.g. ``TIDBOK_RESILIENCE__ATTEMPT_TIMEOUT=1.5``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from tidbok.identity import HsaId
from tidbok.models import CaseTypeKind


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CaseTypeSettings(_Section):
    """A case type the unit has activated. ``name`` defaults to the system's own name (R5)."""

    kind: CaseTypeKind
    name: str | None = None
    terms: str = ""


class UnitSettings(_Section):
    """A care unit where 1177 tidbokning is active, and the backend that holds its schedule."""

    hsa_id: HsaId
    name: str = Field(min_length=1)
    backend: str = Field(min_length=1)
    case_types: tuple[CaseTypeSettings, ...] = ()
    optional: bool = False
    """Start even when no loaded plugin provides the backend's system (the unit then answers
    "backend unavailable"); otherwise the service refuses to start."""

    @model_validator(mode="after")
    def _one_per_kind(self) -> Self:
        kinds = [case_type.kind for case_type in self.case_types]
        if len(kinds) != len(set(kinds)):
            raise ValueError(f"unit {self.hsa_id}: each case type kind may be activated once")
        return self


class BackendSettings(_Section):
    """One scheduling-system backend: which plugin speaks to it, where, and with which secrets."""

    system: str = Field(min_length=1)
    """The scheduling system's name, as its plugin registers it (see ``tidbok plugins``)."""
    base_url: str = Field(min_length=1)
    """Where the backend's API lives; what the path is below it is the plugin's business."""
    credentials: dict[str, SecretStr] = Field(default_factory=dict)
    """The backend's secrets by name (``api_key``, ``client_secret``, ...); never printed."""
    options: dict[str, Any] = Field(default_factory=dict)
    """Settings only this backend's plugin understands (e.g. the ``riv`` plugin's endpoint URL
    template and booking rules); the plugin validates them when it connects."""

    def credential(self, key: str) -> str:
        """The secret ``key``; raises a clear error naming the missing setting."""
        try:
            return self.credentials[key].get_secret_value()
        except KeyError:
            raise KeyError(
                f"backend for system {self.system!r} needs credentials.{key} in the settings"
            ) from None


class PluginSettings(_Section):
    """Which plugins to load."""

    allow: tuple[str, ...] | None = None
    """Only these entry-point names are loaded (all when unset)."""
    deny: tuple[str, ...] = ()
    """These entry-point names are never loaded."""
    strict: bool = False
    """A plugin that fails to load stops start-up instead of being skipped."""


class ResilienceSettings(_Section):
    """Timeouts, retries and the circuit breaker, shared by every plugin's backend calls.

    The defaults keep a citizen's call within the national service level of 3 s even when a
    backend never answers: one attempt waits at most 1 s, and the whole call (every backend
    request, retry and read-back it makes, or every unit of a fan-out) at most 2.5 s.
    """

    attempt_timeout: float = Field(default=1.0, gt=0)
    """Seconds one HTTP attempt may take."""
    deadline: float = Field(default=2.5, gt=0)
    """Seconds one citizen call may wait on backends, retries and read-backs included; a fan-out
    reports a unit still busy then as failed. Outside a citizen call, one backend operation's."""
    read_retries: int = Field(default=2, ge=0)
    """Extra attempts for reads after a transient failure, while the deadline leaves time."""
    backoff_initial: float = Field(default=0.1, ge=0)
    """Seconds of the first retry's backoff; it doubles with each retry, and each wait is a
    random part of it (full jitter), at least the backend's ``Retry-After``."""
    backoff_max: float = Field(default=2.0, ge=0)
    """The longest backoff a retry waits (before jitter)."""
    breaker_failure_threshold: int = Field(default=5, ge=1)
    """Consecutive failures that open a backend's circuit breaker."""
    breaker_reset_timeout: float = Field(default=30.0, gt=0)
    """Seconds an open breaker waits before it lets one probe through."""
    max_connections: int = Field(default=100, ge=1)
    """Connections each backend's pool holds at most, and so its requests in flight; further
    requests wait their turn (earliest call deadline first) within their call's deadline."""


class TlsSettings(_Section):
    """HTTPS for ``tidbok serve``, optionally asking clients for certificates (mutual TLS).

    With ``client_ca`` the gateway asks every client for a certificate and verifies any it gets
    against that bundle; the crm:scheduling producer then requires one (docs/riv.md), while REST
    v1 clients, who authenticate with a bearer token, may still connect without.
    """

    certificate: Path
    """The gateway's certificate chain (PEM)."""
    private_key: Path
    """The certificate's private key (PEM, unencrypted)."""
    client_ca: Path | None = None
    """CA bundle (PEM) that signs the consumers' client certificates; None: no client certs."""


class StoreSettings(_Section):
    """Where the gateway keeps its state (outbox, activity intents, idempotency keys).

    Unset ``url``: the embedded SQLite file at ``gateway.outbox_path``, for one gateway process
    (zero set-up). A ``postgresql://`` URL: a PostgreSQL database that any number of gateway
    replicas share (``pip install 'tidbok[postgres]'``). Either is migrated to the latest schema
    when the gateway starts (``tidbok store migrate`` does it beforehand).
    """

    url: str | None = Field(default=None, pattern=r"^postgres(ql)?://")
    """``postgresql://user@host:5432/db`` (libpq URL; keep the password out of it with
    ``PGPASSWORD`` or ``~/.pgpass``); None keeps the SQLite file at ``gateway.outbox_path``."""
    pool_min_size: int = Field(default=1, ge=0)
    """PostgreSQL: connections each gateway keeps open."""
    pool_max_size: int = Field(default=10, ge=1)
    """PostgreSQL: the most connections each gateway opens (the reconciler holds one per pass)."""
    connect_timeout: float = Field(default=10.0, gt=0)
    """PostgreSQL: seconds start-up and `/readyz` may wait for a connection (a request waits at
    most 1.5 s, then answers 503 `store_unavailable`)."""
    lease_seconds: float = Field(default=300.0, gt=0)
    """Seconds a replica's claim on pending outbox messages (and open intents) lasts; another
    replica takes them over after that (the claiming one died, or is stuck). A live replica
    starts no send of a claimed batch after half of it and claims the rest again (renewing the
    claim), so keep it well above ``delivery_timeout``: then a slow inbox never lets two replicas
    deliver one message at once (the inbox would still store it once: it keys on the message
    id)."""

    @model_validator(mode="after")
    def _pool_sizes(self) -> Self:
        if self.pool_min_size > self.pool_max_size:
            raise ValueError("pool_min_size must not exceed pool_max_size")
        return self


class GatewaySettings(_Section):
    """The HTTP gateway (``tidbok serve``): address, JWT checks, the outbox and the inbox service.

    HS256 needs ``jwt_secret`` (at least 32 characters); RS256 needs ``jwt_public_key`` (PEM).
    Both are checked when the gateway starts, so settings without a gateway section stay valid.
    """

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    """Port to listen on; 0 picks a free one."""
    jwt_algorithm: Literal["HS256", "RS256"] = "HS256"
    jwt_secret: SecretStr | None = None
    """Shared secret for HS256 tokens."""
    jwt_public_key: str | None = None
    """PEM public key of the 1177 platform for RS256 tokens."""
    jwt_audience: str = Field(default="tidbok", min_length=1)
    jwt_issuer: str | None = None
    """When set, the token's ``iss`` must equal it."""
    jwt_leeway: float = Field(default=30.0, ge=0)
    """Seconds of clock skew allowed when checking ``exp``, ``nbf`` and ``iat``."""
    agent_claim: str = Field(default="act", min_length=1)
    """Claim naming an agent who acts for the citizen (``{"sub": id}`` or a string)."""
    outbox_path: Path = Path("tidbok-gateway.sqlite3")
    """The embedded SQLite file holding the inbox outbox, the intents and the idempotency keys
    (when ``store.url`` is unset: the default store)."""
    store: StoreSettings = StoreSettings()
    """The store's kind and connection (``[gateway.store]``, ``TIDBOK_GATEWAY__STORE__URL``)."""
    inbox_url: str | None = None
    """Base URL of the 1177 inbox service; unset keeps messages pending in the outbox."""
    inbox_api_key: SecretStr | None = None
    delivery_timeout: float = Field(default=5.0, gt=0)
    """Seconds one delivery attempt to the inbox may take."""
    delivery_backoff_initial: float = Field(default=0.5, gt=0)
    delivery_backoff_max: float = Field(default=60.0, gt=0)
    delivery_poll_interval: float = Field(default=5.0, gt=0)
    """Seconds between looks at the outbox when nothing wakes the worker."""
    intent_deadline: float = Field(default=60.0, gt=0)
    """Seconds after which an unconfirmed activity intent is settled by reading the booking back,
    whichever gateway stored it (keep it above the resilience deadline of any write)."""
    reconcile_interval: float = Field(default=30.0, gt=0)
    """Seconds between the reconciler's looks at unconfirmed intents (it also looks at start)."""
    idempotency_ttl: float = Field(default=86400.0, gt=0)
    """Seconds a finished Idempotency-Key (and a confirmed intent) is remembered."""
    idempotency_lock_timeout: float = Field(default=120.0, gt=0)
    """Seconds after which an unfinished Idempotency-Key counts as abandoned."""
    idempotency_secret: SecretStr | None = None
    """HMAC key under which idempotency records name the citizen (at least 32 characters);
    unset, it is derived from ``jwt_secret``, and RS256 gateways must set it."""
    inbox_retention: float = Field(default=30 * 86400.0, gt=0)
    """Seconds a delivered inbox message stays in the outbox for ``GET /v1/inbox``; then it is
    deleted, with the citizen's personal identity number (as is a message refused for good)."""
    retry_after: int = Field(default=5, ge=0)
    """Retry-After seconds sent with 503 when the backend names none."""
    readiness_cache: float = Field(default=5.0, gt=0)
    """Seconds ``/readyz`` reuses a backend's probe, so probes never reach a backend each time."""
    test_environment: bool = False
    """This is a test environment: ``tidbok token`` may sign citizens' tokens with ``jwt_secret``
    (never set it where real citizens log in)."""
    keepalive_timeout: float = Field(default=10.0, gt=0)
    """Seconds a connection may stay idle, or take to send a whole request header (from its
    opening or from the last answer), before the gateway closes it."""
    tls: TlsSettings | None = None
    """HTTPS (and mutual TLS for the crm:scheduling producer); None serves plain HTTP."""


class RivSettings(_Section):
    """The crm:scheduling 1.1 producer: SOAP endpoints the national platform calls (docs/riv.md).

    Each operation ``Op`` is served at ``{path_prefix}/{Op}/1/rivtabp21`` (``?wsdl`` gives its
    WSDL). Consumers are identified by their client certificate (the HSA-id in the subject's
    serialNumber, else its commonName); a certificate named in ``trusted_platforms`` (the national
    platform) may name the original consumer in ``consumer_header`` instead.
    """

    enabled: bool = False
    path_prefix: str = Field(default="/riv/crm/scheduling", pattern=r"^/[A-Za-z0-9_./-]*[^/]$")
    require_client_certificate: bool = True
    """Refuse calls without a verified client certificate (needs ``gateway.tls.client_ca``).
    Switch off only in tests: without it, anyone who reaches the port can act for any citizen."""
    allowed_consumers: tuple[HsaId, ...] = ()
    """HSA-ids of the consumers allowed to call; empty: any consumer with a verified certificate."""
    trusted_platforms: tuple[HsaId, ...] = ()
    """HSA-ids of platforms (the national service platform) whose ``consumer_header`` is trusted."""
    consumer_header: str = "x-rivta-original-serviceconsumer-hsaid"


class TidbokSettings(BaseSettings):
    """All of tidbok's settings."""

    model_config = SettingsConfigDict(
        env_prefix="TIDBOK_", env_nested_delimiter="__", extra="forbid", frozen=True
    )

    backends: dict[str, BackendSettings] = Field(default_factory=dict)
    """The scheduling-system backends by name (``[backends.NAME]``)."""
    units: tuple[UnitSettings, ...] = ()
    """The care units where 1177 tidbokning is active (``[[units]]``), each on one backend."""
    plugins: PluginSettings = PluginSettings()
    """Which installed plugins may load (``[plugins]``)."""
    resilience: ResilienceSettings = ResilienceSettings()
    """Timeouts, retries and the circuit breaker for every backend (``[resilience]``)."""
    gateway: GatewaySettings = GatewaySettings()
    """The HTTP gateway of ``tidbok serve`` (``[gateway]``)."""
    riv: RivSettings = RivSettings()
    """The crm:scheduling 1.1 producer 1177 calls (``[riv]``, off by default)."""

    @model_validator(mode="after")
    def _units_name_backends(self) -> Self:
        seen: set[str] = set()
        for unit in self.units:
            if unit.backend not in self.backends:
                raise ValueError(
                    f"unit {unit.hsa_id} names backend {unit.backend!r}, which is not configured "
                    f"(configured: {', '.join(sorted(self.backends)) or 'none'})"
                )
            if unit.hsa_id in seen:
                raise ValueError(f"unit {unit.hsa_id} is configured twice")
            seen.add(unit.hsa_id)
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment variables override the file, which arrives as init arguments.
        return env_settings, init_settings, file_secret_settings

    def unit(self, hsa_id: str) -> UnitSettings | None:
        """The settings of one unit, or None."""
        wanted = hsa_id.strip().upper()
        return next((unit for unit in self.units if unit.hsa_id == wanted), None)


def describe_settings_error(error: ValidationError) -> str:
    """One line per problem, ``location: message``, never the offending input.

    pydantic's own ``str(error)`` shows each input value, and for a missing field the whole parent
    table, so a typo next to ``credentials`` would print the API key.
    """
    return "\n".join(
        f"  {'.'.join(str(part) for part in item['loc']) or 'settings'}: {item['msg']}"
        for item in error.errors(include_input=False, include_url=False, include_context=False)
    )


def load_settings(path: str | Path | None = None, **overrides: Any) -> TidbokSettings:
    """Load settings from a TOML file (optional), then environment variables, then ``overrides``."""
    data: dict[str, Any] = {}
    if path is not None:
        with Path(path).open("rb") as handle:
            data = tomllib.load(handle)
    data.update(overrides)
    return TidbokSettings(**data)
