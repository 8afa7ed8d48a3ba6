"""Shared translation helpers: times, parsing, error mapping and paging."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest
from pydantic import BaseModel

from tidbok.clock import STOCKHOLM
from tidbok.errors import BackendProtocolError, BackendUnavailable, NotFound, SlotTaken
from tidbok.identity import PersonalIdentityNumber
from tidbok.models import TimeType
from tidbok.wire import (
    build_models,
    collect_pages,
    local_to_stockholm,
    parse_response,
    path_segment,
    stockholm_to_local,
    stockholm_to_utc,
    translate_error,
    utc_to_stockholm,
)


class Thing(BaseModel):
    id: str


def test_local_and_utc_times_round_trip_across_dst() -> None:
    summer = datetime(2026, 10, 24, 10, 0, tzinfo=STOCKHOLM)
    winter = datetime(2026, 10, 26, 10, 0, tzinfo=STOCKHOLM)
    assert stockholm_to_local(summer) == "2026-10-24T10:00:00"
    assert stockholm_to_utc(summer) == "2026-10-24T08:00:00Z"
    assert stockholm_to_utc(winter) == "2026-10-26T09:00:00Z"
    assert utc_to_stockholm("2026-10-26T09:00:00Z") == winter
    assert local_to_stockholm("2026-10-24T10:00:00") == summer
    assert local_to_stockholm("2026-10-24T10:00:00").utcoffset() == timedelta(hours=2)
    with pytest.raises(ValueError, match="UTC"):
        utc_to_stockholm("2026-10-26T09:00:00")


def test_parse_response_turns_garbage_into_protocol_errors() -> None:
    assert parse_response(Thing, httpx.Response(200, json={"id": "a"}), "op").id == "a"
    with pytest.raises(BackendProtocolError, match="not valid JSON"):
        parse_response(Thing, httpx.Response(200, text="{broken"), "op")
    with pytest.raises(BackendProtocolError, match="unexpected answer"):
        parse_response(Thing, httpx.Response(200, json={"name": 1}), "op")


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (409, "TAKEN", SlotTaken),
        (404, "WHATEVER", NotFound),
        (503, None, BackendUnavailable),
        (429, "slow-down", BackendUnavailable),
        (400, "weird", BackendProtocolError),
        (418, None, BackendProtocolError),
    ],
)
def test_translate_error(status: int, code: str | None, expected: type[Exception]) -> None:
    error = translate_error(httpx.Response(status), code, {"TAKEN": SlotTaken}, "book")
    assert type(error) is expected


async def test_collect_pages_follows_cursors_and_stops_on_loops() -> None:
    pages = {None: ([1, 2], "b"), "b": ([3], "c"), "c": ([], None)}

    async def fetch(cursor: str | None) -> tuple[list[int], str | None]:
        return pages[cursor]

    assert await collect_pages(fetch, "list") == [1, 2, 3]

    async def looping(cursor: str | None) -> tuple[list[int], str | None]:
        return [1], "same"

    with pytest.raises(BackendProtocolError, match="repeated"):
        await collect_pages(looping, "list")


def test_dashed_form_is_for_the_wire() -> None:
    pin = PersonalIdentityNumber("191212121212")
    assert pin.dashed == "19121212-1212"
    assert "1212-1212" not in str(pin)


def test_build_models_turns_refused_values_into_protocol_errors() -> None:
    assert build_models(lambda: TimeType(id="T", name="Provtagning"), "list").id == "T"
    with pytest.raises(BackendProtocolError, match="list: unusable answer"):
        build_models(lambda: TimeType(id="", name="Provtagning"), "list")


def test_path_segment_cannot_escape_its_segment() -> None:
    assert path_segment("T-1") == "T-1"
    assert path_segment("../bokningar/B1?x=1#y") == "..%2Fbokningar%2FB1%3Fx%3D1%23y"
    assert path_segment("..") == "%2E%2E"
