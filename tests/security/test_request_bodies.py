"""Request bodies: only ``application/json`` is read, and consent is the JSON literal ``true``.

Both fail on the code before issue 12: a ``text/plain`` body was parsed as JSON (so a plain HTML
form on another site could post one), and ``accept_terms`` of ``1``, ``"yes"``, ``"on"`` or
``1.0`` counted as consent (pydantic's lax booleans).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.gateway.conftest import PASIS_UNIT, TOLVAN, Gateway, at
from tidbok.gateway.ids import encode_id


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded"],
)
async def test_a_body_that_is_not_declared_json_answers_415(
    gw: Gateway, content_type: str | None
) -> None:
    slot = gw.pasis.add_slot(PASIS_UNIT, at(3, 10))
    body = json.dumps({"unit": PASIS_UNIT, "slot_id": slot.id, "accept_terms": True})
    headers = gw.auth()
    if content_type is not None:
        headers["Content-Type"] = content_type
    response = await gw.client.post("/v1/bookings", content=body.encode(), headers=headers)
    assert response.status_code == 415, response.text
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == "unsupported_media_type"
    assert gw.pasis.bookings == {}


async def test_a_cancel_message_as_text_plain_answers_415(gw: Gateway) -> None:
    booking = gw.pasis.add_booking(PASIS_UNIT, TOLVAN, at(3, 10))
    response = await gw.client.post(
        f"/v1/bookings/{encode_id(PASIS_UNIT, booking.id)}/cancel",
        content=b'{"message": "hej"}',
        headers={**gw.auth(), "Content-Type": "text/plain"},
    )
    assert response.status_code == 415
    assert booking.id in gw.pasis.bookings


async def test_json_with_a_charset_is_read(gw: Gateway) -> None:
    slot = gw.pasis.add_slot(PASIS_UNIT, at(3, 10))
    body = json.dumps({"unit": PASIS_UNIT, "slot_id": slot.id, "accept_terms": True})
    response = await gw.client.post(
        "/v1/bookings",
        content=body.encode(),
        headers={**gw.auth(), "Content-Type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("consent", [1, 1.0, "yes", "on", "true", "1", "True"], ids=repr)
async def test_consent_must_be_the_json_literal_true(gw: Gateway, consent: Any) -> None:
    slot = gw.pasis.add_slot(PASIS_UNIT, at(3, 10))
    response = await gw.client.post(
        "/v1/bookings",
        json={"unit": PASIS_UNIT, "slot_id": slot.id, "accept_terms": consent},
        headers=gw.auth(),
    )
    assert response.status_code == 400, response.text
    assert response.json()["errors"] == ["accept_terms: Input should be a valid boolean"]
    assert gw.pasis.bookings == {}


@pytest.mark.parametrize("consent", [1, "yes", 1.0], ids=repr)
async def test_invitation_consent_must_be_the_json_literal_true(gw: Gateway, consent: Any) -> None:
    invitation = gw.pasis.add_invitation(PASIS_UNIT, TOLVAN, [at(5, 8)])
    response = await gw.client.post(
        f"/v1/invitations/{encode_id(PASIS_UNIT, invitation.id)}/book",
        json={"slot_id": invitation.slots[0].id, "accept_terms": consent},
        headers=gw.auth(),
    )
    assert response.status_code == 400, response.text
    assert gw.pasis.bookings == {}
