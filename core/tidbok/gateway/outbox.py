"""The durable outbox (R10): write each citizen activity's inbox message, then deliver it.

:class:`OutboxRecorder` implements the activity hooks. ``tidbok_activity_intent`` stores each
write's intent before the write is sent; if that fails the write is refused (nothing happens).
``tidbok_booking_activity`` then commits the inbox message and confirms the intent in one
transaction, retried a few times; an intent the backend refused is dropped. Whatever stays open
(the process died, or the store failed after the backend committed) is settled by the reconciler
(:mod:`tidbok.gateway.reconciler`), which reads the booking back. :class:`OutboxWorker`
delivers pending messages to the inbox service with ``PUT {inbox_url}/api/messages/{id}``
(aiohttp's client): the inbox keys on the message id, so a retry after a lost answer never stores
a message twice. It claims a batch, delivers up to ``concurrency`` messages at once (one citizen's
messages one after another, oldest first) and records the delivered ones in one commit. Transient
failures are retried with exponential backoff; messages left pending when the gateway stops are
delivered after the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable
from typing import Protocol

import aiohttp

from tidbok import hookimpl
from tidbok.clock import Clock
from tidbok.errors import BookingRefused
from tidbok.events import ActivityIntent, BookingActivity
from tidbok.gateway.intent_store import IntentStore
from tidbok.gateway.messages import message_for
from tidbok.gateway.metrics import GatewayMetrics
from tidbok.gateway.store import OutboxMessage, OutboxStore
from tidbok.lifecycle import cancel_and_wait
from tidbok.logsafe import redact

log = logging.getLogger("tidbok.gateway.outbox")

#: Statuses after which the same request may succeed later.
TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


#: Attempts to commit a message after the backend committed, and the first pause between them.
RECORD_ATTEMPTS = 4
RECORD_BACKOFF = 0.05

#: Longest a write waits for the reconciler's first pass after a start (then it goes ahead).
FIRST_PASS_WAIT = 10.0

#: Messages the worker claims at once, and how many of them it hands to the inbox at once.
DELIVERY_BATCH = 64
DELIVERY_CONCURRENCY = 16


class RecorderStore(OutboxStore, IntentStore, Protocol):
    """What the recorder needs: the outbox and the intents (every gateway store has both)."""


class OutboxRecorder:
    """The activity-hook implementation that stores intents and writes inbox messages.

    ``run`` names this gateway run in the intents it stores. ``in_flight`` holds the ids of this
    run's intents whose writes have not ended; ``unrecorded`` the activities whose message could
    not be committed even after retries (the reconciler tries them again). ``first_pass``, when
    set by the runner, holds back new intents until the reconciler has looked at the ones an
    earlier run left open, so that a citizen's new write never overtakes an unsettled one.
    """

    def __init__(
        self,
        store: RecorderStore,
        metrics: GatewayMetrics | None = None,
        on_written: OutboxWorker | None = None,
        *,
        run: str | None = None,
        record_attempts: int = RECORD_ATTEMPTS,
        record_backoff: float = RECORD_BACKOFF,
    ) -> None:
        self.store = store
        self.metrics = metrics or GatewayMetrics()
        self.worker = on_written
        self.detached = False
        self.run = run or uuid.uuid4().hex
        self.record_attempts = max(1, record_attempts)
        self.record_backoff = record_backoff
        self.in_flight: set[str] = set()
        self.unrecorded: dict[str, BookingActivity] = {}
        self.first_pass: asyncio.Event | None = None

    @hookimpl
    def tidbok_activity_intent(self, intent: ActivityIntent) -> Awaitable[None] | None:
        """Store the intent before the write is sent; raising refuses the write."""
        if self.detached:
            return None
        return self._announce(intent)

    @hookimpl
    def tidbok_activity_failed(
        self, intent: ActivityIntent, error: Exception
    ) -> Awaitable[None] | None:
        """Drop the intent of a refused write; leave one with an unknown outcome to reconcile."""
        if self.detached:
            return None
        return self._failed(intent, error)

    @hookimpl
    def tidbok_booking_activity(self, activity: BookingActivity) -> Awaitable[None] | None:
        """Write the activity's inbox message; the service awaits the returned coroutine."""
        if self.detached:
            return None
        return self._record(activity)

    async def _announce(self, intent: ActivityIntent) -> None:
        if self.first_pass is not None and not self.first_pass.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(FIRST_PASS_WAIT):
                    await self.first_pass.wait()
        self.in_flight.add(intent.id)
        try:
            await self.store.add_intent(intent, self.run)
        except Exception:
            self.in_flight.discard(intent.id)
            self.metrics.intent_write_failures.inc()
            log.exception("could not store %s; the write is refused", intent.summary())
            raise

    async def _failed(self, intent: ActivityIntent, error: Exception) -> None:
        self.in_flight.discard(intent.id)
        if not isinstance(error, BookingRefused):
            log.warning("%s ended with %s; reconciliation reads it back", intent.summary(), error)
            return
        try:
            await self.store.drop_intent(intent.id)
        except Exception:
            log.exception("could not drop refused %s; reconciliation will", intent.summary())

    async def _record(self, activity: BookingActivity) -> None:
        message = message_for(activity)
        for attempt in range(self.record_attempts):
            if attempt:
                await asyncio.sleep(self.record_backoff * 2 ** (attempt - 1))
            try:
                await self._write(activity, message)
            except Exception:
                self.metrics.outbox_write_failures.inc()
                log.exception(
                    "could not write the inbox message for %s (attempt %d of %d)",
                    activity.summary(),
                    attempt + 1,
                    self.record_attempts,
                )
                continue
            return
        # The booking happened: the citizen's answer stays a success. The message is retried by
        # the reconciler, from memory, or (if this process dies) from the stored intent.
        if activity.intent_id is not None:
            self.unrecorded[activity.intent_id] = activity
            self.in_flight.discard(activity.intent_id)
        log.error("inbox message for %s not written yet; it is retried", activity.summary())

    async def retry_unrecorded(self) -> int:
        """Try again to write the messages that could not be written; how many are still left."""
        for intent_id, activity in list(self.unrecorded.items()):
            try:
                await self._write(activity, message_for(activity))
            except Exception:
                self.metrics.outbox_write_failures.inc()
                log.exception("could not write the inbox message for %s", activity.summary())
                continue
            self.unrecorded.pop(intent_id, None)
        return len(self.unrecorded)

    async def _write(self, activity: BookingActivity, message: OutboxMessage) -> None:
        if activity.intent_id is None:
            await self.store.add_message(message)
        else:
            await self.store.add_activity_message(message, activity.intent_id, activity.booking_id)
            self.in_flight.discard(activity.intent_id)
        self.metrics.outbox_written.inc(kind=message.kind)
        log.info("outbox message %s written for %s", message.id, activity.summary())
        if self.worker is not None:
            self.worker.wake()


