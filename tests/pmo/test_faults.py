"""Faults from the mock for book, rebook and cancel: never a lost or doubled booking.

Each write is retried with one Idempotency-Key (``/__admin/requests`` shows it), so PMO replays
an answer it lost instead of writing twice. Afterwards the appointment book holds exactly the
bookings it should, and the caller got the booking or a typed error.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from tidbok.clock import STOCKHOLM
from tidbok.errors import TechnicalFault
from tidbok.models import BookingResult, WriteOutcome
from tidbok_contract.seeding import FaultKind, FaultTarget

from .conftest import UNIT, Pmo

OPERATIONS = {
    FaultTarget.BOOK: "/api/v1/appointments",
    FaultTarget.REBOOK: "/api/v1/appointments/a-mine/reschedule",
    FaultTarget.CANCEL: "/api/v1/appointments/a-mine/cancel",
}

#: Faults a retry with the same key recovers from; ``malformed`` stops PMO before the handler,
#: and a 200 that is not JSON cannot be retried blindly, so it is read back and reported.
RECOVERED = {
    FaultKind.DELAY,
    FaultKind.HTTP_500,
    FaultKind.HTTP_503,
    FaultKind.RESET,
    FaultKind.COMMIT_THEN_DROP,
    FaultKind.COMMIT_THEN_500,  # PMO kept the key with the write: the retry replays it
    FaultKind.COMMIT_AFTER_CLIENT_TIMEOUT,  # "in progress" until the late write, then replayed
}


async def _citizen_bookings(pmo: Pmo) -> dict[str, str]:
    """The citizen's booked appointments: booking id -> slot id."""
    return {
        e["booking_id"]: e["slot_id"]
        for e in await pmo.booked()
        if e["person"] == pmo.citizen.subject_of_care.value
    }


async def _run(pmo: Pmo, target: FaultTarget) -> BookingResult | WriteOutcome:
    if target is FaultTarget.BOOK:
        return await pmo.service.book(pmo.citizen, UNIT, "s-tue-1", accept_terms=True)
    if target is FaultTarget.REBOOK:
        return await pmo.service.rebook(pmo.citizen, UNIT, "a-mine", "s-tue-1")
    return await pmo.service.cancel(pmo.citizen, UNIT, "a-mine", "Förhinder")


def _expected(before: dict[str, str], target: FaultTarget, done: bool) -> dict[str, str]:
    if not done:
        return before
    if target is FaultTarget.BOOK:
        return before | {"new": "s-tue-1"}
    if target is FaultTarget.REBOOK:
        return before | {"a-mine": "s-tue-1"}
    return {key: value for key, value in before.items() if key != "a-mine"}


@pytest.mark.parametrize("target", list(OPERATIONS))
@pytest.mark.parametrize("kind", list(FaultKind))
async def test_fault_on_a_write(pmo: Pmo, kind: FaultKind, target: FaultTarget) -> None:
    before = await _citizen_bookings(pmo)
    await pmo.clear_requests()
    await pmo.seeder.inject_fault(kind, target)
    # A delayed or late write keeps its idempotency key in progress until PMO finishes it, in real
    # time: the adapter's pauses before asking again must take real time too.
    pmo.timer.real_waits = kind in (FaultKind.DELAY, FaultKind.COMMIT_AFTER_CLIENT_TIMEOUT)
    result: BookingResult | WriteOutcome | None
    try:
        result = await _run(pmo, target)
    except TechnicalFault:
        result = None
    done = kind in RECOVERED
    assert (result is not None) is done, f"{kind} on {target}: got {result!r}"

    after = await _citizen_bookings(pmo)
    expected = _expected(before, target, done)
    if target is FaultTarget.BOOK and done:
        new_ids = set(after) - set(before)
        assert len(new_ids) == 1  # exactly one new booking: none lost, none doubled
        assert isinstance(result, BookingResult)
        assert result.booking.id in new_ids
        after = {("new" if key in new_ids else key): value for key, value in after.items()}
    assert after == expected
    if target is FaultTarget.REBOOK and done:
        assert isinstance(result, BookingResult)
        assert result.booking.start == datetime(2026, 11, 24, 10, tzinfo=STOCKHOLM)

    writes = await pmo.requests("POST", OPERATIONS[target])
    keys = {entry["idempotency_key"] for entry in writes}
    assert len(keys) == 1, writes  # every attempt: the same key
    assert None not in keys
    faulted = [entry for entry in writes if entry["fault"] == kind.value]
    assert len(faulted) == 1
    if kind in RECOVERED:
        assert len(writes) >= 2  # retried ...
        assert writes[-1]["status"] in (200, 201)  # ... until PMO answered or replayed


async def test_the_citizen_may_try_again_after_a_malformed_answer(pmo: Pmo) -> None:
    """Nothing was booked; the next try books the slot once."""
    await pmo.seeder.inject_fault(FaultKind.MALFORMED, FaultTarget.BOOK)
    with pytest.raises(TechnicalFault):
        await pmo.service.book(pmo.citizen, UNIT, "s-tue-1", accept_terms=True)
    await pmo.service.book(pmo.citizen, UNIT, "s-tue-1", accept_terms=True)
    assert [e["slot_id"] for e in await pmo.booked()].count("s-tue-1") == 1


async def test_down_backend_answers_backend_unavailable_and_books_nothing(pmo: Pmo) -> None:
    before = await _citizen_bookings(pmo)
    await pmo.seeder.set_down(True)
    with pytest.raises(TechnicalFault) as raised:
        await pmo.service.cancel(pmo.citizen, UNIT, "a-mine")
    assert raised.value.code == "backend_unavailable"
    await pmo.seeder.set_down(False)
    assert await _citizen_bookings(pmo) == before
