"""What the service benchmarks share: the frozen time, the citizen and N PASiS units on a mock,
each unit on its own backend (own adapter and connection pool)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from common import MockProcess

from tidbok.clock import STOCKHOLM
from tidbok.identity import PersonalIdentityNumber
from tidbok.settings import TidbokSettings

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=STOCKHOLM)
CITIZEN = PersonalIdentityNumber("191212121212")
API_KEY = "pasis-dev-key"
DELAY = 0.050
"""Seconds the mock delays the answer a fan-out waits for."""


def unit_id(number: int) -> str:
    return f"SE2321000016-{7000 + number}"


def scenario(units: int, slots_per_unit: int) -> dict[str, Any]:
    doc: dict[str, Any] = {"units": [], "time_types": [], "slots": [], "bookings": []}
    for number in range(units):
        unit = unit_id(number)
        doc["units"].append({"id": unit, "name": f"Vårdcentralen {number}"})
        doc["time_types"].append(
            {"id": f"TT{number}", "unit": unit, "name": "Läkarbesök", "level": 4}
        )
        for index in range(slots_per_unit + 1):
            start = NOW + timedelta(days=2 + index // 8, hours=index % 8)
            doc["slots"].append(
                {
                    "id": f"S{number}-{index}",
                    "unit": unit,
                    "time_type": f"TT{number}",
                    "start": start.isoformat(),
                }
            )
        doc["bookings"].append(
            {"slot": f"S{number}-0", "person": CITIZEN.dashed, "booked_by": "citizen"}
        )
    return doc


def settings_for(mock: MockProcess, units: int) -> TidbokSettings:
    return TidbokSettings(
        backends={
            f"pasis-{number}": {
                "system": "pasis",
                "base_url": mock.api_url,
                "credentials": {"api_key": API_KEY},
            }
            for number in range(units)
        },
        units=[
            {
                "hsa_id": unit_id(number),
                "name": f"Vårdcentralen {number}",
                "backend": f"pasis-{number}",
                "case_types": [{"kind": "book"}, {"kind": "manage"}],
            }
            for number in range(units)
        ],
    )