class DeliveryFailed(Exception):
    """One delivery attempt failed; ``permanent`` when retrying cannot help."""

    def __init__(self, reason: str, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class OutboxWorker:
    """Delivers pending outbox messages to the inbox service in the background.

    Each round claims up to ``batch_size`` messages and sends up to ``concurrency`` of them at
    once; a citizen's messages go one after another, oldest first, and a transient failure holds
    back that citizen's later ones until the retry, so the inbox receives each citizen's messages
    in the order they were written.

    ``claim_seconds`` is how long the store's claim on a batch lasts (``gateway.store.
    lease_seconds``): no send of a batch starts after half of it. The rest of the batch is claimed
    again at once (which renews the claim), so a slow inbox never keeps a replica sending messages
    whose claim has run out and another replica may have taken over.
    """

    def __init__(
        self,
        store: OutboxStore,
        inbox_url: str,
        clock: Clock,
        *,
        api_key: str | None = None,
        timeout: float = 5.0,
        backoff_initial: float = 0.5,
        backoff_max: float = 60.0,
        poll_interval: float = 5.0,
        batch_size: int = DELIVERY_BATCH,
        concurrency: int = DELIVERY_CONCURRENCY,
        metrics: GatewayMetrics | None = None,
        client: aiohttp.ClientSession | None = None,
        claim_seconds: float | None = None,
    ) -> None:
        self.store = store
        self.claim_seconds = claim_seconds
        self.inbox_url = inbox_url.rstrip("/")
        self.clock = clock
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.poll_interval = poll_interval
        self.batch_size = batch_size
        self.concurrency = max(1, concurrency)
        self.metrics = metrics or GatewayMetrics()
        self._headers = {"X-Api-Key": api_key} if api_key else {}
        self._timeout = timeout
        self._owns_client = client is None
        self._client = client
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._backoff = backoff_initial
        self.idle = asyncio.Event()
        """Set whenever the worker finds nothing left to deliver."""

    def start(self) -> None:
        """Start delivering in a background task."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="tidbok-outbox-worker")

    def wake(self) -> None:
        """Look at the outbox now (a message was just written)."""
        self.idle.clear()
        self._wake.set()

    async def stop(self) -> None:
        """Stop the background task and close the HTTP client; pending messages stay stored."""
        task, self._task = self._task, None
        await cancel_and_wait(task)
        if self._owns_client and self._client is not None:
            client, self._client = self._client, None
            await client.close()

    async def deliver_pending(self) -> bool:
        """Try every pending message once, oldest first per citizen; False if one failed
        transiently (the round then stops after its batch, and the worker backs off)."""
        while True:
            batch = await self.store.pending(self.batch_size)
            await self._update_gauge()
            if not batch:
                return True
            delivered, all_sent = await self._deliver_batch(batch)
            if delivered:
                await self.store.mark_all_delivered(delivered, self.clock.now())
                self.metrics.outbox_delivered.inc(len(delivered))
                log.info("%d messages delivered to the inbox", len(delivered))
            if all_sent is None:
                log.info("the batch's claim is half over: claiming the rest again")
                continue
            if not all_sent:
                await self._update_gauge()
                return False

    async def _deliver_batch(
        self, batch: list[OutboxMessage]
    ) -> tuple[list[OutboxMessage], bool | None]:
        """Send a claimed batch: citizens side by side, each citizen's messages in order.

        Returns the messages the inbox stored, and False if a transient failure held one back,
        None if half the claim passed before every message was tried (claim the rest again).
        """
        by_citizen: dict[str, list[OutboxMessage]] = {}
        for message in batch:
            by_citizen.setdefault(message.citizen, []).append(message)
        slots = asyncio.Semaphore(self.concurrency)
        delivered: list[OutboxMessage] = []
        loop = asyncio.get_running_loop()
        stop_at = None if self.claim_seconds is None else loop.time() + self.claim_seconds / 2
        cut = False

        async def send_in_order(messages: list[OutboxMessage]) -> bool:
            nonlocal cut
            for message in messages:
                async with slots:
                    if stop_at is not None and loop.time() >= stop_at:
                        cut = True  # the claim is half over: these are claimed again
                        return True
                    sent = await self._attempt(message)
                if sent is None:
                    return False  # the later ones wait for this one's retry
                if sent:
                    delivered.append(message)
            return True

        sends = [asyncio.ensure_future(send_in_order(group)) for group in by_citizen.values()]
        try:
            results = await asyncio.gather(*sends)
        except BaseException:  # the store failed (or we are cancelled): stop the other sends
            for send in sends:
                send.cancel()
            await asyncio.gather(*sends, return_exceptions=True)
            raise
        if not all(results):
            return delivered, False
        return delivered, None if cut else True

    async def _attempt(self, message: OutboxMessage) -> bool | None:
        """One attempt: True if stored, False if refused for good (recorded), None if it failed
        transiently (recorded; retried after the backoff)."""
        try:
            await self.deliver(message)
        except DeliveryFailed as failure:
            kind = "permanent" if failure.permanent else "transient"
            self.metrics.outbox_delivery_failures.inc(kind=kind)
            await self.store.record_failure(message.id, failure.reason, failure.permanent)
            if failure.permanent:
                log.error("inbox refused message %s for good: %s", message.id, failure.reason)
                return False
            log.warning("delivery of message %s failed: %s", message.id, failure.reason)
            return None
        return True

    async def deliver(self, message: OutboxMessage) -> None:
        """One attempt to hand one message to the inbox; raises :class:`DeliveryFailed`."""
        url = f"{self.inbox_url}/api/messages/{message.id}"
        try:
            async with self._session().put(
                url, json=message.wire(), headers=self._headers, allow_redirects=False
            ) as response:
                status = response.status
                text = (await response.read()).decode(errors="replace")
        except (aiohttp.ClientError, TimeoutError) as error:
            raise DeliveryFailed(f"{type(error).__name__}", permanent=False) from None
        if status in (200, 201, 204):
            return
        reason = f"inbox answered {status}: {redact(text[:200])}"
        permanent = status not in TRANSIENT_STATUSES
        raise DeliveryFailed(reason, permanent=permanent)

    def _session(self) -> aiohttp.ClientSession:
        """The HTTP client, made on first use (in the running loop): aiohttp's, because its pool
        costs a tenth of httpx's CPU per request at 16 concurrent ones (bench/outbox_bench.py)."""
        if self._client is None:
            self._client = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self._timeout),
                connector=aiohttp.TCPConnector(limit=self.concurrency),
            )
        return self._client

    async def _update_gauge(self) -> None:
        self.metrics.outbox_pending.set(await self.store.count_pending())

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                done = await self.deliver_pending()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("the outbox worker failed; it tries again")
                done = False
            if done:
                self._backoff = self.backoff_initial
                self.idle.set()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.poll_interval):
                        await self._wake.wait()
            else:
                delay, self._backoff = self._backoff, min(self._backoff * 2, self.backoff_max)
                await asyncio.sleep(delay)
