"""Activity intents: announce a citizen write before it reaches the backend, settle it afterwards.

The service builds an :class:`~tidbok.events.ActivityIntent` for each book, rebook, cancel and
invitation booking once the 1177 checks have passed, and sends the write through
:class:`ActivityWrites`: the intent goes to ``tidbok_activity_intent`` first (if that fails the
write is refused with :class:`~tidbok.errors.ActivityNotRecorded` and the backend is not called),
and a failed write goes to ``tidbok_activity_failed``.

A listener that never heard how a write ended (its process died in between) asks
:func:`read_back`, which reads the citizen's bookings at the unit (GetSubjectOfCareSchedule, which
every system answers) and tells whether the write happened; :func:`activity_of` then gives the
activity it was.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from tidbok.activity import booking_activity
from tidbok.calls import call_adapter
from tidbok.clock import Clock, instant
from tidbok.errors import ActivityNotRecorded
from tidbok.events import ActivityIntent, ActivityKind, BookingActivity
from tidbok.models import BookedBy, Booking, Caller, Slot
from tidbok.plugins import PluginRegistry
from tidbok.routing import UnitRoute

T = TypeVar("T")

log = logging.getLogger("tidbok.intents")


def activity_intent(
    kind: ActivityKind,
    route: UnitRoute,
    caller: Caller,
    created_at: datetime,
    *,
    slot: Slot | None = None,
    booking: Booking | None = None,
    slot_id: str | None = None,
    invitation_id: str | None = None,
    message: str | None = None,
) -> ActivityIntent:
    """The intent of a write of ``kind``: to ``slot`` (book, rebook, invitation), of ``booking``.

    ``booking`` is the booking a rebooking moves or a cancellation cancels. A slot gives the start
    and time type the booking has once the write is done; a cancellation takes them from the
    booking.
    """
    shown = slot if slot is not None else booking if kind is ActivityKind.CANCELLED else None
    return ActivityIntent(
        id=uuid.uuid4().hex,
        kind=kind,
        unit=route.hsa_id,
        unit_name=route.unit.name,
        system=route.unit.system,
        subject_of_care=caller.subject_of_care,
        agent_id=caller.agent_id,
        booking_id=booking.id if booking is not None else None,
        slot_id=slot.id if slot is not None else slot_id,
        invitation_id=invitation_id,
        start=shown.start if shown is not None else None,
        end=shown.end if shown is not None else None,
        time_type_id=shown.time_type_id if shown is not None else None,
        time_type_name=shown.time_type_name if shown is not None else None,
        previous_start=booking.start if kind is ActivityKind.REBOOKED and booking else None,
        message=message,
        created_at=created_at,
    )


class ActivityWrites:
    """How the service sends a citizen write: announced first, its activity broadcast after."""

    def __init__(self, registry: PluginRegistry, clock: Clock) -> None:
        self.registry = registry
        self.clock = clock

    async def send(
        self,
        intent: ActivityIntent,
        route: UnitRoute,
        operation: str,
        call: Callable[[], Awaitable[T]],
    ) -> T:
        """Announce ``intent``, then make the adapter call ``call()`` (logged, errors typed).

        If the intent cannot be announced the call is never made: ActivityNotRecorded. A call
        that fails is reported to ``tidbok_activity_failed`` and its error re-raised.
        """
        try:
            await self.registry.announce_intent(intent)
        except Exception as error:
            name = type(error).__name__
            log.error("%s not recorded, so not sent: %s", intent.summary(), name, exc_info=error)
            raise ActivityNotRecorded(f"tidbok_activity_intent failed: {name}") from error
        try:
            return await call_adapter(route, operation, call())
        except Exception as error:
            await self.registry.broadcast_failure(intent, error)
            raise

    async def emit(
        self,
        intent: ActivityIntent,
        route: UnitRoute,
        caller: Caller,
        booking: Booking,
        previous_start: datetime | None = None,
        message: str | None = None,
    ) -> None:
        """Broadcast the activity of the successful write ``intent`` announced."""
        activity = booking_activity(
            intent.kind, route, caller, booking, self.clock.now(), previous_start, message
        )
        await self.registry.broadcast_activity(activity.model_copy(update={"intent_id": intent.id}))


@dataclass(frozen=True)
class ReadBack:
    """Whether the write an intent announced happened, as the backend shows it now."""

    happened: bool
    bookings: tuple[Booking, ...] = ()
    """For a write that made or moved a booking: the citizen's bookings that fit it."""


