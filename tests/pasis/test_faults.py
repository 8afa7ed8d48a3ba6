"""Fault injection on the PASiS mock: no duplicate and no lost booking, typed errors, breaker.

Each write is faulted once through the mock's admin API; afterwards the appointment book must hold
exactly the bookings it should, and the caller must have the booking or a typed error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest

from tidbok.backend_http import BreakerState, OutcomeUnknown
from tidbok.errors import BackendProtocolError, BackendUnavailable, TidbokError
from tidbok.models import OutcomeKind

from .conftest import NOW, TOLVAN, UNIT, Live, at

#: Fault specs for the admin API, and whether the write happens on the server.
FAULTS: dict[str, tuple[dict[str, Any], bool]] = {
    # Attempt timeout is 0.3 s. The mock delays before it reads the body, so once the client has
    # given up the write never happens: the read-back finds nothing.
    "delay": ({"kind": "delay", "seconds": 0.5}, False),
    "http_500": ({"kind": "http_500"}, False),
    # 503 proves nothing was written, so the write is sent again after Retry-After.
    "http_503": ({"kind": "http_503", "retry_after": 1}, True),
    "reset": ({"kind": "reset"}, False),
    "malformed": ({"kind": "malformed"}, False),
    "commit_then_drop": ({"kind": "commit_then_drop"}, True),
    # The write happens, then a 500: read back, found.
    "commit_then_500": ({"kind": "commit_then_500"}, True),
    # The write happens 0.4 s in, after the client gave up (0.3 s): the read-back finds it.
    "commit_after_client_timeout": ({"kind": "commit_after_client_timeout", "seconds": 0.4}, True),
}

#: Faults whose write lands in real time, after the client gave up: the read-back pauses (0.2 s,
#: then 0.4 s after the 0.3 s attempt) wait in real time for them, so the late write is found.
REAL_TIME_FAULTS = frozenset({"commit_after_client_timeout"})

#: The typed error the caller gets when the write did not happen.
ERRORS: dict[str, type[TidbokError]] = {
    "delay": OutcomeUnknown,  # no answer in time: read back, nothing found
    "http_500": OutcomeUnknown,  # a 500 may follow the write: read back, nothing found
    "reset": OutcomeUnknown,  # no answer: read back, nothing found
    "malformed": OutcomeUnknown,  # unreadable answer: read back, nothing found
}


async def citizen_entries(live: Live) -> list[dict[str, Any]]:
    """The citizen's own (citizen-made) active bookings in the appointment book."""
    return [e for e in await live.book() if e["booked_by"] == "citizen"]


async def faulted(
    live: Live, name: str, path: str, call: Callable[[], Awaitable[Any]]
) -> tuple[Any, TidbokError | None]:
    """Inject fault ``name`` on the next POST to ``path`` and run ``call``."""
    spec, _ = FAULTS[name]
    # A late commit lands in real time: the read-back pauses must give it that time.
    live.timer.real_waits = name in REAL_TIME_FAULTS
    await live.fault(match={"method": "POST", "path": path}, times=1, **spec)
    try:
        return await call(), None
    except TidbokError as error:
        return None, error


def check_outcome(name: str, result: Any, error: TidbokError | None) -> None:
    """The caller got the result when the write happened, else the expected typed error."""
    if FAULTS[name][1]:
        assert error is None, error
        assert result is not None
    else:
        assert type(error) is ERRORS[name], error


async def answered_posts(live: Live) -> list[dict[str, Any]]:
    """The POSTs in the mock's log, once it holds one that was not refused with 503.

    The mock logs a request when it has answered it: a delayed one only after its delay, which
    goes on after the client gave up (read-back pauses take no real time on the fake timer).
    """
    async with asyncio.timeout(5):
        while True:
            posts = [r for r in await live.requests() if r["method"] == "POST"]
            if any(p["status"] != 503 for p in posts):
                return posts
            await asyncio.sleep(0.02)  # polling the mock's log, not timing a retry


@pytest.mark.parametrize("name", list(FAULTS))
async def test_book(live: Live, name: str) -> None:
    result, error = await faulted(
        live,
        name,
        "bokningar$",
        lambda: live.service.book(live.citizen, UNIT, "S-TUE", accept_terms=True),
    )
    check_outcome(name, result, error)
    entries = await citizen_entries(live)
    if FAULTS[name][1]:
        assert [e["slot_id"] for e in entries] == ["S-TUE"]
        assert entries[0]["booking_id"] == result.booking.id
    else:
        assert entries == []
    posts = await answered_posts(live)
    assert len([p for p in posts if p["status"] != 503]) == 1  # never re-sent after it may act


@pytest.mark.parametrize("name", list(FAULTS))
async def test_rebook(live: Live, name: str) -> None:
    booking = (await live.service.book(live.citizen, UNIT, "S-TUE", accept_terms=True)).booking
    result, error = await faulted(
        live,
        name,
        "omboka$",
        lambda: live.service.rebook(live.citizen, UNIT, booking.id, "S-WED"),
    )
    check_outcome(name, result, error)
    entries = await citizen_entries(live)
    assert len(entries) == 1  # never two bookings, never none
    assert entries[0]["booking_id"] == booking.id
    expected_slot = "S-WED" if FAULTS[name][1] else "S-TUE"
    assert entries[0]["slot_id"] == expected_slot
    if result is not None:
        assert result.booking.start == at(25, 10)


