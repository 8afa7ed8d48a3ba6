"""Shared translation helpers: times, parsing, error mapping and paging."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pydantic import BaseModel, ValidationError

from tidbok.clock import STOCKHOLM
from tidbok.errors import BackendProtocolError, BackendUnavailable, NotFound, SlotTaken
from tidbok.identity import PersonalIdentityNumber
from tidbok.models import Access1177, Slot, TimeType
from tidbok.wire import (
    LocalTimestamp,
    UnusableRecord,
    UtcTimestamp,
    build_models,
    collect_pages,
    local_span,
    local_to_stockholm,
    parse_json,
    parse_response,
    path_segment,
    stockholm_to_local,
    stockholm_to_utc,
    translate_error,
    utc_to_stockholm,
    wire_slot,
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


SLOT_FIELDS: dict[str, Any] = {
    "id": "S1",
    "unit": "se2321000016-1234",
    "start": datetime(2026, 10, 25, 2, 30, tzinfo=STOCKHOLM),
    "end": datetime(2026, 10, 25, 3, 0, tzinfo=STOCKHOLM),
    "time_type_id": "T1",
    "time_type_name": "Provtagning",
    "performer": None,
    "resource": "Rum 3",
    "access": Access1177(visible=True, bookable=True),
}


def test_wire_slot_is_the_slot_pydantic_would_build() -> None:
    fast, checked = wire_slot(**SLOT_FIELDS), Slot(**SLOT_FIELDS)
    assert fast == checked
    assert hash(fast) == hash(checked)
    assert fast.unit == "SE2321000016-1234"
    assert fast.model_dump_json() == checked.model_dump_json()
    assert fast.model_fields_set == checked.model_fields_set
    utc = {**SLOT_FIELDS, "start": datetime(2026, 10, 25, 0, 30, tzinfo=UTC)}
    assert wire_slot(**utc).start.tzinfo is STOCKHOLM


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"id": ""}, "needs an id"),
        ({"unit": "not an hsa id"}, "HSA-id"),
        ({"end": datetime(2026, 10, 25, 2, 30, tzinfo=STOCKHOLM)}, "end after it starts"),
        ({"start": datetime(2026, 10, 25, 2, 30)}, "naive"),
        ({"time_type_name": 3}, "texts"),
        ({"access": "bookable"}, "Access1177"),
    ],
)
def test_wire_slot_refuses_what_slot_refuses(change: dict[str, Any], problem: str) -> None:
    fields = {**SLOT_FIELDS, **change}
    with pytest.raises(ValidationError):
        Slot(**fields)
    with pytest.raises(BackendProtocolError, match=f"search: unusable answer .*{problem}"):
        build_models(lambda: wire_slot(**fields), "search")


class Page(BaseModel):
    items: list[Thing]


def test_parse_json_reads_bytes_in_one_pass() -> None:
    assert parse_json(Page, b'{"items": [{"id": "a"}]}', "op").items[0].id == "a"
    with pytest.raises(BackendProtocolError, match="not valid JSON"):
        parse_json(Page, b'{"items": [', "op")
    with pytest.raises(BackendProtocolError, match=r"unexpected answer .*items\.0\.id"):
        parse_json(Page, b'{"items": [{"name": 1}]}', "op")


class Stamped(BaseModel):
    local: LocalTimestamp
    utc: UtcTimestamp


def test_wire_times_parse_each_text_once_and_refuse_garbage_every_time() -> None:
    raw = b'{"local": "2026-10-25T02:30:00", "utc": "2026-10-25T01:30:00Z"}'
    first, again = parse_json(Stamped, raw, "op"), parse_json(Stamped, raw, "op")
    assert first.local is again.local  # parsed once, shared (datetimes are immutable)
    assert first.local.utcoffset() == timedelta(hours=2)
    assert first.utc.astimezone(UTC) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # fold=1
    assert first.utc.tzinfo is STOCKHOLM
    for garbage in (b'"2026-13-01T00:00:00"', b"5", b"null", b"[1]", b'"2026-10-25T01:30:00"'):
        body = b'{"local": "2026-10-25T02:30:00", "utc": ' + garbage + b"}"
        for _ in range(2):  # a refusal is never cached into a value
            with pytest.raises(BackendProtocolError, match=r"unexpected answer .*utc"):
                parse_json(Stamped, body, "op")


@pytest.mark.parametrize(
    ("start", "end", "utc_start", "utc_end"),
    [
        # crossing back in the repeated hour: the end is its second occurrence
        ("2026-10-25T02:45:00", "2026-10-25T02:15:00", "00:45", "01:15"),
        ("2026-10-25T02:30:00", "2026-10-25T02:00:00", "00:30", "01:00"),
        # inside the first occurrence, and an ordinary slot: as read
        ("2026-10-25T02:00:00", "2026-10-25T02:30:00", "00:00", "00:30"),
        ("2026-10-25T01:45:00", "2026-10-25T02:15:00", "23:45", "00:15"),
        ("2026-11-24T10:00:00", "2026-11-24T10:30:00", "09:00", "09:30"),
    ],
)
def test_a_local_span_resolves_the_repeated_hour_by_its_order(
    start: str, end: str, utc_start: str, utc_end: str
) -> None:
    first, last = local_span(local_to_stockholm(start), local_to_stockholm(end))
    assert first.astimezone(UTC).strftime("%H:%M") == utc_start
    assert last.astimezone(UTC).strftime("%H:%M") == utc_end
    assert last.astimezone(UTC) > first.astimezone(UTC)


def test_a_local_span_that_ends_before_it_starts_stays_refused() -> None:
    first, last = local_span(
        local_to_stockholm("2026-11-24T10:30:00"), local_to_stockholm("2026-11-24T10:00:00")
    )
    with pytest.raises(UnusableRecord):
        wire_slot(
            id="S1",
            unit="SE2321000016-0001",
            start=first,
            end=last,
            time_type_id="T",
            time_type_name="T",
            performer=None,
            resource=None,
            access=Access1177(),
        )
