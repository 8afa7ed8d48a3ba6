"""What the SOAP-vs-REST benchmark searches: the demo's data, two units, two weeks."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from tidbok.clock import STOCKHOLM
from tidbok_mocks.common.demo import DEMO_CITIZEN
from tidbok_mocks.pasis import demo as pasis_demo
from tidbok_mocks.pmo import demo as pmo_demo

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=STOCKHOLM)
"""A Tuesday morning, as in tests/riv; the mocks and the service are frozen here."""
PREFIX = "/riv/crm/scheduling"
CITIZEN = DEMO_CITIZEN
"""The demo's citizen, 191212121212, searching for themselves."""
UNITS: dict[str, str] = {
    "PASiS": pasis_demo.TENSTA,
    "PMO": pmo_demo.RINKEBY,
}
"""One unit per scheduling system, both with booking activated and a week of demo slots."""
FIRST_DAY: date = NOW.date()
LAST_DAY: date = FIRST_DAY + timedelta(days=13)
"""Two weeks, inclusive (GetAvailableTimeslots' dates); REST searches the same instants."""


def period() -> tuple[datetime, datetime]:
    """``[FIRST_DAY 00:00, the day after LAST_DAY 00:00)`` in Stockholm: what both searches ask."""
    after = LAST_DAY + timedelta(days=1)
    return (
        datetime(FIRST_DAY.year, FIRST_DAY.month, FIRST_DAY.day, tzinfo=STOCKHOLM),
        datetime(after.year, after.month, after.day, tzinfo=STOCKHOLM),
    )
