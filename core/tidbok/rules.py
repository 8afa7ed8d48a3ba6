"""A scheduling system's booking rules and the pure functions that apply them (R8, R9).

Each plugin declares its :class:`SystemRules`; the service applies them before it calls the backend,
and computes the citizen's permission flags with the very same functions, so a flag never promises
what the operation then refuses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tidbok.clock import STOCKHOLM, elapsed, to_stockholm


class EarliestBooking(StrEnum):
    """The earliest day a new booking or rebooking may be made for."""

    SAME_DAY = "same_day"
    """A later slot today may be booked (PMO, R8)."""
    NEXT_DAY = "next_day"
    """At the earliest the calendar day after today, in Stockholm (PASiS, R9)."""


class SystemRules(BaseModel):
    """The rules a scheduling system imposes on bookings made via 1177."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    earliest_booking: EarliestBooking
    """The earliest day a new booking or rebooking may be made for."""
    change_cutoff: timedelta = Field(default=timedelta(0), ge=timedelta(0))
    """Cancel and rebook are allowed until this much elapsed time before the booking starts."""

    @field_validator("earliest_booking", mode="before")
    @classmethod
    def _earliest_named(cls, value: object) -> object:
        if value is None:
            raise ValueError(
                "None is not a rule: write EarliestBooking.NEXT_DAY or EarliestBooking.SAME_DAY"
            )
        return value

    @field_validator("change_cutoff", mode="before")
    @classmethod
    def _cutoff_is_a_duration(cls, value: object) -> object:
        if value is None:
            raise ValueError(
                "None is not a duration: write timedelta(0) for no cut-off "
                "(changes allowed until the start), or e.g. timedelta(hours=24)"
            )
        return value

    @property
    def same_day_allowed(self) -> bool:
        """Whether a new booking may be made for later the same day."""
        return self.earliest_booking is EarliestBooking.SAME_DAY

    def describe(self) -> str:
        """A one-line English summary, for `tidbok plugins` and reports."""
        earliest = "same day" if self.same_day_allowed else "from the next day"
        hours = self.change_cutoff.total_seconds() / 3600
        cutoff = f"until {hours:g} h before start" if hours else "until the start"
        return f"book {earliest}; cancel/rebook {cutoff}"


def earliest_bookable_start(rules: SystemRules, now: datetime) -> datetime:
    """The earliest start a new booking may have, given the current instant."""
    local_now = to_stockholm(now)
    if rules.same_day_allowed:
        return local_now
    tomorrow = local_now.date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(0), tzinfo=STOCKHOLM)


@dataclass(frozen=True)
class BookingWindow:
    """The booking window at one instant, computed once and applied to many slots."""

    now: datetime
    """The current instant, in UTC."""
    earliest: datetime
    """The earliest start a new booking may have, in Europe/Stockholm."""

    @classmethod
    def at(cls, rules: SystemRules, now: datetime) -> BookingWindow:
        """The window of ``rules`` at ``now``."""
        return cls(now=now.astimezone(UTC), earliest=earliest_bookable_start(rules, now))

    def admits(self, start: datetime) -> bool:
        """Whether a slot starting at ``start`` may be booked: not started, not too early."""
        moment = start.astimezone(UTC)
        return moment > self.now and moment >= self.earliest


def may_book_start(rules: SystemRules, start: datetime, now: datetime) -> bool:
    """Whether a slot starting at ``start`` is inside the booking window now.

    A slot that has started can never be booked; otherwise the system's earliest day applies.
    """
    return BookingWindow.at(rules, now).admits(start)


def may_change_start(rules: SystemRules, start: datetime, now: datetime) -> bool:
    """Whether a booking starting at ``start`` may still be cancelled or rebooked now.

    "24 hours before" is 24 elapsed hours, also across daylight-saving changes: exactly 24 h before
    is allowed, a minute later is not. A booking that has started cannot be changed.
    """
    remaining = elapsed(now, start)
    return remaining > timedelta(0) and remaining >= rules.change_cutoff
