"""Settle the activity intents nobody confirmed: read the booking back, then message or drop.

An intent stays open when the gateway died between storing it and confirming it (before the
backend was called, while it worked, or after it committed), when the write's answer was lost, or
when the message could not be written after the backend committed. :class:`Reconciler` looks at
open intents at start-up and every ``reconcile_interval`` seconds. It settles an intent when its
write can no longer be in flight: one of this run whose write has ended, one of an earlier run
when the store belongs to this process alone (SQLite, held with a file lock), or any older than
``intent_deadline``. With several replicas on one PostgreSQL store, one replica at a time makes
a pass (an advisory lock, :meth:`~tidbok.gateway.store.GatewayStore.reconcile_lock`), and the
intents it reads are claimed with a lease. For each it asks
:meth:`~tidbok.service.BookingService.read_back`:

- the write happened: the inbox message is written and the intent confirmed, in one transaction,
  under the intent's id (the id the message would have had), so it can never be written twice;
  a booking that already has its "booked" message from another intent is not messaged again, and
  a rebooking or cancellation that a later confirmed write on the same booking proves undone (it
  still saw the booking where this write would have moved or removed it) counts as not happened;
- it did not happen: the intent is dropped, and no message is ever written for it;
- the backend cannot tell now: the intent stays for the next round.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from tidbok.clock import instant
from tidbok.errors import TidbokError
from tidbok.events import ActivityIntent, ActivityKind
from tidbok.gateway.intent_store import StoredIntent
from tidbok.gateway.messages import message_for
from tidbok.gateway.metrics import GatewayMetrics
from tidbok.gateway.outbox import OutboxRecorder, OutboxWorker
from tidbok.gateway.store import GatewayStore
from tidbok.intents import ReadBack, activity_of
from tidbok.lifecycle import cancel_and_wait
from tidbok.models import Booking
from tidbok.service import BookingService

log = logging.getLogger("tidbok.gateway.reconciler")

#: Intents that make a booking: one booking has one such message.
MAKING = (ActivityKind.BOOKED.value, ActivityKind.INVITATION_BOOKED.value)


@dataclass
class ReconcileReport:
    """What one pass did."""

    delivered: int = 0
    """Intents whose write happened: their message is now in the outbox."""
    dropped: int = 0
    """Intents whose write did not happen: gone, with no message."""
    left: int = 0
    """Intents left open: still in flight, or the backend could not tell."""


class Reconciler:
    """Settles open intents at start-up and then every ``interval`` seconds."""

    def __init__(
        self,
        store: GatewayStore,
        service: BookingService,
        recorder: OutboxRecorder,
        *,
        deadline: float,
        interval: float,
        worker: OutboxWorker | None = None,
        metrics: GatewayMetrics | None = None,
        batch_size: int = 200,
    ) -> None:
        self.store = store
        self.service = service
        self.recorder = recorder
        self.deadline = timedelta(seconds=deadline)
        self.interval = interval
        self.worker = worker
        self.metrics = metrics or recorder.metrics
        self.batch_size = batch_size
        self.first_pass = asyncio.Event()
        """Set once the first pass has ended (whatever it found)."""
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Run a pass now and then every ``interval`` seconds, in a background task."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="tidbok-outbox-reconciler")

    async def stop(self) -> None:
        """Stop the background task (open intents stay stored for the next start)."""
        task, self._task = self._task, None
        await cancel_and_wait(task)

    async def reconcile(self) -> ReconcileReport:
        """One pass over the open intents, unless another replica is making one right now.

        This run's own unrecorded activities are retried either way; the stored intents are
        read under :meth:`~tidbok.gateway.store.GatewayStore.reconcile_lock` (with PostgreSQL, an
        advisory lock: one replica at a time reads intents back from the backends).
        """
        report = ReconcileReport(left=await self.recorder.retry_unrecorded())
        async with self.store.reconcile_lock() as held:
            if held:
                await self._settle_stored(report)
            else:
                log.debug("another gateway replica is reconciling; this one waits its turn")
        await self._update_gauge()
        if report.delivered or report.dropped:
            log.info(
                "reconciled intents: %d delivered, %d dropped, %d left",
                report.delivered,
                report.dropped,
                report.left,
            )
        return report

    async def _settle_stored(self, report: ReconcileReport) -> None:
        now = self.service.clock.now()
        for stored in await self.store.open_intents(self.batch_size):
            if stored.intent.id in self.recorder.unrecorded:
                continue  # this run knows it happened; counted above, retried from memory
            if not self._due(stored, now):
                report.left += 1
                continue
            intent = stored.intent
            try:
                found = await self.service.read_back(intent)
                delivered = await self._settle(stored, found)
            except TidbokError as error:
                report.left += 1
                log.warning("%s not settled yet: %s", intent.summary(), error.code)
                continue
            except Exception:
                report.left += 1
                log.exception("%s not settled yet", intent.summary())
                continue
            if delivered:
                report.delivered += 1
            else:
                report.dropped += 1

    def _due(self, stored: StoredIntent, now: datetime) -> bool:
        """Whether the intent's write can no longer be in flight."""
        intent = stored.intent
        if now - intent.created_at >= self.deadline:
            return True
        if stored.run == self.recorder.run:
            return intent.id not in self.recorder.in_flight
        return self.store.exclusive  # an earlier run of the only gateway on this store is dead

    async def _settle(self, stored: StoredIntent, found: ReadBack) -> bool:
        """Write the message of a write that happened (True) or drop the intent (False)."""
        intent = stored.intent
        booking: Booking | None = None
        happened = found.happened
        if happened and intent.kind.value in MAKING:
            booking = await self._unclaimed(intent.id, found.bookings)
            happened = booking is not None
        elif happened and await self._overtaken(intent):
            happened = False
        elif happened:
            booking = found.bookings[0] if found.bookings else None
        if not happened and await self._moved_on_from(intent):
            happened = True  # the message is built from the intent itself
        if not happened:
            await self.store.drop_intent(intent.id)
            self.metrics.reconciled.inc(outcome="dropped")
            log.info("%s did not happen; dropped", intent.summary())
            return False
        message = message_for(activity_of(intent, booking, intent.created_at))
        booking_id = booking.id if booking is not None else intent.booking_id
        await self.store.add_activity_message(message, intent.id, booking_id)
        self.metrics.reconciled.inc(outcome="delivered")
        self.metrics.outbox_written.inc(kind=message.kind)
        log.info("%s happened; message %s written", intent.summary(), message.id)
        if self.worker is not None:
            self.worker.wake()
        return True

    async def _overtaken(self, intent: ActivityIntent) -> bool:
        """Whether a later confirmed write on the same booking found it as this write left it.

        A rebooking or cancellation of a booking that another confirmed write (announced after
        it) still saw at the start this one would have changed did not happen: the backend, for
        example, timed out without acting and the citizen did it again.
        """
        return await self._later_write_saw(intent, _start_seen(intent))

    async def _moved_on_from(self, intent: ActivityIntent) -> bool:
        """Whether a later confirmed write on the same booking found it where this rebooking
        would have left it: the rebooking happened, and the citizen changed the booking again
        (through another replica, say) before this intent was settled, so reading back no longer
        shows it."""
        if intent.kind is not ActivityKind.REBOOKED:
            return False
        return await self._later_write_saw(intent, intent.start)

    async def _later_write_saw(self, intent: ActivityIntent, start: datetime | None) -> bool:
        """Whether a confirmed write on the intent's booking, announced after it, saw the
        booking starting at ``start`` before it changed it."""
        if intent.booking_id is None or start is None:
            return False
        for other in await self.store.confirmed_on(intent.booking_id, but=intent.id):
            seen = _start_seen(other)
            if (
                other.created_at >= intent.created_at
                and seen is not None
                and instant(seen) == instant(start)
            ):
                return True
        return False

    async def _unclaimed(self, intent_id: str, bookings: tuple[Booking, ...]) -> Booking | None:
        for booking in bookings:
            if not await self.store.claimed(MAKING, booking.id, but=intent_id):
                return booking
        return None

    async def _update_gauge(self) -> None:
        self.metrics.intents_open.set(await self.store.count_open_intents())

    async def _run(self) -> None:
        while True:
            try:
                await self.reconcile()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("reconciling intents failed; it tries again")
            finally:
                self.first_pass.set()
            await asyncio.sleep(self.interval)


def _start_seen(intent: ActivityIntent) -> datetime | None:
    """When the booking an intent changes started as the intent saw it (rebook, cancel)."""
    if intent.kind is ActivityKind.REBOOKED:
        return intent.previous_start
    if intent.kind is ActivityKind.CANCELLED:
        return intent.start
    return None
