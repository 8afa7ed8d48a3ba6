"""Scenarios the mock tests seed through the admin API."""

from __future__ import annotations

from typing import Any

UNIT = "SE2321000016-9001"
OTHER_UNIT = "SE2321000016-9002"
PNR = "19121212-1212"
PNR12 = "191212121212"
OTHER_PNR = "19900101-2385"
OTHER_PNR12 = "199001012385"
MONDAY_9 = "2026-11-23T09:00:00+01:00"


def _slot(
    slot_id: str, time_type: str, start: str, unit: str = UNIT, **extra: Any
) -> dict[str, Any]:
    return {
        "id": slot_id,
        "unit": unit,
        "time_type": time_type,
        "start": start,
        "performer": "Dr Anna Berg",
        "resource": "Rum 4",
        **extra,
    }


def pasis_scenario(
    now: str = MONDAY_9, extra_slots: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """One unit with time types of each 1177 level, slots from today to Thursday."""
    return {
        "now": now,
        "units": [
            {"id": UNIT, "name": "Vårdcentralen Test", "address": "Testgatan 1"},
            {"id": OTHER_UNIT, "name": "Mottagningen Annan"},
        ],
        "time_types": [
            {
                "id": "TT4",
                "unit": UNIT,
                "name": "Provtagning",
                "duration_minutes": 15,
                "purpose": "Kom fastande.",
                "level": 4,
            },
            {"id": "TT3", "unit": UNIT, "name": "Läkarbesök, uppföljning", "level": 3},
            {"id": "TT2", "unit": UNIT, "name": "Hälsokontroll", "level": 2},
            {"id": "TT1", "unit": UNIT, "name": "Akuttid", "level": 1},
            {"id": "TT-OTHER", "unit": OTHER_UNIT, "name": "Provtagning", "level": 4},
        ],
        "slots": [
            _slot("S-TODAY", "TT4", "2026-11-23T15:00:00+01:00"),
            _slot("S-TUE-1", "TT4", "2026-11-24T10:00:00+01:00"),
            _slot("S-TUE-2", "TT4", "2026-11-24T10:15:00+01:00"),
            _slot("S-WED", "TT4", "2026-11-25T10:00:00+01:00"),
            _slot("S-L3", "TT3", "2026-11-25T11:00:00+01:00"),
            _slot("S-L3-THU", "TT3", "2026-11-26T11:00:00+01:00", level=4),
            _slot("S-L2", "TT2", "2026-11-25T13:00:00+01:00"),
            _slot("S-L1", "TT1", "2026-11-25T14:00:00+01:00"),
            _slot("S-OVERRIDE", "TT4", "2026-11-26T08:00:00+01:00", level=2),
            _slot("S-OTHER", "TT-OTHER", "2026-11-24T10:00:00+01:00", unit=OTHER_UNIT),
            *(extra_slots or []),
        ],
    }


def pmo_scenario(
    now: str = MONDAY_9, extra_slots: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """One facility with booking types of each flag combination, slots from today on."""
    return {
        "now": now,
        "units": [
            {"id": UNIT, "name": "Vårdcentralen Test"},
            {"id": OTHER_UNIT, "name": "Mottagningen Annan"},
        ],
        "time_types": [
            {
                "id": "bt-open",
                "unit": UNIT,
                "name": "Provtagning",
                "duration_minutes": 15,
                "purpose": "Kom fastande.",
            },
            {"id": "bt-nobook", "unit": UNIT, "name": "Läkarbesök", "bookable": False},
            {"id": "bt-nocancel", "unit": UNIT, "name": "Vaccination", "cancellable": False},
            {"id": "bt-hidden", "unit": UNIT, "name": "Intern", "visible": False},
            {"id": "bt-other", "unit": OTHER_UNIT, "name": "Provtagning"},
        ],
        "slots": [
            _slot("s-past", "bt-open", "2026-11-23T08:00:00+01:00"),
            _slot("s-now", "bt-open", "2026-11-23T09:00:00+01:00"),
            _slot("s-today", "bt-open", "2026-11-23T15:00:00+01:00"),
            _slot("s-today-2", "bt-open", "2026-11-23T15:15:00+01:00"),
            _slot("s-tue", "bt-open", "2026-11-24T10:00:00+01:00"),
            _slot("s-nobook", "bt-nobook", "2026-11-24T11:00:00+01:00"),
            _slot("s-nocancel", "bt-nocancel", "2026-11-24T12:00:00+01:00"),
            _slot("s-hidden", "bt-hidden", "2026-11-24T13:00:00+01:00"),
            _slot("s-other", "bt-other", "2026-11-24T10:00:00+01:00", unit=OTHER_UNIT),
            *(extra_slots or []),
        ],
    }
