"""The riv mock's records on the common schedule: time types with 1177 access flags, rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..kit import (
    AccessTimeType,
    Booking,
    Invitation,
    MockClock,
    ReservableSlot,
    Schedule,
    sequential_ids,
    stockholm_date,
)

RivTimeType = AccessTimeType
"""riv's time types: the kit's, with what 1177 may do with them (see, book, change)."""


@dataclass
class RivRules:
    """The producer's rules: the change cut-off and whether same-day booking is allowed."""

    change_cutoff: timedelta = timedelta(hours=24)
    """Cancel and rebook are allowed until this long before the start (exactly then too)."""
    same_day_booking: bool = False
    """False: MakeBooking/UpdateBooking from the next day (Stockholm) on; True: any future slot."""

    def in_window(self, now: datetime, start: datetime) -> bool:
        """Whether a slot starting at ``start`` may be booked at ``now``."""
        if self.same_day_booking:
            return start > now
        return stockholm_date(start) > stockholm_date(now)

    def before_cutoff(self, now: datetime, start: datetime) -> bool:
        """Whether a booking starting at ``start`` may still be cancelled or moved at ``now``."""
        return now <= start - self.change_cutoff


RIV_ID_PREFIXES = {"time_type": "RT", "slot": "RS", "booking": "RB", "invitation": "RK"}

RivSchedule = Schedule[RivTimeType, ReservableSlot]


@dataclass
class RivState:
    """Everything a riv mock holds in memory."""

    clock: MockClock
    rules: RivRules = field(default_factory=RivRules)
    schedule: RivSchedule = field(default_factory=lambda: Schedule(sequential_ids(RIV_ID_PREFIXES)))
    invitations: dict[str, Invitation] = field(default_factory=dict)

    def changeable(self, booking: Booking) -> bool:
        """Whether 1177 may cancel or rebook ``booking`` now (flags, visibility, cut-off)."""
        kind = self.schedule.time_type(booking.time_type_id)
        start = self.schedule.slot_of(booking).start
        return (
            booking.active
            and not booking.hidden
            and kind.visible
            and kind.changeable
            and self.rules.before_cutoff(self.clock.now(), start)
        )
