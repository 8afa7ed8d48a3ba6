"""Builders of the rows the store suite stores: inbox messages and activity intents."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tidbok.clock import STOCKHOLM
from tidbok.events import ActivityIntent, ActivityKind
from tidbok.gateway.store import OutboxMessage

NOW = datetime(2026, 12, 1, 9, 0, 0, 123456, tzinfo=STOCKHOLM)
TOLVAN = "191212121212"
OTHER = "199001012385"
UNIT = "SE2321000016-1234"


def message(number: int, citizen: str = TOLVAN, **fields: Any) -> OutboxMessage:
    """Message ``m-<number>``, created ``number`` seconds after NOW."""
    values: dict[str, Any] = {
        "id": f"m-{number}",
        "citizen": citizen,
        "kind": "booked",
        "unit": UNIT,
        "unit_name": "Vårdcentralen Tensta",
        "subject": f"Bokad tid {number}",
        "body": "Välkommen – ta med legitimation.",
        "created_at": NOW + timedelta(seconds=number),
        **fields,
    }
    return OutboxMessage(**values)


def intent(number: int, kind: ActivityKind = ActivityKind.BOOKED, **fields: Any) -> ActivityIntent:
    """Intent ``i-<number>``, created ``number`` seconds after NOW."""
    values: dict[str, Any] = {
        "id": f"i-{number}",
        "kind": kind,
        "unit": UNIT,
        "unit_name": "Vårdcentralen Tensta",
        "system": "memory_pmo",
        "subject_of_care": TOLVAN,
        "time_type_id": "tt-1",
        "time_type_name": "Läkarbesök",
        "created_at": NOW + timedelta(seconds=number),
        **fields,
    }
    if kind is ActivityKind.CANCELLED:
        values.setdefault("start", NOW + timedelta(days=1))
        values.setdefault("end", values["start"] + timedelta(minutes=30))
    return ActivityIntent.model_validate(values)
