"""The data the gateway benchmarks run on: three PASiS units, one per benchmark."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import httpx

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


def extra_units(count: int) -> dict[str, str]:
    """``count`` more units (one slot each), for the memory benchmark's one backend per unit."""
    return {f"SE2321000016-{9000 + n}": f"Vårdcentralen {n}" for n in range(count)}


async def seed(admin_url: str, more_units: dict[str, str] | None = None) -> None:
    """Load the scenario (and ``more_units``, one time type and slot each) into a mock PASiS."""
    doc = scenario()
    for unit, name in (more_units or {}).items():
        doc["units"].append({"id": unit, "name": name})
        doc["time_types"].append(
            {"id": f"TT{unit[-4:]}", "unit": unit, "name": "Besök", "level": 4}
        )
        start = NOW + timedelta(days=2)
        doc["slots"].append(
            {"unit": unit, "time_type": f"TT{unit[-4:]}", "start": start.isoformat()}
        )
    slots = doc.pop("slots")
    async with httpx.AsyncClient(base_url=admin_url, timeout=60) as admin:
        (await admin.post("/scenario", json=doc)).raise_for_status()
        for first in range(0, len(slots), 100):
            answers = await asyncio.gather(
                *(admin.post("/slots", json=slot) for slot in slots[first : first + 100])
            )
            for answer in answers:
                answer.raise_for_status()
