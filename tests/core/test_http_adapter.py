"""AdapterContext.backend_http and HttpSchedulingAdapter: the shared plumbing of HTTP plugins."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import httpx
import pytest
import respx
from pydantic import Field

from tidbok.adapter import AdapterContext, HttpSchedulingAdapter
from tidbok.backend_http import BreakerState, CallRecord
from tidbok.clock import FakeTimer
from tidbok.errors import BackendProtocolError, NotFound, SlotTaken, TidbokError
from tidbok.models import Slot, TimeType
from tidbok.settings import ResilienceSettings
from tidbok.wire import WireModel

from .memory_system import MemoryAdapter


class Observer:
    def __init__(self) -> None:
        self.calls: list[CallRecord] = []

    def record_call(self, record: CallRecord) -> None:
        self.calls.append(record)

    def record_breaker(self, system: str, backend: str, state: BreakerState) -> None:
        """Not exercised here."""


class Http(HttpSchedulingAdapter, MemoryAdapter):
    """An HTTP adapter with the memory adapter's operations (only the plumbing is tested)."""


@respx.mock
async def test_backend_http_carries_the_context() -> None:
    observer = Observer()
    resilience = ResilienceSettings(attempt_timeout=1.5, breaker_failure_threshold=7)
    context = AdapterContext(resilience=resilience, backend_name="b1", observer=observer)
    route = respx.get("https://api.test/v1/x").mock(return_value=httpx.Response(200))
    http = context.backend_http("sys", "https://api.test/v1/", headers={"X-Key": "k"})
    try:
        await http.read("probe", "GET", "x")
    finally:
        await http.aclose()
    assert (http.system, http.backend, http.resilience) == ("sys", "b1", resilience)
    assert http.breaker.threshold == 7
    assert route.calls[0].request.headers["X-Key"] == "k"
    assert [(c.system, c.backend, c.operation) for c in observer.calls] == [("sys", "b1", "probe")]


async def test_http_adapter_exposes_the_breaker_and_closes_the_pool() -> None:
    http = AdapterContext().backend_http("sys", "https://api.test/")
    adapter = Http(http)
    assert adapter.breaker is http.breaker
    await adapter.aclose()
    assert http.client.is_closed


class Acme(Http):
    """An adapter with a declared error table, as a vendor writes it."""

    errors: ClassVar[Mapping[str, type[TidbokError]]] = {"slot_taken": SlotTaken}


class Record(WireModel):
    """A wire record whose API names ``time_type_id`` ``type``."""

    id: str
    time_type_id: str = Field(alias="type")
    name: str


def acme() -> Acme:
    return Acme(AdapterContext(timer=FakeTimer()).backend_http("acme", "https://api.test/"))


@respx.mock
async def test_get_json_reads_a_model_and_turns_error_answers_into_typed_errors() -> None:
    adapter = acme()
    respx.get("https://api.test/ok").respond(
        200, json={"id": "T1", "type": "x", "name": "n", "+": 1}
    )
    respx.get("https://api.test/taken").respond(409, json={"error": "slot_taken"})
    respx.get("https://api.test/gone").respond(404, json={"error": "whatever"})
    respx.get("https://api.test/odd").respond(400, text="<html>")
    respx.get("https://api.test/bad").respond(200, json={"id": "T1"})
    try:
        record = await adapter.get_json(Record, "probe", "ok")
        assert (record.id, record.time_type_id) == ("T1", "x")
        assert record.to(TimeType, "probe") == TimeType(id="T1", name="n")
        with pytest.raises(SlotTaken):
            await adapter.get_json(Record, "probe", "taken")
        with pytest.raises(NotFound):
            await adapter.get_json(Record, "probe", "gone")
        with pytest.raises(BackendProtocolError):
            await adapter.get_json(Record, "probe", "odd")
        with pytest.raises(BackendProtocolError, match="probe: unexpected answer"):
            await adapter.get_json(Record, "probe", "bad")
        with pytest.raises(BackendProtocolError, match="probe: unusable answer"):
            Record(id="T1", type="x", name="n").to(Slot, "probe")  # a slot needs more
    finally:
        await adapter.aclose()


@respx.mock
async def test_write_once_refuses_at_once_and_reads_back_a_lost_answer() -> None:
    adapter = acme()
    answer = {"id": "T1", "type": "x", "name": "n"}
    route = respx.post("https://api.test/w")
    read_backs: list[str] = []

    async def read_back() -> str | None:
        read_backs.append("asked")
        return "found"

    async def write() -> str:
        return await adapter.write_once(
            "book", "w", {"a": 1}, lambda r: r.name, read_back, model=Record
        )

    try:
        route.respond(201, json=answer)
        assert await write() == "n"
        route.respond(409, json={"error": "slot_taken"})
        with pytest.raises(SlotTaken):
            await write()
        assert read_backs == []  # a refusal is an answer: nothing is read back
        route.respond(500, json={})
        assert await write() == "found"  # the write may have happened: read back
        route.respond(201, json={"id": "T1"})
        assert await write() == "found"  # an unusable answer: read back too
        assert route.call_count == 4  # never sent twice
    finally:
        await adapter.aclose()
