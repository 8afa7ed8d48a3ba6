"""The booking-window and cut-off rules, table-driven, across daylight-saving changes (R8, R9)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tidbok.clock import STOCKHOLM, FrozenClock, elapsed
from tidbok.rules import (
    EarliestBooking,
    SystemRules,
    earliest_bookable_start,
    may_book_start,
    may_change_start,
)

UTC = ZoneInfo("UTC")
PASIS = SystemRules(earliest_booking=EarliestBooking.NEXT_DAY, change_cutoff=timedelta(hours=24))
PMO = SystemRules(earliest_booking=EarliestBooking.SAME_DAY)


def sthlm(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM)


CUTOFF_CASES = [
    # booking start,            now,                          allowed?
    (sthlm(2026, 12, 2, 10, 0), sthlm(2026, 12, 1, 10, 0), True),  # exactly 24 h before
    (sthlm(2026, 12, 2, 10, 0), sthlm(2026, 12, 1, 10, 1), False),  # 23 h 59 min before
    (sthlm(2026, 12, 2, 10, 0), sthlm(2026, 11, 30, 10, 0), True),
    (sthlm(2026, 12, 2, 10, 0), sthlm(2026, 12, 2, 10, 30), False),  # already started
    # Autumn change, 2026-10-25 03:00 CEST -> 02:00 CET: that day has 25 hours.
    # 24 elapsed hours before 2026-10-25 12:00 CET is 2026-10-24 13:00 CEST (wall clock says 23 h).
    (sthlm(2026, 10, 25, 12, 0), sthlm(2026, 10, 24, 13, 0), True),
    (sthlm(2026, 10, 25, 12, 0), sthlm(2026, 10, 24, 13, 1), False),
    (sthlm(2026, 10, 25, 12, 0), sthlm(2026, 10, 24, 12, 0), True),
    # Spring change, 2027-03-28 02:00 CET -> 03:00 CEST: that day has 23 hours.
    # 24 elapsed hours before 2027-03-28 12:00 CEST is 2027-03-27 11:00 CET (wall clock says 25 h).
    (sthlm(2027, 3, 28, 12, 0), sthlm(2027, 3, 27, 11, 0), True),
    (sthlm(2027, 3, 28, 12, 0), sthlm(2027, 3, 27, 11, 1), False),
    (sthlm(2027, 3, 28, 12, 0), sthlm(2027, 3, 27, 11, 59), False),  # wall clock: 24 h 1 min
]


@pytest.mark.parametrize(("start", "now", "allowed"), CUTOFF_CASES)
def test_pasis_cancel_cutoff_is_24_elapsed_hours(
    start: datetime, now: datetime, allowed: bool
) -> None:
    assert may_change_start(PASIS, start, now) is allowed


def test_the_dst_cases_really_differ_from_wall_clock_arithmetic() -> None:
    start, now = sthlm(2026, 10, 25, 12, 0), sthlm(2026, 10, 24, 13, 0)
    assert start - now == timedelta(hours=23)  # naive wall-clock subtraction
    assert elapsed(now, start) == timedelta(hours=24)


BOOKING_WINDOW_CASES = [
    # rules, slot start, now, allowed?
    # 23:30 UTC on 2 December is 00:30 on 3 December in Stockholm: "tomorrow" is the 4th.
    (PASIS, sthlm(2026, 12, 3, 10, 0), datetime(2026, 12, 2, 23, 30, tzinfo=UTC), False),
    (PASIS, sthlm(2026, 12, 3, 23, 59), datetime(2026, 12, 2, 23, 30, tzinfo=UTC), False),
    (PASIS, sthlm(2026, 12, 4, 0, 0), datetime(2026, 12, 2, 23, 30, tzinfo=UTC), True),
    (PASIS, sthlm(2026, 12, 3, 10, 0), datetime(2026, 12, 2, 22, 30, tzinfo=UTC), True),
    (PASIS, sthlm(2026, 12, 2, 15, 0), sthlm(2026, 12, 2, 8, 0), False),  # same day refused
    # PMO: a later slot today is fine, one that has started is not.
    (PMO, sthlm(2026, 12, 2, 15, 0), sthlm(2026, 12, 2, 8, 0), True),
    (PMO, sthlm(2026, 12, 2, 8, 1), sthlm(2026, 12, 2, 8, 0), True),
    (PMO, sthlm(2026, 12, 2, 8, 0), sthlm(2026, 12, 2, 8, 0), False),  # starts right now
    (PMO, sthlm(2026, 12, 2, 7, 45), sthlm(2026, 12, 2, 8, 0), False),  # already started
    (PMO, sthlm(2026, 12, 1, 15, 0), sthlm(2026, 12, 2, 8, 0), False),  # yesterday
]


@pytest.mark.parametrize(("rules", "start", "now", "allowed"), BOOKING_WINDOW_CASES)
def test_booking_window(rules: SystemRules, start: datetime, now: datetime, allowed: bool) -> None:
    assert may_book_start(rules, start, now) is allowed


def test_earliest_start_is_stockholm_midnight_even_on_a_dst_day() -> None:
    now = sthlm(2026, 10, 24, 18, 0)
    earliest = earliest_bookable_start(PASIS, now)
    assert earliest == sthlm(2026, 10, 25, 0, 0)
    assert earliest.utcoffset() == timedelta(hours=2)  # still summer time at midnight


def test_pmo_may_change_until_start() -> None:
    start = sthlm(2026, 12, 2, 10, 0)
    assert may_change_start(PMO, start, sthlm(2026, 12, 2, 9, 59))
    assert not may_change_start(PMO, start, start)


def test_frozen_clock_moves_in_elapsed_time_across_dst() -> None:
    clock = FrozenClock(sthlm(2026, 10, 25, 1, 30))
    clock.advance(timedelta(hours=2))
    assert clock.now() == datetime(2026, 10, 25, 1, 30, tzinfo=UTC).astimezone(STOCKHOLM)
    assert clock.now().hour == 2
    with pytest.raises(ValueError, match="naive"):
        clock.set(datetime(2026, 1, 1))


def test_rules_describe_themselves() -> None:
    assert PASIS.describe() == "book from the next day; cancel/rebook until 24 h before start"
    assert PMO.describe() == "book same day; cancel/rebook until the start"


def test_a_slot_in_the_repeated_autumn_hour_is_ordered_by_instant() -> None:
    from tidbok.models import Slot

    # 02:30 CEST then, an hour later, 02:00 CET (the clock went back at 03:00 CEST).
    start = datetime(2026, 10, 25, 0, 30, tzinfo=UTC).astimezone(STOCKHOLM)
    end = datetime(2026, 10, 25, 1, 0, tzinfo=UTC).astimezone(STOCKHOLM)
    assert (start.hour, end.hour) == (2, 2)
    slot = Slot(
        id="s", unit="SE2321000016-1234", start=start, end=end, time_type_id="t", time_type_name="T"
    )
    assert elapsed(slot.start, slot.end) == timedelta(minutes=30)
