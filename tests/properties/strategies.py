"""Shared hypothesis strategies: instants around Stockholm's daylight-saving changes, and rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import strategies as st

from tidbok.clock import STOCKHOLM
from tidbok.rules import EarliestBooking, SystemRules

#: The instants Stockholm's clocks change: back to CET (03:00 -> 02:00) and on to CEST.
DST_ENDS = datetime(2026, 10, 25, 1, 0, tzinfo=UTC)
DST_STARTS = datetime(2027, 3, 28, 1, 0, tzinfo=UTC)

#: Zones the same instant may arrive in; the rules must not care which.
ZONES = (STOCKHOLM, UTC, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=7)))


def instants(days: int = 3) -> st.SearchStrategy[datetime]:
    """Aware instants within ``days`` of either daylight-saving change, in assorted zones.

    Offsets are whole minutes (times that scheduling systems use) or any second (the clock).
    """
    return st.builds(
        lambda anchor, seconds, zone: (anchor + timedelta(seconds=seconds)).astimezone(zone),
        st.sampled_from((DST_ENDS, DST_STARTS)),
        st.one_of(
            st.integers(-days * 1440, days * 1440).map(lambda minutes: minutes * 60),
            st.integers(-days * 86_400, days * 86_400),
        ),
        st.sampled_from(ZONES),
    )


def near(moment: datetime, days: int = 3) -> st.SearchStrategy[datetime]:
    """Aware instants within ``days`` of ``moment`` (whole minutes or seconds), in Stockholm."""
    return st.one_of(
        st.integers(-days * 1440, days * 1440).map(lambda m: timedelta(minutes=m)),
        st.integers(-days * 86_400, days * 86_400).map(lambda s: timedelta(seconds=s)),
    ).map(lambda delta: (moment.astimezone(UTC) + delta).astimezone(STOCKHOLM))


cutoffs = st.one_of(
    st.sampled_from((timedelta(0), timedelta(hours=24), timedelta(hours=48))),
    st.integers(0, 72 * 60).map(lambda minutes: timedelta(minutes=minutes)),
)

system_rules = st.builds(
    SystemRules, earliest_booking=st.sampled_from(list(EarliestBooking)), change_cutoff=cutoffs
)