async def read_back(route: UnitRoute, intent: ActivityIntent) -> ReadBack:
    """Read the citizen's bookings at the intent's unit and judge the intent by them.

    Raises a :class:`~tidbok.errors.TidbokError` when the backend cannot tell (try again later).
    """
    adapter = route.require_adapter()
    bookings = await call_adapter(
        route, "bookings_for", adapter.bookings_for(route.hsa_id, intent.subject_of_care)
    )
    return judge(intent, [b for b in bookings if b.subject_of_care == intent.subject_of_care])


def judge(intent: ActivityIntent, bookings: Sequence[Booking]) -> ReadBack:
    """Whether the write happened, given all the citizen's active bookings at the unit.

    - a cancellation happened when its booking is gone;
    - a rebooking happened when its booking now starts at the new slot's start with its time type
      (or, for a system that gives a moved booking a new id, when the old id is gone and a booking
      starts there);
    - a booking (or an invitation booking) happened when a booking the citizen made starts at the
      slot's start with its time type. Several may fit; the caller skips those already claimed.
    """
    match intent.kind:
        case ActivityKind.CANCELLED:
            return ReadBack(happened=all(b.id != intent.booking_id for b in bookings))
        case ActivityKind.REBOOKED:
            same = next((b for b in bookings if b.id == intent.booking_id), None)
            if same is not None:
                moved = _fits(same, intent)
                return ReadBack(happened=moved, bookings=(same,) if moved else ())
            fits = tuple(b for b in bookings if _fits(b, intent))
            return ReadBack(happened=bool(fits), bookings=fits)
        case ActivityKind.BOOKED | ActivityKind.INVITATION_BOOKED:
            invitation = intent.kind is ActivityKind.INVITATION_BOOKED
            fits = tuple(
                b
                for b in bookings
                if b.booked_by is BookedBy.CITIZEN
                and b.is_invitation == invitation
                and (intent.start is None or _fits(b, intent))
            )
            return ReadBack(happened=bool(fits), bookings=fits)


def _fits(booking: Booking, intent: ActivityIntent) -> bool:
    return (
        intent.start is not None
        and instant(booking.start) == instant(intent.start)
        and (intent.time_type_id is None or booking.time_type_id == intent.time_type_id)
    )


def activity_of(
    intent: ActivityIntent, booking: Booking | None, occurred_at: datetime
) -> BookingActivity:
    """The activity an intent announced, once known to have happened.

    ``booking`` is the booking read back (None for a cancellation, whose booking is gone): its id,
    times and time type win over the intent's.
    """
    start = booking.start if booking is not None else intent.start
    end = booking.end if booking is not None else intent.end
    if start is None or end is None:
        raise ValueError(f"{intent.summary()}: no booking to tell the start from")
    return BookingActivity(
        kind=intent.kind,
        unit=intent.unit,
        unit_name=intent.unit_name,
        system=intent.system,
        subject_of_care=intent.subject_of_care,
        agent_id=intent.agent_id,
        booking_id=booking.id if booking is not None else intent.booking_id or "",
        start=start,
        end=end,
        time_type_name=booking.time_type_name
        if booking is not None
        else intent.time_type_name or "",
        previous_start=intent.previous_start,
        message=intent.message,
        occurred_at=occurred_at,
        intent_id=intent.id,
    )