@pytest.mark.parametrize("name", list(FAULTS))
async def test_cancel(live: Live, name: str) -> None:
    booking = (await live.service.book(live.citizen, UNIT, "S-TUE", accept_terms=True)).booking
    result, error = await faulted(
        live,
        name,
        "avboka$",
        lambda: live.service.cancel(live.citizen, UNIT, booking.id),
    )
    check_outcome(name, result, error)
    entries = await citizen_entries(live)
    if FAULTS[name][1]:
        assert result.kind is OutcomeKind.OK
        assert entries == []
    else:
        assert [e["booking_id"] for e in entries] == [booking.id]


async def test_invitation_booking_lost_answer_is_read_back(live: Live) -> None:
    await live.post(
        "/slots", {"id": "K-S1", "unit": UNIT, "time_type": "TT2", "start": at(25, 15).isoformat()}
    )
    await live.post(
        "/invitations", {"id": "K1", "unit": UNIT, "person": TOLVAN.value, "slots": ["K-S1"]}
    )
    await live.fault(match={"method": "POST", "path": "bokning$"}, kind="commit_then_drop")
    result = await live.service.book_invitation(live.citizen, UNIT, "K1", "K-S1", accept_terms=True)
    assert result.booking.is_invitation
    assert [e["invitation_id"] for e in await citizen_entries(live)] == ["K1"]


async def test_a_write_later_than_the_read_back_window_is_outcome_unknown(live: Live) -> None:
    """PASiS books only after the last read-back (about 0.9 s): the honest answer is "outcome
    unknown", whose text sends the citizen to Bokade tider, where the booking then is."""
    live.timer.real_waits = True  # the read-back window as long in real time as on the timer
    await live.fault(
        match={"method": "POST", "path": "bokningar$"},
        kind="commit_after_client_timeout",
        seconds=1.5,
        times=1,
    )
    with pytest.raises(OutcomeUnknown) as raised:
        await live.service.book(live.citizen, UNIT, "S-TUE", accept_terms=True)
    assert raised.value.code == "outcome_unknown"
    assert "Bokade tider" in raised.value.citizen_text
    assert await citizen_entries(live) == []
    for _ in range(300):  # until the late write has landed (the mock logs it then)
        if any(r["fault"] == "commit_after_client_timeout" for r in await live.requests()):
            break
        await asyncio.sleep(0.01)
    shown = await live.service.unit_bookings(live.citizen, UNIT)
    assert [booking.start for booking in shown if booking.booked_by == "citizen"] == [at(24, 10)]
    posts = [r for r in await live.requests() if r["method"] == "POST"]
    assert len(posts) == 1  # never re-sent


async def test_reads_honour_retry_after(live: Live) -> None:
    await live.fault(
        match={"method": "GET", "path": "lediga-tider$"}, kind="http_503", retry_after=1, times=1
    )
    slots = await live.service.available_slots(live.citizen, UNIT, NOW, NOW + timedelta(days=7))
    assert live.timer.slept == [1.0]  # one wait, as long as Retry-After asked (on the timer)
    assert [slot.id for slot in slots] == ["S-TUE", "S-WED", "S-THU"]


async def test_malformed_read_is_a_protocol_error(live: Live) -> None:
    await live.fault(match={"method": "GET", "path": "lediga-tider$"}, kind="malformed")
    with pytest.raises(BackendProtocolError):
        await live.service.available_slots(live.citizen, UNIT, NOW, NOW + timedelta(days=7))


async def test_breaker_opens_answers_at_once_half_opens_and_recovers(live: Live) -> None:
    breaker = live.service.adapters["pasis-test"].breaker
    assert breaker is not None
    search = lambda: live.service.available_slots(  # noqa: E731
        live.citizen, UNIT, NOW, NOW + timedelta(days=7)
    )
    await live.fault(match={"method": "GET", "path": "lediga-tider$"}, kind="http_500")
    with pytest.raises(BackendUnavailable):
        await search()  # 3 attempts, 3 failures: the threshold
    assert breaker.state is BreakerState.OPEN
    sent = len(await live.requests())
    with pytest.raises(BackendUnavailable, match="circuit breaker open"):
        await search()
    with pytest.raises(BackendUnavailable, match="circuit breaker open"):
        await live.service.book(live.citizen, UNIT, "S-TUE", accept_terms=True)
    assert len(await live.requests()) == sent  # answered without a network call

    live.timer.advance(0.25)  # past the reset timeout: one probe may go, the backend still fails
    with pytest.raises(BackendUnavailable):
        await search()
    assert len(await live.requests()) == sent + 1  # exactly one probe
    assert breaker.state is BreakerState.OPEN

    await live.admin.delete("/faults")
    live.timer.advance(0.25)
    assert [slot.id for slot in await search()] == ["S-TUE", "S-WED", "S-THU"]
    assert breaker.state is BreakerState.CLOSED
    assert (await live.service.book(live.citizen, UNIT, "S-TUE", accept_terms=True)).booking
