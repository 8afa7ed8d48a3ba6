"""The rule functions against a simple reference model, around both daylight-saving changes.

The reference works on POSIX timestamps (elapsed seconds, no time-zone arithmetic at all) and on
Stockholm calendar dates; :mod:`tidbok.rules` must agree with it for every instant and rule set.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tidbok.clock import STOCKHOLM
from tidbok.rules import (
    EarliestBooking,
    SystemRules,
    earliest_bookable_start,
    may_book_start,
    may_change_start,
)

from .strategies import DST_ENDS, DST_STARTS, instants, near, system_rules

PASIS = SystemRules(earliest_booking=EarliestBooking.NEXT_DAY, change_cutoff=timedelta(hours=24))


def stockholm_day(moment: datetime) -> date:
    return moment.astimezone(STOCKHOLM).date()


def reference_may_book(rules: SystemRules, start: datetime, now: datetime) -> bool:
    if start.timestamp() <= now.timestamp():
        return False
    if rules.earliest_booking is EarliestBooking.SAME_DAY:
        return True
    return stockholm_day(start) > stockholm_day(now)


def reference_may_change(rules: SystemRules, start: datetime, now: datetime) -> bool:
    remaining = start.timestamp() - now.timestamp()
    return remaining > 0 and remaining >= rules.change_cutoff.total_seconds()


@given(system_rules, instants(), instants())
def test_may_book_start_agrees_with_the_reference(
    rules: SystemRules, start: datetime, now: datetime
) -> None:
    assert may_book_start(rules, start, now) == reference_may_book(rules, start, now)


@given(system_rules, st.data())
def test_an_accepted_start_is_future_and_not_before_the_earliest_day(
    rules: SystemRules, data: st.DataObject
) -> None:
    now = data.draw(instants())
    start = data.draw(near(now))
    earliest = earliest_bookable_start(rules, now)
    assert earliest.tzinfo is not None
    assert earliest.timestamp() >= now.timestamp()
    if rules.earliest_booking is EarliestBooking.NEXT_DAY:
        local = earliest.astimezone(STOCKHOLM)
        assert (local.hour, local.minute, local.second) == (0, 0, 0)
        assert local.date() == stockholm_day(now) + timedelta(days=1)
    if may_book_start(rules, start, now):
        assert start.timestamp() > now.timestamp()
        assert start.timestamp() >= earliest.timestamp()
        assert stockholm_day(start) >= stockholm_day(earliest)


@given(system_rules, st.data())
def test_a_later_start_stays_bookable(rules: SystemRules, data: st.DataObject) -> None:
    now = data.draw(instants())
    start = data.draw(near(now))
    later = start.astimezone(UTC) + timedelta(minutes=data.draw(st.integers(0, 3 * 1440)))
    if may_book_start(rules, start, now):
        assert may_book_start(rules, later, now)


@given(system_rules, instants(), instants())
def test_may_change_start_agrees_with_the_reference(
    rules: SystemRules, start: datetime, now: datetime
) -> None:
    assert may_change_start(rules, start, now) == reference_may_change(rules, start, now)


@given(system_rules, st.data())
def test_changing_allowed_now_was_allowed_earlier(rules: SystemRules, data: st.DataObject) -> None:
    now = data.draw(instants())
    start = data.draw(near(now))
    earlier = now.astimezone(UTC) - timedelta(seconds=data.draw(st.integers(0, 3 * 86_400)))
    if may_change_start(rules, start, now):
        assert may_change_start(rules, start, earlier)


@given(instants(days=2), st.sampled_from((1, 60, 3600)))
def test_the_cutoff_is_exactly_24_elapsed_hours(start: datetime, late: int) -> None:
    """24 elapsed hours before start is allowed, a moment later is not, DST or not."""
    deadline = (start.astimezone(UTC) - timedelta(hours=24)).astimezone(STOCKHOLM)
    assert may_change_start(PASIS, start, deadline)
    assert not may_change_start(PASIS, start, deadline.astimezone(UTC) + timedelta(seconds=late))


def test_the_cutoff_is_not_the_wall_clock_day_before() -> None:
    """Across the change, "same wall-clock time yesterday" is 23 or 25 elapsed hours away."""
    # Sunday 25 October 2026 has 25 hours: 12:00 on Saturday is 25 h before 12:00 on Sunday.
    start = datetime(2026, 10, 25, 12, 0, tzinfo=STOCKHOLM)
    assert may_change_start(PASIS, start, datetime(2026, 10, 24, 12, 59, tzinfo=STOCKHOLM))
    assert not may_change_start(PASIS, start, datetime(2026, 10, 24, 13, 1, tzinfo=STOCKHOLM))
    # Sunday 28 March 2027 has 23 hours: 12:00 on Saturday is 23 h before 12:00 on Sunday.
    start = datetime(2027, 3, 28, 12, 0, tzinfo=STOCKHOLM)
    assert may_change_start(PASIS, start, datetime(2027, 3, 27, 11, 0, tzinfo=STOCKHOLM))
    assert not may_change_start(PASIS, start, datetime(2027, 3, 27, 12, 0, tzinfo=STOCKHOLM))
    assert DST_ENDS < datetime(2026, 10, 25, 12, 0, tzinfo=STOCKHOLM) < DST_STARTS
