"""Schemathesis against the running gateway's own ``/openapi.json``.

The gateway runs on a real loopback socket in a background thread (schemathesis calls it
synchronously), over the in-memory scheduling systems with a frozen clock and some seeded slots
and bookings. Every operation in the document is fuzzed with a bounded, derandomized number of
examples, as the demo citizen with a valid token. Checks: never a 5xx, only documented status
codes, the documented content type, and bodies that conform to the response schema.
"""

from __future__ import annotations

import asyncio
import copy
import json
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.gateway.conftest import (
    AUDIENCE,
    ISSUER,
    NOW,
    OTHER,
    PASIS_UNIT,
    PMO_UNIT,
    SECRET,
    TOLVAN,
    VIEW_UNIT,
    Systems,
    at,
    make_settings,
    make_systems,
)
from tidbok.clock import FrozenClock
from tidbok.gateway import RunningGateway, issue_token, start_gateway
from tidbok.gateway.ids import encode_id
from tidbok.gateway.openapi import build_openapi
from tidbok.models import BookedBy
from tidbok.service import BookingService

#: Examples per API operation; about a dozen operations keep the run well under a minute.
EXAMPLES_PER_OPERATION = 40
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@dataclass(frozen=True)
class Seeded:
    """The ids the seeded data got (the memory systems number them deterministically)."""

    slots: tuple[str, ...]
    bookings: tuple[str, ...]
    invitations: tuple[str, ...]


def seed(systems: Systems) -> Seeded:
    """Free slots, the citizen's bookings (changeable and past the cut-off) and an invitation."""
    slots: list[str] = []
    bookings: list[str] = []
    for unit, backend in ((PASIS_UNIT, systems.pasis), (PMO_UNIT, systems.pmo)):
        for day in range(0, 6):
            slots += [backend.add_slot(unit, at(day, 9)).id, backend.add_slot(unit, at(day, 15)).id]
        for start, by in ((at(3, 10), BookedBy.CITIZEN), (at(0, 16), BookedBy.STAFF)):
            booking = backend.add_booking(unit, TOLVAN, start, booked_by=by)
            bookings.append(encode_id(unit, booking.id))
        other = backend.add_booking(unit, OTHER, at(4, 11), booked_by=BookedBy.CITIZEN)
        bookings.append(encode_id(unit, other.id))
    invitation = systems.pasis.add_invitation(PASIS_UNIT, TOLVAN, [at(5, 8), at(6, 8)])
    slots += [slot.id for slot in invitation.slots]
    return Seeded(tuple(slots), tuple(bookings), (encode_id(PASIS_UNIT, invitation.id),))


#: Times at the edges of what ``datetime`` holds, mixed into the focused run's ``from``/``to``
#: (schemathesis' own date-time strategy rarely reaches them; they answered 500 before issue 12).
EXTREME_TIMES = {
    "type": "string",
    "enum": [
        "9999-12-31T00:00:00+01:00",
        "9999-12-31T23:59:59-12:00",
        "0001-01-01T00:00:00+01:00",
        "0001-01-01T00:00:00-23:59",
        "2100-01-01T00:00:00+00:00",
        "1999-12-31T23:59:59.999999+00:00",
    ],
}


def focused(document: dict[str, Any]) -> dict[str, Any]:
    """The document with ids narrowed to the seeded ones, so that fuzzing reaches the backends.

    Random HSA-ids, booking ids and slot ids are all refused at the door (400/404); with real ones
    the generated requests book, rebook and cancel, and meet slot-taken, cut-off and terms refusals.
    """
    ids = seed(make_systems())
    document = copy.deepcopy(document)
    units = [PASIS_UNIT, PMO_UNIT, VIEW_UNIT, PMO_UNIT.lower()]
    by_name = {
        "hsa_id": units,
        "booking_id": list(ids.bookings),
        "invitation_id": list(ids.invitations),
    }
    for operations in document["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] in by_name:
                    parameter["schema"] = {"type": "string", "enum": by_name[parameter["name"]]}
                if parameter["name"] in ("from", "to"):
                    parameter["schema"] = {"anyOf": [parameter["schema"], EXTREME_TIMES]}
                if parameter["name"] == "rebook":
                    parameter["schema"] = {"type": "string", "enum": list(ids.bookings)}
    for name in ("BookIn", "RebookIn", "InvitationBookIn"):
        properties = document["components"]["schemas"][name]["properties"]
        properties["slot_id"] = {"type": "string", "enum": list(ids.slots)}
        if "unit" in properties:
            properties["unit"] = {"type": "string", "enum": units}
    return document


class GatewayThread:
    """The gateway and its service on an event loop of their own, in a daemon thread."""

    def __init__(self, outbox: Path) -> None:
        self.outbox = outbox
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.gateway: RunningGateway | None = None
        self.service: BookingService | None = None

    def run(self, coroutine: Any, timeout: float = 10.0) -> Any:
        future: Future[Any] = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        return future.result(timeout)

    def start(self) -> str:
        self.thread.start()
        return self.run(self._start())

    async def _start(self) -> str:
        systems = make_systems()
        seed(systems)
        settings_ = make_settings(self.outbox, None)
        self.service = BookingService(settings_, registry=systems.registry, clock=FrozenClock(NOW))
        self.gateway = await start_gateway(settings_, self.service, port=0)
        return self.gateway.url

    async def _stop(self) -> None:
        if self.gateway is not None:
            await self.gateway.aclose()
        if self.service is not None:
            await self.service.aclose()

    def stop(self) -> None:
        self.run(self._stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


@pytest.fixture(scope="module")
def gateway_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    running = GatewayThread(tmp_path_factory.mktemp("fuzz") / "outbox.sqlite3")
    url = running.start()
    try:
        yield url
    finally:
        running.stop()


def test_the_fuzzed_document_is_the_one_the_gateway_serves(gateway_url: str) -> None:
    served = httpx.get(f"{gateway_url}/openapi.json", timeout=5.0)
    assert served.status_code == 200
    assert served.json() == json.loads(json.dumps(build_openapi()))


@pytest.fixture(scope="module")
def auth_headers() -> dict[str, str]:
    from datetime import timedelta

    token = issue_token(
        SECRET,
        TOLVAN.value,
        audience=AUDIENCE,
        issuer=ISSUER,
        expires_at=NOW + timedelta(days=1),
        issued_at=NOW,
    )
    return {"Authorization": f"Bearer {token}"}


# The document is built in-process (the very function behind ``GET /openapi.json``, compared with
# the served one above) so that the operations are known at collection time: one test per operation.
DOCUMENT = json.loads(json.dumps(build_openapi()))
schema = schemathesis.openapi.from_dict(DOCUMENT)
focused_schema = schemathesis.openapi.from_dict(focused(DOCUMENT))
BOUNDED = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@BOUNDED
def test_the_api_never_fails_and_keeps_its_schema(
    case: schemathesis.Case, gateway_url: str, auth_headers: dict[str, str]
) -> None:
    case.call_and_validate(base_url=gateway_url, headers=auth_headers, checks=CHECKS)


@focused_schema.parametrize()
@BOUNDED
def test_with_real_ids_the_api_never_fails_and_keeps_its_schema(
    case: schemathesis.Case, gateway_url: str, auth_headers: dict[str, str]
) -> None:
    case.call_and_validate(base_url=gateway_url, headers=auth_headers, checks=CHECKS)
