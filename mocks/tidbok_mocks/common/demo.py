"""Building blocks for demo data: fictional citizens and a week of slots from the clock."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from .times import format_offset, local_datetime

DEMO_CITIZEN = "191212121212"
"""Tolvan Tolvansson, the classic fictional test citizen."""

OTHER_CITIZENS = ("199001012385", "198505152382", "200203032388")
"""Further fictional test personnummer (valid Luhn check digits)."""


def working_days(today: date, count: int, *, include_today: bool = False) -> list[date]:
    """The next ``count`` weekdays after (or from) ``today``."""
    days: list[date] = []
    day = today if include_today else today + timedelta(days=1)
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


@dataclass(frozen=True)
class SlotSeries:
    """Consecutive slots of one time type on one day, as scenario entries."""

    unit: str
    time_type: str
    first: time
    count: int
    minutes: int
    performer: str
    resource: str
    prefix: str

    def on(self, day: date, **extra: Any) -> Iterator[dict[str, Any]]:
        """The series' slots on ``day``; ids are ``{prefix}-{yyyymmdd}-{hhmm}``."""
        start = local_datetime(day, self.first)
        for index in range(self.count):
            begins = start + timedelta(minutes=index * self.minutes)
            ends = begins + timedelta(minutes=self.minutes)
            yield {
                "id": f"{self.prefix}-{day:%Y%m%d}-{format_offset(begins)[11:16].replace(':', '')}",
                "unit": self.unit,
                "time_type": self.time_type,
                "start": format_offset(begins),
                "end": format_offset(ends),
                "performer": self.performer,
                "resource": self.resource,
                **extra,
            }


def slot_id(series: SlotSeries, day: date, clock_time: time) -> str:
    """The id :meth:`SlotSeries.on` gives the slot starting at ``clock_time`` on ``day``."""
    return f"{series.prefix}-{day:%Y%m%d}-{clock_time:%H%M}"
