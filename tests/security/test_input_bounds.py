"""Out-of-range dates and control characters are refused at the door with 400 problem+json.

Both tests fail on the code before issue 12: the dates answered 500 (``start + DEFAULT_SEARCH``
and ``astimezone`` overflowed, and only ``ValueError`` was caught), and the control characters
reached the scheduling system and the citizen's inbox verbatim.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.gateway.conftest import PASIS_UNIT, PMO_UNIT, TOLVAN, Gateway, at
from tidbok import citizen_input
from tidbok.errors import InvalidInput
from tidbok.gateway.ids import encode_id

EXTREMES = [
    {"from": "9999-12-31T00:00:00+01:00"},
    {"from": "0001-01-01T00:00:00+01:00"},
    {"to": "9999-12-31T23:59:59-12:00"},
    {"from": "0001-01-01T00:00:00-12:00", "to": "0001-01-02T00:00:00-12:00"},
    {"from": "9999-12-31T00:00:00+00:00", "to": "9999-12-31T10:00:00+00:00"},
    {"from": "0001-01-01T00:00:00+14:00", "to": "9999-12-31T23:59:59-14:00"},
    {"from": "2099-12-31T23:00:00+00:00", "to": "2100-01-02T00:00:00+00:00"},
]


@pytest.mark.parametrize(
    "query", EXTREMES, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items())
)
async def test_out_of_range_dates_answer_400_problem(gw: Gateway, query: dict[str, str]) -> None:
    """Failed on the old code with 500 ``internal_error`` for the first three."""
    path = f"/v1/units/{PMO_UNIT}/slots?" + "&".join(f"{k}={quote(v)}" for k, v in query.items())
    response = await gw.client.get(path, headers=gw.auth())
    assert response.status_code == 400, response.text
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == "invalid_input"
    assert any("2000" in line and "2100" in line for line in response.json()["errors"])


def test_the_search_window_has_documented_bounds() -> None:
    earliest, latest = citizen_input.EARLIEST_TIME, citizen_input.LATEST_TIME
    longest = citizen_input.MAX_SEARCH_PERIOD
    start, end = citizen_input.search_period(earliest, earliest + longest)
    assert (start, end) == (earliest, earliest + longest)
    with pytest.raises(InvalidInput):
        citizen_input.search_period(latest, latest + longest)


CONTROLS = ["\x00", "\x1b[2J", "\u202e", "\u2066", "\x7f", "\x85"]


@pytest.mark.parametrize("control", CONTROLS, ids=repr)
async def test_control_characters_in_a_cancel_message_are_refused(
    gw: Gateway, control: str
) -> None:
    """Failed on the old code: the message was sent to the unit and reached the inbox."""
    booking = gw.pasis.add_booking(PASIS_UNIT, TOLVAN, at(3, 10))
    opaque = encode_id(PASIS_UNIT, booking.id)
    response = await gw.client.post(
        f"/v1/bookings/{opaque}/cancel",
        json={"message": f"Kan inte komma{control} tyvärr"},
        headers=gw.auth(),
    )
    assert response.status_code == 400, response.text
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert response.json()["errors"] == ["message: control characters are not allowed"]
    assert booking.id in gw.pasis.bookings  # nothing was cancelled


@pytest.mark.parametrize("control", CONTROLS, ids=repr)
async def test_control_characters_in_a_booking_reason_are_refused(
    gw: Gateway, control: str
) -> None:
    """Failed on the old code: the reason was booked and shown verbatim."""
    slot = gw.pasis.add_slot(PASIS_UNIT, at(3, 10))
    response = await gw.client.post(
        "/v1/bookings",
        json={
            "unit": PASIS_UNIT,
            "slot_id": slot.id,
            "accept_terms": True,
            "reason": f"Ont{control}",
        },
        headers=gw.auth(),
    )
    assert response.status_code == 400, response.text
    assert response.json()["errors"] == ["reason: control characters are not allowed"]
    assert gw.pasis.bookings == {}


async def test_line_breaks_and_tabs_stay_allowed(gw: Gateway) -> None:
    booking = gw.pasis.add_booking(PASIS_UNIT, TOLVAN, at(3, 10))
    opaque = encode_id(PASIS_UNIT, booking.id)
    response = await gw.client.post(
        f"/v1/bookings/{opaque}/cancel",
        json={"message": "Hej!\r\n\tJag är sjuk. Förlåt 🙂‍↕️"},
        headers=gw.auth(),
    )
    assert response.status_code == 200, response.text
