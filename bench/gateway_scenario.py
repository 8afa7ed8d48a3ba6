"""The data the gateway benchmarks run on: three PASiS units, one per benchmark."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tidbok.clock import STOCKHOLM

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=STOCKHOLM)
SECRET = "bench-secret-that-is-long-enough-for-hs256"
AUDIENCE = "tidbok-bench"
SEARCH_UNIT = "SE2321000016-8001"
BOOK_UNIT = "SE2321000016-8002"
RACE_UNIT = "SE2321000016-8003"
UNITS = {
    SEARCH_UNIT: "Vårdcentralen Sök",
    BOOK_UNIT: "Vårdcentralen Boka",
    RACE_UNIT: "Vårdcentralen Kapplöpning",
}
SEARCH_SLOTS = 40
BOOK_SLOTS = 3_000
RACE_SLOTS = 100


def slot_id(unit: str, index: int) -> str:
    return f"{unit[-4:]}-{index}"


def scenario() -> dict[str, Any]:
    doc: dict[str, Any] = {"units": [], "time_types": [], "slots": []}
    for unit, count in (
        (SEARCH_UNIT, SEARCH_SLOTS),
        (BOOK_UNIT, BOOK_SLOTS),
        (RACE_UNIT, RACE_SLOTS),
    ):
        doc["units"].append({"id": unit, "name": UNITS[unit]})
        doc["time_types"].append(
            {"id": f"TT{unit[-4:]}", "unit": unit, "name": "Läkarbesök", "level": 4}
        )
        for index in range(count):
            start = NOW + timedelta(days=2 + index // 40, minutes=15 * (index % 40))
            doc["slots"].append(
                {
                    "id": slot_id(unit, index),
                    "unit": unit,
                    "time_type": f"TT{unit[-4:]}",
                    "start": start.isoformat(),
                }
            )
    return doc
