"""Start the gateway inside the running event loop (``tidbok serve``, the demo, tests).

::

    async with BookingService(settings) as service:
        gateway = await start_gateway(settings, service, port=0)
        print(gateway.url)
        ...
        await gateway.aclose()

or ``async with await start_gateway(...) as gateway:``. :func:`serve` runs until interrupted.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from types import TracebackType
from typing import Self

import aiohttp
from aiohttp import web

from tidbok.clock import Clock
from tidbok.gateway.app import create_app
from tidbok.gateway.auth import GatewayConfigError, verification_key
from tidbok.gateway.http_guard import ProblemAppRunner
from tidbok.gateway.metrics import GatewayMetrics
from tidbok.gateway.outbox import OutboxRecorder, OutboxWorker
from tidbok.gateway.reconciler import Reconciler
from tidbok.gateway.store import GatewayStore, idempotency_secret
from tidbok.gateway.store_admin import build_store, safe_url
from tidbok.gateway.tls import server_ssl_context
from tidbok.lifecycle import cancel_and_wait, stop_event
from tidbok.service import BookingService
from tidbok.settings import GatewaySettings, TidbokSettings

log = logging.getLogger("tidbok.gateway")

#: Pending connections the kernel queues before accept (capped by net.core.somaxconn). aiohttp's
#: default of 128 made a burst of 1,000 citizens see connection resets (bench/gateway_bench.py).
LISTEN_BACKLOG = 1024

#: How often finished idempotency keys and confirmed intents older than the TTL, and inbox
#: messages delivered longer than the retention ago, are forgotten.
PURGE_INTERVAL = 3600.0


class ClientCertificatesMissing(GatewayConfigError):
    """The crm:scheduling producer must identify its consumers, but no client CA is set."""


def _riv_check(settings: TidbokSettings) -> None:
    """Refuse a producer that cannot verify client certificates; warn when it does not ask."""
    riv = settings.riv
    if not riv.enabled:
        return
    if riv.require_client_certificate:
        tls = settings.gateway.tls
        if tls is None:
            raise ClientCertificatesMissing(
                "riv.enabled needs client certificates, but gateway.tls is not set: set "
                "gateway.tls.certificate and gateway.tls.private_key (HTTPS) and "
                "gateway.tls.client_ca to the CA bundle (PEM) that signs the consumers' "
                "certificates (only in tests: riv.require_client_certificate = false)"
            )
        if tls.client_ca is None:
            raise ClientCertificatesMissing(
                "riv.enabled needs client certificates, but gateway.tls.client_ca is not set: "
                "set it to the CA bundle (PEM) that signs the consumers' certificates (only in "
                "tests: riv.require_client_certificate = false)"
            )
    else:
        log.warning(
            "riv.require_client_certificate is false: crm:scheduling consumers are not "
            "identified by certificate, and anyone who reaches this port can act for any "
            "citizen; never run it so outside a test environment"
        )


class PortUnavailable(GatewayConfigError):
    """The gateway cannot listen on its address (the port is in use, not allowed, ...)."""


def _listen_problem(host: str, port: int, error: OSError) -> PortUnavailable:
    reason = error.strerror or str(error)
    if error.errno == errno.EADDRINUSE:
        advice = "another program uses that port: stop it, or choose another with --port"
    elif error.errno == errno.EACCES:
        advice = "this user may not use that port: choose another with --port (above 1024)"
    else:
        advice = "check --host and --port"
    return PortUnavailable(
        f"cannot listen on {host}:{port}: {reason}; {advice} (or gateway.host/gateway.port)"
    )


@dataclass
class RunningGateway:
    """A gateway serving on a socket: its URL and the parts a demo or test may look at."""

    url: str
    app: web.Application
    store: GatewayStore
    recorder: OutboxRecorder
    worker: OutboxWorker | None
    metrics: GatewayMetrics
    _runner: web.AppRunner
    _owns_store: bool
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _closed: bool = False
    _detach: Callable[[], None] | None = None
    reconciler: Reconciler | None = None

    async def aclose(self) -> None:
        """Stop serving, the reconciler and the worker (all stays stored) and close the store."""
        if self._closed:
            return
        self._closed = True
        self.recorder.detached = True
        if self._detach is not None:
            self._detach()
        for task in self._tasks:
            await cancel_and_wait(task)
        await self._runner.cleanup()
        if self.reconciler is not None:
            await self.reconciler.stop()
        if self.worker is not None:
            await self.worker.stop()
        if self._owns_store:
            await self.store.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()


async def start_gateway(
    settings: TidbokSettings,
    service: BookingService,
    *,
    host: str | None = None,
    port: int | None = None,
    store: GatewayStore | None = None,
    outbox_path: str | Path | None = None,
    start_worker: bool = True,
    inbox_client: aiohttp.ClientSession | None = None,
) -> RunningGateway:
    """Serve the gateway over ``service`` and return once it listens.

    ``host``/``port`` override ``settings.gateway`` (port 0 picks a free one); ``store`` replaces
    the one ``settings.gateway.store`` chooses: PostgreSQL at ``store.url``, else SQLite at
    ``outbox_path`` (default ``settings.gateway.outbox_path``). The outbox
    worker delivers to ``settings.gateway.inbox_url`` when that is set and ``start_worker`` is true;
    otherwise messages wait in the outbox until a gateway with a worker runs.

    With ``settings.gateway.tls`` it serves HTTPS (the URL starts with ``https://``), asking for
    client certificates when ``client_ca`` is set. Bad TLS files, or ``riv.enabled`` requiring
    client certificates without ``gateway.tls.client_ca``, raise :class:`GatewayConfigError`
    before anything is opened.
    """
    gateway_settings = settings.gateway
    verification_key(gateway_settings)  # fail early on missing keys
    ssl_context: ssl.SSLContext | None = None
    if gateway_settings.tls is not None:
        ssl_context = server_ssl_context(gateway_settings.tls)
    _riv_check(settings)
    citizen_secret = idempotency_secret(gateway_settings)
    owns_store = store is None
    the_store: GatewayStore = store or build_store(
        gateway_settings,
        citizen_secret=citizen_secret,
        outbox_path=outbox_path,
        clock=service.clock,
    )
    await the_store.open()
    metrics = GatewayMetrics()
    worker: OutboxWorker | None = None
    runner: web.AppRunner | None = None
    try:
        if gateway_settings.inbox_url and start_worker:
            api_key = gateway_settings.inbox_api_key
            worker = OutboxWorker(
                the_store,
                gateway_settings.inbox_url,
                service.clock,
                api_key=api_key.get_secret_value() if api_key is not None else None,
                timeout=gateway_settings.delivery_timeout,
                backoff_initial=gateway_settings.delivery_backoff_initial,
                backoff_max=gateway_settings.delivery_backoff_max,
                poll_interval=gateway_settings.delivery_poll_interval,
                metrics=metrics,
                client=inbox_client,
                claim_seconds=gateway_settings.store.lease_seconds,
            )
        recorder = OutboxRecorder(the_store, metrics, worker)
        reconciler = Reconciler(
            the_store,
            service,
            recorder,
            deadline=gateway_settings.intent_deadline,
            interval=gateway_settings.reconcile_interval,
            worker=worker,
            metrics=metrics,
        )
        recorder.first_pass = reconciler.first_pass
        recorder_name = f"tidbok-gateway-outbox-{id(recorder):x}"
        service.registry.register(recorder, name=recorder_name)
        app = create_app(service, the_store, gateway_settings, metrics)
        # keepalive_timeout also closes a connection whose first (or next) request header is not
        # complete by then: aiohttp arms it when the connection opens and after each answer.
        runner = ProblemAppRunner(
            app,
            access_log=None,
            shutdown_timeout=2.0,
            keepalive_timeout=gateway_settings.keepalive_timeout,
        )
        await runner.setup()
        listen_host = host if host is not None else gateway_settings.host
        listen_port = port if port is not None else gateway_settings.port
        site = web.TCPSite(
            runner, listen_host, listen_port, backlog=LISTEN_BACKLOG, ssl_context=ssl_context
        )
        try:
            await site.start()
        except OSError as error:
            raise _listen_problem(listen_host, listen_port, error) from None
    except BaseException:
        if runner is not None:
            await runner.cleanup()
        if worker is not None:
            await worker.stop()
        if owns_store:
            await the_store.close()
        raise
    bound_host, bound_port = runner.addresses[0][:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    scheme = "https" if ssl_context is not None else "http"
    gateway = RunningGateway(
        url=f"{scheme}://{shown}:{bound_port}",
        app=app,
        store=the_store,
        recorder=recorder,
        worker=worker,
        metrics=metrics,
        _runner=runner,
        _owns_store=owns_store,
        _detach=lambda: service.registry.unregister(recorder_name),
        reconciler=reconciler,
    )
    gateway._tasks.append(asyncio.create_task(_purge_loop(the_store, service, gateway_settings)))
    reconciler.start()
    if worker is not None:
        worker.start()
    return gateway


async def purge_expired(store: GatewayStore, clock: Clock, settings: GatewaySettings) -> None:
    """Forget expired idempotency keys and confirmed intents, and delete delivered messages
    older than ``inbox_retention`` (times from the injected ``clock``)."""
    now = clock.now()
    before = now - timedelta(seconds=settings.idempotency_ttl)
    removed = await store.purge(before)
    if removed:
        log.info("forgot %d expired idempotency keys", removed)
    removed = await store.purge_intents(before)
    if removed:
        log.info("forgot %d confirmed intents", removed)
    removed = await store.purge_messages(now - timedelta(seconds=settings.inbox_retention))
    if removed:
        log.info("deleted %d inbox messages past their retention", removed)


async def _purge_loop(
    store: GatewayStore, service: BookingService, settings: GatewaySettings
) -> None:
    while True:
        try:
            await purge_expired(store, service.clock, settings)
        except Exception:
            log.exception("purging idempotency keys, intents and delivered messages failed")
        await asyncio.sleep(PURGE_INTERVAL)


async def serve(settings: TidbokSettings, host: str | None = None, port: int | None = None) -> None:
    """Run the gateway with the installed plugins until SIGINT or SIGTERM."""
    stop = stop_event()
    async with BookingService(settings) as service:
        for failure in service.registry.failures:
            log.warning("plugin %s skipped: %s", failure.name, failure.reason)
        gateway = await start_gateway(settings, service, host=host, port=port)
        async with gateway:
            inbox = settings.gateway.inbox_url or "not set: messages wait in the outbox"
            print(f"tidbok gateway listening on {gateway.url}", flush=True)
            print(f"  OpenAPI: {gateway.url}/openapi.json", flush=True)
            url = settings.gateway.store.url
            where = safe_url(url) if url is not None else settings.gateway.outbox_path
            print(f"  outbox:  {where}; inbox: {inbox}", flush=True)
            tls = settings.gateway.tls
            if tls is not None:
                clients = (
                    f"client certificates verified against {tls.client_ca}"
                    if tls.client_ca is not None
                    else "no client certificates asked for"
                )
                print(f"  TLS:     {tls.certificate}; {clients}", flush=True)
            await stop.wait()
