"""tidbok.wire.UtcTimestamp and LocalTimestamp: wire timestamps as aware Stockholm datetimes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from pydantic import BaseModel

from tidbok.clock import STOCKHOLM
from tidbok.errors import BackendProtocolError
from tidbok.wire import LocalTimestamp, UtcTimestamp, parse_model


class Record(BaseModel):
    utc: UtcTimestamp
    local: LocalTimestamp


def test_both_forms_become_stockholm_time() -> None:
    record = parse_model(
        Record, {"utc": "2026-11-27T09:00:00Z", "local": "2026-06-01T10:00:00"}, "read"
    )
    assert record.utc == datetime(2026, 11, 27, 10, 0, tzinfo=STOCKHOLM)
    assert record.utc.tzinfo is STOCKHOLM
    assert record.local == datetime(2026, 6, 1, 10, 0, tzinfo=STOCKHOLM)


@pytest.mark.parametrize(
    "data",
    [
        {"utc": "2026-11-27T09:00:00", "local": "2026-06-01T10:00:00"},  # UTC without Z
        {"utc": "soon", "local": "2026-06-01T10:00:00"},
        {"utc": 1_780_000_000, "local": "2026-06-01T10:00:00"},
        {"utc": "2026-11-27T09:00:00Z", "local": None},
    ],
)
def test_anything_else_is_a_protocol_error(data: dict[str, Any]) -> None:
    with pytest.raises(BackendProtocolError):
        parse_model(Record, data, "read")
